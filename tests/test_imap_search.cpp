// Tests of mailwire/imap/search.hpp: search keys (RFC 9051 / RFC 3501 section 6.4.4 and the
// extensions RFC 7162, 5032, 8474, 8514, 5182) and ESEARCH RETURN options (RFC 4731).
#include <catch2/catch.hpp>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "imap_value_testing.hpp"
#include "mailwire/imap/search.hpp"

using namespace mailwire::imap;
using mailwire::status;

namespace {

limits auth_limits() {
  limits l;
  l.authenticated = true;
  return l;
}

struct program_parse {
  search_program p;
  parse_result<std::size_t> r;
};

std::string rewrite(std::string_view text, const limits& lim = auth_limits()) {
  const std::string in = std::string(text) + "\r\n";
  search_program p;
  const auto fn = [&](std::string_view s) { return parse_search_program(s, p, lim, {}); };
  const auto r = mwtest::parse_checked(fn, in);
  INFO(std::string(text));
  REQUIRE(r.r.ok());
  REQUIRE(r.r.consumed == text.size());
  // p holds views of r's buffer: re-parse into p from that buffer for the writer.
  search_program q;
  const auto again = parse_search_program(r.buf->view(), q, lim, {});
  REQUIRE(again.ok());
  std::string out;
  REQUIRE(write_search_program(out, q) == errc::ok);
  return out;
}

}  // namespace

TEST_CASE("imap search: RFC examples re-serialize byte for byte", "[imap][search]") {
  const char* cases[] = {
      "FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"",  // RFC 3501 / 9051 section 6.4.4
      "TEXT \"string not in mailbox\"",               // RFC 3501 section 6.4.4
      "CHARSET UTF-8 TEXT {6}\r\nXXXXXX",            // RFC 3501 section 6.4.4
      "DELETED FROM \"SMITH\" SINCE 1-Feb-1994",      // section 6.4.4 text
      "OR DELETED FROM \"SMITH\"",
      "NOT OR DELETED FROM smith",
      "(OR DELETED SEEN) UNANSWERED",
      "2,4:7,9,12:* UID 1:100",
      "HEADER Message-ID \"<a@b>\"",
      "KEYWORD $Forwarded UNKEYWORD $Junk",
      "LARGER 50000 SMALLER 1000000",
      "NEW OLD RECENT ALL ANSWERED DRAFT UNDRAFT UNFLAGGED UNDELETED UNSEEN",
      "BEFORE 1-Jan-2000 ON 01-Jan-2000 SENTBEFORE 2-Feb-2002 SENTON 3-Mar-2003 SENTSINCE \"4-Apr-2004\"",
      "BCC a CC b BODY c SUBJECT d TO e",
      "MODSEQ \"/flags/\\\\draft\" all 620162338",   // RFC 7162 section 3.1.5
      "OR NOT MODSEQ 720162338 LARGER 50000",        // RFC 7162 section 3.1.5
      "UNSEEN YOUNGER 259200",                       // RFC 5032 section 3
      "OLDER 3600",
      "EMAILID M6d99ac3275bb4e",                     // RFC 8474 section 6
      "THREADID T64b478a75b7ea9",
      "SAVEDBEFORE 1-Jan-2020 SAVEDON 2-Jan-2020 SAVEDSINCE 3-Jan-2020 SAVEDATESUPPORTED",  // RFC 8514
      "$",                                           // RFC 5182 section 2.1
      "UID $ NOT DELETED",
      "flagged since 1-Feb-1994",                    // key names kept as written
  };
  for (const char* c : cases) CHECK(rewrite(c) == c);
}

