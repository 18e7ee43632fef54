// mailwire/imap/values.hpp — the atoms of the IMAP grammar (RFC 9051 section 9, RFC 3501
// section 9) as types valid by construction: tag, atom, strings (astring, string, nstring with
// their atom / quoted / literal / literal8 forms), numbers, capabilities, mailbox names and
// list-mailbox patterns. Sequence sets, flags and dates are in imap/sequence.hpp, imap/flag.hpp
// and imap/datetime.hpp; all share parse_result, options and literal_context from here.
//
//   using namespace mailwire::imap;
//   std::string_view msg = "a1 SELECT \"Sent Items\"\r\n";
//   auto t = parse_tag(msg);                          // t.value.text() == "a1", t.consumed == 2
//   auto m = parse_mailbox(msg.substr(10));           // quoted form, content "Sent Items"
//   std::string out;
//   (void)write_mailbox(out, m.value);                // out == "\"Sent Items\"": as written
//
// Parser shape (imap.md): parse_x(in, limits, options) parses one value at the start of `in`:
//   - status::event: `consumed` octets form the value; what follows is not read beyond the one
//     octet that ends a value delimited by its follower (atom, number...): that octet must not
//     be part of the value and is not consumed.
//   - status::need_more: `in` ends before the value does. Every proper prefix of a valid value
//     (and a delimited value with nothing after it) is need_more, never an error.
//   - status::error: `error` says why and `error_offset` where (offset in `in`).
// Values hold views into `in` (lifetime: until the buffer changes) — string contents with
// escapes are read out with string_value::append_content(). Writers append canonical bytes,
// return errc::ok, or errc::local_invalid_value (appending nothing) for a value that cannot be
// written in that place (default-constructed, or NUL outside literal8, ...).
//
// Streamed literals: a literal too big to stay in the message buffer is handed to the host by
// the framing layer (imap/framing.hpp), which leaves only its announcement "{N}\r\n" in the
// buffer and records it as a literal_span with streamed = true. Give the parsers the message's
// spans in a literal_context (options::literals): they then make a string_value with
// streamed() == true, size() == N and no content, consuming only the announcement.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/imap/detail/chars.hpp"
#include "mailwire/imap/detail/utf8.hpp"
#include "mailwire/imap/errc.hpp"
#include "mailwire/imap/framing.hpp"
#include "mailwire/imap/limits.hpp"
#include "mailwire/imap/mutf7.hpp"

namespace mailwire::imap {

/// Result of a value parser: {status, consumed, value, error, error_offset} (imap.md).
template <class T>
struct parse_result {
  status st = status::need_more;  ///< event, need_more (input ends inside the value) or error
  std::size_t consumed = 0;       ///< octets of the input that form the value (event only)
  T value{};                      ///< the value (event only); views into the input
  errc error = errc::ok;          ///< why (error only)
  std::size_t error_offset = 0;   ///< offset of the offending octet in the input (error only)
  [[nodiscard]] constexpr bool ok() const noexcept { return st == status::event; }
};

/// The literals of the message being parsed, as the framing layer found them (imap/framing.hpp:
/// frame_event::literals of message_end, with `message` = frame_event::message.data()). The
/// string parsers look up each literal they meet by the offset of its first octet; a streamed
/// one (literal_span::streamed) has no octets in the message.
struct literal_context {
  const char* message = nullptr;          ///< first octet of the message buffer
  std::span<const literal_span> literals;  ///< the message's literals, ascending offsets

  /// The literal whose first octet is (or, streamed, would be) at `p` in the message, or null.
  [[nodiscard]] const literal_span* find(const char* p) const noexcept {
    if (message == nullptr || p < message) return nullptr;
    const auto off = static_cast<std::size_t>(p - message);
    std::size_t lo = 0, hi = literals.size();
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (literals[mid].offset < off) lo = mid + 1;
      else hi = mid;
    }
    return lo < literals.size() && literals[lo].offset == off ? &literals[lo] : nullptr;
  }
};

/// Grammar options of the value parsers and writers (what the connection has enabled).
struct options {
  /// UTF-8 allowed: UTF8=ACCEPT enabled (RFC 6855 section 3) or IMAP4rev2 (RFC 9051 section 9,
  /// QUOTED-CHAR =/ UTF8-2 / UTF8-3 / UTF8-4). Quoted strings may hold well-formed UTF-8, and
  /// mailbox names are UTF-8 instead of modified UTF-7.
  bool utf8 = false;
  /// Non-synchronizing literals "{N+}" accepted (LITERAL+ / LITERAL-, RFC 7888), else
  /// non_sync_literal_not_allowed. A server response never holds one: the response parser
  /// sets this false.
  bool non_sync_literals = true;
  /// LITERAL- (RFC 7888 section 5): a non-synchronizing literal over 4096 octets is refused
  /// (non_sync_literal_too_large), and the writer sends such a literal synchronizing.
  bool literal_minus = false;
  /// literal8 "~{N}" (RFC 3516 section 4.2) accepted where a string is parsed: the command
  /// parser sets this for APPEND data, the response parser for BINARY[] values.
  bool literal8 = false;
  /// The streamed literals of the message being parsed (framing layer), or null: all inline.
  const literal_context* literals = nullptr;
};

