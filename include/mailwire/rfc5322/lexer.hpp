// mailwire/rfc5322/lexer.hpp — the lexical tokens of RFC 5322 section 3.2 (CFWS, atoms,
// dot-atoms, quoted-strings) and the domain-literal of section 3.4.1, with the obsolete forms of
// sections 4.1-4.4 and RFC 6532 UTF-8, shared by the structured-field parsers.
//
// Every function scans a field value (a std::string_view) from a byte position and returns
// where the token ends; nothing is copied unless the caller asks for the decoded text. All scans
// are single forward passes (linear time), recursion-free and bounded: a 1 MB "((((((..." comment
// bomb costs one pass and a counter.
//
//   using namespace mailwire::rfc5322;
//   std::string_view v = " (note) \"J. \\\"Q\\\" Public\" <jqp@example.org>";
//   std::size_t p = skip_cfws(v, 0).end;            // at the '"'
//   std::string name;
//   auto q = read_quoted_string(v, p, name);         // name == "J. \"Q\" Public"
//   p = skip_cfws(v, q.end).end;                     // at the '<'
//
// Conventions (docs of each function say more):
// - Folding is tolerated anywhere FWS is allowed: CR and LF are whitespace (callers may pass
//   raw, unfolded values); inside quoted-strings and comments they are removed (section 3.2.2,
//   3.2.4: "unfolding").
// - Bytes 0x80-0xFF are atext, qtext, ctext and dtext (RFC 6532 section 3.2); they are copied
//   as they are: callers turn invalid UTF-8 into U+FFFD.
// - Obsolete forms are read: quoted-pairs of any octet (obs-qp, section 4.1), control characters
//   in quoted-strings, comments and domain-literals (obs-qtext, obs-ctext, obs-dtext).
// - Errors (unterminated tokens, nesting deeper than the limit) come back in the scan result
//   with the offset of the offending byte; the scan still tells where reading can go on.
// - Nothing here throws except std::bad_alloc from the std::string the caller asks text into.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mailwire/rfc5322/errc.hpp"

namespace mailwire::rfc5322 {

/// Bounds of the lexer (DESIGN.md section 6).
struct lexer_limits {
  /// Comments may nest (section 3.2.2); deeper than this is errc::comment_too_deep. The scan
  /// still counts parentheses to find the comment's end, so parsing goes on after it.
  std::size_t max_comment_depth = 64;
};

/// Character classes of RFC 5322 section 3.2 with RFC 6532 (8-bit bytes are text).
enum lex_class : std::uint8_t {
  lex_atext = 1u << 0,    ///< atext (section 3.2.3) or 0x80-0xFF
  lex_wsp = 1u << 1,      ///< SP / HTAB / CR / LF: whitespace for FWS (folding tolerated)
  lex_qplain = 1u << 2,   ///< copied as is inside a quoted-string: not '"', '\', CR, LF
  lex_cplain = 1u << 3,   ///< plain inside a comment: not '(', ')', '\', CR, LF
  lex_special = 1u << 4,  ///< specials (section 3.2.3): ( ) < > [ ] : ; @ \ , . "
  lex_digit = 1u << 5,    ///< DIGIT
  lex_alpha = 1u << 6,    ///< ALPHA
};

namespace detail {
constexpr std::array<std::uint8_t, 256> make_lex_table() noexcept {
  std::array<std::uint8_t, 256> t{};
  constexpr std::string_view atext_punct = "!#$%&'*+-/=?^_`{|}~";
  constexpr std::string_view specials = "()<>[]:;@\\,.\"";
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    std::uint8_t b = 0;
    const bool alpha = (i >= 'A' && i <= 'Z') || (i >= 'a' && i <= 'z');
    const bool digit = i >= '0' && i <= '9';
    if (alpha) b |= lex_alpha;
    if (digit) b |= lex_digit;
    if (alpha || digit || i >= 0x80 || (i != 0 && atext_punct.find(c) != std::string_view::npos))
      b |= lex_atext;
    if (i == ' ' || i == '\t' || i == '\r' || i == '\n') b |= lex_wsp;
    if (i != '"' && i != '\\' && i != '\r' && i != '\n') b |= lex_qplain;
    if (i != '(' && i != ')' && i != '\\' && i != '\r' && i != '\n') b |= lex_cplain;
    if (i != 0 && specials.find(c) != std::string_view::npos) b |= lex_special;
    t[static_cast<std::size_t>(i)] = b;
  }
  return t;
}
inline constexpr std::array<std::uint8_t, 256> lex_table = make_lex_table();
}  // namespace detail

/// True when octet `c` has any of the lex_class bits in `bits`.
[[nodiscard]] constexpr bool lex_is(char c, std::uint8_t bits) noexcept {
  return (detail::lex_table[static_cast<unsigned char>(c)] & bits) != 0;
}
/// atext of section 3.2.3, with 0x80-0xFF (RFC 6532 section 3.2).
[[nodiscard]] constexpr bool is_atext(char c) noexcept { return lex_is(c, lex_atext); }
/// Whitespace of FWS with folding tolerated: SP, HTAB, CR, LF (sections 3.2.2, 4.2).
[[nodiscard]] constexpr bool is_fws(char c) noexcept { return lex_is(c, lex_wsp); }

