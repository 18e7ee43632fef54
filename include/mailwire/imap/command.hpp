// mailwire/imap/command.hpp — IMAP client commands (RFC 9051 / RFC 3501 section 6 and the
// extensions of issue 7 section 2): `imap::command` = tag + a variant of per-command structs,
// parse_command() on one complete message as the framing layer delivers it (literals inline,
// streamed ones marked in a literal_context), parse_append_prefix() for APPEND before its
// streamed message literal, the client's continuation lines (AUTHENTICATE, IDLE's DONE), and
// write_command(), canonical and byte-exact for canonical input.
//
//   using namespace mailwire::imap;
//   auto r = parse_command("a1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n", {}, lim, opt);
//   if (r.st == mailwire::status::error)          // r.value.tag: the tag when one was parsed
//     reply(r.value.tag, "BAD " + std::string(bad_hint(r.error)));
//   else if (auto* f = std::get_if<cmd_fetch>(&r.value.args)) { ... r.value.uid ... }
//   std::string out;
//   (void)write_command(out, r.value);            // the same octets
//
// A command is `tag SP name [SP arguments] CRLF`. Names are case-insensitive and kept as written
// (upper case when built by the host). A name we do not know gives command_kind::unknown with its
// tag, name and raw arguments: status event, so the server can answer a tagged BAD. Arguments
// that do not fit a known command give status error with value.tag set (RFC 9051 section 7.1.5:
// BAD is tagged when the tag is known) and value.kind set.
//
// Extension lists whose content the session interprets (ENABLE capabilities, SELECT / CREATE /
// LIST / STATUS / FETCH / STORE options, ID, QUOTA, METADATA, SORT criteria) are validated and
// kept as written in a raw_list; the fields the session needs most (CONDSTORE, QRESYNC,
// CHANGEDSINCE, VANISHED, UNCHANGEDSINCE) are also decoded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/imap/datetime.hpp"
#include "mailwire/imap/errc.hpp"
#include "mailwire/imap/fetch.hpp"
#include "mailwire/imap/flag.hpp"
#include "mailwire/imap/limits.hpp"
#include "mailwire/imap/search.hpp"
#include "mailwire/imap/sequence.hpp"
#include "mailwire/imap/values.hpp"

