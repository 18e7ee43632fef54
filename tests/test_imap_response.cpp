// Tests of mailwire/imap/response.hpp: every server response example of RFC 3501 / RFC 9051
// sections 6-8 and of the extension RFCs (tests/data/imap/responses/*.txt) parsed and written
// back byte for byte, real-server-style traces, reject tables with offsets, the prefix rule,
// limits, streamed literals and parse_fetch_prefix, and seeded round trips.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "chunking.hpp"
#include "imap_response_testing.hpp"
#include "mailwire/imap/response.hpp"

using namespace mailwire::imap;
using mailwire::status;
using namespace std::literals;

namespace {

limits auth_limits() {
  limits l;
  l.authenticated = true;
  return l;
}

/// Parses `in` from an exact-size heap buffer; checks every proper prefix is need_more.
void check_golden(const mwtest::golden_response& g, const response_options& ro = {}) {
  INFO(g.where);
  INFO(g.message);
  const limits lim = auth_limits();
  mwtest::heap_copy buf(g.message);
  const auto r = parse_response(buf.view(), nullptr, lim, ro);
  REQUIRE(r.st == status::event);
  CHECK(r.consumed == g.message.size());
  std::string out;
  REQUIRE(write_response(out, r.value, ro) == errc::ok);
  CHECK(out == g.canonical);
  // the canonical form parses and writes itself
  const auto again = parse_response(out, nullptr, lim, ro);
  REQUIRE(again.ok());
  std::string out2;
  REQUIRE(write_response(out2, again.value, ro) == errc::ok);
  CHECK(out2 == out);
  for (std::size_t k = 0; k < g.message.size(); ++k) {
    mwtest::heap_copy p(std::string_view(g.message).substr(0, k));
    const auto q = parse_response(p.view(), nullptr, lim, ro);
    INFO("prefix " << k);
    REQUIRE(q.st == status::need_more);
  }
}

parse_result<response> parse(std::string_view s, const response_options& ro = {}) {
  static std::string keep;
  keep = std::string(s);
  return parse_response(keep, nullptr, auth_limits(), ro);
}

}  // namespace

TEST_CASE("imap response: RFC 3501 examples round trip byte for byte", "[imap][response]") {
  const auto g = mwtest::load_response_goldens("rfc3501.txt");
  CHECK(g.size() == 178);
  for (const auto& x : g) check_golden(x);
}

TEST_CASE("imap response: RFC 9051 examples round trip byte for byte", "[imap][response]") {
  const auto g = mwtest::load_response_goldens("rfc9051.txt");
  CHECK(g.size() == 554);
  for (const auto& x : g) check_golden(x);
}

TEST_CASE("imap response: extension RFC examples round trip byte for byte", "[imap][response]") {
  const auto g = mwtest::load_response_goldens("extensions.txt");
  CHECK(g.size() == 766);
  for (const auto& x : g) check_golden(x);
}

TEST_CASE("imap response: RFC examples that violate their ABNF are refused", "[imap][response]") {
  // The RFCs' own lines (tests/data/imap/responses/*.txt quotes them with the reason).
  struct bad {
    std::string in;
    errc e;
    std::size_t at;
  };
  const bad table[] = {
      // two SP where the grammar has one: RFC 5819 section 3, RFC 7889 section 3.2, RFC 9051 6.3.9.8
      {"* LIST () \".\"  \"INBOX\"\r\n", errc::bad_string, 14},
      {"* LIST (\\Subscribed) \".\"  \"INBOX\"\r\n", errc::bad_string, 25},
      // RFC 2342 section 5 and RFC 9051 section 6.3.10
      {"* NAMESPACE ((\"INBOX.\" \".\")) NIL  NIL\r\n", errc::unexpected_character, 33},
  };
  for (const auto& b : table) {
    INFO(b.in);
    const auto r = parse(b.in);
    CHECK(r.st == status::error);
    CHECK(r.error == b.e);
    CHECK(r.error_offset == b.at);
  }
  // RFC 9051 section 7.3.1: 'Sample "text"': a quoted string is not a tagged-ext-val
  // (tagged-ext-simple / "(" [tagged-ext-comp] ")"), but the RFC's own example writes one, so the
  // extended items accept an astring value too (kept as written, written back byte for byte).
  const std::string line = "* LIST (\\Marked) \":\" Tables (tablecloth ((\"edge\" \"lacy\") (\"color\" \"red\"))"
                           " Sample \"text\")\r\n";
  const auto t = parse(line);
  REQUIRE(t.st == status::event);
  std::string out;
  REQUIRE(write_response(out, t.value) == errc::ok);
  CHECK(out == line);
}

