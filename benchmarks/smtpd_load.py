#!/usr/bin/env python3
"""Load test of mailwire-smtpd on loopback (issue 5 section 5: at least 2,000 messages/s of
10 KB from 50 concurrent clients, with flat memory).

  benchmarks/smtpd_load.py [--bin build/bin/mailwire-smtpd] [--clients 50] [--messages 20000]
                           [--seconds 60] [--size 10240] [--per-connection 200] [--no-fsync]

Starts `mailwire-smtpd --listen 127.0.0.1:<free port> --maildir <temp dir> --quiet`, then runs
N clients on one asyncio loop with raw sockets (not smtplib, whose per-line Python work would be
what is measured). Each client opens a connection, sends EHLO, and then pipelines as RFC 2920
allows: the message content, its CRLF.CRLF and the next MAIL/RCPT/DATA go out in one write, and
the client waits for the 250 of the message and the 250/250/354 of the next envelope — one round
trip per message. After --per-connection messages it sends QUIT and reconnects. It stops at
--messages accepted messages or after --seconds, whichever comes first.

messages/s = messages answered 250 after their data / wall time from the first connection to the
last answer. Every accepted message is in the Maildir's new/ (checked at the end: count and
size). The server's memory is read from /proc/PID/status (VmRSS sampled every 100 ms, VmHWM at
the end); "flat" means the RSS at 25%, 50%, 75% and 100% of the run stays within a small margin.
By default each message is fsync()ed before the 250 (as the server does unless --no-fsync)."""
import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def parse_args():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=os.path.join(here, "..", "build", "bin", "mailwire-smtpd"))
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--messages", type=int, default=20000)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--size", type=int, default=10 * 1024, help="message size in octets")
    p.add_argument("--per-connection", type=int, default=200, help="messages before QUIT and reconnect")
    p.add_argument("--no-fsync", action="store_true", help="start the server with --no-fsync")
    p.add_argument("--keep", action="store_true", help="keep the temporary Maildir")
    return p.parse_args()


def make_message(size):
    head = (b"From: Load <load@client.test>\r\nTo: Sink <sink@mx.test>\r\nSubject: load test\r\n"
            b"Message-ID: <load@client.test>\r\n\r\n")
    line = b"The quick brown fox jumps over the lazy dog. 0123456789 abcdefghijklmnopqrstuvwxyz\r\n"
    body = bytearray(head)
    while len(body) + len(line) <= size - 2:
        body += line
    body += b"x" * (size - 2 - len(body)) + b"\r\n"
    return bytes(body)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])  # kB
    except OSError:
        return None
    return None


class Stats:
    def __init__(self, target, deadline):
        self.accepted = 0
        self.reserved = 0  # messages a client has started to send (the count bound)
        self.errors = 0
        self.target = target
        self.deadline = deadline
        self.last = None

    def more(self):
        return self.reserved < self.target and time.monotonic() < self.deadline

    def reserve(self):
        """True when one more message may be sent (counted now, so --messages is exact)."""
        if not self.more():
            return False
        self.reserved += 1
        return True


ENVELOPE = b"MAIL FROM:<load@client.test>\r\nRCPT TO:<sink@mx.test>\r\nDATA\r\n"


async def reply(reader):
    """Reads one reply; returns its code."""
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("closed by the server")
        if line[3:4] != b"-":
            return int(line[:3])


async def client(port, msg, stats, per_connection):
    payload = msg + b".\r\n"
    # A message is reserved before its envelope is sent: after the 354 the only way out of DATA
    # is to send the message.
    while stats.reserve():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            if await reply(reader) != 220:
                raise ConnectionError("no greeting")
            writer.write(b"EHLO client.test\r\n" + ENVELOPE)
            for want in (250, 250, 250, 354):
                if await reply(reader) != want:
                    raise ConnectionError("envelope refused")
            sent = 0
            while True:
                sent += 1
                last = sent >= per_connection or not stats.reserve()
                writer.write(payload + (b"QUIT\r\n" if last else ENVELOPE))
                if await reply(reader) == 250:
                    stats.accepted += 1
                    stats.last = time.monotonic()
                else:
                    stats.errors += 1
                if last:
                    await reply(reader)  # 221
                    break
                for want in (250, 250, 354):
                    if await reply(reader) != want:
                        raise ConnectionError("envelope refused")
        except (ConnectionError, OSError) as e:
            stats.errors += 1
            print(f"client error: {e}", file=sys.stderr)
            await asyncio.sleep(0.01)
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


async def sampler(pid, samples, stop):
    while not stop.is_set():
        rss = proc_status(pid, "VmRSS")
        if rss is not None:
            samples.append((time.monotonic(), rss))
        try:
            await asyncio.wait_for(stop.wait(), 0.1)
        except asyncio.TimeoutError:
            pass


async def run(a, port, pid):
    msg = make_message(a.size)
    start = time.monotonic()
    stats = Stats(a.messages, start + a.seconds)
    samples = []
    stop = asyncio.Event()
    samp = asyncio.create_task(sampler(pid, samples, stop))
    await asyncio.gather(*(client(port, msg, stats, a.per_connection) for _ in range(a.clients)))
    end = stats.last or time.monotonic()
    stop.set()
    await samp
    return stats, start, end, samples, msg


def main():
    a = parse_args()
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"smtpd_load: no mailwire-smtpd at {a.bin} (--bin)")
    work = tempfile.mkdtemp(prefix="mailwire-smtpd-load-")
    maildir = os.path.join(work, "Maildir")
    port = free_port()
    cmd = [a.bin, "--listen", f"127.0.0.1:{port}", "--maildir", maildir, "--hostname", "mx.test", "--quiet"]
    if a.no_fsync:
        cmd.append("--no-fsync")
    log = open(os.path.join(work, "smtpd.log"), "wb")
    server = subprocess.Popen(cmd, stdout=log, stderr=log)
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    sys.exit("smtpd_load: mailwire-smtpd did not start")
                time.sleep(0.05)
        rss_idle = proc_status(server.pid, "VmRSS")
        stats, start, end, samples, msg = asyncio.run(run(a, port, server.pid))
        hwm = proc_status(server.pid, "VmHWM")  # may lag the sampled VmRSS by a page or two
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    new = os.path.join(maildir, "new")
    files = os.listdir(new)
    sizes_ok = all(os.path.getsize(os.path.join(new, f)) > len(msg) for f in files)
    elapsed = end - start
    rate = stats.accepted / elapsed if elapsed > 0 else 0.0

    def rss_at(frac):
        if not samples:
            return 0
        t = start + frac * (end - start)
        return min(samples, key=lambda s: abs(s[0] - t))[1]

    quarters = [rss_at(f) for f in (0.25, 0.5, 0.75, 1.0)]
    print(f"mailwire-smtpd load: {a.clients} clients, {len(msg)}-octet messages, "
          f"{'no fsync' if a.no_fsync else 'fsync per message'}, {a.per_connection} messages per connection")
    print(f"  accepted {stats.accepted} messages in {elapsed:.2f} s: {rate:.0f} messages/s "
          f"({rate * len(msg) / 1e6:.1f} MB/s of message data); client errors {stats.errors}")
    print(f"  Maildir new/: {len(files)} files{' (sizes ok)' if sizes_ok else ' (SIZE MISMATCH)'}")
    print(f"  server RSS: idle {rss_idle} kB; at 25/50/75/100% of the run "
          f"{'/'.join(str(q) for q in quarters)} kB; peak (VmHWM) {hwm} kB")
    ok = len(files) == stats.accepted and sizes_ok and stats.errors == 0
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"  kept {work}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
