"""Shared helpers of the interop tests (tests/interop): a mailwire-smtpd on a free loopback port
with its own Maildir, a self-signed certificate made with the openssl CLI, and checks of the
delivered files byte for byte.

Every test script takes --bin PATH (mailwire-smtpd) and --work DIR (a scratch directory in the
build tree) and exits 0 when all its checks pass, 77 when its peer is missing (ctest
SKIP_RETURN_CODE), 1 otherwise."""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77


def args(description, send=False, fetch=False):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--bin", required=True, help="the mailwire server under test")
    if send:
        p.add_argument("--send", required=True, help="mailwire-send")
    if fetch:
        p.add_argument("--fetch", required=True, help="mailwire-fetch")
    p.add_argument("--work", default=None, help="scratch directory (default: a temporary one)")
    a = p.parse_args()
    if a.work:
        os.makedirs(a.work, exist_ok=True)
        a.work = tempfile.mkdtemp(dir=a.work)
    else:
        a.work = tempfile.mkdtemp(prefix="mailwire-interop-")
    return a


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, what="server", timeout=20.0, log=None):
    """Waits until something listens on 127.0.0.1:port; RuntimeError (with log() appended) when
    `proc` exits first or the time is up."""
    deadline = time.time() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if (proc is not None and proc.poll() is not None) or time.time() > deadline:
                raise RuntimeError(f"{what} did not start on port {port}" + (": " + log() if log else ""))
            time.sleep(0.05)


def make_cert(work):
    """A self-signed certificate for 'localhost' made with the openssl CLI: (cert, key)."""
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True)
    return cert, key


