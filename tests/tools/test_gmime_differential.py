#!/usr/bin/env python3
"""`mailwire-inspect mime` against GMime 3 (issue 4 section 4, second differential test).

gmime-json (gmime_json.cpp) prints GMime's reading of a message as the JSON of
spec/inspect-mime-json.md. Both run on CPython's email test messages, on generated MIME trees
(fixed seeds; mailwire must also match the JSON known by construction, so a difference there is
GMime's) and on the hand-written messages of data/mime/. Every difference must be listed in
KNOWN_GMIME_DIFFERENCES with the reason mailwire's reading is the right one, and every listed
one must still occur.

    python3 tests/tools/test_gmime_differential.py --bin build/bin/mailwire-inspect \
        --gmime build/bin/gmime-json [--corpus DIR]
"""
import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_inspect_mime as base  # noqa: E402  (Gen, differences, find_corpus, sha)

BIN = None
GMIME = None
CORPUS = None
DATA = os.path.join(HERE, "data", "mime")
GENERATED_SEEDS = range(1000, 1150)

# Reasons shared by several entries.
COMMENT = ("a comment is never a display name (spec 'Precise rules'; RFC 5322 section 3.2.2: comments "
           "are not semantic content); GMime takes the comment after an addr-spec as the name")
NON_FIELD = ("a line that is not a header field (no ':', RFC 5322 section 2.2) ends the header block and "
             "starts the body, as in Python's email; GMime discards the line's bytes")
GMIME_B_WORDS = ("GMime decodes adjacent B encoded-words of one charset with one base64 state, so the "
                 "padding '=' of a word ends the text and the later words are lost; RFC 2047 sections 2 "
                 "and 6.2: each encoded-word is decoded on its own (mailwire matches the JSON known by "
                 "construction)")
EIGHT_BIT = ("spec: raw 8-bit header bytes are read as UTF-8 and each invalid sequence becomes U+FFFD "
             "(RFC 6532 section 3.2); GMime guesses a fallback charset (Latin-1) for the whole value")
FIRST_FIELD = "spec: a field that occurs more than once, the first occurrence counts; GMime uses the last"
QP_PADDING = ("RFC 2045 section 6.7 rule (3): trailing whitespace on an encoded line is transport "
              "padding and is deleted when decoding; GMime keeps it")
INVALID_TYPE = ("an invalid Content-Type (not token '/' token) gives text/plain (RFC 2045 section 5.2 and "
                "the spec); GMime gives application/octet-stream for 'text' and keeps '/plain' as a type")
ENCODED_MESSAGE = ("spec: message/rfc822 is parsed as a message even when base64- or QP-encoded (decode "
                   "first); GMime leaves it an undecoded leaf")

