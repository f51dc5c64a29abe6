"""Tokens on the real daemon: guessing is slowed per client address
(429 with Retry-After), a token never reaches the log, and revocation
takes effect at once."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"


class TokenTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        q.cli("init")
        off = q.out("member", "add", "--name", "Olu Official", "--email",
                    "olu@napo.example", "--role", "official")
        self.api = q.out("token", "issue", "--member", off, "--scope", "api")
        self.mem = q.out("member", "add", "--name", "Fay Fac", "--email",
                         "fay@napo.example", "--audience", "facilitators")
        self.feed = q.out("token", "issue", "--member", self.mem, "--scope",
                          "feed")

    def tearDown(self):
        self.q.close()

    def serve(self, guesses):
        os.environ["QUORUM_TOKEN_GUESSES"] = guesses
        try:
            self.q.serve()
        finally:
            del os.environ["QUORUM_TOKEN_GUESSES"]

    def test_guessing_is_slowed_per_address(self):
        q = self.q
        self.serve("5/3")
        good = "/feeds/facilitators.ics?token=" + self.feed
        for i in range(5):
            st, _, _ = q.http("GET", "/feeds/facilitators.ics?token=guess%d"
                              % i)
            self.assertEqual(st, 404)
        # the sixth guess is held up; a good token is always answered
        st, h, body = q.http("GET", "/feeds/facilitators.ics?token=guess6")
        self.assertEqual(st, 429, body)
        self.assertGreaterEqual(int(h["Retry-After"]), 1)
        self.assertLessEqual(int(h["Retry-After"]), 3)
        self.assertIn(b"too_many_requests", body)
        self.assertEqual(q.http("GET", good)[0], 200)
        self.assertEqual(q.api("GET", "/events", token=self.api)[0], 200)
        self.assertEqual(q.api("GET", "/events", token="guess7")[0], 429)
        # what needs no token is served
        self.assertEqual(q.http("GET", "/feeds/all-members.ics")[0], 200)
        self.assertEqual(q.http("GET", "/healthz")[0], 200)
        # the window passes; the good token works again
        time.sleep(3.5)
        self.assertEqual(q.http("GET", good)[0], 200)
        self.assertEqual(q.api("GET", "/events", token=self.api)[0], 200)

    def test_behind_the_proxy_each_client_counts_alone(self):
        # deploy/nginx.conf passes the client's address in X-Real-IP
        q = self.q
        self.serve("3/60")
        guesser = {"X-Real-IP": "203.0.113.7"}
        for i in range(3):
            self.assertEqual(q.http("GET", "/feeds/facilitators.ics?token="
                                    "g%d" % i, headers=guesser)[0], 404)
        self.assertEqual(q.http("GET", "/feeds/facilitators.ics?token=g",
                                headers=guesser)[0], 429)
        good = "/feeds/facilitators.ics?token=" + self.feed
        self.assertEqual(q.http("GET", good, headers={
            "X-Real-IP": "2001:db8::1"})[0], 200)
        self.assertEqual(q.http("GET", good)[0], 200)

    def test_bad_bearer_tokens_count_too(self):
        q = self.q
        self.serve("3/60")
        for i in range(3):
            self.assertEqual(q.api("GET", "/events", token="bad%d" % i)[0],
                             401)
        self.assertEqual(q.api("GET", "/events", token="bad3")[0], 429)
        # a whole office behind one address: the good token still works
        self.assertEqual(q.api("GET", "/events", token=self.api)[0], 200)
        # good tokens do not count
        self.q.close()
        q = self.q = Quorum(BINARY)
        q.cli("init")
        off = q.out("member", "add", "--name", "Olu Official", "--email",
                    "olu@napo.example", "--role", "official")
        api = q.out("token", "issue", "--member", off, "--scope", "api")
        self.serve("3/60")
        for _ in range(20):
            self.assertEqual(q.api("GET", "/events", token=api)[0], 200)

    def test_no_token_in_any_log_line(self):
        q = self.q
        canary_feed = self.feed
        canary_api = self.api
        q.log_path = os.path.join(q.dir, "serve.log")
        os.environ["QUORUM_TOKEN_GUESSES"] = "0"
        try:
            q.serve(pre=("-v",))
        finally:
            del os.environ["QUORUM_TOKEN_GUESSES"]
        requests = [
            ("GET", "/feeds/facilitators.ics?token=" + canary_feed, None),
            ("GET", "/feeds/me.ics?token=" + canary_feed, None),
            ("GET", "/feeds/actions.ics?token=" + canary_feed, None),
            ("GET", "/feeds/nobody.ics?token=" + canary_feed, None),
            ("GET", "/feeds/facilitators.ics?token=" + canary_feed + "x",
             None),
            ("GET", "/api/v1/events?token=" + canary_api, None),
            ("GET", "/api/v1/events", canary_api),
            ("GET", "/api/v1/events", canary_api + "x"),
            ("POST", "/api/v1/events", canary_api),
            ("GET", "/api/v1/nothing/" + canary_api, canary_api),
        ]
        for method, path, tok in requests:
            q.http(method, path, body={} if method == "POST" else None,
                   token=tok)
        q.proc.terminate()
        q.proc.wait(timeout=10)
        with open(q.log_path, "rb") as f:
            log = f.read()
        self.assertIn(b"GET /feeds/facilitators.ics", log)   # -v logs
        for canary in (canary_feed, canary_api):
            for part in (canary, canary[:16], canary[-16:]):
                self.assertNotIn(part.encode(), log)
        q.proc = None
        q.log.close()

    def test_revocation_takes_effect_at_once(self):
        q = self.q
        self.serve("0")
        url = "/feeds/me.ics?token=" + self.feed
        self.assertEqual(q.http("GET", url)[0], 200)
        st, toks = q.api("GET", "/tokens?member=" + self.mem,
                         token=self.api)
        self.assertEqual(st, 200)
        feed_ids = [t["id"] for t in toks["items"] if t["scope"] == "feed"]
        st, _ = q.api("DELETE", "/tokens/%d" % feed_ids[0], token=self.api)
        self.assertIn(st, (200, 204))
        self.assertEqual(q.http("GET", url)[0], 404)
        self.assertEqual(q.http("GET", "/feeds/facilitators.ics?token=" +
                                self.feed)[0], 404)


if __name__ == "__main__":
    unittest.main()
