// Lookup tables of the quoted-printable codec (RFC 2045 section 6.7) and of the RFC 2047 "Q"
// encoding, all constexpr.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace mailwire::qp::detail {

/// Longest run of SP/HTAB the decoder holds back while it waits to see whether a hard line
/// break follows (RFC 2045 section 6.7 rule 3). A longer run is data, in every chunking.
inline constexpr std::size_t wsp_cap = 1024;

inline constexpr char hex_upper[] = "0123456789ABCDEF";

// --- decoding ---------------------------------------------------------------------------------

/// Hex digit values: 0-15 for 0-9 A-F; 0x20 | value for a-f; 0x80 for anything else.
inline constexpr std::uint8_t hex_lower_flag = 0x20;
inline constexpr std::uint8_t hex_invalid = 0x80;

constexpr std::array<std::uint8_t, 256> make_hex_values() noexcept {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = hex_invalid;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'A'; c <= 'F'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'A' + 10);
  for (int c = 'a'; c <= 'f'; ++c)
    t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(hex_lower_flag | (c - 'a' + 10));
  return t;
}
inline constexpr std::array<std::uint8_t, 256> hex_values = make_hex_values();

/// 1 for the bytes the decoder must look at ('=', CR, LF), 0 for bytes copied as they are.
constexpr std::array<std::uint8_t, 256> make_decode_specials() noexcept {
  std::array<std::uint8_t, 256> t{};
  t['='] = t['\r'] = t['\n'] = 1;
  return t;
}
inline constexpr std::array<std::uint8_t, 256> decode_specials = make_decode_specials();

[[nodiscard]] constexpr bool is_wsp(unsigned char c) noexcept { return c == ' ' || c == '\t'; }

// --- encoding ---------------------------------------------------------------------------------

/// Byte classes of the encoder.
enum : std::uint8_t {
  cls_literal = 0,  ///< written as itself (RFC 2045 section 6.7 rule 2)
  cls_escape = 1,   ///< written as =XY (rule 1)
  cls_wsp = 2,      ///< SP or HTAB: literal unless a line break or the end follows (rule 3)
  cls_break = 3,    ///< CR or LF in text mode: part of a hard line break, or a bare CR (=0D)
};

/// The characters whose quoting RFC 2045 section 6.7 (NOTE after rule 5) suggests for EBCDIC
/// gateways.
inline constexpr char ebcdic_unsafe[] = "!\"#$@[\\]^`{|}~";

constexpr std::array<std::uint8_t, 256> make_encode_classes(bool binary, bool ebcdic) noexcept {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t k = (c >= 33 && c <= 126 && c != '=') ? cls_literal : cls_escape;
    if (c == ' ' || c == '\t') k = cls_wsp;
    if (!binary && (c == '\r' || c == '\n')) k = cls_break;
    t[static_cast<std::size_t>(c)] = k;
  }
  if (ebcdic)
    for (const char* p = ebcdic_unsafe; *p != '\0'; ++p)
      t[static_cast<unsigned char>(*p)] = cls_escape;
  return t;
}
/// Indexed by binary * 2 + ebcdic_safe.
inline constexpr std::array<std::uint8_t, 256> encode_classes[4] = {
    make_encode_classes(false, false), make_encode_classes(false, true),
    make_encode_classes(true, false), make_encode_classes(true, true)};

/// "=XY" and one spare byte for every octet, so that an escape is one 4-byte store.
constexpr std::array<std::array<char, 4>, 256> make_escapes() noexcept {
  std::array<std::array<char, 4>, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) t[c] = {'=', hex_upper[c >> 4], hex_upper[c & 15], '\0'};
  return t;
}
inline constexpr std::array<std::array<char, 4>, 256> escapes = make_escapes();

// --- RFC 2047 "Q" -----------------------------------------------------------------------------

/// 1 for the octets an encoded-word may carry as themselves in context 0 (text, RFC 2047
/// section 5 (1)), 1 (comment, 5 (2)) or 2 (phrase, 5 (3)). SP is written as '_' separately.
constexpr std::array<std::uint8_t, 256> make_q_literals(int context) noexcept {
  std::array<std::uint8_t, 256> t{};
  for (int c = 33; c <= 126; ++c) {
    bool lit = c != '=' && c != '?' && c != '_';
    if (context == 1 && (c == '(' || c == ')' || c == '"')) lit = false;
    if (context == 2) {
      lit = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
    }
    t[static_cast<std::size_t>(c)] = lit ? 1 : 0;
  }
  return t;
}
inline constexpr std::array<std::uint8_t, 256> q_literals[3] = {
    make_q_literals(0), make_q_literals(1), make_q_literals(2)};

}  // namespace mailwire::qp::detail
