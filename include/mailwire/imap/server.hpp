// mailwire/imap/server.hpp — the server side of an IMAP connection (RFC 9051 IMAP4rev2, RFC 3501
// IMAP4rev1) with the extensions of issue 7: STARTTLS, SASL-IR (RFC 4959), LITERAL+ / LITERAL-
// (RFC 7888), IDLE (RFC 2177), ENABLE (RFC 5161), ID (RFC 2971), COMPRESS (RFC 4978), APPENDLIMIT
// (RFC 7889), CONDSTORE / QRESYNC (RFC 7162), UTF8=ACCEPT (RFC 6855). Sans-I/O: bytes in, events
// and bytes out.
//
//   imap::server_options o;  o.auth_mechanisms = "PLAIN";
//   imap::server_session s(o);                  // the "* OK" greeting is already in s.output()
//   std::size_t n = s.receive(bytes);           // keep bytes.substr(n) for later
//   for (status st; (st = s.next_event()) == status::event;) {
//     const imap::server_event& ev = s.event();
//     switch (ev.kind) {
//       case server_event_kind::login:                                     // LOGIN user password
//         check(login_of(ev.command)) ? s.accept_login() : s.reject_login(); break;
//       case server_event_kind::command:                                   // everything else
//         if (ev.command.kind == imap::command_kind::select) {
//           s.select_begin(info_of(mailbox)); s.ok();                       // RFC 9051 6.3.2
//         } else if (ev.command.kind == imap::command_kind::fetch) {
//           s.map().resolve(set, uid, [&](auto msn, auto uid) { s.fetch(msn, atts); });
//           s.ok();
//         } ...
//       case server_event_kind::append_begin: open(ev.mbox, ev.size); break; // then append_data
//       case server_event_kind::append_data: write(ev.data); break;         // chunks of the message
//       case server_event_kind::starttls: handshake(); s.tls_started(); break;
//       ...
//     }
//   }
//   write(s.output()); s.consume_output(s.output().size());
//   // any time, e.g. another session added a message:  s.exists({&uid, 1});  s.expunged(uid);
//
// Theory of operation. The peer's commands go through one framer (imap/framing.hpp, server
// side) and, once complete, through parse_command (imap/command.hpp). One table,
// command_rules[], says in which RFC 9051 section 3 states each command is valid; the session's
// mode adds the internal states:
//
//   not_authenticated --LOGIN / AUTHENTICATE (+ SASL lines)--> (host) --> authenticated
//   not_authenticated --STARTTLS--> tls_pending --tls_started()--> not_authenticated (TLS on)
//   authenticated --SELECT / EXAMINE--> (host: select_begin, ok) --> selected
//   selected --CLOSE / UNSELECT--> (host: ok) --> authenticated;  selected --SELECT--> ...
//   authenticated | selected --IDLE--> idling --DONE--> back;  --COMPRESS--> compress_pending
//   any --LOGOUT--> logout;  any --fatal error--> failed (sticky until reset())
//
// Commands are processed one at a time in order (RFC 9051 section 5.5): a command for the host
// pauses the session (next_event() returns paused) until the host completes it with ok() /
// no() / bad() (or accept_login / reject_login / auth_challenge / select_begin + ok); bytes the
// client pipelined wait in the bounded input buffer. The session answers by itself CAPABILITY,
// NOOP before login, LOGOUT, STARTTLS, ENABLE, ID, IDLE / DONE, literal continuations ("+ Ready
// for literal data", or NO [TOOBIG] for an APPEND over APPENDLIMIT before its octets, RFC 7889),
// and every error: parse errors are tagged BAD with bad_hint() (untagged BAD when no tag was
// read), commands in the wrong state BAD, unknown commands BAD; max_errors of them end the
// session with "* BYE". APPEND is streamed: append_begin (mailbox, flags, date, size), then
// append_data chunks (the session never holds a big message), append_end, per message
// (MULTIAPPEND repeats them), then the command event for the host's completion.
//
// Untagged data may be written by the host at any time (untagged(), exists(), fetch(), the
// streamed FETCH literal functions). expunged() keeps message_map right: EXPUNGE (or VANISHED
// under QRESYNC, RFC 7162 section 3.2.10) goes out only while a command is in progress that is
// not FETCH, STORE or SEARCH (RFC 9051 section 7.5.1), else the session queues it and sends it at
// the first allowed point (during IDLE, before the tagged completion of another command, or when
// the host calls flush()); until then MSNs stay as the client knows them.
//
// Upgrades. After the OK to STARTTLS, octets the client sent before the handshake (in the same
// read or later) are the fatal input_before_tls and are never interpreted (CVE-2011-0411). After
// the OK to COMPRESS, receive() takes nothing until compression_started(); the octets already
// received after the COMPRESS line are compressed: take_leftover() hands them back for the
// inflater.
//
// Safe defaults: the framer's before-login limits (8 KiB lines, nesting 1, 8 KiB literals), at
// most 10 errors, HTTP request lines end the session, output over max_output pauses the session
// (the host must drain it).
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
#include "mailwire/imap/command.hpp"
#include "mailwire/imap/errc.hpp"
#include "mailwire/imap/framing.hpp"
#include "mailwire/imap/limits.hpp"
#include "mailwire/imap/message_map.hpp"
#include "mailwire/imap/response.hpp"

