#!/usr/bin/env python3
"""Attacks on mailwire-smtpd from raw sockets (issue 5 section 4), each with the exact replies
and exactly the expected deliveries (count and bytes of the Maildir files):
SMTP smuggling variants, plaintext injection after STARTTLS, pipelined commands right after the
end of DATA, a 1 MB command line, 10,000 recipients; and BDAT (which swaks cannot send)."""
import socket
import ssl
import time

import interop

a = interop.args(__doc__)
c = interop.Checker("attacks")

GREETING = "220 mx.test ESMTP"
EHLO_LAST = "250 LIMITS RCPTMAX=100"
EHLO_TLS_LAST = "250 LIMITS RCPTMAX=100"
MAIL_OK, RCPT_OK, GO_AHEAD = "250 2.1.0 OK", "250 2.1.5 OK", "354 Start mail input; end with <CRLF>.<CRLF>"
MSG_OK, BYE = "250 2.0.0 OK", "221 2.0.0 mx.test closing connection"
BARE = "550 5.6.11 Bare CR or LF in message (RFC 5321 2.3.8)"


def replies(data):
    """The last line of every reply (a multi-line reply counts once), as text."""
    out = []
    for line in data.decode("latin-1").split("\r\n"):
        if len(line) >= 4 and line[3] == "-":
            continue
        if line:
            out.append(line)
    return out


def read_reply(f):
    """One reply from a file object: its last line."""
    while True:
        line = f.readline()
        if not line:
            return None
        if len(line) < 4 or line[3:4] != b"-":
            return line.rstrip(b"\r\n").decode("latin-1")


ENVELOPE = b"EHLO client.test\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@foo.example>\r\nDATA\r\n"

# ---- SMTP smuggling -------------------------------------------------------------------------
with interop.Smtpd(a.bin, a.work, "smuggling") as s:
    fakes = [b"\n.\n", b"\n.\r\n", b"\r.\r\n", b"\r\n.\r", b"\r\n.\n"]
    for fake in fakes:
        inject = b"MAIL FROM:<evil@a.example>\r\nRCPT TO:<victim@foo.example>\r\nDATA\r\nsmuggled\r\n.\r\n"
        got = interop.exchange(s.port, ENVELOPE + b"first" + fake + inject + b"QUIT\r\n")
        c.eq(f"smuggling {fake!r}: replies", replies(got),
             [GREETING, EHLO_LAST, MAIL_OK, RCPT_OK, GO_AHEAD, BARE, BYE])
    c.delivered("smuggling with bare CR/LF: nothing delivered", s, [])

with interop.Smtpd(a.bin, a.work, "smuggling-nul") as s:
    # NUL before (or after) the dot: the line is not "." alone, so it is data; the message is
    # delivered once, with the would-be commands inside it, and nothing else is.
    inject = b"MAIL FROM:<evil@a.example>\r\nRCPT TO:<victim@foo.example>\r\nDATA\r\nsmuggled\r\n"
    want = []
    for fake, stored in [(b"\r\n\0.\r\n", b"\r\n\0.\r\n"), (b"\r\n.\0\r\n", b"\r\n\0\r\n")]:
        got = interop.exchange(s.port, ENVELOPE + b"first" + fake + inject + b".\r\nQUIT\r\n")
        c.eq(f"smuggling {fake!r}: replies", replies(got),
             [GREETING, EHLO_LAST, MAIL_OK, RCPT_OK, GO_AHEAD, MSG_OK, BYE])
        want.append(b"first" + stored + inject)  # ".\0" is a dot-stuffed line: the dot goes
    c.delivered("smuggling with NUL: one message each, commands inside", s, want,
                sender="<a@a.example>", rcpt="<b@foo.example>")

# ---- plaintext injection after STARTTLS (CVE-2011-0411) -------------------------------------
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with interop.Smtpd(a.bin, a.work, "starttls-injection", tls=True) as s:
    inject = b"MAIL FROM:<evil@a.example>\r\nRCPT TO:<victim@foo.example>\r\nDATA\r\nevil\r\n.\r\n"
    # 1. In the same packet as STARTTLS: never executed; 220, then the connection is closed.
    got = interop.exchange(s.port, b"EHLO client.test\r\nSTARTTLS\r\n" + inject)
    c.eq("injection in the STARTTLS packet: replies, then closed", replies(got),
         [GREETING, EHLO_LAST, "220 2.0.0 Ready to start TLS"])
    # 2. In a later packet, before the handshake: it is read as the handshake, which fails.
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    f = sock.makefile("rb")
    read_reply(f)
    sock.sendall(b"EHLO client.test\r\n")
    read_reply(f)
    sock.sendall(b"STARTTLS\r\n")
    c.eq("injection after the 220: STARTTLS reply", read_reply(f), "220 2.0.0 Ready to start TLS")
    sock.sendall(inject)
    c.eq("injection after the 220: closed with no reply", f.read(), b"")
    sock.close()
    # 3. Control: the same after a real handshake is one delivery, and the session restarted
    #    (a command before the new EHLO is refused).
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    f = sock.makefile("rb")
    read_reply(f)
    sock.sendall(b"EHLO client.test\r\nSTARTTLS\r\n")
    read_reply(f)
    c.eq("control: STARTTLS", read_reply(f), "220 2.0.0 Ready to start TLS")
    tls = ctx.wrap_socket(sock, server_hostname="localhost")
    tf = tls.makefile("rb")
    tls.sendall(b"MAIL FROM:<a@a.example>\r\n")
    c.eq("control: MAIL before the new EHLO", read_reply(tf), "503 5.5.1 Bad sequence of commands")
    tls.sendall(b"EHLO client.test\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@foo.example>\r\nDATA\r\n")
    c.eq("control: replies", [read_reply(tf) for _ in range(4)], [EHLO_TLS_LAST, MAIL_OK, RCPT_OK, GO_AHEAD])
    tls.sendall(b"over TLS\r\n.\r\nQUIT\r\n")
    c.eq("control: end", [read_reply(tf) for _ in range(2)], [MSG_OK, BYE])
    tls.close()
    c.delivered("STARTTLS injection: only the control message", s, [b"over TLS\r\n"], protocol="ESMTPS")

