// Tests of mailwire/imap/framing.hpp: messages and literals found in every chunking.
#include <mailwire/imap/framing.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "chunking.hpp"
#include "timing.hpp"

namespace imap = mailwire::imap;
using imap::errc;
using imap::frame_event_kind;
using mailwire::status;

namespace {

using decide_fn = std::function<bool(const imap::frame_event&)>;

/// Everything a run produced, normalized so that runs in different chunkings compare equal:
/// consecutive literal_data events are joined.
struct trace {
  std::vector<std::string> log;
  std::vector<std::string> messages;                   ///< ev.message of each message_end
  std::vector<std::string> data;                       ///< the octets of each streamed literal
  std::vector<std::vector<imap::literal_span>> spans;  ///< ev.literals of each message_end
  std::vector<errc> failures;                          ///< ev.error of each message_failed
  errc fatal = errc::ok;
  std::uint64_t fatal_offset = 0;
  std::size_t max_buffered = 0;
  bool operator==(const trace&) const = default;
};

std::string span_text(const imap::literal_span& s) {
  return "@" + std::to_string(s.offset) + " size=" + std::to_string(s.size) +
         (s.sync ? " sync" : " nonsync") + (s.binary ? " binary" : "") +
         (s.streamed ? " streamed" : " inline");
}

trace run(const imap::framing_options& o, const imap::limits& l, std::string_view input,
          const std::vector<std::size_t>& cuts, const decide_fn& decide) {
  trace t;
  imap::framer f(o, l);
  std::size_t start = 0;
  bool data_open = false;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t end = k < cuts.size() ? cuts[k] : input.size();
    mwtest::heap_copy chunk(input.substr(start, end - start));
    std::string_view rest = chunk.view();
    for (int guard = 0;; ++guard) {
      REQUIRE(guard < 10000000);
      const imap::frame_result r = f.next(rest);
      REQUIRE(r.consumed <= rest.size());
      rest.remove_prefix(r.consumed);
      t.max_buffered = std::max(t.max_buffered, f.buffered());
      if (r.st == status::need_more) {
        REQUIRE(rest.empty());
        break;
      }
      if (r.st == status::error) {
        t.fatal = r.error;
        t.fatal_offset = r.error_offset;
        t.log.push_back("fatal " + std::string(imap::to_string(r.error)) + " @" +
                        std::to_string(r.error_offset));
        // Sticky.
        const auto again = f.next(rest);
        REQUIRE(again.st == status::error);
        REQUIRE(again.error == r.error);
        REQUIRE(again.consumed == 0);
        return t;
      }
      const imap::frame_event& ev = r.ev;
      if (ev.kind != frame_event_kind::literal_data) data_open = false;
      switch (ev.kind) {
        case frame_event_kind::line:
          REQUIRE(r.st == status::event);
          t.log.push_back("line " + std::string(ev.text) + " @" + std::to_string(ev.offset));
          break;
        case frame_event_kind::literal_begin: {
          const bool paused = r.st == status::paused;
          REQUIRE(paused == (o.side == imap::framing_side::server && ev.literal.sync));
          REQUIRE(ev.literals.size() == ev.index + 1);
          REQUIRE(ev.literals.back() == ev.literal);
          REQUIRE(ev.literal.offset == ev.message.size());
          t.log.push_back("begin #" + std::to_string(ev.index) + " " + span_text(ev.literal) + " @" +
                          std::to_string(ev.offset) + (paused ? " paused" : "") + " | " +
                          std::string(ev.message));
          if (ev.literal.streamed) t.data.emplace_back();
          if (paused) {
            // Paused is sticky until the host answers.
            const auto again = f.next(rest);
            REQUIRE(again.st == status::paused);
            REQUIRE(again.consumed == 0);
            if (decide(ev)) {
              REQUIRE(f.accept_literal() == errc::ok);
              t.log.push_back("accepted");
            } else {
              REQUIRE(f.reject_literal() == errc::ok);
              t.log.push_back("rejected");
            }
            REQUIRE(f.accept_literal() == errc::local_state);
          }
          break;
        }
        case frame_event_kind::literal_data:
          REQUIRE(ev.literal.streamed);
          REQUIRE(!ev.text.empty());
          REQUIRE(!t.data.empty());
          t.data.back() += ev.text;
          if (!data_open)
            t.log.push_back("data #" + std::to_string(ev.index) + " @" + std::to_string(ev.offset));
          data_open = true;
          break;
        case frame_event_kind::literal_end:
          t.log.push_back("end #" + std::to_string(ev.index) + " " + span_text(ev.literal));
          break;
        case frame_event_kind::message_end:
          t.log.push_back("message @" + std::to_string(ev.offset));
          t.messages.emplace_back(ev.message);
          t.spans.emplace_back(ev.literals.begin(), ev.literals.end());
          break;
        case frame_event_kind::message_failed:
          t.log.push_back("failed " + std::string(imap::to_string(ev.error)) + " @" +
                          std::to_string(ev.error_offset) + " msg@" + std::to_string(ev.offset) + " | " +
                          std::string(ev.message));
          t.failures.push_back(ev.error);
          break;
        case frame_event_kind::none: FAIL("event without kind"); break;
      }
    }
    start = end;
  }
  if (f.at_message_boundary()) t.log.push_back("boundary");
  return t;
}

