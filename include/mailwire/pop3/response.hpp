// mailwire/pop3/response.hpp — POP3 server responses: status lines "+OK" / "-ERR" with the
// extended response codes of RFC 2449 section 8 and RFC 3206, SASL continuations "+ " (RFC 5034
// section 4), CAPA lines (RFC 2449 section 6), scan and UIDL listings (RFC 1939 sections 5 and 7),
// and the multi-line framing (RFC 1939 section 3): a streaming decoder (client: un-stuffing, end
// at CRLF "." CRLF) and encoder (server: stuffing, CRLF line ends, the final "." CRLF).
//
//   using namespace mailwire::pop3;
//   auto r = parse_response(buf);                       // "-ERR [IN-USE] locked\r\n"
//   if (r.ok() && r.value.k == response_kind::err && r.value.code_kind() == response_code::in_use) ...
//   multiline_decoder body;                             // after "+OK" to RETR
//   auto d = body.decode(rest, std::span<char>(out), /*final=*/peer_closed);
//   // d.produced bytes of the message; d.st == event at "." CRLF, pipelined bytes stay unread
//
// Values hold views into the parsed input (lifetime: until that input changes). Strict by
// default: CRLF line ends, no NUL or other control octets but HTAB in text, 8-bit text only in
// UTF8 mode (RFC 6856); leniencies are named in response_options.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/detail/dot_scan.hpp"
#include "mailwire/core/result.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/errc.hpp"
#include "mailwire/pop3/limits.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mailwire::pop3 {

/// What a response line starts with (RFC 1939 section 3, RFC 5034 section 4).
enum class response_kind : std::uint8_t {
  ok,            ///< "+OK"
  err,           ///< "-ERR"
  continuation,  ///< "+ " base64: a SASL server challenge
};

/// Known extended response codes (RFC 2449 section 8, RFC 3206, RFC 6856 section 2).
enum class response_code : std::uint8_t {
  none,         ///< no "[...]" at the start of the text
  in_use,       ///< IN-USE: the maildrop is locked (RFC 2449 section 8.1.1)
  login_delay,  ///< LOGIN-DELAY: too soon after the last login (RFC 2449 section 8.1.2)
  sys_temp,     ///< SYS/TEMP: temporary system problem (RFC 3206 section 4)
  sys_perm,     ///< SYS/PERM: permanent system problem (RFC 3206 section 4)
  auth,         ///< AUTH: credentials refused (RFC 3206 section 5)
  utf8,         ///< UTF8: needs UTF8 mode (RFC 6856 section 2)
  other,        ///< any other hierarchical code, kept as written
};

/// One response line: status [SP [resp-code SP] text] (RFC 2449 section 9), or "+" SP base64.
struct response {
  response_kind k = response_kind::ok;
  std::string_view code;  ///< resp-code without "[" "]", e.g. "SYS/TEMP" ("" : none)
  std::string_view text;  ///< the text after the status and code, without the separating SP
  std::string_view data;  ///< continuation: the base64 challenge (may be empty)

  /// The typed form of `code`; "SYS/TEMP/DISK" is other (codes are compared whole, no case).
  [[nodiscard]] constexpr response_code code_kind() const noexcept {
    if (code.empty()) return response_code::none;
    if (ascii::iequals(code, "IN-USE")) return response_code::in_use;
    if (ascii::iequals(code, "LOGIN-DELAY")) return response_code::login_delay;
    if (ascii::iequals(code, "SYS/TEMP")) return response_code::sys_temp;
    if (ascii::iequals(code, "SYS/PERM")) return response_code::sys_perm;
    if (ascii::iequals(code, "AUTH")) return response_code::auth;
    if (ascii::iequals(code, "UTF8")) return response_code::utf8;
    return response_code::other;
  }
  friend bool operator==(const response&, const response&) = default;
};

