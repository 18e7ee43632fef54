// mailwire/smtp/errc.hpp — why an SMTP command line (RFC 5321 section 4.1) is refused, and the
// reply a server should send for it (RFC 5321 section 4.2, enhanced codes of RFC 3463).
//
//   auto r = mailwire::smtp::parse_command(buf);
//   if (r.st == mailwire::status::error)
//     send(mailwire::smtp::reply_hint(r.error));   // e.g. "500 5.5.2 Line too long"
//
// `std::error_code ec = smtp::errc::line_too_long;` works (core/error.hpp).
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

#include "mailwire/core/error.hpp"

namespace mailwire::smtp {

/// Why an SMTP command line or one of its values is malformed (RFC 5321 section 4.1).
enum class errc : std::uint8_t {
  ok = 0,                   ///< no error
  // Line framing (RFC 5321 sections 2.3.8, 4.5.3.1.4; RFC 4954 section 4)
  line_too_long,            ///< over limits::command_line octets including CRLF
  auth_line_too_long,       ///< an AUTH line over limits::auth_line octets (RFC 4954 section 4)
  bare_lf,                  ///< a line ended by LF without CR (an SMTP smuggling vector)
  bare_cr,                  ///< a CR not followed by LF inside a line
  nul_in_line,              ///< a NUL octet in a command line
  control_character,        ///< another control octet (HTAB, DEL, ...) in a command line
  non_ascii,                ///< an octet >= 0x80 where no UTF-8 may appear (RFC 6531 section 3.3)
  invalid_utf8,             ///< malformed UTF-8 where SMTPUTF8 allows UTF-8 (RFC 3629)
  // Command syntax (RFC 5321 section 4.1.1)
  empty_line,               ///< a line with no verb
  invalid_verb,             ///< a verb that is not 1*ALPHA (unknown alphabetic verbs are not errors)
  bad_spacing,              ///< not exactly one SP between the parts of a command
  missing_argument,         ///< a verb that needs an argument got none
  unexpected_argument,      ///< DATA, RSET, QUIT, STARTTLS with an argument
  syntax_error,             ///< other malformed arguments ("FROM:" missing, bad BDAT size...)
  // Paths and mailboxes (RFC 5321 section 4.1.2)
  invalid_path,             ///< not "<" [A-d-l ":"] Mailbox ">" (or "<>" for MAIL)
  invalid_local_part,       ///< not a Dot-string or Quoted-string
  invalid_domain,           ///< not sub-domain *("." sub-domain)
  invalid_address_literal,  ///< a malformed IPv4, IPv6 or general address literal (section 4.1.3)
  path_too_long,            ///< path over limits::path octets (section 4.5.3.1.3)
  local_part_too_long,      ///< local part over limits::local_part octets (section 4.5.3.1.1)
  domain_too_long,          ///< domain over limits::domain octets (section 4.5.3.1.2)
  garbage_after_path,       ///< bytes after the path that are not " " parameters
  // MAIL and RCPT parameters (RFC 5321 section 4.1.2 Mail-parameters and the extensions)
  invalid_parameter,        ///< not esmtp-keyword ["=" esmtp-value], or a bad value of a known one
  duplicate_parameter,      ///< the same keyword twice in one command
  too_many_parameters,      ///< over limits::max_parameters
  parameter_not_allowed,    ///< a known parameter on the wrong command (e.g. NOTIFY on MAIL)
  invalid_xtext,            ///< malformed xtext (RFC 3461 section 4)
  number_overflow,          ///< SIZE or BDAT size that does not fit in 64 bits
  invalid_base64,           ///< AUTH initial response that is not base64 or "=" (RFC 4954)
  // Session rules (RFC 5321 sections 3.3, 4.1.4, 4.3.2, 4.5.3.1; server_session)
  unrecognized_command,     ///< an alphabetic verb the server does not know (500 5.5.1)
  not_implemented,          ///< a known verb the server does not offer, e.g. LHLO in SMTP (502)
  bad_sequence,             ///< a command out of order, e.g. RCPT before MAIL (503 5.5.1)
  parameter_not_offered,    ///< a MAIL/RCPT parameter of an extension not advertised (555)
  too_many_recipients,      ///< over the recipient limit (452 4.5.3, RFC 9422 RCPTMAX)
  message_too_large,        ///< SIZE declared or message counted over the limit (552 5.3.4)
  no_valid_recipients,      ///< DATA or BDAT without an accepted recipient (554 5.5.1)
  binarymime_needs_bdat,    ///< DATA after BODY=BINARYMIME (RFC 3030 section 3: 503)
  auth_required,            ///< MAIL before AUTH on a server that requires it (530 5.7.0)
  tls_required,             ///< AUTH or REQUIRETLS without TLS when TLS is required (530 5.7.0)
  auth_mechanism_unknown,   ///< AUTH with a mechanism not offered (504 5.5.4, RFC 4954 6)
  auth_cancelled,           ///< the client answered "*" (501 5.0.0, RFC 4954 section 4)
  already_authenticated,    ///< a second AUTH (503 5.5.1, RFC 4954 section 4)
  tls_not_available,        ///< STARTTLS when TLS is not offered or already on (454 / 503)
  // Session errors that end the session (sticky; the reply is a 421 or nothing)
  too_many_errors,          ///< the client made more than server_options::max_errors errors
  input_before_tls,         ///< bytes after STARTTLS before the TLS handshake (CVE-2011-0411)
  http_command,             ///< an HTTP request line (GET, POST, CONNECT...): cross-protocol
  // Local misuse (serializers, builders, sessions)
  local_invalid_value,      ///< host misuse: a value that would not serialize to a valid line
  local_state,              ///< host misuse: an answer or command the session's state forbids
};

/// The enumerator's meaning, for logs.
[[nodiscard]] constexpr std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::ok: return "ok";
    case errc::line_too_long: return "command line too long";
    case errc::auth_line_too_long: return "authentication line too long";
    case errc::bare_lf: return "bare LF in command line";
    case errc::bare_cr: return "bare CR in command line";
    case errc::nul_in_line: return "NUL in command line";
    case errc::control_character: return "control character in command line";
    case errc::non_ascii: return "non-ASCII octet without SMTPUTF8";
    case errc::invalid_utf8: return "malformed UTF-8";
    case errc::empty_line: return "empty command line";
    case errc::invalid_verb: return "invalid command verb";
    case errc::bad_spacing: return "not exactly one SP between command parts";
    case errc::missing_argument: return "missing argument";
    case errc::unexpected_argument: return "unexpected argument";
    case errc::syntax_error: return "syntax error in arguments";
    case errc::invalid_path: return "invalid path";
    case errc::invalid_local_part: return "invalid local part";
    case errc::invalid_domain: return "invalid domain";
    case errc::invalid_address_literal: return "invalid address literal";
    case errc::path_too_long: return "path too long";
    case errc::local_part_too_long: return "local part too long";
    case errc::domain_too_long: return "domain too long";
    case errc::garbage_after_path: return "garbage after path";
    case errc::invalid_parameter: return "invalid parameter";
    case errc::duplicate_parameter: return "duplicate parameter";
    case errc::too_many_parameters: return "too many parameters";
    case errc::parameter_not_allowed: return "parameter not allowed with this command";
    case errc::invalid_xtext: return "invalid xtext";
    case errc::number_overflow: return "number too large";
    case errc::invalid_base64: return "invalid base64 initial response";
    case errc::unrecognized_command: return "command unrecognized";
    case errc::not_implemented: return "command not implemented";
    case errc::bad_sequence: return "bad sequence of commands";
    case errc::parameter_not_offered: return "parameter of an extension not offered";
    case errc::too_many_recipients: return "too many recipients";
    case errc::message_too_large: return "message too large";
    case errc::no_valid_recipients: return "no valid recipients";
    case errc::binarymime_needs_bdat: return "BODY=BINARYMIME requires BDAT";
    case errc::auth_required: return "authentication required";
    case errc::tls_required: return "TLS required";
    case errc::auth_mechanism_unknown: return "authentication mechanism not offered";
    case errc::auth_cancelled: return "authentication cancelled";
    case errc::already_authenticated: return "already authenticated";
    case errc::tls_not_available: return "TLS not available";
    case errc::too_many_errors: return "too many errors";
    case errc::input_before_tls: return "input after STARTTLS before the TLS handshake";
    case errc::http_command: return "HTTP request on the SMTP port";
    case errc::local_invalid_value: return "invalid value given to the serializer";
    case errc::local_state: return "answer or command not allowed in the session's state";
  }
  return "unknown SMTP error";
}
[[nodiscard]] constexpr const char* category_name(errc) noexcept { return "mailwire.smtp"; }
[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept { return make_code(e); }

/// The reply line (without CRLF) a server should send for a refused command: RFC 5321
/// section 4.2.2 codes (500 line/command, 501 arguments, 555 parameters; 553 for non-ASCII as
/// RFC 6531 section 3.5) with RFC 3463 enhanced codes. Address errors use X.1.3 (destination);
/// a server answering MAIL may prefer X.1.7 (sender), see reply_hint_mail().
[[nodiscard]] constexpr std::string_view reply_hint(errc e) noexcept {
  switch (e) {
    case errc::ok: return "250 2.0.0 OK";
    case errc::line_too_long: return "500 5.5.2 Line too long";
    case errc::auth_line_too_long: return "500 5.5.6 Authentication Exchange line is too long";
    case errc::bare_lf: return "500 5.5.2 Bare LF is not allowed";
    case errc::bare_cr: return "500 5.5.2 Bare CR is not allowed";
    case errc::nul_in_line: return "500 5.5.2 NUL is not allowed";
    case errc::control_character: return "500 5.5.2 Control character in command";
    case errc::non_ascii: return "553 5.6.7 Non-ASCII addresses require SMTPUTF8";
    case errc::invalid_utf8: return "553 5.6.7 Malformed UTF-8";
    case errc::empty_line:
    case errc::invalid_verb: return "500 5.5.2 Syntax error, command unrecognized";
    case errc::bad_spacing: return "501 5.5.2 Syntax error, one SP between arguments";
    case errc::missing_argument: return "501 5.5.4 Syntax error, missing argument";
    case errc::unexpected_argument: return "501 5.5.4 Syntax error, no arguments allowed";
    case errc::syntax_error: return "501 5.5.4 Syntax error in parameters or arguments";
    case errc::invalid_path: return "501 5.1.3 Bad address syntax";
    case errc::invalid_local_part: return "501 5.1.3 Bad local part syntax";
    case errc::invalid_domain: return "501 5.1.2 Bad domain syntax";
    case errc::invalid_address_literal: return "501 5.1.2 Bad address literal";
    case errc::path_too_long: return "501 5.5.4 Path too long";
    case errc::local_part_too_long: return "501 5.1.3 Local part too long";
    case errc::domain_too_long: return "501 5.1.2 Domain too long";
    case errc::garbage_after_path: return "501 5.5.4 Syntax error after the path";
    case errc::invalid_parameter: return "501 5.5.4 Syntax error in parameters";
    case errc::duplicate_parameter: return "501 5.5.4 Duplicate parameter";
    case errc::too_many_parameters: return "501 5.5.4 Too many parameters";
    case errc::parameter_not_allowed: return "555 5.5.4 Parameter not recognized for this command";
    case errc::invalid_xtext: return "501 5.5.4 Malformed xtext";
    case errc::number_overflow: return "501 5.5.4 Number too large";
    case errc::invalid_base64: return "501 5.5.2 Cannot decode response";
    case errc::unrecognized_command: return "500 5.5.1 Command unrecognized";
    case errc::not_implemented: return "502 5.5.1 Command not implemented";
    case errc::bad_sequence: return "503 5.5.1 Bad sequence of commands";
    case errc::parameter_not_offered: return "555 5.5.4 Parameter not supported";
    case errc::too_many_recipients: return "452 4.5.3 Too many recipients";
    case errc::message_too_large: return "552 5.3.4 Message size exceeds fixed maximum message size";
    case errc::no_valid_recipients: return "554 5.5.1 No valid recipients";
    case errc::binarymime_needs_bdat: return "503 5.5.1 BODY=BINARYMIME requires BDAT";
    case errc::auth_required: return "530 5.7.0 Authentication required";
    case errc::tls_required: return "530 5.7.0 Must issue a STARTTLS command first";
    case errc::auth_mechanism_unknown: return "504 5.5.4 Unrecognized authentication type";
    case errc::auth_cancelled: return "501 5.0.0 Authentication cancelled";
    case errc::already_authenticated: return "503 5.5.1 Already authenticated";
    case errc::tls_not_available: return "454 4.7.0 TLS not available";
    case errc::too_many_errors: return "421 4.7.0 Too many errors, closing connection";
    case errc::input_before_tls: return "";  // the 220 was sent: nothing more in plaintext
    case errc::http_command: return "421 4.7.0 This is an SMTP server, closing connection";
    case errc::local_invalid_value:
    case errc::local_state: return "451 4.3.0 Local error";
  }
  return "500 5.5.2 Syntax error";
}

/// reply_hint() for an error in a MAIL command: address errors name the sender (RFC 3463 X.1.7).
[[nodiscard]] constexpr std::string_view reply_hint_mail(errc e) noexcept {
  switch (e) {
    case errc::invalid_path:
    case errc::invalid_local_part:
    case errc::invalid_domain:
    case errc::invalid_address_literal:
    case errc::local_part_too_long:
    case errc::domain_too_long: return "501 5.1.7 Bad sender address syntax";
    default: return reply_hint(e);
  }
}

}  // namespace mailwire::smtp

template <>
struct std::is_error_code_enum<mailwire::smtp::errc> : std::true_type {};
