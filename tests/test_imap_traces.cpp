// Whole IMAP sessions in the style of real servers (tests/data/imap/traces/*.txt, format in the
// README there): each direction goes through imap::framer in several chunkings (1 octet, 7
// octets, whole) with literals inline and streamed; every client message is parsed with
// parse_command() (or as IDLE's DONE / an AUTHENTICATE line), every server message with
// parse_response() under the trace's options, and written back byte for byte (or to the
// canonical form given after "=> "). "??" lines assert typed values; "!!" lines assert that a
// named quirk is what makes the line parse (refused at an offset without it).
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "chunking.hpp"
#include "mailwire/imap/command.hpp"
#include "mailwire/imap/framing.hpp"
#include "mailwire/imap/response.hpp"
#include "mailwire/imap/response_data.hpp"

using namespace mailwire::imap;
using mailwire::status;
using namespace std::literals;

namespace {

/// One message of a trace, in trace order.
struct entry {
  bool client = false;
  std::string bytes;                  ///< on the wire (CRLF line ends, literals inline)
  std::string canonical;              ///< what the writer gives (== bytes unless "=> ")
  std::vector<std::string> checks;    ///< "??" lines (without the "?? ")
  std::vector<std::string> withouts;  ///< "!!" lines (without the "!! ")
  bool pending = false;               ///< under "# pending parser change": framed, not parsed
  std::size_t line = 0;
};

struct trace {
  std::string name;
  std::vector<std::string> quirk_names;
  response_options ro;
  bool literal_plus = false;
  std::vector<entry> entries;
};

bool set_quirk(response_options& ro, const std::string& q, bool on) {
  if (q == "text_without_lines") ro.quirks.text_without_lines = on;
  else if (q == "nil_strings") ro.quirks.nil_strings = on;
  else if (q == "space_before_paren") ro.quirks.space_before_paren = on;
  else if (q == "empty_param_list") ro.quirks.empty_param_list = on;
  else if (q == "address_list_spaces") ro.quirks.address_list_spaces = on;
  else if (q == "eight_bit_text") ro.eight_bit_text = on;
  else if (q == "trailing_space") ro.trailing_space = on;
  else return false;
  return true;
}

/// The errc named in "!!" lines.
errc errc_named(const std::string& n) {
  static const std::map<std::string, errc> names = {
      {"bad_string", errc::bad_string},
      {"expected_space", errc::expected_space},
      {"expected_crlf", errc::expected_crlf},
      {"unexpected_character", errc::unexpected_character},
      {"eight_bit_not_allowed", errc::eight_bit_not_allowed},
      {"bad_number", errc::bad_number},
      {"bad_atom", errc::bad_atom},
      {"bad_fetch_attribute", errc::bad_fetch_attribute},
  };
  const auto it = names.find(n);
  REQUIRE(it != names.end());
  return it->second;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

/// Size of a literal announcement ("{N}", "{N+}", "~{N}") ending `line`, or -1.
long long announced(const std::string& line, bool& sync) {
  if (line.empty() || line.back() != '}') return -1;
  const std::size_t b = line.rfind('{');
  if (b == std::string::npos) return -1;
  std::string digits = line.substr(b + 1, line.size() - b - 2);
  sync = true;
  if (!digits.empty() && digits.back() == '+') {
    digits.pop_back();
    sync = false;
  }
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoll(digits);
}

trace load_trace(const std::string& file) {
  std::ifstream f(std::string(MAILWIRE_TEST_DATA_DIR) + "/imap/traces/" + file, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  std::string text;
  for (char c : ss.str()) {
    if (c == '\n') text += "\r\n";
    else text.push_back(c);
  }
  trace t;
  t.name = file;
  std::size_t i = 0, line = 0;
  bool pending = false;
  std::size_t last = 0;  // the message that "=>", "??" and "!!" lines belong to
  auto next_line = [&]() {
    const std::size_t e = text.find("\r\n", i);
    REQUIRE(e != std::string::npos);
    std::string l = text.substr(i, e - i);
    i = e + 2;
    ++line;
    return l;
  };
  while (i < text.size()) {
    const std::size_t at_line = line + 1;
    std::string l = next_line();
    if (l.empty()) continue;
    if (l.rfind("# options:", 0) == 0) {
      for (const auto& w : words(l.substr(10))) {
        if (w.rfind("quirks=", 0) == 0) {
          std::string q = w.substr(7) + ",";
          for (std::size_t p = 0, c; (c = q.find(',', p)) != std::string::npos; p = c + 1) {
            const std::string name = q.substr(p, c - p);
            INFO(file << ": quirk " << name);
            REQUIRE(set_quirk(t.ro, name, true));
            t.quirk_names.push_back(name);
          }
        } else if (w == "utf8") {
          t.ro.utf8 = true;
        } else if (w == "literal_plus") {
          t.literal_plus = true;
        } else {
          FAIL(file << ": unknown option " << w);
        }
      }
      continue;
    }
    if (l.rfind("# pending parser change", 0) == 0) {
      pending = true;
      continue;
    }
    if (l[0] == '#') continue;
    if (l.rfind("=> ", 0) == 0) {
      REQUIRE_FALSE(t.entries.empty());
      t.entries[last].canonical = l.substr(3) + "\r\n";
      continue;
    }
    if (l.rfind("?? ", 0) == 0) {
      REQUIRE_FALSE(t.entries.empty());
      t.entries[last].checks.push_back(l.substr(3));
      continue;
    }
    if (l.rfind("!! ", 0) == 0) {
      REQUIRE_FALSE(t.entries.empty());
      t.entries[last].withouts.push_back(l.substr(3));
      continue;
    }
    INFO(file << ":" << at_line << ": " << l);
    REQUIRE((l.rfind("C: ", 0) == 0 || l.rfind("S: ", 0) == 0));
    entry e;
    e.client = l[0] == 'C';
    e.line = at_line;
    e.pending = pending;
    pending = false;
    std::vector<entry> continuations;  // the server's "+" lines inside a client message
    std::string seg = l.substr(3);
    for (;;) {
      e.bytes += seg;
      e.bytes += "\r\n";
      bool sync = true;
      const long long n = announced(seg, sync);
      if (n < 0) break;
      if (e.client && sync) {
        const std::size_t cl = line + 1;
        const std::string plus = next_line();
        INFO("continuation line " << cl);
        REQUIRE(plus.rfind("S: +", 0) == 0);
        entry c;
        c.line = cl;
        c.bytes = plus.substr(3) + "\r\n";
        continuations.push_back(c);
      }
      REQUIRE(i + static_cast<std::size_t>(n) <= text.size());
      const std::string data = text.substr(i, static_cast<std::size_t>(n));
      for (char c : data) line += c == '\n' ? 1 : 0;
      i += static_cast<std::size_t>(n);
      e.bytes += data;
      const std::size_t eol = text.find("\r\n", i);
      REQUIRE(eol != std::string::npos);
      seg = text.substr(i, eol - i);
      i = eol + 2;
      ++line;
    }
    e.canonical = e.bytes;
    last = t.entries.size();
    t.entries.push_back(e);
    for (auto& c : continuations) {
      c.canonical = c.bytes;
      t.entries.push_back(c);
    }
  }
  return t;
}

limits trace_limits() {
  limits l;
  l.authenticated = true;  // the traces log in at once; the limits before login are tested elsewhere
  return l;
}

options command_options(const trace& t) {
  options o;
  o.utf8 = t.ro.utf8;
  return o;
}

/// A message as the framer delivered it.
struct framed {
  std::string message;
  std::vector<literal_span> spans;
  std::vector<std::string> streamed;  ///< octets of each streamed literal, in order
  bool prefix_parsed = false;         ///< parse_fetch_prefix / parse_append_prefix at a streamed literal
};

/// Frames one direction of a trace in chunks of `chunk` octets (0: whole).
std::vector<framed> frame(const trace& t, const std::string& wire, bool client_stream, std::size_t chunk,
                          std::uint64_t inline_max) {
  framing_options fo;
  fo.side = client_stream ? framing_side::server : framing_side::client;
  fo.non_sync = t.literal_plus ? non_sync_literals::literal_plus : non_sync_literals::literal_minus;
  fo.inline_literal_max = inline_max;
  const limits lim = trace_limits();
  framer fr(fo, lim);
  std::vector<framed> out;
  framed cur;
  const std::size_t step = chunk == 0 ? std::max<std::size_t>(wire.size(), 1) : chunk;
  for (std::size_t at = 0; at < wire.size(); at += step) {
    mwtest::heap_copy piece(std::string_view(wire).substr(at, step));
    std::string_view rest = piece.view();
    for (;;) {
      const auto r = fr.next(rest);
      INFO(t.name << " chunk " << chunk << " at " << at);
      REQUIRE(r.st != status::error);
      rest.remove_prefix(r.consumed);
      if (r.st == status::need_more) {
        REQUIRE(rest.empty());
        break;
      }
      const frame_event& ev = r.ev;
      switch (ev.kind) {
        case frame_event_kind::literal_begin:
          if (ev.literal.streamed) {
            cur.streamed.emplace_back();
            const std::string so_far(ev.message);
            if (client_stream) {
              const auto p = parse_append_prefix(so_far, lim, command_options(t));
              if (p.ok()) {
                cur.prefix_parsed = true;
                CHECK(p.value.literal_offset < so_far.size());
              }
            } else {
              response_options ro = t.ro;
              const auto p = parse_fetch_prefix(so_far, lim, ro);
              if (p.ok()) {
                cur.prefix_parsed = true;
                CHECK(p.value.pending.data.size() == ev.literal.size);
              }
            }
          }
          if (r.st == status::paused) REQUIRE(fr.accept_literal() == errc::ok);
          break;
        case frame_event_kind::literal_data:
          REQUIRE_FALSE(cur.streamed.empty());
          cur.streamed.back().append(ev.text);
          break;
        case frame_event_kind::message_end:
          cur.message = std::string(ev.message);
          cur.spans.assign(ev.literals.begin(), ev.literals.end());
          out.push_back(std::move(cur));
          cur = framed{};
          break;
        case frame_event_kind::message_failed:
          FAIL(t.name << ": message refused by the framer: " << to_string(ev.error) << " at "
                      << ev.error_offset << ": " << std::string(ev.message));
          break;
        default: break;
      }
    }
  }
  CHECK(fr.at_message_boundary());
  return out;
}

/// The message with its streamed literals' octets put back: the bytes on the wire.
std::string unframe(const framed& m) {
  std::string s;
  std::size_t from = 0, k = 0;
  for (const auto& sp : m.spans) {
    if (!sp.streamed) continue;
    s.append(m.message, from, sp.offset - from);
    s += m.streamed[k++];
    from = sp.offset;
  }
  s.append(m.message, from, std::string::npos);
  return s;
}

bool any_streamed(const framed& m) {
  return std::any_of(m.spans.begin(), m.spans.end(), [](const literal_span& s) { return s.streamed; });
}

const msg_att* find_att(const response& r, fetch_item item) {
  for (const auto& a : r.atts)
    if (!a.other && a.att.item == item) return &a;
  return nullptr;
}

/// Evaluates one "??" check on a parsed response. Returns false for an unknown check name.
bool check_response(const response& r, const std::string& check) {
  const auto w = words(check);
  REQUIRE_FALSE(w.empty());
  const std::string& k = w[0];
  const auto arg = [&](std::size_t n) {
    REQUIRE(w.size() > n);
    return w[n];
  };
  const auto rest_of = [&](std::size_t n) {
    std::string s;
    for (std::size_t j = n; j < w.size(); ++j) s += (j > n ? " " : "") + w[j];
    return s;
  };
  if (k == "uid") {
    const msg_att* a = find_att(r, fetch_item::uid);
    REQUIRE(a != nullptr);
    CHECK(a->number == std::stoull(arg(1)));
  } else if (k == "subtype" || k == "parts") {
    const msg_att* a = find_att(r, fetch_item::bodystructure);
    if (a == nullptr) a = find_att(r, fetch_item::body);
    REQUIRE(a != nullptr);
    if (k == "subtype") CHECK(mailwire::ascii::iequals(a->body.root().subtype.content(), arg(1)));
    else CHECK(a->body.parts.size() == std::stoull(arg(1)));
  } else if (k == "part") {  // part INDEX TYPE/SUBTYPE [lines N|nolines] [octets N]
    const msg_att* a = find_att(r, fetch_item::bodystructure);
    if (a == nullptr) a = find_att(r, fetch_item::body);
    REQUIRE(a != nullptr);
    const std::size_t idx = std::stoull(arg(1));
    REQUIRE(idx < a->body.parts.size());
    const body_part& p = a->body.parts[idx];
    const std::string ts = arg(2);
    const std::size_t slash = ts.find('/');
    REQUIRE(slash != std::string::npos);
    const std::string type = ts.substr(0, slash), sub = ts.substr(slash + 1);
    CHECK((type == "NIL" ? p.type.is_nil() : mailwire::ascii::iequals(p.type.content(), type)));
    CHECK((sub == "NIL" ? p.subtype.is_nil() : mailwire::ascii::iequals(p.subtype.content(), sub)));
    for (std::size_t j = 3; j < w.size(); ++j) {
      if (w[j] == "nolines") CHECK_FALSE(p.has_lines);
      else if (w[j] == "lines") CHECK((p.has_lines && p.lines == std::stoull(arg(++j))));
      else if (w[j] == "octets") CHECK(p.octets == std::stoull(arg(++j)));
      else if (w[j] == "encoding") {
        const std::string v = arg(++j);
        CHECK((v == "NIL" ? p.encoding.is_nil() : mailwire::ascii::iequals(p.encoding.content(), v)));
      } else if (w[j] == "params") CHECK(p.params.size() == std::stoull(arg(++j)));
      else FAIL("unknown part check " << w[j]);
    }
  } else if (k == "from") {  // from N: the envelope's from list has N addresses
    const msg_att* a = find_att(r, fetch_item::envelope);
    REQUIRE(a != nullptr);
    CHECK(a->env.from.size() == std::stoull(arg(1)));
  } else if (k == "subject") {
    const msg_att* a = find_att(r, fetch_item::envelope);
    REQUIRE(a != nullptr);
    CHECK(a->env.subject.content() == rest_of(1));
  } else if (k == "literal") {  // the size of the BODY[] / BINARY[] / RFC822 data
    const msg_att* a = find_att(r, fetch_item::body_section);
    if (a == nullptr) a = find_att(r, fetch_item::binary);
    if (a == nullptr) a = find_att(r, fetch_item::rfc822);
    REQUIRE(a != nullptr);
    CHECK(a->data.size() == std::stoull(arg(1)));
  } else if (k == "section") {
    const msg_att* a = find_att(r, fetch_item::body_section);
    if (a == nullptr) a = find_att(r, fetch_item::binary);
    REQUIRE(a != nullptr);
    CHECK(a->att.section.part() == (arg(1) == "-" ? std::string() : arg(1)));
  } else if (k == "modseq") {
    const msg_att* a = find_att(r, fetch_item::modseq);
    REQUIRE(a != nullptr);
    CHECK(a->number == std::stoull(arg(1)));
  } else if (k == "other") {  // other NAME VALUE: an extension item kept as written
    bool found = false;
    for (const auto& a : r.atts)
      if (a.other && a.name == arg(1)) {
        found = true;
        CHECK(a.raw == rest_of(2));
      }
    CHECK(found);
  } else if (k == "objectid") {
    const msg_att* a = find_att(r, fetch_item::emailid);
    REQUIRE(a != nullptr);
    CHECK(a->objectid == arg(1));
  } else if (k == "code") {  // code NAME [text]
    REQUIRE(r.text.has_code);
    const resp_code& c = r.text.code;
    CHECK(to_string(c.kind()) == arg(1));
    CHECK(c.text() == rest_of(2));
    const auto n = words(rest_of(2));
    switch (c.kind()) {
      case code_kind::appenduid:
        REQUIRE(n.size() == 2);
        CHECK(c.number() == std::stoull(n[0]));
        CHECK(c.set().raw() == n[1]);
        break;
      case code_kind::copyuid:
        REQUIRE(n.size() == 3);
        CHECK(c.number() == std::stoull(n[0]));
        CHECK(c.set().raw() == n[1]);
        CHECK(c.set2().raw() == n[2]);
        break;
      case code_kind::uidvalidity:
      case code_kind::uidnext:
      case code_kind::unseen:
      case code_kind::highestmodseq:
        REQUIRE(n.size() == 1);
        CHECK(c.number() == std::stoull(n[0]));
        break;
      case code_kind::permanentflags: CHECK(c.flags().size() > 0); break;
      case code_kind::capability: CHECK(c.capabilities().size() == n.size()); break;
      case code_kind::mailboxid: CHECK(c.argument() == n[0].substr(1, n[0].size() - 2)); break;
      default: break;
    }
  } else if (k == "cap") {  // the CAPABILITY response / code holds every name given
    const capability_list& l =
        r.kind == response_kind::capability || r.kind == response_kind::enabled ? r.capabilities
                                                                                : r.text.code.capabilities();
    for (std::size_t j = 1; j < w.size(); ++j) {
      INFO(w[j]);
      CHECK(l.contains(w[j]));
    }
  } else if (k == "caps") {
    const capability_list& l =
        r.kind == response_kind::capability || r.kind == response_kind::enabled ? r.capabilities
                                                                                : r.text.code.capabilities();
    CHECK(l.size() == std::stoull(arg(1)));
  } else if (k == "flag") {  // LIST / FLAGS hold the flag
    const std::string text = arg(1) + " ";  // the flag views it
    const auto f = parse_flag(text);
    REQUIRE(f.ok());
    CHECK(r.flags.contains(f.value));
  } else if (k == "mailbox") {
    CHECK(r.mbox.name().content() == rest_of(1));
  } else if (k == "delimiter") {
    CHECK(std::string(1, r.delimiter) == arg(1));
  } else if (k == "status") {  // status NAME N
    bool found = false;
    for (const auto& s : r.status_items)
      if (mailwire::ascii::iequals(s.name, arg(1))) {
        found = true;
        CHECK(s.value == std::stoull(arg(2)));
      }
    CHECK(found);
  } else if (k == "esearch") {  // esearch NAME VALUE
    bool found = false;
    for (const auto& s : r.esearch_items)
      if (mailwire::ascii::iequals(s.name, arg(1))) {
        found = true;
        CHECK(s.value == arg(2));
      }
    CHECK(found);
  } else if (k == "esearch-uid") {
    CHECK(r.uid);
  } else if (k == "vanished") {  // vanished earlier|now SET
    CHECK(r.kind == response_kind::vanished);
    CHECK(r.earlier == (arg(1) == "earlier"));
    CHECK(r.uids.raw() == arg(2));
  } else if (k == "number") {
    CHECK(r.number == std::stoull(arg(1)));
  } else if (k == "search") {  // search N...: the numbers in order
    std::vector<std::uint32_t> got, want;
    r.numbers.for_each([&](std::uint32_t v) { got.push_back(v); });
    for (std::size_t j = 1; j < w.size(); ++j) want.push_back(static_cast<std::uint32_t>(std::stoul(w[j])));
    CHECK(got == want);
  } else if (k == "id") {  // id KEY VALUE
    CHECK(r.id_list.get(arg(1)).content() == rest_of(2));
  } else if (k == "namespace") {  // namespace N RAW: the N-th namespace as written
    CHECK(r.ns[std::stoul(arg(1))] == rest_of(2));
  } else if (k == "quota") {  // quota NAME USAGE LIMIT
    REQUIRE_FALSE(r.resources.empty());
    CHECK(mailwire::ascii::iequals(r.resources[0].name, arg(1)));
    CHECK(r.resources[0].usage == std::stoull(arg(2)));
    CHECK(r.resources[0].limit == std::stoull(arg(3)));
  } else if (k == "extended") {  // the text kept as written (LIST items, THREAD, METADATA...)
    std::string_view x = r.extended;
    while (!x.empty() && x.front() == ' ') x.remove_prefix(1);
    CHECK(x == rest_of(1));
  } else if (k == "threads") {  // threads ROOTS NODES (response_data.hpp)
    std::vector<thread_node> nodes;
    const auto t = read_threads(r.extended, nodes);
    REQUIRE(t.ok());
    CHECK(t.value == std::stoull(arg(1)));
    CHECK(nodes.size() == std::stoull(arg(2)));
  } else if (k == "ns-prefix") {  // ns-prefix GROUP PREFIX DELIMITER: the group's first namespace
    std::vector<std::pair<std::string, char>> got;
    const auto n = namespaces(r)[std::stoul(arg(1))].for_each(
        [&](const namespace_desc& d) { got.emplace_back(d.prefix.content(), d.delimiter); });
    REQUIRE(n.ok());
    REQUIRE_FALSE(got.empty());
    CHECK(got[0].first == (arg(2) == "\"\"" ? std::string() : arg(2)));
    CHECK(std::string(1, got[0].second) == arg(3));
  } else if (k == "quota-roots") {  // quota-roots NAME | NAME...: QUOTAROOT's root names ("" empty)
    std::vector<std::string> got;
    const auto n = for_each_quota_root(r.extended, [&](const string_value& v) { got.push_back(v.content()); });
    REQUIRE(n.ok());
    std::vector<std::string> want;
    const std::string all = rest_of(1) + " | ";
    for (std::size_t p = 0, q; (q = all.find(" | ", p)) != std::string::npos; p = q + 3)
      want.push_back(all.substr(p, q - p) == "\"\"" ? std::string() : all.substr(p, q - p));
    CHECK(got == want);
  } else if (k == "metadata") {  // metadata ENTRY VALUE...: one entry of a METADATA response
    bool found = false;
    const auto n = for_each_metadata(r, [&](const metadata_entry& e) {
      if (e.name.content() == arg(1)) {
        found = true;
        CHECK(e.value.content() == rest_of(2));
      }
    });
    REQUIRE(n.ok());
    CHECK(found);
  } else if (k == "childinfo") {  // childinfo OPTION: a LIST CHILDINFO extended item holds it
    bool found = false;
    const auto n = for_each_list_extended(r.extended, [&](const list_extended_item& it) {
      if (it.kind == list_extended_kind::childinfo) found = true;
    });
    REQUIRE(n.ok());
    CHECK(found);
    CHECK(r.extended.find(arg(1)) != std::string_view::npos);
  } else if (k == "text") {
    CHECK(r.text.text == rest_of(1));
  } else if (k == "kind") {
    static const std::map<std::string, response_kind> kinds = {
        {"continuation", response_kind::continuation}, {"tagged", response_kind::tagged},
        {"status", response_kind::status}, {"capability", response_kind::capability},
        {"enabled", response_kind::enabled}, {"list", response_kind::list},
        {"namespace", response_kind::namespace_}, {"status_data", response_kind::status_data},
        {"search", response_kind::search}, {"esearch", response_kind::esearch},
        {"fetch", response_kind::fetch}, {"vanished", response_kind::vanished}, {"id", response_kind::id},
        {"quota", response_kind::quota}, {"quotaroot", response_kind::quotaroot},
        {"metadata", response_kind::metadata}, {"sort", response_kind::sort},
        {"thread", response_kind::thread}, {"unknown", response_kind::unknown},
        {"exists", response_kind::exists}, {"expunge", response_kind::expunge}};
    REQUIRE(kinds.count(arg(1)) == 1);
    CHECK(r.kind == kinds.at(arg(1)));
  } else {
    return false;
  }
  return true;
}

/// Evaluates one "??" check on a parsed command.
bool check_command(const command& c, const std::string& check) {
  const auto w = words(check);
  REQUIRE_FALSE(w.empty());
  const std::string& k = w[0];
  const auto arg = [&](std::size_t n) {
    REQUIRE(w.size() > n);
    return w[n];
  };
  if (k == "command") {  // command NAME [uid]
    CHECK(command_name(c.kind) == arg(1));
    CHECK(c.uid == (w.size() > 2 && w[2] == "uid"));
  } else if (k == "mailbox") {
    std::string want;
    for (std::size_t j = 1; j < w.size(); ++j) want += (j > 1 ? " " : "") + w[j];
    const mailbox* m = nullptr;
    if (const auto* s = std::get_if<cmd_select>(&c.args)) m = &s->mbox;
    else if (const auto* a = std::get_if<cmd_append>(&c.args)) m = &a->mbox;
    else if (const auto* x = std::get_if<cmd_copy>(&c.args)) m = &x->mbox;
    else if (const auto* y = std::get_if<cmd_mailbox>(&c.args)) m = &y->mbox;
    else if (const auto* z = std::get_if<cmd_status>(&c.args)) m = &z->mbox;
    else if (const auto* g = std::get_if<cmd_generic>(&c.args)) m = &g->mbox;
    REQUIRE(m != nullptr);
    CHECK(m->name().content() == want);
  } else if (k == "set") {
    if (const auto* f = std::get_if<cmd_fetch>(&c.args)) CHECK(f->set.raw() == arg(1));
    else if (const auto* x = std::get_if<cmd_copy>(&c.args)) CHECK(x->set.raw() == arg(1));
    else if (const auto* s = std::get_if<cmd_store>(&c.args)) CHECK(s->set.raw() == arg(1));
    else FAIL("no sequence set in " << check);
  } else if (k == "append") {  // append N: messages; sizes of each
    const auto* a = std::get_if<cmd_append>(&c.args);
    REQUIRE(a != nullptr);
    REQUIRE(a->messages.size() == w.size() - 1);
    for (std::size_t j = 1; j < w.size(); ++j) CHECK(a->messages[j - 1].data.size() == std::stoull(w[j]));
  } else if (k == "append-flags") {
    const auto* a = std::get_if<cmd_append>(&c.args);
    REQUIRE(a != nullptr);
    REQUIRE(a->messages.front().has_flags);
    CHECK(a->messages.front().flags.size() == std::stoull(arg(1)));
  } else if (k == "changedsince") {
    const auto* f = std::get_if<cmd_fetch>(&c.args);
    REQUIRE(f != nullptr);
    CHECK(f->has_changedsince);
    CHECK(f->changedsince == std::stoull(arg(1)));
    CHECK(f->vanished == (w.size() > 2 && w[2] == "vanished"));
  } else if (k == "qresync") {  // qresync UIDVALIDITY MODSEQ
    const auto* s = std::get_if<cmd_select>(&c.args);
    REQUIRE(s != nullptr);
    CHECK(s->qresync);
    CHECK(s->uidvalidity == std::stoull(arg(1)));
    CHECK(s->modseq == std::stoull(arg(2)));
  } else if (k == "condstore") {
    const auto* s = std::get_if<cmd_select>(&c.args);
    REQUIRE(s != nullptr);
    CHECK(s->condstore);
  } else if (k == "mechanism") {  // mechanism NAME [initial]
    const auto* a = std::get_if<cmd_authenticate>(&c.args);
    REQUIRE(a != nullptr);
    CHECK(a->mechanism.text() == arg(1));
    CHECK(a->has_initial == (w.size() > 2 && w[2] == "initial"));
  } else if (k == "user") {
    const auto* l = std::get_if<cmd_login>(&c.args);
    REQUIRE(l != nullptr);
    CHECK(l->user.content() == arg(1));
  } else if (k == "fetch-items") {
    const auto* f = std::get_if<cmd_fetch>(&c.args);
    REQUIRE(f != nullptr);
    CHECK(f->attributes.size() == std::stoull(arg(1)));
  } else if (k == "search-return") {
    const auto* s = std::get_if<cmd_search>(&c.args);
    REQUIRE(s != nullptr);
    CHECK(s->ret.present);
  } else if (k == "elements") {  // elements A B C: the kept list's elements as written
    const raw_list* l = nullptr;
    if (const auto* e = std::get_if<cmd_enable>(&c.args)) l = &e->caps;
    else if (const auto* s = std::get_if<cmd_status>(&c.args)) l = &s->items;
    else if (const auto* m = std::get_if<cmd_mailbox>(&c.args)) l = &m->params;
    else if (const auto* g = std::get_if<cmd_generic>(&c.args)) l = &g->list;
    else if (const auto* li = std::get_if<cmd_list>(&c.args)) l = &li->return_opts;
    REQUIRE(l != nullptr);
    std::vector<std::string> got;
    for_each_element(*l, [&](std::string_view e) { got.emplace_back(e); });
    CHECK(got == std::vector<std::string>(w.begin() + 1, w.end()));
  } else {
    return false;
  }
  return true;
}

struct tally {
  std::size_t messages = 0, checks = 0, withouts = 0, pending = 0;
};

/// Parses every message of `t` (framed whole, literals inline), in trace order.
void parse_trace(const trace& t, tally& n, std::set<std::string>& quirks_shown) {
  const limits lim = trace_limits();
  const options co = command_options(t);
  std::string sasl_tag;       // an AUTHENTICATE exchange is on: client lines are SASL responses
  bool expect_done = false;   // IDLE: the next client message is DONE
  for (const auto& e : t.entries) {
    INFO(t.name << ":" << e.line << ": " << e.bytes);
    ++n.messages;
    if (e.pending) {
      ++n.pending;
      continue;
    }
    mwtest::heap_copy buf(e.bytes);
    if (e.client) {
      if (expect_done) {
        expect_done = false;
        const auto d = parse_idle_done(buf.view());
        REQUIRE(d.ok());
        CHECK(d.consumed == e.bytes.size());
        continue;
      }
      if (!sasl_tag.empty()) {
        const auto a = parse_authenticate_line(buf.view());
        REQUIRE(a.ok());
        CHECK(a.consumed == e.bytes.size());
        continue;
      }
      const auto r = parse_command(buf.view(), {}, lim, co);
      REQUIRE(r.st == status::event);
      CHECK(r.consumed == e.bytes.size());
      std::string out;
      REQUIRE(write_command(out, r.value, co) == errc::ok);
      CHECK(out == e.canonical);
      for (const auto& c : e.checks) {
        INFO("?? " << c);
        CHECK(check_command(r.value, c));
        ++n.checks;
      }
      if (r.value.kind == command_kind::idle) expect_done = true;
      if (r.value.kind == command_kind::authenticate) sasl_tag = std::string(r.value.tag.text());
      continue;
    }
    const auto r = parse_response(buf.view(), nullptr, lim, t.ro);
    if (r.st != status::event) FAIL("refused: " << to_string(r.error) << " at " << r.error_offset);
    CHECK(r.consumed == e.bytes.size());
    std::string out;
    REQUIRE(write_response(out, r.value, t.ro) == errc::ok);
    CHECK(out == e.canonical);
    // the canonical form is itself canonical
    const auto again = parse_response(out, nullptr, lim, t.ro);
    REQUIRE(again.ok());
    std::string out2;
    REQUIRE(write_response(out2, again.value, t.ro) == errc::ok);
    CHECK(out2 == out);
    for (const auto& c : e.checks) {
      INFO("?? " << c);
      CHECK(check_response(r.value, c));
      ++n.checks;
    }
    for (const auto& wo : e.withouts) {
      // "without QUIRK: ERRC at OFFSET": refused at that offset with the quirk off
      INFO("!! " << wo);
      const auto w = words(wo);
      REQUIRE(w.size() == 5);
      REQUIRE(w[0] == "without");
      REQUIRE(w[3] == "at");
      std::string q = w[1];
      REQUIRE(q.back() == ':');
      q.pop_back();
      response_options off = t.ro;
      REQUIRE(set_quirk(off, q, false));
      const auto bad = parse_response(buf.view(), nullptr, lim, off);
      REQUIRE(bad.st == status::error);
      CHECK(bad.error == errc_named(w[2]));
      CHECK(bad.error_offset == std::stoull(w[4]));
      quirks_shown.insert(q);
      ++n.withouts;
    }
    if (r.value.kind == response_kind::tagged && r.value.tag.text() == sasl_tag) sasl_tag.clear();
  }
}

/// Frames both directions in every chunking, with literals inline and streamed (over 64 octets),
/// and checks the framer gives back each message of the trace; streamed messages are parsed with
/// their literal spans and written back as the framer's buffer (announcements only).
void frame_trace(const trace& t) {
  std::string client, server;
  std::vector<const entry*> cs, ss;
  for (const auto& e : t.entries) {
    (e.client ? client : server) += e.bytes;
    (e.client ? cs : ss).push_back(&e);
  }
  const limits lim = trace_limits();
  for (const std::uint64_t inline_max : {std::uint64_t{64} * 1024, std::uint64_t{64}}) {
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{0}}) {
      for (const bool client_side : {true, false}) {
        INFO(t.name << (client_side ? " client" : " server") << " stream, chunk " << chunk << ", inline "
                    << inline_max);
        const auto& entries = client_side ? cs : ss;
        const auto got = frame(t, client_side ? client : server, client_side, chunk, inline_max);
        REQUIRE(got.size() == entries.size());
        for (std::size_t k = 0; k < got.size(); ++k) {
          INFO(t.name << ":" << entries[k]->line);
          CHECK(unframe(got[k]) == entries[k]->bytes);
          if (!any_streamed(got[k]) || entries[k]->pending) continue;
          CHECK(got[k].prefix_parsed);
          const literal_context ctx{got[k].message.data(), got[k].spans};
          std::string out;
          if (client_side) {
            const auto r = parse_command(got[k].message, ctx, lim, command_options(t));
            REQUIRE(r.ok());
            REQUIRE(write_command(out, r.value, command_options(t)) == errc::ok);
          } else {
            const auto r = parse_response(got[k].message, &ctx, lim, t.ro);
            REQUIRE(r.ok());
            REQUIRE(write_response(out, r.value, t.ro) == errc::ok);
          }
          if (entries[k]->canonical == entries[k]->bytes) CHECK(out == got[k].message);
        }
      }
    }
  }
}

const char* const trace_files[] = {"gmail.txt", "outlook.txt", "yahoo.txt", "dovecot.txt",
                                   "cyrus.txt", "courier.txt", "icloud.txt"};

}  // namespace

