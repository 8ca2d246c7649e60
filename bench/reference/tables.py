"""The comparison's markdown tables (BENCHMARKS.md, "Side by side with the reference
implementation")."""

import os
import platform
import statistics

ATTRIBUTION = (
    "Data: Pol.is open data, gathered using the Polis software (compdemocracy.org/polis), "
    "CC BY 4.0 with Attribution to The Computational Democracy Project "
    "(full statement: ATTRIBUTION.md in the data folder, quoted in BENCHMARKS.md)."
)


def ms(seconds):
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


def median_range(values):
    return f"{ms(statistics.median(values))} [{ms(min(values))}–{ms(max(values))}]"


def wall_cpu(walls, cpus):
    return f"{median_range(walls)}, CPU {ms(statistics.median(cpus))}"


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
            f"{wall_cpu(r['rd1_runs'], r['rd1_cpu'])} | "
            f"{ms(r['rd_import'])} / {ms(r['rd_load'])} | "
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
