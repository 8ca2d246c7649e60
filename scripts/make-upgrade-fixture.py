#!/usr/bin/env python3
"""Writes the store an older release of mufakat made, for the upgrade test
(server/tests/upgrade.rs): runs that release's `mufakat serve` on a new SQLite file, makes a
moderator and a conversation with seeds, questions and moderation through its HTTP API,
participants who join (one by xid), vote, change a vote, post a statement and answer,
then stops it with SIGTERM and writes the file (compacted) and what it holds as JSON.

  scripts/make-upgrade-fixture.py <old mufakat binary> <commit> <out dir>

Loopback only; the server is ours and stopped by its PID.
"""
import json, os, re, signal, sqlite3, subprocess, sys, tempfile, time, urllib.request

binary, commit, out = sys.argv[1], sys.argv[2], sys.argv[3]
PASSWORD = "upgrade fixture passphrase"
work = tempfile.mkdtemp()
db = os.path.join(work, "store.sqlite")
env = dict(os.environ, RUST_LOG="warn", MUFAKAT_ADMIN_PASSWORD=PASSWORD)
proc = subprocess.Popen([binary, "serve", "--addr", "127.0.0.1:0", "--database-url", f"sqlite://{db}",
                         "--dist", "/nonexistent", "--no-demo", "--rate-per-address", "0",
                         "--rate-per-participant", "0"], stdout=subprocess.PIPE, env=env, text=True)
base = None
for line in proc.stdout:
    m = re.search(r"open (http://[\d.:]+)", line)
    if m:
        base = m.group(1)
        break
assert base, "the old server did not start"

cookie = None
def call(method, path, body=None, token=None, admin=False):
    global cookie
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("x-participant-token", token)
    if admin:
        req.add_header("x-mufakat-csrf", "1")
        if cookie:
            req.add_header("cookie", cookie)
    with urllib.request.urlopen(req, timeout=10) as r:
        if admin and r.headers.get("set-cookie"):
            cookie = r.headers["set-cookie"].split(";")[0]
        text = r.read().decode()
        return json.loads(text) if text else None

try:
    call("POST", "/api/v1/admin/login", {"username": "admin", "password": PASSWORD}, admin=True)
    call("POST", "/api/v1/admin/conversations", {
        "id": "taman-kota", "title": "Taman kota kita", "description": "Apa yang kita mau dari taman?",
        "language": "id", "allow_statements": True, "strict_moderation": True,
        "questions": [{"key": "rw", "label": "RW", "options": ["01", "02", "03"]}],
        "seeds": ["Taman buka sampai jam sepuluh malam.", "Ada lampu di jalur pejalan kaki.",
                  "Anjing boleh masuk taman.", "Parkir motor dipindah ke luar taman.",
                  "Ada pojok baca untuk anak."],
    }, admin=True)
    people = []
    for i in range(12):
        body = {"xid": "warga-007"} if i == 0 else {}
        j = call("POST", "/api/v1/conversations/taman-kota/participants", body)
        people.append({"participant": j["participant"], "token": j["token"], "xid": body.get("xid")})
    votes = {}
    for n, p in enumerate(people):
        for s in range(5):
            v = ["agree", "disagree", "pass"][(n * 7 + s * 3) % 3]
            if (n + s) % 4 == 3:
                continue
            call("POST", "/api/v1/conversations/taman-kota/votes", {"statement": s, "vote": v}, token=p["token"])
            votes[f"{p['participant']}:{s}"] = {"agree": 1, "disagree": -1, "pass": 0}[v]
    # A changed vote: the history keeps both, the current vote is the later.
    p = people[1]
    call("POST", "/api/v1/conversations/taman-kota/votes", {"statement": 0, "vote": "agree"}, token=p["token"])
    votes[f"{p['participant']}:0"] = 1
    posted = call("POST", "/api/v1/conversations/taman-kota/statements",
                  {"text": "Sediakan tempat sampah terpilah."}, token=people[2]["token"])
    call("POST", "/api/v1/admin/conversations/taman-kota/moderation",
         {"statements": [posted["statement"]["id"]], "decision": "accept"}, admin=True)
    rejected = call("POST", "/api/v1/conversations/taman-kota/statements",
                    {"text": "Tutup saja tamannya."}, token=people[3]["token"])
    call("POST", "/api/v1/admin/conversations/taman-kota/moderation",
         {"statements": [rejected["statement"]["id"]], "decision": "reject", "reason": "off topic"}, admin=True)
    call("POST", "/api/v1/conversations/taman-kota/answers", {"rw": "02"}, token=people[4]["token"])
    call("POST", "/api/v1/admin/conversations/taman-kota/close", {}, admin=True)
    call("POST", "/api/v1/admin/conversations/taman-kota/reopen", {}, admin=True)
finally:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)

history = sqlite3.connect(db).execute("SELECT COUNT(*) FROM vote_history").fetchone()[0]
os.makedirs(out, exist_ok=True)
target = os.path.join(out, f"store-{commit}.sqlite")
if os.path.exists(target):
    os.remove(target)
con = sqlite3.connect(db)
con.execute("VACUUM INTO ?", (target,))
con.close()
manifest = {
    "commit": commit, "admin_password": PASSWORD, "conversation": "taman-kota",
    "participants": people, "votes": votes, "history": history,
    "statements": {"accepted_by_participant": posted["statement"]["id"], "rejected": rejected["statement"]["id"]},
    "answers": {str(people[4]["participant"]): {"rw": "02"}},
}
with open(os.path.join(out, f"store-{commit}.json"), "w") as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"wrote {target} ({os.path.getsize(target)} bytes), {len(votes)} votes, {history} in the history")
