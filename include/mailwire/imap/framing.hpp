// mailwire/imap/framing.hpp — the framing layer of IMAP (RFC 9051 sections 2.2, 4.3 and 7.5;
// RFC 3501 the same; LITERAL+ / LITERAL- RFC 7888; literal8 RFC 3516): it reads the bytes of one
// direction of a connection and finds, incrementally and linearly, where each message (a command
// or a response) ends and where its literals are, before any grammar is parsed.
//
//   imap::framing_options o;  o.side = imap::framing_side::server;   // reading client commands
//   imap::framer f(o);                                                // limits: imap/limits.hpp
//   for (;;) {
//     auto r = f.next(in);  in.remove_prefix(r.consumed);
//     if (r.st == status::need_more) break;                        // read more bytes
//     if (r.st == status::error) { close(imap::bad_hint(r.error)); break; }
//     const imap::frame_event& ev = r.ev;
//     switch (ev.kind) {
//       case frame_event_kind::literal_begin:                      // ev.message: the command so far
//         if (r.st == status::paused)                              // synchronizing "{N}"
//           ok_to_take(ev) ? (f.accept_literal(), send("+ Ready for literal data\r\n"))
//                          : (f.reject_literal(), send(tag + " NO ...\r\n"));
//         break;
//       case frame_event_kind::literal_data: store(ev.text); break; // a streamed literal's octets
//       case frame_event_kind::message_end: parse_command(ev.message, ev.literals); break;
//       case frame_event_kind::message_failed: send(tag + " BAD " + bad_hint(ev.error)); break;
//       default: break;                                            // line, literal_end
//     }
//   }
//
// Why "framer": it finds frames (messages and the literals inside them) and nothing else; the
// grammar parsers (command.hpp, response.hpp) run once per complete message on ev.message.
//
// The message model (imap.md). A message is a line that may carry literals: `a1 APPEND INBOX
// {310}\r\n<310 octets>\r\n`. It ends at the first CRLF that is not inside a literal and is not
// followed by a literal's octets. A literal is announced by ["~"] "{" 1*DIGIT ["+"] "}" right
// before a CRLF (RFC 9051 section 9 `literal` and RFC 3516 `literal8`, with RFC 7888's "+");
// anything else before a CRLF — "{}", "{-1}", "{1a}", "{5} " — is not a literal but text, which
// the grammar then accepts (resp-text) or refuses (commands: "{" is an atom-special). Literal
// octets are never scanned for CRLF. Small literals (up to framing_options::inline_literal_max)
// stay inline, so ev.message is the message exactly as on the wire; bigger ones are streamed:
// their octets go to the host as literal_data events and the message keeps only the
// announcement, with a literal_span {offset, size, streamed = true} telling the grammar parser
// that zero octets follow it there.
//
// Events, in order, for each message: for each line segment `line` (the text up to a CRLF,
// without it; unless framing_options::line_events is off), then if it announced a literal
// `literal_begin` (paused on the server side for a synchronizing literal), `literal_data`*
// (streamed literals only), `literal_end`; finally one `message_end`, or `message_failed` if
// anything in the message was refused. A failed message is
// read to its end and dropped (bounded memory: lines are no longer kept, literal octets are
// skipped), never read as commands; its events stop at the failure (a streamed literal gets no
// literal_end). message_failed carries the message as far as it was kept (the tag is at its
// start) and the first error with its stream offset; bad_hint(error) is the BAD text.
//
// Server side (reading client commands):
// - "{N}" pauses (status::paused, DESIGN.md section 4) with literal_begin: the host parses the
//   prefix (APPEND's mailbox, flags) and calls accept_literal() (then sends "+ ...") or
//   reject_literal() (then sends a tagged NO or BAD; RFC 9051 section 7.5: the client sends
//   neither the octets nor the rest of the command, so the message ends there, with no event).
//   A synchronizing literal over limits::literal() is refused before any octet is expected:
//   message_failed (literal_too_large) at once.
// - "{N+}" (RFC 7888) is read at once: the client does not wait. framing_options::non_sync says
//   what was advertised: LITERAL+ (any size up to the limit), LITERAL- (the IMAP4rev2 default,
//   RFC 9051 section 4.3: at most 4096 octets), or none. A refused non-synchronizing literal is
//   the RFC 7888 section 4 case: the server answers BAD [TOOBIG], and since the octets are on
//   their way they are read and dropped with the rest of the command (failing() says so early,
//   for a host that prefers to close the connection).
// - IDLE's "DONE" (RFC 2177, RFC 9051 section 6.3.13) and the client's AUTHENTICATE responses
//   (base64 or "*", RFC 9051 section 6.2.2) are plain messages of one line: the session reads
//   the next message_end after its "+" and interprets it as DONE or a SASL response. A session
//   that allows long SASL responses raises the line limit with set_limits() for that exchange.
// - At login the session calls set_authenticated(true): the after-authentication limits apply
//   from the next line or literal on.
// Client side (reading server responses): literal octets follow the announcement at once, so
// nothing pauses; "{N+}" in a response is an error (non_sync_literal_not_allowed). The text of
// a continuation request ("+ ...") or a status response ("tag OK ...", "* BYE ...") is
// resp-text, which has no literals (RFC 9051 section 9: resp-text, continue-req), so a "{5}"
// there ends the message instead of announcing one.
//
// Errors. Message errors (message_failed): a NUL outside a literal8, in a line or in a "{N}"
// literal (RFC 9051 section 9: CHAR8 is %x01-ff; nul_outside_literal8), a line segment over
// limits::line() octets (CRLF included, literal octets excluded), a message over
// limits::message_before_auth / message_after_auth octets held in memory, more literals than
// limits::literals_per_message, a refused literal. Fatal errors (status::error, sticky until
// reset(): the stream cannot be framed any more): a bare LF (unless lenient_bare_lf), and a
// non-synchronizing or client-side literal size over 2^63 - 1 (number_overflow). 8-bit octets
// pass; the grammar decides.
//
// Upgrades (STARTTLS, COMPRESS): next() never consumes past the end of the message it reports,
// so after message_end of "a STARTTLS" the octets left in the host's input are exactly those the
// client sent before the handshake (to be refused), and after COMPRESS those for the inflater.
//
// Linear work: every input octet is examined a bounded number of times whatever the chunking
// (memchr for LF and NUL, one copy into the message buffer, a backward look at a line's end for
// an announcement); octets_examined() counts them.
//
// Lifetimes: ev.text of literal_data views the input given to that next() call; every other view
// (line text, ev.message, ev.literals) views the framer's buffer and stays valid until the next
// call of next() or reset() — except on the client side: a message_end (or message_failed of a
// message with no octet dropped) whose message lies wholly inside the input of the next() call
// that returns it, with no streamed literal, is a view of that input (no copy: the common case
// of a response read from a buffer that holds it whole), valid as long as that input is. A host
// that moves or overwrites its input before it is done with ev.message copies it first. A
// message split across next() calls (or reported after a line / literal_begin event) is copied
// into the framer's buffer as before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/status.hpp"
#include "mailwire/imap/detail/framing_scan.hpp"
#include "mailwire/imap/errc.hpp"
#include "mailwire/imap/limits.hpp"

