// mailwire/smtp/server.hpp — the server side of an SMTP session (RFC 5321 sections 3, 4.1.4,
// 4.3.2) and of LMTP (RFC 2033), with PIPELINING (RFC 2920), CHUNKING/BDAT and BINARYMIME
// (RFC 3030), SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), DSN (RFC 3461),
// ENHANCEDSTATUSCODES (RFC 2034, 3463), STARTTLS (RFC 3207), AUTH (RFC 4954), REQUIRETLS
// (RFC 8689) and LIMITS (RFC 9422). Sans-I/O: bytes in, events and bytes out.
//
//   smtp::server_options o;  o.hostname = "mx.example.org";
//   smtp::server_session s(o);            // the 220 greeting is already in s.output()
//   for (;;) {
//     write(s.output()); s.consume_output(s.output().size());
//     std::size_t n = s.receive(bytes);   // keep bytes.substr(n) for later
//     while (true) {
//       status st = s.next_event();
//       if (st == status::need_more) break;            // read more bytes
//       if (st == status::error) { write(s.output()); close(); }  // s.error() says why
//       if (st == status::paused) { ... }               // drain output / answer / TLS
//       const smtp::server_event& ev = s.event();
//       switch (ev.kind) {
//         case server_event_kind::rcpt: known(ev.command.path) ? s.accept() : s.reject(); break;
//         case server_event_kind::message_data: store(ev.data); break;
//         case server_event_kind::message_end: s.accept(); break;   // "250 2.0.0 OK"
//         ...
//       }
//     }
//   }
//
// Theory of operation (h11's "Rule 1": every transition lives in one table).
// The peer's side moves through `client_state`:
//
//   connected --HELO/EHLO/LHLO--> greeted --MAIL--> mail --RCPT--> rcpt --DATA--> data
//                                    ^                               |  \--BDAT--> chunk --> rcpt*
//                                    +---- end of data / RSET / HELO/EHLO ---------+
//   greeted --AUTH--> auth_exchange --(235 / 5xx / "*")--> greeted
//   connected|greeted --STARTTLS--> tls_pending --tls_started()--> connected
//   any --QUIT--> closed;  any --fatal error--> failed (sticky until reset())
//
// (* after a BDAT chunk the transaction stays in `bdat` mode: only BDAT, RSET, NOOP, HELP,
// QUIT and EHLO are allowed.) command_rules[] below says, for every verb, the states in which it
// is accepted and the error for the others. Commands that need the host's decision (HELO/EHLO,
// MAIL, RCPT, the end of a message, AUTH steps, VRFY, EXPN) pause the session: next_event()
// returns status::paused until the host calls accept(), reject(), respond() or
// auth_challenge(); so replies go out in command order, as PIPELINING requires (RFC 2920
// section 3.1). Everything else (syntax errors, sequence errors, NOOP, RSET, HELP, QUIT, 354)
// the session answers itself and reports as an event.
//
// Our side (the host's calls) has its own check: an answer when nothing is pending, or a
// STARTTLS completion when none was started, is errc::local_state (returned, never UB).
//
// Safe defaults (issue 5, RFC 5321 section 4.5.3.1): command lines of 512 octets (AUTH lines
// 12,288), only CRLF "." CRLF ends DATA (data_receiver), text lines of 1000 octets, 100
// recipients then "452 4.5.3" with LIMITS RCPTMAX advertised, at most 20 errors, HTTP request
// lines end the session, and bytes that follow STARTTLS before the TLS handshake are an error
// (input_before_tls) and are never interpreted. Fatal errors are sticky until reset().
//
// Event views (command fields, data) point into the session's buffers and stay valid until
// the next call of receive(), next_event() or reset().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/data.hpp"
#include "mailwire/smtp/ehlo.hpp"
#include "mailwire/smtp/errc.hpp"
#include "mailwire/smtp/limits.hpp"
#include "mailwire/smtp/reply.hpp"

namespace mailwire::smtp {

/// What a server session offers and enforces. Defaults: RFC 5321 minimums, strict.
struct server_options {
  std::string hostname = "localhost";     ///< our Domain in the greeting and EHLO reply
  std::string greeting = "ESMTP";          ///< text after the hostname in the 220 greeting
  /// Non-empty: refuse the connection (RFC 5321 section 3.1): greet with "554 <this text>"
  /// and answer every command but QUIT with 503.
  std::string refuse_text;
  bool lmtp = false;                      ///< LMTP (RFC 2033): LHLO only, one reply per recipient
  /// Extensions to announce. The session always sets PIPELINING, ENHANCEDSTATUSCODES, 8BITMIME,
  /// CHUNKING, SIZE and LIMITS from the fields below; STARTTLS and AUTH from the TLS/AUTH
  /// fields; the host may switch on SMTPUTF8, BINARYMIME, DSN, REQUIRETLS, MT-PRIORITY,
  /// DELIVERBY, RRVS here (their MAIL/RCPT parameters are refused with 555 otherwise).
  ehlo_capabilities extensions = default_extensions();
  std::uint64_t max_message_size = 0;     ///< SIZE (RFC 1870) in octets; 0: no limit, "SIZE" bare
  std::size_t max_recipients = 100;       ///< RFC 5321 4.5.3.1.8; advertised as LIMITS RCPTMAX
  std::size_t max_errors = 20;            ///< refused commands before "421 4.7.0" (0: no limit)
  bool tls_available = false;             ///< offer STARTTLS (the host has a certificate)
  bool tls_active = false;                ///< the connection is already TLS (implicit TLS port)
  /// SASL mechanisms offered (space-separated, e.g. "PLAIN LOGIN"); empty: no AUTH.
  std::string auth_mechanisms;
  bool auth_requires_tls = true;          ///< offer AUTH only under TLS (RFC 4954 section 4)
  bool require_auth = false;              ///< MAIL only after a successful AUTH (530 5.7.0)
  /// Accept MAIL/RCPT parameters mailwire does not know and pass them to the host in the
  /// event (RFC 5321 4.1.2: the host must then understand them). Off: 555 5.5.4.
  bool accept_unknown_parameters = false;
  limits command_limits;                  ///< command and AUTH line lengths, path lengths
  command_options command_opts;           ///< parser leniencies (all off)
  data_options data;                      ///< DATA line ends and text line length
  std::size_t input_buffer = 64 * 1024;   ///< octets receive() holds at most (>= auth_line)
  std::size_t data_chunk = 16 * 1024;     ///< octets of message data per message_data event
  std::size_t max_output = 64 * 1024;     ///< unsent reply octets before the session pauses

