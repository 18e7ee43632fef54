// Tests of mailwire/imap/sequence.hpp: sequence sets (RFC 9051 section 9, RFC 5182 "$").
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "imap_value_testing.hpp"
#include "mailwire/imap/sequence.hpp"

using namespace mailwire::imap;
using mailwire::status;

namespace {
const auto seq = [](std::string_view s) { return parse_sequence_set(s); };
}

TEST_CASE("imap sequence: valid sets keep their text", "[imap][sequence]") {
  const auto p = mwtest::parse_checked(seq, "2,4:7,9,12:* ");
  REQUIRE(p.r.ok());
  CHECK(p.r.consumed == 12);
  CHECK(p.r.value.size() == 4);
  std::vector<seq_range> ranges;
  p.r.value.for_each([&](const seq_range& r) { ranges.push_back(r); });
  REQUIRE(ranges.size() == 4);
  CHECK(ranges[0] == seq_range{{2}, {2}, true});
  CHECK(ranges[1] == seq_range{{4}, {7}, false});
  CHECK(ranges[3].last.is_star());
  std::vector<seq_interval> v;
  p.r.value.normalize(15, v);
  CHECK(v == std::vector<seq_interval>{{2, 2}, {4, 7}, {9, 9}, {12, 15}});
  std::string out;
  CHECK(write_sequence_set(out, p.r.value) == errc::ok);
  CHECK(out == "2,4:7,9,12:*");

  // Ranges as written: "5:3" is not flipped; "*:4" is from 4 to the largest.
  const auto q = mwtest::parse_checked(seq, "5:3,*:4,3)");
  REQUIRE(q.r.ok());
  out.clear();
  CHECK(write_sequence_set(out, q.r.value) == errc::ok);
  CHECK(out == "5:3,*:4,3");
  q.r.value.normalize(10, v);
  CHECK(v == std::vector<seq_interval>{{3, 10}});
  CHECK(q.r.value.contains(10, 10));
  CHECK(q.r.value.contains(2, 1));  // "*:4" with largest 1 is 1:4
  CHECK_FALSE(q.r.value.contains(2, 10));

  const auto d = mwtest::parse_checked(seq, "$ ");
  REQUIRE(d.r.ok());
  CHECK(d.r.value.is_last_command());
  CHECK(mwtest::parse_checked(seq, "$").r.st == status::need_more);
  CHECK(mwtest::parse_checked(seq, "4294967295 ").r.ok());
  CHECK(mwtest::parse_checked(seq, "1:*").r.st == status::need_more);
  CHECK(mwtest::parse_checked(seq, "*").r.st == status::need_more);
}

TEST_CASE("imap sequence: invalid sets are rejected with their offset", "[imap][sequence]") {
  struct bad {
    std::string_view in;
    errc error;
    std::size_t offset;
  };
  const bad table[] = {
      {"0 ", errc::bad_sequence_set, 0},  {"1:0 ", errc::bad_sequence_set, 2},
      {"01 ", errc::bad_sequence_set, 0}, {"1: ", errc::bad_sequence_set, 2},
      {"1:, ", errc::bad_sequence_set, 2}, {",1 ", errc::bad_sequence_set, 0},
      {"1,,2 ", errc::bad_sequence_set, 2}, {"1, ", errc::bad_sequence_set, 2},
      {"$,1 ", errc::bad_sequence_set, 1}, {"$:1 ", errc::bad_sequence_set, 1},
      {"1,$ ", errc::bad_sequence_set, 2}, {"** ", errc::bad_sequence_set, 1},
      {"4294967296 ", errc::number_overflow, 9}, {"-1 ", errc::bad_sequence_set, 0},
      {"1:2:3 ", errc::bad_sequence_set, 3}, {"1\xC3 ", errc::eight_bit_not_allowed, 1},
      {" ", errc::bad_sequence_set, 0},
  };
  for (const auto& b : table) {
    INFO(std::string(b.in));
    const auto p = mwtest::parse_checked(seq, b.in);
    // "1:2:3" and "**" parse a set and stop; the octet after is the caller's to refuse.
    if (b.in == "1:2:3 " || b.in == "** ") {
      CHECK(p.r.ok());
      CHECK(p.r.consumed == b.offset);
      continue;
    }
    CHECK(p.r.st == status::error);
    CHECK(to_string(p.r.error) == to_string(b.error));
    CHECK(p.r.error_offset == b.offset);
  }
  CHECK_FALSE(make_sequence_set("1:2:3"));
  CHECK_FALSE(make_sequence_set("0"));
  CHECK_FALSE(make_sequence_set("1:"));
  CHECK_FALSE(make_sequence_set("1,"));
  CHECK_FALSE(make_sequence_set(""));
  CHECK(make_sequence_set("1:*,7")->size() == 2);
  CHECK(make_sequence_set("$")->is_last_command());
}

TEST_CASE("imap sequence: limit on elements", "[imap][sequence][limits]") {
  limits lim;
  lim.sequence_ranges = 3;
  const auto p = [&](std::string_view s) { return parse_sequence_set(s, lim); };
  CHECK(mwtest::parse_checked(p, "1,2,3:4 ").r.ok());
  const auto r = mwtest::parse_checked(p, "1,2,3,4 ");
  CHECK(r.r.error == errc::too_many_ranges);
  CHECK(r.r.error_offset == 6);
  CHECK_FALSE(make_sequence_set("1,2,3,4", lim));
}

TEST_CASE("imap sequence: for_each_number stops at its limit", "[imap][sequence]") {
  const auto s = make_sequence_set("1:*");
  REQUIRE(s);
  std::uint64_t calls = 0;
  CHECK_FALSE(s->for_each_number(4294967295u, 1000000, [&](std::uint32_t) { ++calls; }));
  CHECK(calls == 0);
  std::vector<std::uint32_t> got;
  CHECK(make_sequence_set("7,3:5,4")->for_each_number(9, 10, [&](std::uint32_t n) { got.push_back(n); }));
  CHECK(got == std::vector<std::uint32_t>{3, 4, 5, 7});
}

TEST_CASE("imap sequence: random sets round trip", "[imap][sequence]") {
  std::mt19937 rng(99);
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<seq_interval> in;
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) {
      const std::uint32_t a = 1 + rng() % (k % 2 ? 50 : 4294967295u);
      const std::uint32_t len = rng() % 3 == 0 ? 0 : rng() % 20;
      in.push_back({a, a + len < a ? a : a + len});
    }
    std::string wire;
    REQUIRE(write_sequence_set(wire, in) == errc::ok);
    const auto p = mwtest::parse_checked(seq, wire + ")");
    INFO(wire);
    REQUIRE(p.r.ok());
    CHECK(p.r.consumed == wire.size());
    CHECK(p.r.value.size() == in.size());
    std::vector<seq_interval> back;
    p.r.value.for_each([&](const seq_range& r) { back.push_back({r.first.n, r.last.n}); });
    CHECK(back == in);
    CHECK(make_sequence_set(wire).value() == p.r.value);
  }
  std::string out;
  CHECK(write_sequence_set(out, std::vector<seq_interval>{}) == errc::local_invalid_value);
  CHECK(write_sequence_set(out, std::vector<seq_interval>{{0, 1}}) == errc::local_invalid_value);
  CHECK(write_sequence_set(out, std::vector<seq_interval>{{5, 4}}) == errc::local_invalid_value);
  CHECK(out.empty());
}
