// mailwire/pop3/client.hpp — the POP3 (RFC 1939) client session, sans-I/O: greeting with the
// APOP timestamp, CAPA (RFC 2449) sent by itself, STLS (RFC 2595), USER/PASS, APOP, SASL AUTH
// (RFC 5034), UTF8 (RFC 6856), response codes typed (RFC 2449 section 8, RFC 3206), commands
// pipelined when the server offers PIPELINING (RFC 2449 section 6.6), listings one entry per
// event and message bodies streamed un-stuffed; plus plan_sync(), UIDL-based sync.
//
//   namespace pop3 = mailwire::pop3;
//   pop3::client_session s;                       // waits for the greeting
//   // loop: write s.output() to the socket and s.consume_output(n); feed socket bytes with
//   //       s.receive(bytes) (it returns how many it took: keep the rest); then drain events:
//   for (auto st = s.next_event(); st != mailwire::status::need_more; st = s.next_event()) {
//     if (st == mailwire::status::error) fail(s.error(), s.error_offset());    // sticky
//     const pop3::client_event& ev = s.event();
//     switch (ev.kind) {
//       case pop3::client_event_kind::capabilities:             // CAPA was sent by itself
//         if (s.capabilities().stls && !s.tls()) (void)s.stls(); // -> stls_ready (paused)
//         else (void)s.user_pass(user, password);                // -> logged_in / login_failed
//         break;
//       case pop3::client_event_kind::stls_ready: handshake(); (void)s.tls_started(); break;
//       case pop3::client_event_kind::logged_in: (void)s.uidl(); break;   // uidl_entry...
//       case pop3::client_event_kind::uidl_entry: keep(ev.message, ev.uid); break;
//       case pop3::client_event_kind::listing_end: for (n : new ones) (void)s.retr(n); break;
//       case pop3::client_event_kind::message_data: store(ev.data); break;  // un-stuffed
//       case pop3::client_event_kind::closed: close_socket(); break;
//       default: break;
//     }
//   }
//
// Theory of operation (DESIGN.md section 3). The host's side and the server's side are kept
// apart: a command checks state() and returns client_errc::local_* without changing anything
// when misused; server bytes go through receive() into a bounded buffer and are read one
// response (or one listing line, or one body chunk) per next_event(), and anything malformed or
// out of place is a sticky error with the offset of the byte (counted from the first byte given
// to receive()). Commands are queued in order; a queued command is written to the output when no
// response is outstanding or, when the server offers PIPELINING (and client_options::pipelining
// is on), when no outstanding command is STLS, AUTH (or a SASL line) or QUIT. Responses are
// matched to outstanding commands in order, so a pipelined session and a one-at-a-time one give
// the same events.
//
//   state          | server response or host call     -> next state, event
//   greeting       | +OK (APOP timestamp kept)        -> authorization, greeting (CAPA queued)
//                  | -ERR                             -> refused (only quit()), greeting
//   authorization  | capa(), utf8()                   -> authorization: capabilities / done
//                  | stls() then +OK                  -> tls_handshake, stls_ready (paused)
//   tls_handshake  | tls_started()                    -> authorization (capabilities forgotten,
//                  |                                     CAPA queued: RFC 2595 section 4)
//                  | any server byte                  -> error plaintext_injection
//   authorization  | user_pass(), apop(), auth()      -> login
//   login          | "+ " to AUTH                     -> auth_challenge (auth_continue/cancel)
//                  | +OK / -ERR                       -> transaction, logged_in /
//                  |                                     authorization, login_failed
//   transaction    | stat/list/uidl/retr/top/dele/    -> transaction: stat, list_entry...
//                  |   rset/noop/capa                 |   listing_end, message_begin, _data...
//                  |                                  |   _end, done, refused
//   any but login  | quit() then +OK or -ERR          -> closed, closed (RFC 1939 section 6)
//
// Lifetimes: the views of an event (response text and code, uid, data) point into the session
// and are valid until the next call of receive(), next_event(), or reset(). capabilities() and
// apop_timestamp() are owned by the session (valid until the next CAPA answer, tls_started() or
// reset()). A message body is never held whole: message_data chunks are at most
// client_options::max_chunk octets.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/errc.hpp"
#include "mailwire/pop3/limits.hpp"
#include "mailwire/pop3/response.hpp"

