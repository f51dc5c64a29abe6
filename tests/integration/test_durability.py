"""Durability and contention on the real daemon and a real SQLite file:
SIGKILL at random moments under load loses no acknowledged write and
leaves no partial record; a full disk gets 503 for writes, never a false
success, and the service recovers when space returns; many concurrent
writers (and the CLI beside them) never see SQLITE_BUSY."""
import http.client
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
MEMBERS = 200


class Client:
    """One keep-alive connection, as a calendar client or a script."""

    def __init__(self, base, token):
        host, port = base.rsplit("/", 1)[1].split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.token = token

    def post(self, path, body):
        self.conn.request("POST", "/api/v1" + path, json.dumps(body), {
            "Authorization": "Bearer " + self.token,
            "Content-Type": "application/json"})
        r = self.conn.getresponse()
        return r.status, json.loads(r.read() or b"null")


def writer(base, token, tag, acked, stop):
    """Create events and check a member in at each, until stop or the
    connection dies; acked gets every write the daemon confirmed."""
    c = Client(base, token)
    i = 0
    try:
        while not stop.is_set():
            i += 1
            st, ev = c.post("/events", {
                "title": "%s-%d" % (tag, i), "kind": "workshop",
                "start": "2027-05-01T10:00", "end": "2027-05-01T11:00",
                "audiences": ["all-members"]})
            if st != 201:
                acked.append(("error", st, ev))
                return
            acked.append(("event", ev["id"], ev["title"]))
            number = "D-%d" % random.randint(1, MEMBERS)
            st, r = c.post("/events/%d/checkin" % ev["id"],
                           {"numbers": [number], "force": True})
            if st != 200:
                acked.append(("error", st, r))
                return
            acked.append(("checkin", ev["id"], number))
    except (OSError, http.client.HTTPException):
        pass        # killed: what was acknowledged is in acked


class DurabilityTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("init")
        off = q.out("member", "add", "--name", "Olu Official", "--email",
                    "olu@napo.example", "--role", "official")
        self.tok = q.out("token", "issue", "--member", off, "--scope", "api")
        csv = os.path.join(q.dir, "m.csv")
        with open(csv, "w") as f:
            f.write("name,email,number\n" + "".join(
                "Member %d,m%d@napo.example,D-%d\n" % (i, i, i)
                for i in range(1, MEMBERS + 1)))
        q.cli("member", "import", csv)

    def tearDown(self):
        self.q.close()

    def check_store(self, acked):
        """Every acknowledged write is there, whole; the file is sound."""
        con = sqlite3.connect(self.q.db)
        self.assertEqual(con.execute("PRAGMA integrity_check").fetchone(),
                         ("ok",))
        self.assertEqual(con.execute("PRAGMA foreign_key_check").fetchall(),
                         [])
        titles = dict(con.execute("SELECT id, title FROM events"))
        present = set(con.execute(
            "SELECT a.event, m.number FROM attendance a JOIN members m ON "
            "m.id = a.member WHERE a.status = 'present'"))
        # no event without its audience: a write is all or nothing
        self.assertEqual(con.execute(
            "SELECT count(*) FROM events WHERE id NOT IN (SELECT event "
            "FROM event_audiences)").fetchone(), (0,))
        con.close()
        for kind, a, b in acked:
            if kind == "event":
                self.assertEqual(titles.get(a), b)
            elif kind == "checkin":
                self.assertIn((a, b), present)

    def test_sigkill_loses_no_acknowledged_write(self):
        q = self.q
        total, rounds = 0, 0
        rnd = random.Random()
        while rounds < 4 or total < 1000:
            self.assertLess(rounds, 20, "too few writes acknowledged")
            rounds += 1
            base = q.serve()
            acked, stop = [], threading.Event()
            threads = [threading.Thread(target=writer, args=(
                base, self.tok, "r%d-w%d" % (rounds, n), acked, stop))
                for n in range(4)]
            for t in threads:
                t.start()
            time.sleep(rnd.uniform(0.3, 1.5))
            q.proc.send_signal(signal.SIGKILL)
            q.proc.wait(timeout=10)
            q.proc.stdout.close()
            q.log.close()
            q.proc = None
            for t in threads:
                t.join(timeout=30)
            errors = [a for a in acked if a[0] == "error"]
            self.assertEqual(errors, [])
            self.check_store(acked)
            total += len(acked)
        self.assertGreaterEqual(total, 1000)
        print("sigkill: %d acknowledged writes over %d kills, all present"
              % (total, rounds))
        # and the daemon starts and serves on the file afterwards
        q.serve()
        self.assertEqual(q.http("GET", "/healthz")[0], 200)
        st, evs = q.api("GET", "/events?limit=10000", token=self.tok)
        self.assertEqual(st, 200)

    def test_many_writers_never_see_busy(self):
        q = self.q
        base = q.serve()
        acked, stop = [], threading.Event()
        threads = [threading.Thread(target=writer, args=(
            base, self.tok, "w%d" % n, acked, stop)) for n in range(16)]
        for t in threads:
            t.start()
        # the CLI writes to the same file meanwhile
        cli_errors = []
        end = time.monotonic() + 3
        i = 0
        while time.monotonic() < end:
            i += 1
            p = q.cli("member", "add", "--name", "Cli %d" % i, "--email",
                      "cli%d@napo.example" % i, check=False)
            if p.returncode != 0:
                cli_errors.append(p.stderr.decode())
        stop.set()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual([a for a in acked if a[0] == "error"], [])
        self.assertEqual(cli_errors, [])
        self.assertGreater(len(acked), 100)
        print("contention: %d writes from 16 clients and %d CLI writes, "
              "no error" % (len(acked), i))
        self.check_store(acked)


