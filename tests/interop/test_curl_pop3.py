#!/usr/bin/env python3
"""curl's POP3 client against mailwire-pop3d: LIST, RETR of every corpus message byte for byte,
-X UIDL, -X "TOP n m", DELE through -X with --no-body... (curl sends QUIT, so the removal
happens), STLS (--ssl-reqd), implicit TLS (pop3s://), AUTH PLAIN and LOGIN (--login-options),
a wrong password (exit 67)."""
import shutil
import subprocess

import interop
import pop3

a = interop.args(__doc__)
if shutil.which("curl") is None:
    print("SKIP: curl is not installed (Debian: curl)")
    raise SystemExit(interop.SKIP)
c = interop.Checker("curl pop3")
user = "ann:" + pop3.USERS["ann"]


def curl(url, *extra, expect=0):
    r = subprocess.run(["curl", "-sS", "--max-time", "60", "--user", user, url] + list(extra),
                       capture_output=True, timeout=90)
    c.eq(f"{url} {' '.join(extra)}: exit status ({r.stderr.decode(errors='replace').strip()})",
         r.returncode, expect)
    return r.stdout


with pop3.Pop3d(a.bin, a.work, "plain") as s:
    msgs = s.messages_in
    base = f"pop3://127.0.0.1:{s.port}"
    c.eq("LIST", curl(base + "/"),
         b"".join(f"{i} {len(pop3.wire(m))}\r\n".encode() for i, (_, m) in enumerate(msgs, 1)))
    for i, (_, m) in enumerate(msgs, 1):
        c.eq(f"RETR {i}", curl(f"{base}/{i}"), pop3.wire(m))
    c.eq("UIDL", curl(base + "/", "-X", "UIDL"),
         b"".join(f"{i} {n.split(':')[0]}\r\n".encode() for i, (n, _) in enumerate(msgs, 1)))
    head = pop3.wire(msgs[0][1]).partition(b"\r\n\r\n")[0] + b"\r\n\r\nHello Bob,\r\n"
    c.eq("TOP 1 1", curl(base + "/", "-X", "TOP 1 1"), head)
    for mech in ("PLAIN", "LOGIN"):
        c.eq(f"AUTH {mech}: RETR 2", curl(f"{base}/2", "--login-options", f"AUTH={mech}"), pop3.wire(msgs[1][1]))
    curl(base + "/1", "--user", "ann:wrong", expect=67)
    curl(base + "/", "-X", "DELE 6", "-I")
    c.eq("DELE 6 then QUIT: removed", pop3.remaining(s.maildir), sorted(n.split(":")[0] for n, _ in msgs[:5]))
    c.eq("RETR of a number past the end fails", subprocess.run(
        ["curl", "-sS", "--user", user, f"{base}/6"], capture_output=True, timeout=90).returncode != 0, True)

with pop3.Pop3d(a.bin, a.work, "tls", tls=True, implicit_tls=True) as s:
    msgs = s.messages_in
    c.eq("STLS: RETR 5 (3 MB)", curl(f"pop3://127.0.0.1:{s.port}/5", "--ssl-reqd", "-k"), pop3.wire(msgs[4][1]))
    c.eq("STLS: LIST", curl(f"pop3://127.0.0.1:{s.port}/", "--ssl-reqd", "-k").count(b"\r\n"), len(msgs))
    c.eq("pop3s: RETR 1", curl(f"pop3s://127.0.0.1:{s.tls_port}/1", "-k"), pop3.wire(msgs[0][1]))

c.finish()
