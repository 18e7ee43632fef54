// mailwire/pop3/command.hpp — POP3 command lines of RFC 1939 section 3 and the extensions
// (CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034, UTF8 and LANG RFC 6856): parser and canonical
// serializer.
//
//   using namespace mailwire::pop3;
//   std::string_view buf = "USER mrose\r\nPASS secret word\r\nRETR 1\r\n";
//   for (;;) {
//     auto r = parse_command(buf);                          // one line; views into buf
//     if (r.st == mailwire::status::need_more) break;       // read more, call again
//     if (r.st == mailwire::status::error) send(reply_hint(r.error));  // r.consumed: skip
//     else if (r.value.k == keyword::retr) retrieve(r.value.message);
//     buf.remove_prefix(r.consumed);
//   }
//
// Line framing: a command ends with CRLF. Strict by default: a bare LF, a bare CR, NUL or any
// other control octet is an error. A line over limits::command_line octets with its CRLF
// (limits::auth_line for AUTH) is an error as soon as that many octets wait without an LF; then
// consumed is 0 and the host discards up to the next LF itself. Other errors of a complete line
// consume it, so the host can reply and go on.
//
// Grammar (RFC 1939 section 3): keyword, then exactly one SP between arguments, no trailing SP;
// keywords are case-insensitive. PASS takes all after its SP as the password (spaces kept,
// RFC 1939 section 7). An alphabetic keyword we do not know is not an error: keyword::unknown
// with its text and raw argument (the server answers "-ERR").
// Values hold views into the parsed input (lifetime: until that input changes). serialize()
// writes the upper-case keyword and canonical arguments (numbers without leading zeros), then
// re-parses its own line and refuses (nothing appended) any value that would not come back
// equal — a value holding CR, LF or NUL never reaches the wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/pop3/errc.hpp"
#include "mailwire/pop3/limits.hpp"

namespace mailwire::pop3 {

/// Result of a line parser: {status, consumed, value, error, error_offset}.
template <class T>
struct parse_result {
  status st = status::need_more;  ///< event, need_more (no line end yet) or error
  std::size_t consumed = 0;       ///< bytes of the input read for this value
  T value{};                      ///< the value (status::event only); views into the input
  errc error = errc::ok;          ///< why (status::error only)
  std::size_t error_offset = 0;   ///< offset of the offending byte in the input
  [[nodiscard]] constexpr bool ok() const noexcept { return st == status::event; }
};

/// POP3 command keywords (RFC 1939 sections 4-7, RFC 2449, 2595, 5034, 6856).
enum class keyword : std::uint8_t {
  user, pass, apop, stat, list, retr, dele, noop, rset, quit, top, uidl, capa, stls, auth,
  utf8, lang,
  unknown,  ///< an alphabetic keyword we do not know; command::keyword_text holds it
};

/// The keyword in upper case ("" for unknown).
[[nodiscard]] constexpr std::string_view to_string(keyword k) noexcept {
  switch (k) {
    case keyword::user: return "USER";
    case keyword::pass: return "PASS";
    case keyword::apop: return "APOP";
    case keyword::stat: return "STAT";
    case keyword::list: return "LIST";
    case keyword::retr: return "RETR";
    case keyword::dele: return "DELE";
    case keyword::noop: return "NOOP";
    case keyword::rset: return "RSET";
    case keyword::quit: return "QUIT";
    case keyword::top: return "TOP";
    case keyword::uidl: return "UIDL";
    case keyword::capa: return "CAPA";
    case keyword::stls: return "STLS";
    case keyword::auth: return "AUTH";
    case keyword::utf8: return "UTF8";
    case keyword::lang: return "LANG";
    case keyword::unknown: return "";
  }
  return "";
}

/// True for the commands whose successful answer is a multi-line response (RFC 1939 sections
/// 5-7, RFC 2449 section 5): LIST and UIDL without argument, RETR, TOP, CAPA, LANG without
/// argument (RFC 6856 section 3).
[[nodiscard]] constexpr bool multiline_answer(keyword k, bool has_argument) noexcept {
  switch (k) {
    case keyword::retr:
    case keyword::top:
    case keyword::capa: return true;
    case keyword::list:
    case keyword::uidl:
    case keyword::lang: return !has_argument;
    default: return false;
  }
}

/// AUTH's optional initial response (RFC 5034 section 4).
enum class initial_response : std::uint8_t {
  none,   ///< no initial response
  empty,  ///< "=": an empty initial response
  data,   ///< base64 text in command::response
};

/// One POP3 command. Fields not used by the keyword stay empty / zero.
struct command {
  keyword k = keyword::unknown;
  std::string_view keyword_text;  ///< the keyword as written
  std::string_view argument;      ///< all after the keyword's SP, as written ("" when none)
  std::string_view name;          ///< USER name, APOP name (RFC 1939 section 7)
  std::string_view secret;        ///< PASS string, spaces kept (RFC 1939 section 7)
  std::string_view digest;        ///< APOP digest, 32 hex digits as written
  /// LIST/UIDL (0: no argument), RETR, DELE, TOP message number (>= 1).
  std::uint32_t message = 0;
  std::uint32_t lines = 0;        ///< TOP line count (RFC 1939 section 7)
  std::string_view mechanism;     ///< AUTH SASL mechanism as written (RFC 5034 section 4)
  initial_response ir = initial_response::none;
  std::string_view response;      ///< AUTH base64 initial response (ir == data)
  std::string_view language;      ///< LANG tag or "*" ("" : list languages; RFC 6856 section 3)

