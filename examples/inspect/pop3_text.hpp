// examples/inspect/pop3_text.hpp — `mailwire-inspect pop3 command|response` (../shared/spec/tools.md):
// reads what a POP3 client (or server) sends and writes each parsed command (or response) back
// in canonical form. At the first malformed or incomplete item the items before it are written,
// then `offset N: reason`, exit 1.
//
// Rules where the stream alone does not say what comes next (also in --help):
// - Client side, AUTH (RFC 5034 section 4): after an AUTH command the client's lines are SASL
//   responses (base64, "=" or empty, copied as they are) until a "*" (cancel: written, then
//   commands again) or a line that is a command with a known keyword (RFC 1939, 2449, 2595,
//   5034, 6856), which is read as a command. So a SASL response that spells a keyword ("QUIT",
//   "USER" are base64 too) reads as that command: the server's answers are not in this stream.
// - Server side, with --commands FILE (the client's side, read by the rules above): the first
//   response is the greeting, then each response answers the next command of FILE (SASL lines are
//   answered by AUTH's "+ " continuations, which come before its final +OK/-ERR). A +OK to RETR,
//   TOP, CAPA, or to LIST, UIDL and LANG without argument is followed by a multi-line body
//   (RFC 1939 section 3): RETR and TOP bodies are copied as they are through the terminating
//   "." CRLF; LIST, UIDL and CAPA lines are parsed and written in canonical form (LANG lines are
//   copied). -ERR is always one line. Responses after the last command's answer are an error.
//   Without --commands every response is one line (a "+ " continuation included).
//
// Input streams through a buffer that holds at most one line plus a read chunk; RETR/TOP bodies
// are copied through without being held.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/response.hpp"
#include "smtp_text.hpp"  // reader, writer, fail
#include "tool/cli.hpp"