/// Where a token scan stopped, and the first error met on the way (errc::ok if none).
struct scan_result {
  std::size_t end = 0;          ///< first byte after the token (or after the skipped text)
  errc error = errc::ok;        ///< unterminated token, comment too deep, ...
  std::size_t error_offset = 0; ///< offset of the byte the error is about
  bool comment = false;         ///< skip_cfws(): at least one comment was skipped
  [[nodiscard]] constexpr bool ok() const noexcept { return error == errc::ok; }
};

/// Skips whitespace (FWS of section 3.2.2, with bare CR/LF tolerated) from `pos`.
[[nodiscard]] constexpr std::size_t skip_fws(std::string_view in, std::size_t pos) noexcept {
  while (pos < in.size() && is_fws(in[pos])) ++pos;
  return pos;
}

namespace detail {

// Scans one comment whose '(' is at `pos`. Appends its text (without the outer parentheses,
// quoted-pairs undone, CR/LF removed, nested comments kept with their parentheses) to `text`
// when that is non-null.
inline void scan_comment(std::string_view in, std::size_t pos, const lexer_limits& lim,
                         std::string* text, scan_result& r) {
  const std::size_t n = in.size();
  std::size_t depth = 1;
  std::size_t i = pos + 1;
  while (i < n) {
    const std::size_t run = i;
    while (i < n && lex_is(in[i], lex_cplain)) ++i;
    if (text != nullptr && i != run) text->append(in.data() + run, i - run);
    if (i == n) break;
    const char c = in[i];
    if (c == '\\') {  // quoted-pair / obs-qp: any octet (sections 3.2.1, 4.1)
      if (i + 1 == n) break;
      const char q = in[i + 1];
      if (text != nullptr && q != '\r' && q != '\n') text->push_back(q);
      i += 2;
    } else if (c == '(') {
      ++depth;
      if (depth > lim.max_comment_depth && r.error == errc::ok) {
        r.error = errc::comment_too_deep;
        r.error_offset = i;
      }
      if (text != nullptr) text->push_back('(');
      ++i;
    } else if (c == ')') {
      ++i;
      if (--depth == 0) {
        r.end = i;
        return;
      }
      if (text != nullptr) text->push_back(')');
    } else {  // CR or LF: folding, removed (section 3.2.2)
      ++i;
    }
  }
  r.end = n;
  if (r.error == errc::ok) {
    r.error = errc::unterminated_comment;
    r.error_offset = pos;
  }
}

inline scan_result skip_cfws_impl(std::string_view in, std::size_t pos, const lexer_limits& lim,
                                  std::string* comments) {
  scan_result r;
  const std::size_t n = in.size();
  if (pos > n) pos = n;  // a position past the end is the end
  for (;;) {
    while (pos < n && is_fws(in[pos])) ++pos;
    if (pos == n || in[pos] != '(') break;
    if (comments != nullptr && r.comment) comments->push_back(' ');
    r.comment = true;
    scan_result c;
    scan_comment(in, pos, lim, comments, c);
    if (r.error == errc::ok && c.error != errc::ok) {
      r.error = c.error;
      r.error_offset = c.error_offset;
    }
    pos = c.end;
  }
  r.end = pos;
  return r;
}

}  // namespace detail

/// Skips CFWS (section 3.2.2: `CFWS = (1*([FWS] comment) [FWS]) / FWS`) from `pos`: whitespace,
/// folding line breaks and comments, which nest and hold quoted-pairs. Stops at the first other
/// byte; an unterminated comment runs to the end of `in` (errc::unterminated_comment).
[[nodiscard]] inline scan_result skip_cfws(std::string_view in, std::size_t pos,
                                           const lexer_limits& lim = {}) noexcept {
  // Without a text sink nothing allocates, so nothing can throw.
  return detail::skip_cfws_impl(in, pos, lim, nullptr);
}

/// skip_cfws() that also appends each comment's text to `comments` (outer parentheses removed,
/// quoted-pairs undone, CR/LF removed, nested comments kept with their parentheses; comments
/// separated by one space). Throws only std::bad_alloc.
[[nodiscard]] inline scan_result skip_cfws(std::string_view in, std::size_t pos,
                                           const lexer_limits& lim, std::string& comments) {
  return detail::skip_cfws_impl(in, pos, lim, &comments);
}

/// End of the run of atext that starts at `pos` (`atom = [CFWS] 1*atext [CFWS]`, section 3.2.3,
/// without its CFWS); `pos` itself when in[pos] is no atext.
[[nodiscard]] constexpr std::size_t scan_atom(std::string_view in, std::size_t pos) noexcept {
  while (pos < in.size() && is_atext(in[pos])) ++pos;
  return pos;
}

/// End of the dot-atom-text at `pos` (section 3.2.3: `dot-atom-text = 1*atext *("." 1*atext)`):
/// a '.' belongs to it only when atext follows. `pos` itself when in[pos] is no atext.
[[nodiscard]] constexpr std::size_t scan_dot_atom_text(std::string_view in,
                                                       std::size_t pos) noexcept {
  std::size_t end = scan_atom(in, pos);
  if (end == pos) return pos;
  while (end + 1 < in.size() && in[end] == '.' && is_atext(in[end + 1]))
    end = scan_atom(in, end + 1);
  return end;
}

