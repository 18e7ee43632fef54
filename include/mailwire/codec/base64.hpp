// mailwire/codec/base64.hpp — base64 of RFC 4648 and RFC 2045 section 6.8, one-shot and
// streaming, with SIMD paths chosen at run time (AVX-512 VBMI, AVX2, NEON, portable scalar).
//
//   namespace b64 = mailwire::base64;
//   std::string text = b64::encode("hello", b64::encode_options::mime());   // "aGVsbG8=\r\n"
//
//   std::string bytes;
//   auto r = b64::decode(text, bytes);          // MIME mode: CRLF and other noise are skipped
//   if (!r.ok()) { /* r.error at r.error_offset */ }
//
//   // Streaming, any chunking (the result is the same however the input is split):
//   b64::stream_decoder dec({.strict = true});
//   auto r = dec.decode(chunk, std::span<char>(buf), /*final=*/false);
//
// Two decoding modes:
// - MIME (default, RFC 2045 section 6.8): characters outside the alphabet are skipped; padding
//   ends the data and anything after it is ignored; a final quantum without its padding is
//   dropped (unless require_padding is false). Each such irregularity is recorded as a defect
//   (stream_decoder::defects()).
// - strict (RFC 4648 section 3.3): any character outside the alphabet (line breaks included),
//   bad or missing padding, non-zero pad bits (section 3.5) and data after padding are errors
//   with the offset of the offending byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "mailwire/codec/detail/base64_scalar.hpp"
#include "mailwire/codec/detail/base64_simd.hpp"
#include "mailwire/core/cpu.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line.hpp"
#include "mailwire/core/result.hpp"