namespace mailwire::pop3 {

/// Why the client session stopped (server errors, sticky until reset()) or refused a host call
/// (local_*: nothing was sent, the session goes on).
enum class client_errc : std::uint8_t {
  ok = 0,                 ///< no error
  // The server's bytes (RFC 1939 section 3, RFC 2449)
  bad_response,           ///< a malformed response line; client_session::parse_error() says why
  bad_listing,            ///< a malformed STAT, LIST or UIDL answer (RFC 1939 sections 5, 7)
  bad_capability,         ///< a malformed CAPA line (RFC 2449 section 9)
  too_many_capabilities,  ///< more CAPA lines than client_options::max_capabilities
  unexpected_response,    ///< a response no command waits for, or one the command cannot get
  plaintext_injection,    ///< bytes after STLS's +OK before TLS (RFC 2595 section 4, CVE-2011-0411)
  input_buffer_full,      ///< client_options::max_input bytes without a complete line
  // The host's calls
  local_state,            ///< a command that is not allowed in this state
  local_invalid_value,    ///< an argument that cannot make a valid command line
  local_not_advertised,   ///< STLS, a SASL mechanism, UTF8 or APOP the server did not offer
  local_utf8_required,    ///< a non-ASCII user name or password before UTF8 (RFC 6856 section 2)
};

/// The enumerator's meaning, for logs.
[[nodiscard]] constexpr std::string_view to_string(client_errc e) noexcept {
  switch (e) {
    case client_errc::ok: return "ok";
    case client_errc::bad_response: return "malformed response";
    case client_errc::bad_listing: return "malformed STAT, LIST or UIDL answer";
    case client_errc::bad_capability: return "malformed CAPA line";
    case client_errc::too_many_capabilities: return "too many CAPA lines";
    case client_errc::unexpected_response: return "unexpected response";
    case client_errc::plaintext_injection: return "bytes after the STLS response before TLS";
    case client_errc::input_buffer_full: return "input buffer full without a complete line";
    case client_errc::local_state: return "command not allowed in this state";
    case client_errc::local_invalid_value: return "invalid command argument";
    case client_errc::local_not_advertised: return "not offered by the server";
    case client_errc::local_utf8_required: return "non-ASCII credentials need UTF8 mode";
  }
  return "unknown POP3 client error";
}
[[nodiscard]] constexpr const char* category_name(client_errc) noexcept { return "mailwire.pop3.client"; }
[[nodiscard]] inline std::error_code make_error_code(client_errc e) noexcept { return make_code(e); }

/// Options of a client session. Every leniency is off by default.
struct client_options {
  /// Send CAPA by itself after a +OK greeting and after tls_started() (RFC 2449 section 5,
  /// RFC 2595 section 4); off: the host calls capa().
  bool auto_capa = true;
  /// Pipeline commands when CAPA lists PIPELINING (RFC 2449 section 6.6); off: one at a time.
  bool pipelining = true;
  /// The connection is under TLS from the start (port 995, RFC 8314): no STLS.
  bool tls = false;
  /// Line limits: response_line (512 with CRLF, RFC 2449 section 4) for status, CAPA and listing
  /// lines, auth_line for "+ " challenges, uid (70) and max_number for listings.
  pop3::limits limits{};
  /// Server bytes buffered at most; receive() takes no more. Keep it >= limits.auth_line.
  std::size_t max_input = 64 * 1024;
  /// Largest message_data chunk (octets of un-stuffed body per event).
  std::size_t max_chunk = 16 * 1024;
  /// CAPA lines accepted in one answer (each at most limits.response_line octets).
  std::size_t max_capabilities = 256;
  /// LENIENCY: accept LF alone as the end of a status, CAPA or listing line (not of a message
  /// body: RETR/TOP bodies end only at CRLF "." CRLF). Risk: a proxy that splits on CRLF reads
  /// the responses differently (desynchronisation). Some old servers need it.
  bool allow_bare_lf = false;
  /// LENIENCY: accept octets 0x80-0xFF in response text outside UTF8 mode (8-bit greetings and
  /// -ERR texts). Risk: a host that logs or shows the text must not assume ASCII or UTF-8.
  bool allow_8bit_text = false;
  /// LENIENCY: skip malformed CAPA lines ("SASL" with no mechanism, "EXPIRE soon") instead of
  /// failing. Risk: a capability written wrongly is treated as absent.
  bool skip_bad_capabilities = false;
};

/// The capabilities of the last CAPA answer (RFC 2449 section 6, RFC 2595, RFC 5034, RFC 6856).
struct capability_set {
  bool top = false;             ///< TOP (6.1)
  bool user = false;            ///< USER/PASS (6.2)
  bool resp_codes = false;      ///< RESP-CODES (6.4)
  bool auth_resp_code = false;  ///< AUTH-RESP-CODE (RFC 3206 section 6)
  bool pipelining = false;      ///< PIPELINING (6.6)
  bool uidl = false;            ///< UIDL (6.8)
  bool stls = false;            ///< STLS (RFC 2595 section 4)
  bool utf8 = false;            ///< UTF8 (RFC 6856 section 2)
  bool utf8_user = false;       ///< UTF8 USER: UTF-8 in USER/PASS too
  bool lang = false;            ///< LANG (RFC 6856 section 3)
  std::optional<std::uint32_t> expire;       ///< EXPIRE days (6.7); nullopt: absent or NEVER
  bool expire_never = false;                 ///< EXPIRE NEVER
  std::optional<std::uint32_t> login_delay;  ///< LOGIN-DELAY seconds (6.5)
  std::string sasl;             ///< SASL mechanisms, space-separated (RFC 5034 section 3)
  std::string implementation;   ///< IMPLEMENTATION text (6.9)
  std::vector<std::string> other;  ///< other CAPA lines, as written
  /// True when SASL lists `mechanism` (compared without case).
  [[nodiscard]] bool has_sasl(std::string_view mechanism) const noexcept {
    std::string_view m = sasl;
    while (!m.empty()) {
      const std::size_t sp = m.find(' ');
      if (ascii::iequals(m.substr(0, sp), mechanism)) return true;
      m = sp == std::string_view::npos ? std::string_view() : m.substr(sp + 1);
    }
    return false;
  }
};

/// What next_event() reports.
enum class client_event_kind : std::uint8_t {
  none,            ///< no event (need_more, error)
  greeting,        ///< the greeting: +OK (timestamp = APOP timestamp, maybe empty) or -ERR
  capabilities,    ///< CAPA answered: capabilities(); -ERR (old server) gives an empty set
  stls_ready,      ///< +OK to STLS (status::paused): do the TLS handshake, then tls_started()
  auth_challenge,  ///< "+ " to AUTH (RFC 5034 4): `data` is the base64 challenge
  logged_in,       ///< +OK to PASS, APOP or AUTH: TRANSACTION state
  login_failed,    ///< -ERR to USER, PASS, APOP or AUTH (response code: [AUTH], [IN-USE]...)
  stat,            ///< +OK to STAT: `count` messages of `size` octets
  list_entry,      ///< one scan listing of LIST: `message`, `size`
  uidl_entry,      ///< one unique-id listing of UIDL: `message`, `uid`
  listing_end,     ///< the end of a LIST or UIDL answer (also after the one-message form)
  message_begin,   ///< +OK to RETR or TOP `message`; message_data events follow
  message_data,    ///< un-stuffed message octets (`data`, at most max_chunk)
  message_end,     ///< the end of the message (CRLF "." CRLF read)
  done,            ///< +OK to DELE, RSET, NOOP or UTF8 (`command` says which)
  refused,         ///< -ERR to any other command (or to STLS, CAPA is `capabilities`)
  closed,          ///< the answer to QUIT (+OK, or -ERR from UPDATE): close the connection
};

/// One event of the client session.
struct client_event {
  client_event_kind kind = client_event_kind::none;
  keyword command = keyword::unknown;  ///< the command answered (unknown for the greeting)
  pop3::response response{};           ///< the status line: ok/err, code, text (views)
  std::uint32_t message = 0;           ///< LIST/UIDL entries, RETR/TOP/DELE: message number
  std::uint32_t count = 0;             ///< stat: messages in the maildrop
  std::uint64_t size = 0;              ///< stat: octets of the maildrop; list_entry: of the message
  std::string_view uid;                ///< uidl_entry: the unique-id (RFC 1939 section 7)
  std::string_view data;               ///< message_data: body octets; auth_challenge: base64
  std::string_view timestamp;          ///< greeting: the APOP timestamp "<...>" ("" : none)
  /// The status line was +OK (or "+ ").
  [[nodiscard]] constexpr bool ok() const noexcept { return response.k != response_kind::err; }
  /// The typed response code of the status line (RFC 2449 section 8, RFC 3206).
  [[nodiscard]] constexpr response_code code() const noexcept { return response.code_kind(); }
};

/// Where the session is (see the table in the header comment).
enum class client_state : std::uint8_t {
  greeting, authorization, refused, stls, tls_handshake, login, auth_challenge, transaction,
  quit, closed, error,
};

// ---- UIDL-based sync (RFC 1939 section 7) ------------------------------------------------------

/// One unique-id listing as the host keeps it (copied from a uidl_entry event).
struct uid_entry {
  std::uint32_t message = 0;
  std::string uid;
};

/// What plan_sync() found.
struct sync_plan {
  std::vector<std::uint32_t> fetch;  ///< message numbers whose unique-id was not seen, ascending
  std::vector<std::string> gone;     ///< seen unique-ids the server no longer lists, sorted
};

/// Compares the server's UIDL answer with the unique-ids the host already has (any range of
/// strings or views): which messages to RETR, and which ids to forget (RFC 1939 section 7:
/// unique-ids are compared octet for octet and persist across sessions). O((n + m) log(n + m)).
template <class Seen>
[[nodiscard]] sync_plan plan_sync(std::span<const uid_entry> server, const Seen& seen) {
  std::vector<std::string_view> have;
  for (const auto& s : seen) have.emplace_back(std::string_view(s));
  std::sort(have.begin(), have.end());
  have.erase(std::unique(have.begin(), have.end()), have.end());
  std::vector<std::string_view> listed;
  listed.reserve(server.size());
  sync_plan p;
  for (const uid_entry& e : server) {
    listed.emplace_back(e.uid);
    if (!std::binary_search(have.begin(), have.end(), std::string_view(e.uid))) p.fetch.push_back(e.message);
  }
  std::sort(p.fetch.begin(), p.fetch.end());
  p.fetch.erase(std::unique(p.fetch.begin(), p.fetch.end()), p.fetch.end());
  std::sort(listed.begin(), listed.end());
  for (std::string_view h : have)
    if (!std::binary_search(listed.begin(), listed.end(), h)) p.gone.emplace_back(h);
  return p;
}

namespace detail {

enum class client_op : std::uint8_t {
  capa, stls, user, pass, apop, auth, auth_line, stat, list, uidl, retr, top, dele, rset, noop,
  utf8, quit,
};

struct client_planned {
  client_op op;
  std::uint32_t message = 0;
  bool multi = false;  // LIST/UIDL without argument
  std::string line;
};

struct client_inflight {
  client_op op;
  std::uint32_t message = 0;
  bool multi = false;
  bool ignore = false;  // a PASS sent after a USER that got -ERR: its -ERR is swallowed
};

[[nodiscard]] constexpr keyword client_op_keyword(client_op op) noexcept {
  switch (op) {
    case client_op::capa: return keyword::capa;
    case client_op::stls: return keyword::stls;
    case client_op::user: return keyword::user;
    case client_op::pass: return keyword::pass;
    case client_op::apop: return keyword::apop;
    case client_op::auth:
    case client_op::auth_line: return keyword::auth;
    case client_op::stat: return keyword::stat;
    case client_op::list: return keyword::list;
    case client_op::uidl: return keyword::uidl;
    case client_op::retr: return keyword::retr;
    case client_op::top: return keyword::top;
    case client_op::dele: return keyword::dele;
    case client_op::rset: return keyword::rset;
    case client_op::noop: return keyword::noop;
    case client_op::utf8: return keyword::utf8;
    case client_op::quit: return keyword::quit;
  }
  return keyword::unknown;
}

/// Commands after which nothing may be sent before their answer: STLS (RFC 2595 section 4), AUTH
/// and SASL lines (the next line would be read as a SASL response), QUIT.
[[nodiscard]] constexpr bool client_barrier(client_op op) noexcept {
  return op == client_op::stls || op == client_op::auth || op == client_op::auth_line || op == client_op::quit;
}

/// The APOP timestamp of a greeting text (RFC 1939 section 7): the first "<" 1*(0x21-0x7E but
/// "<" ">") ">", or "".
[[nodiscard]] constexpr std::string_view client_apop_timestamp(std::string_view text) noexcept {
  for (std::size_t lt = text.find('<'); lt != std::string_view::npos; lt = text.find('<', lt + 1)) {
    std::size_t i = lt + 1;
    while (i < text.size()) {
      const auto u = static_cast<unsigned char>(text[i]);
      if (u < 0x21 || u > 0x7E || text[i] == '<' || text[i] == '>') break;
      ++i;
    }
    if (i < text.size() && text[i] == '>' && i > lt + 1) return text.substr(lt, i - lt + 1);
  }
  return {};
}

/// "nn mm" [SP anything] of a STAT answer (RFC 1939 section 5: a drop listing; nn may be 0).
[[nodiscard]] constexpr bool client_parse_stat(std::string_view t, std::uint32_t max, std::uint32_t& count,
                                               std::uint64_t& size, std::size_t& bad) noexcept {
  const std::size_t sp = t.find(' ');
  bad = 0;
  if (sp == std::string_view::npos || parse_number(t.substr(0, sp), max, count) != errc::ok) return false;
  std::string_view s = t.substr(sp + 1);
  s = s.substr(0, s.find(' '));
  bad = sp + 1;
  if (s.empty() || s.size() > 19) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!ascii::is_digit(c)) return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  size = v;
  return true;
}

}  // namespace detail

