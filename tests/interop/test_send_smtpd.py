#!/usr/bin/env python3
"""mailwire-send -> mailwire-smtpd: STARTTLS + AUTH (--user/--password), implicit TLS + AUTH, a
wrong password, --lmtp against mailwire-smtpd --lmtp with one recipient refused (over
--max-recipients: exit 1, the refused recipient printed with 452 4.5.3), BDAT, a 48 MiB message
from a pipe streamed in bounded memory (the sender's peak RSS measured), usage errors (exit 2);
then scripted fake servers on raw sockets for what real servers do not do: bytes injected after
STARTTLS's 220 (CVE-2011-0411), a 421 in the middle, a connection dropped before the end of the
data, a malformed reply, a server that never answers (--timeout), a 554 greeting."""
import hashlib
import os
import socket
import subprocess
import threading
import time

import interop
import test_send_helpers as h

a = h.args(__doc__)
c = interop.Checker("mailwire-send -> mailwire-smtpd")
users = {"ann": "pw-ann"}
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "send")


def send(port, rcpts, message=None, path=None, extra=(), sender="ann@example.org", timeout=120):
    return h.send(a.send, port, sender, rcpts, message=message, path=path, extra=extra, timeout=timeout)


# 1. STARTTLS + AUTH, implicit TLS + AUTH, wrong password, BDAT.
with interop.Smtpd(a.bin, a.work, "send-tls", users=users, implicit_tls=True, extra=["--require-auth"]) as s:
    m1 = interop.message("send starttls auth")
    r = send(s.port, ["bob@example.com"], message=m1, extra=["--starttls", "--user", "ann", "--password", "pw-ann"])
    c.eq("STARTTLS + AUTH: exit status and stdout", (r.rc, r.out), (0, ""))
    c.true("STARTTLS: the subject on stderr", r.err.startswith("mailwire-send: TLS: TLSv1.")
           and r.err.endswith("peer certificate subject: /CN=localhost\n"), repr(r.err))
    m2 = interop.message("send implicit tls auth")
    r = send(s.tls_port, ["bob@example.com"], message=m2, extra=["--tls", "--user", "ann", "--password", "pw-ann"])
    c.eq("implicit TLS + AUTH: exit status and stdout", (r.rc, r.out), (0, ""))
    r = send(s.port, ["bob@example.com"], message=m1, extra=["--starttls", "--user", "ann", "--password", "nope"])
    c.eq("wrong password: exit status", r.rc, 1)
    c.true("wrong password: stderr", r.err.endswith("mailwire-send: authentication failed: 535 5.7.8 "
                                                   "Authentication credentials invalid\n"), repr(r.err))
    r = send(s.port, ["bob@example.com"], message=m1, extra=["--starttls"])
    c.eq("no AUTH where required: exit status", r.rc, 1)
    c.true("no AUTH where required: MAIL's 530 printed", r.out.startswith("refused bob@example.com: 530 5.7.0 "), r.out)
    m3 = interop.message("send bdat")
    r = send(s.port, ["bob@example.com"], message=m3, extra=["--starttls", "--user", "ann", "--password", "pw-ann",
                                                           "--chunking", "-v"])
    c.eq("BDAT: exit status", r.rc, 0)
    c.true("BDAT: on the wire", "C: BDAT " in r.err and "LAST" in r.err, r.err[-400:])
    c.delivered("TLS + AUTH", s, [m1, m2, m3], sender="<ann@example.org>", rcpt="<bob@example.com>")
    protos = sorted(interop.split_trace(m)[2] for m in s.messages())
    c.eq("TLS + AUTH: protocols", protos, ["ESMTPSA", "ESMTPSA", "ESMTPSA"])

# 2. LMTP with one recipient refused.
with interop.Smtpd(a.bin, a.work, "send-lmtp", extra=["--lmtp", "--max-recipients", "2"]) as s:
    msg = open(os.path.join(DATA, "lf-dots.eml"), "rb").read()
    r = send(s.port, ["r1@example.com", "r2@example.com", "r3@example.com"], path=os.path.join(DATA, "lf-dots.eml"),
             extra=["--lmtp", "-v"])
    c.eq("LMTP: exit status", r.rc, 1)
    c.eq("LMTP: stdout", r.out, "accepted r1@example.com: 250 2.0.0 OK\naccepted r2@example.com: 250 2.0.0 OK\n"
                                "refused r3@example.com: 452 4.5.3 Too many recipients\n")
    c.delivered("LMTP", s, [h.crlf(msg)], sender="<ann@example.org>", protocol="LMTP", rcpt=None)