  /// The extensions on by default: PIPELINING, 8BITMIME, CHUNKING, ENHANCEDSTATUSCODES.
  [[nodiscard]] static ehlo_capabilities default_extensions() noexcept {
    ehlo_capabilities c;
    c.pipelining = true;
    c.eightbitmime = true;
    c.chunking = true;
    c.enhancedstatuscodes = true;
    return c;
  }
};

/// What the peer did, as next_event() reports it.
enum class server_event_kind : std::uint8_t {
  none,
  hello,            ///< HELO/EHLO/LHLO (command.v, command.domain): accept() or reject()/respond()
  mail,             ///< MAIL FROM (command.path, command.params): accept() → 250 2.1.0
  rcpt,             ///< RCPT TO (command.path, command.params): accept() → 250 2.1.5
  message_begin,    ///< DATA answered 354, or the first BDAT chunk: a message starts
  message_data,     ///< `data`: the next octets of the message (unstuffed; BDAT: as sent)
  message_end,      ///< the message is complete: accept() → 250 2.0.0 (LMTP: `recipients` replies)
  message_aborted,  ///< the session refused the message (`error` / `data_error`, reply sent):
                    ///< discard what message_data delivered
  transaction_reset,  ///< RSET answered 250: forget the envelope
  vrfy,             ///< VRFY (command.argument): respond(); accept() → 252 2.1.5
  expn,             ///< EXPN (command.argument): respond(); accept() → 252 2.1.5
  auth,             ///< AUTH (command.mechanism, ir, response): auth_challenge(), accept() → 235
  auth_response,    ///< a client line of the AUTH exchange (`data`, base64): as for auth
  starttls,         ///< "220" to STARTTLS is in output(): send it, do the TLS handshake, then
                    ///< call tls_started(); next_event() returns paused until then
  quit,             ///< QUIT answered 221: send output() and close
  command_error,    ///< a command refused by the session (`error`, `offset`; reply sent)
};

/// One event (valid until the next receive(), next_event() or reset()).
struct server_event {
  server_event_kind kind = server_event_kind::none;
  smtp::command command;                ///< the command that caused it (views)
  std::string_view data;                ///< message_data octets; auth_response base64 text
  std::size_t recipients = 0;           ///< message_end: accepted recipients (LMTP replies due)
  errc error = errc::ok;                ///< command_error, message_aborted, fatal errors
  data_errc data_error = data_errc::ok; ///< message_aborted by the DATA content
  std::uint64_t offset = 0;             ///< input offset of the line (or octet) at fault
};

namespace detail {

/// The peer's side of a server session (see the theory of operation above).
enum class server_client_state : std::uint8_t {
  connected,      ///< before HELO/EHLO/LHLO (or after STARTTLS)
  greeted,        ///< no transaction
  mail,           ///< MAIL accepted, no RCPT yet
  rcpt,           ///< at least one RCPT accepted
  bdat,           ///< between BDAT chunks of a transaction
  auth_exchange,  ///< a client line of the AUTH exchange is due
  tls_pending,    ///< 220 to STARTTLS sent, handshake pending
  closed,         ///< QUIT answered
  failed,         ///< fatal error
};

[[nodiscard]] constexpr std::uint16_t state_bit(server_client_state s) noexcept {
  return static_cast<std::uint16_t>(1u << static_cast<unsigned>(s));
}
[[nodiscard]] constexpr std::uint16_t state_bits(
    std::initializer_list<server_client_state> l) noexcept {
  std::uint16_t m = 0;
  for (server_client_state s : l) m = static_cast<std::uint16_t>(m | state_bit(s));
  return m;
}

}  // namespace detail

/// The server side of one SMTP or LMTP connection.
class server_session {
 public:
  explicit server_session(server_options o = {}) : opt_(std::move(o)) { start(); }

  /// Takes up to the free space of the input buffer from `bytes`; returns how many. The host
  /// keeps the rest and offers it again after next_event() has made room.
  std::size_t receive(std::string_view bytes) {
    if (cstate_ == client_state::closed || cstate_ == client_state::failed) return 0;
    compact();
    const std::size_t cap = std::max(opt_.input_buffer, opt_.command_limits.auth_line + 2);
    const std::size_t room = cap > in_.size() ? cap - in_.size() : 0;
    const std::size_t n = std::min(room, bytes.size());
    in_.append(bytes.data(), n);
    return n;
  }

  /// The peer closed its side: a message in progress is aborted (unexpected_end).
  void end_of_input() noexcept { eof_ = true; }

  /// Processes buffered input up to the next event. status::event: event() is ready;
  /// need_more: all input is used; paused: the host must answer the pending event, drain
  /// output() or finish STARTTLS; error: a fatal error (error()), the session is over.
  [[nodiscard]] status next_event() {
    for (;;) {  // steps that answer by themselves (NOOP, HELP, BDAT chunks...) loop here
      if (cstate_ == client_state::failed) return status::error;
      if (pending_ != pending::none) return status::paused;
      if (cstate_ == client_state::tls_pending) return status::paused;
      ev_ = server_event{};
      if (cstate_ == client_state::closed) return status::need_more;
      const step s = one_step();
      if (s) return *s;
    }
  }