namespace detail {

struct unchecked_t {
  explicit unchecked_t() = default;
};
inline constexpr unchecked_t unchecked{};

template <class T>
[[nodiscard]] constexpr parse_result<T> fail(errc e, std::size_t at) noexcept {
  parse_result<T> r;
  r.st = status::error;
  r.error = e;
  r.error_offset = at;
  return r;
}

template <class T>
[[nodiscard]] constexpr parse_result<T> done(T v, std::size_t consumed) noexcept {
  parse_result<T> r;
  r.st = status::event;
  r.consumed = consumed;
  r.value = v;
  return r;
}

template <class T>
[[nodiscard]] constexpr parse_result<T> more() noexcept {
  return {};
}

/// The octet right after a delimited value (atom, tag, number...) may not be 8-bit or NUL:
/// those can follow no value (RFC 9051 section 9). Returns ok, or the error for it.
[[nodiscard]] constexpr errc bad_follower(char c) noexcept {
  if (c == '\0') return errc::nul_outside_literal8;
  if (static_cast<unsigned char>(c) >= 0x80) return errc::eight_bit_not_allowed;
  return errc::ok;
}

/// Largest number64 (RFC 9051 section 9: unsigned 63-bit).
inline constexpr std::uint64_t number64_max = 0x7FFFFFFFFFFFFFFFull;

/// Reads 1*DIGIT at in[0..]; result value is the number (<= max) or an error.
[[nodiscard]] constexpr parse_result<std::uint64_t> digits(std::string_view in, std::uint64_t max,
                                                          bool nonzero) noexcept {
  if (in.empty()) return more<std::uint64_t>();
  if (in[0] < '0' || in[0] > '9') {
    const errc f = bad_follower(in[0]);
    return fail<std::uint64_t>(f != errc::ok ? f : errc::bad_number, 0);
  }
  if (nonzero && in[0] == '0') return fail<std::uint64_t>(errc::bad_number, 0);
  std::uint64_t v = 0;
  std::size_t i = 0;
  for (; i < in.size() && in[i] >= '0' && in[i] <= '9'; ++i) {
    const auto d = static_cast<std::uint64_t>(in[i] - '0');
    if (v > (max - d) / 10) return fail<std::uint64_t>(errc::number_overflow, i);
    v = v * 10 + d;
  }
  if (i == in.size()) return more<std::uint64_t>();
  if (const errc f = bad_follower(in[i]); f != errc::ok) return fail<std::uint64_t>(f, i);
  return done<std::uint64_t>(v, i);
}

/// Reads 1*<class cls> delimited by its follower.
[[nodiscard]] constexpr parse_result<std::string_view> token(std::string_view in, std::uint8_t cls,
                                                             errc bad) noexcept {
  const std::size_t n = span_of(in, cls);
  if (n == in.size()) return more<std::string_view>();
  if (const errc f = bad_follower(in[n]); f != errc::ok) return fail<std::string_view>(f, n);
  if (n == 0) return fail<std::string_view>(bad, 0);
  return done<std::string_view>(in.substr(0, n), n);
}

using ascii::append_decimal;  // core/ascii.hpp

/// Appends v as an unsigned decimal (no leading zeros) with one append (the writers' hot path).
inline void append_number(std::string& out, std::uint64_t v) {
  char buf[20];
  std::size_t i = sizeof buf;
  do {
    buf[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(buf + i, sizeof buf - i);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// tag, atom

/// A command tag: 1*<any ASTRING-CHAR except "+"> (RFC 9051 section 9 `tag`). "*" and "+" are
/// never tags: "*" is a list-wildcard and "+" is excluded.
class tag {
 public:
  constexpr tag() noexcept = default;
  /// A tag from host text, if valid.
  [[nodiscard]] static constexpr std::optional<tag> make(std::string_view s) noexcept {
    if (!detail::all_of(s, detail::c_tag)) return std::nullopt;
    return tag(s, detail::unchecked);
  }
  /// Escape hatch for text already checked; asserts in debug builds.
  [[nodiscard]] static constexpr tag unvalidated(std::string_view s) noexcept {
    assert(detail::all_of(s, detail::c_tag));
    return tag(s, detail::unchecked);
  }
  /// The tag's text; empty only for a default-constructed tag. Views the parsed input.
  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }
  /// Tags are compared octet for octet (RFC 9051 section 2.2.1).
  friend constexpr bool operator==(const tag&, const tag&) noexcept = default;

 private:
  constexpr tag(std::string_view s, detail::unchecked_t) noexcept : text_(s) {}
  std::string_view text_;
};

/// Parses a tag at the start of `in`. It must be followed by SP (not consumed); any other octet
/// after tag characters (e.g. "+", "(", CR) is errc::bad_tag at its offset (RFC 9051 section 9).
[[nodiscard]] constexpr parse_result<tag> parse_tag(std::string_view in, const limits& = {},
                                                    const options& = {}) noexcept {
  const std::size_t n = detail::span_of(in, detail::c_tag);
  if (n == in.size()) return detail::more<tag>();
  if (const errc f = detail::bad_follower(in[n]); f != errc::ok) return detail::fail<tag>(f, n);
  if (n == 0 || in[n] != ' ') return detail::fail<tag>(errc::bad_tag, n);
  return detail::done(tag::unvalidated(in.substr(0, n)), n);
}

/// Appends the tag; local_invalid_value for a default-constructed one.
[[nodiscard]] inline errc write_tag(std::string& out, const tag& t) {
  if (t.text().empty()) return errc::local_invalid_value;
  out.append(t.text());
  return errc::ok;
}

/// An atom: 1*ATOM-CHAR (RFC 9051 section 9 `atom`): CHAR except "(" ")" "{" SP CTL "%" "*"
/// DQUOTE "\" "]". Compared octet for octet; keyword comparison is the caller's (iequals).
class atom {
 public:
  constexpr atom() noexcept = default;
  /// An atom from host text, if valid.
  [[nodiscard]] static constexpr std::optional<atom> make(std::string_view s) noexcept {
    if (!detail::all_of(s, detail::c_atom)) return std::nullopt;
    return atom(s, detail::unchecked);
  }
  /// Escape hatch for text already checked; asserts in debug builds.
  [[nodiscard]] static constexpr atom unvalidated(std::string_view s) noexcept {
    assert(detail::all_of(s, detail::c_atom));
    return atom(s, detail::unchecked);
  }
  /// The atom's text; empty only when default-constructed. Views the parsed input.
  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }
  friend constexpr bool operator==(const atom&, const atom&) noexcept = default;

 private:
  constexpr atom(std::string_view s, detail::unchecked_t) noexcept : text_(s) {}
  std::string_view text_;
};

/// Parses an atom, delimited by the first octet that is not an ATOM-CHAR (not consumed; an 8-bit
/// octet or NUL there is an error: eight_bit_not_allowed / nul_outside_literal8).
[[nodiscard]] constexpr parse_result<atom> parse_atom(std::string_view in, const limits& = {},
                                                      const options& = {}) noexcept {
  const auto r = detail::token(in, detail::c_atom, errc::bad_atom);
  if (r.st != status::event) return {r.st, 0, {}, r.error, r.error_offset};
  return detail::done(atom::unvalidated(r.value), r.consumed);
}

/// Appends the atom; local_invalid_value for a default-constructed one.
[[nodiscard]] inline errc write_atom(std::string& out, const atom& a) {
  if (a.text().empty()) return errc::local_invalid_value;
  out.append(a.text());
  return errc::ok;
}

// ---------------------------------------------------------------------------------------------
// numbers

/// Parses number: 1*DIGIT, unsigned 32-bit (RFC 9051 section 9 `number`), delimited by its
/// follower. Over 4,294,967,295 is number_overflow at the digit that overflows.
[[nodiscard]] constexpr parse_result<std::uint32_t> parse_number(std::string_view in,
                                                                 const limits& = {},
                                                                 const options& = {}) noexcept {
  const auto r = detail::digits(in, 0xFFFFFFFFu, false);
  return {r.st, r.consumed, static_cast<std::uint32_t>(r.value), r.error, r.error_offset};
}
/// Parses nz-number: digit-nz *DIGIT, 32-bit (RFC 9051 section 9): "0" and "01" are bad_number.
[[nodiscard]] constexpr parse_result<std::uint32_t> parse_nz_number(std::string_view in,
                                                                    const limits& = {},
                                                                    const options& = {}) noexcept {
  const auto r = detail::digits(in, 0xFFFFFFFFu, true);
  return {r.st, r.consumed, static_cast<std::uint32_t>(r.value), r.error, r.error_offset};
}
/// Parses number64: 1*DIGIT, unsigned 63-bit (RFC 9051 section 9; MODSEQ RFC 7162).
[[nodiscard]] constexpr parse_result<std::uint64_t> parse_number64(std::string_view in,
                                                                   const limits& = {},
                                                                   const options& = {}) noexcept {
  return detail::digits(in, detail::number64_max, false);
}
/// Parses nz-number64: digit-nz *DIGIT, 63-bit (RFC 9051 section 9).
[[nodiscard]] constexpr parse_result<std::uint64_t> parse_nz_number64(std::string_view in,
                                                                      const limits& = {},
                                                                      const options& = {}) noexcept {
  return detail::digits(in, detail::number64_max, true);
}
/// Appends a number in canonical form (no leading zeros). Over 2^63-1 is local_invalid_value.
[[nodiscard]] inline errc write_number(std::string& out, std::uint64_t v) {
  if (v > detail::number64_max) return errc::local_invalid_value;
  detail::append_number(out, v);
  return errc::ok;
}

// ---------------------------------------------------------------------------------------------
// strings

/// The form a string was written in (RFC 9051 section 4.3), kept for byte-exact output.
enum class string_form : std::uint8_t {
  nil,       ///< NIL (nstring only)
  atom,      ///< 1*ASTRING-CHAR (astring), 1*list-char (list-mailbox)
  quoted,    ///< DQUOTE *QUOTED-CHAR DQUOTE
  literal,   ///< "{" number64 ["+"] "}" CRLF *CHAR8
  literal8,  ///< "~{" number64 ["+"] "}" CRLF *OCTET (RFC 3516 section 4.2)
};

namespace detail {
struct reader;
}  // namespace detail

/// A string value: astring, string or nstring (RFC 9051 sections 4.2-4.5, 9). It remembers its
/// form; a writer uses that form when it can carry the content, else the next one that can
/// (atom -> quoted -> literal). Equality compares content (and NIL-ness), not form.
class string_value {
 public:
  constexpr string_value() noexcept = default;

  /// NIL (nstring).
  [[nodiscard]] static constexpr string_value nil() noexcept { return {}; }
  /// Host text, any octets, to be written in `form` if it can carry them (else the next form).
  /// The value views `text` (lifetime: the host's buffer).
  [[nodiscard]] static constexpr string_value from_text(std::string_view text,
                                                        string_form form = string_form::quoted) noexcept {
    string_value v;
    v.raw_ = text;
    v.size_ = text.size();
    v.form_ = form == string_form::nil ? string_form::quoted : form;
    return v;
  }
  /// A literal announcement whose `size` octets the host streams itself after the writer's
  /// "{N}\r\n" (e.g. APPEND of a large message).
  [[nodiscard]] static constexpr string_value streamed_literal(std::uint64_t size, bool non_sync = false,
                                                               bool binary = false) noexcept {
    string_value v;
    v.size_ = size;
    v.form_ = binary ? string_form::literal8 : string_form::literal;
    v.non_sync_ = non_sync;
    v.streamed_ = true;
    return v;
  }
  /// Parser use: a value as written. `raw` is the atom, the text between the quotes (escapes as
  /// written), or the literal data.
  [[nodiscard]] static constexpr string_value unvalidated(std::string_view raw, string_form form,
                                                          std::uint64_t size, bool escaped,
                                                          bool non_sync, bool streamed) noexcept {
    string_value v;
    v.raw_ = raw;
    v.size_ = size;
    v.form_ = form;
    v.escaped_ = escaped;
    v.non_sync_ = non_sync;
    v.streamed_ = streamed;
    return v;
  }

  [[nodiscard]] constexpr string_form form() const noexcept { return form_; }
  /// Read by the response parser's fast path as a quoted string of 7-bit QUOTED-CHARs without
  /// escapes (only it can set this): written back between quotes without another look.
  [[nodiscard]] constexpr bool plain() const noexcept { return plain_; }
  [[nodiscard]] constexpr bool is_nil() const noexcept { return form_ == string_form::nil; }
  /// A "{N+}" literal (RFC 7888).
  [[nodiscard]] constexpr bool non_sync() const noexcept { return non_sync_; }
  /// A literal whose octets went to the host as literal_data events (no content here).
  [[nodiscard]] constexpr bool streamed() const noexcept { return streamed_; }
  /// Content size in octets (escapes removed; N for a literal, streamed or not).
  [[nodiscard]] constexpr std::uint64_t size() const noexcept { return size_; }
  /// The octets as written: atom text, quoted text with its escapes, or literal data.
  [[nodiscard]] constexpr std::string_view raw() const noexcept { return raw_; }
  /// True when the content is one view (no escapes, not streamed): see view().
  [[nodiscard]] constexpr bool contiguous() const noexcept { return !escaped_ && !streamed_; }
  /// The content when contiguous(), else empty. Views the parsed input.
  [[nodiscard]] constexpr std::string_view view() const noexcept {
    return contiguous() ? raw_ : std::string_view{};
  }
  /// Appends the content (escapes removed; nothing for NIL or a streamed literal).
  void append_content(std::string& out) const {
    if (!escaped_) {
      if (!streamed_) out.append(raw_);
      return;
    }
    for (std::size_t i = 0; i < raw_.size(); ++i) {
      if (raw_[i] == '\\') ++i;
      out.push_back(raw_[i]);
    }
  }
  /// The content as a new string.
  [[nodiscard]] std::string content() const {
    std::string s;
    append_content(s);
    return s;
  }

  /// Same NIL-ness, streamed-ness and content (streamed literals: same size).
  friend constexpr bool operator==(const string_value& a, const string_value& b) noexcept {
    if (a.is_nil() || b.is_nil()) return a.is_nil() == b.is_nil();
    if (a.streamed_ || b.streamed_) return a.streamed_ == b.streamed_ && a.size_ == b.size_;
    if (a.size_ != b.size_) return false;
    if (a.contiguous() && b.contiguous()) return a.raw_ == b.raw_;
    std::size_t i = 0, j = 0;
    while (i < a.raw_.size() && j < b.raw_.size()) {
      if (a.escaped_ && a.raw_[i] == '\\') ++i;
      if (b.escaped_ && b.raw_[j] == '\\') ++j;
      if (a.raw_[i++] != b.raw_[j++]) return false;
    }
    return i == a.raw_.size() && j == b.raw_.size();
  }

 private:
  std::string_view raw_;
  std::uint64_t size_ = 0;
  string_form form_ = string_form::nil;
  bool escaped_ = false;
  bool non_sync_ = false;
  bool streamed_ = false;
  bool plain_ = false;

  // detail::reader sets plain quoted strings (checked by plain_quoted_run) and NIL in place.
  friend struct detail::reader;
  constexpr void set(std::string_view raw, string_form form, bool plain) noexcept {
    raw_ = raw;
    size_ = raw.size();
    form_ = form;
    escaped_ = false;
    non_sync_ = false;
    streamed_ = false;
    plain_ = plain;
  }
};

namespace detail {

/// Parses quoted at in[0] == '"'.
[[nodiscard]] constexpr parse_result<string_value> parse_quoted(std::string_view in,
                                                                const options& opt) noexcept {
  std::uint64_t size = 0;
  bool escaped = false;
  std::size_t i = 1;
  while (i < in.size()) {
    const char c = in[i];
    if (c == '"') {
      return done(string_value::unvalidated(in.substr(1, i - 1), string_form::quoted, size, escaped,
                                            false, false),
                  i + 1);
    }
    if (c == '\\') {
      if (i + 1 == in.size()) return more<string_value>();
      if (in[i + 1] != '"' && in[i + 1] != '\\') return fail<string_value>(errc::bad_quoted, i + 1);
      escaped = true;
      i += 2;
      ++size;
      continue;
    }
    if (is(c, c_quoted)) {
      ++i;
      ++size;
      continue;
    }
    if (c == '\0') return fail<string_value>(errc::nul_outside_literal8, i);
    if (static_cast<unsigned char>(c) < 0x80) return fail<string_value>(errc::bad_quoted, i);  // CR, LF
    if (!opt.utf8) return fail<string_value>(errc::eight_bit_not_allowed, i);
    const utf8_char u = decode_utf8(in, i);
    if (u.length == 0) {
      // A sequence cut by the end of the input may still complete.
      const std::string_view tail = in.substr(i);
      bool prefix = tail.size() < 4;
      for (std::size_t k = 1; prefix && k < tail.size(); ++k)
        prefix = (static_cast<unsigned char>(tail[k]) & 0xC0) == 0x80;
      if (prefix) {
        const unsigned char b0 = static_cast<unsigned char>(tail[0]);
        const std::size_t need = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2;
        if (b0 >= 0xC2 && b0 <= 0xF4 && tail.size() < need) {
          // Only the second octet has a narrower range; check it when present.
          bool ok2 = true;
          if (tail.size() >= 2) {
            const unsigned char b1 = static_cast<unsigned char>(tail[1]);
            if (b0 == 0xE0) ok2 = b1 >= 0xA0;
            if (b0 == 0xED) ok2 = b1 <= 0x9F;
            if (b0 == 0xF0) ok2 = b1 >= 0x90;
            if (b0 == 0xF4) ok2 = b1 <= 0x8F;
          }
          if (ok2) return more<string_value>();
        }
      }
      return fail<string_value>(errc::bad_utf8, i);
    }
    i += u.length;
    size += u.length;
  }
  return more<string_value>();
}

/// Parses literal / literal8 at in[0] == '{' or '~'.
[[nodiscard]] inline parse_result<string_value> parse_literal(std::string_view in, const limits& lim,
                                                              const options& opt) {
  const bool binary = in[0] == '~';
  std::size_t i = 1;
  if (binary) {
    if (!opt.literal8) return fail<string_value>(errc::bad_literal, 0);
    if (i == in.size()) return more<string_value>();
    if (in[i] != '{') return fail<string_value>(errc::bad_literal, i);
    ++i;
  }
  const std::size_t digits_at = i;
  const auto n = digits(in.substr(i), number64_max, false);
  if (n.st == status::need_more) return more<string_value>();
  if (n.st == status::error) {
    return fail<string_value>(n.error == errc::number_overflow ? errc::number_overflow : errc::bad_literal,
                              i + n.error_offset);
  }
  i += n.consumed;
  bool non_sync = false;
  if (in[i] == '+') {
    if (!opt.non_sync_literals) return fail<string_value>(errc::non_sync_literal_not_allowed, i);
    non_sync = true;
    ++i;
    if (i == in.size()) return more<string_value>();
  }
  if (in[i] != '}') return fail<string_value>(errc::bad_literal, i);
  ++i;
  if (n.value > lim.literal()) return fail<string_value>(errc::literal_too_large, digits_at);
  if (non_sync && opt.literal_minus && n.value > 4096)
    return fail<string_value>(errc::non_sync_literal_too_large, digits_at);
  if (i == in.size()) return more<string_value>();
  if (in[i] != '\r') return fail<string_value>(errc::expected_crlf, i);
  if (++i == in.size()) return more<string_value>();
  if (in[i] != '\n') return fail<string_value>(errc::expected_crlf, i);
  ++i;
  const string_form form = binary ? string_form::literal8 : string_form::literal;
  if (opt.literals != nullptr) {
    if (const literal_span* s = opt.literals->find(in.data() + i); s != nullptr && s->streamed) {
      if (s->size != n.value) return fail<string_value>(errc::literal_count_mismatch, digits_at);
      return done(string_value::unvalidated({}, form, n.value, false, non_sync, true), i);
    }
  }
  if (in.size() - i < n.value) return more<string_value>();
  const std::string_view data = in.substr(i, static_cast<std::size_t>(n.value));
  if (!binary) {
    if (const std::size_t z = data.find('\0'); z != std::string_view::npos)
      return fail<string_value>(errc::nul_outside_literal8, i + z);
  }
  return done(string_value::unvalidated(data, form, n.value, false, non_sync, false),
              i + data.size());
}

/// string = quoted / literal (+ literal8 when allowed).
[[nodiscard]] inline parse_result<string_value> parse_string_at(std::string_view in, const limits& lim,
                                                                const options& opt) {
  if (in.empty()) return more<string_value>();
  if (in[0] == '"') return parse_quoted(in, opt);
  if (in[0] == '{' || in[0] == '~') return parse_literal(in, lim, opt);
  const errc f = bad_follower(in[0]);
  return fail<string_value>(f != errc::ok ? f : errc::bad_string, 0);
}

/// True if `content` can be written quoted (no CR, LF, NUL; 8-bit only as UTF-8 under utf8).
[[nodiscard]] constexpr bool quotable(std::string_view content, bool utf8) noexcept {
  for (std::size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    if (c == '\r' || c == '\n' || c == '\0') return false;
    if (static_cast<unsigned char>(c) >= 0x80) {
      if (!utf8) return false;
      const utf8_char u = decode_utf8(content, i);
      if (u.length == 0) return false;
      i += u.length - 1;
    }
  }
  return true;
}

/// Writes a string value in its form or the next one able to carry it. atom_class: the class
/// of the atom form in this place (0: no atom form).
[[nodiscard]] inline errc write_string_value(std::string& out, const string_value& v, const options& opt,
                                             std::uint8_t atom_class, bool nil_ok) {
  if (v.is_nil()) {
    if (!nil_ok) return errc::local_invalid_value;
    out.append("NIL");
    return errc::ok;
  }
  if (v.streamed()) {
    if (v.form() == string_form::literal8 && !opt.literal8) return errc::local_invalid_value;
  }
  std::string content_buf;
  std::string_view content = v.view();
  if (!v.contiguous() && !v.streamed()) {
    v.append_content(content_buf);
    content = content_buf;
  }
  string_form form = v.form();
  if (!v.streamed()) {
    if (form == string_form::atom && (atom_class == 0 || !all_of(content, atom_class)))
      form = string_form::quoted;
    if (form == string_form::quoted && !quotable(content, opt.utf8)) form = string_form::literal;
    if (form == string_form::literal && content.find('\0') != std::string_view::npos)
      form = string_form::literal8;
    if (form == string_form::literal8 && !opt.literal8) {
      if (content.find('\0') != std::string_view::npos) return errc::local_invalid_value;
      form = string_form::literal;
    }
  }
  switch (form) {
    case string_form::atom: out.append(content); return errc::ok;
    case string_form::quoted:
      out.push_back('"');
      for (char c : content) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      out.push_back('"');
      return errc::ok;
    case string_form::literal:
    case string_form::literal8: {
      const std::uint64_t n = v.streamed() ? v.size() : content.size();
      if (n > number64_max) return errc::local_invalid_value;
      const bool plus = v.non_sync() && opt.non_sync_literals && !(opt.literal_minus && n > 4096);
      if (form == string_form::literal8) out.push_back('~');
      out.push_back('{');
      append_decimal(out, n);
      if (plus) out.push_back('+');
      out.append("}\r\n");
      if (!v.streamed()) out.append(content);
      return errc::ok;
    }
    case string_form::nil: break;
  }
  return errc::local_invalid_value;
}

}  // namespace detail

/// Parses astring: 1*ASTRING-CHAR / string (RFC 9051 section 9). The atom form is delimited by
/// its follower; quoted and literal forms end with themselves.
[[nodiscard]] inline parse_result<string_value> parse_astring(std::string_view in, const limits& lim = {},
                                                              const options& opt = {}) {
  if (!in.empty() && detail::is(in[0], detail::c_astring)) {
    const auto r = detail::token(in, detail::c_astring, errc::bad_string);
    if (r.st != status::event) return {r.st, 0, {}, r.error, r.error_offset};
    return detail::done(string_value::unvalidated(r.value, string_form::atom, r.value.size(), false,
                                                  false, false),
                        r.consumed);
  }
  return detail::parse_string_at(in, lim, opt);
}

/// Parses string: quoted / literal (RFC 9051 section 9); literal8 too when options::literal8.
[[nodiscard]] inline parse_result<string_value> parse_string(std::string_view in, const limits& lim = {},
                                                             const options& opt = {}) {
  return detail::parse_string_at(in, lim, opt);
}

/// Parses nstring: string / "NIL" (case-insensitive, RFC 9051 section 9).
[[nodiscard]] inline parse_result<string_value> parse_nstring(std::string_view in, const limits& lim = {},
                                                              const options& opt = {}) {
  if (!in.empty() && (in[0] == 'N' || in[0] == 'n')) {
    constexpr std::string_view nil = "NIL";
    for (std::size_t i = 1; i < 3; ++i) {
      if (i == in.size()) return detail::more<string_value>();
      if ((in[i] & ~0x20) != nil[i]) return detail::fail<string_value>(errc::bad_string, i);
    }
    return detail::done(string_value::nil(), 3);
  }
  return detail::parse_string_at(in, lim, opt);
}

/// Appends an astring in the value's form, or the next form able to carry it. NIL (and NUL
/// without options::literal8) is local_invalid_value.
[[nodiscard]] inline errc write_astring(std::string& out, const string_value& v, const options& opt = {}) {
  return detail::write_string_value(out, v, opt, detail::c_astring, false);
}
/// Appends a string (quoted or literal; an atom-form value is written quoted).
[[nodiscard]] inline errc write_string(std::string& out, const string_value& v, const options& opt = {}) {
  return detail::write_string_value(out, v, opt, 0, false);
}
/// Appends an nstring: "NIL" or a string.
[[nodiscard]] inline errc write_nstring(std::string& out, const string_value& v, const options& opt = {}) {
  return detail::write_string_value(out, v, opt, 0, true);
}

// ---------------------------------------------------------------------------------------------
// capabilities

/// capability = ("AUTH=" auth-type) / atom (RFC 9051 section 9); names compare case-insensitively
/// (ABNF strings, RFC 5234 section 2.3; RFC 9051 section 7.2.2).
class capability {
 public:
  constexpr capability() noexcept = default;
  /// A capability from host text, if valid.
  [[nodiscard]] static constexpr std::optional<capability> make(std::string_view s) noexcept {
    if (!valid(s)) return std::nullopt;
    return capability(s);
  }
  /// Escape hatch for text already checked; asserts in debug builds.
  [[nodiscard]] static constexpr capability unvalidated(std::string_view s) noexcept {
    assert(valid(s));
    return capability(s);
  }
  /// The capability as written ("IMAP4rev2", "AUTH=PLAIN", "LITERAL+"). Views the input.
  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }
  /// True for "AUTH=" auth-type.
  [[nodiscard]] constexpr bool is_auth() const noexcept { return is_auth(text_); }
  /// The auth-type of an "AUTH=" capability (a SASL mechanism name), else empty.
  [[nodiscard]] constexpr std::string_view auth_type() const noexcept {
    return is_auth() ? text_.substr(5) : std::string_view{};
  }
  /// Case-insensitive equality with a name ("imap4rev2" == "IMAP4rev2").
  [[nodiscard]] constexpr bool is(std::string_view name) const noexcept { return iequal(text_, name); }
  friend constexpr bool operator==(const capability& a, const capability& b) noexcept {
    return iequal(a.text_, b.text_);
  }

 private:
  constexpr explicit capability(std::string_view s) noexcept : text_(s) {}
  static constexpr bool iequal(std::string_view a, std::string_view b) noexcept {
    return ascii::iequals(a, b);
  }
  static constexpr bool is_auth(std::string_view s) noexcept {
    return s.size() >= 5 && iequal(s.substr(0, 5), "AUTH=");
  }
  static constexpr bool valid(std::string_view s) noexcept {
    return detail::all_of(s, detail::c_atom) && !(is_auth(s) && s.size() == 5);
  }
  std::string_view text_;
};

/// Parses a capability (an atom; "AUTH=" must be followed by an auth-type: bad_capability).
[[nodiscard]] constexpr parse_result<capability> parse_capability(std::string_view in, const limits& = {},
                                                                  const options& = {}) noexcept {
  const auto r = detail::token(in, detail::c_atom, errc::bad_capability);
  if (r.st != status::event) return {r.st, 0, {}, r.error, r.error_offset};
  const auto c = capability::make(r.value);
  if (!c) return detail::fail<capability>(errc::bad_capability, r.consumed);
  return detail::done(*c, r.consumed);
}

/// Appends the capability as written; local_invalid_value when default-constructed.
[[nodiscard]] inline errc write_capability(std::string& out, const capability& c) {
  if (c.text().empty()) return errc::local_invalid_value;
  out.append(c.text());
  return errc::ok;
}

/// Parses auth-type = atom (RFC 9051 section 9; a SASL mechanism name, RFC 4422).
[[nodiscard]] constexpr parse_result<atom> parse_auth_type(std::string_view in, const limits& lim = {},
                                                           const options& opt = {}) noexcept {
  return parse_atom(in, lim, opt);
}

// ---------------------------------------------------------------------------------------------
// mailbox names

/// A mailbox name: mailbox = "INBOX" / astring (RFC 9051 section 9). "INBOX" in any case is the
/// inbox (RFC 9051 section 5.1): equal to every other spelling, written as spelled. Other names
/// are compared octet for octet in their wire form: canonical modified UTF-7 (RFC 3501 section
/// 5.1.3) without UTF8=ACCEPT, UTF-8 with it (RFC 6855 section 3).
class mailbox {
 public:
  constexpr mailbox() noexcept = default;
  /// A mailbox from a wire-form name (host text), if valid under `opt` (mUTF-7 or UTF-8, no
  /// CR/LF/NUL). The value views `name`.
  [[nodiscard]] static std::optional<mailbox> make(std::string_view name, const options& opt = {}) {
    if (check(name, opt).error != errc::ok) return std::nullopt;
    return mailbox(string_value::from_text(name, string_form::atom));
  }
  /// Escape hatch: a parsed string value already checked.
  [[nodiscard]] static constexpr mailbox unvalidated(const string_value& v) noexcept { return mailbox(v); }

