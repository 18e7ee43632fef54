#!/usr/bin/env python3
"""mailwire-fetch --protocol pop3 against mailwire-pop3d and against Dovecot's POP3 server
(dovecot-pop3d, a private instance configured in a temporary directory): every message fetched
byte for byte as the server sends it, plain, STLS (--starttls) and implicit TLS (--tls, --ca
verified), --delete applied at QUIT, the count on standard output, wrong passwords and a
server without STLS refused with exit 1."""
import glob
import os

import dovecot
import interop
import pop3

a = interop.args(__doc__, fetch=True)
c = interop.Checker("fetch pop3")


def fetch(port, user, password, out, *extra, expect=0):
    return interop.run_fetch(c, a.fetch, "pop3", port, user, password, out, *extra, expect=expect)[0]


def fetched(out):
    return interop.fetched(c, out)


ann = pop3.USERS["ann"]
with pop3.Pop3d(a.bin, a.work, "pop3d", tls=True, implicit_tls=True) as s:
    want = [pop3.wire(m) for _, m in s.messages_in]
    cert, _ = interop.make_cert(a.work)
    out = os.path.join(s.dir, "plain")
    c.eq("plain: prints the count", fetch(s.port, "ann", ann, out), str(len(want)))
    c.eq("plain: bytes", fetched(out), want)
    out = os.path.join(s.dir, "stls")
    c.eq("STLS: count", fetch(s.port, "ann", ann, out, "--starttls", "--ca", cert), str(len(want)))
    c.eq("STLS: bytes", fetched(out), want)
    c.true("STLS happened", "TLS started (STLS)" in s.logtext())
    out = os.path.join(s.dir, "tls")
    c.eq("implicit TLS: count", fetch(s.tls_port, "ann", ann, out, "--tls", "--ca", cert), str(len(want)))
    c.eq("implicit TLS: bytes", fetched(out), want)
    c.eq("nothing deleted without --delete", len(pop3.remaining(s.maildir)), len(want))
    c.eq("wrong password: prints 0", fetch(s.port, "ann", "nope", os.path.join(s.dir, "bad"), expect=1), "0")
    out = os.path.join(s.dir, "delete")
    c.eq("--delete: count", fetch(s.port, "bob", pop3.USERS["bob"], out, "--delete"), str(len(want)))
    c.eq("--delete: bytes", fetched(out), want)
    c.eq("--delete: the maildrop is empty", pop3.remaining(s.maildir), [])
    c.eq("empty maildrop: 0", fetch(s.port, "ann", ann, os.path.join(s.dir, "empty")), "0")

with pop3.Pop3d(a.bin, a.work, "pop3d-notls") as s:
    c.eq("--starttls without STLS offered: exit 1, 0 fetched",
         fetch(s.port, "ann", ann, os.path.join(s.dir, "x"), "--starttls", expect=1), "0")

why = dovecot.available(("pop3",))
if why:
    print(f"Dovecot part skipped: {why}")
else:
    cert, key = interop.make_cert(a.work)
    # Dovecot sends what it stores with LF turned into CRLF; a bare CR stays as it is there, so the
    # bare-CR message is left out of this comparison (mailwire-pop3d makes it a line end).
    msgs = [(n.split(":")[0], m) for i, (n, m) in enumerate(pop3.corpus()) if i != 2]
    with dovecot.Dovecot("pop3", protocols=("pop3",), tls=(cert, key)) as dv:
        dv.fill("bob", msgs)
        user, pw, port = "bob@lmtp.test", dovecot.PASSWORDS["bob"], dv.port["pop3"]
        want = [pop3.wire(m) for _, m in msgs]
        out = os.path.join(a.work, "dovecot-plain")
        c.eq("Dovecot: count", fetch(port, user, pw, out), str(len(want)))
        c.eq("Dovecot: bytes", fetched(out), want)
        out = os.path.join(a.work, "dovecot-stls")
        c.eq("Dovecot STLS: count", fetch(port, user, pw, out, "--starttls", "-v"), str(len(want)))
        c.eq("Dovecot STLS: bytes", fetched(out), want)
        c.eq("Dovecot: wrong password", fetch(port, user, "nope", os.path.join(a.work, "dv-bad"), expect=1), "0")
        out = os.path.join(a.work, "dovecot-delete")
        c.eq("Dovecot --delete: count", fetch(port, user, pw, out, "--delete"), str(len(want)))
        c.eq("Dovecot --delete: bytes", fetched(out), want)
        left = glob.glob(os.path.join(dv.maildir("bob"), "new", "*")) + glob.glob(os.path.join(dv.maildir("bob"), "cur", "*"))
        c.eq("Dovecot --delete: removed at QUIT", left, [])

c.finish()
