// Tests of mailwire/smtp/command.hpp: RFC 5321 section 4.1.1 commands (appendix D examples),
// the extension parameters with their RFCs' examples, strict line framing (the smuggling-relevant
// cases), every limit, every chunking, and seeded round trips.
#include <catch2/catch.hpp>

#include <mailwire/smtp/command.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "chunking.hpp"

namespace smtp = mailwire::smtp;
using mailwire::status;
using smtp::errc;
using smtp::verb;

namespace {

/// Parses `line` from an exact-size heap buffer and checks every proper prefix answers
/// need_more without consuming (or, for an over-long line, an error once the limit is passed,
/// consistently with the whole parse). The buffer stays alive for the returned views.
struct parsed {
  std::unique_ptr<mwtest::heap_copy> buf;
  smtp::parse_result<smtp::command> r;
};

parsed parse(std::string_view line, const smtp::limits& lim = {}, const smtp::command_options& o = {}) {
  parsed p;
  p.buf = std::make_unique<mwtest::heap_copy>(line);
  p.r = smtp::parse_command(p.buf->view(), lim, o);
  for (std::size_t n = 0; n < line.size(); ++n) {
    mwtest::heap_copy pre(line.substr(0, n));
    const auto q = smtp::parse_command(pre.view(), lim, o);
    const bool has_lf = line.substr(0, n).find('\n') != std::string_view::npos;
    if (has_lf) continue;  // a prefix may already hold a complete line (pipelining tests)
    INFO("prefix of " << n << " bytes");
    if (q.st == status::error) {
      // Only an over-long line may fail before its end, and then the whole parse fails the same.
      REQUIRE((q.error == errc::line_too_long || q.error == errc::auth_line_too_long));
      REQUIRE(q.consumed == 0);
      REQUIRE(p.r.error == q.error);
    } else {
      REQUIRE(q.st == status::need_more);
      REQUIRE(q.consumed == 0);
    }
  }
  return p;
}

smtp::command ok(std::string_view line, const smtp::command_options& o = {}) {
  auto p = parse(line, {}, o);
  INFO(line);
  REQUIRE(p.r.st == status::event);
  REQUIRE(p.r.consumed == line.size());
  // The canonical form reads back as the same command, and is a fixed point.
  std::string out;
  REQUIRE(smtp::serialize(p.r.value, out) == errc::ok);
  smtp::command_options o8 = o;
  o8.smtputf8 = true;
  auto back = parse(out, {}, o8);
  REQUIRE(back.r.ok());
  CHECK(back.r.value == p.r.value);
  std::string again;
  REQUIRE(smtp::serialize(back.r.value, again) == errc::ok);
  CHECK(again == out);
  static std::vector<std::unique_ptr<mwtest::heap_copy>> keep;  // views stay valid
  keep.push_back(std::move(p.buf));
  return p.r.value;
}

std::string canonical(std::string_view line, const smtp::command_options& o = {}) {
  const auto c = ok(line, o);
  std::string out;
  REQUIRE(smtp::serialize(c, out) == errc::ok);
  return out;
}

void bad(std::string_view line, errc e, std::size_t at, const smtp::command_options& o = {},
         const smtp::limits& lim = {}) {
  INFO(line);
  const auto p = parse(line, lim, o);
  REQUIRE(p.r.st == status::error);
  CHECK(p.r.error == e);
  CHECK(p.r.error_offset == at);
  if (e != errc::line_too_long && e != errc::auth_line_too_long) {
    CHECK(p.r.consumed == line.find('\n') + 1);
  }
}

}  // namespace