# ---- pipelined commands right after the end of DATA ------------------------------------------
with interop.Smtpd(a.bin, a.work, "pipelining") as s:
    second = b"MAIL FROM:<c@c.example>\r\nRCPT TO:<d@d.example>\r\nRCPT TO:<e@e.example>\r\nDATA\r\n"
    # 1. As RFC 2920 allows: the rest of the next transaction in the packet that ends the data.
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    f = sock.makefile("rb")
    read_reply(f)
    sock.sendall(ENVELOPE)
    c.eq("pipelined: first group", [read_reply(f) for _ in range(4)], [EHLO_LAST, MAIL_OK, RCPT_OK, GO_AHEAD])
    sock.sendall(b"one\r\n.\r\n" + second)
    c.eq("pipelined: end of data + next group", [read_reply(f) for _ in range(5)],
         [MSG_OK, MAIL_OK, RCPT_OK, RCPT_OK, GO_AHEAD])
    sock.sendall(b"two\r\n..\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n")
    c.eq("pipelined: end", [read_reply(f) for _ in range(4)], [MSG_OK, "250 2.0.0 OK", "250 2.0.0 OK", BYE])
    sock.close()
    # 2. Everything in one packet (not what a client should do, but nothing may get lost).
    got = interop.exchange(s.port, ENVELOPE + b"three\r\n.\r\n" + second + b"..\r\n.\r\nQUIT\r\n")
    c.eq("one packet: replies", replies(got),
         [GREETING, EHLO_LAST, MAIL_OK, RCPT_OK, GO_AHEAD, MSG_OK, MAIL_OK, RCPT_OK, RCPT_OK, GO_AHEAD, MSG_OK, BYE])
    c.delivered("pipelining", s, [b"one\r\n", b"two\r\n.\r\n", b"three\r\n", b".\r\n"])

# ---- a 1 MB command line, and a 1 MB line inside DATA ----------------------------------------
with interop.Smtpd(a.bin, a.work, "long-lines") as s:
    got = interop.exchange(s.port, b"EHLO client.test\r\n" + b"x" * (1 << 20) + b"\r\nNOOP\r\n"
                   b"MAIL FROM:<a@a.example>\r\nRCPT TO:<b@foo.example>\r\nDATA\r\nafter\r\n.\r\nQUIT\r\n")
    c.eq("1 MB command line: 500 5.5.2, the session goes on", replies(got),
         [GREETING, EHLO_LAST, "500 5.5.2 Line too long", "250 2.0.0 OK", MAIL_OK, RCPT_OK, GO_AHEAD, MSG_OK, BYE])
    got = interop.exchange(s.port, ENVELOPE + b"y" * (1 << 20) + b"\r\n.\r\nQUIT\r\n")
    c.eq("1 MB text line: refused after the end of data", replies(got),
         [GREETING, EHLO_LAST, MAIL_OK, RCPT_OK, GO_AHEAD, "500 5.5.2 Line too long", BYE])
    c.delivered("long lines", s, [b"after\r\n"])

# ---- 10,000 recipients --------------------------------------------------------------------
with interop.Smtpd(a.bin, a.work, "recipients") as s:
    rcpts = b"".join(b"RCPT TO:<r%d@foo.example>\r\n" % i for i in range(10000))
    got = interop.exchange(s.port, b"EHLO client.test\r\nMAIL FROM:<a@a.example>\r\n" + rcpts +
                   b"DATA\r\nto many\r\n.\r\nQUIT\r\n")
    want = [GREETING, EHLO_LAST, MAIL_OK] + [RCPT_OK] * 100 + ["452 4.5.3 Too many recipients"] * 9900 + \
           [GO_AHEAD, MSG_OK, BYE]
    r = replies(got)
    c.eq("10,000 recipients: number of replies", len(r), len(want))
    c.true("10,000 recipients: 100 accepted, 9,900 452 4.5.3, one message", r == want,
           str([(i, x) for i, (x, y) in enumerate(zip(r, want)) if x != y][:5]))
    c.delivered("10,000 recipients: one delivery", s, [b"to many\r\n"], rcpt=None)

# ---- BDAT (RFC 3030) ---------------------------------------------------------------------
with interop.Smtpd(a.bin, a.work, "bdat") as s:
    chunk = b"Subject: bdat\r\n\r\nfirst\r\n.\r\nMAIL FROM:<evil@a.example>\r\n"
    got = interop.exchange(s.port, b"EHLO client.test\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@foo.example>\r\n" +
                   b"BDAT %d\r\n" % len(chunk) + chunk + b"BDAT 6 LAST\r\n.\r\nx\r\nQUIT\r\n")
    c.eq("BDAT: replies", replies(got),
         [GREETING, EHLO_LAST, MAIL_OK, RCPT_OK, "250 2.0.0 %d octets received" % len(chunk), MSG_OK, BYE])
    c.delivered("BDAT: octets as sent, no unstuffing", s, [chunk + b".\r\nx\r\n"])

c.finish()
