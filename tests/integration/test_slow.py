"""Slow clients on the real daemon: 500 connections held open from
loopback, dribbling a request's headers a byte at a time (slowloris),
while a calendar client fetches feeds.  The client's p99 stays under
250 ms with no errors, the daemon's memory stays bounded, and the
attackers are dropped once the timeout passes."""
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
ATTACKERS = 500
TIMEOUT = 4


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class SlowClientTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("init")
        off = q.out("member", "add", "--name", "Olu Official", "--email",
                    "olu@napo.example", "--role", "official")
        tok = q.out("token", "issue", "--member", off, "--scope", "api")
        os.environ["QUORUM_TIMEOUT"] = str(TIMEOUT)
        try:
            q.serve()
        finally:
            del os.environ["QUORUM_TIMEOUT"]
        for i in range(50):
            q.api("POST", "/events", {
                "title": "Meeting %d" % i, "kind": "workshop",
                "start": "2027-06-%02dT10:00" % (i % 28 + 1),
                "end": "2027-06-%02dT11:00" % (i % 28 + 1),
                "audiences": ["all-members"]}, tok)
        self.port = int(q.base.rsplit(":", 1)[1])

    def tearDown(self):
        self.q.close()

    def test_slowloris(self):
        q = self.q
        rss0 = rss_mib(q.proc.pid)
        socks = []
        for _ in range(ATTACKERS):
            s = socket.create_connection(("127.0.0.1", self.port))
            s.sendall(b"GET /feeds/all-members.ics HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        stop = threading.Event()
        dropped = []

        def dribble():
            # a header byte per connection every half second, for ever
            while not stop.is_set():
                for s in list(socks):
                    try:
                        s.sendall(b"X")
                    except OSError:
                        socks.remove(s)
                        dropped.append(time.monotonic())
                stop.wait(0.5)
        t0 = time.monotonic()
        t = threading.Thread(target=dribble)
        t.start()
        lat, errors = [], []
        try:
            while time.monotonic() - t0 < TIMEOUT - 1:
                a = time.monotonic()
                st, _, body = q.http("GET", "/feeds/all-members.ics")
                lat.append((time.monotonic() - a) * 1000)
                if st != 200 or b"END:VCALENDAR" not in body:
                    errors.append(st)
            peak = rss_mib(q.proc.pid)
            # past the timeout, every attacker is gone
            deadline = t0 + TIMEOUT + 5
            while socks and time.monotonic() < deadline:
                time.sleep(0.2)
            left = len(socks)
        finally:
            stop.set()
            t.join()
            for s in socks:
                s.close()
        lat.sort()
        p99 = lat[int(len(lat) * 0.99) - 1] if lat else float("inf")
        print("slowloris: %d feed fetches, p99 %.1f ms, RSS %.1f -> %.1f "
              "MiB, %d of %d attackers dropped" % (
                  len(lat), p99, rss0, peak, len(dropped), ATTACKERS))
        self.assertEqual(errors, [])
        self.assertGreater(len(lat), 20)
        self.assertLess(p99, 250)
        # ASan keeps freed memory in a quarantine of up to 256 MiB
        self.assertLess(peak - rss0, 320 if q.sanitized else 64)
        self.assertEqual(left, 0, "attackers still connected")
        self.assertGreaterEqual(min(dropped) - t0, TIMEOUT - 1.5)
        # and the service answers afterwards
        self.assertEqual(q.http("GET", "/healthz")[0], 200)


if __name__ == "__main__":
    unittest.main()