TEST_CASE("smtp command: RFC 5321 appendix D commands", "[smtp][command]") {
  auto c = ok("EHLO bar.com\r\n");
  CHECK(c.v == verb::ehlo);
  CHECK(c.domain == "bar.com");
  CHECK(c.kind == smtp::domain_kind::name);
  c = ok("MAIL FROM:<Smith@bar.com>\r\n");
  CHECK(c.v == verb::mail);
  CHECK(c.path.mb.local_part == "Smith");
  CHECK(c.path.mb.domain == "bar.com");
  CHECK(c.params.extensions().empty());
  for (const char* rcpt : {"RCPT TO:<Jones@foo.com>\r\n", "RCPT TO:<Green@foo.com>\r\n", "RCPT TO:<Brown@foo.com>\r\n"}) {
    c = ok(rcpt);
    CHECK(c.v == verb::rcpt);
    CHECK(c.path.mb.domain == "foo.com");
  }
  CHECK(ok("DATA\r\n").v == verb::data);
  CHECK(ok("QUIT\r\n").v == verb::quit);
  CHECK(ok("RSET\r\n").v == verb::rset);
  c = ok("HELO foo.com\r\n");
  CHECK(c.v == verb::helo);
  CHECK(c.domain == "foo.com");
  c = ok("VRFY Crispin\r\n");
  CHECK(c.v == verb::vrfy);
  CHECK(c.argument == "Crispin");
  // D.4 uses SEND, which RFC 5321 removed: an unknown verb, kept for the host's 500 reply.
  c = ok("SEND FROM:<Smith@bar.com>\r\n");
  CHECK(c.v == verb::unknown);
  CHECK(c.verb_text == "SEND");
  CHECK(c.argument == "FROM:<Smith@bar.com>");
  c = ok("RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>\r\n");
  CHECK(c.path.source_route == "@hosta.int,@jkl.org");
  CHECK(canonical("RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>\r\n") == "RCPT TO:<userc@d.bar.org>\r\n");
  CHECK(ok("NOOP\r\n").v == verb::noop);
  CHECK(ok("HELP\r\n").v == verb::help);
  CHECK(ok("HELP MAIL\r\n").argument == "MAIL");
  CHECK(ok("EXPN Example-People\r\n").v == verb::expn);
  CHECK(ok("STARTTLS\r\n").v == verb::starttls);
  CHECK(ok("LHLO foo.edu\r\n").v == verb::lhlo);  // RFC 2033 section 4.2
}

TEST_CASE("smtp command: verbs are case-insensitive, the canonical form is upper case", "[smtp][command]") {
  CHECK(canonical("mail from:<a@b>\r\n") == "MAIL FROM:<a@b>\r\n");
  CHECK(canonical("rCpT To:<a@b>\r\n") == "RCPT TO:<a@b>\r\n");
  CHECK(canonical("starttls\r\n") == "STARTTLS\r\n");
  CHECK(canonical("ehlo [192.0.2.1]\r\n") == "EHLO [192.0.2.1]\r\n");
  CHECK(canonical("xclient name=x\r\n") == "XCLIENT name=x\r\n");
  CHECK(ok("ehlo [IPv6:2001:db8::1]\r\n").kind == smtp::domain_kind::ipv6);
}

TEST_CASE("smtp command: null reverse-path and Postmaster", "[smtp][command]") {
  auto c = ok("MAIL FROM:<>\r\n");
  CHECK(c.path.null);
  c = ok("RCPT TO:<Postmaster>\r\n");
  CHECK(c.path.postmaster());
  bad("RCPT TO:<>\r\n", errc::invalid_path, 9);
  bad("MAIL FROM:<Postmaster>\r\n", errc::invalid_local_part, 21);
}

TEST_CASE("smtp command: DSN parameters, RFC 3461 section 9 examples", "[smtp][command]") {
  auto c = ok("MAIL FROM:<Alice@Example.ORG> RET=HDRS ENVID=QQ314159\r\n");
  CHECK(c.params.ret == smtp::ret_type::hdrs);
  CHECK(c.params.envid == std::optional<std::string_view>("QQ314159"));
  c = ok("RCPT TO:<Bob@Example.COM> NOTIFY=SUCCESS ORCPT=rfc822;Bob@Example.COM\r\n");
  CHECK(c.params.notify == smtp::notify::success);
  REQUIRE(c.params.orcpt);
  CHECK(c.params.orcpt->addr_type == "rfc822");
  CHECK(c.params.orcpt->xtext == "Bob@Example.COM");
  c = ok("RCPT TO:<Dana@Ivory.EDU> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Dana@Ivory.EDU\r\n");
  CHECK(c.params.notify == (smtp::notify::success | smtp::notify::failure));
  c = ok("RCPT TO:<Fred@Bombs.AF.MIL> NOTIFY=NEVER\r\n");
  CHECK(c.params.notify == smtp::notify::never);
  CHECK(canonical("RCPT TO:<a@b> notify=delay,success\r\n") == "RCPT TO:<a@b> NOTIFY=SUCCESS,DELAY\r\n");
  bad("RCPT TO:<a@b> NOTIFY=NEVER,DELAY\r\n", errc::invalid_parameter, 21);
  bad("RCPT TO:<a@b> NOTIFY=DELAY,DELAY\r\n", errc::invalid_parameter, 27);
  bad("RCPT TO:<a@b> NOTIFY=SOMETIMES\r\n", errc::invalid_parameter, 21);
  bad("RCPT TO:<a@b> NOTIFY=\r\n", errc::invalid_parameter, 21);
  bad("RCPT TO:<a@b> ORCPT=rfc822\r\n", errc::invalid_parameter, 20);
  bad("RCPT TO:<a@b> ORCPT=rfc822;a+2x\r\n", errc::invalid_xtext, 27);
  bad("MAIL FROM:<a@b> ENVID=a+4\r\n", errc::invalid_xtext, 22);
  bad("MAIL FROM:<a@b> RET=ALL\r\n", errc::invalid_parameter, 20);
  // Each belongs to one command.
  bad("MAIL FROM:<a@b> NOTIFY=NEVER\r\n", errc::parameter_not_allowed, 16);
  bad("RCPT TO:<a@b> RET=FULL\r\n", errc::parameter_not_allowed, 14);
  bad("RCPT TO:<a@b> SIZE=1\r\n", errc::parameter_not_allowed, 14);
}

