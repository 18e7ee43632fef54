// mailwire/mime/content_type.hpp — the MIME header values: Content-Type (RFC 2045 section 5.1,
// RFC 2046), Content-Disposition (RFC 2183), their parameters with RFC 2231 continuations,
// charsets and languages, Content-Transfer-Encoding (RFC 2045 section 6) and MIME-Version
// (RFC 2045 section 4).
//
//   auto ct = mailwire::mime::parse_content_type(R"(multipart/mixed; boundary="=_b 1")");
//   ct.type; ct.subtype;              // "multipart", "mixed" (lower case)
//   ct.param("boundary");             // "=_b 1"
//
//   auto cd = mailwire::mime::parse_content_disposition(
//       "attachment; filename*0*=utf-8''%C3%A9t%C3%A9; filename*1=.pdf");
//   cd.param("filename");             // "été.pdf" (RFC 2231 section 3-4, joined and decoded)
//
// Input is the field value (after the colon), folded or unfolded: CR and LF count as
// whitespace. Real mail is read the way mail readers read it; every departure from the RFCs is
// a defect (mime::errc) with its offset in the value:
// - parameters with no ';' between them, and unquoted values with spaces or tspecials (up to
//   the next ';'), are accepted (missing_semicolon, unquoted_specials);
// - a parameter given twice: the first counts (duplicate_parameter); `name*` (RFC 2231) wins
//   over a plain `name` of the same parameter, which is the fallback senders add for old readers;
// - RFC 2231 sections are joined in section order whatever their order in the field, gaps
//   reported (missing_rfc2231_section); a bad %XX escape is kept as written;
// - values written as RFC 2047 encoded-words (not allowed, RFC 2047 section 5, but common) are
//   decoded by the UTF-8 conversion step (see to_utf8 below).
// Results own their strings: decoding changes the bytes. Functions are noexcept apart from
// std::bad_alloc when a string or vector grows; they never throw on bad input.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/codec/charset.hpp"
#include "mailwire/core/ascii.hpp"
#include "mailwire/mime/errc.hpp"
#include "mailwire/rfc5322/encoded_word.hpp"
#include "mailwire/rfc5322/lexer.hpp"

namespace mailwire::mime {

/// Limits of the parameter parser. Above them the rest is ignored with a defect.
struct parameter_limits {
  std::size_t max_parameters = 1000;     ///< distinct parameter names per field
  std::size_t max_sections = 100000;     ///< RFC 2231 sections per field, all names together
  std::size_t max_section_number = 999999;  ///< larger section numbers are bad_rfc2231_section
};

/// One parameter (RFC 2045 section 5.1 `attribute "=" value`, RFC 2231 sections 3-4).
struct parameter {
  std::string name;      ///< attribute, lower case, without RFC 2231 `*N*` suffixes
  std::string value;     ///< the value: unquoted, sections joined, %XX decoded (bytes as sent:
                         ///< to_utf8() converts them, with `charset`, to UTF-8)
  std::string charset;   ///< RFC 2231 charset of an extended value ("" when none)
  std::string language;  ///< RFC 2231 language of an extended value ("" when none)
  bool extended = false; ///< written with RFC 2231 `name*` syntax
  std::size_t offset = 0;  ///< offset of the parameter's (first section's) attribute in the value
};

/// A parameter list with lookup by name (case-insensitive, as RFC 2045 section 5.1 says).
struct parameter_list {
  std::vector<parameter> items;  ///< in order of first appearance
  [[nodiscard]] const parameter* find(std::string_view name) const noexcept {
    for (const auto& p : items)
      if (ascii::iequals(p.name, name)) return &p;
    return nullptr;
  }
  /// The value of `name`, or "" when absent. The view lives as long as this list.
  [[nodiscard]] std::string_view get(std::string_view name) const noexcept {
    const parameter* p = find(name);
    return p ? std::string_view(p->value) : std::string_view();
  }
};

/// A parsed Content-Type (RFC 2045 section 5.1): `type "/" subtype *(";" parameter)`.
struct content_type {
  std::string type;         ///< lower case; "" when the value is invalid
  std::string subtype;      ///< lower case
  parameter_list params;    ///< empty when the value is invalid
  bool valid = false;       ///< `type "/" subtype` was found
  std::vector<value_defect> defects;