# 3. A 48 MiB message from a pipe: streamed, the sender's memory stays small.
with interop.Smtpd(a.bin, a.work, "send-big", extra=["--no-fsync"]) as s:
    block = b"".join(b"line %06d .x\r\n" % i + (b".dot line\r\n" if i % 7 == 0 else b"") for i in range(4000))
    head = b"From: ann@example.org\r\nSubject: big\r\n\r\n"
    repeats = (48 << 20) // len(block)
    want = hashlib.sha256(head)
    for _ in range(repeats):
        want.update(block)
    size = len(head) + repeats * len(block)
    p = subprocess.Popen([a.send, "--server", f"127.0.0.1:{s.port}", "--from", "ann@example.org",
                          "--to", "bob@example.com", "--helo", "client.test", "-"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    hwm = [0]  # the sender's peak RSS (VmHWM, kB), sampled while it runs; ru_maxrss from wait4()
    # would count the test's own pages copied at fork time.

    def sample():
        try:
            with open(f"/proc/{p.pid}/status") as st:
                for line in st:
                    if line.startswith("VmHWM:"):
                        hwm[0] = max(hwm[0], int(line.split()[1]))
        except OSError:
            pass

    def feed():
        try:
            p.stdin.write(head)
            for i in range(repeats):
                p.stdin.write(block)
                if i % 64 == 0:
                    sample()
            sample()
            p.stdin.close()
        except BrokenPipeError:
            pass

    t = threading.Thread(target=feed)
    t0 = time.time()
    t.start()
    out = p.stdout.read()
    err = p.stderr.read()
    p.wait()
    t.join()
    secs = time.time() - t0
    c.eq("48 MiB: exit status, stdout, stderr", (p.returncode, out, err), (0, b"", b""))
    rss_mib = hwm[0] / 1024
    print(f"48 MiB message: {size} bytes in {secs:.2f} s ({size / secs / 1e6:.0f} MB/s), "
          f"mailwire-send peak RSS {rss_mib:.1f} MiB")
    if os.environ.get("MAILWIRE_SANITIZED") == "1":
        # AddressSanitizer's shadow memory and quarantine make RSS meaningless; the g++ build checks it.
        print(f"48 MiB: peak RSS {rss_mib:.1f} MiB not checked under the sanitizers")
    else:
        c.true("48 MiB: peak RSS of mailwire-send under 16 MiB (the message is not held)", 0 < rss_mib < 16, f"{rss_mib:.1f} MiB")
    files = s.messages(wait_for=1, timeout=30)
    if c.eq("48 MiB: one delivery", len(files), 1):
        body = interop.split_trace(files[0])[4]
        c.eq("48 MiB: size", len(body), size)
        c.eq("48 MiB: sha256", hashlib.sha256(body).hexdigest(), want.hexdigest())
    del files

# 4. Usage errors and an unreachable server.
port = interop.free_port()
for what, argv in [("no --server", ["--from", "a@b.c", "--to", "d@e.f"]),
                   ("no --to", ["--server", f"127.0.0.1:{port}", "--from", "a@b.c"]),
                   ("no --from", ["--server", f"127.0.0.1:{port}", "--to", "a@b.c"]),
                   ("--starttls and --tls", ["--server", f"127.0.0.1:{port}", "--from", "a@b.c", "--to", "d@e.f",
                                             "--starttls", "--tls"]),
                   ("--user without --password", ["--server", f"127.0.0.1:{port}", "--from", "a@b.c", "--to", "d@e.f",
                                                  "--user", "u"]),
                   ("bad address", ["--server", f"127.0.0.1:{port}", "--from", "a@b.c", "--to", "not an address"]),
                   ("bad server", ["--server", "127.0.0.1", "--from", "a@b.c", "--to", "d@e.f"]),
                   ("unknown option", ["--server", f"127.0.0.1:{port}", "--from", "a@b.c", "--to", "d@e.f", "--bogus"])]:
    cp = subprocess.run([a.send] + argv, input=b"", capture_output=True, timeout=30)
    err = cp.stderr.decode()
    c.eq(f"usage ({what}): exit status", cp.returncode, 2)
    c.true(f"usage ({what}): one 'mailwire-send: ' line", err.startswith("mailwire-send: ") and err.count("\n") == 1, err)
cp = subprocess.run([a.send, "--help"], capture_output=True, timeout=30)
c.true("--help: exit 0 and the usage", cp.returncode == 0 and cp.stdout.startswith(b"usage: mailwire-send"), cp.stdout[:80])
r = send(port, ["bob@example.com"], message=b"x\r\n")
c.eq("connection refused: exit status and stdout", (r.rc, r.out.startswith("refused bob@example.com: (not sent: cannot connect")),
     (1, True))
c.true("connection refused: stderr", r.err.startswith(f"mailwire-send: cannot connect to 127.0.0.1:{port}: "), r.err)
r = send(port, ["bob@example.com"], path=os.path.join(a.work, "missing.eml"))
c.eq("missing FILE: exit status", r.rc, 1)
c.true("missing FILE: stderr", r.err.startswith("mailwire-send: cannot open ") and "No such file" in r.err, r.err)


# 5. Fake servers: a script of (bytes to send, bytes to wait for) on one connection.
class Fake:
    def __init__(self, script):
        self.script = script
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        conn, _ = self.sock.accept()
        conn.settimeout(10)
        try:
            for send_bytes, wait_for in self.script:
                if send_bytes == "close":
                    break
                conn.sendall(send_bytes)
                while wait_for and wait_for not in self.received:
                    d = conn.recv(65536)
                    if not d:
                        return
                    self.received += d
            time.sleep(0.2)
        except OSError:
            pass
        finally:
            conn.close()
            self.sock.close()


EHLO = b"250-fake.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n"
msg = interop.message("fake")
cases = [
    ("STARTTLS plaintext injection", [(b"220 fake.test\r\n", b"EHLO"), (EHLO, b"STARTTLS\r\n"),
                                      (b"220 go ahead\r\n250-injected\r\n", b"\0never")], ["--starttls"],
     "mailwire-send: offset 74: bytes after the STARTTLS reply before TLS\n", b"STARTTLS\r\n"),
    ("421 after MAIL", [(b"220 fake.test\r\n", b"EHLO"), (EHLO, b"DATA\r\n"),
                        (b"421 4.3.2 shutting down\r\n", None)], [],
     "mailwire-send: the server closed the session: 421 4.3.2 shutting down\n", b"DATA\r\n"),
    ("connection dropped in DATA", [(b"220 fake.test\r\n", b"EHLO"), (EHLO, b"DATA\r\n"),
                                    (b"250 ok\r\n250 ok\r\n354 go\r\n", b"\r\n.\r\n"), ("close", None)], [],
     "mailwire-send: the server closed the connection before the message was accepted\n", b"\r\n.\r\n"),
    ("malformed reply", [(b"220 fake.test\r\n", b"EHLO"), (b"250-fake.test\r\n25O oops\r\n", b"\0never")], [],
     "mailwire-send: offset 32: malformed reply (bad reply code)\n", b"EHLO"),
    ("554 greeting", [(b"554 5.3.2 go away\r\n", b"QUIT\r\n"), (b"221 bye\r\n", None)], [],
     "mailwire-send: the server refused the connection: 554 5.3.2 go away\n", b"QUIT\r\n"),
    ("no answer (--timeout 1)", [(b"220 fake.test\r\n", b"\0never")], ["--timeout", "1"],
     "mailwire-send: waiting for the server: no answer within 1 s\n", b"EHLO"),
]
for name, script, extra, want_err, want_seen in cases:
    f = Fake(script)
    t0 = time.time()
    r = send(f.port, ["bob@example.com"], message=msg, extra=extra, timeout=30)
    f.thread.join(15)
    c.eq(f"{name}: exit status", r.rc, 1)
    c.true(f"{name}: stderr", r.err.startswith(want_err), repr(r.err))
    c.true(f"{name}: the recipient printed", r.out.startswith("refused bob@example.com: "), repr(r.out))
    c.true(f"{name}: the server saw {want_seen!r}", want_seen in f.received, repr(f.received[-200:]))
    if name == "STARTTLS plaintext injection":
        c.true(f"{name}: nothing sent after STARTTLS", f.received.endswith(b"STARTTLS\r\n"), repr(f.received))
    if name == "554 greeting":
        c.eq(f"{name}: only QUIT", f.received, b"QUIT\r\n")
    if name.startswith("no answer"):
        c.true(f"{name}: gave up after about 1 s", time.time() - t0 < 10, f"{time.time() - t0:.1f} s")

c.finish()