  /// The current event.
  [[nodiscard]] const server_event& event() const noexcept { return ev_; }
  /// The event waiting for the host's answer (none when nothing is pending).
  [[nodiscard]] server_event_kind pending_event() const noexcept {
    return pending_ == pending::none ? server_event_kind::none : ev_.kind;
  }
  /// LMTP replies still due for the pending message_end.
  [[nodiscard]] std::size_t replies_due() const noexcept { return lmtp_due_; }

  /// The positive answer to the pending event: 250 (hello: the EHLO reply), 252 for VRFY and
  /// EXPN, 235 for AUTH; for an LMTP message_end, "250 2.0.0 OK" for every recipient due.
  errc accept() {
    switch (pending_) {
      case pending::none: return errc::local_state;
      case pending::hello: return answer_hello();
      case pending::mail: return respond_text(250, "2.1.0 OK");
      case pending::rcpt: return respond_text(250, "2.1.5 OK");
      case pending::message:
        while (pending_ == pending::message) respond_text(250, "2.0.0 OK");
        return errc::ok;
      case pending::vrfy: return respond_text(252, "2.1.5 Cannot VRFY user, but will accept message");
      case pending::expn: return respond_text(252, "2.1.5 Cannot EXPN list");
      case pending::auth: return respond_text(235, "2.7.0 Authentication successful");
    }
    return errc::local_state;
  }

  /// The default refusal of the pending event (550 for hello, MAIL and RCPT; 554 for a
  /// message, every LMTP recipient due; 535 for AUTH; 550 for VRFY/EXPN).
  errc reject() {
    switch (pending_) {
      case pending::none: return errc::local_state;
      case pending::hello: return respond_text(550, "5.7.1 Access denied");
      case pending::mail: return respond_text(550, "5.7.1 Sender rejected");
      case pending::rcpt: return respond_text(550, "5.1.1 Recipient rejected");
      case pending::message:
        while (pending_ == pending::message) respond_text(554, "5.6.0 Message rejected");
        return errc::ok;
      case pending::vrfy:
      case pending::expn: return respond_text(550, "5.1.1 No such user");
      case pending::auth: return respond_text(535, "5.7.8 Authentication credentials invalid");
    }
    return errc::local_state;
  }

  /// Answers the pending event with `code` and `text` (one line; with ENHANCEDSTATUSCODES the
  /// text should start with the enhanced code, e.g. respond(550, "5.1.1 No such user")).
  /// 2xx accepts (a sender, recipient, message; 235 for AUTH), 4xx/5xx refuses. For an LMTP
  /// message_end, each call answers the next recipient. local_invalid_value for a code or
  /// text that cannot be sent (CR, LF, ...), local_state when nothing is pending or the code
  /// does not fit (3xx: use auth_challenge()).
  errc respond(int code, std::string_view text) { return respond_text(code, text); }

  /// Multi-line respond(): every line carries `code` (RFC 5321 section 4.2.1).
  errc respond(int code, std::span<const std::string_view> lines) {
    return respond_lines(code, lines);
  }

  /// Sends "334 " and the base64 `challenge` (may be empty) for the pending AUTH or
  /// auth_response (RFC 4954 section 4); the client's answer comes as auth_response.
  errc auth_challenge(std::string_view challenge) {
    if (pending_ != pending::auth) return errc::local_state;
    for (char c : challenge)
      if (!ascii::has(c, ascii::base64) && c != '=') return errc::local_invalid_value;
    out_ += "334 ";
    out_ += challenge;
    out_ += "\r\n";
    pending_ = pending::none;
    cstate_ = client_state::auth_exchange;
    return errc::ok;
  }

  /// The TLS handshake that followed the starttls event is done: the session starts over
  /// (RFC 3207 section 4.2: forget EHLO, AUTH and the transaction) and expects a new EHLO.
  /// If bytes had arrived in plaintext after STARTTLS, that is the fatal input_before_tls.
  errc tls_started() {
    if (cstate_ != client_state::tls_pending) return errc::local_state;
    if (pos_ != in_.size()) {
      fail(errc::input_before_tls, consumed_);
      return errc::ok;
    }
    opt_.tls_active = true;
    cstate_ = client_state::connected;
    helo_kind_ = verb::unknown;
    authenticated_ = false;
    clear_transaction();
    return errc::ok;
  }

  /// Bytes to send to the client, in order.
  [[nodiscard]] std::string_view output() const noexcept { return out_; }
  /// Removes the first `n` octets of output() (sent).
  void consume_output(std::size_t n) noexcept { out_.erase(0, std::min(n, out_.size())); }
  /// Moves output() out.
  [[nodiscard]] std::string take_output() { return std::exchange(out_, std::string()); }

  /// The fatal error (ok while the session runs), the input offset where it happened, and
  /// the reply it wrote to output() (empty when none: input_before_tls).
  [[nodiscard]] errc error() const noexcept { return fatal_; }
  [[nodiscard]] std::uint64_t error_offset() const noexcept { return fatal_offset_; }
  [[nodiscard]] std::string_view error_reply() const noexcept { return reply_hint(fatal_); }

  /// True after QUIT was answered or a fatal error: nothing more will be read.
  [[nodiscard]] bool closed() const noexcept {
    return cstate_ == client_state::closed || cstate_ == client_state::failed;
  }
  /// Input octets taken so far.
  [[nodiscard]] std::uint64_t offset() const noexcept { return consumed_; }
  /// Under TLS (implicit, or after tls_started()).
  [[nodiscard]] bool tls_active() const noexcept { return opt_.tls_active; }
  /// A successful AUTH happened (since the last STARTTLS).
  [[nodiscard]] bool authenticated() const noexcept { return authenticated_; }
  /// Recipients accepted in the current transaction.
  [[nodiscard]] std::size_t recipients() const noexcept { return rcpts_; }
  /// The transaction's MAIL asked for SMTPUTF8 / BODY= (for the host's delivery).
  [[nodiscard]] bool transaction_smtputf8() const noexcept { return tx_smtputf8_; }
  [[nodiscard]] body_type transaction_body() const noexcept { return tx_body_; }
  [[nodiscard]] const server_options& options() const noexcept { return opt_; }

