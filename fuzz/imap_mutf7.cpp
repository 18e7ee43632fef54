// Fuzz target: modified UTF-7 mailbox names (mailwire/imap/mutf7.hpp, RFC 3501 section 5.1.3).
//
// Input layout: [option byte] payload.
//   option byte: bit 0 lenient_noncanonical, bit 1 lenient_raw_utf8.
// Checks:
// - decode anything: no crash; validate agrees with decode; on error nothing is appended and
//   the offset is inside the input; the output is well-formed UTF-8; strict success implies
//   encode(decode(x)) == x (x is canonical), and lenient output re-encodes and strictly decodes
//   to the same UTF-8.
// - encode the payload's well-formed UTF-8 prefix: printable ASCII only, and strict decode gives
//   it back; ill-formed UTF-8 is refused at exactly the first bad octet.
#include <mailwire/imap/mutf7.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace im = mailwire::imap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t opt_byte = h.byte();
  const std::string_view in = h.rest();
  im::mutf7_options opt;
  opt.lenient_noncanonical = (opt_byte & 1) != 0;
  opt.lenient_raw_utf8 = (opt_byte & 2) != 0;

  // Decode anything.
  std::string out = "x";
  const auto r = im::decode_mutf7(in, out, opt);
  const auto v = im::validate_mutf7(in, opt);
  MW_FUZZ_CHECK(r.error == v.error && r.error_offset == v.error_offset);
  if (!r.ok()) {
    MW_FUZZ_CHECK(out == "x");
    MW_FUZZ_CHECK(r.error_offset < in.size() || (in.empty() && r.error_offset == 0));
  } else {
    const std::string_view utf8 = std::string_view(out).substr(1);
    MW_FUZZ_CHECK(im::detail::utf8_valid_prefix(utf8) == utf8.size());
    std::string again;
    MW_FUZZ_CHECK(im::encode_mutf7(utf8, again).ok());
    if (!opt.lenient_noncanonical && !opt.lenient_raw_utf8) MW_FUZZ_CHECK(again == in);
    std::string back;
    MW_FUZZ_CHECK(im::decode_mutf7(again, back).ok());
    MW_FUZZ_CHECK(back == utf8);
  }

  // Encode the payload as UTF-8.
  const std::size_t valid = im::detail::utf8_valid_prefix(in);
  std::string wire = "y";
  const auto e = im::encode_mutf7(in, wire);
  if (valid < in.size()) {
    MW_FUZZ_CHECK(e.error == im::errc::bad_utf8 && e.error_offset == valid && wire == "y");
  } else {
    MW_FUZZ_CHECK(e.ok());
    const std::string_view w = std::string_view(wire).substr(1);
    for (char c : w) MW_FUZZ_CHECK(c >= 0x20 && c <= 0x7E);
    std::string back;
    MW_FUZZ_CHECK(im::decode_mutf7(w, back).ok());
    MW_FUZZ_CHECK(back == in);
  }
  return 0;
}
