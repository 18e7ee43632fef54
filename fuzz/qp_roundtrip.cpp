// fuzz/qp_roundtrip.cpp — round-trip target for mailwire::qp (RFC 2045 section 6.7):
// bytes -> encode -> decode -> the same bytes, for any encode_options (DESIGN.md section 9).
//
// Input layout (fuzz_common.hpp): flags, two line bytes, output byte, a chunk_plan, the data.
//   flags bit 0     binary
//   flags bit 1     eol = line_ending::lf
//   flags bit 2     protect_dot
//   flags bit 3     protect_from
//   flags bit 4     ebcdic_safe
//   flags bits 5-6  SIMD cap of the chunked run (scalar, AVX2/NEON, AVX-512 VBMI, best)
//   line bytes      line_length = (big-endian 16-bit value) % 1000: 4-998 as RFC 2045 allows,
//                   and also 0 (no limit), 1-3 (act as 4) and 999
//   output byte     output buffer of the chunked run: 1-64 bytes
//
// Checks:
// - one-shot encode at every SIMD level into a buffer of max_encoded_size() gives the same
//   text, which the std::string overload and stream_encoder fed in the chunks of the plan
//   also give;
// - the text is well formed: only printable ASCII, SP, HTAB and `eol`; every "=" starts "=XX"
//   (upper-case hex) or ends a line (soft break); no SP/HTAB before a line break or at the
//   end; no line longer than line_length (its "=" included); in binary mode every line break
//   is soft; with ebcdic_safe none of !"#$@[\]^`{|}~ is literal (RFC 2045 section 6.7, note);
//   with protect_from no line starts with "From "; with protect_dot no line starts with ".";
// - strict decoding succeeds with no defect and gives back the data. In binary mode that is
//   the data itself. In text mode line breaks are the encoder's business: CRLF and a bare LF
//   both become `eol`, and the decoder copies hard breaks as found, so the expectation is the
//   data with each CRLF or bare LF replaced by `eol` (a bare CR is data, encoded as =0D, and
//   comes back as CR). This is the exact round trip text mode promises; comparing the raw data
//   would make every input with a bare LF (eol = crlf) or CRLF (eol = lf) a false finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "mailwire/codec/quoted_printable.hpp"

namespace {

namespace qp = mailwire::qp;
using mailwire::status;

constexpr qp::errc all_errc[] = {qp::errc::malformed_escape, qp::errc::lowercase_hex,
                                 qp::errc::local_input_after_final};

auto encode_step = [](qp::stream_encoder& e, std::string_view in, std::span<char> out,
                      bool final) { return e.encode(in, out, final); };

bool is_upper_hex(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

bool ebcdic_unsafe(char c) noexcept {
  return std::string_view("!\"#$@[\\]^`{|}~").find(c) != std::string_view::npos;
}

/// Checks one output line (without its line break). `soft` is set when it ends in "=".
void check_line(std::string_view line, const qp::encode_options& o, bool& soft) {
  const std::size_t limit = o.line_length == 0 ? static_cast<std::size_t>(-1)
                            : o.line_length < 4  ? 4
                                                 : o.line_length;
  MW_FUZZ_CHECK(line.size() <= limit);
  soft = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '=') {
      if (i + 1 == line.size()) {
        soft = true;
      } else {
        MW_FUZZ_CHECK(i + 3 <= line.size());
        MW_FUZZ_CHECK(is_upper_hex(line[i + 1]) && is_upper_hex(line[i + 2]));
        i += 2;
      }
      continue;
    }
    MW_FUZZ_CHECK(c == ' ' || c == '\t' || (c > ' ' && c < 127));
    if (o.ebcdic_safe) MW_FUZZ_CHECK(!ebcdic_unsafe(c));
  }
  if (!line.empty()) MW_FUZZ_CHECK(line.back() != ' ' && line.back() != '\t');
  if (o.protect_from) MW_FUZZ_CHECK(!line.starts_with("From "));
  if (o.protect_dot) MW_FUZZ_CHECK(!line.starts_with("."));
}