TEST_CASE("imap response: real-server-style traces round trip", "[imap][response]") {
  const auto g = mwtest::load_response_goldens("servers.txt");
  REQUIRE(g.size() > 70);
  for (const auto& x : g) check_golden(x);
}

TEST_CASE("imap response: typed values", "[imap][response]") {
  {
    const auto r = parse("A142 OK [READ-WRITE] SELECT completed\r\n");
    REQUIRE(r.ok());
    CHECK(r.value.kind == response_kind::tagged);
    CHECK(r.value.tag.text() == "A142");
    CHECK(r.value.condition == cond::ok);
    CHECK(r.value.text.has_code);
    CHECK(r.value.text.code.kind() == code_kind::read_write);
    CHECK(r.value.text.text == "SELECT completed");
  }
  {
    const auto r = parse("* 12 FETCH (FLAGS (\\Seen) UID 4827313 RFC822.SIZE 44827 INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\n");
    REQUIRE(r.ok());
    CHECK(r.value.kind == response_kind::fetch);
    CHECK(r.value.number == 12);
    REQUIRE(r.value.atts.size() == 4);
    CHECK(r.value.atts[0].att.item == fetch_item::flags);
    CHECK(r.value.atts[0].flags.size() == 1);
    CHECK(r.value.atts[1].number == 4827313);
    CHECK(r.value.atts[2].number == 44827);
    CHECK(r.value.atts[3].date.year() == 1996);
    CHECK(r.value.atts[3].date.zone_minutes() == -420);
  }
  {
    const auto r = parse("* LIST (\\HasNoChildren) \"/\" \"[Gmail]/Sent Mail\"\r\n");
    REQUIRE(r.ok());
    CHECK(r.value.kind == response_kind::list);
    CHECK(r.value.delimiter == '/');
    CHECK(r.value.mbox.name().content() == "[Gmail]/Sent Mail");
  }
  {
    const auto r = parse("* LIST () NIL \"a\\\\b\"\r\n");
    REQUIRE(r.ok());
    CHECK(r.value.delimiter == 0);
    CHECK(r.value.mbox.name().content() == "a\\b");
  }
  {
    const auto r = parse("* LIST () \"\\\\\" Foo\r\n");
    REQUIRE(r.ok());
    CHECK(r.value.delimiter == '\\');
  }
  {
    const auto r = parse("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n");
    REQUIRE(r.ok());
    REQUIRE(r.value.status_items.size() == 3);
    CHECK(r.value.status_items[2].value == 7011231777ull);
  }
  {
    const auto r = parse("* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n");
    REQUIRE(r.ok());
    CHECK(r.value.search_tag.content() == "A285");
    CHECK(r.value.uid);
    REQUIRE(r.value.esearch_items.size() == 2);
    CHECK(r.value.esearch_items[1].number == 3800);
  }
  {
    const auto r = parse("* SEARCH 2 5 6 (MODSEQ 917162500)\r\n");
    REQUIRE(r.ok());
    std::vector<std::uint32_t> v;
    r.value.numbers.for_each([&](std::uint32_t n) { v.push_back(n); });
    CHECK(v == std::vector<std::uint32_t>{2, 5, 6});
    CHECK(r.value.has_modseq);
    CHECK(r.value.number == 917162500);
  }
  {
    const auto r = parse("* VANISHED (EARLIER) 41,43:116\r\n");
    REQUIRE(r.ok());
    CHECK(r.value.earlier);
    CHECK(r.value.uids.size() == 2);
  }
  {
    const auto r = parse("* QUOTA \"\" (STORAGE 10 512)\r\n");
    REQUIRE(r.ok());
    REQUIRE(r.value.resources.size() == 1);
    CHECK(r.value.resources[0].limit == 512);
  }
  {
    const auto r = parse("* ID (\"name\" \"Cyrus\" \"version\" \"1.5\")\r\n");
    REQUIRE(r.ok());
    CHECK(r.value.id_list.get("version").content() == "1.5");
  }
  {
    const auto r = parse("+ idling\r\n");
    REQUIRE(r.ok());
    CHECK(r.value.kind == response_kind::continuation);
    CHECK(r.value.text.text == "idling");
  }
  {
    const auto r = parse("* 1 FETCH (X-GM-LABELS (\\Inbox \"Muy Importante\") UID 4)\r\n");
    REQUIRE(r.ok());
    REQUIRE(r.value.atts.size() == 2);
    CHECK(r.value.atts[0].other);
    CHECK(r.value.atts[0].name == "X-GM-LABELS");
    CHECK(r.value.atts[1].number == 4);
  }
  {
    const auto r = parse("* CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN\r\n");
    REQUIRE(r.ok());
    CHECK(r.value.capabilities.size() == 3);
    CHECK(r.value.capabilities.contains("literal+"));
  }
}

