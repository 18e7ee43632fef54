// Tests of mailwire/imap/message_map.hpp: MSN <-> UID through EXPUNGE, VANISHED and EXISTS
// (RFC 9051 sections 2.3.1, 7.4.1, 7.5.1; RFC 7162 section 3.2.10), sequence-set resolution.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "mailwire/imap/message_map.hpp"

using namespace mailwire::imap;

namespace {

sequence_set set_of(const std::string& s) {
  auto r = make_sequence_set(s);
  REQUIRE(r.has_value());
  return *r;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> resolved(const message_map& m, const std::string& s, bool uid,
                                                              errc* e = nullptr,
                                                              std::vector<std::uint32_t> saved = {}) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> v;
  const errc r = m.resolve(set_of(s), uid, [&](std::uint32_t msn, std::uint32_t u) { v.emplace_back(msn, u); }, saved);
  if (e) *e = r;
  else REQUIRE(r == errc::ok);
  return v;
}

using pairs = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

}  // namespace

TEST_CASE("imap message_map: lookups, append, expunge", "[imap][imap-server][message_map]") {
  message_map m;
  CHECK(m.size() == 0);
  CHECK(m.max_uid() == 0);
  CHECK(m.uid_of(1) == 0);
  CHECK(m.msn_of(1) == 0);
  const std::vector<std::uint32_t> uids{3, 7, 8, 12};
  REQUIRE(m.assign(uids) == errc::ok);
  CHECK(m.size() == 4);
  CHECK(m.max_uid() == 12);
  CHECK(m.uid_of(0) == 0);
  CHECK(m.uid_of(3) == 8);
  CHECK(m.uid_of(5) == 0);
  CHECK(m.msn_of(8) == 3);
  CHECK(m.msn_of(9) == 0);
  CHECK(m.msn_of(100) == 0);
  // UIDs must ascend (RFC 9051 section 2.3.1.1).
  CHECK_FALSE(m.append(12));
  CHECK_FALSE(m.append(0));
  CHECK(m.append(20));
  CHECK(m.size() == 5);
  // RFC 9051 section 7.5.1: after an EXPUNGE every higher MSN is one less.
  CHECK(m.expunge(2) == 7);
  CHECK(m.msn_of(8) == 2);
  CHECK(m.uid_of(4) == 20);
  CHECK(m.expunge(9) == 0);
  CHECK(m.expunge(0) == 0);
  CHECK(m.size() == 4);
  // assign refuses unsorted or zero UIDs and keeps the map.
  const std::vector<std::uint32_t> bad{3, 3};
  CHECK(m.assign(bad) == errc::local_invalid_value);
  const std::vector<std::uint32_t> zero{0, 3};
  CHECK(m.assign(zero) == errc::local_invalid_value);
  CHECK(m.size() == 4);
  m.clear();
  CHECK(m.empty());
}

TEST_CASE("imap message_map: RFC 9051 7.5.1 example, EXPUNGE of the last 5 of 9", "[imap][imap-server][message_map]") {
  message_map m;
  for (std::uint32_t u = 1; u <= 9; ++u) REQUIRE(m.append(u * 10));
  std::vector<std::uint32_t> msns;
  CHECK(m.remove_uids(set_of("50:90"), msns) == 5);
  // "a lower to higher server will send five untagged EXPUNGE responses for message sequence
  // number 5"
  CHECK(msns == std::vector<std::uint32_t>{5, 5, 5, 5, 5});
  CHECK(m.size() == 4);
  CHECK(m.max_uid() == 40);
}

