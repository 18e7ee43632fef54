// Tests of mailwire/rfc5322/writer.hpp: folding at 78 columns, RFC 2047 encoding of non-ASCII,
// RFC 6532 UTF-8, addresses, and that no input can put a CR, LF or NUL inside a value.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "mailwire/rfc5322/encoded_word.hpp"
#include "mailwire/rfc5322/header.hpp"
#include "mailwire/rfc5322/writer.hpp"

namespace r = mailwire::rfc5322;
using r::write_errc;

namespace {
// Every line of a written field: at most `limit` octets, CRLF only at line ends, continuation
// lines start with WSP, no NUL.
void check_lines(const std::string& f, std::size_t limit = 78) {
  REQUIRE(f.size() >= 2);
  REQUIRE(f.substr(f.size() - 2) == "\r\n");
  std::size_t start = 0;
  bool first = true;
  while (start < f.size()) {
    const std::size_t e = f.find("\r\n", start);
    REQUIRE(e != std::string::npos);
    const std::string line = f.substr(start, e - start);
    CHECK(line.size() <= limit);
    CHECK(line.find('\r') == std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\0') == std::string::npos);
    if (!first) CHECK((line[0] == ' ' || line[0] == '\t'));
    first = false;
    start = e + 2;
  }
}

// The value of a written field, unfolded, as a reader sees it.
std::string read_value(const std::string& f) {
  const auto b = r::parse_header_block(f);
  REQUIRE(b.fields.size() == 1);
  return r::unfold(b.fields[0].raw_value);
}
}  // namespace

TEST_CASE("writer: unstructured ASCII is folded at whitespace, kept otherwise", "[rfc5322][writer]") {
  std::string f;
  REQUIRE(r::append_unstructured(f, "Subject", "Hello world") == write_errc::ok);
  CHECK(f == "Subject: Hello world\r\n");
  f.clear();
  std::string text;
  for (int i = 0; i < 40; ++i) text += "word" + std::to_string(i) + (i % 3 ? " " : "  ");
  text += "end";
  REQUIRE(r::append_unstructured(f, "Subject", text) == write_errc::ok);
  check_lines(f);
  CHECK(read_value(f) == " " + text);  // unfolding gives back every byte of whitespace
}

TEST_CASE("writer: non-ASCII unstructured text becomes encoded-words", "[rfc5322][writer]") {
  std::string f;
  const std::string subject = "Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln, o\xC3\xB9 l'\xC3\xA9t\xC3\xA9 est d\xC3\xA9j\xC3\xA0 l\xC3\xA0";
  REQUIRE(r::append_unstructured(f, "Subject", subject) == write_errc::ok);
  check_lines(f);
  CHECK(f.find("=?utf-8?") != std::string::npos);
  std::string decoded;
  (void)r::decode_unstructured(read_value(f), decoded);
  CHECK(decoded.substr(1) == subject);
  // RFC 6532: raw UTF-8 when the host allows it.
  f.clear();
  r::writer_options o;
  o.allow_utf8 = true;
  REQUIRE(r::append_unstructured(f, "Subject", subject, o) == write_errc::ok);
  CHECK(f == "Subject: " + subject + "\r\n");
  // Text that merely looks like an encoded-word is encoded, so that it reads back as written.
  f.clear();
  REQUIRE(r::append_unstructured(f, "Subject", "=?utf-8?q?not_a_word?=") == write_errc::ok);
  decoded.clear();
  (void)r::decode_unstructured(read_value(f), decoded);
  CHECK(decoded == " =?utf-8?q?not_a_word?=");
}

TEST_CASE("writer: header injection is impossible", "[rfc5322][writer][security]") {
  std::string f;
  REQUIRE(r::append_unstructured(f, "Subject", "hi\r\nBcc: victim@example.org\r\n\r\nbody") == write_errc::ok);
  check_lines(f);
  const auto b = r::parse_header_block(f);
  REQUIRE(b.fields.size() == 1);
  CHECK(b.body_offset == f.size());
  std::string nul("a\0b", 3);
  f.clear();
  REQUIRE(r::append_unstructured(f, "Subject", nul) == write_errc::ok);
  CHECK(f.find('\0') == std::string::npos);

  f.clear();
  CHECK(r::append_structured(f, "Message-ID", "<a@b>\r\nBcc: x@y") == write_errc::forbidden_character);
  CHECK(r::append_structured(f, "X-Null", std::string("a\0b", 3)) == write_errc::forbidden_character);
  CHECK(r::append_structured(f, "Bad Name", "x") == write_errc::invalid_field_name);
  CHECK(r::append_structured(f, "Bad:Name", "x") == write_errc::invalid_field_name);
  CHECK(r::append_structured(f, "", "x") == write_errc::invalid_field_name);
  CHECK(r::append_unstructured(f, "Bad\nName", "x") == write_errc::invalid_field_name);
  const r::address_spec evil[] = {{"Eve\r\nBcc: x@y", "eve", "example.org"}};
  CHECK(r::append_address_list(f, "To", evil) == write_errc::forbidden_character);
  const r::address_spec evil2[] = {{"", "eve\n", "example.org"}};
  CHECK(r::append_address_list(f, "To", evil2) == write_errc::forbidden_character);
  CHECK(f.empty());  // nothing appended by failed calls

  // Random text through the unstructured writer never produces more than one field.
  std::mt19937 rng(5322);
  for (int n = 0; n < 500; ++n) {
    std::string t;
    const int len = static_cast<int>(rng() % 300);
    for (int i = 0; i < len; ++i) t.push_back(static_cast<char>(rng() % 4 ? 32 + rng() % 95 : rng() % 256));
    std::string g;
    REQUIRE(r::append_unstructured(g, "Subject", t) == write_errc::ok);
    CAPTURE(t);
    check_lines(g);
    const auto blk = r::parse_header_block(g);
    CHECK(blk.fields.size() == 1);
    CHECK(blk.body_offset == g.size());
  }
}

TEST_CASE("writer: structured values fold outside quoted strings and comments", "[rfc5322][writer]") {
  std::string f;
  std::string refs;
  for (int i = 0; i < 12; ++i) refs += "<message." + std::to_string(i) + "@mail.example.org> ";
  refs += "(a comment that must stay whole) \"a quoted string stays whole\"";
  REQUIRE(r::append_structured(f, "References", refs) == write_errc::ok);
  check_lines(f);
  CHECK(f.find("(a comment that must stay whole)") != std::string::npos);
  CHECK(f.find("\"a quoted string stays whole\"") != std::string::npos);
  f.clear();
  CHECK(r::append_structured(f, "X-Long", std::string(998, 'x')) == write_errc::line_too_long);
  CHECK(r::append_structured(f, "X-Ok", std::string(900, 'x')) == write_errc::ok);
  CHECK(r::append_structured(f, "X-Utf8", "caf\xC3\xA9") == write_errc::forbidden_character);
}

TEST_CASE("writer: address lists", "[rfc5322][writer]") {
  std::string f;
  const r::address_spec to[] = {
      {"J\xC3\xB6rg M\xC3\xBC" "ller", "joerg.mueller", "example.com"},
      {"", "ann", "example.org"},
      {"Smith, John Q.", "john", "example.net"},
      {"Plain Name", "odd local", "[192.0.2.1]"},
  };
  REQUIRE(r::append_address_list(f, "To", to) == write_errc::ok);
  check_lines(f);
  const std::string v = read_value(f);
  CHECK(v.find(", ann@example.org, ") != std::string::npos);
  CHECK(v.find("\"Smith, John Q.\" <john@example.net>") != std::string::npos);
  CHECK(v.ends_with(", Plain Name <\"odd local\"@[192.0.2.1]>"));
  CHECK(f.find("=?utf-8?") != std::string::npos);
  const r::address_spec bad[] = {{"", "", "example.org"}};
  CHECK(r::append_address_list(f, "To", bad) == write_errc::invalid_address);
  const r::address_spec utf[] = {{"", "j\xC3\xB6rg", "example.org"}};
  CHECK(r::append_address_list(f, "To", utf) == write_errc::invalid_address);
  r::writer_options o;
  o.allow_utf8 = true;
  std::string g;
  CHECK(r::append_address_list(g, "To", utf, o) == write_errc::ok);
  CHECK(g == "To: j\xC3\xB6rg@example.org\r\n");
  std::vector<r::address_spec> many(200, r::address_spec{"N\xC3\xA4me", "someone", "example.org"});
  g.clear();
  REQUIRE(r::append_address_list(g, "Cc", many) == write_errc::ok);
  check_lines(g);
}
