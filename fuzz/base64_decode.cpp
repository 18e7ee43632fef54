// fuzz/base64_decode.cpp — parse-anything, differential and split-invariance target for
// mailwire::base64::stream_decoder (DESIGN.md section 9).
//
// Input layout (fuzz_common.hpp): byte 0 = flags, then a chunk_plan, then the base64 text.
//   flags bit 0     alphabet::url instead of alphabet::standard
//   flags bit 1     require_padding = false
//   flags bits 2-3  SIMD cap of the chunked runs (scalar, AVX2/NEON, AVX-512 VBMI, best)
//   flags bits 4-7  output buffer of the chunked runs: 1-16 bytes
//
// For MIME mode and strict mode each:
// 1. decode one-shot at every SIMD level the CPU has: identical output, status, error, error
//    offset and defects at every level; produced <= max_decoded_size(n); the one-shot free
//    function agrees;
// 2. the same against reference_decode(), a byte-at-a-time restatement of the rules at the top
//    of base64.hpp written for this target (the "second decoder" of the differential);
// 3. decode again in the chunks of the plan with the small output buffer: the same outcome and
//    defects (split-invariance), and once more after reset().
// Across modes: if strict mode accepts the text, MIME mode decodes it to the same bytes with no
// defect.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "mailwire/codec/base64.hpp"

namespace {

namespace b64 = mailwire::base64;
using mailwire::status;
using outcome = mwfuzz::outcome<b64::errc>;

constexpr std::uint32_t bit(b64::errc e) noexcept { return 1u << static_cast<unsigned>(e); }

constexpr b64::errc all_errc[] = {
    b64::errc::invalid_character,  b64::errc::bad_padding,        b64::errc::missing_padding,
    b64::errc::truncated_quantum,  b64::errc::nonzero_pad_bits,   b64::errc::data_after_padding,
    b64::errc::local_input_after_final};

/// The defects of `d` as a bit set of all_errc, built from the public has_defect().
std::uint32_t defect_set(const b64::stream_decoder& d) {
  std::uint32_t s = 0;
  for (auto e : all_errc)
    if (d.has_defect(e)) s |= bit(e);
  return s;
}

struct reference_result {
  outcome res;
  std::uint32_t defects = 0;
};

int sextet(unsigned char c, b64::alphabet a) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (a == b64::alphabet::standard) {
    if (c == '+') return 62;
    if (c == '/') return 63;
  } else {
    if (c == '-') return 62;
    if (c == '_') return 63;
  }
  return -1;
}

/// The decoding rules of base64.hpp, one byte at a time: MIME mode records each irregularity
/// as a defect and goes on; strict mode stops at the first one with its offset.
reference_result reference_decode(std::string_view in, const b64::decode_options& o) {
  reference_result r;
  r.res.st = status::event;
  // Returns true when decoding stops here (strict mode).
  auto irregular = [&](b64::errc e, std::uint64_t off) {
    if (!o.strict) {
      r.defects |= bit(e);
      return false;
    }
    r.res.st = status::error;
    r.res.error = e;
    r.res.error_offset = off;
    return true;
  };
  std::uint32_t acc = 0;
  unsigned n = 0, pads = 0;
  bool ended = false;
  std::uint64_t last_data = 0;
  // Closes a final quantum of 2 or 3 characters; false if strict mode stops.
  auto end_quantum = [&] {
    const unsigned spare = n == 2 ? 4u : 2u;
    if ((acc & ((1u << spare) - 1u)) != 0 && irregular(b64::errc::nonzero_pad_bits, last_data))
      return false;
    const std::uint32_t v = acc >> spare;
    if (n == 2) {
      r.res.output.push_back(static_cast<char>(v));
    } else {
      r.res.output.push_back(static_cast<char>(v >> 8));
      r.res.output.push_back(static_cast<char>(v));
    }
    ended = true;
    acc = 0;
    n = 0;
    pads = 0;
    return true;
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    const int v = sextet(c, o.alpha);
    if (ended) {
      if (o.strict) {
        irregular(c == '=' ? b64::errc::bad_padding : b64::errc::data_after_padding, i);
        return r;
      }
      if (v >= 0) r.defects |= bit(b64::errc::data_after_padding);
      continue;
    }
    if (v >= 0) {
      if (pads > 0) {
        if (irregular(b64::errc::bad_padding, i)) return r;
        pads = 0;
      }
      acc = (acc << 6) | static_cast<std::uint32_t>(v);
      last_data = i;
      if (++n == 4) {
        r.res.output.push_back(static_cast<char>(acc >> 16));
        r.res.output.push_back(static_cast<char>(acc >> 8));
        r.res.output.push_back(static_cast<char>(acc));
        acc = 0;
        n = 0;
      }
    } else if (c == '=') {
      if (n < 2) {
        if (irregular(b64::errc::bad_padding, i)) return r;
      } else if (n + ++pads == 4) {
        if (!end_quantum()) return r;
      }
    } else {
      const bool space = c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\v' || c == '\f';
      if (o.strict) {
        irregular(b64::errc::invalid_character, i);
        return r;
      }
      if (!space) r.defects |= bit(b64::errc::invalid_character);
    }
  }
  if (!ended && (n > 0 || pads > 0)) {
    if (n < 2) {
      if (irregular(b64::errc::truncated_quantum, in.size())) return r;
    } else if (o.require_padding || pads > 0) {
      if (irregular(b64::errc::missing_padding, in.size())) return r;
    } else if (!end_quantum()) {
      return r;
    }
  }
  return r;
}

