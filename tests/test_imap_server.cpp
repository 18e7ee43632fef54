// Tests of mailwire/imap/server.hpp: the RFC 9051 / RFC 3501 section 8 sample sessions byte for
// byte in every chunking, state rules, login and SASL, literals, streamed APPEND, IDLE, ENABLE,
// EXPUNGE queueing, QRESYNC, STARTTLS / COMPRESS boundaries, limits.
#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "chunking.hpp"
#include "mailwire/imap/server.hpp"

using namespace mailwire;
using namespace mailwire::imap;

namespace {

using host_fn = std::function<void(server_session&, const server_event&)>;

struct run_result {
  std::string output;
  std::vector<server_event_kind> kinds;
  status last = status::need_more;
  errc error = errc::ok;
  std::size_t max_buffered_output = 0;
};

/// Feeds `input` cut at `cuts` (ascending) through a session; the host answers each event.
run_result run(const server_options& o, std::string_view input, const host_fn& host,
               const std::vector<std::size_t>& cuts = {}) {
  run_result res;
  server_session s(o);
  std::size_t start = 0;
  auto drain = [&] {
    res.max_buffered_output = std::max(res.max_buffered_output, s.output().size());
    res.output += s.output();
    s.consume_output(s.output().size());
  };
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t end = k < cuts.size() ? cuts[k] : input.size();
    mwtest::heap_copy chunk(input.substr(start, end - start));
    std::string_view rest = chunk.view();
    for (int guard = 0; guard < 1000000; ++guard) {
      rest.remove_prefix(s.receive(rest));
      const status st = s.next_event();
      res.last = st;
      if (st == status::event) {
        res.kinds.push_back(s.event().kind);
        host(s, s.event());
        drain();
        continue;
      }
      drain();
      if (st == status::error) {
        res.error = s.error();
        return res;
      }
      if (st == status::paused) {
        if (s.state() == server_state::tls_pending || s.state() == server_state::compress_pending) return res;
        if (s.output().empty() && rest.empty()) break;  // the host did not answer
        continue;
      }
      if (rest.empty()) break;
    }
    start = end;
  }
  drain();
  return res;
}

/// Runs whole, byte by byte and split at every offset; REQUIREs the same output each time.
run_result run_every_chunking(const server_options& o, std::string_view input, const host_fn& host) {
  const run_result whole = run(o, input, host);
  std::vector<std::size_t> bytewise;
  for (std::size_t i = 1; i < input.size(); ++i) bytewise.push_back(i);
  const run_result b = run(o, input, host, bytewise);
  REQUIRE(b.output == whole.output);
  REQUIRE(b.error == whole.error);
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    const run_result one = run(o, input, host, {cut});
    INFO("cut at " << cut);
    REQUIRE(one.output == whole.output);
  }
  return whole;
}

server_options plain_options() {
  server_options o;
  o.greeting_capability = false;
  return o;
}

const std::vector<std::uint32_t> inbox18 = [] {
  std::vector<std::uint32_t> v;
  for (std::uint32_t u = 1; u <= 18; ++u) v.push_back(u * 10);
  return v;
}();

std::string lines(std::initializer_list<std::string_view> ls) {
  std::string s;
  for (auto l : ls) s.append(l).append("\r\n");
  return s;
}

/// A host that accepts every login and answers OK to every command (SELECT: a small mailbox).
void ok_host(server_session& s, const server_event& ev) {
  switch (ev.kind) {
    case server_event_kind::login:
    case server_event_kind::authenticate:
    case server_event_kind::auth_response: (void)s.accept_login(); break;
    case server_event_kind::command:
      if (ev.command.kind == command_kind::select || ev.command.kind == command_kind::examine) {
        select_info i;
        i.uids = inbox18;
        i.uidnext = 200;
        REQUIRE(s.select_begin(i) == errc::ok);
      }
      REQUIRE(s.ok() == errc::ok);
      break;
    default: break;
  }
}

}  // namespace

