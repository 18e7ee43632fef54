#!/usr/bin/env bash
# scripts/bench.sh — builds mailwire-bench (Release) and compares mailwire's base64 and
# quoted-printable codecs, MIME parser, address lists, SMTP DATA/command codecs, POP3 and the IMAP
# FETCH response parser/writer with their peers, on a fresh Debian 12 machine or here.
#
#   1. installs the dependencies (apt-get, when root or with sudo): Google Benchmark and the
#      peer libraries (GMime, GLib, OpenSSL, libb64, modp_b64, Nettle, libsodium,
#      libbaseencode, VMime, mimetic, libetpan, Dovecot's lib-imap from dovecot-dev, Python's
#      aiosmtpd); peers that cannot be installed are left out;
#   2. builds build/bench (Release, no -march: mailwire picks its SIMD path at run time);
#   3. runs mailwire-bench pinned to one CPU (taskset -c $BENCH_CPU) with repetitions, and times
#      Python on the same inputs (written by `mailwire-bench --dump-inputs`): binascii and
#      base64.encodebytes for the codecs, email.message_from_bytes (policy.default) + walk +
#      get_payload(decode=True) for the MIME groups, email.headerregistry for address lists;
#      for SMTP smtplib.SMTP.data (stuffing), aiosmtpd's SMTP.smtp_DATA (receive) and
#      aiosmtpd's command parsing steps, run by a python3 that can import aiosmtpd (Debian's
#      /usr/bin/python3 when the one on PATH cannot);
#   4. prints a table: group, impl, median GB/s (10^9 bytes/s), ratio to memcpy of the same
#      size (address lists: also addresses/s; SMTP commands: commands/s; IMAP: messages/s), and
#      per group mailwire / best peer (IMAP parse: also against Dovecot's typed parse); then the
#      issues' goals, met or missed.
#   Results: build/bench/results.json (Google Benchmark JSON; the Python rows are added as
#   median aggregates) and build/bench/results.txt (the table).
#
# Extra arguments go to mailwire-bench, e.g.  scripts/bench.sh --benchmark_filter=qp
# Environment: REPETITIONS (10), MIN_TIME (0.2 seconds; Google Benchmark 1.7 takes a plain
# number, 1.8+ also "0.2s"), BENCH_CPU (1), MAILWIRE_SKIP_DEPS=1 (no apt), JOBS (nproc),
# BUILD_DIR (build/bench), PYTHON_ROWS=0 (skip the Python rows).
#
# Numbers are only as quiet as the machine: run it when nothing else is busy (see the load
# average printed at the top and bottom of the table).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-$ROOT/build/bench}
JOBS=${JOBS:-$(nproc)}
REPETITIONS=${REPETITIONS:-10}
MIN_TIME=${MIN_TIME:-0.2}
BENCH_CPU=${BENCH_CPU:-1}
PYTHON_ROWS=${PYTHON_ROWS:-1}
REQUIRED=(cmake ninja-build g++ pkg-config libbenchmark-dev python3 util-linux)
PEERS=(libfmt-dev libgmime-3.0-dev libglib2.0-dev libssl-dev libb64-dev nettle-dev libsodium-dev
       libmodpbase64-dev libbaseencode-dev libvmime-dev libmimetic-dev libetpan-dev
       dovecot-dev python3-aiosmtpd)

log() { printf '\n==> %s\n' "$*" >&2; }

install_deps() {
  [ "${MAILWIRE_SKIP_DEPS:-0}" = 1 ] && return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo); else
      log "not root and no sudo: using what is installed"; return 0; fi
  fi
  command -v apt-get >/dev/null || { log "no apt-get: using what is installed"; return 0; }
  log "installing dependencies (apt-get)"
  "${sudo[@]}" apt-get update -qq
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${REQUIRED[@]}" >/dev/null
  if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${PEERS[@]}" >/dev/null 2>&1; then
    local p   # one by one, so that a missing package only drops its own peer
    for p in "${PEERS[@]}"; do
      "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
        echo "bench.sh: $p not installed; its rows are left out" >&2
    done
  fi
}