namespace inspect_pop3 {

namespace pop3 = mailwire::pop3;
using inspect_smtp::fail;
using inspect_smtp::reader;
using inspect_smtp::writer;
using mailwire_tool::exit_bad_input;
using mailwire_tool::exit_ok;

/// What the server's answer to one client command looks like.
struct expected_answer {
  pop3::keyword k = pop3::keyword::unknown;
  bool multiline = false;  ///< a +OK answer has a multi-line body
};

/// The client's side: commands and SASL lines. `on_line(canonical, is_command, command)` gets
/// each item (the command's views are valid during the call only); returns exit_ok, or the exit
/// code after reporting the first error with `context` before "offset N".
template <class OnLine>
int read_client(std::string_view tool, std::FILE* in, writer& w, std::string_view context, OnLine&& on_line) {
  reader rd(in);
  pop3::command_options copt;
  bool sasl = false;  // after AUTH: SASL responses until "*" or a known command
  std::string line;
  auto error = [&](std::uint64_t off, std::string_view why) {
    (void)w.flush();
    mailwire_tool::error_line(tool, "{}offset {}: {}", context, off, why);
    return exit_bad_input;
  };
  for (;;) {
    if (rd.error) return error(rd.base + rd.buf.size(), "read error");
    if (rd.buf.empty() && rd.eof) break;
    pop3::limits lim;
    if (sasl) lim.command_line = lim.auth_line;  // a SASL line may be long; so may a command then
    const auto r = pop3::parse_command(rd.buf, lim, copt);
    if (r.st == mailwire::status::need_more) {
      if (rd.eof) return error(rd.base, sasl ? "incomplete line" : "incomplete command");
      rd.more();
      continue;
    }
    line.clear();
    if (r.st == mailwire::status::event && (!sasl || r.value.k != pop3::keyword::unknown)) {
      if (const pop3::errc e = pop3::serialize(r.value, line); e != pop3::errc::ok)
        return error(rd.base, pop3::to_string(e));
      if (r.value.k == pop3::keyword::utf8) copt.utf8 = true;  // RFC 6856: assumed accepted
      sasl = r.value.k == pop3::keyword::auth;
      if (!on_line(std::string_view(line), true, r.value)) return error(rd.base, "write error");
      rd.drop(r.consumed);
      continue;
    }
    if (!sasl) return error(rd.base + r.error_offset, pop3::to_string(r.error));
    const auto s = pop3::parse_auth_response(rd.buf, {}, copt);
    if (s.st == mailwire::status::need_more) {  // (parse_command saw the line end: cannot happen)
      if (rd.eof) return error(rd.base, "incomplete line");
      rd.more();
      continue;
    }
    if (s.st == mailwire::status::error) return error(rd.base + s.error_offset, pop3::to_string(s.error));
    if (const pop3::errc e = pop3::serialize(s.value, line); e != pop3::errc::ok)
      return error(rd.base, pop3::to_string(e));
    if (s.value.cancel) sasl = false;
    if (!on_line(std::string_view(line), false, pop3::command{})) return error(rd.base, "write error");
    rd.drop(s.consumed);
  }
  return exit_ok;
}

/// `pop3 command`: commands in canonical form, SASL lines after AUTH copied.
inline int commands(std::string_view tool, std::FILE* in, std::FILE* out) {
  writer w(out);
  const int rc = read_client(tool, in, w, "", [&](std::string_view line, bool, const pop3::command&) {
    return w.put(line);
  });
  if (rc != exit_ok) return rc;
  if (!w.flush()) return fail(tool, w, 0, "write error");
  return exit_ok;
}

/// Reads the --commands FILE: what each command's answer looks like.
inline int expected_answers(std::string_view tool, std::FILE* in, std::string_view name,
                            std::vector<expected_answer>& out) {
  writer none(nullptr);
  const std::string context = std::string(name) + ": ";
  return read_client(tool, in, none, context, [&](std::string_view, bool is_command, const pop3::command& c) {
    if (is_command) out.push_back({c.k, c.multiline()});
    return true;
  });
}

/// `pop3 response [--commands FILE]`: responses in canonical form (see the top of this file).
inline int responses(std::string_view tool, std::FILE* in, std::FILE* out,
                     const std::vector<expected_answer>* answers) {
  reader rd(in);
  writer w(out);
  pop3::response_options ropt;
  enum class state { status, body, listing } st = state::status;
  std::size_t next = 0;       // index of the command the next status line answers
  bool greeted = false;       // the greeting has been read
  bool in_auth = false;       // AUTH: "+ " continuations until +OK/-ERR
  expected_answer current;    // the command whose multi-line body is read
  pop3::multiline_decoder body;
  std::uint64_t body_base = 0;
  std::vector<char> scratch(std::size_t{1} << 16);
  std::string text;
  const pop3::limits lim;
  for (;;) {
    if (rd.error) return fail(tool, w, rd.base + rd.buf.size(), "read error");
    if (st == state::status) {
      if (rd.buf.empty() && rd.eof) break;
      const auto r = pop3::parse_response(rd.buf, lim, ropt);
      if (r.st == mailwire::status::need_more) {
        if (rd.eof) return fail(tool, w, rd.base, "incomplete response");
        rd.more();
        continue;
      }
      if (r.st == mailwire::status::error) return fail(tool, w, rd.base + r.error_offset, pop3::to_string(r.error));
      const pop3::response& v = r.value;
      if (answers != nullptr) {
        const bool cont = v.k == pop3::response_kind::continuation;
        if (!greeted) {
          if (cont) return fail(tool, w, rd.base, "a \"+ \" continuation as the greeting");
          greeted = true;
        } else if (in_auth) {
          if (!cont) {
            in_auth = false;
            ++next;
          }
        } else {
          if (next >= answers->size())
            return fail(tool, w, rd.base, "a response after the answers to all the commands given");
          current = (*answers)[next];
          if (cont && current.k != pop3::keyword::auth)
            return fail(tool, w, rd.base, "a \"+ \" continuation answering a command other than AUTH");
          if (current.k == pop3::keyword::auth && cont) {
            in_auth = true;
          } else {
            ++next;
            if (v.k == pop3::response_kind::ok && current.k == pop3::keyword::utf8) ropt.utf8 = true;
            if (v.k == pop3::response_kind::ok && current.multiline) {
              const bool listing = current.k == pop3::keyword::list || current.k == pop3::keyword::uidl ||
                                   current.k == pop3::keyword::capa || current.k == pop3::keyword::lang;
              st = listing ? state::listing : state::body;
              body = pop3::multiline_decoder();
              body_base = rd.base + r.consumed;
            }
          }
        }
      }
      text.clear();
      if (const pop3::errc e = pop3::serialize(v, text); e != pop3::errc::ok)
        return fail(tool, w, rd.base, pop3::to_string(e));
      if (!w.put(text)) return fail(tool, w, rd.base, "write error");
      rd.drop(r.consumed);
      continue;
    }
    if (st == state::body) {  // RETR, TOP: copied as is through "." CRLF
      const auto r = body.decode(rd.buf, std::span<char>(scratch), rd.eof);
      // Streamed through: an incomplete body is written whole before the error, whatever the reads.
      if (!w.put(std::string_view(rd.buf).substr(0, r.consumed))) return fail(tool, w, rd.base, "write error");
      if (r.st == mailwire::status::error)
        return fail(tool, w, body_base + r.error_offset, "incomplete multi-line body (no CRLF.CRLF)");
      rd.drop(r.consumed);
      if (r.st == mailwire::status::event) {
        st = state::status;
        continue;
      }
      if (r.st == mailwire::status::paused) continue;  // the scratch output was full
      rd.more();
      continue;
    }
    // LIST, UIDL, CAPA, LANG: one line at a time, un-stuffed, parsed, written back stuffed.
    const std::size_t max = lim.response_line;
    const std::size_t lf = rd.buf.find('\n');
    if (lf == std::string::npos) {
      if (rd.buf.size() >= max) return fail(tool, w, rd.base + max, pop3::to_string(pop3::errc::response_line_too_long));
      if (rd.eof) return fail(tool, w, rd.base, "incomplete multi-line body (no CRLF.CRLF)");
      rd.more();
      continue;
    }
    if (lf + 1 > max) return fail(tool, w, rd.base + max, pop3::to_string(pop3::errc::response_line_too_long));
    if (lf == 0 || rd.buf[lf - 1] != '\r') return fail(tool, w, rd.base + lf, pop3::to_string(pop3::errc::bare_lf));
    std::string_view l(rd.buf.data(), lf - 1);
    if (l == ".") {
      if (!w.put(".\r\n")) return fail(tool, w, rd.base, "write error");
      rd.drop(lf + 1);
      st = state::status;
      continue;
    }
    std::size_t at = 0;
    if (!l.empty() && l[0] == '.') {
      l.remove_prefix(1);
      at = 1;
    }
    text.clear();
    pop3::errc e = pop3::errc::ok;
    std::size_t where = 0;
    auto parsed = [&](const auto& p) {
      if (!p.ok()) {
        e = p.error;
        where = p.error_offset;
        return false;
      }
      e = pop3::serialize(p.value, text);
      return e == pop3::errc::ok;
    };
    bool good = true;
    switch (current.k) {
      case pop3::keyword::list: good = parsed(pop3::parse_scan_listing(l, lim)); break;
      case pop3::keyword::uidl: good = parsed(pop3::parse_uidl_listing(l, lim)); break;
      case pop3::keyword::capa: good = parsed(pop3::parse_capability(l)); break;
      default:  // LANG: lang-tag SP description, copied (control octets but HTAB refused)
        for (std::size_t k = 0; k < l.size() && good; ++k) {
          const auto u = static_cast<unsigned char>(l[k]);
          if ((u < 0x20 && u != '\t') || u == 0x7f) {
            good = false;
            e = u == '\r' ? pop3::errc::bare_cr : pop3::errc::control_character;
            where = k;
          }
        }
        if (good) text.assign(l);
    }
    if (!good) return fail(tool, w, rd.base + at + where, pop3::to_string(e));
    if (!text.empty() && text[0] == '.') text.insert(text.begin(), '.');
    text += "\r\n";
    if (!w.put(text)) return fail(tool, w, rd.base, "write error");
    rd.drop(lf + 1);
  }
  if (!w.flush()) return fail(tool, w, rd.base, "write error");
  return exit_ok;
}

}  // namespace inspect_pop3