/// Context and named leniencies of the response parsers (all off: strict).
struct response_options {
  /// UTF8 mode is on (RFC 6856 section 2): text may hold UTF-8.
  bool utf8 = false;
  /// LENIENCY: accept a bare LF as the end of a response line. Risk: a response split on LF
  /// alone is read differently from a proxy splitting on CRLF. Some old servers need it.
  bool lenient_bare_lf = false;
  /// LENIENCY: accept 8-bit octets in text outside UTF8 mode (kept as is, not checked).
  bool lenient_8bit_text = false;
};

namespace detail {

/// resp-level = 1*rchar; rchar = %x21-2E / %x30-5C / %x5E-7F (RFC 2449 section 9).
[[nodiscard]] constexpr bool is_rchar(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7E && c != '/' && c != ']';
}

/// True when `s` is resp-level *("/" resp-level).
[[nodiscard]] constexpr bool is_resp_code(std::string_view s) noexcept {
  if (s.empty()) return false;
  std::size_t level = 0;
  for (char c : s) {
    if (c == '/') {
      if (level == 0) return false;
      level = 0;
    } else if (is_rchar(c)) {
      ++level;
    } else {
      return false;
    }
  }
  return level != 0;
}

/// Checks text octets: HTAB and printable ASCII, 8-bit by the options. Returns the bad offset.
[[nodiscard]] constexpr errc check_response_text(std::string_view s, const response_options& o,
                                                 std::size_t& at) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if ((u < 0x20 && u != '\t') || u == 0x7f) {
      at = i;
      return u == 0 ? errc::nul_in_line : u == '\r' ? errc::bare_cr : errc::control_character;
    }
  }
  if (o.lenient_8bit_text) return errc::ok;
  return check_8bit(s, o.utf8, at);
}

/// Offset of the first CR (or, with `lf`, CR or LF) in p[0, n), or n: 16 octets at a time with
/// SSE2 (x86-64 baseline), else eight at a time in a word; inline, so short lines cost no call.
[[nodiscard]] inline std::size_t find_line_end(const char* p, std::size_t n, bool lf = true) noexcept {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r'), nl = _mm_set1_epi8(lf ? '\n' : '\r');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, nl)));
    if (m != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(m)));
  }
#endif
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  const std::uint64_t other = ones * static_cast<unsigned char>(lf ? '\n' : '\r');
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    const std::uint64_t a = w ^ (ones * '\r'), b = w ^ other;
    if ((((a - ones) & ~a) | ((b - ones) & ~b)) & high) break;
  }
  for (; i < n; ++i)
    if (p[i] == '\r' || (lf && p[i] == '\n')) return i;
  return n;
}

}  // namespace detail

