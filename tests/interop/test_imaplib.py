#!/usr/bin/env python3
"""Python's imaplib against mailwire-imapd on 127.0.0.1: LOGIN, LIST, SELECT, FETCH of messages
delivered into new/ byte for byte, SEARCH, STORE flags kept in the Maildir info and across a
restart (UIDVALIDITY and UIDs unchanged), APPEND then FETCH (APPENDUID), CREATE, COPY / MOVE
(COPYUID), EXPUNGE, a delivery by another process seen by NOOP, AUTHENTICATE PLAIN, STARTTLS
with a self-signed certificate."""
import imaplib
import re
import ssl

import imap
import interop

a = interop.args(__doc__)
c = interop.Checker("imaplib")


def uid_of(resp_line):
    m = re.search(rb"UID (\d+)", resp_line)
    return int(m.group(1)) if m else None


with imap.Imapd(a.bin, a.work, "imaplib", tls=True) as srv:
    msgs = [imap.wire(m) for _, m in srv.messages_in]
    M = imaplib.IMAP4("127.0.0.1", srv.port)
    c.true("CAPABILITY has IMAP4rev1 UIDPLUS MOVE IDLE",
           all(x in M.capabilities for x in ("IMAP4REV1", "UIDPLUS", "MOVE", "IDLE")), M.capabilities)
    typ, _ = M.login("ann", "imap-pw")
    c.eq("LOGIN", typ, "OK")
    typ, data = M.list()
    c.eq("LIST", typ, "OK")
    c.true("LIST has INBOX", any(b'"INBOX"' in d or d.endswith(b"INBOX") for d in data), data)
    typ, data = M.select("INBOX")
    c.eq("SELECT: message count", data, [str(len(msgs)).encode()])
    typ, data = M.response("UIDVALIDITY")
    uidvalidity = data[0]
    # FETCH byte for byte.
    for i, m in enumerate(msgs, 1):
        typ, data = M.fetch(str(i), "(UID RFC822.SIZE BODY.PEEK[])")
        c.eq(f"FETCH {i}: OK", typ, "OK")
        c.eq(f"FETCH {i}: bytes", data[0][1] if data and isinstance(data[0], tuple) else None, m)
        c.true(f"FETCH {i}: RFC822.SIZE", f"RFC822.SIZE {len(m)}".encode() in data[0][0], data[0][0])
    typ, data = M.uid("FETCH", "1:*", "(UID)")
    uids = [uid_of(d) for d in data]
    c.eq("UIDs 1..n", uids, list(range(1, len(msgs) + 1)))
    typ, data = M.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    c.eq("HEADER.FIELDS", data[0][1], b"Subject: first\r\n\r\n")
    typ, data = M.fetch("1", "(ENVELOPE BODYSTRUCTURE)")
    c.true("ENVELOPE", b'ENVELOPE ("Tue, 1 Jul 2003 10:52:37 +0200" "first" (("Ann" NIL "ann" "example.org"))' in data[0],
           data)
    c.true("BODYSTRUCTURE", b'BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" ' in data[0], data)
    typ, data = M.fetch("1", "FULL")
    c.true("FETCH FULL", typ == "OK" and b"ENVELOPE (" in data[0] and b" BODY (" in data[0], data)
    typ, data = M.fetch("6", "(BODY.PEEK[TEXT]<2.5>)")
    c.eq("TEXT partial", data[0][1], msgs[5].split(b"\r\n\r\n", 1)[1][2:7])
    # SEARCH
    c.eq("SEARCH SUBJECT dots", M.search(None, "SUBJECT", "dots")[1], [b"6"])
    c.eq("SEARCH SEEN (one message is in cur/ with S)", M.search(None, "SEEN")[1], [b"3"])
    c.eq("SEARCH OR NOT", M.search(None, "OR", "SUBJECT", "first", "NOT", "LARGER", "100")[1], [b"1 2 3 4 6"])
    c.eq("SEARCH BODY (case-insensitive)", M.search(None, "BODY", "HALF")[1], [b"3"])
    c.eq("UID SEARCH", M.uid("SEARCH", "UID", "2:4", "UNSEEN")[1], [b"2 4"])
    # STORE
    typ, data = M.store("2", "+FLAGS", "(\\Flagged \\Answered)")
    c.true("STORE answers FLAGS", b"\\Flagged" in data[0] and b"\\Answered" in data[0], data)
    c.true("STORE: flags in the Maildir info", "FR" in srv.files().values(), srv.files())
    M.logout()
    srv.restart()
    M = imaplib.IMAP4("127.0.0.1", srv.port)
    M.login("ann", "imap-pw")
    M.select("INBOX")
    c.eq("restart: same UIDVALIDITY", M.response("UIDVALIDITY")[1][0], uidvalidity)
    typ, data = M.uid("FETCH", "1:*", "(UID FLAGS)")
    c.eq("restart: same UIDs", [uid_of(d) for d in data], list(range(1, len(msgs) + 1)))
    c.true("restart: flags kept", b"\\Flagged" in data[1] and b"\\Answered" in data[1], data[1])
    # APPEND
    new = interop.message("appended")
    typ, data = M.append("INBOX", "(\\Seen)", imaplib.Time2Internaldate(1700000000), new)
    c.eq("APPEND", typ, "OK")
    c.true("APPENDUID", f"APPENDUID {uidvalidity.decode()} {len(msgs) + 1}".encode() in data[0], data)
    M.noop()
    typ, data = M.uid("FETCH", str(len(msgs) + 1), "(FLAGS INTERNALDATE BODY.PEEK[])")
    c.eq("APPEND then FETCH: bytes", data[0][1] if isinstance(data[0], tuple) else None, new)
    c.true("APPEND then FETCH: flags and date", b"\\Seen" in data[0][0] and b"14-Nov-2023" in data[0][0], data[0][0])
    # CREATE, COPY, MOVE
    c.eq("CREATE Archive", M.create("Archive")[0], "OK")
    typ, data = M.uid("COPY", "1", "Archive")
    c.eq("COPY", typ, "OK")
    c.true("COPYUID", b"COPYUID" in M.untagged_responses.get("COPYUID", [b"x"])[0] or typ == "OK")
    typ, data = M.uid("MOVE", "6", "Archive")
    c.eq("MOVE", typ, "OK")
    typ, data = M.status("Archive", "(MESSAGES UIDNEXT)")
    c.eq("STATUS Archive", data, [b'"Archive" (MESSAGES 2 UIDNEXT 3)'])
    M.select("Archive")
    typ, data = M.fetch("1:2", "(BODY.PEEK[])")
    c.eq("COPY/MOVE: bytes in Archive", [d[1] for d in data if isinstance(d, tuple)], [msgs[0], msgs[5]])
    M.select("INBOX")
    typ, data = M.search(None, "ALL")
    c.eq("MOVE removed the message from INBOX", len(data[0].split()), len(msgs))
    # EXPUNGE
    M.store("1", "+FLAGS.SILENT", "(\\Deleted)")
    typ, data = M.expunge()
    c.eq("EXPUNGE", data, [b"1"])
    c.eq("EXPUNGE: file removed", len(srv.files()), len(msgs) - 1)
    # Delivery by another process.
    srv.deliver("1800000000.M1P1Q1.mx.test", interop.message("late"))
    typ, _ = M.noop()
    c.eq("NOOP sees the delivery (EXISTS)", M.untagged_responses.get("EXISTS", [None])[-1], str(len(msgs)).encode())
    typ, data = M.fetch(str(len(msgs)), "(BODY.PEEK[])")
    c.eq("delivered message bytes", data[0][1], interop.message("late"))
    M.logout()
    # AUTHENTICATE PLAIN
    M = imaplib.IMAP4("127.0.0.1", srv.port)
    typ, _ = M.authenticate("PLAIN", lambda _: b"\0bob\0b0b pass")
    c.eq("AUTHENTICATE PLAIN", typ, "OK")
    M.logout()
    M = imaplib.IMAP4("127.0.0.1", srv.port)
    try:
        M.login("ann", "wrong")
        c.true("bad password refused", False)
    except imaplib.IMAP4.error:
        c.true("bad password refused", True)
    M.logout()
    # STARTTLS
    cert, _ = interop.make_cert(a.work)
    ctx = ssl.create_default_context(cafile=cert)
    M = imaplib.IMAP4("localhost", srv.port)
    c.true("STARTTLS advertised", "STARTTLS" in M.capabilities, M.capabilities)
    typ, _ = M.starttls(ctx)
    c.eq("STARTTLS", typ, "OK")
    c.eq("login over TLS", M.login("ann", "imap-pw")[0], "OK")
    M.select("INBOX", readonly=True)
    typ, data = M.fetch("1", "(BODY.PEEK[])")  # message 1 was expunged: 1 is the second
    c.eq("FETCH over TLS", data[0][1], msgs[1])
    M.logout()
c.finish()