TEST_CASE("imap search: tree in prefix order", "[imap][search]") {
  const std::string in = "OR FROM smith (SINCE 1-Feb-1994 UNSEEN) HEADER X-A \"b c\"\r\n";
  search_program p;
  const auto r = parse_search_program(in, p, auth_limits());
  REQUIRE(r.ok());
  CHECK(r.consumed == in.size() - 2);
  CHECK(p.top_level == 2);
  REQUIRE(p.nodes.size() == 6);
  CHECK(p.nodes[0].key == search_key::or_);
  CHECK(p.nodes[0].children == 2);
  CHECK(p.nodes[1].key == search_key::from);
  CHECK(p.nodes[1].str.content() == "smith");
  CHECK(p.nodes[2].key == search_key::group);
  CHECK(p.nodes[2].children == 2);
  CHECK(p.nodes[3].key == search_key::since);
  CHECK(p.nodes[3].date.year() == 1994);
  CHECK(p.nodes[4].key == search_key::unseen);
  CHECK(p.nodes[5].key == search_key::header);
  CHECK(p.nodes[5].str.content() == "X-A");
  CHECK(p.nodes[5].str2.content() == "b c");

  // Host-built nodes (no names kept) are written upper case and compare equal.
  search_program q = p;
  for (auto& n : q.nodes) n.name = {};
  std::string out;
  REQUIRE(write_search_program(out, q) == errc::ok);
  CHECK(out == "OR FROM smith (SINCE 1-Feb-1994 UNSEEN) HEADER X-A \"b c\"");
  CHECK(q == p);
  // An ill-formed tree is refused.
  q.nodes.pop_back();
  out.clear();
  CHECK(write_search_program(out, q) == errc::local_invalid_value);
  CHECK(out.empty());
}

TEST_CASE("imap search: rejects with offsets", "[imap][search]") {
  struct bad {
    const char* in;
    errc e;
    std::size_t at;
  };
  const bad table[] = {
      {"FOO\r\n", errc::bad_search_key, 0},
      {"FROM\r\n", errc::bad_search_key, 4},
      {"FROM  x\r\n", errc::bad_string, 5},
      {"(SEEN\r\n", errc::bad_search_key, 5},
      {"()\r\n", errc::bad_search_key, 1},
      {"SEEN)\r\n", errc::ok, 0},  // delimited: ")" ends the program
      {"0\r\n", errc::bad_sequence_set, 0},
      {"1:\r\n", errc::bad_sequence_set, 2},
      {"UID 0\r\n", errc::bad_sequence_set, 4},
      {"SINCE 30-Feb-1994\r\n", errc::bad_date, 6},
      {"LARGER x\r\n", errc::bad_number, 7},
      {"LARGER 99999999999999999999\r\n", errc::number_overflow, 25},
      {"OLDER 0\r\n", errc::bad_number, 6},
      {"KEYWORD \\Seen\r\n", errc::bad_flag, 8},
      {"OR SEEN\r\n", errc::bad_search_key, 7},
      {"NOT\r\n", errc::bad_search_key, 3},
      {"MODSEQ \"/flags/\\\\Seen\" none 5\r\n", errc::bad_search_key, 23},
      {"MODSEQ \"/foo\" all 5\r\n", errc::bad_search_key, 7},
      {"EMAILID a.b\r\n", errc::ok, 0},
      {"EMAILID \r\n", errc::bad_search_key, 8},
      {"SUBJECT caf\xC3\xA9\r\n", errc::eight_bit_not_allowed, 11},
      {"SEEN  DELETED\r\n", errc::bad_search_key, 5},
  };
  for (const auto& b : table) {
    INFO(b.in);
    search_program p;
    const auto fn = [&](std::string_view s) { return parse_search_program(s, p, auth_limits(), {}); };
    const auto r = mwtest::parse_checked(fn, b.in);
    if (b.e == errc::ok) {
      CHECK(r.r.ok());
      continue;
    }
    REQUIRE(r.r.st == status::error);
    CHECK(r.r.error == b.e);
    CHECK(r.r.error_offset == b.at);
  }
}

