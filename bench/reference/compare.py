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
import resource
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


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed_process(cmd, rss=False, env=None):
    """Runs cmd; returns (stdout, wall seconds, CPU seconds, peak RSS in KiB when rss)."""
    with tempfile.NamedTemporaryFile(prefix="mufakat-ref-", suffix=".time") as tf:
        full = ["/usr/bin/time", "-v", "-o", tf.name, *cmd] if rss else cmd
        c, t = children_cpu(), time.perf_counter()
        done = subprocess.run(
            full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False, env=env
        )
        wall, cpu = time.perf_counter() - t, children_cpu() - c
        if done.returncode != 0:
            sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr.decode()[-2000:]}")
        peak = None
        if rss:
            for line in Path(tf.name).read_text().splitlines():
                if "Maximum resident set size" in line:
                    peak = int(line.split(":")[1])
    return done.stdout, wall, cpu, peak


def run_mufakat(binary, export_dir, warmup, repeat):
    cmd = [str(binary), "analyze", str(export_dir), "--json"]
    out, _, _, peak = timed_process(cmd, rss=True)
    for _ in range(warmup):
        timed_process(cmd)
    runs = [timed_process(cmd) for _ in range(repeat)]
    return json.loads(out)["analysis"], [r[1] for r in runs], [r[2] for r in runs], peak


ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_reddwarf(export_dir, labels_file, warmup, repeat):
    script = [sys.executable, str(HERE / "run_reddwarf.py"), str(export_dir)]
    # One fresh process, one run: end-to-end wall time and peak memory of a single analysis.
    once, once_wall, _, peak = timed_process(script, rss=True)
    timing = [*script, "--warmup", str(warmup), "--repeat", str(repeat)]
    many = timed_process([*timing, "--labels", labels_file, "--steps"])[0]
    # scikit-learn's k-means (OpenMP) and numpy (OpenBLAS) use every core by default;
    # mufakat runs on one thread, so red-dwarf is also timed on one.
    single = timed_process(timing, env={**os.environ, **ONE_THREAD})[0]
    return json.loads(once), once_wall, peak, json.loads(many), json.loads(single)


def sizes(groups):
    """Group sizes, largest first: '120+69'."""
    counts = {}
    for g in groups.values():
        counts[g] = counts.get(g, 0) + 1
    return "+".join(str(n) for n in sorted(counts.values(), reverse=True))


def position_gap(ours, theirs):
    """Largest |difference| per map axis between the two projections, after matching each
    axis's sign (PCA's sign is arbitrary): 'axis 1 / axis 2'."""
    ids = [i for i in ours if i in theirs]
    gaps = []
    for axis in range(2):
        dot = sum(ours[i][axis] * theirs[i][axis] for i in ids)
        sign = -1.0 if dot < 0 else 1.0
        gaps.append(max(abs(ours[i][axis] - sign * theirs[i][axis]) for i in ids))
    return f"{gaps[0]:.0e} / {gaps[1]:.0e}"


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
    """'n (p, q)': n statements in both top lists, p and q their lengths."""
    return f"{len(set(a) & set(b))} ({len(a)}, {len(b)})"


def fronted_note(theirs, mine):
    """Names the fronted best-agree statements when they differ. mufakat only lets a statement
    the group agrees with more than the rest (ratio > 1) become best-agree
    (`distinctive_best_agree`, ARCHITECTURE.md); Pol.is's scan, which red-dwarf follows, can
    hold a ratio <= 1 statement as best for a while, which changes what wins in the end."""
    fronted = [r for r in theirs if r["best_agree"]]
    if not fronted or (mine and mine[0] == fronted[0]["statement"]):
        return ""
    r = fronted[0]
    ours = mine[0] if mine else "none"
    return f" (fronted: red-dwarf {r['statement']} (ratio {r['ratio']:.2f}), mufakat {ours})"


def best_k(scores):
    """Pol.is's rule: the k with the best silhouette."""
    return max(sorted(scores), key=lambda k: scores[k])


def tolerant_k(scores, tolerance=0.05):
    """mufakat's rule (AnalysisParams::k_tolerance): smallest k within tolerance of the best."""
    top = max(scores.values())
    return min(k for k in scores if scores[k] >= top - tolerance)


def steps_row(steps, polis, common):
    """ARI against Pol.is (and k) for each rebuilt step (polis_steps.py)."""

    def cell(variant, k):
        labels = {int(p): g for p, g in steps[variant][str(k)]["labels"].items()}
        return f"{ari(labels, polis, common):.3f} (k {k})"

    sil = {v: {int(k): x["silhouette"] for k, x in steps[v].items()} for v in steps}
    polis_k = len(set(polis.values()))
    return {
        "silhouettes": " / ".join(f"{sil['sorted'][k]:.3f}" for k in sorted(sil["sorted"])),
        "cells": [
            cell("sorted", best_k(sil["sorted"])),
            cell("sorted", polis_k),
            cell("first_rows", best_k(sil["first_rows"])),
            cell("base", best_k(sil["base"])),
            cell("base", tolerant_k(sil["base"])),
        ],
    }


def ms(seconds):
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


def median_range(values):
    return f"{ms(statistics.median(values))} [{ms(min(values))}–{ms(max(values))}]"


def wall_cpu(walls, cpus):
    return f"{median_range(walls)}, CPU {ms(statistics.median(cpus))}"


