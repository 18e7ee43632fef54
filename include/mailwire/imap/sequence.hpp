// mailwire/imap/sequence.hpp — sequence sets (RFC 9051 section 9 `sequence-set`, RFC 3501
// section 9; "$" of SEARCHRES, RFC 5182 section 2): message sequence numbers and UIDs.
//
//   using namespace mailwire::imap;
//   auto r = parse_sequence_set("2,4:7,9,12:* ");   // event, consumed 12 (the SP is not read)
//   std::vector<seq_interval> v;
//   r.value.normalize(15, v);                      // {2,2} {4,7} {9,9} {12,15}
//   std::string out;
//   (void)write_sequence_set(out, r.value);        // "2,4:7,9,12:*": as written
//
// A set keeps the text it was written in (ranges in their order, "5:3" not flipped), so the
// writer reproduces it byte for byte; normalize() gives sorted, merged intervals with "*"
// resolved, and for_each_number() iterates them up to a host-chosen count. "0", "01", "1:",
// ",1", "1,,2" and "$,1" are errors (nz-number, RFC 9051 section 9).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/imap/values.hpp"

namespace mailwire::imap {

/// seq-number = nz-number / "*" (RFC 9051 section 9); 0 stands for "*" (the largest number in use).
struct seq_number {
  std::uint32_t n = 0;  ///< 1..2^32-1, or 0 for "*"
  [[nodiscard]] constexpr bool is_star() const noexcept { return n == 0; }
  /// The number, with "*" replaced by `largest`.
  [[nodiscard]] constexpr std::uint32_t resolve(std::uint32_t largest) const noexcept {
    return n == 0 ? largest : n;
  }
  friend constexpr bool operator==(const seq_number&, const seq_number&) noexcept = default;
};

/// One element of a set as written: seq-number (first == last, single) or seq-range.
struct seq_range {
  seq_number first, last;
  bool single = true;  ///< written as one seq-number
  friend constexpr bool operator==(const seq_range&, const seq_range&) noexcept = default;
};

/// A closed interval of numbers [first, last], first <= last, both >= 1.
struct seq_interval {
  std::uint32_t first = 1, last = 1;
  friend constexpr bool operator==(const seq_interval&, const seq_interval&) noexcept = default;
};

/// A sequence-set as written, or "$" (RFC 5182: the result of the last SEARCH).
class sequence_set {
 public:
  constexpr sequence_set() noexcept = default;
  /// Parser use / escape hatch: `raw` must be a valid sequence-set of `count` elements, or "$".
  [[nodiscard]] static constexpr sequence_set unvalidated(std::string_view raw, std::size_t count) noexcept {
    sequence_set s;
    s.raw_ = raw;
    s.count_ = count;
    return s;
  }
  /// The set as written. Views the parsed input.
  [[nodiscard]] constexpr std::string_view raw() const noexcept { return raw_; }
  /// Number of elements (0 for "$" and for a default-constructed set).
  [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
  /// True for "$" (SEARCHRES, RFC 5182 section 2).
  [[nodiscard]] constexpr bool is_last_command() const noexcept { return raw_ == "$"; }

  /// Calls f(seq_range) for each element in written order.
  template <class F>
  constexpr void for_each(F&& f) const {
    std::size_t i = 0;
    if (is_last_command()) return;
    while (i < raw_.size()) {
      seq_range r;
      r.first = read(i);
      r.last = r.first;
      if (i < raw_.size() && raw_[i] == ':') {
        ++i;
        r.last = read(i);
        r.single = false;
      }
      f(r);
      if (i < raw_.size()) ++i;  // ','
    }
  }
  /// True if n is in the set, "*" meaning `largest` (RFC 9051 section 9: "*" is the largest
  /// number in use; a range is from the lower to the higher of its ends).
  [[nodiscard]] constexpr bool contains(std::uint32_t n, std::uint32_t largest) const {
    bool found = false;
    for_each([&](const seq_range& r) {
      const std::uint32_t a = r.first.resolve(largest), b = r.last.resolve(largest);
      if (n >= std::min(a, b) && n <= std::max(a, b)) found = true;
    });
    return found;
  }
  /// Replaces `out` with the sorted, merged intervals of the set, "*" meaning `largest` (>= 1).
  /// Never expands ranges: out.size() <= size().
  void normalize(std::uint32_t largest, std::vector<seq_interval>& out) const {
    out.clear();
    out.reserve(count_);
    for_each([&](const seq_range& r) {
      const std::uint32_t a = r.first.resolve(largest), b = r.last.resolve(largest);
      out.push_back({std::min(a, b), std::max(a, b)});
    });
    std::sort(out.begin(), out.end(),
              [](const seq_interval& x, const seq_interval& y) { return x.first < y.first; });
    std::size_t k = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (k != 0 && out[i].first <= out[k - 1].last + std::uint64_t{1}) {
        out[k - 1].last = std::max(out[k - 1].last, out[i].last);
      } else {
        out[k++] = out[i];
      }
    }
    out.resize(k);
  }
  /// Calls f(n) for each distinct number of the set in ascending order, "*" meaning `largest`,
  /// and returns true; returns false without calling f when there are over `max_count` numbers.
  template <class F>
  bool for_each_number(std::uint32_t largest, std::uint64_t max_count, F&& f) const {
    std::vector<seq_interval> v;
    normalize(largest, v);
    std::uint64_t total = 0;
    for (const auto& iv : v) total += std::uint64_t{iv.last} - iv.first + 1;
    if (total > max_count) return false;
    for (const auto& iv : v)
      for (std::uint64_t n = iv.first; n <= iv.last; ++n) f(static_cast<std::uint32_t>(n));
    return true;
  }
  /// Same elements as written (the text is canonical for a given list of elements).
  friend constexpr bool operator==(const sequence_set& a, const sequence_set& b) noexcept {
    return a.raw_ == b.raw_;
  }

