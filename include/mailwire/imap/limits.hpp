// mailwire/imap/limits.hpp — size and depth limits of IMAP parsing, with Dovecot-grade defaults
// (issue 7 section 3; DESIGN.md section 6). Most limits come in a pair: before and after
// authentication; a session switches at login (`authenticated = true`).
//
//   mailwire::imap::limits lim;          // defaults
//   lim.literal_after_auth = 50u << 20;  // e.g. announce APPENDLIMIT=52428800 (RFC 7889)
//   lim.authenticated = true;            // after LOGIN / AUTHENTICATE succeeded
//   auto r = mailwire::imap::parse_astring(buf, lim, {});
//
// Helpers of other layers append their own fields at the end, with a comment naming the area.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mailwire::imap {

/// Limits of the IMAP parsers (issue 7 section 3). A limit of 0 means nothing fits.
struct limits {
  /// Which set of the paired limits applies: false before LOGIN / AUTHENTICATE succeeded
  /// (RFC 9051 section 3: not authenticated state), true after.
  bool authenticated = false;

  /// Line length in octets, CRLF included, literal octets excluded, before authentication
  /// (Dovecot: 8 KiB; RFC 7162 section 4 asks for at least 8192 octets).
  std::size_t line_before_auth = 8192;
  /// Line length after authentication (Dovecot imap_max_line_length: 64 KiB).
  std::size_t line_after_auth = 65536;

  /// Largest literal before authentication (LOGIN / AUTHENTICATE credentials; RFC 9051 6.2.3).
  std::size_t literal_before_auth = 8192;
  /// Largest literal after authentication. Big literals are streamed, never held in memory
  /// (imap.md); a server announcing APPENDLIMIT (RFC 7889) sets it to that value.
  std::uint64_t literal_after_auth = std::uint64_t{1} << 30;

  /// Parenthesis nesting depth before authentication (issue 7 section 3: 1; ID takes one list).
  std::size_t nesting_before_auth = 1;
  /// Parenthesis nesting depth after authentication (32; BODYSTRUCTURE of deep multiparts).
  std::size_t nesting_after_auth = 32;

  /// Elements of one parenthesized list (flag list, fetch attributes, BODYSTRUCTURE parts...).
  std::size_t list_items = 10000;
  /// Elements (numbers or ranges) of one sequence-set (RFC 9051 section 9 sequence-set).
  std::size_t sequence_ranges = 32768;
  /// Nesting depth of SEARCH keys: parentheses, NOT and OR (RFC 9051 section 6.4.4).
  std::size_t search_depth = 32;
  /// Literals in one message (MULTIAPPEND RFC 3502 and FETCH responses need many).
  std::size_t literals_per_message = 10000;

  // framing (imap/framing.hpp)
  /// Octets of one message held in memory before authentication: its lines (CRLF included)
  /// plus the literals kept inline. A literal that would not fit is streamed instead; a line
  /// that does not fit fails the message (errc::message_too_large).
  std::size_t message_before_auth = 65536;
  /// The same after authentication (a FETCH response with inline header literals, MULTIAPPEND).
  std::size_t message_after_auth = std::size_t{1} << 20;

  /// The line limit that applies now.
  [[nodiscard]] constexpr std::size_t line() const noexcept {
    return authenticated ? line_after_auth : line_before_auth;
  }
  /// The literal limit that applies now.
  [[nodiscard]] constexpr std::uint64_t literal() const noexcept {
    return authenticated ? literal_after_auth : std::uint64_t{literal_before_auth};
  }
  /// The nesting limit that applies now.
  [[nodiscard]] constexpr std::size_t nesting() const noexcept {
    return authenticated ? nesting_after_auth : nesting_before_auth;
  }
};

}  // namespace mailwire::imap
