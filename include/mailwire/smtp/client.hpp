// mailwire/smtp/client.hpp — the SMTP (RFC 5321) and LMTP (RFC 2033) client session, sans-I/O:
// greeting, EHLO with HELO fallback, STARTTLS (RFC 3207), AUTH (RFC 4954, PLAIN RFC 4616 and
// LOGIN helpers), MAIL/RCPT/DATA pipelined when PIPELINING is offered (RFC 2920), BDAT when
// CHUNKING is offered and wanted (RFC 3030), SIZE/8BITMIME/BINARYMIME/SMTPUTF8/DSN/REQUIRETLS
// parameters only when offered (RFC 1870, 6152, 3030, 6531, 3461, 8689), one result per recipient.
//
//   namespace smtp = mailwire::smtp;
//   smtp::client_session s({.local_host = "client.example.org"});
//   // loop: write s.take_output() to the socket; feed socket bytes with s.receive(bytes)
//   //       (it returns how many it took: keep the rest); then drain events:
//   for (auto r = s.next_event(); r.st != mailwire::status::need_more; r = s.next_event()) {
//     if (r.st == mailwire::status::error) fail(r.error, r.error_offset);     // sticky
//     switch (r.ev.kind) {
//       case smtp::client_event_kind::ehlo_done:                 // EHLO was sent by itself
//         if (s.capabilities().starttls && !s.tls()) (void)s.starttls(); // -> starttls_ready
//         else (void)s.send_envelope(from, to);                  // MAIL, RCPT..., DATA
//         break;
//       case smtp::client_event_kind::starttls_ready:            // status::paused
//         handshake(); s.tls_started(); break;                   // EHLO again, over TLS
//       case smtp::client_event_kind::data_ready:
//         while (s.can_send_data() && more) (void)s.send_data(next_chunk(), is_last); break;
//       case smtp::client_event_kind::message_result:            // transaction over when .last
//         for (auto& rr : s.recipient_results()) report(rr.accepted(), rr.reply);
//         (void)s.quit(); break;
//       case smtp::client_event_kind::closed: close_socket(); break;
//       default: break;
//     }
//   }
//
// Theory of operation (DESIGN.md section 3). The host's side and the server's side are kept
// apart: host calls (commands) check `state()` and return client_errc::local_* without changing
// anything when misused; server bytes go through receive() into a bounded buffer and are read
// one reply at a time by next_event(), and anything malformed or out of place is a sticky error
// with the offset of the byte (counted from the first byte given to receive()). Commands are
// planned in order; a planned command is written to the output when no reply is outstanding,
// or, when the server offers PIPELINING, when every outstanding command may be followed in a
// group (RSET, MAIL, RCPT, BDAT) and the command itself may join one (RFC 2920 section 3.1:
// not EHLO/HELO/LHLO, STARTTLS or AUTH). Replies are matched to outstanding commands in order.
//
//   state          | server reply or host call       -> next state, event
//   greeting       | 220                             -> ehlo (EHLO/LHLO sent), greeting
//                  | 4yz/5yz (554: RFC 5321 3.1)     -> refused (only quit()), greeting
//   greeted        | ehlo()                          -> ehlo     (only with auto_ehlo off)
//   ehlo           | 250 to EHLO/LHLO                -> ready, ehlo_done (capabilities())
//                  | 500/502 to EHLO (not LMTP)      -> ehlo, HELO sent (RFC 5321 3.2)
//                  | 250 to HELO                     -> ready, ehlo_done (.helo, no extension)
//                  | other                           -> greeted, ehlo_done (refused)
//   ready          | starttls() then 220             -> tls_handshake, starttls_ready (paused)
//   tls_handshake  | tls_started()                   -> ehlo (capabilities forgotten, EHLO sent)
//                  | any server byte                 -> error plaintext_injection
//   ready          | auth*() then 334                -> auth_challenge (auth_continue/cancel)
//                  | 235 / 4yz 5yz                   -> ready, auth_done / auth_failed
//   ready          | send_envelope()                 -> mail: mail_result, rcpt_result per RCPT,
//                  |   then DATA 354 or BDAT allowed -> data, data_ready
//                  |   or no recipient accepted      -> ready, message_result (.last, code 0)
//   data           | send_data(.., last = true)      -> data_end
//   data_end       | reply (LMTP: one per accepted)  -> ready, message_result (.last at the end)
//   ready          | rset/noop/vrfy/expn/help        -> ready, reply
//   any            | quit() then reply; or 421       -> closed, closed (RFC 5321 3.8)
//
// EHLO (LHLO in LMTP mode) is sent by the session itself after a 220 greeting and after
// tls_started(), unless client_options::auto_ehlo is false; then the host calls ehlo().
//
// Lifetimes: the reply and challenge views of an event point into the session and are valid
// until the next call of receive(), next_event(), a command, or reset(). capabilities() views
// are valid until the next EHLO reply, tls_started() or reset(). Output accumulates in the
// session until the host takes it; the message body is never held whole (send_data() encodes
// each chunk into the output as it comes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "mailwire/core/error.hpp"
#include "mailwire/core/line.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/smtp/address.hpp"
#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/data.hpp"
#include "mailwire/smtp/detail/client_base64.hpp"
#include "mailwire/smtp/ehlo.hpp"
#include "mailwire/smtp/reply.hpp"

