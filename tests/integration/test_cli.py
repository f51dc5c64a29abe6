"""The quorum command: bad input is refused with a message on stderr,
a non-zero exit and no change; export -> import -> export gives the same
events; publish writes the public feeds."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"


def event_args(**kw):
    args = ["event", "add"]
    base = {"title": "Joint workshop", "kind": "workshop",
            "start": "2027-03-10T10:00:00", "end": "2027-03-10T12:00:00",
            "audience": "programmes"}
    base.update(kw)
    for k, v in base.items():
        if v is None:
            continue
        args += ["--" + k.replace("_", "-"), v]
    return args


class HelpTest(unittest.TestCase):
    """Every command and subcommand answers --help (exit 0) and refuses
    an unknown option (exit 2, one line naming it), creating nothing."""

    def test_every_command_explains_itself(self):
        d = tempfile.mkdtemp(prefix="quorum-help-")
        db = os.path.join(d, "q.db")

        def run(*args):
            return subprocess.run([BINARY, "--db", db, *args],
                                  capture_output=True, timeout=30)
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        text = p.stdout.decode()
        names = []
        for line in text.split("Commands:\n")[1].splitlines():
            # "  event add            create an event"
            m = re.match(r"^  (\S+)(?: (\S+))?\s{2,}\S", line)
            if m:
                names.append([w for w in m.groups() if w])
        self.assertGreater(len(names), 35)
        for name in names:
            p = run(*name, "--help")
            self.assertEqual(p.returncode, 0, name)
            out = p.stdout.decode()
            self.assertTrue(out.startswith("usage: quorum " +
                                           " ".join(name)), (name, out))
            p = run(*name, "--no-such-option")
            self.assertEqual(p.returncode, 2, name)
            err = p.stderr.decode()
            self.assertEqual(err.count("\n"), 1, (name, err))
            self.assertIn("'--no-such-option'", err)
            self.assertIn("quorum %s --help" % " ".join(name), err)
        for group in ("event", "member", "token", "action", "attend"):
            p = run(group, "--help")
            self.assertEqual(p.returncode, 0, group)
            self.assertIn("quorum %s " % group, p.stdout.decode())
        p = run("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout.decode(), r"^quorum \d+\.\d+\.\d+\n$")
        self.assertEqual(os.listdir(d), [], "nothing is created")
        os.rmdir(d)


class CliTest(unittest.TestCase):
    def setUp(self):
        self.q = Quorum(BINARY)
        self.q.cli("init")

    def tearDown(self):
        self.q.close()

    def refused(self, args, words):
        before = self.q.snapshot()
        p = self.q.cli(*args, check=False)
        self.assertNotEqual(p.returncode, 0, args)
        err = p.stderr.decode()
        for w in words:
            self.assertIn(w, err, args)
        self.assertEqual(p.stdout, b"")
        self.assertEqual(self.q.snapshot(), before, args)

    def test_bad_event_input(self):
        self.refused(event_args(title=None), ["title is required"])
        self.refused(event_args(end="2027-03-10T09:00:00"),
                     ["end must be after start"])
        self.refused(event_args(tz="Europe/Nowhere"),
                     ["unknown time zone 'Europe/Nowhere'"])
        self.refused(event_args(rrule="FREQ=SECONDLY"), ["rrule"])
        self.refused(event_args(rrule="nonsense"), ["rrule"])
        self.refused(event_args(audience="nowhere"),
                     ["unknown audience 'nowhere'"])
        self.refused(event_args(kind="party"), ["kind must be one of"])
        self.refused(event_args(start="tomorrow"), ["start"])
        self.refused(event_args(capacity="ten"), ["capacity"])
        self.refused(["event", "update", "999", "--title", "x"],
                     ["no event 999"])
        self.refused(["event", "cancel", "abc"], ["event id"])
        self.refused(["member", "add", "--name", "X", "--email", "nope"],
                     ["email"])
        self.refused(["member", "add", "--name", "X", "--email",
                      "x@example.org", "--role", "king"], ["role"])
        self.refused(["token", "issue", "--member", "42", "--scope", "api"],
                     ["no member 42"])

    def test_event_commands(self):
        ev = json.loads(self.q.out(*event_args(
            rrule="FREQ=WEEKLY;COUNT=4", exdate="2027-03-17T10:00:00")))
        self.assertEqual(ev["sequence"], 0)
        self.assertEqual(ev["exdates"], ["2027-03-17T10:00:00"])
        eid = str(ev["id"])
        up = json.loads(self.q.out("event", "update", eid, "--location",
                                   "Room 4"))
        self.assertEqual(up["location"], "Room 4")
        self.assertEqual(up["sequence"], 1)
        listed = json.loads(self.q.out("event", "list", "--audience",
                                       "facilitators", "--json"))
        self.assertEqual([e["id"] for e in listed["items"]], [ev["id"]])
        self.assertEqual(json.loads(self.q.out("event", "list", "--audience",
                                               "officials", "--json")),
                         {"items": []})
        gone = json.loads(self.q.out("event", "cancel", eid))
        self.assertEqual(gone["status"], "cancelled")
        self.assertEqual(gone["sequence"], 2)
        shown = json.loads(self.q.out("event", "show", eid))
        self.assertEqual(shown["status"], "cancelled")

    def test_tokens(self):
        mid = self.q.out("member", "add", "--name", "Carole Doherty",
                         "--email", "carole@napo.example", "--role",
                         "official")
        tok = self.q.out("token", "issue", "--member", mid, "--scope", "api")
        self.assertRegex(tok, r"^[A-Za-z0-9_-]{43}$")
        tok2 = self.q.out("token", "issue", "--member", mid, "--scope", "api")
        self.assertNotEqual(tok, tok2)
        # stored only as a hash
        self.assertNotIn(tok, repr(self.q.snapshot()))

    def test_token_list_revoke_and_audit(self):
        mid = self.q.out("member", "add", "--name", "Sam Okafor",
                         "--email", "sam@napo.example", "--audience",
                         "programmes")
        feed = self.q.out("token", "issue", "--member", mid, "--scope",
                          "feed")
        self.q.out("token", "issue", "--member", mid, "--scope", "api")
        listed = json.loads(self.q.out("token", "list", "--member", mid))
        self.assertEqual([t["scope"] for t in listed["items"]],
                         ["feed", "api"])
        self.assertNotIn(feed, json.dumps(listed))
        self.q.serve()
        path = "/feeds/programmes.ics?token=" + feed
        self.assertEqual(self.q.http("GET", path)[0], 200)
        tid = str(listed["items"][0]["id"])
        self.assertIn("revoked", self.q.out("token", "revoke", tid))
        self.assertEqual(self.q.http("GET", path)[0], 404)   # at once
        self.assertEqual(self.q.http(
            "GET", "/feeds/me.ics?token=" + feed)[0], 404)
        listed = json.loads(self.q.out("token", "list", "--member", mid))
        self.assertIsNotNone(listed["items"][0]["revoked"])
        self.assertIsNone(listed["items"][1]["revoked"])
        self.refused(["token", "revoke", "999"], ["no token 999"])
        audit = json.loads(self.q.out("audit"))["items"]
        verbs = [a["verb"] for a in audit]
        self.assertEqual(verbs, ["member.add", "token.issue", "token.issue",
                                 "token.revoke"])
        self.assertEqual(audit[-1]["object"], "token/" + tid)
        self.assertEqual(json.loads(self.q.out(
            "audit", "--since", str(audit[-2]["id"])))["items"],
            audit[-1:])

    def test_member_commands(self):
        mid = self.q.out("member", "add", "--name", "Joe Marsh", "--email",
                         "joe@napo.example", "--number", "N-1001",
                         "--branch", "London", "--audience", "facilitators")
        self.refused(["member", "add", "--name", "Jo Other", "--email",
                      "jo@napo.example", "--number", "N-1001"],
                     ["membership number 'N-1001' belongs to another"])
        self.refused(["member", "add", "--name", "Joe Again", "--email",
                      "JOE@napo.example"], ["exists already"])
        self.refused(["member", "add", "--name", "X", "--email",
                      "x@napo.example", "--audience", "nowhere"],
                     ["unknown audience 'nowhere'"])
        self.refused(["member", "add", "--name", "X", "--email",
                      "x@napo.example", "--scope", "programmes"],
                     ["scopes are for reps"])
        self.refused(["member", "update", "999", "--name", "Y"],
                     ["no member 999"])
        up = json.loads(self.q.out("member", "update", mid, "--audience",
                                   "daso", "--audience", "unpaid-work"))
        self.assertEqual(up["audiences"], ["daso", "unpaid-work"])
        self.assertEqual(up["number"], "N-1001")
        names = lambda *a: [m["name"] for m in json.loads(self.q.out(
            "member", "list", "--json", *a))["items"]]
        self.assertEqual(names("--audience", "programmes"), ["Joe Marsh"])
        self.assertEqual(names("--audience", "facilitators"), [])
        tok = self.q.out("token", "issue", "--member", mid, "--scope", "feed")
        gone = json.loads(self.q.out("member", "deactivate", mid))
        self.assertFalse(gone["active"])
        self.assertEqual(names(), [])
        self.assertEqual(names("--all"), ["Joe Marsh"])
        self.q.serve()
        self.assertEqual(self.q.http("GET", "/feeds/me.ics?token=" + tok)[0],
                         404)

    def test_member_csv_import(self):
        csv_text = (
            "Name,Email,Number,Branch,Audiences\r\n"
            "Priya Shah,priya@napo.example,N-1,London,facilitators\r\n"
            "\"Okafor, Sam\",sam@napo.example,N-2,Wales,"
            "programmes;reps\r\n"
            "No Email,,N-3,London,programmes\r\n"
            "Bad Audience,bad@napo.example,N-4,London,nowhere\r\n"
            "Copy Number,copy@napo.example,N-1,London,daso\r\n"
            ",noname@napo.example,N-5,,\r\n"
            "Joe Marsh,joe@napo.example,,Kent,unpaid-work\r\n")
        with tempfile.NamedTemporaryFile("w", suffix=".csv") as f:
            f.write(csv_text)
            f.flush()
            p = self.q.cli("member", "import", f.name, check=False)
            self.assertEqual(p.returncode, 1)     # some rows refused
            r = json.loads(p.stdout)
            self.assertEqual(r["imported"], 3)
            self.assertEqual([x["row"] for x in r["refused"]], [4, 5, 6, 7])
            reasons = " ".join(x["reason"] for x in r["refused"])
            self.assertIn("email", reasons)
            self.assertIn("unknown audience 'nowhere'", reasons)
            self.assertIn("name is required", reasons)
            listed = json.loads(self.q.out("member", "list", "--json"))
            self.assertEqual(sorted(m["name"] for m in listed["items"]),
                             ["Joe Marsh", "Okafor, Sam", "Priya Shah"])
            sam = [m for m in listed["items"] if m["number"] == "N-2"][0]
            self.assertEqual(sam["audiences"], ["programmes", "reps"])
            before = self.q.snapshot()
            again = json.loads(self.q.cli("member", "import", f.name,
                                          check=False).stdout)
            self.assertEqual(again["imported"], 0)
            self.assertEqual(again["updated"], 0)
            self.assertEqual(again["unchanged"], 3)
            self.assertEqual(self.q.snapshot(), before)
        with tempfile.NamedTemporaryFile("w", suffix=".csv") as f:
            f.write("who,where\nA,B\n")
            f.flush()
            self.refused(["member", "import", f.name], ["name, email"])

    def test_member_visibility_over_http(self):
        q = self.q
        off = q.out("member", "add", "--name", "Off", "--email",
                    "off@napo.example", "--role", "official")
        rep = q.out("member", "add", "--name", "Rep", "--email",
                    "rep@napo.example", "--role", "rep", "--scope",
                    "programmes", "--audience", "reps")
        fac = q.out("member", "add", "--name", "Fac", "--email",
                    "fac@napo.example", "--audience", "facilitators")
        q.out("member", "add", "--name", "Upw", "--email",
              "upw@napo.example", "--audience", "unpaid-work")
        tok = {who: q.out("token", "issue", "--member", mid, "--scope", "api")
               for who, mid in (("off", off), ("rep", rep), ("fac", fac))}
        q.serve()

        def names(who):
            status, body = q.api("GET", "/members", token=tok[who])
            self.assertEqual(status, 200)
            return sorted(m["name"] for m in body["items"])
        self.assertEqual(names("off"), ["Fac", "Off", "Rep", "Upw"])
        self.assertEqual(names("rep"), ["Fac", "Rep"])
        self.assertEqual(names("fac"), ["Fac"])
        self.assertEqual(q.api("GET", "/members/%s" % off,
                               token=tok["fac"])[0], 404)
        status, body = q.api("POST", "/members", {"name": "New",
                             "email": "new@napo.example"}, tok["rep"])
        self.assertEqual(status, 403)
        status, body = q.api("POST", "/members", {"name": "New",
                             "email": "new@napo.example",
                             "role": "admin"}, tok["off"])
        self.assertEqual(status, 403)
        status, body = q.api("POST", "/members", {"name": "New",
                             "email": "new@napo.example", "number": 7},
                             tok["off"])
        self.assertEqual((status, body["error"]["field"]), (400, "number"))
        status, body = q.api("POST", "/members", {"name": "New",
                             "email": "new@napo.example",
                             "audiences": ["daso"]}, tok["off"])
        self.assertEqual(status, 201)
        status, body = q.api("PATCH", "/members/%d" % body["id"],
                             {"branch": "Midlands"}, tok["off"])
        self.assertEqual((status, body["branch"]), (200, "Midlands"))
        status, _, body = q.http(
            "POST", "/api/v1/members/import",
            "name,email\nCSV Person,csv@napo.example\n", ctype="text/csv",
            headers={"Authorization": "Bearer " + tok["off"]})
        self.assertEqual((status, json.loads(body)["imported"]), (200, 1))

    def test_export_import_export(self):
        self.q.cli("demo")
        self.q.out(*event_args(title="Across the clocks", start=
                               "2027-10-18T10:00:00", end=
                               "2027-10-18T11:30:00", rrule=
                               "FREQ=WEEKLY;UNTIL=20271115T235959",
                               exdate="2027-11-01T10:00:00"))
        self.q.out(*event_args(title="In New York", tz="America/New_York",
                               audience="officials"))
        self.q.out(*event_args(title="Two days", start="2027-04-06",
                               end="2027-04-07", all_day=None))
        a = self.q.cli("export").stdout
        self.assertIn(b"BEGIN:VCALENDAR", a)
        other = Quorum(BINARY)
        try:
            other.cli("init")
            with tempfile.NamedTemporaryFile(suffix=".ics") as f:
                f.write(a)
                f.flush()
                r = json.loads(other.out("import", f.name, "--audience",
                                         "all-members"))
                self.assertEqual(r["created"], a.count(b"BEGIN:VEVENT"))
                b = other.cli("export").stdout
                self.assertEqual(a.decode(), b.decode())
                again = json.loads(other.out("import", f.name, "--audience",
                                             "all-members"))
                self.assertEqual(again["created"], 0)
                self.assertEqual(again["updated"], 0)
                self.assertEqual(other.cli("export").stdout, a)
        finally:
            other.close()
        # filters
        part = self.q.cli("export", "--audience", "facilitators", "--from",
                          "2027-10-01", "--to", "2027-12-31").stdout
        self.assertIn(b"Across the clocks", part)
        self.assertNotIn(b"In New York", part)

    def test_import_refused_whole(self):
        bad = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
               b"BEGIN:VEVENT\r\nUID:ok@x\r\nDTSTART:20270101T100000Z\r\n"
               b"SUMMARY:fine\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b@x\r\n"
               b"SUMMARY:no start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        with tempfile.NamedTemporaryFile(suffix=".ics") as f:
            f.write(bad)
            f.flush()
            self.refused(["import", f.name, "--audience", "all-members"],
                         ["line 9: VEVENT has no DTSTART"])
            self.refused(["import", f.name, "--audience", "nowhere"],
                         ["unknown audience"])
        bomb = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
                b"BEGIN:VEVENT\r\nUID:bomb@x\r\nDTSTART:20270101T100000Z\r\n"
                b"RRULE:FREQ=SECONDLY\r\nSUMMARY:bomb\r\nEND:VEVENT\r\n"
                b"END:VCALENDAR\r\n")
        with tempfile.NamedTemporaryFile(suffix=".ics") as f:
            f.write(bomb)
            f.flush()
            self.refused(["import", f.name, "--audience", "all-members"],
                         ["line 4", "rrule"])

    def test_demo_twice_and_publish(self):
        self.q.cli("demo")
        n = len(json.loads(self.q.out("event", "list", "--json"))["items"])
        self.assertGreaterEqual(n, 14)
        self.q.cli("demo")
        self.assertEqual(len(json.loads(self.q.out("event", "list",
                                                   "--json"))["items"]), n)
        with tempfile.TemporaryDirectory() as d:
            out = self.q.out("publish", "--out", d)
            self.assertEqual(os.listdir(d), ["all-members.ics"])
            self.assertIn("all-members.ics", out)
            with open(os.path.join(d, "all-members.ics"), "rb") as f:
                body = f.read()
            self.assertIn(b"X-WR-CALNAME:All members", body)
            self.assertNotIn(b"Employer meeting", body)   # officials only

    def test_malformed_catalogue_refused(self):
        fresh = Quorum(BINARY)
        try:
            feeds = os.path.join(fresh.dir, "feeds")
            os.mkdir(feeds)
            with open(os.path.join(feeds, "root.ini"), "w") as f:
                f.write("[audience]\nslug = root\nname = Root\n"
                        "visibility = public\n")
            with open(os.path.join(feeds, "daso.ini"), "w") as f:
                f.write("[audience]\nslug = daso\nname = DASO\n"
                        "visibility = secret\n")
            p = fresh.cli("--feeds", feeds, "init", check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("daso.ini:4: visibility 'secret'",
                          p.stderr.decode())
            # nothing of the catalogue was loaded, not even root.ini
            self.assertNotIn(("root",), [r[:1] for r in fresh.snapshot()
                                         if isinstance(r, tuple)])
        finally:
            fresh.close()

    def test_serve_demo(self):
        self.q.serve("--demo")
        out = b""
        while b"All feeds" not in out:
            out += self.q.proc.stdout.readline()
        for _ in range(10):
            out += self.q.proc.stdout.readline()
        text = out.decode()
        self.assertIn(self.q.base + "/feeds/all-members.ics", text)
        self.assertRegex(text, r"/feeds/me\.ics\?token=[A-Za-z0-9_-]{43}")
        api = text.split("Bearer ")[1].split("'")[0]
        status, body = self.q.api("GET", "/events", token=api)
        self.assertEqual(status, 200)
        ev = body["items"]
        kinds = {e["kind"] for e in ev}
        self.assertEqual(kinds, {"workshop", "jes_panel", "employer_meeting",
                                 "member_briefing", "joint_union_meeting",
                                 "away_day", "other"})
        vlo = [e for e in ev if e["title"].startswith("VLO job description")]
        self.assertEqual(len(vlo), 3)
        emp = [e for e in ev if e["kind"] == "employer_meeting"]
        self.assertEqual(len(emp), 3)
        for e in emp:
            self.assertTrue(e["all_day"])
            self.assertEqual(e["audiences"], ["officials", "reps"])
        brief = [e for e in ev if e["kind"] == "member_briefing" and
                 e["audiences"] == ["programmes"]][0]
        self.assertRegex(brief["start"], r"^\d{4}-01-30T13:00:00$")
        self.assertEqual(brief["tz"], "Europe/London")
        self.assertEqual(len(brief["hosts"]), 2)
        self.assertTrue(brief["url"].startswith("https://"))
        panel = [e for e in ev if e["kind"] == "jes_panel"][0]
        joint = [e for e in ev if e["id"] == panel["after"]][0]
        self.assertLess(joint["start"], panel["start"])
        dropin = [e for e in ev if e["rrule"]][0]
        self.assertIn("FREQ=WEEKLY", dropin["rrule"])
        self.assertEqual(len(dropin["exdates"]), 1)
        self.assertEqual(len([e for e in ev if e["status"] == "cancelled"]),
                         1)
        self.assertTrue(any("UNISON and GMB" in e["title"] for e in ev))
        self.assertTrue(any(e["kind"] == "away_day" and
                            e["audiences"] == ["daso"] for e in ev))
        # in the coming months
        today = __import__("datetime").date.today().isoformat()
        self.assertTrue(all(e["start"][:10] >= today for e in ev))

    def serve_threads(self, expect, cpus=None, threads=None):
        """The names of the threads serving connections of a daemon
        started on the CPUs cpus (all when None) with QUORUM_THREADS,
        once they are expect or after 10 s (each thread names itself
        once running)."""
        env = dict(os.environ)
        env.pop("QUORUM_THREADS", None)
        if threads is not None:
            env["QUORUM_THREADS"] = threads
        p = subprocess.Popen(
            (["taskset", "-c", cpus] if cpus else []) +
            [BINARY, "--db", self.q.db, "serve", "--listen", "127.0.0.1:0"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            line = p.stdout.readline().decode()
            self.assertTrue(line.startswith("quorum: listening on "), line)
            end = time.monotonic() + 10
            while True:
                names = []
                for tid in os.listdir("/proc/%d/task" % p.pid):
                    with open("/proc/%d/task/%s/comm" % (p.pid, tid)) as f:
                        names.append(f.read().strip())
                names = sorted(n for n in names if n.startswith("MHD-"))
                if names == expect or time.monotonic() > end:
                    return names
                time.sleep(0.05)
        finally:
            p.terminate()
            p.wait(timeout=10)
            p.stdout.close()
            p.stderr.close()

    def test_serving_threads_follow_the_usable_cores(self):
        cpus = sorted(os.sched_getaffinity(0))
        # taskset, systemd's CPUAffinity= or a cpuset: one core, one thread
        for expect, kw in (
                (["MHD-single"], {"cpus": str(cpus[0])}),
                (["MHD-worker"] * len(cpus) if len(cpus) > 1 else
                 ["MHD-single"], {}),
                # an explicit count wins over the cores
                (["MHD-worker"] * 3, {"cpus": str(cpus[0]), "threads": "3"})):
            self.assertEqual(self.serve_threads(expect, **kw), expect, kw)
        if len(cpus) > 2:
            two = "%d,%d" % (cpus[0], cpus[1])
            self.assertEqual(self.serve_threads(["MHD-worker"] * 2,
                                                cpus=two),
                             ["MHD-worker"] * 2)
        for bad in ("0", "257", "two", "-1"):
            env = dict(os.environ, QUORUM_THREADS=bad)
            p = subprocess.run([BINARY, "--db", self.q.db, "serve",
                                "--listen", "127.0.0.1:0"], env=env,
                               capture_output=True, timeout=30)
            self.assertNotEqual(p.returncode, 0, bad)
            self.assertIn(b"QUORUM_THREADS must be from 1 to 256", p.stderr)

    def test_import_over_http(self):
        self.q.cli("member", "add", "--name", "O", "--email",
                   "o@napo.example", "--role", "official")
        tok = self.q.out("token", "issue", "--member", "1", "--scope", "api")
        self.q.serve()
        cal = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n"
               "BEGIN:VEVENT\r\nUID:branch-agm@example\r\n"
               "DTSTAMP:20261101T100000Z\r\nDTSTART;TZID=Europe/London:"
               "20270320T100000\r\nDTEND;TZID=Europe/London:20270320T120000"
               "\r\nSUMMARY:Branch AGM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        for expect in ("created", "unchanged"):
            status, _, body = self.q.http(
                "POST", "/api/v1/import?audience=all-members", cal,
                ctype="text/calendar", headers={
                    "Authorization": "Bearer " + tok})
            self.assertEqual(status, 200, body)
            self.assertEqual(json.loads(body)[expect], 1)
        status, _, feed = self.q.http("GET", "/feeds/all-members.ics")
        self.assertIn(b"UID:branch-agm@example", feed)
        self.assertEqual(feed.count(b"BEGIN:VEVENT"), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
