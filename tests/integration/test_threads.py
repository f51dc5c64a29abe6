#!/usr/bin/python3
"""The daemon's serving threads share libical's time zones, jansson and
quorum's own counters.  Many fresh daemons, each taking 64 concurrent
first requests across 20 zones (and years past 2035, where libical
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

ZONES = ["Europe/London", "Europe/Paris", "Europe/Dublin", "Europe/Lisbon",
         "Europe/Berlin", "Europe/Madrid", "Europe/Warsaw", "Europe/Athens",
         "Europe/Helsinki", "Europe/Moscow", "America/New_York",
         "America/Chicago", "America/Denver", "America/Los_Angeles",
         "America/Sao_Paulo", "Asia/Kolkata", "Asia/Tokyo",
         "Australia/Sydney", "Pacific/Auckland", "Africa/Johannesburg"]
DAEMONS = int(os.environ.get("QUORUM_STRESS_DAEMONS", "60"))
os.environ.setdefault("QUORUM_THREADS", "16")
BURST = 64


def request(base, method, path, token=None, body=None):
    """Raw bytes of one request: sent but for its last byte, so that a
    whole burst reaches the daemon at the same moment."""
    data = json.dumps(body).encode() if body is not None else b""
    head = "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n" % (
        method, path, base.split("//")[1])
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
                    zone = ZONES[(i + d) % len(ZONES)]
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