namespace mailwire::smtp {

/// Why the client session stopped (server errors, sticky until reset()) or refused a host call
/// (local_*: nothing was sent, the session goes on).
enum class client_errc : std::uint8_t {
  ok = 0,                        ///< no error
  // The server's bytes (RFC 5321 section 4.2)
  bad_reply,                     ///< a malformed reply; client_result::reply_error says why
  bad_ehlo,                      ///< a malformed EHLO reply line (RFC 5321 4.1.1.1)
  unexpected_reply,              ///< a reply no command waits for, or a code the command cannot get
  plaintext_injection,           ///< bytes after STARTTLS's 220 before TLS (RFC 3207 4.2, CVE-2011-0411)
  input_buffer_full,             ///< client_options::max_input bytes without a complete reply
  bad_challenge,                 ///< a 334 text that is not base64 (RFC 4954 section 4)
  // The host's calls
  local_wrong_state,             ///< a command that is not allowed in this state
  local_invalid_value,           ///< a path, argument or parameter that cannot make a valid line
  local_not_advertised,          ///< a command, mechanism or parameter the server did not offer
  local_smtputf8_required,       ///< a non-ASCII path, and the server lacks SMTPUTF8 (RFC 6531 3.4)
  local_requiretls_unavailable,  ///< REQUIRETLS not offered or not under TLS (RFC 8689 section 4.1)
  local_too_large,               ///< SIZE above the server's SIZE limit (RFC 1870 section 6)
  local_no_recipients,           ///< send_envelope() without a recipient
};

/// The enumerator's meaning, for logs.
[[nodiscard]] constexpr std::string_view to_string(client_errc e) noexcept {
  switch (e) {
    case client_errc::ok: return "ok";
    case client_errc::bad_reply: return "malformed reply";
    case client_errc::bad_ehlo: return "malformed EHLO reply";
    case client_errc::unexpected_reply: return "unexpected reply";
    case client_errc::plaintext_injection: return "bytes after the STARTTLS reply before TLS";
    case client_errc::input_buffer_full: return "input buffer full without a complete reply";
    case client_errc::bad_challenge: return "AUTH challenge is not base64";
    case client_errc::local_wrong_state: return "command not allowed in this state";
    case client_errc::local_invalid_value: return "invalid path, argument or parameter";
    case client_errc::local_not_advertised: return "not offered by the server";
    case client_errc::local_smtputf8_required: return "non-ASCII address needs SMTPUTF8";
    case client_errc::local_requiretls_unavailable: return "REQUIRETLS not offered or not under TLS";
    case client_errc::local_too_large: return "message larger than the server's SIZE";
    case client_errc::local_no_recipients: return "no recipient";
  }
  return "unknown SMTP client error";
}
[[nodiscard]] constexpr const char* category_name(client_errc) noexcept {
  return "mailwire.smtp.client";
}
[[nodiscard]] inline std::error_code make_error_code(client_errc e) noexcept {
  return make_code(e);
}

/// Options of a client session. Every leniency is off by default.
struct client_options {
  /// Our name for EHLO/HELO/LHLO (RFC 5321 4.1.1.1): a domain or an address literal.
  std::string local_host = "localhost";
  /// LMTP (RFC 2033): LHLO instead of EHLO, no HELO fallback, one reply per accepted recipient
  /// after the data (section 4.2).
  bool lmtp = false;
  /// Send EHLO/LHLO by itself after the 220 greeting and after tls_started(); off: call ehlo().
  bool auto_ehlo = true;
  /// Use BDAT (RFC 3030) instead of DATA when the server offers CHUNKING. BODY=BINARYMIME
  /// always uses BDAT.
  bool prefer_chunking = false;
  /// Send the message only when every recipient was accepted; otherwise RSET (the choice of
  /// RFC 5321 appendix D.2). With PIPELINING, DATA then waits for the RCPT replies.
  bool require_all_recipients = false;
  /// The connection is under TLS from the start (implicit TLS, RFC 8314); REQUIRETLS may be used.
  bool tls = false;
  /// Limits of one reply (RFC 5321 4.5.3.1.5: 512-octet lines).
  reply_limits limits{};
  /// Server bytes buffered at most; receive() takes no more. Keep it >= limits.max_bytes so
  /// that an over-long reply is reported as reply_too_large.
  std::size_t max_input = 64 * 1024;
  /// LENIENCY: accept LF alone as a reply line end. Risk: the session and a proxy between may
  /// then split replies differently (reply desynchronisation).
  bool allow_bare_lf = false;
  /// LENIENCY: accept "250 " CRLF (a space and no text). Risk: low. (A bare "334 " in an AUTH
  /// exchange is always accepted: RFC 4954 section 4 shows it.)
  bool allow_empty_text = false;
  /// LENIENCY: accept octets 0x80-0xFF in reply text (8-bit greetings). Risk: a host that logs
  /// or shows the text must not assume ASCII.
  bool allow_8bit_text = false;
  /// LENIENCY: accept multi-line replies whose lines carry different codes; the last line's code
  /// counts (as Python's smtplib does), and the event's reply has every line with that code.
  /// Risk: two glued replies are read as one, which can hide a desynchronised server.
  bool lenient_code_mismatch = false;
  /// LENIENCY: with ENHANCEDSTATUSCODES, when not every line of a reply carries the same enhanced
  /// code (RFC 2034 section 3 wants it on each), take it from the first line that has one
  /// (client_event::enhanced). Risk: text that looks like a code is read as one.
  bool lenient_enhanced_code = false;
};

/// What next_event() reports.
enum class client_event_kind : std::uint8_t {
  none,            ///< no event (need_more, error)
  greeting,        ///< the server's greeting: 220, or a refusal such as 554 (RFC 5321 3.1)
  ehlo_done,       ///< the reply to EHLO/LHLO (or HELO after a 500/502): capabilities() known
  starttls_ready,  ///< 220 to STARTTLS (status::paused): do the TLS handshake, then tls_started()
  auth_challenge,  ///< 334 (RFC 4954 4): answer with auth_continue() or auth_cancel()
  auth_done,       ///< 235: authenticated
  auth_failed,     ///< AUTH refused or cancelled (4yz/5yz)
  mail_result,     ///< the reply to MAIL FROM
  rcpt_result,     ///< the reply to RCPT TO number `index`
  data_ready,      ///< 354 to DATA, or BDAT may be sent: stream the message with send_data()
  message_result,  ///< the message's reply (LMTP: recipient `index`'s); `last` ends the transaction
  reply,           ///< the reply to RSET, NOOP, VRFY, EXPN, HELP, or a refused STARTTLS
  closed,          ///< 221 to QUIT, or 421 at any time (RFC 5321 3.8): close the connection
};

/// The recipient index of events that have none.
inline constexpr std::size_t no_index = static_cast<std::size_t>(-1);

/// One event of the client session.
struct client_event {
  client_event_kind kind = client_event_kind::none;
  verb command = verb::unknown;  ///< the command the reply answers (unknown for the greeting)
  smtp::reply reply{};           ///< the server's reply; code 0 when the event has none
  std::optional<enhanced_code> enhanced;  ///< RFC 3463 code of the reply, when read
  std::size_t index = no_index;  ///< rcpt_result; message_result in LMTP mode
  std::string_view challenge;    ///< auth_challenge: the decoded challenge bytes
  bool last = false;             ///< message_result: the transaction is over
  bool helo = false;             ///< ehlo_done: EHLO was refused and HELO used (no extensions)
  /// A 2yz or 3yz reply (RFC 5321 4.2.1).
  [[nodiscard]] constexpr bool positive() const noexcept {
    return reply.code >= 200 && reply.code < 400;
  }
};

/// Result of next_event().
struct client_result {
  status st = status::need_more;      ///< event, need_more, paused (starttls_ready) or error
  client_event ev{};                  ///< status::event and status::paused
  client_errc error = client_errc::ok;
  reply_errc reply_error = reply_errc::ok;  ///< bad_reply and bad_ehlo: the parser's reason
  std::uint64_t error_offset = 0;     ///< of the offending server byte, from the first received
};

/// The outcome for one recipient of a transaction.
struct recipient_result {
  int rcpt_code = 0;   ///< reply code to RCPT (0: not sent)
  int data_code = 0;   ///< reply code to the message (LMTP: this recipient's); 0: none
  std::string reply;   ///< the reply that decided, as received (CRLF line ends)
  /// Accepted for delivery: RCPT and the message both got 2yz.
  [[nodiscard]] bool accepted() const noexcept { return rcpt_code / 100 == 2 && data_code / 100 == 2; }
};

/// A recipient with its RCPT parameters (NOTIFY, ORCPT: RFC 3461; RRVS: RFC 7293; others).
struct recipient {
  path to;
  mail_parameters params{};
};

/// Reads an address as a host gives it: "" or "<>" (the null path), "<...>" (a Path, RFC 5321
/// 4.1.2) or a bare Mailbox "local@domain". UTF-8 is allowed (RFC 6531); views into `s`.
[[nodiscard]] inline parse_result<path> parse_address(std::string_view s) noexcept {
  parse_result<path> r;
  if (s.empty()) {
    r.st = status::event;
    r.value.null = true;
    return r;
  }
  path_options po;
  po.smtputf8 = true;
  po.allow_null = true;
  if (s.front() == '<') {
    r = parse_path(s, {}, po);
  } else {
    const auto m = parse_mailbox(s, {}, true);
    r.st = m.st;
    r.error = m.error;
    r.error_offset = m.error_offset;
    r.consumed = m.consumed;
    r.value.mb = m.value;
  }
  if (r.ok() && r.consumed != s.size()) {
    r.st = status::error;
    r.error = errc::garbage_after_path;
    r.error_offset = r.consumed;
  }
  return r;
}

/// Where the session is (see the table in the header comment).
enum class client_state : std::uint8_t {
  greeting, greeted, refused, ehlo, ready, starttls, tls_handshake, auth, auth_challenge,
  mail, data, data_end, quit, closed, error,
};

namespace detail {

enum class client_op : std::uint8_t {
  ehlo, helo, starttls, auth, auth_line, mail, rcpt, data, data_end, dot_abort, bdat,
  rset, rset_internal, noop, vrfy, expn, help, quit,
};

struct client_planned {
  client_op op;
  std::size_t index;
  std::string line;
};

struct client_inflight {
  client_op op;
  std::size_t index = no_index;
  bool last = false;    // data_end: the last reply of the transaction
  bool ignore = false;  // a reply to swallow (a pipelined BDAT after a failed one)
};

[[nodiscard]] constexpr verb client_op_verb(client_op op, bool lmtp) noexcept {
  switch (op) {
    case client_op::ehlo: return lmtp ? verb::lhlo : verb::ehlo;
    case client_op::helo: return verb::helo;
    case client_op::starttls: return verb::starttls;
    case client_op::auth:
    case client_op::auth_line: return verb::auth;
    case client_op::mail: return verb::mail;
    case client_op::rcpt: return verb::rcpt;
    case client_op::data:
    case client_op::data_end:
    case client_op::dot_abort: return verb::data;
    case client_op::bdat: return verb::bdat;
    case client_op::rset:
    case client_op::rset_internal: return verb::rset;
    case client_op::noop: return verb::noop;
    case client_op::vrfy: return verb::vrfy;
    case client_op::expn: return verb::expn;
    case client_op::help: return verb::help;
    case client_op::quit: return verb::quit;
  }
  return verb::unknown;
}

/// RFC 2920 section 3.1: commands after which another may follow without waiting.
[[nodiscard]] constexpr bool client_group_continues(client_op op) noexcept {
  return op == client_op::mail || op == client_op::rcpt || op == client_op::rset ||
         op == client_op::rset_internal || op == client_op::bdat;
}
/// Commands that may be sent while replies are outstanding (with PIPELINING).
[[nodiscard]] constexpr bool client_may_join(client_op op) noexcept {
  return op != client_op::ehlo && op != client_op::helo && op != client_op::starttls &&
         op != client_op::auth && op != client_op::auth_line;
}

[[nodiscard]] constexpr bool client_non_ascii(const path& p) noexcept {
  for (char c : p.mb.local_part)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  for (char c : p.mb.domain)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

}  // namespace detail

/// The SMTP/LMTP client session (RFC 5321 sections 3, 4.1-4.3; RFC 2033). See the header comment.
class client_session {
 public:
  /// A session waiting for the server's greeting.
  explicit client_session(client_options opt = {}) : opt_(std::move(opt)) {
    if (opt_.max_input == 0) opt_.max_input = 1;
    tls_ = opt_.tls;
    in_.reserve(opt_.max_input);
  }