/// The POP3 client session (RFC 1939 sections 3-7 and the extensions above). See the header
/// comment.
class client_session {
 public:
  /// A session waiting for the server's greeting.
  explicit client_session(client_options opt = {}) : opt_(std::move(opt)) {
    if (opt_.max_input == 0) opt_.max_input = 1;
    if (opt_.max_chunk == 0) opt_.max_chunk = 1;
    tls_ = opt_.tls;
  }

  // ---- server bytes and events ----------------------------------------------------------

  /// Takes server bytes into the bounded input buffer; returns how many were taken (the host
  /// keeps the rest and offers them again after next_event() has drained events). Takes none
  /// after an error; while a TLS handshake is pending any byte is a plaintext_injection error.
  [[nodiscard]] std::size_t receive(std::string_view bytes) {
    if (err_ != client_errc::ok) return 0;
    if (state_ == client_state::tls_handshake && !bytes.empty()) {
      set_error(client_errc::plaintext_injection, errc::ok, in_base_ + in_.size());
      return 0;
    }
    compact();
    const std::size_t room = opt_.max_input > in_.size() ? opt_.max_input - in_.size() : 0;
    const std::size_t n = bytes.size() < room ? bytes.size() : room;
    in_.append(bytes.data(), n);
    return n;
  }

