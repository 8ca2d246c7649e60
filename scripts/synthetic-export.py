#!/usr/bin/env python3
"""A synthetic Pol.is export for load tests: VOTES votes (default 100,000) by VOTES / 50
participants on 300 statements, 40 participants voting at a time, each in a random order of
the statements, 60 % of votes along two camps (participant and statement parity).
    scripts/synthetic-export.py <out dir> [votes]
Writes <out dir>/comments.csv and votes.csv, for `mufakat import`."""
import os
import random, sys
random.seed(7)
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
S, N = 300, int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
P = max(N // 50, 40)
with open(f'{out}/comments.csv', 'w') as f:
    f.write('timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n')
    for s in range(S):
        f.write(f'{1600000000000 + s},x,{s},0,0,0,1,"Statement {s} about the {["city", "park", "bus"][s % 3]} budget"\n')
orders, votes, online, nextp, t = {}, [], list(range(40)), 40, 1600000000000
while len(votes) < N:
    k = random.randrange(len(online)); p = online[k]
    o = orders.get(p)
    if o is None:  # (setdefault would shuffle anew at every vote: minutes at 1M votes)
        o = orders[p] = random.sample(range(S), S)
    if o and random.random() < 0.98:
        s = o.pop(); g = (p % 2) == (s % 2); r = random.randrange(10)
        v = (1 if g else -1) if r < 6 else (0 if r < 8 else (-1 if g else 1))
        t += 100
        votes.append((t, s, p, v))
    else:
        online[k] = nextp % P; nextp += 1
with open(f'{out}/votes.csv', 'w') as f:
    f.write('timestamp,datetime,comment-id,voter-id,vote\n')
    for (t, s, p, v) in votes:
        f.write(f'{t},x,{s},{p},{v}\n')
