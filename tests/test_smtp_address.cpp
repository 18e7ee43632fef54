// Tests of mailwire/smtp/address.hpp: RFC 5321 section 4.1.2 paths and mailboxes, section 4.1.3
// address literals, RFC 6531 UTF-8 addresses, the section 4.5.3.1 length limits.
#include <catch2/catch.hpp>

#include <mailwire/smtp/address.hpp>

#include <random>
#include <string>

#include "chunking.hpp"

namespace smtp = mailwire::smtp;
using mailwire::status;
using smtp::domain_kind;
using smtp::errc;

namespace {

smtp::parse_result<smtp::path> path_of(std::string_view s, smtp::path_options o = {},
                                       const smtp::limits& lim = {}) {
  // An exact-size heap copy, so ASan sees any read past the end; views are rebased to `s`'s
  // storage afterwards are not needed by these tests (only values and offsets are checked).
  static std::vector<std::unique_ptr<mwtest::heap_copy>> keep;
  keep.push_back(std::make_unique<mwtest::heap_copy>(s));
  return smtp::parse_path(keep.back()->view(), lim, o);
}

std::string canon(const smtp::path& p) {
  std::string out;
  REQUIRE(smtp::serialize(p, out) == errc::ok);
  return out;
}

}  // namespace

TEST_CASE("smtp path: plain mailboxes and the canonical form", "[smtp][address]") {
  auto r = path_of("<Smith@bar.com>");
  REQUIRE(r.ok());
  CHECK(r.consumed == 15);
  CHECK(r.value.mb.local_part == "Smith");
  CHECK(r.value.mb.domain == "bar.com");
  CHECK(r.value.mb.kind == domain_kind::name);
  CHECK_FALSE(r.value.null);
  CHECK(canon(r.value) == "<Smith@bar.com>");

  r = path_of("<a.b-c+d@x-1.example.ORG> SIZE=1");
  REQUIRE(r.ok());
  CHECK(r.consumed == 25);
  CHECK(r.value.mb.local_part == "a.b-c+d");
  CHECK(r.value.mb.domain == "x-1.example.ORG");
}

TEST_CASE("smtp path: quoted local parts, kept raw, unquoted on demand", "[smtp][address]") {
  auto r = path_of(R"(<"John \"Q\" Doe"@example.com>)");
  REQUIRE(r.ok());
  CHECK(r.value.mb.quoted());
  CHECK(r.value.mb.local_part == R"("John \"Q\" Doe")");
  CHECK(r.value.mb.unquoted() == R"(John "Q" Doe)");
  CHECK(canon(r.value) == R"(<"John \"Q\" Doe"@example.com>)");

  // Needless quotes and quoted-pairs are dropped by the canonical form.
  r = path_of(R"(<"j\ohn"@example.com>)");
  REQUIRE(r.ok());
  CHECK(r.value.mb.unquoted() == "john");
  CHECK(canon(r.value) == "<john@example.com>");
  // ... and the two are the same mailbox.
  CHECK(r.value == path_of("<john@example.com>").value);
  CHECK_FALSE(r.value == path_of("<John@example.com>").value);

  r = path_of(R"(<""@example.com>)");
  REQUIRE(r.ok());
  CHECK(r.value.mb.unquoted().empty());
  CHECK(canon(r.value) == R"(<""@example.com>)");

  r = path_of(R"(<"a..b"@x>)");
  REQUIRE(r.ok());
  CHECK(canon(r.value) == R"(<"a..b"@x>)");
}

