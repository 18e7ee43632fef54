// Tests of mailwire/pop3/client.hpp: the POP3 client session driven with the server's lines of
// RFC 1939 section 10, RFC 5034 section 6 and RFC 2595 flows; exact client bytes at each step;
// every chunking of the server's bytes gives the same events; pipelined and one-at-a-time
// sessions give the same events; a client talks to pop3::server_session in memory.
#include <mailwire/pop3/client.hpp>
#include <mailwire/pop3/server.hpp>

#include <mailwire/codec/sasl.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "chunking.hpp"

namespace pop3 = mailwire::pop3;
using mailwire::status;
using kind = pop3::client_event_kind;
using pop3::client_errc;

namespace {

const char* kind_name(kind k) {
  static const char* names[] = {"none",         "greeting",      "capabilities", "stls_ready", "auth_challenge",
                                "logged_in",    "login_failed",  "stat",         "list_entry", "uidl_entry",
                                "listing_end",  "message_begin", "message_data", "message_end", "done",
                                "refused",      "closed"};
  return names[static_cast<int>(k)];
}

std::string describe(status st, const pop3::client_session& s) {
  if (st == status::error)
    return "error " + std::string(pop3::to_string(s.error())) + " (" + std::string(pop3::to_string(s.parse_error())) +
           ") @" + std::to_string(s.error_offset());
  const pop3::client_event& e = s.event();
  std::string d = kind_name(e.kind);
  if (e.command != pop3::keyword::unknown) d += " " + std::string(pop3::to_string(e.command));
  if (e.message != 0) d += " #" + std::to_string(e.message);
  switch (e.kind) {
    case kind::greeting:
    case kind::capabilities:
    case kind::stls_ready:
    case kind::logged_in:
    case kind::login_failed:
    case kind::message_begin:
    case kind::done:
    case kind::refused:
    case kind::closed:
      d += e.ok() ? " +OK" : " -ERR";
      if (!e.response.code.empty()) d += " [" + std::string(e.response.code) + "]";
      if (!e.response.text.empty()) d += " " + std::string(e.response.text);
      break;
    default: break;
  }
  if (e.kind == kind::greeting && !e.timestamp.empty()) d += " ts=" + std::string(e.timestamp);
  if (e.kind == kind::stat) d += " " + std::to_string(e.count) + " " + std::to_string(e.size);
  if (e.kind == kind::list_entry) d += " size=" + std::to_string(e.size);
  if (e.kind == kind::uidl_entry) d += " uid=" + std::string(e.uid);
  if (e.kind == kind::auth_challenge) d += " [" + std::string(e.data) + "]";
  if (e.kind == kind::message_data) d += ": " + std::string(e.data);
  if (st == status::paused) d += " (paused)";
  return d;
}

// Adds an event; consecutive message_data are joined (their cuts depend on the input's).
void push_event(std::vector<std::string>& v, status st, const pop3::client_session& s) {
  if (st == status::event && s.event().kind == kind::message_data && !v.empty() &&
      v.back().rfind("message_data", 0) == 0) {
    v.back() += s.event().data;
    return;
  }
  v.push_back(describe(st, s));
}

using host_fn = std::function<void(pop3::client_session&, status)>;

struct run_outcome {
  std::vector<std::string> events;
  std::string output;
  bool operator==(const run_outcome&) const = default;
};

// Feeds `server` to a new session in the chunks given by `cuts`, draining events after each
// receive and letting `host` react; collects events and all client output.
run_outcome run_chunked(const pop3::client_options& opt, const host_fn& host, std::string_view server,
                        const std::vector<std::size_t>& cuts) {
  run_outcome o;
  pop3::client_session s(opt);
  auto drain = [&] {
    for (;;) {
      const status st = s.next_event();
      if (st == status::need_more) return true;
      push_event(o.events, st, s);
      if (st == status::error) return false;
      host(s, st);
      o.output += s.take_output();
      if (st == status::paused && s.state() == pop3::client_state::tls_handshake) return true;
    }
  };
  std::size_t start = 0;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t end = k < cuts.size() ? cuts[k] : server.size();
    mwtest::heap_copy chunk(server.substr(start, end - start));
    std::string_view rest = chunk.view();
    o.output += s.take_output();
    for (int guard = 0; !rest.empty(); ++guard) {
      const std::size_t n = s.receive(rest);
      rest.remove_prefix(n);
      if (!drain()) return o;
      if (n == 0 && !rest.empty()) {
        o.events.push_back("stuck");
        return o;
      }
      REQUIRE(guard < 1000000);
    }
    start = end;
  }
  o.output += s.take_output();
  return o;
}

// Runs whole, in pieces of every size 1..N, and split at every offset; requires the same
// outcome; returns it. `fixed` cuts are in every run (where a TLS handshake happens).
run_outcome run_every_chunking(const pop3::client_options& opt, const host_fn& host, std::string_view server,
                               const std::vector<std::size_t>& fixed = {}) {
  auto with = [&](std::vector<std::size_t> c) {
    c.insert(c.end(), fixed.begin(), fixed.end());
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    return c;
  };
  const run_outcome whole = run_chunked(opt, host, server, fixed);
  for (std::size_t piece = 1; piece < server.size(); ++piece) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = piece; i < server.size(); i += piece) cuts.push_back(i);
    INFO("pieces of " << piece);
    REQUIRE(run_chunked(opt, host, server, with(cuts)) == whole);
  }
  for (std::size_t cut = 1; cut < server.size(); ++cut) {
    INFO("split at " << cut);
    REQUIRE(run_chunked(opt, host, server, with({cut})) == whole);
  }
  return whole;
}

// A transcript of "S: " and "C: " lines. Before each block of server lines the client must have
// written exactly the client lines since the last block; then the block is received and the
// events drained (host reacts). Also checks every chunking of the server stream.
struct script_line {
  char who;
  std::string text;
};

std::vector<script_line> parse_script(std::string_view t) {
  std::vector<script_line> v;
  while (!t.empty()) {
    const std::size_t nl = t.find('\n');
    std::string_view l = t.substr(0, nl);
    t = nl == std::string_view::npos ? std::string_view() : t.substr(nl + 1);
    while (!l.empty() && l.front() == ' ') l.remove_prefix(1);
    if (l.size() < 2 || (l[0] != 'S' && l[0] != 'C') || l[1] != ':') continue;
    const char who = l[0];
    l.remove_prefix(2);
    if (!l.empty() && l.front() == ' ') l.remove_prefix(1);
    v.push_back({who, std::string(l) + "\r\n"});
  }
  return v;
}

std::vector<std::string> replay(const pop3::client_options& opt, const host_fn& host, std::string_view script,
                                bool check_chunkings = true) {
  const auto lines = parse_script(script);
  pop3::client_session s(opt);
  std::vector<std::string> events;
  std::string want_out, server_all, client_all;
  std::vector<std::size_t> tls_cuts;
  std::size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].who == 'C') {
      want_out += lines[i].text;
      client_all += lines[i].text;
      ++i;
      continue;
    }
    {
      INFO("before server line " << i << ": " << lines[i].text);
      REQUIRE(s.take_output() == want_out);
    }
    want_out.clear();
    std::string block;
    while (i < lines.size() && lines[i].who == 'S') block += lines[i++].text;
    server_all += block;
    REQUIRE(s.receive(block) == block.size());
    for (;;) {
      const status st = s.next_event();
      if (st == status::need_more) break;
      push_event(events, st, s);
      REQUIRE(st != status::error);
      host(s, st);
      if (s.event().kind == kind::stls_ready) tls_cuts.push_back(server_all.size());
      if (st == status::paused && s.state() == pop3::client_state::tls_handshake) break;
    }
  }
  REQUIRE(s.take_output() == want_out);
  if (check_chunkings) {
    const run_outcome all = run_every_chunking(opt, host, server_all, tls_cuts);
    CHECK(all.events == events);
    CHECK(all.output == client_all);
  }
  return events;
}

