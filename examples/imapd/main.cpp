// mailwire-imapd — an IMAP server on a Maildir++ tree (../shared/spec/tools.md):
//
//   mailwire-imapd (--stdio | --listen ADDR:PORT) --maildir DIR --users FILE
//                  [--tls-cert F --tls-key F] [--tls-port ADDR:PORT]
//
// The protocol is mailwire::imap::server_session's; the host logic (logins, folders, UIDs,
// flags, FETCH / SEARCH / STORE / COPY / MOVE / APPEND) is imap_host.hpp on mail_store.hpp;
// net/serve.hpp moves the bytes (standard input/output, or one asio::io_context with OpenSSL
// for STARTTLS and implicit TLS).
#include <signal.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "imap_host.hpp"
#include "net/maildir.hpp"
#include "net/serve.hpp"
#include "net/users.hpp"
#include "tool/cli.hpp"

namespace {

using namespace mailwire_tool;
constexpr std::string_view tool = "mailwire-imapd";

constexpr std::string_view help_text = R"(usage: mailwire-imapd (--stdio | --listen ADDR:PORT) --maildir DIR --users FILE [OPTIONS]

An IMAP server (RFC 3501 IMAP4rev1) serving the Maildir DIR as INBOX and its Maildir++ folders
(DIR/.Name, hierarchy separator ".") as the other mailboxes, for every user in FILE. UIDs and
UIDVALIDITY are kept in DIR/.../mailwire-uidlist, flags in the Maildir file names; several
sessions and processes may share the Maildir (flock). Extensions: LITERAL+, SASL-IR,
AUTH=PLAIN AUTH=LOGIN, IDLE, ENABLE, ID, UNSELECT, UIDPLUS, MOVE, NAMESPACE, SPECIAL-USE,
CHILDREN, STARTTLS (with --tls-cert/--tls-key). Logs go to standard error.

modes (exactly one):
  --stdio                   serve one session on standard input/output and exit when it ends
  --listen ADDR:PORT        serve many sessions concurrently until SIGINT or SIGTERM

options:
  --maildir DIR             the Maildir (created with tmp/ new/ cur/ when missing)
  --users FILE              lines of user:password (LOGIN, AUTHENTICATE PLAIN and LOGIN)
  --tls-cert FILE           certificate chain (PEM); with --tls-key offers STARTTLS
  --tls-key FILE            private key (PEM)
  --tls-port ADDR:PORT      also listen for implicit TLS (IMAPS, RFC 8314) on this address
  --plaintext-auth          accept passwords without TLS from any peer
  --hostname NAME           our name in the greeting (default: the system's host name)
  --timeout SECONDS         idle time before a connection is closed (default 1800, RFC 9051 5.4)
  -q, --quiet               no log line per session (errors are still logged)
  -h, --help                this text

exit status: 0 success (--stdio: the session ended with LOGOUT; --listen: stopped by a signal),
1 a failed session (--stdio) or a server that cannot start, 2 usage error
)";

struct args {
  bool stdio = false, plaintext_auth = false, quiet = false;
  std::optional<std::string> listen, tls_port, maildir, users, cert, key, hostname;
  std::uint64_t timeout = 1800;
};

args parse_args(int argc, char** argv) {
  args a;
  for (arg_reader r(argc, argv, help_text); r.next();) {
    if (r.is("--stdio")) a.stdio = true;
    else if (r.is("--listen")) a.listen = r.value();
    else if (r.is("--tls-port")) a.tls_port = r.value();
    else if (r.is("--maildir")) a.maildir = r.value();
    else if (r.is("--users")) a.users = r.value();
    else if (r.is("--tls-cert")) a.cert = r.value();
    else if (r.is("--tls-key")) a.key = r.value();
    else if (r.is("--plaintext-auth")) a.plaintext_auth = true;
    else if (r.is("--hostname")) a.hostname = r.value();
    else if (r.is("-q") || r.is("--quiet")) a.quiet = true;
    else if (r.is("--timeout")) a.timeout = r.count();
    else r.unknown();
  }
  if (a.stdio == a.listen.has_value()) throw usage_error{"give exactly one of --stdio and --listen"};
  if (!a.maildir) throw usage_error{"--maildir DIR is required"};
  if (!a.users) throw usage_error{"--users FILE is required"};
  if (a.cert.has_value() != a.key.has_value()) throw usage_error{"--tls-cert and --tls-key go together"};
  if (a.tls_port && !a.cert) throw usage_error{"--tls-port needs --tls-cert and --tls-key"};
  if (a.tls_port && a.stdio) throw usage_error{"--tls-port needs --listen"};
  if (a.timeout == 0) throw usage_error{"--timeout must be positive"};
  return a;
}

std::string system_hostname() {
  char h[256] = {};
  if (::gethostname(h, sizeof h - 1) != 0 || h[0] == '\0') return "localhost";
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  args a;
  try {
    a = parse_args(argc, argv);
  } catch (const usage_error& e) {
    error_line(tool, "{} (try --help)", e.message);
    return exit_usage;
  }
  if (const std::string err = mailwire_net::maildir(*a.maildir).prepare(); !err.empty()) {
    error_line(tool, "{}", err);
    return exit_bad_input;
  }
  mailwire_net::users_file users;
  if (const std::string err = users.load(*a.users); !err.empty()) {
    error_line(tool, "{}", err);
    return exit_bad_input;
  }
  mailwire_imapd::config cfg;
  cfg.maildir = *a.maildir;
  cfg.users = &users;
  cfg.plaintext_auth = a.plaintext_auth;
  cfg.quiet = a.quiet;
  mailwire::imap::server_options& o = cfg.session;
  o.greeting = (a.hostname ? *a.hostname : system_hostname()) + " mailwire-imapd ready";
  o.imap4rev2 = false;  // not all of RFC 9051 yet (ESEARCH, BINARY...): IMAP4rev1 only
  o.auth_mechanisms = std::string(mailwire_net::sasl_password_auth::mechanisms);
  o.tls_available = a.cert.has_value() && !a.stdio;
  o.uidplus = true;
  o.move = true;
  o.namespace_ = true;
  o.special_use = true;
  o.children = true;
  o.id_params = {{"name", "mailwire-imapd"}};
  try {
    if (a.stdio) {
      mailwire_net::peer_info p;
      p.literal = mailwire_net::stdin_peer(&p.loopback);
      if (p.literal.empty()) p.loopback = true;
      p.id = 1;
      mailwire_imapd::host h(cfg, p);
      return mailwire_net::serve_stdio(h);
    }
    mailwire_net::listener<mailwire_imapd::host> srv(tool, [&cfg](const mailwire_net::peer_info& p) {
      return std::make_unique<mailwire_imapd::host>(cfg, p);
    });
    srv.set_quiet(a.quiet);
    srv.set_timeout(std::chrono::seconds(a.timeout));
    if (a.cert) srv.set_tls(mailwire_net::server_tls_context(*a.cert, *a.key));
    srv.open("--listen", *a.listen, false);
    if (a.tls_port) srv.open("--tls-port", *a.tls_port, true);
    return srv.run();
  } catch (const usage_error& e) {
    error_line(tool, "{} (try --help)", e.message);
    return exit_usage;
  } catch (const std::exception& e) {
    error_line(tool, "{}", e.what());
    return exit_bad_input;
  }
}
