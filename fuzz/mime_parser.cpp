// Fuzz target: the streaming MIME parser (mailwire/mime/parser.hpp).
//
// Input layout: [option byte] [chunk plan] payload.
//   option byte: bit 0 decode, bit 1 parse_encoded_messages, bits 2-3 small limits
//   (max_depth 3 / max_parts 5 / max_boundary 8 / max_padding 4 / header 200 bytes), bits 4-7
//   decode_buffer = 64 + k * 13.
// Checks: the events of the payload fed in chunks through a host buffer equal the events of
// the whole payload given at once (split invariance: same kinds, entities, types, defects and
// joined data); in raw mode the event bytes cover the payload exactly once; views lie in
// their buffers; depth and part limits hold; the parser always reaches `end`.
#include <mailwire/mime/parser.hpp>

#include <string>
#include <vector>

#include "fuzz_common.hpp"

namespace mime = mailwire::mime;

namespace {

struct record {
  std::vector<std::string> events;  // structure, without data boundaries
  std::string data;                 // all data, tagged per entity change
  std::vector<int> defects;
  std::string covered;
};

void add(record& r, const mime::step& s, std::string_view in, const mime::parser_options& o,
         int& last_kind, std::size_t& last_index) {
  const std::size_t idx = s.ent ? s.ent->index : 0;
  if (s.ent) {
    MW_FUZZ_CHECK(s.ent->depth <= o.limits.max_depth);
    MW_FUZZ_CHECK(s.ent->index < o.limits.max_parts);
  }
  if (s.kind == mime::event::defect) {
    r.defects.push_back(static_cast<int>(s.problem.code));
  } else if (s.kind == mime::event::body || s.kind == mime::event::preamble || s.kind == mime::event::epilogue) {
    if (!(last_kind == static_cast<int>(s.kind) && last_index == idx))
      r.events.push_back(std::to_string(static_cast<int>(s.kind)) + ":" + std::to_string(idx));
    r.data.append(s.data);
  } else {
    std::string e = std::to_string(static_cast<int>(s.kind)) + ":" + std::to_string(idx);
    if (s.kind == mime::event::header_end) e += s.ent->type.type + "/" + s.ent->type.subtype;
    if (s.kind == mime::event::entity_begin) e += "@" + std::to_string(s.ent->depth);
    if (s.kind == mime::event::entity_end) e += "#" + std::to_string(s.ent->end_offset);
    r.events.push_back(e);
  }
  if (s.kind != mime::event::defect) {
    last_kind = static_cast<int>(s.kind);
    last_index = idx;
  }
  if (!o.decode && !s.decoded) {
    if (s.kind == mime::event::header_field) r.covered.append(in.substr(0, s.consumed));
    else r.covered.append(s.data);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t ob = h.byte();
  const mwfuzz::chunk_plan plan = mwfuzz::chunk_plan::read(h);
  const std::string_view payload = h.rest();
  mime::parser_options o;
  o.decode = ob & 1;
  o.parse_encoded_messages = ob & 2;
  if (ob & 4) {
    o.limits.max_depth = 3;
    o.limits.max_parts = 5;
  }
  if (ob & 8) {
    o.limits.max_boundary = 8;
    o.limits.max_padding = 4;
    o.limits.header.max_bytes = 200;
    o.limits.header.max_fields = 4;
  }
  o.decode_buffer = 64 + static_cast<std::size_t>(ob >> 4) * 13;

  // 1. The whole payload at once.
  record whole;
  {
    mime::parser p(o);
    std::size_t pos = 0;
    int lk = -1;
    std::size_t li = 0;
    for (std::size_t guard = 0;; ++guard) {
      MW_FUZZ_CHECK(guard < 10 * payload.size() + 100000);
      const std::string_view in = payload.substr(pos);
      const mime::step s = p.next(in, true);
      MW_FUZZ_CHECK(s.st == mailwire::status::event);
      MW_FUZZ_CHECK(s.consumed <= in.size());
      if (!s.decoded && !s.data.empty() && s.kind != mime::event::defect) {
        MW_FUZZ_CHECK(s.data.data() >= in.data());
        MW_FUZZ_CHECK(s.data.data() + s.data.size() <= in.data() + in.size());
      }
      add(whole, s, in, o, lk, li);
      pos += s.consumed;
      if (s.kind == mime::event::end) break;
    }
    MW_FUZZ_CHECK(pos == payload.size());
    if (!o.decode) MW_FUZZ_CHECK(whole.covered.size() <= payload.size());
  }

  // 2. In chunks through a host buffer.
  record split;
  {
    mime::parser p(o);
    std::string buf;
    std::size_t pos = 0, j = 0;
    int lk = -1;
    std::size_t li = 0;
    for (std::size_t guard = 0;; ++guard) {
      MW_FUZZ_CHECK(guard < 20 * payload.size() + 100000);
      const bool final = pos == payload.size();
      mwfuzz::heap_buffer exact(buf);
      const std::string_view in = exact.view();
      const mime::step s = p.next(in, final);
      MW_FUZZ_CHECK(s.consumed <= in.size());
      if (s.st == mailwire::status::need_more) {
        MW_FUZZ_CHECK(!final);
        if (!o.decode) split.covered.append(in.substr(0, s.consumed));
        buf.erase(0, s.consumed);
        const std::size_t n = plan.size(j++, payload.size() - pos);
        buf.append(payload.substr(pos, n));
        pos += n;
        continue;
      }
      MW_FUZZ_CHECK(s.st == mailwire::status::event);
      add(split, s, in, o, lk, li);
      buf.erase(0, s.consumed);
      if (s.kind == mime::event::end) break;
    }
    MW_FUZZ_CHECK(buf.empty());
  }
  MW_FUZZ_CHECK(split.events == whole.events);
  MW_FUZZ_CHECK(split.data == whole.data);
  MW_FUZZ_CHECK(split.defects == whole.defects);
  // Raw mode: the event bytes are the payload. (Bytes given to a decoder, for a body or an
  // encoded message, are consumed without an event of their own.)
  if (!o.decode && !o.parse_encoded_messages) {
    MW_FUZZ_CHECK(split.covered == whole.covered);
    MW_FUZZ_CHECK(whole.covered == payload);
  }
  return 0;
}