  /// A new session on the same options (a new connection): greeting written again.
  void reset() {
    server_options o = std::move(opt_);
    *this = server_session(std::move(o));
  }

 private:
  using client_state = detail::server_client_state;
  enum class pending : std::uint8_t { none, hello, mail, rcpt, message, vrfy, expn, auth };

  // One row per verb: the states (bit per client_state) in which the session takes it, and
  // the error for the others. The per-verb checks after the table (extensions offered, limits,
  // TLS, AUTH) are in handle().
  struct rule {
    verb v;
    std::uint16_t allowed;  // bit (1 << client_state)
    errc otherwise;
  };
  static constexpr std::uint16_t bit(client_state s) noexcept { return detail::state_bit(s); }
  static constexpr std::uint16_t in_session = detail::state_bits(
      {client_state::connected, client_state::greeted, client_state::mail, client_state::rcpt,
       client_state::bdat});
  static constexpr std::uint16_t greeted_only = detail::state_bits({client_state::greeted});
  static constexpr rule command_rules[] = {
      {verb::helo, in_session, errc::bad_sequence},
      {verb::ehlo, in_session, errc::bad_sequence},
      {verb::lhlo, in_session, errc::bad_sequence},
      {verb::mail, greeted_only, errc::bad_sequence},
      {verb::rcpt, detail::state_bits({client_state::mail, client_state::rcpt}), errc::bad_sequence},
      {verb::data, detail::state_bits({client_state::rcpt}), errc::bad_sequence},
      {verb::bdat, detail::state_bits({client_state::rcpt, client_state::bdat}), errc::bad_sequence},
      {verb::rset, in_session, errc::bad_sequence},
      {verb::vrfy, in_session, errc::bad_sequence},
      {verb::expn, in_session, errc::bad_sequence},
      {verb::help, in_session, errc::bad_sequence},
      {verb::noop, in_session, errc::bad_sequence},
      {verb::quit, in_session, errc::bad_sequence},
      {verb::starttls, detail::state_bits({client_state::connected, client_state::greeted}),
       errc::bad_sequence},
      {verb::auth, greeted_only, errc::bad_sequence},
  };
  static constexpr std::size_t npos = std::string::npos;
  using step = std::optional<status>;  // nullopt: nothing to report yet, go on

  step one_step() {
    if (in_data_) return data_step();
    if (chunk_active_) return bdat_step();
    if (discard_line_) {
      const std::size_t lf = find_lf();
      if (lf == npos) {
        skip(in_.size() - pos_);
        return status::need_more;
      }
      skip(lf + 1 - pos_);
      discard_line_ = false;
      return refuse(discard_error_, discard_offset_);
    }
    if (out_.size() >= opt_.max_output) return status::paused;
    if (cstate_ == client_state::auth_exchange) return auth_line();
    return command_line();
  }

  void start() {
    in_.reserve(std::min<std::size_t>(opt_.input_buffer, 4096));
    if (!opt_.refuse_text.empty()) {
      if (append_reply(out_, 554, std::nullopt, clean(opt_.refuse_text)) != reply_errc::ok)
        out_ += "554 Service unavailable\r\n";
      refused_ = true;
    } else {
      std::string g = clean(opt_.hostname);
      if (!opt_.greeting.empty()) g += ' ' + clean(opt_.greeting);
      if (append_reply(out_, 220, std::nullopt, g) != reply_errc::ok) out_ += "220 localhost\r\n";
    }
  }

  // Host-supplied text with control octets replaced, so a greeting can never break a line.
  static std::string clean(std::string_view s) {
    std::string r(s);
    for (char& c : r)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    return r;
  }

  void compact() {
    if (pos_ == 0) return;
    in_.erase(0, pos_);
    pos_ = 0;
  }
  void skip(std::size_t n) noexcept {
    pos_ += n;
    consumed_ += n;
  }
  [[nodiscard]] std::size_t find_lf() const noexcept {
    const void* p = std::memchr(in_.data() + pos_, '\n', in_.size() - pos_);
    return p == nullptr ? npos : static_cast<std::size_t>(static_cast<const char*>(p) - in_.data());
  }

  void fail(errc e, std::uint64_t at) {
    fatal_ = e;
    fatal_offset_ = at;
    cstate_ = client_state::failed;
    pending_ = pending::none;
    const std::string_view r = reply_hint(e);
    if (!r.empty()) write_hint(r);
    ev_ = server_event{};
    ev_.error = e;
    ev_.offset = at;
  }

  // Writes a hint reply ("500 5.5.2 text"), without the enhanced code when it is not offered.
  void write_hint(std::string_view r) {
    out_.append(r.substr(0, 4));
    std::string_view t = r.substr(4);
    if (!opt_.extensions.enhancedstatuscodes) {
      enhanced_code e;
      const std::size_t n = detail::reply_parse_enhanced(t, e);
      if (n != 0) t.remove_prefix(n < t.size() ? n + 1 : n);
    }
    out_.append(t);
    out_ += "\r\n";
  }

