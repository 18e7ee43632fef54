// mailwire/mime/builder.hpp — building MIME messages (RFC 2045, 2046, 2183, 2231): text,
// alternatives, related parts and attachments, each with the transfer encoding its content
// needs, boundaries that cannot occur in the content, canonical CRLF and no line over 998.
//
//   namespace mime = mailwire::mime;
//   mime::part body = mime::part::multipart("mixed", {
//       mime::part::multipart("alternative", {mime::part::text("Grüße!\n"),
//                                             mime::part::text("<p>Grüße!</p>", "html")}),
//       mime::part::attachment(pdf_bytes, "application/pdf", "Bericht März.pdf")});
//   mime::message_header h;
//   h.from = {{"Jörg Müller", "joerg", "example.org"}};
//   h.to = {{"", "ann", "example.com"}};
//   h.subject = "Bericht für März";
//   h.date = "Tue, 1 Jul 2003 10:52:37 +0200";      // the host has the clock
//   h.message_id = "<20030701105237.1@example.org>";
//   std::string eml;
//   auto err = mime::write_message(h, body, eml);    // write_errc::ok
//
// The builder owns no I/O and no randomness: boundaries come from a hash of the content and
// options.boundary_seed (give it a random value to make boundaries unguessable), and each is
// checked against the encoded content it separates.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mailwire/codec/base64.hpp"
#include "mailwire/codec/charset.hpp"
#include "mailwire/codec/quoted_printable.hpp"
#include "mailwire/mime/content_type.hpp"
#include "mailwire/rfc5322/writer.hpp"

namespace mailwire::mime {

/// A MIME entity to write: a leaf with its (unencoded) content, or a multipart.
struct part {
  std::string type = "text";      ///< media type (RFC 2046), lower case
  std::string subtype = "plain";  ///< subtype
  std::vector<std::pair<std::string, std::string>> params;  ///< extra Content-Type parameters (UTF-8 values)
  std::string disposition;        ///< "attachment", "inline" or "" (no Content-Disposition)
  std::string filename;           ///< UTF-8; written as RFC 2231 when not plain ASCII
  std::string content_id;         ///< "<...>" for multipart/related references, or ""
  std::string description;        ///< Content-Description (UTF-8), or ""
  std::string content;            ///< the bytes of a leaf (text: UTF-8, any line endings)
  std::vector<part> parts;        ///< the parts of a multipart

  /// Text (RFC 2046 section 4.1): UTF-8, line breaks made CRLF; charset us-ascii or utf-8.
  static part text(std::string_view utf8, std::string_view subtype = "plain") {
    part p;
    p.type = "text";
    p.subtype.assign(subtype);
    p.content.assign(utf8);
    return p;
  }
  /// An attachment (RFC 2183 "attachment") with its bytes, media type and file name.
  static part attachment(std::string_view bytes, std::string_view media_type, std::string_view filename) {
    part p;
    set_type(p, media_type);
    p.disposition = "attachment";
    p.filename.assign(filename);
    p.content.assign(bytes);
    return p;
  }
  /// An inline part referenced by Content-ID from an HTML part (RFC 2387 multipart/related).
  static part related_inline(std::string_view bytes, std::string_view media_type, std::string_view content_id) {
    part p;
    set_type(p, media_type);
    p.disposition = "inline";
    p.content_id.assign(content_id);
    p.content.assign(bytes);
    return p;
  }
  /// A multipart (RFC 2046 section 5.1): "mixed", "alternative", "related", "digest"...
  static part multipart(std::string_view subtype, std::vector<part> children) {
    part p;
    p.type = "multipart";
    p.subtype.assign(subtype);
    p.parts = std::move(children);
    return p;
  }
  /// An enclosed message (RFC 2046 section 5.2.1): its bytes as they are.
  static part message(std::string_view rfc822) {
    part p;
    p.type = "message";
    p.subtype = "rfc822";
    p.content.assign(rfc822);
    return p;
  }