TEST_CASE("imap message_map: VANISHED removal, UIDs absent and '*'", "[imap][imap-server][message_map]") {
  message_map m;
  const std::vector<std::uint32_t> uids{2, 4, 6, 8, 10, 12};
  REQUIRE(m.assign(uids) == errc::ok);
  std::vector<std::uint32_t> msns;
  // 3, 5 and 7 are not in the mailbox; "11:*" is 11:12.
  CHECK(m.remove_uids(set_of("3:4,7,5,11:*"), msns) == 2);
  CHECK(msns == std::vector<std::uint32_t>{2, 5});
  CHECK(m.uids().size() == 4);
  CHECK(std::vector<std::uint32_t>(m.uids().begin(), m.uids().end()) == std::vector<std::uint32_t>{2, 6, 8, 10});
  msns.clear();
  CHECK(m.remove_uids(set_of("$"), msns) == 0);
  CHECK(m.remove_uids(set_of("100:200"), msns) == 0);
  CHECK(msns.empty());
  message_map e;
  CHECK(e.remove_uids(set_of("1:*"), msns) == 0);
}

TEST_CASE("imap message_map: random EXPUNGE / VANISHED / EXISTS against a naive model",
          "[imap][imap-server][message_map]") {
  std::mt19937 rng(20261123);
  message_map m;
  std::vector<std::uint32_t> model;  // the same mailbox, kept naively
  std::uint32_t next_uid = 1;
  for (int step = 0; step < 4000; ++step) {
    const int op = static_cast<int>(rng() % 10);
    if (op < 4 || model.empty()) {
      next_uid += 1 + rng() % 3;
      REQUIRE(m.append(next_uid));
      model.push_back(next_uid);
    } else if (op < 7) {
      const auto msn = static_cast<std::uint32_t>(1 + rng() % model.size());
      const std::uint32_t uid = m.expunge(msn);
      REQUIRE(uid == model[msn - 1]);
      model.erase(model.begin() + (msn - 1));
    } else {
      // A random UID set; the EXPUNGE numbers applied in order to a copy of the model must
      // give the model after removal (RFC 9051 section 7.5.1).
      std::string s;
      const int n = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < n; ++k) {
        if (!s.empty()) s += ',';
        const std::uint32_t a = 1 + rng() % (next_uid + 2);
        const std::uint32_t b = 1 + rng() % (next_uid + 2);
        s += std::to_string(a);
        if (rng() % 2) s += ":" + (rng() % 5 == 0 ? std::string("*") : std::to_string(b));
      }
      const sequence_set set = set_of(s);
      std::vector<std::uint32_t> msns;
      m.remove_uids(set, msns);
      std::vector<std::uint32_t> applied = model;
      for (std::uint32_t x : msns) {
        REQUIRE(x >= 1);
        REQUIRE(x <= applied.size());
        applied.erase(applied.begin() + (x - 1));
      }
      const std::uint32_t largest = model.empty() ? 0 : model.back();
      std::vector<std::uint32_t> kept;
      for (std::uint32_t u : model)
        if (!set.contains(u, largest)) kept.push_back(u);
      REQUIRE(applied == kept);
      model = kept;
    }
    REQUIRE(m.size() == model.size());
    REQUIRE(std::equal(model.begin(), model.end(), m.uids().begin(), m.uids().end()));
    if (!model.empty()) {
      const auto k = static_cast<std::uint32_t>(rng() % model.size());
      REQUIRE(m.msn_of(model[k]) == k + 1);
      REQUIRE(m.uid_of(k + 1) == model[k]);
    }
  }
}