TEST_CASE("imap server: RFC 9051 section 8 sample session", "[imap][imap-server]") {
  server_options o = plain_options();
  o.greeting = "IMAP4rev2 Service Ready";
  o.bye_text = "IMAP4rev2 server terminating connection";
  o.enable = true;
  const std::string in = lines({"a001 login mrc secret", "a002 select inbox", "a003 fetch 12 full",
                                "a005 store 12 +flags \\deleted", "a006 logout"});
  std::vector<std::string> seen;
  const host_fn host = [&](server_session& s, const server_event& ev) {
    switch (ev.kind) {
      case server_event_kind::login: {
        const auto& l = std::get<cmd_login>(ev.command.args);
        CHECK(l.user.content() == "mrc");
        CHECK(l.password.content() == "secret");
        REQUIRE(s.accept_login("LOGIN completed", false) == errc::ok);
        break;
      }
      case server_event_kind::command:
        switch (ev.command.kind) {
          case command_kind::select: {
            // The RFC's order (the host's choice): EXISTS, FLAGS, UIDVALIDITY, LIST.
            REQUIRE(s.selected(inbox18) == errc::ok);
            for (std::string_view r : {"* 18 EXISTS\r\n", "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
                                       "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", "* LIST () \"/\" INBOX\r\n"}) {
              const auto p = parse_response(r);
              REQUIRE(p.st == status::event);
              REQUIRE(s.untagged(p.value) == errc::ok);
            }
            REQUIRE(s.ok() == errc::ok);
            break;
          }
          case command_kind::fetch: {
            const auto& f = std::get<cmd_fetch>(ev.command.args);
            std::uint32_t got = 0;
            REQUIRE(s.map().resolve(f.set, ev.command.uid, [&](std::uint32_t msn, std::uint32_t) { got = msn; }) ==
                    errc::ok);
            CHECK(got == 12);
            const std::string_view r =
                "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE "
                "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" ((\"Terry Gray\" "
                "NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
                "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "
                "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
                "\"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
                "\"7BIT\" 3028 92))\r\n";
            limits lim;
            lim.authenticated = true;
            const auto p = parse_response(r, nullptr, lim);
            REQUIRE(p.st == status::event);
            REQUIRE(s.fetch(12, p.value.atts) == errc::ok);
            REQUIRE(s.ok() == errc::ok);
            break;
          }
          case command_kind::store: {
            limits lim;
            lim.authenticated = true;
            const auto p = parse_response("* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n", nullptr, lim);
            REQUIRE(p.st == status::event);
            REQUIRE(s.untagged(p.value) == errc::ok);
            REQUIRE(s.ok({}, "+FLAGS completed") == errc::ok);
            break;
          }
          default: FAIL("unexpected command");
        }
        break;
      default: break;
    }
  };
  const run_result r = run_every_chunking(o, in, host);
  const std::string expected = lines(
      {"* OK IMAP4rev2 Service Ready", "a001 OK LOGIN completed", "* 18 EXISTS",
       "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", "* OK [UIDVALIDITY 3857529045] UIDs valid",
       "* LIST () \"/\" INBOX", "a002 OK [READ-WRITE] SELECT completed",
       "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 "
       "Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" "
       "\"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL "
       "\"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" "
       "\"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
       "\"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
       "\"7BIT\" 3028 92))",
       "a003 OK FETCH completed", "* 12 FETCH (FLAGS (\\Seen \\Deleted))", "a005 OK +FLAGS completed",
       "* BYE IMAP4rev2 server terminating connection", "a006 OK LOGOUT completed"});
  CHECK(r.output == expected);
  CHECK(r.kinds.back() == server_event_kind::logout);
}

TEST_CASE("imap server: RFC 3501 section 8 sample session, BODY[HEADER] streamed", "[imap][imap-server]") {
  server_options o = plain_options();
  o.greeting = "IMAP4rev1 Service Ready";
  o.bye_text = "IMAP4rev1 server terminating connection";
  const std::string header =
      "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\n"
      "Subject: IMAP4rev1 WG mtg summary and minutes\r\nTo: imap@cac.washington.edu\r\n"
      "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
      "Message-Id: <B27397-0100000@cac.washington.edu>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n";
  REQUIRE(header.size() == 342);
  const std::string in =
      lines({"a001 login mrc secret", "a002 select inbox", "a004 fetch 12 body[header]", "a006 logout"});
  const host_fn host = [&](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::login) {
      REQUIRE(s.accept_login("LOGIN completed", false) == errc::ok);
    } else if (ev.kind == server_event_kind::command && ev.command.kind == command_kind::select) {
      REQUIRE(s.selected(inbox18) == errc::ok);
      for (std::string_view r : {"* 18 EXISTS\r\n", "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
                                 "* 2 RECENT\r\n", "* OK [UNSEEN 17] Message 17 is the first unseen message\r\n",
                                 "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"}) {
        const auto p = parse_response(r);
        REQUIRE(p.st == status::event);
        REQUIRE(s.untagged(p.value) == errc::ok);
      }
      REQUIRE(s.ok() == errc::ok);
    } else if (ev.kind == server_event_kind::command && ev.command.kind == command_kind::fetch) {
      const auto& f = std::get<cmd_fetch>(ev.command.args);
      CHECK(f.attributes.size() == 1);
      // The canonical name (the client wrote "body[header]").
      const auto item = parse_fetch_attribute("BODY[HEADER] ").value;
      REQUIRE(s.begin_fetch_literal(12, {}, item, header.size()) == errc::ok);
      // The host's chunks; the session takes what the announced size allows.
      CHECK(s.fetch_data(std::string_view(header).substr(0, 100)) == 100);
      CHECK(s.end_fetch_literal() == errc::local_state);  // octets missing
      CHECK(s.fetch_data(header.substr(100) + "extra") == 242);
      REQUIRE(s.end_fetch_literal() == errc::ok);
      REQUIRE(s.ok() == errc::ok);
    }
  };
  const run_result r = run_every_chunking(o, in, host);
  const std::string expected =
      lines({"* OK IMAP4rev1 Service Ready", "a001 OK LOGIN completed", "* 18 EXISTS",
             "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", "* 2 RECENT",
             "* OK [UNSEEN 17] Message 17 is the first unseen message", "* OK [UIDVALIDITY 3857529045] UIDs valid",
             "a002 OK [READ-WRITE] SELECT completed", "* 12 FETCH (BODY[HEADER] {342}"}) +
      header + lines({")", "a004 OK FETCH completed", "* BYE IMAP4rev1 server terminating connection",
                      "a006 OK LOGOUT completed"});
  CHECK(r.output == expected);
}

TEST_CASE("imap server: greeting, CAPABILITY, NOOP and LOGOUT answered by the session", "[imap][imap-server]") {
  server_options o;
  o.auth_mechanisms = "PLAIN SCRAM-SHA-256";
  o.tls_available = true;
  o.append_limit = 35651584;
  o.compress = true;
  const run_result r = run_every_chunking(o, "c1 CAPABILITY\r\nc2 NOOP\r\nc3 LOGOUT\r\nc4 NOOP\r\n", ok_host);
  const std::string caps =
      "IMAP4rev1 IMAP4rev2 STARTTLS AUTH=PLAIN AUTH=SCRAM-SHA-256 SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT "
      "COMPRESS=DEFLATE APPENDLIMIT=35651584";
  CHECK(r.output == lines({"* OK [CAPABILITY " + caps + "] IMAP server ready", "* CAPABILITY " + caps,
                           "c1 OK CAPABILITY completed", "c2 OK NOOP completed", "* BYE Logging out",
                           "c3 OK LOGOUT completed"}));
  CHECK(r.kinds == std::vector<server_event_kind>{server_event_kind::logout});
  // After login: no STARTTLS / AUTH= / SASL-IR.
  const run_result a = run(o, "a LOGIN u p\r\nb CAPABILITY\r\n", ok_host);
  CHECK(a.output.find("a OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE") != std::string::npos);
  CHECK(a.output.find("* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE") != std::string::npos);
}

TEST_CASE("imap server: state rules of the command table", "[imap][imap-server]") {
  server_options o = plain_options();
  o.greeting = "hi";
  const run_result r = run_every_chunking(o,
                                          "a FETCH 1 FLAGS\r\nb SELECT INBOX\r\nc ENABLE CONDSTORE\r\nd FOO\r\n"
                                          "e LOGIN u p\r\nf LOGIN u p\r\ng FETCH 1 FLAGS\r\nh ENABLE X\r\n"
                                          "i SELECT INBOX\r\nj ENABLE CONDSTORE\r\nk STARTTLS\r\nl UID FETCH 1 UID\r\n"
                                          "m CHECK\r\nn close\r\no FETCH 1 FLAGS\r\n",
                                          ok_host);
  CHECK(r.output ==
        lines({"* OK hi", "a BAD Not authenticated", "b BAD Not authenticated", "c BAD Not authenticated",
               "d BAD Unknown command", "e OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ENABLE IDLE ID UNSELECT] Logged in",
               "f BAD Already authenticated", "g BAD No mailbox selected", "* ENABLED", "h OK ENABLE completed",
               "* 18 EXISTS", "* 0 RECENT", "* OK [UIDVALIDITY 1] UIDs valid", "* OK [UIDNEXT 200] Predicted next UID",
               "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
               "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Limited",
               "i OK [READ-WRITE] SELECT completed", "j BAD ENABLE is only valid in the authenticated state",
               "k BAD Unknown command", "l OK UID FETCH completed", "m OK CHECK completed", "n OK CLOSE completed",
               "o BAD No mailbox selected"}));
  server_session s(o);
  CHECK(s.state() == server_state::not_authenticated);
}

TEST_CASE("imap server: parse errors are tagged BAD, untagged without a tag", "[imap][imap-server]") {
  const run_result r = run(plain_options(), "a1 FETCH\r\n+ NOOP\r\n\r\na2 LOGIN \"u\r\n", ok_host);
  CHECK(r.output == lines({"* OK IMAP server ready", "a1 BAD Syntax error in command arguments", "* BAD Invalid tag",
                           "* BAD Invalid tag", "a2 BAD Invalid quoted string"}));
}

TEST_CASE("imap server: MSNs over the mailbox size are BAD (RFC 9051 section 9)", "[imap][imap-server]") {
  const run_result r = run(plain_options(), "a LOGIN u p\r\nb SELECT INBOX\r\nc FETCH 19 FLAGS\r\nd STORE 1:* +FLAGS x\r\n"
                                            "e UID FETCH 1000 FLAGS\r\n", ok_host);
  CHECK(r.output.find("c BAD Invalid message sequence number\r\n") != std::string::npos);
  CHECK(r.output.find("d OK STORE completed\r\n") != std::string::npos);
  CHECK(r.output.find("e OK UID FETCH completed\r\n") != std::string::npos);
}

TEST_CASE("imap server: LOGIN refused counts toward max_errors", "[imap][imap-server]") {
  server_options o = plain_options();
  o.max_errors = 3;
  const host_fn host = [](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::login) REQUIRE(s.reject_login() == errc::ok);
  };
  const run_result r = run(o, "a LOGIN u p\r\nb LOGIN u p\r\nc LOGIN u p\r\nd LOGIN u p\r\n", host);
  CHECK(r.output == lines({"* OK IMAP server ready", "a NO [AUTHENTICATIONFAILED] Authentication failed",
                           "b NO [AUTHENTICATIONFAILED] Authentication failed",
                           "c NO [AUTHENTICATIONFAILED] Authentication failed", "* BYE Too many invalid commands"}));
  CHECK(r.error == errc::too_many_errors);
}

