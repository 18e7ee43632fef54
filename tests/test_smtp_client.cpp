// Tests of mailwire/smtp/client.hpp: the SMTP/LMTP client session, driven with the server's
// lines of RFC 5321 appendix D, RFC 2033 section 4.2, RFC 3207 and RFC 4954 examples; exact
// client bytes at each step; every chunking of the server's bytes gives the same events.
#include <mailwire/smtp/client.hpp>
#include <mailwire/smtp/server.hpp>

#include <mailwire/codec/base64.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "chunking.hpp"

namespace smtp = mailwire::smtp;
using mailwire::status;
using kind = smtp::client_event_kind;

namespace {

std::string describe(const smtp::client_result& r) {
  if (r.st == status::error)
    return "error " + std::string(smtp::to_string(r.error)) + " (" +
           std::string(smtp::to_string(r.reply_error)) + ") @" + std::to_string(r.error_offset);
  static const char* names[] = {"none",        "greeting",      "ehlo_done",    "starttls_ready",
                                "auth_challenge", "auth_done",  "auth_failed",  "mail_result",
                                "rcpt_result", "data_ready",    "message_result", "reply",
                                "closed"};
  std::string s = names[static_cast<int>(r.ev.kind)];
  if (r.ev.index != smtp::no_index) s += " #" + std::to_string(r.ev.index);
  s += " " + std::to_string(r.ev.reply.code);
  if (r.ev.enhanced)
    s += " " + std::to_string(r.ev.enhanced->cls) + "." + std::to_string(r.ev.enhanced->subject) + "." +
         std::to_string(r.ev.enhanced->detail);
  if (r.ev.last) s += " last";
  if (r.ev.helo) s += " helo";
  if (r.ev.kind == kind::auth_challenge) s += " [" + std::string(r.ev.challenge) + "]";
  if (r.st == status::paused) s += " (paused)";
  return s;
}

using host_fn = std::function<void(smtp::client_session&, const smtp::client_result&)>;

struct run_outcome {
  std::vector<std::string> events;
  std::string output;
  bool operator==(const run_outcome&) const = default;
};

// Feeds `server` to a new session in the chunks given by `cuts`, draining events after each
// receive and letting `host` react; collects events and all client output.
run_outcome run_chunked(const smtp::client_options& opt, const host_fn& host, std::string_view server,
                        const std::vector<std::size_t>& cuts) {
  run_outcome o;
  smtp::client_session s(opt);
  auto drain = [&] {
    for (;;) {
      const auto r = s.next_event();
      if (r.st == status::need_more) return true;
      o.events.push_back(describe(r));
      if (r.st == status::error) return false;
      host(s, r);
      o.output += s.take_output();
      if (r.st == status::paused && s.state() == smtp::client_state::tls_handshake) return true;
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

// Runs whole, byte by byte and split at every offset; requires the same outcome; returns it.
// `fixed` cuts are in every run: where the TLS handshake happens (the bytes after it are a new
// stream; in the same read as the 220 they would be an injection).
run_outcome run_every_chunking(const smtp::client_options& opt, const host_fn& host, std::string_view server,
                               const std::vector<std::size_t>& fixed = {}) {
  auto with = [&](std::vector<std::size_t> c) {
    c.insert(c.end(), fixed.begin(), fixed.end());
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    return c;
  };
  const run_outcome whole = run_chunked(opt, host, server, fixed);
  std::vector<std::size_t> bytewise;
  for (std::size_t i = 1; i < server.size(); ++i) bytewise.push_back(i);
  {
    const run_outcome b = run_chunked(opt, host, server, bytewise);
    INFO("byte by byte");
    CHECK(b.events == whole.events);
    REQUIRE(b.output == whole.output);
  }
  for (std::size_t cut = 1; cut < server.size(); ++cut) {
    INFO("split at " << cut);
    REQUIRE(run_chunked(opt, host, server, with({cut})) == whole);
  }
  return whole;
}

// A transcript of "S: " and "C: " lines (RFC style). Replays it step by step: before each block
// of server lines, the client must have written exactly the client lines since the last block
// (so a client that sends too early or too late fails); then the server block is received and
// the events drained (host reacts). Returns the events. Also checks every chunking of the whole
// server stream gives the same events and output.
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

std::vector<std::string> replay(const smtp::client_options& opt, const host_fn& host, std::string_view script,
                                bool check_chunkings = true) {
  const auto lines = parse_script(script);
  smtp::client_session s(opt);
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
      const auto r = s.next_event();
      if (r.st == status::need_more) break;
      events.push_back(describe(r));
      REQUIRE(r.st != status::error);
      host(s, r);
      if (r.ev.kind == kind::starttls_ready) tls_cuts.push_back(server_all.size());
      if (r.st == status::paused && s.state() == smtp::client_state::tls_handshake) break;
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

std::vector<smtp::path> paths(std::initializer_list<std::string_view> addrs) {
  std::vector<smtp::path> v;
  for (auto a : addrs) {
    const auto r = smtp::parse_address(a);
    REQUIRE(r.ok());
    v.push_back(r.value);
  }
  return v;
}

smtp::path addr(std::string_view a) {
  const auto r = smtp::parse_address(a);
  REQUIRE(r.ok());
  return r.value;
}

using V = std::vector<std::string>;

// A host that sends one message to `to` after EHLO (and QUITs after it).
struct simple_host {
  std::string from;
  std::vector<std::string> to;
  std::string body;
  smtp::mail_parameters params{};
  void operator()(smtp::client_session& s, const smtp::client_result& r) const {
    switch (r.ev.kind) {
      case kind::ehlo_done: {
        std::vector<std::string_view> tv(to.begin(), to.end());
        std::vector<smtp::path> p;
        for (auto a : tv) p.push_back(addr(a));
        REQUIRE(s.send_envelope(addr(from), std::span<const smtp::path>(p), params) == smtp::client_errc::ok);
        break;
      }
      case kind::data_ready:
        REQUIRE(s.send_data(body, true) == smtp::client_errc::ok);
        break;
      case kind::message_result:
        if (r.ev.last) REQUIRE(s.quit() == smtp::client_errc::ok);
        break;
      default: break;
    }
  }
};

}  // namespace

TEST_CASE("smtp client: RFC 5321 appendix D.1, a typical transaction", "[smtp][client]") {
  smtp::client_options opt;
  opt.local_host = "bar.com";
  simple_host host{"Smith@bar.com", {"Jones@foo.com", "Green@foo.com", "Brown@foo.com"},
                   "Blah blah blah...\n...etc. etc. etc.\n"};
  // The appendix shows the message text; on the wire its line "...etc. etc. etc." is
  // dot-stuffed to "....etc. etc. etc." (RFC 5321 section 4.5.2), as here.
  const auto ev = replay(opt, host, R"(
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<Smith@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@foo.com>
      S: 250 OK
      C: RCPT TO:<Green@foo.com>
      S: 550 No such user here
      C: RCPT TO:<Brown@foo.com>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Blah blah blah...
      C: ....etc. etc. etc.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
  )");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "mail_result 250", "rcpt_result #0 250",
                "rcpt_result #1 550", "rcpt_result #2 250", "data_ready 354", "message_result 250 last",
                "closed 221"});
}

TEST_CASE("smtp client: recipient results and capabilities after D.1", "[smtp][client]") {
  smtp::client_options opt;
  opt.local_host = "bar.com";
  smtp::client_session s(opt);
  std::string server =
      "220 foo.com Simple Mail Transfer Service Ready\r\n"
      "250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n";
  REQUIRE(s.receive(server) == server.size());
  CHECK(s.next_event().ev.kind == kind::greeting);
  const auto e = s.next_event();
  REQUIRE(e.ev.kind == kind::ehlo_done);
  CHECK(s.capabilities().eightbitmime);
  CHECK(s.capabilities().size);
  CHECK(s.capabilities().dsn);
  CHECK_FALSE(s.capabilities().pipelining);
  REQUIRE(s.ehlo_info());
  CHECK(s.ehlo_info()->domain == "foo.com");
  const auto to = paths({"Jones@foo.com", "Green@foo.com", "Brown@foo.com"});
  REQUIRE(s.send_envelope(addr("Smith@bar.com"), std::span<const smtp::path>(to)) == smtp::client_errc::ok);
  for (std::string_view line : {"250 OK\r\n", "250 OK\r\n", "550 No such user here\r\n", "250 OK\r\n",
                                "354 go\r\n"}) {
    REQUIRE(s.receive(line) == line.size());
    while (s.next_event().st == status::event) {
    }
  }
  REQUIRE(s.state() == smtp::client_state::data);
  REQUIRE(s.send_data("x", true) == smtp::client_errc::ok);
  REQUIRE(s.receive("250 2.0.0 queued as 1\r\n") == 23);
  CHECK(s.next_event().ev.kind == kind::message_result);
  const auto rr = s.recipient_results();
  REQUIRE(rr.size() == 3);
  CHECK(rr[0].accepted());
  CHECK_FALSE(rr[1].accepted());
  CHECK(rr[1].rcpt_code == 550);
  CHECK(rr[1].reply == "550 No such user here\r\n");
  CHECK(rr[2].accepted());
  CHECK(rr[2].reply == "250 2.0.0 queued as 1\r\n");
  CHECK(s.state() == smtp::client_state::ready);
}

TEST_CASE("smtp client: RFC 5321 appendix D.2, aborted transaction", "[smtp][client]") {
  smtp::client_options opt;
  opt.local_host = "bar.com";
  opt.require_all_recipients = true;
  simple_host host{"Smith@bar.com", {"Jones@foo.com", "Green@foo.com"}, "unused"};
  const auto ev = replay(opt, host, R"(
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<Smith@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@foo.com>
      S: 250 OK
      C: RCPT TO:<Green@foo.com>
      S: 550 No such user here
      C: RSET
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
  )");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "mail_result 250", "rcpt_result #0 250",
                "rcpt_result #1 550", "message_result 0 last", "closed 221"});
}

