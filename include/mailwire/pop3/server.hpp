// mailwire/pop3/server.hpp — the server side of a POP3 session (RFC 1939) with CAPA, PIPELINING,
// RESP-CODES, AUTH-RESP-CODE (RFC 2449), STLS (RFC 2595), response codes (RFC 3206) and SASL
// (RFC 5034). Sans-I/O: bytes in, events and bytes out.
//
//   pop3::server_options o;  o.sasl_mechanisms = "PLAIN";
//   pop3::server_session s(o);                  // the +OK greeting is already in s.output()
//   std::size_t n = s.receive(bytes);           // keep bytes.substr(n) for later
//   for (status st; (st = s.next_event()) == status::event;) {
//     const pop3::server_event& ev = s.event();
//     switch (ev.kind) {
//       case server_event_kind::login: check(ev.user, ev.command.secret) ? s.accept_login(count)
//                                                                        : s.reject(); break;
//       case server_event_kind::stat: s.ok("2 320"); break;
//       case server_event_kind::retr: s.begin_body("message follows");   // then in chunks:
//         s.body(chunk) ...; s.end_body(); break;                        // stuffing done here
//       case server_event_kind::update: remove(s.deleted_messages()); s.accept(); break;
//       ...
//     }
//   }
//   write(s.output()); s.consume_output(s.output().size());
//
// Theory of operation (h11's "Rule 1": every transition lives in one table, command_rules[]).
// The peer's side moves through client_state:
//
//   authorization --USER--> user_given --PASS--> (host: accept_login / reject) --> transaction
//   authorization --APOP / AUTH (+ SASL lines)--> (host) --> transaction | authorization
//   authorization --STLS--> tls_pending --tls_started()--> authorization (TLS on)
//   transaction --QUIT--> update --(host: accept / err)--> closed;  authorization --QUIT--> closed
//   any --fatal error--> failed (sticky until reset())
//
// Commands that need the host (PASS, APOP, AUTH and its lines, STAT, LIST, RETR, TOP, UIDL, QUIT
// in TRANSACTION) pause the session: next_event() returns status::paused until the host answers
// (ok/err/begin_body+end_body/accept_login/reject/auth_challenge/accept), so answers go out in
// command order even when the client pipelines (RFC 2449 section 6.6). The session answers the
// rest itself (USER, DELE, RSET, NOOP, CAPA, STLS, QUIT in AUTHORIZATION, every error), checks
// message numbers against the maildrop size given to accept_login() and the deleted marks
// (RFC 1939 section 5: "-ERR no such message"), and streams RETR/TOP bodies through a
// multiline_encoder: the host feeds message bytes in chunks, the session never holds a message.
// Our side (the host's calls) is checked: an answer nothing waits for is errc::local_state.
//
// Safe defaults: command lines of 255 octets (SASL lines 12,288), at most 10 errors, HTTP
// request lines end the session, and bytes that follow STLS before the TLS handshake are an
// error (input_before_tls, CVE-2011-0411) and are never interpreted. USER is always answered
// +OK (no user enumeration); the host sees the name with PASS.
//
// Event views point into the session's buffers and stay valid until the next call of
// receive(), next_event() or reset().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/errc.hpp"
#include "mailwire/pop3/limits.hpp"
#include "mailwire/pop3/response.hpp"