namespace mailwire::imap {

/// Every command of RFC 3501 / RFC 9051 and of the extensions of issue 7 section 2.
enum class command_kind : std::uint8_t {
  capability, noop, logout,                                   // any state (RFC 9051 6.1)
  starttls, authenticate, login,                              // not authenticated (6.2)
  enable, select, examine, create, delete_, rename, subscribe, unsubscribe, list, lsub,
  namespace_, status, append, idle,                           // authenticated (6.3)
  check, close, unselect, expunge, search, fetch, store, copy, move,  // selected (6.4)
  id,                                                         // RFC 2971
  compress,                                                   // RFC 4978
  getquota, getquotaroot, setquota,                           // RFC 9208
  getmetadata, setmetadata,                                   // RFC 5464
  sort, thread,                                               // RFC 5256
  unknown,                                                    // a name we do not know
};

/// The canonical (upper-case) name of a command.
[[nodiscard]] constexpr std::string_view command_name(command_kind k) noexcept {
  constexpr std::string_view names[] = {
      "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE", "LOGIN", "ENABLE", "SELECT", "EXAMINE",
      "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB", "NAMESPACE", "STATUS",
      "APPEND", "IDLE", "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY",
      "MOVE", "ID", "COMPRESS", "GETQUOTA", "GETQUOTAROOT", "SETQUOTA", "GETMETADATA", "SETMETADATA",
      "SORT", "THREAD", ""};
  return names[static_cast<std::size_t>(k)];
}

/// A parenthesized list (or, for ENABLE, a SP-separated run) validated and kept as written:
/// elements are atoms, "\"-flags, numbers and sequence sets, strings, NIL and nested lists.
struct raw_list {
  std::string_view raw;   ///< as written, parentheses included; empty when absent
  std::size_t count = 0;  ///< top-level elements
  [[nodiscard]] constexpr bool present() const noexcept { return !raw.empty(); }
  friend constexpr bool operator==(const raw_list&, const raw_list&) noexcept = default;
};

/// Commands without arguments: CAPABILITY NOOP LOGOUT STARTTLS NAMESPACE IDLE CHECK CLOSE
/// UNSELECT EXPUNGE (RFC 9051 section 6; IDLE RFC 2177; UNSELECT RFC 3691).
struct cmd_none {
  friend constexpr bool operator==(const cmd_none&, const cmd_none&) noexcept = default;
};
/// AUTHENTICATE auth-type [SP (base64 / "=")] (RFC 9051 6.2.2, SASL-IR RFC 4959).
struct cmd_authenticate {
  atom mechanism;
  bool has_initial = false;     ///< an initial response was given
  std::string_view initial;     ///< base64 text, or "=" for an empty response
  friend constexpr bool operator==(const cmd_authenticate&, const cmd_authenticate&) noexcept = default;
};
/// LOGIN userid password (RFC 9051 6.2.3).
struct cmd_login {
  string_value user, password;
  friend constexpr bool operator==(const cmd_login&, const cmd_login&) noexcept = default;
};
/// ENABLE 1*(SP capability) (RFC 5161): `caps.raw` is the run after "ENABLE ".
struct cmd_enable {
  raw_list caps;
  friend constexpr bool operator==(const cmd_enable&, const cmd_enable&) noexcept = default;
};
/// SELECT / EXAMINE mailbox [SP "(" select-param ... ")"] (CONDSTORE / QRESYNC RFC 7162).
struct cmd_select {
  mailbox mbox;
  raw_list params;
  bool condstore = false;        ///< (CONDSTORE)
  bool qresync = false;          ///< (QRESYNC (...))
  std::uint32_t uidvalidity = 0; ///< QRESYNC uidvalidity
  std::uint64_t modseq = 0;      ///< QRESYNC mod-sequence-value
  /// Same mailbox and decoded parameters (and the same text when both were parsed). A host
  /// building a command may leave `params` empty: the writer then makes "(CONDSTORE)" or
  /// "(QRESYNC (uidvalidity modseq))" from the fields.
  friend bool operator==(const cmd_select& a, const cmd_select& b) {
    return a.mbox == b.mbox && a.condstore == b.condstore && a.qresync == b.qresync &&
           a.uidvalidity == b.uidvalidity && a.modseq == b.modseq &&
           (!a.params.present() || !b.params.present() || a.params == b.params);
  }
};
/// One mailbox argument: DELETE SUBSCRIBE UNSUBSCRIBE GETQUOTAROOT; CREATE with its params
/// "(USE (\Drafts))" (RFC 6154 section 3).
struct cmd_mailbox {
  mailbox mbox;
  raw_list params;  ///< CREATE only
  friend bool operator==(const cmd_mailbox&, const cmd_mailbox&) = default;
};
/// RENAME from to (RFC 9051 6.3.6).
struct cmd_rename {
  mailbox from, to;
  friend bool operator==(const cmd_rename&, const cmd_rename&) = default;
};
/// LIST [SP "(" selection ")"] SP reference SP (pattern / "(" patterns ")") [SP RETURN (...)]
/// (RFC 9051 6.3.9, LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819); LSUB reference pattern.
struct cmd_list {
  raw_list selection;           ///< "(SUBSCRIBED REMOTE)"; absent for a basic LIST
  mailbox reference;
  list_mailbox pattern;         ///< the pattern when not a list
  raw_list patterns;            ///< "(a b)" when a list of patterns was given
  raw_list return_opts;         ///< the list after "RETURN "
  std::string_view return_word; ///< "RETURN" as written
  friend bool operator==(const cmd_list& a, const cmd_list& b) {
    return a.selection == b.selection && a.reference == b.reference && a.pattern == b.pattern &&
           a.patterns == b.patterns && a.return_opts == b.return_opts;
  }
};
/// STATUS mailbox "(" status-att *(SP status-att) ")" (RFC 9051 6.3.11; SIZE, DELETED,
/// APPENDLIMIT RFC 7889, MAILBOXID RFC 8474, HIGHESTMODSEQ RFC 7162).
struct cmd_status {
  mailbox mbox;
  raw_list items;
  friend bool operator==(const cmd_status&, const cmd_status&) = default;
};
/// One message of APPEND (RFC 9051 6.3.12; MULTIAPPEND RFC 3502; BINARY literal8 RFC 3516;
/// UTF8 (literal8) RFC 6855).
struct append_message {
  bool has_flags = false;
  flag_list flags;
  bool has_date = false;
  date_time date;
  bool utf8 = false;             ///< "UTF8 (" literal8 ")" (RFC 6855 section 4)
  std::string_view utf8_word;    ///< "UTF8" as written
  string_value data;             ///< literal or literal8; streamed() for big messages
  friend bool operator==(const append_message& a, const append_message& b) {
    return a.has_flags == b.has_flags && a.flags == b.flags && a.has_date == b.has_date &&
           (!a.has_date || a.date == b.date) && a.utf8 == b.utf8 && a.data == b.data &&
           a.data.form() == b.data.form();
  }
};
/// APPEND mailbox 1*append-message.
struct cmd_append {
  mailbox mbox;
  std::vector<append_message> messages;
  friend bool operator==(const cmd_append&, const cmd_append&) = default;
};
/// SEARCH [RETURN (...)] program (RFC 9051 6.4.4, ESEARCH RFC 4731, SEARCHRES RFC 5182).
struct cmd_search {
  search_return ret;
  std::string_view return_word;
  search_program program;
  friend bool operator==(const cmd_search& a, const cmd_search& b) {
    return a.ret == b.ret && a.program == b.program;
  }
};
/// FETCH set attributes [SP "(" modifiers ")"] (CHANGEDSINCE / VANISHED RFC 7162).
struct cmd_fetch {
  sequence_set set;
  fetch_attributes attributes;
  raw_list modifiers;
  bool has_changedsince = false;
  std::uint64_t changedsince = 0;
  bool vanished = false;
  /// Same set, attributes and decoded modifiers. A host may leave `modifiers` empty: the
  /// writer makes "(CHANGEDSINCE n[ VANISHED])" from the fields.
  friend bool operator==(const cmd_fetch& a, const cmd_fetch& b) {
    return a.set == b.set && a.attributes == b.attributes && a.has_changedsince == b.has_changedsince &&
           a.changedsince == b.changedsince && a.vanished == b.vanished;
  }
};
/// How STORE changes flags (RFC 9051 6.4.6).
enum class store_mode : std::uint8_t { replace, add, remove };
/// STORE set [SP "(" UNCHANGEDSINCE n ")"] SP [+|-]FLAGS[.SILENT] SP flags.
struct cmd_store {
  sequence_set set;
  raw_list modifiers;
  bool has_unchangedsince = false;
  std::uint64_t unchangedsince = 0;
  store_mode mode = store_mode::replace;
  bool silent = false;
  std::string_view item_word;    ///< "+FLAGS.SILENT" as written
  bool parenthesized = true;     ///< flags written as a flag-list (else flag *(SP flag))
  flag_list flags;               ///< the list (parentheses included), or the bare flags
  /// A host may leave `modifiers` empty: the writer makes "(UNCHANGEDSINCE n)" from the fields.
  friend bool operator==(const cmd_store& a, const cmd_store& b) {
    return a.set == b.set && a.has_unchangedsince == b.has_unchangedsince &&
           a.unchangedsince == b.unchangedsince && a.mode == b.mode && a.silent == b.silent &&
           a.parenthesized == b.parenthesized && a.flags.raw() == b.flags.raw();
  }
};
/// COPY / MOVE set mailbox (RFC 9051 6.4.7, MOVE RFC 6851); UID EXPUNGE set (UIDPLUS).
struct cmd_copy {
  sequence_set set;
  mailbox mbox;  ///< unused for UID EXPUNGE
  friend bool operator==(const cmd_copy&, const cmd_copy&) = default;
};
/// SORT [RETURN (...)] (criteria) charset keys; THREAD algorithm charset keys (RFC 5256).
struct cmd_sort {
  search_return ret;           ///< ESORT (RFC 5267)
  std::string_view return_word;
  raw_list criteria;           ///< SORT only
  atom algorithm;              ///< THREAD only
  string_value charset;
  search_program program;
  friend bool operator==(const cmd_sort& a, const cmd_sort& b) {
    return a.ret == b.ret && a.criteria == b.criteria && a.algorithm == b.algorithm &&
           a.charset == b.charset && a.program == b.program;
  }
};
/// A command whose arguments are one validated list or string: ID (RFC 2971: "(...)" or NIL),
/// COMPRESS (RFC 4978: algorithm), GETQUOTA (RFC 9208: root), SETQUOTA root (resources),
/// GETMETADATA [(options)] mailbox entries, SETMETADATA mailbox (entry values) (RFC 5464).
struct cmd_generic {
  string_value name;       ///< ID: NIL form when "NIL"; COMPRESS algorithm; quota root; entry
  mailbox mbox;            ///< GETMETADATA / SETMETADATA
  raw_list options;        ///< GETMETADATA options
  raw_list list;           ///< ID params, SETQUOTA resources, GETMETADATA entries, SETMETADATA values
  /// GETMETADATA options written after the mailbox, as in RFC 5464's own examples (sections 4.2.1,
  /// 4.2.2) and as Cyrus accepts; its ABNF (section 5) puts them before the mailbox.
  bool options_after_mailbox = false;
  friend bool operator==(const cmd_generic&, const cmd_generic&) = default;
};
/// A command name we do not know, with its arguments as written (after the SP).
struct cmd_unknown {
  std::string_view arguments;
  friend constexpr bool operator==(const cmd_unknown&, const cmd_unknown&) noexcept = default;
};

/// The arguments of a command.
using command_args = std::variant<cmd_none, cmd_authenticate, cmd_login, cmd_enable, cmd_select, cmd_mailbox,
                                  cmd_rename, cmd_list, cmd_status, cmd_append, cmd_search, cmd_fetch, cmd_store,
                                  cmd_copy, cmd_sort, cmd_generic, cmd_unknown>;

/// One client command (RFC 9051 section 6): tag, name, UID prefix, arguments.
struct command {
  imap::tag tag;
  command_kind kind = command_kind::noop;
  bool uid = false;                 ///< "UID" prefix (COPY MOVE FETCH STORE SEARCH SORT THREAD EXPUNGE)
  std::string_view uid_word;        ///< "UID" as written
  std::string_view name;            ///< the name as written (empty: upper case)
  command_args args;
  /// Same tag, kind, UID prefix and arguments (spelling of names ignored).
  friend bool operator==(const command& a, const command& b) {
    if (a.kind == command_kind::unknown || b.kind == command_kind::unknown)
      if (a.kind != b.kind || !ascii::iequals(a.name, b.name)) return false;
    return a.tag == b.tag && a.kind == b.kind && a.uid == b.uid && a.args == b.args;
  }
};

namespace detail {

/// Sequential reader over one command message; every step reports need_more / error with the
/// offset in the message.
class cmd_reader {
 public:
  cmd_reader(std::string_view in, const limits& lim, const options& opt) : in(in), lim(lim), opt(opt) {}

