// examples/pop3d/pop3_host.hpp — the host side of one mailwire-pop3d connection, without I/O:
// it drives a pop3::server_session, checks logins against --users (USER/PASS, APOP with MD5,
// AUTH PLAIN and LOGIN), serves the Maildir as the maildrop (maildrop.hpp) and streams RETR and
// TOP bodies from the files in 64 KiB pieces, so memory stays bounded whatever a message's size.
// The transport is net/serve.hpp:
//
//   host h(cfg, peer);
//   for (;;) switch (h.run()) {
//     case want::read:  h.feed(bytes_read) or h.eof();
//     case want::write: send(h.output()); h.consume(n);
//     case want::tls:   handshake; h.tls_started();      // after STLS, only when tls_safe()
//     case want::close: return;
//   }
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <fmt/core.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "maildrop.hpp"
#include "mailwire/core/ascii.hpp"
#include "mailwire/pop3/server.hpp"
#include "net/sasl_auth.hpp"
#include "net/serve.hpp"
#include "net/users.hpp"

namespace mailwire_pop3d {

namespace pop3 = mailwire::pop3;
using mailwire::status;
using mailwire_net::want;
using pop3::server_event_kind;

/// What every connection shares.
struct config {
  pop3::server_options session;  ///< greeting, TLS offered, SASL...
  std::string maildir;
  std::string hostname;
  const mailwire_net::users_file* users = nullptr;
  bool apop = true;                ///< offer APOP (a timestamp in the greeting)
  bool plaintext_auth = false;     ///< logins without TLS from non-loopback peers too
  bool quiet = false;
};

class host {
 public:
  host(const config& c, const mailwire_net::peer_info& peer)
      : cfg_(c), session_(options(c, peer)), drop_(c.maildir), sasl_(c.users), id_(peer.id) {}

  void feed(std::string_view bytes) noexcept { pending_ = bytes; }
  void eof() noexcept { eof_ = true; }
  [[nodiscard]] std::string_view output() const noexcept { return session_.output(); }
  void consume(std::size_t n) noexcept { session_.consume_output(n); }

  /// No bytes wait beyond the STLS line in the transport (the session checks its own buffer).
  [[nodiscard]] bool tls_safe() const noexcept { return pending_.empty(); }
  void tls_started() {
    tls_pending_ = false;
    (void)session_.tls_started();
    if (!cfg_.quiet) log("TLS started (STLS)");
  }

  /// Runs the session until the transport has something to do.
  [[nodiscard]] want run() {
    for (;;) {
      if (!pending_.empty()) pending_.remove_prefix(session_.receive(pending_));
      if (body_fd_ >= 0) {
        if (!pump_body()) return want::write;  // the output is full: send it, then go on
        continue;
      }
      const status st = session_.next_event();
      if (st == status::need_more) {
        if (!pending_.empty()) continue;  // the session made room: give it the rest
        if (!output().empty()) return want::write;
        if (session_.closed()) return want::close;
        if (eof_) {
          if (!session_.closed()) aborted_ = true;  // RFC 1939 section 6: no UPDATE without QUIT
          return want::close;
        }
        return want::read;
      }
      if (st == status::error) {
        if (!failed_) {
          failed_ = true;
          log("session error at offset {}: {}", session_.error_offset(), pop3::to_string(session_.error()));
        }
        return output().empty() ? want::close : want::write;
      }
      if (st == status::paused) {
        if (!output().empty()) return want::write;
        if (tls_pending_) return tls_safe() ? want::tls : injected();
        return want::close;  // nothing else pauses a session whose events we always answer
      }
      on_event(session_.event());
    }
  }

  /// The session ended with QUIT (and its UPDATE worked).
  [[nodiscard]] bool ok() const noexcept { return !failed_ && !aborted_ && session_.closed(); }
  void closing() const {
    if (!cfg_.quiet) log("closed ({} retrieved, {} deleted)", retrieved_, removed_);
  }

