// mailwire/rfc5322/writer.hpp — header fields written safely: folded at 78 columns (RFC 5322
// section 2.1.1 and 2.2.3), non-ASCII as RFC 2047 encoded-words (or raw UTF-8 when the host
// allows RFC 6532), and never a CR, LF or NUL inside a value.
//
//   std::string h;
//   using namespace mailwire::rfc5322;
//   append_unstructured(h, "Subject", "Grüße aus Köln");        // Subject: =?utf-8?q?Gr...?=
//   const address_spec to[] = {{"Jörg Müller", "joerg", "example.org"}, {"", "ann", "example.com"}};
//   append_address_list(h, "To", to);            // To: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <joerg@...>
//   append_structured(h, "Message-ID", "<1234@example.org>");
//
// Header injection is impossible by construction: field names must be ftext (section 3.6.8),
// structured values and addresses containing CR, LF or NUL are refused (write_errc), and in
// unstructured text every control character but HTAB becomes a space before encoding. Folding
// happens only at whitespace outside quoted-strings, comments, domain literals and
// encoded-words; a piece that cannot be folded and would pass the 998-octet limit of section
// 2.1.1 is refused (line_too_long) rather than written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "mailwire/codec/charset.hpp"
#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line.hpp"
#include "mailwire/rfc5322/encoded_word.hpp"
#include "mailwire/rfc5322/lexer.hpp"

namespace mailwire::rfc5322 {

/// Why a field could not be written. Nothing is appended when a call fails.
enum class write_errc : std::uint8_t {
  ok = 0,
  invalid_field_name,   ///< empty, or not ftext (printable US-ASCII but ':', section 3.6.8)
  forbidden_character,  ///< CR, LF or NUL in a structured value or an address
  line_too_long,        ///< an unfoldable piece longer than the 998-octet line limit
  invalid_address,      ///< an empty local part or domain, or non-ASCII without allow_utf8
};

[[nodiscard]] constexpr std::string_view to_string(write_errc e) noexcept {
  switch (e) {
    case write_errc::ok: return "ok";
    case write_errc::invalid_field_name: return "invalid header field name";
    case write_errc::forbidden_character: return "CR, LF or NUL in a header value";
    case write_errc::line_too_long: return "header line too long";
    case write_errc::invalid_address: return "invalid address";
  }
  return "unknown header writer error";
}
[[nodiscard]] constexpr const char* category_name(write_errc) noexcept { return "mailwire.rfc5322.writer"; }
[[nodiscard]] inline std::error_code make_error_code(write_errc e) noexcept { return make_code(e); }

/// How fields are written.
struct writer_options {
  std::size_t line_length = 78;         ///< fold to keep lines within this (section 2.1.1 SHOULD)
  bool allow_utf8 = false;              ///< RFC 6532: raw UTF-8 in values instead of encoded-words
  line_ending eol = line_ending::crlf;  ///< line ending of every line
};

/// A mailbox to write (section 3.4): display name (UTF-8, may be empty) and addr-spec parts.
struct address_spec {
  std::string_view name;        ///< display name, UTF-8 text (encoded as needed)
  std::string_view local_part;  ///< the local part, unquoted (quoted on output when needed)
  std::string_view domain;      ///< the domain, or a domain literal "[...]"
};

/// The 998-octet line limit of RFC 5322 section 2.1.1 (without CRLF).
inline constexpr std::size_t max_line_octets = 998;

/// True when `name` is a valid field name: 1*ftext (section 3.6.8).
[[nodiscard]] constexpr bool is_field_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == ':') return false;
  }
  return true;
}

namespace detail {

[[nodiscard]] constexpr bool has_forbidden(std::string_view v) noexcept {
  for (char c : v)
    if (c == '\r' || c == '\n' || c == '\0') return true;
  return false;
}

// Splits a structured value into pieces separated by whitespace, keeping quoted-strings,
// comments and domain literals whole (they may contain whitespace but no fold may fall inside
// them in this writer).
inline std::vector<std::string_view> pieces(std::string_view v) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  const std::size_t n = v.size();
  while (i < n) {
    while (i < n && ascii::is_wsp(v[i])) ++i;
    if (i >= n) break;
    const std::size_t start = i;
    int depth = 0;
    bool quoted = false, literal = false;
    while (i < n) {
      const char c = v[i];
      if (c == '\\' && (quoted || depth > 0) && i + 1 < n) {
        i += 2;
        continue;
      }
      if (quoted) {
        if (c == '"') quoted = false;
      } else if (literal) {
        if (c == ']') literal = false;
      } else if (c == '"' && depth == 0) {
        quoted = true;
      } else if (c == '[' && depth == 0) {
        literal = true;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && depth > 0) {
        --depth;
      } else if (ascii::is_wsp(c) && depth == 0) {
        break;
      }
      ++i;
    }
    out.push_back(v.substr(start, i - start));
  }
  return out;
}