TEST_CASE("imap server: 10 BADs then BYE", "[imap][imap-server]") {
  std::string in;
  for (int k = 0; k < 12; ++k) in += "t" + std::to_string(k) + " BOGUS\r\n";
  const run_result r = run(plain_options(), in, ok_host);
  CHECK(r.error == errc::too_many_errors);
  CHECK(r.output.find("t9 BAD Unknown command\r\n* BYE Too many invalid commands\r\n") != std::string::npos);
  CHECK(r.output.find("t10") == std::string::npos);
}

TEST_CASE("imap server: AUTHENTICATE PLAIN with SASL-IR, a continuation, and cancel", "[imap][imap-server]") {
  server_options o = plain_options();
  o.auth_mechanisms = "PLAIN";
  std::vector<std::string> data;
  const host_fn host = [&](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::authenticate) {
      const auto& a = std::get<cmd_authenticate>(ev.command.args);
      CHECK(a.mechanism.text() == "PLAIN");
      data.emplace_back(ev.data);
      if (ev.data.empty()) REQUIRE(s.auth_challenge("") == errc::ok);
      else REQUIRE(s.accept_login("Logged in", false) == errc::ok);
    } else if (ev.kind == server_event_kind::auth_response) {
      data.emplace_back(ev.data);
      REQUIRE(s.accept_login("Logged in", false) == errc::ok);
    } else if (ev.kind == server_event_kind::command) {
      REQUIRE(s.ok() == errc::ok);
    }
  };
  const run_result ir = run_every_chunking(o, "a AUTHENTICATE PLAIN AHVzZXIAcGFzcw==\r\n", host);
  CHECK(ir.output == lines({"* OK IMAP server ready", "a OK Logged in"}));
  CHECK(data.back() == "AHVzZXIAcGFzcw==");
  data.clear();
  const run_result cont = run_every_chunking(o, "a AUTHENTICATE PLAIN\r\nAHVzZXIAcGFzcw==\r\nb NOOP\r\n", host);
  CHECK(cont.output == lines({"* OK IMAP server ready", "+ ", "a OK Logged in", "b OK NOOP completed"}));
  CHECK(data.back() == "AHVzZXIAcGFzcw==");
  const run_result cancel = run(o, "a AUTHENTICATE PLAIN\r\n*\r\nb AUTHENTICATE X\r\nc AUTHENTICATE PLAIN\r\n%%\r\n", host);
  CHECK(cancel.output == lines({"* OK IMAP server ready", "+ ", "a BAD Authentication cancelled",
                                "b NO Unsupported authentication mechanism", "+ ", "c BAD Invalid base64 data"}));
}

