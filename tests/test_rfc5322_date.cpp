// Tests of mailwire/rfc5322/date.hpp: RFC 5322 section 3.3 dates, the obsolete forms of
// section 4.3, the rules of spec/inspect-mime-json.md, range checks and formatting round trips.
#include <catch2/catch.hpp>

#include "timing.hpp"

#include <mailwire/rfc5322/date.hpp>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

namespace r = mailwire::rfc5322;
using r::errc;

namespace {

// The ISO 8601 text of a date, or "error:<code>@offset".
std::string iso(std::string_view v) {
  const auto d = r::parse_date(v);
  if (!d.ok())
    return "error:" + std::string(r::to_string(d.error)) + "@" + std::to_string(d.offset);
  return r::format_iso8601(d.value);
}

errc error_of(std::string_view v) { return r::parse_date(v).error; }

}  // namespace

TEST_CASE("date: RFC 5322 appendix A") {
  // A.1.1, A.1.2, A.1.3, A.2, A.3
  CHECK(iso("Fri, 21 Nov 1997 09:55:06 -0600") == "1997-11-21T09:55:06-06:00");
  CHECK(iso("Tue, 1 Jul 2003 10:52:37 +0200") == "2003-07-01T10:52:37+02:00");
  CHECK(iso("Thu, 13 Feb 1969 23:32:54 -0330") == "1969-02-13T23:32:54-03:30");
  CHECK(iso("Mon, 24 Nov 1997 14:22:01 -0800") == "1997-11-24T14:22:01-08:00");
  // A.5: white space, folding and a comment; no seconds.
  const auto a5 = r::parse_date(
      "Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n"
      "               -0330 (Newfoundland Time)");
  REQUIRE(a5.ok());
  CHECK(a5.value == r::date_time{1969, 2, 13, 23, 32, 0, -210, false, 4});
  CHECK(a5.warning.code == errc::ok);
  // A.6.2: obsolete two-digit year and zone name.
  CHECK(iso("21 Nov 97 09:55:06 GMT") == "1997-11-21T09:55:06+00:00");
  // A.6.3: obsolete white space and comments inside the time.
  CHECK(iso("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600") == "1997-11-21T09:55:06-06:00");
}

TEST_CASE("date: parsed fields") {
  const auto d = r::parse_date("Tue, 1 Jul 2003 10:52:37 +0200");
  REQUIRE(d.ok());
  CHECK(d.value.year == 2003);
  CHECK(d.value.month == 7);
  CHECK(d.value.day == 1);
  CHECK(d.value.hour == 10);
  CHECK(d.value.minute == 52);
  CHECK(d.value.second == 37);
  CHECK(d.value.zone_minutes == 120);
  CHECK_FALSE(d.value.zone_unknown);
  CHECK(d.value.weekday == 2);
  CHECK(d.warning.code == errc::ok);
  const auto n = r::parse_date("1 Jul 2003 10:52 +0200");
  REQUIRE(n.ok());
  CHECK_FALSE(n.value.weekday.has_value());
  CHECK(n.value.second == 0);
}

TEST_CASE("date: obsolete zones (section 4.3)") {
  struct z {
    const char* name;
    int minutes;
  };
  for (const z& k : {z{"UT", 0}, z{"GMT", 0}, z{"EST", -300}, z{"EDT", -240}, z{"CST", -360},
                     z{"CDT", -300}, z{"MST", -420}, z{"MDT", -360}, z{"PST", -480},
                     z{"PDT", -420}, z{"gmt", 0}, z{"pDt", -420}, z{"ut", 0}}) {
    INFO(k.name);
    const auto d = r::parse_date(std::string("1 Jan 2000 00:00:00 ") + k.name);
    REQUIRE(d.ok());
    CHECK(d.value.zone_minutes == k.minutes);
    CHECK_FALSE(d.value.zone_unknown);
  }
  CHECK(iso("1 Jan 2000 00:00:00 EST") == "2000-01-01T00:00:00-05:00");
  CHECK(iso("1 Jan 2000 00:00:00 PDT") == "2000-01-01T00:00:00-07:00");
  // Military zones, every letter but J: unknown, printed +00:00.
  for (char c = 'A'; c <= 'Z'; ++c) {
    for (char l : {c, static_cast<char>(c + 32)}) {
      INFO(l);
      const auto d = r::parse_date(std::string("1 Jan 2000 00:00:00 ") + l);
      REQUIRE(d.ok());
      CHECK(d.value.zone_unknown);
      CHECK(d.value.zone_minutes == 0);
    }
  }
  // Unknown multi-letter names.
  for (const char* name : {"CEST", "MEZ", "XYZ", "Europe", "UTC"}) {
    INFO(name);
    const auto d = r::parse_date(std::string("1 Jan 2000 00:00:00 ") + name);
    REQUIRE(d.ok());
    CHECK(d.value.zone_unknown);
    CHECK(r::format_iso8601(d.value) == "2000-01-01T00:00:00+00:00");
  }
}