build() {
  log "configure + build mailwire-bench (Release) in $BUILD_DIR"
  mkdir -p "$BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMAILWIRE_BUILD_TESTS=OFF -DMAILWIRE_BUILD_FUZZ=OFF -DMAILWIRE_BUILD_EXAMPLES=OFF \
    -DMAILWIRE_BUILD_BENCHMARKS=ON >"$BUILD_DIR/configure.log" 2>&1 ||
    { cat "$BUILD_DIR/configure.log" >&2; return 1; }
  grep 'mailwire-bench peers' "$BUILD_DIR/configure.log" >&2 || true
  cmake --build "$BUILD_DIR" -j "$JOBS" --target mailwire-bench >&2
}

# The Python rows: binascii (and base64.encodebytes, the stdlib's MIME encoder), the email
# package and email.headerregistry on the inputs mailwire-bench wrote, checked like the C++
# peers (leaves per message, base64 bytes, addresses per list), timed with timeit. Prints a
# JSON list.
python_rows() {
  local dir=$1 filter=$2
  "${PIN[@]}" python3 - "$dir" "$REPETITIONS" "$MIN_TIME" "$filter" <<'PY'
import base64, binascii, json, re, statistics, sys, time, timeit

d, reps, min_time, flt = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rd = lambda n: open(f"{d}/{n}", "rb").read()
raw, mime, plain, text, qp = (rd(n) for n in
    ("raw.bin", "base64_mime.txt", "base64_plain.txt", "text.txt", "qp.txt"))

def longest_line(b):
    return max(len(l.rstrip(b"\r")) for l in b.split(b"\n"))

def strip_eol(b):
    return b.replace(b"\r", b"").replace(b"\n", b"")

cases = [  # group, input, call, check(output) -> bool, label
    ("base64_decode_mime", mime, lambda: binascii.a2b_base64(mime), lambda o: o == raw,
     "binascii.a2b_base64"),
    ("base64_decode_plain", plain, lambda: binascii.a2b_base64(plain, strict_mode=True),
     lambda o: o == raw, "binascii.a2b_base64 strict_mode"),
    ("base64_encode_mime", raw, lambda: base64.encodebytes(raw),
     lambda o: strip_eol(o) == plain, "base64.encodebytes, LF@76"),
    ("base64_encode_plain", raw, lambda: binascii.b2a_base64(raw, newline=False),
     lambda o: o == plain, "binascii.b2a_base64, 1 line"),
]
if qp:
    cases += [
        ("qp_decode_text", qp, lambda: binascii.a2b_qp(qp), lambda o: o == text, "binascii.a2b_qp"),
        ("qp_encode_text", text, lambda: binascii.b2a_qp(text),
         lambda o: binascii.a2b_qp(o) == text and longest_line(o) <= 76,
         "binascii.b2a_qp"),
    ]
rows = []

def time_row(name, size, call, check, label, items=None):
    """Checks call() once, then times it like Google Benchmark (CPU time, median)."""
    if flt and not flt.startswith("-") and not re.search(flt, name):
        return
    row = {"name": name + "_median", "run_name": name, "run_type": "aggregate",
           "aggregate_name": "median", "source": "python3 timeit", "size": size,
           "label": label}
    try:
        why = check(call())
    except Exception as e:  # a parser that raises is a failed check, not a crash
        why = f"{type(e).__name__}: {e}"
    if why is not True:
        row["error_occurred"] = True
        row["error_message"] = why if isinstance(why, str) else "output check failed"
    else:
        t0 = time.process_time(); call(); call(); one = (time.process_time() - t0) / 2
        number = max(1, int(min_time / max(one, 1e-9)))
        # CPU time, as Google Benchmark reports (a busy machine slows the wall clock).
        times = timeit.repeat(call, repeat=reps, number=number, timer=time.process_time)
        per_call = statistics.median(times) / number
        row.update(bytes_per_second=size / per_call, real_time=per_call * 1e9,
                   cpu_time=per_call * 1e9, time_unit="ns", iterations=number)
        if items:
            row.update(items_per_second=items / per_call, addresses=items)
    rows.append(row)

for group, data, call, check, label in cases:
    time_row(f"{group}/python", len(data), call, lambda o, check=check: check(o) or "output check failed",
             label)

# The MIME groups (mailwire-bench --dump-inputs wrote the corpora and what they hold).
import email, email.policy, os
from email.headerregistry import HeaderRegistry

expected = json.load(open(f"{d}/mime_expected.json"))
mailbox = [rd(f"mailbox/{n}") for n in sorted(os.listdir(f"{d}/mailbox"))]
big = [rd("message_10mb.eml")]

def parse_messages(msgs, decode):
    """email.message_from_bytes (policy.default) + walk; decode: get_payload(decode=True)."""
    def call():
        per, b64 = [], 0
        for m in msgs:
            msg = email.message_from_bytes(m, policy=email.policy.default)
            leaves = 0
            for part in msg.walk():
                if part.is_multipart():
                    continue
                leaves += 1
                if decode:
                    body = part.get_payload(decode=True) or b""
                    if part.get("Content-Transfer-Encoding", "").strip().lower() == "base64":
                        b64 += len(body)
            per.append(leaves)
        return per, b64
    return call

def check_messages(exp, decode):
    def check(out):
        per, b64 = out
        for i, (got, want) in enumerate(zip(per, exp["leaves"])):
            if got != want:
                return f"message {i}: {got} leaf parts, expected {want}"
        if len(per) != len(exp["leaves"]):
            return f"parsed {len(per)} messages of {len(exp['leaves'])}"
        if decode and b64 != exp["base64_bytes"]:
            return f"decoded {b64} bytes from base64, expected {exp['base64_bytes']}"
        return True
    return check

for group, msgs, exp, decode, label in [
        ("mime_parse_decode_mailbox", mailbox, expected["mailbox"], True,
         "email.message_from_bytes + walk + get_payload(decode=True)"),
        ("mime_parse_mailbox", mailbox, expected["mailbox"], False,
         "email.message_from_bytes + walk, builds the tree"),
        ("mime_parse_decode_10mb", big, expected["message_10mb"], True,
         "email.message_from_bytes + walk + get_payload(decode=True)")]:
    time_row(f"{group}/python", sum(map(len, msgs)), parse_messages(msgs, decode),
             check_messages(exp, decode), label)

lists = rd("address_lists.txt").decode("utf-8").split("\n")[:-1]
want_lists = expected["address_lists"]["expected"]
registry = HeaderRegistry()

def parse_lists():
    return [[(a.display_name, a.addr_spec) for a in registry("To", l).addresses] for l in lists]

def check_lists(out):
    for i, (got, want) in enumerate(zip(out, want_lists)):
        if len(got) != len(want):
            return f"list {i}: {len(got)} mailboxes, expected {len(want)}"
    return True if len(out) == len(want_lists) else "lists missing"

same = 0
try:
    same = sum(g == tuple(w) for got, want in zip(parse_lists(), want_lists) for g, w in zip(got, want))
except Exception:
    pass
n_addr = expected["address_lists"]["addresses"]
time_row("address_list/python", len("\n".join(lists).encode()), parse_lists, check_lists,
         "email.headerregistry, " + ("every name as expected" if same == n_addr
                                     else f"{same}/{n_addr} names as expected"), items=n_addr)
json.dump(rows, sys.stdout)
PY
}

