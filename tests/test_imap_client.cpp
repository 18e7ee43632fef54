// Tests of mailwire/imap/client.hpp: the RFC 3501 section 8 sample session from the client's
// side (the client's bytes equal the RFC's C: lines) in every chunking of the server's bytes,
// streamed FETCH literals, literal and pipelining rules, STARTTLS injection, SASL, IDLE,
// APPEND, mailbox state through EXPUNGE / VANISHED, and a client talking to
// imap::server_session in memory.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "chunking.hpp"
#include "mailwire/imap/client.hpp"
#include "mailwire/imap/server.hpp"

using namespace mailwire;
using namespace mailwire::imap;
using kind = client_event_kind;

namespace {

const char* kind_name(kind k) {
  static const char* names[] = {"none",      "greeting",       "data",    "lit_begin", "lit_data",
                                "lit_end",   "completed",      "auth",    "idling",    "append_ready",
                                "starttls",  "compress",       "closed"};
  return names[static_cast<int>(k)];
}

using host_fn = std::function<void(client_session&, const client_event&)>;

struct crun {
  std::string out;       // every byte the client wrote
  std::string log;       // one line per event
  std::string body;      // fetch_literal_data concatenated
  status last = status::need_more;
  errc error = errc::ok;
  std::uint64_t error_offset = 0;
  std::size_t max_event_data = 0;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

std::string lines(std::initializer_list<std::string_view> ls) {
  std::string s;
  for (auto l : ls) s.append(l).append("\r\n");
  return s;
}

/// Feeds `server` in pieces of `piece` octets (exact-size heap copies); the host reacts to events.
crun run_client(const client_options& o, std::string_view server, std::size_t piece, const host_fn& host) {
  crun r;
  client_session s(o);
  auto drain = [&] {
    r.out += s.output();
    s.consume_output(s.output().size());
  };
  auto events = [&]() -> bool {
    for (int guard = 0; guard < 10000000; ++guard) {
      const status st = s.next_event();
      r.last = st;
      if (st == status::error) {
        r.error = s.error();
        r.error_offset = s.error_offset();
        r.log += "error " + std::string(to_string(s.error())) + "\n";
        return false;
      }
      if (st == status::need_more) return true;
      const client_event& ev = s.event();
      if (ev.kind == kind::none) return true;  // paused, the host did not act
      if (ev.kind == kind::fetch_literal_data) {
        r.body += ev.data;
        r.max_event_data = std::max(r.max_event_data, ev.data.size());
      }
      if (ev.kind != kind::fetch_literal_data) {
        r.log += kind_name(ev.kind);
        r.log += " ";
        r.log += ev.tag;
        if (ev.response != nullptr && ev.kind != kind::fetch_literal_data) {
          r.log += " ";
          const bool st = ev.response->kind == response_kind::tagged || ev.response->kind == response_kind::status;
          r.log += st ? std::string(ev.response->text.text) : std::string(ev.response->name);
        }
        if (ev.kind == kind::fetch_literal_begin)
          r.log += " #" + std::to_string(ev.message) + " uid=" + std::to_string(ev.uid_value) + " size=" +
                   std::to_string(ev.size);
        r.log += "\n";
      }
      host(s, ev);
      drain();
    }
    return false;
  };
  drain();
  if (!events()) return r;
  std::size_t pos = 0;
  while (pos < server.size()) {
    const std::size_t n = std::min(piece, server.size() - pos);
    mwtest::heap_copy chunk(server.substr(pos, n));
    std::string_view rest = chunk.view();
    while (!rest.empty()) {
      const std::size_t took = s.receive(rest);
      rest.remove_prefix(took);
      if (!events()) return r;
      if (took == 0 && s.error() == errc::ok) {
        // Paused (COMPRESS) or full: give the host's pending input back to the caller's view.
        if (s.output().empty()) break;
      }
    }
    pos += n;
  }
  drain();
  return r;
}

/// Runs with piece sizes 1..max and whole; REQUIREs the same bytes, log and body each time.
crun run_every_piece(const client_options& o, std::string_view server, const host_fn& host,
                     std::size_t max_piece = 0) {
  const crun whole = run_client(o, server, server.size() + 1, host);
  const std::size_t top = max_piece != 0 ? max_piece : server.size();
  for (std::size_t k = 1; k <= top; k += (k < 64 ? 1 : k / 8)) {
    const crun one = run_client(o, server, k, host);
    INFO("piece " << k);
    REQUIRE(one.out == whole.out);
    REQUIRE(one.log == whole.log);
    REQUIRE(one.body == whole.body);
    REQUIRE(one.error == whole.error);
  }
  return whole;
}

const std::string rfc_header =
    "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\n"
    "Subject: IMAP4rev1 WG mtg summary and minutes\r\nTo: imap@cac.washington.edu\r\n"
    "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
    "Message-Id: <B27397-0100000@cac.washington.edu>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n";

// RFC 3501 section 8, the server's lines.
const std::string rfc3501_server =
    lines({"* OK IMAP4rev1 Service Ready", "a001 OK LOGIN completed", "* 18 EXISTS",
           "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", "* 2 RECENT",
           "* OK [UNSEEN 17] Message 17 is the first unseen message", "* OK [UIDVALIDITY 3857529045] UIDs valid",
           "a002 OK [READ-WRITE] SELECT completed",
           "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, "
           "17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL "
           "\"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry "
           "Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL "
           "\"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
           "\"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
           "\"7BIT\" 3028 92))",
           "a003 OK FETCH completed", "* 12 FETCH (BODY[HEADER] {342}"}) +
    rfc_header +
    lines({")", "a004 OK FETCH completed", "* 12 FETCH (FLAGS (\\Seen \\Deleted))", "a005 OK +FLAGS completed",
           "* BYE IMAP4rev1 server terminating connection", "a006 OK LOGOUT completed"});

const std::string rfc3501_client = lines({"a001 login mrc secret", "a002 select inbox", "a003 fetch 12 full",
                                          "a004 fetch 12 body[header]", "a005 store 12 +flags \\deleted",
                                          "a006 logout"});

// The host of the RFC 3501 section 8 session: the same calls as the RFC's client.
void rfc3501_host(client_session& s, const client_event& ev) {
  if (ev.kind == kind::greeting) {
    REQUIRE(s.login("mrc", "secret") == errc::ok);
  } else if (ev.kind == kind::completed) {
    REQUIRE(ev.condition == cond::ok);
    if (ev.tag == "a001") REQUIRE(s.select("inbox") == errc::ok);
    if (ev.tag == "a002") REQUIRE(s.fetch("12", "full") == errc::ok);
    if (ev.tag == "a003") REQUIRE(s.fetch("12", "body[header]") == errc::ok);
    if (ev.tag == "a004") REQUIRE(s.store("12", "+flags", "\\deleted") == errc::ok);
    if (ev.tag == "a005") REQUIRE(s.logout() == errc::ok);
  }
}

client_options rfc_options() {
  client_options o;
  o.tag_prefix = "a";
  o.tag_digits = 3;
  return o;
}

}  // namespace

TEST_CASE("imap client: RFC 3501 section 8 sample session, every piece size", "[imap][imap-client]") {
  const client_options o = rfc_options();
  const crun r = run_every_piece(o, rfc3501_server, rfc3501_host);
  CHECK(r.error == errc::ok);
  // Command names are written upper case; the RFC's client wrote them lower case.
  CHECK(lower(r.out) == rfc3501_client);
  CHECK(r.log ==
        "greeting  IMAP4rev1 Service Ready\ncompleted a001 LOGIN completed\ndata a002 EXISTS\ndata a002 FLAGS\n"
        "data a002 RECENT\ndata a002 Message 17 is the first unseen message\ndata a002 UIDs valid\n"
        "completed a002 SELECT completed\ndata a003 FETCH\ncompleted a003 FETCH completed\ndata a004 FETCH\n"
        "completed a004 FETCH completed\ndata a005 FETCH\ncompleted a005 +FLAGS completed\n"
        "data a006 IMAP4rev1 server terminating connection\nclosed a006 LOGOUT completed\n");
}

TEST_CASE("imap client: the mailbox state of the RFC 3501 session", "[imap][imap-client]") {
  client_options o = rfc_options();
  client_session s(o);
  REQUIRE(s.receive(rfc3501_server.substr(0, rfc3501_server.find("* 12 FETCH"))) > 0);
  for (status st = s.next_event(); st == status::event; st = s.next_event()) rfc3501_host(s, s.event());
  CHECK(s.state() == client_state::selected);
  CHECK(s.mailbox().name == "inbox");
  CHECK(s.mailbox().exists == 18);
  CHECK(s.mailbox().recent == 2);
  CHECK(s.mailbox().uidvalidity == 3857529045u);
  CHECK(s.mailbox().flags == "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
  CHECK_FALSE(s.mailbox().read_only);
  CHECK(s.mailbox().uids.size() == 18);
}

TEST_CASE("imap client: a FETCH literal over the inline limit is streamed", "[imap][imap-client]") {
  client_options o = rfc_options();
  o.inline_literal_max = 100;
  const crun r = run_every_piece(o, rfc3501_server, rfc3501_host);
  CHECK(r.error == errc::ok);
  CHECK(lower(r.out) == rfc3501_client);
  CHECK(r.body == rfc_header);
  CHECK(r.log.find("lit_begin a004 #12 uid=0 size=342\n") != std::string::npos);
  CHECK(r.log.find("lit_end a004\ndata a004 FETCH\ncompleted a004 FETCH completed\n") != std::string::npos);
}

TEST_CASE("imap client: server errors are sticky and positioned", "[imap][imap-client]") {
  auto first_error = [](std::string_view server) {
    client_options o;
    const crun r = run_client(o, server, server.size(), [](client_session& s, const client_event& ev) {
      if (ev.kind == kind::greeting) REQUIRE(s.login("u", "p") == errc::ok);
    });
    return std::make_pair(r.error, r.error_offset);
  };
  const std::string g = "* OK hi\r\n";
  CHECK(first_error(g + "A0002 OK done\r\n") == std::make_pair(errc::unknown_tag, std::uint64_t{9}));
  CHECK(first_error(g + "+ more\r\n") == std::make_pair(errc::unexpected_continuation, std::uint64_t{9}));
  CHECK(first_error(g + "* 1 EXPUNGE\r\n") == std::make_pair(errc::no_such_message, std::uint64_t{9}));
  CHECK(first_error(g + "* 1 FETCH (FLAGS ())\r\n") == std::make_pair(errc::no_such_message, std::uint64_t{9}));
  CHECK(first_error(g + "* 1 FETCH (FLAGS\r\n").first != errc::ok);
  CHECK(first_error("* NO go away\r\n").first != errc::ok);
  CHECK(first_error(g + "A0001 OK x\nA0002").first == errc::bare_lf);
  CHECK(first_error(g + "A0001 OK fine\r\n").first == errc::ok);
}

TEST_CASE("imap client: host misuse is refused without a change", "[imap][imap-client]") {
  client_session s;
  CHECK(s.select("INBOX") == errc::local_state);
  CHECK(s.fetch("1", "FLAGS") == errc::local_state);
  CHECK(s.starttls() == errc::local_state);
  CHECK(s.done() == errc::local_state);
  CHECK(s.append_data("x") == errc::local_state);
  CHECK(s.output().empty());
  REQUIRE(s.receive("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n") > 0);
  REQUIRE(s.next_event() == status::event);
  CHECK(s.event().kind == kind::greeting);
  CHECK(s.has_capability("auth=plain"));
  CHECK(s.starttls() == errc::local_not_advertised);
  CHECK(s.authenticate("GSSAPI") == errc::local_not_advertised);
  CHECK(s.login("a\r\nb", "x") == errc::ok);  // a literal
  CHECK(s.output() == "A0001 LOGIN {4}\r\n");  // waits for "+"
  CHECK(s.outstanding() == 1);
  CHECK(s.noop() == errc::ok);
  CHECK(s.output() == "A0001 LOGIN {4}\r\n");  // not pipelined after a literal
  REQUIRE(s.receive("+ go\r\n") > 0);
  CHECK(s.next_event() == status::need_more);
  CHECK(s.output() == "A0001 LOGIN {4}\r\na\r\nb x\r\n");
  REQUIRE(s.receive("A0001 OK [CAPABILITY IMAP4rev1 IDLE] in\r\n") > 0);
  REQUIRE(s.next_event() == status::event);
  CHECK(s.event().kind == kind::completed);
  CHECK(s.state() == client_state::authenticated);
  CHECK(s.capabilities() == "IMAP4rev1 IDLE");
  CHECK(s.output() == "A0001 LOGIN {4}\r\na\r\nb x\r\nA0002 NOOP\r\n");
  s.consume_output(s.output().size());
  CHECK(s.fetch("1", "FLAGS") == errc::local_state);  // not selected
  CHECK(s.status("INBOX", "(MESSAGES") == errc::local_invalid_value);
  CHECK(s.list("", "a\r\nb") == errc::ok);  // a literal pattern
  CHECK(s.output() == "A0003 LIST \"\" {4}\r\n");
  s.consume_output(s.output().size());
  CHECK(s.output().empty());
  CHECK(s.next_tag() == "A0004");
}

TEST_CASE("imap client: LITERAL+ and LITERAL- make literals non-synchronizing", "[imap][imap-client]") {
  for (const char* caps : {"IMAP4rev1 LITERAL+", "IMAP4rev1 LITERAL-", "IMAP4rev2"}) {
    client_session s;
    REQUIRE(s.receive("* OK [CAPABILITY " + std::string(caps) + "] hi\r\n") > 0);
    REQUIRE(s.next_event() == status::event);
    CHECK(s.login("a\r\nb", "x") == errc::ok);
    CHECK(s.output() == "A0001 LOGIN {4+}\r\na\r\nb x\r\n");
  }
}

// ---- a client and imap::server_session in memory ----------------------------------------------

namespace {

using server_host = std::function<void(server_session&, const server_event&)>;

struct linked {
  std::string c2s, s2c, log, body;
  errc client_error = errc::ok, server_error = errc::ok;
  std::size_t max_event_data = 0;
  client_state state = client_state::greeting;
};

/// Connects a client and a server in memory; bytes move in pieces of `piece` octets.
linked link(const client_options& co, const server_options& so, std::size_t piece, const host_fn& ch,
            const server_host& sh) {
  linked r;
  client_session c(co);
  server_session s(so);
  std::string to_server, to_client;
  auto server_events = [&] {
    for (;;) {
      const status st = s.next_event();
      if (st != status::event) {
        if (st == status::error) r.server_error = s.error();
        return;
      }
      sh(s, s.event());
    }
  };
  auto client_events = [&] {
    for (;;) {
      const status st = c.next_event();
      if (st == status::error) {
        r.client_error = c.error();
        return false;
      }
      if (st == status::need_more || c.event().kind == kind::none) return true;
      const client_event& ev = c.event();
      if (ev.kind == kind::fetch_literal_data) {
        r.body += ev.data;
        r.max_event_data = std::max(r.max_event_data, ev.data.size());
      } else {
        r.log += kind_name(ev.kind);
        r.log += " ";
        r.log += ev.tag;
        r.log += "\n";
      }
      ch(c, ev);
    }
  };
  for (int round = 0; round < 1000000; ++round) {
    bool progress = false;
    if (!s.output().empty()) {
      to_client += s.output();
      r.s2c += s.output();
      s.consume_output(s.output().size());
    }
    if (!c.output().empty()) {
      to_server += c.output();
      r.c2s += c.output();
      c.consume_output(c.output().size());
    }
    std::size_t at = 0;
    while (at < to_server.size()) {
      const std::size_t n = std::min(piece, to_server.size() - at);
      const std::size_t took = s.receive(std::string_view(to_server).substr(at, n));
      at += took;
      server_events();
      if (took == 0) break;
      progress = true;
    }
    to_server.erase(0, at);
    server_events();
    at = 0;
    while (at < to_client.size()) {
      mwtest::heap_copy chunk(std::string_view(to_client).substr(at, std::min(piece, to_client.size() - at)));
      const std::size_t took = c.receive(chunk.view());
      at += took;
      if (!client_events()) {
        r.state = c.state();
        return r;
      }
      if (took == 0) break;
      progress = true;
    }
    to_client.erase(0, at);
    if (!client_events()) break;
    if (!progress && s.output().empty() && c.output().empty()) break;
  }
  r.state = c.state();
  return r;
}

std::string big_message(std::size_t n, std::uint32_t seed) {
  std::mt19937 g(seed);
  std::string m = "Subject: big\r\n\r\n";
  while (m.size() < n) {
    for (int i = 0; i < 76 && m.size() < n - 2; ++i) m.push_back(static_cast<char>(' ' + g() % 95));
    m += "\r\n";
  }
  m.resize(n);
  return m;
}

const std::vector<std::uint32_t> uids5 = {3, 7, 8, 12, 20};

/// A server host: accepts logins, selects a 5-message mailbox, answers FETCH of BODY[] with
/// `message` streamed, and OK to everything else.
server_host basic_server(const std::string& message) {
  return [&message](server_session& s, const server_event& ev) {
    switch (ev.kind) {
      case server_event_kind::login:
      case server_event_kind::authenticate:
      case server_event_kind::auth_response: REQUIRE(s.accept_login() == errc::ok); break;
      case server_event_kind::starttls: REQUIRE(s.tls_started() == errc::ok); break;
      case server_event_kind::command:
        if (ev.command.kind == command_kind::select || ev.command.kind == command_kind::examine) {
          select_info i;
          i.uids = uids5;
          i.uidnext = 21;
          i.uidvalidity = 77;
          REQUIRE(s.select_begin(i) == errc::ok);
        } else if (ev.command.kind == command_kind::fetch) {
          const auto& f = std::get<cmd_fetch>(ev.command.args);
          bool body = false;
          f.attributes.for_each([&](const fetch_attribute& a) { body = body || a.item == fetch_item::body_section; });
          if (body) {
            msg_att uid;
            uid.att.item = fetch_item::uid;
            uid.number = 8;
            const auto item = parse_fetch_attribute("BODY[] ").value;
            REQUIRE(s.begin_fetch_literal(3, {&uid, 1}, item, message.size()) == errc::ok);
            REQUIRE(s.fetch_data(message) == message.size());
            REQUIRE(s.end_fetch_literal() == errc::ok);
          }
        }
        REQUIRE(s.ok() == errc::ok);
        break;
      default: break;
    }
  };
}

}  // namespace

TEST_CASE("imap client <-> server: login, select, a 5 MB body streamed byte-exact, logout", "[imap][imap-client]") {
  const std::string message = big_message(5u << 20, 42);
  server_options so;
  so.max_output = 8u << 20;
  for (const std::size_t piece : {std::size_t{1}, std::size_t{13}, std::size_t{4096}, std::size_t{100000}}) {
    INFO("piece " << piece);
    const host_fn ch = [&](client_session& c, const client_event& ev) {
      if (ev.kind == kind::greeting) REQUIRE(c.login("joe", "pass word") == errc::ok);
      if (ev.kind == kind::fetch_literal_begin) {
        CHECK(ev.message == 3);
        CHECK(ev.uid_value == 8);
        CHECK(ev.size == message.size());
        CHECK(ev.attribute.item == fetch_item::body_section);
      }
      if (ev.kind != kind::completed) return;
      REQUIRE(ev.condition == cond::ok);
      if (ev.command == command_kind::login) REQUIRE(c.select("INBOX") == errc::ok);
      if (ev.command == command_kind::select) {
        CHECK(c.mailbox().exists == 5);
        CHECK(c.mailbox().uidvalidity == 77);
        CHECK(c.mailbox().uidnext == 21);
        REQUIRE(c.fetch("3", "(UID BODY.PEEK[])") == errc::ok);
      }
      if (ev.command == command_kind::fetch) {
        CHECK(c.mailbox().uid_of(3) == 8);
        REQUIRE(c.logout() == errc::ok);
      }
    };
    const linked r = link({}, so, piece, ch, basic_server(message));
    CHECK(r.client_error == errc::ok);
    CHECK(r.server_error == errc::ok);
    CHECK(r.body == message);
    CHECK(r.max_event_data <= 64 * 1024);
    CHECK(r.state == client_state::logout);
    CHECK(r.c2s == lines({"A0001 LOGIN joe \"pass word\"", "A0002 SELECT INBOX", "A0003 FETCH 3 (UID BODY.PEEK[])",
                          "A0004 LOGOUT"}));
    CHECK(r.log.find("closed A0004\n") != std::string::npos);
  }
}

TEST_CASE("imap client <-> server: APPEND streamed with and without LITERAL+", "[imap][imap-client]") {
  const std::string message = big_message(300000, 7);
  for (const bool plus : {true, false}) {
    server_options so;
    if (!plus) {
      so.literals = non_sync_literals::none;
      so.imap4rev2 = false;
    }
    for (const std::size_t piece : {std::size_t{1}, std::size_t{1000}, std::size_t{100000}}) {
      INFO("plus " << plus << " piece " << piece);
      std::string stored;
      bool saw_flags = false;
      const server_host sh = [&](server_session& s, const server_event& ev) {
        if (ev.kind == server_event_kind::append_begin) {
          CHECK(ev.size == message.size());
          saw_flags = ev.has_flags && ev.flags.raw() == "(\\Seen)";
        }
        if (ev.kind == server_event_kind::append_data) stored += ev.data;
        if (ev.kind == server_event_kind::login) REQUIRE(s.accept_login() == errc::ok);
        if (ev.kind == server_event_kind::command) REQUIRE(s.ok() == errc::ok);
      };
      std::size_t ready = 0;
      const host_fn ch = [&](client_session& c, const client_event& ev) {
        if (ev.kind == kind::greeting) REQUIRE(c.login("joe", "pw") == errc::ok);
        if (ev.kind == kind::completed && ev.command == command_kind::login)
          REQUIRE(c.append("INBOX", "(\\Seen)", "", message.size()) == errc::ok);
        if (ev.kind == kind::append_ready) {
          ++ready;
          CHECK(c.append_end() == errc::local_state);  // octets missing
          for (std::size_t at = 0; at < message.size(); at += 65536)
            REQUIRE(c.append_data(std::string_view(message).substr(at, 65536)) == errc::ok);
          CHECK(c.append_data("x") == errc::local_state);  // more than announced
          REQUIRE(c.append_end() == errc::ok);
        }
        if (ev.kind == kind::completed && ev.command == command_kind::append) {
          CHECK(ev.condition == cond::ok);
          REQUIRE(c.logout() == errc::ok);
        }
      };
      const linked r = link({}, so, piece, ch, sh);
      CHECK(r.client_error == errc::ok);
      CHECK(r.server_error == errc::ok);
      CHECK(ready == 1);
      CHECK(saw_flags);
      CHECK(stored == message);
      const std::string head =
          "A0002 APPEND INBOX (\\Seen) {" + std::to_string(message.size()) + (plus ? "+" : "") + "}\r\n";
      CHECK(r.c2s.substr(r.c2s.find("A0002"), head.size()) == head);
      CHECK((r.s2c.find("\r\n+ ") != std::string::npos) == !plus);
      CHECK(r.state == client_state::logout);
    }
  }
}

TEST_CASE("imap client <-> server: IDLE with a pushed EXISTS", "[imap][imap-client]") {
  for (const std::size_t piece : {std::size_t{1}, std::size_t{5}, std::size_t{100000}}) {
    const std::vector<std::uint32_t> fresh = {30};
    const server_host sh = [&](server_session& s, const server_event& ev) {
      if (ev.kind == server_event_kind::idle_begin) REQUIRE(s.exists(fresh) == errc::ok);
      else basic_server("")(s, ev);
    };
    int idling = 0;
    const host_fn ch = [&](client_session& c, const client_event& ev) {
      if (ev.kind == kind::greeting) REQUIRE(c.login("joe", "pw") == errc::ok);
      if (ev.kind == kind::completed && ev.command == command_kind::login) REQUIRE(c.select("INBOX") == errc::ok);
      if (ev.kind == kind::completed && ev.command == command_kind::select) {
        REQUIRE(c.idle() == errc::ok);
        CHECK(c.noop() == errc::ok);  // queued: not sent during IDLE
      }
      if (ev.kind == kind::idling) {
        ++idling;
        CHECK(ev.tag == "A0003");
      }
      if (ev.kind == kind::data && ev.response->kind == response_kind::exists && ev.command == command_kind::idle) {
        CHECK(ev.tag == "A0003");
        CHECK(c.mailbox().exists == 6);
        REQUIRE(c.done() == errc::ok);
        CHECK(c.done() == errc::local_state);
      }
      if (ev.kind == kind::completed && ev.command == command_kind::noop) REQUIRE(c.logout() == errc::ok);
    };
    const linked r = link({}, {}, piece, ch, sh);
    CHECK(r.client_error == errc::ok);
    CHECK(r.server_error == errc::ok);
    CHECK(idling == 1);
    CHECK(r.c2s == lines({"A0001 LOGIN joe pw", "A0002 SELECT INBOX", "A0003 IDLE", "DONE", "A0004 NOOP",
                          "A0005 LOGOUT"}));
    CHECK(r.state == client_state::logout);
  }
}

TEST_CASE("imap client <-> server: STARTTLS then AUTHENTICATE PLAIN, with and without SASL-IR", "[imap][imap-client]") {
  for (const bool ir : {true, false}) {
    server_options so;
    so.tls_available = true;
    so.auth_mechanisms = "PLAIN";
    so.sasl_ir = ir;
    const server_host sh = [&](server_session& s, const server_event& ev) {
      if (ev.kind == server_event_kind::authenticate && !ir) REQUIRE(s.auth_challenge("") == errc::ok);
      else if (ev.kind == server_event_kind::authenticate || ev.kind == server_event_kind::auth_response) {
        CHECK(ev.data == "AGpvZQBwdw==");
        REQUIRE(s.accept_login() == errc::ok);
      } else basic_server("")(s, ev);
    };
    bool tls_seen = false;
    const host_fn ch = [&](client_session& c, const client_event& ev) {
      if (ev.kind == kind::greeting) {
        CHECK(c.has_capability("STARTTLS"));
        REQUIRE(c.starttls() == errc::ok);
      }
      if (ev.kind == kind::starttls_ready) {
        tls_seen = true;
        CHECK(c.capabilities().empty());
        REQUIRE(c.tls_started() == errc::ok);
      }
      if (ev.kind == kind::completed && ev.command == command_kind::capability)
        REQUIRE(c.authenticate("PLAIN", std::string_view("\0joe\0pw", 7)) == errc::ok);
      if (ev.kind == kind::completed && ev.command == command_kind::authenticate) {
        CHECK(ev.condition == cond::ok);
        CHECK(c.state() == client_state::authenticated);
        REQUIRE(c.logout() == errc::ok);
      }
    };
    const linked r = link({}, so, 3, ch, sh);
    CHECK(r.client_error == errc::ok);
    CHECK(r.server_error == errc::ok);
    CHECK(tls_seen);
    CHECK(r.c2s == lines({"A0001 STARTTLS", "A0002 CAPABILITY",
                          ir ? "A0003 AUTHENTICATE PLAIN AGpvZQBwdw==" : "A0003 AUTHENTICATE PLAIN\r\nAGpvZQBwdw==",
                          "A0004 LOGOUT"}));
  }
}

TEST_CASE("imap client: STARTTLS injection is refused", "[imap][imap-client]") {
  for (const bool same_packet : {true, false}) {
    client_session c;
    REQUIRE(c.receive("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n") > 0);
    REQUIRE(c.next_event() == status::event);
    REQUIRE(c.starttls() == errc::ok);
    if (same_packet) {
      REQUIRE(c.receive("A0001 OK go\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] evil\r\n") > 0);
      CHECK(c.next_event() == status::error);
      CHECK(c.error() == errc::input_before_tls);
      CHECK(c.error_offset() == 54);
    } else {
      REQUIRE(c.receive("A0001 OK go\r\n") > 0);
      REQUIRE(c.next_event() == status::paused);
      CHECK(c.event().kind == kind::starttls_ready);
      CHECK(c.next_event() == status::paused);
      CHECK(c.receive("* OK evil\r\n") == 0);
      CHECK(c.next_event() == status::error);
      CHECK(c.error() == errc::input_before_tls);
    }
    CHECK(c.noop() == errc::local_state);
  }
}

TEST_CASE("imap client: SASL challenges, continue and cancel", "[imap][imap-client]") {
  client_session c;
  REQUIRE(c.receive("* OK [CAPABILITY IMAP4rev1 AUTH=X-TEST] hi\r\n") > 0);
  REQUIRE(c.next_event() == status::event);
  REQUIRE(c.authenticate("X-TEST") == errc::ok);
  CHECK(c.auth_continue("x") == errc::local_state);
  REQUIRE(c.receive("+ dGVzdA==\r\n") > 0);
  REQUIRE(c.next_event() == status::event);
  CHECK(c.event().kind == kind::auth_challenge);
  CHECK(c.event().data == "test");
  REQUIRE(c.auth_continue("resp") == errc::ok);
  REQUIRE(c.receive("+ \r\n") > 0);
  REQUIRE(c.next_event() == status::event);
  CHECK(c.event().data.empty());
  REQUIRE(c.auth_cancel() == errc::ok);
  REQUIRE(c.receive("A0001 BAD cancelled\r\n") > 0);
  REQUIRE(c.next_event() == status::event);
  CHECK(c.event().condition == cond::bad);
  CHECK(c.state() == client_state::not_authenticated);
  CHECK(c.output() == "A0001 AUTHENTICATE X-TEST\r\ncmVzcA==\r\n*\r\n");
  REQUIRE(c.receive("+ !!\r\n") > 0);
  CHECK(c.next_event() == status::error);
  CHECK(c.error() == errc::unexpected_continuation);
}

TEST_CASE("imap client <-> server: pipelined FETCH and STORE; MSN commands wait for EXPUNGE", "[imap][imap-client]") {
  std::string seen;
  const server_host sh = [&](server_session& s, const server_event& ev) {
    if (ev.kind == server_event_kind::command) seen += std::string(command_name(ev.command.kind)) + " ";
    basic_server("")(s, ev);
  };
  const host_fn ch = [&](client_session& c, const client_event& ev) {
    if (ev.kind == kind::greeting) REQUIRE(c.login("joe", "pw") == errc::ok);
    if (ev.kind == kind::completed && ev.command == command_kind::login) REQUIRE(c.select("INBOX") == errc::ok);
    if (ev.kind == kind::completed && ev.command == command_kind::select) {
      REQUIRE(c.fetch("1:5", "(FLAGS)") == errc::ok);
      REQUIRE(c.store("2", "+FLAGS", "(\\Seen)") == errc::ok);
      REQUIRE(c.fetch("1:*", "(UID)", true) == errc::ok);
      CHECK(c.output() ==
            lines({"A0003 FETCH 1:5 (FLAGS)", "A0004 STORE 2 +FLAGS (\\Seen)", "A0005 UID FETCH 1:* (UID)"}));
      REQUIRE(c.expunge() == errc::ok);
      REQUIRE(c.fetch("1", "(FLAGS)") == errc::ok);
      // EXPUNGE goes out (it does not use MSNs); the MSN FETCH waits for its completion.
      CHECK(c.output().find("A0006 EXPUNGE\r\n") != std::string_view::npos);
      CHECK(c.output().find("A0007") == std::string_view::npos);
      CHECK(c.outstanding() == 5);
    }
    if (ev.kind == kind::completed && ev.tag == "A0007") REQUIRE(c.logout() == errc::ok);
  };
  const linked r = link({}, {}, 7, ch, sh);
  CHECK(r.client_error == errc::ok);
  CHECK(r.server_error == errc::ok);
  CHECK(seen == "SELECT FETCH STORE FETCH EXPUNGE FETCH ");
  CHECK(r.state == client_state::logout);
}

TEST_CASE("imap client: EXPUNGE / VANISHED / EXISTS bookkeeping against a model", "[imap][imap-client]") {
  std::mt19937 g(2026);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::uint32_t> model;
    std::vector<std::string> flags;  // the model of message_flags
    for (std::uint32_t u = 1; u <= 40; ++u) model.push_back(u * 3);
    flags.assign(model.size(), "");
    std::string server = lines({"* OK [CAPABILITY IMAP4rev1 QRESYNC] hi", "A0001 OK in", "* 40 EXISTS",
                                "* OK [UIDVALIDITY 9] v", "* OK [HIGHESTMODSEQ 100] m", "A0002 OK [READ-WRITE] sel"});
    for (std::size_t i = 0; i < model.size(); ++i)
      server += "* " + std::to_string(i + 1) + " FETCH (UID " + std::to_string(model[i]) + ")\r\n";
    server += "A0003 OK fetched\r\n";
    std::uint32_t next = 200;
    for (int op = 0; op < 30; ++op) {
      const unsigned what = g() % 4;
      if (what == 3 && !model.empty()) {
        const std::size_t k = g() % model.size();
        flags[k] = g() % 2 ? "(\\Seen)" : "(\\Deleted $Junk)";
        server += "* " + std::to_string(k + 1) + " FETCH (FLAGS " + flags[k] + ")\r\n";
      } else if (what == 0 && !model.empty()) {
        const std::size_t k = g() % model.size();
        model.erase(model.begin() + static_cast<std::ptrdiff_t>(k));
        flags.erase(flags.begin() + static_cast<std::ptrdiff_t>(k));
        server += "* " + std::to_string(k + 1) + " EXPUNGE\r\n";
      } else if (what == 1 && !model.empty()) {
        std::string set;
        std::vector<std::uint32_t> keep;
        std::vector<std::string> keep_flags;
        for (std::size_t i = 0; i < model.size(); ++i) {
          if (g() % 5 == 0) {
            set += (set.empty() ? "" : ",") + std::to_string(model[i]);
          } else {
            keep.push_back(model[i]);
            keep_flags.push_back(flags[i]);
          }
        }
        if (set.empty()) continue;
        model = keep;
        flags = keep_flags;
        server += "* VANISHED " + set + "\r\n";
        server += "* VANISHED (EARLIER) 1:2\r\n";  // no change
      } else {
        model.push_back(next);
        flags.emplace_back();
        server += "* " + std::to_string(model.size()) + " EXISTS\r\n* " + std::to_string(model.size()) +
                  " FETCH (UID " + std::to_string(next) + ")\r\n";
        next += 5;
      }
    }
    server += "A0004 OK done\r\n";
    client_session* seen = nullptr;
    mailbox_state last;
    const host_fn ch = [&](client_session& c, const client_event& ev) {
      seen = &c;
      if (ev.kind == kind::greeting) REQUIRE(c.login("u", "p") == errc::ok);
      if (ev.kind != kind::completed) return;
      if (ev.tag == "A0001") REQUIRE(c.select("INBOX") == errc::ok);
      if (ev.tag == "A0002") REQUIRE(c.fetch("1:*", "(UID)") == errc::ok);
      if (ev.tag == "A0003") REQUIRE(c.noop() == errc::ok);
      if (ev.tag == "A0004") last = c.mailbox();
    };
    client_options o;
    o.track_flags = true;
    const crun r = run_client(o, server, round % 2 == 0 ? 1 : 97, ch);
    REQUIRE(r.error == errc::ok);
    REQUIRE(seen != nullptr);
    CHECK(last.uids == model);
    CHECK(last.message_flags == flags);
    CHECK(last.exists == model.size());
    CHECK(last.uidvalidity == 9);
    CHECK(last.highestmodseq == 100);
  }
  // VANISHED with unknown UIDs: the count still drops.
  client_session c;
  REQUIRE(c.receive(lines({"* OK hi", "A0001 OK in"})) > 0);
  REQUIRE(c.next_event() == status::event);
  REQUIRE(c.login("u", "p") == errc::ok);
  REQUIRE(c.next_event() == status::event);
  REQUIRE(c.select("INBOX") == errc::ok);
  REQUIRE(c.receive(lines({"* 10 EXISTS", "A0002 OK sel", "* VANISHED 4:6", "* 2 EXPUNGE"})) > 0);
  while (c.next_event() == status::event) {
  }
  CHECK(c.error() == errc::ok);
  CHECK(c.mailbox().exists == 6);
  CHECK(c.mailbox().uids.size() == 6);
}

TEST_CASE("imap client: the host loop of the header comment, against server_session", "[imap][imap-client]") {
  // The code of the comment at the top of imap/client.hpp, with its helpers filled in.
  namespace imap = mailwire::imap;
  const std::string message = big_message(200000, 3);
  std::string user = "joe", password = "secret", stored, failure;
  std::uint32_t opened = 0;
  bool closed = false;
  auto fail = [&](std::string_view why) { failure = std::string(why); };
  auto open = [&](std::uint32_t msn, std::uint64_t) { opened = msn; };
  auto store = [&](std::string_view d) { stored += d; };
  auto close_file = [] {};
  auto look_at = [](const imap::response&) {};
  auto handshake = [] {};
  auto close_socket = [&] { closed = true; };
  const host_fn ch = [&](client_session& s, const client_event& ev) {
    switch (ev.kind) {
      case imap::client_event_kind::greeting: (void)s.login(user, password); break;
      case imap::client_event_kind::completed:                                  // tagged reply
        if (ev.condition != imap::cond::ok) fail(ev.response->text.text);
        else if (ev.command == imap::command_kind::login) (void)s.select("INBOX");
        else if (ev.command == imap::command_kind::select)
          (void)s.fetch("1:*", "(UID BODY.PEEK[])", /*uid=*/false);
        else if (ev.command == imap::command_kind::fetch) (void)s.logout();
        break;
      case imap::client_event_kind::fetch_literal_begin: open(ev.message, ev.size); break;
      case imap::client_event_kind::fetch_literal_data: store(ev.data); break;   // chunks
      case imap::client_event_kind::fetch_literal_end: close_file(); break;
      case imap::client_event_kind::data: look_at(*ev.response); break;        // untagged
      case imap::client_event_kind::starttls_ready: handshake(); (void)s.tls_started(); break;
      case imap::client_event_kind::closed: close_socket(); break;             // LOGOUT done
      default: break;
    }
  };
  server_options so;
  so.max_output = 1u << 20;
  const linked r = link({}, so, 1000, ch, basic_server(message));
  CHECK(r.client_error == errc::ok);
  CHECK(failure.empty());
  CHECK(stored == message);
  CHECK(opened == 3);
  CHECK(closed);
}

TEST_CASE("imap client: COMPRESS stops at the boundary", "[imap][imap-client]") {
  client_session c;
  REQUIRE(c.receive(lines({"* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi", "A0001 OK in"})) > 0);
  REQUIRE(c.next_event() == status::event);
  CHECK(c.compress() == errc::local_state);  // not authenticated yet
  REQUIRE(c.login("u", "p") == errc::ok);
  REQUIRE(c.next_event() == status::event);
  REQUIRE(c.compress() == errc::ok);
  CHECK(c.noop() == errc::ok);  // waits for the switch
  CHECK(c.output() == "A0001 LOGIN u p\r\nA0002 COMPRESS DEFLATE\r\n");
  c.consume_output(c.output().size());
  REQUIRE(c.receive("A0002 OK on\r\n\x78\x9c") == 15);
  REQUIRE(c.next_event() == status::paused);
  CHECK(c.event().kind == kind::compress_ready);
  CHECK(c.pending_input() == "\x78\x9c");
  CHECK(c.next_event() == status::paused);
  CHECK(c.receive("more") == 0);
  CHECK(c.output().empty());
  REQUIRE(c.compress_started() == errc::ok);
  CHECK(c.pending_input().empty());
  CHECK(c.output() == "A0003 NOOP\r\n");  // to the deflater
  REQUIRE(c.receive("A0003 OK done\r\n") > 0);
  REQUIRE(c.next_event() == status::event);
  CHECK(c.event().kind == kind::completed);
  CHECK(c.event().tag == "A0003");
}

TEST_CASE("imap client: one command at a time without pipelining; nothing after IDLE", "[imap][imap-client]") {
  client_options o;
  o.pipelining = false;
  client_session c(o);
  REQUIRE(c.receive(lines({"* OK [CAPABILITY IMAP4rev1 IDLE] hi", "A0001 OK in", "A0002 OK sel"})) > 0);
  REQUIRE(c.next_event() == status::event);
  REQUIRE(c.login("u", "p") == errc::ok);
  CHECK(c.select("INBOX") == errc::local_state);  // not authenticated yet
  REQUIRE(c.next_event() == status::event);
  REQUIRE(c.select("INBOX") == errc::ok);
  REQUIRE(c.next_event() == status::event);
  CHECK(c.state() == client_state::selected);
  REQUIRE(c.noop() == errc::ok);
  REQUIRE(c.idle() == errc::ok);
  REQUIRE(c.logout() == errc::ok);
  c.consume_output(c.output().size());
  REQUIRE(c.receive("A0003 OK n\r\n") > 0);
  REQUIRE(c.next_event() == status::event);
  CHECK(c.output() == "A0004 IDLE\r\n");
  REQUIRE(c.receive("+ go\r\n") > 0);
  REQUIRE(c.next_event() == status::event);
  CHECK(c.event().kind == kind::idling);
  REQUIRE(c.done() == errc::ok);
  CHECK(c.output() == "A0004 IDLE\r\nDONE\r\n");
  REQUIRE(c.receive("A0004 OK i\r\n") > 0);
  REQUIRE(c.next_event() == status::event);
  CHECK(c.output() == "A0004 IDLE\r\nDONE\r\nA0005 LOGOUT\r\n");
}

TEST_CASE("imap client: ESEARCH is routed by its TAG; untagged data to the oldest command", "[imap][imap-client]") {
  client_session c;
  REQUIRE(c.receive(lines({"* OK [CAPABILITY IMAP4rev1 ESEARCH] hi", "A0001 OK in", "* 3 EXISTS",
                           "A0002 OK sel"})) > 0);
  REQUIRE(c.next_event() == status::event);
  REQUIRE(c.login("u", "p") == errc::ok);
  REQUIRE(c.next_event() == status::event);
  REQUIRE(c.select("INBOX") == errc::ok);
  REQUIRE(c.next_event() == status::event);
  CHECK(c.event().tag == "A0002");
  REQUIRE(c.next_event() == status::event);
  REQUIRE(c.search("RETURN (ALL) SEEN", true) == errc::ok);
  REQUIRE(c.search("RETURN (COUNT) UNSEEN", true) == errc::ok);
  CHECK(c.output().find("A0003 UID SEARCH RETURN (ALL) SEEN\r\nA0004 UID SEARCH RETURN (COUNT) UNSEEN\r\n") !=
        std::string_view::npos);
  REQUIRE(c.receive(lines({"* ESEARCH (TAG \"A0004\") UID COUNT 2", "* ESEARCH (TAG \"A0003\") UID ALL 4:5",
                           "* 4 EXISTS", "A0003 OK s", "A0004 OK s"})) > 0);
  const char* expect[] = {"A0004", "A0003", "A0003", "A0003", "A0004"};
  for (const char* t : expect) {
    REQUIRE(c.next_event() == status::event);
    CHECK(c.event().tag == t);
  }
  CHECK(c.mailbox().exists == 4);
  CHECK(c.outstanding() == 0);
}