  [[nodiscard]] std::string_view param(std::string_view name) const noexcept { return params.get(name); }
  [[nodiscard]] bool is(std::string_view t, std::string_view s) const noexcept {
    return type == t && subtype == s;
  }
  [[nodiscard]] bool is_multipart() const noexcept { return type == "multipart"; }
  /// message/rfc822 and message/global (RFC 6532 section 3.7): an enclosed message.
  [[nodiscard]] bool is_message() const noexcept {
    return type == "message" && (subtype == "rfc822" || subtype == "global");
  }
};

/// A parsed Content-Disposition (RFC 2183 section 2): `disposition-type *(";" parameter)`.
struct content_disposition {
  std::string type;         ///< lower case ("inline", "attachment", ...); "" when invalid
  parameter_list params;
  bool valid = false;
  std::vector<value_defect> defects;
  [[nodiscard]] std::string_view param(std::string_view name) const noexcept { return params.get(name); }
};

/// Content-Transfer-Encoding (RFC 2045 section 6.1; binary and 8bit of RFC 2045, RFC 3030).
enum class transfer_encoding : std::uint8_t {
  none,              ///< no Content-Transfer-Encoding field (7bit is implied)
  seven_bit,         ///< "7bit"
  eight_bit,         ///< "8bit"
  binary,            ///< "binary"
  quoted_printable,  ///< "quoted-printable"
  base64,            ///< "base64"
  other,             ///< anything else (x-uuencode, x-token, misspellings): bytes as they stand
};

/// Whether the body of an entity with encoding `e` must be decoded (base64 or QP).
[[nodiscard]] constexpr bool is_encoded(transfer_encoding e) noexcept {
  return e == transfer_encoding::base64 || e == transfer_encoding::quoted_printable;
}

namespace detail {

/// Skips whitespace (CR and LF included: folded values) and comments, which MIME header values
/// allow between tokens (RFC 2045 section 5.1), with the RFC 5322 lexer; an unterminated
/// comment runs to the end of the value and is a defect.
inline std::size_t skip_cfws(std::string_view v, std::size_t i, std::vector<value_defect>* defects) {
  // No depth limit: the scan is linear whatever the nesting, and a MIME value only needs to
  // know where the comments end.
  rfc5322::lexer_limits lim;
  lim.max_comment_depth = static_cast<std::size_t>(-1);
  const rfc5322::scan_result r = rfc5322::skip_cfws(v, i, lim);
  if (defects != nullptr && r.error == rfc5322::errc::unterminated_comment)
    defects->push_back({errc::unterminated_comment, r.error_offset});
  return r.end;
}

/// RFC 2045 token characters, plus raw 8-bit octets (UTF-8 written without encoding).
[[nodiscard]] constexpr bool is_value_char(char c) noexcept {
  return ascii::is_mime_token(c) || ascii::is_8bit(c);
}

inline std::size_t scan_token(std::string_view v, std::size_t i) noexcept {
  while (i < v.size() && is_value_char(v[i])) ++i;
  return i;
}

inline void append_lower(std::string& out, std::string_view s) {
  for (char c : s) out.push_back(ascii::to_lower(c));
}

/// Reads a quoted-string starting at v[i] == '"' into `out`: quoted-pairs unescaped, folding
/// line breaks removed (RFC 5322 section 3.2.4). Returns the index after the closing quote.
inline std::size_t read_quoted(std::string_view v, std::size_t i, std::string& out,
                               std::vector<value_defect>& defects) {
  const std::size_t start = i++;
  while (i < v.size()) {
    const char c = v[i];
    if (c == '"') return i + 1;
    if (c == '\\') {
      // quoted-pair; a folding line break right after the '\' is removed like any other.
      std::size_t j = i + 1;
      while (j < v.size() && (v[j] == '\r' || v[j] == '\n')) ++j;
      if (j == v.size()) {  // the value ends in '\\' (and line breaks): unterminated
        i = j;
        break;
      }
      out.push_back(v[j]);
      i = j + 1;
      continue;
    }
    if (c != '\r' && c != '\n') out.push_back(c);
    ++i;
  }
  defects.push_back({errc::unterminated_quoted_string, start});
  return i;
}

/// One `attribute=value` as written, before RFC 2231 sections are joined.
struct raw_param {
  std::string name;   // lower case, without the section suffix
  std::string value;  // unquoted
  long section = -1;  // -1: no section number
  bool extended = false;
  std::size_t offset = 0;
  std::size_t order = 0;  // position in the field
};

/// Splits `name*N*` into its parts (RFC 2231 section 3 and 4).
inline bool split_attribute(std::string_view attr, raw_param& p, std::size_t max_section) {
  std::string_view base = attr;
  if (!base.empty() && base.back() == '*') {
    p.extended = true;
    base.remove_suffix(1);
  }
  const std::size_t star = base.find('*');
  if (star != std::string_view::npos) {
    const std::string_view num = base.substr(star + 1);
    base = base.substr(0, star);
    if (num.empty() || num.size() > 9) return false;
    long n = 0;
    for (char c : num) {
      if (!ascii::is_digit(c)) return false;
      n = n * 10 + (c - '0');
    }
    if (static_cast<std::size_t>(n) > max_section) return false;
    p.section = n;
  }
  if (base.empty()) return false;
  append_lower(p.name, base);
  return true;
}

/// Undoes %XX escapes of an RFC 2231 extended value (section 4); a bad escape stays as written.
inline void percent_decode(std::string_view in, std::string& out, bool& bad) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && ascii::is_hexdig(in[i + 1]) && ascii::is_hexdig(in[i + 2])) {
      out.push_back(static_cast<char>(ascii::hex_value(in[i + 1]) * 16 + ascii::hex_value(in[i + 2])));
      i += 2;
    } else {
      if (in[i] == '%') bad = true;
      out.push_back(in[i]);
    }
  }
}

