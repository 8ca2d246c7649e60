"""Reading speed side by side: red-dwarf's whole process against mufakat's, on one export.

    python speed.py --bin <target/release/mufakat> [--base <other mufakat>] [--repeat 10] <export-dir>

Runs, alternately and `--repeat` times each after one untimed warm-up of each:
- red-dwarf: `python run_reddwarf.py <dir>`, one fresh Python process that imports numpy,
  pandas, scikit-learn and red-dwarf, reads the CSV files and runs `run_pipeline` once
  (BENCHMARKS.md's "red-dwarf process, one run");
- mufakat: `mufakat analyze <dir> --json`, one fresh process that reads the files, runs
  the whole analysis (stability resamples included) and prints analysis.json.
With `--base`, a second mufakat binary (the previous main, say) runs in the same rotation and
gets a row of its own, so both are measured against the same red-dwarf runs.
Alternating keeps them all under the same load. Prints the median wall clock [min–max] and
median CPU time of each, the ratio of the medians, and the load average before and after,
as one markdown table row. Run it through `scripts/reference.sh --speed`.
"""

import argparse
import os
import platform
import statistics
import sys
from pathlib import Path

from runners import timed_process

HERE = Path(__file__).resolve().parent


def ms(seconds):
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds * 1000:,.0f} ms"


def summary(walls, cpus):
    return (
        f"{ms(statistics.median(walls))} [{ms(min(walls))}–{ms(max(walls))}], "
        f"CPU {ms(statistics.median(cpus))}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("export_dir")
    parser.add_argument("--bin", required=True, help="the mufakat binary (release build)")
    parser.add_argument("--base", help="another mufakat binary, timed in the same rotation")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    export_dir = Path(args.export_dir)
    bins = [args.bin] + ([args.base] if args.base else [])
    ours = {b: [b, "analyze", str(export_dir), "--json"] for b in bins}
    theirs = [sys.executable, str(HERE / "run_reddwarf.py"), str(export_dir)]
    for cmd in ours.values():
        timed_process(cmd)
    timed_process(theirs)
    load_before = os.getloadavg()
    rd_wall, rd_cpu = [], []
    our_wall = {b: [] for b in bins}
    our_cpu = {b: [] for b in bins}
    for i in range(args.repeat):
        print(f"run {i + 1}/{args.repeat} …", file=sys.stderr, flush=True)
        _, wall, cpu, _ = timed_process(theirs)
        rd_wall.append(wall)
        rd_cpu.append(cpu)
        # The binaries take turns going first, so neither always follows red-dwarf.
        for b in bins if i % 2 == 0 else reversed(bins):
            _, wall, cpu, _ = timed_process(ours[b])
            our_wall[b].append(wall)
            our_cpu[b].append(cpu)
    load_after = os.getloadavg()
    print(
        "| conversation | `mufakat` binary | red-dwarf process | `mufakat analyze --json` process "
        "| ratio of medians (wall / CPU) | cores | load average (1 min) before / after |"
    )
    print("|---|---|---|---|---|---|---|")
    for b in bins:
        ratio = statistics.median(rd_wall) / statistics.median(our_wall[b])
        cpu_ratio = statistics.median(rd_cpu) / statistics.median(our_cpu[b])
        print(
            f"| {export_dir.name} | {b} | {summary(rd_wall, rd_cpu)} | {summary(our_wall[b], our_cpu[b])} "
            f"| {ratio:.1f}× / {cpu_ratio:.1f}× | {os.cpu_count()} ({platform.machine()}) "
            f"| {load_before[0]:.2f} / {load_after[0]:.2f} |"
        )
    print(f"\n{args.repeat} rotations (red-dwarf, then each binary) after one warm-up of each.")


if __name__ == "__main__":
    main()