  // ---- server bytes and events ----------------------------------------------------------

  /// Takes server bytes into the bounded input buffer; returns how many were taken (the host
  /// keeps the rest and offers them again after next_event() has drained replies). Takes none
  /// after an error; while a TLS handshake is pending any byte is a plaintext_injection error.
  [[nodiscard]] std::size_t receive(std::string_view bytes) {
    if (err_ != client_errc::ok) return 0;
    if (state_ == client_state::tls_handshake && !bytes.empty()) {
      set_error(client_errc::plaintext_injection, reply_errc::ok, in_base_ + in_.size());
      return 0;
    }
    compact();
    const std::size_t room = opt_.max_input > in_.size() ? opt_.max_input - in_.size() : 0;
    const std::size_t n = bytes.size() < room ? bytes.size() : room;
    in_.append(bytes.data(), n);
    return n;
  }

  /// The next event: one reply read from the input (or one the session derived from it).
  /// need_more: give more bytes. paused: starttls_ready until tls_started(). error: sticky.
  [[nodiscard]] client_result next_event() {
    if (err_ != client_errc::ok) return error_result();
    compact();
    for (;;) {
      if (!deferred_.empty()) {
        client_result r;
        r.st = status::event;
        r.ev = deferred_.front();
        deferred_.pop_front();
        return r;
      }
      if (state_ == client_state::tls_handshake) {
        client_result r;
        r.st = status::paused;
        r.ev.kind = client_event_kind::starttls_ready;
        r.ev.command = verb::starttls;
        return r;
      }
      if (in_pos_ == in_.size()) return {};
      if (state_ == client_state::closed)
        return fail(client_errc::unexpected_reply, reply_errc::ok, in_pos_);
      // Read one reply.
      reply_options ro;
      ro.enhanced_status_codes = have_ehlo_ && caps_.enhancedstatuscodes;
      ro.allow_bare_lf = opt_.allow_bare_lf;
      ro.allow_8bit_text = opt_.allow_8bit_text;
      ro.allow_empty_text = opt_.allow_empty_text ||
                            (!inflight_.empty() && (inflight_.front().op == detail::client_op::auth ||
                                                    inflight_.front().op == detail::client_op::auth_line));
      const std::string_view view = std::string_view(in_).substr(in_pos_);
      reply_result rr = parse_reply(view, opt_.limits, ro);
      if (rr.st == status::error && rr.error == reply_errc::code_mismatch && opt_.lenient_code_mismatch)
        rr = parse_mismatched(view, ro);
      if (rr.st == status::need_more) {
        if (in_.size() - in_pos_ >= opt_.max_input)
          return fail(client_errc::input_buffer_full, reply_errc::ok, in_.size());
        return {};
      }
      if (rr.st == status::error) return fail(client_errc::bad_reply, rr.error, in_pos_ + rr.error_offset);
      const std::size_t at = in_pos_;
      in_pos_ += rr.consumed;
      client_event ev;
      ev.reply = rr.value;
      ev.enhanced = rr.value.enhanced;
      if (!ev.enhanced && ro.enhanced_status_codes && opt_.lenient_enhanced_code) {
        for (std::string_view t : rr.value.lines()) {
          enhanced_code e{};
          if (detail::reply_parse_enhanced(t, e) != 0 && e.cls == rr.value.code / 100) {
            ev.enhanced = e;
            break;
          }
        }
      }
      client_result r = handle(ev, at);
      if (err_ == client_errc::ok) flush();
      if (r.st != status::need_more) return r;
    }
  }

