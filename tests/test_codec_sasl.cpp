// Tests of mailwire/codec/sasl.hpp: PLAIN (RFC 4616) and LOGIN helpers.
#include <catch2/catch.hpp>

#include <string>

#include "mailwire/codec/sasl.hpp"

namespace sasl = mailwire::sasl;

TEST_CASE("sasl PLAIN: RFC 4616 section 4 examples and RFC 4954 section 4", "[sasl]") {
  // RFC 4954 section 4 example: authzid "" , authcid "tim", passwd "tanstaaftanstaaf".
  CHECK(sasl::encode_plain("", "tim", "tanstaaftanstaaf") == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
  const auto c = sasl::decode_plain("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
  REQUIRE(c);
  CHECK(c->authzid.empty());
  CHECK(c->authcid == "tim");
  CHECK(c->password == "tanstaaftanstaaf");
  // RFC 4616 section 4: "Kurt" acting as "Ursel".
  const std::string b = sasl::encode_plain("Ursel", "Kurt", "xipj3plmq");
  const auto d = sasl::decode_plain(b);
  REQUIRE(d);
  CHECK(*d == sasl::plain_credentials{"Ursel", "Kurt", "xipj3plmq"});
}

TEST_CASE("sasl PLAIN: malformed messages are refused", "[sasl]") {
  CHECK_FALSE(sasl::decode_plain("!!!!"));                                  // not base64
  CHECK_FALSE(sasl::decode_plain("AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"));     // line break: not strict
  CHECK_FALSE(sasl::decode_plain(sasl::encode_base64(std::string("tim\0pw", 6))));  // one NUL
  CHECK_FALSE(sasl::decode_plain(sasl::encode_base64(std::string("\0\0pw", 4))));   // empty authcid
  CHECK_FALSE(sasl::decode_plain(sasl::encode_base64(std::string("\0tim\0", 5))));  // empty password
  CHECK_FALSE(sasl::decode_plain(sasl::encode_base64(std::string("\0a\0b\0c", 6))));  // three NULs
  CHECK(sasl::encode_plain("", std::string("t\0m", 3), "pw").empty());
  CHECK(sasl::plain_message("", "tim", std::string("p\0w", 3)).empty());
}

TEST_CASE("sasl PLAIN: the unencoded message (RFC 4616 section 2)", "[sasl]") {
  CHECK(sasl::plain_message("", "tim", "tanstaaftanstaaf") == std::string("\0tim\0tanstaaftanstaaf", 21));
  CHECK(sasl::plain_message("Ursel", "Kurt", "xipj3plmq") == std::string("Ursel\0Kurt\0xipj3plmq", 20));
  CHECK(sasl::encode_base64(sasl::plain_message("", "tim", "tanstaaftanstaaf")) == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
}

TEST_CASE("sasl LOGIN challenges and base64 helpers", "[sasl]") {
  std::string s;
  REQUIRE(sasl::decode_base64(sasl::login_username_challenge, s));
  CHECK(s == "Username:");
  REQUIRE(sasl::decode_base64(sasl::login_password_challenge, s));
  CHECK(s == "Password:");
  REQUIRE(sasl::decode_base64(sasl::encode_base64("secret"), s));
  CHECK(s == "secret");
  CHECK(sasl::decode_base64("", s));
  CHECK(s.empty());
  CHECK_FALSE(sasl::decode_base64("c2VjcmV0=", s));  // bad padding
}