namespace mailwire::pop3 {

/// What a server session offers and enforces. Defaults: RFC limits, strict.
struct server_options {
  std::string greeting = "POP3 server ready";  ///< text of the +OK greeting
  /// APOP (RFC 1939 section 7): the timestamp "<...>" appended to the greeting; empty: no APOP.
  std::string apop_timestamp;
  std::string implementation;           ///< CAPA IMPLEMENTATION text (empty: not listed)
  bool user_pass = true;                ///< offer USER/PASS (CAPA USER)
  std::string sasl_mechanisms;          ///< SASL mechanisms offered, space-separated (CAPA SASL)
  /// Offer USER/PASS, APOP and AUTH only under TLS (RFC 2595 section 2.3) when TLS is available.
  bool login_requires_tls = false;
  bool tls_available = false;           ///< offer STLS
  bool tls_active = false;              ///< the connection is already TLS (implicit TLS port)
  std::size_t max_errors = 10;          ///< refused commands before the session ends (0: no limit)
  limits command_limits;                ///< command and SASL line lengths
  command_options command_opts;         ///< parser leniencies (all off)
  std::size_t input_buffer = 16 * 1024; ///< octets receive() holds at most (>= auth_line)
  std::size_t max_output = 64 * 1024;   ///< unsent octets over which body() takes nothing more
  /// Offer the UTF8 command (RFC 6856 section 2); `utf8_user`: CAPA "UTF8 USER", UTF-8 user
  /// names and passwords accepted once UTF8 mode is on.
  bool utf8 = false;
  bool utf8_user = false;
  /// Languages for LANG (RFC 6856 section 3): tag and description, the first one the default.
  /// Empty: LANG is not offered. The session's own texts stay English; the host uses language().
  std::vector<std::pair<std::string, std::string>> languages;
  /// CAPA EXPIRE and LOGIN-DELAY arguments (RFC 2449 sections 6.5, 6.7), e.g. "NEVER",
  /// "31 USER", "900". Empty: not listed. With "USER", the TRANSACTION state lists the value
  /// the host gives with user_policy() (or nothing).
  std::string expire;
  std::string login_delay;
};

enum class server_event_kind : std::uint8_t {
  none,
  login,          ///< PASS (user, command.secret): accept_login(messages) or reject()
  apop,           ///< APOP (command.name, command.digest; the timestamp is the option's)
  auth,           ///< AUTH (command.mechanism, ir, response): auth_challenge(), accept_login, reject
  auth_response,  ///< a client SASL line (`data`, base64): as for auth
  stat,           ///< STAT: ok("nn mm") (count and octets of the undeleted messages)
  list,           ///< LIST (command.message; 0: all): ok("n size") or begin_body + lines + end_body
  uidl,           ///< UIDL (command.message; 0: all): as LIST with "n uid"
  retr,           ///< RETR (command.message): begin_body, body()..., end_body
  top,            ///< TOP (command.message, command.lines): as RETR, headers + lines
  deleted,        ///< DELE answered: command.message is marked deleted (informational)
  reset,          ///< RSET answered: the deleted marks are gone (informational)
  update,         ///< QUIT in TRANSACTION: remove deleted_messages(), then accept() or err()
  starttls,       ///< "+OK" to STLS is in output(): send it, do the TLS handshake, tls_started()
  utf8,           ///< UTF8 answered +OK: UTF8 mode is on (RFC 6856 section 2; informational)
  language,       ///< LANG with an argument answered +OK: language() is the new one (informational)
  quit,           ///< QUIT answered: send output() and close
  command_error,  ///< a command refused by the session (`error`, `offset`; the -ERR is sent)
};

struct server_event {
  server_event_kind kind = server_event_kind::none;
  pop3::command command;        ///< the command that caused it (views)
  std::string_view user;        ///< login: the USER name given before PASS
  std::string_view data;        ///< auth_response: the base64 line
  errc error = errc::ok;        ///< command_error and fatal errors
  std::uint64_t offset = 0;     ///< input offset of the line at fault
};

namespace detail {

/// The peer's side of a POP3 server session (RFC 1939 sections 4-6).
enum class server_client_state : std::uint8_t {
  authorization,  ///< AUTHORIZATION, no USER yet
  user_given,     ///< AUTHORIZATION, USER answered +OK: PASS may come
  auth_exchange,  ///< a client SASL line is due (RFC 5034)
  tls_pending,    ///< +OK to STLS sent, handshake pending (RFC 2595 section 4)
  transaction,    ///< TRANSACTION
  closed,         ///< QUIT answered (after UPDATE)
  failed,         ///< fatal error
};

[[nodiscard]] constexpr std::uint8_t state_bit(server_client_state s) noexcept {
  return static_cast<std::uint8_t>(1u << static_cast<unsigned>(s));
}

}  // namespace detail

/// The server side of one POP3 connection (see the header comment).
class server_session {
 public:
  explicit server_session(server_options o = {}) : opt_(std::move(o)) { start(); }

  /// Takes as many of `bytes` as the input buffer holds; returns how many.
  std::size_t receive(std::string_view bytes) {
    if (cstate_ == client_state::closed || cstate_ == client_state::failed) return 0;
    in_.erase(0, pos_);
    pos_ = 0;
    const std::size_t cap = std::max(opt_.input_buffer, opt_.command_limits.auth_line + 2);
    const std::size_t n = std::min(cap > in_.size() ? cap - in_.size() : 0, bytes.size());
    in_.append(bytes.data(), n);
    return n;
  }

