"""Reads the parts of a Pol.is export folder the comparison needs.

Vote sign as in the export and everywhere in mufakat: agree = +1, disagree = -1, pass = 0.
A later vote by a participant on a statement replaces the earlier one (Pol.is's raw matrix;
red-dwarf's `Loader.filter_duplicate_votes(keep="recent")` does the same).
"""

import csv
from pathlib import Path


NEEDED = ("votes.csv", "comments.csv", "participants-votes.csv")


def conversation_dirs(data_dir):
    """(usable, skipped) sub-folders of `data_dir`, sorted by name: usable ones hold the export
    files the comparison reads; skipped ones are (folder, first missing file)."""
    usable, skipped = [], []
    for p in sorted(q for q in Path(data_dir).iterdir() if q.is_dir()):
        missing = [n for n in NEEDED if not (p / n).is_file()]
        if missing:
            skipped.append((p, missing[0]))
        else:
            usable.append(p)
    return usable, skipped


def read_votes(export_dir):
    """Latest vote per (participant, statement) as red-dwarf's vote dicts, in file order."""
    latest = {}
    with open(Path(export_dir) / "votes.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (int(row["voter-id"]), int(row["comment-id"]))
            ts = int(row["timestamp"])
            held = latest.get(key)
            if held is None or held["modified"] <= ts:
                latest[key] = {
                    "participant_id": key[0],
                    "statement_id": key[1],
                    "vote": int(row["vote"]),
                    "modified": ts,
                }
    return list(latest.values())


def read_excluded_statements(export_dir):
    """Statements Pol.is leaves out of the math: moderated out (-1) or meta."""
    out = []
    with open(Path(export_dir) / "comments.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            meta = (row.get("is-meta") or "").strip().lower() in ("true", "1")
            if int(row["moderated"]) == -1 or meta:
                out.append(int(row["comment-id"]))
    return sorted(out)


def read_polis_groups(export_dir):
    """Pol.is's own `group-id` per participant from participants-votes.csv (clustered only)."""
    groups = {}
    with open(Path(export_dir) / "participants-votes.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            gid = (row.get("group-id") or "").strip()
            if gid != "":
                groups[int(row["participant"])] = int(gid)
    return groups
