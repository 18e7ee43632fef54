// mailwire/imap/detail/reader.hpp — a cursor over one complete IMAP response (RFC 9051 section
// 7, section 9 formal syntax) for imap/codes.hpp, imap/body.hpp and imap/response.hpp: the
// first failure sticks (need_more when the input ends, else the error and its offset), the
// value parsers of imap/values.hpp are applied at the cursor, and parentheses count toward
// limits::nesting().
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/imap/values.hpp"

namespace mailwire::imap::detail {

/// Octets of a 64-bit word in reverse order (big-endian hosts: lane 0 becomes the low octet).
[[nodiscard]] constexpr std::uint64_t byte_swap64(std::uint64_t v) noexcept {
  std::uint64_t r = 0;
  for (int k = 0; k < 8; ++k) r = (r << 8) | ((v >> (8 * k)) & 0xFF);
  return r;
}

/// Length of the run at s[i..] of octets a quoted string carries without escapes (QUOTED-CHAR
/// minus quoted-specials, 7-bit: not NUL, CR, LF, DQUOTE, "\\" or 8-bit): 16 octets at a time
/// with SSE2 (x86-64 baseline), else 8 at a time in a 64-bit word; the first octet outside the
/// class is located exactly in the block (lowest flagged lane), so short strings cost one block.
[[nodiscard]] [[gnu::always_inline]] inline std::size_t plain_quoted_run(std::string_view s, std::size_t i) noexcept {
  const std::size_t start = i;
  const char* p = s.data();
#if defined(__SSE2__)
  {
    const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), cr = _mm_set1_epi8('\r'),
                  lf = _mm_set1_epi8('\n'), nul = _mm_setzero_si128();
    while (s.size() - i >= 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      const __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, dq), _mm_cmpeq_epi8(x, bs)),
                                     _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, lf)),
                                                  _mm_cmpeq_epi8(x, nul)));
      // movemask of x itself flags the 8-bit octets.
      const unsigned bits = static_cast<unsigned>(_mm_movemask_epi8(m) | _mm_movemask_epi8(x));
      if (bits != 0) return i + static_cast<std::size_t>(std::countr_zero(bits)) - start;
      i += 16;
    }
  }
#endif
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  // High bit of each zero octet; bits above the lowest true zero may be spurious (borrows), so
  // the lowest set bit of an OR of such masks is always a real hit.
  const auto zero = [](std::uint64_t v) { return (v - ones) & ~v & high; };
  while (s.size() - i >= 8) {
    std::uint64_t x;
    std::memcpy(&x, p + i, 8);
    if constexpr (std::endian::native == std::endian::big) x = detail::byte_swap64(x);
    const std::uint64_t hit = (x & high) | zero(x) | zero(x ^ (ones * '"')) | zero(x ^ (ones * '\\')) |
                              zero(x ^ (ones * '\r')) | zero(x ^ (ones * '\n'));
    if (hit != 0) return i + static_cast<std::size_t>(std::countr_zero(hit) / 8) - start;
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
  [[gnu::always_inline]] bool ch(char c, errc e = errc::unexpected_character) noexcept {
    if (eof()) return more();
    if (in[pos] != c) return bad(e);
    ++pos;
    return true;
  }
  [[gnu::always_inline]] bool sp() noexcept { return ch(' ', errc::expected_space); }
  bool crlf() noexcept {
    if (eof()) return more();
    if (in[pos] != '\r') return bad(errc::expected_crlf);
    if (++pos == in.size()) return more();
    if (in[pos] != '\n') return bad(errc::expected_crlf);
    ++pos;
    return true;
  }
  /// "(" counted against limits::nesting().
  [[gnu::always_inline]] bool open() noexcept {
    if (!ch('(')) return false;
    if (++depth > lim.nesting()) return fail(errc::nesting_too_deep, pos - 1);
    return true;
  }
  [[gnu::always_inline]] bool close() noexcept {
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
  [[gnu::always_inline]] bool fast_quoted(string_value& v) noexcept {
    if (pos >= in.size() || in[pos] != '"') return false;
    const std::size_t n = plain_quoted_run(in, pos + 1);
    const std::size_t q = pos + 1 + n;
    if (q >= in.size() || in[q] != '"') return false;
    v.set(std::string_view(in.data() + pos + 1, n), string_form::quoted, true);
    pos = q + 1;
    return true;
  }
  /// "NIL" in any case (as parse_nstring: no follower check) when all three octets are there.
  [[gnu::always_inline]] bool fast_nil(string_value& v) noexcept {
    if (in.size() - pos < 3 || (in[pos] & ~0x20) != 'N' || (in[pos + 1] & ~0x20) != 'I' ||
        (in[pos + 2] & ~0x20) != 'L')
      return false;
    v.set({}, string_form::nil, false);
    pos += 3;
    return true;
  }
  bool nstring(string_value& v) {
    if (pos < in.size() && (in[pos] == '"' ? fast_quoted(v) : fast_nil(v))) return true;
    return take(parse_nstring(rest(), lim, opt), v);
  }
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

/// Asks for the cache lines of [p, p + bytes) ahead of use (a writer walking values that are no
/// longer in cache: the loads then overlap instead of stalling one after the other).
inline void prefetch_range(const void* p, std::size_t bytes) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  const char* c = static_cast<const char*>(p);
  for (std::size_t k = 0; k < bytes; k += 64) __builtin_prefetch(c + k);
#else
  (void)p;
  (void)bytes;
#endif
}

/// Appends `lead` (if not 0), DQUOTE, text, DQUOTE with one growth of `out` (text needs no
/// escapes).
inline void append_quoted(std::string& out, std::string_view text, char lead = 0) {
  const std::size_t at = out.size() + (lead != 0 ? 1 : 0);
  out.append(text.size() + 2 + (lead != 0 ? 1 : 0), '"');
  if (lead != 0) out[at - 1] = lead;
  if (!text.empty()) std::memcpy(out.data() + at + 1, text.data(), text.size());
}

/// write_nstring / write_string with fast paths for NIL and for quoted values that need no
/// escapes; `lead` (if not 0) is appended first (the SP between fields).
[[nodiscard]] inline errc write_nstr(std::string& out, const string_value& v, const options& o, bool nil_ok = true,
                                     char lead = 0) {
  if (v.plain() ||
      (v.form() == string_form::quoted && v.contiguous() && plain_quoted_run(v.raw(), 0) == v.raw().size())) {
    append_quoted(out, v.raw(), lead);
    return errc::ok;
  }
  if (v.is_nil() && nil_ok) {
    out.append(lead != 0 ? " NIL" : "NIL", lead != 0 ? 4 : 3);
    if (lead != 0) out[out.size() - 4] = lead;
    return errc::ok;
  }
  if (lead != 0) out.push_back(lead);
  return nil_ok ? write_nstring(out, v, o) : write_string(out, v, o);
}

/// Appends s in upper case (canonical keywords).
inline void append_upper(std::string& out, std::string_view s) {
  for (char c : s) out.push_back(ascii::to_upper(c));
}

}  // namespace mailwire::imap::detail
