// Constant tables of the base64 codec, generated at compile time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace mailwire::base64::detail {

inline constexpr const char* alphabet_chars[2] = {
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
};

/// Values of decode_table entries that are not sextets.
inline constexpr std::uint8_t pad_value = 0x40;    // '='
inline constexpr std::uint8_t eol_value = 0x41;    // CR, LF
inline constexpr std::uint8_t space_value = 0x42;  // SP, HTAB, VT, FF
inline constexpr std::uint8_t bad_value = 0x80;    // anything else

struct decode_tables {
  std::array<std::uint8_t, 256> value{};  // sextet 0-63, or one of the values above
  // Pre-shifted sextets for the scalar fast path: d[k][c] = sextet << (18 - 6k); 1 << 24 if
  // c is not in the alphabet.
  std::array<std::array<std::uint32_t, 256>, 4> d{};
  // The same for little-endian stores: OR-ing le[k][c_k] for k = 0..3 gives the 3 decoded bytes
  // in memory order in the low 24 bits; characters outside the alphabet set bits 24-31.
  std::array<std::array<std::uint32_t, 256>, 4> le{};
};

constexpr decode_tables make_decode_tables(int alpha) noexcept {
  decode_tables t{};
  for (auto& v : t.value) v = bad_value;
  t.value['='] = pad_value;
  t.value['\r'] = eol_value;
  t.value['\n'] = eol_value;
  t.value[' '] = space_value;
  t.value['\t'] = space_value;
  t.value['\v'] = space_value;
  t.value['\f'] = space_value;
  for (std::uint8_t i = 0; i < 64; ++i)
    t.value[static_cast<unsigned char>(alphabet_chars[alpha][i])] = i;
  for (int k = 0; k < 4; ++k)
    for (int c = 0; c < 256; ++c) {
      const std::uint8_t v = t.value[static_cast<std::size_t>(c)];
      t.d[static_cast<std::size_t>(k)][static_cast<std::size_t>(c)] =
          v < 64 ? static_cast<std::uint32_t>(v) << (18 - 6 * k) : (1u << 24);
    }
  for (int c = 0; c < 256; ++c) {
    const std::uint32_t v = t.value[static_cast<std::size_t>(c)];
    const bool ok = v < 64;
    const auto u = static_cast<std::size_t>(c);
    // Bytes: b0 = v0 << 2 | v1 >> 4; b1 = (v1 & 15) << 4 | v2 >> 2; b2 = (v2 & 3) << 6 | v3.
    t.le[0][u] = ok ? v << 2 : 0xFF000000u;
    t.le[1][u] = ok ? (v >> 4) | ((v & 15u) << 12) : 0xFF000000u;
    t.le[2][u] = ok ? ((v >> 2) << 8) | ((v & 3u) << 22) : 0xFF000000u;
    t.le[3][u] = ok ? v << 16 : 0xFF000000u;
  }
  return t;
}

inline constexpr decode_tables decode_table_std = make_decode_tables(0);
inline constexpr decode_tables decode_table_url = make_decode_tables(1);

/// Two output characters per 12 input bits, for the scalar encoder.
struct encode_tables {
  std::array<std::array<char, 2>, 4096> pair{};
};

constexpr encode_tables make_encode_tables(int alpha) noexcept {
  encode_tables t{};
  for (std::size_t i = 0; i < 4096; ++i) {
    t.pair[i][0] = alphabet_chars[alpha][i >> 6];
    t.pair[i][1] = alphabet_chars[alpha][i & 63];
  }
  return t;
}

inline constexpr encode_tables encode_table_std = make_encode_tables(0);
inline constexpr encode_tables encode_table_url = make_encode_tables(1);

}  // namespace mailwire::base64::detail
