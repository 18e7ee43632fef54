// mailwire/rfc5322/detail/utf8.hpp — UTF-8 sanitizing for the structured-field parsers (RFC 6532:
// raw 8-bit header bytes are UTF-8; each ill-formed sequence becomes U+FFFD).
// A small local copy until every caller uses charset::append_utf8_sanitized (codec/charset.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mailwire::rfc5322::detail {

/// Length of the well-formed UTF-8 sequence at s[i] (Unicode 15 table 3-7), or the negated length
/// of its maximal subpart (at least 1 byte) when it is ill-formed.
inline long utf8_sequence(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return -1;
  }
  for (std::size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) return -static_cast<long>(k);
    const unsigned char t = b(i + k);
    if (t < (k == 1 ? lo : 0x80) || t > (k == 1 ? hi : 0xBF)) return -static_cast<long>(k);
  }
  return static_cast<long>(len);
}

/// Appends `s` to `out` with each ill-formed UTF-8 subpart replaced by U+FFFD; returns how many
/// were replaced. Throws only std::bad_alloc.
inline std::size_t append_utf8_sanitized(std::string& out, std::string_view s) {
  std::size_t bad = 0, i = 0, run = 0;
  const std::size_t n = s.size();
  while (i < n) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const long k = utf8_sequence(s, i);
    if (k > 0) {
      i += static_cast<std::size_t>(k);
      continue;
    }
    out.append(s.data() + run, i - run);
    out.append("\xEF\xBF\xBD");
    ++bad;
    i += static_cast<std::size_t>(-k);
    run = i;
  }
  out.append(s.data() + run, n - run);
  return bad;
}

/// True when `s` is well-formed UTF-8.
inline bool is_valid_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    const long k = utf8_sequence(s, i);
    if (k < 0) return false;
    i += static_cast<std::size_t>(k);
  }
  return true;
}

}  // namespace mailwire::rfc5322::detail
