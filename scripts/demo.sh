#!/usr/bin/env bash
# scripts/demo.sh — builds mailwire's tools and shows the library at work, on a fresh Debian 12
# machine or here (../shared/spec/tools.md): base64 and quoted-printable round trips of sample
# files, a strict decoding error with its offset, a MIME message with an attachment described as
# JSON (the attachment's SHA-256 checked), the message sent with `mailwire-send` over STARTTLS and
# AUTH to `mailwire-smtpd` on 127.0.0.1 and read back from its Maildir, fetched again over POP3
# over IMAP (STARTTLS) from `mailwire-imapd` and over POP3 (STLS) from `mailwire-pop3d`, both on the
# same Maildir, by `mailwire-fetch`, each copy compared byte for byte and its attachment checked,
# an SMTP smuggling attempt refused, and a 64 MiB stream in bounded memory.
#
# Environment: MAILWIRE_SKIP_DEPS=1 (do not touch apt), JOBS (default nproc),
# BUILD_DIR (default build/demo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
JOBS=${JOBS:-$(nproc)}
BUILD_DIR=${BUILD_DIR:-$ROOT/build/demo}
PACKAGES=(cmake ninja-build g++ pkg-config libfmt-dev libssl-dev libasio-dev zlib1g-dev openssl python3)

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_port PORT NAME: until a server listens on 127.0.0.1:PORT (5 s at most).
wait_port() {
  python3 - "$1" "$2" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close(); break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit(f"{sys.argv[2]} did not start")
PY
}

if [ "${MAILWIRE_SKIP_DEPS:-0}" != 1 ]; then
  sudo=()
  if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi
  step "installing build dependencies (apt-get)"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${PACKAGES[@]}" >/dev/null
fi

step "building the tools (Release, $BUILD_DIR)"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMAILWIRE_BUILD_TESTS=OFF \
  -DMAILWIRE_BUILD_FUZZ=OFF -DMAILWIRE_BUILD_BENCHMARKS=OFF -DMAILWIRE_BUILD_EXAMPLES=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS" --target mailwire-inspect mailwire-smtpd mailwire-send mailwire-pop3d mailwire-imapd mailwire-fetch
INSPECT=$BUILD_DIR/bin/mailwire-inspect
SMTPD=$BUILD_DIR/bin/mailwire-smtpd
SEND=$BUILD_DIR/bin/mailwire-send

WORK=$(mktemp -d)
SMTPD_PID=
IMAPD_PID=
POP3D_PID=
cleanup() {
  if [ -n "$SMTPD_PID" ]; then kill "$SMTPD_PID" 2>/dev/null || true; wait "$SMTPD_PID" 2>/dev/null || true; fi
  for pid in $IMAPD_PID $POP3D_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

step "a binary attachment: base64 (RFC 2045 section 6.8, 76 columns, CRLF)"
python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(2045).randbytes(3000))' \
  >"$WORK/attachment.bin"
"$INSPECT" base64 encode <"$WORK/attachment.bin" >"$WORK/attachment.b64"
head -n 3 "$WORK/attachment.b64" | cat -A | sed 's/\^M\$$/  <CRLF>/'
echo "... $(wc -l <"$WORK/attachment.b64") lines, $(wc -c <"$WORK/attachment.b64") bytes"
"$INSPECT" base64 decode <"$WORK/attachment.b64" >"$WORK/attachment.out"
cmp "$WORK/attachment.bin" "$WORK/attachment.out"
echo "decoded back: $(sha256sum <"$WORK/attachment.out" | cut -c1-16)... identical to the original"

step "European text: quoted-printable (RFC 2045 section 6.7)"
printf 'Grüße aus Köln, où l'\''été est déjà là. Ærø — 5 €.\r\nA line that ends in spaces   \r\n%s\r\n' \
  "A long line: $(printf 'lorem ipsum %.0s' {1..8})" >"$WORK/letter.txt"
