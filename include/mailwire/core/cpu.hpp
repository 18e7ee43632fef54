// mailwire/core/cpu.hpp — runtime choice of SIMD code paths.
//
// Codecs with SIMD paths (base64, quoted-printable) pick the best one the CPU supports at run
// time (`__attribute__((target))` + a CPU check; DESIGN.md section 10). A host, or a test that
// must exercise every path, can cap the choice:
//
//   mailwire::simd::set_limit(mailwire::simd::level::scalar);  // portable code only
//   mailwire::simd::set_limit(mailwire::simd::level::best);    // back to automatic
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MAILWIRE_X86_SIMD 1
#else
#define MAILWIRE_X86_SIMD 0
#endif

#if defined(__aarch64__) && defined(__ARM_NEON)
#define MAILWIRE_NEON 1
#else
#define MAILWIRE_NEON 0
#endif

namespace mailwire::simd {

/// Instruction-set levels, ordered: a cap at one level allows every level below it.
enum class level : std::uint8_t {
  scalar = 0,      ///< portable C++ only
  neon = 1,        ///< AArch64 Advanced SIMD
  avx2 = 2,        ///< x86-64 AVX2 (Haswell, Zen 1 and later)
  avx512vbmi = 3,  ///< x86-64 AVX-512 F/BW/VL + VBMI + VBMI2 (Ice Lake, Zen 4 and later)
  best = 255,      ///< no cap: whatever the CPU has
};

[[nodiscard]] constexpr std::string_view to_string(level l) noexcept {
  switch (l) {
    case level::scalar: return "scalar";
    case level::neon: return "neon";
    case level::avx2: return "avx2";
    case level::avx512vbmi: return "avx512vbmi";
    case level::best: return "best";
  }
  return "unknown";
}

/// The best level this CPU supports (computed once).
[[nodiscard]] inline level detected() noexcept {
  static const level l = [] {
#if MAILWIRE_X86_SIMD
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi") &&
        __builtin_cpu_supports("avx512vbmi2"))
      return level::avx512vbmi;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2")) return level::avx2;
    return level::scalar;
#elif MAILWIRE_NEON
    return level::neon;
#else
    return level::scalar;
#endif
  }();
  return l;
}

namespace detail {
inline std::atomic<level>& limit_ref() noexcept {
  static std::atomic<level> l{level::best};
  return l;
}
}  // namespace detail

/// Caps the level every codec may use from now on (level::best removes the cap).
inline void set_limit(level l) noexcept { detail::limit_ref().store(l, std::memory_order_relaxed); }

/// The current cap.
[[nodiscard]] inline level limit() noexcept {
  return detail::limit_ref().load(std::memory_order_relaxed);
}

/// The level codecs use now: the detected level, capped by set_limit().
[[nodiscard]] inline level active() noexcept {
  const level d = detected();
  const level cap = limit();
  return static_cast<std::uint8_t>(cap) < static_cast<std::uint8_t>(d) ? cap : d;
}

}  // namespace mailwire::simd
