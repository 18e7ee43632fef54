// mailwire/version.hpp — the library's version, as numbers and as a string.
#pragma once

#define MAILWIRE_VERSION_MAJOR 0
#define MAILWIRE_VERSION_MINOR 1
#define MAILWIRE_VERSION_PATCH 0
/// MAJOR * 10000 + MINOR * 100 + PATCH, for preprocessor comparisons.
#define MAILWIRE_VERSION 100

namespace mailwire {
/// The version of the headers in use, "MAJOR.MINOR.PATCH".
inline constexpr const char* version_string = "0.1.0";
}  // namespace mailwire