/// Joins raw parameters into the final list (RFC 2231 section 3: sections in numeric order;
/// section 4: the charset and language come from the first section).
inline void join_parameters(std::vector<raw_param>& raw, parameter_list& out,
                            std::vector<value_defect>& defects, const parameter_limits& lim) {
  // Stable sort by (name, section) so each name's sections are together and in order; the
  // order of first appearance is restored afterwards.
  const auto less = [](const raw_param& a, const raw_param& b) {
    if (a.name != b.name) return a.name < b.name;
    return a.section < b.section;
  };
  if (raw.size() <= 16) {
    // Insertion sort: stable too, and no temporary buffer (stable_sort allocates one); fields
    // have a handful of parameters.
    for (std::size_t n = 1; n < raw.size(); ++n)
      for (std::size_t k = n; k > 0 && less(raw[k], raw[k - 1]); --k) std::swap(raw[k], raw[k - 1]);
  } else {
    std::stable_sort(raw.begin(), raw.end(), less);
  }
  struct built {
    parameter p;
    std::size_t order;
  };
  std::vector<built> result;
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t j = i;
    while (j < raw.size() && raw[j].name == raw[i].name) ++j;
    // raw[i, j): one name. Plain values (section -1) come first, then `name*` (-1, extended)
    // mixed in by stable order, then sections 0, 1, ...
    const raw_param* plain = nullptr;
    const raw_param* single_ext = nullptr;
    std::size_t first_order = raw[i].order;
    std::size_t sec_begin = j;
    for (std::size_t k = i; k < j; ++k) {
      first_order = std::min(first_order, raw[k].order);
      if (raw[k].section >= 0) {
        sec_begin = std::min(sec_begin, k);
        continue;
      }
      // Equal keys keep their order (stable sort): the first of a kind is the first written.
      const raw_param*& slot = raw[k].extended ? single_ext : plain;
      if (slot == nullptr) slot = &raw[k];
      else defects.push_back({errc::duplicate_parameter, raw[k].offset});
    }
    parameter p;
    p.name = raw[i].name;
    bool bad = false;
    if (sec_begin < j) {
      // RFC 2231 continuations: sections 0..n in order; a repeated number keeps the first.
      long expect = 0;
      bool first = true;
      p.offset = raw[sec_begin].offset;
      for (std::size_t k = sec_begin; k < j; ++k) {
        const raw_param& s = raw[k];
        if (s.section < expect) {
          defects.push_back({errc::bad_rfc2231_section, s.offset});
          continue;
        }
        if (s.section > expect) defects.push_back({errc::missing_rfc2231_section, s.offset});
        expect = s.section + 1;
        std::string_view v = s.value;
        if (s.extended) {
          if (first && s.section == 0) {
            // charset'language'value (section 4); both may be empty.
            const std::size_t q1 = v.find('\'');
            const std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
            if (q2 == std::string_view::npos) {
              bad = true;
            } else {
              p.charset.assign(v.substr(0, q1));
              p.language.assign(v.substr(q1 + 1, q2 - q1 - 1));
              v = v.substr(q2 + 1);
            }
          }
          p.extended = true;
          percent_decode(v, p.value, bad);
        } else {
          p.value.append(v);
        }
        first = false;
      }
      if (raw[sec_begin].section != 0) defects.push_back({errc::missing_rfc2231_section, p.offset});
      if (plain != nullptr) defects.push_back({errc::duplicate_parameter, plain->offset});
      if (single_ext != nullptr) defects.push_back({errc::duplicate_parameter, single_ext->offset});
    } else if (single_ext != nullptr) {
      // name*=charset'lang'value (section 4 without continuations); preferred over `name`.
      std::string_view v = single_ext->value;
      const std::size_t q1 = v.find('\'');
      const std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
      if (q2 == std::string_view::npos) {
        bad = true;
      } else {
        p.charset.assign(v.substr(0, q1));
        p.language.assign(v.substr(q1 + 1, q2 - q1 - 1));
        v = v.substr(q2 + 1);
      }
      p.extended = true;
      p.offset = single_ext->offset;
      percent_decode(v, p.value, bad);
    } else {
      p.value = plain->value;
      p.offset = plain->offset;
    }
    if (bad) defects.push_back({errc::bad_rfc2231_encoding, p.offset});
    result.push_back({std::move(p), first_order});
    i = j;
  }
  std::sort(result.begin(), result.end(),
            [](const built& a, const built& b) { return a.order < b.order; });
  out.items.reserve(result.size());
  for (auto& b : result) {
    if (out.items.size() >= lim.max_parameters) {
      defects.push_back({errc::too_many_parameters, b.p.offset});
      break;
    }
    out.items.push_back(std::move(b.p));
  }
}

