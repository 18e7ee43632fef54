// mailwire/smtp/address.hpp — SMTP paths and mailboxes of RFC 5321 sections 4.1.2 and 4.1.3,
// with UTF-8 addresses of RFC 6531 section 3.3 when SMTPUTF8 is in effect.
//
//   using namespace mailwire::smtp;
//   auto r = parse_path("<@relay.example:\"John Doe\"@[IPv6:2001:db8::1]>", {}, {});
//   if (r.st == mailwire::status::event) {
//     r.value.mb.local_part;    // "\"John Doe\"" as written; unquoted() gives `John Doe`
//     r.value.mb.domain;        // "[IPv6:2001:db8::1]" as written, kind == domain_kind::ipv6
//     r.value.source_route;     // "@relay.example" (obsolete; dropped when serialized)
//   }
//   std::string out;
//   (void)serialize(r.value, out);   // "<\"John Doe\"@[IPv6:2001:db8::1]>"
//
// Grammar (RFC 5321 section 4.1.2, 4.1.3; RFC 6531 section 3.3 adds UTF8-non-ascii to atext,
// qtextSMTP and sub-domain, only when the caller says SMTPUTF8 is in effect):
//
//   Reverse-path  = Path / "<>"
//   Forward-path  = Path                      ; RCPT also takes "<Postmaster>"
//   Path          = "<" [ A-d-l ":" ] Mailbox ">"
//   A-d-l         = At-domain *( "," At-domain ) ; obsolete source route: kept, then dropped
//   At-domain     = "@" Domain
//   Mailbox       = Local-part "@" ( Domain / address-literal )
//   Local-part    = Dot-string / Quoted-string
//   Dot-string    = Atom *("." Atom)
//   Quoted-string = DQUOTE *QcontentSMTP DQUOTE
//   QcontentSMTP  = qtextSMTP / quoted-pairSMTP  ; %d32-33 / %d35-91 / %d93-126 ; "\" %d32-126
//   Domain        = sub-domain *("." sub-domain) ; sub-domain = Let-dig [Ldh-str]
//   address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
//                           General-address-literal ) "]"
//
// Values hold views into the parsed input (lifetime: until that input changes). The local part
// is kept raw, as written (quotes and quoted-pairs included), so parsing never allocates;
// mailbox::unquoted() gives its meaning. Equality is semantic: two mailboxes are equal when
// their unquoted local parts and their domains (as written) are equal; source routes are not
// compared. The canonical form writes the local part as a Dot-string when it can and as a
// Quoted-string (escaping only '"' and '\') when it must, and drops source routes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/smtp/errc.hpp"
#include "mailwire/smtp/limits.hpp"

namespace mailwire::smtp {

/// Result of a parser: status::event with `consumed` bytes and a value, or status::error with
/// `error` at `error_offset` (line parsers may also answer status::need_more).
template <class T>
struct parse_result {
  status st = status::need_more;  ///< event, need_more (line parsers only) or error
  std::size_t consumed = 0;       ///< bytes of the input read for this value
  T value{};                      ///< the value (status::event only); views into the input
  errc error = errc::ok;          ///< why (status::error only)
  std::size_t error_offset = 0;   ///< offset of the offending byte in the input
  [[nodiscard]] constexpr bool ok() const noexcept { return st == status::event; }
};

/// What follows the "@" of a mailbox (RFC 5321 sections 4.1.2 and 4.1.3).
enum class domain_kind : std::uint8_t {
  none,     ///< no domain: the special "<Postmaster>" recipient (section 4.1.1.3)
  name,     ///< Domain (sub-domain *("." sub-domain)); U-labels with SMTPUTF8 (RFC 6531)
  ipv4,     ///< "[" IPv4-address-literal "]"
  ipv6,     ///< "[IPv6:" IPv6-addr "]"
  general,  ///< "[" Standardized-tag ":" 1*dcontent "]"
};

namespace detail {

[[nodiscard]] constexpr bool is_let_dig(char c) noexcept {
  return ascii::is_alpha(c) || ascii::is_digit(c);
}
/// qtextSMTP (RFC 5321 section 4.1.2): %d32-33 / %d35-91 / %d93-126.
[[nodiscard]] constexpr bool is_qtext(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u >= 32 && u <= 126 && u != 34 && u != 92;
}
/// dcontent (RFC 5321 section 4.1.3): %d33-90 / %d94-126.
[[nodiscard]] constexpr bool is_dcontent(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 33 && u <= 90) || (u >= 94 && u <= 126);
}

/// A cursor over the input with the first error it met.
struct cursor {
  const char* begin;
  const char* p;
  const char* end;
  bool smtputf8;
  errc err = errc::ok;
  const char* err_at = nullptr;

