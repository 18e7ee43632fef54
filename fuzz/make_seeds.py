#!/usr/bin/env python3
"""fuzz/make_seeds.py - writes the hand-made seed inputs of fuzz/corpus/<target>/.

Each fuzz target reads a few option bytes before its payload (see the comment at the top of
fuzz/<target>.cpp); this script spells them out so the seeds stay readable. It writes only
files named seed-*, and never deletes anything, so inputs added by hand (regressions found
by fuzzing) stay. Run it from anywhere: python3 fuzz/make_seeds.py
"""
import base64
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def plan(*sizes):
    """A chunk_plan: a count byte (0-7), then the chunk sizes (0-255), used cyclically."""
    assert len(sizes) < 8 and all(0 <= s < 256 for s in sizes)
    return bytes([len(sizes), *sizes])


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# Option bits of base64_decode: 1 url alphabet, 2 require_padding=false, 4/8 SIMD cap of the
# chunked run (0 scalar, 4 avx2/neon, 8 avx512vbmi, 12 best), (k << 4) output buffer k+1 bytes.
URL, NOPAD = 1, 2
SCALAR, AVX2, AVX512, BEST = 0, 4, 8, 12


def out(n):
    return (n - 1) << 4


LOREM = (b"Internet mail has used base64 since RFC 1341: three bytes become four characters, "
         b"lines of 76 characters end in CRLF, and '=' pads the final quantum.")
BINARY = bytes(range(256))


def mime_wrap(data, eol=b"\r\n"):
    return base64.encodebytes(data).replace(b"\n", eol)


def base64_decode():
    t = "base64_decode"
    # RFC 4648 section 10 test vectors, each with another chunking and SIMD cap.
    vectors = [b"", b"Zg==", b"Zm8=", b"Zm9v", b"Zm9vYg==", b"Zm9vYmE=", b"Zm9vYmFy"]
    caps = [SCALAR, AVX2, AVX512, BEST]
    for i, v in enumerate(vectors):
        write(t, f"rfc4648-{i}", bytes([caps[i % 4] | out(1 + i % 3)]) + plan(*([1, 2, 0][: i % 4])) + v)
    # RFC 2045 section 6.8 text: 76-character lines with CRLF, and the same with bare LF.
    write(t, "rfc2045-crlf", bytes([BEST | out(16)]) + plan(77, 1) + mime_wrap(LOREM))
    write(t, "rfc2045-lf", bytes([AVX2 | out(3)]) + plan(5, 0, 64) + mime_wrap(LOREM, b"\n"))
    write(t, "binary-long", bytes([AVX512 | out(7)]) + plan(100, 3) + mime_wrap(BINARY))
    write(t, "binary-one-line", bytes([BEST | out(16)]) + plan() + base64.b64encode(BINARY))
    # URL alphabet (RFC 4648 section 5), with and without padding.
    write(t, "url-padded", bytes([URL | BEST | out(2)]) + plan(3) + base64.urlsafe_b64encode(BINARY[200:]))
    write(t, "url-unpadded", bytes([URL | NOPAD | SCALAR | out(1)]) + plan(1) + b"-_-_Pz8_Pw")
    write(t, "std-chars-in-url", bytes([URL | AVX2 | out(4)]) + plan() + b"+/+/Zm9v")
    # Malformed input: each defect of base64::errc, in MIME mode and strict mode.
    malformed = {
        "invalid-char": b"Zm9v!YmFy",
        "invalid-char-late": base64.b64encode(LOREM[:60]) + b"*" + base64.b64encode(LOREM[60:120]),
        "pad-short": b"Zg=",
        "no-pad": b"Zm9vYg",
        "truncated": b"Zm9vY",
        "pad-too-early": b"Z===",
        "pad-in-middle": b"Zm9=v",
        "data-after-pad": b"Zg==Zg==",
        "pad-bits": b"Zh==Zm9=",
        "many-pads": b"Zm9vYmFy====",
        "leading-pad": b"=Zg==",
        "spaces": b" Zm 9v\tYg\v==\f\r\n",
        "bare-cr": b"Zm9v\rYmFy\r",
        "high-bytes": b"Zm9v\xff\x80YmFy\x00",
    }
    for i, (name, v) in enumerate(malformed.items()):
        flags = caps[i % 4] | out(1 + i % 5) | (NOPAD if i % 3 == 0 else 0)
        write(t, name, bytes([flags]) + plan(*([2, 1, 7][: i % 4])) + v)