// Feeds `server` whole; returns the events (the last one an error if any).
std::vector<std::string> feed(pop3::client_session& s, std::string_view server, const host_fn& host = {}) {
  std::vector<std::string> ev;
  std::size_t pos = 0;
  for (int guard = 0; guard < 100000; ++guard) {
    pos += s.receive(server.substr(pos));
    for (;;) {
      const status st = s.next_event();
      if (st == status::need_more) break;
      push_event(ev, st, s);
      if (st == status::error) return ev;
      if (host) host(s, st);
      if (st == status::paused) return ev;
    }
    if (pos == server.size()) break;
  }
  return ev;
}

pop3::client_options manual() {
  pop3::client_options o;
  o.auto_capa = false;
  return o;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("pop3 client: RFC 1939 section 10 example session, every piece size", "[pop3][client]") {
  // The messages replace "<the POP3 server sends message n>" (120 and 200 octets in the RFC).
  const std::string script = std::string(
      "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\n"
      "C: APOP mrose c4c9334bac560ecc979e58001b3e22fb\n"
      "S: +OK mrose's maildrop has 2 messages (320 octets)\n"
      "C: STAT\n"
      "S: +OK 2 320\n"
      "C: LIST\n"
      "S: +OK 2 messages (320 octets)\n"
      "S: 1 120\n"
      "S: 2 200\n"
      "S: .\n"
      "C: RETR 1\n"
      "S: +OK 120 octets\n"
      "S: From: a@example\n"
      "S: \n"
      "S: ..leading dot, stuffed\n"
      "S: ...two dots\n"
      "S: .\n"
      "C: DELE 1\n"
      "S: +OK message 1 deleted\n"
      "C: RETR 2\n"
      "S: +OK 200 octets\n"
      "S: Subject: two\n"
      "S: \n"
      "S: .. \n"
      "S: ..\n"
      "S: end\n"
      "S: .\n"
      "C: DELE 2\n"
      "S: +OK message 2 deleted\n"
      "C: QUIT\n"
      "S: +OK dewey POP3 server signing off (maildrop empty)\n");
  const host_fn host = [](pop3::client_session& s, status) {
    const pop3::client_event& e = s.event();
    switch (e.kind) {
      case kind::greeting:
        REQUIRE(s.apop_timestamp() == "<1896.697170952@dbc.mtview.ca.us>");
        // MD5("<1896.697170952@dbc.mtview.ca.us>tanstaaf"), computed by the host.
        REQUIRE(s.apop("mrose", "c4c9334bac560ecc979e58001b3e22fb") == client_errc::ok);
        break;
      case kind::logged_in: REQUIRE(s.stat() == client_errc::ok); break;
      case kind::stat: REQUIRE(s.list() == client_errc::ok); break;
      case kind::listing_end: REQUIRE(s.retr(1) == client_errc::ok); break;
      case kind::message_end: REQUIRE(s.dele(e.message) == client_errc::ok); break;
      case kind::done:
        if (e.message == 1) REQUIRE(s.retr(2) == client_errc::ok);
        else REQUIRE(s.quit() == client_errc::ok);
        break;
      default: break;
    }
  };
  const V ev = replay(manual(), host, script);
  CHECK(ev == V{"greeting +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us> "
                "ts=<1896.697170952@dbc.mtview.ca.us>",
                "logged_in APOP +OK mrose's maildrop has 2 messages (320 octets)",
                "stat STAT 2 320",
                "list_entry LIST #1 size=120",
                "list_entry LIST #2 size=200",
                "listing_end LIST",
                "message_begin RETR #1 +OK 120 octets",
                "message_data RETR #1: " + std::string("From: a@example\r\n\r\n.leading dot, stuffed\r\n..two dots\r\n"),
                "message_end RETR #1",
                "done DELE #1 +OK message 1 deleted",
                "message_begin RETR #2 +OK 200 octets",
                "message_data RETR #2: Subject: two\r\n\r\n. \r\n.\r\nend\r\n",
                "message_end RETR #2",
                "done DELE #2 +OK message 2 deleted",
                "closed QUIT +OK dewey POP3 server signing off (maildrop empty)"});
}

TEST_CASE("pop3 client: CAPA by itself, typed capabilities, -ERR gives an empty set", "[pop3][client][capa]") {
  pop3::client_session s;
  const V ev = feed(s,
                    "+OK ready\r\n"
                    "+OK Capability list follows\r\n"
                    "TOP\r\nUSER\r\nSASL PLAIN CRAM-MD5\r\nSASL XOAUTH2\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
                    "PIPELINING\r\nEXPIRE 31\r\nLOGIN-DELAY 900\r\nUIDL\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\n"
                    "STLS\r\nUTF8 USER\r\nLANG\r\nX-FOO bar baz\r\n..X-DOT\r\n.\r\n");
  CHECK(ev == V{"greeting +OK ready", "capabilities CAPA +OK"});
  CHECK(s.take_output() == "CAPA\r\n");
  REQUIRE(s.capabilities_known());
  const pop3::capability_set& c = s.capabilities();
  CHECK((c.top && c.user && c.resp_codes && c.auth_resp_code && c.pipelining && c.uidl && c.stls && c.utf8 &&
         c.utf8_user && c.lang));
  CHECK(c.expire == 31u);
  CHECK_FALSE(c.expire_never);
  CHECK(c.login_delay == 900u);
  CHECK(c.sasl == "PLAIN CRAM-MD5 XOAUTH2");
  CHECK(c.has_sasl("plain"));
  CHECK(c.has_sasl("XOAUTH2"));
  CHECK_FALSE(c.has_sasl("LOGIN"));
  CHECK(c.implementation == "Shlemazle-Plotz-v302");
  CHECK(c.other == std::vector<std::string>{"X-FOO bar baz", ".X-DOT"});  // un-stuffed
  CHECK(s.state() == pop3::client_state::authorization);

  // RFC 2449 section 5: an old server answers CAPA with -ERR; nothing is known then.
  pop3::client_session old;
  CHECK(feed(old, "+OK old server\r\n-ERR unknown command\r\n") ==
        V{"greeting +OK old server", "capabilities CAPA -ERR unknown command"});
  CHECK_FALSE(old.capabilities_known());
  CHECK_FALSE(old.capabilities().top);
  CHECK(old.stls() == client_errc::ok);  // not known to be absent: the server may still say -ERR
  CHECK(old.take_output() == "CAPA\r\nSTLS\r\n");
  CHECK(feed(old, "-ERR no TLS\r\n") == V{"refused STLS -ERR no TLS"});
  CHECK(old.state() == pop3::client_state::authorization);
}

TEST_CASE("pop3 client: STLS, capabilities forgotten and re-read, injection refused", "[pop3][client][stls]") {
  const std::string script =
      "S: +OK POP3 ready\n"
      "C: CAPA\n"
      "S: +OK\n"
      "S: STLS\n"
      "S: USER\n"
      "S: .\n"
      "C: STLS\n"
      "S: +OK Begin TLS negotiation\n"
      "C: CAPA\n"
      "S: +OK\n"
      "S: USER\n"
      "S: SASL PLAIN\n"
      "S: .\n"
      "C: USER joe\n"
      "S: +OK\n"
      "C: PASS two words\n"
      "S: +OK maildrop locked and ready\n"
      "C: QUIT\n"
      "S: +OK bye\n";
  const host_fn host = [](pop3::client_session& s, status st) {
    switch (s.event().kind) {
      case kind::capabilities:
        if (s.capabilities().stls && !s.tls()) {
          REQUIRE(s.stls() == client_errc::ok);
          CHECK(s.stls() == client_errc::local_state);  // once
        } else {
          CHECK_FALSE(s.capabilities().stls);
          CHECK(s.capabilities().has_sasl("PLAIN"));
          CHECK(s.stls() == client_errc::local_state);  // under TLS already
          REQUIRE(s.user_pass("joe", "two words") == client_errc::ok);
        }
        break;
      case kind::stls_ready:
        REQUIRE(st == status::paused);
        CHECK(s.next_event() == status::paused);  // until the handshake
        CHECK(s.capa() == client_errc::local_state);
        REQUIRE(s.tls_started() == client_errc::ok);
        CHECK(s.tls());
        CHECK_FALSE(s.capabilities_known());  // RFC 2595 section 4: forgotten
        CHECK_FALSE(s.capabilities().stls);
        break;
      case kind::logged_in: REQUIRE(s.quit() == client_errc::ok); break;
      default: break;
    }
  };
  const V ev = replay({}, host, script);
  CHECK(ev == V{"greeting +OK POP3 ready", "capabilities CAPA +OK", "stls_ready STLS +OK Begin TLS negotiation (paused)",
                "capabilities CAPA +OK", "logged_in PASS +OK maildrop locked and ready", "closed QUIT +OK bye"});

  SECTION("bytes after the +OK in the same read are never interpreted") {
    pop3::client_session s;
    (void)feed(s, "+OK POP3 ready\r\n+OK\r\nSTLS\r\n.\r\n");
    REQUIRE(s.stls() == client_errc::ok);
    const std::string evil = "+OK Begin TLS\r\n+OK injected\r\n";
    const V e = feed(s, evil);
    const std::uint64_t at = std::string("+OK POP3 ready\r\n+OK\r\nSTLS\r\n.\r\n+OK Begin TLS\r\n").size();
    CHECK(e == V{"error bytes after the STLS response before TLS (ok) @" + std::to_string(at)});
    CHECK(s.error() == client_errc::plaintext_injection);
    CHECK(s.next_event() == status::error);  // sticky
    CHECK(s.receive("x") == 0);
  }
  SECTION("bytes during the handshake are an injection too") {
    pop3::client_session s;
    (void)feed(s, "+OK POP3 ready\r\n+OK\r\nSTLS\r\n.\r\n");
    REQUIRE(s.stls() == client_errc::ok);
    CHECK(feed(s, "+OK Begin TLS\r\n") == V{"stls_ready STLS +OK Begin TLS (paused)"});
    CHECK(s.receive("+OK x\r\n") == 0);
    CHECK(s.next_event() == status::error);
    CHECK(s.error() == client_errc::plaintext_injection);
    CHECK(s.tls_started() == client_errc::local_state);
  }
  SECTION("STLS not offered, or implicit TLS") {
    pop3::client_session s;
    (void)feed(s, "+OK POP3 ready\r\n+OK\r\nUSER\r\n.\r\n");
    CHECK(s.take_output() == "CAPA\r\n");
    CHECK(s.stls() == client_errc::local_not_advertised);
    CHECK(s.output().empty());
    pop3::client_options o = manual();
    o.tls = true;
    pop3::client_session t(o);
    (void)feed(t, "+OK ready\r\n");
    CHECK(t.stls() == client_errc::local_state);
  }
}

TEST_CASE("pop3 client: SASL (RFC 5034 section 6 examples), challenges, cancel", "[pop3][client][auth]") {
  SECTION("PLAIN with an initial response") {
    const std::string ir = mailwire::sasl::encode_plain("", "test", "test");
    REQUIRE(ir == "AHRlc3QAdGVzdA==");
    const std::string script =
        "S: +OK POP3 server ready\n"
        "C: AUTH PLAIN AHRlc3QAdGVzdA==\n"
        "S: +OK Maildrop locked and ready\n";
    const host_fn host = [&](pop3::client_session& s, status) {
      if (s.event().kind == kind::greeting) REQUIRE(s.auth("PLAIN", ir) == client_errc::ok);
    };
    CHECK(replay(manual(), host, script) ==
          V{"greeting +OK POP3 server ready", "logged_in AUTH +OK Maildrop locked and ready"});
  }
  SECTION("PLAIN without an initial response: an empty challenge") {
    const std::string script =
        "S: +OK POP3 server ready\n"
        "C: AUTH PLAIN\n"
        "S: +\n"  // RFC 5034 section 6 writes "+" alone
        "C: dGVzdAB0ZXN0AHRlc3Q=\n"
        "S: +OK Maildrop locked and ready\n";
    const host_fn host = [](pop3::client_session& s, status) {
      if (s.event().kind == kind::greeting) REQUIRE(s.auth("PLAIN") == client_errc::ok);
      if (s.event().kind == kind::auth_challenge) {
        CHECK(s.event().data.empty());
        CHECK(s.quit() == client_errc::local_state);
        REQUIRE(s.auth_continue("dGVzdAB0ZXN0AHRlc3Q=") == client_errc::ok);
      }
    };
    CHECK(replay(manual(), host, script) == V{"greeting +OK POP3 server ready", "auth_challenge AUTH []",
                                              "logged_in AUTH +OK Maildrop locked and ready"});
  }
  SECTION("CRAM-MD5: a challenge with data; \"=\" for an empty initial response") {
    const std::string script =
        "S: +OK POP3 server ready\n"
        "C: AUTH CRAM-MD5\n"
        "S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\n"
        "C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\n"
        "S: +OK CRAM authentication successful\n";
    const host_fn host = [](pop3::client_session& s, status) {
      if (s.event().kind == kind::greeting) REQUIRE(s.auth("CRAM-MD5") == client_errc::ok);
      if (s.event().kind == kind::auth_challenge)
        REQUIRE(s.auth_continue("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw") == client_errc::ok);
    };
    CHECK(replay(manual(), host, script) ==
          V{"greeting +OK POP3 server ready",
            "auth_challenge AUTH [PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+]",
            "logged_in AUTH +OK CRAM authentication successful"});
    pop3::client_session s(manual());
    (void)feed(s, "+OK hi\r\n");
    REQUIRE(s.auth("EXTERNAL", "") == client_errc::ok);
    CHECK(s.take_output() == "AUTH EXTERNAL =\r\n");
  }
  SECTION("\"*\" cancels; the -ERR is login_failed with its code") {
    const std::string script =
        "S: +OK POP3 server ready\n"
        "C: AUTH PLAIN\n"
        "S: + \n"
        "C: *\n"
        "S: -ERR [AUTH] Authentication cancelled\n"
        "C: USER tim\n"
        "S: +OK\n"
        "C: PASS tanstaaf\n"
        "S: -ERR [SYS/TEMP] try later\n";
    const host_fn host = [](pop3::client_session& s, status) {
      switch (s.event().kind) {
        case kind::greeting: REQUIRE(s.auth("PLAIN") == client_errc::ok); break;
        case kind::auth_challenge: REQUIRE(s.auth_cancel() == client_errc::ok); break;
        case kind::login_failed:
          if (s.event().code() == pop3::response_code::auth) REQUIRE(s.user_pass("tim", "tanstaaf") == client_errc::ok);
          else CHECK(s.event().code() == pop3::response_code::sys_temp);
          break;
        default: break;
      }
    };
    CHECK(replay(manual(), host, script) ==
          V{"greeting +OK POP3 server ready", "auth_challenge AUTH []",
            "login_failed AUTH -ERR [AUTH] Authentication cancelled",
            "login_failed PASS -ERR [SYS/TEMP] try later"});
  }
  SECTION("mechanism checked against CAPA; bad base64 refused") {
    pop3::client_session s;
    (void)feed(s, "+OK hi\r\n+OK\r\nSASL PLAIN\r\n.\r\n");
    (void)s.take_output();
    CHECK(s.auth("CRAM-MD5") == client_errc::local_not_advertised);
    CHECK(s.auth("PLAIN", "not base64!") == client_errc::local_invalid_value);
    CHECK(s.auth("PLAIN", "AHRlc3QAdGVzdA==") == client_errc::ok);
    CHECK(s.auth_continue("x") == client_errc::local_state);
    CHECK(feed(s, "+ \r\n") == V{"auth_challenge AUTH []"});
    CHECK(s.auth_continue("@@@@") == client_errc::local_invalid_value);
    CHECK(s.state() == pop3::client_state::auth_challenge);
  }
  SECTION("a challenge that is not base64 is a server error") {
    pop3::client_session s(manual());
    (void)feed(s, "+OK hi\r\n");
    REQUIRE(s.auth("PLAIN") == client_errc::ok);
    CHECK(feed(s, "+ ***\r\n") == V{"error malformed response (invalid base64) @10"});
  }
}

TEST_CASE("pop3 client: pipelined and one-at-a-time sessions give the same events", "[pop3][client][pipelining]") {
  const auto server = [](bool pipelining) {
    return std::string("+OK ready\r\n+OK\r\nUSER\r\nTOP\r\nUIDL\r\n") + (pipelining ? "PIPELINING\r\n" : "") +
           ".\r\n"
           "+OK\r\n+OK logged in\r\n"
           "+OK 3 350\r\n"
           "+OK\r\n1 100\r\n2 120\r\n3 130\r\n.\r\n"
           "+OK 2 120\r\n"
           "+OK\r\n1 uid-a\r\n2 uid-b\r\n3 uid-c\r\n.\r\n"
           "+OK 3 uid-c\r\n"
           "+OK message follows\r\nSubject: one\r\n\r\n..dots\r\n.\r\n"
           "+OK top of message follows\r\nSubject: two\r\n\r\n.\r\n"
           "-ERR [SYS/TEMP] no such message\r\n"
           "+OK deleted\r\n-ERR message 1 already deleted\r\n"
           "+OK\r\n+OK reset\r\n"
           "+OK bye\r\n";
  };
  const std::string commands =
      "STAT\r\nLIST\r\nLIST 2\r\nUIDL\r\nUIDL 3\r\nRETR 1\r\nTOP 2 0\r\nRETR 9\r\nDELE 1\r\nDELE 1\r\nNOOP\r\nRSET\r\n"
      "QUIT\r\n";
  std::string first_write;
  const host_fn host = [&](pop3::client_session& s, status) {
    switch (s.event().kind) {
      case kind::capabilities: REQUIRE(s.user_pass("u", "p") == client_errc::ok); break;
      case kind::logged_in: {
        const std::size_t before = s.output().size();  // PASS when one at a time
        REQUIRE(s.stat() == client_errc::ok);
        REQUIRE(s.list() == client_errc::ok);
        REQUIRE(s.list(2) == client_errc::ok);
        REQUIRE(s.uidl() == client_errc::ok);
        REQUIRE(s.uidl(3) == client_errc::ok);
        REQUIRE(s.retr(1) == client_errc::ok);
        REQUIRE(s.top(2, 0) == client_errc::ok);
        REQUIRE(s.retr(9) == client_errc::ok);
        REQUIRE(s.dele(1) == client_errc::ok);
        REQUIRE(s.dele(1) == client_errc::ok);
        REQUIRE(s.noop() == client_errc::ok);
        REQUIRE(s.rset() == client_errc::ok);
        REQUIRE(s.quit() == client_errc::ok);
        CHECK(s.stat() == client_errc::local_state);  // after QUIT nothing more
        CHECK(s.outstanding() == 13);
        first_write = std::string(s.output().substr(before));
        break;
      }
      default: break;
    }
  };
  const V expected{"greeting +OK ready",
                   "capabilities CAPA +OK",
                   "logged_in PASS +OK logged in",
                   "stat STAT 3 350",
                   "list_entry LIST #1 size=100",
                   "list_entry LIST #2 size=120",
                   "list_entry LIST #3 size=130",
                   "listing_end LIST",
                   "list_entry LIST #2 size=120",
                   "listing_end LIST",
                   "uidl_entry UIDL #1 uid=uid-a",
                   "uidl_entry UIDL #2 uid=uid-b",
                   "uidl_entry UIDL #3 uid=uid-c",
                   "listing_end UIDL",
                   "uidl_entry UIDL #3 uid=uid-c",
                   "listing_end UIDL",
                   "message_begin RETR #1 +OK message follows",
                   "message_data RETR #1: Subject: one\r\n\r\n.dots\r\n",
                   "message_end RETR #1",
                   "message_begin TOP #2 +OK top of message follows",
                   "message_data TOP #2: Subject: two\r\n\r\n",
                   "message_end TOP #2",
                   "refused RETR #9 -ERR [SYS/TEMP] no such message",
                   "done DELE #1 +OK deleted",
                   "refused DELE #1 -ERR message 1 already deleted",
                   "done NOOP +OK",
                   "done RSET +OK reset",
                   "closed QUIT +OK bye"};
  const std::string wire = "CAPA\r\nUSER u\r\nPASS p\r\n" + commands;
  const run_outcome piped = run_every_chunking({}, host, server(true));
  CHECK(piped.events == expected);
  CHECK(piped.output == wire);
  CHECK(first_write == commands);  // every command in one write
  const run_outcome single = run_every_chunking({}, host, server(false));
  CHECK(single.events == expected);
  CHECK(single.output == wire);
  CHECK(first_write == "STAT\r\n");  // one at a time
  pop3::client_options off;
  off.pipelining = false;
  CHECK(run_chunked(off, host, server(true), {}).events == expected);
  CHECK(first_write == "STAT\r\n");

  SECTION("USER and PASS in one write; a -ERR to USER swallows the pipelined PASS's -ERR") {
    pop3::client_session s;
    (void)feed(s, "+OK ready\r\n+OK\r\nPIPELINING\r\n.\r\n");
    (void)s.take_output();
    REQUIRE(s.user_pass("bob", "secret") == client_errc::ok);
    CHECK(s.take_output() == "USER bob\r\nPASS secret\r\n");
    CHECK(feed(s, "-ERR [AUTH] no such user\r\n-ERR No USER given\r\n") ==
          V{"login_failed USER -ERR [AUTH] no such user"});
    CHECK(s.state() == pop3::client_state::authorization);
    CHECK(s.outstanding() == 0);
    pop3::client_session t(manual());
    (void)feed(t, "+OK ready\r\n");
    REQUIRE(t.user_pass("bob", "secret") == client_errc::ok);
    CHECK(t.take_output() == "USER bob\r\n");
    CHECK(feed(t, "-ERR [AUTH] no such user\r\n") == V{"login_failed USER -ERR [AUTH] no such user"});
    CHECK(t.take_output().empty());  // PASS never sent
    CHECK(t.outstanding() == 0);
  }
}

TEST_CASE("pop3 client: RETR bodies are un-stuffed and streamed in bounded chunks", "[pop3][client]") {
  std::string body;  // as the host should see it
  std::mt19937 rng(1939);
  for (int i = 0; i < 2000; ++i) {
    const int n = static_cast<int>(rng() % 90);
    std::string line;
    for (int k = 0; k < n; ++k) line.push_back(static_cast<char>(rng() % 4 == 0 ? '.' : 'a' + rng() % 26));
    if (rng() % 7 == 0) line += "\r";  // a bare CR is content
    body += line + "\r\n";
  }
  body += ".\r\n..\r\n.x\r\n";
  std::string wire;  // stuffed
  for (std::size_t p = 0; p < body.size();) {
    const std::size_t e = body.find("\r\n", p) + 2;
    if (body[p] == '.') wire += '.';
    wire.append(body, p, e - p);
    p = e;
  }
  pop3::client_options o = manual();
  o.max_chunk = 1000;
  o.max_input = 4096;
  pop3::client_session s(o);
  (void)feed(s, "+OK ready\r\n");
  REQUIRE(s.user_pass("a", "b") == client_errc::ok);
  (void)feed(s, "+OK\r\n+OK in\r\n");
  REQUIRE(s.retr(1) == client_errc::ok);
  REQUIRE(s.noop() == client_errc::ok);
  const std::string server = "+OK\r\n" + wire + ".\r\n+OK noop\r\n";
  std::string got;
  V kinds;
  std::size_t pos = 0;
  std::size_t largest = 0;
  while (pos < server.size() || kinds.empty() || kinds.back() != "done") {
    pos += s.receive(std::string_view(server).substr(pos, 777));
    for (status st; (st = s.next_event()) != status::need_more;) {
      REQUIRE(st == status::event);
      const auto& e = s.event();
      if (e.kind == kind::message_data) {
        got += e.data;
        largest = std::max(largest, e.data.size());
        if (kinds.back() != "data") kinds.push_back("data");
      } else {
        kinds.push_back(kind_name(e.kind));
      }
    }
    REQUIRE(pos <= server.size());
  }
  CHECK(got == body);
  CHECK(largest <= 1000);
  CHECK(kinds == V{"message_begin", "data", "message_end", "done"});

  // A full chunk can end between the CR and the LF of a line end: the LF comes without more
  // input (found by fuzzing).
  o.max_chunk = 3;
  pop3::client_session t(o);
  (void)feed(t, "+OK ready\r\n");
  REQUIRE(t.user_pass("a", "b") == client_errc::ok);
  (void)feed(t, "+OK\r\n+OK in\r\n");
  REQUIRE(t.retr(1) == client_errc::ok);
  CHECK(feed(t, "+OK\r\nab\r\n") == V{"message_begin RETR #1 +OK", "message_data RETR #1: ab\r\n"});
  CHECK(feed(t, ".\r\n") == V{"message_end RETR #1"});
}

TEST_CASE("pop3 client: -ERR response codes are typed (RFC 2449 section 8, RFC 3206)", "[pop3][client]") {
  const std::pair<const char*, pop3::response_code> cases[] = {
      {"-ERR [IN-USE] Do you have another POP session running?", pop3::response_code::in_use},
      {"-ERR [LOGIN-DELAY] wait a while", pop3::response_code::login_delay},
      {"-ERR [SYS/TEMP] Try again later", pop3::response_code::sys_temp},
      {"-ERR [SYS/PERM] Gone", pop3::response_code::sys_perm},
      {"-ERR [AUTH] Bad password", pop3::response_code::auth},
      {"-ERR [UTF8] needs UTF8", pop3::response_code::utf8},
      {"-ERR [X-VENDOR/SUB] hmm", pop3::response_code::other},
      {"-ERR plain text", pop3::response_code::none},
  };
  for (const auto& [line, code] : cases) {
    INFO(line);
    pop3::client_session s(manual());
    (void)feed(s, "+OK ready\r\n");
    REQUIRE(s.apop("a", "00112233445566778899aabbccddeeff") == client_errc::local_not_advertised);
    REQUIRE(s.user_pass("a", "b") == client_errc::ok);
    (void)feed(s, "+OK\r\n");
    REQUIRE(s.receive(std::string(line) + "\r\n") > 0);
    REQUIRE(s.next_event() == status::event);
    CHECK(s.event().kind == kind::login_failed);
    CHECK_FALSE(s.event().ok());
    CHECK(s.event().code() == code);
  }
  pop3::client_session s(manual());
  (void)feed(s, "+OK ready\r\n");
  REQUIRE(s.user_pass("a", "b") == client_errc::ok);
  (void)feed(s, "+OK\r\n+OK\r\n");
  REQUIRE(s.retr(5) == client_errc::ok);
  CHECK(feed(s, "-ERR [SYS/TEMP] disk\r\n") == V{"refused RETR #5 -ERR [SYS/TEMP] disk"});
  REQUIRE(s.quit() == client_errc::ok);
  CHECK(feed(s, "-ERR [SYS/PERM] some deleted messages not removed\r\n") ==
        V{"closed QUIT -ERR [SYS/PERM] some deleted messages not removed"});
  CHECK(s.state() == pop3::client_state::closed);
}

TEST_CASE("pop3 client: greetings, refused greeting, UTF8, host misuse", "[pop3][client]") {
  SECTION("-ERR greeting: only QUIT") {
    pop3::client_session s;
    CHECK(feed(s, "-ERR [SYS/TEMP] too busy\r\n") == V{"greeting -ERR [SYS/TEMP] too busy"});
    CHECK(s.output().empty());  // no CAPA
    CHECK(s.state() == pop3::client_state::refused);
    CHECK(s.capa() == client_errc::local_state);
    CHECK(s.user_pass("a", "b") == client_errc::local_state);
    REQUIRE(s.quit() == client_errc::ok);
    CHECK(s.take_output() == "QUIT\r\n");
    CHECK(feed(s, "+OK\r\n") == V{"closed QUIT +OK"});
    CHECK(s.quit() == client_errc::local_state);
  }
  SECTION("a greeting without timestamp, and odd timestamps") {
    pop3::client_session s;
    CHECK(feed(s, "+OK\r\n") == V{"greeting +OK"});
    CHECK(s.apop_timestamp().empty());
    pop3::client_session t;
    CHECK(feed(t, "+OK a<b <> < x> <1.2@host> <3@z>\r\n") == V{"greeting +OK a<b <> < x> <1.2@host> <3@z> ts=<1.2@host>"});
    CHECK(t.apop_timestamp() == "<1.2@host>");
  }
  SECTION("every command refused before the greeting and in the wrong state") {
    pop3::client_session s;
    CHECK(s.capa() == client_errc::local_state);
    CHECK(s.quit() == client_errc::local_state);
    CHECK(s.user_pass("a", "b") == client_errc::local_state);
    CHECK(s.tls_started() == client_errc::local_state);
    (void)feed(s, "+OK hi <1@x>\r\n+OK\r\nUSER\r\n.\r\n");
    (void)s.take_output();
    CHECK(s.retr(1) == client_errc::local_state);  // before login
    CHECK(s.stat() == client_errc::local_state);
    CHECK(s.list() == client_errc::local_state);
    CHECK(s.uidl(1) == client_errc::local_state);
    CHECK(s.top(1, 1) == client_errc::local_state);
    CHECK(s.dele(1) == client_errc::local_state);
    CHECK(s.rset() == client_errc::local_state);
    CHECK(s.noop() == client_errc::local_state);
    CHECK(s.auth_cancel() == client_errc::local_state);
    CHECK(s.utf8() == client_errc::local_not_advertised);
    CHECK(s.user_pass("two words", "p") == client_errc::local_invalid_value);
    CHECK(s.user_pass("a", "p\r\nDELE 1") == client_errc::local_invalid_value);
    CHECK(s.user_pass("a", "") == client_errc::local_invalid_value);
    CHECK(s.user_pass("j\xc3\xb6rg", "p") == client_errc::local_utf8_required);
    CHECK(s.apop("a", "not-a-digest") == client_errc::local_invalid_value);
    CHECK(s.output().empty());
    CHECK(s.state() == pop3::client_state::authorization);
    REQUIRE(s.apop("a", "c4c9334bac560ecc979e58001b3e22fb") == client_errc::ok);
    CHECK(s.user_pass("a", "b") == client_errc::local_state);  // a login is under way
    CHECK(s.quit() == client_errc::local_state);
    (void)feed(s, "+OK in\r\n");
    CHECK(s.retr(0) == client_errc::local_invalid_value);
    CHECK(s.dele(0) == client_errc::local_invalid_value);
    CHECK(s.top(0, 3) == client_errc::local_invalid_value);
    CHECK(s.apop("a", "c4c9334bac560ecc979e58001b3e22fb") == client_errc::local_state);
    CHECK(s.take_output() == "APOP a c4c9334bac560ecc979e58001b3e22fb\r\n");
  }
  SECTION("UTF8 (RFC 6856): then UTF-8 credentials and text") {
    pop3::client_session s;
    (void)feed(s, "+OK hi\r\n+OK\r\nUTF8 USER\r\nUSER\r\n.\r\n");
    (void)s.take_output();
    REQUIRE(s.utf8() == client_errc::ok);
    CHECK(feed(s, "+OK UTF8 enabled\r\n") == V{"done UTF8 +OK UTF8 enabled"});
    CHECK(s.utf8_mode());
    REQUIRE(s.user_pass("j\xc3\xb6rg", "p\xc3\xa4ss") == client_errc::ok);
    CHECK(s.take_output() == "UTF8\r\nUSER j\xc3\xb6rg\r\n");
    CHECK(feed(s, "+OK\r\n-ERR [AUTH] f\xc3\xa4il\r\n") == V{"login_failed PASS -ERR [AUTH] f\xc3\xa4il"});
  }
}

TEST_CASE("pop3 client: garbage from the server is a sticky error with its offset", "[pop3][client]") {
  const auto try_server = [](std::string_view bytes, const host_fn& host = {}) {
    pop3::client_session s(manual());
    V e = feed(s, bytes, host);
    if (s.error() != client_errc::ok) {
      CHECK(s.next_event() == status::error);  // sticky
      CHECK(s.receive("+OK\r\n") == 0);
    }
    return e.empty() ? std::string() : e.back();
  };
  const host_fn login = [](pop3::client_session& s, status) {
    if (s.event().kind == kind::greeting && s.event().ok()) REQUIRE(s.user_pass("u", "p") == client_errc::ok);
    if (s.event().kind == kind::logged_in) REQUIRE(s.stat() == client_errc::ok);
  };
  CHECK(try_server("* OK IMAP4rev1\r\n") == "error malformed response (invalid response status) @0");
  CHECK(try_server("+OKAY\r\n") == "error malformed response (invalid response status) @3");
  CHECK(try_server("+OK hi\n") == "error malformed response (bare LF in line) @6");
  CHECK(try_server("+OK hi\r\n+OK what\r\n") == "error unexpected response (ok) @8");
  CHECK(try_server("+ abc=\r\n") == "error unexpected response (ok) @0");
  CHECK(try_server("+OK hi\r\n+ \r\n", login) == "error unexpected response (ok) @8");
  CHECK(try_server("+OK h\x01i\r\n") == "error malformed response (control character in line) @5");
  CHECK(try_server("+OK hi\r\n+OK\r\n+OK\r\n+OK many\r\n", login) ==
        "error malformed STAT, LIST or UIDL answer (invalid listing line) @22");
  CHECK(try_server("+OK hi\r\n+OK\r\n+OK\r\n+OK 1 x\r\n", login) ==
        "error malformed STAT, LIST or UIDL answer (invalid listing line) @24");
  const host_fn list = [](pop3::client_session& s, status) {
    if (s.event().kind == kind::greeting) REQUIRE(s.user_pass("u", "p") == client_errc::ok);
    if (s.event().kind == kind::logged_in) {
      REQUIRE(s.list() == client_errc::ok);
      REQUIRE(s.uidl() == client_errc::ok);
      REQUIRE(s.list(4) == client_errc::ok);
    }
  };
  const std::string in = "+OK hi\r\n+OK\r\n+OK\r\n";  // 18 octets
  CHECK(try_server(in + "+OK\r\n1 x\r\n", list) ==
        "error malformed STAT, LIST or UIDL answer (invalid listing line) @25");
  CHECK(try_server(in + "+OK\r\n0 10\r\n", list) ==
        "error malformed STAT, LIST or UIDL answer (invalid listing line) @23");
  CHECK(try_server(in + "+OK\r\n.\r\n+OK\r\n1 two words\r\n", list) ==
        "error malformed STAT, LIST or UIDL answer (invalid unique-id) @36");
  CHECK(try_server(in + "+OK\r\n.\r\n+OK\r\n.\r\n+OK 5 100\r\n", list) ==
        "error malformed STAT, LIST or UIDL answer (invalid listing line) @38");  // LIST 4 answered for 5
  CHECK(try_server(in + "+OK\r\n1 10\n", list) == "error malformed response (bare LF in line) @27");
  CHECK(try_server("+OK hi\r\n+OK\r\n+OK\r\n+OK 1 1\r\n+OK\r\n", login) == "error unexpected response (ok) @27");
  const host_fn capa = [](pop3::client_session& s, status) {
    if (s.event().kind == kind::greeting) REQUIRE(s.capa() == client_errc::ok);
  };
  CHECK(try_server("+OK hi\r\n+OK\r\nSASL\r\n.\r\n", capa) == "error malformed CAPA line (invalid capability line) @17");
  CHECK(try_server("+OK hi\r\n+OK\r\nEXPIRE soon\r\n.\r\n", capa) ==
        "error malformed CAPA line (invalid capability line) @20");
  // After QUIT's answer nothing more may come.
  const host_fn quit = [](pop3::client_session& s, status) {
    if (s.event().kind == kind::greeting) REQUIRE(s.quit() == client_errc::ok);
  };
  CHECK(try_server("+OK hi\r\n+OK bye\r\n+OK\r\n", quit) == "error unexpected response (ok) @17");
}

TEST_CASE("pop3 client: odd servers, each leniency strict and lenient", "[pop3][client][lenient]") {
  const host_fn login = [](pop3::client_session& s, status) {
    if (s.event().kind == kind::capabilities) REQUIRE(s.user_pass("u", "p") == client_errc::ok);
    if (s.event().kind == kind::logged_in) REQUIRE(s.list() == client_errc::ok);
  };
  SECTION("allow_bare_lf") {
    const std::string server = "+OK hi\n+OK\nUSER\n.\n+OK\n+OK in\n+OK\n1 10\n.\n";
    pop3::client_session strict;
    CHECK(feed(strict, server, login).back() == "error malformed response (bare LF in line) @6");
    pop3::client_options o;
    o.allow_bare_lf = true;
    pop3::client_session lenient(o);
    CHECK(feed(lenient, server, login) == V{"greeting +OK hi", "capabilities CAPA +OK", "logged_in PASS +OK in",
                                            "list_entry LIST #1 size=10", "listing_end LIST"});
  }
  SECTION("allow_8bit_text") {
    const std::string server = "+OK Gr\xfc\xdf Gott\r\n";
    pop3::client_session strict;
    CHECK(feed(strict, server).back() == "error malformed response (non-ASCII octet outside UTF8 mode) @6");
    pop3::client_options o;
    o.allow_8bit_text = true;
    pop3::client_session lenient(o);
    CHECK(feed(lenient, server) == V{"greeting +OK Gr\xfc\xdf Gott"});
  }
  SECTION("skip_bad_capabilities") {
    const std::string server = "+OK hi\r\n+OK\r\nSASL\r\nEXPIRE soon\r\nUSER\r\n.\r\n";
    pop3::client_session strict;
    CHECK(feed(strict, server).back() == "error malformed CAPA line (invalid capability line) @17");
    pop3::client_options o;
    o.skip_bad_capabilities = true;
    pop3::client_session lenient(o);
    CHECK(feed(lenient, server) == V{"greeting +OK hi", "capabilities CAPA +OK"});
    CHECK(lenient.capabilities().user);
    CHECK(lenient.capabilities().sasl.empty());
    CHECK_FALSE(lenient.capabilities().expire);
  }
  SECTION("always accepted: +OK without text, text after a listing's size (RFC 1939 section 5)") {
    pop3::client_session s;
    CHECK(feed(s, "+OK\r\n+OK\r\n.\r\n+OK\r\n+OK\r\n+OK\r\n1 10 extra\r\n.\r\n", login) ==
          V{"greeting +OK", "capabilities CAPA +OK", "logged_in PASS +OK", "list_entry LIST #1 size=10",
            "listing_end LIST"});
  }
}

TEST_CASE("pop3 client: limits", "[pop3][client][limits]") {
  SECTION("response line (512 octets with CRLF by default)") {
    const std::string ok = "+OK " + std::string(506, 'x') + "\r\n";  // 512
    pop3::client_session a(manual());
    CHECK(feed(a, ok).size() == 1);
    CHECK(a.error() == client_errc::ok);
    pop3::client_session b(manual());
    CHECK(feed(b, "+OK " + std::string(507, 'x') + "\r\n").back() ==
          "error malformed response (response line too long) @512");
    // A listing line too.
    pop3::client_options o = manual();
    o.limits.response_line = 16;
    pop3::client_session c(o);
    const host_fn list = [](pop3::client_session& s, status) {
      if (s.event().kind == kind::greeting) REQUIRE(s.user_pass("u", "p") == client_errc::ok);
      if (s.event().kind == kind::logged_in) REQUIRE(s.list() == client_errc::ok);
    };
    CHECK(feed(c, "+OK\r\n+OK\r\n+OK\r\n+OK\r\n1 1234567890123\r\n", list).back() ==
          "error malformed response (response line too long) @36");
  }
  SECTION("input buffer") {
    pop3::client_options o = manual();
    o.max_input = 8;
    pop3::client_session s(o);
    CHECK(s.receive("+OK hello\r\n") == 8);
    CHECK(s.next_event() == status::error);
    CHECK(s.error() == client_errc::input_buffer_full);
    CHECK(s.error_offset() == 8);
    pop3::client_session t(o);  // lines that fit go through in pieces
    const std::string in = "+OK h\r\n";
    CHECK(t.receive(in) == in.size());
    CHECK(t.next_event() == status::event);
  }
  SECTION("unique-id (70), message numbers, SASL challenge lines") {
    const host_fn uidl = [](pop3::client_session& s, status) {
      if (s.event().kind == kind::greeting) REQUIRE(s.user_pass("u", "p") == client_errc::ok);
      if (s.event().kind == kind::logged_in) REQUIRE(s.uidl() == client_errc::ok);
    };
    const std::string in = "+OK\r\n+OK\r\n+OK\r\n+OK\r\n";  // 20 octets
    pop3::client_session a(manual());
    CHECK(feed(a, in + "1 " + std::string(70, 'u') + "\r\n.\r\n", uidl).back() == "listing_end UIDL");
    pop3::client_session b(manual());
    CHECK(feed(b, in + "1 " + std::string(71, 'u') + "\r\n.\r\n", uidl).back() ==
          "error malformed STAT, LIST or UIDL answer (invalid unique-id) @92");
    pop3::client_session c(manual());
    CHECK(feed(c, in + "2147483648 u\r\n.\r\n", uidl).back() ==
          "error malformed STAT, LIST or UIDL answer (number too large) @20");
    pop3::client_options o = manual();
    o.limits.max_number = 99;
    pop3::client_session d(o);
    CHECK(feed(d, in + "100 u\r\n.\r\n", uidl).back() ==
          "error malformed STAT, LIST or UIDL answer (number too large) @20");
    o = manual();
    o.limits.auth_line = 32;
    pop3::client_session e(o);
    (void)feed(e, "+OK\r\n");
    REQUIRE(e.auth("X") == client_errc::ok);
    CHECK(feed(e, "+ " + std::string(28, 'A') + "\r\n") == V{"auth_challenge AUTH [" + std::string(28, 'A') + "]"});
    REQUIRE(e.auth_cancel() == client_errc::ok);
    CHECK(feed(e, "-ERR\r\n") == V{"login_failed AUTH -ERR"});
    REQUIRE(e.auth("X") == client_errc::ok);
    CHECK(feed(e, "+ " + std::string(31, 'A') + "\r\n").back() ==  // 35 octets with CRLF
          "error malformed response (authentication line too long) @75");  // 5 + 32 + 6 + 32
  }
  SECTION("CAPA lines") {
    pop3::client_options o;
    o.max_capabilities = 3;
    pop3::client_session a(o);
    CHECK(feed(a, "+OK\r\n+OK\r\nTOP\r\nUSER\r\nUIDL\r\n.\r\n").back() == "capabilities CAPA +OK");
    pop3::client_session b(o);
    CHECK(feed(b, "+OK\r\n+OK\r\nTOP\r\nUSER\r\nUIDL\r\nSTLS\r\n.\r\n").back() == "error too many CAPA lines (ok) @27");
  }
}

TEST_CASE("pop3 client: plan_sync compares UIDL with the seen set", "[pop3][client][sync]") {
  const std::vector<pop3::uid_entry> server = {{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}};
  const std::vector<std::string> seen = {"b", "x", "d", "b", "gone-too"};
  const pop3::sync_plan p = pop3::plan_sync(server, seen);
  CHECK(p.fetch == std::vector<std::uint32_t>{1, 3});
  CHECK(p.gone == std::vector<std::string>{"gone-too", "x"});
  const std::vector<std::string_view> none;
  CHECK(pop3::plan_sync(server, none).fetch == std::vector<std::uint32_t>{1, 2, 3, 4});
  CHECK(pop3::plan_sync(std::span<const pop3::uid_entry>(), seen).gone.size() == 4);  // b, d, gone-too, x
  // Unique-ids compare octet for octet (RFC 1939 section 7): case matters.
  const std::vector<std::string_view> upper = {"A", "B", "C", "D"};
  CHECK(pop3::plan_sync(server, upper).fetch.size() == 4);
  // Random check against a direct computation (fixed seed).
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<pop3::uid_entry> srv;
    std::vector<std::string> have;
    for (std::uint32_t n = 1; n <= rng() % 40; ++n) srv.push_back({n, "u" + std::to_string(rng() % 60)});
    for (int k = 0, m = static_cast<int>(rng() % 40); k < m; ++k) have.push_back("u" + std::to_string(rng() % 60));
    const auto q = pop3::plan_sync(srv, have);
    std::vector<std::uint32_t> fetch;
    for (const auto& e : srv)
      if (std::find(have.begin(), have.end(), e.uid) == have.end()) fetch.push_back(e.message);
    CHECK(q.fetch == fetch);
    for (const auto& g : q.gone) {
      CHECK(std::find(have.begin(), have.end(), g) != have.end());
      CHECK(std::none_of(srv.begin(), srv.end(), [&](const pop3::uid_entry& e) { return e.uid == g; }));
    }
  }
}

