// mailwire/imap/detail/reader.hpp — a cursor over one complete IMAP response (RFC 9051 section
// 7, section 9 formal syntax) for imap/codes.hpp, imap/body.hpp and imap/response.hpp: the
// first failure sticks (need_more when the input ends, else the error and its offset), the
// value parsers of imap/values.hpp are applied at the cursor, and parentheses count toward
// limits::nesting().
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/imap/values.hpp"

namespace mailwire::imap::detail {

/// Length of the run at s[i..] of octets a quoted string carries without escapes (QUOTED-CHAR
/// minus quoted-specials, 7-bit: not NUL, CR, LF, DQUOTE, "\\" or 8-bit), 8 octets at a time.
[[nodiscard]] inline std::size_t plain_quoted_run(std::string_view s, std::size_t i) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  const auto zero = [](std::uint64_t v) { return (v - ones) & ~v & high; };
  const std::size_t start = i;
  while (s.size() - i >= 8) {
    std::uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    if ((x & high) | zero(x) | zero(x ^ (ones * '"')) | zero(x ^ (ones * '\\')) | zero(x ^ (ones * '\r')) |
        zero(x ^ (ones * '\n')))
      break;
    i += 8;
  }
  while (i < s.size() && is(s[i], c_quoted)) ++i;
  return i - start;
}

/// Sticky-failure cursor over `in` (views stay in `in`).
struct reader {
  std::string_view in;
  const limits& lim;
  const options& opt;
  std::size_t pos = 0;
  status st = status::event;
  errc err = errc::ok;
  std::size_t err_at = 0;
  std::size_t depth = 0;

  reader(std::string_view s, const limits& l, const options& o) noexcept : in(s), lim(l), opt(o) {}