bool accept_all(const imap::frame_event&) { return true; }

/// Runs whole, byte by byte, split at every offset (a stride for long inputs) and at every pair
/// of offsets (short inputs); all runs must equal the whole run, which is returned.
trace every_chunking(const imap::framing_options& o, const imap::limits& l, std::string_view input,
                     const decide_fn& decide = accept_all) {
  const trace whole = run(o, l, input, {}, decide);
  std::vector<std::size_t> bytewise;
  for (std::size_t i = 1; i < input.size(); ++i) bytewise.push_back(i);
  {
    INFO("byte by byte");
    REQUIRE(run(o, l, input, bytewise, decide) == whole);
  }
  const std::size_t stride = input.size() <= 1024 ? 1 : input.size() / 512 + 1;
  for (std::size_t cut = 0; cut <= input.size(); cut += stride) {
    INFO("split at " << cut);
    REQUIRE(run(o, l, input, {cut}, decide) == whole);
  }
  {
    // Without line events: the same events but `line`, also byte by byte.
    imap::framing_options quiet = o;
    quiet.line_events = false;
    trace expect = whole;
    std::erase_if(expect.log, [](const std::string& s) { return s.rfind("line ", 0) == 0; });
    INFO("line_events off");
    REQUIRE(run(quiet, l, input, {}, decide) == expect);
    REQUIRE(run(quiet, l, input, bytewise, decide) == expect);
  }
  if (input.size() <= 48) {
    for (std::size_t a = 0; a <= input.size(); ++a)
      for (std::size_t b = a; b <= input.size(); ++b) {
        INFO("splits at " << a << ", " << b);
        REQUIRE(run(o, l, input, {a, b}, decide) == whole);
      }
  }
  return whole;
}

imap::framing_options server_opts() { return {}; }
imap::framing_options client_opts() {
  imap::framing_options o;
  o.side = imap::framing_side::client;
  return o;
}
imap::limits authed() {
  imap::limits l;
  l.authenticated = true;
  return l;
}

// RFC 3501 section 6.3.11 (RFC 9051 section 6.3.12 has the same with 326 octets).
const std::string rfc3501_append_body =
    "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
    "From: Fred Foobar <foobar@Blurdybloop.COM>\r\n"
    "Subject: afternoon meeting\r\n"
    "To: mooch@owatagu.siam.edu\r\n"
    "Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
    "\r\n"
    "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

const std::string rfc9051_append_body =
    "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
    "From: Fred Foobar <foobar@Blurdybloop.example>\r\n"
    "Subject: afternoon meeting\r\n"
    "To: mooch@owatagu.siam.edu.example\r\n"
    "Message-Id: <B27397-0100000@Blurdybloop.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
    "\r\n"
    "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

// RFC 3501 section 8, the BODY[HEADER] response.
const std::string rfc3501_header =
    "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
    "From: Terry Gray <gray@cac.washington.edu>\r\n"
    "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
    "To: imap@cac.washington.edu\r\n"
    "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
    "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
    "\r\n";

}  // namespace

TEST_CASE("framing: RFC 3501 6.3.11 / RFC 9051 6.3.12 APPEND, synchronizing literal", "[imap][framing]") {
  REQUIRE(rfc3501_append_body.size() == 310);
  REQUIRE(rfc9051_append_body.size() == 326);
  for (const std::string* body : {&rfc3501_append_body, &rfc9051_append_body}) {
    const std::string cmd = "A003 APPEND saved-messages (\\Seen) {" + std::to_string(body->size()) + "}\r\n" +
                            *body + "\r\nA004 NOOP\r\n";
    const trace t = every_chunking(server_opts(), authed(), cmd);
    REQUIRE(t.fatal == errc::ok);
    REQUIRE(t.messages.size() == 2);
    const std::string first = cmd.substr(0, cmd.size() - std::string_view("A004 NOOP\r\n").size());
    CHECK(t.messages[0] == first);  // inline: the message exactly as on the wire
    REQUIRE(t.spans[0].size() == 1);
    CHECK(t.spans[0][0].sync);
    CHECK_FALSE(t.spans[0][0].streamed);
    CHECK(t.spans[0][0].size == body->size());
    CHECK(first.substr(t.spans[0][0].offset, body->size()) == *body);
    CHECK(t.messages[1] == "A004 NOOP\r\n");
    const std::string prefix = "A003 APPEND saved-messages (\\Seen) {" + std::to_string(body->size()) + "}";
    const std::vector<std::string> expect = {
        "line " + prefix + " @0",
        "begin #0 @" + std::to_string(prefix.size() + 2) + " size=" + std::to_string(body->size()) +
            " sync inline @" + std::to_string(prefix.size() + 2) + " paused | " + prefix + "\r\n",
        "accepted",
        "end #0 @" + std::to_string(prefix.size() + 2) + " size=" + std::to_string(body->size()) +
            " sync inline",
        "line  @" + std::to_string(prefix.size() + 2 + body->size()),
        "message @0",
        "line A004 NOOP @" + std::to_string(first.size()),
        "message @" + std::to_string(first.size()),
        "boundary"};
    CHECK(t.log == expect);
  }
}

