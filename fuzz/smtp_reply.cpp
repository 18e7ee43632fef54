// Fuzz target: the SMTP reply parser and EHLO reader (mailwire/smtp/reply.hpp, ehlo.hpp).
//
// Input layout: [option byte] payload. Option bits: 0 enhanced codes, 1 bare LF, 2 empty text,
// 3 8-bit text, 4-7 max_lines (0 = default, else k).
// Checks: consumed within the input; every proper prefix of an accepted reply is need_more;
// an accepted reply round-trips (serialize -> parse gives the same value, and serializing that
// gives the same bytes); parse_ehlo never crashes and keeps its views inside the input.
#include <mailwire/smtp/ehlo.hpp>
#include <mailwire/smtp/reply.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace smtp = mailwire::smtp;
using mailwire::status;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t ob = h.byte();
  const std::string_view payload = h.rest();
  smtp::reply_options opt;
  opt.enhanced_status_codes = ob & 1;
  opt.allow_bare_lf = ob & 2;
  opt.allow_empty_text = ob & 4;
  opt.allow_8bit_text = ob & 8;
  smtp::reply_limits lim;
  if (ob >> 4) lim.max_lines = ob >> 4;

  const auto r = smtp::parse_reply(payload, lim, opt);
  if (r.st == status::error) {
    MW_FUZZ_CHECK(r.error != smtp::reply_errc::ok);
    MW_FUZZ_CHECK(r.error_offset <= payload.size() || r.error == smtp::reply_errc::reply_too_large);
    return 0;
  }
  if (r.st == status::need_more) return 0;
  MW_FUZZ_CHECK(r.st == status::event);
  MW_FUZZ_CHECK(r.consumed > 0 && r.consumed <= payload.size());
  MW_FUZZ_CHECK(r.value.line_count >= 1 && r.value.line_count <= lim.max_lines);
  MW_FUZZ_CHECK(smtp::valid_reply_code(r.value.code));
  // Prefixes (a few, from exact-size copies): need_more, nothing consumed.
  for (std::size_t n : {std::size_t{0}, r.consumed / 2, r.consumed - 1}) {
    mwfuzz::heap_buffer part(payload.substr(0, n));
    const auto p = smtp::parse_reply(part.view(), lim, opt);
    MW_FUZZ_CHECK(p.st == status::need_more && p.consumed == 0);
  }
  // Round trip.
  std::string out;
  if (smtp::append_reply(out, r.value, opt.allow_8bit_text) == smtp::reply_errc::ok) {
    smtp::reply_options o2 = opt;
    o2.allow_empty_text = false;
    o2.allow_bare_lf = false;
    smtp::reply_limits l2;
    l2.max_lines = lim.max_lines;
    l2.max_line = SIZE_MAX / 2;
    const auto back = smtp::parse_reply(out, l2, o2);
    MW_FUZZ_CHECK(back.st == status::event && back.consumed == out.size());
    // With enhanced codes on, a text that starts like a code is read as one the second time.
    if (!opt.enhanced_status_codes || r.value.enhanced) MW_FUZZ_CHECK(back.value == r.value);
    std::string again;
    MW_FUZZ_CHECK(smtp::append_reply(again, back.value, opt.allow_8bit_text) == smtp::reply_errc::ok);
    if (!opt.enhanced_status_codes || r.value.enhanced) MW_FUZZ_CHECK(again == out);
  }
  // EHLO reading: no crash, views inside the payload.
  const auto e = smtp::parse_ehlo(r.value);
  if (e.error == smtp::reply_errc::ok) {
    const char* b = payload.data();
    const char* end = b + payload.size();
    MW_FUZZ_CHECK(e.value.domain.empty() || (e.value.domain.data() >= b && e.value.domain.data() + e.value.domain.size() <= end));
    for (const auto& x : e.value.extensions())
      MW_FUZZ_CHECK(x.keyword.empty() || (x.keyword.data() >= b && x.keyword.data() < end));
    std::string built;
    const auto be = smtp::append_ehlo_reply(built, "h", "", e.value.caps);
    if (be == smtp::reply_errc::ok) {
      const auto rb = smtp::parse_reply(built, {.max_line = SIZE_MAX / 2, .max_lines = 1000, .max_bytes = SIZE_MAX});
      MW_FUZZ_CHECK(rb.st == status::event);
      const auto eb = smtp::parse_ehlo(rb.value);
      MW_FUZZ_CHECK(eb.error == smtp::reply_errc::ok);
      MW_FUZZ_CHECK(eb.value.caps == e.value.caps);
    }
  }
  return 0;
}
