// mailwire/imap/response_data.hpp — typed views and builders for the response data that
// imap/response.hpp validates and keeps as written: NAMESPACE groups (RFC 2342 section 5,
// RFC 9051 section 7.3.3), THREAD trees (RFC 5256 section 4), METADATA entries (RFC 5464
// section 4.4), QUOTAROOT root names (RFC 9208 section 5.2) and LIST extended items (RFC 5258
// section 4: CHILDINFO, OLDNAME of RFC 9051 section 7.3.1, any tagged-ext-val).
//
//   using namespace mailwire::imap;
//   auto r = parse_response("* NAMESPACE ((\"\" \"/\")) NIL ((\"#shared/\" \"/\"))\r\n");
//   for (const namespace_group& g : namespaces(r.value))
//     (void)g.for_each([](const namespace_desc& d) { /* d.prefix, d.delimiter, d.extensions */ });
//   std::vector<thread_node> tree;
//   auto t = parse_response("* THREAD (2)(3 6 (4 23)(44 7 96))\r\n");
//   (void)read_threads(t.value.extended, tree);   // 8 nodes; tree[0].number == 2
//
// Readers run over the text a parsed response keeps (response::ns, response::extended) without
// allocating (read_threads fills the caller's vector), noexcept when the callback is. They
// return parse_result<std::size_t> (the number of items visited); they never fail on text
// parse_response accepted, and report an error with its offset in the text otherwise. Values
// view the message, like the response. Give the message's literal_context when it has
// streamed literals (THREAD has no strings; elsewhere a streamed string has no content).
//
// Builders append the canonical text a server puts in those fields (the set_* helpers do it
// for a response, with the text in the caller's storage): write_response() then writes it back
// unchanged, and parse_response() of that output reads back to the same typed values.
// local_invalid_value (nothing appended) for a value that cannot be written.
//
// ESEARCH extension values (esearch_item::value) stay as written: a tagged-ext-val whose
// meaning only its extension knows (RFC 4466 section 2.1); MIN, MAX, COUNT, ALL and MODSEQ are
// already typed by the parser.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/status.hpp"
#include "mailwire/imap/body.hpp"
#include "mailwire/imap/detail/reader.hpp"
#include "mailwire/imap/response.hpp"
#include "mailwire/imap/values.hpp"