  /// True when the successful answer is multi-line (see multiline_answer()).
  [[nodiscard]] constexpr bool multiline() const noexcept {
    return multiline_answer(k, message != 0 || !language.empty());
  }

  /// Equality of what the command means for its keyword.
  friend bool operator==(const command& a, const command& b) noexcept {
    if (a.k != b.k) return false;
    switch (a.k) {
      case keyword::user: return a.name == b.name;
      case keyword::pass: return a.secret == b.secret;
      case keyword::apop: return a.name == b.name && a.digest == b.digest;
      case keyword::list:
      case keyword::uidl:
      case keyword::retr:
      case keyword::dele: return a.message == b.message;
      case keyword::top: return a.message == b.message && a.lines == b.lines;
      case keyword::auth: return a.mechanism == b.mechanism && a.ir == b.ir && a.response == b.response;
      case keyword::lang: return a.language == b.language;
      case keyword::unknown: return ascii::iequals(a.keyword_text, b.keyword_text) && a.argument == b.argument;
      default: return true;
    }
  }
};

/// Context and named leniencies of the command parser (all off: strict RFC 1939).
struct command_options {
  /// UTF8 mode is on (RFC 6856 section 2): USER, PASS and APOP names may hold UTF-8.
  bool utf8 = false;
  /// LENIENCY: accept several SP between arguments and trailing SP (not inside PASS, whose
  /// argument is taken as is). Risk: a proxy that splits arguments differently sees other values.
  bool lenient_spaces = false;
  /// LENIENCY: accept a bare LF as a line end. Risk: a front end that splits lines on CRLF only
  /// sees one command where this parser sees two (command smuggling). Keep off.
  bool lenient_bare_lf = false;
};

namespace detail {

inline constexpr std::uint32_t kw_key(std::string_view s) noexcept {
  std::uint32_t k = 0;
  for (char c : s) k = (k << 8) | static_cast<unsigned char>(ascii::to_upper(c));
  return k;
}

/// The keyword of 1*ALPHA / "UTF8" text `s`.
[[nodiscard]] constexpr keyword lookup_keyword(std::string_view s) noexcept {
  if (s.size() != 3 && s.size() != 4) return keyword::unknown;
  switch (kw_key(s)) {
    case kw_key("USER"): return keyword::user;
    case kw_key("PASS"): return keyword::pass;
    case kw_key("APOP"): return keyword::apop;
    case kw_key("STAT"): return keyword::stat;
    case kw_key("LIST"): return keyword::list;
    case kw_key("RETR"): return keyword::retr;
    case kw_key("DELE"): return keyword::dele;
    case kw_key("NOOP"): return keyword::noop;
    case kw_key("RSET"): return keyword::rset;
    case kw_key("QUIT"): return keyword::quit;
    case kw_key("TOP"): return keyword::top;
    case kw_key("UIDL"): return keyword::uidl;
    case kw_key("CAPA"): return keyword::capa;
    case kw_key("STLS"): return keyword::stls;
    case kw_key("AUTH"): return keyword::auth;
    case kw_key("UTF8"): return keyword::utf8;
    case kw_key("LANG"): return keyword::lang;
    default: return keyword::unknown;
  }
}

/// 1*DIGIT into a number <= max (overflow checked; leading zeros allowed).
[[nodiscard]] constexpr errc parse_number(std::string_view s, std::uint32_t max, std::uint32_t& v) noexcept {
  if (s.empty()) return errc::invalid_message_number;
  std::uint64_t x = 0;
  for (char c : s) {
    if (!ascii::is_digit(c)) return errc::invalid_message_number;
    x = x * 10 + static_cast<std::uint64_t>(c - '0');
    if (x > max) return errc::number_overflow;
  }
  v = static_cast<std::uint32_t>(x);
  return errc::ok;
}

/// Checks 8-bit octets of `s`: errors unless `utf8` and well-formed UTF-8.
[[nodiscard]] constexpr errc check_8bit(std::string_view s, bool utf8, std::size_t& at) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!ascii::is_8bit(s[i])) continue;
    at = i;
    if (!utf8) return errc::non_ascii;
    const std::size_t n = ascii::utf8_sequence_length(s.data() + i, s.data() + s.size());
    if (n == 0) return errc::invalid_utf8;
    i += n - 1;
  }
  return errc::ok;
}

