#!/usr/bin/env python3
"""mailwire-inspect through its command line (../shared/spec/tools.md).

Exit codes and error lines, RFC 4648 section 10 vectors, and differential tests against
Python's base64/binascii/quopri on generated inputs (fixed seeds), plus a bounded-memory check
on a 64 MiB input.

    python3 tests/tools/test_inspect.py --bin build/bin/mailwire-inspect
"""
import argparse
import base64
import binascii
import os
import quopri
import random
import re
import subprocess
import sys
import tempfile
import unittest

BIN = None
SANITIZED = False
ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def run(args, data=b""):
    p = subprocess.run([BIN] + args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def ok(args, data):
    rc, out, err = run(args, data)
    if rc != 0:
        raise AssertionError(f"{args} exited {rc}: {err}")
    return out


def mime_wrap(b64, width):
    """What `base64 encode --wrap N` must write: N-character lines, each ending in CRLF."""
    if width == 0:
        return b64
    return b"".join(b64[i:i + width] + b"\r\n" for i in range(0, len(b64), width))


class ExitCodes(unittest.TestCase):
    def test_help(self):
        rc, out, err = run(["--help"])
        self.assertEqual(rc, 0)
        self.assertIn(b"usage: mailwire-inspect", out)
        self.assertEqual(err, "")

    def test_usage_errors_exit_2_with_one_line(self):
        for args in ([], ["nonsense"], ["base64"], ["base64", "frob"], ["base64", "encode", "--wrap"],
                     ["base64", "encode", "--wrap", "-1"], ["base64", "encode", "--wrap", "x"],
                     ["base64", "encode", "--strict"], ["qp", "decode", "--binary"],
                     ["base64", "decode", "--bogus"], ["qp", "encode", "a", "b"]):
            rc, out, err = run(args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(out, b"", args)
            self.assertRegex(err, r"^mailwire-inspect: [^\n]+\n$", args)

    def test_missing_file_exits_1(self):
        rc, _, err = run(["base64", "decode", "/nonexistent/input"])
        self.assertEqual(rc, 1)
        self.assertRegex(err, r"^mailwire-inspect: cannot open /nonexistent/input: .+\n$")

    def test_file_argument_and_dash(self):
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"hello")
            f.flush()
            self.assertEqual(ok(["base64", "encode", f.name], b""), b"aGVsbG8=\r\n")
        self.assertEqual(ok(["base64", "encode", "-"], b"hello"), b"aGVsbG8=\r\n")


class Base64Vectors(unittest.TestCase):
    # RFC 4648 section 10.
    VECTORS = [(b"", b""), (b"f", b"Zg=="), (b"fo", b"Zm8="), (b"foo", b"Zm9v"),
               (b"foob", b"Zm9vYg=="), (b"fooba", b"Zm9vYmE="), (b"foobar", b"Zm9vYmFy")]

    def test_rfc4648_section10(self):
        for raw, enc in self.VECTORS:
            self.assertEqual(ok(["base64", "encode", "--wrap", "0"], raw), enc)
            self.assertEqual(ok(["base64", "encode"], raw), enc + b"\r\n" if enc else b"")
            self.assertEqual(ok(["base64", "decode"], enc), raw)
            self.assertEqual(ok(["base64", "decode", "--strict"], enc), raw)

    def test_url_alphabet(self):
        raw = bytes([0xfb, 0xff, 0xbf])
        self.assertEqual(ok(["base64", "encode", "--wrap", "0", "--url"], raw), b"-_-_")
        self.assertEqual(ok(["base64", "decode", "--url", "--strict"], b"-_-_"), raw)


class Base64Strict(unittest.TestCase):
    def expect_error(self, data, offset, reason, out=None):
        rc, got, err = run(["base64", "decode", "--strict"], data)
        self.assertEqual(rc, 1, data)
        self.assertEqual(err, f"mailwire-inspect: offset {offset}: {reason}\n", data)
        if out is not None:
            self.assertEqual(got, out, data)

    def test_error_offsets(self):
        self.expect_error(b"Zm9v\r\nYmFy", 4, "invalid base64 character", b"foo")
        self.expect_error(b"Zm9vY*Fy", 5, "invalid base64 character", b"foo")
        self.expect_error(b"Zm9vYg", 6, "missing base64 padding", b"foo")
        self.expect_error(b"Zm9vY===", 5, "bad base64 padding", b"foo")
        self.expect_error(b"Zm9vYh==", 5, "non-zero base64 pad bits", b"foo")
        self.expect_error(b"Zg==Zm9v", 4, "data after base64 padding", b"f")

    def test_mime_mode_skips_noise(self):
        self.assertEqual(ok(["base64", "decode"], b"Zm9v\r\n Ym*F!y\r\n"), b"foobar")
        self.assertEqual(ok(["base64", "decode"], b"Zg==\r\nignored"), b"f")
        # A trailing partial quantum is dropped (RFC 2045 section 6.8; inspect-mime-json.md).
        self.assertEqual(ok(["base64", "decode"], b"Zm9vYg"), b"foo")


class Base64Differential(unittest.TestCase):
    """Compared with Python's base64 and binascii on generated inputs (fixed seeds)."""

    def test_encode_matches_python(self):
        rng = random.Random(4648)
        for size in [0, 1, 2, 3, 56, 57, 58, 1000, 65535, 65536, 65537, 300001]:
            raw = rng.randbytes(size)
            self.assertEqual(ok(["base64", "encode"], raw),
                             base64.encodebytes(raw).replace(b"\n", b"\r\n"), size)
            for width in (0, 1, 4, 75, 76, 77, 1000):
                self.assertEqual(ok(["base64", "encode", "--wrap", str(width)], raw),
                                 mime_wrap(base64.b64encode(raw), width), (size, width))

    def test_decode_matches_python_with_noise(self):
        rng = random.Random(2045)
        noise = bytes(c for c in range(256) if c not in ALPHABET and c != ord("="))
        for i in range(150):
            raw = rng.randbytes(rng.randrange(0, 5000))
            enc = bytearray(base64.encodebytes(raw))
            for _ in range(rng.randrange(0, 20)):
                enc.insert(rng.randrange(0, len(enc) + 1), rng.choice(noise))
            enc = bytes(enc)
            self.assertEqual(ok(["base64", "decode"], enc), binascii.a2b_base64(enc), i)
            self.assertEqual(ok(["base64", "decode"], enc), raw, i)

    def test_strict_agrees_with_python_strict_mode(self):
        rng = random.Random(3548)
        for i in range(200):
            raw = rng.randbytes(rng.randrange(1, 3000))
            enc = bytearray(base64.b64encode(raw))
            bad_at = None
            if i % 2:
                bad_at = rng.randrange(0, len(enc))
                enc[bad_at] = rng.choice(b"\r\n .*-_!\x00\xff")
            enc = bytes(enc)
            rc, out, err = run(["base64", "decode", "--strict"], enc)
            try:
                want = binascii.a2b_base64(enc, strict_mode=True)
            except binascii.Error:
                want = None
            if want is None:
                self.assertEqual(rc, 1, i)
                m = re.match(r"mailwire-inspect: offset (\d+): ", err)
                self.assertIsNotNone(m, err)
                self.assertEqual(int(m.group(1)), bad_at, i)
                self.assertEqual(out, raw[:(bad_at // 4) * 3], i)
            else:
                self.assertEqual((rc, out), (0, want), i)


class QuotedPrintable(unittest.TestCase):
    def test_examples(self):
        self.assertEqual(ok(["qp", "encode"], "café \r\n".encode()), b"caf=C3=A9=20\r\n")
        self.assertEqual(ok(["qp", "encode"], b"a" * 80), b"a" * 75 + b"=\r\n" + b"a" * 5)
        self.assertEqual(ok(["qp", "encode", "--binary"], b"a\r\nb"), b"a=0D=0Ab")
        # RFC 2045 section 6.7: soft line breaks, rule 3 (trailing whitespace), malformed "=".
        self.assertEqual(ok(["qp", "decode"], b"Now's the time =\r\nfor all folk  \r\n"),
                         b"Now's the time for all folk\r\n")
        self.assertEqual(ok(["qp", "decode"], b"a=3Db=XYc=4"), b"a=b=XYc=4")

    def test_strict_error_offset(self):
        rc, out, err = run(["qp", "decode", "--strict"], b"ab=3Dcd=G1")
        self.assertEqual((rc, out), (1, b"ab=cd"))
        self.assertEqual(err, "mailwire-inspect: offset 7: malformed quoted-printable escape\n")

    def gen_text(self, rng, eol):
        words = ["Grüße", "naïve", "café", "ÆØÅ", "plain", "text", "=", "a\tb", "  ", "x" * 90,
                 "From the start", ".", "Übermaß", "\x00", "end "]
        lines = []
        for _ in range(rng.randrange(0, 40)):
            lines.append(" ".join(rng.choice(words) for _ in range(rng.randrange(0, 15))))
        return eol.join(lines).encode("utf-8")

    def test_encode_then_python_decodes(self):
        rng = random.Random(2047)
        for i in range(120):
            text = self.gen_text(rng, "\r\n")
            enc = ok(["qp", "encode"], text)
            self.assertTrue(all(len(l) <= 76 for l in enc.split(b"\r\n")), i)
            self.assertEqual(binascii.a2b_qp(enc), text, i)
            self.assertEqual(quopri.decodestring(enc), text, i)
            raw = rng.randbytes(rng.randrange(0, 2000))
            self.assertEqual(binascii.a2b_qp(ok(["qp", "encode", "--binary"], raw)), raw, i)

    def test_python_encodes_then_we_decode(self):
        rng = random.Random(6532)
        for i in range(120):
            text = self.gen_text(rng, "\n")
            for enc in (quopri.encodestring(text), binascii.b2a_qp(text, quotetabs=True),
                        binascii.b2a_qp(text, header=False, istext=True)):
                self.assertEqual(ok(["qp", "decode"], enc), text, i)
            raw = rng.randbytes(rng.randrange(0, 2000))
            self.assertEqual(ok(["qp", "decode"], binascii.b2a_qp(raw, istext=False)), raw, i)


class BoundedMemory(unittest.TestCase):
    """64 MiB streams through each command with a small, constant resident set."""
    LIMIT_KIB = 24 * 1024

    # ru_maxrss of a child counts the pages it shared with its parent before exec, so the tool is
    # started from a fresh, small Python process rather than from this (large) one.
    PROBE = (
        "import os, subprocess, sys\n"
        "with open(sys.argv[2], 'rb') as src, open(sys.argv[3], 'wb') as dst:\n"
        "    p = subprocess.Popen(sys.argv[4:], stdin=src, stdout=dst)\n"
        "    _, status, usage = os.wait4(p.pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n")

    def measure(self, args, src_path, dst_path):
        out = subprocess.run([sys.executable, "-c", self.PROBE, "x", src_path, dst_path, BIN] + args,
                             stdout=subprocess.PIPE, check=True).stdout.split()
        self.assertEqual(int(out[0]), 0, args)
        return int(out[1]), os.path.getsize(dst_path)

    def test_64_mib(self):
        size = 64 << 20
        with tempfile.TemporaryDirectory() as d:
            raw = os.path.join(d, "raw")
            chunk = random.Random(64).randbytes(1 << 20)
            with open(raw, "wb") as f:
                for _ in range(size >> 20):
                    f.write(chunk)
            enc = os.path.join(d, "enc")
            with open(raw, "rb") as src, open(enc, "wb") as dst:
                subprocess.run([BIN, "base64", "encode"], stdin=src, stdout=dst, check=True)
            for args, path in ((["base64", "encode"], raw), (["base64", "decode"], enc),
                               (["qp", "encode", "--binary"], raw), (["qp", "decode"], raw)):
                rss, out_size = self.measure(args, path, os.path.join(d, "out"))
                print(f"  {args}: max RSS {rss} KiB", file=sys.stderr)
                if not SANITIZED:  # ASan's shadow memory and quarantine make RSS meaningless
                    self.assertLess(rss, self.LIMIT_KIB, args)
                self.assertGreater(out_size, size // 2, args)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--sanitized", action="store_true", help="the tool is built with ASan/UBSan")
    ns, rest = ap.parse_known_args()
    SANITIZED = ns.sanitized
    BIN = os.path.abspath(ns.bin)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
