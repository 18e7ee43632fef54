#!/usr/bin/env python3
"""Python's poplib against mailwire-pop3d: CAPA, USER/PASS (a password with a space), APOP,
AUTH PLAIN through poplib's command channel, STAT/LIST/UIDL/RETR/TOP of every corpus message
byte for byte (dot-started lines, LF-only, bare CR, 8-bit, 3 MB), DELE + RSET, DELE + QUIT
(removed at QUIT only), a connection dropped without QUIT (nothing removed), [IN-USE] for a
second session, STLS, implicit TLS (POP3_SSL), UTF8, and wrong passwords."""
import base64
import hashlib
import os
import poplib
import re
import ssl

import interop
import pop3

a = interop.args(__doc__)
c = interop.Checker("poplib")
U, P = "ann", pop3.USERS["ann"]


def retr_bytes(p, n):
    resp, lines, octets = p.retr(n)
    return resp, b"".join(l + b"\r\n" for l in lines), octets


def check_maildrop(p, what, msgs):
    count, size = p.stat()
    c.eq(f"{what}: STAT count", count, len(msgs))
    c.eq(f"{what}: STAT size", size, sum(len(pop3.wire(m)) for _, m in msgs))
    resp, listing, _ = p.list()
    c.eq(f"{what}: LIST", listing, [f"{i} {len(pop3.wire(m))}".encode() for i, (_, m) in enumerate(msgs, 1)])
    resp, uids, _ = p.uidl()
    c.eq(f"{what}: UIDL", uids, [f"{i} {n.split(':')[0]}".encode() for i, (n, _) in enumerate(msgs, 1)])
    c.eq(f"{what}: UIDL 2", p.uidl(2), f"+OK 2 {msgs[1][0].split(':')[0]}".encode())
    c.eq(f"{what}: LIST 1", p.list(1), f"+OK 1 {len(pop3.wire(msgs[0][1]))}".encode())
    for i, (_, m) in enumerate(msgs, 1):
        resp, got, octets = retr_bytes(p, i)
        c.eq(f"{what}: RETR {i} bytes", got, pop3.wire(m))
        c.true(f"{what}: RETR {i} response", resp.startswith(b"+OK"), repr(resp))


