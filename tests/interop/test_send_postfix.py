#!/usr/bin/env python3
"""mailwire-send delivering to a private Postfix instance (postfix -c DIR start, a free port on
127.0.0.1, virtual Maildirs under a temporary directory): a refused recipient (550 5.1.1 from
Postfix's virtual mailbox table) printed with its reply, two delivered copies, STARTTLS,
BDAT (--chunking), an 8-bit body (--8bitmime) and an SMTPUTF8 sender; the delivered files
checked against the message (Postfix stores LF line ends and prepends Return-Path, Delivered-To
and its Received field)."""
import os
import re

import interop
import test_send_helpers as h

a = h.args(__doc__)
if (why := h.postfix_available()):
    h.skip(why)
c = interop.Checker("mailwire-send -> Postfix")
cert, key = interop.make_cert(a.work)
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "send")

ADDED = re.compile(r"\AReturn-Path: <(?P<rp>[^>\n]*)>\nX-Original-To: (?P<orig>[^\n]+)\nDelivered-To: (?P<dt>[^\n]+)\n"
                   r"Received: from client\.test \(localhost \[127\.0\.0\.1\]\)\n"
                   r"\t(?:\(using TLS[^\n]*\n(?:\t [^\n]*\n)*\t)?by mx\.postfix\.test \(Postfix\) with (?P<proto>[A-Z0-9]+) id [0-9A-F]+"
                   r"(?:\n\tfor <(?P<for>[^>\n]+)>)?;(?:\n\t| )[^\n]+\n\Z")


def check_delivery(what, maildir, message, sender, rcpt, proto, single=True):
    files = h.maildir_files(maildir, want=1)
    if not c.eq(f"{what}: one file in {os.path.basename(maildir)}", len(files), 1):
        return
    prefix, ok = h.split_header_prefix(files[0], h.lf(message))
    if not c.true(f"{what}: the file ends with the message (LF line ends)", ok, repr(files[0][-400:])):
        return
    m = ADDED.match(prefix.decode("utf-8", "replace"))
    if c.true(f"{what}: Postfix's fields before the message", m is not None, repr(prefix)):
        c.eq(f"{what}: Return-Path, Delivered-To, protocol, for",
             (m["rp"], m["dt"], m["proto"], m["for"]), (sender, rcpt, proto, rcpt if single else None))


def clear(pf, *users):
    for u in users:
        new = os.path.join(pf.maildir(u), "new")
        if os.path.isdir(new):
            for n in os.listdir(new):
                os.remove(os.path.join(new, n))


with h.Postfix("send") as pf:
    # 1. Three recipients, one unknown: refused at RCPT, the others get the message.
    msg = open(os.path.join(DATA, "lf-dots.eml"), "rb").read()
    r = h.send(a.send, pf.port, "ann@example.org", ["bob@vmail.test", "nobody@vmail.test", "carol@vmail.test"],
               path=os.path.join(DATA, "lf-dots.eml"))
    c.eq("refused recipient: exit status", r.rc, 1)
    c.eq("refused recipient: stdout", r.out,
         "refused nobody@vmail.test: 550 5.1.1 <nobody@vmail.test>: Recipient address rejected: "
         "User unknown in virtual mailbox table\n")
    c.eq("refused recipient: stderr", r.err, "")
    check_delivery("bob", pf.maildir("bob"), msg, "ann@example.org", "bob@vmail.test", "ESMTP", False)
    check_delivery("carol", pf.maildir("carol"), msg, "ann@example.org", "carol@vmail.test", "ESMTP", False)
    clear(pf, "bob", "carol")

    # 2. BDAT (Postfix offers CHUNKING), from standard input.
    m2 = interop.message("postfix bdat")
    r = h.send(a.send, pf.port, "ann@example.org", ["bob@vmail.test"], message=m2, extra=["--chunking", "-v"])
    c.eq("BDAT: exit status", r.rc, 0)
    c.true("BDAT: the accepted line (-v)", r.out.startswith("accepted bob@vmail.test: 250 2.0.0 Ok: "), r.out)
    c.true("BDAT: BDAT LAST on the wire", "C: BDAT " in r.err and " LAST" in r.err, r.err[-600:])
    check_delivery("BDAT", pf.maildir("bob"), m2, "ann@example.org", "bob@vmail.test", "ESMTP")
    clear(pf, "bob")

    # 3. An 8-bit body with --8bitmime, and an SMTPUTF8 sender.
    m3 = ("From: Jörg <jörg@bücher.example>\r\nTo: bob@vmail.test\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
          "Message-ID: <utf8@bucher.example>\r\nDate: Tue, 1 Jul 2003 10:52:37 +0200\r\nMIME-Version: 1.0\r\n"
          "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln!\r\n").encode()
    r = h.send(a.send, pf.port, "jörg@bücher.example", ["bob@vmail.test"], message=m3, extra=["--8bitmime"])
    c.eq("8BITMIME + SMTPUTF8: exit status", (r.rc, r.out, r.err), (0, "", ""))
    check_delivery("8BITMIME + SMTPUTF8", pf.maildir("bob"), m3, "jörg@bücher.example", "bob@vmail.test", "UTF8SMTP")
    clear(pf, "bob")

with h.Postfix("tls", tls=(cert, key)) as pf:
    # 4. STARTTLS.
    m4 = interop.message("postfix starttls")
    r = h.send(a.send, pf.port, "ann@example.org", ["carol@vmail.test"], message=m4, extra=["--starttls"])
    c.eq("STARTTLS: exit status and stdout", (r.rc, r.out), (0, ""))
    c.true("STARTTLS: the subject on stderr", r.err.endswith("peer certificate subject: /CN=localhost\n"), repr(r.err))
    check_delivery("STARTTLS", pf.maildir("carol"), m4, "ann@example.org", "carol@vmail.test", "ESMTPS")

c.finish()
