#!/usr/bin/env python3
"""`mailwire-inspect smtp command|reply` (../shared/spec/tools.md): canonical forms, DATA and BDAT
copied as they are, idempotence (inspect(inspect(x)) == inspect(x)), and `offset N: reason`
errors after the items parsed before them.

    python3 tests/tools/test_inspect_smtp.py --bin build/bin/mailwire-inspect
"""
import argparse
import os
import subprocess
import sys
import unittest

BIN = None


def run(kind, data):
    p = subprocess.run([BIN, "smtp", kind], input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr.decode()


# RFC 5321 appendix D.1, the client's side (commands and message content).
D1_CLIENT = (b"EHLO bar.com\r\nMAIL FROM:<Smith@bar.com>\r\nRCPT TO:<Jones@foo.com>\r\n"
             b"RCPT TO:<Green@foo.com>\r\nRCPT TO:<Brown@foo.com>\r\nDATA\r\n"
             b"Blah blah blah...\r\n...etc. etc. etc.\r\n.\r\nQUIT\r\n")
# ... and the server's side.
D1_SERVER = (b"220 foo.com Simple Mail Transfer Service Ready\r\n250-foo.com greets bar.com\r\n"
             b"250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n250 OK\r\n250 OK\r\n"
             b"550 No such user here\r\n250 OK\r\n354 Start mail input; end with <CRLF>.<CRLF>\r\n"
             b"250 OK\r\n221 foo.com Service closing transmission channel\r\n")


class Commands(unittest.TestCase):
    def test_rfc5321_d1_is_canonical(self):
        rc, out, err = run("command", D1_CLIENT)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out, D1_CLIENT)

    def test_canonical_form_and_idempotence(self):
        src = (b"ehlo client.example\r\nmail from:<a@example.org> body=8bitmime size=100\r\n"
               b"rcpt To:<\"x y\"@[192.0.2.1]> NOTIFY=success,failure ORCPT=rfc822;a+2Bb@x\r\n"
               b"bdat 5 last\r\nhelloRSET\r\nauth plain =\r\nnoop\r\nQuit\r\n")
        rc, out, err = run("command", src)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"EHLO client.example\r\nMAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME\r\n"
                              b"RCPT TO:<\"x y\"@[192.0.2.1]> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+2Bb@x\r\n"
                              b"BDAT 5 LAST\r\nhelloRSET\r\nAUTH plain =\r\nNOOP\r\nQUIT\r\n")  # mechanism as written
        self.assertEqual(run("command", out)[1], out)

    def test_data_content_is_copied_as_is(self):
        body = b"Subject: x\r\n\r\n..a dot\r\nbare\nlf\r\n.\r\n"
        rc, out, _ = run("command", b"DATA\r\n" + body + b"QUIT\r\n")
        self.assertEqual((rc, out), (0, b"DATA\r\n" + body + b"QUIT\r\n"))
        # Smuggling attempts do not end the data: only CRLF.CRLF does.
        smuggle = b"DATA\r\nhi\n.\nMAIL FROM:<evil@x>\r\n\r\n.\r\n"
        rc, out, _ = run("command", smuggle)
        self.assertEqual((rc, out), (0, smuggle))

    def test_errors_after_the_items_before(self):
        cases = [
            (b"MAIL FROM:<a@b>\r\nRCPT TO:<x\r\n", b"MAIL FROM:<a@b>\r\n", 27),  # where "@" is missing
            (b"NOOP\r\nNOOP\n", b"NOOP\r\n", None),          # bare LF
            (b"NOOP\r\nNOOP", b"NOOP\r\n", 6),                # incomplete
            # Incomplete content: what was already streamed out stays written (bounded memory).
            (b"DATA\r\nno end", b"DATA\r\n", None),
            (b"BDAT 10\r\nshort", b"BDAT 10\r\nshort", 14),
            (b"X" * 600 + b"\r\n", b"", 512),  # where the 512-octet limit is passed
        ]
        for src, want, offset in cases:
            rc, out, err = run("command", src)
            self.assertEqual(rc, 1, src[:40])
            self.assertEqual(out, want, src[:40])
            self.assertRegex(err, r"^mailwire-inspect: offset \d+: .+\n$")
            if offset is not None:
                self.assertTrue(err.startswith(f"mailwire-inspect: offset {offset}: "), (src[:40], err))


class Replies(unittest.TestCase):
    def test_rfc5321_d1_is_canonical(self):
        rc, out, err = run("reply", D1_SERVER)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out, D1_SERVER)
        self.assertEqual(run("reply", out)[1], out)

    def test_errors(self):
        rc, out, err = run("reply", b"250 ok\r\n250-a\r\n251 b\r\n")
        self.assertEqual((rc, out), (1, b"250 ok\r\n"))
        self.assertTrue(err.startswith("mailwire-inspect: offset 15: "), err)
        rc, out, err = run("reply", b"250 ok\r\n250-more")
        self.assertEqual((rc, out), (1, b"250 ok\r\n"))
        self.assertTrue(err.startswith("mailwire-inspect: offset 8: "), err)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ns, rest = ap.parse_known_args()
    BIN = os.path.abspath(ns.bin)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
