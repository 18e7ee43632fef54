#!/usr/bin/env python3
"""mailwire-imapd's command line (../shared/spec/tools.md): --help, usage errors (exit 2, one
stderr line), --stdio sessions with exact responses (exit 0 after LOGOUT, 1 without it), and
Python's imaplib.IMAP4_stream over --stdio (SELECT, FETCH byte for byte, STORE, APPEND)."""
import imaplib
import os
import subprocess

import imap
import interop
import pop3

a = interop.args(__doc__)
c = interop.Checker("imapd stdio")
work = a.work
users = os.path.join(work, "users")
with open(users, "w") as f:
    f.write("# comment\nann:imap-pw\n")


def run(args, data=b""):
    return subprocess.run([a.bin] + args, input=data, capture_output=True, timeout=60)


r = run(["--help"])
c.eq("--help: exit 0", r.returncode, 0)
c.true("--help: usage on stdout", r.stdout.startswith(b"usage: mailwire-imapd (--stdio | --listen ADDR:PORT)"))
for args, what in [([], "no mode"), (["--stdio", "--users", users], "no --maildir"),
                   (["--stdio", "--maildir", "x"], "no --users"),
                   (["--stdio", "--listen", "1:2", "--maildir", "x", "--users", users], "two modes"),
                   (["--stdio", "--maildir", "x", "--users", users, "--tls-cert", "c"], "cert without key"),
                   (["--bogus"], "unknown flag")]:
    r = run(args)
    c.eq(f"usage error ({what}): exit 2", r.returncode, 2)
    c.true(f"usage error ({what}): one stderr line 'mailwire-imapd: ...'",
           r.stderr.startswith(b"mailwire-imapd: ") and r.stderr.count(b"\n") == 1 and r.stdout == b"", r.stderr)

md = os.path.join(work, "Maildir")
msgs = [imap.wire(m) for _, m in pop3.fill(md)]
r = run(["--stdio", "--maildir", md, "--users", users, "--hostname", "imap.test"],
        b"a1 LOGIN ann imap-pw\r\na2 EXAMINE INBOX\r\na3 FETCH 6 (FLAGS BODY.PEEK[HEADER.FIELDS (FROM)])\r\n"
        b"a4 SEARCH SEEN\r\na5 LOGOUT\r\n")
c.eq("--stdio: exit 0", r.returncode, 0)
out = r.stdout.split(b"\r\n")
c.true("--stdio: greeting", out[0].startswith(b"* OK [CAPABILITY IMAP4rev1 ") and
       out[0].endswith(b"] imap.test mailwire-imapd ready"), out[0])
c.true("--stdio: login", out[1].startswith(b"a1 OK [CAPABILITY IMAP4rev1 "), out[1])
c.eq("--stdio: EXAMINE", out[2:5], [b"* 6 EXISTS", b"* 5 RECENT", b"* OK [UNSEEN 1] First unseen"])
c.true("--stdio: EXAMINE read-only", b"a2 OK [READ-ONLY] EXAMINE completed" in out, out)
c.true("--stdio: FETCH", b"* 6 FETCH (FLAGS (\\Recent) BODY[HEADER.FIELDS (FROM)] {26}" in out, out)
c.true("--stdio: SEARCH", b"* SEARCH 3" in out, out)
c.eq("--stdio: LOGOUT", out[-3:], [b"* BYE Logging out", b"a5 OK LOGOUT completed", b""])

r = run(["--stdio", "--maildir", md, "--users", users], b"a1 LOGIN ann imap-pw\r\n")
c.eq("--stdio without LOGOUT: exit 1", r.returncode, 1)

md2 = os.path.join(work, "new-maildir")
r = run(["--stdio", "--maildir", md2, "--users", users], b"a LOGOUT\r\n")
c.true("missing maildir is created", all(os.path.isdir(os.path.join(md2, s)) for s in ("tmp", "new", "cur")))

# imaplib over --stdio (IMAP4_stream).
M = imaplib.IMAP4_stream(f"{a.bin} --stdio --maildir {md} --users {users} -q")
c.eq("IMAP4_stream: LOGIN", M.login("ann", "imap-pw")[0], "OK")
typ, data = M.select("INBOX")
c.eq("IMAP4_stream: SELECT", data, [b"6"])
for i, m in enumerate(msgs, 1):
    typ, data = M.fetch(str(i), "(BODY.PEEK[])")
    c.eq(f"IMAP4_stream: FETCH {i}", data[0][1], m)
c.eq("IMAP4_stream: STORE", M.store("4", "+FLAGS", "(\\Draft)")[0], "OK")
new = interop.message("stream")
c.eq("IMAP4_stream: APPEND", M.append("INBOX", None, None, new)[0], "OK")
M.noop()
typ, data = M.fetch("7", "(FLAGS BODY.PEEK[])")
c.eq("IMAP4_stream: appended bytes", data[0][1], new)
M.logout()
c.true("STORE kept in the file name", any(n.endswith(":2,D") for n in os.listdir(os.path.join(md, "cur"))))

# Body part numbers walk the MIME tree (RFC 9051 section 6.4.5).
md3 = os.path.join(work, "mime-maildir")
mp = (b'From: a@b\r\nSubject: mp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'
      b'pre\r\n--XX\r\nContent-Type: text/plain\r\n\r\npart one\r\n--XX\r\nContent-Type: message/rfc822\r\n\r\n'
      b'Subject: inner\r\nFrom: c@d\r\n\r\ninner body\r\n--XX--\r\n')
pop3.fill(md3, [("1700000000.M1P1.mx.test", mp)])
r = run(["--stdio", "--maildir", md3, "--users", users],
        b"a LOGIN ann imap-pw\r\nb SELECT INBOX\r\nc FETCH 1 (BODY.PEEK[1] BODY.PEEK[1.MIME] "
        b"BODY.PEEK[2.HEADER.FIELDS (SUBJECT)] BODY.PEEK[2.TEXT] BODY.PEEK[2.1])\r\nd LOGOUT\r\n")
c.true("part numbers", b"* 1 FETCH (BODY[1] {8}\r\npart one BODY[1.MIME] {28}\r\nContent-Type: text/plain\r\n\r\n"
       b" BODY[2.HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: inner\r\n\r\n BODY[2.TEXT] {10}\r\ninner body"
       b" BODY[2.1] {10}\r\ninner body)\r\n" in r.stdout, r.stdout)
c.finish()
