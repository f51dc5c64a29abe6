#!/usr/bin/python3
"""Personal feeds that cost what an audience feed costs.  Staleness,
exhaustively over a small fixture: after every kind of write, each
member's feeds change their ETag exactly when their bytes change, and a
revalidation with the old ETag answers 304 only when they did not; a
304 costs no build (the feed cache's misses stay as they were).  Byte
equality, after every write too: each personal feed as served (laid
out from the texts shared by all who see the events, the member's own
lines put in) is byte for byte the feed built whole for them (`quorum
member calendar`), and its gzip is the gzip of those bytes (kept with
the feed, or made for each request for a feed past 256 KB).  The
window: an event over longer ago than its audience's `past` leaves
every feed but stays in `export`, a series stays while any of its dates
is inside, and a feed past 900 KB is logged, counted and shown to
officials.
Run: test_personal.py path/to/quorum"""
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import sys
import unittest

import icalendar

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TODAY = dt.date.today()


def day(offset):
    return (TODAY + dt.timedelta(days=offset)).isoformat()


class StalenessTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("init")
        self.off = q.out("member", "add", "--name", "Olu Official",
                         "--email", "olu@napo.example", "--role", "official",
                         "--audience", "officials").strip()
        self.m = {}
        for name, aud in (("Ann", "facilitators"), ("Ben", "reps"),
                          ("Cat", "reps"), ("Dan", "daso")):
            self.m[name] = q.out("member", "add", "--name", name + " Test",
                                 "--email", name.lower() + "@napo.example",
                                 "--audience", aud).strip()
        self.ev = {}
        for title, aud, cap in (("Facilitators forum", "facilitators", 0),
                                ("Reps meeting", "reps", 1),
                                ("Branch briefing", "all-members", 0)):
            self.ev[title] = json.loads(q.out(
                "event", "add", "--title", title, "--kind", "other",
                "--audience", aud, "--start", day(10) + "T18:00",
                "--end", day(10) + "T19:00", "--capacity", str(cap),
                "--force"))["id"]
        self.series = json.loads(q.out(
            "event", "add", "--title", "Weekly drop-in", "--kind", "other",
            "--audience", "facilitators", "--start", day(3) + "T12:00",
            "--end", day(3) + "T13:00", "--rrule", "FREQ=WEEKLY;COUNT=4"))
        self.tokens = {n: q.out("token", "issue", "--member", i, "--scope",
                                "feed").split()[-1]
                       for n, i in self.m.items()}
        q.serve()
        self.api_tok = q.out("token", "issue", "--member", self.off,
                             "--scope", "api").split()[-1]

    def tearDown(self):
        self.q.close()

    def snapshot(self):
        out = {}
        for n, t in self.tokens.items():
            for path in ("/feeds/me.ics", "/feeds/actions.ics"):
                st, h, body = self.q.http("GET", path + "?token=" + t)
                self.assertEqual(st, 200)
                out[(n, path)] = (h["ETag"], body)
            # as served is as built whole, plain and gzipped
            whole = self.q.cli("member", "calendar", self.m[n]).stdout
            self.assertEqual(out[(n, "/feeds/me.ics")][1], whole, n)
            st, h, gz = self.q.http("GET", "/feeds/me.ics?token=" + t,
                                    headers={"Accept-Encoding": "gzip"})
            self.assertEqual(h["Content-Encoding"], "gzip")
            self.assertEqual(gzip.decompress(gz), whole, n)
        return out

    def misses(self):
        body = self.q.http("GET", "/metrics")[2].decode()
        return int(re.search(r"^quorum_feed_cache_misses_total (\d+)", body,
                             re.M).group(1))

    def cli(self, *args):
        self.q.out(*args)

    def test_every_write_kind_for_every_member(self):
        ann, ben, cat, dan = (self.m[n] for n in ("Ann", "Ben", "Cat",
                                                  "Dan"))
        writes = [
            ("a new meeting for facilitators",
             ["event", "add", "--title", "New forum", "--kind", "workshop",
              "--audience", "facilitators", "--start", day(20) + "T10:00",
              "--end", day(20) + "T11:00"]),
            ("a title changed", ["event", "update",
                                 str(self.ev["Reps meeting"]), "--title",
                                 "Reps meeting (room 4)"]),
            ("Ben accepts", ["attend", str(self.ev["Reps meeting"]), ben,
                             "--rsvp", "accepted"]),
            ("Cat accepts: the waiting list",
             ["attend", str(self.ev["Reps meeting"]), cat, "--rsvp",
              "accepted"]),
            ("Ben declines: Cat has the place",
             ["attend", str(self.ev["Reps meeting"]), ben, "--rsvp",
              "declined"]),
            ("Ann answers one date", ["attend", str(self.series["id"]), ann,
                                      "--rsvp", "accepted", "--occurrence",
                                      day(10) + "T12:00"]),
            ("Ann is checked in elsewhere",
             ["attend", str(self.ev["Branch briefing"]), ann, "--status",
              "present", "--force"]),
            ("an action for Dan", ["action", "add", "--title", "Draft the "
                                   "letter", "--owner", dan, "--due",
                                   day(5)]),
            ("Dan's action done", ["action", "done", "1"]),
            ("Dan asks for an alert", ["member", "update", dan,
                                       "--feed-alarm", "PT30M"]),
            ("Cat joins facilitators", ["member", "update", cat,
                                        "--audience", "reps",
                                        "--audience", "facilitators"]),
            ("a date of the series moved",
             ["event", "occurrence", str(self.series["id"]),
              day(17) + "T12:00", "--start", day(18) + "T14:00"]),
            ("the briefing cancelled", ["event", "cancel",
                                        str(self.ev["Branch briefing"])]),
        ]
        before = self.snapshot()
        changed_some = set()
        for what, args in writes:
            self.cli(*args)
            m0 = self.misses()
            # revalidate everyone with the ETags they had
            revalidated = {}
            for (n, path), (etag, body) in before.items():
                st, h, _ = self.q.http("GET", path + "?token=" +
                                       self.tokens[n], headers={
                                           "If-None-Match": etag})
                revalidated[(n, path)] = st
            after = self.snapshot()
            for key in before:
                same_bytes = before[key][1] == after[key][1]
                same_etag = before[key][0] == after[key][0]
                self.assertEqual(same_bytes, same_etag, (what, key))
                self.assertEqual(revalidated[key],
                                 304 if same_bytes else 200, (what, key))
                if not same_bytes:
                    changed_some.add(key)
            before = after
            del m0
        # the writes reached every member's feed somewhere
        self.assertEqual({n for n, _ in changed_some}, set(self.m))
        # a revalidation of an unchanged feed builds nothing
        self.cli("attend", str(self.ev["Facilitators forum"]), ann,
                 "--status", "present", "--force")
        m0 = self.misses()
        for (n, path), (etag, _) in before.items():
            if n == "Ann":
                continue
            st, _, _ = self.q.http("GET", path + "?token=" + self.tokens[n],
                                   headers={"If-None-Match": etag})
            self.assertEqual(st, 304, n)
        self.assertEqual(self.misses(), m0)


class WindowTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        feeds = os.path.join(q.dir, "feeds")
        shutil.copytree(os.environ.get("QUORUM_FEEDS", ROOT + "/feeds"),
                        feeds)
        with open(os.path.join(feeds, "daso.ini"), "a") as f:
            f.write("past = P30D\n")
        self.saved = os.environ.get("QUORUM_FEEDS")
        os.environ["QUORUM_FEEDS"] = feeds
        q.cli("init")
        self.member = q.out("member", "add", "--name", "Eve", "--email",
                            "eve@napo.example", "--audience", "daso",
                            "--audience", "reps").strip()
        self.feed = q.out("token", "issue", "--member", self.member,
                          "--scope", "feed").split()[-1]

    def tearDown(self):
        if self.saved is None:
            os.environ.pop("QUORUM_FEEDS", None)
        else:
            os.environ["QUORUM_FEEDS"] = self.saved
        self.q.close()

    def add(self, title, aud, start, *extra):
        return json.loads(self.q.out(
            "event", "add", "--title", title, "--kind", "other", "--audience",
            aud, "--start", start + "T10:00", "--end", start + "T11:00",
            "--force", *extra))["id"]

    def summaries(self, path):
        st, _, body = self.q.http("GET", path)
        self.assertEqual(st, 200, path)
        cal = icalendar.Calendar.from_ical(body)
        return {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}

    def test_window_and_export(self):
        self.add("Old reps meeting", "reps", day(-400))
        self.add("Last year's reps meeting", "reps", day(-300))
        self.add("Old DASO meeting", "daso", day(-60))
        self.add("Recent DASO meeting", "daso", day(-20))
        self.add("Old series", "reps", day(-500), "--rrule",
                 "FREQ=MONTHLY;COUNT=15")       # its last date: inside
        self.add("Coming meeting", "reps", day(30))
        self.q.serve()
        reps = self.summaries("/feeds/reps.ics?token=" + self.feed)
        daso = self.summaries("/feeds/daso.ics?token=" + self.feed)
        me = self.summaries("/feeds/me.ics?token=" + self.feed)
        self.assertNotIn("Old reps meeting", reps | me)
        self.assertIn("Last year's reps meeting", reps & me)
        self.assertIn("Old series", reps & me)
        self.assertIn("Coming meeting", reps & me)
        self.assertNotIn("Old DASO meeting", daso | me)   # past = P30D
        self.assertIn("Recent DASO meeting", daso & me)
        export = self.q.out("export")
        for title in ("Old reps meeting", "Old DASO meeting"):
            self.assertIn("SUMMARY:" + title, export)

    def test_large_feed_logged_counted_and_shown(self):
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
        for i in range(1300):
            d = TODAY + dt.timedelta(days=i % 300 + 1)
            lines += ["BEGIN:VEVENT", "UID:big-%d@test" % i,
                      "DTSTAMP:20260101T000000Z",
                      "DTSTART;TZID=Europe/London:%sT100000" %
                      d.strftime("%Y%m%d"),
                      "DTEND;TZID=Europe/London:%sT110000" %
                      d.strftime("%Y%m%d"),
                      "SUMMARY:Casework surgery number %d with a long title "
                      "for the test" % i,
                      "DESCRIPTION:" + "Details of the surgery. " * 12,
                      "LOCATION:Clive House, 70 Petty France, London",
                      "END:VEVENT"]
        lines.append("END:VCALENDAR")
        path = os.path.join(self.q.dir, "big.ics")
        with open(path, "w") as f:
            f.write("\r\n".join(lines) + "\r\n")
        self.q.cli("import", path, "--audience", "reps")
        self.q.serve()
        st, _, body = self.q.http("GET", "/feeds/reps.ics?token=" +
                                  self.feed)
        self.assertGreater(len(body), 900 * 1024)
        # Eve's own feed is that large too: its gzip, made for each
        # request and not kept, is the gzip of the bytes built whole
        whole = self.q.cli("member", "calendar", self.member).stdout
        self.assertGreater(len(whole), 900 * 1024)
        for _ in range(2):
            st, h, gz = self.q.http("GET", "/feeds/me.ics?token=" +
                                    self.feed,
                                    headers={"Accept-Encoding": "gzip"})
            self.assertEqual((st, h["Content-Encoding"]), (200, "gzip"))
            self.assertEqual(gzip.decompress(gz), whole)
        self.assertEqual(self.q.http("GET", "/feeds/me.ics?token=" +
                                     self.feed)[2], whole)
        metrics = self.q.http("GET", "/metrics")[2].decode()
        self.assertGreaterEqual(int(re.search(
            r"^quorum_feeds_oversize_total (\d+)", metrics, re.M).group(1)),
            1)
        off = self.q.out("member", "add", "--name", "Olu", "--email",
                         "olu@napo.example", "--role", "official").strip()
        page = Browser.signed_in(self.q, int(off)).request("GET", "/me")[2]
        self.assertIn("Feeds too large for Google Calendar", page)
        self.assertIn("reps: %d KB" % (len(body) // 1024), page)
        self.q.proc.terminate()
        self.q.proc.wait(timeout=30)
        self.q.proc = None
        with open(os.path.join(self.q.dir, "serve.log")) as f:
            self.assertIn("the feed of reps is", f.read())


class CacheBudgetTest(unittest.TestCase):
    """Members' feeds and their gzips stay within the cache's budget
    (1 MiB here) however many members poll, the least recently used
    going first, and what is served stays right."""

    def setUp(self):
        self.saved = os.environ.get("QUORUM_CACHE_MB")
        os.environ["QUORUM_CACHE_MB"] = "1"
        q = self.q = Quorum(BINARY)
        q.cli("init")
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
        for i in range(150):
            d = TODAY + dt.timedelta(days=i % 120 + 1)
            lines += ["BEGIN:VEVENT", "UID:c-%d@test" % i,
                      "DTSTAMP:20260101T000000Z",
                      "DTSTART;TZID=Europe/London:%sT100000" %
                      d.strftime("%Y%m%d"),
                      "DTEND;TZID=Europe/London:%sT110000" %
                      d.strftime("%Y%m%d"),
                      "SUMMARY:Branch surgery %d" % i,
                      # case numbers, which gzip cannot shrink much
                      "DESCRIPTION:Cases " + "".join(
                          hashlib.sha256(b"%d-%d" % (i, k)).hexdigest()
                          for k in range(4)),
                      "END:VEVENT"]
        lines.append("END:VCALENDAR")
        path = os.path.join(q.dir, "c.ics")
        with open(path, "w") as f:
            f.write("\r\n".join(lines) + "\r\n")
        q.cli("import", path, "--audience", "all-members")
        self.members = []
        for i in range(40):
            mid = q.out("member", "add", "--name", "Member %d" % i,
                        "--email", "m%d@napo.example" % i, "--audience",
                        ("reps", "daso", "facilitators")[i % 3])
            tok = q.out("token", "issue", "--member", mid, "--scope",
                        "feed").split()[-1]
            self.members.append((mid, tok))
        q.serve()

    def tearDown(self):
        if self.saved is None:
            os.environ.pop("QUORUM_CACHE_MB", None)
        else:
            os.environ["QUORUM_CACHE_MB"] = self.saved
        self.q.close()

    def metric(self, name):
        body = self.q.http("GET", "/metrics")[2].decode()
        return int(re.search(r"^%s (\d+)" % name, body, re.M).group(1))

    def test_budget_holds(self):
        whole = {mid: self.q.cli("member", "calendar", mid).stdout
                 for mid, _ in self.members[:5]}
        # about 100 KB a feed, some 40 KB gzipped: 40 members' gzips
        # alone pass 1 MiB
        self.assertGreater(len(whole[self.members[0][0]]), 80 * 1024)
        for rnd in range(2):
            for mid, tok in self.members:
                for h in ({}, {"Accept-Encoding": "gzip"}):
                    st, hd, body = self.q.http(
                        "GET", "/feeds/me.ics?token=" + tok, headers=h)
                    self.assertEqual(st, 200)
                    if h:
                        body = gzip.decompress(body)
                    if mid in whole:
                        self.assertEqual(body, whole[mid], mid)
                self.assertLessEqual(
                    self.metric("quorum_feed_cache_bytes"), 1 << 20)
        # members went out and came back: more builds than members
        self.assertGreater(self.metric("quorum_feed_cache_misses_total"),
                           len(self.members))


if __name__ == "__main__":
    unittest.main(verbosity=2)
