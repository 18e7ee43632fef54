// examples/smtpd/smtp_host.hpp — the host side of one mailwire-smtpd connection, without I/O:
// it drives an smtp::server_session, answers its events (senders, recipients, AUTH against
// --users) and streams each accepted message into the Maildir. The transport (standard
// input/output, or an Asio socket with TLS) moves bytes and does what run() asks:
//
//   host h(cfg, peer, tls);
//   for (;;) switch (h.run()) {
//     case want::read:   h.feed(bytes_read) or h.eof();        // keep the bytes until fed
//     case want::write:  send(h.output()); h.consume(n);
//     case want::commit: h.committed(h.commit());              // fsync + rename, may block
//     case want::tls:    handshake; h.tls_started();           // only when tls_safe()
//     case want::close:  return;
//   }
#pragma once

#include <ctime>
#include <fmt/core.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "mailwire/smtp/server.hpp"
#include "net/maildir.hpp"
#include "net/sasl_auth.hpp"
#include "net/serve.hpp"
#include "net/users.hpp"

namespace mailwire_smtpd {

namespace smtp = mailwire::smtp;
using mailwire::status;
using smtp::server_event_kind;

/// What every connection shares.
struct config {
  smtp::server_options session;            ///< hostname, lmtp, size, AUTH, TLS offered...
  const mailwire_net::maildir* maildir = nullptr;
  const mailwire_net::users_file* users = nullptr;  ///< null: no AUTH
  bool fsync = true;                        ///< fsync() each message before answering 250
  bool quiet = false;                       ///< no per-message log lines
};

using mailwire_net::want;

/// The date-time of a Received: field (RFC 5322 section 3.3), local time with its offset.
inline std::string rfc5322_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const long off = tm.tm_gmtoff / 60;
  const long a = off < 0 ? -off : off;
  return fmt::format("{}, {} {} {} {:02}:{:02}:{:02} {}{:02}{:02}", days[tm.tm_wday % 7],
                     tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, off < 0 ? '-' : '+', a / 60, a % 60);
}

class host {
 public:
  /// `peer`: the client's address literal ("[127.0.0.1]") or "" when unknown; `id` names the
  /// connection in log lines.
  host(const config& c, std::string peer, bool implicit_tls, std::uint64_t id)
      : cfg_(c), session_(options(c, implicit_tls)), peer_(std::move(peer)), id_(id) {}

  /// Bytes read from the peer; they must stay valid (unchanged) until run() returns want::read.
  void feed(std::string_view bytes) noexcept { pending_ = bytes; }
  /// The peer closed its side.
  void eof() noexcept { eof_ = true; }

  [[nodiscard]] std::string_view output() const noexcept { return session_.output(); }
  void consume(std::size_t n) noexcept { session_.consume_output(n); }

  /// No bytes are waiting beyond the STARTTLS line (the session checks its own buffer; this is
  /// the transport's). False: plaintext was injected after STARTTLS; close without TLS.
  [[nodiscard]] bool tls_safe() const noexcept { return pending_.empty(); }
  /// The TLS handshake after STARTTLS is done.
  void tls_started() {
    tls_pending_ = false;
    (void)session_.tls_started();
  }

  /// Blocking part of a delivery (fsync, rename): safe to call on another thread while the
  /// connection waits; then committed() with its result on the connection's thread.
  [[nodiscard]] bool commit() { return writer_.sync_and_publish(cfg_.fsync); }
  void committed(bool ok) {
    commit_due_ = false;
    if (ok) {
      ++delivered_;
      if (!cfg_.quiet)
        log("delivered {} from {} to {} recipient(s), {} octets", writer_.name(), sender_,
            rcpt_count_, writer_.bytes());
      (void)session_.accept();  // 250 2.0.0 (LMTP: one per recipient)
    } else {
      log("delivery failed: {}", writer_.error());
      refuse_message();
    }
    clear_envelope();
  }

