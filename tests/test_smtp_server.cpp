// Tests of mailwire/smtp/server.hpp: the server session state machine (RFC 5321 sections 3,
// 4.1.4, appendix D), LMTP (RFC 2033), PIPELINING (RFC 2920), BDAT (RFC 3030), SIZE (RFC 1870),
// STARTTLS (RFC 3207), AUTH (RFC 4954), limits, SMTP smuggling and injection attacks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "chunking.hpp"
#include "mailwire/codec/sasl.hpp"
#include "mailwire/smtp/server.hpp"

namespace smtp = mailwire::smtp;
using mailwire::status;
using smtp::errc;
using smtp::server_event_kind;

namespace {

// What a session produced for a whole client input.
struct transcript {
  std::string out;                    // every byte the server wrote
  std::vector<std::string> messages;  // accepted messages (message_end + accept)
  std::vector<std::string> log;       // one line per event
  errc fatal = errc::ok;
  bool operator==(const transcript&) const = default;
};

using policy = std::function<void(smtp::server_session&, const smtp::server_event&)>;

// Accepts everything.
void accept_all(smtp::server_session& s, const smtp::server_event&) { REQUIRE(s.accept() == errc::ok); }

std::string describe(const smtp::server_event& e) {
  std::string k;
  switch (e.kind) {
    case server_event_kind::none: k = "none"; break;
    case server_event_kind::hello: k = "hello"; break;
    case server_event_kind::mail: k = "mail"; break;
    case server_event_kind::rcpt: k = "rcpt"; break;
    case server_event_kind::message_begin: k = "begin"; break;
    case server_event_kind::message_data: k = "data"; break;
    case server_event_kind::message_end: k = "end"; break;
    case server_event_kind::message_aborted: k = "aborted"; break;
    case server_event_kind::transaction_reset: k = "reset"; break;
    case server_event_kind::vrfy: k = "vrfy"; break;
    case server_event_kind::expn: k = "expn"; break;
    case server_event_kind::auth: k = "auth"; break;
    case server_event_kind::auth_response: k = "auth_response"; break;
    case server_event_kind::starttls: k = "starttls"; break;
    case server_event_kind::quit: k = "quit"; break;
    case server_event_kind::command_error: k = "error " + std::string(smtp::to_string(e.error)); break;
  }
  return k;
}

// Runs a session over `input` cut at `cuts`, each piece given from an exact-size heap buffer.
// Pending events go to `answer`; a STARTTLS handshake "happens" at once.
transcript drive(const smtp::server_options& o, std::string_view input,
                 const std::vector<std::size_t>& cuts, const policy& answer = accept_all,
                 bool eof = false) {
  transcript t;
  smtp::server_session s(o);
  std::string message;
  bool in_message = false;
  auto pump = [&]() {
    for (;;) {
      const status st = s.next_event();
      if (st == status::need_more) return true;
      if (st == status::error) {
        t.fatal = s.error();
        return false;
      }
      if (st == status::paused) {
        if (s.pending_event() != server_event_kind::none) {
          answer(s, s.event());
        } else {
          t.out += s.take_output();  // output full: drain
        }
        continue;
      }
      const smtp::server_event& e = s.event();
      if (e.kind != server_event_kind::message_data) t.log.push_back(describe(e));
      switch (e.kind) {
        case server_event_kind::message_begin:
          in_message = true;
          message.clear();
          break;
        case server_event_kind::message_data:
          REQUIRE(in_message);
          message.append(e.data);
          break;
        case server_event_kind::message_end: {
          in_message = false;
          const std::size_t before = t.out.size() + s.output().size();
          answer(s, e);
          // Delivered when at least one positive reply was written for it.
          const std::string_view written = s.output().substr(before - t.out.size());
          if (written.substr(0, 1) == "2") t.messages.push_back(message);
          break;
        }
        case server_event_kind::message_aborted: in_message = false; break;
        case server_event_kind::starttls:
          t.out += s.take_output();
          REQUIRE(s.tls_started() == errc::ok);
          break;
        case server_event_kind::hello:
        case server_event_kind::mail:
        case server_event_kind::rcpt:
        case server_event_kind::vrfy:
        case server_event_kind::expn:
        case server_event_kind::auth:
        case server_event_kind::auth_response: answer(s, e); break;
        default: break;
      }
    }
  };
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(input.size());
  bool alive = true;
  for (std::size_t end : ends) {
    if (!alive) break;
    if (end < start) continue;
    const mwtest::heap_copy piece(input.substr(start, end - start));
    std::string_view rest = piece.view();
    start = end;
    while (alive) {
      const std::size_t n = s.receive(rest);
      rest.remove_prefix(n);
      alive = pump();
      if (rest.empty() || s.closed()) break;
      if (n == 0 && alive) t.out += s.take_output();  // make room
    }
  }
  if (alive && eof) {
    s.end_of_input();
    pump();
  }
  t.out += s.take_output();
  return t;
}

transcript drive(const smtp::server_options& o, std::string_view input,
                 const policy& answer = accept_all, bool eof = false) {
  return drive(o, input, {}, answer, eof);
}

// The same transcript whole, byte by byte and split at every single offset.
transcript drive_every_chunking(const smtp::server_options& o, std::string_view input,
                                const policy& answer = accept_all) {
  const transcript whole = drive(o, input, {}, answer);
  std::vector<std::size_t> bytes;
  for (std::size_t i = 1; i < input.size(); ++i) bytes.push_back(i);
  CHECK(drive(o, input, bytes, answer) == whole);
  for (std::size_t i = 1; i < input.size(); ++i) {
    const transcript split = drive(o, input, {i}, answer);
    if (!(split == whole)) {
      FAIL_CHECK("split at " << i << " differs");
      break;
    }
  }
  return whole;
}

// The reply codes of `out`, one per reply (multi-line replies counted once).
std::vector<int> codes(std::string_view out) {
  std::vector<int> v;
  while (!out.empty()) {
    const std::size_t lf = out.find('\n');
    const std::string_view line = out.substr(0, lf);
    if (line.size() >= 4 && line[3] != '-') v.push_back(std::stoi(std::string(line.substr(0, 3))));
    if (lf == std::string_view::npos) break;
    out.remove_prefix(lf + 1);
  }
  return v;
}

smtp::server_options opts() {
  smtp::server_options o;
  o.hostname = "foo.com";
  return o;
}

}  // namespace

