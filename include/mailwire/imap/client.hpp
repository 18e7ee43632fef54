// mailwire/imap/client.hpp — the client side of an IMAP connection (RFC 9051 IMAP4rev2, RFC 3501
// IMAP4rev1) with STARTTLS, SASL-IR (RFC 4959), LITERAL+ / LITERAL- (RFC 7888), IDLE (RFC 2177),
// ENABLE (RFC 5161), CONDSTORE / QRESYNC (RFC 7162), COMPRESS (RFC 4978), ID (RFC 2971), NAMESPACE
// and ESEARCH. Sans-I/O: host calls and server bytes in, events and command bytes out.
//
//   namespace imap = mailwire::imap;
//   imap::client_session s;                        // waits for the greeting
//   // loop: write s.output() to the socket and s.consume_output(n); feed socket bytes with
//   //       s.receive(bytes) (it returns how many it took: keep the rest); then drain events:
//   for (auto st = s.next_event(); st != mailwire::status::need_more; st = s.next_event()) {
//     if (st == mailwire::status::error) fail(s.error(), s.error_offset());       // sticky
//     const imap::client_event& ev = s.event();
//     switch (ev.kind) {
//       case imap::client_event_kind::greeting: (void)s.login(user, password); break;
//       case imap::client_event_kind::completed:                                  // tagged reply
//         if (ev.condition != imap::cond::ok) fail(ev.response->text.text);
//         else if (ev.command == imap::command_kind::login) (void)s.select("INBOX");
//         else if (ev.command == imap::command_kind::select)
//           (void)s.fetch("1:*", "(UID BODY.PEEK[])", /*uid=*/false);
//         else if (ev.command == imap::command_kind::fetch) (void)s.logout();
//         break;
//       case imap::client_event_kind::fetch_literal_begin: open(ev.message, ev.size); break;
//       case imap::client_event_kind::fetch_literal_data: store(ev.data); break;   // chunks
//       case imap::client_event_kind::fetch_literal_end: close_file(); break;
//       case imap::client_event_kind::data: look_at(*ev.response); break;        // untagged
//       case imap::client_event_kind::starttls_ready: handshake(); (void)s.tls_started(); break;
//       case imap::client_event_kind::closed: close_socket(); break;             // LOGOUT done
//       default: break;
//     }
//   }
//
// Theory of operation (DESIGN.md section 3). Host calls queue commands and return errc::ok, or
// a local_* error without changing anything (local_state: not allowed now; local_invalid_value:
// arguments that would not make a valid command; local_not_advertised: the server did not offer
// it). Each command gets the next tag (client_options::tag_prefix + 4 digits, "A0001"). Queued
// commands go to output() in order: one at a time, or pipelined (RFC 9051 section 5.5) when
// client_options::pipelining is on, except after a command that waits for a "+" (a synchronizing
// literal, AUTHENTICATE, IDLE) or changes the stream or the session (STARTTLS, AUTHENTICATE,
// LOGIN, ENABLE, COMPRESS, LOGOUT, SELECT, EXAMINE, CLOSE, UNSELECT), and never a command that uses
// message sequence numbers while a command that may cause EXPUNGE responses is outstanding.
// Literals in a command ("{N}", e.g. a password with CR) wait for the server's "+" unless
// LITERAL+ (any size) or LITERAL- / IMAP4rev2 (N <= 4096) allows "{N+}".
//
// Server bytes go through receive() into a bounded buffer, then through the framer
// (imap/framing.hpp, client side) and parse_response_into (imap/response.hpp), one response per
// next_event(). Untagged data is applied to the selected mailbox's state (mailbox(): EXISTS,
// EXPUNGE, VANISHED, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, FLAGS, PERMANENTFLAGS, READ-ONLY,
// CLOSED) and capabilities(), then reported as a `data` event with the tag of the oldest
// outstanding command (empty when none: unsolicited; an ESEARCH's own TAG when it has one); a
// tagged response completes the command
// with that tag (`completed`). A FETCH literal larger than client_options::inline_literal_max
// is streamed: fetch_literal_begin (message number, UID when it came before, the attribute),
// fetch_literal_data chunks, fetch_literal_end, then the FETCH as a data event whose attribute
// has data.streamed(). Memory is bounded: max_input plus the framer's message limits.
//
// Anything malformed or out of place from the server (a tagged response with an unknown tag, a
// "+" nothing waits for, an EXPUNGE of a message that does not exist, bytes after the tagged OK
// of STARTTLS before tls_started(): CVE-2011-0411) is a sticky error with the offset of the
// offending message in the server's stream (counted from the first octet given to receive()).
//
//   state             | event / host call                -> state
//   greeting          | * OK / * PREAUTH / * BYE         -> not_authenticated / authenticated /
//                     |                                     logout (greeting event)
//   not_authenticated | login(), authenticate() then OK  -> authenticated (completed)
//                     | starttls() then OK               -> starttls_ready (paused) until
//                     |                                     tls_started(): capabilities forgotten
//   authenticated     | select(), examine() then OK      -> selected; NO -> authenticated
//   selected          | close(), unselect() then OK      -> authenticated
//   any               | idle() then "+"                  -> idling event; done() ends it
//   any               | compress() then OK               -> compress_ready (paused): the host
//                     |                                     takes pending_input(), inflates it
//                     |                                     and all later bytes, compress_started()
//   any               | logout() then OK, or * BYE       -> logout; `closed` after the tagged OK
//
// Lifetimes: the views of an event (response, data, tag) are valid until the next call of
// receive(), next_event() or reset(). capabilities() and mailbox() are owned by the session.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mailwire/codec/base64.hpp"
#include "mailwire/core/ascii.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/imap/command.hpp"
#include "mailwire/imap/errc.hpp"
#include "mailwire/imap/framing.hpp"
#include "mailwire/imap/limits.hpp"
#include "mailwire/imap/message_map.hpp"
#include "mailwire/imap/response.hpp"

