// mailwire/imap/mime_structure.hpp — ENVELOPE and BODYSTRUCTURE / BODY of a message from the
// MIME parser's tree (RFC 9051 section 7.5.2, RFC 3501 section 7.4.2), as Dovecot computes them.
//
//   auto msg = mailwire::mime::parse(bytes);
//   auto env = mailwire::imap::envelope_of(msg.root);         // owns its text
//   auto bs = mailwire::imap::body_structure_of(msg.root);    // BODYSTRUCTURE
//   std::string out;
//   (void)mailwire::imap::write_envelope(out, env.value);     // or append_envelope_of(out, msg.root)
//
// This header is the bridge between mime/ and imap/ (the codec itself never includes mime/).
// The IMAP text is built first (append_envelope_of / append_body_structure_of: what a server
// sends) and the typed value is that text parsed back with parse_envelope / parse_body, so the
// value and the text always agree; owned<T> keeps the text the value's views point into.
//
// Rules (Dovecot's, the reference of tests/interop/test_structure_dovecot.py):
// - ENVELOPE date, subject, in-reply-to, message-id: the raw field value, line breaks removed and
//   leading whitespace skipped, not decoded (encoded words stay); NIL when the field is absent.
// - Addresses: (name adl mailbox host), names not decoded; group syntax as RFC 9051 7.5.2;
//   sender and reply-to default to from; a missing local part or domain is "MISSING_MAILBOX" /
//   "MISSING_DOMAIN" (a NIL host would read as a group marker).
// - Media type and subtype, encoding and disposition type keep the case they were written in;
//   defaults are "text" "plain" ("charset" "us-ascii") and "7bit" (message/rfc822 in a digest).
//   Parameter names are lower case; RFC 2231 values are joined, extended ones written
//   `name*` = charset'language'%XX-encoded value.
// - body-fld-octets is the encoded body's size (lf_to_crlf: bare LFs counted as CRLF);
//   body-fld-lines counts the body's line feeds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mailwire/imap/body.hpp"
#include "mailwire/imap/values.hpp"
#include "mailwire/mime/content_type.hpp"
#include "mailwire/mime/message.hpp"
#include "mailwire/rfc5322/address.hpp"
#include "mailwire/rfc5322/header.hpp"

