// examples/fetch/imap_fetch.hpp — the IMAP side of mailwire-fetch: one imap::client_session over
// one connection (server_link.hpp). The greeting's (or CAPABILITY's) capabilities decide:
// STARTTLS when asked (RFC 9051 section 6.2.1; the capabilities are asked again after TLS),
// LOGIN, or AUTHENTICATE PLAIN (with SASL-IR when offered) when the server says LOGINDISABLED;
// then SELECT the mailbox (--mailbox, UTF-8 on the command line, sent in modified UTF-7: RFC
// 3501 section 5.1.3) and `UID FETCH 1:* (UID BODY.PEEK[])`, every literal streamed into a
// Maildir file (tmp/, fsync, new/) as it arrives, so a message of any size costs one buffer.
// With --delete, only after every file is in new/: `UID STORE uids +FLAGS.SILENT (\Deleted)` and
// `UID EXPUNGE uids` (RFC 4315) when the server has UIDPLUS, else EXPUNGE. Then LOGOUT.
#pragma once

#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fetch_options.hpp"
#include "mailwire/codec/sasl.hpp"
#include "mailwire/imap/client.hpp"
#include "mailwire/imap/mutf7.hpp"
#include "net/maildir.hpp"
#include "server_link.hpp"

namespace mailwire_fetch {

namespace imap = mailwire::imap;
using mailwire::status;

class imap_fetcher {
 public:
  imap_fetcher(const options& o, const mailwire_net::maildir& md) : o_(o), md_(md), link_(o), s_(session_options()) {}

  /// Fetches every message of the mailbox; returns how many were stored. Throws failure.
  std::uint64_t run() {
    link_.connect();
    std::vector<char> buf(64 * 1024);
    std::string_view pending;
    while (!done_) {
      flush();
      if (!pending.empty()) pending.remove_prefix(s_.receive(pending));
      const status st = s_.next_event();
      // starttls_ready comes with status::paused (the session waits for the handshake).
      if (st == status::event || (st == status::paused && s_.event().kind == imap::client_event_kind::starttls_ready)) {
        on_event(s_.event(), pending);
        continue;
      }
      if (st == status::error)
        throw failure{fmt::format("IMAP session error at server byte {}: {}", s_.error_offset(), imap::to_string(s_.error()))};
      if (st == status::paused) throw failure{"the session is stuck (paused)"};
      if (!pending.empty()) continue;  // the session made room: offer the rest
      if (!s_.output().empty()) continue;
      const std::size_t n = link_.conn().read_some(buf.data(), buf.size());
      if (n == 0) throw failure{"the server closed the connection"};
      pending = std::string_view(buf.data(), n);
    }
    link_.conn().close();
    return stored_;
  }

  /// Messages the server refused to send or delete.
  [[nodiscard]] std::uint64_t missed() const noexcept { return missed_; }

 private:
  static imap::client_options session_options() {
    imap::client_options so;
    so.inline_literal_max = 0;          // every message literal is streamed to its file
    so.response.eight_bit_text = true;  // human-readable texts are only logged
    return so;
  }

  void flush() {
    if (s_.output().empty()) return;
    link_.conn().write(s_.output());
    if (o_.verbose) trace_commands(s_.output());
    s_.consume_output(s_.output().size());
  }

  // Client lines with the credentials left out.
  void trace_commands(std::string_view out) const {
    for (std::string_view l = out; !l.empty();) {
      const std::size_t e = l.find('\n');
      std::string_view line = l.substr(0, e == std::string_view::npos ? l.size() : e);
      l = e == std::string_view::npos ? std::string_view() : l.substr(e + 1);
      const std::size_t sp = line.find(' ');
      const std::string_view verb = sp == std::string_view::npos ? line : line.substr(sp + 1);
      if (verb.starts_with("LOGIN ")) line = line.substr(0, sp + 6), fmt::print(stderr, "mailwire-fetch: C: {}...\n", line);
      else if (verb.starts_with("AUTHENTICATE PLAIN ")) fmt::print(stderr, "mailwire-fetch: C: {}...\n", line.substr(0, sp + 19));
      else if (sp == std::string_view::npos && !line.empty() && line != "\r") fmt::print(stderr, "mailwire-fetch: C: (SASL response)\n");
      else link_.trace("C", line);
    }
  }