# The SMTP Python rows (issue 5 section 5): smtplib.SMTP.data for stuffing, aiosmtpd's
# SMTP.smtp_DATA for receiving, aiosmtpd's own command parsing steps, on the inputs
# mailwire-bench wrote, checked like mailwire (content, per-verb counts), timed with timeit.
# aiosmtpd is imported by the first python3 that can (PATH's, then Debian's /usr/bin/python3).
# Prints a JSON list.
smtp_python_rows() {
  local dir=$1 filter=$2 py=python3 p
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import aiosmtpd' 2>/dev/null; then py=$p; break; fi
  done
  "${PIN[@]}" "$py" - "$dir" "$REPETITIONS" "$MIN_TIME" "$filter" <<'PY'
import asyncio, json, re, smtplib, statistics, sys, time, timeit

d, reps, min_time, flt = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rd = lambda n: open(f"{d}/{n}", "rb").read()
raw, wire, cmds = rd("smtp_data_raw.bin"), rd("smtp_data_wire.bin"), rd("smtp_commands.txt")
exp = json.load(open(f"{d}/smtp_expected.json"))
messages, at = [], 0
for n in exp["raw_len"]:
    messages.append(raw[at:at + n])
    at += n
rows = []

def time_row(name, size, nbytes, call, check, label, items=None):
    """Checks call() once, then times it like Google Benchmark (CPU time, median)."""
    if flt and not flt.startswith("-") and not re.search(flt, name):
        return
    row = {"name": name + "_median", "run_name": name, "run_type": "aggregate",
           "aggregate_name": "median", "source": "python3 timeit", "size": size, "label": label}
    try:
        why = check(call())
    except Exception as e:  # a failing peer is a failed check, not a crash
        why = f"{type(e).__name__}: {e}"
    if why is not True:
        row["error_occurred"] = True
        row["error_message"] = why if isinstance(why, str) else "output check failed"
    else:
        t0 = time.process_time(); call(); one = time.process_time() - t0
        number = max(1, int(min_time / max(one, 1e-9)))
        times = timeit.repeat(call, repeat=reps, number=number, timer=time.process_time)
        per_call = statistics.median(times) / number
        row.update(bytes_per_second=nbytes / per_call, real_time=per_call * 1e9,
                   cpu_time=per_call * 1e9, time_unit="ns", iterations=number)
        if items:
            row.update(items_per_second=items / per_call, commands=items)
    rows.append(row)

def unavailable(name, size, why):
    if flt and not flt.startswith("-") and not re.search(flt, name):
        return
    rows.append({"name": name + "_median", "run_name": name, "run_type": "aggregate",
                 "aggregate_name": "median", "source": "python3", "size": size,
                 "error_occurred": True, "error_message": why})

# smtp_data_stuff/smtplib: smtplib.SMTP.data() itself (its _quote_periods and the final
# CRLF "." CRLF), one call per message; send() collects the bytes, getreply() answers 354/250.
class StuffingClient(smtplib.SMTP):
    def __init__(self):
        super().__init__()
        self.sent, self.replies = [], 0
    def send(self, s):
        self.sent.append(s)
    def getreply(self):
        self.replies += 1
        return (354, b"go ahead") if self.replies % 2 else (250, b"OK")

def stuff_all():
    c = StuffingClient()
    for m in messages:
        c.data(m)
    return c.sent[1::2]  # [b"data\r\n", message, ...] -> the messages

def check_stuff(out):
    if len(out) != len(messages):
        return f"{len(out)} of {len(messages)} messages"
    return True if b"".join(out) == wire else "stuffed output differs from the wire form"

time_row("smtp_data_stuff/smtplib", len(raw), len(raw), stuff_all, check_stuff,
         f"Python {sys.version.split()[0]} smtplib.SMTP.data (_quote_periods), send() to a list")

try:
    import aiosmtpd
    from aiosmtpd.smtp import SMTP as AioSMTP
except ImportError:
    AioSMTP = None
    why = f"aiosmtpd not importable by {sys.executable} (Debian: python3-aiosmtpd)"
    unavailable("smtp_data_receive/aiosmtpd", len(wire), why)
    unavailable("smtp_command_parse/aiosmtpd", len(cmds), why)

if AioSMTP is not None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    class Writer:  # the replies (354, 250) go nowhere
        def write(self, b): pass
        async def drain(self): pass
        def close(self): pass

    class Transport:
        def get_extra_info(self, *a, **k): return None
        def is_closing(self): return False
        def close(self): pass

    class Handler:
        def __init__(self): self.out = []
        async def handle_DATA(self, server, session, envelope):
            self.out.append(envelope.original_content)
            return "250 OK"

    def server(buf):
        h = Handler()
        s = AioSMTP(h, loop=loop, hostname="mx.example.org", data_size_limit=None)
        r = asyncio.StreamReader(loop=loop, limit=s.line_length_limit)
        r.feed_data(buf)
        r.feed_eof()
        s._reader, s._writer, s.transport = r, Writer(), Transport()
        s.session = s._create_session()
        s.session.host_name = "client.example.net"
        s._set_rset_state()
        return s, h

    # smtp_data_receive/aiosmtpd: SMTP.smtp_DATA (readuntil CRLF per line, end at "." CRLF,
    # unstuffing, join, handle_DATA) once per message, the wire bytes fed from memory.
    n_msgs = len(exp["raw_len"])
    async def receive_all():
        s, h = server(wire)
        for _ in range(n_msgs):
            s.envelope.rcpt_tos.append("rcpt@example.org")  # DATA needs a recipient
            await s.smtp_DATA("")
        return h.out, s._reader.at_eof()

    def check_receive(out):
        got, eof = out
        if len(got) != len(messages):
            return f"{len(got)} of {len(messages)} messages"
        if any(g != m for g, m in zip(got, messages)):
            return "unstuffed content differs from the original messages"
        return True if eof else "wire bytes left over"

    time_row("smtp_data_receive/aiosmtpd", len(wire), len(raw),
             lambda: loop.run_until_complete(receive_all()), check_receive,
             f"aiosmtpd {aiosmtpd.__version__} SMTP.smtp_DATA per message, StreamReader fed from memory")

    # smtp_command_parse/aiosmtpd: aiosmtpd has no parser apart from its session, so this runs
    # its own parsing steps in the order _handle_client and smtp_MAIL/smtp_RCPT call them
    # (readuntil, rstrip, partition, upper/decode, strip; _strip_command_keyword, _getaddr,
    # _getparams, the BODY and SIZE checks), without the state machine and the replies.
    async def parse_all():
        s, _ = server(cmds)
        r = s._reader
        verbs, rcpts, size_sum = {}, 0, 0
        while not r.at_eof():
            line = (await r.readuntil()).rstrip(b"\r\n")
            command, _, arg = line.partition(b" ")
            command = command.upper().decode("ascii")
            arg = str(arg.strip(), encoding="ascii", errors="strict") if arg else None
            if command in ("MAIL", "RCPT"):
                arg = s._strip_command_keyword("FROM:" if command == "MAIL" else "TO:", arg)
                address, rest = s._getaddr(arg)
                if not address:
                    raise ValueError(f"bad address in {line!r}")
                options = rest.upper().split()
                params = s._getparams(options)
                if params is None:
                    raise ValueError(f"bad parameters in {line!r}")
                if command == "MAIL":
                    if params.pop("BODY", "7BIT") not in ("7BIT", "8BITMIME"):
                        raise ValueError("BODY")
                    size = params.pop("SIZE", None)
                    if size is not None:
                        if isinstance(size, bool) or not size.isdigit():
                            raise ValueError("SIZE")
                        size_sum += int(size)
                else:
                    rcpts += 1
            verbs[command] = verbs.get(command, 0) + 1
        return verbs, rcpts, size_sum

    def check_parse(out):
        verbs, rcpts, size_sum = out
        if sum(verbs.values()) != exp["commands"]:
            return f"parsed {sum(verbs.values())} of {exp['commands']} commands"
        if verbs != exp["verbs"] or rcpts != exp["verbs"]["RCPT"] or size_sum != exp["size_sum"]:
            return "command counts per verb, recipients or SIZE values differ"
        return True

    time_row("smtp_command_parse/aiosmtpd", len(cmds), len(cmds),
             lambda: loop.run_until_complete(parse_all()), check_parse,
             f"aiosmtpd {aiosmtpd.__version__} parsing steps of _handle_client/smtp_MAIL/smtp_RCPT, "
             "no session state, no replies", items=exp["commands"])
json.dump(rows, sys.stdout)
PY
}

