// mailwire-smtpd — an SMTP/LMTP server that delivers into a Maildir (../shared/spec/tools.md):
//
//   mailwire-smtpd (--stdio | --listen ADDR:PORT) --maildir DIR [--hostname NAME] [--lmtp]
//                  [--max-size BYTES] [--users FILE [--require-auth]] [--tls-cert F --tls-key F]
//                  [--tls-port ADDR:PORT]
//
// The protocol is mailwire::smtp::server_session's; this file only moves bytes: standard
// input/output for --stdio, one single-threaded asio::io_context for --listen (every connection
// asynchronous, with bounded buffers), OpenSSL through asio::ssl for STARTTLS and implicit TLS.
// The host logic (answers, AUTH, Maildir delivery) is smtp_host.hpp. fsync() of delivered
// messages runs on a small thread pool so that one slow disk flush does not stall every
// connection; the connection waits for it before answering 250.
#include <signal.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/maildir.hpp"
#include "net/serve.hpp"
#include "net/users.hpp"
#include "smtp_host.hpp"
#include "tool/cli.hpp"

namespace {

using namespace mailwire_tool;
using mailwire_smtpd::want;
constexpr std::string_view tool = "mailwire-smtpd";

constexpr std::string_view help_text = R"(usage: mailwire-smtpd (--stdio | --listen ADDR:PORT) --maildir DIR [OPTIONS]

An SMTP (RFC 5321) or LMTP (RFC 2033) server that delivers each accepted message once into the
Maildir DIR (tmp/NAME, fsync, rename to new/NAME), with Return-Path: and Received: prepended.
Extensions: PIPELINING, SIZE, 8BITMIME, SMTPUTF8, CHUNKING (BDAT), ENHANCEDSTATUSCODES, LIMITS,
STARTTLS (with --tls-cert/--tls-key), AUTH PLAIN LOGIN (with --users). Logs go to standard error.

modes (exactly one):
  --stdio                   serve one session on standard input/output and exit when it ends
                            (inetd style; STARTTLS is not offered in this mode)
  --listen ADDR:PORT        serve many sessions concurrently until SIGINT or SIGTERM
                            ("127.0.0.1:2525", "[::1]:25", "*:25")

options:
  --maildir DIR             where messages go (created with tmp/ new/ cur/ when missing)
  --hostname NAME           our name in the greeting, EHLO reply and Received: (default: the
                            system's host name)
  --lmtp                    speak LMTP: LHLO, one reply per accepted recipient after the data
                            (the message is still stored once)
  --max-size BYTES          largest message accepted (SIZE, RFC 1870); default: no limit
  --max-recipients N        recipients per transaction (default 100; more get 452 4.5.3)
  --users FILE              lines of user:password; offers AUTH PLAIN and LOGIN (under TLS only,
                            unless --plaintext-auth)
  --require-auth            MAIL only after a successful AUTH (530 5.7.0)
  --plaintext-auth          also offer AUTH without TLS (tests only: passwords in clear)
  --tls-cert FILE           certificate chain (PEM); with --tls-key offers STARTTLS
  --tls-key FILE            private key (PEM)
  --tls-port ADDR:PORT      also listen for implicit TLS (RFC 8314) on this address
  --timeout SECONDS         idle time before a connection is closed (default 300)
  --sync-threads N          threads that fsync delivered messages (default 16)
  --no-fsync                rename without fsync (faster; a crash may lose accepted mail)
  -q, --quiet               no log line per session and message (errors are still logged)
  -h, --help                this text

exit status: 0 success (--stdio: the session ended normally; --listen: stopped by a signal),
1 a failed session (--stdio) or a server that cannot start, 2 usage error
)";

struct args {
  bool stdio = false;
  std::optional<std::string> listen, tls_port, maildir, hostname, users, cert, key;
  bool lmtp = false, require_auth = false, plaintext_auth = false, fsync = true, quiet = false;
  std::uint64_t max_size = 0, max_rcpt = 100, timeout = 300, sync_threads = 16;
};

args parse_args(int argc, char** argv) {
  args a;
  for (arg_reader r(argc, argv, help_text); r.next();) {
    if (r.is("--stdio")) a.stdio = true;
    else if (r.is("--listen")) a.listen = r.value();
    else if (r.is("--tls-port")) a.tls_port = r.value();
    else if (r.is("--maildir")) a.maildir = r.value();
    else if (r.is("--hostname")) a.hostname = r.value();
    else if (r.is("--users")) a.users = r.value();
    else if (r.is("--tls-cert")) a.cert = r.value();
    else if (r.is("--tls-key")) a.key = r.value();
    else if (r.is("--lmtp")) a.lmtp = true;
    else if (r.is("--require-auth")) a.require_auth = true;
    else if (r.is("--plaintext-auth")) a.plaintext_auth = true;
    else if (r.is("--no-fsync")) a.fsync = false;
    else if (r.is("-q") || r.is("--quiet")) a.quiet = true;
    else if (r.is("--max-size")) a.max_size = r.count();
    else if (r.is("--max-recipients")) a.max_rcpt = r.count();
    else if (r.is("--timeout")) a.timeout = r.count();
    else if (r.is("--sync-threads")) a.sync_threads = r.count();
    else r.unknown();
  }
  if (a.stdio == a.listen.has_value()) throw usage_error{"give exactly one of --stdio and --listen"};
  if (!a.maildir) throw usage_error{"--maildir DIR is required"};
  if (a.cert.has_value() != a.key.has_value()) throw usage_error{"--tls-cert and --tls-key go together"};
  if (a.tls_port && !a.cert) throw usage_error{"--tls-port needs --tls-cert and --tls-key"};
  if (a.tls_port && a.stdio) throw usage_error{"--tls-port needs --listen"};
  if (a.require_auth && !a.users) throw usage_error{"--require-auth needs --users"};
  if (a.sync_threads == 0 || a.sync_threads > 256) throw usage_error{"--sync-threads must be 1 to 256"};
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
  mailwire_net::maildir md(*a.maildir);
  if (const std::string err = md.prepare(); !err.empty()) {
    error_line(tool, "{}", err);
    return exit_bad_input;
  }
  mailwire_net::users_file users;
  if (a.users) {
    if (const std::string err = users.load(*a.users); !err.empty()) {
      error_line(tool, "{}", err);
      return exit_bad_input;
    }
  }
  mailwire_smtpd::config cfg;
  mailwire::smtp::server_options& o = cfg.session;
  o.hostname = a.hostname ? *a.hostname : system_hostname();
  o.lmtp = a.lmtp;
  o.max_message_size = a.max_size;
  o.max_recipients = static_cast<std::size_t>(a.max_rcpt);
  o.extensions.smtputf8 = true;
  o.tls_available = a.cert.has_value() && !a.stdio;
  if (a.users) {
    o.auth_mechanisms = "PLAIN LOGIN";
    o.auth_requires_tls = !a.plaintext_auth;
    o.require_auth = a.require_auth;
    cfg.users = &users;
    if (!a.plaintext_auth && !o.tls_available)
      error_line(tool, "warning: AUTH is offered only under TLS, and TLS is off (see --plaintext-auth)");
  }
  cfg.maildir = &md;
  cfg.fsync = a.fsync;
  cfg.quiet = a.quiet;
  try {
    if (a.stdio) {
      mailwire_smtpd::host h(cfg, mailwire_net::stdin_peer(), false, 1);
      return mailwire_net::serve_stdio(h);
    }
    mailwire_net::listener<mailwire_smtpd::host> srv(
        tool,
        [&cfg](const mailwire_net::peer_info& p) {
          return std::make_unique<mailwire_smtpd::host>(cfg, p.literal, p.implicit_tls, p.id);
        },
        static_cast<std::size_t>(a.sync_threads));
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
