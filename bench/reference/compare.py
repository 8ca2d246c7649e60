"""mufakat side by side with red-dwarf (the reference Python port of the Pol.is math).

    python compare.py --data <polis-data-dir> --bin <target/release/mufakat> [--repeat 5]

For every Pol.is export folder under --data: runs red-dwarf's Pol.is pipeline
(run_reddwarf.py, in this Python) and `mufakat analyze <dir> --json`, then prints markdown
tables: groups (adjusted Rand index against Pol.is's own group-id and between the two),
time and peak memory, representative statements and consensus statements.
Run it through scripts/reference.sh, which makes the virtualenv and the release binary.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from metrics import ari, consensus_cells, position_gap, repness_rows, sizes, steps_row
from polis_export import conversation_dirs, read_polis_groups
from runners import run_mufakat, run_reddwarf
from tables import print_tables


def compare_one(export_dir, binary, warmup, repeat):
    ours, our_walls, our_cpu, our_peak = run_mufakat(binary, export_dir, warmup, repeat)
    our_groups = {p["id"]: p["group"] for p in ours["participants"] if p["group"] is not None}
    with tempfile.NamedTemporaryFile("w", prefix="mufakat-ref-", suffix=".json") as lf:
        json.dump({str(k): v for k, v in our_groups.items()}, lf)
        lf.flush()
        rd_once, rd_once_wall, rd_peak, rd, rd1 = run_reddwarf(export_dir, lf.name, warmup, repeat)
    rd_groups = {int(k): v for k, v in rd["groups"].items()}
    polis = read_polis_groups(export_dir)
    common = sorted(set(our_groups) & set(rd_groups) & set(polis))
    return {
        "name": export_dir.name,
        "votes": ours["counts"]["votes"],
        "participants": ours["counts"]["participants"],
        "clustered": (len(polis), len(rd_groups), len(our_groups)),
        "compared": len(common),
        "k": (len(set(polis.values())), rd["k"], ours["counts"]["groups"]),
        "sizes": (sizes(polis), sizes(rd_groups), sizes(our_groups)),
        "positions": position_gap(
            {p["id"]: p["position"] for p in ours["participants"]},
            {int(k): v for k, v in rd["positions"].items()},
        ),
        "ari": (
            ari(rd_groups, polis, common),
            ari(our_groups, polis, common),
            ari(our_groups, rd_groups, common),
        ),
        "rd_runs": rd["runs_s"],
        "rd_cpu": rd["cpu_s"],
        "rd1_runs": rd1["runs_s"],
        "rd1_cpu": rd1["cpu_s"],
        "rd_import": rd_once["import_s"],
        "rd_load": rd_once["load_s"],
        "rd_once": rd_once_wall,
        "rd_peak": rd_peak,
        "rd_rss_import": rd_once["rss_after_import_kib"],
        "our_runs": our_walls,
        "our_cpu": our_cpu,
        "steps": steps_row(rd["steps"], polis, common),
        "our_peak": our_peak,
        "repness": repness_rows(ours, rd, our_groups, rd_groups, common),
        "consensus": consensus_cells(ours, rd),
        "versions": rd["versions"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="folder of Pol.is export folders")
    parser.add_argument("--bin", required=True, help="the mufakat binary (release build)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    data = Path(args.data)
    if not data.is_dir():
        print(f"skipping the comparison: no Pol.is data folder at {data} (set MUFAKAT_POLIS_DATA)")
        return
    dirs, skipped = conversation_dirs(data)
    for d, missing in skipped:
        print(f"skipping {d.name}: no {missing}", file=sys.stderr)
    if not dirs:
        print(f"skipping the comparison: no Pol.is export folder under {data}")
        return
    load_start = os.getloadavg()[0]
    rows = []
    for d in dirs:
        print(f"comparing {d.name} …", file=sys.stderr, flush=True)
        rows.append(compare_one(d, Path(args.bin), args.warmup, args.repeat))
    print_tables(rows, args.repeat, args.warmup, (load_start, os.getloadavg()[0]))


if __name__ == "__main__":
    main()