TEST_CASE("smtp command: xtext (RFC 3461 section 4)", "[smtp][command]") {
  std::string out;
  CHECK(smtp::xtext_decode("e+3Dmc2@example.com", out));
  CHECK(out == "e=mc2@example.com");
  out.clear();
  CHECK_FALSE(smtp::xtext_decode("a+3d", out));  // lower-case hex is not xtext
  CHECK_FALSE(smtp::xtext_decode("a+3", out));
  CHECK_FALSE(smtp::xtext_decode("a=b", out));
  CHECK_FALSE(smtp::xtext_decode("a b", out));
  CHECK(out.empty());
  smtp::xtext_encode("a+b=c d\xff", out);
  CHECK(out == "a+2Bb+3Dc+20d+FF");
  std::string dec;
  REQUIRE(smtp::xtext_decode(out, dec));
  CHECK(dec == "a+b=c d\xff");
}

TEST_CASE("smtp command: SIZE, BODY, SMTPUTF8, REQUIRETLS, AUTH=, MT-PRIORITY, BY, RRVS", "[smtp][command]") {
  auto c = ok("MAIL FROM:<a@b> SIZE=18446744073709551615 BODY=8BITMIME\r\n");
  CHECK(c.params.size == std::optional<std::uint64_t>(18446744073709551615ull));
  CHECK(c.params.body == smtp::body_type::eight_bit_mime);
  bad("MAIL FROM:<a@b> SIZE=18446744073709551616\r\n", errc::number_overflow, 21);
  bad("MAIL FROM:<a@b> SIZE=1k\r\n", errc::invalid_parameter, 21);
  bad("MAIL FROM:<a@b> SIZE\r\n", errc::invalid_parameter, 20);
  // RFC 3030 section 5 example.
  c = ok("MAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME\r\n");
  CHECK(c.params.body == smtp::body_type::binary_mime);
  CHECK(ok("MAIL FROM:<a@b> BODY=7bit\r\n").params.body == smtp::body_type::seven_bit);
  bad("MAIL FROM:<a@b> BODY=9BIT\r\n", errc::invalid_parameter, 21);
  c = ok("MAIL FROM:<a@b> REQUIRETLS SMTPUTF8\r\n");
  CHECK(c.params.requiretls);
  CHECK(c.params.smtputf8);
  bad("MAIL FROM:<a@b> SMTPUTF8=yes\r\n", errc::invalid_parameter, 24);
  // RFC 4954 section 5 example.
  c = ok("MAIL FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com\r\n");
  CHECK(c.params.auth == std::optional<std::string_view>("e+3Dmc2@example.com"));
  CHECK(ok("MAIL FROM:<a@b> AUTH=<>\r\n").params.auth == std::optional<std::string_view>("<>"));
  bad("MAIL FROM:<a@b> AUTH=nobody\r\n", errc::invalid_parameter, 21);
  bad("MAIL FROM:<a@b> AUTH=a+0D+0A@b\r\n", errc::invalid_parameter, 21);
  // RFC 6710
  CHECK(ok("MAIL FROM:<a@b> MT-PRIORITY=-9\r\n").params.mt_priority == std::optional<std::int8_t>(-9));
  CHECK(canonical("MAIL FROM:<a@b> MT-PRIORITY=+4\r\n") == "MAIL FROM:<a@b> MT-PRIORITY=4\r\n");
  bad("MAIL FROM:<a@b> MT-PRIORITY=10\r\n", errc::invalid_parameter, 28);
  // RFC 2852
  c = ok("MAIL FROM:<a@b> BY=120;R\r\n");
  REQUIRE(c.params.by);
  CHECK(c.params.by->time == 120);
  CHECK(c.params.by->mode == 'R');
  CHECK_FALSE(c.params.by->trace);
  CHECK(canonical("MAIL FROM:<a@b> BY=+000000060;nt\r\n") == "MAIL FROM:<a@b> BY=60;NT\r\n");
  CHECK(ok("MAIL FROM:<a@b> BY=-999999999;RT\r\n").params.by->time == -999999999);
  bad("MAIL FROM:<a@b> BY=1234567890;R\r\n", errc::invalid_parameter, 19);
  bad("MAIL FROM:<a@b> BY=12;X\r\n", errc::invalid_parameter, 22);
  bad("MAIL FROM:<a@b> BY=12\r\n", errc::invalid_parameter, 19);
  // RFC 7293 section 3.1
  c = ok("RCPT TO:<a@b> RRVS=2014-04-03T23:01:00Z\r\n");
  REQUIRE(c.params.rrvs);
  CHECK(c.params.rrvs->date_time == "2014-04-03T23:01:00Z");
  CHECK(c.params.rrvs->action == 0);
  CHECK(ok("RCPT TO:<a@b> RRVS=2014-04-03T23:01:00.25+02:00;R\r\n").params.rrvs->action == 'R');
  bad("RCPT TO:<a@b> RRVS=2014-13-03T23:01:00Z\r\n", errc::invalid_parameter, 19);
  bad("RCPT TO:<a@b> RRVS=2014-04-03T23:01:00Z;X\r\n", errc::invalid_parameter, 40);
}

