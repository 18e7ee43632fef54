// Tests of mailwire/mime/message.hpp: the tree over the streaming parser, byte-exact writing of
// unmodified messages (RFC examples, generated messages, CPython's email test corpus), edits,
// decoded bodies and encoded message/rfc822 parts.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "mailwire/codec/base64.hpp"
#include "mailwire/mime/message.hpp"

namespace mime = mailwire::mime;

namespace {
std::string crlf(std::string_view lf) {
  std::string s;
  for (char c : lf) {
    if (c == '\n') s += '\r';
    s += c;
  }
  return s;
}

const std::string sample = crlf(
    "From: a@example.org\n"
    "Subject: sample\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
    "preamble\n"
    "--outer\n"
    "Content-Type: multipart/alternative; boundary=inner\n"
    "\n"
    "--inner\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "caf=C3=A9\n"
    "--inner\n"
    "Content-Type: text/html\n"
    "\n"
    "<p>caf&eacute;</p>\n"
    "--inner--\n"
    "--outer\n"
    "Content-Type: application/octet-stream; name=a.bin\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "AAECAwQ=\n"
    "--outer  \n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: inner\n"
    "\n"
    "enclosed body\n"
    "--outer--\n"
    "epilogue\n");
}  // namespace

TEST_CASE("mime message: the tree of a nested message", "[mime][message]") {
  const auto m = mime::parse(sample);
  const mime::node& r = m.root;
  CHECK(m.defects.empty());
  CHECK(r.is_multipart());
  CHECK(r.field("subject")->raw_value == " sample");
  CHECK(r.preamble == "preamble");  // its line break belongs to the first delimiter
  CHECK(r.epilogue == "epilogue\r\n");
  REQUIRE(r.parts.size() == 3);
  REQUIRE(r.parts[0].parts.size() == 2);
  CHECK(r.parts[0].parts[0].decoded_body() == "caf\xC3\xA9");
  CHECK(r.parts[0].parts[1].body == "<p>caf&eacute;</p>");
  CHECK(r.parts[1].decoded_body() == std::string("\0\1\2\3\4", 5));
  CHECK(r.parts[1].body == "AAECAwQ=");
  REQUIRE(r.parts[2].is_message());
  CHECK(r.parts[2].enclosed->body == "enclosed body");
  CHECK(r.parts[2].enclosed->info.depth == 2);
  std::vector<std::string> types;
  r.walk([&](const mime::node& n) { types.push_back(n.info.type.type + "/" + n.info.type.subtype); });
  CHECK(types == std::vector<std::string>{"multipart/mixed", "multipart/alternative", "text/plain", "text/html",
                                          "application/octet-stream", "message/rfc822", "text/plain"});
  CHECK(mime::write(r) == sample);
}

TEST_CASE("mime message: editing parts", "[mime][message]") {
  auto m = mime::parse(sample);
  m.root.parts.erase(m.root.parts.begin() + 1);  // drop the attachment
  const std::string out = mime::write(m.root);
  CHECK(out.find("AAECAwQ=") == std::string::npos);
  const auto again = mime::parse(out);
  CHECK(again.defects.empty());
  REQUIRE(again.root.parts.size() == 2);
  CHECK(again.root.parts[1].is_message());
  // A part added beyond the written delimiters gets a canonical delimiter line.
  auto m2 = mime::parse(sample);
  const std::string added = crlf("Content-Type: text/plain\n\nadded");  // the views point here
  m2.root.parts.push_back(std::move(mime::parse(added).root));
  const std::string out2 = mime::write(m2.root);
  CHECK(out2.find("enclosed body\r\n--outer\r\nContent-Type: text/plain\r\n\r\nadded\r\n--outer--\r\n") !=
        std::string::npos);
  const auto again2 = mime::parse(out2);
  REQUIRE(again2.root.parts.size() == 4);
  CHECK(again2.root.parts[3].body == "added");
}

TEST_CASE("mime message: encoded message/rfc822 is parsed from its decoded body", "[mime][message]") {
  const std::string inner = crlf("Subject: hidden\nContent-Type: text/plain\n\nsecret\n");
  const std::string msg = crlf("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n") +
                          mailwire::base64::encode(inner, mailwire::base64::encode_options::mime());
  const auto m = mime::parse(msg);
  REQUIRE(m.root.is_message());
  CHECK(m.root.enclosed->field("Subject")->raw_value == " hidden");
  CHECK(m.root.enclosed->body == "secret\r\n");
  CHECK(m.root.enclosed->info.decoded_stream);
  CHECK(mime::write(m.root) == msg);  // written as it came, encoded
  mime::parser_options o;
  o.parse_encoded_messages = false;
  CHECK_FALSE(mime::parse(msg, o).root.is_message());
}

TEST_CASE("mime message: unmodified messages write back byte for byte", "[mime][message]") {
  std::mt19937 rng(2046);
  const char* pieces[] = {"--b\r\n", "--b--\r\n", "--c\n", "\r\n", "\n", "text ", "-", "--", "\r",
                          "Content-Type: multipart/mixed; boundary=c\r\n", "Content-Type: message/rfc822\r\n",
                          "Content-Transfer-Encoding: base64\r\n", "Subject: x\r\n", " folded\r\n"};
  for (int n = 0; n < 300; ++n) {
    std::string msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    const int len = static_cast<int>(rng() % 50);
    for (int i = 0; i < len; ++i) msg += pieces[rng() % std::size(pieces)];
    CAPTURE(msg);
    CHECK(mime::write(mime::parse(msg).root) == msg);
    CHECK(mime::write(mime::parse_owned(msg).root) == msg);
  }
}

#ifdef MAILWIRE_CPYTHON_EMAIL_DATA
TEST_CASE("mime message: CPython's email test messages write back byte for byte", "[mime][message][corpus]") {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(MAILWIRE_CPYTHON_EMAIL_DATA)) {
    const std::string name = e.path().filename().string();
    if (!name.starts_with("msg_")) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string in = ss.str();
    CAPTURE(name);
    const auto m = mime::parse(in);
    CHECK(mime::write(m.root) == in);
    ++n;
  }
  CHECK(n >= 40);
}
#endif