/// True for base64 with padding (RFC 4648 section 4), non-empty.
[[nodiscard]] constexpr bool is_base64(std::string_view s, std::size_t& bad) noexcept {
  std::size_t k = 0;
  while (k < s.size() && ascii::has(s[k], ascii::base64)) ++k;
  std::size_t pad = 0;
  while (k + pad < s.size() && s[k + pad] == '=' && pad < 2) ++pad;
  bad = k + pad < s.size() ? k + pad : 0;
  return !s.empty() && k + pad == s.size() && s.size() % 4 == 0 && !(pad > 0 && k == 0);
}

/// sasl-mech of RFC 4422 section 3.1: 1*20 of upper-case letters, digits, "-" and "_"
/// (lower case accepted: mechanism names are case-insensitive on the wire).
[[nodiscard]] constexpr bool is_mechanism(std::string_view s) noexcept {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (!(ascii::is_alpha(c) || ascii::is_digit(c) || c == '-' || c == '_')) return false;
  return true;
}

/// Language-Tag / language-range subset of RFC 6856 section 3: "*" or
/// 1*8ALPHA *("-" 1*8alphanum).
[[nodiscard]] constexpr bool is_language(std::string_view s) noexcept {
  if (s == "*") return true;
  std::size_t i = 0, part = 0;
  bool first = true;
  while (i <= s.size()) {
    if (i == s.size() || s[i] == '-') {
      if (part == 0 || part > 8) return false;
      if (i == s.size()) return true;
      part = 0;
      first = false;
    } else if (ascii::is_alpha(s[i]) || (!first && ascii::is_digit(s[i]))) {
      ++part;
    } else {
      return false;
    }
    ++i;
  }
  return false;
}

