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
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from polis_export import conversation_dirs, read_polis_groups

HERE = Path(__file__).resolve().parent
ATTRIBUTION = (
    "Data: Pol.is open data, gathered using the Polis software (compdemocracy.org/polis), "
    "CC BY 4.0 with Attribution to The Computational Democracy Project "
    "(full statement: ATTRIBUTION.md in the data folder, quoted in BENCHMARKS.md)."
)


def timed_process(cmd, rss=False):
    """Runs cmd; returns (stdout, wall seconds, peak RSS in KiB when rss)."""
    with tempfile.NamedTemporaryFile(prefix="mufakat-ref-", suffix=".time") as tf:
        full = ["/usr/bin/time", "-v", "-o", tf.name, *cmd] if rss else cmd
        t = time.perf_counter()
        done = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        wall = time.perf_counter() - t
        if done.returncode != 0:
            sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr.decode()[-2000:]}")
        peak = None
        if rss:
            for line in Path(tf.name).read_text().splitlines():
                if "Maximum resident set size" in line:
                    peak = int(line.split(":")[1])
    return done.stdout, wall, peak


def run_mufakat(binary, export_dir, warmup, repeat):
    cmd = [str(binary), "analyze", str(export_dir), "--json"]
    out, _, peak = timed_process(cmd, rss=True)
    for _ in range(warmup):
        timed_process(cmd)
    walls = [timed_process(cmd)[1] for _ in range(repeat)]
    return json.loads(out)["analysis"], walls, peak


def run_reddwarf(export_dir, labels_file, warmup, repeat):
    script = [sys.executable, str(HERE / "run_reddwarf.py"), str(export_dir)]
    # One fresh process, one run: end-to-end wall time and peak memory of a single analysis.
    once, once_wall, peak = timed_process(script, rss=True)
    many, _, _ = timed_process(
        [*script, "--warmup", str(warmup), "--repeat", str(repeat), "--labels", labels_file]
    )
    return json.loads(once), once_wall, peak, json.loads(many)


def ari(a, b, ids):
    return adjusted_rand_score([a[i] for i in ids], [b[i] for i in ids])


def majority_match(ours, theirs, ids):
    """For each of our groups: (their group holding most of its members, share of members)."""
    out = {}
    for g in sorted(set(ours[i] for i in ids)):
        members = [i for i in ids if ours[i] == g]
        counts = {}
        for i in members:
            counts[theirs[i]] = counts.get(theirs[i], 0) + 1
        best = max(sorted(counts), key=lambda h: counts[h])
        out[g] = (best, counts[best] / len(members))
    return out


def overlap(a, b):
    """'n/m': statements in both top lists, m = the shorter list's length."""
    return f"{len(set(a) & set(b))}/{min(len(a), len(b))}"


def ms(seconds):
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


def median_range(values):
    return f"{ms(statistics.median(values))} ({ms(min(values))}–{ms(max(values))})"


def compare_one(export_dir, binary, warmup, repeat):
    ours, our_walls, our_peak = run_mufakat(binary, export_dir, warmup, repeat)
    our_groups = {p["id"]: p["group"] for p in ours["participants"] if p["group"] is not None}
    letters = {g["id"]: chr(ord("A") + i) for i, g in enumerate(ours["groups"])}
    with tempfile.NamedTemporaryFile("w", prefix="mufakat-ref-", suffix=".json") as lf:
        json.dump({str(k): v for k, v in our_groups.items()}, lf)
        lf.flush()
        rd_once, rd_once_wall, rd_peak, rd = run_reddwarf(export_dir, lf.name, warmup, repeat)
    rd_groups = {int(k): v for k, v in rd["groups"].items()}
    polis = read_polis_groups(export_dir)
    common = sorted(set(our_groups) & set(rd_groups) & set(polis))

    match = majority_match(our_groups, rd_groups, common)
    rep_rows = []
    for g in ours["groups"]:
        mine = [r["statement"] for r in g["representative"]][:5]
        theirs_g, share = match.get(g["id"], (None, 0.0))
        theirs = [r["statement"] for r in rd["repness"].get(str(theirs_g), [])]
        same = [r["statement"] for r in rd["repness_on_labels"].get(str(g["id"]), [])]
        rep_rows.append(
            f"{letters[g['id']]} → rd{theirs_g} ({share:.0%}): own {overlap(mine, theirs)}, "
            f"same groups {overlap(mine, same)}"
        )
    consensus = {
        d: overlap([c["statement"] for c in ours["consensus"][d]][:5], rd["consensus"][d])
        for d in ("agree", "disagree")
    }
    return {
        "name": export_dir.name,
        "votes": ours["counts"]["votes"],
        "participants": ours["counts"]["participants"],
        "clustered": (len(polis), len(rd_groups), len(our_groups)),
        "compared": len(common),
        "k": (len(set(polis.values())), rd["k"], ours["counts"]["groups"]),
        "ari": (
            ari(rd_groups, polis, common),
            ari(our_groups, polis, common),
            ari(our_groups, rd_groups, common),
        ),
        "rd_runs": rd["runs_s"],
        "rd_cpu": rd["cpu_s"],
        "rd_import": rd_once["import_s"],
        "rd_load": rd_once["load_s"],
        "rd_once": rd_once_wall,
        "rd_peak": rd_peak,
        "rd_rss_import": rd_once["rss_after_import_kib"],
        "our_runs": our_walls,
        "our_peak": our_peak,
        "repness": rep_rows,
        "consensus": consensus,
        "versions": rd["versions"],
    }


