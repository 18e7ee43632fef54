// Fuzz target: the POP3 response codecs (mailwire/pop3/response.hpp).
//
// Input layout: [option byte] [chunk plan] payload.
//   option byte: bit 0 utf8, bit 1 lenient_bare_lf, bit 2 lenient_8bit_text, bits 3-4 mode:
//     0: pipelined response lines (parse_response) with round trips;
//     1: a multi-line body through multiline_decoder in the chunks of the plan, compared with the
//        one-shot decode (split invariance), then every decoded line as CAPA / scan / UIDL;
//     2: the payload through multiline_encoder in chunks, then decoded back (round trip);
//     3: each LF-separated piece as CAPA, scan and UIDL lines with serializer round trips.
//   bits 5-7: output buffer of 1 + 7 * k bytes for the chunked runs.
#include <mailwire/pop3/response.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace p3 = mailwire::pop3;
using mailwire::status;

namespace {

struct decoded {
  std::string body;
  status st = status::need_more;
  p3::errc error = p3::errc::ok;
  std::size_t consumed = 0;
};

decoded decode_chunked(std::string_view in, const mwfuzz::chunk_plan& plan, std::size_t out_size) {
  decoded d;
  p3::multiline_decoder dec;
  mwfuzz::heap_buffer out(out_size);
  std::size_t pos = 0;
  for (std::size_t j = 0;; ++j) {
    const std::size_t len = plan.size(j, in.size() - pos);
    const bool last = pos + len == in.size();
    mwfuzz::heap_buffer chunk(in.substr(pos, len));
    std::string_view rest = chunk.view();
    for (;;) {
      const auto r = dec.decode(rest, out.span(), last);
      MW_FUZZ_CHECK(r.consumed <= rest.size() && r.produced <= out_size);
      d.body.append(out.data(), r.produced);
      rest.remove_prefix(r.consumed);
      d.consumed += r.consumed;
      if (r.st == status::paused) {
        MW_FUZZ_CHECK(r.consumed != 0 || r.produced != 0);
        continue;
      }
      if (r.st == status::event || r.st == status::error) {
        d.st = r.st;
        d.error = r.error;
        if (r.st == status::event) MW_FUZZ_CHECK(dec.done());
        return d;
      }
      MW_FUZZ_CHECK(rest.empty() && !last);
      break;
    }
    pos += len;
  }
}

void lines(std::string_view piece) {
  const auto c = p3::parse_capability(piece);
  if (c.ok()) {
    std::string out;
    MW_FUZZ_CHECK(p3::serialize(c.value, out) == p3::errc::ok && out == piece);
  }
  const auto s = p3::parse_scan_listing(piece);
  if (s.ok()) {
    std::string out;
    MW_FUZZ_CHECK(p3::serialize(s.value, out) == p3::errc::ok);
    const auto b = p3::parse_scan_listing(out);
    MW_FUZZ_CHECK(b.ok() && b.value == s.value);
  }
  (void)p3::parse_scan_listing(piece, {}, true);
  const auto u = p3::parse_uidl_listing(piece);
  if (u.ok()) {
    std::string out;
    MW_FUZZ_CHECK(p3::serialize(u.value, out) == p3::errc::ok);
    const auto b = p3::parse_uidl_listing(out);
    MW_FUZZ_CHECK(b.ok() && b.value.message == u.value.message && b.value.uid == u.value.uid);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t ob = h.byte();
  const mwfuzz::chunk_plan plan = mwfuzz::chunk_plan::read(h);
  const std::string_view payload = h.rest();
  p3::response_options opt;
  opt.utf8 = ob & 1;
  opt.lenient_bare_lf = ob & 2;
  opt.lenient_8bit_text = ob & 4;
  const unsigned mode = (ob >> 3) & 3u;
  const std::size_t out_size = 1 + 7 * std::size_t{static_cast<unsigned>(ob >> 5)};
  switch (mode) {
    case 0: {
      std::string_view rest = payload;
      while (!rest.empty()) {
        const auto r = p3::parse_response(rest, {}, opt);
        if (r.st == status::need_more || (r.st == status::error && r.consumed == 0)) break;
        MW_FUZZ_CHECK(r.consumed <= rest.size() && rest[r.consumed - 1] == '\n');
        if (r.ok()) {
          std::string out;
          MW_FUZZ_CHECK(p3::serialize(r.value, out) == p3::errc::ok);
          p3::limits big;
          big.response_line = big.auth_line = ~std::size_t{0} >> 1;
          p3::response_options o;
          o.lenient_8bit_text = true;
          const auto back = p3::parse_response(out, big, o);
          MW_FUZZ_CHECK(back.ok() && back.consumed == out.size() && back.value == r.value);
          if (!r.value.code.empty()) MW_FUZZ_CHECK(r.value.code_kind() != p3::response_code::none);
        }
        rest.remove_prefix(r.consumed);
      }
      break;
    }
    case 1: {
      const decoded whole = decode_chunked(payload, mwfuzz::chunk_plan{}, payload.size() + 1);
      const decoded split = decode_chunked(payload, plan, out_size);
      MW_FUZZ_CHECK(whole.body == split.body && whole.st == split.st && whole.error == split.error &&
                    whole.consumed == split.consumed);
      MW_FUZZ_CHECK(whole.body.size() <= whole.consumed);
      if (whole.st == status::event) {
        std::string_view b = whole.body, line;
        while (p3::next_line(b, line)) lines(line);
      }
      break;
    }
    case 2: {
      p3::multiline_encoder enc;
      const auto wire = mwfuzz::run_stream<p3::errc>(
          enc, [](auto& c, std::string_view in, std::span<char> out, bool fin) { return c.encode(in, out, fin); },
          payload, plan, out_size);
      MW_FUZZ_CHECK(wire.st == status::event);
      const decoded back = decode_chunked(wire.output + "+OK\r\n", mwfuzz::chunk_plan{}, wire.output.size() + 8);
      MW_FUZZ_CHECK(back.st == status::event && back.consumed == wire.output.size());
      // The content comes back with every line end as CRLF: compare without line ends.
      std::string a, b;
      for (char c : payload)
        if (c != '\r' && c != '\n') a.push_back(c);
      for (char c : back.body)
        if (c != '\r' && c != '\n') b.push_back(c);
      MW_FUZZ_CHECK(a == b);
      break;
    }
    default: {
      std::string_view rest = payload;
      while (!rest.empty()) {
        const std::size_t lf = rest.find('\n');
        lines(rest.substr(0, lf));
        if (lf == std::string_view::npos) break;
        rest.remove_prefix(lf + 1);
      }
      break;
    }
  }
  return 0;
}
