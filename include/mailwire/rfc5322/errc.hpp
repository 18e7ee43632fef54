// mailwire/rfc5322/errc.hpp — errors and defects of the RFC 5322 structured-field parsers
// (lexer.hpp, date.hpp, message_id.hpp, address.hpp).
//
// A structured field is read the way real mail readers read it: each departure from RFC 5322
// (and RFC 6532) is a `defect` with the byte offset in the field value where it was seen, and
// only what cannot be read at all is an error (a date with no valid form, say). The same enum
// serves both, so a host can log, count or reject by code.
//
//   auto r = mailwire::rfc5322::parse_address_list(value);
//   for (const auto& d : r.defects) log(to_string(d.code), d.offset);
//   std::error_code ec = mailwire::rfc5322::errc::missing_at;   // std::error_code integration
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

#include "mailwire/core/error.hpp"

namespace mailwire::rfc5322 {

/// What is wrong with a structured header field value (RFC 5322 sections 3.2-3.6, 4; RFC 6532).
enum class errc : std::uint8_t {
  ok = 0,                       ///< no error
  // Lexical tokens (section 3.2)
  unterminated_comment,         ///< a comment without its closing ')' (section 3.2.2)
  unterminated_quoted_string,   ///< a quoted-string without its closing '"' (section 3.2.4)
  unterminated_domain_literal,  ///< a domain-literal without its closing ']' (section 3.4.1)
  comment_too_deep,             ///< comments nested deeper than the limit (section 3.2.2)
  invalid_utf8,                 ///< raw 8-bit bytes that are not UTF-8 (RFC 6532): U+FFFD
  unexpected_character,         ///< a character no rule allows here (skipped or read leniently)
  input_too_large,              ///< the value is longer than the parser's max_input limit
  // Date and time (section 3.3, 4.3)
  bad_date,                     ///< the value is not a date-time (no valid form)
  bad_day_name,                 ///< a day-of-week that is not Mon..Sun
  bad_day,                      ///< day missing, not 1-2 digits, or not in the month
  bad_month,                    ///< month name not Jan..Dec
  bad_year,                     ///< year missing, too short, before 1900 or after 9999
  bad_time,                     ///< hour, minute or second missing or out of range
  bad_zone,                     ///< zone missing or malformed (not +hhmm / -hhmm / a name)
  weekday_mismatch,             ///< a day name that does not match the date (defect only)
  trailing_garbage,             ///< characters after the value's end
  // Message identifiers (section 3.6.4)
  missing_msg_id,               ///< no "<...>" msg-id where one is needed
  bad_msg_id,                   ///< a "<...>" whose content is not id-left "@" id-right
  missing_id_right,             ///< a msg-id without "@" id-right (kept as written)
  unterminated_msg_id,          ///< a '<' without its closing '>'
  too_many_msg_ids,             ///< limits: the rest of the list is ignored
  // Addresses (section 3.4, 3.4.1, 4.4)
  missing_at,                   ///< an addr-spec without "@" domain (missing domain)
  empty_local_part,             ///< an addr-spec with nothing before the "@"
  missing_domain,               ///< "@" with no domain after it
  unterminated_angle_addr,      ///< a '<' without its closing '>'
  empty_angle_addr,             ///< "<>": a mailbox with an empty address
  obsolete_route,               ///< obs-route ("@a,@b:") before the addr-spec: dropped
  obsolete_syntax,              ///< other obsolete forms of section 4 (obs-local-part, ...)
  unquoted_specials,            ///< specials in a display name that should have been quoted
  empty_list_element,           ///< an empty element or extra comma in a list (obs-addr-list)
  junk_skipped,                 ///< text that is no address, skipped up to the next ','
  unterminated_group,           ///< a group without its closing ';'
  nested_group,                 ///< a group inside a group (its ':' read as part of the name)
  too_many_addresses,           ///< limits: the rest of the list is ignored
  too_many_groups,              ///< limits: further groups are read as plain mailboxes
  unexpected_group,             ///< a group where only mailboxes may stand (mailbox-list):
                                ///< its name is dropped, its members read as mailboxes
  bad_encoded_word,             ///< an RFC 2047 encoded-word in a display name had defects
                                ///< (see encoded_word_errc; decoded as well as it could be)
};

[[nodiscard]] constexpr std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::ok: return "ok";
    case errc::unterminated_comment: return "unterminated comment";
    case errc::unterminated_quoted_string: return "unterminated quoted-string";
    case errc::unterminated_domain_literal: return "unterminated domain-literal";
    case errc::comment_too_deep: return "comments nested too deeply";
    case errc::invalid_utf8: return "invalid UTF-8";
    case errc::unexpected_character: return "unexpected character";
    case errc::input_too_large: return "field value too large";
    case errc::bad_date: return "invalid date-time";
    case errc::bad_day_name: return "invalid day name";
    case errc::bad_day: return "invalid day of month";
    case errc::bad_month: return "invalid month";
    case errc::bad_year: return "invalid year";
    case errc::bad_time: return "invalid time of day";
    case errc::bad_zone: return "invalid time zone";
    case errc::weekday_mismatch: return "day name does not match the date";
    case errc::trailing_garbage: return "trailing characters";
    case errc::missing_msg_id: return "no msg-id";
    case errc::bad_msg_id: return "invalid msg-id";
    case errc::missing_id_right: return "msg-id without id-right";
    case errc::unterminated_msg_id: return "msg-id without '>'";
    case errc::too_many_msg_ids: return "too many msg-ids";
    case errc::missing_at: return "addr-spec without '@'";
    case errc::empty_local_part: return "empty local-part";
    case errc::missing_domain: return "addr-spec without domain";
    case errc::unterminated_angle_addr: return "angle-addr without '>'";
    case errc::empty_angle_addr: return "empty angle-addr";
    case errc::obsolete_route: return "obsolete route dropped";
    case errc::obsolete_syntax: return "obsolete syntax";
    case errc::unquoted_specials: return "unquoted specials in a phrase";
    case errc::empty_list_element: return "empty list element";
    case errc::junk_skipped: return "junk skipped";
    case errc::unterminated_group: return "group without ';'";
    case errc::nested_group: return "nested group";
    case errc::too_many_addresses: return "too many addresses";
    case errc::too_many_groups: return "too many groups";
    case errc::unexpected_group: return "group in a mailbox-list";
    case errc::bad_encoded_word: return "irregular encoded-word in a display name";
  }
  return "unknown rfc5322 error";
}
[[nodiscard]] constexpr const char* category_name(errc) noexcept { return "mailwire.rfc5322"; }
[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept { return make_code(e); }

/// One irregularity of a field value: what (`code`) and where (byte offset into the value
/// given to the parser).
struct defect {
  errc code = errc::ok;
  std::size_t offset = 0;
  friend constexpr bool operator==(const defect&, const defect&) noexcept = default;
};

}  // namespace mailwire::rfc5322

template <>
struct std::is_error_code_enum<mailwire::rfc5322::errc> : std::true_type {};