  // ---- commands ---------------------------------------------------------------------------

  /// Sends EHLO (LHLO in LMTP mode) with client_options::local_host (RFC 5321 4.1.1.1); only
  /// needed with auto_ehlo off, after the greeting or tls_started().
  [[nodiscard]] client_errc ehlo() {
    if (state_ != client_state::greeted) return client_errc::local_wrong_state;
    if (const client_errc e = plan_ehlo(opt_.lmtp ? verb::lhlo : verb::ehlo); e != client_errc::ok) return e;
    state_ = client_state::ehlo;
    flush();
    return client_errc::ok;
  }

  /// Sends STARTTLS (RFC 3207); its 220 gives starttls_ready (status::paused).
  [[nodiscard]] client_errc starttls() {
    if (state_ != client_state::ready) return client_errc::local_wrong_state;
    if (!have_ehlo_ || !caps_.starttls || tls_) return client_errc::local_not_advertised;
    plan(detail::client_op::starttls, "STARTTLS\r\n");
    state_ = client_state::starttls;
    flush();
    return client_errc::ok;
  }

  /// The host finished the TLS handshake after starttls_ready: the session forgets what it knew
  /// about the server and sends EHLO again (RFC 3207 section 4.2).
  [[nodiscard]] client_errc tls_started() {
    if (state_ != client_state::tls_handshake) return client_errc::local_wrong_state;
    tls_ = true;
    caps_ = {};
    have_ehlo_ = false;
    ehlo_raw_->clear();
    state_ = client_state::greeted;
    if (opt_.auto_ehlo) return ehlo();
    return client_errc::ok;
  }

  /// AUTH PLAIN with the initial response authzid NUL authcid NUL password (RFC 4616, RFC 4954).
  [[nodiscard]] client_errc auth_plain(std::string_view authcid, std::string_view password,
                                       std::string_view authzid = {}) {
    if (const client_errc e = auth_check("PLAIN"); e != client_errc::ok) return e;
    if (authcid.find('\0') != std::string_view::npos || password.find('\0') != std::string_view::npos ||
        authzid.find('\0') != std::string_view::npos)
      return client_errc::local_invalid_value;
    std::string raw;
    raw.append(authzid).push_back('\0');
    raw.append(authcid).push_back('\0');
    raw.append(password);
    const client_errc e = start_auth("PLAIN", std::string_view(raw));
    wipe(raw);
    return e;
  }

  /// AUTH LOGIN: the session answers the two 334 prompts with the user name and the password
  /// (each base64), then reports auth_done or auth_failed.
  [[nodiscard]] client_errc auth_login(std::string_view user, std::string_view password) {
    if (const client_errc e = auth_check("LOGIN"); e != client_errc::ok) return e;
    const client_errc e = start_auth("LOGIN", std::nullopt);
    if (e != client_errc::ok) return e;
    login_user_.assign(user);
    login_pass_.assign(password);
    login_step_ = 1;
    return client_errc::ok;
  }

  /// AUTH with any offered SASL mechanism (RFC 4954 section 4); `initial_response` raw bytes
  /// (base64-encoded here; empty gives "="), or none. 334 challenges come as auth_challenge.
  [[nodiscard]] client_errc auth(std::string_view mechanism,
                                 std::optional<std::string_view> initial_response = std::nullopt) {
    if (const client_errc e = auth_check(mechanism); e != client_errc::ok) return e;
    return start_auth(mechanism, initial_response);
  }

  /// Answers an auth_challenge with raw bytes (base64-encoded here).
  [[nodiscard]] client_errc auth_continue(std::string_view response) {
    if (state_ != client_state::auth_challenge) return client_errc::local_wrong_state;
    std::string b64;
    detail::client_b64_encode(response, b64);
    const client_errc e = auth_line({false, b64});
    wipe(b64);
    return e;
  }

  /// Answers an auth_challenge with text that is already base64.
  [[nodiscard]] client_errc auth_continue_base64(std::string_view base64) {
    if (state_ != client_state::auth_challenge) return client_errc::local_wrong_state;
    return auth_line({false, base64});
  }

  /// Cancels the exchange with "*" (RFC 4954 section 4); the server answers 501: auth_failed.
  [[nodiscard]] client_errc auth_cancel() {
    if (state_ != client_state::auth_challenge) return client_errc::local_wrong_state;
    return auth_line({true, {}});
  }

