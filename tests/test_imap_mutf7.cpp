// Tests of mailwire/imap/mutf7.hpp: modified UTF-7 (RFC 3501 section 5.1.3).
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "chunking.hpp"
#include "mailwire/imap/mutf7.hpp"

using namespace mailwire::imap;

namespace {

std::string enc(std::string_view s) {
  std::string out;
  const auto r = encode_mutf7(s, out);
  REQUIRE(r.ok());
  return out;
}

std::string dec(std::string_view s, const mutf7_options& opt = {}) {
  mwtest::heap_copy h(s);  // exact-size buffer: ASan sees any over-read
  std::string out;
  const auto r = decode_mutf7(h.view(), out, opt);
  INFO(s << " -> " << to_string(r.error) << " at " << r.error_offset);
  REQUIRE(r.ok());
  return out;
}

// Appends one random code point as UTF-8 (ASCII, BMP, astral; never a surrogate).
void random_char(std::mt19937& rng, std::string& out) {
  char32_t cp;
  switch (rng() % 5) {
    case 0: cp = static_cast<char32_t>(0x20 + rng() % 0x5F); break;  // printable, incl. "&"
    case 1: cp = static_cast<char32_t>(rng() % 0x80); break;         // any ASCII, controls too
    case 2: cp = static_cast<char32_t>(0x80 + rng() % 0x780); break;
    case 3:
      do cp = static_cast<char32_t>(0x800 + rng() % 0xF800);
      while (cp >= 0xD800 && cp <= 0xDFFF);
      break;
    default: cp = static_cast<char32_t>(0x10000 + rng() % 0x100000); break;
  }
  mailwire::imap::detail::append_utf8(out, cp);
}

}  // namespace

TEST_CASE("mutf7: RFC 3501 section 5.1.3 example", "[imap][mutf7]") {
  const std::string_view wire = "~peter/mail/&U,BTFw-/&ZeVnLIqe-";
  const std::string_view utf8 = "~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E";
  CHECK(dec(wire) == utf8);
  CHECK(enc(utf8) == wire);
  CHECK(validate_mutf7(wire).ok());
}

TEST_CASE("mutf7: known answers", "[imap][mutf7]") {
  struct kat {
    std::string_view utf8, wire;
  };
  const kat table[] = {
      {"", ""},
      {"INBOX", "INBOX"},
      {"&", "&-"},
      {"&&", "&-&-"},
      {"a&b", "a&-b"},
      {"\xC3\xA9", "&AOk-"},                       // U+00E9: 16 bits, 3 chars, 2 pad bits
      {"\xC3\xA9\xC3\xA9", "&AOkA6Q-"},           // 32 bits, 6 chars, 4 pad bits
      {"\xC3\xA9\xC3\xA9\xC3\xA9", "&AOkA6QDp-"},  // 48 bits, 8 chars, no pad bits
      {"\xF0\x9F\x98\x80", "&2D3eAA-"},           // U+1F600: surrogate pair D83D DE00
      {"\x01", "&AAE-"},                          // control characters are encoded
      {"\x7F", "&AH8-"},
      {"\xC3\xA9&", "&AOk-&-"},                   // a run, then "&"
      {"&\xC3\xA9", "&-&AOk-"},
      {"Entw\xC3\xBC rfe", "Entw&APw- rfe"},
      {"\xD0\x9E\xD1\x82\xD0\xBF\xD1\x80\xD0\xB0\xD0\xB2\xD0\xBB\xD0\xB5\xD0\xBD\xD0\xBD\xD1\x8B\xD0"
       "\xB5",
       "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"},  // "Отправленные" (sent, Russian clients)
  };
  for (const auto& k : table) {
    INFO(k.wire);
    CHECK(enc(k.utf8) == k.wire);
    CHECK(dec(k.wire) == k.utf8);
  }
}

