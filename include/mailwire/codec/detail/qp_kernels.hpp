// Bulk kernels of the quoted-printable codec (RFC 2045 section 6.7), chosen at run time by
// quoted_printable.hpp (DESIGN.md section 10). They work on one contiguous piece of input with
// no state: they handle the common cases and stop where the stream classes must take over
// (anything unusual, too little look-ahead or output room), so that every level gives the same
// bytes as the portable code.
//
// Decoding: one loop, written once as a template over a "policy" that finds '=', CR and LF in
// a 64-byte window as a bit mask (portable code, AVX2 or AVX-512); it walks the mask, copying
// the runs in between with wide moves. Before that, the AVX2 and AVX-512 policies try whole
// blocks (32 or 64 bytes) holding only literals, upper-case escapes and line breaks: the hex
// pairs are decoded in vector registers (the bytes at +1 and +2 come from two more unaligned
// loads, so no lane crossing is needed) and the digits and soft breaks are squeezed out
// (vpcompressb, or pshufb over 8-byte groups with AVX2).
// Encoding: portable code uses a table loop (one 4-byte store per octet), AVX2 a mask walk like
// the decoder's, and AVX-512 builds up to one output line per iteration with vpermi2b, pdep
// and vpcompressb, without a branch per character.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "mailwire/codec/detail/qp_tables.hpp"
#include "mailwire/core/cpu.hpp"

#if MAILWIRE_X86_SIMD
#include <immintrin.h>
#define MAILWIRE_QP_TARGET_AVX2 __attribute__((target("avx2,bmi,bmi2,popcnt")))
#define MAILWIRE_QP_TARGET_AVX512 \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi,bmi2,popcnt")))
#endif

