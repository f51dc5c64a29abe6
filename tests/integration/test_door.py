#!/usr/bin/python3
"""The rep's door page beyond the page itself: a change sent again with
its key is applied once (a phone that lost its signal retries), the
JSON the page's script reads, and self check-in: a code shown by a rep,
good from half an hour before the meeting until its end, and only for
members who may attend.
Run: test_door.py path/to/quorum"""
import gzip
import http.client
import json
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
JSON = {"Accept": "application/json"}


def utc(seconds):
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() +
                                                       seconds))


class DoorTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("demo")

        def event(title, start, end, audience="programmes"):
            return json.loads(q.out(
                "event", "add", "--title", title, "--kind", "other",
                "--audience", audience, "--tz", "UTC", "--start",
                utc(start), "--end", utc(end), "--quorum", "2"))["id"]
        self.now = event("On now", -600, 3600)
        self.later = event("Later today", 7200, 9000)
        self.over = event("This morning", -7200, -3600)
        self.officials = event("Officials only", -600, 3600, "officials")
        q.serve()

    def tearDown(self):
        self.q.close()

    def browser(self, member):
        return Browser.signed_in(self.q, member)

    def state(self, web, event):
        st, r, body = web.request("GET", "/events/%d/door" % event,
                                  headers=JSON)
        self.assertEqual(st, 200, body)
        return json.loads(body)

    def row(self, d, member):
        return [x for x in d["rows"] if x["member"] == member][0]

    def test_a_change_sent_twice_is_applied_once(self):
        sam = self.browser(3)
        st, r, page = sam.request("GET", "/events/%d/door" % self.now)
        csrf = sam.csrf(page)
        door = "/events/%d/door" % self.now
        present = {"csrf": csrf, "member": "4", "do": "present",
                   "key": "k" * 32}
        st, r, body = sam.request("POST", door, present, headers=JSON)
        self.assertEqual(st, 200, body)
        d = json.loads(body)
        self.assertEqual((d["present"], self.row(d, 4)["state"]),
                         (1, "present (late)"))     # it began 10 min ago
        self.assertEqual(d["quorum"], {"required": 2, "present": 1,
                                       "reached": False})
        undo = {"csrf": csrf, "member": "4", "do": "undo", "key": "u" * 32}
        st, r, body = sam.request("POST", door, undo, headers=JSON)
        self.assertEqual(json.loads(body)["present"], 0)
        # the first, sent again (its answer was lost): not applied again
        st, r, body = sam.request("POST", door, present, headers=JSON)
        self.assertEqual(st, 200)
        self.assertEqual(self.row(json.loads(body), 4)["state"],
                         "not here yet")
        # a walk-in with its key, twice: one check-in, one audit line
        walk = {"csrf": csrf, "do": "walkin", "number": "N-1005",
                "key": "w" * 32}
        for _ in range(2):
            st, r, body = sam.request("POST", door, walk, headers=JSON)
            self.assertEqual(st, 200, body)
        self.assertTrue(self.row(json.loads(body), 5)["present"])
        audit = self.q.out("audit", "--json")
        self.assertEqual(audit.count("member/5 "), 1, audit)
        # a refusal comes back as JSON the script can show
        st, r, body = sam.request("POST", door, {"csrf": csrf, "do":
                                                 "walkin", "number": "N-0",
                                                 "key": "x" * 32},
                                  headers=JSON)
        self.assertEqual(st, 400)
        self.assertIn("N-0", json.loads(body)["error"]["message"])
        st, r, body = sam.request("POST", door, dict(present, csrf="0"),
                                  headers=JSON)
        self.assertEqual(st, 403)
        # a key that is not a key
        st, r, body = sam.request("POST", door, dict(present, key="short"),
                                  headers=JSON)
        self.assertEqual(st, 400)
        # the API takes the same key
        token = self.q.out("token", "issue", "--member", "3", "--scope",
                           "api").split()[-1]
        for _ in range(2):
            st, h, body = self.q.http("PUT", "/api/v1/events/%d/attendance"
                                      "/6" % self.now, {"status": "present",
                                                        "key": "a" * 40},
                                      token=token)
            self.assertEqual(st, 200, body)
        st, h, body = self.q.http("PUT", "/api/v1/events/%d/attendance/6"
                                  % self.now, {"status": "unknown"},
                                  token=token)
        st, h, body = self.q.http("PUT", "/api/v1/events/%d/attendance/6"
                                  % self.now, {"status": "present",
                                               "key": "a" * 40},
                                  token=token)
        self.assertEqual(json.loads(body)["status"], "unknown")

    def test_the_list_is_one_form_without_a_script(self):
        sam = self.browser(3)
        door = "/events/%d/door" % self.now
        st, r, page = sam.request("GET", door)
        self.assertEqual(page.count('<form method="post" action="%s" '
                                    'class="door">' % door), 1)
        # Enter in a reason sends nothing: the first button is disabled
        self.assertIn('class="door"><button type="submit" disabled', page)
        csrf = sam.csrf(page)
        # the page sends every reason box with the button pressed
        form = {"csrf": csrf, "occurrence": "", "q": "", "why-4": "",
                "why-5": "Hospital appointment", "why-6": "not this one"}
        st, r, page = sam.request("POST", door, dict(form, apologies="5"))
        self.assertEqual(st, 200)
        self.assertIn("Saved.", page)
        st, r, page = sam.request("POST", door, dict(form, present="4"))
        d = self.state(sam, self.now)
        self.assertEqual(self.row(d, 5)["state"], "apologies")
        self.assertEqual(self.row(d, 5)["reason"], "Hospital appointment")
        self.assertTrue(self.row(d, 4)["present"])
        self.assertEqual(self.row(d, 6)["state"], "not here yet")
        st, r, page = sam.request("POST", door, dict(form, undo="4"))
        self.assertFalse(self.row(self.state(sam, self.now), 4)["present"])
        # nothing pressed: refused, nothing changed
        st, r, page = sam.request("POST", door, form)
        self.assertEqual(st, 400)

    def test_reads_are_logged_once_in_ten_minutes(self):
        sam = self.browser(3)
        for _ in range(3):
            self.assertEqual(sam.request("GET", "/events/%d/door" %
                                         self.now)[0], 200)
            self.state(sam, self.now)      # the script's refresh
        self.assertEqual(sam.request("GET", "/events/%d/door" %
                                     self.later)[0], 200)
        audit = json.loads(self.q.out("audit", "--json"))["items"]
        reads = sorted(a["object"] for a in audit
                       if a["verb"] == "attendance.read" and
                       a["actor"] == "sam.okafor@napo.example")
        self.assertEqual(reads, ["event/%d" % self.now,
                                 "event/%d" % self.later])

    def test_a_long_page_goes_gzipped(self):
        sam = self.browser(3)
        for i in range(60):
            self.q.out("member", "add", "--name", "Member %d" % i,
                       "--email", "m%d@napo.example" % i, "--number",
                       "Z-%03d" % i, "--audience", "programmes")
        door = "/events/%d/door" % self.now
        st, r, plain = sam.request("GET", door)
        self.assertIsNone(r.getheader("Content-Encoding"))
        self.assertGreater(len(plain), 8192)
        c = http.client.HTTPConnection(sam.host, sam.port, timeout=30)
        c.request("GET", door, headers={
            "Accept-Encoding": "gzip", "Cookie": "; ".join(
                "%s=%s" % kv for kv in sam.cookies.items())})
        r = c.getresponse()
        body = r.read()
        c.close()
        self.assertEqual(r.getheader("Content-Encoding"), "gzip")
        self.assertIn("Accept-Encoding", r.getheader("Vary"))
        self.assertLess(len(body), len(plain) / 4)
        self.assertEqual(gzip.decompress(body).decode(), plain)
        # a short page goes as it is
        st, r, page = sam.request("GET", "/events/%d/door/qr" % self.now,
                                  headers={"Accept-Encoding": "gzip"})
        self.assertIsNone(r.getheader("Content-Encoding"))

    def code_of(self, web, event):
        st, r, page = web.request("GET", "/events/%d/door/qr" % event)
        self.assertEqual(st, 200, page[:300])
        self.assertIn('<svg', page)
        return re.search(r"/here/([A-Za-z0-9_-]{43})", page).group(1)

    def test_self_check_in(self):
        sam = self.browser(3)
        code = self.code_of(sam, self.now)
        self.assertEqual(code, self.code_of(sam, self.now))   # kept
        priya = self.browser(4)
        st, r, page = priya.request("GET", "/here/" + code)
        self.assertEqual(st, 200)
        self.assertIn("I'm here</button>", page)
        self.assertEqual(self.row(self.state(sam, self.now), 4)["state"],
                         "not here yet")          # a look changes nothing
        st, r, page = priya.request("POST", "/here/" + code,
                                    {"csrf": "0" * 64})
        self.assertEqual(st, 403)
        st, r, page = priya.request("POST", "/here/" + code,
                                    {"csrf": priya.csrf(page)})
        self.assertEqual(st, 200)
        self.assertIn("You are checked in", page)
        self.assertEqual(self.row(self.state(sam, self.now), 4)["state"],
                         "present (late)")
        # not yet open, and over
        for event, words in ((self.later, "opens half an hour before"),
                             (self.over, "the meeting is over")):
            c = self.code_of(sam, event)
            st, r, page = priya.request("GET", "/here/" + c)
            self.assertEqual(st, 409)
            self.assertIn(words, page)
            st, r, page = priya.request("POST", "/here/" + c,
                                        {"csrf": priya.csrf(page)})
            self.assertEqual(st, 409)
            self.assertEqual(self.row(self.state(sam, event), 4)["state"],
                             "not here yet")
        # a member the meeting is not for, and a made-up code
        carole = self.browser(2)
        c = self.code_of(carole, self.officials)
        st, r, page = priya.request("POST", "/here/" + c,
                                    {"csrf": priya.csrf(page)})
        self.assertEqual(st, 404)
        st, r, page = priya.request("GET", "/here/" + "A" * 43)
        self.assertEqual(st, 404)
        # a stranger is asked to sign in, and nothing changes
        st, r, page = Browser(self.q.base).request("GET", "/here/" + code)
        self.assertEqual(st, 200)
        self.assertIn('href="/signin"', page)
        # a member is not shown the code
        self.assertEqual(priya.request("GET", "/events/%d/door/qr" %
                                       self.now)[0], 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
