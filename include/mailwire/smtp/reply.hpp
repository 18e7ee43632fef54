// mailwire/smtp/reply.hpp — SMTP replies (RFC 5321 section 4.2), single and multi-line, with
// enhanced status codes (RFC 3463, RFC 2034): a parser over a host buffer and a serializer.
//
//   Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//                   Reply-code [ SP textstring ] CRLF
//   Reply-code = %x32-35 %x30-35 %x30-39
//   textstring = 1*(%d09 / %d32-126)
//
//   namespace smtp = mailwire::smtp;
//   auto r = smtp::parse_reply(buf, {}, {.enhanced_status_codes = true});
//   if (r.st == mailwire::status::need_more) { /* read more into buf */ }
//   else if (r.st == mailwire::status::event) {
//     int code = r.value.code;                          // 250
//     for (std::string_view text : r.value.lines()) use(text);
//     buf.erase(0, r.consumed);                         // pipelined replies stay in buf
//   } else { /* r.error at r.error_offset */ }
//
//   std::string out;
//   std::string_view lines[] = {"mail.example.org", "PIPELINING"};
//   auto e = smtp::append_reply(out, 250, std::nullopt, lines);   // "250-mail...\r\n250 PIPE..."
//
// Strict by default: CRLF line endings, text of HT and printable ASCII, the same code on every
// line. Each leniency is a named option, off by default. Views returned by the parser point
// into the buffer given to parse_reply() and are valid until that buffer changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "mailwire/core/error.hpp"
#include "mailwire/core/line.hpp"
#include "mailwire/core/status.hpp"

