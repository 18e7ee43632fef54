#!/usr/bin/env python3
"""mailwire-imapd against Dovecot's IMAP server on the same 10,000-message Maildir (issue 8
section 4): the time to FETCH every message's header, and the server's memory with 50
concurrent sessions.

  benchmarks/imapd_bench.py [--bin build/bin/mailwire-imapd] [--messages 10000] [--runs 5]
                            [--sessions 50] [--no-dovecot]

Both servers run on 127.0.0.1 (free ports), from temporary directories: `mailwire-imapd --listen
--maildir DIR --users FILE`, and a private Dovecot (tests/interop/dovecot.py: `dovecot -F -c
FILE`, needs root and dovecot-imapd; skipped with a note otherwise). The Maildir is generated
(fixed seed): messages of 2-6 KB with 12-20 header fields, the same bytes in both Maildirs.

One run = one connection: LOGIN, SELECT INBOX, `FETCH 1:* (UID BODY.PEEK[HEADER])`, read up to
the tagged OK, LOGOUT; timed from the FETCH to its OK (wall clock, a raw-socket client reading
64 KiB at a time, so the client is not what is measured). Each server gets a warm-up run first
(Dovecot builds its index then, mailwire-imapd its UID list), then --runs timed runs; the median
is reported, and the ratio Dovecot / mailwire (> 1: mailwire is faster). The response is checked:
10,000 FETCH responses whose header octets add up to the Maildir's.

Memory: --sessions clients connect at once and each runs the FETCH; mailwire-imapd is one
process, so its VmRSS (sampled every 20 ms from /proc) is what the sessions cost: reported idle,
at the peak of one session, and at the peak of 50 ("flat": the 50-session peak stays within a
few MB of one session's, i.e. no session holds the mailbox's data). For Dovecot (a process per
session) the sum over its imap processes is printed for reference.

Exit status 0 when the runs completed and the responses checked; the ratio is printed, not
asserted (the machine's load changes it)."""
import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "interop"))