namespace mailwire::qp::detail {

struct bulk_result {
  std::size_t in = 0;   // input bytes taken
  std::size_t out = 0;  // output bytes written
};

/// Copies n bytes in 32-byte pieces: reads and writes up to 32 bytes past n (callers leave room).
inline void copy_wide(const unsigned char* s, char* d, std::size_t n) noexcept {
  std::size_t k = 0;
  do {
    std::memcpy(d + k, s + k, 32);
    k += 32;
  } while (k < n);
}

// --- decoding ---------------------------------------------------------------------------------

/// Number of SP/HTAB just before in[j] (not looking before in[0]), counting at most limit + 1.
inline std::size_t wsp_before(const unsigned char* in, std::size_t j, std::size_t limit) noexcept {
  std::size_t t = 0;
  while (t < j && t <= limit && is_wsp(in[j - 1 - t])) ++t;
  return t;
}

/// Handles the byte in[i], which is '=', CR or LF, with in[i + 1 .. n) as look-ahead.
/// Returns false where the stream decoder must take over; i and o then point at the first
/// undecided byte (a run of SP/HTAB before a CR that ends the input is given back).
/// Every step writes at most as many bytes as it consumes.
inline bool decode_special(const unsigned char* in, std::size_t& i, std::size_t n, char* out,
                           std::size_t& o, bool strict, bool& lower) noexcept {
  const std::size_t j = i;
  const unsigned char c = in[j];
  if (c == '=') {
    if (n - j >= 3) {
      const unsigned a = hex_values[in[j + 1]], b = hex_values[in[j + 2]];
      if ((a | b) < 16) {  // the usual case: two upper-case hex digits
        out[o++] = static_cast<char>((a << 4) | b);
        i = j + 3;
        return true;
      }
      if ((a | b) < hex_invalid) {  // lower-case digits: a defect, or an error in strict mode
        if (strict) return false;
        lower = true;
        out[o++] = static_cast<char>(((a & 15u) << 4) | (b & 15u));
        i = j + 3;
        return true;
      }
      if (in[j + 1] == '\r' && in[j + 2] == '\n') {  // soft line break
        i = j + 3;
        return true;
      }
    }
    if (n - j >= 2 && in[j + 1] == '\n') {  // soft line break with a bare LF
      i = j + 2;
      return true;
    }
    return false;  // malformed, '=' + SP/HTAB, or too little look-ahead
  }
  if (c == '\r') {
    if (n - j < 2) {  // CR LF or bare CR? Undecided, and so are the SP/HTAB before it.
      const std::size_t t = wsp_before(in, j, j);
      i = j - t;
      o -= t;
      return false;
    }
    if (in[j + 1] != '\n') {  // a bare CR is data
      out[o++] = '\r';
      i = j + 1;
      return true;
    }
  }
  // A hard line break: rule 3 drops the SP/HTAB before it, unless the run is too long to be
  // transport padding (then it was written as data, exactly as the stream decoder does).
  const std::size_t t = wsp_before(in, j, wsp_cap);
  if (t <= wsp_cap) o -= t;
  if (c == '\r') {
    out[o] = '\r';
    out[o + 1] = '\n';
    o += 2;
    i = j + 2;
  } else {
    out[o++] = '\n';
    i = j + 1;
  }
  return true;
}

/// The decoding loop. Needs room for n output bytes. Stops before anything the stream decoder
/// must see byte by byte, and before a trailing run of SP/HTAB (a line break may follow).
template <class P>
[[gnu::always_inline]] inline bulk_result decode_loop(const unsigned char* in, std::size_t n,
                                                      char* out, bool strict,
                                                      bool& lower) noexcept {
  std::size_t i = 0, o = 0;
  // Windows of 64 bytes with 64 more readable after them: the wide copies and the look-ahead
  // of decode_special() stay inside the input, and the output (never ahead of the input) too.
  for (;;) {
    if constexpr (P::has_blocks) P::decode_blocks(in, i, n, out, o, strict, lower);
    if (n - i < 128) break;
    const std::size_t base = i, end = i + 64;
    const std::uint64_t specials = P::decode_specials(in + base);
    for (;;) {
      const std::size_t rel = i - base;
      const std::uint64_t m = rel < 64 ? specials >> rel : 0;
      if (m == 0) {
        if (i < end) {
          copy_wide(in + i, out + o, end - i);
          o += end - i;
          i = end;
        }
        break;
      }
      const std::size_t j = i + static_cast<std::size_t>(std::countr_zero(m));
      copy_wide(in + i, out + o, j - i);
      o += j - i;
      i = j;
      if (!decode_special(in, i, n, out, o, strict, lower)) return {i, o};
    }
  }
  // The last bytes, exactly.
  for (;;) {
    std::size_t j = i;
    while (j < n && decode_specials[in[j]] == 0) ++j;
    if (j > i) std::memcpy(out + o, in + i, j - i);
    o += j - i;
    i = j;
    if (j == n) {
      const std::size_t t = wsp_before(in, n, n);
      i -= t;
      o -= t;
      break;
    }
    if (!decode_special(in, i, n, out, o, strict, lower)) break;
  }
  return {i, o};
}

// --- encoding ---------------------------------------------------------------------------------

/// What the encoding loop needs to know about the options.
struct encode_ctx {
  const std::uint8_t* cls = nullptr;  // encode_classes[binary * 2 + ebcdic_safe]
  std::size_t limit = 0;              // characters a line may hold before its soft break
  const char* eol = "\r\n";  // CRLF or LF, with 2 readable bytes either way (the literal's NUL)
  std::size_t eol_len = 2;
  bool protect = false;  // protect_dot or protect_from: column 0 is left to the stream encoder
  bool text = true;      // binary == false: CR and LF make hard line breaks
  bool ebcdic = false;
};

struct encode_masks {
  std::uint64_t esc = 0;   // bytes written as =XY whatever follows
  std::uint64_t spec = 0;  // CR, LF, and SP/HTAB followed by CR or LF (text mode only)
};

struct encode_bulk_result {
  std::size_t in = 0;
  std::size_t out = 0;
  std::size_t col = 0;  // column after the last character written
};

inline void put_soft_break(char* out, std::size_t& o, const encode_ctx& c) noexcept {
  out[o] = '=';
  std::memcpy(out + o + 1, c.eol, 2);  // a fixed-size copy; callers leave room
  o += 1 + c.eol_len;
}

/// The encoding loop: literal runs, escapes, CRLF/LF and soft breaks whose placement does not
/// depend on what comes after the next byte. Everything else (SP/HTAB before a line break, a
/// bare CR, the token that may end a line just before a hard break, column 0 when a protect_*
/// option is on, the last 96 bytes) is left to the stream encoder, which decides the same way.
template <class P>
[[gnu::always_inline]] inline encode_bulk_result encode_loop(const unsigned char* in,
                                                             std::size_t n, char* out,
                                                             std::size_t cap, std::size_t col,
                                                             const encode_ctx& c) noexcept {
  std::size_t i = 0, o = 0;
  const std::size_t limit = c.limit;
  // 64 input bytes give at most 64 * 6 characters (an escape and a soft break each).
  while (n - i >= 96 && cap - o >= 512) {
    if (col == 0 && c.protect) break;
    const std::size_t base = i;
    const encode_masks mk = P::classify(in + base, c);
    const std::uint64_t stop = mk.esc | mk.spec;
    std::size_t pos = 0;
    bool leave = false;
    while (pos < 64) {
      const std::uint64_t m = stop >> pos;
      const std::size_t run = m ? static_cast<std::size_t>(std::countr_zero(m)) : 64 - pos;
      const std::size_t room = col < limit ? limit - col : 0;
      const std::size_t take = run < room ? run : room;
      copy_wide(in + base + pos, out + o, take);
      o += take;
      col += take;
      pos += take;
      if (take < run) {  // the line is full and a literal comes next
        if (c.cls[in[base + pos + 1]] == cls_break) {  // it may end the line: let the
          leave = true;                                 // stream encoder decide
          break;
        }
        put_soft_break(out, o, c);
        col = 0;
        if (c.protect) {
          leave = true;
          break;
        }
        continue;
      }
      if (pos >= 64) break;
      if ((mk.spec >> pos) & 1u) {
        const unsigned char ch = in[base + pos];
        if (ch == '\n') {
          pos += 1;
        } else if (ch == '\r' && in[base + pos + 1] == '\n') {
          pos += 2;
        } else {  // SP/HTAB before a line break, or a bare CR
          leave = true;
          break;
        }
        std::memcpy(out + o, c.eol, 2);
        o += c.eol_len;
        col = 0;
        if (c.protect) {
          leave = true;
          break;
        }
        continue;
      }
      if (col + 3 > limit) {  // the escape goes on the next line
        if (c.cls[in[base + pos + 1]] == cls_break) {
          leave = true;
          break;
        }
        put_soft_break(out, o, c);
        col = 0;
      }
      std::memcpy(out + o, escapes[in[base + pos]].data(), 4);
      o += 3;
      col += 3;
      pos += 1;
    }
    i = base + pos;
    if (leave) break;
  }
  return {i, o, col};
}

// --- portable policy --------------------------------------------------------------------------

struct scalar_policy {
  static constexpr bool has_blocks = false;
  static std::uint64_t decode_specials(const unsigned char* p) noexcept {
    std::uint64_t m = 0;
    for (unsigned k = 0; k < 64; ++k)
      m |= static_cast<std::uint64_t>(detail::decode_specials[p[k]]) << k;
    return m;
  }
  static void decode_blocks(const unsigned char*, std::size_t&, std::size_t, char*, std::size_t&,
                            bool, bool&) noexcept {}
  /// Reads p[0..64].
  static encode_masks classify(const unsigned char* p, const encode_ctx& c) noexcept {
    encode_masks r;
    for (unsigned k = 0; k < 64; ++k) {
      const std::uint8_t v = c.cls[p[k]];
      r.esc |= static_cast<std::uint64_t>(v == cls_escape) << k;
      const bool s = v == cls_break || (v == cls_wsp && c.cls[p[k + 1]] == cls_break);
      r.spec |= static_cast<std::uint64_t>(s) << k;
    }
    return r;
  }
};

inline bulk_result decode_bulk_scalar(const unsigned char* in, std::size_t n, char* out,
                                      bool strict, bool& lower) noexcept {
  return decode_loop<scalar_policy>(in, n, out, strict, lower);
}

/// Each octet as a literal (row 0) or as "=XY" (row 1), padded to 4 bytes for one store.
constexpr std::array<std::array<std::array<char, 4>, 256>, 2> make_tokens() noexcept {
  std::array<std::array<std::array<char, 4>, 256>, 2> t{};
  for (std::size_t c = 0; c < 256; ++c) {
    t[0][c] = {static_cast<char>(c), '\0', '\0', '\0'};
    t[1][c] = escapes[c];
  }
  return t;
}
inline constexpr std::array<std::array<std::array<char, 4>, 256>, 2> tokens = make_tokens();

/// The portable encoding loop: one octet per step, with no data-dependent branch but the end
/// of a line (each token is a 4-byte store and a width of 1 or 3). Makes the same decisions as
/// encode_loop and leaves the same cases to the stream encoder.
inline encode_bulk_result encode_bulk_scalar(const unsigned char* in, std::size_t n, char* out,
                                             std::size_t cap, std::size_t col,
                                             const encode_ctx& ctx) noexcept {
  const encode_ctx c = ctx;
  std::size_t i = 0, o = 0;
  if (n <= 5) return {0, 0, col};
  const std::size_t n1 = n - 5;  // keep the stream encoder's look-ahead for the last octets
  while (i < n1 && cap - o >= 64) {
    if (col == 0 && c.protect) break;
    // A step writes at most 6 characters (soft break + escape) or an eol: no checks below.
    std::size_t steps = (cap - o - 16) / 6;
    if (steps > n1 - i) steps = n1 - i;
    const std::size_t stop = i + steps;
    bool leave = false;
    while (i < stop) {
      const unsigned char ch = in[i], nx = in[i + 1];
      const std::uint8_t k = c.cls[ch];
      if (k == cls_break) {  // CR or LF (text mode)
        if (ch == '\n') {
          i += 1;
        } else if (nx == '\n') {
          i += 2;
        } else {  // a bare CR
          leave = true;
          break;
        }
        std::memcpy(out + o, c.eol, 2);  // eol has a spare byte when it is a bare LF
        o += c.eol_len;
        col = 0;
        if (c.protect) {
          leave = true;
          break;
        }
        continue;
      }
      // Does a hard line break follow (then rule 3 applies, and the line may take L
      // characters)? Only asked when it matters, so that text costs no extra loads.
      auto last = [&] { return c.text && (nx == '\n' || (nx == '\r' && in[i + 2] == '\n')); };
      bool esc = k == cls_escape;
      if ((k == cls_wsp) & (c.cls[nx] == cls_break)) esc = last();  // rare: predictable
      const std::size_t w = esc ? 3 : 1;
      if (col + w > c.limit) {
        if (last()) {  // the stream encoder decides
          leave = true;
          break;
        }
        put_soft_break(out, o, c);
        col = 0;
        if (c.protect) {
          leave = true;
          break;
        }
      }
      std::memcpy(out + o, tokens[esc][ch].data(), 4);
      o += w;
      col += w;
      ++i;
    }
    if (leave) break;
  }
  return {i, o, col};
}

#if MAILWIRE_X86_SIMD

// --- AVX2 -------------------------------------------------------------------------------------

/// Nibble tables of a set of bytes within 0x20-0x7F: c is in the set iff
/// lo[c & 15] & hi[c >> 4] != 0.
struct nibble_set {
  alignas(16) std::uint8_t lo[16] = {};
  alignas(16) std::uint8_t hi[16] = {};
};
constexpr nibble_set make_ebcdic_set() noexcept {
  nibble_set s;
  for (const char* p = ebcdic_unsafe; *p != '\0'; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    s.lo[c & 15] = static_cast<std::uint8_t>(s.lo[c & 15] | (1u << (c >> 4)));
  }
  for (unsigned h = 0; h < 8; ++h) s.hi[h] = static_cast<std::uint8_t>(1u << h);
  return s;
}
inline constexpr nibble_set ebcdic_set = make_ebcdic_set();

/// For each 8-bit keep mask, the pshufb indices that pack the kept bytes of a group of 8.
constexpr std::array<std::array<std::uint8_t, 8>, 256> make_pack8() noexcept {
  std::array<std::array<std::uint8_t, 8>, 256> t{};
  for (unsigned m = 0; m < 256; ++m) {
    unsigned k = 0;
    for (unsigned b = 0; b < 8; ++b)
      if ((m >> b) & 1u) t[m][k++] = static_cast<std::uint8_t>(b);
    for (; k < 8; ++k) t[m][k] = 0x80;  // pshufb writes 0
  }
  return t;
}
inline constexpr std::array<std::array<std::uint8_t, 8>, 256> pack8 = make_pack8();

struct avx2_policy {
  static constexpr bool has_blocks = true;