namespace mailwire::imap {

/// Options of a client session. Every leniency is off by default.
struct client_options {
  /// Tags are this prefix and a 4-digit (or longer) counter: "A0001" (RFC 9051 section 2.2.1).
  std::string tag_prefix = "A";
  /// Digits of the counter, zero-padded (more when it grows past them).
  std::size_t tag_digits = 4;
  /// Pipeline commands where RFC 9051 section 5.5 allows it; off: one command at a time.
  bool pipelining = true;
  /// Limits of the server's responses (the after-authentication set applies throughout: a
  /// server's greeting may carry long capability lists).
  imap::limits limits = [] {
    imap::limits l;
    l.authenticated = true;
    return l;
  }();
  /// FETCH literals up to this size are kept in the response; bigger ones are streamed.
  std::uint64_t inline_literal_max = 64 * 1024;
  /// Server bytes buffered at most; receive() takes no more.
  std::size_t max_input = 64 * 1024;
  /// Grammar options and quirks of the response parser.
  response_options response{};
  /// Keep each message's flags in mailbox_state::message_flags (FETCH FLAGS, RFC 9051
  /// section 7.5.2); off: the host reads them from the FETCH data events.
  bool track_flags = false;
};

/// The state of the connection (RFC 9051 section 3).
enum class client_state : std::uint8_t {
  greeting,           ///< waiting for the server's greeting
  not_authenticated,  ///< RFC 9051 3.1
  authenticated,      ///< RFC 9051 3.2
  selected,           ///< RFC 9051 3.3
  logout,             ///< RFC 9051 3.4: BYE received or LOGOUT completed
};

/// What next_event() reports.
enum class client_event_kind : std::uint8_t {
  none,                 ///< no event
  greeting,             ///< the greeting (response: * OK / PREAUTH / BYE)
  data,                 ///< an untagged response (response), routed to `tag` / `command`
  fetch_literal_begin,  ///< a streamed FETCH literal: message, uid (0: not seen yet), attribute, size
  fetch_literal_data,   ///< its octets (data)
  fetch_literal_end,    ///< its end; the FETCH itself follows as a data event
  completed,            ///< the tagged response of `command` (condition, response)
  auth_challenge,       ///< "+" to AUTHENTICATE: data is the decoded challenge (auth_continue/cancel)
  idling,               ///< "+" to IDLE: the server pushes data until done()
  append_ready,         ///< send the APPEND octets now: append_data()... append_end()
  starttls_ready,       ///< OK to STARTTLS (paused): do the TLS handshake, then tls_started()
  compress_ready,       ///< OK to COMPRESS (paused): see pending_input(), compress_started()
  closed,               ///< the tagged OK of LOGOUT: close the connection
};

/// One event (views valid until the next receive(), next_event() or reset()).
struct client_event {
  client_event_kind kind = client_event_kind::none;
  std::string_view tag;                        ///< the command's tag; empty for unsolicited data
  command_kind command = command_kind::noop;   ///< the command the event belongs to
  bool uid = false;                            ///< that command had the UID prefix
  const imap::response* response = nullptr;          ///< greeting, data, completed, closed
  cond condition = cond::ok;                   ///< greeting, completed
  std::uint32_t message = 0;                   ///< fetch_literal_*: the message sequence number
  std::uint32_t uid_value = 0;                 ///< fetch_literal_begin: the UID when it came first
  fetch_attribute attribute;                   ///< fetch_literal_begin: BODY[...] / BINARY[...]
  std::uint64_t size = 0;                      ///< fetch_literal_begin: octets announced
  std::string_view data;                       ///< fetch_literal_data, auth_challenge
};

/// The selected mailbox as the server described it (RFC 9051 sections 7.3-7.5, RFC 7162).
struct mailbox_state {
  std::string name;                  ///< as given to select() / examine()
  bool read_only = false;            ///< [READ-ONLY] (RFC 9051 7.1) or EXAMINE
  std::uint32_t exists = 0;          ///< EXISTS, less EXPUNGE / VANISHED (7.4.1, 7.5.1)
  std::uint32_t recent = 0;          ///< RECENT (RFC 3501 7.3.2)
  std::uint32_t uidvalidity = 0;     ///< [UIDVALIDITY n]
  std::uint32_t uidnext = 0;         ///< [UIDNEXT n]
  std::uint64_t highestmodseq = 0;   ///< [HIGHESTMODSEQ n] (RFC 7162 3.1.2.1)
  bool nomodseq = false;             ///< [NOMODSEQ]
  std::string flags;                 ///< FLAGS list as written, "(...)"
  std::string permanent_flags;       ///< [PERMANENTFLAGS (...)] as written
  /// The UID of message k at index k-1, 0 when not known yet (FETCH UID fills it in); kept
  /// right through EXPUNGE and VANISHED. size() == exists.
  std::vector<std::uint32_t> uids;
  /// With client_options::track_flags: message k's flag list as last fetched ("(\\Seen)"; empty
  /// when not fetched yet), at index k-1; size() == exists. Empty otherwise.
  std::vector<std::string> message_flags;
  /// The UID of message `msn`, 0 when unknown.
  [[nodiscard]] std::uint32_t uid_of(std::uint32_t msn) const noexcept {
    return msn >= 1 && msn <= uids.size() ? uids[msn - 1] : 0;
  }
  /// The MSN of the message with `uid`, 0 when unknown.
  [[nodiscard]] std::uint32_t msn_of(std::uint32_t uid) const noexcept {
    if (uid == 0) return 0;
    for (std::size_t i = 0; i < uids.size(); ++i)
      if (uids[i] == uid) return static_cast<std::uint32_t>(i + 1);
    return 0;
  }
};

/// The client side of one IMAP connection (see the top of this file).
class client_session {
 public:
  explicit client_session(client_options o = {}) : opt_(std::move(o)) { init(); }

  // ---- the server's side -------------------------------------------------------------------

  /// Takes server bytes (at most what fits in client_options::max_input); returns how many.
  /// Bytes while STARTTLS waits for tls_started() are the injection error; while COMPRESS waits
  /// for compress_started() nothing is taken.
  std::size_t receive(std::string_view bytes) {
    if (failed_ != errc::ok) return 0;
    if (tls_pending_) {
      if (!bytes.empty()) fail(errc::input_before_tls, framer_.offset());
      return 0;
    }
    if (compress_pending_) return 0;
    if (in_pos_ != 0) {
      in_.erase(0, in_pos_);
      in_pos_ = 0;
    }
    const std::size_t room = opt_.max_input > in_.size() ? opt_.max_input - in_.size() : 0;
    const std::size_t n = std::min(room, bytes.size());
    in_.append(bytes.substr(0, n));
    return n;
  }