USER, PASSWORD = "bench", "bench-pw"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=os.path.join(HERE, "..", "build", "bin", "mailwire-imapd"))
    p.add_argument("--messages", type=int, default=10000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--sessions", type=int, default=50)
    p.add_argument("--no-dovecot", action="store_true", help="measure mailwire-imapd alone")
    return p.parse_args()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start on port {port}")


WORDS = ("mail quarterly report meeting agenda invoice project update review draft budget team "
         "release notes schedule travel lunch build server backup holiday figures").split()


def make_messages(n, seed=5322):
    """n (file name, bytes) pairs: CRLF messages, headers of 12-20 fields, bodies 1.5-5 KB."""
    rng = random.Random(seed)
    out = []
    base = 1_700_000_000
    for i in range(n):
        words = lambda k: " ".join(rng.choice(WORDS) for _ in range(k))
        h = [f"Return-Path: <sender{i % 97}@example.org>",
             f"Received: from mx{i % 7}.example.org (mx{i % 7}.example.org [192.0.2.{i % 250 + 1}])\r\n"
             f"\tby mail.example.net with ESMTPS id {rng.getrandbits(48):012x}; Tue, 14 Nov 2023 10:{i % 60:02d}:00 +0000",
             f"Message-ID: <{rng.getrandbits(64):016x}.{i}@example.org>",
             f"Date: Tue, 14 Nov 2023 10:{i % 60:02d}:{(i * 7) % 60:02d} +0000",
             f"From: \"Sender {i % 97}\" <sender{i % 97}@example.org>",
             f"To: \"Recipient\" <{USER}@example.net>",
             f"Subject: {words(rng.randint(3, 9))}",
             "MIME-Version: 1.0",
             "Content-Type: text/plain; charset=utf-8",
             "Content-Transfer-Encoding: 8bit"]
        for k in range(rng.randint(2, 10)):
            h.append(f"X-Bench-{k}: {words(rng.randint(2, 8))}")
        body_lines = []
        size = rng.randint(1500, 5000)
        while sum(len(l) + 2 for l in body_lines) < size:
            body_lines.append(words(rng.randint(6, 12)))
        data = ("\r\n".join(h) + "\r\n\r\n" + "\r\n".join(body_lines) + "\r\n").encode()
        name = f"{base + i}.M{i}P1.bench,S={len(data)}"
        out.append((name, data))
    return out


def header_octets(messages):
    return sum(d.index(b"\r\n\r\n") + 4 for _, d in messages)


def write_maildir(md, messages, owner=None):
    for d in (md, md + "/new", md + "/cur", md + "/tmp"):
        os.makedirs(d, exist_ok=True)
        if owner:
            os.chown(d, *owner)
    for name, data in messages:
        p = os.path.join(md, "cur", name + ":2,S")
        with open(p, "wb") as f:
            f.write(data)
        if owner:
            os.chown(p, *owner)


def proc_rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


LITERAL = re.compile(rb"\{(\d+)\}\r\n$")


async def session(port, user, password, stats, start_gate=None):
    """LOGIN, SELECT, FETCH 1:* (UID BODY.PEEK[HEADER]), LOGOUT; returns (seconds, fetches, octets)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    buf = bytearray()

    async def line():
        nonlocal buf
        while True:
            i = buf.find(b"\r\n")
            if i >= 0:
                out = bytes(buf[:i + 2])
                del buf[:i + 2]
                return out
            chunk = await reader.read(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            buf += chunk

    async def exact(n):
        nonlocal buf
        while len(buf) < n:
            chunk = await reader.read(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            buf += chunk
        out = bytes(buf[:n])
        del buf[:n]
        return out

    async def command(tag, text):
        writer.write(f"{tag} {text}\r\n".encode())
        await writer.drain()
        while True:
            l = await line()
            if l.startswith(tag.encode() + b" "):
                if not l.startswith(tag.encode() + b" OK"):
                    raise RuntimeError(f"{text!r}: {l!r}")
                return
            m = LITERAL.search(l)
            if m:
                await exact(int(m.group(1)))

    await line()  # greeting
    await command("a1", f"LOGIN {user} \"{password}\"")
    await command("a2", "SELECT INBOX")
    if start_gate is not None:
        await start_gate.wait()
    writer.write(b"a3 FETCH 1:* (UID BODY.PEEK[HEADER])\r\n")
    await writer.drain()
    t0 = time.perf_counter()
    fetches = octets = 0
    while True:
        l = await line()
        if l.startswith(b"a3 "):
            if not l.startswith(b"a3 OK"):
                raise RuntimeError(f"FETCH: {l!r}")
            break
        if l.startswith(b"* ") and b" FETCH " in l:
            fetches += 1
        m = LITERAL.search(l)
        if m:
            n = int(m.group(1))
            await exact(n)
            octets += n
            # the rest of the FETCH after the literal ends with ")\r\n"
            rest = await line()
            m2 = LITERAL.search(rest)
            if m2:
                raise RuntimeError("a second literal in one FETCH")
    elapsed = time.perf_counter() - t0
    await command("a4", "LOGOUT")
    writer.close()
    stats.append((elapsed, fetches, octets))
    return elapsed


async def sampler(pids, samples, stop):
    while not stop.is_set():
        total = 0
        for pid in pids():
            total += proc_rss_kb(pid) or 0
        samples.append(total)
        await asyncio.sleep(0.02)


def dovecot_imap_pids(dove):
    """The private Dovecot's imap processes (one per session): children of its master."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
            with open(f"/proc/{d}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == dove.proc.pid and cmd and cmd[0].endswith(b"/imap"):
            out.append(int(d))
    return out


def measure(name, port, user, password, runs, sessions, pids, messages):
    want_octets = header_octets(messages)
    stats = []
    asyncio.run(session(port, user, password, stats))  # warm-up
    times = []
    for _ in range(runs):
        stats.clear()
        times.append(asyncio.run(session(port, user, password, stats)))
        _, fetches, octets = stats[0]
        if fetches != len(messages) or octets != want_octets:
            raise RuntimeError(f"{name}: {fetches} FETCH responses with {octets} header octets; "
                               f"want {len(messages)} and {want_octets}")
    med = statistics.median(times)
    print(f"{name:16} FETCH 1:* (UID BODY.PEEK[HEADER]) of {len(messages)} messages: median "
          f"{med * 1000:.1f} ms over {runs} runs ({want_octets / med / 1e6:.1f} MB/s of headers; "
          f"min {min(times) * 1000:.1f} ms)")

    async def memory(n):
        samples, stop, gate = [], asyncio.Event(), asyncio.Event()
        st = []
        task = asyncio.create_task(sampler(pids, samples, stop))
        clients = [asyncio.create_task(session(port, user, password, st, gate)) for _ in range(n)]
        await asyncio.sleep(0.3)  # all logged in and selected
        gate.set()
        t0 = time.perf_counter()
        await asyncio.gather(*clients)
        wall = time.perf_counter() - t0
        stop.set()
        await task
        bad = [s for s in st if s[1] != len(messages) or s[2] != want_octets]
        if bad:
            raise RuntimeError(f"{name}: {len(bad)} of {n} concurrent sessions got a wrong answer")
        return max(samples) if samples else 0, wall

    idle = sum(proc_rss_kb(p) or 0 for p in pids())
    one, _ = asyncio.run(memory(1))
    many, wall = asyncio.run(memory(sessions))
    print(f"{name:16} RSS: idle {idle / 1024:.1f} MB, peak with 1 session {one / 1024:.1f} MB, peak with "
          f"{sessions} concurrent sessions {many / 1024:.1f} MB ({sessions} x {len(messages)} headers "
          f"in {wall:.2f} s)")
    return med, idle, one, many


def main():
    a = parse_args()
    messages = make_messages(a.messages)
    print(f"Maildir: {len(messages)} messages, {sum(len(d) for _, d in messages) / 1e6:.1f} MB, "
          f"{header_octets(messages) / 1e6:.1f} MB of headers; load {os.getloadavg()[0]:.1f}")
    results = {}
    work = tempfile.mkdtemp(prefix="mailwire-imapd-bench-")
    try:
        md = os.path.join(work, "Maildir")
        write_maildir(md, messages)
        users = os.path.join(work, "users")
        with open(users, "w") as f:
            f.write(f"{USER}:{PASSWORD}\n")
        port = free_port()
        proc = subprocess.Popen([a.bin, "--listen", f"127.0.0.1:{port}", "--maildir", md, "--users", users],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(work, "imapd.log"), "wb"))
        try:
            wait_port(port, proc, "mailwire-imapd")
            results["mailwire-imapd"] = measure("mailwire-imapd", port, USER, PASSWORD, a.runs, a.sessions,
                                                lambda: [proc.pid], messages)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not a.no_dovecot:
            import dovecot
            why = dovecot.available(("imap",))
            if why:
                print(f"Dovecot: skipped ({why})")
            else:
                dove = dovecot.Dovecot("bench", protocols=("imap",))
                with open(dove.conf, "a") as f:  # the default is 10 sessions per user and address
                    f.write(f"protocol imap {{\n  mail_max_userip_connections = {a.sessions + 10}\n}}\n")
                with dove:
                    user = "bob@" + dovecot.DOMAIN
                    home = os.path.join(dove.home, "bob")
                    os.makedirs(home, exist_ok=True)
                    os.chown(home, dove.uid, dove.gid)
                    write_maildir(dove.maildir("bob"), messages, (dove.uid, dove.gid))
                    results["dovecot"] = measure("dovecot", dove.port["imap"], user, dovecot.PASSWORDS["bob"],
                                                 a.runs, a.sessions, lambda: dovecot_imap_pids(dove), messages)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if "dovecot" in results:
        r = results["dovecot"][0] / results["mailwire-imapd"][0]
        print(f"ratio: Dovecot time / mailwire-imapd time = {r:.2f} ({'mailwire faster' if r >= 1 else 'Dovecot faster'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
