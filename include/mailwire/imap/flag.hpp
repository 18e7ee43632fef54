// mailwire/imap/flag.hpp — message flags and keywords (RFC 9051 section 2.3.2 and section 9
// `flag`, `flag-fetch`, `flag-perm`, `flag-list`; RFC 3501 the same with "\Recent").
//
//   using namespace mailwire::imap;
//   auto r = parse_flag_list("(\\Seen $Forwarded) ");   // event, consumed 18
//   r.value.for_each([](const flag& f) { /* f.kind(): seen, then keyword */ });
//   std::string out;
//   (void)write_flag_list(out, r.value);                 // "(\\Seen $Forwarded)": as written
//
// System flags ("\Seen" ...) and "\*" are ABNF strings, case-insensitive (RFC 5234 section
// 2.3): flag_kind tells them apart from keywords (atoms) and flag-extensions ("\" atom).
// Flags keep their spelling for byte-exact output and compare case-insensitively (servers
// treat keywords so too). "\Recent" is a system flag of IMAP4rev1 only; IMAP4rev2 lists it as
// obsolete-flag-recent in flag-fetch: both parse it as flag_kind::recent. "\*" (flag-perm, in
// PERMANENTFLAGS only) is accepted by parse_flag_perm() and parse_flag_list(.., perm = true).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/imap/values.hpp"

namespace mailwire::imap {

/// What a flag is (RFC 9051 section 2.3.2).
enum class flag_kind : std::uint8_t {
  answered,   ///< \Answered
  flagged,    ///< \Flagged
  deleted,    ///< \Deleted
  seen,       ///< \Seen
  draft,      ///< \Draft
  recent,     ///< \Recent (RFC 3501; obsolete in RFC 9051)
  wildcard,   ///< \* (flag-perm: the client may create keywords)
  keyword,    ///< flag-keyword = atom ("$Forwarded", "$Junk", "NonJunk" ...)
  extension,  ///< flag-extension = "\" atom (future system flags)
};

/// One flag as written.
class flag {
 public:
  constexpr flag() noexcept = default;
  /// A flag from host text ("\\Seen", "$Junk"; "\\*" too), if valid. Views `s`.
  [[nodiscard]] static constexpr std::optional<flag> make(std::string_view s) noexcept {
    if (s == "\\*") return flag(s, flag_kind::wildcard);
    const bool backslash = !s.empty() && s[0] == '\\';
    const std::string_view name = backslash ? s.substr(1) : s;
    if (!detail::all_of(name, detail::c_atom)) return std::nullopt;
    return flag(s, backslash ? system_kind(name) : flag_kind::keyword);
  }
  /// The flag as written ("\\Seen", "\\SEEN", "$Forwarded"). Views the input.
  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }
  [[nodiscard]] constexpr flag_kind kind() const noexcept { return kind_; }
  /// One of the five system flags of RFC 9051 or \Recent.
  [[nodiscard]] constexpr bool is_system() const noexcept { return kind_ <= flag_kind::recent; }
  /// Case-insensitive equality (ABNF strings; keyword comparison as Dovecot and Cyrus do).
  friend constexpr bool operator==(const flag& a, const flag& b) noexcept {
    return a.kind_ == b.kind_ && ascii::iequals(a.text_, b.text_);
  }

 private:
  constexpr flag(std::string_view s, flag_kind k) noexcept : text_(s), kind_(k) {}
  static constexpr flag_kind system_kind(std::string_view n) noexcept {
    if (ascii::iequals(n, "Answered")) return flag_kind::answered;
    if (ascii::iequals(n, "Flagged")) return flag_kind::flagged;
    if (ascii::iequals(n, "Deleted")) return flag_kind::deleted;
    if (ascii::iequals(n, "Seen")) return flag_kind::seen;
    if (ascii::iequals(n, "Draft")) return flag_kind::draft;
    if (ascii::iequals(n, "Recent")) return flag_kind::recent;
    return flag_kind::extension;
  }
  std::string_view text_;
  flag_kind kind_ = flag_kind::keyword;
};

namespace detail {

[[nodiscard]] constexpr parse_result<flag> parse_flag_any(std::string_view in, bool perm) noexcept {
  if (in.empty()) return more<flag>();
  std::size_t start = 0;
  if (in[0] == '\\') {
    if (in.size() == 1) return more<flag>();
    if (in[1] == '*') {
      if (!perm) return fail<flag>(errc::bad_flag, 1);
      return done(*flag::make(in.substr(0, 2)), 2);
    }
    start = 1;
  }
  const auto r = token(in.substr(start), c_atom, errc::bad_flag);
  if (r.st != status::event) return {r.st, 0, {}, r.error, start + r.error_offset};
  return done(*flag::make(in.substr(0, start + r.consumed)), start + r.consumed);
}

}  // namespace detail

