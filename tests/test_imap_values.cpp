// Tests of mailwire/imap/values.hpp: tag, atom, numbers, strings (astring / string / nstring,
// quoted, literal, literal8, streamed literals), capability, mailbox, list-mailbox.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "imap_value_testing.hpp"
#include "mailwire/imap/values.hpp"

using namespace mailwire::imap;
using mailwire::status;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace {

struct reject {
  std::string_view in;
  errc error;
  std::size_t offset;
};

template <class Parse>
void check_rejects(Parse parse, std::initializer_list<reject> table) {
  for (const auto& b : table) {
    INFO("input: " << std::string(b.in));
    const auto p = mwtest::parse_checked(parse, b.in);
    CHECK(p.r.st == status::error);
    CHECK(to_string(p.r.error) == to_string(b.error));
    CHECK(p.r.error_offset == b.offset);
  }
}

const auto astring = [](std::string_view s) { return parse_astring(s); };
const auto nstring = [](std::string_view s) { return parse_nstring(s); };
const auto string_p = [](std::string_view s) { return parse_string(s); };

std::string write_a(const string_value& v, const options& opt = {}) {
  std::string out;
  REQUIRE(write_astring(out, v, opt) == errc::ok);
  return out;
}

}  // namespace

TEST_CASE("imap values: tag", "[imap][values]") {
  const auto p = mwtest::parse_checked([](std::string_view s) { return parse_tag(s); }, "a001 LOGIN");
  REQUIRE(p.r.ok());
  CHECK(p.r.consumed == 4);
  CHECK(p.r.value.text() == "a001");
  for (std::string_view t : {"A", "a.b", "x]y", "1", "~tag", "$", "a-b_c"}) {
    const auto q = mwtest::parse_checked([](std::string_view s) { return parse_tag(s); }, std::string(t) + " X");
    INFO(t);
    CHECK(q.r.ok());
    CHECK(q.r.value.text() == t);
    std::string out;
    CHECK(write_tag(out, q.r.value) == errc::ok);
    CHECK(out == t);
  }
  check_rejects([](std::string_view s) { return parse_tag(s); },
                {
                    {"* OK", errc::bad_tag, 0},       // "*" is not a command tag
                    {"+ go", errc::bad_tag, 0},       // nor "+"
                    {"a+b NOOP", errc::bad_tag, 1},   // "+" excluded from tags
                    {"a*b NOOP", errc::bad_tag, 1},   // list-wildcards
                    {"a%b NOOP", errc::bad_tag, 1},
                    {"a(b NOOP", errc::bad_tag, 1},
                    {"a{b NOOP", errc::bad_tag, 1},
                    {"a\"b NOOP", errc::bad_tag, 1},
                    {"a\\b NOOP", errc::bad_tag, 1},
                    {"a\x01 NOOP", errc::bad_tag, 1},
                    {"a\r\n", errc::bad_tag, 1},      // tag must be followed by SP
                    {" a NOOP", errc::bad_tag, 0},
                    {"t\xC3\xA9 NOOP", errc::eight_bit_not_allowed, 1},
                    {"t\0 NOOP"sv, errc::nul_outside_literal8, 1},
                });
  CHECK(tag::make("a1").has_value());
  CHECK_FALSE(tag::make("a+1").has_value());
  CHECK_FALSE(tag::make("*").has_value());
  CHECK_FALSE(tag::make("").has_value());
  std::string out;
  CHECK(write_tag(out, tag{}) == errc::local_invalid_value);
  CHECK(out.empty());
}

TEST_CASE("imap values: atom", "[imap][values]") {
  const auto atom_p = [](std::string_view s) { return parse_atom(s); };
  const auto p = mwtest::parse_checked(atom_p, "FETCH 1");
  REQUIRE(p.r.ok());
  CHECK(p.r.value.text() == "FETCH");
  CHECK(mwtest::parse_checked(atom_p, "BODY[TEXT]").r.value.text() == "BODY[TEXT");  // "]" ends atoms
  CHECK(mwtest::parse_checked(atom_p, "abc").r.st == status::need_more);
  check_rejects(atom_p, {
                            {"(a)", errc::bad_atom, 0},
                            {"]", errc::bad_atom, 0},
                            {"\"", errc::bad_atom, 0},
                            {"caf\xC3\xA9 ", errc::eight_bit_not_allowed, 3},  // 8-bit in atoms
                            {"\xC3\xA9", errc::eight_bit_not_allowed, 0},
                            {"ab\0c"sv, errc::nul_outside_literal8, 2},
                        });
  CHECK(atom::make("LOGIN").has_value());
  CHECK_FALSE(atom::make("a b").has_value());
  CHECK_FALSE(atom::make("a]").has_value());
}

