// fuzz/charset_decode.cpp — charsets to UTF-8 (mailwire/codec/charset.hpp): parse-anything
// and differential (DESIGN.md section 9).
//
// Input layout: [charset] payload. The charset byte picks a charset::id (byte % count).
// Checks: to_utf8() output is always valid UTF-8 and appended after what was there; the
// replacement count and first error offset are consistent; convert() with the canonical
// name gives the same; UTF-8: valid_utf8_prefix() agrees with a reference validator written
// from RFC 3629 section 4 (code point arithmetic), append_utf8_sanitized() is the identity on
// valid input, idempotent, and inserts exactly one U+FFFD per maximal subpart as a reference
// decoder says; single-byte charsets produce one character per input byte; find() on the
// payload as a label never misbehaves and round-trips through name().
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "mailwire/codec/charset.hpp"

namespace {

namespace cs = mailwire::charset;

// Reference: the length of the well-formed sequence at s[i], or 0 (RFC 3629 section 4, by
// decoding the code point and checking its range rather than by byte ranges).
std::size_t ref_seq(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned c = b(i);
  std::size_t len;
  char32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
  else return 0;
  if (s.size() - i < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  const char32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::size_t ref_prefix(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t l = ref_seq(s, i);
    if (l == 0) break;
    i += l;
  }
  return i;
}

// Reference count of maximal subparts: the longest prefix of an ill-formed sequence that is a
// prefix of some well-formed sequence (at least one byte).
std::size_t ref_replacements(std::string_view s) {
  std::size_t i = 0, n = 0;
  while (i < s.size()) {
    if (ref_seq(s, i) != 0) {
      i += ref_seq(s, i);
      continue;
    }
    std::size_t best = 1;
    for (std::size_t l = 2; l <= 3 && i + l <= s.size(); ++l) {
      // s[i, i+l) is a prefix of a well-formed sequence iff completing it with 0x80 bytes
      // gives one at least l bytes long (only the second byte's range depends on the lead).
      std::string t(s.substr(i, l));
      t.append(4 - l, '\x80');
      if (ref_seq(t, 0) < l) break;
      best = l;
    }
    ++n;
    i += best;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const auto id = static_cast<cs::id>(h.byte() % cs::detail::charset_count);
  const mwfuzz::heap_buffer buf(h.rest());
  const std::string_view in = buf.view();

  std::string out = "<";
  const cs::decode_result r = cs::to_utf8(id, in, out);
  MW_FUZZ_CHECK(out[0] == '<');
  const std::string_view got = std::string_view(out).substr(1);
  MW_FUZZ_CHECK(cs::is_utf8(got));
  if (r.replacements > 0) MW_FUZZ_CHECK(r.error_offset < in.size());
  else MW_FUZZ_CHECK(r.error_offset == 0);
  MW_FUZZ_CHECK(r.ok() == (r.replacements == 0));

  std::string via;
  const cs::convert_status st = cs::convert(cs::name(id), in, via);
  MW_FUZZ_CHECK(via == got);
  MW_FUZZ_CHECK(st == (r.ok() ? cs::convert_status::converted
                              : cs::convert_status::converted_with_errors));

  if (cs::detail::single_byte_tables[static_cast<std::uint8_t>(id)] != nullptr) {
    std::size_t chars = 0;
    for (const char c : got) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    MW_FUZZ_CHECK(chars == in.size());
  }

  // UTF-8 validation and sanitizing against the references.
  const std::size_t vp = cs::valid_utf8_prefix(in);
  MW_FUZZ_CHECK(vp == ref_prefix(in));
  MW_FUZZ_CHECK(cs::is_utf8(in) == (vp == in.size()));
  std::string san;
  const std::size_t reps = cs::append_utf8_sanitized(san, in);
  MW_FUZZ_CHECK(cs::is_utf8(san));
  MW_FUZZ_CHECK(reps == ref_replacements(in));
  MW_FUZZ_CHECK(san.compare(0, vp, in.substr(0, vp)) == 0);
  if (vp == in.size()) MW_FUZZ_CHECK(san == in && reps == 0);
  std::string again;
  MW_FUZZ_CHECK(cs::append_utf8_sanitized(again, san) == 0 && again == san);

  // Labels.
  if (const auto f = cs::find(in)) MW_FUZZ_CHECK(cs::find(cs::name(*f)) == *f);
  MW_FUZZ_CHECK(cs::find(cs::name(id)) == id);
  return 0;
}