  /// The next event: event (see event()), need_more (read more), paused (the host must answer,
  /// or STLS is pending), error (fatal; error() says why, output() holds the last answer).
  [[nodiscard]] status next_event() {
    for (;;) {
      if (cstate_ == client_state::failed) return status::error;
      if (pending_ != pending::none || cstate_ == client_state::tls_pending) return status::paused;
      ev_ = server_event{};
      if (cstate_ == client_state::closed) return status::need_more;
      const int s = one_step();
      if (s == 0) continue;
      return s == 1 ? status::event : s == 2 ? status::need_more : status::error;
    }
  }

  [[nodiscard]] const server_event& event() const noexcept { return ev_; }

  /// login / apop / auth / auth_response: the maildrop of `messages` messages is locked and
  /// ready (RFC 1939 section 4): "+OK", TRANSACTION state.
  errc accept_login(std::uint32_t messages, std::string_view text = "maildrop locked and ready") {
    if (pending_ != pending::login) return errc::local_state;
    if (const errc e = line(true, {}, text); e != errc::ok) return e;
    deleted_.assign(messages, false);
    cstate_ = client_state::transaction;
    pending_ = pending::none;
    return errc::ok;
  }

  /// Refuses what is pending with "-ERR" (a login: "-ERR [AUTH] Authentication failed",
  /// RFC 3206 section 5); `code` and `text` replace the defaults. A refused login counts
  /// toward max_errors like a refused command.
  errc reject(std::string_view text = {}, std::string_view code = {}) {
    if (pending_ == pending::none || pending_ == pending::body) return errc::local_state;
    const bool login = pending_ == pending::login;
    if (const errc e = line(false, code.empty() && login ? "AUTH" : code,
                            text.empty() ? (login ? "Authentication failed" : "Refused") : text);
        e != errc::ok)
      return e;
    if (pending_ == pending::update) cstate_ = client_state::closed;  // RFC 1939 section 6
    pending_ = pending::none;
    if (login) {
      cstate_ = client_state::authorization;
      // A failed login counts as a refused command: password guessing ends with the session.
      if (opt_.max_errors != 0 && ++errors_ >= opt_.max_errors) fail(errc::too_many_errors, consumed_);
    }
    return errc::ok;
  }
  /// A single-line "-ERR [code] text" answer to what is pending.
  errc err(std::string_view text, std::string_view code = {}) { return reject(text, code); }

  /// A single-line "+OK text" answer to stat, list n, uidl n (or update: the sign-off).
  errc ok(std::string_view text) {
    if (pending_ != pending::answer && pending_ != pending::update) return errc::local_state;
    if (const errc e = line(true, {}, text); e != errc::ok) return e;
    if (pending_ == pending::update) cstate_ = client_state::closed;
    pending_ = pending::none;
    return errc::ok;
  }
  /// update: the deleted messages are removed; "+OK" and the session is closed.
  errc accept() { return pending_ == pending::update ? ok("POP3 server signing off") : errc::local_state; }

  /// Starts a multi-line answer (retr, top, list/uidl without argument): "+OK text".
  errc begin_body(std::string_view text = "") {
    if (pending_ != pending::answer || !multi_) return errc::local_state;
    if (const errc e = line(true, {}, text); e != errc::ok) return e;
    enc_.reset();
    pending_ = pending::body;
    return errc::ok;
  }
  /// Body octets (message bytes as stored, any line ends): stuffed into output(). Returns how
  /// many were taken: fewer when output() holds more than max_output (drain it and go on).
  std::size_t body(std::string_view bytes) {
    if (pending_ != pending::body) return 0;
    std::size_t taken = 0;
    while (taken < bytes.size() && out_.size() < opt_.max_output) {
      const std::size_t room = std::min<std::size_t>(opt_.max_output - out_.size(), 16384) + 16;
      const std::size_t at = out_.size();
      out_.resize(at + room);
      const auto r = enc_.encode(bytes.substr(taken), std::span<char>(out_.data() + at, room), false);
      out_.resize(at + r.produced);
      taken += r.consumed;
      if (r.consumed == 0 && r.produced == 0) break;
    }
    return taken;
  }
  /// Ends the multi-line answer (a CRLF if the body lacked one, then "." CRLF).
  errc end_body() {
    if (pending_ != pending::body) return errc::local_state;
    char buf[16];
    for (;;) {
      const auto r = enc_.encode({}, std::span<char>(buf), true);
      out_.append(buf, r.produced);
      if (r.st == status::event) break;
    }
    pending_ = pending::none;
    return errc::ok;
  }