TEST_CASE("imap values: numbers", "[imap][values]") {
  const auto num = [](std::string_view s) { return parse_number(s); };
  const auto nz = [](std::string_view s) { return parse_nz_number(s); };
  const auto n64 = [](std::string_view s) { return parse_number64(s); };
  CHECK(mwtest::parse_checked(num, "0 ").r.value == 0);
  CHECK(mwtest::parse_checked(num, "4294967295)").r.value == 4294967295u);
  CHECK(mwtest::parse_checked(num, "007 ").r.value == 7);  // 1*DIGIT allows leading zeros
  CHECK(mwtest::parse_checked(nz, "12345\r").r.value == 12345);
  CHECK(mwtest::parse_checked(n64, "9223372036854775807 ").r.value == 9223372036854775807ull);
  CHECK(mwtest::parse_checked(num, "123").r.st == status::need_more);
  check_rejects(num, {
                         {"4294967296 ", errc::number_overflow, 9},
                         {"99999999999999999999 ", errc::number_overflow, 9},
                         {"x", errc::bad_number, 0},
                         {"-1 ", errc::bad_number, 0},
                         {"12\xC3", errc::eight_bit_not_allowed, 2},
                     });
  check_rejects(nz, {
                        {"0 ", errc::bad_number, 0},
                        {"01 ", errc::bad_number, 0},
                    });
  check_rejects(n64, {{"9223372036854775808 ", errc::number_overflow, 18}});
  std::string out;
  CHECK(write_number(out, 0) == errc::ok);
  CHECK(write_number(out, 4294967295u) == errc::ok);
  CHECK(out == "04294967295");
  CHECK(write_number(out, 9223372036854775808ull) == errc::local_invalid_value);
}

TEST_CASE("imap values: quoted strings", "[imap][values]") {
  const auto p = mwtest::parse_checked(astring, R"("a \"b\" c\\d" rest)");
  REQUIRE(p.r.ok());
  CHECK(p.r.consumed == 14);
  CHECK(p.r.value.form() == string_form::quoted);
  CHECK_FALSE(p.r.value.contiguous());
  CHECK(p.r.value.content() == R"(a "b" c\d)");
  CHECK(p.r.value.size() == 9);
  CHECK(write_a(p.r.value) == R"("a \"b\" c\\d")");  // byte-exact
  CHECK(mwtest::parse_checked(astring, "\"\" ").r.value.content().empty());
  CHECK(mwtest::parse_checked(astring, "\"tab\there\"").r.value.content() == "tab\there");

  // 8-bit only under UTF8=ACCEPT / IMAP4rev2, and then only well-formed UTF-8.
  options utf8;
  utf8.utf8 = true;
  const auto u = [&](std::string_view s) { return parse_astring(s, {}, utf8); };
  CHECK(mwtest::parse_checked(u, "\"caf\xC3\xA9\"").r.value.content() == "caf\xC3\xA9");
  CHECK(mwtest::parse_checked(u, "\"\xF0\x9F\x98\x80\"").r.ok());
  check_rejects(u, {
                       {"\"a\xC3(\"", errc::bad_utf8, 2},
                       {"\"\xC0\xAF\"", errc::bad_utf8, 1},
                       {"\"\xED\xA0\x80\"", errc::bad_utf8, 1},
                   });
  check_rejects(astring, {
                             {"\"caf\xC3\xA9\"", errc::eight_bit_not_allowed, 4},
                             {"\"a\r\nb\"", errc::bad_quoted, 2},
                             {"\"a\nb\"", errc::bad_quoted, 2},
                             {"\"a\\nb\"", errc::bad_quoted, 3},  // only \" and \\ escapes
                             {"\"a\0\""sv, errc::nul_outside_literal8, 2},
                         });
}

