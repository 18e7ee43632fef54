// Fuzz target: pop3::client_session (mailwire/pop3/client.hpp) fed arbitrary server bytes while
// a fixed host logs in and queues STAT, LIST, UIDL, RETR 1, TOP 2 0, DELE 1, NOOP, RSET, LIST 3,
// UIDL 2 and QUIT.
//
// Input layout: [option byte] [chunk plan: k = byte % 8, then k chunk sizes] payload.
// Option bits: 0 pipelining off, 1 STLS when offered, 2 AUTH PLAIN (challenges answered once,
// then cancelled), 3 APOP when the greeting has a timestamp, 4 leniencies (bare LF, 8-bit text,
// bad CAPA lines skipped), 5 small buffers (64-octet input, 7-octet chunks), 6 small limits
// (40-octet lines and SASL lines of 64, 8-octet uids, 4 CAPA lines, numbers up to 99), 7 the
// host sends CAPA itself (auto_capa off).
// Checks: no crash; receive() takes at most the buffer's room; the session never gets stuck
// (receive() takes nothing only when an error is set or a TLS handshake is pending); errors are
// sticky with the same offset, within the input, and nothing is taken after one; events come in
// a legal order (message data only inside a body, chunks within max_chunk); the client output is
// bounded by the fixed script; the events and output are the same whole and in the planned
// chunks (split invariance; message data joined), except when STLS was used (bytes after the
// +OK in the same read are an injection by design).
#include <mailwire/pop3/client.hpp>

#include <string>
#include <vector>

#include "fuzz_common.hpp"

namespace p3 = mailwire::pop3;
using mailwire::status;
using K = p3::client_event_kind;

