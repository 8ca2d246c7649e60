"""red-dwarf's test fixtures (tests/fixtures/<name>/: the Pol.is API's votes.json,
comments.json and math-pca2.json) written as a Pol.is export folder (comments.csv,
votes.csv, participants-votes.csv with Pol.is's own group-id), so `mufakat analyze`
and core's tests read them like the open data.

    python3 fixtures_to_csv.py <red-dwarf checkout>/tests/fixtures <out dir>

The fixtures' votes already use the export's sign (agree = +1: each comment's
agree_count equals its +1 votes); older fixtures name fields tid/pid/mod, newer ones
statement_id/participant_id/moderated.
Group ids come from math-pca2.json: group-clusters name base clusters, base-clusters
name participants. math-pca2.json is copied beside the CSV files (`mufakat analyze`
warm-starts from it and compares itself with it, core/tests/polis_math.rs). Nothing is copied into this repository: the fixtures stay red-dwarf's
(MPL-2.0), made from Pol.is conversations.
"""
import csv
import json
import os
import shutil
import sys


def millis(x):
    """A time as milliseconds since 1970: numbers as they are, ISO 8601 strings parsed."""
    try:
        return int(float(x))
    except ValueError:
        from datetime import datetime
        return int(datetime.fromisoformat(str(x).replace("Z", "+00:00")).timestamp() * 1000)


RENAME = {"statement_id": "tid", "participant_id": "pid", "moderated": "mod"}


def load(path):
    return [{RENAME.get(k, k): v for k, v in row.items()} for row in json.load(open(path))]


def convert(src, dst):
    votes = load(os.path.join(src, "votes.json"))
    comments = load(os.path.join(src, "comments.json"))
    math = json.load(open(os.path.join(src, "math-pca2.json")))
    meta = set(math.get("meta-tids") or [])
    base = math["base-clusters"]
    pids_of_base = dict(zip(base["id"], base["members"]))
    group_of = {}
    for g in math["group-clusters"]:
        for b in g["members"]:
            for p in pids_of_base[b]:
                group_of[p] = g["id"]
    os.makedirs(dst, exist_ok=True)
    with open(os.path.join(dst, "comments.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
                    "moderated", "is-meta", "comment-body"])
        for c in comments:
            w.writerow([millis(c["created"]), "", c["tid"], c["pid"], c.get("agree_count", 0),
                        c.get("disagree_count", 0), c["mod"],
                        "true" if (c.get("is_meta") or c["tid"] in meta) else "false", c["txt"]])
    votes.sort(key=lambda v: (millis(v["modified"]), v["pid"], v["tid"]))
    with open(os.path.join(dst, "votes.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
        for v in votes:
            w.writerow([millis(v["modified"]), "", v["tid"], v["pid"], int(v["vote"])])
    tids = sorted({c["tid"] for c in comments} | {v["tid"] for v in votes})
    latest = {}
    for v in votes:
        latest[(v["pid"], v["tid"])] = int(v["vote"])
    pids = sorted({v["pid"] for v in votes})
    with open(os.path.join(dst, "participants-votes.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
                   + [str(t) for t in tids])
        for p in pids:
            row = [latest.get((p, t), "") for t in tids]
            vals = [x for x in row if x != ""]
            w.writerow([p, group_of.get(p, ""), sum(1 for c in comments if c["pid"] == p), len(vals),
                        sum(1 for x in vals if x == 1), sum(1 for x in vals if x == -1)] + row)
    # Pol.is's own math beside the CSVs: `mufakat analyze` warm-starts from it and compares.
    shutil.copyfile(os.path.join(src, "math-pca2.json"), os.path.join(dst, "math-pca2.json"))


if __name__ == "__main__":
    root, out = sys.argv[1], sys.argv[2]
    for name in sorted(os.listdir(root)):
        if os.path.exists(os.path.join(root, name, "math-pca2.json")):
            convert(os.path.join(root, name), os.path.join(out, name))
            print(name)
