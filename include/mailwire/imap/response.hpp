// mailwire/imap/response.hpp — server responses (RFC 9051 section 7, RFC 3501 section 7, and the
// extensions of issue 7): continuation requests, tagged and untagged status responses, and every
// data response, parsed from one complete message (framing layer output, imap/framing.hpp) into
// typed values, and written back canonically (byte for byte for canonical input).
//
//   using namespace mailwire::imap;
//   limits lim; lim.authenticated = true;
//   auto r = parse_response("* 12 FETCH (FLAGS (\\Seen) UID 4827313 RFC822.SIZE 44827)\r\n", nullptr, lim);
//   // r.value.kind == response_kind::fetch, r.value.number == 12, r.value.atts.size() == 3
//   std::string out;
//   (void)write_response(out, r.value);                // the same bytes back
//
// Views: every string, list and name views the message; keep the buffer while using the value.
// Streamed literals (BODY[] data over the framer's inline limit) give string values with
// streamed() == true and no data; parse_fetch_prefix() tells the host which message and section
// a streamed literal belongs to before its octets arrive.
//
// Lists that are rarely inspected (NAMESPACE, THREAD, METADATA values, LIST extended items, ESEARCH
// extension values, body extensions) are validated and kept as written; the writer copies them.
// imap/response_data.hpp reads them typed (namespaces(), read_threads(), for_each_metadata(),
// for_each_quota_root(), for_each_list_extended()) and builds them (set_namespaces(), ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/imap/body.hpp"
#include "mailwire/imap/codes.hpp"
#include "mailwire/imap/datetime.hpp"
#include "mailwire/imap/detail/reader.hpp"
#include "mailwire/imap/fetch.hpp"
#include "mailwire/imap/flag.hpp"
#include "mailwire/imap/sequence.hpp"
#include "mailwire/imap/values.hpp"

