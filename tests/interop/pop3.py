"""Shared helpers of the POP3 interop tests: a Maildir filled with messages that exercise the
framing (dot-started lines, LF-only and bare-CR files, a last line without a line end, 8-bit
text, a 3 MB message), what each looks like on the wire, and mailwire-pop3d on a free port."""
import os
import re

import interop

USERS = {"ann": "pop-pw", "bob": "b0b pass"}  # bob's password holds a space (RFC 1939 PASS)


def wire(data):
    """The message as POP3 sends it (un-stuffed): CRLF, bare CR and bare LF all become CRLF, and
    a last line without a line end gets one (RFC 1939 section 11)."""
    out = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
    if out and not out.endswith(b"\r\n"):
        out += b"\r\n"
    return out


def corpus():
    """(file name, bytes) of the test maildrop, in the order of the names."""
    big_line = b"0123456789" * 7 + b"\r\n"
    big = (b"From: big@example.org\r\nSubject: big\r\n\r\n" +
           b"".join(b"." + big_line if i % 97 == 0 else big_line for i in range(42000)))
    msgs = [
        interop.message("first"),
        b"From: lf@example.org\nSubject: LF only\n\n.dot\n..two\nlast line without end",
        b"From: cr@example.org\r\nSubject: bare CR\r\n\r\nhalf\rline\r\n.\r\n.\r\nend\r\n",
        "From: utf8@example.org\r\nSubject: 8-bit caf\u00e9\r\n\r\nna\u00efve \u2603\r\n".encode(),
        big,
        b"From: dots@example.org\r\nSubject: dots\r\n\r\n.\r\n..\r\n...\r\n. \r\n.x\r\n",
    ]
    return [(f"17000000{i:02d}.M{i}P1Q{i}.mx.test", m) for i, m in enumerate(msgs)]


def fill(maildir, messages=None):
    """Writes the corpus into maildir/new (and one into cur/ with flags, as an IMAP server
    leaves it); returns [(name, bytes)] in POP3 order."""
    messages = corpus() if messages is None else messages
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    out = []
    for i, (name, data) in enumerate(messages):
        sub, fname = ("cur", name + ":2,S") if i == 2 else ("new", name)
        with open(os.path.join(maildir, sub, fname), "wb") as f:
            f.write(data)
        out.append((fname, data))
    return out


def remaining(maildir):
    """Base names of the messages still in the maildir."""
    names = []
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        names += [n.split(":")[0] for n in os.listdir(d)] if os.path.isdir(d) else []
    return sorted(names)


class Pop3d(interop.Smtpd):
    """mailwire-pop3d --listen with the corpus in its Maildir (filled before it starts)."""

    def __init__(self, binary, work, name, tls=False, implicit_tls=False, extra=(), messages=None):
        super().__init__(binary, work, name, tls=tls, users=USERS, extra=extra, implicit_tls=implicit_tls)
        self.messages_in = fill(self.maildir, messages)
