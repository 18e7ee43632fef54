// mailwire/core/result.hpp — the result of one step of a streaming codec.
//
// Streaming codecs have the nghttp2 HPACK shape (DESIGN.md section 4):
//   codec_result<errc> r = codec.decode(in, out, final);
// They read from `in`, write to `out`, and report how much of each they used.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mailwire/core/status.hpp"

namespace mailwire {

/// One step of a streaming codec (base64, quoted-printable, ...).
/// - status::need_more: all of `in` was taken and `final` was false; call again with more.
/// - status::paused:    `out` is full; drain it and call again with `in.substr(consumed)`.
/// - status::event:     `final` was true and everything is written: the stream is complete.
/// - status::error:     `error` says why and `error_offset` where; sticky until reset().
template <class Errc>
struct codec_result {
  std::size_t consumed = 0;        ///< input bytes taken by this call
  std::size_t produced = 0;        ///< output bytes written by this call
  status st = status::need_more;   ///< see above
  Errc error{};                    ///< Errc::ok unless st == status::error
  std::uint64_t error_offset = 0;  ///< offset of the offending input byte, counted from the
                                   ///< first byte given after construction or reset()

  [[nodiscard]] constexpr bool ok() const noexcept { return st != status::error; }
};

}  // namespace mailwire