  /// The next event: mailwire::status::event (event()), need_more (feed receive()), paused (STARTTLS or
  /// COMPRESS boundary: the host acts first), error (error(), error_offset(); sticky).
  [[nodiscard]] mailwire::status next_event() {
    ev_ = client_event{};
    if (failed_ != errc::ok) return mailwire::status::error;
    if (!local_.empty()) {
      ev_ = local_.front().first;
      local_tag_ = std::move(local_.front().second);
      ev_.tag = local_tag_;
      local_.pop_front();
      return mailwire::status::event;
    }
    if (tls_pending_ || compress_pending_) return mailwire::status::paused;
    for (;;) {
      const std::string_view in = std::string_view(in_).substr(in_pos_);
      frame_result r = framer_.next(in);
      in_pos_ += r.consumed;
      if (r.st == mailwire::status::error) {
        fail(r.error, r.error_offset);
        return mailwire::status::error;
      }
      if (r.st == mailwire::status::need_more) return mailwire::status::need_more;
      const frame_event& fe = r.ev;
      switch (fe.kind) {
        case frame_event_kind::literal_begin:
          if (fe.literal.streamed) {
            if (!literal_begin(fe)) return mailwire::status::error;
            return mailwire::status::event;
          }
          continue;
        case frame_event_kind::literal_data:
          ev_.kind = client_event_kind::fetch_literal_data;
          ev_.message = streamed_msn_;
          ev_.data = fe.text;
          route(ev_);
          return mailwire::status::event;
        case frame_event_kind::literal_end:
          if (fe.literal.streamed) {
            ev_.kind = client_event_kind::fetch_literal_end;
            ev_.message = streamed_msn_;
            route(ev_);
            return mailwire::status::event;
          }
          continue;
        case frame_event_kind::message_failed:
          fail(fe.error, fe.error_offset);
          return mailwire::status::error;
        case frame_event_kind::message_end: {
          const mailwire::status st = on_message(fe);
          if (st == mailwire::status::need_more) continue;
          return st;
        }
        default: continue;
      }
    }
  }

  /// The event of the last next_event() that returned event or paused.
  [[nodiscard]] const client_event& event() const noexcept { return ev_; }
  /// Why the session stopped (errc::ok when it did not).
  [[nodiscard]] errc error() const noexcept { return failed_; }
  /// Offset in the server's stream of the message (or octet) that caused error().
  [[nodiscard]] std::uint64_t error_offset() const noexcept { return failed_at_; }

  // ---- output ------------------------------------------------------------------------------

  /// Bytes to send to the server.
  [[nodiscard]] std::string_view output() const noexcept { return out_; }
  /// The host sent the first n bytes of output().
  void consume_output(std::size_t n) noexcept { out_.erase(0, std::min(n, out_.size())); }

  // ---- state -------------------------------------------------------------------------------

  [[nodiscard]] client_state state() const noexcept { return state_; }
  /// The server's capabilities, SP-separated as last announced (empty: unknown).
  [[nodiscard]] std::string_view capabilities() const noexcept { return caps_; }
  /// True when the server announced `name` (case-insensitive, e.g. "IDLE", "AUTH=PLAIN").
  [[nodiscard]] bool has_capability(std::string_view name) const noexcept { return in_list(caps_, name); }
  /// What ENABLE turned on (RFC 5161 section 3.2), SP-separated.
  [[nodiscard]] std::string_view enabled() const noexcept { return enabled_; }
  [[nodiscard]] bool is_enabled(std::string_view name) const noexcept { return in_list(enabled_, name); }
  /// The selected (or last selected) mailbox (RFC 9051 sections 7.3-7.5).
  [[nodiscard]] const mailbox_state& mailbox() const noexcept { return mbox_; }
  /// TLS is on (tls_started() was called, or client_options said so via tls_started()).
  [[nodiscard]] bool tls() const noexcept { return tls_; }
  /// Commands sent or queued and not completed yet.
  [[nodiscard]] std::size_t outstanding() const noexcept { return cmds_.size(); }
  /// The tag the next command will get.
  [[nodiscard]] std::string next_tag() const { return make_tag(counter_); }

  // ---- commands (RFC 9051 section 6) -------------------------------------------------------

