#!/usr/bin/env python3
"""fetchmail and getmail6 fetching from mailwire-pop3d: every corpus message delivered byte for
byte (after the header line each adds, and with the LF line ends both write), fetchmail with
--keep (nothing removed) then without it (all removed at QUIT), over STLS too; getmail6 into a
Maildir with delete = true, and a second run with read_all = false fetching nothing new (UIDL)."""
import glob
import os
import re
import shutil
import subprocess

import interop
import pop3

a = interop.args(__doc__)
c = interop.Checker("fetchmail/getmail")
have_fetchmail, have_getmail = shutil.which("fetchmail"), shutil.which("getmail")
if not have_fetchmail and not have_getmail:
    print("SKIP: neither fetchmail nor getmail6 is installed (Debian: fetchmail getmail6)")
    raise SystemExit(interop.SKIP)


def lf(data):
    """What a local delivery to a file holds: line ends as LF (both tools write LF)."""
    return pop3.wire(data).replace(b"\r\n", b"\n")


def fetchmail(s, what, *extra):
    out = os.path.join(s.dir, "fetched-" + what)
    os.makedirs(out, exist_ok=True)
    rc = os.path.join(s.dir, "fetchmailrc")
    with open(rc, "w") as f:
        f.write(f'poll 127.0.0.1 service {s.port} protocol POP3 user "ann" password "{pop3.USERS["ann"]}"\n')
    os.chmod(rc, 0o600)
    # --mda: one file per message; --invisible: no Received: line; -E none: no envelope header.
    cmd = ["fetchmail", "-f", rc, "--nosyslog", "--invisible", "--norewrite", "-i", os.path.join(s.dir, "fm.ids"),
           "--pidfile", os.path.join(s.dir, "fm.pid"), "--mda", f"cat > {out}/msg.$$.%F.%T",
           "--nosslcertck"] + list(extra)
    env = dict(os.environ, HOME=s.dir, FETCHMAILHOME=s.dir)
    r = subprocess.run(cmd, capture_output=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
    c.eq(f"fetchmail {what}: exit status ({r.stderr.decode(errors='replace')[-600:]})", r.returncode, 0)
    files = sorted(glob.glob(out + "/msg.*"), key=lambda p: int(p.split(".")[1]))
    got = []
    for p in files:
        with open(p, "rb") as f:
            got.append(f.read())
    return got


if have_fetchmail:
    for tls in (False, True):
        with pop3.Pop3d(a.bin, a.work, "fm-tls" if tls else "fm", tls=tls) as s:
            msgs = s.messages_in
            # With --sslproto auto fetchmail upgrades with STLS when CAPA lists it.
            extra = ["--sslproto", "auto"] if tls else []
            got = fetchmail(s, "keep", "--keep", *extra)
            c.eq(f"fetchmail keep (tls={tls}): count", len(got), len(msgs))
            c.eq(f"fetchmail keep (tls={tls}): bytes", sorted(got), sorted(lf(m) for _, m in msgs))
            c.eq(f"fetchmail keep (tls={tls}): nothing removed", len(pop3.remaining(s.maildir)), len(msgs))
            got = fetchmail(s, "flush", "--nokeep", "--all", *extra)
            c.eq(f"fetchmail nokeep (tls={tls}): bytes", sorted(got), sorted(lf(m) for _, m in msgs))
            c.eq(f"fetchmail nokeep (tls={tls}): all removed", pop3.remaining(s.maildir), [])
            if tls:
                log = s.logtext()
                c.eq("fetchmail used STLS (both runs)", log.count("TLS started (STLS)"), 2)
else:
    print("fetchmail is not installed: its part is skipped")


def getmail(s, read_all, delete):
    gdir = os.path.join(s.dir, "getmail")
    dest = gm_dest
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(dest, sub), exist_ok=True)
    os.makedirs(gdir, exist_ok=True)
    # getmail6 refuses to deliver as root: as root, its Maildir delivery runs as nobody.
    run_as = ""
    if os.geteuid() == 0:
        import pwd
        nobody = pwd.getpwnam("nobody")
        for root, dirs, _ in os.walk(dest):
            os.chown(root, nobody.pw_uid, nobody.pw_gid)
        run_as = "user = nobody\n"
    rc = os.path.join(gdir, "getmailrc")
    with open(rc, "w") as f:
        f.write(f"""[retriever]
type = SimplePOP3Retriever
server = 127.0.0.1
port = {s.port}
username = ann
password = {pop3.USERS["ann"]}

[destination]
type = Maildir
path = {dest}/
{run_as}
[options]
read_all = {str(read_all).lower()}
delete = {str(delete).lower()}
delivered_to = false
received = false
verbose = 0
""")
    r = subprocess.run(["getmail", f"--getmaildir={gdir}", f"--rcfile={rc}"], capture_output=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    c.eq(f"getmail: exit status ({r.stderr.decode(errors='replace')[-600:]})", r.returncode, 0)
    got = []
    for p in sorted(glob.glob(dest + "/new/*")):
        with open(p, "rb") as f:
            got.append(f.read())
        os.unlink(p)
    return got


if have_getmail:
    # As root, getmail6's delivery runs as nobody, which must reach the destination: a
    # directory of its own under the system's temporary directory, not inside the 0700 work tree.
    import tempfile
    gm_top = tempfile.mkdtemp(prefix="mailwire-getmail-")
    os.chmod(gm_top, 0o755)
    gm_dest = os.path.join(gm_top, "Maildir")
    with pop3.Pop3d(a.bin, a.work, "gm") as s:
        msgs = s.messages_in
        got = getmail(s, read_all=False, delete=False)
        # getmail6 writes a Return-Path: line of its own first.
        got = [re.sub(rb"\AReturn-Path: <[^>\n]*>\n", b"", m) for m in got]
        c.eq("getmail: bytes", sorted(got), sorted(lf(m) for _, m in msgs))
        c.eq("getmail: second run (UIDL: all seen) fetches nothing", getmail(s, read_all=False, delete=False), [])
        got = getmail(s, read_all=True, delete=True)
        c.eq("getmail read_all + delete: count", len(got), len(msgs))
        c.eq("getmail delete: all removed at QUIT", pop3.remaining(s.maildir), [])
    shutil.rmtree(gm_top, ignore_errors=True)
else:
    print("getmail6 is not installed: its part is skipped")

c.finish()