TEST_CASE("imap server: STARTTLS injection is fatal, nothing interpreted", "[imap][imap-server]") {
  server_options o = plain_options();
  o.tls_available = true;
  int logins = 0;
  const host_fn host = [&](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::login) ++logins, (void)s.accept_login();
  };
  // The same read: the session refuses before answering OK.
  const run_result r = run(o, "a STARTTLS\r\nb LOGIN u p\r\n", host);
  CHECK(r.error == errc::input_before_tls);
  CHECK(r.output == lines({"* OK IMAP server ready", "* BYE Data after STARTTLS before the TLS handshake"}));
  CHECK(logins == 0);
  // A later read before tls_started(): fatal too.
  server_session s(o);
  REQUIRE(s.receive("a STARTTLS\r\n") == 12);
  REQUIRE(s.next_event() == status::event);
  CHECK(s.event().kind == server_event_kind::starttls);
  CHECK(s.next_event() == status::paused);
  CHECK(s.receive("b LOGIN u p\r\n") == 0);
  CHECK(s.next_event() == status::error);
  CHECK(s.error() == errc::input_before_tls);
  // The clean path.
  server_session t(o);
  REQUIRE(t.receive("a STARTTLS\r\n") == 12);
  REQUIRE(t.next_event() == status::event);
  CHECK(t.output().find("a OK Begin TLS negotiation now\r\n") != std::string::npos);
  REQUIRE(t.tls_started() == errc::ok);
  CHECK(t.tls_active());
  CHECK(t.capabilities().find("STARTTLS") == std::string::npos);
  REQUIRE(t.receive("b STARTTLS\r\n") == 12);
  REQUIRE(t.next_event() == status::event);
  CHECK(t.event().kind == server_event_kind::command_error);
  CHECK(t.output().find("b BAD TLS is already active\r\n") != std::string::npos);
}

TEST_CASE("imap server: LOGINDISABLED without TLS", "[imap][imap-server]") {
  server_options o = plain_options();
  o.tls_available = true;
  o.login_requires_tls = true;
  o.auth_mechanisms = "PLAIN";
  const run_result r = run(o, "a CAPABILITY\r\nb LOGIN u p\r\nc AUTHENTICATE PLAIN\r\n", ok_host);
  CHECK(r.output == lines({"* OK IMAP server ready", "* CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED LITERAL+ ENABLE IDLE ID UNSELECT",
                           "a OK CAPABILITY completed", "b NO [PRIVACYREQUIRED] Login disabled without TLS",
                           "c NO [PRIVACYREQUIRED] Login disabled without TLS"}));
  server_session s(o);
  REQUIRE(s.receive("a STARTTLS\r\n") == 12);
  REQUIRE(s.next_event() == status::event);
  REQUIRE(s.tls_started() == errc::ok);
  CHECK(s.capabilities() == "IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR LITERAL+ ENABLE IDLE ID UNSELECT");
}