  /// Any command: its tag is replaced by the session's. The values it views must live until
  /// the call returns (the command is serialized at once).
  errc send(const command& c) {
    command k = c;
    const std::string t = make_tag(counter_);
    k.tag = tag::unvalidated(t);
    std::string text;
    if (write_command(text, k, grammar()) != errc::ok) return errc::local_invalid_value;
    return enqueue(k.kind, k.uid, std::move(text));
  }
  /// CAPABILITY (6.1.1).
  errc capability() { return simple(command_kind::capability); }
  /// NOOP (6.1.2).
  errc noop() { return simple(command_kind::noop); }
  /// LOGOUT (6.1.3).
  errc logout() { return simple(command_kind::logout); }
  /// STARTTLS (6.2.1): needs the STARTTLS capability, not authenticated, no TLS yet.
  errc starttls() {
    if (state_ != client_state::not_authenticated || tls_) return errc::local_state;
    if (!has_capability("STARTTLS")) return errc::local_not_advertised;
    return simple(command_kind::starttls);
  }
  /// After starttls_ready and the TLS handshake: reading and writing go on under TLS;
  /// capabilities are forgotten (RFC 9051 section 6.2.1) and CAPABILITY is queued.
  errc tls_started() {
    if (!tls_pending_) return errc::local_state;
    tls_pending_ = false;
    tls_ = true;
    caps_.clear();
    pump();
    return capability();
  }
  /// LOGIN user password (6.2.3); the strings are written as atom, quoted or literal.
  errc login(std::string_view user, std::string_view password) {
    if (state_ != client_state::not_authenticated && state_ != client_state::greeting) return errc::local_state;
    if (has_capability("LOGINDISABLED")) return errc::local_not_advertised;
    command c;
    c.kind = command_kind::login;
    c.args = cmd_login{string_value::from_text(user, string_form::atom),
                       string_value::from_text(password, string_form::atom)};
    return send(c);
  }
  /// AUTHENTICATE mechanism (6.2.2) with `initial` (raw bytes, base64-encoded here) sent in
  /// the command under SASL-IR (RFC 4959), else after the server's first "+". Later "+"
  /// challenges are auth_challenge events: answer with auth_continue() or auth_cancel().
  errc authenticate(std::string_view mechanism, std::optional<std::string_view> initial = std::nullopt) {
    if (state_ != client_state::not_authenticated && state_ != client_state::greeting) return errc::local_state;
    if (!atom::make(mechanism)) return errc::local_invalid_value;
    std::string cap = "AUTH=";
    cap += mechanism;
    if (!has_capability(cap)) return errc::local_not_advertised;
    std::string text = make_tag(counter_) + " AUTHENTICATE ";
    text += mechanism;
    std::string later;
    bool has_later = false;
    if (initial) {
      if (has_capability("SASL-IR")) {
        text += ' ';
        text += initial->empty() ? std::string("=") : base64::encode(*initial);
      } else {
        later = base64::encode(*initial);
        has_later = true;
      }
    }
    text += "\r\n";
    const errc e = enqueue(command_kind::authenticate, false, std::move(text), false);
    if (e == errc::ok) {
      cmds_.back().sasl_initial = std::move(later);
      cmds_.back().has_sasl_initial = has_later;
      pump();
    }
    return e;
  }
  /// Answers an auth_challenge with `response` (raw bytes; base64-encoded here).
  errc auth_continue(std::string_view response) {
    pending_cmd* c = waiting(command_kind::authenticate);
    if (c == nullptr || !c->challenged) return errc::local_state;
    c->challenged = false;
    out_ += base64::encode(response);
    out_ += "\r\n";
    return errc::ok;
  }
  /// Cancels the exchange ("*", RFC 9051 section 6.2.2): the server answers BAD.
  errc auth_cancel() {
    pending_cmd* c = waiting(command_kind::authenticate);
    if (c == nullptr || !c->challenged) return errc::local_state;
    c->challenged = false;
    out_ += "*\r\n";
    return errc::ok;
  }
  /// ENABLE capabilities (RFC 5161), SP-separated ("CONDSTORE QRESYNC").
  errc enable(std::string_view caps) {
    if (state_ != client_state::authenticated) return errc::local_state;
    return checked(command_kind::enable, false, std::string("ENABLE ") + std::string(caps));
  }
  /// SELECT mailbox (6.3.2; the wire-form name), with (CONDSTORE) or (QRESYNC (uidvalidity
  /// modseq)) when asked (RFC 7162 sections 3.1.8, 3.2.5).
  errc select(std::string_view mailbox_name, bool condstore = false, std::uint32_t qresync_uidvalidity = 0,
              std::uint64_t qresync_modseq = 0) {
    return select_like(command_kind::select, mailbox_name, condstore, qresync_uidvalidity, qresync_modseq);
  }
  /// EXAMINE mailbox (6.3.3): SELECT read-only.
  errc examine(std::string_view mailbox_name, bool condstore = false) {
    return select_like(command_kind::examine, mailbox_name, condstore, 0, 0);
  }
  /// LIST reference pattern (6.3.9).
  errc list(std::string_view reference, std::string_view pattern) {
    if (!authenticated()) return errc::local_state;
    std::string a = "LIST ";
    if (!put_astring(a, reference)) return errc::local_invalid_value;
    a += ' ';
    if (!put_astring(a, pattern)) return errc::local_invalid_value;
    return checked(command_kind::list, false, std::move(a));
  }
  /// STATUS mailbox (items), e.g. status("INBOX", "(MESSAGES UIDNEXT)") (6.3.11).
  errc status(std::string_view mailbox_name, std::string_view items) {
    if (!authenticated()) return errc::local_state;
    std::string a = "STATUS ";
    if (!put_mailbox(a, mailbox_name)) return errc::local_invalid_value;
    a += ' ';
    a += items;
    return checked(command_kind::status, false, std::move(a));
  }
  /// NAMESPACE (6.3.10).
  errc namespace_() {
    if (!authenticated()) return errc::local_state;
    return simple(command_kind::namespace_);
  }
  /// ID (RFC 2971): `params` is "NIL" or a list "(\"name\" \"mailwire\")".
  errc id(std::string_view params = "NIL") { return checked(command_kind::id, false, "ID " + std::string(params)); }
  /// APPEND mailbox [flags] [date-time] {size} (6.3.12) streamed: after append_ready (at once
  /// under LITERAL+ / LITERAL- for small messages, else after the server's "+") the host gives
  /// exactly `size` octets with append_data() and then calls append_end(). `flags` is "" or
  /// "(\\Seen)", `date` is "" or a quoted date-time.
  errc append(std::string_view mailbox_name, std::string_view flags, std::string_view date, std::uint64_t size) {
    if (!authenticated()) return errc::local_state;
    std::string a = "APPEND ";
    if (!put_mailbox(a, mailbox_name)) return errc::local_invalid_value;
    if (!flags.empty()) (a += ' ') += flags;
    if (!date.empty()) (a += ' ') += date;
    // Validate with a one-octet body in place of the streamed one.
    if (!valid(make_tag(counter_) + " " + a + " {1}\r\nx\r\n")) return errc::local_invalid_value;
    a += " {";
    a += std::to_string(size);
    a += "}\r\n";
    const errc e = enqueue(command_kind::append, false, make_tag(counter_) + " " + a, false);
    if (e == errc::ok) {
      cmds_.back().append_stream = true;
      cmds_.back().append_left = size;
      pump();
    }
    return e;
  }
  /// Octets of the APPEND message (after append_ready); never more than announced. They go to
  /// output() at once: give the next chunk when output() has drained (memory stays bounded).
  errc append_data(std::string_view chunk) {
    pending_cmd* c = appending();
    if (c == nullptr || chunk.size() > c->append_left) return errc::local_state;
    out_.append(chunk);
    c->append_left -= chunk.size();
    return errc::ok;
  }
  /// The end of the APPEND message: all octets given; the command's CRLF is written.
  errc append_end() {
    pending_cmd* c = appending();
    if (c == nullptr || c->append_left != 0) return errc::local_state;
    out_ += "\r\n";
    c->append_open = false;
    c->append_stream = false;
    pump();
    return errc::ok;
  }
  /// IDLE (RFC 2177, RFC 9051 6.3.13): idling event after the server's "+", then done().
  errc idle() {
    if (!authenticated()) return errc::local_state;
    if (!has_capability("IDLE") && !has_capability("IMAP4rev2")) return errc::local_not_advertised;
    return simple(command_kind::idle);
  }
  /// Ends IDLE ("DONE"); before the server's "+" it is sent when the "+" comes.
  errc done() {
    pending_cmd* c = waiting(command_kind::idle);
    if (c == nullptr || c->done_sent) return errc::local_state;
    if (c->idling) {
      out_ += "DONE\r\n";
      c->done_sent = true;
    } else {
      c->done_asked = true;
    }
    return errc::ok;
  }
  /// CLOSE (6.4.1) / UNSELECT (RFC 3691).
  errc close() { return selected_simple(command_kind::close); }
  errc unselect() {
    if (!has_capability("UNSELECT") && !has_capability("IMAP4rev2")) return errc::local_not_advertised;
    return selected_simple(command_kind::unselect);
  }
  /// EXPUNGE (6.4.3), or UID EXPUNGE set (RFC 4315) when `uid_set` is not empty.
  errc expunge(std::string_view uid_set = {}) {
    if (state_ != client_state::selected) return errc::local_state;
    if (uid_set.empty()) return simple(command_kind::expunge);
    return checked(command_kind::expunge, true, "EXPUNGE " + std::string(uid_set));
  }
  /// [UID] FETCH set items [(modifiers)] (6.4.5), e.g. fetch("1:*", "(FLAGS UID)").
  errc fetch(std::string_view set, std::string_view items, bool uid = false, std::string_view modifiers = {}) {
    std::string a = "FETCH " + std::string(set) + " " + std::string(items);
    if (!modifiers.empty()) (a += ' ') += modifiers;
    return selected_checked(command_kind::fetch, uid, std::move(a));
  }
  /// [UID] STORE set item flags (6.4.6), e.g. store("2:4", "+FLAGS.SILENT", "(\\Deleted)").
  errc store(std::string_view set, std::string_view item, std::string_view flags, bool uid = false) {
    return selected_checked(command_kind::store, uid,
                            "STORE " + std::string(set) + " " + std::string(item) + " " + std::string(flags));
  }
  /// [UID] SEARCH [RETURN (...)] criteria (6.4.4, ESEARCH RFC 4731).
  errc search(std::string_view criteria, bool uid = false) {
    return selected_checked(command_kind::search, uid, "SEARCH " + std::string(criteria));
  }
  /// [UID] COPY set mailbox (6.4.7).
  errc copy(std::string_view set, std::string_view mailbox_name, bool uid = false) {
    std::string a = "COPY " + std::string(set) + " ";
    if (!put_mailbox(a, mailbox_name)) return errc::local_invalid_value;
    return selected_checked(command_kind::copy, uid, std::move(a));
  }
  /// [UID] MOVE set mailbox (RFC 6851).
  errc move(std::string_view set, std::string_view mailbox_name, bool uid = false) {
    if (!has_capability("MOVE") && !has_capability("IMAP4rev2")) return errc::local_not_advertised;
    std::string a = "MOVE " + std::string(set) + " ";
    if (!put_mailbox(a, mailbox_name)) return errc::local_invalid_value;
    return selected_checked(command_kind::move, uid, std::move(a));
  }
  /// COMPRESS DEFLATE (RFC 4978): compress_ready after the OK.
  errc compress() {
    if (!authenticated()) return errc::local_state;
    if (!has_capability("COMPRESS=DEFLATE")) return errc::local_not_advertised;
    return checked(command_kind::compress, false, "COMPRESS DEFLATE");
  }
  /// After compress_ready: the server's octets already received past the OK, compressed; the
  /// host inflates them (and everything after) and feeds the result to receive().
  [[nodiscard]] std::string_view pending_input() const noexcept { return std::string_view(in_).substr(in_pos_); }
  /// After compress_ready: the host's streams are switched (pending_input() is dropped here).
  errc compress_started() {
    if (!compress_pending_) return errc::local_state;
    compress_pending_ = false;
    in_.clear();
    in_pos_ = 0;
    pump();
    return errc::ok;
  }