/// Finds the LF of one line within `max` octets (with CRLF); framing and control checks shared by
/// the command and SASL line parsers. Returns false when the result is final (need_more/error).
template <class T>
[[nodiscard]] inline bool frame_line(parse_result<T>& r, std::string_view in, std::size_t max,
                                     errc too_long, bool bare_lf_ok, std::string_view& line) noexcept {
  if (max == 0) max = 1;
  const std::size_t scan = in.size() < max ? in.size() : max;
  const void* lfp = scan == 0 ? nullptr : std::memchr(in.data(), '\n', scan);
  if (lfp == nullptr) {
    if (in.size() >= max) {
      r.st = status::error;
      r.error = too_long;
      r.error_offset = max;
    }
    return false;
  }
  const std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(lfp) - in.data());
  r.consumed = lf + 1;
  std::size_t len = lf;
  if (lf > 0 && in[lf - 1] == '\r') {
    len = lf - 1;
  } else if (!bare_lf_ok) {
    r.st = status::error;
    r.error = errc::bare_lf;
    r.error_offset = lf;
    return false;
  }
  line = in.substr(0, len);
  for (std::size_t i = 0; i < len; ++i) {
    const auto u = static_cast<unsigned char>(line[i]);
    if (u < 0x20 || u == 0x7f) [[unlikely]] {
      r.st = status::error;
      r.error = u == 0 ? errc::nul_in_line : u == '\r' ? errc::bare_cr : errc::control_character;
      r.error_offset = i;
      return false;
    }
  }
  return true;
}

