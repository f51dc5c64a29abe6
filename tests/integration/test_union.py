#!/usr/bin/python3
"""What a union facing an employer needs.  The employer's clock: an
action waiting on the employer, promised for a past date, chases its
owner once (again only for a new promise); the next employer meeting's
agenda lists it with its age in days (in the officials' feed too); the
employer's feed lists what is owed only while it is on.  The quorum
forecast, with mail caught by aiosmtpd: the organiser is warned once,
at the configured days before, naming those who have not answered; the
meeting is recorded inquorate after it, and reconvened in one step with
its open actions.  Bad input changes nothing.
Run: test_union.py path/to/quorum"""
import datetime as dt
import email
import email.policy
import json
import mailbox
import os
import re
import sqlite3
import sys
import time
import unittest

import icalendar

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, MailSink, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"


def outbox(q):
    db = sqlite3.connect(q.db)
    rows = db.execute("SELECT recipient, subject, body, kind FROM outbox "
                      "ORDER BY id").fetchall()
    db.close()
    return rows


class ClockTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("init")
        self.o = q.out("member", "add", "--name", "Tania Official",
                       "--email", "tania@napo.example", "--role",
                       "official", "--audience", "officials").strip()
        self.ev = json.loads(q.out(
            "event", "add", "--title", "JNCC", "--kind", "employer_meeting",
            "--audience", "officials", "--start", "2027-02-02T10:00",
            "--end", "2027-02-02T12:00"))["id"]
        self.act = json.loads(q.out(
            "action", "add", "--title", "Stress survey results", "--owner",
            self.o, "--waiting-on", "employer", "--asked", "2026-11-01",
            "--promised", "2026-11-20"))["id"]
        q.out("action", "add", "--title", "Book the room", "--owner", self.o,
              "--due", "2030-01-01")

    def tearDown(self):
        self.q.close()

    def test_chased_once_per_promise(self):
        self.q.cli("action", "digest")
        mails = outbox(self.q)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails[0][0], "tania@napo.example")
        self.assertIn("Stress survey results", mails[0][2])
        self.assertIn("asked for 2026-11-01; promised by 2026-11-20", mails[0][2])
        self.assertIn("no answer yet: chase them", mails[0][2])
        self.assertNotIn("Book the room", mails[0][2])
        # again: not chased twice for one promise
        self.q.cli("action", "digest")
        self.assertEqual(len(outbox(self.q)), 1)
        act = json.loads(self.q.out("action", "show", str(self.act)))
        self.assertEqual((act["asked"], act["promised"]),
                         ("2026-11-01", "2026-11-20"))
        self.assertGreater(act["days_late"], 0)
        # a new promise, passed too: chased again, once
        self.q.cli("action", "update", str(self.act), "--promised",
                   "2026-11-25")
        self.q.cli("action", "digest")
        self.q.cli("action", "digest")
        mails = outbox(self.q)
        self.assertEqual(len(mails), 2)
        self.assertIn("promised by 2026-11-25", mails[1][2])
        # bad input: refused, nothing changed
        for args, words in [(["--promised", "2026-10-01"], "before it was "
                              "asked"),
                             (["--asked", "soon"], "asked")]:
            p = self.q.cli("action", "update", str(self.act), *args,
                           check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(words, p.stderr.decode())
        self.assertEqual(json.loads(self.q.out(
            "action", "show", str(self.act)))["promised"], "2026-11-25")

    def test_agenda_and_officials_feed(self):
        ag = json.loads(self.q.out("agenda", str(self.ev)))
        self.assertEqual(len(ag["employer_clock"]), 1)
        self.assertEqual(ag["employer_clock"][0]["text"],
                         "Stress survey results: requested 1 Nov 2026: 93 "
                         "days, no response; promised by 20 Nov 2026")
        self.assertEqual(ag["employer_clock"][0]["days"], 93)
        # not on a meeting of another kind
        other = json.loads(self.q.out(
            "event", "add", "--title", "Branch", "--kind", "member_briefing",
            "--audience", "officials", "--start", "2027-02-03T10:00",
            "--end", "2027-02-03T11:00"))["id"]
        self.assertEqual(json.loads(self.q.out("agenda", str(other)))[
            "employer_clock"], [])
        self.q.serve()
        feed = self.q.out("token", "issue", "--member", self.o, "--scope",
                          "feed").split()[-1]
        st, _, body = self.q.http("GET", "/feeds/officials.ics?token=" +
                                  feed)
        cal = icalendar.Calendar.from_ical(body)
        jncc = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) ==
                "JNCC"][0]
        self.assertIn("Waiting on the employer:\n- Stress survey results: "
                      "requested 1 Nov 2026: 93 days", str(jncc["DESCRIPTION"]))

    def test_employer_feed_only_when_on(self):
        self.q.serve()
        self.assertEqual(self.q.http("GET", "/feeds/employer/x.ics")[0], 404)
        url = self.q.out("--base-url", self.q.base, "employer-feed",
                         "on").splitlines()[-1]
        path = url[len(self.q.base):]
        st, h, body = self.q.http("GET", path)
        self.assertEqual(st, 200)
        self.assertIn("private", h["Cache-Control"])
        cal = icalendar.Calendar.from_ical(body)
        todos = cal.walk("VTODO")
        self.assertEqual([str(t["SUMMARY"]) for t in todos],
                         ["Stress survey results"])
        self.assertEqual(todos[0]["DUE"].dt.isoformat()[:10], "2026-11-20")
        self.assertNotIn(b"Book the room", body)
        self.assertNotIn(b"Tania", body)
        # a new link stops the old; off stops it
        url2 = self.q.out("--base-url", self.q.base, "employer-feed",
                          "on").splitlines()[-1]
        self.assertEqual(self.q.http("GET", path)[0], 404)
        self.assertEqual(self.q.http("GET", url2[len(self.q.base):])[0], 200)
        self.q.out("employer-feed", "off")
        self.assertEqual(self.q.http("GET", url2[len(self.q.base):])[0], 404)
        p = self.q.cli("employer-feed", "maybe", check=False)
        self.assertEqual(p.returncode, 2)


class ForecastTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        self.sink = MailSink(q.dir).start()
        q.cli("init")
        self.o = q.out("member", "add", "--name", "Tania Official",
                       "--email", "tania@napo.example", "--role",
                       "official", "--audience", "officials").strip()
        self.reps = [q.out("member", "add", "--name", n, "--email",
                           n.split()[0].lower() + "@napo.example",
                           "--role", "rep", "--audience", "reps").strip()
                     for n in ("Sam Okafor", "Priya Shah", "Joe Marsh",
                               "Amina Yusuf")]
        start = dt.datetime(2027, 3, 10, 18, 0)
        self.start = start
        self.ev = json.loads(q.out(
            "event", "add", "--title", "Reps' committee", "--kind", "other",
            "--audience", "reps", "--start", start.isoformat()[:16],
            "--end", (start + dt.timedelta(hours=2)).isoformat()[:16],
            "--quorum", "3", "--organizer", "tania@napo.example"))["id"]
        q.cli("attend", str(self.ev), self.reps[0], "--rsvp", "accepted")
        q.cli("attend", str(self.ev), self.reps[1], "--rsvp", "declined")
        self.open_act = json.loads(q.out(
            "action", "add", "--title", "Write to the chief officer",
            "--event", str(self.ev), "--owner", self.o))["id"]
        done = json.loads(q.out("action", "add", "--title", "Done thing",
                                "--event", str(self.ev), "--owner", self.o))
        q.cli("action", "done", str(done["id"]))

    def tearDown(self):
        self.sink.stop()
        self.q.close()

    def remind(self, at):
        return self.q.out("remind", "--now", at.strftime(
            "%Y-%m-%dT%H:%M:%S"))

    def mails(self):
        box = mailbox.Maildir(self.sink.maildir, create=True)
        return [email.message_from_bytes(m.as_bytes(),
                                         policy=email.policy.default)
                for m in box]

    def test_warned_once_then_recorded_and_reconvened(self):
        # 8 days before: outside the 7 days, no warning
        self.remind(self.start - dt.timedelta(days=8))
        self.assertEqual([m for m in outbox(self.q) if m[3] == "forecast"],
                         [])
        out = self.remind(self.start - dt.timedelta(days=6))
        self.assertIn("1 organisers warned", out)
        self.remind(self.start - dt.timedelta(days=5))
        self.remind(self.start - dt.timedelta(days=1))
        warn = [m for m in outbox(self.q) if m[3] == "forecast"]
        self.assertEqual(len(warn), 1)
        # through a real mail server
        os.environ["QUORUM_SMTP"] = self.sink.url
        os.environ["QUORUM_MAIL_FROM"] = "meetings@napo.example"
        try:
            self.q.cli("outbox", "send")
        finally:
            del os.environ["QUORUM_SMTP"]
            del os.environ["QUORUM_MAIL_FROM"]
        end = time.monotonic() + 10
        while not self.mails() and time.monotonic() < end:
            time.sleep(0.1)
        got = self.mails()
        self.assertEqual(len(got), 1)
        msg = got[0]
        self.assertEqual(msg["To"].addresses[0].addr_spec,
                         "tania@napo.example")
        self.assertEqual(msg["Subject"],
                         "Inquorate? Reps' committee, 2027-03-10")
        text = msg.get_body(("plain",)).get_content()
        self.assertIn("1 member is going, and its quorum is 3", text)
        for name in ("Joe Marsh", "Amina Yusuf"):
            self.assertIn("  - " + name, text)
        for name in ("Sam Okafor", "Priya Shah"):     # they answered
            self.assertNotIn("  - " + name, text)
        # after it: two present of three, recorded inquorate
        for m in self.reps[:2]:
            self.q.cli("attend", str(self.ev), m, "--status", "present",
                       "--force")
        self.remind(self.start + dt.timedelta(hours=3))
        fc = json.loads(self.q.out("event", "forecast", str(self.ev)))
        self.assertEqual([(o["outcome"], o["present"]) for o in
                          fc["outcomes"]], [("inquorate", 2)])
        # reconvened in one step, the open agenda carried over
        new = json.loads(self.q.out(
            "event", "reconvene", str(self.ev), "--start",
            "2027-03-24T18:00", "--end", "2027-03-24T20:00"))
        self.assertEqual((new["title"], new["audiences"], new["quorum"],
                          new["organizer"]),
                         ("Reps' committee (reconvened)", ["reps"], 3,
                          "tania@napo.example"))
        self.assertEqual(json.loads(self.q.out(
            "action", "show", str(self.open_act)))["event"], new["id"])
        carried = json.loads(self.q.out("agenda", str(new["id"])))
        self.assertIn("Write to the chief officer",
                      [a["title"] for a in carried["carried_over"]])
        fc = json.loads(self.q.out("event", "forecast", str(self.ev)))
        self.assertEqual(fc["outcomes"][0]["reconvened"], new["id"])
        # bad input: nothing made
        count = len(json.loads(self.q.out("event", "list", "--json"))[
            "items"])
        for args in (["--start", "2027-03-24T25:00"], []):
            p = self.q.cli("event", "reconvene", str(self.ev), *args,
                           check=False)
            self.assertNotEqual(p.returncode, 0, args)
        self.assertEqual(len(json.loads(self.q.out(
            "event", "list", "--json"))["items"]), count)

    def test_official_page_shows_it(self):
        self.q.serve()
        web = Browser.signed_in(self.q, int(self.o))
        st, _, page = web.request("GET", "/events/%d" % self.ev)
        self.assertIn("This meeting looks inquorate", page)
        self.assertIn("1 going; its quorum is 3", page)
        self.assertIn("<li>Joe Marsh</li>", page)
        self.assertNotIn("<li>Sam Okafor</li>", page)
        # after it, inquorate: reconvened from the page
        for m in self.reps[:1]:
            self.q.cli("attend", str(self.ev), m, "--status", "present",
                       "--force")
        self.remind(self.start + dt.timedelta(hours=3))
        st, _, page = web.request("GET", "/events/%d" % self.ev)
        self.assertIn("<strong>inquorate</strong> (1 present, quorum 3)",
                      page)
        st, r, _ = web.request("POST", "/events/%d/reconvene" % self.ev, {
            "csrf": web.csrf(page), "date": "2027-03-31",
            "start_time": "18:00", "end_time": "20:00", "occurrence": ""})
        self.assertEqual(st, 303)
        new = int(re.search(r"/events/(\d+)", r.getheader("Location"))
                  .group(1))
        self.assertEqual(json.loads(self.q.out("event", "show", str(new)))[
            "start"], "2027-03-31T18:00:00")
        # a plain rep sees the forecast but no reconvening
        rep = Browser.signed_in(self.q, int(self.reps[0]))
        st, _, page = rep.request("GET", "/events/%d" % self.ev)
        self.assertNotIn("Reconvene it", page)


if __name__ == "__main__":
    unittest.main(verbosity=2)