namespace mailwire::smtp {

/// Why a reply (or an EHLO reply, smtp/ehlo.hpp) is malformed or cannot be written. The lead
/// merges these into smtp::errc later.
enum class reply_errc : std::uint8_t {
  ok = 0,             ///< no error
  bad_code,           ///< not a Reply-code: 3 digits, 2-5 then 0-5 then 0-9 (RFC 5321 4.2, 4.2.1)
  bad_separator,      ///< after the code comes neither SP, "-" nor the line end
  code_mismatch,      ///< a line of a multi-line reply has another code (RFC 5321 4.2.1)
  empty_text,         ///< "250 " CRLF: SP without text (textstring is 1*char); see allow_empty_text
  invalid_character,  ///< a byte outside textstring (CR, NUL, controls; 8-bit unless allowed)
  bare_lf,            ///< a line ends with LF alone (RFC 5321 2.3.8); see allow_bare_lf
  line_too_long,      ///< a line passes limits::max_line (RFC 5321 4.5.3.1.5: 512 with CRLF)
  too_many_lines,     ///< more lines than limits::max_lines
  reply_too_large,    ///< more bytes than limits::max_bytes
  bad_ehlo_keyword,   ///< an EHLO line whose keyword is not ALPHA/DIGIT *(ALPHA/DIGIT/"-")
  bad_ehlo_param,     ///< an EHLO parameter that is empty, not printable or not a valid value
  not_ehlo_success,   ///< the EHLO reply's code is not 250 (RFC 5321 4.1.1.1)
  local_bad_code,     ///< host misuse: the serializer got an invalid code or enhanced code
  local_bad_text,     ///< host misuse: text with CR, LF, NUL or another byte the parser refuses
  local_no_lines,     ///< host misuse: a reply needs at least one line
};

[[nodiscard]] constexpr std::string_view to_string(reply_errc e) noexcept {
  switch (e) {
    case reply_errc::ok: return "ok";
    case reply_errc::bad_code: return "bad reply code";
    case reply_errc::bad_separator: return "bad separator after the reply code";
    case reply_errc::code_mismatch: return "reply lines with different codes";
    case reply_errc::empty_text: return "space without text after the reply code";
    case reply_errc::invalid_character: return "invalid character in reply text";
    case reply_errc::bare_lf: return "reply line ends with a bare LF";
    case reply_errc::line_too_long: return "reply line too long";
    case reply_errc::too_many_lines: return "too many reply lines";
    case reply_errc::reply_too_large: return "reply too large";
    case reply_errc::bad_ehlo_keyword: return "bad EHLO keyword";
    case reply_errc::bad_ehlo_param: return "bad EHLO parameter";
    case reply_errc::not_ehlo_success: return "EHLO reply code is not 250";
    case reply_errc::local_bad_code: return "invalid reply code given to the serializer";
    case reply_errc::local_bad_text: return "invalid reply text given to the serializer";
    case reply_errc::local_no_lines: return "a reply needs at least one line";
  }
  return "unknown reply error";
}
[[nodiscard]] constexpr const char* category_name(reply_errc) noexcept {
  return "mailwire.smtp.reply";
}
[[nodiscard]] inline std::error_code make_error_code(reply_errc e) noexcept {
  return make_code(e);
}

/// Limits of one reply (DESIGN.md section 6).
struct reply_limits {
  std::size_t max_line = 512;          ///< octets per line with CRLF (RFC 5321 4.5.3.1.5)
  std::size_t max_lines = 100;         ///< lines per reply
  std::size_t max_bytes = 64 * 1024;   ///< octets per reply, line endings included
};

/// Parser options. Every leniency is off by default.
struct reply_options {
  /// RFC 2034: read "class.subject.detail" at the start of every line as the enhanced code.
  /// Turn on when the server announced ENHANCEDSTATUSCODES.
  bool enhanced_status_codes = false;
  /// Accept LF alone as a line end. Risk: a peer and a proxy may then see different replies.
  bool allow_bare_lf = false;
  /// Accept "250 " CRLF (SP with no text), which some servers send.
  bool allow_empty_text = false;
  /// Accept bytes 0x80-0xFF in text (UTF-8 or Latin-1 greetings). Controls stay refused.
  bool allow_8bit_text = false;
};

/// An enhanced status code, class.subject.detail (RFC 3463 section 2): class 2, 4 or 5,
/// subject and detail 0-999.
struct enhanced_code {
  std::uint8_t cls = 2;
  std::uint16_t subject = 0;
  std::uint16_t detail = 0;
  friend constexpr bool operator==(const enhanced_code&, const enhanced_code&) = default;
  /// Valid per RFC 3463 section 2 (class 2/4/5, 1-3 digit numbers).
  [[nodiscard]] constexpr bool valid() const noexcept {
    return (cls == 2 || cls == 4 || cls == 5) && subject <= 999 && detail <= 999;
  }
};

namespace detail {

/// textstring bytes of RFC 5321 4.2: HT and %d32-126.
[[nodiscard]] constexpr bool reply_text_byte(unsigned char c, bool allow_8bit) noexcept {
  return c == '\t' || (c >= 32 && c <= 126) || (allow_8bit && c >= 128);
}

/// Reads "d.ddd.ddd" at the start of `s`, followed by SP or the end. Returns its length, 0 if none.
[[nodiscard]] constexpr std::size_t reply_parse_enhanced(std::string_view s,
                                                         enhanced_code& e) noexcept {
  std::size_t i = 0;
  if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return 0;
  e.cls = static_cast<std::uint8_t>(s[0] - '0');
  i = 2;
  std::uint16_t part[2] = {0, 0};
  for (int k = 0; k < 2; ++k) {
    std::size_t d = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && d < 4) {
      part[k] = static_cast<std::uint16_t>(part[k] * 10 + (s[i] - '0'));
      ++i;
      ++d;
    }
    if (d == 0 || d > 3) return 0;
    if (k == 0) {
      if (i >= s.size() || s[i] != '.') return 0;
      ++i;
    }
  }
  if (i < s.size() && s[i] != ' ') return 0;
  e.subject = part[0];
  e.detail = part[1];
  return i;
}

[[nodiscard]] constexpr bool reply_code_digits(char a, char b, char c) noexcept {
  return a >= '2' && a <= '5' && b >= '0' && b <= '5' && c >= '0' && c <= '9';
}

}  // namespace detail

