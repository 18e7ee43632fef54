"""Shared helpers of the mailwire-send interop tests (tests/interop/test_send_*.py; this file is
a module, not a test): running mailwire-send, and private instances of Postfix and Dovecot LMTP
made from temporary configuration directories on free 127.0.0.1 ports.

Every test_send_* script takes --bin PATH (mailwire-smtpd), --send PATH (mailwire-send) and
--work DIR, and exits 0 when all its checks pass, 77 when its peer is missing or cannot run here
(ctest SKIP_RETURN_CODE; the reason is printed), 1 otherwise."""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import dovecot
import interop

SKIP = interop.SKIP


def args(description):
    return interop.args(description, send=True)


def skip(why):
    print(f"SKIP: {why}", flush=True)
    sys.exit(SKIP)


wait_port = interop.wait_port


class Result:
    def __init__(self, cp):
        self.rc = cp.returncode
        self.out = cp.stdout.decode("utf-8", "replace")
        self.err = cp.stderr.decode("utf-8", "replace")

    def __repr__(self):
        return f"rc={self.rc} stdout={self.out!r} stderr={self.err!r}"


def send(binary, port, sender, rcpts, message=None, path=None, extra=(), timeout=60):
    """Runs mailwire-send against 127.0.0.1:port with the message on standard input (or FILE)."""
    cmd = [binary, "--server", f"127.0.0.1:{port}", "--from", sender, "--helo", "client.test"]
    for r in rcpts:
        cmd += ["--to", r]
    cmd += list(extra)
    if path is not None:
        cmd.append(path)
    cp = subprocess.run(cmd, input=message if path is None else None, capture_output=True, timeout=timeout)
    return Result(cp)


