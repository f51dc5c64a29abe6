"""Helpers for quorum's Python-driven tests: a temporary database, the
real quorum binary (CLI and daemon on an ephemeral loopback port), and
HTTP through the standard library.  Run with Debian's /usr/bin/python3."""
import http.client
import json
import os
import re
import socket
import shutil
import sqlite3
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request


def free_port():
    """A loopback port nobody listens on (for a test's own servers)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Quorum:
    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="quorum-py-")
        self.db = os.path.join(self.dir, "quorum.db")
        self.proc = None
        self.base = None

    @property
    def sanitized(self):
        """Built with AddressSanitizer (its allocator holds freed memory
        in quarantine: memory bounds are looser there)."""
        with open(self.binary, "rb") as f:
            return b"__asan_init" in f.read()

    def cli(self, *args, stdin=None, check=True):
        """Run `quorum --db DB args...`; returns CompletedProcess."""
        p = subprocess.run([self.binary, "--db", self.db, *args],
                           input=stdin, capture_output=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError("quorum %s failed (%d): %s" % (
                " ".join(args), p.returncode, p.stderr.decode()))
        return p

    def out(self, *args):
        return self.cli(*args).stdout.decode().strip()

    def serve(self, *extra, pre=()):
        """Start the daemon (pre: options before the command, e.g. -v);
        its log goes to serve.log in the test's directory."""
        self.log = open(os.path.join(self.dir, "serve.log"), "wb")
        self.proc = subprocess.Popen(
            [self.binary, "--db", self.db, *pre, "serve", "--listen",
             "127.0.0.1:0", *extra], stdout=subprocess.PIPE,
            stderr=self.log)
        line = self.proc.stdout.readline().decode()
        assert line.startswith("quorum: listening on "), line
        self.base = line.split()[-1].rstrip("/")
        return self.base

    def http(self, method, path, body=None, token=None, ctype=None,
             headers=None):
        """(status, headers, bytes) of one request."""
        data = None
        h = dict(headers or {})
        if body is not None:
            data = body if isinstance(body, bytes) else (
                json.dumps(body).encode() if not isinstance(body, str)
                else body.encode())
            h["Content-Type"] = ctype or "application/json"
        if token:
            h["Authorization"] = "Bearer " + token
        req = urllib.request.Request(self.base + path, data=data, headers=h,
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def api(self, method, path, body=None, token=None):
        status, _, data = self.http(method, "/api/v1" + path, body, token)
        return status, json.loads(data) if data else None

    def snapshot(self):
        """Every row of every table: equal snapshots mean equal data."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)
        rows = []
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE "
                                   "type='table' ORDER BY name"):
            rows.append(name)
            rows.extend(con.execute('SELECT * FROM "%s" ORDER BY 1' % name))
        con.close()
        return rows

    def close(self):
        """Stop the daemon; a sanitizer's report in its log fails the
        test (builds with -DQUORUM_SANITIZE=ON)."""
        log = b""
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc.stdout.close()
            self.log.close()
            with open(os.path.join(self.dir, "serve.log"), "rb") as f:
                log = f.read()
        shutil.rmtree(self.dir, ignore_errors=True)
        for bad in (b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer",
                    b"runtime error:"):
            if bad in log:
                raise AssertionError("the daemon reported:\n" +
                                     log.decode(errors="replace"))


class Browser:
    """Requests with a cookie jar and no following of redirects."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.cookies = {}

    def request(self, method, path, form=None, headers=None):
        c = http.client.HTTPConnection(self.host, self.port, timeout=30)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in
                                    self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read().decode()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";")[0]
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        c.close()
        return r.status, r, data

    @classmethod
    def signed_in(cls, q, member):
        """A browser signed in as member on q's daemon, by a link from
        `quorum login-link`, opened and its button pressed."""
        url = q.out("--base-url", q.base, "login-link",
                    str(member)).splitlines()[-1]
        web = cls(q.base)
        path = url[len(q.base):]
        st, r, page = web.request("GET", path)
        st, r, page = web.request("POST", path, {"csrf": web.csrf(page)})
        assert st == 303, (st, page[:300])
        return web

    def csrf(self, page):
        m = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        return m.group(1) if m else None


class MailSink:
    """A real SMTP server for a test (tests/smtp_sink.py, aiosmtpd) on a
    free loopback port, keeping what it accepts in a Maildir; while the
    file stall exists it holds each message at RCPT."""

    SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "smtp_sink.py")

    def __init__(self, directory, stall=None):
        self.port = free_port()
        self.maildir = os.path.join(directory, "maildir")
        self.stall = stall or os.path.join(directory, "no-stall")
        self.url = "smtp://127.0.0.1:%d" % self.port
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", self.SCRIPT, str(self.port), self.maildir,
             self.stall], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline().strip()
        assert line == b"ready", line
        return self

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc.stdout.close()
            self.proc = None