void check_text(std::string_view text, const qp::encode_options& o) {
  const std::string_view eol = mailwire::to_chars(o.eol);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t e = text.find(eol, i);
    const std::string_view line = text.substr(i, e == std::string_view::npos ? e : e - i);
    // Line-break characters appear only as `eol`.
    MW_FUZZ_CHECK(line.find_first_of("\r\n") == std::string_view::npos);
    bool soft = false;
    check_line(line, o, soft);
    if (o.binary && e != std::string_view::npos) MW_FUZZ_CHECK(soft);
    i = e == std::string_view::npos ? text.size() : e + eol.size();
  }
}

/// The data as text mode gives it back: each CRLF or bare LF replaced by `eol`.
std::string normalise_breaks(std::string_view data, mailwire::line_ending e) {
  const std::string_view eol = mailwire::to_chars(e);
  std::string s;
  s.reserve(data.size() + data.size() / 8);
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n') {
      s += eol;
      ++i;
    } else if (data[i] == '\n') {
      s += eol;
    } else {
      s.push_back(data[i]);
    }
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t flags = h.byte();
  const unsigned line_hi = h.byte(), line_lo = h.byte();
  const std::size_t out_size = h.byte() % 64u + 1u;
  const auto plan = mwfuzz::chunk_plan::read(h);
  const std::string_view bytes = h.rest();

  qp::encode_options o;
  o.binary = (flags & 1u) != 0;
  o.eol = (flags & 2u) ? mailwire::line_ending::lf : mailwire::line_ending::crlf;
  o.protect_dot = (flags & 4u) != 0;
  o.protect_from = (flags & 8u) != 0;
  o.ebcdic_safe = (flags & 16u) != 0;
  const auto chunk_level = mwfuzz::simd_level_from_bits(flags >> 5);
  o.line_length = ((line_hi << 8) | line_lo) % 1000u;

  // One-shot at every SIMD level.
  static const auto levels = mwfuzz::simd_levels();
  const std::size_t cap = qp::max_encoded_size(bytes.size(), o);
  std::string text;
  bool have_text = false;
  for (auto l : levels) {
    mwfuzz::simd_cap c(l);
    mwfuzz::heap_buffer out(cap);
    qp::stream_encoder enc(o);
    const auto r = enc.encode(bytes, out.span(), true);
    MW_FUZZ_CHECK(r.st == status::event && r.consumed == bytes.size());
    const std::size_t w = r.produced;
    MW_FUZZ_CHECK(w <= cap);
    MW_FUZZ_CHECK(qp::encode(bytes, out.span(), o) == w);
    if (!have_text) {
      text.assign(out.data(), w);
      have_text = true;
    }
    MW_FUZZ_CHECK(out.view().substr(0, w) == text);
  }
  MW_FUZZ_CHECK(qp::encode(bytes, o) == text);

  // Streamed in chunks with a small output buffer; again after reset().
  {
    mwfuzz::simd_cap c(chunk_level);
    qp::stream_encoder enc(o);
    const auto r = mwfuzz::run_stream<qp::errc>(enc, encode_step, bytes, plan, out_size);
    MW_FUZZ_CHECK(r.st == status::event);
    MW_FUZZ_CHECK(r.output == text);
    enc.reset();
    const auto again = mwfuzz::run_stream<qp::errc>(enc, encode_step, bytes, {}, out_size);
    MW_FUZZ_CHECK(again.output == text);
  }

  check_text(text, o);

  // Back to the data, strictly.
  const std::string expected = o.binary ? std::string(bytes) : normalise_breaks(bytes, o.eol);
  qp::decode_options d;
  d.strict = true;
  std::string back;
  const auto r = qp::decode(text, back, d);
  MW_FUZZ_CHECK(r.st == status::event && r.error == qp::errc::ok);
  MW_FUZZ_CHECK(back == expected);
  qp::stream_decoder dec(d);
  mwfuzz::heap_buffer out(qp::max_decoded_size(text.size()));
  const auto s = dec.decode(text, out.span(), true);
  MW_FUZZ_CHECK(s.st == status::event && out.view().substr(0, s.produced) == expected);
  for (auto e : all_errc) MW_FUZZ_CHECK(!dec.has_defect(e));
  return 0;
}
