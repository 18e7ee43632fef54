// fuzz/fuzz_common.hpp — helpers shared by the fuzz targets (not part of the library).
//
// - MW_FUZZ_CHECK(cond): prints the failed condition and traps, so libFuzzer (or the replay
//   main under a debugger) stops on the first mismatch.
// - header: takes option bytes off the front of the fuzz input; missing bytes read as 0, so
//   every input, even an empty one, is valid.
// - heap_buffer: exact-size heap copies, so AddressSanitizer sees any over-read or over-write.
// - chunk_plan + run_stream(): drive a streaming codec (the nghttp2 HPACK shape
//   `step(in, out, final) -> codec_result`) over an input cut into chunks, with a small output
//   buffer, and check the status contract of core/result.hpp on every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/cpu.hpp"
#include "mailwire/core/status.hpp"

#define MW_FUZZ_CHECK(cond)                                                                  \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond);     \
      __builtin_trap();                                                                      \
    }                                                                                        \
  } while (0)

namespace mwfuzz {

/// Reads option bytes from the front of the fuzz input; what remains is the payload.
class header {
 public:
  header(const std::uint8_t* data, std::size_t size) noexcept : p_(data), n_(size) {}
  /// The next option byte, or 0 once the input is exhausted.
  std::uint8_t byte() noexcept {
    if (n_ == 0) return 0;
    --n_;
    return *p_++;
  }
  /// The rest of the input. It ends where the fuzz input ends, so the payload keeps the
  /// exact-size property of the buffer libFuzzer (or the replay main) allocated.
  std::string_view rest() const noexcept {
    return {reinterpret_cast<const char*>(p_), n_};
  }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
};

/// An exact-size heap buffer (new char[n]; n may be 0), optionally filled with a copy.
class heap_buffer {
 public:
  explicit heap_buffer(std::size_t n) : p_(new char[n]), n_(n) {}
  explicit heap_buffer(std::string_view s) : heap_buffer(s.size()) {
    if (n_ != 0) std::memcpy(p_.get(), s.data(), n_);
  }
  std::span<char> span() noexcept { return {p_.get(), n_}; }
  std::string_view view() const noexcept { return {p_.get(), n_}; }
  char* data() noexcept { return p_.get(); }
  std::size_t size() const noexcept { return n_; }

 private:
  std::unique_ptr<char[]> p_;
  std::size_t n_;
};

/// Chunk sizes, read from the header: one byte k (0-7 sizes follow, k = byte % 8), then k
/// bytes, each a chunk size used in turn and cyclically (0 is an empty, non-final call).
/// With no non-zero size, the input goes in one chunk.
class chunk_plan {
 public:
  chunk_plan() = default;
  static chunk_plan read(header& h) {
    chunk_plan p;
    const unsigned k = h.byte() % 8u;
    for (unsigned j = 0; j < k; ++j) p.sizes_.push_back(h.byte());
    return p;
  }
  /// Size of chunk number j of an input with `left` bytes still to feed.
  std::size_t size(std::size_t j, std::size_t left) const noexcept {
    bool any = false;
    for (auto s : sizes_) any = any || s != 0;
    if (!any) return left;
    const std::size_t s = sizes_[j % sizes_.size()];
    return s < left ? s : left;
  }

