// mailwire/imap/codes.hpp — response codes: resp-text-code of RFC 9051 section 7.1 / RFC 3501
// section 7.1 and the extensions (UIDPLUS RFC 4315, CONDSTORE/QRESYNC RFC 7162, COMPRESS RFC
// 4978, QUOTA RFC 9208, METADATA RFC 5464, LIST-EXTENDED RFC 5258, OBJECTID RFC 8474, RFC 5530),
// typed; any other `atom [SP 1*<any TEXT-CHAR except "]">]` is kept as code_kind::other.
//
//   using namespace mailwire::imap;
//   auto c = parse_resp_code("UIDNEXT 4392]");        // event, consumed 12 (the "]" is not read)
//   // c.value.kind() == code_kind::uidnext, c.value.number() == 4392
//   std::string out;
//   (void)write_resp_code(out, c.value);               // "UIDNEXT 4392"
//
// A code is parsed between "[" and "]": first its generic extent (the atom and its text), then
// the typed arguments inside it. Arguments that do not fit the typed form are still a valid
// generic code (the ABNF alternative `atom [SP 1*<any TEXT-CHAR except "]">]`): kind() is then
// other and the text is kept as written, so nothing valid is refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/imap/detail/reader.hpp"
#include "mailwire/imap/flag.hpp"
#include "mailwire/imap/sequence.hpp"
#include "mailwire/imap/values.hpp"