TEST_CASE("pop3 client: error_code integration", "[pop3][client]") {
  const std::error_code ec = client_errc::plaintext_injection;
  CHECK(ec.category().name() == std::string("mailwire.pop3.client"));
  CHECK(ec.message() == "bytes after the STLS response before TLS");
  CHECK_FALSE(std::error_code(client_errc::ok));
  for (int e = 0; e <= static_cast<int>(client_errc::local_utf8_required); ++e)
    CHECK(pop3::to_string(static_cast<client_errc>(e)) != "unknown POP3 client error");
}

namespace {

// A client and a pop3::server_session wired together, bytes moved in pieces of `piece`.
struct maildrop_message {
  std::string uid;
  std::string data;  // as stored (the server stuffs it; bare LF becomes CRLF)
};

struct pair_outcome {
  std::map<std::uint32_t, std::string> fetched;  // message number -> bytes received
  std::vector<std::uint32_t> removed;            // the server's update event
  std::vector<std::string> events;
  std::string client_wire;
  bool operator==(const pair_outcome&) const = default;
};

pair_outcome run_pair(const pop3::client_options& co, const std::vector<maildrop_message>& drop,
                      const std::vector<std::string>& seen, std::size_t piece, bool stls = false) {
  pop3::server_options so;
  so.apop_timestamp = "<42.17@server.example>";
  so.tls_available = stls;
  so.sasl_mechanisms = "PLAIN";
  so.max_output = 1 << 22;
  pop3::server_session srv(so);
  pop3::client_session cli(co);
  pair_outcome o;
  std::vector<pop3::uid_entry> uids;
  std::string current;
  bool tls_pending = false;
  // The client host: login, STAT, UIDL, then fetch the unseen, delete the second, QUIT.
  auto client_host = [&]() {
    const pop3::client_event& e = cli.event();
    switch (e.kind) {
      case kind::capabilities:
        if (cli.capabilities().stls && !cli.tls()) REQUIRE(cli.stls() == client_errc::ok);
        else if (cli.tls()) REQUIRE(cli.auth("PLAIN", mailwire::sasl::encode_plain("", "alice", "pw")) == client_errc::ok);
        else REQUIRE(cli.user_pass("alice", "pw") == client_errc::ok);
        break;
      case kind::stls_ready: tls_pending = true; break;
      case kind::logged_in:
        REQUIRE(cli.stat() == client_errc::ok);
        REQUIRE(cli.uidl() == client_errc::ok);
        break;
      case kind::uidl_entry: uids.push_back({e.message, std::string(e.uid)}); break;
      case kind::listing_end: {
        const auto plan = pop3::plan_sync(uids, seen);
        for (std::uint32_t n : plan.fetch) REQUIRE(cli.retr(n) == client_errc::ok);
        REQUIRE(cli.dele(2) == client_errc::ok);
        REQUIRE(cli.quit() == client_errc::ok);
        break;
      }
      case kind::message_begin: current.clear(); break;
      case kind::message_data: current += e.data; break;
      case kind::message_end: o.fetched[e.message] = current; break;
      default: break;
    }
  };
  auto server_host = [&]() {
    const pop3::server_event& e = srv.event();
    using sk = pop3::server_event_kind;
    switch (e.kind) {
      case sk::login:
        CHECK(e.user == "alice");
        REQUIRE(srv.accept_login(static_cast<std::uint32_t>(drop.size())) == pop3::errc::ok);
        break;
      case sk::auth:
        CHECK(e.command.response == mailwire::sasl::encode_plain("", "alice", "pw"));
        REQUIRE(srv.accept_login(static_cast<std::uint32_t>(drop.size())) == pop3::errc::ok);
        break;
      case sk::stat: {
        std::size_t total = 0;
        for (const auto& m : drop) total += m.data.size();
        REQUIRE(srv.ok(std::to_string(drop.size()) + " " + std::to_string(total)) == pop3::errc::ok);
        break;
      }
      case sk::uidl:
        REQUIRE(srv.begin_body() == pop3::errc::ok);
        for (std::size_t i = 0; i < drop.size(); ++i)
          REQUIRE(srv.body(std::to_string(i + 1) + " " + drop[i].uid + "\r\n") > 0);
        REQUIRE(srv.end_body() == pop3::errc::ok);
        break;
      case sk::retr: {
        REQUIRE(srv.begin_body("message follows") == pop3::errc::ok);
        const std::string& d = drop[e.command.message - 1].data;
        for (std::size_t p = 0; p < d.size(); p += 1000) REQUIRE(srv.body(std::string_view(d).substr(p, 1000)) > 0);
        REQUIRE(srv.end_body() == pop3::errc::ok);
        break;
      }
      case sk::update:
        o.removed = srv.deleted_messages();
        REQUIRE(srv.accept() == pop3::errc::ok);
        break;
      default: break;
    }
  };
  auto move = [&](std::string bytes, auto&& receive) {
    std::size_t pos = 0;
    while (pos < bytes.size()) pos += receive(std::string_view(bytes).substr(pos, piece));
  };
  for (int rounds = 0; rounds < 100000 && cli.state() != pop3::client_state::closed; ++rounds) {
    // server -> client
    const std::string s2c = srv.take_output();
    std::size_t pos = 0;
    do {
      const std::size_t n = cli.receive(std::string_view(s2c).substr(pos, piece));
      pos += n;
      for (status st; (st = cli.next_event()) != status::need_more;) {
        REQUIRE(st != status::error);
        push_event(o.events, st, cli);
        client_host();
        if (st == status::paused) break;
      }
      if (tls_pending) {
        REQUIRE(pos == s2c.size());  // the +OK to STLS is the last the server wrote
        REQUIRE(srv.tls_started() == pop3::errc::ok);
        REQUIRE(cli.tls_started() == client_errc::ok);
        tls_pending = false;
      }
    } while (pos < s2c.size());
    // client -> server
    const std::string c2s = cli.take_output();
    o.client_wire += c2s;
    move(c2s, [&](std::string_view b) {
      const std::size_t n = srv.receive(b);
      for (status st; (st = srv.next_event()) == status::event;) server_host();
      REQUIRE(srv.error() == pop3::errc::ok);
      return n;
    });
    for (status st; (st = srv.next_event()) == status::event;) server_host();
  }
  REQUIRE(cli.state() == pop3::client_state::closed);
  CHECK(srv.closed());
  return o;
}

}  // namespace