  /// The next event (see event()): event; need_more (give more bytes); paused (stls_ready until
  /// tls_started()); error (sticky: error(), parse_error(), error_offset()).
  [[nodiscard]] status next_event() {
    if (err_ != client_errc::ok) return status::error;
    compact();
    for (;;) {
      ev_ = client_event{};  // nothing of a step that gave no event leaks into the next one
      if (!deferred_.empty()) {
        ev_ = deferred_.front();
        deferred_.pop_front();
        return status::event;
      }
      if (state_ == client_state::tls_handshake) {
        ev_.kind = client_event_kind::stls_ready;
        ev_.command = keyword::stls;
        return status::paused;
      }
      step s = step::again;
      switch (reading_) {
        case reading::status_line: s = step_response(); break;
        case reading::body: s = step_body(); break;
        default: s = step_listing(); break;
      }
      if (err_ == client_errc::ok) flush();
      switch (s) {
        case step::again: continue;
        case step::event: return status::event;
        case step::need_more: return status::need_more;
        case step::paused: return status::paused;
        case step::error: return status::error;
      }
    }
  }

  /// The last event (views valid until the next receive(), next_event() or reset()).
  [[nodiscard]] const client_event& event() const noexcept { return ev_; }

  // ---- commands (RFC 1939 sections 4-7) -----------------------------------------------------

  /// CAPA (RFC 2449 section 5); its answer gives `capabilities`. AUTHORIZATION or TRANSACTION.
  [[nodiscard]] client_errc capa() {
    if (state_ != client_state::authorization && state_ != client_state::transaction)
      return client_errc::local_state;
    queue(detail::client_op::capa, "CAPA\r\n");
    return client_errc::ok;
  }

  /// STLS (RFC 2595 section 4); its +OK gives stls_ready (status::paused). Refused when a CAPA
  /// answer did not list STLS, or under TLS already.
  [[nodiscard]] client_errc stls() {
    if (state_ != client_state::authorization || tls_) return client_errc::local_state;
    if (have_caps_ && !caps_.stls) return client_errc::local_not_advertised;
    queue(detail::client_op::stls, "STLS\r\n");
    state_ = client_state::stls;
    return client_errc::ok;
  }

  /// The TLS handshake after stls_ready is done: the session forgets the capabilities and, with
  /// auto_capa, sends CAPA again (RFC 2595 section 4).
  [[nodiscard]] client_errc tls_started() {
    if (state_ != client_state::tls_handshake) return client_errc::local_state;
    tls_ = true;
    caps_ = {};
    have_caps_ = false;
    state_ = client_state::authorization;
    if (opt_.auto_capa) queue(detail::client_op::capa, "CAPA\r\n");
    return client_errc::ok;
  }

  /// USER then PASS (RFC 1939 section 7), in one write when PIPELINING is offered; the answer to
  /// PASS (or a -ERR to USER) gives logged_in or login_failed. The password may hold spaces.
  [[nodiscard]] client_errc user_pass(std::string_view user, std::string_view password) {
    if (state_ != client_state::authorization) return client_errc::local_state;
    if (!utf8_ && (non_ascii(user) || non_ascii(password))) return client_errc::local_utf8_required;
    command u;
    u.k = keyword::user;
    u.name = user;
    command p;
    p.k = keyword::pass;
    p.secret = password;
    std::string ul, pl;
    if (serialize(u, ul) != errc::ok || serialize(p, pl) != errc::ok) {
      wipe(pl);
      return client_errc::local_invalid_value;
    }
    planned_.push_back({detail::client_op::user, 0, false, std::move(ul)});
    planned_.push_back({detail::client_op::pass, 0, false, std::move(pl)});
    state_ = client_state::login;
    flush();
    return client_errc::ok;
  }