TEST_CASE("smtp client: RFC 5321 appendix D.3, relayed mail (both steps)", "[smtp][client]") {
  smtp::client_options opt;
  opt.local_host = "bar.com";
  simple_host host1{"JQP@bar.com", {"Jones@XYZ.COM"},
                    "Date: Thu, 21 May 1998 05:33:29 -0700\n"
                    "From: John Q. Public <JQP@bar.com>\n"
                    "Subject: The Next Meeting of the Board\n"
                    "To: Jones@xyz.com\n"
                    "\n"
                    "Bill:\n"
                    "The next meeting of the board of directors will be\n"
                    "on Tuesday.\n"
                    "John."};  // no final line break: the session adds CRLF before the dot
  replay(opt, host1, R"(
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<JQP@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@XYZ.COM>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Date: Thu, 21 May 1998 05:33:29 -0700
      C: From: John Q. Public <JQP@bar.com>
      C: Subject: The Next Meeting of the Board
      C: To: Jones@xyz.com
      C:
      C: Bill:
      C: The next meeting of the board of directors will be
      C: on Tuesday.
      C: John.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
  )");
  opt.local_host = "foo.com";
  simple_host host2{"JQP@bar.com", {"Jones@XYZ.COM"},
                    "Received: from foo.com by xyz.com ; Thu, 21 May 1998\r\n"
                    "    05:33:29 -0700\r\n"
                    "Date: Thu, 21 May 1998 05:33:22 -0700\r\n"
                    "From: John Q. Public <JQP@bar.com>\r\n"
                    "Subject:  The Next Meeting of the Board\r\n"
                    "To: Jones@xyz.com\r\n"
                    "\r\n"
                    "Bill:\r\n"
                    "The next meeting of the board of directors will be\r\n"
                    "on Tuesday.\r\n"
                    "John.\r\n"};
  const auto ev = replay(opt, host2, R"(
      S: 220 xyz.com Simple Mail Transfer Service Ready
      C: EHLO foo.com
      S: 250 xyz.com is on the air
      C: MAIL FROM:<JQP@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@XYZ.COM>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Received: from foo.com by xyz.com ; Thu, 21 May 1998
      C:     05:33:29 -0700
      C: Date: Thu, 21 May 1998 05:33:22 -0700
      C: From: John Q. Public <JQP@bar.com>
      C: Subject:  The Next Meeting of the Board
      C: To: Jones@xyz.com
      C:
      C: Bill:
      C: The next meeting of the board of directors will be
      C: on Tuesday.
      C: John.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
  )");
  CHECK(ev.back() == "closed 221");
}

TEST_CASE("smtp client: RFC 5321 appendix D.4, verifying and sending", "[smtp][client]") {
  smtp::client_options opt;
  opt.local_host = "bar.com";
  simple_host send{"EAK@bar.com", {"Admin.MRC@foo.com"}, "Blah blah blah...\r\n...etc. etc. etc.\r\n"};
  host_fn host = [&](smtp::client_session& s, const smtp::client_result& r) {
    if (r.ev.kind == kind::ehlo_done) {
      REQUIRE(s.vrfy("Crispin") == smtp::client_errc::ok);
    } else if (r.ev.kind == kind::reply && r.ev.command == smtp::verb::vrfy) {
      smtp::client_result fake = r;
      fake.ev.kind = kind::ehlo_done;
      send(s, fake);
    } else {
      send(s, r);
    }
  };
  const auto ev = replay(opt, host, R"(
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250-VRFY
      S: 250 HELP
      C: VRFY Crispin
      S: 250 Mark Crispin <Admin.MRC@foo.com>
      C: MAIL FROM:<EAK@bar.com>
      S: 250 OK
      C: RCPT TO:<Admin.MRC@foo.com>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Blah blah blah...
      C: ....etc. etc. etc.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
  )");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "reply 250", "mail_result 250", "rcpt_result #0 250",
                "data_ready 354", "message_result 250 last", "closed 221"});
}

TEST_CASE("smtp client: RFC 2033 section 4.2 LMTP, per-recipient replies", "[smtp][client][lmtp]") {
  smtp::client_options opt;
  opt.local_host = "foo.edu";
  opt.lmtp = true;
  simple_host host{"chris@bar.com", {"pat@foo.edu", "jones@foo.edu", "green@foo.edu"},
                   "Blah blah blah...\r\n...etc. etc. etc.\r\n"};
  // The example's server offers PIPELINING, so MAIL, the RCPTs and DATA go as one group
  // (RFC 2920 section 3.1); the server lines are the example's, in order.
  const auto ev = replay(opt, host, R"(
      S: 220 foo.edu LMTP server ready
      C: LHLO foo.edu
      S: 250-foo.edu
      S: 250-PIPELINING
      S: 250 SIZE
      C: MAIL FROM:<chris@bar.com>
      C: RCPT TO:<pat@foo.edu>
      C: RCPT TO:<jones@foo.edu>
      C: RCPT TO:<green@foo.edu>
      C: DATA
      S: 250 OK
      S: 250 OK
      S: 550 No such user here
      S: 250 OK
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Blah blah blah...
      C: ....etc. etc. etc.
      C: .
      S: 250 OK
      S: 452 <green@foo.edu> is temporarily over quota
      C: QUIT
      S: 221 foo.edu closing connection
  )");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "mail_result 250", "rcpt_result #0 250",
                "rcpt_result #1 550", "rcpt_result #2 250", "data_ready 354", "message_result #0 250",
                "message_result #2 452 last", "closed 221"});

  // Without PIPELINING: the example in its own order, one command per reply.
  const auto ev2 = replay(opt, host, R"(
      S: 220 foo.edu LMTP server ready
      C: LHLO foo.edu
      S: 250-foo.edu
      S: 250 SIZE
      C: MAIL FROM:<chris@bar.com>
      S: 250 OK
      C: RCPT TO:<pat@foo.edu>
      S: 250 OK
      C: RCPT TO:<jones@foo.edu>
      S: 550 No such user here
      C: RCPT TO:<green@foo.edu>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Blah blah blah...
      C: ....etc. etc. etc.
      C: .
      S: 250 OK
      S: 452 <green@foo.edu> is temporarily over quota
      C: QUIT
      S: 221 foo.edu closing connection
  )");
  CHECK(ev2 == ev);
}

