// Fuzz target: the POP3 command parser and serializer (mailwire/pop3/command.hpp).
//
// Input layout: [option byte] [limit byte] payload.
//   option byte: bit 0 utf8, bit 1 lenient_spaces, bit 2 lenient_bare_lf, bit 3: the payload is
//   read as SASL continuation lines (parse_auth_response) instead of commands.
//   limit byte: 0 = default limits; else command_line = 4 + byte, auth_line = 4 * that,
//   argument = byte % 64, max_number = byte * 1000.
// The payload is a pipelined buffer: lines are parsed one after the other.
// Checks: consumed within bounds and ending at an LF; views inside the buffer; every proper
// prefix of a line is need_more without consuming (or the same too-long error); accepted
// commands serialize, read back equal, and serialize to the same bytes again; numbers in range.
#include <mailwire/pop3/command.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace p3 = mailwire::pop3;
using mailwire::status;

namespace {

bool inside(std::string_view v, std::string_view buf) {
  return v.empty() || (v.data() >= buf.data() && v.data() + v.size() <= buf.data() + buf.size());
}

template <class Parse>
void check_prefixes(std::string_view line, Parse parse, const p3::parse_result<decltype(parse(line).value)>& whole) {
  for (std::size_t n : {std::size_t{0}, line.size() / 2, line.size() - 1}) {
    if (n >= line.size()) continue;
    mwfuzz::heap_buffer part(line.substr(0, n));
    const auto q = parse(part.view());
    MW_FUZZ_CHECK(q.consumed == 0);
    if (q.st == status::error) {
      MW_FUZZ_CHECK(q.error == p3::errc::line_too_long || q.error == p3::errc::auth_line_too_long);
      MW_FUZZ_CHECK(whole.st == status::error && whole.error == q.error);
    } else {
      MW_FUZZ_CHECK(q.st == status::need_more);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t ob = h.byte();
  const std::uint8_t lb = h.byte();
  p3::command_options opt;
  opt.utf8 = ob & 1;
  opt.lenient_spaces = ob & 2;
  opt.lenient_bare_lf = ob & 4;
  p3::limits lim;
  if (lb != 0) {
    lim.command_line = 4 + std::size_t{lb};
    lim.auth_line = lim.command_line * 4;
    lim.argument = lb % 64;
    lim.max_number = std::uint32_t{lb} * 1000u;
  }
  const std::string_view payload = h.rest();
  std::string_view rest = payload;
  while (!rest.empty()) {
    if (ob & 8) {
      auto parse = [&](std::string_view in) { return p3::parse_auth_response(in, lim, opt); };
      const auto r = parse(rest);
      if (r.st == status::need_more) break;
      if (r.st == status::error && r.consumed == 0) break;  // over-long: the host drops the connection
      MW_FUZZ_CHECK(r.consumed <= rest.size() && rest[r.consumed - 1] == '\n');
      check_prefixes(rest.substr(0, r.consumed), parse, r);
      if (r.ok()) {
        MW_FUZZ_CHECK(inside(r.value.data, rest));
        std::string out;
        MW_FUZZ_CHECK(p3::serialize(r.value, out) == p3::errc::ok);
      }
      rest.remove_prefix(r.consumed);
      continue;
    }
    auto parse = [&](std::string_view in) { return p3::parse_command(in, lim, opt); };
    const auto r = parse(rest);
    if (r.st == status::need_more) {
      MW_FUZZ_CHECK(r.consumed == 0);
      break;
    }
    if (r.st == status::error && r.consumed == 0) {
      MW_FUZZ_CHECK(r.error == p3::errc::line_too_long || r.error == p3::errc::auth_line_too_long);
      break;
    }
    MW_FUZZ_CHECK(r.consumed <= rest.size() && rest[r.consumed - 1] == '\n');
    check_prefixes(rest.substr(0, r.consumed), parse, r);
    if (r.st == status::error) {
      MW_FUZZ_CHECK(r.error != p3::errc::ok && r.error_offset <= r.consumed);
    } else {
      const p3::command& c = r.value;
      for (std::string_view v : {c.keyword_text, c.argument, c.name, c.secret, c.digest, c.mechanism,
                                 c.response, c.language})
        MW_FUZZ_CHECK(inside(v, rest.substr(0, r.consumed)));
      MW_FUZZ_CHECK(c.message <= lim.max_number && c.lines <= lim.max_number);
      if (c.k == p3::keyword::retr || c.k == p3::keyword::dele || c.k == p3::keyword::top)
        MW_FUZZ_CHECK(c.message >= 1);
      std::string out;
      const p3::errc se = p3::serialize(c, out);
      // The serializer checks against the default line limit; a line that only fit a raised
      // limit (or large numbers over the default maximum) may be refused, never mis-written.
      if (se == p3::errc::ok) {
        p3::command_options u;
        u.utf8 = true;
        p3::limits big;
        big.argument = ~std::size_t{0} >> 1;
        const auto back = p3::parse_command(out, big, u);
        MW_FUZZ_CHECK(back.ok() && back.consumed == out.size() && back.value == c);
        std::string again;
        MW_FUZZ_CHECK(p3::serialize(back.value, again) == p3::errc::ok && again == out);
      } else {
        MW_FUZZ_CHECK(out.empty());
      }
    }
    rest.remove_prefix(r.consumed);
  }
  return 0;
}