  /// APOP name digest (RFC 1939 section 7): `hex_digest` is MD5(apop_timestamp() + secret) in
  /// 32 lower-case hex digits, computed by the host. Refused when the greeting had no timestamp.
  [[nodiscard]] client_errc apop(std::string_view user, std::string_view hex_digest) {
    if (state_ != client_state::authorization) return client_errc::local_state;
    if (apop_ts_.empty()) return client_errc::local_not_advertised;
    if (!utf8_ && non_ascii(user)) return client_errc::local_utf8_required;
    command c;
    c.k = keyword::apop;
    c.name = user;
    c.digest = hex_digest;
    return queue_login(detail::client_op::apop, c);
  }

  /// AUTH mechanism [initial-response] (RFC 5034 section 4): `initial_response_base64` is
  /// already base64 (the host encodes, e.g. with codec/sasl.hpp); "" sends "=" (an empty
  /// response); nullopt sends none. Refused when a CAPA answer did not list the mechanism.
  [[nodiscard]] client_errc auth(std::string_view mechanism,
                                 std::optional<std::string_view> initial_response_base64 = std::nullopt) {
    if (state_ != client_state::authorization) return client_errc::local_state;
    if (have_caps_ && !caps_.has_sasl(mechanism)) return client_errc::local_not_advertised;
    command c;
    c.k = keyword::auth;
    c.mechanism = mechanism;
    if (initial_response_base64) {
      c.ir = initial_response_base64->empty() ? initial_response::empty : initial_response::data;
      c.response = *initial_response_base64;
    }
    return queue_login(detail::client_op::auth, c);
  }

  /// Answers an auth_challenge with a base64 line (may be empty) (RFC 5034 section 4).
  [[nodiscard]] client_errc auth_continue(std::string_view base64) {
    if (state_ != client_state::auth_challenge) return client_errc::local_state;
    return auth_line({false, base64});
  }

  /// Cancels the SASL exchange with "*"; the server's -ERR gives login_failed (RFC 5034 4).
  [[nodiscard]] client_errc auth_cancel() {
    if (state_ != client_state::auth_challenge) return client_errc::local_state;
    return auth_line({true, {}});
  }

  /// UTF8 (RFC 6856 section 2), in AUTHORIZATION; +OK gives `done` and UTF-8 may then be used.
  [[nodiscard]] client_errc utf8() {
    if (state_ != client_state::authorization) return client_errc::local_state;
    if (have_caps_ && !caps_.utf8) return client_errc::local_not_advertised;
    queue(detail::client_op::utf8, "UTF8\r\n");
    return client_errc::ok;
  }

  /// STAT (RFC 1939 section 5): gives `stat` (count, size) or `refused`.
  [[nodiscard]] client_errc stat() { return simple(detail::client_op::stat, keyword::stat); }
  /// LIST [n] (RFC 1939 section 5): list_entry events then listing_end (n = 0: all messages).
  [[nodiscard]] client_errc list(std::uint32_t n = 0) { return numbered(detail::client_op::list, keyword::list, n); }
  /// UIDL [n] (RFC 1939 section 7): uidl_entry events then listing_end (n = 0: all messages).
  [[nodiscard]] client_errc uidl(std::uint32_t n = 0) { return numbered(detail::client_op::uidl, keyword::uidl, n); }
  /// RETR n (RFC 1939 section 5): message_begin, message_data..., message_end; or refused.
  [[nodiscard]] client_errc retr(std::uint32_t n) { return numbered(detail::client_op::retr, keyword::retr, n, true); }
  /// TOP n lines (RFC 1939 section 7): the header and `lines` body lines, as RETR.
  [[nodiscard]] client_errc top(std::uint32_t n, std::uint32_t lines) {
    if (state_ != client_state::transaction) return client_errc::local_state;
    command c;
    c.k = keyword::top;
    c.message = n;
    c.lines = lines;
    return queue_command(detail::client_op::top, c, n, false);
  }
  /// DELE n (RFC 1939 section 5): `done` or `refused`.
  [[nodiscard]] client_errc dele(std::uint32_t n) { return numbered(detail::client_op::dele, keyword::dele, n, true); }
  /// RSET (RFC 1939 section 5): `done`.
  [[nodiscard]] client_errc rset() { return simple(detail::client_op::rset, keyword::rset); }
  /// NOOP (RFC 1939 section 5): `done`.
  [[nodiscard]] client_errc noop() { return simple(detail::client_op::noop, keyword::noop); }

  /// QUIT (RFC 1939 sections 4 and 6): in TRANSACTION the server removes the deleted messages;
  /// the answer gives `closed`. Allowed whenever no login, STLS or SASL exchange is under way.
  [[nodiscard]] client_errc quit() {
    if (state_ != client_state::authorization && state_ != client_state::transaction &&
        state_ != client_state::refused)
      return client_errc::local_state;
    queue(detail::client_op::quit, "QUIT\r\n");
    state_ = client_state::quit;
    return client_errc::ok;
  }

  // ---- output and queries -----------------------------------------------------------------

  /// Bytes to write to the server (valid until the next non-const call).
  [[nodiscard]] std::string_view output() const noexcept { return out_; }
  /// Marks the first `n` bytes of output() as written.
  void consume_output(std::size_t n) { out_.erase(0, n < out_.size() ? n : out_.size()); }
  /// Takes all pending output.
  [[nodiscard]] std::string take_output() { return std::exchange(out_, std::string()); }