TEST_CASE("smtp client: LMTP recipient results; no HELO fallback", "[smtp][client][lmtp]") {
  smtp::client_options opt;
  opt.lmtp = true;
  smtp::client_session s(opt);
  std::string in = "220 x\r\n250-x\r\n250 PIPELINING\r\n";
  REQUIRE(s.receive(in) == in.size());
  (void)s.next_event();
  REQUIRE(s.next_event().ev.kind == kind::ehlo_done);
  const auto to = paths({"a@x", "b@x", "c@x"});
  REQUIRE(s.send_envelope(addr("<>"), std::span<const smtp::path>(to)) == smtp::client_errc::ok);
  CHECK(s.take_output() == "LHLO localhost\r\nMAIL FROM:<>\r\nRCPT TO:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\nDATA\r\n");
  in = "250 ok\r\n250 ok\r\n250 ok\r\n550 no\r\n354 go\r\n";
  REQUIRE(s.receive(in) == in.size());
  while (s.next_event().ev.kind != kind::data_ready) {
  }
  REQUIRE(s.send_data("hi\r\n", true) == smtp::client_errc::ok);
  in = "250 2.0.0 a ok\r\n451 4.2.0 b later\r\n";
  REQUIRE(s.receive(in) == in.size());
  auto r = s.next_event();
  CHECK(describe(r) == "message_result #0 250");
  r = s.next_event();
  CHECK(describe(r) == "message_result #1 451 last");
  const auto rr = s.recipient_results();
  CHECK(rr[0].accepted());
  CHECK(rr[1].data_code == 451);
  CHECK(rr[1].reply == "451 4.2.0 b later\r\n");
  CHECK(rr[2].rcpt_code == 550);
  CHECK_FALSE(rr[2].accepted());

  smtp::client_session l(opt);
  in = "220 x\r\n502 no LHLO\r\n";
  REQUIRE(l.receive(in) == in.size());
  (void)l.next_event();
  CHECK(describe(l.next_event()) == "ehlo_done 502");
  CHECK(l.take_output() == "LHLO localhost\r\n");
  CHECK(l.state() == smtp::client_state::greeted);
}

TEST_CASE("smtp client: pipelining, one group when offered, one command per reply otherwise", "[smtp][client]") {
  smtp::client_options opt;
  opt.local_host = "c.example";
  simple_host host{"a@c.example", {"b@s.example", "c@s.example"}, "Hi\r\n"};
  const auto ev = replay(opt, host, R"(
      S: 220 s.example ESMTP
      C: EHLO c.example
      S: 250-s.example
      S: 250-PIPELINING
      S: 250 8BITMIME
      C: MAIL FROM:<a@c.example>
      C: RCPT TO:<b@s.example>
      C: RCPT TO:<c@s.example>
      C: DATA
      S: 250 2.1.0 Ok
      S: 550 5.1.1 unknown
      S: 250 2.1.5 Ok
      S: 354 End data with <CR><LF>.<CR><LF>
      C: Hi
      C: .
      S: 250 2.0.0 Ok: queued
      C: QUIT
      S: 221 2.0.0 Bye
  )");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "mail_result 250", "rcpt_result #0 550",
                "rcpt_result #1 250", "data_ready 354", "message_result 250 last", "closed 221"});
}

TEST_CASE("smtp client: pipelined transaction with every recipient refused", "[smtp][client]") {
  simple_host host{"a@c", {"b@s"}, "never sent"};
  // DATA refused: message_result with its reply, then RSET (MAIL was accepted).
  auto ev = replay({}, host, R"(
      S: 220 s
      C: EHLO localhost
      S: 250-s
      S: 250 PIPELINING
      C: MAIL FROM:<a@c>
      C: RCPT TO:<b@s>
      C: DATA
      S: 250 ok
      S: 550 no
      S: 554 5.5.1 Error: no valid recipients
      C: RSET
      C: QUIT
      S: 250 ok
      S: 221 bye
  )");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "mail_result 250", "rcpt_result #0 550",
                "message_result 554 last", "closed 221"});
  // A server that answers 354 anyway gets the empty message's end (RFC 2920 section 3.1).
  ev = replay({}, host, R"(
      S: 220 s
      C: EHLO localhost
      S: 250-s
      S: 250 PIPELINING
      C: MAIL FROM:<a@c>
      C: RCPT TO:<b@s>
      C: DATA
      S: 250 ok
      S: 550 no
      S: 354 go ahead
      C: .
      S: 554 no valid recipients
      C: QUIT
      S: 221 bye
  )");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "mail_result 250", "rcpt_result #0 550",
                "message_result 554 last", "closed 221"});
  // MAIL refused without PIPELINING: no RCPT is sent.
  ev = replay({}, host, R"(
      S: 220 s
      C: EHLO localhost
      S: 250 s
      C: MAIL FROM:<a@c>
      S: 553 sender refused
      C: QUIT
      S: 221 bye
  )");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "mail_result 553", "message_result 0 last", "closed 221"});
}

TEST_CASE("smtp client: STARTTLS, capabilities re-read after tls_started (RFC 3207, RFC 4954)",
          "[smtp][client][starttls]") {
  smtp::client_options opt;
  opt.local_host = "client.example.com";
  bool checked = false;
  host_fn host = [&](smtp::client_session& s, const smtp::client_result& r) {
    if (r.ev.kind == kind::ehlo_done && !s.tls()) {
      CHECK(s.capabilities().starttls);
      CHECK_FALSE(s.capabilities().has_auth("PLAIN"));
      CHECK(s.auth_plain("test", "1234", "test") == smtp::client_errc::local_not_advertised);
      REQUIRE(s.starttls() == smtp::client_errc::ok);
    } else if (r.ev.kind == kind::starttls_ready) {
      REQUIRE(r.st == status::paused);
      CHECK(s.send_envelope(addr("a@b"), std::span<const smtp::path>()) == smtp::client_errc::local_wrong_state);
      REQUIRE(s.tls_started() == smtp::client_errc::ok);
      CHECK_FALSE(s.capabilities().starttls);
      CHECK(s.capabilities().auth_mechanisms.empty());
    } else if (r.ev.kind == kind::ehlo_done) {
      CHECK(s.tls());
      CHECK_FALSE(s.capabilities().starttls);
      CHECK(s.capabilities().has_auth("PLAIN"));
      checked = true;
      REQUIRE(s.auth_plain("test", "1234", "test") == smtp::client_errc::ok);
    } else if (r.ev.kind == kind::auth_done) {
      REQUIRE(s.quit() == smtp::client_errc::ok);
    }
  };
  const auto ev = replay(opt, host, R"(
      S: 220 smtp.example.com ESMTP Server
      C: EHLO client.example.com
      S: 250-smtp.example.com Hello client.example.com
      S: 250-AUTH GSSAPI DIGEST-MD5
      S: 250-ENHANCEDSTATUSCODES
      S: 250 STARTTLS
      C: STARTTLS
      S: 220 Ready to start TLS
      C: EHLO client.example.com
      S: 250-smtp.example.com Hello client.example.com
      S: 250-AUTH GSSAPI DIGEST-MD5 PLAIN
      S: 250 ENHANCEDSTATUSCODES
      C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
      S: 235 2.7.0 Authentication successful
      C: QUIT
      S: 221 2.0.0 Bye
  )");
  CHECK(checked);
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "starttls_ready 220 (paused)", "ehlo_done 250",
                "auth_done 235 2.7.0", "closed 221 2.0.0"});
}