with pop3.Pop3d(a.bin, a.work, "plain") as s:
    msgs = s.messages_in
    p = poplib.POP3("127.0.0.1", s.port, timeout=30)
    c.true("greeting has an APOP timestamp", re.search(rb"<[^>]+@[^>]+>", p.getwelcome()) is not None,
           repr(p.getwelcome()))
    capa = p.capa()
    for cap in ("USER", "TOP", "UIDL", "PIPELINING", "RESP-CODES", "AUTH-RESP-CODE", "SASL", "UTF8"):
        c.true(f"CAPA lists {cap}", cap in capa, repr(capa))
    c.eq("CAPA SASL", capa.get("SASL"), ["PLAIN", "LOGIN"])
    c.eq("CAPA EXPIRE", capa.get("EXPIRE"), ["NEVER"])
    try:
        p.user(U)
        p.pass_("wrong")
        c.true("wrong password refused", False)
    except poplib.error_proto as e:
        c.true("wrong password: -ERR [AUTH]", str(e).startswith("b'-ERR [AUTH]"), str(e))
    p.user(U)
    c.true("PASS accepted", p.pass_(P).startswith(b"+OK"))
    check_maildrop(p, "USER/PASS", msgs)
    # TOP n: the header, the blank line, n body lines (RFC 1939 section 7).
    for i, n in ((1, 0), (1, 2), (2, 1), (5, 3), (6, 10)):
        resp, lines, _ = p.top(i, n)
        w = pop3.wire(msgs[i - 1][1])
        head, _, body = w.partition(b"\r\n\r\n")
        want = head + b"\r\n\r\n" + b"".join(l + b"\r\n" for l in body.split(b"\r\n")[:-1][:n])
        c.eq(f"TOP {i} {n}", b"".join(l + b"\r\n" for l in lines), want)
    # Message numbers: 0, past the end, huge (overflow-checked), not a number.
    for arg in ("0", "7", "4294967297", "99999999999999999999999", "x"):
        try:
            p._shortcmd("RETR " + arg)
            c.true(f"RETR {arg} refused", False)
        except poplib.error_proto as e:
            c.true(f"RETR {arg}: -ERR", str(e).startswith("b'-ERR"), str(e))
    c.true("DELE 1", p.dele(1).startswith(b"+OK"))
    try:
        p.retr(1)
        c.true("RETR of a deleted message refused", False)
    except poplib.error_proto:
        pass
    c.eq("STAT after DELE", p.stat()[0], len(msgs) - 1)
    p.rset()
    c.eq("STAT after RSET", p.stat()[0], len(msgs))
    # A second session while this one holds the maildrop: [IN-USE] (RFC 2449 section 8.1.1).
    q = poplib.POP3("127.0.0.1", s.port, timeout=30)
    q.user("bob")
    try:
        q.pass_(pop3.USERS["bob"])
        c.true("second session refused", False)
    except poplib.error_proto as e:
        c.true("second session: -ERR [IN-USE]", str(e).startswith("b'-ERR [IN-USE]"), str(e))
    q.quit()
    p.dele(2)
    p.dele(6)
    # A dropped connection is no QUIT: no UPDATE (RFC 1939 section 6).
    p.sock.close()
    c.eq("dropped connection removes nothing", len(pop3.remaining(s.maildir)), len(msgs))

    # APOP (RFC 1939 section 7): MD5 of the greeting's timestamp and the secret.
    p = poplib.POP3("127.0.0.1", s.port, timeout=30)
    c.true("APOP accepted", p.apop(U, P).startswith(b"+OK"))
    c.true("DELE 2", p.dele(2).startswith(b"+OK"))
    c.true("DELE 6", p.dele(6).startswith(b"+OK"))
    c.eq("files before QUIT", len(pop3.remaining(s.maildir)), len(msgs))
    c.true("QUIT", p.quit().startswith(b"+OK"))
    left = [n.split(":")[0] for n, _ in msgs[:1] + msgs[2:5]]
    c.eq("DELE applied at QUIT", pop3.remaining(s.maildir), sorted(left))
    msgs = msgs[:1] + msgs[2:5]

    # Wrong APOP digest; then AUTH PLAIN with an initial response (RFC 5034) by hand.
    p = poplib.POP3("127.0.0.1", s.port, timeout=30)
    try:
        p._shortcmd("APOP ann " + hashlib.md5(b"nope").hexdigest())
        c.true("wrong APOP refused", False)
    except poplib.error_proto as e:
        c.true("wrong APOP: -ERR [AUTH]", str(e).startswith("b'-ERR [AUTH]"), str(e))
    ir = base64.b64encode(b"\0bob\0" + pop3.USERS["bob"].encode()).decode()
    c.true("AUTH PLAIN", p._shortcmd("AUTH PLAIN " + ir).startswith(b"+OK"))
    check_maildrop(p, "AUTH PLAIN", msgs)
    p.quit()

    # UTF8 (RFC 6856) before login, then as usual.
    p = poplib.POP3("127.0.0.1", s.port, timeout=30)
    c.true("UTF8", p.utf8().startswith(b"+OK"))
    p.user(U)
    p.pass_(P)
    c.eq("UTF8 mode: 8-bit message as is", retr_bytes(p, 3)[1], pop3.wire(msgs[2][1]))
    p.quit()

cafile = None
with pop3.Pop3d(a.bin, a.work, "tls", tls=True, implicit_tls=True) as s:
    msgs = s.messages_in
    cafile, _ = interop.make_cert(a.work)
    ctx = ssl.create_default_context(cafile=cafile)
    p = poplib.POP3("127.0.0.1", s.port, timeout=30)
    c.true("CAPA lists STLS", "STLS" in p.capa())
    p.stls(context=ctx)
    c.true("after STLS: no STLS in CAPA", "STLS" not in p.capa())
    p.user(U)
    p.pass_(P)
    check_maildrop(p, "STLS", msgs)
    p.quit()
    p = poplib.POP3_SSL("127.0.0.1", s.tls_port, context=ctx, timeout=30)
    p.user(U)
    p.pass_(P)
    check_maildrop(p, "POP3S", msgs)
    p.quit()

c.finish()
