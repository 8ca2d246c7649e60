"""What the comparison computes from the two systems' outputs: ARI, group sizes, map-position
gaps, group matching, top-5 overlaps and the k rules."""

from sklearn.metrics import adjusted_rand_score


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


def repness_rows(ours, rd, our_groups, rd_groups, common):
    """One text per mufakat group: matched red-dwarf group, top-5 overlap on each system's own
    groups and with red-dwarf's selection run on ours (see run_reddwarf.py)."""
    letters = {g["id"]: chr(ord("A") + i) for i, g in enumerate(ours["groups"])}
    match = majority_match(our_groups, rd_groups, common)
    rows = []
    for g in ours["groups"]:
        mine = [r["statement"] for r in g["representative"]][:5]
        mine_dir = [(r["statement"], r["direction"]) for r in g["representative"][:5]]
        theirs_g, share = match.get(g["id"], (None, 0.0))
        theirs = [r["statement"] for r in rd["repness"].get(str(theirs_g), [])]
        same_g = rd["repness_on_labels"].get(str(g["id"]), [])

        def same_list(lists, gid=g["id"]):
            return mine_dir == [(r["statement"], r["direction"]) for r in lists.get(str(gid), [])]

        if same_list(rd["repness_on_labels"]):
            verdict = " identical"
        elif same_list(rd["repness_on_labels_distinctive"]):
            verdict = f"{fronted_note(same_g, mine)}, identical with distinctive_best_agree"
        else:
            verdict = fronted_note(same_g, mine)
        same = [r["statement"] for r in same_g]
        rows.append(
            f"{letters[g['id']]} → rd{theirs_g} ({share:.0%}): own {overlap(mine, theirs)}, "
            f"same groups {overlap(mine, same)}{verdict}"
        )
    return rows


def consensus_cells(ours, rd):
    """Top-5 consensus overlap each way; consensus uses all participants, not the groups."""
    cells = {}
    for d in ("agree", "disagree"):
        mine = [c["statement"] for c in ours["consensus"][d]][:5]
        same = " identical" if mine == rd["consensus"][d] else ""
        cells[d] = overlap(mine, rd["consensus"][d]) + same
    return cells
