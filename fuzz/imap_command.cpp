// Fuzz target: the IMAP command parser and writer (mailwire/imap/command.hpp, with fetch.hpp
// and search.hpp underneath), the APPEND prefix parser and the continuation-line parsers.
//
// Input layout: [option byte] payload (one command message, literals inline).
//   option byte: bit 0 utf8, bit 1 non_sync_literals off, bit 2 literal_minus, bit 3
//   authenticated, bit 4 small limits (list items 3, ranges 3, search depth 2, literal 64).
// Checks: 0 < consumed <= size on an event, error offsets inside the input, views of the command
// inside the input (tag, name); every proper prefix tried (0, half, size-1; up to an error's
// offset) is need_more; an accepted command writes, the output parses back to an equal command
// with the same length, and writing that gives the same bytes; parse_append_prefix agrees with
// parse_command on APPEND (same tag, mailbox, literal offset inside the message);
// parse_authenticate_line / parse_idle_done keep their offsets inside the input.
#include <mailwire/imap/command.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace im = mailwire::imap;
using mailwire::status;

namespace {

bool inside(std::string_view v, std::string_view buf) {
  return v.empty() || (v.data() >= buf.data() && v.data() + v.size() <= buf.data() + buf.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t o = h.byte();
  const std::string_view in = h.rest();
  im::options opt;
  opt.utf8 = (o & 1) != 0;
  opt.non_sync_literals = (o & 2) == 0;
  opt.literal_minus = (o & 4) != 0;
  im::limits lim;
  lim.authenticated = (o & 8) != 0;
  if (o & 16) {
    lim.list_items = 3;
    lim.sequence_ranges = 3;
    lim.search_depth = 2;
    lim.literal_before_auth = 64;
    lim.literal_after_auth = 64;
  }
  auto parse = [&](std::string_view s) { return im::parse_command(s, {}, lim, opt); };

  const auto r = parse(in);
  if (r.st == status::error) {
    MW_FUZZ_CHECK(r.error != im::errc::ok);
    MW_FUZZ_CHECK(r.error_offset < in.size());
    MW_FUZZ_CHECK(inside(r.value.tag.text(), in));
    for (std::size_t k : {std::size_t{0}, r.error_offset / 2, r.error_offset}) {
      mwfuzz::heap_buffer p(in.substr(0, k));
      MW_FUZZ_CHECK(parse(p.view()).st == status::need_more);
    }
  } else if (r.st == status::need_more) {
    MW_FUZZ_CHECK(r.consumed == 0);
  } else {
    MW_FUZZ_CHECK(r.consumed > 0 && r.consumed <= in.size());
    MW_FUZZ_CHECK(inside(r.value.tag.text(), in) && inside(r.value.name, in));
    for (std::size_t k : {std::size_t{0}, r.consumed / 2, r.consumed - 1}) {
      mwfuzz::heap_buffer p(in.substr(0, k));
      MW_FUZZ_CHECK(parse(p.view()).st == status::need_more);
    }
    std::string out;
    const im::errc we = im::write_command(out, r.value, opt);
    if (we != im::errc::ok) {
      MW_FUZZ_CHECK(out.empty());
    } else {
      mwfuzz::heap_buffer buf(out);
      const auto back = parse(buf.view());
      MW_FUZZ_CHECK(back.st == status::event);
      MW_FUZZ_CHECK(back.consumed == out.size());
      MW_FUZZ_CHECK(back.value == r.value);
      std::string out2;
      MW_FUZZ_CHECK(im::write_command(out2, back.value, opt) == im::errc::ok);
      MW_FUZZ_CHECK(out2 == out);
    }
    if (r.value.kind == im::command_kind::append && !r.value.uid) {
      const auto p = im::parse_append_prefix(in, lim, opt);
      MW_FUZZ_CHECK(p.st == status::event);
      MW_FUZZ_CHECK(p.value.tag == r.value.tag);
      MW_FUZZ_CHECK(p.value.mbox == std::get<im::cmd_append>(r.value.args).mbox);
      MW_FUZZ_CHECK(p.value.literal_offset < r.consumed);
    }
  }
  const auto a = im::parse_append_prefix(in, lim, opt);
  if (a.st == status::error) MW_FUZZ_CHECK(a.error_offset < in.size());
  if (a.st == status::event) MW_FUZZ_CHECK(a.consumed <= in.size());
  const auto l = im::parse_authenticate_line(in);
  if (l.st == status::error) MW_FUZZ_CHECK(l.error_offset < in.size());
  if (l.st == status::event) MW_FUZZ_CHECK(l.consumed <= in.size() && inside(l.value.data, in));
  const auto d = im::parse_idle_done(in);
  if (d.st == status::error) MW_FUZZ_CHECK(d.error_offset < in.size());
  return 0;
}
