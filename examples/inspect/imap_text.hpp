// examples/inspect/imap_text.hpp — `mailwire-inspect imap command|response` (../shared/spec/tools.md):
// reads what an IMAP client (or server) sends, literals included, and writes each parsed command
// (or response) back in canonical form: write_command(parse_command(m)) (or write_response(
// parse_response(m))). At the first malformed or incomplete item the items before it are written,
// then `offset N: reason` (N: offset in the whole input), exit 1.
//
// How the stream is read (also in --help):
// - imap::framer finds where each message ends and where its literals are, as a server (for
//   commands) or a client (for responses) does. The tool reads as an authenticated peer
//   (limits::authenticated: 64 KiB lines, 1 MiB per message held in memory, parentheses 32 deep)
//   with a literal limit of 2^63 - 1 octets (number64), so real APPENDs and FETCHes pass.
// - Commands: the tool plays a server that offers LITERAL+ (RFC 7888; this covers LITERAL-'s
//   "{N+}" of at most 4096 octets too) and accepts every synchronizing literal (its "+" is not in
//   the stream). After AUTHENTICATE, lines without SP are SASL responses (base64, or "*" to
//   cancel; written as they are) until one that is a command (a command has "tag SP name"; base64
//   has no SP). After IDLE the next line must be DONE (written "DONE"). STARTTLS and COMPRESS are
//   commands like the others: the stream is read as the octets inside TLS / after inflating, as a
//   logging proxy records them (the RFC 3501 transcripts go on after STARTTLS). "ENABLE
//   UTF8=ACCEPT" or "ENABLE IMAP4rev2" is taken as accepted: UTF-8 from the next command on.
// - Responses: a continuation request, tagged and untagged responses; "* ENABLED" naming
//   UTF8=ACCEPT or IMAP4rev2 allows UTF-8 from the next response on.
// - --utf8: UTF-8 allowed from the start (an extension flag; the default is strict US-ASCII and
//   modified UTF-7 mailbox names).
// - Memory stays bounded: a literal over 64 KiB (or one that would not fit in the message's
//   1 MiB) is streamed: the message's canonical text up to its announcement is written, then its
//   octets are copied through as they arrive (the canonical form of a literal is its announcement
//   and the same octets), then the rest. So the canonical prefix and octets of an item with a
//   streamed literal are written before the rest of that item is read; when the rest turns out
//   malformed or incomplete, they stay on the output before the error. The parsers accept a
//   streamed literal as APPEND's message data, as the value of a FETCH body item, and in the
//   arguments of an unknown command or response (kept as written); elsewhere it is refused
//   before any of its octets is written.
// - Incomplete input: end of input inside a literal is "message ended inside a literal", in a
//   line "incomplete command" / "incomplete response" / "incomplete line" (after AUTHENTICATE or
//   IDLE), at the offset of the end of the input — unless the part that was read is already
//   malformed, which is reported at its own offset.
#pragma once

#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/imap/command.hpp"
#include "mailwire/imap/framing.hpp"
#include "mailwire/imap/response.hpp"
#include "smtp_text.hpp"  // writer, fail
#include "tool/cli.hpp"

