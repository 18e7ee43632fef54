// mailwire/imap/datetime.hpp — IMAP dates (SEARCH BEFORE/ON/SINCE...) and date-times
// (INTERNALDATE, APPEND): RFC 9051 section 9 `date`, `date-time` (RFC 3501 the same).
//
//   using namespace mailwire::imap;
//   auto d = parse_date_time("\"17-Jul-1996 02:44:25 -0700\"");
//   // d.value.day() == 17, d.value.zone_minutes() == -420, d.value.unix_time() == 837596665
//   std::string out;
//   (void)write_date_time(out, d.value);   // the same 28 octets
//
//   date       = date-text / DQUOTE date-text DQUOTE
//   date-text  = date-day "-" date-month "-" date-year      ; date-day = 1*2DIGIT
//   date-time  = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
//   date-day-fixed = (SP DIGIT) / 2DIGIT ; time = 2DIGIT ":" 2DIGIT ":" 2DIGIT
//   zone       = ("+" / "-") 4DIGIT
// Months are case-insensitive ABNF strings; days are checked against the month (Gregorian
// leap years), hours < 24, minutes < 60, seconds <= 60 (leap second), zone minutes < 60.
// Values keep what the writer needs to give back canonical input byte for byte (quotes, day
// digits, day padding, zone sign of "-0000", the letter case of the month as written: "5-MAR-2000"
// of RFC 5256 section 3 comes back as it came); a host-built date writes "Jan", "Feb"...
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/imap/values.hpp"

