"""A private Dovecot for the interop tests (`dovecot -F -c FILE` from a temporary directory
outside the build tree), listening only on free 127.0.0.1 ports: LMTP, POP3 and IMAP as asked,
users bob@lmtp.test and carol@lmtp.test (passwd-file, uid nobody, Maildirs under its directory,
passwords in PASSWORDS), STLS/STARTTLS with a self-signed certificate when `tls` is given.
Needs root (its master process runs as root) and the packages dovecot-core plus
dovecot-lmtpd / dovecot-pop3d / dovecot-imapd."""
import os
import pwd
import shutil
import signal
import subprocess
import tempfile

import interop

DOMAIN = "lmtp.test"
PASSWORDS = {"bob": "bob-dove-pw", "carol": "carol pw"}

BASE = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
instance_name = mailwire-{tag}
hostname = lmtp.dovecot.test
protocols = {protocols}
listen = 127.0.0.1
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:~/Maildir
auth_username_format = %Lu
auth_mechanisms = plain login
disable_plaintext_auth = no
lmtp_save_to_detail_mailbox = no
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = {dir}/users
}}
userdb {{
  driver = passwd-file
  args = {dir}/users
}}
service auth {{
  unix_listener auth-userdb {{
    mode = 0600
  }}
}}
service anvil {{
  chroot =
}}
service log {{
  chroot =
}}
"""

SERVICES = {
    "lmtp": """service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
  unix_listener lmtp {{
    mode = 0600
  }}
}}
""",
    "pop3": """service pop3-login {{
  chroot =
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
""",
    "imap": """service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""",
}

BINARIES = {"lmtp": ("/usr/lib/dovecot/lmtp", "dovecot-lmtpd"),
            "pop3": ("/usr/lib/dovecot/pop3", "dovecot-pop3d"),
            "imap": ("/usr/lib/dovecot/imap", "dovecot-imapd")}


def available(protocols=("lmtp",)):
    """None when a private Dovecot with these protocols can run here, else why not."""
    if shutil.which("dovecot") is None:
        return "dovecot is not installed (Debian: dovecot-core)"
    for p in protocols:
        path, pkg = BINARIES[p]
        if not os.path.exists(path):
            return f"dovecot's {p.upper()} server is not installed (Debian: {pkg})"
    if os.geteuid() != 0:
        return "a private Dovecot needs root (its master process runs as root)"
    return None


class Dovecot:
    """A context manager; `port[protocol]` is where each protocol listens."""

    DOMAIN = DOMAIN

    def __init__(self, name, protocols=("lmtp",), tls=None):
        self.dir = tempfile.mkdtemp(prefix=f"mailwire-dovecot-{name}-")
        os.chmod(self.dir, 0o755)
        self.port = {p: interop.free_port() for p in protocols}
        nobody = pwd.getpwnam("nobody")
        self.uid, self.gid = nobody.pw_uid, nobody.pw_gid
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.home)
        os.chown(self.home, self.uid, self.gid)
        with open(os.path.join(self.dir, "users"), "w") as f:
            for u, pw in PASSWORDS.items():
                f.write(f"{u}@{DOMAIN}:{{PLAIN}}{pw}:{self.uid}:{self.gid}::{self.home}/{u}::\n")
        conf = BASE.format(dir=self.dir, tag="-".join(str(p) for p in self.port.values()),
                           protocols=" ".join(protocols), uid=self.uid)
        if tls:
            conf += f"ssl = yes\nssl_cert = <{tls[0]}\nssl_key = <{tls[1]}\n"
        else:
            conf += "ssl = no\n"
        for p, port in self.port.items():
            conf += SERVICES[p].format(port=port)
        self.conf = os.path.join(self.dir, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.log_path = os.path.join(self.dir, "dovecot.log")
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", self.conf], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for p, port in self.port.items():
                interop.wait_port(port, self.proc, f"dovecot {p}", log=self.logtext)
        except RuntimeError:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not os.environ.get("MAILWIRE_INTEROP_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def logtext(self):
        out = ""
        if self.proc and self.proc.poll() is not None and self.proc.stdout:
            out = self.proc.stdout.read().decode("utf-8", "replace")
        try:
            with open(self.log_path, "rb") as f:
                out += f.read().decode("utf-8", "replace")
        except OSError:
            pass
        return out

    def maildir(self, user):
        return os.path.join(self.home, user, "Maildir")

    def fill(self, user, messages):
        """Writes (name, bytes) messages into the user's Maildir/new, owned by the user."""
        md = self.maildir(user)
        for d in (os.path.join(self.home, user), md, md + "/new", md + "/cur", md + "/tmp"):
            os.makedirs(d, exist_ok=True)
            os.chown(d, self.uid, self.gid)
        for name, data in messages:
            p = os.path.join(md, "new", name)
            with open(p, "wb") as f:
                f.write(data)
            os.chown(p, self.uid, self.gid)
