// mailwire/codec/quoted_printable.hpp — quoted-printable of RFC 2045 section 6.7, one-shot and
// streaming, and the "Q" encoding of RFC 2047 section 4.2 for encoded-words, with SIMD paths
// chosen at run time (AVX-512 VBMI2, AVX2, portable scalar).
//
//   namespace qp = mailwire::qp;
//   std::string text = qp::encode("Caf\xC3\xA9 cr\xC3\xA8me\r\n");   // "Caf=C3=A9 cr=C3=A8me\r\n"
//
//   std::string bytes;
//   auto r = qp::decode(text, bytes);        // lenient: malformed '=' sequences are kept as data
//   if (!r.ok()) { /* strict mode only: r.error at r.error_offset */ }
//
//   // Streaming, any chunking (the result is the same however the input is split):
//   qp::stream_decoder dec({.strict = true});
//   auto r = dec.decode(chunk, std::span<char>(buf), /*final=*/false);
//
//   std::string word = "=?UTF-8?Q?" + qp::q_encode("Andr\xC3\xA9") + "?=";   // RFC 2047 "Q"
//
// Decoding (RFC 2045 section 6.7), lenient by default; strict mode turns the defects into errors:
// - "=XY" with two hex digits is that octet; lower-case digits are decoded too (defect
//   lowercase_hex: rule 1 asks for upper case; the section's NOTE on illegal substrings, (1)).
// - A soft line break, "=" then optional SP/HTAB (the grammar's transport-padding) then CRLF or
//   a bare LF, is removed; so is a "=" (optionally followed by SP/HTAB) at the very end of the
//   data, which real mail often has (NOTE (3) would keep it).
// - Any other "=" is malformed: the "=" and what follows are kept as data (defect
//   malformed_escape), as NOTE (2) suggests.
// - Hard line breaks (CRLF or a bare LF) are copied as found; a bare CR is data.
// - Rule 3: SP/HTAB just before a hard line break or at the end of the data were added in
//   transit and are removed (an encoded =20 or =09 is data). Only runs of up to 1024 such
//   octets are held back and removed; a longer run is data (the decoder's state stays bounded,
//   and the result is the same in every chunking).
//
// Encoding: octets 33-126 but "=" are literal (rule 2), SP/HTAB are literal unless a line break
// or the end of the data follows (rule 3), everything else is "=XY" (rule 1). In text mode CRLF
// and bare LF are hard line breaks written as `eol` and a bare CR is "=0D"; in binary mode CR and
// LF are encoded too. Lines are cut with soft line breaks so that no line is longer than
// line_length characters (rule 5), never inside an "=XY".
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "mailwire/codec/detail/qp_kernels.hpp"
#include "mailwire/codec/detail/qp_tables.hpp"
#include "mailwire/core/cpu.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line.hpp"
#include "mailwire/core/result.hpp"

