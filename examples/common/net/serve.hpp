// examples/common/net/serve.hpp — the transport of the example servers (mailwire-smtpd,
// mailwire-pop3d, mailwire-imapd): it only moves bytes between a connection and a Host that
// drives a sans-I/O session (../shared/spec/tools.md, "Common rules"):
//
//   --stdio           one session on standard input/output (inetd style): serve_stdio(host)
//   --listen A:P      many sessions on one single-threaded asio::io_context until SIGINT or
//                     SIGTERM, plaintext with STARTTLS/STLS and implicit TLS ports: listener<Host>
//
// A Host answers its session's events and tells the transport what to do next:
//
//   want run();                          // read, write, commit, tls or close
//   void feed(std::string_view);         // bytes read (valid until run() asks to read again)
//   void eof();                          // the peer closed its side
//   std::string_view output(); void consume(std::size_t);
//   void tls_started();                  // the handshake asked for with want::tls is done
//   bool ok();                           // --stdio exit status
//   void closing();                      // the connection ends (a log line)
//   bool commit(); void committed(bool); // only hosts that return want::commit: a blocking
//                                        // step (fsync) run on a thread pool, then its result
//                                        // back on the connection's thread
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/endpoint.hpp"
#include "net/stream.hpp"
#include "net/tls.hpp"
#include "tool/cli.hpp"

namespace mailwire_net {

/// What the transport must do next for a Host.
enum class want { read, write, commit, tls, close };

/// The peer of standard input when it is a socket (inetd, systemd socket activation): its
/// address literal ("[127.0.0.1]"), or "" when unknown; `loopback` tells whether it is local.
inline std::string stdin_peer(bool* loopback = nullptr) {
  if (loopback != nullptr) *loopback = false;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(0, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  asio::ip::tcp::endpoint ep;
  if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) return {};
  std::memcpy(ep.data(), &ss, std::min<std::size_t>(len, ep.capacity()));
  ep.resize(len);
  if (loopback != nullptr) *loopback = ep.address().is_loopback();
  return address_literal(ep.address());
}

/// Serves one session on file descriptors 0 and 1 (TLS is never asked for in this mode).
template <class Host>
int serve_stdio(Host& h) {
  std::vector<char> buf(64 * 1024);
  for (;;) {
    switch (h.run()) {
      case want::read: {
        if constexpr (requires { h.tick(); h.tick_interval(); }) {
          // A host with periodic work while waiting for input (IMAP IDLE): poll, then tick.
          if (const auto iv = h.tick_interval(); iv.count() > 0) {
            pollfd p{0, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(iv.count())) == 0) {
              h.tick();
              break;  // run() again: it asks to write what tick() produced, or to read
            }
          }
        }
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
          return mailwire_tool::exit_bad_input;
        }
        h.consume(static_cast<std::size_t>(n));
        break;
      }
      case want::commit:
        if constexpr (requires { h.committed(h.commit()); }) h.committed(h.commit());
        break;
      case want::tls:
      case want::close: h.closing(); return h.ok() ? mailwire_tool::exit_ok : mailwire_tool::exit_bad_input;
    }
  }
}

/// Who connected: the address literal for logs and trace fields, and whether it is loopback.
struct peer_info {
  std::string literal;  ///< "[127.0.0.1]", "" when unknown
  std::string text;     ///< "127.0.0.1", "?" when unknown
  bool loopback = false;
  bool implicit_tls = false;
  std::uint64_t id = 0;  ///< connection number for log lines
};

/// Many sessions of Host on one io_context; `make` builds the Host of each connection.
template <class Host>
class listener {
 public:
  using factory = std::function<std::unique_ptr<Host>(const peer_info&)>;

  /// `sync_threads`: threads of the pool for Host::commit() (0: hosts never commit).
  listener(std::string_view tool, factory make, std::size_t sync_threads = 0)
      : tool_(tool), make_(std::move(make)), pool_(sync_threads == 0 ? 1 : sync_threads) {}

  void set_tls(std::unique_ptr<asio::ssl::context> ctx) { tls_ = std::move(ctx); }
  void set_timeout(std::chrono::seconds t) { timeout_ = t; }
  void set_quiet(bool q) { quiet_ = q; }
  asio::io_context& io() noexcept { return io_; }

