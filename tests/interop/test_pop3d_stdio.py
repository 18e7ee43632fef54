#!/usr/bin/env python3
"""mailwire-pop3d's command line (../shared/spec/tools.md): --help, usage errors (exit 2, one
stderr line), --stdio sessions with exact responses (exit 0 after QUIT, 1 without it), DELE
applied at QUIT only, APOP computed from the greeting, a missing maildir created, a bad
users file."""
import hashlib
import os
import re
import subprocess

import interop
import pop3

a = interop.args(__doc__)
c = interop.Checker("pop3d stdio")
work = a.work
users = os.path.join(work, "users")
with open(users, "w") as f:
    f.write("# comment\nann:pop-pw\n\nbob:b0b pass\n")


def run(args, data=b""):
    return subprocess.run([a.bin] + args, input=data, capture_output=True, timeout=60)


r = run(["--help"])
c.eq("--help: exit 0", r.returncode, 0)
c.true("--help: usage on stdout", r.stdout.startswith(b"usage: mailwire-pop3d (--stdio | --listen ADDR:PORT)"))
for args, what in [([], "no mode"), (["--stdio", "--users", users], "no --maildir"),
                   (["--stdio", "--maildir", "x"], "no --users"),
                   (["--stdio", "--listen", "1:2", "--maildir", "x", "--users", users], "two modes"),
                   (["--stdio", "--maildir", "x", "--users", users, "--tls-cert", "c"], "cert without key"),
                   (["--listen", "nonsense", "--maildir", "x", "--users", users], "bad ADDR:PORT"),
                   (["--bogus"], "unknown flag")]:
    r = run(args)
    c.eq(f"usage error ({what}): exit 2", r.returncode, 2)
    c.true(f"usage error ({what}): one stderr line 'mailwire-pop3d: ...'",
           r.stderr.startswith(b"mailwire-pop3d: ") and r.stderr.count(b"\n") == 1 and r.stdout == b"", r.stderr)

bad_users = os.path.join(work, "bad-users")
with open(bad_users, "w") as f:
    f.write("no colon here\n")
r = run(["--stdio", "--maildir", os.path.join(work, "m0"), "--users", bad_users])
c.eq("bad users file: exit 1", r.returncode, 1)
c.true("bad users file: says which line", b"line 1" in r.stderr, r.stderr)

md = os.path.join(work, "Maildir")
msgs = pop3.fill(md)
sizes = [len(pop3.wire(m)) for _, m in msgs]
r = run(["--stdio", "--maildir", md, "--users", users, "--no-apop"],
        b"USER bob\r\nPASS b0b pass\r\nSTAT\r\nLIST 6\r\nRETR 6\r\nDELE 6\r\nQUIT\r\n")
c.eq("--stdio: exit 0", r.returncode, 0)
c.eq("--stdio: responses", r.stdout,
     b"+OK mailwire-pop3d ready\r\n+OK\r\n+OK maildrop locked and ready\r\n" +
     f"+OK {len(msgs)} {sum(sizes)}\r\n+OK 6 {sizes[5]}\r\n+OK {sizes[5]} octets\r\n".encode() +
     b"From: dots@example.org\r\nSubject: dots\r\n\r\n..\r\n...\r\n....\r\n.. \r\n..x\r\n.\r\n"
     b"+OK message deleted\r\n+OK POP3 server signing off\r\n")
c.eq("--stdio: DELE applied at QUIT", len(pop3.remaining(md)), len(msgs) - 1)

r = run(["--stdio", "--maildir", md, "--users", users], b"USER ann\r\nPASS pop-pw\r\nDELE 1\r\n")
c.eq("--stdio without QUIT: exit 1", r.returncode, 1)
c.eq("--stdio without QUIT: nothing removed", len(pop3.remaining(md)), len(msgs) - 1)

# APOP (RFC 1939 section 7): the digest of the greeting's timestamp; the server must be reading it
# in the same session, so drive it interactively.
p = subprocess.Popen([a.bin, "--stdio", "--maildir", md, "--users", users], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
greeting = p.stdout.readline()
ts = re.search(rb"<[^>]+>", greeting)
c.true("greeting has a timestamp", ts is not None, greeting)
digest = hashlib.md5(ts.group(0) + b"pop-pw").hexdigest().encode() if ts else b"x" * 32
out, _ = p.communicate(b"APOP ann " + digest + b"\r\nSTAT\r\nQUIT\r\n", timeout=60)
c.eq("APOP: exit 0", p.returncode, 0)
c.true("APOP: logged in", out.startswith(b"+OK maildrop locked and ready\r\n+OK 5 "), out[:100])

md2 = os.path.join(work, "new-maildir")
r = run(["--stdio", "--maildir", md2, "--users", users], b"USER ann\r\nPASS pop-pw\r\nSTAT\r\nQUIT\r\n")
c.eq("missing maildir is created: empty maildrop", r.stdout.split(b"\r\n")[3], b"+OK 0 0")
c.true("missing maildir is created: tmp/ new/ cur/", all(os.path.isdir(os.path.join(md2, s)) for s in ("tmp", "new", "cur")))

c.finish()
