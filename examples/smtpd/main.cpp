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
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/endpoint.hpp"
#include "net/maildir.hpp"
#include "net/stream.hpp"
#include "net/tls.hpp"
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
  auto value = [&](int& i, std::string_view flag) -> std::string {
    if (i + 1 >= argc) throw usage_error{fmt::format("{} needs a value", flag)};
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view s = argv[i];
    if (s == "-h" || s == "--help") {
      fmt::print("{}", help_text);
      std::exit(exit_ok);
    }
    if (s == "--stdio") a.stdio = true;
    else if (s == "--listen") a.listen = value(i, s);
    else if (s == "--tls-port") a.tls_port = value(i, s);
    else if (s == "--maildir") a.maildir = value(i, s);
    else if (s == "--hostname") a.hostname = value(i, s);
    else if (s == "--users") a.users = value(i, s);
    else if (s == "--tls-cert") a.cert = value(i, s);
    else if (s == "--tls-key") a.key = value(i, s);
    else if (s == "--lmtp") a.lmtp = true;
    else if (s == "--require-auth") a.require_auth = true;
    else if (s == "--plaintext-auth") a.plaintext_auth = true;
    else if (s == "--no-fsync") a.fsync = false;
    else if (s == "-q" || s == "--quiet") a.quiet = true;
    else if (s == "--max-size") a.max_size = parse_count(s, value(i, s));
    else if (s == "--max-recipients") a.max_rcpt = parse_count(s, value(i, s));
    else if (s == "--timeout") a.timeout = parse_count(s, value(i, s));
    else if (s == "--sync-threads") a.sync_threads = parse_count(s, value(i, s));
    else throw usage_error{fmt::format("unknown option '{}'", s)};
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

// ---- --stdio: one session on file descriptors 0 and 1 ------------------------------------

// The peer's address when standard input is a socket (inetd, systemd socket activation).
std::string stdin_peer() {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(0, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  asio::ip::tcp::endpoint ep;
  if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) return {};
  std::memcpy(ep.data(), &ss, std::min<std::size_t>(len, ep.capacity()));
  ep.resize(len);
  return mailwire_net::address_literal(ep.address());
}

int serve_stdio(const mailwire_smtpd::config& cfg) {
  mailwire_smtpd::host h(cfg, stdin_peer(), false, 1);
  std::vector<char> buf(64 * 1024);
  for (;;) {
    switch (h.run()) {
      case want::read: {
        ssize_t n;
        do n = ::read(0, buf.data(), buf.size());
        while (n < 0 && errno == EINTR);
        if (n <= 0) {
          if (n < 0) h.log("read error: {}", std::strerror(errno));
          h.eof();
        } else {
          h.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)));
        }
        break;
      }
      case want::write: {
        const std::string_view out = h.output();
        const ssize_t n = ::write(1, out.data(), out.size());
        if (n < 0 && errno == EINTR) break;
        if (n <= 0) {
          h.log("write error: {}", std::strerror(errno));
          return exit_bad_input;
        }
        h.consume(static_cast<std::size_t>(n));
        break;
      }
      case want::commit: h.committed(h.commit()); break;
      case want::tls:  // never offered in this mode
      case want::close: return h.ok() ? exit_ok : exit_bad_input;
    }
  }
}

// ---- --listen: many sessions on one io_context -------------------------------------------

struct server;

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(server& srv, asio::ip::tcp::socket s, bool implicit_tls, std::uint64_t id);
  void start();

 private:
  void go();
  void read();
  void finish();

  server& srv_;
  mailwire_net::stream stream_;
  bool implicit_tls_;
  std::unique_ptr<mailwire_smtpd::host> host_;
  asio::steady_timer timer_;
  std::array<char, 16 * 1024> buf_{};
};

struct server {
  asio::io_context io{1};
  asio::thread_pool sync_pool;
  mailwire_smtpd::config cfg;
  std::unique_ptr<asio::ssl::context> tls;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors;
  std::chrono::seconds timeout{300};
  std::uint64_t next_id = 0;
  std::uint64_t sessions = 0;

  explicit server(std::size_t threads) : sync_pool(threads) {}

  void accept(asio::ip::tcp::acceptor& a, bool implicit_tls) {
    a.async_accept([this, &a, implicit_tls](asio::error_code ec, asio::ip::tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        asio::error_code ignored;
        s.set_option(asio::ip::tcp::no_delay(true), ignored);
        ++sessions;
        std::make_shared<connection>(*this, std::move(s), implicit_tls, ++next_id)->start();
      } else if (!cfg.quiet) {
        error_line(tool, "accept: {}", ec.message());
      }
      accept(a, implicit_tls);  // EMFILE and friends: keep going
    });
  }
};

connection::connection(server& srv, asio::ip::tcp::socket s, bool implicit_tls, std::uint64_t id)
    : srv_(srv), stream_(std::move(s)), implicit_tls_(implicit_tls), timer_(srv.io) {
  asio::error_code ec;
  const auto ep = stream_.socket().remote_endpoint(ec);
  host_ = std::make_unique<mailwire_smtpd::host>(
      srv_.cfg, ec ? std::string() : mailwire_net::address_literal(ep.address()), implicit_tls, id);
  if (!srv_.cfg.quiet)
    host_->log("connection from {}{}", ec ? std::string("?") : ep.address().to_string(),
               implicit_tls ? " (TLS)" : "");
}

