// mailwire/smtp/ehlo.hpp — the EHLO reply as typed capabilities (RFC 5321 4.1.1.1) and a
// builder for a server's EHLO reply.
//
//   ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
//               / ( "250-" Domain [ SP ehlo-greet ] CRLF
//                   *( "250-" ehlo-line CRLF ) "250" SP ehlo-line CRLF )
//   ehlo-line   = ehlo-keyword *( SP ehlo-param )
//   ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//   ehlo-param  = 1*(%d33-126)
//
//   auto r = smtp::parse_reply(buf);
//   auto e = smtp::parse_ehlo(r.value);
//   if (e.error == smtp::reply_errc::ok && e.value.caps.pipelining) { ... }
//   for (auto ext : e.value.extensions()) log(ext.keyword, ext.params);  // unknown ones too
//
// Views point into the buffer the reply was parsed from and are valid until it changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/smtp/reply.hpp"

namespace mailwire::smtp {

/// LIMITS values (RFC 9422 section 4); unknown limit names are ignored, as section 4 says.
struct ehlo_limits {
  std::optional<std::uint32_t> rcptmax;        ///< RCPTMAX: recipients per transaction
  std::optional<std::uint32_t> mailmax;        ///< MAILMAX: transactions per session
  std::optional<std::uint32_t> rcptdomainmax;  ///< RCPTDOMAINMAX: domains per transaction
  friend bool operator==(const ehlo_limits&, const ehlo_limits&) = default;
};

/// The extensions a server announced, typed.
struct ehlo_capabilities {
  bool size = false;                       ///< SIZE (RFC 1870)
  std::optional<std::uint64_t> size_limit; ///< its parameter; 0 = no fixed limit
  bool eightbitmime = false;               ///< 8BITMIME (RFC 6152)
  bool pipelining = false;                 ///< PIPELINING (RFC 2920)
  bool chunking = false;                   ///< CHUNKING (RFC 3030)
  bool binarymime = false;                 ///< BINARYMIME (RFC 3030)
  bool smtputf8 = false;                   ///< SMTPUTF8 (RFC 6531)
  bool dsn = false;                        ///< DSN (RFC 3461)
  bool enhancedstatuscodes = false;        ///< ENHANCEDSTATUSCODES (RFC 2034)
  bool starttls = false;                   ///< STARTTLS (RFC 3207)
  bool requiretls = false;                 ///< REQUIRETLS (RFC 8689)
  bool rrvs = false;                       ///< RRVS (RFC 7293)
  bool auth = false;                       ///< AUTH (RFC 4954)
  std::string_view auth_mechanisms;        ///< its SASL mechanisms, space-separated
  bool auth_legacy = false;                ///< an "AUTH=mech ..." line was seen (old clients)
  bool mt_priority = false;                ///< MT-PRIORITY (RFC 6710)
  std::string_view mt_priority_profile;    ///< its optional profile name (MIXER, STANAG4406, NSEP)
  bool deliverby = false;                  ///< DELIVERBY (RFC 2852)
  std::optional<std::uint64_t> deliverby_min;  ///< its optional min-by-time, seconds
  bool limits = false;                     ///< LIMITS (RFC 9422)
  ehlo_limits limit_values;                ///< its values
  friend bool operator==(const ehlo_capabilities&, const ehlo_capabilities&) = default;

  /// Whether the server offers SASL mechanism `m` (case-insensitive).
  [[nodiscard]] bool has_auth(std::string_view m) const noexcept {
    std::string_view s = auth_mechanisms;
    while (!s.empty()) {
      const std::size_t sp = s.find(' ');
      if (ascii::iequals(s.substr(0, sp), m)) return true;
      if (sp == std::string_view::npos) break;
      s.remove_prefix(sp + 1);
    }
    return false;
  }
};

/// One ehlo-line: keyword and its parameters as written (views).
struct ehlo_extension {
  std::string_view keyword;
  std::string_view params;  ///< everything after the keyword's SP, empty when none
};

/// A parsed EHLO reply.
struct ehlo_reply {
  std::string_view domain;    ///< the server's Domain from the first line
  std::string_view greeting;  ///< ehlo-greet, the rest of the first line
  ehlo_capabilities caps;
  reply source;               ///< the reply; extensions() reads its lines 2..n