# (file pattern (fnmatch), JSON path (re.fullmatch)) -> why mailwire's reading is the right one.
KNOWN_GMIME_DIFFERENCES = {
    # CPython's email test messages.
    ("msg_01.txt", r"\.headers\.from\[0\]\.name"): COMMENT,
    ("msg_02.txt", r"\.root\.parts\[2\]\.parts\[\d\]\.message\.headers\.from\[0\]\.name"): COMMENT,
    ("msg_03.txt", r"\.headers\.from\[0\]\.name"): COMMENT,
    ("msg_04.txt", r"\.headers\.from\[0\]\.name"): COMMENT,
    ("msg_06.txt", r"(\.root\.message)?\.headers\.from\[0\]\.name"): COMMENT,
    ("msg_14.txt", r"\.headers\.from\[0\]\.name"): COMMENT,
    ("msg_14.txt", r"\.root\.type"): INVALID_TYPE,
    ("msg_15.txt", r"\.root\.parts\[0\]\.parts\[0\]\.(size|sha256)"): QP_PADDING,
    ("msg_19.txt", r""):
        "no header fields at all: mailwire reads a message whose body is the whole input (its first "
        "line is no field, see NON_FIELD); GMime constructs no message",
    ("msg_20.txt", r"\.headers\.from\[0\]\.name"): COMMENT,
    ("msg_27.txt", r"\.headers\.(from|to)\[0\]\.name"): COMMENT,
    ("msg_29.txt", r"\.headers\.from\[0\]\.name"): COMMENT,
    ("msg_35.txt", r"\.root\.(size|sha256)"): NON_FIELD,
    ("msg_38.txt", r"\.root\.parts\[0\]\.parts"):
        "the line 'and ' after a delimiter is a body part with no header fields (NON_FIELD); GMime drops "
        "the whole part",
    ("msg_38.txt", r"\.root\.parts\[1\]\.(size|sha256)"): NON_FIELD,
    ("msg_44.txt", r"\.headers\.from\[0\]\.name"): COMMENT,
    ("msg_47.txt", r"\.headers\.date"):
        "'00:01+0000' has no FWS before the zone (RFC 5322 section 3.3); spec: any other form is null",
    ("msg_47.txt", r"\.root\.parts\[[01]\]\.(size|sha256)"): NON_FIELD,
    # Generated messages (each word of the subject is its own B encoded-word).
    ("gen*", r"(\.root(\.parts\[\d+\])*\.message)*\.headers\.subject"): GMIME_B_WORDS,
    # data/mime/.
    ("header_8bit.eml", r"\.headers\.(subject|from\[0\]\.name)"): EIGHT_BIT,
    ("header_8bit.eml", r"\.root\.parts\[1\]\.filename"): EIGHT_BIT,
    ("header_oddities.eml", r"\.headers\.from\[0\]\.name"): COMMENT,
    ("header_oddities.eml", r"\.headers\.cc\[1\]\.name"):
        "spec: an encoded-word in an unknown charset is left as written; GMime decodes it as if ASCII",
    ("header_oddities.eml", r"\.headers\.date"):
        "obsolete zone 'edt' is EDT, -04:00 (RFC 5322 section 4.3; ABNF strings are case-insensitive, "
        "RFC 5234 section 2.3; spec: any case); GMime reads only upper case and gives +00:00",
    ("invalid_content_types.eml", r"\.root\.parts\[[01]\]\.type"): INVALID_TYPE,
    ("message_subtypes.eml", r"\.root\.parts\[2\]\.(size|sha256|message)"):
        "spec: only message/rfc822 and message/global are parsed as messages, other message/* types are "
        "leaves; GMime parses message/news as a message",
    ("qp_edges.eml", r"\.root\.(size|sha256)"): QP_PADDING,
    ("repeated_fields.eml", r"\.root\.(type|params\.boundary|size|sha256|parts)"): FIRST_FIELD,
    ("rfc2231_out_of_order.eml", r"\.root\.parts\[0\]\.filename"):
        "RFC 2231 section 4.1: charset and language are in section 0, wherever it stands; GMime looks "
        "for them in the section written first and keeps \"utf-8'fr'\" in the value",
    ("rfc822_encoded.eml", r"\.root\.parts\[[01]\]\.(size|sha256|message)"): ENCODED_MESSAGE,
}


