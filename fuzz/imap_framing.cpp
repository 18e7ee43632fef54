// Fuzz target: the IMAP framer (mailwire/imap/framing.hpp), split invariance and exactness.
//
// Input layout: [option byte] [limit byte] [inline byte] [decision byte] [chunk plan] payload.
//   option byte: bit 0 client side; bits 1-2 non-sync rule (0 none, 1 LITERAL-, 2-3 LITERAL+);
//   bit 3 lenient_bare_lf; bit 4 lenient_nul_in_literal; bit 5 authenticated from the start;
//   bit 6 small limits (from the limit byte); bit 7 set_authenticated(true) after the first
//   message.
//   limit byte (with bit 6): line = 4 + byte % 64, literal = byte * 3, literals per message =
//   byte % 8, message octets = 8 + byte * 2 (both before and after authentication).
//   inline byte: inline_literal_max = byte % 64 and, with bit 6, no line events (255: the
//   default 64 KiB, line events on).
//   decision byte: the n-th paused literal is accepted when bit n % 8 is set.
//   chunk plan: fuzz_common.hpp's chunk_plan.
// Checks: the events of the payload fed in the plan's chunks equal those of the payload fed
// whole (streamed octets joined); every streamed octet is delivered once, in order, and is the
// payload octet at its offset; each message equals the payload from its offset with the
// streamed literals' octets removed, its inline literals at their spans; views in bounds; the
// message buffer within the message limit; sticky errors; paused only for a server's "{N}";
// octets_examined() the same in both runs when nothing failed, and at most 8 per payload octet.
#include <mailwire/imap/framing.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "fuzz_common.hpp"

namespace imap = mailwire::imap;
using imap::frame_event_kind;
using mailwire::status;

