// mailwire/smtp/limits.hpp — size limits of SMTP command parsing, with the RFC 5321
// section 4.5.3.1 minimums as defaults (DESIGN.md section 6).
//
//   mailwire::smtp::limits lim;          // RFC defaults
//   lim.max_parameters = 8;              // stricter than the default
//   auto r = mailwire::smtp::parse_command(buf, lim);
#pragma once

#include <cstddef>

#include "mailwire/core/limits.hpp"

namespace mailwire::smtp {

/// Hard capacity of the parameter store of one MAIL/RCPT command: parameters are kept in a
/// fixed array (no allocation), so limits::max_parameters is clamped to this.
inline constexpr std::size_t parameter_capacity = 16;

/// Limits of the command parser. A value of 0 means the same as 1 for lengths (nothing fits).
struct limits {
  /// RFC 5321 section 4.5.3.1.4: a command line is at most 512 octets including CRLF.
  std::size_t command_line = rfc_limits::smtp_command_line;
  /// RFC 4954 section 4: AUTH command and response lines of at least 12,288 octets, incl. CRLF.
  std::size_t auth_line = 12288;
  /// MAIL/RCPT parameters per command (at most parameter_capacity). RFC 5321 sets none; 16
  /// covers every registered MAIL parameter at once.
  std::size_t max_parameters = parameter_capacity;
  /// RFC 5321 section 4.5.3.1.3: a path is at most 256 octets including "<" and ">".
  std::size_t path = 256;
  /// RFC 5321 section 4.5.3.1.1: a local part is at most 64 octets.
  std::size_t local_part = 64;
  /// RFC 5321 section 4.5.3.1.2: a domain is at most 255 octets.
  std::size_t domain = 255;
};

}  // namespace mailwire::smtp
