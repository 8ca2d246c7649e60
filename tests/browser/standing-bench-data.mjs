// The synthetic conversation of the browser benchmarks (standing-bench.mjs, reload-bench.mjs),
// as scripts/load-viewers.sh writes it: a Python program that writes a Pol.is export of
// argv[2] votes (argv[2] / 50 participants x 300 statements, 40 voting at a time in random
// orders, two camps) into the directory argv[1], for `mufakat import`.
export const GENERATE = `
import random, sys
random.seed(7)
out, N = sys.argv[1], int(sys.argv[2])
S = 300; P = max(N // 50, 40)
with open(f'{out}/comments.csv', 'w') as f:
    f.write('timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\\n')
    for s in range(S):
        f.write(f'{1600000000000 + s},x,{s},0,0,0,1,"Statement {s} about the {["city", "park", "bus"][s % 3]} budget"\\n')
orders, votes, online, nextp, t = {}, [], list(range(40)), 40, 1600000000000
while len(votes) < N:
    k = random.randrange(len(online)); p = online[k]
    o = orders.setdefault(p, random.sample(range(S), S))
    if o and random.random() < 0.98:
        s = o.pop(); g = (p % 2) == (s % 2); r = random.randrange(10)
        v = (1 if g else -1) if r < 6 else (0 if r < 8 else (-1 if g else 1))
        t += 100
        votes.append((t, s, p, v))
    else:
        online[k] = nextp % P; nextp += 1
with open(f'{out}/votes.csv', 'w') as f:
    f.write('timestamp,datetime,comment-id,voter-id,vote\\n')
    for (t, s, p, v) in votes:
        f.write(f'{t},x,{s},{p},{v}\\n')
`;