TEST_CASE("imap search: limits", "[imap][search]") {
  limits l = auth_limits();
  l.search_depth = 3;
  search_program p;
  CHECK(parse_search_program("NOT NOT NOT SEEN\r\n", p, l).ok());
  auto r = parse_search_program("NOT NOT NOT NOT SEEN\r\n", p, l);
  CHECK(r.error == errc::search_too_deep);
  CHECK(r.error_offset == 12);
  r = parse_search_program("((((SEEN))))\r\n", p, l);
  CHECK(r.error == errc::search_too_deep);
  CHECK(r.error_offset == 3);
  // Parentheses also obey the nesting limit (1 before authentication).
  limits pre;
  CHECK(parse_search_program("(SEEN)\r\n", p, pre).ok());
  r = parse_search_program("((SEEN))\r\n", p, pre);
  CHECK(r.error == errc::nesting_too_deep);
  CHECK(r.error_offset == 1);
  // Node count.
  l = auth_limits();
  l.list_items = 3;
  CHECK(parse_search_program("SEEN SEEN SEEN\r\n", p, l).ok());
  r = parse_search_program("SEEN SEEN SEEN SEEN\r\n", p, l);
  CHECK(r.error == errc::list_too_long);
  CHECK(r.error_offset == 15);
  // A deep nesting is refused without deep recursion.
  std::string deep(100000, '(');
  r = parse_search_program(deep, p, auth_limits());
  CHECK(r.error == errc::search_too_deep);
}

TEST_CASE("imap search: RETURN options", "[imap][search]") {
  const auto r = parse_search_return("(MIN COUNT) FLAGGED");
  REQUIRE(r.ok());
  CHECK(r.consumed == 11);
  CHECK(r.value.min);
  CHECK(r.value.count);
  CHECK_FALSE(r.value.max);
  std::string out;
  REQUIRE(write_search_return(out, r.value) == errc::ok);
  CHECK(out == "(MIN COUNT)");
  const auto e = parse_search_return("() ");
  REQUIRE(e.ok());
  CHECK(e.value.present);
  out.clear();
  search_return s;
  s.present = true;
  s.save = s.all = true;
  REQUIRE(write_search_return(out, s) == errc::ok);
  CHECK(out == "(ALL SAVE)");
  const auto bad = parse_search_return("(MIN FOO)");
  CHECK(bad.error == errc::bad_search_key);
  CHECK(bad.error_offset == 5);
  for (std::string_view prefix : {"", "(", "(MI", "(MIN ", "(MIN"}) CHECK(parse_search_return(prefix).st == status::need_more);
}

TEST_CASE("imap search: random programs round trip", "[imap][search]") {
  std::mt19937 rng(11);
  const char* leaves[] = {"SEEN", "UNSEEN", "FROM smith", "SUBJECT \"hello world\"", "TEXT {3}\r\nabc",
                          "SINCE 1-Feb-1994", "BEFORE \"12-Dec-2020\"", "LARGER 100", "UID 1:*", "3,5:9",
                          "KEYWORD $Junk", "HEADER X-Spam yes", "MODSEQ 5", "YOUNGER 60", "EMAILID abc-1",
                          "$", "ALL"};
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    const unsigned k = rng() % (depth > 4 ? 1 : 4);
    if (k == 0) return leaves[rng() % 17];
    if (k == 1) return "NOT " + gen(depth + 1);
    if (k == 2) return "OR " + gen(depth + 1) + " " + gen(depth + 1);
    std::string s = "(";
    const unsigned n = 1 + rng() % 3;
    for (unsigned j = 0; j < n; ++j) s += (j ? " " : "") + gen(depth + 1);
    return s + ")";
  };
  for (int round = 0; round < 300; ++round) {
    std::string s = rng() % 3 == 0 ? "CHARSET UTF-8 " : "";
    const unsigned n = 1 + rng() % 3;
    for (unsigned j = 0; j < n; ++j) s += (j ? " " : "") + gen(0);
    INFO(s);
    const std::string in = s + "\r\n";
    search_program p;
    const auto r = parse_search_program(in, p, auth_limits());
    REQUIRE(r.ok());
    std::string out;
    REQUIRE(write_search_program(out, p) == errc::ok);
    CHECK(out == s);
    const std::string in2 = out + "\r\n";
    search_program q;
    REQUIRE(parse_search_program(in2, q, auth_limits()).ok());
    CHECK(q == p);
  }
}