  /// Starts a transaction: MAIL FROM, one RCPT TO per recipient, then DATA (or BDAT, see
  /// prefer_chunking) — all in one group when PIPELINING is offered (RFC 2920 section 3.1), else
  /// one command per reply. Parameters the server did not offer: SIZE, DSN (RET ENVID NOTIFY
  /// ORCPT), AUTH= and MT-PRIORITY are left out (hints); BODY=8BITMIME/BINARYMIME, SMTPUTF8,
  /// REQUIRETLS, BY and RRVS are refused (local_*): they would change what the server promises.
  /// SMTPUTF8 is added when a path is not ASCII (RFC 6531 3.4). Nothing is sent on error.
  [[nodiscard]] client_errc send_envelope(const path& from, std::span<const recipient> to,
                                          const mail_parameters& params = {}) {
    if (state_ != client_state::ready) return client_errc::local_wrong_state;
    if (to.empty()) return client_errc::local_no_recipients;
    command mail;
    mail.v = verb::mail;
    mail.path = from;
    mail.params = params;
    mail_parameters& p = mail.params;
    const ehlo_capabilities& c = caps_;
    bool utf8 = p.smtputf8 || detail::client_non_ascii(from);
    for (const recipient& r : to) utf8 = utf8 || detail::client_non_ascii(r.to);
    if (utf8 && !c.smtputf8) return client_errc::local_smtputf8_required;
    p.smtputf8 = utf8;
    if (p.size && !c.size) p.size.reset();
    if (p.size && c.size_limit && *c.size_limit != 0 && *p.size > *c.size_limit)
      return client_errc::local_too_large;
    if (p.body == body_type::eight_bit_mime && !c.eightbitmime) return client_errc::local_not_advertised;
    if (p.body == body_type::binary_mime && !(c.binarymime && c.chunking))
      return client_errc::local_not_advertised;
    if (p.body == body_type::seven_bit && !c.eightbitmime) p.body = body_type::none;
    if (p.requiretls && !(c.requiretls && tls_)) return client_errc::local_requiretls_unavailable;
    if (!c.dsn) {
      p.ret = ret_type::none;
      p.envid.reset();
    }
    if (!(c.auth || c.auth_legacy)) p.auth.reset();
    if (!c.mt_priority) p.mt_priority.reset();
    if (p.by && !c.deliverby) return client_errc::local_not_advertised;
    std::vector<std::string> lines;
    lines.reserve(to.size() + 1);
    lines.emplace_back();
    if (serialize(mail, lines.back()) != errc::ok) return client_errc::local_invalid_value;
    for (const recipient& r : to) {
      if (r.to.null) return client_errc::local_invalid_value;
      command rc;
      rc.v = verb::rcpt;
      rc.path = r.to;
      rc.params = r.params;
      if (!c.dsn) {
        rc.params.notify = 0;
        rc.params.orcpt.reset();
      }
      if (rc.params.rrvs && !c.rrvs) return client_errc::local_not_advertised;
      lines.emplace_back();
      if (serialize(rc, lines.back()) != errc::ok) return client_errc::local_invalid_value;
    }
    // Committed: plan the group.
    results_.assign(to.size(), recipient_result{});
    rcpt_count_ = to.size();
    accepted_ = 0;
    mail_ok_ = false;
    binary_ = p.body == body_type::binary_mime;
    use_bdat_ = binary_ || (opt_.prefer_chunking && c.chunking);
    data_in_group_ = c.pipelining && !use_bdat_ && !opt_.require_all_recipients;
    plan(detail::client_op::mail, std::move(lines[0]));
    for (std::size_t i = 0; i < to.size(); ++i) plan(detail::client_op::rcpt, std::move(lines[i + 1]), i);
    if (data_in_group_) plan(detail::client_op::data, "DATA\r\n");
    state_ = client_state::mail;
    flush();
    return client_errc::ok;
  }

  /// send_envelope() for recipients without RCPT parameters.
  [[nodiscard]] client_errc send_envelope(const path& from, std::span<const path> to,
                                          const mail_parameters& params = {}) {
    std::vector<recipient> v;
    v.reserve(to.size());
    for (const path& p : to) v.push_back({p, {}});
    return send_envelope(from, std::span<const recipient>(v), params);
  }

  /// True when send_data() may be called now: after data_ready, until the last chunk; with BDAT
  /// and no PIPELINING, again only after the data_ready that follows each chunk's 250.
  [[nodiscard]] bool can_send_data() const noexcept {
    if (state_ != client_state::data) return false;
    if (!use_bdat_ || caps_.pipelining) return true;
    for (const auto& f : inflight_)
      if (f.op == detail::client_op::bdat) return false;
    return true;
  }

  /// Streams a piece of the message (any size; `last` on the final one, which may be empty).
  /// DATA: dot-stuffing and CRLF line ends, then CRLF "." CRLF (RFC 5321 4.5.2). BDAT: one
  /// "BDAT n [LAST]" chunk (RFC 3030), line ends made CRLF unless BODY=BINARYMIME.
  [[nodiscard]] client_errc send_data(std::string_view chunk, bool last) {
    if (!can_send_data()) return client_errc::local_wrong_state;
    if (!use_bdat_) {
      const std::size_t start = out_.size();
      std::size_t done = 0;
      for (;;) {
        const std::size_t cap = 2 * (chunk.size() - done) + 16;
        const std::size_t at = out_.size();
        out_.resize(at + cap);
        const auto r = sender_.encode(chunk.substr(done), std::span<char>(out_.data() + at, cap), last);
        out_.resize(at + r.produced);
        done += r.consumed;
        if (r.st == status::error) {
          out_.resize(start);
          return client_errc::local_wrong_state;
        }
        if (r.st != status::paused) break;
      }
    } else {
      bdat_buf_.clear();
      if (binary_) {
        bdat_buf_.assign(chunk);
      } else {
        bdat_buf_.reserve(chunk.size() + chunk.size() / 8 + 2);
        for (char ch : chunk) {
          if (bdat_cr_) {
            bdat_cr_ = false;
            bdat_buf_ += "\r\n";
            if (ch == '\n') continue;
          }
          if (ch == '\r') bdat_cr_ = true;
          else if (ch == '\n') bdat_buf_ += "\r\n";
          else bdat_buf_.push_back(ch);
        }
        if (last && bdat_cr_) {
          bdat_cr_ = false;
          bdat_buf_ += "\r\n";
        }
      }
      if (bdat_buf_.empty() && !last) return client_errc::ok;
      out_ += "BDAT ";
      ascii::append_decimal(out_, bdat_buf_.size());
      out_ += last ? " LAST\r\n" : "\r\n";
      out_ += bdat_buf_;
      bdat_buf_.clear();
      if (!last) inflight_.push_back({detail::client_op::bdat});
    }
    if (last) {
      expect_message_replies();
      state_ = client_state::data_end;
    }
    return client_errc::ok;
  }