TEST_CASE("smtp path: malformed local parts", "[smtp][address]") {
  struct bad { const char* in; errc e; std::size_t at; };
  for (const bad& b : {bad{"<.a@x>", errc::invalid_local_part, 1}, bad{"<a.@x>", errc::invalid_local_part, 3},
                       bad{"<a..b@x>", errc::invalid_local_part, 3}, bad{"<a b@x>", errc::invalid_local_part, 2},
                       bad{"<\"a@x>", errc::invalid_local_part, 6}, bad{"<@x>", errc::invalid_path, 3},
                       bad{"<ax>", errc::invalid_local_part, 3}, bad{"<\"a\tb\"@x>", errc::invalid_local_part, 3},
                       bad{"<\"a\\\x01\"@x>", errc::invalid_local_part, 4}, bad{"<a(b)@x>", errc::invalid_local_part, 2}}) {
    INFO(b.in);
    const auto r = path_of(b.in);
    CHECK(r.st == status::error);
    CHECK(r.error == b.e);
    CHECK(r.error_offset == b.at);
  }
}

TEST_CASE("smtp path: domains", "[smtp][address]") {
  for (const char* ok : {"<a@b>", "<a@b.c>", "<a@1.2.3>", "<a@x--y.z>", "<a@9>"}) {
    INFO(ok);
    CHECK(path_of(ok).ok());
  }
  for (const char* no : {"<a@-b>", "<a@b->", "<a@b..c>", "<a@b.>", "<a@.b>", "<a@>", "<a@b_c>"}) {
    INFO(no);
    const auto r = path_of(no);
    CHECK(r.st == status::error);
    CHECK((r.error == errc::invalid_domain || r.error == errc::invalid_path));
  }
  CHECK(smtp::parse_domain("mail.example.com").ok());
  CHECK(smtp::parse_domain("mail.example.com.").error == errc::invalid_domain);
  CHECK(smtp::parse_domain("[1.2.3.4]").error == errc::invalid_domain);
}

TEST_CASE("smtp path: address literals of RFC 5321 section 4.1.3", "[smtp][address]") {
  struct lit { const char* in; domain_kind k; std::string_view inner; };
  for (const lit& l : {lit{"[192.0.2.1]", domain_kind::ipv4, "192.0.2.1"},
                       lit{"[0.0.0.0]", domain_kind::ipv4, "0.0.0.0"},
                       lit{"[255.255.255.255]", domain_kind::ipv4, "255.255.255.255"},
                       lit{"[IPv6:2001:db8:0:0:0:0:0:1]", domain_kind::ipv6, "2001:db8:0:0:0:0:0:1"},
                       lit{"[ipv6:2001:DB8::1]", domain_kind::ipv6, "2001:DB8::1"},
                       lit{"[IPv6:::]", domain_kind::ipv6, "::"},
                       lit{"[IPv6:::1]", domain_kind::ipv6, "::1"},
                       lit{"[IPv6:1::]", domain_kind::ipv6, "1::"},
                       lit{"[IPv6:1:2:3:4:5:6::]", domain_kind::ipv6, "1:2:3:4:5:6::"},
                       lit{"[IPv6:1:2:3::4:5:6]", domain_kind::ipv6, "1:2:3::4:5:6"},
                       lit{"[IPv6:1:2:3:4:5:6:192.0.2.1]", domain_kind::ipv6, "1:2:3:4:5:6:192.0.2.1"},
                       lit{"[IPv6:::ffff:192.0.2.1]", domain_kind::ipv6, "::ffff:192.0.2.1"},
                       lit{"[IPv6:::192.0.2.1]", domain_kind::ipv6, "::192.0.2.1"},
                       lit{"[IPv6:1:2:3:4::192.0.2.1]", domain_kind::ipv6, "1:2:3:4::192.0.2.1"},
                       lit{"[IPv6:1:2::3:4:192.0.2.1]", domain_kind::ipv6, "1:2::3:4:192.0.2.1"},
                       lit{"[x-tag:any!thing~]", domain_kind::general, "any!thing~"}}) {
    INFO(l.in);
    domain_kind k{};
    const auto r = smtp::parse_domain_or_literal(l.in, k);
    REQUIRE(r.ok());
    CHECK(k == l.k);
    smtp::mailbox m{"a", l.in, k};
    CHECK(m.literal() == l.inner);
    CHECK(smtp::validate(m) == errc::ok);
    const std::string p = std::string("<a@") + l.in + ">";
    const auto pr = path_of(p);
    REQUIRE(pr.ok());
    CHECK(pr.value.mb.kind == l.k);
  }
  for (const char* no : {"[256.0.0.1]", "[1.2.3]", "[1.2.3.4.5]", "[1.2.3.4", "[1..2.3]", "[01234.1.1.1]",
                         "[IPv6:1:2:3:4:5:6:7]", "[IPv6:1:2:3:4:5:6:7:8:9]", "[IPv6:1::2::3]",
                         "[IPv6:1:2:3:4:5:6:7::]",  // "::" stands for at least one group... 7 + :: > 6
                         "[IPv6:12345::]", "[IPv6:g::]", "[IPv6::1]", "[IPv6:1:]", "[IPv6:1:::2]",
                         "[IPv6:1:2:3:4:5:192.0.2.1]", "[IPv6:1:2:3:4:5::192.0.2.1]",
                         "[IPv6:1:2:3:4:5:6:256.0.2.1]", "[IPv6:]", "[IPv6:1.2.3.4]",
                         "[tag:]", "[:x]", "[ta_g:x]", "[tag-:x]", "[tag:a[b]", "[tag:a\\b]", "[]", "[x]"}) {
    INFO(no);
    domain_kind k{};
    const auto r = smtp::parse_domain_or_literal(no, k);
    CHECK(r.st == status::error);
    CHECK(r.error == errc::invalid_address_literal);
  }
}

