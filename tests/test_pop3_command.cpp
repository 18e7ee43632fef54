// Tests of mailwire/pop3/command.hpp: every command of RFC 1939 (section 10 example lines),
// CAPA/STLS/AUTH/UTF8/LANG, strict framing, every limit, every prefix of every line, pipelined
// lines, and seeded round trips.
#include <catch2/catch.hpp>

#include <mailwire/pop3/command.hpp>

#include <memory>
#include <random>
#include <vector>
#include <string>

#include "chunking.hpp"

namespace pop3 = mailwire::pop3;
using mailwire::status;
using pop3::errc;
using pop3::keyword;

namespace {

struct parsed {
  std::unique_ptr<mwtest::heap_copy> buf;
  pop3::parse_result<pop3::command> r;
};

/// Parses `line` from an exact-size heap buffer; every proper prefix is need_more (or the same
/// over-long error, consuming nothing).
parsed parse(std::string_view line, const pop3::limits& lim = {}, const pop3::command_options& o = {}) {
  parsed p;
  p.buf = std::make_unique<mwtest::heap_copy>(line);
  p.r = pop3::parse_command(p.buf->view(), lim, o);
  for (std::size_t n = 0; n < line.size(); ++n) {
    if (line.substr(0, n).find('\n') != std::string_view::npos) break;
    mwtest::heap_copy pre(line.substr(0, n));
    const auto q = pop3::parse_command(pre.view(), lim, o);
    INFO("prefix of " << n << " bytes");
    REQUIRE(q.consumed == 0);
    if (q.st == status::error) {
      REQUIRE((q.error == errc::line_too_long || q.error == errc::auth_line_too_long));
      REQUIRE(p.r.error == q.error);
    } else {
      REQUIRE(q.st == status::need_more);
    }
  }
  return p;
}

pop3::command ok(std::string_view line, const pop3::command_options& o = {}, const pop3::limits& lim = {}) {
  static std::vector<std::unique_ptr<parsed>> keep;  // views stay valid for the test
  keep.push_back(std::make_unique<parsed>(parse(line, lim, o)));
  auto& p = *keep.back();
  INFO(line);
  REQUIRE(p.r.st == status::event);
  REQUIRE(p.r.consumed == line.size());
  std::string out;
  REQUIRE(pop3::serialize(p.r.value, out) == errc::ok);
  pop3::command_options u;
  u.utf8 = true;
  pop3::limits big;
  big.argument = 1000;
  const auto back = pop3::parse_command(out, big, u);
  REQUIRE(back.ok());
  REQUIRE(back.value == p.r.value);
  std::string again;
  REQUIRE(pop3::serialize(back.value, again) == errc::ok);
  REQUIRE(again == out);
  return p.r.value;
}

void bad(std::string_view line, errc e, std::size_t at, const pop3::command_options& o = {},
         const pop3::limits& lim = {}) {
  auto p = parse(line, lim, o);
  INFO(line);
  REQUIRE(p.r.st == status::error);
  CHECK(p.r.error == e);
  CHECK(p.r.error_offset == at);
  if (e != errc::line_too_long && e != errc::auth_line_too_long) CHECK(p.r.consumed == line.size());
}

}  // namespace

