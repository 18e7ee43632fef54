// mailwire/smtp/command.hpp — SMTP command lines of RFC 5321 section 4.1.1 and the extensions
// (LHLO RFC 2033, BDAT RFC 3030, STARTTLS RFC 3207, AUTH RFC 4954) with typed MAIL/RCPT
// parameters (SIZE 1870, BODY 6152/3030, SMTPUTF8 6531, REQUIRETLS 8689, RET/ENVID/NOTIFY/ORCPT
// 3461, AUTH= 4954, MT-PRIORITY 6710, BY 2852, RRVS 7293); parser and canonical serializer.
//
//   using namespace mailwire::smtp;
//   std::string_view buf = "MAIL FROM:<a@example.org> SIZE=1000 BODY=8BITMIME\r\nRCPT TO:<b@x>\r\n";
//   for (;;) {
//     auto r = parse_command(buf);                 // one line; views into buf
//     if (r.st == mailwire::status::need_more) break;            // read more, call again
//     if (r.st == mailwire::status::error) { send(reply_hint(r.error)); }  // r.consumed: skip
//     else if (r.value.v == verb::mail) use(r.value.path, *r.value.params.size);
//     buf.remove_prefix(r.consumed);
//   }
//   std::string out;
//   if (serialize(cmd, out) != errc::ok) { /* cmd could not make a valid line */ }
//
// Line framing: a command ends with CRLF. Strict by default: a bare LF (an SMTP smuggling
// vector), a bare CR, NUL or any other control octet in the line is an error. A line longer than
// limits::command_line octets with its CRLF (limits::auth_line for AUTH) is an error as soon as
// that many octets are waiting without a line end; then consumed is 0 and the host must discard
// up to the next LF itself (the parser never buffers). For other errors of a complete line,
// consumed covers the line with its ending, so the host can reply and go on with the next.
//
// Grammar is RFC 5321 section 4.1.1: verb, then exactly one SP, then the arguments, no
// trailing SP. Verbs are case-insensitive; an alphabetic verb we do not know is not an error:
// it comes back as verb::unknown with its text (the host replies 500 5.5.1). Keywords and
// the fixed values of known parameters are case-insensitive.
//
// Values hold views into the parsed input (lifetime: until that input changes).
// Parameters are a typed struct (one field per known parameter, so a host reads
// `params.size` directly) plus a fixed array of at most parameter_capacity unknown
// esmtp-keyword[=esmtp-value] pairs in the order given: no allocation while parsing.
// The canonical form (serialize) writes the upper-case verb, one SP, the known parameters in a
// fixed order (SIZE BODY SMTPUTF8 REQUIRETLS RET ENVID AUTH MT-PRIORITY BY; NOTIFY ORCPT RRVS)
// then the unknown ones as given. So serialize(parse(x)) is canonical, and
// parse(serialize(v)) == v for every valid v; serialize re-parses its own line and refuses
// (errc, nothing appended) any value that would not come back equal — a value holding CR, LF
// or NUL can never reach the wire.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/smtp/address.hpp"
#include "mailwire/smtp/detail/xtext.hpp"
#include "mailwire/smtp/errc.hpp"
#include "mailwire/smtp/limits.hpp"

namespace mailwire::smtp {

/// SMTP verbs (RFC 5321 section 4.1.1 and the extensions named in the header comment).
enum class verb : std::uint8_t {
  helo, ehlo, lhlo, mail, rcpt, data, bdat, rset, vrfy, expn, help, noop, quit, starttls, auth,
  unknown,  ///< an alphabetic verb we do not know; command::verb_text holds it
};

/// The verb in upper case ("" for unknown).
[[nodiscard]] constexpr std::string_view to_string(verb v) noexcept {
  switch (v) {
    case verb::helo: return "HELO";
    case verb::ehlo: return "EHLO";
    case verb::lhlo: return "LHLO";
    case verb::mail: return "MAIL";
    case verb::rcpt: return "RCPT";
    case verb::data: return "DATA";
    case verb::bdat: return "BDAT";
    case verb::rset: return "RSET";
    case verb::vrfy: return "VRFY";
    case verb::expn: return "EXPN";
    case verb::help: return "HELP";
    case verb::noop: return "NOOP";
    case verb::quit: return "QUIT";
    case verb::starttls: return "STARTTLS";
    case verb::auth: return "AUTH";
    case verb::unknown: return "";
  }
  return "";
}

/// BODY= of RFC 6152 section 2 and RFC 3030 section 3.
enum class body_type : std::uint8_t { none, seven_bit, eight_bit_mime, binary_mime };
/// RET= of RFC 3461 section 4.3.
enum class ret_type : std::uint8_t { none, full, hdrs };

/// NOTIFY= bits of RFC 3461 section 4.1 (0 = parameter absent).
namespace notify {
inline constexpr std::uint8_t never = 1;    ///< NEVER (alone)
inline constexpr std::uint8_t success = 2;  ///< SUCCESS
inline constexpr std::uint8_t failure = 4;  ///< FAILURE
inline constexpr std::uint8_t delay = 8;    ///< DELAY
}  // namespace notify

/// BY= of RFC 2852 section 4: by-time ";" by-mode [by-trace].
struct by_value {
  std::int64_t time = 0;  ///< seconds, ["-" / "+"] 1*9DIGIT
  char mode = 'N';        ///< 'N' (notify) or 'R' (return), upper case
  bool trace = false;     ///< "T"
  friend bool operator==(const by_value&, const by_value&) = default;
};

/// RRVS= of RFC 7293 section 3.1: date-time (RFC 3339) [";" ("C" / "R")].
struct rrvs_value {
  std::string_view date_time;  ///< as written
  char action = 0;             ///< 0 (absent), 'C' (continue) or 'R' (reject), upper case
  friend bool operator==(const rrvs_value&, const rrvs_value&) = default;
};

/// ORCPT= of RFC 3461 section 4.2: addr-type ";" xtext.
struct orcpt_value {
  std::string_view addr_type;  ///< e.g. "rfc822" or "utf-8", as written
  std::string_view xtext;      ///< still xtext-encoded; see xtext_decode()
  friend bool operator==(const orcpt_value&, const orcpt_value&) = default;
};

/// An esmtp-keyword ["=" esmtp-value] that mailwire does not interpret (RFC 5321 4.1.2).
struct esmtp_param {
  std::string_view keyword;  ///< as written
  std::string_view value;    ///< as written; empty when has_value is false
  bool has_value = false;    ///< an "=" was given
  friend bool operator==(const esmtp_param&, const esmtp_param&) = default;
};

/// MAIL and RCPT parameters, typed. Views into the parsed line.
struct mail_parameters {
  // MAIL
  std::optional<std::uint64_t> size;           ///< SIZE= (RFC 1870)
  body_type body = body_type::none;            ///< BODY= (RFC 6152, RFC 3030)
  bool smtputf8 = false;                       ///< SMTPUTF8 (RFC 6531 section 3.4)
  bool requiretls = false;                     ///< REQUIRETLS (RFC 8689 section 4.1)
  ret_type ret = ret_type::none;               ///< RET= (RFC 3461 section 4.3)
  std::optional<std::string_view> envid;       ///< ENVID= xtext (RFC 3461 section 4.4)
  std::optional<std::string_view> auth;        ///< AUTH= xtext of a mailbox or "<>" (RFC 4954 5)
  std::optional<std::int8_t> mt_priority;      ///< MT-PRIORITY= -9..9 (RFC 6710 section 3)
  std::optional<by_value> by;                  ///< BY= (RFC 2852)
  // RCPT
  std::uint8_t notify = 0;                     ///< NOTIFY= bits (RFC 3461 section 4.1)
  std::optional<orcpt_value> orcpt;            ///< ORCPT= (RFC 3461 section 4.2)
  std::optional<rrvs_value> rrvs;              ///< RRVS= (RFC 7293)
  // Anything else, in the order given.
  std::array<esmtp_param, parameter_capacity> extra_store{};
  std::uint8_t extra_count = 0;

