// Tests of mailwire/imap/fetch.hpp: sections, partial ranges and FETCH attributes
// (RFC 9051 / RFC 3501 section 6.4.5, RFC 3516, RFC 7162, RFC 8474, RFC 8514, RFC 8970).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "imap_value_testing.hpp"
#include "mailwire/imap/fetch.hpp"

using namespace mailwire::imap;
using mailwire::status;

namespace {

limits auth_limits() {
  limits l;
  l.authenticated = true;
  return l;
}

const auto atts = [](std::string_view s) { return parse_fetch_attributes(s, auth_limits(), {}); };

std::string rewrite(std::string_view text) {
  // Parses `text` followed by CRLF and writes it back.
  const std::string in = std::string(text) + "\r\n";
  const auto p = mwtest::parse_checked(atts, in);
  INFO(std::string(text));
  REQUIRE(p.r.ok());
  REQUIRE(p.r.consumed == text.size());
  std::string out;
  REQUIRE(write_fetch_attributes(out, p.r.value) == errc::ok);
  return out;
}

}  // namespace

TEST_CASE("imap fetch: RFC examples re-serialize byte for byte", "[imap][fetch]") {
  const char* cases[] = {
      "(FLAGS BODY[HEADER.FIELDS (DATE FROM)])",   // RFC 3501 / 9051 section 6.4.5 example
      "full",                                      // RFC 3501 section 8 (a003 fetch 12 full)
      "body[header]",                              // RFC 3501 section 8 (a004)
      "(BODY[HEADER.FIELDS (DATE FROM)])",
      "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)",  // ALL expanded
      "ALL", "FAST", "FULL",
      "BODYSTRUCTURE",
      "(UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID)])",
      "BODY[TEXT]<0.2048>",                        // partial (section 6.4.5)
      "BODY[1.2.3.MIME]",
      "BODY[4.2.2.1]",
      "BODY[]<100.50>",
      "(BINARY.PEEK[1]<0.4096> BINARY.SIZE[1.2])",  // RFC 3516 section 4.1
      "(BINARY[] BINARY.SIZE[])",
      "(FLAGS MODSEQ)",                            // RFC 7162 section 3.1.4.1
      "(EMAILID THREADID)",                        // RFC 8474 section 5
      "(SAVEDATE)",                                // RFC 8514 section 4
      "(UID PREVIEW (LAZY))",                      // RFC 8970 section 3.1
      "PREVIEW",
      "(RFC822 RFC822.HEADER RFC822.TEXT BODY)",   // RFC 3501
      "(BODY[HEADER.FIELDS.NOT (\"Received\" {4}\r\nX-Ya)])",
  };
  for (const char* c : cases) CHECK(rewrite(c) == c);
}

TEST_CASE("imap fetch: parsed values", "[imap][fetch]") {
  const std::string in = "(FLAGS body.peek[1.2.HEADER.FIELDS (DATE \"FROM\")]<5.10> BINARY.SIZE[3] PREVIEW (lazy))\r\n";
  const auto p = mwtest::parse_checked(atts, in);
  REQUIRE(p.r.ok());
  CHECK(p.r.value.size() == 4);
  CHECK(p.r.value.parenthesized());
  const auto v = p.r.value.to_vector();
  REQUIRE(v.size() == 4);
  CHECK(v[0].item == fetch_item::flags);
  CHECK(v[1].item == fetch_item::body_section);
  CHECK(v[1].peek);
  CHECK(v[1].section.part() == "1.2");
  CHECK(v[1].section.part_depth() == 2);
  std::vector<std::uint32_t> parts;
  v[1].section.for_each_part([&](std::uint32_t x) { parts.push_back(x); });
  CHECK(parts == std::vector<std::uint32_t>{1, 2});
  CHECK(v[1].section.text() == section_text::header_fields);
  std::vector<std::string> fields;
  v[1].section.for_each_field([&](const string_value& s) { fields.push_back(s.content()); });
  CHECK(fields == std::vector<std::string>{"DATE", "FROM"});
  CHECK(v[1].partial == partial_range{true, true, 5, 10});
  CHECK(v[2].item == fetch_item::binary_size);
  CHECK(v[2].section.part() == "3");
  CHECK(v[3].item == fetch_item::preview);
  CHECK(v[3].preview_lazy);
  std::string out;
  REQUIRE(write_fetch_attributes(out, p.r.value) == errc::ok);
  CHECK(out == in.substr(0, in.size() - 2));  // kept as written, lower case included

  // Host-built attributes are written upper case; equality ignores the spelling.
  fetch_attribute a = v[1];
  a.name = {};
  out.clear();
  REQUIRE(write_fetch_attribute(out, a) == errc::ok);
  CHECK(out == "BODY.PEEK[1.2.HEADER.FIELDS (DATE \"FROM\")]<5.10>");
  CHECK(a == v[1]);
  const auto q = parse_fetch_attributes("(flags BODY.PEEK[1.2.header.fields (date from)]<5.10> binary.size[3] preview (LAZY))\r\n");
  REQUIRE(q.ok());
  CHECK(q.value == p.r.value);
  const auto r = parse_fetch_attributes("(FLAGS BODY.PEEK[1.2.HEADER.FIELDS (DATE FROM)]<5.11> BINARY.SIZE[3] PREVIEW (LAZY))\r\n");
  REQUIRE(r.ok());
  CHECK_FALSE(r.value == p.r.value);
}

