#!/usr/bin/env python3
"""Deterministic synthetic web-request events -> OUT_DIR/events.jsonl (~500 MB) and
OUT_DIR/events.csv (~230 MB): the same N events in both.

JSON line: {"ts": ISO-8601 UTC with ms, "user": {"id": int, "name": str},
  "endpoint": one of 50, "status": int, "latency_ms": float, "bytes": int,
  "tags": [str, ...]}
~5% of lines miss 1-2 of the keys status, latency_ms, bytes, tags, user.
CSV: ts,user_id,user_name,endpoint,status,latency_ms,bytes,tags (tags joined by
';'; a missing key is an empty field; no field needs quoting).
usage: gen_events.py [N_LINES=2700000] [OUT_DIR]
"""
# Copied unchanged (but for this comment) from ../shared/bench/gen_events.py, the
# generator issue 13 measured with, so that `cargo bench --bench records` works on a
# fresh clone. It is deterministic (fixed seed): the same N gives the same files.
import datetime as dt
import json
import math
import os
import random
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2_700_000
OUT = sys.argv[2] if len(sys.argv) > 2 else "."
rng = random.Random(20261130)

RES = ["users", "orders", "items", "carts", "payments", "search", "reviews", "auth", "images", "reports"]
ACT = ["list", "get", "create", "update", "delete"]
ENDPOINTS = [f"/api/v2/{r}/{a}" for r in RES for a in ACT]          # 50
EP_BASE = {e: 5.0 + 3.0 * i for i, e in enumerate(ENDPOINTS)}        # per-endpoint latency scale
STATUS = [200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504]
SW = [600, 60, 30, 10, 10, 40, 30, 20, 10, 60, 5, 15, 30, 10, 15, 5]
SCUM = []
acc = 0
for w in SW:
    acc += w
    SCUM.append(acc)
FIRST = ["Ada", "Bob", "Chen", "Dana", "Émile", "Farah", "Gus", "Hana", "Ivan", "José",
         "Kai", "Lena", "Mia", "Noor", "Otto", "Priya", "Quinn", "Rui", "Sven", "Zoë"]
LAST = ["Smith", "Müller", "Tanaka", "Okafor", "Silva", "Nowak", "Kim", "Rossi", "Dubois", "Li"]
TAGS = ["mobile", "web", "beta", "cached", "retry", "internal", "eu", "us", "apac", "bot"]
OPTIONAL = ["status", "latency_ms", "bytes", "tags", "user"]
t0 = dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc)

rand = rng.random
jd = json.dumps
os.makedirs(OUT, exist_ok=True)
jpath, cpath = os.path.join(OUT, "events.jsonl"), os.path.join(OUT, "events.csv")
with open(jpath + ".tmp", "w", encoding="utf-8", newline="\n") as fj, \
        open(cpath + ".tmp", "w", encoding="utf-8", newline="\n") as fc:
    fc.write("ts,user_id,user_name,endpoint,status,latency_ms,bytes,tags\n")
    jbuf, cbuf = [], []
    ms = 0
    for i in range(N):
        ms += 1 + int(rand() * 20)
        ts = (t0 + dt.timedelta(milliseconds=ms)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        uid = int(100000 ** rand()) - 1                                  # log-uniform: skewed
        name = f"{FIRST[uid % 20]} {LAST[(uid // 20) % 10]}"
        ep = ENDPOINTS[int(rand() * 50)]
        r = rand() * acc
        st = STATUS[next(k for k, c in enumerate(SCUM) if r < c)]
        lat = round(EP_BASE[ep] * math.exp(rng.gauss(0.0, 0.6)), 3)
        nb = int(200 + rand() * 50000)
        tags = TAGS[int(rand() * 10):][: int(rand() * 4)]
        missing = ()
        if rand() < 0.05:
            missing = set(rng.sample(OPTIONAL, 1 + int(rand() * 2)))
        rec = {"ts": ts}
        if "user" not in missing:
            rec["user"] = {"id": uid, "name": name}
        rec["endpoint"] = ep
        if "status" not in missing:
            rec["status"] = st
        if "latency_ms" not in missing:
            rec["latency_ms"] = lat
        if "bytes" not in missing:
            rec["bytes"] = nb
        if "tags" not in missing:
            rec["tags"] = tags
        jbuf.append(jd(rec, ensure_ascii=False))
        u = "user" in missing
        cbuf.append(",".join((ts, "" if u else str(uid), "" if u else name, ep,
                              "" if "status" in missing else str(st),
                              "" if "latency_ms" in missing else repr(lat),
                              "" if "bytes" in missing else str(nb),
                              "" if "tags" in missing else ";".join(tags))))
        if len(jbuf) >= 10000:
            fj.write("\n".join(jbuf) + "\n")
            fc.write("\n".join(cbuf) + "\n")
            jbuf, cbuf = [], []
    if jbuf:
        fj.write("\n".join(jbuf) + "\n")
        fc.write("\n".join(cbuf) + "\n")
os.replace(jpath + ".tmp", jpath)
os.replace(cpath + ".tmp", cpath)
print(f"wrote {N} events: {jpath} ({os.path.getsize(jpath)/1e6:.1f} MB), {cpath} ({os.path.getsize(cpath)/1e6:.1f} MB)")