TEST_CASE("smtp server: RFC 5321 appendix D.1, a typical transaction", "[smtp][server]") {
  // The client side of D.1 (Smith at bar.com to Jones, Green and Brown at foo.com; Green is
  // unknown here).
  const std::string in =
      "EHLO bar.com\r\n"
      "MAIL FROM:<Smith@bar.com>\r\n"
      "RCPT TO:<Jones@foo.com>\r\n"
      "RCPT TO:<Green@foo.com>\r\n"
      "RCPT TO:<Brown@foo.com>\r\n"
      "DATA\r\n"
      "Blah blah blah...\r\n"
      "...etc. etc. etc.\r\n"
      ".\r\n"
      "QUIT\r\n";
  const policy p = [](smtp::server_session& s, const smtp::server_event& e) {
    if (e.kind == server_event_kind::rcpt && e.command.path.mb.local_part == "Green")
      REQUIRE(s.respond(550, "5.1.1 No such user here") == errc::ok);
    else
      REQUIRE(s.accept() == errc::ok);
  };
  const transcript t = drive_every_chunking(opts(), in, p);
  CHECK(codes(t.out) == std::vector<int>{220, 250, 250, 250, 550, 250, 354, 250, 221});
  CHECK(t.out.substr(0, 17) == "220 foo.com ESMTP");
  CHECK(t.out.find("\r\n250-foo.com Hello\r\n250-SIZE\r\n250-8BITMIME\r\n") != std::string::npos);
  CHECK(t.out.find("550 5.1.1 No such user here\r\n") != std::string::npos);
  CHECK(t.out.find("354 Start mail input; end with <CRLF>.<CRLF>\r\n") != std::string::npos);
  CHECK(t.out.substr(t.out.size() - 38) == "221 2.0.0 foo.com closing connection\r\n");
  REQUIRE(t.messages.size() == 1);
  // Dot-unstuffing: "..." became ".." (RFC 5321 4.5.2).
  CHECK(t.messages[0] == "Blah blah blah...\r\n..etc. etc. etc.\r\n");
  CHECK(t.log == std::vector<std::string>{"hello", "mail", "rcpt", "rcpt", "rcpt", "begin", "end", "quit"});
  CHECK(t.fatal == errc::ok);
}

TEST_CASE("smtp server: RFC 5321 appendix D.2 aborted transaction and D.4 VRFY", "[smtp][server]") {
  const std::string in =
      "HELO bar.com\r\n"
      "MAIL FROM:<Smith@bar.com>\r\n"
      "RCPT TO:<Jones@foo.com>\r\n"
      "RSET\r\n"
      "VRFY Brown\r\n"
      "MAIL FROM:<Smith@bar.com>\r\n"
      "QUIT\r\n";
  const policy p = [](smtp::server_session& s, const smtp::server_event& e) {
    if (e.kind == server_event_kind::vrfy) {
      CHECK(e.command.argument == "Brown");
      REQUIRE(s.respond(250, "2.1.5 Bill Brown <Brown@foo.com>") == errc::ok);
    } else {
      REQUIRE(s.accept() == errc::ok);
    }
  };
  const transcript t = drive_every_chunking(opts(), in, p);
  CHECK(codes(t.out) == std::vector<int>{220, 250, 250, 250, 250, 250, 250, 221});
  CHECK(t.out.find("\r\n250 foo.com\r\n") != std::string::npos);  // HELO: one line
  CHECK(t.out.find("250 2.1.5 Bill Brown <Brown@foo.com>\r\n") != std::string::npos);
  CHECK(t.log == std::vector<std::string>{"hello", "mail", "rcpt", "reset", "vrfy", "mail", "quit"});
}