 private:
  std::vector<std::uint8_t> sizes_;
};

/// Feeds a session's peer bytes `in` in the chunks of `plan`, each chunk an exact-size heap copy
/// (so ASan sees a read past it). Per chunk, take(rest) is called at least once (an empty first
/// chunk drives the session once) and again while it returns true and bytes remain; take()
/// removes what the session consumed from rest. After each chunk, done() ends the run early
/// (closed or failed session).
template <class Take, class Done>
void feed_session(std::string_view in, const chunk_plan& plan, Take&& take, Done&& done) {
  std::size_t pos = 0;
  for (std::size_t j = 0; pos < in.size() || j == 0; ++j) {
    const std::size_t len = plan.size(j, in.size() - pos);
    heap_buffer chunk(in.substr(pos, len));
    std::string_view rest = chunk.view();
    for (int guard = 0; guard < 1000000; ++guard)
      if (!take(rest) || rest.empty()) break;
    pos += len;
    if (done() || pos >= in.size()) break;
  }
}

/// What a whole streaming run produced.
template <class Errc>
struct outcome {
  std::string output;
  mailwire::status st = mailwire::status::need_more;  ///< event or error at the end of a run
  Errc error{};
  std::uint64_t error_offset = 0;
  bool operator==(const outcome&) const = default;
};

/// Feeds `in` to `codec` in the chunks of `plan` (each chunk an exact-size heap copy), with an
/// output buffer of `out_size` (> 0) bytes; the last chunk goes with final = true. Checks the
/// contract of codec_result on every call: consumed/produced within bounds, need_more only
/// when all input was taken and final was false, event only on the final chunk, progress on
/// paused (so a broken codec cannot loop forever), a sticky error.
template <class Errc, class Codec, class Step>
outcome<Errc> run_stream(Codec& codec, Step step, std::string_view in, const chunk_plan& plan,
                         std::size_t out_size) {
  using mailwire::status;
  outcome<Errc> res;
  heap_buffer out(out_size);
  std::size_t pos = 0;
  for (std::size_t j = 0;; ++j) {
    const std::size_t len = plan.size(j, in.size() - pos);
    const bool last = pos + len == in.size();
    heap_buffer chunk(in.substr(pos, len));
    std::string_view rest = chunk.view();
    for (;;) {
      const auto r = step(codec, rest, out.span(), last);
      MW_FUZZ_CHECK(r.consumed <= rest.size());
      MW_FUZZ_CHECK(r.produced <= out_size);
      res.output.append(out.data(), r.produced);
      rest.remove_prefix(r.consumed);
      if (r.st == status::error) {
        res.st = r.st;
        res.error = r.error;
        res.error_offset = r.error_offset;
        // Sticky until reset(): the same error again, and nothing taken or written.
        const auto again = step(codec, rest, out.span(), last);
        MW_FUZZ_CHECK(again.st == status::error);
        MW_FUZZ_CHECK(again.error == r.error && again.error_offset == r.error_offset);
        MW_FUZZ_CHECK(again.consumed == 0 && again.produced == 0);
        return res;
      }
      MW_FUZZ_CHECK(r.error == Errc{});
      if (r.st == status::paused) {
        MW_FUZZ_CHECK(r.consumed != 0 || r.produced != 0);
        continue;
      }
      MW_FUZZ_CHECK(rest.empty());
      if (r.st == status::need_more) {
        MW_FUZZ_CHECK(!last);
        break;
      }
      MW_FUZZ_CHECK(r.st == status::event && last);
      res.st = r.st;
      return res;
    }
    pos += len;
  }
}

/// The SIMD caps worth trying on this CPU: scalar, then each detected level up to best,
/// without duplicates (a cap above what the CPU has falls back, giving the same code path).
inline std::vector<mailwire::simd::level> simd_levels() {
  using mailwire::simd::level;
  std::vector<level> v;
  for (level l : {level::scalar, level::neon, level::avx2, level::avx512vbmi, level::best}) {
    mailwire::simd::set_limit(l);
    bool seen = false;
    for (level w : v) {
      mailwire::simd::set_limit(w);
      const level a = mailwire::simd::active();
      mailwire::simd::set_limit(l);
      seen = seen || a == mailwire::simd::active();
    }
    if (!seen) v.push_back(l);
  }
  mailwire::simd::set_limit(level::best);
  return v;
}

/// The SIMD cap chosen by two option bits (0 scalar, 1 AVX2 or NEON, 2 AVX-512 VBMI, 3 best).
inline mailwire::simd::level simd_level_from_bits(unsigned bits) noexcept {
  using mailwire::simd::level;
  switch (bits & 3u) {
    case 0: return level::scalar;
#if MAILWIRE_NEON
    case 1: return level::neon;
#else
    case 1: return level::avx2;
#endif
    case 2: return level::avx512vbmi;
    default: return level::best;
  }
}

/// Sets a SIMD cap for the lifetime of the object, then restores level::best.
class simd_cap {
 public:
  explicit simd_cap(mailwire::simd::level l) noexcept { mailwire::simd::set_limit(l); }
  ~simd_cap() { mailwire::simd::set_limit(mailwire::simd::level::best); }
  simd_cap(const simd_cap&) = delete;
  simd_cap& operator=(const simd_cap&) = delete;
};

}  // namespace mwfuzz