/// True when all of `s` is one dot-atom-text (section 3.2.3): non-empty, no leading, trailing
/// or doubled '.'. Such a local-part needs no quotes.
[[nodiscard]] constexpr bool is_dot_atom_text(std::string_view s) noexcept {
  return !s.empty() && scan_dot_atom_text(s, 0) == s.size();
}

/// Scans the quoted-string whose '"' is at `pos` (section 3.2.4; obs-qtext and obs-qp of
/// section 4.1). `end` is past the closing '"'; without one, the string runs to the end of `in`
/// (errc::unterminated_quoted_string at `pos`).
[[nodiscard]] constexpr scan_result scan_quoted_string(std::string_view in,
                                                       std::size_t pos) noexcept {
  scan_result r;
  const std::size_t n = in.size();
  std::size_t i = pos + 1;
  while (i < n) {
    const char c = in[i];
    if (c == '"') {
      r.end = i + 1;
      return r;
    }
    i += (c == '\\') ? 2 : 1;
  }
  r.end = n;
  r.error = errc::unterminated_quoted_string;
  r.error_offset = pos;
  return r;
}

/// Appends the semantic content of quoted-string text (what lies between the quotes): each
/// quoted-pair becomes its octet, CR and LF (folding) are removed, other whitespace stays
/// (section 3.2.4). Throws only std::bad_alloc.
inline void append_unquoted(std::string_view content, std::string& out) {
  const std::size_t n = content.size();
  std::size_t i = 0;
  while (i < n) {
    const std::size_t run = i;
    while (i < n && lex_is(content[i], lex_qplain)) ++i;
    if (i != run) out.append(content.data() + run, i - run);
    if (i == n) break;
    const char c = content[i];
    if (c == '\\' && i + 1 < n) {
      const char q = content[i + 1];
      if (q != '\r' && q != '\n') out.push_back(q);
      i += 2;
    } else {
      if (c == '"') out.push_back(c);  // not in a valid quoted-string: kept
      ++i;                             // CR, LF, a lone final '\': dropped
    }
  }
}

/// scan_quoted_string() that also appends the unquoted content (as append_unquoted()) to `out`,
/// in the same pass. Throws only std::bad_alloc.
inline scan_result read_quoted_string(std::string_view in, std::size_t pos, std::string& out) {
  const scan_result r = scan_quoted_string(in, pos);
  const std::size_t content_end = r.ok() ? r.end - 1 : r.end;
  append_unquoted(in.substr(pos + 1, content_end - (pos + 1)), out);
  return r;
}

/// Appends `s` as a quoted-string (section 3.2.4): '"', each '"' and '\' escaped with '\',
/// '"'. CR and LF, which no quoted-string can carry unfolded, are left out. Throws only
/// std::bad_alloc.
inline void append_quoted(std::string_view s, std::string& out) {
  out.push_back('"');
  for (const char c : s) {
    if (c == '\r' || c == '\n') continue;
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

/// Scans the domain-literal whose '[' is at `pos` (section 3.4.1:
/// `domain-literal = [CFWS] "[" *([FWS] dtext) [FWS] "]" [CFWS]`, obs-dtext of section 4.4).
/// `end` is past the ']'; without one the literal runs to the end of `in`
/// (errc::unterminated_domain_literal at `pos`). A '[' inside is errc::unexpected_character.
[[nodiscard]] constexpr scan_result scan_domain_literal(std::string_view in,
                                                        std::size_t pos) noexcept {
  scan_result r;
  const std::size_t n = in.size();
  std::size_t i = pos + 1;
  while (i < n) {
    const char c = in[i];
    if (c == ']') {
      r.end = i + 1;
      return r;
    }
    if (c == '[' && r.error == errc::ok) {
      r.error = errc::unexpected_character;
      r.error_offset = i;
    }
    i += (c == '\\') ? 2 : 1;
  }
  r.end = n;
  r.error = errc::unterminated_domain_literal;
  r.error_offset = pos;
  return r;
}

/// Appends a domain-literal as written, brackets included, without its FWS (SP, HTAB, CR, LF):
/// `[ 192.0.2.1 ]` gives `[192.0.2.1]`. Quoted-pairs (obs-dtext) stay escaped. Throws only
/// std::bad_alloc.
inline void append_domain_literal(std::string_view literal, std::string& out) {
  const std::size_t n = literal.size();
  std::size_t i = 0;
  while (i < n) {
    const std::size_t run = i;
    while (i < n && !is_fws(literal[i]) && literal[i] != '\\') ++i;
    if (i != run) out.append(literal.data() + run, i - run);
    if (i == n) break;
    if (literal[i] == '\\' && i + 1 < n) {
      if (!is_fws(literal[i + 1])) out.append(literal.data() + i, 2);
      i += 2;
    } else {
      ++i;
    }
  }
}

}  // namespace mailwire::rfc5322
