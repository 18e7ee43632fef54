// mailwire/imap/errc.hpp — why an IMAP message (a command of RFC 9051 / RFC 3501 section 6, or a
// response of section 7), one of its values (section 9, formal syntax) or a modified UTF-7 name
// (section 5.1.3) is refused, and the text of the tagged BAD a server should send for it.
//
//   auto r = mailwire::imap::parse_astring(buf, lim, opt);
//   if (r.st == mailwire::status::error)
//     send(tag + " BAD " + std::string(mailwire::imap::bad_hint(r.error)));
//     // e.g. "a1 BAD [TOOBIG] Literal too large"
//
// `std::error_code ec = imap::errc::bad_tag;` works (core/error.hpp).
//
// This is the ONE error enum of every IMAP layer (framing, values, commands, responses,
// sessions). Helpers append their own block at the end of the enum, with a comment line naming
// the area, and never renumber (values are stable within a release).
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

#include "mailwire/core/error.hpp"

namespace mailwire::imap {

/// Why an IMAP message, value or name is malformed (RFC 9051 / RFC 3501 section 9), or a limit
/// was hit (imap/limits.hpp).
enum class errc : std::uint8_t {
  ok = 0,                   ///< no error
  // Values (imap/values.hpp; RFC 9051 section 9, RFC 3501 section 9)
  bad_tag,                  ///< not a tag: 1*<ASTRING-CHAR except "+">; or "*" / "+" as a command tag
  bad_atom,                 ///< not 1*ATOM-CHAR (no SP, CTL, 8-bit or atom-specials)
  bad_quoted,               ///< a quoted string with CR, LF, NUL, a bad escape, or disallowed 8-bit
  bad_literal,              ///< a malformed literal announcement ("{", digits, ["+"], "}" CRLF)
  literal_too_large,        ///< a literal over limits::literal (or over 4096 under LITERAL-)
  literal_count_mismatch,   ///< a message that ended before the announced literal octets
  bad_string,               ///< none of atom / quoted / literal (or NIL) where a string is required
  bad_number,               ///< not 1*DIGIT, or 0 where nz-number is required
  number_overflow,          ///< a number over 2^32-1 (number) or 2^63-1 (number64)
  bad_sequence_set,         ///< not a sequence-set: "0", "1:", ",", empty element, ...
  bad_flag,                 ///< not a flag / keyword / flag-extension, or a list that is not "(...)"
  bad_mailbox,              ///< a mailbox name that is not an astring, or not valid mUTF-7 / UTF-8
  bad_list_mailbox,         ///< not a list-mailbox (1*list-char or a string)
  bad_date,                 ///< not date-day "-" date-month "-" date-year, quoted or not
  bad_date_time,            ///< not DQUOTE date-day-fixed "-" month "-" year SP time SP zone DQUOTE
  bad_capability,           ///< not a capability atom ("AUTH=" needs an auth-type)
  bad_utf8,                 ///< malformed UTF-8 where UTF-8 is allowed (RFC 3629; RFC 6855)
  eight_bit_not_allowed,    ///< an octet >= 0x80 where only US-ASCII may appear (no UTF8=ACCEPT)
  nul_outside_literal8,     ///< a NUL octet outside a literal8 (RFC 3516 section 4.2)
  unexpected_character,     ///< an octet the grammar does not allow here
  expected_space,           ///< SP required here (exactly one; no trailing SP)
  expected_crlf,            ///< CRLF required here (end of the message)
  trailing_data,            ///< octets after a complete value where none may follow
  // Limits (imap/limits.hpp; issue 7 section 3)
  line_too_long,            ///< a line (literal octets excluded) over limits::line_*
  nesting_too_deep,         ///< parentheses nested deeper than limits::nesting_*
  list_too_long,            ///< a parenthesized list over limits::list_items elements
  too_many_literals,        ///< a message with more than limits::literals_per_message literals
  too_many_ranges,          ///< a sequence-set over limits::sequence_ranges elements
  search_too_deep,          ///< SEARCH keys nested deeper than limits::search_depth
  // Modified UTF-7 (imap/mutf7.hpp; RFC 3501 / RFC 9051 section 5.1.3)
  mutf7_eight_bit,          ///< an octet >= 0x80 or a control character outside a base64 run
  mutf7_bad_base64,         ///< a character outside [A-Za-z0-9+,] in a run
  mutf7_unterminated,       ///< a "&" run not closed by "-"
  mutf7_ascii_encoded,      ///< printable US-ASCII (or "&") written inside a run: not canonical
  mutf7_adjacent_runs,      ///< a run right after another run: they must be one run
  mutf7_bad_padding,        ///< a run whose leftover bits are non-zero or form no whole UTF-16 unit
  mutf7_bad_surrogate,      ///< an unpaired UTF-16 surrogate in a run
  // Local misuse (serializers, sessions)
  local_invalid_value,      ///< host misuse: a value that would not serialize to valid IMAP
  local_state,              ///< host misuse: a call the session's state forbids
  // framing (imap/framing.hpp)
  bare_lf,                  ///< a line ended by LF without CR (framing_options::lenient_bare_lf)
  non_sync_literal_too_large,   ///< "{N+}" over 4096 octets under LITERAL- (RFC 7888 section 4)
  non_sync_literal_not_allowed, ///< "{N+}" without LITERAL+/-, or in a server response
  message_too_large,        ///< a message over limits::message_* octets held in memory
  // commands (imap/command.hpp, imap/fetch.hpp, imap/search.hpp)
  bad_fetch_attribute,      ///< not a fetch-att or macro (RFC 9051 section 6.4.5)
  bad_section,              ///< a bad section: BODY[0], BODY[1.0], HEADER.FIELDS (), MIME without a part
  bad_partial,              ///< a bad partial "<" number64 "." nz-number64 ">"
  bad_search_key,           ///< not a search-key (RFC 9051 section 6.4.4)
  unknown_command,          ///< a command name this parser does not know
  bad_command_argument,     ///< an argument that does not fit the command's grammar
  bad_base64,               ///< an AUTHENTICATE line that is not base64 or "*" (RFC 9051 6.2.2)
  expected_done,            ///< a line other than "DONE" during IDLE (RFC 2177)
  // sessions (imap/server.hpp, imap/message_map.hpp)
  no_such_message,          ///< a message sequence number over the mailbox size (RFC 9051 section 9)
  input_before_tls,         ///< octets after STARTTLS before the TLS handshake (CVE-2011-0411)
  command_not_allowed_in_state, ///< a command the session's state forbids (RFC 9051 section 3)
  too_many_errors,          ///< max_errors refused commands: the session ends
  http_request,             ///< an HTTP request line (cross-protocol attack): the session ends
  login_disabled,           ///< LOGIN / AUTHENTICATE refused without TLS (LOGINDISABLED, RFC 9051 6.2.3)
  auth_cancelled,           ///< "*" during AUTHENTICATE (RFC 9051 section 6.2.2)
  auth_mechanism_unsupported, ///< AUTHENTICATE with a mechanism not offered (RFC 9051 section 6.2.2)
  append_too_large,         ///< an APPEND message over APPENDLIMIT (RFC 7889 section 4)
  tls_not_available,        ///< STARTTLS not offered, or TLS already active (RFC 9051 section 6.2.1)
  compression_active,       ///< COMPRESS when compression is already on (RFC 4978 section 3)
  unknown_capability,       ///< ENABLE of nothing the server can enable (RFC 5161 section 3.1)
  output_full,              ///< the session's output buffer is over server_options::max_output
  // client session (imap/client.hpp)
  unknown_tag,              ///< a tagged response whose tag no outstanding command has (RFC 9051 2.2.2)
  unexpected_continuation,  ///< a "+" no literal, SASL exchange or IDLE waits for (RFC 9051 7.6)
  local_not_advertised,     ///< host misuse: STARTTLS, IDLE, a SASL mechanism... the server did not offer
};

/// The enumerator's meaning, for logs.
[[nodiscard]] constexpr std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::ok: return "ok";
    case errc::bad_tag: return "invalid tag";
    case errc::bad_atom: return "invalid atom";
    case errc::bad_quoted: return "invalid quoted string";
    case errc::bad_literal: return "invalid literal";
    case errc::literal_too_large: return "literal too large";
    case errc::literal_count_mismatch: return "message ended inside a literal";
    case errc::bad_string: return "string expected";
    case errc::bad_number: return "invalid number";
    case errc::number_overflow: return "number too large";
    case errc::bad_sequence_set: return "invalid sequence set";
    case errc::bad_flag: return "invalid flag";
    case errc::bad_mailbox: return "invalid mailbox name";
    case errc::bad_list_mailbox: return "invalid list mailbox pattern";
    case errc::bad_date: return "invalid date";
    case errc::bad_date_time: return "invalid date-time";
    case errc::bad_capability: return "invalid capability";
    case errc::bad_utf8: return "malformed UTF-8";
    case errc::eight_bit_not_allowed: return "8-bit octet not allowed here";
    case errc::nul_outside_literal8: return "NUL outside literal8";
    case errc::unexpected_character: return "unexpected character";
    case errc::expected_space: return "SP expected";
    case errc::expected_crlf: return "CRLF expected";
    case errc::trailing_data: return "unexpected data after value";
    case errc::line_too_long: return "line too long";
    case errc::nesting_too_deep: return "parentheses nested too deep";
    case errc::list_too_long: return "list too long";
    case errc::too_many_literals: return "too many literals in one message";
    case errc::too_many_ranges: return "sequence set too long";
    case errc::search_too_deep: return "search keys nested too deep";
    case errc::mutf7_eight_bit: return "modified UTF-7: 8-bit or control octet";
    case errc::mutf7_bad_base64: return "modified UTF-7: invalid base64 character";
    case errc::mutf7_unterminated: return "modified UTF-7: run not terminated by '-'";
    case errc::mutf7_ascii_encoded: return "modified UTF-7: printable ASCII encoded";
    case errc::mutf7_adjacent_runs: return "modified UTF-7: adjacent encoded runs";
    case errc::mutf7_bad_padding: return "modified UTF-7: bad padding bits";
    case errc::mutf7_bad_surrogate: return "modified UTF-7: unpaired surrogate";
    case errc::local_invalid_value: return "invalid value given to the serializer";
    case errc::local_state: return "call not allowed in the session's state";
    case errc::bare_lf: return "bare LF in line";
    case errc::non_sync_literal_too_large: return "non-synchronizing literal over 4096 octets";
    case errc::non_sync_literal_not_allowed: return "non-synchronizing literal not allowed";
    case errc::message_too_large: return "message too large";
    case errc::bad_fetch_attribute: return "invalid fetch attribute";
    case errc::bad_section: return "invalid section";
    case errc::bad_partial: return "invalid partial range";
    case errc::bad_search_key: return "invalid search key";
    case errc::unknown_command: return "unknown command";
    case errc::bad_command_argument: return "invalid command argument";
    case errc::bad_base64: return "invalid base64 line";
    case errc::expected_done: return "DONE expected";
    case errc::no_such_message: return "no such message";
    case errc::input_before_tls: return "input before the TLS handshake";
    case errc::command_not_allowed_in_state: return "command not allowed in this state";
    case errc::too_many_errors: return "too many invalid commands";
    case errc::http_request: return "HTTP request on the IMAP port";
    case errc::login_disabled: return "login disabled without TLS";
    case errc::auth_cancelled: return "authentication cancelled";
    case errc::auth_mechanism_unsupported: return "authentication mechanism not supported";
    case errc::append_too_large: return "message over APPENDLIMIT";
    case errc::tls_not_available: return "TLS not available";
    case errc::compression_active: return "compression already active";
    case errc::unknown_capability: return "nothing to enable";
    case errc::output_full: return "output buffer full";
    case errc::unknown_tag: return "tagged response for no outstanding command";
    case errc::unexpected_continuation: return "continuation request nothing waits for";
    case errc::local_not_advertised: return "not offered by the server";
  }
  return "unknown IMAP error";
}
[[nodiscard]] constexpr const char* category_name(errc) noexcept { return "mailwire.imap"; }
[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept { return make_code(e); }

/// The text (after "<tag> BAD ") a server should send for a refused command (RFC 9051 section
/// 7.1.5), with a response code where one fits: [TOOBIG] (RFC 7888 section 4, RFC 4469),
/// [CLIENTBUG] (RFC 5530 section 3). Unknown values give "Syntax error".
[[nodiscard]] constexpr std::string_view bad_hint(errc e) noexcept {
  switch (e) {
    case errc::ok: return "OK";
    case errc::bad_tag: return "Invalid tag";
    case errc::bad_atom: return "Invalid atom";
    case errc::bad_quoted: return "Invalid quoted string";
    case errc::bad_literal: return "Invalid literal";
    case errc::literal_too_large: return "[TOOBIG] Literal too large";
    case errc::literal_count_mismatch: return "Literal shorter than announced";
    case errc::bad_string: return "String expected";
    case errc::bad_number: return "Invalid number";
    case errc::number_overflow: return "Number too large";
    case errc::bad_sequence_set: return "Invalid sequence set";
    case errc::bad_flag: return "Invalid flag";
    case errc::bad_mailbox: return "Invalid mailbox name";
    case errc::bad_list_mailbox: return "Invalid mailbox pattern";
    case errc::bad_date: return "Invalid date";
    case errc::bad_date_time: return "Invalid date-time";
    case errc::bad_capability: return "Invalid capability";
    case errc::bad_utf8: return "Malformed UTF-8";
    case errc::eight_bit_not_allowed: return "8-bit characters not allowed without UTF8=ACCEPT";
    case errc::nul_outside_literal8: return "NUL not allowed outside literal8";
    case errc::unexpected_character: return "Syntax error, unexpected character";
    case errc::expected_space: return "Syntax error, SP expected";
    case errc::expected_crlf: return "Syntax error, CRLF expected";
    case errc::trailing_data: return "Syntax error, unexpected arguments";
    case errc::line_too_long: return "[TOOBIG] Command line too long";
    case errc::nesting_too_deep: return "[CLIENTBUG] Parentheses nested too deep";
    case errc::list_too_long: return "[TOOBIG] List too long";
    case errc::too_many_literals: return "[TOOBIG] Too many literals";
    case errc::too_many_ranges: return "[TOOBIG] Sequence set too long";
    case errc::search_too_deep: return "[CLIENTBUG] Search keys nested too deep";
    case errc::mutf7_eight_bit:
    case errc::mutf7_bad_base64:
    case errc::mutf7_unterminated:
    case errc::mutf7_ascii_encoded:
    case errc::mutf7_adjacent_runs:
    case errc::mutf7_bad_padding:
    case errc::mutf7_bad_surrogate: return "Invalid modified UTF-7 mailbox name";
    case errc::local_invalid_value:
    case errc::local_state: return "Internal error";
    case errc::bare_lf: return "Syntax error, lines end with CRLF";
    case errc::non_sync_literal_too_large: return "[TOOBIG] Non-synchronizing literal over 4096 octets";
    case errc::non_sync_literal_not_allowed: return "Non-synchronizing literals not supported";
    case errc::message_too_large: return "[TOOBIG] Command too large";
    case errc::bad_fetch_attribute: return "Invalid fetch attribute";
    case errc::bad_section: return "Invalid section";
    case errc::bad_partial: return "Invalid partial range";
    case errc::bad_search_key: return "Invalid search key";
    case errc::unknown_command: return "Unknown command";
    case errc::bad_command_argument: return "Syntax error in command arguments";
    case errc::bad_base64: return "Invalid base64 data";
    case errc::expected_done: return "Expected DONE";
    case errc::no_such_message: return "Invalid message sequence number";
    case errc::input_before_tls: return "Data after STARTTLS before the TLS handshake";
    case errc::command_not_allowed_in_state: return "Command not allowed in this state";
    case errc::too_many_errors: return "Too many invalid commands";
    case errc::http_request: return "This is an IMAP server";
    case errc::login_disabled: return "[PRIVACYREQUIRED] Login disabled without TLS";
    case errc::auth_cancelled: return "Authentication cancelled";
    case errc::auth_mechanism_unsupported: return "Unsupported authentication mechanism";
    case errc::append_too_large: return "[TOOBIG] Message over APPENDLIMIT";
    case errc::tls_not_available: return "TLS not available";
    case errc::compression_active: return "[COMPRESSIONACTIVE] Compression already active";
    case errc::unknown_capability: return "Nothing to enable";
    case errc::output_full: return "Internal error";
    case errc::unknown_tag: return "Unknown tag";
    case errc::unexpected_continuation: return "Unexpected continuation request";
    case errc::local_not_advertised: return "Not advertised";
  }
  return "Syntax error";
}

}  // namespace mailwire::imap

template <>
struct std::is_error_code_enum<mailwire::imap::errc> : std::true_type {};