# The POP3 Python row (issue 6 section 3): poplib's un-stuffing (POP3._getlongresp) on the
# inputs mailwire-bench wrote, checked like mailwire (each message byte for byte). Prints a JSON list.
pop3_python_rows() {
  local dir=$1 filter=$2
  "${PIN[@]}" python3 - "$dir" "$REPETITIONS" "$MIN_TIME" "$filter" <<'PY'
import io, json, poplib, re, statistics, sys, time, timeit

d, reps, min_time, flt = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rd = lambda n: open(f"{d}/{n}", "rb").read()
raw, wire, cmds = rd("pop3_raw.bin"), rd("pop3_wire.bin"), rd("pop3_commands.txt")
exp = json.load(open(f"{d}/pop3_expected.json"))
messages, bodies, a, b = [], [], 0, 0
for n, w in zip(exp["raw_len"], exp["wire_len"]):
    messages.append(raw[a:a + n]); bodies.append(wire[b:b + w]); a += n; b += w
rows = []

def time_row(name, size, nbytes, call, check, label):
    if flt and not flt.startswith("-") and not re.search(flt, name):
        return
    row = {"name": name + "_median", "run_name": name, "run_type": "aggregate",
           "aggregate_name": "median", "source": "python3 timeit", "size": size, "label": label}
    try:
        why = check(call())
    except Exception as e:
        why = f"{type(e).__name__}: {e}"
    if why is not True:
        row["error_occurred"] = True
        row["error_message"] = why if isinstance(why, str) else "output check failed"
    else:
        t0 = time.process_time(); call(); one = time.process_time() - t0
        number = max(1, int(min_time / max(one, 1e-9)))
        times = timeit.repeat(call, repeat=reps, number=number, timer=time.process_time)
        per_call = statistics.median(times) / number
        row.update(bytes_per_second=nbytes / per_call, real_time=per_call * 1e9,
                   cpu_time=per_call * 1e9, time_unit="ns", iterations=number)
    rows.append(row)

# pop3_multiline_decode/poplib: poplib.POP3._getlongresp (the +OK line, then _getline per line,
# ".." un-stuffed, ends at "."), one call per message, the server's bytes read from memory.
class Reader(poplib.POP3):
    def __init__(self, data):
        self.file, self._debugging, self.welcome = io.BytesIO(data), 0, b""

stream = b"".join(b"+OK\r\n" + w for w in bodies)
def decode_all():
    p = Reader(stream)
    return [b"".join(l + b"\r\n" for l in p._getlongresp()[1]) for _ in bodies]

def check_decode(out):
    if len(out) != len(messages):
        return f"{len(out)} of {len(messages)} messages"
    return True if out == messages else "un-stuffed content differs from the original messages"

time_row("pop3_multiline_decode/poplib", len(wire), len(raw), decode_all, check_decode,
         f"Python {sys.version.split()[0]} poplib.POP3._getlongresp per message (+OK line included), "
         "lines joined with CRLF, BytesIO")
json.dump(rows, sys.stdout)
PY
}

