#!/usr/bin/env python3
"""Attacks on mailwire-pop3d from raw sockets (issue 6 section 2), each with the exact responses:
plaintext injected after STLS (same packet and a later one: the connection closes, nothing is
executed, nothing deleted), a 1 MB command line, pipelined commands mixed with multi-line
responses, RETR of a message whose lines start with dots, unknown and huge message numbers
(overflow-checked), commands before login, an HTTP request."""
import socket
import ssl
import time

import interop
import pop3

a = interop.args(__doc__)
c = interop.Checker("pop3 attacks")
P = pop3.USERS["ann"].encode()
LOGIN = b"USER ann\r\nPASS " + P + b"\r\n"


def lines(data):
    return data.decode("latin-1").split("\r\n")


def stuffed(data):
    """A message as it appears between "+OK ..." and "." CRLF on the wire."""
    w = pop3.wire(data)
    return b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in w.split(b"\r\n")[:-1])


with pop3.Pop3d(a.bin, a.work, "tls", tls=True) as s:
    msgs = s.messages_in
    n = len(msgs)
    # 1. STLS followed by plaintext in the same packet: never interpreted (RFC 2595 section 4).
    got = interop.exchange(s.port, b"STLS\r\n" + LOGIN + b"DELE 1\r\nQUIT\r\n")
    c.eq("STLS + injection (one packet): responses", lines(got)[1:],
         ["+OK Begin TLS negotiation", ""])
    c.eq("STLS + injection: nothing deleted", len(pop3.remaining(s.maildir)), n)
    # 2. The same in a later packet, before the client's TLS handshake: the handshake fails.
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    f = sock.makefile("rb")
    f.readline()
    sock.sendall(b"STLS\r\n")
    c.eq("STLS answered", f.readline(), b"+OK Begin TLS negotiation\r\n")
    time.sleep(0.2)
    sock.sendall(LOGIN + b"DELE 1\r\nQUIT\r\n")
    rest = b""
    try:
        while True:
            b = sock.recv(65536)
            if not b:
                break
            rest += b
    except (ConnectionResetError, socket.timeout):
        pass
    sock.close()
    c.true("injection in a later packet: no POP3 response", b"+OK" not in rest, repr(rest[:200]))
    c.eq("injection in a later packet: nothing deleted", len(pop3.remaining(s.maildir)), n)
    # 3. A proper STLS still works afterwards.
    ctx = ssl.create_default_context(cafile=interop.make_cert(a.work)[0])
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    f = sock.makefile("rb")
    f.readline()
    sock.sendall(b"STLS\r\n")
    f.readline()
    t = ctx.wrap_socket(sock, server_hostname="localhost")
    t.sendall(LOGIN + b"STAT\r\nQUIT\r\n")
    tf = t.makefile("rb")
    got = [tf.readline() for _ in range(4)]
    c.eq("after a real STLS: login and STAT", [g[:3] for g in got], [b"+OK"] * 4)
    t.close()

with pop3.Pop3d(a.bin, a.work, "plain") as s:
    msgs = s.messages_in
    n = len(msgs)
    # 4. A 1 MB command line: one -ERR, then the connection ends (RFC 2449: 255 octets).
    got = interop.exchange(s.port, b"USER " + b"x" * (1 << 20) + b"\r\n" + LOGIN + b"QUIT\r\n")
    resp = lines(got)
    c.eq("1 MB line: greeting + one -ERR", len(resp), 3)
    c.true("1 MB line: -ERR", resp[1].startswith("-ERR"), resp[1])
    # 5. Pipelined commands mixed with multi-line responses (RFC 2449 section 6.6), in one write.
    pipelined = LOGIN + b"LIST\r\nRETR 6\r\nSTAT\r\nUIDL 1\r\nTOP 1 0\r\nNOOP\r\nRETR 1\r\nQUIT\r\n"
    got = interop.exchange(s.port, pipelined)
    sizes = [len(pop3.wire(m)) for _, m in msgs]
    want = (b"+OK\r\n+OK maildrop locked and ready\r\n+OK\r\n" +
            b"".join(f"{i} {z}\r\n".encode() for i, z in enumerate(sizes, 1)) + b".\r\n" +
            f"+OK {sizes[5]} octets\r\n".encode() + stuffed(msgs[5][1]) + b".\r\n" +
            f"+OK {n} {sum(sizes)}\r\n".encode() + f"+OK 1 {msgs[0][0]}\r\n".encode() +
            b"+OK top of message follows\r\n" + stuffed(msgs[0][1]).split(b"\r\n\r\n")[0] + b"\r\n\r\n.\r\n" +
            b"+OK\r\n" + f"+OK {sizes[0]} octets\r\n".encode() + stuffed(msgs[0][1]) + b".\r\n" +
            b"+OK POP3 server signing off\r\n")
    c.eq("pipelined session: every response in order", got[got.index(b"\r\n") + 2:], want)
    # 6. The dot lines of message 6 on the wire (RFC 1939 section 3 byte-stuffing).
    c.eq("dot lines stuffed", stuffed(msgs[5][1]),
         b"From: dots@example.org\r\nSubject: dots\r\n\r\n..\r\n...\r\n....\r\n.. \r\n..x\r\n")
    # 7. Message numbers: 0, past the end, deleted, 2^31, 2^32+1, 30 digits, signs, not numbers.
    bad = [b"RETR 0", b"RETR 7", b"LIST 2147483648", b"TOP 4294967297 1", b"DELE 999999999999999999999999999999",
           b"RETR -1", b"RETR +1", b"RETR 1x", b"TOP 1 -1", b"UIDL 0"]
    # Nine refused commands per session at most: the tenth would end it (max_errors).
    got = interop.exchange(s.port, LOGIN + b"DELE 2\r\nRETR 2\r\n" + b"".join(x + b"\r\n" for x in bad[:5]) +
                           b"STAT\r\nQUIT\r\n")
    resp = lines(got)[3:]
    c.eq("DELE 2", resp[0], "+OK message deleted")
    c.true("every bad number: -ERR", all(r.startswith("-ERR") for r in resp[1:7]), repr(resp))
    c.eq("the session goes on: STAT", resp[7], f"+OK {n - 1} {sum(sizes) - sizes[1]}")
    got = interop.exchange(s.port, LOGIN + b"".join(x + b"\r\n" for x in bad[5:]) + b"STAT\r\nQUIT\r\n")
    resp = lines(got)[3:]
    c.true("every bad argument: -ERR", all(r.startswith("-ERR") for r in resp[:5]), repr(resp))
    c.eq("the session goes on: STAT", resp[5], f"+OK {n - 1} {sum(sizes) - sizes[1]}")
    c.eq("QUIT removed message 2", len(pop3.remaining(s.maildir)), n - 1)
    # 8. Transaction commands before login, and an HTTP request (cross-protocol): refused / closed.
    got = interop.exchange(s.port, b"STAT\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n")
    c.eq("before login", [r[:4] for r in lines(got)[1:4]], ["-ERR"] * 3)
    got = interop.exchange(s.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    c.eq("HTTP request: one -ERR and closed", len(lines(got)), 3)
    c.eq("nothing deleted by refused commands", len(pop3.remaining(s.maildir)), n - 1)
    # 9. Ten refused commands end the session (password guessing).
    got = interop.exchange(s.port, b"USER ann\r\n" + b"PASS guess\r\nUSER ann\r\n" * 12)
    c.eq("guessing: ten failures, then the session ends", lines(got).count("-ERR [AUTH] Authentication failed"), 10)
    c.true("guessing: the last line says why", lines(got)[-2].startswith("-ERR"), repr(got[-200:]))

c.finish()