def crlf(data):
    """Line ends as they go on the wire: CRLF (bare CR and LF become CRLF)."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")


def lf(data):
    return crlf(data).replace(b"\r\n", b"\n")


def maildir_files(maildir, want=None, timeout=20.0):
    """The files in maildir/new (bytes, in name order); waits until `want` are there."""
    deadline = time.time() + timeout
    new = os.path.join(maildir, "new")
    while True:
        names = sorted(os.listdir(new)) if os.path.isdir(new) else []
        if want is None or len(names) >= want or time.time() > deadline:
            break
        time.sleep(0.1)
    out = []
    for n in names:
        with open(os.path.join(new, n), "rb") as f:
            out.append(f.read())
    return out


def split_header_prefix(data, message):
    """(prefix, True) when `data` is header fields the peer added followed by `message`."""
    if not data.endswith(message):
        return data, False
    return data[:len(data) - len(message)], True


def remove_private_dir(d):
    """Removes a private_dir() unless MAILWIRE_INTEROP_KEEP is set (to read the daemon's logs)."""
    if not os.environ.get("MAILWIRE_INTEROP_KEEP"):
        shutil.rmtree(d, ignore_errors=True)


def private_dir(prefix):
    """A temporary directory outside the build tree (daemons that drop privileges must be able
    to walk into it), mode 0755."""
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    return d


# ---- Postfix -------------------------------------------------------------------------------

MASTER_CF = """\
# service type  private unpriv  chroot  wakeup  maxproc command + args
{port} inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Postfix:
    """A private Postfix instance (`postfix -c DIR start`) listening on 127.0.0.1:<free port>,
    delivering the virtual domain vmail.test into Maildirs under its directory (bob@ and carol@
    exist; other recipients there are refused at RCPT with 550 5.1.1) and relaying every other
    domain to `relayhost` ("[127.0.0.1]:PORT") when given; STARTTLS with `tls` = (cert, key).
    Must run as root (Postfix's master does); a context manager."""

    DOMAIN = "vmail.test"

    def __init__(self, name, relayhost=None, tls=None):
        self.dir = private_dir(f"mailwire-postfix-{name}-")
        self.conf = os.path.join(self.dir, "etc")
        self.queue = os.path.join(self.dir, "spool")
        self.data = os.path.join(self.dir, "lib")
        self.vmail = os.path.join(self.dir, "vmail")
        self.log_path = os.path.join(self.dir, "maillog")
        self.port = interop.free_port()
        pw = pwd.getpwnam("nobody")
        for d in (self.conf, self.queue, self.data, self.vmail):
            os.makedirs(d, exist_ok=True)
        pf = pwd.getpwnam("postfix")
        os.chown(self.data, pf.pw_uid, pf.pw_gid)
        os.chown(self.vmail, pw.pw_uid, pw.pw_gid)
        main = {
            "compatibility_level": "3.6",
            "queue_directory": self.queue,
            "data_directory": self.data,
            "command_directory": "/usr/sbin",
            "daemon_directory": "/usr/lib/postfix/sbin",
            "meta_directory": "/etc/postfix",
            "shlib_directory": "/usr/lib/postfix",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": "mx.postfix.test",
            "mydomain": "postfix.test",
            "myorigin": "postfix.test",
            "mydestination": "",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            "smtpd_recipient_restrictions": "",
            "virtual_mailbox_domains": self.DOMAIN,
            "virtual_mailbox_base": self.vmail,
            "virtual_mailbox_maps": "inline:{ bob@vmail.test=bob/, carol@vmail.test=carol/ }",
            "virtual_uid_maps": f"static:{pw.pw_uid}",
            "virtual_gid_maps": f"static:{pw.pw_gid}",
            "virtual_minimum_uid": "100",
            "alias_maps": "",
            "alias_database": "",
            "local_recipient_maps": "",
            "biff": "no",
            "maillog_file": self.log_path,
            "maillog_file_prefixes": self.dir,
            "smtputf8_enable": "yes",
            "smtpd_banner": "$myhostname ESMTP (private test instance)",
            "smtp_tls_security_level": "none",
            "smtp_dns_support_level": "disabled",
            "disable_dns_lookups": "yes",
            "smtp_host_lookup": "native",
            "relayhost": relayhost or "",
            "default_destination_concurrency_limit": "2",
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "delay_warning_time": "0",
            "notify_classes": "",
            "import_environment": "MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C",
        }
        if tls:
            main.update({"smtpd_tls_cert_file": tls[0], "smtpd_tls_key_file": tls[1],
                         "smtpd_tls_security_level": "may"})
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            for k, v in main.items():
                f.write(f"{k} = {v}\n")
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(port=f"127.0.0.1:{self.port}"))

    def postfix(self, *cmd, check=True):
        argv = ["postfix", "-c", self.conf, *cmd]
        if shutil.which("script"):
            # postfix writes its fatal errors to standard error only when it is a terminal
            argv = ["script", "-qec", " ".join(argv), "/dev/null"]
        cp = subprocess.run(argv, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
        if check and cp.returncode != 0:
            raise RuntimeError(f"postfix {' '.join(cmd)} failed ({cp.returncode}): "
                               + (cp.stdout + cp.stderr).decode("utf-8", "replace") + self.logtext())
        return cp

    def __enter__(self):
        self.postfix("start")
        wait_port(self.port, what="postfix smtpd", log=self.logtext)
        return self

    def __exit__(self, *exc):
        self.postfix("stop", check=False)
        # postfix stop returns before the master exits; wait for its pid file to go.
        pidfile = os.path.join(self.queue, "pid", "master.pid")
        deadline = time.time() + 20
        while os.path.exists(pidfile) and time.time() < deadline:
            try:
                with open(pidfile) as f:
                    pid = int(f.read().strip() or "0")
                if pid:
                    os.kill(pid, 0)
            except (OSError, ValueError):
                break
            time.sleep(0.1)
        remove_private_dir(self.dir)
        return False

    def logtext(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def maildir(self, user):
        return os.path.join(self.vmail, user)


def postfix_available():
    if shutil.which("postfix") is None or not os.path.exists("/usr/lib/postfix/sbin/master"):
        return "postfix is not installed (Debian: postfix)"
    if os.geteuid() != 0:
        return "a private Postfix instance needs root (its master process runs as root)"
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return "no 'postfix' user"
    return None


# ---- Dovecot (tests/interop/dovecot.py) ----------------------------------------------------

from dovecot import Dovecot  # noqa: E402  (LMTP on Dovecot.port["lmtp"])


def dovecot_available():
    return dovecot.available(("lmtp",))
