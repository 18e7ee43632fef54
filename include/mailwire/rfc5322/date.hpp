// mailwire/rfc5322/date.hpp — the date-time of RFC 5322 section 3.3 with the obsolete forms of
// section 4.3, parsed to a plain struct and written back (RFC 5322 or ISO 8601 text).
//
//   using namespace mailwire::rfc5322;
//   auto r = parse_date("Tue, 1 Jul 2003 10:52:37 +0200");
//   if (r.ok()) {
//     format_iso8601(r.value);   // "2003-07-01T10:52:37+02:00"
//     format_rfc5322(r.value);   // "Tue, 1 Jul 2003 10:52:37 +0200"
//   } else {
//     log(to_string(r.error), r.offset);   // e.g. errc::bad_day at the day's offset
//   }
//
// Accepted, exactly (and nothing else; spec/inspect-mime-json.md: "Any other form: null"):
//
//   date-time   = [ day-of-week "," ] date time [CFWS]
//   day-of-week = [CFWS] day-name [CFWS]                       ; Mon..Sun, any case
//   date        = day month year
//   day         = [CFWS] 1*2DIGIT [CFWS]                       ; 1..days in the month
//   month       = [CFWS] month-name [CFWS]                     ; Jan..Dec, any case
//   year        = [CFWS] 2*4DIGIT [CFWS]                       ; see below
//   time        = hour ":" minute [ ":" second ] zone
//   hour        = [CFWS] 2DIGIT [CFWS]  (minute, second alike) ; 00-23, 00-59, 00-60
//   zone        = FWS ("+" / "-") 4DIGIT [CFWS]                ; hh 00-23, mm 00-59
//               / [CFWS] 1*ALPHA [CFWS]                        ; a zone name, see below
//
// This is the grammar of section 3.3 with every obsolete form of section 4.3, where CFWS may
// stand between any two tokens (obs-day-of-week, obs-day, obs-year, obs-hour, obs-minute,
// obs-second, obs-zone). Each obsolete form accepted, and the rules of the JSON spec:
// - CFWS (comments included) around every token, and none needed between tokens that are
//   self-delimiting ("1Jul2003" reads as obs-day obs-year would allow).
// - Seconds are optional (section 3.3) and default to 0; second 60 is a leap second.
// - obs-year (section 4.3): two digits 00-49 are 2000-2049 and 50-99 are 1950-1999; three
//   digits add 1900. Four-digit years must be 1900 or later (section 3.3) and, so that they
//   print as "YYYY", at most 9999; years of five or more digits are refused.
// - obs-zone names (section 4.3): UT and GMT are +0000, EST/EDT -0500/-0400, CST/CDT
//   -0600/-0500, MST/MDT -0700/-0600, PST/PDT -0800/-0700, in any case. Military zones
//   (one letter) and any other alphabetic name mean "unknown" (section 4.3: "SHOULD be
//   considered equivalent to -0000"): zone_unknown, offset 0. "-0000" is also zone_unknown
//   (section 3.3: no information about the local zone).
// - A numeric zone needs whitespace before it ("10:52:37+0200" is refused) and hh <= 23,
//   mm <= 59 (a larger offset is no time zone).
// - The day name is optional; a wrong one (not matching the date) is accepted with the defect
//   errc::weekday_mismatch. A name that is no day name is an error.
// Parsing never allocates and never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/rfc5322/errc.hpp"
#include "mailwire/rfc5322/lexer.hpp"