TEST_CASE("smtp server: command order (RFC 5321 4.1.4, 3.3)", "[smtp][server]") {
  const std::string in =
      "MAIL FROM:<a@b.c>\r\n"   // before EHLO: 503
      "EHLO x.org\r\n"
      "RCPT TO:<a@b.c>\r\n"     // before MAIL: 503
      "DATA\r\n"                // before MAIL: 503
      "MAIL FROM:<a@b.c>\r\n"
      "MAIL FROM:<a@b.c>\r\n"   // nested MAIL: 503
      "DATA\r\n"                // no recipient: 554
      "FOO bar\r\n"             // unknown: 500
      "LHLO x\r\n"              // LMTP verb on SMTP: 500
      "NOOP\r\n"
      "HELP\r\n"
      "QUIT\r\n";
  const transcript t = drive_every_chunking(opts(), in);
  CHECK(codes(t.out) == std::vector<int>{220, 503, 250, 503, 503, 250, 503, 554, 500, 500, 250, 214, 221});
  CHECK(t.out.find("503 5.5.1 Bad sequence of commands\r\n") != std::string::npos);
  CHECK(t.out.find("554 5.5.1 No valid recipients\r\n") != std::string::npos);
  CHECK(t.out.find("500 5.5.1 Command unrecognized\r\n") != std::string::npos);
}

TEST_CASE("smtp server: pipelining answers in order and the same in every chunking (RFC 2920)",
          "[smtp][server]") {
  const std::string in =
      "EHLO client.example\r\n"
      "MAIL FROM:<a@client.example> SIZE=40 BODY=8BITMIME\r\n"
      "RCPT TO:<x@foo.com>\r\nRCPT TO:<nobody@foo.com>\r\nRCPT TO:<y@foo.com>\r\n"
      "DATA\r\n"
      "Subject: t\r\n\r\n.hidden\r\n.\r\n"
      "MAIL FROM:<>\r\nRCPT TO:<z@foo.com>\r\nDATA\r\nsecond\r\n.\r\nQUIT\r\n";
  const policy p = [](smtp::server_session& s, const smtp::server_event& e) {
    if (e.kind == server_event_kind::rcpt && e.command.path.mb.local_part == "nobody")
      REQUIRE(s.reject() == errc::ok);
    else
      REQUIRE(s.accept() == errc::ok);
  };
  const transcript t = drive_every_chunking(opts(), in, p);
  CHECK(codes(t.out) ==
        std::vector<int>{220, 250, 250, 250, 550, 250, 354, 250, 250, 250, 354, 250, 221});
  REQUIRE(t.messages.size() == 2);
  CHECK(t.messages[0] == "Subject: t\r\n\r\nhidden\r\n");
  CHECK(t.messages[1] == "second\r\n");
}

TEST_CASE("smtp server: SMTP smuggling variants deliver exactly one message", "[smtp][server]") {
  // Each hides "MAIL FROM" after a fake end of data. Only CRLF.CRLF ends the data; the
  // message with the bare line end is refused after the real end, and nothing is smuggled.
  const std::vector<std::string> fakes = {"\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r", "\r\n.\n",
                                          std::string("\r\n\0.\r\n", 6), std::string("\r\n.\0\r\n", 6)};
  for (const std::string& fake : fakes) {
    const std::string in = "EHLO a\r\nMAIL FROM:<a@a.a>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\nfirst" + fake +
                           "MAIL FROM:<evil@a.a>\r\nRCPT TO:<victim@foo.com>\r\nDATA\r\nsmuggled\r\n.\r\n"
                           "QUIT\r\n";
    INFO("fake end: " << ::Catch::Detail::stringify(fake));
    int mails = 0;
    const policy p = [&](smtp::server_session& s, const smtp::server_event& e) {
      if (e.kind == server_event_kind::mail) ++mails;
      REQUIRE(s.accept() == errc::ok);
    };
    const transcript t = drive(opts(), in, p);
    CHECK(mails == 1);  // the smuggled MAIL is never a command
    // A NUL is data; bare CR/LF makes the message refused (550 5.6.11) after the real end.
    if (fake.find('\0') != std::string::npos) {
      REQUIRE(t.messages.size() == 1);
      CHECK(t.messages[0].find("MAIL FROM:<evil@a.a>") != std::string::npos);
    } else {
      CHECK(t.messages.empty());
      CHECK(t.out.find("550 5.6.11") != std::string::npos);
    }
    CHECK(codes(t.out).back() == 221);
  }
}

TEST_CASE("smtp server: bare LF normalization option", "[smtp][server]") {
  smtp::server_options o = opts();
  o.data.bare_line_endings = smtp::bare_line_ending::normalize;
  const transcript t =
      drive_every_chunking(o, "EHLO a\r\nMAIL FROM:<a@a.a>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\nx\ny\r\n.\r\nQUIT\r\n");
  REQUIRE(t.messages.size() == 1);
  CHECK(t.messages[0] == "x\r\ny\r\n");
}