TEST_CASE("smtp client: bytes after STARTTLS's 220 are an injection, never read", "[smtp][client][starttls]") {
  const std::string pre = "220 s\r\n250-s\r\n250 STARTTLS\r\n";
  auto start = [&](smtp::client_session& s) {
    REQUIRE(s.receive(pre) == pre.size());
    (void)s.next_event();
    REQUIRE(s.next_event().ev.kind == kind::ehlo_done);
    REQUIRE(s.starttls() == smtp::client_errc::ok);
  };
  // In the same read as the 220 (CVE-2011-0411): an error at the first injected byte.
  {
    smtp::client_session s;
    start(s);
    const std::string in = "220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n";
    REQUIRE(s.receive(in) == in.size());
    const auto r = s.next_event();
    REQUIRE(r.st == status::error);
    CHECK(r.error == smtp::client_errc::plaintext_injection);
    CHECK(r.error_offset == pre.size() + 14);
    CHECK(s.tls_started() == smtp::client_errc::local_wrong_state);
    const auto again = s.next_event();  // sticky
    CHECK(again.error == smtp::client_errc::plaintext_injection);
    CHECK(again.error_offset == r.error_offset);
    CHECK(s.receive("more") == 0);
  }
  // In a later read, before tls_started(): the same error, at the same offset.
  {
    smtp::client_session s;
    start(s);
    REQUIRE(s.receive("220 go ahead\r\n") == 14);
    const auto r = s.next_event();
    CHECK(r.st == status::paused);
    CHECK(r.ev.kind == kind::starttls_ready);
    CHECK(s.next_event().st == status::paused);  // until tls_started()
    CHECK(s.receive("250-injected\r\n") == 0);
    const auto e = s.next_event();
    REQUIRE(e.st == status::error);
    CHECK(e.error == smtp::client_errc::plaintext_injection);
    CHECK(e.error_offset == pre.size() + 14);
  }
  // Every chunking: the error is always reported at the same offset.
  host_fn host = [](smtp::client_session& s, const smtp::client_result& r) {
    if (r.ev.kind == kind::ehlo_done) REQUIRE(s.starttls() == smtp::client_errc::ok);
  };
  const std::string all = pre + "220 go ahead\r\n250 x\r\n";
  for (std::size_t cut = 1; cut < all.size(); ++cut) {
    const auto o = run_chunked({}, host, all, {cut});
    REQUIRE(!o.events.empty());
    CHECK(o.events.back() == "error bytes after the STARTTLS reply before TLS (ok) @" + std::to_string(pre.size() + 14));
    CHECK(o.output == "EHLO localhost\r\nSTARTTLS\r\n");
  }
  // A refused STARTTLS is a reply; the session goes on in plain text.
  smtp::client_session s;
  start(s);
  REQUIRE(s.receive("454 4.7.0 TLS not available\r\n") == 29);
  CHECK(describe(s.next_event()) == "reply 454");
  CHECK(s.state() == smtp::client_state::ready);
  CHECK_FALSE(s.tls());
}

TEST_CASE("smtp client: AUTH LOGIN, generic AUTH with challenges, cancel (RFC 4954)", "[smtp][client][auth]") {
  const std::string ehlo = "220 s\r\n250-s\r\n250-AUTH LOGIN PLAIN CRAM-MD5\r\n250 ENHANCEDSTATUSCODES\r\n";
  // LOGIN: the session answers both prompts.
  host_fn login = [](smtp::client_session& s, const smtp::client_result& r) {
    if (r.ev.kind == kind::ehlo_done) REQUIRE(s.auth_login("tim", "tanstaaftanstaaf") == smtp::client_errc::ok);
  };
  auto ev = replay({}, login, R"(
      S: 220 s
      C: EHLO localhost
      S: 250-s
      S: 250-AUTH LOGIN PLAIN CRAM-MD5
      S: 250 ENHANCEDSTATUSCODES
      C: AUTH LOGIN
      S: 334 VXNlcm5hbWU6
      C: dGlt
      S: 334 UGFzc3dvcmQ6
      C: dGFuc3RhYWZ0YW5zdGFhZg==
      S: 235 2.7.0 Authentication successful
  )");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "auth_done 235 2.7.0"});

  // CRAM-MD5 through the generic exchange (RFC 4954 section 8 example).
  std::string got;
  host_fn cram = [&](smtp::client_session& s, const smtp::client_result& r) {
    if (r.ev.kind == kind::ehlo_done) REQUIRE(s.auth("CRAM-MD5") == smtp::client_errc::ok);
    if (r.ev.kind == kind::auth_challenge) {
      got = std::string(r.ev.challenge);
      REQUIRE(s.auth_continue("fred 9e95aee09c40af2b84a0c2b3bbae786e") == smtp::client_errc::ok);
    }
  };
  ev = replay({}, cram, R"(
      S: 220 s
      C: EHLO localhost
      S: 250-s
      S: 250-AUTH DIGEST-MD5 CRAM-MD5
      S: 250-ENHANCEDSTATUSCODES
      S: 250 STARTTLS
      C: AUTH CRAM-MD5
      S: 334 PENCeUxFREJoU0NnbmhNWitOMjNGNndAZWx3b29kLmlubm9zb2Z0LmNvbT4=
      C: ZnJlZCA5ZTk1YWVlMDljNDBhZjJiODRhMGMyYjNiYmFlNzg2ZQ==
      S: 235 2.7.0 Authentication Successful
  )");
  CHECK(got == "<CByLEDBhSCgnhMZ+N23F6w@elwood.innosoft.com>");
  REQUIRE(ev.size() == 4);
  CHECK(ev[3] == "auth_done 235 2.7.0");

  // PLAIN without an initial response: "334 " (with its space, RFC 4954's example) is an
  // empty challenge even in strict mode; then cancel with "*".
  host_fn cancel = [](smtp::client_session& s, const smtp::client_result& r) {
    if (r.ev.kind == kind::ehlo_done) REQUIRE(s.auth("PLAIN") == smtp::client_errc::ok);
    if (r.ev.kind == kind::auth_challenge) REQUIRE(s.auth_cancel() == smtp::client_errc::ok);
    if (r.ev.kind == kind::auth_failed) REQUIRE(s.noop() == smtp::client_errc::ok);
  };
  ev = replay({}, cancel, R"(
      S: 220 s
      C: EHLO localhost
      S: 250-s
      S: 250 AUTH PLAIN
      C: AUTH PLAIN
      S: 334 
      C: *
      S: 501 5.7.0 Authentication cancelled
      C: NOOP
      S: 250 ok
  )");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "auth_challenge 334 []", "auth_failed 501", "reply 250"});

  // A challenge that is not base64 is a server error; misuse is refused.
  smtp::client_session s;
  REQUIRE(s.receive(ehlo) == ehlo.size());
  (void)s.next_event();
  (void)s.next_event();
  CHECK(s.auth_continue("x") == smtp::client_errc::local_wrong_state);
  CHECK(s.auth("GSSAPI") == smtp::client_errc::local_not_advertised);
  CHECK(s.auth_plain("a\0b", "c") == smtp::client_errc::ok);  // string_view("a\0b") is "a"
  CHECK(s.take_output() == "EHLO localhost\r\nAUTH PLAIN AGEAYw==\r\n");
  REQUIRE(s.receive("334 not*base64\r\n") == 16);
  const auto r = s.next_event();
  CHECK(r.error == smtp::client_errc::bad_challenge);
  CHECK(r.error_offset == ehlo.size() + 4);
  // AUTH PLAIN with a NUL in a credential cannot be framed.
  smtp::client_session n;
  REQUIRE(n.receive(ehlo) == ehlo.size());
  (void)n.next_event();
  (void)n.next_event();
  CHECK(n.auth_plain(std::string_view("a\0b", 3), "c") == smtp::client_errc::local_invalid_value);
}

