// mailwire/core/detail/dot_scan.hpp — the scanning kernel shared by the dot-stuffed bodies of
// SMTP DATA (RFC 5321 section 4.5.2: smtp/data.hpp) and POP3 multi-line responses (RFC 1939
// section 3: pop3/response.hpp), which protocols may not share with each other (DESIGN.md
// section 2). It finds, 32 octets at a time, the longest prefix that needs no per-octet work:
// every CR followed by LF and every LF preceded by CR, no "." (or end of input) at a line start,
// lines within a length limit. The codecs do the rest (stuffing, the end, bare CR/LF) byte by byte.
// The sending side is the same for both protocols and lives here too (dot_stuffer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "mailwire/core/cpu.hpp"
#include "mailwire/core/result.hpp"
#include "mailwire/core/status.hpp"

#include <span>
#include <string_view>

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

/// The sending side of a dot-stuffed body (SMTP DATA, RFC 5321 section 4.5.2; POP3 multi-line
/// responses, RFC 1939 section 3): doubles a "." at the start of each line, writes every line end
/// (CRLF, bare LF, bare CR) as CRLF, and at `final` appends "." CRLF (first a CRLF if the content
/// does not end with one). Streamed: any chunking gives the same bytes. `after_final` is the
/// protocol's error for input given after the final call. Octets of `out` after the `produced`
/// ones may be overwritten (scratch of the one-pass copy).
class dot_stuffer {
 public:
  template <class Errc>
  [[nodiscard]] codec_result<Errc> encode(std::string_view in, std::span<char> out, bool final,
                                          Errc after_final) noexcept {
    codec_result<Errc> r;
    if (finished_ && !in.empty()) {
      r.st = status::error;
      r.error = after_final;
      r.error_offset = offset_;
      return r;
    }
    std::size_t i = 0, o = 0;
    const std::size_t n = in.size(), cap = out.size();
    const char* const src = in.data();
    char* const dst = out.data();
    spill_.flush(dst, cap, o);
    // Where the fast path last found no run (a bare CR or LF ahead in that line): from there
    // byte by byte to the next line start, so a long line is not scanned again at every octet.
    std::size_t slow_at = SIZE_MAX;
    while (spill_.empty() && i < n) {
      if (slow_at != SIZE_MAX && line_start_ && i != slow_at) slow_at = SIZE_MAX;
      if (slow_at == SIZE_MAX && !cr_ && !(line_start_ && (src[i] == '.' || src[i] == '\r' || src[i] == '\n'))) {
        // Clean lines 32 octets at a time, copied while scanned.
        const std::size_t lim = i + (cap - o < n - i ? cap - o : n - i);
        std::size_t col = line_start_ ? 0 : 1;
        const std::size_t e = lim - i >= 32 ? clean_line_run(src, i, lim, n, col, SIZE_MAX, dst + o) : i;
        if (e > i) {
          o += e - i;
          i = e;
          line_start_ = col == 0;
          continue;
        }
        if (lim - i >= 32) slow_at = i;
      }
      const char c = src[i++];
      if (cr_) {  // a CR was read: CRLF, or a bare CR that becomes CRLF (c starts the next line)
        cr_ = false;
        line_end(dst, cap, o);
        if (c == '\n') continue;
      }
      if (c == '\r') {
        cr_ = true;
      } else if (c == '\n') {
        line_end(dst, cap, o);
      } else {
        if (line_start_ && c == '.') spill_.put('.', dst, cap, o);
        spill_.put(c, dst, cap, o);
        line_start_ = false;
      }
    }
    offset_ += i;
    if (final && i == n && !finished_ && spill_.empty()) {
      if (cr_) {
        cr_ = false;
        line_end(dst, cap, o);
      }
      if (!line_start_) line_end(dst, cap, o);
      spill_.put('.', dst, cap, o);
      line_end(dst, cap, o);
      finished_ = true;
    }
    r.consumed = i;
    r.produced = o;
    if (i < n || !spill_.empty()) r.st = status::paused;
    else if (final) r.st = finished_ ? status::event : status::paused;
    else r.st = status::need_more;
    return r;
  }

 private:
  void line_end(char* dst, std::size_t cap, std::size_t& o) noexcept {
    spill_.put('\r', dst, cap, o);
    spill_.put('\n', dst, cap, o);
    line_start_ = true;
  }

  bool line_start_ = true;  // the first line starts here
  bool cr_ = false;         // a CR was read; its LF (or not) comes next
  bool finished_ = false;
  std::uint64_t offset_ = 0;
  spill spill_;  // output octets that did not fit in `out` yet
};

}  // namespace mailwire::detail