  /// Hex digit values (upper case only) of 32 bytes, and where they are valid.
  MAILWIRE_QP_TARGET_AVX2 static __m256i hex32(__m256i v, __m256i& valid) noexcept {
    const __m256i d = _mm256_sub_epi8(v, _mm256_set1_epi8('0'));
    const __m256i u = _mm256_sub_epi8(v, _mm256_set1_epi8('A'));
    const __m256i is_d = _mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8(9)), d);
    const __m256i is_u = _mm256_cmpeq_epi8(_mm256_min_epu8(u, _mm256_set1_epi8(5)), u);
    valid = _mm256_or_si256(is_d, is_u);
    return _mm256_blendv_epi8(_mm256_add_epi8(u, _mm256_set1_epi8(10)), d, is_d);
  }

  MAILWIRE_QP_TARGET_AVX2 static std::uint32_t mask(__m256i m) noexcept {
    return static_cast<std::uint32_t>(_mm256_movemask_epi8(m));
  }

  /// Packs the bytes of x selected by `keep` to out + o (8-byte groups through pshufb).
  MAILWIRE_QP_TARGET_AVX2 static void pack32(__m256i x, std::uint32_t keep, char* out,
                                             std::size_t& o) noexcept {
    const __m128i halves[2] = {_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1)};
    for (unsigned h = 0; h < 2; ++h) {
      const unsigned m0 = (keep >> (16 * h)) & 0xFFu, m1 = (keep >> (16 * h + 8)) & 0xFFu;
      std::uint64_t i0, i1;
      std::memcpy(&i0, pack8[m0].data(), 8);
      std::memcpy(&i1, pack8[m1].data(), 8);
      // Indices of the second group address bytes 8-15 (0x80 entries stay 0x80 | 8: zero).
      const __m128i idx = _mm_set_epi64x(static_cast<long long>(i1 | 0x0808080808080808ull),
                                         static_cast<long long>(i0));
      const __m128i packed = _mm_shuffle_epi8(halves[h], idx);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + o), packed);
      o += static_cast<std::size_t>(std::popcount(m0));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + o), _mm_unpackhi_epi64(packed, packed));
      o += static_cast<std::size_t>(std::popcount(m1));
    }
  }

  /// decode_blocks of the AVX-512 policy with 32-byte blocks (see there).
  MAILWIRE_QP_TARGET_AVX2 static void decode_blocks(const unsigned char* in, std::size_t& i,
                                                    std::size_t n, char* out, std::size_t& o,
                                                    bool, bool&) noexcept {
    const __m256i eqv = _mm256_set1_epi8('='), crv = _mm256_set1_epi8('\r');
    const __m256i lfv = _mm256_set1_epi8('\n');
    while (n - i >= 128) {
      const unsigned char* p = in + i;
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
      const __m256i eqm = _mm256_cmpeq_epi8(v, eqv);
      const __m256i crm = _mm256_cmpeq_epi8(v, crv), lfm = _mm256_cmpeq_epi8(v, lfv);
      const std::uint32_t eq = mask(eqm), cr = mask(crm), lf = mask(lfm);
      if ((eq | cr | lf) == 0) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + o), v);
        i += 32;
        o += 32;
        continue;
      }
      const __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 1));
      const __m256i v2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 2));
      __m256i ok1, ok2;
      const __m256i h1 = hex32(v1, ok1), h2 = hex32(v2, ok2);
      const __m256i escm = _mm256_and_si256(eqm, _mm256_and_si256(ok1, ok2));
      const std::uint32_t esc = mask(escm);
      const std::uint32_t lf1 = mask(_mm256_cmpeq_epi8(v1, lfv));
      const std::uint32_t cr1 = mask(_mm256_cmpeq_epi8(v1, crv));
      const std::uint32_t lf2 = mask(_mm256_cmpeq_epi8(v2, lfv));
      const std::uint32_t sb3 = eq & cr1 & lf2, sb2 = eq & lf1;
      if ((esc | sb3 | sb2) != eq) return;  // malformed, lower case, '=' + SP/HTAB
      if ((cr | lf) != 0) {
        const std::uint32_t ws = mask(_mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(' ')),
                                                      _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\t'))));
        const std::uint32_t hard = (lf & ~(sb2 << 1) & ~(sb3 << 2)) | (cr & lf1 & ~(sb3 << 1));
        if ((ws & (hard >> 1)) != 0) return;
        if ((hard & 1u) != 0 && i > 0 && is_wsp(p[-1])) return;
      }
      const std::uint32_t drop = (esc << 1) | (esc << 2) | sb3 | (sb3 << 1) | (sb3 << 2) | sb2 | (sb2 << 1);
      const __m256i dec = _mm256_or_si256(
          _mm256_and_si256(_mm256_slli_epi16(h1, 4), _mm256_set1_epi8(static_cast<char>(0xF0))),
          _mm256_and_si256(h2, _mm256_set1_epi8(15)));
      pack32(_mm256_blendv_epi8(v, dec, escm), ~drop, out, o);
      const std::uint32_t span = esc | sb3;
      std::size_t skip = 0;
      if ((span >> 31) != 0) skip = 2;
      else if (((span >> 30) & 1u) != 0 || (sb2 >> 31) != 0) skip = 1;
      i += 32 + skip;
    }
  }

  MAILWIRE_QP_TARGET_AVX2 static std::uint32_t specials32(const unsigned char* p) noexcept {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i s = _mm256_or_si256(
        _mm256_cmpeq_epi8(v, _mm256_set1_epi8('=')),
        _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r')),
                        _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n'))));
    return static_cast<std::uint32_t>(_mm256_movemask_epi8(s));
  }
  MAILWIRE_QP_TARGET_AVX2 static std::uint64_t decode_specials(const unsigned char* p) noexcept {
    return specials32(p) | (static_cast<std::uint64_t>(specials32(p + 32)) << 32);
  }

  MAILWIRE_QP_TARGET_AVX2 static void classify32(const unsigned char* p, const encode_ctx& c,
                                                 std::uint32_t& esc,
                                                 std::uint32_t& spec) noexcept {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i x = _mm256_sub_epi8(v, _mm256_set1_epi8(33));
    const __m256i printable = _mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(93)), x);
    const __m256i ws = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(' ')),
                                       _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\t')));
    __m256i e = _mm256_or_si256(_mm256_andnot_si256(_mm256_or_si256(printable, ws),
                                                    _mm256_set1_epi8(-1)),
                                _mm256_cmpeq_epi8(v, _mm256_set1_epi8('=')));
    if (c.ebcdic) {
      const __m256i lo = _mm256_broadcastsi128_si256(
          _mm_load_si128(reinterpret_cast<const __m128i*>(ebcdic_set.lo)));
      const __m256i hi = _mm256_broadcastsi128_si256(
          _mm_load_si128(reinterpret_cast<const __m128i*>(ebcdic_set.hi)));
      const __m256i nib = _mm256_set1_epi8(15);
      const __m256i a = _mm256_shuffle_epi8(lo, _mm256_and_si256(v, nib));
      const __m256i b = _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
      const __m256i in_set =
          _mm256_xor_si256(_mm256_cmpeq_epi8(_mm256_and_si256(a, b), _mm256_setzero_si256()),
                           _mm256_set1_epi8(-1));
      e = _mm256_or_si256(e, in_set);
    }
    if (c.text) {
      const __m256i br = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r')),
                                         _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')));
      const __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 1));
      const __m256i br1 = _mm256_or_si256(_mm256_cmpeq_epi8(v1, _mm256_set1_epi8('\r')),
                                          _mm256_cmpeq_epi8(v1, _mm256_set1_epi8('\n')));
      e = _mm256_andnot_si256(br, e);
      spec = static_cast<std::uint32_t>(
          _mm256_movemask_epi8(_mm256_or_si256(br, _mm256_and_si256(ws, br1))));
    } else {
      spec = 0;
    }
    esc = static_cast<std::uint32_t>(_mm256_movemask_epi8(e));
  }
  MAILWIRE_QP_TARGET_AVX2 static encode_masks classify(const unsigned char* p,
                                                       const encode_ctx& c) noexcept {
    std::uint32_t e0, s0, e1, s1;
    classify32(p, c, e0, s0);
    classify32(p + 32, c, e1, s1);
    return {e0 | (static_cast<std::uint64_t>(e1) << 32), s0 | (static_cast<std::uint64_t>(s1) << 32)};
  }
};