namespace inspect_imap {

namespace imap = mailwire::imap;
using inspect_smtp::fail;
using inspect_smtp::writer;
using mailwire_tool::exit_bad_input;
using mailwire_tool::exit_ok;

/// The limits the tool reads with: an authenticated peer, literals up to number64.
inline imap::limits tool_limits() {
  imap::limits l;
  l.authenticated = true;
  l.literal_after_auth = 0x7FFFFFFFFFFFFFFFull;  // number64 (RFC 9051 section 9)
  return l;
}

/// The outcome of reading one message: ok, or the error (stream offset, reason).
struct verdict {
  bool ok = true;
  std::uint64_t offset = 0;
  std::string_view reason;
};

inline verdict bad(std::uint64_t at, std::string_view why) { return {false, at, why}; }

/// Stream offset of index `p` of a message buffer that starts at stream offset `start`: streamed
/// literals at or before `p` are not in the buffer.
inline std::uint64_t stream_offset(std::uint64_t start, std::size_t p, std::span<const imap::literal_span> lits) {
  std::uint64_t at = start + p;
  for (const auto& s : lits)
    if (s.streamed && s.offset <= p) at += s.size;
  return at;
}

/// How side_base::message() reads: a complete message that moves the reading state on, or a
/// message that may be cut short (the input ended, or the framer refused it) checked for an error
/// in what is there: the parsers report need_more for every proper prefix of a valid message.
enum class reading { commit, check };

/// One side of the conversation: how a message is parsed and written.
class side_base {
 public:
  virtual ~side_base() = default;
  /// Parses message `m` (stream offset `start`); on success appends its canonical form to
  /// `out` and, with reading::commit, moves the reading state on (AUTHENTICATE, IDLE, ENABLE).
  virtual verdict message(std::string_view m, std::span<const imap::literal_span> lits, std::uint64_t start,
                          std::string& out, reading how) = 0;
  /// The canonical text of the message up to (and including) the announcement of the streamed
  /// literal that ends `m`; false when none of the closings makes a message the parser takes.
  virtual bool prefix(std::string_view m, std::span<const imap::literal_span> lits, std::uint64_t start,
                      std::string& out, verdict& v) = 0;
  /// Before a literal's octets: an error when no literal can come here (IDLE: only DONE).
  virtual verdict literal_allowed(std::string_view, std::uint64_t) { return {}; }
  [[nodiscard]] virtual std::string_view incomplete() const = 0;

 protected:
  /// Closes `m` (ending with a streamed literal's announcement) with `closing`, so that the
  /// message parses; `parse(text, ctx)` gives {parse_result status, error, offset}, `write`
  /// appends the canonical form of the last parsed value.
  template <class Parse, class Write>
  static bool close_and_write(std::string_view m, std::span<const imap::literal_span> lits, std::uint64_t start,
                              std::string& out, verdict& v, Parse&& parse, Write&& write) {
    static constexpr std::string_view closings[] = {"\r\n", ")\r\n", "))\r\n", ")))\r\n"};
    // Where the streamed literal's octets start (the last span is that literal).
    const std::uint64_t literal_at = stream_offset(start, m.size(), lits.first(lits.size() - 1));
    std::string text;
    bool first = true;
    for (std::string_view c : closings) {
      text.assign(m);
      text.append(c);
      const imap::literal_context ctx{text.data(), lits};
      const auto r = parse(std::string_view(text), ctx);
      if (r.st == mailwire::status::event && r.consumed == text.size()) {
        std::string canon;
        if (write(canon) != imap::errc::ok || canon.size() < c.size() ||
            std::string_view(canon).substr(canon.size() - c.size()) != c)
          continue;
        canon.resize(canon.size() - c.size());
        out = std::move(canon);
        return true;
      }
      if (r.st == mailwire::status::error && r.error_offset < m.size()) {
        // Malformed before the literal's octets: whatever follows, the message is refused here.
        v = bad(stream_offset(start, r.error_offset, lits), imap::to_string(r.error));
        return false;
      }
      if (first && r.st == mailwire::status::error) {
        // No closing makes a message: a streamed literal where the parser takes none.
        v = bad(literal_at, imap::to_string(r.error));
        first = false;
      }
    }
    if (first) v = bad(literal_at, imap::to_string(imap::errc::literal_count_mismatch));
    return false;
  }
};

/// Returns true if the capability names of `for_each`'s list enable UTF-8 (RFC 6855, RFC 9051).
inline bool enables_utf8(std::string_view name) {
  return mailwire::ascii::iequals(name, "UTF8=ACCEPT") || mailwire::ascii::iequals(name, "IMAP4rev2");
}

/// What a client sends: commands, SASL lines after AUTHENTICATE, DONE after IDLE.
class command_side final : public side_base {
 public:
  explicit command_side(bool utf8) { opt_.utf8 = utf8; }

