// mailwire/rfc5322/header.hpp — the header block of a message or MIME entity (RFC 5322
// sections 2.2 and 3.6, obsolete syntax of section 4.5, RFC 6532 raw UTF-8), read field by field.
//
// The parser works on a buffer the host owns: pass the bytes not consumed yet (plus any new
// ones) and get one event at a time. It never copies or allocates; views point into `in` and
// are valid until the host changes that buffer. Feeding byte by byte stays linear: the parser
// remembers how far it has scanned the pending field.
//
//   mailwire::rfc5322::header_parser hp;
//   for (;;) {
//     auto s = hp.next(buf, at_eof);
//     if (s.st == mailwire::status::need_more) { /* read more into buf */ continue; }
//     buf.erase(0, s.consumed);
//     if (s.kind == header_event::field) use(s.field.name, s.field.raw_value);
//     else if (s.kind == header_event::defect) log(s.defect);
//     else break;                                     // header_event::end: the body starts here
//   }
//
// Rules (shared with mailwire-inspect, spec/inspect-mime-json.md):
// - Lines end with CRLF or a bare LF. A field continues on lines that start with SP or HTAB.
// - An empty line ends the header block; so does the end of the input (no empty line needed).
// - `Name WSP* ":"` starts a field (RFC 5322 section 4.5, obs-optional allows the WSP).
// - A first line "From ..." without a colon (an mbox separator) is skipped with a defect.
// - Any other line that is not a field ends the header block: it is the first body line
//   (defect missing_colon), as Python's email and GMime do.
// - A continuation line before the first field is skipped with a defect.
// - Over a limit (header bytes, field count), the rest is body (defect), never an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/status.hpp"

namespace mailwire::rfc5322 {

/// Irregularities of a header block. None stops parsing: each is reported as a defect event.
enum class header_errc : std::uint8_t {
  ok = 0,                ///< no defect
  missing_colon,         ///< a line that is not a field ended the header block (it starts the body)
  leading_continuation,  ///< a continuation line before the first field was skipped
  unix_from_line,        ///< an mbox "From " line at the start was skipped
  empty_field_name,      ///< a line starting with ':' was skipped
  header_too_large,      ///< limits::max_bytes reached: the rest is treated as body
  too_many_fields,       ///< limits::max_fields reached: the rest is treated as body
};

[[nodiscard]] constexpr std::string_view to_string(header_errc e) noexcept {
  switch (e) {
    case header_errc::ok: return "ok";
    case header_errc::missing_colon: return "header line without a colon";
    case header_errc::leading_continuation: return "continuation line before the first field";
    case header_errc::unix_from_line: return "mbox From line in the header";
    case header_errc::empty_field_name: return "empty header field name";
    case header_errc::header_too_large: return "header block too large";
    case header_errc::too_many_fields: return "too many header fields";
  }
  return "unknown header defect";
}
[[nodiscard]] constexpr const char* category_name(header_errc) noexcept {
  return "mailwire.rfc5322.header";
}
[[nodiscard]] inline std::error_code make_error_code(header_errc e) noexcept {
  return make_code(e);
}

/// A defect and the stream offset of the line it concerns.
struct header_defect {
  header_errc code = header_errc::ok;
  std::uint64_t offset = 0;
};

/// Limits of one header block (DESIGN.md section 6). Past a limit the rest is body.
struct header_limits {
  std::size_t max_bytes = 1u << 20;  ///< bytes of the block, line breaks included (1 MiB)
  std::size_t max_fields = 10000;    ///< fields per block
};

/// One header field (RFC 5322 section 2.2) as it appears in the input. Views into the buffer
/// given to header_parser::next(), valid until that buffer changes.
struct header_field {
  std::string_view name;       ///< field-name as written, without WSP before the colon
  std::string_view raw_value;  ///< after the colon up to the field's last line break (excluded);
                               ///< folding line breaks are kept (see unfold())
  std::uint64_t offset = 0;    ///< stream offset of the field's first byte
  std::size_t size = 0;        ///< bytes of the field, final line break included