/// Parses `*(";" parameter)` from v[i] on (RFC 2045 section 5.1, RFC 2231).
inline void parse_parameters(std::string_view v, std::size_t i, parameter_list& out,
                             std::vector<value_defect>& defects, const parameter_limits& lim) {
  std::vector<raw_param> raw;
  bool after_semicolon = false;
  std::size_t order = 0;
  for (;;) {
    i = skip_cfws(v, i, &defects);
    if (i >= v.size()) break;
    if (v[i] == ';') {
      ++i;
      after_semicolon = true;
      continue;
    }
    const std::size_t start = i;
    if (!after_semicolon) defects.push_back({errc::missing_semicolon, start});
    after_semicolon = false;
    // attribute
    const std::size_t attr_end = scan_token(v, i);
    std::size_t j = skip_cfws(v, attr_end, &defects);
    if (attr_end == i || j >= v.size() || v[j] != '=') {
      defects.push_back({errc::invalid_parameter, start});
      // Skip to the next ';' outside a quoted-string.
      bool q = false;
      while (i < v.size() && (q || v[i] != ';')) {
        if (v[i] == '\\' && q) ++i;
        else if (v[i] == '"') q = !q;
        ++i;
      }
      continue;
    }
    raw_param p;
    p.offset = start;
    p.order = order++;
    const bool name_ok = split_attribute(v.substr(i, attr_end - i), p, lim.max_section_number);
    i = skip_cfws(v, j + 1, &defects);
    // value: quoted-string or token
    if (i < v.size() && v[i] == '"') {
      i = read_quoted(v, i, p.value, defects);
    } else {
      const std::size_t vs = i;
      std::size_t ve = scan_token(v, i);
      const std::size_t after = skip_cfws(v, ve, nullptr);
      if (after < v.size() && v[after] != ';') {
        // An unquoted value with spaces or tspecials: up to the next ';', trailing WSP trimmed
        // (as mail readers do with `filename=my file.pdf`).
        defects.push_back({errc::unquoted_specials, ve});
        ve = v.find(';', ve);
        if (ve == std::string_view::npos) ve = v.size();
        while (ve > vs && (ascii::is_wsp(v[ve - 1]) || v[ve - 1] == '\r' || v[ve - 1] == '\n')) --ve;
        for (std::size_t k = vs; k < ve; ++k)
          if (v[k] != '\r' && v[k] != '\n') p.value.push_back(v[k]);
        i = ve;
      } else {
        if (ve == vs) defects.push_back({errc::invalid_parameter, start});
        p.value.assign(v.substr(vs, ve - vs));
        i = ve;
      }
    }
    if (!name_ok) {
      defects.push_back({errc::bad_rfc2231_section, start});
      continue;
    }
    if (raw.size() >= lim.max_sections) {
      defects.push_back({errc::too_many_parameters, start});
      break;
    }
    raw.push_back(std::move(p));
  }
  join_parameters(raw, out, defects, lim);
}

}  // namespace detail