  constexpr bool fail(errc e, const char* at) noexcept {
    if (err == errc::ok) {
      err = e;
      err_at = at;
    }
    return false;
  }
  [[nodiscard]] constexpr bool at(char c) const noexcept { return p < end && *p == c; }
  /// Takes one UTF8-non-ascii character at p when allowed; false (with the error) if not.
  constexpr bool take_utf8() noexcept {
    if (!smtputf8) return fail(errc::non_ascii, p);
    const std::size_t n = ascii::utf8_sequence_length(p, end);
    if (n == 0) return fail(errc::invalid_utf8, p);
    p += n;
    return true;
  }
};

/// Dot-string = Atom *("." Atom)
constexpr bool dot_string(cursor& c) noexcept {
  const char* start = c.p;
  for (;;) {
    const char* atom = c.p;
    while (c.p < c.end) {
      if (ascii::is_atext(*c.p)) ++c.p;
      else if (ascii::is_8bit(*c.p)) {
        if (!c.take_utf8()) return false;
      } else break;
    }
    if (c.p == atom) return c.fail(errc::invalid_local_part, c.p == c.end && c.p > start ? c.p - 1 : c.p);
    if (!c.at('.')) return true;
    ++c.p;
  }
}

/// Quoted-string = DQUOTE *QcontentSMTP DQUOTE
constexpr bool quoted_string(cursor& c) noexcept {
  ++c.p;  // DQUOTE
  while (c.p < c.end) {
    const char ch = *c.p;
    if (ch == '"') {
      ++c.p;
      return true;
    }
    if (ch == '\\') {
      if (c.p + 1 >= c.end) break;
      const auto u = static_cast<unsigned char>(c.p[1]);
      if (u < 32 || u > 126) {
        if (u >= 0x80) return c.fail(c.smtputf8 ? errc::invalid_local_part : errc::non_ascii, c.p + 1);
        return c.fail(errc::invalid_local_part, c.p + 1);
      }
      c.p += 2;
    } else if (is_qtext(ch)) {
      ++c.p;
    } else if (ascii::is_8bit(ch)) {
      if (!c.take_utf8()) return false;
    } else {
      return c.fail(errc::invalid_local_part, c.p);
    }
  }
  return c.fail(errc::invalid_local_part, c.end);
}

/// Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str] (or a U-label).
constexpr bool domain_name(cursor& c) noexcept {
  for (;;) {
    const char* label = c.p;
    char last = 0;
    while (c.p < c.end) {
      const char ch = *c.p;
      if (is_let_dig(ch) || (ch == '-' && c.p != label)) {
        last = ch;
        ++c.p;
      } else if (ascii::is_8bit(ch)) {
        if (!c.take_utf8()) return false;
        last = 'a';
      } else {
        break;
      }
    }
    if (c.p == label || last == '-') return c.fail(errc::invalid_domain, c.p == label ? c.p : c.p - 1);
    if (!c.at('.')) return true;
    ++c.p;
  }
}

/// Snum 3("." Snum), Snum = 1*3DIGIT with a value of 0-255; the whole of `s`.
[[nodiscard]] constexpr bool ipv4(std::string_view s) noexcept {
  std::size_t i = 0;
  for (int k = 0; k < 4; ++k) {
    if (k > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    unsigned v = 0, n = 0;
    while (i < s.size() && ascii::is_digit(s[i]) && n < 3) {
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
      ++i;
      ++n;
    }
    if (n == 0 || v > 255) return false;
  }
  return i == s.size();
}

/// Number of IPv6-hex groups in `s` (groups separated by ':'), or -1 if malformed.
[[nodiscard]] constexpr int ipv6_groups(std::string_view s) noexcept {
  if (s.empty()) return 0;
  int groups = 0;
  std::size_t run = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ':') {
      if (run == 0) return -1;
      ++groups;
      run = 0;
    } else if (ascii::is_hexdig(s[i]) && run < 4) {
      ++run;
    } else {
      return -1;
    }
  }
  return groups;
}