/// Parses flag (RFC 9051 section 9; flag-fetch too: "\Recent" is flag_kind::recent), delimited by
/// its follower. "\*" is bad_flag here.
[[nodiscard]] constexpr parse_result<flag> parse_flag(std::string_view in, const limits& = {},
                                                      const options& = {}) noexcept {
  return detail::parse_flag_any(in, false);
}
/// Parses flag-perm = flag / "\*" (RFC 9051 section 9, PERMANENTFLAGS).
[[nodiscard]] constexpr parse_result<flag> parse_flag_perm(std::string_view in, const limits& = {},
                                                           const options& = {}) noexcept {
  return detail::parse_flag_any(in, true);
}
/// Appends the flag as written; local_invalid_value when default-constructed.
[[nodiscard]] inline errc write_flag(std::string& out, const flag& f) {
  if (f.text().empty()) return errc::local_invalid_value;
  out.append(f.text());
  return errc::ok;
}

/// A flag-list as written: "(" [flag *(SP flag)] ")" (RFC 9051 section 9).
class flag_list {
 public:
  constexpr flag_list() noexcept = default;
  /// Parser use / escape hatch: `raw` must be a valid flag list (parentheses included).
  [[nodiscard]] static constexpr flag_list unvalidated(std::string_view raw, std::size_t count) noexcept {
    flag_list l;
    l.raw_ = raw;
    l.count_ = count;
    return l;
  }
  /// The list as written, parentheses included. Views the input.
  [[nodiscard]] constexpr std::string_view raw() const noexcept { return raw_; }
  /// Number of flags.
  [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
  /// Calls f(flag) for each flag in written order.
  template <class F>
  constexpr void for_each(F&& f) const {
    if (raw_.size() < 2) return;
    const std::string_view body = raw_.substr(1, raw_.size() - 2);
    std::size_t i = 0;
    while (i < body.size()) {
      std::size_t j = body.find(' ', i);
      if (j == std::string_view::npos) j = body.size();
      f(*flag::make(body.substr(i, j - i)));
      i = j + 1;
    }
  }
  /// True if the list holds `x` (case-insensitive).
  [[nodiscard]] constexpr bool contains(const flag& x) const {
    bool found = false;
    for_each([&](const flag& f) { found = found || f == x; });
    return found;
  }
  /// Same flags in the same order (case-insensitive).
  friend constexpr bool operator==(const flag_list& a, const flag_list& b) noexcept {
    return a.count_ == b.count_ && ascii::iequals(a.raw_, b.raw_);
  }

 private:
  std::string_view raw_;
  std::size_t count_ = 0;
};

/// Parses a flag-list; `perm` also accepts "\*" (the PERMANENTFLAGS list). Exactly one SP
/// between flags; more than limits::list_items flags is list_too_long.
[[nodiscard]] constexpr parse_result<flag_list> parse_flag_list(std::string_view in, const limits& lim = {},
                                                                const options& = {},
                                                                bool perm = false) noexcept {
  if (in.empty()) return detail::more<flag_list>();
  if (in[0] != '(') return detail::fail<flag_list>(errc::bad_flag, 0);
  std::size_t i = 1, count = 0;
  if (i == in.size()) return detail::more<flag_list>();
  if (in[i] != ')') {
    for (;;) {
      if (count == lim.list_items) return detail::fail<flag_list>(errc::list_too_long, i);
      const auto f = detail::parse_flag_any(in.substr(i), perm);
      if (f.st != status::event) return {f.st, 0, {}, f.error, i + f.error_offset};
      i += f.consumed;
      ++count;
      if (i == in.size()) return detail::more<flag_list>();
      if (in[i] == ')') break;
      if (in[i] != ' ') return detail::fail<flag_list>(errc::bad_flag, i);
      if (++i == in.size()) return detail::more<flag_list>();
    }
  }
  return detail::done(flag_list::unvalidated(in.substr(0, i + 1), count), i + 1);
}

/// Appends the list as written; local_invalid_value when default-constructed.
[[nodiscard]] inline errc write_flag_list(std::string& out, const flag_list& l) {
  if (l.raw().size() < 2) return errc::local_invalid_value;
  out.append(l.raw());
  return errc::ok;
}
/// Appends "(" flags joined by SP ")"; local_invalid_value (nothing appended) if one is
/// default-constructed.
[[nodiscard]] inline errc write_flag_list(std::string& out, std::span<const flag> flags) {
  for (const flag& f : flags)
    if (f.text().empty()) return errc::local_invalid_value;
  out.push_back('(');
  for (std::size_t k = 0; k < flags.size(); ++k) {
    if (k) out.push_back(' ');
    out.append(flags[k].text());
  }
  out.push_back(')');
  return errc::ok;
}

}  // namespace mailwire::imap
