// AArch64 Advanced SIMD (NEON) base64 kernels, chosen at run time by base64.hpp (DESIGN.md
// section 10) and held to the same contracts as decode_bulk_scalar / encode_run_scalar: whole
// quanta only, byte-identical output, and a stop wherever the portable code must take over.
//
// Both alphabets of RFC 4648 (section 4 standard, section 5 URL and filename safe) go through
// the same code: only the 64-byte tables differ.
// Encoding: vld3q_u8 splits 48 input bytes into the first, second and third byte of 16 groups
// (RFC 4648 section 4: three octets are four 6-bit groups); shifts form the four sextets and one
// vqtbl4q_u8 per sextet maps them to characters, which vst4q_u8 interleaves into 64.
// Decoding: vld4q_u8 splits 64 characters into the four positions of 16 quanta; vqtbl4q_u8 +
// vqtbx4q_u8 map each through the 128-entry table lut128 (0x80 = not alphabet; bytes >= 0x80
// are caught by their own top bit), shifts merge the sextets and vst3q_u8 writes 48 bytes.
// A line break at a quantum boundary is stepped over (RFC 2045 section 6.8 wraps lines of 76
// characters), and lines like the first one are then decoded at positions known in advance,
// as in the AVX2 and AVX-512 kernels of base64_simd.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mailwire/codec/detail/base64_scalar.hpp"
#include "mailwire/codec/detail/base64_simd.hpp"  // lut128, eol_at (it includes this file last)
#include "mailwire/codec/detail/base64_tables.hpp"
#include "mailwire/core/cpu.hpp"

#if MAILWIRE_NEON
#include <arm_neon.h>

namespace mailwire::base64::detail {

/// Loads a 64-byte table for vqtbl4q_u8 / vqtbx4q_u8.
inline uint8x16x4_t neon_load_table64(const void* p) noexcept {
  const auto* b = static_cast<const std::uint8_t*>(p);
  uint8x16x4_t t;
  t.val[0] = vld1q_u8(b);
  t.val[1] = vld1q_u8(b + 16);
  t.val[2] = vld1q_u8(b + 32);
  t.val[3] = vld1q_u8(b + 48);
  return t;
}

/// One bit per lane (4 bits per lane, in lane order) of a vector of 0x00 / 0xFF lanes.
inline std::uint64_t neon_lane_bits(uint8x16_t m) noexcept {
  return vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(m), 4)), 0);
}

