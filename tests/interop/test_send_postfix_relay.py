#!/usr/bin/env python3
"""Postfix relaying to mailwire-smtpd: a private Postfix instance with
relayhost = [127.0.0.1]:PORT of a mailwire-smtpd; messages submitted to Postfix by
mailwire-send (one with two recipients, one with a 200 KB body of dot lines) arrive in
mailwire-smtpd's Maildir with the Return-Path Postfix gave, Postfix's Received field, and the
message byte for byte (CRLF line ends, as Postfix's SMTP client sends it)."""
import os
import random
import re

import interop
import test_send_helpers as h

a = h.args(__doc__)
if (why := h.postfix_available()):
    h.skip(why)
c = interop.Checker("Postfix relay -> mailwire-smtpd")

POSTFIX_RECEIVED = re.compile(rb"\AReceived: from client\.test \(localhost \[127\.0\.0\.1\]\)\r\n"
                              rb"\tby mx\.postfix\.test \(Postfix\) with ESMTP id [0-9A-F]+"
                              rb"(?:\r\n\tfor <(?P<for>[^>\r\n]+)>)?;(?:\r\n\t| )[^\r\n]+\r\n")


def big_message():
    rnd = random.Random(5)
    lines = ["From: Ann <ann@example.org>", "To: dave@remote.test", "Subject: relay big",
             "Message-ID: <relay-big@example.org>", "Date: Tue, 1 Jul 2003 10:52:37 +0200", ""]
    size = 0
    while size < 200_000:
        n = rnd.randrange(0, 120)
        line = "".join(rnd.choice("abc .xyz") for _ in range(n))
        if rnd.random() < 0.1:
            line = "." + line
        lines.append(line)
        size += len(line) + 2
    return ("\r\n".join(lines) + "\r\n").encode()


with interop.Smtpd(a.bin, a.work, "relay-target") as sd:
    with h.Postfix("relay", relayhost=f"[127.0.0.1]:{sd.port}") as pf:
        m1 = interop.message("relayed through postfix")
        r = h.send(a.send, pf.port, "ann@example.org", ["dave@remote.test", "erin@remote.test"], message=m1)
        c.eq("submit 1: exit status, stdout, stderr", (r.rc, r.out, r.err), (0, "", ""))
        m2 = big_message()
        r = h.send(a.send, pf.port, "ann@example.org", ["dave@remote.test"], message=m2)
        c.eq("submit 2: exit status, stdout, stderr", (r.rc, r.out, r.err), (0, "", ""))
        got = sd.messages(wait_for=2, timeout=60)
        if not c.eq("two deliveries in mailwire-smtpd's Maildir", len(got), 2):
            print(pf.logtext()[-3000:])
        seen = {}
        for data in got:
            try:
                rp, helo, proto, for_rcpt, rest = interop.split_trace(data)
            except AssertionError as e:
                c.true("mailwire-smtpd's trace fields", False, str(e))
                continue
            c.eq("Return-Path", rp, "<ann@example.org>")
            c.eq("mailwire-smtpd's Received: from Postfix", (helo, proto), ("mx.postfix.test ([127.0.0.1])", "ESMTP"))
            m = POSTFIX_RECEIVED.match(rest)
            if not c.true("Postfix's Received field first", m is not None, repr(rest[:300])):
                continue
            body = rest[m.end():]
            subject = re.search(rb"Subject: ([^\r\n]*)", body)
            seen[subject.group(1) if subject else b"?"] = (for_rcpt, m["for"], body)
        c.eq("subjects", sorted(seen), [b"relay big", b"relayed through postfix"])
        if b"relayed through postfix" in seen:
            c.eq("message 1: recipients and bytes", seen[b"relayed through postfix"], (None, None, m1))
        if b"relay big" in seen:
            f, pfor, body = seen[b"relay big"]
            c.eq("message 2: recipients", (f, pfor), ("<dave@remote.test>", b"dave@remote.test"))
            c.eq("message 2: bytes (200 KB with dot lines)", body, m2)

c.finish()
