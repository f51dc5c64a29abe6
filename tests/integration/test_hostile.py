"""Hostile HTTP against the real daemon: malformed and abusive requests,
sent as raw bytes, each answered with one specific 4xx, never a 5xx;
the data is the same afterwards and the daemon still answers."""
import json
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"

EVENT = {"title": "Branch meeting", "kind": "workshop",
         "start": "2027-03-01T10:00", "end": "2027-03-01T11:00",
         "audiences": ["all-members"]}


def raw(port, data, timeout=10):
    """Send data as it is; the status of the answer (None: closed
    without one)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass    # the server may answer and close before all is sent
        got = b""
        while b"\r\n" not in got:
            try:
                chunk = s.recv(4096)
            except ConnectionResetError:
                break
            if not chunk:
                break
            got += chunk
    finally:
        s.close()
    if not got.startswith(b"HTTP/1."):
        return None
    return int(got.split(b" ", 2)[1])


def without_audit(snapshot):
    out, skip = [], False
    for row in snapshot:
        if isinstance(row, str):
            skip = row == "audit"
        if not skip:
            out.append(row)
    return out


def request(method, path, headers=(), body=b"", host=True, version="1.1"):
    lines = ["%s %s HTTP/%s" % (method, path, version)]
    if host:
        lines.append("Host: 127.0.0.1")
    lines.append("Connection: close")
    lines.extend(headers)
    if body and not any(h.lower().startswith(("content-length",
                                              "transfer-encoding"))
                        for h in headers):
        lines.append("Content-Length: %d" % len(body))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + (body if isinstance(body, bytes) else body.encode())


class HostileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        q = cls.q = Quorum(BINARY)
        q.cli("init")
        off = q.out("member", "add", "--name", "Olu Official", "--email",
                    "olu@napo.example", "--role", "official")
        cls.tok = q.out("token", "issue", "--member", off, "--scope", "api")
        mem = q.out("member", "add", "--name", "Fay Fac", "--email",
                    "fay@napo.example", "--audience", "facilitators",
                    "--number", "N-1")
        cls.feedtok = q.out("token", "issue", "--member", mem, "--scope",
                            "feed")
        # guessing bad tokens on purpose here: no limit
        os.environ["QUORUM_TOKEN_GUESSES"] = "0"
        try:
            q.serve()
        finally:
            del os.environ["QUORUM_TOKEN_GUESSES"]
        cls.port = int(q.base.rsplit(":", 1)[1])
        st, ev = q.api("POST", "/events", EVENT, cls.tok)
        assert st == 201, ev
        cls.ev = ev["id"]

    @classmethod
    def tearDownClass(cls):
        cls.q.close()

    def cases(self):
        auth = "Authorization: Bearer " + self.tok
        js = "Content-Type: application/json"
        ev = json.dumps(EVENT)

        def post(path, body, *headers):
            return request("POST", path, (auth,) + headers, body)

        def event(**change):
            e = dict(EVENT)
            e.update(change)
            return post("/api/v1/events", json.dumps(e), js)
        deep = "[" * 10000 + "]" * 10000
        return [
            # request line and protocol
            ("no version in the request line", b"GET /\r\n\r\n", 400),
            ("a version that is not HTTP", request("GET", "/healthz",
                                                   version="1.1 extra"), 400),
            ("a protocol that is not HTTP", b"GET / FOO/1.1\r\nHost: x"
             b"\r\n\r\n", 400),
            ("no Host in HTTP/1.1", request("GET", "/healthz", host=False),
             400),
            ("two Host headers", request("GET", "/healthz",
                                         ("Host: example.org",)), 400),
            ("unknown method on a feed", request(
                "BREW", "/feeds/all-members.ics"), 405),
            ("DELETE a feed", request("DELETE", "/feeds/all-members.ics"),
             405),
            ("POST a feed", request("POST", "/feeds/all-members.ics",
                                    body="x"), 405),
            ("TRACE the index", request("TRACE", "/"), 405),
            ("PUT the health check", request("PUT", "/healthz", body="x"),
             405),
            ("PUT the event list", request("PUT", "/api/v1/events", (auth,
                                                                      js),
                                           ev), 405),
            ("PATCH audiences", request("PATCH", "/api/v1/audiences",
                                        (auth, js), "{}"), 405),
            ("control bytes in a header", b"GET /healthz HTTP/1.1\r\n"
             b"Host: 127.0.0.1\r\nX-A: a\x01b\r\nConnection: close\r\n\r\n",
             400),
            ("header without a colon", b"GET /healthz HTTP/1.1\r\nHost: "
             b"127.0.0.1\r\nNoColonHere\r\nConnection: close\r\n\r\n", 400),
            # paths
            ("dot-dot out of the root", request("GET", "/../etc/passwd"),
             404),
            ("dot-dot in a feed", request(
                "GET", "/feeds/../../etc/passwd.ics"), 404),
            ("encoded dot-dot", request(
                "GET", "/feeds/%2e%2e/%2e%2e/etc/passwd.ics"), 404),
            ("NUL in a feed path", request(
                "GET", "/feeds/all-members.ics%00.txt"), 404),
            ("NUL in an API path", request("GET", "/api/v1/events%00",
                                           (auth,)), 404),
            ("NUL in a token", request(
                "GET", "/feeds/facilitators.ics?token=%s%%00" %
                self.feedtok), 404),
            ("a feed without .ics", request("GET", "/feeds/all-members"),
             404),
            ("an empty feed name", request("GET", "/feeds/.ics"), 404),
            ("a feed name of 300 bytes", request(
                "GET", "/feeds/%s.ics" % ("a" * 300)), 404),
            ("an unknown feed", request("GET", "/feeds/nobody.ics"), 404),
            ("invalid UTF-8 in a path", request(
                "GET", "/feeds/%ff%fe.ics"), 404),
            ("a URL of 100 KB", request("GET", "/feeds/" + "a" * 100000 +
                                        ".ics"), 414),
            ("event id not a number", request("GET", "/api/v1/events/abc",
                                              (auth,)), 404),
            ("event id of 30 digits", request(
                "GET", "/api/v1/events/" + "9" * 30, (auth,)), 404),
            ("event id negative", request("GET", "/api/v1/events/-1",
                                          (auth,)), 404),
            ("dot-dot inside the API", request(
                "GET", "/api/v1/events/1/../../members", (auth,)), 404),
            # headers and sizes
            ("one header of 100 KB", request(
                "GET", "/healthz", ("X-Big: " + "a" * 100000,)), 431),
            ("5,000 headers", request(
                "GET", "/healthz", tuple("X-H%d: v" % i
                                         for i in range(5000))), 431),
            ("Content-Length of 1 GB", request(
                "POST", "/api/v1/events", (auth, js,
                                           "Content-Length: 1000000000")),
             413),
            ("Content-Length not a number", request(
                "POST", "/api/v1/events", (auth, js, "Content-Length: abc")),
             400),
            ("Content-Length negative", request(
                "POST", "/api/v1/events", (auth, js, "Content-Length: -5")),
             400),
            ("chunked body over the limit", request(
                "POST", "/api/v1/events", (auth, js,
                                           "Transfer-Encoding: chunked"),
                b"".join(b"%x\r\n%s\r\n" % (65536, b"a" * 65536)
                         for _ in range(20)) + b"0\r\n\r\n"), 413),
            ("broken chunked encoding", request(
                "POST", "/api/v1/events", (auth, js,
                                           "Transfer-Encoding: chunked"),
                b"zz\r\nabc\r\n0\r\n\r\n"), 400),
            ("an import over 8 MiB", request(
                "POST", "/api/v1/import", (auth, "Content-Type: text/"
                                           "calendar", "Content-Length: %d"
                                           % (9 << 20))), 413),
            # credentials
            ("no token", request("GET", "/api/v1/events"), 401),
            ("Basic credentials", request(
                "GET", "/api/v1/events", ("Authorization: Basic "
                                          "b2x1OnNlY3JldA==",)), 401),
            ("an empty bearer token", request(
                "GET", "/api/v1/events", ("Authorization: Bearer ",)), 401),
            ("a bearer token of 10 KB", request(
                "GET", "/api/v1/events", ("Authorization: Bearer " +
                                          "A" * 10000,)), 401),
            ("a bearer token with quotes and spaces", request(
                "GET", "/api/v1/events", ("Authorization: Bearer \"' OR "
                                          "1=1 --",)), 401),
            ("a feed token of 5 KB", request(
                "GET", "/feeds/facilitators.ics?token=" + "A" * 5000), 404),
            ("a feed token for the API", request(
                "GET", "/api/v1/events", ("Authorization: Bearer " +
                                          self.feedtok,)), 401),
            ("an API token for a feed", request(
                "GET", "/feeds/facilitators.ics?token=" + self.tok), 404),
            # bodies
            ("no Content-Type", post("/api/v1/events", ev), 415),
            ("text/plain for JSON", post("/api/v1/events", ev,
                                         "Content-Type: text/plain"), 415),
            ("form data for JSON", post(
                "/api/v1/events", "title=x", "Content-Type: application/"
                "x-www-form-urlencoded"), 415),
            ("JSON for an import", post("/api/v1/import", ev, js), 415),
            ("JSON for a member list", post("/api/v1/members/import", ev,
                                            js), 415),
            # found by fuzz_http: such notes were kept, and their answer
            # leaked
            ("notes that are not UTF-8", request(
                "PUT", "/api/v1/events/%d/notes" % self.ev,
                (auth, "Content-Type: text/plain"), b"- [ ] GET \xbc/api"),
             400),
            ("an empty body", request("POST", "/api/v1/events", (auth, js,
                                                                 "Content-"
                                                                 "Length: 0")
                                      ), 400),
            ("JSON nested 10,000 deep", post("/api/v1/events", deep, js),
             400),
            ("invalid UTF-8 in JSON", post(
                "/api/v1/events", b'{"title": "\xff\xfe", "kind": '
                b'"workshop"}', js), 400),
            ("a NUL escaped in JSON", post(
                "/api/v1/events", ev.replace("Branch", "Bra\\u0000nch"),
                js), 400),
            ("a JSON array", post("/api/v1/events", "[1, 2]", js), 400),
            ("JSON cut short", post("/api/v1/events", ev[:-5], js), 400),
            ("duplicate keys", post("/api/v1/events", '{"title": "a", '
                                    '"title": "b"}', js), 400),
            ("a title of 100 KB", event(title="a" * 100000), 400),
            ("an end before the start", event(end="2027-03-01T09:00"), 400),
            ("a start that is no date", event(start="yesterday"), 400),
            ("an unknown audience", event(audiences=["nobody"]), 400),
            ("an unknown time zone", event(tz="Mars/Olympus"), 400),
            ("recurrence every second forever", event(
                rrule="FREQ=SECONDLY"), 400),
            ("recurrence until the year 5000", event(
                rrule="FREQ=DAILY;UNTIL=50000101T000000Z"), 400),
            ("a broken recurrence rule", event(rrule="FREQ=;;COUNT=x"),
             400),
            ("a kind that does not exist", event(kind="party"), 400),
            ("check in an unknown number", post(
                "/api/v1/events/%d/checkin" % self.ev,
                '{"numbers": ["X-404"]}', js), 400),
            ("a bad limit", request("GET", "/api/v1/audit?limit=abc",
                                    (auth,)), 400),
            ("a bad from date", request("GET", "/api/v1/events?from=soon",
                                        (auth,)), 400),
        ]

    def test_member_import_twice_without_audiences(self):
        # found by fuzz_http: comparing members with no audiences read
        # past the end of a string
        csv = b"name,email,number\nAb Cee,ab@x.example,N-9\n"
        for _ in range(2):
            st, _, body = self.q.http("POST", "/api/v1/members/import", csv,
                                      ctype="text/csv",
                                      headers={"Authorization": "Bearer " +
                                               self.tok})
            self.assertEqual(st, 200, body)
        report = json.loads(body)
        self.assertEqual(report.get("created", 0), 0, report)

    def test_member_rows_that_are_not_utf8_are_refused(self):
        # were imported, then missing from every list answered as JSON
        csv = b"name,email,branch\nAb \xbc,ab2@x.example,North\n" \
            b"Cy,cy@x.example,Br\xed\xa0\x80\n"
        st, _, body = self.q.http("POST", "/api/v1/members/import", csv,
                                  ctype="text/csv", headers={
                                      "Authorization": "Bearer " + self.tok})
        self.assertEqual(st, 200, body)
        report = json.loads(body)
        self.assertEqual(report["imported"], 0, report)
        self.assertEqual([(r["row"], r["reason"].split()[0])
                          for r in report["refused"]],
                         [(2, "name"), (3, "branch")])

    def test_no_answer_to_what_is_not_http(self):
        # libmicrohttpd closes these without a word (no 5xx, no crash)
        for data in (b"GARBAGE\r\n\r\n",
                     b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" +
                     b"a" * 100 + b"\r\n\r\n"):
            self.assertIsNone(raw(self.port, data))
            self.assertEqual(self.q.http("GET", "/healthz")[0], 200)

    def test_each_gets_its_4xx_and_changes_nothing(self):
        q = self.q
        before = q.snapshot()
        cases = self.cases()
        self.assertGreaterEqual(len(cases), 50)
        self.assertTrue(all(400 <= want < 500 for _, _, want in cases))
        wrong = []
        for name, data, want in cases:
            got = raw(self.port, data)
            if got != want:
                wrong.append("%s: got %s, want %d" % (name, got, want))
            st, _, _ = q.http("GET", "/healthz")
            self.assertEqual(st, 200, "the daemon died after: " + name)
        self.assertEqual(wrong, [])
        # refused requests change no table (the audit log keeps reads)
        self.assertEqual(without_audit(q.snapshot()), without_audit(before))


if __name__ == "__main__":
    unittest.main()
