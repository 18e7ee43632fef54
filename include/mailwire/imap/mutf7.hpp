// mailwire/imap/mutf7.hpp — modified UTF-7 mailbox names (RFC 3501 section 5.1.3, kept by
// RFC 9051 section 5.1.3 for clients that did not enable UTF8=ACCEPT) to and from UTF-8.
//
//   std::string name;
//   auto r = mailwire::imap::decode_mutf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-", name);
//   // r.ok(); name == "~peter/mail/台北/日本語"
//   std::string wire;
//   r = mailwire::imap::encode_mutf7(name, wire);   // wire == "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
//
// The form: printable US-ASCII (0x20-0x7E) but "&" stands for itself; "&" is written "&-";
// every other character is UTF-16, base64 encoded with "," for "/" and no "=" padding, in a run
// "&" ... "-". Each name has exactly one canonical form, and strict decoding (the default)
// rejects every other one, so that decode(x) succeeds iff encode(decode(x)) == x:
// printable ASCII or "&" inside a run, a run right after another run, non-zero pad bits or a
// leftover base64 character, a run without its "-", characters outside [A-Za-z0-9+,] in a run,
// unpaired surrogates, and octets >= 0x80 or control characters outside a run.
// Two named leniencies, off by default, accept what broken clients send (docs/security.md):
// non-canonical runs, and raw UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mailwire/imap/detail/utf8.hpp"
#include "mailwire/imap/errc.hpp"