TEST_CASE("date: numeric zones") {
  const auto m = r::parse_date("1 Jan 2000 00:00:00 -0000");
  REQUIRE(m.ok());
  CHECK(m.value.zone_unknown);
  CHECK(m.value.zone_minutes == 0);
  CHECK(r::format_iso8601(m.value) == "2000-01-01T00:00:00+00:00");
  const auto p = r::parse_date("1 Jan 2000 00:00:00 +0000");
  REQUIRE(p.ok());
  CHECK_FALSE(p.value.zone_unknown);
  CHECK(iso("1 Jan 2000 00:00:00 +2359") == "2000-01-01T00:00:00+23:59");
  CHECK(iso("1 Jan 2000 00:00:00 -2359") == "2000-01-01T00:00:00-23:59");
  CHECK(iso("1 Jan 2000 00:00:00 +0545") == "2000-01-01T00:00:00+05:45");
  CHECK(error_of("1 Jan 2000 00:00:00 +2400") == errc::bad_zone);
  CHECK(error_of("1 Jan 2000 00:00:00 +0060") == errc::bad_zone);
  CHECK(error_of("1 Jan 2000 00:00:00 +020") == errc::bad_zone);
  CHECK(error_of("1 Jan 2000 00:00:00 +02000") == errc::bad_zone);
  CHECK(error_of("1 Jan 2000 00:00:00 0200") == errc::bad_zone);
  CHECK(error_of("1 Jan 2000 00:00:00 + 0200") == errc::bad_zone);
  CHECK(error_of("1 Jan 2000 00:00:00+0200") == errc::bad_zone);  // FWS is required
  CHECK(error_of("1 Jan 2000 00:00:00") == errc::bad_zone);       // the zone is required
  CHECK(error_of("1 Jan 2000 00:00:00 ") == errc::bad_zone);
  CHECK(error_of("1 Jan 2000 00:00:00 G1") == errc::trailing_garbage);
  // Folding before the zone counts as FWS.
  CHECK(iso("1 Jan 2000 00:00:00\r\n +0100") == "2000-01-01T00:00:00+01:00");
}

TEST_CASE("date: years (section 3.3, obs-year of section 4.3)") {
  CHECK(iso("1 Jan 00 00:00 +0000") == "2000-01-01T00:00:00+00:00");
  CHECK(iso("1 Jan 49 00:00 +0000") == "2049-01-01T00:00:00+00:00");
  CHECK(iso("1 Jan 50 00:00 +0000") == "1950-01-01T00:00:00+00:00");
  CHECK(iso("1 Jan 99 00:00 +0000") == "1999-01-01T00:00:00+00:00");
  CHECK(iso("1 Jan 100 00:00 +0000") == "2000-01-01T00:00:00+00:00");
  CHECK(iso("1 Jan 103 00:00 +0000") == "2003-01-01T00:00:00+00:00");
  CHECK(iso("1 Jan 000 00:00 +0000") == "1900-01-01T00:00:00+00:00");
  CHECK(iso("1 Jan 999 00:00 +0000") == "2899-01-01T00:00:00+00:00");
  CHECK(iso("1 Jan 1900 00:00 +0000") == "1900-01-01T00:00:00+00:00");
  CHECK(iso("1 Jan 9999 00:00 +0000") == "9999-01-01T00:00:00+00:00");
  CHECK(error_of("1 Jan 1899 00:00 +0000") == errc::bad_year);
  CHECK(error_of("1 Jan 0099 00:00 +0000") == errc::bad_year);
  CHECK(error_of("1 Jan 10000 00:00 +0000") == errc::bad_year);
  CHECK(error_of("1 Jan 2 00:00 +0000") == errc::bad_year);
  CHECK(error_of("1 Jan 00:00 +0000") == errc::bad_time);  // "00" is the year, then ":" ...
  CHECK(error_of("1 Jan") == errc::bad_year);
}