 private:
  static void set_type(part& p, std::string_view media_type) {
    const content_type ct = parse_content_type(media_type);
    p.type = ct.valid ? ct.type : "application";
    p.subtype = ct.valid ? ct.subtype : "octet-stream";
    for (const auto& x : ct.params.items) p.params.emplace_back(x.name, to_utf8(x));
  }
};

/// The message header fields write_message() writes (RFC 5322 section 3.6).
struct message_header {
  std::vector<rfc5322::address_spec> from, to, cc, reply_to;
  std::string subject;     ///< UTF-8, encoded as needed
  std::string date;        ///< RFC 5322 date-time (e.g. rfc5322::format_rfc5322()); "" = none
  std::string message_id;  ///< "<id@domain>", or ""
  std::vector<std::pair<std::string, std::string>> extra;  ///< more unstructured fields (UTF-8)
};

/// How parts are written.
struct builder_options {
  rfc5322::writer_options header{};  ///< folding, RFC 6532 UTF-8 headers
  bool allow_8bit = false;           ///< 8bit text bodies (the transport has 8BITMIME, RFC 6152)
  std::uint64_t boundary_seed = 0;   ///< mixed into boundaries (a host random value is best)
};

/// The transfer encoding of a leaf, chosen from its content (RFC 2045 section 6, 2049 section 3).
[[nodiscard]] inline transfer_encoding choose_encoding(std::string_view content, bool text, bool allow_8bit) noexcept {
  std::size_t high = 0, line = 0, longest = 0;
  bool nul = false, bare = false;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const auto c = static_cast<unsigned char>(content[i]);
    if (c == '\n') {
      if (i == 0 || content[i - 1] != '\r') bare = true;
      longest = std::max(longest, line);
      line = 0;
      continue;
    }
    if (c == '\r' && (i + 1 >= content.size() || content[i + 1] != '\n')) bare = true;
    if (c != '\r') ++line;
    if (c == 0) nul = true;
    if (c >= 0x80) ++high;
  }
  longest = std::max(longest, line);
  if (!text) return (high == 0 && !nul && !bare && longest <= 76) ? transfer_encoding::seven_bit
                                                                   : transfer_encoding::base64;
  // Text has canonical CRLF line breaks when written (bare ones are converted), so `bare`
  // does not matter here.
  if (!nul && longest <= 998 && high == 0) return transfer_encoding::seven_bit;
  if (!nul && longest <= 998 && allow_8bit && charset::is_utf8(content)) return transfer_encoding::eight_bit;
  // Quoted-printable while it stays readable (at most one byte in 6 escaped), else base64.
  return high * 6 <= content.size() && !nul ? transfer_encoding::quoted_printable : transfer_encoding::base64;
}

namespace detail {

inline std::string crlf_lines(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 32);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

[[nodiscard]] inline bool is_token(std::string_view v) noexcept {
  if (v.empty()) return false;
  for (char c : v)
    if (!ascii::is_mime_token(c)) return false;
  return true;
}

// `; name=value` pieces of a MIME header value (RFC 2045 section 5.1): a token, a quoted-string,
// or RFC 2231 sections of at most ~60 characters (section 3-4) for non-ASCII or long values.
inline void append_param(std::string& v, std::string_view name, std::string_view value) {
  bool ascii_only = charset::is_ascii(value);
  for (char c : value)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ascii_only = false;
  if (ascii_only && value.size() <= 60) {
    v += "; ";
    v += name;
    v += '=';
    if (is_token(value)) {
      v += value;
    } else {
      v += '"';
      for (char c : value) {
        if (c == '"' || c == '\\') v += '\\';
        v += c;
      }
      v += '"';
    }
    return;
  }
  std::string clean;
  charset::append_utf8_sanitized(clean, value);
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string enc;  // %XX-escaped (RFC 2231 section 7 attribute-char)
  for (char ch : clean) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80 && ascii::is_mime_token(ch) && ch != '*' && ch != '\'' && ch != '%') enc += ch;
    else {
      enc += '%';
      enc += hex[c >> 4];
      enc += hex[c & 15];
    }
  }
  // Sections never split a %XX escape.
  std::size_t section = 0, i = 0;
  while (i < enc.size() || section == 0) {
    std::size_t n = std::min<std::size_t>(60, enc.size() - i);
    if (n < enc.size() - i) {
      if (n >= 1 && enc[i + n - 1] == '%') n -= 1;
      else if (n >= 2 && enc[i + n - 2] == '%') n -= 2;
    }
    v += "; ";
    v += name;
    v += '*';
    if (enc.size() > 60) {  // name*0*=, name*1*=, ... (section 4.1); else name*= (section 4)
      v += std::to_string(section);
      v += '*';
    }
    v += '=';
    if (section == 0) v += "utf-8''";
    v.append(enc, i, n);
    i += n;
    ++section;
  }
}