TEST_CASE("imap response: lenient but kept forms", "[imap][response]") {
  // RFC 9051 wants SP resp-text; "+\r\n", "a OK\r\n" and "[CODE]\r\n" are common and kept.
  for (std::string_view s : {"+\r\n", "+ \r\n", "a1 OK\r\n", "* OK [READ-WRITE]\r\n", "* OK [CLOSED] \r\n",
                             "a1 ok done\r\n", "* 3 exists\r\n"}) {
    INFO(std::string(s));
    const auto r = parse(s);
    REQUIRE(r.ok());
    std::string out;
    REQUIRE(write_response(out, r.value) == errc::ok);
    if (s == "a1 ok done\r\n") CHECK(out == "a1 OK done\r\n");
    else if (s == "* 3 exists\r\n") CHECK(out == "* 3 EXISTS\r\n");
    else CHECK(out == s);
  }
}

TEST_CASE("imap response: reject table with offsets", "[imap][response]") {
  struct bad {
    std::string_view in;
    errc e;
    std::size_t at;
  };
  const bad table[] = {
      {"a1 MAYBE done\r\n", errc::unexpected_character, 3},
      {"a+1 OK x\r\n", errc::bad_tag, 1},
      {"* 0 FETCH (UID 1)\r\n", errc::bad_number, 2},
      {"* 3 FETCH (UID 0)\r\n", errc::bad_number, 15},
      {"* 3 FETCH (FLAGS (\\Seen)\r\n", errc::unexpected_character, 24},
      {"* 3 FETCH ()\r\n", errc::bad_fetch_attribute, 11},
      {"* 3 WHATEVER\r\n", errc::unexpected_character, 4},
      {"* SEARCH 0\r\n", errc::bad_number, 9},
      {"* SEARCH 1  2\r\n", errc::bad_number, 11},
      {"* OK [UIDNEXT 1\r\n", errc::unexpected_character, 15},
      {"* OK x\ny\r\n", errc::bare_lf, 6},
      {"* OK caf\xC3\xA9\r\n", errc::eight_bit_not_allowed, 8},
      {"* OK a\0b\r\n"sv, errc::nul_outside_literal8, 6},
      {"* LIST () \"//\" foo\r\n", errc::unexpected_character, 10},
      {"* LIST () \"/\" &Jjo\r\n", errc::mutf7_unterminated, 14},
      {"* VANISHED 1:*\r\n", errc::bad_sequence_set, 11},
      {"* ESEARCH ALL $\r\n", errc::bad_sequence_set, 14},
      {"* STATUS foo (MESSAGES x)\r\n", errc::bad_number, 23},
      {"* THREAD (1 (2))\r\n", errc::unexpected_character, 15},
      {"* THREAD \r\n", errc::unexpected_character, 9},
      {"* 1 FETCH (BODY[0] NIL)\r\n", errc::bad_section, 16},
      {"* 1 FETCH (MODSEQ 5)\r\n", errc::unexpected_character, 18},
      {"* 1 FETCH (BINARY[1] {3+}\r\nabc)\r\n", errc::non_sync_literal_not_allowed, 23},
      {"* 1 FETCH (RFC822 {3}\r\na\0c)\r\n"sv, errc::nul_outside_literal8, 24},
      {"* OK done\r\nextra", errc::trailing_data, 11},
      {"* FLAGS (\\Seen) \r\n", errc::expected_crlf, 15},
      {"* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n", errc::expected_space, 56},
  };
  for (const auto& b : table) {
    INFO(std::string(b.in));
    mwtest::heap_copy buf(b.in);
    const auto r = parse_response(buf.view(), nullptr, auth_limits());
    REQUIRE(r.st == status::error);
    CHECK(r.error == b.e);
    CHECK(r.error_offset == b.at);
    for (std::size_t k = 0; k < b.at; ++k) {
      mwtest::heap_copy p(b.in.substr(0, k));
      INFO("prefix " << k);
      CHECK(parse_response(p.view(), nullptr, auth_limits()).st == status::need_more);
    }
  }
}