namespace mailwire::imap {

namespace detail {

/// Options to re-read text the response parser accepted (or to check a builder's output).
[[nodiscard]] inline options data_options(const literal_context* lits, bool utf8,
                                          bool literal8 = false) noexcept {
  options o;
  o.utf8 = utf8;
  o.non_sync_literals = false;
  o.literal8 = literal8;
  o.literals = lits;
  return o;
}

/// astring at the start of `in`; an atom running to the end of `in` is complete (the text
/// kept by the parser ends where the message's CRLF was).
[[nodiscard]] inline parse_result<string_value> data_astring(std::string_view in, const options& o) {
  if (!in.empty() && is(in[0], c_astring)) {
    const std::size_t n = span_of(in, c_astring);
    return done(string_value::unvalidated(in.substr(0, n), string_form::atom, n, false, false, false), n);
  }
  return parse_string(in, relaxed_limits(), o);
}

/// The result of a data reader: event with the count, or the error (need_more: the text ended
/// early, unexpected_character at its end).
[[nodiscard]] inline parse_result<std::size_t> data_result(const reader& r, std::size_t n) noexcept {
  parse_result<std::size_t> out;
  if (r.st == status::event) {
    out.st = status::event;
    out.consumed = r.pos;
    out.value = n;
    return out;
  }
  out.st = status::error;
  out.error = r.st == status::need_more ? errc::unexpected_character : r.err;
  out.error_offset = r.st == status::need_more ? r.in.size() : r.err_at;
  return out;
}

/// data_result() after checking that the text is used up.
[[nodiscard]] inline parse_result<std::size_t> data_end(reader& r, std::size_t n) noexcept {
  if (r.good() && !r.eof()) r.fail(errc::trailing_data, r.pos);
  return data_result(r, n);
}

[[nodiscard]] inline bool data_astring(reader& r, string_value& v) {
  return r.take(data_astring(r.rest(), r.opt), v);
}

/// Writes a delimiter as quoted (RFC 9051 section 9: QUOTED-CHAR, quoted-specials escaped) or NIL.
[[nodiscard]] inline errc write_delimiter(std::string& out, char d) {
  if (d == 0) {
    out.append("NIL");
    return errc::ok;
  }
  if (d == '\r' || d == '\n' || static_cast<unsigned char>(d) >= 0x80) return errc::local_invalid_value;
  out.push_back('"');
  if (d == '"' || d == '\\') out.push_back('\\');
  out.push_back(d);
  out.push_back('"');
  return errc::ok;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// lists of strings

namespace detail {

/// The shape of the lists response_data.hpp reads as written or builds from host values: a span
/// of host values (viewed), or a valid run of `count` elements as written that Reader::next walks
/// from Reader::start (each call reads one element and moves `pos` past its separator).
/// Equality compares the contents element by element (forms aside).
template <class T, class Reader>
class viewed_list {
 public:
  constexpr viewed_list() noexcept = default;
  /// Host values (viewed: keep them alive while the list is used).
  [[nodiscard]] static constexpr viewed_list of(std::span<const T> items) noexcept {
    viewed_list l;
    l.items_ = items;
    l.count_ = items.size();
    return l;
  }
  /// Reader use: `raw` valid as written, holding `count` elements.
  [[nodiscard]] static constexpr viewed_list unvalidated(std::string_view raw, std::size_t count,
                                                         const literal_context* lits = nullptr) noexcept {
    viewed_list l;
    l.raw_ = raw;
    l.count_ = count;
    l.lits_ = lits;
    return l;
  }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return count_ == 0; }
  /// The list as written ("" for host values).
  [[nodiscard]] constexpr std::string_view raw() const noexcept { return raw_; }
  /// Calls f(const T&) for each element in order.
  template <class F>
  void for_each(F&& f) const {
    cursor c(*this);
    T v;
    while (c.next(v)) f(v);
  }
  friend bool operator==(const viewed_list& a, const viewed_list& b) {
    if (a.count_ != b.count_) return false;
    cursor x(a), y(b);
    T u, v;
    while (x.next(u))
      if (!y.next(v) || !(u == v)) return false;
    return true;
  }

 private:
  struct cursor {
    const viewed_list& l;
    options o;
    std::size_t pos = Reader::start, k = 0;
    explicit cursor(const viewed_list& s) noexcept : l(s), o(data_options(s.lits_, true)) {}
    bool next(T& v) {
      if (k == l.count_) return false;
      if (l.raw_.empty()) {
        v = l.items_[k++];
        return true;
      }
      if (!Reader::next(l.raw_, pos, o, l.lits_, v)) return false;
      ++k;
      return true;
    }
  };
  std::string_view raw_;
  std::span<const T> items_;
  std::size_t count_ = 0;
  const literal_context* lits_ = nullptr;
};

// Elements of "(" string *(SP string) ")" (astrings allowed), from after the "(".
struct string_list_reader {
  static constexpr std::size_t start = 1;
  static bool next(std::string_view raw, std::size_t& pos, const options& o, const literal_context*,
                   string_value& v) {
    if (pos >= raw.size()) return false;
    const auto r = data_astring(raw.substr(pos), o);
    if (r.st != status::event) return false;
    v = r.value;
    pos += r.consumed + 1;  // and the SP or ")"
    return true;
  }
};

}  // namespace detail

/// A parenthesized list of strings as written, "(" string *(SP string) ")" (RFC 2342 section 5
/// namespace-response-extensions; RFC 5258 section 4 CHILDINFO), or host values to write.
/// Equality compares the contents element by element (forms aside).
using string_list = detail::viewed_list<string_value, detail::string_list_reader>;

/// Appends "(" string *(SP string) ")" (RFC 2342 section 5); an empty list is written "()".
[[nodiscard]] inline errc write_string_list(std::string& out, const string_list& l, const options& o) {
  const std::size_t mark = out.size();
  errc e = errc::ok;
  out.push_back('(');
  bool first = true;
  l.for_each([&](const string_value& v) {
    if (!first) out.push_back(' ');
    first = false;
    if (e == errc::ok) e = write_string(out, v, o);
  });
  out.push_back(')');
  if (e != errc::ok) out.resize(mark);
  return e;
}

// ---------------------------------------------------------------------------------------------
// NAMESPACE

/// One namespace-response-extension: string SP "(" string *(SP string) ")" (RFC 2342 section 5,
/// RFC 9051 section 9), e.g. "X-PARAM" ("FLAG1" "FLAG2").
struct namespace_extension {
  string_value name;
  string_list values;  ///< one or more strings
  friend bool operator==(const namespace_extension&, const namespace_extension&) = default;
};

namespace detail {

// Extensions of a namespace-descr, *(SP string SP "(" string *(SP string) ")").
struct namespace_extension_reader {
  static constexpr std::size_t start = 0;
  static bool next(std::string_view s, std::size_t& pos, const options& o, const literal_context* lits,
                   namespace_extension& x) {
    if (pos + 1 >= s.size()) return false;
    const auto n = parse_string(s.substr(pos + 1), relaxed_limits(), o);  // after SP
    if (n.st != status::event) return false;
    x.name = n.value;
    const std::size_t start = pos + 1 + n.consumed + 1;  // after SP: "("
    std::size_t p = start + 1, count = 0;
    while (p < s.size()) {
      const auto v = parse_string(s.substr(p), relaxed_limits(), o);
      if (v.st != status::event) return false;
      ++count;
      p += v.consumed;
      if (p >= s.size() || s[p] != ' ') break;
      ++p;
    }
    if (p >= s.size() || s[p] != ')') return false;
    x.values = string_list::unvalidated(s.substr(start, p + 1 - start), count, lits);
    pos = p + 1;
    return true;
  }
};

}  // namespace detail

/// The extensions of one namespace-descr as written (each preceded by SP), or host values.
/// Equality compares names and values in order (RFC 2342 section 5).
using namespace_extension_list = detail::viewed_list<namespace_extension, detail::namespace_extension_reader>;

/// One namespace-descr: "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) *(extension) ")"
/// (RFC 2342 section 5, RFC 9051 section 9).
struct namespace_desc {
  string_value prefix;             ///< the namespace prefix ("", "#shared/", "INBOX.")
  char delimiter = 0;              ///< the hierarchy delimiter; 0 for NIL
  bool delimiter_escaped = false;  ///< read: written "\\" or "\"" (the writer escapes those always)
  namespace_extension_list extensions;
  friend bool operator==(const namespace_desc& a, const namespace_desc& b) {
    return a.prefix == b.prefix && a.delimiter == b.delimiter && a.extensions == b.extensions;
  }
};

/// Reads one NAMESPACE group, "NIL" or "(" 1*namespace-descr ")" (RFC 2342 section 5; RFC 9051
/// section 7.3.3: personal, other users', shared), calling f(const namespace_desc&) for each.
template <class F>
[[nodiscard]] parse_result<std::size_t> for_each_namespace(
    std::string_view raw, F&& f,
    const literal_context* lits = nullptr) noexcept(std::is_nothrow_invocable_v<F&, const namespace_desc&>) {
  const options o = detail::data_options(lits, true);
  detail::reader r(raw, detail::relaxed_limits(), o);
  std::size_t n = 0;
  if (r.nil()) return detail::data_end(r, 0);
  if (!r.good() || !r.ch('(')) return detail::data_result(r, n);
  do {
    namespace_desc d;
    string_value dl;
    if (!r.ch('(') || !r.string(d.prefix) || !r.sp()) break;
    const std::size_t dp = r.pos;
    if (!r.nstring(dl)) break;
    if (!dl.is_nil()) {
      if (dl.form() != string_form::quoted || dl.size() != 1) {
        r.fail(errc::unexpected_character, dp);
        break;
      }
      d.delimiter_escaped = dl.raw().size() == 2;
      d.delimiter = dl.raw().back();
    }
    const std::size_t es = r.pos;
    std::size_t ne = 0;
    while (r.is(' ')) {
      ++r.pos;
      string_value s;
      if (!r.string(s) || !r.sp() || !r.ch('(')) break;
      while (r.string(s) && r.is(' ')) ++r.pos;
      if (!r.ch(')')) break;
      ++ne;
    }
    if (!r.good()) break;
    d.extensions = namespace_extension_list::unvalidated(raw.substr(es, r.pos - es), ne, lits);
    if (!r.ch(')')) break;
    f(static_cast<const namespace_desc&>(d));
    ++n;
  } while (r.is('('));
  if (r.good()) r.ch(')');
  return detail::data_end(r, n);
}

/// One of the three groups of a NAMESPACE response as written (RFC 2342 section 5).
struct namespace_group {
  std::string_view raw;  ///< "NIL" or "(...)"
  const literal_context* literals = nullptr;
  [[nodiscard]] bool is_nil() const noexcept { return raw.empty() || ascii::iequals(raw, "NIL"); }
  /// for_each_namespace() of this group.
  template <class F>
  [[nodiscard]] parse_result<std::size_t> for_each(F&& f) const
      noexcept(std::is_nothrow_invocable_v<F&, const namespace_desc&>) {
    return for_each_namespace(raw.empty() ? std::string_view("NIL") : raw, static_cast<F&&>(f), literals);
  }
};

/// The personal, other users' and shared groups of a NAMESPACE response (RFC 2342 section 5).
[[nodiscard]] inline std::array<namespace_group, 3> namespaces(
    const response& r, const literal_context* lits = nullptr) noexcept {
  return {namespace_group{r.ns[0], lits}, namespace_group{r.ns[1], lits}, namespace_group{r.ns[2], lits}};
}

/// Appends one NAMESPACE group (RFC 2342 section 5): "NIL" for none, else "(" 1*namespace-descr
/// ")" with strings in their form (or the next that carries them) and the delimiter quoted.
[[nodiscard]] inline errc write_namespace_list(std::string& out, std::span<const namespace_desc> descs,
                                               const response_options& ro = {}) {
  if (descs.empty()) {
    out.append("NIL");
    return errc::ok;
  }
  const options o = detail::data_options(nullptr, ro.utf8);
  const std::size_t mark = out.size();
  errc e = errc::ok;
  const auto chk = [&](errc x) {
    if (e == errc::ok) e = x;
  };
  out.push_back('(');
  for (const namespace_desc& d : descs) {
    out.push_back('(');
    chk(write_string(out, d.prefix, o));
    out.push_back(' ');
    chk(detail::write_delimiter(out, d.delimiter));
    d.extensions.for_each([&](const namespace_extension& x) {
      out.push_back(' ');
      chk(write_string(out, x.name, o));
      out.push_back(' ');
      if (x.values.empty()) chk(errc::local_invalid_value);
      chk(write_string_list(out, x.values, o));
    });
    out.push_back(')');
  }
  out.push_back(')');
  if (e != errc::ok) out.resize(mark);
  return e;
}

/// Makes `r` a NAMESPACE response (RFC 2342 section 5) of the three groups, their text written
/// into `storage` (replaced; keep it alive and unchanged while `r` is used).
[[nodiscard]] inline errc set_namespaces(response& r, std::string& storage,
                                         std::span<const namespace_desc> personal,
                                         std::span<const namespace_desc> other,
                                         std::span<const namespace_desc> shared,
                                         const response_options& ro = {}) {
  storage.clear();
  std::size_t at[4] = {0, 0, 0, 0};
  const std::span<const namespace_desc> groups[3] = {personal, other, shared};
  for (int k = 0; k < 3; ++k) {
    if (errc e = write_namespace_list(storage, groups[k], ro); e != errc::ok) return e;
    at[k + 1] = storage.size();
  }
  r.kind = response_kind::namespace_;
  r.name = "NAMESPACE";
  const std::string_view s = storage;
  for (int k = 0; k < 3; ++k) r.ns[k] = s.substr(at[k], at[k + 1] - at[k]);
  return errc::ok;
}

// ---------------------------------------------------------------------------------------------
// THREAD

/// "No node" in a thread forest (RFC 5256 section 4): a root's parent, a leaf's first child,
/// a last child's next sibling.
inline constexpr std::uint32_t no_thread_node = 0xFFFFFFFFu;

/// One node of a THREAD response's forest (RFC 5256 section 4), kept flat: indices into the
/// node vector. number 0 is a placeholder for a missing parent ("((3)(5))": 3 and 5 are
/// siblings under a message that is not there).
struct thread_node {
  std::uint32_t number = 0;               ///< message number or UID; 0: placeholder
  std::uint32_t parent = no_thread_node;  ///< no_thread_node for a root
  std::uint32_t first_child = no_thread_node;
  std::uint32_t next_sibling = no_thread_node;  ///< the next root, for a root
  friend constexpr bool operator==(const thread_node&, const thread_node&) noexcept = default;
};

/// Reads the thread-lists of a THREAD response (RFC 5256 section 4; response::extended, with or
/// without its leading SP; "" for none) into `out` (replaced), in pre-order: out[0] is the
/// first root, roots are chained by next_sibling. No recursion: the depth is the input's.
/// value: the number of roots.
[[nodiscard]] inline parse_result<std::size_t> read_threads(std::string_view raw,
                                                            std::vector<thread_node>& out) {
  out.clear();
  parse_result<std::size_t> res;
  const auto fail = [&](errc e, std::size_t at) {
    out.clear();
    res.st = status::error;
    res.error = e;
    res.error_offset = at;
    return res;
  };
  std::size_t pos = 0;
  if (!raw.empty() && raw[0] == ' ') {
    pos = 1;
    if (raw.size() == 1) return fail(errc::unexpected_character, 1);
  }
  constexpr std::uint32_t none = no_thread_node;
  if (pos == raw.size()) {  // "* THREAD": no threads
    res.st = status::event;
    res.consumed = raw.size();
    return res;
  }
  enum class st { top, member, nested } s = st::top;
  std::uint32_t cur = none, list_root = none, last_closed = none;
  std::size_t roots = 0;
  const auto add = [&](std::uint32_t number, std::uint32_t parent) {
    const auto i = static_cast<std::uint32_t>(out.size());
    thread_node t;
    t.number = number;
    t.parent = parent;
    out.push_back(t);
    return i;
  };
  // A new list rooted at a new node under `p` (none: a root).
  const auto open_list = [&](std::uint32_t number, std::uint32_t p) {
    const std::uint32_t x = add(number, p);
    if (last_closed != none && out[last_closed].parent == p)
      out[last_closed].next_sibling = x;
    else if (p != none)
      out[p].first_child = x;
    out[x].next_sibling = list_root;  // the enclosing list's root, until this list closes
    list_root = x;
    cur = x;
    if (p == none) ++roots;
  };
  const auto number = [&](std::uint32_t& v) {
    const auto n = parse_nz_number(raw.substr(pos));
    if (n.st != status::event) {
      if (n.st == status::need_more)
        (void)fail(errc::unexpected_character, raw.size());
      else
        (void)fail(n.error, pos + n.error_offset);
      return false;
    }
    v = n.value;
    pos += n.consumed;
    return true;
  };
  while (pos < raw.size()) {
    if (out.size() >= none - 1) return fail(errc::list_too_long, pos);
    const char c = raw[pos];
    std::uint32_t v = 0;
    if ((s == st::top || s == st::nested) && c == '(') {  // a thread-list under `cur`
      if (++pos == raw.size()) return fail(errc::unexpected_character, pos);
      if (raw[pos] == '(') {  // "(" thread-nested ")": under a placeholder
        open_list(0, cur);
        s = st::nested;
      } else {
        if (!number(v)) return res;
        open_list(v, cur);
        s = st::member;
      }
      continue;
    }
    if (s == st::member && c == ' ') {
      if (++pos == raw.size()) return fail(errc::unexpected_character, pos);
      if (raw[pos] == '(') {
        s = st::nested;
        continue;
      }
      if (!number(v)) return res;
      const std::uint32_t x = add(v, cur);
      out[cur].first_child = x;
      cur = x;
      continue;
    }
    if ((s == st::member || s == st::nested) && c == ')') {
      if (s == st::nested) {  // thread-nested = 2*thread-list
        const std::uint32_t f = out[cur].first_child;
        if (f == none || out[f].next_sibling == none) return fail(errc::unexpected_character, pos);
      }
      const std::uint32_t r = list_root;
      list_root = out[r].next_sibling;
      out[r].next_sibling = none;
      last_closed = r;
      cur = out[r].parent;
      s = cur == none ? st::top : st::nested;
      ++pos;
      continue;
    }
    const errc f = detail::bad_follower(c);
    return fail(f != errc::ok ? f : errc::unexpected_character, pos);
  }
  if (s != st::top || roots == 0) return fail(errc::unexpected_character, raw.size());
  res.st = status::event;
  res.consumed = raw.size();
  res.value = roots;
  return res;
}

/// Calls f(std::uint32_t index) for each root of a thread forest (RFC 5256 section 4).
template <class F>
void for_each_thread_root(std::span<const thread_node> nodes, F&& f) {
  std::uint32_t x = nodes.empty() ? no_thread_node : 0;
  for (std::size_t k = 0; x != no_thread_node && x < nodes.size() && k < nodes.size(); ++k) {
    f(x);
    x = nodes[x].next_sibling;
  }
}

/// Calls f(std::uint32_t index) for each child of node `parent` (RFC 5256 section 4).
template <class F>
void for_each_thread_child(std::span<const thread_node> nodes, std::uint32_t parent, F&& f) {
  if (parent >= nodes.size()) return;
  std::uint32_t x = nodes[parent].first_child;
  for (std::size_t k = 0; x != no_thread_node && x < nodes.size() && k < nodes.size(); ++k) {
    f(x);
    x = nodes[x].next_sibling;
  }
}

/// Appends a thread forest in RFC 5256 section 4's form, the text of response::extended: ""
/// for none, else SP and one thread-list per root; a chain a->b->c is "(a b c)", two or more
/// children are nested lists "(3 6 (4 23)(44 7 96))", a placeholder "((3)(5))". nodes[0] must
/// be the first root and every node reachable; local_invalid_value for a broken tree or a
/// placeholder with fewer than two children (the grammar cannot carry it).
[[nodiscard]] inline errc write_threads(std::string& out, std::span<const thread_node> nodes) {
  constexpr std::uint32_t none = no_thread_node;
  const std::size_t n = nodes.size(), mark = out.size();
  const auto bad = [&]() {
    out.resize(mark);
    return errc::local_invalid_value;
  };
  if (n == 0) return errc::ok;
  if (n >= none || nodes[0].parent != none) return bad();
  for (std::size_t i = 0; i < n; ++i) {
    const thread_node& t = nodes[i];
    if ((t.parent != none && t.parent >= n) || (t.first_child != none && t.first_child >= n) ||
        (t.next_sibling != none && t.next_sibling >= n))
      return bad();
    if (t.first_child != none && nodes[t.first_child].parent != i) return bad();
    if (t.next_sibling != none && nodes[t.next_sibling].parent != t.parent) return bad();
  }
  const auto several = [&](std::uint32_t p) {
    const std::uint32_t f = nodes[p].first_child;
    return f != none && nodes[f].next_sibling != none;
  };
  // Whether x starts a thread-list (else it continues its parent's chain).
  const auto starts = [&](std::uint32_t x) {
    const std::uint32_t p = nodes[x].parent;
    return p == none || nodes[p].number == 0 || nodes[x].number == 0 || several(p);
  };
  std::vector<bool> seen(n, false);
  std::size_t visited = 0, climbed = 0;
  out.push_back(' ');
  std::uint32_t x = 0;  // the root of the next list to write
  while (true) {
    out.push_back('(');
    std::uint32_t cur = x;
    bool first = true;
    while (true) {  // the list's members
      if (++visited > n || seen[cur]) return bad();
      seen[cur] = true;
      const thread_node& t = nodes[cur];
      if (t.number == 0) {
        if (!first || !several(cur)) return bad();
      } else {
        if (!first) out.push_back(' ');
        detail::append_decimal(out, t.number);
      }
      first = false;
      if (t.first_child == none || t.number == 0 || several(cur)) break;
      if (nodes[t.first_child].number == 0) return bad();
      cur = t.first_child;
    }
    if (nodes[cur].first_child != none) {  // nested lists follow
      if (nodes[cur].number != 0) out.push_back(' ');
      x = nodes[cur].first_child;
      continue;
    }
    // Close lists upwards until one has a next sibling list.
    while (true) {
      out.push_back(')');
      std::uint32_t root = cur;
      while (!starts(root)) {
        if (++climbed > n) return bad();
        root = nodes[root].parent;
      }
      if (nodes[root].next_sibling != none) {
        x = nodes[root].next_sibling;
        break;
      }
      cur = nodes[root].parent;
      if (cur == none) {
        if (visited != n) return bad();
        return errc::ok;
      }
      if (++climbed > n) return bad();
    }
  }
}

/// Makes `r` a THREAD response (RFC 5256 section 4) of the forest, its text in `storage`.
[[nodiscard]] inline errc set_threads(response& r, std::string& storage, std::span<const thread_node> nodes) {
  storage.clear();
  if (errc e = write_threads(storage, nodes); e != errc::ok) return e;
  r.kind = response_kind::thread;
  r.name = "THREAD";
  r.extended = storage;
  return errc::ok;
}

// ---------------------------------------------------------------------------------------------
// METADATA

/// One entry of a METADATA response (RFC 5464 section 4.4): entry name and value (nstring,
/// literal8 kept); NIL value in an entry list (unsolicited form, section 4.4.2).
struct metadata_entry {
  string_value name;   ///< entry = astring ("/shared/comment")
  string_value value;  ///< nstring / literal8 (RFC 5464 section 5: value)
  friend bool operator==(const metadata_entry&, const metadata_entry&) = default;
};

/// Reads METADATA data (RFC 5464 section 4.4): entry-values "(" entry SP value *(SP entry SP
/// value) ")" when `values`, else entry-list entry *(SP entry); f(const metadata_entry&) each.
template <class F>
[[nodiscard]] parse_result<std::size_t> for_each_metadata(
    std::string_view raw, bool values, F&& f,
    const literal_context* lits = nullptr) noexcept(std::is_nothrow_invocable_v<F&, const metadata_entry&>) {
  const options o = detail::data_options(lits, true);
  const options o8 = detail::data_options(lits, true, true);
  detail::reader r(raw, detail::relaxed_limits(), o);
  std::size_t n = 0;
  if (values && !r.ch('(')) return detail::data_result(r, 0);
  while (true) {
    metadata_entry e;
    if (!detail::data_astring(r, e.name)) break;
    if (values && (!r.sp() || !r.take(parse_nstring(r.rest(), detail::relaxed_limits(), o8), e.value))) break;
    f(static_cast<const metadata_entry&>(e));
    ++n;
    if (!r.is(' ')) break;
    ++r.pos;
  }
  if (values && r.good()) r.ch(')');
  return detail::data_end(r, n);
}

/// for_each_metadata() of a METADATA response (response::extended, response::metadata_values).
template <class F>
[[nodiscard]] parse_result<std::size_t> for_each_metadata(
    const response& resp, F&& f,
    const literal_context* lits = nullptr) noexcept(std::is_nothrow_invocable_v<F&, const metadata_entry&>) {
  return for_each_metadata(resp.extended, resp.metadata_values, static_cast<F&&>(f), lits);
}

/// Appends entry-values (RFC 5464 section 4.4.1): "(" entry SP value ... ")"; at least one.
[[nodiscard]] inline errc write_metadata_values(std::string& out, std::span<const metadata_entry> entries,
                                                const response_options& ro = {}) {
  if (entries.empty()) return errc::local_invalid_value;
  const options o = detail::data_options(nullptr, ro.utf8);
  const options o8 = detail::data_options(nullptr, ro.utf8, true);
  const std::size_t mark = out.size();
  errc e = errc::ok;
  out.push_back('(');
  for (std::size_t i = 0; i < entries.size() && e == errc::ok; ++i) {
    if (i) out.push_back(' ');
    e = write_astring(out, entries[i].name, o);
    out.push_back(' ');
    if (e == errc::ok) e = write_nstring(out, entries[i].value, o8);
  }
  out.push_back(')');
  if (e != errc::ok) out.resize(mark);
  return e;
}

/// Appends an entry-list (RFC 5464 section 4.4.2): entry *(SP entry); at least one.
[[nodiscard]] inline errc write_metadata_entries(std::string& out, std::span<const string_value> entries,
                                                 const response_options& ro = {}) {
  if (entries.empty()) return errc::local_invalid_value;
  const options o = detail::data_options(nullptr, ro.utf8);
  const std::size_t mark = out.size();
  errc e = errc::ok;
  for (std::size_t i = 0; i < entries.size() && e == errc::ok; ++i) {
    if (i) out.push_back(' ');
    e = write_astring(out, entries[i], o);
  }
  if (e != errc::ok) out.resize(mark);
  return e;
}

/// Makes `r` a METADATA response (RFC 5464 section 4.4.1) for `mbox` with entry-values.
[[nodiscard]] inline errc set_metadata(response& r, std::string& storage, const mailbox& mbox,
                                       std::span<const metadata_entry> entries,
                                       const response_options& ro = {}) {
  storage.clear();
  if (errc e = write_metadata_values(storage, entries, ro); e != errc::ok) return e;
  r.kind = response_kind::metadata;
  r.name = "METADATA";
  r.mbox = mbox;
  r.metadata_values = true;
  r.extended = storage;
  r.count = entries.size();
  return errc::ok;
}

/// Makes `r` an unsolicited METADATA response (RFC 5464 section 4.4.2): an entry list.
[[nodiscard]] inline errc set_metadata_entries(response& r, std::string& storage, const mailbox& mbox,
                                               std::span<const string_value> entries,
                                               const response_options& ro = {}) {
  storage.clear();
  if (errc e = write_metadata_entries(storage, entries, ro); e != errc::ok) return e;
  r.kind = response_kind::metadata;
  r.name = "METADATA";
  r.mbox = mbox;
  r.metadata_values = false;
  r.extended = storage;
  r.count = entries.size();
  return errc::ok;
}

// ---------------------------------------------------------------------------------------------
// QUOTAROOT

/// Reads the root names of a QUOTAROOT response (RFC 9208 section 5.2: *(SP quota-root-name),
/// astrings; response::extended), calling f(const string_value&) for each.
template <class F>
[[nodiscard]] parse_result<std::size_t> for_each_quota_root(
    std::string_view raw, F&& f,
    const literal_context* lits = nullptr) noexcept(std::is_nothrow_invocable_v<F&, const string_value&>) {
  const options o = detail::data_options(lits, true);
  detail::reader r(raw, detail::relaxed_limits(), o);
  std::size_t n = 0;
  while (r.is(' ')) {
    ++r.pos;
    string_value v;
    if (!detail::data_astring(r, v)) break;
    f(static_cast<const string_value&>(v));
    ++n;
  }
  return detail::data_end(r, n);
}

/// Appends QUOTAROOT root names (RFC 9208 section 5.2), each as SP astring (none: nothing).
[[nodiscard]] inline errc write_quota_roots(std::string& out, std::span<const string_value> roots,
                                            const response_options& ro = {}) {
  const options o = detail::data_options(nullptr, ro.utf8);
  const std::size_t mark = out.size();
  for (const string_value& v : roots) {
    out.push_back(' ');
    if (errc e = write_astring(out, v, o); e != errc::ok) {
      out.resize(mark);
      return e;
    }
  }
  return errc::ok;
}

/// Makes `r` a QUOTAROOT response (RFC 9208 section 5.2) for `mbox` with its root names.
[[nodiscard]] inline errc set_quotaroot(response& r, std::string& storage, const mailbox& mbox,
                                        std::span<const string_value> roots,
                                        const response_options& ro = {}) {
  storage.clear();
  if (errc e = write_quota_roots(storage, roots, ro); e != errc::ok) return e;
  r.kind = response_kind::quotaroot;
  r.name = "QUOTAROOT";
  r.mbox = mbox;
  r.extended = storage;
  r.count = roots.size();
  return errc::ok;
}

// ---------------------------------------------------------------------------------------------
// LIST extended items

/// What a LIST extended item is (RFC 5258 section 4, RFC 9051 section 7.3.1).
enum class list_extended_kind : std::uint8_t {
  other,      ///< any tagged-ext-val, kept as written (RFC 4466 section 2.1)
  childinfo,  ///< "CHILDINFO" ("SUBSCRIBED" ...) (RFC 5258 section 4)
  oldname,    ///< "OLDNAME" (mailbox) (RFC 9051 section 7.3.1, RFC 5465 section 5.4)
};

/// One mbox-list-extended-item: tag SP tagged-ext-val (RFC 5258 section 4), typed for
/// CHILDINFO and OLDNAME (when the value has their shape; else `other`).
struct list_extended_item {
  string_value name;       ///< the tag (astring, RFC 9051 section 9), as written ("CHILDINFO")
  std::string_view value;  ///< the tagged-ext-val as written (read); the value of `other` to write
  list_extended_kind kind = list_extended_kind::other;
  string_list childinfo;  ///< CHILDINFO: the selection options ("SUBSCRIBED")
  mailbox oldname;        ///< OLDNAME: the mailbox's former name

