// mailwire/pop3/errc.hpp — why a POP3 command line (RFC 1939 section 3), response line (RFC 1939
// section 3, RFC 2449 section 8) or multi-line body is refused, and the "-ERR" line a server
// should send for a refused command.
//
//   auto r = mailwire::pop3::parse_command(buf);
//   if (r.st == mailwire::status::error)
//     send(mailwire::pop3::reply_hint(r.error));   // e.g. "-ERR Line too long"
//
// `std::error_code ec = pop3::errc::line_too_long;` works (core/error.hpp).
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

#include "mailwire/core/error.hpp"

namespace mailwire::pop3 {

/// Why a POP3 line, value or body is malformed, or a command is refused (RFC 1939, 2449, 5034).
enum class errc : std::uint8_t {
  ok = 0,                  ///< no error
  // Line framing (RFC 1939 section 3; RFC 2449 section 4; RFC 5034 section 4)
  line_too_long,           ///< a command over limits::command_line octets including CRLF
  auth_line_too_long,      ///< an AUTH or SASL line over limits::auth_line octets
  bare_lf,                 ///< a line ended by LF without CR
  bare_cr,                 ///< a CR not followed by LF inside a line
  nul_in_line,             ///< a NUL octet in a line
  control_character,       ///< another control octet (HTAB, DEL, ...) in a command line
  non_ascii,               ///< an octet >= 0x80 where no UTF-8 may appear (RFC 6856 section 2)
  invalid_utf8,            ///< malformed UTF-8 where UTF8 mode allows UTF-8 (RFC 3629)
  // Command syntax (RFC 1939 section 3)
  empty_line,              ///< a line with no keyword
  invalid_keyword,         ///< a keyword that is not 1*ALPHA
  bad_spacing,             ///< not exactly one SP between the parts of a command
  missing_argument,        ///< a command that needs an argument got none
  unexpected_argument,     ///< an argument where the command takes none (STAT, QUIT...)
  too_many_arguments,      ///< more arguments than the command takes
  argument_too_long,       ///< an argument over limits::argument octets (RFC 1939 section 3: 40)
  invalid_message_number,  ///< a msg or line count that is not 1*DIGIT, or a message number 0
  number_overflow,         ///< a number over limits::max_number
  invalid_digest,          ///< an APOP digest that is not 32 hex digits (RFC 1939 section 7)
  invalid_mechanism,       ///< a SASL mechanism name that is not 1*20 of A-Z 0-9 - _ (RFC 4422)
  invalid_base64,          ///< an AUTH initial response or SASL line that is not base64 or "="
  invalid_language,        ///< a LANG argument that is not a language tag or "*" (RFC 6856)
  // Responses (RFC 1939 section 3, RFC 2449 sections 5 and 8, RFC 5034 section 4)
  response_line_too_long,  ///< a response line over limits::response_line octets
  invalid_status,          ///< a response not starting with "+OK", "-ERR" or "+ "
  invalid_listing,         ///< a scan or UIDL listing that is not "n size" / "n uid"
  invalid_uid,             ///< a unique-id that is not 1*70 of 0x21-0x7E (RFC 1939 section 7)
  invalid_capability,      ///< a CAPA line that is not capa-tag *(SP param) (RFC 2449 section 9)
  unexpected_end,          ///< a multi-line body that ended (final) before CRLF "." CRLF
  local_input_after_final, ///< host misuse: input given to multiline_encoder after final
  // Session rules (server_session)
  unrecognized_command,    ///< a keyword the server does not know
  bad_sequence,            ///< a command not allowed in the current state (RFC 1939 section 3)
  no_such_message,         ///< a message number past the maildrop or of a deleted message
  auth_mechanism_unknown,  ///< AUTH with a mechanism not offered (RFC 5034 section 4)
  auth_cancelled,          ///< the client answered "*" (RFC 5034 section 4)
  tls_not_available,       ///< STLS when TLS is not offered or already on (RFC 2595 section 4)
  too_many_errors,         ///< the client made more than server_options::max_errors errors
  input_before_tls,        ///< bytes after STLS before the TLS handshake (CVE-2011-0411)
  http_command,            ///< an HTTP request line: cross-protocol attack
  // Local misuse (serializers, sessions)
  local_invalid_value,     ///< host misuse: a value that would not serialize to a valid line
  local_state,             ///< host misuse: an answer the session's state forbids
};

/// The enumerator's meaning, for logs.
[[nodiscard]] constexpr std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::ok: return "ok";
    case errc::line_too_long: return "command line too long";
    case errc::auth_line_too_long: return "authentication line too long";
    case errc::bare_lf: return "bare LF in line";
    case errc::bare_cr: return "bare CR in line";
    case errc::nul_in_line: return "NUL in line";
    case errc::control_character: return "control character in line";
    case errc::non_ascii: return "non-ASCII octet outside UTF8 mode";
    case errc::invalid_utf8: return "malformed UTF-8";
    case errc::empty_line: return "empty command line";
    case errc::invalid_keyword: return "invalid command keyword";
    case errc::bad_spacing: return "not exactly one SP between command parts";
    case errc::missing_argument: return "missing argument";
    case errc::unexpected_argument: return "unexpected argument";
    case errc::too_many_arguments: return "too many arguments";
    case errc::argument_too_long: return "argument too long";
    case errc::invalid_message_number: return "invalid message number";
    case errc::number_overflow: return "number too large";
    case errc::invalid_digest: return "invalid APOP digest";
    case errc::invalid_mechanism: return "invalid SASL mechanism name";
    case errc::invalid_base64: return "invalid base64";
    case errc::invalid_language: return "invalid language tag";
    case errc::response_line_too_long: return "response line too long";
    case errc::invalid_status: return "invalid response status";
    case errc::invalid_listing: return "invalid listing line";
    case errc::invalid_uid: return "invalid unique-id";
    case errc::invalid_capability: return "invalid capability line";
    case errc::unexpected_end: return "multi-line response ended before CRLF . CRLF";
    case errc::local_input_after_final: return "input after the end of the multi-line body";
    case errc::unrecognized_command: return "command unrecognized";
    case errc::bad_sequence: return "command not valid in this state";
    case errc::no_such_message: return "no such message";
    case errc::auth_mechanism_unknown: return "authentication mechanism not offered";
    case errc::auth_cancelled: return "authentication cancelled";
    case errc::tls_not_available: return "TLS not available";
    case errc::too_many_errors: return "too many errors";
    case errc::input_before_tls: return "input after STLS before the TLS handshake";
    case errc::http_command: return "HTTP request on the POP3 port";
    case errc::local_invalid_value: return "invalid value given to the serializer";
    case errc::local_state: return "answer not allowed in the session's state";
  }
  return "unknown POP3 error";
}
[[nodiscard]] constexpr const char* category_name(errc) noexcept { return "mailwire.pop3"; }
[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept { return make_code(e); }

/// The response line (without CRLF) a server should send for a refused command (RFC 1939
/// section 3: "-ERR" and text; RFC 2449 section 8 / RFC 3206 response codes where one fits).
/// Empty for input_before_tls: nothing more may be sent in plaintext.
[[nodiscard]] constexpr std::string_view reply_hint(errc e) noexcept {
  switch (e) {
    case errc::ok: return "+OK";
    case errc::line_too_long: return "-ERR Line too long";
    case errc::auth_line_too_long: return "-ERR Authentication line too long";
    case errc::bare_lf: return "-ERR Bare LF is not allowed";
    case errc::bare_cr: return "-ERR Bare CR is not allowed";
    case errc::nul_in_line: return "-ERR NUL is not allowed";
    case errc::control_character: return "-ERR Control character in command";
    case errc::non_ascii: return "-ERR [UTF8] Non-ASCII requires the UTF8 command";
    case errc::invalid_utf8: return "-ERR Malformed UTF-8";
    case errc::empty_line:
    case errc::invalid_keyword: return "-ERR Syntax error, command unrecognized";
    case errc::bad_spacing: return "-ERR Syntax error, one SP between arguments";
    case errc::missing_argument: return "-ERR Syntax error, missing argument";
    case errc::unexpected_argument: return "-ERR Syntax error, no arguments allowed";
    case errc::too_many_arguments: return "-ERR Syntax error, too many arguments";
    case errc::argument_too_long: return "-ERR Argument too long";
    case errc::invalid_message_number: return "-ERR Invalid message number";
    case errc::number_overflow: return "-ERR Number too large";
    case errc::invalid_digest: return "-ERR Invalid APOP digest";
    case errc::invalid_mechanism: return "-ERR Invalid mechanism name";
    case errc::invalid_base64: return "-ERR Cannot decode base64";
    case errc::invalid_language: return "-ERR Invalid language tag";
    case errc::response_line_too_long:
    case errc::invalid_status:
    case errc::invalid_listing:
    case errc::invalid_uid:
    case errc::invalid_capability:
    case errc::unexpected_end:
    case errc::local_input_after_final: return "-ERR [SYS/TEMP] Local error";
    case errc::unrecognized_command: return "-ERR Command unrecognized";
    case errc::bad_sequence: return "-ERR Command not valid in this state";
    case errc::no_such_message: return "-ERR No such message";
    case errc::auth_mechanism_unknown: return "-ERR Unrecognized authentication type";
    case errc::auth_cancelled: return "-ERR Authentication cancelled";
    case errc::tls_not_available: return "-ERR TLS not available";
    case errc::too_many_errors: return "-ERR Too many errors, closing connection";
    case errc::input_before_tls: return "";  // +OK to STLS was sent: nothing more in plaintext
    case errc::http_command: return "-ERR This is a POP3 server, closing connection";
    case errc::local_invalid_value:
    case errc::local_state: return "-ERR [SYS/TEMP] Local error";
  }
  return "-ERR Syntax error";
}

}  // namespace mailwire::pop3

template <>
struct std::is_error_code_enum<mailwire::pop3::errc> : std::true_type {};
