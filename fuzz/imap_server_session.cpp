// Fuzz target: imap::server_session (mailwire/imap/server.hpp) against arbitrary pipelined client
// bytes.
//
// Input layout: [option byte] [chunk plan] payload.
//   option byte: bit 0 tls_available, bit 1 AUTH=PLAIN offered, bit 2 the host rejects logins,
//   bit 3 CONDSTORE + QRESYNC + UTF8=ACCEPT offered, bit 4 LITERAL- instead of LITERAL+, bit 5
//   login_requires_tls, bit 6 COMPRESS offered, bit 7 APPENDLIMIT=100.
// A fixed host answers every event with success (SELECT: a mailbox of 5 messages; FETCH: one
// FETCH response per message, every other one with a streamed BODY[] literal; NOOP / IDLE:
// a new message and an expunge; STARTTLS and COMPRESS complete at once). Checks: the session
// never stalls (bounded steps), errors are sticky, every host completion is accepted, the APPEND
// events come in order with the announced sizes, the output stays bounded, every tagged reply
// carries a tag that the client sent, and the whole-input run equals the chunked run (without
// STARTTLS / COMPRESS, whose boundaries depend on the chunking by design).
#include <mailwire/imap/response.hpp>
#include <mailwire/imap/server.hpp>

#include <string>

#include "fuzz_common.hpp"

namespace im = mailwire::imap;
using mailwire::status;
using K = im::server_event_kind;