  /// The parameters mailwire does not interpret, in the order given.
  [[nodiscard]] std::span<const esmtp_param> extensions() const noexcept {
    return {extra_store.data(), extra_count};
  }
  /// Adds an unknown parameter (for builders); false when the store is full.
  bool add_extension(esmtp_param p) noexcept {
    if (extra_count >= parameter_capacity) return false;
    extra_store[extra_count++] = p;
    return true;
  }
  friend bool operator==(const mail_parameters& a, const mail_parameters& b) noexcept {
    if (!(a.size == b.size && a.body == b.body && a.smtputf8 == b.smtputf8 &&
          a.requiretls == b.requiretls && a.ret == b.ret && a.envid == b.envid &&
          a.auth == b.auth && a.mt_priority == b.mt_priority && a.by == b.by &&
          a.notify == b.notify && a.orcpt == b.orcpt && a.rrvs == b.rrvs &&
          a.extra_count == b.extra_count))
      return false;
    for (std::size_t i = 0; i < a.extra_count; ++i)
      if (!(a.extra_store[i] == b.extra_store[i])) return false;
    return true;
  }
};

/// AUTH's optional initial response (RFC 4954 section 4).
enum class initial_response : std::uint8_t {
  none,   ///< no initial response
  empty,  ///< "=": an empty initial response
  data,   ///< base64 text in command::response
};

/// One SMTP command. Fields not used by the verb stay empty.
struct command {
  verb v = verb::unknown;
  std::string_view verb_text;   ///< the verb as written
  std::string_view argument;    ///< all after the verb's SP, as written ("" when none)
  // HELO / EHLO / LHLO (RFC 5321 4.1.1.1, RFC 2033 4.1)
  std::string_view domain;      ///< Domain or address-literal, as written
  domain_kind kind = domain_kind::none;
  // MAIL / RCPT (RFC 5321 4.1.1.2, 4.1.1.3)
  smtp::path path;
  mail_parameters params;
  // BDAT (RFC 3030 section 2)
  std::uint64_t chunk_size = 0;
  bool last = false;            ///< "LAST"
  // AUTH (RFC 4954 section 4)
  std::string_view mechanism;   ///< SASL mechanism name as written
  initial_response ir = initial_response::none;
  std::string_view response;    ///< base64 initial response (ir == data)
  // VRFY / EXPN / HELP / NOOP and unknown verbs: `argument`.

  /// Equality of what the command means for its verb.
  friend bool operator==(const command& a, const command& b) noexcept {
    if (a.v != b.v) return false;
    switch (a.v) {
      case verb::helo:
      case verb::ehlo:
      case verb::lhlo: return a.domain == b.domain && a.kind == b.kind;
      case verb::mail:
      case verb::rcpt: return a.path == b.path && a.params == b.params;
      case verb::bdat: return a.chunk_size == b.chunk_size && a.last == b.last;
      case verb::auth:
        return a.mechanism == b.mechanism && a.ir == b.ir && a.response == b.response;
      case verb::vrfy:
      case verb::expn:
      case verb::help:
      case verb::noop: return a.argument == b.argument;
      case verb::unknown: return ascii::iequals(a.verb_text, b.verb_text) && a.argument == b.argument;
      default: return true;
    }
  }
};

/// Context and named leniencies of the command parser (all off: strict RFC 5321).
struct command_options {
  /// SMTPUTF8 is in effect for this transaction (RFC 6531 section 3.4): UTF-8 in RCPT paths
  /// and VRFY/EXPN arguments. MAIL also allows it when its own SMTPUTF8 parameter is given.
  bool smtputf8 = false;
  /// LENIENCY: accept several SP between arguments, trailing SP, and SP after "FROM:"/"TO:",
  /// as many servers do. Risk: a differently-parsing proxy or filter in front of the host may
  /// split such lines differently (parameter smuggling); keep off unless peers need it.
  bool lenient_spaces = false;
  /// LENIENCY: accept a bare LF as a line end. Risk: SMTP smuggling (2023) — a front end that
  /// splits lines on CRLF only sees one command where this parser sees two. Keep off.
  bool lenient_bare_lf = false;
};

// ---- xtext (RFC 3461 section 4) ----------------------------------------------------------

/// True when `s` is xtext: *( xchar / "+" 2HEXDIG ) with upper-case hex (RFC 3461 section 4).
[[nodiscard]] constexpr bool xtext_valid(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      if (i + 2 >= s.size()) return false;
      if (detail::xtext_hex(s[i + 1]) < 0 || detail::xtext_hex(s[i + 2]) < 0) return false;
      i += 2;
    } else if (!detail::is_xchar(s[i])) {
      return false;
    }
  }
  return true;
}

