"""Follow-up actions on the real daemon: the questionnaire example end to
end (made from a line of the notes, waiting on the employer, carried
onto the next employer meeting's agenda, overdue, done, gone from the
feed after the retention window), the actions feed read by
python3-icalendar and ical.js (VTODO with RELATED-TO), and refusals that
change nothing."""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import unittest

import icalendar

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
PARSERS = os.path.join(HERE, "..", "parsers")


def icaljs(body):
    with tempfile.NamedTemporaryFile(suffix=".ics") as f:
        f.write(body)
        f.flush()
        p = subprocess.run(["node", os.path.join(PARSERS, "icaljs_dump.mjs"),
                            f.name, "2020-01-01T00:00:00Z",
                            "2030-01-01T00:00:00Z"], capture_output=True,
                           cwd=PARSERS, timeout=60, env=dict(os.environ,
                                                             TZ="UTC"))
    assert p.returncode == 0, p.stderr.decode()
    return json.loads(p.stdout)


class ActionsTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("init")
        self.carole = int(q.out("member", "add", "--name", "Carole Doherty",
                                "--email", "carole@napo.example", "--role",
                                "official", "--audience", "officials"))
        self.api = q.out("token", "issue", "--member", str(self.carole),
                         "--scope", "api")
        self.feed = q.out("token", "issue", "--member", str(self.carole),
                          "--scope", "feed")
        self.sam = int(q.out("member", "add", "--name", "Sam Okafor",
                             "--email", "sam@napo.example", "--audience",
                             "programmes"))
        self.sam_api = q.out("token", "issue", "--member", str(self.sam),
                             "--scope", "api")
        q.serve()
        self.m1 = self.event("Employer meeting (day 1)", "2026-11-04")
        self.m2 = self.event("Employer meeting (day 2)", "2027-03-03")

    def tearDown(self):
        self.q.close()

    def event(self, title, day):
        st, ev = self.q.api("POST", "/events", {
            "title": title, "kind": "employer_meeting", "start": day,
            "end": day, "audiences": ["officials"]}, self.api)
        self.assertEqual(st, 201, ev)
        return ev

    def actions_feed(self):
        st, _, body = self.q.http("GET", "/feeds/actions.ics?token=" +
                                  self.feed)
        self.assertEqual(st, 200)
        return body

    def test_questionnaire_end_to_end(self):
        q = self.q
        minutes = ("Minutes of the employer meeting\n"
                   "- Request a copy of the job description questionnaire "
                   "from the employer\n"
                   "- Send all comments to Carole for collation\n")
        st, _, body = q.http("PUT", "/api/v1/events/%d/notes" % self.m1["id"],
                             minutes.replace("Minutes", "Draft minutes"),
                             ctype="text/plain",
                             headers={"Authorization": "Bearer " + self.api})
        self.assertEqual(st, 200)
        st, _, body = q.http("PUT", "/api/v1/events/%d/notes" % self.m1["id"],
                             minutes, ctype="text/plain",
                             headers={"Authorization": "Bearer " + self.api})
        notes = json.loads(body)
        self.assertEqual(notes["text"], minutes)
        self.assertEqual(len(notes["revisions"]), 2)
        self.assertTrue(notes["revisions"][1]["text"].startswith("Draft"))

        st, act = q.api("POST", "/events/%d/actions" % self.m1["id"], {
            "from_notes_line": 2, "owner": self.carole, "status": "waiting",
            "waiting_on": "employer", "due": "2026-11-20"}, self.api)
        self.assertEqual(st, 201, act)
        self.assertEqual(act["title"], "Request a copy of the job "
                         "description questionnaire from the employer")
        self.assertEqual((act["status"], act["waiting_on"], act["overdue"]),
                         ("waiting", "employer", True))
        aid = act["id"]

        # carried onto the next employer meeting's agenda
        st, ag = q.api("GET", "/events/%d/agenda" % self.m2["id"],
                       token=self.api)
        self.assertEqual([x["id"] for x in ag["carried_over"]], [aid])
        st, _, feed = q.http("GET", "/feeds/officials.ics?token=" +
                             self.feed)
        cal = icalendar.Calendar.from_ical(feed)
        desc = {str(e["SUMMARY"]): str(e.get("DESCRIPTION", ""))
                for e in cal.walk("VEVENT")}
        self.assertIn("Request a copy of the job description questionnaire",
                      desc["Employer meeting (day 2)"])
        self.assertIn("waiting on employer", desc["Employer meeting (day 2)"])

        # overdue, by API and CLI
        st, od = q.api("GET", "/actions?overdue=1", token=self.api)
        self.assertEqual([x["id"] for x in od["items"]], [aid])
        self.assertIn("questionnaire", q.out("action", "overdue"))

        # in the actions feed: a VTODO related to the meeting, and a Due:
        body = self.actions_feed()
        cal = icalendar.Calendar.from_ical(body)
        todos = list(cal.walk("VTODO"))
        self.assertEqual(len(todos), 1)
        self.assertEqual(str(todos[0]["STATUS"]), "IN-PROCESS")
        self.assertEqual(str(todos[0]["RELATED-TO"]), self.m1["uid"])
        self.assertEqual(str(todos[0]["DUE"].to_ical().decode()), "20261120")
        dues = [e for e in cal.walk("VEVENT")
                if str(e["SUMMARY"]).startswith("Due: ")]
        self.assertEqual(len(dues), 1)
        js = icaljs(body)
        self.assertEqual(js["todos"], [{
            "uid": "action-%d@quorum" % aid, "summary": act["title"],
            "status": "IN-PROCESS", "due": "2026-11-20",
            "related_to": self.m1["uid"]}])
        self.assertEqual([e["summary"] for e in js["events"]],
                         ["Due: " + act["title"]])
        # and in her personal feed
        st, _, me = q.http("GET", "/feeds/me.ics?token=" + self.feed)
        self.assertIn(b"BEGIN:VTODO", me)

        # done, by its owner, with a note; the history keeps both steps
        st, done = q.api("PATCH", "/actions/%d" % aid, {
            "status": "done", "note": "questionnaire received"}, self.api)
        self.assertEqual(st, 200)
        self.assertEqual([h["status"] for h in done["history"]],
                         ["waiting", "done"])
        self.assertEqual(done["history"][1]["note"], "questionnaire received")
        self.assertEqual(done["history"][1]["actor"], "carole@napo.example")
        st, ag = q.api("GET", "/events/%d/agenda" % self.m2["id"],
                       token=self.api)
        self.assertEqual(ag["carried_over"], [])
        cal = icalendar.Calendar.from_ical(self.actions_feed())
        self.assertEqual([str(t["STATUS"]) for t in cal.walk("VTODO")],
                         ["COMPLETED"])
        self.assertEqual([e for e in cal.walk("VEVENT")], [])
        # fifteen days later it has left the feed
        con = sqlite3.connect(q.db)
        con.execute("UPDATE actions SET completed_at = completed_at - "
                    "15 * 86400")
        con.execute("UPDATE meta SET value = value + 1 WHERE key = "
                    "'data_version'")
        con.commit()
        con.close()
        self.assertNotIn(b"BEGIN:VTODO", self.actions_feed())

    def test_cli_and_refusals(self):
        q = self.q
        out = json.loads(q.out("action", "add", "--event", str(self.m1["id"]),
                               "--title", "Send all comments to Carole",
                               "--owner", str(self.sam), "--due",
                               "2027-01-15"))
        aid = out["id"]
        self.assertIn("Send all comments", q.out("action", "list",
                                                 "--owner", str(self.sam)))
        before = q.snapshot()
        cases = [
            ("POST", "/events/%d/actions" % self.m1["id"],
             {"title": "x", "owner": self.sam, "due": "15/01/2027"},
             self.api, 400, "due"),
            ("POST", "/events/%d/actions" % self.m1["id"],
             {"title": "x", "owner": 999}, self.api, 400, "owner"),
            ("POST", "/events/999/actions", {"title": "x",
             "owner": self.sam}, self.api, 404, None),
            ("POST", "/events/%d/actions" % self.m1["id"],
             {"title": "x", "owner": self.sam, "status": "finished"},
             self.api, 400, "status"),
            ("POST", "/events/%d/actions" % self.m1["id"], {"title": "x"},
             self.api, 400, "owner"),
            ("POST", "/events/%d/actions" % self.m1["id"],
             {"title": "x", "owner": self.sam}, self.sam_api, 403, None),
            ("POST", "/events/%d/actions" % self.m1["id"],
             {"owner": self.sam, "from_notes_line": 9}, self.api, 400,
             "from_notes_line"),
            ("PATCH", "/actions/%d" % aid, {"owner": self.carole},
             self.sam_api, 403, "owner"),
            ("PATCH", "/actions/%d" % aid, {"due": "tomorrow"}, self.api,
             400, "due"),
            ("PATCH", "/actions/999", {"status": "done"}, self.api, 404,
             None),
        ]
        for method, path, body, tok, want, field in cases:
            st, r = q.api(method, path, body, tok)
            self.assertEqual(st, want, (path, body, r))
            if field:
                self.assertEqual(r["error"]["field"], field, r)
        self.assertEqual(q.snapshot(), before)
        # a member may move their own action on, not someone else's
        st, r = q.api("PATCH", "/actions/%d" % aid, {"status": "done"},
                      self.sam_api)
        self.assertEqual((st, r["status"]), (200, "done"))
        other = json.loads(q.out("action", "add", "--title", "Chase the "
                                 "questionnaire", "--owner",
                                 str(self.carole)))
        st, r = q.api("PATCH", "/actions/%d" % other["id"],
                      {"status": "done"}, self.sam_api)
        self.assertEqual(st, 403)
        st, r = q.api("GET", "/actions", token=self.sam_api)
        self.assertEqual([x["id"] for x in r["items"]], [aid])
        p = q.cli("action", "add", "--title", "x", "--due", "soon",
                  "--owner", str(self.sam), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("due must be a date", p.stderr.decode())

    def test_digest_through_a_real_smtp_server(self):
        import mailbox
        import socket
        import time
        q = self.q
        q.out("action", "add", "--title", "Chase the questionnaire",
              "--owner", str(self.carole), "--due", "2026-01-10",
              "--waiting-on", "employer", "--status", "waiting")
        # a title that would inject a header is refused at the door...
        p = q.cli("action", "add", "--title", "Send comments\r\nBcc: x@evil",
                  "--owner", str(self.sam), "--due", "2026-02-01",
                  check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("control characters", p.stderr.decode())
        # ...and one already in the database (an older version) cannot
        # inject one either
        act = json.loads(q.out("action", "add", "--title", "Send comments",
                               "--owner", str(self.sam), "--due",
                               "2026-02-01"))
        con = sqlite3.connect(q.db)
        con.execute("UPDATE actions SET title = ? WHERE id = ?",
                    ("Send comments\r\nBcc: x@evil", act["id"]))
        con.commit()
        con.close()
        q.out("action", "add", "--title", "Not yet due", "--owner",
              str(self.sam), "--due", "2099-01-01")
        maildir = os.path.join(q.dir, "maildir")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        smtpd = subprocess.Popen(
            ["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l",
             "127.0.0.1:%d" % port, "-c", "aiosmtpd.handlers.Mailbox",
             maildir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), 1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            r = json.loads(q.out("action", "digest", "--smtp",
                                 "smtp://127.0.0.1:%d" % port, "--from",
                                 "quorum@napo.example"))
            self.assertEqual(sorted((x["email"], x["actions"])
                                    for x in r["sent"]),
                             [("carole@napo.example", 1),
                              ("sam@napo.example", 1)])
            self.assertEqual(r["failed"], [])
            box = mailbox.Maildir(maildir, create=False)
            msgs = {m["To"]: m for m in box}
            self.assertEqual(sorted(msgs), [
                "Carole Doherty <carole@napo.example>",
                "Sam Okafor <sam@napo.example>"])
            carole = msgs["Carole Doherty <carole@napo.example>"]
            self.assertEqual(carole["Subject"], "Overdue union actions: 1")
            body = carole.get_payload(decode=True).decode()
            self.assertIn("Chase the questionnaire", body)
            self.assertIn("waiting on employer", body)
            sam = msgs["Sam Okafor <sam@napo.example>"]
            self.assertIsNone(sam["Bcc"])          # no header injection
            self.assertNotIn("Not yet due", sam.get_payload())
        finally:
            smtpd.terminate()
            smtpd.wait(timeout=10)
        # a server that is not there: reported, exit 1
        p = q.cli("action", "digest", "--smtp", "smtp://127.0.0.1:%d" % port,
                  "--from", "quorum@napo.example", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(json.loads(p.stdout)["failed"]), 2)
        # nothing is lost: those two wait in the outbox for another try
        waiting = json.loads(q.out("outbox", "list", "--status", "queued",
                                   "--json"))["items"]
        self.assertEqual(len(waiting), 2)
        self.assertTrue(all(m["attempts"] == 1 and m["last_error"]
                            for m in waiting))
        p = q.cli("action", "digest", "--smtp", "smtp://127.0.0.1:%d" % port,
                  "--from", "nobody", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("sender address", p.stderr.decode())
        # without a mail server the digest is queued for the server to send
        env_smtp = os.environ.pop("QUORUM_SMTP", None)
        try:
            r = json.loads(q.out("action", "digest"))
        finally:
            if env_smtp is not None:
                os.environ["QUORUM_SMTP"] = env_smtp
        self.assertEqual((len(r["queued"]), r["sent"], r["failed"]),
                         (2, [], []))


if __name__ == "__main__":
    unittest.main(verbosity=2)
