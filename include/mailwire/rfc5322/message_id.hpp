// mailwire/rfc5322/message_id.hpp — msg-id of RFC 5322 section 3.6.4 (Message-ID, Content-ID,
// Resent-Message-ID) and the msg-id lists of In-Reply-To and References, with the obsolete
// forms of section 4.5.4.
//
//   using namespace mailwire::rfc5322;
//   auto id = parse_msg_id(" <1234@local.machine.example> (comment)");
//   if (id.found()) use(id.value);          // "<1234@local.machine.example>"
//
//   auto refs = parse_msg_id_list("<a@x.example> <b@y.example>");
//   for (const auto& m : refs.ids) use(m.value);
//
// The grammar read, from section 3.6.4 and its obsolete forms:
//
//   msg-id      = [CFWS] "<" id-left "@" id-right ">" [CFWS]
//   id-left     = dot-atom-text / obs-id-left         obs-id-left  = local-part
//   id-right    = dot-atom-text / no-fold-literal / obs-id-right    obs-id-right = domain
//   in-reply-to = 1*msg-id     obs-in-reply-to = *(phrase / msg-id)  (references alike)
//
// The value keeps the angle brackets and drops the CFWS (spec/inspect-mime-json.md:
// "the msg-id with its angle brackets"): `< abc (x) . def @ host >` gives "<abc.def@host>".
// Quoted-strings of an obs-id-left stay as written, quotes and quoted-pairs included; a
// no-fold-literal loses its FWS. Raw 8-bit bytes are kept as UTF-8 (RFC 6532), invalid
// sequences as U+FFFD.
//
// Real mail leniency, each with a defect:
// - Text before the first msg-id (parse_msg_id) or between msg-ids (lists): skipped
//   (errc::obsolete_syntax for phrases, as obs-in-reply-to allows; errc::junk_skipped else).
//   Comments and quoted-strings there are skipped whole (a '<' inside starts no msg-id),
//   except a quoted-string that never ends: its '"' is read as a plain character.
// - `<id-left>` without "@" id-right: kept as "<id-left>" (errc::missing_id_right).
// - `<...>` whose content is no id-left "@" id-right at all (spaces, doubled dots, ...): kept
//   as written between its brackets, folding removed (errc::bad_msg_id). "<>" is no msg-id.
// - A '<' whose '>' never comes: the msg-id is taken if its content is complete
//   (errc::unterminated_msg_id), else dropped.
// Linear time: a content is parsed only up to the first '>' after its '<'.
// Nothing throws but std::bad_alloc (result strings and vectors).
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/codec/charset.hpp"
#include "mailwire/rfc5322/errc.hpp"
#include "mailwire/rfc5322/lexer.hpp"

namespace mailwire::rfc5322 {

/// Limits of the msg-id parsers (DESIGN.md section 6). Input size is not limited: the parse is
/// linear and the output is never longer than the input (plus U+FFFD expansion of bad bytes).
struct msg_id_limits {
  std::size_t max_ids = 10000;  ///< msg-ids kept per list; the rest: errc::too_many_msg_ids
  std::size_t max_defects = 1000;  ///< defects kept per value; later ones are dropped
  lexer_limits lexer{};         ///< comment nesting
};

/// One msg-id (RFC 5322 section 3.6.4), normalized: "<" id-left ["@" id-right] ">".
struct msg_id {
  std::string value;          ///< with its angle brackets, CFWS removed, UTF-8
  std::size_t offset = 0;     ///< offset of its '<' in the parsed input
  friend bool operator==(const msg_id&, const msg_id&) = default;
};

/// Result of parse_msg_id(): the first msg-id of a field, if any.
struct msg_id_result {
  std::string value;            ///< "<id-left@id-right>", empty when the field has none
  std::size_t offset = 0;       ///< offset of its '<'
  std::vector<defect> defects;  ///< irregularities met (offsets into the input)
  [[nodiscard]] bool found() const noexcept { return !value.empty(); }
};

/// Result of parse_msg_id_list(): every msg-id of an In-Reply-To or References field.
struct msg_id_list {
  std::vector<msg_id> ids;      ///< in input order, at most msg_id_limits::max_ids
  std::vector<defect> defects;  ///< irregularities met (offsets into the input)
};

namespace detail {

class msg_id_reader {
 public:
  msg_id_reader(std::string_view in, const msg_id_limits& lim, std::vector<defect>& defects)
      : in_(in), lim_(lim), defects_(defects) {}

