#!/usr/bin/python3
"""Calendars from any app: files in tests/data/import/ written as each
app writes them, imported through the API, each with the events it
must give; imported twice they update, never duplicate.

- outlook-2016-windows-zones.ics: Outlook 16 (Windows) export, TZIDs
  that are Windows zone names ("GMT Standard Time", "W. Europe Standard
  Time"), a VALARM, quoted TZID parameters, a LANGUAGE on SUMMARY.
- outlook-com-custom-zone.ics: Exchange / Outlook.com, a TZID of its
  own ("(UTC+00:00) Dublin, Edinburgh, Lisbon, London") defined by the
  file's VTIMEZONE, as Teams invitations carry: mapped to the IANA zone
  with the same rules (one like no other is read by its own rules).
- google-calendar-floating.ics: a Google Calendar export, floating times
  with X-WR-TIMEZONE, empty DESCRIPTION and LOCATION, an all-day event,
  an ATTACH.
- apple-and-thunderbird-no-uid.ics: two VCALENDARs in one file (macOS
  Calendar and Thunderbird exports pasted together), events without UID,
  a UTC series with an EXDATE, folded UTF-8.

A file that is not iCalendar is refused naming the line, and nothing
of a file with one bad event is stored.  (Caps on size, components and
expansion are tested in test_http.c and the fuzzers.)
Run: test_import_apps.py path/to/quorum"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                    "import")

EXPECTED = {
    "outlook-2016-windows-zones.ics": [
        ("JES panel (Outlook)", "2027-04-08T10:30:00", "2027-04-08T12:00:00",
         "Europe/London"),
        ("Call with the European federation", "2027-04-09T14:00:00",
         "2027-04-09T15:00:00", "Europe/Berlin")],
    "outlook-com-custom-zone.ics": [
        # the file's own zone, mapped to the IANA zone with its rules
        # whose city its name gives first
        ("Teams: staff side briefing", "2027-06-10T14:00:00",
         "2027-06-10T15:00:00", "Europe/Dublin")],
    "google-calendar-floating.ics": [
        ("Summer branch meeting (Google)", "2027-07-01T18:00:00",
         "2027-07-01T19:30:00", "Europe/London"),
        ("Union day of action", "2027-07-15", "2027-07-15",
         "Europe/London")],
    "apple-and-thunderbird-no-uid.ics": [
        ("Café catch-up with the Bristol branch", "2027-08-05T09:00:00",
         "2027-08-05T10:00:00", "Europe/London"),
        ("Thunderbird exported reps lunch", "2027-08-06T14:00:00",
         "2027-08-06T15:00:00", "Europe/London")],
}


class ImportAppsTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("init")
        official = q.out("member", "add", "--name", "Office", "--email",
                         "office@napo.example", "--role", "official")
        self.token = q.out("token", "issue", "--member", official, "--scope",
                           "api").split()[-1]
        q.serve()

    def tearDown(self):
        self.q.close()

    def post(self, body):
        st, h, data = self.q.http("POST", "/api/v1/import?audience=reps",
                                  body, token=self.token,
                                  ctype="text/calendar")
        return st, json.loads(data)

    def events(self):
        st, h, data = self.q.http("GET", "/api/v1/events", token=self.token)
        return json.loads(data)["items"]

    def test_each_app(self):
        seen = 0
        for name, want in sorted(EXPECTED.items()):
            with open(os.path.join(DATA, name), "rb") as f:
                body = f.read()
            st, r = self.post(body)
            self.assertEqual(st, 200, (name, r))
            self.assertEqual((r["created"], r["updated"]), (len(want), 0),
                             name)
            got = {e["title"]: e for e in self.events()}
            for title, start, end, tz in want:
                e = got[title]
                self.assertEqual((e["start"], e["end"], e["tz"]),
                                 (start, end, tz), (name, title))
            seen += len(want)
            self.assertEqual(len(got), seen, name)
            self.assertEqual([(x["title"], x["result"]) for x in r["items"]],
                             [(w[0], "created") for w in want], name)
            self.assertTrue(all(x["line"] > 0 for x in r["items"]))
            # again: the same events, none doubled
            st, r = self.post(body)
            self.assertEqual((r["created"], r["unchanged"]), (0, len(want)),
                             name)
            self.assertEqual({x["result"] for x in r["items"]},
                             {"unchanged"}, name)
            self.assertEqual(len(self.events()), seen, name)
        got = {e["title"]: e for e in self.events()}
        lunch = got["Thunderbird exported reps lunch"]
        self.assertEqual(lunch["rrule"], "FREQ=WEEKLY;COUNT=3")
        self.assertEqual(lunch["exdates"], ["2027-08-13T14:00:00"])
        self.assertTrue(lunch["uid"].startswith("import-"))
        self.assertIsNone(got["Summer branch meeting (Google)"]["location"])
        self.assertIsNone(got["Summer branch meeting (Google)"]
                          ["description"])

    def test_floating_times_in_the_calendars_zone(self):
        st, r = self.post(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google "
            "Calendar 70.9054//EN\r\nX-WR-TIMEZONE:Europe/Paris\r\n"
            "BEGIN:VEVENT\r\nUID:paris@google.com\r\nDTSTAMP:20261201T1200"
            "00Z\r\nDTSTART:20270701T180000\r\nDTEND:20270701T190000\r\n"
            "SUMMARY:Paris\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        self.assertEqual(st, 200, r)
        e = self.events()[0]
        self.assertEqual((e["start"], e["tz"]),
                         ("2027-07-01T18:00:00", "Europe/Paris"))

    def test_a_zone_like_no_other_is_read_by_its_own_rules(self):
        st, r = self.post(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n"
            "BEGIN:VTIMEZONE\r\nTZID:Nowhere Standard Time\r\n"
            "BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
            "TZOFFSETFROM:+0517\r\nTZOFFSETTO:+0517\r\nEND:STANDARD\r\n"
            "END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:odd@x\r\n"
            "DTSTAMP:20261201T120000Z\r\nDTSTART;TZID=Nowhere Standard "
            "Time:20270110T151700\r\nDTEND;TZID=Nowhere Standard Time:"
            "20270110T161700\r\nSUMMARY:Odd\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n")
        self.assertEqual(st, 200, r)
        e = self.events()[0]
        # 15:17 at +05:17 is 10:00 UTC, 10:00 in London in January
        self.assertEqual((e["start"], e["tz"]),
                         ("2027-01-10T10:00:00", "Europe/London"))

    def test_refusals_store_nothing(self):
        st, r = self.post("Subject: hello\r\n\r\nThis is a letter.\r\n")
        self.assertEqual(st, 400)
        self.assertIn("line 1", r["error"]["message"])
        good = ("BEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20261201T120000Z\r\n"
                "DTSTART:20270701T180000Z\r\nSUMMARY:Fine\r\nEND:VEVENT\r\n")
        bad = ("BEGIN:VEVENT\r\nUID:b@x\r\nDTSTART;TZID=Mars/Olympus:"
               "20270701T180000\r\nSUMMARY:Nowhere\r\nEND:VEVENT\r\n")
        st, r = self.post("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + good + bad +
                          "END:VCALENDAR\r\n")
        self.assertEqual(st, 400)
        self.assertIn("Mars/Olympus", r["error"]["message"])
        self.assertIn("line ", r["error"]["message"])
        self.assertEqual(self.events(), [])
        # (a file over the size cap: 413, in test_http.c)


if __name__ == "__main__":
    unittest.main(verbosity=2)
