// Tests of mailwire/pop3/server.hpp: the RFC 1939 section 10 transcript (APOP, STAT, LIST, RETR,
// DELE, QUIT with UPDATE), USER/PASS, AUTH with a SASL exchange, streamed RETR/TOP with dot
// stuffing, pipelining in every split of the input, message numbers checked (deleted, past the
// maildrop, huge), the STLS boundary, limits and fatal errors.
#include <catch2/catch.hpp>

#include <mailwire/pop3/server.hpp>

#include <string>
#include <vector>

namespace pop3 = mailwire::pop3;
using mailwire::status;
using pop3::errc;
using K = pop3::server_event_kind;

namespace {

const std::vector<std::string> maildrop = {
    "From: a\r\n\r\nfirst message\r\n",
    "From: b\r\n\r\n.starts with a dot\r\n..two\r\n.\r\nend",
};

/// A host with the maildrop above; user "mrose" password "tanstaaf".
struct host {
  std::vector<K> events;
  std::vector<std::uint32_t> removed;
  std::size_t chunk = 5;  // body bytes per body() call

  /// Handles events until need_more (or error); returns the last status.
  status run(pop3::server_session& s) {
    for (;;) {
      const status st = s.next_event();
      if (st != status::event) return st;
      const auto& ev = s.event();
      events.push_back(ev.kind);
      switch (ev.kind) {
        case K::login:
          if (ev.user == "mrose" && ev.command.secret == "tanstaaf") REQUIRE(s.accept_login(2) == errc::ok);
          else REQUIRE(s.reject() == errc::ok);
          break;
        case K::apop:
          // The digest is the host's business (MD5 of timestamp + secret): checked by value here.
          if (ev.command.digest == "c4c9334bac560ecc979e58001b3e22fb") REQUIRE(s.accept_login(2) == errc::ok);
          else REQUIRE(s.reject() == errc::ok);
          break;
        case K::auth:
          REQUIRE(s.auth_challenge("") == errc::ok);
          break;
        case K::auth_response:
          if (ev.data == "AG1yb3NlAHRhbnN0YWFm") REQUIRE(s.accept_login(2) == errc::ok);
          else REQUIRE(s.reject() == errc::ok);
          break;
        case K::stat: {
          std::uint64_t n = 0, octets = 0;
          for (std::uint32_t i = 1; i <= 2; ++i)
            if (!s.is_deleted(i)) ++n, octets += size(i);
          REQUIRE(s.ok(std::to_string(n) + " " + std::to_string(octets)) == errc::ok);
          break;
        }
        case K::list:
        case K::uidl: {
          auto item = [&](std::uint32_t i) {
            return std::to_string(i) + " " + (ev.kind == K::list ? std::to_string(size(i)) : "uid" + std::to_string(i));
          };
          if (ev.command.message != 0) {
            REQUIRE(s.ok(item(ev.command.message)) == errc::ok);
          } else {
            REQUIRE(s.begin_body() == errc::ok);
            for (std::uint32_t i = 1; i <= 2; ++i)
              if (!s.is_deleted(i)) REQUIRE(s.body(item(i) + "\r\n") == item(i).size() + 2);
            REQUIRE(s.end_body() == errc::ok);
          }
          break;
        }
        case K::retr:
        case K::top: {
          REQUIRE(s.begin_body(std::to_string(size(ev.command.message)) + " octets") == errc::ok);
          std::string_view m = maildrop[ev.command.message - 1];
          if (ev.kind == K::top) m = m.substr(0, m.find("\r\n\r\n") + 4);  // headers (lines = 0)
          while (!m.empty()) {
            const std::size_t n = s.body(m.substr(0, chunk));
            REQUIRE(n > 0);
            m.remove_prefix(n);
          }
          REQUIRE(s.end_body() == errc::ok);
          break;
        }
        case K::update:
          removed = s.deleted_messages();
          REQUIRE(s.accept() == errc::ok);
          break;
        default: break;
      }
    }
  }
  static std::uint64_t size(std::uint32_t i) { return maildrop[i - 1].size(); }
};

/// Feeds `input` in pieces of `piece` bytes (0: whole) and returns all output.
std::string session(pop3::server_session& s, host& h, std::string_view input, std::size_t piece = 0) {
  std::string out = s.take_output();
  if (piece == 0) piece = input.size() + 1;
  while (!input.empty()) {
    const std::size_t n = s.receive(input.substr(0, std::min(piece, input.size())));
    input.remove_prefix(n);
    h.run(s);
    out += s.take_output();
    if (n == 0) break;
  }
  h.run(s);
  out += s.take_output();
  return out;
}

pop3::server_options apop_options() {
  pop3::server_options o;
  o.greeting = "POP3 server ready";
  o.apop_timestamp = "<1896.697170952@dbc.mtview.ca.us>";
  return o;
}

}  // namespace