MAILWIRE_QP_TARGET_AVX2 inline bulk_result decode_bulk_avx2(const unsigned char* in, std::size_t n,
                                                            char* out, bool strict,
                                                            bool& lower) noexcept {
  return decode_loop<avx2_policy>(in, n, out, strict, lower);
}
MAILWIRE_QP_TARGET_AVX2 inline encode_bulk_result encode_bulk_avx2(const unsigned char* in,
                                                                   std::size_t n, char* out,
                                                                   std::size_t cap,
                                                                   std::size_t col,
                                                                   const encode_ctx& c) noexcept {
  return encode_loop<avx2_policy>(in, n, out, cap, col, c);
}

// --- AVX-512 (F, BW, VBMI, VBMI2) -------------------------------------------------------------

struct avx512_policy {
  static constexpr bool has_blocks = true;

  MAILWIRE_QP_TARGET_AVX512 static std::uint64_t decode_specials(const unsigned char* p) noexcept {
    const __m512i v = _mm512_loadu_si512(p);
    return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('=')) |
           _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r')) |
           _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
  }

  /// Decodes whole 64-byte blocks while each holds only literal bytes, "=XY" escapes, soft line
  /// breaks ("=" CRLF, "=" LF) and hard line breaks with no SP/HTAB before them.
  MAILWIRE_QP_TARGET_AVX512 static void decode_blocks(const unsigned char* in, std::size_t& i,
                                                      std::size_t n, char* out, std::size_t& o,
                                                      bool strict, bool& lower) noexcept {
    const __m512i lut0 = _mm512_loadu_si512(hex_values.data());
    const __m512i lut1 = _mm512_loadu_si512(hex_values.data() + 64);
    const __m512i eqv = _mm512_set1_epi8('='), crv = _mm512_set1_epi8('\r');
    const __m512i lfv = _mm512_set1_epi8('\n');
    while (n - i >= 128) {
      const unsigned char* p = in + i;
      const __m512i v = _mm512_loadu_si512(p);
      const __mmask64 eq = _mm512_cmpeq_epi8_mask(v, eqv);
      const __mmask64 cr = _mm512_cmpeq_epi8_mask(v, crv);
      const __mmask64 lf = _mm512_cmpeq_epi8_mask(v, lfv);
      if ((eq | cr | lf) == 0) {
        _mm512_storeu_si512(out + o, v);
        i += 64;
        o += 64;
        continue;
      }
      const __m512i v1 = _mm512_loadu_si512(p + 1), v2 = _mm512_loadu_si512(p + 2);
      const __m512i t1 = _mm512_permutex2var_epi8(lut0, v1, lut1);
      const __m512i t2 = _mm512_permutex2var_epi8(lut0, v2, lut1);
      const __mmask64 bad = _mm512_movepi8_mask(_mm512_or_si512(t1, v1)) |
                            _mm512_movepi8_mask(_mm512_or_si512(t2, v2));
      const __mmask64 esc = eq & ~bad;
      const __mmask64 lf1 = _mm512_cmpeq_epi8_mask(v1, lfv);
      const __mmask64 cr1 = _mm512_cmpeq_epi8_mask(v1, crv);
      const __mmask64 lf2 = _mm512_cmpeq_epi8_mask(v2, lfv);
      const __mmask64 sb3 = eq & cr1 & lf2, sb2 = eq & lf1;
      if ((esc | sb3 | sb2) != eq) return;  // a malformed '=' or '=' + SP/HTAB
      if (esc != 0) {
        const __mmask64 lc =
            _mm512_test_epi8_mask(_mm512_or_si512(t1, t2), _mm512_set1_epi8(hex_lower_flag)) & esc;
        if (lc != 0) {
          if (strict) return;
          lower = true;
        }
      }
      if ((cr | lf) != 0) {
        const __mmask64 ws = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(' ')) |
                             _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\t'));
        const __mmask64 hard = (lf & ~(sb2 << 1) & ~(sb3 << 2)) | (cr & lf1 & ~(sb3 << 1));
        if ((ws & (hard >> 1)) != 0) return;  // rule 3: SP/HTAB to drop
        if ((hard & 1u) != 0 && i > 0 && is_wsp(p[-1])) return;
      }
      const __mmask64 drop = (esc << 1) | (esc << 2) | sb3 | (sb3 << 1) | (sb3 << 2) | sb2 | (sb2 << 1);
      // Decoded byte = (t1 << 4) | (t2 & 15); the 16-bit shift leaks only into bits that the
      // 0xF0 select then ignores (imm 0xE4: c ? a : b, bitwise).
      const __m512i dec = _mm512_ternarylogic_epi32(_mm512_slli_epi16(t1, 4), t2,
                                                    _mm512_set1_epi8(static_cast<char>(0xF0)), 0xE4);
      const __m512i x = _mm512_mask_blend_epi8(esc, v, dec);
      _mm512_storeu_si512(out + o, _mm512_maskz_compress_epi8(~drop, x));
      o += static_cast<std::size_t>(std::popcount(static_cast<std::uint64_t>(~drop)));
      // Sequences that run past the block: their last bytes are skipped.
      const std::uint64_t span = esc | sb3;
      std::size_t skip = 0;
      if ((span >> 63) != 0) skip = 2;
      else if (((span >> 62) & 1u) != 0 || (sb2 >> 63) != 0) skip = 1;
      i += 64 + skip;
    }
  }

  MAILWIRE_QP_TARGET_AVX512 static encode_masks classify(const unsigned char* p,
                                                         const encode_ctx& c) noexcept {
    const __m512i v = _mm512_loadu_si512(p);
    const __m512i lut0 = _mm512_loadu_si512(c.cls);
    const __m512i lut1 = _mm512_loadu_si512(c.cls + 64);
    const __m512i k = _mm512_permutex2var_epi8(lut0, v, lut1);
    const __mmask64 high = _mm512_movepi8_mask(v);
    encode_masks r;
    r.esc = high | _mm512_cmpeq_epi8_mask(k, _mm512_set1_epi8(cls_escape));
    if (c.text) {
      const __m512i v1 = _mm512_loadu_si512(p + 1);
      const __mmask64 br = _mm512_cmpeq_epi8_mask(k, _mm512_set1_epi8(cls_break)) & ~high;
      const __mmask64 ws = _mm512_cmpeq_epi8_mask(k, _mm512_set1_epi8(cls_wsp)) & ~high;
      const __mmask64 br1 = _mm512_cmpeq_epi8_mask(v1, _mm512_set1_epi8('\r')) |
                            _mm512_cmpeq_epi8_mask(v1, _mm512_set1_epi8('\n'));
      r.esc &= ~br;
      r.spec = br | (ws & br1);
    }
    return r;
  }
};