namespace mailwire::imap {

/// Which direction of a connection a framer reads (RFC 9051 section 2.2).
enum class framing_side : std::uint8_t {
  server,  ///< a server reading client commands: "{N}" waits for "+" (RFC 9051 section 7.5)
  client,  ///< a client reading server responses: literal octets follow at once
};

/// Which non-synchronizing literals "{N+}" a server advertised (RFC 7888).
enum class non_sync_literals : std::uint8_t {
  none,           ///< IMAP4rev1 without LITERAL+ / LITERAL-: every "{N+}" is refused
  literal_minus,  ///< LITERAL- (RFC 7888 section 4; IMAP4rev2 RFC 9051 section 4.3): N <= 4096
  literal_plus,   ///< LITERAL+ (RFC 7888 section 3): any N up to limits::literal()
};

/// The largest non-synchronizing literal under LITERAL- (RFC 7888 section 4).
inline constexpr std::uint64_t literal_minus_max = 4096;

/// Options of a framer. Defaults: server side, LITERAL- (IMAP4rev2), 64 KiB inline, strict.
struct framing_options {
  framing_side side = framing_side::server;
  non_sync_literals non_sync = non_sync_literals::literal_minus;  ///< server side only
  /// Literals up to this size stay inline in the message; bigger ones are streamed (imap.md).
  std::uint64_t inline_literal_max = 64 * 1024;
  /// Report each line segment as a `line` event. A session that only parses whole messages
  /// turns this off: one event fewer per line (the framer's cost is per event and per octet).
  bool line_events = true;
  /// Accept a bare LF as a line end (also after a literal announcement). Risk: a peer and a
  /// stricter relay may disagree on where a line ends (a smuggling vector); off.
  bool lenient_bare_lf = false;
  /// Accept NUL octets inside "{N}" literals (RFC 9051 allows them only in literal8). For
  /// clients of servers that send broken messages as they are stored. Risk: a NUL reaches code
  /// that treats the text as a C string; off.
  bool lenient_nul_in_literal = false;
};

/// Where a literal sits in a message (the hook between framing and the grammar parsers).
struct literal_span {
  std::size_t offset = 0;   ///< index in the message of the literal's first octet (just after
                            ///< the announcement's CRLF); for a streamed literal no octet is there
  std::uint64_t size = 0;   ///< announced size N
  bool sync = true;         ///< "{N}" (true) or "{N+}" (false, RFC 7888)
  bool binary = false;      ///< literal8 "~{N}" (RFC 3516 section 4.2)
  bool streamed = false;    ///< octets delivered as literal_data events, not in the message
  bool operator==(const literal_span&) const = default;
};

/// What next() found.
enum class frame_event_kind : std::uint8_t {
  none,
  line,            ///< a line segment is complete: text (without CRLF)
  literal_begin,   ///< a literal was announced: literal, index, message (so far, with the
                   ///< announcement); paused on the server side for "{N}"
  literal_data,    ///< octets of a streamed literal: text (a view of the input)
  literal_end,     ///< the literal's octets are complete: literal, index
  message_end,     ///< the message is complete: message, literals
  message_failed,  ///< the message was refused and dropped: error, error_offset, message (as far
                   ///< as kept), literals
};

/// The event of a next() call that returned status::event or status::paused. Views: see
/// "Lifetimes" at the top of this file (client side: message may view the caller's input).
struct frame_event {
  frame_event_kind kind = frame_event_kind::none;
  std::string_view text;      ///< line: the line without CRLF; literal_data: the octets
  std::string_view message;   ///< literal_begin, message_end, message_failed: the message
                              ///< (client side message_end: possibly a view of next()'s input)
  std::span<const literal_span> literals;  ///< the message's literals so far
  literal_span literal;       ///< literal_begin / literal_data / literal_end: the literal
  std::size_t index = 0;      ///< literal_*: the literal's number in the message, from 0
  std::uint64_t offset = 0;   ///< stream offset of the line, the data chunk, the literal's first
                              ///< octet (literal_begin/end) or the message (message_end/failed)
  errc error = errc::ok;      ///< message_failed: why
  std::uint64_t error_offset = 0;  ///< message_failed: stream offset of the offending octet
};

/// The outcome of one next() call.
/// - event: `ev` is ready; call again with the input after `consumed`.
/// - paused: a synchronizing literal waits for accept_literal() or reject_literal() (server).
/// - need_more: every input octet was taken; call again with more.
/// - error: the stream cannot be framed (error, error_offset); sticky until reset().
struct frame_result {
  status st = status::need_more;
  std::size_t consumed = 0;        ///< input octets taken by this call
  frame_event ev;
  errc error = errc::ok;
  std::uint64_t error_offset = 0;  ///< offset from the first octet after construction / reset()
};

/// The incremental framer of one direction of an IMAP connection (see the top of this file).
class framer {
 public:
  explicit framer(const framing_options& o = {}, const limits& l = {}) : opt_(o), lim_(l) {}