namespace mailwire::qp {

/// Why quoted-printable input is malformed. In lenient mode these are recorded as defects.
enum class errc : std::uint8_t {
  ok = 0,                   ///< no error
  malformed_escape,         ///< '=' followed by neither two hex digits nor a (soft) line break
                            ///< (RFC 2045 section 6.7, NOTE on illegal substrings (2), (3))
  lowercase_hex,            ///< '=' followed by lower-case hex digits (RFC 2045 requires upper
                            ///< case: section 6.7 rule 1, NOTE (1))
  local_input_after_final,  ///< host misuse: input given after a call with final = true
};

[[nodiscard]] constexpr std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::ok: return "ok";
    case errc::malformed_escape: return "malformed quoted-printable escape";
    case errc::lowercase_hex: return "lower-case hex digit in quoted-printable escape";
    case errc::local_input_after_final: return "input after the final call";
  }
  return "unknown quoted-printable error";
}
[[nodiscard]] constexpr const char* category_name(errc) noexcept { return "mailwire.qp"; }
[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept { return make_code(e); }

/// Options of the quoted-printable encoder (RFC 2045 section 6.7).
struct encode_options {
  bool binary = false;            ///< encode CR and LF too (=0D =0A): binary data (rule 4 does not apply)
  line_ending eol = line_ending::crlf;  ///< written for hard and soft line breaks (mailwire/core/line.hpp)
  /// Longest encoded line, in characters without `eol` but with a soft break's '=' (rule 5: 76).
  /// Values 1-3 act as 4 (the least that always fits "=XY="); 0 means no limit.
  std::size_t line_length = 76;
  bool protect_dot = false;       ///< encode '.' at the start of a line as =2E (SMTP/POP3 transparency)
  bool protect_from = false;      ///< encode the 'F' of "From " at the start of a line as =46 (mbox)
  bool ebcdic_safe = false;       ///< also encode !"#$@[\]^`{|}~ (RFC 2045 section 6.7, EBCDIC NOTE)
};

/// Options of the quoted-printable decoder.
struct decode_options {
  bool strict = false;  ///< malformed "=" sequences and lower-case hex are errors, not defects
};

namespace detail {
[[nodiscard]] constexpr std::size_t effective_line_length(std::size_t l) noexcept {
  return l == 0 ? 0 : (l < 4 ? 4 : l);
}
}  // namespace detail

/// An upper bound of the encoding of n octets: at most 3 characters per octet, plus a soft line
/// break after every line_length - 3 or more characters (RFC 2045 section 6.7 rule 5).
[[nodiscard]] constexpr std::size_t max_encoded_size(std::size_t n,
                                                     const encode_options& o = {}) noexcept {
  const std::size_t chars = 3 * n;
  const std::size_t l = detail::effective_line_length(o.line_length);
  if (l == 0) return chars;
  const std::size_t soft = (chars + (l - 3) - 1) / (l - 3);
  return chars + soft * (1 + to_chars(o.eol).size());
}

/// Upper bound of the decoded size of n input characters (decoding never grows the data).
[[nodiscard]] constexpr std::size_t max_decoded_size(std::size_t n) noexcept { return n; }

/// Streaming quoted-printable encoder (RFC 2045 section 6.7). Feed input in any chunks; the
/// output is the same as one-shot encode(). State is bounded: up to 4 octets of look-ahead
/// (for rule 3 and protect_from) and up to 6 characters of output that did not fit.
class stream_encoder {
 public:
  explicit stream_encoder(const encode_options& o = {}) noexcept : opt_(o) {
    L_ = detail::effective_line_length(o.line_length);
    ctx_.cls = detail::encode_classes[(o.binary ? 2 : 0) + (o.ebcdic_safe ? 1 : 0)].data();
    ctx_.limit = L_ == 0 ? static_cast<std::size_t>(-1) / 4 : L_ - 1;
    const std::string_view eol = to_chars(o.eol);
    ctx_.eol = eol.data();
    ctx_.eol_len = eol.size();
    ctx_.protect = o.protect_dot || o.protect_from;
    ctx_.text = !o.binary;
    ctx_.ebcdic = o.ebcdic_safe;
  }

  /// Encodes from `in` into `out`. With `final`, the end of the data is known (rule 3 applies
  /// to trailing SP/HTAB). Never fails except for local misuse (input after final).
  [[nodiscard]] codec_result<errc> encode(std::string_view in, std::span<char> out,
                                          bool final) noexcept {
    codec_result<errc> r;
    if (finished_ && !in.empty()) {
      r.st = status::error;
      r.error = errc::local_input_after_final;
      return r;
    }
    std::size_t i = 0, o = 0;
    const std::size_t n = in.size();
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    flush(out, o);
    if (pending()) return finish(r, i, o, n, final);
    // 1. Octets held back for look-ahead, completed with the first octets of `in`.
    if (clen_ > 0) {
      unsigned char stage[16];
      std::memcpy(stage, carry_, clen_);
      const std::size_t take = n < sizeof(stage) - clen_ ? n : sizeof(stage) - clen_;
      if (take > 0) std::memcpy(stage + clen_, p, take);
      const std::size_t slen = clen_ + take;
      const bool sfinal = final && take == n;
      std::size_t sp = 0, k = 1;
      while (sp < clen_ && !pending()) {
        k = step(stage + sp, slen - sp, sfinal, out, o);
        if (k == 0) break;
        sp += k;
      }
      if (sp >= clen_) {
        i = sp - clen_;
        clen_ = 0;
      } else if (k == 0) {  // still too little look-ahead: all of `in` is in the stage
        std::memmove(carry_, stage + sp, slen - sp);
        clen_ = static_cast<std::uint8_t>(slen - sp);
        i = n;
      } else {  // output full
        std::memmove(carry_, carry_ + sp, clen_ - sp);
        clen_ = static_cast<std::uint8_t>(clen_ - sp);
      }
    }
    // 2. Bulk, then one octet at a time where the bulk kernel stops.
    if (clen_ == 0) {
      const simd::level lvl = simd::active();
      while (i < n && !pending()) {
        const auto b = detail::encode_bulk(in.data() + i, n - i, out.data() + o, out.size() - o,
                                           col_, ctx_, lvl);
        i += b.in;
        o += b.out;
        col_ = b.col;
        if (i == n) break;
        const std::size_t k = step(p + i, n - i, final, out, o);
        if (k == 0) break;
        i += k;
      }
      // 3. Fewer octets than the look-ahead needs, and more to come: keep them.
      if (i < n && !final && !pending()) {
        clen_ = static_cast<std::uint8_t>(n - i);
        std::memcpy(carry_, p + i, n - i);
        i = n;
      }
    }
    if (final && i == n && clen_ == 0 && !pending()) finished_ = true;
    return finish(r, i, o, n, final);
  }

  /// Forgets everything; the encoder is as new.
  void reset() noexcept { *this = stream_encoder(opt_); }

  [[nodiscard]] const encode_options& options() const noexcept { return opt_; }

 private:
  static constexpr std::size_t lookahead = 5;  // "From " at the start of a line

  [[nodiscard]] bool pending() const noexcept { return ppos_ < plen_; }

  codec_result<errc> finish(codec_result<errc>& r, std::size_t i, std::size_t o, std::size_t n,
                            bool final) const noexcept {
    r.consumed = i;
    r.produced = o;
    if (i < n || pending()) r.st = status::paused;
    else r.st = final ? (finished_ ? status::event : status::paused) : status::need_more;
    return r;
  }
  void flush(std::span<char> out, std::size_t& o) noexcept {
    while (ppos_ < plen_ && o < out.size()) out[o++] = pend_[ppos_++];
    if (ppos_ == plen_) ppos_ = plen_ = 0;
  }
  void put(const char* s, std::size_t k, std::span<char> out, std::size_t& o) noexcept {
    for (std::size_t j = 0; j < k; ++j) {
      if (!pending() && o < out.size()) out[o++] = s[j];
      else pend_[plen_++] = s[j];
    }
  }

  /// Encodes the octet at p[0] (or a CRLF), seeing p[0, avail); `final`: nothing follows.
  /// Returns the octets consumed, or 0 when the look-ahead is too short. This is the reference
  /// behaviour; the bulk kernels only take the shortcuts that give the same characters.
  std::size_t step(const unsigned char* p, std::size_t avail, bool final, std::span<char> out,
                   std::size_t& o) noexcept {
    if (avail < lookahead && !final) return 0;
    auto at = [&](std::size_t k) -> int { return k < avail ? static_cast<int>(p[k]) : -1; };
    const bool text = !opt_.binary;
    const unsigned char c = p[0];
    const std::string_view eol = to_chars(opt_.eol);
    if (text && (c == '\n' || (c == '\r' && at(1) == '\n'))) {  // hard line break
      put(eol.data(), eol.size(), out, o);
      col_ = 0;
      return c == '\n' ? 1 : 2;
    }
    // Is this the last character of its line (a hard line break or the end follows)?
    const int d = at(1);
    const bool last = d < 0 || (text && (d == '\n' || (d == '\r' && at(2) == '\n')));
    const std::uint8_t k = ctx_.cls[c];
    bool esc = k == detail::cls_escape || k == detail::cls_break ||
               (k == detail::cls_wsp && last);
    std::size_t w = esc ? 3 : 1;
    // Rule 5: room for the '=' of a soft break, except on a line that ends here anyway.
    if (L_ != 0 && col_ + w > (last ? L_ : L_ - 1)) {
      put("=", 1, out, o);
      put(eol.data(), eol.size(), out, o);
      col_ = 0;
    }
    if (col_ == 0 && !esc &&
        ((opt_.protect_dot && c == '.') ||
         (opt_.protect_from && c == 'F' && at(1) == 'r' && at(2) == 'o' && at(3) == 'm' &&
          at(4) == ' '))) {
      esc = true;
      w = 3;
    }
    if (esc) put(detail::escapes[c].data(), 3, out, o);
    else put(reinterpret_cast<const char*>(p), 1, out, o);
    col_ += w;
    return 1;
  }

  encode_options opt_;
  detail::encode_ctx ctx_;
  std::size_t L_ = 76;       // effective line length, 0 = none
  std::size_t col_ = 0;      // characters on the current output line
  unsigned char carry_[8] = {};  // input octets waiting for look-ahead
  std::uint8_t clen_ = 0;
  char pend_[8] = {};        // output that did not fit
  std::uint8_t plen_ = 0, ppos_ = 0;
  bool finished_ = false;
};

/// Streaming quoted-printable decoder (RFC 2045 section 6.7), lenient or strict (see the top of
/// this file). Split-invariant: the output, defects and error offset do not depend on how the
/// input is chunked. State is bounded: a run of up to 1024 SP/HTAB (rule 3) is held back.
class stream_decoder {
 public:
  explicit stream_decoder(const decode_options& o = {}) noexcept : opt_(o) {}

  /// Decodes from `in` into `out`. With `final`, the end of the data is handled (a trailing
  /// "=" is a soft break, trailing SP/HTAB are removed).
  [[nodiscard]] codec_result<errc> decode(std::string_view in, std::span<char> out,
                                          bool final) noexcept {
    codec_result<errc> r;
    std::size_t i = 0, o = 0;
    if (err_ == errc::ok && finished_ && !in.empty()) fail(errc::local_input_after_final, offset_);
    if (err_ != errc::ok) return error_result(r, i, o);
    flush(out, o);
    const std::size_t n = in.size(), cap = out.size();
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    const simd::level lvl = simd::active();
    while (i < n && !pending()) {
      if (st_ == state::normal && o < cap) {
        // Bulk: never more input than output room, so the kernel needs no output checks.
        const std::size_t m = n - i < cap - o ? n - i : cap - o;
        bool lower = false;
        const auto b = detail::decode_bulk(in.data() + i, m, out.data() + o, opt_.strict, lower, lvl);
        if (lower) defects_ |= bit(errc::lowercase_hex);
        i += b.in;
        o += b.out;
        if (i == n) break;
      }
      const int s = step(p[i], offset_ + i, out, o);
      if (s < 0) return error_result(r, i, o);
      i += static_cast<std::size_t>(s);
    }
    offset_ += i;
    if (final && i == n && !finished_ && !pending()) {
      if (!end_of_data(out, o)) return error_result(r, i, o);
      finished_ = true;
    }
    r.consumed = i;
    r.produced = o;
    if (i < n || pending()) r.st = status::paused;
    else r.st = final ? (finished_ ? status::event : status::paused) : status::need_more;
    return r;
  }

  /// Forgets everything, including a sticky error; the decoder is as new.
  void reset() noexcept { *this = stream_decoder(opt_); }

  /// Irregularities met so far in lenient mode, as a set of (1u << errc) bits.
  [[nodiscard]] std::uint32_t defects() const noexcept { return defects_; }
  /// True if the lenient decoder met irregularity `e` (malformed_escape, lowercase_hex).
  [[nodiscard]] bool has_defect(errc e) const noexcept { return (defects_ & bit(e)) != 0; }
  [[nodiscard]] const decode_options& options() const noexcept { return opt_; }

 private:
  // What the held bytes are (hold_ is hold_[0, hlen_)):
  enum class state : std::uint8_t {
    normal,   // nothing held
    wsp,      // SP/HTAB that a hard line break may remove
    cr,       // [SP/HTAB] CR: a hard line break if LF follows, else data
    long_wsp, // inside a run of more than wsp_cap SP/HTAB: data
    eq,       // "="
    eq_hex,   // "=X", X a hex digit
    eq_wsp,   // "=" SP/HTAB...: a soft break if CRLF, LF or the end follows
    eq_cr,    // "=" [SP/HTAB] CR
  };

  static constexpr std::uint32_t bit(errc e) noexcept { return 1u << static_cast<unsigned>(e); }

  [[nodiscard]] bool pending() const noexcept { return ppos_ < plen_; }

  void fail(errc e, std::uint64_t off) noexcept {
    if (err_ == errc::ok) {
      err_ = e;
      err_off_ = off;
    }
  }
  codec_result<errc> error_result(codec_result<errc>& r, std::size_t i,
                                  std::size_t o) const noexcept {
    r.consumed = i;
    r.produced = o;
    r.st = status::error;
    r.error = err_;
    r.error_offset = err_off_;
    return r;
  }
  void flush(std::span<char> out, std::size_t& o) noexcept {
    if (!pending()) return;
    std::size_t k = plen_ - ppos_;
    if (k > out.size() - o) k = out.size() - o;
    if (k == 0) return;  // (out may be an empty span with no storage)
    std::memcpy(out.data() + o, hold_ + ppos_, k);
    o += k;
    ppos_ += k;
    if (ppos_ == plen_) ppos_ = plen_ = 0;
  }
  // The buffer holds either undecided bytes (hlen_) or output that did not fit (ppos_, plen_),
  // never both.
  void emit(char c, std::span<char> out, std::size_t& o) noexcept {
    if (!pending() && o < out.size()) out[o++] = c;
    else hold_[plen_++] = c;
  }
  void hold(unsigned char c) noexcept { hold_[hlen_++] = static_cast<char>(c); }
  // The held bytes turn out to be data.
  void release(std::span<char> out, std::size_t& o) noexcept {
    std::size_t k = hlen_;
    if (k > out.size() - o) k = out.size() - o;
    if (k > 0) std::memcpy(out.data() + o, hold_, k);
    o += k;
    ppos_ = k;
    plen_ = hlen_;
    hlen_ = 0;
    if (ppos_ == plen_) ppos_ = plen_ = 0;
  }
  // A malformed '=' sequence: an error in strict mode, else the held bytes are data.
  int malformed(std::span<char> out, std::size_t& o, state next) noexcept {
    if (opt_.strict) {
      fail(errc::malformed_escape, eq_off_);
      return -1;
    }
    defects_ |= bit(errc::malformed_escape);
    release(out, o);
    st_ = next;
    return 0;
  }

  /// One input byte c at stream offset `off`. Returns 1 if consumed, 0 if it must be seen again
  /// (in the new state), -1 on a strict-mode error.
  int step(unsigned char c, std::uint64_t off, std::span<char> out, std::size_t& o) noexcept {
    const bool ws = detail::is_wsp(c);
    switch (st_) {
      case state::normal:
        if (c == '=') {
          eq_off_ = off;
          st_ = state::eq;
        } else if (ws) {
          st_ = state::wsp;
        } else if (c == '\r') {
          st_ = state::cr;
        } else {
          emit(static_cast<char>(c), out, o);
          return 1;
        }
        hold(c);
        return 1;
      case state::long_wsp:
        if (ws) {
          emit(static_cast<char>(c), out, o);
          return 1;
        }
        st_ = state::normal;
        return 0;
      case state::wsp:
        if (ws) {
          if (hlen_ < detail::wsp_cap) {
            hold(c);
            return 1;
          }
          release(out, o);  // too long to be transport padding: data
          st_ = state::long_wsp;
          return 0;
        }
        if (c == '\r') {
          hold(c);
          st_ = state::cr;
          return 1;
        }
        if (c == '\n') {  // rule 3: the SP/HTAB before a hard line break go
          hlen_ = 0;
          emit('\n', out, o);
          st_ = state::normal;
          return 1;
        }
        release(out, o);
        st_ = state::normal;
        return 0;
      case state::cr:
        if (c == '\n') {
          hlen_ = 0;
          emit('\r', out, o);
          emit('\n', out, o);
          st_ = state::normal;
          return 1;
        }
        release(out, o);  // a bare CR, and the SP/HTAB before it, are data
        st_ = state::normal;
        return 0;
      case state::eq:
        if (detail::hex_values[c] != detail::hex_invalid) {
          hold(c);
          st_ = state::eq_hex;
          return 1;
        }
        if (ws || c == '\r') {
          hold(c);
          st_ = ws ? state::eq_wsp : state::eq_cr;
          return 1;
        }
        if (c == '\n') {  // soft line break
          hlen_ = 0;
          st_ = state::normal;
          return 1;
        }
        return malformed(out, o, state::normal);
      case state::eq_hex: {
        const unsigned b = detail::hex_values[c];
        if (b == detail::hex_invalid) return malformed(out, o, state::normal);
        const unsigned a = detail::hex_values[static_cast<unsigned char>(hold_[1])];
        if (((a | b) & detail::hex_lower_flag) != 0) {
          if (opt_.strict) {
            fail(errc::lowercase_hex, eq_off_);
            return -1;
          }
          defects_ |= bit(errc::lowercase_hex);
        }
        hlen_ = 0;
        emit(static_cast<char>(((a & 15u) << 4) | (b & 15u)), out, o);
        st_ = state::normal;
        return 1;
      }
      case state::eq_wsp:
        if (ws) {
          if (hlen_ < detail::wsp_cap + 1) {
            hold(c);
            return 1;
          }
          return malformed(out, o, state::long_wsp);
        }
        if (c == '\r') {
          hold(c);
          st_ = state::eq_cr;
          return 1;
        }
        if (c == '\n') {
          hlen_ = 0;
          st_ = state::normal;
          return 1;
        }
        return malformed(out, o, state::normal);
      case state::eq_cr:
        if (c == '\n') {
          hlen_ = 0;
          st_ = state::normal;
          return 1;
        }
        return malformed(out, o, state::normal);
    }
    return 1;
  }

  /// The end of the data: trailing SP/HTAB and a trailing "=" [SP/HTAB] go; "=X" and "=" CR are
  /// malformed. Returns false on a strict-mode error.
  bool end_of_data(std::span<char> out, std::size_t& o) noexcept {
    switch (st_) {
      case state::wsp:
      case state::eq:
      case state::eq_wsp:
        hlen_ = 0;
        break;
      case state::cr:
        release(out, o);
        break;
      case state::eq_hex:
      case state::eq_cr:
        if (malformed(out, o, state::normal) < 0) return false;
        break;
      case state::normal:
      case state::long_wsp:
        break;
    }
    st_ = state::normal;
    return true;
  }

  decode_options opt_;
  std::uint64_t offset_ = 0;   // stream offset of the next input byte
  std::uint64_t eq_off_ = 0;   // stream offset of the held '='
  std::uint64_t err_off_ = 0;
  std::uint32_t defects_ = 0;
  std::uint16_t hlen_ = 0;     // held bytes
  std::uint16_t ppos_ = 0, plen_ = 0;  // pending output
  state st_ = state::normal;
  errc err_ = errc::ok;
  bool finished_ = false;
  char hold_[detail::wsp_cap + 2] = {};  // "=" + SP/HTAB run + CR at most
};

/// One-shot encode into `out`, which must hold max_encoded_size(in.size(), o) characters.
/// Returns the number of characters written.
inline std::size_t encode(std::string_view in, std::span<char> out,
                          const encode_options& o = {}) noexcept {
  stream_encoder enc(o);
  return enc.encode(in, out, true).produced;
}

/// One-shot encode into a new string.
[[nodiscard]] inline std::string encode(std::string_view in, const encode_options& o = {}) {
  std::string s(max_encoded_size(in.size(), o), '\0');
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

// --- RFC 2047 section 4.2 "Q" -----------------------------------------------------------------

/// Where an encoded-word stands (RFC 2047 section 5), which decides the literal characters.
enum class q_context : std::uint8_t {
  text,     ///< 5 (1): unstructured text, e.g. Subject; printable ASCII but "=", "?", "_"
  comment,  ///< 5 (2): inside a comment; as text, and not "(", ")", '"'
  phrase,   ///< 5 (3): in a phrase (display name); only letters, digits and "!*+-/"
};

/// Exact length of the "Q" encoding of `in` (RFC 2047 section 4.2).
[[nodiscard]] inline std::size_t q_encoded_size(std::string_view in,
                                                q_context c = q_context::phrase) noexcept {
  const auto& lit = detail::q_literals[static_cast<int>(c)];
  std::size_t n = in.size();
  for (const char ch : in)
    if (ch != ' ' && lit[static_cast<unsigned char>(ch)] == 0) n += 2;
  return n;
}

/// "Q"-encodes `in` into `out` (RFC 2047 section 4.2): SP as "_", the literal characters of
/// context `c` as themselves, any other octet as "=XY". Writes whole units only, as many as fit
/// (all of them when out holds q_encoded_size(in, c)); returns the characters written.
inline std::size_t q_encode(std::string_view in, std::span<char> out,
                            q_context c = q_context::phrase) noexcept {
  const auto& lit = detail::q_literals[static_cast<int>(c)];
  std::size_t o = 0;
  const std::size_t cap = out.size();
  for (const char ch : in) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == ' ' || lit[u] != 0) {
      if (o >= cap) break;
      out[o++] = ch == ' ' ? '_' : ch;
    } else {
      if (cap - o < 3) break;
      out[o] = '=';
      out[o + 1] = detail::hex_upper[u >> 4];
      out[o + 2] = detail::hex_upper[u & 15];
      o += 3;
    }
  }
  return o;
}