  void trace_response(const imap::client_event& ev) const {
    if (!o_.verbose || ev.response == nullptr) return;
    if (ev.response->kind == imap::response_kind::fetch) return;  // one per message: not logged
    std::string line;
    if (imap::write_response(line, *ev.response, response_opts_) != imap::errc::ok) line = "(response)";
    link_.trace("S", line.substr(0, 300));
  }

  void check(imap::errc e, std::string_view what) {
    if (e != imap::errc::ok) throw failure{fmt::format("{}: {}", what, imap::to_string(e))};
  }

  static std::string reply_text(const imap::client_event& ev) {
    if (ev.response == nullptr) return "(no response)";
    std::string t = ev.condition == imap::cond::ok ? "OK" : ev.condition == imap::cond::no ? "NO" : "BAD";
    if (!ev.response->text.text.empty()) t += fmt::format(" {}", ev.response->text.text);
    return t;
  }

  // After the greeting, or the CAPABILITY that follows it or TLS: STARTTLS, else log in.
  void next_step_after_capabilities() {
    if (o_.starttls && !s_.tls()) {
      if (!s_.has_capability("STARTTLS")) throw failure{"the server does not offer STARTTLS"};
      return check(s_.starttls(), "STARTTLS");
    }
    if (s_.has_capability("LOGINDISABLED")) {
      if (!s_.has_capability("AUTH=PLAIN")) throw failure{"the server refuses LOGIN (LOGINDISABLED) and offers no AUTH=PLAIN"};
      return check(s_.authenticate("PLAIN", mailwire::sasl::plain_message("", o_.user, o_.password)), "AUTHENTICATE");
    }
    check(s_.login(o_.user, o_.password), "LOGIN");
  }

  void select() {
    std::string name;
    const std::string& want = o_.mailbox ? *o_.mailbox : inbox_;
    if (!imap::encode_mutf7(want, name).ok()) throw failure{fmt::format("--mailbox '{}': not UTF-8", want)};
    check(s_.select(name), "SELECT");
  }

  void on_event(const imap::client_event& ev, std::string_view pending) {
    using K = imap::client_event_kind;
    switch (ev.kind) {
      case K::greeting:
        trace_response(ev);
        if (ev.condition == imap::cond::bye) throw failure{"the server refused the connection: " + reply_text(ev)};
        if (s_.state() == imap::client_state::authenticated) return select();  // PREAUTH
        if (s_.capabilities().empty()) return check(s_.capability(), "CAPABILITY");
        return next_step_after_capabilities();
      case K::data: {
        trace_response(ev);
        if (ev.response->kind == imap::response_kind::fetch) on_fetch(*ev.response);
        break;
      }
      case K::starttls_ready:
        flush();
        if (!pending.empty()) throw failure{"the server sent bytes after the OK to STARTTLS before TLS (injection)"};
        link_.tls_handshake();
        check(s_.tls_started(), "STARTTLS");  // asks CAPABILITY again (RFC 9051 section 6.2.1)
        break;
      case K::auth_challenge: check(s_.auth_cancel(), "AUTHENTICATE"); break;  // PLAIN sent everything
      case K::fetch_literal_begin:
        if (!whole_message(ev.attribute)) break;  // only BODY[] is asked for
        if (!w_.begin(md_)) throw failure{w_.error()};
        in_message_ = true;
        break;
      case K::fetch_literal_data:
        if (in_message_ && !w_.write(ev.data)) throw failure{w_.error()};
        break;
      case K::fetch_literal_end:
        if (in_message_) publish(ev.message);
        break;
      case K::completed: on_completed(ev); break;
      case K::closed:
        trace_response(ev);
        done_ = true;
        break;
      default: break;
    }
  }

  static bool whole_message(const imap::fetch_attribute& a) {
    return a.item == imap::fetch_item::body_section && a.section == imap::section_spec{} && !a.partial.present;
  }

  void publish(std::uint32_t msn) {
    in_message_ = false;
    if (!w_.flush() || !w_.sync_and_publish()) throw failure{w_.error()};
    ++stored_;
    stored_msns_.push_back(msn);
    if (o_.verbose) fmt::print(stderr, "mailwire-fetch: message {} -> new/{} ({} octets)\n", msn, w_.name(), w_.bytes());
  }

