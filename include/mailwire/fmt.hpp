// mailwire/fmt.hpp — optional fmt::formatter specialisations for mailwire's enums and results.
// The only mailwire header that includes fmt; include it only if your program uses fmt.
//
//   #include <mailwire/fmt.hpp>
//   fmt::print("{} at offset {}\n", r.error, r.error_offset);  // "invalid base64 character at ..."
//   fmt::print("{}\n", r);                                      // "error(invalid base64 character @4)"
#pragma once

#include <fmt/format.h>

#include <string_view>
#include <type_traits>

#include "mailwire/core/cpu.hpp"
#include "mailwire/core/result.hpp"
#include "mailwire/core/status.hpp"

namespace mailwire::detail {
/// Enums that print through their ADL `to_string()`: status, simd::level and every errc.
template <class T>
concept printable_enum = std::is_enum_v<T> && requires(T v) {
  { to_string(v) } -> std::convertible_to<std::string_view>;
} && (std::is_same_v<T, status> || std::is_same_v<T, simd::level> ||
      requires(T v) { category_name(v); });
}  // namespace mailwire::detail

template <mailwire::detail::printable_enum E>
struct fmt::formatter<E> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(E v, Ctx& ctx) const -> decltype(ctx.out()) {
    return fmt::formatter<std::string_view>::format(std::string_view(to_string(v)), ctx);
  }
};

/// A codec step: "need_more (consumed 10, produced 7)" or "error(<reason> @<offset>)".
template <class E>
struct fmt::formatter<mailwire::codec_result<E>> {
  constexpr auto parse(fmt::format_parse_context& ctx) -> decltype(ctx.begin()) {
    return ctx.begin();
  }
  template <class Ctx>
  auto format(const mailwire::codec_result<E>& r, Ctx& ctx) const -> decltype(ctx.out()) {
    if (r.st == mailwire::status::error)
      return fmt::format_to(ctx.out(), "error({} @{})", to_string(r.error), r.error_offset);
    return fmt::format_to(ctx.out(), "{} (consumed {}, produced {})", to_string(r.st),
                          r.consumed, r.produced);
  }
};