TEST_CASE("imap fetch: response form", "[imap][fetch]") {
  const auto r = parse_fetch_attribute("BODY[1.TEXT]<0> {5}", {}, {}, fetch_form::response);
  REQUIRE(r.ok());
  CHECK(r.consumed == 15);
  CHECK(r.value.partial == partial_range{true, false, 0, 0});
  std::string out;
  REQUIRE(write_fetch_attribute(out, r.value, {}, fetch_form::response) == errc::ok);
  CHECK(out == "BODY[1.TEXT]<0>");
  // No PEEK and no "<a.b>" in responses.
  CHECK(parse_fetch_attribute("BODY.PEEK[] ", {}, {}, fetch_form::response).error == errc::bad_fetch_attribute);
  const auto e = parse_fetch_attribute("BODY[]<0.5> ", {}, {}, fetch_form::response);
  CHECK(e.error == errc::bad_partial);
  CHECK(e.error_offset == 8);
  out.clear();
  CHECK(write_fetch_attribute(out, r.value, {}, fetch_form::request) == errc::local_invalid_value);
  CHECK(out.empty());
  const auto s = parse_section("[]<", {}, {}, true);
  REQUIRE(s.ok());
  CHECK(s.consumed == 2);
  const auto pr = parse_partial("<12>", true);
  REQUIRE(pr.ok());
  CHECK(pr.value.origin == 12);
}

TEST_CASE("imap fetch: rejects with offsets", "[imap][fetch]") {
  struct bad {
    const char* in;
    errc e;
    std::size_t at;
  };
  const bad table[] = {
      {"BODY[0] ", errc::bad_section, 5},
      {"BODY[1.0] ", errc::bad_section, 7},
      {"BODY[01] ", errc::bad_section, 5},
      {"BODY[HEADER.FIELDS ()] ", errc::bad_section, 20},
      {"BODY[HEADER.FIELDS] ", errc::bad_section, 18},
      {"BODY[HEADER.FIELDS  (A)] ", errc::bad_section, 19},
      {"BODY[MIME] ", errc::bad_section, 5},
      {"BODY[1.FOO] ", errc::bad_section, 7},
      {"BODY[TEXT ", errc::bad_section, 9},
      {"BODY[1.] ", errc::bad_section, 7},
      {"BODY.PEEK ", errc::bad_section, 9},
      {"BINARY[1.TEXT] ", errc::bad_section, 8},
      {"BINARY.SIZE[HEADER] ", errc::bad_section, 12},
      {"BODY[]<1> ", errc::bad_partial, 8},
      {"BODY[]<1.0> ", errc::bad_partial, 9},
      {"BODY[]<x> ", errc::bad_partial, 7},
      {"BODY[]<99999999999999999999.1> ", errc::number_overflow, 25},
      {"BODY[4294967296] ", errc::number_overflow, 14},
      {"FOO ", errc::bad_fetch_attribute, 0},
      {"(FLAGS  UID) ", errc::bad_fetch_attribute, 7},
      {"() ", errc::bad_fetch_attribute, 1},
      {"(FLAGS UID] ", errc::bad_fetch_attribute, 10},
      {"FL\xC3\xA9 ", errc::eight_bit_not_allowed, 2},
      {"BODY[HEADER.FIELDS (A\xC3\xA9)] ", errc::eight_bit_not_allowed, 21},
  };
  for (const auto& b : table) {
    INFO(b.in);
    const auto p = mwtest::parse_checked(atts, b.in);
    REQUIRE(p.r.st == status::error);
    CHECK(p.r.error == b.e);
    CHECK(p.r.error_offset == b.at);
  }
}

