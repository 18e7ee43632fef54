#!/usr/bin/env python3
"""mailwire-fetch --protocol imap (the library's imap::client_session) against Dovecot's IMAP
server (dovecot-imapd, a private instance configured in a temporary directory) and against
mailwire-imapd (--bin, when built): every message fetched byte for byte as the server sends it
(line ends as CRLF, a 3 MB message streamed), plain and STARTTLS (--ca verified), --mailbox with
a UTF-8 name (sent in modified UTF-7), --delete removing exactly the fetched messages (UID STORE
+ UID EXPUNGE), the count on standard output, a wrong password, a missing mailbox and a server
without STARTTLS refused with exit 1."""
import imaplib
import os
import re

import dovecot
import interop
import pop3

a = interop.args(__doc__, fetch=True)
c = interop.Checker("fetch imap")


def imap_wire(data):
    """The message as an IMAP server on Maildir sends it: line ends as CRLF (RFC 9051 section 4.3
    needs CRLF in literals' text); nothing added at the end."""
    return re.sub(rb"\r\n|\n", b"\r\n", data)


LAST_STDERR = [""]


def fetch(port, user, password, out, *extra, expect=0):
    got, LAST_STDERR[0] = interop.run_fetch(c, a.fetch, "imap", port, user, password, out, *extra, expect=expect)
    return got


def fetched(out):
    return interop.fetched(c, out)


# The POP3 corpus without its bare-CR message (what a server makes of a bare CR is its choice).
MESSAGES = [(n, m) for i, (n, m) in enumerate(pop3.corpus()) if i != 2]
WANT = [imap_wire(m) for _, m in MESSAGES]
FOLDER = "Entw\u00fcrfe"  # "Entw&APw-rfe" in modified UTF-7
FOLDER_MSG = b"From: draft@example.org\r\nSubject: in a folder\r\n\r\nfolder body\r\n"


def add_folder(port, user, password):
    """CREATE the UTF-8-named folder and APPEND one message to it, with Python's imaplib."""
    m = imaplib.IMAP4("127.0.0.1", port)
    m.login(user, password)
    typ, _ = m.create('"Entw&APw-rfe"')
    c.eq("imaplib CREATE Entw&APw-rfe", typ, "OK")
    typ, _ = m.append('"Entw&APw-rfe"', None, None, FOLDER_MSG)
    c.eq("imaplib APPEND to Entw&APw-rfe", typ, "OK")
    m.logout()


def remaining(port, user, password):
    m = imaplib.IMAP4("127.0.0.1", port)
    m.login(user, password)
    typ, data = m.select("INBOX")
    n = int(data[0])
    m.logout()
    return n


def run_all(name, port, user, password, cert):
    out = os.path.join(a.work, f"{name}-plain")
    c.eq(f"{name}: prints the count", fetch(port, user, password, out), str(len(WANT)))
    c.eq(f"{name}: bytes", fetched(out), WANT)
    out = os.path.join(a.work, f"{name}-starttls")
    c.eq(f"{name} STARTTLS: count", fetch(port, user, password, out, "--starttls", "--ca", cert, "-v"), str(len(WANT)))
    c.eq(f"{name} STARTTLS: bytes", fetched(out), WANT)
    c.true(f"{name} STARTTLS: the handshake happened before LOGIN",
           re.search(r"C: \S+ STARTTLS\n(.*\n)*mailwire-fetch: TLS: TLSv1\.[23] (.*\n)*mailwire-fetch: C: \S+ LOGIN\.\.\.",
                     LAST_STDERR[0]) is not None, LAST_STDERR[0][-1500:])
    c.eq(f"{name}: nothing deleted without --delete", remaining(port, user, password), len(WANT))
    c.eq(f"{name}: wrong password prints 0", fetch(port, user, "nope", os.path.join(a.work, f"{name}-bad"), expect=1), "0")
    c.eq(f"{name}: a missing mailbox prints 0",
         fetch(port, user, password, os.path.join(a.work, f"{name}-nobox"), "--mailbox", "Nope", expect=1), "0")
    add_folder(port, user, password)
    out = os.path.join(a.work, f"{name}-folder")
    c.eq(f"{name} --mailbox {FOLDER}: count", fetch(port, user, password, out, "--mailbox", FOLDER), "1")
    c.eq(f"{name} --mailbox {FOLDER}: bytes", fetched(out), [FOLDER_MSG])
    out = os.path.join(a.work, f"{name}-delete")
    c.eq(f"{name} --delete: count", fetch(port, user, password, out, "--delete"), str(len(WANT)))
    c.eq(f"{name} --delete: bytes", fetched(out), WANT)
    c.eq(f"{name} --delete: INBOX is empty", remaining(port, user, password), 0)
    c.eq(f"{name}: empty INBOX prints 0", fetch(port, user, password, os.path.join(a.work, f"{name}-empty")), "0")


cert, key = interop.make_cert(a.work)
why = dovecot.available(("imap",))
if why:
    print(f"Dovecot part skipped: {why}")
else:
    with dovecot.Dovecot("imap", protocols=("imap",), tls=(cert, key)) as dv:
        dv.fill("bob", MESSAGES)
        run_all("Dovecot", dv.port["imap"], "bob@lmtp.test", dovecot.PASSWORDS["bob"], cert)
    with dovecot.Dovecot("imap-notls", protocols=("imap",)) as dv:
        c.eq("Dovecot without STARTTLS offered: --starttls exits 1, 0 fetched",
             fetch(dv.port["imap"], "bob@lmtp.test", dovecot.PASSWORDS["bob"], os.path.join(a.work, "dv-notls"),
                   "--starttls", expect=1), "0")

if os.path.basename(a.bin) == "mailwire-imapd" and os.path.exists(a.bin):
    with interop.Smtpd(a.bin, a.work, "imapd", tls=True, users=pop3.USERS) as s:
        pop3.fill(s.maildir, MESSAGES)
        run_all("mailwire-imapd", s.port, "ann", pop3.USERS["ann"], cert)
    with interop.Smtpd(a.bin, a.work, "imapd-notls", users=pop3.USERS) as s:
        c.eq("mailwire-imapd without TLS: --starttls exits 1, 0 fetched",
             fetch(s.port, "ann", pop3.USERS["ann"], os.path.join(a.work, "mw-notls"), "--starttls", expect=1), "0")
else:
    print(f"mailwire-imapd part skipped: --bin {a.bin} is not mailwire-imapd")

c.finish()
