// Fuzz target: Content-Type / Content-Disposition / Content-Transfer-Encoding / MIME-Version values
// (mailwire/mime/content_type.hpp), RFC 2045 section 5.1, RFC 2183 and RFC 2231.
//
// Input: the field value. Checks: no crash and linear time; a valid type has non-empty lower-
// case token type and subtype; parameter names are non-empty, lower case and unique; defect
// offsets lie inside the value; the parse does not depend on folding line breaks being
// present (each "\r\n " replaced by " " gives the same type and parameters).
#include <mailwire/mime/content_type.hpp>

#include <set>
#include <string>

#include "fuzz_common.hpp"

namespace mime = mailwire::mime;

namespace {
void check_params(const mime::parameter_list& pl) {
  std::set<std::string> seen;
  for (const auto& p : pl.items) {
    MW_FUZZ_CHECK(!p.name.empty());
    for (char c : p.name) MW_FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
    MW_FUZZ_CHECK(seen.insert(p.name).second);
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::heap_buffer buf(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::string_view v = buf.view();
  const mime::content_type ct = mime::parse_content_type(v);
  if (ct.valid) {
    MW_FUZZ_CHECK(!ct.type.empty() && !ct.subtype.empty());
    for (char c : ct.type + ct.subtype) MW_FUZZ_CHECK(mailwire::ascii::is_mime_token(c) && !(c >= 'A' && c <= 'Z'));
  } else {
    MW_FUZZ_CHECK(ct.type.empty() && ct.params.items.empty());
  }
  check_params(ct.params);
  for (const auto& d : ct.defects) MW_FUZZ_CHECK(d.offset <= v.size());

  const mime::content_disposition cd = mime::parse_content_disposition(v);
  check_params(cd.params);
  std::string tok;
  (void)mime::parse_transfer_encoding(v, &tok);
  if (const auto mv = mime::parse_mime_version(v)) {
    MW_FUZZ_CHECK(mv->major >= 0 && mv->minor >= 0);
    const auto again = mime::parse_mime_version(std::to_string(mv->major) + "." + std::to_string(mv->minor));
    MW_FUZZ_CHECK(again && *again == *mv);
  }
  MW_FUZZ_CHECK(tok.size() <= v.size());

  // Folding: CRLF before WSP is whitespace like the WSP itself, outside quoted strings too
  // (quoted strings drop the CRLF and keep the WSP, RFC 5322 section 3.2.4).
  std::string unfolded;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\r' && i + 2 < v.size() && v[i + 1] == '\n' && (v[i + 2] == ' ' || v[i + 2] == '\t')) {
      ++i;
      continue;
    }
    if (v[i] == '\r' || v[i] == '\n') return 0;  // bare line breaks: no folding claim
    unfolded.push_back(v[i]);
  }
  const mime::content_type u = mime::parse_content_type(unfolded);
  MW_FUZZ_CHECK(u.valid == ct.valid);
  MW_FUZZ_CHECK(u.type == ct.type && u.subtype == ct.subtype);
  MW_FUZZ_CHECK(u.params.items.size() == ct.params.items.size());
  for (std::size_t i = 0; i < u.params.items.size(); ++i) {
    MW_FUZZ_CHECK(u.params.items[i].name == ct.params.items[i].name);
    MW_FUZZ_CHECK(u.params.items[i].value == ct.params.items[i].value);
  }
  return 0;
}
