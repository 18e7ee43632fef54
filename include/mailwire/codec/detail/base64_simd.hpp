// SIMD base64 kernels, compiled with __attribute__((target)) and chosen at run time by
// base64.hpp (DESIGN.md section 10). Each kernel handles whole quanta only and stops where the
// portable code must take over, exactly like decode_bulk_scalar / encode_run_scalar.
//
// Decoding (AVX-512 VBMI): one vpermi2b maps 64 characters to sextets (0x80 = not alphabet),
// vpmaddubsw + vpmaddwd merge them into 24-bit groups and vpermb packs 48 bytes. A line break
// found at a quantum boundary is stepped over, so MIME-wrapped input stays on the fast path.
// Encoding (AVX-512 VBMI): vpermb + vpmultishiftqb + vpermb (Muła and Lemire, "Base64 encoding
// and decoding at almost the speed of a memory copy", 2019). The AVX2 kernels use the nibble
// lookup scheme of Muła's AVX2 codec with tables generated for either alphabet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "mailwire/codec/detail/base64_scalar.hpp"
#include "mailwire/codec/detail/base64_tables.hpp"
#include "mailwire/core/cpu.hpp"

#if MAILWIRE_X86_SIMD
#include <immintrin.h>
#endif

namespace mailwire::base64::detail {

// --- tables shared by the kernels -----------------------------------------------------------

/// 128 entries: sextet value, or 0x80 for anything outside the alphabet.
constexpr std::array<std::uint8_t, 128> make_lut128(int alpha) noexcept {
  std::array<std::uint8_t, 128> t{};
  for (auto& v : t) v = 0x80;
  for (std::uint8_t i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet_chars[alpha][i])] = i;
  return t;
}
inline constexpr std::array<std::uint8_t, 128> lut128[2] = {make_lut128(0), make_lut128(1)};

/// Nibble tables for 16-lane byte shuffles: a character c is in the alphabet iff
/// (lo[c & 15] & hi[c >> 4]) == 0, and its sextet is c + roll[(c >> 4) ^ (c == special ? 15 : 0)].
struct nibble_luts {
  std::array<std::uint8_t, 16> lo{}, hi{};
  std::array<std::int8_t, 16> roll{};
  char special = 0;
  bool consistent = true;
};

constexpr nibble_luts make_nibble_luts(int alpha) noexcept {
  nibble_luts r{};
  std::uint16_t sets[16] = {};
  for (int i = 0; i < 64; ++i) {
    const auto c = static_cast<unsigned char>(alphabet_chars[alpha][i]);
    sets[c >> 4] = static_cast<std::uint16_t>(sets[c >> 4] | (1u << (c & 15)));
  }
  std::uint16_t distinct[8] = {};
  int nd = 0;
  for (int h = 0; h < 16; ++h) {
    int d = 0;
    while (d < nd && distinct[d] != sets[h]) ++d;
    if (d == nd) {
      if (nd == 8) {
        r.consistent = false;
        return r;
      }
      distinct[nd++] = sets[h];
    }
    r.hi[static_cast<std::size_t>(h)] = static_cast<std::uint8_t>(1u << d);
  }
  for (int l = 0; l < 16; ++l) {
    std::uint8_t m = 0;
    for (int d = 0; d < nd; ++d)
      if (!((distinct[d] >> l) & 1u)) m = static_cast<std::uint8_t>(m | (1u << d));
    r.lo[static_cast<std::size_t>(l)] = m;
  }
  r.special = alphabet_chars[alpha][63];
  bool seen[16] = {};
  for (int v = 0; v < 64; ++v) {
    const auto c = static_cast<unsigned char>(alphabet_chars[alpha][v]);
    const int idx = (c >> 4) ^ (static_cast<char>(c) == r.special ? 15 : 0);
    const auto roll = static_cast<std::int8_t>(v - c);
    if (seen[idx] && r.roll[static_cast<std::size_t>(idx)] != roll) r.consistent = false;
    seen[idx] = true;
    r.roll[static_cast<std::size_t>(idx)] = roll;
  }
  for (int h = 0; h < 16; ++h) {  // the special index must not be an ordinary hi nibble in use
    const int sh = (static_cast<unsigned char>(r.special) >> 4) ^ 15;
    if (h == sh && sets[h] != 0) r.consistent = false;
  }
  return r;
}
inline constexpr nibble_luts nibbles[2] = {make_nibble_luts(0), make_nibble_luts(1)};
static_assert(nibbles[0].consistent && nibbles[1].consistent);

