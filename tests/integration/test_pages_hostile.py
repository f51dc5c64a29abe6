#!/usr/bin/python3
"""Hostile content on every page: titles, places, descriptions, names,
notes, actions, reasons and searches set to <script>, "><img onerror>,
a right-to-left override and 10 KB strings are rendered escaped, on
every page that shows them, to an official, a rep and a member; a
10 KB title is refused at its field and shown back escaped.
Run: test_pages_hostile.py path/to/quorum"""
import json
import os
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"

SCRIPT = '<script>alert("x")</script>'
IMG = '"><img src=x onerror=alert(1)>'
RTL = "Invoice \u202egpj.exe"
LONG = ("LongWordWithNoSpaces" * 520)[:10240]
RAW = ("<script>alert", "<img src=x", "\u202e", "onerror=alert(1)>")
ESCAPED_SCRIPT = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
ESCAPED_IMG = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"


class HostilePagesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        q = cls.q = Quorum(BINARY)
        q.cli("demo")
        cls.token = q.out("token", "issue", "--member", "2", "--scope",
                          "api").split()[-1]
        cls.evil = int(q.out("member", "add", "--name", SCRIPT + " Joe",
                             "--email", "evil@napo.example", "--number",
                             "N-6666", "--audience", "facilitators"))
        cls.img = int(q.out("member", "add", "--name", IMG, "--email",
                            "img@napo.example", "--audience", "reps"))
        cls.rtl = int(q.out("member", "add", "--name", RTL, "--email",
                            "rtl@napo.example", "--audience", "reps"))
        q.serve()
        soon = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
        cls.month = soon[:7]
        ev = cls.api("POST", "/api/v1/events", {
            "title": IMG + " " + SCRIPT, "kind": "member_briefing",
            "audiences": ["all-members"], "start": soon + "T18:00:00",
            "end": soon + "T19:00:00", "location": SCRIPT + RTL,
            "description": LONG[:9900] + "\n" + SCRIPT,
            "url": "https://meet.example/?q=" + IMG.replace(" ", "%20"),
            "hosts": [cls.evil], "quorum": 2})
        cls.event = ev["id"]
        st, _, body = q.http("PUT", "/api/v1/events/%d/notes" % cls.event,
                             SCRIPT + "\n" + IMG + "\n" + LONG + "\n" + RTL,
                             token=cls.token, ctype="text/plain")
        assert st == 200, body
        cls.api("POST", "/api/v1/events/%d/actions" % cls.event,
                {"title": IMG, "owner": cls.evil, "notes": SCRIPT})
        cls.api("PUT", "/api/v1/events/%d/attendance/%d" % (cls.event,
                                                          cls.img),
                {"status": "apologies", "reason": SCRIPT + RTL})

    @classmethod
    def tearDownClass(cls):
        cls.q.close()

    @classmethod
    def api(cls, method, path, body=None):
        st, h, data = cls.q.http(method, path, body, token=cls.token)
        assert st in (200, 201), (st, data)
        return json.loads(data)

    def browser(self, member):
        return Browser.signed_in(self.q, member)

    def clean(self, page, where):
        for raw in RAW:
            self.assertNotIn(raw, page, (where, raw))
        self.assertTrue(page.endswith("</html>\n"), where)

    def test_every_page_escapes(self):
        q = urllib.parse.quote(SCRIPT)
        e = self.event
        seen = {}
        for who, member, paths in [
                ("official", 2, ["/", "/audiences/all-members",
                                 "/audiences/all-members?month=" +
                                 self.month, "/events/%d" % e,
                                 "/events/%d/edit" % e,
                                 "/events/%d/notes" % e,
                                 "/events/%d/door" % e,
                                 "/events/%d/door?q=%s" % (e, q),
                                 "/members", "/members?q=" + q, "/me"]),
                ("member", self.evil, ["/me", "/events/%d" % e,
                                       "/audiences/all-members"]),
                ("rep", 3, ["/me"])]:
            web = self.browser(member)
            for path in paths:
                st, r, page = web.request("GET", path)
                self.assertEqual(st, 200, (who, path, page[:300]))
                self.clean(page, (who, path))
                seen[(who, path)] = page
        # a rep whose scopes do not cover it: a page saying so, escaped
        st, r, page = self.browser(3).request("GET", "/events/%d/door" % e)
        self.assertEqual(st, 403)
        self.assertIn("<h1>Not allowed</h1>", page)
        self.clean(page, "rep's door")
        ev = seen[("official", "/events/%d" % e)]
        self.assertIn(ESCAPED_IMG + " " + ESCAPED_SCRIPT, ev)
        self.assertIn(LONG[:9900], ev)
        self.assertIn("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
                      "Joe", ev)                  # the host
        self.assertIn("Invoice \ufffdgpj.exe", seen[("official",
                                                     "/members")])
        notes = seen[("official", "/events/%d/notes" % e)]
        self.assertIn(ESCAPED_SCRIPT, notes)
        self.assertIn(ESCAPED_IMG, notes)         # the action's title
        self.assertIn(LONG, notes)
        door = seen[("official", "/events/%d/door" % e)]
        self.assertIn("apologies: " + ESCAPED_SCRIPT + "Invoice \ufffd",
                      door)
        self.assertIn('value="' + ESCAPED_SCRIPT + '"',
                      seen[("official", "/events/%d/door?q=%s" % (e, q))])
        self.assertIn(ESCAPED_SCRIPT + " Joe", seen[("member", "/me")])
        self.assertIn(ESCAPED_IMG, seen[("member", "/me")])  # his action
        edit = seen[("official", "/events/%d/edit" % e)]
        self.assertIn('id="f-title" name="title" value="' + ESCAPED_IMG +
                      " " + ESCAPED_SCRIPT + '"', edit)

    def test_refused_forms_show_it_back_escaped(self):
        web = self.browser(2)
        st, r, page = web.request("GET", "/events/new")
        csrf = web.csrf(page)
        st, r, page = web.request("POST", "/events/new", {
            "csrf": csrf, "title": SCRIPT + LONG, "kind": "workshop",
            "aud.reps": "on", "date": "2027-05-05", "start_time": "10:00",
            "end_time": "11:00", "location": IMG, "status": "confirmed"})
        self.assertEqual(st, 400)
        self.clean(page, "refused event")
        self.assertIn('id="f-title-error"', page)
        self.assertIn('value="' + ESCAPED_SCRIPT + LONG + '"', page)
        self.assertIn('value="' + ESCAPED_IMG + '"', page)
        st, r, page = web.request("POST", "/events/new", {
            "csrf": csrf, "title": "Fine", "kind": "workshop",
            "aud.reps": "on", "date": "2027-05-05", "start_time": "10:00",
            "end_time": "11:00", "hosts": RTL, "status": "confirmed"})
        self.assertEqual(st, 400)
        self.clean(page, "refused hosts")
        self.assertIn("&#39;Invoice \ufffdgpj.exe&#39;</p>", page)
        st, r, page = web.request("POST", "/members", {
            "csrf": csrf, "name": SCRIPT, "email": IMG, "role": "member"})
        self.assertEqual(st, 400)
        self.clean(page, "refused member")
        self.assertIn('value="' + ESCAPED_SCRIPT + '"', page)
        st, r, page = web.request("POST", "/events/%d/notes" % self.event,
                                  {"csrf": csrf, "text": SCRIPT + "\x00"})
        self.assertIn(st, (200, 303, 400))
        self.clean(page, "notes with a NUL")
        # sign-in: an address that is a tag is not echoed raw
        st, r, page = Browser(self.q.base).request("GET", "/signin")
        st, r, page = Browser(self.q.base).request(
            "POST", "/signin", {"email": IMG})
        self.clean(page, "signin")


if __name__ == "__main__":
    unittest.main(verbosity=2)
