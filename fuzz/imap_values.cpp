// Fuzz target: the IMAP value parsers and writers (mailwire/imap/values.hpp, sequence.hpp,
// flag.hpp, datetime.hpp).
//
// Input layout: [type byte] [option byte] payload.
//   type byte % 17 picks the parser: tag, atom, number, nz-number, number64, astring, string,
//   nstring, sequence-set, flag, flag-perm, flag-list, PERMANENTFLAGS list, mailbox,
//   list-mailbox, capability, date, date-time (17 = date-time via the same slot as date when
//   the option byte's bit 7 is set).
//   option byte: bit 0 utf8, bit 1 non_sync_literals off, bit 2 literal_minus, bit 3 literal8,
//   bit 4 authenticated, bits 5-6 small limits (literal 64, ranges 4, list items 4).
// Checks: consumed and error offsets inside the input; views inside the input; every proper
// prefix of an accepted value (and of the input up to an error) is need_more; accepted values
// are written, the output (plus a SP) parses back to an equal value with the same consumed
// length, and writing that gives the same bytes (idempotence); for the forms kept as written
// the output equals the consumed input byte for byte (literal counts: without leading zeros).
#include <mailwire/imap/datetime.hpp>
#include <mailwire/imap/flag.hpp>
#include <mailwire/imap/sequence.hpp>
#include <mailwire/imap/values.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace im = mailwire::imap;
using mailwire::status;

namespace {

im::limits lim;
im::options opt;

bool inside(std::string_view v, std::string_view buf) {
  return v.empty() || (v.data() >= buf.data() && v.data() + v.size() <= buf.data() + buf.size());
}

// Parse, write, re-parse. `exact`: the writer must reproduce the consumed input.
template <class Parse, class Write, class Views>
void run(std::string_view in, Parse parse, Write write, Views views, bool exact) {
  const auto r = parse(in);
  if (r.st == status::error) {
    MW_FUZZ_CHECK(r.error != im::errc::ok);
    MW_FUZZ_CHECK(r.error_offset < in.size());
    for (std::size_t k : {std::size_t{0}, r.error_offset / 2, r.error_offset}) {
      mwfuzz::heap_buffer p(in.substr(0, k));
      MW_FUZZ_CHECK(parse(p.view()).st == status::need_more);
    }
    return;
  }
  if (r.st == status::need_more) {
    MW_FUZZ_CHECK(r.consumed == 0);
    return;
  }
  MW_FUZZ_CHECK(r.st == status::event);
  MW_FUZZ_CHECK(r.consumed > 0 && r.consumed <= in.size());
  MW_FUZZ_CHECK(views(r.value, in.substr(0, r.consumed)));
  for (std::size_t k : {std::size_t{0}, r.consumed / 2, r.consumed - 1}) {
    mwfuzz::heap_buffer p(in.substr(0, k));
    MW_FUZZ_CHECK(parse(p.view()).st == status::need_more);
  }
  std::string out;
  if (write(out, r.value) != im::errc::ok) {
    MW_FUZZ_CHECK(out.empty());
    return;
  }
  if (exact) MW_FUZZ_CHECK(out == in.substr(0, r.consumed));
  const std::string again_in = out + " ";
  mwfuzz::heap_buffer buf(again_in);
  const auto back = parse(buf.view());
  MW_FUZZ_CHECK(back.st == status::event);
  MW_FUZZ_CHECK(back.consumed == out.size());
  MW_FUZZ_CHECK(back.value == r.value);
  std::string out2;
  MW_FUZZ_CHECK(write(out2, back.value) == im::errc::ok);
  MW_FUZZ_CHECK(out2 == out);
}

// A literal count written with leading zeros ("{007}") is valid but not canonical: the writer
// gives "{7}".
bool canonical_count(std::string_view in) {
  const std::size_t b = in.starts_with("~{") ? 2 : in.starts_with("{") ? 1 : 0;
  return b == 0 || !(in.size() > b + 1 && in[b] == '0' && in[b + 1] >= '0' && in[b + 1] <= '9');
}

const auto any_view = [](const auto&, std::string_view) { return true; };
const auto string_views = [](const im::string_value& v, std::string_view buf) { return inside(v.raw(), buf); };

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t type = h.byte();
  const std::uint8_t o = h.byte();
  const std::string_view in = h.rest();
  lim = {};
  opt = {};
  opt.utf8 = (o & 1) != 0;
  opt.non_sync_literals = (o & 2) == 0;
  opt.literal_minus = (o & 4) != 0;
  opt.literal8 = (o & 8) != 0;
  lim.authenticated = (o & 16) != 0;
  if (o & 0x60) {
    lim.literal_before_auth = lim.literal_after_auth = 64;
    lim.sequence_ranges = 4;
    lim.list_items = 4;
  }
  const auto P = [](auto f) { return [f](std::string_view s) { return f(s, lim, opt); }; };
  const auto W = [](auto f) { return [f](std::string& out, const auto& v) { return f(out, v); }; };
  const auto WO = [](auto f) { return [f](std::string& out, const auto& v) { return f(out, v, opt); }; };
  const auto num_w = [](std::string& out, std::uint64_t v) { return im::write_number(out, v); };