  /// The name as a string value (its form and content as written).
  [[nodiscard]] constexpr const string_value& name() const noexcept { return name_; }
  /// True for INBOX in any case (RFC 9051 section 5.1).
  [[nodiscard]] bool is_inbox() const {
    if (name_.size() != 5 || name_.streamed()) return false;
    return ascii::iequals(name_.content(), "INBOX");
  }
  /// Appends the name as UTF-8: decodes modified UTF-7 unless `opt.utf8` (then it is UTF-8).
  [[nodiscard]] mutf7_result append_utf8(std::string& out, const options& opt = {}) const {
    const std::string c = name_.content();
    if (opt.utf8) {
      out.append(c);
      return {};
    }
    return decode_mutf7(c, out);
  }
  friend bool operator==(const mailbox& a, const mailbox& b) {
    const bool ia = a.is_inbox(), ib = b.is_inbox();
    if (ia || ib) return ia == ib;
    return a.name_ == b.name_;
  }

  /// The check of a wire-form name: mutf7_* / bad_utf8 with the offset in `name`, or
  /// bad_mailbox for CR, LF, NUL or a streamed literal.
  [[nodiscard]] static mutf7_result check(std::string_view name, const options& opt) {
    for (std::size_t i = 0; i < name.size(); ++i)
      if (name[i] == '\r' || name[i] == '\n' || name[i] == '\0') return {errc::bad_mailbox, i};
    if (opt.utf8) {
      const std::size_t k = detail::utf8_valid_prefix(name);
      if (k != name.size()) return {errc::bad_utf8, k};
      return {};
    }
    return validate_mutf7(name);
  }