MAILWIRE_QP_TARGET_AVX512 inline bulk_result decode_bulk_avx512(const unsigned char* in,
                                                                std::size_t n, char* out,
                                                                bool strict, bool& lower) noexcept {
  return decode_loop<avx512_policy>(in, n, out, strict, lower);
}

/// Layout of the AVX-512 encoder: input byte p owns output slots 3p (the byte or '='), 3p + 1
/// and 3p + 2 (its hex digits); 192 slots make three vectors v = 0, 1, 2.
struct encode512_tables {
  std::uint8_t idx_a[3][64] = {};  // vpermi2b index into (lead, hex high): p, or 64 + p
  std::uint8_t idx_b[3][64] = {};  // vpermb index into hex low: p
  std::uint64_t t0[3] = {}, t1[3] = {}, t2[3] = {};  // slots of each kind in vector v
  unsigned a[3] = {}, b[3] = {};   // first input byte with a kind-1 / kind-2 slot in vector v
};
constexpr encode512_tables make_encode512_tables() noexcept {
  encode512_tables t;
  for (unsigned v = 0; v < 3; ++v) {
    bool seen1 = false, seen2 = false;
    for (unsigned j = 0; j < 64; ++j) {
      const unsigned g = 64 * v + j, p = g / 3, kind = g % 3;
      t.idx_a[v][j] = static_cast<std::uint8_t>(kind == 1 ? 64 + p : p);
      t.idx_b[v][j] = static_cast<std::uint8_t>(p);
      const std::uint64_t b = std::uint64_t{1} << j;
      if (kind == 0) t.t0[v] |= b;
      if (kind == 1) {
        t.t1[v] |= b;
        if (!seen1) t.a[v] = p;
        seen1 = true;
      }
      if (kind == 2) {
        t.t2[v] |= b;
        if (!seen2) t.b[v] = p;
        seen2 = true;
      }
    }
  }
  return t;
}
inline constexpr encode512_tables enc512 = make_encode512_tables();