/// Appends the decoded form of xtext `s` to `out`; false (out unchanged) if `s` is not xtext.
[[nodiscard]] inline bool xtext_decode(std::string_view s, std::string& out) {
  if (!xtext_valid(s)) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(static_cast<char>(detail::xtext_hex(s[i + 1]) * 16 + detail::xtext_hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return true;
}

/// Appends the xtext encoding of any bytes `s` to `out` ('+', '=', and octets outside
/// 33-126 as "+XX").
inline void xtext_encode(std::string_view s, std::string& out) {
  for (char c : s) {
    if (detail::is_xchar(c)) {
      out.push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('+');
      out.push_back(ascii::hex_digit_upper(u >> 4));
      out.push_back(ascii::hex_digit_upper(u & 0xFu));
    }
  }
}

namespace detail {

inline constexpr std::uint64_t verb_key(std::string_view s) noexcept {
  std::uint64_t k = 0;
  for (char c : s) k = (k << 8) | static_cast<unsigned char>(ascii::to_upper(c));
  return k;
}

/// The verb of letters `s` (1-8 letters, already checked alphabetic).
[[nodiscard]] constexpr verb lookup_verb(std::string_view s) noexcept {
  if (s.size() != 4 && s.size() != 8) return verb::unknown;
  std::uint64_t k = 0;
  for (char c : s) k = (k << 8) | static_cast<unsigned char>(c & 0xDF);  // letters only: upper
  switch (k) {
    case verb_key("HELO"): return verb::helo;
    case verb_key("EHLO"): return verb::ehlo;
    case verb_key("LHLO"): return verb::lhlo;
    case verb_key("MAIL"): return verb::mail;
    case verb_key("RCPT"): return verb::rcpt;
    case verb_key("DATA"): return verb::data;
    case verb_key("BDAT"): return verb::bdat;
    case verb_key("RSET"): return verb::rset;
    case verb_key("VRFY"): return verb::vrfy;
    case verb_key("EXPN"): return verb::expn;
    case verb_key("HELP"): return verb::help;
    case verb_key("NOOP"): return verb::noop;
    case verb_key("QUIT"): return verb::quit;
    case verb_key("STARTTLS"): return verb::starttls;
    case verb_key("AUTH"): return verb::auth;
    default: return verb::unknown;
  }
}

/// 1*DIGIT of at most `max_digits` into a uint64 (overflow checked).
[[nodiscard]] constexpr errc parse_u64(std::string_view s, std::uint64_t& v,
                                       std::size_t max_digits = 20) noexcept {
  if (s.empty()) return errc::syntax_error;
  std::uint64_t x = 0;
  bool over = s.size() > max_digits;
  for (char c : s) {
    if (!ascii::is_digit(c)) return errc::syntax_error;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (x > (~std::uint64_t{0} - d) / 10) over = true;
    x = x * 10 + d;
  }
  if (over) return errc::number_overflow;
  v = x;
  return errc::ok;
}

/// date-time of RFC 3339 section 5.6 (for RRVS).
[[nodiscard]] constexpr bool rfc3339_date_time(std::string_view s) noexcept {
  auto digits = [&](std::size_t at, std::size_t n) {
    if (at + n > s.size()) return false;
    for (std::size_t i = at; i < at + n; ++i)
      if (!ascii::is_digit(s[i])) return false;
    return true;
  };
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  // full-date "T" partial-time time-offset: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (!digits(0, 4) || s.size() < 20 || s[4] != '-' || !digits(5, 2) || s[7] != '-' ||
      !digits(8, 2) || (s[10] != 'T' && s[10] != 't') || !digits(11, 2) || s[13] != ':' ||
      !digits(14, 2) || s[16] != ':' || !digits(17, 2))
    return false;
  const int mon = num(5, 2), day = num(8, 2), hour = num(11, 2), min = num(14, 2), sec = num(17, 2);
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return false;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t f = i;
    while (i < s.size() && ascii::is_digit(s[i])) ++i;
    if (i == f) return false;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) return i + 1 == s.size();
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    return i + 6 == s.size() && digits(i + 1, 2) && s[i + 3] == ':' && digits(i + 4, 2) &&
           num(i + 1, 2) <= 23 && num(i + 4, 2) <= 59;
  }
  return false;
}

/// Checks UTF-8 (when allowed) or plain printable ASCII in `s`; returns the error and offset.
[[nodiscard]] constexpr errc check_text(std::string_view s, bool utf8, std::size_t& at) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!ascii::is_8bit(s[i])) continue;
    at = i;
    if (!utf8) return errc::non_ascii;
    const std::size_t n = ascii::utf8_sequence_length(s.data() + i, s.data() + s.size());
    if (n == 0) return errc::invalid_utf8;
    i += n - 1;
  }
  return errc::ok;
}

