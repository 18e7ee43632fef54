// Fuzz target: the DATA receiver and sender (mailwire/smtp/data.hpp).
//
// Input layout: [option byte] [chunk plan] payload. Option bits 0-1: bare line ending mode
// (0/3 reject, 1 normalize, 2 pass); bits 2-3: max_line (0 default, 1: 10, 2: 80, 3: none);
// bits 4-7: output buffer size - 1 for the chunked runs.
// Checks: the receiver's outcome (output, status, error, offset, octets consumed) is the same
// whole and in the chunks of the plan with a small output buffer (split invariance); it never
// ends except at CRLF "." CRLF; the sender's output is the same in any chunking, and read back
// by the receiver it gives the payload with every line end as CRLF (plus a final CRLF).
#include <mailwire/smtp/data.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace smtp = mailwire::smtp;
using mailwire::status;

namespace {

struct rx_run {
  std::string out;
  status st = status::need_more;
  smtp::data_errc error{};
  std::uint64_t off = 0;
  std::size_t consumed = 0;
  bool operator==(const rx_run&) const = default;
};

rx_run receive(const smtp::data_options& o, std::string_view in, const mwfuzz::chunk_plan& plan,
               std::size_t out_size) {
  smtp::data_receiver rx(o);
  rx_run res;
  mwfuzz::heap_buffer out(out_size);
  std::string pending;
  std::size_t pos = 0;
  for (std::size_t j = 0;; ++j) {
    const std::size_t len = plan.size(j, in.size() - pos);
    pending.append(in.substr(pos, len));
    pos += len;
    const bool last = pos == in.size();
    mwfuzz::heap_buffer chunk(pending);
    std::string_view rest = chunk.view();
    for (;;) {
      const auto r = rx.decode(rest, out.span(), last);
      MW_FUZZ_CHECK(r.consumed <= rest.size() && r.produced <= out_size);
      res.out.append(out.data(), r.produced);
      res.consumed += r.consumed;
      rest.remove_prefix(r.consumed);
      if (r.st == status::paused) {
        MW_FUZZ_CHECK(r.consumed != 0 || r.produced != 0);
        continue;
      }
      if (r.st == status::need_more) {
        MW_FUZZ_CHECK(rest.empty() && !last);
        break;
      }
      res.st = r.st;
      res.error = r.error;
      res.off = r.error_offset;
      const auto again = rx.decode(rest, out.span(), last);
      MW_FUZZ_CHECK(again.st == r.st && again.consumed == 0 && again.produced == 0);
      return res;
    }
    pending.assign(rest);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t ob = h.byte();
  const mwfuzz::chunk_plan plan = mwfuzz::chunk_plan::read(h);
  const std::string_view payload = h.rest();
  smtp::data_options o;
  const unsigned m = ob & 3u;
  o.bare_line_endings = m == 1 ? smtp::bare_line_ending::normalize
                        : m == 2 ? smtp::bare_line_ending::pass
                                 : smtp::bare_line_ending::reject;
  const unsigned ml = (ob >> 2) & 3u;
  o.max_line = ml == 1 ? 10 : ml == 2 ? 80 : ml == 3 ? 0 : 1000;
  const std::size_t small = (ob >> 4) + 1u;

  const rx_run whole = receive(o, payload, mwfuzz::chunk_plan{}, payload.size() * 2 + 8);
  const rx_run split = receive(o, payload, plan, small);
  MW_FUZZ_CHECK(whole == split);
  if (whole.st == status::event || (whole.st == status::error &&
                                    whole.error != smtp::data_errc::unexpected_end)) {
    // The data ended, and only at CRLF "." CRLF (or "." CRLF at the very start).
    const std::string_view upto = payload.substr(0, whole.consumed);
    MW_FUZZ_CHECK(upto.size() >= 3 && upto.substr(upto.size() - 3) == ".\r\n");
    MW_FUZZ_CHECK(upto.size() == 3 || upto.substr(upto.size() - 5, 2) == "\r\n");
  } else {
    MW_FUZZ_CHECK(whole.error == smtp::data_errc::unexpected_end);
    MW_FUZZ_CHECK(whole.consumed == payload.size());
  }
  if (whole.st == status::event && o.bare_line_endings != smtp::bare_line_ending::pass) {
    // No bare CR or LF reaches the output unless passed on purpose.
    for (std::size_t k = 0; k < whole.out.size(); ++k) {
      if (whole.out[k] == '\r') MW_FUZZ_CHECK(k + 1 < whole.out.size() && whole.out[k + 1] == '\n');
      if (whole.out[k] == '\n') MW_FUZZ_CHECK(k > 0 && whole.out[k - 1] == '\r');
    }
  }

  // Sender: split invariance, then the receiver reads back the normalized payload.
  smtp::data_sender a, b;
  auto step = [](smtp::data_sender& c, std::string_view in, std::span<char> out, bool fin) {
    return c.encode(in, out, fin);
  };
  const auto wa = mwfuzz::run_stream<smtp::data_errc>(a, step, payload, mwfuzz::chunk_plan{},
                                                      payload.size() * 3 + 8);
  const auto wb = mwfuzz::run_stream<smtp::data_errc>(b, step, payload, plan, small);
  MW_FUZZ_CHECK(wa.st == status::event && wa == wb);
  std::string norm;
  for (std::size_t k = 0; k < payload.size(); ++k) {
    if (payload[k] == '\r') {
      norm += "\r\n";
      if (k + 1 < payload.size() && payload[k + 1] == '\n') ++k;
    } else if (payload[k] == '\n') {
      norm += "\r\n";
    } else {
      norm += payload[k];
    }
  }
  if (!norm.empty() && (norm.size() < 2 || norm.compare(norm.size() - 2, 2, "\r\n") != 0))
    norm += "\r\n";
  smtp::data_options lax;
  lax.max_line = 0;
  const rx_run back = receive(lax, wa.output, plan, small);
  MW_FUZZ_CHECK(back.st == status::event && back.consumed == wa.output.size());
  MW_FUZZ_CHECK(back.out == norm);
  return 0;
}