TEST_CASE("smtp command: unknown parameters are kept, duplicates and garbage are errors", "[smtp][command]") {
  // '=' inside a value is not esmtp-value.
  bad("MAIL FROM:<a@b> X-FOO=bar=baz\r\n", errc::invalid_parameter, 25);
  auto c = ok("MAIL FROM:<a@b> XVERP X-FOO=bar SIZE=5\r\n");
  REQUIRE(c.params.extensions().size() == 2);
  CHECK(c.params.extensions()[0].keyword == "XVERP");
  CHECK_FALSE(c.params.extensions()[0].has_value);
  CHECK(c.params.extensions()[1].value == "bar");
  CHECK(canonical("MAIL FROM:<a@b> XVERP X-FOO=bar SIZE=5\r\n") == "MAIL FROM:<a@b> SIZE=5 XVERP X-FOO=bar\r\n");
  bad("MAIL FROM:<a@b> SIZE=1 size=2\r\n", errc::duplicate_parameter, 23);
  bad("MAIL FROM:<a@b> XA=1 xa=2\r\n", errc::duplicate_parameter, 21);
  bad("MAIL FROM:<a@b>garbage\r\n", errc::garbage_after_path, 15);
  bad("MAIL FROM:<a@b> -X\r\n", errc::invalid_parameter, 16);
  bad("MAIL FROM:<a@b> X_Y\r\n", errc::invalid_parameter, 17);
  bad("MAIL FROM:<a@b> X=\r\n", errc::invalid_parameter, 18);
  bad("MAIL FROM:a@b\r\n", errc::invalid_path, 10);
  bad("MAIL TO:<a@b>\r\n", errc::syntax_error, 5);
  bad("MAIL\r\n", errc::missing_argument, 4);
}

TEST_CASE("smtp command: limit on parameters per command", "[smtp][command]") {
  std::string line = "MAIL FROM:<a@b>";
  for (int i = 0; i < 16; ++i) line += " X" + std::to_string(i);
  ok(line + "\r\n");
  bad(line + " X16\r\n", errc::too_many_parameters, line.size() + 1);
  smtp::limits lim;
  lim.max_parameters = 2;
  bad("MAIL FROM:<a@b> A B C\r\n", errc::too_many_parameters, 20, {}, lim);
}