struct builder {
  const builder_options& o;
  std::uint64_t counter = 0;
  int depth = 0;  // 0: the entity is the whole body (no delimiter CRLF follows it)

  static std::uint64_t fnv(std::string_view s, std::uint64_t h) noexcept {
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
    return h;
  }

  // A boundary that occurs nowhere in `body` (the parts as encoded); "=_" cannot occur in
  // quoted-printable or base64 text, and the check covers 7bit/8bit text.
  std::string boundary(std::string_view body) {
    for (;;) {
      std::uint64_t h = fnv(body, 14695981039346656037ull ^ o.boundary_seed) ^ (++counter * 0x9E3779B97F4A7C15ull);
      std::string b = "=_mw_";
      static constexpr char alnum[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
      for (int k = 0; k < 24; ++k) {
        b += alnum[h % 62];
        h = h / 62 ^ (h << 7) * 0x2545F4914F6CDD1Dull;
      }
      if (body.find(b) == std::string_view::npos) return b;
    }
  }

  rfc5322::write_errc write(const part& p, std::string& out) {
    using rfc5322::write_errc;
    std::string ct = p.type + "/" + p.subtype;
    if (!is_token(p.type) || !is_token(p.subtype)) return write_errc::forbidden_character;
    if (p.type == "multipart") {
      std::string body;
      std::vector<std::string> children(p.parts.size());
      ++depth;
      for (std::size_t i = 0; i < p.parts.size(); ++i) {
        const write_errc e = write(p.parts[i], children[i]);
        if (e != write_errc::ok) return e;
      }
      --depth;
      for (const auto& c : children) body += c;
      const std::string b = boundary(body);
      for (const auto& [k, v] : p.params)
        if (k != "boundary") append_param(ct, k, v);
      append_param(ct, "boundary", b);
      std::string h;
      if (auto e = rfc5322::append_structured(h, "Content-Type", ct, o.header); e != write_errc::ok) return e;
      out += h;
      out += "\r\n";
      for (const auto& c : children) {
        out += "--";
        out += b;
        out += "\r\n";
        out += c;
        out += "\r\n";
      }
      out += "--";
      out += b;
      out += "--\r\n";
      return write_errc::ok;
    }
    const bool text = p.type == "text";
    const bool message = p.type == "message";
    std::string content = text ? crlf_lines(p.content) : p.content;
    transfer_encoding te = message ? (charset::is_ascii(content) ? transfer_encoding::seven_bit
                                                                 : transfer_encoding::eight_bit)
                                   : choose_encoding(content, text, o.allow_8bit);
    if (message && te == transfer_encoding::eight_bit && !o.allow_8bit) te = transfer_encoding::binary;
    bool has_charset = false;
    for (const auto& [k, v] : p.params) {
      if (k == "charset") has_charset = true;
      append_param(ct, k, v);
    }
    if (text && !has_charset) append_param(ct, "charset", charset::is_ascii(content) ? "us-ascii" : "utf-8");
    if (!p.filename.empty() && p.disposition.empty()) append_param(ct, "name", p.filename);
    std::string h;
    if (auto e = rfc5322::append_structured(h, "Content-Type", ct, o.header); e != write_errc::ok) return e;
    if (!p.disposition.empty()) {
      if (!is_token(p.disposition)) return write_errc::forbidden_character;
      std::string cd = p.disposition;
      if (!p.filename.empty()) append_param(cd, "filename", p.filename);
      if (auto e = rfc5322::append_structured(h, "Content-Disposition", cd, o.header); e != write_errc::ok) return e;
    }
    if (!p.content_id.empty())
      if (auto e = rfc5322::append_structured(h, "Content-ID", p.content_id, o.header); e != write_errc::ok) return e;
    if (!p.description.empty())
      if (auto e = rfc5322::append_unstructured(h, "Content-Description", p.description, o.header); e != write_errc::ok)
        return e;
    const char* cte = te == transfer_encoding::base64             ? "base64"
                      : te == transfer_encoding::quoted_printable ? "quoted-printable"
                      : te == transfer_encoding::eight_bit        ? "8bit"
                      : te == transfer_encoding::binary           ? "binary"
                                                                  : "7bit";
    if (auto e = rfc5322::append_structured(h, "Content-Transfer-Encoding", cte, o.header); e != write_errc::ok)
      return e;
    out += h;
    out += "\r\n";
    if (te == transfer_encoding::base64) {
      auto eo = base64::encode_options::mime();
      eo.final_line_break = depth == 0;  // in a multipart, the delimiter's CRLF ends the last line
      out += base64::encode(content, eo);
    } else if (te == transfer_encoding::quoted_printable) {
      qp::encode_options qo;
      qo.binary = !text;
      qo.protect_dot = true;    // a leading '.' survives SMTP/POP3 transparency in any case
      qo.protect_from = true;   // and "From " survives mbox
      out += qp::encode(content, qo);
      // A whole body ends with a line break: a soft one if the text has none (it decodes to nothing).
      if (depth == 0 && !out.ends_with("\r\n")) out += "=\r\n";
    } else {
      out += content;
    }
    return write_errc::ok;
  }
};

}  // namespace detail