namespace mailwire::imap {

/// Leniencies of decode_mutf7(); all off (strict RFC 3501 section 5.1.3).
struct mutf7_options {
  /// Accept runs that encode printable ASCII, runs right after runs, non-zero or extra pad bits
  /// and a last run without "-". Risk: two spellings of one name (access checks by name).
  bool lenient_noncanonical = false;
  /// Accept raw well-formed UTF-8 outside runs (clients that send UTF-8 without UTF8=ACCEPT,
  /// RFC 6855). Risk: as above; the decoded name is still valid UTF-8.
  bool lenient_raw_utf8 = false;
};

/// Outcome of encode_mutf7() / decode_mutf7(): errc::ok, or why and at which input offset.
struct mutf7_result {
  errc error = errc::ok;          ///< ok, bad_utf8 (encode) or one of the mutf7_* values
  std::size_t error_offset = 0;   ///< offset in the input of the offending octet
  [[nodiscard]] constexpr bool ok() const noexcept { return error == errc::ok; }
};

namespace detail {

inline constexpr char mutf7_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

[[nodiscard]] constexpr int mutf7_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

[[nodiscard]] constexpr bool mutf7_direct(char c) noexcept {
  return c >= 0x20 && c <= 0x7E;  // printable US-ASCII ("&" is written "&-")
}

/// Decodes `in`; appends to *out unless out is null.
inline mutf7_result decode_mutf7(std::string_view in, std::string* out,
                                 const mutf7_options& opt) {
  const bool lenient = opt.lenient_noncanonical;
  const std::size_t n = in.size();
  std::size_t i = 0;
  bool after_run = false;  // the previous token was a non-empty run
  while (i < n) {
    const char c = in[i];
    if (c == '&') {
      const std::size_t run_start = i;
      std::size_t j = i + 1;
      if (j < n && in[j] == '-') {
        if (out) out->push_back('&');
        i = j + 1;
        after_run = false;
        continue;
      }
      if (after_run && !lenient) return {errc::mutf7_adjacent_runs, i};
      std::uint32_t bits = 0;
      int nbits = 0;
      std::uint32_t high = 0;  // pending high surrogate, 0 if none
      std::size_t high_offset = 0;
      for (; j < n && in[j] != '-'; ++j) {
        const int v = mutf7_value(in[j]);
        if (v < 0) return {errc::mutf7_bad_base64, j};
        bits = ((bits << 6) | static_cast<std::uint32_t>(v)) & 0x3FFFFF;
        nbits += 6;
        if (nbits < 16) continue;
        nbits -= 16;
        const std::uint32_t unit = (bits >> nbits) & 0xFFFF;
        bits &= (1u << nbits) - 1;
        if (high != 0) {
          if (unit < 0xDC00 || unit > 0xDFFF) return {errc::mutf7_bad_surrogate, high_offset};
          const char32_t cp = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
          if (out) append_utf8(*out, cp);
          high = 0;
        } else if (unit >= 0xD800 && unit <= 0xDBFF) {
          high = unit;
          high_offset = j;
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
          return {errc::mutf7_bad_surrogate, j};
        } else {
          if (!lenient && mutf7_direct(static_cast<char>(unit)) && unit < 0x80)
            return {errc::mutf7_ascii_encoded, j};
          if (out) append_utf8(*out, unit);
        }
      }
      if (high != 0) return {errc::mutf7_bad_surrogate, high_offset};
      if (j == n && !lenient) return {errc::mutf7_unterminated, run_start};
      if (!lenient && (nbits >= 6 || bits != 0)) return {errc::mutf7_bad_padding, j - 1};
      i = j < n ? j + 1 : n;
      after_run = true;
    } else if (mutf7_direct(c)) {
      if (out) out->push_back(c);
      after_run = false;
      ++i;
    } else if (static_cast<unsigned char>(c) >= 0x80 && opt.lenient_raw_utf8) {
      const utf8_char u = decode_utf8(in, i);
      if (u.length == 0) return {errc::mutf7_eight_bit, i};
      if (out) out->append(in.substr(i, u.length));
      after_run = false;
      i += u.length;
    } else {
      return {errc::mutf7_eight_bit, i};
    }
  }
  return {};
}

}  // namespace detail

/// Appends the modified UTF-7 form of `utf8` (RFC 3501 section 5.1.3) to `out`. Ill-formed
/// UTF-8 is errc::bad_utf8 at its offset, and then nothing is appended.
[[nodiscard]] inline mutf7_result encode_mutf7(std::string_view utf8, std::string& out) {
  const std::size_t old_size = out.size();
  const std::size_t n = utf8.size();
  std::size_t i = 0;
  while (i < n) {
    const char c = utf8[i];
    if (detail::mutf7_direct(c)) {
      out.push_back(c);
      if (c == '&') out.push_back('-');
      ++i;
      continue;
    }
    out.push_back('&');
    std::uint32_t bits = 0;
    int nbits = 0;
    const auto put_unit = [&](std::uint32_t unit) {
      bits = (bits << 16) | unit;
      nbits += 16;
      while (nbits >= 6) {
        nbits -= 6;
        out.push_back(detail::mutf7_alphabet[(bits >> nbits) & 0x3F]);
      }
      bits &= (1u << nbits) - 1;
    };
    while (i < n && !detail::mutf7_direct(utf8[i])) {
      const detail::utf8_char u = detail::decode_utf8(utf8, i);
      if (u.length == 0) {
        out.resize(old_size);
        return {errc::bad_utf8, i};
      }
      if (u.cp >= 0x10000) {
        put_unit(0xD800 + ((u.cp - 0x10000) >> 10));
        put_unit(0xDC00 + ((u.cp - 0x10000) & 0x3FF));
      } else {
        put_unit(u.cp);
      }
      i += u.length;
    }
    if (nbits > 0) out.push_back(detail::mutf7_alphabet[(bits << (6 - nbits)) & 0x3F]);
    out.push_back('-');
  }
  return {};
}

/// Appends the UTF-8 form of the modified UTF-7 name `mutf7` (RFC 3501 section 5.1.3) to `out`.
/// Strict by default: every non-canonical form is an error (see the header comment); then
/// nothing is appended and error_offset says where.
[[nodiscard]] inline mutf7_result decode_mutf7(std::string_view mutf7, std::string& out,
                                               const mutf7_options& opt = {}) {
  const std::size_t old_size = out.size();
  const mutf7_result r = detail::decode_mutf7(mutf7, &out, opt);
  if (!r.ok()) out.resize(old_size);
  return r;
}

/// Checks `mutf7` as decode_mutf7() does, without output (no allocation).
[[nodiscard]] inline mutf7_result validate_mutf7(std::string_view mutf7,
                                                 const mutf7_options& opt = {}) noexcept {
  return detail::decode_mutf7(mutf7, nullptr, opt);
}

}  // namespace mailwire::imap