/// Parses one response line at the start of `in` (RFC 1939 section 3, RFC 2449 section 9,
/// RFC 5034 section 4): at most lim.response_line octets with CRLF (lim.auth_line for a "+ "
/// continuation). A "[" after the status starts a resp-code only when a well-formed code and "]"
/// follow; otherwise it is text. status::event, need_more (no LF yet), or error with the line
/// consumed (0 for an over-long line). Views into `in`.
[[nodiscard]] inline parse_result<response> parse_response(std::string_view in, const limits& lim = {},
                                                           const response_options& opt = {}) noexcept {
  parse_result<response> r;
  const bool cont = in.size() >= 2 && in[0] == '+' && (in[1] == ' ' || in[1] == '\r' || in[1] == '\n');
  std::string_view line;
  // Control octets are checked below (HTAB is allowed in text), so frame with a text check off.
  const std::size_t max = cont ? lim.auth_line : lim.response_line;
  {
    const std::size_t m = max == 0 ? 1 : max;
    const std::size_t scan = in.size() < m ? in.size() : m;
    const void* lfp = scan == 0 ? nullptr : std::memchr(in.data(), '\n', scan);
    if (lfp == nullptr) {
      if (in.size() >= m) {
        r.st = status::error;
        r.error = cont ? errc::auth_line_too_long : errc::response_line_too_long;
        r.error_offset = m;
      }
      return r;
    }
    const std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(lfp) - in.data());
    r.consumed = lf + 1;
    std::size_t len = lf;
    if (lf > 0 && in[lf - 1] == '\r') len = lf - 1;
    else if (!opt.lenient_bare_lf) {
      r.st = status::error;
      r.error = errc::bare_lf;
      r.error_offset = lf;
      return r;
    }
    line = in.substr(0, len);
  }
  auto fail = [&](errc e, std::size_t at) {
    r.st = status::error;
    r.error = e;
    r.error_offset = at;
    r.value = {};
    return r;
  };
  std::size_t at = 0;
  if (const errc e = detail::check_response_text(line, opt, at); e != errc::ok) return fail(e, at);
  response& v = r.value;
  std::size_t p = 0;
  if (cont) {
    v.k = response_kind::continuation;
    // continue-req = "+" SP [base64] CRLF; a bare "+" is accepted as an empty challenge.
    const std::string_view d = line.size() > 2 ? line.substr(2) : std::string_view();
    std::size_t bad = 0;
    if (!d.empty() && !detail::is_base64(d, bad)) return fail(errc::invalid_base64, 2 + bad);
    v.data = d;
    r.st = status::event;
    return r;
  }
  if (ascii::istarts_with(line, "+OK")) {
    v.k = response_kind::ok;
    p = 3;
  } else if (ascii::istarts_with(line, "-ERR")) {
    v.k = response_kind::err;
    p = 4;
  } else {
    return fail(errc::invalid_status, 0);
  }
  if (p < line.size()) {
    if (line[p] != ' ') return fail(errc::invalid_status, p);
    std::string_view t = line.substr(p + 1);
    if (!t.empty() && t[0] == '[') {
      const std::size_t close = t.find(']');
      if (close != std::string_view::npos && detail::is_resp_code(t.substr(1, close - 1))) {
        v.code = t.substr(1, close - 1);
        t.remove_prefix(close + 1);
        if (!t.empty() && t[0] == ' ') t.remove_prefix(1);
      }
    }
    v.text = t;
  }
  r.st = status::event;
  return r;
}

/// Appends the canonical line of `v` with CRLF: "+OK" / "-ERR", then " [code]" and " text" when
/// present; "+ " and the data for a continuation. Re-parses it (any 8-bit text allowed: whether
/// to send it is the host's choice, RFC 6856; no length limit) and refuses, appending nothing, a
/// value that would not read back equal (e.g. text holding CR or LF).
[[nodiscard]] inline errc serialize(const response& v, std::string& out) {
  const std::size_t start = out.size();
  if (v.k == response_kind::continuation) {
    out.append("+ ").append(v.data);
  } else {
    out.append(v.k == response_kind::ok ? "+OK" : "-ERR");
    if (!v.code.empty()) out.append(" [").append(v.code).append("]");
    if (!v.text.empty()) out.append(" ").append(v.text);
  }
  out.append("\r\n");
  limits lim;
  lim.response_line = lim.auth_line = ~std::size_t{0} >> 1;
  response_options o;
  o.lenient_8bit_text = true;
  const auto back = parse_response(std::string_view(out).substr(start), lim, o);
  errc e = errc::ok;
  if (!back.ok()) e = back.error;
  else if (back.consumed != out.size() - start || !(back.value == v)) e = errc::local_invalid_value;
  if (e != errc::ok) out.resize(start);
  return e;
}

// ---- listings (RFC 1939 sections 5 and 7) ----------------------------------------------------

/// scan listing "msg SP size" (RFC 1939 section 5, LIST): in a multi-line body or a +OK text.
struct scan_listing {
  std::uint32_t message = 0;  ///< >= 1
  std::uint64_t size = 0;     ///< octets
  friend bool operator==(const scan_listing&, const scan_listing&) = default;
};

/// unique-id listing "msg SP unique-id" (RFC 1939 section 7, UIDL).
struct uidl_listing {
  std::uint32_t message = 0;  ///< >= 1
  std::string_view uid;       ///< 1*70 of 0x21-0x7E; view into the input
  friend bool operator==(const uidl_listing&, const uidl_listing&) = default;
};

