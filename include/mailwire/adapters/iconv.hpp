// mailwire/adapters/iconv.hpp — an optional charset converter for the host, built on POSIX
// iconv (glibc, libiconv), for the multi-byte legacy charsets mailwire has no tables for
// (ISO-2022-JP, Shift_JIS, EUC-JP, EUC-KR, GB2312/GBK/GB18030, Big5...). Outside the core: it
// includes <iconv.h>, and is plugged in through charset::options (mailwire/codec/charset.hpp).
//
//   mailwire::adapters::iconv_converter conv;              // caches open iconv handles
//   std::string subject;
//   mailwire::rfc5322::decode_unstructured(raw, subject, conv.options());
//
//   // Or without a cache (one iconv_open per call):
//   mailwire::charset::options o{.converter = mailwire::adapters::iconv_convert};
//
// Invalid input becomes U+FFFD: on EILSEQ one U+FFFD is written and one byte skipped, an
// incomplete sequence at the end is one U+FFFD. Labels are mapped to the supersets mail
// readers use (the WHATWG Encoding Standard's choices): GB2312/GBK -> GB18030, Shift_JIS ->
// WINDOWS-31J, EUC-KR/KS_C_5601-1987 -> CP949, Big5 -> BIG5-HKSCS. Labels with characters
// other than letters, digits and "-_.:+" are refused, so "//TRANSLIT"-style suffixes from a
// message never reach iconv_open.
#pragma once

#include <iconv.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include "mailwire/codec/charset.hpp"
#include "mailwire/core/ascii.hpp"

namespace mailwire::adapters {

namespace detail {

/// Longest label handed to iconv_open.
inline constexpr std::size_t max_iconv_label = 40;

/// The iconv name for a charset label (MIME name, RFC 2978), written to `buf` (NUL-terminated);
/// false if the label is refused.
inline bool iconv_name(std::string_view label, char (&buf)[max_iconv_label + 1]) noexcept {
  if (label.empty() || label.size() > max_iconv_label) return false;
  for (std::size_t i = 0; i < label.size(); ++i) {
    const char c = label[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':' || c == '+';
    if (!ok) return false;
    buf[i] = ascii::to_lower(c);
  }
  buf[label.size()] = '\0';
  struct alias {
    std::string_view from, to;
  };
  static constexpr alias aliases[] = {
      {"gb2312", "GB18030"},         {"gbk", "GB18030"},          {"x-gbk", "GB18030"},
      {"cp936", "GB18030"},          {"csgb2312", "GB18030"},     {"chinese", "GB18030"},
      {"euc-cn", "GB18030"},         {"gb_2312-80", "GB18030"},   {"x-euc-cn", "GB18030"},
      {"shift_jis", "WINDOWS-31J"},  {"shift-jis", "WINDOWS-31J"}, {"sjis", "WINDOWS-31J"},
      {"x-sjis", "WINDOWS-31J"},     {"ms_kanji", "WINDOWS-31J"}, {"csshiftjis", "WINDOWS-31J"},
      {"ms932", "WINDOWS-31J"},      {"euc-kr", "CP949"},         {"ks_c_5601-1987", "CP949"},
      {"ks_c_5601-1989", "CP949"},   {"ksc5601", "CP949"},        {"ksc_5601", "CP949"},
      {"korean", "CP949"},           {"cseuckr", "CP949"},        {"csksc56011987", "CP949"},
      {"windows-949", "CP949"},      {"big5", "BIG5-HKSCS"},      {"cn-big5", "BIG5-HKSCS"},
      {"csbig5", "BIG5-HKSCS"},      {"x-x-big5", "BIG5-HKSCS"},  {"x-euc-jp", "EUC-JP"},
  };
  const std::string_view key(buf, label.size());
  for (const alias& a : aliases) {
    if (a.from == key) {
      std::memcpy(buf, a.to.data(), a.to.size());
      buf[a.to.size()] = '\0';
      break;
    }
  }
  return true;
}

/// Converts `in` with `cd` (to UTF-8), appending to `out`; invalid input becomes U+FFFD.
/// May throw std::bad_alloc.
inline void run_iconv(iconv_t cd, std::string_view in, std::string& out) {
  ::iconv(cd, nullptr, nullptr, nullptr, nullptr);  // initial shift state
  char* ip = const_cast<char*>(in.data());          // iconv's prototype is not const-correct
  std::size_t il = in.size();
  std::size_t pos = out.size();
  out.resize(pos + in.size() * 2 + 16);
  auto room = [&](std::size_t need) {
    if (out.size() - pos < need) out.resize(out.size() * 2 + need);
  };
  auto fffd = [&] {
    room(3);
    std::memcpy(out.data() + pos, "\xEF\xBF\xBD", 3);
    pos += 3;
  };
  bool flushing = false;
  for (;;) {
    char* op = out.data() + pos;
    std::size_t ol = out.size() - pos;
    const std::size_t rc = flushing ? ::iconv(cd, nullptr, nullptr, &op, &ol)
                                    : ::iconv(cd, &ip, &il, &op, &ol);
    const int err = errno;
    pos = static_cast<std::size_t>(op - out.data());
    if (rc != static_cast<std::size_t>(-1)) {
      if (flushing) break;
      flushing = true;  // all input taken: write the final shift sequence, if any
      continue;
    }
    if (err == E2BIG) {
      room(out.size() - pos + 64);
    } else if (!flushing && err == EILSEQ && il > 0) {
      fffd();
      ++ip;
      --il;
    } else if (!flushing && err == EINVAL) {  // incomplete sequence at the end
      fffd();
      il = 0;
      flushing = true;
    } else {
      break;
    }
  }
  out.resize(pos);
}

}  // namespace detail

/// charset::converter_fn that opens an iconv handle for each call (ctx is unused). Prefer
/// iconv_converter when many texts are converted.
inline bool iconv_convert(void* /*ctx*/, std::string_view charset, std::string_view in,
                          std::string& out) noexcept {
  char name[detail::max_iconv_label + 1];
  if (!detail::iconv_name(charset, name)) return false;
  const iconv_t cd = ::iconv_open("UTF-8", name);
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  const std::size_t old = out.size();
  bool ok = true;
  try {
    detail::run_iconv(cd, in, out);
  } catch (const std::bad_alloc&) {
    out.resize(old);
    ok = false;
  }
  ::iconv_close(cd);
  return ok;
}

/// A charset converter with a small cache of open iconv handles (and of labels iconv does not
/// know), for charset::options. Not thread-safe: use one per thread.
class iconv_converter {
 public:
  /// Handles kept open; the least recently opened is closed first.
  static constexpr std::size_t cache_slots = 8;

