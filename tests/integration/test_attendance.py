"""Attendance on the real daemon: RSVPs per occurrence, capacity and the
waiting list, apologies, check-in by reps in scope, lists as JSON and
CSV, permissions, refusals that change nothing, and the audit of
reads."""
import csv
import io
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"


class AttendanceTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("init")

        def person(name, *args):
            mid = q.out("member", "add", "--name", name, "--email",
                        name.lower().replace(" ", ".") + "@napo.example",
                        *args)
            return int(mid), q.out("token", "issue", "--member", mid,
                                   "--scope", "api")
        self.off = person("Olu Official", "--role", "official")
        self.rep = person("Rita Rep", "--role", "rep", "--scope",
                          "programmes", "--audience", "reps")
        self.rep2 = person("Ugo Rep", "--role", "rep", "--scope",
                           "unpaid-work", "--audience", "reps")
        self.m = [person("Fac %d" % i, "--audience", "facilitators",
                         "--number", "N-%d" % i) for i in range(1, 5)]
        q.serve()
        st, ev = q.api("POST", "/events", {
            "title": "VLO workshop", "kind": "workshop",
            "start": "2027-02-02T10:00:00", "end": "2027-02-02T12:00:00",
            "audiences": ["programmes"], "capacity": 2}, self.off[1])
        self.assertEqual(st, 201)
        self.ev = ev["id"]
        st, ev = q.api("POST", "/events", {
            "title": "Drop-in", "kind": "other",
            "start": "2027-02-04T12:30:00", "end": "2027-02-04T13:00:00",
            "rrule": "FREQ=WEEKLY;COUNT=3", "audiences": ["facilitators"]},
            self.off[1])
        self.series = ev["id"]

    def tearDown(self):
        self.q.close()

    def put(self, event, member, body, who):
        return self.q.api("PUT", "/events/%d/attendance/%d" % (event, member),
                          body, who[1])

    def test_capacity_and_waiting_list(self):
        m1, m2, m3 = self.m[:3]
        st, r = self.put(self.ev, m1[0], {"rsvp": "accepted"}, m1)
        self.assertEqual((st, r["waitlisted"]), (200, False))
        st, r = self.put(self.ev, m2[0], {"rsvp": "accepted"}, self.off)
        self.assertEqual((st, r["waitlisted"]), (200, False))
        self.assertEqual(r["recorded_by"], self.off[0])
        st, r = self.put(self.ev, m3[0], {"rsvp": "accepted"}, m3)
        self.assertEqual((st, r["waitlisted"]), (200, True))
        # a place frees: it is offered to the one who waited (held,
        # counted as taken), who takes it by accepting again
        st, r = self.put(self.ev, m1[0], {"rsvp": "declined"}, m1)
        self.assertEqual(st, 200)
        st, l = self.q.api("GET", "/events/%d/attendance" % self.ev,
                           token=self.off[1])
        by = {x["member"]: x for x in l["items"]}
        self.assertTrue(by[m3[0]]["waitlisted"])
        self.assertIn("offered_until", by[m3[0]])
        self.assertEqual(by[m1[0]]["rsvp"], "declined")
        # the held place is not anyone else's
        st, r = self.put(self.ev, m1[0], {"rsvp": "accepted"}, m1)
        self.assertEqual((st, r["waitlisted"]), (200, True))
        st, r = self.put(self.ev, m3[0], {"rsvp": "accepted"}, m3)
        self.assertEqual((st, r["waitlisted"]), (200, False))
        self.assertNotIn("offered_until", r)
        # a member sees only their own record
        st, l = self.q.api("GET", "/events/%d/attendance" % self.ev,
                           token=m2[1])
        self.assertEqual([x["member"] for x in l["items"]], [m2[0]])

    def test_states_checkin_and_lists(self):
        m1, m2 = self.m[:2]
        st, r = self.put(self.ev, m1[0], {"status": "apologies",
                                         "reason": "court hearing"}, m1)
        self.assertEqual((st, r["status"], r["reason"]),
                         (200, "apologies", "court hearing"))
        st, r = self.put(self.ev, m2[0], {"status": "present", "force": True}, m2)
        self.assertEqual(st, 403)                 # not her to record
        st, r = self.put(self.ev, m2[0], {"status": "present", "force": True}, self.rep)
        self.assertEqual((st, r["status"]), (200, "present"))
        self.assertIsNotNone(r["checked_in_at"])
        self.assertFalse(r["late"])               # before it starts
        # checking in after the start is late
        import datetime
        import zoneinfo
        now = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/London"))
        start = (now - datetime.timedelta(hours=1)).replace(microsecond=0)
        st, ev = self.q.api("POST", "/events", {
            "title": "Started an hour ago", "kind": "other",
            "start": start.strftime("%Y-%m-%dT%H:%M:%S"),
            "end": (start + datetime.timedelta(hours=3)).strftime(
                "%Y-%m-%dT%H:%M:%S"), "audiences": ["facilitators"]},
            self.off[1])
        st, r = self.put(ev["id"], m1[0], {"status": "present", "force": True}, self.rep)
        self.assertEqual((st, r["late"]), (200, True))
        st, r = self.put(self.ev, m2[0], {"status": "present", "force": True}, self.rep2)
        self.assertEqual(st, 404)        # an event he may not see
        st, l = self.q.api("GET", "/events/%d/attendance?status=present" %
                           self.ev, token=self.rep[1])
        self.assertEqual([x["name"] for x in l["items"]], ["Fac 2"])
        # outside his scopes the event does not even exist for him
        self.assertEqual(self.q.api("GET", "/events/%d/attendance" % self.ev,
                                    token=self.rep2[1])[0], 404)
        st, _, body = self.q.http("GET", "/api/v1/events/%d/attendance.csv"
                                  % self.ev, headers={
                                      "Authorization": "Bearer " +
                                      self.off[1]})
        self.assertEqual(st, 200)
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        self.assertEqual(len(rows), 2)
        self.assertEqual({r["status"] for r in rows}, {"apologies",
                                                       "present"})
        self.assertEqual([r["reason"] for r in rows
                          if r["status"] == "apologies"], ["court hearing"])
        audit = json.loads(self.q.out("audit"))["items"]
        reads = [a for a in audit if a["verb"] == "attendance.read"]
        self.assertEqual(len(reads), 2)       # the rep's and the CSV
        self.assertEqual(reads[0]["actor"], "rita.rep@napo.example")

    def test_occurrences(self):
        m1 = self.m[0]
        st, r = self.put(self.series, m1[0], {"rsvp": "accepted"}, m1)
        self.assertEqual((st, r.get("error", {}).get("field")),
                         (400, "occurrence"))
        st, r = self.put(self.series, m1[0], {
            "rsvp": "accepted", "occurrence": "2027-02-05T12:30:00"}, m1)
        self.assertEqual((st, r["error"]["field"]), (400, "occurrence"))
        st, r = self.put(self.series, m1[0], {
            "rsvp": "accepted", "occurrence": "2027-02-11T12:30"}, m1)
        self.assertEqual((st, r["occurrence"]), (200, "2027-02-11T12:30:00"))
        st, r = self.put(self.series, m1[0], {
            "rsvp": "declined", "occurrence": "2027-02-18T12:30:00"}, m1)
        self.assertEqual(st, 200)
        st, l = self.q.api("GET", "/events/%d/attendance?occurrence="
                           "2027-02-11T12:30:00" % self.series,
                           token=self.off[1])
        self.assertEqual([(x["occurrence"], x["rsvp"]) for x in l["items"]],
                         [("2027-02-11T12:30:00", "accepted")])

    def test_checkin_by_number_and_cli(self):
        q = self.q
        before = q.snapshot()
        st, r = q.api("POST", "/events/%d/checkin" % self.ev,
                      {"numbers": ["N-1", "N-99"]}, self.rep[1])
        self.assertEqual((st, r["error"]["field"]), (400, "numbers"))
        self.assertIn("N-99", r["error"]["message"])
        self.assertEqual(q.snapshot(), before)      # not even N-1
        st, r = q.api("POST", "/events/%d/checkin" % self.ev,
                      {"numbers": ["N-1", "N-2"], "force": True}, self.rep[1])
        self.assertEqual(st, 200)
        self.assertEqual([x["status"] for x in r["items"]],
                         ["present", "present"])
        p = q.cli("checkin", str(self.ev), "N-3", "--force")
        self.assertEqual(json.loads(p.stdout)["items"][0]["name"], "Fac 3")
        p = q.cli("checkin", str(self.ev), "N-404", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("N-404", p.stderr.decode())
        out = json.loads(q.out("attend", str(self.ev), str(self.m[3][0]),
                               "--status", "apologies", "--reason",
                               "leave"))
        self.assertEqual((out["status"], out["reason"]),
                         ("apologies", "leave"))
        listed = json.loads(q.out("attend", "list", str(self.ev),
                                  "--status", "present", "--json"))
        self.assertEqual(sorted(x["number"] for x in listed["items"]),
                         ["N-1", "N-2", "N-3"])
        text = q.out("attend", "list", str(self.ev))
        self.assertIn("apologies: leave", text)
        p = q.cli("attend", str(self.ev), str(self.m[0][0]), "--rsvp",
                  "perhaps", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("rsvp must be one of", p.stderr.decode())

    def test_register_history_and_quorum(self):
        q = self.q
        ids = []
        for i in range(3):
            st, ev = q.api("POST", "/events", {
                "title": "VLO job description workshop %d" % (i + 1),
                "kind": "workshop", "start": "2027-03-0%dT10:00:00" % (i + 2),
                "end": "2027-03-0%dT12:00:00" % (i + 2), "quorum": 2,
                "audiences": ["facilitators"]}, self.off[1])
            self.assertEqual((st, ev["quorum"]), (201, 2))
            ids.append(ev["id"])
        n = self.m
        q.api("POST", "/events/%d/checkin" % ids[0],
              {"numbers": ["N-1", "N-2"], "force": True}, self.rep[1])
        q.api("POST", "/events/%d/checkin" % ids[1], {"numbers": ["N-2"], "force": True},
              self.rep[1])
        self.put(ids[2], n[2][0], {"status": "apologies"}, n[2])
        st, l = q.api("GET", "/events/%d/attendance" % ids[0],
                      token=self.off[1])
        self.assertEqual(l["quorum"], {"required": 2, "present": 2,
                                       "reached": True})
        st, l = q.api("GET", "/events/%d/attendance" % ids[1],
                      token=self.off[1])
        self.assertEqual(l["quorum"]["reached"], False)
        st, reg = q.api("GET", "/register?events=%s" %
                        ",".join(map(str, ids)), token=self.off[1])
        self.assertEqual(st, 200)
        self.assertEqual([(x["name"], x["events"]) for x in reg["items"]],
                         [("Fac 1", [ids[0]]), ("Fac 2", ids[:2])])
        self.assertEqual(reg["items"][0]["email"], "fac.1@napo.example")
        self.assertEqual(q.api("GET", "/register?events=%d" % ids[0],
                               token=n[0][1])[0], 403)
        self.assertEqual(q.api("GET", "/register?events=x",
                               token=self.off[1])[0], 400)
        cli = json.loads(q.out("register", "--json", *map(str, ids)))
        self.assertEqual(cli, reg)
        st, h = q.api("GET", "/members/%d/attendance" % n[1][0],
                      token=n[1][1])
        self.assertEqual(sorted(x["event"] for x in h["items"]), ids[:2])
        self.assertEqual(h["items"][0]["title"][:20], "VLO job description ")
        self.assertEqual(q.api("GET", "/members/%d/attendance" % n[1][0],
                               token=n[0][1])[0], 404)
        self.assertEqual(len(json.loads(q.out(
            "member", "history", str(n[2][0])))["items"]), 1)

    def test_subject_access_erase_and_purge(self):
        q = self.q
        cid = int(q.out("member", "add", "--name", "Canary Zebra-Quokka",
                        "--email", "zebra.quokka@napo.example", "--number",
                        "ZQ-777", "--branch", "Quokkaville", "--audience",
                        "facilitators"))
        q.out("token", "issue", "--member", str(cid), "--scope", "feed")
        self.put(self.ev, cid, {"status": "apologies",
                               "reason": "zebraquokka-reason"}, self.off)
        sar = json.loads(q.out("member", "export", str(cid)))
        self.assertEqual(sar["member"]["name"], "Canary Zebra-Quokka")
        self.assertEqual(len(sar["tokens"]), 1)
        self.assertEqual(sar["attendance"][0]["reason"],
                         "zebraquokka-reason")
        self.assertIn("member.add", [x["verb"] for x in sar["audit"]])
        self.assertIn("erased", q.out("member", "erase", str(cid)))
        # the attendance count stands; the person does not
        st, l = q.api("GET", "/events/%d/attendance" % self.ev,
                      token=self.off[1])
        self.assertEqual([x["name"] for x in l["items"]], ["erased member"])
        for suffix in ("", "-wal"):
            path = q.db + suffix
            if not os.path.exists(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            for canary in (b"Zebra-Quokka", b"zebra.quokka", b"ZQ-777",
                           b"Quokkaville", b"zebraquokka-reason"):
                self.assertFalse(canary in data, "%r left in %s" %
                                 (canary, path))
        # retention: attendance of meetings over six years ago goes
        st, old = q.api("POST", "/events", {
            "title": "Old meeting", "kind": "other",
            "start": "2018-05-01T10:00:00", "end": "2018-05-01T11:00:00",
            "audiences": ["facilitators"]}, self.off[1])
        self.put(old["id"], self.m[0][0], {"status": "present", "force": True}, self.off)
        self.put(self.ev, self.m[0][0], {"rsvp": "accepted"}, self.off)
        before = q.snapshot()
        p = q.cli("purge", "--attendance-older-than", "6 years", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("6y, 18m or 90d", p.stderr.decode())
        self.assertEqual(q.snapshot(), before)
        r = json.loads(q.out("purge", "--attendance-older-than", "6y"))
        self.assertEqual(r["deleted"], 1)
        st, l = q.api("GET", "/events/%d/attendance" % old["id"],
                      token=self.off[1])
        self.assertEqual(l["items"], [])
        st, l = q.api("GET", "/events/%d/attendance" % self.ev,
                      token=self.off[1])
        self.assertEqual(len(l["items"]), 2)

    def test_csv_opens_in_a_spreadsheet(self):
        import re
        import subprocess
        import tempfile
        import zipfile
        q = self.q
        names = ["Siân O'Neill", 'Okafor, "Sam"', "Zoë Ng"]
        for i, name in enumerate(names):
            mid = int(q.out("member", "add", "--name", name, "--email",
                            "csv%d@napo.example" % i, "--audience",
                            "facilitators"))
            self.put(self.ev, mid, {"status": "apologies",
                                    "reason": "line one\nline two, too"},
                     self.off)
        st, _, body = q.http("GET", "/api/v1/events/%d/attendance.csv" %
                             self.ev, headers={"Authorization": "Bearer " +
                                               self.off[1]})
        self.assertEqual(st, 200)
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        self.assertEqual(len(rows), 1 + len(names))
        self.assertEqual(sorted(r[1] for r in rows[1:]), sorted(names))
        self.assertEqual({r[7] for r in rows[1:]}, {"line one\nline two, too"})
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "attendance.csv")
            with open(src, "wb") as f:
                f.write(body)
            p = subprocess.run(
                ["soffice", "-env:UserInstallation=file://%s/profile" % d,
                 "--headless", "--infilter=CSV:44,34,76,1", "--convert-to",
                 "xlsx", "--outdir", d, src], capture_output=True,
                timeout=180)
            self.assertEqual(p.returncode, 0, p.stderr)
            with zipfile.ZipFile(os.path.join(d, "attendance.xlsx")) as z:
                sheet = z.read("xl/worksheets/sheet1.xml").decode()
                strings = z.read("xl/sharedStrings.xml").decode()
        self.assertEqual(len(re.findall(r"<row ", sheet)), 1 + len(names))
        for name in ("Siân O&apos;Neill", "Okafor, &quot;Sam&quot;",
                     "Zoë Ng"):
            self.assertTrue(name in strings or name.replace(
                "&apos;", "'").replace("&quot;", '"') in strings, name)

    def test_personal_feed_partstat(self):
        import icalendar
        m1 = self.m[0]
        feed = self.q.out("token", "issue", "--member", str(m1[0]),
                          "--scope", "feed")

        def attendees():
            _, _, body = self.q.http("GET", "/feeds/me.ics?token=" + feed)
            cal = icalendar.Calendar.from_ical(body)
            out = {}
            for ve in cal.walk("VEVENT"):
                rid = ve.get("RECURRENCE-ID")
                key = (str(ve["SUMMARY"]),
                       rid.dt.strftime("%Y-%m-%dT%H:%M:%S") if rid else "")
                att = ve["ATTENDEE"]
                self.assertEqual(str(att), "mailto:fac.1@napo.example")
                out[key] = att.params["PARTSTAT"]
            return out
        self.assertEqual(attendees(), {("VLO workshop", ""): "NEEDS-ACTION",
                                       ("Drop-in", ""): "NEEDS-ACTION"})
        self.put(self.ev, m1[0], {"rsvp": "tentative"}, m1)
        self.put(self.series, m1[0], {"rsvp": "declined",
                                      "occurrence": "2027-02-11T12:30:00"},
                 m1)
        self.assertEqual(attendees(), {
            ("VLO workshop", ""): "TENTATIVE",
            ("Drop-in", ""): "NEEDS-ACTION",
            ("Drop-in", "2027-02-11T12:30:00"): "DECLINED"})
        self.put(self.ev, m1[0], {"rsvp": "accepted"}, m1)
        self.assertEqual(attendees()[("VLO workshop", "")], "ACCEPTED")
        # audience feeds never carry anyone
        ftok = self.q.out("token", "issue", "--member", str(self.off[0]),
                          "--scope", "feed")
        for slug in ("programmes", "facilitators"):
            _, _, body = self.q.http("GET", "/feeds/%s.ics?token=%s" %
                                     (slug, ftok))
            self.assertNotIn(b"ATTENDEE", body)
            self.assertNotIn(b"fac.1", body)

    def test_whole_chain_on_a_series_with_capacity(self):
        q = self.q
        m1, m2 = self.m[:2]
        st, _ = q.api("PATCH", "/events/%d" % self.series, {"capacity": 1},
                      self.off[1])
        self.assertEqual(st, 200)
        a, b = "2027-02-11T12:30:00", "2027-02-18T12:30:00"
        st, r = self.put(self.series, m1[0], {"rsvp": "accepted",
                                              "occurrence": a}, m1)
        self.assertFalse(r["waitlisted"])
        st, r = self.put(self.series, m2[0], {"rsvp": "accepted",
                                              "occurrence": a}, m2)
        self.assertTrue(r["waitlisted"])            # full on the 11th
        st, r = self.put(self.series, m2[0], {"rsvp": "accepted",
                                              "occurrence": b}, m2)
        self.assertFalse(r["waitlisted"])           # a place on the 18th
        self.put(self.series, m1[0], {"rsvp": "declined",
                                      "occurrence": a}, m1)
        st, r = q.api("POST", "/events/%d/checkin" % self.series,
                      {"numbers": ["N-2"], "occurrence": a,
                       "force": True}, self.rep[1])
        self.assertEqual(st, 200)
        st, l = q.api("GET", "/events/%d/attendance?occurrence=%s" %
                      (self.series, a), token=self.rep[1])
        by = {x["number"]: x for x in l["items"]}
        self.assertEqual((by["N-2"]["rsvp"], by["N-2"]["waitlisted"],
                          by["N-2"]["status"]), ("accepted", False,
                                                 "present"))
        self.assertEqual(by["N-1"]["rsvp"], "declined")
        st, l = q.api("GET", "/events/%d/attendance?occurrence=%s" %
                      (self.series, b), token=self.rep[1])
        self.assertEqual([x["status"] for x in l["items"]], ["unknown"])

    def test_bad_input_changes_nothing(self):
        m1 = self.m[0]
        before = self.q.snapshot()
        cases = [
            (self.ev, 999, {"rsvp": "accepted"}, self.off, 400, "member"),
            (self.ev, m1[0], {"rsvp": "maybe"}, self.off, 400, "rsvp"),
            (self.ev, m1[0], {"status": "asleep"}, self.off, 400, "status"),
            (self.ev, m1[0], {"colour": "red"}, self.off, 400, "colour"),
            (self.ev, m1[0], {"reason": 5}, self.off, 400, "reason"),
            (999, m1[0], {"rsvp": "accepted"}, self.off, 404, None),
            (self.ev, self.m[1][0], {"rsvp": "accepted"}, m1, 403, None),
        ]
        for ev, member, body, who, want, field in cases:
            st, r = self.put(ev, member, body, who)
            self.assertEqual(st, want, (body, r))
            self.assertIn("message", r["error"])
            if field:
                self.assertEqual(r["error"]["field"], field)
        st, r = self.q.api("GET", "/events/%d/attendance?rsvp=maybe" %
                           self.ev, token=self.off[1])
        self.assertEqual(st, 400)
        self.assertEqual(self.q.snapshot(), before)



class PermissionMatrixTest(unittest.TestCase):
    """Every attendance and member endpoint for every kind of caller,
    from one table."""

    ROLES = ("none", "member", "rep_in", "rep_out", "official", "admin")
    # method, path, body, expected status per role (in ROLES order)
    TABLE = [
        ("GET", "/events/{ev}/attendance", None,
         (401, 200, 200, 404, 200, 200)),
        ("GET", "/events/{ev}/attendance.csv", None,
         (401, 200, 200, 404, 200, 200)),
        ("PUT", "/events/{ev}/attendance/{other}",
         {"status": "present", "force": True},
         (401, 403, 200, 404, 200, 200)),
        ("PUT", "/events/{ev}/attendance/{self}", {"rsvp": "accepted"},
         (401, 200, 200, 404, 200, 200)),
        ("POST", "/events/{ev}/checkin",
         {"numbers": ["N-OTHER"], "force": True},
         (401, 403, 200, 404, 200, 200)),
        ("GET", "/register?events={ev}", None,
         (401, 403, 200, 404, 200, 200)),
        ("GET", "/members", None, (401, 200, 200, 200, 200, 200)),
        ("GET", "/members/{other}", None, (401, 404, 200, 404, 200, 200)),
        ("GET", "/members/{other}/attendance", None,
         (401, 404, 200, 404, 200, 200)),
        ("POST", "/members", {"name": "New {role}",
                              "email": "new.{role}@napo.example"},
         (401, 403, 403, 403, 201, 201)),
        ("PATCH", "/members/{other}", {"branch": "Wales"},
         (401, 403, 403, 403, 200, 200)),
        ("DELETE", "/members/{victim}", None,
         (401, 403, 403, 403, 200, 200)),
        ("GET", "/audit", None, (401, 403, 403, 403, 403, 200)),
        ("POST", "/members/import", "name,email\nCSV {role},"
         "csv.{role}@napo.example\n", (401, 403, 403, 403, 200, 200)),
    ]

    def test_matrix(self):
        q = Quorum(BINARY)
        try:
            q.cli("init")
            ids, toks = {}, {}

            def add(key, *args):
                ids[key] = int(q.out("member", "add", "--name", key,
                                     "--email", key + "@napo.example",
                                     *args))
                toks[key] = q.out("token", "issue", "--member",
                                  str(ids[key]), "--scope", "api")
            add("member", "--audience", "facilitators")
            add("rep_in", "--role", "rep", "--scope", "programmes",
                "--audience", "reps")
            add("rep_out", "--role", "rep", "--scope", "unpaid-work",
                "--audience", "reps")
            add("official", "--role", "official")
            add("admin", "--role", "admin")
            add("other", "--audience", "facilitators", "--number",
                "N-OTHER")
            for role in self.ROLES:
                add("victim_" + role, "--audience", "daso")
            q.serve()
            st, ev = q.api("POST", "/events", {
                "title": "Workshop", "kind": "workshop",
                "start": "2027-02-02T10:00:00",
                "end": "2027-02-02T12:00:00",
                "audiences": ["programmes"]}, toks["official"])
            self.assertEqual(st, 201)
            failures = []
            for method, path, body, want in self.TABLE:
                for role, expect in zip(self.ROLES, want):
                    subst = {"ev": ev["id"], "other": ids["other"],
                             "self": ids.get(role, ids["member"]),
                             "victim": ids["victim_" + role], "role": role}
                    p = path.format(**subst)
                    b = body
                    ctype = None
                    if isinstance(body, dict):
                        b = json.loads(json.dumps(body).replace(
                            "{role}", role))
                    elif isinstance(body, str):
                        b = body.replace("{role}", role)
                        ctype = "text/csv"
                    headers = {}
                    if role != "none":
                        headers["Authorization"] = "Bearer " + toks[role]
                    status, _, _ = q.http(method, "/api/v1" + p, b,
                                          ctype=ctype, headers=headers)
                    if status != expect:
                        failures.append("%s %s as %s: %d, wanted %d" % (
                            method, p, role, status, expect))
            self.assertEqual(failures, [])
        finally:
            q.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
