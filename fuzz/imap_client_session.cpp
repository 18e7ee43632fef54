// Fuzz target: imap::client_session (mailwire/imap/client.hpp) fed arbitrary server bytes while
// a fixed host logs in (LOGIN, or STARTTLS / AUTHENTICATE PLAIN when offered), selects INBOX and
// queues FETCH 1:* (UID FLAGS BODY.PEEK[]), STORE, UID SEARCH, EXPUNGE, NOOP, IDLE (DONE at
// once), APPEND of 100 octets and LOGOUT.
//
// Input layout: [option byte] [chunk plan: k = byte % 8, then k chunk sizes] payload.
// Option bits: 0 pipelining off, 1 small buffers (64-octet input, 16-octet inline literals),
// 2 STARTTLS when offered, 3 AUTHENTICATE PLAIN when offered (challenges answered once, then
// cancelled), 4 COMPRESS when offered (the pending input is dropped), 5 UID commands,
// 6 no IDLE, 7 no APPEND.
// Checks: no crash; receive() takes at most the buffer's room and takes nothing only after an
// error or at a STARTTLS / COMPRESS pause; errors are sticky with the same offset, within the
// input; streamed literal chunks within max_input and their octets add up to the announced
// size; the client output is bounded by the fixed script; the events and output are the same
// whole and in the planned chunks (split invariance), except across STARTTLS / COMPRESS.
#include <mailwire/imap/client.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace im = mailwire::imap;
using mailwire::status;
using K = im::client_event_kind;