TEST_CASE("framing: the APPEND body streamed when over inline_literal_max", "[imap][framing]") {
  imap::framing_options o = server_opts();
  o.inline_literal_max = 100;
  const std::string head = "A003 APPEND saved-messages (\\Seen) {310}\r\n";
  const std::string cmd = head + rfc3501_append_body + "\r\n";
  const trace t = every_chunking(o, authed(), cmd);
  REQUIRE(t.messages.size() == 1);
  CHECK(t.messages[0] == head + "\r\n");  // the announcement only, zero data octets
  REQUIRE(t.spans[0].size() == 1);
  CHECK(t.spans[0][0].streamed);
  CHECK(t.spans[0][0].offset == head.size());
  REQUIRE(t.data.size() == 1);
  CHECK(t.data[0] == rfc3501_append_body);
  CHECK(t.max_buffered <= head.size() + 2);
  // At the inline maximum, the literal stays inline.
  o.inline_literal_max = 310;
  const trace u = every_chunking(o, authed(), cmd);
  CHECK_FALSE(u.spans[0][0].streamed);
  CHECK(u.messages[0] == cmd);
}

TEST_CASE("framing: RFC 3501 section 8 FETCH response with a BODY[HEADER] literal (client side)",
          "[imap][framing]") {
  const std::string resp =
      "* 12 FETCH (BODY[HEADER] {342}\r\n" + rfc3501_header + ")\r\na004 OK FETCH completed\r\n";
  const trace t = every_chunking(client_opts(), authed(), resp);
  REQUIRE(t.fatal == errc::ok);
  REQUIRE(t.messages.size() == 2);
  CHECK(t.messages[0] == "* 12 FETCH (BODY[HEADER] {342}\r\n" + rfc3501_header + ")\r\n");
  CHECK(t.messages[1] == "a004 OK FETCH completed\r\n");
  CHECK(t.log[1].find(" paused") == std::string::npos);  // responses never pause
  // Streamed on a client with a small inline maximum: header octets as data.
  imap::framing_options o = client_opts();
  o.inline_literal_max = 16;
  const trace u = every_chunking(o, authed(), resp);
  REQUIRE(u.data.size() == 1);
  CHECK(u.data[0] == rfc3501_header);
  CHECK(u.messages[0] == "* 12 FETCH (BODY[HEADER] {342}\r\n)\r\n");
}

TEST_CASE("framing: literal forms: sync, non-sync, literal8", "[imap][framing]") {
  SECTION("LOGIN with non-synchronizing literals (RFC 7888 section 3)") {
    imap::framing_options o = server_opts();
    o.non_sync = imap::non_sync_literals::literal_plus;
    const std::string cmd = "A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n";
    const trace t = every_chunking(o, {}, cmd);
    REQUIRE(t.messages == std::vector<std::string>{cmd});
    REQUIRE(t.spans[0].size() == 2);
    CHECK_FALSE(t.spans[0][0].sync);
    CHECK(t.spans[0][0].size == 11);
    CHECK(cmd.substr(t.spans[0][0].offset, 11) == "FRED FOOBAR");
    CHECK(cmd.substr(t.spans[0][1].offset, 7) == "fat man");
    for (const auto& line : t.log) CHECK(line.find("paused") == std::string::npos);
  }
  SECTION("literal8 with NUL octets (RFC 3516 section 4.2), sync and non-sync") {
    const std::string bin("\0\x01\xff\r\n\0", 6);
    const std::string cmd = "A1 APPEND INBOX ~{6}\r\n" + bin + " ~{6+}\r\n" + bin + "\r\n";
    const trace t = every_chunking(server_opts(), authed(), cmd);
    REQUIRE(t.messages == std::vector<std::string>{cmd});
    REQUIRE(t.spans[0].size() == 2);
    CHECK(t.spans[0][0].binary);
    CHECK(t.spans[0][0].sync);
    CHECK(t.spans[0][1].binary);
    CHECK_FALSE(t.spans[0][1].sync);
  }
  SECTION("literal8 in a FETCH BINARY response, streamed") {
    imap::framing_options o = client_opts();
    o.inline_literal_max = 2;
    const std::string bin("ab\0cd", 5);
    const std::string resp = "* 1 FETCH (BINARY[1] ~{5}\r\n" + bin + ")\r\n";
    const trace t = every_chunking(o, authed(), resp);
    REQUIRE(t.data == std::vector<std::string>{bin});
    CHECK(t.messages == std::vector<std::string>{"* 1 FETCH (BINARY[1] ~{5}\r\n)\r\n"});
  }
  SECTION("zero-length literals") {
    const std::string cmd = "A1 LOGIN {0}\r\n {0}\r\n\r\n";
    const trace t = every_chunking(server_opts(), {}, cmd);
    REQUIRE(t.messages == std::vector<std::string>{cmd});
    REQUIRE(t.spans[0].size() == 2);
    CHECK(t.spans[0][0].size == 0);
  }
  SECTION("leading zeros are digits (RFC 9051 number64 = 1*DIGIT)") {
    const trace t = every_chunking(server_opts(), {}, "A1 LOGIN {0003}\r\nabc {0}\r\n\r\n");
    REQUIRE(t.spans.size() == 1);
    CHECK(t.spans[0][0].size == 3);
  }
}

