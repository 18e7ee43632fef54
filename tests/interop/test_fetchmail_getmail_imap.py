#!/usr/bin/env python3
"""fetchmail and getmail6 fetching over IMAP from mailwire-imapd: every message delivered byte
for byte (after the header lines each tool adds, with the LF line ends both write), fetchmail
`protocol IMAP` with --keep (nothing removed, the messages marked \\Seen in the Maildir) then
--nokeep --all (all removed: \\Deleted + EXPUNGE), plain and over STARTTLS (fetchmail -v shows
the STARTTLS command); getmail6's SimpleIMAPRetriever into a Maildir with read_all = false
twice (BODY.PEEK: flags unchanged; the second run fetches nothing: UIDVALIDITY + UIDs kept), then read_all + delete
(all removed from the server), and a message arriving between runs fetched alone.
The POP3 twin is test_fetchmail_getmail.py. With --dovecot (development) the same runs against a
private Dovecot IMAP."""
import glob
import os
import re
import shutil
import subprocess
import tempfile

import imap
import interop

DOVECOT = imap.dovecot_mode()

a = interop.args(__doc__)
c = interop.Checker("fetchmail/getmail IMAP" + (" (dovecot)" if DOVECOT else ""))
have_fetchmail, have_getmail = shutil.which("fetchmail"), shutil.which("getmail")
if not have_fetchmail and not have_getmail:
    print("SKIP: neither fetchmail nor getmail6 is installed (Debian: fetchmail getmail6)")
    raise SystemExit(interop.SKIP)


def Peer(name, **kw):  # noqa: N802 (used as a class)
    """mailwire-imapd (or, with --dovecot, a private Dovecot) for this test: imap.Peer."""
    return imap.Peer(a, name, "ann", "fetch imap-pw", DOVECOT, **kw)


def corpus(tag):
    """CRLF messages: dot-started lines, 8-bit text, a MIME attachment, a 1 MB body."""
    big = (f"From: big@example.org\r\nSubject: {tag} big\r\nMessage-ID: <big.{tag}@example.org>\r\n\r\n".encode()
           + b"".join((b"." if i % 97 == 0 else b"") + b"0123456789" * 7 + b"\r\n" for i in range(15000)))
    msgs = [
        interop.message(f"{tag} first"),
        f"From: utf8@example.org\r\nSubject: {tag} 8-bit caf\u00e9\r\nMessage-ID: <u.{tag}@example.org>\r\n\r\nna\u00efve \u2603\r\n".encode(),
        (f"From: dave@example.com\r\nSubject: {tag} attachment\r\nMessage-ID: <att.{tag}@example.com>\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
         "--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
         "--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n--b1--\r\n").encode(),
        big,
        f"From: dots@example.org\r\nSubject: {tag} dots\r\nMessage-ID: <d.{tag}@example.org>\r\n\r\n.\r\n..\r\n. \r\n.x\r\n".encode(),
    ]
    return [(f"17300000{i:02d}.M{i}P9Q{i}.mx.test", m) for i, m in enumerate(msgs)]


def lf(data):
    """What a local delivery to a file holds: line ends as LF (both tools write LF)."""
    return data.replace(b"\r\n", b"\n")