/// Bits of the known parameters, for duplicate detection.
enum known_bit : std::uint16_t {
  k_size = 1, k_body = 2, k_smtputf8 = 4, k_requiretls = 8, k_ret = 16, k_envid = 32, k_auth = 64,
  k_mtprio = 128, k_by = 256, k_notify = 512, k_orcpt = 1024, k_rrvs = 2048,
};

struct param_error {
  errc e = errc::ok;
  std::size_t at = 0;  ///< offset within the parameter text
};

/// Interprets one parameter; `mail` is true for MAIL, false for RCPT.
inline param_error apply_param(mail_parameters& p, std::uint16_t& seen, std::string_view kw,
                               std::string_view val, bool has_val, bool mail,
                               const limits& lim, bool utf8) noexcept {
  auto is = [&](std::string_view k) { return ascii::iequals(kw, k); };
  const std::size_t vat = kw.size() + 1;
  auto once = [&](std::uint16_t bit, bool for_mail) -> param_error {
    if (for_mail != mail) return {errc::parameter_not_allowed, 0};
    if (seen & bit) return {errc::duplicate_parameter, 0};
    seen = static_cast<std::uint16_t>(seen | bit);
    return {};
  };
  auto need = [&](bool want) -> param_error {
    if (want && !has_val) return {errc::invalid_parameter, kw.size()};
    if (!want && has_val) return {errc::invalid_parameter, kw.size()};
    return {};
  };
  param_error e;
  switch (kw.size()) {
    case 4:
      if (is("SIZE")) {
        if ((e = once(k_size, true)).e != errc::ok || (e = need(true)).e != errc::ok) return e;
        std::uint64_t v = 0;
        if (const errc pe = parse_u64(val, v); pe != errc::ok)
          return {pe == errc::number_overflow ? pe : errc::invalid_parameter, vat};
        p.size = v;
        return {};
      }
      if (is("BODY")) {
        if ((e = once(k_body, true)).e != errc::ok || (e = need(true)).e != errc::ok) return e;
        if (ascii::iequals(val, "7BIT")) p.body = body_type::seven_bit;
        else if (ascii::iequals(val, "8BITMIME")) p.body = body_type::eight_bit_mime;
        else if (ascii::iequals(val, "BINARYMIME")) p.body = body_type::binary_mime;
        else return {errc::invalid_parameter, vat};
        return {};
      }
      if (is("AUTH")) {
        if ((e = once(k_auth, true)).e != errc::ok || (e = need(true)).e != errc::ok) return e;
        if (val == "<>") {
          p.auth = val;
          return {};
        }
        if (!xtext_valid(val)) return {errc::invalid_xtext, vat};
        // The decoded value is a Mailbox (RFC 4954 section 5); decode into a bounded buffer.
        char buf[512];
        std::size_t n = 0;
        for (std::size_t i = 0; i < val.size(); ++i) {
          if (n == sizeof buf) return {errc::invalid_parameter, vat};
          if (val[i] == '+') {
            buf[n++] = static_cast<char>(xtext_hex(val[i + 1]) * 16 + xtext_hex(val[i + 2]));
            i += 2;
          } else {
            buf[n++] = val[i];
          }
        }
        const std::string_view dec(buf, n);
        if (dec != "<>") {
          const auto m = parse_mailbox(dec, lim, utf8);
          if (!m.ok() || m.consumed != n) return {errc::invalid_parameter, vat};
        }
        p.auth = val;
        return {};
      }
      if (is("RRVS")) {
        if ((e = once(k_rrvs, false)).e != errc::ok || (e = need(true)).e != errc::ok) return e;
        rrvs_value r;
        std::string_view dt = val;
        if (val.size() >= 2 && val[val.size() - 2] == ';') {
          const char a = ascii::to_upper(val.back());
          if (a != 'C' && a != 'R') return {errc::invalid_parameter, vat + val.size() - 1};
          r.action = a;
          dt = val.substr(0, val.size() - 2);
        }
        if (!rfc3339_date_time(dt)) return {errc::invalid_parameter, vat};
        r.date_time = dt;
        p.rrvs = r;
        return {};
      }
      break;
    case 8:
      if (is("SMTPUTF8")) {
        if ((e = once(k_smtputf8, true)).e != errc::ok || (e = need(false)).e != errc::ok) return e;
        p.smtputf8 = true;
        return {};
      }
      break;
    case 10:
      if (is("REQUIRETLS")) {
        if ((e = once(k_requiretls, true)).e != errc::ok || (e = need(false)).e != errc::ok) return e;
        p.requiretls = true;
        return {};
      }
      break;
    case 3:
      if (is("RET")) {
        if ((e = once(k_ret, true)).e != errc::ok || (e = need(true)).e != errc::ok) return e;
        if (ascii::iequals(val, "FULL")) p.ret = ret_type::full;
        else if (ascii::iequals(val, "HDRS")) p.ret = ret_type::hdrs;
        else return {errc::invalid_parameter, vat};
        return {};
      }
      break;
    case 5:
      if (is("ENVID")) {
        if ((e = once(k_envid, true)).e != errc::ok || (e = need(true)).e != errc::ok) return e;
        if (!xtext_valid(val)) return {errc::invalid_xtext, vat};
        p.envid = val;
        return {};
      }
      if (is("ORCPT")) {
        if ((e = once(k_orcpt, false)).e != errc::ok || (e = need(true)).e != errc::ok) return e;
        const std::size_t semi = val.find(';');
        if (semi == std::string_view::npos || semi == 0) return {errc::invalid_parameter, vat};
        const std::string_view type = val.substr(0, semi), x = val.substr(semi + 1);
        for (char c : type)
          if (!ascii::is_atext(c)) return {errc::invalid_parameter, vat};
        if (x.empty() || !xtext_valid(x)) return {errc::invalid_xtext, vat + semi + 1};
        p.orcpt = orcpt_value{type, x};
        return {};
      }
      break;
    case 6:
      if (is("NOTIFY")) {
        if ((e = once(k_notify, false)).e != errc::ok || (e = need(true)).e != errc::ok) return e;
        std::uint8_t bits = 0;
        std::size_t i = 0;
        while (i <= val.size()) {
          std::size_t j = val.find(',', i);
          if (j == std::string_view::npos) j = val.size();
          const std::string_view w = val.substr(i, j - i);
          std::uint8_t b = 0;
          if (ascii::iequals(w, "NEVER")) b = notify::never;
          else if (ascii::iequals(w, "SUCCESS")) b = notify::success;
          else if (ascii::iequals(w, "FAILURE")) b = notify::failure;
          else if (ascii::iequals(w, "DELAY")) b = notify::delay;
          if (b == 0 || (bits & b)) return {errc::invalid_parameter, vat + i};
          bits = static_cast<std::uint8_t>(bits | b);
          i = j + 1;
        }
        if ((bits & notify::never) && bits != notify::never) return {errc::invalid_parameter, vat};
        p.notify = bits;
        return {};
      }
      break;
    case 11:
      if (is("MT-PRIORITY")) {
        if ((e = once(k_mtprio, true)).e != errc::ok || (e = need(true)).e != errc::ok) return e;
        std::string_view d = val;
        int sign = 1;
        if (!d.empty() && (d[0] == '+' || d[0] == '-')) {
          sign = d[0] == '-' ? -1 : 1;
          d.remove_prefix(1);
        }
        if (d.size() != 1 || !ascii::is_digit(d[0])) return {errc::invalid_parameter, vat};
        p.mt_priority = static_cast<std::int8_t>(sign * (d[0] - '0'));
        return {};
      }
      break;
    case 2:
      if (is("BY")) {
        if ((e = once(k_by, true)).e != errc::ok || (e = need(true)).e != errc::ok) return e;
        const std::size_t semi = val.find(';');
        if (semi == std::string_view::npos) return {errc::invalid_parameter, vat};
        std::string_view t = val.substr(0, semi);
        bool neg = false;
        if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
          neg = t[0] == '-';
          t.remove_prefix(1);
        }
        std::uint64_t v = 0;
        if (t.size() > 9 || parse_u64(t, v, 9) != errc::ok) return {errc::invalid_parameter, vat};
        const std::string_view m = val.substr(semi + 1);
        by_value b;
        b.time = neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
        if (m.empty() || m.size() > 2) return {errc::invalid_parameter, vat + semi + 1};
        b.mode = ascii::to_upper(m[0]);
        if (b.mode != 'N' && b.mode != 'R') return {errc::invalid_parameter, vat + semi + 1};
        if (m.size() == 2) {
          if (ascii::to_upper(m[1]) != 'T') return {errc::invalid_parameter, vat + semi + 2};
          b.trace = true;
        }
        p.by = b;
        return {};
      }
      break;
    default: break;
  }
  // Unknown: kept for the host; the same keyword twice is still an error.
  for (const esmtp_param& x : p.extensions())
    if (ascii::iequals(x.keyword, kw)) return {errc::duplicate_parameter, 0};
  if (!p.add_extension(esmtp_param{kw, val, has_val})) return {errc::too_many_parameters, 0};
  return {};
}