namespace {

struct config {
  imap::framing_options opt;
  imap::limits lim;
  std::uint8_t decisions = 0;
  bool auth_after_first = false;
};

struct result {
  std::vector<std::string> log;
  std::uint64_t examined = 0;  // equal in both runs when nothing failed (a failed line may
                               // have been scanned ahead for its LF in one run, not the other)
  bool clean = true;           // no message failed, no fatal error
  bool operator==(const result& o) const {
    return log == o.log && clean == o.clean && (!clean || examined == o.examined);
  }
};

std::string num(std::uint64_t v) { return std::to_string(v); }

result run(const config& c, std::string_view payload, const mwfuzz::chunk_plan& plan) {
  result res;
  imap::framer f(c.opt, c.lim);
  std::size_t pos = 0, pauses = 0;
  bool data_open = false, first_done = false;
  std::uint64_t next_data = 0;                       // stream offset the next data chunk must have
  std::vector<std::uint64_t> literal_stream_offset;  // of each literal of the current message
  const std::size_t mlimit = std::max(c.lim.message_before_auth, c.lim.message_after_auth);
  for (std::size_t j = 0;; ++j) {
    const std::size_t len = plan.size(j, payload.size() - pos);
    mwfuzz::heap_buffer chunk(payload.substr(pos, len));
    std::string_view rest = chunk.view();
    for (;;) {
      const std::uint64_t before = f.offset();
      const imap::frame_result r = f.next(rest);
      MW_FUZZ_CHECK(r.consumed <= rest.size());
      MW_FUZZ_CHECK(f.buffered() <= mlimit);
      res.clean = res.clean && f.failing() == imap::errc::ok;
      const std::string_view taken = rest.substr(0, r.consumed);
      rest.remove_prefix(r.consumed);
      if (r.st == status::error) {
        MW_FUZZ_CHECK(r.error != imap::errc::ok);
        MW_FUZZ_CHECK(r.error_offset <= before + r.consumed);
        res.clean = false;
        res.log.push_back("fatal " + num(static_cast<unsigned>(r.error)) + " @" + num(r.error_offset));
        const imap::frame_result again = f.next(rest);
        MW_FUZZ_CHECK(again.st == status::error && again.error == r.error && again.consumed == 0);
        res.examined = f.octets_examined();
        return res;
      }
      MW_FUZZ_CHECK(f.offset() == before + r.consumed);
      if (r.st == status::need_more) {
        MW_FUZZ_CHECK(rest.empty());
        break;
      }
      const imap::frame_event& ev = r.ev;
      if (r.st == status::paused) {
        MW_FUZZ_CHECK(c.opt.side == imap::framing_side::server);
        MW_FUZZ_CHECK(ev.kind == frame_event_kind::literal_begin && ev.literal.sync);
      } else {
        MW_FUZZ_CHECK(r.st == status::event);
      }
      if (ev.kind != frame_event_kind::literal_data) data_open = false;
      switch (ev.kind) {
        case frame_event_kind::line:
          MW_FUZZ_CHECK(c.opt.line_events);
          MW_FUZZ_CHECK(ev.text.find('\n') == std::string_view::npos);
          res.log.push_back("line " + std::string(ev.text) + " @" + num(ev.offset));
          break;
        case frame_event_kind::literal_begin: {
          MW_FUZZ_CHECK(ev.literals.size() == ev.index + 1 && ev.literals.back() == ev.literal);
          MW_FUZZ_CHECK(ev.literal.offset == ev.message.size());
          MW_FUZZ_CHECK(ev.literal.size <= c.lim.literal() || ev.literal.size <= c.lim.literal_after_auth);
          if (!ev.literal.sync) MW_FUZZ_CHECK(c.opt.non_sync != imap::non_sync_literals::none);
          MW_FUZZ_CHECK(ev.literal.streamed || ev.literal.size <= c.opt.inline_literal_max);
          literal_stream_offset.push_back(ev.offset);
          next_data = ev.offset;
          std::string line = "begin #" + num(ev.index) + " " + num(ev.literal.size) +
                             (ev.literal.sync ? "s" : "n") + (ev.literal.binary ? "b" : "") +
                             (ev.literal.streamed ? "S" : "I") + " @" + num(ev.offset) + " | " +
                             std::string(ev.message);
          if (r.st == status::paused) {
            const bool yes = (c.decisions >> (pauses++ % 8)) & 1u;
            MW_FUZZ_CHECK(f.next(rest).st == status::paused);
            MW_FUZZ_CHECK((yes ? f.accept_literal() : f.reject_literal()) == imap::errc::ok);
            line += yes ? " accepted" : " rejected";
            if (!yes) literal_stream_offset.clear();
          }
          res.log.push_back(line);
          break;
        }
        case frame_event_kind::literal_data:
          MW_FUZZ_CHECK(ev.literal.streamed && !ev.text.empty());
          // A view of this call's input: the octets just taken, in stream order, exactly once.
          MW_FUZZ_CHECK(ev.text.data() >= taken.data() &&
                        ev.text.data() + ev.text.size() <= taken.data() + taken.size());
          MW_FUZZ_CHECK(ev.offset == next_data);
          MW_FUZZ_CHECK(ev.offset + ev.text.size() <= payload.size());
          MW_FUZZ_CHECK(payload.substr(ev.offset, ev.text.size()) == ev.text);
          if (!ev.literal.binary && !c.opt.lenient_nul_in_literal)
            MW_FUZZ_CHECK(ev.text.find('\0') == std::string_view::npos);
          next_data += ev.text.size();
          if (data_open)
            res.log.back() += ev.text;
          else
            res.log.push_back("data #" + num(ev.index) + " " + std::string(ev.text));
          data_open = true;
          break;
        case frame_event_kind::literal_end:
          if (ev.literal.streamed) MW_FUZZ_CHECK(next_data == ev.offset + ev.literal.size);
          res.log.push_back("end #" + num(ev.index));
          break;
        case frame_event_kind::message_end:
        case frame_event_kind::message_failed: {
          const bool ok = ev.kind == frame_event_kind::message_end;
          res.clean = res.clean && ok;
          MW_FUZZ_CHECK(ok == (ev.error == imap::errc::ok));
          MW_FUZZ_CHECK(ev.message.size() <= mlimit);
          if (ok) {
            // The message is the payload from its offset, minus the streamed literals' octets.
            MW_FUZZ_CHECK(!ev.message.empty() && ev.message.back() == '\n');
            MW_FUZZ_CHECK(literal_stream_offset.size() == ev.literals.size());
            std::uint64_t p = ev.offset;
            std::size_t m = 0;
            for (std::size_t k = 0; k < ev.literals.size(); ++k) {
              const imap::literal_span& s = ev.literals[k];
              MW_FUZZ_CHECK(s.offset >= m && s.offset <= ev.message.size());
              MW_FUZZ_CHECK(ev.message.substr(m, s.offset - m) == payload.substr(p, s.offset - m));
              p += s.offset - m;
              m = s.offset;
              MW_FUZZ_CHECK(p == literal_stream_offset[k]);
              if (!s.streamed) {
                MW_FUZZ_CHECK(ev.message.substr(m, s.size) == payload.substr(p, s.size));
                m += s.size;
              }
              p += s.size;
            }
            MW_FUZZ_CHECK(ev.message.substr(m) == payload.substr(p, ev.message.size() - m));
            MW_FUZZ_CHECK(p + (ev.message.size() - m) == f.offset());
          } else {
            MW_FUZZ_CHECK(ev.error_offset >= ev.offset && ev.error_offset < f.offset());
          }
          res.log.push_back(std::string(ok ? "message @" : "failed ") +
                            (ok ? "" : num(static_cast<unsigned>(ev.error)) + " @") +
                            num(ok ? ev.offset : ev.error_offset) + " | " + std::string(ev.message));
          literal_stream_offset.clear();
          if (!first_done && c.auth_after_first) f.set_authenticated(true);
          first_done = true;
          break;
        }
        case frame_event_kind::none: MW_FUZZ_CHECK(false); break;
      }
    }
    pos += len;
    if (pos == payload.size()) break;
  }
  res.examined = f.octets_examined();
  MW_FUZZ_CHECK(res.examined <= 8 * payload.size() + 16);
  return res;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t ob = h.byte();
  const std::uint8_t lb = h.byte();
  const std::uint8_t ib = h.byte();
  config c;
  c.decisions = h.byte();
  const mwfuzz::chunk_plan plan = mwfuzz::chunk_plan::read(h);
  c.opt.side = (ob & 1) ? imap::framing_side::client : imap::framing_side::server;
  switch ((ob >> 1) & 3) {
    case 0: c.opt.non_sync = imap::non_sync_literals::none; break;
    case 1: c.opt.non_sync = imap::non_sync_literals::literal_minus; break;
    default: c.opt.non_sync = imap::non_sync_literals::literal_plus; break;
  }
  c.opt.lenient_bare_lf = ob & 8;
  c.opt.lenient_nul_in_literal = ob & 16;
  c.lim.authenticated = ob & 32;
  if (ob & 64) {
    c.lim.line_before_auth = c.lim.line_after_auth = 4 + lb % 64;
    c.lim.literal_before_auth = c.lim.literal_after_auth = std::size_t{lb} * 3;
    c.lim.literals_per_message = lb % 8;
    c.lim.message_before_auth = c.lim.message_after_auth = 8 + std::size_t{lb} * 2;
  }
  c.auth_after_first = ob & 128;
  if (ib != 255) {
    c.opt.inline_literal_max = ib % 64;
    c.opt.line_events = !(ib & 64);
  }
  const std::string_view payload = h.rest();
  const result whole = run(c, payload, mwfuzz::chunk_plan{});
  const result split = run(c, payload, plan);
  if (!(whole == split)) {
    for (const result* r : {&whole, &split}) {
      std::fprintf(stderr, "%s run, %zu octets examined:\n", r == &whole ? "whole" : "split",
                   static_cast<std::size_t>(r->examined));
      for (const std::string& l : r->log) std::fprintf(stderr, "  %s\n", l.c_str());
    }
  }
  MW_FUZZ_CHECK(whole == split);
  return 0;
}