/// IPv6-addr of RFC 5321 section 4.1.3 (IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp).
[[nodiscard]] constexpr bool ipv6(std::string_view s) noexcept {
  bool v4 = false;
  std::string_view head = s;
  if (s.find('.') != std::string_view::npos) {
    const std::size_t colon = s.rfind(':');
    if (colon == std::string_view::npos || !ipv4(s.substr(colon + 1))) return false;
    head = s.substr(0, colon + 1);
    if (head.size() >= 2 && head.substr(head.size() - 2) == "::") {
      // "...::" then the IPv4 part: the right side of "::" is empty
    } else {
      head.remove_suffix(1);
      if (head.empty()) return false;
    }
    v4 = true;
  }
  const std::size_t dc = head.find("::");
  if (dc == std::string_view::npos) return ipv6_groups(head) == (v4 ? 6 : 8);
  if (head.find("::", dc + 1) != std::string_view::npos) return false;
  const int l = ipv6_groups(head.substr(0, dc)), r = ipv6_groups(head.substr(dc + 2));
  return l >= 0 && r >= 0 && l + r <= (v4 ? 4 : 6);
}

/// address-literal at c.p (which is '['); sets `kind`.
constexpr bool address_literal(cursor& c, domain_kind& kind) noexcept {
  const char* open = c.p;
  ++c.p;
  const char* s = c.p;
  while (c.p < c.end && is_dcontent(*c.p)) ++c.p;
  if (!c.at(']')) return c.fail(errc::invalid_address_literal, c.p);
  const std::string_view body(s, static_cast<std::size_t>(c.p - s));
  ++c.p;
  if (!body.empty() && ascii::is_digit(body[0])) {
    kind = domain_kind::ipv4;
    if (!ipv4(body)) return c.fail(errc::invalid_address_literal, open);
    return true;
  }
  const std::size_t colon = body.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == body.size())
    return c.fail(errc::invalid_address_literal, open);
  const std::string_view tag = body.substr(0, colon);
  if (ascii::iequals(tag, "IPv6")) {
    kind = domain_kind::ipv6;
    if (!ipv6(body.substr(colon + 1))) return c.fail(errc::invalid_address_literal, open);
    return true;
  }
  // Standardized-tag = Ldh-str: *( ALPHA / DIGIT / "-" ) Let-dig
  for (char ch : tag)
    if (!is_let_dig(ch) && ch != '-') return c.fail(errc::invalid_address_literal, open);
  if (tag.back() == '-') return c.fail(errc::invalid_address_literal, open);
  kind = domain_kind::general;
  return true;
}

}  // namespace detail

/// A mailbox of RFC 5321 section 4.1.2: Local-part "@" ( Domain / address-literal ).
/// Views into the parsed input (lifetime: until that input changes).
struct mailbox {
  std::string_view local_part;  ///< as written: a Dot-string, or a Quoted-string with its quotes
  std::string_view domain;      ///< as written; address literals keep their brackets
  domain_kind kind = domain_kind::none;  ///< what `domain` is

