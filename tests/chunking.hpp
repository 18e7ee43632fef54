// Test helper: run a streaming codec over an input whole, byte by byte and split at every
// offset, from exact-size heap buffers (so AddressSanitizer catches any over-read), with
// output buffers of several sizes, and check that every run gives the same outcome
// (DESIGN.md section 8: Beast's parsegrind, llhttp's fixture runner).
//
//   auto whole = mwtest::check_every_chunking(
//       [] { return base64::stream_decoder{}; },
//       [](auto& c, std::string_view in, std::span<char> out, bool fin) {
//         return c.decode(in, out, fin); },
//       input);
//   CHECK(whole.output == expected);
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/status.hpp"

namespace mwtest {

/// What a whole run of a streaming codec produced.
struct outcome {
  std::string output;
  mailwire::status st = mailwire::status::need_more;  ///< event at a clean end, or error
  int error = 0;                                      ///< the errc value, 0 when ok
  std::uint64_t error_offset = 0;
  bool operator==(const outcome&) const = default;
};

inline std::string describe(const outcome& o) {
  return "status=" + std::string(mailwire::to_string(o.st)) + " error=" + std::to_string(o.error) +
         " offset=" + std::to_string(o.error_offset) + " output(" + std::to_string(o.output.size()) +
         ")";
}

/// An exact-size copy of `s` on the heap.
struct heap_copy {
  explicit heap_copy(std::string_view s) : p(new char[s.size() ? s.size() : 1]), n(s.size()) {
    if (n) std::copy(s.begin(), s.end(), p.get());
  }
  std::string_view view() const { return {p.get(), n}; }
  std::unique_ptr<char[]> p;
  std::size_t n;
};

/// Runs `codec` over `input` cut at the offsets in `cuts` (ascending), with an output buffer of
/// `out_size` bytes. `step(codec, in, out, final)` returns a mailwire::codec_result.
template <class Codec, class Step>
outcome run_split(Codec codec, Step step, std::string_view input,
                  const std::vector<std::size_t>& cuts, std::size_t out_size) {
  outcome res;
  std::unique_ptr<char[]> outbuf(new char[out_size]);
  std::size_t start = 0;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t end = k < cuts.size() ? cuts[k] : input.size();
    const bool final = k == cuts.size();
    heap_copy chunk(input.substr(start, end - start));
    std::string_view rest = chunk.view();
    for (int guard = 0;; ++guard) {
      auto r = step(codec, rest, std::span<char>(outbuf.get(), out_size), final);
      REQUIRE(r.consumed <= rest.size());
      REQUIRE(r.produced <= out_size);
      res.output.append(outbuf.get(), r.produced);
      rest.remove_prefix(r.consumed);
      if (r.st == mailwire::status::error) {
        res.st = r.st;
        res.error = static_cast<int>(r.error);
        res.error_offset = r.error_offset;
        return res;
      }
      if (r.st == mailwire::status::paused) {
        // Backpressure must come with progress, or the host would spin forever.
        if (r.consumed == 0 && r.produced == 0) {
          FAIL("paused without progress");
        }
        REQUIRE(guard < 100000000);
        continue;
      }
      if (r.st == mailwire::status::need_more) {
        REQUIRE(rest.empty());
        REQUIRE_FALSE(final);
        break;
      }
      // status::event: the end.
      REQUIRE(final);
      REQUIRE(rest.empty());
      res.st = r.st;
      return res;
    }
    start = end;
  }
  return res;
}

/// Runs the codec made by `make` over `input` whole, byte by byte, split at every offset (for
/// inputs up to `max_every_split` bytes; longer inputs get a stride), with output buffers of
/// 1 byte, 7 bytes and plenty; REQUIREs that every run equals the whole run, and returns it.
template <class Make, class Step>
outcome check_every_chunking(Make make, Step step, std::string_view input,
                             std::size_t max_every_split = 512) {
  const std::size_t big = input.size() * 4 + 64;
  const outcome whole = run_split(make(), step, input, {}, big);
  auto same = [&](const outcome& o, const char* how) {
    INFO("chunking: " << how << "; whole: " << describe(whole) << "; this: " << describe(o));
    REQUIRE(o == whole);
  };
  std::vector<std::size_t> bytewise;
  for (std::size_t i = 1; i < input.size(); ++i) bytewise.push_back(i);
  same(run_split(make(), step, input, bytewise, big), "byte by byte");
  same(run_split(make(), step, input, {}, 1), "whole, 1-byte output");
  same(run_split(make(), step, input, bytewise, 7), "byte by byte, 7-byte output");
  const std::size_t stride = input.size() <= max_every_split ? 1 : input.size() / max_every_split + 1;
  for (std::size_t cut = 0; cut <= input.size(); cut += stride) {
    same(run_split(make(), step, input, {cut}, big), "one split");
  }
  if (input.size() <= 64) {
    for (std::size_t a = 0; a <= input.size(); ++a)
      for (std::size_t b = a; b <= input.size(); ++b)
        same(run_split(make(), step, input, {a, b}, 3), "two splits, 3-byte output");
  }
  return whole;
}

}  // namespace mwtest