/// Mail-parameters / Rcpt-parameters: esmtp-param *(SP esmtp-param) (RFC 5321 section 4.1.2);
/// `s` starts at the first parameter. On error, `at` is relative to `s`.
inline param_error parse_params(mail_parameters& p, std::string_view s, bool mail, const limits& lim,
                                const command_options& opt) noexcept {
  std::uint16_t seen = 0;
  std::size_t count = 0;
  const std::size_t max = lim.max_parameters < parameter_capacity ? lim.max_parameters : parameter_capacity;
  std::size_t i = 0;
  for (;;) {
    const std::size_t start = i;
    // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    if (i >= s.size() || !is_let_dig(s[i])) {
      if (i < s.size() && s[i] == ' ') return {errc::bad_spacing, i};
      return {errc::invalid_parameter, i};
    }
    while (i < s.size() && (is_let_dig(s[i]) || s[i] == '-')) ++i;
    const std::string_view kw = s.substr(start, i - start);
    std::string_view val;
    bool has_val = false;
    if (i < s.size() && s[i] == '=') {
      ++i;
      const std::size_t vs = i;
      // esmtp-value = 1*(%d33-60 / %d62-126), plus UTF8-non-ascii with SMTPUTF8 (RFC 6531)
      while (i < s.size() && s[i] != ' ') {
        const auto u = static_cast<unsigned char>(s[i]);
        if (u >= 0x80) {
          if (!opt.smtputf8 && !p.smtputf8) return {errc::non_ascii, i};
          const std::size_t n = ascii::utf8_sequence_length(s.data() + i, s.data() + s.size());
          if (n == 0) return {errc::invalid_utf8, i};
          i += n;
          continue;
        }
        if (u < 33 || u == 61 || u > 126) return {errc::invalid_parameter, i};
        ++i;
      }
      if (i == vs) return {errc::invalid_parameter, i};
      val = s.substr(vs, i - vs);
      has_val = true;
    } else if (i < s.size() && s[i] != ' ') {
      return {errc::invalid_parameter, i};
    }
    if (++count > max) return {errc::too_many_parameters, start};
    const param_error e = apply_param(p, seen, kw, val, has_val, mail, lim, opt.smtputf8 || p.smtputf8);
    if (e.e != errc::ok) return {e.e, start + e.at};
    if (i == s.size()) return {};
    ++i;  // SP
    if (opt.lenient_spaces) {
      while (i < s.size() && s[i] == ' ') ++i;
      if (i == s.size()) return {};
    }
  }
}