namespace mailwire::imap {

namespace detail {

inline constexpr std::string_view month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

[[nodiscard]] constexpr unsigned days_in_month(unsigned year, unsigned month) noexcept {
  constexpr unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
[[nodiscard]] constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  // Count from 0000-03-01 so that the leap day ends each 4/100/400-year cycle.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                  // [0, 399]
  const unsigned mp = m > 2 ? m - 3 : m + 9;                              // March = 0
  const unsigned doy = (153 * mp + 2) / 5 + d - 1;                        // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;             // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// Reads a month name at in[0..]: 1..12, 0 for need_more, -1 for an error.
[[nodiscard]] constexpr int read_month(std::string_view in) noexcept {
  const std::size_t n = in.size() < 3 ? in.size() : 3;
  for (int m = 0; m < 12; ++m)
    if (ascii::iequals(in.substr(0, n), month_names[m].substr(0, n))) return n == 3 ? m + 1 : 0;
  return -1;
}

[[nodiscard]] constexpr bool digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// A month name's three letters folded to lower case in one word ('J' and 'j' both give 'j';
/// no other octet does), for the fixed-width fast path of parse_date_time.
[[nodiscard]] constexpr std::uint32_t month_key(char a, char b, char c) noexcept {
  const auto f = [](char x) { return static_cast<std::uint32_t>(static_cast<unsigned char>(x) | 0x20u); };
  return f(a) << 16 | f(b) << 8 | f(c);
}
inline constexpr std::uint32_t month_keys[12] = {
    month_key('J', 'a', 'n'), month_key('F', 'e', 'b'), month_key('M', 'a', 'r'), month_key('A', 'p', 'r'),
    month_key('M', 'a', 'y'), month_key('J', 'u', 'n'), month_key('J', 'u', 'l'), month_key('A', 'u', 'g'),
    month_key('S', 'e', 'p'), month_key('O', 'c', 't'), month_key('N', 'o', 'v'), month_key('D', 'e', 'c')};

/// The letters of a month name (3 octets, already matched) whose case differs from "Jan"'s: bit k
/// for letter k (RFC 9051 section 9: date-month is a case-insensitive string).
[[nodiscard]] constexpr std::uint8_t month_case(std::string_view m, int month) noexcept {
  std::uint8_t bits = 0;
  for (std::size_t k = 0; k < 3; ++k)
    if (m[k] != month_names[month - 1][k]) bits = static_cast<std::uint8_t>(bits | (1u << k));
  return bits;
}

/// Appends month 1..12 with the letters of `bits` in the other case.
inline void append_month(std::string& out, unsigned month, std::uint8_t bits) {
  for (std::size_t k = 0; k < 3; ++k) {
    const char c = month_names[month - 1][k];
    out.push_back((bits >> k & 1u) != 0 ? static_cast<char>(c ^ 0x20) : c);
  }
}

}  // namespace detail

/// An IMAP date (RFC 9051 section 9 `date`).
class date {
 public:
  constexpr date() noexcept = default;
  /// A date from host values, if valid (year 0-9999, month 1-12, day within the month); written
  /// unquoted with the day's shortest form.
  [[nodiscard]] static constexpr std::optional<date> make(unsigned year, unsigned month, unsigned day) noexcept {
    if (year > 9999 || month < 1 || month > 12 || day < 1 || day > detail::days_in_month(year, month))
      return std::nullopt;
    date d;
    d.year_ = static_cast<std::uint16_t>(year);
    d.month_ = static_cast<std::uint8_t>(month);
    d.day_ = static_cast<std::uint8_t>(day);
    return d;
  }
  [[nodiscard]] constexpr unsigned year() const noexcept { return year_; }
  [[nodiscard]] constexpr unsigned month() const noexcept { return month_; }
  [[nodiscard]] constexpr unsigned day() const noexcept { return day_; }
  /// Written in DQUOTEs.
  [[nodiscard]] constexpr bool quoted() const noexcept { return quoted_; }
  /// A day below 10 written with two digits ("01").
  [[nodiscard]] constexpr bool two_digit_day() const noexcept { return two_digit_day_; }
  /// Letters of the month written in the other case than "Jan" (bit k for letter k; 0: "Jan").
  [[nodiscard]] constexpr std::uint8_t month_case() const noexcept { return month_case_; }
  /// Sets the case of the month's letters as month_case() reports it (bits above 2 ignored).
  constexpr void set_month_case(std::uint8_t bits) noexcept { month_case_ = static_cast<std::uint8_t>(bits & 7u); }
  /// Sets the written form (quotes, "01" vs "1"); the date stays the same.
  constexpr void set_form(bool quoted, bool two_digit_day) noexcept {
    quoted_ = quoted;
    two_digit_day_ = two_digit_day || day_ >= 10;
  }
  /// Days since 1970-01-01.
  [[nodiscard]] constexpr std::int64_t days_since_epoch() const noexcept {
    return detail::days_from_civil(year_, month_, day_);
  }
  /// Same calendar day (form ignored).
  friend constexpr bool operator==(const date& a, const date& b) noexcept {
    return a.year_ == b.year_ && a.month_ == b.month_ && a.day_ == b.day_;
  }

