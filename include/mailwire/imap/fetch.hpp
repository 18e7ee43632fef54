// mailwire/imap/fetch.hpp — FETCH attributes (RFC 9051 section 6.4.5, RFC 3501 section 6.4.5):
// body sections ("[1.2.HEADER.FIELDS (DATE FROM)]"), partial ranges ("<0.2048>" in a request,
// "<0>" in a response), the macros ALL / FAST / FULL and every fetch-att of IMAP4rev1, IMAP4rev2
// and the extensions BINARY (RFC 3516), CONDSTORE (RFC 7162 MODSEQ), OBJECTID (RFC 8474),
// SAVEDATE (RFC 8514) and PREVIEW (RFC 8970).
//
//   using namespace mailwire::imap;
//   auto r = parse_fetch_attributes("(FLAGS BODY.PEEK[1.2.HEADER.FIELDS (DATE)]<0.100>)\r\n");
//   r.value.for_each([](const fetch_attribute& a) { ... });  // a.item == fetch_item::body_section
//   std::string out;
//   (void)write_fetch_attributes(out, r.value);  // the same text: canonical input is kept
//
// Names are case-insensitive on input and written upper case; part numbers, header field names
// (astrings in their form) and numbers are kept, so canonical input is re-serialized byte for
// byte. Parsers follow imap/values.hpp: views into the input, need_more for every proper prefix,
// errors at the offending octet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/imap/errc.hpp"
#include "mailwire/imap/limits.hpp"
#include "mailwire/imap/values.hpp"

namespace mailwire::imap {

// ---------------------------------------------------------------------------------------------
// sections

/// The text part of a section (RFC 9051 section 9 `section-msgtext` / `section-text`).
enum class section_text : std::uint8_t {
  none,               ///< no text part: "[]" (whole message) or "[1.2]" (a body part)
  header,             ///< HEADER
  header_fields,      ///< HEADER.FIELDS (names)
  header_fields_not,  ///< HEADER.FIELDS.NOT (names)
  text,               ///< TEXT
  mime,               ///< MIME (only after a part number)
};

/// A section: "[" [section-spec] "]" (RFC 9051 section 9), or a section-binary "[" [section-part]
/// "]" (RFC 3516 section 4.2). Part numbers and the header-list are kept as written.
class section_spec {
 public:
  constexpr section_spec() noexcept = default;
  /// Parser use: `part` is a valid section-part ("1.2.3") or empty; `fields` a valid header-list
  /// ("(A B)") of `field_count` names, or empty.
  [[nodiscard]] static constexpr section_spec unvalidated(std::string_view part, std::size_t part_count,
                                                         section_text text, std::string_view fields,
                                                         std::size_t field_count,
                                                         std::string_view text_as_written = {}) noexcept {
    section_spec s;
    s.text_raw_ = text_as_written;
    s.part_ = part;
    s.part_count_ = part_count;
    s.text_ = text;
    s.fields_ = fields;
    s.field_count_ = field_count;
    return s;
  }
  /// The part numbers as written ("1.2.3"; empty for the top level).
  [[nodiscard]] constexpr std::string_view part() const noexcept { return part_; }
  /// Number of part numbers (0 for the top level).
  [[nodiscard]] constexpr std::size_t part_depth() const noexcept { return part_count_; }
  [[nodiscard]] constexpr section_text text() const noexcept { return text_; }
  /// The section-text name as written ("header", "HEADER.FIELDS"); empty when built by the host.
  [[nodiscard]] constexpr std::string_view text_as_written() const noexcept { return text_raw_; }
  /// The header-list as written, parentheses included (HEADER.FIELDS[.NOT] only).
  [[nodiscard]] constexpr std::string_view fields_raw() const noexcept { return fields_; }
  /// Number of header field names.
  [[nodiscard]] constexpr std::size_t field_count() const noexcept { return field_count_; }

  /// Calls f(std::uint32_t) for each part number in order.
  template <class F>
  constexpr void for_each_part(F&& f) const {
    std::uint32_t v = 0;
    for (char c : part_) {
      if (c == '.') {
        f(v);
        v = 0;
      } else {
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
      }
    }
    if (!part_.empty()) f(v);
  }
  /// Calls f(const string_value&) for each header field name in order.
  template <class F>
  void for_each_field(F&& f) const {
    std::size_t i = 1;
    options o;
    o.utf8 = true;
    limits l;
    l.authenticated = true;
    l.literal_after_auth = ~std::uint64_t{0} >> 1;
    for (std::size_t k = 0; k < field_count_; ++k) {
      const auto r = parse_astring(fields_.substr(i), l, o);
      f(r.value);
      i += r.consumed + 1;
    }
  }