  /// Back to the start of a connection (options kept).
  void reset() {
    *this = client_session(std::move(opt_));
  }

 private:
  struct pending_cmd {
    std::string tag;
    command_kind kind = command_kind::noop;
    bool uid = false;
    std::string text;                 // the whole command (for append: up to the announcement)
    std::vector<std::size_t> waits;   // offsets in text after which a "+" is needed
    std::size_t sent = 0;             // octets of text written
    bool awaiting_plus = false;       // written up to a synchronizing literal: "+" awaited
    bool started = false;
    // AUTHENTICATE
    std::string sasl_initial;
    bool has_sasl_initial = false;
    bool challenged = false;
    // IDLE
    bool idling = false, done_asked = false, done_sent = false;
    // APPEND
    bool append_stream = false, append_open = false;
    std::uint64_t append_left = 0;
    // SELECT / EXAMINE
    std::string mailbox;
  };

  void init() {
    framing_options fo;
    fo.side = framing_side::client;
    fo.inline_literal_max = opt_.inline_literal_max;
    fo.line_events = false;
    framer_ = framer(fo, opt_.limits);
  }

  [[nodiscard]] std::string make_tag(std::uint32_t n) const {
    std::string d = std::to_string(n);
    if (d.size() < opt_.tag_digits) d.insert(0, opt_.tag_digits - d.size(), '0');
    return opt_.tag_prefix + d;
  }
  [[nodiscard]] static bool in_list(std::string_view list, std::string_view name) noexcept {
    while (!list.empty()) {
      const std::size_t sp = list.find(' ');
      if (ascii::iequals(list.substr(0, sp), name)) return true;
      if (sp == std::string_view::npos) break;
      list.remove_prefix(sp + 1);
    }
    return false;
  }
  [[nodiscard]] options grammar() const noexcept {
    options o;
    o.utf8 = is_enabled("UTF8=ACCEPT") || is_enabled("IMAP4rev2");
    o.non_sync_literals = true;
    return o;
  }
  [[nodiscard]] bool authenticated() const noexcept {
    return state_ == client_state::authenticated || state_ == client_state::selected;
  }
  [[nodiscard]] bool valid(std::string_view text) const {
    limits l = opt_.limits;
    l.literal_after_auth = std::uint64_t{1} << 62;
    l.line_after_auth = l.message_after_auth = std::size_t{1} << 30;
    auto r = parse_command(text, {}, l, grammar());
    return r.st == mailwire::status::event && r.consumed == text.size() && r.value.kind != command_kind::unknown;
  }
  bool put_astring(std::string& out, std::string_view s) const {
    return write_astring(out, string_value::from_text(s, string_form::atom), grammar()) == errc::ok;
  }
  bool put_mailbox(std::string& out, std::string_view s) const {
    const auto m = imap::mailbox::make(s, grammar());
    return m && write_mailbox(out, *m, grammar()) == errc::ok;
  }