  /// RSET (RFC 5321 4.1.1.5); the reply comes as a `reply` event.
  [[nodiscard]] client_errc rset() { return simple(detail::client_op::rset, "RSET\r\n"); }
  /// NOOP (RFC 5321 4.1.1.9).
  [[nodiscard]] client_errc noop() { return simple(detail::client_op::noop, "NOOP\r\n"); }
  /// VRFY (RFC 5321 4.1.1.6).
  [[nodiscard]] client_errc vrfy(std::string_view arg) { return with_arg(verb::vrfy, arg); }
  /// EXPN (RFC 5321 4.1.1.7).
  [[nodiscard]] client_errc expn(std::string_view arg) { return with_arg(verb::expn, arg); }
  /// HELP (RFC 5321 4.1.1.8), with an optional topic.
  [[nodiscard]] client_errc help(std::string_view topic = {}) { return with_arg(verb::help, topic); }

  /// QUIT (RFC 5321 4.1.1.10); allowed after the greeting (also a refused one) when no
  /// transaction or exchange is under way. Its reply gives `closed`.
  [[nodiscard]] client_errc quit() {
    if (state_ != client_state::ready && state_ != client_state::greeted && state_ != client_state::refused)
      return client_errc::local_wrong_state;
    plan(detail::client_op::quit, "QUIT\r\n");
    state_ = client_state::quit;
    flush();
    return client_errc::ok;
  }

  // ---- output and queries -----------------------------------------------------------------

  /// Bytes to write to the server (valid until the next non-const call).
  [[nodiscard]] std::string_view output() const noexcept { return out_; }
  /// Marks the first `n` bytes of output() as written.
  void consume_output(std::size_t n) { out_.erase(0, n < out_.size() ? n : out_.size()); }
  /// Takes all pending output.
  [[nodiscard]] std::string take_output() { return std::exchange(out_, std::string()); }

  /// What the last EHLO reply announced (empty before it, after HELO and after tls_started()).
  [[nodiscard]] const ehlo_capabilities& capabilities() const noexcept { return caps_; }
  /// The whole EHLO reply (domain, greeting, unknown extensions); meaningful after ehlo_done.
  [[nodiscard]] std::optional<ehlo_reply> ehlo_info() const noexcept {
    if (!have_ehlo_) return std::nullopt;
    return ehlo_;
  }
  /// The connection is under TLS (tls_started() or client_options::tls).
  [[nodiscard]] bool tls() const noexcept { return tls_; }
  [[nodiscard]] client_state state() const noexcept { return state_; }
  /// One result per recipient of the current (or last) transaction, in send_envelope() order.
  [[nodiscard]] std::span<const recipient_result> recipient_results() const noexcept { return results_; }
  /// The sticky error (ok when none).
  [[nodiscard]] client_errc error() const noexcept { return err_; }

  /// Back to a new session with the same options (for a new connection).
  void reset() {
    client_options o = std::move(opt_);
    *this = client_session(std::move(o));
  }

 private:
  using op = detail::client_op;