def base64_roundtrip():
    t = "base64_roundtrip"
    # flags: 1 url, 2 no padding, (0/4/8/12) line length 0 / 76 / 1-16 / 1-256 from the
    # line byte, 16 LF, 32 no final line break, (0/64/128/192) SIMD cap of the chunked run.
    L0, L76, LSMALL, LANY = 0, 4, 8, 12
    LF, NOFINAL = 16, 32
    S, A2, A512, B = 0, 64, 128, 192
    cases = [
        ("empty", L0 | B, 0, 1, plan(), b""),
        ("f", L0 | S, 0, 1, plan(1), b"f"),
        ("fo", L0 | NOPAD | A2, 0, 2, plan(), b"fo"),
        ("foo", L0 | URL | A512, 0, 3, plan(2), b"foo"),
        ("foobar-mime", L76 | B, 0, 5, plan(1, 2, 3), b"foobar"),
        ("lorem-mime", L76 | A512, 0, 64, plan(57, 1), LOREM),
        ("lorem-mime-lf", L76 | LF | A2, 0, 17, plan(100), LOREM),
        ("lorem-no-final", L76 | NOFINAL | S, 0, 9, plan(0, 5), LOREM),
        ("binary-line-1", LSMALL | B, 0, 1, plan(), BINARY[:40]),
        ("binary-line-5", LSMALL | NOPAD | A2, 4, 3, plan(7), BINARY[40:100]),
        ("binary-line-64", LANY | A512, 63, 32, plan(48, 0, 3), BINARY),
        ("binary-line-72-lf", LANY | LF | NOFINAL | URL | B, 71, 64, plan(3), BINARY[::-1]),
        ("binary-line-200", LANY | NOPAD | URL | S, 199, 7, plan(255), BINARY + LOREM),
        ("exact-line", L76 | B, 0, 64, plan(), BINARY[:57]),
    ]
    for name, flags, line, outb, p, data in cases:
        write(t, name, bytes([flags, line, outb - 1]) + p + data)


def qp_decode():
    t = "qp_decode"
    # flags: SIMD cap of the chunked run (0 scalar, 1 avx2/neon, 2 avx512vbmi, 3 best) | (k << 2)
    # output buffer k+1 bytes.
    def f(cap, outn):
        return bytes([cap | ((outn - 1) << 2)])
    cases = {
        # RFC 2045 section 6.7 rule (5): soft line breaks.
        "rfc2045-soft": b"Now's the time =\r\nfor all folk to come=\r\n to the aid of their country.",
        "hex": b"=3D=20=0D=0A=00=FF=7F",
        "utf8": b"Caf=C3=A9 na=C3=AFve r=C3=A9sum=C3=A9\r\n",
        "lowercase-hex": b"caf=c3=a9 =3d",
        "malformed": b"=G1 =1G == =3 x=\tz =",
        "soft-ws": b"soft with blanks=  \t\r\nsoft LF=\nsoft blank LF= \nend=",
        "eq-cr": b"a=\rb=\r\r\nc",
        "trailing-ws": b"abc   \r\nxyz \t\nlast \t ",
        "bare-cr": b"a\rb\r\rc\r",
        "raw-8bit": b"\xff\x00\x80 raw =E9\xe9\r\n",
        "dot-from": b".\r\n=2E\r\nFrom me\r\n=46rom you\r\n",
        "long-spaces": b" " * 600 + b"x" + b" " * 300 + b"\r\n" + b"\t" * 200,
        # The decoder removes runs of up to 1024 SP/HTAB before a break (or after a soft "=").
        "ws-1024": b"a" + b" \t" * 512 + b"\r\nb" + b" " * 1024,
        "ws-1025": b"a" + b" " * 1025 + b"\nb" + b"\t" * 1025,
        "eq-ws-1024": b"a=" + b" " * 1024 + b"\r\nb=" + b"\t" * 1024,
        "eq-ws-1025": b"a=" + b" " * 1025 + b"\r\nb=" + b" " * 1025 + b"x",
        "long-line": (b"The quick brown fox =3D jumps over the lazy dog; =C3=A9t=C3=A9 " * 6)
                     + b"=\r\n" + b"x" * 100 + b"=\n" + b"y" * 70,
        "empty": b"",
        "only-eq": b"=",
        "crlf-only": b"\r\n\r\n\n\n",
    }
    for i, (name, v) in enumerate(cases.items()):
        write(t, name, f(i % 4, 1 + (i * 5) % 16) + plan(*([1, 3, 0, 2, 64][: i % 6])) + v)


