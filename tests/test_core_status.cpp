// Tests of mailwire/core/status.hpp, result.hpp and error.hpp.
#include <catch2/catch.hpp>

#include <mailwire/core/error.hpp>
#include <mailwire/core/result.hpp>
#include <mailwire/core/status.hpp>

#include <string>
#include <system_error>

namespace demo {
enum class errc : std::uint8_t { ok = 0, broken, worse };
constexpr std::string_view to_string(errc e) noexcept {
  return e == errc::broken ? "broken" : e == errc::worse ? "worse" : "ok";
}
constexpr const char* category_name(errc) noexcept { return "mailwire.demo"; }
inline std::error_code make_error_code(errc e) noexcept { return mailwire::make_code(e); }
}  // namespace demo
template <>
struct std::is_error_code_enum<demo::errc> : std::true_type {};

TEST_CASE("status: names", "[core][status]") {
  CHECK(mailwire::to_string(mailwire::status::event) == "event");
  CHECK(mailwire::to_string(mailwire::status::need_more) == "need_more");
  CHECK(mailwire::to_string(mailwire::status::paused) == "paused");
  CHECK(mailwire::to_string(mailwire::status::error) == "error");
}

TEST_CASE("error: errc enums become std::error_code with their own category", "[core][error]") {
  std::error_code ec = demo::errc::worse;
  CHECK(ec);
  CHECK(ec.value() == 2);
  CHECK(std::string(ec.category().name()) == "mailwire.demo");
  CHECK(ec.message() == "worse");
  CHECK(ec == demo::errc::worse);
  CHECK(ec != demo::errc::broken);
  CHECK(&ec.category() == &mailwire::error_category_of<demo::errc>());
  CHECK_FALSE(std::error_code(demo::errc::ok));
}

TEST_CASE("result: ok() is false only for errors", "[core][result]") {
  mailwire::codec_result<demo::errc> r;
  CHECK(r.ok());
  CHECK(r.st == mailwire::status::need_more);
  r.st = mailwire::status::paused;
  CHECK(r.ok());
  r.st = mailwire::status::error;
  r.error = demo::errc::broken;
  CHECK_FALSE(r.ok());
}