  // The transition table: one server reply against the oldest outstanding command.
  client_result handle(client_event& ev, std::size_t at) {
    const int code = ev.reply.code;
    const int k = code / 100;
    if (inflight_.empty()) {
      if (state_ == client_state::greeting) {
        ev.kind = client_event_kind::greeting;
        if (code == 421) return closed_with(ev);
        if (code == 220) {
          state_ = client_state::greeted;
          if (opt_.auto_ehlo) (void)ehlo();
        } else if (k == 4 || k == 5) {
          state_ = client_state::refused;
        } else {
          return fail(client_errc::unexpected_reply, reply_errc::ok, at);
        }
        return event(ev);
      }
      if (code == 421) return closed_with(ev);
      return fail(client_errc::unexpected_reply, reply_errc::ok, at);
    }
    const detail::client_inflight f = inflight_.front();
    inflight_.pop_front();
    ev.command = detail::client_op_verb(f.op, opt_.lmtp);
    if (code == 421) return closed_with(ev);  // RFC 5321 3.8: in any state
    if (f.ignore) return {};
    const bool three = k == 3;
    switch (f.op) {
      case op::ehlo:
      case op::helo: {
        if (three) break;
        ev.kind = client_event_kind::ehlo_done;
        ev.helo = f.op == op::helo;
        if (code == 250 && f.op == op::ehlo) {
          std::string& raw = *ehlo_raw_;
          raw.assign(ev.reply.raw);
          reply_options ro;
          ro.allow_bare_lf = opt_.allow_bare_lf;
          ro.allow_8bit_text = opt_.allow_8bit_text;
          ro.allow_empty_text = opt_.allow_empty_text;
          reply_limits lim = opt_.limits;
          lim.max_line = lim.max_bytes = ~std::size_t{0} >> 1;
          const auto again = parse_reply(raw, lim, ro);
          const auto e = parse_ehlo(again.value);
          if (again.st != status::event || e.error != reply_errc::ok) {
            std::size_t off = 0, line = 0;
            while (line < e.line && off < raw.size()) {
              const std::size_t lf = raw.find('\n', off);
              off = lf == std::string::npos ? raw.size() : lf + 1;
              ++line;
            }
            return fail(client_errc::bad_ehlo, e.error, at + off);
          }
          ehlo_ = e.value;
          caps_ = e.value.caps;
          have_ehlo_ = true;
          ev.reply = ehlo_.source;
          state_ = client_state::ready;
          return event(ev);
        }
        if (code == 250) {  // HELO
          caps_ = {};
          have_ehlo_ = false;
          state_ = client_state::ready;
          return event(ev);
        }
        if (k == 2) break;
        if (f.op == op::ehlo && !opt_.lmtp && (code == 500 || code == 502)) {
          // RFC 5321 3.2: fall back to HELO (a Domain only: not with an address literal).
          if (plan_ehlo(verb::helo) == client_errc::ok) return {};
        }
        state_ = client_state::greeted;
        return event(ev);
      }
      case op::starttls:
        if (code == 220) {
          if (in_pos_ != in_.size())  // RFC 3207 4.2 / CVE-2011-0411: never read these
            return fail(client_errc::plaintext_injection, reply_errc::ok, in_pos_);
          state_ = client_state::tls_handshake;
          ev.kind = client_event_kind::starttls_ready;
          client_result r;
          r.st = status::paused;
          r.ev = ev;
          return r;
        }
        if (k == 2 || three) break;
        ev.kind = client_event_kind::reply;
        state_ = client_state::ready;
        return event(ev);
      case op::auth:
      case op::auth_line:
        if (code == 235) {
          end_auth();
          ev.kind = client_event_kind::auth_done;
          return event(ev);
        }
        if (code == 334) {
          challenge_.clear();
          const std::string_view text = ev.reply.lines().front();
          if (!detail::client_b64_decode(text, challenge_))
            return fail(client_errc::bad_challenge, reply_errc::ok, at + 4);
          if (login_step_ == 1 || login_step_ == 2) {
            std::string b64;
            detail::client_b64_encode(login_step_ == 1 ? login_user_ : login_pass_, b64);
            ++login_step_;
            out_ += b64;
            out_ += "\r\n";
            wipe(b64);
            inflight_.push_back({op::auth_line});
            return {};
          }
          ev.kind = client_event_kind::auth_challenge;
          ev.challenge = challenge_;
          state_ = client_state::auth_challenge;
          return event(ev);
        }
        if (k == 2 || three) break;
        end_auth();
        ev.kind = client_event_kind::auth_failed;
        return event(ev);
      case op::mail:
        if (three) break;
        ev.kind = client_event_kind::mail_result;
        mail_ok_ = k == 2;
        if (!mail_ok_ && !planned_.empty() && planned_.front().op == op::rcpt) {
          // Not pipelined: the RCPTs were not sent; the transaction ends here.
          planned_.clear();
          end_unsent(false);
        }
        return event(ev);
      case op::rcpt: {
        if (three) break;
        ev.kind = client_event_kind::rcpt_result;
        ev.index = f.index;
        recipient_result& rr = results_[f.index];
        rr.rcpt_code = code;
        if (k == 2) ++accepted_;
        else rr.reply.assign(ev.reply.raw);
        if (f.index + 1 == rcpt_count_ && !data_in_group_) {
          const bool go = mail_ok_ && accepted_ > 0 &&
                          (!opt_.require_all_recipients || accepted_ == rcpt_count_);
          if (!go) {
            end_unsent(mail_ok_);
          } else if (use_bdat_) {
            state_ = client_state::data;
            bdat_cr_ = false;
            client_event d;
            d.kind = client_event_kind::data_ready;
            d.command = verb::bdat;
            deferred_.push_back(d);
          } else {
            plan(op::data, "DATA\r\n");
          }
        }
        return event(ev);
      }
      case op::data:
        if (code == 354) {
          if (!mail_ok_ || accepted_ == 0) {
            out_ += ".\r\n";  // RFC 2920 3.1: 354 with no recipient: end the empty message
            inflight_.push_back({op::dot_abort});
            return {};
          }
          state_ = client_state::data;
          sender_.reset();
          ev.kind = client_event_kind::data_ready;
          return event(ev);
        }
        if (k == 2 || three) break;
        message_failed(ev);
        return event(ev);
      case op::dot_abort:
        if (three) break;
        ev.kind = client_event_kind::message_result;
        ev.last = true;
        state_ = client_state::ready;
        return event(ev);
      case op::bdat:
        if (three) break;
        if (k == 2) {
          if (caps_.pipelining) return {};
          ev.kind = client_event_kind::data_ready;
          return event(ev);
        }
        for (auto& x : inflight_)
          if (x.op == op::bdat || x.op == op::data_end) x.ignore = true;
        message_failed(ev);
        return event(ev);
      case op::data_end: {
        if (three) break;
        ev.kind = client_event_kind::message_result;
        ev.last = f.last;
        if (opt_.lmtp) {
          ev.index = f.index;
          results_[f.index].data_code = code;
          results_[f.index].reply.assign(ev.reply.raw);
        } else {
          for (recipient_result& rr : results_) {
            if (rr.rcpt_code / 100 != 2) continue;
            rr.data_code = code;
            rr.reply.assign(ev.reply.raw);
          }
        }
        if (f.last) state_ = client_state::ready;
        return event(ev);
      }
      case op::rset_internal:
        if (three) break;
        return {};
      case op::rset:
      case op::noop:
      case op::vrfy:
      case op::expn:
      case op::help:
        if (three) break;
        ev.kind = client_event_kind::reply;
        return event(ev);
      case op::quit:
        state_ = client_state::closed;
        ev.kind = client_event_kind::closed;
        planned_.clear();
        inflight_.clear();
        return event(ev);
    }
    return fail(client_errc::unexpected_reply, reply_errc::ok, at);
  }

  // Sends planned commands while RFC 2920's grouping rules allow.
  void flush() {
    while (!planned_.empty()) {
      detail::client_planned& p = planned_.front();
      if (!inflight_.empty()) {
        if (!caps_.pipelining || !detail::client_may_join(p.op)) break;
        bool open = true;
        for (const auto& f : inflight_) open = open && detail::client_group_continues(f.op);
        if (!open) break;
      }
      out_ += p.line;
      inflight_.push_back({p.op, p.index});
      planned_.pop_front();
    }
  }

  void plan(op o, std::string line, std::size_t index = no_index) {
    planned_.push_back({o, index, std::move(line)});
  }

  client_errc plan_ehlo(verb v) {
    command c;
    c.v = v;
    c.domain = opt_.local_host;
    limits lim;
    if (!parse_domain_or_literal(c.domain, c.kind, lim, true).ok()) return client_errc::local_invalid_value;
    std::string line;
    if (serialize(c, line) != errc::ok) return client_errc::local_invalid_value;
    plan(v == verb::helo ? op::helo : op::ehlo, std::move(line));
    return client_errc::ok;
  }

  client_errc simple(op o, std::string_view line) {
    if (state_ != client_state::ready) return client_errc::local_wrong_state;
    plan(o, std::string(line));
    flush();
    return client_errc::ok;
  }

  client_errc with_arg(verb v, std::string_view arg) {
    if (state_ != client_state::ready) return client_errc::local_wrong_state;
    command c;
    c.v = v;
    c.argument = arg;
    std::string line;
    if (serialize(c, line) != errc::ok) return client_errc::local_invalid_value;
    plan(v == verb::vrfy ? op::vrfy : v == verb::expn ? op::expn : op::help, std::move(line));
    flush();
    return client_errc::ok;
  }

  client_errc auth_check(std::string_view mechanism) const {
    if (state_ != client_state::ready) return client_errc::local_wrong_state;
    if (!have_ehlo_ || !(caps_.auth || caps_.auth_legacy) || !caps_.has_auth(mechanism))
      return client_errc::local_not_advertised;
    return client_errc::ok;
  }