def qp_roundtrip():
    t = "qp_roundtrip"
    # flags: 1 binary, 2 eol LF, 4 protect_dot, 8 protect_from, 16 ebcdic_safe,
    # (0/32/64/96) SIMD cap of the chunked run; then line_length as 16 bits, big-endian.
    BIN, LF, DOT, FROM, EBCDIC = 1, 2, 4, 8, 16
    S, A2, A512, B = 0, 32, 64, 96

    def head(flags, line_length, outn, *sizes):
        v = line_length
        return bytes([flags, v >> 8, v & 255, outn - 1]) + plan(*sizes)

    cases = [
        ("empty", head(B, 76, 1), b""),
        ("hello", head(S, 76, 3, 1), b"hello"),
        ("text-crlf", head(A2, 76, 16, 5), b"line one\r\nline two \r\n\r\nline four\t\r\n"),
        ("text-bare-lf", head(A512, 76, 7, 3, 0), b"unix\nfile \n\nend"),
        ("text-bare-lf-eol-lf", head(LF | B, 76, 5), b"unix\nand\r\ndos\r\n"),
        ("bare-cr", head(B, 20, 2, 1), b"a\rb\r\r\nc\r"),
        ("trailing-ws", head(S, 10, 4, 2), b"a \r\nb\t\n c \t"),
        ("from-dot", head(FROM | DOT | A2, 76, 9), b"From me\r\n.\r\n..dots\r\nFrom\r\nFrom: x\r\n"),
        ("from-dot-wrapped", head(FROM | DOT | S, 6, 2, 1), b"xxxxx.From abc.de"),
        ("ebcdic", head(EBCDIC | B, 76, 11), b"!\"#$@[\\]^`{|}~ = ?_"),
        ("binary", head(BIN | A512, 76, 33, 100), BINARY),
        ("binary-lf-short", head(BIN | LF | S, 4, 1, 1, 2), b"\r\n\x00 \t=\r"),
        ("long-line-998", head(A2, 998, 64, 255), b"x" * 1200 + b"\r\n" + b"=" * 300),
        ("line-4", head(S, 4, 1), b"=====  \t\t=\xff\xe9abc"),
        ("utf8", head(B, 40, 13), "Voix ambiguë d'un cœur qui, au zéphyr, préfère les jattes de kiwis".encode()),
        ("spaces", head(A512, 76, 6, 7, 1), b" " * 200 + b"\r\n" + b"\t " * 50),
        ("no-limit", head(B, 0, 20, 9), b"x" * 500 + b" \r\n=" * 3),
        ("line-2", head(A2, 2, 2), b"ab=\xff \r\n"),
    ]
    for name, h, data in cases:
        write(t, name, h + data)


def q_roundtrip():
    t = "q_roundtrip"
    cases = {
        "empty": b"",
        "hello": b"Hello World",
        # RFC 2047 section 8 examples, decoded.
        "keld": "Keld Jørn Simonsen".encode("latin-1"),
        "andre": "André Pirard".encode(),
        "rfc2047-encoded-word": b"=?ISO-8859-1?Q?a_b?=",
        "specials": b"(comment) \"quoted\" <a@b> a_b c=d?e, x.y;z:\\",
        "whitespace": b" \t\r\n  ",
        "phrase-chars": b"!*+-/ azAZ09",
        "binary": BINARY,
    }
    for name, v in cases.items():
        write(t, name, v)


if __name__ == "__main__":
    base64_decode()
    base64_roundtrip()
    qp_decode()
    qp_roundtrip()
    q_roundtrip()


# mime_parser: option byte (1 decode, 2 parse_encoded_messages, 4/8 small limits, k << 4
# decode buffer 64 + 13k), chunk plan, message.
MIME_MIXED = (b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=\"b 1\"\r\n\r\n"
              b"preamble\r\n--b 1\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
              b"--b 1\r\nContent-Type: multipart/alternative; boundary=in\r\n\r\n--in\r\n"
              b"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9=\r\n\r\n--in--\r\n"
              b"--b 1\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8g\r\nd29ybGQ=\r\n"
              b"--b 1--\r\nepilogue\r\n")
INNER = b"Subject: inner\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\nx\r\n--q--\r\n"
MIME_ENCODED = (b"Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: default type\r\n\r\nbody\r\n"
                b"--d\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + base64.encodebytes(INNER).replace(b"\n", b"\r\n") + b"--d--\r\n")
MIME_BROKEN = (b"Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/mixed; boundary=i\n\n"
               b"--i\n\nno close\n--o  \t\n\nlast\n--o-\n--o")
for name, opts, p, msg in [("mixed", 0, plan(), MIME_MIXED), ("mixed-decode", 1, plan(1, 7, 64), MIME_MIXED),
                           ("encoded", 3, plan(3, 0, 17), MIME_ENCODED), ("encoded-raw", 2, plan(), MIME_ENCODED),
                           ("broken-lf", 1, plan(2), MIME_BROKEN), ("limits", 0x0d, plan(5), MIME_MIXED)]:
    write("mime_parser", name, bytes([opts]) + p + msg)

for name, v in [("rfc2231", b"application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
                            b" title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\""),
                ("quoted", b"multipart/mixed; boundary=\"a\\\"b\" (comment) ; charset=utf-8"),
                ("lenient", b"application/pdf; name=my file.pdf charset=x; name*=utf-8''%C3%A9; ;="),
                ("disposition", b"attachment; filename=genome.jpeg;\r\n modification-date=\"Wed, 12 Feb 1997\"")]:
    write("mime_content_type", name, v)
