// mailwire/imap/detail/framing_scan.hpp — the small recognizers of imap/framing.hpp: a literal
// announcement at the end of a line (RFC 9051 section 9 `literal`, RFC 3516 `literal8`, RFC 7888
// `{N+}`), read backward from a buffered line or forward octet by octet (while a failed message
// is dropped and its lines are not kept), and the client-side test for a status response or a
// continuation request, whose text can hold no literal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mailwire::imap::detail {

/// The largest literal size: number64 (RFC 9051 section 9), 2^63 - 1.
inline constexpr std::uint64_t max_literal_size = 0x7FFFFFFFFFFFFFFFull;

/// A literal announcement found at the end of a line.
struct announcement {
  bool found = false;     ///< the line ends with ["~"] "{" 1*DIGIT ["+"] "}"
  bool plus = false;      ///< "{N+}": non-synchronizing (RFC 7888)
  bool binary = false;    ///< "~{N}": literal8 (RFC 3516)
  bool overflow = false;  ///< N > 2^63 - 1
  std::uint64_t size = 0; ///< N (when not overflow)
  std::size_t start = 0;  ///< index in the line of "~" or "{"
};

[[nodiscard]] constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Adds one decimal digit to `v`, setting `overflow` past max_literal_size.
constexpr void add_digit(std::uint64_t& v, bool& overflow, char c) noexcept {
  const auto d = static_cast<std::uint64_t>(c - '0');
  if (overflow || v > (max_literal_size - d) / 10) {
    overflow = true;
    return;
  }
  v = v * 10 + d;
}

/// The announcement at the end of `line` (the line without its CRLF or bare LF), read backward:
/// only the announcement's own octets are looked at.
[[nodiscard]] constexpr announcement parse_announcement(std::string_view line) noexcept {
  announcement a;
  std::size_t i = line.size();
  if (i < 3 || line[i - 1] != '}') return a;
  --i;  // line[i] == '}'
  bool plus = false;
  if (line[i - 1] == '+') {
    plus = true;
    --i;
  }
  std::size_t j = i;
  while (j > 0 && is_digit(line[j - 1])) --j;
  if (j == i || j == 0 || line[j - 1] != '{') return a;
  a.found = true;
  a.plus = plus;
  a.start = j - 1;
  if (a.start > 0 && line[a.start - 1] == '~') {
    a.binary = true;
    --a.start;
  }
  for (std::size_t k = j; k < i; ++k) add_digit(a.size, a.overflow, line[k]);
  if (a.overflow) a.size = 0;
  return a;
}

/// The same recognizer fed forward one octet at a time (no buffer): after the octets of a
/// line up to its LF (excluded), result() equals parse_announcement() of those octets without
/// a final CR. `start_offset` is a stream offset instead of an index.
class announcement_tracker {
 public:
  constexpr void reset() noexcept { *this = announcement_tracker{}; }

  constexpr void feed(char c, std::uint64_t offset) noexcept {
    if (c == '{') {
      st_ = st::open;
      a_ = announcement{};
      a_.binary = prev_ == '~';
      start_offset_ = a_.binary ? offset - 1 : offset;
    } else if (is_digit(c) && (st_ == st::open || st_ == st::digits)) {
      add_digit(a_.size, a_.overflow, c);
      st_ = st::digits;
    } else if (c == '+' && st_ == st::digits) {
      a_.plus = true;
      st_ = st::plus;
    } else if (c == '}' && (st_ == st::digits || st_ == st::plus)) {
      st_ = st::close;
    } else if (c == '\r' && st_ == st::close) {
      st_ = st::close_cr;
    } else {
      st_ = st::none;
    }
    prev_ = c;
  }

  /// The last octet fed (0 before any): tells a CRLF from a bare LF.
  [[nodiscard]] constexpr char prev() const noexcept { return prev_; }
  /// The announcement the line ends with (the CR before the LF, if any, is not part of it).
  [[nodiscard]] constexpr announcement result() const noexcept {
    announcement a;
    if (st_ != st::close && st_ != st::close_cr) return a;
    a = a_;
    a.found = true;
    if (a.overflow) a.size = 0;
    return a;
  }
  /// Stream offset of the "~" or "{" of result().
  [[nodiscard]] constexpr std::uint64_t start_offset() const noexcept { return start_offset_; }

 private:
  enum class st : std::uint8_t { none, open, digits, plus, close, close_cr };
  st st_ = st::none;
  char prev_ = 0;
  announcement a_{};
  std::uint64_t start_offset_ = 0;
};

/// Client side: is the first line of a response a continuation request ("+", RFC 9051 section
/// 7.5) or a status response (tag or "*", then OK / NO / BAD / BYE / PREAUTH, section 7.1)?
/// Their text is resp-text, which holds no literal, so "{5}" at its end is text. Fed forward;
/// decides after the second word.
class status_line_classifier {
 public:
  constexpr void reset() noexcept { *this = status_line_classifier{}; }
  [[nodiscard]] constexpr bool decided() const noexcept { return st_ == st::yes || st_ == st::no; }

  constexpr void feed(char c) noexcept {
    switch (st_) {
      case st::first:
        st_ = c == '+' ? st::yes : (c == ' ' || c == '\r' || c == '\n') ? st::no : st::word1;
        break;
      case st::word1:
        if (c == ' ') st_ = st::word2;
        else if (c == '\r' || c == '\n') st_ = st::no;
        break;
      case st::word2:
        if (c == ' ' || c == '\r' || c == '\n') {
          st_ = is_status(std::string_view(word_, len_)) ? st::yes : st::no;
        } else if (len_ == sizeof word_) {
          st_ = st::no;
        } else {
          word_[len_++] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        }
        break;
      case st::yes:
      case st::no: break;
    }
  }

  /// The answer at the end of the line (undecided counts as the end of the second word).
  [[nodiscard]] constexpr bool finish() noexcept {
    if (!decided()) feed('\n');
    return st_ == st::yes;
  }

 private:
  [[nodiscard]] static constexpr bool is_status(std::string_view w) noexcept {
    return w == "OK" || w == "NO" || w == "BAD" || w == "BYE" || w == "PREAUTH";
  }
  enum class st : std::uint8_t { first, word1, word2, yes, no };
  st st_ = st::first;
  std::uint8_t len_ = 0;
  char word_[7] = {};
};

}  // namespace mailwire::imap::detail
