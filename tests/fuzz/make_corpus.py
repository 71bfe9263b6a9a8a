#!/usr/bin/python3
"""Make the fuzzers' seed corpus and dictionary from real frames.

    PYTHONPATH=BUILD/tests/pyproto tests/fuzz/make_corpus.py

(BUILD/tests/pyproto holds the Python protobuf modules the integration tests
use; `cmake --build BUILD --target pyproto` makes them.) It rewrites

    tests/fuzz/corpus/frame/*     byte streams of real frames, with split points
    tests/fuzz/corpus/dispatch/*  one session per request type and role, with
                                  canned database answers
    tests/fuzz/dispatch.dict      column names, JSON keys and enum words the
                                  server reads (grepped from server/)

The request types are those of server/dispatch.c's table, so a new message
gets seeds without editing this file. Frames are filled from their protobuf
descriptors with plausible values (UUID op ids, periods, dates). The input
layout is the one documented at the top of fuzz_frame.c and fuzz_dispatch.c.
Output is deterministic: re-running on unchanged sources changes nothing.
"""

import os
import random
import re
import struct
import sys
import uuid

from google.protobuf import descriptor

import frame_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))

T_FRAME, T_RAW, T_ANSWER, T_RUN, T_CLOSE = range(5)
ROLES = {"new": 0, "admin": 1, "director": 2, "manager": 3, "rep": 4,
         "hello": 5}
# Index in fuzz_dispatch.c's error_codes[].
ERR = {"unavailable": 0, "invalid": 1, "unauth": 2, "denied": 3,
       "notfound": 4, "conflict": 5, "exhausted": 6, "internal": 7,
       "busy": 8}

rng = random.Random(7420)


def det_uuid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# --- frames ------------------------------------------------------------------

def request_fields():
    """Frame body field names that dispatch.c has a handler for."""
    with open(os.path.join(SRC, "server", "dispatch.c")) as f:
        names = re.findall(r"\[BODY\(([A-Z0-9_]+)\)\]", f.read())
    fields = {f.name for f in frame_pb2.Frame.DESCRIPTOR.fields}
    out = [n.lower() for n in names if n.lower() in fields]
    missing = [n for n in names if n.lower() not in fields]
    if missing:
        sys.exit("dispatch.c names no Frame field: %s (are the Python "
                 "modules in PYTHONPATH older than proto/?)" % missing)
    return out


def string_value(name):
    if "op_id" in name:
        return det_uuid()
    if name == "period":
        return "2026-11"
    if name.endswith("_on") or name in ("date", "from", "to", "day"):
        return "2026-11-27"
    if name in ("user", "login", "owner", "manager"):
        return "r1"
    if name == "password":
        return "pw"
    if name == "token":
        return "A" * 43
    if name in ("key",):
        return "stale_days"
    if name in ("value",):
        return "15"
    if name == "fields":
        return "name"
    return "x"


def fill(msg, depth=0):
    """Give every field of msg a plausible value (one element of each
    repeated field, nested messages to depth 3)."""
    for fd in msg.DESCRIPTOR.fields:
        repeated = fd.label == descriptor.FieldDescriptor.LABEL_REPEATED
        if fd.type == descriptor.FieldDescriptor.TYPE_MESSAGE:
            if depth >= 3 or fd.message_type.GetOptions().map_entry:
                continue
            sub = getattr(msg, fd.name).add() if repeated else \
                getattr(msg, fd.name)
            fill(sub, depth + 1)
            if not repeated:
                getattr(msg, fd.name).SetInParent()
            continue
        if fd.type == descriptor.FieldDescriptor.TYPE_ENUM:
            vals = fd.enum_type.values
            v = vals[1].number if len(vals) > 1 else vals[0].number
        elif fd.type == descriptor.FieldDescriptor.TYPE_STRING:
            v = string_value(fd.name)
        elif fd.type == descriptor.FieldDescriptor.TYPE_BOOL:
            v = True
        elif fd.type == descriptor.FieldDescriptor.TYPE_BYTES:
            v = b"x"
        elif fd.type in (descriptor.FieldDescriptor.TYPE_DOUBLE,
                         descriptor.FieldDescriptor.TYPE_FLOAT):
            v = 1.0
        else:
            v = 1
            if fd.name in ("amount", "amount_due", "amount_received"):
                v = 100000
            elif fd.name in ("at", "now", "sent_at") or fd.name.endswith(
                    "_at"):
                v = 1795700000000000
            elif fd.name == "protocol_version":
                v = 1
            elif fd.name == "limit":
                v = 10
        if repeated:
            getattr(msg, fd.name).append(v)
        else:
            setattr(msg, fd.name, v)


