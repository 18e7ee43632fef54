// mailwire/core/detail/dot_scan.hpp — the scanning kernel shared by the dot-stuffed bodies of
// SMTP DATA (RFC 5321 section 4.5.2: smtp/data.hpp) and POP3 multi-line responses (RFC 1939
// section 3: pop3/response.hpp), which protocols may not share with each other (DESIGN.md
// section 2). It finds, 32 octets at a time, the longest prefix that needs no per-octet work:
// every CR followed by LF and every LF preceded by CR, no "." (or end of input) at a line start,
// lines within a length limit. The codecs do the rest (stuffing, the end, bare CR/LF) byte by byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "mailwire/core/cpu.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if MAILWIRE_X86_SIMD
#include <immintrin.h>
#endif

namespace mailwire::detail {

/// The few output octets of a step that did not fit in the caller's buffer (at most 8: a
/// stuffed dot plus a line ending), written first by the next call.
struct spill {
  char b[8] = {};
  std::uint8_t n = 0;
  [[nodiscard]] bool empty() const noexcept { return n == 0; }
  void put(char c, char* dst, std::size_t cap, std::size_t& o) noexcept {
    if (n == 0 && o < cap) dst[o++] = c;
    else b[n++] = c;
  }
  void flush(char* dst, std::size_t cap, std::size_t& o) noexcept {
    std::size_t k = 0;
    while (k < n && o < cap) dst[o++] = b[k++];
    if (k == n) {
      n = 0;
    } else {
      std::memmove(b, b + k, n - k);
      n = static_cast<std::uint8_t>(n - k);
    }
  }
};

/// Bit masks of the CR and LF octets in the 32 octets at p (bit k: p[k]), and the 32 octets
/// copied to `out`. SSE2 is the x86-64 baseline; elsewhere a portable loop.
struct crlf_block_base {
  static inline void run(const char* p, char* out, std::uint32_t& cr, std::uint32_t& lf) noexcept {
#if defined(__SSE2__)
    const __m128i vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), a);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), b);
    cr = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a, vcr))) |
         static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(b, vcr))) << 16;
    lf = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a, vlf))) |
         static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(b, vlf))) << 16;
#else
    std::memcpy(out, p, 32);
    cr = lf = 0;
    for (int k = 0; k < 32; ++k) {
      cr |= static_cast<std::uint32_t>(p[k] == '\r') << k;
      lf |= static_cast<std::uint32_t>(p[k] == '\n') << k;
    }
#endif
  }
};

#if MAILWIRE_X86_SIMD
/// The same with one AVX2 load, compare pair and store (chosen at run time: simd::active()).
struct crlf_block_avx2 {
  __attribute__((target("avx2"), always_inline)) static inline void run(const char* p, char* out, std::uint32_t& cr,
                                                                         std::uint32_t& lf) noexcept {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), v);
    cr = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r'))));
    lf = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n'))));
  }
};
#endif

/// Bit masks of the CR and LF octets in the 32 octets at p (bit k: p[k]).
inline void crlf_masks(const char* p, std::uint32_t& cr, std::uint32_t& lf) noexcept {
  char scratch[32];
  crlf_block_base::run(p, scratch, cr, lf);
}

// clean_line_run() over 32-octet blocks read by BLOCK::run, defined once per instruction set
// (a template cannot carry a target attribute for one instantiation only, and the block read must
// inline into a function of its own target).
#define MAILWIRE_DETAIL_CLEAN_LINE_RUN(NAME, ATTR, BLOCK)                                              \
  ATTR inline std::size_t NAME(const char* in, std::size_t i, std::size_t lim, std::size_t n,          \
                               std::size_t& col, std::size_t max_text, char* out) noexcept {           \
    std::size_t pos = i, ls = i, c0 = col; /* ls: start of the current line (or i), c0: its length */ \
    std::uint32_t carry = 0;               /* 1: the byte before pos is a CR */                       \
    while (lim - pos >= 32) {                                                                          \
      std::uint32_t cr, lf;                                                                            \
      BLOCK::run(in + pos, out + (pos - i), cr, lf); /* within lim; beyond the run is overwritten */  \
      const std::uint32_t expect = (cr << 1) | carry;                                                  \
      std::uint32_t good = lf;                                                                         \
      bool irregular = false;                                                                          \
      if (expect != lf) {                                                                              \
        const std::uint32_t diff = expect ^ lf;                                                        \
        good = lf & ((diff & (0u - diff)) - 1u); /* the LFs below the first irregular bit */           \
        irregular = true;                                                                              \
      }                                                                                                \
      while (good != 0) {                                                                              \
        const std::size_t q = pos + static_cast<std::size_t>(__builtin_ctz(good));                     \
        good &= good - 1;                                                                              \
        if (c0 + (q - 1 - ls) > max_text) return clean_line_stop(i, ls, col);                          \
        ls = q + 1;                                                                                    \
        c0 = 0;                                                                                        \
        if (ls >= n || in[ls] == '.') return clean_line_stop(i, ls, col);                              \
      }                                                                                                \
      if (irregular) return clean_line_stop(i, ls, col);                                               \
      carry = cr >> 31;                                                                                \
      pos += 32;                                                                                       \
    }                                                                                                  \
    const std::size_t end = carry ? pos - 1 : pos; /* never end a run between CR and LF */             \
    if (c0 + (end - ls) > max_text) return clean_line_stop(i, ls, col);                                \
    col = c0 + (end - ls);                                                                             \
    return end;                                                                                        \
  }

/// Where a clean run that met an obstacle ends: the last line start after i, else i.
[[nodiscard]] inline std::size_t clean_line_stop(std::size_t i, std::size_t ls, std::size_t& col) noexcept {
  if (ls > i) {
    col = 0;
    return ls;
  }
  return i;
}

MAILWIRE_DETAIL_CLEAN_LINE_RUN(clean_line_run_base, , crlf_block_base)
#if MAILWIRE_X86_SIMD
MAILWIRE_DETAIL_CLEAN_LINE_RUN(clean_line_run_avx2, __attribute__((target("avx2"))), crlf_block_avx2)
#endif
#undef MAILWIRE_DETAIL_CLEAN_LINE_RUN

/// Scans a clean run starting at `i` (lim - i >= 32, lim <= n; in[i] is not a "." at a line
/// start): text whose every CR is followed by LF and every LF preceded by CR, no line longer
/// than `max_text` octets (without CRLF), and no "." or end of input right after an LF. `col` is
/// the length of the line before i. Returns the end of the run (i when none); `col` becomes the
/// line length there, 0 at a line start. A run never ends between a CR and its LF. The run is
/// copied to `out` (the output position of i) while it is scanned, one pass over the input: up
/// to lim - i octets of `out` are written, of which only the run's are meaningful. AVX2 when
/// simd::active() allows it, else SSE2 (x86-64) or portable code.
inline std::size_t clean_line_run(const char* in, std::size_t i, std::size_t lim, std::size_t n,
                                  std::size_t& col, std::size_t max_text, char* out) noexcept {
#if MAILWIRE_X86_SIMD
  if (simd::active() >= simd::level::avx2) return clean_line_run_avx2(in, i, lim, n, col, max_text, out);
#endif
  return clean_line_run_base(in, i, lim, n, col, max_text, out);
}

}  // namespace mailwire::detail
