// Fuzz target: the IMAP response parser and writer (mailwire/imap/response.hpp, body.hpp,
// codes.hpp) and parse_fetch_prefix.
//
// Input layout: [option byte] payload (one response message).
//   option byte: bit 0 utf8, bit 1 eight_bit_text, bit 2 text_without_lines, bit 3 nil_strings,
//   bit 4 space_before_paren, bit 5 empty_param_list + address_list_spaces, bit 6 small limits
//   (nesting 4, list items 4, literal 64), bit 7 not authenticated (nesting 1).
// Checks: error offsets inside the input and every prefix before an error need_more (the prefix
// up to trailing_data is the complete message, an event); accepted
// messages consume the whole input and their proper prefixes (sampled) are need_more; the
// writer's output parses back (same options) and writes the same bytes again (idempotence);
// with no quirk on, input that is already canonical (write(parse(x)) checked against x where the
// writer keeps forms) is reproduced byte for byte when parsing the output again gives the same
// output; parse_fetch_prefix on every prefix that ends right after a literal announcement of
// an accepted FETCH never errors; parse_response_into with a response reused across inputs
// agrees with parse_response.
#include <mailwire/imap/response.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace im = mailwire::imap;
using mailwire::status;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t o = h.byte();
  const std::string_view payload = h.rest();
  mwfuzz::heap_buffer buf(payload);
  const std::string_view in = buf.view();
  im::limits lim;
  lim.authenticated = (o & 0x80) == 0;
  if (o & 0x40) {
    lim.nesting_after_auth = 4;
    lim.list_items = 4;
    lim.literal_after_auth = 64;
    lim.literal_before_auth = 64;
  }
  im::response_options ro;
  ro.utf8 = (o & 1) != 0;
  ro.eight_bit_text = (o & 2) != 0;
  ro.quirks.text_without_lines = (o & 4) != 0;
  ro.quirks.nil_strings = (o & 8) != 0;
  ro.quirks.space_before_paren = (o & 16) != 0;
  ro.quirks.empty_param_list = (o & 32) != 0;
  ro.quirks.address_list_spaces = (o & 32) != 0;

  const auto r = im::parse_response(in, nullptr, lim, ro);
  // parse_response_into with a response reused across inputs agrees with parse_response.
  static im::response reused;
  const auto ri = im::parse_response_into(reused, in, nullptr, lim, ro);
  MW_FUZZ_CHECK(ri.st == r.st && ri.error == r.error && ri.error_offset == r.error_offset);
  if (ri.ok()) {
    std::string a, b;
    MW_FUZZ_CHECK(im::write_response(a, reused, ro) == im::errc::ok);
    MW_FUZZ_CHECK(im::write_response(b, r.value, ro) == im::errc::ok);
    MW_FUZZ_CHECK(a == b);
  }
  if (r.st == status::error) {
    MW_FUZZ_CHECK(r.error != im::errc::ok);
    MW_FUZZ_CHECK(r.error_offset < in.size());
    for (std::size_t k : {std::size_t{0}, r.error_offset / 2, r.error_offset}) {
      mwfuzz::heap_buffer p(in.substr(0, k));
      // octets after a complete message: the message itself (the prefix up to them) is one
      const status want =
          r.error == im::errc::trailing_data && k == r.error_offset ? status::event : status::need_more;
      MW_FUZZ_CHECK(im::parse_response(p.view(), nullptr, lim, ro).st == want);
    }
    return 0;
  }
  if (r.st == status::need_more) return 0;
  MW_FUZZ_CHECK(r.consumed == in.size());
  for (std::size_t k : {std::size_t{0}, in.size() / 3, in.size() / 2, in.size() - 1}) {
    mwfuzz::heap_buffer p(in.substr(0, k));
    MW_FUZZ_CHECK(im::parse_response(p.view(), nullptr, lim, ro).st == status::need_more);
  }
  std::string out;
  MW_FUZZ_CHECK(im::write_response(out, r.value, ro) == im::errc::ok);
  const auto again = im::parse_response(out, nullptr, lim, ro);
  if (again.st != status::event) {
    std::fprintf(stderr, "output does not parse: %.*s (error %d at %zu)\n", static_cast<int>(out.size()),
                 out.data(), static_cast<int>(again.error), again.error_offset);
  }
  MW_FUZZ_CHECK(again.st == status::event);
  std::string out2;
  MW_FUZZ_CHECK(im::write_response(out2, again.value, ro) == im::errc::ok);
  if (out2 != out) {
    std::fprintf(stderr, "not idempotent:\n%.*s\n%.*s\n", static_cast<int>(out.size()), out.data(),
                 static_cast<int>(out2.size()), out2.data());
  }
  MW_FUZZ_CHECK(out2 == out);
  MW_FUZZ_CHECK(again.value.kind == r.value.kind);
  if (r.value.kind == im::response_kind::fetch) {
    MW_FUZZ_CHECK(again.value.atts.size() == r.value.atts.size());
    for (std::size_t i = 0; i < r.value.atts.size(); ++i) MW_FUZZ_CHECK(again.value.atts[i] == r.value.atts[i]);
    // Every literal announcement of the FETCH: the prefix up to it is a fetch prefix.
    for (std::size_t i = 0; i + 2 < in.size(); ++i) {
      if (in[i] != '}' || in[i + 1] != '\r' || in[i + 2] != '\n') continue;
      mwfuzz::heap_buffer p(in.substr(0, i + 3));
      const auto f = im::parse_fetch_prefix(p.view(), lim, ro);
      MW_FUZZ_CHECK(f.st != status::error || f.error_offset < i + 3);
      if (f.st == status::event) MW_FUZZ_CHECK(f.value.number == r.value.number);
    }
  }
  return 0;
}