TEST_CASE("imap server: synchronizing literal continuation and LITERAL+", "[imap][imap-server]") {
  std::string user;
  const host_fn host = [&](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::login) {
      user = std::get<cmd_login>(ev.command.args).user.content();
      (void)s.accept_login("ok", false);
    }
  };
  const run_result r = run_every_chunking(plain_options(), "a LOGIN {4}\r\nfred {3}\r\nabc\r\n", host);
  CHECK(r.output == lines({"* OK IMAP server ready", "+ Ready for literal data", "+ Ready for literal data", "a OK ok"}));
  CHECK(user == "fred");
  const run_result p = run_every_chunking(plain_options(), "a LOGIN {4+}\r\nfred {3+}\r\nabc\r\n", host);
  CHECK(p.output == lines({"* OK IMAP server ready", "a OK ok"}));
  // A literal for a command that takes none, and one over the before-login limit: BAD at once.
  const run_result n = run(plain_options(), "a NOOP {4}\r\nb LOGIN {9000}\r\nc NOOP\r\n", host);
  CHECK(n.output == lines({"* OK IMAP server ready", "a BAD Syntax error in command arguments",
                           "b BAD [TOOBIG] Literal too large", "c OK NOOP completed"}));
  // A refused non-synchronizing literal, then a synchronizing one in the same command: the
  // command ends there (no "+"), answered once.
  const run_result t = run_every_chunking(plain_options(), "a NOOP {3+}\r\nabc {2}\r\nb NOOP\r\n", host);
  CHECK(t.output == lines({"* OK IMAP server ready", "a BAD Syntax error in command arguments", "b OK NOOP completed"}));
  // LITERAL- (RFC 7888 section 4): a non-synchronizing literal over 4096 octets.
  server_options m = plain_options();
  m.literals = non_sync_literals::literal_minus;
  const run_result big = run(m, "a LOGIN {5000+}\r\n" + std::string(5000, 'x') + " p\r\nb NOOP\r\n", host);
  CHECK(big.output == lines({"* OK IMAP server ready", "a BAD [TOOBIG] Non-synchronizing literal over 4096 octets",
                             "b OK NOOP completed"}));
}

TEST_CASE("imap server: APPEND of 5 MB streamed in chunks, bounded memory", "[imap][imap-server]") {
  server_options o = plain_options();
  o.uidplus = true;
  std::uint64_t got = 0, begins = 0, ends = 0, appended = 0;
  std::uint64_t sum = 0, expect_sum = 0;
  const std::size_t big = 5u << 20;
  std::string body;
  body.reserve(big);
  for (std::size_t i = 0; i < big; ++i) body.push_back(static_cast<char>('a' + i % 23));
  for (const char c : body) expect_sum = expect_sum * 31 + static_cast<unsigned char>(c);
  const host_fn host = [&](server_session& s, const server_event& ev) {
    switch (ev.kind) {
      case server_event_kind::login: (void)s.accept_login(); break;
      case server_event_kind::append_begin:
        ++begins;
        CHECK(ev.mbox.is_inbox());
        CHECK(ev.size == big);
        CHECK(ev.has_flags);
        CHECK(ev.flags.raw() == "(\\Seen)");
        break;
      case server_event_kind::append_data:
        got += ev.data.size();
        for (const char c : ev.data) sum = sum * 31 + static_cast<unsigned char>(c);
        break;
      case server_event_kind::append_end: ++ends; break;
      case server_event_kind::command:
        if (ev.command.kind != command_kind::append) {
          REQUIRE(s.ok() == errc::ok);
          break;
        }
        ++appended;
        REQUIRE(s.ok("APPENDUID 38505 3955") == errc::ok);
        break;
      default: break;
    }
  };
  const std::string in = "a LOGIN u p\r\nb APPEND INBOX (\\Seen) {" + std::to_string(big) + "}\r\n" + body + "\r\nc NOOP\r\n";
  // Chunks of 64 KiB, as a socket would give them.
  std::vector<std::size_t> cuts;
  for (std::size_t c = 65536; c < in.size(); c += 65536) cuts.push_back(c);
  const run_result r = run(o, in, host, cuts);
  CHECK(got == big);
  CHECK(sum == expect_sum);
  CHECK(begins == 1);
  CHECK(ends == 1);
  CHECK(appended == 1);
  CHECK(r.output.find("+ Ready for literal data\r\nb OK [APPENDUID 38505 3955] APPEND completed\r\nc OK NOOP completed\r\n") !=
        std::string::npos);
  // Memory: the session's input holds at most input_buffer; the framer streams the literal.
  server_session s(o);
  CHECK(s.receive(in) == o.input_buffer);
}

TEST_CASE("imap server: MULTIAPPEND with inline literals, one path for the host", "[imap][imap-server]") {
  std::vector<std::string> log;
  const host_fn host = [&](server_session& s, const server_event& ev) {
    switch (ev.kind) {
      case server_event_kind::login: (void)s.accept_login(); break;
      case server_event_kind::append_begin:
        log.push_back("begin " + std::to_string(ev.index) + " " + ev.mbox.name().content() + " " +
                      std::string(ev.has_flags ? ev.flags.raw() : "-") + " " + std::to_string(ev.size));
        break;
      case server_event_kind::append_data: log.push_back("data " + std::string(ev.data)); break;
      case server_event_kind::append_end: log.push_back("end"); break;
      case server_event_kind::command:
        CHECK(std::get<cmd_append>(ev.command.args).messages.size() == 2);
        log.push_back("command");
        (void)s.ok();
        break;
      default: break;
    }
  };
  const run_result r = run_every_chunking(plain_options(), "a LOGIN u p\r\nb APPEND Drafts {5}\r\nhello (\\Draft) {3+}\r\nbye\r\n", host);
  CHECK(r.output.find("+ Ready for literal data\r\nb OK APPEND completed\r\n") != std::string::npos);
  log.clear();
  (void)run(plain_options(), "a LOGIN u p\r\nb APPEND Drafts {5}\r\nhello (\\Draft) {3+}\r\nbye\r\n", host);
  CHECK(log == std::vector<std::string>{"begin 0 Drafts - 5", "data hello", "end", "begin 1 Drafts (\\Draft) 3",
                                        "data bye", "end", "command"});
}