namespace mailwire::base64 {

/// The two alphabets of RFC 4648: section 4 (`+/`) and section 5, URL and filename safe (`-_`).
enum class alphabet : std::uint8_t { standard = 0, url = 1 };

/// Why base64 input is malformed. In MIME mode these are recorded as defects, not errors.
enum class errc : std::uint8_t {
  ok = 0,                   ///< no error
  invalid_character,        ///< a byte outside the alphabet (RFC 4648 section 3.3)
  bad_padding,              ///< '=' after fewer than 2 characters of a quantum, or too many '='
  missing_padding,          ///< the data ends with a 2- or 3-character quantum without its '='
  truncated_quantum,        ///< the data ends with a single character, which holds no byte
  nonzero_pad_bits,         ///< bits dropped by the final quantum are not 0 (RFC 4648 sec. 3.5)
  data_after_padding,       ///< characters after the final padding
  local_input_after_final,  ///< host misuse: input given after a call with final = true
};

[[nodiscard]] constexpr std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::ok: return "ok";
    case errc::invalid_character: return "invalid base64 character";
    case errc::bad_padding: return "bad base64 padding";
    case errc::missing_padding: return "missing base64 padding";
    case errc::truncated_quantum: return "truncated base64 quantum";
    case errc::nonzero_pad_bits: return "non-zero base64 pad bits";
    case errc::data_after_padding: return "data after base64 padding";
    case errc::local_input_after_final: return "input after the final call";
  }
  return "unknown base64 error";
}
[[nodiscard]] constexpr const char* category_name(errc) noexcept { return "mailwire.base64"; }
[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept { return make_code(e); }

/// Options of the encoder. The default is RFC 4648 (one line, padded); mime() is RFC 2045.
struct encode_options {
  alphabet alpha = alphabet::standard;
  bool padding = true;            ///< write '=' to complete the final quantum (RFC 4648 sec. 3.2)
  std::size_t line_length = 0;    ///< characters per line; 0 = one line with no line break
  line_ending eol = line_ending::crlf;  ///< line ending when line_length > 0
  bool final_line_break = true;   ///< with line_length > 0, end the last line with `eol` too

  /// RFC 2045 section 6.8: lines of 76 characters, each ending in CRLF.
  [[nodiscard]] static constexpr encode_options mime() noexcept {
    encode_options o;
    o.line_length = 76;
    return o;
  }
};

/// Options of the decoder.
struct decode_options {
  alphabet alpha = alphabet::standard;
  bool strict = false;          ///< RFC 4648 section 3.3 instead of RFC 2045 section 6.8
  /// A final quantum of 2 or 3 characters needs its '=': without it, strict mode reports
  /// missing_padding and MIME mode drops it. false: such a quantum is data (base64url style).
  bool require_padding = true;
};

/// Exact size of the encoding of n bytes.
[[nodiscard]] constexpr std::size_t encoded_size(std::size_t n,
                                                 const encode_options& o = {}) noexcept {
  const std::size_t chars = o.padding ? (n + 2) / 3 * 4 : n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
  if (o.line_length == 0 || chars == 0) return chars;
  const std::size_t lines = (chars + o.line_length - 1) / o.line_length;
  const std::size_t breaks = o.final_line_break ? lines : lines - 1;
  return chars + breaks * to_chars(o.eol).size();
}

/// Upper bound of the decoded size of n input characters, in either mode.
[[nodiscard]] constexpr std::size_t max_decoded_size(std::size_t n) noexcept {
  return n / 4 * 3 + (n % 4 >= 2 ? n % 4 - 1 : 0);
}

/// Exact decoded size of `in` when it holds only alphabet characters and trailing padding
/// (canonical RFC 4648 input); for anything else, an upper bound.
[[nodiscard]] constexpr std::size_t decoded_size(std::string_view in) noexcept {
  std::size_t n = in.size();
  while (n > 0 && in[n - 1] == '=' && in.size() - n < 2) --n;
  return max_decoded_size(n);
}

namespace detail {

inline const decode_tables& decode_table(alphabet a) noexcept {
  return a == alphabet::url ? decode_table_url : decode_table_std;
}
inline const encode_tables& encode_table(alphabet a) noexcept {
  return a == alphabet::url ? encode_table_url : encode_table_std;
}

/// Dispatches to the best decode kernel allowed by simd::active().
inline bulk_result decode_bulk(const char* in, std::size_t n, char* out, std::size_t cap,
                               alphabet a, bool skip_eol, simd::level lvl) noexcept {
  bulk_result r{};
#if MAILWIRE_X86_SIMD
  if (lvl == simd::level::avx512vbmi) {
    r = decode_bulk_avx512(in, n, out, cap, static_cast<int>(a), skip_eol);
  } else if (lvl == simd::level::avx2) {
    r = decode_bulk_avx2(in, n, out, cap, static_cast<int>(a), skip_eol);
  }
#elif MAILWIRE_NEON
  if (lvl == simd::level::neon) r = decode_bulk_neon(in, n, out, cap, static_cast<int>(a), skip_eol);
#else
  (void)lvl;
#endif
  const bulk_result s = decode_bulk_scalar(in + r.in, n - r.in, out + r.out, cap - r.out,
                                           decode_table(a), skip_eol);
  return {r.in + s.in, r.out + s.out};
}

/// Encodes n bytes (a multiple of 3) with the best kernel allowed by simd::active().
inline void encode_run(const char* in, std::size_t n, char* out, alphabet a,
                       simd::level lvl) noexcept {
#if MAILWIRE_X86_SIMD
  if (lvl == simd::level::avx512vbmi) return encode_run_avx512(in, n, out, static_cast<int>(a));
  if (lvl == simd::level::avx2) return encode_run_avx2(in, n, out, static_cast<int>(a));
#elif MAILWIRE_NEON
  if (lvl == simd::level::neon) return encode_run_neon(in, n, out, static_cast<int>(a));
#else
  (void)lvl;
#endif
  encode_run_scalar(in, n, out, encode_table(a));
}

/// Encodes `lines` whole lines of `lb` bytes (a multiple of 3), each followed by `eol`.
inline void encode_lines(const char* in, std::size_t lines, std::size_t lb, char* out,
                         std::string_view eol, alphabet a, simd::level lvl) noexcept {
#if MAILWIRE_X86_SIMD
  if (lvl == simd::level::avx512vbmi)
    return encode_lines_avx512(in, lines, lb, out, eol.data(), eol.size(), static_cast<int>(a));
  if (lvl == simd::level::avx2)
    return encode_lines_avx2(in, lines, lb, out, eol.data(), eol.size(), static_cast<int>(a));
#elif MAILWIRE_NEON
  if (lvl == simd::level::neon)
    return encode_lines_neon(in, lines, lb, out, eol.data(), eol.size(), static_cast<int>(a));
#else
  (void)lvl;
#endif
  encode_lines_scalar(in, lines, lb, out, eol.data(), eol.size(), encode_table(a));
}

}  // namespace detail

/// Streaming base64 encoder (RFC 4648 section 4/5, RFC 2045 section 6.8 with line_length 76).
/// Feed input in any chunks; the output is the same as one-shot encode().
class stream_encoder {
 public:
  explicit stream_encoder(const encode_options& o = {}) noexcept : opt_(o) {}

  /// Encodes from `in` into `out`. With `final`, completes the last quantum (and line).
  /// Never fails except for local misuse (input after final).
  [[nodiscard]] codec_result<errc> encode(std::string_view in, std::span<char> out,
                                          bool final) noexcept {
    codec_result<errc> r;
    if (finished_ && !in.empty()) {
      r.st = status::error;
      r.error = errc::local_input_after_final;
      return r;
    }
    std::size_t i = 0, o = 0;
    flush(out, o);
    if (pend_pos_ < pend_len_) return finish(r, i, o, in.size(), final);
    const simd::level lvl = simd::active();
    const std::size_t n = in.size(), cap = out.size();
    // 1. Complete a quantum left over from the previous call.
    if (part_len_ > 0) {
      while (part_len_ < 3 && i < n) part_[part_len_++] = in[i++];
      if (part_len_ == 3) {
        char q[4];
        detail::encode_run_scalar(part_, 3, q, detail::encode_table(opt_.alpha));
        part_len_ = 0;
        put(q, 4, out, o);
      }
    }
    // 2. Bulk: whole quanta straight into `out` while the line layout allows it.
    const std::size_t L = opt_.line_length;
    const std::string_view eol = to_chars(opt_.eol);
    if (part_len_ == 0 && pend_pos_ == pend_len_ && L % 4 == 0) {
      for (;;) {
        if (L != 0 && col_ == L) {
          if (n - i < 1 || cap - o < eol.size()) break;
          std::memcpy(out.data() + o, eol.data(), eol.size());
          o += eol.size();
          col_ = 0;
        }
        if (L != 0 && col_ == 0 && n - i > L / 4 * 3) {
          // Whole lines, each followed by more input (so its line break is certain).
          const std::size_t lb = L / 4 * 3;
          std::size_t m = (n - i - 1) / lb;
          if ((cap - o) / (L + eol.size()) < m) m = (cap - o) / (L + eol.size());
          if (m != 0) {
            detail::encode_lines(in.data() + i, m, lb, out.data() + o, eol, opt_.alpha, lvl);
            i += m * lb;
            o += m * (L + eol.size());
            continue;
          }
        }
        std::size_t q = (n - i) / 3;
        if ((cap - o) / 4 < q) q = (cap - o) / 4;
        if (L != 0 && (L - col_) / 4 < q) q = (L - col_) / 4;
        if (q == 0) break;
        detail::encode_run(in.data() + i, q * 3, out.data() + o, opt_.alpha, lvl);
        i += q * 3;
        o += q * 4;
        col_ += q * 4;
      }
    }
    // 3. Whatever is left, quantum by quantum (any line length, output nearly full).
    while (n - i >= 3 && pend_pos_ == pend_len_) {
      char q[4];
      detail::encode_run_scalar(in.data() + i, 3, q, detail::encode_table(opt_.alpha));
      i += 3;
      put(q, 4, out, o);
    }
    if (pend_pos_ == pend_len_)
      while (i < n && n - i < 3) part_[part_len_++] = in[i++];
    // 4. The end: the partial quantum with its padding, and the last line break.
    if (final && i == n && !finished_ && pend_pos_ == pend_len_) {
      if (part_len_ > 0) {
        char q[4];
        const char* abc = detail::alphabet_chars[static_cast<int>(opt_.alpha)];
        const auto b0 = static_cast<unsigned char>(part_[0]);
        const auto b1 = part_len_ > 1 ? static_cast<unsigned char>(part_[1]) : 0u;
        q[0] = abc[b0 >> 2];
        q[1] = abc[((b0 & 3u) << 4) | (b1 >> 4)];
        q[2] = part_len_ > 1 ? abc[(b1 & 15u) << 2] : '=';
        q[3] = '=';
        put(q, opt_.padding ? 4 : part_len_ + 1u, out, o);
        part_len_ = 0;
      }
      if (L != 0 && opt_.final_line_break && col_ > 0) {
        put_raw(eol.data(), eol.size(), out, o);
        col_ = 0;
      }
      finished_ = true;
    }
    return finish(r, i, o, n, final);
  }

  /// Forgets everything; the encoder is as new.
  void reset() noexcept { *this = stream_encoder(opt_); }

  [[nodiscard]] const encode_options& options() const noexcept { return opt_; }

 private:
  codec_result<errc> finish(codec_result<errc>& r, std::size_t i, std::size_t o, std::size_t n,
                            bool final) noexcept {
    r.consumed = i;
    r.produced = o;
    if (i < n || pend_pos_ < pend_len_) r.st = status::paused;
    else r.st = final ? (finished_ ? status::event : status::paused) : status::need_more;
    return r;
  }
  void flush(std::span<char> out, std::size_t& o) noexcept {
    while (pend_pos_ < pend_len_ && o < out.size()) out[o++] = pend_[pend_pos_++];
    if (pend_pos_ == pend_len_) pend_pos_ = pend_len_ = 0;
  }
  void put_raw(const char* s, std::size_t k, std::span<char> out, std::size_t& o) noexcept {
    for (std::size_t j = 0; j < k; ++j) {
      if (pend_len_ == 0 && o < out.size()) out[o++] = s[j];
      else pend_[pend_len_++] = s[j];
    }
  }
  // Writes characters with line wrapping; what does not fit waits in pend_.
  void put(const char* s, std::size_t k, std::span<char> out, std::size_t& o) noexcept {
    const std::string_view eol = to_chars(opt_.eol);
    for (std::size_t j = 0; j < k; ++j) {
      if (opt_.line_length != 0 && col_ == opt_.line_length) {
        put_raw(eol.data(), eol.size(), out, o);
        col_ = 0;
      }
      put_raw(s + j, 1, out, o);
      ++col_;
    }
  }

  encode_options opt_;
  std::size_t col_ = 0;  // characters on the current line
  char part_[3] = {};    // input bytes of an incomplete quantum
  std::uint8_t part_len_ = 0;
  char pend_[16] = {};   // output that did not fit
  std::uint8_t pend_len_ = 0, pend_pos_ = 0;
  bool finished_ = false;
};

/// Streaming base64 decoder, MIME or strict (see the top of this file). Split-invariant: the
/// output, defects and error offset do not depend on how the input is chunked.
class stream_decoder {
 public:
  explicit stream_decoder(const decode_options& o = {}) noexcept : opt_(o) {}

  /// Decodes from `in` into `out`. With `final`, the end of the data is checked (padding).
  [[nodiscard]] codec_result<errc> decode(std::string_view in, std::span<char> out,
                                          bool final) noexcept {
    codec_result<errc> r;
    std::size_t i = 0, o = 0;
    if (err_ == errc::ok && finished_ && !in.empty()) fail(errc::local_input_after_final, offset_);
    if (err_ != errc::ok) return error_result(r, i, o);
    flush(out, o);
    const std::size_t n = in.size(), cap = out.size();
    const auto& tab = detail::decode_table(opt_.alpha);
    const simd::level lvl = simd::active();
    while (i < n && pend_len_ == 0) {
      if (ended_) {  // after the final padding
        if (opt_.strict) {
          if (fail(in[i] == '=' ? errc::bad_padding : errc::data_after_padding, offset_ + i))
            return error_result(r, i, o);
        }
        for (; i < n; ++i)
          if (tab.value[static_cast<unsigned char>(in[i])] < detail::pad_value)
            defects_ |= bit(errc::data_after_padding);
        break;
      }
      if (n_ == 0 && pads_ == 0) {
        const auto b = detail::decode_bulk(in.data() + i, n - i, out.data() + o, cap - o,
                                           opt_.alpha, !opt_.strict, lvl);
        i += b.in;
        o += b.out;
        if (b.in != 0) last_data_ = offset_ + i - 1;
        if (i == n) break;
      }
      const auto c = static_cast<unsigned char>(in[i]);
      const std::uint8_t v = tab.value[c];
      if (v < 64) {
        if (pads_ > 0) {  // "QQ=Q": padding in the middle of a quantum
          if (opt_.strict && fail(errc::bad_padding, offset_ + i)) return error_result(r, i, o);
          defects_ |= bit(errc::bad_padding);
          pads_ = 0;
        }
        acc_ = (acc_ << 6) | v;
        last_data_ = offset_ + i;
        if (++n_ == 4) {
          emit(acc_, 3, out, o);
          acc_ = 0;
          n_ = 0;
        }
      } else if (v == detail::pad_value) {
        if (n_ < 2) {
          if (opt_.strict && fail(errc::bad_padding, offset_ + i)) return error_result(r, i, o);
          defects_ |= bit(errc::bad_padding);
        } else if (n_ + ++pads_ == 4) {
          if (!end_quantum(out, o)) return error_result(r, i, o);
        }
      } else {
        if (opt_.strict && fail(errc::invalid_character, offset_ + i)) return error_result(r, i, o);
        if (v == detail::bad_value) defects_ |= bit(errc::invalid_character);
      }
      ++i;
    }
    offset_ += i;
    if (final && i == n && !finished_ && pend_len_ == 0) {
      if (!ended_ && (n_ > 0 || pads_ > 0)) {
        if (n_ == 1 || (n_ == 0 && pads_ > 0)) {
          if (opt_.strict && fail(errc::truncated_quantum, offset_)) return error_result(r, i, o);
          defects_ |= bit(errc::truncated_quantum);
        } else if (opt_.require_padding || pads_ > 0) {
          // A final quantum without its padding: an error in strict mode; dropped in MIME
          // mode, as GMime and glib do (RFC 2045 section 6.8 expects whole quanta).
          if (opt_.strict && fail(errc::missing_padding, offset_)) return error_result(r, i, o);
          defects_ |= bit(errc::missing_padding);
          acc_ = 0;
          n_ = 0;
          pads_ = 0;
        } else {
          if (!end_quantum(out, o)) return error_result(r, i, o);
        }
      }
      finished_ = true;
    }
    r.consumed = i;
    r.produced = o;
    if (i < n || pend_len_ > 0) r.st = status::paused;
    else r.st = final ? (finished_ ? status::event : status::paused) : status::need_more;
    return r;
  }

  /// Forgets everything, including a sticky error; the decoder is as new.
  void reset() noexcept { *this = stream_decoder(opt_); }

  /// Irregularities met so far in MIME mode, as a set of errc bits (see has_defect()).
  [[nodiscard]] std::uint32_t defects() const noexcept { return defects_; }
  /// True if the MIME-mode decoder met irregularity `e` (skipped garbage, missing padding...).
  [[nodiscard]] bool has_defect(errc e) const noexcept { return (defects_ & bit(e)) != 0; }
  /// True once the final padding has been seen (the rest of the input is not data).
  [[nodiscard]] bool padding_seen() const noexcept { return ended_; }
  [[nodiscard]] const decode_options& options() const noexcept { return opt_; }

 private:
  static constexpr std::uint32_t bit(errc e) noexcept { return 1u << static_cast<unsigned>(e); }

  bool fail(errc e, std::uint64_t off) noexcept {
    if (err_ == errc::ok) {
      err_ = e;
      err_off_ = off;
    }
    return true;
  }
  // On error, `consumed` and `produced` cover what came before the offending byte.
  codec_result<errc> error_result(codec_result<errc>& r, std::size_t i,
                                  std::size_t o) const noexcept {
    r.consumed = i;
    r.produced = o;
    r.st = status::error;
    r.error = err_;
    r.error_offset = err_off_;
    return r;
  }
  // Closes a final quantum of n_ (2 or 3) characters: 1 or 2 bytes, after the pad-bit check.
  bool end_quantum(std::span<char> out, std::size_t& o) noexcept {
    const unsigned bytes = n_ - 1u;
    const unsigned spare = n_ == 2 ? 4u : 2u;
    if (acc_ & ((1u << spare) - 1u)) {
      if (opt_.strict) {
        fail(errc::nonzero_pad_bits, last_data_);
        return false;
      }
      defects_ |= bit(errc::nonzero_pad_bits);
    }
    const std::uint32_t v = (acc_ >> spare) << (8 * (3 - bytes));
    emit(v, bytes, out, o);
    acc_ = 0;
    n_ = 0;
    pads_ = 0;
    ended_ = true;
    return true;
  }
  void emit(std::uint32_t v, unsigned bytes, std::span<char> out, std::size_t& o) noexcept {
    for (unsigned k = 0; k < bytes; ++k) {
      const char ch = static_cast<char>(v >> (16 - 8 * k));
      if (pend_len_ == 0 && o < out.size()) out[o++] = ch;
      else pend_[pend_len_++] = ch;
    }
  }
  void flush(std::span<char> out, std::size_t& o) noexcept {
    std::size_t k = 0;
    while (k < pend_len_ && o < out.size()) out[o++] = pend_[k++];
    if (k > 0) {
      std::memmove(pend_, pend_ + k, pend_len_ - k);
      pend_len_ = static_cast<std::uint8_t>(pend_len_ - k);
    }
  }

  decode_options opt_;
  std::uint64_t offset_ = 0;     // stream offset of the next input byte
  std::uint64_t last_data_ = 0;  // stream offset of the last alphabet character
  std::uint64_t err_off_ = 0;
  std::uint32_t acc_ = 0;        // sextets of the current quantum
  std::uint32_t defects_ = 0;
  std::uint8_t n_ = 0;           // characters in the current quantum
  std::uint8_t pads_ = 0;        // '=' seen after them
  char pend_[3] = {};            // decoded bytes that did not fit in `out`
  std::uint8_t pend_len_ = 0;
  errc err_ = errc::ok;
  bool ended_ = false;           // the final padding has been seen
  bool finished_ = false;        // the final call has been processed
};

/// One-shot encode into `out`, which must hold encoded_size(in.size(), o) bytes.
/// Returns the number of characters written.
inline std::size_t encode(std::string_view in, std::span<char> out,
                          const encode_options& o = {}) noexcept {
  stream_encoder enc(o);
  return enc.encode(in, out, true).produced;
}

/// One-shot encode into a new string.
[[nodiscard]] inline std::string encode(std::string_view in, const encode_options& o = {}) {
  std::string s(encoded_size(in.size(), o), '\0');
  s.resize(encode(in, std::span<char>(s), o));
  return s;
}

/// One-shot decode into `out` (which should hold max_decoded_size(in.size()) bytes; if it is
/// smaller the result is status::paused). status::event on success.
[[nodiscard]] inline codec_result<errc> decode(std::string_view in, std::span<char> out,
                                               const decode_options& o = {}) noexcept {
  stream_decoder dec(o);
  return dec.decode(in, out, true);
}

/// One-shot decode, appending to `out`. status::event on success.
inline codec_result<errc> decode(std::string_view in, std::string& out,
                                 const decode_options& o = {}) {
  const std::size_t old = out.size();
  out.resize(old + max_decoded_size(in.size()));
  auto r = decode(in, std::span<char>(out.data() + old, out.size() - old), o);
  out.resize(old + r.produced);
  return r;
}

}  // namespace mailwire::base64

template <>
struct std::is_error_code_enum<mailwire::base64::errc> : std::true_type {};
