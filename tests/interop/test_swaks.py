#!/usr/bin/env python3
"""swaks (Debian swaks) sending to mailwire-smtpd: plain, --pipeline, STARTTLS with a
self-signed certificate, AUTH PLAIN and LOGIN, implicit TLS; each delivery checked byte for byte.
(swaks 20201014 has no BDAT option; test_raw.py sends BDAT.)"""
import os
import shutil
import subprocess

import interop

a = interop.args(__doc__)
if shutil.which("swaks") is None:
    print("SKIP: swaks is not installed (Debian: swaks)")
    raise SystemExit(interop.SKIP)
c = interop.Checker("swaks")
users = {"ann": "s3cret pass", "bob": "hunter2"}


def swaks(server, subject, *extra, port=None):
    # swaks writes the file's lines with CRLF and then CRLF "." CRLF: a file that does not end
    # in a line break arrives as the file plus CRLF.
    msg = interop.message(subject)[:-2]
    path = os.path.join(server.dir, "msg.eml")
    with open(path, "wb") as f:
        f.write(msg)
    cmd = ["swaks", "--server", f"127.0.0.1:{port or server.port}", "--from", "ann@example.org",
           "--to", "bob@example.com", "--data", path, "--helo", "client.test"] + list(extra)
    r = subprocess.run(cmd, capture_output=True, timeout=60)
    c.eq(f"{subject}: swaks exit status (output: {r.stdout.decode(errors='replace')[-1500:]})",
         r.returncode, 0)
    return msg + b"\r\n", r.stdout.decode(errors="replace")


with interop.Smtpd(a.bin, a.work, "plain") as s:
    want1, _ = swaks(s, "swaks plain")
    want2, out = swaks(s, "swaks pipeline", "--pipeline")
    c.true("--pipeline: swaks saw PIPELINING", "250-PIPELINING" in out)
    c.delivered("plain and pipelined", s, [want1, want2], sender="<ann@example.org>",
                protocol="ESMTP", rcpt="<bob@example.com>")

with interop.Smtpd(a.bin, a.work, "starttls", tls=True, users=users) as s:
    want1, out = swaks(s, "swaks starttls", "--tls")
    c.true("STARTTLS: 220 2.0.0 Ready to start TLS", "<-  220 2.0.0 Ready to start TLS" in out, out[-800:])
    c.true("STARTTLS: no AUTH before TLS", "250-AUTH" not in out.split("STARTTLS")[0])
    want2, out = swaks(s, "swaks auth plain", "--tls", "--auth", "PLAIN", "--auth-user", "ann",
                       "--auth-password", "s3cret pass")
    c.true("AUTH PLAIN: 235", "<~  235 2.7.0" in out, out[-800:])
    want3, out = swaks(s, "swaks auth login", "--tls", "--auth", "LOGIN", "--auth-user", "bob",
                       "--auth-password", "hunter2", "--pipeline")
    c.true("AUTH LOGIN: 334 VXNlcm5hbWU6 then 235", "<~  334 VXNlcm5hbWU6" in out and "<~  235 2.7.0" in out,
           out[-800:])
    # A wrong password: 535, nothing delivered.
    r = subprocess.run(["swaks", "--server", f"127.0.0.1:{s.port}", "--tls", "--auth", "LOGIN",
                        "--auth-user", "bob", "--auth-password", "wrong", "--to", "bob@example.com",
                        "--from", "ann@example.org"], capture_output=True, timeout=60)
    c.true("AUTH LOGIN wrong password: 535 5.7.8", b"535 5.7.8" in r.stdout, r.stdout[-500:])
    c.true("AUTH LOGIN wrong password: swaks fails", r.returncode != 0)
    msgs = s.messages(wait_for=3)
    protos = sorted(interop.split_trace(m)[2] for m in msgs)
    c.eq("Received: with ESMTPS / ESMTPSA", protos, ["ESMTPS", "ESMTPSA", "ESMTPSA"])
    c.delivered("STARTTLS and AUTH", s, [want1, want2, want3], sender="<ann@example.org>")

with interop.Smtpd(a.bin, a.work, "require-auth", tls=True, users=users,
                   extra=["--require-auth"]) as s:
    r = subprocess.run(["swaks", "--server", f"127.0.0.1:{s.port}", "--tls", "--to", "bob@example.com",
                        "--from", "ann@example.org"], capture_output=True, timeout=60)
    c.true("--require-auth: MAIL without AUTH gets 530 5.7.0", b"530 5.7.0" in r.stdout, r.stdout[-500:])
    want, _ = swaks(s, "swaks required auth", "--tls", "--auth", "PLAIN", "--auth-user", "ann",
                    "--auth-password", "s3cret pass")
    c.delivered("--require-auth", s, [want], protocol="ESMTPSA")

with interop.Smtpd(a.bin, a.work, "implicit", implicit_tls=True, users=users) as s:
    want, out = swaks(s, "swaks implicit tls", "--tls-on-connect", "--auth", "PLAIN",
                      "--auth-user", "ann", "--auth-password", "s3cret pass", port=s.tls_port)
    c.true("implicit TLS: no STARTTLS offered", "250-STARTTLS" not in out)
    c.delivered("implicit TLS", s, [want], protocol="ESMTPSA")

c.finish()