TEST_CASE("date: days, months and leap years") {
  CHECK(iso("29 Feb 2000 00:00 +0000") == "2000-02-29T00:00:00+00:00");  // div. by 400
  CHECK(iso("29 Feb 2004 00:00 +0000") == "2004-02-29T00:00:00+00:00");
  CHECK(iso("29 Feb 96 00:00 +0000") == "1996-02-29T00:00:00+00:00");
  CHECK(error_of("29 Feb 1900 00:00 +0000") == errc::bad_day);  // div. by 100
  CHECK(error_of("29 Feb 2003 00:00 +0000") == errc::bad_day);
  CHECK(error_of("30 Feb 2004 00:00 +0000") == errc::bad_day);
  CHECK(error_of("31 Apr 2004 00:00 +0000") == errc::bad_day);
  CHECK(error_of("31 Jun 2004 00:00 +0000") == errc::bad_day);
  CHECK(error_of("31 Sep 2004 00:00 +0000") == errc::bad_day);
  CHECK(error_of("31 Nov 2004 00:00 +0000") == errc::bad_day);
  CHECK(iso("31 Dec 2004 00:00 +0000") == "2004-12-31T00:00:00+00:00");
  CHECK(iso("31 Jan 2004 00:00 +0000") == "2004-01-31T00:00:00+00:00");
  CHECK(error_of("32 Jan 2004 00:00 +0000") == errc::bad_day);
  CHECK(error_of("0 Jan 2004 00:00 +0000") == errc::bad_day);
  CHECK(error_of("00 Jan 2004 00:00 +0000") == errc::bad_day);
  CHECK(iso("01 Jan 2004 00:00 +0000") == "2004-01-01T00:00:00+00:00");
  CHECK(error_of("001 Jan 2004 00:00 +0000") == errc::bad_day);
  const auto d = r::parse_date("30 Feb 2004 00:00 +0000");
  CHECK(d.offset == 0);
  // Months, any case; every month.
  const char* months[] = {"Jan", "FEB", "mar", "Apr", "May", "Jun",
                          "Jul", "Aug", "Sep", "Oct", "Nov", "dEc"};
  for (int m = 0; m < 12; ++m) {
    const auto x = r::parse_date(std::string("1 ") + months[m] + " 2004 00:00 +0000");
    REQUIRE(x.ok());
    CHECK(x.value.month == m + 1);
  }
  CHECK(error_of("1 January 2004 00:00 +0000") == errc::bad_month);
  CHECK(error_of("1 Jyl 2004 00:00 +0000") == errc::bad_month);
  CHECK(error_of("1 7 2004 00:00 +0000") == errc::bad_month);
}

TEST_CASE("date: time of day") {
  CHECK(iso("1 Jan 2004 23:59:60 +0000") == "2004-01-01T23:59:60+00:00");  // leap second
  CHECK(error_of("1 Jan 2004 24:00 +0000") == errc::bad_time);
  CHECK(error_of("1 Jan 2004 23:60 +0000") == errc::bad_time);
  CHECK(error_of("1 Jan 2004 23:59:61 +0000") == errc::bad_time);
  CHECK(error_of("1 Jan 2004 1:00 +0000") == errc::bad_time);
  CHECK(error_of("1 Jan 2004 10:0 +0000") == errc::bad_time);
  CHECK(error_of("1 Jan 2004 10:00:0 +0000") == errc::bad_time);
  CHECK(error_of("1 Jan 2004 10:00: +0000") == errc::bad_time);
  CHECK(error_of("1 Jan 2004 1000 +0000") == errc::bad_time);
  CHECK(error_of("1 Jan 2004 10.00 +0000") == errc::bad_time);
  CHECK(error_of("1 Jan 2004 10:00:00.5 +0000") == errc::bad_zone);
  CHECK(error_of("1 Jan 2004 10:00:00:00 +0000") == errc::bad_zone);
  CHECK(error_of("1 Jan 2004") == errc::bad_time);
  const auto d = r::parse_date("1 Jan 2004 24:00 +0000");
  CHECK(d.offset == 11);
}

