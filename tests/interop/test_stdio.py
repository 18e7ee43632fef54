#!/usr/bin/env python3
"""mailwire-smtpd's command line (../shared/spec/tools.md): --help, usage errors (exit 2),
--stdio sessions with exact replies, deliveries and exit status (0 for a session that ended
normally, 1 for a failed one), LMTP per-recipient replies, --max-size, AUTH with --users."""
import base64
import os
import subprocess

import interop

a = interop.args(__doc__)
c = interop.Checker("stdio")


class Dir:
    """A Maildir for interop.Checker.delivered()."""

    def __init__(self, name):
        self.dir = os.path.join(a.work, name)
        self.maildir = os.path.join(self.dir, "Maildir")
        os.makedirs(self.dir, exist_ok=True)

    messages = interop.Smtpd.messages


def run(args, data=b""):
    return subprocess.run([a.bin] + args, input=data, capture_output=True, timeout=60)


r = run(["--help"])
c.eq("--help: exit 0", r.returncode, 0)
c.true("--help: usage on stdout", r.stdout.startswith(b"usage: mailwire-smtpd (--stdio | --listen ADDR:PORT)"))
for args, what in [([], "no mode"), (["--stdio"], "no --maildir"), (["--stdio", "--listen", "1:2", "--maildir", "x"], "two modes"),
                   (["--stdio", "--maildir", "x", "--tls-cert", "c"], "cert without key"),
                   (["--listen", "nonsense", "--maildir", "x"], "bad ADDR:PORT"), (["--bogus"], "unknown flag"),
                   (["--stdio", "--maildir", "x", "--require-auth"], "--require-auth without --users")]:
    r = run(args)
    c.eq(f"usage error ({what}): exit 2", r.returncode, 2)
    c.true(f"usage error ({what}): one stderr line 'mailwire-smtpd: ...'",
           r.stderr.startswith(b"mailwire-smtpd: ") and r.stderr.count(b"\n") == 1 and r.stdout == b"", r.stderr)

# A whole pipelined session on standard input/output.
d = Dir("session")
r = run(["--stdio", "--maildir", d.maildir, "--hostname", "mx.test"],
        b"EHLO client.test\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\nDATA\r\nline\r\n..dot\r\n.\r\n"
        b"VRFY b\r\nNOOP\r\nQUIT\r\n")
c.eq("--stdio: exit 0", r.returncode, 0)
c.eq("--stdio: replies", r.stdout,
     b"220 mx.test ESMTP\r\n250-mx.test Hello\r\n250-SIZE\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-CHUNKING\r\n"
     b"250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250 LIMITS RCPTMAX=100\r\n250 2.1.0 OK\r\n250 2.1.5 OK\r\n"
     b"354 Start mail input; end with <CRLF>.<CRLF>\r\n250 2.0.0 OK\r\n"
     b"252 2.1.5 Cannot VRFY user, but will accept message\r\n250 2.0.0 OK\r\n221 2.0.0 mx.test closing connection\r\n")
c.delivered("--stdio", d, [b"line\r\n.dot\r\n"], sender="<a@a.example>", protocol="ESMTP", rcpt="<b@b.example>")
c.eq("--stdio: Received from without an address (stdin is a pipe)",
     interop.split_trace(d.messages()[0])[1], "client.test")

d = Dir("eof")
r = run(["--stdio", "--maildir", d.maildir], b"HELO x\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\nDATA\r\nhalf a mess")
c.eq("--stdio, end of input inside DATA: exit 1", r.returncode, 1)
c.delivered("--stdio, end of input inside DATA: nothing (and tmp/ empty)", d, [])
r = run(["--stdio", "--maildir", d.maildir], b"HELO x\r\n")
c.eq("--stdio, end of input between commands: exit 0", r.returncode, 0)
r = run(["--stdio", "--maildir", d.maildir], b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
c.eq("--stdio, an HTTP request: exit 1", r.returncode, 1)
c.true("--stdio, an HTTP request: one line on stderr", b"session error" in r.stderr, r.stderr)

d = Dir("lmtp")
r = run(["--stdio", "--lmtp", "--maildir", d.maildir, "--hostname", "mx.test"],
        b"LHLO client.test\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\nRCPT TO:<c@c.example>\r\n"
        b"DATA\r\nfor two\r\n.\r\nQUIT\r\n")
c.eq("--lmtp: exit 0", r.returncode, 0)
c.true("--lmtp: two replies after the data", r.stdout.endswith(
    b"354 Start mail input; end with <CRLF>.<CRLF>\r\n250 2.0.0 OK\r\n250 2.0.0 OK\r\n221 2.0.0 mx.test closing connection\r\n"),
    r.stdout[-200:])
c.delivered("--lmtp: one file", d, [b"for two\r\n"], protocol="LMTP", rcpt=None)

d = Dir("size")
r = run(["--stdio", "--maildir", d.maildir, "--max-size", "100", "--hostname", "mx.test"],
        b"EHLO x\r\nMAIL FROM:<a@a.example> SIZE=101\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\nDATA\r\n" +
        b"x" * 200 + b"\r\n.\r\nRSET\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\nDATA\r\nsmall\r\n.\r\nQUIT\r\n")
c.true("--max-size: SIZE 100 announced", b"250-SIZE 100\r\n" in r.stdout)
c.eq("--max-size: MAIL SIZE=101 and the 202-octet message refused with 552",
     [l for l in r.stdout.split(b"\r\n") if l.startswith(b"552")],
     [b"552 5.3.4 Message size exceeds fixed maximum message size"] * 2)
c.delivered("--max-size: only the small message", d, [b"small\r\n"])

d = Dir("auth")
users = os.path.join(d.dir, "users")
with open(users, "w") as f:
    f.write("# test users\nann:pw:with:colons\n")
ok = base64.b64encode(b"\0ann\0pw:with:colons")
bad = base64.b64encode(b"\0ann\0wrong")
r = run(["--stdio", "--maildir", d.maildir, "--users", users, "--require-auth", "--plaintext-auth", "--hostname", "mx.test"],
        b"EHLO x\r\nMAIL FROM:<a@a.example>\r\nAUTH PLAIN " + bad + b"\r\nAUTH PLAIN\r\n" + ok +
        b"\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\nDATA\r\nauthed\r\n.\r\nQUIT\r\n")
lines = [l for l in r.stdout.split(b"\r\n") if l[:1] in (b"5", b"3", b"2") and l[3:4] == b" "]
c.eq("AUTH over --stdio: replies", lines[2:-1],
     [b"530 5.7.0 Authentication required", b"535 5.7.8 Authentication credentials invalid", b"334 ",
      b"235 2.7.0 Authentication successful", b"250 2.1.0 OK", b"250 2.1.5 OK",
      b"354 Start mail input; end with <CRLF>.<CRLF>", b"250 2.0.0 OK"])
c.delivered("AUTH over --stdio", d, [b"authed\r\n"], protocol="ESMTPA")

c.finish()