TEST_CASE("pop3 server: RFC 1939 section 10 transcript in every split", "[pop3][server]") {
  const std::string client =
      "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\nRETR 2\r\nDELE 2\r\nQUIT\r\n";
  const std::string expected =
      "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"
      "+OK maildrop locked and ready\r\n"
      "+OK 2 " + std::to_string(host::size(1) + host::size(2)) + "\r\n"
      "+OK\r\n1 " + std::to_string(host::size(1)) + "\r\n2 " + std::to_string(host::size(2)) + "\r\n.\r\n"
      "+OK " + std::to_string(host::size(1)) + " octets\r\nFrom: a\r\n\r\nfirst message\r\n.\r\n"
      "+OK message deleted\r\n"
      "+OK " + std::to_string(host::size(2)) + " octets\r\nFrom: b\r\n\r\n..starts with a dot\r\n...two\r\n..\r\nend\r\n.\r\n"
      "+OK message deleted\r\n"
      "+OK POP3 server signing off\r\n";
  for (std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{50}}) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{5}, std::size_t{1000}}) {
      INFO("piece " << piece << " chunk " << chunk);
      pop3::server_session s(apop_options());
      host h;
      h.chunk = chunk;
      CHECK(session(s, h, client, piece) == expected);
      CHECK(s.closed());
      CHECK(h.removed == std::vector<std::uint32_t>{1, 2});
    }
  }
}

TEST_CASE("pop3 server: USER/PASS, wrong password, numbers checked, RSET", "[pop3][server]") {
  pop3::server_options o;
  o.max_errors = 0;  // ten refusals below; the limit has its own test
  pop3::server_session s(o);
  host h;
  const std::string out = session(s, h,
      "STAT\r\nUSER mrose\r\nPASS wrong\r\nPASS tanstaaf\r\nUSER mrose\r\nPASS the secret\r\n"
      "USER mrose\r\nPASS tanstaaf\r\nRETR 3\r\nRETR 0\r\nRETR 99999999999\r\nDELE 1\r\nRETR 1\r\nLIST 1\r\n"
      "LIST\r\nRSET\r\nLIST 1\r\nUIDL\r\nTOP 2 0\r\nUSER x\r\nNOOP\r\nQUIT\r\n");
  CHECK(out ==
        "+OK POP3 server ready\r\n"
        "-ERR Command not valid in this state\r\n"
        "+OK\r\n-ERR [AUTH] Authentication failed\r\n"
        "-ERR Command not valid in this state\r\n"   // PASS needs a USER first again
        "+OK\r\n-ERR [AUTH] Authentication failed\r\n"
        "+OK\r\n+OK maildrop locked and ready\r\n"
        "-ERR No such message\r\n-ERR Invalid message number\r\n-ERR Number too large\r\n"
        "+OK message deleted\r\n-ERR No such message\r\n-ERR No such message\r\n"
        "+OK\r\n2 " + std::to_string(host::size(2)) + "\r\n.\r\n"
        "+OK\r\n+OK 1 " + std::to_string(host::size(1)) + "\r\n"
        "+OK\r\n1 uid1\r\n2 uid2\r\n.\r\n"
        "+OK " + std::to_string(host::size(2)) + " octets\r\nFrom: b\r\n\r\n.\r\n"
        "-ERR Command not valid in this state\r\n+OK\r\n"
        "+OK POP3 server signing off\r\n");
  CHECK(h.removed.empty());  // RSET undid DELE 1
}