  [[nodiscard]] client_state state() const noexcept { return state_; }
  /// The sticky error (ok when none), the response parser's reason for bad_response and
  /// bad_listing, and the offset of the offending server byte (from the first one received).
  [[nodiscard]] client_errc error() const noexcept { return err_; }
  [[nodiscard]] errc parse_error() const noexcept { return err_parse_; }
  [[nodiscard]] std::uint64_t error_offset() const noexcept { return err_off_; }
  /// The capabilities of the last successful CAPA answer (empty before one, after a -ERR to
  /// CAPA and after tls_started()); capabilities_known() says whether there was one.
  [[nodiscard]] const capability_set& capabilities() const noexcept { return caps_; }
  [[nodiscard]] bool capabilities_known() const noexcept { return have_caps_; }
  /// The APOP timestamp "<...>" of the greeting ("" : none), for MD5(timestamp + secret).
  [[nodiscard]] std::string_view apop_timestamp() const noexcept { return apop_ts_; }
  /// Under TLS (client_options::tls, or after tls_started()).
  [[nodiscard]] bool tls() const noexcept { return tls_; }
  /// UTF8 mode is on (+OK to UTF8, RFC 6856 section 2).
  [[nodiscard]] bool utf8_mode() const noexcept { return utf8_; }
  /// Commands queued or sent and not yet answered.
  [[nodiscard]] std::size_t outstanding() const noexcept { return planned_.size() + inflight_.size(); }
  [[nodiscard]] const client_options& options() const noexcept { return opt_; }

  /// Starts over for a new connection, with the same options.
  void reset() {
    client_options o = std::move(opt_);
    *this = client_session(std::move(o));
  }

 private:
  using op = detail::client_op;
  enum class step : std::uint8_t { again, event, need_more, paused, error };
  enum class reading : std::uint8_t { status_line, capa, list, uidl, body };

  // ---- reading ----------------------------------------------------------------------------

  response_options ropts() const noexcept {
    response_options ro;
    ro.utf8 = utf8_;
    ro.lenient_bare_lf = opt_.allow_bare_lf;
    ro.lenient_8bit_text = opt_.allow_8bit_text;
    return ro;
  }

  // One status line ("+OK", "-ERR", "+ ").
  step step_response() {
    const std::string_view view = std::string_view(in_).substr(in_pos_);
    if (view.empty()) return step::need_more;
    if (state_ == client_state::closed) return fail(client_errc::unexpected_response, errc::ok, in_pos_);
    const auto r = parse_response(view, opt_.limits, ropts());
    if (r.st == status::need_more) {
      if (view.size() >= opt_.max_input) return fail(client_errc::input_buffer_full, errc::ok, in_.size());
      return step::need_more;
    }
    if (r.st == status::error) return fail(client_errc::bad_response, r.error, in_pos_ + r.error_offset);
    const std::size_t at = in_pos_;
    in_pos_ += r.consumed;
    const response& v = r.value;
    ev_.response = v;
    if (state_ == client_state::greeting) {
      if (v.k == response_kind::continuation) return fail(client_errc::unexpected_response, errc::ok, at);
      ev_.kind = client_event_kind::greeting;
      if (v.k == response_kind::ok) {
        apop_ts_.assign(detail::client_apop_timestamp(v.text));
        ev_.timestamp = apop_ts_;
        state_ = client_state::authorization;
        if (opt_.auto_capa) queue(op::capa, "CAPA\r\n");
      } else {
        state_ = client_state::refused;
      }
      return step::event;
    }
    if (inflight_.empty()) return fail(client_errc::unexpected_response, errc::ok, at);
    const detail::client_inflight f = inflight_.front();
    const bool ok = v.k == response_kind::ok, cont = v.k == response_kind::continuation;
    if (cont && f.op != op::auth && f.op != op::auth_line) return fail(client_errc::unexpected_response, errc::ok, at);
    if (f.ignore) {
      if (v.k != response_kind::err) return fail(client_errc::unexpected_response, errc::ok, at);
      inflight_.pop_front();
      return step::again;
    }
    ev_.command = detail::client_op_keyword(f.op);
    ev_.message = f.message;
    switch (f.op) {
      case op::capa:
        if (ok) {
          pending_caps_ = {};
          capa_lines_ = 0;
          reading_ = reading::capa;
          return step::again;
        }
        inflight_.pop_front();
        caps_ = {};
        have_caps_ = false;
        return emit(client_event_kind::capabilities);
      case op::stls:
        inflight_.pop_front();
        if (ok) {
          // RFC 2595 section 4 / CVE-2011-0411: bytes already here are never read.
          if (in_pos_ != in_.size()) return fail(client_errc::plaintext_injection, errc::ok, in_pos_);
          state_ = client_state::tls_handshake;
          ev_.kind = client_event_kind::stls_ready;
          return step::paused;
        }
        state_ = client_state::authorization;
        return emit(client_event_kind::refused);
      case op::user:
        inflight_.pop_front();
        if (ok) return step::again;  // PASS follows (already sent when pipelined)
        if (!inflight_.empty() && inflight_.front().op == op::pass) inflight_.front().ignore = true;
        if (!planned_.empty() && planned_.front().op == op::pass) {
          wipe(planned_.front().line);
          planned_.pop_front();
        }
        state_ = client_state::authorization;
        return emit(client_event_kind::login_failed);
      case op::pass:
      case op::apop:
      case op::auth:
      case op::auth_line:
        inflight_.pop_front();
        if (cont) {
          ev_.data = v.data;
          state_ = client_state::auth_challenge;
          return emit(client_event_kind::auth_challenge);
        }
        state_ = ok ? client_state::transaction : client_state::authorization;
        return emit(ok ? client_event_kind::logged_in : client_event_kind::login_failed);
      case op::stat: {
        inflight_.pop_front();
        if (!ok) return emit(client_event_kind::refused);
        std::size_t bad = 0;
        if (!detail::client_parse_stat(v.text, opt_.limits.max_number, ev_.count, ev_.size, bad))
          return fail_abs(client_errc::bad_listing, errc::invalid_listing, text_offset(at, v.text) + bad);
        return emit(client_event_kind::stat);
      }
      case op::list:
      case op::uidl: {
        if (!ok) {
          inflight_.pop_front();
          return emit(client_event_kind::refused);
        }
        if (f.multi) {
          reading_ = f.op == op::list ? reading::list : reading::uidl;
          return step::again;
        }
        inflight_.pop_front();
        const std::uint64_t base = text_offset(at, v.text);
        if (!entry(f.op == op::list, v.text, base)) return step::error;
        if (ev_.message != f.message) return fail_abs(client_errc::bad_listing, errc::invalid_listing, base);
        client_event end;
        end.kind = client_event_kind::listing_end;
        end.command = ev_.command;
        end.response = {};
        deferred_.push_back(end);
        return step::event;
      }
      case op::retr:
      case op::top:
        if (!ok) {
          inflight_.pop_front();
          return emit(client_event_kind::refused);
        }
        reading_ = reading::body;
        dec_.reset();
        return emit(client_event_kind::message_begin);
      case op::utf8:
        if (ok) utf8_ = true;
        [[fallthrough]];
      case op::dele:
      case op::rset:
      case op::noop:
        inflight_.pop_front();
        return emit(ok ? client_event_kind::done : client_event_kind::refused);
      case op::quit:
        inflight_.clear();
        for (auto& p : planned_) wipe(p.line);
        planned_.clear();
        state_ = client_state::closed;
        return emit(client_event_kind::closed);
    }
    return fail(client_errc::unexpected_response, errc::ok, at);
  }