  /// Case-insensitive name test (field names are case-insensitive, section 1.2.2).
  [[nodiscard]] constexpr bool is(std::string_view n) const noexcept {
    return ascii::iequals(name, n);
  }
};

/// What a header_parser event is.
enum class header_event : std::uint8_t {
  field,   ///< a header field (header_step::field)
  defect,  ///< an irregularity (header_step::problem); parsing goes on
  end,     ///< the end of the header block: the body starts here
};

/// One step of header_parser::next().
struct header_step {
  status st = status::need_more;  ///< event (see kind) or need_more
  header_event kind = header_event::end;
  std::size_t consumed = 0;       ///< bytes of `in` this event used up; remove them before the next call
  header_field field{};           ///< kind == field
  header_defect problem{};        ///< kind == defect
};

/// Streaming reader of one header block. After the `end` event, `body_offset()` is where the
/// body starts; reset() reads another block.
class header_parser {
 public:
  explicit header_parser(const header_limits& lim = {}, std::uint64_t start_offset = 0) noexcept
      : lim_(lim), offset_(start_offset) {}

  /// Next event from `in`, which starts at the first byte not consumed yet. `final`: no more
  /// bytes will come (the block then ends at the end of `in`).
  [[nodiscard]] header_step next(std::string_view in, bool final) noexcept {
    header_step s;
    if (state_ == state::ended) return end_step(s, 0);
    if (state_ == state::ending) {
      state_ = state::ended;
      return end_step(s, 0);
    }
    if (in.empty()) {
      if (final) {
        state_ = state::ended;
        return end_step(s, 0);
      }
      return s;
    }
    // The empty line that ends the block.
    if (in[0] == '\n' || in[0] == '\r') {
      if (in[0] == '\r' && in.size() < 2 && !final) return s;
      const std::size_t n = (in[0] == '\r' && in.size() > 1 && in[1] == '\n') ? 2 : 1;
      if (in[0] == '\n' || n == 2 || in.size() == 1) {  // a lone CR at the very end too
        state_ = state::ended;
        bytes_ += n;
        offset_ += n;
        return end_step(s, n);
      }
      // A bare CR at the start of a line: not a field, so the body starts here.
      return defect_then_end(s, header_errc::missing_colon);
    }
    // Find where the pending field ends: its last LF not followed by SP or HTAB.
    std::size_t end = 0;  // bytes of the field including its final line break
    std::size_t lf = std::string_view::npos;
    for (;;) {
      const std::size_t from = scan_;
      const void* p = from < in.size() ? std::memchr(in.data() + from, '\n', in.size() - from) : nullptr;
      if (p == nullptr) {
        scan_ = in.size();
        if (in.size() > budget()) return defect_then_end(s, header_errc::header_too_large);
        if (!final) return s;
        end = in.size();  // the field runs to the end of the input
        break;
      }
      lf = static_cast<std::size_t>(static_cast<const char*>(p) - in.data());
      if (first_lf_ == std::string_view::npos) first_lf_ = lf;
      if (lf + 1 > budget()) return defect_then_end(s, header_errc::header_too_large);
      if (lf + 1 == in.size()) {
        if (!final) {
          scan_ = lf;  // look at this LF again once the next byte is here
          return s;
        }
        end = lf + 1;
        break;
      }
      if (ascii::is_wsp(in[lf + 1])) {
        scan_ = lf + 1;
        continue;
      }
      end = lf + 1;
      break;
    }
    if (end > budget()) return defect_then_end(s, header_errc::header_too_large);
    const std::size_t first_line_end = first_lf_ == std::string_view::npos ? end : first_lf_;
    const std::string_view first_line = in.substr(0, first_line_end);
    std::size_t value_end = end;
    if (value_end > 0 && in[value_end - 1] == '\n') --value_end;
    if (value_end > 0 && in[value_end - 1] == '\r' && end != value_end) --value_end;

    // A continuation line before any field.
    if (ascii::is_wsp(in[0]) && fields_ == 0)
      return skip(s, end, header_errc::leading_continuation);
    const std::size_t colon = first_line.find(':');
    std::size_t name_end = colon == std::string_view::npos ? 0 : colon;
    while (name_end > 0 && ascii::is_wsp(first_line[name_end - 1])) --name_end;
    bool valid = colon != std::string_view::npos && name_end > 0;
    for (std::size_t i = 0; valid && i < name_end; ++i) {
      const auto c = static_cast<unsigned char>(first_line[i]);
      valid = c >= 33 && c <= 126;  // ftext (section 3.6.8): printable US-ASCII but ':'
    }
    if (!valid) {
      if (colon == 0) return skip(s, end, header_errc::empty_field_name);
      if (fields_ == 0 && bytes_ == 0 && first_line.substr(0, 5) == "From ")
        return skip(s, end, header_errc::unix_from_line);
      return defect_then_end(s, header_errc::missing_colon);
    }
    if (fields_ >= lim_.max_fields) return defect_then_end(s, header_errc::too_many_fields);
    ++fields_;
    s.st = status::event;
    s.kind = header_event::field;
    s.consumed = end;
    s.field.name = in.substr(0, name_end);
    s.field.raw_value = in.substr(colon + 1, value_end - colon - 1);
    s.field.offset = offset_;
    s.field.size = end;
    advance(end);
    return s;
  }