  /// Reads from `in` up to the next event. Views in the event: see the top of this file.
  /// Throws only std::bad_alloc.
  [[nodiscard]] frame_result next(std::string_view in) {
    frame_result r;
    if (phase_ == phase::fatal) {
      r.st = status::error;
      r.error = fatal_error_;
      r.error_offset = fatal_offset_;
      return r;
    }
    if (phase_ == phase::decision) {
      r.st = status::paused;
      r.ev = pending_;
      return r;
    }
    if (queued_) {
      queued_ = false;
      r.st = status::event;
      r.ev = pending_;
      return r;
    }
    if (phase_ == phase::done) start_message();
    base_ = offset_;
    // Client side, a message starting at in[0]: read it in place while it lies in `in`.
    if (!server() && phase_ == phase::line && failed_ == errc::ok && buf_.empty()) {
      direct_ = true;
      dbeg_ = in.data();
      dlen_ = 0;
    }
    const bool was_direct = direct_;
    std::size_t pos = 0;
    bool ready = false;
    while (!ready) {
      switch (phase_) {
        case phase::line:
          if (pos == in.size()) break;
          ready = failed_ == errc::ok ? line_step(in, pos, r) : discard_step(in, pos, r);
          continue;
        case phase::literal:
          ready = literal_step(in, pos, r);
          if (!ready && pos == in.size() && remaining_ != 0) break;
          continue;
        case phase::skip: {
          const std::size_t take = take_count(in.size() - pos);
          pos += take;
          remaining_ -= take;
          if (remaining_ == 0) {
            new_segment(base_ + pos);
            continue;
          }
          break;
        }
        case phase::decision:
        case phase::done:
        case phase::fatal: ready = true; continue;
      }
      // Out of input.
      r.st = status::need_more;
      break;
    }
    r.consumed = pos;
    offset_ = base_ + pos;
    if (was_direct) leave_direct(r);
    return r;
  }

