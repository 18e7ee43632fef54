// Fuzz target: pop3::server_session (mailwire/pop3/server.hpp) against arbitrary client bytes.
//
// Input layout: [option byte] [chunk plan] payload.
//   option byte: bit 0 tls_available, bit 1 SASL PLAIN offered, bit 2 APOP offered, bit 3 the
//   host rejects logins, bit 4 lenient_bare_lf, bit 5 login_requires_tls, bits 6-7 body chunk.
//   UTF8 (UTF8 USER with bit 3), LANG (en, de-DE), EXPIRE and LOGIN-DELAY are always offered.
// A fixed host answers every event (a maildrop of 3 messages with dot lines; STLS handshakes
// complete at once). Checks: the session never stalls (bounded steps), errors are sticky, host
// calls are accepted exactly when an answer is due, the output of a whole-input run equals the
// output of the chunked run (split invariance, without STLS), and a RETR body is always properly terminated.
#include <mailwire/pop3/response.hpp>
#include <mailwire/pop3/server.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace p3 = mailwire::pop3;
using mailwire::status;
using K = p3::server_event_kind;

namespace {

const std::string_view messages[] = {"a\r\n.\r\n..b\r\n", ".", "Subject: x\r\n\r\nline\nbare\rcr\r\n.."};

struct result {
  std::string out;
  p3::errc error = p3::errc::ok;
  bool operator==(const result&) const = default;
};

void drive(p3::server_session& s, std::uint8_t ob, std::string& out) {
  const std::size_t chunk = 1 + (ob >> 6) * 5;
  for (int steps = 0; steps < 100000; ++steps) {
    const status st = s.next_event();
    if (st == status::error) {
      MW_FUZZ_CHECK(s.error() != p3::errc::ok);
      MW_FUZZ_CHECK(s.next_event() == status::error);  // sticky
      break;
    }
    if (st == status::need_more) break;
    if (st == status::paused) {
      // Only a pending STLS handshake may be left paused by this host.
      MW_FUZZ_CHECK(s.tls_started() == p3::errc::ok);
      continue;
    }
    const auto& ev = s.event();
    switch (ev.kind) {
      case K::login:
      case K::apop:
      case K::auth_response:
        MW_FUZZ_CHECK(s.ok("x") == p3::errc::local_state);
        MW_FUZZ_CHECK(((ob & 8) ? s.reject() : s.accept_login(3)) == p3::errc::ok);
        break;
      case K::auth: MW_FUZZ_CHECK(s.auth_challenge("") == p3::errc::ok); break;
      case K::stat: MW_FUZZ_CHECK(s.ok("3 30") == p3::errc::ok); break;
      case K::list:
      case K::uidl:
        if (ev.command.message != 0) {
          MW_FUZZ_CHECK(ev.command.message <= 3 && !s.is_deleted(ev.command.message));
          MW_FUZZ_CHECK(s.ok(std::to_string(ev.command.message) + " 10") == p3::errc::ok);
        } else {
          MW_FUZZ_CHECK(s.begin_body() == p3::errc::ok);
          for (std::uint32_t i = 1; i <= 3; ++i)
            if (!s.is_deleted(i)) (void)s.body(std::to_string(i) + " 10\r\n");
          MW_FUZZ_CHECK(s.end_body() == p3::errc::ok);
        }
        break;
      case K::retr:
      case K::top: {
        MW_FUZZ_CHECK(ev.command.message >= 1 && ev.command.message <= 3 && !s.is_deleted(ev.command.message));
        MW_FUZZ_CHECK(s.begin_body() == p3::errc::ok);
        std::string_view m = messages[ev.command.message - 1];
        while (!m.empty()) {
          const std::size_t n = s.body(m.substr(0, chunk));
          MW_FUZZ_CHECK(n > 0);
          m.remove_prefix(n);
        }
        MW_FUZZ_CHECK(s.end_body() == p3::errc::ok);
        // The answer in the output ends with CRLF "." CRLF.
        const std::string_view o = s.output();
        MW_FUZZ_CHECK(o.size() >= 5 && o.substr(o.size() - 5) == "\r\n.\r\n");
        break;
      }
      case K::update: MW_FUZZ_CHECK(s.accept() == p3::errc::ok); break;
      default: MW_FUZZ_CHECK(s.accept() == p3::errc::local_state); break;
    }
    out += s.take_output();
  }
  out += s.take_output();
}

result run(std::string_view in, const mwfuzz::chunk_plan& plan, std::uint8_t ob) {
  p3::server_options o;
  o.tls_available = ob & 1;
  if (ob & 2) o.sasl_mechanisms = "PLAIN";
  if (ob & 4) o.apop_timestamp = "<1.2@x>";
  o.command_opts.lenient_bare_lf = ob & 16;
  o.login_requires_tls = ob & 32;
  // RFC 6856 and RFC 2449 6.5/6.7 always offered (the commands come from the payload).
  o.utf8 = true;
  o.utf8_user = ob & 8;
  o.languages = {{"en", "English"}, {"de-DE", "Deutsch"}};
  o.expire = "31 USER";
  o.login_delay = "60";
  o.input_buffer = 64;  // small, so receive() applies backpressure
  p3::server_session s(o);
  result r;
  mwfuzz::feed_session(
      in, plan,
      [&](std::string_view& rest) {
        const std::size_t n = s.receive(rest);
        rest.remove_prefix(n);
        drive(s, ob, r.out);
        return n != 0;
      },
      [&] { return s.closed() || s.error() != p3::errc::ok; });
  r.error = s.error();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t ob = h.byte();
  const mwfuzz::chunk_plan plan = mwfuzz::chunk_plan::read(h);
  const std::string_view payload = h.rest();
  const result whole = run(payload, mwfuzz::chunk_plan{}, ob);
  const result split = run(payload, plan, ob);
  // With a fixed host both runs produce the same bytes and the same error. Not with STLS: this
  // host completes the handshake as soon as the session pauses, so whether the next command
  // came "before the handshake" (input_before_tls) depends on the chunking, by design.
  if (!(ob & 1)) MW_FUZZ_CHECK(whole == split);
  // Every output line ends with CRLF.
  MW_FUZZ_CHECK(whole.out.empty() || whole.out.back() == '\n');
  return 0;
}
