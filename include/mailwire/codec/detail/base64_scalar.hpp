// Portable base64 kernels: whole quanta only, no state. The stream classes in base64.hpp handle
// padding, errors and anything the kernels stop at.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "mailwire/codec/detail/base64_tables.hpp"

namespace mailwire::base64::detail {

struct bulk_result {
  std::size_t in = 0;   // input bytes taken
  std::size_t out = 0;  // output bytes written
};

inline std::uint32_t quad(const decode_tables& t, const unsigned char* p) noexcept {
  return t.d[0][p[0]] | t.d[1][p[1]] | t.d[2][p[2]] | t.d[3][p[3]];
}

inline void put3(char* o, std::uint32_t x) noexcept {
  o[0] = static_cast<char>(x >> 16);
  o[1] = static_cast<char>(x >> 8);
  o[2] = static_cast<char>(x);
}

inline std::uint32_t quad_le(const decode_tables& t, const unsigned char* p) noexcept {
  return t.le[0][p[0]] | t.le[1][p[1]] | t.le[2][p[2]] | t.le[3][p[3]];
}

/// Decodes whole quanta of alphabet characters; with `skip_eol`, also skips CRLF or LF found at
/// a quantum boundary. Stops before anything else (padding, other characters, a partial quantum
/// at the end) and when fewer than 3 output bytes are left.
inline bulk_result decode_bulk_scalar(const char* in, std::size_t n, char* out, std::size_t cap,
                                      const decode_tables& t, bool skip_eol) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(in);
  std::size_t i = 0, o = 0, line_start = 0;
  for (;;) {
    if constexpr (std::endian::native == std::endian::little) {
      // 16 characters per step; the 12 bytes are written with two 8-byte stores whose last two
      // bytes are overwritten later or lie in the spare room the loop condition demands.
      while (n - i >= 16 && cap - o >= 14) {
        const std::uint64_t a = quad_le(t, p + i), b = quad_le(t, p + i + 4);
        const std::uint64_t c = quad_le(t, p + i + 8), d = quad_le(t, p + i + 12);
        if (((a | b | c | d) >> 24) != 0) break;
        const std::uint64_t w0 = a | (b << 24), w1 = c | (d << 24);
        std::memcpy(out + o, &w0, 8);
        std::memcpy(out + o + 6, &w1, 8);
        i += 16;
        o += 12;
      }
    }
    while (n - i >= 8 && cap - o >= 6) {
      const std::uint32_t x = quad(t, p + i), y = quad(t, p + i + 4);
      if ((x | y) >> 24) break;
      put3(out + o, x);
      put3(out + o + 3, y);
      i += 8;
      o += 6;
    }
    if (n - i >= 4 && cap - o >= 3) {
      const std::uint32_t x = quad(t, p + i);
      if ((x >> 24) == 0) {
        put3(out + o, x);
        i += 4;
        o += 3;
        continue;
      }
    }
    if (!skip_eol || i >= n || cap - o < 3) return {i, o};
    const std::size_t e = p[i] == '\n' ? 1 : (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') ? 2 : 0;
    if (e == 0) return {i, o};
    const std::size_t L = i - line_start;
    i += e;
    if constexpr (std::endian::native == std::endian::little) {
      // Line mode: after a line of L characters (a multiple of 4), decode lines just like it
      // with the same loop counts every time, checking validity once per line.
      if (L != 0 && L % 4 == 0) {
        const std::size_t ob = L / 4 * 3;
        while (n - i >= L + e && cap - o >= ob + 2) {
          std::uint32_t err = 0;
          std::size_t j = 0, q = o;
          for (; j + 16 <= L; j += 16, q += 12) {
            const std::uint64_t a = quad_le(t, p + i + j), b = quad_le(t, p + i + j + 4);
            const std::uint64_t c = quad_le(t, p + i + j + 8), d = quad_le(t, p + i + j + 12);
            err |= static_cast<std::uint32_t>((a | b | c | d) >> 24);
            const std::uint64_t w0 = a | (b << 24), w1 = c | (d << 24);
            std::memcpy(out + q, &w0, 8);
            std::memcpy(out + q + 6, &w1, 8);
          }
          for (; j < L; j += 4, q += 3) {
            const std::uint32_t a = quad_le(t, p + i + j);
            err |= a >> 24;
            std::memcpy(out + q, &a, 3);
          }
          const std::size_t end = i + L;
          const bool eol_ok = e == 2 ? (p[end] == '\r' && p[end + 1] == '\n') : p[end] == '\n';
          if (err != 0 || !eol_ok) break;
          i = end + e;
          o += ob;
        }
      }
    }
    line_start = i;
  }
}

/// Encodes n input bytes (a multiple of 3) into 4n/3 characters.
inline void encode_run_scalar(const char* in, std::size_t n, char* out,
                              const encode_tables& t) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(in);
  for (std::size_t i = 0; i < n; i += 3) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
    std::memcpy(out, t.pair[v >> 12].data(), 2);
    std::memcpy(out + 2, t.pair[v & 0xFFF].data(), 2);
    out += 4;
  }
}

/// Writes a line ending of 1 or 2 bytes (a libc memcpy call per line would cost more).
inline void put_eol(char* out, const char* eol, std::size_t eol_len) noexcept {
  out[0] = eol[0];
  if (eol_len == 2) out[1] = eol[1];
}

/// Encodes `lines` lines of `lb` input bytes each (a multiple of 3), each followed by `eol`.
inline void encode_lines_scalar(const char* in, std::size_t lines, std::size_t lb, char* out,
                                const char* eol, std::size_t eol_len,
                                const encode_tables& t) noexcept {
  const std::size_t ob = lb / 3 * 4;
  for (std::size_t l = 0; l < lines; ++l) {
    encode_run_scalar(in, lb, out, t);
    put_eol(out + ob, eol, eol_len);
    in += lb;
    out += ob + eol_len;
  }
}

}  // namespace mailwire::base64::detail
