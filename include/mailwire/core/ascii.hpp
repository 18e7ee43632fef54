// mailwire/core/ascii.hpp — ASCII character classes of the mail RFCs, locale-free and constexpr.
//
//   using namespace mailwire::ascii;
//   is_atext('!');          // true  (RFC 5322 section 3.2.3)
//   hex_value('b');         // 11    (case-insensitive HEXDIG)
//   iequals("Subject", "SUBJECT");  // true
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailwire::ascii {

/// Bit flags of one octet's classes.
enum class_bits : std::uint16_t {
  alpha = 1u << 0,      ///< ALPHA (RFC 5234 B.1)
  digit = 1u << 1,      ///< DIGIT
  hexdig = 1u << 2,     ///< HEXDIG, either case
  wsp = 1u << 3,        ///< WSP: SP / HTAB
  ctl = 1u << 4,        ///< CTL: %x00-1F / %x7F
  vchar = 1u << 5,      ///< VCHAR: %x21-7E
  atext = 1u << 6,      ///< RFC 5322 section 3.2.3 atext
  specials = 1u << 7,   ///< RFC 5322 section 3.2.3 specials
  tspecials = 1u << 8,  ///< RFC 2045 section 5.1 tspecials
  base64 = 1u << 9,     ///< RFC 4648 section 4 alphabet (without '=')
  base64url = 1u << 10, ///< RFC 4648 section 5 alphabet (without '=')
};

namespace detail {
constexpr std::array<std::uint16_t, 256> make_class_table() noexcept {
  std::array<std::uint16_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint16_t b = 0;
    const bool up = c >= 'A' && c <= 'Z', lo = c >= 'a' && c <= 'z', dg = c >= '0' && c <= '9';
    if (up || lo) b |= alpha;
    if (dg) b |= digit;
    if (dg || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f')) b |= hexdig;
    if (c == ' ' || c == '\t') b |= wsp;
    if (c < 0x20 || c == 0x7f) b |= ctl;
    if (c >= 0x21 && c <= 0x7e) b |= vchar;
    if (up || lo || dg || std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) != std::string_view::npos)
      if (c != 0) b |= atext;
    if (c != 0 && std::string_view("()<>[]:;@\\,.\"").find(static_cast<char>(c)) != std::string_view::npos)
      b |= specials;
    if (c != 0 && std::string_view("()<>@,;:\\\"/[]?=").find(static_cast<char>(c)) != std::string_view::npos)
      b |= tspecials;
    if (up || lo || dg) b |= base64 | base64url;
    if (c == '+' || c == '/') b |= base64;
    if (c == '-' || c == '_') b |= base64url;
    t[static_cast<std::size_t>(c)] = b;
  }
  return t;
}
inline constexpr std::array<std::uint16_t, 256> class_table = make_class_table();
}  // namespace detail

/// True when octet `c` has every class in `bits`.
[[nodiscard]] constexpr bool has(char c, std::uint16_t bits) noexcept {
  return (detail::class_table[static_cast<unsigned char>(c)] & bits) == bits;
}
[[nodiscard]] constexpr bool is_alpha(char c) noexcept { return has(c, alpha); }
[[nodiscard]] constexpr bool is_digit(char c) noexcept { return has(c, digit); }
[[nodiscard]] constexpr bool is_hexdig(char c) noexcept { return has(c, hexdig); }
[[nodiscard]] constexpr bool is_wsp(char c) noexcept { return has(c, wsp); }
[[nodiscard]] constexpr bool is_ctl(char c) noexcept { return has(c, ctl); }
[[nodiscard]] constexpr bool is_vchar(char c) noexcept { return has(c, vchar); }
[[nodiscard]] constexpr bool is_atext(char c) noexcept { return has(c, atext); }
[[nodiscard]] constexpr bool is_special(char c) noexcept { return has(c, specials); }
[[nodiscard]] constexpr bool is_tspecial(char c) noexcept { return has(c, tspecials); }
/// RFC 2045 section 5.1 token character: any CHAR except SPACE, CTLs and tspecials.
[[nodiscard]] constexpr bool is_mime_token(char c) noexcept {
  return has(c, vchar) && !has(c, tspecials);
}
/// True for octets 0x80-0xFF (raw 8-bit, e.g. UTF-8 under RFC 6532).
[[nodiscard]] constexpr bool is_8bit(char c) noexcept { return static_cast<unsigned char>(c) >= 0x80; }

/// Value of a hex digit in either case, or -1.
[[nodiscard]] constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
/// Upper-case hex digit of a nibble 0-15 (RFC 2045 section 6.7 requires upper case).
[[nodiscard]] constexpr char hex_digit_upper(unsigned nibble) noexcept {
  return "0123456789ABCDEF"[nibble & 0xFu];
}

[[nodiscard]] constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}
[[nodiscard]] constexpr char to_upper(char c) noexcept {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - ('a' - 'A')) : c;
}
/// ASCII case-insensitive equality (protocol keywords, header names).
[[nodiscard]] constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}
/// ASCII case-insensitive prefix test.
[[nodiscard]] constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

/// Length of the well-formed UTF-8 sequence that starts at p (RFC 3629 section 4: no overlong
/// forms, no surrogates, at most U+10FFFF, all of it before `end`), or 0.
[[nodiscard]] constexpr std::size_t utf8_sequence_length(const char* p, const char* end) noexcept {
  const auto b0 = static_cast<unsigned char>(*p);
  std::size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) n = 2;
  else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (end - p < static_cast<std::ptrdiff_t>(n)) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(p[i]);
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
  }
  return n;
}

/// Appends the decimal digits of `v` (no sign, no leading zeros; "0" for 0).
inline void append_decimal(std::string& out, std::uint64_t v) {
  char buf[20];
  std::size_t n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out.push_back(buf[--n]);
}

}  // namespace mailwire::ascii