  /// Same parts, text and header field names (names compared case-insensitively, RFC 5322).
  friend bool operator==(const section_spec& a, const section_spec& b) {
    if (a.part_ != b.part_ || a.text_ != b.text_ || a.field_count_ != b.field_count_) return false;
    if (a.field_count_ == 0) return true;
    std::vector<std::string> x, y;
    a.for_each_field([&](const string_value& v) { x.push_back(v.content()); });
    b.for_each_field([&](const string_value& v) { y.push_back(v.content()); });
    for (std::size_t k = 0; k < x.size(); ++k)
      if (!ascii::iequals(x[k], y[k])) return false;
    return true;
  }

 private:
  std::string_view part_;
  std::size_t part_count_ = 0;
  section_text text_ = section_text::none;
  std::string_view fields_;
  std::size_t field_count_ = 0;
  std::string_view text_raw_;
};

namespace detail {

/// Case-insensitive match of `word` (upper case) at in[i..]: 1 match, 0 no match, -1 input
/// ends inside a possible match.
[[nodiscard]] constexpr int match_word(std::string_view in, std::size_t i, std::string_view word) noexcept {
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (i + k == in.size()) return -1;
    if (ascii::to_upper(in[i + k]) != word[k]) return 0;
  }
  return 1;
}

/// section-part at in[0] (a digit): nz-number *("." nz-number). Stops before a "." that is not
/// followed by a digit (a section-text follows). Sets count.
[[nodiscard]] constexpr parse_result<std::string_view> parse_section_part(std::string_view in,
                                                                         std::size_t& count) noexcept {
  std::size_t i = 0;
  count = 0;
  for (;;) {
    const auto n = digits(in.substr(i), 0xFFFFFFFFu, true);
    if (n.st == status::need_more) return more<std::string_view>();
    if (n.st == status::error)
      return fail<std::string_view>(n.error == errc::number_overflow ? n.error : errc::bad_section, i + n.error_offset);
    i += n.consumed;
    ++count;
    if (in[i] != '.') break;
    if (i + 1 == in.size()) return more<std::string_view>();
    if (in[i + 1] < '0' || in[i + 1] > '9') break;
    ++i;
  }
  return done(in.substr(0, i), i);
}

/// header-list at in[0]: "(" astring *(SP astring) ")".
[[nodiscard]] inline parse_result<std::string_view> parse_header_list(std::string_view in, const limits& lim,
                                                                     const options& opt, std::size_t& count) {
  count = 0;
  if (in.empty()) return more<std::string_view>();
  if (in[0] != '(') return fail<std::string_view>(errc::bad_section, 0);
  std::size_t i = 1;
  for (;;) {
    if (i == in.size()) return more<std::string_view>();
    if (count == lim.list_items) return fail<std::string_view>(errc::list_too_long, i);
    const auto r = parse_astring(in.substr(i), lim, opt);
    if (r.st == status::need_more) return more<std::string_view>();
    if (r.st == status::error) {
      const errc e = r.error == errc::bad_string ? errc::bad_section : r.error;
      return fail<std::string_view>(e, i + r.error_offset);
    }
    if (r.value.streamed()) return fail<std::string_view>(errc::bad_section, i);
    i += r.consumed;
    ++count;
    if (i == in.size()) return more<std::string_view>();
    if (in[i] == ')') break;
    if (in[i] != ' ') return fail<std::string_view>(errc::bad_section, i);
    ++i;
  }
  return done(in.substr(0, i + 1), i + 1);
}

}  // namespace detail

namespace detail {
[[nodiscard]] constexpr std::string_view section_text_name(section_text t) noexcept {
  switch (t) {
    case section_text::none: return {};
    case section_text::header: return "HEADER";
    case section_text::header_fields: return "HEADER.FIELDS";
    case section_text::header_fields_not: return "HEADER.FIELDS.NOT";
    case section_text::text: return "TEXT";
    case section_text::mime: return "MIME";
  }
  return {};
}
}  // namespace detail