/// The body of parse_command(), filling `r` (fresh) in place: one named result in the caller
/// lets the compiler construct it in the return slot (no copy of the ~1 KB command).
inline void parse_command_into(parse_result<command>& r, std::string_view in, const limits& lim,
                               const command_options& opt) noexcept {
  const bool is_auth = in.size() >= 5 && ascii::iequals(in.substr(0, 5), "AUTH ");
  const std::size_t max = is_auth ? lim.auth_line : lim.command_line;  // octets with CRLF
  const std::size_t scan = in.size() < max ? in.size() : max;
  const void* lfp = scan == 0 ? nullptr : std::memchr(in.data(), '\n', scan);
  if (lfp == nullptr) {
    if (in.size() >= max) {
      r.st = status::error;
      r.error = is_auth ? errc::auth_line_too_long : errc::line_too_long;
      r.error_offset = max;
    }
    return;
  }
  const std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(lfp) - in.data());
  r.consumed = lf + 1;
  auto fail = [&](errc e, std::size_t at) {
    r.st = status::error;
    r.error = e;
    r.error_offset = at;
    r.value = command{};
  };
  std::size_t len = lf;
  if (lf > 0 && in[lf - 1] == '\r') {
    len = lf - 1;
  } else if (!opt.lenient_bare_lf) {
    return fail(errc::bare_lf, lf);
  }
  const std::string_view line = in.substr(0, len);
  // Control octets: NUL, bare CR, HTAB, ... (RFC 5321 section 4.1.1 allows none in commands).
  // Eight octets at a time first (any octet < 0x20 or == 0x7f sets a high bit; exact as a
  // yes/no), then octet by octet from the first word that has one, for its position.
  std::size_t ctl = 0;
  for (; ctl + 8 <= len; ctl += 8) {
    constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    std::uint64_t w;
    std::memcpy(&w, line.data() + ctl, 8);
    const std::uint64_t del = w ^ (ones * 0x7f);
    if ((((w - ones * 0x20) & ~w) | ((del - ones) & ~del)) & high) break;
  }
  for (std::size_t i = ctl; i < len; ++i) {
    const auto u = static_cast<unsigned char>(line[i]);
    if (u < 0x20 || u == 0x7f) [[unlikely]] {
      return fail(u == 0 ? errc::nul_in_line : u == '\r' ? errc::bare_cr : errc::control_character, i);
    }
  }
  command& c = r.value;
  // Verb = 1*ALPHA
  std::size_t i = 0;
  while (i < len && ascii::is_alpha(line[i])) ++i;
  if (i == 0) return fail(len == 0 ? errc::empty_line : errc::invalid_verb, 0);
  if (i < len && line[i] != ' ') return fail(errc::invalid_verb, i);
  c.verb_text = line.substr(0, i);
  c.v = i <= 8 ? detail::lookup_verb(c.verb_text) : verb::unknown;
  std::size_t a = i;  // where the arguments start
  if (i < len) {
    a = i + 1;
    std::size_t end = len;
    if (opt.lenient_spaces) {
      while (a < len && line[a] == ' ') ++a;
      while (end > a && line[end - 1] == ' ') --end;
    } else if (a == len || line[a] == ' ') {
      return fail(errc::bad_spacing, a == len ? i : a);
    } else if (line[len - 1] == ' ') {
      return fail(errc::bad_spacing, len - 1);
    }
    c.argument = line.substr(a, end - a);
  }
  const std::string_view arg = c.argument;
  const bool has_arg = !arg.empty();
  switch (c.v) {
    case verb::helo:
    case verb::ehlo:
    case verb::lhlo: {
      if (!has_arg) return fail(errc::missing_argument, len);
      // HELO takes a Domain only; EHLO and LHLO also an address-literal (section 4.1.1.1).
      parse_result<std::string_view> d;
      if (c.v == verb::helo) {
        d = parse_domain(arg, lim, opt.smtputf8);
        c.kind = domain_kind::name;
      } else {
        d = parse_domain_or_literal(arg, c.kind, lim, opt.smtputf8);
      }
      if (!d.ok()) return fail(d.error, a + d.error_offset);
      c.domain = arg;
      break;
    }
    case verb::mail:
    case verb::rcpt: {
      const bool mail = c.v == verb::mail;
      const std::string_view head = mail ? "FROM:" : "TO:";
      if (!has_arg) return fail(errc::missing_argument, len);
      if (!ascii::istarts_with(arg, head)) return fail(errc::syntax_error, a);
      std::size_t p = head.size();
      if (opt.lenient_spaces)
        while (p < arg.size() && arg[p] == ' ') ++p;
      path_options po;
      po.smtputf8 = opt.smtputf8 || mail;  // MAIL: checked again below against its SMTPUTF8
      po.allow_null = mail;
      po.allow_postmaster = !mail;
      const auto pr = parse_path(arg.substr(p), lim, po);
      if (!pr.ok()) return fail(pr.error, a + p + pr.error_offset);
      c.path = pr.value;
      std::size_t q = p + pr.consumed;
      if (q < arg.size()) {
        if (arg[q] != ' ') return fail(errc::garbage_after_path, a + q);
        ++q;
        if (opt.lenient_spaces)
          while (q < arg.size() && arg[q] == ' ') ++q;
        if (q < arg.size() || !opt.lenient_spaces) {
          const auto pe = detail::parse_params(c.params, arg.substr(q), mail, lim, opt);
          if (pe.e != errc::ok) return fail(pe.e, a + q + pe.at);
        }
      }
      if (mail && !opt.smtputf8 && !c.params.smtputf8) {
        std::size_t at = 0;
        const std::string_view whole = arg.substr(p, pr.consumed);
        if (detail::check_text(whole, false, at) != errc::ok) return fail(errc::non_ascii, a + p + at);
      }
      break;
    }
    case verb::data:
    case verb::rset:
    case verb::quit:
    case verb::starttls:
      if (has_arg) return fail(errc::unexpected_argument, a);
      break;
    case verb::bdat: {
      // bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ]  (RFC 3030 section 2)
      if (!has_arg) return fail(errc::missing_argument, len);
      std::size_t sp = arg.find(' ');
      const std::string_view num = arg.substr(0, sp);
      if (const errc e = detail::parse_u64(num, c.chunk_size); e != errc::ok) {
        return fail(e, a);
      }
      if (sp != std::string_view::npos) {
        std::size_t m = sp + 1;
        if (opt.lenient_spaces)
          while (m < arg.size() && arg[m] == ' ') ++m;
        if (!ascii::iequals(arg.substr(m), "LAST")) return fail(errc::syntax_error, a + m);
        c.last = true;
      }
      break;
    }
    case verb::auth: {
      // "AUTH" SP sasl-mech [SP initial-response]  (RFC 4954 section 4)
      if (!has_arg) return fail(errc::missing_argument, len);
      std::size_t m = 0;
      while (m < arg.size() && (ascii::is_alpha(arg[m]) || ascii::is_digit(arg[m]) || arg[m] == '-' ||
                                arg[m] == '_'))
        ++m;
      if (m == 0 || m > 20 || (m < arg.size() && arg[m] != ' ')) return fail(errc::syntax_error, a + m);
      c.mechanism = arg.substr(0, m);
      if (m < arg.size()) {
        std::size_t s = m + 1;
        if (opt.lenient_spaces)
          while (s < arg.size() && arg[s] == ' ') ++s;
        const std::string_view ir = arg.substr(s);
        if (ir == "=") {
          c.ir = initial_response::empty;
        } else {
          // base64 (RFC 4648 section 4) with padding
          std::size_t k = 0;
          while (k < ir.size() && ascii::has(ir[k], ascii::base64)) ++k;
          std::size_t pad = 0;
          while (k + pad < ir.size() && ir[k + pad] == '=' && pad < 2) ++pad;
          if (ir.empty() || k + pad != ir.size() || ir.size() % 4 != 0)
            return fail(errc::invalid_base64, a + s + (k + pad < ir.size() ? k + pad : 0));
          c.ir = initial_response::data;
          c.response = ir;
        }
      }
      break;
    }
    case verb::vrfy:
    case verb::expn:
      if (!has_arg) return fail(errc::missing_argument, len);
      [[fallthrough]];
    case verb::help:
    case verb::noop: {
      std::size_t at = 0;
      if (const errc e = detail::check_text(arg, opt.smtputf8, at); e != errc::ok) return fail(e, a + at);
      break;
    }
    case verb::unknown: break;
  }
  r.st = status::event;
}

}  // namespace detail