/// Bits [0, x) of a 64-bit mask, x clamped to 0..64.
constexpr std::uint64_t bits_below(std::ptrdiff_t x) noexcept {
  return x <= 0 ? 0 : x >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << x) - 1;
}

/// Encodes up to one output line per iteration without a branch per character: the three slot
/// vectors are built with vpermi2b, the slots to keep come from pdep of the escape mask, the
/// end of the line is a bit select, and vpcompressb packs each vector. Stops exactly where
/// encode_loop stops, so the stream encoder sees the same states.
MAILWIRE_QP_TARGET_AVX512 inline encode_bulk_result encode_bulk_avx512(
    const unsigned char* in, std::size_t n, char* out, std::size_t cap, std::size_t col,
    const encode_ctx& ctx) noexcept {
  const encode_ctx c = ctx;
  std::size_t i = 0, o = 0;
  const __m512i hexchars = _mm512_maskz_broadcast_i32x4(
      0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(hex_upper)));
  const __m512i nib = _mm512_set1_epi8(15);
  const __m512i ia0 = _mm512_loadu_si512(enc512.idx_a[0]), ia1 = _mm512_loadu_si512(enc512.idx_a[1]);
  const __m512i ia2 = _mm512_loadu_si512(enc512.idx_a[2]);
  const __m512i ib0 = _mm512_loadu_si512(enc512.idx_b[0]), ib1 = _mm512_loadu_si512(enc512.idx_b[1]);
  const __m512i ib2 = _mm512_loadu_si512(enc512.idx_b[2]);
  // Masks of the 64-byte blocks at cs + 64 b, b < nb, classified ahead of use so that the
  // classification is off the loop's critical path (each line depends on the one before).
  std::uint64_t esc_of[17], spec_of[17];
  std::size_t cs = 0, nb = 0;
  while (n - i >= 96 && cap - o >= 512) {
    if (col == 0 && c.protect) break;
    std::size_t w = (i - cs) >> 6;
    if (w + 1 >= nb) {  // the window needs blocks w and w + 1 (block b reads up to 64 b + 65)
      cs = i;
      w = 0;
      nb = (n - i - 1) / 64;
      if (nb > 17) nb = 17;
      if (nb < 2) break;
      for (std::size_t b = 0; b < nb; ++b) {
        const encode_masks m = avx512_policy::classify(in + cs + 64 * b, c);
        esc_of[b] = m.esc;
        spec_of[b] = m.spec;
      }
    }
    const unsigned r = static_cast<unsigned>(i - cs) & 63u;
    const std::uint64_t m_esc = r ? (esc_of[w] >> r) | (esc_of[w + 1] << (64 - r)) : esc_of[w];
    const std::uint64_t m_spec = r ? (spec_of[w] >> r) | (spec_of[w + 1] << (64 - r)) : spec_of[w];
    const unsigned char* p = in + i;
    const std::size_t s0 = m_spec ? static_cast<std::size_t>(std::countr_zero(m_spec)) : 64;
    const std::uint64_t e = m_esc & bits_below(static_cast<std::ptrdiff_t>(s0));
    const std::ptrdiff_t cut = static_cast<std::ptrdiff_t>(3 * s0);
    std::uint64_t k0 = (enc512.t0[0] | _pdep_u64(e >> enc512.a[0], enc512.t1[0]) |
                        _pdep_u64(e >> enc512.b[0], enc512.t2[0])) & bits_below(cut);
    std::uint64_t k1 = (enc512.t0[1] | _pdep_u64(e >> enc512.a[1], enc512.t1[1]) |
                        _pdep_u64(e >> enc512.b[1], enc512.t2[1])) & bits_below(cut - 64);
    std::uint64_t k2 = (enc512.t0[2] | _pdep_u64(e >> enc512.a[2], enc512.t1[2]) |
                        _pdep_u64(e >> enc512.b[2], enc512.t2[2])) & bits_below(cut - 128);
    std::size_t c0 = static_cast<std::size_t>(std::popcount(k0));
    std::size_t c1 = static_cast<std::size_t>(std::popcount(k1));
    std::size_t c2 = static_cast<std::size_t>(std::popcount(k2));
    const std::size_t room = col < c.limit ? c.limit - col : 0;
    std::size_t j = s0;
    const bool full = c0 + c1 + c2 > room;
    if (full) {  // the line ends inside: find the character number `room`, cut before its byte
      std::size_t r = room, slot;
      if (r < c0) {
        slot = static_cast<std::size_t>(std::countr_zero(_pdep_u64(std::uint64_t{1} << r, k0)));
      } else if ((r -= c0) < c1) {
        slot = 64 + static_cast<std::size_t>(std::countr_zero(_pdep_u64(std::uint64_t{1} << r, k1)));
      } else {
        r -= c1;
        slot = 128 + static_cast<std::size_t>(std::countr_zero(_pdep_u64(std::uint64_t{1} << r, k2)));
      }
      j = slot / 3;
      const std::ptrdiff_t jc = static_cast<std::ptrdiff_t>(3 * j);
      k0 &= bits_below(jc);
      k1 &= bits_below(jc - 64);
      k2 &= bits_below(jc - 128);
      c0 = static_cast<std::size_t>(std::popcount(k0));
      c1 = static_cast<std::size_t>(std::popcount(k1));
      c2 = static_cast<std::size_t>(std::popcount(k2));
    }
    if (c0 + c1 + c2 != 0) {
      const __m512i v = _mm512_loadu_si512(p);
      const __m512i lead = _mm512_mask_blend_epi8(e, v, _mm512_set1_epi8('='));
      // (maskz forms: GCC 12 warns about the undefined source of the unmasked intrinsics)
      const __m512i hi = _mm512_maskz_permutexvar_epi8(
          ~0ull, _mm512_and_si512(_mm512_srli_epi16(v, 4), nib), hexchars);
      const __m512i lo = _mm512_maskz_permutexvar_epi8(~0ull, _mm512_and_si512(v, nib), hexchars);
      const __m512i x0 = _mm512_mask_permutexvar_epi8(_mm512_permutex2var_epi8(lead, ia0, hi),
                                                      enc512.t2[0], ib0, lo);
      _mm512_storeu_si512(out + o, _mm512_maskz_compress_epi8(k0, x0));
      if (k1 != 0) {
        const __m512i x1 = _mm512_mask_permutexvar_epi8(_mm512_permutex2var_epi8(lead, ia1, hi),
                                                        enc512.t2[1], ib1, lo);
        _mm512_storeu_si512(out + o + c0, _mm512_maskz_compress_epi8(k1, x1));
      }
      if (k2 != 0) {
        const __m512i x2 = _mm512_mask_permutexvar_epi8(_mm512_permutex2var_epi8(lead, ia2, hi),
                                                        enc512.t2[2], ib2, lo);
        _mm512_storeu_si512(out + o + c0 + c1, _mm512_maskz_compress_epi8(k2, x2));
      }
      o += c0 + c1 + c2;
      col += c0 + c1 + c2;
    }
    i += j;
    if (j == 64) continue;
    if (!full) {  // a CR, LF or SP/HTAB before a line break at p[j]
      const unsigned char ch = p[j];
      if (ch == '\n') {
        i += 1;
      } else if (ch == '\r' && p[j + 1] == '\n') {
        i += 2;
      } else {
        break;
      }
      std::memcpy(out + o, c.eol, 2);
      o += c.eol_len;
      col = 0;
      continue;
    }
    // The line is full before the token p[j]; it may be the line's last one (a hard break
    // follows): then the stream encoder decides. Else a soft break.
    if (c.cls[p[j + 1]] == cls_break) break;
    put_soft_break(out, o, c);
    col = 0;
  }
  return {i, o, col};
}

