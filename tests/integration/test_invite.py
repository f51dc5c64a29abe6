#!/usr/bin/python3
"""Invitations by e-mail (iTIP over iMIP) through the outbox, caught by
a real SMTP server (aiosmtpd): every message parses with Python's email
package and python3-icalendar, with the right METHOD, UID, SEQUENCE and
ATTENDEE; a change sends REQUEST again with the higher SEQUENCE, a
cancellation CANCEL; the "Going" link answers without a calendar app;
replies (METHOD:REPLY) by the API and by `quorum itip -` with a whole
mail: accepted, declined, over capacity, stale, not invited, unknown;
opt-outs.
Run: test_invite.py path/to/quorum"""
import base64
import email
import email.policy
import json
import mailbox
import os
import re
import sys
import time
import unittest

import icalendar

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from qtest import Browser, MailSink, Quorum  # noqa: E402

BINARY = sys.argv.pop(1) if len(sys.argv) > 1 else "build/quorum"
FROM = "meetings@napo.example"


class InviteTest(unittest.TestCase):
    def setUp(self):
        q = self.q = Quorum(BINARY)
        self.sink = MailSink(q.dir).start()
        self.maildir = self.sink.maildir
        self.env = {"QUORUM_SMTP": self.sink.url,
                    "QUORUM_MAIL_FROM": FROM,
                    "QUORUM_OUTBOX_INTERVAL": "1"}
        self.saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        q.cli("demo")
        self.token = q.out("token", "issue", "--member", "2", "--scope",
                           "api").split()[-1]
        q.serve()

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self.sink.stop()
        self.q.close()

    def api(self, method, path, body=None, ctype=None):
        st, h, data = self.q.http(method, path, body, token=self.token,
                                  ctype=ctype)
        return st, json.loads(data)

    def mails(self, n):
        end = time.monotonic() + 20
        while time.monotonic() < end:
            box = mailbox.Maildir(self.maildir, create=True)
            got = [email.message_from_bytes(m.as_bytes(),
                                            policy=email.policy.default)
                   for m in box]
            if len(got) >= n:
                # in the order they were queued: the outbox row's id
                return sorted(got, key=lambda m: int(re.match(
                    r"<quorum\.(\d+)\.", m["Message-ID"]).group(1)))
            time.sleep(0.1)
        self.fail("%d mails expected, %d came" % (n, len(got)))

    def calendar(self, msg):
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        parts = list(msg.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts],
                         ["text/plain", "text/calendar"])
        cal = icalendar.Calendar.from_ical(parts[1].get_content())
        return parts[0].get_content(), parts[1], cal

    def test_invite_change_answer_reply_cancel(self):
        st, ev = self.api("POST", "/api/v1/events", {
            "title": "Branch meeting", "kind": "member_briefing",
            "audiences": ["reps"], "start": "2027-04-14T18:00",
            "end": "2027-04-14T19:30", "location": "Room 4",
            "description": "Agenda: the pay claim.", "capacity": 1})
        self.assertEqual(st, 201, ev)
        st, r = self.api("POST", "/api/v1/events/%d/invitations" % ev["id"],
                         {"members": [3, 4, 5]})
        self.assertEqual((st, r["queued"], r["skipped"]), (200, 3, []))
        got = self.mails(3)
        by = {}
        for msg in got:
            text, part, cal = self.calendar(msg)
            self.assertEqual(part.get_param("method"), "REQUEST")
            self.assertEqual(str(cal["METHOD"]), "REQUEST")
            vev = cal.walk("VEVENT")[0]
            self.assertEqual(str(vev["UID"]), ev["uid"])
            self.assertEqual(int(vev["SEQUENCE"]), 0)
            self.assertEqual(str(vev["ORGANIZER"]), "mailto:" + FROM)
            att = vev["ATTENDEE"]
            self.assertEqual(str(att).lower(), "mailto:" +
                             msg["To"].addresses[0].addr_spec)
            self.assertEqual(att.params["RSVP"], "TRUE")
            self.assertEqual(vev["DTSTART"].dt.hour, 18)
            self.assertTrue(cal.walk("VTIMEZONE"))
            self.assertIn("When:   Wed 14 Apr 2027, 18:00 to 19:30", text)
            self.assertIn("Where:  Room 4", text)
            self.assertIn("Agenda: the pay claim.", text)
            self.assertEqual(msg["Subject"], "Invitation: Branch meeting")
            by[msg["To"].addresses[0].addr_spec] = text
        # "Going" from the mail, without a calendar app: the GET asks
        link = re.search(r"Going:\s+https?://[^/]+(/invitations/\S+)",
                         by["sam.okafor@napo.example"]).group(1)
        web = Browser(self.q.base)
        st, r, page = web.request("GET", link)
        self.assertEqual(st, 200)
        self.assertIn("Yes, I am going", page)
        self.assertEqual(self.rsvp(ev["id"], 3), None)
        st, r, page = web.request("POST", link.split("?")[0],
                                  {"answer": "accepted"})
        self.assertEqual(st, 200)
        self.assertIn("you are going", page)
        self.assertEqual(self.rsvp(ev["id"], 3), "accepted")
        # a change that matters: REQUEST again, SEQUENCE 1
        st, r = self.api("PATCH", "/api/v1/events/%d" % ev["id"], {
            "start": "2027-04-14T18:30", "end": "2027-04-14T20:00"})
        self.assertEqual((st, r["sequence"]), (200, 1))
        got = self.mails(6)[3:]
        for msg in got:
            text, part, cal = self.calendar(msg)
            self.assertEqual(int(cal.walk("VEVENT")[0]["SEQUENCE"]), 1)
            self.assertEqual(msg["Subject"], "Changed: Branch meeting")
            self.assertIn("18:30 to 20:00", text)
        # replies: Priya accepts (the place is taken: waiting list)
        reply = self.reply(ev["uid"], "priya.shah@napo.example",
                           "ACCEPTED", 1)
        st, r = self.api("POST", "/api/v1/itip", reply, "text/calendar")
        self.assertEqual(st, 200, r)
        self.assertEqual((r["rsvp"], r["waiting_position"]),
                         ("accepted", 1))
        # Joe declines, as a whole mail piped to `quorum itip -`
        reply = self.reply(ev["uid"], "joe.marsh@napo.example",
                           "DECLINED", 1)
        mail = ("From: joe.marsh@napo.example\r\nTo: %s\r\nSubject: "
                "Declined: Branch meeting\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/alternative; boundary=b\r\n\r\n"
                "--b\r\nContent-Type: text/plain\r\n\r\nNo.\r\n--b\r\n"
                "Content-Type: text/calendar; method=REPLY\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n"
                % (FROM, base64.encodebytes(reply.encode()).decode()))
        p = self.q.cli("itip", "-", stdin=mail.encode())
        self.assertIn("joe.marsh@napo.example: declined", p.stdout.decode())
        self.assertEqual(self.rsvp(ev["id"], 5), "declined")
        # refused, and nothing changes: stale, not invited, unknown
        for who, seq, uid, code, words in [
                ("joe.marsh@napo.example", 0, ev["uid"], 409, "older"),
                ("amina.yusuf@napo.example", 1, ev["uid"], 403,
                 "not invited"),
                ("stranger@example.org", 1, ev["uid"], 403, "not a member"),
                ("joe.marsh@napo.example", 1, "nobody@else", 404, "UID")]:
            st, r = self.api("POST", "/api/v1/itip",
                             self.reply(uid, who, "ACCEPTED", seq),
                             "text/calendar")
            self.assertEqual(st, code, (who, r))
            self.assertIn(words, r["error"]["message"])
        self.assertEqual(self.rsvp(ev["id"], 5), "declined")
        self.assertEqual(self.rsvp(ev["id"], 6), None)
        st, r = self.api("POST", "/api/v1/itip", "not a calendar",
                         "text/calendar")
        self.assertEqual(st, 400)
        # cancelled: CANCEL to everyone invited
        st, r = self.api("DELETE", "/api/v1/events/%d" % ev["id"])
        self.assertEqual(st, 200)
        got = self.mails(9)[6:]
        for msg in got:
            text, part, cal = self.calendar(msg)
            self.assertEqual(part.get_param("method"), "CANCEL")
            vev = cal.walk("VEVENT")[0]
            self.assertEqual((str(cal["METHOD"]), str(vev["STATUS"]),
                              int(vev["SEQUENCE"])),
                             ("CANCEL", "CANCELLED", 2))
            self.assertIn("CANCELLED", text)
        # and its links no longer answer
        st, r, page = web.request("POST", link.split("?")[0],
                                  {"answer": "accepted"})
        self.assertNotEqual(st, 200)

    def test_opt_out_and_audience(self):
        st, ev = self.api("POST", "/api/v1/events", {
            "title": "Facilitators' forum", "kind": "other",
            "audiences": ["facilitators"], "start": "2027-04-20T12:00",
            "end": "2027-04-20T13:00"})
        st, r = self.api("PUT", "/api/v1/members/6/optouts",
                         {"audiences": ["facilitators"]})
        self.assertEqual((st, r["audiences"]), (200, ["facilitators"]))
        st, r = self.api("PUT", "/api/v1/members/6/optouts",
                         {"audiences": ["nowhere"]})
        self.assertEqual(st, 400)
        st, r = self.api("POST", "/api/v1/events/%d/invitations" % ev["id"],
                         {"audience": "facilitators"})
        self.assertEqual(st, 200, r)
        self.assertEqual(r["skipped"], [{"member": 6, "reason":
                                         "opted out of invitations for "
                                         "this group"}])
        self.assertEqual(r["queued"], 1)            # Priya
        got = self.mails(1)
        self.assertEqual(got[0]["To"].addresses[0].addr_spec,
                         "priya.shah@napo.example")
        for body in ({}, {"members": [3], "audience": "reps"},
                     {"members": [999]}, {"members": "3"}):
            st, r = self.api("POST", "/api/v1/events/%d/invitations" %
                             ev["id"], body)
            self.assertEqual(st, 400, body)
        # the command line
        out = self.q.out("invite", str(ev["id"]), "--member", "3")
        self.assertEqual(out, "1 invitations queued")

    def test_a_poll_from_proposal_to_event(self):
        web = Browser.signed_in(self.q, 2)
        # refused: too few times, a time that does not exist, no members
        base = {"title": "Reps' planning", "kind": "other",
                "audiences": ["reps"], "members": [3, 4]}
        for extra, field in [
                ({"options": [{"start": "2027-05-04T10:00",
                               "end": "2027-05-04T11:00"}]}, "options"),
                ({"options": [{"start": "2027-03-28T01:30",
                               "end": "2027-03-28T02:30"}] * 3}, "options"),
                ({"members": [], "options": []}, "members")]:
            body = dict(base, **extra)
            st, r = self.api("POST", "/api/v1/polls", body)
            self.assertEqual((st, r["error"]["field"]), (400, field), extra)
        # from the slot finder's first five times, e-mailed to each
        st, poll = self.api("POST", "/api/v1/polls", dict(
            base, from_slots={"duration": "PT1H", "from": "2027-05-04",
                              "to": "2027-05-31"}))
        self.assertEqual(st, 201, poll)
        self.assertEqual(len(poll["options"]), 5)
        self.assertEqual(poll["options"][0]["start"], "2027-05-04T09:00:00")
        got = self.mails(2)
        links = {}
        for msg in got:
            body = msg.get_content()
            self.assertIn("When can you come to Reps' planning?", body)
            links[msg["To"].addresses[0].addr_spec] = re.search(
                r"https?://[^/]+(/polls/\S+)", body).group(1)
        # each answers through their own link
        anon = Browser(self.q.base)
        st, r, page = anon.request("GET", links["sam.okafor@napo.example"])
        self.assertEqual(st, 200)
        self.assertIn("When can you come?", page)
        self.assertEqual(anon.request("POST", links[
            "sam.okafor@napo.example"], {"o1": "no", "o2": "yes",
                                         "o3": "if_need_be"})[0], 200)
        self.assertEqual(anon.request("POST", links[
            "priya.shah@napo.example"], {"o1": "yes", "o2": "yes"})[0], 200)
        st, r, page = anon.request("POST", links["priya.shah@napo.example"],
                                   {"o1": "perhaps"})
        self.assertEqual(st, 400)
        st, r = self.api("GET", "/api/v1/polls/%d" % poll["id"])
        self.assertEqual([(o["yes"], o["if_need_be"], o["no"])
                          for o in r["options"]][:3],
                         [(1, 0, 1), (2, 0, 0), (0, 1, 0)])
        st, r, page = web.request("GET", "/polls/%d" % poll["id"])
        self.assertIn("2 yes, 0 if need be, 0 no", page)
        # confirmed: the meeting is made and everyone invited
        st, r, page = web.request("POST", "/polls/%d/confirm" % poll["id"],
                                  {"csrf": web.csrf(page), "option": "2"})
        self.assertEqual(st, 303, page[:300])
        st, r = self.api("GET", "/api/v1/polls/%d" % poll["id"])
        self.assertFalse(r["open"])
        st, ev = self.api("GET", "/api/v1/events/%d" % r["event"])
        self.assertEqual((ev["title"], ev["start"]),
                         ("Reps' planning", poll["options"][1]["start"]))
        invites = [m for m in self.mails(4)[2:]
                   if m["Subject"] == "Invitation: Reps' planning"]
        self.assertEqual(len(invites), 2)
        # closed: no more answers, no second meeting
        st, r, page = anon.request("POST", links["sam.okafor@napo.example"],
                                   {"o1": "yes"})
        self.assertEqual(st, 409)
        st, r = self.api("POST", "/api/v1/polls/%d/confirm" % poll["id"],
                         {"option": 1})
        self.assertEqual(st, 409)

    def test_reminders(self):
        def utc(seconds):
            return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(
                time.time() + seconds))
        # tomorrow, in a room; in 50 minutes, online
        st, a = self.api("POST", "/api/v1/events", {
            "title": "Room meeting", "kind": "other", "audiences": ["reps"],
            "tz": "UTC", "start": utc(20 * 3600), "end": utc(21 * 3600)})
        st, b = self.api("POST", "/api/v1/events", {
            "title": "Online catch-up", "kind": "other", "audiences":
            ["reps"], "tz": "UTC", "start": utc(50 * 60), "end":
            utc(80 * 60), "url": "https://meet.example/x"})
        for ev in (a, b):
            for member in (3, 4, 5):
                st, _, d = self.q.http(
                    "PUT", "/api/v1/events/%d/attendance/%d" % (ev["id"],
                                                              member),
                    {"rsvp": "accepted" if member != 5 else "declined"},
                    token=self.token)
                self.assertEqual(st, 200, d)
        # Priya wants none
        st, _, d = self.q.http("PATCH", "/api/v1/members/4", {
            "reminders": "none"}, token=self.token)
        self.assertEqual(st, 200, d)
        st, _, d = self.q.http("PATCH", "/api/v1/members/4", {
            "reminders": "tomorrow"}, token=self.token)
        self.assertEqual(st, 400)
        # Sam: one for each meeting (the day-before and the hour-before
        # of the online one fall due together: one mail); nobody else
        # (the server queues them too, each interval: whoever is first,
        # each goes once)
        self.q.out("remind")
        self.assertEqual(self.q.out("remind"), "0 reminders queued")
        got = self.mails(2)
        time.sleep(2.5)             # the server's worker ran again
        self.assertEqual(len(self.mails(2)), 2)
        self.assertEqual(sorted(m["Subject"].split(",")[0] for m in got),
                         ["Reminder: Online catch-up",
                          "Reminder: Room meeting"])
        for m in got:
            self.assertEqual(m["To"].addresses[0].addr_spec,
                             "sam.okafor@napo.example")
            text, part, cal = self.calendar(m)
            self.assertEqual(str(cal["METHOD"]), "PUBLISH")
            self.assertIn("A reminder: you are going to", text)
        online = [m for m in got if "Online" in m["Subject"]][0]
        self.assertIn("Online: https://meet.example/x",
                      self.calendar(online)[0])

    def test_an_alert_in_the_members_own_feed(self):
        token = self.q.out("token", "issue", "--member", "4", "--scope",
                           "feed").split()[-1]

        def alarms(path):
            st, h, body = self.q.http("GET", path)
            self.assertEqual(st, 200)
            cal = icalendar.Calendar.from_ical(body)
            return [str(a["TRIGGER"].to_ical().decode())
                    for e in cal.walk("VEVENT") for a in e.walk("VALARM")]
        self.assertEqual(alarms("/feeds/me.ics?token=" + token), [])
        web = Browser.signed_in(self.q, 4)
        st, r, page = web.request("GET", "/me")
        self.assertIn('<select id="f-alarm" name="alarm"', page)
        st, r, page = web.request("POST", "/me/alarm", {
            "csrf": web.csrf(page), "alarm": "PT30M"})
        self.assertEqual(st, 303)
        got = alarms("/feeds/me.ics?token=" + token)
        self.assertGreater(len(got), 3)
        self.assertEqual(set(got), {"-PT30M"})
        self.assertEqual(alarms("/feeds/all-members.ics"), [])
        st, r, page = web.request("GET", "/me")
        self.assertIn('<option value="PT30M" selected>', page)
        st, r, page = web.request("POST", "/me/alarm", {
            "csrf": web.csrf(page), "alarm": "soon"})
        self.assertEqual(st, 400)
        self.assertEqual(set(alarms("/feeds/me.ics?token=" + token)),
                         {"-PT30M"})
        st, r, page = web.request("POST", "/me/alarm", {
            "csrf": web.csrf(page), "alarm": ""})
        self.assertEqual(st, 303)
        self.assertEqual(alarms("/feeds/me.ics?token=" + token), [])

    def test_a_freed_place_is_offered_and_passes_on(self):
        start = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() +
                                                            10 * 86400))
        end = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() +
                                                          10 * 86400 + 3600))
        st, ev = self.api("POST", "/api/v1/events", {
            "title": "Small workshop", "kind": "workshop", "audiences":
            ["reps"], "tz": "UTC", "start": start, "end": end,
            "capacity": 1})
        for member in (3, 4, 5):
            st, _, d = self.q.http("PUT", "/api/v1/events/%d/attendance/%d"
                                   % (ev["id"], member), {"rsvp":
                                                           "accepted"},
                                   token=self.token)
        # Sam gives up his place: offered to Priya, first in line
        st, _, d = self.q.http("PUT", "/api/v1/events/%d/attendance/3" %
                               ev["id"], {"rsvp": "declined"},
                               token=self.token)
        self.assertEqual(st, 200)
        got = self.mails(1)
        self.assertEqual((got[0]["To"].addresses[0].addr_spec,
                          got[0]["Subject"]),
                         ("priya.shah@napo.example",
                          "A place is yours: Small workshop"))
        link = re.search(r"https?://[^/]+(/offers/\S+)",
                         got[0].get_content()).group(1)
        web = Browser(self.q.base)
        st, r, page = web.request("GET", link)
        self.assertEqual(st, 200)
        self.assertIn("held for you until", page)
        # 48 hours on, not taken: it passes to Joe; Priya waits at the back
        later = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(
            time.time() + 49 * 3600))
        out = self.q.out("remind", "--now", later)
        self.assertIn("1 offers of a place ran out and passed on", out)
        got = self.mails(2)
        self.assertEqual(got[1]["To"].addresses[0].addr_spec,
                         "joe.marsh@napo.example")
        joe = re.search(r"https?://[^/]+(/offers/\S+)",
                        got[1].get_content()).group(1)
        st, r, page = web.request("POST", link, {"take": "1"})
        self.assertNotEqual(st, 200)                # Priya's has passed
        st, r, page = web.request("POST", joe, {"take": "1"})
        self.assertEqual(st, 200, page[:300])
        self.assertIn("The place is yours", page)
        st, r = self.api("GET", "/api/v1/events/%d/attendance" % ev["id"])
        by = {x["member"]: x for x in r["items"]}
        self.assertFalse(by[5]["waitlisted"])
        self.assertEqual((by[4]["waitlisted"], by[4]["waiting_position"]),
                         (True, 1))
        self.assertNotIn("offered_until", by[4])

    def outbox(self, status=None):
        args = ["outbox", "list", "--json"] + (["--status", status]
                                               if status else [])
        return json.loads(self.q.out(*args))["items"]

    def test_mail_server_down_then_up(self):
        self.sink.stop()
        st, ev = self.api("POST", "/api/v1/events", {
            "title": "While the mail was down", "kind": "other",
            "audiences": ["reps"], "start": "2027-09-01T10:00",
            "end": "2027-09-01T11:00"})
        st, r = self.api("POST", "/api/v1/events/%d/invitations" % ev["id"],
                         {"members": [3, 4, 5]})
        self.assertEqual(r["queued"], 3)
        end = time.monotonic() + 20
        while time.monotonic() < end and not all(
                m["attempts"] >= 1 for m in self.outbox()):
            time.sleep(0.2)
        self.assertTrue(all(m["attempts"] >= 1 and m["status"] == "queued"
                            and m["last_error"] for m in self.outbox()))
        # the server comes back: each invitation delivered once
        self.sink.start()
        self.q.cli("outbox", "retry", *[str(m["id"]) for m in
                                        self.outbox()])
        got = self.mails(3)
        time.sleep(2.5)             # more runs of the sender change nothing
        got = self.mails(3)
        self.assertEqual(len(got), 3)
        self.assertEqual(len({m["Message-ID"] for m in got}), 3)
        for m in got:
            text, part, cal = self.calendar(m)
            self.assertEqual(str(cal["METHOD"]), "REQUEST")
        self.assertEqual(len(self.outbox("sent")), 3)

    def rsvp(self, event, member):
        st, r = self.api("GET", "/api/v1/events/%d/attendance" % event)
        for x in r["items"]:
            if x["member"] == member:
                return x["rsvp"]
        return None

    def reply(self, uid, who, partstat, seq):
        return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft "
                "Corporation//Outlook 16.0 MIMEDIR//EN\r\nMETHOD:REPLY\r\n"
                "BEGIN:VEVENT\r\nUID:%s\r\nSEQUENCE:%d\r\n"
                "DTSTAMP:20270101T120000Z\r\nDTSTART:20270414T173000Z\r\n"
                "ATTENDEE;PARTSTAT=%s;CN=Someone:mailto:%s\r\n"
                "ORGANIZER:mailto:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
                % (uid, seq, partstat, who.upper(), FROM))


if __name__ == "__main__":
    unittest.main(verbosity=2)
