// mailwire/core/line.hpp — line endings and bounded line framing (RFC 5321 section 2.3.8,
// RFC 5322 section 2.1).
//
// Mail protocols end lines with CRLF; real peers sometimes send a bare LF. `find_line` locates
// the next line ending with memchr and says whether it was CRLF or a bare LF, so the caller can
// accept or refuse bare LF explicitly:
//
//   auto f = mailwire::find_line(buf, /*max_length=*/512);
//   if (f.st == mailwire::status::event) {
//     std::string_view line = buf.substr(0, f.length);   // without the line ending
//     if (f.ending == mailwire::line_ending::lf) { /* bare LF: refuse or accept */ }
//     buf.remove_prefix(f.length + f.ending_size());
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "mailwire/core/status.hpp"

namespace mailwire {

/// A line ending written by an encoder or found by a parser.
enum class line_ending : std::uint8_t {
  crlf,  ///< CR LF, the Internet standard (RFC 5321 section 2.3.8)
  lf,    ///< a bare LF (Unix files, some broken peers)
};

/// The bytes of a line ending.
[[nodiscard]] constexpr std::string_view to_chars(line_ending e) noexcept {
  return e == line_ending::crlf ? std::string_view("\r\n") : std::string_view("\n");
}

/// Result of find_line().
struct line_find_result {
  status st = status::need_more;  ///< event: a line was found; need_more: no LF yet; error: too long
  std::size_t length = 0;  ///< event: bytes before the line ending; error: the limit that was passed
  line_ending ending = line_ending::crlf;  ///< which ending terminated the line (event only)
  /// Size of the line ending (2 for CRLF, 1 for a bare LF).
  [[nodiscard]] constexpr std::size_t ending_size() const noexcept {
    return ending == line_ending::crlf ? 2 : 1;
  }
};

/// Finds the first LF in `in`. The line before it (without a CR just before the LF) is at most
/// `max_length` bytes, else the result is status::error, also when no LF has come yet but more
/// than `max_length` + 1 bytes are already waiting (so a peer cannot make a host buffer forever).
/// Bare CR inside the line is left to the caller's grammar.
[[nodiscard]] inline line_find_result find_line(std::string_view in,
                                                std::size_t max_length) noexcept {
  line_find_result r;
  const void* lf = in.empty() ? nullptr : std::memchr(in.data(), '\n', in.size());
  if (lf == nullptr) {
    // A CR may still be waiting for its LF, so allow one byte more than the limit.
    if (in.size() > max_length + 1) {
      r.st = status::error;
      r.length = max_length;
    }
    return r;
  }
  std::size_t pos = static_cast<std::size_t>(static_cast<const char*>(lf) - in.data());
  if (pos > 0 && in[pos - 1] == '\r') {
    r.ending = line_ending::crlf;
    r.length = pos - 1;
  } else {
    r.ending = line_ending::lf;
    r.length = pos;
  }
  if (r.length > max_length) {
    r.st = status::error;
    r.length = max_length;
    return r;
  }
  r.st = status::event;
  return r;
}

}  // namespace mailwire