def frame(kind, fid, filled=True, **fields):
    f = frame_pb2.Frame()
    f.id = fid
    sub = getattr(f, kind)
    sub.SetInParent()
    if filled:
        fill(sub)
    for k, v in fields.items():
        setattr(sub, k, v)
    return f.SerializeToString()


# --- dispatch inputs ---------------------------------------------------------

class Session:
    """One fuzz_dispatch input."""

    def __init__(self, role):
        self.out = bytearray([ROLES[role], 0])

    def send(self, body):
        self.out += bytes([T_FRAME]) + struct.pack(">H", len(body)) + body
        return self

    def run(self, seconds=0):
        self.out += bytes([T_RUN, seconds])
        return self

    def rows(self, rows, idx=0):
        """Answer pending job idx with rows (a list of dicts)."""
        cols = []
        for r in rows:
            for k in r:
                if k not in cols:
                    cols.append(k)
        self.out += bytes([T_ANSWER, idx, 0, len(rows), len(cols)])
        for c in cols:
            b = c.encode()
            self.out += bytes([len(b)]) + b
        for r in rows:
            for c in cols:
                v = r.get(c)
                if v is None:
                    self.out += b"\xff\xff"
                else:
                    b = str(v).encode()
                    self.out += struct.pack(">H", len(b)) + b
        return self

    def none(self, idx=0):
        self.out += bytes([T_ANSWER, idx, 1])
        return self

    def error(self, code, message="nope", field="", idx=0):
        m, f = message.encode(), field.encode()
        self.out += bytes([T_ANSWER, idx, 2, ERR[code], len(m)]) + m + \
            bytes([len(f)]) + f
        return self

    def close(self):
        self.out += bytes([T_CLOSE])
        return self


# A row with the columns most statements answer, and JSON shaped like the
# capture replies ("r") and KPI snapshots ("k").
JSON_R = ('{"id":"1","name":"Acme","owner":"r1","owner_id":"7","customer_id":'
          '"1","customer":"Acme","deal_id":"1","stage":"proposal","amount":'
          '"100000","at":"1795700000000000","created_at":"1795700000000000",'
          '"kind":"call","note":"n","region":"east","team":"A","status":"open"}')
JSON_K = ('{"scope_kind":"user","scope_id":"7","scope_name":"r1","period":'
          '"2026-11","actual":"1000","target":"5000","status":"green",'
          '"funnel":[],"mix":{},"pipeline":{"count":"1","amount":"5"}}')
ROW = {"id": 1, "user_id": 7, "org_id": 1, "team_id": 3, "role": "rep",
       "login": "r1", "name": "R One", "team": "A", "org": "Test",
       "currency": "CNY", "timezone": "Asia/Shanghai",
       "expires_at": 1795700000000000, "ok": 1, "n": 1, "r": JSON_R,
       "k": JSON_K, "kind": "user", "period": "2026-11", "seq": 1,
       "total": 1}


def login_prefix(s):
    """Hello + Login answered as a real login: lookup row with a hash of
    the password "pw" (the harness puts a real one there), the hash check
    on the thread pool, then session_create."""
    s.send(frame("hello", 1, filled=False, protocol_version=1,
                 client_name="fuzz"))
    s.send(frame("login", 2, filled=False, user="r1", password="pw"))
    s.rows([{"user_id": 7, "pw_hash": "1", "retry_after_ms": 0}])
    s.run()
    s.rows([ROW])
    return s