  /// True when the local part is a Quoted-string.
  [[nodiscard]] constexpr bool quoted() const noexcept {
    return !local_part.empty() && local_part.front() == '"';
  }
  /// Appends the local part's meaning (quotes and quoted-pair backslashes removed) to `out`.
  void unquoted(std::string& out) const {
    if (!quoted()) {
      out.append(local_part);
      return;
    }
    for (std::size_t i = 1; i + 1 < local_part.size(); ++i) {
      if (local_part[i] == '\\') ++i;
      out.push_back(local_part[i]);
    }
  }
  /// The local part's meaning as a new string.
  [[nodiscard]] std::string unquoted() const {
    std::string s;
    unquoted(s);
    return s;
  }
  /// The inside of an address literal after its tag ("1.2.3.4", "2001:db8::1"), else "".
  [[nodiscard]] constexpr std::string_view literal() const noexcept {
    if (kind == domain_kind::ipv4) return domain.substr(1, domain.size() - 2);
    if (kind == domain_kind::ipv6 || kind == domain_kind::general) {
      const std::size_t colon = domain.find(':');
      return domain.substr(colon + 1, domain.size() - colon - 2);
    }
    return {};
  }
  /// For address literals with a general tag, the Standardized-tag; "IPv6" for IPv6; else "".
  [[nodiscard]] constexpr std::string_view literal_tag() const noexcept {
    if (kind != domain_kind::ipv6 && kind != domain_kind::general) return {};
    return domain.substr(1, domain.find(':') - 1);
  }
  /// Semantic equality: unquoted local parts and domains (as written) equal, same kind.
  friend bool operator==(const mailbox& a, const mailbox& b) noexcept {
    if (a.kind != b.kind || a.domain != b.domain) return false;
    auto next = [](std::string_view s, bool q, std::size_t& i) -> int {
      const std::size_t e = q ? s.size() - 1 : s.size();
      if (i >= e) return -1;
      if (q && s[i] == '\\') ++i;
      return static_cast<unsigned char>(s[i++]);
    };
    std::size_t i = a.quoted() ? 1 : 0, j = b.quoted() ? 1 : 0;
    for (;;) {
      const int x = next(a.local_part, a.quoted(), i), y = next(b.local_part, b.quoted(), j);
      if (x != y) return false;
      if (x < 0) return true;
    }
  }
};

/// A Reverse-path or Forward-path of RFC 5321 section 4.1.2.
struct path {
  bool null = false;              ///< "<>" (MAIL only: the null reverse-path, section 4.5.5)
  mailbox mb;                     ///< the mailbox (kind none for "<Postmaster>")
  std::string_view source_route;  ///< obsolete A-d-l ("@a,@b") as written; "" when absent
  /// True for RCPT's "<Postmaster>" without a domain (section 4.1.1.3).
  [[nodiscard]] constexpr bool postmaster() const noexcept {
    return !null && mb.kind == domain_kind::none;
  }
  /// Equality of null-ness and mailbox; source routes are dropped, so not compared.
  friend bool operator==(const path& a, const path& b) noexcept {
    return a.null == b.null && (a.null || a.mb == b.mb);
  }
};

/// Which forms a path may take, and whether UTF-8 may appear (RFC 6531 section 3.3).
struct path_options {
  bool smtputf8 = false;          ///< SMTPUTF8 is in effect: UTF-8 in local parts and domains
  bool allow_null = false;        ///< accept "<>" (Reverse-path)
  bool allow_postmaster = false;  ///< accept "<Postmaster>" (RCPT's Forward-path)
};

/// Parses a Mailbox at the start of `in` (RFC 5321 section 4.1.2); consumed is where it ends.
[[nodiscard]] constexpr parse_result<mailbox> parse_mailbox(std::string_view in,
                                                            const limits& lim = {},
                                                            bool smtputf8 = false) noexcept {
  parse_result<mailbox> r;
  detail::cursor c{in.data(), in.data(), in.data() + in.size(), smtputf8};
  const char* lp = c.p;
  bool ok = c.at('"') ? detail::quoted_string(c) : detail::dot_string(c);
  if (ok && static_cast<std::size_t>(c.p - lp) > lim.local_part) ok = c.fail(errc::local_part_too_long, lp);
  if (ok && !c.at('@')) ok = c.fail(errc::invalid_local_part, c.p);
  mailbox m;
  if (ok) {
    m.local_part = std::string_view(lp, static_cast<std::size_t>(c.p - lp));
    ++c.p;
    const char* d = c.p;
    if (c.at('[')) {
      ok = detail::address_literal(c, m.kind);
    } else {
      m.kind = domain_kind::name;
      ok = detail::domain_name(c);
    }
    if (ok && static_cast<std::size_t>(c.p - d) > lim.domain) ok = c.fail(errc::domain_too_long, d);
    m.domain = std::string_view(d, static_cast<std::size_t>(c.p - d));
  }
  if (!ok) {
    r.st = status::error;
    r.error = c.err;
    r.error_offset = static_cast<std::size_t>(c.err_at - c.begin);
    return r;
  }
  r.st = status::event;
  r.consumed = static_cast<std::size_t>(c.p - c.begin);
  r.value = m;
  return r;
}