# The table, from Google Benchmark's JSON ($1, to which the Python rows in $2... are added).
report() {
  python3 - "$@" <<'PY'
import json, sys

path = sys.argv[1]
doc = json.load(open(path))
for extra in sys.argv[2:]:
    doc["benchmarks"] += json.load(open(extra)) if extra else []
json.dump(doc, open(path, "w"), indent=2)

rows = {}   # run_name -> row (median aggregate; a single run when there are no repetitions)
order = []
for b in doc["benchmarks"]:
    name = b.get("run_name", b["name"])
    if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
        continue
    if b.get("run_type") == "iteration" and b.get("repetitions", 1) > 1 and not b.get("error_occurred"):
        continue
    if name not in rows:
        order.append(name)
    rows[name] = b

memcpy = {int(b["size"]): b["bytes_per_second"] for n, b in rows.items()
          if n.startswith("memcpy/") and "bytes_per_second" in b}
groups = {}
for n in order:
    g, _, impl = n.partition("/")
    groups.setdefault(g, []).append((impl, rows[n]))

ctx = doc.get("context", {})
out = []
p = out.append
p(f"mailwire-bench  {ctx.get('date', '')}  host {ctx.get('host_name', '')}  "
  f"{ctx.get('num_cpus', '?')} CPUs @ {ctx.get('mhz_per_cpu', '?')} MHz  "
  f"load average {', '.join(f'{x:.2f}' for x in ctx.get('load_avg', []))}")
p("GB/s = 10^9 bytes/s of the input (decode: encoded bytes; encode: raw bytes), median of the "
  "repetitions; x memcpy = GB/s / memcpy GB/s of the same size. SMTP DATA: GB/s of message "
  "octets (receive: vs memcpy of the stuffed wire bytes).")
p("")
p(f"{'group':<26} {'impl':<16} {'GB/s':>8} {'x memcpy':>9}  note")
p("-" * 100)
gbs = {}
items = {}
for g, impls in groups.items():
    best_peer = None
    for impl, b in impls:
        if b.get("error_occurred"):
            p(f"{g:<22} {impl:<18} {'ERROR':>8} {'':>9}  {b.get('error_message', '')}")
            continue
        v = b["bytes_per_second"] / 1e9
        gbs[f"{g}/{impl}"] = v
        m = memcpy.get(int(b.get("size", 0)))
        ratio = f"{b['bytes_per_second'] / m:.3f}" if m and g != "memcpy" else ""
        label = b.get("label", "")
        if "items_per_second" in b:  # address lists, SMTP commands: goals in items per second
            items[f"{g}/{impl}"] = b["items_per_second"] / 1e6
            unit = ("commands" if g.endswith("_command_parse") else
                    "messages" if g.startswith("imap_") else "addresses")
            label = f"{b['items_per_second'] / 1e6:.3f} M {unit}/s; {label}"
        p(f"{g:<26} {impl:<16} {v:>8.3f} {ratio:>9}  {label}")
        if g != "memcpy" and not impl.startswith("mailwire") and (best_peer is None or v > best_peer[1]):
            best_peer = (impl, v)
    mw = gbs.get(f"{g}/mailwire")
    if g != "memcpy" and mw and best_peer:
        p(f"{'':<26} {'-> mailwire / best peer':<26} {mw / best_peer[1]:.2f}x "
          f"(best peer: {best_peer[0]}, {best_peer[1]:.3f} GB/s)")
    # IMAP: typed against typed too (Dovecot's untyped argument tree is the best peer above).
    mt, dt = gbs.get(f"{g}/mailwire_typed_only"), gbs.get(f"{g}/dovecot_typed")
    if g == "imap_fetch_parse" and mw and dt:
        p(f"{'':<26} {'-> mailwire / dovecot_typed':<26} {mw / dt:.2f}x "
          f"(framer + typed parse vs Dovecot's typed parse, {dt:.3f} GB/s)")
    if g == "imap_fetch_parse" and mt and dt:
        p(f"{'':<26} {'-> mailwire_typed_only / dovecot_typed':<26} {mt / dt:.2f}x")
    p("")

goals = [("base64_decode_mime/mailwire", 16, gbs, "GB/s"),
         ("base64_decode_mime/mailwire_scalar", 3, gbs, "GB/s"),
         ("base64_encode_mime/mailwire", 20, gbs, "GB/s"), ("qp_decode_text/mailwire", 2, gbs, "GB/s"),
         ("qp_encode_text/mailwire", 1, gbs, "GB/s"),
         # issue 4 section 5
         ("mime_parse_decode_mailbox/mailwire", 1.5, gbs, "GB/s"),
         ("mime_parse_mailbox/mailwire", 4, gbs, "GB/s"),
         ("mime_parse_decode_10mb/mailwire", 3, gbs, "GB/s"),
         ("address_list/mailwire", 1, items, "M addresses/s"),
         # issue 5 section 5
         ("smtp_data_receive/mailwire", 8, gbs, "GB/s"),
         ("smtp_data_stuff/mailwire", 8, gbs, "GB/s"),
         ("smtp_command_parse/mailwire", 10, items, "M commands/s"),
         # issue 6 section 3
         ("pop3_multiline_encode/mailwire", 8, gbs, "GB/s"),
         ("pop3_multiline_decode/mailwire", 8, gbs, "GB/s"),
         # issue 7 section 6
         ("imap_fetch_parse/mailwire", 1, gbs, "GB/s"),
         ("imap_fetch_write/mailwire", 1, gbs, "GB/s")]
p("Goals of the issues (GB/s unless said):")
for name, goal, values, unit in goals:
    v = values.get(name)
    if v is None:
        p(f"  {name:<36} >= {goal:>3} {unit}: not measured")
    else:
        p(f"  {name:<36} >= {goal:>3} {unit}: {v:7.3f}  {'met' if v >= goal else 'MISSED'}")
print("\n".join(out))
PY
}