/// Byte order of the 48 decoded bytes inside 16 little-endian 24-bit groups.
constexpr std::array<std::uint8_t, 64> make_pack48() noexcept {
  std::array<std::uint8_t, 64> t{};
  for (std::size_t j = 0; j < 48; ++j) t[j] = static_cast<std::uint8_t>(j / 3 * 4 + 2 - j % 3);
  return t;
}
inline constexpr std::array<std::uint8_t, 64> pack48 = make_pack48();

/// For each 4-character group g: input bytes [3g+1, 3g, 3g+2, 3g+1].
constexpr std::array<std::uint8_t, 64> make_spread48() noexcept {
  std::array<std::uint8_t, 64> t{};
  for (std::size_t g = 0; g < 16; ++g) {
    t[4 * g + 0] = static_cast<std::uint8_t>(3 * g + 1);
    t[4 * g + 1] = static_cast<std::uint8_t>(3 * g + 0);
    t[4 * g + 2] = static_cast<std::uint8_t>(3 * g + 2);
    t[4 * g + 3] = static_cast<std::uint8_t>(3 * g + 1);
  }
  return t;
}
inline constexpr std::array<std::uint8_t, 64> spread48 = make_spread48();

/// Steps over a line break at in[i] (MIME decoding only). Returns its size, or 0.
inline std::size_t eol_at(const char* in, std::size_t i, std::size_t n) noexcept {
  if (in[i] == '\n') return 1;
  if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n') return 2;
  return 0;
}

#if MAILWIRE_X86_SIMD
#define MAILWIRE_TARGET_AVX2 __attribute__((target("avx2,bmi,bmi2,popcnt")))
#define MAILWIRE_TARGET_AVX512 \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi,bmi2,popcnt")))

// --- AVX-512 VBMI ---------------------------------------------------------------------------

MAILWIRE_TARGET_AVX512 inline bulk_result decode_bulk_avx512(const char* in, std::size_t n,
                                                             char* out, std::size_t cap,
                                                             int alpha, bool skip_eol) noexcept {
  const __m512i lut_lo = _mm512_loadu_si512(lut128[alpha].data());
  const __m512i lut_hi = _mm512_loadu_si512(lut128[alpha].data() + 64);
  const __m512i merge1 = _mm512_set1_epi32(0x01400140);
  const __m512i merge2 = _mm512_set1_epi32(0x00011000);
  const __m512i pack = _mm512_loadu_si512(pack48.data());
  // Decodes the 64 characters at p, stores the bytes selected by `store` at q, and returns the
  // mask of characters outside the alphabet (what was stored for them is garbage).
  auto decode64 = [&](const char* p, char* q, std::uint64_t store) __attribute__((always_inline))
                      MAILWIRE_TARGET_AVX512 -> std::uint64_t {
    const __m512i v = _mm512_loadu_si512(p);
    const __m512i t = _mm512_permutex2var_epi8(lut_lo, v, lut_hi);
    const __m512i bytes = _mm512_maskz_permutexvar_epi8(
        ~0ull, pack, _mm512_madd_epi16(_mm512_maddubs_epi16(t, merge1), merge2));
    _mm512_mask_storeu_epi8(q, store, bytes);
    return _mm512_movepi8_mask(_mm512_or_si512(t, v));
  };
  std::size_t i = 0, o = 0, line_start = 0;
  while (n - i >= 64 && cap - o >= 48) {
    const std::uint64_t bad = decode64(in + i, out + o, 0xFFFFFFFFFFFFull);
    if (bad == 0) {
      i += 64;
      o += 48;
      continue;
    }
    const auto k = static_cast<std::size_t>(_tzcnt_u64(bad));
    const std::size_t q = k & ~std::size_t{3};
    i += q;
    o += q / 4 * 3;
    if (q != k || !skip_eol) break;
    const std::size_t e = eol_at(in, i, n);
    if (e == 0) break;
    const std::size_t L = i - line_start;
    i += e;
    // Line mode: after a line of L characters (a multiple of 4), expect more lines just like
    // it. Their positions are known in advance, so no iteration waits for the previous one.
    if (L != 0 && L % 4 == 0) {
      const std::size_t ob = L / 4 * 3;
      const std::size_t need = L + e > 64 ? L + e : 64;
      while (n - i >= need && cap - o >= ob) {
        std::uint64_t b = 0;
        if (L >= 64) {
          std::size_t c = 0;
          for (; c + 64 <= L; c += 64) b |= decode64(in + i + c, out + o + c / 4 * 3, 0xFFFFFFFFFFFFull);
          if (c < L) b |= decode64(in + i + L - 64, out + o + (L - 64) / 4 * 3, 0xFFFFFFFFFFFFull);
        } else {
          b = decode64(in + i, out + o, (1ull << ob) - 1) & ((1ull << L) - 1);
        }
        const bool eol_ok = e == 2 ? (in[i + L] == '\r' && in[i + L + 1] == '\n') : in[i + L] == '\n';
        if (b != 0 || !eol_ok) break;
        i += L + e;
        o += ob;
      }
    }
    line_start = i;
  }
  return {i, o};
}

