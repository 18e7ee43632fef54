// Tests of mailwire/imap/command.hpp: every client command of RFC 3501 / RFC 9051 section 6 and
// of the extensions (goldens in tests/data/imap/commands/*.txt, re-serialized byte for byte),
// typed values, reject table with offsets, prefixes, streamed literals, continuation lines,
// seeded round trips.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "imap_value_testing.hpp"
#include "mailwire/imap/command.hpp"
#include "mailwire/imap/framing.hpp"

using namespace mailwire::imap;
using mailwire::status;

namespace {

limits auth_limits() {
  limits l;
  l.authenticated = true;
  return l;
}

options utf8_opt() {
  options o;
  o.utf8 = true;
  return o;
}

std::string read_golden(const char* name) {
  std::ifstream f(std::string(MAILWIRE_TEST_DATA_DIR) + "/imap/commands/" + name, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s, in = ss.str();
  for (char c : in) {
    if (c == '\n') s += '\r';
    s += c;
  }
  return s;
}

/// Splits a golden file into messages: the first CRLF at which parse_command() gives an event.
std::vector<std::string> golden_messages(const char* name) {
  const std::string all = read_golden(name);
  REQUIRE_FALSE(all.empty());
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < all.size()) {
    if (all[pos] == '#') {
      pos = all.find("\r\n", pos) + 2;
      continue;
    }
    std::size_t end = pos;
    for (;;) {
      end = all.find("\r\n", end);
      REQUIRE(end != std::string::npos);
      end += 2;
      const std::string m = all.substr(pos, end - pos);
      const auto r = parse_command(m, {}, auth_limits(), utf8_opt());
      if (r.st == status::event) break;
      INFO(m);
      REQUIRE(r.st == status::need_more);
    }
    out.push_back(all.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

std::size_t check_goldens(const char* name) {
  const auto msgs = golden_messages(name);
  for (const auto& m : msgs) {
    INFO(m);
    const auto fn = [](std::string_view s) { return parse_command(s, {}, auth_limits(), utf8_opt()); };
    const auto p = mwtest::parse_checked(fn, m);
    REQUIRE(p.r.ok());
    CHECK(p.r.consumed == m.size());
    // the RFCs' experimental command (RFC 3501 6.5.1, RFC 9051 6.5.1) is the only unknown one
    if (m.find(" XPIG-LATIN") == std::string::npos) CHECK(p.r.value.kind != command_kind::unknown);
    std::string out;
    REQUIRE(write_command(out, p.r.value, utf8_opt()) == errc::ok);
    CHECK(out == m);
  }
  return msgs.size();
}

template <class T>
const T& args(const parse_result<command>& r) {
  REQUIRE(std::holds_alternative<T>(r.value.args));
  return std::get<T>(r.value.args);
}

}  // namespace

TEST_CASE("imap command: RFC 3501 examples byte for byte", "[imap][command]") {
  // XPIG-LATIN is an unknown command: checked separately below.
  const auto msgs = golden_messages("rfc3501.txt");
  std::size_t n = 0;
  for (const auto& m : msgs) {
    INFO(m);
    const auto r = parse_command(m, {}, auth_limits(), utf8_opt());
    REQUIRE(r.ok());
    std::string out;
    REQUIRE(write_command(out, r.value) == errc::ok);
    CHECK(out == m);
    ++n;
  }
  CHECK(n == 67);
}

TEST_CASE("imap command: RFC 9051 examples byte for byte", "[imap][command]") {
  CHECK(check_goldens("rfc9051.txt") == 202);
}

TEST_CASE("imap command: extension RFC examples byte for byte", "[imap][command]") {
  CHECK(check_goldens("extensions.txt") == 302);
}

TEST_CASE("imap command: typed values", "[imap][command]") {
  const limits lim = auth_limits();
  {
    const auto r = parse_command("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n", {}, lim);
    REQUIRE(r.ok());
    CHECK(r.value.kind == command_kind::select);
    const auto& s = args<cmd_select>(r);
    CHECK(s.mbox.is_inbox());
    CHECK(s.qresync);
    CHECK_FALSE(s.condstore);
    CHECK(s.uidvalidity == 67890007u);
    CHECK(s.modseq == 20050715194045000ull);
  }
  {
    const auto r = parse_command("s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n", {}, lim);
    REQUIRE(r.ok());
    CHECK(r.value.uid);
    const auto& f = args<cmd_fetch>(r);
    CHECK(f.set.raw() == "300:500");
    CHECK(f.has_changedsince);
    CHECK(f.changedsince == 12345);
    CHECK(f.vanished);
    CHECK(f.attributes.size() == 1);
  }
  {
    const auto r = parse_command("a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) -FLAGS.SILENT (\\Deleted)\r\n", {}, lim);
    REQUIRE(r.ok());
    const auto& s = args<cmd_store>(r);
    CHECK(s.has_unchangedsince);
    CHECK(s.unchangedsince == 12121230045ull);
    CHECK(s.mode == store_mode::remove);
    CHECK(s.silent);
    CHECK(s.flags.size() == 1);
  }
  {
    const auto r = parse_command("a005 store 12 +flags \\deleted \\Seen\r\n", {}, lim);
    REQUIRE(r.ok());
    const auto& s = args<cmd_store>(r);
    CHECK(s.mode == store_mode::add);
    CHECK_FALSE(s.parenthesized);
    CHECK(s.flags.size() == 2);
  }
  {
    const auto r = parse_command("a SEARCH RETURN (MIN COUNT) UID 1:* NOT DELETED\r\n", {}, lim);
    REQUIRE(r.ok());
    const auto& s = args<cmd_search>(r);
    CHECK(s.ret.min);
    CHECK(s.ret.count);
    CHECK(s.program.top_level == 2);
  }
  {
    using namespace std::string_literals;
    const std::string m = "A003 APPEND box (\\Seen) \"05-Jan-2024 10:00:00 +0100\" {3}\r\nabc ~{2}\r\n\0z\r\n"s;
    const auto r = parse_command(m, {}, lim);
    REQUIRE(r.ok());
    const auto& a = args<cmd_append>(r);
    REQUIRE(a.messages.size() == 2);
    CHECK(a.messages[0].has_flags);
    CHECK(a.messages[0].has_date);
    CHECK(a.messages[0].date.year() == 2024);
    CHECK(a.messages[0].data.content() == "abc");
    CHECK_FALSE(a.messages[1].has_flags);
    CHECK(a.messages[1].data.form() == string_form::literal8);
    CHECK(a.messages[1].data.size() == 2);
    std::string out;
    REQUIRE(write_command(out, r.value) == errc::ok);
    CHECK(out == m);
  }
  {
    // One message at the start of the input; what follows is not read.
    const auto r = parse_command("a1 NOOP\r\na2 NOOP\r\n", {}, lim);
    REQUIRE(r.ok());
    CHECK(r.consumed == 9);
  }
  {
    const auto r = parse_command("a01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n", {}, {});
    REQUIRE(r.ok());
    const auto& a = args<cmd_authenticate>(r);
    CHECK(a.mechanism.text() == "PLAIN");
    CHECK(a.initial == "dGVzdAB0ZXN0AHRlc3Q=");
  }
  {
    // Unknown commands are kept with their tag and arguments (the server answers BAD).
    const std::string m = "x1 XFOO bar \"baz qux\" {3}\r\na b\r\n";
    const auto r = parse_command(m, {}, lim);
    REQUIRE(r.ok());
    CHECK(r.value.kind == command_kind::unknown);
    CHECK(r.value.tag.text() == "x1");
    CHECK(r.value.name == "XFOO");
    CHECK(args<cmd_unknown>(r).arguments == "bar \"baz qux\" {3}\r\na b");
    std::string out;
    REQUIRE(write_command(out, r.value) == errc::ok);
    CHECK(out == m);
  }
}

TEST_CASE("imap command: raw list elements", "[imap][command]") {
  const auto r = parse_command("t1 CREATE \"Important Messages\" (USE (\\Important \\Drafts))\r\n", {}, auth_limits());
  REQUIRE(r.ok());
  std::vector<std::string> v;
  for_each_element(args<cmd_mailbox>(r).params, [&](std::string_view e) { v.emplace_back(e); });
  CHECK(v == std::vector<std::string>{"USE", "(\\Important \\Drafts)"});
  const auto e = parse_command("t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n", {}, auth_limits());
  REQUIRE(e.ok());
  v.clear();
  for_each_element(args<cmd_enable>(e).caps, [&](std::string_view x) { v.emplace_back(x); });
  CHECK(v == std::vector<std::string>{"CONDSTORE", "X-GOOD-IDEA"});
  const auto s = parse_command("a ID (\"name\" {4}\r\nsodr)\r\n", {}, {});
  REQUIRE(s.ok());
  v.clear();
  for_each_element(args<cmd_generic>(s).list, [&](std::string_view x) { v.emplace_back(x); });
  CHECK(v == std::vector<std::string>{"\"name\"", "{4}\r\nsodr"});
}

TEST_CASE("imap command: streamed literal count must match", "[imap][command]") {
  const std::string m = "a APPEND box {100}\r\n\r\n";
  const literal_span s[] = {{m.find('}') + 3, 99, true, false, true}};
  literal_context ctx{m.data(), s};
  const auto r = parse_command(m, ctx, auth_limits());
  CHECK(r.error == errc::literal_count_mismatch);
  CHECK(r.value.tag.text() == "a");
}

TEST_CASE("imap command: host-built commands are written upper case", "[imap][command]") {
  const std::string m = "t1 uid fetch 1:5 (flags body.peek[header]) (changedsince 5)\r\n";
  const auto r = parse_command(m, {}, auth_limits());
  REQUIRE(r.ok());
  command c = r.value;
  c.name = {};
  c.uid_word = {};
  std::string out;
  REQUIRE(write_command(out, c) == errc::ok);
  CHECK(out == "t1 UID FETCH 1:5 (flags body.peek[header]) (changedsince 5)\r\n");
  CHECK(c == r.value);
  // Decoded CONDSTORE / QRESYNC fields are written when the host gives no list text.
  command sel;
  sel.tag = tag::unvalidated("A02");
  sel.kind = command_kind::select;
  cmd_select sp;
  sp.mbox = *mailbox::make("INBOX");
  sp.qresync = true;
  sp.uidvalidity = 67890007;
  sp.modseq = 20050715194045000ull;
  sel.args = sp;
  out.clear();
  REQUIRE(write_command(out, sel) == errc::ok);
  CHECK(out == "A02 SELECT INBOX (QRESYNC (67890007 20050715194045000))\r\n");
  const auto back = parse_command(out, {}, auth_limits());
  REQUIRE(back.ok());
  CHECK(back.value == sel);
  command f;
  f.tag = tag::unvalidated("s1");
  f.kind = command_kind::fetch;
  f.uid = true;
  cmd_fetch fa;
  fa.set = *make_sequence_set("1:*");
  fetch_attribute flags_att;
  flags_att.item = fetch_item::flags;
  fa.attributes = fetch_attributes::single(flags_att);
  fa.has_changedsince = true;
  fa.changedsince = 12345;
  fa.vanished = true;
  f.args = fa;
  out.clear();
  REQUIRE(write_command(out, f) == errc::ok);
  CHECK(out == "s1 UID FETCH 1:* FLAGS (CHANGEDSINCE 12345 VANISHED)\r\n");
  const auto fb = parse_command(out, {}, auth_limits());
  REQUIRE(fb.ok());
  CHECK(fb.value == f);
  f.uid = false;  // VANISHED needs UID FETCH (RFC 7162 section 3.2.6)
  out.clear();
  CHECK(write_command(out, f) == errc::local_invalid_value);

  command n;
  n.tag = tag::unvalidated("a9");
  n.kind = command_kind::noop;
  out.clear();
  REQUIRE(write_command(out, n) == errc::ok);
  CHECK(out == "a9 NOOP\r\n");
  n.uid = true;  // UID NOOP does not exist
  out.clear();
  CHECK(write_command(out, n) == errc::local_invalid_value);
  CHECK(out.empty());
}

TEST_CASE("imap command: rejects with offsets and the tag", "[imap][command]") {
  struct bad {
    std::string in;
    errc e;
    std::size_t at;
    const char* tag;
  };
  const bad table[] = {
      {"* NOOP\r\n", errc::bad_tag, 0, ""},
      {"+ NOOP\r\n", errc::bad_tag, 0, ""},
      {"a+b NOOP\r\n", errc::bad_tag, 1, ""},
      {"a(b NOOP\r\n", errc::bad_tag, 1, ""},
      {"a\xC3\xA9 NOOP\r\n", errc::eight_bit_not_allowed, 1, ""},
      {"a1 NOOP extra\r\n", errc::trailing_data, 7, "a1"},
      {"a1 NOOP \r\n", errc::trailing_data, 7, "a1"},
      {"a1 LOGIN a\r\n", errc::bad_command_argument, 10, "a1"},
      {"a1 LOGIN a  b\r\n", errc::bad_string, 11, "a1"},
      {"a1 LOGIN {2}\r\nabc d\r\n", errc::expected_space, 16, "a1"},
      {"a1 LOGIN {1x}\r\na b\r\n", errc::bad_literal, 11, "a1"},
      {"a1 LOGIN {99999999999999999999}\r\na b\r\n", errc::number_overflow, 28, "a1"},
      {"a1 FETCH 0 FLAGS\r\n", errc::bad_sequence_set, 9, "a1"},
      {"a1 FETCH 1: FLAGS\r\n", errc::bad_sequence_set, 11, "a1"},
      {"a1 FETCH 1 BODY[1.0]\r\n", errc::bad_section, 18, "a1"},
      {"a1 FETCH 1 BODY[0]\r\n", errc::bad_section, 16, "a1"},
      {"a1 FETCH 1 BODY[HEADER.FIELDS ()]\r\n", errc::bad_section, 31, "a1"},
      {"a1 FETCH 1 (FLAGS\r\n", errc::bad_fetch_attribute, 17, "a1"},
      {"a1 STATUS x (MESSAGES\r\n", errc::bad_command_argument, 21, "a1"},
      {"a1 STATUS x (FOO)\r\n", errc::bad_command_argument, 13, "a1"},
      {"a1 SELECT x (QRESYNC (0 5))\r\n", errc::bad_command_argument, 12, "a1"},
      {"a1 FETCH 1 FLAGS (VANISHED)\r\n", errc::bad_command_argument, 17, "a1"},
      {"a1 STORE 1 FLAGZ (\\Seen)\r\n", errc::bad_command_argument, 11, "a1"},
      {"a1 SEARCH FOO\r\n", errc::bad_search_key, 10, "a1"},
      {"a1 SELECT caf\xC3\xA9\r\n", errc::eight_bit_not_allowed, 13, "a1"},
      {"a1 UID NOOP\r\n", errc::unknown_command, 3, "a1"},
      {"a1 AUTHENTICATE PLAIN abc\r\n", errc::bad_base64, 22, "a1"},
      {"a1 ID (\"a\")\r\n", errc::bad_command_argument, 6, "a1"},
      {"a1 CREATE x (USE (\\Drafts)\r\n", errc::bad_command_argument, 26, "a1"},
      {"a1 NOOP\n", errc::bad_command_argument, 7, "a1"},
      {"a1 FOO(\r\n", errc::unexpected_character, 6, "a1"},
      {std::string("a1 LOGIN {1}\r\n\0 b\r\n", 19), errc::nul_outside_literal8, 14, "a1"},
      {"a1 NO\xC3\xA9P\r\n", errc::eight_bit_not_allowed, 5, "a1"},
      {"a1 STATUS x (MESSAGES))\r\n", errc::bad_command_argument, 22, "a1"},
      {"a1 SEARCH (SEEN))\r\n", errc::bad_command_argument, 16, "a1"},
      {"a1 FETCH 1 (FLAGS))\r\n", errc::bad_command_argument, 18, "a1"},
      {"a1 LIST \"\" (a b\r\n", errc::bad_command_argument, 15, "a1"},
  };
  for (const auto& b : table) {
    INFO(b.in);
    const auto fn = [](std::string_view s) { return parse_command(s, {}, auth_limits(), {}); };
    const auto p = mwtest::parse_checked(fn, b.in);
    REQUIRE(p.r.st == status::error);
    CHECK(p.r.error == b.e);
    CHECK(p.r.error_offset == b.at);
    CHECK(p.r.value.tag.text() == b.tag);
  }
}

TEST_CASE("imap command: limits", "[imap][command]") {
  limits pre;  // before authentication: nesting 1
  CHECK(parse_command("a ID (\"name\" \"x\")\r\n", {}, pre).ok());
  auto r = parse_command("a ID ((\"name\") \"x\")\r\n", {}, pre);
  CHECK(r.error == errc::nesting_too_deep);
  CHECK(r.error_offset == 6);
  r = parse_command("a LOGIN {9000}\r\n", {}, pre);
  CHECK(r.error == errc::literal_too_large);
  limits l = auth_limits();
  l.list_items = 2;
  CHECK(parse_command("a STATUS x (MESSAGES UIDNEXT)\r\n", {}, l).ok());
  r = parse_command("a STATUS x (MESSAGES UIDNEXT UNSEEN)\r\n", {}, l);
  CHECK(r.error == errc::list_too_long);
  CHECK(r.error_offset == 29);
  l = auth_limits();
  l.sequence_ranges = 2;
  r = parse_command("a FETCH 1,2,3 FLAGS\r\n", {}, l);
  CHECK(r.error == errc::too_many_ranges);
  l = auth_limits();
  l.search_depth = 2;
  r = parse_command("a SEARCH NOT NOT NOT SEEN\r\n", {}, l);
  CHECK(r.error == errc::search_too_deep);
  options o;
  o.non_sync_literals = false;
  r = parse_command("a LOGIN {1+}\r\na b\r\n", {}, auth_limits(), o);
  CHECK(r.error == errc::non_sync_literal_not_allowed);
}

TEST_CASE("imap command: streamed APPEND literal", "[imap][command]") {
  // The framing layer left only the announcement of the 50 MB message in the buffer.
  const std::string m = "A003 APPEND saved-messages (\\Seen) {52428800}\r\n\r\n";
  const literal_span s[] = {{m.find('}') + 3, 52428800, true, false, true}};
  literal_context ctx{m.data(), s};
  limits l = auth_limits();
  const auto r = parse_command(m, ctx, l);
  REQUIRE(r.ok());
  const auto& a = args<cmd_append>(r);
  REQUIRE(a.messages.size() == 1);
  CHECK(a.messages[0].data.streamed());
  CHECK(a.messages[0].data.size() == 52428800u);
  std::string out;
  REQUIRE(write_command(out, r.value) == errc::ok);
  CHECK(out == m);
  // A streamed literal anywhere else is refused.
  const std::string x = "a LOGIN {20000}\r\n pw\r\n";
  const literal_span s2[] = {{17, 20000, true, false, true}};
  literal_context ctx2{x.data(), s2};
  const auto e = parse_command(x, ctx2, l);
  CHECK(e.error == errc::bad_command_argument);
  CHECK(e.error_offset == 8);
}

TEST_CASE("imap command: parse_append_prefix", "[imap][command]") {
  const std::string m = "A003 APPEND saved-messages (\\Seen) \"05-Jan-2024 10:00:00 +0100\" {310}\r\n";
  for (std::size_t k = 0; k < m.find('{'); ++k) CHECK(parse_append_prefix(m.substr(0, k)).st == status::need_more);
  const auto r = parse_append_prefix(m);
  REQUIRE(r.ok());
  CHECK(r.value.tag.text() == "A003");
  CHECK(r.value.mbox.name().content() == "saved-messages");
  CHECK(r.value.first.has_flags);
  CHECK(r.value.first.has_date);
  CHECK(r.value.literal_offset == m.find('{'));
  const auto u = parse_append_prefix("b APPEND INBOX UTF8 (~{11}\r\n");
  REQUIRE(u.ok());
  CHECK(u.value.first.utf8);
  const auto bad = parse_append_prefix("b APPEND INBOX foo");
  CHECK(bad.error == errc::bad_literal);
  CHECK(bad.error_offset == 15);
  CHECK(bad.value.tag.text() == "b");
  CHECK(parse_append_prefix("b SELECT INBOX {3}").error == errc::bad_command_argument);
}

TEST_CASE("imap command: AUTHENTICATE and IDLE continuation lines", "[imap][command]") {
  auto a = parse_authenticate_line("dGVzdAB0ZXN0AHRlc3Q=\r\n");
  REQUIRE(a.ok());
  CHECK(a.value.data == "dGVzdAB0ZXN0AHRlc3Q=");
  CHECK(a.consumed == 22);
  a = parse_authenticate_line("*\r\n");
  REQUIRE(a.ok());
  CHECK(a.value.cancel);
  a = parse_authenticate_line("\r\n");
  REQUIRE(a.ok());
  CHECK(a.value.data.empty());
  CHECK(parse_authenticate_line("dGVz").st == status::need_more);
  a = parse_authenticate_line("dG V6\r\n");
  CHECK(a.error == errc::bad_base64);
  CHECK(a.error_offset == 2);
  a = parse_authenticate_line("dGV\r\n");
  CHECK(a.error == errc::bad_base64);
  a = parse_authenticate_line("dGVz\n");
  CHECK(a.error == errc::expected_crlf);

  CHECK(parse_idle_done("DONE\r\n").ok());
  CHECK(parse_idle_done("done\r\n").ok());
  CHECK(parse_idle_done("DON").st == status::need_more);
  const auto d = parse_idle_done("DONX\r\n");
  CHECK(d.error == errc::expected_done);
  CHECK(d.error_offset == 3);
  CHECK(parse_idle_done("a1 NOOP\r\n").error == errc::expected_done);
}

TEST_CASE("imap command: random commands round trip", "[imap][command]") {
  std::mt19937 rng(2024);
  const char* mailboxes[] = {"INBOX", "\"Sent Items\"", "{5}\r\nDraft", "Archive/2024", "&U,BTFw-"};
  const char* sets[] = {"1", "1:*", "2,4:7,9,12:*", "$", "*"};
  const char* atts[] = {"FLAGS", "(UID FLAGS)", "ALL", "BODY.PEEK[1.2.MIME]<0.100>", "(ENVELOPE BODYSTRUCTURE)"};
  const char* keys[] = {"SEEN", "OR FROM a TO b", "NOT (DELETED DRAFT)", "SINCE 1-Feb-1994", "UID 1:5"};
  const char* astrs[] = {"joe", "\"p w\"", "{3}\r\nx y", "{2+}\r\nab"};
  auto pick = [&](const auto& arr) { return std::string(arr[rng() % (sizeof(arr) / sizeof(arr[0]))]); };
  for (int round = 0; round < 1000; ++round) {
    std::string t = "t" + std::to_string(round);
    std::string m;
    switch (rng() % 14) {
      case 0: m = t + " LOGIN " + pick(astrs) + " " + pick(astrs); break;
      case 1: m = t + " SELECT " + pick(mailboxes) + (rng() % 2 ? " (CONDSTORE)" : ""); break;
      case 2: m = t + (rng() % 2 ? " UID" : "") + " FETCH " + pick(sets) + " " + pick(atts); break;
      case 3: m = t + (rng() % 2 ? " UID" : "") + " SEARCH " + pick(keys) + " " + pick(keys); break;
      case 4: m = t + " STORE " + pick(sets) + " +FLAGS.SILENT (\\Seen $Junk)"; break;
      case 5: m = t + (rng() % 2 ? " UID COPY " : " MOVE ") + pick(sets) + " " + pick(mailboxes); break;
      case 6: m = t + " RENAME " + pick(mailboxes) + " " + pick(mailboxes); break;
      case 7: m = t + " STATUS " + pick(mailboxes) + " (MESSAGES UNSEEN SIZE)"; break;
      case 8: m = t + " APPEND " + pick(mailboxes) + " (\\Seen) {4}\r\nbody"; break;
      case 9: m = t + " LIST \"\" " + (rng() % 2 ? "*" : "(\"a\" b%)") + (rng() % 2 ? " RETURN (CHILDREN)" : ""); break;
      case 10: m = t + " ENABLE CONDSTORE QRESYNC"; break;
      case 11: m = t + " UID SORT (REVERSE DATE) UTF-8 " + pick(keys); break;
      case 12: m = t + " SETMETADATA " + pick(mailboxes) + " (/private/comment " + pick(astrs) + ")"; break;
      default: m = t + " IDLE"; break;
    }
    m += "\r\n";
    INFO(m);
    const auto r = parse_command(m, {}, auth_limits());
    REQUIRE(r.ok());
    std::string out;
    REQUIRE(write_command(out, r.value) == errc::ok);
    CHECK(out == m);
    const auto q = parse_command(out, {}, auth_limits());
    REQUIRE(q.ok());
    CHECK(q.value == r.value);
    std::string out2;
    REQUIRE(write_command(out2, q.value) == errc::ok);
    CHECK(out2 == out);
  }
}

TEST_CASE("imap command: goldens through the framer, big literals streamed", "[imap][command]") {
  // The server's path: the framer finds each message (accepting every synchronizing literal,
  // streaming literals over 16 octets), parse_append_prefix() runs at an APPEND's literal_begin,
  // parse_command() on message_end with the framer's literal spans.
  for (const char* name : {"rfc3501.txt", "rfc9051.txt", "extensions.txt"}) {
    INFO(name);
    std::string wire;
    for (const auto& m : golden_messages(name)) wire += m;
    framing_options fo;
    fo.side = framing_side::server;
    fo.non_sync = non_sync_literals::literal_plus;
    fo.inline_literal_max = 16;
    limits lim = auth_limits();
    framer fr(fo, lim);
    std::string_view rest = wire;
    std::size_t messages = 0, prefixes = 0, streamed = 0;
    std::string streamed_octets;
    for (int guard = 0; guard < 1000000; ++guard) {
      auto r = fr.next(rest);
      REQUIRE(r.st != status::error);
      rest.remove_prefix(r.consumed);
      if (r.st == status::need_more) break;
      const frame_event& ev = r.ev;
      if (ev.kind == frame_event_kind::literal_begin) {
        const auto p = parse_append_prefix(ev.message, lim, utf8_opt());
        if (p.ok()) ++prefixes;
        if (r.st == status::paused) fr.accept_literal();
      }
      if (ev.kind == frame_event_kind::literal_data) streamed_octets.append(ev.text);
      if (ev.kind != frame_event_kind::message_end) continue;
      REQUIRE(ev.kind == frame_event_kind::message_end);
      const std::string msg(ev.message);
      const std::vector<literal_span> spans(ev.literals.begin(), ev.literals.end());
      literal_context ctx{msg.data(), spans};
      INFO(msg);
      const auto c = parse_command(msg, ctx, lim, utf8_opt());
      bool has_streamed = false;
      for (const auto& s : spans) has_streamed = has_streamed || s.streamed;
      if (has_streamed && msg.find(" APPEND ") == std::string::npos) {
        // Only APPEND's message data may be streamed; the session keeps other literals inline.
        CHECK(c.error == errc::bad_command_argument);
        ++messages;
        continue;
      }
      REQUIRE(c.ok());
      CHECK(c.consumed == msg.size());
      for (const auto& s : spans) streamed += s.streamed ? 1 : 0;
      std::string out;
      REQUIRE(write_command(out, c.value, utf8_opt()) == errc::ok);
      CHECK(out == msg);  // streamed literals: the announcement only, as in the buffer
      ++messages;
    }
    CHECK(rest.empty());
    CHECK(messages == golden_messages(name).size());
    CHECK(prefixes >= 1);
    CHECK(streamed >= 1);
    CHECK_FALSE(streamed_octets.empty());
  }
}

TEST_CASE("imap command: RFC examples that violate their ABNF are refused", "[imap][command]") {
  // The RFCs' own lines (tests/data/imap/commands/extensions.txt quotes them with the reason).
  struct bad {
    const char* in;
    errc e;
    std::size_t at;
  };
  const bad table[] = {
      // RFC 5819 section 3: no SP between list-select-opts and the reference name (RFC 5258 section 6);
      // RFC 9051 section 6.3.9.8 prints the same command with the SP.
      {"A02 LIST (SUBSCRIBED RECURSIVEMATCH)\"\" % RETURN (STATUS (MESSAGES))\r\n", errc::expected_space, 36},
      // RFC 5464 section 4.4.1: two entries without parentheses (entries = entry / "(" entry *(SP entry) ")").
      {"a GETMETADATA \"INBOX\" /private/comment /shared/comment\r\n", errc::trailing_data, 38},
  };
  for (const auto& b : table) {
    INFO(b.in);
    const auto r = parse_command(b.in, {}, auth_limits());
    CHECK(r.st == status::error);
    CHECK(r.error == b.e);
    CHECK(r.error_offset == b.at);
  }
}

TEST_CASE("imap command: RFC examples without their literal data are prefixes", "[imap][command]") {
  // The RFCs show only the announcement because the server refuses the command first (RFC 3501 /
  // 9051 section 7.5 / 7.6, RFC 3502 section 6.3.11) or elide the message (RFC 8474 section 5.3).
  const char* const lines[] = {
      "A044 BLURDYBLOOP {102856}\r\n",
      "A004 APPEND bogusname (\\Flagged) {1023}\r\n",
      ("A005 APPEND test (\\Flagged) {99}\r\nDate: Mon, 7 Feb 2000 22:43:04 -0800 (PST)\r\n"
       "From: Fred Foobar <fred@example.com>\r\nSubject: hmm...\r\n {35403}\r\n"),
      "5 append inbox \"20-Mar-2018 03:07:37 +1100\" {733}\r\n",
  };
  for (const char* l : lines) {
    INFO(l);
    CHECK(parse_command(l, {}, auth_limits()).st == status::need_more);
  }
}

TEST_CASE("imap command: GETMETADATA options after the mailbox (RFC 5464 examples)", "[imap][command]") {
  const std::string in = "a GETMETADATA \"INBOX\" (MAXSIZE 1024) (/shared/comment /private/comment)\r\n";
  const auto r = parse_command(in, {}, auth_limits());
  REQUIRE(r.ok());
  const auto& g = args<cmd_generic>(r);
  CHECK(g.options_after_mailbox);
  CHECK(g.options.raw == "(MAXSIZE 1024)");
  CHECK(g.list.raw == "(/shared/comment /private/comment)");
  std::string out;
  REQUIRE(write_command(out, r.value) == errc::ok);
  CHECK(out == in);
  // the ABNF order (options first) is kept as written too
  const std::string abnf = "a GETMETADATA (DEPTH 1) \"INBOX\" (/private/filters/values)\r\n";
  const auto r2 = parse_command(abnf, {}, auth_limits());
  REQUIRE(r2.ok());
  CHECK_FALSE(args<cmd_generic>(r2).options_after_mailbox);
  CHECK(args<cmd_generic>(r2).options.raw == "(DEPTH 1)");
  out.clear();
  REQUIRE(write_command(out, r2.value) == errc::ok);
  CHECK(out == abnf);
  // a single list after the mailbox is the entries; a second options list is refused
  const auto r3 = parse_command("a GETMETADATA INBOX (/a /b)\r\n", {}, auth_limits());
  REQUIRE(r3.ok());
  CHECK_FALSE(args<cmd_generic>(r3).options.present());
  const auto r4 = parse_command("a GETMETADATA (DEPTH 1) INBOX (MAXSIZE 5) /a\r\n", {}, auth_limits());
  CHECK(r4.st == status::error);
  // every prefix of the RFC form is need_more
  for (std::size_t k = 0; k < in.size(); ++k) {
    INFO(k);
    CHECK(parse_command(std::string_view(in).substr(0, k), {}, auth_limits()).st == status::need_more);
  }
}

TEST_CASE("imap command: a date's month keeps its letter case (RFC 5256 \"5-MAR-2000\")", "[imap][command]") {
  const std::string in = "A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000\r\n";
  const auto r = parse_command(in, {}, auth_limits());
  REQUIRE(r.ok());
  const auto& t = args<cmd_sort>(r);
  REQUIRE(t.program.nodes.size() == 1);
  const date d = t.program.nodes[0].date;
  CHECK(d.month() == 3);
  CHECK(d.month_case() == 6);  // "A" and "R" differ from "Mar"
  CHECK(d == *date::make(2000, 3, 5));
  std::string out;
  REQUIRE(write_command(out, r.value) == errc::ok);
  CHECK(out == in);
  // the same for date and date-time values directly
  const auto pd = parse_date("\"07-fEB-1994\"");
  REQUIRE(pd.ok());
  CHECK(pd.value.month_case() == 7);  // all three letters differ from "Feb"
  out.clear();
  REQUIRE(write_date(out, pd.value) == errc::ok);
  CHECK(out == "\"07-fEB-1994\"");
  const auto pt = parse_date_time("\"17-jul-1996 02:44:25 -0700\"");
  REQUIRE(pt.ok());
  CHECK(pt.value.month_case() == 1);
  out.clear();
  REQUIRE(write_date_time(out, pt.value) == errc::ok);
  CHECK(out == "\"17-jul-1996 02:44:25 -0700\"");
  // host-built dates are written "Jan".."Dec"
  out.clear();
  REQUIRE(write_date(out, *date::make(2000, 3, 5)) == errc::ok);
  CHECK(out == "5-Mar-2000");
}