/// Parses one command line at the start of `in` (RFC 5321 section 4.1.1): status::event with
/// the command and `consumed` (the line and its CRLF), status::need_more when no line end has
/// come yet (nothing consumed), or status::error with `error`, `error_offset` and `consumed`
/// (the whole line for a complete line; 0 for a line over the limit). Views into `in`.
[[nodiscard]] inline parse_result<command> parse_command(std::string_view in,
                                                         const limits& lim = {},
                                                         const command_options& opt = {}) noexcept {
  parse_result<command> r;
  detail::parse_command_into(r, in, lim, opt);
  return r;
}

/// A client's line in an AUTH exchange (RFC 4954 section 4): base64 data, or "*" to cancel.
struct auth_response {
  bool cancel = false;    ///< "*": the client cancels (the server replies 501)
  std::string_view data;  ///< base64 text (may be empty); view into the input
  friend bool operator==(const auth_response&, const auth_response&) = default;
};

/// Parses one AUTH continuation line at the start of `in` (RFC 4954 section 4): at most
/// lim.auth_line octets with CRLF (else errc::auth_line_too_long, consumed 0), the same framing
/// rules as parse_command() (CRLF only unless lenient_bare_lf; no control octets), then "*" or
/// base64 with padding (else errc::invalid_base64, whose reply is "501 5.5.2").
[[nodiscard]] inline parse_result<auth_response> parse_auth_response(
    std::string_view in, const limits& lim = {}, const command_options& opt = {}) noexcept {
  parse_result<auth_response> r;
  const std::size_t scan = in.size() < lim.auth_line ? in.size() : lim.auth_line;
  const void* lfp = scan == 0 ? nullptr : std::memchr(in.data(), '\n', scan);
  if (lfp == nullptr) {
    if (in.size() >= lim.auth_line) {
      r.st = status::error;
      r.error = errc::auth_line_too_long;
      r.error_offset = lim.auth_line;
    }
    return r;
  }
  const std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(lfp) - in.data());
  r.consumed = lf + 1;
  auto fail = [&](errc e, std::size_t at) {
    r.st = status::error;
    r.error = e;
    r.error_offset = at;
    r.value = {};
    return r;
  };
  std::size_t len = lf;
  if (lf > 0 && in[lf - 1] == '\r') len = lf - 1;
  else if (!opt.lenient_bare_lf) return fail(errc::bare_lf, lf);
  const std::string_view line = in.substr(0, len);
  for (std::size_t i = 0; i < len; ++i) {
    const auto u = static_cast<unsigned char>(line[i]);
    if (u < 0x20 || u == 0x7f)
      return fail(u == 0 ? errc::nul_in_line : u == '\r' ? errc::bare_cr : errc::control_character, i);
  }
  if (line == "*") {
    r.value.cancel = true;
  } else {
    std::size_t k = 0;
    while (k < len && ascii::has(line[k], ascii::base64)) ++k;
    std::size_t pad = 0;
    while (k + pad < len && line[k + pad] == '=' && pad < 2) ++pad;
    if (k + pad != len || len % 4 != 0 || (pad > 0 && k == 0)) return fail(errc::invalid_base64, k + pad < len ? k + pad : 0);
    r.value.data = line;
  }
  r.st = status::event;
  return r;
}