  errc simple(command_kind k) {
    if (state_ == client_state::logout) return errc::local_state;
    return enqueue(k, false, make_tag(counter_) + " " + std::string(command_name(k)) + "\r\n");
  }
  errc checked(command_kind k, bool uid, std::string args) {
    if (state_ == client_state::logout) return errc::local_state;
    std::string text = make_tag(counter_) + (uid ? " UID " : " ") + args + "\r\n";
    if (!valid(text)) return errc::local_invalid_value;
    return enqueue(k, uid, std::move(text));
  }
  errc selected_simple(command_kind k) {
    if (state_ != client_state::selected) return errc::local_state;
    return simple(k);
  }
  errc selected_checked(command_kind k, bool uid, std::string args) {
    if (state_ != client_state::selected) return errc::local_state;
    return checked(k, uid, std::move(args));
  }
  errc select_like(command_kind k, std::string_view name, bool condstore, std::uint32_t v, std::uint64_t m) {
    if (!authenticated()) return errc::local_state;
    std::string a = std::string(command_name(k)) + " ";
    if (!put_mailbox(a, name)) return errc::local_invalid_value;
    if (v != 0) {
      a += condstore ? " (CONDSTORE QRESYNC (" : " (QRESYNC (";
      a += std::to_string(v) + " " + std::to_string(m) + "))";
    } else if (condstore) {
      a += " (CONDSTORE)";
    }
    const errc e = checked(k, false, std::move(a));
    if (e == errc::ok) cmds_.back().mailbox = std::string(name);
    return e;
  }

  errc enqueue(command_kind k, bool uid, std::string text, bool write_now = true) {
    if (state_ == client_state::logout || failed_ != errc::ok) return errc::local_state;
    pending_cmd c;
    c.tag = make_tag(counter_);
    c.kind = k;
    c.uid = uid;
    c.text = std::move(text);
    ++counter_;
    if (counter_ > 99999999u) counter_ = 1;
    cmds_.push_back(std::move(c));
    if (write_now) pump();
    return errc::ok;
  }

  // Finds the command's literals with a server-side framer over its own text; a synchronizing
  // literal becomes "{N+}" when the server allows it, else a point where "+" is awaited.
  void plan_literals(pending_cmd& c) const {
    framing_options fo;
    fo.side = framing_side::server;
    fo.non_sync = non_sync_literals::literal_plus;
    fo.inline_literal_max = std::uint64_t{1} << 62;
    fo.line_events = false;
    limits l;
    l.authenticated = true;
    l.literal_after_auth = std::uint64_t{1} << 62;
    l.line_after_auth = l.message_after_auth = std::size_t{1} << 30;
    framer f(fo, l);
    std::vector<literal_span> sync;
    std::string_view in = c.text;
    for (;;) {
      const frame_result r = f.next(in);
      in.remove_prefix(r.consumed);
      if (r.st == mailwire::status::paused) {
        sync.push_back(r.ev.literal);
        (void)f.accept_literal();
        continue;
      }
      if (r.st != mailwire::status::event || r.ev.kind == frame_event_kind::message_end ||
          r.ev.kind == frame_event_kind::message_failed)
        break;
    }
    const bool plus = has_capability("LITERAL+");
    const bool minus = has_capability("LITERAL-") || has_capability("IMAP4rev2");
    std::size_t shift = 0;
    for (const literal_span& s : sync) {
      const std::size_t at = s.offset + shift;
      if (plus || (minus && s.size <= literal_minus_max)) {
        c.text.insert(at - 3, 1, '+');
        ++shift;
      } else {
        c.waits.push_back(at);
      }
    }
  }

  [[nodiscard]] static bool barrier(command_kind k) noexcept {
    switch (k) {
      case command_kind::starttls: case command_kind::authenticate: case command_kind::login:
      case command_kind::idle: case command_kind::compress: case command_kind::logout:
      case command_kind::select: case command_kind::examine: case command_kind::close:
      case command_kind::unselect: case command_kind::enable:
        return true;
      default: return false;
    }
  }
  [[nodiscard]] static bool uses_msn(const pending_cmd& c) noexcept {
    switch (c.kind) {
      case command_kind::fetch: case command_kind::store: case command_kind::search:
      case command_kind::copy: case command_kind::move: return !c.uid;
      default: return false;
    }
  }
  [[nodiscard]] static bool no_expunge(const pending_cmd& c) noexcept {
    // RFC 9051 section 7.5.1: no EXPUNGE while FETCH, STORE or SEARCH (without UID) runs.
    return !c.uid && (c.kind == command_kind::fetch || c.kind == command_kind::store ||
                      c.kind == command_kind::search);
  }

  // Writes what may be written now.
  void pump() {
    if (state_ == client_state::greeting || tls_pending_ || compress_pending_) return;
    for (std::size_t i = 0; i < cmds_.size(); ++i) {
      pending_cmd& c = cmds_[i];
      if (!c.started) {
        // SELECT / EXAMINE wait for every earlier command: their untagged data is about the
        // old mailbox; the new one's state starts empty.
        const bool selecting = c.kind == command_kind::select || c.kind == command_kind::examine;
        if (i != 0 && selecting) return;
        if (selecting) mbox_ = mailbox_state{};
        if (i != 0 && uses_msn(c))
          for (std::size_t j = 0; j < i; ++j)
            if (!no_expunge(cmds_[j])) return;
        c.started = true;
        plan_literals(c);
        write_some(c);
        if (!c.awaiting_plus && c.append_stream) {
          c.append_open = true;
          client_event e;
          e.kind = client_event_kind::append_ready;
          e.command = c.kind;
          local_.emplace_back(e, c.tag);
        }
      }
      // Nothing more goes out after this one yet?
      if (c.awaiting_plus || c.append_stream || barrier(c.kind) || !opt_.pipelining) return;
    }
  }
  // Writes the command up to its next "+" point (or to its end).
  void write_some(pending_cmd& c) {
    std::size_t end = c.text.size();
    c.awaiting_plus = false;
    for (const std::size_t w : c.waits)
      if (w > c.sent) {
        end = w;
        c.awaiting_plus = true;
        break;
      }
    out_.append(c.text, c.sent, end - c.sent);
    c.sent = end;
  }

  pending_cmd* waiting(command_kind k) noexcept {
    for (auto& c : cmds_)
      if (c.started && c.kind == k) return &c;
    return nullptr;
  }
  pending_cmd* appending() noexcept {
    for (auto& c : cmds_)
      if (c.started && c.append_stream && c.append_open) return &c;
    return nullptr;
  }

  void fail(errc e, std::uint64_t at) noexcept {
    if (failed_ != errc::ok) return;
    failed_ = e;
    failed_at_ = at;
    ev_ = client_event{};
  }