"$INSPECT" qp encode <"$WORK/letter.txt" | tee "$WORK/letter.qp"
"$INSPECT" qp decode <"$WORK/letter.qp" >"$WORK/letter.out"
cmp "$WORK/letter.txt" "$WORK/letter.out"
echo "decoded back: identical to the original"

step "strict RFC 4648 decoding reports what is wrong and where (exit status 1)"
set +e
printf 'Zm9vYmFy\r\nZm9v' | "$INSPECT" base64 decode --strict >/dev/null
echo "exit status $?"
printf 'Zm9vYh==' | "$INSPECT" base64 decode --strict >/dev/null
echo "exit status $?"
set -e
echo "the default (MIME) mode skips the line break: $(printf 'Zm9vYmFy\r\nZm9v' | "$INSPECT" base64 decode)"

step "a MIME message: mailwire-inspect mime (spec/inspect-mime-json.md)"
python3 - "$WORK" <<'PY'
import sys
from email.message import EmailMessage
from email import policy
d = sys.argv[1]
m = EmailMessage()
m["From"] = "Jörg Müller <joerg@example.org>"
m["To"] = "Ann <ann@example.com>, team: bob@example.net, carol@example.net;"
m["Subject"] = "Bericht für März, mit Anhang"
m["Date"] = "Tue, 1 Jul 2003 10:52:37 +0200"
m["Message-ID"] = "<20030701105237.1@example.org>"
m.set_content("Hallo Ann,\nanbei der Bericht.\n")
m.add_alternative("<p>Hallo Ann,</p><p>anbei der Bericht.</p>", subtype="html")
m.add_attachment(open(f"{d}/attachment.bin", "rb").read(), maintype="application",
                 subtype="octet-stream", filename="Daten März.bin")
open(f"{d}/message.eml", "wb").write(m.as_bytes(policy=policy.SMTP))
PY
"$INSPECT" mime "$WORK/message.eml" >"$WORK/message.json"
python3 -m json.tool --no-ensure-ascii "$WORK/message.json" | sed -n '1,40p'  # sed reads to the end: no SIGPIPE
echo "..."
python3 - "$WORK" <<'PY'
import hashlib, json, sys
d = sys.argv[1]
j = json.load(open(f"{d}/message.json"))
att = [p for p in j["root"]["parts"] if p["disposition"] == "attachment"][0]
ok = att["sha256"] == hashlib.sha256(open(f"{d}/attachment.bin", "rb").read()).hexdigest()
print(f"attachment {att['filename']!r}: {att['size']} bytes, sha256 {'matches the original' if ok else 'DIFFERS'}")
sys.exit(0 if ok else 1)
PY

step "SMTP: mailwire-send -> mailwire-smtpd on 127.0.0.1 (STARTTLS, AUTH PLAIN, PIPELINING); IMAP and POP3 servers on the same Maildir"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=mx.demo.example \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
echo "ann:s3cret" >"$WORK/users"
PORT=$(free_port)
"$SMTPD" --listen "127.0.0.1:$PORT" --maildir "$WORK/Maildir" --hostname mx.demo.example \
  --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" --users "$WORK/users" --require-auth \
  2>"$WORK/smtpd.log" &
SMTPD_PID=$!
wait_port "$PORT" mailwire-smtpd
IMAP_PORT=$(free_port)
"$BUILD_DIR/bin/mailwire-imapd" --listen "127.0.0.1:$IMAP_PORT" --maildir "$WORK/Maildir" --users "$WORK/users" \
  --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" 2>"$WORK/imapd.log" &
IMAPD_PID=$!
wait_port "$IMAP_PORT" mailwire-imapd
POP3_PORT=$(free_port)
"$BUILD_DIR/bin/mailwire-pop3d" --listen "127.0.0.1:$POP3_PORT" --maildir "$WORK/Maildir" --users "$WORK/users" \
  --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" -q 2>"$WORK/pop3d.log" &
