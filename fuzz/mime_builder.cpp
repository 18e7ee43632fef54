// Fuzz target: the MIME builder and header writer (mailwire/mime/builder.hpp,
// mailwire/rfc5322/writer.hpp) round trip through the parser (mailwire/mime/message.hpp).
//
// Input: a byte stream that describes a tree: each node reads one control byte (bits 0-1: leaf
// kind text / attachment / multipart / message; bits 2-4: children; bit 5: allow_8bit), then
// a length byte and that many content bytes (also used as file names, subjects and names).
// Checks: writing succeeds or refuses with a write_errc (never writes a bad message); every line
// ends in CRLF and is at most 998 octets; the parsed tree has no defects, the same shape, and
// every leaf decodes to the bytes given (text with line breaks made CRLF); the Subject decodes
// back to the sanitized text with control characters as SP.
#include <mailwire/mime/builder.hpp>
#include <mailwire/mime/message.hpp>
#include <mailwire/rfc5322/encoded_word.hpp>

#include <functional>
#include <string>
#include <vector>

#include "fuzz_common.hpp"

namespace mime = mailwire::mime;
namespace r = mailwire::rfc5322;

namespace {
struct reader {
  mwfuzz::header& h;
  std::string_view rest;
  std::string take() {
    const std::size_t n = h.byte();
    std::string_view all = h.rest();
    const std::size_t k = std::min(n, all.size());
    std::string s(all.substr(0, k));
    for (std::size_t i = 0; i < k; ++i) (void)h.byte();
    return s;
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  reader rd{h, {}};
  std::vector<std::string> expected;
  int budget = 40;
  bool allow_8bit = false;
  std::function<mime::part(int)> make = [&](int depth) -> mime::part {
    const std::uint8_t c = h.byte();
    allow_8bit = allow_8bit || (c & 0x20);
    const int kind = (depth >= 4 || --budget <= 0) ? (c & 1) : (c & 3);
    if (kind == 0) {
      std::string t = rd.take();
      expected.push_back(mime::detail::crlf_lines(t));
      return mime::part::text(t, (c & 0x40) ? "html" : "plain");
    }
    if (kind == 1) {
      std::string bytes = rd.take();
      expected.push_back(bytes);
      return mime::part::attachment(bytes, "application/octet-stream", rd.take());
    }
    if (kind == 3) {
      // An enclosed message built by the builder too; compared as bytes of the leaf-less check.
      std::string inner;
      mime::message_header ih;
      ih.subject = rd.take();
      if (mime::write_message(ih, mime::part::text("inner"), inner) != r::write_errc::ok) inner = "Subject: x\r\n\r\ninner";
      expected.push_back("inner");
      return mime::part::message(inner);
    }
    std::vector<mime::part> kids;
    for (int i = 0, n = (c >> 2) & 7; i < n && budget > 0; ++i) kids.push_back(make(depth + 1));
    return mime::part::multipart((c & 0x40) ? "alternative" : "mixed", std::move(kids));
  };
  mime::message_header mh;
  mh.subject = rd.take();
  const std::string name = rd.take();
  mh.from = {r::address_spec{name, "someone", "example.org"}};
  const mime::part body = make(0);
  mime::builder_options o;
  o.allow_8bit = allow_8bit;
  o.boundary_seed = h.byte();
  std::string eml;
  const r::write_errc e = mime::write_message(mh, body, eml, o);
  if (e != r::write_errc::ok) {
    MW_FUZZ_CHECK(eml.empty());
    return 0;
  }
  // Canonical lines.
  std::size_t start = 0;
  while (start < eml.size()) {
    const std::size_t lf = eml.find('\n', start);
    if (lf == std::string::npos) {
      MW_FUZZ_CHECK(eml.size() - start <= 998);  // a 7bit text body may end without CRLF
      MW_FUZZ_CHECK(eml.find('\r', start) == std::string::npos);
      break;
    }
    MW_FUZZ_CHECK(lf > start && eml[lf - 1] == '\r');
    MW_FUZZ_CHECK(lf - 1 - start <= 998);
    MW_FUZZ_CHECK(std::string_view(eml.data() + start, lf - 1 - start).find('\r') == std::string_view::npos);
    start = lf + 1;
  }
  const mime::message m = mime::parse(eml);
  MW_FUZZ_CHECK(m.defects.empty());
  std::vector<std::string> got;
  m.root.walk([&](const mime::node& n) {
    if (n.is_leaf()) got.push_back(n.decoded_body());
  });
  MW_FUZZ_CHECK(got == expected);
  MW_FUZZ_CHECK(mime::write(m.root) == eml);
  // The Subject reads back as written (control characters become SP, invalid UTF-8 U+FFFD).
  if (const auto* f = m.root.field("Subject")) {
    std::string want;
    mailwire::charset::append_utf8_sanitized(want, mh.subject);
    for (char& ch : want)
      if ((static_cast<unsigned char>(ch) < 0x20 && ch != '\t') || ch == 0x7f) ch = ' ';
    std::string dec;
    (void)r::decode_unstructured(r::unfold(f->raw_value), dec);
    MW_FUZZ_CHECK(dec == " " + want || (want.empty() && dec == " "));
  }
  return 0;
}