/// Encodes `lines` lines of `lb` input bytes each (a multiple of 3), each followed by `eol`.
MAILWIRE_TARGET_AVX512 inline void encode_lines_avx512(const char* in, std::size_t lines,
                                                       std::size_t lb, char* out,
                                                       const char* eol, std::size_t eol_len,
                                                       int alpha) noexcept {
  const __m512i spread = _mm512_loadu_si512(spread48.data());
  const __m512i shifts = _mm512_set1_epi64(0x3036242a1016040aLL);
  const __m512i abc = _mm512_loadu_si512(alphabet_chars[alpha]);
  auto block = [&](const char* p, char* o, __mmask64 load, __mmask64 store) __attribute__((always_inline))
                   MAILWIRE_TARGET_AVX512 {
    const __m512i v = _mm512_maskz_loadu_epi8(load, p);
    const __m512i idx = _mm512_maskz_multishift_epi64_epi8(
        ~0ull, shifts, _mm512_maskz_permutexvar_epi8(~0ull, spread, v));
    _mm512_mask_storeu_epi8(o, store, _mm512_maskz_permutexvar_epi8(~0ull, idx, abc));
  };
  const std::size_t ob = lb / 3 * 4;
  if (ob > 64) {
    // The characters of all the lines form one stream, encoded 64 at a time from contiguous
    // input; a block that reaches the end of a line is stored in two parts around the break.
    const std::size_t total = lines * ob;
    std::size_t col = 0, c = 0;
    for (; c + 64 <= total; c += 64) {
      const std::size_t k = ob - col;  // characters left on the current line
      if (k > 64) {
        block(in, out, 0xFFFFFFFFFFFFull, ~0ull);
        out += 64;
        col += 64;
      } else if (k == 64) {
        block(in, out, 0xFFFFFFFFFFFFull, ~0ull);
        put_eol(out + 64, eol, eol_len);
        out += 64 + eol_len;
        col = 0;
      } else {
        const __m512i v = _mm512_maskz_loadu_epi8(0xFFFFFFFFFFFFull, in);
        const __m512i idx = _mm512_maskz_multishift_epi64_epi8(
            ~0ull, shifts, _mm512_maskz_permutexvar_epi8(~0ull, spread, v));
        const __m512i chars = _mm512_maskz_permutexvar_epi8(~0ull, idx, abc);
        const std::uint64_t head = (1ull << k) - 1;
        _mm512_mask_storeu_epi8(out, head, chars);
        put_eol(out + k, eol, eol_len);
        _mm512_mask_storeu_epi8(out + eol_len, ~head, chars);
        out += 64 + eol_len;
        col = 64 - k;
      }
      in += 48;
    }
    if (c < total) {  // the rest of the last line: fewer than 64 characters
      const std::size_t r = total - c;
      block(in, out, (1ull << (r / 4 * 3)) - 1, (1ull << r) - 1);
      put_eol(out + r, eol, eol_len);
    }
    return;
  }
  for (std::size_t l = 0; l < lines; ++l) {
    if (lb >= 48) {
      std::size_t c = 0;
      for (; c + 48 <= lb; c += 48) block(in + c, out + c / 3 * 4, 0xFFFFFFFFFFFFull, ~0ull);
      if (c < lb) block(in + lb - 48, out + (lb - 48) / 3 * 4, 0xFFFFFFFFFFFFull, ~0ull);
    } else {
      block(in, out, (1ull << lb) - 1, (1ull << ob) - 1);
    }
    put_eol(out + ob, eol, eol_len);
    in += lb;
    out += ob + eol_len;
  }
}