TEST_CASE("smtp path: null, Postmaster and where they are allowed", "[smtp][address]") {
  auto r = path_of("<>", {.allow_null = true});
  REQUIRE(r.ok());
  CHECK(r.value.null);
  CHECK(r.consumed == 2);
  CHECK(canon(r.value) == "<>");
  CHECK(path_of("<>").error == errc::invalid_path);

  r = path_of("<postmaster>", {.allow_postmaster = true});
  REQUIRE(r.ok());
  CHECK(r.value.postmaster());
  CHECK(canon(r.value) == "<postmaster>");
  CHECK(path_of("<Postmaster>").st == status::error);
  // "<Postmaster@domain>" is an ordinary mailbox.
  r = path_of("<Postmaster@example.net>", {.allow_postmaster = true});
  REQUIRE(r.ok());
  CHECK_FALSE(r.value.postmaster());
}

TEST_CASE("smtp path: obsolete source routes are read and dropped", "[smtp][address]") {
  auto r = path_of("<@hosta.int,@jkl.org:userc@d.bar.org>");
  REQUIRE(r.ok());
  CHECK(r.value.source_route == "@hosta.int,@jkl.org");
  CHECK(r.value.mb.local_part == "userc");
  CHECK(canon(r.value) == "<userc@d.bar.org>");
  CHECK(r.value == path_of("<userc@d.bar.org>").value);
  for (const char* no : {"<@a:>", "<@a,b:c@d>", "<@a;c@d>", "<@:c@d>", "<@a,@:c@d>", "<@a c@d>"}) {
    INFO(no);
    CHECK(path_of(no).st == status::error);
  }
}

TEST_CASE("smtp path: UTF-8 only with SMTPUTF8 (RFC 6531 section 3.3)", "[smtp][address]") {
  const char* in = "<\xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\x85\xAC\xE5\x8F\xB8>";
  auto r = path_of(in);
  CHECK(r.error == errc::non_ascii);
  CHECK(r.error_offset == 1);
  r = path_of(in, {.smtputf8 = true});
  REQUIRE(r.ok());
  CHECK(r.value.mb.local_part == "\xE7\x94\xA8\xE6\x88\xB7");
  CHECK(canon(r.value) == in);
  CHECK(path_of("<\"J\xC3\xBCrgen K\"@x>", {.smtputf8 = true}).ok());
  // Malformed UTF-8: a lone continuation byte, an overlong, a surrogate, a truncated sequence.
  for (const char* bad : {"<a\x80@x>", "<a\xC0\xAF@x>", "<a\xED\xA0\x80@x>", "<a@x\xE4\xBE>", "<a\xF5\x80\x80\x80@x>"}) {
    INFO(bad);
    r = path_of(bad, {.smtputf8 = true});
    CHECK(r.error == errc::invalid_utf8);
    CHECK(path_of(bad).error == errc::non_ascii);
  }
}

