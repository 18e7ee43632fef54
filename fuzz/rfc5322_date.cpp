// Fuzz target: RFC 5322 date-time (mailwire/rfc5322/date.hpp).
//
// Input layout: [option byte] payload. Option bits 0-2: k != 0 sets the comment depth limit.
// Checks: no crash; an error leaves the value at its default and gives an offset inside the
// input; a parsed value is_valid(); format_iso8601() is "YYYY-MM-DDTHH:MM:SS+HH:MM" (25
// characters); format_rfc5322() re-parses to the same date_time (with the computed weekday)
// and formats again to the same text.
#include <mailwire/rfc5322/date.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace r = mailwire::rfc5322;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t opt = h.byte();
  const std::string_view in = h.rest();
  r::lexer_limits lim;
  if ((opt & 7u) != 0) lim.max_comment_depth = opt & 7u;

  const r::date_result d = r::parse_date(in, lim);
  if (!d.ok()) {
    MW_FUZZ_CHECK(d.value == r::date_time{});
    MW_FUZZ_CHECK(d.offset <= in.size());
    MW_FUZZ_CHECK(d.warning.code == r::errc::ok);
    return 0;
  }
  MW_FUZZ_CHECK(r::is_valid(d.value));
  MW_FUZZ_CHECK(d.warning.offset <= in.size());
  MW_FUZZ_CHECK(!d.value.zone_unknown || d.value.zone_minutes == 0);
  if (d.warning.code == r::errc::weekday_mismatch)
    MW_FUZZ_CHECK(d.value.weekday !=
                  r::day_of_week(d.value.year, d.value.month, d.value.day));

  const std::string iso = r::format_iso8601(d.value);
  MW_FUZZ_CHECK(iso.size() == 25);
  for (std::size_t i = 0; i < iso.size(); ++i) {
    const char c = iso[i];
    switch (i) {
      case 4: case 7: MW_FUZZ_CHECK(c == '-'); break;
      case 10: MW_FUZZ_CHECK(c == 'T'); break;
      case 13: case 16: case 22: MW_FUZZ_CHECK(c == ':'); break;
      case 19: MW_FUZZ_CHECK(c == '+' || c == '-'); break;
      default: MW_FUZZ_CHECK(c >= '0' && c <= '9');
    }
  }

  const std::string text = r::format_rfc5322(d.value);
  const r::date_result back = r::parse_date(text);
  MW_FUZZ_CHECK(back.ok());
  MW_FUZZ_CHECK(back.warning.code == r::errc::ok);
  r::date_time want = d.value;
  want.weekday = r::day_of_week(want.year, want.month, want.day);
  MW_FUZZ_CHECK(back.value == want);
  MW_FUZZ_CHECK(r::format_rfc5322(back.value) == text);
  MW_FUZZ_CHECK(r::format_iso8601(back.value) == iso);
  return 0;
}