// Lays pieces out after "Name:", one SP between pieces, folding before a piece that would
// pass the line length. Returns false (nothing written) when a piece passes 998 octets.
inline bool lay_out(std::string& out, std::string_view name, const std::vector<std::string_view>& ps,
                    const writer_options& o) {
  std::size_t col = name.size() + 1;
  const std::string_view eol = to_chars(o.eol);
  std::string s;
  s.reserve(name.size() + 2 + ps.size() * 8);
  s.append(name);
  s.push_back(':');
  bool first = true;
  for (const std::string_view p : ps) {
    if (p.size() + 1 > max_line_octets) return false;
    if (!first && col + 1 + p.size() > o.line_length) {
      s.append(eol);
      col = 0;
    }
    s.push_back(' ');
    s.append(p);
    col += 1 + p.size();
    first = false;
  }
  if (ps.empty()) s.push_back(' ');
  s.append(eol);
  out += s;
  return true;
}

// Unstructured text keeps its whitespace: folds are made by inserting a line break before an
// existing SP/HTAB (section 2.2.3), at the last one that keeps the line within the length.
inline bool lay_out_unstructured(std::string& out, std::string_view name, std::string_view text,
                                 const writer_options& o) {
  const std::string_view eol = to_chars(o.eol);
  std::string s(name);
  s += ": ";
  std::size_t col = name.size() + 2;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    // One whitespace run and the word after it.
    std::size_t j = i;
    while (j < n && ascii::is_wsp(text[j])) ++j;
    std::size_t k = j;
    while (k < n && !ascii::is_wsp(text[k])) ++k;
    const std::size_t ws = j - i, word = k - j;
    if (word > max_line_octets - 1) return false;
    if (ws > 0 && col + ws + word > o.line_length && col > name.size() + 2) {
      s.append(eol);
      col = 0;
    }
    s.append(text.substr(i, k - i));
    col += ws + word;
    if (col > max_line_octets) return false;
    i = k;
  }
  s.append(eol);
  out += s;
  return true;
}


}  // namespace detail

/// Appends an unstructured field (section 3.2.5 `unstructured`, e.g. Subject, Comments): the
/// UTF-8 text as is when it is printable ASCII (or with allow_utf8), else with RFC 2047
/// encoded-words (section 5 (1)), folded. Control characters but HTAB become SP; invalid UTF-8
/// becomes U+FFFD.
inline write_errc append_unstructured(std::string& out, std::string_view name, std::string_view text,
                                      const writer_options& o = {}) {
  if (!is_field_name(name)) return write_errc::invalid_field_name;
  std::string clean;
  clean.reserve(text.size());
  charset::append_utf8_sanitized(clean, text);
  for (char& c : clean)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = ' ';
  bool plain = true;
  if (!o.allow_utf8) {
    for (std::size_t i = 0; i < clean.size() && plain; ++i) {
      const auto c = static_cast<unsigned char>(clean[i]);
      if (c >= 0x80) plain = false;
      if (c == '=' && i + 1 < clean.size() && clean[i + 1] == '?') plain = false;  // looks encoded
    }
  }
  if (plain) {
    if (!detail::lay_out_unstructured(out, name, clean, o)) return write_errc::line_too_long;
    return write_errc::ok;
  }
  std::string s(name);
  s += ": ";
  encode_options eo;
  eo.first_line_used = name.size() + 2;
  eo.line_length = o.line_length;
  eo.eol = o.eol;
  (void)encode_unstructured(clean, s, eo);
  s.append(to_chars(o.eol));
  out += s;
  return write_errc::ok;
}

