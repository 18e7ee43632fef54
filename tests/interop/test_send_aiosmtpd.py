#!/usr/bin/env python3
"""mailwire-send delivering to Python's aiosmtpd (python3-aiosmtpd) on 127.0.0.1: plain with a
refused recipient, STARTTLS with a self-signed certificate made by the openssl CLI (the subject
printed, --ca verifying it, a wrong CA refused), AUTH PLAIN and (when PLAIN is not offered)
LOGIN, a wrong password, --starttls against a server without it, implicit TLS, BDAT is not
offered by aiosmtpd; the bytes aiosmtpd received checked against the message with CRLF line
ends."""
import os
import sys

try:
    import aiosmtpd  # noqa: F401
except ImportError:
    # The Debian package installs it for the system's python3 only.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != "/usr/bin/python3" \
            and not os.environ.get("MAILWIRE_REEXEC"):
        os.environ["MAILWIRE_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("SKIP: aiosmtpd is not installed (Debian: python3-aiosmtpd)")
    sys.exit(77)

import logging
import ssl
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

import interop
import test_send_helpers as h

logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # the expected TLS failure's traceback
warnings.filterwarnings("ignore", message=".*login_data.*")
a = h.args(__doc__)
c = interop.Checker("mailwire-send -> aiosmtpd")
cert, key = interop.make_cert(a.work)
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "send")