  verdict message(std::string_view m, std::span<const imap::literal_span> lits, std::uint64_t start,
                  std::string& out, reading how) override {
    const bool check = how == reading::check;
    if (mode_ == mode::idle) {
      const auto d = imap::parse_idle_done(m);
      if (d.st == mailwire::status::event && d.consumed == m.size()) {
        out.append("DONE\r\n");
        if (!check) mode_ = mode::commands;
        return {};
      }
      if (check && d.st == mailwire::status::need_more) return {};
      const std::size_t at = d.st == mailwire::status::error ? d.error_offset : std::min<std::size_t>(d.consumed, m.size());
      return bad(stream_offset(start, at, lits), imap::to_string(imap::errc::expected_done));
    }
    if (mode_ == mode::sasl && lits.empty() && m.find(' ') == std::string_view::npos) {
      const auto s = imap::parse_authenticate_line(m);
      if (check && s.st != mailwire::status::event) {
        // Cut short: a SASL line so far, or the start of a command ("tag SP ...").
        if (s.st == mailwire::status::need_more) return {};
        const auto c = imap::parse_command(m, {}, lim_, opt_);
        if (c.st == mailwire::status::need_more) return {};
      }
      if (s.st != mailwire::status::event)
        return bad(start + (s.st == mailwire::status::error ? s.error_offset : m.size()),
                   imap::to_string(s.st == mailwire::status::error ? s.error : imap::errc::bad_base64));
      if (s.consumed != m.size()) return bad(start + s.consumed, imap::to_string(imap::errc::trailing_data));
      out.append(s.value.cancel ? std::string_view("*") : s.value.data);
      out.append("\r\n");
      if (!check && s.value.cancel) mode_ = mode::commands;
      return {};
    }
    const imap::literal_context ctx{m.data(), lits};
    const auto r = imap::parse_command(m, ctx, lim_, opt_);
    if (r.st == mailwire::status::error)
      return bad(stream_offset(start, r.error_offset, lits), imap::to_string(r.error));
    if (r.st == mailwire::status::need_more) {
      if (check) return {};
      // (The framer ends a message at its CRLF: cannot happen.)
      return bad(stream_offset(start, m.size(), lits), imap::to_string(imap::errc::expected_crlf));
    }
    if (r.consumed != m.size())
      return bad(stream_offset(start, r.consumed, lits), imap::to_string(imap::errc::trailing_data));
    if (const imap::errc e = imap::write_command(out, r.value, opt_); e != imap::errc::ok)
      return bad(start, imap::to_string(e));
    if (check) return {};
    mode_ = mode::commands;
    if (r.value.kind == imap::command_kind::authenticate) mode_ = mode::sasl;
    if (r.value.kind == imap::command_kind::idle) mode_ = mode::idle;
    if (const auto* en = std::get_if<imap::cmd_enable>(&r.value.args)) {
      imap::for_each_element(en->caps, [&](std::string_view c) {
        if (enables_utf8(c)) opt_.utf8 = true;
      });
    }
    return {};
  }

  bool prefix(std::string_view m, std::span<const imap::literal_span> lits, std::uint64_t start, std::string& out,
              verdict& v) override {
    imap::parse_result<imap::command> last;
    return close_and_write(
        m, lits, start, out, v,
        [&](std::string_view text, const imap::literal_context& ctx) {
          last = imap::parse_command(text, ctx, lim_, opt_);
          return last;
        },
        [&](std::string& o) { return imap::write_command(o, last.value, opt_); });
  }

  verdict literal_allowed(std::string_view m, std::uint64_t start) override {
    if (mode_ != mode::idle) return {};
    const auto d = imap::parse_idle_done(m);
    return bad(start + (d.st == mailwire::status::error ? d.error_offset : m.size()),
               imap::to_string(imap::errc::expected_done));
  }

  [[nodiscard]] std::string_view incomplete() const override {
    return mode_ == mode::commands ? "incomplete command" : "incomplete line";
  }

 private:
  enum class mode { commands, sasl, idle } mode_ = mode::commands;
  imap::limits lim_ = tool_limits();
  imap::options opt_;
};

/// What a server sends: continuation requests, tagged and untagged responses.
class response_side final : public side_base {
 public:
  explicit response_side(bool utf8) { ro_.utf8 = utf8; }

