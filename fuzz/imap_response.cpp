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
// agrees with parse_response. The data kept as written (NAMESPACE, THREAD, METADATA, QUOTAROOT,
// LIST / LSUB extended items) reads typed without error (imap/response_data.hpp), and its
// builder's text, written and parsed again, reads back to the same typed values (THREAD: the
// same bytes).
#include <mailwire/imap/response.hpp>
#include <mailwire/imap/response_data.hpp>
#include <string>
#include <vector>

#include "fuzz_common.hpp"

namespace im = mailwire::imap;
using mailwire::status;

namespace {

/// The typed values of the data a response keeps as written (response_data.hpp); ok: all read.
struct typed_data {
  bool ok = true;
  std::vector<im::namespace_desc> ns[3];
  std::vector<im::thread_node> threads;
  std::vector<im::metadata_entry> metadata;
  std::vector<im::string_value> roots;
  std::vector<im::list_extended_item> items;
  bool operator==(const typed_data& o) const {
    return ok == o.ok && ns[0] == o.ns[0] && ns[1] == o.ns[1] && ns[2] == o.ns[2] && threads == o.threads &&
           metadata == o.metadata && roots == o.roots && items == o.items;
  }
};

typed_data read_typed(const im::response& r, const im::response_options& ro) {
  typed_data t;
  const auto need = [&](const mailwire::imap::parse_result<std::size_t>& x) {
    if (!x.ok()) {
      std::fprintf(stderr, "reader failed: error %d at %zu\n", static_cast<int>(x.error), x.error_offset);
      t.ok = false;
    }
  };
  switch (r.kind) {
    case im::response_kind::namespace_: {
      const auto g = im::namespaces(r);
      for (int k = 0; k < 3; ++k)
        need(g[k].for_each([&](const im::namespace_desc& d) { t.ns[k].push_back(d); }));
      break;
    }
    case im::response_kind::thread:
      need(im::read_threads(r.extended, t.threads));
      break;
    case im::response_kind::metadata:
      need(im::for_each_metadata(r, [&](const im::metadata_entry& e) { t.metadata.push_back(e); }));
      if (t.metadata.size() != r.count) t.ok = false;
      break;
    case im::response_kind::quotaroot:
      need(im::for_each_quota_root(r.extended, [&](const im::string_value& v) { t.roots.push_back(v); }));
      if (t.roots.size() != r.count) t.ok = false;
      break;
    case im::response_kind::list:
    case im::response_kind::lsub:
      if (r.extended.empty()) break;
      need(im::for_each_list_extended(
          r.extended, [&](const im::list_extended_item& it) { t.items.push_back(it); }, ro));
      if (t.items.size() != r.count) t.ok = false;
      break;
    default:
      break;
  }
  return t;
}

/// Rebuilds the data with the builders, writes, parses and reads it again: the same values.
void check_rebuilt(const im::response& r, const typed_data& t, const im::limits& lim,
                   const im::response_options& ro) {
  im::response b = r;
  std::string storage;
  im::errc e = im::errc::ok;
  switch (r.kind) {
    case im::response_kind::namespace_:
      e = im::set_namespaces(b, storage, t.ns[0], t.ns[1], t.ns[2], ro);
      break;
    case im::response_kind::thread:
      e = im::set_threads(b, storage, t.threads);
      break;
    case im::response_kind::metadata:
      if (r.metadata_values) {
        e = im::set_metadata(b, storage, r.mbox, t.metadata, ro);
      } else {
        std::vector<im::string_value> names;
        for (const auto& m : t.metadata) names.push_back(m.name);
        e = im::set_metadata_entries(b, storage, r.mbox, names, ro);
      }
      break;
    case im::response_kind::quotaroot:
      e = im::set_quotaroot(b, storage, r.mbox, t.roots, ro);
      break;
    case im::response_kind::list:
    case im::response_kind::lsub:
      if (r.extended.empty()) return;
      e = im::set_list_extended(b, storage, t.items, ro);
      break;
    default:
      return;
  }
  if (e != im::errc::ok) std::fprintf(stderr, "builder refused: %d\n", static_cast<int>(e));
  MW_FUZZ_CHECK(e == im::errc::ok);
  if (r.kind == im::response_kind::thread) MW_FUZZ_CHECK(storage == r.extended);
  std::string out;
  MW_FUZZ_CHECK(im::write_response(out, b, ro) == im::errc::ok);
  mwfuzz::heap_buffer ob(out);
  const auto p = im::parse_response(ob.view(), nullptr, lim, ro);
  if (!p.ok()) {
    std::fprintf(stderr, "rebuilt data does not parse: %.*s (error %d at %zu)\n",
                 static_cast<int>(out.size()), out.data(), static_cast<int>(p.error), p.error_offset);
  }
  MW_FUZZ_CHECK(p.ok());
  const typed_data back = read_typed(p.value, ro);
  MW_FUZZ_CHECK(back.ok);
  if (!(back == t))
    std::fprintf(stderr, "rebuilt data reads differently: %.*s\n", static_cast<int>(out.size()), out.data());
  MW_FUZZ_CHECK(back == t);
}

}  // namespace

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
  {
    const typed_data t = read_typed(r.value, ro);
    MW_FUZZ_CHECK(t.ok);
    check_rebuilt(r.value, t, lim, ro);
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
    for (std::size_t i = 0; i < r.value.atts.size(); ++i)
      MW_FUZZ_CHECK(again.value.atts[i] == r.value.atts[i]);
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