/// Parses a scan listing from one line without its CRLF (RFC 1939 section 5). A +OK text may
/// carry more after the size ("+OK 2 200 octets"): pass allow_trailing to ignore it.
[[nodiscard]] inline parse_result<scan_listing> parse_scan_listing(std::string_view line, const limits& lim = {},
                                                                   bool allow_trailing = false) noexcept {
  parse_result<scan_listing> r;
  r.consumed = line.size();
  auto fail = [&](errc e, std::size_t at) {
    r.st = status::error;
    r.error = e;
    r.error_offset = at;
    r.value = {};
    return r;
  };
  const std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return fail(errc::invalid_listing, line.size());
  if (const errc e = detail::parse_number(line.substr(0, sp), lim.max_number, r.value.message); e != errc::ok)
    return fail(e == errc::number_overflow ? e : errc::invalid_listing, 0);
  if (r.value.message == 0) return fail(errc::invalid_listing, 0);
  std::string_view sz = line.substr(sp + 1);
  if (allow_trailing) sz = sz.substr(0, sz.find(' '));
  if (sz.empty() || sz.size() > 19) return fail(sz.empty() ? errc::invalid_listing : errc::number_overflow, sp + 1);
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < sz.size(); ++i) {
    if (!ascii::is_digit(sz[i])) return fail(errc::invalid_listing, sp + 1 + i);
    n = n * 10 + static_cast<std::uint64_t>(sz[i] - '0');
  }
  r.value.size = n;
  r.st = status::event;
  return r;
}

/// Parses a unique-id listing from one line without its CRLF (RFC 1939 section 7).
[[nodiscard]] inline parse_result<uidl_listing> parse_uidl_listing(std::string_view line,
                                                                   const limits& lim = {}) noexcept {
  parse_result<uidl_listing> r;
  r.consumed = line.size();
  auto fail = [&](errc e, std::size_t at) {
    r.st = status::error;
    r.error = e;
    r.error_offset = at;
    r.value = {};
    return r;
  };
  const std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return fail(errc::invalid_listing, line.size());
  if (const errc e = detail::parse_number(line.substr(0, sp), lim.max_number, r.value.message); e != errc::ok)
    return fail(e == errc::number_overflow ? e : errc::invalid_listing, 0);
  if (r.value.message == 0) return fail(errc::invalid_listing, 0);
  const std::string_view uid = line.substr(sp + 1);
  if (uid.empty() || uid.size() > lim.uid) return fail(errc::invalid_uid, sp + 1 + (uid.empty() ? 0 : lim.uid));
  for (std::size_t i = 0; i < uid.size(); ++i) {
    const auto u = static_cast<unsigned char>(uid[i]);
    if (u < 0x21 || u > 0x7E) return fail(errc::invalid_uid, sp + 1 + i);
  }
  r.value.uid = uid;
  r.st = status::event;
  return r;
}

/// Appends "msg SP size" (no CRLF); local_invalid_value for message 0.
[[nodiscard]] inline errc serialize(const scan_listing& s, std::string& out) {
  if (s.message == 0 || s.size > 9999999999999999999ull) return errc::local_invalid_value;
  ascii::append_decimal(out, s.message);
  out.push_back(' ');
  ascii::append_decimal(out, s.size);
  return errc::ok;
}

/// Appends "msg SP unique-id" (no CRLF); refuses a message 0 or a uid outside 1*70 0x21-0x7E.
[[nodiscard]] inline errc serialize(const uidl_listing& s, std::string& out) {
  const std::size_t start = out.size();
  if (s.message == 0) return errc::local_invalid_value;
  ascii::append_decimal(out, s.message);
  out.push_back(' ');
  out.append(s.uid);
  const auto back = parse_uidl_listing(std::string_view(out).substr(start));
  if (!back.ok() || !(back.value == s)) {
    out.resize(start);
    return back.ok() ? errc::local_invalid_value : back.error;
  }
  return errc::ok;
}

// ---- CAPA (RFC 2449 sections 5 and 6) -------------------------------------------------------

/// Capabilities of RFC 2449 section 6, RFC 2595 (STLS), RFC 5034 (SASL), RFC 6856 (UTF8, LANG).
enum class capability_kind : std::uint8_t {
  top, user, sasl, resp_codes, auth_resp_code, pipelining, expire, login_delay, uidl,
  implementation, stls, utf8, lang,
  other,  ///< any other capa-tag, kept as written
};

