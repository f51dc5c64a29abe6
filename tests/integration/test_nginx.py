#!/usr/bin/python3
"""deploy/nginx.conf for real: Debian's nginx, with a self-signed
certificate made here, in front of a real quorum, both on loopback.
The site file is used as shipped; only its names, ports and paths are
put to this test's (the upstream's port, the certificate, the cache and
log folders).  Checked: a public feed's second fetch does not reach
quorum (its /metrics count it); a change shows once quorum's max-age
has passed; private feeds, pages and the API are never cached; with
quorum stopped an expired public feed is still served; sign-in cookies
are Secure over TLS; sign-in is rate-limited; HTTP goes to HTTPS.
Run: test_nginx.py path/to/quorum"""
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, Quorum, free_port  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def site(text, upstream, tls, plain, d):
    """The shipped site with this test's ports and paths."""
    text = text.replace("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" %
                        upstream)
    text = text.replace("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl "
                        "http2;" % tls)
    text = text.replace("listen [::]:443 ssl http2;\n", "")
    text = text.replace("listen 80;", "listen 127.0.0.1:%d;" % plain)
    text = text.replace("listen [::]:80;\n", "")
    text = text.replace("calendar.example.org", "localhost")
    text = text.replace("/etc/ssl/quorum/fullchain.pem", d + "/cert.pem")
    text = text.replace("/etc/ssl/quorum/privkey.pem", d + "/key.pem")
    text = text.replace("/var/cache/nginx/quorum", d + "/cache")
    text = text.replace("/var/log/nginx/quorum.log", d + "/access.log")
    return text