TEST_CASE("imap values: literals", "[imap][values]") {
  const auto p = mwtest::parse_checked(astring, "{5}\r\nhello)");
  REQUIRE(p.r.ok());
  CHECK(p.r.consumed == 10);
  CHECK(p.r.value.form() == string_form::literal);
  CHECK(p.r.value.view() == "hello");
  CHECK_FALSE(p.r.value.non_sync());
  CHECK(write_a(p.r.value) == "{5}\r\nhello");

  const auto q = mwtest::parse_checked(astring, "{5+}\r\nhe\r\nl");
  REQUIRE(q.r.ok());
  CHECK(q.r.value.non_sync());
  CHECK(q.r.value.view() == "he\r\nl");
  CHECK(write_a(q.r.value) == "{5+}\r\nhe\r\nl");
  CHECK(mwtest::parse_checked(astring, "{0}\r\n").r.value.content().empty());
  CHECK(mwtest::parse_checked(astring, "{5}\r\nhell").r.st == status::need_more);  // count not reached

  check_rejects(astring, {
                             {"{}\r\n", errc::bad_literal, 1},
                             {"{-1}\r\n", errc::bad_literal, 1},
                             {"{1a}\r\nx", errc::bad_literal, 2},
                             {"{ 1}\r\nx", errc::bad_literal, 1},
                             {"{1 }\r\nx", errc::bad_literal, 2},
                             {"{1}x", errc::expected_crlf, 3},
                             {"{1}\rx", errc::expected_crlf, 4},
                             {"{99999999999999999999}\r\n", errc::number_overflow, 19},
                             {"{3}\r\na\0b"sv, errc::nul_outside_literal8, 6},
                             {"{1073741825}\r\n", errc::literal_too_large, 1},
                         });

  // "~" is an ATOM-CHAR: in an astring "~{3}" starts an atom; a string refuses literal8 unless
  // options::literal8 (APPEND data, BINARY[] values).
  CHECK(mwtest::parse_checked(astring, "~{3}\r\nabc").r.value.view() == "~");
  check_rejects(string_p, {{"~{3}\r\na\0b"sv, errc::bad_literal, 0}});

  options plus_off;
  plus_off.non_sync_literals = false;
  check_rejects([&](std::string_view s) { return parse_string(s, {}, plus_off); },
                {{"{3+}\r\nabc", errc::non_sync_literal_not_allowed, 2}});
  options minus;
  minus.literal_minus = true;
  const auto lm = [&](std::string_view s) { return parse_string(s, {}, minus); };
  CHECK(mwtest::parse_checked(lm, "{4096+}\r\n" + std::string(4096, 'x')).r.ok());
  check_rejects(lm, {{"{4097+}\r\n", errc::non_sync_literal_too_large, 1}});
  CHECK(mwtest::parse_checked(lm, "{4097}\r\n" + std::string(4097, 'x')).r.ok());

  options bin;
  bin.literal8 = true;
  const auto l8 = [&](std::string_view s) { return parse_string(s, {}, bin); };
  const auto b = mwtest::parse_checked(l8, "~{3}\r\na\0b"sv);
  REQUIRE(b.r.ok());
  CHECK(b.r.value.form() == string_form::literal8);
  CHECK(b.r.value.view() == "a\0b"sv);
  std::string out;
  CHECK(write_string(out, b.r.value, bin) == errc::ok);
  CHECK(out == "~{3}\r\na\0b"sv);
  out.clear();
  CHECK(write_string(out, b.r.value) == errc::local_invalid_value);  // NUL needs literal8
  CHECK(out.empty());
}

TEST_CASE("imap values: literal size limit", "[imap][values][limits]") {
  limits lim;
  lim.literal_before_auth = 10;
  const auto p = [&](std::string_view s) { return parse_astring(s, lim); };
  CHECK(mwtest::parse_checked(p, "{10}\r\n0123456789").r.ok());
  check_rejects(p, {{"{11}\r\n", errc::literal_too_large, 1}});
  lim.authenticated = true;
  lim.literal_after_auth = 11;
  CHECK(mwtest::parse_checked(p, "{11}\r\n0123456789a").r.ok());
}