TEST_CASE("smtp command: exactly one SP, and the named leniency", "[smtp][command]") {
  bad("MAIL  FROM:<a@b>\r\n", errc::bad_spacing, 5);
  bad("MAIL FROM:<a@b> \r\n", errc::bad_spacing, 15);
  bad("MAIL FROM: <a@b>\r\n", errc::invalid_path, 10);
  bad("MAIL FROM:<a@b> SIZE=1  BODY=7BIT\r\n", errc::bad_spacing, 23);
  bad("NOOP \r\n", errc::bad_spacing, 4);
  bad("QUIT \r\n", errc::bad_spacing, 4);
  smtp::command_options lenient;
  lenient.lenient_spaces = true;
  auto c = ok("MAIL  FROM:  <a@b>   SIZE=1  BODY=7BIT  \r\n", lenient);
  CHECK(c.params.size == std::optional<std::uint64_t>(1));
  CHECK(c.params.body == smtp::body_type::seven_bit);
  CHECK(canonical("QUIT \r\n", lenient) == "QUIT\r\n");
  CHECK(canonical("RCPT TO: <a@b> \r\n", lenient) == "RCPT TO:<a@b>\r\n");
  CHECK(canonical("BDAT 10  LAST\r\n", lenient) == "BDAT 10 LAST\r\n");
}

TEST_CASE("smtp command: line framing is strict (SMTP smuggling)", "[smtp][command]") {
  bad("NOOP\n", errc::bare_lf, 4);
  bad("MAIL FROM:<a@b>\n", errc::bare_lf, 15);
  bad("DATA\r\r\n", errc::bare_cr, 4);
  bad("RCPT TO:<a@b>\rRCPT TO:<c@d>\r\n", errc::bare_cr, 13);
  bad(std::string("NOOP a\0b\r\n", 10), errc::nul_in_line, 6);
  bad("NOOP a\tb\r\n", errc::control_character, 6);
  bad("NOOP \x7f\r\n", errc::control_character, 5);
  bad("\r\n", errc::empty_line, 0);
  bad(" NOOP\r\n", errc::invalid_verb, 0);
  bad("NO0P\r\n", errc::invalid_verb, 2);
  bad("MAIL:FROM\r\n", errc::invalid_verb, 4);
  bad("N\xc3\xb6OP\r\n", errc::invalid_verb, 1);
  smtp::command_options lf;
  lf.lenient_bare_lf = true;
  CHECK(ok("NOOP\n", lf).v == verb::noop);
  // Even with bare LF allowed, a bare CR is refused.
  bad("NOOP\r\r\n", errc::bare_cr, 4, lf);
  // Pipelined lines: one at a time, consumed ends after each CRLF.
  const std::string two = "RSET\r\nNOOP\r\n";
  auto r = smtp::parse_command(two);
  REQUIRE(r.ok());
  CHECK(r.consumed == 6);
  CHECK(r.value.v == verb::rset);
  r = smtp::parse_command(std::string_view(two).substr(r.consumed));
  CHECK(r.value.v == verb::noop);
}

TEST_CASE("smtp command: line length limits (RFC 5321 4.5.3.1.4, RFC 4954 section 4)", "[smtp][command]") {
  // 512 octets with CRLF is the most.
  const std::string head = "NOOP ";
  const std::string max_line = head + std::string(512 - 2 - head.size(), 'x') + "\r\n";
  REQUIRE(max_line.size() == 512);
  CHECK(ok(max_line).argument.size() == 505);
  const std::string long_line = head + std::string(512 - 1 - head.size(), 'x') + "\r\n";
  bad(long_line, errc::line_too_long, 512);
  // The error comes as soon as 512 octets wait without a LF, not later.
  const std::string no_lf(512, 'x');
  auto r = smtp::parse_command(no_lf);
  CHECK(r.error == errc::line_too_long);
  CHECK(r.consumed == 0);
  CHECK(smtp::parse_command(std::string_view(no_lf).substr(0, 511)).st == status::need_more);
  // AUTH lines may be 12,288 octets.
  const std::string b64(12288 - 2 - 11, 'A');
  const std::string auth = "AUTH PLAIN " + b64.substr(0, b64.size() / 4 * 4) + "\r\n";
  CHECK(ok(auth).ir == smtp::initial_response::data);
  bad("AUTH PLAIN " + std::string(12288, 'A') + "\r\n", errc::auth_line_too_long, 12288);
  smtp::limits lim;
  lim.command_line = 10;
  bad("NOOP abcdefgh\r\n", errc::line_too_long, 10, {}, lim);
  CHECK(parse("NOOP abc\r\n", lim).r.ok());
}