def print_tables(rows, repeat, warmup, loads):
    v = rows[0]["versions"]
    print(
        f"red-dwarf {v['red-dwarf']}, Python {v['python']}, numpy {v['numpy']}, "
        f"scikit-learn {v['scikit-learn']}, pandas {v['pandas']}, scipy {v['scipy']}; "
        f"{platform.machine()}, {os.cpu_count()} cores; load average {loads[0]:.1f} at start, "
        f"{loads[1]:.1f} at end.\n"
    )
    print("### Groups\n")
    print(
        "| conversation | votes | in a group: Pol.is / red-dwarf / mufakat | compared | "
        "k: Pol.is / red-dwarf / mufakat | ARI red-dwarf vs Pol.is | ARI mufakat vs Pol.is | "
        "ARI mufakat vs red-dwarf |"
    )
    print("|---|---:|---|---:|---|---:|---:|---:|")
    for r in rows:
        c, k, a = r["clustered"], r["k"], r["ari"]
        print(
            f"| {r['name']} | {r['votes']:,} | {c[0]} / {c[1]} / {c[2]} | {r['compared']} | "
            f"{k[0]} / {k[1]} / {k[2]} | {a[0]:.3f} | {a[1]:.3f} | {a[2]:.3f} |"
        )
    print(f"\n### Time and memory (wall clock; median of {repeat} after {warmup} warm-up, min–max)\n")
    print(
        "| conversation | red-dwarf `run_pipeline` | its CPU time | red-dwarf imports / CSV read | "
        "red-dwarf process, one run | red-dwarf peak RSS (after imports) | "
        "`mufakat analyze --json` process | mufakat peak RSS |"
    )
    print("|---|---|---:|---|---:|---|---|---:|")
    for r in rows:
        print(
            f"| {r['name']} | {median_range(r['rd_runs'])} | {ms(statistics.median(r['rd_cpu']))} | "
            f"{ms(r['rd_import'])} / {ms(r['rd_load'])} | {ms(r['rd_once'])} | "
            f"{mib(r['rd_peak'])} ({mib(r['rd_rss_import'])}) | {median_range(r['our_runs'])} | "
            f"{mib(r['our_peak'])} |"
        )
    print("\n### Representative statements (top 5 per group) and consensus (top 5 each way)\n")
    print(
        "Groups matched by majority overlap (share of our group's members in the red-dwarf "
        "group). 'own': each system on its own groups; 'same groups': red-dwarf's repness "
        "selection run on mufakat's groups.\n"
    )
    print("| conversation | per mufakat group | consensus agree | consensus disagree |")
    print("|---|---|---:|---:|")
    for r in rows:
        print(
            f"| {r['name']} | {'; '.join(r['repness'])} | {r['consensus']['agree']} | "
            f"{r['consensus']['disagree']} |"
        )
    print(f"\n{ATTRIBUTION}")


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
    dirs = conversation_dirs(data)
    if not dirs:
        print(f"skipping the comparison: no export folder (with votes.csv) under {data}")
        return
    load_start = os.getloadavg()[0]
    rows = []
    for d in dirs:
        print(f"comparing {d.name} …", file=sys.stderr)
        rows.append(compare_one(d, Path(args.bin), args.warmup, args.repeat))
    print_tables(rows, args.repeat, args.warmup, (load_start, os.getloadavg()[0]))


if __name__ == "__main__":
    main()