class Handler:
    """Keeps each message: (mail_from, rcpt_tos, content bytes, tls, login)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.test"):
            return "550 5.1.1 no mailbox here for " + address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        login = session.auth_data if session.authenticated else None
        tls = server.transport.get_extra_info("ssl_object") is not None
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                                  tls, login))
        return "250 2.0.0 kept"


class Auth:
    """user ann, password pw-ann; records the mechanisms used."""

    def __init__(self):
        self.mechanisms = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.mechanisms.append(mechanism)
        if isinstance(auth_data, LoginPassword) and auth_data.login == b"ann" and auth_data.password == b"pw-ann":
            return AuthResult(success=True, auth_data="ann")
        return AuthResult(success=False, handled=False)


def server_ctx():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


class Server:
    """An aiosmtpd Controller on a free port (a context manager)."""

    def __init__(self, **kw):
        self.handler = Handler()
        self.port = interop.free_port()
        self.kw = kw

    def __enter__(self):
        self.ctl = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                              server_hostname="aiosmtpd.test", **self.kw)
        self.ctl.start()
        return self

    def __exit__(self, *exc):
        self.ctl.stop()
        return False


def read(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def send(port, sender, rcpts, message=None, path=None, extra=()):
    return h.send(a.send, port, sender, rcpts, message=message, path=path, extra=extra)


msg_lf = read("lf-dots.eml")  # LF line ends, dot lines, a lone ".", a bare CR
want_lf = h.crlf(msg_lf)

# 1. Plain: a file with LF line ends, one recipient refused at RCPT.
with Server() as s:
    r = send(s.port, "ann@example.org", ["bob@example.com", "eve@refused.test", "carol@example.com"],
             path=os.path.join(DATA, "lf-dots.eml"))
    c.eq("plain: exit status (one recipient refused)", r.rc, 1)
    c.eq("plain: stdout names the refused recipient with the server's reply", r.out,
         "refused eve@refused.test: 550 5.1.1 no mailbox here for eve@refused.test\n")
    c.eq("plain: stderr", r.err, "")
    c.eq("plain: one message", len(s.handler.messages), 1)
    if s.handler.messages:
        frm, tos, content, tls, login = s.handler.messages[0]
        c.eq("plain: envelope", (frm, tos, tls, login),
             ("ann@example.org", ["bob@example.com", "carol@example.com"], False, None))
        c.eq("plain: bytes received (CRLF line ends, dots unstuffed by aiosmtpd)", content, want_lf)
    # The same from standard input, every recipient accepted.
    m2 = interop.message("aiosmtpd stdin")
    r = send(s.port, "<>", ["bob@example.com"], message=m2)
    c.eq("stdin, null sender: exit status", (r.rc, r.out, r.err), (0, "", ""))
    if len(s.handler.messages) == 2:
        c.eq("stdin: envelope and bytes", s.handler.messages[1][:3], ("<>", ["bob@example.com"], m2))
    # Every recipient refused: nothing sent, each printed.
    r = send(s.port, "ann@example.org", ["x@refused.test", "y@refused.test"], message=m2)
    c.eq("all refused: exit status and stdout", (r.rc, r.out),
         (1, "refused x@refused.test: 550 5.1.1 no mailbox here for x@refused.test\n"
             "refused y@refused.test: 550 5.1.1 no mailbox here for y@refused.test\n"))
    c.eq("all refused: no message", len(s.handler.messages), 2)
    # --starttls when the server does not offer it: stop before MAIL.
    r = send(s.port, "ann@example.org", ["bob@example.com"], message=m2, extra=["--starttls"])
    c.eq("--starttls, not offered: exit status", r.rc, 1)
    c.eq("--starttls, not offered: stderr", r.err, "mailwire-send: the server does not offer STARTTLS\n")
    c.eq("--starttls, not offered: no message", len(s.handler.messages), 2)
    # --user when AUTH is not offered.
    r = send(s.port, "ann@example.org", ["bob@example.com"], message=m2, extra=["--user", "ann", "--password", "x"])
    c.eq("--user, no AUTH: exit status and stderr", (r.rc, r.err), (1, "mailwire-send: the server does not offer AUTH\n"))

# 2. STARTTLS (required by the server) and AUTH PLAIN.
auth = Auth()
with Server(tls_context=server_ctx(), require_starttls=True, authenticator=auth, auth_require_tls=True) as s:
    m = interop.message("aiosmtpd starttls auth")
    r = send(s.port, "ann@example.org", ["bob@example.com"], message=m,
             extra=["--starttls", "--user", "ann", "--password", "pw-ann"])
    c.eq("STARTTLS + AUTH PLAIN: exit status and stdout", (r.rc, r.out), (0, ""))
    c.true("STARTTLS: the peer certificate's subject on stderr",
           r.err.startswith("mailwire-send: TLS: TLSv1.") and r.err.endswith("peer certificate subject: /CN=localhost\n"),
           repr(r.err))
    c.eq("AUTH PLAIN used", auth.mechanisms, ["PLAIN"])
    if s.handler.messages:
        c.eq("STARTTLS + AUTH: envelope, TLS, login, bytes", s.handler.messages[0],
             ("ann@example.org", ["bob@example.com"], m, True, "ann"))
    # Without --starttls the server refuses MAIL (530): every recipient refused with that reply.
    r = send(s.port, "ann@example.org", ["bob@example.com"], message=m)
    c.eq("no STARTTLS where required: exit status", r.rc, 1)
    c.true("no STARTTLS where required: the 530 reply printed",
           r.out.startswith("refused bob@example.com: 530 "), repr(r.out))
    # Wrong password.
    r = send(s.port, "ann@example.org", ["bob@example.com"], message=m,
             extra=["--starttls", "--user", "ann", "--password", "wrong"])
    c.eq("wrong password: exit status", r.rc, 1)
    c.true("wrong password: stderr", "mailwire-send: authentication failed: 535 " in r.err, repr(r.err))
    c.eq("wrong password: stdout", r.out,
         "refused bob@example.com: (not sent: authentication failed: 535 5.7.8 Authentication credentials invalid)\n")
    # --ca: the self-signed certificate verifies (name "localhost"); another CA does not.
    r = send(s.port, "ann@example.org", ["bob@example.com"], message=m, extra=["--starttls", "--ca", cert])
    c.eq("--ca with 127.0.0.1 (the certificate names IP 127.0.0.1): exit status", (r.rc, r.out), (0, ""))
    other = os.path.join(a.work, "other")
    os.makedirs(other, exist_ok=True)
    other_cert, _ = interop.make_cert(other)
    r = h.Result(__import__("subprocess").run(
        [a.send, "--server", f"localhost:{s.port}", "--from", "ann@example.org", "--to", "bob@example.com",
         "--starttls", "--ca", other_cert], input=m, capture_output=True, timeout=60))
    c.eq("--ca with another CA: exit status", r.rc, 1)
    c.true("--ca with another CA: handshake refused", "mailwire-send: TLS handshake failed: " in r.err, repr(r.err))
    c.eq("messages kept", len(s.handler.messages), 2)

# 3. Only AUTH LOGIN offered: mailwire-send uses it.
auth = Auth()
with Server(tls_context=server_ctx(), authenticator=auth, auth_require_tls=True,
            auth_exclude_mechanism=["PLAIN"]) as s:
    m = interop.message("aiosmtpd login")
    r = send(s.port, "ann@example.org", ["bob@example.com", "carol@example.com"], message=m,
             extra=["--starttls", "--user", "ann", "--password", "pw-ann"])
    c.eq("AUTH LOGIN: exit status and stdout", (r.rc, r.out), (0, ""))
    c.eq("AUTH LOGIN used", auth.mechanisms, ["LOGIN"])
    if s.handler.messages:
        c.eq("AUTH LOGIN: envelope, TLS, login, bytes", s.handler.messages[0],
             ("ann@example.org", ["bob@example.com", "carol@example.com"], m, True, "ann"))

# 4. Implicit TLS (--tls).
with Server(ssl_context=server_ctx()) as s:
    m = interop.message("aiosmtpd implicit tls")
    r = send(s.port, "ann@example.org", ["bob@example.com"], message=m, extra=["--tls"])
    c.eq("--tls: exit status and stdout", (r.rc, r.out), (0, ""))
    c.true("--tls: the subject on stderr", r.err.endswith("peer certificate subject: /CN=localhost\n"), repr(r.err))
    if s.handler.messages:
        c.eq("--tls: envelope, TLS, bytes", s.handler.messages[0][:4], ("ann@example.org", ["bob@example.com"], m, True))

c.finish()
