// Tests of mailwire/version.hpp and the umbrella header.
#include <catch2/catch.hpp>

#include <mailwire/mailwire.hpp>

#include <string>

TEST_CASE("version: numbers and string agree", "[version]") {
  const std::string expected = std::to_string(MAILWIRE_VERSION_MAJOR) + "." +
                               std::to_string(MAILWIRE_VERSION_MINOR) + "." +
                               std::to_string(MAILWIRE_VERSION_PATCH);
  CHECK(std::string(mailwire::version_string) == expected);
  CHECK(MAILWIRE_VERSION ==
        MAILWIRE_VERSION_MAJOR * 10000 + MAILWIRE_VERSION_MINOR * 100 + MAILWIRE_VERSION_PATCH);
}
