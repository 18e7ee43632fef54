#!/usr/bin/env python3
"""curl's IMAP client against mailwire-imapd: FETCH by UID (imap://host/INBOX;UID=n) byte for
byte, LIST, APPEND with -T, EXAMINE-free SEARCH via -X, and STARTTLS (--ssl-reqd)."""
import os
import shutil
import subprocess
import sys

import imap
import interop

a = interop.args(__doc__)
if shutil.which("curl") is None:
    print("curl not installed: skipped")
    sys.exit(interop.SKIP)
c = interop.Checker("curl imap")


def curl(*args):
    return subprocess.run(["curl", "-sS", "--max-time", "60", "-u", "ann:imap-pw"] + list(args),
                          capture_output=True, timeout=90)


with imap.Imapd(a.bin, a.work, "curl-imap", tls=True) as srv:
    base = f"imap://127.0.0.1:{srv.port}"
    msgs = [imap.wire(m) for _, m in srv.messages_in]
    for uid in (1, 4, 5, 6):
        r = curl(f"{base}/INBOX;UID={uid}")
        c.eq(f"UID={uid}: exit 0", r.returncode, 0)
        c.eq(f"UID={uid}: bytes", r.stdout, msgs[uid - 1])
    r = curl(f"{base}/")
    c.eq("LIST: exit 0", r.returncode, 0)
    c.true("LIST: INBOX", b'"INBOX"' in r.stdout, r.stdout)
    path = os.path.join(a.work, "upload.eml")
    up = interop.message("uploaded by curl")
    with open(path, "wb") as f:
        f.write(up)
    r = curl("-T", path, f"{base}/INBOX")
    c.eq("APPEND -T: exit 0", r.returncode, 0)
    r = curl(f"{base}/INBOX;UID=7")
    c.eq("APPEND -T then FETCH", r.stdout, up)
    r = curl("-X", "SEARCH SUBJECT uploaded", f"{base}/INBOX")
    c.eq("SEARCH via -X", r.stdout.strip(), b"* SEARCH 7")
    cert, _ = interop.make_cert(a.work)
    r = curl("--ssl-reqd", "--cacert", cert, f"imap://localhost:{srv.port}/INBOX;UID=2")
    c.eq("STARTTLS: exit 0", r.returncode, 0, )
    c.eq("STARTTLS: bytes", r.stdout, msgs[1])
c.finish()