#endif  // MAILWIRE_X86_SIMD

// --- dispatch ---------------------------------------------------------------------------------

/// Decodes what can be decoded without state from in[0, n) into out, which has room for n
/// bytes. `lower` is set when lower-case hex digits were decoded (never in strict mode).
inline bulk_result decode_bulk(const char* in, std::size_t n, char* out, bool strict, bool& lower,
                               simd::level lvl) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(in);
#if MAILWIRE_X86_SIMD
  if (lvl == simd::level::avx512vbmi) return decode_bulk_avx512(p, n, out, strict, lower);
  if (lvl == simd::level::avx2) return decode_bulk_avx2(p, n, out, strict, lower);
#else
  (void)lvl;
#endif
  return decode_bulk_scalar(p, n, out, strict, lower);
}

/// Encodes what can be encoded without look-ahead beyond in[0, n) into out[0, cap).
inline encode_bulk_result encode_bulk(const char* in, std::size_t n, char* out, std::size_t cap,
                                      std::size_t col, const encode_ctx& c,
                                      simd::level lvl) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(in);
#if MAILWIRE_X86_SIMD
  encode_bulk_result r{0, 0, col};
  if (lvl == simd::level::avx512vbmi) r = encode_bulk_avx512(p, n, out, cap, col, c);
  else if (lvl == simd::level::avx2) r = encode_bulk_avx2(p, n, out, cap, col, c);
  else return encode_bulk_scalar(p, n, out, cap, col, c);
  // The SIMD kernels keep a margin of up to 192 input and 512 output bytes; the portable loop
  // needs only 5 and 64, so it encodes that margin (each kernel makes the stream encoder's
  // decisions, so any of them may take over at any point). Not when a SIMD kernel stopped at a
  // case for the stream encoder: the slower portable loop would then go on far past it.
  if (n - r.in >= 192 && cap - r.out >= 512) return r;
  const encode_bulk_result s =
      encode_bulk_scalar(p + r.in, n - r.in, out + r.out, cap - r.out, r.col, c);
  return {r.in + s.in, r.out + s.out, s.col};
#else
  (void)lvl;
  return encode_bulk_scalar(p, n, out, cap, col, c);
#endif
}

}  // namespace mailwire::qp::detail