  void route(client_event& e) const noexcept {
    if (!cmds_.empty() && cmds_.front().started) {
      e.tag = cmds_.front().tag;
      e.command = cmds_.front().kind;
      e.uid = cmds_.front().uid;
    }
  }

  bool literal_begin(const frame_event& fe) {
    const auto p = parse_fetch_prefix(fe.message, opt_.limits, opt_.response);
    if (p.st != mailwire::status::event) {
      fail(p.st == mailwire::status::error ? p.error : errc::bad_literal, fe.offset);
      return false;
    }
    streamed_msn_ = p.value.number;
    ev_.kind = client_event_kind::fetch_literal_begin;
    ev_.message = p.value.number;
    for (const msg_att& a : p.value.atts)
      if (!a.other && a.att.item == fetch_item::uid) ev_.uid_value = static_cast<std::uint32_t>(a.number);
    ev_.attribute = p.value.pending.att;
    ev_.size = fe.literal.size;
    route(ev_);
    return true;
  }

  void set_caps(std::string_view raw) { caps_.assign(raw); }

  void apply_code(const resp_text& t) {
    if (!t.has_code) return;
    const resp_code& c = t.code;
    switch (c.kind()) {
      case code_kind::capability: set_caps(c.capabilities().raw()); break;
      case code_kind::uidvalidity: mbox_.uidvalidity = static_cast<std::uint32_t>(c.number()); break;
      case code_kind::uidnext: mbox_.uidnext = static_cast<std::uint32_t>(c.number()); break;
      case code_kind::highestmodseq: mbox_.highestmodseq = c.number(); break;
      case code_kind::nomodseq: mbox_.nomodseq = true; break;
      case code_kind::permanentflags: mbox_.permanent_flags.assign(c.flags().raw()); break;
      case code_kind::read_only: mbox_.read_only = true; break;
      case code_kind::read_write: mbox_.read_only = false; break;
      case code_kind::closed:
        // RFC 7162 section 3.2.11: the previous mailbox is closed; what follows is the new one.
        new_mailbox();
        break;
      default: break;
    }
  }
  void new_mailbox() {
    std::string name = std::move(mbox_.name);
    mbox_ = mailbox_state{};
    mbox_.name = std::move(name);
  }

  bool vanish(const sequence_set& set, std::uint64_t at) {
    const bool known = std::find(mbox_.uids.begin(), mbox_.uids.end(), 0u) == mbox_.uids.end();
    if (known) {
      message_map m;
      if (m.assign(mbox_.uids) != errc::ok) {
        fail(errc::no_such_message, at);
        return false;
      }
      (void)m.remove_uids(set, [&](std::uint32_t msn) {
        if (opt_.track_flags && msn <= mbox_.message_flags.size())
          mbox_.message_flags.erase(mbox_.message_flags.begin() + static_cast<std::ptrdiff_t>(msn - 1));
      });
      mbox_.uids.assign(m.uids().begin(), m.uids().end());
      mbox_.exists = static_cast<std::uint32_t>(mbox_.uids.size());
      return true;
    }
    // Some UIDs unknown: count the set's UIDs (each names an existing message, RFC 7162
    // section 3.2.10) and forget where the known ones are.
    std::uint64_t n = 0;
    set.normalize(0xFFFFFFFFu, scratch_);
    for (const seq_interval& iv : scratch_) n += std::uint64_t{iv.last} - iv.first + 1;
    mbox_.exists = n >= mbox_.exists ? 0 : mbox_.exists - static_cast<std::uint32_t>(n);
    mbox_.uids.assign(mbox_.exists, 0);
    if (opt_.track_flags) mbox_.message_flags.assign(mbox_.exists, std::string());
    return true;
  }

  mailwire::status on_message(const frame_event& fe) {
    const literal_context lc{fe.message.data(), fe.literals};
    response_options ro = opt_.response;
    ro.utf8 = ro.utf8 || is_enabled("UTF8=ACCEPT") || is_enabled("IMAP4rev2");
    const auto r = parse_response_into(resp_, fe.message, &lc, opt_.limits, ro);
    if (r.st != mailwire::status::event) {
      fail(r.st == mailwire::status::error ? r.error : errc::expected_crlf, fe.offset + r.error_offset);
      return mailwire::status::error;
    }
    const response& p = resp_;
    ev_.response = &resp_;
    if (state_ == client_state::greeting) {
      if (p.kind != response_kind::status || p.condition == cond::no || p.condition == cond::bad) {
        fail(errc::unexpected_character, fe.offset);
        return mailwire::status::error;
      }
      apply_code(p.text);
      ev_.kind = client_event_kind::greeting;
      ev_.condition = p.condition;
      state_ = p.condition == cond::ok        ? client_state::not_authenticated
               : p.condition == cond::preauth ? client_state::authenticated
                                              : client_state::logout;
      if (state_ == client_state::authenticated) framer_.set_authenticated(true);
      pump();
      return mailwire::status::event;
    }
    switch (p.kind) {
      case response_kind::continuation: return on_plus(fe);
      case response_kind::tagged: return on_tagged(fe);
      case response_kind::status:
        apply_code(p.text);
        if (p.condition == cond::bye) state_ = client_state::logout;
        break;
      case response_kind::capability: set_caps(p.capabilities.raw()); break;
      case response_kind::enabled:
        if (!p.capabilities.raw().empty()) {
          if (!enabled_.empty()) enabled_ += ' ';
          enabled_.append(p.capabilities.raw());
        }
        break;
      case response_kind::flags: mbox_.flags.assign(p.flags.raw()); break;
      case response_kind::exists:
        if (p.number > 0xFFFFFFFFu) break;
        mbox_.exists = static_cast<std::uint32_t>(p.number);
        mbox_.uids.resize(mbox_.exists, 0);
        if (opt_.track_flags) mbox_.message_flags.resize(mbox_.exists);
        break;
      case response_kind::recent: mbox_.recent = static_cast<std::uint32_t>(p.number); break;
      case response_kind::expunge:
        if (p.number == 0 || p.number > mbox_.exists) {
          fail(errc::no_such_message, fe.offset);
          return mailwire::status::error;
        }
        mbox_.uids.erase(mbox_.uids.begin() + static_cast<std::ptrdiff_t>(p.number - 1));
        if (opt_.track_flags)
          mbox_.message_flags.erase(mbox_.message_flags.begin() + static_cast<std::ptrdiff_t>(p.number - 1));
        --mbox_.exists;
        break;
      case response_kind::vanished:
        if (!p.earlier && !vanish(p.uids, fe.offset)) return mailwire::status::error;
        break;
      case response_kind::fetch:
        if (p.number == 0 || p.number > mbox_.exists) {
          fail(errc::no_such_message, fe.offset);
          return mailwire::status::error;
        }
        for (const msg_att& a : p.atts) {
          if (a.other) continue;
          if (a.att.item == fetch_item::uid && a.number <= 0xFFFFFFFFu)
            mbox_.uids[p.number - 1] = static_cast<std::uint32_t>(a.number);
          if (a.att.item == fetch_item::flags && opt_.track_flags)
            mbox_.message_flags[p.number - 1].assign(a.flags.raw());
        }
        break;
      default: break;
    }
    ev_.kind = client_event_kind::data;
    route(ev_);
    if (p.kind == response_kind::esearch && !p.search_tag.is_nil() && !p.search_tag.streamed()) {
      // RFC 4731 section 3.1: the TAG names the SEARCH it answers (several may be pipelined).
      const std::string t = p.search_tag.content();
      for (const pending_cmd& c : cmds_)
        if (c.started && c.tag == t) {
          ev_.tag = c.tag;
          ev_.command = c.kind;
          ev_.uid = c.uid;
        }
    }
    return mailwire::status::event;
  }

