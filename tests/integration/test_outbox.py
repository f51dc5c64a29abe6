#!/usr/bin/python3
"""The mail outbox against a real SMTP server (python3-aiosmtpd): mail
waits while the server is down and goes once when it is back; a sender
killed between taking a message and sending it loses nothing and sends
nothing twice; failed messages are listed and retried; STARTTLS, when
required, is never skipped; erasing a member erases their mail.
Run: test_outbox.py path/to/quorum"""
import json
import mailbox
import os
import signal
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import MailSink, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"


class OutboxTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("init")
        self.stall = os.path.join(q.dir, "stall")
        self.sink = MailSink(q.dir, self.stall)
        self.maildir = self.sink.maildir
        self.env = {"QUORUM_SMTP": self.sink.url,
                    "QUORUM_MAIL_FROM": "quorum@napo.example",
                    "QUORUM_OUTBOX_INTERVAL": "1",
                    "QUORUM_OUTBOX_LEASE": "2"}
        self.saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        self.members = []
        for i in range(3):
            mid = q.out("member", "add", "--name", "Ruth Ødegård %d" % i,
                        "--email", "ruth%d@napo.example" % i)
            q.out("action", "add", "--title", "Chase %d" % i, "--owner",
                  mid, "--due", "2026-01-0%d" % (i + 1))
            self.members.append(mid)

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self.stop_sink()
        self.q.close()

    def start_sink(self):
        self.sink.start()

    def stop_sink(self):
        self.sink.stop()

    def delivered(self):
        if not os.path.exists(self.maildir):
            return []
        return [m["To"] for m in mailbox.Maildir(self.maildir, create=False)]

    def outbox(self, status=None):
        args = ["outbox", "list", "--json"]
        if status:
            args += ["--status", status]
        return json.loads(self.q.out(*args))["items"]

    def wait_for(self, what, seconds=20):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if what():
                return True
            time.sleep(0.1)
        return False

    def queue_digest(self):
        """Queue one digest message per member, without sending."""
        env = dict(os.environ)
        env.pop("QUORUM_SMTP")
        p = subprocess.run([BINARY, "--db", self.q.db, "action", "digest"],
                           capture_output=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_server_down_then_up_delivers_each_once(self):
        q = self.q
        r = self.queue_digest()
        self.assertEqual(len(r["queued"]), 3)
        q.serve()       # the daemon sends the outbox itself; no server yet
        self.assertTrue(self.wait_for(lambda: all(
            m["attempts"] >= 1 for m in self.outbox())))
        for m in self.outbox():
            self.assertEqual(m["status"], "queued")
            self.assertTrue(m["last_error"])
            self.assertIsNotNone(m["next_at"])
        self.assertEqual(self.delivered(), [])
        # the server comes up; the messages are due again after their pause
        self.start_sink()
        p = q.cli("outbox", "retry", *[str(m["id"]) for m in self.outbox()])
        self.assertIn(b"3 messages due again", p.stdout)
        self.assertTrue(self.wait_for(lambda: len(self.outbox("sent")) == 3))
        time.sleep(2.5)     # more runs of the sender change nothing
        got = sorted(self.delivered())
        self.assertEqual(len(got), 3, got)
        self.assertEqual(len(set(got)), 3)
        # names are encoded as RFC 2047 asks, and come back whole
        box = list(mailbox.Maildir(self.maildir, create=False))
        import email.header
        names = sorted(str(email.header.make_header(
            email.header.decode_header(m["To"]))) for m in box)
        self.assertEqual(names[0], "Ruth Ødegård 0 <ruth0@napo.example>")
        self.assertTrue(all(m["Message-ID"].startswith("<quorum.")
                            for m in box))
        self.assertEqual(q.cli("outbox", "send").stdout.strip(),
                         b"0 sent, 0 failed (to be tried again)")

    def test_killed_between_claim_and_send(self):
        q = self.q
        self.start_sink()
        open(self.stall, "w").close()       # the server hangs at RCPT
        self.queue_digest()
        q.serve()
        self.assertTrue(self.wait_for(lambda: any(
            m["status"] == "sending" for m in self.outbox())))
        q.proc.send_signal(signal.SIGKILL)
        q.proc.wait(timeout=10)
        q.proc.stdout.close()
        q.log.close()
        q.proc = None
        os.unlink(self.stall)               # the server is well again
        self.assertEqual(self.delivered(), [])
        taken = [m for m in self.outbox() if m["status"] == "sending"]
        self.assertEqual(len(taken), 1)
        q.serve()       # a new sender takes the stale claim after the lease
        self.assertTrue(self.wait_for(lambda: len(self.outbox("sent")) == 3,
                                      30))
        time.sleep(2.5)
        got = sorted(self.delivered())
        self.assertEqual(got, sorted(set(got)))
        self.assertEqual(len(got), 3)

    def test_cli_send_retry_and_give_up(self):
        q = self.q
        self.queue_digest()
        p = q.cli("outbox", "send", check=False)    # nothing listening
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"0 sent, 3 failed", p.stdout)
        # give one up, as after its last try
        con = sqlite3.connect(q.db)
        con.execute("UPDATE outbox SET status = 'failed' WHERE id = 1")
        con.commit()
        con.close()
        self.assertEqual([m["id"] for m in self.outbox("failed")], [1])
        text = q.out("outbox", "list")
        self.assertIn("failed", text)
        self.assertIn("last error", text)
        p = q.cli("outbox", "retry", "99", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"no queued or failed message 99", p.stderr)
        p = q.cli("outbox", "retry", check=False)
        self.assertEqual(p.returncode, 2)
        self.start_sink()
        self.assertIn(b"1 message due again", q.cli("outbox", "retry",
                                                     "--failed").stdout)
        q.cli("outbox", "retry", "2", "3")
        self.assertIn(b"3 sent, 0 failed", q.cli("outbox", "send").stdout)
        self.assertEqual(len(self.delivered()), 3)

    def test_starttls_required_is_never_skipped(self):
        q = self.q
        self.start_sink()                   # offers no STARTTLS
        self.queue_digest()
        env = dict(os.environ, QUORUM_SMTP_STARTTLS="1")
        p = subprocess.run([BINARY, "--db", q.db, "outbox", "send"],
                           capture_output=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.delivered(), [])
        self.assertTrue(all(m["status"] == "queued" and m["last_error"]
                            for m in self.outbox()))

    def test_erasure_takes_the_mail_too(self):
        q = self.q
        self.queue_digest()
        q.out("member", "erase", self.members[0])
        left = self.outbox()
        self.assertEqual(len(left), 2)
        self.assertNotIn("ruth0@napo.example",
                         [m["recipient"] for m in left])


if __name__ == "__main__":
    unittest.main(verbosity=2)