namespace mailwire::imap {

/// Options of the response parser and writer: what the connection enabled, and quirks.
struct response_options {
  /// UTF-8 in quoted strings, text and mailbox names (IMAP4rev2 / UTF8=ACCEPT, RFC 9051
  /// section 9, RFC 6855 section 3).
  bool utf8 = false;
  /// Quirk, off: 8-bit octets in human-readable text (resp-text) without UTF-8 enabled, as
  /// localized Courier / Cyrus / Exchange-style servers send in their own charset.
  bool eight_bit_text = false;
  /// Quirk, off: one SP before the CRLF that ends an untagged data response ("* SEARCH 2 3 ",
  /// "* STATUS INBOX (MESSAGES 0) ", "* CAPABILITY IMAP4rev1 "), as Yahoo-, Exchange- and
  /// exmail-style servers send; written without.
  bool trailing_space = false;
  /// Quirks of ENVELOPE / BODYSTRUCTURE (imap/body.hpp).
  body_quirks quirks;
};

/// What a response is (RFC 9051 section 7).
enum class response_kind : std::uint8_t {
  continuation,  ///< "+" SP (resp-text / base64) (section 7.6)
  tagged,        ///< tag SP (OK / NO / BAD) SP resp-text (section 7.1)
  status,        ///< "*" SP (OK / NO / BAD / PREAUTH / BYE) SP resp-text (section 7.1)
  capability,    ///< CAPABILITY (section 7.2.2)
  enabled,       ///< ENABLED (RFC 5161 section 3.2)
  flags,         ///< FLAGS (section 7.3.5)
  list,          ///< LIST (section 7.3.1, RFC 5258)
  lsub,          ///< LSUB (RFC 3501 section 7.2.3)
  namespace_,    ///< NAMESPACE (RFC 2342 section 5, RFC 9051 section 7.3.3)
  status_data,   ///< STATUS (section 7.3.2)
  search,        ///< SEARCH (RFC 3501 section 7.2.5; RFC 7162 MODSEQ)
  esearch,       ///< ESEARCH (RFC 4731 section 3.1, RFC 9051 section 7.3.4)
  exists,        ///< n EXISTS (section 7.4.1)
  recent,        ///< n RECENT (RFC 3501 section 7.3.2)
  expunge,       ///< n EXPUNGE (section 7.5.1)
  fetch,         ///< n FETCH (section 7.5.2)
  vanished,      ///< VANISHED [(EARLIER)] uid-set (RFC 7162 section 3.2.10)
  id,            ///< ID (RFC 2971 section 3.2)
  quota,         ///< QUOTA (RFC 9208 section 5.1)
  quotaroot,     ///< QUOTAROOT (RFC 9208 section 5.2)
  metadata,      ///< METADATA (RFC 5464 section 4.4)
  sort,          ///< SORT (RFC 5256 section 4)
  thread,        ///< THREAD (RFC 5256 section 4)
  unknown,       ///< another untagged response, kept as written
};

/// The condition of a status response (RFC 9051 section 7.1).
enum class cond : std::uint8_t { ok, no, bad, preauth, bye };

/// resp-text: ["[" resp-text-code "]" SP] [text] (RFC 9051 section 9), as written.
struct resp_text {
  bool has_code = false;
  resp_code code;
  std::string_view text;  ///< the human-readable text (may be empty)
  /// The SP after the condition word / "+" was there (RFC 9051 requires it; "+\r\n" and "a1
  /// OK\r\n" are accepted without).
  bool lead_space = true;
  /// The SP after "]" was there (RFC 9051 requires it; "[READ-WRITE]\r\n" is accepted without).
  bool code_space = true;
  friend bool operator==(const resp_text&, const resp_text&) = default;
};

/// A list of numbers as written: nz-number *(SP nz-number) (SEARCH, SORT).
class number_list {
 public:
  constexpr number_list() noexcept = default;
  [[nodiscard]] static constexpr number_list unvalidated(std::string_view raw, std::size_t count) noexcept {
    number_list l;
    l.raw_ = raw;
    l.count_ = count;
    return l;
  }
  [[nodiscard]] constexpr std::string_view raw() const noexcept { return raw_; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
  /// Calls f(std::uint32_t) in written order.
  template <class F>
  constexpr void for_each(F&& f) const {
    std::uint32_t v = 0;
    bool in = false;
    for (char c : raw_) {
      if (c == ' ') {
        if (in) f(v);
        v = 0;
        in = false;
      } else {
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
        in = true;
      }
    }
    if (in) f(v);
  }
  friend constexpr bool operator==(const number_list& a, const number_list& b) noexcept {
    return a.count_ == b.count_ && a.raw_ == b.raw_;
  }

 private:
  std::string_view raw_;
  std::size_t count_ = 0;
};

/// One item of a STATUS response (RFC 9051 section 7.3.2, status-att-val; RFC 7162
/// HIGHESTMODSEQ, RFC 7889 APPENDLIMIT, RFC 8474 MAILBOXID, RFC 8438 SIZE).
struct status_item {
  std::string_view name;   ///< as written ("MESSAGES", "UIDNEXT"...)
  std::uint64_t value = 0;
  bool nil = false;        ///< APPENDLIMIT NIL
  std::string_view objectid;  ///< MAILBOXID (objectid)
  friend bool operator==(const status_item& a, const status_item& b) noexcept {
    return ascii::iequals(a.name, b.name) && a.value == b.value && a.nil == b.nil && a.objectid == b.objectid;
  }
};

/// One search-return-data item of ESEARCH (RFC 4731 section 3.1, RFC 9051 section 9).
struct esearch_item {
  std::string_view name;  ///< MIN, MAX, ALL, COUNT, MODSEQ or an extension name, as written
  std::uint64_t number = 0;   ///< MIN, MAX, COUNT, MODSEQ
  sequence_set set;           ///< ALL
  std::string_view value;     ///< the value as written (every item)
  friend bool operator==(const esearch_item& a, const esearch_item& b) noexcept {
    return ascii::iequals(a.name, b.name) && a.value == b.value;
  }
};

/// One resource of a QUOTA response (RFC 9208 section 5.1).
struct quota_resource {
  std::string_view name;  ///< STORAGE, MESSAGE, MAILBOX, ANNOTATION-STORAGE, ...
  std::uint64_t usage = 0, limit = 0;
  friend bool operator==(const quota_resource& a, const quota_resource& b) noexcept {
    return ascii::iequals(a.name, b.name) && a.usage == b.usage && a.limit == b.limit;
  }
};

/// What a msg-att of a FETCH response is: the item of fetch.hpp, or another name kept as written.
struct msg_att {
  fetch_attribute att;      ///< the name with section and origin (fetch_form::response)
  bool other = false;       ///< a name fetch.hpp does not know (e.g. X-GM-MSGID): raw value kept
  std::string_view name;    ///< other: the name as written
  std::string_view raw;     ///< other: the value as written
  flag_list flags;          ///< FLAGS
  std::uint64_t number = 0; ///< UID, RFC822.SIZE, BINARY.SIZE, MODSEQ
  date_time date;           ///< INTERNALDATE, SAVEDATE
  bool nil = false;         ///< SAVEDATE NIL, THREADID NIL
  envelope env;             ///< ENVELOPE
  body_structure body;      ///< BODY, BODYSTRUCTURE
  string_value data;        ///< BODY[], BINARY[] (maybe literal8), RFC822*, PREVIEW
  std::string_view objectid;  ///< EMAILID, THREADID
  friend bool operator==(const msg_att& a, const msg_att& b) {
    if (a.other || b.other) return a.other == b.other && ascii::iequals(a.name, b.name) && a.raw == b.raw;
    return a.att == b.att && a.flags == b.flags && a.number == b.number && a.date == b.date && a.nil == b.nil &&
           a.env == b.env && a.body == b.body && a.data == b.data && a.objectid == b.objectid;
  }
};

/// One server response (RFC 9051 section 7). Which fields are set depends on kind.
struct response {
  response_kind kind = response_kind::unknown;
  imap::tag tag;                 ///< tagged
  cond condition = cond::ok;     ///< tagged, status
  resp_text text;                ///< tagged, status, continuation
  std::string_view name;         ///< the response name as written ("FETCH", "list"); unknown: its atom
  std::uint64_t number = 0;      ///< EXISTS, RECENT, EXPUNGE, FETCH (message number); SEARCH/SORT MODSEQ
  bool has_modseq = false;       ///< SEARCH / SORT with "(MODSEQ n)" (RFC 7162 section 3.1.5)
  capability_list capabilities;  ///< CAPABILITY, ENABLED
  flag_list flags;               ///< FLAGS; LIST / LSUB mbx-list-flags
  char delimiter = 0;            ///< LIST / LSUB hierarchy delimiter; 0 for NIL
  bool delimiter_escaped = false;///< written "\\" or "\"" (quoted-specials are escaped)
  mailbox mbox;                  ///< LIST, LSUB, STATUS, QUOTAROOT, METADATA
  std::string_view extended;     ///< LIST extended items "(...)" as written; NAMESPACE; THREAD; METADATA; unknown: the rest
  std::size_t count = 0;         ///< items in `extended` (LIST extended items, METADATA entries)
  std::vector<status_item> status_items;  ///< STATUS
  number_list numbers;           ///< SEARCH, SORT
  string_value search_tag;       ///< ESEARCH (TAG "x"); NIL when absent
  bool uid = false;              ///< ESEARCH UID
  std::vector<esearch_item> esearch_items;  ///< ESEARCH
  bool earlier = false;          ///< VANISHED (EARLIER)
  sequence_set uids;             ///< VANISHED
  std::vector<msg_att> atts;     ///< FETCH
  string_value root;             ///< QUOTA root name
  std::vector<quota_resource> resources;  ///< QUOTA
  std::string_view ns[3];        ///< NAMESPACE personal, other users', shared: "NIL" or "(...)" as written
  std::string_view id_params;    ///< ID: "NIL" or "(...)" as written
  param_list id_list;            ///< ID pairs (RFC 2971 section 3.3)
  bool metadata_values = false;  ///< METADATA with entry-values "(...)" (else an entry list)
};

namespace detail {

/// resp-text after the condition word / "+" (at the SP or CRLF).
inline bool read_resp_text(reader& r, resp_text& t, bool eight_bit) {
  t = {};
  if (r.eof()) return r.more();
  if (r.in[r.pos] == '\r') {
    t.lead_space = false;
    return true;
  }
  if (!r.sp()) return false;
  if (r.is('[')) {
    ++r.pos;
    resp_code c;
    if (!r.take(parse_resp_code(r.rest(), r.lim, r.opt), c)) return false;
    if (!r.ch(']')) return false;
    t.has_code = true;
    t.code = c;
    if (r.eof()) return r.more();
    if (r.in[r.pos] == '\r') {
      t.code_space = false;
      return true;
    }
    if (!r.sp()) return false;
  }
  return r.text(t.text, eight_bit);
}

/// A tagged-ext-val (RFC 4466 section 2.1): tagged-ext-simple (sequence-set / number64) or
/// "(" [tagged-ext-comp] ")", tagged-ext-comp = astring / tagged-ext-comp *(SP tagged-ext-comp)
/// / "(" tagged-ext-comp ")". Also accepts NIL (nstring) for X-GM-* style values.
inline bool read_ext_value(reader& r) {
  if (r.eof()) return r.more();
  const char c = r.in[r.pos];
  if (c == '(') {
    if (!r.open()) return false;
    std::size_t n = 0;
    if (r.is(')')) return r.close();
    while (true) {
      if (n++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
      if (!read_ext_value(r)) return false;
      if (!r.is(' ')) break;
      ++r.pos;
    }
    return r.close();
  }
  if (c == '\\') {  // a flag (X-GM-LABELS (\\Inbox))
    flag f;
    return r.take(parse_flag(r.rest(), r.lim, r.opt), f);
  }
  if (c >= '0' && c <= '9') {
    std::size_t k = r.pos;
    while (k < r.in.size() && ascii::is_digit(r.in[k])) ++k;
    if (k == r.in.size()) return r.more();
    if (r.in[k] != ':' && r.in[k] != ',') {
      std::uint64_t v;
      return r.number64(v);
    }
  }
  if ((c >= '0' && c <= '9') || c == '*' || c == '$') {
    sequence_set s;
    return r.take(parse_sequence_set(r.rest(), r.lim), s);
  }
  string_value v;
  const std::size_t at = r.pos;
  if (!r.astring(v)) return false;
  if (v.streamed()) return r.fail(errc::bad_string, at);
  return true;
}

inline bool read_mailbox(reader& r, mailbox& m) { return r.take(parse_mailbox(r.rest(), r.lim, r.opt), m); }

/// [SP "(" "MODSEQ" SP n ")"] after SEARCH / SORT numbers. `trailing`: a SP before the CRLF is
/// left for the caller (response_options::trailing_space).
inline bool read_numbers(reader& r, response& resp, bool trailing = false) {
  const std::size_t start = r.pos;
  std::size_t n = 0, end = r.pos;
  while (r.is(' ')) {
    if (r.pos + 1 == r.in.size()) return r.more();
    if (trailing && r.in[r.pos + 1] == '\r') break;
    if (r.in[r.pos + 1] == '(') {
      ++r.pos;
      if (!r.open()) return false;
      std::string_view w;
      if (!r.name(w)) return false;
      if (!ascii::iequals(w, "MODSEQ")) return r.fail(errc::unexpected_character, r.pos - w.size());
      if (!r.sp() || !r.number64(resp.number) || !r.close()) return false;
      resp.has_modseq = true;
      break;
    }
    ++r.pos;
    if (n == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
    std::uint32_t v;
    if (!r.nz_number(v)) return false;
    ++n;
    end = r.pos;
  }
  resp.numbers = number_list::unvalidated(n ? r.in.substr(start + 1, end - start - 1) : std::string_view{}, n);
  return true;
}

/// THREAD: thread-list = "(" (thread-members / thread-nested) ")", thread-members =
/// nz-number *(SP nz-number) [SP thread-nested], thread-nested = 2*thread-list (RFC 5256 section 4).
inline bool read_thread_list(reader& r);
inline bool read_thread_nested(reader& r) {
  std::size_t k = 0;
  while (r.is('(')) {
    if (k++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
    if (!read_thread_list(r)) return false;
  }
  if (!r.good()) return false;
  if (r.eof()) return r.more();
  if (k < 2) return r.bad(errc::unexpected_character);
  return true;
}
inline bool read_thread_list(reader& r) {
  if (!r.open()) return false;
  if (r.eof()) return r.more();
  if (r.in[r.pos] == '(') {
    if (!read_thread_nested(r)) return false;
  } else {
    std::size_t n = 0;
    while (true) {
      if (n++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
      std::uint32_t v;
      if (!r.nz_number(v)) return false;
      if (!r.is(' ')) break;
      ++r.pos;
      if (r.eof()) return r.more();
      if (r.in[r.pos] == '(') {
        if (!read_thread_nested(r)) return false;
        break;
      }
    }
  }
  return r.close();
}

/// namespace = nil / "(" 1*namespace-descr ")" (RFC 2342 section 5, RFC 9051 section 9).
inline bool read_namespace(reader& r, std::string_view& out) {
  const std::size_t start = r.pos;
  if (r.nil()) {
    out = r.in.substr(start, 3);
    return true;
  }
  if (!r.good() || !r.open()) return false;
  std::size_t n = 0;
  while (r.is('(')) {
    if (n++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
    ++r.pos;
    if (++r.depth > r.lim.nesting()) return r.fail(errc::nesting_too_deep, r.pos - 1);
    string_value prefix, delim;
    if (!r.string(prefix) || !r.sp() || !r.nstring(delim)) return false;
    if (!delim.is_nil() && (delim.form() != string_form::quoted || delim.size() != 1))
      return r.fail(errc::unexpected_character, r.pos - 1);
    // namespace-response-extensions = *(SP string SP "(" string *(SP string) ")")
    while (r.is(' ')) {
      ++r.pos;
      string_value s;
      if (!r.string(s) || !r.sp() || !r.open()) return false;
      std::size_t k = 0;
      while (true) {
        if (k++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
        if (!r.string(s)) return false;
        if (!r.is(' ')) break;
        ++r.pos;
      }
      if (!r.close()) return false;
    }
    if (!r.close()) return false;
  }
  if (!r.good()) return false;
  if (n == 0) return r.bad(errc::unexpected_character);
  if (!r.close()) return false;
  out = r.in.substr(start, r.pos - start);
  return true;
}

/// One msg-att at the cursor (the name and its value). `prefix`: stop at a literal announcement
/// at the end of the input (parse_fetch_prefix).
inline bool read_msg_att(reader& r, msg_att& a, const response_options& ro, bool& pending) {
  const std::size_t at = r.pos;
  // A plain name followed by SP (FLAGS, UID, ENVELOPE, BODYSTRUCTURE...): what
  // parse_fetch_attribute gives for it, set in place (`a.att` is default here).
  bool plain = false;
  {
    std::size_t n = at;
    while (n < r.in.size() && fetch_name_char(r.in[n])) ++n;
    if (n < r.in.size() && r.in[n] == ' ') {
      const std::string_view name = r.in.substr(at, n - at);
      if (iequals_upper(name, "BODY")) {
        a.att.item = fetch_item::body;
        plain = true;
      } else {
        plain = plain_fetch_item(name, a.att.item);
      }
      if (plain) {
        a.att.name = name;
        r.pos = n;
      }
    }
  }
  if (!plain) {
    const auto f = parse_fetch_attribute(r.rest(), r.lim, r.opt, fetch_form::response);
    if (f.st == status::need_more) return r.more();
    if (f.st == status::error) {
      if (f.error != errc::bad_fetch_attribute) return r.fail(f.error, at + f.error_offset);
      // An extension item: atom SP tagged-ext-val (X-GM-MSGID 123, X-GM-LABELS (\Inbox)).
      a.other = true;
      if (!r.token(c_atom, a.name, errc::bad_fetch_attribute) || !r.sp()) return false;
      const std::size_t v = r.pos;
      if (!read_ext_value(r)) return false;
      a.raw = r.in.substr(v, r.pos - v);
      return true;
    }
    a.att = f.value;
    r.pos += f.consumed;
  }
  if (!r.sp()) return false;
  const auto data = [&](bool binary) {
    options o = r.opt;
    o.literal8 = binary;
    const std::size_t p = r.pos;
    const auto s = parse_nstring(r.rest(), r.lim, o);
    if (s.st == status::need_more && pending && !r.eof() && (r.in[p] == '{' || r.in[p] == '~')) {
      // A complete announcement "{N}\r\n" at the end: the octets are still to come.
      const std::size_t nl = r.in.find("}\r\n", p);
      if (nl != std::string_view::npos && nl + 3 == r.in.size()) {
        const auto hdr = parse_nstring(r.in.substr(p, nl + 3 - p), r.lim, o);
        if (hdr.st == status::error) return r.fail(hdr.error, p + hdr.error_offset);
        std::uint64_t size = 0;
        for (std::size_t k = p + (r.in[p] == '~' ? 2 : 1); k < nl; ++k)
          size = size * 10 + static_cast<std::uint64_t>(r.in[k] - '0');
        a.data = string_value::streamed_literal(size, false, r.in[p] == '~');
        r.pos = r.in.size();
        pending = false;  // signals: stopped at the announcement
        return r.more();
      }
    }
    return r.take(s, a.data);
  };
  switch (a.att.item) {
    case fetch_item::flags:
      return r.take(parse_flag_list(r.rest(), r.lim, r.opt), a.flags);
    case fetch_item::uid: {
      std::uint32_t v;
      if (!r.nz_number(v)) return false;
      a.number = v;
      return true;
    }
    case fetch_item::rfc822_size:
      return r.number64(a.number);
    case fetch_item::binary_size: {
      std::uint32_t v;
      if (!r.number(v)) return false;
      a.number = v;
      return true;
    }
    case fetch_item::internaldate:
      return r.take(parse_date_time(r.rest(), r.lim, r.opt), a.date);
    case fetch_item::savedate:
      if (r.nil()) {
        a.nil = true;
        return true;
      }
      if (!r.good()) return false;
      return r.take(parse_date_time(r.rest(), r.lim, r.opt), a.date);
    case fetch_item::envelope:
      return read_envelope(r, a.env, ro.quirks);
    case fetch_item::body:
    case fetch_item::bodystructure:
      a.body.parts.reserve(8);
      return read_body(r, a.body.parts, ro.quirks);
    case fetch_item::body_section:
    case fetch_item::rfc822:
    case fetch_item::rfc822_header:
    case fetch_item::rfc822_text:
    case fetch_item::preview:
      return data(false);
    case fetch_item::binary:
      return data(true);
    case fetch_item::modseq:
      return r.open() && r.number64(a.number) && r.close();
    case fetch_item::emailid:
    case fetch_item::threadid: {
      if (a.att.item == fetch_item::threadid && r.nil()) {
        a.nil = true;
        return true;
      }
      if (!r.good() || !r.ch('(')) return false;
      const std::size_t s = r.pos;
      while (!r.eof() && (ascii::is_alpha(r.in[r.pos]) || ascii::is_digit(r.in[r.pos]) || r.in[r.pos] == '_' ||
                          r.in[r.pos] == '-'))
        ++r.pos;
      if (r.eof()) return r.more();
      a.objectid = r.in.substr(s, r.pos - s);
      if (!is_objectid(a.objectid)) return r.fail(errc::unexpected_character, r.pos);
      return r.ch(')');
    }
  }
  return r.fail(errc::bad_fetch_attribute, at);
}

inline bool read_fetch_atts(reader& r, response& resp, const response_options& ro, bool& pending) {
  if (!r.open()) return false;
  // Attributes left from a previous response (parse_response_into) are recycled with their
  // body vectors' capacity.
  std::size_t n = 0;
  const auto done = [&](bool ok) {
    resp.atts.resize(n);
    return ok;
  };
  if (resp.atts.capacity() == 0) resp.atts.reserve(8);
  while (true) {
    if (n == r.lim.list_items) return done(r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos));
    if (n < resp.atts.size()) {
      // Back to a default msg_att, keeping the body vector's capacity; the envelope (272
      // octets) only when the attribute was one (read_msg_att sets only its item's fields).
      msg_att& a = resp.atts[n];
      if (a.att.item == fetch_item::envelope) a.env = envelope{};
      a.body.parts.clear();
      // Only these items set more of fetch_attribute than item and name (section, partial).
      if (a.att.item == fetch_item::body_section || a.att.item == fetch_item::binary ||
          a.att.item == fetch_item::binary_size || a.att.item == fetch_item::preview || a.att.peek ||
          a.att.preview_lazy || a.att.partial.present) {
        a.att = fetch_attribute{};
      } else {
        a.att.item = fetch_attribute{}.item;
        a.att.name = {};
      }
      a.other = false;
      a.name = {};
      a.raw = {};
      a.flags = flag_list{};
      a.number = 0;
      a.date = date_time{};
      a.nil = false;
      a.data = string_value{};
      a.objectid = {};
    } else {
      resp.atts.emplace_back();
    }
    ++n;
    if (!read_msg_att(r, resp.atts[n - 1], ro, pending)) return done(false);
    if (!r.is(' ')) break;
    ++r.pos;
  }
  return done(r.close());
}

/// The rest of an unknown response: up to the CRLF that ends the message (skipping literals).
inline bool read_raw_rest(reader& r, std::string_view& out) {
  const std::size_t start = r.pos;
  std::size_t i = r.pos;
  while (true) {
    const std::size_t cr = r.in.find('\r', i);
    if (cr == std::string_view::npos) {
      r.pos = r.in.size();
      return r.more();
    }
    // a literal announcement "{N}" or "{N+}" or "~{N}" right before CRLF?
    std::size_t k = cr;
    std::uint64_t n = 0, mul = 1;
    bool lit = false;
    if (k > start && r.in[k - 1] == '}') {
      std::size_t j = k - 1;
      while (j > start && ascii::is_digit(r.in[j - 1]) && mul < 1000000000000000000ull) {
        n += static_cast<std::uint64_t>(r.in[j - 1] - '0') * mul;
        mul *= 10;
        --j;
      }
      lit = j > start && r.in[j - 1] == '{' && j != k - 1;
    }
    if (cr + 1 == r.in.size()) {
      r.pos = r.in.size();
      return r.more();
    }
    if (r.in[cr + 1] != '\n') return r.fail(errc::expected_crlf, cr + 1);
    if (!lit) {
      for (std::size_t z = i; z < cr; ++z) {
        if (r.in[z] == '\0') return r.fail(errc::nul_outside_literal8, z);
        if (r.in[z] == '\n') return r.fail(errc::bare_lf, z);
      }
      out = r.in.substr(start, cr - start);
      r.pos = cr;
      return true;
    }
    if (r.opt.literals != nullptr) {  // a streamed literal's octets are not in the buffer
      const literal_span* ls = r.opt.literals->find(r.in.data() + cr + 2);
      if (ls != nullptr && ls->streamed) n = 0;
    }
    if (r.in.size() - (cr + 2) < n) {
      r.pos = r.in.size();
      return r.more();
    }
    i = cr + 2 + static_cast<std::size_t>(n);
  }
}

inline bool read_untagged(reader& r, response& resp, const response_options& ro, bool& pending) {
  if (r.eof()) return r.more();
  if (ascii::is_digit(r.in[r.pos])) {
    if (!r.number64(resp.number) || !r.sp()) return false;
    if (resp.number > 0xFFFFFFFFu) return r.fail(errc::number_overflow, r.pos - 2);
    const std::size_t at = r.pos;
    if (!r.name(resp.name)) return false;
    const auto is = [&](std::string_view w) { return ascii::iequals(resp.name, w); };
    if (is("EXISTS")) resp.kind = response_kind::exists;
    else if (is("RECENT")) resp.kind = response_kind::recent;
    else if (is("EXPUNGE")) resp.kind = response_kind::expunge;
    else if (is("FETCH")) resp.kind = response_kind::fetch;
    else return r.fail(errc::unexpected_character, at);
    if ((resp.kind == response_kind::expunge || resp.kind == response_kind::fetch) && resp.number == 0)
      return r.fail(errc::bad_number, 2);
    if (resp.kind == response_kind::fetch) return r.sp() && read_fetch_atts(r, resp, ro, pending);
    return true;
  }
  const std::size_t at = r.pos;
  if (!r.name(resp.name)) return false;
  if (resp.name.empty()) return r.bad(errc::unexpected_character);
  const auto is = [&](std::string_view w) { return ascii::iequals(resp.name, w); };
  const bool eight = ro.eight_bit_text;
  if (is("OK") || is("NO") || is("BAD") || is("PREAUTH") || is("BYE")) {
    resp.kind = response_kind::status;
    resp.condition = is("OK") ? cond::ok : is("NO") ? cond::no : is("BAD") ? cond::bad : is("PREAUTH") ? cond::preauth : cond::bye;
    return read_resp_text(r, resp.text, eight);
  }
  if (is("CAPABILITY")) {
    resp.kind = response_kind::capability;
    return r.sp() && read_capabilities(r, resp.capabilities, true);
  }
  if (is("ENABLED")) {
    resp.kind = response_kind::enabled;
    if (r.is(' ')) {
      ++r.pos;
      return read_capabilities(r, resp.capabilities, true);
    }
    return true;
  }
  if (is("FLAGS")) {
    resp.kind = response_kind::flags;
    return r.sp() && r.take(parse_flag_list(r.rest(), r.lim, r.opt), resp.flags);
  }
  if (is("LIST") || is("LSUB")) {
    resp.kind = is("LIST") ? response_kind::list : response_kind::lsub;
    if (!r.sp() || !r.take(parse_flag_list(r.rest(), r.lim, r.opt), resp.flags) || !r.sp()) return false;
    if (r.nil()) {
      resp.delimiter = 0;
    } else {
      if (!r.good()) return false;
      string_value d;
      const std::size_t dp = r.pos;
      if (!r.is('"')) return r.bad(errc::unexpected_character);
      if (!r.string(d)) return false;
      if (d.size() != 1) return r.fail(errc::unexpected_character, dp);
      resp.delimiter = d.content()[0];
      resp.delimiter_escaped = d.raw().size() == 2;
    }
    if (!r.sp() || !read_mailbox(r, resp.mbox)) return false;
    if (r.is(' ')) {
      // mbox-list-extended = "(" [item *(SP item)] ")", item = astring SP tagged-ext-val
      // (RFC 9051 section 9: mbox-list-extended-item-tag = astring)
      ++r.pos;
      const std::size_t s = r.pos;
      if (!r.open()) return false;
      std::size_t n = 0;
      if (!r.is(')')) {
        while (true) {
          if (n++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
          string_value t;
          if (!r.astring(t) || !r.sp() || !read_ext_value(r)) return false;
          if (!r.is(' ')) break;
          ++r.pos;
        }
      }
      if (!r.close()) return false;
      resp.extended = r.in.substr(s, r.pos - s);
      resp.count = n;
    }
    return true;
  }
  if (is("NAMESPACE")) {
    resp.kind = response_kind::namespace_;
    return r.sp() && read_namespace(r, resp.ns[0]) && r.sp() && read_namespace(r, resp.ns[1]) && r.sp() &&
           read_namespace(r, resp.ns[2]);
  }
  if (is("STATUS")) {
    resp.kind = response_kind::status_data;
    if (!r.sp() || !read_mailbox(r, resp.mbox) || !r.sp() || !r.open()) return false;
    if (!r.is(')')) {
      while (true) {
        if (resp.status_items.size() == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
        status_item it;
        if (!r.token(c_atom, it.name, errc::bad_atom) || !r.sp()) return false;
        if (ascii::iequals(it.name, "MAILBOXID")) {
          if (!r.ch('(')) return false;
          const std::size_t s = r.pos;
          while (!r.eof() && r.in[r.pos] != ')') ++r.pos;
          if (r.eof()) return r.more();
          it.objectid = r.in.substr(s, r.pos - s);
          if (!is_objectid(it.objectid)) return r.fail(errc::unexpected_character, s);
          ++r.pos;
        } else if (ascii::iequals(it.name, "APPENDLIMIT") && r.nil()) {
          it.nil = true;
        } else {
          if (!r.good() || !r.number64(it.value)) return false;
        }
        resp.status_items.push_back(it);
        if (!r.is(' ')) break;
        ++r.pos;
      }
    }
    return r.close();
  }
  if (is("SEARCH")) {
    resp.kind = response_kind::search;
    return read_numbers(r, resp, ro.trailing_space);
  }
  if (is("SORT")) {
    resp.kind = response_kind::sort;
    return read_numbers(r, resp, ro.trailing_space);
  }
  if (is("ESEARCH")) {
    resp.kind = response_kind::esearch;
    // [search-correlator] [SP "UID"] *(SP search-return-data)
    if (r.is(' ') && r.pos + 1 < r.in.size() && r.in[r.pos + 1] == '(') {
      ++r.pos;
      std::string_view w;
      if (!r.open() || !r.name(w)) return false;
      if (!ascii::iequals(w, "TAG")) return r.fail(errc::unexpected_character, r.pos - w.size());
      if (!r.sp() || !r.string(resp.search_tag) || !r.close()) return false;
    }
    while (r.is(' ')) {
      ++r.pos;
      esearch_item it;
      if (!r.token(c_atom, it.name, errc::bad_atom)) return false;
      if (ascii::iequals(it.name, "UID") && resp.esearch_items.empty() && !resp.uid) {
        resp.uid = true;
        continue;
      }
      if (resp.esearch_items.size() == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
      if (!r.sp()) return false;
      const std::size_t v = r.pos;
      const auto is_n = [&](std::string_view w) { return ascii::iequals(it.name, w); };
      if (is_n("MIN") || is_n("MAX")) {
        std::uint32_t x;
        if (!r.nz_number(x)) return false;
        it.number = x;
      } else if (is_n("COUNT")) {
        std::uint32_t x;
        if (!r.number(x)) return false;
        it.number = x;
      } else if (is_n("MODSEQ")) {
        if (!r.number64(it.number)) return false;
      } else if (is_n("ALL")) {
        if (!r.take(parse_sequence_set(r.rest(), r.lim), it.set)) return false;
        if (it.set.is_last_command()) return r.fail(errc::bad_sequence_set, v);
      } else if (!read_ext_value(r)) {
        return false;
      }
      it.value = r.in.substr(v, r.pos - v);
      resp.esearch_items.push_back(it);
    }
    return true;
  }
  if (is("VANISHED")) {
    resp.kind = response_kind::vanished;
    if (!r.sp()) return false;
    if (r.is('(')) {
      std::string_view w;
      if (!r.open() || !r.name(w)) return false;
      if (!ascii::iequals(w, "EARLIER")) return r.fail(errc::unexpected_character, r.pos - w.size());
      if (!r.close() || !r.sp()) return false;
      resp.earlier = true;
    }
    const std::size_t v = r.pos;
    if (!r.take(parse_sequence_set(r.rest(), r.lim), resp.uids)) return false;
    if (!is_uid_set(resp.uids)) return r.fail(errc::bad_sequence_set, v);
    return true;
  }
  if (is("ID")) {
    resp.kind = response_kind::id;
    if (!r.sp()) return false;
    const std::size_t s = r.pos;
    if (r.nil()) {
      resp.id_params = r.in.substr(s, 3);
      return true;
    }
    if (!r.good() || !r.open()) return false;
    std::size_t n = 0;
    if (!r.is(')')) {
      while (true) {
        if (n++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
        string_value k, v;
        if (!r.string(k) || !r.sp() || !r.nstring(v)) return false;
        if (!r.is(' ')) break;
        ++r.pos;
      }
    }
    if (!r.close()) return false;
    resp.id_params = r.in.substr(s, r.pos - s);
    resp.id_list = param_list::unvalidated(resp.id_params, resp.id_params.size() > 2 ? n : 0);
    return true;
  }
  if (is("QUOTA")) {
    resp.kind = response_kind::quota;
    if (!r.sp() || !r.astring(resp.root) || !r.sp() || !r.open()) return false;
    while (true) {
      if (resp.resources.size() == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
      quota_resource q;
      if (!r.token(c_atom, q.name, errc::bad_atom) || !r.sp() || !r.number64(q.usage) || !r.sp() ||
          !r.number64(q.limit))
        return false;
      resp.resources.push_back(q);
      if (!r.is(' ')) break;
      ++r.pos;
    }
    return r.close();
  }
  if (is("QUOTAROOT")) {
    resp.kind = response_kind::quotaroot;
    if (!r.sp() || !read_mailbox(r, resp.mbox)) return false;
    const std::size_t s = r.pos;
    std::size_t n = 0;
    while (r.is(' ')) {
      ++r.pos;
      if (n++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
      string_value v;
      if (!r.astring(v)) return false;
    }
    resp.extended = r.in.substr(s, r.pos - s);
    resp.count = n;
    return true;
  }
  if (is("METADATA")) {
    resp.kind = response_kind::metadata;
    if (!r.sp() || !read_mailbox(r, resp.mbox) || !r.sp()) return false;
    const std::size_t s = r.pos;
    std::size_t n = 0;
    if (r.is('(')) {
      resp.metadata_values = true;
      if (!r.open()) return false;
      while (true) {
        if (n++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
        string_value e, v;
        options o = r.opt;
        o.literal8 = true;
        if (!r.astring(e) || !r.sp() || !r.take(parse_nstring(r.rest(), r.lim, o), v)) return false;
        if (!r.is(' ')) break;
        ++r.pos;
      }
      if (!r.close()) return false;
    } else {
      while (true) {
        if (n++ == r.lim.list_items) return r.eof() ? r.more() : r.fail(errc::list_too_long, r.pos);
        string_value e;
        if (!r.astring(e)) return false;
        if (!r.is(' ')) break;
        ++r.pos;
      }
    }
    resp.extended = r.in.substr(s, r.pos - s);
    resp.count = n;
    return true;
  }
  if (is("THREAD")) {
    resp.kind = response_kind::thread;
    const std::size_t s = r.pos;
    if (r.is(' ')) {
      ++r.pos;
      while (r.is('(')) {
        if (!read_thread_list(r)) return false;
      }
      if (!r.good()) return false;
      if (r.pos == s + 1) return r.bad(errc::unexpected_character);
    }
    resp.extended = r.in.substr(s, r.pos - s);
    return true;
  }
  // Any other response: atom [SP anything] kept as written.
  r.pos = at;
  if (!r.token(c_atom, resp.name, errc::bad_atom)) return false;
  resp.kind = response_kind::unknown;
  return read_raw_rest(r, resp.extended);
}

inline parse_result<bool> parse_response_impl(std::string_view in, const literal_context* lits,
                                              const limits& lim, const response_options& ro, bool& pending,
                                              response& resp) {
  options o;
  o.utf8 = ro.utf8;
  o.non_sync_literals = false;
  o.literals = lits;
  reader r(in, lim, o);
  parse_result<bool> out;
  const auto failed = [&]() {
    parse_result<bool> f;
    f.st = r.st;
    f.error = r.err;
    f.error_offset = r.err_at;
    return f;
  };
  if (r.eof()) return out;
  const char c = in[0];
  if (c == '+') {
    resp.kind = response_kind::continuation;
    ++r.pos;
    if (!read_resp_text(r, resp.text, ro.eight_bit_text)) return failed();
  } else if (c == '*') {
    ++r.pos;
    if (!r.sp() || !read_untagged(r, resp, ro, pending)) return failed();
    // Quirk: SP CRLF after an untagged data response (status responses end in text anyway).
    if (ro.trailing_space && resp.kind != response_kind::status && r.is(' ')) {
      if (r.pos + 1 == in.size()) return parse_result<bool>{};  // need_more
      if (in[r.pos + 1] == '\r') ++r.pos;
    }
  } else {
    if (!r.take(parse_tag(in, lim, o), resp.tag) || !r.sp()) return failed();
    const std::size_t at = r.pos;
    if (!r.name(resp.name)) return failed();
    const auto is = [&](std::string_view w) { return ascii::iequals(resp.name, w); };
    if (is("OK")) resp.condition = cond::ok;
    else if (is("NO")) resp.condition = cond::no;
    else if (is("BAD")) resp.condition = cond::bad;
    else {
      r.fail(errc::unexpected_character, at);
      return failed();
    }
    resp.kind = response_kind::tagged;
    if (!read_resp_text(r, resp.text, ro.eight_bit_text)) return failed();
  }
  if (!r.crlf()) return failed();
  if (r.pos != in.size()) {
    r.fail(errc::trailing_data, r.pos);
    return failed();
  }
  out.st = status::event;
  out.consumed = r.pos;
  out.value = true;
  return out;
}

/// Resets a response for reuse, keeping the capacity of its vectors (and the FETCH attributes
/// for read_fetch_atts to recycle).
inline void reset_response(response& r) {
  std::vector<msg_att> atts = std::move(r.atts);
  std::vector<status_item> st = std::move(r.status_items);
  std::vector<esearch_item> es = std::move(r.esearch_items);
  std::vector<quota_resource> qr = std::move(r.resources);
  st.clear();
  es.clear();
  qr.clear();
  r = response{};
  r.atts = std::move(atts);
  r.status_items = std::move(st);
  r.esearch_items = std::move(es);
  r.resources = std::move(qr);
}

}  // namespace detail

/// Parses one complete response message (RFC 9051 section 7): `message` as the framing layer
/// gives it (literals inline, streamed ones as bare announcements listed in `literals`, may be
/// null). need_more for every proper prefix of a valid response; errors at their offset.
/// The message must end with its final CRLF: octets after it are trailing_data.
[[nodiscard]] inline parse_result<response> parse_response(std::string_view message,
                                                           const literal_context* literals = nullptr,
                                                           const limits& lim = {}, const response_options& ro = {}) {
  bool pending = false;
  parse_result<response> out;
  const auto r = detail::parse_response_impl(message, literals, lim, ro, pending, out.value);
  out.st = r.st;
  out.consumed = r.consumed;
  out.error = r.error;
  out.error_offset = r.error_offset;
  if (r.st != status::event) out.value = {};
  return out;
}

/// parse_response() into `out`, reusing its vectors (no allocation per message once they have
/// grown: the way to parse a FETCH stream fast). `out` holds the response on event and is
/// unspecified otherwise; the result's value is true on event.
[[nodiscard]] inline parse_result<bool> parse_response_into(response& out, std::string_view message,
                                                           const literal_context* literals = nullptr,
                                                           const limits& lim = {}, const response_options& ro = {}) {
  bool pending = false;
  detail::reset_response(out);
  const auto r = detail::parse_response_impl(message, literals, lim, ro, pending, out);
  if (out.kind != response_kind::fetch) out.atts.clear();
  return r;
}

/// What a FETCH response holds before a streamed literal's octets: the message number, the
/// attributes so far, and the attribute whose value is the announced literal (its section).
struct fetch_prefix {
  std::uint32_t number = 0;       ///< the message sequence number
  std::vector<msg_att> atts;      ///< attributes before the literal
  msg_att pending;                ///< the attribute whose literal comes next (data: size only)
};

/// Parses the start of a FETCH response up to a literal announcement that ends `prefix`
/// ("* 12 FETCH (UID 7 BODY[] {84213}\r\n"): event when `prefix` ends right after a complete
/// announcement that is the value of a msg-att; need_more before that; errors as parse_response.
[[nodiscard]] inline parse_result<fetch_prefix> parse_fetch_prefix(std::string_view prefix,
                                                                  const limits& lim = {},
                                                                  const response_options& ro = {}) {
  options o;
  o.utf8 = ro.utf8;
  o.non_sync_literals = false;
  detail::reader rd(prefix, lim, o);
  parse_result<fetch_prefix> out;
  const auto failed = [&]() {
    parse_result<fetch_prefix> f;
    f.st = rd.st;
    f.error = rd.err;
    f.error_offset = rd.err_at;
    return f;
  };
  std::uint64_t n = 0;
  std::string_view w;
  if (!rd.ch('*') || !rd.sp() || !rd.number64(n) || !rd.sp() || !rd.name(w)) return failed();
  if (!detail::iequals_upper(w, "FETCH")) {
    rd.fail(errc::unexpected_character, rd.pos - w.size());
    return failed();
  }
  if (n == 0 || n > 0xFFFFFFFFu) {
    rd.fail(errc::bad_number, 2);
    return failed();
  }
  if (!rd.sp() || !rd.open()) return failed();
  out.value.number = static_cast<std::uint32_t>(n);
  bool pending = true;
  while (true) {
    msg_att a;
    const bool ok = detail::read_msg_att(rd, a, ro, pending);
    if (!pending) {
      out.value.pending = a;
      out.st = status::event;
      out.consumed = prefix.size();
      return out;
    }
    if (!ok) return failed();
    if (out.value.atts.size() == lim.list_items) {
      if (rd.eof()) rd.more();
      else rd.fail(errc::list_too_long, rd.pos);
      return failed();
    }
    out.value.atts.push_back(a);
    if (!rd.is(' ')) {
      if (rd.eof()) rd.more();
      else rd.bad(errc::unexpected_character);
      return failed();
    }
    ++rd.pos;
  }
}

namespace detail {

inline void write_resp_text(std::string& out, const resp_text& t) {
  if (!t.lead_space && !t.has_code && t.text.empty()) return;
  out.push_back(' ');
  if (t.has_code) {
    out.push_back('[');
    (void)write_resp_code(out, t.code);
    out.push_back(']');
    if (!t.code_space && t.text.empty()) return;
    out.push_back(' ');
  }
  out.append(t.text);
}

inline errc write_msg_att(std::string& out, const msg_att& a, const options& o) {
  if (a.other) {
    out.append(a.name);
    out.push_back(' ');
    out.append(a.raw);
    return errc::ok;
  }
  if (errc e = write_fetch_attribute(out, a.att, o, fetch_form::response); e != errc::ok) return e;
  out.push_back(' ');
  switch (a.att.item) {
    case fetch_item::flags: return write_flag_list(out, a.flags);
    case fetch_item::uid:
    case fetch_item::rfc822_size:
    case fetch_item::binary_size: return write_number(out, a.number);
    case fetch_item::internaldate: return write_date_time(out, a.date);
    case fetch_item::savedate:
      if (a.nil) {
        out.append("NIL");
        return errc::ok;
      }
      return write_date_time(out, a.date);
    case fetch_item::envelope: return write_envelope(out, a.env, o);
    case fetch_item::body:
    case fetch_item::bodystructure: return write_body(out, a.body, o);
    case fetch_item::binary: {
      options o8 = o;
      o8.literal8 = true;
      return detail::write_nstr(out, a.data, o8);
    }
    case fetch_item::body_section:
    case fetch_item::rfc822:
    case fetch_item::rfc822_header:
    case fetch_item::rfc822_text:
    case fetch_item::preview: return detail::write_nstr(out, a.data, o);
    case fetch_item::modseq:
      out.push_back('(');
      if (errc e = write_number(out, a.number); e != errc::ok) return e;
      out.push_back(')');
      return errc::ok;
    case fetch_item::emailid:
    case fetch_item::threadid:
      if (a.nil) {
        out.append("NIL");
        return errc::ok;
      }
      out.push_back('(');
      out.append(a.objectid);
      out.push_back(')');
      return errc::ok;
  }
  return errc::local_invalid_value;
}

}  // namespace detail

/// Appends a response with its final CRLF, canonically: keywords upper case, strings in their
/// form (or the next that can carry them), numbers without leading zeros; lists kept as written
/// (see the header comment) are copied. local_invalid_value (nothing appended) for a value that
/// cannot be written.
[[nodiscard]] inline errc write_response(std::string& out, const response& r, const response_options& ro = {}) {
  options o;
  o.utf8 = ro.utf8;
  o.non_sync_literals = false;
  const std::size_t mark = out.size();
  errc e = errc::ok;
  const auto chk = [&](errc x) {
    if (e == errc::ok) e = x;
  };
  static constexpr std::string_view cond_names[] = {"OK", "NO", "BAD", "PREAUTH", "BYE"};
  switch (r.kind) {
    case response_kind::continuation:
      out.push_back('+');
      detail::write_resp_text(out, r.text);
      break;
    case response_kind::tagged:
      chk(write_tag(out, r.tag));
      if (r.condition > cond::bad) chk(errc::local_invalid_value);
      out.push_back(' ');
      out.append(cond_names[static_cast<int>(r.condition)]);
      detail::write_resp_text(out, r.text);
      break;
    case response_kind::status:
      out.append("* ");
      out.append(cond_names[static_cast<int>(r.condition)]);
      detail::write_resp_text(out, r.text);
      break;
    case response_kind::capability:
      out.append("* CAPABILITY ");
      if (r.capabilities.size() == 0) chk(errc::local_invalid_value);
      out.append(r.capabilities.raw());
      break;
    case response_kind::enabled:
      out.append("* ENABLED");
      if (r.capabilities.size() != 0) {
        out.push_back(' ');
        out.append(r.capabilities.raw());
      }
      break;
    case response_kind::flags:
      out.append("* FLAGS ");
      chk(write_flag_list(out, r.flags));
      break;
    case response_kind::list:
    case response_kind::lsub:
      out.append(r.kind == response_kind::list ? "* LIST " : "* LSUB ");
      chk(write_flag_list(out, r.flags));
      out.push_back(' ');
      if (r.delimiter == 0) {
        out.append("NIL");
      } else {
        out.push_back('"');
        if (r.delimiter == '"' || r.delimiter == '\\') out.push_back('\\');
        out.push_back(r.delimiter);
        out.push_back('"');
      }
      out.push_back(' ');
      chk(write_mailbox(out, r.mbox, o));
      if (!r.extended.empty()) {
        out.push_back(' ');
        out.append(r.extended);
      }
      break;
    case response_kind::namespace_:
      out.append("* NAMESPACE ");
      for (int k = 0; k < 3; ++k) {
        if (k) out.push_back(' ');
        if (r.ns[k].empty() || ascii::iequals(r.ns[k], "NIL")) out.append("NIL");
        else out.append(r.ns[k]);
      }
      break;
    case response_kind::status_data: {
      out.append("* STATUS ");
      chk(write_mailbox(out, r.mbox, o));
      out.append(" (");
      bool first = true;
      for (const auto& it : r.status_items) {
        if (!first) out.push_back(' ');
        first = false;
        detail::append_upper(out, it.name);
        out.push_back(' ');
        if (!it.objectid.empty()) {
          out.push_back('(');
          out.append(it.objectid);
          out.push_back(')');
        } else if (it.nil) {
          out.append("NIL");
        } else {
          chk(write_number(out, it.value));
        }
      }
      out.push_back(')');
      break;
    }
    case response_kind::search:
    case response_kind::sort:
      out.append(r.kind == response_kind::search ? "* SEARCH" : "* SORT");
      r.numbers.for_each([&](std::uint32_t v) {
        out.push_back(' ');
        detail::append_decimal(out, v);
      });
      if (r.has_modseq) {
        out.append(" (MODSEQ ");
        chk(write_number(out, r.number));
        out.push_back(')');
      }
      break;
    case response_kind::esearch:
      out.append("* ESEARCH");
      if (!r.search_tag.is_nil()) {
        out.append(" (TAG ");
        chk(detail::write_nstr(out, r.search_tag, o, false));
        out.push_back(')');
      }
      if (r.uid) out.append(" UID");
      for (const auto& it : r.esearch_items) {
        out.push_back(' ');
        detail::append_upper(out, it.name);
        out.push_back(' ');
        const auto is_n = [&](std::string_view w) { return ascii::iequals(it.name, w); };
        if (is_n("MIN") || is_n("MAX") || is_n("COUNT") || is_n("MODSEQ")) chk(write_number(out, it.number));
        else if (is_n("ALL")) chk(write_sequence_set(out, it.set));
        else out.append(it.value);
      }
      break;
    case response_kind::exists:
    case response_kind::recent:
    case response_kind::expunge:
    case response_kind::fetch: {
      out.append("* ");
      chk(write_number(out, r.number));
      if (r.number > 0xFFFFFFFFu) chk(errc::local_invalid_value);
      static constexpr std::string_view names[] = {" EXISTS", " RECENT", " EXPUNGE", " FETCH ("};
      out.append(names[static_cast<int>(r.kind) - static_cast<int>(response_kind::exists)]);
      if (r.kind == response_kind::fetch) {
        if (r.atts.empty()) chk(errc::local_invalid_value);
        // The values of a stored response are cold: fetch the attributes and body trees at once.
        detail::prefetch_range(r.atts.data(), r.atts.size() * sizeof(msg_att));
        for (const auto& a : r.atts)
          detail::prefetch_range(a.body.parts.data(), a.body.parts.size() * sizeof(body_part));
        bool first = true;
        for (const auto& a : r.atts) {
          if (!first) out.push_back(' ');
          first = false;
          chk(detail::write_msg_att(out, a, o));
        }
        out.push_back(')');
      }
      break;
    }
    case response_kind::vanished:
      out.append("* VANISHED ");
      if (r.earlier) out.append("(EARLIER) ");
      chk(write_sequence_set(out, r.uids));
      break;
    case response_kind::id:
      out.append("* ID ");
      if (r.id_params.empty() || ascii::iequals(r.id_params, "NIL")) out.append("NIL");
      else out.append(r.id_params);
      break;
    case response_kind::quota: {
      out.append("* QUOTA ");
      chk(write_astring(out, r.root, o));
      out.append(" (");
      bool first = true;
      for (const auto& q : r.resources) {
        if (!first) out.push_back(' ');
        first = false;
        detail::append_upper(out, q.name);
        out.push_back(' ');
        chk(write_number(out, q.usage));
        out.push_back(' ');
        chk(write_number(out, q.limit));
      }
      out.push_back(')');
      if (r.resources.empty()) chk(errc::local_invalid_value);
      break;
    }
    case response_kind::quotaroot:
      out.append("* QUOTAROOT ");
      chk(write_mailbox(out, r.mbox, o));
      out.append(r.extended);
      break;
    case response_kind::metadata:
      out.append("* METADATA ");
      chk(write_mailbox(out, r.mbox, o));
      out.push_back(' ');
      out.append(r.extended);
      break;
    case response_kind::thread:
      out.append("* THREAD");
      out.append(r.extended);
      break;
    case response_kind::unknown:
      out.append("* ");
      out.append(r.name);
      out.append(r.extended);
      if (r.name.empty()) chk(errc::local_invalid_value);
      break;
  }
  if (e != errc::ok) {
    out.resize(mark);
    return e;
  }
  out.append("\r\n");
  return errc::ok;
}

}  // namespace mailwire::imap