namespace mailwire::rfc5322 {

/// A date-time of RFC 5322 section 3.3, as written (local time and its zone; no conversion).
struct date_time {
  int year = 1970;              ///< 1900-9999 (obs-year mapped per section 4.3)
  int month = 1;                ///< 1-12
  int day = 1;                  ///< 1-31, valid for the month
  int hour = 0;                 ///< 0-23
  int minute = 0;               ///< 0-59
  int second = 0;               ///< 0-60 (60: leap second)
  int zone_minutes = 0;         ///< offset east of UTC in minutes (+0200 is 120, EST is -300)
  bool zone_unknown = false;    ///< "-0000", military and unknown zone names (section 4.3)
  std::optional<int> weekday;   ///< day name as written, 0 = Sun .. 6 = Sat; nullopt if absent
  friend bool operator==(const date_time&, const date_time&) = default;
};

/// Outcome of parse_date().
struct date_result {
  date_time value{};        ///< the date-time when ok()
  errc error = errc::ok;    ///< why the value is no date-time (bad_day, bad_zone, ...)
  std::size_t offset = 0;   ///< offset of the token the error is about
  defect warning{};         ///< first non-fatal irregularity (weekday_mismatch, comments)
  [[nodiscard]] constexpr bool ok() const noexcept { return error == errc::ok; }
};

/// True for the leap years of the Gregorian calendar.
[[nodiscard]] constexpr bool is_leap_year(int y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/// Days in month `m` (1-12) of year `y`; 0 for a month out of range.
[[nodiscard]] constexpr int days_in_month(int y, int m) noexcept {
  constexpr int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return (m == 2 && is_leap_year(y)) ? 29 : days[m - 1];
}

/// Day of the week of a Gregorian date (year 1-9999, month 1-12, day 1-31), 0 = Sunday ..
/// 6 = Saturday; 0 for a date outside those ranges.
[[nodiscard]] constexpr int day_of_week(int y, int m, int d) noexcept {
  constexpr int t[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return 0;
  if (m < 3) y -= 1;
  return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

/// True when every field of `d` is in the range parse_date() produces (section 3.3).
[[nodiscard]] constexpr bool is_valid(const date_time& d) noexcept {
  return d.year >= 1900 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
         d.day <= days_in_month(d.year, d.month) && d.hour >= 0 && d.hour <= 23 &&
         d.minute >= 0 && d.minute <= 59 && d.second >= 0 && d.second <= 60 &&
         d.zone_minutes > -24 * 60 && d.zone_minutes < 24 * 60 &&
         (!d.weekday || (*d.weekday >= 0 && *d.weekday <= 6));
}

namespace detail {

inline constexpr std::string_view day_names[7] = {"Sun", "Mon", "Tue", "Wed",
                                                  "Thu", "Fri", "Sat"};
inline constexpr std::string_view month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct date_reader {
  std::string_view in;
  lexer_limits lim;
  std::size_t pos = 0;
  date_result r;

  void cfws() noexcept {
    const scan_result s = skip_cfws(in, pos, lim);
    if (!s.ok() && r.warning.code == errc::ok) r.warning = {s.error, s.error_offset};
    pos = s.end;
  }
  bool fail(errc e, std::size_t at) noexcept {
    r.error = e;
    r.offset = at;
    return false;
  }
  std::size_t run(std::uint8_t cls) const noexcept {
    std::size_t e = pos;
    while (e < in.size() && lex_is(in[e], cls)) ++e;
    return e - pos;
  }
  int number(std::size_t n) const noexcept {
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 10 + (in[pos + i] - '0');
    return v;
  }
  // Exactly 2 digits, surrounded by optional CFWS; value <= max.
  bool two_digits(int max, int& out) noexcept {
    cfws();
    const std::size_t n = run(lex_digit);
    if (n != 2) return fail(errc::bad_time, pos);
    out = number(2);
    if (out > max) return fail(errc::bad_time, pos);
    pos += 2;
    cfws();
    return true;
  }
  static int name_index(std::string_view s, const std::string_view* names, int count) noexcept {
    for (int i = 0; i < count; ++i)
      if (ascii::iequals(s, names[i])) return i;
    return -1;
  }

  bool parse() noexcept {
    date_time& d = r.value;
    cfws();
    // [ day-of-week "," ]
    const std::size_t weekday_at = pos;
    if (pos < in.size() && lex_is(in[pos], lex_alpha)) {
      const std::size_t n = run(lex_alpha);
      const int w = name_index(in.substr(pos, n), day_names, 7);
      if (w < 0) return fail(errc::bad_day_name, pos);
      d.weekday = w;
      pos += n;
      cfws();
      if (pos == in.size() || in[pos] != ',') return fail(errc::bad_day_name, pos);
      ++pos;
      cfws();
    }
    // day
    const std::size_t day_at = pos;
    std::size_t n = run(lex_digit);
    if (n < 1 || n > 2) return fail(errc::bad_day, pos);
    d.day = number(n);
    pos += n;
    cfws();
    // month
    n = run(lex_alpha);
    const int m = name_index(in.substr(pos, n), month_names, 12);
    if (m < 0) return fail(errc::bad_month, pos);
    d.month = m + 1;
    pos += n;
    cfws();
    // year
    n = run(lex_digit);
    if (n < 2 || n > 4) return fail(errc::bad_year, pos);
    d.year = number(n);
    if (n == 2) d.year += d.year < 50 ? 2000 : 1900;
    else if (n == 3) d.year += 1900;
    if (d.year < 1900) return fail(errc::bad_year, pos);
    pos += n;
    if (d.day < 1 || d.day > days_in_month(d.year, d.month)) return fail(errc::bad_day, day_at);
    // time-of-day
    if (!two_digits(23, d.hour)) return false;
    if (pos == in.size() || in[pos] != ':') return fail(errc::bad_time, pos);
    ++pos;
    if (!two_digits(59, d.minute)) return false;
    if (pos < in.size() && in[pos] == ':') {
      ++pos;
      if (!two_digits(60, d.second)) return false;
    }
    // zone (two_digits() skipped the CFWS before it)
    if (pos == in.size()) return fail(errc::bad_zone, pos);
    const char c = in[pos];
    if (c == '+' || c == '-') {
      if (pos == 0 || !lex_is(in[pos - 1], lex_wsp)) return fail(errc::bad_zone, pos);
      ++pos;
      if (run(lex_digit) != 4) return fail(errc::bad_zone, pos - 1);
      const int hh = number(2);
      const int mm = (in[pos + 2] - '0') * 10 + (in[pos + 3] - '0');
      if (hh > 23 || mm > 59) return fail(errc::bad_zone, pos - 1);
      d.zone_minutes = (hh * 60 + mm) * (c == '-' ? -1 : 1);
      d.zone_unknown = c == '-' && d.zone_minutes == 0;
      pos += 4;
    } else if (lex_is(c, lex_alpha)) {
      n = run(lex_alpha);
      zone_name(in.substr(pos, n));
      pos += n;
    } else {
      return fail(errc::bad_zone, pos);
    }
    cfws();
    if (pos != in.size()) return fail(errc::trailing_garbage, pos);
    if (d.weekday && *d.weekday != day_of_week(d.year, d.month, d.day) &&
        r.warning.code == errc::ok)
      r.warning = {errc::weekday_mismatch, weekday_at};
    return true;
  }

  void zone_name(std::string_view z) noexcept {
    struct named {
      std::string_view name;
      int minutes;
    };
    constexpr named zones[] = {{"UT", 0},      {"GMT", 0},     {"EST", -300}, {"EDT", -240},
                               {"CST", -360},  {"CDT", -300},  {"MST", -420}, {"MDT", -360},
                               {"PST", -480},  {"PDT", -420}};
    for (const named& k : zones) {
      if (ascii::iequals(z, k.name)) {
        r.value.zone_minutes = k.minutes;
        return;
      }
    }
    r.value.zone_unknown = true;  // military or unknown (section 4.3)
  }
};

inline void append_padded(std::string& out, int value, int width) {
  long long v = value;
  if (v < 0) {
    out.push_back('-');
    v = -v;
  }
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = n; i < width; ++i) out.push_back('0');
  while (n > 0) out.push_back(buf[--n]);
}

}  // namespace detail

/// Parses a date-time field value (RFC 5322 section 3.3 and the obsolete forms of section 4.3;
/// the exact grammar is at the top of this header). Never allocates, never throws.
[[nodiscard]] inline date_result parse_date(std::string_view in,
                                            const lexer_limits& lim = {}) noexcept {
  detail::date_reader rd{in, lim, 0, {}};
  if (!rd.parse()) {
    rd.r.value = {};
    rd.r.warning = {};
  }
  return rd.r;
}

/// Appends `d` as "YYYY-MM-DDTHH:MM:SS+HH:MM" (ISO 8601 / RFC 3339 section 5.6 form of the JSON
/// spec): the zone as written, "+00:00" for zone_unknown ("-0000", military, unknown names).
inline void format_iso8601(const date_time& d, std::string& out) {
  using detail::append_padded;
  append_padded(out, d.year, 4);
  out.push_back('-');
  append_padded(out, d.month, 2);
  out.push_back('-');
  append_padded(out, d.day, 2);
  out.push_back('T');
  append_padded(out, d.hour, 2);
  out.push_back(':');
  append_padded(out, d.minute, 2);
  out.push_back(':');
  append_padded(out, d.second, 2);
  const int z = d.zone_unknown ? 0 : d.zone_minutes;
  out.push_back(z < 0 ? '-' : '+');
  append_padded(out, (z < 0 ? -z : z) / 60, 2);
  out.push_back(':');
  append_padded(out, (z < 0 ? -z : z) % 60, 2);
}

/// format_iso8601() into a new string.
[[nodiscard]] inline std::string format_iso8601(const date_time& d) {
  std::string s;
  s.reserve(25);
  format_iso8601(d, s);
  return s;
}

/// Appends `d` in the canonical form of RFC 5322 section 3.3, "Tue, 1 Jul 2003 10:52:37 +0200":
/// the day name computed from the date (not d.weekday), the day without a leading zero, seconds
/// always, the zone as "+hhmm" / "-hhmm", and "-0000" for zone_unknown. For a valid date_time
/// (is_valid()), parse_date() gives it back (with the computed weekday).
inline void format_rfc5322(const date_time& d, std::string& out) {
  using detail::append_padded;
  out.append(detail::day_names[day_of_week(d.year, d.month, d.day)]);
  out.append(", ");
  append_padded(out, d.day, 1);
  out.push_back(' ');
  out.append(d.month >= 1 && d.month <= 12 ? detail::month_names[d.month - 1] : "???");
  out.push_back(' ');
  append_padded(out, d.year, 4);
  out.push_back(' ');
  append_padded(out, d.hour, 2);
  out.push_back(':');
  append_padded(out, d.minute, 2);
  out.push_back(':');
  append_padded(out, d.second, 2);
  out.push_back(' ');
  const int z = d.zone_unknown ? 0 : d.zone_minutes;
  out.push_back(z < 0 || d.zone_unknown ? '-' : '+');
  append_padded(out, (z < 0 ? -z : z) / 60, 2);
  append_padded(out, (z < 0 ? -z : z) % 60, 2);
}

/// format_rfc5322() into a new string.
[[nodiscard]] inline std::string format_rfc5322(const date_time& d) {
  std::string s;
  s.reserve(31);
  format_rfc5322(d, s);
  return s;
}

}  // namespace mailwire::rfc5322