namespace mailwire::imap {

/// How ENVELOPE / BODYSTRUCTURE are computed (RFC 9051 section 7.5.2).
struct structure_options {
  /// The store has LF line ends but the server sends CRLF (RFC 9051 section 2.3.4 sizes are of
  /// the message as sent): body-fld-octets counts each bare LF as two octets.
  bool lf_to_crlf = false;
};

/// A value of body.hpp together with the IMAP text its views point into (RFC 9051 7.5.2).
template <class T>
struct owned {
  std::shared_ptr<const std::string> text;  ///< the IMAP form, as append_*_of() writes it
  T value;                                  ///< parsed from *text
  operator const T&() const noexcept { return value; }  // NOLINT: implicit on purpose
};

namespace detail {

/// Field value with line breaks removed and leading whitespace skipped (Dovecot's nstring of a
/// header value); trailing whitespace removed too.
inline std::string ms_field_text(std::string_view raw) {
  std::string s;
  s.reserve(raw.size());
  for (char c : raw)
    if (c != '\r' && c != '\n') s.push_back(c);
  std::size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t')) ++b;
  std::size_t e = s.size();
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

/// A string (quoted, or a literal for CR, LF, 8-bit); NUL octets, which only literal8 carries,
/// are left out.
inline void ms_str(std::string& out, std::string_view s) {
  std::string clean;
  if (s.find('\0') != std::string_view::npos) {
    for (char c : s)
      if (c != '\0') clean.push_back(c);
    s = clean;
  }
  (void)write_string(out, string_value::from_text(s, string_form::quoted), options{});
}
inline void ms_nstr(std::string& out, const rfc5322::header_field* f) {
  if (f == nullptr) {
    out.append("NIL");
    return;
  }
  ms_str(out, ms_field_text(f->raw_value));
}

inline void ms_address(std::string& out, std::string_view name, std::string_view mailbox, std::string_view host,
                       bool nil_mailbox, bool nil_host) {
  out.push_back('(');
  if (name.empty()) out.append("NIL");
  else ms_str(out, name);
  out.append(" NIL ");
  if (nil_mailbox) out.append("NIL");
  else ms_str(out, mailbox);
  out.push_back(' ');
  if (nil_host) out.append("NIL");
  else ms_str(out, host);
  out.push_back(')');
}

/// Appends the address list of field `f` (NIL when absent or empty). Returns false when NIL.
inline bool ms_addresses(std::string& out, const rfc5322::header_field* f) {
  if (f == nullptr) return false;
  rfc5322::address_options ao;
  ao.decode_encoded_words = false;
  const rfc5322::address_list l = rfc5322::parse_address_list(f->raw_value, ao);
  if (l.mailboxes.empty() && l.groups.empty()) return false;
  out.push_back('(');
  std::size_t g = 0;
  auto mbox = [&](const rfc5322::mailbox& m) {
    // No display name: the comment after the addr-spec names it ("a@b (Name)"), as Dovecot reads it.
    std::string_view name = m.name;
    if (name.empty()) {
      const std::string_view v = f->raw_value;
      std::size_t k = m.offset;
      while (k < v.size() && v[k] != ',' && v[k] != '(' && v[k] != '"') ++k;
      if (k < v.size() && v[k] == '(') {
        const std::size_t e = v.find(')', k);
        if (e != std::string_view::npos) name = v.substr(k + 1, e - k - 1);
      }
    }
    ms_address(out, name, m.local_part.empty() ? std::string_view("MISSING_MAILBOX") : m.local_part,
               m.domain.empty() ? std::string_view("MISSING_DOMAIN") : m.domain, false, false);
  };
  auto group_at = [&](std::size_t i) {
    // Groups that start before mailbox i (by index; empty groups by offset).
    while (g < l.groups.size()) {
      const rfc5322::group& gr = l.groups[g];
      const bool before = gr.count > 0 ? gr.first == i
                                       : (i >= l.mailboxes.size() || gr.offset <= l.mailboxes[i].offset);
      if (!before) return;
      ms_address(out, {}, gr.name, {}, false, true);
      for (std::size_t k = 0; k < gr.count; ++k) mbox(l.mailboxes[gr.first + k]);
      ms_address(out, {}, {}, {}, true, true);
      i = gr.first + gr.count;
      ++g;
      if (gr.count > 0) return;
    }
  };
  std::size_t i = 0;
  while (i < l.mailboxes.size() || g < l.groups.size()) {
    const std::size_t before = g;
    group_at(i);
    if (g != before) {
      if (l.groups[g - 1].count > 0) i = l.groups[g - 1].first + l.groups[g - 1].count;
      continue;
    }
    if (i < l.mailboxes.size()) mbox(l.mailboxes[i++]);
    else break;
  }
  out.push_back(')');
  return true;
}

inline void ms_addresses_or(std::string& out, const rfc5322::header_field* f, const rfc5322::header_field* dflt) {
  const std::size_t at = out.size();
  if (ms_addresses(out, f)) return;
  out.resize(at);
  if (!ms_addresses(out, dflt)) {
    out.resize(at);
    out.append("NIL");
  }
}

/// Raw token of a field value up to one of `stops` (CFWS skipped before it), as written.
inline std::string_view ms_token(std::string_view v, std::size_t& i, std::string_view stops) {
  i = mime::detail::skip_cfws(v, i, nullptr);
  const std::size_t b = i;
  while (i < v.size() && stops.find(v[i]) == std::string_view::npos && v[i] != ' ' && v[i] != '\t' &&
         v[i] != '\r' && v[i] != '\n' && v[i] != '(')
    ++i;
  return v.substr(b, i - b);
}

inline void ms_pct(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (c > 0x20 && c < 0x7f && std::string_view("*'%()<>@,;:\\\"/[]?=").find(static_cast<char>(c)) ==
                                    std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
}

/// Parameters; names in the case written in `field` (when found at their offset), a text part
/// without a plain "charset" gets "charset" "us-ascii" appended (Dovecot).
inline void ms_params(std::string& out, const mime::parameter_list& ps, bool default_charset,
                      std::string_view field = {}) {
  bool has_charset = false;
  for (const auto& p : ps.items) has_charset = has_charset || (!p.extended && p.name == "charset");
  if (ps.items.empty() && !default_charset) {
    out.append("NIL");
    return;
  }
  out.push_back('(');
  bool first = true;
  for (const auto& p : ps.items) {
    if (!first) out.push_back(' ');
    first = false;
    std::string name = p.name;
    if (p.offset + name.size() <= field.size() && ascii::iequals(field.substr(p.offset, name.size()), name))
      name = std::string(field.substr(p.offset, name.size()));
    if (p.extended) {
      ms_str(out, name + "*");
      out.push_back(' ');
      std::string v = p.charset + "'" + p.language + "'";
      ms_pct(v, p.value);
      ms_str(out, v);
    } else {
      ms_str(out, name);
      out.push_back(' ');
      ms_str(out, p.value);
    }
  }
  if (default_charset && !has_charset) {
    if (!first) out.push_back(' ');
    out.append("\"charset\" \"us-ascii\"");
  }
  out.push_back(')');
}

inline std::uint64_t ms_count(std::string_view s, bool lf_to_crlf, std::uint64_t& lines) {
  std::uint64_t extra = 0;
  lines = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\n') continue;
    ++lines;
    if (lf_to_crlf && (i == 0 || s[i - 1] != '\r')) ++extra;
  }
  return s.size() + extra;
}

inline void ms_envelope(std::string& out, const mime::node& m) {
  out.push_back('(');
  ms_nstr(out, m.field("Date"));
  out.push_back(' ');
  ms_nstr(out, m.field("Subject"));
  out.push_back(' ');
  const rfc5322::header_field* from = m.field("From");
  ms_addresses_or(out, from, nullptr);
  out.push_back(' ');
  ms_addresses_or(out, m.field("Sender"), from);
  out.push_back(' ');
  ms_addresses_or(out, m.field("Reply-To"), from);
  for (const char* n : {"To", "Cc", "Bcc"}) {
    out.push_back(' ');
    ms_addresses_or(out, m.field(n), nullptr);
  }
  out.push_back(' ');
  ms_nstr(out, m.field("In-Reply-To"));
  out.push_back(' ');
  ms_nstr(out, m.field("Message-ID"));
  out.push_back(')');
}

inline void ms_ext_tail(std::string& out, const mime::node& n) {
  out.push_back(' ');
  const rfc5322::header_field* d = n.field("Content-Disposition");
  const mime::content_disposition cd =
      d ? mime::parse_content_disposition(d->raw_value) : mime::content_disposition{};
  if (d != nullptr && cd.valid) {
    std::size_t i = 0;
    const std::string_view t = ms_token(d->raw_value, i, ";");
    out.push_back('(');
    ms_str(out, t);
    out.push_back(' ');
    ms_params(out, cd.params, false, d->raw_value);
    out.push_back(')');
  } else {
    out.append("NIL");
  }
  out.push_back(' ');
  const rfc5322::header_field* l = n.field("Content-Language");
  std::string langs;
  if (l != nullptr) {
    const std::string_view v = l->raw_value;
    std::size_t i = 0;
    while (i < v.size()) {
      const std::string_view t = ms_token(v, i, ",");
      if (!t.empty()) {
        langs.push_back(langs.empty() ? '(' : ' ');
        ms_str(langs, t);
      }
      if (i < v.size() && (v[i] == ',' || t.empty())) ++i;
    }
  }
  if (langs.empty()) out.append("NIL");
  else out.append(langs).push_back(')');
  out.push_back(' ');
  ms_nstr(out, n.field("Content-Location"));
}

inline void ms_body(std::string& out, const mime::node& n, bool ext, const structure_options& o, bool digest,
                    std::size_t depth);

inline void ms_empty_text(std::string& out, bool ext) {
  out.append("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0");
  if (ext) out.append(" NIL NIL NIL NIL");
  out.push_back(')');
}

inline void ms_body(std::string& out, const mime::node& n, bool ext, const structure_options& o, bool digest,
                    std::size_t depth) {
  const rfc5322::header_field* ctf = n.field("Content-Type");
  std::string_view type, subtype;
  if (n.info.type_given && ctf != nullptr) {
    std::size_t i = 0;
    type = ms_token(ctf->raw_value, i, "/;");
    i = mime::detail::skip_cfws(ctf->raw_value, i, nullptr);
    if (i < ctf->raw_value.size() && ctf->raw_value[i] == '/') ++i;
    subtype = ms_token(ctf->raw_value, i, ";");
  } else {
    type = n.info.type.type;
    subtype = n.info.type.subtype;
    (void)digest;
  }
  if (n.is_multipart()) {
    out.push_back('(');
    if (n.parts.empty() || depth > 64) {
      ms_empty_text(out, ext);
    } else {
      const bool is_digest = n.info.type.subtype == "digest";
      for (const auto& p : n.parts) ms_body(out, p, ext, o, is_digest, depth + 1);
    }
    out.push_back(' ');
    ms_str(out, subtype);
    if (ext) {
      out.push_back(' ');
      ms_params(out, n.info.type.params, false, ctf ? ctf->raw_value : std::string_view{});
      ms_ext_tail(out, n);
    }
    out.push_back(')');
    return;
  }
  if (n.enclosed && n.info.type.subtype == "rfc822") {
    type = "message";  // Dovecot writes message/rfc822 in lower case
    subtype = "rfc822";
  }
  out.push_back('(');
  ms_str(out, type);
  out.push_back(' ');
  ms_str(out, subtype);
  out.push_back(' ');
  const bool text = n.info.type.type == "text";
  ms_params(out, n.info.type.params, text, ctf && n.info.type_given ? ctf->raw_value : std::string_view{});
  out.push_back(' ');
  ms_nstr(out, n.field("Content-ID"));
  out.push_back(' ');
  ms_nstr(out, n.field("Content-Description"));
  out.push_back(' ');
  const rfc5322::header_field* enc = n.field("Content-Transfer-Encoding");
  std::string enc_text = enc ? ms_field_text(enc->raw_value) : std::string();
  if (enc_text.empty()) enc_text = "7bit";
  ms_str(out, enc_text);
  out.push_back(' ');
  std::uint64_t lines = 0;
  std::uint64_t octets = 0;
  if (n.enclosed && !n.storage) {
    const std::string body = mime::write(*n.enclosed);
    octets = ms_count(body, o.lf_to_crlf, lines);
  } else {
    octets = ms_count(n.body, o.lf_to_crlf, lines);
  }
  if (octets > 0xffffffffu) octets = 0xffffffffu;
  ascii::append_decimal(out, octets);
  if (n.enclosed && depth <= 64) {
    out.push_back(' ');
    ms_envelope(out, *n.enclosed);
    out.push_back(' ');
    ms_body(out, *n.enclosed, ext, o, false, depth + 1);
    out.push_back(' ');
    ascii::append_decimal(out, lines);
  } else if (n.enclosed || text) {
    if (n.enclosed) {
      out.append(" NIL ");
      ms_empty_text(out, ext);
    }
    out.push_back(' ');
    ascii::append_decimal(out, lines);
  }
  if (ext) {
    out.push_back(' ');
    ms_nstr(out, n.field("Content-MD5"));
    ms_ext_tail(out, n);
  }
  out.push_back(')');
}

}  // namespace detail

/// Appends the ENVELOPE of `message` (RFC 9051 section 7.5.2) in IMAP form.
inline void append_envelope_of(std::string& out, const mime::node& message) { detail::ms_envelope(out, message); }

/// Appends the BODYSTRUCTURE (extensible) or BODY of `message` (RFC 9051 section 7.5.2).
inline void append_body_structure_of(std::string& out, const mime::node& message, bool extensible = true,
                                     const structure_options& o = {}) {
  detail::ms_body(out, message, extensible, o, false, 0);
}

/// RFC 9051 section 7.5.2 ENVELOPE of a message's header (date, subject, from, sender, reply-to,
/// to, cc, bcc, in-reply-to, message-id), from the mime::node of the message (or of an enclosed
/// message/rfc822). Never fails on malformed headers.
[[nodiscard]] inline owned<envelope> envelope_of(const mime::node& message) {
  auto text = std::make_shared<std::string>();
  append_envelope_of(*text, message);
  owned<envelope> r;
  r.value = parse_envelope(*text, detail::relaxed_limits(), detail::relaxed_options()).value;
  r.text = std::move(text);
  return r;
}

/// RFC 9051 section 7.5.2 BODYSTRUCTURE (extensible = true: with extension data) or BODY (false).
[[nodiscard]] inline owned<body_structure> body_structure_of(const mime::node& message, bool extensible = true,
                                                             const structure_options& o = {}) {
  auto text = std::make_shared<std::string>();
  append_body_structure_of(*text, message, extensible, o);
  owned<body_structure> r;
  r.value = parse_body(*text, detail::relaxed_limits(), detail::relaxed_options()).value;
  r.text = std::move(text);
  return r;
}

}  // namespace mailwire::imap