TEST_CASE("imap server: APPENDLIMIT refusal before the octets (RFC 7889)", "[imap][imap-server]") {
  server_options o = plain_options();
  o.append_limit = 1000;
  int data = 0;
  const host_fn host = [&](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::append_data || ev.kind == server_event_kind::append_begin) ++data;
    ok_host(s, ev);
  };
  const run_result r = run_every_chunking(o, "a LOGIN u p\r\nb APPEND INBOX {1001}\r\nc NOOP\r\n", host);
  CHECK(r.output.find("b NO [TOOBIG] Message over APPENDLIMIT\r\nc OK NOOP completed\r\n") != std::string::npos);
  CHECK(r.output.find("+ Ready") == std::string::npos);
  CHECK(data == 0);
  // Non-synchronizing: the octets are read and dropped, then NO [TOOBIG].
  const run_result p = run(o, "a LOGIN u p\r\nb APPEND INBOX {1001+}\r\n" + std::string(1001, 'x') + "\r\nc NOOP\r\n", host);
  CHECK(p.output.find("b NO [TOOBIG] Message over APPENDLIMIT\r\nc OK NOOP completed\r\n") != std::string::npos);
  CHECK(data == 0);
}

TEST_CASE("imap server: IDLE with pushed EXISTS and DONE, and a non-DONE line", "[imap][imap-server]") {
  const host_fn host = [&](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::idle_begin && ev.command.tag.text() == "c") {
      const std::uint32_t u = 500;
      REQUIRE(s.exists({&u, 1}) == errc::ok);
      REQUIRE(s.expunged(10) == errc::ok);  // allowed during IDLE
      return;
    }
    ok_host(s, ev);
  };
  const run_result r = run_every_chunking(plain_options(), "a LOGIN u p\r\nb SELECT INBOX\r\nc IDLE\r\nDONE\r\nd IDLE\r\nXYZ\r\ne NOOP\r\n", host);
  CHECK(r.output.find("c IDLE\r\n") == std::string::npos);
  CHECK(r.output.find("+ idling\r\n* 19 EXISTS\r\n* 1 EXPUNGE\r\nc OK IDLE terminated\r\n+ idling\r\nd BAD Expected DONE\r\ne OK NOOP completed\r\n") !=
        std::string::npos);
  server_session s(plain_options());
  (void)s.receive("a LOGIN u p\r\nb SELECT INBOX\r\nc IDLE\r\n");
  for (status st; (st = s.next_event()) == status::event;) {
    if (s.event().kind == server_event_kind::idle_begin) break;
    ok_host(s, s.event());
  }
  CHECK(s.state() == server_state::idling);
  const std::uint32_t u = 600;
  CHECK(s.exists({&u, 1}) == errc::ok);
  CHECK(s.map().size() == 19);
  CHECK(s.next_event() == status::need_more);
}

TEST_CASE("imap server: ENABLE rules (RFC 5161, RFC 9051 6.3.1)", "[imap][imap-server]") {
  server_options o = plain_options();
  o.condstore = true;
  o.qresync = true;
  o.utf8_accept = true;
  const run_result r = run(o, "a LOGIN u p\r\nb ENABLE QRESYNC X-UNKNOWN\r\nc ENABLE CONDSTORE QRESYNC UTF8=ACCEPT\r\n"
                              "d ENABLE IMAP4rev2\r\ne SELECT INBOX\r\nf ENABLE UTF8=ACCEPT\r\n", ok_host);
  CHECK(r.output.find("* ENABLED QRESYNC\r\nb OK ENABLE completed\r\n* ENABLED UTF8=ACCEPT\r\nc OK ENABLE completed\r\n"
                      "* ENABLED IMAP4rev2\r\nd OK ENABLE completed\r\n") != std::string::npos);
  // IMAP4rev2 forms: no RECENT / UNSEEN, a LIST; CONDSTORE (by QRESYNC): HIGHESTMODSEQ or NOMODSEQ.
  CHECK(r.output.find("RECENT") == std::string::npos);
  CHECK(r.output.find("* OK [NOMODSEQ]") != std::string::npos);
  CHECK(r.output.find("* LIST () \"/\" INBOX\r\n") != std::string::npos);
  CHECK(r.output.find("f BAD ENABLE is only valid in the authenticated state\r\n") != std::string::npos);
  server_session s(o);
  CHECK_FALSE(s.qresync_enabled());
  // Before login: BAD.
  const run_result b = run(o, "a ENABLE QRESYNC\r\n", ok_host);
  CHECK(b.output.find("a BAD Not authenticated") != std::string::npos);
}

