#!/usr/bin/python3
"""Double-booking, on the real daemon: a meeting that would book a host,
the organiser, someone with a place or a room already booked at an
overlapping time is refused with 409 and the clashes, unless forced
(and the override is in the audit log).  Across time zones and the
clock change, with series expanded and all-day meetings; cancelled
ones book nobody.  The official's form shows the clashes and a tick
to book it anyway.
Run: test_clash.py path/to/quorum"""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"


class ClashTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("demo")
        self.token = q.out("token", "issue", "--member", "2", "--scope",
                           "api").split()[-1]
        q.serve()

    def tearDown(self):
        self.q.close()

    def post(self, body, path="/api/v1/events", method="POST"):
        st, h, data = self.q.http(method, path, body, token=self.token)
        return st, json.loads(data)

    def event(self, title, start, end, **kw):
        body = {"title": title, "kind": "other", "audiences": ["reps"],
                "start": start, "end": end}
        body.update(kw)
        return self.post(body)

    def count(self):
        return len(self.q.out("event", "list").splitlines())

    def test_a_double_booked_host(self):
        st, a = self.event("JES panel", "2027-03-10T10:00", "2027-03-10T12:00",
                           hosts=[1, 3])
        self.assertEqual(st, 201)
        n = self.count()
        st, r = self.event("Branch meeting", "2027-03-10T11:30",
                           "2027-03-10T13:00", hosts=[3])
        self.assertEqual(st, 409, r)
        e = r["error"]
        self.assertEqual(e["code"], "conflict")
        self.assertEqual(e["clashes"], [{
            "id": a["id"], "title": "JES panel",
            "start": "2027-03-10T10:00:00", "end": "2027-03-10T12:00:00Z",
            "tz": "Europe/London", "who": ["Sam Okafor"]}])
        self.assertIn("Sam Okafor", e["message"])
        self.assertEqual(self.count(), n)          # nothing was made
        # back to back is not a clash
        st, r = self.event("Branch meeting", "2027-03-10T12:00",
                           "2027-03-10T13:00", hosts=[3])
        self.assertEqual(st, 201, r)
        # forced: made, and the override is in the audit log
        st, r = self.event("Emergency meeting", "2027-03-10T11:00",
                           "2027-03-10T11:30", hosts=[1], force=True)
        self.assertEqual(st, 201, r)
        audit = json.loads(self.q.out("audit", "--json"))["items"]
        forced = [x for x in audit if x["verb"] == "event.force"]
        self.assertEqual(len(forced), 1)
        self.assertEqual(forced[0]["object"], "event/%d" % r["id"])
        self.assertIn("over 1 clash", forced[0]["detail"])
        # moving a meeting onto a booked host is refused the same way
        st, b = self.event("Later", "2027-03-11T10:00", "2027-03-11T11:00",
                           hosts=[1])
        st, r = self.post({"start": "2027-03-10T10:30",
                           "end": "2027-03-10T11:00"},
                          "/api/v1/events/%d" % b["id"], "PATCH")
        self.assertEqual(st, 409, r)
        self.assertEqual(self.post({}, "/api/v1/events/%d" % b["id"],
                                   "GET")[1]["start"], "2027-03-11T10:00:00")
        # a change that books nobody new is not checked again
        st, r = self.post({"title": "Emergency meeting (room 2)"},
                          "/api/v1/events/%d" % self.forced_id(audit),
                          "PATCH")
        self.assertEqual(st, 200, r)
        # a cancelled meeting books nobody
        self.assertEqual(self.post({}, "/api/v1/events/%d" % a["id"],
                                   "DELETE")[0], 200)
        st, r = self.event("In its place", "2027-03-10T10:00",
                           "2027-03-10T11:00", hosts=[3])
        self.assertEqual(st, 201, r)

    def forced_id(self, audit):
        return int([x for x in audit if x["verb"] == "event.force"][0]
                   ["object"].split("/")[1])

    def test_across_zones_and_the_clock_change(self):
        # weekly on Mondays 18:00 London, over the October change
        st, s = self.event("Weekly reps' call", "2027-10-18T18:00",
                           "2027-10-18T19:00", hosts=[3],
                           rrule="FREQ=WEEKLY;COUNT=4")
        self.assertEqual(st, 201, s)
        # 1 Nov, after the change: 18:00 London is 18:00 UTC
        st, r = self.event("Call in UTC", "2027-11-01T18:30",
                           "2027-11-01T19:30", tz="UTC", hosts=[3])
        self.assertEqual(st, 409, r)
        self.assertEqual(r["error"]["clashes"][0]["start"],
                         "2027-11-01T18:00:00")
        # 18 Oct, before it: 18:00 London is 17:00 UTC; 18:00 UTC is after
        st, r = self.event("Call in UTC", "2027-10-18T18:00",
                           "2027-10-18T19:00", tz="UTC", hosts=[3])
        self.assertEqual(st, 201, r)
        # Paris at 18:30 on 25 Oct (after the change) is 17:30 UTC:
        # London's 18:00-19:00 is 18:00-19:00 UTC, no overlap
        st, r = self.event("Paris", "2027-10-25T18:30", "2027-10-25T19:00",
                           tz="Europe/Paris", hosts=[3])
        self.assertEqual(st, 201, r)
        # but 19:30 Paris is 18:30 UTC: inside it
        st, r = self.event("Paris late", "2027-10-25T19:30",
                           "2027-10-25T20:00", tz="Europe/Paris", hosts=[3])
        self.assertEqual(st, 409, r)
        # a left-out date books nobody
        st, r = self.post({"exdates": ["2027-11-08T18:00:00"]},
                          "/api/v1/events/%d" % s["id"], "PATCH")
        self.assertEqual(st, 200, r)
        st, r = self.event("On the day left out", "2027-11-08T18:00",
                           "2027-11-08T19:00", hosts=[3])
        self.assertEqual(st, 201, r)

    def test_an_all_day_clash(self):
        st, d = self.event("Away day", "2027-05-12", "2027-05-13",
                           all_day=True, hosts=[1])
        self.assertEqual(st, 201, d)
        st, r = self.event("Afternoon meeting", "2027-05-13T14:00",
                           "2027-05-13T15:00", hosts=[1])
        self.assertEqual(st, 409, r)
        self.assertEqual(r["error"]["clashes"][0]["title"], "Away day")
        st, r = self.event("Next morning", "2027-05-14T09:00",
                           "2027-05-14T10:00", hosts=[1])
        self.assertEqual(st, 201, r)

    def test_organiser_places_and_rooms(self):
        # the organiser is a member who hosts elsewhere
        st, a = self.event("Hosted", "2027-06-01T10:00", "2027-06-01T11:00",
                           hosts=[2])
        st, r = self.event("Organised", "2027-06-01T10:30",
                           "2027-06-01T11:30",
                           organizer="Carole.Doherty@napo.example")
        self.assertEqual(st, 409, r)
        self.assertEqual(r["error"]["clashes"][0]["who"], ["Carole Doherty"])
        # someone with a place at one is booked: moving another onto them
        st, b = self.event("Briefing", "2027-06-02T10:00", "2027-06-02T11:00",
                           audiences=["all-members"])
        st, _, _ = self.q.http("PUT", "/api/v1/events/%d/attendance/4" %
                               b["id"], {"rsvp": "accepted"},
                               token=self.token)
        self.assertEqual(st, 200)
        st, c = self.event("Workshop", "2027-06-03T10:00", "2027-06-03T11:00",
                           hosts=[4])
        self.assertEqual(st, 201, c)
        st, r = self.post({"start": "2027-06-02T10:30",
                           "end": "2027-06-02T11:30"},
                          "/api/v1/events/%d" % c["id"], "PATCH")
        self.assertEqual(st, 409, r)
        self.assertEqual(r["error"]["clashes"][0]["who"], ["Priya Shah"])
        # a room is booked as a person is
        st, r1 = self.event("In room 4", "2027-06-04T10:00",
                            "2027-06-04T11:00", room="clive-house-4")
        self.assertEqual(st, 201, r1)
        self.assertEqual(r1["location"], "Clive House, room 4, 70 Petty "
                         "France, London SW1H 9EX")
        st, r = self.event("Also room 4", "2027-06-04T10:45",
                           "2027-06-04T11:15", room="clive-house-4")
        self.assertEqual(st, 409, r)
        self.assertEqual(r["error"]["clashes"][0]["who"],
                         ["Clive House, room 4"])
        st, r = self.event("Boardroom", "2027-06-04T10:45",
                           "2027-06-04T11:15", room="napo-hq-boardroom")
        self.assertEqual(st, 201, r)
        # bad rooms: unknown, or too small for the places offered
        st, r = self.event("Nowhere", "2027-06-05T10:00", "2027-06-05T11:00",
                           room="broom-cupboard")
        self.assertEqual((st, r["error"]["field"]), (400, "room"))
        st, r = self.event("Too many", "2027-06-05T10:00", "2027-06-05T11:00",
                           room="clive-house-4", capacity=40)
        self.assertEqual((st, r["error"]["field"]), (400, "capacity"))
        self.assertIn("holds 12", r["error"]["message"])

    def test_the_form_shows_the_clashes(self):
        st, a = self.event("Employer meeting", "2027-07-07T10:00",
                           "2027-07-07T12:00", hosts=[1])
        web = Browser.signed_in(self.q, 2)
        st, r, page = web.request("GET", "/events/new")
        self.assertIn('<select id="f-room" name="room"', page)
        form = {"csrf": web.csrf(page), "title": "Branch meeting",
                "kind": "other", "aud.reps": "on", "date": "2027-07-07",
                "start_time": "11:00", "end_time": "12:00", "tz":
                "Europe/London", "hosts": "N-1001", "status": "confirmed",
                "room": ""}
        st, r, page = web.request("POST", "/events/new", form)
        self.assertEqual(st, 409)
        self.assertIn("<h2>Already booked</h2>", page)
        self.assertIn('<a href="/events/%d">Employer meeting</a>' % a["id"],
                      page)
        self.assertIn("Tania Bassett", page)
        self.assertIn('name="force"', page)
        form["force"] = "on"
        st, r, page = web.request("POST", "/events/new", form)
        self.assertEqual(st, 303, page[:400])
        eid = int(re.search(r"/events/(\d+)/", r.getheader("Location"))
                  .group(1))
        audit = json.loads(self.q.out("audit", "--json"))["items"]
        self.assertIn("event/%d" % eid, [x["object"] for x in audit
                                         if x["verb"] == "event.force"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
