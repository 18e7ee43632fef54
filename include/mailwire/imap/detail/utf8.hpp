// mailwire/imap/detail/utf8.hpp — UTF-8 (RFC 3629) decoding and encoding of one code point, for
// modified UTF-7 and for quoted strings under UTF8=ACCEPT.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailwire::imap::detail {

/// One decoded code point and its length in octets; length 0 for an ill-formed sequence.
struct utf8_char {
  char32_t cp = 0;
  std::size_t length = 0;
};

/// Decodes the well-formed UTF-8 sequence at s[i] (RFC 3629 section 4: no overlongs, no
/// surrogates, nothing above U+10FFFF).
[[nodiscard]] constexpr utf8_char decode_utf8(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return {c, 1};
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  char32_t cp;
  if (c < 0xC2) return {};
  if (c < 0xE0) {
    n = 2;
    cp = c & 0x1F;
  } else if (c < 0xF0) {
    n = 3;
    cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c < 0xF5) {
    n = 4;
    cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return {};
  }
  if (s.size() - i < n) return {};
  if (b(1) < lo || b(1) > hi) return {};
  cp = (cp << 6) | (b(1) & 0x3F);
  for (std::size_t k = 2; k < n; ++k) {
    if (b(k) < 0x80 || b(k) > 0xBF) return {};
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  return {cp, n};
}

/// Offset of the first octet of `s` that does not start a well-formed UTF-8 sequence, or s.size().
[[nodiscard]] constexpr std::size_t utf8_valid_prefix(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const utf8_char u = decode_utf8(s, i);
    if (u.length == 0) return i;
    i += u.length;
  }
  return i;
}

/// Appends the UTF-8 form of cp (a Unicode scalar value).
inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace mailwire::imap::detail