TEST_CASE("imap message_map: resolve MSN sets", "[imap][imap-server][message_map]") {
  message_map m;
  const std::vector<std::uint32_t> uids{3, 7, 8, 12, 15};
  REQUIRE(m.assign(uids) == errc::ok);
  CHECK(resolved(m, "2", false) == pairs{{2, 7}});
  // Reversed ranges, duplicates and overlaps: each message once, ascending.
  CHECK(resolved(m, "4:2,3,1", false) == pairs{{1, 3}, {2, 7}, {3, 8}, {4, 12}});
  CHECK(resolved(m, "*", false) == pairs{{5, 15}});
  CHECK(resolved(m, "*:4", false) == pairs{{4, 12}, {5, 15}});
  // RFC 9051 section 9 (seq-number): a number over the mailbox size is a tagged BAD.
  errc e = errc::ok;
  CHECK(resolved(m, "1,6", false, &e).empty());
  CHECK(e == errc::no_such_message);
  CHECK(resolved(m, "1:4294967295", false, &e).empty());
  CHECK(e == errc::no_such_message);
  // ... including "*" in an empty mailbox.
  message_map empty;
  CHECK(resolved(empty, "*", false, &e).empty());
  CHECK(e == errc::no_such_message);
  CHECK(resolved(empty, "1", false, &e).empty());
  CHECK(e == errc::no_such_message);
  std::uint64_t n = 0;
  CHECK(m.count(set_of("2:4,1"), false, n) == errc::ok);
  CHECK(n == 4);
  CHECK(m.count(set_of("7"), false, n) == errc::no_such_message);
}

TEST_CASE("imap message_map: resolve UID sets", "[imap][imap-server][message_map]") {
  message_map m;
  const std::vector<std::uint32_t> uids{3, 7, 8, 12, 15};
  REQUIRE(m.assign(uids) == errc::ok);
  // UIDs not present are skipped (RFC 9051 section 6.4.9).
  CHECK(resolved(m, "4:9", true) == pairs{{2, 7}, {3, 8}});
  CHECK(resolved(m, "9:4", true) == pairs{{2, 7}, {3, 8}});
  CHECK(resolved(m, "1,2,100", true).empty());
  // "559:*" includes the last message even when 559 is above it.
  CHECK(resolved(m, "559:*", true) == pairs{{5, 15}});
  CHECK(resolved(m, "*", true) == pairs{{5, 15}});
  CHECK(resolved(m, "12:*,3", true) == pairs{{1, 3}, {4, 12}, {5, 15}});
  // An empty mailbox: nothing, not an error.
  message_map empty;
  CHECK(resolved(empty, "*", true).empty());
  CHECK(resolved(empty, "1:*", true).empty());
  // "$" (RFC 5182): the saved UIDs still present, for MSN and UID commands.
  CHECK(resolved(m, "$", true, nullptr, {7, 9, 15}) == pairs{{2, 7}, {5, 15}});
  CHECK(resolved(m, "$", false, nullptr, {3, 12}) == pairs{{1, 3}, {4, 12}});
  CHECK(resolved(m, "$", false, nullptr, {}).empty());
}

TEST_CASE("imap message_map: 1:4294967295 costs O(size)", "[imap][imap-server][message_map]") {
  message_map m;
  for (std::uint32_t u = 1; u <= 100000; ++u) REQUIRE(m.append(u * 3));
  std::uint64_t calls = 0;
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(m.resolve(set_of("1:4294967295"), true, [&](std::uint32_t, std::uint32_t) { ++calls; }) == errc::ok);
  CHECK(calls == 100000);
  calls = 0;
  CHECK(m.resolve(set_of("1:*"), false, [&](std::uint32_t, std::uint32_t) { ++calls; }) == errc::ok);
  CHECK(calls == 100000);
  // Many disjoint ranges far above the mailbox: O(ranges log size), no walk.
  std::string many;
  for (int k = 0; k < 30000; ++k) many += (k ? "," : "") + std::to_string(400000 + k * 100000u % 3000000000u) + ":" +
                                          std::to_string(400000 + k * 100000u % 3000000000u + 50);
  calls = 0;
  CHECK(m.resolve(set_of(many), true, [&](std::uint32_t, std::uint32_t) { ++calls; }) == errc::ok);
  CHECK(calls == 0);
  std::vector<std::uint32_t> msns;
  CHECK(m.remove_uids(set_of("1:4294967295"), msns) == 100000);
  CHECK(msns == std::vector<std::uint32_t>(100000, 1));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(secs < 2.0);  // 4 billion steps would take far longer
}