namespace mailwire::imap {

/// What a server session offers and enforces (RFC 9051 section 7.2.2 CAPABILITY; each flag is an
/// extension the host implements). Defaults: IMAP4rev1 + IMAP4rev2 and what the session itself
/// implements, strict limits.
struct server_options {
  std::string greeting = "IMAP server ready";  ///< text of the "* OK" greeting (RFC 9051 7.1.1)
  bool greeting_capability = true;  ///< "* OK [CAPABILITY ...] greeting" (RFC 9051 section 7.1)
  std::string bye_text = "Logging out";  ///< text of the "* BYE" answering LOGOUT (RFC 9051 6.1.3)
  bool imap4rev1 = true;            ///< IMAP4rev1 (RFC 3501)
  bool imap4rev2 = true;            ///< IMAP4rev2 (RFC 9051); ENABLE IMAP4rev2 switches forms
  std::string auth_mechanisms;      ///< SASL mechanisms, space-separated (AUTH=, RFC 9051 6.2.2)
  bool sasl_ir = true;              ///< SASL-IR (RFC 4959)
  bool tls_available = false;       ///< offer STARTTLS (RFC 9051 section 6.2.1)
  bool tls_active = false;          ///< the connection is already TLS (implicit TLS port)
  /// LOGINDISABLED (RFC 9051 section 6.2.3) while TLS is off: LOGIN and AUTHENTICATE refused.
  bool login_requires_tls = false;
  non_sync_literals literals = non_sync_literals::literal_plus;  ///< LITERAL+ / LITERAL- / none
  bool idle = true;                 ///< IDLE (RFC 2177)
  bool enable = true;               ///< ENABLE (RFC 5161)
  bool id = true;                   ///< ID (RFC 2971)
  bool unselect = true;             ///< UNSELECT (RFC 3691)
  bool uidplus = false;             ///< UIDPLUS (RFC 4315; host's answers carry APPENDUID...)
  bool move = false;                ///< MOVE (RFC 6851)
  bool condstore = false;           ///< CONDSTORE (RFC 7162 section 3.1)
  bool qresync = false;             ///< QRESYNC (RFC 7162 section 3.2)
  bool namespace_ = false;          ///< NAMESPACE (RFC 2342)
  bool special_use = false;         ///< SPECIAL-USE (RFC 6154)
  bool create_special_use = false;  ///< CREATE-SPECIAL-USE (RFC 6154 section 3)
  bool esearch = false;             ///< ESEARCH (RFC 4731)
  bool searchres = false;           ///< SEARCHRES (RFC 5182)
  bool compress = false;            ///< COMPRESS=DEFLATE (RFC 4978; the host runs zlib)
  bool list_extended = false;       ///< LIST-EXTENDED (RFC 5258)
  bool list_status = false;         ///< LIST-STATUS (RFC 5819)
  bool utf8_accept = false;         ///< UTF8=ACCEPT (RFC 6855)
  bool status_size = false;         ///< STATUS=SIZE (RFC 8438)
  bool objectid = false;            ///< OBJECTID (RFC 8474)
  bool children = false;            ///< CHILDREN (RFC 3348)
  /// APPENDLIMIT=n (RFC 7889): APPENDs over it get NO [TOOBIG] before their octets; 0: not
  /// announced (limits::literal_after_auth still applies).
  std::uint64_t append_limit = 0;
  std::vector<std::string> extra_capabilities;  ///< more capability atoms, listed as given
  /// ID response pairs (RFC 2971 section 3.3); empty: "* ID NIL".
  std::vector<std::pair<std::string, std::string>> id_params;
  std::size_t max_errors = 10;      ///< BADs and failed logins before "* BYE" (0: no limit)
  limits command_limits;            ///< line, literal, nesting limits (before / after login)
  std::size_t input_buffer = 64 * 1024;  ///< octets receive() holds at most
  std::size_t max_output = 256 * 1024;   ///< unsent octets over which the session pauses
};

/// The session's state: RFC 9051 section 3 states plus the internal ones.
enum class server_state : std::uint8_t {
  not_authenticated,  ///< RFC 9051 section 3.1
  authenticated,      ///< RFC 9051 section 3.2
  selected,           ///< RFC 9051 section 3.3
  logout,             ///< RFC 9051 section 3.4: LOGOUT answered, close after output()
  tls_pending,        ///< OK to STARTTLS sent, handshake pending (RFC 9051 section 6.2.1)
  compress_pending,   ///< OK to COMPRESS sent, inflater pending (RFC 4978 section 3)
  idling,             ///< "+ idling" sent, DONE awaited (RFC 2177)
  auth_exchange,      ///< a SASL line from the client is due (RFC 9051 section 6.2.2)
  failed,             ///< fatal error, sticky until reset()
};

/// What next_event() found (RFC 9051 section 6: the host's side of each command).
enum class server_event_kind : std::uint8_t {
  none,
  login,          ///< LOGIN (command: cmd_login): accept_login() or reject_login()
  authenticate,   ///< AUTHENTICATE (command: cmd_authenticate, data: SASL-IR base64 or "="):
                  ///< auth_challenge(), accept_login() or reject_login()
  auth_response,  ///< a client SASL line (data: base64): as for authenticate
  command,        ///< any other command (command): complete with ok() / no() / bad()
  append_begin,   ///< an APPEND message starts: mbox, flags, date, size, binary, index
  append_data,    ///< octets of the APPEND message (data)
  append_end,     ///< the APPEND message is complete (then another append_begin, or command)
  idle_begin,     ///< "+ idling" sent: push untagged updates until idle_end
  idle_end,       ///< DONE received, tagged OK sent (informational)
  starttls,       ///< OK to STARTTLS in output(): send it, handshake, tls_started()
  compress,       ///< OK to COMPRESS in output(): send it, take_leftover(), compression_started()
  enabled,        ///< ENABLE answered: see enabled_*() (informational)
  id,             ///< ID answered (command holds the client's parameters; informational)
  logout,         ///< LOGOUT answered: send output() and close
  command_error,  ///< a command refused by the session (error, offset); an APPEND whose
                  ///< append_* events were delivered must be discarded
};

/// One event (views: see the top of this file).
struct server_event {
  server_event_kind kind = server_event_kind::none;
  imap::command command;      ///< the command (tag and kind also for command_error when parsed)
  std::string_view data;      ///< authenticate / auth_response: base64; append_data: octets
  mailbox mbox;               ///< append_begin
  bool has_flags = false;     ///< append_begin
  flag_list flags;            ///< append_begin
  bool has_date = false;      ///< append_begin
  date_time date;             ///< append_begin
  std::uint64_t size = 0;     ///< append_begin: the message's size
  bool binary = false;        ///< append_begin: literal8 (RFC 3516) or UTF8 (RFC 6855)
  std::size_t index = 0;      ///< append_*: the message's number in a MULTIAPPEND, from 0
  errc error = errc::ok;      ///< command_error and fatal errors
  std::uint64_t offset = 0;   ///< stream offset of the command
};

/// What the host says about a mailbox it selects (RFC 9051 section 6.3.2; RFC 3501 6.3.1;
/// RFC 7162 section 3.1.2). The session writes the untagged responses from it.
struct select_info {
  std::span<const std::uint32_t> uids;   ///< the messages' UIDs, ascending (the message map)
  std::string_view flags = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)";  ///< FLAGS list
  std::string_view permanent_flags = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)";  ///< empty: none
  std::uint32_t uidvalidity = 1;
  std::uint32_t uidnext = 1;
  std::uint64_t highest_modseq = 0;      ///< 0: NOMODSEQ (when CONDSTORE is on)
  bool read_only = false;                ///< [READ-ONLY] (EXAMINE is always read-only)
  std::uint32_t recent = 0;              ///< IMAP4rev1 clients: "* n RECENT"
  std::uint32_t first_unseen = 0;        ///< IMAP4rev1 clients: "[UNSEEN n]" (0: omitted)
  char delimiter = '/';                  ///< IMAP4rev2: the LIST response's delimiter (0: NIL)
  std::string_view mailbox_id;           ///< OBJECTID: "[MAILBOXID (id)]" (RFC 8474 section 4.1)
};

/// The server side of one IMAP connection (see the top of this file).
class server_session {
 public:
  explicit server_session(server_options o = {}) : opt_(std::move(o)) { start(); }

  /// Takes as many of `bytes` as the input buffer holds; returns how many. Nothing while
  /// COMPRESS is pending, after LOGOUT or a fatal error; bytes during tls_pending are fatal.
  std::size_t receive(std::string_view bytes) {
    if (mode_ == mode::failed || state_ == server_state::logout || mode_ == mode::compress_pending) return 0;
    if (mode_ == mode::tls_pending) {
      if (!bytes.empty()) fail(errc::input_before_tls, offset_ + (in_.size() - pos_));
      return 0;
    }
    in_.erase(0, pos_);
    pos_ = 0;
    const std::size_t n = std::min(opt_.input_buffer > in_.size() ? opt_.input_buffer - in_.size() : 0, bytes.size());
    in_.append(bytes.data(), n);
    return n;
  }

  /// The next event: event (see event()), need_more (read more), paused (the host must answer,
  /// drain output(), or finish a TLS / COMPRESS upgrade), error (fatal; error() says why).
  [[nodiscard]] status next_event() {
    for (;;) {
      if (mode_ == mode::failed) return status::error;
      if (pending_ != pending::none || mode_ == mode::tls_pending || mode_ == mode::compress_pending)
        return status::paused;
      if (out_.size() >= opt_.max_output) return status::paused;
      ev_ = server_event{};
      if (state_ == server_state::logout) return status::need_more;
      const int s = one_step();
      if (s == 0) continue;
      return s == 1 ? status::event : s == 2 ? status::need_more : status::error;
    }
  }

  /// The current event (RFC 9051 section 6).
  [[nodiscard]] const server_event& event() const noexcept { return ev_; }

  // -- completions (RFC 9051 section 7.1: the tagged status response) -------------------------

  /// Tagged OK for the command the host handles: "tag OK [code] text" (text default: "<NAME>
  /// completed"; SELECT / EXAMINE: [READ-WRITE] / [READ-ONLY] when code is empty).
  errc ok(std::string_view code = {}, std::string_view text = {}) { return complete("OK", code, text); }
  /// Tagged NO (RFC 9051 section 7.1.2), e.g. no("TRYCREATE", "No such mailbox").
  errc no(std::string_view code = {}, std::string_view text = {}) { return complete("NO", code, text); }
  /// Tagged BAD (RFC 9051 section 7.1.3); counts toward max_errors.
  errc bad(std::string_view code = {}, std::string_view text = {}) {
    const errc e = complete("BAD", code, text);
    if (e == errc::ok) count_error();
    return e;
  }

  /// login / authenticate / auth_response: the user is in (RFC 9051 section 6.2.3): "tag OK
  /// [CAPABILITY ...] text", authenticated state, after-login limits.
  errc accept_login(std::string_view text = "Logged in", bool capability_code = true) {
    if (pending_ != pending::login) return errc::local_state;
    if (!clean(text)) return errc::local_invalid_value;
    out_.append(tag_).append(" OK ");
    if (capability_code) {
      out_.append("[CAPABILITY ");
      append_capabilities(true);
      out_.append("] ");
    }
    out_.append(text).append("\r\n");
    state_ = server_state::authenticated;
    framer_.set_authenticated(true);
    parse_lim_.authenticated = true;
    pending_ = pending::none;
    return errc::ok;
  }
  /// login / authenticate / auth_response: refused: "tag NO [AUTHENTICATIONFAILED] text"
  /// (RFC 5530 section 3). Counts toward max_errors (password guessing ends the session).
  errc reject_login(std::string_view text = "Authentication failed", std::string_view code = "AUTHENTICATIONFAILED") {
    if (pending_ != pending::login) return errc::local_state;
    if (!clean(text) || !clean_code(code)) return errc::local_invalid_value;
    tagged("NO", code, text);
    pending_ = pending::none;
    count_error();
    return errc::ok;
  }
  /// authenticate / auth_response: a SASL challenge "+ base64" (RFC 9051 section 6.2.2); the
  /// next client line is an auth_response event (or "*": the session answers BAD).
  errc auth_challenge(std::string_view base64) {
    if (pending_ != pending::login || !sasl_) return errc::local_state;
    if (!detail::base64_line(base64)) return errc::local_invalid_value;
    out_.append("+ ").append(base64).append("\r\n");
    mode_ = mode::auth_exchange;
    pending_ = pending::none;
    return errc::ok;
  }