  // A FETCH whose BODY[] was not a literal (a quoted string: legal for small messages).
  void on_fetch(const imap::response& r) {
    for (const imap::msg_att& a : r.atts) {
      if (a.other || !whole_message(a.att) || a.data.streamed() || a.data.is_nil()) continue;
      if (!w_.begin(md_) || !w_.write(a.data.content())) throw failure{w_.error()};
      publish(static_cast<std::uint32_t>(r.number));
    }
  }

  void on_completed(const imap::client_event& ev) {
    trace_response(ev);
    using C = imap::command_kind;
    const bool ok = ev.condition == imap::cond::ok;
    switch (ev.command) {
      case C::capability:
        if (!ok) throw failure{"CAPABILITY: " + reply_text(ev)};
        if (s_.state() == imap::client_state::not_authenticated) next_step_after_capabilities();
        break;
      case C::starttls:
        if (!ok) throw failure{"STARTTLS refused: " + reply_text(ev)};
        break;
      case C::login:
      case C::authenticate:
        if (!ok) throw failure{"login failed: " + reply_text(ev)};
        select();
        break;
      case C::select:
        if (!ok) throw failure{fmt::format("SELECT {}: {}", o_.mailbox ? *o_.mailbox : inbox_, reply_text(ev))};
        if (s_.mailbox().exists == 0) return check(s_.logout(), "LOGOUT");
        check(s_.fetch("1:*", "(UID BODY.PEEK[])", /*uid=*/true), "FETCH");
        break;
      case C::fetch:
        if (!ok) {
          fmt::print(stderr, "mailwire-fetch: FETCH: {} ({} of {} messages stored)\n", reply_text(ev), stored_,
                     s_.mailbox().exists);
          ++missed_;
        }
        if (stored_ < s_.mailbox().exists) missed_ += s_.mailbox().exists - stored_;
        if (o_.remove && !stored_msns_.empty()) return remove();
        check(s_.logout(), "LOGOUT");
        break;
      case C::store:
        if (!ok) {
          fmt::print(stderr, "mailwire-fetch: messages not marked \\Deleted: {}\n", reply_text(ev));
          ++missed_;
        }
        break;
      case C::expunge:
        if (!ok) {
          fmt::print(stderr, "mailwire-fetch: messages not expunged: {}\n", reply_text(ev));
          ++missed_;
        }
        check(s_.logout(), "LOGOUT");
        break;
      case C::logout: done_ = true; break;
      default:
        if (!ok) throw failure{fmt::format("command {} refused: {}", ev.tag, reply_text(ev))};
        break;
    }
  }

  // UID STORE +FLAGS.SILENT (\Deleted) of the stored messages, then UID EXPUNGE (or EXPUNGE).
  void remove() {
    std::vector<std::uint32_t> uids;
    for (const std::uint32_t msn : stored_msns_)
      if (const std::uint32_t u = s_.mailbox().uid_of(msn); u != 0) uids.push_back(u);
    if (uids.empty()) return check(s_.logout(), "LOGOUT");
    std::sort(uids.begin(), uids.end());
    std::string set;
    for (std::size_t i = 0; i < uids.size();) {
      std::size_t j = i;
      while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
      if (!set.empty()) set += ',';
      set += j == i ? fmt::format("{}", uids[i]) : fmt::format("{}:{}", uids[i], uids[j]);
      i = j + 1;
    }
    check(s_.store(set, "+FLAGS.SILENT", "(\\Deleted)", /*uid=*/true), "STORE");
    check(s_.has_capability("UIDPLUS") || s_.has_capability("IMAP4rev2") ? s_.expunge(set) : s_.expunge(), "EXPUNGE");
  }

  const options& o_;
  const mailwire_net::maildir& md_;
  server_link link_;
  imap::client_session s_;
  mailwire_net::maildir_writer w_;
  const std::string inbox_ = "INBOX";
  const imap::response_options response_opts_ = session_options().response;
  std::vector<std::uint32_t> stored_msns_;
  std::uint64_t stored_ = 0, missed_ = 0;
  bool in_message_ = false, done_ = false;
};

}  // namespace mailwire_fetch