TEST_CASE("imap response: limits", "[imap][response]") {
  limits lim = auth_limits();
  SECTION("nesting") {
    lim.nesting_after_auth = 3;
    const std::string ok = "* 1 FETCH (BODY ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"MIXED\"))\r\n";
    CHECK(parse_response(ok, nullptr, lim).ok());
    lim.nesting_after_auth = 2;
    const auto r = parse_response(ok, nullptr, lim);
    REQUIRE(r.st == status::error);
    CHECK(r.error == errc::nesting_too_deep);
    CHECK(r.error_offset == 17);
  }
  SECTION("10,000 nested parentheses are refused at the limit") {
    std::string s = "* 1 FETCH (BODY ";
    s += std::string(10000, '(');
    const auto r = parse_response(s, nullptr, lim);
    REQUIRE(r.st == status::error);
    CHECK(r.error == errc::nesting_too_deep);
    CHECK(r.error_offset == 16 + 31);
  }
  SECTION("list items") {
    lim.list_items = 3;
    CHECK(parse_response("* SEARCH 1 2 3\r\n", nullptr, lim).ok());
    const auto r = parse_response("* SEARCH 1 2 3 4\r\n", nullptr, lim);
    REQUIRE(r.st == status::error);
    CHECK(r.error == errc::list_too_long);
    CHECK(parse_response("* CAPABILITY A B C D\r\n", nullptr, lim).error == errc::list_too_long);
    CHECK(parse_response("* 1 FETCH (UID 1 UID 2 UID 3 UID 4)\r\n", nullptr, lim).error == errc::list_too_long);
  }
  SECTION("literal size") {
    lim.literal_after_auth = 4;
    CHECK(parse_response("* 1 FETCH (RFC822 {4}\r\nabcd)\r\n", nullptr, lim).ok());
    const auto r = parse_response("* 1 FETCH (RFC822 {5}\r\nabcde)\r\n", nullptr, lim);
    REQUIRE(r.st == status::error);
    CHECK(r.error == errc::literal_too_large);
  }
}

TEST_CASE("imap response: streamed literals and parse_fetch_prefix", "[imap][response]") {
  const limits lim = auth_limits();
  // The framer left only the announcement of a 84213-octet literal in the buffer.
  const std::string msg = "* 12 FETCH (UID 7 BODY[1.2]<0> {84213}\r\n FLAGS (\\Seen))\r\n";
  literal_span lit;
  lit.offset = 40;
  lit.size = 84213;
  lit.streamed = true;
  const literal_span lits[] = {lit};
  literal_context ctx;
  ctx.message = msg.data();
  ctx.literals = lits;
  const auto r = parse_response(msg, &ctx, lim);
  REQUIRE(r.ok());
  REQUIRE(r.value.atts.size() == 3);
  CHECK(r.value.atts[1].data.streamed());
  CHECK(r.value.atts[1].data.size() == 84213);
  CHECK(r.value.atts[1].att.section.part() == "1.2");
  std::string out;
  REQUIRE(write_response(out, r.value) == errc::ok);
  CHECK(out == msg);

  const std::string prefix = "* 12 FETCH (UID 7 BODY[1.2]<0> {84213}\r\n";
  const auto p = parse_fetch_prefix(prefix, lim);
  REQUIRE(p.st == status::event);
  CHECK(p.value.number == 12);
  REQUIRE(p.value.atts.size() == 1);
  CHECK(p.value.atts[0].number == 7);
  CHECK(p.value.pending.att.item == fetch_item::body_section);
  CHECK(p.value.pending.att.partial.origin == 0);
  CHECK(p.value.pending.data.size() == 84213);
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    INFO(k);
    CHECK(parse_fetch_prefix(prefix.substr(0, k), lim).st == status::need_more);
  }
  const auto b = parse_fetch_prefix("* 3 FETCH (BINARY[] ~{10}\r\n", lim);
  REQUIRE(b.ok());
  CHECK(b.value.pending.data.form() == string_form::literal8);
  CHECK(parse_fetch_prefix("* 3 FETCH (UID 0 BODY[] {10}\r\n", lim).st == status::error);
  CHECK(parse_fetch_prefix("* 3 EXISTS\r\n", lim).st == status::error);
}