TEST_CASE("smtp client: the SASL base64 helper agrees with codec/base64", "[smtp][client][auth]") {
  std::mt19937 rng(5321);
  for (int i = 0; i < 2000; ++i) {
    std::string in(rng() % 40, '\0');
    for (char& c : in) c = static_cast<char>(rng());
    std::string mine;
    smtp::detail::client_b64_encode(in, mine);
    CHECK(mine == mailwire::base64::encode(in));
    std::string back;
    REQUIRE(smtp::detail::client_b64_decode(mine, back));
    CHECK(back == in);
  }
  std::string out;
  for (std::string_view bad : {"A", "AB=C", "A===", "AB=", "QQ==QQ==", "Q R=", "QR==", "QUJ="})
    CHECK_FALSE(smtp::detail::client_b64_decode(bad, out));
  CHECK(out.empty());
  CHECK(smtp::detail::client_b64_decode("", out));
}

TEST_CASE("smtp client: BDAT with CHUNKING (RFC 3030)", "[smtp][client][bdat]") {
  smtp::client_options opt;
  opt.prefer_chunking = true;
  // Pipelined: the chunks go without waiting; line ends become CRLF; no dot-stuffing.
  host_fn host = [](smtp::client_session& s, const smtp::client_result& r) {
    if (r.ev.kind == kind::ehlo_done) {
      const auto to = paths({"b@s"});
      REQUIRE(s.send_envelope(addr("a@c"), std::span<const smtp::path>(to)) == smtp::client_errc::ok);
    }
    if (r.ev.kind == kind::data_ready) {
      REQUIRE(s.can_send_data());
      REQUIRE(s.send_data(".dot\nline\r", false) == smtp::client_errc::ok);
      REQUIRE(s.send_data("\nend", false) == smtp::client_errc::ok);
      REQUIRE(s.send_data("", true) == smtp::client_errc::ok);
      CHECK_FALSE(s.can_send_data());
    }
    if (r.ev.kind == kind::message_result) REQUIRE(s.quit() == smtp::client_errc::ok);
  };
  const auto o = run_every_chunking(opt, host,
                                   "220 s\r\n250-s\r\n250-PIPELINING\r\n250 CHUNKING\r\n250 ok\r\n250 ok\r\n"
                                   "250 ok 1\r\n250 ok 2\r\n250 queued\r\n221 bye\r\n");
  // The CR at the end of the first chunk meets its LF in the second: one CRLF, not two.
  CHECK(o.output ==
        "EHLO localhost\r\nMAIL FROM:<a@c>\r\nRCPT TO:<b@s>\r\n"
        "BDAT 10\r\n.dot\r\nlineBDAT 5\r\n\r\nendBDAT 0 LAST\r\nQUIT\r\n");
  CHECK(o.events == V{"greeting 220", "ehlo_done 250", "mail_result 250", "rcpt_result #0 250", "data_ready 0",
                "message_result 250 last", "closed 221"});

  // Without PIPELINING: each chunk waits for its 250 (data_ready again).
  host_fn slow = [](smtp::client_session& s, const smtp::client_result& r) {
    if (r.ev.kind == kind::ehlo_done) {
      const auto to = paths({"b@s"});
      REQUIRE(s.send_envelope(addr("a@c"), std::span<const smtp::path>(to)) == smtp::client_errc::ok);
    }
    if (r.ev.kind == kind::data_ready) {
      if (r.ev.reply.code == 0) {
        REQUIRE(s.send_data("one\r\n", false) == smtp::client_errc::ok);
        CHECK_FALSE(s.can_send_data());
        CHECK(s.send_data("x", true) == smtp::client_errc::local_wrong_state);
      } else {
        REQUIRE(s.send_data("two\r\n", true) == smtp::client_errc::ok);
      }
    }
  };
  // The refused last chunk ends the transaction (no RSET needed: the data was complete).
  const auto ev = replay(opt, slow,
                         "S: 220 s\nC: EHLO localhost\nS: 250-s\nS: 250 CHUNKING\n"
                         "C: MAIL FROM:<a@c>\nS: 250 ok\nC: RCPT TO:<b@s>\nS: 250 ok\n"
                         "C: BDAT 5\nC: one\nS: 250 5 octets\nC: BDAT 5 LAST\nC: two\nS: 552 too big\n");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "mail_result 250", "rcpt_result #0 250", "data_ready 0",
                "data_ready 250", "message_result 552 last"});
}

TEST_CASE("smtp client: a failed pipelined BDAT ends the transaction; later replies swallowed", "[smtp][client][bdat]") {
  smtp::client_options opt;
  opt.prefer_chunking = true;
  host_fn host = [](smtp::client_session& s, const smtp::client_result& r) {
    if (r.ev.kind == kind::ehlo_done) {
      const auto to = paths({"b@s"});
      REQUIRE(s.send_envelope(addr("a@c"), std::span<const smtp::path>(to)) == smtp::client_errc::ok);
    }
    if (r.ev.kind == kind::data_ready) {
      REQUIRE(s.send_data("a\r\n", false) == smtp::client_errc::ok);
      REQUIRE(s.send_data("b\r\n", true) == smtp::client_errc::ok);
    }
    if (r.ev.kind == kind::message_result) {
      CHECK(s.state() == smtp::client_state::ready);
      REQUIRE(s.noop() == smtp::client_errc::ok);
    }
  };
  const auto ev = replay(opt, host,
                         "S: 220 s\nC: EHLO localhost\nS: 250-s\nS: 250-PIPELINING\nS: 250 CHUNKING\n"
                         "C: MAIL FROM:<a@c>\nC: RCPT TO:<b@s>\nS: 250 ok\nS: 250 ok\n"
                         "C: BDAT 3\nC: a\nC: BDAT 3 LAST\nC: b\n"
                         "S: 451 4.3.0 no\nS: 503 5.5.1 no BDAT\nC: RSET\nC: NOOP\nS: 250 reset\nS: 250 noop\n");
  CHECK(ev == V{"greeting 220", "ehlo_done 250", "mail_result 250", "rcpt_result #0 250", "data_ready 0",
                "message_result 451 last", "reply 250"});
}

TEST_CASE("smtp client: BINARYMIME goes by BDAT, bytes as they are", "[smtp][client][bdat]") {
  smtp::client_session s;
  const std::string in = "220 s\r\n250-s\r\n250-BINARYMIME\r\n250-CHUNKING\r\n250 8BITMIME\r\n";
  REQUIRE(s.receive(in) == in.size());
  (void)s.next_event();
  (void)s.next_event();
  smtp::mail_parameters p;
  p.body = smtp::body_type::binary_mime;
  const auto to = paths({"b@s"});
  REQUIRE(s.send_envelope(addr("a@c"), std::span<const smtp::path>(to), p) == smtp::client_errc::ok);
  CHECK(s.take_output() == "EHLO localhost\r\nMAIL FROM:<a@c> BODY=BINARYMIME\r\n");
  REQUIRE(s.receive("250 ok\r\n250 ok\r\n") == 16);
  (void)s.next_event();
  (void)s.next_event();
  CHECK(describe(s.next_event()) == "data_ready 0");
  REQUIRE(s.send_data(std::string_view("\n.\r\0", 4), true) == smtp::client_errc::ok);
  CHECK(s.take_output() == std::string("RCPT TO:<b@s>\r\nBDAT 4 LAST\r\n\n.\r\0", 32));
}