 private:
  std::uint16_t year_ = 1970;
  std::uint8_t month_ = 1, day_ = 1, month_case_ = 0;
  bool quoted_ = false, two_digit_day_ = false;
};

/// An IMAP date-time (RFC 9051 section 9 `date-time`).
class date_time {
 public:
  constexpr date_time() noexcept = default;
  /// A date-time from host values, if valid; zone_minutes in -5999..5999 (zone "+hhmm").
  [[nodiscard]] static constexpr std::optional<date_time> make(unsigned year, unsigned month, unsigned day,
                                                               unsigned hour, unsigned minute, unsigned second,
                                                               int zone_minutes) noexcept {
    const auto d = date::make(year, month, day);
    if (!d || hour > 23 || minute > 59 || second > 60 || zone_minutes < -5999 || zone_minutes > 5999)
      return std::nullopt;
    date_time t;
    t.date_ = *d;
    t.hour_ = static_cast<std::uint8_t>(hour);
    t.minute_ = static_cast<std::uint8_t>(minute);
    t.second_ = static_cast<std::uint8_t>(second);
    t.zone_ = static_cast<std::int16_t>(zone_minutes);
    t.zone_negative_ = zone_minutes < 0;
    return t;
  }
  [[nodiscard]] constexpr const imap::date& date() const noexcept { return date_; }
  [[nodiscard]] constexpr unsigned year() const noexcept { return date_.year(); }
  [[nodiscard]] constexpr unsigned month() const noexcept { return date_.month(); }
  [[nodiscard]] constexpr unsigned day() const noexcept { return date_.day(); }
  [[nodiscard]] constexpr unsigned hour() const noexcept { return hour_; }
  [[nodiscard]] constexpr unsigned minute() const noexcept { return minute_; }
  [[nodiscard]] constexpr unsigned second() const noexcept { return second_; }
  /// Offset from UTC in minutes ("-0700" is -420).
  [[nodiscard]] constexpr int zone_minutes() const noexcept { return zone_; }
  /// The zone was written with "-" (distinguishes "-0000" from "+0000").
  [[nodiscard]] constexpr bool zone_negative() const noexcept { return zone_negative_; }
  /// A day below 10 written "07" rather than " 7".
  [[nodiscard]] constexpr bool zero_padded_day() const noexcept { return zero_padded_; }
  /// Letters of the month written in the other case than "Jan" (see date::month_case()).
  [[nodiscard]] constexpr std::uint8_t month_case() const noexcept { return date_.month_case(); }
  /// Sets the case of the month's letters (see date::set_month_case()).
  constexpr void set_month_case(std::uint8_t bits) noexcept { date_.set_month_case(bits); }
  /// Sets how a day below 10 is written ("07" or " 7").
  constexpr void set_zero_padded_day(bool z) noexcept { zero_padded_ = z; }
  /// Sets the sign written for a zero zone ("-0000" when true; other zones keep their sign).
  constexpr void set_negative_zero_zone(bool neg) noexcept { zone_negative_ = zone_ < 0 || (zone_ == 0 && neg); }
  /// Seconds since 1970-01-01T00:00:00Z (a leap second counts as the next second's start).
  [[nodiscard]] constexpr std::int64_t unix_time() const noexcept {
    return date_.days_since_epoch() * 86400 + hour_ * 3600 + minute_ * 60 + second_ -
           static_cast<std::int64_t>(zone_) * 60;
  }
  /// Same fields (zone sign of "-0000" and day padding ignored).
  friend constexpr bool operator==(const date_time& a, const date_time& b) noexcept {
    return a.date_ == b.date_ && a.hour_ == b.hour_ && a.minute_ == b.minute_ && a.second_ == b.second_ &&
           a.zone_ == b.zone_;
  }

