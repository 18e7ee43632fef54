"""Shared helpers of the mailwire-imapd interop tests: mailwire-imapd --listen on a free port with
the POP3 test corpus (pop3.py: LF-only and bare-CR files, 8-bit text, a 3 MB message) in its
Maildir, and a restart on the same Maildir."""
import os
import re

import interop
import pop3

USERS = {"ann": "imap-pw", "bob": "b0b pass"}


class Imapd(interop.Smtpd):
    """mailwire-imapd --listen with the corpus in its Maildir (filled before it starts)."""

    def __init__(self, binary, work, name, tls=False, implicit_tls=False, extra=(), messages=None):
        super().__init__(binary, work, name, tls=tls, users=USERS, extra=extra, implicit_tls=implicit_tls)
        self.messages_in = pop3.fill(self.maildir, messages)

    def restart(self):
        """Stops the server and starts it again on the same Maildir and port."""
        self.__exit__(None, None, None)
        self.__enter__()

    def deliver(self, name, data):
        """A delivery by another process (as mailwire-smtpd does it): tmp/ then new/."""
        tmp = os.path.join(self.maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.maildir, "new", name))

    def files(self, folder=""):
        """{base name: info letters} of the messages in cur/ of INBOX or a folder."""
        d = os.path.join(self.maildir, "." + folder if folder else "", "cur")
        out = {}
        for n in os.listdir(d):
            base, _, info = n.partition(":2,")
            out[base] = info
        return out


def wire(data):
    """The message as mailwire-imapd (and Dovecot) sends it: a bare LF becomes CRLF (RFC 9051
    section 4.3); bare CR and a missing last line end stay."""
    return re.sub(rb"\r\n|\n", b"\r\n", data)
