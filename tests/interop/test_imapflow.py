#!/usr/bin/env python3
"""imapflow (npm, installed into the build tree with the machine's npm) against mailwire-imapd,
plain and over STARTTLS: LOGIN, LIST, CREATE, SELECT INBOX, FETCH of every message (source byte
for byte, ENVELOPE, BODYSTRUCTURE, FLAGS, UID), UID SEARCH (ALL, SUBJECT, FROM, BODY, UNSEEN),
STORE +FLAGS (seen in the Maildir file's info), APPEND (bytes, flags, INTERNALDATE), MOVE to a
folder (the file in DIR/.Archive), IDLE seeing a message delivered meanwhile by the test
(tmp/ -> new/), LOGOUT. The client is tests/interop/imapflow_client.mjs; it prints JSON.
With --dovecot (development) the same runs against a private Dovecot IMAP."""
import base64
import json
import os
import shutil
import subprocess
import threading
import time

import imap
import interop

DOVECOT = imap.dovecot_mode()

a = interop.args(__doc__)
c = interop.Checker("imapflow" + (" (dovecot)" if DOVECOT else ""))


def Peer(name, **kw):  # noqa: N802 (used as a class)
    """mailwire-imapd (or, with --dovecot, a private Dovecot) for this test: imap.Peer."""
    return imap.Peer(a, name, "ann", "imap flow-pw", DOVECOT, **kw)


def corpus(tag):
    """(file name, bytes) of four CRLF messages: plain text, another sender, a multipart with an
    attachment and a body word to search, and 8-bit UTF-8 text."""
    att = base64.encodebytes(bytes(range(256)) * 4).replace(b"\n", b"\r\n")
    msgs = [
        interop.message(f"{tag} first"),
        (f"From: Carol <carol@example.net>\r\nTo: ann@example.org\r\nSubject: {tag} second\r\n"
         f"Message-ID: <second.{tag}@example.net>\r\nDate: Wed, 2 Jul 2003 11:00:00 +0000\r\n\r\n"
         "second body\r\n").encode(),
        (f"From: dave@example.com\r\nTo: ann@example.org\r\nSubject: {tag} attachment\r\n"
         f"Message-ID: <third.{tag}@example.com>\r\nDate: Thu, 3 Jul 2003 12:00:00 +0000\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n"
         "--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nthe zebracorn is here\r\n"
         "--b1\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n"
         "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"data.bin\"\r\n\r\n").encode()
        + att + b"--b1--\r\n",
        (f"From: erin@example.org\r\nTo: ann@example.org\r\nSubject: {tag} utf-8\r\n"
         f"Message-ID: <fourth.{tag}@example.org>\r\nDate: Fri, 4 Jul 2003 13:00:00 +0000\r\n"
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
         "na\u00efve caf\u00e9 \u2603\r\n").encode(),
    ]
    return [(f"17100000{i:02d}.M{i}P7Q{i}.mx.test", m) for i, m in enumerate(msgs)]


node, npm = shutil.which("node"), shutil.which("npm")
if node is None or npm is None:
    print("SKIP: node/npm are not installed")
    raise SystemExit(interop.SKIP)
# Installed once per build tree, next to the scratch directories (as test_nodemailer.py does).
prefix = os.path.join(os.path.dirname(a.work), "node")
if not os.path.isdir(os.path.join(prefix, "node_modules", "imapflow")):
    os.makedirs(prefix, exist_ok=True)
    r = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", prefix, "imapflow@1"],
                       capture_output=True, timeout=300)
    if r.returncode != 0:
        print("SKIP: npm install imapflow failed (no npm registry?):", r.stderr.decode(errors="replace")[-500:])
        raise SystemExit(interop.SKIP)
script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "imapflow_client.mjs")


