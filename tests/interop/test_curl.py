#!/usr/bin/env python3
"""curl's SMTP client sending to mailwire-smtpd: plain (-T file), several recipients, STARTTLS
(--ssl-reqd -k), AUTH PLAIN and LOGIN (--user, --login-options AUTH=...), implicit TLS (smtps://);
deliveries checked byte for byte."""
import os
import shutil
import subprocess

import interop

a = interop.args(__doc__)
if shutil.which("curl") is None:
    print("SKIP: curl is not installed (Debian: curl)")
    raise SystemExit(interop.SKIP)
c = interop.Checker("curl")
users = {"ann": "curl-pw"}


def curl(server, subject, *extra, url=None, rcpts=("bob@example.com",)):
    msg = interop.message(subject)
    path = os.path.join(server.dir, "msg.eml")
    with open(path, "wb") as f:
        f.write(msg)
    cmd = ["curl", "-sS", "--max-time", "60", url or f"smtp://127.0.0.1:{server.port}/client.test",
           "--mail-from", "ann@example.org", "-T", path] + list(extra)
    for r in rcpts:
        cmd += ["--mail-rcpt", r]
    r = subprocess.run(cmd, capture_output=True, timeout=90)
    c.eq(f"{subject}: curl exit status ({r.stderr.decode(errors='replace').strip()})", r.returncode, 0)
    return msg


with interop.Smtpd(a.bin, a.work, "plain") as s:
    m1 = curl(s, "curl plain")
    m2 = curl(s, "curl three rcpts", rcpts=("a@example.com", "b@example.com", "c@example.com"))
    c.delivered("plain", s, [m1, m2], sender="<ann@example.org>", protocol="ESMTP")

with interop.Smtpd(a.bin, a.work, "starttls", tls=True, users=users) as s:
    m1 = curl(s, "curl starttls", "--ssl-reqd", "-k")
    m2 = curl(s, "curl auth plain", "--ssl-reqd", "-k", "--user", "ann:curl-pw", "--login-options", "AUTH=PLAIN")
    m3 = curl(s, "curl auth login", "--ssl-reqd", "-k", "--user", "ann:curl-pw", "--login-options", "AUTH=LOGIN")
    r = subprocess.run(["curl", "-sS", f"smtp://127.0.0.1:{s.port}", "--ssl-reqd", "-k", "--user", "ann:nope",
                        "--mail-from", "ann@example.org", "--mail-rcpt", "bob@example.com", "-T", "/dev/null"],
                       capture_output=True, timeout=90)
    c.eq("wrong password: curl exit 67 (login denied)", r.returncode, 67)
    protos = sorted(interop.split_trace(m)[2] for m in s.messages(wait_for=3))
    c.eq("protocols", protos, ["ESMTPS", "ESMTPSA", "ESMTPSA"])
    c.delivered("STARTTLS/AUTH", s, [m1, m2, m3], sender="<ann@example.org>", rcpt="<bob@example.com>")

with interop.Smtpd(a.bin, a.work, "implicit", implicit_tls=True) as s:
    m = curl(s, "curl smtps", "-k", url=f"smtps://127.0.0.1:{s.tls_port}/client.test")
    c.delivered("implicit TLS", s, [m], protocol="ESMTPS")

c.finish()