/// Parses a Content-Type value (RFC 2045 section 5.1). When it is not `type "/" subtype`,
/// valid is false, type/subtype are empty and params is empty: the caller applies the default
/// (text/plain, or message/rfc822 inside multipart/digest; RFC 2045 section 5.2).
[[nodiscard]] inline content_type parse_content_type(std::string_view v,
                                                     const parameter_limits& lim = {}) {
  content_type ct;
  std::size_t i = detail::skip_cfws(v, 0, &ct.defects);
  const std::size_t t0 = i;
  std::size_t t1 = i;
  while (t1 < v.size() && ascii::is_mime_token(v[t1])) ++t1;
  std::size_t k = detail::skip_cfws(v, t1, &ct.defects);
  if (t1 == t0 || k >= v.size() || v[k] != '/') {
    ct.defects.push_back({errc::invalid_content_type, t0});
    return ct;
  }
  const std::size_t s0 = detail::skip_cfws(v, k + 1, &ct.defects);
  std::size_t s1 = s0;
  while (s1 < v.size() && ascii::is_mime_token(v[s1])) ++s1;
  const std::size_t after = detail::skip_cfws(v, s1, &ct.defects);
  if (s1 == s0 || (after < v.size() && v[after] != ';')) {
    ct.defects.push_back({errc::invalid_content_type, s1 == s0 ? s0 : after});
    return ct;
  }
  detail::append_lower(ct.type, v.substr(t0, t1 - t0));
  detail::append_lower(ct.subtype, v.substr(s0, s1 - s0));
  ct.valid = true;
  detail::parse_parameters(v, after, ct.params, ct.defects, lim);
  return ct;
}

/// Parses a Content-Disposition value (RFC 2183 section 2, parameters per RFC 2231).
[[nodiscard]] inline content_disposition parse_content_disposition(std::string_view v,
                                                                   const parameter_limits& lim = {}) {
  content_disposition cd;
  std::size_t i = detail::skip_cfws(v, 0, &cd.defects);
  const std::size_t t0 = i;
  while (i < v.size() && ascii::is_mime_token(v[i])) ++i;
  const std::size_t after = detail::skip_cfws(v, i, &cd.defects);
  if (i == t0 || (after < v.size() && v[after] != ';')) {
    cd.defects.push_back({errc::invalid_content_type, t0});
    // The parameters are still useful (a filename): read them from the first ';'.
    const std::size_t semi = v.find(';', t0);
    if (semi != std::string_view::npos) detail::parse_parameters(v, semi, cd.params, cd.defects, lim);
    return cd;
  }
  detail::append_lower(cd.type, v.substr(t0, i - t0));
  cd.valid = true;
  detail::parse_parameters(v, after, cd.params, cd.defects, lim);
  return cd;
}

