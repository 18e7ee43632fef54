// mailwire/core/status.hpp — the one status vocabulary of every parser, codec and session.
//
// Every step of a mailwire state machine answers with a `status` (DESIGN.md section 4):
//
//   auto r = dec.decode(chunk, out, /*final=*/false);
//   switch (r.st) {
//     case mailwire::status::need_more: /* read more bytes */ break;
//     case mailwire::status::paused:    /* drain `out`, call again with the rest */ break;
//     case mailwire::status::event:     /* something is ready (codecs: end of data) */ break;
//     case mailwire::status::error:     /* r.error says why and where; sticky until reset() */ break;
//   }
#pragma once

#include <cstdint>
#include <string_view>

namespace mailwire {

/// Outcome of one step of a parser, codec or session. `need_more` is not an error.
enum class status : std::uint8_t {
  event,      ///< a value or event is ready; for streaming codecs: final input fully processed
  need_more,  ///< every input byte was taken; call again with more input
  paused,     ///< backpressure: output is full or the host must answer first; then call again
  error,      ///< the input is malformed; the error is sticky until reset()
};

/// The enumerator's name, for logs.
[[nodiscard]] constexpr std::string_view to_string(status s) noexcept {
  switch (s) {
    case status::event: return "event";
    case status::need_more: return "need_more";
    case status::paused: return "paused";
    case status::error: return "error";
  }
  return "unknown";
}

}  // namespace mailwire