  std::string_view in;
  const limits& lim;
  const options& opt;
  std::size_t i = 0;
  status st = status::event;
  errc error = errc::ok;
  std::size_t error_offset = 0;

  bool fail(errc e, std::size_t at) {
    if (st == status::event) {
      st = status::error;
      error = e;
      error_offset = at;
    }
    return false;
  }
  bool more() {
    if (st == status::event) st = status::need_more;
    return false;
  }
  template <class R>
  bool take(const R& r) {
    if (r.st == status::need_more) return more();
    if (r.st == status::error) return fail(r.error, i + r.error_offset);
    i += r.consumed;
    return true;
  }
  [[nodiscard]] bool at_end() const { return i == in.size(); }
  /// Looks at the next octet (need_more at the end).
  bool peek(char& c) {
    if (i == in.size()) return more();
    c = in[i];
    return true;
  }
  bool sp() {
    if (i == in.size()) return more();
    if (in[i] != ' ') return fail(in[i] == '\r' ? errc::bad_command_argument : errc::expected_space, i);
    ++i;
    return true;
  }
  /// True if the next octet is SP (need_more at the end: then returns false with st set).
  bool next_is(char c) { return i < in.size() && in[i] == c; }
  bool crlf() {
    if (i == in.size()) return more();
    if (in[i] == ' ') return fail(errc::trailing_data, i);
    if (in[i] != '\r') return fail(errc::bad_command_argument, i);
    if (++i == in.size()) return more();
    if (in[i] != '\n') return fail(errc::expected_crlf, i);
    ++i;
    return true;
  }
  /// A case-insensitive word of letters (and "-", "." , "+", digits) delimited by its follower.
  bool word(std::string_view& w) {
    std::size_t n = 0;
    while (i + n < in.size() && (ascii::is_alpha(in[i + n]) || (in[i + n] >= '0' && in[i + n] <= '9') ||
                                 in[i + n] == '-' || in[i + n] == '.' || in[i + n] == '+' || in[i + n] == '_'))
      ++n;
    if (i + n == in.size()) return more();
    if (const errc f = bad_follower(in[i + n]); f != errc::ok) return fail(f, i + n);
    w = in.substr(i, n);
    i += n;
    return true;
  }
  bool astring(string_value& v) {
    const std::size_t at = i;
    if (!take(parse_astring(in.substr(i), lim, opt))) return false;
    const auto r = parse_astring(in.substr(at), lim, opt);
    v = r.value;
    if (v.streamed()) return fail(errc::bad_command_argument, at);
    return true;
  }
  bool mbox(mailbox& m) {
    const auto r = parse_mailbox(in.substr(i), lim, opt);
    if (!take(r)) return false;
    m = r.value;
    return true;
  }
  bool seq(sequence_set& s) {
    const auto r = parse_sequence_set(in.substr(i), lim, opt);
    if (!take(r)) return false;
    s = r.value;
    return true;
  }
  /// A generic list element: atom-like run, "\"flag, string, NIL, or nested list.
  bool element(std::size_t depth) {
    if (i == in.size()) return more();
    const char c = in[i];
    if (c == '(') {
      raw_list l;
      return list(l, depth + 1);
    }
    if (c == '~' && i + 1 == in.size()) return more();
    if (c == '"' || c == '{' || (c == '~' && in[i + 1] == '{')) {
      const std::size_t at = i;
      options o = opt;
      o.literal8 = true;  // SETMETADATA values may be literal8 (RFC 5464 section 5)
      const auto r = parse_string(in.substr(i), lim, o);
      if (!take(r)) return false;
      if (r.value.streamed()) return fail(errc::bad_command_argument, at);
      return true;
    }
    std::size_t n = 0;
    while (i + n < in.size()) {
      const char d = in[i + n];
      if (d == ' ' || d == '(' || d == ')' || d == '"' || d == '{') break;
      if (d == '\\' && n != 0) break;
      if (static_cast<unsigned char>(d) < 0x20 || d == 0x7F || static_cast<unsigned char>(d) >= 0x80) break;
      ++n;
    }
    if (i + n == in.size()) return more();
    if (const errc f = bad_follower(in[i + n]); f != errc::ok) return fail(f, i + n);
    if (n == 0 || (n == 1 && c == '\\')) return fail(errc::bad_command_argument, i + n);
    i += n;
    return true;
  }
  /// "(" [element *(SP element)] ")" with nesting and length limits.
  bool list(raw_list& l, std::size_t depth = 1, bool allow_empty = true) {
    const std::size_t start = i;
    if (i == in.size()) return more();
    if (in[i] != '(') return fail(errc::bad_command_argument, i);
    if (depth > lim.nesting()) return fail(errc::nesting_too_deep, i);
    ++i;
    std::size_t count = 0;
    if (i == in.size()) return more();
    if (in[i] == ')') {
      if (!allow_empty) return fail(errc::bad_command_argument, i);
    } else {
      for (;;) {
        if (i == in.size()) return more();
        if (count == lim.list_items) return fail(errc::list_too_long, i);
        if (!element(depth)) return false;
        ++count;
        if (i == in.size()) return more();
        if (in[i] == ')') break;
        if (in[i] != ' ') return fail(errc::bad_command_argument, i);
        ++i;
      }
    }
    ++i;
    l.raw = in.substr(start, i - start);
    l.count = count;
    return true;
  }
  /// Calls f(element text) for each top-level element of a validated list.
  template <class F>
  void each(const raw_list& l, F&& f) const {
    limits big;
    big.authenticated = true;
    big.nesting_after_auth = ~std::size_t{0};
    big.list_items = ~std::size_t{0};
    big.literal_after_auth = ~std::uint64_t{0} >> 1;
    options o = opt;
    o.literals = nullptr;
    cmd_reader r(l.raw, big, o);
    r.i = 1;
    for (std::size_t k = 0; k < l.count; ++k) {
      const std::size_t a = r.i;
      if (!r.element(1)) return;
      f(l.raw.substr(a, r.i - a));
      ++r.i;
    }
  }
};

inline std::string_view pick(std::string_view written, std::string_view canon) {
  return !written.empty() && ascii::iequals(written, canon) ? written : canon;
}

[[nodiscard]] inline bool is_number(std::string_view s, std::uint64_t max, std::uint64_t& v) {
  if (s.empty() || s.size() > 19) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v <= max && !(s.size() > 1 && s[0] == '0');
}

[[nodiscard]] constexpr bool base64_line(std::string_view s) noexcept {
  if (s.size() % 4 != 0) return false;
  std::size_t pad = 0;
  for (std::size_t k = 0; k < s.size(); ++k) {
    const char c = s[k];
    if (c == '=') {
      if (k + 2 < s.size()) return false;
      ++pad;
      continue;
    }
    if (pad != 0) return false;
    if (!(ascii::is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '/')) return false;
  }
  return true;
}

struct command_name_info {
  std::string_view name;
  command_kind kind;
};
inline constexpr command_name_info command_names[] = {
    {"CAPABILITY", command_kind::capability}, {"NOOP", command_kind::noop},
    {"LOGOUT", command_kind::logout}, {"STARTTLS", command_kind::starttls},
    {"AUTHENTICATE", command_kind::authenticate}, {"LOGIN", command_kind::login},
    {"ENABLE", command_kind::enable}, {"SELECT", command_kind::select}, {"EXAMINE", command_kind::examine},
    {"CREATE", command_kind::create}, {"DELETE", command_kind::delete_}, {"RENAME", command_kind::rename},
    {"SUBSCRIBE", command_kind::subscribe}, {"UNSUBSCRIBE", command_kind::unsubscribe},
    {"LIST", command_kind::list}, {"LSUB", command_kind::lsub}, {"NAMESPACE", command_kind::namespace_},
    {"STATUS", command_kind::status}, {"APPEND", command_kind::append}, {"IDLE", command_kind::idle},
    {"CHECK", command_kind::check}, {"CLOSE", command_kind::close}, {"UNSELECT", command_kind::unselect},
    {"EXPUNGE", command_kind::expunge}, {"SEARCH", command_kind::search}, {"FETCH", command_kind::fetch},
    {"STORE", command_kind::store}, {"COPY", command_kind::copy}, {"MOVE", command_kind::move},
    {"ID", command_kind::id}, {"COMPRESS", command_kind::compress}, {"GETQUOTA", command_kind::getquota},
    {"GETQUOTAROOT", command_kind::getquotaroot}, {"SETQUOTA", command_kind::setquota},
    {"GETMETADATA", command_kind::getmetadata}, {"SETMETADATA", command_kind::setmetadata},
    {"SORT", command_kind::sort}, {"THREAD", command_kind::thread},
};

[[nodiscard]] constexpr bool uid_allowed(command_kind k) noexcept {
  return k == command_kind::copy || k == command_kind::move || k == command_kind::fetch ||
         k == command_kind::store || k == command_kind::search || k == command_kind::sort ||
         k == command_kind::thread || k == command_kind::expunge;
}

inline constexpr std::string_view status_items[] = {
    "MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE", "RECENT", "HIGHESTMODSEQ",
    "APPENDLIMIT", "MAILBOXID", "DELETED-STORAGE"};

/// [SP "RETURN" SP "(" ... ")"] before a search program; `r` at the SP after the name.
inline bool search_return_opts(cmd_reader& r, search_return& ret, std::string_view& word) {
  // Called after the SP: "RETURN" or a key.
  const int m = match_word(r.in, r.i, "RETURN ");
  if (m < 0) return r.more();
  if (m == 0) return true;
  word = r.in.substr(r.i, 6);
  r.i += 7;
  const auto p = parse_search_return(r.in.substr(r.i), r.lim, r.opt);
  if (!r.take(p)) return false;
  ret = p.value;
  return r.sp();
}

inline bool program(cmd_reader& r, search_program& p) {
  const auto res = parse_search_program(r.in.substr(r.i), p, r.lim, r.opt);
  if (!r.take(res)) return false;
  return true;
}

/// APPEND after "APPEND SP": mailbox, then messages; `prefix_only` stops at the first message's
/// data (for parse_append_prefix) with r.i at its "{" / "~" / "UTF8".
inline bool append_args(cmd_reader& r, cmd_append& a, bool prefix_only) {
  if (!r.mbox(a.mbox)) return false;
  do {
    if (!r.sp()) return false;
    append_message m;
    char c = 0;
    if (!r.peek(c)) return false;
    if (c == '(') {
      const auto f = parse_flag_list(r.in.substr(r.i), r.lim, r.opt);
      if (!r.take(f)) return false;
      m.has_flags = true;
      m.flags = f.value;
      if (!r.sp() || !r.peek(c)) return false;
    }
    if (c == '"') {
      const auto d = parse_date_time(r.in.substr(r.i), r.lim, r.opt);
      if (!r.take(d)) return false;
      m.has_date = true;
      m.date = d.value;
      if (!r.sp() || !r.peek(c)) return false;
    }
    if (c == 'U' || c == 'u') {
      std::string_view w;
      if (!r.word(w)) return false;
      if (!ascii::iequals(w, "UTF8")) return r.fail(errc::bad_command_argument, r.i - w.size());
      m.utf8 = true;
      m.utf8_word = w;
      if (!r.sp()) return false;
      if (r.at_end()) return r.more();
      if (r.in[r.i] != '(') return r.fail(errc::bad_command_argument, r.i);
      ++r.i;
      if (r.at_end()) return r.more();
      if (r.in[r.i] != '~') return r.fail(errc::bad_literal, r.i);
    } else if (c != '{' && c != '~') {
      return r.fail(c == '(' || c == '"' ? errc::bad_command_argument : errc::bad_literal, r.i);
    }
    if (prefix_only) {
      a.messages.push_back(m);
      return true;
    }
    options o = r.opt;
    o.literal8 = true;
    const std::size_t at = r.i;
    const auto s = parse_string(r.in.substr(r.i), r.lim, o);
    if (!r.take(s)) return false;
    (void)at;
    m.data = s.value;
    if (m.utf8) {
      if (m.data.form() != string_form::literal8) return r.fail(errc::bad_literal, at);
      if (r.at_end()) return r.more();
      if (r.in[r.i] != ')') return r.fail(errc::bad_command_argument, r.i);
      ++r.i;
    }
    if (a.messages.size() == r.lim.list_items) return r.fail(errc::list_too_long, at);
    a.messages.push_back(m);
  } while (r.next_is(' '));
  return true;
}

inline bool parse_args(cmd_reader& r, command& c) {
  const command_kind k = c.kind;
  switch (k) {
    case command_kind::capability: case command_kind::noop: case command_kind::logout:
    case command_kind::starttls: case command_kind::namespace_: case command_kind::idle:
    case command_kind::check: case command_kind::close: case command_kind::unselect:
      c.args = cmd_none{};
      return true;
    case command_kind::expunge:
      if (c.uid) {
        cmd_copy a;
        if (!r.sp() || !r.seq(a.set)) return false;
        c.args = a;
      } else {
        c.args = cmd_none{};
      }
      return true;
    case command_kind::authenticate: {
      cmd_authenticate a;
      if (!r.sp()) return false;
      const auto m = parse_auth_type(r.in.substr(r.i), r.lim, r.opt);
      if (!r.take(m)) return false;
      a.mechanism = m.value;
      if (r.next_is(' ')) {
        ++r.i;
        std::size_t n = 0;
        while (r.i + n < r.in.size() && r.in[r.i + n] != '\r') ++n;
        if (r.i + n == r.in.size()) return r.more();
        const std::string_view t = r.in.substr(r.i, n);
        if (t != "=" && (t.empty() || !base64_line(t))) return r.fail(errc::bad_base64, r.i);
        a.has_initial = true;
        a.initial = t;
        r.i += n;
      }
      c.args = a;
      return true;
    }
    case command_kind::login: {
      cmd_login a;
      if (!r.sp() || !r.astring(a.user) || !r.sp() || !r.astring(a.password)) return false;
      c.args = a;
      return true;
    }
    case command_kind::enable: {
      cmd_enable a;
      const std::size_t start = r.i + 1;
      do {
        if (!r.sp()) return false;
        const auto cap = parse_capability(r.in.substr(r.i), r.lim, r.opt);
        if (!r.take(cap)) return false;
        if (++a.caps.count > r.lim.list_items) return r.fail(errc::list_too_long, r.i);
      } while (r.next_is(' '));
      a.caps.raw = r.in.substr(start, r.i - start);
      c.args = a;
      return true;
    }
    case command_kind::select: case command_kind::examine: {
      cmd_select a;
      if (!r.sp() || !r.mbox(a.mbox)) return false;
      if (r.next_is(' ')) {
        ++r.i;
        const std::size_t at = r.i;
        if (!r.list(a.params, 1, false)) return false;
        bool ok = true;
        r.each(a.params, [&](std::string_view e) {
          if (ascii::iequals(e, "CONDSTORE")) {
            a.condstore = true;
          } else if (ascii::iequals(e, "QRESYNC")) {
            a.qresync = true;
          } else if (e[0] == '(' && a.qresync && a.uidvalidity == 0) {
            // (uidvalidity SP mod-sequence-value [SP known-uids [SP seq-match-data]]) RFC 7162 3.2.5
            limits big;
            big.authenticated = true;
            big.nesting_after_auth = ~std::size_t{0};
            big.list_items = ~std::size_t{0};
            big.literal_after_auth = ~std::uint64_t{0} >> 1;
            cmd_reader q(e, big, r.opt);
            raw_list inner;
            if (!q.list(inner, 1)) {
              ok = false;
              return;
            }
            std::size_t idx = 0;
            r.each(inner, [&](std::string_view x) {
              std::uint64_t v = 0;
              if (idx == 0) {
                ok = ok && is_number(x, 0xFFFFFFFFu, v) && v != 0;
                a.uidvalidity = static_cast<std::uint32_t>(v);
              } else if (idx == 1) {
                ok = ok && is_number(x, number64_max, v) && v != 0;
                a.modseq = v;
              }
              ++idx;
            });
            if (idx < 2 || idx > 4) ok = false;
          }
          // other select-params (RFC 4466) are kept as written
        });
        if (a.qresync && a.uidvalidity == 0) ok = false;
        if (!ok) return r.fail(errc::bad_command_argument, at);
      }
      c.args = a;
      return true;
    }
    case command_kind::create: case command_kind::delete_: case command_kind::subscribe:
    case command_kind::unsubscribe: case command_kind::getquotaroot: {
      cmd_mailbox a;
      if (!r.sp() || !r.mbox(a.mbox)) return false;
      if (k == command_kind::create && r.next_is(' ')) {
        ++r.i;
        if (!r.list(a.params, 1, false)) return false;
      }
      c.args = a;
      return true;
    }
    case command_kind::rename: {
      cmd_rename a;
      if (!r.sp() || !r.mbox(a.from) || !r.sp() || !r.mbox(a.to)) return false;
      c.args = a;
      return true;
    }
    case command_kind::list: case command_kind::lsub: {
      cmd_list a;
      if (!r.sp()) return false;
      char ch = 0;
      if (k == command_kind::list) {
        if (!r.peek(ch)) return false;
        if (ch == '(') {
          if (!r.list(a.selection) || !r.sp()) return false;
        }
      }
      if (!r.mbox(a.reference) || !r.sp() || !r.peek(ch)) return false;
      if (ch == '(' && k == command_kind::list) {
        if (!r.list(a.patterns, 1, false)) return false;
      } else {
        const auto p = parse_list_mailbox(r.in.substr(r.i), r.lim, r.opt);
        if (!r.take(p)) return false;
        a.pattern = p.value;
      }
      if (k == command_kind::list && r.next_is(' ')) {
        ++r.i;
        const int m = match_word(r.in, r.i, "RETURN ");
        if (m < 0) return r.more();
        if (m == 0) return r.fail(errc::bad_command_argument, r.i);
        a.return_word = r.in.substr(r.i, 6);
        r.i += 7;
        if (!r.list(a.return_opts)) return false;
      }
      c.args = a;
      return true;
    }
    case command_kind::status: {
      cmd_status a;
      if (!r.sp() || !r.mbox(a.mbox) || !r.sp()) return false;
      const std::size_t at = r.i;
      if (!r.list(a.items, 1, false)) return false;
      std::size_t bad = 0;
      bool ok = true;
      r.each(a.items, [&](std::string_view e) {
        bool known = false;
        for (auto s : status_items) known = known || ascii::iequals(e, s);
        if (!known && ok) {
          ok = false;
          bad = static_cast<std::size_t>(e.data() - r.in.data());
        }
      });
      if (!ok) return r.fail(errc::bad_command_argument, bad ? bad : at);
      c.args = a;
      return true;
    }
    case command_kind::append: {
      cmd_append a;
      if (!r.sp() || !append_args(r, a, false)) return false;
      c.args = std::move(a);
      return true;
    }
    case command_kind::search: {
      cmd_search a;
      if (!r.sp() || !search_return_opts(r, a.ret, a.return_word) || !program(r, a.program)) return false;
      c.args = std::move(a);
      return true;
    }
    case command_kind::sort: case command_kind::thread: {
      cmd_sort a;
      if (!r.sp()) return false;
      if (k == command_kind::sort) {
        if (!search_return_opts(r, a.ret, a.return_word) || !r.list(a.criteria, 1, false) || !r.sp()) return false;
      } else {
        const auto al = parse_atom(r.in.substr(r.i), r.lim, r.opt);
        if (!r.take(al) || !r.sp()) return false;
        a.algorithm = al.value;
      }
      if (!r.astring(a.charset) || !r.sp()) return false;
      const std::size_t at = r.i;
      if (!program(r, a.program)) return false;
      if (a.program.has_charset) return r.fail(errc::bad_search_key, at);
      c.args = std::move(a);
      return true;
    }
    case command_kind::fetch: {
      cmd_fetch a;
      if (!r.sp() || !r.seq(a.set) || !r.sp()) return false;
      const auto f = parse_fetch_attributes(r.in.substr(r.i), r.lim, r.opt);
      if (!r.take(f)) return false;
      a.attributes = f.value;
      if (r.next_is(' ')) {
        ++r.i;
        const std::size_t at = r.i;
        if (!r.list(a.modifiers, 1, false)) return false;
        bool ok = true, expect_number = false;
        r.each(a.modifiers, [&](std::string_view e) {
          if (expect_number) {
            ok = ok && is_number(e, number64_max, a.changedsince);
            expect_number = false;
          } else if (ascii::iequals(e, "CHANGEDSINCE")) {
            a.has_changedsince = expect_number = true;
          } else if (ascii::iequals(e, "VANISHED")) {
            a.vanished = true;
          } else {
            ok = false;
          }
        });
        if (!ok || expect_number || (a.vanished && !(c.uid && a.has_changedsince)))
          return r.fail(errc::bad_command_argument, at);
      }
      c.args = a;
      return true;
    }
    case command_kind::store: {
      cmd_store a;
      if (!r.sp() || !r.seq(a.set) || !r.sp()) return false;
      char ch = 0;
      if (!r.peek(ch)) return false;
      if (ch == '(') {
        const std::size_t at = r.i;
        if (!r.list(a.modifiers, 1, false) || !r.sp()) return false;
        bool ok = true, expect_number = false;
        r.each(a.modifiers, [&](std::string_view e) {
          if (expect_number) {
            ok = ok && is_number(e, number64_max, a.unchangedsince);
            expect_number = false;
          } else if (ascii::iequals(e, "UNCHANGEDSINCE")) {
            a.has_unchangedsince = expect_number = true;
          } else {
            ok = false;
          }
        });
        if (!ok || expect_number) return r.fail(errc::bad_command_argument, at);
      }
      const std::size_t item_at = r.i;
      std::string_view w;
      if (!r.word(w)) return false;
      a.item_word = w;
      std::string_view base = w;
      if (!base.empty() && (base[0] == '+' || base[0] == '-')) {
        a.mode = base[0] == '+' ? store_mode::add : store_mode::remove;
        base.remove_prefix(1);
      }
      if (ascii::iequals(base, "FLAGS.SILENT")) a.silent = true;
      else if (!ascii::iequals(base, "FLAGS")) return r.fail(errc::bad_command_argument, item_at);
      if (!r.sp() || !r.peek(ch)) return false;
      if (ch == '(') {
        const auto fl = parse_flag_list(r.in.substr(r.i), r.lim, r.opt);
        if (!r.take(fl)) return false;
        a.flags = fl.value;
      } else {
        a.parenthesized = false;
        const std::size_t start = r.i;
        std::size_t count = 0;
        do {
          if (count) ++r.i;
          if (r.at_end()) return r.more();
          if (count == r.lim.list_items) return r.fail(errc::list_too_long, r.i);
          const auto f = parse_flag(r.in.substr(r.i), r.lim, r.opt);
          if (!r.take(f)) return false;
          ++count;
        } while (r.next_is(' '));
        a.flags = flag_list::unvalidated(r.in.substr(start, r.i - start), count);
      }
      c.args = a;
      return true;
    }
    case command_kind::copy: case command_kind::move: {
      cmd_copy a;
      if (!r.sp() || !r.seq(a.set) || !r.sp() || !r.mbox(a.mbox)) return false;
      c.args = a;
      return true;
    }
    case command_kind::id: {
      cmd_generic a;
      if (!r.sp()) return false;
      char ch = 0;
      if (!r.peek(ch)) return false;
      if (ch == '(') {
        const std::size_t at = r.i;
        if (!r.list(a.list)) return false;
        if (a.list.count % 2 != 0) return r.fail(errc::bad_command_argument, at);
      } else {
        const auto n = parse_nstring(r.in.substr(r.i), r.lim, r.opt);
        if (!r.take(n)) return false;
        if (!n.value.is_nil()) return r.fail(errc::bad_command_argument, r.i - n.consumed);
      }
      c.args = a;
      return true;
    }
    case command_kind::compress: {
      cmd_generic a;
      if (!r.sp()) return false;
      const auto al = parse_atom(r.in.substr(r.i), r.lim, r.opt);
      if (!r.take(al)) return false;
      a.name = string_value::unvalidated(al.value.text(), string_form::atom, al.value.text().size(), false, false, false);
      c.args = a;
      return true;
    }
    case command_kind::getquota: case command_kind::setquota: {
      cmd_generic a;
      if (!r.sp() || !r.astring(a.name)) return false;
      if (k == command_kind::setquota && (!r.sp() || !r.list(a.list))) return false;
      c.args = a;
      return true;
    }
    case command_kind::getmetadata: {
      cmd_generic a;
      if (!r.sp()) return false;
      char ch = 0;
      if (!r.peek(ch)) return false;
      if (ch == '(') {
        if (!r.list(a.options, 1, false) || !r.sp()) return false;
      }
      if (!r.mbox(a.mbox) || !r.sp() || !r.peek(ch)) return false;
      if (ch == '(') {
        if (!r.list(a.list, 1, false)) return false;
        // RFC 5464 examples: "GETMETADATA mailbox (options) entries"; a list followed by SP was
        // the options (at most one options list).
        if (!a.options.present() && r.i < r.in.size() && r.in[r.i] == ' ') {
          a.options = a.list;
          a.list = {};
          a.options_after_mailbox = true;
          if (!r.sp() || !r.peek(ch)) return false;
          if (ch == '(') {
            if (!r.list(a.list, 1, false)) return false;
          } else if (!r.astring(a.name)) {
            return false;
          }
        }
      } else if (!r.astring(a.name)) {
        return false;
      }
      c.args = a;
      return true;
    }
    case command_kind::setmetadata: {
      cmd_generic a;
      if (!r.sp() || !r.mbox(a.mbox) || !r.sp()) return false;
      const std::size_t at = r.i;
      if (!r.list(a.list, 1, false)) return false;
      if (a.list.count % 2 != 0) return r.fail(errc::bad_command_argument, at);
      c.args = a;
      return true;
    }
    case command_kind::unknown: break;
  }
  return r.fail(errc::unknown_command, r.i);
}

}  // namespace detail

/// Parses the command message at the start of `in` (as the framing layer delivers it: inline
/// literals in place, streamed ones announced only and listed in `literals`); `consumed` is
/// the message's length, CRLF included (what follows is not read). Every proper prefix is
/// need_more. On error, value.tag and value.kind are set when they were parsed.
[[nodiscard]] inline parse_result<command> parse_command(std::string_view in, const literal_context& literals = {},
                                                         const limits& lim = {}, const options& opt_in = {}) {
  options opt = opt_in;
  if (literals.message != nullptr) opt.literals = &literals;
  parse_result<command> res;
  command& c = res.value;
  detail::cmd_reader r(in, lim, opt);
  const auto t = parse_tag(in, lim, opt);
  if (t.st != status::event) {
    res.st = t.st;
    res.error = t.error;
    res.error_offset = t.error_offset;
    return res;
  }
  c.tag = t.value;
  r.i = t.consumed + 1;
  auto finish = [&](bool ok) {
    if (ok && r.crlf()) {
      res.st = status::event;
      res.consumed = r.i;
      return;
    }
    res.st = r.st;
    res.error = r.error;
    res.error_offset = r.error_offset;
  };
  // Name (and "UID" prefix).
  std::string_view w;
  const std::size_t name_at = r.i;
  if (r.at_end()) return res;
  if (!detail::is(in[r.i], detail::c_atom)) {
    finish(r.fail(errc::unknown_command, r.i));
    return res;
  }
  {
    const auto a = parse_atom(in.substr(r.i), lim, opt);
    if (!r.take(a)) {
      finish(false);
      return res;
    }
    w = a.value.text();
  }
  if (ascii::iequals(w, "UID")) {
    c.uid = true;
    c.uid_word = w;
    if (!r.sp()) {
      finish(false);
      return res;
    }
    const auto a = parse_atom(in.substr(r.i), lim, opt);
    if (!r.take(a)) {
      finish(false);
      return res;
    }
    w = a.value.text();
  }
  c.name = w;
  c.kind = command_kind::unknown;
  for (const auto& n : detail::command_names)
    if (ascii::iequals(n.name, w)) c.kind = n.kind;
  if (c.uid && !detail::uid_allowed(c.kind)) {
    c.kind = command_kind::unknown;
    finish(r.fail(errc::unknown_command, name_at));
    return res;
  }
  if (c.kind == command_kind::unknown) {
    // Keep the arguments as written: quoted strings and literals skipped whole, up to CRLF.
    cmd_unknown u;
    const std::size_t args_at = r.i;
    if (r.at_end()) return res;
    if (in[r.i] != ' ' && in[r.i] != '\r') {
      finish(r.fail(errc::unexpected_character, r.i));
      return res;
    }
    std::size_t start = r.i;
    if (r.next_is(' ')) start = ++r.i;
    for (;;) {
      if (r.at_end()) return res;
      const char ch = in[r.i];
      if (ch == '\r') break;
      if (ch == '"' || ch == '{' || (ch == '~' && r.i + 1 < in.size() && in[r.i + 1] == '{')) {
        options o = opt;
        o.literal8 = true;
        const auto s = parse_string(in.substr(r.i), lim, o);
        if (s.st == status::event) {
          r.i += s.consumed;
          continue;
        }
        if (s.st == status::need_more) return res;
        finish(r.fail(s.error, r.i + s.error_offset));
        return res;
      }
      if (ch == '\0' || ch == '\n') {
        finish(r.fail(ch == '\0' ? errc::nul_outside_literal8 : errc::bad_command_argument, r.i));
        return res;
      }
      if (static_cast<unsigned char>(ch) >= 0x80 && !opt.utf8) {
        finish(r.fail(errc::eight_bit_not_allowed, r.i));
        return res;
      }
      ++r.i;
    }
    u.arguments = in.substr(start, r.i - start);
    if (start != args_at && u.arguments.empty()) {
      finish(r.fail(errc::trailing_data, args_at));
      return res;
    }
    c.args = u;
    finish(true);
    return res;
  }
  finish(detail::parse_args(r, c));
  return res;
}

/// Calls f(std::string_view) with the text, as written, of each top-level element of a parsed
/// raw_list: "(MESSAGES UIDNEXT)" gives "MESSAGES", "UIDNEXT"; "(USE (\\Drafts))" gives "USE",
/// "(\\Drafts)"; ENABLE's run "CONDSTORE QRESYNC" gives each capability.
template <class F>
void for_each_element(const raw_list& l, F&& f) {
  if (l.raw.empty()) return;
  if (l.raw[0] != '(') {  // ENABLE: capabilities (atoms) separated by SP
    std::size_t i = 0;
    while (i < l.raw.size()) {
      std::size_t j = l.raw.find(' ', i);
      if (j == std::string_view::npos) j = l.raw.size();
      f(l.raw.substr(i, j - i));
      i = j + 1;
    }
    return;
  }
  limits big;
  big.authenticated = true;
  big.nesting_after_auth = ~std::size_t{0};
  big.list_items = ~std::size_t{0};
  big.literal_after_auth = ~std::uint64_t{0} >> 1;
  options o;
  o.utf8 = true;
  const detail::cmd_reader r(l.raw, big, o);
  r.each(l, f);
}

/// What parse_append_prefix() found before the first message literal of APPEND.
struct append_prefix {
  imap::tag tag;
  mailbox mbox;
  append_message first;       ///< flags, date, utf8 of the first message (no data)
  std::size_t literal_offset = 0;  ///< offset of the first message's "{" / "~{" / "UTF8"
};

/// Parses "tag APPEND mailbox [SP flag-list] [SP date-time] SP" up to the first message's
/// literal (RFC 9051 6.3.12), so a server knows where the message goes before its octets.
/// need_more until the literal's first octet is seen; errors as parse_command.
[[nodiscard]] inline parse_result<append_prefix> parse_append_prefix(std::string_view message_so_far,
                                                                     const limits& lim = {},
                                                                     const options& opt = {}) {
  parse_result<append_prefix> res;
  const auto t = parse_tag(message_so_far, lim, opt);
  if (t.st != status::event) {
    res.st = t.st;
    res.error = t.error;
    res.error_offset = t.error_offset;
    return res;
  }
  res.value.tag = t.value;
  detail::cmd_reader r(message_so_far, lim, opt);
  r.i = t.consumed + 1;
  std::string_view w;
  cmd_append a;
  bool ok = r.word(w);
  if (ok && !ascii::iequals(w, "APPEND")) ok = r.fail(errc::bad_command_argument, t.consumed + 1);
  ok = ok && r.sp() && detail::append_args(r, a, true);
  if (!ok) {
    res.st = r.st;
    res.error = r.error;
    res.error_offset = r.error_offset;
    return res;
  }
  res.st = status::event;
  res.consumed = r.i;
  res.value.mbox = a.mbox;
  res.value.first = a.messages.front();
  res.value.literal_offset = r.i;
  return res;
}

/// A client line during AUTHENTICATE (RFC 9051 section 6.2.2): base64 data, or "*" to cancel.
struct authenticate_line {
  bool cancel = false;
  std::string_view data;  ///< base64 text (may be empty)
};

/// Parses one AUTHENTICATE continuation line "base64 CRLF" or "* CRLF"; bad_base64 otherwise.
[[nodiscard]] inline parse_result<authenticate_line> parse_authenticate_line(std::string_view in) {
  const std::size_t lf = in.find('\n');
  if (lf == std::string_view::npos) {
    for (std::size_t k = 0; k < in.size(); ++k)
      if (in[k] == '\r' ? k + 1 != in.size() : !(detail::is(in[k], detail::c_atom) || in[k] == '*'))
        return detail::fail<authenticate_line>(errc::bad_base64, k);
    return detail::more<authenticate_line>();
  }
  if (lf == 0 || in[lf - 1] != '\r') return detail::fail<authenticate_line>(errc::expected_crlf, lf);
  const std::string_view line = in.substr(0, lf - 1);
  authenticate_line v;
  if (line == "*") {
    v.cancel = true;
  } else {
    if (!detail::base64_line(line)) {
      std::size_t k = 0;
      while (k < line.size() && (ascii::is_alpha(line[k]) || (line[k] >= '0' && line[k] <= '9') ||
                                 line[k] == '+' || line[k] == '/' || line[k] == '='))
        ++k;
      return detail::fail<authenticate_line>(errc::bad_base64, k);
    }
    v.data = line;
  }
  return detail::done(v, lf + 1);
}

/// Parses IDLE's "DONE" CRLF (RFC 2177 section 3; case-insensitive); expected_done otherwise.
[[nodiscard]] constexpr parse_result<bool> parse_idle_done(std::string_view in) noexcept {
  constexpr std::string_view done_line = "DONE\r\n";
  for (std::size_t k = 0; k < done_line.size(); ++k) {
    if (k == in.size()) return detail::more<bool>();
    const char c = k < 4 ? ascii::to_upper(in[k]) : in[k];
    if (c != done_line[k]) return detail::fail<bool>(errc::expected_done, k);
  }
  return detail::done(true, done_line.size());
}

namespace detail {

inline errc write_raw_list(std::string& out, const raw_list& l) {
  if (l.raw.empty()) return errc::local_invalid_value;
  out.append(l.raw);
  return errc::ok;
}

inline errc write_search_ret(std::string& out, const search_return& ret, std::string_view word) {
  if (!ret.present) return errc::ok;
  out.append(pick(word, "RETURN"));
  out.push_back(' ');
  if (const errc e = write_search_return(out, ret); e != errc::ok) return e;
  out.push_back(' ');
  return errc::ok;
}

inline errc write_args(std::string& out, const command& c, const options& opt) {
  const command_kind k = c.kind;
  errc e = errc::ok;
  auto chain = [&](errc x) {
    if (e == errc::ok) e = x;
    return e == errc::ok;
  };
  return std::visit(
      [&](const auto& a) -> errc {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, cmd_none>) {
          if (k == command_kind::expunge && c.uid) return errc::local_invalid_value;
          return errc::ok;
        } else if constexpr (std::is_same_v<T, cmd_authenticate>) {
          if (k != command_kind::authenticate) return errc::local_invalid_value;
          out.push_back(' ');
          chain(write_atom(out, a.mechanism));
          if (a.has_initial) {
            if (a.initial != "=" && (a.initial.empty() || !base64_line(a.initial))) return errc::local_invalid_value;
            out.push_back(' ');
            out.append(a.initial);
          }
          return e;
        } else if constexpr (std::is_same_v<T, cmd_login>) {
          out.push_back(' ');
          chain(write_astring(out, a.user, opt));
          out.push_back(' ');
          chain(write_astring(out, a.password, opt));
          return e;
        } else if constexpr (std::is_same_v<T, cmd_enable>) {
          out.push_back(' ');
          return write_raw_list(out, a.caps);
        } else if constexpr (std::is_same_v<T, cmd_select>) {
          out.push_back(' ');
          chain(write_mailbox(out, a.mbox, opt));
          if (a.params.present()) {
            out.push_back(' ');
            chain(write_raw_list(out, a.params));
          } else if (a.qresync) {
            if (a.uidvalidity == 0 || a.modseq == 0 || a.modseq > number64_max) return errc::local_invalid_value;
            out.append(a.condstore ? " (CONDSTORE QRESYNC (" : " (QRESYNC (");
            append_decimal(out, a.uidvalidity);
            out.push_back(' ');
            append_decimal(out, a.modseq);
            out.append("))");
          } else if (a.condstore) {
            out.append(" (CONDSTORE)");
          }
          return e;
        } else if constexpr (std::is_same_v<T, cmd_mailbox>) {
          out.push_back(' ');
          chain(write_mailbox(out, a.mbox, opt));
          if (a.params.present()) {
            out.push_back(' ');
            chain(write_raw_list(out, a.params));
          }
          return e;
        } else if constexpr (std::is_same_v<T, cmd_rename>) {
          out.push_back(' ');
          chain(write_mailbox(out, a.from, opt));
          out.push_back(' ');
          chain(write_mailbox(out, a.to, opt));
          return e;
        } else if constexpr (std::is_same_v<T, cmd_list>) {
          out.push_back(' ');
          if (a.selection.present()) {
            chain(write_raw_list(out, a.selection));
            out.push_back(' ');
          }
          chain(write_mailbox(out, a.reference, opt));
          out.push_back(' ');
          if (a.patterns.present()) chain(write_raw_list(out, a.patterns));
          else chain(write_list_mailbox(out, a.pattern, opt));
          if (a.return_opts.present()) {
            out.push_back(' ');
            out.append(pick(a.return_word, "RETURN"));
            out.push_back(' ');
            chain(write_raw_list(out, a.return_opts));
          }
          return e;
        } else if constexpr (std::is_same_v<T, cmd_status>) {
          out.push_back(' ');
          chain(write_mailbox(out, a.mbox, opt));
          out.push_back(' ');
          chain(write_raw_list(out, a.items));
          return e;
        } else if constexpr (std::is_same_v<T, cmd_append>) {
          out.push_back(' ');
          chain(write_mailbox(out, a.mbox, opt));
          if (a.messages.empty()) return errc::local_invalid_value;
          options o = opt;
          o.literal8 = true;
          for (const auto& m : a.messages) {
            if (m.has_flags) {
              out.push_back(' ');
              chain(write_flag_list(out, m.flags));
            }
            if (m.has_date) {
              out.push_back(' ');
              chain(write_date_time(out, m.date));
            }
            out.push_back(' ');
            if (m.data.form() != string_form::literal && m.data.form() != string_form::literal8)
              return errc::local_invalid_value;
            if (m.utf8) {
              if (m.data.form() != string_form::literal8) return errc::local_invalid_value;
              out.append(pick(m.utf8_word, "UTF8"));
              out.append(" (");
            }
            chain(write_string(out, m.data, o));
            if (m.utf8) out.push_back(')');
          }
          return e;
        } else if constexpr (std::is_same_v<T, cmd_search>) {
          out.push_back(' ');
          chain(write_search_ret(out, a.ret, a.return_word));
          chain(write_search_program(out, a.program, opt));
          return e;
        } else if constexpr (std::is_same_v<T, cmd_sort>) {
          out.push_back(' ');
          if (k == command_kind::sort) {
            chain(write_search_ret(out, a.ret, a.return_word));
            chain(write_raw_list(out, a.criteria));
          } else {
            chain(write_atom(out, a.algorithm));
          }
          out.push_back(' ');
          chain(write_astring(out, a.charset, opt));
          out.push_back(' ');
          if (a.program.has_charset) return errc::local_invalid_value;
          chain(write_search_program(out, a.program, opt));
          return e;
        } else if constexpr (std::is_same_v<T, cmd_fetch>) {
          out.push_back(' ');
          chain(write_sequence_set(out, a.set));
          out.push_back(' ');
          chain(write_fetch_attributes(out, a.attributes, opt));
          if (a.modifiers.present()) {
            out.push_back(' ');
            chain(write_raw_list(out, a.modifiers));
          } else if (a.has_changedsince) {
            if (a.changedsince > number64_max || (a.vanished && !c.uid)) return errc::local_invalid_value;
            out.append(" (CHANGEDSINCE ");
            append_decimal(out, a.changedsince);
            if (a.vanished) out.append(" VANISHED");
            out.push_back(')');
          } else if (a.vanished) {
            return errc::local_invalid_value;
          }
          return e;
        } else if constexpr (std::is_same_v<T, cmd_store>) {
          out.push_back(' ');
          chain(write_sequence_set(out, a.set));
          out.push_back(' ');
          if (a.modifiers.present()) {
            chain(write_raw_list(out, a.modifiers));
            out.push_back(' ');
          } else if (a.has_unchangedsince) {
            if (a.unchangedsince > number64_max) return errc::local_invalid_value;
            out.append("(UNCHANGEDSINCE ");
            append_decimal(out, a.unchangedsince);
            out.append(") ");
          }
          std::string canon = a.mode == store_mode::add ? "+" : a.mode == store_mode::remove ? "-" : "";
          canon += a.silent ? "FLAGS.SILENT" : "FLAGS";
          out.append(pick(a.item_word, canon));
          out.push_back(' ');
          if (a.flags.raw().empty()) return errc::local_invalid_value;
          out.append(a.flags.raw());
          return e;
        } else if constexpr (std::is_same_v<T, cmd_copy>) {
          out.push_back(' ');
          chain(write_sequence_set(out, a.set));
          if (k != command_kind::expunge) {
            out.push_back(' ');
            chain(write_mailbox(out, a.mbox, opt));
          }
          return e;
        } else if constexpr (std::is_same_v<T, cmd_generic>) {
          out.push_back(' ');
          switch (k) {
            case command_kind::id:
              if (!a.list.present()) out.append("NIL");
              else chain(write_raw_list(out, a.list));
              return e;
            case command_kind::compress: chain(write_astring(out, a.name, opt)); return e;
            case command_kind::getquota: chain(write_astring(out, a.name, opt)); return e;
            case command_kind::setquota:
              chain(write_astring(out, a.name, opt));
              out.push_back(' ');
              chain(write_raw_list(out, a.list));
              return e;
            case command_kind::getmetadata:
              if (a.options.present() && !a.options_after_mailbox) {
                chain(write_raw_list(out, a.options));
                out.push_back(' ');
              }
              chain(write_mailbox(out, a.mbox, opt));
              out.push_back(' ');
              if (a.options.present() && a.options_after_mailbox) {
                chain(write_raw_list(out, a.options));
                out.push_back(' ');
              }
              if (a.list.present()) chain(write_raw_list(out, a.list));
              else chain(write_astring(out, a.name, opt));
              return e;
            case command_kind::setmetadata:
              chain(write_mailbox(out, a.mbox, opt));
              out.push_back(' ');
              chain(write_raw_list(out, a.list));
              return e;
            default: return errc::local_invalid_value;
          }
        } else {
          if (!a.arguments.empty()) {
            out.push_back(' ');
            out.append(a.arguments);
          }
          return errc::ok;
        }
      },
      c.args);
}

}  // namespace detail

/// Appends the command: tag, ["UID" SP] name (as written when kept, else upper case),
/// arguments, CRLF. local_invalid_value (nothing appended) for values that would not parse back.
[[nodiscard]] inline errc write_command(std::string& out, const command& c, const options& opt = {}) {
  const std::size_t start = out.size();
  if (write_tag(out, c.tag) != errc::ok) return errc::local_invalid_value;
  out.push_back(' ');
  if (c.uid) {
    if (!detail::uid_allowed(c.kind)) {
      out.resize(start);
      return errc::local_invalid_value;
    }
    out.append(detail::pick(c.uid_word, "UID"));
    out.push_back(' ');
  }
  if (c.kind == command_kind::unknown) {
    if (!atom::make(c.name) || !std::holds_alternative<cmd_unknown>(c.args)) {
      out.resize(start);
      return errc::local_invalid_value;
    }
    out.append(c.name);
  } else {
    out.append(detail::pick(c.name, command_name(c.kind)));
  }
  if (const errc e = detail::write_args(out, c, opt); e != errc::ok) {
    out.resize(start);
    return e;
  }
  out.append("\r\n");
  return errc::ok;
}

}  // namespace mailwire::imap