  /// A CHILDINFO item (RFC 5258 section 4) of host strings (viewed).
  [[nodiscard]] static list_extended_item childinfo_of(std::span<const string_value> opts) noexcept {
    list_extended_item it;
    it.name = string_value::from_text("CHILDINFO");
    it.kind = list_extended_kind::childinfo;
    it.childinfo = string_list::of(opts);
    return it;
  }
  /// An OLDNAME item (RFC 9051 section 7.3.1).
  [[nodiscard]] static list_extended_item oldname_of(const mailbox& m) noexcept {
    list_extended_item it;
    it.name = string_value::from_text("OLDNAME");
    it.kind = list_extended_kind::oldname;
    it.oldname = m;
    return it;
  }
  /// Another item: `value` a tagged-ext-val as it goes on the wire (checked by the writer).
  [[nodiscard]] static list_extended_item other_of(const string_value& tag, std::string_view value) noexcept {
    list_extended_item it;
    it.name = tag;
    it.value = value;
    return it;
  }
  friend bool operator==(const list_extended_item& a, const list_extended_item& b) {
    if (!(a.name == b.name) || a.kind != b.kind) return false;
    switch (a.kind) {
      case list_extended_kind::childinfo:
        return a.childinfo == b.childinfo;
      case list_extended_kind::oldname:
        return a.oldname == b.oldname;
      case list_extended_kind::other:
        break;
    }
    return a.value == b.value;
  }
};

namespace detail {

/// Types a CHILDINFO / OLDNAME item whose value has their shape.
inline void classify_list_item(list_extended_item& it, const options& o, bool utf8) {
  if (!it.name.contiguous()) return;
  const bool childinfo = ascii::iequals(it.name.view(), "CHILDINFO");
  const bool oldname = ascii::iequals(it.name.view(), "OLDNAME");
  if (!childinfo && !oldname) return;
  const std::string_view v = it.value;
  if (v.size() < 2 || v[0] != '(') return;
  std::size_t p = 1, count = 0;
  string_value last;
  if (v[1] != ')') {
    while (true) {
      const auto s = data_astring(v.substr(p), o);
      if (s.st != status::event) return;
      last = s.value;
      p += s.consumed;
      ++count;
      if (p >= v.size() || v[p] != ' ') break;
      ++p;
    }
  }
  if (p + 1 != v.size() || v[p] != ')') return;
  if (childinfo) {
    it.kind = list_extended_kind::childinfo;
    it.childinfo = string_list::unvalidated(v, count, o.literals);
    return;
  }
  // OLDNAME: one valid mailbox name. Escapes ("\\" "\"") are printable US-ASCII other than "&",
  // so checking the text as written gives the verdict of the content.
  if (count != 1 || last.streamed()) return;
  options mo;
  mo.utf8 = utf8;
  if (mailbox::check(last.raw(), mo).error != errc::ok) return;
  it.kind = list_extended_kind::oldname;
  it.oldname = mailbox::unvalidated(last);
}

}  // namespace detail

/// Reads LIST / LSUB extended items (RFC 5258 section 4: mbox-list-extended, response::extended)
/// calling f(const list_extended_item&) for each; OLDNAME names are checked under ro.utf8.
template <class F>
[[nodiscard]] parse_result<std::size_t> for_each_list_extended(
    std::string_view raw, F&& f, const response_options& ro = {},
    const literal_context* lits =
        nullptr) noexcept(std::is_nothrow_invocable_v<F&, const list_extended_item&>) {
  const options o = detail::data_options(lits, true);
  detail::reader r(raw, detail::relaxed_limits(), o);
  std::size_t n = 0;
  if (!r.ch('(')) return detail::data_result(r, 0);
  if (!r.is(')')) {
    while (true) {
      list_extended_item it;  // tag: astring (RFC 9051 section 9); response.hpp reads a string
      if (!detail::data_astring(r, it.name) || !r.sp()) break;
      const std::size_t v = r.pos;
      if (!detail::read_ext_value(r)) break;
      it.value = raw.substr(v, r.pos - v);
      detail::classify_list_item(it, o, ro.utf8);
      f(static_cast<const list_extended_item&>(it));
      ++n;
      if (!r.is(' ')) break;
      ++r.pos;
    }
  }
  if (r.good()) r.ch(')');
  return detail::data_end(r, n);
}

/// Appends mbox-list-extended (RFC 5258 section 4): "(" [item *(SP item)] ")", tags in their
/// form (astring: a parsed atom tag stays an atom; host-built ones are quoted) and CHILDINFO /
/// OLDNAME values as quoted strings (or literals). local_invalid_value when an
/// `other` value is not a tagged-ext-val, or an item would not read back as given.
[[nodiscard]] inline errc write_list_extended(std::string& out, std::span<const list_extended_item> items,
                                              const response_options& ro = {}) {
  const options o = detail::data_options(nullptr, ro.utf8);
  const std::size_t mark = out.size();
  errc e = errc::ok;
  const auto chk = [&](errc x) {
    if (e == errc::ok) e = x;
  };
  out.push_back('(');
  for (std::size_t i = 0; i < items.size(); ++i) {
    const list_extended_item& it = items[i];
    if (i) out.push_back(' ');
    chk(write_astring(out, it.name, o));
    out.push_back(' ');
    switch (it.kind) {
      case list_extended_kind::childinfo:
        chk(write_string_list(out, it.childinfo, o));
        break;
      case list_extended_kind::oldname:
        out.push_back('(');
        if (it.oldname.is_inbox())
          out.append("\"INBOX\"");
        else
          chk(write_string(out, it.oldname.name(), o));
        out.push_back(')');
        break;
      case list_extended_kind::other:
        if (it.value.empty()) chk(errc::local_invalid_value);
        out.append(it.value);
        break;
    }
  }
  out.push_back(')');
  if (e == errc::ok) {  // the text must read back (strictly, under ro) to the same items
    const options strict = detail::data_options(nullptr, ro.utf8);
    detail::reader r(std::string_view(out).substr(mark), detail::relaxed_limits(), strict);
    std::size_t k = 0;
    r.pos = 1;
    while (r.good() && k < items.size()) {
      list_extended_item it;
      if (!r.astring(it.name) || !r.sp()) break;
      const std::size_t v = r.pos;
      if (!detail::read_ext_value(r)) break;
      it.value = r.in.substr(v, r.pos - v);
      detail::classify_list_item(it, strict, ro.utf8);
      if (!(it == items[k])) chk(errc::local_invalid_value);
      ++k;
      if (k < items.size() && !r.sp()) break;
    }
    if (!r.good() || k != items.size() || r.pos + 1 != r.in.size()) chk(errc::local_invalid_value);
  }
  if (e != errc::ok) out.resize(mark);
  return e;
}

/// Sets the extended items of a LIST / LSUB response `r` (RFC 5258 section 4; the kind, flags,
/// delimiter and mailbox are the caller's), their text in `storage`.
[[nodiscard]] inline errc set_list_extended(response& r, std::string& storage,
                                            std::span<const list_extended_item> items,
                                            const response_options& ro = {}) {
  storage.clear();
  if (errc e = write_list_extended(storage, items, ro); e != errc::ok) return e;
  r.extended = storage;
  r.count = items.size();
  return errc::ok;
}

}  // namespace mailwire::imap