TEST_CASE("imap server: expunges queued during FETCH, sent at an allowed point (RFC 9051 7.5.1)", "[imap][imap-server]") {
  int step = 0;
  const host_fn host = [&](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::command && ev.command.kind == command_kind::fetch && ev.command.tag.text() == "c") {
      // Another session expunged UID 20 (MSN 2) while we answer FETCH: MSNs must not move.
      REQUIRE(s.expunged(20) == errc::ok);
      CHECK(s.queued_expunges() == 1);
      CHECK(s.map().msn_of(30) == 3);
      limits lim;
      lim.authenticated = true;
      const auto p = parse_response("* 3 FETCH (UID 30)\r\n", nullptr, lim);
      REQUIRE(s.fetch(3, p.value.atts) == errc::ok);
      REQUIRE(s.ok() == errc::ok);
      CHECK(s.queued_expunges() == 1);
      CHECK_FALSE(s.flush());  // no command in progress: still not allowed
      ++step;
      return;
    }
    ok_host(s, ev);
  };
  const run_result r = run(plain_options(), "a LOGIN u p\r\nb SELECT INBOX\r\nc FETCH 3 UID\r\nd STORE 3 +FLAGS (x)\r\ne NOOP\r\nf FETCH 2 UID\r\n", host);
  CHECK(step == 1);
  CHECK(r.output.find("* 3 FETCH (UID 30)\r\nc OK FETCH completed\r\nd OK STORE completed\r\n* 2 EXPUNGE\r\ne OK NOOP completed\r\n") !=
        std::string::npos);
  // After the EXPUNGE, MSN 2 is UID 30.
  CHECK(r.output.find("f OK FETCH completed") != std::string::npos);
}

TEST_CASE("imap server: QRESYNC gives VANISHED instead of EXPUNGE", "[imap][imap-server]") {
  server_options o = plain_options();
  o.condstore = true;
  o.qresync = true;
  const host_fn host = [&](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::command && ev.command.kind == command_kind::noop) {
      for (std::uint32_t u : {40u, 20u, 30u, 90u, 999u}) REQUIRE(s.expunged(u) == errc::ok);
      CHECK(s.map().size() == 14);
      (void)s.ok();
      return;
    }
    ok_host(s, ev);
  };
  const run_result r = run(o, "a LOGIN u p\r\nb ENABLE QRESYNC\r\nc SELECT INBOX\r\nd NOOP\r\ne SELECT INBOX\r\n", host);
  CHECK(r.output.find("c OK [READ-WRITE] SELECT completed\r\n* VANISHED 20,30,40,90\r\nd OK NOOP completed\r\n") != std::string::npos);
  // Selecting again: the previous mailbox is closed first (RFC 7162 section 3.2.11).
  CHECK(r.output.find("d OK NOOP completed\r\n* OK [CLOSED] Previous mailbox closed\r\n* 18 EXISTS") != std::string::npos);
}

TEST_CASE("imap server: QRESYNC collects the expunges queued during FETCH into one VANISHED", "[imap][imap-server]") {
  server_options o = plain_options();
  o.condstore = true;
  o.qresync = true;
  const host_fn host = [&](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::command && ev.command.kind == command_kind::fetch) {
      for (std::uint32_t u : {40u, 20u, 30u, 90u}) REQUIRE(s.expunged(u) == errc::ok);
      (void)s.ok();
      return;
    }
    ok_host(s, ev);
  };
  const run_result r = run(o, "a LOGIN u p\r\nb ENABLE QRESYNC\r\nc SELECT INBOX\r\nd FETCH 1 UID\r\ne NOOP\r\n", host);
  CHECK(r.output.find("d OK FETCH completed\r\n* VANISHED 20,30,40,90\r\ne OK NOOP completed\r\n") != std::string::npos);
}

TEST_CASE("imap server: COMPRESS boundary, the rest is handed back", "[imap][imap-server]") {
  server_options o = plain_options();
  o.compress = true;
  server_session s(o);
  const std::string in = "a LOGIN u p\r\nb COMPRESS DEFLATE\r\n\x78\x9c compressed";
  REQUIRE(s.receive(in) == in.size());
  REQUIRE(s.next_event() == status::event);
  REQUIRE(s.accept_login() == errc::ok);
  REQUIRE(s.next_event() == status::event);
  CHECK(s.event().kind == server_event_kind::compress);
  CHECK(std::string(s.output()).find("b OK DEFLATE active\r\n") != std::string::npos);
  CHECK(s.state() == server_state::compress_pending);
  CHECK(s.next_event() == status::paused);
  CHECK(s.receive("more") == 0);
  CHECK(s.compression_started() == errc::local_state);  // the leftover first
  CHECK(s.take_leftover() == "\x78\x9c compressed");
  REQUIRE(s.compression_started() == errc::ok);
  CHECK(s.compression_active());
  REQUIRE(s.receive("c COMPRESS DEFLATE\r\n") == 20);
  REQUIRE(s.next_event() == status::event);
  CHECK(std::string(s.output()).find("c NO [COMPRESSIONACTIVE] Compression already active\r\n") != std::string::npos);
}

TEST_CASE("imap server: limits before login", "[imap][imap-server]") {
  // A line over 8 KiB: BAD [TOOBIG], the line is dropped, the session goes on.
  const run_result l = run(plain_options(), "a LOGIN " + std::string(9000, 'x') + " p\r\nb NOOP\r\n", ok_host);
  CHECK(l.output == lines({"* OK IMAP server ready", "a BAD [TOOBIG] Command line too long", "b OK NOOP completed"}));
  // A 100 MB literal announced before login: refused before any octet.
  const run_result big = run(plain_options(), "a LOGIN {104857600}\r\nb NOOP\r\n", ok_host);
  CHECK(big.output == lines({"* OK IMAP server ready", "a BAD [TOOBIG] Literal too large", "b OK NOOP completed"}));
  // Non-synchronizing: the session ends.
  const run_result nb = run(plain_options(), "a LOGIN {104857600+}\r\nxxxx", ok_host);
  CHECK(nb.error == errc::literal_too_large);
  // Nested parentheses before login: nesting 1.
  std::string nested = "a ID ";
  for (int k = 0; k < 10000; ++k) nested += '(';
  const run_result n = run(plain_options(), nested + "\r\nb NOOP\r\n", ok_host);
  CHECK(n.output.find("a BAD") != std::string::npos);
  CHECK(n.output.find("b OK NOOP completed") != std::string::npos);
}