  /// SELECT / EXAMINE: the mailbox is open. Writes the untagged responses of RFC 9051 section
  /// 6.3.2 (IMAP4rev2 after ENABLE IMAP4rev2: EXISTS, UIDVALIDITY, UIDNEXT, FLAGS,
  /// PERMANENTFLAGS, LIST) or RFC 3501 section 6.3.1 (EXISTS, RECENT, [UNSEEN], UIDVALIDITY,
  /// UIDNEXT, FLAGS, PERMANENTFLAGS), HIGHESTMODSEQ / NOMODSEQ under CONDSTORE (RFC 7162
  /// 3.1.2), and moves to selected. QRESYNC: then vanished_earlier() and fetch(); then ok().
  errc select_begin(const select_info& info) {
    if (pending_ != pending::command || (kind_ != command_kind::select && kind_ != command_kind::examine) ||
        selected_now_)
      return errc::local_state;
    if (!valid_flags(info.flags, false) || (!info.permanent_flags.empty() && !valid_flags(info.permanent_flags, true)) ||
        !clean(info.mailbox_id) || info.mailbox_id.find(')') != std::string_view::npos)
      return errc::local_invalid_value;
    if (const errc e = map_.assign(info.uids); e != errc::ok) return e;
    const bool rev2 = rev2_enabled_;
    append_number_line("* ", map_.size(), " EXISTS\r\n");
    if (!rev2) {
      append_number_line("* ", info.recent, " RECENT\r\n");
      if (info.first_unseen != 0) {
        append_number_line("* OK [UNSEEN ", info.first_unseen, "] First unseen\r\n");
      }
    }
    append_number_line("* OK [UIDVALIDITY ", info.uidvalidity, "] UIDs valid\r\n");
    append_number_line("* OK [UIDNEXT ", info.uidnext, "] Predicted next UID\r\n");
    out_.append("* FLAGS ").append(info.flags).append("\r\n");
    if (!info.permanent_flags.empty())
      out_.append("* OK [PERMANENTFLAGS ").append(info.permanent_flags).append("] Limited\r\n");
    if (condstore_enabled_) {
      if (info.highest_modseq != 0) append_number_line("* OK [HIGHESTMODSEQ ", info.highest_modseq, "] Highest\r\n");
      else out_.append("* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n");
    }
    if (!info.mailbox_id.empty()) out_.append("* OK [MAILBOXID (").append(info.mailbox_id).append(")] Ok\r\n");
    if (rev2) {
      // RFC 9051 section 6.3.2: a LIST response with the mailbox name.
      out_.append("* LIST () ");
      if (info.delimiter == 0) {
        out_.append("NIL");
      } else {
        out_.push_back('"');
        if (info.delimiter == '"' || info.delimiter == '\\') out_.push_back('\\');
        out_.push_back(info.delimiter);
        out_.push_back('"');
      }
      out_.push_back(' ');
      if (const auto* s = std::get_if<cmd_select>(&cur_.args)) (void)write_mailbox(out_, s->mbox, parse_options());
      out_.append("\r\n");
    }
    read_only_ = info.read_only || kind_ == command_kind::examine;
    enter_selected();
    return errc::ok;
  }
  /// SELECT / EXAMINE when the host writes the untagged responses itself (with untagged()):
  /// only the message map and the state change. Then ok().
  errc selected(std::span<const std::uint32_t> uids, bool read_only = false) {
    if (pending_ != pending::command || (kind_ != command_kind::select && kind_ != command_kind::examine) ||
        selected_now_)
      return errc::local_state;
    if (const errc e = map_.assign(uids); e != errc::ok) return e;
    read_only_ = read_only || kind_ == command_kind::examine;
    enter_selected();
    return errc::ok;
  }
  /// QRESYNC SELECT: "* VANISHED (EARLIER) uids" (RFC 7162 section 3.2.5.1).
  errc vanished_earlier(const sequence_set& uids) {
    if (!selected_now_ || state_ != server_state::selected || uids.size() == 0) return errc::local_state;
    out_.append("* VANISHED (EARLIER) ").append(uids.raw()).append("\r\n");
    return errc::ok;
  }

  // -- untagged data (RFC 9051 section 7) -----------------------------------------------------

  /// Writes any untagged response (RFC 9051 section 7), under the connection's options
  /// (UTF-8 after ENABLE UTF8=ACCEPT / IMAP4rev2). Not EXPUNGE / VANISHED: use expunged().
  errc untagged(const response& r) {
    if (mode_ == mode::failed || in_fetch_literal_) return errc::local_state;
    if (r.kind == response_kind::expunge || r.kind == response_kind::vanished) return errc::local_state;
    return write_response(out_, r, response_opts());
  }
  /// New messages in the selected mailbox (RFC 9051 section 7.4.1): their UIDs join the map
  /// and "* n EXISTS" is written.
  errc exists(std::span<const std::uint32_t> new_uids) {
    if (state_ != server_state::selected || in_fetch_literal_) return errc::local_state;
    std::uint32_t last = map_.max_uid();
    for (const std::uint32_t u : new_uids) {
      if (u <= last) return errc::local_invalid_value;
      last = u;
    }
    for (const std::uint32_t u : new_uids) map_.append(u);
    append_number_line("* ", map_.size(), " EXISTS\r\n");
    return errc::ok;
  }
  /// The message with `uid` is gone. Sent at once as "* n EXPUNGE" (or VANISHED under QRESYNC)
  /// when allowed (RFC 9051 section 7.5.1), else queued until it is; the map changes then.
  errc expunged(std::uint32_t uid) {
    if (state_ != server_state::selected) return errc::local_state;
    queued_.push_back(uid);
    flush();
    return errc::ok;
  }
  /// Sends the queued expunges if RFC 9051 section 7.5.1 allows it now; true when none wait.
  bool flush() {
    if (!queued_.empty() && expunge_allowed()) send_expunges();
    return queued_.empty();
  }
  /// Expunges waiting for an allowed point.
  [[nodiscard]] std::size_t queued_expunges() const noexcept { return queued_.size(); }

