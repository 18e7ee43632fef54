#!/usr/bin/env python3
"""isync's mbsync syncing a local Maildir with mailwire-imapd, both ways, for INBOX and a folder
(Archive, DIR/.Archive on the server), with SSLType None and with STARTTLS (CertificateFile):
the first sync brings every server message byte for byte (with the LF line ends mbsync writes
into a Maildir); a message made locally is APPENDed to the server (its bytes in the server's
Maildir, CRLF); \\Seen and \\Flagged changed on one side reach the other (local Maildir info
letters / server flags set by an imaplib STORE, seen in the server's file names); a message
deleted locally and one expunged on the server disappear from both sides (Expunge Both); a last
sync changes nothing. The config lives in the test's work directory.
With --dovecot (development) the same runs against a private Dovecot IMAP."""
import imaplib
import os
import shutil
import subprocess

import imap
import interop

DOVECOT = imap.dovecot_mode()

a = interop.args(__doc__)
c = interop.Checker("mbsync" + (" (dovecot)" if DOVECOT else ""))
if shutil.which("mbsync") is None:
    print("SKIP: mbsync is not installed (Debian: isync)")
    raise SystemExit(interop.SKIP)
# mbsync 1.4 checks the certificate's CN / DNS names against "Host" and knows no IP SANs: the
# test's certificate (made before interop.make_cert would make its own) also names 127.0.0.1.
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", os.path.join(a.work, "key.pem"),
                "-out", os.path.join(a.work, "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=DNS:127.0.0.1,DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)


def Peer(name, **kw):  # noqa: N802 (used as a class)
    """mailwire-imapd (or, with --dovecot, a private Dovecot) for this test: imap.Peer."""
    return imap.Peer(a, name, "ann", "mb sync-pw", DOVECOT, **kw)


def no_tuid(data):
    """Without the X-TUID: header line mbsync adds to every message it copies (either way)."""
    return b"".join(l for l in data.splitlines(True) if not l.startswith(b"X-TUID: "))


def local_files(top):
    """{bytes without X-TUID: (path, info letters)} of a local Maildir made by mbsync."""
    out = {}
    for sub in ("cur", "new"):
        d = os.path.join(top, sub)
        for n in (os.listdir(d) if os.path.isdir(d) else []):
            with open(os.path.join(d, n), "rb") as f:
                out[no_tuid(f.read())] = (os.path.join(d, n), n.split(":2,")[1] if ":2," in n else "")
    return out


def lf(data):
    return data.replace(b"\r\n", b"\n")


def stored(data):
    """An APPENDed message as the server's Maildir keeps it: as sent (CRLF); Dovecot stores LF
    line ends (its mail_save_crlf = no)."""
    return lf(data) if DOVECOT else data


def msg(subject, sender="ann@example.org", body="hello"):
    return (f"From: {sender}\r\nTo: bob@example.com\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '.')}@example.org>\r\nDate: Tue, 1 Jul 2003 10:52:37 +0200\r\n\r\n"
            f"{body}\r\n.a dot line\r\n").encode()


def mbsync(p, cfg, what):
    r = subprocess.run(["mbsync", "-c", cfg, "-a"], capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
                       env=dict(os.environ, HOME=os.path.dirname(cfg)))
    out = (r.stdout + r.stderr).decode(errors="replace")
    c.eq(f"{what}: mbsync exit status ({out[-1500:]})", r.returncode, 0)
    return out


def server_store(p, mailbox, num_flags, expunge=False):
    """imaplib on the server side: STORE +FLAGS for (message-id, flags) pairs, EXPUNGE if asked."""
    m = imaplib.IMAP4("127.0.0.1", p.port, timeout=30)
    if p.tls:
        import ssl
        m.starttls(ssl.create_default_context(cafile=interop.make_cert(a.work)[0]))
    m.login(p.user, p.password)
    typ, _ = m.select(mailbox)
    c.eq(f"server-side SELECT {mailbox}", typ, "OK")
    for mid, flags in num_flags:
        typ, data = m.uid("SEARCH", "HEADER", "Message-ID", mid)
        uids = data[0].split() if typ == "OK" and data and data[0] else []
        c.eq(f"server-side SEARCH {mid}", len(uids), 1)
        for u in uids:
            typ, _ = m.uid("STORE", u.decode(), "+FLAGS", flags)
            c.eq(f"server-side STORE {flags}", typ, "OK")
    if expunge:
        typ, _ = m.expunge()
        c.eq("server-side EXPUNGE", typ, "OK")
    m.logout()


def run(mode):
    tls = mode == "starttls"
    inbox = [(f"17200000{i:02d}.M{i}P8Q{i}.mx.test", msg(f"mbsync {mode} {i}", body=f"message {i}")) for i in range(4)]
    archive = [("1720000100.M100P8Q100.mx.test", msg(f"mbsync {mode} archived"))]
    with Peer("mbsync-" + mode, tls=tls, messages=inbox, folders={"Archive": archive}) as p:
        w = f"{mode}: "
        local = os.path.join(p.dir, "local")
        os.makedirs(local, exist_ok=True)
        cfg = os.path.join(p.dir, "mbsyncrc")
        sec = "SSLType None\n"
        if tls:
            sec = f"SSLType STARTTLS\nCertificateFile {interop.make_cert(a.work)[0]}\n"
        with open(cfg, "w") as f:
            f.write(f"""IMAPAccount server
Host 127.0.0.1
Port {p.port}
User {p.user}
Pass "{p.password}"
{sec}
IMAPStore far
Account server

MaildirStore near
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel both
Far :far:
Near :near:
Patterns INBOX Archive
Create Both
Expunge Both
SyncState *
Sync All
""")
        os.chmod(cfg, 0o600)
        # 1. First sync: everything from the server, byte for byte (LF line ends in the Maildir).
        mbsync(p, cfg, w + "first sync")
        got = local_files(os.path.join(local, "INBOX"))
        c.eq(w + "first sync: INBOX messages", sorted(got), sorted(lf(m) for _, m in inbox))
        got_ar = local_files(os.path.join(local, "Archive"))
        c.eq(w + "first sync: Archive messages", sorted(got_ar), sorted(lf(m) for _, m in archive))
        # 2. Local changes: a new message in INBOX and in Archive, \Flagged on message 0, message 1 deleted;
        #    server changes (imaplib): \Seen on message 2, message 3 \Deleted + EXPUNGE.
        new_local = msg(f"mbsync {mode} made locally", body="local")
        new_local_ar = msg(f"mbsync {mode} archived locally", body="local archive")
        with open(os.path.join(local, "INBOX", "new", "1720001000.local1.host"), "wb") as f:
            f.write(lf(new_local))
        with open(os.path.join(local, "Archive", "new", "1720001001.local2.host"), "wb") as f:
            f.write(lf(new_local_ar))
        path0, info0 = got[lf(inbox[0][1])]
        flagged = path0.split(":2,")[0] + ":2," + "".join(sorted(info0 + "F"))
        os.rename(path0, flagged.replace("/new/", "/cur/"))
        os.unlink(got[lf(inbox[1][1])][0])
        server_store(p, "INBOX", [(f"<mbsync.{mode}.2@example.org>", "(\\Seen)"),
                                  (f"<mbsync.{mode}.3@example.org>", "(\\Deleted)")], expunge=True)
        mbsync(p, cfg, w + "second sync")
        srv = p.files()
        srv_plain = {no_tuid(k): v for k, v in srv.items()}
        c.true(w + "local message APPENDed to the server INBOX (CRLF)", stored(new_local) in srv_plain, repr(list(srv)[:6]))
        c.eq(w + "\\Flagged reached the server", "F" in srv.get(inbox[0][1], ""), True)
        c.true(w + "locally deleted message expunged on the server", inbox[1][1] not in srv, repr(srv.get(inbox[1][1])))
        c.true(w + "server-expunged message gone from the server", inbox[3][1] not in srv)
        srv_ar = p.files(".Archive")
        srv_ar_plain = [no_tuid(k) for k in srv_ar]
        c.eq(w + "Archive on the server", sorted(srv_ar_plain), sorted([archive[0][1], stored(new_local_ar)]))
        got = local_files(os.path.join(local, "INBOX"))
        c.true(w + "\\Seen reached the local Maildir", "S" in got.get(lf(inbox[2][1]), ("", ""))[1],
               repr(got.get(lf(inbox[2][1]))))
        c.true(w + "server-expunged message removed locally", lf(inbox[3][1]) not in got)
        c.true(w + "locally deleted message stays deleted", lf(inbox[1][1]) not in got)
        c.eq(w + "local INBOX after the second sync", sorted(got),
             sorted([lf(inbox[0][1]), lf(inbox[2][1]), lf(new_local)]))
        # 3. Flags the other way round: \Seen locally on message 0, \Flagged on the server for message 2.
        got = local_files(os.path.join(local, "INBOX"))
        path0, info0 = got[lf(inbox[0][1])]
        os.rename(path0, path0.split(":2,")[0] + ":2," + "".join(sorted(set(info0 + "S"))))
        server_store(p, "INBOX", [(f"<mbsync.{mode}.2@example.org>", "(\\Flagged)")])
        mbsync(p, cfg, w + "third sync")
        srv = p.files()
        c.eq(w + "server flags of message 0 (file name info)", srv.get(inbox[0][1]), "FS")
        c.eq(w + "server flags of message 2 (file name info)", srv.get(inbox[2][1]), "FS")
        got = local_files(os.path.join(local, "INBOX"))
        c.eq(w + "local flags of message 2", got.get(lf(inbox[2][1]), ("", "?"))[1], "FS")
        # 4. Nothing left to do: a fourth sync changes neither side.
        before = (sorted(p.files().items()), sorted((k, v[1]) for k, v in got.items()))
        out = mbsync(p, cfg, w + "fourth sync")
        after = (sorted(p.files().items()),
                 sorted((k, v[1]) for k, v in local_files(os.path.join(local, "INBOX")).items()))
        c.true(w + "fourth sync changes nothing", before == after, out[-500:])


for mode in ("plain", "starttls"):
    run(mode)
c.finish()