main() {
  install_deps
  build
  local bin=$BUILD_DIR/bin/mailwire-bench
  PIN=()
  if command -v taskset >/dev/null && taskset -c "$BENCH_CPU" true 2>/dev/null; then
    PIN=(taskset -c "$BENCH_CPU")
  else
    log "cannot pin to CPU $BENCH_CPU: running unpinned"
  fi
  local args=() filter="" a
  for a in "$@"; do
    case $a in
      --benchmark_filter=*)
        filter=${a#--benchmark_filter=}
        # Keep the memcpy baselines, which the ratios need.
        if [ "${filter:0:1}" != "-" ]; then a="--benchmark_filter=memcpy|($filter)"; fi ;;
    esac
    args+=("$a")
  done
  log "load before: $(uptime)"
  log "running mailwire-bench (${REPETITIONS} repetitions, min time ${MIN_TIME}s, ${PIN[*]:-unpinned})"
  "${PIN[@]}" "$bin" --benchmark_repetitions="$REPETITIONS" --benchmark_min_time="$MIN_TIME" \
    --benchmark_display_aggregates_only=true \
    --benchmark_out="$BUILD_DIR/results.json" --benchmark_out_format=json "${args[@]}" >&2
  local extra=""
  if [ "$PYTHON_ROWS" != 0 ] && command -v python3 >/dev/null; then
    log "timing Python (binascii, email, email.headerregistry, smtplib, aiosmtpd) on the same inputs"
    local tmp
    tmp=$(mktemp -d)
    "$bin" --dump-inputs "$tmp"
    python_rows "$tmp" "$filter" >"$tmp/python.json"
    smtp_python_rows "$tmp" "$filter" >"$tmp/python_smtp.json"
    pop3_python_rows "$tmp" "$filter" >"$tmp/python_pop3.json"
    extra=$tmp/python.json
  fi
  log "load after: $(uptime)"
  report "$BUILD_DIR/results.json" \
    ${extra:+"$extra" "$(dirname "$extra")/python_smtp.json" "$(dirname "$extra")/python_pop3.json"} |
    tee "$BUILD_DIR/results.txt"
  echo "(JSON: $BUILD_DIR/results.json, table: $BUILD_DIR/results.txt)"
  [ -n "$extra" ] && rm -rf "$(dirname "$extra")"
  return 0
}

main "$@"
