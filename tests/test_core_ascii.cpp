// Tests of mailwire/core/ascii.hpp: character classes against the RFC grammars.
#include <catch2/catch.hpp>

#include <mailwire/core/ascii.hpp>

#include <string_view>

using namespace mailwire::ascii;

TEST_CASE("ascii: RFC 5322 atext and specials partition the visible characters", "[core][ascii]") {
  // RFC 5322 section 3.2.3: every VCHAR is atext or a special, never both.
  for (int c = 0x21; c <= 0x7e; ++c) {
    const char ch = static_cast<char>(c);
    INFO("character " << ch);
    CHECK(is_vchar(ch));
    CHECK(is_atext(ch) != is_special(ch));
  }
  CHECK(is_atext('!'));
  CHECK(is_atext('~'));
  CHECK_FALSE(is_atext('@'));
  CHECK_FALSE(is_atext(' '));
  CHECK(is_special('"'));
  CHECK_FALSE(is_vchar(' '));
  CHECK_FALSE(is_vchar('\x7f'));
  CHECK_FALSE(is_atext('\0'));
}

TEST_CASE("ascii: RFC 2045 tokens and tspecials", "[core][ascii]") {
  for (char c : std::string_view("()<>@,;:\\\"/[]?=")) CHECK(is_tspecial(c));
  CHECK(is_mime_token('a'));
  CHECK(is_mime_token('-'));
  CHECK(is_mime_token('.'));
  CHECK_FALSE(is_mime_token('/'));
  CHECK_FALSE(is_mime_token(' '));
  CHECK_FALSE(is_mime_token('\x01'));
}

TEST_CASE("ascii: hex digits, case mapping, comparisons", "[core][ascii]") {
  CHECK(hex_value('0') == 0);
  CHECK(hex_value('9') == 9);
  CHECK(hex_value('A') == 10);
  CHECK(hex_value('f') == 15);
  CHECK(hex_value('g') == -1);
  CHECK(hex_value('\xc3') == -1);
  for (unsigned n = 0; n < 16; ++n) CHECK(hex_value(hex_digit_upper(n)) == static_cast<int>(n));
  CHECK(hex_digit_upper(11) == 'B');
  CHECK(to_lower('Q') == 'q');
  CHECK(to_lower('\xc4') == '\xc4');  // no locale: 8-bit octets are untouched
  CHECK(to_upper('z') == 'Z');
  CHECK(iequals("Content-Type", "CONTENT-type"));
  CHECK_FALSE(iequals("Content-Type", "Content-Typ"));
  CHECK_FALSE(iequals("a", "\xc1"));
  CHECK(istarts_with("EHLO example.org", "ehlo"));
  CHECK_FALSE(istarts_with("EH", "ehlo"));
  CHECK(is_wsp(' '));
  CHECK(is_wsp('\t'));
  CHECK_FALSE(is_wsp('\n'));
  CHECK(is_ctl('\x7f'));
  CHECK(is_8bit('\x80'));
  CHECK_FALSE(is_8bit('\x7f'));
  static_assert(is_alpha('x') && is_digit('7') && is_hexdig('E'));
}

TEST_CASE("ascii: UTF-8 sequence lengths follow RFC 3629 section 4", "[core][ascii]") {
  auto len = [](std::string_view s) { return utf8_sequence_length(s.data(), s.data() + s.size()); };
  CHECK(len("\xC3\xA9") == 2);            // U+00E9
  CHECK(len("\xE2\x98\x83") == 3);        // U+2603
  CHECK(len("\xF0\x9F\x98\x80") == 4);    // U+1F600
  CHECK(len("\xF4\x8F\xBF\xBF") == 4);    // U+10FFFF, the last one
  CHECK(len("\xC0\xAF") == 0);            // overlong "/"
  CHECK(len("\xE0\x80\xAF") == 0);        // overlong
  CHECK(len("\xED\xA0\x80") == 0);        // surrogate U+D800
  CHECK(len("\xF4\x90\x80\x80") == 0);    // over U+10FFFF
  CHECK(len("\xF5\x80\x80\x80") == 0);
  CHECK(len("\x80") == 0);                // a continuation octet alone
  CHECK(len("\xE2\x98") == 0);            // cut short by the end
  CHECK(len("\xE2\x28\xA1") == 0);        // bad continuation
}

TEST_CASE("ascii: append_decimal", "[core][ascii]") {
  std::string s = "n=";
  append_decimal(s, 0);
  s += ',';
  append_decimal(s, 4294967295u);
  s += ',';
  append_decimal(s, 18446744073709551615ull);
  CHECK(s == "n=0,4294967295,18446744073709551615");
}
