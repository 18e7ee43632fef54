// mailwire/mime/errc.hpp — irregularities of MIME entities (RFC 2045, 2046, 2231), shared by the
// header-value parsers (content_type.hpp) and the streaming parser (parser.hpp).
//
// None of them stops parsing: MIME is read the way real mail readers read it, and each departure
// from the RFCs is reported as a defect with its byte offset (like Python's email `defects` and
// GMime's warnings), so a host can log, score or reject.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

#include "mailwire/core/error.hpp"

namespace mailwire::mime {

/// What is wrong with a MIME entity or one of its header values.
enum class errc : std::uint8_t {
  ok = 0,
  // Content-Type / Content-Disposition values (RFC 2045 section 5.1, RFC 2183, RFC 2231)
  invalid_content_type,        ///< not `type "/" subtype`: the default type applies
  invalid_parameter,           ///< a parameter that is not `attribute "=" value`: skipped
  missing_semicolon,           ///< parameters not separated by ';' (read as if it were there)
  unquoted_specials,           ///< a value with spaces or tspecials that should have been quoted
  unterminated_quoted_string,  ///< a quoted-string without its closing '"'
  unterminated_comment,        ///< a comment without its closing ')'
  duplicate_parameter,         ///< a parameter given twice: the first counts
  bad_rfc2231_section,         ///< a continuation section number that is malformed or repeated
  missing_rfc2231_section,     ///< continuation sections with a gap (the present ones are joined)
  bad_rfc2231_encoding,        ///< a malformed charset'language'value or %XX escape
  too_many_parameters,         ///< limits: the rest are ignored
  invalid_transfer_encoding,   ///< Content-Transfer-Encoding that is not a token
  // Entities and multiparts (RFC 2045, RFC 2046 section 5)
  multipart_without_boundary,  ///< a multipart with no boundary parameter: read as a leaf
  boundary_too_long,           ///< boundary over the limit (RFC 2046: 70): read as a leaf
  boundary_not_found,          ///< a multipart whose first delimiter never comes
  missing_close_delimiter,     ///< a multipart that ends without "--boundary--"
  delimiter_line_too_long,     ///< a would-be delimiter with too much transport padding
  encoded_multipart,           ///< a multipart or message with a transfer encoding other than
                               ///< 7bit/8bit/binary (RFC 2045 section 6.4): decoded anyway
  nesting_too_deep,            ///< limits: the entity is read as an opaque leaf
  too_many_parts,              ///< limits: the rest of the multipart is opaque epilogue
  header_defect,               ///< a defect of the entity's header block (see header_errc)
  base64_defect,               ///< a body with characters outside the base64 alphabet or bad padding
  qp_defect,                   ///< a body with malformed quoted-printable escapes
  truncated_header,            ///< the input ends inside an entity's header block
};

[[nodiscard]] constexpr std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::ok: return "ok";
    case errc::invalid_content_type: return "invalid Content-Type";
    case errc::invalid_parameter: return "invalid parameter";
    case errc::missing_semicolon: return "missing ';' between parameters";
    case errc::unquoted_specials: return "parameter value should be quoted";
    case errc::unterminated_quoted_string: return "unterminated quoted-string";
    case errc::unterminated_comment: return "unterminated comment";
    case errc::duplicate_parameter: return "duplicate parameter";
    case errc::bad_rfc2231_section: return "bad RFC 2231 section number";
    case errc::missing_rfc2231_section: return "missing RFC 2231 section";
    case errc::bad_rfc2231_encoding: return "bad RFC 2231 encoding";
    case errc::too_many_parameters: return "too many parameters";
    case errc::invalid_transfer_encoding: return "invalid Content-Transfer-Encoding";
    case errc::multipart_without_boundary: return "multipart without boundary";
    case errc::boundary_too_long: return "boundary too long";
    case errc::boundary_not_found: return "boundary not found";
    case errc::missing_close_delimiter: return "missing close delimiter";
    case errc::delimiter_line_too_long: return "delimiter line too long";
    case errc::encoded_multipart: return "multipart or message with a transfer encoding";
    case errc::nesting_too_deep: return "nesting too deep";
    case errc::too_many_parts: return "too many parts";
    case errc::header_defect: return "header defect";
    case errc::base64_defect: return "malformed base64 body";
    case errc::qp_defect: return "malformed quoted-printable body";
    case errc::truncated_header: return "input ends in a header block";
  }
  return "unknown MIME error";
}
[[nodiscard]] constexpr const char* category_name(errc) noexcept { return "mailwire.mime"; }
[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept { return make_code(e); }

/// A defect of a header value: its code and its offset in the value given to the parser.
struct value_defect {
  errc code = errc::ok;
  std::size_t offset = 0;
  friend constexpr bool operator==(const value_defect&, const value_defect&) = default;
};

}  // namespace mailwire::mime

template <>
struct std::is_error_code_enum<mailwire::mime::errc> : std::true_type {};
