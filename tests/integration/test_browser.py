#!/usr/bin/python3
"""quorum's pages in a real browser: Debian's chromium driven by
playwright-core (tests/browser/run.mjs, from its lock file).  Each page
at desktop size and at 390x844 is screenshotted (under the build tree),
checked by axe-core (no serious or critical violation), and every
request it makes must go to quorum's own origin; the sign-in flow, the
subscribe buttons, an answer and "Reset my links" are done by clicking.
Run: test_browser.py path/to/quorum"""
import json
import os
import shutil
import subprocess
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import MailSink, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "..", "browser", "run.mjs")
MODULES = os.path.join(HERE, "..", "browser", "node_modules")
SHOTS = os.path.join(os.path.dirname(os.path.abspath(BINARY)), "screenshots")


@unittest.skipUnless(os.path.exists("/usr/bin/chromium") and
                     os.path.isdir(MODULES) and shutil.which("node"),
                     "chromium, node or tests/browser/node_modules missing")
class BrowserTest(unittest.TestCase):
    def test_pages_in_chromium(self):
        q = Quorum(BINARY)
        sink = MailSink(q.dir)
        maildir = sink.maildir
        saved = {k: os.environ.get(k) for k in
                 ("QUORUM_SMTP", "QUORUM_MAIL_FROM", "QUORUM_BASE_URL",
                  "QUORUM_OUTBOX_INTERVAL")}
        try:
            sink.start()
            os.environ.update({"QUORUM_SMTP": sink.url,
                               "QUORUM_MAIL_FROM": "quorum@napo.example",
                               "QUORUM_OUTBOX_INTERVAL": "1"})
            q.cli("demo")
            soon = time.strftime("%Y-%m-%d", time.gmtime(time.time() +
                                                        3 * 86400))
            q.out("event", "add", "--title", "Facilitators' catch-up",
                  "--kind", "other", "--audience", "facilitators",
                  "--start", soon + "T12:30", "--end", soon + "T13:00")
            q.out("event", "add", "--title", "Members' briefing", "--kind",
                  "member_briefing", "--audience", "all-members", "--start",
                  soon + "T18:00", "--end", soon + "T19:00", "--location",
                  "Online", "--description", "What the new job "
                  "descriptions mean for you: " + "JobDescription" * 30)
            full = json.loads(q.out(
                "event", "add", "--title", "Full workshop", "--kind",
                "workshop", "--audience", "facilitators", "--start",
                soon + "T10:00", "--end", soon + "T12:00", "--capacity",
                "1"))
            q.out("attend", str(full["id"]), "6", "--rsvp", "accepted")
            start = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(
                time.time() + 1800))
            end = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(
                time.time() + 5400))
            door = json.loads(q.out(
                "event", "add", "--title", "Programmes meeting", "--kind",
                "other", "--audience", "programmes", "--tz", "UTC",
                "--start", start, "--end", end, "--quorum", "2"))
            base = q.serve()
            os.environ.pop("QUORUM_BASE_URL", None)
            links = [q.out("--base-url", base, "login-link", "4")
                     .splitlines()[-1] for _ in range(3)]
            os.makedirs(SHOTS, exist_ok=True)
            rep = q.out("--base-url", base, "login-link", "3").splitlines()[-1]
            official = q.out("--base-url", base, "login-link",
                             "2").splitlines()[-1]
            p = subprocess.run(["node", RUNNER, base, links[0], links[1],
                                SHOTS, rep, "/events/%d/door" % door["id"],
                                official, maildir, links[2]],
                               capture_output=True, timeout=300)
            self.assertEqual(p.returncode, 0, p.stderr.decode()[-3000:])
            r = json.loads(p.stdout)
            ics = q.out("export")
            att = json.loads(q.out("attend", "list", str(door["id"]),
                                   "--json"))
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            sink.stop()
            q.close()
        # every page, at both sizes, looked at and checked
        names = {(x["name"], x["size"]) for x in r["pages"]}
        self.assertEqual(len(names), 54, names)
        # every page at both sizes
        self.assertEqual({n for n, size in names if size == "phone"},
                         {n for n, size in names if size == "desktop"})
        for x in r["pages"]:
            bad = [v for v in x["violations"]
                   if v["impact"] in ("serious", "critical")]
            self.assertEqual(bad, [], (x["name"], x["size"]))
            # nothing makes a phone scroll sideways
            self.assertFalse(x["wide"], (x["name"], x["size"]))
            self.assertTrue(os.path.getsize(os.path.join(
                SHOTS, "%s-%s.png" % (x["name"], x["size"]))) > 1000)
        self.assertGreater(r["requests"], 20)
        self.assertEqual(r["foreign"], [])
        d = r["flows"].pop("door")
        self.assertIn("1 present", d["counts"])
        # offline: kept on the phone, shown and counted; then sent once
        self.assertIn("No signal: 2 changes kept on this phone", d["offline"])
        self.assertIn("3 present", d["offlineCounts"])
        self.assertEqual(d["serverPresent"], 3)
        self.assertEqual(d["loads"], 0)     # no page was loaded again
        self.assertTrue(d["hereLink"].startswith(base + "/here/"))
        self.assertEqual(d["memberSeesDoor"], 404)
        print("door toggle, click to saved: %d ms" % d["toggleMs"],
              file=sys.stderr)
        # Priya checked herself in with the code, on her own phone
        att = att if isinstance(att, list) else att["items"]
        mine = [a for a in att if a["member"] == 4]
        self.assertEqual(mine[0]["status"], "present", att)
        self.assertEqual(sum(a["status"] == "present" for a in att), 4)
        o = r["flows"].pop("official")
        # a refused form: the reason at the field, focused, input kept
        self.assertIn("end must be after start", o["refused"])
        self.assertEqual(o["refusedFocus"], "f-end_time")
        self.assertEqual(o["kept"], "Branch training: <b>new</b> rules")
        self.assertEqual(o["keptRepeat"], "weekly")
        # saved: the repeating meeting is in the feed, as typed
        self.assertIn("Saved", o["saved"])
        self.assertEqual(o["savedRepeat"], "weekly")
        self.assertTrue(o["inFeed"])
        # facility time drawn; a time-off request to print
        self.assertEqual(o["facilityChart"], 1)
        self.assertIn("section 168", o["timeOff"])
        # one date of it moved alone, from the meeting's page
        self.assertIn("Saved. Those invited have been told.",
                      o["dateSaved"])
        self.assertIn("moved", o["dateMoved"])
        self.assertIn("14:00", o["dateMoved"])
        self.assertIn("Branch training: <b>new</b> rules", ics)
        # find a time: proposals, each making a meeting filled in
        self.assertEqual(o["slots"], 10)
        self.assertEqual(o["prefilled"][0], "N-1001,N-1003")
        h0, m0 = map(int, o["prefilled"][1].split(":"))
        h1, m1 = map(int, o["prefilled"][2].split(":"))
        self.assertEqual((h1 * 60 + m1) - (h0 * 60 + m0), 120)
        # a poll of the first five, answered by Sam from his e-mail
        self.assertEqual(o["pollHeads"], 6)
        self.assertIn("your answers are saved", o["pollSaved"])
        # an action from a line of the notes, owned by the rep typed
        self.assertIn("Book the room for the next session", o["action"])
        self.assertIn("Owner: Sam Okafor", o["action"])
        # the import's report: what was taken and why a row was not
        self.assertIn("1 added", " ".join(o["imported"].split()))
        self.assertIn("email", o["imported"])
        # the invitation reached Joe's mailbox and signed him in
        self.assertIn("on its way", o["invitedNotice"])
        self.assertIn("Joe Marsh", o["joe"])
        jt = o["joeCopy"].split("token=")[1]
        self.assertEqual(o["joeSubscribe"], "webcal://%s/feeds/me.ics?token="
                         "%s" % (base.split("//")[1], jt))
        self.assertTrue(any(u.startswith("https://calendar.google.com/") and
                            jt in urllib.parse.unquote(u)
                            for u in o["joeLinks"]), o["joeLinks"])
        self.assertTrue(any("outlook.live.com" in u and "addfromweb" in u
                            for u in o["joeLinks"]), o["joeLinks"])
        for size, f in r["flows"].items():
            self.assertEqual(f["asked"], "Check your e-mail", size)
            self.assertEqual(f["me"], base + "/me", size)
            token = f["copy"].split("token=")[1]
            host = base.split("//")[1]
            self.assertEqual(f["subscribe"], "webcal://%s/feeds/me.ics"
                             "?token=%s" % (host, token), size)
            self.assertTrue(f["google"].startswith(
                "https://calendar.google.com/calendar/render?cid=webcal"))
            self.assertIn("going", f["answer"])
            self.assertEqual(f["copied"], f["copy"])
            # the QR code on the page, as drawn, decodes to the link
            z = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(
                SHOTS, "qr-%s.png" % size)], capture_output=True, text=True)
            self.assertEqual(z.stdout.strip(), f["copy"], z.stderr)
            self.assertTrue(f["copy"].startswith(base + "/feeds/me.ics?"))
            self.assertIn("waiting list, number 1", f["waiting"], size)
            self.assertEqual(f["noCsrf"], 403)
            self.assertEqual((f["oldLink"], f["newLink"]), (404, 200))
            self.assertIn("used already or has expired", f["again"])
            self.assertIn("Your links are new", f["reset"])
            self.assertNotEqual(f["copyAfterReset"], f["copy"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