@unittest.skipUnless(os.path.exists(NGINX), "nginx missing")
class NginxTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        d = self.d = os.path.join(q.dir, "nginx")
        os.makedirs(d + "/cache")
        os.makedirs(d + "/logs")
        # the audiences refresh every minute here: max-age=60
        feeds = os.path.join(q.dir, "feeds")
        shutil.copytree(os.environ.get("QUORUM_FEEDS", ROOT + "/feeds"),
                        feeds)
        for name in os.listdir(feeds):
            if name.endswith(".ini"):
                p = os.path.join(feeds, name)
                text = re.sub(r"refresh = \S+", "refresh = PT1M",
                              open(p).read())
                with open(p, "w") as f:
                    f.write(text)
        with open(os.path.join(feeds, "open-day.ini"), "w") as f:
            f.write("[audience]\nslug = open-day\nname = Open day\n"
                    "visibility = public\nrefresh = PT1M\n")
        self.saved = os.environ.get("QUORUM_FEEDS")
        os.environ["QUORUM_FEEDS"] = feeds
        q.cli("demo")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", d + "/key.pem", "-out",
                        d + "/cert.pem", "-days", "2", "-subj",
                        "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost"],
                       check=True, capture_output=True)
        self.tls, self.plain = free_port(), free_port()
        self.token = q.out("token", "issue", "--member", "2", "--scope",
                           "api").split()[-1]
        self.feed = q.out("token", "issue", "--member", "3", "--scope",
                          "feed").split()[-1]
        os.environ["QUORUM_BASE_URL"] = "https://localhost:%d" % self.tls
        try:
            q.serve()
        finally:
            del os.environ["QUORUM_BASE_URL"]
        upstream = int(q.base.rsplit(":", 1)[1])
        with open(os.path.join(ROOT, "deploy", "nginx.conf")) as f:
            text = site(f.read(), upstream, self.tls, self.plain, d)
        with open(d + "/nginx.conf", "w") as f:
            f.write("%sworker_processes 1;\nerror_log %s/error.log;\n"
                    "pid %s/nginx.pid;\nevents { worker_connections 256; }"
                    "\nhttp {\n%s\n}\n" % (
                        "user root;\n" if os.geteuid() == 0 else "", d, d,
                        text))
        p = subprocess.run([NGINX, "-t", "-p", d, "-c", d + "/nginx.conf"],
                           capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.nginx = subprocess.Popen(
            [NGINX, "-p", d, "-c", d + "/nginx.conf", "-g",
             "daemon off;"], stderr=subprocess.PIPE)
        self.ctx = ssl.create_default_context(cafile=d + "/cert.pem")
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                self.get("/healthz")
                break
            except OSError:
                time.sleep(0.1)

    def tearDown(self):
        self.nginx.send_signal(signal.SIGQUIT)
        try:
            self.nginx.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.nginx.kill()
            self.nginx.wait()
        self.nginx.stderr.close()
        if self.saved is None:
            os.environ.pop("QUORUM_FEEDS", None)
        else:
            os.environ["QUORUM_FEEDS"] = self.saved
        self.q.close()

    def get(self, path, method="GET", body=None, headers=None):
        c = http.client.HTTPSConnection("localhost", self.tls,
                                        context=self.ctx, timeout=15)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, r, data

    def upstream(self, route, status="200"):
        """How many requests of route quorum itself answered."""
        st, _, body = self.q.http("GET", "/metrics")
        n = 0
        for line in body.decode().splitlines():
            if line.startswith("quorum_http_requests_total{route=\"%s\","
                               % route) and 'status="%s"' % status in line:
                n += int(line.split()[-1])
        return n

    def test_public_feed_cached_and_revalidated(self):
        st, r, first = self.get("/feeds/all-members.ics")
        self.assertEqual(st, 200)
        self.assertEqual(r.getheader("X-Cache"), "MISS")
        self.assertEqual(r.getheader("Cache-Control"), "public, max-age=60")
        t0 = time.monotonic()
        st, _, other = self.get("/feeds/open-day.ics")
        self.assertEqual(st, 200)
        st, r, again = self.get("/feeds/all-members.ics")
        self.assertEqual((st, r.getheader("X-Cache")), (200, "HIT"))
        self.assertEqual(again, first)
        # the second fetch did not reach quorum
        self.assertEqual(self.upstream("/feeds/*"), 2)
        # a change, made now, shows once max-age has passed
        st, h, data = self.q.http("POST", "/api/v1/events", {
            "title": "Emergency branch meeting", "kind": "member_briefing",
            "audiences": ["all-members"], "start": "2027-05-05T18:00",
            "end": "2027-05-05T19:00"}, token=self.token)
        self.assertEqual(st, 201, data)
        st, r, cached = self.get("/feeds/all-members.ics")
        self.assertNotIn(b"Emergency branch meeting", cached)
        time.sleep(max(0, 61 - (time.monotonic() - t0)))
        st, r, fresh = self.get("/feeds/all-members.ics")
        self.assertEqual(st, 200)
        self.assertIn(r.getheader("X-Cache"), ("EXPIRED", "REVALIDATED"))
        self.assertIn(b"Emergency branch meeting", fresh)
        # quorum down: the last good copy, though past its max-age
        self.q.proc.send_signal(signal.SIGTERM)
        self.q.proc.wait(timeout=30)
        self.q.proc = None
        st, r, body = self.get("/feeds/open-day.ics")
        self.assertEqual((st, r.getheader("X-Cache")), (200, "STALE"))
        self.assertEqual(body, other)
        # pages cannot be: quorum is down
        self.assertEqual(self.get("/")[0], 502)

    def test_private_feeds_pages_and_api_never_cached(self):
        for _ in range(2):
            st, r, body = self.get("/feeds/me.ics?token=" + self.feed)
            self.assertEqual(st, 200)
            self.assertEqual(r.getheader("X-Cache"), "BYPASS")
            self.assertIn(b"ATTENDEE", body)
            self.assertEqual(self.get("/")[0], 200)
            self.assertEqual(self.get("/api/v1/events", headers={
                "Authorization": "Bearer " + self.token})[0], 200)
        self.assertEqual(self.upstream("/feeds/*"), 2)
        self.assertEqual(self.upstream("/"), 2)
        self.assertEqual(self.upstream("/api/v1/events"), 2)
        # nothing of theirs in the cache's files
        cached = b""
        for dirpath, _, files in os.walk(self.d + "/cache"):
            for name in files:
                cached += open(os.path.join(dirpath, name), "rb").read()
        self.assertNotIn(self.feed.encode(), cached)
        self.assertNotIn(b"ATTENDEE", cached)
        # /metrics is not served through the proxy
        self.assertEqual(self.get("/metrics")[0], 404)
        # the log has no token
        log = open(self.d + "/access.log").read()
        self.assertNotIn(self.feed, log)

    def test_secure_cookie_and_signin_limit(self):
        url = self.q.out("--base-url", "https://localhost:%d" % self.tls,
                         "login-link", "4").splitlines()[-1]
        path = url.split(str(self.tls), 1)[1]
        st, r, page = self.get(path)
        self.assertEqual(st, 200, page[:300])
        csrf = re.search(rb'name="csrf" value="([0-9a-f]+)"', page).group(1)
        jar = "; ".join(c.split(";")[0] for k, c in r.getheaders()
                        if k.lower() == "set-cookie")
        st, r, _ = self.get(path, "POST", "csrf=" + csrf.decode(), {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": jar})
        self.assertEqual(st, 303)
        cookie = r.getheader("Set-Cookie")
        self.assertIn("; Secure", cookie)
        self.assertIn("HttpOnly", cookie)
        # quorum saw the client's address and the scheme
        codes = [self.get("/signin", "POST", "email=x%40y.example", {
            "Content-Type": "application/x-www-form-urlencoded"})[0]
            for _ in range(12)]
        self.assertIn(429, codes)
        self.assertNotEqual(codes[0], 429)
        # plain HTTP goes to HTTPS
        c = http.client.HTTPConnection("127.0.0.1", self.plain, timeout=10)
        c.request("GET", "/feeds/all-members.ics", headers={
            "Host": "localhost"})
        r = c.getresponse()
        r.read()
        c.close()
        self.assertEqual(r.status, 301)
        self.assertTrue(r.getheader("Location").startswith("https://"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