TEST_CASE("smtp command: BDAT (RFC 3030)", "[smtp][command]") {
  auto c = ok("BDAT 86 LAST\r\n");
  CHECK(c.v == verb::bdat);
  CHECK(c.chunk_size == 86);
  CHECK(c.last);
  c = ok("BDAT 100000\r\n");
  CHECK(c.chunk_size == 100000);
  CHECK_FALSE(c.last);
  CHECK(ok("BDAT 0 LAST\r\n").chunk_size == 0);
  CHECK(ok("BDAT 18446744073709551615\r\n").chunk_size == 18446744073709551615ull);
  bad("BDAT 18446744073709551616\r\n", errc::number_overflow, 5);
  bad("BDAT\r\n", errc::missing_argument, 4);
  bad("BDAT x\r\n", errc::syntax_error, 5);
  bad("BDAT 1 FIRST\r\n", errc::syntax_error, 7);
  bad("BDAT -1\r\n", errc::syntax_error, 5);
}

TEST_CASE("smtp command: AUTH (RFC 4954 section 4)", "[smtp][command]") {
  auto c = ok("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n");
  CHECK(c.mechanism == "PLAIN");
  CHECK(c.ir == smtp::initial_response::data);
  CHECK(c.response == "dGVzdAB0ZXN0ADEyMzQ=");
  c = ok("AUTH GSSAPI\r\n");
  CHECK(c.ir == smtp::initial_response::none);
  c = ok("AUTH PLAIN =\r\n");
  CHECK(c.ir == smtp::initial_response::empty);
  CHECK(ok("AUTH SCRAM-SHA-256 biws\r\n").mechanism == "SCRAM-SHA-256");
  bad("AUTH PLAIN dGVzd\r\n", errc::invalid_base64, 11);
  bad("AUTH PLAIN dG*z\r\n", errc::invalid_base64, 13);
  bad("AUTH PLAIN ==\r\n", errc::invalid_base64, 11);
  bad("AUTH\r\n", errc::missing_argument, 4);
  bad("AUTH ABCDEFGHIJKLMNOPQRSTU\r\n", errc::syntax_error, 26);
  bad("AUTH P!AIN\r\n", errc::syntax_error, 6);
}

TEST_CASE("smtp command: arguments where none are allowed, missing ones", "[smtp][command]") {
  bad("DATA x\r\n", errc::unexpected_argument, 5);
  bad("RSET x\r\n", errc::unexpected_argument, 5);
  bad("STARTTLS x\r\n", errc::unexpected_argument, 9);
  bad("QUIT now\r\n", errc::unexpected_argument, 5);
  bad("VRFY\r\n", errc::missing_argument, 4);
  bad("EXPN\r\n", errc::missing_argument, 4);
  bad("EHLO\r\n", errc::missing_argument, 4);
  bad("HELO [1.2.3.4]\r\n", errc::invalid_domain, 5);  // HELO takes a Domain only
  bad("EHLO foo..com\r\n", errc::invalid_domain, 9);
  bad("EHLO [1.2.3.256]\r\n", errc::invalid_address_literal, 5);
}

TEST_CASE("smtp command: SMTPUTF8 (RFC 6531)", "[smtp][command]") {
  const std::string from = "MAIL FROM:<\xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A>";
  auto c = ok(from + " SMTPUTF8\r\n");
  CHECK(c.params.smtputf8);
  bad(from + "\r\n", errc::non_ascii, 11);
  smtp::command_options u;
  u.smtputf8 = true;
  ok(from + "\r\n", u);
  const std::string rcpt = "RCPT TO:<\xE7\x94\xA8\xE6\x88\xB7@example.com>\r\n";
  bad(rcpt, errc::non_ascii, 9);
  ok(rcpt, u);
  bad("RCPT TO:<a\xC3@x>\r\n", errc::invalid_utf8, 10, u);
  bad("VRFY J\xC3\xBCrgen\r\n", errc::non_ascii, 6);
  CHECK(ok("VRFY J\xC3\xBCrgen\r\n", u).argument == "J\xC3\xBCrgen");
  bad("MAIL FROM:<a@b> X=\xC3\xBC\r\n", errc::non_ascii, 18);
  CHECK(ok("MAIL FROM:<a@b> SMTPUTF8 X=\xC3\xBC\r\n").params.extensions()[0].value == "\xC3\xBC");
}