def fetchmail(p, what, *extra):
    out = os.path.join(p.dir, "fetched-" + what)
    os.makedirs(out, exist_ok=True)
    rc = os.path.join(p.dir, "fetchmailrc")
    with open(rc, "w") as f:
        f.write(f'poll 127.0.0.1 service {p.port} protocol IMAP user "{p.user}" password "{p.password}"\n')
    os.chmod(rc, 0o600)
    # --mda: one file per message; --invisible: no Received: line.
    cmd = ["fetchmail", "-v", "-f", rc, "--nosyslog", "--invisible", "--norewrite",
           "-i", os.path.join(p.dir, "fm.ids"), "--pidfile", os.path.join(p.dir, "fm.pid"),
           "--mda", f"cat > {out}/msg.$$.%F.%T", "--nosslcertck"] + list(extra)
    env = dict(os.environ, HOME=p.dir, FETCHMAILHOME=p.dir)
    r = subprocess.run(cmd, capture_output=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
    log = (r.stdout + r.stderr).decode(errors="replace")
    c.eq(f"fetchmail {what}: exit status ({log[-800:]})", r.returncode, 0)
    got = []
    for path in glob.glob(out + "/msg.*"):
        with open(path, "rb") as f:
            got.append(f.read())
        os.unlink(path)
    return got, log


if have_fetchmail:
    for tls in (False, True):
        tag = "fm-tls" if tls else "fm"
        msgs = corpus(tag)
        with Peer("imap-" + tag, tls=tls, messages=msgs) as p:
            extra = ["--sslproto", "auto"] if tls else ["--sslproto", ""]
            w = f"fetchmail (tls={tls}) "
            got, log = fetchmail(p, "keep", "--keep", *extra)
            c.eq(w + "keep: count", len(got), len(msgs))
            c.eq(w + "keep: bytes", sorted(got), sorted(lf(m) for _, m in msgs))
            files = p.files()
            c.eq(w + "keep: nothing removed", sorted(files), sorted(m for _, m in msgs))
            c.eq(w + "keep: every message \\Seen", sorted(files.values()), ["S"] * len(msgs))
            c.eq(w + "keep: STARTTLS command sent", re.search(r"IMAP> A\d+ STARTTLS", log) is not None, tls)
            later = interop.message(f"{tag} arrived later")
            p.deliver("1730009999.M99P9Q99.mx.test", later)
            got, log = fetchmail(p, "new-only", "--keep", *extra)
            c.eq(w + "second run (no --all): only the new message", got, [lf(later)])
            got, log = fetchmail(p, "flush", "--nokeep", "--all", *extra)
            c.eq(w + "nokeep --all: bytes", sorted(got), sorted(lf(m) for m in [m for _, m in msgs] + [later]))
            c.eq(w + "nokeep: all removed", p.files(), {})
else:
    print("fetchmail is not installed: its part is skipped")


def getmail(p, dest, read_all, delete):
    gdir = os.path.join(p.dir, "getmail")
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
type = SimpleIMAPRetriever
server = 127.0.0.1
port = {p.port}
username = {p.user}
password = {p.password}
mailboxes = ("INBOX",)

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
    c.eq(f"getmail: exit status ({(r.stdout + r.stderr).decode(errors='replace')[-800:]})", r.returncode, 0)
    got = []
    for path in glob.glob(dest + "/new/*"):
        with open(path, "rb") as f:
            # getmail6 writes a Return-Path: line of its own first and an
            # X-getmail-retrieved-from-mailbox: line at the end of the header.
            data = re.sub(rb"\AReturn-Path: <[^>\n]*>\n", b"", f.read())
            got.append(re.sub(rb"^X-getmail-retrieved-from-mailbox: INBOX\n", b"", data, count=1, flags=re.M))
        os.unlink(path)
    return got


if have_getmail:
    # As root, getmail6's delivery runs as nobody, which must reach the destination: a
    # directory of its own under the system's temporary directory, not inside the 0700 work tree.
    gm_top = tempfile.mkdtemp(prefix="mailwire-getmail-imap-")
    os.chmod(gm_top, 0o755)
    dest = os.path.join(gm_top, "Maildir")
    msgs = corpus("gm")
    with Peer("imap-gm", messages=msgs) as p:
        got = getmail(p, dest, read_all=False, delete=False)
        c.eq("getmail: bytes", sorted(got), sorted(lf(m) for _, m in msgs))
        # getmail6 reads with BODY.PEEK[] (no \Seen, RFC 9051 6.4.5) and remembers the UIDs it fetched.
        c.eq("getmail: the messages stay, unflagged", sorted(p.files().items()), sorted((m, "") for _, m in msgs))
        c.eq("getmail: second run (read_all = false: UIDs in its oldmail file) fetches nothing", getmail(p, dest, False, False), [])
        later = interop.message("gm arrived later")
        p.deliver("1730009998.M98P9Q98.mx.test", later)
        c.eq("getmail: a message delivered between runs, fetched alone", getmail(p, dest, False, False), [lf(later)])
        got = getmail(p, dest, read_all=True, delete=True)
        c.eq("getmail read_all + delete: bytes", sorted(got), sorted(lf(m) for m in [m for _, m in msgs] + [later]))
        c.eq("getmail delete: all removed from the server", p.files(), {})
    shutil.rmtree(gm_top, ignore_errors=True)
else:
    print("getmail6 is not installed: its part is skipped")

c.finish()