  /// Reads another header block, starting at stream offset `start_offset`.
  void reset(std::uint64_t start_offset = 0) noexcept { *this = header_parser(lim_, start_offset); }

  /// True after the `end` event.
  [[nodiscard]] bool ended() const noexcept { return state_ == state::ended; }
  /// Stream offset where the body starts (valid after the `end` event).
  [[nodiscard]] std::uint64_t body_offset() const noexcept { return offset_; }
  /// Fields returned so far.
  [[nodiscard]] std::size_t field_count() const noexcept { return fields_; }

 private:
  enum class state : std::uint8_t { fields, ending, ended };

  [[nodiscard]] std::size_t budget() const noexcept {
    return bytes_ >= lim_.max_bytes ? 0 : lim_.max_bytes - bytes_;
  }
  void advance(std::size_t n) noexcept {
    bytes_ += n;
    offset_ += n;
    scan_ = 0;
    first_lf_ = std::string_view::npos;
  }
  header_step& end_step(header_step& s, std::size_t consumed) noexcept {
    s.st = status::event;
    s.kind = header_event::end;
    s.consumed = consumed;
    return s;
  }
  header_step& skip(header_step& s, std::size_t n, header_errc e) noexcept {
    s.st = status::event;
    s.kind = header_event::defect;
    s.consumed = n;
    s.problem = {e, offset_};
    advance(n);
    return s;
  }
  header_step& defect_then_end(header_step& s, header_errc e) noexcept {
    s.st = status::event;
    s.kind = header_event::defect;
    s.consumed = 0;
    s.problem = {e, offset_};
    scan_ = 0;
    first_lf_ = std::string_view::npos;
    state_ = state::ending;
    return s;
  }

  header_limits lim_;
  std::uint64_t offset_ = 0;  // stream offset of the first unconsumed byte
  std::size_t bytes_ = 0;     // bytes of this block consumed so far
  std::size_t fields_ = 0;
  std::size_t scan_ = 0;      // bytes of the pending field already searched for LF
  std::size_t first_lf_ = std::string_view::npos;  // LF ending the pending field's first line
  state state_ = state::fields;
};

/// RFC 5322 section 2.2.3 unfolding: removes each CRLF or bare LF that is followed by SP or
/// HTAB (the whitespace stays). Appends to `out`.
inline void unfold(std::string_view raw, std::string& out) {
  out.reserve(out.size() + raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    const void* p = std::memchr(raw.data() + i, '\n', raw.size() - i);
    if (p == nullptr) {
      out.append(raw.substr(i));
      return;
    }
    const auto lf = static_cast<std::size_t>(static_cast<const char*>(p) - raw.data());
    const bool fold = lf + 1 < raw.size() && ascii::is_wsp(raw[lf + 1]);
    std::size_t keep_end = lf;
    if (fold && keep_end > i && raw[keep_end - 1] == '\r') --keep_end;
    out.append(raw.substr(i, (fold ? keep_end : lf + 1) - i));
    i = lf + 1;
  }
}

/// unfold() into a new string.
[[nodiscard]] inline std::string unfold(std::string_view raw) {
  std::string s;
  unfold(raw, s);
  return s;
}

/// A whole header block read at once (allocates the vectors).
struct header_block {
  std::vector<header_field> fields;    ///< views into the input given to parse_header_block()
  std::vector<header_defect> defects;
  std::size_t body_offset = 0;         ///< where the body starts in that input
};

/// Reads the header block at the start of `in` (RFC 5322 section 2.1: header, empty line, body).
[[nodiscard]] inline header_block parse_header_block(std::string_view in,
                                                     const header_limits& lim = {}) {
  header_block b;
  header_parser hp(lim);
  std::size_t pos = 0;
  for (;;) {
    const header_step s = hp.next(in.substr(pos), true);
    pos += s.consumed;
    if (s.kind == header_event::field) b.fields.push_back(s.field);
    else if (s.kind == header_event::defect) b.defects.push_back(s.problem);
    else break;
  }
  b.body_offset = pos;
  return b;
}

}  // namespace mailwire::rfc5322

template <>
struct std::is_error_code_enum<mailwire::rfc5322::header_errc> : std::true_type {};