TEST_CASE("imap server: an HTTP request line ends the session", "[imap][imap-server]") {
  const run_result r = run(plain_options(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", ok_host);
  CHECK(r.error == errc::http_request);
  CHECK(r.output == lines({"* OK IMAP server ready", "* BYE This is an IMAP server"}));
}

TEST_CASE("imap server: output over max_output pauses, pipelined input stays bounded", "[imap][imap-server]") {
  server_options o = plain_options();
  o.max_output = 200;
  o.input_buffer = 100;
  server_session s(o);
  std::string in;
  for (int k = 0; k < 50; ++k) in += "c CAPABILITY\r\n";
  std::size_t taken = s.receive(in);
  CHECK(taken == 100);
  status st = status::event;
  int n = 0;
  while ((st = s.next_event()) == status::event) ++n;
  CHECK(st == status::paused);
  CHECK(s.output().size() >= 200);
  CHECK(s.output().size() < 400);
  s.consume_output(s.output().size());
  CHECK(s.next_event() != status::error);
}

TEST_CASE("imap server: host misuse is local_state, reset() starts over", "[imap][imap-server]") {
  server_session s(plain_options());
  CHECK(s.ok() == errc::local_state);
  CHECK(s.accept_login() == errc::local_state);
  CHECK(s.expunged(1) == errc::local_state);
  REQUIRE(s.receive("a LOGIN u p\r\n") == 13);
  REQUIRE(s.next_event() == status::event);
  CHECK(s.next_event() == status::paused);
  CHECK(s.ok() == errc::local_state);
  CHECK(s.accept_login("bad\r\ntext") == errc::local_invalid_value);
  REQUIRE(s.accept_login() == errc::ok);
  CHECK(s.state() == server_state::authenticated);
  s.reset();
  CHECK(s.state() == server_state::not_authenticated);
  CHECK(s.output() == "* OK IMAP server ready\r\n");
}

TEST_CASE("imap server: select_begin writes the RFC 3501 / RFC 9051 responses", "[imap][imap-server]") {
  server_options o = plain_options();
  o.condstore = true;
  o.objectid = true;
  const std::vector<std::uint32_t> uids{4, 9};
  const host_fn host = [&](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::login) {
      (void)s.accept_login("ok", false);
    } else if (ev.kind == server_event_kind::command && (ev.command.kind == command_kind::select ||
                                                          ev.command.kind == command_kind::examine)) {
      select_info i;
      i.uids = uids;
      i.uidvalidity = 3857529045u;
      i.uidnext = 4392;
      i.recent = 1;
      i.first_unseen = 2;
      i.highest_modseq = 715194045007ull;
      i.mailbox_id = "F2212ea87-6097-4256-9d51-71338625";
      CHECK(s.ok() == errc::local_state);  // select_begin first
      i.flags = "(\\Seen";
      CHECK(s.select_begin(i) == errc::local_invalid_value);
      i.flags = "(\\Answered \\Seen)";
      REQUIRE(s.select_begin(i) == errc::ok);
      CHECK(s.select_begin(i) == errc::local_state);
      REQUIRE(s.ok() == errc::ok);
    } else if (ev.kind == server_event_kind::command && ev.command.kind == command_kind::append) {
      REQUIRE(s.no("TRYCREATE", "No such mailbox") == errc::ok);
    } else if (ev.kind == server_event_kind::command) {
      REQUIRE(s.ok() == errc::ok);
    }
  };
  const run_result r = run_every_chunking(o, "a LOGIN u p\r\nb SELECT INBOX (CONDSTORE)\r\nc EXAMINE Lists\r\n"
                                             "d ENABLE IMAP4rev2\r\ne APPEND Nope {1+}\r\nx\r\n", host);
  CHECK(r.output ==
        lines({"* OK IMAP server ready", "a OK ok", "* 2 EXISTS", "* 1 RECENT", "* OK [UNSEEN 2] First unseen",
               "* OK [UIDVALIDITY 3857529045] UIDs valid", "* OK [UIDNEXT 4392] Predicted next UID",
               "* FLAGS (\\Answered \\Seen)",
               "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Limited",
               "* OK [HIGHESTMODSEQ 715194045007] Highest", "* OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok",
               "b OK [READ-WRITE] SELECT completed", "* OK [CLOSED] Previous mailbox closed", "* 2 EXISTS", "* 1 RECENT",
               "* OK [UNSEEN 2] First unseen", "* OK [UIDVALIDITY 3857529045] UIDs valid",
               "* OK [UIDNEXT 4392] Predicted next UID", "* FLAGS (\\Answered \\Seen)",
               "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Limited",
               "* OK [HIGHESTMODSEQ 715194045007] Highest", "* OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok",
               "c OK [READ-ONLY] EXAMINE completed", "d BAD ENABLE is only valid in the authenticated state",
               "e NO [TRYCREATE] No such mailbox"}));
}