  mailwire::status on_plus(const frame_event& fe) {
    pending_cmd* c = nullptr;
    for (auto& x : cmds_)
      if (x.started) c = &x;
    if (c == nullptr) {
      fail(errc::unexpected_continuation, fe.offset);
      return mailwire::status::error;
    }
    ev_.tag = c->tag;
    ev_.command = c->kind;
    if (c->awaiting_plus) {  // a synchronizing literal of the command
      if (c->sent < c->text.size()) {
        write_some(*c);
        pump();
        return mailwire::status::need_more;
      }
      c->awaiting_plus = false;  // APPEND's streamed message
      c->append_open = true;
      ev_.kind = client_event_kind::append_ready;
      return mailwire::status::event;
    }
    if (c->kind == command_kind::authenticate) {
      if (c->challenged) {
        fail(errc::unexpected_continuation, fe.offset);
        return mailwire::status::error;
      }
      if (c->has_sasl_initial) {
        c->has_sasl_initial = false;
        out_ += c->sasl_initial;
        out_ += "\r\n";
        return mailwire::status::need_more;
      }
      challenge_.clear();
      base64::decode_options dopt;
      dopt.strict = true;
      const auto d = base64::decode(resp_.text.text, challenge_, dopt);
      if (!d.ok()) {
        fail(errc::bad_base64, fe.offset);
        return mailwire::status::error;
      }
      c->challenged = true;
      ev_.kind = client_event_kind::auth_challenge;
      ev_.data = challenge_;
      return mailwire::status::event;
    }
    if (c->kind == command_kind::idle && !c->idling) {
      c->idling = true;
      if (c->done_asked) {
        out_ += "DONE\r\n";
        c->done_sent = true;
      }
      ev_.kind = client_event_kind::idling;
      return mailwire::status::event;
    }
    fail(errc::unexpected_continuation, fe.offset);
    return mailwire::status::error;
  }

  mailwire::status on_tagged(const frame_event& fe) {
    const response& p = resp_;
    std::size_t i = 0;
    while (i < cmds_.size() && !(cmds_[i].started && cmds_[i].tag == p.tag.text())) ++i;
    if (i == cmds_.size()) {
      fail(errc::unknown_tag, fe.offset);
      return mailwire::status::error;
    }
    pending_cmd c = std::move(cmds_[i]);
    cmds_.erase(cmds_.begin() + static_cast<std::ptrdiff_t>(i));
    done_tag_ = c.tag;
    ev_.kind = client_event_kind::completed;
    ev_.tag = done_tag_;
    ev_.command = c.kind;
    ev_.uid = c.uid;
    ev_.condition = p.condition;
    if (c.append_open && c.append_left != 0) {
      // The server answered before the octets (e.g. NO [TOOBIG]): the host must stop sending.
      // Continuing would be a protocol error, and any octets already written stay written.
    }
    apply_code(p.text);
    const bool ok = p.condition == cond::ok;
    switch (c.kind) {
      case command_kind::login:
      case command_kind::authenticate:
        if (ok && state_ == client_state::not_authenticated) {
          state_ = client_state::authenticated;
          framer_.set_authenticated(true);
        }
        break;
      case command_kind::select:
      case command_kind::examine:
        if (ok) {
          state_ = client_state::selected;
          mbox_.name = std::move(c.mailbox);
          if (c.kind == command_kind::examine) mbox_.read_only = true;
        } else if (state_ == client_state::selected) {
          state_ = client_state::authenticated;  // RFC 9051 6.3.2: a failed SELECT deselects
          mbox_ = mailbox_state{};
        }
        break;
      case command_kind::close:
      case command_kind::unselect:
        if (ok) {
          state_ = client_state::authenticated;
          mbox_ = mailbox_state{};
        }
        break;
      case command_kind::starttls:
        if (ok) {
          if (in_pos_ != in_.size()) {  // CVE-2011-0411: bytes before the handshake
            fail(errc::input_before_tls, fe.offset + fe.message.size());
            return mailwire::status::error;
          }
          tls_pending_ = true;
          caps_.clear();
          ev_.kind = client_event_kind::starttls_ready;
          return mailwire::status::paused;
        }
        break;
      case command_kind::compress:
        if (ok) {
          compress_pending_ = true;
          ev_.kind = client_event_kind::compress_ready;
          return mailwire::status::paused;
        }
        break;
      case command_kind::logout:
        state_ = client_state::logout;
        ev_.kind = client_event_kind::closed;
        break;
      default: break;
    }
    pump();
    return mailwire::status::event;
  }

  client_options opt_;
  framer framer_;
  client_state state_ = client_state::greeting;
  std::string in_;
  std::size_t in_pos_ = 0;
  std::string out_;
  std::deque<pending_cmd> cmds_;
  std::deque<std::pair<client_event, std::string>> local_;  // with the tag's text
  std::string local_tag_;
  std::uint32_t counter_ = 1;
  std::string caps_, enabled_;
  mailbox_state mbox_;
  response resp_;
  client_event ev_;
  std::string done_tag_, challenge_;
  std::uint32_t streamed_msn_ = 0;
  std::vector<seq_interval> scratch_;
  bool tls_ = false, tls_pending_ = false, compress_pending_ = false;
  errc failed_ = errc::ok;
  std::uint64_t failed_at_ = 0;
};

}  // namespace mailwire::imap