TEST_CASE("smtp server: limits (RFC 5321 4.5.3.1)", "[smtp][server][limits]") {
  SECTION("command line of 512 octets is taken, 513 is refused, the session goes on") {
    const std::string ok = "NOOP " + std::string(512 - 7, 'a') + "\r\n";
    const std::string bad = "NOOP " + std::string(513 - 7, 'a') + "\r\n";
    REQUIRE(ok.size() == 512);
    const transcript t = drive_every_chunking(opts(), ok + bad + "QUIT\r\n");
    CHECK(codes(t.out) == std::vector<int>{220, 250, 500, 221});
    CHECK(t.out.find("500 5.5.2 Line too long\r\n") != std::string::npos);
  }
  SECTION("a 1 MB line is one error, read in bounded memory") {
    smtp::server_options o = opts();
    o.input_buffer = 4096;
    const std::string in = "EHLO a\r\n" + std::string(1 << 20, 'x') + "\r\nQUIT\r\n";
    const transcript t = drive(o, in, {100, 5000, 70000, 600000});
    CHECK(codes(t.out) == std::vector<int>{220, 250, 500, 221});
  }
  SECTION("AUTH lines of 12,288 octets") {
    smtp::server_options o = opts();
    o.auth_mechanisms = "PLAIN";
    o.auth_requires_tls = false;
    const std::string ir(12272, 'A');  // "AUTH PLAIN " + ir + CRLF = 12285 octets: taken
    const std::string in = "EHLO a\r\nAUTH PLAIN " + ir + "\r\nAUTH PLAIN " + ir + "AAAA\r\nQUIT\r\n";  // 12289: refused
    const policy p = [](smtp::server_session& s, const smtp::server_event& e) {
      if (e.kind == server_event_kind::auth) REQUIRE(s.reject() == errc::ok);
      else REQUIRE(s.accept() == errc::ok);
    };
    const transcript t = drive(o, in, p);
    CHECK(codes(t.out) == std::vector<int>{220, 250, 535, 500, 221});
    CHECK(t.out.find("500 5.5.6 Authentication Exchange line is too long\r\n") != std::string::npos);
  }
  SECTION("100 recipients, then 452 4.5.3 without counting as errors; LIMITS RCPTMAX advertised") {
    std::string in = "EHLO a\r\nMAIL FROM:<a@a.a>\r\n";
    for (int i = 0; i < 10000; ++i) in += "RCPT TO:<r" + std::to_string(i) + "@foo.com>\r\n";
    in += "DATA\r\nhi\r\n.\r\nQUIT\r\n";
    const transcript t = drive(opts(), in);
    const auto c = codes(t.out);
    REQUIRE(c.size() == 1 + 1 + 1 + 10000 + 2 + 1);  // greeting EHLO MAIL RCPTs DATA end QUIT
    CHECK(std::count(c.begin(), c.end(), 452) == 9900);
    CHECK(c[3 + 99] == 250);
    CHECK(c[3 + 100] == 452);
    CHECK(t.out.find("452 4.5.3 Too many recipients\r\n") != std::string::npos);
    CHECK(t.out.find("250 LIMITS RCPTMAX=100\r\n") != std::string::npos);
    REQUIRE(t.messages.size() == 1);
    CHECK(t.fatal == errc::ok);
  }
  SECTION("max_errors: the 21st error ends the session with 421") {
    std::string in;
    for (int i = 0; i < 30; ++i) in += "BOGUS\r\n";
    const transcript t = drive(opts(), in);
    const auto c = codes(t.out);
    REQUIRE(c.size() == 1 + 21 + 1);
    CHECK(c.back() == 421);
    CHECK(t.fatal == errc::too_many_errors);
  }
  SECTION("the input buffer is bounded: receive() takes only what fits") {
    smtp::server_options o = opts();
    o.input_buffer = 1024;
    o.command_limits.auth_line = 512;
    smtp::server_session s(o);
    const std::string big(5000, 'N');
    CHECK(s.receive(big) == 1024);
    CHECK(s.receive(big) == 0);
  }
  SECTION("output is bounded: a client that never reads is paused") {
    smtp::server_options o = opts();
    o.max_output = 200;
    smtp::server_session s(o);
    std::string in;
    for (int i = 0; i < 50; ++i) in += "NOOP\r\n";
    REQUIRE(s.receive(in) == in.size());
    CHECK(s.next_event() == status::paused);
    CHECK(s.output().size() >= 200);
    CHECK(s.output().size() < 260);
    s.consume_output(s.output().size());
    CHECK(s.next_event() == status::paused);
  }
  SECTION("SIZE: declared over the limit is 552 at MAIL; counted over the limit is 552 at the end") {
    smtp::server_options o = opts();
    o.max_message_size = 10;
    const std::string in =
        "EHLO a\r\nMAIL FROM:<a@a.a> SIZE=11\r\nMAIL FROM:<a@a.a> SIZE=10\r\nRCPT TO:<b@foo.com>\r\n"
        "DATA\r\n0123456789ABCDEF\r\n.\r\nQUIT\r\n";
    const transcript t = drive_every_chunking(o, in);
    CHECK(codes(t.out) == std::vector<int>{220, 250, 552, 250, 250, 354, 552, 221});
    CHECK(t.out.find("250-SIZE 10\r\n") != std::string::npos);
    CHECK(t.messages.empty());
    CHECK(t.log[5] == "aborted");
  }
  SECTION("text lines over 1000 octets are refused after the end of data") {
    const std::string in = "EHLO a\r\nMAIL FROM:<a@a.a>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\n" +
                           std::string(999, 'x') + "\r\n.\r\nQUIT\r\n";
    const transcript t = drive(opts(), in);
    CHECK(codes(t.out) == std::vector<int>{220, 250, 250, 250, 354, 500, 221});
    CHECK(t.messages.empty());
  }
}

