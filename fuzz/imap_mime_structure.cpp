// Fuzz target: ENVELOPE and BODYSTRUCTURE / BODY from the MIME parser's tree
// (mailwire/imap/mime_structure.hpp, RFC 9051 section 7.5.2).
//
// Input layout: [option byte] message. Option bit 0: lf_to_crlf; bit 1: BODY (no extension data).
// Checks: any bytes give an envelope and a body structure; the computed IMAP text parses back
// (parse_envelope / parse_body consume all of it) and write_envelope / write_body of the parsed
// value give the same text again; the structure has at least one node and a consistent subtree.
#include <mailwire/imap/mime_structure.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace im = mailwire::imap;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned opt = data[0];
  const std::string msg(reinterpret_cast<const char*>(data) + 1, size - 1);
  mailwire::mime::parser_options po;
  po.limits.max_depth = 16;
  const auto m = mailwire::mime::parse(msg, po);
  im::structure_options so;
  so.lf_to_crlf = (opt & 1) != 0;
  const bool ext = (opt & 2) == 0;

  const auto e = im::envelope_of(m.root);
  const auto pe = im::parse_envelope(*e.text, im::detail::relaxed_limits(), im::detail::relaxed_options());
  MW_FUZZ_CHECK(pe.ok() && pe.consumed == e.text->size());
  std::string w;
  MW_FUZZ_CHECK(im::write_envelope(w, e.value) == im::errc::ok);
  MW_FUZZ_CHECK(w == *e.text);

  const auto b = im::body_structure_of(m.root, ext, so);
  const auto pb = im::parse_body(*b.text, im::detail::relaxed_limits(), im::detail::relaxed_options());
  MW_FUZZ_CHECK(pb.ok() && pb.consumed == b.text->size());
  MW_FUZZ_CHECK(!b.value.parts.empty() && b.value.parts[0].subtree == b.value.parts.size());
  w.clear();
  MW_FUZZ_CHECK(im::write_body(w, b.value) == im::errc::ok);
  MW_FUZZ_CHECK(w == *b.text);
  return 0;
}