inline void parse_command_into(parse_result<command>& r, std::string_view in, const limits& lim,
                               const command_options& opt) noexcept {
  const bool is_auth = in.size() >= 5 && ascii::iequals(in.substr(0, 5), "AUTH ");
  std::string_view line;
  if (!frame_line(r, in, is_auth ? lim.auth_line : lim.command_line,
                  is_auth ? errc::auth_line_too_long : errc::line_too_long, opt.lenient_bare_lf, line))
    return;
  auto fail = [&](errc e, std::size_t at) {
    r.st = status::error;
    r.error = e;
    r.error_offset = at;
    r.value = command{};
  };
  const std::size_t len = line.size();
  command& c = r.value;
  // keyword: 1*ALPHA (UTF8 has a digit: RFC 6856 section 2)
  std::size_t i = 0;
  while (i < len && (ascii::is_alpha(line[i]) || (i == 3 && line[i] == '8'))) ++i;
  if (i == 0) return fail(len == 0 ? errc::empty_line : errc::invalid_keyword, 0);
  if (i < len && line[i] != ' ') return fail(errc::invalid_keyword, i);
  c.keyword_text = line.substr(0, i);
  c.k = lookup_keyword(c.keyword_text);
  if (c.k == keyword::unknown) {
    // Only 1*ALPHA for unknown keywords.
    for (std::size_t j = 0; j < i; ++j)
      if (!ascii::is_alpha(line[j])) return fail(errc::invalid_keyword, j);
  }
  std::size_t a = i;
  if (i < len) {
    a = i + 1;
    std::size_t end = len;
    if (c.k == keyword::pass) {
      // The password is all after the one SP, as is (RFC 1939 section 7).
    } else if (opt.lenient_spaces) {
      while (a < len && line[a] == ' ') ++a;
      while (end > a && line[end - 1] == ' ') --end;
    } else if (a == len || line[a] == ' ') {
      return fail(errc::bad_spacing, a == len ? i : a);
    } else if (line[len - 1] == ' ') {
      return fail(errc::bad_spacing, len - 1);
    }
    c.argument = line.substr(a, end - a);
  }
  const std::string_view arg = c.argument;
  // Split into at most 3 SP-separated words (lenient: runs of SP).
  std::string_view w[3];
  std::size_t wat[3] = {};
  std::size_t nw = 0;
  bool more = false;
  if (c.k != keyword::pass && c.k != keyword::unknown && !arg.empty()) {
    std::size_t p = 0;
    while (p < arg.size()) {
      if (nw == 3) {
        more = true;
        break;
      }
      std::size_t q = arg.find(' ', p);
      if (q == std::string_view::npos) q = arg.size();
      if (q == p) return fail(errc::bad_spacing, a + p);  // strict mode never gets here
      wat[nw] = p;
      w[nw++] = arg.substr(p, q - p);
      p = q;
      while (p < arg.size() && arg[p] == ' ') {
        ++p;
        if (!opt.lenient_spaces && p < arg.size() && arg[p] == ' ') return fail(errc::bad_spacing, a + p);
      }
    }
  }
  auto want = [&](std::size_t lo, std::size_t hi) -> bool {
    if (nw < lo) {
      fail(errc::missing_argument, len);
      return false;
    }
    if (nw > hi || more) {
      const std::size_t at = more ? a + arg.size() : a + wat[hi];
      fail(hi == 0 ? errc::unexpected_argument : errc::too_many_arguments, hi == 0 ? a : at);
      return false;
    }
    return true;
  };
  auto short_word = [&](std::size_t k) -> bool {
    if (w[k].size() > lim.argument) {
      fail(errc::argument_too_long, a + wat[k] + lim.argument);
      return false;
    }
    return true;
  };
  auto number = [&](std::size_t k, std::uint32_t& v, bool nonzero) -> bool {
    const errc e = parse_number(w[k], lim.max_number, v);
    if (e != errc::ok) {
      fail(e, a + wat[k]);
      return false;
    }
    if (nonzero && v == 0) {
      fail(errc::invalid_message_number, a + wat[k]);
      return false;
    }
    return true;
  };
  std::size_t bad = 0;
  switch (c.k) {
    case keyword::user:
      if (!want(1, 1) || !short_word(0)) return;
      if (const errc e = check_8bit(w[0], opt.utf8, bad); e != errc::ok) return fail(e, a + bad);
      c.name = w[0];
      break;
    case keyword::pass:
      if (arg.empty()) return fail(errc::missing_argument, len);
      if (const errc e = check_8bit(arg, opt.utf8, bad); e != errc::ok) return fail(e, a + bad);
      c.secret = arg;
      break;
    case keyword::apop: {
      if (!want(2, 2) || !short_word(0)) return;
      if (const errc e = check_8bit(w[0], opt.utf8, bad); e != errc::ok) return fail(e, a + bad);
      if (w[1].size() != 32) return fail(errc::invalid_digest, a + wat[1]);
      for (std::size_t j = 0; j < 32; ++j)
        if (!ascii::is_hexdig(w[1][j])) return fail(errc::invalid_digest, a + wat[1] + j);
      c.name = w[0];
      c.digest = w[1];
      break;
    }
    case keyword::list:
    case keyword::uidl:
      if (!want(0, 1)) return;
      if (nw == 1 && !number(0, c.message, true)) return;
      break;
    case keyword::retr:
    case keyword::dele:
      if (!want(1, 1) || !number(0, c.message, true)) return;
      break;
    case keyword::top:
      if (!want(2, 2) || !number(0, c.message, true) || !number(1, c.lines, false)) return;
      break;
    case keyword::stat:
    case keyword::noop:
    case keyword::rset:
    case keyword::quit:
    case keyword::capa:
    case keyword::stls:
    case keyword::utf8:
      if (!want(0, 0)) return;
      break;
    case keyword::auth:
      if (!want(1, 2)) return;
      if (!is_mechanism(w[0])) return fail(errc::invalid_mechanism, a);
      c.mechanism = w[0];
      if (nw == 2) {
        if (w[1] == "=") {
          c.ir = initial_response::empty;
        } else if (is_base64(w[1], bad)) {
          c.ir = initial_response::data;
          c.response = w[1];
        } else {
          return fail(errc::invalid_base64, a + wat[1] + bad);
        }
      }
      break;
    case keyword::lang:
      if (!want(0, 1)) return;
      if (nw == 1) {
        if (!short_word(0)) return;
        if (!is_language(w[0])) return fail(errc::invalid_language, a);
        c.language = w[0];
      }
      break;
    case keyword::unknown:
      if (const errc e = check_8bit(arg, opt.utf8, bad); e != errc::ok) return fail(e, a + bad);
      break;
  }
  r.st = status::event;
}

}  // namespace detail

/// Parses one command line at the start of `in` (RFC 1939 section 3): status::event with the
/// command and `consumed` (the line and its CRLF), status::need_more when no line end has come
/// yet (nothing consumed), or status::error with `error`, `error_offset` and `consumed` (the
/// whole line for a complete line; 0 for a line over the limit). Views into `in`.
[[nodiscard]] inline parse_result<command> parse_command(std::string_view in, const limits& lim = {},
                                                         const command_options& opt = {}) noexcept {
  parse_result<command> r;
  detail::parse_command_into(r, in, lim, opt);
  return r;
}