TEST_CASE("pop3 client and server sessions talk to each other", "[pop3][client][server]") {
  std::string big;
  std::mt19937 rng(2449);
  for (int i = 0; i < 3000; ++i) {
    std::string line(rng() % 100, 'b');
    if (rng() % 5 == 0) line.insert(0, ".");
    big += line + "\r\n";
  }
  const std::vector<maildrop_message> drop = {
      {"uid-1", "Subject: one\r\n\r\nfirst\r\n"},
      {"uid-2", "Subject: two\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n"},
      {"uid-3", "Subject: three\r\n\r\n" + big},
  };
  const std::vector<std::string> seen = {"uid-1", "uid-old"};
  pop3::client_options co;
  SECTION("PIPELINING, every piece size") {
    const pair_outcome one = run_pair(co, drop, seen, 1);
    CHECK(one.fetched == std::map<std::uint32_t, std::string>{{2, drop[1].data}, {3, drop[2].data}});
    CHECK(one.removed == std::vector<std::uint32_t>{2});
    CHECK(one.client_wire == "CAPA\r\nUSER alice\r\nPASS pw\r\nSTAT\r\nUIDL\r\nRETR 2\r\nRETR 3\r\nDELE 2\r\nQUIT\r\n");
    for (std::size_t piece : {2u, 3u, 7u, 64u, 1000u, 100000u}) {
      INFO("piece " << piece);
      const pair_outcome p = run_pair(co, drop, seen, piece);
      CHECK(p.events == one.events);
      CHECK(p.fetched == one.fetched);
      CHECK(p.removed == one.removed);
      CHECK(p.client_wire == one.client_wire);
    }
    co.pipelining = false;
    CHECK(run_pair(co, drop, seen, 5) == one);
  }
  SECTION("STLS then AUTH PLAIN") {
    const pair_outcome o = run_pair(co, drop, {}, 13, true);
    CHECK(o.fetched.size() == 3);
    CHECK(o.fetched.at(3) == drop[2].data);
    CHECK(o.removed == std::vector<std::uint32_t>{2});
    CHECK(o.client_wire.rfind("CAPA\r\nSTLS\r\nCAPA\r\nAUTH PLAIN AGFsaWNlAHB3\r\nSTAT\r\nUIDL\r\n", 0) == 0);
  }
}