void connection::start() {
  if (!implicit_tls_) return go();
  stream_.start_tls(*srv_.tls);
  auto self = shared_from_this();
  timer_.expires_after(srv_.timeout);
  timer_.async_wait([self](asio::error_code ec) {
    if (!ec) self->stream_.close();
  });
  stream_.async_handshake(asio::ssl::stream_base::server, [self](asio::error_code ec) {
    self->timer_.cancel();
    if (ec) {
      self->host_->log("TLS handshake failed: {}", ec.message());
      return self->finish();
    }
    self->go();
  });
}

void connection::go() {
  auto self = shared_from_this();
  switch (host_->run()) {
    case want::read: return read();
    case want::write: {
      const std::string_view out = host_->output();
      stream_.async_write(asio::buffer(out.data(), out.size()),
                          [self](asio::error_code ec, std::size_t n) {
                            if (ec) return self->finish();
                            self->host_->consume(n);
                            self->go();
                          });
      return;
    }
    case want::commit:
      // fsync on the pool; the answer (250 or 451) on the connection's thread.
      asio::post(srv_.sync_pool, [self] {
        const bool ok = self->host_->commit();
        asio::post(self->srv_.io, [self, ok] {
          self->host_->committed(ok);
          self->go();
        });
      });
      return;
    case want::tls:
      stream_.start_tls(*srv_.tls);
      timer_.expires_after(srv_.timeout);
      timer_.async_wait([self](asio::error_code ec) {
        if (!ec) self->stream_.close();
      });
      stream_.async_handshake(asio::ssl::stream_base::server, [self](asio::error_code ec) {
        self->timer_.cancel();
        if (ec) {
          self->host_->log("TLS handshake failed: {}", ec.message());
          return self->finish();
        }
        self->host_->tls_started();
        self->go();
      });
      return;
    case want::close: return finish();
  }
}

void connection::read() {
  auto self = shared_from_this();
  timer_.expires_after(srv_.timeout);
  timer_.async_wait([self](asio::error_code ec) {
    if (!ec) {
      self->host_->log("idle timeout");
      self->stream_.close();
    }
  });
  stream_.async_read_some(asio::buffer(buf_), [self](asio::error_code ec, std::size_t n) {
    self->timer_.cancel();
    if (ec) {
      self->host_->eof();  // EOF, reset, timeout: the session sees the end of input
    } else {
      self->host_->feed(std::string_view(self->buf_.data(), n));
    }
    self->go();
  });
}

void connection::finish() {
  timer_.cancel();
  if (!srv_.cfg.quiet) host_->log("closed ({} delivered)", host_->delivered());
  stream_.close();
}

int serve_listen(const args& a, mailwire_smtpd::config cfg) {
  server srv(static_cast<std::size_t>(a.sync_threads));
  srv.cfg = std::move(cfg);
  srv.timeout = std::chrono::seconds(a.timeout);
  if (a.cert) srv.tls = mailwire_net::server_tls_context(*a.cert, *a.key);
  auto open = [&](std::string_view flag, const std::string& where, bool implicit_tls) {
    const auto hp = mailwire_net::split_host_port(flag, where);
    for (const auto& ep : mailwire_net::resolve(srv.io, flag, hp, true)) {
      auto acc = std::make_unique<asio::ip::tcp::acceptor>(srv.io);
      asio::error_code ec;
      acc->open(ep.protocol(), ec);
      if (!ec) acc->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
      if (!ec) acc->bind(ep, ec);
      if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) throw std::runtime_error(fmt::format("cannot listen on {}: {}", where, ec.message()));
      srv.acceptors.push_back(std::move(acc));
      srv.accept(*srv.acceptors.back(), implicit_tls);
      if (!srv.cfg.quiet) error_line(tool, "listening on {}{}", where, implicit_tls ? " (implicit TLS)" : "");
    }
  };
  open("--listen", *a.listen, false);
  if (a.tls_port) open("--tls-port", *a.tls_port, true);
  asio::signal_set signals(srv.io, SIGINT, SIGTERM);
  signals.async_wait([&](asio::error_code ec, int sig) {
    if (ec) return;
    if (!srv.cfg.quiet) error_line(tool, "signal {}: stopping", sig);
    for (auto& acc : srv.acceptors) acc->close(ec);
    srv.io.stop();
  });
  srv.io.run();
  srv.sync_pool.join();
  return exit_ok;
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
    if (a.stdio) return serve_stdio(cfg);
    return serve_listen(a, std::move(cfg));
  } catch (const usage_error& e) {
    error_line(tool, "{} (try --help)", e.message);
    return exit_usage;
  } catch (const std::exception& e) {
    error_line(tool, "{}", e.what());
    return exit_bad_input;
  }
}