/// Parses a section "[" [section-spec] "]" at in[0] (RFC 9051 section 9); `binary`: a
/// section-binary "[" [section-part] "]" (RFC 3516). Errors: bad_section ("[0]", "[1.0]",
/// "[MIME]", "[HEADER.FIELDS ()]", unknown text), list_too_long, string errors of field names.
[[nodiscard]] inline parse_result<section_spec> parse_section(std::string_view in, const limits& lim = {},
                                                             const options& opt = {}, bool binary = false) {
  using detail::fail;
  using detail::more;
  if (in.empty()) return more<section_spec>();
  if (in[0] != '[') return fail<section_spec>(errc::bad_section, 0);
  std::size_t i = 1;
  std::string_view part;
  std::size_t part_count = 0;
  if (i == in.size()) return more<section_spec>();
  if (in[i] >= '0' && in[i] <= '9') {
    const auto p = detail::parse_section_part(in.substr(i), part_count);
    if (p.st != status::event) return {p.st, 0, {}, p.error, i + p.error_offset};
    part = p.value;
    i += p.consumed;
    if (in[i] == '.') {
      if (binary) return fail<section_spec>(errc::bad_section, i);
      if (++i == in.size()) return more<section_spec>();
      if (in[i] == ']') return fail<section_spec>(errc::bad_section, i);
    } else if (in[i] != ']') {
      return fail<section_spec>(errc::bad_section, i);
    }
  }
  section_text text = section_text::none;
  std::string_view text_raw;
  std::string_view fields;
  std::size_t field_count = 0;
  if (i == in.size()) return more<section_spec>();
  if (in[i] != ']') {
    if (binary) return fail<section_spec>(errc::bad_section, i);
    // section-text: HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT, MIME.
    const std::size_t at = i;
    std::size_t n = 0;
    while (i + n < in.size() && (ascii::is_alpha(in[i + n]) || in[i + n] == '.')) ++n;
    if (i + n == in.size()) {
      // Still a possible prefix of one of the names?
      constexpr std::string_view names[] = {"HEADER.FIELDS.NOT", "TEXT", "MIME"};
      for (std::string_view w : names)
        if (detail::match_word(in, i, w.substr(0, n < w.size() ? n : w.size())) == 1 && n <= w.size())
          return more<section_spec>();
      return fail<section_spec>(errc::bad_section, at);
    }
    std::string_view word = in.substr(i, n);
    auto is = [&](std::string_view w) { return ascii::iequals(word, w); };
    if (is("HEADER")) text = section_text::header;
    else if (is("HEADER.FIELDS")) text = section_text::header_fields;
    else if (is("HEADER.FIELDS.NOT")) text = section_text::header_fields_not;
    else if (is("TEXT")) text = section_text::text;
    else if (is("MIME") && part_count != 0) text = section_text::mime;
    else return fail<section_spec>(errc::bad_section, at);
    text_raw = word;
    i += n;
    if (text == section_text::header_fields || text == section_text::header_fields_not) {
      if (in[i] != ' ') return fail<section_spec>(errc::bad_section, i);
      ++i;
      const auto h = detail::parse_header_list(in.substr(i), lim, opt, field_count);
      if (h.st != status::event) return {h.st, 0, {}, h.error, i + h.error_offset};
      fields = h.value;
      i += h.consumed;
    }
    if (i == in.size()) return more<section_spec>();
    if (in[i] != ']') return fail<section_spec>(errc::bad_section, i);
  }
  return detail::done(section_spec::unvalidated(part, part_count, text, fields, field_count, text_raw), i + 1);
}