  /// Every ehlo-line, known or not, in order.
  [[nodiscard]] std::vector<ehlo_extension> extensions() const {
    std::vector<ehlo_extension> v;
    bool first = true;
    for (std::string_view t : source.lines()) {
      if (first) {
        first = false;
        continue;
      }
      const std::size_t sp = t.find(' ');
      v.push_back({t.substr(0, sp), sp == std::string_view::npos ? std::string_view()
                                                                 : t.substr(sp + 1)});
    }
    return v;
  }
};

/// Result of parse_ehlo().
struct ehlo_result {
  reply_errc error = reply_errc::ok;
  std::size_t line = 0;  ///< the line (0-based) of the error
  ehlo_reply value{};
};

namespace detail {

[[nodiscard]] constexpr bool ehlo_keyword_ok(std::string_view k) noexcept {
  if (k.empty() || !(ascii::is_alpha(k[0]) || ascii::is_digit(k[0]))) return false;
  for (char c : k)
    if (!ascii::is_alpha(c) && !ascii::is_digit(c) && c != '-') return false;
  return true;
}

[[nodiscard]] constexpr bool ehlo_params_ok(std::string_view p) noexcept {
  // 1*(SP ehlo-param): no empty parameter, printable non-space bytes.
  if (p.empty() || p.front() == ' ' || p.back() == ' ') return false;
  char prev = 'x';
  for (char c : p) {
    const auto u = static_cast<unsigned char>(c);
    if (c == ' ' ? prev == ' ' : (u < 33 || u > 126)) return false;
    prev = c;
  }
  return true;
}

[[nodiscard]] constexpr bool ehlo_number(std::string_view s, std::uint64_t& v) noexcept {
  if (s.empty() || s.size() > 19) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

}  // namespace detail

/// Reads an EHLO reply (RFC 5321 4.1.1.1) into capabilities. Keywords are case-insensitive;
/// a malformed line or parameter is an error with its line number.
[[nodiscard]] inline ehlo_result parse_ehlo(const reply& r) noexcept {
  ehlo_result res;
  res.value.source = r;
  if (r.code != 250) {
    res.error = reply_errc::not_ehlo_success;
    return res;
  }
  auto& c = res.value.caps;
  std::size_t n = 0;
  for (std::string_view t : r.lines()) {
    const std::size_t idx = n++;
    auto fail = [&](reply_errc e) {
      res.error = e;
      res.line = idx;
      return res;
    };
    const std::size_t sp = t.find(' ');
    const std::string_view kw = t.substr(0, sp);
    const std::string_view params = sp == std::string_view::npos ? std::string_view() : t.substr(sp + 1);
    if (idx == 0) {
      res.value.domain = kw;
      res.value.greeting = params;
      continue;
    }
    if (kw.size() > 5 && ascii::iequals(kw.substr(0, 5), "AUTH=")) {
      // The pre-RFC 4954 form "AUTH=LOGIN PLAIN", still sent for old clients.
      if (!detail::ehlo_params_ok(t.substr(5))) return fail(reply_errc::bad_ehlo_param);
      c.auth_legacy = true;
      if (c.auth_mechanisms.empty()) c.auth_mechanisms = t.substr(5);
      continue;
    }
    if (!detail::ehlo_keyword_ok(kw)) return fail(reply_errc::bad_ehlo_keyword);
    if (sp != std::string_view::npos && !detail::ehlo_params_ok(params))
      return fail(reply_errc::bad_ehlo_param);
    std::uint64_t v = 0;
    auto is = [&](std::string_view k) { return ascii::iequals(kw, k); };
    if (is("SIZE")) {
      c.size = true;
      if (!params.empty()) {
        if (!detail::ehlo_number(params, v)) return fail(reply_errc::bad_ehlo_param);
        c.size_limit = v;
      }
    } else if (is("8BITMIME")) c.eightbitmime = true;
    else if (is("PIPELINING")) c.pipelining = true;
    else if (is("CHUNKING")) c.chunking = true;
    else if (is("BINARYMIME")) c.binarymime = true;
    else if (is("SMTPUTF8")) c.smtputf8 = true;
    else if (is("DSN")) c.dsn = true;
    else if (is("ENHANCEDSTATUSCODES")) c.enhancedstatuscodes = true;
    else if (is("STARTTLS")) c.starttls = true;
    else if (is("REQUIRETLS")) c.requiretls = true;
    else if (is("RRVS")) c.rrvs = true;
    else if (is("AUTH")) {
      if (params.empty()) return fail(reply_errc::bad_ehlo_param);  // 1*(SP mechanism)
      c.auth = true;
      c.auth_mechanisms = params;
    } else if (is("MT-PRIORITY")) {
      c.mt_priority = true;
      c.mt_priority_profile = params;
    } else if (is("DELIVERBY")) {
      c.deliverby = true;
      if (!params.empty()) {
        if (!detail::ehlo_number(params, v)) return fail(reply_errc::bad_ehlo_param);
        c.deliverby_min = v;
      }
    } else if (is("LIMITS")) {
      c.limits = true;
      std::string_view s = params;
      while (!s.empty()) {
        const std::size_t e = s.find(' ');
        const std::string_view item = s.substr(0, e);
        s = e == std::string_view::npos ? std::string_view() : s.substr(e + 1);
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = item.substr(0, eq);
        if (!detail::ehlo_number(item.substr(eq + 1), v) || v > 0xFFFFFFFFu) {
          if (ascii::iequals(name, "RCPTMAX") || ascii::iequals(name, "MAILMAX") ||
              ascii::iequals(name, "RCPTDOMAINMAX"))
            return fail(reply_errc::bad_ehlo_param);
          continue;
        }
        const auto u = static_cast<std::uint32_t>(v);
        if (ascii::iequals(name, "RCPTMAX")) c.limit_values.rcptmax = u;
        else if (ascii::iequals(name, "MAILMAX")) c.limit_values.mailmax = u;
        else if (ascii::iequals(name, "RCPTDOMAINMAX")) c.limit_values.rcptdomainmax = u;
      }
    }
    // Any other keyword is kept in the reply: extensions() lists it.
  }
  return res;
}

/// Appends a server's EHLO reply (RFC 5321 4.1.1.1): "250-domain greeting", then one line per
/// announced capability in a fixed order, then `extra` ehlo-lines (checked against the ABNF).
/// Nothing is appended on error.
[[nodiscard]] inline reply_errc append_ehlo_reply(std::string& out, std::string_view domain,
                                                  std::string_view greeting,
                                                  const ehlo_capabilities& c,
                                                  std::span<const std::string_view> extra = {}) {
  if (!detail::ehlo_params_ok(domain) || domain.find(' ') != std::string_view::npos)
    return reply_errc::local_bad_text;
  std::vector<std::string> lines;
  lines.push_back(std::string(domain) + (greeting.empty() ? "" : " ") + std::string(greeting));
  auto add = [&](bool on, std::string_view kw, std::string_view p = {}) {
    if (on) lines.push_back(std::string(kw) + (p.empty() ? "" : " ") + std::string(p));
  };
  add(c.size, "SIZE", c.size_limit ? std::to_string(*c.size_limit) : std::string());
  add(c.eightbitmime, "8BITMIME");
  add(c.pipelining, "PIPELINING");
  add(c.chunking, "CHUNKING");
  add(c.binarymime, "BINARYMIME");
  add(c.smtputf8, "SMTPUTF8");
  add(c.dsn, "DSN");
  add(c.enhancedstatuscodes, "ENHANCEDSTATUSCODES");
  add(c.starttls, "STARTTLS");
  add(c.requiretls, "REQUIRETLS");
  add(c.rrvs, "RRVS");
  add(c.auth, "AUTH", c.auth_mechanisms);
  if ((c.auth || c.auth_legacy) && c.auth_mechanisms.empty()) return reply_errc::local_bad_text;
  if (c.auth_legacy) lines.push_back("AUTH=" + std::string(c.auth_mechanisms));
  add(c.mt_priority, "MT-PRIORITY", c.mt_priority_profile);
  add(c.deliverby, "DELIVERBY", c.deliverby_min ? std::to_string(*c.deliverby_min) : std::string());
  if (c.limits) {
    std::string p;
    auto lim = [&](const char* name, const std::optional<std::uint32_t>& v) {
      if (!v) return;
      if (!p.empty()) p += ' ';
      p += name;
      p += '=';
      p += std::to_string(*v);
    };
    lim("RCPTMAX", c.limit_values.rcptmax);
    lim("MAILMAX", c.limit_values.mailmax);
    lim("RCPTDOMAINMAX", c.limit_values.rcptdomainmax);
    add(true, "LIMITS", p);
  }
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view l = lines[i];
    const std::size_t sp = l.rfind('=', 4) == 4 ? 4 : l.find(' ');  // "AUTH=" lines
    if (sp != std::string_view::npos && !detail::ehlo_params_ok(l.substr(sp + 1)))
      return reply_errc::local_bad_text;
  }
  for (std::string_view l : extra) {
    const std::size_t sp = l.find(' ');
    if (!detail::ehlo_keyword_ok(l.substr(0, sp)) ||
        (sp != std::string_view::npos && !detail::ehlo_params_ok(l.substr(sp + 1))))
      return reply_errc::local_bad_text;
    lines.emplace_back(l);
  }
  std::vector<std::string_view> views(lines.begin(), lines.end());
  return append_reply(out, 250, std::nullopt, views);
}

}  // namespace mailwire::smtp
