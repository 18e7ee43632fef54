// Fuzz target: the RFC 5322 header-block parser (mailwire/rfc5322/header.hpp).
//
// Input layout: [limit byte] [chunk plan] payload.
//   limit byte: bits 0-3 choose max_fields (0 = default, else 1-15); bits 4-7 max_bytes
//   (0 = default, else k * 37 bytes).
//   chunk plan: see fuzz_common.hpp; the payload reaches the parser in those chunks through a
//   host buffer that keeps the unconsumed bytes.
// Checks: every event equals the one-shot parse_header_block() of the whole payload
// (split-invariance); views lie inside the buffer; fields and bytes stay within the limits;
// unfold() never grows a value; the body offset is within the payload.
#include <mailwire/rfc5322/header.hpp>

#include <string>
#include <vector>

#include "fuzz_common.hpp"

namespace r = mailwire::rfc5322;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t lb = h.byte();
  const mwfuzz::chunk_plan plan = mwfuzz::chunk_plan::read(h);
  const std::string_view payload = h.rest();
  r::header_limits lim;
  if (lb & 0x0f) lim.max_fields = lb & 0x0f;
  if (lb >> 4) lim.max_bytes = static_cast<std::size_t>(lb >> 4) * 37;

  const r::header_block whole = r::parse_header_block(payload, lim);
  MW_FUZZ_CHECK(whole.body_offset <= payload.size());
  MW_FUZZ_CHECK(whole.fields.size() <= lim.max_fields);
  std::size_t header_bytes = 0;
  for (const auto& f : whole.fields) {
    MW_FUZZ_CHECK(f.name.data() >= payload.data());
    MW_FUZZ_CHECK(f.raw_value.data() + f.raw_value.size() <= payload.data() + payload.size());
    MW_FUZZ_CHECK(!f.name.empty());
    MW_FUZZ_CHECK(r::unfold(f.raw_value).size() <= f.raw_value.size());
    header_bytes += f.size;
  }
  MW_FUZZ_CHECK(header_bytes <= lim.max_bytes);

  // The same payload through a host buffer, in chunks.
  r::header_parser hp(lim);
  std::string buf;
  std::size_t pos = 0, j = 0, nf = 0, nd = 0;
  for (;;) {
    const bool final = pos == payload.size();
    const r::header_step s = hp.next(buf, final);
    if (s.st == mailwire::status::need_more) {
      MW_FUZZ_CHECK(!final);
      const std::size_t n = plan.size(j++, payload.size() - pos);
      mwfuzz::heap_buffer chunk(payload.substr(pos, n));
      buf.append(chunk.view());
      pos += n;
      continue;
    }
    MW_FUZZ_CHECK(s.st == mailwire::status::event);
    MW_FUZZ_CHECK(s.consumed <= buf.size());
    if (s.kind == r::header_event::field) {
      MW_FUZZ_CHECK(nf < whole.fields.size());
      MW_FUZZ_CHECK(s.field.name == whole.fields[nf].name);
      MW_FUZZ_CHECK(s.field.raw_value == whole.fields[nf].raw_value);
      MW_FUZZ_CHECK(s.field.offset == whole.fields[nf].offset);
      ++nf;
    } else if (s.kind == r::header_event::defect) {
      MW_FUZZ_CHECK(nd < whole.defects.size());
      MW_FUZZ_CHECK(s.problem.code == whole.defects[nd].code);
      MW_FUZZ_CHECK(s.problem.offset == whole.defects[nd].offset);
      ++nd;
    }
    buf.erase(0, s.consumed);
    if (s.kind == r::header_event::end) break;
  }
  MW_FUZZ_CHECK(nf == whole.fields.size());
  MW_FUZZ_CHECK(nd == whole.defects.size());
  MW_FUZZ_CHECK(hp.body_offset() == whole.body_offset);
  return 0;
}