  verdict message(std::string_view m, std::span<const imap::literal_span> lits, std::uint64_t start,
                  std::string& out, reading how) override {
    const imap::literal_context ctx{m.data(), lits};
    const auto r = imap::parse_response_into(value_, m, &ctx, lim_, ro_);
    if (r.st == mailwire::status::error)
      return bad(stream_offset(start, r.error_offset, lits), imap::to_string(r.error));
    if (r.st == mailwire::status::need_more) {
      if (how == reading::check) return {};
      return bad(stream_offset(start, m.size(), lits), imap::to_string(imap::errc::expected_crlf));
    }
    if (r.consumed != m.size())
      return bad(stream_offset(start, r.consumed, lits), imap::to_string(imap::errc::trailing_data));
    if (const imap::errc e = imap::write_response(out, value_, ro_); e != imap::errc::ok)
      return bad(start, imap::to_string(e));
    if (how == reading::commit && value_.kind == imap::response_kind::enabled) {
      value_.capabilities.for_each([&](const auto& c) {
        if (enables_utf8(c.text())) ro_.utf8 = true;
      });
    }
    return {};
  }

  bool prefix(std::string_view m, std::span<const imap::literal_span> lits, std::uint64_t start, std::string& out,
              verdict& v) override {
    imap::parse_result<imap::response> last;
    return close_and_write(
        m, lits, start, out, v,
        [&](std::string_view text, const imap::literal_context& ctx) {
          last = imap::parse_response(text, &ctx, lim_, ro_);
          return last;
        },
        [&](std::string& o) { return imap::write_response(o, last.value, ro_); });
  }

  [[nodiscard]] std::string_view incomplete() const override { return "incomplete response"; }