/// Appends "[" section "]" canonically: part numbers, upper-case text, field names as astrings
/// in their form. `binary`: a section-binary (text must be none).
[[nodiscard]] inline errc write_section(std::string& out, const section_spec& s, const options& opt = {},
                                        bool binary = false) {
  if (binary && s.text() != section_text::none) return errc::local_invalid_value;
  if (s.text() == section_text::mime && s.part().empty()) return errc::local_invalid_value;
  const bool has_fields = s.text() == section_text::header_fields || s.text() == section_text::header_fields_not;
  if (has_fields != (s.field_count() != 0)) return errc::local_invalid_value;
  const std::size_t start = out.size();
  out.push_back('[');
  out.append(s.part());
  if (!s.part().empty() && s.text() != section_text::none) out.push_back('.');
  const std::string_view canon = detail::section_text_name(s.text());
  if (!s.text_as_written().empty() && ascii::iequals(s.text_as_written(), canon)) out.append(s.text_as_written());
  else out.append(canon);
  if (has_fields) {
    out.append(" (");
    bool first = true;
    errc e = errc::ok;
    s.for_each_field([&](const string_value& v) {
      if (!first) out.push_back(' ');
      first = false;
      if (e == errc::ok) e = write_astring(out, v, opt);
    });
    if (e != errc::ok) {
      out.resize(start);
      return e;
    }
    out.push_back(')');
  }
  out.push_back(']');
  return errc::ok;
}

// ---------------------------------------------------------------------------------------------
// partial

/// A partial range: "<" origin "." count ">" in a request (RFC 9051 section 9 `partial`,
/// number64 "." nz-number64), "<" origin ">" in a response (section 7.5.2).
struct partial_range {
  bool present = false;    ///< a range was given
  bool has_count = false;  ///< request form "<origin.count>"
  std::uint64_t origin = 0;
  std::uint64_t count = 0;  ///< octets (>= 1) when has_count
  friend constexpr bool operator==(const partial_range&, const partial_range&) noexcept = default;
};

/// Parses a partial at in[0] == '<': the request form, or the response form when `response`.
[[nodiscard]] constexpr parse_result<partial_range> parse_partial(std::string_view in, bool response = false) noexcept {
  using detail::fail;
  using detail::more;
  if (in.empty()) return more<partial_range>();
  if (in[0] != '<') return fail<partial_range>(errc::bad_partial, 0);
  partial_range p;
  p.present = true;
  const auto a = detail::digits(in.substr(1), detail::number64_max, false);
  if (a.st == status::need_more) return more<partial_range>();
  if (a.st == status::error)
    return fail<partial_range>(a.error == errc::number_overflow ? a.error : errc::bad_partial, 1 + a.error_offset);
  p.origin = a.value;
  std::size_t i = 1 + a.consumed;
  if (!response) {
    if (in[i] != '.') return fail<partial_range>(errc::bad_partial, i);
    ++i;
    const auto b = detail::digits(in.substr(i), detail::number64_max, true);
    if (b.st == status::need_more) return more<partial_range>();
    if (b.st == status::error)
      return fail<partial_range>(b.error == errc::number_overflow ? b.error : errc::bad_partial, i + b.error_offset);
    p.has_count = true;
    p.count = b.value;
    i += b.consumed;
  }
  if (in[i] != '>') return fail<partial_range>(errc::bad_partial, i);
  return detail::done(p, i + 1);
}

/// Appends "<origin.count>" or "<origin>"; nothing for an absent range.
[[nodiscard]] inline errc write_partial(std::string& out, const partial_range& p) {
  if (!p.present) return errc::ok;
  if (p.origin > detail::number64_max || (p.has_count && (p.count == 0 || p.count > detail::number64_max)))
    return errc::local_invalid_value;
  out.push_back('<');
  detail::append_decimal(out, p.origin);
  if (p.has_count) {
    out.push_back('.');
    detail::append_decimal(out, p.count);
  }
  out.push_back('>');
  return errc::ok;
}

// ---------------------------------------------------------------------------------------------
// fetch attributes

/// A fetch-att (RFC 9051 section 6.4.5 / 9; RFC 3501 for RFC822*), or a msg-att name of a
/// FETCH response (section 7.5.2).
enum class fetch_item : std::uint8_t {
  envelope,       ///< ENVELOPE
  flags,          ///< FLAGS
  internaldate,   ///< INTERNALDATE
  rfc822,         ///< RFC822 (RFC 3501)
  rfc822_header,  ///< RFC822.HEADER (RFC 3501)
  rfc822_size,    ///< RFC822.SIZE
  rfc822_text,    ///< RFC822.TEXT (RFC 3501)
  body,           ///< BODY (non-extensible BODYSTRUCTURE)
  bodystructure,  ///< BODYSTRUCTURE
  uid,            ///< UID
  body_section,   ///< BODY[section]<partial> / BODY.PEEK[...] (peek)
  binary,         ///< BINARY[section-binary]<partial> / BINARY.PEEK[...] (RFC 3516)
  binary_size,    ///< BINARY.SIZE[section-binary] (RFC 3516)
  modseq,         ///< MODSEQ (RFC 7162 section 3.1.4)
  emailid,        ///< EMAILID (RFC 8474 section 5.1)
  threadid,       ///< THREADID (RFC 8474 section 5.2)
  savedate,       ///< SAVEDATE (RFC 8514 section 4)
  preview,        ///< PREVIEW ["(LAZY)"] (RFC 8970 section 3)
};