/// One CAPA line: capa-tag *(SP param) (RFC 2449 section 9), typed where known.
struct capability {
  capability_kind k = capability_kind::other;
  std::string_view tag;     ///< as written
  std::string_view params;  ///< all after the tag's SP, as written (SASL mechanisms, text...)
  /// EXPIRE: days, or nullopt for NEVER (RFC 2449 section 6.7); LOGIN-DELAY: seconds (6.5).
  std::optional<std::uint32_t> value;
  bool never = false;       ///< EXPIRE NEVER
  bool per_user = false;    ///< EXPIRE/LOGIN-DELAY with USER; UTF8 USER (RFC 6856 section 2)
  friend bool operator==(const capability&, const capability&) = default;
};

/// Parses one CAPA line without its CRLF (already un-stuffed). Checks the arguments of EXPIRE
/// and LOGIN-DELAY ("n [USER]", "NEVER"), SASL (1*mechanism) and that tags are 1*cchar.
[[nodiscard]] inline parse_result<capability> parse_capability(std::string_view line) noexcept {
  parse_result<capability> r;
  r.consumed = line.size();
  auto fail = [&](std::size_t at) {
    r.st = status::error;
    r.error = errc::invalid_capability;
    r.error_offset = at;
    r.value = {};
    return r;
  };
  const std::size_t sp = line.find(' ');
  capability& c = r.value;
  c.tag = line.substr(0, sp);
  if (sp != std::string_view::npos) c.params = line.substr(sp + 1);
  if (c.tag.empty()) return fail(0);
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto u = static_cast<unsigned char>(line[i]);
    if (u < 0x20 || u == 0x7f || (i < c.tag.size() && u >= 0x80)) return fail(i);
  }
  struct name_kind {
    std::string_view n;
    capability_kind k;
  };
  constexpr name_kind names[] = {
      {"TOP", capability_kind::top}, {"USER", capability_kind::user}, {"SASL", capability_kind::sasl},
      {"RESP-CODES", capability_kind::resp_codes}, {"AUTH-RESP-CODE", capability_kind::auth_resp_code},
      {"PIPELINING", capability_kind::pipelining}, {"EXPIRE", capability_kind::expire},
      {"LOGIN-DELAY", capability_kind::login_delay}, {"UIDL", capability_kind::uidl},
      {"IMPLEMENTATION", capability_kind::implementation}, {"STLS", capability_kind::stls},
      {"UTF8", capability_kind::utf8}, {"LANG", capability_kind::lang}};
  // capa-tag *(SP param), param = 1*cchar: one SP between parameters, none at the end.
  if (sp != std::string_view::npos) {
    const std::string_view ps = c.params;
    if (ps.empty() || ps.front() == ' ' || ps.back() == ' ') return fail(sp + 1);
    if (const std::size_t dbl = ps.find("  "); dbl != std::string_view::npos) return fail(sp + 1 + dbl);
  }
  for (const auto& nk : names)
    if (ascii::iequals(c.tag, nk.n)) c.k = nk.k;
  const std::size_t pa = c.tag.size() + 1;
  const std::string_view p = c.params;
  switch (c.k) {
    case capability_kind::expire:
    case capability_kind::login_delay: {
      std::string_view num = p.substr(0, p.find(' '));
      std::string_view rest = num.size() < p.size() ? p.substr(num.size() + 1) : std::string_view();
      if (c.k == capability_kind::expire && ascii::iequals(num, "NEVER")) {
        c.never = true;
      } else {
        std::uint32_t v = 0;
        if (detail::parse_number(num, 0xFFFFFFFFu, v) != errc::ok) return fail(pa);
        c.value = v;
      }
      if (!rest.empty()) {
        if (!ascii::iequals(rest, "USER") || c.never) return fail(pa + num.size() + 1);
        c.per_user = true;
      }
      break;
    }
    case capability_kind::sasl: {
      if (p.empty()) return fail(line.size());
      std::size_t i = 0;
      while (i <= p.size()) {
        std::size_t j = p.find(' ', i);
        if (j == std::string_view::npos) j = p.size();
        if (!detail::is_mechanism(p.substr(i, j - i))) return fail(pa + i);
        i = j + 1;
      }
      break;
    }
    case capability_kind::utf8:
      if (!p.empty()) {
        if (!ascii::iequals(p, "USER")) return fail(pa);
        c.per_user = true;
      }
      break;
    case capability_kind::top:
    case capability_kind::user:
    case capability_kind::resp_codes:
    case capability_kind::auth_resp_code:
    case capability_kind::pipelining:
    case capability_kind::uidl:
    case capability_kind::stls:
    case capability_kind::lang:
      if (sp != std::string_view::npos) return fail(sp);
      break;
    case capability_kind::implementation:
    case capability_kind::other: break;
  }
  r.st = status::event;
  return r;
}

