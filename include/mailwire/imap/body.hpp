// mailwire/imap/body.hpp — ENVELOPE (RFC 9051 section 7.5.2, `envelope`) and BODYSTRUCTURE /
// BODY (RFC 9051 section 7.5.2, `body`; RFC 3501 section 7.4.2) as typed values: envelopes with
// address lists (group syntax markers of RFC 9051 section 9 `address` kept as they come), and
// body structures as a flat pre-order tree (one vector, no node copies, nesting bounded by
// limits::nesting()). Off-by-default quirks accept the forms broken servers send.
//
//   using namespace mailwire::imap;
//   limits lim; lim.authenticated = true;
//   auto b = parse_body("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)",
//                       lim);
//   // b.value.root().kind == body_kind::text, b.value.root().lines == 92
//   std::string out;
//   (void)write_body(out, b.value);                    // the same bytes back
//
// Views: strings, parameter lists and address lists view the parsed input (the message).
// A streamed literal (imap/framing.hpp) inside an envelope or body structure is bad_string:
// those literals are small and only message data is streamed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/imap/detail/reader.hpp"
#include "mailwire/imap/values.hpp"

namespace mailwire::imap {

/// Named, off-by-default acceptance of malformed ENVELOPE / BODYSTRUCTURE forms that real servers
/// send (issue 7 section 2; docs/security.md). The writer emits what was accepted (canonical
/// where the quirk only adds bytes, e.g. a stray SP; as received where content is missing).
struct body_quirks {
  /// A TEXT part without body-fld-lines (RFC 9051 section 9 requires it): Yahoo- and
  /// Exchange-style servers were reported to omit it. lines() is then absent.
  bool text_without_lines = false;
  /// NIL where a string is required: media type / subtype, body-fld-enc, parameter values,
  /// disposition type (seen from Exchange- and Domino-style servers).
  bool nil_strings = false;
  /// A SP before ")" in a body, envelope, address or parameter list (Yahoo-style output).
  bool space_before_paren = false;
  /// "()" for an empty body-fld-param where NIL is required (Yahoo/Exchange-style). Written "NIL".
  bool empty_param_list = false;
  /// SP between the addresses of an envelope address list (`"(" 1*address ")"` has none);
  /// written without.
  bool address_list_spaces = false;
  /// Any quirk on.
  [[nodiscard]] constexpr bool any() const noexcept {
    return text_without_lines || nil_strings || space_before_paren || empty_param_list || address_list_spaces;
  }
};

/// One address of an envelope (RFC 9051 section 9 `address`): addr-name, addr-adl,
/// addr-mailbox, addr-host. Group syntax (RFC 9051 section 7.5.2): host NIL with a mailbox is
/// the start of group `mailbox`; host NIL and mailbox NIL ends the group.
struct address {
  string_value name, adl, mailbox, host;
  [[nodiscard]] constexpr bool group_start() const noexcept { return host.is_nil() && !mailbox.is_nil(); }
  [[nodiscard]] constexpr bool group_end() const noexcept { return host.is_nil() && mailbox.is_nil(); }
  friend constexpr bool operator==(const address&, const address&) noexcept = default;
};

namespace detail {

/// A reparse context for values already validated (any inline literal, UTF-8 allowed).
inline const limits& relaxed_limits() noexcept {
  static const limits l = [] {
    limits x;
    x.authenticated = true;
    x.literal_after_auth = number64_max;
    x.nesting_after_auth = static_cast<std::size_t>(-1);
    x.list_items = static_cast<std::size_t>(-1);
    return x;
  }();
  return l;
}
inline const options& relaxed_options() noexcept {
  static const options o = [] {
    options x;
    x.utf8 = true;
    x.non_sync_literals = false;
    return x;
  }();
  return o;
}

/// nstring at the cursor; streamed literals are bad_string.
inline bool body_nstring(reader& r, string_value& v) {
  const std::size_t at = r.pos;
  if (!r.nstring(v)) return false;
  if (v.streamed()) return r.fail(errc::bad_string, at);
  return true;
}
/// string at the cursor (NIL too under nil_strings).
inline bool body_string(reader& r, string_value& v, bool nil_ok) {
  const std::size_t at = r.pos;
  if (nil_ok) {
    if (!r.nstring(v)) return false;
  } else {
    if (!r.eof() && (r.in[r.pos] == 'N' || r.in[r.pos] == 'n')) return r.fail(errc::bad_string, r.pos);
    if (!r.string(v)) return false;
  }
  if (v.streamed()) return r.fail(errc::bad_string, at);
  return true;
}
/// ")" maybe after one SP (space_before_paren).
inline bool close_paren(reader& r, const body_quirks& q) {
  if (q.space_before_paren && r.is(' ')) {
    if (r.pos + 1 == r.in.size()) return r.more();
    if (r.in[r.pos + 1] == ')') ++r.pos;
  }
  return r.close();
}
/// True if v, just read (the cursor right after it), is written as the writer writes it: a
/// plain quoted string or "NIL" in upper case.
[[nodiscard]] inline bool as_written(const reader& r, const string_value& v) noexcept {
  return v.plain() || (v.is_nil() && r.pos >= 3 && r.in.substr(r.pos - 3, 3) == "NIL");
}
/// SP then ")": true if the next octets are SP ")" (only checked under space_before_paren).
[[nodiscard]] inline bool sp_close_next(const reader& r, const body_quirks& q) {
  return q.space_before_paren && r.is(' ') && r.pos + 1 < r.in.size() && r.in[r.pos + 1] == ')';
}

}  // namespace detail

/// An envelope address list as written: "(" 1*address ")" or NIL (RFC 9051 section 9 env-from
/// ...). Addresses are read out with for_each() (no allocation).
class address_list {
 public:
  constexpr address_list() noexcept = default;
  /// Parser use: `raw` a valid list (parentheses included) of `count` addresses, or empty for NIL.
  /// `canonical`: raw is exactly what the writer would write (plain quoted strings and "NIL",
  /// no extra spaces), so it is copied as is.
  [[nodiscard]] static constexpr address_list unvalidated(std::string_view raw, std::size_t count,
                                                          bool canonical = false) noexcept {
    address_list l;
    l.raw_ = raw;
    l.count_ = count;
    l.canonical_ = canonical;
    return l;
  }
  /// Written as parsed (see unvalidated()).
  [[nodiscard]] constexpr bool canonical() const noexcept { return canonical_; }
  [[nodiscard]] constexpr bool is_nil() const noexcept { return raw_.empty(); }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
  [[nodiscard]] constexpr std::string_view raw() const noexcept { return raw_; }
  /// Calls f(address) in written order.
  template <class F>
  void for_each(F&& f) const {
    if (raw_.size() < 2) return;
    detail::reader r(raw_, detail::relaxed_limits(), detail::relaxed_options());
    r.pos = 1;
    while (r.good() && r.pos < raw_.size() - 1) {
      if (raw_[r.pos] == ' ') {
        ++r.pos;
        continue;
      }
      address a;
      r.open();
      r.nstring(a.name);
      r.sp();
      r.nstring(a.adl);
      r.sp();
      r.nstring(a.mailbox);
      r.sp();
      r.nstring(a.host);
      if (r.is(' ')) ++r.pos;
      r.close();
      if (!r.good()) return;
      f(a);
    }
  }
  /// Same addresses in the same order.
  friend bool operator==(const address_list& a, const address_list& b) {
    if (a.is_nil() != b.is_nil() || a.count_ != b.count_) return false;
    std::vector<address> x, y;
    a.for_each([&](const address& v) { x.push_back(v); });
    b.for_each([&](const address& v) { y.push_back(v); });
    return x == y;
  }