class Smtpd:
    """mailwire-smtpd (or another mailwire server taking the same flags: mailwire-pop3d,
    mailwire-imapd) --listen on 127.0.0.1:<free port> with a fresh Maildir (a context manager)."""

    def __init__(self, binary, work, name, tls=False, users=None, extra=(), implicit_tls=False):
        self.dir = os.path.join(work, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.maildir = os.path.join(self.dir, "Maildir")
        self.port = free_port()
        self.tls_port = None
        cmd = [binary, "--listen", f"127.0.0.1:{self.port}", "--maildir", self.maildir,
               "--hostname", "mx.test"]
        if tls or implicit_tls:
            cert, key = make_cert(work)
            cmd += ["--tls-cert", cert, "--tls-key", key]
        if implicit_tls:
            self.tls_port = free_port()
            cmd += ["--tls-port", f"127.0.0.1:{self.tls_port}"]
        if users is not None:
            path = os.path.join(self.dir, "users")
            with open(path, "w") as f:
                for u, pw in users.items():
                    f.write(f"{u}:{pw}\n")
            cmd += ["--users", path]
        cmd += list(extra)
        self.cmd = cmd
        self.tool = os.path.basename(binary)
        self.log_path = os.path.join(self.dir, self.tool + ".log")

    def __enter__(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        for port in [self.port] + ([self.tls_port] if self.tls_port else []):
            wait_port(port, self.proc, self.tool, timeout=10, log=self.logtext)
        # The probe connections above are sessions too; let them end before counting files.
        time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        if exc[0] is None and rc != 0:
            raise RuntimeError(f"{self.tool} exited with {rc}: " + self.logtext())
        return False

    def logtext(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def messages(self, wait_for=None, timeout=5.0):
        """The delivered files (bytes) in name order; waits until `wait_for` are there."""
        deadline = time.time() + timeout
        while True:
            new = os.path.join(self.maildir, "new")
            names = sorted(os.listdir(new)) if os.path.isdir(new) else []
            if wait_for is None or len(names) >= wait_for or time.time() > deadline:
                break
            time.sleep(0.05)
        out = []
        for n in names:
            with open(os.path.join(new, n), "rb") as f:
                out.append(f.read())
        tmp = os.path.join(self.maildir, "tmp")
        if os.path.isdir(tmp) and os.listdir(tmp):
            raise AssertionError(f"files left in tmp/: {os.listdir(tmp)}")
        return out


TRACE_RE = re.compile(rb"\AReturn-Path: (<[^\r\n]*>)\r\nReceived: from ([^\r\n]*)\r\n"
                      rb"\tby mx\.test \(mailwire-smtpd\) with (E?SMTPS?A?|LMTPS?A?) id [0-9A-Za-z]+"
                      rb"(?:\r\n\tfor (<[^\r\n]*>))?;\r\n\t[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} "
                      rb"\d\d:\d\d:\d\d [+-]\d{4}\r\n")


def split_trace(data):
    """(return_path, received_from, protocol, for_rcpt, message) of a delivered file."""
    m = TRACE_RE.match(data)
    if not m:
        raise AssertionError("no Return-Path/Received trace at the top: %r" % data[:300])
    return (m.group(1).decode(), m.group(2).decode(), m.group(3).decode(),
            m.group(4).decode() if m.group(4) else None, data[m.end():])


class Checker:
    def __init__(self, name):
        self.name = name
        self.failures = 0
        self.count = 0

    def eq(self, what, got, want):
        self.count += 1
        if got != want:
            self.failures += 1
            g, w = repr(got), repr(want)
            print(f"FAIL {self.name}: {what}\n  got:  {g[:2000]}\n  want: {w[:2000]}", flush=True)
        return got == want

    def true(self, what, cond, detail=""):
        self.count += 1
        if not cond:
            self.failures += 1
            print(f"FAIL {self.name}: {what} {detail}", flush=True)
        return cond

    def delivered(self, what, server, want_messages, sender=None, protocol=None, rcpt="any"):
        """The Maildir holds exactly `want_messages` (bytes after the trace lines), in any order."""
        got = server.messages(wait_for=len(want_messages))
        if not self.eq(f"{what}: number of deliveries", len(got), len(want_messages)):
            return
        bodies = []
        for data in got:
            try:
                rp, _, proto, for_rcpt, body = split_trace(data)
            except AssertionError as e:
                self.true(f"{what}: trace", False, str(e))
                continue
            if sender is not None:
                self.eq(f"{what}: Return-Path", rp, sender)
            if protocol is not None:
                self.eq(f"{what}: Received protocol", proto, protocol)
            if rcpt != "any":
                self.eq(f"{what}: Received for", for_rcpt, rcpt)
            bodies.append(body)
        self.eq(f"{what}: delivered bytes", sorted(bodies), sorted(want_messages))

    def finish(self):
        if self.failures:
            print(f"{self.name}: {self.failures} of {self.count} checks failed")
            sys.exit(1)
        print(f"{self.name}: all {self.count} checks passed")
        sys.exit(0)


def run_fetch(c, fetch, protocol, port, user, password, out, *extra, expect=0):
    """Runs mailwire-fetch --protocol `protocol` into the Maildir `out`, checks its exit status
    (`expect`) with Checker `c`; returns (standard output stripped, standard error)."""
    r = subprocess.run([fetch, "--server", f"127.0.0.1:{port}", "--protocol", protocol, "--user", user,
                        "--password", password, "--maildir", out] + list(extra),
                       capture_output=True, timeout=300)
    err = r.stderr.decode(errors="replace").strip()
    c.eq(f"fetch {' '.join(extra)} -> {os.path.basename(out)}: exit status ({err[-400:]})", r.returncode, expect)
    return r.stdout.decode().strip(), err


def fetched(c, out):
    """The messages mailwire-fetch wrote into out/new, in delivery order (names start with the
    time and carry a sequence number after Q); checks that out/tmp is empty."""
    files = [os.path.join(out, "new", n) for n in os.listdir(os.path.join(out, "new"))]
    files.sort(key=lambda p: (int(os.path.basename(p).split(".")[0]),
                              int(os.path.basename(p).split("Q")[1].split(".")[0])))
    res = []
    for p in files:
        with open(p, "rb") as f:
            res.append(f.read())
    c.eq(f"{os.path.basename(out)}: tmp/ is empty", os.listdir(os.path.join(out, "tmp")), [])
    return res


def message(subject, extra_lines=()):
    """A test message with CRLF line ends, a dot-started line (stuffed on the wire) and 8-bit-free
    text; `extra_lines` are appended to the body."""
    lines = [f"From: Ann <ann@example.org>", "To: Bob <bob@example.com>", f"Subject: {subject}",
             "Message-ID: <%s@example.org>" % re.sub(r"[^A-Za-z0-9]", "", subject),
             "Date: Tue, 1 Jul 2003 10:52:37 +0200", "", "Hello Bob,",
             ".a line that starts with a dot", "..two dots", "", "-- ", "Ann"] + list(extra_lines)
    return ("\r\n".join(lines) + "\r\n").encode()


def exchange(port, data, timeout=60):
    """Sends `data` (all of it, while reading concurrently), then half-closes and reads until
    the server closes. Returns every byte the server wrote."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    err = []

    def send():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:  # the server may close first (fatal errors)
            err.append(e)

    t = threading.Thread(target=send)
    t.start()
    got = b""
    while True:
        try:
            b = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not b:
            break
        got += b
    t.join()
    s.close()
    return got