TEST_CASE("imap traces: real-server-style sessions frame, parse and write back", "[imap][traces]") {
  tally n;
  std::set<std::string> quirks_shown;
  for (const char* file : trace_files) {
    const trace t = load_trace(file);
    REQUIRE(t.entries.size() >= 20);
    parse_trace(t, n, quirks_shown);
    frame_trace(t);
  }
  CHECK(n.messages > 300);
  CHECK(n.checks > 80);
  // Every named quirk of body.hpp and response.hpp is shown with a server's bytes.
  CHECK(quirks_shown == std::set<std::string>{"text_without_lines", "nil_strings", "space_before_paren",
                                              "empty_param_list", "address_list_spaces", "eight_bit_text",
                                              "trailing_space"});
  CHECK(n.withouts >= 6);
}

TEST_CASE("imap traces: each trace names only the quirks it shows", "[imap][traces]") {
  for (const char* file : trace_files) {
    const trace t = load_trace(file);
    tally n;
    std::set<std::string> shown;
    parse_trace(t, n, shown);
    INFO(file);
    CHECK(shown == std::set<std::string>(t.quirk_names.begin(), t.quirk_names.end()));
  }
}

TEST_CASE("imap docs: claims of docs/imap.md's coverage list not tested elsewhere", "[imap][traces]") {
  const limits lim = trace_limits();
  SECTION("ID takes an even number of strings, or NIL") {
    CHECK(parse_command("a ID (\"name\" \"x\")\r\n", {}, lim).ok());
    CHECK(parse_command("a ID NIL\r\n", {}, lim).ok());
    const auto r = parse_command("a ID (\"name\")\r\n", {}, lim);
    REQUIRE(r.st == status::error);
    CHECK(r.error == errc::bad_command_argument);
    CHECK(r.error_offset == 5);
  }
  SECTION("SORT with RETURN (ESORT, RFC 5267) is parsed and written back") {
    const std::string m = "a UID SORT RETURN (MIN COUNT) (DATE) UTF-8 ALL\r\n";
    const auto r = parse_command(m, {}, lim);
    REQUIRE(r.ok());
    const auto* s = std::get_if<cmd_sort>(&r.value.args);
    REQUIRE(s != nullptr);
    CHECK(s->ret.present);
    CHECK(s->ret.min);
    CHECK(s->ret.count);
    std::string out;
    REQUIRE(write_command(out, r.value) == errc::ok);
    CHECK(out == m);
  }
  SECTION("SETMETADATA values may be literal8 (RFC 5464 section 5)") {
    const std::string m = "a SETMETADATA INBOX (/private/comment ~{3}\r\na\0b)\r\n"s;
    const auto r = parse_command(m, {}, lim);
    REQUIRE(r.ok());
    std::string out;
    REQUIRE(write_command(out, r.value) == errc::ok);
    CHECK(out == m);
  }
  SECTION("a code the codec does not type (RFC 3516 UNKNOWN-CTE) is kept") {
    const std::string m = "a NO [UNKNOWN-CTE] Can't decode part 2\r\n";
    const auto r = parse_response(m, nullptr, lim);
    REQUIRE(r.ok());
    CHECK(r.value.text.code.kind() == code_kind::other);
    CHECK(r.value.text.code.name() == "UNKNOWN-CTE");
    std::string out;
    REQUIRE(write_response(out, r.value) == errc::ok);
    CHECK(out == m);
  }
  SECTION("Gmail's X-GM-* items: kept in FETCH responses, refused in FETCH commands (change requested)") {
    CHECK(parse_response("* 1 FETCH (X-GM-MSGID 1826470384113391012)\r\n", nullptr, lim).ok());
    const auto r = parse_command("a UID FETCH 1 (X-GM-MSGID)\r\n", {}, lim);
    REQUIRE(r.st == status::error);
    CHECK(r.error == errc::bad_fetch_attribute);
  }
  SECTION("STARTTLS / COMPRESS: the framer takes nothing past the command") {
    for (const std::string_view cmd : {"a1 STARTTLS\r\n", "a2 COMPRESS DEFLATE\r\n"}) {
      const std::string wire = std::string(cmd) + "\x78\x9c\x01\x02 not a command\r\n";
      framer fr;
      const auto r = fr.next(wire);
      REQUIRE(r.st == status::event);
      // line events on: the line first, then message_end without consuming more
      const auto e = fr.next(std::string_view(wire).substr(r.consumed));
      REQUIRE(e.st == status::event);
      CHECK(e.ev.kind == frame_event_kind::message_end);
      CHECK(r.consumed + e.consumed == cmd.size());
      CHECK(parse_command(e.ev.message, {}, lim).ok());
    }
  }
}