  // Skips CFWS and non-msg-id text from pos up to the next '<' (or the end); returns its offset.
  std::size_t skip_to_open(std::size_t pos) {
    std::size_t junk_at = std::string_view::npos;
    bool phrase_only = true;
    for (;;) {
      pos = cfws(pos, in_.size());
      if (pos == in_.size() || in_[pos] == '<') break;
      if (junk_at == std::string_view::npos) junk_at = pos;
      const char c = in_[pos];
      if (c == '"' && !open_quote_) {
        // A phrase's quoted-string is skipped whole. One that never ends is a plain '"' (and so
        // is every later '"'), so that a stray quote cannot hide the msg-ids after it, and no
        // byte is scanned twice.
        const scan_result q = scan_quoted_string(in_, pos);
        open_quote_ = !q.ok();
        pos = q.ok() ? q.end : pos + 1;
      } else if (is_atext(c)) {
        pos = scan_atom(in_, pos);
      } else {
        phrase_only = phrase_only && c == '.';
        ++pos;
      }
    }
    if (junk_at != std::string_view::npos)
      add(phrase_only ? errc::obsolete_syntax : errc::junk_skipped, junk_at);
    return pos;
  }

  // Reads the msg-id whose '<' is at `open`. Appends its value to `out` (nothing if none) and
  // returns where reading goes on.
  std::size_t read(std::size_t open, std::string& out) {
    const std::size_t n = in_.size();
    if (close_ != std::string_view::npos && close_ <= open) close_ = std::string_view::npos;
    if (close_ == std::string_view::npos && !no_close_after(open)) {
      const void* p = std::memchr(in_.data() + open + 1, '>', n - open - 1);
      if (p != nullptr) close_ = static_cast<std::size_t>(static_cast<const char*>(p) - in_.data());
      else no_close_from_ = open;
    }
    const bool closed = close_ != std::string_view::npos;
    const std::size_t window = closed ? close_ + 1 : n;
    std::string text;
    const std::size_t stop = strict(open, window, closed, text);
    if (stop != std::string_view::npos) {  // a complete id-left ["@" id-right] and '>'
      if (!closed) add(errc::unterminated_msg_id, open);
      out.push_back('<');
      charset::append_utf8_sanitized(out, text);
      out.push_back('>');
      return stop;
    }
    if (!closed) {  // nothing to read: skip what the attempt covered
      add(errc::unterminated_msg_id, open);
      return fail_at_ > open ? fail_at_ : open + 1;
    }
    // Fallback: the bracketed text as written, folding removed.
    const std::string_view content = in_.substr(open + 1, close_ - open - 1);
    if (skip_fws(content, 0) == content.size()) {
      add(errc::missing_msg_id, open);  // "<>": no msg-id
      return close_ + 1;
    }
    add(errc::bad_msg_id, open);
    out.push_back('<');
    std::string unfolded;
    for (const char c : content)
      if (c != '\r' && c != '\n') unfolded.push_back(c);
    charset::append_utf8_sanitized(out, unfolded);
    out.push_back('>');
    return close_ + 1;
  }

  void add(errc e, std::size_t at) {
    if (defects_.size() < lim_.max_defects) defects_.push_back({e, at});
  }

 private:
  bool no_close_after(std::size_t open) const noexcept {
    return no_close_from_ != std::string_view::npos && open >= no_close_from_;
  }

  std::size_t cfws(std::size_t pos, std::size_t end) {
    const scan_result s = skip_cfws(in_.substr(0, end), pos, lim_.lexer);
    if (!s.ok()) add(s.error, s.error_offset);
    if (s.end != pos) had_cfws_ = true;
    return s.end;
  }