/// Parses a Content-Transfer-Encoding value (RFC 2045 section 6.1): the first token, case-
/// insensitive. `token` (optional) receives it in lower case, as inspect-mime-json.md prints it.
[[nodiscard]] inline transfer_encoding parse_transfer_encoding(std::string_view v,
                                                               std::string* token = nullptr) {
  std::size_t i = detail::skip_cfws(v, 0, nullptr);
  const std::size_t t0 = i;
  while (i < v.size() && ascii::is_mime_token(v[i])) ++i;
  const std::string_view t = v.substr(t0, i - t0);
  if (token != nullptr) {
    token->clear();
    detail::append_lower(*token, t);
  }
  if (t.empty()) return transfer_encoding::other;
  if (ascii::iequals(t, "7bit")) return transfer_encoding::seven_bit;
  if (ascii::iequals(t, "8bit")) return transfer_encoding::eight_bit;
  if (ascii::iequals(t, "binary")) return transfer_encoding::binary;
  if (ascii::iequals(t, "quoted-printable")) return transfer_encoding::quoted_printable;
  if (ascii::iequals(t, "base64")) return transfer_encoding::base64;
  return transfer_encoding::other;
}

/// A MIME-Version value (RFC 2045 section 4): `1*DIGIT "." 1*DIGIT`, comments and whitespace
/// allowed around and between the tokens ("1.0 (produced by X)", "1 . 0").
struct mime_version {
  int major = 0;
  int minor = 0;
  friend constexpr bool operator==(const mime_version&, const mime_version&) = default;
};

/// Parses a MIME-Version value; nullopt when it is not `1*DIGIT "." 1*DIGIT` (numbers over
/// 9 digits are refused too).
[[nodiscard]] inline std::optional<mime_version> parse_mime_version(std::string_view v) {
  std::size_t i = detail::skip_cfws(v, 0, nullptr);
  auto number = [&](int& out) {
    const std::size_t start = i;
    long n = 0;
    while (i < v.size() && ascii::is_digit(v[i]) && i - start < 9) n = n * 10 + (v[i++] - '0');
    out = static_cast<int>(n);
    return i > start && (i >= v.size() || !ascii::is_digit(v[i]));
  };
  mime_version r;
  if (!number(r.major)) return std::nullopt;
  i = detail::skip_cfws(v, i, nullptr);
  if (i >= v.size() || v[i] != '.') return std::nullopt;
  i = detail::skip_cfws(v, i + 1, nullptr);
  if (!number(r.minor)) return std::nullopt;
  if (detail::skip_cfws(v, i, nullptr) != v.size()) return std::nullopt;
  return r;
}

/// A parameter's value as UTF-8 (inspect-mime-json.md "params"): an RFC 2231 value is
/// converted from its charset (no charset, or one nobody knows: read as UTF-8); a plain value
/// with RFC 2047 encoded-words (common, though RFC 2047 section 5 forbids them) is decoded;
/// raw 8-bit bytes are read as UTF-8. Invalid sequences become U+FFFD.
[[nodiscard]] inline std::string to_utf8(const parameter& p, const charset::options& o = {}) {
  std::string out;
  if (p.extended) {
    const charset::convert_status st =
        p.charset.empty() ? charset::convert_status::unknown_charset : charset::convert(p.charset, p.value, out, o);
    if (st == charset::convert_status::unknown_charset) {
      out.clear();
      charset::append_utf8_sanitized(out, p.value);
    }
  } else if (p.value.find("=?") != std::string::npos) {
    (void)rfc5322::decode_words(p.value, out, o);
  } else {
    charset::append_utf8_sanitized(out, p.value);
  }
  return out;
}

}  // namespace mailwire::mime