TEST_CASE("imap values: streamed literals through literal_context", "[imap][values]") {
  // The framer (imap/framing.hpp) keeps the small literal inline and streams the big one: the
  // message holds only its announcement, and its literal_span says so.
  framing_options fo;
  fo.side = framing_side::server;
  fo.non_sync = non_sync_literals::literal_plus;
  fo.inline_literal_max = 8;
  limits lim;
  lim.authenticated = true;
  framer fr(fo, lim);
  const std::string big(20000, 'x');
  const std::string wire = "a1 APPEND INBOX {3+}\r\nabc {20000+}\r\n" + big + "\r\n";
  std::string_view rest = wire;
  std::string streamed_octets;
  std::string message;
  std::vector<literal_span> spans;
  for (int guard = 0; guard < 100000 && spans.empty(); ++guard) {
    auto r = fr.next(rest);
    REQUIRE(r.st != status::error);
    rest.remove_prefix(r.consumed);
    if (r.st == status::need_more) break;
    if (r.ev.kind == frame_event_kind::literal_data) streamed_octets.append(r.ev.text);
    if (r.ev.kind == frame_event_kind::message_end) {
      message.assign(r.ev.message);
      spans.assign(r.ev.literals.begin(), r.ev.literals.end());
    }
  }
  REQUIRE(spans.size() == 2);
  CHECK(streamed_octets == big);
  CHECK(message == "a1 APPEND INBOX {3+}\r\nabc {20000+}\r\n\r\n");

  literal_context ctx{message.data(), spans};
  options opt;
  opt.literals = &ctx;
  const std::string_view m = message;
  const auto s = parse_string(m.substr(m.find("{3+}")), lim, opt);
  REQUIRE(s.ok());
  CHECK_FALSE(s.value.streamed());
  CHECK(s.value.view() == "abc");
  const auto t = parse_string(m.substr(m.find("{20000+}")), lim, opt);
  REQUIRE(t.ok());
  CHECK(t.consumed == 10);  // "{20000+}\r\n" only
  CHECK(t.value.streamed());
  CHECK(t.value.non_sync());
  CHECK(t.value.size() == 20000);
  CHECK(t.value.content().empty());
  std::string out;
  CHECK(write_string(out, t.value) == errc::ok);
  CHECK(out == "{20000+}\r\n");  // the host streams the octets itself
  // Without the context the parser would wait for 20000 octets that are not in the message.
  CHECK(parse_string(m.substr(m.find("{20000+}")), lim).st == status::need_more);

  // A span that disagrees with the announcement is an error, not a silent mismatch.
  std::vector<literal_span> wrong = spans;
  wrong[1].size = 19999;
  literal_context bad{message.data(), wrong};
  opt.literals = &bad;
  const auto w = parse_string(m.substr(m.find("{20000+}")), lim, opt);
  CHECK(w.error == errc::literal_count_mismatch);
  // A host-built streamed announcement (APPEND of a big file).
  out.clear();
  CHECK(write_string(out, string_value::streamed_literal(310)) == errc::ok);
  CHECK(out == "{310}\r\n");
}

TEST_CASE("imap values: astring, string and nstring forms", "[imap][values]") {
  const auto a = mwtest::parse_checked(astring, "INBOX.Sent]x ");
  REQUIRE(a.r.ok());
  CHECK(a.r.value.form() == string_form::atom);
  CHECK(a.r.value.view() == "INBOX.Sent]x");
  CHECK(write_a(a.r.value) == "INBOX.Sent]x");
  std::string out;
  CHECK(write_string(out, a.r.value) == errc::ok);  // string has no atom form
  CHECK(out == "\"INBOX.Sent]x\"");

  CHECK(mwtest::parse_checked(nstring, "NIL ").r.value.is_nil());
  CHECK(mwtest::parse_checked(nstring, "nil)").r.value.is_nil());
  CHECK(mwtest::parse_checked(nstring, "NI").r.st == status::need_more);
  CHECK_FALSE(mwtest::parse_checked(nstring, "\"NIL\" ").r.value.is_nil());
  CHECK(mwtest::parse_checked(astring, "NIL ").r.value.view() == "NIL");  // a mailbox named NIL
  check_rejects(nstring, {
                             {"NIX", errc::bad_string, 2},
                             {"abc", errc::bad_string, 0},
                         });
  check_rejects(string_p, {
                              {"abc ", errc::bad_string, 0},
                              {")", errc::bad_string, 0},
                              {"\xC3", errc::eight_bit_not_allowed, 0},
                          });
  check_rejects(astring, {{"(", errc::bad_string, 0}, {"%a", errc::bad_string, 0}});
  out.clear();
  CHECK(write_nstring(out, string_value::nil()) == errc::ok);
  CHECK(out == "NIL");
  CHECK(write_astring(out, string_value::nil()) == errc::local_invalid_value);
  CHECK(out == "NIL");
}

