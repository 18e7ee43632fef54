// Tests of mailwire/core/cpu.hpp: the SIMD level cap.
#include <catch2/catch.hpp>

#include <mailwire/core/cpu.hpp>

using mailwire::simd::level;

TEST_CASE("cpu: the cap lowers the active level and level::best lifts it", "[core][cpu]") {
  const level d = mailwire::simd::detected();
  INFO("detected " << mailwire::simd::to_string(d));
  CHECK(mailwire::simd::active() == d);
  mailwire::simd::set_limit(level::scalar);
  CHECK(mailwire::simd::active() == level::scalar);
  CHECK(mailwire::simd::limit() == level::scalar);
  mailwire::simd::set_limit(level::avx512vbmi);
  CHECK(static_cast<int>(mailwire::simd::active()) <= static_cast<int>(level::avx512vbmi));
  mailwire::simd::set_limit(level::best);
  CHECK(mailwire::simd::active() == d);
  CHECK(mailwire::simd::to_string(level::avx2) == "avx2");
}