/// The texts of a reply's lines, without code, separator, enhanced code or line end.
/// Views into the parsed buffer (valid until it changes).
class reply_lines {
 public:
  class iterator {
   public:
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::forward_iterator_tag;
    iterator() = default;
    iterator(std::string_view rest, std::size_t skip) noexcept : rest_(rest), skip_(skip) {
      read();
    }
    [[nodiscard]] std::string_view operator*() const noexcept { return cur_; }
    iterator& operator++() noexcept {
      rest_.remove_prefix(next_);
      read();
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator t = *this;
      ++*this;
      return t;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.rest_.size() == b.rest_.size();
    }

   private:
    void read() noexcept {
      if (rest_.empty()) return;
      const void* lf = std::memchr(rest_.data(), '\n', rest_.size());
      std::size_t end = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - rest_.data())
                           : rest_.size();
      next_ = lf ? end + 1 : end;
      if (end > 0 && rest_[end - 1] == '\r') --end;
      std::size_t b = end > 3 ? 4 : end;
      if (skip_ != 0) {
        b += skip_;
        if (b < end && rest_[b] == ' ') ++b;
      }
      if (b > end) b = end;
      cur_ = rest_.substr(b, end - b);
    }
    std::string_view rest_{}, cur_{};
    std::size_t skip_ = 0, next_ = 0;
  };

  reply_lines() = default;
  reply_lines(std::string_view raw, std::size_t skip, std::size_t n) noexcept
      : raw_(raw), skip_(skip), n_(n) {}
  [[nodiscard]] iterator begin() const noexcept { return {raw_, skip_}; }
  [[nodiscard]] iterator end() const noexcept { return {raw_.substr(raw_.size()), skip_}; }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  [[nodiscard]] bool empty() const noexcept { return n_ == 0; }
  [[nodiscard]] std::string_view front() const noexcept { return *begin(); }

 private:
  std::string_view raw_{};
  std::size_t skip_ = 0, n_ = 0;
};

/// One SMTP reply (RFC 5321 section 4.2). Views into the parsed buffer, valid until it changes.
struct reply {
  int code = 0;                           ///< Reply-code, 200-559
  std::optional<enhanced_code> enhanced;  ///< RFC 3463 code carried by every line, if read
  std::string_view raw;                   ///< all lines as received, line ends included
  std::size_t line_count = 0;             ///< lines in raw (at least 1)
  std::size_t enhanced_length = 0;        ///< octets of the enhanced code on each line (0: none)

  /// The text of each line, without code, separator, enhanced code (and its SP) or line end.
  [[nodiscard]] reply_lines lines() const noexcept {
    return {raw, enhanced ? enhanced_length : 0, line_count};
  }
  /// First digit of the code: 2 positive, 3 intermediate, 4 transient, 5 permanent (4.2.1).
  [[nodiscard]] constexpr int kind() const noexcept { return code / 100; }
  /// Same code, enhanced code and line texts (the raw bytes may differ).
  friend bool operator==(const reply& a, const reply& b) noexcept {
    if (a.code != b.code || a.enhanced != b.enhanced || a.line_count != b.line_count) return false;
    auto x = a.lines(), y = b.lines();
    auto i = x.begin();
    for (auto j = y.begin(); j != y.end(); ++i, ++j)
      if (*i != *j) return false;
    return true;
  }
};

/// Result of parse_reply() (DESIGN.md section 3).
struct reply_result {
  status st = status::need_more;  ///< event: `value` is ready; need_more; error
  std::size_t consumed = 0;       ///< event: octets of the reply (remove them from the buffer)
  reply value{};                  ///< event only
  reply_errc error = reply_errc::ok;
  std::size_t error_offset = 0;   ///< offset in `in` of the offending octet
};

