// Fuzz target: the SMTP/LMTP server session (mailwire/smtp/server.hpp).
//
// Input layout: [option byte] [answer seed byte] [chunk plan] client bytes, where "\0TLS\0"
// separates the plaintext from what the client sends after a TLS handshake. Option bits: 0 LMTP,
// 1 TLS offered, 2 TLS active, 3 AUTH PLAIN LOGIN offered without TLS, 4 SIZE limit of 200,
// 5 small buffers (input 600, output 300, data chunk 64), 6 SMTPUTF8+DSN+BINARYMIME offered,
// 7 bare line endings normalized. The host's answers are chosen from the seed byte and the
// event number (accept, reject, a custom 4xx, an AUTH challenge), so both paths are explored.
// Checks: the whole transcript (output bytes, events, delivered message octets, fatal error)
// is the same with the input whole and cut by the chunk plan (split invariance); output stays
// bounded; message data only arrives inside a message; after a fatal error nothing more is
// read; every reply line the session wrote parses as an SMTP reply.
#include <mailwire/smtp/reply.hpp>
#include <mailwire/smtp/server.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace smtp = mailwire::smtp;
using mailwire::status;

namespace {

struct run {
  std::string out;
  std::string events;
  std::string messages;
  smtp::errc fatal = smtp::errc::ok;
  bool operator==(const run&) const = default;
};

void answer(smtp::server_session& s, std::uint8_t seed, std::size_t n) {
  const unsigned pick = (seed + n * 7) % 5;
  const smtp::server_event_kind k = s.pending_event();
  if ((k == smtp::server_event_kind::auth || k == smtp::server_event_kind::auth_response) && pick == 3) {
    MW_FUZZ_CHECK(s.auth_challenge("VXNlcm5hbWU6") == smtp::errc::ok);
    return;
  }
  smtp::errc e = smtp::errc::ok;
  if (pick == 0 || pick == 3) e = s.accept();
  else if (pick == 1) e = s.reject();
  else if (pick == 2) e = s.respond(451, "4.3.0 Try later");
  else e = s.respond(k == smtp::server_event_kind::auth || k == smtp::server_event_kind::auth_response ? 235 : 250,
                     "2.0.0 fine");
  MW_FUZZ_CHECK(e == smtp::errc::ok);
}

// Feeds `phase[0]` (plaintext) cut by `plan`; after a STARTTLS that the session accepts, the
// rest of the plaintext is pushed at once (it arrived before the handshake) and, when there is
// none, the handshake "happens" and `phase[1]` (the TLS stream) follows.
run drive(const smtp::server_options& o, std::uint8_t seed, const std::string_view phase[2],
          const mwfuzz::chunk_plan& plan) {
  run r;
  smtp::server_session s(o);
  std::size_t n = 0;
  bool in_message = false;
  std::string message;
  bool alive = true;
  int ph = 0;
  std::size_t pos = 0;
  std::size_t j = 0;
  std::string_view rest;
  mwfuzz::heap_buffer chunk(0);
  // Runs events until need_more; false when the session ended.
  auto pump = [&]() -> bool {
    for (;;) {
      const status st = s.next_event();
      if (st == status::need_more) return !s.closed();
      if (st == status::error) {
        r.fatal = s.error();
        MW_FUZZ_CHECK(r.fatal != smtp::errc::ok);
        MW_FUZZ_CHECK(s.closed() && s.receive("x") == 0);
        return false;
      }
      if (st == status::paused) {
        if (s.pending_event() != smtp::server_event_kind::none) answer(s, seed, n++);
        else r.out += s.take_output();
        continue;
      }
      const smtp::server_event& e = s.event();
      // Not recorded: message_data (how the octets are cut depends on the reads; the octets
      // are compared) and starttls (with plaintext after STARTTLS in the same read, the
      // session fails at once; in a later read, after the starttls event, at tls_started();
      // output and error are the same either way).
      if (e.kind != smtp::server_event_kind::starttls &&
          e.kind != smtp::server_event_kind::message_data)
        r.events.push_back(static_cast<char>('a' + static_cast<int>(e.kind)));
      if (e.kind == smtp::server_event_kind::message_begin) {
        in_message = true;
        message.clear();
      }
      if (e.kind == smtp::server_event_kind::message_data) {
        MW_FUZZ_CHECK(in_message && !e.data.empty());
        message.append(e.data);
      }
      // A complete message is compared; of an aborted one only the fact (how much of it came
      // before the abort depends on the reads, and the host discards it).
      if (e.kind == smtp::server_event_kind::message_end) {
        in_message = false;
        r.messages += message + "|";
      }
      if (e.kind == smtp::server_event_kind::message_aborted) {
        in_message = false;
        r.messages += "aborted|";
      }
      if (e.kind == smtp::server_event_kind::starttls) {
        r.out += s.take_output();
        // Plaintext still on the wire goes in before the handshake.
        std::string left(rest);
        left.append(phase[ph].substr(pos));
        std::string_view l = left;
        while (!l.empty()) {
          const std::size_t took = s.receive(l);
          if (took == 0) break;
          l.remove_prefix(took);
        }
        MW_FUZZ_CHECK(s.tls_started() == smtp::errc::ok);
        if (left.empty()) {
          MW_FUZZ_CHECK(ph == 0);
          ph = 1;
          pos = 0;
          j = 0;
          rest = {};
        }
      }
    }
  };
  for (int guard = 0; alive; ++guard) {
    MW_FUZZ_CHECK(guard < 10000000);
    if (rest.empty()) {
      if (pos == phase[ph].size()) break;
      const std::size_t len = plan.size(j++, phase[ph].size() - pos);
      chunk = mwfuzz::heap_buffer(phase[ph].substr(pos, len));
      pos += len;
      rest = chunk.view();
    }
    const std::size_t took = s.receive(rest);
    rest.remove_prefix(took);
    const std::size_t before = r.out.size();
    alive = pump();
    MW_FUZZ_CHECK(s.output().size() <= o.max_output + 4096);
    r.out += s.take_output();
    if (!alive) break;
    MW_FUZZ_CHECK(took != 0 || rest.empty() || r.out.size() != before || s.closed());
    if (s.closed()) break;
  }
  r.out += s.take_output();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t opt = h.byte();
  const std::uint8_t seed = h.byte();
  const mwfuzz::chunk_plan plan = mwfuzz::chunk_plan::read(h);
  const std::string_view in = h.rest();
  // "\x00TLS\x00" separates the plaintext from the bytes that come after a TLS handshake.
  constexpr std::string_view marker("\0TLS\0", 5);
  const std::size_t m = in.find(marker);
  const std::string_view phase[2] = {in.substr(0, m),
                                     m == std::string_view::npos ? std::string_view() : in.substr(m + 5)};
  smtp::server_options o;
  o.hostname = "mx.example";
  o.lmtp = (opt & 1) != 0;
  o.tls_available = (opt & 2) != 0;
  o.tls_active = (opt & 4) != 0;
  if (opt & 8) {
    o.auth_mechanisms = "PLAIN LOGIN";
    o.auth_requires_tls = false;
  }
  if (opt & 16) o.max_message_size = 200;
  if (opt & 32) {
    o.input_buffer = 600;
    o.command_limits.auth_line = 512;
    o.max_output = 300;
    o.data_chunk = 64;
  }
  if (opt & 64) {
    o.extensions.smtputf8 = true;
    o.extensions.dsn = true;
    o.extensions.binarymime = true;
  }
  if (opt & 128) o.data.bare_line_endings = smtp::bare_line_ending::normalize;
  const run whole = drive(o, seed, phase, mwfuzz::chunk_plan{});
  const run split = drive(o, seed, phase, plan);
  MW_FUZZ_CHECK(whole == split);
  // Every reply the session wrote is a well-formed SMTP reply.
  std::string_view out = whole.out;
  smtp::reply_options ro;
  ro.enhanced_status_codes = false;
  while (!out.empty()) {
    const auto rr = smtp::parse_reply(out, {}, ro);
    MW_FUZZ_CHECK(rr.st == status::event);
    out.remove_prefix(rr.consumed);
  }
  return 0;
}
