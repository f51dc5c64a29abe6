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
        # a place frees: it is offered to m2, held, and m2 takes it;
        # m3 moves up
        self.assertEqual(self.put(ev["id"], m1[0], {"rsvp": "declined"},
                                  m1)[0], 200)
        e = self.vevent(self.personal_feed(m2), ev["uid"])
        self.assertEqual(e["ATTENDEE"].params["PARTSTAT"], "TENTATIVE")
        st, r = self.put(ev["id"], m2[0], {"rsvp": "accepted"}, m2)
        self.assertEqual((st, r["waitlisted"]), (200, False))
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
        self.assertIn("offered_until", by[m4[0]], "m4 joined first")
        self.assertNotIn("offered_until", by[m2[0]])
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

    # 3. --exdate adds, --no-exdate takes back, --clear-exdates clears
    def test_exdates_add_and_remove(self):
        q = self.q
        ev = json.loads(q.out(
            "event", "add", "--title", "Drop-in", "--kind", "other",
            "--audience", "facilitators", "--start", "2027-01-07T12:30",
            "--end", "2027-01-07T13:15", "--rrule", "FREQ=WEEKLY;COUNT=12",
            "--exdate", "2027-01-21T12:30"))
        eid = str(ev["id"])
        ev = json.loads(q.out("event", "update", eid, "--exdate",
                              "2027-02-04T12:30"))
        self.assertEqual(ev["exdates"], ["2027-01-21T12:30:00",
                                         "2027-02-04T12:30:00"])
        ev = json.loads(q.out("event", "update", eid, "--no-exdate",
                              "2027-01-21T12:30"))
        self.assertEqual(ev["exdates"], ["2027-02-04T12:30:00"])
        before = q.snapshot()
        p = q.cli("event", "update", eid, "--no-exdate", "2027-01-14T12:30",
                  check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("not left out", p.stderr.decode())
        self.assertEqual(q.snapshot(), before)
        ev = json.loads(q.out("event", "update", eid, "--clear-exdates",
                              "--exdate", "2027-03-04T12:30"))
        self.assertEqual(ev["exdates"], ["2027-03-04T12:30:00"])
        # the API's PATCH replaces the list, as documented
        st, ev = q.api("PATCH", "/events/" + eid,
                       {"exdates": ["2027-01-14T12:30:00"]}, self.off[1])
        self.assertEqual((st, ev["exdates"]), (200, ["2027-01-14T12:30:00"]))

    # 4. times that do not exist, EXDATEs of no date, early check-ins
    def test_impossible_times_refused(self):
        q, tok = self.q, self.off[1]
        before = q.snapshot()
        st, r = q.api("POST", "/events", {
            "title": "Spring", "kind": "other", "audiences": ["programmes"],
            "start": "2027-03-28T01:30:00", "end": "2027-03-28T03:00:00"},
            tok)
        self.assertEqual((st, r["error"]["field"]), (400, "start"), r)
        self.assertIn("from 01:00 to 02:00", r["error"]["message"])
        st, r = q.api("POST", "/events", {
            "title": "Spring NY", "kind": "other", "tz": "America/New_York",
            "audiences": ["programmes"], "start": "2027-03-14T01:00:00",
            "end": "2027-03-14T02:30:00"}, tok)
        self.assertEqual((st, r["error"]["field"]), (400, "end"), r)
        self.assertIn("from 02:00 to 03:00", r["error"]["message"])
        st, r = q.api("POST", "/events", {
            "title": "Drop-in", "kind": "other", "audiences": ["programmes"],
            "start": "2027-01-07T12:30:00", "end": "2027-01-07T13:00:00",
            "rrule": "FREQ=WEEKLY;COUNT=4",
            "exdates": ["2027-01-15T12:30:00"]}, tok)
        self.assertEqual((st, r["error"]["field"]), (400, "exdates"), r)
        p = q.cli("event", "add", "--title", "x", "--kind", "other",
                  "--audience", "programmes", "--start", "2027-03-28T01:00",
                  "--end", "2027-03-28T01:59", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("does not exist in Europe/London", p.stderr.decode())
        self.assertEqual(q.snapshot(), before)
        # the autumn hour that happens twice is a real time
        self.event(start="2027-10-31T01:30:00", end="2027-10-31T02:30:00")
        # a check-in more than a day early is refused unless forced
        ev = self.event(start="2027-02-02T10:00:00")
        before = q.snapshot()
        st, r = q.api("POST", "/events/%d/checkin" % ev["id"],
                      {"numbers": ["N-1"]}, tok)
        self.assertEqual((st, r["error"]["field"]), (400, "status"), r)
        self.assertIn("more than a day", r["error"]["message"])
        st, r = self.put(ev["id"], self.m[0][0], {"status": "absent"},
                         self.off)
        self.assertEqual(st, 400)
        p = q.cli("checkin", str(ev["id"]), "N-1", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(q.snapshot(), before)
        # apologies and answers are for before the meeting: not refused
        st, r = self.put(ev["id"], self.m[1][0], {"status": "apologies"},
                         self.m[1])
        self.assertEqual(st, 200)
        st, r = q.api("POST", "/events/%d/checkin" % ev["id"],
                      {"numbers": ["N-1"], "force": True}, tok)
        self.assertEqual(st, 200)
        json.loads(q.out("checkin", str(ev["id"]), "N-3", "--force"))
        # today's meeting takes check-ins without force
        now = time.strftime("%Y-%m-%dT%H:%M:00", time.localtime(
            time.time() + 1800))
        soon = self.event(start=now, end=now[:11] + "23:59:00", tz="UTC")
        st, r = q.api("POST", "/events/%d/checkin" % soon["id"],
                      {"numbers": ["N-1"]}, tok)
        self.assertEqual(st, 200, r)

    # 5. the quorum is the event's, whoever reads it
    def test_quorum_counts_for_everyone(self):
        q = self.q
        ev = self.event(quorum=2, start="2027-02-02T10:00:00")
        q.api("POST", "/events/%d/checkin" % ev["id"],
              {"numbers": ["N-1", "N-2"], "force": True}, self.off[1])
        want = {"required": 2, "present": 2, "reached": True}
        for who in (self.off, self.m[0], self.m[3]):
            st, l = q.api("GET", "/events/%d/attendance" % ev["id"],
                          token=who[1])
            self.assertEqual((st, l["quorum"]), (200, want), who)
        st, l = q.api("GET", "/events/%d/attendance?status=absent" %
                      ev["id"], token=self.off[1])
        self.assertEqual(l["quorum"], want)
        self.assertEqual(l["items"], [])
        st, l = q.api("GET", "/events/%d/attendance" % ev["id"],
                      token=self.m[3][1])
        self.assertEqual(l["items"], [])       # their own row only: none
        text = q.out("attend", "list", str(ev["id"]))
        self.assertIn("Quorum: 2 of 2 present: reached", text)
        listed = json.loads(q.out("attend", "list", str(ev["id"]), "--json"))
        self.assertEqual(listed["quorum"], want)

    # 10. the smaller ones
    def test_audit_register_notes_action_show(self):
        q = self.q
        for i in range(8):
            q.out("member", "add", "--name", "A %d" % i, "--email",
                  "a%d@napo.example" % i)
        every = json.loads(q.out("audit"))["items"]
        five = json.loads(q.out("audit", "--limit", "5"))["items"]
        self.assertEqual([a["id"] for a in five],
                         [a["id"] for a in every[-5:]])
        after = json.loads(q.out("audit", "--since", str(every[1]["id"]),
                                 "--limit", "2"))["items"]
        self.assertEqual([a["id"] for a in after],
                         [a["id"] for a in every[2:4]])
        st, r = q.api("GET", "/audit?limit=3", token=self.off[1])
        self.assertEqual(st, 403)
        ev = self.event(start="2027-02-02T10:00:00")
        q.api("POST", "/events/%d/checkin" % ev["id"],
              {"numbers": ["N-1"], "force": True}, self.off[1])
        reg = json.loads(q.out("register", "--json", str(ev["id"])))
        self.assertEqual([x["number"] for x in reg["items"]], ["N-1"])
        text = q.out("register", str(ev["id"]))
        self.assertIn("fac.1@napo.example", text)
        q.cli("notes", str(ev["id"]), "--set", "-",
              stdin=b"Minutes\nSend all comments to Carole\n")
        self.assertEqual(q.out("notes", str(ev["id"])),
                         "Minutes\nSend all comments to Carole")
        notes = json.loads(q.out("notes", str(ev["id"]), "--json"))
        self.assertEqual(len(notes["revisions"]), 1)
        act = json.loads(q.out("action", "add", "--event", str(ev["id"]),
                               "--from-notes-line", "2", "--owner",
                               str(self.off[0])))
        shown = json.loads(q.out("action", "show", str(act["id"])))
        self.assertEqual(shown["title"], "Send all comments to Carole")
        self.assertEqual(shown["history"][0]["status"], "open")
        p = q.cli("action", "show", "999", check=False)
        self.assertEqual(p.returncode, 1)

    # the HTTP layer: 405 with Allow from the route table, one code a status
    def test_one_code_for_each_status_and_allow_from_the_table(self):
        q, tok = self.q, self.off[1]
        codes = {400: "invalid", 401: "unauthorized", 403: "forbidden",
                 404: "not_found", 405: "method_not_allowed",
                 409: "conflict", 413: "too_large",
                 415: "unsupported_media_type"}
        ev = self.event()
        later = self.event(start="2027-05-01T10:00:00",
                           end="2027-05-01T11:00:00")
        allow = {
            ("PUT", "/api/v1/events/%d" % ev["id"]):
                "GET, HEAD, PATCH, DELETE",
            ("DELETE", "/feeds/all-members.ics"): "GET, HEAD",
            ("POST", "/api/v1/events/%d/agenda" % ev["id"]): "GET, HEAD",
            ("GET", "/api/v1/events/%d/checkin" % ev["id"]): "POST",
            ("PATCH", "/api/v1/events/%d/notes" % ev["id"]):
                "GET, HEAD, PUT",
            ("POST", "/api/v1/tokens/3"): "DELETE",
        }
        for (method, path), want in allow.items():
            st, h, body = q.http(method, path, token=tok)
            self.assertEqual(st, 405, path)
            self.assertEqual(h["Allow"], want, path)
            self.assertEqual(json.loads(body)["error"]["code"],
                             "method_not_allowed")
        seen = {}
        cases = [
            ("GET", "/api/v1/events?from=soon", None, tok, None),
            ("GET", "/api/v1/events", None, None, None),
            ("GET", "/api/v1/audit", None, self.m[0][1], None),
            ("GET", "/api/v1/events/0", None, tok, None),
            ("GET", "/api/v1/no/such/thing", None, tok, None),
            ("PUT", "/api/v1/events", b"{}", tok, None),
            ("PATCH", "/api/v1/events/%d" % ev["id"], {"after": later["id"]},
             tok, None),
            ("POST", "/api/v1/events", b"{}", tok, "text/plain"),
        ]
        for method, path, body, who, ctype in cases:
            st, _, data = q.http(method, path, body, who, ctype)
            self.assertIn(st, codes, path)
            self.assertEqual(json.loads(data)["error"]["code"], codes[st],
                             (method, path))
            seen[st] = True
        import socket
        host, port = q.base.split("//")[1].split(":")

        def raw(wire):
            s = socket.create_connection((host, int(port)), 10)
            s.sendall(wire)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            s.close()
            head, _, body = data.partition(b"\r\n\r\n")
            return int(head.split()[1]), json.loads(body)
        st, body = raw(b"POST /api/v1/events HTTP/1.1\r\nHost: a\r\n"
                       b"Authorization: Bearer " + tok.encode() +
                       b"\r\nContent-Type: application/json\r\n"
                       b"Content-Length: 9999999\r\nConnection: close"
                       b"\r\n\r\n")
        self.assertEqual((st, body["error"]["code"]), (413, codes[413]))
        seen[st] = True
        self.assertEqual(sorted(seen), sorted(codes))
        # a malformed request line or headers: 400 is "invalid" too
        st, body = raw(b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b"
                       b"\r\nConnection: close\r\n\r\n")
        self.assertEqual((st, body["error"]["code"]), (400, "invalid"))

    # one field decoder: the same checks and words for every kind of body
    def test_one_field_decoder_for_every_body(self):
        q, tok = self.q, self.off[1]
        ev = self.event()
        act = q.api("POST", "/actions", {"title": "Chase", "owner":
                                         self.off[0]}, tok)[1]
        bodies = {
            "event": ("POST", "/events", {
                "kind": "workshop", "start": "2027-02-02T10:00:00",
                "end": "2027-02-02T11:00:00", "audiences": ["programmes"]},
                "title"),
            "event patch": ("PATCH", "/events/%d" % ev["id"], {}, "location"),
            "member": ("POST", "/members", {"email": "x@napo.example"},
                       "name"),
            "member patch": ("PATCH", "/members/%d" % self.m[0][0], {},
                             "branch"),
            "action": ("POST", "/actions", {"owner": self.off[0]}, "title"),
            "action patch": ("PATCH", "/actions/%d" % act["id"], {},
                             "waiting_on"),
            "attendance": ("PUT", "/events/%d/attendance/%d" %
                           (ev["id"], self.m[0][0]), {"rsvp": "accepted"},
                           "reason"),
        }
        before = q.snapshot()
        for what, (method, path, base, text_field) in bodies.items():
            def send(extra):
                b = dict(base)
                b.update(extra)
                return q.api(method, path, b, tok)
            st, r = send({"surprise": 1})
            self.assertEqual((st, r["error"]["field"]), (400, "surprise"),
                             what)
            self.assertEqual(r["error"]["message"],
                             "unknown field 'surprise'")
            st, r = send({text_field: 42})
            self.assertEqual((st, r["error"]["message"]),
                             (400, "%s must be text" % text_field), what)
            st, r = send({text_field: "x" * 20000})
            self.assertEqual(st, 400, what)
            self.assertIn("%s is longer than" % text_field,
                          r["error"]["message"])
            if text_field != "reason":     # reasons may span lines
                st, r = send({text_field: "a\u0007b"})
                self.assertEqual(st, 400, what)
                self.assertIn("control characters", r["error"]["message"])
        st, r = q.api("POST", "/events/%d/checkin" % ev["id"],
                      {"numbers": [42]}, tok)
        self.assertEqual((st, r["error"]["message"]),
                         (400, "numbers must hold non-empty texts"))
        st, r = q.api("POST", "/events/%d/checkin" % ev["id"],
                      {"numbers": ["N-1"], "surprise": 1}, tok)
        self.assertEqual(r["error"]["message"], "unknown field 'surprise'")
        self.assertEqual(q.snapshot(), before)


class FreshSetup(unittest.TestCase):
    """6 and 8: README's commands on a fresh machine, and commands that
    are refused create nothing."""

    def setUp(self):
        self.q = Quorum(BINARY)

    def tearDown(self):
        self.q.close()

    def run_q(self, *args, db=None, stdin=None):
        import subprocess
        return subprocess.run([BINARY, "--db", db or self.q.db, *args],
                              capture_output=True, input=stdin, timeout=60)

    def test_init_creates_its_folder_and_publish_its_path(self):
        db = os.path.join(self.q.dir, "var", "lib", "quorum", "quorum.db")
        p = self.run_q("event", "list", db=db)
        self.assertEqual(p.returncode, 1)
        self.assertIn("does not exist", p.stderr.decode())
        self.assertIn("init", p.stderr.decode())
        self.assertFalse(os.path.exists(os.path.dirname(db)))
        p = self.run_q("init", db=db)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.exists(db))
        out = os.path.join(self.q.dir, "srv", "www", "feeds")
        p = self.run_q("publish", "--out", out, db=db)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.exists(os.path.join(out, "all-members.ics")))

    def test_refused_commands_create_nothing(self):
        for args in (["bogus"], ["event", "bogus"], ["event", "add",
                     "--bogus", "x"], ["member", "list", "extra"],
                     ["--bogus", "init"], ["event"], ["event", "show"],
                     ["event", "show", "x"], ["checkin", "--help"],
                     ["event", "--help"], ["--help"]):
            p = self.run_q(*args)
            self.assertIn(p.returncode, (0, 2), args)
            self.assertFalse(os.path.exists(self.q.db), args)
        p = self.run_q("bogus")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr.decode().strip().count("\n"), 0)
        self.assertIn("'bogus'", p.stderr.decode())
        self.assertIn("--help", p.stderr.decode())

    def test_readme_attendance_examples_on_the_demo(self):
        self.assertEqual(self.run_q("demo").returncode, 0)
        members = self.run_q("member", "list").stdout.decode()
        self.assertIn("N-1004", members)
        self.assertIn("Priya Shah", members)
        self.assertIn("NUMBER", members.splitlines()[0])
        p = self.run_q("member", "list", "--json")
        by = {m["number"]: m for m in json.loads(p.stdout)["items"]}
        self.assertEqual(by["N-1004"]["name"], "Priya Shah")
        # README: quorum attend 1 4 --rsvp accepted; checkin by number
        p = self.run_q("attend", "1", str(by["N-1006"]["id"]), "--rsvp",
                       "accepted")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_q("checkin", "1", "N-1004", "N-1006", "--force")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Amina Yusuf", self.run_q("attend", "list", "1")
                      .stdout.decode())

    def test_digest_dry_run_shows_the_messages(self):
        self.assertEqual(self.run_q("init").returncode, 0)
        q = self.q
        sam = q.out("member", "add", "--name", "Sam Okafor", "--email",
                    "sam@napo.example")
        q.out("action", "add", "--title", "Send the questionnaire",
              "--owner", sam, "--due", "2026-01-05")
        env = dict(os.environ)
        env.pop("QUORUM_MAIL_FROM", None)
        env.pop("QUORUM_SMTP", None)
        import subprocess
        p = subprocess.run([BINARY, "--db", q.db, "action", "digest",
                            "--dry-run"], capture_output=True, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.decode()
        self.assertIn("Would send to sam@napo.example", out)
        self.assertIn("Send the questionnaire", out)

    def test_base_url_in_demo_links_and_pages(self):
        q = self.q
        os.environ["QUORUM_BASE_URL"] = "https://quorum.napo.example/"
        try:
            q.serve("--demo")
        finally:
            del os.environ["QUORUM_BASE_URL"]
        printed = b""
        while b"All feeds" not in printed:
            printed += q.proc.stdout.readline()
        printed += q.proc.stdout.readline()
        self.assertIn(b"https://quorum.napo.example/feeds/me.ics?token=",
                      printed)
        self.assertIn(b"webcal://quorum.napo.example/feeds/facilitators.ics"
                      b"?token=", printed)
        st, _, page = q.http("GET", "/")
        self.assertEqual(st, 200)
        self.assertIn(b'href="webcal://quorum.napo.example/feeds/'
                      b'all-members.ics"', page)
        self.assertIn(b'href="https://quorum.napo.example/feeds/'
                      b'all-members.ics"', page)

    def test_member_links(self):
        self.assertEqual(self.run_q("demo").returncode, 0)
        import subprocess
        p = subprocess.run([BINARY, "--db", self.q.db, "--base-url",
                            "https://quorum.napo.example/", "member",
                            "links", "4"], capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.decode()
        token = out.split("/feeds/me.ics?token=")[1].split()[0]
        self.assertIn("https://quorum.napo.example/feeds/me.ics?token=" +
                      token, out)
        self.assertIn("webcal://quorum.napo.example/feeds/facilitators.ics"
                      "?token=" + token, out)
        self.assertIn("/feeds/programmes.ics", out)      # an ancestor
        self.assertNotIn("/feeds/officials.ics", out)    # not hers
        # the token works on the real daemon
        self.q.serve()
        st, _, body = self.q.http("GET", "/feeds/facilitators.ics?token=" +
                                  token)
        self.assertEqual(st, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