/// Which side's grammar: a FETCH command's attributes, or the names in a FETCH response
/// (no PEEK, no PREVIEW modifiers, partial as "<origin>").
enum class fetch_form : std::uint8_t { request, response };

/// One fetch attribute.
struct fetch_attribute {
  fetch_item item = fetch_item::flags;
  bool peek = false;          ///< BODY.PEEK / BINARY.PEEK (request only)
  bool preview_lazy = false;  ///< PREVIEW (LAZY) (RFC 8970 section 3.1)
  section_spec section;       ///< body_section, binary, binary_size
  partial_range partial;      ///< body_section, binary
  std::string_view name;      ///< the name as written ("body.peek"); empty: written upper case
  std::string_view lazy_as_written;  ///< "(LAZY)" as written; empty: written upper case
  /// Same item, peek, modifiers, section and partial (the spelling is not compared).
  friend bool operator==(const fetch_attribute& a, const fetch_attribute& b) {
    return a.item == b.item && a.peek == b.peek && a.preview_lazy == b.preview_lazy &&
           a.section == b.section && a.partial == b.partial;
  }
};

/// The macros (RFC 9051 section 6.4.5): ALL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE),
/// FAST = (FLAGS INTERNALDATE RFC822.SIZE), FULL = ALL + BODY.
enum class fetch_macro : std::uint8_t { none, all, fast, full };