TEST_CASE("pop3 server: AUTH PLAIN with an exchange, and cancelled", "[pop3][server]") {
  pop3::server_options o;
  o.sasl_mechanisms = "PLAIN";
  pop3::server_session s(o);
  host h;
  const std::string out = session(s, h,
      "AUTH CRAM-MD5\r\nAUTH PLAIN\r\n*\r\nAUTH PLAIN\r\nAG1yb3NlAHRhbnN0YWFm\r\nSTAT\r\nQUIT\r\n");
  CHECK(out ==
        "+OK POP3 server ready\r\n"
        "-ERR Unrecognized authentication type\r\n"
        "+ \r\n-ERR Authentication cancelled\r\n"
        "+ \r\n+OK maildrop locked and ready\r\n"
        "+OK 2 " + std::to_string(host::size(1) + host::size(2)) + "\r\n"
        "+OK POP3 server signing off\r\n");
}

TEST_CASE("pop3 server: CAPA lists what is offered", "[pop3][server]") {
  pop3::server_options o;
  o.sasl_mechanisms = "PLAIN LOGIN";
  o.tls_available = true;
  o.login_requires_tls = true;
  o.implementation = "mailwire";
  pop3::server_session s(o);
  host h;
  CHECK(session(s, h, "CAPA\r\nUSER a\r\n") ==
        "+OK POP3 server ready\r\n+OK Capability list follows\r\nSTLS\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n"
        "AUTH-RESP-CODE\r\nPIPELINING\r\nIMPLEMENTATION mailwire\r\n.\r\n"
        "-ERR [AUTH] USER not offered here\r\n");
  o.tls_active = true;
  pop3::server_session t(o);
  CHECK(session(t, h, "CAPA\r\n") ==
        "+OK POP3 server ready\r\n+OK Capability list follows\r\nUSER\r\nSASL PLAIN LOGIN\r\nTOP\r\nUIDL\r\n"
        "RESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nIMPLEMENTATION mailwire\r\n.\r\n");
}

TEST_CASE("pop3 server: STLS boundary", "[pop3][server]") {
  pop3::server_options o;
  o.tls_available = true;
  {
    pop3::server_session s(o);
    host h;
    CHECK(session(s, h, "STLS\r\n") == "+OK POP3 server ready\r\n+OK Begin TLS negotiation\r\n");
    CHECK(s.next_event() == status::paused);
    REQUIRE(s.tls_started() == errc::ok);
    CHECK(s.tls_active());
    CHECK(session(s, h, "STLS\r\nUSER mrose\r\nPASS tanstaaf\r\nQUIT\r\n") ==
          "-ERR TLS not available\r\n+OK\r\n+OK maildrop locked and ready\r\n+OK POP3 server signing off\r\n");
  }
  {
    // Plaintext injection: bytes after STLS in the same packet are never interpreted.
    pop3::server_session s(o);
    host h;
    CHECK(session(s, h, "STLS\r\nUSER evil\r\n") == "+OK POP3 server ready\r\n+OK Begin TLS negotiation\r\n");
    REQUIRE(s.tls_started() == errc::ok);
    CHECK(s.next_event() == status::error);
    CHECK(s.error() == errc::input_before_tls);
    CHECK(s.take_output().empty());
    CHECK(h.events == std::vector<K>{K::starttls});
  }
  {
    // Bytes that arrive later, before the handshake, too.
    pop3::server_session s(o);
    host h;
    (void)session(s, h, "STLS\r\n");
    CHECK(s.receive("CAPA\r\n") == 6);
    CHECK(s.next_event() == status::paused);
    REQUIRE(s.tls_started() == errc::ok);
    CHECK(s.error() == errc::input_before_tls);
  }
}

