// Tests of mailwire/fmt.hpp (built only when fmt is available).
#include <catch2/catch.hpp>

#if __has_include(<fmt/format.h>)
#include <mailwire/codec/base64.hpp>
#include <mailwire/fmt.hpp>

TEST_CASE("fmt: enums print by name, results with offsets", "[fmt]") {
  CHECK(fmt::format("{}", mailwire::status::paused) == "paused");
  CHECK(fmt::format("{}", mailwire::simd::level::avx2) == "avx2");
  CHECK(fmt::format("{}", mailwire::base64::errc::bad_padding) == "bad base64 padding");
  CHECK(fmt::format("[{:>9}]", mailwire::status::event) == "[    event]");
  std::string out;
  auto r = mailwire::base64::decode("Zm9v!", out, {.strict = true});
  CHECK(fmt::format("{}", r) == "error(invalid base64 character @4)");
  r = mailwire::base64::decode("Zm9v", out);
  CHECK(fmt::format("{}", r) == "event (consumed 4, produced 3)");
}
#endif
