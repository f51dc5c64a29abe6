#!/usr/bin/python3
"""A real SMTP server for the tests (python3-aiosmtpd): every message
it accepts goes to a Maildir.  While the file STALL exists it holds
each message at RCPT, as a mail server that hangs would, so that a test
can kill the sender in the middle of sending.
Run: smtp_sink.py PORT MAILDIR STALL   (prints "ready" when listening)"""
import asyncio
import mailbox
import os
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, maildir, stall):
        self.box = mailbox.Maildir(maildir, create=True)
        self.stall = stall

    async def handle_RCPT(self, server, session, envelope, address, options):
        while os.path.exists(self.stall):
            await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.box.add(envelope.content)
        return "250 Message accepted for delivery"


def main():
    port, maildir, stall = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    c = Controller(Sink(maildir, stall), hostname="127.0.0.1", port=port)
    c.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        c.stop()


if __name__ == "__main__":
    main()
