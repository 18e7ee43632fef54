// examples/inspect/smtp_text.hpp — `mailwire-inspect smtp command|reply` (../shared/spec/tools.md):
// reads what an SMTP client (or server) sends and writes each parsed command (or reply) back in
// canonical form. After DATA the message content up to and including CRLF "." CRLF is copied as
// it is; after BDAT n, the n octets are copied. At the first malformed or incomplete item the
// items before it are written, then `offset N: reason`, exit 1.
//
// Input streams through a buffer that holds at most one command line (or reply) plus a read
// chunk; DATA content and BDAT chunks are copied through without being held.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/data.hpp"
#include "mailwire/smtp/reply.hpp"
#include "tool/cli.hpp"

namespace inspect_smtp {

namespace smtp = mailwire::smtp;
using mailwire_tool::exit_bad_input;
using mailwire_tool::exit_ok;

/// Reads the input in chunks into a buffer whose first byte has stream offset `base`.
class reader {
 public:
  explicit reader(std::FILE* in) : in_(in), chunk_(std::size_t{1} << 16) {}
  std::string buf;
  std::uint64_t base = 0;
  bool eof = false;
  bool error = false;
  /// Reads more; false at the end of the input.
  bool more() {
    if (eof) return false;
    const std::size_t n = std::fread(chunk_.data(), 1, chunk_.size(), in_);
    if (n < chunk_.size()) {
      eof = true;
      error = std::ferror(in_) != 0;
    }
    buf.append(chunk_.data(), n);
    return n > 0 || !eof;
  }
  void drop(std::size_t n) {
    buf.erase(0, n);
    base += n;
  }

 private:
  std::FILE* in_;
  std::vector<char> chunk_;
};

class writer {
 public:
  explicit writer(std::FILE* out) : out_(out) {}
  bool put(std::string_view s) { return s.empty() || std::fwrite(s.data(), 1, s.size(), out_) == s.size(); }
  bool flush() { return std::fflush(out_) == 0; }

 private:
  std::FILE* out_;
};

inline int fail(std::string_view tool, writer& w, std::uint64_t offset, std::string_view reason) {
  (void)w.flush();
  mailwire_tool::error_line(tool, "offset {}: {}", offset, reason);
  return exit_bad_input;
}

/// `smtp command`: commands in canonical form, DATA content and BDAT chunks copied.
inline int commands(std::string_view tool, std::FILE* in, std::FILE* out) {
  reader rd(in);
  writer w(out);
  smtp::command_options copt;
  enum class state { commands, data, bdat } st = state::commands;
  smtp::data_receiver rx;
  std::uint64_t bdat_left = 0, data_base = 0;
  bool bdat_last = false;
  std::vector<char> scratch(std::size_t{1} << 16);
  std::string line;
  for (;;) {
    if (rd.error) return fail(tool, w, rd.base + rd.buf.size(), "read error");
    if (st == state::commands) {
      if (rd.buf.empty() && rd.eof) break;
      const auto r = smtp::parse_command(rd.buf, {}, copt);
      if (r.st == mailwire::status::need_more) {
        if (rd.eof) return fail(tool, w, rd.base, "incomplete command");
        rd.more();
        continue;
      }
      if (r.st == mailwire::status::error) return fail(tool, w, rd.base + r.error_offset, smtp::to_string(r.error));
      line.clear();
      if (const smtp::errc e = smtp::serialize(r.value, line); e != smtp::errc::ok)
        return fail(tool, w, rd.base, smtp::to_string(e));
      if (!w.put(line)) return fail(tool, w, rd.base, "write error");
      const smtp::command& c = r.value;
      if (c.v == smtp::verb::mail) copt.smtputf8 = c.params.smtputf8;
      if (c.v == smtp::verb::rset) copt.smtputf8 = false;
      if (c.v == smtp::verb::data) {
        st = state::data;
        // Only the end of the data matters here: bare line endings and long lines are copied
        // as they are, like any other content.
        smtp::data_options dopt;
        dopt.bare_line_endings = smtp::bare_line_ending::pass;
        dopt.max_line = 0;
        rx = smtp::data_receiver(dopt);
        data_base = rd.base + r.consumed;
      } else if (c.v == smtp::verb::bdat) {
        st = state::bdat;
        bdat_left = c.chunk_size;
        bdat_last = c.last;
      }
      rd.drop(r.consumed);
      continue;
    }
    if (st == state::data) {
      const auto r = rx.decode(rd.buf, std::span<char>(scratch), rd.eof);
      if (r.st == mailwire::status::error) return fail(tool, w, data_base + r.error_offset, smtp::to_string(r.error));
      if (!w.put(std::string_view(rd.buf).substr(0, r.consumed))) return fail(tool, w, rd.base, "write error");
      rd.drop(r.consumed);
      if (r.st == mailwire::status::event) {
        st = state::commands;
        copt.smtputf8 = false;
        continue;
      }
      if (r.st == mailwire::status::paused) continue;  // the scratch output was full
      if (rd.eof) return fail(tool, w, rd.base, "incomplete message data (no CRLF.CRLF)");
      rd.more();
      continue;
    }
    // BDAT: copy the chunk's octets.
    const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(bdat_left, rd.buf.size()));
    if (!w.put(std::string_view(rd.buf).substr(0, k))) return fail(tool, w, rd.base, "write error");
    rd.drop(k);
    bdat_left -= k;
    if (bdat_left == 0) {
      st = state::commands;
      if (bdat_last) copt.smtputf8 = false;
      continue;
    }
    if (rd.eof) return fail(tool, w, rd.base, "incomplete BDAT chunk");
    rd.more();
  }
  if (!w.flush()) return fail(tool, w, rd.base, "write error");
  return exit_ok;
}

/// `smtp reply`: replies in canonical form.
inline int replies(std::string_view tool, std::FILE* in, std::FILE* out) {
  reader rd(in);
  writer w(out);
  std::string text;
  for (;;) {
    if (rd.error) return fail(tool, w, rd.base + rd.buf.size(), "read error");
    if (rd.buf.empty() && rd.eof) break;
    const auto r = smtp::parse_reply(rd.buf);
    if (r.st == mailwire::status::need_more) {
      if (rd.eof) return fail(tool, w, rd.base, "incomplete reply");
      rd.more();
      continue;
    }
    if (r.st == mailwire::status::error) return fail(tool, w, rd.base + r.error_offset, smtp::to_string(r.error));
    text.clear();
    if (const auto e = smtp::append_reply(text, r.value, true); e != smtp::reply_errc::ok)
      return fail(tool, w, rd.base, smtp::to_string(e));
    if (!w.put(text)) return fail(tool, w, rd.base, "write error");
    rd.drop(r.consumed);
  }
  if (!w.flush()) return fail(tool, w, rd.base, "write error");
  return exit_ok;
}

}  // namespace inspect_smtp
