#!/usr/bin/python3
"""One date of a series moved, given its own place, cancelled alone and
put back (RECURRENCE-ID), through the API, the CLI and the pages, on the
real daemon with a real SMTP server (aiosmtpd): those invited get a
REQUEST or CANCEL for that date alone (parsed with Python's email package
and python3-icalendar); answers and attendance stay with the date; the
personal feed carries the date once, where it went, with the member's
answer; a reply naming the date answers it; bad input changes nothing.
Run: test_occurrence.py path/to/quorum"""
import datetime as dt
import email
import email.policy
import json
import mailbox
import os
import re
import sys
import time
import unittest

import icalendar

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, MailSink, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
FROM = "meetings@napo.example"
DATES = ["2027-03-02T10:00:00", "2027-03-09T10:00:00",
         "2027-03-16T10:00:00", "2027-03-23T10:00:00",
         "2027-03-30T10:00:00"]


class OccurrenceTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        self.sink = MailSink(q.dir).start()
        env = {"QUORUM_SMTP": self.sink.url, "QUORUM_MAIL_FROM": FROM,
               "QUORUM_OUTBOX_INTERVAL": "1"}
        self.saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        q.cli("demo")
        self.token = q.out("token", "issue", "--member", "2", "--scope",
                           "api").split()[-1]
        self.member_token = q.out("token", "issue", "--member", "4",
                                  "--scope", "api").split()[-1]
        self.sam_feed = q.out("token", "issue", "--member", "3", "--scope",
                              "feed").split()[-1]
        q.serve()
        st, self.ev = self.api("POST", "/api/v1/events", {
            "title": "JES panel", "kind": "jes_panel",
            "audiences": ["reps"], "start": "2027-03-02T10:00",
            "end": "2027-03-02T12:00", "location": "Room 4",
            "rrule": "FREQ=WEEKLY;COUNT=5", "hosts": [6]})
        self.assertEqual(st, 201, self.ev)
        self.id = self.ev["id"]

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self.sink.stop()
        self.q.close()

    def api(self, method, path, body=None, ctype=None, token=None):
        st, h, data = self.q.http(method, path, body,
                                  token=token or self.token, ctype=ctype)
        return st, json.loads(data)

    def date(self, method, when, body=None, token=None):
        return self.api(method, "/api/v1/events/%d/occurrences/%s" % (
            self.id, when), body, token=token)

    def mails(self, n):
        end = time.monotonic() + 20
        while time.monotonic() < end:
            box = mailbox.Maildir(self.sink.maildir, create=True)
            got = [email.message_from_bytes(m.as_bytes(),
                                            policy=email.policy.default)
                   for m in box]
            if len(got) >= n:
                return sorted(got, key=lambda m: int(re.match(
                    r"<quorum\.(\d+)\.", m["Message-ID"]).group(1)))
            time.sleep(0.1)
        self.fail("%d mails expected, %d came" % (n, len(got)))

    def calendar(self, msg):
        parts = list(msg.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts],
                         ["text/plain", "text/calendar"])
        return (parts[0].get_content(), parts[1],
                icalendar.Calendar.from_ical(parts[1].get_content()))

    def rsvp(self, member, when):
        st, r = self.api("GET", "/api/v1/events/%d/attendance?occurrence=%s"
                         % (self.id, when))
        self.assertEqual(st, 200, r)
        for x in r["items"]:
            if x["member"] == member:
                return x["rsvp"]
        return None

    def reply(self, who, partstat, seq, rid=None):
        return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//"
                "macOS 14//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:%s\r\n"
                "SEQUENCE:%d\r\nDTSTAMP:20270101T120000Z\r\n%s"
                "ATTENDEE;PARTSTAT=%s:mailto:%s\r\nORGANIZER:mailto:%s\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n" % (
                    self.ev["uid"], seq, "RECURRENCE-ID;TZID=Europe/London:"
                    "%s\r\n" % rid if rid else "", partstat, who, FROM))

    def test_move_cancel_restore_with_invitations_and_answers(self):
        st, r = self.api("POST", "/api/v1/events/%d/invitations" % self.id,
                         {"members": [3, 4, 5]})
        self.assertEqual((st, r["queued"]), (200, 3))
        first = self.mails(3)
        # Sam says "Going" to the whole series from the mail: every date
        text = [self.calendar(m)[0] for m in first
                if "sam.okafor" in m["To"].addresses[0].addr_spec][0]
        link = re.search(r"Going:\s+https?://[^/]+(/invitations/\S+)",
                         text).group(1)
        web = Browser(self.q.base)
        st, _, page = web.request("GET", link)
        self.assertIn("Every date of the series", page)
        st, _, page = web.request("POST", link.split("?")[0],
                                  {"answer": "accepted"})
        self.assertEqual(st, 200, page)
        self.assertEqual([self.rsvp(3, d) for d in DATES],
                         ["accepted"] * 5)

        # move the second date to Wednesday afternoon, in another room
        st, occ = self.date("PATCH", DATES[1], {
            "start": "2027-03-10T14:00", "location": "Room 9"})
        self.assertEqual(st, 200, occ)
        self.assertEqual((occ["occurrence"], occ["start"], occ["end"],
                          occ["location"], occ["moved"], occ["status"],
                          occ["sequence"]),
                         (DATES[1], "2027-03-10T14:00:00",
                          "2027-03-10T16:00:00", "Room 9", True,
                          "confirmed", 1))
        got = self.mails(6)[3:]
        for msg in got:
            text, part, cal = self.calendar(msg)
            self.assertEqual(part.get_param("method"), "REQUEST")
            self.assertEqual(msg["Subject"],
                             "Changed: JES panel, Tue 9 Mar 2027, 10:00")
            vevs = cal.walk("VEVENT")
            self.assertEqual(len(vevs), 1)
            v = vevs[0]
            self.assertEqual(str(v["UID"]), self.ev["uid"])
            self.assertEqual(v["RECURRENCE-ID"].dt.replace(tzinfo=None),
                             dt.datetime(2027, 3, 9, 10, 0))
            self.assertEqual(v["RECURRENCE-ID"].params["TZID"],
                             "Europe/London")
            self.assertEqual(v["DTSTART"].dt.replace(tzinfo=None),
                             dt.datetime(2027, 3, 10, 14, 0))
            self.assertEqual((int(v["SEQUENCE"]), str(v["LOCATION"])),
                             (1, "Room 9"))
            self.assertNotIn("RRULE", v)
            self.assertIn("has MOVED. It was Tue 9 Mar 2027, 10:00", text)
            self.assertIn("When:   Wed 10 Mar 2027, 14:00 to 16:00", text)
            self.assertIn("Where:  Room 9", text)
            self.assertIn("&date=2027-03-09T10:00:00", text)
        # Sam's answer stayed with the date; the list shows it there
        self.assertEqual(self.rsvp(3, DATES[1]), "accepted")
        st, r = self.api("GET", "/api/v1/events/%d/occurrences?from="
                         "2027-03-01&to=2027-04-01" % self.id)
        self.assertEqual([(o["occurrence"], o["start"]) for o in
                          r["items"]][:3],
                         [(DATES[0], DATES[0]),
                          (DATES[1], "2027-03-10T14:00:00"),
                          (DATES[2], DATES[2])])
        # his personal feed: the date once, where it went, his answer
        st, _, body = self.q.http("GET", "/feeds/me.ics?token=" +
                                  self.sam_feed)
        cal = icalendar.Calendar.from_ical(body)
        mine = [v for v in cal.walk("VEVENT")
                if str(v["UID"]) == self.ev["uid"] and "RECURRENCE-ID" in v
                and v["RECURRENCE-ID"].dt.replace(tzinfo=None) ==
                dt.datetime(2027, 3, 9, 10, 0)]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["DTSTART"].dt.replace(tzinfo=None),
                         dt.datetime(2027, 3, 10, 14, 0))
        self.assertEqual(mine[0]["ATTENDEE"].params["PARTSTAT"], "ACCEPTED")

        # Priya answers that date by reply (RECURRENCE-ID), Outlook-like
        st, r = self.api("POST", "/api/v1/itip", self.reply(
            "priya.shah@napo.example", "ACCEPTED", 1, "20270309T100000"),
            "text/calendar")
        self.assertEqual((st, r.get("occurrence")), (200, DATES[1]), r)
        self.assertEqual(self.rsvp(4, DATES[1]), "accepted")
        self.assertEqual(self.rsvp(4, DATES[2]), None)
        # the same date's reply to the first invitation is stale
        st, r = self.api("POST", "/api/v1/itip", self.reply(
            "joe.marsh@napo.example", "ACCEPTED", 0, "20270309T100000"),
            "text/calendar")
        self.assertEqual(st, 409, r)
        self.assertEqual(self.rsvp(5, DATES[1]), None)

        # cancel the third date alone: CANCEL for that date
        st, occ = self.date("DELETE", DATES[2])
        self.assertEqual((st, occ["status"]), (200, "cancelled"), occ)
        got = self.mails(9)[6:]
        for msg in got:
            text, part, cal = self.calendar(msg)
            self.assertEqual(part.get_param("method"), "CANCEL")
            v = cal.walk("VEVENT")[0]
            self.assertEqual((str(cal["METHOD"]), str(v["STATUS"])),
                             ("CANCEL", "CANCELLED"))
            self.assertEqual(v["RECURRENCE-ID"].dt.replace(tzinfo=None),
                             dt.datetime(2027, 3, 16, 10, 0))
            self.assertEqual(msg["Subject"],
                             "Cancelled: JES panel, Tue 16 Mar 2027, 10:00")
            self.assertIn("One date of JES panel is CANCELLED", text)
            self.assertNotIn("Going:", text)
        # no answer and no reply for a cancelled date; others untouched
        st, r = self.api("PUT", "/api/v1/events/%d/attendance/5" % self.id,
                         {"occurrence": DATES[2], "rsvp": "accepted"})
        self.assertEqual(st, 409, r)
        st, r = self.api("POST", "/api/v1/itip", self.reply(
            "joe.marsh@napo.example", "ACCEPTED", 1, "20270316T100000"),
            "text/calendar")
        self.assertEqual(st, 409, r)
        self.assertEqual(self.rsvp(5, DATES[2]), None)
        st, r = self.api("PUT", "/api/v1/events/%d/attendance/5" % self.id,
                         {"occurrence": DATES[3], "rsvp": "accepted"})
        self.assertEqual(st, 200, r)
        # the moved date's attendance is recorded under its key
        st, r = self.api("PUT", "/api/v1/events/%d/attendance/3" % self.id,
                         {"occurrence": DATES[1], "status": "present",
                          "force": True})
        self.assertEqual((st, r.get("status")), (200, "present"), r)
        # the feeds: the series once, the two dates on their own
        st, _, body = self.q.http("GET", "/feeds/reps.ics?token=" +
                                  self.sam_feed)
        cal = icalendar.Calendar.from_ical(body)
        ours = [v for v in cal.walk("VEVENT")
                if str(v["UID"]) == self.ev["uid"]]
        self.assertEqual(len(ours), 3)
        status = {v["RECURRENCE-ID"].dt.replace(tzinfo=None).day:
                  str(v["STATUS"]) for v in ours if "RECURRENCE-ID" in v}
        self.assertEqual(status, {9: "CONFIRMED", 16: "CANCELLED"})
        # on again after all: REQUEST for that date
        st, occ = self.date("PATCH", DATES[2], {"status": "confirmed"})
        self.assertEqual((st, occ["status"], occ["sequence"]),
                         (200, "confirmed", 2))
        got = self.mails(12)[9:]
        for msg in got:
            text, part, cal = self.calendar(msg)
            self.assertEqual(part.get_param("method"), "REQUEST")
            self.assertIn("is ON again after all", text)
            self.assertEqual(int(cal.walk("VEVENT")[0]["SEQUENCE"]), 2)
        # put back as the series has it: the row stays, SEQUENCE rises
        st, occ = self.date("PATCH", DATES[1], {"reset": True})
        self.assertEqual((st, occ["start"], occ["moved"], occ["location"],
                          occ["sequence"]),
                         (200, DATES[1], False, "Room 4", 2), occ)
        self.mails(15)
        verbs = [x["verb"] for x in json.loads(self.q.out(
            "audit", "--limit", "50"))["items"]]
        for v in ("occurrence.change", "occurrence.cancel"):
            self.assertIn(v, verbs)

    def test_bad_input_changes_nothing(self):
        st, one = self.api("POST", "/api/v1/events", {
            "title": "Once", "kind": "other", "audiences": ["reps"],
            "start": "2027-03-03T10:00", "end": "2027-03-03T11:00"})
        self.assertEqual(st, 201)
        before = self.api("GET", "/api/v1/events/%d" % self.id)[1]
        feed = self.q.http("GET", "/feeds/reps.ics?token=" +
                           self.sam_feed)[2]
        for when, body, code, words in [
                ("2027-03-03T10:00", {"start": "2027-03-04T10:00"}, 404,
                 "not a date"),
                ("nonsense", {"start": "2027-03-04T10:00"}, 404,
                 "not a date"),
                (DATES[1], {"start": "2027-03-10"}, 400, "local time"),
                (DATES[1], {"start": "2027-03-01T10:00"}, 400,
                 "cannot move before"),
                (DATES[1], {"start": "2027-03-10T14:00",
                            "end": "2027-03-10T13:00"}, 400, "after start"),
                (DATES[4], {"start": "2027-03-28T01:30"}, 400,
                 "does not exist"),
                (DATES[1], {"title": "Renamed"}, 400, "title"),
                (DATES[1], {"reset": True, "start": "2027-03-10T14:00"},
                 400, "alone"),
                (DATES[1], {"status": "maybe"}, 400, "status")]:
            st, r = self.date("PATCH", when, body)
            self.assertEqual(st, code, (when, body, r))
            self.assertIn(words, r["error"]["message"], r)
        st, r = self.api("PATCH", "/api/v1/events/%d/occurrences/%s" % (
            one["id"], "2027-03-03T10:00"), {"start": "2027-03-04T10:00"})
        self.assertEqual(st, 400, r)
        self.assertIn("happens once", r["error"]["message"])
        st, r = self.date("DELETE", DATES[1], token=self.member_token)
        self.assertEqual(st, 403, r)
        # a date moved onto a host's other meeting: 409 with the clash
        st, other = self.api("POST", "/api/v1/events", {
            "title": "Employer meeting", "kind": "employer_meeting",
            "audiences": ["officials"], "start": "2027-03-24T15:00",
            "end": "2027-03-24T16:00", "hosts": [6]})
        self.assertEqual(st, 201, other)
        st, r = self.date("PATCH", DATES[3], {"start": "2027-03-24T14:30"})
        self.assertEqual(st, 409, r)
        self.assertEqual(r["error"]["clashes"][0]["title"],
                         "Employer meeting")
        after = self.api("GET", "/api/v1/events/%d" % self.id)[1]
        self.assertEqual(after, before)
        self.assertEqual(self.q.http("GET", "/feeds/reps.ics?token=" +
                                     self.sam_feed)[2], feed)
        # forced: done, and the override is in the audit log
        st, r = self.date("PATCH", DATES[3], {"start": "2027-03-24T14:30",
                                              "force": True})
        self.assertEqual((st, r["start"]), (200, "2027-03-24T14:30:00"))
        self.assertIn("event.force", [x["verb"] for x in json.loads(
            self.q.out("audit", "--limit", "10"))["items"]])
        # a change of the series' rule drops dates it no longer has
        st, e = self.api("PATCH", "/api/v1/events/%d" % self.id,
                         {"rrule": "FREQ=WEEKLY;COUNT=3"})
        self.assertEqual((st, e["overrides"]), (200, []), e)

    def test_cli_and_pages(self):
        p = self.q.cli("event", "occurrence", str(self.id), DATES[4],
                       "--cancel")
        self.assertEqual(json.loads(p.stdout)["status"], "cancelled")
        p = self.q.cli("event", "occurrence", str(self.id), DATES[3],
                       "--start", "2027-03-24T10:00", "--location", "Hall")
        self.assertTrue(json.loads(p.stdout)["moved"])
        p = self.q.cli("event", "occurrence", str(self.id), DATES[3])
        self.assertEqual(json.loads(p.stdout)["location"], "Hall")
        p = self.q.cli("event", "occurrence", str(self.id),
                       "2027-03-04T10:00", "--cancel", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"not a date of event", p.stderr)
        out = self.q.out("event", "list", "--from", "2027-03-01", "--to",
                         "2027-04-01")
        self.assertIn("CANCELLED (this date)", out)
        self.assertIn("Wed 2027-03-24 10:00-12:00", out)
        self.assertIn("(moved from 2027-03-23T10:00)", out)
        # the official's pages: the meeting lists its dates, each with
        # a way to change it; the form moves, cancels and restores
        web = Browser.signed_in(self.q, 2)
        st, _, page = web.request("GET", "/events/%d" % self.id)
        self.assertEqual(st, 200)
        self.assertIn("Coming dates", page)
        self.assertIn("<strong>cancelled</strong>", page)
        self.assertIn("<strong>moved</strong>", page)
        path = "/events/%d/dates/%s" % (self.id, DATES[0])
        st, _, page = web.request("GET", path)
        self.assertEqual(st, 200)
        self.assertIn("It is on as the series has it", page)
        csrf = web.csrf(page)
        st, _, page = web.request("POST", path, {
            "csrf": csrf, "do": "save", "date": "2027-03-02",
            "start_time": "25:00", "end_time": "12:00", "location": ""})
        self.assertEqual(st, 400)
        self.assertIn("This was not saved", page)
        self.assertIn('value="25:00"', page)
        st, r, page = web.request("POST", path, {
            "csrf": csrf, "do": "save", "date": "2027-03-03",
            "start_time": "09:30", "end_time": "11:30", "location": ""})
        self.assertEqual(st, 303, page)
        st, _, page = web.request("GET", r.getheader("Location"))
        self.assertIn("Saved. Those invited have been told.", page)
        self.assertIn("It has moved", page)
        st, occ = self.date("GET", DATES[0])
        self.assertEqual((occ["start"], occ["end"]),
                         ("2027-03-03T09:30:00", "2027-03-03T11:30:00"))
        st, r, page = web.request("POST", "/events/%d/dates/%s" % (
            self.id, DATES[4]), {"csrf": csrf, "do": "restore"})
        self.assertEqual(st, 303)
        self.assertEqual(self.date("GET", DATES[4])[1]["status"],
                         "confirmed")
        # a member may not change dates: the page is not there
        member = Browser.signed_in(self.q, 4)
        st, _, page = member.request("GET", path)
        self.assertEqual(st, 404)
        st, _, page = member.request("GET", "/events/%d" % self.id)
        self.assertNotIn("Change this date", page)


if __name__ == "__main__":
    unittest.main(verbosity=2)