 private:
  std::string_view raw_;
  std::size_t count_ = 0;
  bool canonical_ = false;
};

/// ENVELOPE (RFC 9051 section 7.5.2): the header fields of a message as the server parsed them.
struct envelope {
  string_value date, subject;
  address_list from, sender, reply_to, to, cc, bcc;
  string_value in_reply_to, message_id;
  friend bool operator==(const envelope&, const envelope&) = default;
};

/// body-fld-param as written: "(" string SP string *(SP string SP string) ")" or NIL (RFC 9051
/// section 9). Pairs are read out with for_each(f(name, value)).
class param_list {
 public:
  constexpr param_list() noexcept = default;
  /// Parser use: `raw` a valid list (parentheses included) of `count` pairs, or empty for NIL.
  /// `canonical`: raw is exactly what the writer would write, so it is copied as is.
  [[nodiscard]] static constexpr param_list unvalidated(std::string_view raw, std::size_t count,
                                                        bool canonical = false) noexcept {
    param_list l;
    l.raw_ = raw;
    l.count_ = count;
    l.canonical_ = canonical;
    return l;
  }
  /// Written as parsed (see unvalidated()).
  [[nodiscard]] constexpr bool canonical() const noexcept { return canonical_; }
  [[nodiscard]] constexpr bool is_nil() const noexcept { return count_ == 0; }
  /// Number of name/value pairs.
  [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
  [[nodiscard]] constexpr std::string_view raw() const noexcept { return raw_; }
  /// Calls f(name, value) for each pair in written order.
  template <class F>
  void for_each(F&& f) const {
    if (count_ == 0) return;
    detail::reader r(raw_, detail::relaxed_limits(), detail::relaxed_options());
    r.pos = 1;
    for (std::size_t k = 0; k < count_ && r.good(); ++k) {
      string_value n, v;
      while (r.is(' ')) ++r.pos;
      r.nstring(n);
      r.sp();
      r.nstring(v);
      if (r.good()) f(n, v);
    }
  }
  /// The value of parameter `name` (case-insensitive), or NIL.
  [[nodiscard]] string_value get(std::string_view name) const {
    string_value out;
    bool found = false;
    for_each([&](const string_value& n, const string_value& v) {
      if (!found && ascii::iequals(n.content(), name)) {
        out = v;
        found = true;
      }
    });
    return out;
  }
  friend bool operator==(const param_list& a, const param_list& b) {
    if (a.count_ != b.count_) return false;
    std::vector<string_value> x, y;
    a.for_each([&](const string_value& n, const string_value& v) {
      x.push_back(n);
      x.push_back(v);
    });
    b.for_each([&](const string_value& n, const string_value& v) {
      y.push_back(n);
      y.push_back(v);
    });
    return x == y;
  }

 private:
  std::string_view raw_;
  std::size_t count_ = 0;
  bool canonical_ = false;
};

/// What a body part is (RFC 9051 section 9 body-type-basic / -text / -msg / -mpart).
enum class body_kind : std::uint8_t { basic, text, message, multipart };

/// One node of a body structure (pre-order). A multipart node is followed by its children's
/// subtrees, a message/rfc822 (or message/global) node by its body's subtree.
struct body_part {
  body_kind kind = body_kind::basic;
  string_value type;     ///< media type ("TEXT", "IMAGE"...); NIL for multipart
  string_value subtype;  ///< media subtype ("PLAIN", "MIXED"...)
  param_list params;     ///< body-fld-param (1part); multipart: the extension's body-fld-param
  string_value id, description, encoding;  ///< body-fld-id, -desc, -enc (1part)
  std::uint32_t octets = 0;                ///< body-fld-octets (1part)
  std::uint64_t lines = 0;                 ///< body-fld-lines (text, message)
  bool has_lines = false;                  ///< false only for a text part under text_without_lines
  envelope env;                            ///< message/rfc822: the nested message's envelope
  std::uint32_t subtree = 1;               ///< nodes in this subtree, itself included
  std::uint32_t children = 0;              ///< direct children (multipart parts; 1 for message)
  /// Extension fields present: 0 none; 1 md5 (1part) / params (multipart); 2 + disposition;
  /// 3 + language; 4 + location; 5 + body-extension(s).
  std::uint8_t ext = 0;
  string_value md5;                ///< body-fld-md5 (1part)
  string_value dsp_type;           ///< body-fld-dsp type ("attachment"); NIL when dsp is NIL
  param_list dsp_params;           ///< body-fld-dsp parameters
  bool dsp_nil = true;             ///< body-fld-dsp is NIL
  string_value language;           ///< body-fld-lang as one nstring (when lang_list is empty)
  std::string_view lang_list;      ///< body-fld-lang as "(" string *(SP string) ")", as written
  string_value location;           ///< body-fld-loc
  std::string_view extensions;     ///< the body-extensions after location, as written (SP-led)