  iconv_converter() noexcept = default;
  iconv_converter(const iconv_converter&) = delete;
  iconv_converter& operator=(const iconv_converter&) = delete;
  ~iconv_converter() {
    for (slot& s : slots_)
      if (s.used && s.cd != invalid()) ::iconv_close(s.cd);
  }

  /// Appends the UTF-8 of `in` (text in `charset`) to `out`; false if iconv does not know the
  /// charset (nothing appended).
  bool convert(std::string_view charset, std::string_view in, std::string& out) noexcept {
    char name[detail::max_iconv_label + 1];
    if (!detail::iconv_name(charset, name)) return false;
    const std::string_view key(name);
    slot* hit = nullptr;
    for (slot& s : slots_)
      if (s.used && std::string_view(s.name, s.len) == key) hit = &s;
    if (hit == nullptr) {
      hit = &slots_[next_];
      next_ = (next_ + 1) % cache_slots;
      if (hit->used && hit->cd != invalid()) ::iconv_close(hit->cd);
      std::memcpy(hit->name, name, key.size());
      hit->len = key.size();
      hit->cd = ::iconv_open("UTF-8", name);
      hit->used = true;
    }
    if (hit->cd == invalid()) return false;
    const std::size_t old = out.size();
    try {
      detail::run_iconv(hit->cd, in, out);
    } catch (const std::bad_alloc&) {
      out.resize(old);
      return false;
    }
    return true;
  }

  /// charset::options that route unknown charsets to this converter.
  [[nodiscard]] charset::options options(
      charset::unknown_policy p = charset::unknown_policy::leave_encoded) noexcept {
    return {&iconv_converter::call, this, p};
  }

  /// The charset::converter_fn; ctx is an iconv_converter*.
  static bool call(void* ctx, std::string_view charset, std::string_view in,
                   std::string& out) noexcept {
    return static_cast<iconv_converter*>(ctx)->convert(charset, in, out);
  }

 private:
  static iconv_t invalid() noexcept { return reinterpret_cast<iconv_t>(-1); }
  struct slot {
    char name[detail::max_iconv_label + 1] = {};
    std::size_t len = 0;
    iconv_t cd = reinterpret_cast<iconv_t>(-1);
    bool used = false;
  };
  slot slots_[cache_slots];
  std::size_t next_ = 0;
};

}  // namespace mailwire::adapters
