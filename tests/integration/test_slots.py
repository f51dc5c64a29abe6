#!/usr/bin/python3
"""Free/busy and the slot finder on the real daemon: busy times of
members (titles only of meetings the caller may see, and as VFREEBUSY
read by python3-icalendar), the earliest times when all are free inside
working hours (each member's own), never on a bank holiday of England
and Wales, around the spring clock change, and with a room.  The bank
holiday file is checked against python3-holidays.
Run: test_slots.py path/to/quorum"""
import datetime
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
HOLIDAYS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "..", "data", "bank-holidays-england-and-wales.txt")


class SlotsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        q = cls.q = Quorum(BINARY)
        q.cli("demo")
        cls.token = q.out("token", "issue", "--member", "2", "--scope",
                          "api").split()[-1]
        cls.rep = q.out("token", "issue", "--member", "3", "--scope",
                        "api").split()[-1]
        cls.member = q.out("token", "issue", "--member", "4", "--scope",
                           "api").split()[-1]
        q.serve()

    @classmethod
    def tearDownClass(cls):
        cls.q.close()

    def get(self, path, token=None):
        st, h, body = self.q.http("GET", path, token=token or self.token)
        return st, (json.loads(body) if body.startswith(b"{") else body)

    def add(self, **kw):
        body = {"kind": "other", "audiences": ["reps"]}
        body.update(kw)
        st, h, data = self.q.http("POST", "/api/v1/events", body,
                                  token=self.token)
        self.assertEqual(st, 201, data)
        return json.loads(data)

    def slots(self, **args):
        q = "&".join("%s=%s" % kv for kv in args.items())
        st, r = self.get("/api/v1/slots?" + q)
        self.assertEqual(st, 200, r)
        return [(x["start"], x["end"]) for x in r["items"]]

    def test_the_holiday_file_is_right(self):
        import holidays
        mine = {}
        with open(HOLIDAYS) as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    mine[line[:10]] = line[11:].strip()
        years = {int(d[:4]) for d in mine}
        self.assertGreaterEqual(max(years), 2030)
        theirs = holidays.UK(state="England", years=sorted(years))
        want = {d.isoformat() for d, name in theirs.items()
                if d.weekday() < 5 and ("[" not in name or
                                        "England" in name)}
        self.assertEqual(set(mine), want)

    def test_around_a_bank_holiday(self):
        # Fri 28 May 2027, then the weekend and Spring Bank Holiday
        got = self.slots(members="1,3", duration="PT8H", **{
            "from": "2027-05-28", "to": "2027-06-02"})
        self.assertEqual(got, [("2027-05-28T09:00:00", "2027-05-28T17:00:00"),
                               ("2027-06-01T09:00:00", "2027-06-01T17:00:00"),
                               ("2027-06-02T09:00:00", "2027-06-02T17:00:00")])
        # Christmas: 25 and 28 Dec 2026 are holidays, 26-27 a weekend
        got = self.slots(members="1", duration="PT8H", **{
            "from": "2026-12-24", "to": "2026-12-29"})
        self.assertEqual([s[:10] for s, e in got],
                         ["2026-12-24", "2026-12-29"])

    def test_busy_people_and_rooms(self):
        self.add(title="Hosted by Tania", start="2027-06-08T10:00",
                 end="2027-06-08T11:00", hosts=[1])
        b = self.add(title="Officials only", start="2027-06-08T14:00",
                     end="2027-06-08T15:30", hosts=[1],
                     audiences=["officials"])
        got = self.slots(members="1,3", duration="PT2H", **{
            "from": "2027-06-08", "to": "2027-06-08"})
        # 09-10 is too short, 14:00-15:30 is taken, 15:30 ends after 17
        self.assertEqual(got, [("2027-06-08T11:00:00",
                                "2027-06-08T13:00:00")])
        # a member's own hours: Sam works Tue-Thu 08:00-16:00
        st, h, d = self.q.http("PATCH", "/api/v1/members/3", {
            "work_hours": "Tue-Thu 08:00-16:00"}, token=self.token)
        self.assertEqual(st, 200, d)
        got = self.slots(members="3", duration="PT1H", **{
            "from": "2027-06-07", "to": "2027-06-09"})
        self.assertEqual(got[0], ("2027-06-08T08:00:00",
                                  "2027-06-08T09:00:00"))
        self.assertNotIn("2027-06-07", [s[:10] for s, e in got])  # a Monday
        got = self.slots(members="1,3", duration="PT2H", **{
            "from": "2027-06-08", "to": "2027-06-08"})
        self.assertEqual(got, [("2027-06-08T11:00:00",
                                "2027-06-08T13:00:00")])   # 09:00-16:00
        # a room booked in the morning
        self.add(title="Room 4 taken", start="2027-06-09T09:00",
                 end="2027-06-09T12:00", room="clive-house-4")
        got = self.slots(members="1", duration="PT1H", room="clive-house-4",
                         **{"from": "2027-06-09", "to": "2027-06-09"})
        self.assertEqual(got[0][0], "2027-06-09T12:00:00")
        # free/busy: the rep sees when Tania is busy, and with what only
        # for the meetings of his own audiences
        st, r = self.get("/api/v1/freebusy?members=1&from=2027-06-08&"
                         "to=2027-06-08", token=self.rep)
        self.assertEqual(st, 200, r)
        busy = r["items"][0]["busy"]
        self.assertEqual([(x["start"], x["end"]) for x in busy],
                         [("2027-06-08T10:00:00", "2027-06-08T11:00:00"),
                          ("2027-06-08T14:00:00", "2027-06-08T15:30:00")])
        self.assertEqual(busy[0]["title"], "Hosted by Tania")
        self.assertNotIn("title", busy[1])
        self.assertNotIn("event", busy[1])
        st, r = self.get("/api/v1/freebusy?members=1&from=2027-06-08&"
                         "to=2027-06-08")
        self.assertEqual(r["items"][0]["busy"][1]["event"], b["id"])
        # as iCalendar, read by python3-icalendar
        st, ics = self.get("/api/v1/freebusy?members=1,3&from=2027-06-08&"
                           "to=2027-06-08&format=ics")
        self.assertEqual(st, 200)
        import icalendar
        cal = icalendar.Calendar.from_ical(ics)
        fbs = [c for c in cal.walk("VFREEBUSY")]
        self.assertEqual(len(fbs), 2)
        periods = fbs[0].get("FREEBUSY")
        periods = periods if isinstance(periods, list) else [periods]
        self.assertEqual([p.start for p in periods], [
            datetime.datetime(2027, 6, 8, 9, 0, tzinfo=datetime.timezone.utc),
            datetime.datetime(2027, 6, 8, 13, 0,
                              tzinfo=datetime.timezone.utc)])

    def test_the_spring_clock_change(self):
        # Sunday 28 March 2027: 01:00-02:00 does not exist in London
        st, h, d = self.q.http("PATCH", "/api/v1/members/5", {
            "work_hours": "Sun 00:30-03:00"}, token=self.token)
        self.assertEqual(st, 200, d)
        got = self.slots(members="5", duration="PT30M", **{
            "from": "2027-03-28", "to": "2027-03-28"})
        self.assertEqual(got, [("2027-03-28T00:30:00", "2027-03-28T02:00:00"),
                               ("2027-03-28T02:00:00", "2027-03-28T02:30:00"),
                               ("2027-03-28T02:30:00", "2027-03-28T03:00:00")])

    def test_the_page(self):
        from qtest import Browser
        web = Browser.signed_in(self.q, 2)
        st, r, page = web.request(
            "GET", "/schedule?people=N-1001,+amina.yusuf@napo.example&"
            "duration=PT8H&from=2027-05-28&to=2027-06-01&room=")
        self.assertEqual(st, 200, page[:300])
        link = ('/events/new?date=2027-05-28&amp;start_time=09%3A00&amp;'
                'end_time=17%3A00&amp;hosts=N-1001%2CN-1006')
        self.assertIn(link, page)
        self.assertIn("2027-06-01", page)
        self.assertNotIn("2027-05-31", page)      # the bank holiday
        self.assertIn("<h2>When each is busy</h2>", page)
        st, r, page = web.request("GET", link.replace("&amp;", "&"))
        self.assertEqual(st, 200)
        self.assertIn('id="f-date" name="date" aria-describedby="f-date-'
                      'hint" value="2027-05-28"', page)
        self.assertIn('id="f-hosts" name="hosts" aria-describedby="f-hosts-'
                      'hint" value="N-1001,N-1006"', page)
        # someone unknown: said at the field, nothing found
        st, r, page = web.request("GET", "/schedule?people=N-9999&"
                                  "duration=PT1H")
        self.assertEqual(st, 400)
        self.assertIn('id="f-people-error"', page)
        self.assertIn("N-9999", page)
        # not for members
        self.assertEqual(Browser.signed_in(self.q, 4).request(
            "GET", "/schedule")[0], 404)

    def test_refusals(self):
        for q, field in [("members=1&duration=2h", "duration"),
                         ("members=1&duration=PT10M", "duration"),
                         ("members=99&duration=PT1H", "members"),
                         ("members=&duration=PT1H", "members"),
                         ("members=1&duration=PT1H&from=2027-01-01&"
                          "to=2029-01-01", "to"),
                         ("members=1&duration=PT1H&room=attic", "room")]:
            st, r = self.get("/api/v1/slots?" + q)
            self.assertEqual((st, r["error"]["field"]), (400, field), q)
        st, r = self.get("/api/v1/slots?members=1&duration=PT1H",
                         token=self.member)
        self.assertEqual(st, 403)
        st, h, d = self.q.http("PATCH", "/api/v1/members/3", {
            "work_hours": "weekdays"}, token=self.token)
        self.assertEqual(st, 400)
        self.assertEqual(json.loads(d)["error"]["field"], "work_hours")
        # the command line says the same
        out = self.q.out("slots", "--member", "1", "--duration", "PT8H",
                         "--from", "2027-05-28", "--to", "2027-06-01")
        self.assertEqual(out.splitlines(), [
            "2027-05-28  09:00 to 17:00  (Europe/London)",
            "2027-06-01  09:00 to 17:00  (Europe/London)"])
        p = self.q.cli("slots", "--member", "1", "--duration", "soon",
                       check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("duration", p.stderr.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