TEST_CASE("smtp path: limits of RFC 5321 section 4.5.3.1", "[smtp][address]") {
  const std::string l64(64, 'a'), l65(65, 'a');
  CHECK(path_of("<" + l64 + "@x>").ok());
  auto r = path_of("<" + l65 + "@x>");
  CHECK(r.error == errc::local_part_too_long);
  CHECK(r.error_offset == 1);

  std::string d255;
  while (d255.size() < 255) d255 += d255.empty() ? "a" : ".a";
  d255.resize(255);
  REQUIRE(d255.back() == 'a');
  smtp::limits big;
  big.path = 1000;
  CHECK(path_of("<a@" + d255 + ">", {}, big).ok());
  r = path_of("<a@" + d255 + "b>", {}, big);
  CHECK(r.error == errc::domain_too_long);
  CHECK(r.error_offset == 3);

  // The path, brackets included, is at most 256 octets.
  const std::string d = std::string(252, 'd');  // "<a@" + d + ">" == 256
  smtp::limits lim;
  lim.domain = 1000;
  CHECK(path_of("<a@" + d + ">", {}, lim).ok());
  r = path_of("<a@" + d + "d>", {}, lim);
  CHECK(r.error == errc::path_too_long);
}

TEST_CASE("smtp mailbox: validate and serialize refuse bad values", "[smtp][address]") {
  std::string out = "keep";
  CHECK(smtp::serialize(smtp::mailbox{"a\r\nb", "x", domain_kind::name}, out) == errc::invalid_local_part);
  CHECK(smtp::serialize(smtp::mailbox{"a", "x\r\n", domain_kind::name}, out) == errc::invalid_domain);
  CHECK(smtp::serialize(smtp::mailbox{"a", "[1.2.3.4]", domain_kind::name}, out) == errc::local_invalid_value);
  CHECK(smtp::serialize(smtp::mailbox{"", "x", domain_kind::name}, out) == errc::invalid_local_part);
  CHECK(smtp::serialize(smtp::path{false, smtp::mailbox{"\"a\"b", "x", domain_kind::name}, {}}, out) ==
        errc::invalid_local_part);
  CHECK(out == "keep");
}

TEST_CASE("smtp mailbox: parse(serialize(v)) == v over generated values", "[smtp][address]") {
  std::mt19937 rng(5321);
  const std::string alphabet = "abcXYZ09!#$%&'*+-/=?^_`{|}~. \"\\@<>()[],;:";
  for (int n = 0; n < 3000; ++n) {
    std::string local;
    const int len = static_cast<int>(rng() % 12);
    for (int i = 0; i < len; ++i) local.push_back(alphabet[rng() % alphabet.size()]);
    // Quote everything as a Quoted-string, escaping '"' and '\'.
    std::string raw = "\"";
    for (char c : local) {
      if (c == '"' || c == '\\' || (rng() % 8 == 0)) raw.push_back('\\');
      raw.push_back(c);
    }
    raw.push_back('"');
    const smtp::mailbox m{raw, "example.org", domain_kind::name};
    REQUIRE(smtp::validate(m) == errc::ok);
    std::string out;
    REQUIRE(smtp::serialize(smtp::path{false, m, {}}, out) == errc::ok);
    const auto r = smtp::parse_path(out);
    INFO(out);
    REQUIRE(r.ok());
    CHECK(r.consumed == out.size());
    CHECK(r.value.mb == m);
    CHECK(r.value.mb.unquoted() == local);
    // serialize(parse(x)) is a fixed point.
    std::string again;
    REQUIRE(smtp::serialize(r.value, again) == errc::ok);
    CHECK(again == out);
  }
}