/// Parses a Path (or "<>" / "<Postmaster>" as `opt` allows) at the start of `in` (RFC 5321
/// section 4.1.2); consumed ends after the '>'. The path, brackets included, is at most
/// lim.path octets (section 4.5.3.1.3).
[[nodiscard]] constexpr parse_result<path> parse_path(std::string_view in, const limits& lim = {},
                                                      const path_options& opt = {}) noexcept {
  parse_result<path> r;
  auto fail = [&](errc e, std::size_t at) {
    r.st = status::error;
    r.error = e;
    r.error_offset = at;
    return r;
  };
  if (in.empty() || in[0] != '<') return fail(errc::invalid_path, 0);
  if (in.size() >= 2 && in[1] == '>') {
    if (!opt.allow_null) return fail(errc::invalid_path, 1);
    r.st = status::event;
    r.consumed = 2;
    r.value.null = true;
    return r;
  }
  if (opt.allow_postmaster && in.size() >= 12 && ascii::iequals(in.substr(1, 10), "Postmaster") &&
      in[11] == '>') {
    r.st = status::event;
    r.consumed = 12;
    r.value.mb.local_part = in.substr(1, 10);
    return r;
  }
  detail::cursor c{in.data(), in.data() + 1, in.data() + in.size(), opt.smtputf8};
  if (c.at('@')) {
    const char* route = c.p;
    for (;;) {
      ++c.p;  // '@'
      if (!detail::domain_name(c)) return fail(c.err == errc::invalid_domain ? errc::invalid_path : c.err,
                                               static_cast<std::size_t>(c.err_at - c.begin));
      if (c.at(',') && c.p + 1 < c.end && c.p[1] == '@') {
        ++c.p;
        continue;
      }
      if (!c.at(':')) return fail(errc::invalid_path, static_cast<std::size_t>(c.p - c.begin));
      r.value.source_route = std::string_view(route, static_cast<std::size_t>(c.p - route));
      ++c.p;
      break;
    }
  }
  const std::size_t mstart = static_cast<std::size_t>(c.p - c.begin);
  const auto m = parse_mailbox(in.substr(mstart), lim, opt.smtputf8);
  if (!m.ok()) return fail(m.error, mstart + m.error_offset);
  const std::size_t close = mstart + m.consumed;
  if (close >= in.size() || in[close] != '>') return fail(errc::invalid_path, close);
  if (close + 1 > lim.path) return fail(errc::path_too_long, 0);
  r.st = status::event;
  r.consumed = close + 1;
  r.value.mb = m.value;
  return r;
}

/// Parses the whole of `in` as a Domain (names only, as HELO's argument; RFC 5321 4.1.1.1).
[[nodiscard]] constexpr parse_result<std::string_view> parse_domain(std::string_view in,
                                                                    const limits& lim = {},
                                                                    bool smtputf8 = false) noexcept {
  parse_result<std::string_view> r;
  detail::cursor c{in.data(), in.data(), in.data() + in.size(), smtputf8};
  bool ok = detail::domain_name(c);
  if (ok && c.p != c.end) ok = c.fail(errc::invalid_domain, c.p);
  if (ok && in.size() > lim.domain) ok = c.fail(errc::domain_too_long, in.data());
  if (!ok) {
    r.st = status::error;
    r.error = c.err;
    r.error_offset = static_cast<std::size_t>(c.err_at - c.begin);
    return r;
  }
  r.st = status::event;
  r.consumed = in.size();
  r.value = in;
  return r;
}

