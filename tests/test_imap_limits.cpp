// Tests of mailwire/imap/limits.hpp: defaults (issue 7 section 3) and the paired accessors.
#include <catch2/catch.hpp>

#include "mailwire/imap/limits.hpp"

TEST_CASE("imap limits: defaults and before/after authentication", "[imap][limits]") {
  mailwire::imap::limits lim;
  CHECK_FALSE(lim.authenticated);
  CHECK(lim.line() == 8192);
  CHECK(lim.nesting() == 1);
  CHECK(lim.literal() == 8192);
  lim.authenticated = true;
  CHECK(lim.line() == 65536);
  CHECK(lim.nesting() == 32);
  CHECK(lim.literal() == (std::uint64_t{1} << 30));
}