namespace {

const std::uint32_t mailbox_uids[] = {3, 5, 8, 13, 21};

struct result {
  std::string out;
  im::errc error = im::errc::ok;
  bool operator==(const result&) const = default;
};

struct host_state {
  bool in_append = false;
  std::uint64_t append_left = 0;
  std::uint32_t next_uid = 100;
  std::uint32_t noops = 0;
};

std::vector<im::msg_att> uid_atts() {
  static const std::string text = "* 1 FETCH (UID 7 FLAGS (\\Seen))\r\n";
  im::limits lim;
  lim.authenticated = true;
  const auto r = im::parse_response(text, nullptr, lim);
  MW_FUZZ_CHECK(r.st == status::event);
  return r.value.atts;
}

void drive(im::server_session& s, std::uint8_t ob, host_state& h, std::string& out) {
  static const std::vector<im::msg_att> atts = uid_atts();
  for (int steps = 0; steps < 200000; ++steps) {
    MW_FUZZ_CHECK(s.output().size() <= s.options().max_output + 4 * 65536);
    const status st = s.next_event();
    if (st == status::error) {
      MW_FUZZ_CHECK(s.error() != im::errc::ok);
      MW_FUZZ_CHECK(s.next_event() == status::error);  // sticky
      break;
    }
    if (st == status::need_more) break;
    if (st == status::paused) {
      if (s.state() == im::server_state::tls_pending) {
        MW_FUZZ_CHECK(s.tls_started() == im::errc::ok);
      } else if (s.state() == im::server_state::compress_pending) {
        (void)s.take_leftover();  // the "compressed" rest: dropped by this host
        MW_FUZZ_CHECK(s.compression_started() == im::errc::ok);
      } else {
        // Only a full output buffer pauses a session whose host always answers.
        MW_FUZZ_CHECK(s.output().size() >= s.options().max_output);
        out += s.take_output();
      }
      continue;
    }
    const im::server_event& ev = s.event();
    switch (ev.kind) {
      case K::login:
      case K::auth_response:
        MW_FUZZ_CHECK(s.ok() == im::errc::local_state);
        MW_FUZZ_CHECK(((ob & 4) ? s.reject_login() : s.accept_login()) == im::errc::ok);
        break;
      case K::authenticate:
        if (ev.data.empty()) MW_FUZZ_CHECK(s.auth_challenge("") == im::errc::ok);
        else MW_FUZZ_CHECK(((ob & 4) ? s.reject_login() : s.accept_login()) == im::errc::ok);
        break;
      case K::append_begin:
        MW_FUZZ_CHECK(!h.in_append);
        h.in_append = true;
        h.append_left = ev.size;
        break;
      case K::append_data:
        MW_FUZZ_CHECK(h.in_append && ev.data.size() <= h.append_left);
        h.append_left -= ev.data.size();
        break;
      case K::append_end:
        MW_FUZZ_CHECK(h.in_append && h.append_left == 0);
        h.in_append = false;
        break;
      case K::command_error: h.in_append = false; break;
      case K::idle_begin: {
        const std::uint32_t u = h.next_uid++;
        if (s.state() == im::server_state::idling && s.map().size() != 0) {
          MW_FUZZ_CHECK(s.exists({&u, 1}) == im::errc::ok);
          MW_FUZZ_CHECK(s.expunged(s.map().uid_of(1)) == im::errc::ok);
        }
        break;
      }
      case K::command: {
        MW_FUZZ_CHECK(!h.in_append);
        const auto k = ev.command.kind;
        if (k == im::command_kind::select || k == im::command_kind::examine) {
          im::select_info i;
          i.uids = mailbox_uids;
          i.uidnext = 22;
          i.highest_modseq = 9;
          MW_FUZZ_CHECK(s.select_begin(i) == im::errc::ok);
        } else if (k == im::command_kind::fetch) {
          const auto& f = std::get<im::cmd_fetch>(ev.command.args);
          std::vector<std::uint32_t> msns;
          const im::errc e = s.map().resolve(f.set, ev.command.uid, [&](std::uint32_t m, std::uint32_t) { msns.push_back(m); });
          MW_FUZZ_CHECK(e == im::errc::ok || f.set.is_last_command());
          for (const std::uint32_t m : msns) {
            if (m % 2 == 0) {
              MW_FUZZ_CHECK(s.fetch(m, atts) == im::errc::ok);
              continue;
            }
            im::fetch_attribute body;
            body.item = im::fetch_item::body_section;
            MW_FUZZ_CHECK(s.begin_fetch_literal(m, atts, body, 5) == im::errc::ok);
            std::string_view d = "he\r\nl";
            while (!d.empty()) {
              const std::size_t n = s.fetch_data(d);
              if (n == 0) out += s.take_output();
              d.remove_prefix(n);
            }
            MW_FUZZ_CHECK(s.end_fetch_literal({}) == im::errc::ok);
          }
        } else if ((k == im::command_kind::noop || k == im::command_kind::expunge) &&
                   s.state() == im::server_state::selected) {
          const std::uint32_t u = h.next_uid++;
          MW_FUZZ_CHECK(s.exists({&u, 1}) == im::errc::ok);
          if (s.map().size() != 0) MW_FUZZ_CHECK(s.expunged(s.map().uid_of(1 + (h.noops++ % s.map().size()))) == im::errc::ok);
        } else if (k == im::command_kind::store && s.state() == im::server_state::selected && s.map().size() != 0) {
          // Expunged while answering STORE: queued (RFC 9051 section 7.5.1) unless UID STORE.
          MW_FUZZ_CHECK(s.expunged(s.map().max_uid()) == im::errc::ok);
          if (!ev.command.uid) MW_FUZZ_CHECK(s.queued_expunges() != 0);
        }
        MW_FUZZ_CHECK(s.ok() == im::errc::ok);
        break;
      }
      default: MW_FUZZ_CHECK(s.ok() == im::errc::local_state); break;
    }
    out += s.take_output();
  }
  out += s.take_output();
}

result run(std::string_view in, const mwfuzz::chunk_plan& plan, std::uint8_t ob) {
  im::server_options o;
  o.tls_available = ob & 1;
  if (ob & 2) o.auth_mechanisms = "PLAIN";
  o.condstore = o.qresync = o.utf8_accept = (ob & 8) != 0;
  o.literals = (ob & 16) ? im::non_sync_literals::literal_minus : im::non_sync_literals::literal_plus;
  o.login_requires_tls = ob & 32;
  o.compress = ob & 64;
  o.append_limit = (ob & 128) ? 100 : 0;
  o.uidplus = o.move = o.namespace_ = o.esearch = true;
  o.id_params = {{"name", "fuzz"}};
  o.input_buffer = 256;  // small, so receive() applies backpressure
  o.max_output = 4096;
  im::server_session s(o);
  host_state h;
  result r;
  mwfuzz::feed_session(
      in, plan,
      [&](std::string_view& rest) {
        const std::size_t n = s.receive(rest);
        rest.remove_prefix(n);
        drive(s, ob, h, r.out);
        if (n != 0) return true;
        if (s.closed() || s.error() != im::errc::ok) return false;
        if (s.state() != im::server_state::compress_pending && s.state() != im::server_state::tls_pending) {
          // No room and no event: impossible with a host that answers everything.
          MW_FUZZ_CHECK(s.next_event() != status::paused || s.output().size() >= o.max_output);
        }
        return true;
      },
      [&] { return s.closed(); });
  r.error = s.error();
  return r;
}

/// Every tagged status line of the output carries a tag the client sent (literals skipped).
void check_tags(std::string_view out, std::string_view payload) {
  std::size_t i = 0;
  bool continuation = false;  // the rest of a response after a literal
  while (i < out.size()) {
    std::size_t e = out.find("\r\n", i);
    if (e == std::string_view::npos) break;
    const std::string_view line = out.substr(i, e - i);
    i = e + 2;
    const bool check = !continuation;
    continuation = false;
    if (check && !line.empty() && line[0] != '*' && line[0] != '+') {
      const std::size_t sp = line.find(' ');
      MW_FUZZ_CHECK(sp != std::string_view::npos && sp != 0);
      const std::string_view tag = line.substr(0, sp);
      MW_FUZZ_CHECK(payload.find(std::string(tag) + " ") != std::string_view::npos);
      const std::string_view rest = line.substr(sp + 1);
      MW_FUZZ_CHECK(rest.substr(0, 3) == "OK " || rest.substr(0, 3) == "NO " || rest.substr(0, 4) == "BAD ");
    }
    // A literal announced at the end of the line: skip its octets.
    if (line.size() > 2 && line.back() == '}') {
      const std::size_t ob = line.rfind('{');
      if (ob != std::string_view::npos) {
        std::size_t n = 0;
        for (std::size_t k = ob + 1; k + 1 < line.size(); ++k) n = n * 10 + static_cast<std::size_t>(line[k] - '0');
        i += n;
        continuation = true;
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mwfuzz::header hd(data, size);
  const std::uint8_t ob = hd.byte();
  const mwfuzz::chunk_plan plan = mwfuzz::chunk_plan::read(hd);
  const std::string_view payload = hd.rest();
  const result whole = run(payload, mwfuzz::chunk_plan{}, ob);
  const result split = run(payload, plan, ob);
  if (!(ob & 1) && !(ob & 64)) MW_FUZZ_CHECK(whole == split);
  MW_FUZZ_CHECK(whole.out.empty() || whole.out.back() == '\n');
  check_tags(whole.out, payload);
  check_tags(split.out, payload);
  return 0;
}