/// A client's line in an AUTH exchange (RFC 5034 section 4): base64 data, or "*" to cancel.
struct auth_response {
  bool cancel = false;    ///< "*": the client cancels (the server answers -ERR)
  std::string_view data;  ///< base64 text (may be empty); view into the input
  friend bool operator==(const auth_response&, const auth_response&) = default;
};

/// Parses one SASL continuation line of the client (RFC 5034 section 4): at most lim.auth_line
/// octets with CRLF, the framing rules of parse_command(), then "*" or base64 (maybe empty).
[[nodiscard]] inline parse_result<auth_response> parse_auth_response(
    std::string_view in, const limits& lim = {}, const command_options& opt = {}) noexcept {
  parse_result<auth_response> r;
  std::string_view line;
  if (!detail::frame_line(r, in, lim.auth_line, errc::auth_line_too_long, opt.lenient_bare_lf, line))
    return r;
  std::size_t bad = 0;
  if (line == "*") {
    r.value.cancel = true;
  } else if (line.empty() || detail::is_base64(line, bad)) {
    r.value.data = line;
  } else {
    r.st = status::error;
    r.error = errc::invalid_base64;
    r.error_offset = bad;
    return r;
  }
  r.st = status::event;
  return r;
}

/// Appends a SASL continuation line ("*" or the base64 data) with CRLF; refuses (errc, nothing
/// appended) data that is not base64.
[[nodiscard]] inline errc serialize(const auth_response& a, std::string& out) {
  const std::size_t start = out.size();
  out.append(a.cancel ? std::string_view("*") : a.data).append("\r\n");
  limits lim;
  lim.auth_line = ~std::size_t{0} >> 1;
  const auto back = parse_auth_response(std::string_view(out).substr(start), lim);
  errc e = back.ok() ? errc::ok : back.error;
  if (e == errc::ok && (back.consumed != out.size() - start || !(back.value == a))) e = errc::local_invalid_value;
  if (e != errc::ok) out.resize(start);
  return e;
}

/// Appends the canonical line of `c` with its CRLF, then checks it by parsing it back (UTF8 mode,
/// unbounded argument length, default line limits): if it is invalid or reads back differently,
/// nothing is appended and the error is returned (local_invalid_value when it parses but differs).
[[nodiscard]] inline errc serialize(const command& c, std::string& out) {
  const std::size_t start = out.size();
  if (c.k == keyword::unknown) {
    for (char ch : c.keyword_text) out.push_back(ascii::to_upper(ch));
  } else {
    out.append(to_string(c.k));
  }
  auto arg = [&](std::string_view s) { out.append(" ").append(s); };
  switch (c.k) {
    case keyword::user: arg(c.name); break;
    case keyword::pass: arg(c.secret); break;
    case keyword::apop:
      arg(c.name);
      arg(c.digest);
      break;
    case keyword::list:
    case keyword::uidl:
      if (c.message != 0) {
        out.push_back(' ');
        ascii::append_decimal(out, c.message);
      }
      break;
    case keyword::retr:
    case keyword::dele:
      out.push_back(' ');
      ascii::append_decimal(out, c.message);
      break;
    case keyword::top:
      out.push_back(' ');
      ascii::append_decimal(out, c.message);
      out.push_back(' ');
      ascii::append_decimal(out, c.lines);
      break;
    case keyword::auth:
      arg(c.mechanism);
      if (c.ir == initial_response::empty) arg("=");
      if (c.ir == initial_response::data) arg(c.response);
      break;
    case keyword::lang:
      if (!c.language.empty()) arg(c.language);
      break;
    case keyword::unknown:
      if (!c.argument.empty()) arg(c.argument);
      break;
    default: break;
  }
  out.append("\r\n");
  command_options o;
  o.utf8 = true;
  limits lim;
  lim.argument = ~std::size_t{0} >> 1;
  const auto back = parse_command(std::string_view(out).substr(start), lim, o);
  errc e = errc::ok;
  if (!back.ok()) e = back.error;
  else if (back.consumed != out.size() - start || !(back.value == c)) e = errc::local_invalid_value;
  if (e != errc::ok) out.resize(start);
  return e;
}

}  // namespace mailwire::pop3