  /// Server side, after next() paused on a synchronizing literal: take its octets (the host
  /// sends "+ ..."). errc::local_state when no literal waits.
  errc accept_literal() noexcept {
    if (phase_ != phase::decision) return errc::local_state;
    phase_ = phase::literal;
    return errc::ok;
  }

  /// Server side, after next() paused on a synchronizing literal: refuse it (the host sends a
  /// tagged NO or BAD). The message ends there; the next octets start a new message.
  errc reject_literal() noexcept {
    if (phase_ != phase::decision) return errc::local_state;
    phase_ = phase::done;
    return errc::ok;
  }

  /// The after-authentication limits apply from the next line or literal on (RFC 9051 3).
  void set_authenticated(bool on) noexcept { lim_.authenticated = on; }
  /// Replaces the limits (e.g. a longer line for an AUTHENTICATE exchange).
  void set_limits(const limits& l) noexcept { lim_ = l; }
  /// Replaces the non-synchronizing literal rule (e.g. after ENABLE IMAP4rev2).
  void set_non_sync(non_sync_literals n) noexcept { opt_.non_sync = n; }

  [[nodiscard]] const limits& current_limits() const noexcept { return lim_; }
  [[nodiscard]] const framing_options& options() const noexcept { return opt_; }

  /// Back to the start of a stream (offsets from 0), keeping options and limits.
  void reset() noexcept { *this = framer(opt_, lim_); }

