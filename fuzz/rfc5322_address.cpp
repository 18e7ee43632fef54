// Fuzz target: RFC 5322 address lists (mailwire/rfc5322/address.hpp).
//
// Input layout: [option byte] payload.
//   bit 0: parse_mailbox_list() instead of parse_address_list() (no groups);
//   bit 1: RFC 2047 decoding of display names off;
//   bits 2-4: k != 0 sets max_addresses = k and max_groups = k - 1 (0: defaults);
//   bits 5-7: k != 0 sets the comment depth limit to k and max_defects to 4 k (0: defaults).
// Checks: no crash (ASan/UBSan); the limits hold; groups are ordered ranges of mailboxes;
// offsets lie inside the input; names, local parts, domains and group names are valid UTF-8
// without CR or LF; the addr() of each mailbox re-parses to exactly that address (same local
// part and domain, no name); parse_mailbox() gives the first mailbox of the mailbox-list.
#include <mailwire/codec/charset.hpp>
#include <mailwire/rfc5322/address.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace r = mailwire::rfc5322;

namespace {

bool clean_text(const std::string& s) {
  return mailwire::charset::is_utf8(s) && s.find('\r') == std::string::npos &&
         s.find('\n') == std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t opt = h.byte();
  const std::string_view in = h.rest();
  const bool mailbox_list = (opt & 1u) != 0;
  r::address_options o;
  o.decode_encoded_words = (opt & 2u) == 0;
  r::address_limits lim;
  if (const unsigned k = (opt >> 2) & 7u; k != 0) {
    lim.max_addresses = k;
    lim.max_groups = k - 1;
  }
  if (const unsigned k = (opt >> 5) & 7u; k != 0) {
    lim.lexer.max_comment_depth = k;
    lim.max_defects = 4 * k;
  }

  const r::address_list l =
      mailbox_list ? r::parse_mailbox_list(in, o, lim) : r::parse_address_list(in, o, lim);
  MW_FUZZ_CHECK(l.mailboxes.size() <= lim.max_addresses);
  MW_FUZZ_CHECK(l.groups.size() <= lim.max_groups);
  MW_FUZZ_CHECK(l.defects.size() <= lim.max_defects);
  if (mailbox_list) MW_FUZZ_CHECK(l.groups.empty());
  for (const auto& d : l.defects) {
    MW_FUZZ_CHECK(d.code != r::errc::ok);
    MW_FUZZ_CHECK(d.offset <= in.size());
  }
  std::size_t next = 0, prev_offset = 0;
  for (const auto& g : l.groups) {
    MW_FUZZ_CHECK(g.first >= next);
    MW_FUZZ_CHECK(g.first + g.count <= l.mailboxes.size());
    MW_FUZZ_CHECK(g.offset < in.size() && g.offset >= prev_offset);
    MW_FUZZ_CHECK(clean_text(g.name));
    MW_FUZZ_CHECK(l.members(g).size() == g.count);
    next = g.first + g.count;
    prev_offset = g.offset;
  }
  prev_offset = 0;
  for (const auto& m : l.mailboxes) {
    MW_FUZZ_CHECK(m.offset < in.size() && m.offset >= prev_offset);
    prev_offset = m.offset;
    MW_FUZZ_CHECK(clean_text(m.name));
    MW_FUZZ_CHECK(clean_text(m.local_part));
    MW_FUZZ_CHECK(clean_text(m.domain));
    if (!m.has_address()) {
      MW_FUZZ_CHECK(m.addr().empty());
      continue;
    }
    const std::string a = m.addr();
    MW_FUZZ_CHECK(clean_text(a));
    const r::address_list back = r::parse_address_list(a, o);
    MW_FUZZ_CHECK(back.mailboxes.size() == 1);
    MW_FUZZ_CHECK(back.groups.empty());
    MW_FUZZ_CHECK(back.mailboxes[0].local_part == m.local_part);
    MW_FUZZ_CHECK(back.mailboxes[0].domain == m.domain);
    MW_FUZZ_CHECK(back.mailboxes[0].name.empty());
    MW_FUZZ_CHECK(back.mailboxes[0].addr() == a);
  }
  // parse_mailbox() is the first mailbox of parse_mailbox_list().
  const r::mailbox_result one = r::parse_mailbox(in, o, lim);
  const r::address_list ml = mailbox_list ? l : r::parse_mailbox_list(in, o, lim);
  MW_FUZZ_CHECK(one.found() == !ml.mailboxes.empty());
  if (one.found()) MW_FUZZ_CHECK(one.value == ml.mailboxes.front());
  return 0;
}