TEST_CASE("framing: a rejected synchronizing literal ends the message (RFC 9051 7.5)", "[imap][framing]") {
  const std::string cmd = "A003 APPEND INBOX {99}\r\nA004 NOOP\r\n";
  const trace t = every_chunking(server_opts(), authed(), cmd, [](const imap::frame_event& ev) {
    CHECK(ev.message == "A003 APPEND INBOX {99}\r\n");  // the host parses the tag and mailbox
    return false;
  });
  const std::vector<std::string> expect = {
      "line A003 APPEND INBOX {99} @0",
      "begin #0 @24 size=99 sync inline @24 paused | A003 APPEND INBOX {99}\r\n",
      "rejected",
      "line A004 NOOP @24",
      "message @24",
      "boundary"};
  CHECK(t.log == expect);
}

TEST_CASE("framing: LITERAL- allows non-sync literals up to 4096 octets only (RFC 7888 section 4)",
          "[imap][framing]") {
  imap::framing_options o = server_opts();  // LITERAL- is the default (IMAP4rev2)
  const std::string ok_body(4096, 'x');
  const std::string good = "A1 APPEND INBOX {4096+}\r\n" + ok_body + "\r\n";
  const trace t = every_chunking(o, authed(), good);
  REQUIRE(t.messages == std::vector<std::string>{good});

  // 4097 octets: refused with [TOOBIG]; the octets are on their way, so they are read and dropped
  // (never taken as commands), with the rest of the command, and the next command is read.
  const std::string big(4097, 'y');
  const std::string bad = "A2 APPEND INBOX {4097+}\r\n" + big + " (more) {3+}\r\nabc\r\nA3 NOOP\r\n";
  const trace u = every_chunking(o, authed(), bad);
  REQUIRE(u.failures == std::vector<errc>{errc::non_sync_literal_too_large});
  CHECK(u.log[0] ==
        "failed non-synchronizing literal over 4096 octets @16 msg@0 | A2 APPEND INBOX {4097+}\r\n");
  REQUIRE(u.messages == std::vector<std::string>{"A3 NOOP\r\n"});
  CHECK(u.max_buffered <= 32);
  CHECK(imap::bad_hint(errc::non_sync_literal_too_large).substr(0, 8) == "[TOOBIG]");

  // LITERAL+ takes it; without either, "{N+}" is refused whatever its size.
  o.non_sync = imap::non_sync_literals::literal_plus;
  CHECK(every_chunking(o, authed(), bad).messages.size() == 2);
  o.non_sync = imap::non_sync_literals::none;
  const trace w = every_chunking(o, authed(), "A1 LOGIN {1+}\r\nx y\r\nA2 NOOP\r\n");
  CHECK(w.failures == std::vector<errc>{errc::non_sync_literal_not_allowed});
  CHECK(w.messages == std::vector<std::string>{"A2 NOOP\r\n"});
}

TEST_CASE("framing: client side refuses {N+} in a response and reads literals without pausing",
          "[imap][framing]") {
  const trace t = every_chunking(client_opts(), authed(), "* 1 FETCH (BODY[] {3+}\r\nabc)\r\n* 2 EXISTS\r\n");
  CHECK(t.failures == std::vector<errc>{errc::non_sync_literal_not_allowed});
  CHECK(t.messages == std::vector<std::string>{"* 2 EXISTS\r\n"});
}

TEST_CASE("framing: status responses and continuation requests hold no literal (client side)",
          "[imap][framing]") {
  // resp-text and continue-req (RFC 9051 section 9) are text: "{5}" there is not an announcement.
  const std::string s =
      "* OK [ALERT] see {5}\r\n+ go on {3}\r\na1 NO failed {2}\r\n* BYE bye {1}\r\n"
      "* 1 FETCH (UID 5 BODY[] {2}\r\nhi)\r\n";
  const trace t = every_chunking(client_opts(), authed(), s);
  const std::vector<std::string> expect = {"* OK [ALERT] see {5}\r\n", "+ go on {3}\r\n",
                                           "a1 NO failed {2}\r\n", "* BYE bye {1}\r\n",
                                           "* 1 FETCH (UID 5 BODY[] {2}\r\nhi)\r\n"};
  CHECK(t.messages == expect);
  // On the server side every line end is checked: "a1 OK {2}" is a command with a literal.
  const trace u = every_chunking(server_opts(), authed(), "a1 OK {2}\r\nhi\r\n");
  CHECK(u.messages == std::vector<std::string>{"a1 OK {2}\r\nhi\r\n"});
}

TEST_CASE("framing: not a literal: {N} inside a line, {}, {-1}, {1a} and friends are text",
          "[imap][framing]") {
  // RFC 9051 section 9: literal = "{" number64 ["+"] "}" CRLF *CHAR8. Anything else before the
  // CRLF is text; in commands "{" is an atom-special, so the grammar parser refuses it.
  for (const char* line : {"a1 LOGIN {5} x\r\n", "a1 X {}\r\n", "a1 X {-1}\r\n", "a1 X {1a}\r\n",
                           "a1 X { 5}\r\n", "a1 X {5 }\r\n", "a1 X {+}\r\n", "a1 X {5++}\r\n", "a1 X 5}\r\n",
                           "a1 X {5}}\r\n", "a1 X {5}\r\r\n", "}\r\n", "{5\r\n", "a1 X ~~{\r\n"}) {
    INFO(line);
    const trace t = every_chunking(server_opts(), authed(), line);
    CHECK(t.messages == std::vector<std::string>{line});
    CHECK(t.spans[0].empty());
  }
}