TEST_CASE("smtp command: errors map to replies", "[smtp][command]") {
  CHECK(smtp::reply_hint(errc::line_too_long) == "500 5.5.2 Line too long");
  CHECK(smtp::reply_hint(errc::invalid_parameter) == "501 5.5.4 Syntax error in parameters");
  CHECK(smtp::reply_hint(errc::parameter_not_allowed).substr(0, 9) == "555 5.5.4");
  CHECK(smtp::reply_hint_mail(errc::invalid_path) == "501 5.1.7 Bad sender address syntax");
  for (int e = 0; e <= static_cast<int>(errc::local_state); ++e) {
    const auto h = smtp::reply_hint(static_cast<errc>(e));
    if (static_cast<errc>(e) == errc::input_before_tls) {
      CHECK(h.empty());  // the 220 went out: nothing more may be said in plaintext
      continue;
    }
    REQUIRE(h.size() > 10);
    CHECK(h.find_first_of("\r\n") == std::string_view::npos);
    const std::error_code ec = static_cast<errc>(e);
    CHECK(ec.message() == smtp::to_string(static_cast<errc>(e)));
    CHECK(std::string(ec.category().name()) == "mailwire.smtp");
  }
}

TEST_CASE("smtp command: serialize refuses values that cannot make a valid line", "[smtp][command]") {
  std::string out = "x";
  smtp::command c;
  c.v = verb::noop;
  c.argument = "a\r\nRSET";
  CHECK(smtp::serialize(c, out) == errc::local_invalid_value);  // would read back as two commands
  c.v = verb::ehlo;
  c.domain = "a b";
  CHECK(smtp::serialize(c, out) == errc::invalid_domain);
  c.v = verb::mail;
  c.path.mb = smtp::mailbox{"a", "b\n", smtp::domain_kind::name};
  CHECK(smtp::serialize(c, out) == errc::invalid_domain);
  c.path.mb = smtp::mailbox{"a", "b", smtp::domain_kind::name};
  c.params.envid = std::string_view("a\nb");
  CHECK(smtp::serialize(c, out) != errc::ok);
  c.params.envid.reset();
  c.params.notify = smtp::notify::success;  // NOTIFY belongs to RCPT
  CHECK(smtp::serialize(c, out) == errc::parameter_not_allowed);
  c.params.notify = 0;
  c.params.add_extension({"SIZE", "1", true});  // a known keyword as an extension
  CHECK(smtp::serialize(c, out) == errc::local_invalid_value);
  c = smtp::command{};
  c.v = verb::auth;
  c.mechanism = "PLAIN";
  c.ir = smtp::initial_response::data;
  c.response = "";
  CHECK(smtp::serialize(c, out) != errc::ok);
  CHECK(out == "x");
}

