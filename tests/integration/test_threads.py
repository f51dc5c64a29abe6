#!/usr/bin/python3
"""The daemon's serving threads share libical's time zones, jansson and
quorum's own counters.  Many fresh daemons, each taking 64 concurrent
first requests across 64 zones (and years past 2035, where libical
rebuilds a zone's changes on every call): every request is answered,
the daemon stays up, and under AddressSanitizer its log stays clean.
Run: test_threads.py path/to/quorum"""
import json
import socket
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"

# libical 3.0 finds a zone by a sequential search of its table (in the
# order of zone.tab), comparing each zone's location string without a
# lock, while the first use of a zone frees and replaces that string:
# the use-after-free that crashed the daemon.  The burst loads 64
# zones at once, half from the head of the table (which every lookup
# passes over) and half from its tail.
with open("/usr/share/zoneinfo/zone.tab") as f:
    TAB = [line.split()[2] for line in f if not line.startswith("#")]
ZONES = TAB[:32] + TAB[-32:]
DAEMONS = int(os.environ.get("QUORUM_STRESS_DAEMONS", "60"))
os.environ.setdefault("QUORUM_THREADS", "16")
BURST = 64


def request(base, method, path, token=None, body=None, close=True):
    """Raw bytes of one request: sent but for its last byte, so that a
    whole burst reaches the daemon at the same moment."""
    data = json.dumps(body).encode() if body is not None else b""
    head = "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: %s\r\n" % (
        method, path, base.split("//")[1], "close" if close else
        "keep-alive")
    if token:
        head += "Authorization: Bearer %s\r\n" % token
    if body is not None:
        head += "Content-Type: application/json\r\n"
    head += "Content-Length: %d\r\n\r\n" % len(data)
    return head.encode() + data


def status_of(sock):
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        return str(e)
    finally:
        sock.close()
    line = data.split(b"\r\n", 1)[0].split()
    return int(line[1]) if len(line) > 1 else "no answer"


def read_one(sock):
    """One response on a kept-alive connection: its status."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return "closed"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(body) < length:
        body += sock.recv(65536)
    return int(head.split()[1])


class FirstBurstTest(unittest.TestCase):
    def test_fresh_daemons_take_a_burst_across_zones(self):
        for d in range(DAEMONS):
            q = Quorum(BINARY)
            try:
                q.cli("init")
                off = q.out("member", "add", "--name", "Olu Official",
                            "--email", "olu@napo.example", "--role",
                            "official")
                tok = q.out("token", "issue", "--member", off, "--scope",
                            "api")
                base = q.serve()
                host, port = base.split("//")[1].split(":")
                socks, wires = [], []
                for i in range(BURST):
                    zone = ZONES[(i * 33 + d) % len(ZONES)]
                    year = 2027 + (i * 7) % 30      # 2027 to 2056
                    if i % 8 == 7:
                        wire = request(base, "GET", "/feeds/all-members.ics")
                    else:
                        wire = request(base, "POST", "/api/v1/events", tok, {
                            "title": "Burst %d" % i, "kind": "workshop",
                            "start": "%d-06-%02dT10:00" % (year, 1 + i % 28),
                            "end": "%d-06-%02dT11:30" % (year, 1 + i % 28),
                            "tz": zone, "audiences": ["all-members"],
                            "rrule": "FREQ=WEEKLY;COUNT=%d" % (2 + i % 5)})
                    s = socket.create_connection((host, int(port)), 30)
                    # warm each serving thread up (its SQLite connection,
                    # the token) without libical, so that the burst's
                    # first calls into libical come all at once
                    s.sendall(request(base, "GET", "/api/v1/audiences",
                                      tok, close=False))
                    self.assertEqual(read_one(s), 200)
                    s.sendall(wire[:-1])
                    socks.append(s)
                    wires.append(wire)
                for s, wire in zip(socks, wires):
                    s.sendall(wire[-1:])
                results = [status_of(s) for s in socks]
                want = [200 if i % 8 == 7 else 201 for i in range(BURST)]
                self.assertEqual(results, want, "daemon %d" % d)
                self.assertIsNone(q.proc.poll(), "the daemon died")
                status, body = q.api("GET", "/events", token=tok)
                self.assertEqual(status, 200)
                self.assertEqual(len(body["items"]), BURST - BURST // 8)
            finally:
                q.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