POP3D_PID=$!
wait_port "$POP3_PORT" mailwire-pop3d
echo "mailwire-smtpd on 127.0.0.1:$PORT, mailwire-imapd on 127.0.0.1:$IMAP_PORT, mailwire-pop3d on 127.0.0.1:$POP3_PORT: one Maildir"
"$SEND" --server "127.0.0.1:$PORT" --starttls --user ann --password s3cret --helo client.demo.example \
  --from joerg@example.org --to ann@example.com --to bob@example.net -v "$WORK/message.eml" 2>&1 |
  grep -v '^mailwire-send: [<>] [A-Za-z0-9+/=]\{40,\}$' | sed -n '1,40p'
DELIVERED=$(ls "$WORK/Maildir/new/" | head -n 1)
echo "delivered: Maildir/new/$DELIVERED"
head -n 2 "$WORK/Maildir/new/$DELIVERED"
"$INSPECT" mime "$WORK/Maildir/new/$DELIVERED" >"$WORK/delivered.json"
python3 - "$WORK" <<'PY'
import hashlib, json, sys
d = sys.argv[1]
j = json.load(open(f"{d}/delivered.json"))
att = [p for p in j["root"]["parts"] if p["disposition"] == "attachment"][0]
ok = att["sha256"] == hashlib.sha256(open(f"{d}/attachment.bin", "rb").read()).hexdigest()
print(f"the delivered copy's attachment {att['filename']!r}: sha256 {'matches the original' if ok else 'DIFFERS'}")
sys.exit(0 if ok else 1)
PY

step "IMAP: mailwire-fetch <- mailwire-imapd on the same Maildir (STARTTLS, LOGIN, SELECT, UID FETCH streamed)"
cp "$WORK/Maildir/new/$DELIVERED" "$WORK/delivered.eml"
FETCHED=$("$BUILD_DIR/bin/mailwire-fetch" --server "127.0.0.1:$IMAP_PORT" --protocol imap --starttls \
  --user ann --password s3cret --maildir "$WORK/FetchedIMAP" -v 2>"$WORK/fetch-imap.log")
grep -E '^mailwire-fetch: (C|S|TLS): ' "$WORK/fetch-imap.log" | sed -n '1,24p'
echo "mailwire-fetch printed: $FETCHED"
IMAP_FILE=$(ls "$WORK/FetchedIMAP/new/" | head -n 1)
cmp "$WORK/FetchedIMAP/new/$IMAP_FILE" "$WORK/delivered.eml"
echo "FetchedIMAP/new/$IMAP_FILE is byte for byte the message mailwire-smtpd delivered"
"$INSPECT" mime "$WORK/FetchedIMAP/new/$IMAP_FILE" >"$WORK/fetched-imap.json"
python3 - "$WORK" <<'PY'
import hashlib, json, sys
d = sys.argv[1]
att = [p for p in json.load(open(f"{d}/fetched-imap.json"))["root"]["parts"] if p["disposition"] == "attachment"][0]
ok = att["sha256"] == hashlib.sha256(open(f"{d}/attachment.bin", "rb").read()).hexdigest()
print(f"the IMAP copy's attachment {att['filename']!r}: sha256 {'matches the original' if ok else 'DIFFERS'}")
sys.exit(0 if ok else 1)
PY

step "POP3: mailwire-fetch <- mailwire-pop3d on the same Maildir (STLS, pipelined RETR, DELE at QUIT)"
FETCHED=$("$BUILD_DIR/bin/mailwire-fetch" --server "127.0.0.1:$POP3_PORT" --protocol pop3 --starttls \
  --user ann --password s3cret --maildir "$WORK/Fetched" --delete -v 2>"$WORK/fetch.log")
