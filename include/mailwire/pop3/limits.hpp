// mailwire/pop3/limits.hpp — size limits of POP3 parsing, with RFC-derived defaults (DESIGN.md
// section 6).
//
//   mailwire::pop3::limits lim;          // RFC defaults
//   lim.argument = 255;                  // e.g. long user names
//   auto r = mailwire::pop3::parse_command(buf, lim);
#pragma once

#include <cstddef>
#include <cstdint>

#include "mailwire/core/limits.hpp"

namespace mailwire::pop3 {

/// Limits of the POP3 parsers. A length of 0 means the same as 1 (nothing fits).
struct limits {
  /// RFC 2449 section 4: a command line is at most 255 octets including CRLF.
  std::size_t command_line = rfc_limits::pop3_command_line;
  /// RFC 5034 section 4 (as RFC 4954): AUTH command and SASL lines of up to 12,288 octets, incl. CRLF.
  std::size_t auth_line = 12288;
  /// RFC 2449 section 4: a response line (status, listing, CAPA line) is at most 512 octets
  /// including CRLF. Lines of a message body (RETR/TOP) are not limited here.
  std::size_t response_line = rfc_limits::pop3_response_line;
  /// RFC 1939 section 3: arguments are at most 40 characters. PASS (whose argument may hold
  /// spaces, RFC 1939 section 7) and AUTH initial responses are bounded by the line only.
  std::size_t argument = 40;
  /// Largest message number or TOP line count (RFC 1939 gives none; 2^31-1 fits every signed
  /// 32-bit host counter). Larger numbers are errc::number_overflow.
  std::uint32_t max_number = 0x7FFFFFFFu;
  /// RFC 1939 section 7: a unique-id is 1 to 70 characters.
  std::size_t uid = 70;
};

}  // namespace mailwire::pop3