namespace {

struct outcome {
  std::vector<std::string> events;
  std::string output;
  bool tls = false;
};

std::string describe(status st, const p3::client_session& s) {
  if (st == status::error)
    return "E" + std::to_string(static_cast<int>(s.error())) + "/" + std::to_string(static_cast<int>(s.parse_error())) +
           "@" + std::to_string(s.error_offset());
  const p3::client_event& e = s.event();
  std::string d = std::to_string(static_cast<int>(st)) + ":" + std::to_string(static_cast<int>(e.kind)) + ":" +
                  std::to_string(static_cast<int>(e.command)) + ":" + std::to_string(e.message) + ":" +
                  std::to_string(e.count) + ":" + std::to_string(e.size) + ":" + (e.ok() ? "+" : "-");
  d.append(e.response.code).append("|").append(e.response.text).append("|").append(e.uid).append("|");
  d.append(e.timestamp).append("|").append(e.data);
  return d;
}

struct host_state {
  int challenges = 0;
  bool in_body = false;
};

void host(p3::client_session& s, status st, std::uint8_t ob, host_state& h, outcome& o) {
  const p3::client_event& e = s.event();
  switch (e.kind) {
    case K::greeting:
      if (!e.ok()) {
        MW_FUZZ_CHECK(s.quit() == p3::client_errc::ok);
      } else if (ob & 128) {
        MW_FUZZ_CHECK(s.capa() == p3::client_errc::ok);
      }
      break;
    case K::capabilities: {
      if (s.state() != p3::client_state::authorization) break;  // a CAPA in TRANSACTION
      const auto& c = s.capabilities();
      if ((ob & 2) && c.stls && !s.tls()) {
        MW_FUZZ_CHECK(s.stls() == p3::client_errc::ok);
      } else if (ob & 4) {
        const auto r = s.auth("PLAIN", "AGEAYg==");
        MW_FUZZ_CHECK(r == p3::client_errc::ok || r == p3::client_errc::local_not_advertised);
        if (r != p3::client_errc::ok) MW_FUZZ_CHECK(s.quit() == p3::client_errc::ok);
      } else if ((ob & 8) && !s.apop_timestamp().empty()) {
        MW_FUZZ_CHECK(s.apop("mrose", "c4c9334bac560ecc979e58001b3e22fb") == p3::client_errc::ok);
      } else {
        MW_FUZZ_CHECK(s.user_pass("mrose", "tan staaf") == p3::client_errc::ok);
      }
      break;
    }
    case K::stls_ready:
      MW_FUZZ_CHECK(st == status::paused);
      MW_FUZZ_CHECK(s.tls_started() == p3::client_errc::ok);
      o.tls = true;
      if (ob & 128) MW_FUZZ_CHECK(s.capa() == p3::client_errc::ok);
      break;
    case K::auth_challenge:
      MW_FUZZ_CHECK(s.state() == p3::client_state::auth_challenge);
      MW_FUZZ_CHECK((h.challenges++ == 0 ? s.auth_continue("AGEAYg==") : s.auth_cancel()) == p3::client_errc::ok);
      break;
    case K::login_failed:
      MW_FUZZ_CHECK(s.state() == p3::client_state::authorization);
      MW_FUZZ_CHECK(s.quit() == p3::client_errc::ok);
      break;
    case K::logged_in:
      MW_FUZZ_CHECK(s.state() == p3::client_state::transaction);
      MW_FUZZ_CHECK(s.stat() == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.list() == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.uidl() == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.retr(1) == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.top(2, 0) == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.dele(1) == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.noop() == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.rset() == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.list(3) == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.uidl(2) == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.capa() == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.quit() == p3::client_errc::ok);
      MW_FUZZ_CHECK(s.retr(1) == p3::client_errc::local_state);
      break;
    case K::message_begin:
      MW_FUZZ_CHECK(!h.in_body);
      h.in_body = true;
      break;
    case K::message_data:
      MW_FUZZ_CHECK(h.in_body && !e.data.empty() && e.data.size() <= s.options().max_chunk);
      break;
    case K::message_end:
      MW_FUZZ_CHECK(h.in_body);
      h.in_body = false;
      break;
    case K::closed: MW_FUZZ_CHECK(s.state() == p3::client_state::closed && s.outstanding() == 0); break;
    default: break;
  }
  if (e.kind != K::message_begin && e.kind != K::message_data && e.kind != K::message_end)
    MW_FUZZ_CHECK(!h.in_body);
}

// Adds an event; consecutive message_data are joined (their cuts follow the input's).
void push(outcome& o, status st, const p3::client_session& s, bool& last_data) {
  const bool data = st == status::event && s.event().kind == K::message_data;
  if (data && last_data) o.events.back().append(s.event().data);
  else o.events.push_back(describe(st, s));
  last_data = data;
}

outcome run(const p3::client_options& opt, std::uint8_t ob, std::string_view in, const mwfuzz::chunk_plan& plan) {
  outcome o;
  p3::client_session s(opt);
  host_state h;
  bool last_data = false, dead = false;
  std::size_t pos = 0, events = 0;
  for (std::size_t j = 0; pos < in.size() && !dead; ++j) {
    const std::size_t len = plan.size(j, in.size() - pos);
    mwfuzz::heap_buffer chunk(in.substr(pos, len));
    pos += len;
    std::string_view rest = chunk.view();
    for (int guard = 0; !rest.empty() && !dead; ++guard) {
      MW_FUZZ_CHECK(guard < 100000);
      const std::size_t n = s.receive(rest);
      MW_FUZZ_CHECK(n <= rest.size() && n <= opt.max_input);
      rest.remove_prefix(n);
      bool paused = false;
      for (;;) {
        const status st = s.next_event();
        if (st == status::need_more) break;
        ++events;
        push(o, st, s, last_data);
        if (st == status::error) {
          const std::uint64_t off = s.error_offset();
          MW_FUZZ_CHECK(s.error() != p3::client_errc::ok);
          MW_FUZZ_CHECK(s.next_event() == status::error && s.error_offset() == off);
          MW_FUZZ_CHECK(off <= in.size());
          MW_FUZZ_CHECK(s.receive("+OK\r\n") == 0);
          MW_FUZZ_CHECK(s.state() == p3::client_state::error);
          dead = true;
          break;
        }
        host(s, st, ob, h, o);
        o.output += s.take_output();
        if (st == status::paused) {
          paused = s.state() == p3::client_state::tls_handshake;
          if (paused) break;
        }
      }
      // Stuck: nothing taken and neither an error nor a pending handshake.
      MW_FUZZ_CHECK(n != 0 || rest.empty() || dead || paused || s.state() == p3::client_state::tls_handshake);
      if (n == 0 && !dead) break;  // the handshake that never comes
      // Output: the fixed script (twice CAPA and a login) and one SASL line per challenge.
      MW_FUZZ_CHECK(o.output.size() <= 512 + 16 * static_cast<std::size_t>(h.challenges));
    }
  }
  o.output += s.take_output();
  (void)events;
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header hd(data, size);
  const std::uint8_t ob = hd.byte();
  const mwfuzz::chunk_plan plan = mwfuzz::chunk_plan::read(hd);
  const std::string_view payload = hd.rest();
  p3::client_options opt;
  opt.pipelining = !(ob & 1);
  opt.allow_bare_lf = opt.allow_8bit_text = opt.skip_bad_capabilities = ob & 16;
  if (ob & 32) {
    opt.max_input = 64;
    opt.max_chunk = 7;
  }
  if (ob & 64) {
    opt.limits.response_line = 40;
    opt.limits.auth_line = 64;
    opt.limits.uid = 8;
    opt.limits.max_number = 99;
    opt.max_capabilities = 4;
  }
  opt.auto_capa = !(ob & 128);

  const outcome whole = run(opt, ob, payload, mwfuzz::chunk_plan{});
  const outcome split = run(opt, ob, payload, plan);
  if (!whole.tls && !split.tls) {
    MW_FUZZ_CHECK(whole.events == split.events);
    MW_FUZZ_CHECK(whole.output == split.output);
  }
  return 0;
}