TEST_CASE("framing: literal sizes over 2^63-1 overflow", "[imap][framing]") {
  // Server, synchronizing: refused before any octet (the client waits for "+"), no loss of framing.
  const trace t =
      every_chunking(server_opts(), authed(), "a1 APPEND x {99999999999999999999}\r\na2 NOOP\r\n");
  CHECK(t.failures == std::vector<errc>{errc::number_overflow});
  CHECK(t.log[0].find("@12 ") != std::string::npos);
  CHECK(t.messages == std::vector<std::string>{"a2 NOOP\r\n"});
  // 2^63-1 itself is a number64, just too large for the limit.
  const trace u = every_chunking(server_opts(), authed(), "a1 APPEND x {9223372036854775807}\r\n");
  CHECK(u.failures == std::vector<errc>{errc::literal_too_large});
  const trace v = every_chunking(server_opts(), authed(), "a1 APPEND x {9223372036854775808}\r\n");
  CHECK(v.failures == std::vector<errc>{errc::number_overflow});
  // Non-synchronizing, or client side: the octet count is unknowable: fatal.
  imap::framing_options o = server_opts();
  o.non_sync = imap::non_sync_literals::literal_plus;
  const trace w = every_chunking(o, authed(), "a1 APPEND x {99999999999999999999+}\r\nabc");
  CHECK(w.fatal == errc::number_overflow);
  CHECK(w.fatal_offset == 12);
  const trace x = every_chunking(client_opts(), authed(), "* 1 FETCH (BODY[] ~{18446744073709551616}\r\n");
  CHECK(x.fatal == errc::number_overflow);
  CHECK(x.fatal_offset == 18);
}

TEST_CASE("framing: NUL outside literal8", "[imap][framing]") {
  SECTION("in a line: the message is dropped to its end") {
    const std::string s = std::string("a1 LOGIN x\0y {3}\r\n", 18) + "a2 NOOP\r\n";
    const trace t = every_chunking(server_opts(), {}, s);
    // The sync literal after the NUL ends the dropped message: no "+" will be sent.
    CHECK(t.failures == std::vector<errc>{errc::nul_outside_literal8});
    CHECK(t.log[0] == "failed NUL outside literal8 @10 msg@0 | a1 LOGIN x");
    CHECK(t.messages == std::vector<std::string>{"a2 NOOP\r\n"});
  }
  SECTION("in a line, followed by a non-sync literal that must be skipped, not read as a command") {
    imap::framing_options o = server_opts();
    const std::string s = std::string("a1 LOGIN \0 {11+}\r\n", 18) + "a9 DELETE x\r\na2 NOOP\r\n";
    const trace t = every_chunking(o, {}, s);
    CHECK(t.failures == std::vector<errc>{errc::nul_outside_literal8});
    CHECK(t.messages == std::vector<std::string>{"a2 NOOP\r\n"});
  }
  SECTION("in a {N} literal (CHAR8 is %x01-ff), inline and streamed") {
    const std::string s = std::string("a1 LOGIN {3}\r\na\0b\r\n", 19) + "a2 NOOP\r\n";
    const trace t = every_chunking(server_opts(), {}, s);
    CHECK(t.failures == std::vector<errc>{errc::nul_outside_literal8});
    CHECK(t.messages == std::vector<std::string>{"a2 NOOP\r\n"});
    imap::framing_options o = client_opts();
    o.inline_literal_max = 1;
    const std::string r = std::string("* 1 FETCH (BODY[] {5}\r\nab\0cd)\r\n* 2 EXISTS\r\n", 43);
    const trace u = every_chunking(o, authed(), r);
    CHECK(u.failures == std::vector<errc>{errc::nul_outside_literal8});
    CHECK(u.data == std::vector<std::string>{"ab"});  // what preceded the NUL, then no literal_end
    CHECK(u.log[3].rfind("failed NUL outside literal8 @25 ", 0) == 0);
    CHECK(u.messages == std::vector<std::string>{"* 2 EXISTS\r\n"});
    o.lenient_nul_in_literal = true;
    const trace v = every_chunking(o, authed(), r);
    CHECK(v.failures.empty());
    CHECK(v.data == std::vector<std::string>{std::string("ab\0cd", 5)});
  }
}

TEST_CASE("framing: 8-bit octets in lines pass", "[imap][framing]") {
  const std::string s = "a1 SELECT \"\xc3\xa9t\xc3\xa9\"\r\n";
  CHECK(every_chunking(server_opts(), {}, s).messages == std::vector<std::string>{s});
}

TEST_CASE("framing: bare LF is fatal unless lenient", "[imap][framing]") {
  const trace t = every_chunking(server_opts(), {}, "a1 NOOP\r\na2 NOOP\na3 NOOP\r\n");
  CHECK(t.messages.size() == 1);
  CHECK(t.fatal == errc::bare_lf);
  CHECK(t.fatal_offset == 16);
  imap::framing_options o = server_opts();
  o.lenient_bare_lf = true;
  const trace u = every_chunking(o, {}, "a1 LOGIN {2}\nab\na3 NOOP\r\n");
  CHECK(u.messages == std::vector<std::string>{"a1 LOGIN {2}\nab\n", "a3 NOOP\r\n"});
  // Also in a dropped message.
  const trace v = every_chunking(server_opts(), {}, std::string("a1 \0x\nfoo", 9));
  CHECK(v.fatal == errc::bare_lf);
  CHECK(v.fatal_offset == 5);
}