  // A refused command: reply, count, report; too many → fatal.
  // Refusals that are part of normal operation (too many recipients: the client sends the
  // rest in the next transaction, RFC 5321 4.5.3.1.10; a too large message) do not count.
  status refuse(errc e, std::uint64_t at, bool mail_hint = false) {
    write_hint(mail_hint ? reply_hint_mail(e) : reply_hint(e));
    ev_.kind = server_event_kind::command_error;
    ev_.error = e;
    ev_.offset = at;
    const bool counts = e != errc::too_many_recipients && e != errc::message_too_large;
    if (counts && opt_.max_errors != 0 && ++errors_ > opt_.max_errors) {
      fail(errc::too_many_errors, at);
      return status::error;
    }
    return status::event;
  }

  void clear_transaction() noexcept {
    rcpts_ = 0;
    tx_smtputf8_ = false;
    tx_body_ = body_type::none;
    tx_size_ = 0;
    tx_requiretls_ = false;
    bdat_mode_ = false;
    msg_bytes_ = 0;
    msg_over_ = false;
    if (cstate_ == client_state::mail || cstate_ == client_state::rcpt ||
        cstate_ == client_state::bdat)
      cstate_ = client_state::greeted;
  }

  [[nodiscard]] bool in_transaction() const noexcept {
    return cstate_ == client_state::mail || cstate_ == client_state::rcpt ||
           cstate_ == client_state::bdat;
  }

  // ---- command lines ----------------------------------------------------------------

  step command_line() {
    const std::string_view avail(in_.data() + pos_, in_.size() - pos_);
    if (avail.empty()) return status::need_more;
    command_options co = opt_.command_opts;
    // UTF-8 in RCPT paths only inside an SMTPUTF8 transaction (RFC 6531 section 3.4); the
    // parser allows it in MAIL when MAIL itself carries SMTPUTF8 (refused later if not offered).
    co.smtputf8 = opt_.extensions.smtputf8 && tx_smtputf8_;
    auto r = parse_command(avail, opt_.command_limits, co);
    const std::uint64_t at = consumed_;
    if (r.st == status::need_more) {
      if (eof_) {  // a last line without CRLF: nothing to answer, the peer is gone
        skip(avail.size());
      }
      return status::need_more;
    }
    if (r.st == status::error && r.consumed == 0) {  // over the line limit: skip to its end
      discard_line_ = true;
      discard_error_ = r.error;
      discard_offset_ = at + r.error_offset;
      return std::nullopt;
    }
    if (refused_) {
      skip(r.consumed);
      if (r.st == status::event && r.value.v == verb::quit) return quit(r.value);
      return refuse(errc::bad_sequence, at);
    }
    if (r.st == status::error) {
      // An HTTP request line ends the session (cross-protocol requests, as Postfix does).
      if (is_http(avail)) {
        skip(r.consumed);
        fail(errc::http_command, at);
        return status::error;
      }
      skip(r.consumed);
      const bool is_mail = avail.size() >= 4 && ascii::iequals(avail.substr(0, 4), "MAIL");
      return refuse(r.error, at + r.error_offset, is_mail);
    }
    // The command's views point into in_ at pos_; it stays there until the next call.
    ev_.command = r.value;
    ev_.offset = at;
    skip(r.consumed);
    return handle(r.consumed);
  }

  static bool is_http(std::string_view line) noexcept {
    for (std::string_view m : {"GET ", "POST ", "CONNECT ", "HEAD ", "PUT "})
      if (line.size() >= m.size() && line.substr(0, m.size()) == m) return true;
    return false;
  }

  step handle(std::size_t line_len) {
    const command& c = ev_.command;
    const std::uint64_t at = ev_.offset;
    if (c.v == verb::unknown) {
      if (is_http(std::string_view(in_.data() + pos_ - line_len, line_len))) {
        fail(errc::http_command, at);
        return status::error;
      }
      return refuse(errc::unrecognized_command, at);
    }
    const rule* ru = nullptr;
    for (const rule& x : command_rules)
      if (x.v == c.v) ru = &x;
    if (ru == nullptr) return refuse(errc::unrecognized_command, at);
    // HELO/EHLO in LMTP and LHLO in SMTP are not ours (RFC 2033 section 4.1).
    if ((c.v == verb::lhlo) != opt_.lmtp &&
        (c.v == verb::helo || c.v == verb::ehlo || c.v == verb::lhlo))
      return refuse(errc::unrecognized_command, at);
    if ((ru->allowed & bit(cstate_)) == 0) {
      if (c.v == verb::bdat)
        return bdat_refused(c, cstate_ == client_state::mail ? errc::no_valid_recipients
                                                             : errc::bad_sequence, at);
      if (c.v == verb::data && cstate_ == client_state::mail) return refuse(errc::no_valid_recipients, at);
      if (c.v == verb::starttls && opt_.tls_active) return refuse(errc::bad_sequence, at);
      return refuse(ru->otherwise, at);
    }
    switch (c.v) {
      case verb::helo:
      case verb::ehlo:
      case verb::lhlo: return ask(pending::hello, server_event_kind::hello);
      case verb::mail: return mail(c, at);
      case verb::rcpt: return rcpt(c, at);
      case verb::data: return data(at);
      case verb::bdat: return bdat(c, at);
      case verb::rset:
        out_ += opt_.extensions.enhancedstatuscodes ? "250 2.0.0 OK\r\n" : "250 OK\r\n";
        clear_transaction();
        ev_.kind = server_event_kind::transaction_reset;
        return status::event;
      case verb::noop:
        out_ += opt_.extensions.enhancedstatuscodes ? "250 2.0.0 OK\r\n" : "250 OK\r\n";
        return std::nullopt;
      case verb::help:
        out_ += opt_.extensions.enhancedstatuscodes
                    ? "214 2.0.0 See RFC 5321 (https://www.rfc-editor.org/rfc/rfc5321)\r\n"
                    : "214 See RFC 5321 (https://www.rfc-editor.org/rfc/rfc5321)\r\n";
        return std::nullopt;
      case verb::vrfy: return ask(pending::vrfy, server_event_kind::vrfy);
      case verb::expn: return ask(pending::expn, server_event_kind::expn);
      case verb::quit: return quit(c);
      case verb::starttls: return starttls(at);
      case verb::auth: return auth(c, at);
      default: return refuse(errc::unrecognized_command, at);
    }
  }