 private:
  imap::limits lim_ = tool_limits();
  imap::response_options ro_;
  imap::response value_;
};

/// Reads `in` through a framer and writes each message of `side` in canonical form.
inline int run(std::string_view tool, std::FILE* in, std::FILE* out, side_base& side, imap::framing_side fs) {
  writer w(out);
  imap::framing_options fo;
  fo.side = fs;
  fo.non_sync = imap::non_sync_literals::literal_plus;
  fo.line_events = false;
  imap::framer fr(fo, tool_limits());
  std::vector<char> chunk(std::size_t{1} << 16);
  std::uint64_t total = 0;        // octets read so far
  std::uint64_t msg_start = 0;    // stream offset of the current message's first octet
  bool in_literal = false;        // between literal_begin and literal_end
  std::string emitted;            // canonical text written for the current message (streamed)
  // The current message's octets as taken by the framer, streamed literal octets left out (as in
  // the framer's buffer), up to a bound: when the framer stops the stream (a bare LF), an earlier
  // error of the message comes first.
  std::string raw;
  std::vector<imap::literal_span> raw_spans;
  bool raw_full = false;
  const std::size_t raw_cap = tool_limits().message_after_auth + tool_limits().line_after_auth;
  std::string text;
  bool eof = false;

  // Handles one framer result; returns -1 to go on, or the exit code.
  const auto handle = [&](const imap::frame_result& r) -> int {
    if (r.st == mailwire::status::error) {
      if (!raw_full) {
        text.clear();
        const verdict v = side.message(raw, raw_spans, msg_start, text, reading::check);
        if (!v.ok && v.offset < r.error_offset) return fail(tool, w, v.offset, v.reason);
      }
      return fail(tool, w, r.error_offset, imap::to_string(r.error));
    }
    const imap::frame_event& ev = r.ev;
    switch (ev.kind) {
      case imap::frame_event_kind::literal_begin: {
        if (const verdict v = side.literal_allowed(ev.message, msg_start); !v.ok)
          return fail(tool, w, v.offset, v.reason);
        in_literal = true;
        raw_spans.assign(ev.literals.begin(), ev.literals.end());
        if (ev.literal.streamed) {
          verdict v;
          if (!side.prefix(ev.message, ev.literals, msg_start, text, v)) return fail(tool, w, v.offset, v.reason);
          if (text.compare(0, emitted.size(), emitted) != 0)
            return fail(tool, w, ev.offset, "canonical form of a streamed message changed");
          if (!w.put(std::string_view(text).substr(emitted.size()))) return fail(tool, w, ev.offset, "write error");
          emitted = text;
        }
        if (r.st == mailwire::status::paused) (void)fr.accept_literal();
        return -1;
      }
      case imap::frame_event_kind::literal_data:
        if (!w.put(ev.text)) return fail(tool, w, ev.offset, "write error");
        return -1;
      case imap::frame_event_kind::literal_end: in_literal = false; return -1;
      case imap::frame_event_kind::message_end: {
        text.clear();
        const verdict v = side.message(ev.message, ev.literals, msg_start, text, reading::commit);
        if (!v.ok) return fail(tool, w, v.offset, v.reason);
        if (text.compare(0, emitted.size(), emitted) != 0)
          return fail(tool, w, msg_start, "canonical form of a streamed message changed");
        if (!w.put(std::string_view(text).substr(emitted.size()))) return fail(tool, w, msg_start, "write error");
        emitted.clear();
        raw.clear();
        raw_spans.clear();
        raw_full = false;
        msg_start = fr.offset();
        return -1;
      }
      case imap::frame_event_kind::message_failed: {
        // The framer refused the message (NUL, line or message too long...): an earlier error
        // of the part it kept comes first.
        text.clear();
        const verdict v = side.message(ev.message, ev.literals, msg_start, text, reading::check);
        if (!v.ok && v.offset < ev.error_offset) return fail(tool, w, v.offset, v.reason);
        return fail(tool, w, ev.error_offset, imap::to_string(ev.error));
      }
      default: return -1;
    }
  };

  while (!eof) {
    const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), in);
    if (n < chunk.size()) {
      if (std::ferror(in)) return fail(tool, w, total + n, "read error");
      eof = true;
    }
    std::string_view rest(chunk.data(), n);
    total += n;
    for (;;) {
      const auto r = fr.next(rest);
      if (r.ev.kind != imap::frame_event_kind::literal_data || r.st != mailwire::status::event) {
        if (raw.size() + r.consumed <= raw_cap) raw.append(rest.data(), r.consumed);
        else raw_full = true;
      }
      rest.remove_prefix(r.consumed);
      if (r.st == mailwire::status::need_more) break;
      if (const int rc = handle(r); rc >= 0) return rc;
    }
  }
  if (!fr.at_message_boundary()) {
    // The input ends inside a message. What was read may be malformed already: the parsers
    // report need_more for every proper prefix of a valid message, so an error there stands
    // whatever would have followed.
    std::uint64_t at = total;
    std::string_view why = in_literal ? imap::to_string(imap::errc::literal_count_mismatch) : side.incomplete();
    if (!raw_full) {
      text.clear();
      if (const verdict v = side.message(raw, raw_spans, msg_start, text, reading::check); !v.ok && v.offset < at) {
        at = v.offset;
        why = v.reason;
      }
    }
    // The framer's own refusals of the octets read (a NUL, a line over the limit): end the line
    // to have the message_failed event that gives their offset.
    if (!in_literal) {
      std::string_view crlf = "\r\n";
      for (int guard = 0; guard < 4; ++guard) {
        const auto r = fr.next(crlf);
        crlf.remove_prefix(r.consumed);
        if (r.st != mailwire::status::event && r.st != mailwire::status::paused) break;
        if (r.ev.kind == imap::frame_event_kind::message_failed) {
          const imap::errc e = r.ev.error;
          if ((e == imap::errc::nul_outside_literal8 || e == imap::errc::line_too_long ||
               e == imap::errc::message_too_large) && r.ev.error_offset < at) {
            at = r.ev.error_offset;
            why = imap::to_string(e);
          }
          break;
        }
        if (r.ev.kind == imap::frame_event_kind::message_end || r.ev.kind == imap::frame_event_kind::literal_begin)
          break;
      }
    }
    return fail(tool, w, at, why);
  }
  if (!w.flush()) return fail(tool, w, total, "write error");
  return exit_ok;
}

/// `imap command`: what a client sends, each command in canonical form.
inline int commands(std::string_view tool, std::FILE* in, std::FILE* out, bool utf8) {
  command_side s(utf8);
  return run(tool, in, out, s, imap::framing_side::server);
}

/// `imap response`: what a server sends, each response in canonical form.
inline int responses(std::string_view tool, std::FILE* in, std::FILE* out, bool utf8) {
  response_side s(utf8);
  return run(tool, in, out, s, imap::framing_side::client);
}

}  // namespace inspect_imap