  /// Runs the session until the transport has something to do.
  [[nodiscard]] want run() {
    for (;;) {
      if (!pending_.empty()) pending_.remove_prefix(session_.receive(pending_));
      if (eof_ && pending_.empty() && !eof_given_) {
        session_.end_of_input();
        eof_given_ = true;
      }
      const status st = session_.next_event();
      if (st == status::need_more) {
        if (!pending_.empty()) continue;  // the session made room: give it the rest
        if (!output().empty()) return want::write;
        if (session_.closed() || eof_) return want::close;
        return want::read;
      }
      if (st == status::error) {
        if (!failed_) {
          failed_ = true;
          log("session error at offset {}: {}", session_.error_offset(),
              smtp::to_string(session_.error()));
        }
        return output().empty() ? want::close : want::write;
      }
      if (st == status::paused) {
        if (!output().empty()) return want::write;
        if (commit_due_) return want::commit;
        if (tls_pending_) return tls_safe() ? want::tls : injected();
        return want::close;  // nothing else pauses a session whose events we always answer
      }
      if (const auto w = on_event(session_.event())) return *w;
    }
  }

  /// The session ended as a session should (QUIT, or the peer left between transactions).
  [[nodiscard]] bool ok() const noexcept { return !failed_ && !aborted_by_eof_; }
  [[nodiscard]] std::uint64_t delivered() const noexcept { return delivered_; }
  /// The connection ends.
  void closing() const {
    if (!cfg_.quiet) log("closed ({} delivered)", delivered_);
  }
  [[nodiscard]] const smtp::server_session& session() const noexcept { return session_; }