  /// True between messages: no octet of an unfinished message has been taken.
  [[nodiscard]] bool at_message_boundary() const noexcept {
    return phase_ == phase::done || (phase_ == phase::line && offset_ == message_offset_);
  }
  /// The error of the message being dropped (ok when none): a host may close at once instead
  /// of reading a large refused literal to its end.
  [[nodiscard]] errc failing() const noexcept { return failed_; }
  /// Octets of the current message held in memory (in the framer's buffer, or in the caller's
  /// input for a client-side message_end viewed in place).
  [[nodiscard]] std::size_t buffered() const noexcept { return in_input_ ? dlen_ : buf_.size(); }
  /// Stream offset of the next octet to be taken.
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
  /// Octets looked at so far (scans, copies, announcement checks): a linear-work witness.
  [[nodiscard]] std::uint64_t octets_examined() const noexcept { return examined_; }

 private:
  enum class phase : std::uint8_t {
    line,      ///< reading a line segment (failed_ != ok: dropping it)
    literal,   ///< reading a literal's octets (inline or streamed)
    skip,      ///< dropping a literal's octets (failed message)
    decision,  ///< server: a synchronizing literal waits for accept/reject
    done,      ///< the message ended; the next call starts another
    fatal,     ///< the stream cannot be framed
  };

  [[nodiscard]] std::size_t line_limit() const noexcept { return lim_.line(); }
  [[nodiscard]] std::size_t message_limit() const noexcept {
    return lim_.authenticated ? lim_.message_after_auth : lim_.message_before_auth;
  }
  [[nodiscard]] bool server() const noexcept { return opt_.side == framing_side::server; }
  // The message so far: in buf_, or (direct_) the dlen_ octets of the input at dbeg_.
  [[nodiscard]] std::size_t msg_size() const noexcept { return direct_ ? dlen_ : buf_.size(); }
  [[nodiscard]] std::string_view msg_view() const noexcept {
    return direct_ ? std::string_view(dbeg_, dlen_) : std::string_view(buf_);
  }
  // Takes n octets at p: in direct mode p is always dbeg_ + dlen_ (every octet taken so far was
  // kept, in order), so only the length grows.
  void msg_append(const char* p, std::size_t n) {
    if (direct_) {
      dlen_ += n;
    } else {
      buf_.append(p, n);
    }
  }
  // Leaves direct mode: the octets kept so far are copied into buf_ (a message that continues
  // past this next() call, or one that will not be kept whole); dbeg_ / dlen_ stay for rebase().
  void materialize() {
    if (!direct_) return;
    buf_.assign(dbeg_, dlen_);
    direct_ = false;
  }
  [[nodiscard]] std::string_view rebase(std::string_view v) const noexcept {
    const auto b = reinterpret_cast<std::uintptr_t>(dbeg_);
    const auto d = reinterpret_cast<std::uintptr_t>(v.data());
    if (v.data() == nullptr || d < b || d > b + dlen_) return v;
    return {buf_.data() + (d - b), v.size()};
  }
  // End of a next() call in direct mode: a message_end returned now keeps its view of the
  // input; anything else (a message still open, a queued message_end) is copied to buf_ and
  // the views already made point there.
  void leave_direct(frame_result& r) {
    if (direct_ && phase_ == phase::done && !queued_) {
      direct_ = false;
      in_input_ = true;
      return;
    }
    materialize();
    r.ev.text = rebase(r.ev.text);
    r.ev.message = rebase(r.ev.message);
    pending_.text = rebase(pending_.text);
    pending_.message = rebase(pending_.message);
  }

  [[nodiscard]] std::size_t take_count(std::size_t avail) const noexcept {
    return remaining_ < avail ? static_cast<std::size_t>(remaining_) : avail;
  }

  void start_message() {
    // Keep the buffers' memory between messages, unless one message made them large.
    if (buf_.capacity() > (std::size_t{1} << 20)) std::string().swap(buf_);
    if (literals_.capacity() > 4096) std::vector<literal_span>().swap(literals_);
    buf_.clear();
    in_input_ = false;
    literals_.clear();
    failed_ = errc::ok;
    fail_offset_ = 0;
    segment_ = 0;
    classifier_.reset();
    message_offset_ = offset_;
    phase_ = phase::line;
    new_segment_at(offset_);
  }