  status ask(pending p, server_event_kind k) {
    pending_ = p;
    ev_.kind = k;
    return status::event;
  }

  status quit(const command&) {
    write_hint("221 2.0.0 " + clean(opt_.hostname) + " closing connection");
    cstate_ = client_state::closed;
    ev_.kind = server_event_kind::quit;
    return status::event;
  }

  [[nodiscard]] bool starttls_offered() const noexcept {
    return opt_.tls_available && !opt_.tls_active;
  }
  [[nodiscard]] bool auth_offered() const noexcept {
    return !opt_.auth_mechanisms.empty() && (opt_.tls_active || !opt_.auth_requires_tls);
  }

  status starttls(std::uint64_t at) {
    if (!starttls_offered()) {
      return refuse(opt_.tls_active ? errc::bad_sequence : errc::tls_not_available, at);
    }
    write_hint("220 2.0.0 Ready to start TLS");
    // RFC 3207 section 4: STARTTLS ends a pipelined group. Anything after it is plaintext
    // that an attacker may have injected; it is never interpreted (CVE-2011-0411), and the
    // session ends: the same outcome as bytes that arrive before tls_started().
    if (pos_ != in_.size()) {
      const std::uint64_t extra = consumed_;
      skip(in_.size() - pos_);
      fail(errc::input_before_tls, extra);
      return status::error;
    }
    cstate_ = client_state::tls_pending;
    ev_.kind = server_event_kind::starttls;
    return status::event;
  }

  status auth(const command& c, std::uint64_t at) {
    if (opt_.auth_mechanisms.empty()) return refuse(errc::not_implemented, at);
    if (!auth_offered()) return refuse(errc::tls_required, at);
    if (helo_kind_ == verb::helo) return refuse(errc::bad_sequence, at);  // AUTH needs EHLO
    if (authenticated_) return refuse(errc::already_authenticated, at);
    bool known = false;
    std::string_view m = opt_.auth_mechanisms;
    while (!m.empty()) {
      const std::size_t sp = m.find(' ');
      if (ascii::iequals(m.substr(0, sp), c.mechanism)) known = true;
      if (sp == std::string_view::npos) break;
      m.remove_prefix(sp + 1);
    }
    if (!known) return refuse(errc::auth_mechanism_unknown, at);
    return ask(pending::auth, server_event_kind::auth);
  }

  step auth_line() {
    const std::string_view avail(in_.data() + pos_, in_.size() - pos_);
    const std::uint64_t at = consumed_;
    auto r = parse_auth_response(avail, opt_.command_limits, opt_.command_opts);
    if (r.st == status::need_more) return status::need_more;
    if (r.st == status::error && r.consumed == 0) {
      cstate_ = client_state::greeted;  // the exchange is over (RFC 4954: 500 5.5.6)
      discard_line_ = true;
      discard_error_ = r.error;
      discard_offset_ = at + r.error_offset;
      return std::nullopt;
    }
    skip(r.consumed);
    cstate_ = client_state::greeted;
    if (r.st == status::error) return refuse(r.error, at + r.error_offset);
    if (r.value.cancel) return refuse(errc::auth_cancelled, at);
    ev_.data = r.value.data;
    ev_.offset = at;
    return ask(pending::auth, server_event_kind::auth_response);
  }

  // MAIL: the parameters must belong to offered extensions; SIZE and TLS rules.
  status mail(const command& c, std::uint64_t at) {
    if (opt_.require_auth && !authenticated_) return refuse(errc::auth_required, at);
    const mail_parameters& p = c.params;
    const ehlo_capabilities& x = opt_.extensions;
    const bool ehlo = helo_kind_ != verb::helo;  // parameters need EHLO/LHLO
    if (!ehlo && (p.size || p.body != body_type::none || p.smtputf8 || p.requiretls ||
                  p.ret != ret_type::none || p.envid || p.auth || p.mt_priority || p.by ||
                  p.rrvs || !p.extensions().empty()))
      return refuse(errc::parameter_not_offered, at);
    if ((p.body == body_type::eight_bit_mime && !x.eightbitmime) ||
        (p.body == body_type::binary_mime && !(x.binarymime && x.chunking)) ||
        (p.smtputf8 && !x.smtputf8) || ((p.ret != ret_type::none || p.envid) && !x.dsn) ||
        (p.auth && !auth_offered()) || (p.mt_priority && !x.mt_priority) ||
        (p.by && !x.deliverby) || (p.rrvs && !x.rrvs) ||
        (!p.extensions().empty() && !opt_.accept_unknown_parameters))
      return refuse(errc::parameter_not_offered, at);
    if (p.requiretls && (!x.requiretls || !opt_.tls_active))
      return refuse(opt_.tls_active ? errc::parameter_not_offered : errc::tls_required, at);
    if (p.size && opt_.max_message_size != 0 && *p.size > opt_.max_message_size)
      return refuse(errc::message_too_large, at);
    tx_pending_smtputf8_ = p.smtputf8;
    tx_pending_body_ = p.body;
    tx_pending_size_ = p.size ? *p.size : 0;
    tx_pending_requiretls_ = p.requiretls;
    return ask(pending::mail, server_event_kind::mail);
  }

  status rcpt(const command& c, std::uint64_t at) {
    const mail_parameters& p = c.params;
    const ehlo_capabilities& x = opt_.extensions;
    if (((p.notify != 0 || p.orcpt) && !x.dsn) || (p.rrvs && !x.rrvs) ||
        (!p.extensions().empty() && !opt_.accept_unknown_parameters))
      return refuse(errc::parameter_not_offered, at);
    if (opt_.max_recipients != 0 && rcpts_ >= opt_.max_recipients)
      return refuse(errc::too_many_recipients, at);
    return ask(pending::rcpt, server_event_kind::rcpt);
  }

