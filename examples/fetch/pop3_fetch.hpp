// examples/fetch/pop3_fetch.hpp — the POP3 side of mailwire-fetch: one pop3::client_session over
// one connection (net/client.hpp). CAPA, STLS when asked, login (USER/PASS when offered, else
// SASL PLAIN, else APOP), STAT, RETR of every message, pipelined when the server offers
// PIPELINING; each body streams into a Maildir file (tmp/, fsync, new/) as it arrives, and with
// --delete its DELE goes out only after the file is safely in new/; QUIT then applies them.
#pragma once

#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fetch_options.hpp"
#include "mailwire/codec/sasl.hpp"
#include "mailwire/pop3/client.hpp"
#include "net/digest.hpp"
#include "net/maildir.hpp"
#include "server_link.hpp"

namespace mailwire_fetch {

namespace pop3 = mailwire::pop3;
using mailwire::status;
using mailwire_net::failure;

class pop3_fetcher {
 public:
  pop3_fetcher(const options& o, const mailwire_net::maildir& md)
      : o_(o), md_(md), link_(o), conn_(link_.conn()), s_(session_options(o)) {}

  /// Fetches every message; returns how many were stored. Throws failure.
  std::uint64_t run() {
    link_.connect();
    std::vector<char> buf(64 * 1024);
    std::string_view pending;
    while (!done_) {
      if (!s_.output().empty()) {
        conn_.write(s_.output());
        if (o_.verbose) trace("C", s_.output());
        s_.consume_output(s_.output().size());
      }
      if (!pending.empty()) pending.remove_prefix(s_.receive(pending));
      const status st = s_.next_event();
      // stls_ready comes with status::paused (the session waits for the handshake).
      if (st == status::event || (st == status::paused && s_.event().kind == pop3::client_event_kind::stls_ready)) {
        on_event(s_.event(), pending);
        continue;
      }
      if (st == status::error)
        throw failure{fmt::format("POP3 session error at server byte {}: {} ({})", s_.error_offset(),
                                  pop3::to_string(s_.error()), pop3::to_string(s_.parse_error()))};
      if (st == status::paused) throw failure{"the session is stuck (paused)"};
      if (!pending.empty()) continue;  // the session made room: offer the rest
      if (!s_.output().empty()) continue;
      const std::size_t n = conn_.read_some(buf.data(), buf.size());
      if (n == 0) throw failure{"the server closed the connection"};
      pending = std::string_view(buf.data(), n);
    }
    conn_.close();
    return stored_;
  }

 private:
  static pop3::client_options session_options(const options& o) {
    pop3::client_options so;
    so.tls = o.tls;
    so.allow_8bit_text = true;  // greetings and -ERR texts are only logged
    return so;
  }

  void trace(std::string_view who, std::string_view bytes) const { link_.trace(who, bytes); }

  void check(pop3::client_errc e, std::string_view what) {
    if (e != pop3::client_errc::ok) throw failure{fmt::format("{}: {}", what, pop3::to_string(e))};
  }

  static std::string response_text(const pop3::client_event& ev) {
    std::string t = ev.ok() ? "+OK" : "-ERR";
    if (!ev.response.code.empty()) t += fmt::format(" [{}]", ev.response.code);
    if (!ev.response.text.empty()) t += fmt::format(" {}", ev.response.text);
    return t;
  }

  void login() {
    const pop3::capability_set& c = s_.capabilities();
    if (c.user || !s_.capabilities_known()) return check(s_.user_pass(o_.user, o_.password), "USER/PASS");
    if (c.has_sasl("PLAIN"))
      return check(s_.auth("PLAIN", mailwire::sasl::encode_plain("", o_.user, o_.password)), "AUTH PLAIN");
    if (!s_.apop_timestamp().empty())
      return check(s_.apop(o_.user, mailwire_net::md5_hex(std::string(s_.apop_timestamp()) + o_.password)), "APOP");
    check(s_.user_pass(o_.user, o_.password), "USER/PASS");
  }

  void on_event(const pop3::client_event& ev, std::string_view pending) {
    using K = pop3::client_event_kind;
    if (o_.verbose && ev.kind != K::message_data && ev.kind != K::list_entry && ev.kind != K::uidl_entry &&
        ev.kind != K::listing_end && ev.kind != K::message_end)
      fmt::print(stderr, "mailwire-fetch: S: {}\n", response_text(ev));
    switch (ev.kind) {
      case K::greeting:
        if (!ev.ok()) throw failure{"the server refused the connection: " + response_text(ev)};
        break;
      case K::capabilities:
        if (s_.state() != pop3::client_state::authorization) break;
        if (o_.starttls && !s_.tls()) {
          if (!s_.capabilities().stls) throw failure{"the server does not offer STLS"};
          check(s_.stls(), "STLS");
          break;
        }
        login();
        break;
      case K::stls_ready:
        if (!s_.output().empty()) conn_.write(s_.output()), s_.consume_output(s_.output().size());
        if (!pending.empty()) throw failure{"the server sent bytes after +OK to STLS before TLS (injection)"};
        link_.tls_handshake();
        check(s_.tls_started(), "STLS");
        break;
      case K::auth_challenge: check(s_.auth_cancel(), "AUTH"); break;  // PLAIN sent everything
      case K::logged_in: check(s_.stat(), "STAT"); break;
      case K::login_failed: throw failure{"login failed: " + response_text(ev)};
      case K::stat:
        left_ = ev.count;
        for (std::uint32_t i = 1; i <= ev.count; ++i) check(s_.retr(i), "RETR");
        if (left_ == 0) check(s_.quit(), "QUIT");
        break;
      case K::message_begin:
        if (!w_.begin(md_)) throw failure{w_.error()};
        break;
      case K::message_data:
        if (!w_.write(ev.data)) throw failure{w_.error()};
        break;
      case K::message_end:
        if (!w_.flush() || !w_.sync_and_publish()) throw failure{w_.error()};
        ++stored_;
        if (o_.verbose) fmt::print(stderr, "mailwire-fetch: message {} -> new/{} ({} octets)\n", ev.message, w_.name(), w_.bytes());
        if (o_.remove) check(s_.dele(ev.message), "DELE");
        next_message();
        break;
      case K::refused:
        if (ev.command == pop3::keyword::retr) {
          fmt::print(stderr, "mailwire-fetch: message {} not fetched: {}\n", ev.message, response_text(ev));
          ++missed_;
          next_message();
          break;
        }
        if (ev.command == pop3::keyword::dele) {
          fmt::print(stderr, "mailwire-fetch: message {} not deleted: {}\n", ev.message, response_text(ev));
          ++missed_;
          break;
        }
        throw failure{fmt::format("{} refused: {}", pop3::to_string(ev.command), response_text(ev))};
      case K::closed:
        if (!ev.ok()) throw failure{"QUIT: " + response_text(ev)};  // UPDATE failed (RFC 1939 6)
        done_ = true;
        break;
      default: break;
    }
  }

  void next_message() {
    if (left_ > 0 && --left_ == 0) check(s_.quit(), "QUIT");
  }

 public:
  /// Messages the server refused to send or delete.
  [[nodiscard]] std::uint64_t missed() const noexcept { return missed_; }

 private:
  const options& o_;
  const mailwire_net::maildir& md_;
  server_link link_;
  mailwire_net::client_connection& conn_;
  pop3::client_session s_;
  mailwire_net::maildir_writer w_;
  std::uint64_t stored_ = 0, missed_ = 0;
  std::uint32_t left_ = 0;
  bool done_ = false;
};

}  // namespace mailwire_fetch