/// "Q"-encodes `in` into a new string (RFC 2047 section 4.2).
[[nodiscard]] inline std::string q_encode(std::string_view in, q_context c = q_context::phrase) {
  std::string s(q_encoded_size(in, c), '\0');
  s.resize(q_encode(in, std::span<char>(s), c));
  return s;
}

/// Decodes the encoded-text of one "Q" encoded-word (RFC 2047 section 4.2): "_" is SP, "=XY" an
/// octet (lower-case digits accepted unless strict), a malformed "=" is kept as written unless
/// strict (then errc::malformed_escape at its offset). No line breaks are involved. If `out`
/// is too small the result is status::paused and `consumed` says where to go on.
[[nodiscard]] inline codec_result<errc> q_decode(std::string_view in, std::span<char> out,
                                                 const decode_options& o = {}) noexcept {
  codec_result<errc> r;
  std::size_t i = 0, w = 0;
  const std::size_t n = in.size(), cap = out.size();
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  while (i < n) {
    if (w >= cap) break;
    const unsigned char c = p[i];
    if (c == '=') {
      const unsigned a = n - i > 1 ? detail::hex_values[p[i + 1]] : detail::hex_invalid;
      const unsigned b = n - i > 2 ? detail::hex_values[p[i + 2]] : detail::hex_invalid;
      if (((a | b) & detail::hex_invalid) == 0) {
        if (((a | b) & detail::hex_lower_flag) != 0 && o.strict) {
          r.st = status::error;
          r.error = errc::lowercase_hex;
          r.error_offset = i;
          break;
        }
        out[w++] = static_cast<char>(((a & 15u) << 4) | (b & 15u));
        i += 3;
        continue;
      }
      if (o.strict) {
        r.st = status::error;
        r.error = errc::malformed_escape;
        r.error_offset = i;
        break;
      }
      out[w++] = '=';  // kept as written; what follows is read normally
      ++i;
      continue;
    }
    out[w++] = c == '_' ? ' ' : static_cast<char>(c);
    ++i;
  }
  r.consumed = i;
  r.produced = w;
  if (r.st != status::error) r.st = i == n ? status::event : status::paused;
  return r;
}

/// Decodes one "Q" encoded-text, appending to `out` (see above).
inline codec_result<errc> q_decode(std::string_view in, std::string& out,
                                   const decode_options& o = {}) {
  const std::size_t old = out.size();
  out.resize(old + in.size());
  auto r = q_decode(in, std::span<char>(out.data() + old, in.size()), o);
  out.resize(old + r.produced);
  return r;
}

}  // namespace mailwire::qp

template <>
struct std::is_error_code_enum<mailwire::qp::errc> : std::true_type {};
