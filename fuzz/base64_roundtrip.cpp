// fuzz/base64_roundtrip.cpp — round-trip target for mailwire::base64 (DESIGN.md section 9):
// bytes -> encode -> decode -> the same bytes, for any encode_options.
//
// Input layout (fuzz_common.hpp): flags, line byte, output byte, a chunk_plan, then the data.
//   flags bit 0     alphabet::url
//   flags bit 1     padding = false
//   flags bits 2-3  line_length: 0, 76, 1-16 or 1-256 (from the line byte)
//   flags bit 4     eol = line_ending::lf
//   flags bit 5     final_line_break = false
//   flags bits 6-7  SIMD cap of the chunked run (scalar, AVX2/NEON, AVX-512 VBMI, best)
//   output byte     output buffer of the chunked run: 1-64 bytes
//
// Checks: one-shot encode at every SIMD level writes exactly encoded_size() characters, the
// same at every level and the same as the std::string overload and as stream_encoder fed in
// the chunks of the plan; the text is laid out exactly as the options say (lines of
// line_length, `eol`, final line break, alphabet characters, padding only at the end);
// decoding gives back the data: strict mode (require_padding = padding) when there is no
// wrapping, and MIME mode always, with no defect; decoded_size() is exact for unwrapped text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "mailwire/codec/base64.hpp"

namespace {

namespace b64 = mailwire::base64;
using mailwire::status;

constexpr b64::errc all_errc[] = {
    b64::errc::invalid_character,  b64::errc::bad_padding,        b64::errc::missing_padding,
    b64::errc::truncated_quantum,  b64::errc::nonzero_pad_bits,   b64::errc::data_after_padding,
    b64::errc::local_input_after_final};

auto encode_step = [](b64::stream_encoder& e, std::string_view in, std::span<char> out,
                      bool final) { return e.encode(in, out, final); };

/// Checks the layout of `text`, the encoding of `n` bytes with `o`, and returns the base64
/// characters without line breaks.
std::string check_layout(std::string_view text, std::size_t n, const b64::encode_options& o) {
  const std::string_view eol = mailwire::to_chars(o.eol);
  std::string chars;
  std::string rebuilt;
  if (o.line_length == 0) {
    chars = text;
  } else {
    std::size_t i = 0;
    while (i < text.size()) {
      const std::size_t e = text.find(eol, i);
      const std::string_view line = text.substr(i, e == std::string_view::npos ? e : e - i);
      chars += line;
      i = e == std::string_view::npos ? text.size() : e + eol.size();
    }
    for (std::size_t k = 0; k < chars.size(); k += o.line_length) {
      if (k != 0) rebuilt += eol;
      rebuilt += std::string_view(chars).substr(k, o.line_length);
    }
    if (o.final_line_break && !chars.empty()) rebuilt += eol;
    MW_FUZZ_CHECK(rebuilt == text);
  }
  const std::size_t full = n / 3 * 4, rem = n % 3;
  const std::size_t data_chars = full + (rem ? rem + 1 : 0);
  const std::size_t pads = o.padding && rem ? 3 - rem : 0;
  MW_FUZZ_CHECK(chars.size() == data_chars + pads);
  const char* abc = b64::detail::alphabet_chars[static_cast<int>(o.alpha)];
  for (std::size_t k = 0; k < chars.size(); ++k) {
    if (k < data_chars) MW_FUZZ_CHECK(std::string_view(abc).find(chars[k]) != std::string_view::npos);
    else MW_FUZZ_CHECK(chars[k] == '=');
  }
  return chars;
}

void check_decode(std::string_view text, std::string_view data, b64::decode_options d) {
  std::string back;
  const auto r = b64::decode(text, back, d);
  MW_FUZZ_CHECK(r.st == status::event && r.error == b64::errc::ok);
  MW_FUZZ_CHECK(r.consumed == text.size());
  MW_FUZZ_CHECK(back == data);
  b64::stream_decoder dec(d);
  mwfuzz::heap_buffer out(b64::max_decoded_size(text.size()));
  const auto s = dec.decode(text, out.span(), true);
  MW_FUZZ_CHECK(s.st == status::event && out.view().substr(0, s.produced) == data);
  for (auto e : all_errc) MW_FUZZ_CHECK(!dec.has_defect(e));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t flags = h.byte();
  const std::uint8_t line_byte = h.byte();
  const std::size_t out_size = h.byte() % 64u + 1u;
  const auto plan = mwfuzz::chunk_plan::read(h);
  const std::string_view bytes = h.rest();

  b64::encode_options o;
  o.alpha = (flags & 1u) ? b64::alphabet::url : b64::alphabet::standard;
  o.padding = (flags & 2u) == 0;
  switch ((flags >> 2) & 3u) {
    case 0: o.line_length = 0; break;
    case 1: o.line_length = 76; break;
    case 2: o.line_length = line_byte % 16u + 1u; break;
    default: o.line_length = line_byte + 1u; break;
  }
  o.eol = (flags & 16u) ? mailwire::line_ending::lf : mailwire::line_ending::crlf;
  o.final_line_break = (flags & 32u) == 0;
  const auto chunk_level = mwfuzz::simd_level_from_bits(flags >> 6);

  // One-shot at every SIMD level, into an exact-size buffer.
  static const auto levels = mwfuzz::simd_levels();
  const std::size_t esize = b64::encoded_size(bytes.size(), o);
  std::string text;
  bool have_text = false;
  for (auto l : levels) {
    mwfuzz::simd_cap cap(l);
    mwfuzz::heap_buffer out(esize);
    const std::size_t w = b64::encode(bytes, out.span(), o);
    MW_FUZZ_CHECK(w == esize);
    if (!have_text) {
      text.assign(out.data(), w);
      have_text = true;
    }
    MW_FUZZ_CHECK(out.view() == text);
  }
  MW_FUZZ_CHECK(b64::encode(bytes, o) == text);

  // Streamed in chunks with a small output buffer.
  {
    mwfuzz::simd_cap cap(chunk_level);
    b64::stream_encoder enc(o);
    const auto r = mwfuzz::run_stream<b64::errc>(enc, encode_step, bytes, plan, out_size);
    MW_FUZZ_CHECK(r.st == status::event);
    MW_FUZZ_CHECK(r.output == text);
    enc.reset();
    const auto again = mwfuzz::run_stream<b64::errc>(enc, encode_step, bytes, {}, out_size);
    MW_FUZZ_CHECK(again.output == text);
  }

  check_layout(text, bytes.size(), o);

  // Back to the data.
  b64::decode_options d;
  d.alpha = o.alpha;
  d.require_padding = o.padding;
  if (o.line_length == 0) {
    d.strict = true;
    check_decode(text, bytes, d);
    MW_FUZZ_CHECK(b64::decoded_size(text) == bytes.size());
  }
  d.strict = false;
  check_decode(text, bytes, d);
  return 0;
}