TEST_CASE("date: day names") {
  const char* names[] = {"Sun", "mon", "TUE", "Wed", "Thu", "Fri", "Sat"};
  for (int w = 0; w < 7; ++w) {
    // 2 Jan 2000 was a Sunday.
    const auto d = r::parse_date(std::string(names[w]) + ", " + std::to_string(2 + w) +
                                 " Jan 2000 00:00 +0000");
    REQUIRE(d.ok());
    CHECK(d.value.weekday == w);
    CHECK(d.warning.code == errc::ok);
  }
  // A wrong day name is only a defect (spec: day names are ignored).
  const auto m = r::parse_date("  Mon, 1 Jul 2003 10:52:37 +0200");
  REQUIRE(m.ok());
  CHECK(m.value.weekday == 1);
  CHECK(m.warning == r::defect{errc::weekday_mismatch, 2});
  CHECK(r::format_iso8601(m.value) == "2003-07-01T10:52:37+02:00");
  CHECK(error_of("Tuesday, 1 Jul 2003 10:52:37 +0200") == errc::bad_day_name);
  CHECK(error_of("Foo, 1 Jul 2003 10:52:37 +0200") == errc::bad_day_name);
  CHECK(error_of("Tue 1 Jul 2003 10:52:37 +0200") == errc::bad_day_name);  // comma required
  CHECK(error_of("Tue,, 1 Jul 2003 10:52:37 +0200") == errc::bad_day);
  CHECK(error_of(", 1 Jul 2003 10:52:37 +0200") == errc::bad_day);
  CHECK(iso(" ( c ) Tue ( c ) , ( c ) 1 Jul 2003 10:52:37 +0200") ==
        "2003-07-01T10:52:37+02:00");
}

TEST_CASE("date: CFWS between every token (obs forms of section 4.3)") {
  CHECK(iso("(a)Tue(b),(c)1(d)Jul(e)2003(f)10(g):(h)52(i):(j)37 +0200(k)") ==
        "2003-07-01T10:52:37+02:00");
  CHECK(iso("1Jul2003 10:52 +0200") == "2003-07-01T10:52:00+02:00");
  CHECK(iso("\r\n 1 \r\n Jul \r\n 2003 \r\n 10:52 \r\n +0200 \r\n") ==
        "2003-07-01T10:52:00+02:00");
  CHECK(iso("1 Jul 2003 10:52 ((nested) comment) +0200") == "2003-07-01T10:52:00+02:00");
  CHECK(iso("1 Jul 2003 10:52 +0200 (CEST) (more)") == "2003-07-01T10:52:00+02:00");
  CHECK(iso("1 Jul 2003 10:52 (c)+0200") == "error:invalid time zone@20");
  // A trailing comment that never ends: the date stands, with a defect.
  const auto u = r::parse_date("1 Jul 2003 10:52 +0200 (CEST");
  REQUIRE(u.ok());
  CHECK(u.warning == r::defect{errc::unterminated_comment, 23});
  // A comment nested too deeply: a defect; the date stands.
  r::lexer_limits lim;
  lim.max_comment_depth = 2;
  const auto deep = r::parse_date("1 Jul 2003 10:52 +0200 (((x)))", lim);
  REQUIRE(deep.ok());
  CHECK(deep.warning.code == errc::comment_too_deep);
  // A comment that swallows the rest.
  CHECK(error_of("1 Jul 2003 (10:52 +0200") == errc::bad_time);
}

TEST_CASE("date: other forms are refused") {
  for (const char* v : {"", " ", "(comment)", "2003-07-01T10:52:37+02:00", "Jul 1 2003 10:52 +0200",
                        "Tue Jul  1 10:52:37 2003", "1 Jul 2003 10:52 +0200 extra",
                        "1 Jul 2003 10:52 +0200 CEST", "1/7/2003 10:52 +0200",
                        "1 Jul 2003 10:52 +0200,", "1 Jul 2003 10 52 +0200",
                        "1 Jul 2003 10:52 \xc3\xa4"}) {
    INFO(v);
    CHECK_FALSE(r::parse_date(v).ok());
  }
  const auto t = r::parse_date("1 Jul 2003 10:52 +0200 extra");
  CHECK(t.error == errc::trailing_garbage);
  CHECK(t.offset == 23);
  CHECK(t.value == r::date_time{});  // no partial value
}