 private:
  constexpr seq_number read(std::size_t& i) const noexcept {
    if (raw_[i] == '*') {
      ++i;
      return {};
    }
    std::uint32_t v = 0;
    while (i < raw_.size() && raw_[i] >= '0' && raw_[i] <= '9') v = v * 10 + static_cast<std::uint32_t>(raw_[i++] - '0');
    return {v};
  }
  std::string_view raw_;
  std::size_t count_ = 0;
};

namespace detail {

/// seq-number at in[0..]: nz-number / "*". need_more when the input ends inside or right after
/// it (a ":" or "," or digit may follow).
[[nodiscard]] constexpr parse_result<seq_number> parse_seq_number(std::string_view in) noexcept {
  if (in.empty()) return more<seq_number>();
  if (in[0] == '*') {
    if (in.size() == 1) return more<seq_number>();
    return done(seq_number{}, 1);
  }
  if (in[0] < '0' || in[0] > '9') {
    const errc f = bad_follower(in[0]);
    return fail<seq_number>(f != errc::ok ? f : errc::bad_sequence_set, 0);
  }
  const auto r = digits(in, 0xFFFFFFFFu, true);
  if (r.st == status::error)
    return fail<seq_number>(r.error == errc::bad_number ? errc::bad_sequence_set : r.error, r.error_offset);
  if (r.st == status::need_more) return more<seq_number>();
  return done(seq_number{static_cast<std::uint32_t>(r.value)}, r.consumed);
}

}  // namespace detail

/// Parses a sequence-set (or "$"), delimited by the first octet after an element that is not
/// ":" or "," (not consumed). More than limits::sequence_ranges elements is too_many_ranges.
[[nodiscard]] constexpr parse_result<sequence_set> parse_sequence_set(std::string_view in,
                                                                      const limits& lim = {},
                                                                      const options& = {}) noexcept {
  if (in.empty()) return detail::more<sequence_set>();
  if (in[0] == '$') {  // delimited like the other forms: the octet after it is looked at
    if (in.size() == 1) return detail::more<sequence_set>();
    if (in[1] == ',' || in[1] == ':' || (in[1] >= '0' && in[1] <= '9') || in[1] == '*')
      return detail::fail<sequence_set>(errc::bad_sequence_set, 1);
    if (const errc f = detail::bad_follower(in[1]); f != errc::ok) return detail::fail<sequence_set>(f, 1);
    return detail::done(sequence_set::unvalidated(in.substr(0, 1), 0), 1);
  }
  std::size_t i = 0, count = 0;
  for (;;) {
    if (count == lim.sequence_ranges) {
      if (i == in.size()) return detail::more<sequence_set>();
      return detail::fail<sequence_set>(errc::too_many_ranges, i);
    }
    auto a = detail::parse_seq_number(in.substr(i));
    if (a.st != status::event) return {a.st, 0, {}, a.error, i + a.error_offset};
    i += a.consumed;
    if (in[i] == ':') {
      ++i;
      auto b = detail::parse_seq_number(in.substr(i));
      if (b.st != status::event) return {b.st, 0, {}, b.error, i + b.error_offset};
      i += b.consumed;
    }
    ++count;
    if (in[i] != ',') break;
    ++i;
  }
  return detail::done(sequence_set::unvalidated(in.substr(0, i), count), i);
}

/// A sequence set from host text (the whole of `s`), if valid.
[[nodiscard]] constexpr std::optional<sequence_set> make_sequence_set(std::string_view s,
                                                                      const limits& lim = {}) noexcept {
  // Parse s followed by a virtual delimiter: the parser only needs to see one octet past a
  // trailing number or "*", so check the last element by hand.
  if (s.empty()) return std::nullopt;
  std::size_t i = 0, count = 0;
  if (s == "$") return sequence_set::unvalidated(s, 0);
  while (i < s.size()) {
    for (int part = 0; part < 2; ++part) {
      if (i == s.size()) return std::nullopt;
      if (s[i] == '*') {
        ++i;
      } else {
        if (s[i] < '1' || s[i] > '9') return std::nullopt;
        std::uint64_t v = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
          v = v * 10 + static_cast<std::uint64_t>(s[i++] - '0');
          if (v > 0xFFFFFFFFu) return std::nullopt;
        }
      }
      if (part == 0 && i < s.size() && s[i] == ':') {
        ++i;
        continue;
      }
      break;
    }
    if (++count > lim.sequence_ranges) return std::nullopt;
    if (i == s.size()) break;
    if (s[i] != ',' || i + 1 == s.size()) return std::nullopt;
    ++i;
  }
  return sequence_set::unvalidated(s, count);
}

/// Appends the set as written; local_invalid_value when default-constructed.
[[nodiscard]] inline errc write_sequence_set(std::string& out, const sequence_set& s) {
  if (s.raw().empty()) return errc::local_invalid_value;
  out.append(s.raw());
  return errc::ok;
}

/// Appends the canonical set of `intervals` (each first <= last, both >= 1): "a" or "a:b",
/// comma separated, in the given order. Empty or invalid intervals: local_invalid_value.
[[nodiscard]] inline errc write_sequence_set(std::string& out, std::span<const seq_interval> intervals) {
  if (intervals.empty()) return errc::local_invalid_value;
  for (const auto& iv : intervals)
    if (iv.first == 0 || iv.last < iv.first) return errc::local_invalid_value;
  bool first = true;
  for (const auto& iv : intervals) {
    if (!first) out.push_back(',');
    first = false;
    detail::append_decimal(out, iv.first);
    if (iv.last != iv.first) {
      out.push_back(':');
      detail::append_decimal(out, iv.last);
    }
  }
  return errc::ok;
}

}  // namespace mailwire::imap