 private:
  constexpr explicit mailbox(const string_value& v) noexcept : name_(v) {}
  string_value name_;
};

/// Parses a mailbox (an astring whose content is a valid name under `opt`: canonical mUTF-7, or
/// UTF-8 under options::utf8). A bad name is reported at the offending octet when the name was
/// written without escapes, else at the start of the string.
[[nodiscard]] inline parse_result<mailbox> parse_mailbox(std::string_view in, const limits& lim = {},
                                                         const options& opt = {}) {
  const auto r = parse_astring(in, lim, opt);
  if (r.st != status::event) return {r.st, 0, {}, r.error, r.error_offset};
  if (r.value.streamed()) return detail::fail<mailbox>(errc::bad_mailbox, 0);
  const std::string content = r.value.content();
  const mutf7_result c = mailbox::check(content, opt);
  if (c.error != errc::ok) {
    std::size_t at = 0;
    if (r.value.contiguous()) at = static_cast<std::size_t>(r.value.raw().data() - in.data()) + c.error_offset;
    return detail::fail<mailbox>(c.error, at);
  }
  return detail::done(mailbox::unvalidated(r.value), r.consumed);
}

/// Appends a mailbox: "INBOX" (upper case, in the value's form) for the inbox, else the name as
/// an astring in its form or the next that can carry it.
[[nodiscard]] inline errc write_mailbox(std::string& out, const mailbox& m, const options& opt = {}) {
  if (m.name().is_nil() || m.name().streamed()) return errc::local_invalid_value;
  return write_astring(out, m.name(), opt);  // INBOX keeps its spelling ("inbox" as in RFC 5258's examples)
}

/// A LIST / LSUB pattern: list-mailbox = 1*list-char / string (RFC 9051 section 9); list-char
/// adds the wildcards "%" and "*" (section 6.3.9) to ATOM-CHAR and "]".
class list_mailbox {
 public:
  constexpr list_mailbox() noexcept = default;
  /// Escape hatch: a parsed string value.
  [[nodiscard]] static constexpr list_mailbox unvalidated(const string_value& v) noexcept {
    return list_mailbox(v);
  }
  /// A pattern from host text (views it); patterns may hold any octets but CR, LF, NUL.
  [[nodiscard]] static constexpr std::optional<list_mailbox> make(std::string_view s) noexcept {
    for (char c : s)
      if (c == '\r' || c == '\n' || c == '\0') return std::nullopt;
    return list_mailbox(string_value::from_text(s, string_form::atom));
  }
  [[nodiscard]] constexpr const string_value& pattern() const noexcept { return pattern_; }
  friend constexpr bool operator==(const list_mailbox&, const list_mailbox&) noexcept = default;