  void new_segment_at(std::uint64_t stream_offset) noexcept {
    line_start_ = msg_size();
    line_len_ = 0;
    line_offset_ = stream_offset;
    tracker_.reset();
  }
  void new_segment(std::uint64_t stream_offset) noexcept {
    phase_ = phase::line;
    ++segment_;
    new_segment_at(stream_offset);
  }

  void fail(errc e, std::uint64_t at) {
    materialize();  // octets are dropped from here: no longer the input as it is
    if (failed_ == errc::ok) {
      failed_ = e;
      fail_offset_ = at;
    }
  }

  bool fatal(errc e, std::uint64_t at, frame_result& r) noexcept {
    phase_ = phase::fatal;
    fatal_error_ = e;
    fatal_offset_ = at;
    r.st = status::error;
    r.error = e;
    r.error_offset = at;
    return true;
  }

  [[nodiscard]] std::span<const literal_span> spans() const noexcept {
    return {literals_.data(), literals_.size()};
  }

  bool emit_message_end(frame_result& r) noexcept {
    r.st = status::event;
    r.ev = {};
    r.ev.kind = failed_ == errc::ok ? frame_event_kind::message_end : frame_event_kind::message_failed;
    r.ev.message = msg_view();
    r.ev.literals = spans();
    r.ev.offset = message_offset_;
    r.ev.error = failed_;
    r.ev.error_offset = fail_offset_;
    phase_ = phase::done;
    return true;
  }

  // A line segment of a message that has not failed: memchr for LF and NUL, one copy.
  bool line_step(std::string_view in, std::size_t& pos, frame_result& r) {
    const char* p = in.data() + pos;
    const std::size_t avail = in.size() - pos;
    const void* lfp = std::memchr(p, '\n', avail);
    const bool lf = lfp != nullptr;
    const std::size_t k = lf ? static_cast<std::size_t>(static_cast<const char*>(lfp) - p) : avail;
    const std::size_t with_lf = k + (lf ? 1 : 0);
    examined_ += with_lf;

    // The first refused octet of this piece, if any: the one at line index `line_limit()`, at
    // message index `message_limit()`, or a NUL.
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t at = none;
    errc why = errc::ok;
    const std::size_t llim = line_limit();
    if (line_len_ + with_lf > llim) {
      at = line_len_ < llim ? llim - line_len_ : 0;  // a limit lowered mid-line: at once
      why = errc::line_too_long;
    }
    const std::size_t mlim = message_limit();
    const std::size_t held = msg_size();
    if (held + with_lf > mlim) {
      const std::size_t m = held < mlim ? mlim - held : 0;
      if (m < at) {
        at = m;
        why = errc::message_too_large;
      }
    }
    const std::size_t nul_range = at < k ? at : k;
    if (const void* z = std::memchr(p, '\0', nul_range)) {
      at = static_cast<std::size_t>(static_cast<const char*>(z) - p);
      why = errc::nul_outside_literal8;
      examined_ += at + 1;
    } else {
      examined_ += nul_range;
    }
    const std::size_t keep = at == none ? with_lf : at;
    if (!server() && segment_ == 0) {
      for (std::size_t i = 0; i < keep && !classifier_.decided(); ++i, ++examined_)
        classifier_.feed(p[i]);
    }
    msg_append(p, keep);
    examined_ += keep;
    if (at != none) {
      fail(why, base_ + pos + at);
      // From here the message is dropped: the rest of this line goes through the tracker,
      // which first sees the part already kept.
      line_len_ += at;
      const std::string_view kept(buf_.data() + line_start_, buf_.size() - line_start_);
      for (std::size_t i = 0; i < kept.size(); ++i) tracker_.feed(kept[i], line_offset_ + i);
      examined_ += kept.size();
      pos += at;
      return false;
    }
    pos += with_lf;
    if (!lf) {
      line_len_ += k;
      return false;
    }
    return line_end(r, base_ + pos - 1);
  }

