"""Every feed quorum serves, read by two parsers nobody here wrote:
Debian's python3-icalendar (with dateutil for recurrence) and Mozilla's
ical.js (npm).  The events, UIDs, start times in UTC and the expanded
occurrences they see must match what quorum's API says."""
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import unittest
import zoneinfo

import icalendar
from dateutil import rrule

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
UTC = dt.timezone.utc
NOW = dt.datetime.now(UTC).replace(microsecond=0)
FROM = NOW - dt.timedelta(days=2)
TO = NOW + dt.timedelta(days=700)


def zulu(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def py_events(body):
    """What python-icalendar (and dateutil) make of a feed."""
    cal = icalendar.Calendar.from_ical(body)
    out = {}
    # a date changed on its own: RECURRENCE-ID (its key) -> where it is
    changed = {}
    for ve in cal.walk("VEVENT"):
        if "RECURRENCE-ID" not in ve:
            continue
        rid, st = ve["RECURRENCE-ID"].dt, ve["DTSTART"].dt
        if isinstance(rid, dt.datetime):
            zone = zoneinfo.ZoneInfo(ve["RECURRENCE-ID"].params["TZID"])
            rid = rid.replace(tzinfo=None)
            st = zulu(st.replace(tzinfo=None).replace(tzinfo=zone))
        else:
            st = st.isoformat()
        changed[(str(ve["UID"]), rid)] = st + (
            "!" if str(ve.get("STATUS", "")) == "CANCELLED" else "")
    for ve in cal.walk("VEVENT"):
        if "RECURRENCE-ID" in ve:
            continue
        uid = str(ve["UID"])
        start = ve["DTSTART"].dt
        all_day = not isinstance(start, dt.datetime)
        if all_day:
            first = start.isoformat()
        else:
            tzid = ve["DTSTART"].params.get("TZID")
            zone = zoneinfo.ZoneInfo(tzid) if tzid else UTC
            local = start.replace(tzinfo=None)
            first = zulu(local.replace(tzinfo=zone))
        occ = []
        if "RRULE" in ve:
            rule = ve["RRULE"].to_ical().decode()
            parts = []
            for p in rule.split(";"):
                if p.startswith("UNTIL=") and p.endswith("Z"):
                    u = dt.datetime.strptime(p[6:], "%Y%m%dT%H%M%SZ")
                    u = u.replace(tzinfo=UTC).astimezone(zone)
                    p = "UNTIL=" + u.strftime("%Y%m%dT%H%M%S")
                parts.append(p)
            base = start if all_day else local
            if all_day:
                base = dt.datetime(start.year, start.month, start.day)
            exdates = set()
            ex = ve.get("EXDATE")
            for e in (ex if isinstance(ex, list) else [ex] if ex else []):
                for d in e.dts:
                    v = d.dt
                    exdates.add(v if not isinstance(v, dt.datetime)
                                else v.replace(tzinfo=None))
            for o in rrule.rrulestr(";".join(parts), dtstart=base):
                key = o.date() if all_day else o
                if key in exdates:
                    continue
                if (uid, key) in changed:
                    occ.append(changed[(uid, key)])
                    continue
                if all_day:
                    if dt.datetime.combine(o.date(), dt.time(),
                                           UTC) >= TO:
                        break
                    occ.append(o.date().isoformat())
                else:
                    t = o.replace(tzinfo=zone)
                    if t >= TO:
                        break
                    occ.append(zulu(t))
        else:
            occ.append(first)
        out[uid] = {"start": first, "occurrences": sorted(occ),
                    "status": str(ve.get("STATUS", "")),
                    "attendees": "ATTENDEE" in ve}
    return cal, out


def js_events(body):
    """What ical.js makes of a feed."""
    with tempfile.NamedTemporaryFile(suffix=".ics") as f:
        f.write(body)
        f.flush()
        p = subprocess.run(["node", os.path.join(HERE, "icaljs_dump.mjs"),
                            f.name, FROM.isoformat(), TO.isoformat()],
                           capture_output=True, cwd=HERE, timeout=60,
                           env=dict(os.environ, TZ="UTC"))
    if p.returncode != 0:
        raise AssertionError("ical.js: " + p.stderr.decode())
    return {e["uid"]: e for e in json.loads(p.stdout)["events"]}


class FeedParsersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        q = cls.q = Quorum(BINARY)
        q.cli("init")
        q.cli("demo")
        off = q.out("member", "add", "--name", "Test Official", "--email",
                    "official@napo.example", "--role", "official")
        cls.api = q.out("token", "issue", "--member", off, "--scope", "api")
        cls.feed = q.out("token", "issue", "--member", off, "--scope",
                         "feed")
        fac = q.out("member", "add", "--name", "Test Facilitator",
                    "--email", "fac@napo.example", "--audience",
                    "facilitators")
        cls.fac_api = q.out("token", "issue", "--member", fac, "--scope",
                            "api")
        cls.fac_feed = q.out("token", "issue", "--member", fac, "--scope",
                             "feed")
        q.serve()
        year = NOW.year + 1
        extra = [
            {"title": "Workshop across the October clock change",
             "kind": "workshop", "start": "%d-10-18T10:00:00" % year,
             "end": "%d-10-18T11:30:00" % year,
             "rrule": "FREQ=WEEKLY;UNTIL=%d1122T235959" % year,
             "exdates": ["%d-11-08T10:00:00" % year],
             "audiences": ["programmes"]},
            {"title": "March clock change, monthly", "kind": "other",
             "start": "%d-03-28T00:30:00" % year,
             "end": "%d-03-28T02:30:00" % year,
             "rrule": "FREQ=MONTHLY;COUNT=3", "audiences": ["daso"]},
            {"title": "Conference (three days)", "kind": "other",
             "start": "%d-05-11" % year, "end": "%d-05-13" % year,
             "audiences": ["all-members"]},
            {"title": "Weekly all-day rota", "kind": "other",
             "start": "%d-06-07" % year, "end": "%d-06-07" % year,
             "rrule": "FREQ=WEEKLY;COUNT=4",
             "exdates": ["%d-06-14" % year], "audiences": ["reps"]},
            {"title": "Call with colleagues in New York",
             "kind": "joint_union_meeting", "tz": "America/New_York",
             "start": "%d-03-10T09:00:00" % year,
             "end": "%d-03-10T10:00:00" % year,
             "audiences": ["officials"]},
            {"title": "Meeting in UTC", "kind": "other", "tz": "UTC",
             "start": "%d-07-01T12:00:00" % year,
             "end": "%d-07-01T13:00:00" % year,
             "audiences": ["unpaid-work"]},
        ]
        for e in extra:
            status, body = q.api("POST", "/events", e, cls.api)
            assert status == 201, body
            if e["title"].startswith("Workshop across"):
                cls.series = body["id"]
        # dates changed alone: one moved over the clock change (from
        # BST to GMT) to another day and hour, one cancelled (feeds
        # carry RECURRENCE-ID)
        status, body = q.api(
            "PATCH", "/events/%d/occurrences/%d-10-25T10:00:00" % (
                cls.series, year), {"start": "%d-11-02T14:00:00" % year},
            cls.api)
        assert status == 200 and body["moved"], body
        status, body = q.api(
            "DELETE", "/events/%d/occurrences/%d-11-15T10:00" % (
                cls.series, year), token=cls.api)
        assert status == 200 and body["status"] == "cancelled", body
        status, body = q.api("GET", "/audiences", token=cls.api)
        cls.slugs = [a["slug"] for a in body["items"]]

    @classmethod
    def tearDownClass(cls):
        cls.q.close()

    def api_view(self, query, token):
        """The API's events and their occurrences in the window."""
        status, body = self.q.api("GET", "/events" + query, token=token)
        self.assertEqual(status, 200)
        out = {}
        for e in body["items"]:
            status, occ = self.q.api(
                "GET", "/events/%d/occurrences?from=%s&to=%s" % (
                    e["id"], zulu(FROM), zulu(TO)), token=token)
            self.assertEqual(status, 200)
            mark = ["!" if o["status"] == "cancelled" and
                    e["status"] != "cancelled" else ""
                    for o in occ["items"]]
            if e["all_day"]:
                start = e["start"]
                occs = [o["start"] for o in occ["items"]]
            else:
                zone = zoneinfo.ZoneInfo(e["tz"])
                start = zulu(dt.datetime.fromisoformat(e["start"])
                             .replace(tzinfo=zone))
                occs = [o["start_utc"] for o in occ["items"]]
            occs = sorted(o + m for o, m in zip(occs, mark))
            out[e["uid"]] = {"start": start, "occurrences": occs,
                             "status": e["status"].upper()}
        return out

    def check_feed(self, path, api, personal=False):
        status, headers, body = self.q.http("GET", path)
        self.assertEqual(status, 200, path)
        _, py = py_events(body)
        js = js_events(body)
        self.assertEqual(set(py), set(api), path)
        self.assertEqual(set(js), set(api), path)
        self.assertEqual(body.count(b"BEGIN:VEVENT") -
                         body.count(b"RECURRENCE-ID"), len(api), path)
        for uid, want in api.items():
            for name, got in (("python-icalendar", py[uid]),
                              ("ical.js", js[uid])):
                start = got.get("start", got.get("start_utc"))
                self.assertEqual(start, want["start"],
                                 "%s %s %s" % (path, name, uid))
                # every event here starts after FROM: no trimming
                occ = got["occurrences"]
                self.assertEqual(occ, want["occurrences"],
                                 "%s %s %s" % (path, name, uid))
                self.assertEqual(got["status"], want["status"],
                                 "%s %s %s" % (path, name, uid))
            # only a personal feed names anyone: its own member
            self.assertEqual(py[uid]["attendees"], personal, uid)
        return body

    def test_every_audience_feed(self):
        self.assertEqual(len(self.slugs), 10)
        recurring = 0
        for slug in self.slugs:
            api = self.api_view("?audience=" + slug, self.api)
            body = self.check_feed("/feeds/%s.ics?token=%s" % (
                slug, self.feed), api)
            recurring += body.count(b"RRULE:")
            self.assertNotIn(b"ATTENDEE", body)
        self.assertGreater(recurring, 3)
        # the comparison had something to compare: many occurrences
        api = self.api_view("", self.api)
        self.assertGreater(sum(len(e["occurrences"]) for e in api.values()),
                           30)

    def test_dates_changed_alone(self):
        """Both parsers put the moved date where it went (across the
        clock change: 14:00 GMT) and see the cancelled one as cancelled,
        the other dates untouched."""
        year = NOW.year + 1
        _, _, body = self.q.http(
            "GET", "/feeds/programmes.ics?token=" + self.feed)
        _, py = py_events(body)
        js = js_events(body)
        uid = [u for u in py if "RRULE" in body.decode() and
               py[u]["start"] == "%d-10-18T09:00:00Z" % year][0]
        for got in (py[uid]["occurrences"], js[uid]["occurrences"]):
            self.assertIn("%d-11-02T14:00:00Z" % year, got)
            self.assertNotIn("%d-10-25T10:00:00Z" % year, got)
            self.assertIn("%d-11-15T10:00:00Z!" % year, got)
            self.assertIn("%d-11-01T10:00:00Z" % year, got)
        self.assertEqual(body.count(b"RECURRENCE-ID"), 2)

    def test_public_feed_without_token(self):
        api = self.api_view("?audience=all-members", self.api)
        self.assertTrue(api)
        self.check_feed("/feeds/all-members.ics", api)

    def test_personal_feed(self):
        api = self.api_view("", self.fac_api)
        uids = set(api)
        self.assertTrue(any("dropin" in u for u in uids))
        self.assertFalse(any("employer" in u for u in uids))
        self.check_feed("/feeds/me.ics?token=" + self.fac_feed, api,
                        personal=True)

    def test_cancelled_kept_as_cancelled(self):
        status, _, body = self.q.http(
            "GET", "/feeds/unpaid-work.ics?token=" + self.fac_feed)
        self.assertEqual(status, 404)   # not her audience
        _, _, body = self.q.http(
            "GET", "/feeds/unpaid-work.ics?token=" + self.feed)
        _, py = py_events(body)
        self.assertEqual(py["demo-unpaid-work-cancelled@quorum"]["status"],
                         "CANCELLED")

    def test_golden_feeds_and_export(self):
        """The golden feeds and an export parse the same way in both."""
        golden = os.path.join(HERE, "..", "golden")
        bodies = {}
        for name in sorted(os.listdir(golden)):
            with open(os.path.join(golden, name), "rb") as f:
                bodies[name] = f.read().replace(
                    b"DTSTAMP:NORMALISED", b"DTSTAMP:20260101T000000Z")
        self.assertEqual(len(bodies), 5)
        bodies["export"] = self.q.cli("export").stdout
        for name, body in bodies.items():
            _, py = py_events(body)
            js = js_events(body)
            self.assertEqual(set(py), set(js), name)
            self.assertEqual(len(py), body.count(b"BEGIN:VEVENT") -
                             body.count(b"RECURRENCE-ID"), name)
            for uid in py:
                self.assertEqual(py[uid]["start"], js[uid]["start_utc"],
                                 "%s %s" % (name, uid))
                if py[uid]["occurrences"] and js[uid]["occurrences"]:
                    self.assertEqual(
                        [o for o in py[uid]["occurrences"]
                         if o >= js[uid]["occurrences"][0]],
                        js[uid]["occurrences"], "%s %s" % (name, uid))
        # the clock change: 10:00 local is 09:00Z before, 10:00Z after
        _, py = py_events(bodies["october-clock-change.ics"])
        occ = py["weekly-oct@golden"]["occurrences"]
        self.assertEqual(occ[:3], ["2027-10-18T09:00:00Z",
                                   "2027-10-25T09:00:00Z",
                                   "2027-11-01T10:00:00Z"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