MAILWIRE_TARGET_AVX512 inline void encode_run_avx512(const char* in, std::size_t n, char* out,
                                                     int alpha) noexcept {
  const __m512i spread = _mm512_loadu_si512(spread48.data());
  const __m512i shifts = _mm512_set1_epi64(0x3036242a1016040aLL);
  const __m512i abc = _mm512_loadu_si512(alphabet_chars[alpha]);
  auto block = [&](const char* p, char* o, __mmask64 load, __mmask64 store) __attribute__((always_inline))
                   MAILWIRE_TARGET_AVX512 {
    const __m512i v = _mm512_maskz_loadu_epi8(load, p);
    const __m512i idx = _mm512_maskz_multishift_epi64_epi8(
        ~0ull, shifts, _mm512_maskz_permutexvar_epi8(~0ull, spread, v));
    _mm512_mask_storeu_epi8(o, store, _mm512_maskz_permutexvar_epi8(~0ull, idx, abc));
  };
  if (n < 48) {
    if (n != 0) block(in, out, (1ull << n) - 1, (1ull << (n / 3 * 4)) - 1);
    return;
  }
  std::size_t i = 0;
  for (; n - i >= 48; i += 48) block(in + i, out + i / 3 * 4, 0xFFFFFFFFFFFFull, ~0ull);
  if (i < n) block(in + (n - 48), out + (n - 48) / 3 * 4, 0xFFFFFFFFFFFFull, ~0ull);
}

// --- AVX2 -----------------------------------------------------------------------------------

MAILWIRE_TARGET_AVX2 inline __m256i broadcast16(const void* p) noexcept {
  return _mm256_broadcastsi128_si256(_mm_loadu_si128(static_cast<const __m128i*>(p)));
}

MAILWIRE_TARGET_AVX2 inline bulk_result decode_bulk_avx2(const char* in, std::size_t n,
                                                         char* out, std::size_t cap, int alpha,
                                                         bool skip_eol) noexcept {
  const nibble_luts& L4 = nibbles[alpha];
  const __m256i lut_lo = broadcast16(L4.lo.data());
  const __m256i lut_hi = broadcast16(L4.hi.data());
  const __m256i lut_roll = broadcast16(L4.roll.data());
  const __m256i special = _mm256_set1_epi8(L4.special);
  const __m256i nib = _mm256_set1_epi8(0x0f);
  const __m256i merge1 = _mm256_set1_epi32(0x01400140);
  const __m256i merge2 = _mm256_set1_epi32(0x00011000);
  const __m256i pack = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
                                        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
  // Decodes the 32 characters at p, stores `nbytes` (<= 24) bytes at q, and returns the mask of
  // characters outside the alphabet (what was stored for them is garbage).
  auto decode32 = [&](const char* p, char* q, std::size_t nbytes) __attribute__((always_inline))
                      MAILWIRE_TARGET_AVX2 -> std::uint32_t {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi32(v, 4), nib);
    const __m256i lo = _mm256_and_si256(v, nib);
    const __m256i cls = _mm256_and_si256(_mm256_shuffle_epi8(lut_lo, lo),
                                         _mm256_shuffle_epi8(lut_hi, hi));
    const __m256i eq = _mm256_and_si256(_mm256_cmpeq_epi8(v, special), nib);
    const __m256i t = _mm256_add_epi8(v, _mm256_shuffle_epi8(lut_roll, _mm256_xor_si256(hi, eq)));
    const __m256i merged = _mm256_madd_epi16(_mm256_maddubs_epi16(t, merge1), merge2);
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(merged, pack), lanes);
    if (nbytes == 24) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm256_castsi256_si128(bytes));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(q + 16), _mm256_extracti128_si256(bytes, 1));
    } else if (nbytes != 0) {
      alignas(32) char tmp[32];
      _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), bytes);
      std::memcpy(q, tmp, nbytes);
    }
    return ~static_cast<std::uint32_t>(
        _mm256_movemask_epi8(_mm256_cmpeq_epi8(cls, _mm256_setzero_si256())));
  };
  std::size_t i = 0, o = 0, line_start = 0;
  while (n - i >= 32 && cap - o >= 24) {
    const std::uint32_t bad = decode32(in + i, out + o, 24);
    if (bad == 0) {
      i += 32;
      o += 24;
      continue;
    }
    const auto k = static_cast<std::size_t>(_tzcnt_u32(bad));
    const std::size_t q = k & ~std::size_t{3};
    i += q;
    o += q / 4 * 3;
    if (q != k || !skip_eol) break;
    const std::size_t e = eol_at(in, i, n);
    if (e == 0) break;
    const std::size_t L = i - line_start;
    i += e;
    if (L != 0 && L % 4 == 0) {  // line mode, as in decode_bulk_avx512
      const std::size_t ob = L / 4 * 3;
      const std::size_t need = L + e > 32 ? L + e : 32;
      while (n - i >= need && cap - o >= ob) {
        std::uint32_t b = 0;
        if (L >= 32) {
          std::size_t c = 0;
          for (; c + 32 <= L; c += 32) b |= decode32(in + i + c, out + o + c / 4 * 3, 24);
          if (c < L) b |= decode32(in + i + L - 32, out + o + (L - 32) / 4 * 3, 24);
        } else {
          b = decode32(in + i, out + o, ob) & ((1u << L) - 1);
        }
        const bool eol_ok = e == 2 ? (in[i + L] == '\r' && in[i + L + 1] == '\n') : in[i + L] == '\n';
        if (b != 0 || !eol_ok) break;
        i += L + e;
        o += ob;
      }
    }
    line_start = i;
  }
  return {i, o};
}