TEST_CASE("imap values: the writer falls back to a form that carries the content", "[imap][values]") {
  CHECK(write_a(string_value::from_text("plain", string_form::atom)) == "plain");
  CHECK(write_a(string_value::from_text("two words", string_form::atom)) == "\"two words\"");
  CHECK(write_a(string_value::from_text("", string_form::atom)) == "\"\"");
  CHECK(write_a(string_value::from_text("a\"b")) == "\"a\\\"b\"");
  CHECK(write_a(string_value::from_text("line\r\nbreak")) == "{11}\r\nline\r\nbreak");
  CHECK(write_a(string_value::from_text("caf\xC3\xA9")) == "{5}\r\ncaf\xC3\xA9");
  options utf8;
  utf8.utf8 = true;
  CHECK(write_a(string_value::from_text("caf\xC3\xA9"), utf8) == "\"caf\xC3\xA9\"");
  CHECK(write_a(string_value::from_text("bad\xC3"), utf8) == "{4}\r\nbad\xC3");
  // LITERAL-: a big non-synchronizing literal is written synchronizing.
  options minus;
  minus.literal_minus = true;
  const std::string big(5000, 'x');
  auto v = mwtest::parse_checked(astring, "{5000+}\r\n" + big);
  REQUIRE(v.r.ok());
  CHECK(write_a(v.r.value, minus).substr(0, 8) == "{5000}\r\n");
  CHECK(write_a(v.r.value).substr(0, 9) == "{5000+}\r\n");
  options no_plus;
  no_plus.non_sync_literals = false;
  CHECK(write_a(v.r.value, no_plus).substr(0, 8) == "{5000}\r\n");
  // NUL: literal8 only.
  std::string out;
  CHECK(write_astring(out, string_value::from_text("a\0b"sv)) == errc::local_invalid_value);
  options bin;
  bin.literal8 = true;
  CHECK(write_astring(out, string_value::from_text("a\0b"sv), bin) == errc::ok);
  CHECK(out == "~{3}\r\na\0b"sv);
}

TEST_CASE("imap values: random strings round trip in every form", "[imap][values]") {
  std::mt19937 rng(1234);
  const std::string_view pool = "aZ09 \"\\]()%*{}\r\n\t+-.\xC3\xA9~";
  int forms[5] = {};
  for (int iter = 0; iter < 3000; ++iter) {
    std::string text;
    const int len = static_cast<int>(rng() % 12);
    for (int k = 0; k < len; ++k) text.push_back(pool[rng() % pool.size()]);
    const auto form = static_cast<string_form>(1 + rng() % 3);
    options opt;
    opt.utf8 = rng() % 2 == 0;
    const auto v = string_value::from_text(text, form);
    std::string wire;
    REQUIRE(write_astring(wire, v, opt) == errc::ok);
    wire += " ";
    const auto p = mwtest::parse_checked([&](std::string_view s) { return parse_astring(s, {}, opt); }, wire);
    INFO(wire);
    REQUIRE(p.r.ok());
    CHECK(p.r.consumed == wire.size() - 1);
    CHECK(p.r.value == v);
    CHECK(p.r.value.content() == text);
    ++forms[static_cast<int>(p.r.value.form())];
    std::string again;
    REQUIRE(write_astring(again, p.r.value, opt) == errc::ok);
    CHECK(again + " " == wire);  // parse -> write is byte-exact
  }
  CHECK(forms[1] > 0);
  CHECK(forms[2] > 0);
  CHECK(forms[3] > 0);
}

TEST_CASE("imap values: capability and auth-type", "[imap][values]") {
  const auto cap = [](std::string_view s) { return parse_capability(s); };
  const auto p = mwtest::parse_checked(cap, "AUTH=PLAIN ");
  REQUIRE(p.r.ok());
  CHECK(p.r.value.is_auth());
  CHECK(p.r.value.auth_type() == "PLAIN");
  const auto q = mwtest::parse_checked(cap, "imap4rev2]");
  REQUIRE(q.r.ok());
  CHECK(q.r.value.is("IMAP4rev2"));
  CHECK_FALSE(q.r.value.is_auth());
  CHECK(*capability::make("LITERAL+") == *capability::make("literal+"));
  check_rejects(cap, {{"AUTH= ", errc::bad_capability, 5}, {"(x", errc::bad_capability, 0}});
  std::string out;
  CHECK(write_capability(out, p.r.value) == errc::ok);
  CHECK(out == "AUTH=PLAIN");
  CHECK(mwtest::parse_checked([](std::string_view s) { return parse_auth_type(s); }, "SCRAM-SHA-256 ")
            .r.value.text() == "SCRAM-SHA-256");
}

