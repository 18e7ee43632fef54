#!/usr/bin/env python3
"""`mailwire-inspect imap command|response [--utf8]` (../shared/spec/tools.md, issue 7 section 4): the
RFC 3501 section 8 session both ways, every golden of tests/data/imap/{commands,responses}/rfc3501.txt
through the tool as one stream, canonical forms and idempotence (inspect(inspect(x)) == inspect(x)),
AUTHENTICATE and IDLE, 20 MB literals streamed in bounded memory, and `offset N: reason` errors
after the items parsed before them.

    python3 tests/tools/test_inspect_imap.py --bin build/bin/mailwire-inspect
"""
import argparse
import hashlib
import os
import random
import re
import subprocess
import sys
import tempfile
import unittest

BIN = None
SANITIZED = False
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "imap")


def run(kind, data, *flags):
    p = subprocess.run([BIN, "imap", kind, *flags], input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr.decode()


def crlf(text):
    return text.replace(b"\n", b"\r\n")


# RFC 3501 section 8, the client's side (as in the RFC: lower-case names, kept as written) ...
RFC3501_S8_CLIENT = crlf(b"a001 login mrc secret\na002 select inbox\na003 fetch 12 full\n"
                         b"a004 fetch 12 body[header]\na005 store 12 +flags \\deleted\na006 logout\n")
# ... and the server's (the FETCH FULL response on one line; the header literal counted with CRLF).
HEADER = crlf(b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\nFrom: Terry Gray <gray@cac.washington.edu>\n"
              b"Subject: IMAP4rev1 WG mtg summary and minutes\nTo: imap@cac.washington.edu\n"
              b"cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\n"
              b"Message-Id: <B27397-0100000@cac.washington.edu>\nMIME-Version: 1.0\n"
              b"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\n\n")
assert len(HEADER) == 342
RFC3501_S8_SERVER = crlf(
    b"* OK IMAP4rev1 Service Ready\na001 OK LOGIN completed\n* 18 EXISTS\n"
    b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\n* 2 RECENT\n"
    b"* OK [UNSEEN 17] Message 17 is the first unseen message\n* OK [UIDVALIDITY 3857529045] UIDs valid\n"
    b"a002 OK [READ-WRITE] SELECT completed\n"
    b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE "
    b"(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
    b"((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
    b"((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "
    b"((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
    b"\"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
    b"\"7BIT\" 3028 92))\n"
    b"a003 OK FETCH completed\n* 12 FETCH (BODY[HEADER] {342}\n") + HEADER + crlf(
    b")\na004 OK FETCH completed\n* 12 FETCH (FLAGS (\\Seen \\Deleted))\na005 OK +FLAGS completed\n"
    b"* BYE IMAP4rev1 server terminating connection\na006 OK LOGOUT completed\n")

LITERAL_AT_END = re.compile(rb"~?\{(\d+)\+?\}$")


def golden_stream(path):
    """Reads a golden file (tests/data/imap/commands/README.md; responses: "= text" after a
    message gives its canonical form): returns (input stream, canonical stream, messages)."""
    with open(path, "rb") as f:
        text = crlf(f.read())
    src, canon = [], []
    pos = 0
    while pos < len(text):
        eol = text.index(b"\r\n", pos)
        first = text[pos:eol]
        if first == b"" or first.startswith(b"#"):
            pos = eol + 2
            continue
        if first.startswith(b"= "):
            canon[-1] = first[2:] + b"\r\n"
            pos = eol + 2
            continue
        start = pos
        while True:  # a line ending in a literal announcement goes on after its octets
            eol = text.index(b"\r\n", pos)
            m = LITERAL_AT_END.search(text[pos:eol])
            pos = eol + 2
            if not m:
                break
            pos += int(m.group(1))
        src.append(text[start:pos])
        canon.append(text[start:pos])
    return b"".join(src), b"".join(canon), len(src)


def assert_error(test, result, want_out, offset, reason):
    rc, out, err = result
    test.assertEqual(rc, 1, err)
    test.assertEqual(out, want_out)
    test.assertEqual(err, f"mailwire-inspect: offset {offset}: {reason}\n")


class Goldens(unittest.TestCase):
    def test_rfc3501_section8_both_sides(self):
        self.assertEqual(run("command", RFC3501_S8_CLIENT), (0, RFC3501_S8_CLIENT, ""))
        self.assertEqual(run("response", RFC3501_S8_SERVER), (0, RFC3501_S8_SERVER, ""))

    def test_rfc3501_goldens_as_one_stream(self):
        src, canon, n = golden_stream(os.path.join(DATA, "commands", "rfc3501.txt"))
        self.assertGreater(n, 50)
        self.assertIn(b"a002 STARTTLS\r\na003 CAPABILITY\r\n", src)  # read on after STARTTLS
        self.assertEqual(run("command", src), (0, canon, ""))
        src, canon, n = golden_stream(os.path.join(DATA, "responses", "rfc3501.txt"))
        self.assertGreater(n, 100)
        self.assertEqual(run("response", src), (0, canon, ""))

    def test_other_goldens_as_streams(self):
        # The RFC 9051, extension and server-style goldens: UTF-8 names need --utf8; a DONE is
        # added after each IDLE (the goldens list IDLE alone).
        for kind, name, flags in [("command", "rfc9051.txt", ["--utf8"]), ("command", "extensions.txt", ["--utf8"]),
                                  ("response", "rfc9051.txt", []), ("response", "extensions.txt", []),
                                  ("response", "servers.txt", [])]:
            src, canon, _ = golden_stream(os.path.join(DATA, kind + "s", name))
            if kind == "command":
                src = re.sub(rb"( IDLE\r\n)(?!DONE\r\n)", rb"\1DONE\r\n", src, flags=re.I)
                canon = re.sub(rb"( IDLE\r\n)(?!DONE\r\n)", rb"\1DONE\r\n", canon, flags=re.I)
            with self.subTest(kind=kind, name=name):
                self.assertEqual(run(kind, src, *flags), (0, canon, ""))


class Commands(unittest.TestCase):
    def test_canonical_forms_and_idempotence(self):
        src = crlf(b"a1 fetch 1:*  (flags)\n")
        rc, out, err = run("command", src)
        self.assertEqual(rc, 1)  # two SP: refused
        src = crlf(b"a1 uid fetch 1:* (flags uid)\na2 SELECT \"INBOX\"\na3 login {4}\nfred \"pass\"\n"
                   b"a4 STATUS inbox (messages uidnext)\na5 store 1 +FLAGS.SILENT (\\Seen)\n"
                   b"a6 APPEND INBOX {3+}\nabc\na7 search charset UTF-8 TEXT {2}\nab\n")
        rc, out, err = run("command", src)
        self.assertEqual(rc, 0, err)
        self.assertEqual(run("command", out), (0, out, ""))

    def test_authenticate_sasl_lines_and_cancel(self):
        src = crlf(b"a1 AUTHENTICATE PLAIN\ndGVzdAB0ZXN0AHRlc3Q=\na2 NOOP\na3 AUTHENTICATE GSSAPI\nYIIB\n\n*\n"
                   b"a4 AUTHENTICATE PLAIN =\na5 AUTHENTICATE EXTERNAL\n\na6 LOGOUT\n")
        self.assertEqual(run("command", src), (0, src, ""))
        # After "*" lines are commands again: a base64 line is not a command there.
        assert_error(self, run("command", crlf(b"a1 AUTHENTICATE X\n*\nYIIB\n")),
                     crlf(b"a1 AUTHENTICATE X\n*\n"), 26, "invalid tag")
        # A SASL line that is not base64: the first octet that is not.
        assert_error(self, run("command", crlf(b"a1 AUTHENTICATE X\nYI!B\n")), crlf(b"a1 AUTHENTICATE X\n"),
                     21, "invalid base64 line")

    def test_idle_done(self):
        src = crlf(b"a1 IDLE\ndone\na2 IDLE\nDONE\na3 NOOP\n")
        self.assertEqual(run("command", src), (0, src.replace(b"done", b"DONE"), ""))
        assert_error(self, run("command", crlf(b"a1 IDLE\na2 NOOP\n")), crlf(b"a1 IDLE\n"), 9, "DONE expected")
        assert_error(self, run("command", crlf(b"a1 IDLE\nDONE \n")), crlf(b"a1 IDLE\n"), 13, "DONE expected")
        # IDLE at the end of the input: a whole item.
        self.assertEqual(run("command", crlf(b"a1 IDLE\n")), (0, crlf(b"a1 IDLE\n"), ""))

    def test_literals(self):
        # LITERAL+ / LITERAL- "{N+}", synchronizing literals, literal8 in APPEND, MULTIAPPEND.
        src = (b"a1 LOGIN {3+}\r\nfoo {3}\r\nbar\r\na2 APPEND INBOX (\\Seen) ~{4}\r\nab\0c\r\n"
               b"a3 APPEND INBOX {1}\r\nx {2+}\r\nyz\r\n")
        self.assertEqual(run("command", src), (0, src, ""))

    def test_utf8(self):
        src = "a1 SELECT \"Entwürfe\"\r\n".encode()
        assert_error(self, run("command", src), b"", 15, "8-bit octet not allowed here")
        self.assertEqual(run("command", src, "--utf8"), (0, src, ""))
        enable = b"a0 ENABLE UTF8=ACCEPT\r\n"
        self.assertEqual(run("command", enable + src), (0, enable + src, ""))

    def test_errors_after_the_items_before(self):
        ok = b"a1 NOOP\r\n"
        assert_error(self, run("command", ok + b"a\"2 NOOP\r\n"), ok, 10, "invalid tag")
        assert_error(self, run("command", ok + b"* NOOP\r\n"), ok, 9, "invalid tag")
        assert_error(self, run("command", ok + b"+ NOOP\r\n"), ok, 9, "invalid tag")
        # Literal count short: the input ends inside the literal (offset: the end of the input).
        src = ok + b"a2 LOGIN {5}\r\nab"
        assert_error(self, run("command", src), ok, len(src), "message ended inside a literal")
        src = ok + b"a2 APPEND INBOX {10}\r\n0123"
        assert_error(self, run("command", src), ok, len(src), "message ended inside a literal")
        # Incomplete line at the end; what was read is fine so far.
        assert_error(self, run("command", ok + b"a2 NOO"), ok, 15, "incomplete command")
        assert_error(self, run("command", ok + b"a2 NOOP\r"), ok, 17, "incomplete command")
        # ... but what was read is malformed already: its own offset.
        assert_error(self, run("command", ok + b"* NOO"), ok, 9, "invalid tag")
        assert_error(self, run("command", ok + b"a2 LOGIN a\0b"), ok, 19, "NUL outside literal8")
        assert_error(self, run("command", ok + b"a2 LOGIN " + b"x" * 70000), ok, len(ok) + 65536, "line too long")
        # A word cut by the end of the input may go on ("CHARS" -> "CHARSET"): incomplete.
        src = ok + b"a2 SEARCH CHARS"
        assert_error(self, run("command", src), ok, len(src), "incomplete command")
        # After AUTHENTICATE a cut line may be a SASL line or the start of a command.
        src = crlf(b"a1 AUTHENTICATE X\nab!c")
        assert_error(self, run("command", src), crlf(b"a1 AUTHENTICATE X\n"), len(src), "incomplete line")
        src = crlf(b"a1 IDLE\nDON")
        assert_error(self, run("command", src), crlf(b"a1 IDLE\n"), len(src), "incomplete line")
        assert_error(self, run("command", crlf(b"a1 IDLE\nDOX")), crlf(b"a1 IDLE\n"), 11, "DONE expected")
        # Unbalanced parentheses.
        assert_error(self, run("command", ok + b"a2 FETCH 1 (FLAGS UID\r\n"), ok, 30, "invalid fetch attribute")
        assert_error(self, run("command", ok + b"a2 STATUS INBOX (MESSAGES))\r\n"), ok, 35, "invalid command argument")
        # NUL outside literal8: in a line, and in a "{N}" literal.
        assert_error(self, run("command", ok + b"a2 LOGIN a\0b c\r\n"), ok, 19, "NUL outside literal8")
        assert_error(self, run("command", ok + b"a2 APPEND INBOX {3}\r\na\0c\r\n"), ok, 31, "NUL outside literal8")
        # Bare LF; a non-synchronizing literal's size over 2^63-1.
        assert_error(self, run("command", ok + b"a2 NOOP\n"), ok, 16, "bare LF in line")
        # ... where the framer gives up (a bare LF), an earlier error of the message comes first.
        assert_error(self, run("command", ok + b"* NOOP\n"), ok, 9, "invalid tag")
        assert_error(self, run("command", ok + b"a2 NOOP\r \n"), ok, 17, "CRLF expected")
        assert_error(self, run("command", ok + b"a2 LOGIN {99999999999999999999+}\r\n"), ok, 18, "number too large")


class Limits(unittest.TestCase):
    """The tool reads as an authenticated peer: 64 KiB lines, literals up to 2^63-1 octets."""

    def test_line_limit(self):
        ok = b"a1 NOOP\r\n"
        fits = b"a2 LOGIN " + b"x" * 65523 + b" y\r\n"
        self.assertEqual(len(fits), 65536)
        self.assertEqual(run("command", ok + fits), (0, ok + fits, ""))
        over = b"a2 LOGIN " + b"x" * 65524 + b" y\r\n"
        assert_error(self, run("command", ok + over), ok, len(ok) + 65536, "line too long")
        line = b"* OK " + b"x" * 65529 + b"\r\n"
        self.assertEqual(len(line), 65536)
        self.assertEqual(run("response", line), (0, line, ""))
        hi = b"* OK hi\r\n"
        assert_error(self, run("response", hi + b"* OK x" + line[5:]), hi, len(hi) + 65536, "line too long")

    def test_literal_limit(self):
        ok = b"a1 NOOP\r\n"
        head = b"a2 APPEND INBOX {9223372036854775807+}\r\n"  # accepted: its octets are awaited
        rc, out, err = run("command", ok + head + b"abc")
        self.assertEqual((rc, out, err), (1, ok + head + b"abc",
                                          f"mailwire-inspect: offset {len(ok + head) + 3}: message ended inside a literal\n"))
        assert_error(self, run("command", ok + b"a2 APPEND INBOX {9223372036854775808}\r\nabc"), ok, 25,
                     "number too large")


class Responses(unittest.TestCase):
    def test_canonical_forms_and_idempotence(self):
        src = crlf(b"* ok [alert] hi\n* 0003 exists\n* 1 fetch (uid 7 flags (\\seen) rfc822.size 0044)\na1 ok done\n+\n"
                   b"* search 1 2\n* CAPABILITY IMAP4rev1 IDLE\n")
        rc, out, err = run("response", src)
        self.assertEqual(rc, 0, err)
        self.assertNotEqual(out, src)
        self.assertEqual(run("response", out), (0, out, ""))

    def test_continuations_and_fetch_literals(self):
        src = (b"+ YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=\r\n+ Ready\r\n"
               b"* 1 FETCH (UID 5 BODY[TEXT] {4}\r\nab\r\n BODY[HEADER.FIELDS (SUBJECT)] {0}\r\n)\r\n"
               b"* 2 FETCH (BINARY[1] ~{3}\r\na\0b)\r\na1 OK done\r\n")
        self.assertEqual(run("response", src), (0, src, ""))

    def test_utf8_after_enabled(self):
        src = "* LIST () \"/\" \"Entwürfe\"\r\n".encode()
        assert_error(self, run("response", src), b"", 19, "8-bit octet not allowed here")
        self.assertEqual(run("response", src, "--utf8"), (0, src, ""))
        enabled = b"* ENABLED UTF8=ACCEPT\r\n"
        self.assertEqual(run("response", enabled + src), (0, enabled + src, ""))

    def test_errors_after_the_items_before(self):
        ok = b"* OK hi\r\n"
        assert_error(self, run("response", ok + b"a\"1 OK done\r\n"), ok, 10, "invalid tag")
        src = ok + b"* 1 FETCH (BODY[] {5}\r\nab"
        assert_error(self, run("response", src), ok, len(src), "message ended inside a literal")
        assert_error(self, run("response", ok + b"* 1 FETCH (FLAGS (\\Seen)\r\n"), ok, 33, "unexpected character")
        assert_error(self, run("response", ok + b"* 1 FETCH (BODY[] {3}\r\na\0c)\r\n"), ok, 33, "NUL outside literal8")
        assert_error(self, run("response", ok + b"* 1 FETCH (BODY[] {3+}\r\nabc)\r\n"), ok, 27,
                     "non-synchronizing literal not allowed")
        assert_error(self, run("response", ok + b"* OK"), ok, 13, "incomplete response")


class Streamed(unittest.TestCase):
    """20 MB literals go through in bounded memory (max RSS of the tool < 30 MB)."""
    SIZE = 20 * 1024 * 1024

    def body(self):
        rng = random.Random(20)
        block = bytes(rng.randrange(1, 256) for _ in range(65536)).replace(b"\r\n", b"\n\n")
        data = (block * (self.SIZE // len(block) + 1))[:self.SIZE]
        return data

    def run_file(self, kind, data):
        with tempfile.TemporaryDirectory(prefix="mw-imap-") as d:
            src, dst = os.path.join(d, "in"), os.path.join(d, "out")
            with open(src, "wb") as f:
                f.write(data)
            # /usr/bin/time measures the tool alone (a child forked from this process would count
            # this process's pages in its maximum RSS).
            with open(src, "rb") as fi, open(dst, "wb") as fo:
                p = subprocess.run(["/usr/bin/time", "-f", "%M", BIN, "imap", kind], stdin=fi, stdout=fo,
                                   stderr=subprocess.PIPE)
            err, _, rss = p.stderr.decode().rstrip("\n").rpartition("\n")
            with open(dst, "rb") as f:
                out = f.read()
        return p.returncode, out, err + "\n" if err else "", int(rss)  # KiB

    def check(self, kind, src):
        rc, out, err, rss_kib = self.run_file(kind, src)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(hashlib.sha256(out).hexdigest(), hashlib.sha256(src).hexdigest())
        print(f"\n  imap {kind}: {len(src)} octets, max RSS {rss_kib} KiB", file=sys.stderr)
        if not SANITIZED:
            self.assertLess(rss_kib, 30 * 1024)

    def test_append_20mb(self):
        data = self.body()
        src = (b"a1 LOGIN joe secret\r\na2 APPEND INBOX (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {%d}\r\n" % len(data)
               + data + b"\r\na3 APPEND Drafts {5+}\r\nhello {%d}\r\n" % len(data) + data + b"\r\na4 LOGOUT\r\n")
        self.check("command", src)

    def test_fetch_body_20mb(self):
        data = self.body()
        src = (b"* 1 FETCH (UID 7 BODY[] {%d}\r\n" % len(data) + data + b" FLAGS (\\Seen))\r\n"
               b"* 2 FETCH (BINARY[] ~{%d}\r\n" % len(data) + data.replace(b"\x01", b"\0") + b")\r\na1 OK done\r\n")
        self.check("response", src)

    def test_streamed_prefix_written_before_an_error(self):
        # A malformed end after a streamed literal: its canonical prefix and octets were written.
        data = b"x" * 100000
        head = b"a2 append inbox {100000}\r\n"
        src = b"a1 NOOP\r\n" + head + data + b" junk\r\n"
        rc, out, err = run("command", src)
        self.assertEqual(rc, 1)
        self.assertEqual(out, b"a1 NOOP\r\n" + head + data)
        self.assertEqual(err, f"mailwire-inspect: offset {len(src) - 6}: invalid literal\n")  # MULTIAPPEND wants one
        # Unknown commands and responses keep a streamed literal as written.
        src = b"a1 XFOO (" + b"{100000}\r\n" + data + b" x)\r\n"
        self.assertEqual(run("command", src), (0, src, ""))
        src = b"* XFOO {100000}\r\n" + data + b"\r\n"
        self.assertEqual(run("response", src), (0, src, ""))
        # In a response, a streamed literal outside a FETCH body item: refused at its announcement.
        src = b"* OK hi\r\n* 4 FETCH (ENVELOPE (NIL {100000}\r\n" + data + b" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n"
        assert_error(self, run("response", src), b"* OK hi\r\n", 34, "string expected")
        # A streamed literal where none may be: refused before any of its octets is written.
        src = b"a1 NOOP\r\na2 LOGIN {100000}\r\n" + data + b" pass\r\n"
        rc, out, err = run("command", src)
        self.assertEqual((rc, out), (1, b"a1 NOOP\r\n"))
        self.assertTrue(err.startswith("mailwire-inspect: offset 18: "), err)


class Idempotence(unittest.TestCase):
    def test_mutated_sessions(self):
        # Seeded mutations (case, doubled spaces, cuts, inserted octets) of the section 8 session:
        # whatever is accepted, or written before an error, reads back to itself.
        rng = random.Random(3501)
        edits = [lambda b, i: b[:i] + b[i:i + 1].swapcase() + b[i + 1:],
                 lambda b, i: b[:i] + b[i:].lower(), lambda b, i: b[:i] + b" " + b[i:],
                 lambda b, i: b[:i] + b"0" + b[i:], lambda b, i: b[:i] + b"\r\n" + b[i:],
                 lambda b, i: b[:i] + b[i + 1:], lambda b, i: b[:i]]
        accepted = 0
        for n in range(200):
            kind, src = rng.choice([("command", RFC3501_S8_CLIENT), ("response", RFC3501_S8_SERVER)])
            for _ in range(rng.randint(1, 3)):
                src = rng.choice(edits)(src, rng.randrange(len(src)))
            rc, out, err = run(kind, src)
            self.assertRegex(err, r"^(mailwire-inspect: offset \d+: .+\n)?$")
            rc2, out2, err2 = run(kind, out)
            self.assertEqual(out2, out, (n, src))
            if rc == 0:
                accepted += 1
                self.assertEqual((rc2, err2), (0, ""), (n, src))
        self.assertGreater(accepted, 20)

    def test_non_canonical_forms(self):
        # Forms the parsers accept that are written differently: the second pass changes nothing.
        for kind, src in [("command", b"a1 FETCH 2:1 (FLAGS)\r\n"), ("command", b"a1 UID FETCH 1:* fast\r\n"),
                          ("command", b"a1 SEARCH not deleted since 1-feb-1994\r\n"),
                          ("response", b"* 0012 EXISTS\r\n"), ("response", b"a1 ok [READ-WRITE]\r\n"),
                          ("response", b"* 1 FETCH (uid 1 rfc822.size 0044)\r\n")]:
            rc, out, err = run(kind, src)
            self.assertEqual(rc, 0, (src, err))
            if kind == "response":  # upper-case keywords, numbers without leading zeros
                self.assertNotEqual(out, src)
            self.assertEqual(run(kind, out), (0, out, ""), src)


class Usage(unittest.TestCase):
    def test_usage(self):
        for args in (["imap"], ["imap", "frob"], ["imap", "command", "a", "b"], ["pop3", "command", "--utf8"],
                     ["imap", "command", "--strict"]):
            p = subprocess.run([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 2, args)
        p = subprocess.run([BIN, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertIn(b"imap command [--utf8]", p.stdout)
        self.assertIn(b"imap response [--utf8]", p.stdout)
        with tempfile.NamedTemporaryFile(prefix="mw-imap-") as f:
            f.write(RFC3501_S8_CLIENT)
            f.flush()
            p = subprocess.run([BIN, "imap", "command", f.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual((p.returncode, p.stdout), (0, RFC3501_S8_CLIENT))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--sanitized", action="store_true")
    args, rest = ap.parse_known_args()
    BIN = os.path.abspath(args.bin)
    SANITIZED = args.sanitized
    unittest.main(argv=[sys.argv[0]] + rest)