  status data(std::uint64_t at) {
    if (tx_body_ == body_type::binary_mime) return refuse(errc::binarymime_needs_bdat, at);
    out_ += "354 Start mail input; end with <CRLF>.<CRLF>\r\n";
    rx_ = data_receiver(opt_.data);
    in_data_ = true;
    msg_bytes_ = 0;
    msg_over_ = false;
    ev_.kind = server_event_kind::message_begin;
    return status::event;
  }

  // DATA content: unstuffed chunks, then the end (or the abort).
  step data_step() {
    if (data_end_ != status::need_more) return finish_data();
    const std::string_view avail(in_.data() + pos_, in_.size() - pos_);
    if (avail.empty() && !eof_) return status::need_more;
    if (chunk_.size() < opt_.data_chunk) chunk_.resize(std::max<std::size_t>(opt_.data_chunk, 64));
    const auto r = rx_.decode(avail, std::span<char>(chunk_.data(), chunk_.size()), eof_);
    skip(r.consumed);
    if (r.st == status::event || r.st == status::error) {
      data_end_ = r.st;
      data_error_ = r.error;
      data_error_offset_ = r.error_offset;
    }
    if (r.produced > 0 && count(r.produced)) {
      ev_.kind = server_event_kind::message_data;
      ev_.data = std::string_view(chunk_.data(), r.produced);
      return status::event;
    }
    if (data_end_ != status::need_more) return finish_data();
    if (r.st == status::need_more) return status::need_more;
    return std::nullopt;  // paused: the chunk buffer is free again, go on
  }

  // Counts message octets; false once over SIZE (the rest is dropped, 552 at the end).
  bool count(std::size_t n) noexcept {
    msg_bytes_ += n;
    if (opt_.max_message_size != 0 && msg_bytes_ > opt_.max_message_size) msg_over_ = true;
    return !msg_over_;
  }

  status finish_data() {
    const status end = data_end_;
    data_end_ = status::need_more;
    in_data_ = false;
    if (end == status::error) {
      ev_.kind = server_event_kind::message_aborted;
      ev_.data_error = data_error_;
      ev_.offset = data_error_offset_;
      clear_transaction();
      if (data_error_ == data_errc::unexpected_end) cstate_ = client_state::closed;  // peer gone
      else write_hint(data_reply_hint(data_error_));
      return status::event;
    }
    return message_complete();
  }

  status message_complete() {
    if (msg_over_) {
      ev_.kind = server_event_kind::message_aborted;
      ev_.error = errc::message_too_large;
      write_hint(reply_hint(errc::message_too_large));
      clear_transaction();
      return status::event;
    }
    ev_.kind = server_event_kind::message_end;
    ev_.recipients = rcpts_;
    lmtp_due_ = opt_.lmtp ? rcpts_ : 1;
    pending_ = pending::message;
    return status::event;
  }

  // BDAT n [LAST] (RFC 3030 section 2): the n octets follow the line at once.
  step bdat(const command& c, std::uint64_t at) {
    if (!opt_.extensions.chunking) return bdat_refused(c, errc::not_implemented, at);
    if (tx_requiretls_ && !opt_.tls_active) return bdat_refused(c, errc::tls_required, at);
    const bool first = !bdat_mode_;
    if (opt_.max_message_size != 0 &&
        c.chunk_size > opt_.max_message_size - std::min(msg_bytes_, opt_.max_message_size))
      msg_over_ = true;  // the octets are read and dropped, then 552
    bdat_mode_ = true;
    cstate_ = client_state::bdat;
    chunk_active_ = true;
    bdat_left_ = c.chunk_size;
    bdat_last_ = c.last;
    bdat_size_ = c.chunk_size;
    bdat_skip_ = false;
    if (first) {
      ev_.kind = server_event_kind::message_begin;
      return status::event;
    }
    return bdat_step();
  }

  // A refused BDAT: its octets must still be read and dropped (RFC 3030 section 2).
  step bdat_refused(const command& c, errc e, std::uint64_t at) {
    chunk_active_ = true;
    bdat_left_ = c.chunk_size;
    bdat_skip_ = true;
    bdat_error_ = e;
    bdat_error_offset_ = at;
    return bdat_step();
  }

  step bdat_step() {
    const std::size_t avail = in_.size() - pos_;
    if (bdat_left_ > 0) {
      if (avail == 0) {
        if (eof_) {
          bdat_left_ = 0;
          bdat_skip_ = false;
          chunk_active_ = false;
          ev_.kind = server_event_kind::message_aborted;
          ev_.data_error = data_errc::unexpected_end;
          ev_.offset = consumed_;
          clear_transaction();
          cstate_ = client_state::closed;
          return status::event;
        }
        return status::need_more;
      }
      const std::size_t n = static_cast<std::size_t>(
          std::min<std::uint64_t>(bdat_left_, std::min(avail, std::max<std::size_t>(opt_.data_chunk, 64))));
      const std::string_view piece(in_.data() + pos_, n);
      skip(n);
      bdat_left_ -= n;
      if (!bdat_skip_ && count(n)) {
        ev_.kind = server_event_kind::message_data;
        ev_.data = piece;
        return status::event;
      }
      if (bdat_left_ > 0) return std::nullopt;
    }
    // The chunk is read.
    chunk_active_ = false;
    if (bdat_skip_) {
      bdat_skip_ = false;
      return refuse(bdat_error_, bdat_error_offset_);
    }
    return chunk_done();
  }

