#!/usr/bin/env python3
"""nodemailer (npm, installed into the build tree with the machine's npm) sending to
mailwire-smtpd: plain, STARTTLS, AUTH PLAIN and LOGIN, implicit TLS, several recipients;
deliveries checked byte for byte."""
import json
import os
import shutil
import subprocess

import interop

a = interop.args(__doc__)
node, npm = shutil.which("node"), shutil.which("npm")
if node is None or npm is None:
    print("SKIP: node/npm are not installed")
    raise SystemExit(interop.SKIP)
# Installed once per build tree, next to the scratch directories.
prefix = os.path.join(os.path.dirname(a.work), "node")
if not os.path.isdir(os.path.join(prefix, "node_modules", "nodemailer")):
    os.makedirs(prefix, exist_ok=True)
    r = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", prefix, "nodemailer@6"],
                       capture_output=True, timeout=300)
    if r.returncode != 0:
        print("SKIP: npm install nodemailer failed (no npm registry?):", r.stderr.decode(errors="replace")[-500:])
        raise SystemExit(interop.SKIP)
script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nodemailer_send.js")
env = dict(os.environ, NODE_PATH=os.path.join(prefix, "node_modules"))
c = interop.Checker("nodemailer")
users = {"ann": "node-pw"}


def send(server, subject, mode, *auth, port=None, to=("bob@example.com",)):
    msg = interop.message(subject)
    path = os.path.join(server.dir, "msg.eml")
    with open(path, "wb") as f:
        f.write(msg)
    r = subprocess.run([node, script, str(port or server.port), mode, path, "ann@example.org", ",".join(to)]
                       + list(auth), capture_output=True, timeout=90, env=env)
    c.eq(f"{subject}: exit status ({r.stderr.decode(errors='replace').strip()})", r.returncode, 0)
    if r.returncode == 0:
        info = json.loads(r.stdout)
        c.eq(f"{subject}: accepted", sorted(info.get("accepted", [])), sorted(to))
    return msg


with interop.Smtpd(a.bin, a.work, "plain") as s:
    m1 = send(s, "nodemailer plain", "plain")
    m2 = send(s, "nodemailer two rcpts", "plain", to=("a@example.com", "b@example.com"))
    c.delivered("plain", s, [m1, m2], sender="<ann@example.org>", protocol="ESMTP")

with interop.Smtpd(a.bin, a.work, "starttls", tls=True, users=users) as s:
    m1 = send(s, "nodemailer starttls", "starttls")
    m2 = send(s, "nodemailer auth plain", "starttls", "ann", "node-pw", "PLAIN")
    m3 = send(s, "nodemailer auth login", "starttls", "ann", "node-pw", "LOGIN")
    protos = sorted(interop.split_trace(m)[2] for m in s.messages(wait_for=3))
    c.eq("protocols", protos, ["ESMTPS", "ESMTPSA", "ESMTPSA"])
    c.delivered("STARTTLS/AUTH", s, [m1, m2, m3], sender="<ann@example.org>", rcpt="<bob@example.com>")

with interop.Smtpd(a.bin, a.work, "implicit", implicit_tls=True, users=users) as s:
    m = send(s, "nodemailer implicit tls", "tls", "ann", "node-pw", port=s.tls_port)
    c.delivered("implicit TLS", s, [m], protocol="ESMTPSA")

c.finish()