def dispatch_seeds(kinds):
    seeds = {}
    for kind in kinds:
        body = frame(kind, 9)
        for role in ("rep", "manager", "admin"):
            seeds["%s-%s-rows" % (kind, role)] = \
                Session(role).send(body).rows([ROW]).run().rows([ROW]).run()
        seeds["%s-director-none" % kind] = \
            Session("director").send(body).none().run().none()
        seeds["%s-rep-denied" % kind] = \
            Session("rep").send(body).error("denied", "not allowed",
                                            "scope")
        seeds["%s-rep-invalid" % kind] = \
            Session("rep").send(body).error("invalid", "bad", "name")
        seeds["%s-rep-unavailable" % kind] = \
            Session("rep").send(body).error("unavailable")
        seeds["%s-new" % kind] = Session("new").send(body)
        seeds["%s-login" % kind] = \
            login_prefix(Session("new")).send(body).rows([ROW]).run()
        seeds["%s-closed-mid-request" % kind] = \
            Session("manager").send(body).close().rows([ROW]).run()
    # Pipelined requests, answered out of order.
    s = Session("rep")
    for i, kind in enumerate(kinds[:12]):
        s.send(frame(kind, 100 + i))
    for i in range(12):
        s.rows([ROW, ROW], idx=(i * 5) % (12 - i) if i < 12 else 0).run()
    seeds["pipelined"] = s
    # A wrong protocol version, and handshake deadlines.
    seeds["bad-version"] = Session("new").send(
        frame("hello", 1, filled=False, protocol_version=99))
    seeds["handshake-deadline"] = Session("new").run(30)
    seeds["idle-deadline"] = Session("rep").run(255)
    return seeds


# --- frame-decoder inputs ----------------------------------------------------

def frame_seeds(kinds):
    def stream(bodies):
        return b"".join(struct.pack(">I", len(b)) + b for b in bodies)

    def inp(maxlen, splits, data):
        return (struct.pack(">I", maxlen)[1:] + bytes([len(splits)]) +
                b"".join(struct.pack(">H", s) for s in splits) + data)

    bodies = [frame(k, i + 1) for i, k in enumerate(kinds)]
    seeds = {
        "all-requests-one-piece": inp(4096, [], stream(bodies)),
        "all-requests-byte-by-byte": inp(4096, [0], stream(bodies[:8])),
        "all-requests-odd-splits": inp(1 << 20, [2, 6, 0, 300, 4, 1],
                                       stream(bodies)),
        "too-big": inp(64, [3], stream(bodies[:2]) +
                       struct.pack(">I", 1 << 30) + b"x" * 40),
        "zero-length": inp(4096, [1], stream(bodies[:1]) + b"\0\0\0\0"),
        "limit-exact": inp(100, [], stream([b"\x08\x01" + b"\0" * 98] * 3)),
        "truncated": inp(4096, [5], stream(bodies[:3])[:-7]),
    }
    return seeds


# --- the dictionary ------------------------------------------------------------

def dictionary():
    words = set()
    for root, _, files in os.walk(os.path.join(SRC, "server")):
        for fn in files:
            if not fn.endswith(".c"):
                continue
            with open(os.path.join(root, fn), errors="replace") as f:
                text = f.read()
            words |= set(re.findall(
                r'(?:db_(?:int|str|bool|isnull|json)|json_[a-z_]+|'
                r'cJSON_GetObjectItem[A-Za-z]*|PQfnumber)\([^,]+,\s*'
                r'(?:[^,]+,\s*)?"([a-z_0-9]+)"', text))
    words |= {"admin", "director", "manager", "rep", "user", "team",
              "office", "org", "true", "false", "t", "f", "null", "2026",
              "2026-11", "2026Q4", "2026-W48", "2026-11-27", "lead",
              "qualified", "proposal", "quote", "negotiation", "won",
              "lost", "call", "visit", "email", "meeting", "green",
              "yellow", "red"}
    lines = ['"%s"' % w for w in sorted(words)]
    return "# Generated by make_corpus.py: names the server reads.\n" + \
        "\n".join(lines) + "\n"


def write_dir(path, seeds):
    os.makedirs(path, exist_ok=True)
    for fn in os.listdir(path):
        os.unlink(os.path.join(path, fn))
    for name, data in sorted(seeds.items()):
        if isinstance(data, Session):
            data = bytes(data.out)
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)


def main():
    kinds = request_fields()
    write_dir(os.path.join(HERE, "corpus", "frame"), frame_seeds(kinds))
    write_dir(os.path.join(HERE, "corpus", "dispatch"), dispatch_seeds(kinds))
    with open(os.path.join(HERE, "dispatch.dict"), "w") as f:
        f.write(dictionary())
    n = sum(len(os.listdir(os.path.join(HERE, "corpus", d)))
            for d in ("frame", "dispatch"))
    print("%d request types, %d seed files" % (len(kinds), n))


if __name__ == "__main__":
    main()
