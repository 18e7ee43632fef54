"""Shared helpers of the mailwire-imapd interop tests: mailwire-imapd --listen on a free port with
the POP3 test corpus (pop3.py: LF-only and bare-CR files, 8-bit text, a 3 MB message) in its
Maildir, and a restart on the same Maildir; Peer, the server of the client tests (imapflow,
mbsync, fetchmail/getmail, attacks): mailwire-imapd or, with --dovecot, a private Dovecot."""
import os
import re
import sys

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


def dovecot_mode():
    """Reads the command line of the client tests before interop.args(): True when --dovecot is
    given (development: the same checks against a private Dovecot IMAP), which is removed; the
    server may come as --imapd (the CMake function) or --bin."""
    on = "--dovecot" in sys.argv
    if on:
        sys.argv.remove("--dovecot")
    sys.argv = ["--bin" if x == "--imapd" else x for x in sys.argv]
    return on


class Peer:
    """The server of a client test, a context manager: mailwire-imapd (`a.bin`) on a free port
    with user `user`, or a private Dovecot (its user bob) when `dovecot`; every message of
    `messages` (and of `folders`: {name: messages}) unread in new/. `port`, `user`, `password`,
    `maildir` and `dir` are set for the test."""

    def __init__(self, a, name, user, password, dovecot=False, tls=False, messages=(), folders=None):
        self.tls, self.dovecot = tls, dovecot
        if dovecot:
            import dovecot as dv
            why = dv.available(("imap",))
            if why:
                print("SKIP:", why)
                raise SystemExit(interop.SKIP)
            self.d = dv.Dovecot(name, protocols=("imap",), tls=interop.make_cert(a.work) if tls else None)
            self.user, self.password = "bob@" + dv.DOMAIN, dv.PASSWORDS["bob"]
            self.maildir, self.owner = self.d.maildir("bob"), (self.d.uid, self.d.gid)
        else:
            self.d = interop.Smtpd(a.bin, a.work, name, tls=tls, users={user: password})
            self.user, self.password, self.maildir, self.owner = user, password, self.d.maildir, None
        self.put("", messages)
        for folder, msgs in (folders or {}).items():
            self.put("." + folder, msgs)
        self.dir = self.d.dir

    def put(self, folder, messages):
        """Writes `messages` [(name, bytes)] into new/ of INBOX ("") or a folder (".Name")."""
        top = os.path.join(self.maildir, folder)
        for d in ([os.path.dirname(self.maildir)] if self.owner else []) + [self.maildir, top] + \
                [os.path.join(top, s) for s in ("new", "cur", "tmp")]:
            os.makedirs(d, exist_ok=True)
            if self.owner:
                os.chown(d, *self.owner)
        for n, data in messages:
            path = os.path.join(top, "new", n)
            with open(path, "wb") as f:
                f.write(data)
            if self.owner:
                os.chown(path, *self.owner)

    def __enter__(self):
        self.d.__enter__()
        self.port = self.d.port["imap"] if self.dovecot else self.d.port
        return self

    def __exit__(self, *exc):
        return self.d.__exit__(*exc)

    def log(self):
        return self.d.logtext()

    def deliver(self, name, data):
        """A delivery as mailwire-smtpd does it: tmp/NAME written, then renamed to new/NAME."""
        tmp, new = os.path.join(self.maildir, "tmp", name), os.path.join(self.maildir, "new", name)
        with open(tmp, "wb") as f:
            f.write(data)
        if self.owner:
            os.chown(tmp, *self.owner)
        os.rename(tmp, new)

    def files(self, folder=""):
        """{bytes: info letters} of the messages of INBOX ("") or a folder (".Name")."""
        out = {}
        for sub in ("cur", "new"):
            d = os.path.join(self.maildir, folder, sub)
            for n in (os.listdir(d) if os.path.isdir(d) else []):
                with open(os.path.join(d, n), "rb") as f:
                    out[f.read()] = n.split(":2,")[1] if ":2," in n else ""
        return out

    def rss_kib(self):
        """VmRSS of the server process in KiB (None for Dovecot: a process per connection)."""
        if self.dovecot:
            return None
        with open(f"/proc/{self.d.proc.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))

    def alive(self):
        return self.d.proc.poll() is None