TEST_CASE("pop3 command: RFC 1939 section 10 example session lines", "[pop3][command]") {
  auto c = ok("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
  CHECK(c.k == keyword::apop);
  CHECK(c.name == "mrose");
  CHECK(c.digest == "c4c9334bac560ecc979e58001b3e22fb");
  CHECK(ok("STAT\r\n").k == keyword::stat);
  c = ok("LIST\r\n");
  CHECK(c.k == keyword::list);
  CHECK(c.message == 0);
  CHECK(c.multiline());
  c = ok("RETR 1\r\n");
  CHECK(c.k == keyword::retr);
  CHECK(c.message == 1);
  CHECK(c.multiline());
  c = ok("DELE 2\r\n");
  CHECK(c.k == keyword::dele);
  CHECK(c.message == 2);
  CHECK_FALSE(c.multiline());
  CHECK(ok("QUIT\r\n").k == keyword::quit);
}

TEST_CASE("pop3 command: every command of RFC 1939, 2449, 2595, 5034, 6856", "[pop3][command]") {
  auto c = ok("USER mrose\r\n");
  CHECK(c.k == keyword::user);
  CHECK(c.name == "mrose");
  c = ok("PASS my secret  word \r\n");
  CHECK(c.k == keyword::pass);
  CHECK(c.secret == "my secret  word ");
  c = ok("LIST 2\r\n");
  CHECK(c.message == 2);
  CHECK_FALSE(c.multiline());
  c = ok("TOP 1 10\r\n");
  CHECK(c.k == keyword::top);
  CHECK(c.message == 1);
  CHECK(c.lines == 10);
  CHECK(c.multiline());
  CHECK(ok("TOP 1 0\r\n").lines == 0);
  c = ok("UIDL\r\n");
  CHECK((c.k == keyword::uidl && c.message == 0 && c.multiline()));
  c = ok("UIDL 2\r\n");
  CHECK((c.message == 2 && !c.multiline()));
  CHECK(ok("NOOP\r\n").k == keyword::noop);
  CHECK(ok("RSET\r\n").k == keyword::rset);
  CHECK(ok("CAPA\r\n").multiline());
  CHECK(ok("STLS\r\n").k == keyword::stls);
  CHECK(ok("UTF8\r\n").k == keyword::utf8);
  c = ok("LANG\r\n");
  CHECK((c.k == keyword::lang && c.language.empty() && c.multiline()));
  c = ok("LANG fr-CA\r\n");
  CHECK((c.language == "fr-CA" && !c.multiline()));
  CHECK(ok("LANG *\r\n").language == "*");
  // AUTH (RFC 5034 section 4 and its examples)
  c = ok("AUTH GSSAPI\r\n");
  CHECK((c.k == keyword::auth && c.mechanism == "GSSAPI" && c.ir == pop3::initial_response::none));
  c = ok("AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
  CHECK((c.ir == pop3::initial_response::data && c.response == "dGVzdAB0ZXN0AHRlc3Q="));
  c = ok("AUTH EXTERNAL =\r\n");
  CHECK(c.ir == pop3::initial_response::empty);
  // Keywords are case-insensitive (RFC 1939 section 3); the canonical form is upper case.
  c = ok("rEtR 7\r\n");
  CHECK((c.k == keyword::retr && c.message == 7 && c.keyword_text == "rEtR"));
  std::string out;
  REQUIRE(pop3::serialize(c, out) == errc::ok);
  CHECK(out == "RETR 7\r\n");
  out.clear();
  REQUIRE(pop3::serialize(ok("LIST 007\r\n"), out) == errc::ok);
  CHECK(out == "LIST 7\r\n");
  // Unknown keywords are not errors.
  c = ok("XTND XMIT foo\r\n");
  CHECK((c.k == keyword::unknown && c.keyword_text == "XTND" && c.argument == "XMIT foo"));
  CHECK(ok("LAST\r\n").k == keyword::unknown);
}

TEST_CASE("pop3 command: pipelined lines parse one at a time", "[pop3][command]") {
  const std::string all = "USER a\r\nPASS b c\r\nSTAT\r\nRETR 1\r\nQUIT\r\n";
  mwtest::heap_copy h(all);
  std::string_view in = h.view();
  const keyword want[] = {keyword::user, keyword::pass, keyword::stat, keyword::retr, keyword::quit};
  for (keyword k : want) {
    const auto r = pop3::parse_command(in);
    REQUIRE(r.ok());
    CHECK(r.value.k == k);
    in.remove_prefix(r.consumed);
  }
  CHECK(in.empty());
  CHECK(pop3::parse_command(in).st == status::need_more);
}

TEST_CASE("pop3 command: framing is strict, leniencies are named", "[pop3][command]") {
  using namespace std::literals;
  bad("STAT\n", errc::bare_lf, 4);
  bad("ST\rAT\r\n", errc::bare_cr, 2);
  bad("USER a\0b\r\n"sv, errc::nul_in_line, 6);
  bad("USER a\tb\r\n", errc::control_character, 6);
  bad("USER a\x7f\r\n", errc::control_character, 6);
  bad("\r\n", errc::empty_line, 0);
  bad("RE-TR\r\n", errc::invalid_keyword, 2);
  bad("1234\r\n", errc::invalid_keyword, 0);
  bad("RETR  1\r\n", errc::bad_spacing, 5);
  bad("RETR 1 \r\n", errc::bad_spacing, 6);
  bad("STAT \r\n", errc::bad_spacing, 4);
  bad("TOP 1  2\r\n", errc::bad_spacing, 6);
  pop3::command_options lenient;
  lenient.lenient_bare_lf = true;
  CHECK(ok("STAT\n", lenient).k == keyword::stat);
  lenient.lenient_spaces = true;
  auto c = ok("TOP  1   2  \r\n", lenient);
  CHECK((c.message == 1 && c.lines == 2));
  CHECK(ok("STAT \r\n", lenient).k == keyword::stat);
  CHECK(ok("PASS  two  spaces\r\n", lenient).secret == " two  spaces");  // PASS is kept as is
}

TEST_CASE("pop3 command: arguments", "[pop3][command]") {
  bad("USER\r\n", errc::missing_argument, 4);
  bad("PASS\r\n", errc::missing_argument, 4);
  bad("USER a b\r\n", errc::too_many_arguments, 7);
  bad("STAT 1\r\n", errc::unexpected_argument, 5);
  bad("QUIT now\r\n", errc::unexpected_argument, 5);
  bad("STLS x\r\n", errc::unexpected_argument, 5);
  bad("RETR\r\n", errc::missing_argument, 4);
  bad("RETR 1 2\r\n", errc::too_many_arguments, 7);
  bad("LIST 1 2 3 4\r\n", errc::too_many_arguments, 12);
  bad("TOP 1\r\n", errc::missing_argument, 5);
  bad("RETR x\r\n", errc::invalid_message_number, 5);
  bad("RETR -1\r\n", errc::invalid_message_number, 5);
  bad("RETR 0\r\n", errc::invalid_message_number, 5);
  bad("DELE 00\r\n", errc::invalid_message_number, 5);
  bad("TOP 1 x\r\n", errc::invalid_message_number, 6);
  // Overflow-checked numbers: 2^31-1 is the default maximum.
  CHECK(ok("RETR 2147483647\r\n").message == 2147483647u);
  bad("RETR 2147483648\r\n", errc::number_overflow, 5);
  bad("RETR 99999999999999999999999\r\n", errc::number_overflow, 5);
  bad("TOP 1 4294967296\r\n", errc::number_overflow, 6);
  pop3::limits small;
  small.max_number = 10;
  CHECK(ok("RETR 10\r\n", {}, small).message == 10);
  bad("RETR 11\r\n", errc::number_overflow, 5, {}, small);
  // APOP digest: 32 hex digits
  bad("APOP mrose c4c9334bac560ecc979e58001b3e22f\r\n", errc::invalid_digest, 11);
  bad("APOP mrose c4c9334bac560ecc979e58001b3e22fg\r\n", errc::invalid_digest, 42);
  bad("APOP mrose\r\n", errc::missing_argument, 10);
  // AUTH
  bad("AUTH\r\n", errc::missing_argument, 4);
  bad("AUTH PL@IN\r\n", errc::invalid_mechanism, 5);
  bad("AUTH ABCDEFGHIJKLMNOPQRSTU\r\n", errc::invalid_mechanism, 5);
  bad("AUTH PLAIN abc\r\n", errc::invalid_base64, 11);
  bad("AUTH PLAIN ab!c\r\n", errc::invalid_base64, 13);
  bad("AUTH PLAIN ==\r\n", errc::invalid_base64, 11);
  bad("AUTH PLAIN a b\r\n", errc::too_many_arguments, 13);
  // LANG
  bad("LANG 12\r\n", errc::invalid_language, 5);
  bad("LANG en-\r\n", errc::invalid_language, 5);
  bad("LANG abcdefghi\r\n", errc::invalid_language, 5);
  CHECK(ok("LANG i-default\r\n").language == "i-default");
}

TEST_CASE("pop3 command: 8-bit only in UTF8 mode (RFC 6856)", "[pop3][command]") {
  bad("USER j\xc3\xb6rg\r\n", errc::non_ascii, 6);
  bad("PASS \xc3\xb6\r\n", errc::non_ascii, 5);
  pop3::command_options u;
  u.utf8 = true;
  CHECK(ok("USER j\xc3\xb6rg\r\n", u).name == "j\xc3\xb6rg");
  CHECK(ok("PASS p\xc3\xa4ss w\r\n", u).secret == "p\xc3\xa4ss w");
  bad("USER j\xc3rg\r\n", errc::invalid_utf8, 6, u);
  bad("USER \xed\xa0\x80\r\n", errc::invalid_utf8, 5, u);  // a surrogate
  bad("PASS \xc0\xaf\r\n", errc::invalid_utf8, 5, u);      // overlong
}

TEST_CASE("pop3 command: limits", "[pop3][command]") {
  // 255 octets including CRLF (RFC 2449 section 4).
  const std::string pass253 = "PASS " + std::string(248, 'x') + "\r\n";
  REQUIRE(pass253.size() == 255);
  CHECK(ok(pass253).secret.size() == 248);
  const std::string pass256 = "PASS " + std::string(249, 'x') + "\r\n";
  bad(pass256, errc::line_too_long, 255);
  // Without any LF: an error as soon as 255 octets wait, nothing consumed.
  const std::string flood(100000, 'A');
  auto r = pop3::parse_command(flood);
  CHECK((r.st == status::error && r.error == errc::line_too_long && r.consumed == 0));
  CHECK(pop3::parse_command(std::string_view(flood).substr(0, 254)).st == status::need_more);
  // AUTH lines may be 12,288 octets.
  const std::string ir(12276, 'A');
  const std::string auth = "AUTH PLAIN " + ir + "\r\n";
  REQUIRE(auth.size() == 12289);
  bad(auth, errc::auth_line_too_long, 12288);
  const std::string auth_ok = "AUTH PLAIN " + ir.substr(4) + "\r\n";
  CHECK(ok(auth_ok).response.size() == ir.size() - 4);
  // Arguments: 40 octets (RFC 1939 section 3).
  CHECK(ok("USER " + std::string(40, 'u') + "\r\n").name.size() == 40);
  bad("USER " + std::string(41, 'u') + "\r\n", errc::argument_too_long, 45);
  bad("APOP " + std::string(41, 'u') + " c4c9334bac560ecc979e58001b3e22fb\r\n", errc::argument_too_long, 45);
  pop3::limits lim;
  lim.argument = 100;
  CHECK(ok("USER " + std::string(100, 'u') + "\r\n", {}, lim).name.size() == 100);
  lim.command_line = 10;
  bad("USER abcd\r\n", errc::line_too_long, 10, {}, lim);
}

TEST_CASE("pop3 command: SASL continuation lines", "[pop3][command]") {
  auto r = pop3::parse_auth_response("dGVzdAB0ZXN0AHRlc3Q=\r\n");
  REQUIRE(r.ok());
  CHECK(r.value.data == "dGVzdAB0ZXN0AHRlc3Q=");
  r = pop3::parse_auth_response("*\r\n");
  REQUIRE(r.ok());
  CHECK(r.value.cancel);
  r = pop3::parse_auth_response("\r\n");
  REQUIRE(r.ok());
  CHECK(r.value.data.empty());
  r = pop3::parse_auth_response("abc\r\n");
  CHECK((r.st == status::error && r.error == errc::invalid_base64));
  r = pop3::parse_auth_response("abcd\n");
  CHECK((r.st == status::error && r.error == errc::bare_lf));
  CHECK(pop3::parse_auth_response("abcd").st == status::need_more);
  std::string out;
  CHECK(pop3::serialize(pop3::auth_response{true, {}}, out) == errc::ok);
  CHECK(pop3::serialize(pop3::auth_response{false, "YWJj"}, out) == errc::ok);
  CHECK(out == "*\r\nYWJj\r\n");
  CHECK(pop3::serialize(pop3::auth_response{false, "a\r\nb"}, out) != errc::ok);
  CHECK(out == "*\r\nYWJj\r\n");
}

TEST_CASE("pop3 command: the serializer refuses values that would not read back", "[pop3][command]") {
  std::string out;
  pop3::command c;
  c.k = keyword::user;
  c.name = "a b";
  CHECK(pop3::serialize(c, out) == errc::too_many_arguments);
  c.name = "a\r\nDELE 1";
  CHECK(pop3::serialize(c, out) != errc::ok);
  c = {};
  c.k = keyword::pass;
  c.secret = "x\nDELE 1";
  CHECK(pop3::serialize(c, out) != errc::ok);
  c = {};
  c.k = keyword::retr;
  CHECK(pop3::serialize(c, out) == errc::invalid_message_number);  // message 0
  c.message = 0x80000000u;
  CHECK(pop3::serialize(c, out) == errc::number_overflow);
  c = {};
  c.k = keyword::apop;
  c.name = "n";
  c.digest = "short";
  CHECK(pop3::serialize(c, out) == errc::invalid_digest);
  c = {};
  c.k = keyword::auth;
  c.mechanism = "PLAIN";
  c.ir = pop3::initial_response::data;
  c.response = "";
  CHECK(pop3::serialize(c, out) != errc::ok);
  CHECK(out.empty());
  c = {};
  c.k = keyword::top;
  c.message = 3;
  c.lines = 0;
  REQUIRE(pop3::serialize(c, out) == errc::ok);
  CHECK(out == "TOP 3 0\r\n");
}

TEST_CASE("pop3 command: seeded round trips of generated commands", "[pop3][command]") {
  std::mt19937 rng(6);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::string_view names[] = {"mrose", "a", "user.name@example.org", "x-_+"};
  const std::string_view mechs[] = {"PLAIN", "LOGIN", "SCRAM-SHA-256", "X_Y"};
  for (int n = 0; n < 2000; ++n) {
    pop3::command c;
    c.k = static_cast<keyword>(pick(static_cast<std::size_t>(keyword::unknown)));
    std::string digest;
    for (int i = 0; i < 32; ++i) digest.push_back("0123456789abcdef"[pick(16)]);
    switch (c.k) {
      case keyword::user: c.name = names[pick(4)]; break;
      case keyword::pass: c.secret = pick(2) ? "pass word" : "p"; break;
      case keyword::apop:
        c.name = names[pick(4)];
        c.digest = digest;
        break;
      case keyword::list:
      case keyword::uidl: c.message = static_cast<std::uint32_t>(pick(3) ? rng() % 0x7FFFFFFFu : 0); break;
      case keyword::retr:
      case keyword::dele: c.message = 1 + static_cast<std::uint32_t>(rng() % 0x7FFFFFFEu); break;
      case keyword::top:
        c.message = 1 + static_cast<std::uint32_t>(rng() % 1000);
        c.lines = static_cast<std::uint32_t>(rng() % 100);
        break;
      case keyword::auth:
        c.mechanism = mechs[pick(4)];
        c.ir = static_cast<pop3::initial_response>(pick(3));
        if (c.ir == pop3::initial_response::data) c.response = "AGEAYg==";
        break;
      case keyword::lang: c.language = pick(2) ? "en" : ""; break;
      default: break;
    }
    std::string out;
    INFO(static_cast<int>(c.k));
    REQUIRE(pop3::serialize(c, out) == errc::ok);
    pop3::command_options u;
    u.utf8 = true;
    pop3::limits lim;
    lim.argument = 1000;
    const auto back = pop3::parse_command(out, lim, u);
    REQUIRE(back.ok());
    CHECK(back.consumed == out.size());
    CHECK(back.value == c);
  }
}