TEST_CASE("pop3 server: limits and fatal errors", "[pop3][server]") {
  {
    pop3::server_session s;
    host h;
    const std::string flood(100000, 'A');
    const std::string out = session(s, h, flood);
    CHECK(s.error() == errc::line_too_long);
    CHECK(out == "+OK POP3 server ready\r\n-ERR Line too long\r\n");
    CHECK(s.receive("QUIT\r\n") == 0);
  }
  {
    pop3::server_session s;
    host h;
    CHECK(session(s, h, "GET / HTTP/1.1\r\n") == "+OK POP3 server ready\r\n-ERR This is a POP3 server, closing connection\r\n");
    CHECK(s.error() == errc::http_command);
  }
  {
    pop3::server_options o;
    o.max_errors = 3;
    pop3::server_session s(o);
    host h;
    CHECK(session(s, h, "XYZ\r\nSTAT\r\nRETR\r\nNOOP\r\n") ==
          "+OK POP3 server ready\r\n-ERR Command unrecognized\r\n-ERR Command not valid in this state\r\n"
          "-ERR Syntax error, missing argument\r\n-ERR Too many errors, closing connection\r\n");
    CHECK(s.error() == errc::too_many_errors);
  }
  {  // failed logins count too: password guessing ends with the session
    pop3::server_options o;
    o.max_errors = 2;
    pop3::server_session s(o);
    host h;
    CHECK(session(s, h, "USER mrose\r\nPASS a\r\nUSER mrose\r\nPASS b\r\nUSER mrose\r\nPASS tanstaaf\r\n") ==
          "+OK POP3 server ready\r\n+OK\r\n-ERR [AUTH] Authentication failed\r\n+OK\r\n"
          "-ERR [AUTH] Authentication failed\r\n-ERR Too many errors, closing connection\r\n");
    CHECK(s.error() == errc::too_many_errors);
    CHECK_FALSE(s.in_transaction());
  }
  {
    pop3::server_session s;
    host h;
    CHECK(session(s, h, "USER a\nQUIT\r\n") == "+OK POP3 server ready\r\n-ERR Bare LF is not allowed\r\n+OK POP3 server signing off\r\n");
  }
}

TEST_CASE("pop3 server: host misuse is local_state", "[pop3][server]") {
  pop3::server_session s;
  CHECK(s.accept_login(1) == errc::local_state);
  CHECK(s.ok("x") == errc::local_state);
  CHECK(s.begin_body() == errc::local_state);
  CHECK(s.end_body() == errc::local_state);
  CHECK(s.body("x") == 0);
  CHECK(s.auth_challenge("") == errc::local_state);
  CHECK(s.tls_started() == errc::local_state);
  CHECK(s.accept() == errc::local_state);
  CHECK(s.reject() == errc::local_state);
  host h;
  (void)session(s, h, "USER mrose\r\nPASS tanstaaf\r\nSTAT\r\n");
  // STAT is pending until answered; a body for it is refused, an injected line too.
  pop3::server_session t;
  CHECK(t.receive("USER mrose\r\nPASS tanstaaf\r\n") > 0);
  CHECK(t.next_event() == status::event);  // USER answered by the session, then PASS
  CHECK(t.event().kind == K::login);
  CHECK(t.next_event() == status::paused);  // until the host answers
  CHECK(t.ok("x") == errc::local_state);
  CHECK(t.accept_login(1, "bad\r\n+OK forged") == errc::local_invalid_value);
  CHECK(t.accept_login(1) == errc::ok);
}

TEST_CASE("pop3 server: UTF8 mode (RFC 6856 section 2)", "[pop3][server]") {
  pop3::server_options o;
  o.utf8 = true;
  o.utf8_user = true;
  pop3::server_session s(o);
  host h;
  const std::string out = session(s, h, "CAPA\r\nUSER j\xC3\xB6rg\r\nUTF8\r\nUSER j\xC3\xB6rg\r\nPASS x\r\n");
  CHECK(out ==
        "+OK POP3 server ready\r\n+OK Capability list follows\r\nUSER\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n"
        "AUTH-RESP-CODE\r\nPIPELINING\r\nUTF8 USER\r\n.\r\n"
        "-ERR [UTF8] Non-ASCII requires the UTF8 command\r\n"  // before UTF8 mode, an 8-bit name is refused
        "+OK UTF8 enabled\r\n+OK\r\n-ERR [AUTH] Authentication failed\r\n");
  CHECK(s.utf8_mode());
  CHECK(std::count(h.events.begin(), h.events.end(), K::utf8) == 1);
  // UTF8 is an AUTHORIZATION command only; without the option it is unknown.
  pop3::server_session t(o);
  host g;
  CHECK(session(t, g, "USER mrose\r\nPASS tanstaaf\r\nUTF8\r\n").ends_with("-ERR Command not valid in this state\r\n"));
  pop3::server_session u{pop3::server_options{}};
  CHECK(session(u, g, "UTF8\r\n").ends_with("-ERR Command unrecognized\r\n"));
  CHECK_FALSE(u.utf8_mode());
  // Without UTF8 USER, UTF8 mode does not open user names to UTF-8.
  o.utf8_user = false;
  pop3::server_session v(o);
  CHECK(session(v, g, "UTF8\r\nUSER j\xC3\xB6rg\r\n").ends_with("+OK UTF8 enabled\r\n-ERR [UTF8] Non-ASCII requires the UTF8 command\r\n"));
}

