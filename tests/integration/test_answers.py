#!/usr/bin/python3
"""Right answers for every user: each test here is a defect a user hit,
checked on the real daemon and the real command.
Run: test_answers.py path/to/quorum"""
import json
import os
import sqlite3
import sys
import time
import unittest

import icalendar

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"


class Answers(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("init")

        def person(name, *args):
            mid = q.out("member", "add", "--name", name, "--email",
                        name.lower().replace(" ", ".") + "@napo.example",
                        *args)
            return int(mid), q.out("token", "issue", "--member", mid,
                                   "--scope", "api")
        self.person = person
        self.off = person("Olu Official", "--role", "official")
        self.m = [person("Fac %d" % i, "--audience", "facilitators",
                         "--number", "N-%d" % i) for i in range(1, 5)]
        q.serve()

    def tearDown(self):
        self.q.close()

    def event(self, **kw):
        body = {"title": "VLO workshop", "kind": "workshop",
                "start": "2027-02-02T10:00:00", "end": "2027-02-02T12:00:00",
                "audiences": ["programmes"]}
        body.update(kw)
        st, ev = self.q.api("POST", "/events", body, self.off[1])
        self.assertEqual(st, 201, ev)
        return ev

    def put(self, event, member, body, who):
        return self.q.api("PUT", "/events/%d/attendance/%d" % (event, member),
                          body, who[1])

    def personal_feed(self, member):
        tok = self.q.out("token", "issue", "--member", str(member[0]),
                         "--scope", "feed")
        st, _, body = self.q.http("GET", "/feeds/me.ics?token=" + tok)
        self.assertEqual(st, 200)
        return icalendar.Calendar.from_ical(body)

    def vevent(self, cal, uid):
        for c in cal.walk("VEVENT"):
            if str(c["UID"]) == uid and "RECURRENCE-ID" not in c:
                return c
        self.fail("no event " + uid)

    # 1. a member on the waiting list is not told they have a place
    def test_waiting_list_in_the_personal_feed(self):
        ev = self.event(capacity=1)
        m1, m2, m3 = self.m[:3]
        for m in (m1, m2, m3):
            self.assertEqual(self.put(ev["id"], m[0], {"rsvp": "accepted"},
                                      m)[0], 200)
        e = self.vevent(self.personal_feed(m3), ev["uid"])
        self.assertEqual(e["ATTENDEE"].params["PARTSTAT"], "TENTATIVE")
        self.assertIn("You are number 2 on the waiting list",
                      str(e["DESCRIPTION"]))
        e = self.vevent(self.personal_feed(m2), ev["uid"])
        self.assertEqual(e["ATTENDEE"].params["PARTSTAT"], "TENTATIVE")
        self.assertIn("You are number 1 on the waiting list",
                      str(e["DESCRIPTION"]))
        e = self.vevent(self.personal_feed(m1), ev["uid"])
        self.assertEqual(e["ATTENDEE"].params["PARTSTAT"], "ACCEPTED")
        # a place frees: m2 gets it, m3 moves up
        self.assertEqual(self.put(ev["id"], m1[0], {"rsvp": "declined"},
                                  m1)[0], 200)
        e = self.vevent(self.personal_feed(m2), ev["uid"])
        self.assertEqual(e["ATTENDEE"].params["PARTSTAT"], "ACCEPTED")
        self.assertNotIn("waiting list", str(e.get("DESCRIPTION", "")))
        e = self.vevent(self.personal_feed(m3), ev["uid"])
        self.assertIn("You are number 1 on the waiting list",
                      str(e["DESCRIPTION"]))
        st, l = self.q.api("GET", "/events/%d/attendance" % ev["id"],
                           token=self.off[1])
        pos = {x["member"]: x["waiting_position"] for x in l["items"]}
        self.assertEqual(pos, {m1[0]: None, m2[0]: None, m3[0]: 1})

    # 10. two who join the waiting list in the same second keep their order
    def test_waiting_list_order_within_one_second(self):
        ev = self.event(capacity=1)
        m1, m2, m3, m4 = self.m
        self.put(ev["id"], m1[0], {"rsvp": "accepted"}, m1)
        # m4 (the higher id) joins first, m2 after, in the same second
        self.put(ev["id"], m4[0], {"rsvp": "accepted"}, m4)
        self.put(ev["id"], m2[0], {"rsvp": "accepted"}, m2)
        con = sqlite3.connect(self.q.db)
        con.execute("UPDATE attendance SET rsvp_at = 1800000000 WHERE "
                    "waitlisted > 0")
        con.commit()
        con.close()
        self.put(ev["id"], m1[0], {"rsvp": "declined"}, m1)
        st, l = self.q.api("GET", "/events/%d/attendance" % ev["id"],
                           token=self.off[1])
        by = {x["member"]: x for x in l["items"]}
        self.assertFalse(by[m4[0]]["waitlisted"], "m4 joined first")
        self.assertTrue(by[m2[0]]["waitlisted"])

    # 2. the order rule holds from both ends, without cycles, and clears
    def test_order_rule_from_both_ends(self):
        q, tok = self.q, self.off[1]
        w = self.event(title="Workshop")
        p = self.event(title="JES panel", start="2027-02-24T09:30:00",
                       end="2027-02-24T16:00:00", after=w["id"])
        before = q.snapshot()
        # moving the earlier event past the later one is refused
        st, r = q.api("PATCH", "/events/%d" % w["id"],
                      {"start": "2027-03-01T10:00:00",
                       "end": "2027-03-01T12:00:00"}, tok)
        self.assertEqual(st, 409, r)
        self.assertIn("JES panel", r["error"]["message"])
        # a cycle is refused
        st, r = q.api("PATCH", "/events/%d" % w["id"], {"after": p["id"]},
                      tok)
        self.assertEqual(st, 409, r)
        self.assertIn("cycle", r["error"]["message"])
        self.assertEqual(q.snapshot(), before)
        # a change that moves nothing is never refused by the rule
        st, r = q.api("PATCH", "/events/%d" % p["id"],
                      {"title": "JES panel (VLO)"}, tok)
        self.assertEqual(st, 200, r)
        # "after": null clears it; then the workshop may move
        st, r = q.api("PATCH", "/events/%d" % p["id"], {"after": None}, tok)
        self.assertEqual((st, r["after"]), (200, None))
        st, r = q.api("PATCH", "/events/%d" % w["id"],
                      {"start": "2027-03-01T10:00:00",
                       "end": "2027-03-01T12:00:00"}, tok)
        self.assertEqual(st, 200, r)
        # the CLI: --after none
        p2 = self.event(title="Panel 2", start="2027-04-01T10:00:00",
                        end="2027-04-01T11:00:00", after=w["id"])
        out = json.loads(q.out("event", "update", str(p2["id"]), "--after",
                               "none"))
        self.assertIsNone(out["after"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