/// Decodes whole quanta of RFC 4648 alphabet characters, 64 at a time; with `skip_eol`, also
/// steps over CRLF or LF at a quantum boundary. Stops before anything else (the portable code
/// goes on from there); may write garbage after the bytes it reports, but never beyond cap.
inline bulk_result decode_bulk_neon(const char* in, std::size_t n, char* out, std::size_t cap,
                                    int alpha, bool skip_eol) noexcept {
  const uint8x16x4_t lut_lo = neon_load_table64(lut128[alpha].data());
  const uint8x16x4_t lut_hi = neon_load_table64(lut128[alpha].data() + 64);
  const uint8x16_t v64 = vdupq_n_u8(64);
  // Sextet of each character; the top bit of (sextet | character) marks one outside the
  // alphabet. Indices >= 64 give 0 from vqtbl4q_u8 and leave the lane alone in vqtbx4q_u8.
  auto sextets = [&](uint8x16_t c) __attribute__((always_inline)) {
    return vqtbx4q_u8(vqtbl4q_u8(lut_lo, c), lut_hi, vsubq_u8(c, v64));
  };
  // Decodes the 16 quanta at p into 48 bytes at q. Returns per quantum 0xFF if it holds a
  // character outside the alphabet (its bytes are garbage), and in `first` the same for the
  // quantum's first character alone.
  auto decode64 = [&](const char* p, char* q, uint8x16_t& first) __attribute__((always_inline)) {
    const uint8x16x4_t v = vld4q_u8(reinterpret_cast<const std::uint8_t*>(p));
    const uint8x16_t a = sextets(v.val[0]), b = sextets(v.val[1]);
    const uint8x16_t c = sextets(v.val[2]), d = sextets(v.val[3]);
    uint8x16x3_t bytes;
    bytes.val[0] = vorrq_u8(vshlq_n_u8(a, 2), vshrq_n_u8(b, 4));
    bytes.val[1] = vorrq_u8(vshlq_n_u8(b, 4), vshrq_n_u8(c, 2));
    bytes.val[2] = vorrq_u8(vshlq_n_u8(c, 6), d);
    vst3q_u8(reinterpret_cast<std::uint8_t*>(q), bytes);
    const uint8x16_t fa = vorrq_u8(a, v.val[0]);
    const uint8x16_t any = vorrq_u8(vorrq_u8(fa, vorrq_u8(b, v.val[1])),
                                    vorrq_u8(vorrq_u8(c, v.val[2]), vorrq_u8(d, v.val[3])));
    first = vreinterpretq_u8_s8(vshrq_n_s8(vreinterpretq_s8_u8(fa), 7));
    return vreinterpretq_u8_s8(vshrq_n_s8(vreinterpretq_s8_u8(any), 7));
  };
  static constexpr std::uint8_t lane_index[16] = {0, 1, 2,  3,  4,  5,  6,  7,
                                                  8, 9, 10, 11, 12, 13, 14, 15};
  const uint8x16_t lanes = vld1q_u8(lane_index);
  uint8x16_t first;
  std::size_t i = 0, o = 0, line_start = 0;
  while (n - i >= 64 && cap - o >= 48) {
    const std::uint64_t bad = neon_lane_bits(decode64(in + i, out + o, first));
    if (bad == 0) {
      i += 64;
      o += 48;
      continue;
    }
    const auto j = static_cast<unsigned>(__builtin_ctzll(bad)) / 4;  // first bad quantum
    i += 4 * std::size_t{j};
    o += 3 * std::size_t{j};
    // Stop inside a quantum (the portable code keeps partial quanta) or before anything that
    // is not a line break.
    if (!skip_eol || ((neon_lane_bits(first) >> (4 * j)) & 1u) == 0) break;
    const std::size_t e = eol_at(in, i, n);
    if (e == 0) break;
    const std::size_t L = i - line_start;
    i += e;
    // Line mode: after a line of L characters (a multiple of 4), expect more lines just like it
    // and decode each with a fixed set of blocks, checking it once.
    if (L != 0 && L % 4 == 0) {
      const std::size_t ob = L / 4 * 3;
      const std::size_t need = L + e > 64 ? L + e : 64;
      const std::size_t room = ob > 48 ? ob : 48;
      const std::size_t quanta = L / 4 < 16 ? L / 4 : 16;
      const uint8x16_t in_line = vcltq_u8(lanes, vdupq_n_u8(static_cast<std::uint8_t>(quanta)));
      while (n - i >= need && cap - o >= room) {
        uint8x16_t b;
        if (L >= 64) {
          b = vdupq_n_u8(0);
          std::size_t c = 0;
          for (; c + 64 <= L; c += 64)
            b = vorrq_u8(b, decode64(in + i + c, out + o + c / 4 * 3, first));
          if (c < L) b = vorrq_u8(b, decode64(in + i + L - 64, out + o + (L - 64) / 4 * 3, first));
        } else {
          b = vandq_u8(decode64(in + i, out + o, first), in_line);
        }
        const bool eol_ok =
            e == 2 ? (in[i + L] == '\r' && in[i + L + 1] == '\n') : in[i + L] == '\n';
        if (vmaxvq_u8(b) != 0 || !eol_ok) break;
        i += L + e;
        o += ob;
      }
    }
    line_start = i;
  }
  return {i, o};
}

/// Encodes the 48 bytes at p into 64 characters at o (RFC 4648 section 4).
inline void encode_block_neon(const char* p, char* o, const uint8x16x4_t& abc) noexcept {
  const uint8x16x3_t v = vld3q_u8(reinterpret_cast<const std::uint8_t*>(p));
  const uint8x16_t m63 = vdupq_n_u8(63);
  uint8x16x4_t s;
  s.val[0] = vshrq_n_u8(v.val[0], 2);
  s.val[1] = vandq_u8(vorrq_u8(vshlq_n_u8(v.val[0], 4), vshrq_n_u8(v.val[1], 4)), m63);
  s.val[2] = vandq_u8(vorrq_u8(vshlq_n_u8(v.val[1], 2), vshrq_n_u8(v.val[2], 6)), m63);
  s.val[3] = vandq_u8(v.val[2], m63);
  for (auto& x : s.val) x = vqtbl4q_u8(abc, x);
  vst4q_u8(reinterpret_cast<std::uint8_t*>(o), s);
}

/// Encodes n input bytes (a multiple of 3) into 4n/3 characters.
inline void encode_run_neon(const char* in, std::size_t n, char* out, int alpha) noexcept {
  if (n < 48) {
    encode_run_scalar(in, n, out, alpha ? encode_table_url : encode_table_std);
    return;
  }
  const uint8x16x4_t abc = neon_load_table64(alphabet_chars[alpha]);
  std::size_t i = 0;
  for (; n - i >= 48; i += 48) encode_block_neon(in + i, out + i / 3 * 4, abc);
  // The rest: one more block that overlaps the last one (n - 48 is a multiple of 3).
  if (i < n) encode_block_neon(in + (n - 48), out + (n - 48) / 3 * 4, abc);
}

/// Encodes `lines` lines of `lb` input bytes each (a multiple of 3), each followed by `eol`.
inline void encode_lines_neon(const char* in, std::size_t lines, std::size_t lb, char* out,
                              const char* eol, std::size_t eol_len, int alpha) noexcept {
  const std::size_t ob = lb / 3 * 4;
  for (std::size_t l = 0; l < lines; ++l) {
    encode_run_neon(in, lb, out, alpha);
    put_eol(out + ob, eol, eol_len);
    in += lb;
    out += ob + eol_len;
  }
}

}  // namespace mailwire::base64::detail

#endif  // MAILWIRE_NEON