  friend bool operator==(const body_part&, const body_part&) = default;
};

/// A body structure (BODY / BODYSTRUCTURE): the nodes in pre-order, root first.
struct body_structure {
  std::vector<body_part> parts;
  [[nodiscard]] const body_part& root() const noexcept { return parts.front(); }
  /// Calls f(index) for each direct child of node i.
  template <class F>
  void for_each_child(std::size_t i, F&& f) const {
    std::size_t c = i + 1;
    for (std::uint32_t k = 0; k < parts[i].children; ++k) {
      f(c);
      c += parts[c].subtree;
    }
  }
  friend bool operator==(const body_structure&, const body_structure&) = default;
};

namespace detail {

inline bool read_params(reader& r, param_list& out, const body_quirks& q) {
  if (r.nil()) {
    out = {};
    return true;
  }
  if (!r.good()) return false;
  const std::size_t start = r.pos;
  if (!r.open()) return false;
  std::size_t n = 0;
  if (q.empty_param_list && r.is(')')) {
    r.close();
    out = {};
    return true;
  }
  bool canon = !q.space_before_paren;
  while (true) {
    if (n == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
    string_value a, b;
    if (!body_string(r, a, false) || !r.sp()) return false;
    canon = canon && a.plain();
    if (!body_string(r, b, q.nil_strings)) return false;
    canon = canon && as_written(r, b);
    ++n;
    if (r.is(' ') && !sp_close_next(r, q)) {
      ++r.pos;
      continue;
    }
    break;
  }
  if (!close_paren(r, q)) return false;
  out = param_list::unvalidated(r.in.substr(start, r.pos - start), n, canon);
  return true;
}

inline bool read_address_list(reader& r, address_list& out, const body_quirks& q) {
  if (r.nil()) {
    out = {};
    return true;
  }
  if (!r.good()) return false;
  const std::size_t start = r.pos;
  if (!r.open()) return false;
  std::size_t n = 0;
  bool canon = !q.space_before_paren && !q.address_list_spaces;
  while (true) {
    if (n == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
    address a;
    if (!r.open() || !body_nstring(r, a.name)) return false;
    canon = canon && as_written(r, a.name);
    if (!r.sp() || !body_nstring(r, a.adl)) return false;
    canon = canon && as_written(r, a.adl);
    if (!r.sp() || !body_nstring(r, a.mailbox)) return false;
    canon = canon && as_written(r, a.mailbox);
    if (!r.sp() || !body_nstring(r, a.host)) return false;
    canon = canon && as_written(r, a.host);
    if (!close_paren(r, q)) return false;
    ++n;
    if (q.address_list_spaces && r.is(' ')) {
      if (r.pos + 1 == r.in.size()) return r.more();
      if (r.in[r.pos + 1] == '(') ++r.pos;
    }
    if (r.is('(')) continue;
    break;
  }
  if (!close_paren(r, q)) return false;
  out = address_list::unvalidated(r.in.substr(start, r.pos - start), n, canon);
  return true;
}

inline bool read_envelope(reader& r, envelope& e, const body_quirks& q) {
  return r.open() && body_nstring(r, e.date) && r.sp() && body_nstring(r, e.subject) && r.sp() &&
         read_address_list(r, e.from, q) && r.sp() && read_address_list(r, e.sender, q) && r.sp() &&
         read_address_list(r, e.reply_to, q) && r.sp() && read_address_list(r, e.to, q) && r.sp() &&
         read_address_list(r, e.cc, q) && r.sp() && read_address_list(r, e.bcc, q) && r.sp() &&
         body_nstring(r, e.in_reply_to) && r.sp() && body_nstring(r, e.message_id) && close_paren(r, q);
}

/// body-extension = nstring / number64 / "(" body-extension *(SP body-extension) ")".
inline bool read_body_extension(reader& r) {
  if (r.eof()) return r.more();
  const char c = r.in[r.pos];
  if (c == '(') {
    if (!r.open()) return false;
    std::size_t n = 0;
    while (true) {
      if (n++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
      if (!read_body_extension(r)) return false;
      if (!r.is(' ')) break;
      ++r.pos;
    }
    return r.close();
  }
  if (c >= '0' && c <= '9') {
    std::uint64_t v;
    return r.number64(v);
  }
  string_value s;
  return body_nstring(r, s);
}

/// body-fld-dsp SP... the extension fields after md5 (1part) or params (multipart).
inline bool read_ext_tail(reader& r, body_part& p, const body_quirks& q) {
  // [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
  if (!r.is(' ') || sp_close_next(r, q)) return true;
  ++r.pos;
  p.ext = 2;
  if (r.nil()) {
    p.dsp_nil = true;
  } else {
    if (!r.good()) return false;
    p.dsp_nil = false;
    if (!r.open() || !body_string(r, p.dsp_type, q.nil_strings) || !r.sp() || !read_params(r, p.dsp_params, q) ||
        !close_paren(r, q))
      return false;
  }
  if (!r.is(' ') || sp_close_next(r, q)) return true;
  ++r.pos;
  p.ext = 3;
  if (r.is('(')) {
    const std::size_t start = r.pos;
    if (!r.open()) return false;
    std::size_t n = 0;
    while (true) {
      if (n++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
      string_value s;
      if (!body_string(r, s, false)) return false;
      if (!r.is(' ') || sp_close_next(r, q)) break;
      ++r.pos;
    }
    if (!close_paren(r, q)) return false;
    p.lang_list = r.in.substr(start, r.pos - start);
  } else if (!body_nstring(r, p.language)) {
    return false;
  }
  if (!r.is(' ') || sp_close_next(r, q)) return true;
  ++r.pos;
  p.ext = 4;
  if (!body_nstring(r, p.location)) return false;
  const std::size_t start = r.pos;
  while (r.is(' ') && !sp_close_next(r, q)) {
    ++r.pos;
    p.ext = 5;
    if (!read_body_extension(r)) return false;
  }
  p.extensions = r.in.substr(start, r.pos - start);
  return true;
}

inline bool read_body(reader& r, std::vector<body_part>& parts, const body_quirks& q) {
  const std::size_t self = parts.size();
  if (!r.open()) return false;
  if (r.eof()) return r.more();
  parts.emplace_back();
  if (r.in[r.pos] == '(') {
    // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
    std::uint32_t n = 0;
    while (r.is('(')) {
      if (n == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
      if (!read_body(r, parts, q)) return false;
      ++n;
    }
    if (!r.good()) return false;
    if (r.eof()) return r.more();
    if (n == 0 || !r.sp()) return false;
    body_part& p = parts[self];
    p.kind = body_kind::multipart;
    p.children = n;
    p.type = string_value::nil();
    if (!body_string(r, parts[self].subtype, q.nil_strings)) return false;
    if (r.is(' ') && !sp_close_next(r, q)) {
      ++r.pos;
      parts[self].ext = 1;
      if (!read_params(r, parts[self].params, q) || !read_ext_tail(r, parts[self], q)) return false;
    }
  } else {
    {
      body_part& p = parts[self];
      if (!body_string(r, p.type, q.nil_strings) || !r.sp() || !body_string(r, p.subtype, q.nil_strings) ||
          !r.sp())
        return false;
      if (!read_params(r, p.params, q) || !r.sp() || !body_nstring(r, p.id) || !r.sp() ||
          !body_nstring(r, p.description) || !r.sp() || !body_string(r, p.encoding, q.nil_strings) || !r.sp())
        return false;
      std::uint32_t oct = 0;
      if (!r.number(oct)) return false;
      p.octets = oct;
    }
    const std::string_view t = parts[self].type.is_nil() ? std::string_view{} : parts[self].type.raw();
    const std::string_view st = parts[self].subtype.is_nil() ? std::string_view{} : parts[self].subtype.raw();
    const bool is_text = parts[self].type.contiguous() && iequals_upper(t, "TEXT");
    const bool is_msg = parts[self].type.contiguous() && parts[self].subtype.contiguous() &&
                        iequals_upper(t, "MESSAGE") && (iequals_upper(st, "RFC822") || iequals_upper(st, "GLOBAL"));
    if (is_msg && r.is(' ') && r.pos + 1 < r.in.size() && r.in[r.pos + 1] == '(') {
      ++r.pos;
      parts[self].kind = body_kind::message;
      envelope e;
      if (!read_envelope(r, e, q) || !r.sp()) return false;
      parts[self].env = e;
      if (!read_body(r, parts, q) || !r.sp()) return false;
      parts[self].children = 1;
      std::uint64_t lines = 0;
      if (!r.number64(lines)) return false;
      parts[self].lines = lines;
      parts[self].has_lines = true;
    } else if (is_msg && r.pos + 1 >= r.in.size() && r.is(' ')) {
      return r.more();
    } else if (is_text) {
      parts[self].kind = body_kind::text;
      if (q.text_without_lines && (r.is(')') || (r.is(' ') && r.pos + 1 < r.in.size() &&
                                                 !ascii::is_digit(r.in[r.pos + 1])))) {
        parts[self].has_lines = false;
      } else {
        std::uint64_t lines = 0;
        if (!r.sp() || !r.number64(lines)) return false;
        parts[self].lines = lines;
        parts[self].has_lines = true;
      }
    }
    if (r.is(' ') && !sp_close_next(r, q)) {
      ++r.pos;
      parts[self].ext = 1;
      if (!body_nstring(r, parts[self].md5) || !read_ext_tail(r, parts[self], q)) return false;
    }
  }
  if (!close_paren(r, q)) return false;
  parts[self].subtree = static_cast<std::uint32_t>(parts.size() - self);
  return true;
}

}  // namespace detail

/// Parses an envelope at the start of `in` (RFC 9051 section 7.5.2).
[[nodiscard]] inline parse_result<envelope> parse_envelope(std::string_view in, const limits& lim = {},
                                                           const options& opt = {}, const body_quirks& q = {}) {
  detail::reader r(in, lim, opt);
  envelope e;
  if (!detail::read_envelope(r, e, q)) return {r.st, 0, {}, r.err, r.err_at};
  return detail::done(e, r.pos);
}

/// Parses a body structure at the start of `in` (RFC 9051 section 7.5.2 BODY / BODYSTRUCTURE).
[[nodiscard]] inline parse_result<body_structure> parse_body(std::string_view in, const limits& lim = {},
                                                             const options& opt = {}, const body_quirks& q = {}) {
  detail::reader r(in, lim, opt);
  parse_result<body_structure> out;
  out.value.parts.reserve(8);
  if (!detail::read_body(r, out.value.parts, q)) return {r.st, 0, {}, r.err, r.err_at};
  out.st = status::event;
  out.consumed = r.pos;
  return out;
}

namespace detail {

inline errc write_addresses(std::string& out, const address_list& l, const options& opt) {
  if (l.is_nil()) {
    out.append("NIL");
    return errc::ok;
  }
  if (l.canonical()) {
    out.append(l.raw());
    return errc::ok;
  }
  errc e = errc::ok;
  out.push_back('(');
  l.for_each([&](const address& a) {
    out.push_back('(');
    if (e == errc::ok) e = detail::write_nstr(out, a.name, opt);
    out.push_back(' ');
    if (e == errc::ok) e = detail::write_nstr(out, a.adl, opt);
    out.push_back(' ');
    if (e == errc::ok) e = detail::write_nstr(out, a.mailbox, opt);
    out.push_back(' ');
    if (e == errc::ok) e = detail::write_nstr(out, a.host, opt);
    out.push_back(')');
  });
  out.push_back(')');
  return e;
}

inline errc write_params(std::string& out, const param_list& l, const options& opt) {
  if (l.is_nil()) {
    out.append("NIL");
    return errc::ok;
  }
  if (l.canonical()) {
    out.append(l.raw());
    return errc::ok;
  }
  errc e = errc::ok;
  bool first = true;
  out.push_back('(');
  l.for_each([&](const string_value& n, const string_value& v) {
    if (!first) out.push_back(' ');
    first = false;
    if (e == errc::ok) e = detail::write_nstr(out, n, opt, false);
    out.push_back(' ');
    if (e == errc::ok) e = detail::write_nstr(out, v, opt);
  });
  out.push_back(')');
  return e;
}

inline errc write_body_at(std::string& out, const body_structure& b, std::size_t i, const options& opt);

}  // namespace detail

/// Appends an envelope: "(" date SP subject SP six address lists SP in-reply-to SP message-id ")".
[[nodiscard]] inline errc write_envelope(std::string& out, const envelope& e, const options& opt = {}) {
  errc r = errc::ok;
  const auto chk = [&](errc x) {
    if (r == errc::ok) r = x;
  };
  chk(detail::write_nstr(out, e.date, opt, true, '('));
  chk(detail::write_nstr(out, e.subject, opt, true, ' '));
  for (const address_list* l : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) {
    out.push_back(' ');
    chk(detail::write_addresses(out, *l, opt));
  }
  chk(detail::write_nstr(out, e.in_reply_to, opt, true, ' '));
  chk(detail::write_nstr(out, e.message_id, opt, true, ' '));
  out.push_back(')');
  return r;
}

namespace detail {

inline errc write_ext_tail(std::string& out, const body_part& p, const options& opt) {
  errc r = errc::ok;
  if (p.ext >= 2) {
    if (p.dsp_nil) {
      out.append(" NIL");
    } else {
      out.append(" (");
      r = detail::write_nstr(out, p.dsp_type, opt);
      out.push_back(' ');
      if (r == errc::ok) r = write_params(out, p.dsp_params, opt);
      out.push_back(')');
    }
  }
  if (p.ext >= 3) {
    if (!p.lang_list.empty()) {
      out.push_back(' ');
      out.append(p.lang_list);
    } else {
      const errc e = detail::write_nstr(out, p.language, opt, true, ' ');
      if (r == errc::ok) r = e;
    }
  }
  if (p.ext >= 4) {
    const errc e = detail::write_nstr(out, p.location, opt, true, ' ');
    if (r == errc::ok) r = e;
  }
  if (p.ext >= 5) out.append(p.extensions);
  return r;
}

inline errc write_body_at(std::string& out, const body_structure& b, std::size_t i, const options& opt) {
  const body_part& p = b.parts[i];
  errc r = errc::ok;
  const auto chk = [&](errc x) {
    if (r == errc::ok) r = x;
  };
  if (p.kind == body_kind::multipart) {
    out.push_back('(');
    b.for_each_child(i, [&](std::size_t c) { chk(write_body_at(out, b, c, opt)); });
    chk(detail::write_nstr(out, p.subtype, opt, true, ' '));
    if (p.ext >= 1) {
      out.push_back(' ');
      chk(write_params(out, p.params, opt));
    }
    chk(write_ext_tail(out, p, opt));
  } else {
    chk(detail::write_nstr(out, p.type, opt, true, '('));
    chk(detail::write_nstr(out, p.subtype, opt, true, ' '));
    out.push_back(' ');
    chk(write_params(out, p.params, opt));
    chk(detail::write_nstr(out, p.id, opt, true, ' '));
    chk(detail::write_nstr(out, p.description, opt, true, ' '));
    chk(detail::write_nstr(out, p.encoding, opt, true, ' '));
    out.push_back(' ');
    append_number(out, p.octets);
    if (p.kind == body_kind::message) {
      out.push_back(' ');
      chk(write_envelope(out, p.env, opt));
      out.push_back(' ');
      if (i + 1 < b.parts.size()) chk(write_body_at(out, b, i + 1, opt));
      else r = errc::local_invalid_value;
    }
    if (p.has_lines && (p.kind == body_kind::text || p.kind == body_kind::message)) {
      out.push_back(' ');
      append_number(out, p.lines);
    }
    if (p.ext >= 1) chk(detail::write_nstr(out, p.md5, opt, true, ' '));
    chk(write_ext_tail(out, p, opt));
  }
  out.push_back(')');
  return r;
}

}  // namespace detail

/// Appends a body structure in canonical form (byte-exact for canonical input; body-extensions
/// and a language list are written as received).
[[nodiscard]] inline errc write_body(std::string& out, const body_structure& b, const options& opt = {}) {
  if (b.parts.empty()) return errc::local_invalid_value;
  const std::size_t mark = out.size();
  const errc r = detail::write_body_at(out, b, 0, opt);
  if (r != errc::ok) out.resize(mark);
  return r;
}

}  // namespace mailwire::imap
