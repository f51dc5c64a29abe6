#!/usr/bin/python3
"""A fresh daemon under valgrind's helgrind takes a burst of 24
concurrent event creations across 8 time zones, a feed build, and
members' personal feeds (laid out over shared texts, plain and gzip)
asked for at once, and helgrind must report no data race or lock-order
problem.  What is
suppressed (tests/helgrind.supp) is each explained there.
Run: test_helgrind.py path/to/quorum"""
import os
import re
import shutil
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
SUPP = os.path.join(os.path.dirname(__file__), "..", "helgrind.supp")
ZONES = ["Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo",
         "Australia/Sydney", "Europe/Berlin", "America/Chicago",
         "Asia/Kolkata"]


def run(binary):
    """The burst under helgrind; returns (statuses, helgrind's log)."""
    q = Quorum(binary)
    log = os.path.join(q.dir, "helgrind.log")
    try:
        q.cli("init")
        off = q.out("member", "add", "--name", "Olu Official", "--email",
                    "olu@napo.example", "--role", "official")
        tok = q.out("token", "issue", "--member", off, "--scope", "api")
        feed_toks = []
        for i, aud in enumerate(("reps", "facilitators", "daso", "reps")):
            mid = q.out("member", "add", "--name", "Member %d" % i,
                        "--email", "m%d@napo.example" % i, "--audience",
                        aud)
            feed_toks.append(q.out("token", "issue", "--member", mid,
                                   "--scope", "feed").split()[-1])
        env = dict(os.environ, QUORUM_THREADS="4")
        q.proc = subprocess.Popen(
            ["valgrind", "--tool=helgrind", "--suppressions=" + SUPP,
             "--log-file=" + log, binary, "--db", q.db, "serve",
             "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env)
        q.log = open(os.devnull, "wb")
        line = q.proc.stdout.readline().decode()
        assert line.startswith("quorum: listening on "), line
        q.base = line.split()[-1].rstrip("/")
        statuses = [None] * 24

        def create(i):
            statuses[i], _ = q.api("POST", "/events", {
                "title": "Burst %d" % i, "kind": "workshop",
                "start": "2027-06-%02dT10:00" % (1 + i),
                "end": "2027-06-%02dT11:00" % (1 + i),
                "tz": ZONES[i % len(ZONES)], "audiences": ["all-members"],
                "rrule": "FREQ=WEEKLY;COUNT=3"}, token=tok)
        threads = [threading.Thread(target=create, args=(i,))
                   for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        feeds = [None] * 12

        def feed(i):
            if i < 4:
                feeds[i] = q.http("GET", "/feeds/all-members.ics")[0]
                return
            h = {"Accept-Encoding": "gzip"} if i % 2 else {}
            feeds[i] = q.http("GET", "/feeds/me.ics?token=" +
                              feed_toks[i % 4], headers=h)[0]
        threads = [threading.Thread(target=feed, args=(i,))
                   for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        q.proc.terminate()
        q.proc.wait(timeout=120)
        q.proc.stdout.close()
        q.proc = None
        if os.environ.get("QUORUM_HELGRIND_KEEP"):
            shutil.copy(log, os.environ["QUORUM_HELGRIND_KEEP"])
        with open(log) as f:
            return statuses + feeds, f.read()
    finally:
        q.close()


@unittest.skipUnless(shutil.which("valgrind"), "valgrind is not installed")
class BurstTest(unittest.TestCase):
    def test_burst_has_no_race(self):
        with open(BINARY, "rb") as f:
            if b"__asan_init" in f.read():
                self.skipTest("helgrind runs on the plain build")
        statuses, log = run(BINARY)
        self.assertEqual(statuses, [201] * 24 + [200] * 12)
        m = re.search(r"ERROR SUMMARY: (\d+) errors", log)
        self.assertIsNotNone(m, log[-2000:])
        reports = [b for b in log.split("\n==") if "Possible data race" in b
                   or "lock order" in b or "unlocked" in b]
        self.assertEqual(int(m.group(1)), 0,
                         "helgrind reported:\n" + "\n".join(
                             l for l in log.splitlines()
                             if "at 0x" in l or "by 0x" in l or
                             "Possible" in l or "order" in l)[:6000])
        self.assertEqual(reports, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
