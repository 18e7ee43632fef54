// Fuzz target: the SMTP/LMTP client session (mailwire/smtp/client.hpp) fed arbitrary server
// bytes, while a fixed host sends one envelope and message.
//
// Input layout: [option byte] [chunk plan: k = byte % 8, then k chunk sizes] payload.
// Option bits: 0 LMTP, 1 prefer BDAT, 2 require all recipients, 3 do STARTTLS and AUTH when
// offered, 4 bare LF + empty text + 8-bit text, 5 lenient code mismatch + enhanced code,
// 6 small input buffer (64 octets), 7 small reply limits (3 lines of 64 octets).
// Checks: no crash; receive() never takes more than the buffer's room; output bounded by what
// the host sent plus a fixed amount per reply; an error is sticky with the same offset; a session
// never gets stuck (receive() takes nothing only when an event is pending or an error is set);
// the events and output are the same whole and in the planned chunks (split invariance), except
// when STARTTLS was used (bytes after the 220 in the same read are then an injection by design).
#include <mailwire/smtp/client.hpp>

#include <string>
#include <vector>

#include "fuzz_common.hpp"

namespace smtp = mailwire::smtp;
using mailwire::status;

namespace {

struct outcome {
  std::vector<std::string> events;
  std::string output;
  bool tls = false;
};

std::string describe(const smtp::client_result& r) {
  std::string s = std::to_string(static_cast<int>(r.st)) + ":" + std::to_string(static_cast<int>(r.ev.kind)) +
                  ":" + std::to_string(r.ev.reply.code) + ":" + std::to_string(r.ev.index) + ":" +
                  (r.ev.last ? "L" : "") + std::string(r.ev.challenge.size() < 64 ? r.ev.challenge : "");
  if (r.st == status::error)
    s += "E" + std::to_string(static_cast<int>(r.error)) + "/" + std::to_string(static_cast<int>(r.reply_error)) +
         "@" + std::to_string(r.error_offset);
  for (std::string_view t : r.ev.reply.lines()) s.append("|").append(t);
  return s;
}

const std::string k_body = ".hello\r\nworld\n.\n\r\nend";

void host(smtp::client_session& s, const smtp::client_result& r, bool secure, outcome& o, std::size_t& sent) {
  using kind = smtp::client_event_kind;
  switch (r.ev.kind) {
    case kind::greeting:
      if (!r.ev.positive()) (void)s.quit();
      break;
    case kind::ehlo_done: {
      if (!r.ev.positive()) {
        (void)s.quit();
        break;
      }
      const auto& c = s.capabilities();
      if (secure && c.starttls && !s.tls() && s.starttls() == smtp::client_errc::ok) break;
      if (secure && c.has_auth("PLAIN") && s.auth_plain("user", "pass") == smtp::client_errc::ok) break;
      const smtp::path to[] = {smtp::parse_address("b@example.org").value,
                               smtp::parse_address("<c@example.org>").value};
      smtp::mail_parameters p;
      p.size = k_body.size();
      p.ret = smtp::ret_type::hdrs;
      const auto e = s.send_envelope(smtp::parse_address("a@example.com").value, std::span<const smtp::path>(to), p);
      MW_FUZZ_CHECK(e == smtp::client_errc::ok || e == smtp::client_errc::local_too_large);  // "SIZE 1"
      if (e != smtp::client_errc::ok) (void)s.quit();
      break;
    }
    case kind::starttls_ready:
      MW_FUZZ_CHECK(r.st == status::paused);
      MW_FUZZ_CHECK(s.tls_started() == smtp::client_errc::ok);
      o.tls = true;
      break;
    case kind::auth_challenge:
      MW_FUZZ_CHECK(s.auth_cancel() == smtp::client_errc::ok);
      break;
    case kind::auth_done:
    case kind::auth_failed:
      (void)s.noop();
      break;
    case kind::data_ready:
      // In two pieces, the second one last.
      while (s.can_send_data() && sent < 2) {
        const std::string_view piece = sent == 0 ? std::string_view(k_body).substr(0, 9) : std::string_view(k_body).substr(9);
        MW_FUZZ_CHECK(s.send_data(piece, sent == 1) == smtp::client_errc::ok);
        ++sent;
      }
      break;
    case kind::message_result:
      if (r.ev.last) (void)s.quit();
      break;
    default: break;
  }
}

outcome run(const smtp::client_options& opt, bool secure, std::string_view in, const mwfuzz::chunk_plan& plan) {
  outcome o;
  smtp::client_session s(opt);
  std::size_t sent = 0, pos = 0;
  std::size_t replies = 0;
  bool dead = false;
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
      bool any = false;
      for (;;) {
        const auto r = s.next_event();
        if (r.st == status::need_more) break;
        any = true;
        ++replies;
        o.events.push_back(describe(r));
        if (r.st == status::error) {
          const auto again = s.next_event();
          MW_FUZZ_CHECK(again.st == status::error && again.error == r.error && again.error_offset == r.error_offset);
          MW_FUZZ_CHECK(r.error_offset <= in.size());
          MW_FUZZ_CHECK(s.receive("x") == 0);
          dead = true;
          break;
        }
        host(s, r, secure, o, sent);
        o.output += s.take_output();
        if (r.st == status::paused && s.state() == smtp::client_state::tls_handshake) break;
      }
      // Stuck: nothing taken, no event, no error.
      MW_FUZZ_CHECK(n != 0 || any || rest.empty() || dead || s.state() == smtp::client_state::tls_handshake);
      if (n == 0 && !any && !dead) break;  // waiting for the TLS handshake that never comes
      // Output: the commands of one transaction, the message, and a few lines per reply.
      MW_FUZZ_CHECK(o.output.size() <= 4096 + 2 * k_body.size() + 128 * replies);
    }
  }
  o.output += s.take_output();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header h(data, size);
  const std::uint8_t ob = h.byte();
  const mwfuzz::chunk_plan plan = mwfuzz::chunk_plan::read(h);
  const std::string_view payload = h.rest();
  smtp::client_options opt;
  opt.local_host = "client.example";
  opt.lmtp = ob & 1;
  opt.prefer_chunking = ob & 2;
  opt.require_all_recipients = ob & 4;
  const bool secure = ob & 8;
  opt.allow_bare_lf = opt.allow_empty_text = opt.allow_8bit_text = ob & 16;
  opt.lenient_code_mismatch = opt.lenient_enhanced_code = ob & 32;
  if (ob & 64) opt.max_input = 64;
  if (ob & 128) opt.limits = {64, 3, 192};

  const outcome whole = run(opt, secure, payload, mwfuzz::chunk_plan{});
  const outcome split = run(opt, secure, payload, plan);
  if (!whole.tls && !split.tls) {
    MW_FUZZ_CHECK(whole.events == split.events);
    MW_FUZZ_CHECK(whole.output == split.output);
  }
  return 0;
}
