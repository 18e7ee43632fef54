// Tests of mailwire/rfc5322/address.hpp: RFC 5322 appendix A addresses (A.1-A.6), obsolete forms
// of section 4.4, recovery and defects, a differential table against Python's email package
// (golden data), limits, hostile inputs and addr() round trips.
#include <catch2/catch.hpp>

#include "timing.hpp"

#include <mailwire/rfc5322/address.hpp>

#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace r = mailwire::rfc5322;
using r::errc;

namespace Catch {
template <>
struct StringMaker<r::defect> {
  static std::string convert(const r::defect& d) {
    return std::string(r::to_string(d.code)) + "@" + std::to_string(d.offset);
  }
};
}  // namespace Catch

namespace {

// (name, addr) of every mailbox, as the JSON of spec/inspect-mime-json.md shows them (mailboxes
// with an empty address left out).
using pairs = std::vector<std::pair<std::string, std::string>>;

pairs flat(const r::address_list& l) {
  pairs out;
  for (const auto& m : l.mailboxes)
    if (m.has_address()) out.emplace_back(m.name, m.addr());
  return out;
}
pairs flat(std::string_view v) { return flat(r::parse_address_list(v)); }

bool has(const std::vector<r::defect>& ds, errc e) {
  for (const auto& d : ds)
    if (d.code == e) return true;
  return false;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("address: RFC 5322 A.1 addressing examples") {
  SECTION("A.1.1") {
    const auto l = r::parse_address_list(" John Doe <jdoe@machine.example>");
    REQUIRE(l.mailboxes.size() == 1);
    const auto& m = l.mailboxes[0];
    CHECK(m.name == "John Doe");
    CHECK(m.local_part == "jdoe");
    CHECK(m.domain == "machine.example");
    CHECK(m.addr() == "jdoe@machine.example");
    CHECK(m.offset == 1);
    CHECK(l.defects.empty());
    CHECK(l.groups.empty());
    CHECK(flat(" Mary Smith <mary@example.net>") == pairs{{"Mary Smith", "mary@example.net"}});
  }
  SECTION("A.1.2") {
    CHECK(flat(" \"Joe Q. Public\" <john.q.public@example.com>") ==
          pairs{{"Joe Q. Public", "john.q.public@example.com"}});
    const auto to = r::parse_address_list(
        " Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>");
    CHECK(flat(to) ==
          pairs{{"Mary Smith", "mary@x.test"}, {"", "jdoe@example.org"}, {"Who?", "one@y.test"}});
    CHECK(to.defects.empty());
    const auto cc = r::parse_address_list(
        " <boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>");
    CHECK(flat(cc) == pairs{{"", "boss@nil.test"}, {"Giant; \"Big\" Box", "sysservices@example.net"}});
    CHECK(cc.defects.empty());
  }
  SECTION("A.1.3: groups") {
    CHECK(flat(" Pete <pete@silly.example>") == pairs{{"Pete", "pete@silly.example"}});
    const auto to =
        r::parse_address_list(" A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;");
    CHECK(flat(to) ==
          pairs{{"Ed Jones", "c@a.test"}, {"", "joe@where.test"}, {"John", "jdoe@one.test"}});
    REQUIRE(to.groups.size() == 1);
    CHECK(to.groups[0] == r::group{"A Group", 0, 3, 1});
    CHECK(to.members(to.groups[0]).size() == 3);
    CHECK(to.members(to.groups[0])[2].name == "John");
    CHECK(to.defects.empty());
    const auto cc = r::parse_address_list(" Undisclosed recipients:;");
    CHECK(cc.mailboxes.empty());
    REQUIRE(cc.groups.size() == 1);
    CHECK(cc.groups[0] == r::group{"Undisclosed recipients", 0, 0, 1});
    CHECK(cc.defects.empty());
  }
}

TEST_CASE("address: RFC 5322 A.2, A.3, A.4 examples") {
  CHECK(flat(" \"Mary Smith: Personal Account\" <smith@home.example>") ==
        pairs{{"Mary Smith: Personal Account", "smith@home.example"}});
  CHECK(flat(" Jane Brown <j-brown@other.example>") == pairs{{"Jane Brown", "j-brown@other.example"}});
  CHECK(flat(" John Doe <jdoe@node.example>") == pairs{{"John Doe", "jdoe@node.example"}});
}

TEST_CASE("address: RFC 5322 A.5 white space, comments and other oddities") {
  const auto from = r::parse_address_list(" Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>");
  CHECK(flat(from) == pairs{{"Pete", "pete@silly.test"}});
  CHECK(from.defects.empty());
  const auto to = r::parse_address_list(
      "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n"
      "         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)");
  CHECK(flat(to) == pairs{{"Chris Jones", "c@public.example"}, {"", "joe@example.org"},
                          {"John", "jdoe@one.test"}});
  REQUIRE(to.groups.size() == 1);
  CHECK(to.groups[0].name == "A Group");
  CHECK(to.groups[0].count == 3);
  CHECK(to.defects.empty());
  const auto cc = r::parse_address_list("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;");
  CHECK(cc.mailboxes.empty());
  REQUIRE(cc.groups.size() == 1);
  CHECK(cc.groups[0].name == "Hidden recipients");
  CHECK(cc.groups[0].count == 0);
  CHECK(cc.defects.empty());
}

TEST_CASE("address: RFC 5322 A.6 obsolete forms") {
  SECTION("A.6.1 obsolete addressing: route, empty element, CFWS around dots") {
    CHECK(flat(" Joe Q. Public <john.q.public@example.com>") ==
          pairs{{"Joe Q. Public", "john.q.public@example.com"}});
    const auto to =
        r::parse_address_list(" Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example");
    CHECK(flat(to) == pairs{{"Mary Smith", "mary@example.net"}, {"", "jdoe@test.example"}});
    CHECK(to.defects == std::vector<r::defect>{{errc::obsolete_route, 13},
                                               {errc::empty_list_element, 43},
                                               {errc::obsolete_syntax, 45}});
  }
  SECTION("A.6.3 obsolete white space and comments") {
    CHECK(flat(" John Doe <jdoe@machine(comment).  example>") ==
          pairs{{"John Doe", "jdoe@machine.example"}});
    CHECK(flat(" Mary Smith\r\n  \r\n <mary@example.net>") == pairs{{"Mary Smith", "mary@example.net"}});
  }
  SECTION("obs-phrase, obs-local-part, obs-route with several domains") {
    const auto p = r::parse_address_list("John Q. Public <j@x>");
    CHECK(flat(p) == pairs{{"John Q. Public", "j@x"}});
    CHECK(p.defects == std::vector<r::defect>{{errc::obsolete_syntax, 0}});
    const auto o = r::parse_address_list("\"a\".b@c");
    CHECK(o.mailboxes[0].local_part == "a.b");
    CHECK(flat(o) == pairs{{"", "a.b@c"}});
    CHECK(has(o.defects, errc::obsolete_syntax));
    CHECK(flat("a . b (c) . \"d\" @ e . f") == pairs{{"", "a.b.d@e.f"}});
    CHECK(flat("<@a.example,@b.example,,@c.example:x@y>") == pairs{{"", "x@y"}});
    CHECK(flat("Name < , @a : x@y >") == pairs{{"Name", "x@y"}});
  }
}

TEST_CASE("address: display names") {
  CHECK(flat("John   Smith <j@x>") == pairs{{"John Smith", "j@x"}});
  CHECK(flat("John \r\n\t Smith <j@x>") == pairs{{"John Smith", "j@x"}});
  CHECK(flat("\"John  Smith\" <j@x>") == pairs{{"John  Smith", "j@x"}});  // quoted: kept
  CHECK(flat("\" a \" <j@x>") == pairs{{" a ", "j@x"}});
  CHECK(flat("John (middle) Smith <j@x>") == pairs{{"John Smith", "j@x"}});
  CHECK(flat("\"John\"Smith <j@x>") == pairs{{"JohnSmith", "j@x"}});
  CHECK(flat("\"John\" Smith <j@x>") == pairs{{"John Smith", "j@x"}});
  CHECK(flat("\"a\" \"b\" <j@x>") == pairs{{"a b", "j@x"}});
  CHECK(flat("(Ann) <j@x>") == pairs{{"", "j@x"}});
  CHECK(flat("John (Ann) <j@x>") == pairs{{"John", "j@x"}});
  CHECK(flat("\"\" <j@x>") == pairs{{"", "j@x"}});
  CHECK(flat("\"a\\\"b\\\\c\" <j@x>") == pairs{{"a\"b\\c", "j@x"}});
  CHECK(flat("\"folded\r\n name\" <j@x>") == pairs{{"folded name", "j@x"}});
  CHECK(flat("M\xc3\xbcller <m@x>") == pairs{{"M\xc3\xbcller", "m@x"}});        // RFC 6532
  CHECK(flat("\"M\xc3\xbcller\" <m@x>") == pairs{{"M\xc3\xbcller", "m@x"}});
  CHECK(flat("M\xfcller <m@x>") == pairs{{"M\xef\xbf\xbdller", "m@x"}});        // Latin-1 byte
  CHECK(flat("\"M\xfcller\" <m@x>") == pairs{{"M\xef\xbf\xbdller", "m@x"}});
  // Comments are never names.
  const auto c = r::parse_address_list("a@b.example (Ann)");
  CHECK(flat(c) == pairs{{"", "a@b.example"}});
  CHECK(c.defects.empty());
  // Unquoted specials in a name: kept as text, with a defect.
  const auto s = r::parse_address_list("ann@x.example <ann@x.example>");
  CHECK(flat(s) == pairs{{"ann@x.example", "ann@x.example"}});
  CHECK(s.defects == std::vector<r::defect>{{errc::unquoted_specials, 3}});
  CHECK(flat("John ) Smith <j@x>") == pairs{{"John ) Smith", "j@x"}});
  CHECK(flat("a [b] c <j@x>") == pairs{{"a [b] c", "j@x"}});
  CHECK(flat("a [b\r\n c] <j@x>") == pairs{{"a [b c]", "j@x"}});  // no line break in a name
}

TEST_CASE("address: RFC 2047 encoded-words in display names") {
  // RFC 2047 section 8.
  CHECK(flat("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>") ==
        pairs{{"Keith Moore", "moore@cs.utk.edu"}});
  CHECK(flat("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>") ==
        pairs{{"Keld J\xc3\xb8rn Simonsen", "keld@dkuug.dk"}});
  CHECK(flat("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>") ==
        pairs{{"Andr\xc3\xa9 Pirard", "PIRARD@vm1.ulg.ac.be"}});
  CHECK(flat("=?utf-8?b?SsO2cmc=?= <j@x>") == pairs{{"J\xc3\xb6rg", "j@x"}});
  // Inside quoted-strings too (not allowed by section 5 (3), but what real mail needs).
  const auto q = r::parse_address_list(
      "\"=?utf-8?q?J=C3=B6rg_M=C3=BCller?=\" <joerg.mueller@example.com>");
  CHECK(flat(q) == pairs{{"J\xc3\xb6rg M\xc3\xbcller", "joerg.mueller@example.com"}});
  CHECK(q.defects.empty());
  CHECK(flat("\"x =?utf-8?q?J=C3=B6rg?= y\" <a@b>") == pairs{{"x J\xc3\xb6rg y", "a@b"}});
  // Section 6.2: whitespace between adjacent encoded-words goes; a split character is joined.
  CHECK(flat("=?utf-8?q?a?= =?utf-8?q?b?= <j@x>") == pairs{{"ab", "j@x"}});
  CHECK(flat("=?utf-8?q?a?=\r\n =?utf-8?q?b?= <j@x>") == pairs{{"ab", "j@x"}});
  CHECK(flat("=?utf-8?q?J=C3?= =?utf-8?q?=B6rg?= <j@x>") == pairs{{"J\xc3\xb6rg", "j@x"}});
  CHECK(flat("=?utf-8?q?a?= (c) =?utf-8?q?b?= <j@x>") == pairs{{"a b", "j@x"}});  // a comment
  CHECK(flat("Dr. =?utf-8?q?M=C3=BCller?= <x@y>") == pairs{{"Dr. M\xc3\xbcller", "x@y"}});
  CHECK(flat("=?utf-8?q?Dr._M=C3=BCller?= <x@y>") == pairs{{"Dr. M\xc3\xbcller", "x@y"}});
  // Whitespace from decoded atoms is collapsed and trimmed; in quoted-strings line breaks go.
  CHECK(flat("=?utf-8?q?a__b?= <j@x>") == pairs{{"a b", "j@x"}});
  CHECK(flat("x =?utf-8?q?_a_?= y <x@y>") == pairs{{"x a y", "x@y"}});
  CHECK(flat("=?utf-8?q?_a=09?= <x@y>") == pairs{{"a", "x@y"}});
  CHECK(flat("\"=?utf-8?q?a=0D=0Ab?=\" <x@y>") == pairs{{"a  b", "x@y"}});
  // Unknown charsets stay as written (spec), with a defect.
  const auto u = r::parse_address_list("=?x-unknown?q?a?= <j@x>");
  CHECK(flat(u) == pairs{{"=?x-unknown?q?a?=", "j@x"}});
  CHECK(u.defects == std::vector<r::defect>{{errc::bad_encoded_word, 0}});
  // Groups' names are decoded alike; local parts never are.
  const auto g = r::parse_address_list("=?utf-8?q?T=C3=A9am?=: =?utf-8?q?x?=@y;");
  REQUIRE(g.groups.size() == 1);
  CHECK(g.groups[0].name == "T\xc3\xa9" "am");
  CHECK(flat(g) == pairs{{"", "=?utf-8?q?x?=@y"}});
  // Off by option.
  r::address_options off;
  off.decode_encoded_words = false;
  CHECK(flat(r::parse_address_list("=?utf-8?q?J=C3=B6rg?= <j@x>", off)) ==
        pairs{{"=?utf-8?q?J=C3=B6rg?=", "j@x"}});
}

TEST_CASE("address: addr-spec and addr()") {
  const auto q = r::parse_address_list("\"a b\"@c");
  REQUIRE(q.mailboxes.size() == 1);
  CHECK(q.mailboxes[0].local_part == "a b");
  CHECK(q.mailboxes[0].addr() == "\"a b\"@c");
  CHECK(flat("\"abc\"@d") == pairs{{"", "abc@d"}});        // quotes not needed: dropped
  CHECK(flat("\"a..b\"@c") == pairs{{"", "\"a..b\"@c"}});  // not a dot-atom: re-quoted
  CHECK(flat("\"a\\\\b\"@c") == pairs{{"", "\"a\\\\b\"@c"}});
  CHECK(flat("\"a\\\"b\"@c") == pairs{{"", "\"a\\\"b\"@c"}});
  CHECK(flat("\"a\\b\"@c") == pairs{{"", "ab@c"}});        // needless quoted-pair
  CHECK(flat("x@[ 1.2.3.4 ]") == pairs{{"", "x@[1.2.3.4]"}});
  CHECK(flat("x@[IPv6:2001:db8::1]") == pairs{{"", "x@[IPv6:2001:db8::1]"}});
  CHECK(flat("<x@[192.0.2.1]>") == pairs{{"", "x@[192.0.2.1]"}});
  CHECK(flat("J\xc3\xb6rg@b\xc3\xbc" "cher.example") == pairs{{"", "J\xc3\xb6rg@b\xc3\xbc" "cher.example"}});
  CHECK(flat("Mixed.Case@Example.COM") == pairs{{"", "Mixed.Case@Example.COM"}});  // no case change
  CHECK(flat("xn--bcher-kva@xn--bcher-kva.example") ==
        pairs{{"", "xn--bcher-kva@xn--bcher-kva.example"}});  // no IDNA
  r::mailbox m;
  CHECK(m.addr().empty());
  m.local_part = "a";
  CHECK(m.addr() == "a");
  m.domain = "b";
  CHECK(m.addr() == "a@b");
  m.local_part = "";
  CHECK(m.addr() == "\"\"@b");
  m.local_part = "a\r\nb";
  CHECK(m.addr() == "\"ab\"@b");
}

TEST_CASE("address: empty addresses and missing parts") {
  const auto e = r::parse_address_list("<>");
  REQUIRE(e.mailboxes.size() == 1);
  CHECK_FALSE(e.mailboxes[0].has_address());
  CHECK(e.defects == std::vector<r::defect>{{errc::empty_angle_addr, 0}});
  CHECK(flat(e).empty());
  const auto n = r::parse_address_list("Name <>, a@b");
  REQUIRE(n.mailboxes.size() == 2);
  CHECK(n.mailboxes[0].name == "Name");
  CHECK(flat(n) == pairs{{"", "a@b"}});
  const auto f = r::parse_address_list("foo");
  CHECK(flat(f) == pairs{{"", "foo"}});
  CHECK(f.defects == std::vector<r::defect>{{errc::missing_at, 0}});
  const auto d = r::parse_address_list("a@");
  CHECK(flat(d) == pairs{{"", "a"}});
  CHECK(d.defects == std::vector<r::defect>{{errc::missing_domain, 0}});
  const auto l = r::parse_address_list("@b");
  CHECK(flat(l) == pairs{{"", "\"\"@b"}});
  CHECK(l.defects == std::vector<r::defect>{{errc::empty_local_part, 0}});
  const auto a = r::parse_address_list("Name <a@b");
  CHECK(flat(a) == pairs{{"Name", "a@b"}});
  CHECK(a.defects == std::vector<r::defect>{{errc::unterminated_angle_addr, 5}});
  const auto a2 = r::parse_address_list("Name <a@b, c@d");
  CHECK(flat(a2) == pairs{{"Name", "a@b"}, {"", "c@d"}});
  CHECK(has(a2.defects, errc::unterminated_angle_addr));
  CHECK(flat("<a>") == pairs{{"", "a"}});
  CHECK(flat("<@b>") == pairs{{"", "\"\"@b"}});
  CHECK(flat("<\"\"@b>") == pairs{{"", "\"\"@b"}});
}

TEST_CASE("address: list syntax and recovery") {
  const auto e = r::parse_address_list(",a@b, ,c@d,");
  CHECK(flat(e) == pairs{{"", "a@b"}, {"", "c@d"}});
  CHECK(e.defects == std::vector<r::defect>{{errc::empty_list_element, 0},
                                            {errc::empty_list_element, 6},
                                            {errc::empty_list_element, 10}});
  CHECK(r::parse_address_list("").mailboxes.empty());
  CHECK(r::parse_address_list("").defects.empty());
  CHECK(r::parse_address_list("  (only a comment) ").mailboxes.empty());
  const auto j = r::parse_address_list("Joe <a@b> junk, c@d");
  CHECK(flat(j) == pairs{{"Joe", "a@b"}, {"", "c@d"}});
  CHECK(j.defects == std::vector<r::defect>{{errc::junk_skipped, 10}});
  const auto k = r::parse_address_list("Joe <a@b> \"junk, still\" junk, c@d");
  CHECK(flat(k) == pairs{{"Joe", "a@b"}, {"", "c@d"}});
  const auto s = r::parse_address_list("a@b; c@d, e@f");
  CHECK(flat(s) == pairs{{"", "a@b"}, {"", "e@f"}});
  CHECK(s.defects == std::vector<r::defect>{{errc::junk_skipped, 3}});
  CHECK(flat("a@b c@d") == pairs{{"", "a@b"}});
  CHECK(flat("a@b c <x@y>") == pairs{{"a@b c", "x@y"}});
  const auto w = r::parse_address_list("John Smith@x");
  CHECK(flat(w) == pairs{{"", "\"John Smith\"@x"}});
  CHECK(w.defects == std::vector<r::defect>{{errc::unexpected_character, 0}});
  CHECK(flat("Smith, John <j@x>") == pairs{{"", "Smith"}, {"John", "j@x"}});
  CHECK(flat("John <a@b> <c@d>, e@f") == pairs{{"John", "a@b"}, {"", "e@f"}});
  CHECK(flat("<<a@b>>") == pairs{{"", "a@b"}});
  const auto u = r::parse_address_list("\"unterminated <a@b>, c@d");
  CHECK(u.mailboxes.size() == 1);
  CHECK(has(u.defects, errc::unterminated_quoted_string));
  CHECK(flat("a@b (unterminated") == pairs{{"", "a@b"}});
  CHECK(flat(") , a@b") == pairs{{"", "a@b"}});
  CHECK(flat("a.@b") == pairs{{"", "\"a.\"@b"}});
  CHECK(flat(".a@b") == pairs{{"", "\".a\"@b"}});
  CHECK(flat("a@b.") == pairs{{"", "a@b."}});
  CHECK(flat("a@\"b\"") == pairs{{"", "a"}});
  CHECK(flat("a@[b] c") == pairs{{"", "a@[b]"}});
}

TEST_CASE("address: groups") {
  const auto g = r::parse_address_list("g: a@b, c@d;, e@f");
  CHECK(flat(g) == pairs{{"", "a@b"}, {"", "c@d"}, {"", "e@f"}});
  REQUIRE(g.groups.size() == 1);
  CHECK(g.groups[0] == r::group{"g", 0, 2, 0});
  CHECK(g.defects.empty());
  const auto u = r::parse_address_list("g: a@b");
  CHECK(u.groups[0].count == 1);
  CHECK(u.defects == std::vector<r::defect>{{errc::unterminated_group, 0}});
  const auto e = r::parse_address_list(": a@b;");
  CHECK(e.groups[0].name.empty());
  CHECK(e.groups[0].count == 1);
  const auto n = r::parse_address_list("g: h: a@b;;");
  CHECK(flat(n) == pairs{{"", "a@b"}});
  CHECK(n.groups.size() == 1);
  CHECK(n.defects == std::vector<r::defect>{{errc::nested_group, 4}, {errc::junk_skipped, 10}});
  const auto t = r::parse_address_list("a@b, \"Team: A\" : x@y (x), Ann <z@w> ; c@d");
  // No ',' after the group's ';': c@d is read anyway, with a defect.
  CHECK(flat(t) == pairs{{"", "a@b"}, {"", "x@y"}, {"Ann", "z@w"}, {"", "c@d"}});
  REQUIRE(t.groups.size() == 1);
  CHECK(t.groups[0] == r::group{"Team: A", 1, 2, 5});
  CHECK(t.defects == std::vector<r::defect>{{errc::unexpected_character, 38}});
  const auto two = r::parse_address_list("A:a@x;,B:;,C:c@x,d@x;");
  REQUIRE(two.groups.size() == 3);
  CHECK(two.groups[0] == r::group{"A", 0, 1, 0});
  CHECK(two.groups[1] == r::group{"B", 1, 0, 7});
  CHECK(two.groups[2] == r::group{"C", 1, 2, 11});
  CHECK(two.defects.empty());
  // Without the ',' between them (RFC 5322 needs it) they are still read, with a defect each.
  const auto packed = r::parse_address_list("A:a@x;B:;C:c@x,d@x;");
  CHECK(packed.groups.size() == 3);
  CHECK(packed.mailboxes.size() == 3);
  CHECK(packed.defects == std::vector<r::defect>{{errc::unexpected_character, 6},
                                                 {errc::unexpected_character, 9}});
  // A mailbox-list has no groups.
  const auto m = r::parse_mailbox_list("g: a@b, c@d;, e@f");
  CHECK(flat(m) == pairs{{"", "a@b"}, {"", "c@d"}, {"", "e@f"}});
  CHECK(m.groups.empty());
  CHECK(m.defects == std::vector<r::defect>{{errc::unexpected_group, 0}});
}

TEST_CASE("address: parse_mailbox") {
  const auto m = r::parse_mailbox(" Mary Smith <mary@example.net> (x)");
  REQUIRE(m.found());
  CHECK(m.value.name == "Mary Smith");
  CHECK(m.value.addr() == "mary@example.net");
  CHECK(m.defects.empty());
  const auto two = r::parse_mailbox("a@b, c@d");
  REQUIRE(two.found());
  CHECK(two.value.addr() == "a@b");
  CHECK(two.defects == std::vector<r::defect>{{errc::trailing_garbage, 5}});
  CHECK_FALSE(r::parse_mailbox("").found());
  CHECK_FALSE(r::parse_mailbox(" (nobody) ").found());
}

// Golden data: Python 3.11 email.headerregistry (policy.default header classes) on the same
// inputs, recorded with
//   h = HeaderRegistry()('To', v); [(a.display_name, a.addr_spec) for a in h.addresses]
// (addr_spec "<>" for an empty address is left out, as the JSON does). `python` is what Python
// gave; `ours` is what we give, and `why` says why when they differ.
TEST_CASE("address: differential table against Python's email package") {
  struct row {
    const char* input;
    pairs python;
    pairs ours;  // empty: same as python
    const char* why;
  };
  const row rows[] = {
      {"John Doe <jdoe@machine.example>", {{"John Doe", "jdoe@machine.example"}}, {}, ""},
      {"\"Joe Q. Public\" <john.q.public@example.com>",
       {{"Joe Q. Public", "john.q.public@example.com"}}, {}, ""},
      {"Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
       {{"Mary Smith", "mary@x.test"}, {"", "jdoe@example.org"}, {"Who?", "one@y.test"}}, {}, ""},
      {"<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
       {{"", "boss@nil.test"}, {"Giant; \"Big\" Box", "sysservices@example.net"}}, {}, ""},
      {"A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
       {{"Ed Jones", "c@a.test"}, {"", "joe@where.test"}, {"John", "jdoe@one.test"}}, {}, ""},
      {"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
       {{"Pete", "pete@silly.test"}}, {}, ""},
      {"Joe Q. Public <john.q.public@example.com>",
       {{"Joe Q. Public", "john.q.public@example.com"}}, {}, ""},
      {"Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
       {{"Mary Smith", "mary@example.net"}, {"", "jdoe@test.example"}}, {}, ""},
      {"John Doe <jdoe@machine(comment).  example>", {{"John Doe", "jdoe@machine.example"}}, {}, ""},
      {"a@b.example (Ann)", {{"", "a@b.example"}}, {}, ""},
      {"\"John  Smith\" <j@x>", {{"John  Smith", "j@x"}}, {}, ""},
      {"John (middle) Smith <j@x>", {{"John Smith", "j@x"}}, {}, ""},
      {"\"a\".b@c", {{"", "a.b@c"}}, {}, ""},
      {"\"a b\"@c", {{"", "\"a b\"@c"}}, {}, ""},
      {"\"a..b\"@c", {{"", "a..b@c"}}, {{"", "\"a..b\"@c"}},
       "spec: the local part is re-quoted when it is not a dot-atom (Python only quotes for "
       "specials and spaces, so its addr_spec does not re-parse to the same local part)"},
      {"a.@b", {{"", "a.@b"}}, {{"", "\"a.\"@b"}}, "same rule: \"a.\" is no dot-atom"},
      {"John Smith@x", {{"", "\"John Smith\"@x"}}, {}, ""},
      {"x@[ 1.2.3.4 ]", {{"", "x@[1.2.3.4]"}}, {}, ""},
      {"x@y <a@b>", {{"", "x@y"}}, {{"x@y", "a@b"}},
       "an unquoted address used as a display name (common in real mail) is a name: the "
       "angle-addr is the address the sender's program meant; Python drops the angle-addr"},
      {"foo", {{"", "foo"}}, {}, ""},
      {"a@b; c@d", {{"", "a@b"}}, {}, ""},
      {"Name <>", {}, {}, ""},
      {"<@a,@b:x@y>", {{"", "x@y"}}, {}, ""},
      {"Joe <a@b> junk, c@d", {{"Joe", "a@b"}, {"", "c@d"}}, {}, ""},
      {"Smith, John <j@x>", {{"", "Smith"}, {"John", "j@x"}}, {}, ""},
      {"\"John\"Smith <j@x>", {{"JohnSmith", "j@x"}}, {}, ""},
      {"M\xc3\xbcller <m@x>", {{"M\xc3\xbcller", "m@x"}}, {}, ""},
      {"x <\xc3\xbc@\xc3\xa4.example>", {{"x", "\xc3\xbc@\xc3\xa4.example"}}, {}, ""},
      {"g: a@b", {{"", "a@b"}}, {}, ""},
      {": a@b;", {{"", "a@b"}}, {}, ""},
      {"a@b, ,c@d,", {{"", "a@b"}, {"", "c@d"}}, {}, ""},
      {"Name <a@b", {{"Name", "a@b"}}, {}, ""},
      {"@b", {}, {{"", "\"\"@b"}},
       "Python drops the domain of an addr-spec with an empty local part; we keep both parts "
       "as written (with errc::empty_local_part), so the address is not silently lost"},
      {"a@b c@d", {{"", "a@b"}}, {}, ""},
      {"\"\\\\\" <a@b>", {{"\\", "a@b"}}, {}, ""},
      {"=?utf-8?q?J=C3=B6rg?= <j@x>", {{"J\xc3\xb6rg", "j@x"}}, {}, ""},
      {"\"=?utf-8?q?J=C3=B6rg_M=C3=BCller?=\" <joerg.mueller@example.com>",
       {{"J\xc3\xb6rg M\xc3\xbcller", "joerg.mueller@example.com"}}, {}, ""},
      {"=?utf-8?q?a?= =?utf-8?q?b?= <j@x>", {{"a b", "j@x"}}, {{"ab", "j@x"}},
       "RFC 2047 section 6.2: whitespace between adjacent encoded-words is not displayed "
       "(Python keeps it in phrases)"},
      {"=?utf-8?q?J=C3?= =?utf-8?q?=B6rg?= <j@x>", {{"J\xef\xbf\xbd \xef\xbf\xbdrg", "j@x"}},
       {{"J\xc3\xb6rg", "j@x"}},
       "a character split across adjacent words is joined before charset conversion (Python "
       "decodes each word alone and gets lone surrogates, shown here as U+FFFD)"},
      {"x =?utf-8?q?_a_?= y <x@y>", {{"x  a  y", "x@y"}}, {{"x a y", "x@y"}},
       "whitespace from decoded atoms is collapsed (Python collapses it inside the word, "
       "not at its edges)"},
      {"=?utf-8?q?a__b?= <j@x>", {{"a b", "j@x"}}, {}, ""},
      {"=?iso-8859-1?q?Andr=E9?= Pirard <a@b>", {{"Andr\xc3\xa9 Pirard", "a@b"}}, {}, ""},
      {"=?x-unknown?q?a?= <j@x>", {{"a", "j@x"}}, {{"=?x-unknown?q?a?=", "j@x"}},
       "spec: encoded-words of unknown charsets are left as written (Python decodes the "
       "bytes as ASCII with replacement)"},
      {"Dr. =?utf-8?q?M=C3=BCller?= <x@y>", {{"Dr. M\xc3\xbcller", "x@y"}}, {}, ""},
      {"\"a\\\\b\"@c", {{"", "\"a\\\\b\"@c"}}, {}, ""},
  };
  for (const row& w : rows) {
    INFO(w.input);
    const pairs& want = w.ours.empty() && *w.why == '\0' ? w.python : w.ours;
    CHECK(flat(w.input) == want);
  }
}

TEST_CASE("address: limits") {
  SECTION("max_addresses") {
    r::address_limits lim;
    lim.max_addresses = 3;
    const auto l = r::parse_address_list("a@x, b@x, c@x, d@x, e@x", {}, lim);
    CHECK(l.mailboxes.size() == 3);
    CHECK(l.defects == std::vector<r::defect>{{errc::too_many_addresses, 15}});
    const auto g = r::parse_address_list("G: a@x, b@x, c@x, d@x;", {}, lim);
    REQUIRE(g.groups.size() == 1);
    CHECK(g.groups[0].count == 3);
    CHECK(g.defects == std::vector<r::defect>{{errc::too_many_addresses, 18}});
    std::string many;
    for (int i = 0; i < 10001; ++i) many += "u" + std::to_string(i) + "@x.example, ";
    const auto d = r::parse_address_list(many);
    CHECK(d.mailboxes.size() == 10000);
    CHECK(d.mailboxes.back().local_part == "u9999");
    CHECK(has(d.defects, errc::too_many_addresses));
  }
  SECTION("max_groups") {
    r::address_limits lim;
    lim.max_groups = 1;
    const auto l = r::parse_address_list("A: a@x;, B: b@x;", {}, lim);
    CHECK(l.groups.size() == 1);
    CHECK(l.mailboxes.size() == 2);
    CHECK(l.defects == std::vector<r::defect>{{errc::too_many_groups, 9}});
  }
  SECTION("max_defects") {
    r::address_limits lim;
    lim.max_defects = 2;
    CHECK(r::parse_address_list("a, b, c, d", {}, lim).defects.size() == 2);
    CHECK(r::parse_address_list(std::string(100000, ',')).defects.size() == 1000);
  }
  SECTION("comment depth") {
    r::address_limits lim;
    lim.lexer.max_comment_depth = 2;
    const auto l = r::parse_address_list("a@b (((deep)))", {}, lim);
    CHECK(flat(l) == pairs{{"", "a@b"}});
    CHECK(l.defects == std::vector<r::defect>{{errc::comment_too_deep, 6}});
  }
}

TEST_CASE("address: hostile inputs stay linear") {
  const std::size_t n = 5 << 20;
  const auto repeat = [&](std::string_view unit) {
    std::string s;
    s.reserve(n + unit.size());
    while (s.size() < n) s.append(unit);
    return s;
  };
  const std::string inputs[] = {
      std::string(n, '<'),       std::string(n, '>'),     std::string(n, '('),
      std::string(n, '"'),       std::string(n, 'a'),     std::string(n, ','),
      std::string(n, '@'),       std::string(n, ':'),     std::string(n, ';'),
      std::string(n, '.'),       std::string(n, '['),     repeat("<@a, "),
      repeat("a "),              repeat("\"a\" "),        repeat("a."),
      repeat("<a@b"),            repeat("g:"),            repeat("(a)"),
      repeat("=?utf-8?q?a?= "),  repeat("\"\\"),          repeat("a@b "),
      "\"" + std::string(n, 'x') + "\" <a@b>",
      repeat("=?utf-8?q?a?= ") + "<a@b>",            // 370,000 encoded-words in one name
      "\"" + repeat("=?utf-8?q?=C3=B6?= ") + "\" <a@b>",
      repeat("=?utf-8?q?a?= <a@b>, "),
      std::string(n, 'x') + "@" + std::string(n, 'y'),
  };
  for (const std::string& v : inputs) {
    INFO(v.substr(0, 16));
    const auto t0 = std::chrono::steady_clock::now();
    const auto l = r::parse_address_list(v);
    CHECK(seconds_since(t0) < 1.0 * mwtest::time_factor);
    CHECK(l.mailboxes.size() <= 10000);
    CHECK(l.defects.size() <= 1000);
    std::size_t bytes = 0;
    for (const auto& m : l.mailboxes) bytes += m.name.size() + m.local_part.size() + m.domain.size();
    CHECK(bytes <= 3 * v.size());
  }
}

TEST_CASE("address: addr() re-parses to the same address (random mailboxes)") {
  std::mt19937 rng(5322);
  const std::string alphabet = std::string("abc .\"\\@<>()[],;:\t") + "\xc3\xa4" + "\x01";
  for (int i = 0; i < 20000; ++i) {
    std::string v;
    const std::size_t len = rng() % 24;
    for (std::size_t k = 0; k < len; ++k) v.push_back(alphabet[rng() % alphabet.size()]);
    const auto l = r::parse_address_list(v);
    for (const auto& m : l.mailboxes) {
      if (!m.has_address()) continue;
      const std::string a = m.addr();
      const auto back = r::parse_address_list(a);
      INFO(v << " -> " << a);
      REQUIRE(back.mailboxes.size() == 1);
      CHECK(back.mailboxes[0].local_part == m.local_part);
      CHECK(back.mailboxes[0].domain == m.domain);
      CHECK(back.mailboxes[0].name.empty());
    }
  }
}
