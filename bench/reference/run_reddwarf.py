"""Runs red-dwarf's Pol.is pipeline on one Pol.is export folder; prints one JSON object.

    python run_reddwarf.py <export-dir> [--warmup N] [--repeat N] [--labels groups.json] [--steps]

Times, in this process: the imports (numpy, pandas, scikit-learn, red-dwarf), reading the
CSV files into red-dwarf's vote dicts, and `reddwarf.implementations.polis.run_pipeline`
(PCA + k-means, red-dwarf's defaults) `--repeat` times after `--warmup` untimed runs.
With `--labels` (a JSON object participant id -> group, e.g. mufakat's groups) it also
runs red-dwarf's repness selection on those groups, so the statistics can be compared on
identical groups, as shipped and with mufakat's `distinctive_best_agree` rule patched in.
With `--steps` it adds polis_steps.rebuild's clusterings.
"""

import argparse
import json
import sys
import time

T_START = time.perf_counter()

import numpy  # noqa: E402  (timed as part of the imports)
import pandas  # noqa: E402
# red-dwarf imports PCA lazily, inside its first run: count it as an import.
import sklearn.decomposition  # noqa: E402,F401
from reddwarf.implementations.polis import run_pipeline  # noqa: E402
import reddwarf.utils.stats as rd_stats  # noqa: E402
from reddwarf.utils.stats import (  # noqa: E402
    calculate_comment_statistics_dataframes,
    select_representative_statements,
)

T_IMPORTED = time.perf_counter()

from polis_export import read_excluded_statements, read_votes  # noqa: E402
from polis_steps import rebuild  # noqa: E402

# run_pipeline's defaults, spelled out: Pol.is's 7-vote rule, k = 2..5 by silhouette,
# 5 statements per group and direction, 90% one-sided tests.
PIPELINE_ARGS = dict(min_user_vote_threshold=7, max_group_count=5, pick_max=5, confidence=0.9)
# Fixes the seed of scikit-learn's randomized SVD, which PCA(svd_solver="auto") picks when
# the matrix has over 500 rows or columns (here austria and scoop); red-dwarf's "polis" k-means
# start is deterministic anyway.
RANDOM_STATE = 0


def peak_rss_kib():
    """This process's peak resident set size so far (VmHWM), in KiB."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def versions():
    from importlib.metadata import version

    names = ["red-dwarf", "numpy", "scikit-learn", "pandas", "scipy"]
    out = {n: version(n) for n in names}
    out["python"] = sys.version.split()[0]
    return out


def repness_lists(repness):
    """red-dwarf's repness {group: [stats]} as {group: [{statement, direction, best_agree,
    ratio}]}; `ratio` is the repness ratio (ra or rd), `best_agree` marks the fronted one."""
    return {
        str(int(gid)): [
            {
                "statement": int(s["tid"]),
                "direction": s["repful-for"],
                "best_agree": bool(s.get("best-agree", False)),
                "ratio": float(s["repness"]),
            }
            for s in picked
        ]
        for gid, picked in repness.items()
    }


def distinctive_best_agree():
    """Patches red-dwarf's best-agree test with mufakat's `distinctive_best_agree` rule: a
    statement can become a group's best-agree only if ra > 1. Returns the undo function."""
    original = rd_stats.beats_best_of_agrees

    def beats(this_row, best_row, confidence=0.90):
        return this_row["ra"] > 1.0 and original(this_row, best_row, confidence)

    rd_stats.beats_best_of_agrees = beats

    def undo():
        rd_stats.beats_best_of_agrees = original

    return undo


def repness_on_labels(result, labels, excluded):
    """red-dwarf's repness selection run on given groups (participant id -> group)."""
    raw = result.raw_vote_matrix
    ids = [pid for pid in raw.index if str(int(pid)) in labels]
    groups = numpy.array([labels[str(int(pid))] for pid in ids])
    stats, _ = calculate_comment_statistics_dataframes(
        vote_matrix=raw.loc[ids, :], cluster_labels=groups
    )
    picked = select_representative_statements(
        grouped_stats_df=stats,
        mod_out_statement_ids=excluded,
        pick_max=PIPELINE_ARGS["pick_max"],
        confidence=PIPELINE_ARGS["confidence"],
    )
    return repness_lists(picked)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("export_dir")
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--labels", help="JSON file: participant id -> group")
    parser.add_argument(
        "--steps", action="store_true", help="add polis_steps.rebuild's clusterings"
    )
    args = parser.parse_args()
    rss_after_import = peak_rss_kib()

    t0 = time.perf_counter()
    votes = read_votes(args.export_dir)
    excluded = read_excluded_statements(args.export_dir)
    load_s = time.perf_counter() - t0

    def run():
        return run_pipeline(
            votes=votes, mod_out_statement_ids=excluded, random_state=RANDOM_STATE, **PIPELINE_ARGS
        )

    for _ in range(args.warmup):
        run()
    wall, cpu = [], []
    result = None
    for _ in range(max(args.repeat, 1)):
        w, c = time.perf_counter(), time.process_time()
        result = run()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)

    clusters = result.participants_df["cluster_id"]
    groups = {str(int(pid)): int(g) for pid, g in clusters.items() if not pandas.isna(g)}
    out = {
        "versions": versions(),
        "import_s": T_IMPORTED - T_START,
        "load_s": load_s,
        "rss_after_import_kib": rss_after_import,
        "runs_s": wall,
        "cpu_s": cpu,
        "participants": int(len(result.raw_vote_matrix.index)),
        "positions": {
            str(int(pid)): [float(x), float(y)]
            for pid, x, y in result.participants_df[["x", "y"]].itertuples()
        },
        "groups": groups,
        "k": len(set(groups.values())),
        "repness": repness_lists(result.repness),
        "consensus": {
            d: [int(s["tid"]) for s in result.consensus[d]] for d in ("agree", "disagree")
        },
    }
    if args.labels:
        with open(args.labels, encoding="utf-8") as f:
            labels = json.load(f)
        out["repness_on_labels"] = repness_on_labels(result, labels, excluded)
        undo = distinctive_best_agree()
        try:
            out["repness_on_labels_distinctive"] = repness_on_labels(result, labels, excluded)
        finally:
            undo()
    if args.steps:
        out["steps"] = rebuild(result.participants_df)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