namespace {

struct outcome {
  std::string events;
  std::string output;
  std::string body;  // fetch_literal_data joined (its chunking depends on the input's)
  bool upgraded = false;
  im::errc error = im::errc::ok;
  std::uint64_t error_offset = 0;
};

struct host_state {
  int challenges = 0;
  bool in_literal = false;
  std::uint64_t literal_left = 0;
};

void host(im::client_session& s, std::uint8_t ob, host_state& h, outcome& o) {
  const im::client_event& e = s.event();
  const bool uid = (ob & 32) != 0;
  switch (e.kind) {
    case K::greeting:
      if ((ob & 4) && s.has_capability("STARTTLS")) (void)s.starttls();
      else if ((ob & 8) && s.has_capability("AUTH=PLAIN")) (void)s.authenticate("PLAIN", std::string_view("\0u\0p", 4));
      else (void)s.login("user", "pass word");
      break;
    case K::starttls_ready:
      o.upgraded = true;
      MW_FUZZ_CHECK(s.tls_started() == im::errc::ok);
      break;
    case K::compress_ready:
      o.upgraded = true;
      MW_FUZZ_CHECK(s.compress_started() == im::errc::ok);
      break;
    case K::auth_challenge:
      if (h.challenges++ == 0) MW_FUZZ_CHECK(s.auth_continue("x") == im::errc::ok);
      else MW_FUZZ_CHECK(s.auth_cancel() == im::errc::ok);
      break;
    case K::idling: (void)s.done(); break;
    case K::append_ready:
      MW_FUZZ_CHECK(s.append_data(std::string(60, 'a')) == im::errc::ok);
      MW_FUZZ_CHECK(s.append_data(std::string(40, 'b')) == im::errc::ok);
      MW_FUZZ_CHECK(s.append_end() == im::errc::ok);
      break;
    case K::fetch_literal_begin:
      MW_FUZZ_CHECK(!h.in_literal);
      h.in_literal = true;
      h.literal_left = e.size;
      break;
    case K::fetch_literal_data:
      MW_FUZZ_CHECK(h.in_literal && e.data.size() <= h.literal_left);
      h.literal_left -= e.data.size();
      break;
    case K::fetch_literal_end:
      MW_FUZZ_CHECK(h.in_literal && h.literal_left == 0);
      h.in_literal = false;
      break;
    case K::completed:
      switch (e.command) {
        case im::command_kind::capability:
          if (s.state() == im::client_state::not_authenticated) (void)s.login("user", "pass word");
          break;
        case im::command_kind::login:
        case im::command_kind::authenticate:
          if ((ob & 16) && s.has_capability("COMPRESS=DEFLATE")) (void)s.compress();
          (void)s.select("INBOX", true);
          break;
        case im::command_kind::select:
          (void)s.fetch("1:*", "(UID FLAGS BODY.PEEK[])", uid);
          (void)s.store("1", "+FLAGS.SILENT", "(\\Seen)", uid);
          (void)s.search("RETURN (ALL) UNSEEN", true);
          (void)s.expunge();
          (void)s.noop();
          if (!(ob & 64)) (void)s.idle();
          if (!(ob & 128)) (void)s.append("INBOX", "(\\Seen)", "", 100);
          (void)s.logout();
          break;
        default: break;
      }
      break;
    default: break;
  }
}

outcome run(std::string_view in, const mwfuzz::chunk_plan& plan, std::uint8_t ob) {
  im::client_options opt;
  opt.pipelining = (ob & 1) == 0;
  if (ob & 2) {
    opt.max_input = 64;
    opt.inline_literal_max = 16;
  }
  im::client_session s(opt);
  host_state h;
  outcome o;
  auto drain = [&]() -> bool {
    for (int guard = 0; guard < 1000000; ++guard) {
      const status st = s.next_event();
      if (st == status::error) {
        if (o.error == im::errc::ok) {
          o.error = s.error();
          o.error_offset = s.error_offset();
          MW_FUZZ_CHECK(o.error_offset <= in.size());
          o.events += "E" + std::to_string(static_cast<int>(o.error)) + "@" + std::to_string(o.error_offset);
        }
        MW_FUZZ_CHECK(s.error() == o.error && s.error_offset() == o.error_offset);
        MW_FUZZ_CHECK(s.next_event() == status::error);
        return false;
      }
      if (st == status::need_more) return true;
      const im::client_event& e = s.event();
      if (e.kind == K::none) return true;
      if (e.kind != K::fetch_literal_data) {
        o.events += std::to_string(static_cast<int>(e.kind)) + ":" + std::string(e.tag) + ":" +
                    std::to_string(static_cast<int>(e.command)) + ":" + std::to_string(e.message) + ":" +
                    std::to_string(e.size) + ";";
      } else {
        MW_FUZZ_CHECK(e.data.size() <= opt.max_input);
        o.body += e.data;
      }
      host(s, ob, h, o);
      o.output += s.output();
      s.consume_output(s.output().size());
      MW_FUZZ_CHECK(o.output.size() < 4096);
    }
    MW_FUZZ_CHECK(false);  // stuck
    return false;
  };
  if (!drain()) return o;
  bool stop = false;
  mwfuzz::feed_session(
      in, plan,
      [&](std::string_view& rest) {
        const std::size_t took = s.receive(rest);
        MW_FUZZ_CHECK(took <= rest.size() && took <= opt.max_input);
        rest.remove_prefix(took);
        if (!drain()) {
          stop = true;
          MW_FUZZ_CHECK(s.receive(rest) == 0);
          return false;
        }
        if (took == 0 && !rest.empty()) {
          stop = true;  // COMPRESS pause: the host's inflater would take the bytes
          return false;
        }
        return true;
      },
      [&] { return stop; });
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t ob = h.byte();
  const mwfuzz::chunk_plan plan = mwfuzz::chunk_plan::read(h);
  const std::string_view in = h.rest();
  const outcome chunked = run(in, plan, ob);
  const outcome whole = run(in, mwfuzz::chunk_plan(), ob);
  if (!chunked.upgraded && !whole.upgraded) {
    if (chunked.events != whole.events)
      std::fprintf(stderr, "chunked: %s\nwhole:   %s\n", chunked.events.c_str(), whole.events.c_str());
    MW_FUZZ_CHECK(chunked.events == whole.events);
    MW_FUZZ_CHECK(chunked.body == whole.body);
    MW_FUZZ_CHECK(chunked.output == whole.output);
    MW_FUZZ_CHECK(chunked.error == whole.error && chunked.error_offset == whole.error_offset);
  }
  return 0;
}
