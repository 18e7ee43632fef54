#!/usr/bin/env python3
"""`mailwire-inspect pop3 command|response [--commands FILE]` (../shared/spec/tools.md): the RFC 1939
section 10 example both ways, canonical forms, multi-line bodies by command, AUTH exchanges,
idempotence (inspect(inspect(x)) == inspect(x)), and `offset N: reason` errors after the items
parsed before them.

    python3 tests/tools/test_inspect_pop3.py --bin build/bin/mailwire-inspect
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import unittest

BIN = None


def run(kind, data, commands=None):
    args = [BIN, "pop3", kind]
    path = None
    if commands is not None:
        fd, path = tempfile.mkstemp(prefix="mw-pop3-commands-")
        with os.fdopen(fd, "wb") as f:
            f.write(commands)
        args += ["--commands", path]
    try:
        p = subprocess.run(args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    finally:
        if path:
            os.unlink(path)
    return p.returncode, p.stdout, p.stderr.decode()


# RFC 1939 section 10, the client's side ...
RFC1939_CLIENT = (b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\n"
                  b"RETR 2\r\nDELE 2\r\nQUIT\r\n")
# ... and the server's (the messages stand in for "<the POP3 server sends message N>").
MSG1 = b"From: a@example.org\r\nSubject: one\r\n\r\n..a stuffed line\r\n.\tand another\r\n"
MSG2 = b"From: b@example.org\r\n\r\nbody\r\n"
RFC1939_SERVER = (b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"
                  b"+OK mrose's maildrop has 2 messages (320 octets)\r\n+OK 2 320\r\n"
                  b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n"
                  b"+OK 120 octets\r\n" + MSG1 + b".\r\n+OK message 1 deleted\r\n"
                  b"+OK 200 octets\r\n" + MSG2 + b".\r\n+OK message 2 deleted\r\n"
                  b"+OK dewey POP3 server signing off (maildrop empty)\r\n")


def assert_error(test, result, want_out, offset):
    rc, out, err = result
    test.assertEqual(rc, 1, err)
    test.assertEqual(out, want_out)
    test.assertRegex(err, r"^mailwire-inspect: offset \d+: .+\n$")
    if offset is not None:
        test.assertTrue(err.startswith(f"mailwire-inspect: offset {offset}: "), err)


class Commands(unittest.TestCase):
    def test_rfc1939_section10_is_canonical(self):
        self.assertEqual(run("command", RFC1939_CLIENT), (0, RFC1939_CLIENT, ""))

    def test_canonical_form_and_idempotence(self):
        src = (b"capa\r\nuser mrose\r\npass  two  spaces \r\nstat\r\nlist\r\nList 2\r\nuidl 007\r\n"
               b"top 1 10\r\nretr 1\r\ndele 1\r\nrset\r\nnoop\r\nxtnd xmit\r\nquit\r\n")
        rc, out, err = run("command", src)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"CAPA\r\nUSER mrose\r\nPASS  two  spaces \r\nSTAT\r\nLIST\r\nLIST 2\r\nUIDL 7\r\n"
                              b"TOP 1 10\r\nRETR 1\r\nDELE 1\r\nRSET\r\nNOOP\r\nXTND xmit\r\nQUIT\r\n")
        self.assertEqual(run("command", out), (0, out, ""))

    def test_sasl_lines_after_auth(self):
        # RFC 5034 section 6: PLAIN without an initial response, then a line; a cancelled
        # exchange; an initial response with "=".
        src = (b"AUTH PLAIN\r\ndGVzdAB0ZXN0AHRlc3Q=\r\nSTAT\r\nAUTH GSSAPI\r\nYIIB\r\n*\r\n"
               b"AUTH PLAIN =\r\n\r\nquit\r\n")
        rc, out, err = run("command", src)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, src.replace(b"quit", b"QUIT"))
        self.assertEqual(run("command", out), (0, out, ""))
        # After "*" lines are commands again: a base64 line is an unknown command there.
        assert_error(self, run("command", b"AUTH X\r\n*\r\nYIIB=\r\n"), b"AUTH X\r\n*\r\n", 15)

    def test_errors_after_the_items_before(self):
        assert_error(self, run("command", b"STAT\r\nRETR 0\r\n"), b"STAT\r\n", None)
        assert_error(self, run("command", b"STAT\r\nSTAT\n"), b"STAT\r\n", None)       # bare LF
        assert_error(self, run("command", b"NOOP\r\nNOOP"), b"NOOP\r\n", 6)           # incomplete
        assert_error(self, run("command", b"USER " + b"x" * 300 + b"\r\n"), b"", 255)  # line limit
        assert_error(self, run("command", b"AUTH PLAIN\r\nnot base64!\r\n"), b"AUTH PLAIN\r\n", 15)


class Responses(unittest.TestCase):
    def test_rfc1939_section10_is_canonical(self):
        self.assertEqual(run("response", RFC1939_SERVER, RFC1939_CLIENT), (0, RFC1939_SERVER, ""))

    def test_without_commands_every_response_is_one_line(self):
        src = b"+OK ready\r\n+ \r\n+ YIIB\r\n-ERR [AUTH] no\r\n+OK\r\n"
        self.assertEqual(run("response", src), (0, src, ""))
        # A body line is not a response then.
        assert_error(self, run("response", b"+OK 2 messages\r\n1 120\r\n"), b"+OK 2 messages\r\n", 16)

    def test_canonical_form_and_idempotence(self):
        cmds = b"CAPA\r\nUSER a\r\nPASS b\r\nUIDL\r\nLIST\r\nTOP 1 0\r\nRETR 9\r\nNOOP\r\n"
        src = (b"+ok hello\r\n"
               b"+ok capability list follows\r\ntop\r\nuser\r\nsasl PLAIN GSSAPI\r\nEXPIRE 30 USER\r\n"
               b"IMPLEMENTATION x y\r\n.\r\n"
               b"+OK\r\n+OK [AUTH]  logged in\r\n+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n0002 QhdPYR:00WBw1Ph7x7\r\n.\r\n"
               b"+OK\r\n.\r\n"
               b"+OK top\r\nSubject: x\r\n..\r\n\r\n.\r\n"
               b"-err no such message\r\n+OK\r\n")
        rc, out, err = run("response", src, cmds)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"+OK hello\r\n"
                              b"+OK capability list follows\r\ntop\r\nuser\r\nsasl PLAIN GSSAPI\r\nEXPIRE 30 USER\r\n"
                              b"IMPLEMENTATION x y\r\n.\r\n"
                              b"+OK\r\n+OK [AUTH]  logged in\r\n+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n"
                              b"+OK\r\n.\r\n"
                              b"+OK top\r\nSubject: x\r\n..\r\n\r\n.\r\n"
                              b"-ERR no such message\r\n+OK\r\n")
        self.assertEqual(run("response", out, cmds), (0, out, ""))

    def test_auth_continuations_and_err(self):
        cmds = b"AUTH PLAIN\r\ndGVzdAB0ZXN0AHRlc3Q=\r\nAUTH X\r\n*\r\nLIST\r\nRETR 1\r\nQUIT\r\n"
        src = (b"+OK ready\r\n+ \r\n+OK maildrop locked and ready\r\n+ YIIB\r\n-ERR cancelled\r\n"
               b"+OK 1 message\r\n1 5\r\n.\r\n-ERR [SYS/TEMP] later\r\n+OK bye\r\n")
        self.assertEqual(run("response", src, cmds), (0, src, ""))
        # A continuation answering something other than AUTH; answers to no command.
        assert_error(self, run("response", b"+OK hi\r\n+ \r\n", b"STAT\r\n"), b"+OK hi\r\n", 8)
        assert_error(self, run("response", b"+OK hi\r\n+OK 0 0\r\n+OK\r\n", b"STAT\r\n"),
                     b"+OK hi\r\n+OK 0 0\r\n", 17)
        # Fewer answers than commands: the session ended early; fine.
        self.assertEqual(run("response", b"+OK hi\r\n", b"STAT\r\n"), (0, b"+OK hi\r\n", ""))

    def test_bodies_end_only_at_crlf_dot_crlf(self):
        body = b"a\n.\nb\r.\r\n..x\r\n"  # bare LF/CR never start a line
        src = b"+OK\r\n+OK\r\n" + body + b".\r\n+OK\r\n"
        self.assertEqual(run("response", src, b"RETR 1\r\nQUIT\r\n"), (0, src, ""))

    def test_errors_after_the_items_before(self):
        cmds = RFC1939_CLIENT
        # A LIST line that is not a scan listing: offset of the line's bad octet.
        bad_list = RFC1939_SERVER.replace(b"2 200\r\n", b"2 2x0\r\n")
        at = bad_list.index(b"2 2x0") + 3
        want = RFC1939_SERVER[:RFC1939_SERVER.index(b"2 200\r\n")]
        assert_error(self, run("response", bad_list, cmds), want, at)
        # A body with no end: it is written (streamed through), then the offset of the end of input.
        cut = RFC1939_SERVER[:RFC1939_SERVER.index(b".\r\n+OK message 1")]
        assert_error(self, run("response", cut, cmds), cut, len(cut))
        # A malformed status line.
        assert_error(self, run("response", b"+OK hi\r\n+YES\r\n", cmds), b"+OK hi\r\n", 8)
        # A bad --commands file: its name and offset.
        rc, out, err = run("response", RFC1939_SERVER, b"STAT\r\nRETR x\r\n")
        self.assertEqual((rc, out), (1, b""))
        self.assertRegex(err, r"^mailwire-inspect: .*: offset 11: .+\n$")  # the "x"

    def test_idempotence_of_mutated_sessions(self):
        # Seeded mutations of the RFC 1939 example (cases, doubled spaces, dots, line ends, cuts):
        # whatever is accepted, or written before an error, reads back to itself.
        rng = random.Random(1939)
        edits = [lambda b, i: b[:i] + b[i:i + 1].swapcase() + b[i + 1:],
                 lambda b, i: b[:i] + b" " + b[i:], lambda b, i: b[:i] + b"." + b[i:],
                 lambda b, i: b[:i] + b"\r\n" + b[i:], lambda b, i: b[:i] + b[i + 1:],
                 lambda b, i: b[:i]]
        for n in range(150):
            kind, src, cmds = rng.choice([("command", RFC1939_CLIENT, None),
                                          ("response", RFC1939_SERVER, RFC1939_CLIENT),
                                          ("response", RFC1939_SERVER, None)])
            for _ in range(rng.randint(1, 3)):
                src = rng.choice(edits)(src, rng.randrange(len(src)))
            rc, out, _ = run(kind, src, cmds)
            rc2, out2, err2 = run(kind, out, cmds)
            self.assertEqual(out2, out, (n, src))
            if rc == 0:
                self.assertEqual((rc2, err2), (0, ""), (n, src))

    def test_usage(self):
        p = subprocess.run([BIN, "pop3", "command", "--commands", "x"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 2)
        p = subprocess.run([BIN, "pop3", "frob"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 2)
        p = subprocess.run([BIN, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertIn(b"pop3 response [--commands FILE]", p.stdout)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    args, rest = ap.parse_known_args()
    BIN = os.path.abspath(args.bin)
    unittest.main(argv=[sys.argv[0]] + rest)