  client_errc start_auth(std::string_view mechanism, std::optional<std::string_view> ir) {
    command c;
    c.v = verb::auth;
    c.mechanism = mechanism;
    std::string b64;
    if (ir) {
      if (ir->empty()) {
        c.ir = initial_response::empty;
      } else {
        detail::client_b64_encode(*ir, b64);
        c.ir = initial_response::data;
        c.response = b64;
      }
    }
    std::string line;
    const errc e = serialize(c, line);
    wipe(b64);
    if (e != errc::ok) return client_errc::local_invalid_value;
    plan(op::auth, std::move(line));
    login_step_ = 0;
    state_ = client_state::auth;
    flush();
    return client_errc::ok;
  }

  client_errc auth_line(const auth_response& a) {
    std::string line;
    if (serialize(a, line) != errc::ok) return client_errc::local_invalid_value;
    out_ += line;
    wipe(line);
    inflight_.push_back({op::auth_line});
    state_ = client_state::auth;
    return client_errc::ok;
  }

  void end_auth() {
    wipe(login_user_);
    wipe(login_pass_);
    login_step_ = 0;
    state_ = client_state::ready;
  }

  static void wipe(std::string& s) noexcept {
    for (char& c : s) c = '\0';
    s.clear();
  }

  // The transaction ends without the message: message_result (code 0), RSET when MAIL was
  // accepted (the server still holds the transaction).
  void end_unsent(bool send_rset) {
    if (send_rset) plan(op::rset_internal, "RSET\r\n");
    client_event m;
    m.kind = client_event_kind::message_result;
    m.command = verb::data;
    m.last = true;
    deferred_.push_back(m);
    state_ = client_state::ready;
  }

  // DATA refused, or a BDAT chunk refused: the transaction is over.
  void message_failed(client_event& ev) {
    ev.kind = client_event_kind::message_result;
    ev.last = true;
    for (recipient_result& rr : results_) {
      if (rr.rcpt_code / 100 != 2) continue;
      rr.data_code = ev.reply.code;
      rr.reply.assign(ev.reply.raw);
    }
    if (mail_ok_) plan(op::rset_internal, "RSET\r\n");
    state_ = client_state::ready;
  }

  // After the end of the data: one reply (SMTP) or one per accepted recipient (LMTP, RFC 2033
  // section 4.2; also after BDAT LAST, section 4.3).
  void expect_message_replies() {
    if (!opt_.lmtp) {
      inflight_.push_back({op::data_end, no_index, true});
      return;
    }
    std::size_t lastk = no_index;
    for (std::size_t i = 0; i < results_.size(); ++i)
      if (results_[i].rcpt_code / 100 == 2) lastk = i;
    for (std::size_t i = 0; i < results_.size(); ++i)
      if (results_[i].rcpt_code / 100 == 2) inflight_.push_back({op::data_end, i, i == lastk});
  }

  // lenient_code_mismatch: every line gets the first line's code for parsing; the event then
  // carries the last line's code.
  reply_result parse_mismatched(std::string_view view, const reply_options& ro) {
    const std::size_t n = view.size() < opt_.limits.max_bytes ? view.size() : opt_.limits.max_bytes;
    scratch_.assign(view.substr(0, n));
    int last_code = 0;
    std::size_t p = 0;
    bool first = true;
    char code[3] = {};
    while (p < scratch_.size()) {
      const std::size_t lf = scratch_.find('\n', p);
      if (scratch_.size() - p >= 3 && detail::reply_code_digits(scratch_[p], scratch_[p + 1], scratch_[p + 2])) {
        if (first) {
          code[0] = scratch_[p];
          code[1] = scratch_[p + 1];
          code[2] = scratch_[p + 2];
        }
        last_code = (scratch_[p] - '0') * 100 + (scratch_[p + 1] - '0') * 10 + (scratch_[p + 2] - '0');
        scratch_[p] = code[0];
        scratch_[p + 1] = code[1];
        scratch_[p + 2] = code[2];
      }
      first = false;
      if (lf == std::string::npos) break;
      const bool final_line = lf - p < 4 || scratch_[p + 3] != '-';
      p = lf + 1;
      if (final_line) break;
    }
    reply_result r = parse_reply(scratch_, opt_.limits, ro);
    if (r.st == status::event) r.value.code = last_code;
    return r;
  }

  client_result event(const client_event& ev) {
    client_result r;
    r.st = status::event;
    r.ev = ev;
    return r;
  }

  client_result closed_with(client_event& ev) {
    ev.kind = client_event_kind::closed;
    state_ = client_state::closed;
    planned_.clear();
    inflight_.clear();
    deferred_.clear();
    return event(ev);
  }

  void set_error(client_errc e, reply_errc re, std::uint64_t abs_offset) {
    err_ = e;
    err_reply_ = re;
    err_off_ = abs_offset;
    state_ = client_state::error;
  }
  // `off` is an index into in_.
  client_result fail(client_errc e, reply_errc re, std::size_t off) {
    set_error(e, re, in_base_ + off);
    return error_result();
  }
  client_result error_result() const {
    client_result r;
    r.st = status::error;
    r.error = err_;
    r.reply_error = err_reply_;
    r.error_offset = err_off_;
    return r;
  }

  void compact() {
    if (in_pos_ == 0) return;
    in_.erase(0, in_pos_);
    in_base_ += in_pos_;
    in_pos_ = 0;
  }

  client_options opt_;
  client_state state_ = client_state::greeting;
  // Server side
  std::string in_;
  std::size_t in_pos_ = 0;
  std::uint64_t in_base_ = 0;
  std::string scratch_;
  client_errc err_ = client_errc::ok;
  reply_errc err_reply_ = reply_errc::ok;
  std::uint64_t err_off_ = 0;
  // Our side
  std::string out_;
  std::deque<detail::client_planned> planned_;
  std::deque<detail::client_inflight> inflight_;
  std::deque<client_event> deferred_;
  // What we know of the server
  // The EHLO reply's bytes, where caps_ and ehlo_ point; on the heap so that they stay put
  // when the session is moved.
  std::unique_ptr<std::string> ehlo_raw_ = std::make_unique<std::string>();
  ehlo_reply ehlo_{};
  ehlo_capabilities caps_{};
  bool have_ehlo_ = false;
  bool tls_ = false;
  // AUTH
  std::string challenge_, login_user_, login_pass_;
  int login_step_ = 0;
  // The transaction
  std::vector<recipient_result> results_;
  std::size_t rcpt_count_ = 0, accepted_ = 0;
  bool mail_ok_ = false, use_bdat_ = false, binary_ = false, data_in_group_ = false;
  bool bdat_cr_ = false;
  data_sender sender_;
  std::string bdat_buf_;
};

}  // namespace mailwire::smtp

template <>
struct std::is_error_code_enum<mailwire::smtp::client_errc> : std::true_type {};