  // One line of a CAPA, LIST or UIDL answer, or its end.
  step step_listing() {
    const std::string_view view = std::string_view(in_).substr(in_pos_);
    const std::size_t max = opt_.limits.response_line == 0 ? 1 : opt_.limits.response_line;
    const std::size_t scan = view.size() < max ? view.size() : max;
    const std::size_t lf = view.substr(0, scan).find('\n');
    if (lf == std::string_view::npos) {
      if (view.size() >= max) return fail(client_errc::bad_response, errc::response_line_too_long, in_pos_ + max);
      if (view.size() >= opt_.max_input) return fail(client_errc::input_buffer_full, errc::ok, in_.size());
      return step::need_more;
    }
    std::size_t len = lf;
    if (lf > 0 && view[lf - 1] == '\r') len = lf - 1;
    else if (!opt_.allow_bare_lf) return fail(client_errc::bad_response, errc::bare_lf, in_pos_ + lf);
    std::string_view line = view.substr(0, len);
    std::uint64_t at = in_base_ + in_pos_;
    for (std::size_t i = 0; i < len; ++i) {
      const auto u = static_cast<unsigned char>(line[i]);
      if (u < 0x20 || u == 0x7f)
        return fail(client_errc::bad_response,
                    u == 0 ? errc::nul_in_line : u == '\r' ? errc::bare_cr : errc::control_character, in_pos_ + i);
    }
    in_pos_ += lf + 1;
    const keyword k = detail::client_op_keyword(inflight_.front().op);
    if (line == ".") {  // the end (RFC 1939 section 3)
      const reading was = reading_;
      reading_ = reading::status_line;
      inflight_.pop_front();
      ev_.command = k;
      if (was == reading::capa) {
        caps_ = std::move(pending_caps_);
        pending_caps_ = {};
        have_caps_ = true;
        return emit(client_event_kind::capabilities);  // response: +OK, no text
      }
      return emit(client_event_kind::listing_end);
    }
    if (!line.empty() && line.front() == '.') {  // byte-stuffed
      line.remove_prefix(1);
      ++at;
    }
    if (reading_ == reading::capa) {
      if (++capa_lines_ > opt_.max_capabilities)
        return fail_abs(client_errc::too_many_capabilities, errc::ok, at);
      const auto c = parse_capability(line);
      if (!c.ok()) {
        if (opt_.skip_bad_capabilities) return step::again;
        return fail_abs(client_errc::bad_capability, c.error, at + c.error_offset);
      }
      add_capability(c.value, line);
      return step::again;
    }
    ev_.command = k;
    return entry(reading_ == reading::list, line, at) ? step::event : step::error;
  }

  // A scan or unique-id listing into ev_ (list_entry / uidl_entry). False: error set.
  bool entry(bool scan, std::string_view text, std::uint64_t at) {
    if (scan) {
      const auto r = parse_scan_listing(text, opt_.limits, true);  // RFC 1939 5: more may follow
      if (!r.ok()) {
        fail_abs(client_errc::bad_listing, r.error, at + r.error_offset);
        return false;
      }
      ev_.kind = client_event_kind::list_entry;
      ev_.message = r.value.message;
      ev_.size = r.value.size;
      return true;
    }
    const auto r = parse_uidl_listing(text, opt_.limits);
    if (!r.ok()) {
      fail_abs(client_errc::bad_listing, r.error, at + r.error_offset);
      return false;
    }
    ev_.kind = client_event_kind::uidl_entry;
    ev_.message = r.value.message;
    ev_.uid = r.value.uid;
    return true;
  }

  // Body octets of RETR/TOP, un-stuffed, one chunk per event.
  step step_body() {
    // Called even without input: a full chunk may have left the LF of a CRLF to write.
    const std::string_view view = std::string_view(in_).substr(in_pos_);
    const std::size_t cap = std::min(opt_.max_chunk, view.size() + 2);
    if (body_.size() < cap) body_.resize(cap);
    const auto r = dec_.decode(view, std::span<char>(body_.data(), cap), false);
    in_pos_ += r.consumed;
    const detail::client_inflight f = inflight_.front();
    const bool end = r.st == status::event;
    if (end) {
      inflight_.pop_front();
      reading_ = reading::status_line;
    }
    client_event last;
    last.kind = client_event_kind::message_end;
    last.command = detail::client_op_keyword(f.op);
    last.message = f.message;
    if (r.produced != 0) {
      ev_.kind = client_event_kind::message_data;
      ev_.command = last.command;
      ev_.message = f.message;
      ev_.data = std::string_view(body_.data(), r.produced);
      if (end) deferred_.push_back(last);
      return step::event;
    }
    if (end) {
      ev_ = last;
      return step::event;
    }
    return r.st == status::need_more ? step::need_more : step::again;
  }