TEST_CASE("smtp client: parameters used only when offered", "[smtp][client][params]") {
  auto session = [](std::string ehlo_lines, bool tls = false) {
    smtp::client_options o;
    o.tls = tls;
    auto s = std::make_unique<smtp::client_session>(o);
    const std::string in = "220 s\r\n" + ehlo_lines;
    REQUIRE(s->receive(in) == in.size());
    (void)s->next_event();
    REQUIRE(s->next_event().ev.kind == kind::ehlo_done);
    (void)s->take_output();
    return s;
  };
  const auto to = paths({"b@s"});
  const std::span<const smtp::path> tos(to);
  smtp::mail_parameters p;
  p.size = 1000;
  p.ret = smtp::ret_type::hdrs;
  p.envid = "QQ314159";
  p.body = smtp::body_type::seven_bit;
  {  // Nothing offered: the hints are dropped.
    auto s = session("250 s\r\n");
    REQUIRE(s->send_envelope(addr("a@c"), tos, p) == smtp::client_errc::ok);
    CHECK(s->take_output() == "MAIL FROM:<a@c>\r\n");
  }
  {  // Offered: they are sent.
    auto s = session("250-s\r\n250-SIZE 5000\r\n250-DSN\r\n250 8BITMIME\r\n");
    std::vector<smtp::recipient> r{{addr("b@s"), {}}};
    r[0].params.notify = smtp::notify::failure | smtp::notify::delay;
    r[0].params.orcpt = smtp::orcpt_value{"rfc822", "b@s"};
    REQUIRE(s->send_envelope(addr("a@c"), std::span<const smtp::recipient>(r), p) == smtp::client_errc::ok);
    CHECK(s->take_output() ==
          "MAIL FROM:<a@c> SIZE=1000 BODY=7BIT RET=HDRS ENVID=QQ314159\r\n");
    REQUIRE(s->receive("250 ok\r\n") == 8);
    (void)s->next_event();
    CHECK(s->take_output() == "RCPT TO:<b@s> NOTIFY=FAILURE,DELAY ORCPT=rfc822;b@s\r\n");
  }
  {  // SIZE over the limit.
    auto s = session("250-s\r\n250 SIZE 500\r\n");
    CHECK(s->send_envelope(addr("a@c"), tos, p) == smtp::client_errc::local_too_large);
    CHECK(s->output().empty());
    CHECK(s->state() == smtp::client_state::ready);
  }
  {  // 8BITMIME, BINARYMIME, REQUIRETLS, BY, RRVS must be offered.
    auto s = session("250-s\r\n250 REQUIRETLS\r\n");
    smtp::mail_parameters q;
    q.body = smtp::body_type::eight_bit_mime;
    CHECK(s->send_envelope(addr("a@c"), tos, q) == smtp::client_errc::local_not_advertised);
    q.body = smtp::body_type::binary_mime;
    CHECK(s->send_envelope(addr("a@c"), tos, q) == smtp::client_errc::local_not_advertised);
    q = {};
    q.requiretls = true;
    CHECK(s->send_envelope(addr("a@c"), tos, q) == smtp::client_errc::local_requiretls_unavailable);
    q = {};
    q.by = smtp::by_value{60, 'R', false};
    CHECK(s->send_envelope(addr("a@c"), tos, q) == smtp::client_errc::local_not_advertised);
    std::vector<smtp::recipient> r{{addr("b@s"), {}}};
    r[0].params.rrvs = smtp::rrvs_value{"2014-04-03T23:01:00Z", 'C'};
    CHECK(s->send_envelope(addr("a@c"), std::span<const smtp::recipient>(r)) == smtp::client_errc::local_not_advertised);
    CHECK(s->output().empty());
  }
  {  // REQUIRETLS under TLS.
    auto s = session("250-s\r\n250 REQUIRETLS\r\n", true);
    smtp::mail_parameters q;
    q.requiretls = true;
    REQUIRE(s->send_envelope(addr("a@c"), tos, q) == smtp::client_errc::ok);
    CHECK(s->take_output() == "MAIL FROM:<a@c> REQUIRETLS\r\n");
  }
  {  // SMTPUTF8: required for a UTF-8 path, added by itself when offered.
    auto s = session("250 s\r\n");
    const auto u = paths({"j\xC3\xB6rg@example.org"});
    CHECK(s->send_envelope(addr("a@c"), std::span<const smtp::path>(u)) ==
          smtp::client_errc::local_smtputf8_required);
    auto t = session("250-s\r\n250 SMTPUTF8\r\n");
    REQUIRE(t->send_envelope(addr("a@c"), std::span<const smtp::path>(u)) == smtp::client_errc::ok);
    CHECK(t->take_output() == "MAIL FROM:<a@c> SMTPUTF8\r\n");
  }
  {  // Host misuse.
    auto s = session("250 s\r\n");
    CHECK(s->send_envelope(addr("a@c"), std::span<const smtp::path>()) == smtp::client_errc::local_no_recipients);
    const auto nul = paths({"<>"});
    CHECK(s->send_envelope(addr("a@c"), std::span<const smtp::path>(nul)) == smtp::client_errc::local_invalid_value);
    CHECK(s->vrfy("a\r\nRCPT TO:<x@y>") == smtp::client_errc::local_invalid_value);
    CHECK(s->send_data("x", true) == smtp::client_errc::local_wrong_state);
    CHECK(s->starttls() == smtp::client_errc::local_not_advertised);
    CHECK(s->tls_started() == smtp::client_errc::local_wrong_state);
    CHECK(s->ehlo() == smtp::client_errc::local_wrong_state);
    CHECK(s->output().empty());
    smtp::client_session fresh;
    CHECK(fresh.send_envelope(addr("a@c"), tos) == smtp::client_errc::local_wrong_state);
    CHECK(fresh.quit() == smtp::client_errc::local_wrong_state);
  }
}

TEST_CASE("smtp client: parse_address", "[smtp][client]") {
  CHECK(smtp::parse_address("").value.null);
  CHECK(smtp::parse_address("<>").value.null);
  CHECK(smtp::parse_address("a@b.example").value.mb.domain == "b.example");
  CHECK(smtp::parse_address("<\"a b\"@c>").value.mb.local_part == "\"a b\"");
  CHECK(smtp::parse_address("a@b>").error == smtp::errc::garbage_after_path);
  CHECK(smtp::parse_address("a@b c").st == status::error);
  CHECK(smtp::parse_address("ab").st == status::error);
}

TEST_CASE("smtp client: greetings, HELO fallback, 421, unexpected replies", "[smtp][client]") {
  // EHLO refused with 502: HELO (RFC 5321 section 3.2).
  const auto ev = replay({}, simple_host{"a@c", {"b@s"}, "x"}, R"(
      S: 220 old.example
      C: EHLO localhost
      S: 502 Command not implemented
      C: HELO localhost
      S: 250 old.example
      C: MAIL FROM:<a@c>
      S: 250 ok
      C: RCPT TO:<b@s>
      S: 250 ok
      C: DATA
      S: 354 go
      C: x
      C: .
      S: 250 ok
      C: QUIT
      S: 221 bye
  )");
  CHECK(ev[1] == "ehlo_done 250 helo");
  // 554 greeting: only QUIT (RFC 5321 section 3.1).
  smtp::client_session s;
  REQUIRE(s.receive("554 no service\r\n") == 16);
  CHECK(describe(s.next_event()) == "greeting 554");
  CHECK(s.state() == smtp::client_state::refused);
  CHECK(s.output().empty());
  CHECK(s.noop() == smtp::client_errc::local_wrong_state);
  REQUIRE(s.quit() == smtp::client_errc::ok);
  CHECK(s.take_output() == "QUIT\r\n");
  // 421 at any time (RFC 5321 section 3.8), even with replies outstanding.
  const auto ev421 = replay({}, simple_host{"a@c", {"b@s", "c@s"}, "x"}, R"(
      S: 220 s
      C: EHLO localhost
      S: 250-s
      S: 250 PIPELINING
      C: MAIL FROM:<a@c>
      C: RCPT TO:<b@s>
      C: RCPT TO:<c@s>
      C: DATA
      S: 250 ok
      S: 421 4.3.2 shutting down
  )");
  CHECK(ev421.back() == "closed 421");
  // A reply nobody asked for.
  smtp::client_session u;
  const std::string in = "220 s\r\n250 s\r\n250 extra\r\n";
  REQUIRE(u.receive(in) == in.size());
  (void)u.next_event();
  (void)u.next_event();
  const auto r = u.next_event();
  CHECK(r.error == smtp::client_errc::unexpected_reply);
  CHECK(r.error_offset == 14);
  // A code the command cannot get: 354 to MAIL; 250 as a greeting.
  smtp::client_session g;
  REQUIRE(g.receive("250 hi\r\n") == 8);
  CHECK(g.next_event().error == smtp::client_errc::unexpected_reply);
  // Bytes after the connection was closed.
  smtp::client_session c2;
  REQUIRE(c2.receive("421 busy\r\n250 x\r\n") == 17);
  CHECK(describe(c2.next_event()) == "closed 421");
  CHECK(c2.next_event().error == smtp::client_errc::unexpected_reply);
  // reset() starts over.
  c2.reset();
  CHECK(c2.error() == smtp::client_errc::ok);
  REQUIRE(c2.receive("220 s\r\n") == 7);
  CHECK(describe(c2.next_event()) == "greeting 220");
}

