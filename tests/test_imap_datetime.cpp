// Tests of mailwire/imap/datetime.hpp: date and date-time (RFC 9051 section 9).
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "imap_value_testing.hpp"
#include "mailwire/imap/datetime.hpp"

using namespace mailwire::imap;
using mailwire::status;

namespace {
const auto dt = [](std::string_view s) { return parse_date_time(s); };
const auto dp = [](std::string_view s) { return parse_date(s); };
}  // namespace

TEST_CASE("imap datetime: RFC 3501 / 9051 examples", "[imap][datetime]") {
  // RFC 9051 section 6.3.12 (APPEND) and 7.5.2 (INTERNALDATE).
  const auto p = mwtest::parse_checked(dt, "\"17-Jul-1996 02:44:25 -0700\" ");
  REQUIRE(p.r.ok());
  CHECK(p.r.consumed == 28);
  const auto& t = p.r.value;
  CHECK(t.year() == 1996);
  CHECK(t.month() == 7);
  CHECK(t.day() == 17);
  CHECK(t.hour() == 2);
  CHECK(t.zone_minutes() == -420);
  CHECK(t.unix_time() == 837596665);
  std::string out;
  CHECK(write_date_time(out, t) == errc::ok);
  CHECK(out == "\"17-Jul-1996 02:44:25 -0700\"");

  for (std::string_view s : {"\" 7-Feb-1994 21:52:25 -0800\"", "\"07-Feb-1994 21:52:25 -0800\"",
                             "\"29-Feb-2000 23:59:60 +0000\"", "\"01-Jan-1970 00:00:00 -0000\""}) {
    INFO(std::string(s));
    const auto q = mwtest::parse_checked(dt, s);
    REQUIRE(q.r.ok());
    std::string w;
    CHECK(write_date_time(w, q.r.value) == errc::ok);
    CHECK(w == s);  // day padding and "-0000" kept
  }
  CHECK(mwtest::parse_checked(dt, "\"01-Jan-1970 00:00:00 +0000\"").r.value.unix_time() == 0);
  // Month names are case-insensitive, written canonically.
  const auto lc = mwtest::parse_checked(dt, "\"17-jUL-1996 02:44:25 -0700\"");
  REQUIRE(lc.r.ok());
  CHECK(lc.r.value == t);

  // date (SEARCH SINCE 1-Feb-1994, RFC 9051 section 6.4.4).
  const auto d = mwtest::parse_checked(dp, "1-Feb-1994 ");
  REQUIRE(d.r.ok());
  CHECK(d.r.consumed == 10);
  CHECK(d.r.value.day() == 1);
  CHECK(d.r.value.month() == 2);
  for (std::string_view s : {"1-Feb-1994", "01-Feb-1994", "\"1-Feb-1994\"", "\"01-Feb-1994\"", "31-Dec-9999"}) {
    const auto q = mwtest::parse_checked(dp, s);
    INFO(std::string(s));
    REQUIRE(q.r.ok());
    CHECK((q.r.value == d.r.value || q.r.value.year() == 9999));
    std::string w;
    CHECK(write_date(w, q.r.value) == errc::ok);
    CHECK(w == s);
  }
  CHECK(d.r.value.days_since_epoch() == 8797);
}

TEST_CASE("imap datetime: rejects", "[imap][datetime]") {
  struct bad {
    std::string_view in;
    errc error;
    std::size_t offset;
  };
  const bad dates[] = {
      {"32-Jan-2000", errc::bad_date, 0}, {"29-Feb-1900", errc::bad_date, 0}, {"0-Jan-2000", errc::bad_date, 0},
      {"1-Jxn-2000", errc::bad_date, 2},  {"1-Jan-200x", errc::bad_date, 9},  {"123-Jan-2000", errc::bad_date, 2},
      {"1 Jan 2000", errc::bad_date, 1},  {"\"1-Jan-2000 ", errc::bad_date, 11}, {"x", errc::bad_date, 0},
  };
  for (const auto& b : dates) {
    INFO(std::string(b.in));
    const auto p = mwtest::parse_checked(dp, b.in);
    CHECK(p.r.st == status::error);
    CHECK(to_string(p.r.error) == to_string(b.error));
    CHECK(p.r.error_offset == b.offset);
  }
  const bad times[] = {
      {"17-Jul-1996 02:44:25 -0700", errc::bad_date_time, 0},    // not quoted
      {"\"17-Jul-1996 24:00:00 -0700\"", errc::bad_date_time, 13},
      {"\"17-Jul-1996 02:60:25 -0700\"", errc::bad_date_time, 16},
      {"\"17-Jul-1996 02:44:61 -0700\"", errc::bad_date_time, 19},
      {"\"17-Jul-1996 02:44:25 -0760\"", errc::bad_date_time, 25},
      {"\"17-Jul-1996 02:44:25 0700\"", errc::bad_date_time, 22},
      {"\"7-Jul-1996 02:44:25 -0700\"", errc::bad_date_time, 2},   // day must be " 7" or "07"
      {"\"31-Apr-1996 02:44:25 -0700\"", errc::bad_date_time, 1},
      {"\"17-Jux-1996 02:44:25 -0700\"", errc::bad_date_time, 4},
      {"\"17-Jul-1996  2:44:25 -0700\"", errc::bad_date_time, 13},
      {"\" 7-Jul-96 02:44:25 -0700\"", errc::bad_date_time, 10},
  };
  for (const auto& b : times) {
    INFO(std::string(b.in));
    const auto p = mwtest::parse_checked(dt, b.in);
    CHECK(p.r.st == status::error);
    CHECK(to_string(p.r.error) == to_string(b.error));
    CHECK(p.r.error_offset == b.offset);
  }
}

TEST_CASE("imap datetime: random values round trip", "[imap][datetime]") {
  std::mt19937 rng(31337);
  for (int iter = 0; iter < 3000; ++iter) {
    const unsigned y = rng() % 10000, m = 1 + rng() % 12, d = 1 + rng() % 31;
    const int zone = static_cast<int>(rng() % 11999) - 5999;
    auto t = date_time::make(y, m, d, rng() % 24, rng() % 60, rng() % 61, zone);
    auto dd = date::make(y, m, d);
    REQUIRE(t.has_value() == dd.has_value());
    if (!t) continue;
    t->set_zero_padded_day(rng() % 2);
    std::string w;
    REQUIRE(write_date_time(w, *t) == errc::ok);
    const auto p = mwtest::parse_checked(dt, w);
    INFO(w);
    REQUIRE(p.r.ok());
    CHECK(p.r.value == *t);
    std::string again;
    REQUIRE(write_date_time(again, p.r.value) == errc::ok);
    CHECK(again == w);
    dd->set_form(rng() % 2, rng() % 2);
    std::string dw;
    REQUIRE(write_date(dw, *dd) == errc::ok);
    const auto q = mwtest::parse_checked(dp, dw + " ");
    REQUIRE(q.r.ok());
    CHECK(q.r.value == *dd);
    std::string dagain;
    REQUIRE(write_date(dagain, q.r.value) == errc::ok);
    CHECK(dagain == dw);
  }
}