  // The LF of a line of a message that has not failed is in buf_ (at its end).
  bool line_end(frame_result& r, std::uint64_t lf_offset) {
    const std::string_view held = msg_view();
    std::string_view seg(held.data() + line_start_, held.size() - line_start_ - 1);
    const bool cr = !seg.empty() && seg.back() == '\r';
    if (!cr && !opt_.lenient_bare_lf) return fatal(errc::bare_lf, lf_offset, r);
    if (cr) seg.remove_suffix(1);
    detail::announcement a;
    if (server() || segment_ != 0 || !classifier_.finish()) {
      a = detail::parse_announcement(seg);
      examined_ += a.found ? seg.size() - a.start : 3;
    }
    if (opt_.line_events) {
      r.st = status::event;
      r.ev = {};
      r.ev.kind = frame_event_kind::line;
      r.ev.text = seg;
      r.ev.offset = line_offset_;
    }
    if (!a.found) {
      if (!opt_.line_events) return emit_message_end(r);
      queue_message_end();
      return true;
    }
    const std::uint64_t at = line_offset_ + a.start;
    if (const errc e = check_literal(a); e != errc::ok) {
      fail(e, at);
      if (server() && !a.plus) return emit_message_end(r);  // no "+" will come: it ends here
      if (a.overflow) return fatal(errc::number_overflow, at, r);
      phase_ = phase::skip;
      remaining_ = a.size;
      return false;
    }
    literal_span s;
    s.offset = msg_size();
    s.size = a.size;
    s.sync = !a.plus;
    s.binary = a.binary;
    const std::size_t mlim = message_limit();
    s.streamed = a.size > opt_.inline_literal_max || s.offset >= mlim || a.size > mlim - s.offset;
    if (s.streamed) materialize();  // its octets will not be in the message
    literals_.push_back(s);
    remaining_ = a.size;
    literal_offset_ = lf_offset + 1;
    pending_ = {};
    pending_.kind = frame_event_kind::literal_begin;
    pending_.message = msg_view();
    pending_.literals = spans();
    pending_.literal = s;
    pending_.index = literals_.size() - 1;
    pending_.offset = literal_offset_;
    if (server() && s.sync) {
      phase_ = phase::decision;  // paused with pending_ until accept / reject
      if (!opt_.line_events) {
        r.st = status::paused;
        r.ev = pending_;
      }
    } else {
      phase_ = phase::literal;
      if (opt_.line_events) {
        queued_ = true;
      } else {
        r.st = status::event;
        r.ev = pending_;
      }
    }
    return true;
  }

  [[nodiscard]] errc check_literal(const detail::announcement& a) const noexcept {
    if (a.overflow) return errc::number_overflow;
    if (a.plus) {
      if (!server() || opt_.non_sync == non_sync_literals::none)
        return errc::non_sync_literal_not_allowed;
      if (opt_.non_sync == non_sync_literals::literal_minus && a.size > literal_minus_max)
        return errc::non_sync_literal_too_large;
    }
    if (a.size > lim_.literal()) return errc::literal_too_large;
    if (literals_.size() >= lim_.literals_per_message) return errc::too_many_literals;
    return errc::ok;
  }

  void queue_message_end() noexcept {
    pending_ = {};
    pending_.kind = frame_event_kind::message_end;
    pending_.message = msg_view();
    pending_.literals = spans();
    pending_.offset = message_offset_;
    phase_ = phase::done;
    queued_ = true;
  }

  // A line of a failed message: nothing is kept; the tracker finds a literal announcement.
  bool discard_step(std::string_view in, std::size_t& pos, frame_result& r) {
    const bool classify = !server() && segment_ == 0;
    while (pos < in.size()) {
      const char c = in[pos];
      ++examined_;
      if (c == '\n') {
        ++pos;
        return discard_line_end(r, base_ + pos - 1);
      }
      tracker_.feed(c, base_ + pos);
      if (classify && !classifier_.decided()) classifier_.feed(c);
      ++pos;
    }
    return false;
  }