  /// auth / auth_response: sends the SASL challenge "+ base64" (RFC 5034 section 4).
  errc auth_challenge(std::string_view challenge) {
    if (pending_ != pending::login || !sasl_) return errc::local_state;
    response v;
    v.k = response_kind::continuation;
    v.data = challenge;
    if (const errc e = serialize(v, out_); e != errc::ok) return errc::local_invalid_value;
    cstate_ = client_state::auth_exchange;
    pending_ = pending::none;
    return errc::ok;
  }

  /// The TLS handshake after STLS is done. Bytes that came before it are an error
  /// (input_before_tls): never interpreted, the session fails.
  errc tls_started() {
    if (cstate_ != client_state::tls_pending) return errc::local_state;
    if (pos_ != in_.size()) {
      fail(errc::input_before_tls, consumed_);
      return errc::ok;
    }
    opt_.tls_active = true;
    cstate_ = client_state::authorization;
    user_.clear();
    return errc::ok;
  }

  [[nodiscard]] std::string_view output() const noexcept { return out_; }
  void consume_output(std::size_t n) noexcept { out_.erase(0, std::min(n, out_.size())); }
  [[nodiscard]] std::string take_output() { return std::exchange(out_, std::string()); }

  [[nodiscard]] errc error() const noexcept { return fatal_; }
  [[nodiscard]] std::uint64_t error_offset() const noexcept { return fatal_offset_; }
  [[nodiscard]] bool closed() const noexcept { return cstate_ == client_state::closed; }
  [[nodiscard]] bool in_transaction() const noexcept { return cstate_ == client_state::transaction; }
  [[nodiscard]] bool tls_active() const noexcept { return opt_.tls_active; }
  /// Messages in the maildrop (from accept_login()), and whether message n (1-based) is deleted.
  [[nodiscard]] std::uint32_t messages() const noexcept { return static_cast<std::uint32_t>(deleted_.size()); }
  [[nodiscard]] bool is_deleted(std::uint32_t n) const noexcept { return n >= 1 && n <= deleted_.size() && deleted_[n - 1]; }
  /// The message numbers marked by DELE, ascending (for the update event).
  [[nodiscard]] std::vector<std::uint32_t> deleted_messages() const {
    std::vector<std::uint32_t> v;
    for (std::size_t i = 0; i < deleted_.size(); ++i)
      if (deleted_[i]) v.push_back(static_cast<std::uint32_t>(i + 1));
    return v;
  }
  [[nodiscard]] const server_options& options() const noexcept { return opt_; }
  /// UTF8 mode is on (RFC 6856 section 2): the host may send messages with UTF-8 headers as is.
  [[nodiscard]] bool utf8_mode() const noexcept { return utf8_mode_; }
  /// The language chosen with LANG (RFC 6856 section 3); empty when none is offered.
  [[nodiscard]] std::string_view language() const noexcept {
    return opt_.languages.empty() ? std::string_view() : std::string_view(opt_.languages[language_].first);
  }
  /// The per-user EXPIRE and LOGIN-DELAY values (e.g. "31", "NEVER", "900") listed by CAPA in
  /// TRANSACTION when the options say USER (RFC 2449 sections 6.5, 6.7).
  void user_policy(std::string_view expire, std::string_view login_delay) {
    user_expire_.assign(expire);
    user_login_delay_.assign(login_delay);
  }

  /// Starts over with a fresh connection (the greeting in output()).
  void reset() {
    server_options o = std::move(opt_);
    *this = server_session(std::move(o));
  }

 private:
  using client_state = detail::server_client_state;
  enum class pending : std::uint8_t { none, login, answer, body, update };
  static constexpr std::uint8_t bit(client_state s) noexcept { return detail::state_bit(s); }
  static constexpr std::uint8_t auth_states =
      detail::state_bit(client_state::authorization) | detail::state_bit(client_state::user_given);
  static constexpr std::uint8_t tx = detail::state_bit(client_state::transaction);
  static constexpr std::uint8_t any = auth_states | tx;