grep -E '^mailwire-fetch: (C|S): ' "$WORK/fetch.log" | grep -v 'C: PASS' | sed -n '1,16p'
echo "mailwire-fetch printed: $FETCHED"
kill "$POP3D_PID" "$IMAPD_PID"; wait "$POP3D_PID" "$IMAPD_PID" 2>/dev/null || true
IMAPD_PID= POP3D_PID=
FETCHED_FILE=$(ls "$WORK/Fetched/new/" | head -n 1)
cmp "$WORK/Fetched/new/$FETCHED_FILE" "$WORK/delivered.eml"
echo "Fetched/new/$FETCHED_FILE is byte for byte the message mailwire-smtpd delivered"
"$INSPECT" mime "$WORK/Fetched/new/$FETCHED_FILE" >"$WORK/fetched.json"
python3 - "$WORK" "$DELIVERED" <<'PY'
import hashlib, json, os, sys
d, name = sys.argv[1], sys.argv[2]
att = [p for p in json.load(open(f"{d}/fetched.json"))["root"]["parts"] if p["disposition"] == "attachment"][0]
ok = att["sha256"] == hashlib.sha256(open(f"{d}/attachment.bin", "rb").read()).hexdigest()
print(f"the fetched copy's attachment {att['filename']!r}: sha256 {'matches the original' if ok else 'DIFFERS'}")
left = os.listdir(f"{d}/Maildir/new") + os.listdir(f"{d}/Maildir/cur")
print(f"left on the server after --delete: {len(left)} message(s)")
sys.exit(0 if ok and not left else 1)
PY

step "SMTP smuggling (2023): a fake end of data \"\\n.\\n\" ends nothing, the message is refused"
kill "$SMTPD_PID"; wait "$SMTPD_PID" 2>/dev/null || true
"$SMTPD" --listen "127.0.0.1:$PORT" --maildir "$WORK/Maildir2" --hostname mx.demo.example 2>>"$WORK/smtpd.log" &
SMTPD_PID=$!
python3 - "$PORT" "$WORK/Maildir2" <<'PY'
import os, socket, sys, time
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5); break
    except OSError:
        time.sleep(0.05)
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline().decode()
        if l[3:4] != "-":
            return l.rstrip("\r\n")
print("S:", reply())
s.sendall(b"EHLO attacker.example\r\n"); reply()
wire = (b"MAIL FROM:<a@attacker.example>\r\nRCPT TO:<ann@example.com>\r\nDATA\r\n"
        b"hello\n.\nMAIL FROM:<ceo@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n")
print("C:", wire.decode().replace("\r\n", "\\r\\n").replace("\n", "\\n"))
s.sendall(wire)
for _ in range(5):
    print("S:", reply())
n = len(os.listdir(os.path.join(sys.argv[2], "new")))
print(f"messages delivered: {n} (the one 'message' ran to the real CRLF.CRLF and was refused)")
sys.exit(0 if n == 0 else 1)
PY

step "64 MiB through base64 encode | decode, streaming in bounded memory"
head -c $((64 << 20)) /dev/urandom >"$WORK/big.bin"
python3 - "$INSPECT" "$WORK/big.bin" <<'PY'
import os, subprocess, sys, time
tool, src = sys.argv[1], sys.argv[2]
size = os.path.getsize(src)
t0 = time.perf_counter()
enc = subprocess.Popen([tool, "base64", "encode"], stdin=open(src, "rb"), stdout=subprocess.PIPE)
with open(src + ".out", "wb") as out:
    dec = subprocess.Popen([tool, "base64", "decode"], stdin=enc.stdout, stdout=out)
    enc.stdout.close()
    _, s1, u1 = os.wait4(enc.pid, 0)
    _, s2, u2 = os.wait4(dec.pid, 0)
dt = time.perf_counter() - t0
assert s1 == 0 and s2 == 0
same = open(src, "rb").read() == open(src + ".out", "rb").read()
print(f"{size >> 20} MiB encoded and decoded through a pipe in {dt:.2f} s; "
      f"max RSS encoder {u1.ru_maxrss // 1024} MiB, decoder {u2.ru_maxrss // 1024} MiB; "
      f"output {'identical' if same else 'DIFFERENT'}")
sys.exit(0 if same else 1)
PY

step "done: see README.md for the library, scripts/test.sh for every test"