TEST_CASE("smtp client: odd servers, each leniency strict and lenient", "[smtp][client][lenient]") {
  auto first = [](smtp::client_options o, std::string_view in) {
    smtp::client_session s(o);
    REQUIRE(s.receive(in) == in.size());
    return describe(s.next_event());
  };
  smtp::client_options lax;
  // Bare LF.
  CHECK(first({}, "220 hi\n") == "error malformed reply (reply line ends with a bare LF) @6");
  lax = {};
  lax.allow_bare_lf = true;
  CHECK(first(lax, "220 hi\n") == "greeting 220");
  // "220 " with no text.
  CHECK(first({}, "220 \r\n") == "error malformed reply (space without text after the reply code) @4");
  lax = {};
  lax.allow_empty_text = true;
  CHECK(first(lax, "220 \r\n") == "greeting 220");
  // 8-bit greeting.
  CHECK(first({}, "220 mx Gr\xC3\xBC\xC3\x9F" "e\r\n") ==
        "error malformed reply (invalid character in reply text) @9");
  lax = {};
  lax.allow_8bit_text = true;
  CHECK(first(lax, "220 mx Gr\xC3\xBC\xC3\x9F" "e\r\n") == "greeting 220");
  // Multi-line reply with another code on the last line: the last one counts.
  const std::string mismatch = "220 s\r\n250 s\r\n550-5.1.1 unknown\r\n553 5.1.1 bye\r\n";
  auto rcpt_reply = [&](smtp::client_options o) {
    smtp::client_session s(o);
    REQUIRE(s.receive(mismatch.substr(0, 14)) == 14);
    (void)s.next_event();
    (void)s.next_event();
    const auto to = paths({"b@s"});
    REQUIRE(s.send_envelope(addr("a@c"), std::span<const smtp::path>(to)) == smtp::client_errc::ok);
    REQUIRE(s.receive(mismatch.substr(14)) == mismatch.size() - 14);
    const auto r = s.next_event();
    std::string d = describe(r);
    if (r.st == status::event) d += " |" + std::string(r.ev.reply.lines().front()) + "|";
    return d;
  };
  CHECK(rcpt_reply({}) == "error malformed reply (reply lines with different codes) @33");
  lax = {};
  lax.lenient_code_mismatch = true;
  CHECK(rcpt_reply(lax) == "mail_result 553 |5.1.1 unknown|");
  // The enhanced code only on the first line.
  const std::string enh = "220 s\r\n250-s\r\n250 ENHANCEDSTATUSCODES\r\n250-2.0.0 first\r\n250 second\r\n";
  auto noop_reply = [&](smtp::client_options o) {
    smtp::client_session s(o);
    REQUIRE(s.receive(enh.substr(0, 39)) == 39);
    (void)s.next_event();
    (void)s.next_event();
    REQUIRE(s.noop() == smtp::client_errc::ok);
    REQUIRE(s.receive(enh.substr(39)) == enh.size() - 39);
    return describe(s.next_event());
  };
  CHECK(noop_reply({}) == "reply 250");
  lax = {};
  lax.lenient_enhanced_code = true;
  CHECK(noop_reply(lax) == "reply 250 2.0.0");
}

TEST_CASE("smtp client: limits", "[smtp][client][limits]") {
  // An over-long reply line: reported where the limit is passed.
  {
    smtp::client_session s;
    const std::string in = "220 " + std::string(600, 'x') + "\r\n";
    REQUIRE(s.receive(in) == in.size());
    const auto r = s.next_event();
    CHECK(r.error == smtp::client_errc::bad_reply);
    CHECK(r.reply_error == smtp::reply_errc::line_too_long);
    CHECK(r.error_offset == 511);
  }
  // Too many lines.
  {
    smtp::client_options o;
    o.limits.max_lines = 3;
    smtp::client_session s(o);
    const std::string in = "220-a\r\n220-b\r\n220-c\r\n220 d\r\n";
    REQUIRE(s.receive(in) == in.size());
    const auto r = s.next_event();
    CHECK(r.reply_error == smtp::reply_errc::too_many_lines);
    CHECK(r.error_offset == 21);
  }
  // A full input buffer without a complete reply.
  {
    smtp::client_options o;
    o.max_input = 100;
    smtp::client_session s(o);
    std::string in;
    while (in.size() < 150) in += "220-xxxxxxxx\r\n";
    CHECK(s.receive(in) == 100);
    const auto r = s.next_event();
    CHECK(r.error == smtp::client_errc::input_buffer_full);
    CHECK(r.error_offset == 100);
    CHECK(s.receive(in) == 0);
  }
  // A full buffer with complete replies: the host drains, then gives the rest.
  {
    smtp::client_options o;
    o.max_input = 16;
    smtp::client_session s(o);
    const std::string in = "220 s\r\n250 s\r\n";
    std::string_view rest = in;
    std::vector<std::string> ev;
    const std::string all = in;
    rest = all;
    while (!rest.empty()) {
      rest.remove_prefix(s.receive(rest));
      for (auto r = s.next_event(); r.st == status::event; r = s.next_event()) ev.push_back(describe(r));
    }
    CHECK(ev == V{"greeting 220", "ehlo_done 250"});
  }
  // The whole reply over limits.max_bytes.
  {
    smtp::client_options o;
    o.limits.max_bytes = 64;
    smtp::client_session s(o);
    std::string in;
    while (in.size() < 100) in += "220-xxxxxxxx\r\n";
    REQUIRE(s.receive(in) == in.size());
    CHECK(s.next_event().reply_error == smtp::reply_errc::reply_too_large);
  }
}

TEST_CASE("smtp client: DATA streams in pieces, dot-stuffed, CRLF", "[smtp][client]") {
  smtp::client_session s;
  const std::string in = "220 s\r\n250 s\r\n";
  REQUIRE(s.receive(in) == in.size());
  (void)s.next_event();
  (void)s.next_event();
  const auto to = paths({"b@s"});
  REQUIRE(s.send_envelope(addr("a@c"), std::span<const smtp::path>(to)) == smtp::client_errc::ok);
  for (std::string_view r : {"250 ok\r\n", "250 ok\r\n", "354 go\r\n"}) {
    REQUIRE(s.receive(r) == r.size());
    (void)s.next_event();
  }
  (void)s.take_output();
  REQUIRE(s.state() == smtp::client_state::data);
  // A smuggling attempt in the content cannot end the data: "\n.\n" becomes "\r\n..\r\n".
  for (std::string_view piece : {".a\n", "b\r", "\n.", "\nMAIL FROM:<x@y>\r", "\n.\r\n", "z"})
    REQUIRE(s.send_data(piece, false) == smtp::client_errc::ok);
  REQUIRE(s.send_data("", true) == smtp::client_errc::ok);
  CHECK(s.take_output() == "..a\r\nb\r\n..\r\nMAIL FROM:<x@y>\r\n..\r\nz\r\n.\r\n");
  CHECK(s.send_data("more", true) == smtp::client_errc::local_wrong_state);
}

