#!/usr/bin/python3
"""Getting people in, on the real daemon: an invitation caught by a real
SMTP server (aiosmtpd), its one-time link, the session cookie, the
member's page with a button for each calendar app, "Reset my links",
the sign-in form that tells nobody who is a member, CSRF on every POST,
the security headers, and sessions ended by revocation, deactivation
and erasure.
Run: test_signin.py path/to/quorum"""
import json
import mailbox
import os
import re
import sqlite3
import subprocess
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, MailSink, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
BASE = "https://quorum.napo.example"


class SigninTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("init")
        self.sink = MailSink(q.dir).start()
        self.maildir = self.sink.maildir
        self.env = {"QUORUM_SMTP": self.sink.url,
                    "QUORUM_MAIL_FROM": "quorum@napo.example",
                    "QUORUM_BASE_URL": BASE, "QUORUM_OUTBOX_INTERVAL": "1"}
        self.saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        self.priya = q.out("member", "add", "--name", "Priya Shah",
                           "--email", "priya@napo.example", "--audience",
                           "facilitators")
        self.joe = q.out("member", "add", "--name", "<script>alert(1)"
                         "</script> Joe", "--email", "joe@napo.example",
                         "--audience", "victim-liaison")
        q.serve()
        self.web = Browser(q.base)

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self.sink.stop()
        self.q.close()

    def mails(self, to=None):
        if not os.path.exists(self.maildir):
            return []
        box = mailbox.Maildir(self.maildir, create=False)
        return [m for m in box if to is None or to in m["To"]]

    def wait_mail(self, to, n=1):
        end = time.monotonic() + 20
        while time.monotonic() < end:
            if len(self.mails(to)) >= n:
                return self.mails(to)
            time.sleep(0.1)
        self.fail("no mail to %s" % to)

    def link_in(self, mail):
        body = mail.get_payload(decode=True).decode()
        m = re.search(re.escape(BASE) + r"(/signin/[A-Za-z0-9_-]{43})", body)
        self.assertIsNotNone(m, body)
        return m.group(1), body

    def sign_in(self, path, web=None):
        web = web or self.web
        st, r, page = web.request("GET", path)
        self.assertEqual(st, 200)
        st, r, page = web.request("POST", path, {"csrf": web.csrf(page)})
        return st, r, page

    def test_invite_sign_in_and_subscribe(self):
        q = self.q
        out = q.out("member", "invite", self.priya)
        self.assertIn("1 invited", out)
        mail = self.wait_mail("priya@napo.example")[0]
        self.assertEqual(mail["Subject"], "Your union's meetings, in your "
                         "calendar")
        path, body = self.link_in(mail)
        self.assertIn(BASE + "/me", body)
        # a link checker's GET does not spend the link
        st, r, page = self.web.request("GET", path)
        self.assertEqual(st, 200)
        self.assertIn("Sign in", page)
        st, r, page = self.sign_in(path)
        self.assertEqual((st, r.getheader("Location")), (303, "/me"))
        cookie = [v for k, v in r.getheaders() if k.lower() == "set-cookie"
                  and v.startswith("quorum_session=")][0]
        for attr in ("HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=",
                     "Secure"):
            self.assertIn(attr, cookie)
        st, r, page = self.web.request("GET", "/me")
        self.assertEqual(st, 200)
        self.assertIn("Priya Shah", page)
        token = re.search(r"/feeds/me\.ics\?token=([A-Za-z0-9_-]{43})",
                          page).group(1)
        https = BASE + "/feeds/me.ics?token=" + token
        webcal = "webcal://quorum.napo.example/feeds/me.ics?token=" + token
        self.assertIn('href="%s"' % webcal, page)
        self.assertIn("https://calendar.google.com/calendar/render?cid=" +
                      urllib.parse.quote(webcal, safe=""), page)
        self.assertIn("https://outlook.live.com/calendar/0/addfromweb?url=" +
                      urllib.parse.quote(https, safe=""), page)
        self.assertIn("https://outlook.office.com/calendar/0/addfromweb?url=" +
                      urllib.parse.quote(https, safe=""), page)
        self.assertIn('value="%s"' % https, page)      # to copy
        self.assertIn("Download once", page)
        self.assertIn("/feeds/facilitators.ics?token=" + token, page)
        self.assertIn("/feeds/programmes.ics?token=" + token, page)
        self.assertNotIn("/feeds/officials.ics", page)
        # the QR code under it decodes (zbar, from a PNG made by librsvg)
        # to the same https link
        svg = re.search(r"<svg class=\"qr\".*?</svg>", page).group(0)
        svgfile = os.path.join(q.dir, "qr.svg")
        with open(svgfile, "w") as f:
            f.write(svg)
        png = os.path.join(q.dir, "qr.png")
        subprocess.run(["rsvg-convert", "-w", "400", "-o", png, svgfile],
                       check=True)
        z = subprocess.run(["zbarimg", "--raw", "-q", png],
                           capture_output=True, timeout=60)
        self.assertEqual(z.stdout.decode().strip(), https)
        # the links work, and the page shows the same token next time
        st, _, _ = q.http("GET", "/feeds/me.ics?token=" + token)
        self.assertEqual(st, 200)
        st, _, again = self.web.request("GET", "/me")
        self.assertIn(token, again)
        # the database alone cannot give the token back
        con = sqlite3.connect(q.db)
        dump = "\n".join(con.iterdump())
        con.close()
        self.assertNotIn(token, dump)
        # headers of a page that carries tokens
        csp = r.getheader("Content-Security-Policy") or ""
        st, r, _ = self.web.request("GET", "/me")
        csp = r.getheader("Content-Security-Policy")
        self.assertNotIn("unsafe-inline", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(r.getheader("Referrer-Policy"), "no-referrer")
        self.assertEqual(r.getheader("X-Content-Type-Options"), "nosniff")
        # its stylesheet is ours, hashed and cached
        css = re.search(r'href="(/static/quorum\.[0-9a-f]{12}\.css)"',
                        page).group(1)
        st, r, _ = self.web.request("GET", css)
        self.assertEqual(st, 200)
        self.assertIn("immutable", r.getheader("Cache-Control"))

    def test_link_works_once_and_expires(self):
        q = self.q
        url = q.out("login-link", self.priya).splitlines()[-1]
        self.assertTrue(url.startswith(BASE + "/signin/"), url)
        path = url[len(BASE):]
        self.assertEqual(self.sign_in(path)[0], 303)
        other = Browser(q.base)
        st, _, page = self.sign_in(path, other)
        self.assertEqual(st, 404)
        self.assertIn("cannot be used again", page)
        self.assertNotIn("quorum_session", other.cookies)
        # an expired link is refused too
        url = q.out("login-link", self.priya).splitlines()[-1]
        con = sqlite3.connect(q.db)
        con.execute("UPDATE signin_links SET expires = 1 WHERE used_at IS "
                    "NULL")
        con.commit()
        con.close()
        self.assertEqual(self.sign_in(url[len(BASE):], Browser(q.base))[0],
                         404)
        # a link that never was
        self.assertEqual(self.sign_in("/signin/" + "A" * 43,
                                      Browser(q.base))[0], 404)

    def test_reset_my_links(self):
        q = self.q
        url = q.out("login-link", self.priya).splitlines()[-1]
        self.sign_in(url[len(BASE):])
        st, _, page = self.web.request("GET", "/me")
        old = re.search(r"token=([A-Za-z0-9_-]{43})", page).group(1)
        self.assertEqual(q.http("GET", "/feeds/facilitators.ics?token=" +
                                old)[0], 200)
        # without the form's token: refused, nothing changes
        st, _, _ = self.web.request("POST", "/me/reset", {"csrf": "0" * 32})
        self.assertEqual(st, 403)
        self.assertEqual(q.http("GET", "/feeds/facilitators.ics?token=" +
                                old)[0], 200)
        st, _, page = self.web.request("POST", "/me/reset",
                                       {"csrf": self.web.csrf(page)})
        self.assertEqual(st, 200)
        self.assertIn("Your links are new", page)
        new = re.search(r"token=([A-Za-z0-9_-]{43})", page).group(1)
        self.assertNotEqual(new, old)
        self.assertEqual(q.http("GET", "/feeds/facilitators.ics?token=" +
                                old)[0], 404)
        self.assertEqual(q.http("GET", "/feeds/me.ics?token=" + old)[0], 404)
        self.assertEqual(q.http("GET", "/feeds/me.ics?token=" + new)[0], 200)

    def test_the_form_tells_nobody_who_is_a_member(self):
        st, _, page = self.web.request("GET", "/signin")
        csrf = self.web.csrf(page)
        answers = []
        for email in ("priya@napo.example", "stranger@example.org"):
            st, r, page = self.web.request("POST", "/signin", {
                "csrf": csrf, "email": email})
            answers.append((st, page))
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(answers[0][0], 200)
        mail = self.wait_mail("priya@napo.example")[0]
        self.assertEqual(mail["Subject"], "Your link to sign in")
        path, _ = self.link_in(mail)
        self.assertEqual(self.sign_in(path)[0], 303)
        time.sleep(1.5)
        self.assertEqual(self.mails("stranger@example.org"), [])
        # asking again at once sends nothing more (one a minute)
        self.web.request("POST", "/signin", {"csrf": csrf,
                                             "email": "priya@napo.example"})
        time.sleep(1.5)
        self.assertEqual(len(self.mails("priya@napo.example")), 1)
        # a POST without its form token is refused, and sends nothing
        other = Browser(self.q.base)
        st, _, page = other.request("POST", "/signin", {
            "email": "joe@napo.example"})
        self.assertEqual(st, 403)
        self.assertIn("expired", page)
        time.sleep(1.5)
        self.assertEqual(self.mails("joe@napo.example"), [])

    def test_sessions_end(self):
        q = self.q
        url = q.out("login-link", self.joe).splitlines()[-1]
        self.sign_in(url[len(BASE):])
        st, _, page = self.web.request("GET", "/me")
        self.assertEqual(st, 200)
        # hostile names are text, never markup
        self.assertNotIn("<script>alert(1)", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; Joe", page)
        listed = json.loads(q.out("session", "list", "--json"))["items"]
        self.assertEqual([s["member"] for s in listed], [int(self.joe)])
        q.out("session", "revoke", "--member", self.joe)
        st, r, _ = self.web.request("GET", "/me")
        self.assertEqual((st, r.getheader("Location")), (303, "/signin"))
        # deactivation signs out and spends unused links
        url = q.out("login-link", self.joe).splitlines()[-1]
        spare = q.out("login-link", self.joe).splitlines()[-1]
        web = Browser(q.base)
        self.sign_in(url[len(BASE):], web)
        self.assertEqual(web.request("GET", "/me")[0], 200)
        q.out("member", "deactivate", self.joe)
        self.assertEqual(web.request("GET", "/me")[0], 303)
        self.assertEqual(self.sign_in(spare[len(BASE):], Browser(q.base))[0],
                         404)
        # signing out
        url = q.out("login-link", self.priya).splitlines()[-1]
        web = Browser(q.base)
        self.sign_in(url[len(BASE):], web)
        st, _, page = web.request("GET", "/me")
        st, r, _ = web.request("POST", "/signout", {"csrf": web.csrf(page)})
        self.assertEqual(st, 303)
        self.assertNotIn("quorum_session", web.cookies)
        self.assertEqual(web.request("GET", "/me")[0], 303)

    def signed_in(self, member):
        url = self.q.out("login-link", member).splitlines()[-1]
        web = Browser(self.q.base)
        self.assertEqual(self.sign_in(url[len(BASE):], web)[0], 303)
        return web

    def test_answers_actions_and_one_meeting(self):
        q = self.q
        soon = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 5 * 86400))
        ev = json.loads(q.out(
            "event", "add", "--title", "VLO workshop <b>bold</b>", "--kind",
            "workshop", "--audience", "programmes", "--start",
            soon + "T10:00", "--end", soon + "T12:00", "--capacity", "1",
            "--location", "Napo HQ"))
        amina = q.out("member", "add", "--name", "Amina Yusuf", "--email",
                      "amina@napo.example", "--audience", "facilitators")
        act = json.loads(q.out("action", "add", "--title", "Send comments",
                               "--owner", self.priya, "--due", soon))
        web = self.signed_in(self.priya)
        st, _, page = web.request("GET", "/me")
        self.assertIn("VLO workshop &lt;b&gt;bold&lt;/b&gt;", page)
        self.assertIn("Your answer: <strong>none yet", page)
        csrf = web.csrf(page)
        form = "/events/%d/rsvp" % ev["id"]
        st, r, _ = web.request("POST", form, {"csrf": csrf, "rsvp":
                                              "accepted", "occurrence": ""})
        self.assertEqual((st, r.getheader("Location")),
                         (303, "/me#m%d-once" % ev["id"]))
        st, _, page = web.request("GET", "/me")
        self.assertIn("Your answer: <strong>going", page)
        # the second to accept is told their place on the waiting list
        other = self.signed_in(amina)
        st, _, page = other.request("GET", "/me")
        other.request("POST", form, {"csrf": other.csrf(page),
                                     "rsvp": "accepted"})
        st, _, page = other.request("GET", "/me")
        self.assertIn("on the waiting list, number 1", page)
        # apologies with a reason
        st, _, _ = web.request("POST", form, {"csrf": csrf, "status":
                                              "apologies", "reason":
                                              "court hearing"})
        self.assertEqual(st, 303)
        st, _, page = web.request("GET", "/me")
        self.assertIn("apologies sent</strong> (court hearing)", page)
        rec = json.loads(q.out("attend", "list", str(ev["id"]), "--json"))
        self.assertEqual({x["name"]: x["status"] for x in rec["items"]},
                         {"Priya Shah": "apologies",
                          "Amina Yusuf": "unknown"})
        # a form without its token changes nothing (the page it shows
        # again reads the member's records, and that read is audited)
        def answers():
            con = sqlite3.connect(q.db)
            rows = list(con.execute("SELECT * FROM attendance ORDER BY 1, 2,"
                                    " 3"))
            con.close()
            return rows
        before = answers()
        st, _, page = web.request("POST", form, {"csrf": "0" * 32,
                                                 "rsvp": "declined"})
        self.assertEqual(st, 403)
        self.assertIn("expired", page)
        self.assertEqual(answers(), before)
        # the action is done from the page
        self.assertIn("Send comments", page)
        st, r, _ = web.request("POST", "/actions/%d/done" % act["id"],
                               {"csrf": csrf})
        self.assertEqual(st, 303)
        shown = json.loads(q.out("action", "show", str(act["id"])))
        self.assertEqual(shown["status"], "done")
        # one meeting as a calendar file: for who may see it
        st, r, body = web.request("GET", "/events/%d.ics" % ev["id"])
        self.assertEqual(st, 200)
        self.assertTrue(r.getheader("Content-Type").startswith(
            "text/calendar"))
        import icalendar
        cal = icalendar.Calendar.from_ical(body)
        self.assertEqual([str(e["UID"]) for e in cal.walk("VEVENT")],
                         [ev["uid"]])
        st, _, _ = Browser(q.base).request("GET", "/events/%d.ics" %
                                           ev["id"])
        self.assertEqual(st, 404)       # members only: not for anyone
        pub = json.loads(q.out("event", "add", "--title", "Open briefing",
                               "--kind", "member_briefing", "--audience",
                               "all-members", "--start", soon + "T18:00",
                               "--end", soon + "T19:00"))
        st, _, _ = Browser(q.base).request("GET", "/events/%d.ics" %
                                           pub["id"])
        self.assertEqual(st, 200)

    def test_agenda_and_event_pages(self):
        q = self.q
        soon = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 4 * 86400))
        pub = json.loads(q.out("event", "add", "--title", "Open briefing",
                               "--kind", "member_briefing", "--audience",
                               "all-members", "--start", soon + "T18:00",
                               "--end", soon + "T19:00", "--location",
                               "Online", "--description", "Line one\n<i>two"
                               "</i>", "--host", self.priya))
        fac = json.loads(q.out("event", "add", "--title", "Facilitators' "
                               "drop-in", "--kind", "other", "--audience",
                               "facilitators", "--start", soon + "T12:30",
                               "--end", soon + "T13:00"))
        gone = json.loads(q.out("event", "add", "--title", "Old plan",
                                "--kind", "other", "--audience",
                                "all-members", "--start", soon + "T09:00",
                                "--end", soon + "T10:00"))
        q.out("event", "cancel", str(gone["id"]))
        anon = Browser(q.base)
        st, r, page = anon.request("GET", "/audiences/all-members")
        self.assertEqual(st, 200)
        self.assertIn('href="/events/%d">Open briefing' % pub["id"], page)
        self.assertIn("<del><a href=\"/events/%d\">Old plan</a></del>" %
                      gone["id"], page)
        self.assertIn("cancelled on", page)
        self.assertIn('<table class="month">', page)
        self.assertNotIn("Facilitators&#39; drop-in", page)
        # members' calendars and their events are not there for strangers
        self.assertEqual(anon.request("GET", "/audiences/facilitators")[0],
                         404)
        self.assertEqual(anon.request("GET", "/events/%d" % fac["id"])[0],
                         404)
        self.assertEqual(anon.request("GET", "/audiences/nothing")[0], 404)
        st, _, page = anon.request("GET", "/events/%d" % pub["id"])
        self.assertEqual(st, 200)
        self.assertIn("Priya Shah", page)                 # the host
        self.assertIn("Line one\n&lt;i&gt;two&lt;/i&gt;", page)
        self.assertIn('href="/events/%d.ics"' % pub["id"], page)
        st, _, page = anon.request("GET", "/events/%d" % gone["id"])
        self.assertIn("This meeting was cancelled on", page)
        # signed in, a facilitator sees theirs, with what they inherit
        web = self.signed_in(self.priya)
        st, _, page = web.request("GET", "/audiences/facilitators")
        self.assertEqual(st, 200)
        self.assertIn("Facilitators&#39; drop-in", page)
        self.assertIn("Open briefing", page)
        self.assertEqual(web.request("GET", "/events/%d" % fac["id"])[0], 200)
        self.assertEqual(web.request("GET", "/audiences/officials")[0], 404)
        st, _, page = web.request("GET", "/audiences/facilitators?month="
                                  "2027-02")
        self.assertIn("February 2027", page)

    def test_the_door(self):
        q = self.q
        now = time.time()
        start = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(now + 1800))
        end = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(now + 5400))
        ev = json.loads(q.out("event", "add", "--title", "Facilitators' "
                              "meeting", "--kind", "other", "--audience",
                              "facilitators", "--tz", "UTC", "--start",
                              start, "--end", end, "--quorum", "2"))
        door = "/events/%d/door" % ev["id"]
        a = q.out("member", "add", "--name", "Amina Yusuf", "--email",
                  "amina@napo.example", "--number", "N-2", "--audience",
                  "facilitators")
        q.out("member", "update", self.priya, "--number", "N-1")
        sam = q.out("member", "add", "--name", "Sam Okafor", "--email",
                    "sam@napo.example", "--role", "rep", "--scope",
                    "programmes", "--audience", "reps")
        ugo = q.out("member", "add", "--name", "Ugo Rep", "--email",
                    "ugo@napo.example", "--role", "rep", "--scope",
                    "unpaid-work", "--audience", "reps")
        web = self.signed_in(sam)
        st, _, page = web.request("GET", door)
        self.assertEqual(st, 200)
        self.assertIn("Amina Yusuf", page)
        self.assertIn("Priya Shah", page)
        self.assertIn("<strong>0 present</strong> of 2", page)
        self.assertIn("quorum 2: <strong>not reached", page)
        csrf = web.csrf(page)
        st, _, page = web.request("POST", door, {"csrf": csrf, "do":
                                                 "present", "member":
                                                 self.priya})
        self.assertEqual(st, 200)
        self.assertIn("<strong>1 present</strong> of 2", page)
        st, _, page = web.request("POST", door, {"csrf": csrf, "do":
                                                 "walkin", "number": "N-2"})
        self.assertIn("<strong>2 present</strong> of 2", page)
        self.assertIn("quorum 2: <strong>reached", page)
        st, _, page = web.request("POST", door, {"csrf": csrf, "do": "undo",
                                                 "member": a})
        self.assertIn("<strong>1 present</strong>", page)
        st, _, page = web.request("POST", door, {"csrf": csrf, "do":
                                                 "apologies", "member": a,
                                                 "reason": "court <b>"})
        self.assertIn("apologies: court &lt;b&gt;", page)
        st, _, page = web.request("POST", door, {"csrf": csrf, "do":
                                                 "walkin", "number": "N-404"})
        self.assertEqual(st, 400)
        self.assertIn("N-404", page)
        st, _, page = web.request("GET", door + "?q=amina")
        self.assertIn("Amina Yusuf", page)
        self.assertNotIn("Priya Shah</strong>", page)
        rec = json.loads(q.out("attend", "list", str(ev["id"]), "--json"))
        self.assertEqual({x["name"]: x["status"] for x in rec["items"]},
                         {"Priya Shah": "present", "Amina Yusuf":
                          "apologies"})
        # the list for a spreadsheet, everyone on it
        st, r, text = web.request("GET", door + ".csv")
        self.assertEqual(st, 200)
        self.assertTrue(r.getheader("Content-Type").startswith("text/csv"))
        import csv
        import io
        rows = {x["name"]: x["status"] for x in
                csv.DictReader(io.StringIO(text))}
        self.assertEqual(rows, {"Priya Shah": "present",
                                "Amina Yusuf": "apologies"})
        self.assertEqual(self.signed_in(ugo).request("GET", door + ".csv")[0],
                         404)
        # without the form's token: refused, nothing changes
        before = rec
        st, _, _ = web.request("POST", door, {"csrf": "0" * 32, "do":
                                              "undo", "member": self.priya})
        self.assertEqual(st, 403)
        self.assertEqual(json.loads(q.out("attend", "list", str(ev["id"]),
                                          "--json")), before)
        # a rep outside the scope, and a member, are not let in
        self.assertEqual(self.signed_in(ugo).request("GET", door)[0], 404)
        self.assertEqual(self.signed_in(a).request("GET", door)[0], 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