namespace mailwire::imap {

/// Which response code (RFC 9051 section 7.1 and the extensions named at each enumerator).
enum class code_kind : std::uint8_t {
  other,                 ///< any other atom, with its text kept
  alert,                 ///< ALERT (RFC 9051 7.1)
  badcharset,            ///< BADCHARSET [(charsets)] (RFC 9051 7.1)
  capability,            ///< CAPABILITY list (RFC 9051 7.1)
  parse,                 ///< PARSE (RFC 9051 7.1)
  permanentflags,        ///< PERMANENTFLAGS (flag-perm list) (RFC 9051 7.1)
  read_only,             ///< READ-ONLY (RFC 9051 7.1)
  read_write,            ///< READ-WRITE (RFC 9051 7.1)
  trycreate,             ///< TRYCREATE (RFC 9051 7.1)
  uidnext,               ///< UIDNEXT n (RFC 9051 7.1)
  uidvalidity,           ///< UIDVALIDITY n (RFC 9051 7.1)
  unseen,                ///< UNSEEN n (RFC 3501 7.1)
  appenduid,             ///< APPENDUID validity uid-set (RFC 4315 3, RFC 3502)
  copyuid,               ///< COPYUID validity uid-set uid-set (RFC 4315 3)
  uidnotsticky,          ///< UIDNOTSTICKY (RFC 4315 3)
  highestmodseq,         ///< HIGHESTMODSEQ n (RFC 7162 3.1.2.1)
  nomodseq,              ///< NOMODSEQ (RFC 7162 3.1.2.2)
  modified,              ///< MODIFIED sequence-set (RFC 7162 3.1.3)
  closed,                ///< CLOSED (RFC 7162 3.2.11)
  compressionactive,     ///< COMPRESSIONACTIVE (RFC 4978 3)
  overquota,             ///< OVERQUOTA (RFC 9208 5.1 / RFC 5530)
  toobig,                ///< TOOBIG (RFC 7888 4, RFC 4469)
  metadata,              ///< METADATA LONGENTRIES n / MAXSIZE n / TOOMANY / NOPRIVATE (RFC 5464 4.2)
  notsaved,              ///< NOTSAVED (RFC 9051 7.1, SAVEDATE RFC 8514)
  haschildren,           ///< HASCHILDREN (RFC 9051 7.1)
  mailboxid,             ///< MAILBOXID (objectid) (RFC 8474 4.1)
  unavailable,           ///< UNAVAILABLE (RFC 5530 3)
  authenticationfailed,  ///< AUTHENTICATIONFAILED (RFC 5530 3)
  authorizationfailed,   ///< AUTHORIZATIONFAILED (RFC 5530 3)
  expired,               ///< EXPIRED (RFC 5530 3)
  privacyrequired,       ///< PRIVACYREQUIRED (RFC 5530 3)
  contactadmin,          ///< CONTACTADMIN (RFC 5530 3)
  noperm,                ///< NOPERM (RFC 5530 3)
  inuse,                 ///< INUSE (RFC 5530 3)
  expungeissued,         ///< EXPUNGEISSUED (RFC 5530 3)
  corruption,            ///< CORRUPTION (RFC 5530 3)
  serverbug,             ///< SERVERBUG (RFC 5530 3)
  clientbug,             ///< CLIENTBUG (RFC 5530 3)
  cannot,                ///< CANNOT (RFC 5530 3)
  limit,                 ///< LIMIT (RFC 5530 3)
  alreadyexists,         ///< ALREADYEXISTS (RFC 5530 3)
  nonexistent,           ///< NONEXISTENT (RFC 5530 3)
};

/// The sub-code of METADATA (RFC 5464 section 4.2.1-4.2.4).
enum class metadata_code : std::uint8_t { longentries, maxsize, toomany, noprivate };

namespace detail {

struct code_name {
  std::string_view name;
  code_kind kind;
};
inline constexpr code_name code_names[] = {
    {"ALERT", code_kind::alert},
    {"BADCHARSET", code_kind::badcharset},
    {"CAPABILITY", code_kind::capability},
    {"PARSE", code_kind::parse},
    {"PERMANENTFLAGS", code_kind::permanentflags},
    {"READ-ONLY", code_kind::read_only},
    {"READ-WRITE", code_kind::read_write},
    {"TRYCREATE", code_kind::trycreate},
    {"UIDNEXT", code_kind::uidnext},
    {"UIDVALIDITY", code_kind::uidvalidity},
    {"UNSEEN", code_kind::unseen},
    {"APPENDUID", code_kind::appenduid},
    {"COPYUID", code_kind::copyuid},
    {"UIDNOTSTICKY", code_kind::uidnotsticky},
    {"HIGHESTMODSEQ", code_kind::highestmodseq},
    {"NOMODSEQ", code_kind::nomodseq},
    {"MODIFIED", code_kind::modified},
    {"CLOSED", code_kind::closed},
    {"COMPRESSIONACTIVE", code_kind::compressionactive},
    {"OVERQUOTA", code_kind::overquota},
    {"TOOBIG", code_kind::toobig},
    {"METADATA", code_kind::metadata},
    {"NOTSAVED", code_kind::notsaved},
    {"HASCHILDREN", code_kind::haschildren},
    {"MAILBOXID", code_kind::mailboxid},
    {"UNAVAILABLE", code_kind::unavailable},
    {"AUTHENTICATIONFAILED", code_kind::authenticationfailed},
    {"AUTHORIZATIONFAILED", code_kind::authorizationfailed},
    {"EXPIRED", code_kind::expired},
    {"PRIVACYREQUIRED", code_kind::privacyrequired},
    {"CONTACTADMIN", code_kind::contactadmin},
    {"NOPERM", code_kind::noperm},
    {"INUSE", code_kind::inuse},
    {"EXPUNGEISSUED", code_kind::expungeissued},
    {"CORRUPTION", code_kind::corruption},
    {"SERVERBUG", code_kind::serverbug},
    {"CLIENTBUG", code_kind::clientbug},
    {"CANNOT", code_kind::cannot},
    {"LIMIT", code_kind::limit},
    {"ALREADYEXISTS", code_kind::alreadyexists},
    {"NONEXISTENT", code_kind::nonexistent},
};

[[nodiscard]] constexpr code_kind code_of(std::string_view atom) noexcept {
  for (const auto& c : code_names)
    if (ascii::iequals(c.name, atom)) return c.kind;
  return code_kind::other;
}

/// objectid = 1*255(ALPHA / DIGIT / "_" / "-") (RFC 8474 section 7).
[[nodiscard]] constexpr bool is_objectid(std::string_view s) noexcept {
  if (s.empty() || s.size() > 255) return false;
  for (char c : s)
    if (!ascii::is_alpha(c) && !ascii::is_digit(c) && c != '_' && c != '-') return false;
  return true;
}

/// uid-set: a sequence-set without "*" or "$" (RFC 4315 section 4, RFC 9051 section 9).
[[nodiscard]] constexpr bool is_uid_set(const sequence_set& s) noexcept {
  return !s.is_last_command() && !s.raw().empty() && s.raw().find('*') == std::string_view::npos;
}

}  // namespace detail

/// The name of a typed code in canonical (upper) case; "" for other.
[[nodiscard]] constexpr std::string_view to_string(code_kind k) noexcept {
  for (const auto& c : detail::code_names)
    if (c.kind == k) return c.name;
  return {};
}

/// A list of capabilities as written: capability *(SP capability) (RFC 9051 section 7.2.2), the
/// arguments of the CAPABILITY and ENABLED responses and of the CAPABILITY code.
class capability_list {
 public:
  constexpr capability_list() noexcept = default;
  /// Parser use / escape hatch: `raw` is count capabilities separated by one SP (maybe 0).
  [[nodiscard]] static constexpr capability_list unvalidated(std::string_view raw, std::size_t count) noexcept {
    capability_list l;
    l.raw_ = raw;
    l.count_ = count;
    return l;
  }
  [[nodiscard]] constexpr std::string_view raw() const noexcept { return raw_; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
  /// Calls f(capability) in written order.
  template <class F>
  constexpr void for_each(F&& f) const {
    std::size_t i = 0;
    while (i < raw_.size()) {
      std::size_t j = raw_.find(' ', i);
      if (j == std::string_view::npos) j = raw_.size();
      f(capability::unvalidated(raw_.substr(i, j - i)));
      i = j + 1;
    }
  }
  /// True if the list holds `name` (case-insensitive).
  [[nodiscard]] constexpr bool contains(std::string_view name) const {
    bool found = false;
    for_each([&](const capability& c) { found = found || c.is(name); });
    return found;
  }
  friend constexpr bool operator==(const capability_list& a, const capability_list& b) noexcept {
    return a.count_ == b.count_ && ascii::iequals(a.raw_, b.raw_);
  }

 private:
  std::string_view raw_;
  std::size_t count_ = 0;
};

namespace detail {

/// capability *(SP capability) up to `end` (an octet that is not SP or an atom char).
inline bool read_capabilities(reader& r, capability_list& out, bool at_least_one) {
  const std::size_t start = r.pos;
  std::size_t count = 0;
  while (true) {
    if (r.eof()) return r.more();
    if (!is(r.in[r.pos], c_atom)) {
      if (count == 0 && at_least_one) return r.bad(errc::bad_capability);
      break;
    }
    if (count == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
    capability c;
    if (!r.take(parse_capability(r.rest()), c)) return false;
    ++count;
    if (!r.is(' ')) break;
    if (r.pos + 1 == r.in.size()) return r.more();
    if (!is(r.in[r.pos + 1], c_atom)) break;  // the SP belongs to what follows
    ++r.pos;
  }
  out = capability_list::unvalidated(r.in.substr(start, r.pos - start), count);
  return true;
}

}  // namespace detail

/// A response code (RFC 9051 section 7.1): its kind, name and arguments as written.
class resp_code {
 public:
  constexpr resp_code() noexcept = default;
  [[nodiscard]] constexpr code_kind kind() const noexcept { return kind_; }
  /// The atom as written ("UIDNEXT", "X-GM-FOO").
  [[nodiscard]] constexpr std::string_view name() const noexcept { return name_; }
  /// The text after the atom and its SP, as written (empty when none). For typed codes it holds
  /// the arguments (e.g. "4392", "(\\Seen \\*)").
  [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }
  /// The atom was followed by SP (with text, or with nothing for a generic code).
  [[nodiscard]] constexpr bool has_text() const noexcept { return has_text_; }
  /// UIDNEXT, UIDVALIDITY, UNSEEN, HIGHESTMODSEQ, the validity of APPENDUID / COPYUID, and
  /// METADATA LONGENTRIES / MAXSIZE.
  [[nodiscard]] constexpr std::uint64_t number() const noexcept { return number_; }
  /// APPENDUID's uid-set, COPYUID's source uid-set, MODIFIED's set.
  [[nodiscard]] constexpr const sequence_set& set() const noexcept { return set_; }
  /// COPYUID's destination uid-set.
  [[nodiscard]] constexpr const sequence_set& set2() const noexcept { return set2_; }
  /// PERMANENTFLAGS' list.
  [[nodiscard]] constexpr const flag_list& flags() const noexcept { return flags_; }
  /// CAPABILITY's list.
  [[nodiscard]] constexpr const capability_list& capabilities() const noexcept { return caps_; }
  /// METADATA's sub-code.
  [[nodiscard]] constexpr metadata_code metadata() const noexcept { return meta_; }
  /// MAILBOXID's objectid; BADCHARSET's list "(...)" as written (empty when none).
  [[nodiscard]] constexpr std::string_view argument() const noexcept { return arg_; }

