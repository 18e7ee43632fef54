// fuzz/qp_decode.cpp — parse-anything and split-invariance target for
// mailwire::qp::stream_decoder (RFC 2045 section 6.7), lenient and strict (DESIGN.md section 9).
//
// Input layout (fuzz_common.hpp): byte 0 = flags, then a chunk_plan, then the QP text.
//   flags bits 0-1  SIMD cap of the chunked runs (scalar, AVX2/NEON, AVX-512 VBMI, best)
//   flags bits 2-5  output buffer of the chunked runs: 1-16 bytes
//
// For lenient and strict mode each:
// 1. decode one-shot at every SIMD level the CPU has: identical output, status, error, error
//    offset and defects at every level; produced <= max_decoded_size(n); lenient mode never
//    fails; the one-shot free functions agree;
// 2. the same against reference_decode(), a restatement of the rules at the top of
//    quoted_printable.hpp that looks ahead in the whole text instead of holding bytes back
//    (the "second decoder" of the differential);
// 3. decode again in the chunks of the plan with the small output buffer: the same outcome and
//    defects (split-invariance), and once more after reset().
// Across modes: if strict mode accepts the text, lenient mode decodes it to the same bytes with
// no defect.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "mailwire/codec/quoted_printable.hpp"

namespace {

namespace qp = mailwire::qp;
using mailwire::status;
using outcome = mwfuzz::outcome<qp::errc>;

constexpr qp::errc all_errc[] = {qp::errc::malformed_escape, qp::errc::lowercase_hex,
                                 qp::errc::local_input_after_final};

std::uint32_t defect_set(const qp::stream_decoder& d) {
  std::uint32_t s = 0;
  for (auto e : all_errc)
    if (d.has_defect(e)) s |= 1u << static_cast<unsigned>(e);
  return s;
}

constexpr std::size_t wsp_cap = 1024;  // the longest SP/HTAB run rule 3 removes (see header)

bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }

int hex_digit(char c, bool& lower) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') {
    lower = true;
    return c - 'a' + 10;
  }
  return -1;
}

/// True if a hard line break (CRLF or a bare LF) starts at in[j].
bool hard_break_at(std::string_view in, std::size_t j) noexcept {
  return j < in.size() && (in[j] == '\n' || (in[j] == '\r' && j + 1 < in.size() && in[j + 1] == '\n'));
}

struct reference_result {
  outcome res;
  std::uint32_t defects = 0;
};

/// The decoding rules of quoted_printable.hpp, with look-ahead over the whole text:
/// "=XY" is an octet; "=" [SP/HTAB...] before a line break or at the end is a soft break;
/// any other "=" is kept as data; a run of up to wsp_cap SP/HTAB before a hard line break or
/// the end is removed, a longer run (also after a malformed "=") is data; the rest is copied.
reference_result reference_decode(std::string_view in, bool strict) {
  reference_result r;
  r.res.st = status::event;
  auto irregular = [&](qp::errc e, std::size_t off) {
    if (!strict) {
      r.defects |= 1u << static_cast<unsigned>(e);
      return false;
    }
    r.res.st = status::error;
    r.res.error = e;
    r.res.error_offset = off;
    return true;
  };
  std::size_t i = 0;
  const std::size_t n = in.size();
  while (i < n) {
    const char c = in[i];
    if (c == '=') {
      bool lower = false;
      const int hi = i + 1 < n ? hex_digit(in[i + 1], lower) : -1;
      const int lo = i + 2 < n ? hex_digit(in[i + 2], lower) : -1;
      if (hi >= 0 && lo >= 0) {
        if (lower && irregular(qp::errc::lowercase_hex, i)) return r;
        r.res.output.push_back(static_cast<char>(hi * 16 + lo));
        i += 3;
        continue;
      }
      std::size_t j = i + 1;
      while (j < n && is_wsp(in[j])) ++j;
      if (j - (i + 1) <= wsp_cap && (j == n || hard_break_at(in, j))) {  // soft line break
        i = j == n ? n : j + (in[j] == '\n' ? 1 : 2);
        continue;
      }
      if (irregular(qp::errc::malformed_escape, i)) return r;
      r.res.output.push_back('=');
      ++i;
      continue;
    }
    if (is_wsp(c)) {
      std::size_t j = i;
      while (j < n && is_wsp(in[j])) ++j;
      if (j - i > wsp_cap || (j != n && !hard_break_at(in, j)))
        r.res.output.append(in.substr(i, j - i));
      i = j;
      continue;
    }
    r.res.output.push_back(c);
    ++i;
  }
  return r;
}

