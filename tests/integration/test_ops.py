#!/usr/bin/python3
"""Running quorum as a service: the configuration file (checked, with
sources, secrets masked; a bad one names its line and key and nothing
starts), a backup taken under write load that holds every write
acknowledged before it began, restore (refused while a server runs,
checked, the replaced database kept, an older schema migrated),
/metrics read by prometheus_client's parser, one log line a request,
readiness and reload through sd_notify, SIGHUP re-reading the
catalogue without dropping a connection, `cmake --install` into a
scratch root followed as deploy/README.md says, the manual pages
through `mandoc -Tlint`, the unit's `systemd-analyze security` score,
and databases of every earlier schema version migrated intact.
Run: test_ops.py path/to/quorum"""
import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else
                         "build/quorum")
BUILD = os.path.dirname(BINARY)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
UPGRADE = os.path.join(ROOT, "tests", "data", "upgrade")


def run(*args, env=None, check=False, **kw):
    return subprocess.run(list(args), capture_output=True, timeout=120,
                          env=env, check=check, **kw)


class ConfigTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="quorum-conf-")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("QUORUM_")}

    def tearDown(self):
        shutil.rmtree(self.dir)

    def conf(self, text):
        path = os.path.join(self.dir, "quorum.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_check_prints_sources_and_masks_secrets(self):
        path = self.conf("# test\n[server]\nlisten = 127.0.0.1:9999\n"
                         "metrics_token = s3cret-metrics\n\n[mail]\n"
                         "password = hunter2\nfrom = meetings@napo.example\n"
                         "starttls = yes\n")
        env = dict(self.env, QUORUM_TIMEOUT="45")
        p = run(BINARY, "--config", path, "--db", "/tmp/x.db", "config",
                "check", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.decode()
        self.assertIn("server.listen = 127.0.0.1:9999\t# %s:3" % path, out)
        self.assertIn("server.timeout = 45\t# environment $QUORUM_TIMEOUT",
                      out)
        self.assertIn("storage.database = /tmp/x.db\t# command line", out)
        self.assertIn("mail.starttls = 1\t# %s:9" % path, out)
        self.assertIn("mail.password = ********", out)
        self.assertIn("server.metrics_token = ********", out)
        self.assertNotIn("hunter2", out)
        self.assertNotIn("s3cret", out)
        # $QUORUM_CONFIG names it too
        p = run(BINARY, "config", "check",
                env=dict(self.env, QUORUM_CONFIG=path))
        self.assertIn("127.0.0.1:9999", p.stdout.decode())

    def test_bad_files_name_line_and_key_and_nothing_starts(self):
        for text, words in [
                ("[server]\nlisten = 127.0.0.1:9\ntimeout = soon\n",
                 ":3: server.timeout must be a whole number from 1 to 3600"),
                ("[server]\nlistn = 127.0.0.1:9\n",
                 ":2: unknown key 'listn' in [server]"),
                ("[srever]\nlisten = 1\n", ":2: unknown section [srever]"),
                ("junk\n", ":1: not a line of an INI file"),
                ("[mail]\nfrom = a@b\nfrom = c@d\n",
                 ":3: mail.from is set twice (first on line 2)"),
                ("[mail]\nsmtp = mail.example.org\n",
                 ":2: mail.smtp must start with smtp:// or smtps://"),
                ("[server]\nlisten =\n", ":2: server.listen has no value")]:
            path = self.conf(text)
            p = run(BINARY, "--config", path, "config", "check",
                    env=self.env)
            self.assertEqual(p.returncode, 78, text)
            self.assertIn(path + words, p.stderr.decode())
            db = os.path.join(self.dir, "q.db")
            p = run(BINARY, "--config", path, "--db", db, "serve",
                    "--listen", "127.0.0.1:0", env=self.env)
            self.assertEqual(p.returncode, 78)
            self.assertNotIn(b"listening", p.stdout)
            self.assertFalse(os.path.exists(db))
        p = run(BINARY, "--config", "/nonexistent.conf", "config", "check",
                env=self.env)
        self.assertEqual(p.returncode, 78)
        self.assertIn("/nonexistent.conf", p.stderr.decode())
        # the environment's values are checked as the file's are
        p = run(BINARY, "config", "check",
                env=dict(self.env, QUORUM_THREADS="lots"))
        self.assertEqual(p.returncode, 78)
        self.assertIn("$QUORUM_THREADS must be a whole number",
                      p.stderr.decode())


class ServiceTest(unittest.TestCase):
    def setUp(self):
        self.q = Quorum(BINARY)
        self.q.cli("demo")

    def tearDown(self):
        self.q.close()

    def metrics(self, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", int(
            self.q.base.rsplit(":", 1)[1]), timeout=10)
        c.request("GET", "/metrics", headers=headers or {})
        r = c.getresponse()
        body = r.read().decode()
        c.close()
        return r.status, r.getheader("Content-Type"), body

    def test_backup_under_write_load_then_restore(self):
        self.q.serve()
        token = self.q.out("token", "issue", "--member", "2", "--scope",
                           "api").split()[-1]
        acked = []          # (monotonic time acknowledged, uid)
        stop = threading.Event()
        lock = threading.Lock()

        def writer(w):
            n = 0
            while not stop.is_set():
                uid = "load-%d-%d@test" % (w, n)
                st, body = self.q.api("POST", "/events", {
                    "uid": uid, "title": "Load %d" % n, "kind": "other",
                    "audiences": ["officials"],
                    "start": "2028-01-%02dT%02d:00" % (1 + n % 28,
                                                       8 + w),
                    "end": "2028-01-%02dT%02d:30" % (1 + n % 28, 8 + w),
                    "force": True}, token)
                if st == 201:
                    with lock:
                        acked.append((time.monotonic(), uid))
                n += 1
        threads = [threading.Thread(target=writer, args=(w,))
                   for w in range(8)]
        for t in threads:
            t.start()
        # writes under way (however busy the machine) before the backup
        end = time.monotonic() + 60
        while time.monotonic() < end:
            with lock:
                if len(acked) >= 30:
                    break
            time.sleep(0.05)
        with lock:
            before = {uid for _, uid in acked}
        backup = os.path.join(self.q.dir, "nightly.db")
        p = self.q.cli("backup", backup)
        # and writes after it began, acknowledged while it ran
        end = time.monotonic() + 60
        while time.monotonic() < end:
            with lock:
                if len(acked) > len(before) + 8:
                    break
            time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(json.loads(p.stdout)["file"], backup)
        self.assertGreater(len(before), 20)
        self.assertGreater(len(acked), len(before))   # writes went on
        db = sqlite3.connect(backup)
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0],
                         "ok")
        have = {r[0] for r in db.execute("SELECT uid FROM events")}
        db.close()
        self.assertEqual(before - have, set())
        # the metrics say when the last good backup was
        st, _, body = self.metrics()
        fams = {f.name: f for f in text_string_to_metric_families(body)}
        last = fams["quorum_backup_last_success_timestamp_seconds"]
        self.assertAlmostEqual(last.samples[0].value, time.time(), delta=60)
        # no restore while the server runs, and nothing changes
        p = self.q.cli("restore", backup, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("a quorum server is using", p.stderr.decode())
        self.assertEqual(glob.glob(self.q.db + ".replaced-*"), [])
        count = len(json.loads(self.q.out("event", "list", "--json"))[
            "items"])
        self.q.proc.send_signal(signal.SIGTERM)
        self.q.proc.wait(timeout=30)
        self.q.proc = None
        # refused: not a database, and one newer than this quorum
        junk = os.path.join(self.q.dir, "junk.db")
        with open(junk, "w") as f:
            f.write("not a database\n")
        newer = os.path.join(self.q.dir, "newer.db")
        shutil.copy(backup, newer)
        c = sqlite3.connect(newer)
        c.execute("PRAGMA user_version = 99")
        c.commit()
        c.close()
        for bad, words in ((junk, "is not a quorum database"),
                           (newer, "newer than this quorum's")):
            p = self.q.cli("restore", bad, check=False)
            self.assertEqual(p.returncode, 1)
            self.assertIn(words, p.stderr.decode())
        self.assertEqual(len(json.loads(self.q.out(
            "event", "list", "--json"))["items"]), count)
        # restored: the backup's events, the old database kept
        p = self.q.cli("restore", backup)
        out = json.loads(p.stdout)
        self.assertTrue(os.path.exists(out["kept"]))
        self.assertEqual(len(glob.glob(self.q.db + ".replaced-*")), 1)
        uids = {e["uid"] for e in json.loads(self.q.out(
            "event", "list", "--json", "--from", "2028-01-01", "--to",
            "2028-02-01"))["items"]}
        self.assertEqual(uids & {u for _, u in acked}, have & {
            u for _, u in acked})
        kept = sqlite3.connect(out["kept"])
        self.assertEqual(kept.execute("SELECT count(*) FROM events")
                         .fetchone()[0], count)
        kept.close()
        # a backup from an older quorum is migrated on restore
        old = os.path.join(self.q.dir, "v4.db")
        c = sqlite3.connect(old)
        with open(os.path.join(UPGRADE, "v4.sql")) as f:
            c.executescript(f.read())
        c.close()
        p = self.q.cli("restore", old)
        self.assertEqual(json.loads(p.stdout)["schema_version"],
                         len(glob.glob(os.path.join(
                             ROOT, "src", "store", "schema", "*.sql"))))
        self.assertEqual(json.loads(self.q.out("event", "show", "1"))[
            "uid"], "jes-weekly@upgrade")

    def test_backup_folder_keeps_the_newest(self):
        d = os.path.join(self.q.dir, "backups")
        os.mkdir(d)
        for stamp in ("20200101-000000", "20200102-000000",
                      "20200103-000000"):
            shutil.copy(self.q.db, os.path.join(d, "quorum-%s.db" % stamp))
        with open(os.path.join(d, "notes.txt"), "w") as f:
            f.write("not a backup")
        out = json.loads(self.q.out("backup", d, "--keep", "2"))
        self.assertEqual(out["removed"], 2)
        names = sorted(os.listdir(d))
        self.assertEqual(len(names), 3)
        self.assertIn("quorum-20200103-000000.db", names)
        self.assertIn("notes.txt", names)
        self.assertIn(os.path.basename(out["file"]), names)

    def test_metrics_and_request_log(self):
        self.q.serve()
        for _ in range(3):
            self.assertEqual(self.q.http("GET", "/feeds/all-members.ics")[0],
                             200)
        self.assertEqual(self.q.http("GET", "/nowhere")[0], 404)
        # mail waiting: the outbox's backlog and its age
        c = sqlite3.connect(self.q.db)
        c.execute("INSERT INTO outbox (kind, recipient, subject, body, "
                  "created, next_at) VALUES ('test', 'a@b.example', 's', "
                  "'b', ?, 0)", (int(time.time()) - 120,))
        c.commit()
        c.close()
        st, ctype, body = self.metrics()
        self.assertEqual(st, 200)
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"))
        fams = {f.name: f for f in text_string_to_metric_families(body)}
        req = {(s.labels["route"], s.labels["status"]): s.value
               for s in fams["quorum_http_requests"].samples}
        self.assertEqual(req[("/feeds/*", "200")], 3)
        self.assertEqual(req[("(none)", "404")], 1)
        hist = fams["quorum_http_request_duration_seconds"]
        count = [s.value for s in hist.samples
                 if s.name.endswith("_count")][0]
        self.assertEqual(count, 4)
        self.assertEqual(fams["quorum_feed_cache_hits"].samples[0].value, 2)
        self.assertEqual(fams["quorum_feed_cache_misses"].samples[0].value,
                         1)
        self.assertEqual(fams["quorum_outbox_waiting"].samples[0].value, 1)
        self.assertGreaterEqual(
            fams["quorum_outbox_oldest_age_seconds"].samples[0].value, 120)
        self.assertGreater(fams["quorum_database_bytes"].samples[0].value,
                           10000)
        self.assertIn("quorum_database_wal_bytes", fams)
        self.assertEqual(fams[
            "quorum_backup_last_success_timestamp_seconds"].samples[0]
            .value, 0)
        # through the proxy, or with a wrong token: not there
        st, _, _ = self.metrics({"X-Forwarded-For": "203.0.113.9"})
        self.assertEqual(st, 404)
        # one line a request: the route, never the path or a token
        feed = self.q.out("token", "issue", "--member", "3", "--scope",
                          "feed").split()[-1]
        self.q.http("GET", "/feeds/me.ics?token=" + feed)
        self.q.proc.send_signal(signal.SIGTERM)
        self.q.proc.wait(timeout=30)
        self.q.proc = None
        with open(os.path.join(self.q.dir, "serve.log")) as f:
            log = f.read()
        lines = re.findall(r"req=(\d+) method=(\S+) route=(\S+) "
                           r"status=(\d+) bytes=(\d+) ms=([\d.]+)", log)
        # (each written as its request ends: two threads may swap them)
        self.assertEqual(sorted((m, r, s) for _, m, r, s, _, _ in
                                lines[:4]),
                         sorted([("GET", "/feeds/*", "200")] * 3 +
                                [("GET", "-", "404")]))
        self.assertGreater(max(int(x[4]) for x in lines[:4]), 1000)
        self.assertNotIn(feed, log)
        self.assertEqual(len({i for i, *_ in lines}), len(lines))

    def test_metrics_token_from_elsewhere(self):
        os.environ["QUORUM_METRICS_TOKEN"] = "m-3tr1cs-t0ken"
        try:
            self.q.serve()
        finally:
            del os.environ["QUORUM_METRICS_TOKEN"]
        proxied = {"X-Real-IP": "203.0.113.9"}
        self.assertEqual(self.metrics(proxied)[0], 404)
        self.assertEqual(self.metrics(dict(
            proxied, Authorization="Bearer wrong"))[0], 404)
        self.assertEqual(self.metrics(dict(
            proxied, Authorization="Bearer m-3tr1cs-t0ken"))[0], 200)

    def test_notify_and_reload_without_dropping_connections(self):
        feeds = os.path.join(self.q.dir, "feeds")
        shutil.copytree(os.environ.get("QUORUM_FEEDS",
                                       os.path.join(ROOT, "feeds")), feeds)
        conf = os.path.join(self.q.dir, "quorum.conf")
        with open(conf, "w") as f:
            f.write("[storage]\ncatalogue = %s\n[mail]\n"
                    "from = old@napo.example\n" % feeds)
        sock_path = os.path.join(self.q.dir, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(sock_path)
        sock.settimeout(20)
        saved = os.environ.pop("QUORUM_FEEDS", None)
        os.environ["NOTIFY_SOCKET"] = sock_path
        try:
            self.q.serve(pre=("--config", conf))
        finally:
            del os.environ["NOTIFY_SOCKET"]
            if saved is not None:
                os.environ["QUORUM_FEEDS"] = saved
        ready = sock.recv(4096).decode()
        self.assertIn("READY=1", ready)
        self.assertIn("STATUS=listening on http://127.0.0.1:", ready)
        port = int(self.q.base.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/feeds/branch-news.ics")
        r = conn.getresponse()
        r.read()
        self.assertEqual(r.status, 404)
        with open(os.path.join(feeds, "branch-news.ini"), "w") as f:
            f.write("[audience]\nslug = branch-news\nname = Branch news\n"
                    "visibility = public\n")
        with open(conf, "w") as f:
            f.write("[storage]\ncatalogue = %s\n[mail]\n"
                    "from = new@napo.example\n[server]\n"
                    "listen = 127.0.0.1:1\n" % feeds)
        self.q.proc.send_signal(signal.SIGHUP)
        self.assertIn("RELOADING=1", sock.recv(4096).decode())
        self.assertIn("READY=1", sock.recv(4096).decode())
        with open(os.path.join(self.q.dir, "serve.log")) as f:
            log = f.read()
        self.assertIn("reload: configuration and catalogue read again", log)
        # the same connection, still open, sees the new audience
        conn.request("GET", "/feeds/branch-news.ics")
        r = conn.getresponse()
        body = r.read()
        self.assertEqual(r.status, 200)
        self.assertIn(b"X-WR-CALNAME:Branch news", body)
        conn.close()
        # a bad file on reload changes nothing and the server goes on
        with open(conf, "w") as f:
            f.write("[server]\nthreads = many\n")
        self.q.proc.send_signal(signal.SIGHUP)
        sock.recv(4096)
        sock.recv(4096)
        self.assertEqual(self.q.http("GET", "/healthz")[0], 200)
        self.q.proc.send_signal(signal.SIGTERM)
        self.assertIn("STOPPING=1", sock.recv(4096).decode())
        self.q.proc.wait(timeout=30)
        self.q.proc = None
        sock.close()
        with open(os.path.join(self.q.dir, "serve.log")) as f:
            log = f.read()
        self.assertIn("server.listen changed: restart to apply it", log)
        self.assertIn(":2: server.threads must be a whole number", log)


class InstallTest(unittest.TestCase):
    """deploy/README.md, followed in a scratch root (DESTDIR)."""

    def test_install_configure_check_serve(self):
        root = tempfile.mkdtemp(prefix="quorum-install-")
        try:
            p = run("cmake", "--install", BUILD,
                    env=dict(os.environ, DESTDIR=root))
            self.assertEqual(p.returncode, 0, p.stderr)
            cache = open(os.path.join(BUILD, "CMakeCache.txt")).read()
            prefix = re.search(r"CMAKE_INSTALL_PREFIX:PATH=(.*)",
                               cache).group(1)
            sysconf = "/etc" if prefix == "/usr" else prefix + "/etc"
            top = root + prefix
            for path in ("bin/quorum", "share/man/man1/quorum.1",
                         "share/man/man5/quorum.conf.5",
                         "share/quorum/quorum.service",
                         "share/quorum/quorum-backup.timer",
                         "share/quorum/nginx.conf",
                         "share/quorum/README.md"):
                self.assertTrue(os.path.exists(os.path.join(top, path)),
                                path)
            etc = root + sysconf + "/quorum"
            self.assertTrue(os.path.exists(etc + "/feeds/all-members.ini"))
            self.assertTrue(glob.glob(etc + "/feeds/rooms/*.ini"))
            unit = open(top + "/share/quorum/quorum.service").read()
            start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1)
            self.assertEqual(start, "%s/bin/quorum --config %s/quorum/"
                             "quorum.conf serve" % (prefix, sysconf))
            # configure as the README says, in the scratch root
            state = os.path.join(root, "var/lib/quorum")
            os.makedirs(state)
            conf = etc + "/quorum.conf"
            text = open(conf).read()
            self.assertIn("catalogue = %s/quorum/feeds" % sysconf, text)
            text = text.replace("catalogue = " + sysconf, "catalogue = " +
                                root + sysconf)
            text = text.replace("database = /var/lib", "database = " + root
                                + "/var/lib")
            text = text.replace("listen = 127.0.0.1:8080",
                                "listen = 127.0.0.1:0")
            text = text.replace(";base_url = https://calendar.example.org",
                                "base_url = https://calendar.example.org")
            with open(conf, "w") as f:
                f.write(text)
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith("QUORUM_")}
            binary = top + "/bin/quorum"
            p = run(binary, "--config", conf, "config", "check", env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("storage.catalogue = %s%s/quorum/feeds\t# %s:" % (
                root, sysconf, conf), p.stdout.decode())
            # start it as the unit would (its ExecStart), fetch a feed
            args = start.split()
            args[0] = binary
            args[args.index("--config") + 1] = conf
            proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=env,
                                    cwd=state)
            try:
                line = proc.stdout.readline().decode()
                self.assertTrue(line.startswith("quorum: listening on "),
                                proc.stderr.read(2000) if not line else
                                line)
                port = int(line.split(":")[-1].strip().rstrip("/"))
                c = http.client.HTTPConnection("127.0.0.1", port,
                                               timeout=10)
                c.request("GET", "/feeds/all-members.ics")
                r = c.getresponse()
                self.assertEqual(r.status, 200)
                self.assertIn(b"BEGIN:VCALENDAR", r.read())
                c.close()
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            self.assertTrue(os.path.exists(state + "/quorum.db"))
        finally:
            shutil.rmtree(root)

    @unittest.skipUnless(shutil.which("mandoc"), "mandoc missing")
    def test_manual_pages_lint_clean(self):
        pages = [os.path.join(ROOT, "man", "quorum.1"),
                 os.path.join(ROOT, "man", "quorum.conf.5")]
        p = run("mandoc", "-Tlint", "-W", "warning", *pages)
        self.assertEqual((p.returncode, p.stdout + p.stderr), (0, b""))
        # every command of the program is in quorum(1)
        page = open(pages[0]).read()
        helptext = run(BINARY, "--help").stdout.decode()
        for cmd in re.findall(r"^  ([a-z-]+)(?: [a-z]+)?\s{2,}", helptext,
                              re.M):
            self.assertIn("Cm " + cmd, page, cmd)

    @unittest.skipUnless(shutil.which("systemd-analyze"),
                         "systemd-analyze missing")
    def test_unit_security_score(self):
        d = tempfile.mkdtemp()
        try:
            unit = os.path.join(d, "quorum.service")
            shutil.copy(os.path.join(BUILD, "deploy", "quorum.service"),
                        unit)
            p = run("systemd-analyze", "security", "--offline=yes",
                    "--no-pager", unit)
            out = p.stdout.decode() + p.stderr.decode()
            m = re.search(r"Overall exposure level for quorum.service: "
                          r"([\d.]+) (\w+)", out)
            self.assertIsNotNone(m, out[-2000:])
            self.assertLessEqual(float(m.group(1)), 2.0, out[-3000:])
            self.assertEqual(m.group(2), "OK")
        finally:
            shutil.rmtree(d)


class UpgradeTest(unittest.TestCase):
    def test_every_earlier_schema_migrates_intact(self):
        fixtures = sorted(glob.glob(os.path.join(UPGRADE, "v*.sql")),
                          key=lambda p: int(re.search(r"v(\d+)", p)
                                            .group(1)))
        current = len(glob.glob(os.path.join(ROOT, "src", "store",
                                             "schema", "*.sql")))
        self.assertEqual(len(fixtures), current - 1)
        for path in fixtures:
            q = Quorum(BINARY)
            try:
                c = sqlite3.connect(q.db)
                with open(path) as f:
                    c.executescript(f.read())
                c.close()
                ev = json.loads(q.out("event", "show", "1"))
                self.assertEqual((ev["uid"], ev["rrule"], ev["exdates"],
                                  ev["sequence"], ev["hosts"]),
                                 ("jes-weekly@upgrade",
                                  "FREQ=WEEKLY;COUNT=4",
                                  ["2027-01-12T10:00:00"], 2, [1]), path)
                self.assertEqual(json.loads(q.out("event", "show", "2"))[
                    "status"], "cancelled")
                att = json.loads(q.out("attend", "list", "1", "--json",
                                       "--occurrence",
                                       "2027-01-19T10:00:00"))
                att = att if isinstance(att, list) else att["items"]
                self.assertEqual([(a["member"], a["rsvp"], a["status"],
                                   a["reason"]) for a in att],
                                 [(2, "declined", "apologies", "Court")])
                act = json.loads(q.out("action", "show", "1"))
                self.assertEqual((act["status"], act["waiting_on"],
                                  len(act["history"])),
                                 ("waiting", "employer", 2), path)
                c = sqlite3.connect(q.db)
                self.assertEqual(c.execute("PRAGMA user_version")
                                 .fetchone()[0], current)
                self.assertEqual(c.execute("SELECT value FROM meta WHERE "
                                           "key = 'data_version'")
                                 .fetchone()[0] >= 7, True)
                self.assertEqual(c.execute("PRAGMA integrity_check")
                                 .fetchone()[0], "ok")
                c.close()
            finally:
                q.close()

    def test_newer_database_refused_unchanged(self):
        q = Quorum(BINARY)
        try:
            q.cli("init")
            c = sqlite3.connect(q.db)
            c.execute("PRAGMA user_version = 99")
            c.commit()
            c.close()
            before = open(q.db, "rb").read()
            p = q.cli("event", "list", check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("schema version 99 is newer than this quorum",
                          p.stderr.decode())
            self.assertEqual(open(q.db, "rb").read(), before)
        finally:
            q.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
