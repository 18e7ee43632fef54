// mailwire/core.hpp — the shared vocabulary: status, results, errors, limits, ASCII classes,
// line framing and SIMD dispatch.
#pragma once

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/cpu.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/limits.hpp"
#include "mailwire/core/line.hpp"
#include "mailwire/core/result.hpp"
#include "mailwire/core/status.hpp"