TEST_CASE("smtp client: error_code integration", "[smtp][client]") {
  std::error_code ec = smtp::client_errc::plaintext_injection;
  CHECK(ec.category().name() == std::string("mailwire.smtp.client"));
  CHECK(ec.message() == "bytes after the STARTTLS reply before TLS");
  CHECK_FALSE(std::error_code(smtp::client_errc::ok));
}

// ---- client_session against server_session, in memory --------------------------------------

namespace {

using errc_srv = smtp::errc;
using smtp::server_event_kind;

struct pair_outcome {
  std::vector<std::string> delivered;       // messages the server accepted
  std::vector<bool> accepted;               // per recipient, as the client saw it
  std::string client_wire, server_wire;     // all bytes each side wrote
  bool operator==(const pair_outcome&) const = default;
};

// Runs one transaction from `from` to `to` with `message`; the server refuses recipients whose
// local part starts with "no". Bytes cross in pieces of at most `piece` octets.
pair_outcome run_pair(smtp::client_options co, smtp::server_options so, const std::vector<std::string>& to,
                      const std::string& message, std::size_t piece, bool tls_first = false,
                      bool auth = false) {
  pair_outcome r;
  smtp::client_session c(std::move(co));
  smtp::server_session s(std::move(so));
  std::string msg;
  std::vector<smtp::path> rcpts;
  for (const auto& t : to) rcpts.push_back(smtp::parse_address(t).value);
  const smtp::path from = smtp::parse_address("sender@client.example").value;
  bool sent_tls = false, sent_auth = false, sent_envelope = false, done = false;
  std::string c2s, s2c;  // bytes in flight
  for (int round = 0; round < 100000 && !done; ++round) {
    s2c += s.take_output();
    // Client side: a piece of the server's bytes.
    const std::size_t n = c.receive(std::string_view(s2c).substr(0, std::min(piece, s2c.size())));
    r.server_wire += s2c.substr(0, n);
    s2c.erase(0, n);
    for (;;) {
      const auto ev = c.next_event();
      if (ev.st == status::need_more) break;
      REQUIRE(ev.st != status::error);
      using k = smtp::client_event_kind;
      if (ev.ev.kind == k::starttls_ready) {
        // Handshake: both sides switch once the server's 220 is read and all is flushed.
        REQUIRE(c.tls_started() == smtp::client_errc::ok);
        continue;
      }
      if (ev.ev.kind == k::ehlo_done) {
        if (tls_first && !sent_tls) {
          sent_tls = true;
          REQUIRE(c.starttls() == smtp::client_errc::ok);
        } else if (auth && !sent_auth) {
          sent_auth = true;
          REQUIRE(c.auth_plain("tim", "tanstaaftanstaaf") == smtp::client_errc::ok);
        } else if (!sent_envelope) {
          sent_envelope = true;
          REQUIRE(c.send_envelope(from, rcpts) == smtp::client_errc::ok);
        }
      } else if (ev.ev.kind == k::auth_done) {
        sent_envelope = true;
        REQUIRE(c.send_envelope(from, rcpts) == smtp::client_errc::ok);
      } else if (ev.ev.kind == k::data_ready) {
        for (std::size_t i = 0; i < message.size(); i += 7)
          REQUIRE(c.send_data(std::string_view(message).substr(i, 7), i + 7 >= message.size()) ==
                  smtp::client_errc::ok);
        if (message.empty()) REQUIRE(c.send_data("", true) == smtp::client_errc::ok);
      } else if (ev.ev.kind == k::message_result && ev.ev.last) {
        REQUIRE(c.quit() == smtp::client_errc::ok);
      } else if (ev.ev.kind == k::closed) {
        done = true;
      }
    }
    const std::string out = c.take_output();
    r.client_wire += out;
    c2s += out;
    // Server side.
    const std::size_t m = s.receive(std::string_view(c2s).substr(0, std::min(piece, c2s.size())));
    c2s.erase(0, m);
    for (;;) {
      const status st = s.next_event();
      if (st == status::need_more) break;
      REQUIRE(st != status::error);
      if (st == status::paused) {
        const auto k = s.pending_event();
        if (k == server_event_kind::rcpt && s.event().command.path.mb.local_part.substr(0, 2) == "no")
          REQUIRE(s.reject() == errc_srv::ok);
        else if (k != server_event_kind::none)
          REQUIRE(s.accept() == errc_srv::ok);
        else if (!s.output().empty())
          s2c += s.take_output();
        else {
          // STARTTLS: the 220 went out with the last take_output(); the client has switched.
          REQUIRE(s.tls_started() == errc_srv::ok);
        }
        continue;
      }
      const auto& e = s.event();
      if (e.kind == server_event_kind::message_begin) msg.clear();
      if (e.kind == server_event_kind::message_data) msg.append(e.data);
      if (e.kind == server_event_kind::message_end) {
        r.delivered.push_back(msg);
      }
      if (e.kind == server_event_kind::starttls) s2c += s.take_output();
    }
  }
  REQUIRE(done);
  for (const auto& rr : c.recipient_results()) r.accepted.push_back(rr.accepted());
  return r;
}

}  // namespace

TEST_CASE("smtp client and server sessions talk to each other", "[smtp][client][server]") {
  const std::string message = "Subject: pair\r\n\r\n.leading dot\r\n..two dots\r\nbare\nlf\r\n.\r\nend";
  const std::string expected = "Subject: pair\r\n\r\n.leading dot\r\n..two dots\r\nbare\r\nlf\r\n.\r\nend\r\n";
  smtp::server_options so;
  so.hostname = "server.example";
  smtp::client_options co;
  co.local_host = "client.example";
  SECTION("DATA, pipelined, one recipient refused, every piece size") {
    const pair_outcome one = run_pair(co, so, {"a@server.example", "nobody@server.example", "b@server.example"},
                                      message, 1);
    REQUIRE(one.delivered.size() == 1);
    CHECK(one.delivered[0] == expected);
    CHECK(one.accepted == std::vector<bool>{true, false, true});
    for (std::size_t piece : {2u, 3u, 7u, 64u, 100000u})
      CHECK(run_pair(co, so, {"a@server.example", "nobody@server.example", "b@server.example"}, message,
                     piece) == one);
  }
  SECTION("BDAT when the client prefers chunking") {
    co.prefer_chunking = true;
    const pair_outcome o = run_pair(co, so, {"a@server.example"}, message, 5);
    REQUIRE(o.delivered.size() == 1);
    CHECK(o.client_wire.find("BDAT ") != std::string::npos);
    CHECK(o.client_wire.find("DATA\r\n") == std::string::npos);
    // BDAT sends the octets as given (no stuffing); bare LF still becomes CRLF.
    CHECK(o.delivered[0].find("\r\n.leading dot\r\n") != std::string::npos);
  }
  SECTION("LMTP: one reply per recipient") {
    co.lmtp = true;
    so.lmtp = true;
    const pair_outcome o = run_pair(co, so, {"a@server.example", "nope@server.example", "b@server.example"},
                                    message, 9);
    REQUIRE(o.delivered.size() == 1);
    CHECK(o.accepted == std::vector<bool>{true, false, true});
    CHECK(o.client_wire.rfind("LHLO client.example\r\n", 0) == 0);
  }
  SECTION("STARTTLS then AUTH PLAIN") {
    so.tls_available = true;
    so.auth_mechanisms = "PLAIN LOGIN";
    so.require_auth = true;
    const pair_outcome o = run_pair(co, so, {"a@server.example"}, message, 11, true, true);
    REQUIRE(o.delivered.size() == 1);
    CHECK(o.client_wire.find("STARTTLS\r\nEHLO client.example\r\nAUTH PLAIN ") != std::string::npos);
    CHECK(o.server_wire.find("235 2.7.0") != std::string::npos);
  }
}