 private:
  constexpr explicit list_mailbox(const string_value& v) noexcept : pattern_(v) {}
  string_value pattern_;
};

/// Parses a list-mailbox: 1*list-char (delimited by its follower) or a string.
[[nodiscard]] inline parse_result<list_mailbox> parse_list_mailbox(std::string_view in, const limits& lim = {},
                                                                   const options& opt = {}) {
  if (!in.empty() && detail::is(in[0], detail::c_list)) {
    const auto r = detail::token(in, detail::c_list, errc::bad_list_mailbox);
    if (r.st != status::event) return {r.st, 0, {}, r.error, r.error_offset};
    return detail::done(list_mailbox::unvalidated(string_value::unvalidated(
                            r.value, string_form::atom, r.value.size(), false, false, false)),
                        r.consumed);
  }
  const auto r = detail::parse_string_at(in, lim, opt);
  if (r.st != status::event) {
    return {r.st, 0, {}, r.error == errc::bad_string ? errc::bad_list_mailbox : r.error, r.error_offset};
  }
  if (r.value.streamed()) return detail::fail<list_mailbox>(errc::bad_list_mailbox, 0);
  return detail::done(list_mailbox::unvalidated(r.value), r.consumed);
}

/// Appends a list-mailbox in its form (the atom form holds list-chars) or the next that fits.
[[nodiscard]] inline errc write_list_mailbox(std::string& out, const list_mailbox& p, const options& opt = {}) {
  if (p.pattern().is_nil() || p.pattern().streamed()) return errc::local_invalid_value;
  return detail::write_string_value(out, p.pattern(), opt, detail::c_list, false);
}

}  // namespace mailwire::imap
