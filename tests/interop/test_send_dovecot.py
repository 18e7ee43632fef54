#!/usr/bin/env python3
"""mailwire-send --lmtp delivering to Dovecot's LMTP server (dovecot-lmtpd) run privately from a
temporary configuration (dovecot -c FILE, an LMTP inet listener on a free 127.0.0.1 port,
passwd-file users bob@ and carol@lmtp.test, Maildirs under the temporary directory): an unknown
recipient refused at RCPT and printed with Dovecot's reply, one "accepted" line per recipient
with -v (LMTP's per-recipient replies), BDAT (--chunking) of a 300 KB message, and the stored
files checked against the message (Dovecot stores LF line ends and prepends Return-Path and
Received)."""
import os
import random
import re

import interop
import test_send_helpers as h

a = h.args(__doc__)
if (why := h.dovecot_available()):
    h.skip(why)
c = interop.Checker("mailwire-send --lmtp -> Dovecot LMTP")
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "send")

ADDED = re.compile(r"\AReturn-Path: <(?P<rp>[^>\n]*)>\n(?:Delivered-To: (?P<dt>[^\n]+)\n)?"
                   r"Received: from client\.test \(\[127\.0\.0\.1\]\)\n\tby lmtp\.dovecot\.test with LMTP\n"
                   r"\tid [^\n]+\n\t(?:[^\n]*\n\t)*\(envelope-from <(?P<env>[^>\n]*)>\)(?:\n\tfor <(?P<for>[^>\n]+)>)?; [^\n]+\n\Z")


def check(what, maildir, message, sender, want=1):
    files = h.maildir_files(maildir, want=want)
    if not c.eq(f"{what}: files in {maildir.split(os.sep)[-2]}'s Maildir", len(files), want):
        return
    mine = [f for f in files if f.endswith(h.lf(message))]
    if not c.eq(f"{what}: one file ends with the message (LF line ends)", len(mine), 1):
        return
    prefix, _ = h.split_header_prefix(mine[0], h.lf(message))
    m = ADDED.match(prefix.decode("utf-8", "replace"))
    if c.true(f"{what}: Dovecot's fields before the message", m is not None, repr(prefix)):
        c.eq(f"{what}: Return-Path and envelope-from", (m["rp"], m["env"]), (sender, sender))


def big_message():
    rnd = random.Random(7)
    lines = ["From: Ann <ann@example.org>", "To: bob@lmtp.test", "Subject: lmtp bdat big",
             "Message-ID: <lmtp-big@example.org>", "Date: Tue, 1 Jul 2003 10:52:37 +0200", ""]
    size = 0
    while size < 300_000:
        line = "".join(rnd.choice("abc .xyz") for _ in range(rnd.randrange(0, 150)))
        lines.append(("." + line) if rnd.random() < 0.1 else line)
        size += len(line) + 2
    return ("\n".join(lines) + "\n").encode()  # LF line ends: mailwire-send makes them CRLF


with h.Dovecot("lmtp") as dv:
    # 1. Three recipients, one unknown.
    msg = open(os.path.join(DATA, "lf-dots.eml"), "rb").read()
    r = h.send(a.send, dv.port["lmtp"], "ann@example.org", ["bob@lmtp.test", "nobody@lmtp.test", "carol@lmtp.test"],
               path=os.path.join(DATA, "lf-dots.eml"), extra=["--lmtp", "-v"])
    c.eq("refused recipient: exit status", r.rc, 1)
    lines = r.out.splitlines()
    c.eq("refused recipient: three result lines", len(lines), 3)
    if len(lines) == 3:
        c.true("bob accepted by its own reply",
               re.fullmatch(r"accepted bob@lmtp\.test: 250 2\.0\.0 <bob@lmtp\.test> \S+ Saved", lines[0]), lines[0])
        c.eq("nobody refused with Dovecot's reply", lines[1],
             "refused nobody@lmtp.test: 550 5.1.1 <nobody@lmtp.test> User doesn't exist: nobody@lmtp.test")
        c.true("carol accepted by its own reply",
               re.fullmatch(r"accepted carol@lmtp\.test: 250 2\.0\.0 <carol@lmtp\.test> \S+ Saved", lines[2]), lines[2])
    c.true("LHLO on the wire", "C: LHLO client.test\n" in r.err, r.err[:300])
    check("bob", dv.maildir("bob"), msg, "ann@example.org")
    check("carol", dv.maildir("carol"), msg, "ann@example.org")

    # 2. Every recipient known, from standard input: exit 0, nothing printed.
    m2 = interop.message("lmtp all accepted")
    r = h.send(a.send, dv.port["lmtp"], "ann@example.org", ["bob@lmtp.test", "carol@lmtp.test"], message=m2, extra=["--lmtp"])
    c.eq("all accepted: exit status, stdout, stderr", (r.rc, r.out, r.err), (0, "", ""))
    check("all accepted: bob", dv.maildir("bob"), m2, "ann@example.org", want=2)

    # 3. BDAT (Dovecot offers CHUNKING): a 300 KB message in 64 KiB chunks.
    m3 = big_message()
    r = h.send(a.send, dv.port["lmtp"], "<>", ["bob@lmtp.test"], message=m3, extra=["--lmtp", "--chunking", "-v"])
    c.eq("BDAT: exit status", r.rc, 0)
    c.true("BDAT: several chunks, the last with LAST",
           r.err.count("C: BDAT ") >= 5 and re.search(r"C: BDAT \d+ LAST\n", r.err) is not None, r.err[-500:])
    check("BDAT", dv.maildir("bob"), m3, "", want=3)

    # 4. SMTP instead of LMTP to an LMTP server: EHLO is refused, nothing sent.
    r = h.send(a.send, dv.port["lmtp"], "ann@example.org", ["bob@lmtp.test"], message=m2)
    c.eq("EHLO to LMTP: exit status", r.rc, 1)
    c.true("EHLO to LMTP: the refusal on stderr", r.err.startswith("mailwire-send: EHLO refused: 5"), r.err)

c.finish()