TEST_CASE("imap values: mailbox names", "[imap][values]") {
  const auto mb = [](std::string_view s) { return parse_mailbox(s); };
  const auto inbox = mwtest::parse_checked(mb, "inbox ");
  REQUIRE(inbox.r.ok());
  CHECK(inbox.r.value.is_inbox());
  std::string out;
  CHECK(write_mailbox(out, inbox.r.value) == errc::ok);
  CHECK(out == "inbox");  // INBOX is case-insensitive (RFC 9051 section 5.1) but keeps its spelling
  const auto quoted_inbox = mwtest::parse_checked(mb, "\"InBox\" ");
  CHECK(quoted_inbox.r.value == inbox.r.value);
  out.clear();
  CHECK(write_mailbox(out, quoted_inbox.r.value) == errc::ok);
  CHECK(out == "\"InBox\"");
  CHECK_FALSE(mwtest::parse_checked(mb, "INBOX.Sent ").r.value.is_inbox());
  CHECK_FALSE(mwtest::parse_checked(mb, "Inbox2 ").r.value == inbox.r.value);
  CHECK(mwtest::parse_checked(mb, "Sent ").r.value != mwtest::parse_checked(mb, "SENT ").r.value);

  // RFC 3501 section 5.1.3 example name, as an atom.
  const auto jp = mwtest::parse_checked(mb, "~peter/mail/&U,BTFw-/&ZeVnLIqe- ");
  REQUIRE(jp.r.ok());
  std::string utf8;
  REQUIRE(jp.r.value.append_utf8(utf8).ok());
  CHECK(utf8 == "~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");

  check_rejects(mb, {
                        {"&AGE- ", errc::mutf7_ascii_encoded, 3},
                        {"\"a&AOk\" ", errc::mutf7_unterminated, 2},
                        {"{6}\r\nab&Al- ", errc::mutf7_bad_padding, 9},
                        {"{5}\r\nab&Ak ", errc::mutf7_unterminated, 7},
                        {"{3}\r\na\rb ", errc::bad_mailbox, 6},
                        {"\"x\\\\&AGE-\" ", errc::mutf7_ascii_encoded, 0},  // escaped: start
                    });
  // Under UTF8=ACCEPT names are UTF-8.
  options utf8opt;
  utf8opt.utf8 = true;
  const auto mu = [&](std::string_view s) { return parse_mailbox(s, {}, utf8opt); };
  CHECK(mwtest::parse_checked(mu, "\"Entw\xC3\xBC rfe\" ").r.ok());
  CHECK(mwtest::parse_checked(mu, "&AGE- ").r.ok());  // just text now
  check_rejects(mu, {{"{2}\r\n\xC3( ", errc::bad_utf8, 5}});

  CHECK(mailbox::make("Sent").has_value());
  CHECK_FALSE(mailbox::make("caf\xC3\xA9").has_value());
  CHECK(mailbox::make("caf\xC3\xA9", utf8opt).has_value());
  out.clear();
  CHECK(write_mailbox(out, *mailbox::make("Sent Items")) == errc::ok);
  CHECK(out == "\"Sent Items\"");
}

TEST_CASE("imap values: list-mailbox", "[imap][values]") {
  const auto lm = [](std::string_view s) { return parse_list_mailbox(s); };
  const auto p = mwtest::parse_checked(lm, "INBOX.%/*]x ");
  REQUIRE(p.r.ok());
  CHECK(p.r.value.pattern().view() == "INBOX.%/*]x");
  std::string out;
  CHECK(write_list_mailbox(out, p.r.value) == errc::ok);
  CHECK(out == "INBOX.%/*]x");
  CHECK(mwtest::parse_checked(lm, "\"\" ").r.value.pattern().content().empty());
  check_rejects(lm, {{"(", errc::bad_list_mailbox, 0}, {"a\xC3", errc::eight_bit_not_allowed, 1}});
  out.clear();
  CHECK(write_list_mailbox(out, *list_mailbox::make("a b%")) == errc::ok);
  CHECK(out == "\"a b%\"");
}