  /// The one table: for each keyword, the client states in which it is accepted.
  struct rule {
    keyword k;
    std::uint8_t states;
  };
  static constexpr rule command_rules[] = {
      {keyword::user, auth_states},  {keyword::pass, detail::state_bit(client_state::user_given)},
      {keyword::apop, auth_states},  {keyword::auth, auth_states},
      {keyword::stls, auth_states},  {keyword::capa, any},
      {keyword::quit, any},          {keyword::noop, tx},
      {keyword::stat, tx},           {keyword::list, tx},
      {keyword::retr, tx},           {keyword::dele, tx},
      {keyword::rset, tx},           {keyword::top, tx},
      {keyword::uidl, tx},           {keyword::utf8, auth_states},
      {keyword::lang, any},          {keyword::unknown, 0},
  };

  void start() {
    std::string g = opt_.greeting;
    if (!opt_.apop_timestamp.empty()) g.append(g.empty() ? "" : " ").append(opt_.apop_timestamp);
    response v;
    v.text = g;
    if (serialize(v, out_) != errc::ok) out_ += "+OK\r\n";
  }

  errc line(bool good, std::string_view code, std::string_view text) {
    response v;
    v.k = good ? response_kind::ok : response_kind::err;
    v.code = code;
    v.text = text;
    return serialize(v, out_) == errc::ok ? errc::ok : errc::local_invalid_value;
  }

  void fail(errc e, std::uint64_t at) {
    fatal_ = e;
    fatal_offset_ = at;
    cstate_ = client_state::failed;
    ev_ = server_event{};
    ev_.error = e;
    ev_.offset = at;
    const std::string_view hint = reply_hint(e);
    if (!hint.empty()) out_.append(hint).append("\r\n");
  }

  /// A refused command: the -ERR goes out, the event says why; too many: fatal.
  int refuse(errc e, std::uint64_t at, std::string_view hint = {}) {
    out_.append(hint.empty() ? reply_hint(e) : hint).append("\r\n");
    ev_.kind = server_event_kind::command_error;
    ev_.error = e;
    ev_.offset = at;
    if (opt_.max_errors != 0 && ++errors_ >= opt_.max_errors) {
      fail(errc::too_many_errors, at);
      return 3;
    }
    return 1;
  }

  [[nodiscard]] bool login_offered() const noexcept {
    return !opt_.login_requires_tls || opt_.tls_active || !opt_.tls_available;
  }

  static bool is_http(std::string_view l) noexcept {
    for (std::string_view m : {"GET ", "POST ", "HEAD ", "PUT ", "CONNECT ", "OPTIONS ", "DELETE "})
      if (l.size() >= m.size() && l.substr(0, m.size()) == m) return true;
    return false;
  }

  void write_capa() {
    out_ += "+OK Capability list follows\r\n";
    if (opt_.user_pass && login_offered()) out_ += "USER\r\n";
    if (!opt_.sasl_mechanisms.empty() && login_offered()) out_.append("SASL ").append(opt_.sasl_mechanisms).append("\r\n");
    if (opt_.tls_available && !opt_.tls_active) out_ += "STLS\r\n";
    out_ += "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n";
    capa_policy("EXPIRE", opt_.expire, user_expire_);
    capa_policy("LOGIN-DELAY", opt_.login_delay, user_login_delay_);
    if (opt_.utf8 && cstate_ != client_state::transaction) out_ += opt_.utf8_user ? "UTF8 USER\r\n" : "UTF8\r\n";
    if (!opt_.languages.empty()) out_ += "LANG\r\n";
    if (!opt_.implementation.empty()) append_listing_line(std::string("IMPLEMENTATION ").append(opt_.implementation));
    out_ += ".\r\n";
  }

  [[nodiscard]] command_options parser_options() const noexcept {
    command_options o = opt_.command_opts;
    o.utf8 = o.utf8 || (utf8_mode_ && opt_.utf8_user);  // UTF8 USER: UTF-8 names (RFC 6856 2)
    return o;
  }

