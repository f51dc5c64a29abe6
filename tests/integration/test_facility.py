#!/usr/bin/python3
"""Facility time on a fixture year (1 April 2025 to 31 March 2026):
hours by kind (the meeting, preparation and travel; an all-day event as
a working day of the member's contract; a series' dates; hosts and
those present; nothing for cancelled meetings, plain members or dates
outside the year), full-time equivalents and the percentage bands, all
worked out by hand here.  The CSV parses and says the same; the API
and the official's page show the same figures; a rep's time-off
request to a line manager, printed and sent through the outbox.
Run: test_facility.py path/to/quorum"""
import csv
import io
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
YEAR = ("2025-04-01", "2026-03-31")
WEEKS = 365 / 7


class FacilityTest(unittest.TestCase):
    def setUp(self):
        os.environ["QUORUM_FACILITY_EMPLOYER_MEETING"] = "0.25,0.75"
        q = self.q = Quorum(BINARY)
        q.cli("init")

        def member(name, role, hours=None, audience="reps"):
            args = ["member", "add", "--name", name, "--email",
                    name.split()[0].lower() + "@napo.example", "--role",
                    role, "--audience", audience]
            if hours:
                args += ["--contract-hours", hours]
            return q.out(*args).strip()
        self.a = member("Alex Rep", "rep")
        self.b = member("Bea Official", "official", "18.5")
        self.c = member("Cal Rep", "rep")
        self.d = member("Dee Member", "member")

        def event(title, kind, start, end, *extra):
            return json.loads(q.out("event", "add", "--title", title,
                                    "--kind", kind, "--audience", "reps",
                                    "--start", start, "--end", end,
                                    "--force", *extra))["id"]

        def present(ev, m, occ=None):
            args = ["attend", str(ev), m, "--status", "present", "--force"]
            if occ:
                args += ["--occurrence", occ]
            q.cli(*args)
        e1 = event("Pay talks", "employer_meeting", "2025-05-01T10:00",
                   "2025-05-01T12:00", "--host", self.b)
        present(e1, self.a)
        present(e1, self.b)            # hosting and present: once
        event("JES panel", "jes_panel", "2025-06-03T09:30",
              "2025-06-03T16:00", "--rrule", "FREQ=WEEKLY;COUNT=3",
              "--host", self.b)
        e3 = event("Workshop", "workshop", "2025-07-10T18:00",
                   "2025-07-10T19:30")
        present(e3, self.a)
        present(e3, self.d)            # a plain member: not counted
        e4 = event("Briefing", "member_briefing", "2026-04-02T12:00",
                   "2026-04-02T13:00")
        present(e4, self.a)            # after the year
        e5 = event("Cancelled talks", "employer_meeting", "2025-08-01T10:00",
                   "2025-08-01T12:00", "--host", self.b)
        q.cli("event", "cancel", str(e5))
        e6 = event("Training day", "away_day", "2025-09-15", "2025-09-15",
                   "--all-day")
        present(e6, self.a)
        # a series: Alex present at one of its dates
        e7 = event("Casework clinic", "other", "2025-10-20T10:00",
                   "2025-10-20T11:00", "--rrule", "FREQ=WEEKLY;COUNT=2")
        present(e7, self.a, "2025-10-27T10:00")
        # by hand: (meeting + preparation + travel)
        self.want = {
            self.a: {"employer_meeting": 2 + 0.25 + 0.75,
                     "workshop": 1.5 + 1,
                     "away_day": 37 / 5 + 0 + 1,
                     "other": 1.0},
            self.b: {"employer_meeting": 2 + 0.25 + 0.75,
                     "jes_panel": 3 * (6.5 + 2 + 0.5)},
            self.c: {},
        }
        self.contract = {self.a: 37, self.b: 18.5, self.c: 37}

    def tearDown(self):
        del os.environ["QUORUM_FACILITY_EMPLOYER_MEETING"]
        self.q.close()

    def expected(self, m):
        total = sum(self.want[m].values())
        pct = total / (self.contract[m] * WEEKS) * 100
        band = ("0%" if total == 0 else "1-50%" if pct <= 50 else
                "51-99%" if pct < 100 else "100%")
        return total, pct, band

    def test_report_csv_api_and_page(self):
        rep = json.loads(self.q.out("report", "facility-time", "--from",
                                    YEAR[0], "--to", YEAR[1]))
        rows = {str(r["member_id"]): r for r in rep["members"]}
        self.assertEqual(set(rows), {self.a, self.b, self.c})
        for m in (self.a, self.b, self.c):
            total, pct, band = self.expected(m)
            self.assertEqual(rows[m]["hours"].keys(), self.want[m].keys())
            for kind, h in self.want[m].items():
                self.assertAlmostEqual(rows[m]["hours"][kind], h, places=2)
            self.assertAlmostEqual(rows[m]["total"], total, places=2)
            self.assertAlmostEqual(rows[m]["percent"], pct, places=2)
            self.assertEqual(rows[m]["band"], band)
        self.assertEqual(rep["return"]["officials"], 3)
        self.assertAlmostEqual(rep["return"]["fte"], (37 + 18.5 + 37) / 37,
                               places=2)
        self.assertEqual(rep["return"]["bands"],
                         {"0%": 1, "1-50%": 2, "51-99%": 0, "100%": 0})
        # the CSV: a header, a row a member and kind
        text = self.q.out("report", "facility-time", "--from", YEAR[0],
                          "--to", YEAR[1], "--csv")
        got = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(list(got[0].keys()),
                         ["member_id", "name", "kind", "hours"])
        seen = {}
        for r in got:
            seen[(r["member_id"], r["kind"])] = float(r["hours"])
        want = {(m, k): h for m, kinds in self.want.items()
                for k, h in kinds.items()}
        self.assertEqual(set(seen), set(want))
        for key, h in want.items():
            self.assertAlmostEqual(seen[key], h, places=2)
        # one member, and bad input
        one = json.loads(self.q.out("report", "facility-time", "--from",
                                    YEAR[0], "--to", YEAR[1], "--member",
                                    self.a))
        self.assertEqual([r["member_id"] for r in one["members"]],
                         [int(self.a)])
        for args in (["--from", "2025-13-01", "--to", YEAR[1]],
                     ["--from", YEAR[1], "--to", YEAR[0]],
                     ["--from", YEAR[0]]):
            p = self.q.cli("report", "facility-time", *args, check=False)
            self.assertNotEqual(p.returncode, 0, args)
        # the API: the same; a rep may read their own only
        self.q.serve()
        off = self.q.out("token", "issue", "--member", self.b, "--scope",
                         "api").split()[-1]
        rep_tok = self.q.out("token", "issue", "--member", self.a,
                             "--scope", "api").split()[-1]
        st, body = self.q.api("GET", "/reports/facility-time?from=%s&to=%s"
                              % YEAR, token=off)
        self.assertEqual((st, body), (200, rep))
        st, body = self.q.api("GET", "/reports/facility-time?from=%s&to=%s"
                              % YEAR, token=rep_tok)
        self.assertEqual(st, 403)
        st, body = self.q.api("GET", "/reports/facility-time?from=%s&to=%s"
                              "&member=%s" % (YEAR + (self.a,)),
                              token=rep_tok)
        self.assertEqual(st, 200)
        # the page: the same figures, and a chart
        web = Browser.signed_in(self.q, int(self.b))
        st, _, page = web.request(
            "GET", "/reports/facility-time?from=%s&to=%s" % YEAR)
        self.assertEqual(st, 200)
        self.assertIn("<svg", page)
        self.assertIn("<dd>3</dd>", page)
        self.assertIn("<dd>2.50</dd>", page)
        for m in (self.a, self.b):
            total, pct, band = self.expected(m)
            self.assertIn("<td>%.2f</td><td>%.2f %% (%s)</td>" % (
                total, pct, band), page)
        st, r, csvtext = web.request(
            "GET", "/reports/facility-time.csv?from=%s&to=%s" % YEAR)
        self.assertEqual(list(csv.DictReader(io.StringIO(csvtext))), got)
        # a rep may not see the office's page
        st, _, _ = Browser.signed_in(self.q, int(self.a)).request(
            "GET", "/reports/facility-time")
        self.assertEqual(st, 404)

    def test_time_off_request(self):
        ev = json.loads(self.q.out(
            "event", "add", "--title", "Grading appeal panel", "--kind",
            "jes_panel", "--audience", "reps", "--start",
            "2027-05-04T10:00", "--end", "2027-05-04T13:00", "--location",
            "Clive House"))["id"]
        self.q.serve()
        web = Browser.signed_in(self.q, int(self.a))
        st, _, page = web.request("GET", "/events/%d" % ev)
        self.assertIn("/events/%d/time-off" % ev, page)
        st, _, page = web.request("GET", "/events/%d/time-off" % ev)
        self.assertEqual(st, 200)
        self.assertIn("section 168", page)
        self.assertIn("5.5 hours in all: 3.0 the meeting, 2.0 preparation, "
                      "0.5 travel", page)
        self.assertIn("Clive House", page)
        csrf = web.csrf(page)
        st, _, page = web.request("POST", "/events/%d/time-off" % ev, {
            "csrf": csrf, "manager": "not an address"})
        self.assertEqual(st, 400)
        self.assertIn("manager&#39;s e-mail address", page.replace(
            "&#x27;", "&#39;").replace("'", "&#39;"))
        self.assertEqual(json.loads(self.q.out(
            "outbox", "list", "--json"))["items"], [])
        st, _, page = web.request("POST", "/events/%d/time-off" % ev, {
            "csrf": csrf, "manager": "line.manager@justice.example"})
        self.assertEqual(st, 200)
        self.assertIn("Sent to your manager", page)
        mails = json.loads(self.q.out("outbox", "list", "--json"))["items"]
        self.assertEqual(sorted(m["recipient"] for m in mails),
                         ["alex@napo.example",
                          "line.manager@justice.example"])
        self.assertTrue(all(re.match(r"Time off request: Grading appeal "
                                     r"panel, 2027-05-04", m["subject"])
                            for m in mails))
        # a plain member has no such page
        st, _, _ = Browser.signed_in(self.q, int(self.d)).request(
            "GET", "/events/%d/time-off" % ev)
        self.assertEqual(st, 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