  switch (type % 17) {
    case 0:
      run(in, P(im::parse_tag), W(im::write_tag),
          [](const im::tag& t, std::string_view b) { return inside(t.text(), b); }, true);
      break;
    case 1:
      run(in, P(im::parse_atom), W(im::write_atom),
          [](const im::atom& a, std::string_view b) { return inside(a.text(), b); }, true);
      break;
    case 2: run(in, P(im::parse_number), num_w, any_view, false); break;
    case 3: run(in, P(im::parse_nz_number), num_w, any_view, false); break;
    case 4: run(in, P(im::parse_number64), num_w, any_view, false); break;
    case 5: run(in, P(im::parse_astring), WO(im::write_astring), string_views, canonical_count(in)); break;
    case 6: run(in, P(im::parse_string), WO(im::write_string), string_views, canonical_count(in)); break;
    case 7: run(in, P(im::parse_nstring), WO(im::write_nstring), string_views, false); break;
    case 8:
      run(in, P(im::parse_sequence_set), W([](std::string& out, const im::sequence_set& s) {
            return im::write_sequence_set(out, s);
          }),
          [](const im::sequence_set& s, std::string_view b) { return inside(s.raw(), b); }, true);
      break;
    case 9:
      run(in, P(im::parse_flag), W(im::write_flag),
          [](const im::flag& f, std::string_view b) { return inside(f.text(), b); }, true);
      break;
    case 10:
      run(in, P(im::parse_flag_perm), W(im::write_flag), any_view, true);
      break;
    case 11:
    case 12: {
      const bool perm = type % 17 == 12;
      run(in, [perm](std::string_view s) { return im::parse_flag_list(s, lim, opt, perm); },
          W([](std::string& out, const im::flag_list& l) { return im::write_flag_list(out, l); }),
          [](const im::flag_list& l, std::string_view b) { return inside(l.raw(), b); }, true);
      break;
    }
    case 13:
      run(in, P(im::parse_mailbox), WO(im::write_mailbox),
          [](const im::mailbox& m, std::string_view b) { return inside(m.name().raw(), b); }, false);
      break;
    case 14:
      run(in, P(im::parse_list_mailbox), WO(im::write_list_mailbox),
          [](const im::list_mailbox& m, std::string_view b) { return inside(m.pattern().raw(), b); },
          canonical_count(in));
      break;
    case 15:
      run(in, P(im::parse_capability), W(im::write_capability),
          [](const im::capability& c, std::string_view b) { return inside(c.text(), b); }, true);
      break;
    default:
      if (o & 0x80) run(in, P(im::parse_date_time), W(im::write_date_time), any_view, false);
      else run(in, P(im::parse_date), W(im::write_date), any_view, false);
      break;
  }
  return 0;
}