/// Parses the whole of `in` as Domain / address-literal (EHLO's and LHLO's argument, RFC 5321
/// section 4.1.1.1, RFC 2033 section 4.1); `kind` says which.
[[nodiscard]] constexpr parse_result<std::string_view> parse_domain_or_literal(
    std::string_view in, domain_kind& kind, const limits& lim = {}, bool smtputf8 = false) noexcept {
  if (in.empty() || in[0] != '[') {
    kind = domain_kind::name;
    return parse_domain(in, lim, smtputf8);
  }
  parse_result<std::string_view> r;
  detail::cursor c{in.data(), in.data(), in.data() + in.size(), smtputf8};
  bool ok = detail::address_literal(c, kind);
  if (ok && c.p != c.end) ok = c.fail(errc::invalid_address_literal, c.p);
  if (!ok) {
    r.st = status::error;
    r.error = c.err;
    r.error_offset = static_cast<std::size_t>(c.err_at - c.begin);
    return r;
  }
  r.st = status::event;
  r.consumed = in.size();
  r.value = in;
  return r;
}

/// True when `s` (unquoted) can be written as a Dot-string (RFC 5321 section 4.1.2).
[[nodiscard]] constexpr bool is_dot_string(std::string_view s, bool smtputf8 = true) noexcept {
  detail::cursor c{s.data(), s.data(), s.data() + s.size(), smtputf8};
  return !s.empty() && detail::dot_string(c) && c.p == c.end;
}

/// Checks that `m` is a valid mailbox (as if parsed with these limits); errc::ok if so.
[[nodiscard]] constexpr errc validate(const mailbox& m, const limits& lim = {},
                                      bool smtputf8 = true) noexcept {
  if (m.kind == domain_kind::none) return ascii::iequals(m.local_part, "Postmaster") ? errc::ok : errc::invalid_path;
  detail::cursor c{m.local_part.data(), m.local_part.data(),
                   m.local_part.data() + m.local_part.size(), smtputf8};
  if (m.local_part.empty()) return errc::invalid_local_part;
  const bool ok = c.at('"') ? detail::quoted_string(c) : detail::dot_string(c);
  if (!ok) return c.err;
  if (c.p != c.end) return errc::invalid_local_part;
  if (m.local_part.size() > lim.local_part) return errc::local_part_too_long;
  domain_kind k = domain_kind::none;
  const auto d = parse_domain_or_literal(m.domain, k, lim, smtputf8);
  if (!d.ok()) return d.error;
  return k == m.kind ? errc::ok : errc::local_invalid_value;
}

/// Appends the canonical form of `m`: the local part as a Dot-string when it can be one, else a
/// Quoted-string escaping only '"' and '\'; "@" and the domain as written. Validates first:
/// on error nothing is appended.
[[nodiscard]] inline errc serialize(const mailbox& m, std::string& out, bool smtputf8 = true) {
  limits unbounded;  // the serializer checks syntax; length limits are the parser's business
  unbounded.local_part = unbounded.domain = unbounded.path = ~std::size_t{0} >> 1;
  if (const errc e = validate(m, unbounded, smtputf8); e != errc::ok) return e;
  if (m.kind == domain_kind::none) {
    out.append(m.local_part);
    return errc::ok;
  }
  if (!m.quoted()) {
    out.append(m.local_part);
  } else {
    const std::size_t start = out.size();
    m.unquoted(out);
    const std::string_view plain(out.data() + start, out.size() - start);
    if (!is_dot_string(plain, smtputf8)) {
      std::string q;
      q.reserve(plain.size() + 2);
      q.push_back('"');
      for (char ch : plain) {
        if (ch == '"' || ch == '\\') q.push_back('\\');
        q.push_back(ch);
      }
      q.push_back('"');
      out.resize(start);
      out.append(q);
    }
  }
  out.push_back('@');
  out.append(m.domain);
  return errc::ok;
}

/// Appends the canonical form of `p`: "<>", "<Postmaster>" or "<" mailbox ">" (source routes
/// dropped, RFC 5321 appendix C). Validates first: on error nothing is appended.
[[nodiscard]] inline errc serialize(const path& p, std::string& out, bool smtputf8 = true) {
  if (p.null) {
    out.append("<>");
    return errc::ok;
  }
  const std::size_t start = out.size();
  out.push_back('<');
  if (const errc e = serialize(p.mb, out, smtputf8); e != errc::ok) {
    out.resize(start);
    return e;
  }
  out.push_back('>');
  return errc::ok;
}

}  // namespace mailwire::smtp
