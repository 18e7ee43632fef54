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

#if defined(__SSE2__)
#include <emmintrin.h>
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

/// Bit masks of the CR and LF octets in the 32 octets at p (bit k: p[k]). SSE2 is the x86-64
/// baseline, so no dispatch is needed; elsewhere a portable loop.
inline void crlf_masks(const char* p, std::uint32_t& cr, std::uint32_t& lf) noexcept {
#if defined(__SSE2__)
  const __m128i vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
  const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
  cr = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a, vcr))) |
       static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(b, vcr))) << 16;
  lf = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a, vlf))) |
       static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(b, vlf))) << 16;
#else
  cr = lf = 0;
  for (int k = 0; k < 32; ++k) {
    cr |= static_cast<std::uint32_t>(p[k] == '\r') << k;
    lf |= static_cast<std::uint32_t>(p[k] == '\n') << k;
  }
#endif
}

/// Scans a clean run starting at `i` (lim - i >= 32, lim <= n; in[i] is not a "." at a line
/// start): text whose every CR is followed by LF and every LF preceded by CR, no line longer
/// than `max_text` octets (without CRLF), and no "." or end of input right after an LF. `col` is
/// the length of the line before i. Returns the end of the run (i when none); `col` becomes the
/// line length there, 0 at a line start. A run never ends between a CR and its LF. The run is
/// copied to `out` (the output position of i) while it is scanned, one pass over the input: up
/// to lim - i octets of `out` are written, of which only the run's are meaningful.
inline std::size_t clean_line_run(const char* in, std::size_t i, std::size_t lim, std::size_t n,
                                  std::size_t& col, std::size_t max_text, char* out) noexcept {
  std::size_t pos = i, ls = i, c0 = col;  // ls: start of the current line (or i), c0: its length
  std::uint32_t carry = 0;                // 1: the byte before pos is a CR
  auto stop = [&]() noexcept {
    if (ls > i) {
      col = 0;
      return ls;
    }
    return i;
  };
  while (lim - pos >= 32) {
    std::uint32_t cr, lf;
    crlf_masks(in + pos, cr, lf);
    std::memcpy(out + (pos - i), in + pos, 32);  // within lim; beyond the run is overwritten
    const std::uint32_t expect = (cr << 1) | carry;
    std::uint32_t good = lf;
    bool irregular = false;
    if (expect != lf) {
      const std::uint32_t diff = expect ^ lf;
      good = lf & ((diff & (0u - diff)) - 1u);  // the LFs below the first irregular bit
      irregular = true;
    }
    while (good != 0) {
      const std::size_t q = pos + static_cast<std::size_t>(__builtin_ctz(good));
      good &= good - 1;
      if (c0 + (q - 1 - ls) > max_text) return stop();
      ls = q + 1;
      c0 = 0;
      if (ls >= n || in[ls] == '.') return stop();
    }
    if (irregular) return stop();
    carry = cr >> 31;
    pos += 32;
  }
  const std::size_t end = carry ? pos - 1 : pos;  // never end a run between CR and LF
  if (c0 + (end - ls) > max_text) return stop();
  col = c0 + (end - ls);
  return end;
}

}  // namespace mailwire::detail