/// Parses one complete reply from the start of `in` (RFC 5321 section 4.2). need_more until
/// the final line has arrived; nothing is consumed then. Stateless: call again with the same
/// bytes plus the new ones.
[[nodiscard]] inline reply_result parse_reply(std::string_view in, const reply_limits& lim = {},
                                              const reply_options& opt = {}) noexcept {
  reply_result r;
  auto fail = [&](reply_errc e, std::size_t off) {
    r.st = status::error;
    r.error = e;
    r.error_offset = off;
    return r;
  };
  const std::size_t max_text = lim.max_line >= 2 ? lim.max_line - 2 : 0;
  std::size_t p = 0, lines = 0;
  int code = 0;
  for (;;) {
    if (lines == lim.max_lines) return fail(reply_errc::too_many_lines, p);
    const std::string_view rest = in.substr(p);
    const line_find_result f = find_line(rest, max_text);
    if (f.st == status::error) return fail(reply_errc::line_too_long, p + max_text + 1);
    if (f.st == status::need_more) {
      if (in.size() >= lim.max_bytes) return fail(reply_errc::reply_too_large, lim.max_bytes);
      return r;
    }
    const std::string_view line = rest.substr(0, f.length);
    const std::size_t end = p + f.length + f.ending_size();
    if (end > lim.max_bytes) return fail(reply_errc::reply_too_large, lim.max_bytes);
    // Code.
    for (std::size_t k = 0; k < 3; ++k) {
      const char c = k < line.size() ? line[k] : '\r';
      const bool ok = k == 0 ? (c >= '2' && c <= '5') : k == 1 ? (c >= '0' && c <= '5')
                                                               : (c >= '0' && c <= '9');
      if (!ok) return fail(reply_errc::bad_code, p + k);
    }
    const int c = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (lines == 0) code = c;
    else if (c != code) return fail(reply_errc::code_mismatch, p);
    bool last = true;
    if (line.size() > 3) {
      if (line[3] == '-') last = false;
      else if (line[3] != ' ') return fail(reply_errc::bad_separator, p + 3);
      else if (line.size() == 4 && !opt.allow_empty_text) return fail(reply_errc::empty_text, p + 4);
      for (std::size_t k = 4; k < line.size(); ++k)
        if (!detail::reply_text_byte(static_cast<unsigned char>(line[k]), opt.allow_8bit_text))
          return fail(reply_errc::invalid_character, p + k);
    }
    if (f.ending == line_ending::lf && !opt.allow_bare_lf)
      return fail(reply_errc::bare_lf, p + f.length);
    ++lines;
    p = end;
    if (last) break;
  }
  r.st = status::event;
  r.consumed = p;
  r.value.code = code;
  r.value.raw = in.substr(0, p);
  r.value.line_count = lines;
  if (opt.enhanced_status_codes) {
    // RFC 2034 section 3: every line carries the code; read it only when all lines agree.
    reply_lines texts(r.value.raw, 0, lines);
    std::string_view first;
    enhanced_code e{};
    bool all = true;
    for (std::string_view t : texts) {
      enhanced_code x{};
      const std::size_t n = detail::reply_parse_enhanced(t, x);
      if (n == 0 || x.cls != code / 100 || (!first.empty() && t.substr(0, n) != first)) {
        all = false;
        break;
      }
      if (first.empty()) {
        first = t.substr(0, n);
        e = x;
      }
    }
    if (all) {
      r.value.enhanced = e;
      r.value.enhanced_length = first.size();
    }
  }
  return r;
}

/// A valid Reply-code (RFC 5321 4.2): 2-5, 0-5, 0-9.
[[nodiscard]] constexpr bool valid_reply_code(int code) noexcept {
  return code >= 200 && code <= 559 && (code / 10) % 10 <= 5;
}