struct run_result {
  outcome res;
  std::uint32_t defects = 0;
  bool operator==(const run_result&) const = default;
};

auto decode_step = [](b64::stream_decoder& d, std::string_view in, std::span<char> out,
                      bool final) { return d.decode(in, out, final); };

/// One call with an exact-size output buffer of max_decoded_size(n) bytes.
run_result decode_one_shot(b64::stream_decoder& dec, std::string_view text) {
  const std::size_t cap = b64::max_decoded_size(text.size());
  mwfuzz::heap_buffer out(cap);
  const auto r = dec.decode(text, out.span(), true);
  MW_FUZZ_CHECK(r.produced <= cap);
  MW_FUZZ_CHECK(r.st == status::event || r.st == status::error);
  if (r.st == status::event) MW_FUZZ_CHECK(r.consumed == text.size() && r.error == b64::errc::ok);
  if (r.st == status::error) MW_FUZZ_CHECK(dec.options().strict);  // MIME mode never fails
  run_result res;
  res.res.output.assign(out.data(), r.produced);
  res.res.st = r.st;
  res.res.error = r.error;
  res.res.error_offset = r.st == status::error ? r.error_offset : 0;
  res.defects = defect_set(dec);
  if (dec.options().strict) MW_FUZZ_CHECK(res.defects == 0);  // strict mode fails instead
  return res;
}

run_result check_mode(std::string_view text, const b64::decode_options& opt,
                      const mwfuzz::chunk_plan& plan, mailwire::simd::level chunk_level,
                      std::size_t out_size) {
  static const auto levels = mwfuzz::simd_levels();
  // 1. One-shot at every SIMD level.
  run_result first;
  bool have_first = false;
  for (auto l : levels) {
    mwfuzz::simd_cap cap(l);
    b64::stream_decoder dec(opt);
    const run_result r = decode_one_shot(dec, text);
    if (!have_first) {
      first = r;
      have_first = true;
    }
    MW_FUZZ_CHECK(r == first);
  }
  {
    std::string s = "prefix";
    const auto r = b64::decode(text, s, opt);
    MW_FUZZ_CHECK(s.substr(0, 6) == "prefix" && s.substr(6) == first.res.output);
    MW_FUZZ_CHECK(r.st == first.res.st && r.error == first.res.error);
  }
  // 2. Against the reference decoder.
  const reference_result ref = reference_decode(text, opt);
  MW_FUZZ_CHECK(ref.res == first.res);
  MW_FUZZ_CHECK(ref.defects == first.defects);
  // 3. Chunked, with a small output buffer; then again after reset().
  mwfuzz::simd_cap cap(chunk_level);
  b64::stream_decoder dec(opt);
  const outcome chunked = mwfuzz::run_stream<b64::errc>(dec, decode_step, text, plan, out_size);
  MW_FUZZ_CHECK(chunked == first.res);
  MW_FUZZ_CHECK(defect_set(dec) == first.defects);
  dec.reset();
  MW_FUZZ_CHECK(defect_set(dec) == 0);
  MW_FUZZ_CHECK(decode_one_shot(dec, text) == first);
  return first;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t flags = h.byte();
  const auto plan = mwfuzz::chunk_plan::read(h);
  const std::string_view text = h.rest();

  b64::decode_options opt;
  opt.alpha = (flags & 1u) ? b64::alphabet::url : b64::alphabet::standard;
  opt.require_padding = (flags & 2u) == 0;
  const auto level = mwfuzz::simd_level_from_bits(flags >> 2);
  const std::size_t out_size = (flags >> 4) + 1u;

  opt.strict = false;
  const run_result mime = check_mode(text, opt, plan, level, out_size);
  opt.strict = true;
  const run_result strict = check_mode(text, opt, plan, level, out_size);

  if (strict.res.st == status::event) {
    MW_FUZZ_CHECK(mime.res == strict.res);
    MW_FUZZ_CHECK(mime.defects == 0);
  }
  return 0;
}