/// Appends an AUTH continuation line ("*" or the base64 data) with CRLF; refuses (errc, nothing
/// appended) data that is not base64.
[[nodiscard]] inline errc serialize(const auth_response& a, std::string& out) {
  const std::size_t start = out.size();
  out.append(a.cancel ? std::string_view("*") : a.data).append("\r\n");
  limits lim;
  lim.auth_line = ~std::size_t{0} >> 1;
  const auto back = parse_auth_response(std::string_view(out).substr(start), lim);
  errc e = back.ok() ? errc::ok : back.error;
  if (e == errc::ok && (back.consumed != out.size() - start || !(back.value == a))) e = errc::local_invalid_value;
  if (e != errc::ok) out.resize(start);
  return e;
}

namespace detail {

inline void append_params(const mail_parameters& p, std::string& out) {
  if (p.size) {
    out.append(" SIZE=");
    ascii::append_decimal(out, *p.size);
  }
  switch (p.body) {
    case body_type::seven_bit: out.append(" BODY=7BIT"); break;
    case body_type::eight_bit_mime: out.append(" BODY=8BITMIME"); break;
    case body_type::binary_mime: out.append(" BODY=BINARYMIME"); break;
    case body_type::none: break;
  }
  if (p.smtputf8) out.append(" SMTPUTF8");
  if (p.requiretls) out.append(" REQUIRETLS");
  if (p.ret == ret_type::full) out.append(" RET=FULL");
  if (p.ret == ret_type::hdrs) out.append(" RET=HDRS");
  if (p.envid) out.append(" ENVID=").append(*p.envid);
  if (p.auth) out.append(" AUTH=").append(*p.auth);
  if (p.mt_priority) {
    out.append(" MT-PRIORITY=");
    if (*p.mt_priority < 0) out.push_back('-');
    out.push_back(static_cast<char>('0' + (*p.mt_priority < 0 ? -*p.mt_priority : *p.mt_priority)));
  }
  if (p.by) {
    out.append(" BY=");
    if (p.by->time < 0) out.push_back('-');
    ascii::append_decimal(out, p.by->time < 0 ? 0 - static_cast<std::uint64_t>(p.by->time)
                                    : static_cast<std::uint64_t>(p.by->time));
    out.push_back(';');
    out.push_back(p.by->mode);
    if (p.by->trace) out.push_back('T');
  }
  if (p.notify) {
    out.append(" NOTIFY=");
    if (p.notify & notify::never) out.append("NEVER,");
    if (p.notify & notify::success) out.append("SUCCESS,");
    if (p.notify & notify::failure) out.append("FAILURE,");
    if (p.notify & notify::delay) out.append("DELAY,");
    out.pop_back();
  }
  if (p.orcpt) out.append(" ORCPT=").append(p.orcpt->addr_type).append(";").append(p.orcpt->xtext);
  if (p.rrvs) {
    out.append(" RRVS=").append(p.rrvs->date_time);
    if (p.rrvs->action) {
      out.push_back(';');
      out.push_back(p.rrvs->action);
    }
  }
  for (const esmtp_param& x : p.extensions()) {
    out.push_back(' ');
    out.append(x.keyword);
    if (x.has_value) out.append("=").append(x.value);
  }
}

}  // namespace detail

/// Appends the canonical line of `c` with its CRLF (see the header comment), then checks it by
/// parsing it back (SMTPUTF8 allowed, default line limits, no path length limits): if the line is invalid or does not read
/// back as `c`, nothing is appended and the error is returned (local_invalid_value when the
/// line parses but differs). errc::ok otherwise.
[[nodiscard]] inline errc serialize(const command& c, std::string& out) {
  const std::size_t start = out.size();
  if (c.v == verb::unknown) {
    for (char ch : c.verb_text) out.push_back(ascii::to_upper(ch));
  } else {
    out.append(to_string(c.v));
  }
  auto arg = [&](std::string_view s) {
    if (!s.empty()) out.append(" ").append(s);
  };
  errc e = errc::ok;
  switch (c.v) {
    case verb::helo:
    case verb::ehlo:
    case verb::lhlo: out.append(" ").append(c.domain); break;
    case verb::mail:
    case verb::rcpt:
      out.append(c.v == verb::mail ? " FROM:" : " TO:");
      e = serialize(c.path, out);
      detail::append_params(c.params, out);
      break;
    case verb::bdat:
      out.push_back(' ');
      ascii::append_decimal(out, c.chunk_size);
      if (c.last) out.append(" LAST");
      break;
    case verb::auth:
      out.append(" ").append(c.mechanism);
      if (c.ir == initial_response::empty) out.append(" =");
      if (c.ir == initial_response::data) out.append(" ").append(c.response);
      break;
    case verb::vrfy:
    case verb::expn:
    case verb::help:
    case verb::noop:
    case verb::unknown: arg(c.argument); break;
    default: break;
  }
  out.append("\r\n");
  if (e == errc::ok) {
    command_options o;
    o.smtputf8 = true;
    // Line limits hold; path, local part and domain lengths are the receiver's policy (RFC 5321
    // section 4.5.3.1 sets minimums a receiver must accept), so a longer one still serializes.
    limits lim;
    lim.path = lim.local_part = lim.domain = ~std::size_t{0} >> 1;
    const auto back = parse_command(std::string_view(out).substr(start), lim, o);
    if (!back.ok()) e = back.error;
    else if (back.consumed != out.size() - start || !(back.value == c)) e = errc::local_invalid_value;
  }
  if (e != errc::ok) out.resize(start);
  return e;
}

}  // namespace mailwire::smtp
