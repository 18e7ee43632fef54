// Tests of mailwire/imap/errc.hpp: names, BAD hints, std::error_code integration.
#include <catch2/catch.hpp>

#include <string>
#include <system_error>

#include "mailwire/imap/errc.hpp"

using mailwire::imap::errc;

TEST_CASE("imap errc: every value has a name and a BAD text", "[imap][errc]") {
  // Values are dense from ok: the first unnamed one ends the enum (later blocks included).
  int v = 1;
  for (; v < 256 && to_string(static_cast<errc>(v)) != "unknown IMAP error"; ++v) {
    const auto e = static_cast<errc>(v);
    INFO(v);
    CHECK_FALSE(bad_hint(e).empty());
    CHECK(bad_hint(e).find('\r') == std::string_view::npos);
    CHECK(bad_hint(e).find('\n') == std::string_view::npos);
  }
  CHECK(v > static_cast<int>(errc::local_state));
  CHECK(bad_hint(errc::literal_too_large) == "[TOOBIG] Literal too large");
  CHECK(bad_hint(errc::line_too_long).substr(0, 8) == "[TOOBIG]");
  CHECK(bad_hint(errc::nesting_too_deep).substr(0, 11) == "[CLIENTBUG]");
}

TEST_CASE("imap errc: std::error_code", "[imap][errc]") {
  std::error_code ec = errc::bad_tag;
  CHECK(ec);
  CHECK(std::string(ec.category().name()) == "mailwire.imap");
  CHECK(ec.message() == "invalid tag");
  std::error_code ok = errc::ok;
  CHECK_FALSE(ok);
  CHECK(ec == make_error_code(errc::bad_tag));
}