  template <class... Args>
  void log(fmt::format_string<Args...> f, Args&&... args) const {
    fmt::print(stderr, "mailwire-pop3d: [{}] {}\n", id_, fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  /// The APOP timestamp of RFC 1939 section 7: "<process-id.clock.counter@hostname>", unique.
  static std::string apop_timestamp(const config& c) {
    static std::atomic<unsigned long> seq{0};
    return fmt::format("<{}.{}.{}@{}>", ::getpid(), static_cast<long long>(std::time(nullptr)), ++seq,
                       c.hostname);
  }

  static pop3::server_options options(const config& c, const mailwire_net::peer_info& peer) {
    pop3::server_options o = c.session;
    o.tls_active = peer.implicit_tls;
    // Passwords only under TLS (RFC 2595 section 2.3) when TLS is offered, except from loopback
    // peers (the connection never leaves the host), as Dovecot does.
    o.login_requires_tls = !c.plaintext_auth && !peer.loopback;
    if (c.apop && c.users != nullptr) o.apop_timestamp = apop_timestamp(c);
    return o;
  }

  want injected() {
    failed_ = true;
    log("plaintext after STLS: closing without TLS");
    return want::close;
  }

  void on_event(const pop3::server_event& e) {
    switch (e.kind) {
      case server_event_kind::login: return login(e.user, cfg_.users != nullptr && cfg_.users->check(e.user, e.command.secret));
      case server_event_kind::apop: return login(e.command.name, apop_ok(e.command.name, e.command.digest));
      case server_event_kind::auth: {
        std::optional<std::string_view> ir;
        if (e.command.ir == pop3::initial_response::data) ir = e.command.response;
        else if (e.command.ir == pop3::initial_response::empty) ir = std::string_view();
        return sasl_result(sasl_.start(e.command.mechanism, ir));
      }
      case server_event_kind::auth_response: return sasl_result(sasl_.step(e.data));
      case server_event_kind::stat: {
        std::uint64_t n = 0, octets = 0;
        for (std::uint32_t i = 1; i <= session_.messages(); ++i)
          if (!session_.is_deleted(i)) ++n, octets += drop_.messages()[i - 1].size;
        (void)session_.ok(fmt::format("{} {}", n, octets));
        return;
      }
      case server_event_kind::list:
      case server_event_kind::uidl: {
        const bool uidl = e.kind == server_event_kind::uidl;
        if (e.command.message != 0) {
          (void)session_.ok(listing(e.command.message, uidl));
          return;
        }
        (void)session_.begin_body();
        for (std::uint32_t i = 1; i <= session_.messages(); ++i) {
          if (session_.is_deleted(i)) continue;
          const std::string l = listing(i, uidl) + "\r\n";
          (void)session_.body(l);  // output() bounds bodies, not these short lines of ours
        }
        (void)session_.end_body();
        return;
      }
      case server_event_kind::retr:
      case server_event_kind::top: return start_body(e);
      case server_event_kind::update: {
        const auto dele = session_.deleted_messages();
        const bool all = drop_.remove(dele);
        removed_ = dele.size();
        drop_.unlock();
        if (!all) {
          log("some deleted messages could not be removed");
          (void)session_.err("some deleted messages not removed", "SYS/TEMP");  // RFC 2449 8.1
          return;
        }
        (void)session_.accept();
        return;
      }
      case server_event_kind::starttls: tls_pending_ = true; return;
      case server_event_kind::quit:
      case server_event_kind::deleted:
      case server_event_kind::reset:
      case server_event_kind::utf8:
      case server_event_kind::language:
      case server_event_kind::command_error:
      case server_event_kind::none: return;
    }
  }

  [[nodiscard]] std::string listing(std::uint32_t n, bool uidl) const {
    const message& m = drop_.messages()[n - 1];
    return uidl ? fmt::format("{} {}", n, m.uid) : fmt::format("{} {}", n, m.size);
  }

  bool apop_ok(std::string_view user, std::string_view digest) const {
    if (cfg_.users == nullptr) return false;
    const std::string* pw = cfg_.users->password(user);
    const std::string want_digest = md5_hex(session_.options().apop_timestamp + (pw ? *pw : std::string("\x01")));
    std::string got(digest);
    for (char& c : got) c = mailwire::ascii::to_lower(c);
    return pw != nullptr && got.size() == want_digest.size() &&
           CRYPTO_memcmp(got.data(), want_digest.data(), got.size()) == 0;
  }

  void sasl_result(const mailwire_net::sasl_step& s) {
    using mailwire_net::sasl_step;
    switch (s.k) {
      case sasl_step::challenge: (void)session_.auth_challenge(s.data); return;
      case sasl_step::success: return login(s.user, true);
      case sasl_step::failure: return login(s.user, false);
      case sasl_step::malformed: (void)session_.reject("Cannot decode the response"); return;
    }
  }

  // A login the credentials allow opens the maildrop (RFC 1939 section 4); "-ERR [AUTH]" for
  // bad credentials, "[IN-USE]" when another session holds it, "[SYS/TEMP]" when it cannot be read.
  void login(std::string_view user, bool good) {
    if (!good) {
      log("authentication failed for '{}'", user);
      (void)session_.reject();
      return;
    }
    switch (drop_.open()) {
      case maildrop::open_result::ok:
        if (!cfg_.quiet) log("{} logged in, {} messages", user, drop_.messages().size());
        (void)session_.accept_login(static_cast<std::uint32_t>(drop_.messages().size()));
        return;
      case maildrop::open_result::in_use:
        log("maildrop in use ({})", user);
        (void)session_.reject("maildrop already locked", "IN-USE");
        return;
      case maildrop::open_result::failed:
        log("cannot open the maildrop: {}", drop_.error());
        (void)session_.reject("cannot open the maildrop", "SYS/TEMP");
        return;
    }
  }

  void start_body(const pop3::server_event& e) {
    const std::uint32_t n = e.command.message;
    const int fd = drop_.open_message(n);
    if (fd < 0) {
      (void)session_.err("message is gone", "SYS/PERM");
      return;
    }
    (void)session_.begin_body(e.kind == server_event_kind::top ? std::string("top of message follows")
                                                                : fmt::format("{} octets", drop_.messages()[n - 1].size));
    body_fd_ = fd;
    chunk_.clear();
    top_.reset();
    if (e.kind == server_event_kind::top) top_.emplace(e.command.lines);
    else ++retrieved_;
  }

  // Feeds the open message to the session; false when the output is full (send it first).
  bool pump_body() {
    for (;;) {
      if (chunk_at_ < chunk_.size()) {
        chunk_at_ += session_.body(std::string_view(chunk_).substr(chunk_at_));
        if (chunk_at_ < chunk_.size()) return false;
        continue;
      }
      ssize_t n = 0;
      if (!top_ || !top_->done()) {
        chunk_.resize(64 * 1024);
        do n = ::read(body_fd_, chunk_.data(), chunk_.size());
        while (n < 0 && errno == EINTR);
        if (n < 0) log("read error: {}", std::strerror(errno));  // the body ends where it broke
      }
      chunk_.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
      chunk_at_ = 0;
      if (top_ && n > 0) chunk_.resize(top_->take(chunk_));
      if (n <= 0) {
        ::close(body_fd_);
        body_fd_ = -1;
        (void)session_.end_body();
        return true;
      }
    }
  }

  const config& cfg_;
  pop3::server_session session_;
  maildrop drop_;
  mailwire_net::sasl_password_auth sasl_;
  std::uint64_t id_;
  std::string_view pending_;
  bool eof_ = false, failed_ = false, aborted_ = false, tls_pending_ = false;
  int body_fd_ = -1;
  std::string chunk_;
  std::size_t chunk_at_ = 0;
  std::optional<top_filter> top_;
  std::uint64_t retrieved_ = 0, removed_ = 0;

 public:
  ~host() {
    if (body_fd_ >= 0) ::close(body_fd_);
  }
  host(const host&) = delete;
  host& operator=(const host&) = delete;
};

}  // namespace mailwire_pop3d