def run_client(p, mode, append_path, idle_message):
    """Runs the client; delivers `idle_message` when it says it is idling. Returns its JSON."""
    ca = [interop.make_cert(a.work)[0]] if p.tls else []
    proc = subprocess.Popen([node, script, prefix, str(p.port), mode, p.user, p.password, append_path] + ca,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    timer = threading.Timer(120, proc.kill)
    timer.start()
    result, delivered = None, False
    for line in proc.stdout:
        try:
            obj = json.loads(line)
        except ValueError:
            print("imapflow client:", line.decode(errors="replace").rstrip())
            continue
        if obj.get("event") == "idling":
            time.sleep(0.3)  # the IDLE command is on its way; let the server enter IDLE first
            if not delivered:
                p.deliver("1710009999.M99P7Q99.mx.test", idle_message)
            delivered = True
        else:
            result = obj
    rc = proc.wait()
    timer.cancel()
    err = proc.stderr.read().decode(errors="replace")
    why = f"{err[-800:]} {result and result.get('error')} {result and result.get('errors')}"
    c.eq(f"{mode}: client exit status ({why.strip()})", rc, 0)
    c.true(f"{mode}: the client reached IDLE and the test delivered", delivered)
    return result or {}


def check(p, mode, msgs):
    by_bytes = {m: n for n, m in msgs}
    appended = (b"From: Ann <ann@example.org>\r\nTo: ann@example.org\r\nSubject: appended by imapflow\r\n"
                b"Message-ID: <appended." + mode.encode() + b"@example.org>\r\n\r\nappended body\r\n")
    append_path = os.path.join(p.dir, "append.eml")
    with open(append_path, "wb") as f:
        f.write(appended)
    idle_message = interop.message(f"delivered during IDLE {mode}")
    r = run_client(p, mode, append_path, idle_message)
    w = f"{mode}: "
    c.eq(w + "steps", r.get("steps"), ["connect", "list", "create", "open", "fetch", "structure", "search all",
                                        "search subject", "search body", "search unseen", "search from", "flags",
                                        "append", "move", "idle", "logout"])
    c.eq(w + "errors of the steps", r.get("errors"), {})
    if mode == "starttls":
        c.true(w + "TLS was on", r.get("secure") is True, repr(r.get("secure")))
    caps = r.get("capabilities", [])
    for cap in ("IMAP4rev1", "IDLE", "UIDPLUS", "MOVE"):
        c.true(w + f"capability {cap}", cap in caps, repr(caps))
    c.true(w + "LIST has INBOX", any(m["path"] == "INBOX" for m in r.get("list", [])), repr(r.get("list")))
    c.true(w + "CREATE Archive", bool(r.get("create", {}).get("path") == "Archive"), repr(r.get("create")))
    inbox = r.get("inbox", {})
    c.eq(w + "SELECT INBOX exists", inbox.get("exists"), len(msgs))
    c.true(w + "UIDVALIDITY non-zero", str(inbox.get("uidValidity", "0")) != "0", repr(inbox))
    fetched = r.get("fetch", [])
    c.eq(w + "FETCH count", len(fetched), len(msgs))
    src = {}
    for m in fetched:
        data = base64.b64decode(m["source"] or "")
        src[data] = m
    c.eq(w + "FETCH sources byte for byte", sorted(src), sorted(by_bytes))
    uid_of = {by_bytes.get(d): m["uid"] for d, m in src.items()}
    names = [n for n, _ in msgs]
    c.eq(w + "FETCH uids ascending with sequence numbers", [m["uid"] for m in fetched],
         sorted(m["uid"] for m in fetched))
    c.eq(w + "FETCH seq", [m["seq"] for m in fetched], list(range(1, len(msgs) + 1)))
    for m in fetched + [r.get("appended") or {}]:  # \Recent (IMAP4rev1 only, per session) is not checked
        if "flags" in m:
            m["flags"] = [f for f in m["flags"] if f != "\\Recent"]
    r["flagsAfter"] = [f for f in r.get("flagsAfter") or [] if f != "\\Recent"]
    for data, m in src.items():
        i = names.index(by_bytes[data]) if data in by_bytes else -1
        if i < 0:
            continue
        c.eq(w + f"message {i}: RFC822.SIZE", m["size"], len(data))
        c.eq(w + f"message {i}: FLAGS (new/, never read)", m["flags"], [])
        env = m.get("envelope") or {}
        subject = data.split(b"Subject: ")[1].split(b"\r\n")[0].decode()
        c.eq(w + f"message {i}: ENVELOPE subject", env.get("subject"), subject)
        mid = data.split(b"Message-ID: ")[1].split(b"\r\n")[0].decode()
        c.eq(w + f"message {i}: ENVELOPE message-id", env.get("messageId"), mid)
        frm = data.split(b"From: ")[1].split(b"\r\n")[0].decode()
        c.eq(w + f"message {i}: ENVELOPE from address", [x["address"] for x in env.get("from", [])],
             [frm.split("<")[1].rstrip(">") if "<" in frm else frm])
        bs = m.get("bodyStructure") or {}
        if i == 2:
            c.eq(w + "message 2: BODYSTRUCTURE type", bs.get("type"), "multipart/mixed")
            kids = bs.get("childNodes") or []
            c.eq(w + "message 2: parts", [k.get("type") for k in kids], ["text/plain", "application/octet-stream"])
            if len(kids) == 2:
                c.eq(w + "message 2: attachment encoding", kids[1].get("encoding"), "base64")
                c.eq(w + "message 2: attachment name", kids[1].get("parameters", {}).get("name"), "data.bin")
                c.eq(w + "message 2: disposition", kids[1].get("disposition"), "attachment")
        else:
            c.eq(w + f"message {i}: BODYSTRUCTURE type", bs.get("type"), "text/plain")
        if i == 3:
            c.eq(w + "message 3: charset", (bs.get("parameters") or {}).get("charset"), "utf-8")
            c.eq(w + "message 3: encoding", bs.get("encoding"), "8bit")
    uids = [uid_of.get(n) for n in names]
    s = r.get("search", {})
    c.eq(w + "UID SEARCH ALL", sorted(s.get("all") or []), sorted(uids))
    c.eq(w + "UID SEARCH SUBJECT", s.get("subject"), [uids[1]])
    c.eq(w + "UID SEARCH FROM", s.get("from"), [uids[1]])
    c.eq(w + "UID SEARCH BODY (in a MIME part)", s.get("body"), [uids[2]])
    c.eq(w + "UID SEARCH UNSEEN", sorted(s.get("unseen") or []), sorted(uids))
    c.true(w + "STORE +FLAGS", r.get("flagsAdd") is True, repr(r.get("flagsAdd")))
    c.eq(w + "flags after STORE", r.get("flagsAfter"), ["\\Flagged", "\\Seen"])
    c.eq(w + "UNSEEN after STORE", sorted(r.get("unseenAfter") or []), sorted(x for x in uids[1:]))
    ap = r.get("append") or {}
    c.true(w + "APPEND gave a UID (APPENDUID)", isinstance(ap.get("uid"), int), repr(ap))
    got = r.get("appended") or {}
    c.eq(w + "APPENDed message fetched back", base64.b64decode(got.get("source") or ""), appended)
    c.eq(w + "APPENDed flags", got.get("flags"), ["\\Draft"])
    c.eq(w + "APPENDed INTERNALDATE", got.get("internalDate"), "2024-02-03T04:05:06.000Z")
    mv = r.get("move") or {}
    c.eq(w + "MOVE uid map source", [e[0] for e in mv.get("uidMap") or []], [uids[1]])
    c.eq(w + "STATUS Archive MESSAGES", (r.get("statusArchive") or {}).get("messages"), 1)
    c.eq(w + "STATUS INBOX MESSAGES", (r.get("statusInbox") or {}).get("messages"), len(msgs))
    idle = r.get("idle") or {}
    c.true(w + "IDLE: the EXISTS came", idle.get("timedOut") is False, repr(idle))
    c.eq(w + "IDLE: EXISTS count", [e["count"] for e in idle.get("existsEvents", [])][:1], [len(msgs) + 1])
    c.eq(w + "IDLE: the delivered message fetched", base64.b64decode((idle.get("message") or {}).get("source") or ""),
         idle_message)
    # The Maildir after LOGOUT.
    time.sleep(0.3)
    files = p.files()
    c.eq(w + "Maildir: flags of message 0 in the file name", "".join(sorted(files.get(msgs[0][1], "?"))), "FS")
    c.true(w + "Maildir: the moved message left INBOX", msgs[1][1] not in files)
    c.eq(w + "Maildir: the moved message in .Archive", list(p.files(".Archive")), [msgs[1][1]])
    # Dovecot stores LF line ends (mail_save_crlf = no); mailwire-imapd keeps the bytes it was given.
    c.eq(w + "Maildir: the APPENDed file with D",
         files.get(appended.replace(b"\r\n", b"\n") if DOVECOT else appended), "D")
    c.true(w + "Maildir: the IDLE delivery", idle_message in files)


for mode in ("plain", "starttls"):
    msgs = corpus("imapflow")
    with Peer("imapflow-" + mode, tls=(mode == "starttls"), messages=msgs) as p:
        check(p, mode, msgs)

c.finish()