/// Appends a structured field whose value is already in RFC 5322 syntax (a msg-id list, a
/// date from format_rfc5322(), a MIME value...), folded at whitespace outside quoted-strings,
/// comments and domain literals. CR, LF and NUL are refused.
inline write_errc append_structured(std::string& out, std::string_view name, std::string_view value,
                                    const writer_options& o = {}) {
  if (!is_field_name(name)) return write_errc::invalid_field_name;
  if (detail::has_forbidden(value)) return write_errc::forbidden_character;
  if (!o.allow_utf8 && !charset::is_ascii(value)) return write_errc::forbidden_character;
  if (!detail::lay_out(out, name, detail::pieces(value), o)) return write_errc::line_too_long;
  return write_errc::ok;
}

/// Appends one mailbox (section 3.4) to `out`: `addr-spec`, or `display-name <addr-spec>` with
/// the name as atoms, a quoted-string or encoded-words (RFC 2047 section 5 (3)). The local part
/// is quoted when it is not a dot-atom.
inline write_errc format_mailbox(std::string& out, const address_spec& a, const writer_options& o = {}) {
  if (a.local_part.empty() || a.domain.empty()) return write_errc::invalid_address;
  if (detail::has_forbidden(a.local_part) || detail::has_forbidden(a.domain) || detail::has_forbidden(a.name))
    return write_errc::forbidden_character;
  if (!o.allow_utf8 && (!charset::is_ascii(a.local_part) || !charset::is_ascii(a.domain)))
    return write_errc::invalid_address;  // an addr-spec cannot be encoded (RFC 2047 section 5)
  if (!charset::is_utf8(a.local_part) || !charset::is_utf8(a.domain)) return write_errc::invalid_address;
  const bool literal = a.domain.front() == '[' && a.domain.back() == ']';
  if (!literal && !is_dot_atom_text(a.domain)) return write_errc::invalid_address;
  std::string s;
  if (!a.name.empty()) {
    encode_options eo;
    eo.fold = false;
    if (o.allow_utf8 && charset::is_utf8(a.name)) {
      // RFC 6532: the phrase as UTF-8, quoted when it is not all atoms.
      bool atoms = true;
      for (char c : a.name)
        if (!ascii::is_atext(c) && !ascii::is_8bit(c) && c != ' ') atoms = false;
      if (atoms && a.name.front() != ' ' && a.name.back() != ' ' && a.name.find("  ") == std::string_view::npos) {
        s.append(a.name);
      } else {
        s.push_back('"');
        for (char c : a.name) {
          if (c == '"' || c == '\\') s.push_back('\\');
          s.push_back((static_cast<unsigned char>(c) < 0x20 && c != '\t') ? ' ' : c);
        }
        s.push_back('"');
      }
    } else {
      std::string name;
      charset::append_utf8_sanitized(name, a.name);
      for (char& c : name)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = ' ';
      (void)encode_phrase(name, s, eo);
    }
    s += " <";
  }
  if (is_dot_atom_text(a.local_part)) {
    s.append(a.local_part);
  } else {
    s.push_back('"');
    for (char c : a.local_part) {
      if (c == '"' || c == '\\') s.push_back('\\');
      s.push_back(c);
    }
    s.push_back('"');
  }
  s.push_back('@');
  s.append(a.domain);
  if (!a.name.empty()) s.push_back('>');
  out += s;
  return write_errc::ok;
}

/// Appends an address field (From, To, Cc, Reply-To...: section 3.6.2-3.6.3) listing
/// `addresses`, separated by ", " and folded between and inside display names (never inside an
/// encoded-word or a quoted-string).
inline write_errc append_address_list(std::string& out, std::string_view name,
                                      std::span<const address_spec> addresses, const writer_options& o = {}) {
  if (!is_field_name(name)) return write_errc::invalid_field_name;
  std::string text;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    if (i) text += ", ";
    const write_errc e = format_mailbox(text, addresses[i], o);
    if (e != write_errc::ok) return e;
  }
  if (!detail::lay_out(out, name, detail::pieces(text), o)) return write_errc::line_too_long;
  return write_errc::ok;
}

}  // namespace mailwire::rfc5322

template <>
struct std::is_error_code_enum<mailwire::rfc5322::write_errc> : std::true_type {};
