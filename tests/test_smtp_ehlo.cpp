// Tests of mailwire/smtp/ehlo.hpp: EHLO replies as capabilities (RFC 5321 4.1.1.1) and back.
#include <mailwire/smtp/ehlo.hpp>

#include <catch2/catch.hpp>

#include <deque>
#include <string>

namespace smtp = mailwire::smtp;
using mailwire::status;

namespace {

// The result's views point into the reply text: keep every text alive until the test ends.
smtp::ehlo_result ehlo(const std::string& s) {
  static std::deque<std::string> keep;
  keep.push_back(s);
  auto r = smtp::parse_reply(keep.back());
  REQUIRE(r.st == status::event);
  return smtp::parse_ehlo(r.value);
}

}  // namespace

TEST_CASE("smtp ehlo: RFC 5321 appendix D.1 and a modern server", "[smtp][ehlo]") {
  const std::string d1 =
      "250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n";
  auto e = ehlo(d1);
  REQUIRE(e.error == smtp::reply_errc::ok);
  CHECK(e.value.domain == "foo.com");
  CHECK(e.value.greeting == "greets bar.com");
  CHECK(e.value.caps.eightbitmime);
  CHECK(e.value.caps.size);
  CHECK_FALSE(e.value.caps.size_limit);
  CHECK(e.value.caps.dsn);
  CHECK_FALSE(e.value.caps.pipelining);
  auto ext = e.value.extensions();
  REQUIRE(ext.size() == 4);
  CHECK(ext[3].keyword == "HELP");  // unknown keywords are kept

  const std::string modern =
      "250-mx.example.org Hello\r\n250-SIZE 35882577\r\n250-pipelining\r\n250-CHUNKING\r\n"
      "250-BINARYMIME\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n"
      "250-REQUIRETLS\r\n250-RRVS\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250-AUTH=LOGIN PLAIN\r\n"
      "250-MT-PRIORITY MIXER\r\n250-DELIVERBY 240\r\n"
      "250-LIMITS RCPTMAX=100 MAILMAX=1000 FOO=bar RCPTDOMAINMAX=5\r\n250 XCLIENT NAME ADDR\r\n";
  e = ehlo(modern);
  REQUIRE(e.error == smtp::reply_errc::ok);
  const auto& c = e.value.caps;
  CHECK(c.size_limit == 35882577u);
  CHECK(c.pipelining);
  CHECK(c.chunking);
  CHECK(c.binarymime);
  CHECK(c.smtputf8);
  CHECK(c.enhancedstatuscodes);
  CHECK(c.starttls);
  CHECK(c.requiretls);
  CHECK(c.rrvs);
  CHECK(c.auth);
  CHECK(c.auth_legacy);
  CHECK(c.auth_mechanisms == "PLAIN LOGIN XOAUTH2");
  CHECK(c.has_auth("login"));
  CHECK_FALSE(c.has_auth("CRAM-MD5"));
  CHECK(c.mt_priority_profile == "MIXER");
  CHECK(c.deliverby_min == 240u);
  CHECK(c.limits);
  CHECK(c.limit_values.rcptmax == 100u);
  CHECK(c.limit_values.mailmax == 1000u);
  CHECK(c.limit_values.rcptdomainmax == 5u);
  auto x = e.value.extensions();
  CHECK(x.back().keyword == "XCLIENT");
  CHECK(x.back().params == "NAME ADDR");
}

TEST_CASE("smtp ehlo: single line, legacy AUTH alone", "[smtp][ehlo]") {
  auto e = ehlo("250 mail.example\r\n");
  REQUIRE(e.error == smtp::reply_errc::ok);
  CHECK(e.value.domain == "mail.example");
  CHECK(e.value.greeting.empty());
  CHECK(e.value.extensions().empty());
  e = ehlo("250-h\r\n250 AUTH=PLAIN\r\n");
  CHECK(e.value.caps.auth_legacy);
  CHECK_FALSE(e.value.caps.auth);
  CHECK(e.value.caps.has_auth("PLAIN"));
}