TEST_CASE("smtp server: STARTTLS (RFC 3207) and plaintext injection", "[smtp][server][tls]") {
  smtp::server_options o = opts();
  o.tls_available = true;
  SECTION("the handshake resets the session; EHLO after it no longer offers STARTTLS") {
    const transcript t = drive_every_chunking(o, "EHLO a\r\nSTARTTLS\r\n");
    CHECK(codes(t.out) == std::vector<int>{220, 250, 220});
    CHECK(t.out.find("250-STARTTLS\r\n") != std::string::npos);
    CHECK(t.out.find("220 2.0.0 Ready to start TLS\r\n") != std::string::npos);
    smtp::server_session s(o);
    (void)s.receive("EHLO a\r\nSTARTTLS\r\n");
    REQUIRE(s.next_event() == status::event);
    CHECK(s.event().kind == server_event_kind::hello);
    CHECK(s.next_event() == status::paused);  // until answered
    REQUIRE(s.accept() == errc::ok);
    REQUIRE(s.next_event() == status::event);
    CHECK(s.event().kind == server_event_kind::starttls);
    CHECK(s.next_event() == status::paused);  // until the handshake
    REQUIRE(s.tls_started() == errc::ok);
    CHECK(s.tls_active());
    s.consume_output(s.output().size());
    (void)s.receive("MAIL FROM:<a@a.a>\r\nEHLO a\r\n");
    REQUIRE(s.next_event() == status::event);  // state forgotten: MAIL before EHLO
    CHECK(s.event().error == errc::bad_sequence);
    REQUIRE(s.next_event() == status::event);
    REQUIRE(s.accept() == errc::ok);
    CHECK(s.output().find("STARTTLS") == std::string_view::npos);
    CHECK(s.tls_started() == errc::local_state);
  }
  SECTION("commands pipelined after STARTTLS are never interpreted (CVE-2011-0411)") {
    int mails = 0;
    const policy p = [&](smtp::server_session& s, const smtp::server_event& e) {
      if (e.kind == server_event_kind::mail) ++mails;
      REQUIRE(s.accept() == errc::ok);
    };
    const transcript t = drive(o, "EHLO a\r\nSTARTTLS\r\nMAIL FROM:<evil@a.a>\r\n", p);
    CHECK(t.fatal == errc::input_before_tls);
    CHECK(mails == 0);
    // The 220 goes out (the client may be honest and the injection a man in the middle's);
    // then nothing more: the host closes instead of starting TLS.
    CHECK(codes(t.out) == std::vector<int>{220, 250, 220});
  }
  SECTION("bytes that arrive after the 220 but before the handshake") {
    smtp::server_session s(o);
    (void)s.receive("EHLO a\r\nSTARTTLS\r\n");
    REQUIRE(s.next_event() == status::event);
    REQUIRE(s.accept() == errc::ok);
    REQUIRE(s.next_event() == status::event);
    REQUIRE(s.event().kind == server_event_kind::starttls);
    (void)s.receive("RSET\r\n");
    CHECK(s.tls_started() == errc::ok);
    CHECK(s.next_event() == status::error);
    CHECK(s.error() == errc::input_before_tls);
    CHECK(s.error_reply().empty());
    CHECK(s.closed());
  }
  SECTION("STARTTLS when not offered, and twice") {
    CHECK(codes(drive(opts(), "EHLO a\r\nSTARTTLS\r\nQUIT\r\n").out) == std::vector<int>{220, 250, 454, 221});
    smtp::server_options tls = opts();
    tls.tls_available = true;
    tls.tls_active = true;
    CHECK(codes(drive(tls, "EHLO a\r\nSTARTTLS\r\nQUIT\r\n").out) == std::vector<int>{220, 250, 503, 221});
  }
}