TEST_CASE("framing: limit: line length before and after authentication", "[imap][framing]") {
  imap::limits l;
  l.line_before_auth = 20;  // CRLF included
  l.line_after_auth = 30;
  const std::string fits = "a1 LOGIN aaaaaaaaa\r\n";  // 20 octets
  REQUIRE(fits.size() == 20);
  CHECK(every_chunking(server_opts(), l, fits).messages == std::vector<std::string>{fits});
  const std::string over = "a1 LOGIN aaaaaaaaaa\r\na2 NOOP\r\n";  // 21 octets: the LF is octet 20
  const trace t = every_chunking(server_opts(), l, over);
  CHECK(t.failures == std::vector<errc>{errc::line_too_long});
  CHECK(t.log[0].rfind("failed line too long @20 ", 0) == 0);
  CHECK(t.messages == std::vector<std::string>{"a2 NOOP\r\n"});
  CHECK(t.max_buffered <= 20);
  // A literal's octets do not count; each line segment has the limit.
  const std::string lit = "a1 LOGIN {40}\r\n" + std::string(40, 'x') + " {1}\r\ny\r\n";
  CHECK(every_chunking(server_opts(), l, lit).messages == std::vector<std::string>{lit});
  // After authentication, the larger limit.
  l.authenticated = true;
  CHECK(every_chunking(server_opts(), l, over).messages.size() == 2);
  // set_authenticated() switches between messages.
  imap::framer f(server_opts(), [] {
    imap::limits m;
    m.line_before_auth = 20;
    m.line_after_auth = 30;
    return m;
  }());
  std::string_view in = "a1 LOGIN aaaaaaaaaa\r\n";
  auto r = f.next(in);
  CHECK(r.ev.kind == frame_event_kind::message_failed);
  f.set_authenticated(true);
  in = "a2 LOGIN aaaaaaaaaa\r\n";
  r = f.next(in);
  CHECK(r.ev.kind == frame_event_kind::line);
}

TEST_CASE("framing: limit: a 1 MB line before login is dropped in bounded memory", "[imap][framing]") {
  const std::string s = "a1 " + std::string(1 << 20, 'a') + " {5+}\r\nhello\r\na2 NOOP\r\n";
  const trace t = run(server_opts(), {}, s, {}, accept_all);
  CHECK(t.failures == std::vector<errc>{errc::line_too_long});
  CHECK(t.messages == std::vector<std::string>{"a2 NOOP\r\n"});  // "hello" skipped, not a command
  CHECK(t.max_buffered <= imap::limits{}.line_before_auth);
}

TEST_CASE("framing: limit: literal size", "[imap][framing]") {
  imap::limits l;
  l.literal_before_auth = 10;
  // Synchronizing: refused before its octets are expected; the message ends there.
  const trace t =
      every_chunking(server_opts(), l, "a1 LOGIN {11}\r\na2 LOGIN {10}\r\n0123456789 {0}\r\n\r\n");
  CHECK(t.failures == std::vector<errc>{errc::literal_too_large});
  CHECK(t.log[0] == "failed literal too large @9 msg@0 | a1 LOGIN {11}\r\n");
  CHECK(t.messages.size() == 1);
  // Non-synchronizing: consumed and dropped.
  imap::framing_options o = server_opts();
  o.non_sync = imap::non_sync_literals::literal_plus;
  const trace u = every_chunking(o, l, "a1 LOGIN {11+}\r\na9 DELETE x {0}\r\na2 NOOP\r\n");
  CHECK(u.failures == std::vector<errc>{errc::literal_too_large});
  CHECK(u.messages == std::vector<std::string>{"a2 NOOP\r\n"});
  // Client side: a literal over the limit is skipped.
  const trace v =
      every_chunking(client_opts(), l, "* 1 FETCH (BODY[] {11}\r\n01234567890)\r\n* 2 EXISTS\r\n");
  CHECK(v.failures == std::vector<errc>{errc::literal_too_large});
  CHECK(v.messages == std::vector<std::string>{"* 2 EXISTS\r\n"});
}

TEST_CASE("framing: limit: literals per message", "[imap][framing]") {
  imap::limits l;
  l.literals_per_message = 2;
  const std::string two = "a1 LOGIN {1}\r\na {1}\r\nb\r\n";
  CHECK(every_chunking(server_opts(), l, two).messages == std::vector<std::string>{two});
  const trace t = every_chunking(server_opts(), l, "a1 X {1}\r\na {1}\r\nb {1}\r\na2 NOOP\r\n");
  CHECK(t.failures == std::vector<errc>{errc::too_many_literals});
  CHECK(t.messages == std::vector<std::string>{"a2 NOOP\r\n"});
  const trace u = every_chunking(client_opts(), l, "* X {1}\r\na {1}\r\nb {1}\r\nc\r\n* 2 EXISTS\r\n");
  CHECK(u.failures == std::vector<errc>{errc::too_many_literals});
  CHECK(u.messages == std::vector<std::string>{"* 2 EXISTS\r\n"});
}