class DiskFullTest(unittest.TestCase):
    """The database on a small tmpfs; a filler file takes the space."""

    def setUp(self):
        self.q = Quorum(BINARY)
        self.mnt = os.path.join(self.q.dir, "small")
        os.makedirs(self.mnt)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m",
                            "tmpfs", self.mnt], capture_output=True)
        if r.returncode != 0:
            self.skipTest("cannot mount a tmpfs here (needs root): " +
                          r.stderr.decode().strip())
        self.q.db = os.path.join(self.mnt, "quorum.db")
        self.q.cli("init")
        off = self.q.out("member", "add", "--name", "Olu Official",
                         "--email", "olu@napo.example", "--role", "official")
        self.tok = self.q.out("token", "issue", "--member", off, "--scope",
                              "api")

    def tearDown(self):
        try:
            self.q.close()
        finally:
            subprocess.run(["umount", "-l", self.mnt])

    def event(self, i):
        return {"title": "Full %d" % i, "kind": "workshop",
                "start": "2027-05-01T10:00", "end": "2027-05-01T11:00",
                "description": "y" * 9000, "audiences": ["all-members"]}

    def test_full_disk_gets_503_and_recovers(self):
        q = self.q
        q.serve()
        filler = os.path.join(self.mnt, "filler")
        # unbuffered: a buffered file would raise ENOSPC again on close
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
            except OSError:
                pass
        acked, refused = [], 0
        for i in range(200):
            st, ev = q.api("POST", "/events", self.event(i), self.tok)
            if st == 201:
                acked.append(ev["id"])
            else:
                self.assertEqual(st, 503, ev)
                self.assertEqual(ev["error"]["code"], "database")
                refused += 1
        self.assertGreater(refused, 0, "the disk never filled")
        print("full disk: %d writes refused with 503, %d acknowledged "
              "before the disk filled" % (refused, len(acked)))
        # reads still work on a full disk
        self.assertEqual(q.http("GET", "/healthz")[0], 200)
        self.assertEqual(q.http("GET", "/feeds/all-members.ics")[0], 200)
        # space returns: writes succeed again
        os.unlink(filler)
        st, ev = q.api("POST", "/events", self.event(999), self.tok)
        self.assertEqual(st, 201, ev)
        acked.append(ev["id"])
        q.proc.terminate()
        q.proc.wait(timeout=10)
        q.proc.stdout.close()
        q.log.close()
        q.proc = None
        con = sqlite3.connect(q.db)
        self.assertEqual(con.execute("PRAGMA integrity_check").fetchone(),
                         ("ok",))
        ids = {r[0] for r in con.execute("SELECT id FROM events")}
        con.close()
        self.assertEqual([i for i in acked if i not in ids], [])


if __name__ == "__main__":
    unittest.main()
