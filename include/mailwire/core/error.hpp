// mailwire/core/error.hpp — std::error_code integration shared by every `errc` enum.
//
// Each codec or protocol declares `enum class errc` in its own namespace together with two
// ADL-visible functions, `to_string(errc)` and `category_name(errc)`, and then
//
//   inline std::error_code make_error_code(errc e) noexcept { return mailwire::make_code(e); }
//   template <> struct std::is_error_code_enum<mailwire::base64::errc> : std::true_type {};
//
// so that `std::error_code ec = base64::errc::invalid_character;` works (as Beast's
// impl/error.hpp). Value 0 of every errc is `ok`, which is "no error" for std::error_code too.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace mailwire {
namespace detail {

/// One std::error_category per errc enum; names and messages come from the enum's own
/// `category_name()` and `to_string()`.
template <class E>
class enum_error_category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return category_name(E{}); }
  [[nodiscard]] std::string message(int ev) const override {
    return std::string(to_string(static_cast<E>(ev)));
  }
};

}  // namespace detail

/// The unique category object of errc enum E.
template <class E>
[[nodiscard]] const std::error_category& error_category_of() noexcept {
  static_assert(std::is_enum_v<E>);
  static const detail::enum_error_category<E> category;
  return category;
}

/// std::error_code for any mailwire errc value.
template <class E>
[[nodiscard]] std::error_code make_code(E e) noexcept {
  return {static_cast<int>(e), error_category_of<E>()};
}

}  // namespace mailwire