  /// "* msn FETCH (atts)" (RFC 9051 section 7.5.2).
  errc fetch(std::uint32_t msn, std::span<const msg_att> atts) {
    if (in_fetch_literal_ || msn == 0 || atts.empty()) return errc::local_state;
    const std::size_t mark = out_.size();
    append_number_line("* ", msn, " FETCH (");
    if (const errc e = append_atts(atts, false); e != errc::ok) {
      out_.resize(mark);
      return e;
    }
    out_.append(")\r\n");
    return errc::ok;
  }
  /// Starts "* msn FETCH (atts_before item {size}\r\n" whose literal the host streams with
  /// fetch_data() (RFC 9051 section 7.5.2; "~{size}" for BINARY, RFC 3516).
  errc begin_fetch_literal(std::uint32_t msn, std::span<const msg_att> before, const fetch_attribute& item,
                           std::uint64_t size) {
    if (in_fetch_literal_ || msn == 0) return errc::local_state;
    const std::size_t mark = out_.size();
    append_number_line("* ", msn, " FETCH (");
    errc e = append_atts(before, false);
    if (e == errc::ok && !before.empty()) out_.push_back(' ');
    if (e == errc::ok) e = write_fetch_attribute(out_, item, parse_options(), fetch_form::response);
    if (e != errc::ok) {
      out_.resize(mark);
      return e;
    }
    out_.append(item.item == fetch_item::binary ? " ~{" : " {");
    ascii::append_decimal(out_, size);
    out_.append("}\r\n");
    in_fetch_literal_ = true;
    literal_left_ = size;
    return errc::ok;
  }
  /// Literal octets: takes what fits under max_output and the announced size; returns how many.
  std::size_t fetch_data(std::string_view bytes) {
    if (!in_fetch_literal_) return 0;
    const std::size_t room = out_.size() < opt_.max_output ? opt_.max_output - out_.size() : 0;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>({bytes.size(), room, literal_left_}));
    out_.append(bytes.data(), n);
    literal_left_ -= n;
    return n;
  }
  /// Ends the FETCH response: " atts_after)\r\n". local_state if octets are missing.
  errc end_fetch_literal(std::span<const msg_att> after = {}) {
    if (!in_fetch_literal_ || literal_left_ != 0) return errc::local_state;
    const std::size_t mark = out_.size();
    in_fetch_literal_ = false;
    if (const errc e = append_atts(after, true); e != errc::ok) {
      out_.resize(mark);
      in_fetch_literal_ = true;
      return e;
    }
    out_.append(")\r\n");
    return errc::ok;
  }

  // -- upgrades --------------------------------------------------------------------------------

  /// The TLS handshake after STARTTLS is done (RFC 9051 section 6.2.1). Octets received before
  /// it are the fatal input_before_tls.
  errc tls_started() {
    if (mode_ != mode::tls_pending) return errc::local_state;
    if (pos_ != in_.size()) {
      fail(errc::input_before_tls, offset_);
      return errc::ok;
    }
    opt_.tls_active = true;
    mode_ = mode::normal;
    return errc::ok;
  }
  /// After the compress event: the octets received after the COMPRESS line (compressed; for
  /// the inflater). Empties the input.
  [[nodiscard]] std::string take_leftover() {
    std::string s = in_.substr(pos_);
    offset_ += in_.size() - pos_;
    in_.clear();
    pos_ = 0;
    return s;
  }
  /// The host's inflater and deflater are in place (RFC 4978 section 3): receive() takes
  /// inflated octets from now on.
  errc compression_started() {
    if (mode_ != mode::compress_pending) return errc::local_state;
    if (pos_ != in_.size()) return errc::local_state;  // take_leftover() first
    mode_ = mode::normal;
    compress_active_ = true;
    return errc::ok;
  }

  // -- state -----------------------------------------------------------------------------------

  /// The octets to send to the client (RFC 9051 section 7 responses). Views the session's
  /// buffer: valid until the next call that writes or consumes output.
  [[nodiscard]] std::string_view output() const noexcept { return out_; }
  /// The first `n` octets of output() were sent.
  void consume_output(std::size_t n) noexcept {
    n = std::min(n, out_.size());
    out_.erase(0, n);
    sent_ += n;
  }
  /// All of output(), moved out.
  [[nodiscard]] std::string take_output() {
    sent_ += out_.size();
    return std::exchange(out_, std::string());
  }

  /// The state (RFC 9051 section 3, plus the internal states).
  [[nodiscard]] server_state state() const noexcept {
    switch (mode_) {
      case mode::failed: return server_state::failed;
      case mode::tls_pending: return server_state::tls_pending;
      case mode::compress_pending: return server_state::compress_pending;
      case mode::idling: return server_state::idling;
      case mode::auth_exchange: return server_state::auth_exchange;
      case mode::normal: break;
    }
    return state_;
  }
  /// The fatal error (ok while none); the "* BYE" for it is in output().
  [[nodiscard]] errc error() const noexcept { return fatal_; }
  /// Stream offset of the input at fault.
  [[nodiscard]] std::uint64_t error_offset() const noexcept { return fatal_offset_; }
  /// LOGOUT answered (RFC 9051 section 3.4) or a fatal error: send output() and close.
  [[nodiscard]] bool closed() const noexcept { return state_ == server_state::logout || mode_ == mode::failed; }
  /// TLS is on (tls_started(), or server_options::tls_active; RFC 9051 section 6.2.1).
  [[nodiscard]] bool tls_active() const noexcept { return opt_.tls_active; }
  /// COMPRESS=DEFLATE is on (RFC 4978 section 3).
  [[nodiscard]] bool compression_active() const noexcept { return compress_active_; }
  /// What ENABLE turned on (RFC 5161; RFC 7162 3.1 / 3.2: CONDSTORE also by its first use).
  [[nodiscard]] bool condstore_enabled() const noexcept { return condstore_enabled_; }
  /// QRESYNC (RFC 7162 section 3.2.3): expunges go out as VANISHED.
  [[nodiscard]] bool qresync_enabled() const noexcept { return qresync_enabled_; }
  /// UTF-8 in quoted strings and mailbox names (UTF8=ACCEPT RFC 6855, or IMAP4rev2).
  [[nodiscard]] bool utf8_enabled() const noexcept { return utf8_enabled_; }
  /// IMAP4rev2 (RFC 9051 section 6.3.1): its SELECT responses, no RECENT.
  [[nodiscard]] bool imap4rev2_enabled() const noexcept { return rev2_enabled_; }
  /// The selected mailbox was opened read-only (EXAMINE or [READ-ONLY]).
  [[nodiscard]] bool read_only() const noexcept { return read_only_; }
  /// The selected mailbox's MSN <-> UID map (RFC 9051 section 2.3.1).
  [[nodiscard]] const message_map& map() const noexcept { return map_; }
  /// The options (tls_active follows tls_started()).
  [[nodiscard]] const server_options& options() const noexcept { return opt_; }
  /// The capability list as sent now (RFC 9051 section 7.2.2).
  [[nodiscard]] std::string capabilities() {
    const std::size_t mark = out_.size();
    append_capabilities(state_ != server_state::not_authenticated);
    std::string s = out_.substr(mark);
    out_.resize(mark);
    return s;
  }

  /// Starts over with a fresh connection (the greeting in output()).
  void reset() {
    server_options o = std::move(opt_);
    *this = server_session(std::move(o));
  }

 private:
  enum class mode : std::uint8_t { normal, tls_pending, compress_pending, idling, auth_exchange, failed };
  enum class pending : std::uint8_t { none, login, command };
  static constexpr std::uint8_t na = 1, au = 2, se = 4, any = na | au | se;
  static constexpr std::uint8_t bit(server_state s) noexcept {
    return s == server_state::not_authenticated ? na : s == server_state::authenticated ? au
                                                   : s == server_state::selected        ? se
                                                                                        : 0;
  }

  /// The one table (RFC 9051 section 6 and each extension): the states a command is valid in.
  struct rule {
    command_kind k;
    std::uint8_t states;
  };
  static constexpr rule command_rules[] = {
      {command_kind::capability, any},   {command_kind::noop, any},          {command_kind::logout, any},
      {command_kind::starttls, na},      {command_kind::authenticate, na},   {command_kind::login, na},
      {command_kind::enable, au},        {command_kind::select, au | se},    {command_kind::examine, au | se},
      {command_kind::create, au | se},   {command_kind::delete_, au | se},   {command_kind::rename, au | se},
      {command_kind::subscribe, au | se}, {command_kind::unsubscribe, au | se}, {command_kind::list, au | se},
      {command_kind::lsub, au | se},     {command_kind::namespace_, au | se}, {command_kind::status, au | se},
      {command_kind::append, au | se},   {command_kind::idle, au | se},      {command_kind::check, se},
      {command_kind::close, se},         {command_kind::unselect, se},       {command_kind::expunge, se},
      {command_kind::search, se},        {command_kind::fetch, se},          {command_kind::store, se},
      {command_kind::copy, se},          {command_kind::move, se},           {command_kind::id, any},
      {command_kind::compress, au | se}, {command_kind::getquota, au | se},  {command_kind::getquotaroot, au | se},
      {command_kind::setquota, au | se}, {command_kind::getmetadata, au | se}, {command_kind::setmetadata, au | se},
      {command_kind::sort, se},          {command_kind::thread, se},         {command_kind::unknown, 0},
  };
  [[nodiscard]] static std::uint8_t allowed_states(command_kind k) noexcept {
    for (const rule& r : command_rules)
      if (r.k == k) return r.states;
    return 0;
  }
  /// The command is offered (its extension is on).
  [[nodiscard]] bool offered(command_kind k) const noexcept {
    switch (k) {
      case command_kind::starttls: return opt_.tls_available;
      case command_kind::authenticate: return !opt_.auth_mechanisms.empty();
      case command_kind::enable: return opt_.enable;
      case command_kind::idle: return opt_.idle;
      case command_kind::id: return opt_.id;
      case command_kind::unselect: return opt_.unselect;
      case command_kind::move: return opt_.move;
      case command_kind::namespace_: return opt_.namespace_;
      case command_kind::compress: return opt_.compress;
      case command_kind::check: return opt_.imap4rev1;  // removed in IMAP4rev2 (RFC 9051 E)
      case command_kind::lsub: return opt_.imap4rev1;
      case command_kind::unknown: return false;
      default: return true;
    }
  }

  void start() {
    framing_options fo;
    fo.side = framing_side::server;
    fo.non_sync = opt_.literals;
    fo.line_events = false;
    limits fl = opt_.command_limits;
    // The session checks literal sizes itself (APPENDLIMIT: NO [TOOBIG], RFC 7889).
    fl.literal_before_auth = ~std::size_t{0} >> 2;
    fl.literal_after_auth = ~std::uint64_t{0} >> 2;
    framer_ = framer(fo, fl);
    parse_lim_ = opt_.command_limits;
    if (opt_.append_limit > parse_lim_.literal_after_auth) parse_lim_.literal_after_auth = opt_.append_limit;
    out_.append("* OK ");
    if (opt_.greeting_capability) {
      out_.append("[CAPABILITY ");
      append_capabilities(false);
      out_.append("] ");
    }
    out_.append(clean(opt_.greeting) ? std::string_view(opt_.greeting) : std::string_view("IMAP server ready"));
    out_.append("\r\n");
  }

  [[nodiscard]] bool login_disabled() const noexcept { return opt_.login_requires_tls && !opt_.tls_active; }

  void cap(std::string_view c) {
    if (!first_cap_) out_.push_back(' ');
    first_cap_ = false;
    out_.append(c);
  }
  void append_capabilities(bool authenticated) {
    first_cap_ = true;
    if (opt_.imap4rev1) cap("IMAP4rev1");
    if (opt_.imap4rev2) cap("IMAP4rev2");
    if (!authenticated) {
      if (opt_.tls_available && !opt_.tls_active) cap("STARTTLS");
      if (login_disabled()) {
        cap("LOGINDISABLED");
      } else {
        std::string_view m = opt_.auth_mechanisms;
        while (!m.empty()) {
          const std::size_t sp = m.find(' ');
          const std::string_view one = m.substr(0, sp);
          if (!one.empty() && detail::all_of(one, detail::c_atom)) {
            cap("AUTH=");
            out_.append(one);
          }
          m = sp == std::string_view::npos ? std::string_view() : m.substr(sp + 1);
        }
        if (opt_.sasl_ir && !opt_.auth_mechanisms.empty()) cap("SASL-IR");
      }
    }
    if (opt_.literals == non_sync_literals::literal_plus) cap("LITERAL+");
    if (opt_.literals == non_sync_literals::literal_minus) cap("LITERAL-");
    if (opt_.enable) cap("ENABLE");
    if (opt_.idle) cap("IDLE");
    if (opt_.id) cap("ID");
    if (opt_.unselect) cap("UNSELECT");
    if (opt_.uidplus) cap("UIDPLUS");
    if (opt_.move) cap("MOVE");
    if (opt_.condstore) cap("CONDSTORE");
    if (opt_.qresync) cap("QRESYNC");
    if (opt_.namespace_) cap("NAMESPACE");
    if (opt_.special_use) cap("SPECIAL-USE");
    if (opt_.create_special_use) cap("CREATE-SPECIAL-USE");
    if (opt_.esearch) cap("ESEARCH");
    if (opt_.searchres) cap("SEARCHRES");
    if (opt_.compress && !compress_active_) cap("COMPRESS=DEFLATE");
    if (opt_.list_extended) cap("LIST-EXTENDED");
    if (opt_.list_status) cap("LIST-STATUS");
    if (opt_.append_limit != 0) {
      cap("APPENDLIMIT=");
      ascii::append_decimal(out_, opt_.append_limit);
    }
    if (opt_.utf8_accept) cap("UTF8=ACCEPT");
    if (opt_.status_size) cap("STATUS=SIZE");
    if (opt_.objectid) cap("OBJECTID");
    if (opt_.children) cap("CHILDREN");
    for (const std::string& x : opt_.extra_capabilities)
      if (!x.empty() && detail::all_of(x, detail::c_atom)) cap(x);
  }

  [[nodiscard]] static bool clean(std::string_view t) noexcept {
    for (const char c : t)
      if (c == '\r' || c == '\n' || c == '\0') return false;
    return true;
  }
  [[nodiscard]] static bool clean_code(std::string_view t) noexcept {
    return clean(t) && t.find(']') == std::string_view::npos && (t.empty() || t[0] != ' ');
  }
  [[nodiscard]] bool valid_flags(std::string_view l, bool perm) const {
    const auto r = parse_flag_list(l, parse_lim_, {}, perm);
    return r.st == status::event && r.consumed == l.size();
  }

  [[nodiscard]] imap::options parse_options() const noexcept {
    imap::options o;
    o.utf8 = utf8_enabled_;
    o.non_sync_literals = opt_.literals != non_sync_literals::none;
    o.literal_minus = opt_.literals == non_sync_literals::literal_minus;
    return o;
  }
  [[nodiscard]] response_options response_opts() const noexcept {
    response_options r;
    r.utf8 = utf8_enabled_;
    return r;
  }

  void append_number_line(std::string_view a, std::uint64_t n, std::string_view b) {
    out_.append(a);
    ascii::append_decimal(out_, n);
    out_.append(b);
  }

  errc append_atts(std::span<const msg_att> atts, bool lead_space) {
    const imap::options o = parse_options();
    bool first = !lead_space;
    for (const msg_att& a : atts) {
      if (!first) out_.push_back(' ');
      first = false;
      if (const errc e = detail::write_msg_att(out_, a, o); e != errc::ok) return e;
    }
    return errc::ok;
  }

  void tagged(std::string_view cond, std::string_view code, std::string_view text) {
    out_.append(tag_.empty() ? std::string_view("*") : std::string_view(tag_)).append(" ").append(cond);
    if (!code.empty()) out_.append(" [").append(code).append("]");
    out_.append(" ").append(text).append("\r\n");
  }

  errc complete(std::string_view cond, std::string_view code, std::string_view text) {
    if (pending_ != pending::command || in_fetch_literal_) return errc::local_state;
    if (!clean(text) || !clean_code(code)) return errc::local_invalid_value;
    const bool is_select = kind_ == command_kind::select || kind_ == command_kind::examine;
    if (is_select && cond == "OK" && !selected_now_) return errc::local_state;  // select_begin first
    if (!queued_.empty() && expunge_allowed()) send_expunges();
    std::string def;
    if (text.empty()) {
      if (uid_) def = "UID ";
      def.append(command_name(kind_)).append(" completed");
      text = def;
    }
    if (is_select && cond == "OK" && code.empty()) code = read_only_ ? "READ-ONLY" : "READ-WRITE";
    tagged(cond, code, text);
    if (cond == "OK" && (kind_ == command_kind::close || kind_ == command_kind::unselect)) deselect();
    if (is_select && cond != "OK" && selected_now_) deselect();
    pending_ = pending::none;
    selected_now_ = false;
    return errc::ok;
  }

  void enter_selected() {
    state_ = server_state::selected;
    selected_now_ = true;
    queued_.clear();
  }
  void deselect() {
    state_ = server_state::authenticated;
    map_.clear();
    queued_.clear();
    read_only_ = false;
  }

  /// RFC 9051 section 7.5.1: EXPUNGE only while a command is in progress, not during FETCH,
  /// STORE, SEARCH (their UID forms are fine); IDLE is a command in progress.
  [[nodiscard]] bool expunge_allowed() const noexcept {
    if (state_ != server_state::selected || in_fetch_literal_) return false;
    if (mode_ == mode::idling) return true;
    if (pending_ != pending::command) return false;
    if (uid_) return true;
    return kind_ != command_kind::fetch && kind_ != command_kind::store && kind_ != command_kind::search &&
           kind_ != command_kind::sort && kind_ != command_kind::thread;
  }
  void send_expunges() {
    // Under QRESYNC, expunges join the VANISHED line written last if it is still the end of the
    // unsent output (one "* VANISHED uid-set" for a burst, RFC 7162 section 3.2.10).
    const bool extend = !vanished_.empty() && vanished_start_ >= sent_ && sent_ + out_.size() == vanished_end_;
    if (extend) out_.resize(static_cast<std::size_t>(vanished_start_ - sent_));
    else vanished_.clear();
    for (const std::uint32_t uid : queued_) {
      const std::uint32_t msn = map_.msn_of(uid);
      if (msn == 0) continue;
      map_.expunge(msn);
      if (qresync_enabled_) vanished_.push_back(uid);
      else append_number_line("* ", msn, " EXPUNGE\r\n");
    }
    queued_.clear();
    if (vanished_.empty()) return;
    // RFC 7162 section 3.2.10: "* VANISHED uid-set", ranges merged.
    std::sort(vanished_.begin(), vanished_.end());
    intervals_.clear();
    for (const std::uint32_t u : vanished_) {
      if (!intervals_.empty() && intervals_.back().last + std::uint64_t{1} >= u) intervals_.back().last = std::max(intervals_.back().last, u);
      else intervals_.push_back({u, u});
    }
    vanished_start_ = sent_ + out_.size();
    out_.append("* VANISHED ");
    (void)write_sequence_set(out_, std::span<const seq_interval>(intervals_));
    out_.append("\r\n");
    vanished_end_ = sent_ + out_.size();
  }

  void fail(errc e, std::uint64_t at) {
    fatal_ = e;
    fatal_offset_ = at;
    mode_ = mode::failed;
    pending_ = pending::none;
    ev_ = server_event{};
    ev_.error = e;
    ev_.offset = at;
    out_.append("* BYE ").append(bad_hint(e)).append("\r\n");
  }

  void count_error() {
    if (opt_.max_errors != 0 && ++errors_ >= opt_.max_errors) fail(errc::too_many_errors, offset_);
  }

  /// A refused command: "tag BAD text" (or "* BAD" without a tag), command_error; counted.
  int refuse(std::string_view tag, errc e, std::uint64_t at, std::string_view cond = "BAD",
             std::string_view text = {}) {
    out_.append(tag.empty() ? std::string_view("*") : tag).append(" ").append(cond).append(" ");
    out_.append(text.empty() ? bad_hint(e) : text).append("\r\n");
    ev_.kind = server_event_kind::command_error;
    ev_.error = e;
    ev_.offset = at;
    if (cond == "BAD" || e == errc::login_disabled) {
      count_error();
      if (mode_ == mode::failed) return 3;
    }
    return 1;
  }

  static bool is_http(std::string_view m) noexcept {
    const std::size_t eol = m.find('\r');
    const std::string_view line = m.substr(0, eol);
    for (std::string_view w : {"GET ", "POST ", "HEAD ", "PUT ", "CONNECT ", "OPTIONS ", "DELETE "})
      if (line.size() > w.size() && line.substr(0, w.size()) == w) {
        const std::size_t sp = line.rfind(' ');
        return sp != std::string_view::npos && line.substr(sp + 1).substr(0, 7) == "HTTP/1.";
      }
    return false;
  }

  /// The tag at the start of a message, if one can be read.
  [[nodiscard]] static std::string_view tag_of(std::string_view m) noexcept {
    const auto t = parse_tag(m);
    return t.st == status::event ? t.value.text() : std::string_view();
  }
  /// "tag [UID] name" at the start of a message: the command's kind (unknown when unreadable).
  [[nodiscard]] static command_kind kind_of(std::string_view m, bool& uid) noexcept {
    uid = false;
    const auto t = parse_tag(m);
    if (t.st != status::event) return command_kind::unknown;
    std::size_t i = t.consumed + 1;
    auto word = [&]() {
      const std::size_t s = i;
      while (i < m.size() && detail::is(m[i], detail::c_atom)) ++i;
      return m.substr(s, i - s);
    };
    std::string_view w = word();
    if (ascii::iequals(w, "UID") && i < m.size() && m[i] == ' ') {
      uid = true;
      ++i;
      w = word();
    }
    for (const auto& n : detail::command_names)
      if (ascii::iequals(n.name, w)) return n.kind;
    return command_kind::unknown;
  }
  /// Commands whose arguments may hold a literal (RFC 9051 section 9: astring / string).
  [[nodiscard]] static bool takes_strings(command_kind k) noexcept {
    switch (k) {
      case command_kind::capability:
      case command_kind::noop:
      case command_kind::logout:
      case command_kind::starttls:
      case command_kind::authenticate:
      case command_kind::enable:
      case command_kind::namespace_:
      case command_kind::idle:
      case command_kind::check:
      case command_kind::close:
      case command_kind::unselect:
      case command_kind::expunge:
      case command_kind::compress:
      case command_kind::unknown: return false;
      default: return true;
    }
  }

  /// Where the state forbids a command: the BAD text (RFC 9051 section 3).
  [[nodiscard]] std::string_view wrong_state_text(command_kind k) const noexcept {
    if (state_ == server_state::not_authenticated) return "Not authenticated";
    if (k == command_kind::login || k == command_kind::authenticate) return "Already authenticated";
    if (k == command_kind::starttls) return "TLS must be negotiated before authentication";
    if (k == command_kind::enable) return "ENABLE is only valid in the authenticated state";  // RFC 5161 3.1
    return "No mailbox selected";
  }

  /// A literal announced in the current message (server side): decide, and for APPEND data
  /// start the append_* events. Returns as one_step().
  int literal_begin(const frame_event& ev, bool sync) {
    const std::string_view tag = tag_of(ev.message);
    auto reject = [&](errc e, std::string_view cond = "BAD", std::string_view text = {}) {
      const int r = refuse(tag, e, ev.offset, cond, text);
      if (sync) {
        (void)framer_.reject_literal();
      } else {
        discard_ = true;  // the octets are on their way: read and drop them with the command
      }
      end_append_state();
      return r;
    };
    const bool authenticated = state_ != server_state::not_authenticated;
    if (mode_ == mode::idling || mode_ == mode::auth_exchange) {
      // One-line messages only (DONE, SASL lines): the line is refused when it ends.
      if (sync) {
        (void)framer_.reject_literal();
        discard_ = false;
        refused_ = errc::ok;
        return finish_oneline_error();
      }
      discard_ = true;
      return 0;
    }
    if (discard_) {
      if (!sync) return 0;
      // The message ends here (no "+" for this literal): answer what was refused before.
      (void)framer_.reject_literal();
      discard_ = false;
      const errc why = std::exchange(refused_, errc::ok);
      end_append_state();
      if (why == errc::append_too_large) return refuse(tag, why, ev.offset, "NO");
      if (why != errc::ok) return refuse(tag, why, ev.offset);
      return 0;
    }
    bool uid = false;
    const command_kind k = ev.index == 0 ? kind_of(ev.message, uid) : cur_literal_kind_;
    if (ev.index == 0) cur_literal_kind_ = k;
    if (k == command_kind::unknown || !offered(k)) return reject(errc::unknown_command);
    if (!(allowed_states(k) & bit(state_))) return reject(errc::command_not_allowed_in_state, "BAD", wrong_state_text(k));
    if (!takes_strings(k)) return reject(errc::bad_command_argument);
    if (k == command_kind::append) {
      // APPEND data or a literal before it (the mailbox)?
      parse_result<append_prefix> p;
      if (append_count_ == 0) {
        p = parse_append_prefix(ev.message, parse_lim_, parse_options());
      } else {
        const literal_span& prev = ev.literals[ev.index - 1];
        const std::size_t from = prev.offset + (prev.streamed ? 0 : static_cast<std::size_t>(prev.size));
        std::string_view rest = ev.message.substr(from);
        if (!rest.empty() && rest[0] == ')') rest.remove_prefix(1);  // after "UTF8 (~{N}...)"
        scratch_.assign("x APPEND INBOX").append(rest);
        p = parse_append_prefix(scratch_, parse_lim_, parse_options());
        if (p.st == status::event) {
          // The mailbox: parsed again from the message's start (the first message's prefix).
          const auto p0 = parse_append_prefix(ev.message, parse_lim_, parse_options());
          if (p0.st == status::event) p.value.mbox = p0.value.mbox;
        }
      }
      if (p.st == status::error) return reject(p.error);
      if (p.st == status::event) {
        const std::uint64_t limit = opt_.append_limit != 0 ? opt_.append_limit : parse_lim_.literal();
        if (ev.literal.size > limit) {
          if (sync) return reject(errc::append_too_large, "NO");  // RFC 7889: before the octets
          refused_ = errc::append_too_large;
          discard_ = true;
          end_append_state();
          return 0;
        }
        if (sync) {
          (void)framer_.accept_literal();
          out_.append("+ Ready for literal data\r\n");
        }
        ev_.kind = server_event_kind::append_begin;
        ev_.mbox = p.value.mbox;
        ev_.has_flags = p.value.first.has_flags;
        ev_.flags = p.value.first.flags;
        ev_.has_date = p.value.first.has_date;
        ev_.date = p.value.first.date;
        ev_.size = ev.literal.size;
        ev_.binary = ev.literal.binary || p.value.first.utf8;
        ev_.index = append_count_;
        ev_.offset = ev.offset;
        in_append_literal_ = true;
        append_literal_index_ = ev.index;
        ++append_count_;
        return 1;
      }
    }
    // Another literal: within the limit that applies now?
    if (ev.literal.size > parse_lim_.literal()) {
      if (sync) return reject(errc::literal_too_large);
      if (!authenticated) {
        fail(errc::literal_too_large, ev.offset);  // a flood before login: close at once
        return 3;
      }
      refused_ = errc::literal_too_large;
      discard_ = true;
      return 0;
    }
    if (sync) {
      (void)framer_.accept_literal();
      out_.append("+ Ready for literal data\r\n");
    }
    return 0;
  }

  void end_append_state() {
    append_count_ = 0;
    in_append_literal_ = false;
    held_inline_ = false;
  }

  /// IDLE / SASL exchange: a line that is not what was expected.
  int finish_oneline_error() {
    const bool idle = mode_ == mode::idling;
    mode_ = mode::normal;
    return refuse(tag_, idle ? errc::expected_done : errc::bad_base64, offset_);
  }

  /// One step: 0 loop again, 1 event, 2 need_more, 3 error.
  int one_step() {
    // An inline APPEND literal completed earlier: its data and end, then the held event.
    if (held_stage_ == 1) {
      held_stage_ = 2;
      const std::string_view m = held_.message;
      ev_.kind = server_event_kind::append_data;
      ev_.data = m.substr(held_offset_, held_size_);
      ev_.index = append_count_ - 1;
      if (held_size_ != 0) return 1;
    }
    if (held_stage_ == 2) {
      held_stage_ = 3;
      ev_ = server_event{};
      ev_.kind = server_event_kind::append_end;
      ev_.index = append_count_ - 1;
      return 1;
    }
    if (held_stage_ == 3) {
      held_stage_ = 0;
      return handle_frame(held_, held_status_);
    }
    const std::string_view in = std::string_view(in_).substr(pos_);
    const frame_result r = framer_.next(in);
    pos_ += r.consumed;
    offset_ += r.consumed;
    if (r.st == status::need_more) return 2;
    if (r.st == status::error) {
      fail(r.error, r.error_offset);
      return 3;
    }
    if (held_inline_ && (r.ev.kind == frame_event_kind::literal_begin || r.ev.kind == frame_event_kind::message_end ||
                         r.ev.kind == frame_event_kind::message_failed)) {
      held_inline_ = false;
      held_ = r.ev;
      held_status_ = r.st;
      held_stage_ = 1;
      return 0;
    }
    return handle_frame(r.ev, r.st);
  }

  int handle_frame(const frame_event& ev, status st) {
    switch (ev.kind) {
      case frame_event_kind::literal_begin: return literal_begin(ev, st == status::paused);
      case frame_event_kind::literal_data:
        if (in_append_literal_ && !discard_) {
          ev_.kind = server_event_kind::append_data;
          ev_.data = ev.text;
          ev_.index = append_count_ - 1;
          ev_.offset = ev.offset;
          return 1;
        }
        return 0;
      case frame_event_kind::literal_end:
        if (in_append_literal_ && !discard_ && ev.index == append_literal_index_) {
          in_append_literal_ = false;
          if (ev.literal.streamed) {
            ev_.kind = server_event_kind::append_end;
            ev_.index = append_count_ - 1;
            return 1;
          }
          held_inline_ = true;  // the octets are in the message: delivered at the next event
          held_offset_ = ev.literal.offset;
          held_size_ = static_cast<std::size_t>(ev.literal.size);
        }
        return 0;
      case frame_event_kind::message_end: return message_end(ev);
      case frame_event_kind::message_failed: {
        const std::string_view tag = tag_of(ev.message);
        const bool answered = discard_ && refused_ == errc::ok;
        discard_ = false;
        refused_ = errc::ok;
        end_append_state();
        if (mode_ == mode::idling || mode_ == mode::auth_exchange) return finish_oneline_error();
        if (is_http(ev.message)) {
          fail(errc::http_request, ev.offset);
          return 3;
        }
        if (answered) return 0;  // a BAD went out when its literal was refused
        return refuse(tag, ev.error, ev.offset);
      }
      default: return 0;
    }
  }

  int message_end(const frame_event& ev) {
    const std::string_view m = ev.message;
    const bool had_append = append_count_ != 0;
    end_append_state();
    if (mode_ == mode::idling) {
      const auto d = parse_idle_done(m);
      mode_ = mode::normal;
      discard_ = false;
      if (d.st == status::event && d.consumed == m.size()) {
        tagged("OK", {}, "IDLE terminated");
        pending_ = pending::none;
        ev_.kind = server_event_kind::idle_end;
        ev_.offset = ev.offset;
        return 1;
      }
      return refuse(tag_, errc::expected_done, ev.offset);  // Dovecot: BAD, IDLE ends
    }
    if (mode_ == mode::auth_exchange) {
      mode_ = mode::normal;
      discard_ = false;
      const auto a = parse_authenticate_line(m);
      if (a.st != status::event || a.consumed != m.size()) return refuse(tag_, errc::bad_base64, ev.offset);
      // RFC 9051 section 6.2.2: "*" cancels with a tagged BAD.
      if (a.value.cancel) return refuse(tag_, errc::auth_cancelled, ev.offset, "BAD");
      ev_.kind = server_event_kind::auth_response;
      ev_.data = a.value.data;
      ev_.offset = ev.offset;
      sasl_ = true;
      pending_ = pending::login;
      return 1;
    }
    if (is_http(m)) {
      fail(errc::http_request, ev.offset);
      return 3;
    }
    if (discard_) {
      discard_ = false;
      const errc why = refused_;
      refused_ = errc::ok;
      if (why == errc::append_too_large) return refuse(tag_of(m), why, ev.offset, "NO");
      if (why != errc::ok) return refuse(tag_of(m), why, ev.offset);
      return 0;  // already answered
    }
    const literal_context lc{m.data(), ev.literals};
    const auto r = parse_command(m, lc, parse_lim_, parse_options());
    if (r.st != status::event) {
      ev_.command = r.value;
      return refuse(r.value.tag.text(), r.st == status::error ? r.error : errc::expected_crlf, ev.offset);
    }
    (void)had_append;
    return dispatch(r.value, ev.offset);
  }

  int pause(const command& c, server_event_kind k, pending p) {
    ev_.kind = k;
    ev_.command = c;
    pending_ = p;
    return 1;
  }

  int dispatch(const command& c, std::uint64_t at) {
    ev_.command = c;
    ev_.offset = at;
    const std::string_view tag = c.tag.text();
    if (c.kind == command_kind::unknown || !offered(c.kind)) return refuse(tag, errc::unknown_command, at);
    if (!(allowed_states(c.kind) & bit(state_)))
      return refuse(tag, errc::command_not_allowed_in_state, at, "BAD", wrong_state_text(c.kind));
    tag_.assign(tag);
    kind_ = c.kind;
    uid_ = c.uid;
    cur_ = c;
    sasl_ = false;
    switch (c.kind) {
      case command_kind::capability:
        out_.append("* CAPABILITY ");
        append_capabilities(state_ != server_state::not_authenticated);
        out_.append("\r\n");
        tagged("OK", {}, "CAPABILITY completed");
        return 0;
      case command_kind::noop:
        if (state_ == server_state::not_authenticated) {
          tagged("OK", {}, "NOOP completed");
          return 0;
        }
        return pause(c, server_event_kind::command, pending::command);  // the host's updates
      case command_kind::logout:
        out_.append("* BYE ").append(clean(opt_.bye_text) ? std::string_view(opt_.bye_text) : "Logging out").append("\r\n");
        tagged("OK", {}, "LOGOUT completed");
        state_ = server_state::logout;
        ev_.kind = server_event_kind::logout;
        return 1;
      case command_kind::starttls:
        if (opt_.tls_active) return refuse(tag, errc::tls_not_available, at, "BAD", "TLS is already active");
        if (pos_ != in_.size()) {  // pipelined after STARTTLS: injection (CVE-2011-0411)
          fail(errc::input_before_tls, offset_);
          return 3;
        }
        tagged("OK", {}, "Begin TLS negotiation now");
        mode_ = mode::tls_pending;
        ev_.kind = server_event_kind::starttls;
        return 1;
      case command_kind::login:
        if (login_disabled()) return refuse(tag, errc::login_disabled, at, "NO");
        return pause(c, server_event_kind::login, pending::login);
      case command_kind::authenticate: {
        const auto& a = std::get<cmd_authenticate>(c.args);
        if (login_disabled()) return refuse(tag, errc::login_disabled, at, "NO");
        bool offered_mech = false;
        std::string_view m = opt_.auth_mechanisms;
        while (!m.empty()) {
          const std::size_t sp = m.find(' ');
          if (ascii::iequals(m.substr(0, sp), a.mechanism.text())) offered_mech = true;
          m = sp == std::string_view::npos ? std::string_view() : m.substr(sp + 1);
        }
        if (!offered_mech) return refuse(tag, errc::auth_mechanism_unsupported, at, "NO");
        if (a.has_initial && !opt_.sasl_ir) return refuse(tag, errc::bad_command_argument, at);
        sasl_ = true;
        ev_.data = a.initial;
        return pause(c, server_event_kind::authenticate, pending::login);
      }
      case command_kind::enable: return enable(c, at);
      case command_kind::id: {
        out_.append("* ID ");
        if (opt_.id_params.empty()) {
          out_.append("NIL");
        } else {
          out_.push_back('(');
          bool first = true;
          for (const auto& [k, v] : opt_.id_params) {
            if (!first) out_.push_back(' ');
            first = false;
            (void)write_string(out_, string_value::from_text(k), parse_options());
            out_.push_back(' ');
            (void)write_string(out_, string_value::from_text(v), parse_options());
          }
          out_.push_back(')');
        }
        out_.append("\r\n");
        tagged("OK", {}, "ID completed");
        ev_.kind = server_event_kind::id;
        return 1;
      }
      case command_kind::idle:
        out_.append("+ idling\r\n");
        mode_ = mode::idling;
        ev_.kind = server_event_kind::idle_begin;
        if (!queued_.empty()) send_expunges();  // IDLE is a command in progress
        return 1;
      case command_kind::compress: {
        const auto& g = std::get<cmd_generic>(c.args);
        if (compress_active_) return refuse(tag, errc::compression_active, at, "NO");
        if (!ascii::iequals(g.name.content(), "DEFLATE"))
          return refuse(tag, errc::bad_command_argument, at, "BAD", "Unknown compression algorithm");
        tagged("OK", {}, "DEFLATE active");
        mode_ = mode::compress_pending;
        ev_.kind = server_event_kind::compress;
        return 1;
      }
      case command_kind::select:
      case command_kind::examine: {
        const auto& s = std::get<cmd_select>(c.args);
        // RFC 7162 section 3.2.5: QRESYNC parameters need ENABLE QRESYNC.
        if (s.qresync && !qresync_enabled_) return refuse(tag, errc::bad_command_argument, at, "BAD", "QRESYNC not enabled");
        if (s.condstore && !opt_.condstore) return refuse(tag, errc::bad_command_argument, at);
        if (s.condstore) condstore_enabled_ = true;  // RFC 7162 section 3.1: a CONDSTORE enabling command
        if (state_ == server_state::selected) {
          // RFC 7162 section 3.2.11: the previous mailbox is closed first.
          deselect();
          if (condstore_enabled_ || qresync_enabled_) out_.append("* OK [CLOSED] Previous mailbox closed\r\n");
        }
        selected_now_ = false;
        return pause(c, server_event_kind::command, pending::command);
      }
      case command_kind::fetch: {
        const auto& f = std::get<cmd_fetch>(c.args);
        if (f.vanished && !qresync_enabled_) return refuse(tag, errc::bad_command_argument, at, "BAD", "QRESYNC not enabled");
        if (f.has_changedsince) {
          if (!opt_.condstore) return refuse(tag, errc::bad_command_argument, at);
          condstore_enabled_ = true;
        }
        if (!c.uid) {
          if (const errc e = check_msns(f.set); e != errc::ok) return refuse(tag, e, at);
        }
        return pause(c, server_event_kind::command, pending::command);
      }
      case command_kind::store: {
        const auto& s = std::get<cmd_store>(c.args);
        if (s.has_unchangedsince) {
          if (!opt_.condstore) return refuse(tag, errc::bad_command_argument, at);
          condstore_enabled_ = true;
        }
        if (!c.uid) {
          if (const errc e = check_msns(s.set); e != errc::ok) return refuse(tag, e, at);
        }
        return pause(c, server_event_kind::command, pending::command);
      }
      case command_kind::copy:
      case command_kind::move: {
        const auto& s = std::get<cmd_copy>(c.args);
        if (!c.uid) {
          if (const errc e = check_msns(s.set); e != errc::ok) return refuse(tag, e, at);
        }
        return pause(c, server_event_kind::command, pending::command);
      }
      case command_kind::expunge:
        if (c.uid && !opt_.uidplus) return refuse(tag, errc::unknown_command, at);
        return pause(c, server_event_kind::command, pending::command);
      default: return pause(c, server_event_kind::command, pending::command);
    }
  }

  /// RFC 9051 section 9 (seq-number): MSNs over the mailbox size are a tagged BAD.
  [[nodiscard]] errc check_msns(const sequence_set& s) const {
    std::uint64_t n = 0;
    return s.is_last_command() ? errc::ok : map_.count(s, false, n);
  }

  /// ENABLE (RFC 5161 section 3.1, RFC 9051 section 6.3.1): "* ENABLED" with what was newly
  /// enabled among what the options allow; QRESYNC implies CONDSTORE (RFC 7162 section 3.2.3).
  int enable(const command& c, std::uint64_t) {
    const auto& e = std::get<cmd_enable>(c.args);
    out_.append("* ENABLED");
    for_each_element(e.caps, [&](std::string_view x) {
      bool* flag = nullptr;
      std::string_view name;
      if (ascii::iequals(x, "CONDSTORE") && opt_.condstore) {
        flag = &condstore_enabled_;
        name = "CONDSTORE";
      } else if (ascii::iequals(x, "QRESYNC") && opt_.qresync) {
        flag = &qresync_enabled_;
        name = "QRESYNC";
      } else if (ascii::iequals(x, "UTF8=ACCEPT") && opt_.utf8_accept) {
        flag = &utf8_enabled_;
        name = "UTF8=ACCEPT";
      } else if (ascii::iequals(x, "IMAP4rev2") && opt_.imap4rev2) {
        flag = &rev2_enabled_;
        name = "IMAP4rev2";
      }
      if (flag == nullptr || *flag) return;
      *flag = true;
      out_.push_back(' ');
      out_.append(name);
      if (flag == &qresync_enabled_) condstore_enabled_ = true;
      if (flag == &rev2_enabled_) utf8_enabled_ = true;  // RFC 9051 section 9: UTF-8 quoted
    });
    out_.append("\r\n");
    tagged("OK", {}, "ENABLE completed");
    ev_.kind = server_event_kind::enabled;
    return 1;
  }

  server_options opt_;
  framer framer_;
  limits parse_lim_;
  server_state state_ = server_state::not_authenticated;
  mode mode_ = mode::normal;
  pending pending_ = pending::none;
  server_event ev_;
  std::string in_;
  std::size_t pos_ = 0;
  std::uint64_t offset_ = 0;  // stream offset of in_[pos_]
  std::string out_;
  // The command in progress.
  std::string tag_;
  command_kind kind_ = command_kind::noop;
  bool uid_ = false;
  command cur_;
  bool sasl_ = false;
  bool selected_now_ = false;
  // APPEND streaming.
  command_kind cur_literal_kind_ = command_kind::unknown;
  std::size_t append_count_ = 0;
  bool in_append_literal_ = false;
  std::size_t append_literal_index_ = 0;
  std::string scratch_;
  bool held_inline_ = false;
  std::size_t held_offset_ = 0, held_size_ = 0;
  int held_stage_ = 0;
  frame_event held_;
  status held_status_ = status::event;
  bool discard_ = false;
  errc refused_ = errc::ok;
  // Selected mailbox.
  message_map map_;
  bool read_only_ = false;
  std::vector<std::uint32_t> queued_;
  std::vector<std::uint32_t> vanished_;  // UIDs of the last VANISHED line
  std::uint64_t vanished_start_ = 0, vanished_end_ = 0;  // its place in the output stream
  std::uint64_t sent_ = 0;                // output octets consumed by the host
  std::vector<seq_interval> intervals_;
  bool in_fetch_literal_ = false;
  std::uint64_t literal_left_ = 0;
  // Enabled extensions.
  bool condstore_enabled_ = false, qresync_enabled_ = false, utf8_enabled_ = false, rev2_enabled_ = false;
  bool compress_active_ = false;
  bool first_cap_ = true;
  std::size_t errors_ = 0;
  errc fatal_ = errc::ok;
  std::uint64_t fatal_offset_ = 0;
};

}  // namespace mailwire::imap