  /// LANG (RFC 6856 section 3): the list without an argument; "*" the default language; a
  /// range picks the first language whose tag equals it or starts with it and "-" (RFC 4647
  /// basic filtering).
  int lang(const command& c, std::uint64_t at) {
    if (c.language.empty()) {
      out_ += "+OK Language listing follows\r\n";
      for (const auto& [tag, description] : opt_.languages) {
        std::string l = tag;
        if (!description.empty()) l.append(" ").append(description);
        append_listing_line(l);
      }
      out_ += ".\r\n";
      return 0;
    }
    std::size_t pick = opt_.languages.size();
    if (c.language == "*") pick = 0;
    for (std::size_t i = 0; i < opt_.languages.size() && pick == opt_.languages.size(); ++i) {
      const std::string_view tag = opt_.languages[i].first;
      if (ascii::iequals(tag, c.language) ||
          (tag.size() > c.language.size() && tag[c.language.size()] == '-' &&
           ascii::iequals(tag.substr(0, c.language.size()), c.language)))
        pick = i;
    }
    if (pick == opt_.languages.size()) return refuse(errc::invalid_language, at, "-ERR Unsupported language");
    language_ = pick;
    out_.append("+OK Language changed to ").append(opt_.languages[pick].first).append("\r\n");
    ev_.kind = server_event_kind::language;
    return 1;
  }

  /// A line of a multi-line answer the session writes itself: byte-stuffed (RFC 1939 section 3),
  /// CR and LF dropped so an option can never end the answer early.
  void append_listing_line(std::string_view l) {
    if (!l.empty() && l.front() == '.') out_ += '.';
    for (const char ch : l)
      if (ch != '\r' && ch != '\n') out_ += ch;
    out_ += "\r\n";
  }

  /// EXPIRE / LOGIN-DELAY line of CAPA: the option's value before login; after it, the host's
  /// per-user value when the option says USER (RFC 2449 section 6.5).
  void capa_policy(std::string_view tag, std::string_view value, std::string_view user_value) {
    if (value.empty()) return;
    const bool per_user = value.size() > 5 && ascii::iequals(value.substr(value.size() - 5), " USER");
    if (cstate_ == client_state::transaction && per_user) value = user_value;
    if (value.empty()) return;
    std::string l(tag);
    l.append(" ").append(value);
    if (parse_capability(l).st != status::event) return;  // never list what a client cannot parse
    append_listing_line(l);
  }

