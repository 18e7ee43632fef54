// The C++ examples of docs/*.md, compiled from the generated docs_examples.inc and run here.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>

#include "mailwire/mime/message.hpp"
#include "mailwire/imap.hpp"

#include "docs_examples.inc"

namespace {
struct sink {
  std::string* target = nullptr;
  explicit operator bool() const { return target != nullptr; }
  void write(std::string_view d) const { target->append(d); }
};
}  // namespace

TEST_CASE("docs/mime.md: building a message, then saving its attachments as it streams", "[docs][mime]") {
  std::string pdf = "%PDF-1.4\n";
  for (int i = 0; i < 3000; ++i) pdf.push_back(static_cast<char>(i));
  const std::string eml = build_report(pdf);
  REQUIRE_FALSE(eml.empty());
  const auto m = mailwire::mime::parse(eml);
  CHECK(m.defects.empty());
  REQUIRE(m.root.parts.size() == 2);
  CHECK(m.root.parts[1].decoded_body() == pdf);

  std::map<std::string, std::string> files;
  std::size_t pos = 0;
  auto read_some = [&](char* p, std::size_t n) {
    const std::size_t k = std::min<std::size_t>({n, eml.size() - pos, 1000});
    std::memcpy(p, eml.data() + pos, k);
    pos += k;
    return k;
  };
  // The builder writes the file name as Content-Type "name" only when there is no
  // Content-Disposition; the example reads "name", so give it a message that has one.
  auto open_file = [&](const std::string& name) { return sink{&files[name]}; };
  std::string with_name = eml;
  const std::size_t at = with_name.find("Content-Type: application/pdf");
  REQUIRE(at != std::string::npos);
  with_name.insert(at + 29, "; name=\"r.pdf\"");
  pos = 0;
  auto read2 = [&](char* p, std::size_t n) {
    const std::size_t k = std::min<std::size_t>({n, with_name.size() - pos, 777});
    std::memcpy(p, with_name.data() + pos, k);
    pos += k;
    return k;
  };
  save_attachments(read2, open_file);
  REQUIRE(files.count("r.pdf") == 1);
  CHECK(files["r.pdf"] == pdf);
  (void)read_some;
}

TEST_CASE("docs/smtp-client.md: one message to two recipients, one refused", "[docs][smtp]") {
  CHECK(smtp_client_example().rfind("EHLO client.example\r\n", 0) == 0);  // aborts if its checks fail
}

TEST_CASE("docs/smtp.md: a server answers a pipelined transaction and delivers it", "[docs][smtp]") {
  CHECK(smtp_server_example());
}

TEST_CASE("docs/pop3.md: a server logs a user in, streams a stuffed message, deletes at QUIT", "[docs][pop3]") {
  CHECK(pop3_server_example());
}

TEST_CASE("docs/pop3-client.md: a client fetches the unseen messages and deletes them", "[docs][pop3]") {
  CHECK(pop3_client_example() == "Subject: new\r\n\r\n.dot line\r\n");  // aborts if its checks fail
}

TEST_CASE("docs/imap.md: a server frames commands, decides a literal, stores a streamed APPEND", "[docs][imap]") {
  CHECK(imap_server_example_run());
}

TEST_CASE("docs/imap.md: a client reads a FETCH stream with a streamed BODY[] in any chunking", "[docs][imap]") {
  CHECK(imap_fetch_example_run());
}

namespace {

// A mailbox served by an imap::server_session in memory for docs/imap-client.md: UIDs 3, 5, 9
// (UIDVALIDITY 7); a message with UID 12 arrives while the client idles.
struct imap_peer {
  std::vector<std::uint32_t> uids = {3, 5, 9};
  std::map<std::uint32_t, std::string> bodies = {{3, "Subject: three\r\n\r\n3\r\n"},
                                                 {5, "Subject: five\r\n\r\n5\r\n"},
                                                 {9, std::string(100000, 'x')}};
  mailwire::imap::server_session s{[] {
    mailwire::imap::server_options o;
    o.max_output = 1u << 20;
    return o;
  }()};
  bool idling = false, delivered = false;
  std::size_t piece = 1;  // server bytes handed to the client per read()