  step chunk_done() {
    if (msg_over_) {
      bdat_left_ = 0;
      ev_.kind = server_event_kind::message_aborted;
      ev_.error = errc::message_too_large;
      write_hint(reply_hint(errc::message_too_large));
      clear_transaction();
      return status::event;
    }
    if (bdat_last_) {
      bdat_last_ = false;
      return message_complete();
    }
    std::string t = std::to_string(bdat_size_);
    write_hint("250 2.0.0 " + t + " octets received");
    return std::nullopt;
  }

  // ---- answers ------------------------------------------------------------------------

  errc answer_hello() {
    const command& c = ev_.command;
    clear_transaction();
    helo_kind_ = c.v;
    cstate_ = client_state::greeted;
    pending_ = pending::none;
    if (c.v == verb::helo) {
      out_ += "250 ";
      out_ += clean(opt_.hostname);
      out_ += "\r\n";
      return errc::ok;
    }
    ehlo_capabilities caps = opt_.extensions;
    caps.size = true;
    caps.size_limit = opt_.max_message_size == 0 ? std::nullopt
                                                 : std::optional<std::uint64_t>(opt_.max_message_size);
    caps.starttls = starttls_offered();
    caps.auth = auth_offered();
    caps.auth_mechanisms = caps.auth ? std::string_view(opt_.auth_mechanisms) : std::string_view();
    caps.auth_legacy = false;
    caps.requiretls = caps.requiretls && opt_.tls_active;
    caps.binarymime = caps.binarymime && caps.chunking;
    if (opt_.max_recipients != 0) {
      caps.limits = true;
      caps.limit_values.rcptmax = static_cast<std::uint32_t>(
          std::min<std::size_t>(opt_.max_recipients, UINT32_MAX));
    }
    const std::string host = clean(opt_.hostname);
    if (append_ehlo_reply(out_, host, "Hello", caps) != reply_errc::ok)
      (void)append_ehlo_reply(out_, "localhost", "Hello", ehlo_capabilities{});
    return errc::ok;
  }

  errc respond_text(int code, std::string_view text) {
    const std::string_view one[1] = {text};
    return respond_lines(code, one);
  }

  errc respond_lines(int code, std::span<const std::string_view> lines) {
    if (pending_ == pending::none) return errc::local_state;
    if (lines.empty() || code < 200 || code > 599) return errc::local_invalid_value;
    const int kind = code / 100;
    if (kind == 3) return errc::local_state;  // 354/334 are the session's own
    if (pending_ == pending::auth && kind == 2 && code != 235) return errc::local_state;
    std::string line;
    if (append_reply(line, code, std::nullopt, lines) != reply_errc::ok)
      return errc::local_invalid_value;
    out_ += line;
    const bool ok = kind == 2;
    switch (pending_) {
      case pending::hello:
        if (ok) {  // a custom positive answer: the host wrote its own EHLO text
          clear_transaction();
          helo_kind_ = ev_.command.v;
          cstate_ = client_state::greeted;
        }
        break;
      case pending::mail:
        if (ok) {
          cstate_ = client_state::mail;
          rcpts_ = 0;
          tx_smtputf8_ = tx_pending_smtputf8_;
          tx_body_ = tx_pending_body_;
          tx_size_ = tx_pending_size_;
          tx_requiretls_ = tx_pending_requiretls_;
        }
        break;
      case pending::rcpt:
        if (ok) {
          ++rcpts_;
          cstate_ = client_state::rcpt;
        }
        break;
      case pending::message:
        if (lmtp_due_ > 1) {
          --lmtp_due_;
          return errc::ok;  // more LMTP replies due: stay pending
        }
        lmtp_due_ = 0;
        clear_transaction();
        break;
      case pending::auth:
        if (ok) authenticated_ = true;
        cstate_ = client_state::greeted;
        break;
      default: break;
    }
    pending_ = pending::none;
    return errc::ok;
  }

  server_options opt_;
  std::string in_;       // input; bytes before pos_ are taken
  std::size_t pos_ = 0;
  std::string out_;      // replies not yet taken by the host
  std::string chunk_;    // unstuffed DATA octets of the current message_data event
  server_event ev_;
  client_state cstate_ = client_state::connected;
  pending pending_ = pending::none;
  verb helo_kind_ = verb::unknown;
  bool refused_ = false;
  bool authenticated_ = false;
  bool eof_ = false;
  std::uint64_t consumed_ = 0;
  std::size_t errors_ = 0;
  errc fatal_ = errc::ok;
  std::uint64_t fatal_offset_ = 0;
  // Line over the limit being skipped.
  bool discard_line_ = false;
  errc discard_error_ = errc::ok;
  std::uint64_t discard_offset_ = 0;
  // Transaction.
  std::size_t rcpts_ = 0;
  bool tx_smtputf8_ = false, tx_pending_smtputf8_ = false;
  body_type tx_body_ = body_type::none, tx_pending_body_ = body_type::none;
  std::uint64_t tx_size_ = 0, tx_pending_size_ = 0;
  bool tx_requiretls_ = false, tx_pending_requiretls_ = false;
  std::size_t lmtp_due_ = 0;
  // Message content.
  data_receiver rx_;
  bool in_data_ = false;
  status data_end_ = status::need_more;
  data_errc data_error_ = data_errc::ok;
  std::uint64_t data_error_offset_ = 0;
  std::uint64_t msg_bytes_ = 0;
  bool msg_over_ = false;
  bool bdat_mode_ = false;
  bool bdat_last_ = false;
  bool bdat_skip_ = false;
  bool chunk_active_ = false;  // BDAT octets (maybe 0) still to read, then the chunk's reply
  std::uint64_t bdat_left_ = 0;
  std::uint64_t bdat_size_ = 0;
  errc bdat_error_ = errc::ok;
  std::uint64_t bdat_error_offset_ = 0;
};

}  // namespace mailwire::smtp