  /// One step: 0 loop again, 1 event, 2 need_more, 3 error.
  int one_step() {
    const std::string_view in = std::string_view(in_).substr(pos_);
    const std::uint64_t at = consumed_;
    if (cstate_ == client_state::auth_exchange) {
      const auto r = parse_auth_response(in, opt_.command_limits, parser_options());
      if (r.st == status::need_more) return 2;
      if (r.st == status::error && r.consumed == 0) {
        fail(r.error, at);
        return 3;
      }
      advance(r.consumed);
      cstate_ = client_state::authorization;
      if (r.st == status::error) return refuse(r.error, at);
      if (r.value.cancel) return refuse(errc::auth_cancelled, at);
      ev_.kind = server_event_kind::auth_response;
      ev_.data = r.value.data;
      ev_.offset = at;
      pending_ = pending::login;
      return 1;
    }
    const auto r = parse_command(in, opt_.command_limits, parser_options());
    if (r.st == status::need_more) return 2;
    if (r.st == status::error && r.consumed == 0) {
      fail(r.error, at);  // an over-long line: the connection ends (the peer floods)
      return 3;
    }
    advance(r.consumed);
    if (r.st == status::error) {
      if (is_http(in.substr(0, r.consumed))) {
        fail(errc::http_command, at);
        return 3;
      }
      return refuse(r.error, at);
    }
    const command& c = r.value;
    ev_.command = c;
    ev_.offset = at;
    if (c.k == keyword::unknown && is_http(in.substr(0, r.consumed))) {
      fail(errc::http_command, at);
      return 3;
    }
    std::uint8_t allowed = 0;
    for (const rule& ru : command_rules)
      if (ru.k == c.k) allowed = ru.states;
    if (c.k == keyword::unknown || (c.k == keyword::utf8 && !opt_.utf8) ||
        (c.k == keyword::lang && opt_.languages.empty()))
      return refuse(errc::unrecognized_command, at);
    if (!(allowed & bit(cstate_))) return refuse(errc::bad_sequence, at);
    multi_ = c.multiline();
    sasl_ = false;
    auto pause = [&](server_event_kind k, pending p) {
      ev_.kind = k;
      pending_ = p;
      return 1;
    };
    auto message_ok = [&]() -> bool { return c.message >= 1 && c.message <= deleted_.size() && !deleted_[c.message - 1]; };
    switch (c.k) {
      case keyword::user:
        if (!opt_.user_pass || !login_offered()) return refuse(errc::bad_sequence, at, "-ERR [AUTH] USER not offered here");
        user_.assign(c.name);
        cstate_ = client_state::user_given;
        out_ += "+OK\r\n";
        return 0;
      case keyword::pass:
        ev_.user = user_;
        return pause(server_event_kind::login, pending::login);
      case keyword::apop:
        if (opt_.apop_timestamp.empty() || !login_offered()) return refuse(errc::bad_sequence, at, "-ERR APOP not offered");
        return pause(server_event_kind::apop, pending::login);
      case keyword::auth: {
        bool offered = false;
        std::string_view m = opt_.sasl_mechanisms;
        while (!m.empty()) {
          const std::size_t sp = m.find(' ');
          if (ascii::iequals(m.substr(0, sp), c.mechanism)) offered = true;
          m = sp == std::string_view::npos ? std::string_view() : m.substr(sp + 1);
        }
        if (!offered || !login_offered()) return refuse(errc::auth_mechanism_unknown, at);
        sasl_ = true;
        return pause(server_event_kind::auth, pending::login);
      }
      case keyword::stls:
        if (!opt_.tls_available || opt_.tls_active) return refuse(errc::tls_not_available, at);
        out_ += "+OK Begin TLS negotiation\r\n";
        cstate_ = client_state::tls_pending;
        ev_.kind = server_event_kind::starttls;
        return 1;
      case keyword::capa: write_capa(); return 0;
      case keyword::utf8:
        utf8_mode_ = true;  // RFC 6856 section 2: UTF-8 names and passwords from now
        out_ += "+OK UTF8 enabled\r\n";
        ev_.kind = server_event_kind::utf8;
        return 1;
      case keyword::lang: return lang(c, at);
      case keyword::quit:
        if (cstate_ == client_state::transaction) return pause(server_event_kind::update, pending::update);
        out_ += "+OK POP3 server signing off\r\n";
        cstate_ = client_state::closed;
        ev_.kind = server_event_kind::quit;
        return 1;
      case keyword::noop: out_ += "+OK\r\n"; return 0;
      case keyword::stat: return pause(server_event_kind::stat, pending::answer);
      case keyword::list:
      case keyword::uidl:
        if (c.message != 0 && !message_ok()) return refuse(errc::no_such_message, at);
        return pause(c.k == keyword::list ? server_event_kind::list : server_event_kind::uidl, pending::answer);
      case keyword::retr:
      case keyword::top:
        if (!message_ok()) return refuse(errc::no_such_message, at);
        return pause(c.k == keyword::retr ? server_event_kind::retr : server_event_kind::top, pending::answer);
      case keyword::dele:
        if (!message_ok()) return refuse(errc::no_such_message, at);
        deleted_[c.message - 1] = true;
        out_ += "+OK message deleted\r\n";
        ev_.kind = server_event_kind::deleted;
        return 1;
      case keyword::rset:
        std::fill(deleted_.begin(), deleted_.end(), false);
        out_ += "+OK\r\n";
        ev_.kind = server_event_kind::reset;
        return 1;
      default: return refuse(errc::unrecognized_command, at);
    }
  }

  void advance(std::size_t n) noexcept {
    pos_ += n;
    consumed_ += n;
  }

  server_options opt_;
  client_state cstate_ = client_state::authorization;
  pending pending_ = pending::none;
  server_event ev_;
  std::string in_;
  std::size_t pos_ = 0;
  std::uint64_t consumed_ = 0;
  std::string out_;
  std::string user_;
  std::vector<bool> deleted_;
  std::string user_expire_;
  std::string user_login_delay_;
  std::size_t language_ = 0;
  bool utf8_mode_ = false;
  multiline_encoder enc_;
  bool multi_ = false;
  bool sasl_ = false;
  std::size_t errors_ = 0;
  errc fatal_ = errc::ok;
  std::uint64_t fatal_offset_ = 0;
};

}  // namespace mailwire::pop3