def compare_one(export_dir, binary, warmup, repeat):
    ours, our_walls, our_cpu, our_peak = run_mufakat(binary, export_dir, warmup, repeat)
    our_groups = {p["id"]: p["group"] for p in ours["participants"] if p["group"] is not None}
    letters = {g["id"]: chr(ord("A") + i) for i, g in enumerate(ours["groups"])}
    with tempfile.NamedTemporaryFile("w", prefix="mufakat-ref-", suffix=".json") as lf:
        json.dump({str(k): v for k, v in our_groups.items()}, lf)
        lf.flush()
        rd_once, rd_once_wall, rd_peak, rd, rd1 = run_reddwarf(export_dir, lf.name, warmup, repeat)
    rd_groups = {int(k): v for k, v in rd["groups"].items()}
    polis = read_polis_groups(export_dir)
    common = sorted(set(our_groups) & set(rd_groups) & set(polis))

    match = majority_match(our_groups, rd_groups, common)
    rep_rows = []
    for g in ours["groups"]:
        mine = [r["statement"] for r in g["representative"]][:5]
        theirs_g, share = match.get(g["id"], (None, 0.0))
        theirs = [r["statement"] for r in rd["repness"].get(str(theirs_g), [])]
        same_g = rd["repness_on_labels"].get(str(g["id"]), [])
        same = [r["statement"] for r in same_g]
        mine_dir = [(r["statement"], r["direction"]) for r in g["representative"][:5]]

        def same_list(lists):
            return mine_dir == [(r["statement"], r["direction"]) for r in lists.get(str(g["id"]), [])]

        if same_list(rd["repness_on_labels"]):
            verdict = " identical"
        elif same_list(rd["repness_on_labels_distinctive"]):
            verdict = f"{fronted_note(same_g, mine)}, identical with distinctive_best_agree"
        else:
            verdict = fronted_note(same_g, mine)
        rep_rows.append(
            f"{letters[g['id']]} → rd{theirs_g} ({share:.0%}): own {overlap(mine, theirs)}, "
            f"same groups {overlap(mine, same)}{verdict}"
        )
    consensus = {}
    for d in ("agree", "disagree"):
        mine = [c["statement"] for c in ours["consensus"][d]][:5]
        same = " identical" if mine == rd["consensus"][d] else ""
        consensus[d] = overlap(mine, rd["consensus"][d]) + same
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
        "group sizes: Pol.is / red-dwarf / mufakat | ARI red-dwarf vs Pol.is | "
        "ARI mufakat vs Pol.is | ARI mufakat vs red-dwarf | map positions, largest "
        "difference mufakat vs red-dwarf (axis 1 / 2) |"
    )
    print("|---|---:|---|---:|---|---:|---:|---:|---:|")
    for r in rows:
        c, z, a = r["clustered"], r["sizes"], r["ari"]
        print(
            f"| {r['name']} | {r['votes']:,} | {c[0]} / {c[1]} / {c[2]} | {r['compared']} | "
            f"{z[0]} / {z[1]} / {z[2]} | {a[0]:.3f} | {a[1]:.3f} | {a[2]:.3f} | "
            f"{r['positions']} |"
        )
    print(
        f"\n### Time and memory (wall clock: median of {repeat} runs after {warmup} warm-up "
        "[min–max], then the median CPU time of those runs)\n"
    )
    print(
        "| conversation | red-dwarf `run_pipeline`, default threads | red-dwarf `run_pipeline`, "
        "1 thread | red-dwarf imports / CSV read | red-dwarf process, one run | "
        "red-dwarf peak RSS (after imports) | `mufakat analyze --json` process | "
        "mufakat peak RSS |"
    )
    print("|---|---|---|---|---:|---|---|---:|")
    for r in rows:
        print(
            f"| {r['name']} | {wall_cpu(r['rd_runs'], r['rd_cpu'])} | "
            f"{wall_cpu(r['rd1_runs'], r['rd1_cpu'])} | {ms(r['rd_import'])} / {ms(r['rd_load'])} | "
            f"{ms(r['rd_once'])} | {mib(r['rd_peak'])} ({mib(r['rd_rss_import'])}) | "
            f"{wall_cpu(r['our_runs'], r['our_cpu'])} | {mib(r['our_peak'])} |"
        )
    print("\n### Which step explains the difference (ARI against Pol.is, same participants)\n")
    print(
        "red-dwarf's projections and in-conv participants, clustered by polis_steps.py from "
        "red-dwarf's own PolisKMeans: (1) as shipped: start at the distinct points sorted "
        "by x, k by silhouette; (2) the same with Pol.is's k; (3) start at the first distinct "
        "points in participant order (Pol.is); (4) + 100 base clusters, weighted k-means on "
        "their centres (Pol.is); (5) + the smallest k within 0.05 of the best silhouette "
        "(mufakat's k_tolerance).\n"
    )
    print(
        "| conversation | red-dwarf silhouettes k = 2 / 3 / 4 / 5 | (1) as shipped | "
        "(2) k = Pol.is's | (3) first-points start | (4) + base clusters | "
        "(5) + k tolerance | mufakat |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        st = r["steps"]
        print(
            f"| {r['name']} | {st['silhouettes']} | {' | '.join(st['cells'])} | "
            f"{r['ari'][1]:.3f} (k {r['k'][2]}) |"
        )
    print("\n### Representative statements (top 5 per group) and consensus (top 5 each way)\n")
    print(
        "Groups matched by majority overlap (share of our group's members in the red-dwarf "
        "group). Cells: statements in both lists (length of mufakat's, of red-dwarf's). 'own': "
        "each system on its own groups; 'same groups': red-dwarf's repness selection run on "
        "mufakat's groups ('identical': same statements, order and directions; 'identical with "
        "distinctive_best_agree': once red-dwarf's best-agree test also requires ra > 1, "
        "mufakat's documented departure). Consensus "
        "is over all participants, so it does not depend on the groups.\n"
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
