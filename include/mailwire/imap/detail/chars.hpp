// mailwire/imap/detail/chars.hpp — the character classes of RFC 9051 section 9 (RFC 3501
// section 9): ATOM-CHAR, ASTRING-CHAR, tag characters, list-char.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace mailwire::imap::detail {

enum : std::uint8_t {
  c_atom = 1,     ///< ATOM-CHAR: any CHAR except atom-specials
  c_astring = 2,  ///< ASTRING-CHAR: ATOM-CHAR / resp-specials ("]")
  c_tag = 4,      ///< ASTRING-CHAR except "+"
  c_list = 8,     ///< list-char: ATOM-CHAR / list-wildcards / resp-specials
  c_quoted = 16,  ///< QUOTED-CHAR without escape: TEXT-CHAR except quoted-specials (7-bit)
};

constexpr std::array<std::uint8_t, 256> make_char_table() noexcept {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0x01; c <= 0x7F; ++c) {
    const bool ctl = c < 0x20 || c == 0x7F;
    const bool atom_special = c == '(' || c == ')' || c == '{' || c == ' ' || ctl || c == '%' ||
                              c == '*' || c == '"' || c == '\\' || c == ']';
    std::uint8_t v = 0;
    if (!atom_special) v |= c_atom | c_astring | c_tag | c_list;
    if (c == ']') v |= c_astring | c_tag | c_list;
    if (c == '+') v &= static_cast<std::uint8_t>(~c_tag);
    if (c == '%' || c == '*') v |= c_list;
    if (c != '\r' && c != '\n' && c != '"' && c != '\\') v |= c_quoted;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}
inline constexpr std::array<std::uint8_t, 256> char_table = make_char_table();

[[nodiscard]] constexpr bool is(char c, std::uint8_t cls) noexcept {
  return (char_table[static_cast<unsigned char>(c)] & cls) != 0;
}

/// Length of the run of class `cls` at the start of s.
[[nodiscard]] constexpr std::size_t span_of(std::string_view s, std::uint8_t cls) noexcept {
  std::size_t i = 0;
  while (i < s.size() && is(s[i], cls)) ++i;
  return i;
}

/// True if s equals `upper` (a keyword in upper case: letters, digits, punctuation) in any
/// letter case: ASCII case-insensitive (RFC 9051 section 9: keywords are case-insensitive),
/// inline for the hot keyword compares of the response parser (FETCH, item names, TEXT...).
[[gnu::always_inline]] constexpr bool iequals_upper(std::string_view s, std::string_view upper) noexcept {
  if (s.size() != upper.size()) return false;
  if (s == upper) return true;  // as canonical (the usual case): one memcmp of a known size
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - ('a' - 'A'));
    if (c != upper[i]) return false;
  }
  return true;
}

/// True if s is 1*<class cls>.
[[nodiscard]] constexpr bool all_of(std::string_view s, std::uint8_t cls) noexcept {
  return !s.empty() && span_of(s, cls) == s.size();
}

}  // namespace mailwire::imap::detail