/// Appends the CAPA line of `c` (no CRLF): the tag as written, then SP and params when present.
/// Re-parses it and refuses (nothing appended) a value that would not read back equal.
[[nodiscard]] inline errc serialize(const capability& c, std::string& out) {
  const std::size_t start = out.size();
  out.append(c.tag);
  if (!c.params.empty()) out.append(" ").append(c.params);
  const auto back = parse_capability(std::string_view(out).substr(start));
  if (!back.ok() || !(back.value == c)) {
    out.resize(start);
    return back.ok() ? errc::local_invalid_value : back.error;
  }
  return errc::ok;
}

/// Splits the next CRLF-ended line off a decoded multi-line body: `line` without CRLF.
/// False when `body` holds no complete line.
[[nodiscard]] inline bool next_line(std::string_view& body, std::string_view& line) noexcept {
  const std::size_t lf = body.find("\r\n");
  if (lf == std::string_view::npos) return false;
  line = body.substr(0, lf);
  body.remove_prefix(lf + 2);
  return true;
}

// ---- multi-line framing (RFC 1939 section 3) -------------------------------------------------

/// Client side of a multi-line response body (after its "+OK" line): removes the "." doubled at
/// the start of a line, writes the lines with their CRLF, and ends (status::event, nothing more
/// consumed) at CRLF "." CRLF, where the start of the body counts as a line start (so "." CRLF at
/// once is an empty body). Only CRLF ends a line: a bare CR or LF is content and never starts a
/// line at which a "." is removed or the body ends. `final` with no terminator is
/// errc::unexpected_end. Clean lines are scanned 32 octets at a time (core/detail/dot_scan.hpp);
/// no copy is held but a pending CR or ".". Octets of `out` after the `produced` ones may be
/// overwritten (scratch of the one-pass copy).
class multiline_decoder {
 public:
  multiline_decoder() noexcept = default;