struct run_result {
  outcome res;
  std::uint32_t defects = 0;
  bool operator==(const run_result&) const = default;
};

auto decode_step = [](qp::stream_decoder& d, std::string_view in, std::span<char> out,
                      bool final) { return d.decode(in, out, final); };

/// One call with an exact-size output buffer of max_decoded_size(n) bytes.
run_result decode_one_shot(qp::stream_decoder& dec, std::string_view text, bool strict) {
  const std::size_t cap = qp::max_decoded_size(text.size());
  mwfuzz::heap_buffer out(cap);
  const auto r = dec.decode(text, out.span(), true);
  MW_FUZZ_CHECK(r.produced <= cap);
  MW_FUZZ_CHECK(r.st == status::event || r.st == status::error);
  if (r.st == status::event) MW_FUZZ_CHECK(r.consumed == text.size() && r.error == qp::errc::ok);
  if (r.st == status::error) MW_FUZZ_CHECK(strict);  // lenient mode never fails
  run_result res;
  res.res.output.assign(out.data(), r.produced);
  res.res.st = r.st;
  res.res.error = r.error;
  res.res.error_offset = r.st == status::error ? r.error_offset : 0;
  res.defects = defect_set(dec);
  return res;
}

run_result check_mode(std::string_view text, bool strict, const mwfuzz::chunk_plan& plan,
                      mailwire::simd::level chunk_level, std::size_t out_size) {
  static const auto levels = mwfuzz::simd_levels();
  qp::decode_options opt;
  opt.strict = strict;
  // 1. One-shot at every SIMD level.
  run_result first;
  bool have_first = false;
  for (auto l : levels) {
    mwfuzz::simd_cap cap(l);
    qp::stream_decoder dec(opt);
    const run_result r = decode_one_shot(dec, text, strict);
    if (!have_first) {
      first = r;
      have_first = true;
    }
    MW_FUZZ_CHECK(r == first);
  }
  {
    std::string s = "prefix";
    const auto r = qp::decode(text, s, opt);
    MW_FUZZ_CHECK(s.substr(0, 6) == "prefix" && s.substr(6) == first.res.output);
    MW_FUZZ_CHECK(r.st == first.res.st && r.error == first.res.error);
    mwfuzz::heap_buffer out(qp::max_decoded_size(text.size()));
    const auto q = qp::decode(text, out.span(), opt);
    MW_FUZZ_CHECK(q.st == first.res.st && q.error == first.res.error);
    MW_FUZZ_CHECK(out.view().substr(0, q.produced) == first.res.output);
  }
  // 2. Against the reference decoder.
  const reference_result ref = reference_decode(text, strict);
  MW_FUZZ_CHECK(ref.res == first.res);
  MW_FUZZ_CHECK(ref.defects == first.defects);
  // 3. Chunked, with a small output buffer; then again after reset().
  mwfuzz::simd_cap cap(chunk_level);
  qp::stream_decoder dec(opt);
  const outcome chunked = mwfuzz::run_stream<qp::errc>(dec, decode_step, text, plan, out_size);
  MW_FUZZ_CHECK(chunked == first.res);
  MW_FUZZ_CHECK(defect_set(dec) == first.defects);
  dec.reset();
  MW_FUZZ_CHECK(defect_set(dec) == 0);
  MW_FUZZ_CHECK(decode_one_shot(dec, text, strict) == first);
  return first;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t flags = h.byte();
  const auto plan = mwfuzz::chunk_plan::read(h);
  const std::string_view text = h.rest();
  const auto level = mwfuzz::simd_level_from_bits(flags);
  const std::size_t out_size = ((flags >> 2) & 15u) + 1u;

  const run_result lenient = check_mode(text, false, plan, level, out_size);
  const run_result strict = check_mode(text, true, plan, level, out_size);
  if (strict.res.st == status::event) {
    MW_FUZZ_CHECK(lenient.res == strict.res);
    MW_FUZZ_CHECK(lenient.defects == 0);
  }
  return 0;
}