TEST_CASE("framing: limit: octets of one message held in memory", "[imap][framing]") {
  imap::limits l;
  l.message_before_auth = 40;
  // Literals that would not fit are streamed instead.
  const std::string s = "a1 LOGIN {10}\r\n0123456789 {20}\r\n01234567890123456789\r\n";
  const trace t = every_chunking(server_opts(), l, s);
  REQUIRE(t.spans.size() == 1);
  CHECK_FALSE(t.spans[0][0].streamed);
  CHECK(t.spans[0][1].streamed);
  CHECK(t.data == std::vector<std::string>{"01234567890123456789"});
  CHECK(t.max_buffered <= 40);
  // Lines that do not fit fail the message.
  const trace u = every_chunking(server_opts(), l,
                                 "a1 LOGIN {10}\r\n0123456789 " + std::string(20, 'x') + "\r\na2 NOOP\r\n");
  CHECK(u.failures == std::vector<errc>{errc::message_too_large});
  CHECK(u.log.at(u.log.size() - 4).rfind("failed message too large @40 ", 0) == 0);
  CHECK(u.messages == std::vector<std::string>{"a2 NOOP\r\n"});
}

TEST_CASE("framing: pipelined messages, consumed stops at each message end", "[imap][framing]") {
  const std::string s = "a1 NOOP\r\na2 STARTTLS\r\nINJECTED\r\n";
  imap::framer f;
  std::string_view in = s;
  std::vector<std::string> msgs;
  for (;;) {
    const auto r = f.next(in);
    in.remove_prefix(r.consumed);
    REQUIRE(r.st == status::event);
    if (r.ev.kind == frame_event_kind::message_end) {
      msgs.emplace_back(r.ev.message);
      CHECK(f.at_message_boundary());
      if (r.ev.message == "a2 STARTTLS\r\n") break;
    }
  }
  CHECK(msgs == std::vector<std::string>{"a1 NOOP\r\n", "a2 STARTTLS\r\n"});
  CHECK(in == "INJECTED\r\n");  // left to the host: refused before the TLS handshake
  CHECK(f.offset() == s.size() - in.size());
}

TEST_CASE("framing: IDLE DONE and AUTHENTICATE responses are plain one-line messages", "[imap][framing]") {
  const std::string s = "a1 IDLE\r\nDONE\r\na2 AUTHENTICATE PLAIN\r\nAHRlc3QAdGVzdA==\r\n*\r\n";
  const trace t = every_chunking(server_opts(), {}, s);
  CHECK(t.messages == std::vector<std::string>{"a1 IDLE\r\n", "DONE\r\n", "a2 AUTHENTICATE PLAIN\r\n",
                                               "AHRlc3QAdGVzdA==\r\n", "*\r\n"});
}

TEST_CASE("framing: host misuse and reset", "[imap][framing]") {
  imap::framer f;
  CHECK(f.accept_literal() == errc::local_state);
  CHECK(f.reject_literal() == errc::local_state);
  CHECK(f.at_message_boundary());
  auto r = f.next("a1 NOOP\n");
  CHECK(r.st == status::error);
  CHECK(r.error == errc::bare_lf);
  CHECK(f.next("a2 NOOP\r\n").st == status::error);
  f.reset();
  r = f.next("a2 NOOP\r\n");
  CHECK(r.st == status::event);
  CHECK(r.ev.offset == 0);
  CHECK(r.ev.text == "a2 NOOP");
  r = f.next("");
  CHECK(r.ev.kind == frame_event_kind::message_end);
  CHECK(r.consumed == 0);
  CHECK(f.next("a3 NO").st == status::need_more);
  CHECK_FALSE(f.at_message_boundary());
  CHECK(f.failing() == errc::ok);
}

TEST_CASE("framing: the forward tracker agrees with the backward announcement parser", "[imap][framing]") {
  std::mt19937 rng(7);
  const std::string alphabet = "{}~+0123456789 a\r";
  for (int n = 0; n < 200000; ++n) {
    std::string line;
    const std::size_t len = rng() % 14;
    for (std::size_t i = 0; i < len; ++i) line += alphabet[rng() % alphabet.size()];
    if (rng() % 4 == 0) line += std::string(rng() % 25, '9') + "}";
    imap::detail::announcement_tracker tr;
    for (std::size_t i = 0; i < line.size(); ++i) tr.feed(line[i], 100 + i);
    std::string_view body = line;
    if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
    const auto a = imap::detail::parse_announcement(body);
    const auto b = tr.result();
    INFO(line);
    REQUIRE(a.found == b.found);
    if (!a.found) continue;
    REQUIRE(a.plus == b.plus);
    REQUIRE(a.binary == b.binary);
    REQUIRE(a.overflow == b.overflow);
    REQUIRE(a.size == b.size);
    REQUIRE(100 + a.start == tr.start_offset());
  }
}