  bool discard_line_end(frame_result& r, std::uint64_t lf_offset) {
    if (tracker_.prev() != '\r' && !opt_.lenient_bare_lf) return fatal(errc::bare_lf, lf_offset, r);
    if (!server() && segment_ == 0 && classifier_.finish()) return emit_message_end(r);
    const detail::announcement a = tracker_.result();
    if (!a.found || (server() && !a.plus)) return emit_message_end(r);
    if (a.overflow) return fatal(errc::number_overflow, tracker_.start_offset(), r);
    phase_ = phase::skip;
    remaining_ = a.size;
    return false;
  }

  // Octets of an accepted literal: inline into buf_, or streamed as literal_data.
  bool literal_step(std::string_view in, std::size_t& pos, frame_result& r) {
    literal_span& s = literals_.back();
    if (remaining_ == 0) {
      r.st = status::event;
      r.ev = {};
      r.ev.kind = frame_event_kind::literal_end;
      r.ev.literal = s;
      r.ev.index = literals_.size() - 1;
      r.ev.offset = literal_offset_;
      new_segment(base_ + pos);
      return true;
    }
    const char* p = in.data() + pos;
    std::size_t take = take_count(in.size() - pos);
    if (take == 0) return false;
    if (!s.binary && !opt_.lenient_nul_in_literal) {
      const void* z = std::memchr(p, '\0', take);
      examined_ += z ? static_cast<std::size_t>(static_cast<const char*>(z) - p) + 1 : take;
      if (z) {
        const auto j = static_cast<std::size_t>(static_cast<const char*>(z) - p);
        if (j == 0) {
          fail(errc::nul_outside_literal8, base_ + pos);
          phase_ = phase::skip;
          return false;
        }
        take = j;  // deliver what precedes the NUL; the next step fails on it
      }
    }
    examined_ += take;
    const std::uint64_t chunk_offset = base_ + pos;
    pos += take;
    remaining_ -= take;
    if (!s.streamed) {
      msg_append(p, take);
      return false;
    }
    r.st = status::event;
    r.ev = {};
    r.ev.kind = frame_event_kind::literal_data;
    r.ev.text = std::string_view(p, take);
    r.ev.literal = s;
    r.ev.index = literals_.size() - 1;
    r.ev.offset = chunk_offset;
    return true;
  }

  framing_options opt_;
  limits lim_;
  std::string buf_;                    // the current message (lines, inline literals)
  bool direct_ = false;                // during next(), client side: the message is in the input
  const char* dbeg_ = nullptr;         // direct_: where the message starts in the input
  std::size_t dlen_ = 0;               // direct_: its octets so far
  bool in_input_ = false;              // the last message_end viewed the input (dlen_ octets)
  std::vector<literal_span> literals_; // its literals
  phase phase_ = phase::done;
  bool queued_ = false;                // pending_ is the next event (status::event)
  frame_event pending_;                // queued event, or the paused literal_begin
  errc failed_ = errc::ok;             // the message is being dropped for this reason
  std::uint64_t fail_offset_ = 0;
  errc fatal_error_ = errc::ok;
  std::uint64_t fatal_offset_ = 0;
  std::uint64_t offset_ = 0;           // stream offset of the next octet
  std::uint64_t base_ = 0;             // stream offset of in[0] during next()
  std::uint64_t message_offset_ = 0;
  std::uint64_t line_offset_ = 0;      // stream offset of the current line segment
  std::uint64_t literal_offset_ = 0;   // stream offset of the current literal's first octet
  std::size_t line_start_ = 0;         // index in buf_ of the current line segment
  std::size_t line_len_ = 0;           // octets of the current segment so far (no LF)
  std::size_t segment_ = 0;            // line segments of this message before the current one
  std::uint64_t remaining_ = 0;        // literal octets still to come
  std::uint64_t examined_ = 0;
  detail::announcement_tracker tracker_;
  detail::status_line_classifier classifier_;
};

}  // namespace mailwire::imap
