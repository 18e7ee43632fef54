// mailwire/imap/search.hpp — SEARCH keys (RFC 9051 section 6.4.4, RFC 3501 section 6.4.4) with
// the extensions CONDSTORE (RFC 7162 MODSEQ), WITHIN (RFC 5032 OLDER / YOUNGER), OBJECTID
// (RFC 8474 EMAILID / THREADID), SAVEDATE (RFC 8514), SEARCHRES (RFC 5182 "$"), and the RETURN
// options of ESEARCH (RFC 4731: MIN MAX ALL COUNT, RFC 5182: SAVE).
//
//   using namespace mailwire::imap;
//   search_program p;
//   auto r = parse_search_program("OR FROM smith (SINCE 1-Feb-1994 UNSEEN)\r\n", p, lim, opt);
//   // r.ok(); p.nodes: or, from "smith", group(2), since, unseen (prefix order)
//   std::string out;
//   (void)write_search_program(out, p);           // the same text: canonical input is kept
//
// The keys form a tree stored flat in prefix order (one vector per program, no allocation per
// key); NOT has one child, OR two, a parenthesized group `children` ones. The nesting of NOT,
// OR and parentheses is bounded by limits::search_depth (search_too_deep), parentheses also by
// limits::nesting() (nesting_too_deep), and the node count by limits::list_items
// (list_too_long). Key names are case-insensitive, kept as written for byte-exact output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/imap/datetime.hpp"
#include "mailwire/imap/errc.hpp"
#include "mailwire/imap/flag.hpp"
#include "mailwire/imap/limits.hpp"
#include "mailwire/imap/sequence.hpp"
#include "mailwire/imap/values.hpp"

