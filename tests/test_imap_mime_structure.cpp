// Tests of imap/mime_structure.hpp: ENVELOPE and BODYSTRUCTURE / BODY of parsed messages
// (RFC 9051 section 7.5.2), goldens written out by hand in Dovecot's form, and every result
// written back with write_envelope / write_body equal to the computed text.
#include <catch2/catch.hpp>

#include <string>

#include "mailwire/imap/mime_structure.hpp"

using namespace mailwire;

namespace {

std::string env_text(const std::string& msg) {
  const auto m = mime::parse(msg);
  const auto e = imap::envelope_of(m.root);
  std::string w;
  REQUIRE(imap::write_envelope(w, e.value) == imap::errc::ok);
  CHECK(w == *e.text);
  return *e.text;
}

std::string body_text(const std::string& msg, bool ext = true, bool lf = false) {
  const auto m = mime::parse(msg);
  imap::structure_options o;
  o.lf_to_crlf = lf;
  const auto b = imap::body_structure_of(m.root, ext, o);
  REQUIRE_FALSE(b.value.parts.empty());
  std::string w;
  REQUIRE(imap::write_body(w, b.value) == imap::errc::ok);
  CHECK(w == *b.text);
  return *b.text;
}

}  // namespace

TEST_CASE("mime structure: single text part with defaults", "[imap][imap-mime]") {
  const std::string msg = "From: a@b.example\r\nSubject: hi\r\n\r\nline 1\r\nline 2\r\n";
  CHECK(body_text(msg) == R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 16 2 NIL NIL NIL NIL))");
  CHECK(body_text(msg, false) == R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 16 2))");
  CHECK(env_text(msg) ==
        R"((NIL "hi" ((NIL NIL "a" "b.example")) ((NIL NIL "a" "b.example")) ((NIL NIL "a" "b.example")) NIL NIL NIL NIL NIL))");
}

TEST_CASE("mime structure: LF store counted as CRLF", "[imap][imap-mime]") {
  const std::string msg = "Subject: x\n\nab\ncd\n";
  CHECK(body_text(msg, false, false) == R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 2))");
  CHECK(body_text(msg, false, true) == R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 8 2))");
}

TEST_CASE("mime structure: multipart/mixed with attachment, case kept", "[imap][imap-mime]") {
  const std::string msg =
      "From: \"Ann Lee\" <ann@example.org>\r\nTo: Team: bob@example.org, c@example.org;, d@x.example\r\n"
      "Subject: =?utf-8?q?caf=C3=A9?=\r\nMessage-ID: <1@example.org>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: Multipart/Mixed; boundary=\"b1\"\r\n\r\n"
      "--b1\r\nContent-Type: TEXT/Plain; charset=UTF-8\r\nContent-Transfer-Encoding: Quoted-Printable\r\n\r\n"
      "caf=C3=A9\r\n--b1\r\nContent-Type: application/pdf; name*=utf-8''%C3%A9.pdf\r\n"
      "Content-Disposition: attachment; filename=\"a b.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Language: en, fr\r\n\r\nJVBERg==\r\n--b1--\r\n";
  CHECK(body_text(msg) ==
        R"((("TEXT" "Plain" ("charset" "UTF-8") NIL NIL "Quoted-Printable" 9 0 NIL NIL NIL NIL))"
        R"(("application" "pdf" ("name*" "utf-8''%C3%A9.pdf") NIL NIL "base64" 8 NIL ("attachment" ("filename" "a b.pdf")) ("en" "fr") NIL))"
        R"( "Mixed" ("boundary" "b1") NIL NIL NIL))");
  CHECK(env_text(msg) ==
        R"((NIL "=?utf-8?q?caf=C3=A9?=" (("Ann Lee" NIL "ann" "example.org")) (("Ann Lee" NIL "ann" "example.org")))"
        R"( (("Ann Lee" NIL "ann" "example.org")) ((NIL NIL "Team" NIL)(NIL NIL "bob" "example.org"))"
        R"((NIL NIL "c" "example.org")(NIL NIL NIL NIL)(NIL NIL "d" "x.example")) NIL NIL NIL "<1@example.org>"))");
}

TEST_CASE("mime structure: message/rfc822 nests envelope, body and lines", "[imap][imap-mime]") {
  const std::string inner = "Subject: in\r\nFrom: x@y.example (X Y)\r\n\r\nbody\r\n";
  const std::string msg = "Content-Type: message/rfc822\r\n\r\n" + inner;
  CHECK(body_text(msg, false) ==
        R"(("message" "rfc822" NIL NIL NIL "7bit" 46 (NIL "in" (("X Y" NIL "x" "y.example")) (("X Y" NIL "x" "y.example")))"
        R"( (("X Y" NIL "x" "y.example")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1) 4))");
}

TEST_CASE("mime structure: missing headers and malformed input do not fail", "[imap][imap-mime]") {
  CHECK(env_text("") == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
  CHECK(body_text("") == R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL))");
  CHECK(env_text("From: <>\r\nTo: @@@,\r\n\r\n").size() > 0);
  CHECK(body_text("Content-Type: multipart/mixed; boundary=x\r\n\r\nno parts\r\n").find("\"mixed\"") !=
        std::string::npos);
}