MAILWIRE_TARGET_AVX2 inline void encode_block_avx2(const char* p, char* o, int alpha) noexcept {
  const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 8));
  __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
  v = _mm256_shuffle_epi8(v, _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,
                                              5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12, 11, 14, 13, 15,
                                              14));
  const __m256i t0 = _mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00));
  const __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
  const __m256i t2 = _mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0));
  const __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
  const __m256i idx = _mm256_or_si256(t1, t3);
  // Sextet -> ASCII: an offset chosen by range (0-25, 26-51, 52-61, 62, 63).
  __m256i r = _mm256_subs_epu8(idx, _mm256_set1_epi8(51));
  r = _mm256_or_si256(r, _mm256_and_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8(26), idx),
                                          _mm256_set1_epi8(13)));
  const char c62 = alphabet_chars[alpha][62], c63 = alphabet_chars[alpha][63];
  const __m256i offsets = _mm256_setr_epi8(
      'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
      '0' - 52, '0' - 52, static_cast<char>(c62 - 62), static_cast<char>(c63 - 63), 'A', 0, 0,
      'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
      '0' - 52, '0' - 52, static_cast<char>(c62 - 62), static_cast<char>(c63 - 63), 'A', 0, 0);
  r = _mm256_add_epi8(_mm256_shuffle_epi8(offsets, r), idx);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), r);
}

MAILWIRE_TARGET_AVX2 inline void encode_run_avx2(const char* in, std::size_t n, char* out,
                                                 int alpha) noexcept {
  if (n < 24) {
    encode_run_scalar(in, n, out, alpha ? encode_table_url : encode_table_std);
    return;
  }
  std::size_t i = 0;
  for (; n - i >= 24; i += 24) encode_block_avx2(in + i, out + i / 3 * 4, alpha);
  if (i < n) encode_block_avx2(in + (n - 24), out + (n - 24) / 3 * 4, alpha);
}
/// Encodes `lines` lines of `lb` input bytes each (a multiple of 3), each followed by `eol`.
MAILWIRE_TARGET_AVX2 inline void encode_lines_avx2(const char* in, std::size_t lines,
                                                   std::size_t lb, char* out, const char* eol,
                                                   std::size_t eol_len, int alpha) noexcept {
  const std::size_t ob = lb / 3 * 4;
  for (std::size_t l = 0; l < lines; ++l) {
    encode_run_avx2(in, lb, out, alpha);
    put_eol(out + ob, eol, eol_len);
    in += lb;
    out += ob + eol_len;
  }
}
#endif  // MAILWIRE_X86_SIMD

}  // namespace mailwire::base64::detail

#if MAILWIRE_NEON
#include "mailwire/codec/detail/base64_neon.hpp"
#endif