namespace mailwire::imap {

/// A search key (RFC 9051 section 6.4.4; RFC 3501 NEW OLD RECENT; extensions as noted).
enum class search_key : std::uint8_t {
  all, answered, bcc, before, body, cc, deleted, draft, flagged, from, header, keyword, larger,
  new_, not_, old, on, or_, recent, seen, sentbefore, senton, sentsince, since, smaller, subject,
  text, to, uid, unanswered, undeleted, undraft, unflagged, unkeyword, unseen,
  sequence_set,  ///< a bare sequence-set (or "$", RFC 5182)
  group,         ///< "(" search-key *(SP search-key) ")"
  modseq,        ///< MODSEQ [entry-name entry-type] mod-sequence-valzer (RFC 7162 section 3.1.5)
  older,         ///< OLDER nz-number (RFC 5032)
  younger,       ///< YOUNGER nz-number (RFC 5032)
  emailid,       ///< EMAILID objectid (RFC 8474 section 6)
  threadid,      ///< THREADID objectid (RFC 8474 section 6)
  savedbefore,   ///< SAVEDBEFORE date (RFC 8514 section 4.2)
  savedon,       ///< SAVEDON date (RFC 8514)
  savedsince,    ///< SAVEDSINCE date (RFC 8514)
  savedatesupported,  ///< SAVEDATESUPPORTED (RFC 8514)
};

/// One node of a search tree. Only the fields of its key's arguments are set.
struct search_node {
  search_key key = search_key::all;
  std::uint32_t children = 0;  ///< NOT 1, OR 2, group n, else 0
  std::string_view name;       ///< the key name as written (empty: written upper case)
  string_value str;            ///< BCC BODY CC FROM SUBJECT TEXT TO; HEADER field name
  string_value str2;           ///< HEADER value
  imap::date date;             ///< BEFORE ON SINCE SENT* SAVED*
  std::uint64_t number = 0;    ///< LARGER SMALLER OLDER YOUNGER MODSEQ
  sequence_set set;            ///< UID, sequence_set
  flag keyword;                ///< KEYWORD UNKEYWORD
  std::string_view object_id;  ///< EMAILID THREADID
  string_value entry_name;     ///< MODSEQ entry-name (quoted "/flags/\\Seen"), NIL form if absent
  std::string_view entry_type; ///< MODSEQ entry-type-req "priv" / "shared" / "all" as written
  /// Same key and arguments (names as written ignored).
  friend bool operator==(const search_node& a, const search_node& b) {
    return a.key == b.key && a.children == b.children && a.str == b.str && a.str2 == b.str2 &&
           a.date == b.date && a.number == b.number && a.set == b.set && a.keyword == b.keyword &&
           a.object_id == b.object_id && a.entry_name == b.entry_name &&
           ascii::iequals(a.entry_type, b.entry_type);
  }
};

/// search-program = ["CHARSET" SP charset SP] search-key *(SP search-key) (RFC 9051 section 9):
/// the top-level keys are ANDed.
struct search_program {
  bool has_charset = false;
  string_value charset;                 ///< astring ("UTF-8", "US-ASCII")
  std::string_view charset_keyword;     ///< "CHARSET" as written
  std::uint32_t top_level = 0;          ///< number of top-level keys
  std::vector<search_node> nodes;       ///< the keys in prefix order
  friend bool operator==(const search_program& a, const search_program& b) {
    return a.has_charset == b.has_charset && a.charset == b.charset && a.top_level == b.top_level &&
           a.nodes == b.nodes;
  }
};

/// ESEARCH RETURN options (RFC 4731 section 3.1, RFC 5182 SAVE, RFC 9051 section 6.4.4).
struct search_return {
  bool present = false;  ///< "RETURN (...)" was given (even empty: "RETURN ()" means ALL)
  bool min = false, max = false, all = false, count = false, save = false;
  std::string_view raw;  ///< the options as written, "(" ... ")"
  friend constexpr bool operator==(const search_return& a, const search_return& b) noexcept {
    return a.present == b.present && a.min == b.min && a.max == b.max && a.all == b.all &&
           a.count == b.count && a.save == b.save;
  }
};

namespace detail {

enum class search_arg : std::uint8_t { none, astring, date, number64, nz_number, keyword, header, uid, not_,
                                       or_, modseq, objectid };

struct search_key_info {
  std::string_view name;
  search_key key;
  search_arg arg;
};

inline constexpr search_key_info search_keys[] = {
    {"ALL", search_key::all, search_arg::none},
    {"ANSWERED", search_key::answered, search_arg::none},
    {"BCC", search_key::bcc, search_arg::astring},
    {"BEFORE", search_key::before, search_arg::date},
    {"BODY", search_key::body, search_arg::astring},
    {"CC", search_key::cc, search_arg::astring},
    {"DELETED", search_key::deleted, search_arg::none},
    {"DRAFT", search_key::draft, search_arg::none},
    {"FLAGGED", search_key::flagged, search_arg::none},
    {"FROM", search_key::from, search_arg::astring},
    {"HEADER", search_key::header, search_arg::header},
    {"KEYWORD", search_key::keyword, search_arg::keyword},
    {"LARGER", search_key::larger, search_arg::number64},
    {"NEW", search_key::new_, search_arg::none},
    {"NOT", search_key::not_, search_arg::not_},
    {"OLD", search_key::old, search_arg::none},
    {"ON", search_key::on, search_arg::date},
    {"OR", search_key::or_, search_arg::or_},
    {"RECENT", search_key::recent, search_arg::none},
    {"SEEN", search_key::seen, search_arg::none},
    {"SENTBEFORE", search_key::sentbefore, search_arg::date},
    {"SENTON", search_key::senton, search_arg::date},
    {"SENTSINCE", search_key::sentsince, search_arg::date},
    {"SINCE", search_key::since, search_arg::date},
    {"SMALLER", search_key::smaller, search_arg::number64},
    {"SUBJECT", search_key::subject, search_arg::astring},
    {"TEXT", search_key::text, search_arg::astring},
    {"TO", search_key::to, search_arg::astring},
    {"UID", search_key::uid, search_arg::uid},
    {"UNANSWERED", search_key::unanswered, search_arg::none},
    {"UNDELETED", search_key::undeleted, search_arg::none},
    {"UNDRAFT", search_key::undraft, search_arg::none},
    {"UNFLAGGED", search_key::unflagged, search_arg::none},
    {"UNKEYWORD", search_key::unkeyword, search_arg::keyword},
    {"UNSEEN", search_key::unseen, search_arg::none},
    {"MODSEQ", search_key::modseq, search_arg::modseq},
    {"OLDER", search_key::older, search_arg::nz_number},
    {"YOUNGER", search_key::younger, search_arg::nz_number},
    {"EMAILID", search_key::emailid, search_arg::objectid},
    {"THREADID", search_key::threadid, search_arg::objectid},
    {"SAVEDBEFORE", search_key::savedbefore, search_arg::date},
    {"SAVEDON", search_key::savedon, search_arg::date},
    {"SAVEDSINCE", search_key::savedsince, search_arg::date},
    {"SAVEDATESUPPORTED", search_key::savedatesupported, search_arg::none},
};

[[nodiscard]] constexpr const search_key_info* find_search_key(search_key k) noexcept {
  for (const auto& s : search_keys)
    if (s.key == k) return &s;
  return nullptr;
}

[[nodiscard]] constexpr bool objectid_char(char c) noexcept {
  return ascii::is_alpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

class search_parser {
 public:
  search_parser(std::string_view in, const limits& lim, const options& opt, std::vector<search_node>& nodes)
      : in_(in), lim_(lim), opt_(opt), nodes_(nodes) {}

  // Parses one key at in_[i]; returns the parse status with i advanced past it.
  status key(std::size_t& i, std::size_t depth, std::size_t parens) {
    if (i == in_.size()) return status::need_more;
    if (nodes_.size() >= lim_.list_items) return fail(errc::list_too_long, i);
    const char c = in_[i];
    if (c == '(') {
      if (depth + 1 > lim_.search_depth) return fail(errc::search_too_deep, i);
      if (parens + 1 > lim_.nesting()) return fail(errc::nesting_too_deep, i);
      const std::size_t at = nodes_.size();
      nodes_.push_back({});
      nodes_[at].key = search_key::group;
      ++i;
      std::uint32_t n = 0;
      for (;;) {
        if (const status s = key(i, depth + 1, parens + 1); s != status::event) return s;
        ++n;
        if (i == in_.size()) return status::need_more;
        if (in_[i] == ')') break;
        if (i == in_.size()) return status::need_more;
        if (in_[i] != ' ') return fail(errc::bad_search_key, i);
        ++i;
      }
      ++i;
      nodes_[at].children = n;
      return status::event;
    }
    if ((c >= '0' && c <= '9') || c == '*' || c == '$') {
      const auto r = parse_sequence_set(in_.substr(i), lim_, opt_);
      if (r.st != status::event) return sub(r, i, errc::bad_search_key);
      search_node n;
      n.key = search_key::sequence_set;
      n.set = r.value;
      nodes_.push_back(n);
      i += r.consumed;
      return status::event;
    }
    std::size_t len = 0;
    while (i + len < in_.size() && ascii::is_alpha(in_[i + len])) ++len;
    if (i + len == in_.size()) return status::need_more;
    if (const errc f = bad_follower(in_[i + len]); f != errc::ok) return fail(f, i + len);
    const std::string_view name = in_.substr(i, len);
    const search_key_info* info = nullptr;
    for (const auto& s : search_keys)
      if (ascii::iequals(s.name, name)) info = &s;
    if (info == nullptr) return fail(errc::bad_search_key, i);
    const std::size_t key_at = i;
    i += len;
    const std::size_t at = nodes_.size();
    nodes_.push_back({});
    nodes_[at].key = info->key;
    nodes_[at].name = name;
    if (info->arg == search_arg::none) return status::event;
    if (in_[i] != ' ') return fail(errc::bad_search_key, i);
    ++i;
    if (i == in_.size()) return status::need_more;
    switch (info->arg) {
      case search_arg::none: break;
      case search_arg::astring: {
        const auto r = parse_astring(in_.substr(i), lim_, opt_);
        if (r.st != status::event) return sub(r, i, errc::bad_search_key);
        if (r.value.streamed()) return fail(errc::bad_search_key, i);
        nodes_[at].str = r.value;
        i += r.consumed;
        return status::event;
      }
      case search_arg::header: {
        const auto r = parse_astring(in_.substr(i), lim_, opt_);
        if (r.st != status::event) return sub(r, i, errc::bad_search_key);
        if (r.value.streamed()) return fail(errc::bad_search_key, i);
        nodes_[at].str = r.value;
        i += r.consumed;
        if (i == in_.size()) return status::need_more;
        if (in_[i] != ' ') return fail(errc::bad_search_key, i);
        ++i;
        const auto v = parse_astring(in_.substr(i), lim_, opt_);
        if (v.st != status::event) return sub(v, i, errc::bad_search_key);
        if (v.value.streamed()) return fail(errc::bad_search_key, i);
        nodes_[at].str2 = v.value;
        i += v.consumed;
        return status::event;
      }
      case search_arg::date: {
        const auto r = parse_date(in_.substr(i), lim_, opt_);
        if (r.st != status::event) return sub(r, i, errc::bad_date);
        nodes_[at].date = r.value;
        i += r.consumed;
        return status::event;
      }
      case search_arg::number64:
      case search_arg::nz_number: {
        const bool nz = info->arg == search_arg::nz_number;
        const auto r = digits(in_.substr(i), nz ? 0xFFFFFFFFu : number64_max, nz);
        if (r.st != status::event) return sub(r, i, errc::bad_number);
        nodes_[at].number = r.value;
        i += r.consumed;
        return status::event;
      }
      case search_arg::keyword: {
        const auto r = parse_flag(in_.substr(i), lim_, opt_);
        if (r.st != status::event) return sub(r, i, errc::bad_flag);
        if (r.value.kind() != flag_kind::keyword) return fail(errc::bad_flag, i);
        nodes_[at].keyword = r.value;
        i += r.consumed;
        return status::event;
      }
      case search_arg::uid: {
        const auto r = parse_sequence_set(in_.substr(i), lim_, opt_);
        if (r.st != status::event) return sub(r, i, errc::bad_sequence_set);
        nodes_[at].set = r.value;
        i += r.consumed;
        return status::event;
      }
      case search_arg::not_:
      case search_arg::or_: {
        if (depth + 1 > lim_.search_depth) return fail(errc::search_too_deep, key_at);
        const std::uint32_t n = info->arg == search_arg::not_ ? 1 : 2;
        nodes_[at].children = n;
        for (std::uint32_t k = 0; k < n; ++k) {
          if (k) {
            if (i == in_.size()) return status::need_more;
            if (in_[i] != ' ') return fail(errc::bad_search_key, i);
            ++i;
          }
          if (const status s = key(i, depth + 1, parens); s != status::event) return s;
        }
        return status::event;
      }
      case search_arg::modseq: {
        // MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer (RFC 7162 section 3.1.5)
        if (in_[i] == '"') {
          const auto r = parse_string(in_.substr(i), lim_, opt_);
          if (r.st != status::event) return sub(r, i, errc::bad_search_key);
          nodes_[at].entry_name = r.value;
          if (!valid_entry_name(r.value)) return fail(errc::bad_search_key, i);
          i += r.consumed;
          if (i == in_.size()) return status::need_more;
          if (in_[i] != ' ') return fail(errc::bad_search_key, i);
          ++i;
          std::size_t t = 0;
          while (i + t < in_.size() && ascii::is_alpha(in_[i + t])) ++t;
          if (i + t == in_.size()) return status::need_more;
          const std::string_view type = in_.substr(i, t);
          if (!ascii::iequals(type, "priv") && !ascii::iequals(type, "shared") && !ascii::iequals(type, "all"))
            return fail(errc::bad_search_key, i);
          nodes_[at].entry_type = type;
          i += t;
          if (i == in_.size()) return status::need_more;
          if (in_[i] != ' ') return fail(errc::bad_search_key, i);
          ++i;
        }
        const auto r = digits(in_.substr(i), number64_max, false);
        if (r.st != status::event) return sub(r, i, errc::bad_number);
        nodes_[at].number = r.value;
        i += r.consumed;
        return status::event;
      }
      case search_arg::objectid: {
        std::size_t n = 0;
        while (i + n < in_.size() && objectid_char(in_[i + n])) ++n;
        if (i + n == in_.size()) return status::need_more;
        if (const errc f = bad_follower(in_[i + n]); f != errc::ok) return fail(f, i + n);
        if (n == 0 || n > 255) return fail(errc::bad_search_key, i + (n == 0 ? 0 : 255));
        nodes_[at].object_id = in_.substr(i, n);
        i += n;
        return status::event;
      }
    }
    return fail(errc::bad_search_key, i);
  }

  errc error = errc::ok;
  std::size_t error_offset = 0;

  static bool valid_entry_name(const string_value& v) {
    // entry-flag-name = DQUOTE "/flags/" attr-flag DQUOTE (RFC 7162 section 7)
    if (v.form() != string_form::quoted) return false;
    const std::string c = v.content();
    if (c.size() <= 7 || !ascii::iequals(std::string_view(c).substr(0, 7), "/flags/")) return false;
    const auto f = flag::make(std::string_view(c).substr(7));
    return f.has_value() && f->kind() != flag_kind::wildcard && f->kind() != flag_kind::recent;
  }

 private:
  status fail(errc e, std::size_t at) {
    error = e;
    error_offset = at;
    return status::error;
  }
  template <class R>
  status sub(const R& r, std::size_t base, errc generic) {
    if (r.st == status::need_more) return status::need_more;
    (void)generic;
    return fail(r.error, base + r.error_offset);
  }

  std::string_view in_;
  const limits& lim_;
  const options& opt_;
  std::vector<search_node>& nodes_;
};

}  // namespace detail

/// Parses search keys at the start of `in` into `out` (cleared): ["CHARSET" SP astring SP]
/// search-key *(SP search-key), delimited by the first octet after a key that is not SP (not
/// consumed; in a command it is CR). The value views `in`.
[[nodiscard]] inline parse_result<std::size_t> parse_search_program(std::string_view in, search_program& out,
                                                                    const limits& lim = {}, const options& opt = {}) {
  out = search_program{};
  std::size_t i = 0;
  constexpr std::string_view kw = "CHARSET ";
  bool is_charset = true;
  for (std::size_t k = 0; k < kw.size() && is_charset; ++k) {
    if (k == in.size()) return detail::more<std::size_t>();
    is_charset = ascii::to_upper(in[k]) == kw[k];
  }
  if (is_charset) {
    out.has_charset = true;
    out.charset_keyword = in.substr(0, 7);
    i = 8;
    const auto r = parse_astring(in.substr(i), lim, opt);
    if (r.st != status::event) return {r.st, 0, 0, r.error, i + r.error_offset};
    if (r.value.streamed()) return detail::fail<std::size_t>(errc::bad_search_key, i);
    out.charset = r.value;
    i += r.consumed;
    if (i == in.size()) return detail::more<std::size_t>();
    if (in[i] != ' ') return detail::fail<std::size_t>(errc::expected_space, i);
    ++i;
  }
  detail::search_parser p(in, lim, opt, out.nodes);
  for (;;) {
    const status s = p.key(i, 0, 0);
    if (s == status::need_more) return detail::more<std::size_t>();
    if (s == status::error) return detail::fail<std::size_t>(p.error, p.error_offset);
    ++out.top_level;
    if (i == in.size()) return detail::more<std::size_t>();
    if (in[i] != ' ') break;
    ++i;
  }
  return detail::done<std::size_t>(i, i);
}

namespace detail {

inline errc write_search_node(std::string& out, const std::vector<search_node>& nodes, std::size_t& idx,
                              const options& opt, std::size_t depth) {
  if (idx >= nodes.size() || depth > 1000) return errc::local_invalid_value;
  const search_node& n = nodes[idx++];
  if (n.key == search_key::group) {
    if (n.children == 0) return errc::local_invalid_value;
    out.push_back('(');
    for (std::uint32_t k = 0; k < n.children; ++k) {
      if (k) out.push_back(' ');
      if (const errc e = write_search_node(out, nodes, idx, opt, depth + 1); e != errc::ok) return e;
    }
    out.push_back(')');
    return errc::ok;
  }
  if (n.key == search_key::sequence_set) return write_sequence_set(out, n.set);
  const search_key_info* info = find_search_key(n.key);
  if (info == nullptr) return errc::local_invalid_value;
  out.append(!n.name.empty() && ascii::iequals(n.name, info->name) ? n.name : info->name);
  if (info->arg == search_arg::none) return errc::ok;
  out.push_back(' ');
  switch (info->arg) {
    case search_arg::none: return errc::ok;
    case search_arg::astring: return write_astring(out, n.str, opt);
    case search_arg::header:
      if (const errc e = write_astring(out, n.str, opt); e != errc::ok) return e;
      out.push_back(' ');
      return write_astring(out, n.str2, opt);
    case search_arg::date: return write_date(out, n.date);
    case search_arg::number64:
    case search_arg::nz_number:
      if (info->arg == search_arg::nz_number && (n.number == 0 || n.number > 0xFFFFFFFFu))
        return errc::local_invalid_value;
      return write_number(out, n.number);
    case search_arg::keyword:
      if (n.keyword.kind() != flag_kind::keyword) return errc::local_invalid_value;
      return write_flag(out, n.keyword);
    case search_arg::uid: return write_sequence_set(out, n.set);
    case search_arg::not_:
    case search_arg::or_: {
      const std::uint32_t want = info->arg == search_arg::not_ ? 1 : 2;
      if (n.children != want) return errc::local_invalid_value;
      for (std::uint32_t k = 0; k < want; ++k) {
        if (k) out.push_back(' ');
        if (const errc e = write_search_node(out, nodes, idx, opt, depth + 1); e != errc::ok) return e;
      }
      return errc::ok;
    }
    case search_arg::modseq:
      if (!n.entry_name.is_nil()) {
        if (!search_parser::valid_entry_name(n.entry_name)) return errc::local_invalid_value;
        if (const errc e = write_string(out, n.entry_name, opt); e != errc::ok) return e;
        out.push_back(' ');
        std::string_view t = n.entry_type;
        if (!ascii::iequals(t, "priv") && !ascii::iequals(t, "shared") && !ascii::iequals(t, "all"))
          return errc::local_invalid_value;
        out.append(t);
        out.push_back(' ');
      }
      return write_number(out, n.number);
    case search_arg::objectid:
      if (n.object_id.empty() || n.object_id.size() > 255) return errc::local_invalid_value;
      for (char c : n.object_id)
        if (!objectid_char(c)) return errc::local_invalid_value;
      out.append(n.object_id);
      return errc::ok;
  }
  return errc::local_invalid_value;
}

}  // namespace detail

/// Appends the program: [CHARSET charset SP] keys joined by SP. Names as written when kept,
/// else upper case. local_invalid_value (nothing appended) for an ill-formed tree.
[[nodiscard]] inline errc write_search_program(std::string& out, const search_program& p, const options& opt = {}) {
  const std::size_t start = out.size();
  errc e = errc::ok;
  if (p.has_charset) {
    out.append(ascii::iequals(p.charset_keyword, "CHARSET") ? p.charset_keyword : std::string_view("CHARSET"));
    out.push_back(' ');
    e = write_astring(out, p.charset, opt);
    out.push_back(' ');
  }
  std::size_t idx = 0;
  if (p.top_level == 0) e = errc::local_invalid_value;
  for (std::uint32_t k = 0; k < p.top_level && e == errc::ok; ++k) {
    if (k) out.push_back(' ');
    e = detail::write_search_node(out, p.nodes, idx, opt, 0);
  }
  if (e == errc::ok && idx != p.nodes.size()) e = errc::local_invalid_value;
  if (e != errc::ok) out.resize(start);
  return e;
}

/// Parses search-return-opts after "RETURN SP": "(" [opt *(SP opt)] ")" with opt MIN / MAX /
/// ALL / COUNT / SAVE (RFC 4731 section 3.1, RFC 5182 section 2). Unknown options: bad_search_key.
[[nodiscard]] constexpr parse_result<search_return> parse_search_return(std::string_view in, const limits& lim = {},
                                                                        const options& = {}) noexcept {
  if (in.empty()) return detail::more<search_return>();
  if (in[0] != '(') return detail::fail<search_return>(errc::bad_search_key, 0);
  search_return r;
  r.present = true;
  std::size_t i = 1, count = 0;
  if (i == in.size()) return detail::more<search_return>();
  if (in[i] != ')') {
    for (;;) {
      if (count == lim.list_items) return detail::fail<search_return>(errc::list_too_long, i);
      std::size_t n = 0;
      while (i + n < in.size() && ascii::is_alpha(in[i + n])) ++n;
      if (i + n == in.size()) return detail::more<search_return>();
      const std::string_view w = in.substr(i, n);
      if (ascii::iequals(w, "MIN")) r.min = true;
      else if (ascii::iequals(w, "MAX")) r.max = true;
      else if (ascii::iequals(w, "ALL")) r.all = true;
      else if (ascii::iequals(w, "COUNT")) r.count = true;
      else if (ascii::iequals(w, "SAVE")) r.save = true;
      else return detail::fail<search_return>(errc::bad_search_key, i);
      i += n;
      ++count;
      if (in[i] == ')') break;
      if (in[i] != ' ') return detail::fail<search_return>(errc::bad_search_key, i);
      if (++i == in.size()) return detail::more<search_return>();
    }
  }
  r.raw = in.substr(0, i + 1);
  return detail::done(r, i + 1);
}

/// Appends "(" options ")": as written when the kept text matches the flags, else canonical
/// (MIN MAX ALL COUNT SAVE order).
[[nodiscard]] inline errc write_search_return(std::string& out, const search_return& r) {
  if (!r.present) return errc::local_invalid_value;
  if (!r.raw.empty()) {
    const auto again = parse_search_return(r.raw);
    if (again.ok() && again.value == r) {
      out.append(r.raw);
      return errc::ok;
    }
  }
  out.push_back('(');
  bool first = true;
  auto put = [&](bool on, std::string_view w) {
    if (!on) return;
    if (!first) out.push_back(' ');
    first = false;
    out.append(w);
  };
  put(r.min, "MIN");
  put(r.max, "MAX");
  put(r.all, "ALL");
  put(r.count, "COUNT");
  put(r.save, "SAVE");
  out.push_back(')');
  return errc::ok;
}

}  // namespace mailwire::imap
