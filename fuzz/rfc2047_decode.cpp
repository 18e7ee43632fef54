// fuzz/rfc2047_decode.cpp — RFC 2047 encoded-words (mailwire/rfc5322/encoded_word.hpp):
// parse-anything and round-trip (DESIGN.md section 9).
//
// Input layout: [flags] [first_line_used] payload.
//   flags bit 0: unknown_policy::replace; bit 1: a test host converter for "x-rot13";
//   bits 2-3: max_words = k * 2 (0: default); bit 4: max_output = 64 (else default);
//   bit 5: encode without folding; bit 6: max_defects = 3.
//   first_line_used: byte % 50 columns taken by the field name on the first line.
// Checks (decode): the output is always valid UTF-8, whatever the input; the output limit,
// word limit and defect limit hold; defect offsets lie within the payload; text before the
// call is kept; decode_words() gives the same; input without "=?" decodes to itself with CR
// and LF removed and invalid UTF-8 replaced.
// Checks (encode): for the payload made valid UTF-8 (S), decode(encode_unstructured(S)) == S
// and decode_words(encode_phrase(S)) == S (phrases written as atoms or a quoted-string are
// compared as such); output has no NUL and no CR/LF but folding CRLF + SP; folded lines are
// at most 78 columns (first_line_used counted; phrases only when they are encoded-words) and
// every encoded-word is at most 75 characters.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "mailwire/rfc5322/encoded_word.hpp"

namespace {

namespace r = mailwire::rfc5322;
namespace cs = mailwire::charset;

bool rot13(void*, std::string_view label, std::string_view in, std::string& out) noexcept {
  if (!mailwire::ascii::iequals(label, "x-rot13")) return false;
  for (char c : in)
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>('a' + (c - 'a' + 13) % 26) : c);
  return true;
}

std::string plain_reference(std::string_view in) {
  std::string kept, out;
  for (char c : in)
    if (c != '\r' && c != '\n') kept.push_back(c);
  cs::append_utf8_sanitized(out, kept);
  return out;
}

std::string decoded(std::string_view in) {
  std::string out;
  r::encoded_word_limits lim;
  lim.max_words = static_cast<std::size_t>(-1);
  lim.max_output = static_cast<std::size_t>(-1);
  (void)r::decode_unstructured(in, out, {}, lim);
  return out;
}

void check_layout(std::string_view e, const r::encode_options& o, bool lengths) {
  MW_FUZZ_CHECK(e.find('\0') == std::string_view::npos);
  bool first = true;
  for (;;) {
    const std::size_t k = e.find("\r\n");
    const std::string_view line = e.substr(0, k);
    MW_FUZZ_CHECK(line.find('\r') == std::string_view::npos);
    MW_FUZZ_CHECK(line.find('\n') == std::string_view::npos);
    if (!first) MW_FUZZ_CHECK(!line.empty() && (line[0] == ' ' || line[0] == '\t'));
    if (lengths && o.fold)
      MW_FUZZ_CHECK(line.size() + (first ? o.first_line_used : 0) <= o.line_length);
    for (std::size_t p = line.find("=?"); p != std::string_view::npos; p = line.find("=?", p + 1)) {
      if (const auto w = r::match_encoded_word(line.substr(p))) MW_FUZZ_CHECK(w->size <= 75);
    }
    first = false;
    if (k == std::string_view::npos) break;
    e.remove_prefix(k + 2);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t flags = h.byte();
  const std::uint8_t first = h.byte();
  const mwfuzz::heap_buffer buf(h.rest());
  const std::string_view in = buf.view();

  cs::options opt;
  if (flags & 1) opt.unknown = cs::unknown_policy::replace;
  if (flags & 2) opt.converter = &rot13;
  r::encoded_word_limits lim;
  if ((flags >> 2) & 3) lim.max_words = ((flags >> 2) & 3u) * 2u;
  if (flags & 16) lim.max_output = 64;
  if (flags & 64) lim.max_defects = 3;

  // Decode.
  std::string out = "prefix\xC3\xA9";
  const r::encoded_word_result res = r::decode_unstructured(in, out, opt, lim);
  MW_FUZZ_CHECK(out.compare(0, 8, "prefix\xC3\xA9") == 0);
  const std::string_view got = std::string_view(out).substr(8);
  MW_FUZZ_CHECK(cs::is_utf8(got));
  MW_FUZZ_CHECK(got.size() <= lim.max_output);
  MW_FUZZ_CHECK(res.words <= lim.max_words);
  MW_FUZZ_CHECK(res.defects.size() <= lim.max_defects);
  for (const auto& d : res.defects) {
    MW_FUZZ_CHECK(d.code != r::encoded_word_errc::ok);
    MW_FUZZ_CHECK(d.offset <= in.size());
  }
  std::string out2;
  const r::encoded_word_result res2 = r::decode_words(in, out2, opt, lim);
  MW_FUZZ_CHECK(out2 == got);
  MW_FUZZ_CHECK(res2.words == res.words && res2.defects == res.defects);
  if (in.find("=?") == std::string_view::npos && !(flags & 16)) {
    MW_FUZZ_CHECK(got == plain_reference(in));
    MW_FUZZ_CHECK(res.words == 0);
  }

  // Encode, then decode back.
  std::string text;
  cs::append_utf8_sanitized(text, in);
  r::encode_options eo;
  eo.first_line_used = first % 50;
  eo.fold = (flags & 32) == 0;
  std::string e;
  const r::encode_result er = r::encode_unstructured(text, e, eo);
  check_layout(e, eo, true);
  MW_FUZZ_CHECK(decoded(e) == text);
  if (er.words == 0) MW_FUZZ_CHECK(e.find("=?") == std::string::npos);

  std::string p;
  const r::encode_result pr = r::encode_phrase(text, p, eo);
  check_layout(p, eo, pr.words > 0);  // atoms and quoted-strings are not folded
  if (!p.empty() && p.front() == '"') {
    std::string unq;
    for (std::size_t k = 1; k + 1 < p.size(); ++k) {
      if (p[k] == '\\') ++k;
      unq.push_back(p[k]);
    }
    MW_FUZZ_CHECK(unq == text);
  } else {
    MW_FUZZ_CHECK(decoded(p) == text);
  }
  return 0;
}