TEST_CASE("imap response: parse_response_into reuses one response", "[imap][response]") {
  const limits lim = auth_limits();
  response resp;
  const std::string msgs[] = {
      "* 1 FETCH (UID 5 BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 2 1) \"ALTERNATIVE\"))\r\n",
      "* 2 FETCH (FLAGS (\\Seen))\r\n",
      "* OK [UIDNEXT 9] x\r\n",
      "* 3 FETCH (UID 7 BODY (\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" 3) RFC822.SIZE 4)\r\n",
      "* 4 FETCH (UID 0)\r\n",
      "* 5 FETCH (UID 8)\r\n",
  };
  for (const auto& m : msgs) {
    INFO(m);
    const auto a = parse_response(m, nullptr, lim);
    const auto b = parse_response_into(resp, m, nullptr, lim);
    REQUIRE(a.st == b.st);
    if (!a.ok()) continue;
    std::string x, y;
    REQUIRE(write_response(x, a.value) == errc::ok);
    REQUIRE(write_response(y, resp) == errc::ok);
    CHECK(x == m);
    CHECK(y == m);
    CHECK(resp.atts.size() == a.value.atts.size());
  }
}

TEST_CASE("imap response: unknown responses keep literals", "[imap][response]") {
  const std::string s = "* XFOO bar {3}\r\nabc baz\r\n";
  const auto r = parse(s);
  REQUIRE(r.ok());
  CHECK(r.value.kind == response_kind::unknown);
  CHECK(r.value.name == "XFOO");
  std::string out;
  REQUIRE(write_response(out, r.value) == errc::ok);
  CHECK(out == s);
}

TEST_CASE("imap response: UTF-8 under IMAP4rev2 / UTF8=ACCEPT", "[imap][response]") {
  response_options ro;
  ro.utf8 = true;
  const std::string s = "* LIST () \"/\" \"Entw\xC3\xBC" "rfe\"\r\n";
  CHECK(parse(s).st == status::error);
  const auto r = parse(s, ro);
  REQUIRE(r.ok());
  std::string out;
  REQUIRE(write_response(out, r.value, ro) == errc::ok);
  CHECK(out == s);
  CHECK(parse("* OK caf\xC3\xA9\r\n", ro).ok());
  response_options q;
  q.eight_bit_text = true;
  CHECK(parse("* OK caf\xE9\r\n", q).ok());
}

