// mailwire-pop3d — a POP3 server on a Maildir (../shared/spec/tools.md):
//
//   mailwire-pop3d (--stdio | --listen ADDR:PORT) --maildir DIR --users FILE
//                  [--tls-cert F --tls-key F] [--tls-port ADDR:PORT]
//
// The protocol is mailwire::pop3::server_session's; the host logic (logins, maildrop, bodies
// streamed from the files) is pop3_host.hpp; net/serve.hpp moves the bytes (standard
// input/output, or one asio::io_context with OpenSSL for STLS and implicit TLS).
#include <signal.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/maildir.hpp"
#include "net/serve.hpp"
#include "net/users.hpp"
#include "pop3_host.hpp"
#include "tool/cli.hpp"

namespace {

using namespace mailwire_tool;
constexpr std::string_view tool = "mailwire-pop3d";

constexpr std::string_view help_text = R"(usage: mailwire-pop3d (--stdio | --listen ADDR:PORT) --maildir DIR --users FILE [OPTIONS]

A POP3 server (RFC 1939) serving the Maildir DIR (its new/ and cur/) as the maildrop of every
user in FILE. Messages are numbered in the order of their file names; DELE'd messages are
removed at QUIT only (the UPDATE state); the maildrop is locked from login to the end of the
session ("-ERR [IN-USE]" for a second session). Extensions: CAPA, TOP, UIDL, USER, APOP,
SASL PLAIN LOGIN, RESP-CODES, AUTH-RESP-CODE, PIPELINING, EXPIRE NEVER, UTF8, IMPLEMENTATION,
STLS (with --tls-cert/--tls-key). Logs go to standard error.

modes (exactly one):
  --stdio                   serve one session on standard input/output and exit when it ends
                            (inetd style; STLS is not offered in this mode)
  --listen ADDR:PORT        serve many sessions concurrently until SIGINT or SIGTERM
                            ("127.0.0.1:1110", "[::1]:110", "*:110")

options:
  --maildir DIR             the maildrop (created with tmp/ new/ cur/ when missing)
  --users FILE              lines of user:password (USER/PASS, APOP, AUTH PLAIN and LOGIN)
  --tls-cert FILE           certificate chain (PEM); with --tls-key offers STLS
  --tls-key FILE            private key (PEM)
  --tls-port ADDR:PORT      also listen for implicit TLS (POP3S, RFC 8314) on this address
  --plaintext-auth          accept passwords without TLS from any peer (by default, when TLS
                            is offered, only loopback peers may log in without it)
  --no-apop                 do not offer APOP (no timestamp in the greeting)
  --hostname NAME           our name in the APOP timestamp (default: the system's host name)
  --timeout SECONDS         idle time before a connection is closed (default 600, RFC 1939 3)
  -q, --quiet               no log line per session (errors are still logged)
  -h, --help                this text

exit status: 0 success (--stdio: the session ended with QUIT; --listen: stopped by a signal),
1 a failed session (--stdio) or a server that cannot start, 2 usage error
)";

struct args {
  bool stdio = false, plaintext_auth = false, apop = true, quiet = false;
  std::optional<std::string> listen, tls_port, maildir, users, cert, key, hostname;
  std::uint64_t timeout = 600;
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
    else if (r.is("--hostname")) a.hostname = r.value();
    else if (r.is("--plaintext-auth")) a.plaintext_auth = true;
    else if (r.is("--no-apop")) a.apop = false;
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
  mailwire_pop3d::config cfg;
  cfg.maildir = *a.maildir;
  cfg.hostname = a.hostname ? *a.hostname : system_hostname();
  cfg.users = &users;
  cfg.apop = a.apop;
  cfg.plaintext_auth = a.plaintext_auth;
  cfg.quiet = a.quiet;
  mailwire::pop3::server_options& o = cfg.session;
  o.greeting = "mailwire-pop3d ready";
  o.implementation = "mailwire-pop3d";
  o.sasl_mechanisms = std::string(mailwire_net::sasl_password_auth::mechanisms);
  o.tls_available = a.cert.has_value() && !a.stdio;
  o.expire = "NEVER";  // messages stay until the client deletes them (RFC 2449 section 6.7)
  o.utf8 = true;       // RFC 6856: UTF-8 user names and passwords after UTF8
  o.utf8_user = true;
  try {
    if (a.stdio) {
      mailwire_net::peer_info p;
      p.literal = mailwire_net::stdin_peer(&p.loopback);
      if (p.literal.empty()) p.loopback = true;  // a pipe: the peer is a local process
      p.id = 1;
      mailwire_pop3d::host h(cfg, p);
      return mailwire_net::serve_stdio(h);
    }
    mailwire_net::listener<mailwire_pop3d::host> srv(tool, [&cfg](const mailwire_net::peer_info& p) {
      return std::make_unique<mailwire_pop3d::host>(cfg, p);
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