TEST_CASE("pop3 server: LANG (RFC 6856 section 3)", "[pop3][server]") {
  pop3::server_options o;
  o.languages = {{"en", "English"}, {"de-DE", "Deutsch"}, {"fr", ""}};
  pop3::server_session s(o);
  host h;
  CHECK(s.language() == "en");
  CHECK(session(s, h, "LANG\r\nLANG de\r\nLANG it\r\nLANG *\r\nLANG FR\r\n") ==
        "+OK POP3 server ready\r\n+OK Language listing follows\r\nen English\r\nde-DE Deutsch\r\nfr\r\n.\r\n"
        "+OK Language changed to de-DE\r\n-ERR Unsupported language\r\n+OK Language changed to en\r\n"
        "+OK Language changed to fr\r\n");
  CHECK(s.language() == "fr");
  CHECK(std::count(h.events.begin(), h.events.end(), K::language) == 3);
  // LANG is valid in TRANSACTION too, and listed by CAPA.
  pop3::server_session t(o);
  host g;
  const std::string out = session(t, g, "USER mrose\r\nPASS tanstaaf\r\nLANG de-de\r\nCAPA\r\n");
  CHECK(out.find("+OK Language changed to de-DE\r\n") != std::string::npos);
  CHECK(out.find("\r\nLANG\r\n.\r\n") != std::string::npos);
  pop3::server_session u{pop3::server_options{}};
  CHECK(session(u, g, "LANG\r\n").ends_with("-ERR Command unrecognized\r\n"));
  CHECK(u.language().empty());
}

TEST_CASE("pop3 server: EXPIRE and LOGIN-DELAY with USER (RFC 2449 sections 6.5, 6.7)", "[pop3][server]") {
  pop3::server_options o;
  o.expire = "31 USER";
  o.login_delay = "900";
  pop3::server_session s(o);
  host h;
  std::string out = session(s, h, "CAPA\r\nUSER mrose\r\nPASS tanstaaf\r\nCAPA\r\n");
  // Before login the USER form; after it, only the host's per-user value (none given: omitted).
  CHECK(out.find("PIPELINING\r\nEXPIRE 31 USER\r\nLOGIN-DELAY 900\r\n.\r\n") != std::string::npos);
  CHECK(out.ends_with("PIPELINING\r\nLOGIN-DELAY 900\r\n.\r\n"));
  s.user_policy("NEVER", "");
  out = session(s, h, "CAPA\r\n");
  CHECK(out == "+OK Capability list follows\r\nUSER\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
               "EXPIRE NEVER\r\nLOGIN-DELAY 900\r\n.\r\n");
  // A value a client could not parse is never listed; nor can an option break the listing.
  o.expire = "soon";
  o.login_delay = "9\r\n.\r\n";
  o.implementation = ".odd";
  pop3::server_session u(o);
  const std::string capa = session(u, h, "CAPA\r\n");
  CHECK(capa.find("EXPIRE") == std::string::npos);
  CHECK(capa.find("LOGIN-DELAY") == std::string::npos);
  CHECK(capa.ends_with("PIPELINING\r\nIMPLEMENTATION .odd\r\n.\r\n"));
}