TEST_CASE("smtp command: parse(serialize(v)) == v over generated commands", "[smtp][command]") {
  std::mt19937_64 rng(20230);
  auto pick = [&](std::initializer_list<std::string_view> l) { return *(l.begin() + rng() % l.size()); };
  for (int n = 0; n < 4000; ++n) {
    std::string line;
    switch (rng() % 6) {
      case 0: {
        line = std::string(pick({"MAIL FROM:", "mail from:"})) +
               std::string(pick({"<>", "<a@b.example>", "<\"x y\"@[192.0.2.1]>", "<j.q@[IPv6:::1]>"}));
        if (rng() % 2) line += " SIZE=" + std::to_string(rng());
        if (rng() % 2) line += std::string(" BODY=") + std::string(pick({"7BIT", "8bitmime", "BINARYMIME"}));
        if (rng() % 3 == 0) line += " SMTPUTF8";
        if (rng() % 3 == 0) line += " REQUIRETLS";
        if (rng() % 3 == 0) line += std::string(" RET=") + std::string(pick({"FULL", "HDRS"}));
        if (rng() % 3 == 0) line += " ENVID=Q+2B" + std::to_string(rng() % 1000);
        if (rng() % 3 == 0) line += " AUTH=" + std::string(pick({"<>", "a+2Bb@c"}));
        if (rng() % 3 == 0) line += " MT-PRIORITY=" + std::to_string(static_cast<int>(rng() % 19) - 9);
        if (rng() % 3 == 0) line += " BY=" + std::to_string(static_cast<long>(rng() % 2000) - 1000) + ";" + std::string(pick({"N", "R", "NT", "rt"}));
        if (rng() % 3 == 0) line += " X-EXT" + std::to_string(rng() % 3) + "=v";
        break;
      }
      case 1: {
        line = "RCPT TO:" + std::string(pick({"<Postmaster>", "<b@c.d>", "<@r.example:b@c.d>"}));
        if (rng() % 2) line += std::string(" NOTIFY=") + std::string(pick({"NEVER", "SUCCESS", "FAILURE,DELAY", "DELAY,SUCCESS,FAILURE"}));
        if (rng() % 2) line += " ORCPT=rfc822;b+40c";
        if (rng() % 2) line += " RRVS=2020-02-29T12:00:00-05:00" + std::string(pick({"", ";C", ";r"}));
        break;
      }
      case 2: line = "BDAT " + std::to_string(rng()) + std::string(pick({"", " LAST", " last"})); break;
      case 3: line = "AUTH " + std::string(pick({"PLAIN", "LOGIN", "X-OAUTH2"})) + std::string(pick({"", " =", " AGFiYwBk", " QQ=="})); break;
      case 4: line = std::string(pick({"EHLO", "HELO", "LHLO"})) + " " + std::string(pick({"a.example", "x-1.y"})); break;
      default: line = std::string(pick({"DATA", "RSET", "QUIT", "NOOP", "HELP", "STARTTLS", "VRFY x", "EXPN list", "NOOP a b c", "XFOO bar"}));
    }
    line += "\r\n";
    INFO(line);
    const auto r = smtp::parse_command(line);
    REQUIRE(r.ok());
    std::string out;
    REQUIRE(smtp::serialize(r.value, out) == errc::ok);
    const auto back = smtp::parse_command(out);
    REQUIRE(back.ok());
    CHECK(back.value == r.value);
    std::string again;
    REQUIRE(smtp::serialize(back.value, again) == errc::ok);
    CHECK(again == out);
  }
}

TEST_CASE("smtp command: AUTH continuation lines (RFC 4954 section 4)", "[smtp][command]") {
  auto r = smtp::parse_auth_response("dGVzdA==\r\n");
  REQUIRE(r.ok());
  CHECK(r.consumed == 10);
  CHECK(r.value.data == "dGVzdA==");
  CHECK_FALSE(r.value.cancel);
  r = smtp::parse_auth_response("*\r\n");
  REQUIRE(r.ok());
  CHECK(r.value.cancel);
  r = smtp::parse_auth_response("\r\n");  // an empty response
  REQUIRE(r.ok());
  CHECK(r.value.data.empty());
  CHECK(smtp::parse_auth_response("dGVzdA=").st == status::need_more);
  CHECK(smtp::parse_auth_response("dGVzdA=\r\n").error == errc::invalid_base64);
  CHECK(smtp::parse_auth_response("==\r\n").error == errc::invalid_base64);
  CHECK(smtp::parse_auth_response("**\r\n").error == errc::invalid_base64);
  CHECK(smtp::parse_auth_response("dGVzdA==\n").error == errc::bare_lf);
  CHECK(smtp::parse_auth_response("dGVz\rdA==\r\n").error == errc::bare_cr);
  // 12,288 octets with CRLF is the most.
  const std::string max_line = std::string(12288 - 2, 'A').substr(0, 12284) + "\r\n";
  REQUIRE(max_line.size() == 12286);
  CHECK(smtp::parse_auth_response(max_line).ok());
  const std::string at_limit = std::string(12284, 'A') + "AA\r\n";  // 12288 with CRLF, not a multiple of 4
  CHECK(smtp::parse_auth_response(at_limit).error == errc::invalid_base64);
  const std::string over(12288, 'A');
  r = smtp::parse_auth_response(over);
  CHECK(r.error == errc::auth_line_too_long);
  CHECK(r.consumed == 0);
  CHECK(smtp::parse_auth_response(std::string_view(over).substr(0, 12287)).st == status::need_more);
  std::string out;
  CHECK(smtp::serialize(smtp::auth_response{true, {}}, out) == errc::ok);
  CHECK(smtp::serialize(smtp::auth_response{false, "QQ=="}, out) == errc::ok);
  CHECK(out == "*\r\nQQ==\r\n");
  CHECK(smtp::serialize(smtp::auth_response{false, "QQ==\r\nQUIT"}, out) != errc::ok);
  CHECK(smtp::serialize(smtp::auth_response{false, "*"}, out) == errc::local_invalid_value);
  CHECK(out == "*\r\nQQ==\r\n");
}