TEST_CASE("smtp ehlo: errors", "[smtp][ehlo]") {
  CHECK(ehlo("550 no\r\n").error == smtp::reply_errc::not_ehlo_success);
  auto e = ehlo("250-h\r\n250-SIZE x\r\n250 DSN\r\n");
  CHECK(e.error == smtp::reply_errc::bad_ehlo_param);
  CHECK(e.line == 1);
  CHECK(ehlo("250-h\r\n250 -X\r\n").error == smtp::reply_errc::bad_ehlo_keyword);
  CHECK(ehlo("250-h\r\n250 A_B\r\n").error == smtp::reply_errc::bad_ehlo_keyword);
  CHECK(ehlo("250-h\r\n250 AUTH  PLAIN\r\n").error == smtp::reply_errc::bad_ehlo_param);
  CHECK(ehlo("250-h\r\n250 X \r\n").error == smtp::reply_errc::bad_ehlo_param);
  CHECK(ehlo("250-h\r\n250 LIMITS RCPTMAX=x\r\n").error == smtp::reply_errc::bad_ehlo_param);
  CHECK(ehlo("250-h\r\n250 DELIVERBY -5\r\n").error == smtp::reply_errc::bad_ehlo_param);
}

TEST_CASE("smtp ehlo: builder and round trip", "[smtp][ehlo]") {
  smtp::ehlo_capabilities c;
  c.size = true;
  c.size_limit = 10485760;
  c.pipelining = c.eightbitmime = c.chunking = c.smtputf8 = c.enhancedstatuscodes = true;
  c.starttls = c.dsn = true;
  c.auth = true;
  c.auth_legacy = true;
  c.auth_mechanisms = "PLAIN LOGIN";
  c.limits = true;
  c.limit_values.rcptmax = 100;
  std::string out;
  std::string_view extra[] = {"XFOO bar baz"};
  REQUIRE(smtp::append_ehlo_reply(out, "mx.example", "at your service", c, extra) ==
          smtp::reply_errc::ok);
  CHECK(out ==
        "250-mx.example at your service\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n"
        "250-PIPELINING\r\n250-CHUNKING\r\n250-SMTPUTF8\r\n250-DSN\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n"
        "250-AUTH=PLAIN LOGIN\r\n250-LIMITS RCPTMAX=100\r\n250 XFOO bar baz\r\n");
  auto e = ehlo(out);
  REQUIRE(e.error == smtp::reply_errc::ok);
  CHECK(e.value.caps == c);
  CHECK(e.value.domain == "mx.example");
  // Every capability alone round-trips.
  smtp::ehlo_capabilities all;
  all.size = all.eightbitmime = all.pipelining = all.chunking = all.binarymime = true;
  all.smtputf8 = all.dsn = all.enhancedstatuscodes = all.starttls = all.requiretls = true;
  all.rrvs = all.mt_priority = all.deliverby = true;
  all.mt_priority_profile = "NSEP";
  all.deliverby_min = 0;
  out.clear();
  REQUIRE(smtp::append_ehlo_reply(out, "h", "", all) == smtp::reply_errc::ok);
  CHECK(ehlo(out).value.caps == all);
  // Builder refusals.
  out.clear();
  std::string_view bad[] = {"X-\r\nY"};
  CHECK(smtp::append_ehlo_reply(out, "h", "", {}, bad) == smtp::reply_errc::local_bad_text);
  CHECK(smtp::append_ehlo_reply(out, "h x", "", {}) == smtp::reply_errc::local_bad_text);
  smtp::ehlo_capabilities badauth;
  badauth.auth = true;
  badauth.auth_mechanisms = "PLAIN\r\n250 X";
  CHECK(smtp::append_ehlo_reply(out, "h", "", badauth) == smtp::reply_errc::local_bad_text);
  CHECK(out.empty());
}