TEST_CASE("smtp server: AUTH exchanges (RFC 4954) with the SASL helpers", "[smtp][server][auth]") {
  smtp::server_options o = opts();
  o.auth_mechanisms = "PLAIN LOGIN";
  o.tls_active = true;
  o.require_auth = true;
  // Checks PLAIN and LOGIN credentials; LOGIN asks twice.
  std::string login_user;
  int login_step = 0;
  const policy p = [&](smtp::server_session& s, const smtp::server_event& e) {
    if (e.kind == server_event_kind::auth && mailwire::ascii::iequals(e.command.mechanism, "PLAIN")) {
      if (e.command.ir == smtp::initial_response::none) {
        REQUIRE(s.auth_challenge("") == errc::ok);
        return;
      }
      const auto c = mailwire::sasl::decode_plain(e.command.response);
      REQUIRE(((c && c->authcid == "tim" && c->password == "tanstaaftanstaaf") ? s.accept() : s.reject()) == errc::ok);
    } else if (e.kind == server_event_kind::auth) {
      login_step = 1;
      REQUIRE(s.auth_challenge(mailwire::sasl::login_username_challenge) == errc::ok);
    } else if (e.kind == server_event_kind::auth_response && login_step == 1) {
      REQUIRE(mailwire::sasl::decode_base64(e.data, login_user));
      login_step = 2;
      REQUIRE(s.auth_challenge(mailwire::sasl::login_password_challenge) == errc::ok);
    } else if (e.kind == server_event_kind::auth_response && login_step == 2) {
      std::string pass;
      REQUIRE(mailwire::sasl::decode_base64(e.data, pass));
      REQUIRE((login_user == "tim" && pass == "secret" ? s.accept() : s.reject()) == errc::ok);
    } else if (e.kind == server_event_kind::auth_response) {
      const auto c = mailwire::sasl::decode_plain(e.data);
      REQUIRE((c && c->password == "tanstaaftanstaaf" ? s.accept() : s.reject()) == errc::ok);
    } else {
      REQUIRE(s.accept() == errc::ok);
    }
  };
  SECTION("PLAIN with an initial response (RFC 4954 section 4 example)") {
    const transcript t = drive_every_chunking(
        o, "EHLO a\r\nMAIL FROM:<a@a.a>\r\nAUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n"
           "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\nAUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"
           "MAIL FROM:<a@a.a>\r\nQUIT\r\n",
        p);
    CHECK(codes(t.out) == std::vector<int>{220, 250, 530, 535, 235, 503, 250, 221});
    CHECK(t.out.find("250-AUTH PLAIN LOGIN\r\n") != std::string::npos);
    CHECK(t.out.find("235 2.7.0 Authentication successful\r\n") != std::string::npos);
    CHECK(t.out.find("503 5.5.1 Already authenticated\r\n") != std::string::npos);
  }
  SECTION("PLAIN without initial response, LOGIN, cancel, unknown mechanism, bad base64") {
    const std::string in = "EHLO a\r\nAUTH PLAIN\r\n*\r\nAUTH CRAM-MD5\r\nAUTH LOGIN\r\n" +
                           mailwire::sasl::encode_base64("tim") + "\r\n!!!!\r\n" +
                           "AUTH LOGIN\r\n" + mailwire::sasl::encode_base64("tim") + "\r\n" +
                           mailwire::sasl::encode_base64("secret") + "\r\nQUIT\r\n";
    const transcript t = drive_every_chunking(o, in, p);
    CHECK(codes(t.out) == std::vector<int>{220, 250, 334, 501, 504, 334, 334, 501, 334, 334, 235, 221});
    CHECK(t.out.find("\r\n334 \r\n") != std::string::npos);
    CHECK(t.out.find("501 5.0.0 Authentication cancelled\r\n") != std::string::npos);
    CHECK(t.out.find("334 VXNlcm5hbWU6\r\n") != std::string::npos);
  }
  SECTION("AUTH is not offered and refused before TLS when it requires TLS") {
    smtp::server_options plain = o;
    plain.tls_active = false;
    const transcript t = drive(plain, "EHLO a\r\nAUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\nQUIT\r\n", p);
    CHECK(codes(t.out) == std::vector<int>{220, 250, 530, 221});
    CHECK(t.out.find("AUTH") == std::string::npos);
  }
}

TEST_CASE("smtp server: BDAT (RFC 3030)", "[smtp][server][bdat]") {
  SECTION("chunks, LAST, and a pipelined command right after the octets") {
    const std::string in =
        "EHLO a\r\nMAIL FROM:<a@a.a> BODY=8BITMIME\r\nRCPT TO:<b@foo.com>\r\n"
        "BDAT 12\r\nline one\r\n.\r"
        "BDAT 9 LAST\r\n\n.\r\nend\r\n"
        "NOOP\r\nQUIT\r\n";
    const transcript t = drive_every_chunking(opts(), in);
    CHECK(codes(t.out) == std::vector<int>{220, 250, 250, 250, 250, 250, 250, 221});
    CHECK(t.out.find("250 2.0.0 12 octets received\r\n") != std::string::npos);
    REQUIRE(t.messages.size() == 1);
    CHECK(t.messages[0] == "line one\r\n.\r\n.\r\nend\r\n");  // BDAT octets are not unstuffed
  }
  SECTION("BDAT 0 LAST, BDAT without recipients (octets skipped), DATA after BDAT") {
    const std::string in =
        "EHLO a\r\nBDAT 5\r\nRSET\r\n"            // no transaction: 503, "RSET\r" skipped,
        "\nMAIL FROM:<a@a.a>\r\nBDAT 4 LAST\r\nQUIT"  // no recipient: 554, "QUIT" skipped
        "RCPT TO:<b@foo.com>\r\nBDAT 3\r\nabcDATA\r\nBDAT 0 LAST\r\nQUIT\r\n";
    const transcript t = drive_every_chunking(opts(), in);
    // then the two bare LFs are two refused lines (500 5.5.2).
    CHECK(codes(t.out) == std::vector<int>{220, 250, 503, 500, 500, 250, 554, 250, 250, 503, 250, 221});
    REQUIRE(t.messages.size() == 1);
    CHECK(t.messages[0] == "abc");
  }
  SECTION("BINARYMIME needs BDAT; over-size chunks are read and refused") {
    smtp::server_options o = opts();
    o.extensions.binarymime = true;
    o.max_message_size = 4;
    const std::string in = std::string(
        "EHLO a\r\nMAIL FROM:<a@a.a> BODY=BINARYMIME\r\nRCPT TO:<b@foo.com>\r\nDATA\r\n"
        "BDAT 5 LAST\r\n\x00\x01\x02\x03\x04QUIT\r\n", 94);
    REQUIRE(in.substr(in.size() - 6) == "QUIT\r\n");
    const transcript t = drive_every_chunking(o, in);
    CHECK(codes(t.out) == std::vector<int>{220, 250, 250, 250, 503, 552, 221});
    CHECK(t.out.find("503 5.5.1 BODY=BINARYMIME requires BDAT\r\n") != std::string::npos);
    CHECK(t.out.find("250-BINARYMIME\r\n") != std::string::npos);
  }
  SECTION("the connection ends inside a chunk") {
    const transcript t = drive(opts(), "EHLO a\r\nMAIL FROM:<a@a.a>\r\nRCPT TO:<b@foo.com>\r\nBDAT 10\r\nabc",
                               accept_all, true);
    CHECK(t.log.back() == "aborted");
    CHECK(t.messages.empty());
  }
}