 private:
  imap::date date_;
  std::uint8_t hour_ = 0, minute_ = 0, second_ = 0;
  std::int16_t zone_ = 0;
  bool zone_negative_ = false, zero_padded_ = false;
};

/// Parses a date: date-text, quoted or not. Unquoted it ends after the 4-digit year.
[[nodiscard]] constexpr parse_result<date> parse_date(std::string_view in, const limits& = {},
                                                      const options& = {}) noexcept {
  using detail::digit;
  std::size_t i = 0;
  if (in.empty()) return detail::more<date>();
  const bool quoted = in[0] == '"';
  if (quoted) ++i;
  // date-day = 1*2DIGIT
  if (i == in.size()) return detail::more<date>();
  if (!digit(in[i])) return detail::fail<date>(errc::bad_date, i);
  const std::size_t day_at = i;
  unsigned day = static_cast<unsigned>(in[i++] - '0');
  if (i == in.size()) return detail::more<date>();
  bool two = false;
  if (digit(in[i])) {
    day = day * 10 + static_cast<unsigned>(in[i++] - '0');
    two = true;
    if (i == in.size()) return detail::more<date>();
  }
  if (in[i] != '-') return detail::fail<date>(errc::bad_date, i);
  ++i;
  const std::size_t month_at = i;
  const int month = detail::read_month(in.substr(i));
  if (month == 0) return detail::more<date>();
  if (month < 0) return detail::fail<date>(errc::bad_date, i);
  i += 3;
  if (i == in.size()) return detail::more<date>();
  if (in[i] != '-') return detail::fail<date>(errc::bad_date, i);
  ++i;
  unsigned year = 0;
  for (int k = 0; k < 4; ++k, ++i) {
    if (i == in.size()) return detail::more<date>();
    if (!digit(in[i])) return detail::fail<date>(errc::bad_date, i);
    year = year * 10 + static_cast<unsigned>(in[i] - '0');
  }
  if (quoted) {
    if (i == in.size()) return detail::more<date>();
    if (in[i] != '"') return detail::fail<date>(errc::bad_date, i);
    ++i;
  }
  auto d = date::make(year, static_cast<unsigned>(month), day);
  if (!d) return detail::fail<date>(errc::bad_date, day_at);
  d->set_form(quoted, two);
  d->set_month_case(detail::month_case(in.substr(month_at, 3), month));
  return detail::done(*d, i);
}

/// Parses a date-time (always quoted; the day is " d" or "dd").
[[nodiscard]] constexpr parse_result<date_time> parse_date_time(std::string_view in, const limits& = {},
                                                                const options& = {}) noexcept {
  using detail::digit;
  constexpr std::string_view shape = "\"DD-MMM-YYYY DD:DD:DD ZDDDD\"";
  // Fast path: all 28 octets there and well formed (what servers send): a few compares, one
  // month-table look-up. Anything else (short, bad, out of range) takes the checked path below,
  // which finds need_more or the first bad octet.
  if (in.size() >= shape.size()) {
    const auto dv = [&](std::size_t at) {
      return static_cast<unsigned>(static_cast<unsigned char>(in[at])) - unsigned{'0'};  // > 9: not a digit
    };
    const unsigned any = dv(2) | dv(8) | dv(9) | dv(10) | dv(11) | dv(13) | dv(14) | dv(16) | dv(17) | dv(19) |
                         dv(20) | dv(23) | dv(24) | dv(25) | dv(26);
    if (any <= 9 && in[0] == '"' && in[3] == '-' && in[7] == '-' && in[12] == ' ' && in[15] == ':' &&
        in[18] == ':' && in[21] == ' ' && (in[22] == '+' || in[22] == '-') && in[27] == '"' &&
        (in[1] == ' ' || dv(1) <= 9)) {
      const std::uint32_t key = detail::month_key(in[4], in[5], in[6]);
      unsigned month = 0;
      for (unsigned m = 0; m < 12; ++m)
        if (detail::month_keys[m] == key) month = m + 1;
      const unsigned day = (in[1] == ' ' ? 0 : dv(1) * 10) + dv(2);
      const unsigned zh = dv(23) * 10 + dv(24), zm = dv(25) * 10 + dv(26);
      const unsigned hh = dv(13) * 10 + dv(14), mi = dv(16) * 10 + dv(17), ss = dv(19) * 10 + dv(20);
      if (month != 0 && zm <= 59 && hh <= 23 && mi <= 59 && ss <= 60) {
        const unsigned year = dv(8) * 1000 + dv(9) * 100 + dv(10) * 10 + dv(11);
        const int zone = static_cast<int>(zh * 60 + zm) * (in[22] == '-' ? -1 : 1);
        if (auto t = date_time::make(year, month, day, hh, mi, ss, zone)) {
          t->set_negative_zero_zone(in[22] == '-');
          t->set_zero_padded_day(in[1] == '0');
          t->set_month_case(detail::month_case(in.substr(4, 3), static_cast<int>(month)));
          return detail::done(*t, shape.size());
        }
      }
    }
  }
  // Template: "dd-Mon-yyyy hh:mm:ss +zzzz" between DQUOTEs; check position by position so that
  // a short input is need_more and the first bad octet is reported.
  const std::size_t n = in.size() < shape.size() ? in.size() : shape.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char s = shape[i], c = in[i];
    bool ok;
    switch (s) {
      case 'D': ok = digit(c) || (i == 1 && c == ' '); break;
      case 'Y': ok = digit(c); break;
      case 'Z': ok = c == '+' || c == '-'; break;
      case 'M': ok = true; break;
      default: ok = c == s; break;
    }
    if (!ok) return detail::fail<date_time>(errc::bad_date_time, i);
    if (i == 4) {
      const int m = detail::read_month(in.substr(4, n - 4));
      if (m < 0) return detail::fail<date_time>(errc::bad_date_time, 4);
    }
  }
  if (in.size() < shape.size()) return detail::more<date_time>();
  const auto num = [&](std::size_t at) {
    return static_cast<unsigned>((in[at] - '0') * 10 + (in[at + 1] - '0'));
  };
  const unsigned day = in[1] == ' ' ? static_cast<unsigned>(in[2] - '0') : num(1);
  const auto month = static_cast<unsigned>(detail::read_month(in.substr(4, 3)));
  const unsigned year = num(8) * 100 + num(10);
  const unsigned zh = num(23), zm = num(25);
  if (zm > 59) return detail::fail<date_time>(errc::bad_date_time, 25);
  const int zone = static_cast<int>(zh * 60 + zm) * (in[22] == '-' ? -1 : 1);
  if (num(13) > 23) return detail::fail<date_time>(errc::bad_date_time, 13);
  if (num(16) > 59) return detail::fail<date_time>(errc::bad_date_time, 16);
  if (num(19) > 60) return detail::fail<date_time>(errc::bad_date_time, 19);
  auto t = date_time::make(year, month, day, num(13), num(16), num(19), zone);
  if (!t) return detail::fail<date_time>(errc::bad_date_time, 1);
  t->set_negative_zero_zone(in[22] == '-');
  t->set_zero_padded_day(in[1] == '0');
  t->set_month_case(detail::month_case(in.substr(4, 3), static_cast<int>(month)));
  return detail::done(*t, shape.size());
}

/// Appends a date in its form (quotes, day digits, month letter case; "Jan".."Dec" when built).
[[nodiscard]] inline errc write_date(std::string& out, const date& d) {
  if (d.quoted()) out.push_back('"');
  if (d.two_digit_day() || d.day() >= 10) out.push_back(static_cast<char>('0' + d.day() / 10));
  out.push_back(static_cast<char>('0' + d.day() % 10));
  out.push_back('-');
  detail::append_month(out, d.month(), d.month_case());
  out.push_back('-');
  const unsigned y = d.year();
  for (unsigned div : {1000u, 100u, 10u, 1u}) out.push_back(static_cast<char>('0' + y / div % 10));
  if (d.quoted()) out.push_back('"');
  return errc::ok;
}

/// Appends a date-time: DQUOTE, day " 7" (or "07" when so written), month, year, time, zone.
[[nodiscard]] inline errc write_date_time(std::string& out, const date_time& t) {
  // Always 28 octets: built in place, appended once.
  char b[28] = {'"', 0, 0, '-', 0, 0, 0, '-', 0, 0, 0, 0, ' ', 0, 0, ':', 0, 0, ':', 0, 0, ' ', 0, 0, 0, 0, 0, '"'};
  const auto two = [&](std::size_t at, unsigned v) {
    b[at] = static_cast<char>('0' + v / 10 % 10);
    b[at + 1] = static_cast<char>('0' + v % 10);
  };
  two(1, t.day());
  if (t.day() < 10 && !t.zero_padded_day()) b[1] = ' ';
  const std::uint8_t mc = t.month_case();
  for (std::size_t k = 0; k < 3; ++k) {
    const char c = detail::month_names[t.month() - 1][k];
    b[4 + k] = (mc >> k & 1u) != 0 ? static_cast<char>(c ^ 0x20) : c;
  }
  two(8, t.year() / 100);
  two(10, t.year() % 100);
  two(13, t.hour());
  two(16, t.minute());
  two(19, t.second());
  const bool neg = t.zone_minutes() < 0 || (t.zone_minutes() == 0 && t.zone_negative());
  b[22] = neg ? '-' : '+';
  const unsigned z = static_cast<unsigned>(t.zone_minutes() < 0 ? -t.zone_minutes() : t.zone_minutes());
  two(23, z / 60);
  two(25, z % 60);
  out.append(b, sizeof b);
  return errc::ok;
}

}  // namespace mailwire::imap