/// The attributes of a FETCH command: a macro, one fetch-att, or "(" fetch-att *(SP fetch-att)
/// ")" kept as written (RFC 9051 section 9).
class fetch_attributes {
 public:
  constexpr fetch_attributes() noexcept = default;
  /// Parser use: `raw` is valid text of `count` attributes.
  [[nodiscard]] static constexpr fetch_attributes unvalidated(std::string_view raw, std::size_t count,
                                                              fetch_macro m) noexcept {
    fetch_attributes f;
    f.raw_ = raw;
    f.count_ = count;
    f.macro_ = m;
    return f;
  }
  /// One attribute written without parentheses.
  [[nodiscard]] static constexpr fetch_attributes single(const fetch_attribute& a, std::string_view raw = {}) noexcept {
    fetch_attributes f;
    f.raw_ = raw;
    f.count_ = 1;
    f.single_ = a;
    return f;
  }
  [[nodiscard]] constexpr fetch_macro macro() const noexcept { return macro_; }
  /// Written in parentheses.
  [[nodiscard]] constexpr bool parenthesized() const noexcept { return !raw_.empty() && raw_[0] == '('; }
  /// Parser use: a parenthesized list `raw` of `count` valid attributes.
  [[nodiscard]] static constexpr fetch_attributes list(std::string_view raw, std::size_t count) noexcept {
    return unvalidated(raw, count, fetch_macro::none);
  }
  /// The text as written. Views the input.
  [[nodiscard]] constexpr std::string_view raw() const noexcept { return raw_; }
  /// Number of attributes (0 for a macro).
  [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
  /// Calls f(const fetch_attribute&) for each attribute in written order (not for a macro's).
  template <class F>
  void for_each(F&& f) const;
  /// The attributes as a vector (convenience; allocates).
  [[nodiscard]] std::vector<fetch_attribute> to_vector() const {
    std::vector<fetch_attribute> v;
    v.reserve(count_);
    for_each([&](const fetch_attribute& a) { v.push_back(a); });
    return v;
  }
  /// Same macro, same parenthesization, same attributes in the same order.
  friend bool operator==(const fetch_attributes& a, const fetch_attributes& b) {
    return a.macro_ == b.macro_ && a.count_ == b.count_ && a.parenthesized() == b.parenthesized() &&
           a.to_vector() == b.to_vector();
  }

 private:
  std::string_view raw_;
  std::size_t count_ = 0;
  fetch_macro macro_ = fetch_macro::none;
  fetch_attribute single_;
};

namespace detail {

[[nodiscard]] constexpr bool fetch_name_char(char c) noexcept {
  return ascii::is_alpha(c) || (c >= '0' && c <= '9') || c == '.';
}

/// The fetch items whose name is all there is (no section, no "<origin>"), the same in commands
/// and responses: sets `item` when `name` (any case) is one. The first letter picks the one to
/// three names compared.
[[nodiscard]] inline bool plain_fetch_item(std::string_view name, fetch_item& item) noexcept {
  const auto one = [&](std::string_view w, fetch_item it) {
    if (!detail::iequals_upper(name, w)) return false;
    item = it;
    return true;
  };
  switch (name.empty() ? 0 : name[0] & ~0x20) {
    case 'B': return one("BODYSTRUCTURE", fetch_item::bodystructure);
    case 'E': return one("ENVELOPE", fetch_item::envelope) || one("EMAILID", fetch_item::emailid);
    case 'F': return one("FLAGS", fetch_item::flags);
    case 'I': return one("INTERNALDATE", fetch_item::internaldate);
    case 'M': return one("MODSEQ", fetch_item::modseq);
    case 'P': return one("PREVIEW", fetch_item::preview);
    case 'R':
      return one("RFC822.SIZE", fetch_item::rfc822_size) || one("RFC822", fetch_item::rfc822) ||
             one("RFC822.HEADER", fetch_item::rfc822_header) || one("RFC822.TEXT", fetch_item::rfc822_text);
    case 'S': return one("SAVEDATE", fetch_item::savedate);
    case 'T': return one("THREADID", fetch_item::threadid);
    case 'U': return one("UID", fetch_item::uid);
    default: return false;
  }
}

}  // namespace detail

/// Parses one fetch-att (request) or msg-att name with its section and origin (response) at
/// in[0]. A name is delimited by its follower (need_more at the end of the input).
[[nodiscard]] inline parse_result<fetch_attribute> parse_fetch_attribute(std::string_view in, const limits& lim = {},
                                                                        const options& opt = {},
                                                                        fetch_form form = fetch_form::request) {
  using detail::fail;
  using detail::more;
  std::size_t n = 0;
  while (n < in.size() && detail::fetch_name_char(in[n])) ++n;
  if (n == in.size()) return more<fetch_attribute>();
  if (const errc f = detail::bad_follower(in[n]); f != errc::ok) return fail<fetch_attribute>(f, n);
  const std::string_view name = in.substr(0, n);
  auto is = [&](std::string_view w) { return ascii::iequals(name, w); };
  fetch_attribute a;
  a.name = name;
  const bool req = form == fetch_form::request;
  enum { plain, with_section, with_binary_section } shape = plain;
  if (detail::plain_fetch_item(name, a.item)) {
  } else if (is("BODY")) {
    a.item = in[n] == '[' ? fetch_item::body_section : fetch_item::body;
    if (in[n] == '[') shape = with_section;
  } else if (req && is("BODY.PEEK")) {
    a.item = fetch_item::body_section;
    a.peek = true;
    shape = with_section;
  } else if (is("BINARY") || (req && is("BINARY.PEEK"))) {
    a.item = fetch_item::binary;
    a.peek = name.size() > 6;
    shape = with_binary_section;
  } else if (is("BINARY.SIZE")) {
    a.item = fetch_item::binary_size;
    shape = with_binary_section;
  } else {
    return fail<fetch_attribute>(errc::bad_fetch_attribute, 0);
  }
  std::size_t i = n;
  if (shape != plain) {
    const auto s = parse_section(in.substr(i), lim, opt, shape == with_binary_section);
    if (s.st != status::event) return {s.st, 0, {}, s.error, i + s.error_offset};
    a.section = s.value;
    i += s.consumed;
    if (a.item != fetch_item::binary_size) {
      if (i == in.size()) return more<fetch_attribute>();
      if (in[i] == '<') {
        const auto p = parse_partial(in.substr(i), !req);
        if (p.st != status::event) return {p.st, 0, {}, p.error, i + p.error_offset};
        a.partial = p.value;
        i += p.consumed;
      }
    }
  } else if (a.item == fetch_item::preview && req && in[i] == ' ') {
    // PREVIEW SP "(" "LAZY" ")" (RFC 8970 section 7); any other SP ends the attribute.
    const int m = detail::match_word(in, i + 1, "(LAZY)");
    if (m < 0) return more<fetch_attribute>();
    if (m == 1) {
      a.preview_lazy = true;
      a.lazy_as_written = in.substr(i + 1, 6);
      i += 7;
    }
  }
  return detail::done(a, i);
}

/// Appends a fetch attribute canonically (upper-case names); `form` as in the parser.
[[nodiscard]] inline errc write_fetch_attribute(std::string& out, const fetch_attribute& a, const options& opt = {},
                                                fetch_form form = fetch_form::request) {
  const bool req = form == fetch_form::request;
  if (!req && (a.peek || a.preview_lazy || (a.partial.present && a.partial.has_count))) return errc::local_invalid_value;
  if (req && a.partial.present && !a.partial.has_count) return errc::local_invalid_value;
  const std::size_t start = out.size();
  std::string_view name;
  int shape = 0;  // 1 section, 2 binary section
  switch (a.item) {
    case fetch_item::envelope: name = "ENVELOPE"; break;
    case fetch_item::flags: name = "FLAGS"; break;
    case fetch_item::internaldate: name = "INTERNALDATE"; break;
    case fetch_item::rfc822: name = "RFC822"; break;
    case fetch_item::rfc822_header: name = "RFC822.HEADER"; break;
    case fetch_item::rfc822_size: name = "RFC822.SIZE"; break;
    case fetch_item::rfc822_text: name = "RFC822.TEXT"; break;
    case fetch_item::body: name = "BODY"; break;
    case fetch_item::bodystructure: name = "BODYSTRUCTURE"; break;
    case fetch_item::uid: name = "UID"; break;
    case fetch_item::body_section: name = a.peek ? "BODY.PEEK" : "BODY"; shape = 1; break;
    case fetch_item::binary: name = a.peek ? "BINARY.PEEK" : "BINARY"; shape = 2; break;
    case fetch_item::binary_size: name = "BINARY.SIZE"; shape = 2; break;
    case fetch_item::modseq: name = "MODSEQ"; break;
    case fetch_item::emailid: name = "EMAILID"; break;
    case fetch_item::threadid: name = "THREADID"; break;
    case fetch_item::savedate: name = "SAVEDATE"; break;
    case fetch_item::preview: name = "PREVIEW"; break;
  }
  if (name.empty()) return errc::local_invalid_value;
  if (a.peek && shape == 0) return errc::local_invalid_value;
  if (a.preview_lazy && a.item != fetch_item::preview) return errc::local_invalid_value;
  if ((shape == 0 || a.item == fetch_item::binary_size) && a.partial.present) return errc::local_invalid_value;
  out.append(!a.name.empty() && detail::iequals_upper(a.name, name) ? a.name : name);
  errc e = errc::ok;
  if (shape != 0) {
    e = write_section(out, a.section, opt, shape == 2);
    if (e == errc::ok) e = write_partial(out, a.partial);
  }
  if (e != errc::ok) {
    out.resize(start);
    return e;
  }
  if (a.preview_lazy) {
    out.push_back(' ');
    out.append(ascii::iequals(a.lazy_as_written, "(LAZY)") ? a.lazy_as_written : std::string_view("(LAZY)"));
  }
  return errc::ok;
}

/// Parses the attributes of a FETCH command: "ALL" / "FAST" / "FULL" / fetch-att / "(" fetch-att
/// *(SP fetch-att) ")" (RFC 9051 section 9). A macro or single attribute is delimited by its
/// follower. More than limits::list_items attributes is list_too_long.
[[nodiscard]] inline parse_result<fetch_attributes> parse_fetch_attributes(std::string_view in, const limits& lim = {},
                                                                          const options& opt = {}) {
  using detail::fail;
  using detail::more;
  if (in.empty()) return more<fetch_attributes>();
  if (in[0] != '(') {
    std::size_t n = 0;
    while (n < in.size() && detail::fetch_name_char(in[n])) ++n;
    if (n == in.size()) return more<fetch_attributes>();
    const std::string_view name = in.substr(0, n);
    fetch_macro m = fetch_macro::none;
    if (ascii::iequals(name, "ALL")) m = fetch_macro::all;
    else if (ascii::iequals(name, "FAST")) m = fetch_macro::fast;
    else if (ascii::iequals(name, "FULL")) m = fetch_macro::full;
    if (m != fetch_macro::none) {
      if (const errc f = detail::bad_follower(in[n]); f != errc::ok) return fail<fetch_attributes>(f, n);
      return detail::done(fetch_attributes::unvalidated(in.substr(0, n), 0, m), n);
    }
    const auto a = parse_fetch_attribute(in, lim, opt);
    if (a.st != status::event) return {a.st, 0, {}, a.error, a.error_offset};
    return detail::done(fetch_attributes::single(a.value, in.substr(0, a.consumed)), a.consumed);
  }
  std::size_t i = 1, count = 0;
  for (;;) {
    if (i == in.size()) return more<fetch_attributes>();
    if (count == lim.list_items) return fail<fetch_attributes>(errc::list_too_long, i);
    const auto a = parse_fetch_attribute(in.substr(i), lim, opt);
    if (a.st != status::event) return {a.st, 0, {}, a.error, i + a.error_offset};
    i += a.consumed;
    ++count;
    if (i == in.size()) return more<fetch_attributes>();
    if (in[i] == ')') break;
    if (in[i] != ' ') return fail<fetch_attributes>(errc::bad_fetch_attribute, i);
    ++i;
  }
  return detail::done(fetch_attributes::unvalidated(in.substr(0, i + 1), count, fetch_macro::none), i + 1);
}

template <class F>
void fetch_attributes::for_each(F&& f) const {
  if (macro_ != fetch_macro::none || count_ == 0) return;
  if (!parenthesized()) {
    f(single_);
    return;
  }
  limits l;
  l.authenticated = true;
  l.literal_after_auth = ~std::uint64_t{0} >> 1;
  l.list_items = ~std::size_t{0};
  options o;
  o.utf8 = true;
  std::size_t i = 1;
  for (std::size_t k = 0; k < count_; ++k) {
    const auto a = parse_fetch_attribute(raw_.substr(i), l, o);
    if (a.st != status::event) return;
    f(a.value);
    i += a.consumed + 1;
  }
}

/// Appends the attributes: the macro name, the lone attribute, or the parenthesized list
/// (canonical names, one SP between attributes).
[[nodiscard]] inline errc write_fetch_attributes(std::string& out, const fetch_attributes& l, const options& opt = {}) {
  std::string_view macro;
  switch (l.macro()) {
    case fetch_macro::all: macro = "ALL"; break;
    case fetch_macro::fast: macro = "FAST"; break;
    case fetch_macro::full: macro = "FULL"; break;
    case fetch_macro::none: break;
  }
  if (!macro.empty()) {
    out.append(ascii::iequals(l.raw(), macro) ? l.raw() : macro);
    return errc::ok;
  }
  if (l.size() == 0 && !l.parenthesized()) return errc::local_invalid_value;
  if (!l.parenthesized() && l.size() != 1) return errc::local_invalid_value;
  const std::size_t start = out.size();
  if (l.parenthesized()) out.push_back('(');
  bool first = true;
  errc e = errc::ok;
  l.for_each([&](const fetch_attribute& a) {
    if (e != errc::ok) return;
    if (!first) out.push_back(' ');
    first = false;
    e = write_fetch_attribute(out, a, opt);
  });
  if (e != errc::ok) {
    out.resize(start);
    return e;
  }
  if (l.parenthesized()) out.push_back(')');
  return errc::ok;
}

/// Appends "(" attributes joined by SP ")" built by the host (views must outlive the call).
[[nodiscard]] inline errc write_fetch_attributes(std::string& out, std::span<const fetch_attribute> attrs,
                                                 const options& opt = {}) {
  const std::size_t start = out.size();
  out.push_back('(');
  for (std::size_t k = 0; k < attrs.size(); ++k) {
    if (k) out.push_back(' ');
    if (const errc e = write_fetch_attribute(out, attrs[k], opt); e != errc::ok) {
      out.resize(start);
      return e;
    }
  }
  out.push_back(')');
  return errc::ok;
}

}  // namespace mailwire::imap