TEST_CASE("framing: random valid streams: messages, spans and streamed octets exact", "[imap][framing]") {
  std::mt19937_64 rng(20261123);
  for (int round = 0; round < 60; ++round) {
    imap::framing_options o = round % 2 ? client_opts() : server_opts();
    o.non_sync = imap::non_sync_literals::literal_plus;
    o.inline_literal_max = rng() % 40;
    std::string input;
    std::vector<std::string> want_msgs, want_data;
    std::vector<std::vector<imap::literal_span>> want_spans;
    const int count = 1 + static_cast<int>(rng() % 5);
    for (int m = 0; m < count; ++m) {
      std::string msg, wire = "t" + std::to_string(m) + " X";
      std::vector<imap::literal_span> spans;
      const int lits = static_cast<int>(rng() % 4);
      for (int k = 0; k < lits; ++k) {
        const std::size_t size = rng() % 80;
        const bool binary = rng() % 3 == 0, plus = o.side == imap::framing_side::server && rng() % 2 == 0;
        std::string octets;
        for (std::size_t i = 0; i < size; ++i) {
          char c = static_cast<char>(rng() % 256);
          if (c == '\0' && !binary) c = '\n';
          octets += c;
        }
        wire +=
            std::string(" ") + (binary ? "~" : "") + "{" + std::to_string(size) + (plus ? "+" : "") + "}\r\n";
        imap::literal_span s;
        s.size = size;
        s.sync = !plus;
        s.binary = binary;
        s.streamed = size > o.inline_literal_max;
        msg += wire;
        s.offset = msg.size();  // in the message, which lacks the streamed octets
        if (s.streamed)
          want_data.push_back(octets);
        else
          msg += octets;
        input += wire + octets;
        spans.push_back(s);
        wire.clear();
      }
      wire += " end\r\n";
      msg += wire;
      input += wire;
      want_msgs.push_back(msg);
      want_spans.push_back(spans);
    }
    INFO("round " << round);
    const trace t = every_chunking(o, authed(), input);
    REQUIRE(t.fatal == errc::ok);
    REQUIRE(t.failures.empty());
    REQUIRE(t.messages == want_msgs);
    REQUIRE(t.spans == want_spans);
    REQUIRE(t.data == want_data);
  }
}

TEST_CASE("framing: linear work: a 10 MB literal message in 1-byte chunks costs what it costs whole",
          "[imap][framing]") {
  // Lines of 8-bit text inside one 10 MB literal, then many short pipelined lines.
  std::string body;
  std::mt19937 rng(3);
  while (body.size() < (10u << 20)) {
    const std::size_t n = 20 + rng() % 70;
    for (std::size_t i = 0; i < n; ++i) body += static_cast<char>('!' + rng() % 90);
    body += "\r\n";
  }
  std::string s = "* 1 FETCH (BODY[] {" + std::to_string(body.size()) + "}\r\n" + body + ")\r\n";
  for (int i = 0; i < 20000; ++i)
    s += "* " + std::to_string(i) + " FETCH (FLAGS (\\Seen) UID " + std::to_string(i) + ")\r\n";
  auto feed = [&](std::size_t chunk) {
    imap::framer f(client_opts(), authed());
    std::size_t msgs = 0, data = 0, other = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t at = 0; at < s.size(); at += chunk) {
      std::string_view in = std::string_view(s).substr(at, chunk);
      for (;;) {
        const auto r = f.next(in);
        in.remove_prefix(r.consumed);
        if (r.st == status::need_more) break;
        if (r.st != status::event) ++other;
        if (r.ev.kind == frame_event_kind::message_end) ++msgs;
        if (r.ev.kind == frame_event_kind::literal_data) data += r.ev.text.size();
      }
    }
    const auto dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(other == 0);
    CHECK(msgs == 20001);
    CHECK(data == body.size());
    return std::pair<std::uint64_t, double>(f.octets_examined(), dt);
  };
  const auto whole = feed(s.size());
  const auto bytewise = feed(1);
  const auto small = feed(7);
  // The same octets are examined whatever the chunking, at most a few times each.
  CHECK(whole.first == bytewise.first);
  CHECK(whole.first == small.first);
  CHECK(whole.first <= 3 * s.size());
  // Wall clock: byte-by-byte pays a call per octet (~0.1-0.2 us here), nothing per octet
  // already seen; a framer that rescanned the message on each call would need hours. Generous,
  // for a loaded machine.
  INFO("whole " << whole.second << " s, 1-byte chunks " << bytewise.second << " s");
  CHECK(bytewise.second < 20.0 * mwtest::time_factor);
}

TEST_CASE("framing: the framing errors have names and BAD texts", "[imap][framing]") {
  for (errc e : {errc::bare_lf, errc::non_sync_literal_too_large, errc::non_sync_literal_not_allowed,
                 errc::message_too_large}) {
    INFO(static_cast<int>(e));
    CHECK(imap::to_string(e) != "unknown IMAP error");
    CHECK(imap::bad_hint(e) != "Syntax error");
    CHECK(imap::bad_hint(e).find_first_of("\r\n") == std::string_view::npos);
  }
  // RFC 7888 section 4: the refusal of a LITERAL- literal carries [TOOBIG].
  CHECK(imap::bad_hint(errc::non_sync_literal_too_large).rfind("[TOOBIG] ", 0) == 0);
  CHECK(imap::bad_hint(errc::message_too_large).rfind("[TOOBIG] ", 0) == 0);
}