TEST_CASE("smtp server: MAIL/RCPT parameters only for offered extensions", "[smtp][server]") {
  const std::string in =
      "EHLO a\r\n"
      "MAIL FROM:<a@a.a> BODY=BINARYMIME\r\n"       // BINARYMIME not offered
      "MAIL FROM:<a@a.a> SMTPUTF8\r\n"              // SMTPUTF8 not offered
      "MAIL FROM:<a@a.a> RET=HDRS\r\n"              // DSN not offered
      "MAIL FROM:<a@a.a> REQUIRETLS\r\n"            // no TLS
      "MAIL FROM:<a@a.a> X-FOO=1\r\n"               // unknown parameter
      "MAIL FROM:<j\xC3\xB6rg@a.a>\r\n"             // UTF-8 without SMTPUTF8
      "MAIL FROM:<a@a.a>\r\n"
      "RCPT TO:<b@foo.com> NOTIFY=NEVER\r\n"        // DSN not offered
      "QUIT\r\n";
  const transcript t = drive_every_chunking(opts(), in);
  CHECK(codes(t.out) == std::vector<int>{220, 250, 555, 555, 555, 530, 555, 553, 250, 555, 221});
  smtp::server_options o = opts();
  o.extensions.smtputf8 = true;
  o.extensions.dsn = true;
  const std::string in2 =
      "EHLO a\r\nMAIL FROM:<j\xC3\xB6rg@a.a> SMTPUTF8 RET=HDRS\r\nRCPT TO:<b\xC3\xBC@foo.com> NOTIFY=NEVER\r\n"
      "RSET\r\nMAIL FROM:<a@a.a>\r\nRCPT TO:<b\xC3\xBC@foo.com>\r\nQUIT\r\n";
  const transcript t2 = drive_every_chunking(o, in2);
  CHECK(codes(t2.out) == std::vector<int>{220, 250, 250, 250, 250, 250, 553, 221});
}

TEST_CASE("smtp server: LMTP per-recipient replies (RFC 2033 section 4.2)", "[smtp][server][lmtp]") {
  smtp::server_options o = opts();
  o.lmtp = true;
  o.hostname = "foo.edu";
  const std::string in =
      "LHLO foo.edu\r\n"
      "MAIL FROM:<chris@bar.com>\r\n"
      "RCPT TO:<pat@foo.edu>\r\n"
      "RCPT TO:<jones@foo.edu>\r\n"
      "RCPT TO:<green@foo.edu>\r\n"
      "DATA\r\n"
      "Blah blah blah...\r\n...etc. etc. etc.\r\n.\r\n"
      "HELO x\r\n"
      "QUIT\r\n";
  const policy p = [](smtp::server_session& s, const smtp::server_event& e) {
    if (e.kind == server_event_kind::rcpt && e.command.path.mb.local_part == "jones") {
      REQUIRE(s.respond(550, "5.1.1 No such user") == errc::ok);
    } else if (e.kind == server_event_kind::message_end) {
      CHECK(e.recipients == 2);
      CHECK(s.replies_due() == 2);
      REQUIRE(s.respond(250, "2.1.5 pat@foo.edu OK") == errc::ok);
      CHECK(s.pending_event() == server_event_kind::message_end);
      REQUIRE(s.respond(452, "4.2.2 green@foo.edu is over quota") == errc::ok);
      CHECK(s.pending_event() == server_event_kind::none);
    } else {
      REQUIRE(s.accept() == errc::ok);
    }
  };
  const transcript t = drive_every_chunking(o, in, p);
  CHECK(codes(t.out) == std::vector<int>{220, 250, 250, 250, 550, 250, 354, 250, 452, 500, 221});
  CHECK(t.out.find("250-foo.edu Hello\r\n") != std::string::npos);
}