TEST_CASE("date: formatting") {
  r::date_time d{2003, 7, 1, 10, 52, 37, 120, false, std::nullopt};
  CHECK(r::format_rfc5322(d) == "Tue, 1 Jul 2003 10:52:37 +0200");
  CHECK(r::format_iso8601(d) == "2003-07-01T10:52:37+02:00");
  d.zone_minutes = -210;
  CHECK(r::format_rfc5322(d) == "Tue, 1 Jul 2003 10:52:37 -0330");
  CHECK(r::format_iso8601(d) == "2003-07-01T10:52:37-03:30");
  d.zone_unknown = true;
  d.zone_minutes = 0;
  CHECK(r::format_rfc5322(d) == "Tue, 1 Jul 2003 10:52:37 -0000");
  CHECK(r::format_iso8601(d) == "2003-07-01T10:52:37+00:00");
  d.weekday = 5;  // ignored: the day name is computed
  CHECK(r::format_rfc5322(d).substr(0, 5) == "Tue, ");
  CHECK(r::format_rfc5322(r::date_time{1900, 1, 1, 0, 0, 0, 0, false, {}}) ==
        "Mon, 1 Jan 1900 00:00:00 +0000");
  CHECK(r::format_rfc5322(r::date_time{2000, 12, 31, 23, 59, 60, -45, false, {}}) ==
        "Sun, 31 Dec 2000 23:59:60 -0045");
  // Out-of-range values still format (no UB), they just do not re-parse.
  const std::string odd = r::format_rfc5322(r::date_time{-5, 13, 40, 99, -1, 0, 0, false, {}});
  CHECK_FALSE(r::parse_date(odd).ok());
  CHECK(r::format_iso8601(r::date_time{-5, 1, 1, 0, 0, 0, 0, false, {}}) ==
        "-0005-01-01T00:00:00+00:00");
}

TEST_CASE("date: day_of_week and calendar helpers") {
  CHECK(r::day_of_week(2003, 7, 1) == 2);
  CHECK(r::day_of_week(2000, 1, 1) == 6);
  CHECK(r::day_of_week(1900, 1, 1) == 1);
  CHECK(r::day_of_week(1969, 2, 13) == 4);
  CHECK(r::day_of_week(2024, 2, 29) == 4);
  CHECK(r::day_of_week(0, 1, 1) == 0);
  CHECK(r::days_in_month(2000, 2) == 29);
  CHECK(r::days_in_month(1900, 2) == 28);
  CHECK(r::days_in_month(2001, 13) == 0);
  CHECK(r::is_valid(r::date_time{2000, 2, 29, 23, 59, 60, 0, false, 2}));
  CHECK_FALSE(r::is_valid(r::date_time{2001, 2, 29, 0, 0, 0, 0, false, {}}));
  CHECK_FALSE(r::is_valid(r::date_time{2001, 1, 1, 0, 0, 0, 24 * 60, false, {}}));
}

TEST_CASE("date: round trip format_rfc5322 -> parse_date over random valid dates") {
  std::mt19937 rng(20240501);
  for (int i = 0; i < 20000; ++i) {
    r::date_time d;
    d.year = 1900 + static_cast<int>(rng() % 8100);
    d.month = 1 + static_cast<int>(rng() % 12);
    d.day = 1 + static_cast<int>(rng() % static_cast<unsigned>(r::days_in_month(d.year, d.month)));
    d.hour = static_cast<int>(rng() % 24);
    d.minute = static_cast<int>(rng() % 60);
    d.second = static_cast<int>(rng() % 61);
    d.zone_unknown = rng() % 8 == 0;
    d.zone_minutes = d.zone_unknown ? 0 : static_cast<int>(rng() % (2 * 1440 - 1)) - 1439;
    d.weekday = r::day_of_week(d.year, d.month, d.day);
    const std::string text = r::format_rfc5322(d);
    const auto p = r::parse_date(text);
    INFO(text);
    REQUIRE(p.ok());
    CHECK(p.value == d);
    CHECK(p.warning.code == errc::ok);
    // And ISO 8601 has the fixed width of the spec.
    CHECK(r::format_iso8601(d).size() == 25);
  }
}

TEST_CASE("date: a 5 MB value is linear") {
  std::string v = "1 Jul 2003 10:52 +0200 (" + std::string(5 << 20, 'x') + ")";
  const auto t0 = std::chrono::steady_clock::now();
  const auto d = r::parse_date(v);
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 0.5 * mwtest::time_factor);
  CHECK(d.ok());
  std::string w(5 << 20, ' ');
  CHECK(r::parse_date(w).error == errc::bad_day);
}