  [[nodiscard]] bool good() const noexcept { return st == status::event; }
  bool fail(errc e, std::size_t at) noexcept {
    if (st == status::event) {
      st = status::error;
      err = e;
      err_at = at;
    }
    return false;
  }
  bool more() noexcept {
    if (st == status::event) st = status::need_more;
    return false;
  }
  [[nodiscard]] bool eof() const noexcept { return pos >= in.size(); }
  [[nodiscard]] std::string_view rest() const noexcept { return in.substr(pos); }
  /// True if the next octet is c (false at the end).
  [[nodiscard]] bool is(char c) const noexcept { return pos < in.size() && in[pos] == c; }
  /// Fails with the right error for the octet at pos: NUL / 8-bit, else e.
  bool bad(errc e) noexcept {
    if (eof()) return more();
    const errc f = bad_follower(in[pos]);
    return fail(f != errc::ok ? f : e, pos);
  }
  bool ch(char c, errc e = errc::unexpected_character) noexcept {
    if (eof()) return more();
    if (in[pos] != c) return bad(e);
    ++pos;
    return true;
  }
  bool sp() noexcept { return ch(' ', errc::expected_space); }
  bool crlf() noexcept {
    if (eof()) return more();
    if (in[pos] != '\r') return bad(errc::expected_crlf);
    if (++pos == in.size()) return more();
    if (in[pos] != '\n') return bad(errc::expected_crlf);
    ++pos;
    return true;
  }
  /// "(" counted against limits::nesting().
  bool open() noexcept {
    if (!ch('(')) return false;
    if (++depth > lim.nesting()) return fail(errc::nesting_too_deep, pos - 1);
    return true;
  }
  bool close() noexcept {
    if (!ch(')')) return false;
    --depth;
    return true;
  }
  /// 1*<class cls> delimited by its follower (which must be there: need_more at the end).
  bool token(std::uint8_t cls, std::string_view& out, errc e) noexcept {
    const auto r = detail::token(rest(), cls, e);
    return take(r, out);
  }
  /// A run of letters, digits, "." and "-" (response and attribute names), maybe empty.
  bool name(std::string_view& out) noexcept {
    std::size_t i = pos;
    while (i < in.size() && (ascii::is_alpha(in[i]) || ascii::is_digit(in[i]) || in[i] == '.' || in[i] == '-' ||
                             in[i] == '_' || in[i] == '='))
      ++i;
    if (i == in.size()) return more();
    out = in.substr(pos, i - pos);
    pos = i;
    return true;
  }
  template <class T>
  bool take(const parse_result<T>& r, T& out) {
    if (r.st == status::event) {
      out = r.value;
      pos += r.consumed;
      return true;
    }
    if (r.st == status::need_more) return more();
    return fail(r.error, pos + r.error_offset);
  }
  bool number(std::uint32_t& v) { return take(parse_number(rest()), v); }
  bool nz_number(std::uint32_t& v) { return take(parse_nz_number(rest()), v); }
  bool number64(std::uint64_t& v) { return take(parse_number64(rest()), v); }
  /// A quoted string without escapes or 8-bit, read 8 octets at a time (false: not one).
  bool fast_quoted(string_value& v) noexcept {
    if (pos >= in.size() || in[pos] != '"') return false;
    const std::size_t n = plain_quoted_run(in, pos + 1);
    const std::size_t q = pos + 1 + n;
    if (q >= in.size() || in[q] != '"') return false;
    v = string_value::unvalidated(in.substr(pos + 1, n), string_form::quoted, n, false, false, false);
    pos = q + 1;
    return true;
  }
  bool nstring(string_value& v) { return fast_quoted(v) || take(parse_nstring(rest(), lim, opt), v); }
  bool string(string_value& v) { return fast_quoted(v) || take(parse_string(rest(), lim, opt), v); }
  bool astring(string_value& v) { return take(parse_astring(rest(), lim, opt), v); }
  /// Case-insensitive "NIL" followed by a non-atom octet (need_more at the end).
  [[nodiscard]] bool at_nil() const noexcept {
    return in.size() - pos >= 3 && ascii::iequals(in.substr(pos, 3), "NIL");
  }
  /// Consumes "NIL" if it is next (prefixes of NIL at the end: need_more, returns false).
  bool nil() noexcept {
    constexpr std::string_view n = "NIL";
    std::size_t k = 0;
    while (k < 3 && pos + k < in.size() && ascii::to_upper(in[pos + k]) == n[k]) ++k;
    if (k == 3) {
      pos += 3;
      return true;
    }
    if (pos + k == in.size()) more();
    return false;
  }
  /// text up to CRLF (not consumed): TEXT-CHAR, or UTF-8 under options::utf8 / eight_bit.
  bool text(std::string_view& out, bool eight_bit, std::size_t min = 0) noexcept {
    std::size_t i = pos;
    while (i < in.size() && in[i] != '\r' && in[i] != '\n') {
      const unsigned char c = static_cast<unsigned char>(in[i]);
      if (c == 0) return fail(errc::nul_outside_literal8, i);
      if (c >= 0x80 && !eight_bit) {
        if (!opt.utf8) return fail(errc::eight_bit_not_allowed, i);
        const utf8_char u = decode_utf8(in, i);
        if (u.length == 0) {
          if (in.size() - i < 4) {  // maybe cut by the end
            bool cont = true;
            for (std::size_t k = i + 1; k < in.size(); ++k) cont = cont && (in[k] & 0xC0) == 0x80;
            if (cont) return more();
          }
          return fail(errc::bad_utf8, i);
        }
        i += u.length;
        continue;
      }
      ++i;
    }
    if (i == in.size()) return more();
    if (in[i] == '\n') return fail(errc::bare_lf, i);
    if (i - pos < min) return fail(errc::unexpected_character, i);
    out = in.substr(pos, i - pos);
    pos = i;
    return true;
  }
};

/// write_nstring / write_string with a fast path for quoted values that need no escapes.
[[nodiscard]] inline errc write_nstr(std::string& out, const string_value& v, const options& o, bool nil_ok = true) {
  if (v.form() == string_form::quoted && v.contiguous() && plain_quoted_run(v.raw(), 0) == v.raw().size()) {
    out.push_back('"');
    out.append(v.raw());
    out.push_back('"');
    return errc::ok;
  }
  return nil_ok ? write_nstring(out, v, o) : write_string(out, v, o);
}

/// Appends s in upper case (canonical keywords).
inline void append_upper(std::string& out, std::string_view s) {
  for (char c : s) out.push_back(ascii::to_upper(c));
}

}  // namespace mailwire::imap::detail