namespace {

std::string random_atomish(std::mt19937& rng, std::size_t max) {
  static const char cs[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._";
  std::string s;
  const std::size_t n = 1 + rng() % max;
  for (std::size_t i = 0; i < n; ++i) s.push_back(cs[rng() % (sizeof(cs) - 1)]);
  return s;
}

std::string random_nstring(std::mt19937& rng) {
  switch (rng() % 4) {
    case 0: return "NIL";
    case 1: {
      const std::string t = random_atomish(rng, 12) + " " + random_atomish(rng, 6);
      return "{" + std::to_string(t.size()) + "}\r\n" + t;
    }
    default: {
      std::string t = random_atomish(rng, 20);
      if (rng() % 3 == 0) t += "\\\"";
      return "\"" + t + "\"";
    }
  }
}

std::string random_address_list(std::mt19937& rng) {
  if (rng() % 3 == 0) return "NIL";
  std::string s = "(";
  const int n = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < n; ++i)
    s += "(" + random_nstring(rng) + " NIL " + random_nstring(rng) + " " + random_nstring(rng) + ")";
  return s + ")";
}

std::string random_envelope(std::mt19937& rng) {
  std::string s = "(" + random_nstring(rng) + " " + random_nstring(rng);
  for (int i = 0; i < 6; ++i) s += " " + random_address_list(rng);
  return s + " " + random_nstring(rng) + " " + random_nstring(rng) + ")";
}

std::string random_body(std::mt19937& rng, int depth) {
  const int k = depth > 0 ? static_cast<int>(rng() % 4) : static_cast<int>(rng() % 2);
  const auto params = [&] {
    if (rng() % 2) return std::string("NIL");
    return "(\"" + random_atomish(rng, 8) + "\" \"" + random_atomish(rng, 8) + "\")";
  };
  const auto ext1 = [&](std::string& s) {
    const int e = static_cast<int>(rng() % 6);
    if (e >= 1) s += " " + random_nstring(rng);
    if (e >= 2) s += rng() % 2 ? " NIL" : " (\"attachment\" " + params() + ")";
    if (e >= 3) s += rng() % 2 ? " \"en\"" : " (\"en\" \"de\")";
    if (e >= 4) s += " " + random_nstring(rng);
    if (e >= 5) s += " (1 \"x\" (NIL 2))";
  };
  if (k == 2 || k == 3) {
    if (k == 3) {
      std::string s = "(\"MESSAGE\" \"RFC822\" " + params() + " NIL NIL \"7BIT\" " + std::to_string(rng() % 10000) +
                      " " + random_envelope(rng) + " " + random_body(rng, depth - 1) + " " +
                      std::to_string(rng() % 100);
      ext1(s);
      return s + ")";
    }
    std::string s = "(";
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) s += random_body(rng, depth - 1);
    s += " \"MIXED\"";
    const int e = static_cast<int>(rng() % 6);
    if (e >= 1) s += " " + params();
    if (e >= 2) s += " NIL";
    if (e >= 3) s += " NIL";
    if (e >= 4) s += " \"http://x\"";
    if (e >= 5) s += " 7";
    return s + ")";
  }
  std::string s = k == 0 ? "(\"TEXT\" \"PLAIN\" " : "(\"IMAGE\" \"PNG\" ";
  s += params() + " " + random_nstring(rng) + " " + random_nstring(rng) + " \"BASE64\" " +
       std::to_string(rng() % 100000);
  if (k == 0) s += " " + std::to_string(rng() % 1000);
  ext1(s);
  return s + ")";
}

std::string random_response(std::mt19937& rng) {
  switch (rng() % 12) {
    case 0: return "a" + std::to_string(rng() % 1000) + " OK [UIDNEXT " + std::to_string(1 + rng() % 99999) + "] " + random_atomish(rng, 20) + "\r\n";
    case 1: return "* " + std::to_string(rng() % 100000) + " EXISTS\r\n";
    case 2: return "* SEARCH " + std::to_string(1 + rng() % 100) + " " + std::to_string(1 + rng() % 100) + "\r\n";
    case 3: return "* LIST (\\HasNoChildren) \"/\" " + random_atomish(rng, 10) + "\r\n";
    case 4: return "* STATUS " + random_atomish(rng, 10) + " (MESSAGES " + std::to_string(rng() % 1000) + " UIDNEXT 7)\r\n";
    case 5: return "* VANISHED (EARLIER) " + std::to_string(1 + rng() % 50) + ":" + std::to_string(51 + rng() % 50) + "\r\n";
    case 6: return "+ " + random_atomish(rng, 30) + "\r\n";
    case 7: return "* ESEARCH (TAG \"" + random_atomish(rng, 4) + "\") UID COUNT " + std::to_string(rng() % 9) + "\r\n";
    default: {
      std::string s = "* " + std::to_string(1 + rng() % 10000) + " FETCH (FLAGS (\\Seen) UID " +
                      std::to_string(1 + rng() % 100000) + " RFC822.SIZE " + std::to_string(rng() % 100000) +
                      " INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" ENVELOPE " + random_envelope(rng) +
                      " BODYSTRUCTURE " + random_body(rng, 3) + " BODY[] " + random_nstring(rng) + ")\r\n";
      return s;
    }
  }
}

}  // namespace

TEST_CASE("imap response: seeded round trip of random responses", "[imap][response]") {
  std::mt19937 rng(20261123);
  const limits lim = auth_limits();
  for (int i = 0; i < 1500; ++i) {
    const std::string s = random_response(rng);
    INFO(s);
    mwtest::heap_copy buf(s);
    const auto r = parse_response(buf.view(), nullptr, lim);
    REQUIRE(r.ok());
    std::string out;
    REQUIRE(write_response(out, r.value) == errc::ok);
    CHECK(out == s);
    if (i % 50 == 0) {
      for (std::size_t k = 0; k < s.size(); ++k) {
        mwtest::heap_copy p(std::string_view(s).substr(0, k));
        REQUIRE(parse_response(p.view(), nullptr, lim).st == status::need_more);
      }
    }
  }
}