  /// Listens on "ADDR:PORT" (`flag` names it in errors); throws when it cannot.
  void open(std::string_view flag, const std::string& where, bool implicit_tls) {
    const auto hp = split_host_port(flag, where);
    for (const auto& ep : resolve(io_, flag, hp, true)) {
      auto acc = std::make_unique<asio::ip::tcp::acceptor>(io_);
      asio::error_code ec;
      acc->open(ep.protocol(), ec);
      if (!ec) acc->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
      if (!ec) acc->bind(ep, ec);
      if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) throw std::runtime_error(fmt::format("cannot listen on {}: {}", where, ec.message()));
      acceptors_.push_back(std::move(acc));
      accept(*acceptors_.back(), implicit_tls);
      if (!quiet_) mailwire_tool::error_line(tool_, "listening on {}{}", where, implicit_tls ? " (implicit TLS)" : "");
    }
  }

  /// Serves until SIGINT or SIGTERM; then waits for pending commits.
  int run() {
    asio::signal_set signals(io_, SIGINT, SIGTERM);
    signals.async_wait([&](asio::error_code ec, int sig) {
      if (ec) return;
      if (!quiet_) mailwire_tool::error_line(tool_, "signal {}: stopping", sig);
      for (auto& acc : acceptors_) acc->close(ec);
      io_.stop();
    });
    io_.run();
    pool_.join();
    return mailwire_tool::exit_ok;
  }

 private:
  class connection : public std::enable_shared_from_this<connection> {
   public:
    connection(listener& l, asio::ip::tcp::socket s, bool implicit_tls, std::uint64_t id)
        : l_(l), stream_(std::move(s)), implicit_tls_(implicit_tls), timer_(l.io_) {
      asio::error_code ec;
      const auto ep = stream_.socket().remote_endpoint(ec);
      peer_info p;
      if (!ec) {
        p.literal = address_literal(ep.address());
        p.text = ep.address().to_string();
        p.loopback = ep.address().is_loopback() ||
                     (ep.address().is_v6() && ep.address().to_v6().is_v4_mapped() &&
                      asio::ip::make_address_v4(asio::ip::v4_mapped, ep.address().to_v6()).is_loopback());
      } else {
        p.text = "?";
      }
      p.implicit_tls = implicit_tls;
      p.id = id;
      host_ = l_.make_(p);
      if (!l_.quiet_) host_->log("connection from {}{}", p.text, implicit_tls ? " (TLS)" : "");
    }

    void start() {
      if (!implicit_tls_) return go();
      handshake(false);
    }

   private:
    void handshake(bool starttls) {
      stream_.start_tls(*l_.tls_);
      auto self = this->shared_from_this();
      timer_.expires_after(l_.timeout_);
      timer_.async_wait([self](asio::error_code ec) {
        if (!ec) self->stream_.close();
      });
      stream_.async_handshake(asio::ssl::stream_base::server, [self, starttls](asio::error_code ec) {
        self->timer_.cancel();
        if (ec) {
          self->host_->log("TLS handshake failed: {}", ec.message());
          return self->finish();
        }
        if (starttls) self->host_->tls_started();
        self->go();
      });
    }

    void go() {
      auto self = this->shared_from_this();
      switch (host_->run()) {
        case want::read: return read();
        case want::write: {
          const std::string_view out = host_->output();
          stream_.async_write(asio::buffer(out.data(), out.size()), [self](asio::error_code ec, std::size_t n) {
            if (ec) return self->finish();
            self->host_->consume(n);
            self->go();
          });
          return;
        }
        case want::commit:
          if constexpr (requires(Host& h) { h.committed(h.commit()); }) {
            asio::post(l_.pool_, [self] {
              const bool ok = self->host_->commit();
              asio::post(self->l_.io_, [self, ok] {
                self->host_->committed(ok);
                self->go();
              });
            });
            return;
          } else {
            return finish();
          }
        case want::tls:
          if (!l_.tls_) return finish();
          return handshake(true);
        case want::close: return finish();
      }
    }

    void read() {
      auto self = this->shared_from_this();
      timer_.expires_after(l_.timeout_);
      timer_.async_wait([self](asio::error_code ec) {
        if (!ec) {
          self->host_->log("idle timeout");
          self->stream_.close();
        }
      });
      start_tick();
      stream_.async_read_some(asio::buffer(buf_), [self](asio::error_code ec, std::size_t n) {
        self->timer_.cancel();
        self->tick_.cancel();
        if (ec == asio::error::operation_aborted && self->woken_) {
          self->woken_ = false;  // tick() produced output: write it, then read again
          return self->go();
        }
        self->woken_ = false;
        if (ec) self->host_->eof();  // EOF, reset, timeout: the session sees the end of input
        else self->host_->feed(std::string_view(self->buf_.data(), n));
        self->go();
      });
    }

    /// Hosts with Host::tick() / tick_interval() (IMAP IDLE): while a read waits, tick every
    /// interval; when a tick produced output, cancel the read so that go() sends it.
    void start_tick() {
      if constexpr (requires(Host& h) { h.tick(); h.tick_interval(); }) {
        const auto iv = host_->tick_interval();
        if (iv.count() <= 0) return;
        auto self = this->shared_from_this();
        tick_.expires_after(iv);
        tick_.async_wait([self](asio::error_code ec) {
          if (ec) return;
          self->host_->tick();
          if (self->host_->output().empty()) return self->start_tick();
          self->woken_ = true;
          asio::error_code ignored;
          self->stream_.socket().cancel(ignored);
        });
      }
    }

    void finish() {
      timer_.cancel();
      tick_.cancel();
      host_->closing();
      stream_.close();
    }

    listener& l_;
    stream stream_;
    bool implicit_tls_;
    std::unique_ptr<Host> host_;
    asio::steady_timer timer_;
    asio::steady_timer tick_{timer_.get_executor()};
    bool woken_ = false;
    std::array<char, 16 * 1024> buf_{};
  };

  void accept(asio::ip::tcp::acceptor& a, bool implicit_tls) {
    a.async_accept([this, &a, implicit_tls](asio::error_code ec, asio::ip::tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        asio::error_code ignored;
        s.set_option(asio::ip::tcp::no_delay(true), ignored);
        std::make_shared<connection>(*this, std::move(s), implicit_tls, ++next_id_)->start();
      } else if (!quiet_) {
        mailwire_tool::error_line(tool_, "accept: {}", ec.message());
      }
      accept(a, implicit_tls);  // EMFILE and friends: keep going
    });
  }

  std::string_view tool_;
  factory make_;
  asio::io_context io_{1};
  asio::thread_pool pool_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  std::chrono::seconds timeout_{300};
  bool quiet_ = false;
  std::uint64_t next_id_ = 0;
};

}  // namespace mailwire_net