  /// A code from host text: `name` an atom, `text` the rest (may be empty); typed when it fits.
  [[nodiscard]] static std::optional<resp_code> make(std::string_view name, std::string_view text = {});

  /// Same kind, name (case-insensitive) and text.
  friend constexpr bool operator==(const resp_code& a, const resp_code& b) noexcept {
    return a.kind_ == b.kind_ && ascii::iequals(a.name_, b.name_) && a.text_ == b.text_ &&
           a.has_text_ == b.has_text_;
  }

 private:
  friend parse_result<resp_code> parse_resp_code(std::string_view, const limits&, const options&);
  bool type_args(const limits& lim);

  std::string_view name_, text_, arg_;
  std::uint64_t number_ = 0;
  sequence_set set_, set2_;
  flag_list flags_;
  capability_list caps_;
  code_kind kind_ = code_kind::other;
  metadata_code meta_ = metadata_code::longentries;
  bool has_text_ = false;
};

/// Parses a resp-text-code at the start of `in` (right after "["), up to the "]" (not consumed).
/// The text of a code is 1*<TEXT-CHAR except "]"> (8-bit refused unless options::utf8).
[[nodiscard]] inline parse_result<resp_code> parse_resp_code(std::string_view in, const limits& lim = {},
                                                             const options& opt = {}) {
  detail::reader r(in, lim, opt);
  resp_code c;
  if (!r.token(detail::c_atom, c.name_, errc::bad_atom)) return {r.st, 0, {}, r.err, r.err_at};
  if (r.is(' ')) {
    ++r.pos;
    const std::size_t start = r.pos;
    while (!r.eof() && r.in[r.pos] != ']' && r.in[r.pos] != '\r' && r.in[r.pos] != '\n') {
      const unsigned char ch = static_cast<unsigned char>(r.in[r.pos]);
      if (ch == 0) return detail::fail<resp_code>(errc::nul_outside_literal8, r.pos);
      if (ch >= 0x80 && !opt.utf8) return detail::fail<resp_code>(errc::eight_bit_not_allowed, r.pos);
      ++r.pos;
    }
    if (r.eof()) return detail::more<resp_code>();
    if (r.in[r.pos] != ']') return detail::fail<resp_code>(errc::unexpected_character, r.pos);
    if (r.pos == start) return detail::fail<resp_code>(errc::unexpected_character, r.pos);
    c.text_ = in.substr(start, r.pos - start);
    c.has_text_ = true;
  } else if (r.eof()) {
    return detail::more<resp_code>();
  } else if (r.in[r.pos] != ']') {
    return detail::fail<resp_code>(errc::unexpected_character, r.pos);
  }
  c.kind_ = detail::code_of(c.name_);
  if (c.kind_ != code_kind::other && !c.type_args(lim)) {
    c.kind_ = code_kind::other;
    c.number_ = 0;
    c.set_ = {};
    c.set2_ = {};
    c.flags_ = {};
    c.caps_ = {};
    c.arg_ = {};
  }
  return detail::done(c, r.pos);
}

/// Types the arguments of a known code from text_ (false: they do not fit its form).
inline bool resp_code::type_args(const limits& lim) {
  const std::string_view t = text_;
  const auto number_all = [&](std::string_view s, std::uint64_t max, bool nz, std::uint64_t& v) {
    if (s.empty() || s.size() > 20) return false;
    v = 0;
    for (char ch : s) {
      if (!ascii::is_digit(ch)) return false;
      const auto d = static_cast<std::uint64_t>(ch - '0');
      if (v > (max - d) / 10) return false;
      v = v * 10 + d;
    }
    return !(nz && v == 0);
  };
  const auto uid_set = [&](std::string_view s, sequence_set& out) {
    const auto o = make_sequence_set(s, lim);
    if (!o || !detail::is_uid_set(*o)) return false;
    out = *o;
    return true;
  };
  switch (kind_) {
    case code_kind::badcharset: {
      if (!has_text_) return true;
      // "(" charset *(SP charset) ")" ; charset = atom / quoted
      if (t.size() < 3 || t.front() != '(' || t.back() != ')') return false;
      std::size_t i = 1, n = 0;
      while (i < t.size() - 1) {
        if (n) {
          if (t[i] != ' ') return false;
          ++i;
        }
        std::size_t j = i;
        if (i < t.size() && t[i] == '"') {
          const auto q = parse_string(t.substr(i));
          if (!q.ok()) return false;
          j = i + q.consumed;
        } else {
          while (j < t.size() - 1 && detail::is(t[j], detail::c_atom)) ++j;
          if (j == i) return false;
        }
        i = j;
        ++n;
      }
      if (n > lim.list_items) return false;
      arg_ = t;
      return true;
    }
    case code_kind::capability: {
      if (!has_text_) return false;
      std::size_t i = 0, n = 0;
      while (i <= t.size()) {
        std::size_t j = t.find(' ', i);
        if (j == std::string_view::npos) j = t.size();
        if (!capability::make(t.substr(i, j - i))) return false;
        ++n;
        i = j + 1;
      }
      if (n > lim.list_items) return false;
      caps_ = capability_list::unvalidated(t, n);
      return true;
    }
    case code_kind::permanentflags: {
      if (!has_text_) return false;
      const auto f = parse_flag_list(t, lim, {}, true);
      if (!f.ok() || f.consumed != t.size()) return false;
      flags_ = f.value;
      return true;
    }
    case code_kind::uidnext:
    case code_kind::uidvalidity:
    case code_kind::unseen:
      return has_text_ && number_all(t, 0xFFFFFFFFu, true, number_);
    case code_kind::highestmodseq:
      return has_text_ && number_all(t, detail::number64_max, false, number_);
    case code_kind::appenduid: {
      if (!has_text_) return false;
      const std::size_t s = t.find(' ');
      if (s == std::string_view::npos) return false;
      return number_all(t.substr(0, s), 0xFFFFFFFFu, true, number_) && uid_set(t.substr(s + 1), set_);
    }
    case code_kind::copyuid: {
      if (!has_text_) return false;
      const std::size_t s = t.find(' ');
      if (s == std::string_view::npos) return false;
      const std::size_t s2 = t.find(' ', s + 1);
      if (s2 == std::string_view::npos) return false;
      return number_all(t.substr(0, s), 0xFFFFFFFFu, true, number_) &&
             uid_set(t.substr(s + 1, s2 - s - 1), set_) && uid_set(t.substr(s2 + 1), set2_);
    }
    case code_kind::modified: {
      if (!has_text_) return false;
      const auto o = make_sequence_set(t, lim);
      if (!o || o->is_last_command()) return false;
      set_ = *o;
      return true;
    }
    case code_kind::metadata: {
      if (!has_text_) return false;
      const std::size_t s = t.find(' ');
      const std::string_view w = t.substr(0, s);
      if (s == std::string_view::npos) {
        if (ascii::iequals(w, "TOOMANY")) meta_ = metadata_code::toomany;
        else if (ascii::iequals(w, "NOPRIVATE")) meta_ = metadata_code::noprivate;
        else return false;
        return true;
      }
      if (ascii::iequals(w, "LONGENTRIES")) meta_ = metadata_code::longentries;
      else if (ascii::iequals(w, "MAXSIZE")) meta_ = metadata_code::maxsize;
      else return false;
      return number_all(t.substr(s + 1), 0xFFFFFFFFu, false, number_);
    }
    case code_kind::mailboxid: {
      if (!has_text_ || t.size() < 3 || t.front() != '(' || t.back() != ')') return false;
      arg_ = t.substr(1, t.size() - 2);
      return detail::is_objectid(arg_);
    }
    default:
      return !has_text_;  // the other known codes take no arguments
  }
}

inline std::optional<resp_code> resp_code::make(std::string_view name, std::string_view text) {
  if (!atom::make(name)) return std::nullopt;
  std::string probe(name);
  if (!text.empty()) {
    probe.push_back(' ');
    probe.append(text);
  }
  probe.push_back(']');
  const auto r = parse_resp_code(probe, {}, options{true});
  if (!r.ok() || r.consumed != probe.size() - 1) return std::nullopt;
  // Re-point the views from the probe to the caller's strings.
  resp_code c = r.value;
  c.name_ = name;
  c.text_ = text;
  if (!c.arg_.empty() && c.kind_ == code_kind::mailboxid) c.arg_ = text.substr(1, text.size() - 2);
  else if (!c.arg_.empty()) c.arg_ = text;
  if (c.kind_ == code_kind::capability) c.caps_ = capability_list::unvalidated(text, c.caps_.size());
  if (c.kind_ == code_kind::permanentflags) c.flags_ = flag_list::unvalidated(text, c.flags_.size());
  if (c.kind_ == code_kind::appenduid || c.kind_ == code_kind::copyuid || c.kind_ == code_kind::modified) {
    // the sets view the probe: rebuild them from text
    const std::size_t s = c.kind_ == code_kind::modified ? std::string_view::npos : text.find(' ');
    std::string_view a = c.kind_ == code_kind::modified ? text : text.substr(s + 1);
    if (c.kind_ == code_kind::copyuid) {
      const std::size_t s2 = a.find(' ');
      c.set2_ = *make_sequence_set(a.substr(s2 + 1));
      a = a.substr(0, s2);
    }
    c.set_ = *make_sequence_set(a);
  }
  return c;
}

/// Appends a code (without the brackets): the typed name in upper case, or the atom as written
/// for other, then SP and the text as written when there is one.
[[nodiscard]] inline errc write_resp_code(std::string& out, const resp_code& c) {
  if (c.name().empty()) return errc::local_invalid_value;
  if (c.kind() == code_kind::other) out.append(c.name());
  else out.append(to_string(c.kind()));
  if (c.has_text()) {
    out.push_back(' ');
    out.append(c.text());
  }
  return errc::ok;
}

}  // namespace mailwire::imap
