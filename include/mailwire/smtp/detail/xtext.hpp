// mailwire/smtp/detail/xtext.hpp — xtext of RFC 3461 section 4 (used by ENVID, ORCPT, AUTH=).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mailwire/core/ascii.hpp"

namespace mailwire::smtp::detail {

/// xchar: "!" (33) to "~" (126) except "+" and "=".
[[nodiscard]] constexpr bool is_xchar(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u >= 33 && u <= 126 && c != '+' && c != '=';
}
/// HEXDIG of xtext: upper case only (RFC 3461 section 4: "0"-"9" / "A"-"F").
[[nodiscard]] constexpr int xtext_hex(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace mailwire::smtp::detail