/// Appends a reply to `out` (RFC 5321 4.2): one line per text, the same code on each, the
/// enhanced code (RFC 2034) first on each when given. Nothing is split; on error nothing is
/// appended. Text must be textstring bytes (no CR, LF, NUL; 8-bit only with allow_8bit) and
/// each line must fit `max_line` octets with CRLF.
[[nodiscard]] inline reply_errc append_reply(std::string& out, int code,
                                             std::optional<enhanced_code> enhanced,
                                             std::span<const std::string_view> lines,
                                             bool allow_8bit = false,
                                             std::size_t max_line = 512) noexcept {
  if (!valid_reply_code(code)) return reply_errc::local_bad_code;
  if (enhanced && (!enhanced->valid() || enhanced->cls != code / 100))
    return reply_errc::local_bad_code;
  if (lines.empty()) return reply_errc::local_no_lines;
  char enh[16];
  std::size_t enh_len = 0;
  if (enhanced) {
    auto put = [&](unsigned v) {
      char d[3];
      int n = 0;
      do {
        d[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
      } while (v != 0);
      while (n > 0) enh[enh_len++] = d[--n];
    };
    put(enhanced->cls);
    enh[enh_len++] = '.';
    put(enhanced->subject);
    enh[enh_len++] = '.';
    put(enhanced->detail);
  }
  std::size_t total = 0;
  for (std::string_view t : lines) {
    for (char ch : t)
      if (!detail::reply_text_byte(static_cast<unsigned char>(ch), allow_8bit))
        return reply_errc::local_bad_text;
    const std::size_t len = 4 + enh_len + (enh_len && !t.empty() ? 1 : 0) + t.size() + 2;
    if (len > max_line) return reply_errc::line_too_long;
    total += len;
  }
  out.reserve(out.size() + total);
  const char digits[3] = {static_cast<char>('0' + code / 100),
                          static_cast<char>('0' + code / 10 % 10),
                          static_cast<char>('0' + code % 10)};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const bool last = i + 1 == lines.size();
    const std::string_view t = lines[i];
    out.append(digits, 3);
    if (last && enh_len == 0 && t.empty()) {
      out += "\r\n";  // "250" CRLF: no SP without text
      continue;
    }
    out += last ? ' ' : '-';
    if (enh_len) {
      out.append(enh, enh_len);
      if (!t.empty()) out += ' ';
    }
    out.append(t);
    out += "\r\n";
  }
  return reply_errc::ok;
}

/// append_reply() for a single line.
[[nodiscard]] inline reply_errc append_reply(std::string& out, int code,
                                             std::optional<enhanced_code> enhanced,
                                             std::string_view text) noexcept {
  return append_reply(out, code, enhanced, std::span<const std::string_view>(&text, 1));
}

/// Appends a parsed reply in canonical form (CRLF, one SP, the enhanced code when read).
/// May allocate for replies of more than 128 lines.
[[nodiscard]] inline reply_errc append_reply(std::string& out, const reply& r,
                                             bool allow_8bit = false) {
  std::string_view buf[128];
  if (r.line_count == 0) return reply_errc::local_no_lines;
  if (r.line_count > 128) {
    // Rare: copy the line views into a heap array.
    std::vector<std::string_view> v;
    v.reserve(r.line_count);
    for (std::string_view t : r.lines()) v.push_back(t);
    return append_reply(out, r.code, r.enhanced, std::span<const std::string_view>(v.data(), v.size()),
                        allow_8bit, SIZE_MAX);
  }
  std::size_t n = 0;
  for (std::string_view t : r.lines()) buf[n++] = t;
  return append_reply(out, r.code, r.enhanced, std::span<const std::string_view>(buf, n),
                      allow_8bit, SIZE_MAX);
}

}  // namespace mailwire::smtp

template <>
struct std::is_error_code_enum<mailwire::smtp::reply_errc> : std::true_type {};