  // word *("." word) with CFWS around the words (obs-local-part / obs-domain when atoms_only).
  // Appends the words as written, joined by '.'. Returns the end, or npos on failure.
  std::size_t dotted(std::size_t pos, std::size_t end, bool atoms_only, std::string& text) {
    for (;;) {
      pos = cfws(pos, end);
      if (pos == end) return fail(pos);
      const char c = in_[pos];
      if (c == '"' && !atoms_only) {
        const scan_result q = scan_quoted_string(in_.substr(0, end), pos);
        if (!q.ok()) return fail(end);
        for (std::size_t i = pos; i < q.end; ++i)
          if (in_[i] != '\r' && in_[i] != '\n') text.push_back(in_[i]);
        obsolete_ = true;
        pos = q.end;
      } else if (is_atext(c)) {
        const std::size_t e = scan_atom(in_.substr(0, end), pos);
        text.append(in_.data() + pos, e - pos);
        pos = e;
      } else {
        return fail(pos);
      }
      pos = cfws(pos, end);
      if (pos == end || in_[pos] != '.') return pos;
      text.push_back('.');
      ++pos;
    }
  }

  // Strict (obsolete forms included) msg-id in [open, window). Returns the end, or npos.
  std::size_t strict(std::size_t open, std::size_t window, bool closed, std::string& text) {
    had_cfws_ = false;
    obsolete_ = false;
    std::size_t pos = dotted(open + 1, window, false, text);
    if (pos == std::string_view::npos) return pos;
    bool id_right = false;
    if (pos < window && in_[pos] == '@') {
      text.push_back('@');
      pos = cfws(pos + 1, window);
      if (pos < window && in_[pos] == '[') {
        const scan_result d = scan_domain_literal(in_.substr(0, window), pos);
        if (!d.ok()) return fail(d.end);
        append_domain_literal(in_.substr(pos, d.end - pos), text);
        pos = cfws(d.end, window);
      } else {
        pos = dotted(pos, window, true, text);
        if (pos == std::string_view::npos) return pos;
      }
      id_right = true;
    }
    if (pos == window ? closed : in_[pos] != '>') return fail(pos);
    if (!id_right) add(errc::missing_id_right, open);
    if (had_cfws_ || obsolete_) add(errc::obsolete_syntax, open);
    return closed ? pos + 1 : pos;
  }

  std::size_t fail(std::size_t at) {
    fail_at_ = at;
    return std::string_view::npos;
  }

  std::string_view in_;
  const msg_id_limits& lim_;
  std::vector<defect>& defects_;
  std::size_t close_ = std::string_view::npos;          // the next '>' found so far
  std::size_t no_close_from_ = std::string_view::npos;  // no '>' after this offset
  std::size_t fail_at_ = 0;
  bool had_cfws_ = false;
  bool obsolete_ = false;
  bool open_quote_ = false;  // a quoted-string ran to the end: '"' is plain from now on
};

}  // namespace detail

/// The first msg-id of a Message-ID, Content-ID or Resent-Message-ID field value (RFC 5322
/// section 3.6.4, obs forms of section 4.5.4; the readings are at the top of this header).
[[nodiscard]] inline msg_id_result parse_msg_id(std::string_view in,
                                                const msg_id_limits& lim = {}) {
  msg_id_result r;
  detail::msg_id_reader rd(in, lim, r.defects);
  std::size_t pos = 0;
  while (pos < in.size()) {
    pos = rd.skip_to_open(pos);
    if (pos == in.size()) break;
    const std::size_t open = pos;
    pos = rd.read(open, r.value);
    if (r.found()) {
      r.offset = open;
      const std::size_t rest = skip_cfws(in, pos, lim.lexer).end;
      if (rest != in.size()) rd.add(errc::trailing_garbage, rest);
      return r;
    }
  }
  rd.add(errc::missing_msg_id, in.size());
  return r;
}

/// Every msg-id of an In-Reply-To or References field value (RFC 5322 section 3.6.4:
/// `1*msg-id`; obs-in-reply-to / obs-references of section 4.5.4 allow phrases between them).
[[nodiscard]] inline msg_id_list parse_msg_id_list(std::string_view in,
                                                   const msg_id_limits& lim = {}) {
  msg_id_list r;
  detail::msg_id_reader rd(in, lim, r.defects);
  std::size_t pos = 0;
  std::string value;
  while (pos < in.size()) {
    pos = rd.skip_to_open(pos);
    if (pos == in.size()) break;
    const std::size_t open = pos;
    value.clear();
    pos = rd.read(open, value);
    if (value.empty()) continue;
    if (r.ids.size() == lim.max_ids) {
      rd.add(errc::too_many_msg_ids, open);
      break;
    }
    r.ids.push_back({value, open});
  }
  return r;
}

}  // namespace mailwire::rfc5322