TEST_CASE("imap fetch: limits", "[imap][fetch]") {
  limits l = auth_limits();
  l.list_items = 2;
  CHECK(parse_fetch_attributes("(FLAGS UID)\r\n", l).ok());
  const auto r = parse_fetch_attributes("(FLAGS UID ENVELOPE)\r\n", l);
  CHECK(r.error == errc::list_too_long);
  CHECK(r.error_offset == 11);
  const auto h = parse_fetch_attributes("BODY[HEADER.FIELDS (A B C)]\r\n", l);
  CHECK(h.error == errc::list_too_long);
  CHECK(h.error_offset == 24);
}

TEST_CASE("imap fetch: random attribute lists round trip", "[imap][fetch]") {
  std::mt19937 rng(7);
  const char* plain[] = {"ENVELOPE", "FLAGS", "INTERNALDATE", "RFC822", "RFC822.HEADER", "RFC822.SIZE",
                         "RFC822.TEXT", "BODY", "BODYSTRUCTURE", "UID", "MODSEQ", "EMAILID",
                         "THREADID", "SAVEDATE", "PREVIEW"};
  const char* texts[] = {"", "HEADER", "TEXT", "MIME", "HEADER.FIELDS", "HEADER.FIELDS.NOT"};
  const char* names[] = {"DATE", "\"Subject\"", "{2}\r\nTo", "X-A"};
  for (int round = 0; round < 500; ++round) {
    std::string s = "(";
    const int n = 1 + static_cast<int>(rng() % 5);
    for (int k = 0; k < n; ++k) {
      if (k) s += ' ';
      const unsigned kind = rng() % 4;
      if (kind == 0) {
        s += plain[rng() % 15];
        continue;
      }
      std::string part;
      const unsigned depth = rng() % 3;
      for (unsigned d = 0; d < depth; ++d) part += (d ? "." : "") + std::to_string(1 + rng() % 30);
      if (kind == 3) {
        s += (rng() % 2) ? "BINARY.SIZE[" + part + "]" : ((rng() % 2 ? "BINARY.PEEK[" : "BINARY[") + part + "]");
      } else {
        std::string t = texts[rng() % 6];
        if (t == "MIME" && part.empty()) t = "TEXT";
        s += (rng() % 2) ? "BODY[" : "BODY.PEEK[";
        s += part;
        if (!part.empty() && !t.empty()) s += '.';
        s += t;
        if (t.size() > 6) {
          s += " (";
          const unsigned f = 1 + rng() % 3;
          for (unsigned j = 0; j < f; ++j) s += std::string(j ? " " : "") + names[rng() % 4];
          s += ')';
        }
        s += ']';
      }
      if (s.compare(s.size() - 1, 1, "]") == 0 && s.find("BINARY.SIZE[", s.rfind(' ') == std::string::npos ? 0 : s.rfind(' ')) == std::string::npos &&
          rng() % 2)
        s += "<" + std::to_string(rng() % 1000) + "." + std::to_string(1 + rng() % 1000) + ">";
    }
    s += ')';
    INFO(s);
    const std::string in = s + "\r\n";
    const auto p = parse_fetch_attributes(in, auth_limits());
    REQUIRE(p.ok());
    std::string out;
    REQUIRE(write_fetch_attributes(out, p.value) == errc::ok);
    CHECK(out == s);
    // Host-built list from the values (names not kept) gives the same canonical text.
    auto v = p.value.to_vector();
    for (auto& a : v) a.name = {};
    std::string out2;
    REQUIRE(write_fetch_attributes(out2, std::span<const fetch_attribute>(v)) == errc::ok);
    CHECK(out2 == s);
    const std::string in2 = out2 + "\r\n";
    const auto q = parse_fetch_attributes(in2, auth_limits());
    REQUIRE(q.ok());
    CHECK(q.value == p.value);
  }
}