def run_json(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace").strip()
    out = p.stdout.decode("utf-8")
    assert out.endswith("\n") and out.count("\n") == 1, f"{cmd}: one JSON line"
    return json.loads(out), None


def gmime(path):
    """GMime's reading; None when GMime constructs no message."""
    j, err = run_json([GMIME, path])
    if j is None and "constructed no message" not in err:
        raise AssertionError(f"gmime-json {path}: {err}")
    return j


def compare(name, path, seen, unexplained):
    ours = base.inspect(path)
    theirs = gmime(path)
    diffs = ([("", "<GMime: no message>", "<a message>")] if theirs is None
             else base.differences(theirs, ours))
    for d in diffs:
        key = next((k for k in KNOWN_GMIME_DIFFERENCES
                    if fnmatch.fnmatchcase(name, k[0]) and re.fullmatch(k[1], d[0])), None)
        if key is None:
            unexplained.append((name,) + tuple(repr(x)[:300] for x in d))
        else:
            seen.add(key)
    return ours


class GmimeJson(unittest.TestCase):
    """gmime-json itself: the spec's shape and GMime's plain readings of a plain message."""

    def test_shape_and_values(self):
        msg = (b"From: Ann <ann@example.org>\r\nTo: g: b@example.org, <c@example.org>;\r\n"
               b"Subject: =?utf-8?q?caf=C3=A9?= \r\nDate: Tue, 1 Jul 2003 10:52:37 -0330\r\n"
               b"Message-ID: <x@example.org>\r\nContent-Type: multipart/mixed; boundary=b; A=1\r\n\r\n"
               b"--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: Base64 (c)\r\n"
               b"Content-Disposition: Attachment; filename=\"f \\\"q\\\".txt\"\r\n\r\nAAEC\r\n"
               b"--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nx\r\n--b--\r\n")
        with tempfile.NamedTemporaryFile(suffix=".eml") as f:
            f.write(msg)
            f.flush()
            j = gmime(f.name)
        self.assertEqual(list(j), ["headers", "root"])
        self.assertEqual(j["headers"], {"subject": "café", "from": [{"name": "Ann", "addr": "ann@example.org"}],
                                        "to": [{"name": "", "addr": "b@example.org"},
                                               {"name": "", "addr": "c@example.org"}],
                                        "cc": [], "date": "2003-07-01T10:52:37-03:30",
                                        "message_id": "<x@example.org>"})
        root = j["root"]
        self.assertEqual(list(root), ["type", "params", "disposition", "filename", "encoding", "size",
                                      "sha256", "parts", "message"])
        self.assertEqual((root["type"], list(root["params"].items())), ("multipart/mixed", [("a", "1"), ("boundary", "b")]))
        leaf, mp = root["parts"]
        self.assertEqual((leaf["disposition"], leaf["filename"], leaf["encoding"]),
                         ("attachment", 'f "q".txt', "base64"))
        self.assertEqual((leaf["size"], leaf["sha256"]), (3, base.sha(b"\0\1\2")))
        self.assertEqual((mp["size"], mp["parts"], mp["message"]["headers"]["subject"]), (None, None, "in"))
        self.assertEqual(mp["message"]["root"]["sha256"], base.sha(b"x"))

    def test_errors(self):
        p = subprocess.run([GMIME, "/nonexistent"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual((p.returncode, p.stdout), (1, b""))
        p = subprocess.run([GMIME], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 2)


class DifferentialGMime(unittest.TestCase):
    seen = set()

    @classmethod
    def tearDownClass(cls):
        # Runs after all three inputs: a listed difference that no longer occurs is stale.
        stale = sorted(set(KNOWN_GMIME_DIFFERENCES) - cls.seen)
        if stale and cls.complete:
            raise AssertionError(f"listed differences that no longer occur: {stale}")

    complete = False
    done = set()

    def finish(self, part):
        type(self).done.add(part)
        type(self).complete = type(self).done == {"corpus", "generated", "data"}

    def test_cpython_email_corpus(self):
        if CORPUS is None:
            self.fail("no CPython email corpus: install libpython3.11-testsuite or pass --corpus")
        files = sorted(f for f in os.listdir(CORPUS) if f.startswith("msg_"))
        self.assertGreater(len(files), 40)
        unexplained = []
        for name in files:
            compare(name, os.path.join(CORPUS, name), self.seen, unexplained)
        self.assertEqual(unexplained, [], "differences from GMime without a justification")
        self.finish("corpus")

    def test_generated_trees(self):
        unexplained = []
        with tempfile.TemporaryDirectory() as d:
            for seed in GENERATED_SEEDS:
                data, expected = base.Gen(seed).message()
                # CRLF as generated; every third also with LF-only line breaks (GMime only: the
                # JSON by construction assumes CRLF bodies).
                variants = [(f"gen{seed}.eml", data, expected)]
                if seed % 3 == 0:
                    variants.append((f"gen{seed}-lf.eml", data.replace(b"\r\n", b"\n"), None))
                for name, wire, exp in variants:
                    path = os.path.join(d, name)
                    with open(path, "wb") as f:
                        f.write(wire)
                    ours = compare(name, path, self.seen, unexplained)
                    if exp is not None:
                        self.assertEqual(base.differences(exp, ours), [], f"seed {seed}: mailwire vs construction")
        self.assertEqual(unexplained, [], "differences from GMime without a justification")
        self.finish("generated")

    def test_hand_written(self):
        files = sorted(f for f in os.listdir(DATA) if f.endswith(".eml"))
        self.assertGreaterEqual(len(files), 15)
        unexplained = []
        for name in files:
            compare(name, os.path.join(DATA, name), self.seen, unexplained)
        self.assertEqual(unexplained, [], "differences from GMime without a justification")
        self.finish("data")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--gmime", required=True)
    ap.add_argument("--corpus")
    ns, rest = ap.parse_known_args()
    BIN = base.BIN = os.path.abspath(ns.bin)
    GMIME = os.path.abspath(ns.gmime)
    CORPUS = ns.corpus or base.find_corpus()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