  void add_capability(const capability& c, std::string_view line) {
    capability_set& s = pending_caps_;
    switch (c.k) {
      case capability_kind::top: s.top = true; break;
      case capability_kind::user: s.user = true; break;
      case capability_kind::resp_codes: s.resp_codes = true; break;
      case capability_kind::auth_resp_code: s.auth_resp_code = true; break;
      case capability_kind::pipelining: s.pipelining = true; break;
      case capability_kind::uidl: s.uidl = true; break;
      case capability_kind::stls: s.stls = true; break;
      case capability_kind::lang: s.lang = true; break;
      case capability_kind::utf8:
        s.utf8 = true;
        s.utf8_user = c.per_user;
        break;
      case capability_kind::expire:
        s.expire = c.value;
        s.expire_never = c.never;
        break;
      case capability_kind::login_delay: s.login_delay = c.value; break;
      case capability_kind::sasl:
        if (!s.sasl.empty()) s.sasl.push_back(' ');
        s.sasl.append(c.params);
        break;
      case capability_kind::implementation: s.implementation.assign(c.params); break;
      case capability_kind::other: s.other.emplace_back(line); break;
    }
  }

  // ---- our side -----------------------------------------------------------------------------

  [[nodiscard]] bool pipelining_now() const noexcept { return opt_.pipelining && have_caps_ && caps_.pipelining; }

  // Writes queued commands while the rules of the header comment allow.
  void flush() {
    while (!planned_.empty()) {
      if (!inflight_.empty() && (!pipelining_now() || detail::client_barrier(inflight_.back().op))) break;
      detail::client_planned& p = planned_.front();
      out_ += p.line;
      wipe(p.line);
      inflight_.push_back({p.op, p.message, p.multi, false});
      planned_.pop_front();
    }
  }

  void queue(op o, std::string line, std::uint32_t message = 0, bool multi = false) {
    planned_.push_back({o, message, multi, std::move(line)});
    flush();
  }

  client_errc queue_command(op o, const command& c, std::uint32_t message, bool multi) {
    std::string line;
    if (serialize(c, line) != errc::ok) return client_errc::local_invalid_value;
    queue(o, std::move(line), message, multi);
    return client_errc::ok;
  }

  client_errc queue_login(op o, const command& c) {
    std::string line;
    if (serialize(c, line) != errc::ok) return client_errc::local_invalid_value;
    state_ = client_state::login;
    queue(o, std::move(line));
    return client_errc::ok;
  }

  client_errc simple(op o, keyword k) {
    if (state_ != client_state::transaction) return client_errc::local_state;
    command c;
    c.k = k;
    return queue_command(o, c, 0, false);
  }

  client_errc numbered(op o, keyword k, std::uint32_t n, bool required = false) {
    if (state_ != client_state::transaction) return client_errc::local_state;
    if (required && n == 0) return client_errc::local_invalid_value;
    command c;
    c.k = k;
    c.message = n;
    return queue_command(o, c, n, n == 0);
  }

  client_errc auth_line(const auth_response& a) {
    std::string line;
    if (serialize(a, line) != errc::ok) return client_errc::local_invalid_value;
    state_ = client_state::login;
    queue(op::auth_line, std::move(line));
    return client_errc::ok;
  }

  static bool non_ascii(std::string_view s) noexcept {
    for (char c : s)
      if (ascii::is_8bit(c)) return true;
    return false;
  }

  static void wipe(std::string& s) noexcept {
    for (char& c : s) c = '\0';
    s.clear();
  }

  // ---- events and errors -------------------------------------------------------------------

  step emit(client_event_kind k) {
    ev_.kind = k;
    return step::event;
  }

  // The absolute offset of `text` (a view into in_) of a line read at in_ index `at`.
  std::uint64_t text_offset(std::size_t at, std::string_view text) const noexcept {
    if (text.empty()) return in_base_ + in_pos_;
    return in_base_ + at + static_cast<std::size_t>(text.data() - (in_.data() + at));
  }

  void set_error(client_errc e, errc pe, std::uint64_t abs_offset) {
    err_ = e;
    err_parse_ = pe;
    err_off_ = abs_offset;
    state_ = client_state::error;
    ev_ = client_event{};
    deferred_.clear();
  }
  step fail(client_errc e, errc pe, std::size_t off) {
    set_error(e, pe, in_base_ + off);
    return step::error;
  }
  step fail_abs(client_errc e, errc pe, std::uint64_t abs_offset) {
    set_error(e, pe, abs_offset);
    return step::error;
  }

  void compact() {
    if (in_pos_ == 0) return;
    in_.erase(0, in_pos_);
    in_base_ += in_pos_;
    in_pos_ = 0;
  }

  client_options opt_;
  client_state state_ = client_state::greeting;
  reading reading_ = reading::status_line;
  client_event ev_{};
  // Server side
  std::string in_;
  std::size_t in_pos_ = 0;
  std::uint64_t in_base_ = 0;
  std::string body_;
  multiline_decoder dec_;
  client_errc err_ = client_errc::ok;
  errc err_parse_ = errc::ok;
  std::uint64_t err_off_ = 0;
  std::deque<client_event> deferred_;
  // Our side
  std::string out_;
  std::deque<detail::client_planned> planned_;
  std::deque<detail::client_inflight> inflight_;
  // What we know of the server
  capability_set caps_, pending_caps_;
  std::size_t capa_lines_ = 0;
  bool have_caps_ = false;
  std::string apop_ts_;
  bool tls_ = false;
  bool utf8_ = false;
};

}  // namespace mailwire::pop3

template <>
struct std::is_error_code_enum<mailwire::pop3::client_errc> : std::true_type {};