  void write(std::string_view bytes) {
    namespace imap = mailwire::imap;
    using sk = imap::server_event_kind;
    REQUIRE(s.receive(bytes) == bytes.size());
    for (auto st = s.next_event(); st == mailwire::status::event; st = s.next_event()) {
      const imap::server_event& ev = s.event();
      if (ev.kind == sk::login) REQUIRE(s.accept_login() == imap::errc::ok);
      if (ev.kind == sk::idle_begin) idling = true;
      if (ev.kind == sk::idle_end) idling = false;
      if (ev.kind != sk::command) continue;
      if (ev.command.kind == imap::command_kind::select) {
        imap::select_info i;
        i.uids = uids;
        i.uidvalidity = 7;
        i.uidnext = uids.back() + 1;
        REQUIRE(s.select_begin(i) == imap::errc::ok);
      } else if (ev.command.kind == imap::command_kind::fetch) {
        const auto& f = std::get<imap::cmd_fetch>(ev.command.args);
        const auto body = imap::parse_fetch_attribute("BODY[] ").value;
        REQUIRE(s.map().resolve(f.set, ev.command.uid, [&](std::uint32_t msn, std::uint32_t uid) {
          imap::msg_att u;
          u.att.item = imap::fetch_item::uid;
          u.number = uid;
          const std::string& b = bodies[uid];
          REQUIRE(s.begin_fetch_literal(msn, {&u, 1}, body, b.size()) == imap::errc::ok);
          REQUIRE(s.fetch_data(b) == b.size());
          REQUIRE(s.end_fetch_literal() == imap::errc::ok);
        }) == imap::errc::ok);
      }
      REQUIRE(s.ok() == imap::errc::ok);
    }
  }
  std::string read() {
    namespace imap = mailwire::imap;
    if (idling && !delivered) {  // another session delivered a message
      delivered = true;
      uids.push_back(12);
      bodies[12] = "Subject: twelve\r\n\r\nnew\r\n";
      const std::uint32_t u = 12;
      REQUIRE(s.exists({&u, 1}) == imap::errc::ok);
    }
    std::string out = s.take_output();
    held += out;
    std::string give = held.substr(0, piece);
    held.erase(0, give.size());
    return give;  // empty: nothing more will come (the test's "closed")
  }
  std::string held;
};

}  // namespace

TEST_CASE("docs/imap-client.md: a UID sync, then IDLE until new mail, in any chunking", "[docs][imap]") {
  for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{1} << 20}) {
    INFO("piece " << piece);
    imap_peer peer;
    peer.piece = piece;
    std::uint32_t uidvalidity = 7, last_uid = 3;  // seen before: UID 3 of UIDVALIDITY 7
    const auto got = sync_inbox([&] { return peer.read(); }, [&](std::string_view b) { peer.write(b); },
                                uidvalidity, last_uid);
    REQUIRE(got.size() == 3);
    CHECK(got[0] == peer.bodies[5]);
    CHECK(got[1] == peer.bodies[9]);
    CHECK(got[2] == peer.bodies[12]);
    CHECK(last_uid == 12);
    CHECK(peer.s.state() == mailwire::imap::server_state::logout);
  }
  // A new UIDVALIDITY: every message again.
  imap_peer peer;
  peer.piece = 4096;
  std::uint32_t uidvalidity = 6, last_uid = 9;
  const auto got = sync_inbox([&] { return peer.read(); }, [&](std::string_view b) { peer.write(b); }, uidvalidity,
                              last_uid);
  CHECK(got.size() == 4);
  CHECK(uidvalidity == 7);
  CHECK(last_uid == 12);
}