TEST_CASE("mutf7: non-canonical and malformed forms are rejected with their offset",
          "[imap][mutf7]") {
  struct bad {
    std::string_view wire;
    errc error;
    std::size_t offset;
  };
  const bad table[] = {
      {"&AGE-", errc::mutf7_ascii_encoded, 3},          // "a" encoded
      {"&ACY-", errc::mutf7_ascii_encoded, 3},          // "&" encoded instead of "&-"
      {"x&AOkAYQ-", errc::mutf7_ascii_encoded, 7},      // e-acute then "a" in one run
      {"&AOk-&AOk-", errc::mutf7_adjacent_runs, 5},     // must be "&AOkA6Q-"
      {"&AOl-", errc::mutf7_bad_padding, 3},            // pad bits 01
      {"&AOkA-", errc::mutf7_bad_padding, 4},           // a leftover character
      {"&AOk", errc::mutf7_unterminated, 0},            // no "-"
      {"ab&AOk", errc::mutf7_unterminated, 2},
      {"&", errc::mutf7_unterminated, 0},
      {"&AO/-", errc::mutf7_bad_base64, 3},             // "/" is standard base64, not modified
      {"&AO=-", errc::mutf7_bad_base64, 3},             // no "=" padding
      {"&A k-", errc::mutf7_bad_base64, 2},
      {"&2D0-", errc::mutf7_bad_surrogate, 3},          // high surrogate alone
      {"&2D0AQQ-", errc::mutf7_bad_surrogate, 3},       // high surrogate then "A"
      {"&3gA-", errc::mutf7_bad_surrogate, 3},          // low surrogate alone
      {"a\xC3\xA9", errc::mutf7_eight_bit, 1},          // raw UTF-8
      {"a\tb", errc::mutf7_eight_bit, 1},               // a control character unencoded
      {"a\x7F", errc::mutf7_eight_bit, 1},
      {std::string_view("a\0", 2), errc::mutf7_eight_bit, 1},
  };
  for (const auto& b : table) {
    INFO(b.wire);
    mwtest::heap_copy h(b.wire);
    std::string out = "keep";
    const auto r = decode_mutf7(h.view(), out);
    CHECK(r.error == b.error);
    CHECK(r.error_offset == b.offset);
    CHECK(out == "keep");  // nothing appended on error
    const auto v = validate_mutf7(h.view());
    CHECK(v.error == b.error);
    CHECK(v.error_offset == b.offset);
  }
}

TEST_CASE("mutf7: leniencies are off by default and named", "[imap][mutf7]") {
  mutf7_options lax;
  lax.lenient_noncanonical = true;
  CHECK(dec("&AGE-", lax) == "a");
  CHECK(dec("&AOk-&AOk-", lax) == "\xC3\xA9\xC3\xA9");
  CHECK(dec("&AOl-", lax) == "\xC3\xA9");
  CHECK(dec("&AOk", lax) == "\xC3\xA9");
  std::string out;
  CHECK(decode_mutf7("&AO/-", out, lax).error == errc::mutf7_bad_base64);  // still not base64
  CHECK(decode_mutf7("&2D0-", out, lax).error == errc::mutf7_bad_surrogate);
  CHECK(decode_mutf7("a\xC3\xA9", out, lax).error == errc::mutf7_eight_bit);

  mutf7_options raw;
  raw.lenient_raw_utf8 = true;
  CHECK(dec("a\xC3\xA9", raw) == "a\xC3\xA9");
  CHECK(decode_mutf7("a\xC3", out, raw).error == errc::mutf7_eight_bit);  // ill-formed UTF-8
  CHECK(decode_mutf7("a\xC0\x80", out, raw).error_offset == 1);          // overlong
  CHECK(decode_mutf7("&AGE-", out, raw).error == errc::mutf7_ascii_encoded);
}

TEST_CASE("mutf7: encoding refuses ill-formed UTF-8", "[imap][mutf7]") {
  struct bad {
    std::string_view utf8;
    std::size_t offset;
  };
  const bad table[] = {
      {"a\x80", 1},                  // continuation byte first
      {"ab\xC3", 2},                 // truncated
      {"\xC0\xAF", 0},               // overlong "/"
      {"x\xED\xA0\x80", 1},          // encoded surrogate
      {"\xF4\x90\x80\x80", 0},       // above U+10FFFF
      {"\xC3\xA9\xFF", 2},
  };
  for (const auto& b : table) {
    INFO(b.utf8);
    std::string out = "keep";
    const auto r = encode_mutf7(b.utf8, out);
    CHECK(r.error == errc::bad_utf8);
    CHECK(r.error_offset == b.offset);
    CHECK(out == "keep");
  }
}

TEST_CASE("mutf7: random UTF-8 round trips and the encoding is canonical", "[imap][mutf7]") {
  std::mt19937 rng(20240607);
  for (int iter = 0; iter < 5000; ++iter) {
    std::string utf8;
    const int len = static_cast<int>(rng() % 12);
    for (int k = 0; k < len; ++k) random_char(rng, utf8);
    std::string wire;
    REQUIRE(encode_mutf7(utf8, wire).ok());
    INFO(wire);
    for (char c : wire) REQUIRE((c >= 0x20 && c <= 0x7E));
    CHECK(dec(wire) == utf8);
  }
}

TEST_CASE("mutf7: strict decode accepts x exactly when encode(decode(x)) == x", "[imap][mutf7]") {
  // Random short strings over the characters that matter: every accepted one is canonical,
  // and every canonical one (made by the encoder) is accepted (previous test).
  const std::string_view alphabet = "&-AaQ0+,/2D3eOkZ -\xC3";
  std::mt19937 rng(7);
  int accepted = 0;
  for (int iter = 0; iter < 200000; ++iter) {
    std::string x;
    const int len = static_cast<int>(rng() % 10);
    for (int k = 0; k < len; ++k) x.push_back(alphabet[rng() % alphabet.size()]);
    std::string utf8;
    if (!decode_mutf7(x, utf8).ok()) continue;
    ++accepted;
    std::string again;
    REQUIRE(encode_mutf7(utf8, again).ok());
    INFO(x);
    REQUIRE(again == x);
  }
  CHECK(accepted > 1000);
}
