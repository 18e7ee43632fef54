// Tests of mailwire/imap/flag.hpp: flags, keywords, flag lists (RFC 9051 section 2.3.2, 9).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "imap_value_testing.hpp"
#include "mailwire/imap/flag.hpp"

using namespace mailwire::imap;
using mailwire::status;

TEST_CASE("imap flag: kinds", "[imap][flag]") {
  const auto fl = [](std::string_view s) { return parse_flag(s); };
  struct kat {
    std::string_view in;
    flag_kind kind;
  };
  const kat table[] = {
      {"\\Answered ", flag_kind::answered}, {"\\FLAGGED)", flag_kind::flagged},
      {"\\deleted ", flag_kind::deleted},   {"\\Seen ", flag_kind::seen},
      {"\\Draft ", flag_kind::draft},       {"\\Recent ", flag_kind::recent},
      {"$Forwarded ", flag_kind::keyword},  {"NonJunk ", flag_kind::keyword},
      {"\\Important ", flag_kind::extension},
  };
  for (const auto& k : table) {
    INFO(std::string(k.in));
    const auto p = mwtest::parse_checked(fl, k.in);
    REQUIRE(p.r.ok());
    CHECK(p.r.value.kind() == k.kind);
    CHECK(p.r.value.text() == k.in.substr(0, k.in.size() - 1));
  }
  CHECK(*flag::make("\\SEEN") == *flag::make("\\Seen"));
  CHECK_FALSE(flag::make("a]b"));  // "]" is not an ATOM-CHAR
  CHECK_FALSE(flag::make("\\"));
  CHECK_FALSE(flag::make(""));
  CHECK(*flag::make("$junk") == *flag::make("$Junk"));
  CHECK_FALSE(*flag::make("\\Seen") == *flag::make("Seen"));

  const auto perm = mwtest::parse_checked([](std::string_view s) { return parse_flag_perm(s); }, "\\* ");
  REQUIRE(perm.r.ok());
  CHECK(perm.r.value.kind() == flag_kind::wildcard);

  struct bad {
    std::string_view in;
    errc error;
    std::size_t offset;
  };
  for (const bad& b : {bad{"\\* ", errc::bad_flag, 1}, bad{"\\ ", errc::bad_flag, 1},
                       bad{"( ", errc::bad_flag, 0}, bad{"\\(", errc::bad_flag, 1},
                       bad{"$J\xC3\xBCnk ", errc::eight_bit_not_allowed, 2}}) {
    INFO(std::string(b.in));
    const auto p = mwtest::parse_checked(fl, b.in);
    CHECK(p.r.st == status::error);
    CHECK(to_string(p.r.error) == to_string(b.error));
    CHECK(p.r.error_offset == b.offset);
  }
}

TEST_CASE("imap flag: lists", "[imap][flag]") {
  const auto lst = [](std::string_view s) { return parse_flag_list(s); };
  const auto p = mwtest::parse_checked(lst, "(\\Seen $Forwarded) ");
  REQUIRE(p.r.ok());
  CHECK(p.r.consumed == 18);
  CHECK(p.r.value.size() == 2);
  std::vector<flag_kind> kinds;
  p.r.value.for_each([&](const flag& f) { kinds.push_back(f.kind()); });
  CHECK(kinds == std::vector<flag_kind>{flag_kind::seen, flag_kind::keyword});
  CHECK(p.r.value.contains(*flag::make("\\SEEN")));
  CHECK_FALSE(p.r.value.contains(*flag::make("\\Deleted")));
  std::string out;
  CHECK(write_flag_list(out, p.r.value) == errc::ok);
  CHECK(out == "(\\Seen $Forwarded)");
  CHECK(mwtest::parse_checked(lst, "()").r.value.size() == 0);

  // PERMANENTFLAGS (RFC 9051 section 7.1): "\*" only with perm.
  const auto permanent = "(\\Deleted \\Seen \\*)";
  CHECK(mwtest::parse_checked([](std::string_view s) { return parse_flag_list(s, {}, {}, true); }, permanent).r.ok());
  struct bad {
    std::string_view in;
    errc error;
    std::size_t offset;
  };
  for (const bad& b : {bad{"(\\Deleted \\Seen \\*)", errc::bad_flag, 17}, bad{"(\\Seen  \\Draft)", errc::bad_flag, 7},
                       bad{"( \\Seen)", errc::bad_flag, 1}, bad{"(\\Seen )", errc::bad_flag, 7},
                       bad{"\\Seen", errc::bad_flag, 0}, bad{"(\\Seen(", errc::bad_flag, 6}}) {
    INFO(std::string(b.in));
    const auto q = mwtest::parse_checked(lst, b.in);
    CHECK(q.r.st == status::error);
    CHECK(to_string(q.r.error) == to_string(b.error));
    CHECK(q.r.error_offset == b.offset);
  }
}

TEST_CASE("imap flag: list length limit", "[imap][flag][limits]") {
  limits lim;
  lim.list_items = 2;
  const auto p = [&](std::string_view s) { return parse_flag_list(s, lim); };
  CHECK(mwtest::parse_checked(p, "(a b)").r.ok());
  const auto r = mwtest::parse_checked(p, "(a b c)");
  CHECK(r.r.error == errc::list_too_long);
  CHECK(r.r.error_offset == 5);
}

TEST_CASE("imap flag: random lists round trip", "[imap][flag]") {
  std::mt19937 rng(4242);
  const std::string_view names[] = {"\\Seen", "\\ANSWERED", "\\Flagged", "\\Deleted", "\\Draft", "\\Recent",
                                    "$Forwarded", "$MDNSent", "Junk", "\\X-Ext", "a.b-c"};
  for (int iter = 0; iter < 1000; ++iter) {
    std::vector<flag> flags;
    const int n = static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) {
      const auto f = flag::make(names[rng() % std::size(names)]);
      REQUIRE(f.has_value());
      flags.push_back(*f);
    }
    std::string wire;
    REQUIRE(write_flag_list(wire, flags) == errc::ok);
    const auto p = mwtest::parse_checked([](std::string_view s) { return parse_flag_list(s); }, wire);
    INFO(wire);
    REQUIRE(p.r.ok());
    CHECK(p.r.consumed == wire.size());
    std::vector<flag> back;
    p.r.value.for_each([&](const flag& f) { back.push_back(f); });
    CHECK(back == flags);
    std::string again;
    REQUIRE(write_flag_list(again, p.r.value) == errc::ok);
    CHECK(again == wire);
  }
  std::string out;
  const flag empty[] = {flag{}};
  CHECK(write_flag_list(out, empty) == errc::local_invalid_value);
  CHECK(out.empty());
}
