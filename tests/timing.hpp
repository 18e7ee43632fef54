// Test helper: time limits of the "hostile input stays fast" tests. The limits are for
// optimized builds; sanitizer builds (the clang++ ASan + UBSan stage of scripts/test.sh, built
// with -O1) get 10 times more, since the point there is memory safety, not speed.
#pragma once

namespace mwtest {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr long time_factor = 10;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
inline constexpr long time_factor = 10;
#else
inline constexpr long time_factor = 1;
#endif
#else
inline constexpr long time_factor = 1;
#endif

}  // namespace mwtest