/// Appends one entity (headers, empty line, body) to `out`; for a multipart, its parts with
/// fresh boundaries. Nothing is appended when it fails (a bad header value, see write_errc).
inline rfc5322::write_errc write_part(const part& p, std::string& out, const builder_options& o = {}) {
  std::string s;
  detail::builder b{o};
  const auto e = b.write(p, s);
  if (e == rfc5322::write_errc::ok) out += s;
  return e;
}

/// Appends a whole message: the fields of `h` (RFC 5322 section 3.6 order), MIME-Version
/// (RFC 2045 section 4) and the entity `body`.
inline rfc5322::write_errc write_message(const message_header& h, const part& body, std::string& out,
                                         const builder_options& o = {}) {
  using rfc5322::write_errc;
  std::string s;
  auto addr = [&](std::string_view name, const std::vector<rfc5322::address_spec>& list) {
    return list.empty() ? write_errc::ok : rfc5322::append_address_list(s, name, list, o.header);
  };
  write_errc e = write_errc::ok;
  if (!h.date.empty()) e = rfc5322::append_structured(s, "Date", h.date, o.header);
  if (e == write_errc::ok) e = addr("From", h.from);
  if (e == write_errc::ok) e = addr("Reply-To", h.reply_to);
  if (e == write_errc::ok) e = addr("To", h.to);
  if (e == write_errc::ok) e = addr("Cc", h.cc);
  if (e == write_errc::ok && !h.message_id.empty()) e = rfc5322::append_structured(s, "Message-ID", h.message_id, o.header);
  if (e == write_errc::ok && !h.subject.empty()) e = rfc5322::append_unstructured(s, "Subject", h.subject, o.header);
  for (const auto& [k, v] : h.extra)
    if (e == write_errc::ok) e = rfc5322::append_unstructured(s, k, v, o.header);
  if (e == write_errc::ok) e = rfc5322::append_structured(s, "MIME-Version", "1.0", o.header);
  if (e == write_errc::ok) e = write_part(body, s, o);
  if (e == write_errc::ok) out += s;
  return e;
}

}  // namespace mailwire::mime
