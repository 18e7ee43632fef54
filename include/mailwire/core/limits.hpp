// mailwire/core/limits.hpp — line-length limits fixed by the mail RFCs, the defaults from which
// every codec's own `limits` struct starts (DESIGN.md section 6).
#pragma once

#include <cstddef>

namespace mailwire::rfc_limits {

/// RFC 5322 section 2.1.1: a line of a message is at most 998 characters, excluding CRLF.
inline constexpr std::size_t message_line = 998;
/// RFC 5322 section 2.1.1: lines SHOULD be at most 78 characters, excluding CRLF.
inline constexpr std::size_t message_line_recommended = 78;
/// RFC 2045 sections 6.7 and 6.8: encoded lines are at most 76 characters, excluding CRLF.
inline constexpr std::size_t encoded_line = 76;
/// RFC 5321 section 4.5.3.1.4: a command line is at most 512 octets, including CRLF.
inline constexpr std::size_t smtp_command_line = 512;
/// RFC 5321 section 4.5.3.1.5: a reply line is at most 512 octets, including CRLF.
inline constexpr std::size_t smtp_reply_line = 512;
/// RFC 5321 section 4.5.3.1.6: a text line is at most 1000 octets, including CRLF.
inline constexpr std::size_t smtp_text_line = 1000;
/// RFC 2449 section 4: a POP3 command line is at most 255 octets, including CRLF.
inline constexpr std::size_t pop3_command_line = 255;
/// RFC 2449 section 4: a POP3 response line is at most 512 octets, including CRLF.
inline constexpr std::size_t pop3_response_line = 512;

}  // namespace mailwire::rfc_limits
