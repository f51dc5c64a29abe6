#!/usr/bin/python3
"""The officials' pages on the real daemon: a meeting made and changed
through the form with every field the API has, a refused form that keeps
what was typed and says why at the field, cancelling; notes with every
revision, actions from a line of them, reassigned and closed; members
listed, added, imported from a CSV upload with a report of each row,
invited and deactivated.  Members who are not officials are not told
the pages exist; a POST without its CSRF token changes nothing.
Run: test_official.py path/to/quorum"""
import json
import os
import re
import sqlite3
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"


def bad_field(page):
    """(name, reason) of the field a refused form marks."""
    m = re.search(r'<(?:div class="field bad"|fieldset class="bad")[^>]*>'
                  r'.*?<p class="error" id="f-([a-z_]+)-error">([^<]*)</p>',
                  page, re.S)
    return (m.group(1), m.group(2)) if m else None


def value_of(page, name):
    m = re.search(r'id="f-%s" name="%s"[^>]*value="([^"]*)"' % (
        re.escape(name), re.escape(name)), page)
    return m.group(1) if m else None


class OfficialTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("demo")
        self.token = q.out("token", "issue", "--member", "2", "--scope",
                           "api").split()[-1]
        q.serve()

    def tearDown(self):
        self.q.close()

    def browser(self, member):
        return Browser.signed_in(self.q, member)

    def api(self, path):
        st, h, body = self.q.http("GET", path, token=self.token)
        self.assertEqual(st, 200, body)
        return json.loads(body)

    def count(self, sql):
        with sqlite3.connect(self.q.db) as db:
            return db.execute(sql).fetchone()[0]

    def form(self, web, path):
        st, r, page = web.request("GET", path)
        self.assertEqual(st, 200, page[:500])
        return web.csrf(page), page

    def meeting(self, csrf, **kw):
        f = {"csrf": csrf, "title": "JES panel: admin band 3",
             "kind": "jes_panel", "aud.reps": "on", "aud.officials": "on",
             "date": "2027-02-03", "start_time": "10:00",
             "end_time": "12:30", "tz": "Europe/London", "repeat": "weekly",
             "repeat_until": "2027-03-03", "exdates": "2027-02-17\r\n",
             "location": "Room 4, Clive House", "url":
             "https://meet.example/jes", "description":
             "Bring the job description.\r\nAnd the scores.",
             "hosts": "N-1001, sam.okafor@napo.example", "organizer":
             "carole.doherty@napo.example", "capacity": "8", "quorum": "3",
             "after": "", "status": "confirmed"}
        f.update(kw)
        return f

    def test_not_for_members(self):
        stranger = Browser(self.q.base)
        for path in ("/events/new", "/members", "/events/1/edit",
                     "/events/1/notes"):
            st, r, page = stranger.request("GET", path)
            self.assertEqual((st, r.getheader("Location")), (303, "/signin"),
                             path)
        priya = self.browser(4)
        for path in ("/events/new", "/members", "/events/1/edit",
                     "/events/1/notes"):
            self.assertEqual(priya.request("GET", path)[0], 404, path)
        csrf, _ = self.form(priya, "/me")
        before = self.count("SELECT count(*) FROM events")
        st, r, page = priya.request("POST", "/events/new",
                                    self.meeting(csrf))
        self.assertEqual(st, 404)
        self.assertEqual(self.count("SELECT count(*) FROM events"), before)
        # a rep reads notes of an event of their scope but changes none
        sam = self.browser(3)
        self.assertEqual(sam.request("GET", "/events/new")[0], 404)

    def test_a_meeting_through_the_form(self):
        web = self.browser(2)
        csrf, page = self.form(web, "/events/new")
        self.assertIn('<select id="f-kind" name="kind">', page)
        before = self.count("SELECT count(*) FROM events")
        # without its CSRF token: refused, nothing made
        f = self.meeting(csrf)
        f["csrf"] = "0" * 64
        st, r, page = web.request("POST", "/events/new", f)
        self.assertEqual(st, 403)
        self.assertEqual(self.count("SELECT count(*) FROM events"), before)
        # each refusal: the reason at its field, what was typed kept,
        # and nothing saved
        for field, value, where, words in [
                ("end_time", "09:00", "end_time", "after start"),
                ("hosts", "N-1001, N-9999", "hosts", "N-9999"),
                ("date", "3 Feb", "date", "YYYY-MM-DD"),
                ("exdates", "2027-02-18", "exdates", "not a date of this"),
                ("repeat_until", "next year", "repeat_until", "YYYY-MM-DD"),
                ("url", "javascript:alert(1)", "url", "https://"),
                ("tz", "Europe/Atlantis", "tz", "unknown time zone"),
                ("aud.reps", None, "audiences", "at least one"),
                ("title", "", "title", "title"),
                ("capacity", "lots", "capacity", "whole number"),
                ("start_time", "01:30", "start_time", None)]:
            f = self.meeting(csrf)
            if value is None:
                f.pop(field)
                f.pop("aud.officials")
            else:
                f[field] = value
            if field == "start_time":     # the spring gap, on the day
                f.update(date="2027-03-28", repeat="", repeat_until="",
                         exdates="", start_time="01:30", end_time="03:30")
            st, r, page = web.request("POST", "/events/new", f)
            self.assertEqual(st, 400, (field, page[:300]))
            got = bad_field(page)
            self.assertIsNotNone(got, field)
            self.assertEqual(got[0], where, (field, got))
            if words:
                self.assertIn(words, got[1].replace("&#39;", "'"), field)
            if where != "audiences":
                self.assertIn('aria-invalid="true" autofocus', page)
            if field != "title":
                self.assertEqual(value_of(page, "title"),
                                 "JES panel: admin band 3", field)
            self.assertEqual(value_of(page, "location"),
                             "Room 4, Clive House", field)
            self.assertEqual(self.count("SELECT count(*) FROM events"),
                             before, field)
        # saved: every field, as the API reads it
        st, r, page = web.request("POST", "/events/new", self.meeting(csrf))
        self.assertEqual(st, 303, page[:500])
        eid = int(re.search(r"/events/(\d+)/edit\?saved=1$",
                            r.getheader("Location")).group(1))
        ev = self.api("/api/v1/events/%d" % eid)
        self.assertEqual(ev["title"], "JES panel: admin band 3")
        self.assertEqual(ev["kind"], "jes_panel")
        self.assertEqual(ev["audiences"], ["officials", "reps"])
        self.assertEqual((ev["start"], ev["end"]),
                         ("2027-02-03T10:00:00", "2027-02-03T12:30:00"))
        self.assertEqual(ev["rrule"], "FREQ=WEEKLY;UNTIL=20270303T100000Z")
        self.assertEqual(ev["exdates"], ["2027-02-17T10:00:00"])
        self.assertEqual(ev["description"],
                         "Bring the job description.\nAnd the scores.")
        self.assertEqual(ev["hosts"], [1, 3])
        self.assertEqual((ev["capacity"], ev["quorum"]), (8, 3))
        self.assertEqual(ev["organizer"], "carole.doherty@napo.example")
        occ = self.api("/api/v1/events/%d/occurrences" % eid)
        starts = [o["start"][:10] for o in occ["items"]]
        self.assertEqual(starts, ["2027-02-03", "2027-02-10", "2027-02-24",
                                  "2027-03-03"])
        # the form shows it back as it was typed
        csrf, page = self.form(web, "/events/%d/edit?saved=1" % eid)
        self.assertIn("Saved.", page)
        self.assertEqual(value_of(page, "hosts"), "N-1001, N-1003")
        self.assertEqual(value_of(page, "repeat_until"), "2027-03-03")
        self.assertIn('<option value="weekly" selected>', page)
        self.assertIn(">2027-02-17\n</textarea>", page)
        # changed: the monthly rule, a meeting it follows, a count
        f = self.meeting(csrf, repeat="monthly_day", repeat_until="",
                         repeat_count="4", exdates="", after="1",
                         title="JES panel: admin band 3 (monthly)")
        st, r, page = web.request("POST", "/events/%d/edit" % eid, f)
        self.assertEqual(st, 303, page[:800])
        ev = self.api("/api/v1/events/%d" % eid)
        self.assertEqual(ev["rrule"], "FREQ=MONTHLY;COUNT=4;BYDAY=1WE")
        self.assertEqual((ev["after"], ev["sequence"]), (1, 1))
        self.assertFalse(ev["exdates"])
        csrf, page = self.form(web, "/events/%d/edit" % eid)
        self.assertIn('<option value="monthly_day" selected>', page)
        self.assertEqual(value_of(page, "repeat_count"), "4")
        # an all-day meeting over two days
        st, r, page = web.request("POST", "/events/new", self.meeting(
            csrf, all_day="on", start_time="", end_time="",
            end_date="2027-02-04", repeat="", repeat_until="", exdates="",
            hosts="", organizer=""))
        self.assertEqual(st, 303, page[:800])
        two = int(re.search(r"/events/(\d+)/", r.getheader("Location"))
                  .group(1))
        ev = self.api("/api/v1/events/%d" % two)
        self.assertEqual((ev["all_day"], ev["start"], ev["end"]),
                         (True, "2027-02-03", "2027-02-04"))
        # cancelled: struck through on its page, cancelled in the API
        st, r, page = web.request("POST", "/events/%d/cancel" % eid,
                                  {"csrf": "nope"})
        self.assertEqual(st, 403)
        self.assertEqual(self.api("/api/v1/events/%d" % eid)["status"],
                         "confirmed")
        st, r, page = web.request("POST", "/events/%d/cancel" % eid,
                                  {"csrf": csrf})
        self.assertEqual((st, r.getheader("Location")),
                         (303, "/events/%d" % eid))
        self.assertEqual(self.api("/api/v1/events/%d" % eid)["status"],
                         "cancelled")
        st, r, page = web.request("GET", "/events/%d" % eid)
        self.assertIn("<del>JES panel", page)

    def test_notes_and_actions(self):
        web = self.browser(2)
        csrf, page = self.form(web, "/events/1/notes")
        for text in ("Draft", "Welcome\r\nHR to send the questionnaire\r\n"
                     "\r\nSam to book the room"):
            st, r, page = web.request("POST", "/events/1/notes",
                                      {"csrf": csrf, "text": text})
            self.assertEqual(st, 303)
        notes = self.api("/api/v1/events/1/notes")
        self.assertEqual(len(notes["revisions"]), 2)
        self.assertEqual(notes["text"], "Welcome\nHR to send the "
                         "questionnaire\n\nSam to book the room")
        st, r, page = web.request("GET", "/events/1/notes")
        self.assertIn("Earlier versions of the notes", page)
        self.assertIn(">Draft</pre>", page)
        # the empty line gets no form; the others do
        self.assertEqual(len(re.findall(r'name="from_notes_line" '
                                        r'value="(\d+)"', page)), 3)
        # an unknown owner: refused at the line's own form, kept open
        n = self.count("SELECT count(*) FROM actions")
        st, r, page = web.request("POST", "/events/1/actions", {
            "csrf": csrf, "form": "2", "from_notes_line": "2",
            "owner": "N-9999", "due": "2027-01-20"})
        self.assertEqual(st, 400)
        self.assertIn('<details open><summary>Make it an action', page)
        self.assertIn('id="l2-owner" name="owner" aria-describedby='
                      '"l2-owner-hint l2-owner-error" aria-invalid="true" '
                      'autofocus value="N-9999"', page)
        self.assertEqual(self.count("SELECT count(*) FROM actions"), n)
        st, r, page = web.request("POST", "/events/1/actions", {
            "csrf": csrf, "form": "2", "from_notes_line": "2",
            "owner": "N-1003", "due": "2027-01-20"})
        self.assertEqual((st, r.getheader("Location")),
                         (303, "/events/1/notes#actions"))
        st, r, page = web.request("POST", "/events/1/actions", {
            "csrf": csrf, "form": "add", "title": "Chase the survey",
            "waiting_on": "HMPPS HR", "owner": "", "due": ""})
        self.assertEqual(st, 303)
        acts = self.api("/api/v1/actions?event=1")
        acts = acts["items"]
        one = [a for a in acts if a["title"] ==
               "HR to send the questionnaire"][0]
        self.assertEqual((one["owner"], one["due"]), (3, "2027-01-20"))
        # reassigned with a reason, then done; each kept in its history
        st, r, page = web.request("POST", "/actions/%d" % one["id"], {
            "csrf": csrf, "form": "a%d" % one["id"], "event": "1",
            "owner": "priya.shah@napo.example", "status": "open",
            "note": "Sam is on leave"})
        self.assertEqual(st, 303)
        st, r, page = web.request("POST", "/actions/%d" % one["id"], {
            "csrf": csrf, "form": "a%d" % one["id"], "event": "1",
            "owner": "", "status": "done", "note": ""})
        self.assertEqual(st, 303)
        a = self.api("/api/v1/actions/%d" % one["id"])
        self.assertEqual((a["owner"], a["status"]), (4, "done"))
        self.assertEqual([(h["status"], h["note"]) for h in a["history"]],
                         [("open", None), ("open", "Reassigned to Priya "
                                           "Shah: Sam is on leave"),
                          ("done", None)])
        # without the token: nothing changes
        st, r, page = web.request("POST", "/actions/%d" % one["id"], {
            "csrf": "x", "event": "1", "status": "open"})
        self.assertEqual(st, 403)
        self.assertEqual(self.api("/api/v1/actions/%d" % one["id"])
                         ["status"], "done")
        # a rep reads the notes of a meeting in scope, with no forms;
        # of one outside it, is not told it exists
        sam = self.browser(3)
        st, r, page = sam.request("GET", "/events/9/notes")
        self.assertEqual(st, 200)
        self.assertNotIn('action="/events/9/notes"', page)
        self.assertNotIn("Make it an action", page)
        self.assertEqual(sam.request("GET", "/events/1/notes")[0], 404)
        st, r, page = sam.request("POST", "/events/9/notes",
                                  {"csrf": sam.csrf(page), "text": "x"})
        self.assertEqual(st, 403)

    def multipart(self, web, fields, file_text):
        b = uuid.uuid4().hex
        parts = []
        for k, v in fields.items():
            parts.append('--%s\r\nContent-Disposition: form-data; name="%s"'
                         '\r\n\r\n%s\r\n' % (b, k, v))
        parts.append('--%s\r\nContent-Disposition: form-data; name="file"; '
                     'filename="m.csv"\r\nContent-Type: text/csv\r\n\r\n%s'
                     '\r\n--%s--\r\n' % (b, file_text, b))
        import http.client
        c = http.client.HTTPConnection(web.host, web.port, timeout=30)
        c.request("POST", "/members/import", body="".join(parts).encode(),
                  headers={"Content-Type": "multipart/form-data; "
                           "boundary=" + b,
                           "Cookie": "; ".join("%s=%s" % kv for kv in
                                               web.cookies.items())})
        r = c.getresponse()
        page = r.read().decode()
        c.close()
        return r.status, page

    def test_members(self):
        web = self.browser(2)
        csrf, page = self.form(web, "/members")
        self.assertIn("Priya Shah", page)
        self.assertIn("N-1004", page)
        st, r, page = web.request("GET", "/members?q=n-1005")
        self.assertIn("Joe Marsh", page)
        self.assertNotIn("Priya Shah", page)
        st, r, page = web.request("GET", "/members?audience=facilitators")
        self.assertIn("Priya Shah", page)
        self.assertNotIn("Joe Marsh", page)
        # add: refused with the reason at the field, then added
        n = self.count("SELECT count(*) FROM members")
        f = {"csrf": csrf, "name": "Rosa Diaz", "email": "rosa@",
             "number": "N-5000", "role": "member", "aud.facilitators": "on"}
        st, r, page = web.request("POST", "/members", f)
        self.assertEqual(st, 400)
        self.assertEqual(bad_field(page)[0], "email")
        self.assertEqual(value_of(page, "name"), "Rosa Diaz")
        self.assertIn('id="f-aud.facilitators" name="aud.facilitators" '
                      'checked', page)
        f["email"] = "rosa.diaz@napo.example"
        f["number"] = "N-1004"
        st, r, page = web.request("POST", "/members", f)
        self.assertEqual(st, 409, page[:300])
        self.assertEqual(self.count("SELECT count(*) FROM members"), n)
        f["number"] = "N-5000"
        st, r, page = web.request("POST", "/members", f)
        self.assertEqual(st, 303)
        self.assertEqual(self.count("SELECT count(*) FROM members"), n + 1)
        # import: each row's fate
        st, page = self.multipart(web, {"csrf": csrf},
                                  "name,email,number,audiences\r\n"
                                  "Ann Lee,ann@napo.example,N-6001,reps\r\n"
                                  "No Mail,,N-6002,\r\n"
                                  "Ann Twice,ann@napo.example,N-6003,\r\n"
                                  "Priya Shah,priya.shah@napo.example,"
                                  "N-1004,facilitators\r\n")
        self.assertEqual(st, 200, page[:500])
        report = re.search(r'<div class="notice" role="status" '
                           r'id="report">(.*?)</div>', page, re.S).group(1)
        text = re.sub(r"<[^>]+>", "", report)
        self.assertIn("1 added, 0 changed, 1 already up to date, 2 not "
                      "taken", text)
        self.assertIn("<td>3</td><td>email", report)
        self.assertIn("<td>4</td><td>email &#39;ann@napo.example&#39; is "
                      "on an earlier row too", report)
        self.assertEqual(self.count("SELECT count(*) FROM members"), n + 2)
        # a file with no header, no token, or no file: nothing imported
        for fields, body, code in [({"csrf": csrf}, "just,text\r\n", 400),
                                   ({}, "name,email\r\nX,x@y.example", 403),
                                   ({"csrf": "bad"}, "name,email\r\n", 403)]:
            st, page = self.multipart(web, fields, body)
            self.assertEqual(st, code, page[:300])
        self.assertEqual(self.count("SELECT count(*) FROM members"), n + 2)
        # invite: a message in the outbox
        st, r, page = web.request("POST", "/members/5", {"csrf": csrf,
                                                        "do": "invite"})
        self.assertEqual((st, r.getheader("Location")),
                         (303, "/members?done=invited#m5"))
        self.assertEqual(self.count("SELECT count(*) FROM outbox WHERE "
                                    "recipient = 'joe.marsh@napo.example'"), 1)
        # deactivate: Priya's session ends
        priya = self.browser(4)
        self.assertEqual(priya.request("GET", "/me")[0], 200)
        st, r, page = web.request("POST", "/members/4", {"csrf": "x",
                                                        "do": "deactivate"})
        self.assertEqual(st, 403)
        self.assertEqual(priya.request("GET", "/me")[0], 200)
        st, r, page = web.request("POST", "/members/4", {"csrf": csrf,
                                                        "do": "deactivate"})
        self.assertEqual(st, 303)
        self.assertEqual(priya.request("GET", "/me")[0], 303)
        st, r, page = web.request("GET", "/members?q=Priya")
        self.assertIn("(deactivated)", page)


if __name__ == "__main__":
    unittest.main(verbosity=2)