  [[nodiscard]] codec_result<errc> decode(std::string_view in, std::span<char> out, bool final) noexcept {
    codec_result<errc> r;
    if (err_ != errc::ok) return error_result(r);
    if (state_ == st::done) {
      r.st = status::event;
      return r;
    }
    std::size_t i = 0, o = 0;
    const std::size_t n = in.size(), cap = out.size();
    const char* const src = in.data();
    char* const dst = out.data();
    while (i < n || state_ == st::lf) {
      switch (state_) {
        case st::mid: {
          // Copy up to the next CR (memchr), bounded by the room in `out`.
          const std::size_t room = cap - o;
          if (room == 0) goto full;
          const std::size_t lim = n - i < room ? n - i : room;
          // Clean lines 32 octets at a time, copied while scanned (core's kernel, as SMTP DATA).
          if (lim >= 32) {
            std::size_t col = 1;
            const std::size_t e = mailwire::detail::clean_line_run(src, i, i + lim, n, col, SIZE_MAX, dst + o);
            if (e > i) {
              o += e - i;
              i = e;
              if (col == 0) state_ = st::line_start;
              break;
            }
          }
          // Else a bare CR or LF is ahead in this line (or little input is left): whole lines at
          // once up to a CR, as a CRLF followed by an octet other than "." changes nothing.
          std::size_t run = 0;
          const void* crp = nullptr;
          for (;;) {
            const std::size_t k = run + detail::find_line_end(src + i + run, lim - run, false);
            if (k == lim) {
              run = lim;
              crp = nullptr;
              break;
            }
            crp = src + i + k;
            if (k + 2 < lim && src[i + k + 1] == '\n' && src[i + k + 2] != '.' && src[i + k + 2] != '\r') {
              run = k + 2;
              continue;
            }
            run = k;
            break;
          }
          if (run) std::memcpy(dst + o, src + i, run);
          o += run;
          i += run;
          if (crp) {
            ++i;
            state_ = st::cr;
          }
          break;
        }
        case st::cr:
          // A CR was read (not yet written). LF: the line ends; else the CR was content.
          if (cap == o) goto full;
          dst[o++] = '\r';
          if (src[i] == '\n') {
            ++i;
            state_ = st::lf;
          } else {
            state_ = st::mid;
          }
          break;
        case st::lf:
          if (cap == o) goto full;
          dst[o++] = '\n';
          state_ = st::line_start;
          break;
        case st::line_start:
          if (src[i] == '.') {
            ++i;
            state_ = st::dot;
          } else {
            state_ = st::mid;
          }
          break;
        case st::dot:
          // "." at a line start: CR may end the body; another octet is the un-stuffed content.
          if (src[i] == '\r') {
            ++i;
            state_ = st::dot_cr;
          } else {
            state_ = st::mid;  // the dot is dropped (RFC 1939 section 3: byte-stuffing)
          }
          break;
        case st::dot_cr:
          if (src[i] == '\n') {
            ++i;
            state_ = st::done;
            offset_ += i;
            r.consumed = i;
            r.produced = o;
            r.st = status::event;
            return r;
          }
          // "." CR x: un-stuffed "" then CR x (the CR is content or starts CRLF).
          state_ = st::cr;
          break;
        case st::done: break;
      }
    }
    offset_ += i;
    r.consumed = i;
    r.produced = o;
    if (final) {
      err_ = errc::unexpected_end;
      err_off_ = offset_;
      r.st = status::error;
      r.error = err_;
      r.error_offset = err_off_;
      return r;
    }
    r.st = status::need_more;
    return r;
  full:
    offset_ += i;
    r.consumed = i;
    r.produced = o;
    r.st = status::paused;
    return r;
  }

  /// True after CRLF "." CRLF.
  [[nodiscard]] bool done() const noexcept { return state_ == st::done; }
  /// Forgets everything; ready for the next body.
  void reset() noexcept { *this = multiline_decoder(); }

 private:
  codec_result<errc> error_result(codec_result<errc>& r) const noexcept {
    r.st = status::error;
    r.error = err_;
    r.error_offset = err_off_;
    return r;
  }
  enum class st : std::uint8_t { line_start, mid, cr, lf, dot, dot_cr, done };
  st state_ = st::line_start;
  errc err_ = errc::ok;
  std::uint64_t offset_ = 0;
  std::uint64_t err_off_ = 0;
};

/// Server side of a multi-line response body (RETR, TOP, LIST, UIDL, CAPA): doubles a "." at
/// the start of each line, writes every line end (CRLF, bare LF, bare CR) as CRLF, and at
/// `final` appends "." CRLF (first a CRLF if the content does not end with one) (RFC 1939
/// section 3). The message is streamed: feed it in chunks of any size. Octets of `out` after
/// the `produced` ones may be overwritten (scratch of the one-pass copy).
class multiline_encoder {
 public:
  multiline_encoder() noexcept = default;

  [[nodiscard]] codec_result<errc> encode(std::string_view in, std::span<char> out, bool final) noexcept {
    return stuffer_.encode(in, out, final, errc::local_input_after_final);
  }

  /// Forgets everything; ready for the next body.
  void reset() noexcept { *this = multiline_encoder(); }

 private:
  mailwire::detail::dot_stuffer stuffer_;  // core/detail/dot_scan.hpp, shared with SMTP DATA
};

}  // namespace mailwire::pop3