TEST_CASE("smtp server: fatal errors and session misuse", "[smtp][server]") {
  SECTION("an HTTP request ends the session with 421") {
    const transcript t = drive(opts(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(t.fatal == errc::http_command);
    CHECK(codes(t.out) == std::vector<int>{220, 421});
  }
  SECTION("a refused connection answers 503 until QUIT (RFC 5321 3.1)") {
    smtp::server_options o = opts();
    o.refuse_text = "5.3.2 No service here";
    const transcript t = drive(o, "EHLO a\r\nMAIL FROM:<a@a.a>\r\nQUIT\r\n");
    CHECK(codes(t.out) == std::vector<int>{554, 503, 503, 221});
    CHECK(t.out.substr(0, 26) == "554 5.3.2 No service here\r");
  }
  SECTION("answers when nothing is pending, 3xx answers, bad text") {
    smtp::server_session s(opts());
    CHECK(s.accept() == errc::local_state);
    CHECK(s.reject() == errc::local_state);
    CHECK(s.auth_challenge("x") == errc::local_state);
    (void)s.receive("EHLO a\r\n");
    REQUIRE(s.next_event() == status::event);
    CHECK(s.respond(354, "go") == errc::local_state);
    CHECK(s.respond(250, "a\r\nMAIL FROM:<x>") == errc::local_invalid_value);
    CHECK(s.respond(99, "x") == errc::local_invalid_value);
    CHECK(s.accept() == errc::ok);
  }
  SECTION("the peer closes in the middle of DATA") {
    const transcript t = drive(opts(), "EHLO a\r\nMAIL FROM:<a@a.a>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\npartial",
                               accept_all, true);
    CHECK(t.log.back() == "aborted");
    CHECK(t.messages.empty());
  }
  SECTION("reset() starts a new session with a new greeting") {
    smtp::server_session s(opts());
    (void)s.receive("QUIT\r\n");
    REQUIRE(s.next_event() == status::event);
    CHECK(s.closed());
    s.reset();
    CHECK(!s.closed());
    CHECK(s.output() == "220 foo.com ESMTP\r\n");
  }
  SECTION("without ENHANCEDSTATUSCODES the session's replies carry no enhanced code") {
    smtp::server_options o = opts();
    o.extensions.enhancedstatuscodes = false;
    const transcript t = drive(o, "EHLO a\r\nRCPT TO:<a@b.c>\r\nQUIT\r\n");
    CHECK(t.out.find("503 Bad sequence of commands\r\n") != std::string::npos);
    CHECK(t.out.find("221 foo.com closing connection\r\n") != std::string::npos);
  }
}

TEST_CASE("smtp server: generated pipelined sessions give one transcript in any chunking",
          "[smtp][server][property]") {
  // Sessions built from valid and broken commands, DATA bodies with dot lines and BDAT
  // chunks (fixed seed). Each runs whole, byte by byte and cut at random offsets; the
  // transcripts must be equal, and every reply line the server wrote must be well formed.
  std::uint32_t seed = 12345;
  auto rnd = [&](std::uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % n;
  };
  const char* pieces[] = {"EHLO client.example\r\n", "HELO x\r\n", "MAIL FROM:<a@b.example>\r\n",
                          "MAIL FROM:<> SIZE=100\r\n", "RCPT TO:<r@foo.com>\r\n", "RCPT TO:<bad\r\n",
                          "RSET\r\n", "NOOP\r\n", "VRFY postmaster\r\n", "HELP\r\n", "BOGUS\r\n",
                          "DATA\r\nline\r\n..dot\r\n.\r\n", "DATA\r\nbare\nlf\r\n.\r\n",
                          "BDAT 4\r\nabcd", "BDAT 3 LAST\r\nxyz", "MAIL FROM:<a@b.example> BODY=8BITMIME\r\n",
                          "RCPT TO:<r@foo.com> NOTIFY=NEVER\r\n", "\r\n", "mail from:<A@B.EXAMPLE>\r\n"};
  for (int round = 0; round < 40; ++round) {
    std::string in;
    const std::uint32_t n = 3 + rnd(25);
    for (std::uint32_t i = 0; i < n; ++i) in += pieces[rnd(sizeof pieces / sizeof *pieces)];
    if (rnd(2)) in += "QUIT\r\n";
    const policy p = [&](smtp::server_session& s, const smtp::server_event& e) {
      // Deterministic per event: refuse recipients whose event offset is odd.
      if (e.kind == server_event_kind::rcpt && e.offset % 2 == 1) REQUIRE(s.reject() == errc::ok);
      else REQUIRE(s.accept() == errc::ok);
    };
    const transcript whole = drive(opts(), in, {}, p);
    std::vector<std::size_t> bytes;
    for (std::size_t i = 1; i < in.size(); ++i) bytes.push_back(i);
    CHECK(drive(opts(), in, bytes, p) == whole);
    for (int k = 0; k < 5; ++k) {
      std::vector<std::size_t> cuts;
      for (std::size_t at = rnd(16); at < in.size(); at += 1 + rnd(40)) cuts.push_back(at);
      CHECK(drive(opts(), in, cuts, p) == whole);
    }
    std::string_view out = whole.out;
    while (!out.empty()) {
      const auto r = smtp::parse_reply(out);
      REQUIRE(r.st == status::event);
      out.remove_prefix(r.consumed);
    }
  }
}
