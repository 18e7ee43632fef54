// Tests of mailwire/rfc5322/message_id.hpp: msg-id (RFC 5322 section 3.6.4), obs-id-left /
// obs-id-right (section 4.5.4), In-Reply-To / References lists, leniency, defects and limits.
#include <catch2/catch.hpp>

#include "timing.hpp"

#include <mailwire/rfc5322/message_id.hpp>

#include <chrono>
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

std::string id(std::string_view v) { return r::parse_msg_id(v).value; }

std::vector<std::string> ids(std::string_view v, const r::msg_id_limits& lim = {}) {
  std::vector<std::string> out;
  for (const auto& m : r::parse_msg_id_list(v, lim).ids) out.push_back(m.value);
  return out;
}

bool has(const std::vector<r::defect>& ds, errc e) {
  for (const auto& d : ds)
    if (d.code == e) return true;
  return false;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("msg-id: RFC 5322 appendix A") {
  // A.1.1, A.2, A.3
  const auto a = r::parse_msg_id(" <1234@local.machine.example>");
  CHECK(a.value == "<1234@local.machine.example>");
  CHECK(a.offset == 1);
  CHECK(a.defects.empty());
  CHECK(id("<5678.21-Nov-1997@example.com>") == "<5678.21-Nov-1997@example.com>");
  CHECK(id(" <78910@example.net>") == "<78910@example.net>");
  CHECK(ids(" <1234@local.machine.example> <3456@example.net>") ==
        std::vector<std::string>{"<1234@local.machine.example>", "<3456@example.net>"});
  // A.5: white space and comments around.
  CHECK(id("              <testabcd.1234@silly.test>") == "<testabcd.1234@silly.test>");
  // A.6.3 (obsolete white space): no space after the colon, folded values.
  CHECK(id("<78910@example.net>") == "<78910@example.net>");
  CHECK(ids("\r\n  <1234@local.machine.example>\r\n  <3456@example.net>").size() == 2);
}

TEST_CASE("msg-id: forms of section 3.6.4") {
  const auto c = r::parse_msg_id(" (comment) <abc@example.org> (another)\r\n ");
  CHECK(c.value == "<abc@example.org>");
  CHECK(c.defects.empty());
  CHECK(id("<abc@[192.0.2.1]>") == "<abc@[192.0.2.1]>");  // no-fold-literal
  CHECK(id("<a.b.c!#$%&'*+-/=?^_`{|}~@x.y.z>") == "<a.b.c!#$%&'*+-/=?^_`{|}~@x.y.z>");
  CHECK(id("<J\xc3\xb6rg@b\xc3\xbc" "cher.example>") == "<J\xc3\xb6rg@b\xc3\xbc" "cher.example>");
  const auto bad8 = r::parse_msg_id("<a\xff@b>");  // invalid UTF-8: U+FFFD
  CHECK(bad8.value == "<a\xef\xbf\xbd@b>");
}

TEST_CASE("msg-id: obsolete forms (section 4.5.4), CFWS removed") {
  const auto o = r::parse_msg_id("< abc (c) . def @ host . example >");
  CHECK(o.value == "<abc.def@host.example>");
  CHECK(has(o.defects, errc::obsolete_syntax));
  const auto q = r::parse_msg_id("<\"a b\\\"c\"@x>");
  CHECK(q.value == "<\"a b\\\"c\"@x>");  // quoted obs-id-left kept as written
  CHECK(has(q.defects, errc::obsolete_syntax));
  CHECK(id("<\"a\".b@x>") == "<\"a\".b@x>");
  CHECK(id("<abc@[ 192.0.2.1 ]>") == "<abc@[192.0.2.1]>");
  CHECK(id("<abc@\r\n x.example>") == "<abc@x.example>");
}

TEST_CASE("msg-id: leniency for real mail") {
  SECTION("no id-right") {
    const auto m = r::parse_msg_id("<abc>");
    CHECK(m.value == "<abc>");
    CHECK(m.defects == std::vector<r::defect>{{errc::missing_id_right, 0}});
  }
  SECTION("content that is no id-left @ id-right: kept as written") {
    const auto m = r::parse_msg_id("<a b@x>");
    CHECK(m.value == "<a b@x>");
    CHECK(has(m.defects, errc::bad_msg_id));
    CHECK(id("<a..b@x>") == "<a..b@x>");
    CHECK(id("<a@b c>") == "<a@b c>");
    CHECK(id("<a@>") == "<a@>");
    CHECK(id("<@b>") == "<@b>");
    CHECK(id("<a@b@c>") == "<a@b@c>");
    CHECK(id("<a\r\n b c@x>") == "<a b c@x>");
  }
  SECTION("text before the msg-id") {
    const auto m = r::parse_msg_id("garbage <abc@x>");
    CHECK(m.value == "<abc@x>");
    CHECK(m.offset == 8);
    CHECK(m.defects == std::vector<r::defect>{{errc::obsolete_syntax, 0}});
    const auto j = r::parse_msg_id(";;; <abc@x>");
    CHECK(j.value == "<abc@x>");
    CHECK(j.defects == std::vector<r::defect>{{errc::junk_skipped, 0}});
    CHECK(id("\"quoted <no@id>\" <abc@x>") == "<abc@x>");
    CHECK(id("\"unterminated <abc@x>") == "<abc@x>");
    CHECK(id("(comment <no@id>) <abc@x>") == "<abc@x>");
  }
  SECTION("the first msg-id counts") {
    const auto m = r::parse_msg_id("<abc@x> <def@y>");
    CHECK(m.value == "<abc@x>");
    CHECK(m.defects == std::vector<r::defect>{{errc::trailing_garbage, 8}});
  }
  SECTION("missing '>'") {
    const auto m = r::parse_msg_id("<abc@x");
    CHECK(m.value == "<abc@x>");
    CHECK(has(m.defects, errc::unterminated_msg_id));
    CHECK(id("<abc@x (comment)") == "<abc@x>");
    CHECK(id("<a b") == "");
    CHECK(id("<") == "");
    CHECK(id("<a b <c@d") == "<c@d>");
  }
  SECTION("none") {
    for (const char* v : {"", "  ", "(c)", "abc@x", "<>", "< >", "\"<a@b>\""}) {
      INFO(v);
      const auto m = r::parse_msg_id(v);
      CHECK_FALSE(m.found());
      CHECK(has(m.defects, errc::missing_msg_id));
    }
    CHECK(id("<> <abc@x>") == "<abc@x>");
  }
}

TEST_CASE("msg-id lists: In-Reply-To and References") {
  CHECK(ids("<a@x><b@y>") == std::vector<std::string>{"<a@x>", "<b@y>"});
  CHECK(ids("").empty());
  const auto l = r::parse_msg_id_list("Your message of \"Tue\" <a@x>\r\n (x) <b@y> ;;;");
  REQUIRE(l.ids.size() == 2);
  CHECK(l.ids[0] == r::msg_id{"<a@x>", 22});
  CHECK(l.ids[1].value == "<b@y>");
  CHECK(l.defects ==
        std::vector<r::defect>{{errc::obsolete_syntax, 0}, {errc::junk_skipped, 40}});
  CHECK(ids("<a@x> <bad id> <> <c@z") ==
        std::vector<std::string>{"<a@x>", "<bad id>", "<c@z>"});
  CHECK(ids("<a@x>, <b@y>") == std::vector<std::string>{"<a@x>", "<b@y>"});
  // A quoted '>' is no end: the parse stops at the first '>' and falls back.
  CHECK(ids("<\"a>b\"@c> <d@e>") == std::vector<std::string>{"<\"a>", "<d@e>"});
}

TEST_CASE("msg-id lists: limit") {
  r::msg_id_limits lim;
  lim.max_ids = 3;
  const auto l = r::parse_msg_id_list("<a@x> <b@x> <c@x> <d@x> <e@x>", lim);
  CHECK(l.ids.size() == 3);
  CHECK(l.defects == std::vector<r::defect>{{errc::too_many_msg_ids, 18}});
  std::string many;
  for (int i = 0; i < 10001; ++i) many += "<" + std::to_string(i) + "@x> ";
  const auto d = r::parse_msg_id_list(many);
  CHECK(d.ids.size() == 10000);
  CHECK(d.ids.back().value == "<9999@x>");
  CHECK(has(d.defects, errc::too_many_msg_ids));
  r::msg_id_limits deep;
  deep.lexer.max_comment_depth = 1;
  r::msg_id_limits few;
  few.max_defects = 2;
  CHECK(r::parse_msg_id_list("<a <b <c <d <e <f", few).defects.size() == 2);
  CHECK(r::parse_msg_id_list(std::string(100000, '<')).defects.size() == 1000);
  CHECK(has(r::parse_msg_id("((x)) <a@b>", deep).defects, errc::comment_too_deep));
}

TEST_CASE("msg-id: hostile inputs stay linear") {
  const std::size_t n = 5 << 20;
  for (const std::string& v :
       {std::string(n, '<'), std::string(n, '>'), std::string(n, '('), std::string(n, '"'),
        std::string(n, 'a'), [&] {
          std::string s;
          while (s.size() < n) s += "<(>";
          return s;
        }(),
        [&] {
          std::string s;
          while (s.size() < n) s += "<a.";
          return s;
        }(),
        [&] {
          std::string s;
          while (s.size() < n) s += "<\"><";
          return s;
        }(),
        "<" + std::string(n, 'a') + "@" + std::string(n, 'b') + ">"}) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto l = r::parse_msg_id_list(v);
    const auto m = r::parse_msg_id(v);
    CHECK(seconds_since(t0) < 1.0 * mwtest::time_factor);
    CHECK(l.ids.size() <= 10000);
    CHECK(m.value.size() <= v.size() + 2);
  }
}
