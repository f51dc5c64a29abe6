#!/usr/bin/python3
"""Feed links a work calendar can safely show: a member's busy and
neutral links, read with python3-icalendar, show no title (only "Union
business", or the kind), no LOCATION, DESCRIPTION, URL, ORGANIZER or
ATTENDEE, and no action, in the personal feed, the actions feed and
every audience feed, public ones too; the full link still shows all.
The member makes and stops them on their own page.
Run: test_levels.py path/to/quorum"""
import json
import os
import re
import sys
import unittest

import icalendar

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
KINDS = {"Workshop", "JES panel", "Employer meeting", "Member briefing",
         "Joint union meeting", "Away day", "Other"}
SECRET = "Grievance hearing for Priya Shah"
ACTION = "Draft the appeal letter about the disciplinary"


class LevelsTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("demo")
        # Sam (3), a rep: a meeting whose title must not reach work
        ev = json.loads(q.out(
            "event", "add", "--title", SECRET, "--kind", "employer_meeting",
            "--audience", "reps", "--start", "2027-03-03T10:00", "--end",
            "2027-03-03T12:00", "--location", "HR room 2", "--description",
            "Bring the notes of the investigation", "--url",
            "https://meet.example/hearing", "--organizer",
            "tania.bassett@napo.example", "--rrule", "FREQ=WEEKLY;COUNT=2",
            "--host", "3", "--force"))
        q.cli("attend", str(ev["id"]), "3", "--rsvp", "accepted",
              "--occurrence", "2027-03-10T10:00")
        q.cli("action", "add", "--title", ACTION, "--owner", "3", "--due",
              "2027-03-20", "--event", str(ev["id"]))
        q.cli("member", "update", "3", "--feed-alarm", "PT30M",
              check=False)
        self.tokens = {lv: q.out("token", "issue", "--member", "3",
                                 "--scope", "feed", "--level", lv)
                       .split()[-1] for lv in ("full", "neutral", "busy")}
        q.serve()

    def tearDown(self):
        self.q.close()

    def feeds(self, token):
        out = {}
        for path in ("/feeds/me.ics", "/feeds/actions.ics",
                     "/feeds/reps.ics", "/feeds/all-members.ics"):
            st, _, body = self.q.http("GET", path + "?token=" + token)
            self.assertEqual(st, 200, path)
            out[path] = body
        return out

    def test_lower_levels_reveal_nothing_more(self):
        full = self.feeds(self.tokens["full"])
        self.assertIn(SECRET.encode(), full["/feeds/me.ics"])
        self.assertIn(ACTION.encode(), full["/feeds/actions.ics"])
        for level in ("neutral", "busy"):
            for path, body in self.feeds(self.tokens[level]).items():
                where = "%s %s" % (level, path)
                self.assertNotIn(SECRET.encode(), body, where)
                self.assertNotIn(ACTION.encode(), body, where)
                self.assertNotIn(b"HR room", body, where)
                self.assertNotIn(b"Sam Okafor", body, where)
                cal = icalendar.Calendar.from_ical(body)
                self.assertEqual(str(cal["X-WR-CALNAME"]), "Union business")
                self.assertNotIn("X-WR-CALDESC", cal)
                self.assertEqual(cal.walk("VTODO"), [], where)
                events = cal.walk("VEVENT")
                if path != "/feeds/actions.ics":
                    self.assertTrue(events, where)
                for ev in events:
                    s = str(ev["SUMMARY"])
                    if level == "busy":
                        self.assertEqual(s, "Union business", where)
                    else:
                        self.assertIn(s, KINDS, where)
                    for prop in ("LOCATION", "DESCRIPTION", "URL",
                                 "ORGANIZER", "ATTENDEE"):
                        self.assertNotIn(prop, ev, "%s %s" % (where, prop))
                    for alarm in ev.walk("VALARM"):
                        self.assertEqual(str(alarm["DESCRIPTION"]), s)
                    self.assertEqual(str(ev["CLASS"]), "PRIVATE")
        # the times are there: the series and its answered date
        cal = icalendar.Calendar.from_ical(self.feeds(
            self.tokens["busy"])["/feeds/me.ics"])
        starts = {ev["DTSTART"].dt.isoformat()[:19]
                  for ev in cal.walk("VEVENT")}
        self.assertIn("2027-03-03T10:00:00", starts)

    def test_made_and_stopped_on_the_members_page(self):
        web = Browser.signed_in(self.q, 3)
        st, _, page = web.request("GET", "/me")
        self.assertIn("For your work calendar", page)
        csrf = web.csrf(page)
        st, _, page = web.request("POST", "/me/work-links",
                                  {"csrf": csrf, "level": "busy"})
        self.assertEqual(st, 200)
        self.assertIn("Busy only (new)", page)
        links = set(re.findall(r"me\.ics\?token=([A-Za-z0-9_-]+)", page))
        fresh = [t for t in links if t not in self.tokens.values()]
        busy = [t for t in fresh if b"Union business" in self.q.http(
            "GET", "/feeds/me.ics?token=" + t)[2] and SECRET.encode() not in
            self.q.http("GET", "/feeds/me.ics?token=" + t)[2]]
        self.assertEqual(len(busy), 1, links)
        # listed with its level, and stopped from there
        st, _, page = web.request("GET", "/me")
        self.assertIn("Busy only: &quot;Union business&quot;", page)
        stop = re.findall(r'name="stop" value="(\d+)"', page)
        # the one made here, and setUp's busy and neutral ones
        self.assertEqual(len(stop), 3)
        tokens = json.loads(self.q.out("token", "list", "--member", "3"))
        newest = max(t["id"] for t in tokens["items"]
                     if t["level"] == "busy")
        st, r, page = web.request("POST", "/me/work-links", {
            "csrf": csrf, "stop": str(newest)})
        self.assertEqual(st, 303)
        self.assertEqual(self.q.http("GET", "/feeds/me.ics?token=" +
                                     busy[0])[0], 404)
        # bad input: nothing made
        st, _, page = web.request("POST", "/me/work-links",
                                  {"csrf": csrf, "level": "everything"})
        self.assertEqual(st, 400)
        self.assertEqual(len(json.loads(self.q.out(
            "token", "list", "--member", "3"))["items"]),
            len(tokens["items"]))

    def test_cli_refuses_bad_levels(self):
        p = self.q.cli("token", "issue", "--member", "3", "--scope", "feed",
                       "--level", "secret", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"must be full, neutral or busy", p.stderr)
        p = self.q.cli("token", "issue", "--member", "3", "--scope", "api",
                       "--level", "busy", check=False)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
