// Fuzz target: the SMTP command parser and serializer (mailwire/smtp/command.hpp).
//
// Input layout: [option byte] [limit byte] payload.
//   option byte: bit 0 smtputf8, bit 1 lenient_spaces, bit 2 lenient_bare_lf, bit 3: the
//   payload is read as AUTH continuation lines (parse_auth_response) instead of commands.
//   limit byte: 0 = default limits; else command_line = 8 + byte * 2, auth_line = 4 * that,
//   max_parameters = byte % 17, path = 16 + byte, local_part = byte % 70, domain = byte.
// The payload is a pipelined buffer: commands are parsed one after the other.
// Checks: consumed within bounds and covering the line with its LF; views inside the buffer;
// every proper prefix of a line answers need_more without consuming, or the same too-long
// error; an over-long line is refused before the parser looks past the limit; accepted
// commands serialize, read back equal, and serialize to the same bytes again.
#include <mailwire/smtp/command.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace s = mailwire::smtp;
using mailwire::status;

namespace {

bool inside(std::string_view v, std::string_view buf) {
  return v.empty() || (v.data() >= buf.data() && v.data() + v.size() <= buf.data() + buf.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t ob = h.byte();
  const std::uint8_t lb = h.byte();
  s::command_options opt;
  opt.smtputf8 = ob & 1;
  opt.lenient_spaces = ob & 2;
  opt.lenient_bare_lf = ob & 4;
  s::limits lim;
  if (lb != 0) {
    lim.command_line = 8 + std::size_t{lb} * 2;
    lim.auth_line = lim.command_line * 4;
    lim.max_parameters = lb % 17;
    lim.path = 16 + std::size_t{lb};
    lim.local_part = lb % 70;
    lim.domain = lb;
  }
  const std::string_view payload = h.rest();
  std::string_view rest = payload;
  if (ob & 8) {
    while (!rest.empty()) {
      const auto r = s::parse_auth_response(rest, lim, opt);
      MW_FUZZ_CHECK(r.consumed <= rest.size() && r.consumed <= lim.auth_line);
      if (r.st == status::need_more || r.consumed == 0) {
        MW_FUZZ_CHECK(r.st == status::need_more || r.error == s::errc::auth_line_too_long);
        break;
      }
      MW_FUZZ_CHECK(r.consumed == rest.find('\n') + 1);
      if (r.ok()) {
        MW_FUZZ_CHECK(inside(r.value.data, rest));
        std::string out;
        const s::errc e = s::serialize(r.value, out);
        MW_FUZZ_CHECK(e == s::errc::ok);
        const auto back = s::parse_auth_response(out);
        MW_FUZZ_CHECK(back.ok() && back.value == r.value && back.consumed == out.size());
      }
      rest.remove_prefix(r.consumed);
    }
    return 0;
  }
  for (int guard = 0; guard < 100000 && !rest.empty(); ++guard) {
    const auto r = s::parse_command(rest, lim, opt);
    MW_FUZZ_CHECK(r.consumed <= rest.size());
    if (r.st == status::need_more) {
      MW_FUZZ_CHECK(r.consumed == 0);
      MW_FUZZ_CHECK(rest.find('\n') == std::string_view::npos);
      break;
    }
    if (r.st == status::error && r.consumed == 0) {
      MW_FUZZ_CHECK(r.error == s::errc::line_too_long || r.error == s::errc::auth_line_too_long);
      break;
    }
    const bool auth_line = rest.size() >= 5 && mailwire::ascii::iequals(rest.substr(0, 5), "AUTH ");
    MW_FUZZ_CHECK(r.consumed <= (auth_line ? lim.auth_line : lim.command_line));
    const std::size_t lf = rest.find('\n');
    MW_FUZZ_CHECK(lf != std::string_view::npos && r.consumed == lf + 1);
    // Prefixes of this line: need_more, or the same over-long error.
    const std::size_t stride = lf < 300 ? 1 : lf / 64;
    for (std::size_t n = 0; n <= lf; n += stride) {
      mwfuzz::heap_buffer pre(rest.substr(0, n));
      const auto q = s::parse_command(pre.view(), lim, opt);
      MW_FUZZ_CHECK(q.consumed == 0);
      MW_FUZZ_CHECK(q.st == status::need_more ||
                    (q.st == status::error && q.error == r.error &&
                     (q.error == s::errc::line_too_long || q.error == s::errc::auth_line_too_long)));
    }
    if (r.st == status::error) {
      MW_FUZZ_CHECK(r.error != s::errc::ok);
      MW_FUZZ_CHECK(r.error_offset <= lf);
      MW_FUZZ_CHECK(!s::reply_hint(r.error).empty());
    } else {
      MW_FUZZ_CHECK(r.st == status::event);
      const s::command& c = r.value;
      for (std::string_view v : {c.verb_text, c.argument, c.domain, c.path.mb.local_part,
                                 c.path.mb.domain, c.path.source_route, c.mechanism, c.response})
        MW_FUZZ_CHECK(inside(v, rest));
      for (const auto& x : c.params.extensions()) MW_FUZZ_CHECK(inside(x.keyword, rest) && inside(x.value, rest));
      std::string out;
      const s::errc e = s::serialize(c, out);
      if (e == s::errc::ok) {
        MW_FUZZ_CHECK(out.size() >= 2 && out.substr(out.size() - 2) == "\r\n");
        MW_FUZZ_CHECK(out.find('\n') == out.size() - 1);
        s::command_options o8;
        o8.smtputf8 = true;
        s::limits big;
        big.path = big.local_part = big.domain = ~std::size_t{0} >> 1;
        const auto back = s::parse_command(out, big, o8);
        MW_FUZZ_CHECK(back.ok() && back.consumed == out.size());
        MW_FUZZ_CHECK(back.value == c);
        std::string again;
        MW_FUZZ_CHECK(s::serialize(back.value, again) == s::errc::ok && again == out);
      } else {
        // Only a line longer than the default line limit may be refused: a bare LF turned
        // into CRLF, or a line accepted under a larger fuzzed command_line limit.
        MW_FUZZ_CHECK((opt.lenient_bare_lf || lim.command_line > 512) &&
                      (e == s::errc::line_too_long || e == s::errc::auth_line_too_long));
        MW_FUZZ_CHECK(out.empty());
      }
    }
    rest.remove_prefix(r.consumed);
  }
  return 0;
}