  template <class... Args>
  void log(fmt::format_string<Args...> f, Args&&... args) const {
    fmt::print(stderr, "mailwire-smtpd: [{}] {}\n", id_, fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  static smtp::server_options options(const config& c, bool implicit_tls) {
    smtp::server_options o = c.session;
    o.tls_active = implicit_tls;
    return o;
  }

  want injected() {
    failed_ = true;
    log("plaintext after STARTTLS: closing without TLS");
    return want::close;
  }

  // Answers one event; a value when the transport must act before the next event.
  std::optional<want> on_event(const smtp::server_event& e) {
    switch (e.kind) {
      case server_event_kind::hello:
        helo_.assign(e.command.domain);
        helo_verb_ = e.command.v;
        clear_envelope();
        (void)session_.accept();
        break;
      case server_event_kind::mail:
        clear_envelope();
        sender_.clear();
        if (smtp::serialize(e.command.path, sender_) != smtp::errc::ok) sender_ = "<>";
        (void)session_.accept();
        break;
      case server_event_kind::rcpt:
        if (rcpt_count_++ == 0) {
          first_rcpt_.clear();
          if (smtp::serialize(e.command.path, first_rcpt_) != smtp::errc::ok) first_rcpt_.clear();
        }
        (void)session_.accept();
        break;
      case server_event_kind::transaction_reset: clear_envelope(); break;
      case server_event_kind::message_begin: begin_message(); break;
      case server_event_kind::message_data:
        if (writer_.open() && !writer_.write(e.data)) log("delivery failed: {}", writer_.error());
        break;
      case server_event_kind::message_end:
        if (!writer_.open() || !writer_.flush()) {
          if (!writer_.error().empty()) log("delivery failed: {}", writer_.error());
          refuse_message();
          clear_envelope();
          break;
        }
        commit_due_ = true;
        return want::commit;
      case server_event_kind::message_aborted:
        writer_.abort();
        if (e.data_error == smtp::data_errc::unexpected_end) aborted_by_eof_ = true;
        clear_envelope();
        break;
      case server_event_kind::vrfy:
      case server_event_kind::expn: (void)session_.accept(); break;  // 252: cannot verify
      case server_event_kind::auth: auth_start(e); break;
      case server_event_kind::auth_response: auth_step(e.data); break;
      case server_event_kind::starttls: tls_pending_ = true; break;
      case server_event_kind::quit:
      case server_event_kind::command_error:
      case server_event_kind::none: break;
    }
    return std::nullopt;
  }

  void refuse_message() {
    while (session_.pending_event() == server_event_kind::message_end)
      if (session_.respond(451, "4.3.0 Cannot store the message, try again later") != smtp::errc::ok)
        break;
  }

  void clear_envelope() {
    rcpt_count_ = 0;
    first_rcpt_.clear();
  }

  // tmp/NAME gets Return-Path and Received (RFC 5321 sections 4.4 and 4.1.3, protocol names of
  // RFC 3848), then the message as it streams in.
  void begin_message() {
    if (!writer_.begin(*cfg_.maildir)) {
      log("delivery failed: {}", writer_.error());
      return;
    }
    std::string proto = cfg_.session.lmtp ? "LMTP" : helo_verb_ == smtp::verb::helo ? "SMTP" : "ESMTP";
    if (session_.tls_active()) proto += 'S';
    if (session_.authenticated()) proto += 'A';
    std::string id;
    for (char c : writer_.name().substr(0, writer_.name().find('.', writer_.name().find('.') + 1)))
      if (c != '.') id += c;
    std::string h = fmt::format("Return-Path: {}\r\nReceived: from {}", sender_.empty() ? "<>" : sender_,
                                helo_.empty() ? "unknown" : helo_);
    if (!peer_.empty()) h += fmt::format(" ({})", peer_);
    h += fmt::format("\r\n\tby {} (mailwire-smtpd) with {} id {}", cfg_.session.hostname, proto, id);
    if (rcpt_count_ == 1 && !first_rcpt_.empty()) h += fmt::format("\r\n\tfor {}", first_rcpt_);
    h += fmt::format(";\r\n\t{}\r\n", rfc5322_now());
    if (!writer_.write(h)) log("delivery failed: {}", writer_.error());
  }

  // ---- AUTH PLAIN (RFC 4616) and LOGIN against --users (net/sasl_auth.hpp) -----------------
  void auth_start(const smtp::server_event& e) {
    using smtp::initial_response;
    std::optional<std::string_view> ir;
    if (e.command.ir == initial_response::data) ir = e.command.response;
    else if (e.command.ir == initial_response::empty) ir = std::string_view();
    auth_result(sasl_.start(e.command.mechanism, ir));
  }
  void auth_step(std::string_view b64) { auth_result(sasl_.step(b64)); }

  void auth_result(const mailwire_net::sasl_step& s) {
    using mailwire_net::sasl_step;
    switch (s.k) {
      case sasl_step::challenge: (void)session_.auth_challenge(s.data); return;
      case sasl_step::success:
        if (!cfg_.quiet) log("authenticated as {}", s.user);
        (void)session_.accept();  // 235 2.7.0
        return;
      case sasl_step::failure:
        log("authentication failed for '{}'", s.user);
        (void)session_.reject();  // 535 5.7.8
        return;
      case sasl_step::malformed: (void)session_.respond(501, "5.5.2 Cannot decode the response"); return;
    }
  }

  const config& cfg_;
  smtp::server_session session_;
  std::string peer_;
  std::uint64_t id_;
  std::string_view pending_;
  bool eof_ = false, eof_given_ = false;
  bool failed_ = false, aborted_by_eof_ = false;
  bool commit_due_ = false, tls_pending_ = false;
  std::string helo_;
  smtp::verb helo_verb_ = smtp::verb::unknown;
  std::string sender_, first_rcpt_;
  std::size_t rcpt_count_ = 0;
  mailwire_net::maildir_writer writer_;
  std::uint64_t delivered_ = 0;
  mailwire_net::sasl_password_auth sasl_{cfg_.users};
};

}  // namespace mailwire_smtpd
