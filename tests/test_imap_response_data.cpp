// Tests of mailwire/imap/response_data.hpp: the response data kept as written by the parser,
// read typed and rebuilt. The examples of RFC 2342 section 5 (NAMESPACE, as repeated in RFC 9051
// section 6.3.10), RFC 5256 section 4 (THREAD, SORT), RFC 5464 section 4 (METADATA), RFC 9208
// sections 5-6 (QUOTAROOT), RFC 5258 section 5 and RFC 9051 section 7.3.1 (CHILDINFO, OLDNAME)
// go through parse_response, are read typed (exact values) and rebuilt with the builders into
// the same bytes; seeded round trips (random typed value -> builder -> write_response ->
// parse_response -> reader == the value); reject tables of the readers and writers.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "chunking.hpp"
#include "imap_response_testing.hpp"
#include "mailwire/imap.hpp"

using namespace mailwire::imap;
using mailwire::status;
using namespace std::literals;

namespace {

limits auth_limits() {
  limits l;
  l.authenticated = true;
  return l;
}

/// A parsed response that keeps its message (exact-size heap buffer) alive.
struct parsed {
  mwtest::heap_copy buf;
  parse_result<response> r;
  parsed(std::string_view msg, const response_options& ro = {})
      : buf(msg), r(parse_response(buf.view(), nullptr, auth_limits(), ro)) {}
  const response& operator*() const { return r.value; }
  const response* operator->() const { return &r.value; }
};

std::string written(const response& r, const response_options& ro = {}) {
  std::string out;
  REQUIRE(write_response(out, r, ro) == errc::ok);
  return out;
}

string_value q(std::string_view s) { return string_value::from_text(s, string_form::quoted); }
string_value a(std::string_view s) { return string_value::from_text(s, string_form::atom); }

// ---------------------------------------------------------------------------------------------
// NAMESPACE

struct ns_want {
  std::string prefix;
  char delim;
  std::vector<std::pair<std::string, std::vector<std::string>>> ext;
};
using ns_groups = std::vector<std::vector<ns_want>>;

std::vector<namespace_desc> read_group(const namespace_group& g) {
  std::vector<namespace_desc> v;
  const auto res = g.for_each([&](const namespace_desc& d) { v.push_back(d); });
  REQUIRE(res.ok());
  CHECK(res.value == v.size());
  return v;
}

/// Host values for a group (the storage vectors must outlive the descs).
struct ns_host {
  std::vector<std::vector<string_value>> values;
  std::vector<std::vector<namespace_extension>> exts;
  std::vector<namespace_desc> descs;
  explicit ns_host(const std::vector<ns_want>& w) {
    values.reserve(64);
    exts.resize(w.size());
    for (std::size_t i = 0; i < w.size(); ++i) {
      for (const auto& [name, vals] : w[i].ext) {
        values.emplace_back();
        for (const auto& s : vals) values.back().push_back(q(s));
        namespace_extension x;
        x.name = q(name);
        x.values = string_list::of(values.back());
        exts[i].push_back(x);
      }
    }
    for (std::size_t i = 0; i < w.size(); ++i) {
      namespace_desc d;
      d.prefix = q(w[i].prefix);
      d.delimiter = w[i].delim;
      d.extensions = namespace_extension_list::of(exts[i]);
      descs.push_back(d);
    }
  }
};

void check_namespace(std::string_view msg, const ns_groups& want) {
  INFO(msg);
  const parsed p(msg);
  REQUIRE(p.r.ok());
  REQUIRE(p->kind == response_kind::namespace_);
  const auto groups = namespaces(*p);
  for (int k = 0; k < 3; ++k) {
    INFO("group " << k);
    const auto got = read_group(groups[static_cast<std::size_t>(k)]);
    const auto& w = want[static_cast<std::size_t>(k)];
    CHECK(groups[static_cast<std::size_t>(k)].is_nil() == w.empty());
    REQUIRE(got.size() == w.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].prefix.content() == w[i].prefix);
      CHECK(got[i].delimiter == w[i].delim);
      std::vector<std::pair<std::string, std::vector<std::string>>> ext;
      got[i].extensions.for_each([&](const namespace_extension& x) {
        std::vector<std::string> vals;
        x.values.for_each([&](const string_value& v) { vals.push_back(v.content()); });
        CHECK(vals.size() == x.values.size());
        ext.emplace_back(x.name.content(), vals);
      });
      CHECK(ext == w[i].ext);
      CHECK(got[i].extensions.size() == w[i].ext.size());
    }
  }
  // rebuilt from host values: the same bytes, and read back equal
  const ns_host h0(want[0]), h1(want[1]), h2(want[2]);
  response r;
  std::string storage;
  REQUIRE(set_namespaces(r, storage, h0.descs, h1.descs, h2.descs) == errc::ok);
  CHECK(written(r) == msg);
  const parsed back(written(r));
  REQUIRE(back.r.ok());
  const auto g2 = namespaces(*back);
  CHECK(read_group(g2[0]) == h0.descs);
  CHECK(read_group(g2[1]) == h1.descs);
  CHECK(read_group(g2[2]) == h2.descs);
  // and the typed values read from the original equal the host ones
  CHECK(read_group(groups[0]) == h0.descs);
}

TEST_CASE("imap response data: NAMESPACE examples of RFC 2342 section 5 / RFC 9051 6.3.10", "[imap]") {
  check_namespace("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n", {{{"", '/', {}}}, {}, {}});
  check_namespace("* NAMESPACE NIL NIL ((\"\" \".\"))\r\n", {{}, {}, {{"", '.', {}}}});
  check_namespace("* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))\r\n",
                  {{{"", '/', {}}}, {}, {{"Public Folders/", '/', {}}}});
  check_namespace(
      "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")"
      "(\"#news.\" \".\"))\r\n",
      {{{"", '/', {}}},
       {{"~", '/', {}}},
       {{"#shared/", '/', {}}, {"#public/", '/', {}}, {"#ftp/", '/', {}}, {"#news.", '.', {}}}});
  check_namespace("* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL\r\n", {{{"INBOX.", '.', {}}}, {}, {}});
  check_namespace("* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n",
                  {{{"", '/', {}}, {"#mh/", '/', {{"X-PARAM", {"FLAG1", "FLAG2"}}}}}, {}, {}});
  check_namespace("* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) NIL\r\n",
                  {{{"", '/', {}}}, {{"Other Users/", '/', {}}}, {}});
  check_namespace("* NAMESPACE ((\"\" \"/\")) ((\"#Users/\" \"/\")) NIL\r\n",
                  {{{"", '/', {}}}, {{"#Users/", '/', {}}}, {}});
  check_namespace("* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) NIL\r\n",
                  {{{"", '/', {}}}, {{"~", '/', {}}}, {}});
  check_namespace("* NAMESPACE ((\"INBOX.\" \".\")) ((\"#shared/\" \"/\")) NIL\r\n",
                  {{{"INBOX.", '.', {}}}, {{"#shared/", '/', {}}}, {}});
  // server styles: Courier, Dovecot; NIL delimiter, escaped delimiter, two extensions
  check_namespace("* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"#shared.\" \".\")(\"shared.\" \".\"))\r\n",
                  {{{"INBOX.", '.', {}}}, {}, {{"#shared.", '.', {}}, {"shared.", '.', {}}}});
  check_namespace("* NAMESPACE ((\"\" NIL)) NIL ((\"Public\\\\\" \"\\\\\"))\r\n",
                  {{{"", 0, {}}}, {}, {{"Public\\", '\\', {}}}});
  check_namespace("* NAMESPACE ((\"\" \"/\" \"X-A\" (\"1\") \"X-B\" (\"2\" \"3\" \"4\"))) NIL NIL\r\n",
                  {{{"", '/', {{"X-A", {"1"}}, {"X-B", {"2", "3", "4"}}}}}, {}, {}});
}

TEST_CASE("imap response data: NAMESPACE forms, literals, lower-case nil", "[imap]") {
  // a literal prefix and extension value are read and written back as literals
  const std::string msg = "* NAMESPACE ((\"\" \"/\")({5}\r\na\"b\\c \"/\" \"X\" ({2}\r\n\r\n))) nil NIL\r\n";
  const parsed p(msg);
  REQUIRE(p.r.ok());
  const auto g = namespaces(*p);
  CHECK(g[1].is_nil());
  const auto v = read_group(g[0]);
  REQUIRE(v.size() == 2);
  CHECK(v[1].prefix.form() == string_form::literal);
  CHECK(v[1].prefix.content() == "a\"b\\c");
  std::string vals;
  v[1].extensions.for_each([&](const namespace_extension& x) {
    x.values.for_each([&](const string_value& s) { vals += s.content(); });
  });
  CHECK(vals == "\r\n");
  std::string out;
  REQUIRE(write_namespace_list(out, v) == errc::ok);
  CHECK(out == "((\"\" \"/\")({5}\r\na\"b\\c \"/\" \"X\" ({2}\r\n\r\n)))");
  CHECK(read_group(namespace_group{p->ns[1]}).empty());
  // the delimiter escaped form is remembered
  const parsed e("* NAMESPACE ((\"\" \"\\\"\")) NIL NIL\r\n");
  REQUIRE(e.r.ok());
  const auto d = read_group(namespaces(*e)[0]);
  REQUIRE(d.size() == 1);
  CHECK(d[0].delimiter == '"');
  CHECK(d[0].delimiter_escaped);
}

TEST_CASE("imap response data: NAMESPACE reader and writer refusals", "[imap]") {
  struct bad {
    std::string_view raw;
    errc e;
    std::size_t at;
  };
  for (const bad& b :
       {bad{"", errc::unexpected_character, 0}, bad{"()", errc::unexpected_character, 1},
        bad{"((\"\" \"/\")", errc::unexpected_character, 9},
        bad{"((\"\" \"//\"))", errc::unexpected_character, 5},
        bad{"((\"\" \"/\")) ", errc::trailing_data, 10}, bad{"NIL ", errc::trailing_data, 3},
        bad{"((\"\" \"/\" \"X\" ()))", errc::bad_string, 14}, bad{"((x \"/\"))", errc::bad_string, 2}}) {
    INFO(b.raw);
    std::size_t n = 0;
    const auto r = for_each_namespace(b.raw, [&](const namespace_desc&) { ++n; });
    CHECK(r.st == status::error);
    CHECK(r.error == b.e);
    CHECK(r.error_offset == b.at);
  }
  std::string out = "x";
  namespace_desc d;
  d.prefix = q("");
  d.delimiter = '\n';
  CHECK(write_namespace_list(out, std::span<const namespace_desc>(&d, 1)) == errc::local_invalid_value);
  d.delimiter = '/';
  d.prefix = string_value::nil();
  CHECK(write_namespace_list(out, std::span<const namespace_desc>(&d, 1)) == errc::local_invalid_value);
  d.prefix = q("");
  namespace_extension x;
  x.name = q("X");  // no values: the grammar needs one
  d.extensions = namespace_extension_list::of(std::span<const namespace_extension>(&x, 1));
  CHECK(write_namespace_list(out, std::span<const namespace_desc>(&d, 1)) == errc::local_invalid_value);
  CHECK(out == "x");
  CHECK(write_namespace_list(out, {}) == errc::ok);
  CHECK(out == "xNIL");
}

// ---------------------------------------------------------------------------------------------
// THREAD

constexpr std::uint32_t none = no_thread_node;

std::vector<thread_node> threads_of(std::string_view msg) {
  INFO(msg);
  const parsed p(msg);
  REQUIRE(p.r.ok());
  REQUIRE(p->kind == response_kind::thread);
  std::vector<thread_node> t;
  const auto r = read_threads(p->extended, t);
  REQUIRE(r.ok());
  // rebuilt: the same bytes
  response b;
  std::string storage;
  REQUIRE(set_threads(b, storage, t) == errc::ok);
  CHECK(written(b) == msg);
  return t;
}

TEST_CASE("imap response data: THREAD examples of RFC 5256 section 4", "[imap]") {
  // (2)(3 6 (4 23)(44 7 96)): 2; 3 -> 6 -> {4 -> 23, 44 -> 7 -> 96}
  const auto t = threads_of("* THREAD (2)(3 6 (4 23)(44 7 96))\r\n");
  const std::vector<thread_node> want = {
      {2, none, none, 1},  {3, none, 2, none}, {6, 1, 3, none}, {4, 2, 4, 5},
      {23, 3, none, none}, {44, 2, 6, none},   {7, 5, 7, none}, {96, 6, none, none},
  };
  CHECK(t == want);
  std::vector<std::uint32_t> roots, kids;
  for_each_thread_root(t, [&](std::uint32_t i) { roots.push_back(t[i].number); });
  CHECK(roots == std::vector<std::uint32_t>{2, 3});
  for_each_thread_child(t, 2, [&](std::uint32_t i) { kids.push_back(t[i].number); });
  CHECK(kids == std::vector<std::uint32_t>{4, 44});
  // ((3)(5)): 3 and 5 siblings under a missing parent
  const auto d = threads_of("* THREAD ((3)(5))\r\n");
  const std::vector<thread_node> dw = {{0, none, 1, none}, {3, 0, none, 2}, {5, 0, none, none}};
  CHECK(d == dw);
  // the ORDEREDSUBJECT example
  const auto big = threads_of(
      "* THREAD (166)(167)(168)(169)(172)(170)(171)(173)(174 (175)(176)(178)(181)(180))(179)(177 "
      "(183)(182)(188)"
      "(184)(185)(186)(187)(189))(190)(191)(192)(193)(194 195)(196 (197)(198))(199)(200 "
      "202)(201)(203)(204)(205)"
      "(206 207)(208)\r\n");
  CHECK(big.size() == 43);
  std::size_t nroots = 0;
  for_each_thread_root(big, [&](std::uint32_t) { ++nroots; });
  CHECK(nroots == 25);
  CHECK(big[8].number == 174);
  kids.clear();
  for_each_thread_child(big, 8, [&](std::uint32_t i) { kids.push_back(big[i].number); });
  CHECK(kids == std::vector<std::uint32_t>{175, 176, 178, 181, 180});
  // no threads; nested placeholders; a server-style response
  CHECK(threads_of("* THREAD\r\n").empty());
  const auto n = threads_of("* THREAD (1 ((2)(3 4))(5))(6 (7)((8)(9)))\r\n");
  CHECK(n.size() == 11);
  CHECK(n[1].number == 0);
  CHECK(n[1].parent == 0);
  CHECK(n[8].number == 0);
  CHECK(n[8].parent == 6);
  CHECK(threads_of("* THREAD (1 2)(3 (4)(5))\r\n").size() == 5);
}

TEST_CASE("imap response data: SORT examples of RFC 5256 section 4 are typed numbers", "[imap]") {
  for (const auto& [msg, want] : std::vector<std::pair<std::string, std::vector<std::uint32_t>>>{
           {"* SORT 2 84 882\r\n", {2, 84, 882}},
           {"* SORT 5 3 4 1 2\r\n", {5, 3, 4, 1, 2}},
           {"* SORT\r\n", {}}}) {
    const parsed p(msg);
    REQUIRE(p.r.ok());
    std::vector<std::uint32_t> got;
    p->numbers.for_each([&](std::uint32_t v) { got.push_back(v); });
    CHECK(got == want);
  }
}

TEST_CASE("imap response data: THREAD reader and writer refusals", "[imap]") {
  struct bad {
    std::string_view raw;
    errc e;
    std::size_t at;
  };
  for (const bad& b :
       {bad{" ", errc::unexpected_character, 1}, bad{"(", errc::unexpected_character, 1},
        bad{"()", errc::bad_number, 1}, bad{"(1 (2))", errc::unexpected_character, 6},
        bad{"(1", errc::unexpected_character, 2}, bad{"(1)x", errc::unexpected_character, 3},
        bad{"(1) (2)", errc::unexpected_character, 3}, bad{"(0)", errc::bad_number, 1},
        bad{"((1))", errc::unexpected_character, 4}, bad{"(1 (2)(3) 4)", errc::unexpected_character, 9},
        bad{"(1 )", errc::bad_number, 3}, bad{"(1)\x80", errc::eight_bit_not_allowed, 3}}) {
    INFO(b.raw);
    std::vector<thread_node> t = {{1, none, none, none}};
    const auto r = read_threads(b.raw, t);
    CHECK(r.st == status::error);
    CHECK(r.error == b.e);
    CHECK(r.error_offset == b.at);
    CHECK(t.empty());
  }
  std::string out = "x";
  const auto refused = [&](std::vector<thread_node> t) {
    CHECK(write_threads(out, t) == errc::local_invalid_value);
    CHECK(out == "x");
  };
  refused({{0, none, none, none}});                   // placeholder without children
  refused({{0, none, 1, none}, {3, 0, none, none}});  // placeholder with one child
  refused({{1, none, 1, none},
           {0, 0, 2, none},
           {2, 1, none, 3},
           {3, 1, none, none}});                            // only child a placeholder
  refused({{1, none, none, none}, {2, none, none, none}});  // node 1 unreachable
  refused({{1, none, 1, none}, {2, 5, none, none}});        // index out of range
  refused({{1, none, 1, none}, {2, 0, 1, none}});           // a cycle
  refused({{1, 0, none, none}});                            // nodes[0] not a root
  refused({{1, none, 1, none}, {2, 0, none, 1}});           // sibling cycle
  CHECK(write_threads(out, {}) == errc::ok);
  CHECK(out == "x");
}

/// A random forest in pre-order (what read_threads produces).
void random_tree(std::mt19937& rng, std::vector<thread_node>& t, std::uint32_t parent, int depth,
                 bool allow_dummy) {
  const auto idx = static_cast<std::uint32_t>(t.size());
  thread_node n;
  n.parent = parent;
  const bool dummy = allow_dummy && depth > 0 && rng() % 6 == 0;
  n.number = dummy ? 0 : 1 + rng() % 5000;
  t.push_back(n);
  std::uint32_t kids = 0;
  if (depth > 0) {
    const std::uint32_t roll = rng() % 5;
    kids = roll < 2 ? 0 : roll == 2 ? 1 : 2 + rng() % 3;
  }
  if (dummy && kids < 2) kids = 2;
  std::uint32_t prev = none;
  for (std::uint32_t k = 0; k < kids; ++k) {
    const auto c = static_cast<std::uint32_t>(t.size());
    if (prev == none)
      t[idx].first_child = c;
    else
      t[prev].next_sibling = c;
    random_tree(rng, t, idx, depth - 1, kids >= 2);
    prev = c;
  }
}

TEST_CASE("imap response data: THREAD round trip of random forests (seeded)", "[imap]") {
  std::mt19937 rng(5256);
  for (int iter = 0; iter < 400; ++iter) {
    std::vector<thread_node> t;
    const int roots = 1 + static_cast<int>(rng() % 4);
    std::uint32_t prev = none;
    for (int k = 0; k < roots; ++k) {
      const auto c = static_cast<std::uint32_t>(t.size());
      if (prev != none) t[prev].next_sibling = c;
      random_tree(rng, t, none, static_cast<int>(rng() % 6), true);
      prev = c;
    }
    response r;
    std::string storage;
    REQUIRE(set_threads(r, storage, t) == errc::ok);
    const std::string msg = written(r);
    INFO(msg);
    const parsed p(msg);
    REQUIRE(p.r.ok());
    std::vector<thread_node> back;
    REQUIRE(read_threads(p->extended, back).ok());
    CHECK(back == t);
    CHECK(written(*p) == msg);
  }
}

// ---------------------------------------------------------------------------------------------
// METADATA

struct md_want {
  std::string name;
  bool nil;
  std::string value;
};

void check_metadata(std::string_view msg, const std::vector<md_want>& want, bool values,
                    string_form value_form = string_form::quoted) {
  INFO(msg);
  const parsed p(msg);
  REQUIRE(p.r.ok());
  REQUIRE(p->kind == response_kind::metadata);
  CHECK(p->metadata_values == values);
  std::vector<metadata_entry> got;
  const auto res = for_each_metadata(*p, [&](const metadata_entry& e) { got.push_back(e); });
  REQUIRE(res.ok());
  REQUIRE(got.size() == want.size());
  CHECK(res.value == want.size());
  std::vector<metadata_entry> host;
  std::vector<string_value> names;
  for (std::size_t i = 0; i < want.size(); ++i) {
    CHECK(got[i].name.content() == want[i].name);
    CHECK(got[i].value.is_nil() == want[i].nil);
    CHECK(got[i].value.content() == want[i].value);
    host.push_back({a(want[i].name),
                    want[i].nil ? string_value::nil() : string_value::from_text(want[i].value, value_form)});
    names.push_back(a(want[i].name));
  }
  if (values) CHECK(got == host);
  response r;
  std::string storage;
  if (values)
    REQUIRE(set_metadata(r, storage, p->mbox, host) == errc::ok);
  else
    REQUIRE(set_metadata_entries(r, storage, p->mbox, names) == errc::ok);
  CHECK(written(r) == msg);
}

TEST_CASE("imap response data: METADATA examples of RFC 5464 sections 4.2-4.4", "[imap]") {
  check_metadata("* METADATA \"\" (/shared/comment \"Shared comment\")\r\n",
                 {{"/shared/comment", false, "Shared comment"}}, true);
  check_metadata("* METADATA \"INBOX\" (/private/comment \"My own comment\")\r\n",
                 {{"/private/comment", false, "My own comment"}}, true);
  check_metadata(
      "* METADATA \"INBOX\" (/shared/comment \"Shared comment\" /private/comment \"My own comment\")\r\n",
      {{"/shared/comment", false, "Shared comment"}, {"/private/comment", false, "My own comment"}}, true);
  check_metadata(
      "* METADATA \"INBOX\" (/private/filters/values/small \"SMALLER 5000\" "
      "/private/filters/values/boss \"FROM \\\"boss@example.com\\\"\")\r\n",
      {{"/private/filters/values/small", false, "SMALLER 5000"},
       {"/private/filters/values/boss", false, "FROM \"boss@example.com\""}},
      true);
  check_metadata("* METADATA \"INBOX\" (/shared/comment NIL)\r\n", {{"/shared/comment", true, ""}}, true);
  check_metadata("* METADATA \"INBOX\" /shared/comment /private/comment\r\n",
                 {{"/shared/comment", true, ""}, {"/private/comment", true, ""}}, false);
  check_metadata("* METADATA \"INBOX\" /shared/comment\r\n", {{"/shared/comment", true, ""}}, false);
  check_metadata("* METADATA \"\" /shared/comment\r\n", {{"/shared/comment", true, ""}}, false);
  // section 4.3's multi-line value, as a server returns it: a literal
  check_metadata("* METADATA \"INBOX\" (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)\r\n",
                 {{"/private/comment", false, "My new comment across\r\ntwo lines."}}, true,
                 string_form::literal);
  // literal8 with a NUL (RFC 5464 section 5: value = nstring / literal8)
  check_metadata("* METADATA \"INBOX\" (/private/vendor/x ~{3}\r\na\0b)\r\n"sv,
                 {{"/private/vendor/x", false, "a\0b"s}}, true, string_form::literal8);
}

TEST_CASE("imap response data: streamed literals (the framer's spans) in METADATA and NAMESPACE", "[imap]") {
  // The framer kept only the announcements: the values have no octets in the message.
  const std::string msg = "* METADATA INBOX (/private/big {70000}\r\n /shared/x \"y\")\r\n";
  const mwtest::heap_copy buf(msg);
  const literal_span span{msg.find("{70000}") + 9, 70000, true, false, true};
  const literal_context ctx{buf.view().data(), std::span<const literal_span>(&span, 1)};
  const auto p = parse_response(buf.view(), &ctx, auth_limits());
  REQUIRE(p.ok());
  std::vector<metadata_entry> got;
  REQUIRE(for_each_metadata(
              p.value, [&](const metadata_entry& e) { got.push_back(e); }, &ctx)
              .ok());
  REQUIRE(got.size() == 2);
  CHECK(got[0].value.streamed());
  CHECK(got[0].value.size() == 70000);
  CHECK(got[1].value.content() == "y");
  // without the spans the text is refused, not over-read
  CHECK(for_each_metadata(p.value, [](const metadata_entry&) {}).st == status::error);
  // a server builds the same announcement and streams the octets itself
  const std::vector<metadata_entry> host = {{a("/private/big"), string_value::streamed_literal(70000)},
                                            {a("/shared/x"), q("y")}};
  response r;
  std::string storage;
  REQUIRE(set_metadata(r, storage, p.value.mbox, host) == errc::ok);
  CHECK(written(r) == msg);
  CHECK(got == host);

  const std::string ns = "* NAMESPACE (({3}\r\n \"/\")) NIL NIL\r\n";
  const mwtest::heap_copy nb(ns);
  const literal_span ns_span{ns.find("{3}") + 5, 3, true, false, true};
  const literal_context nctx{nb.view().data(), std::span<const literal_span>(&ns_span, 1)};
  const auto np = parse_response(nb.view(), &nctx, auth_limits());
  REQUIRE(np.ok());
  const auto d = read_group(namespaces(np.value, &nctx)[0]);
  REQUIRE(d.size() == 1);
  CHECK(d[0].prefix.streamed());
  CHECK(d[0].prefix.size() == 3);
  CHECK(d[0].delimiter == '/');
}

TEST_CASE("imap response data: METADATA refusals", "[imap]") {
  std::size_t n = 0;
  const auto count = [&](const metadata_entry&) { ++n; };
  auto r = for_each_metadata("(/a \"x\"", true, count);
  CHECK(r.st == status::error);
  CHECK(r.error_offset == 7);
  r = for_each_metadata("(/a)", true, count);
  CHECK(r.error == errc::expected_space);
  CHECK(r.error_offset == 3);
  r = for_each_metadata("/a  /b", false, count);
  CHECK(r.st == status::error);
  CHECK(r.error_offset == 3);
  r = for_each_metadata("", false, count);
  CHECK(r.st == status::error);
  std::string out = "x";
  CHECK(write_metadata_values(out, {}) == errc::local_invalid_value);
  CHECK(write_metadata_entries(out, {}) == errc::local_invalid_value);
  const metadata_entry nil_name{string_value::nil(), q("v")};
  CHECK(write_metadata_values(out, std::span<const metadata_entry>(&nil_name, 1)) ==
        errc::local_invalid_value);
  const metadata_entry nul_name{q("a\0b"sv), q("v")};  // NUL only in literal8 values
  CHECK(write_metadata_values(out, std::span<const metadata_entry>(&nul_name, 1)) ==
        errc::local_invalid_value);
  CHECK(out == "x");
}

// ---------------------------------------------------------------------------------------------
// QUOTAROOT

void check_quotaroot(std::string_view msg, const std::string& mbox, const std::vector<std::string>& want) {
  INFO(msg);
  const parsed p(msg);
  REQUIRE(p.r.ok());
  REQUIRE(p->kind == response_kind::quotaroot);
  CHECK(p->mbox.name().content() == mbox);
  std::vector<std::string> got;
  std::vector<string_value> vals;
  const auto res = for_each_quota_root(p->extended, [&](const string_value& v) {
    got.push_back(v.content());
    vals.push_back(v);
  });
  REQUIRE(res.ok());
  CHECK(got == want);
  std::vector<string_value> host;
  for (const auto& s : want) host.push_back(q(s));
  CHECK(vals == host);
  response r;
  std::string storage;
  REQUIRE(set_quotaroot(r, storage, p->mbox, vals) == errc::ok);
  CHECK(written(r) == msg);
}

TEST_CASE("imap response data: QUOTAROOT examples of RFC 9208 sections 5-6", "[imap]") {
  check_quotaroot("* QUOTAROOT INBOX \"\"\r\n", "INBOX", {""});
  check_quotaroot("* QUOTAROOT comp.mail.mime\r\n", "comp.mail.mime", {});
  check_quotaroot("* QUOTAROOT INBOX \"#user/alice\" \"!partition/sda4\"\r\n", "INBOX",
                  {"#user/alice", "!partition/sda4"});
  check_quotaroot("* QUOTAROOT INBOX INBOX\r\n", "INBOX", {"INBOX"});  // Dovecot style: an atom
  check_quotaroot("* QUOTAROOT \"Sent Items\" {4}\r\nr\"\\t \"user.bob\"\r\n", "Sent Items",
                  {"r\"\\t", "user.bob"});
  std::size_t n = 0;
  const auto r = for_each_quota_root(" a  b", [&](const string_value&) { ++n; });
  CHECK(r.st == status::error);
  CHECK(r.error_offset == 3);
  CHECK(for_each_quota_root("a", [&](const string_value&) { ++n; }).error == errc::trailing_data);
  std::string out;
  const string_value nil = string_value::nil();
  CHECK(write_quota_roots(out, std::span<const string_value>(&nil, 1)) == errc::local_invalid_value);
  CHECK(out.empty());
}

// ---------------------------------------------------------------------------------------------
// LIST extended items

std::vector<list_extended_item> list_items(const response& r, const response_options& ro = {}) {
  std::vector<list_extended_item> v;
  const auto res = for_each_list_extended(
      r.extended, [&](const list_extended_item& it) { v.push_back(it); }, ro);
  REQUIRE(res.ok());
  CHECK(res.value == r.count);
  return v;
}

void check_rebuilt(const parsed& p, const std::vector<list_extended_item>& items, std::string_view msg) {
  response r = *p;
  std::string storage;
  REQUIRE(set_list_extended(r, storage, items) == errc::ok);
  CHECK(written(r) == msg);
}

TEST_CASE("imap response data: CHILDINFO of RFC 5258 section 5, OLDNAME of RFC 9051 7.3.1", "[imap]") {
  for (std::string_view msg :
       {"* LIST () \"/\" \"Fruit\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"sv,
        "* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"sv,
        "* LIST (\\NonExistent) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"sv,
        "* LIST () \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\" \"REMOTE\"))\r\n"sv}) {
    INFO(msg);
    const parsed p(msg);
    REQUIRE(p.r.ok());
    const auto v = list_items(*p);
    REQUIRE(v.size() == 1);
    CHECK(v[0].kind == list_extended_kind::childinfo);
    CHECK(v[0].name.content() == "CHILDINFO");
    std::vector<std::string> opts;
    v[0].childinfo.for_each([&](const string_value& s) { opts.push_back(s.content()); });
    CHECK(opts[0] == "SUBSCRIBED");
    std::vector<string_value> host;
    for (const auto& s : opts) host.push_back(q(s));
    const auto item = list_extended_item::childinfo_of(host);
    CHECK(v[0] == item);
    check_rebuilt(p, {item}, msg);
  }
  for (const auto& [msg, old] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"* LIST () \"/\" \"Foo\" (\"OLDNAME\" (\"Bar\"))\r\n", "Bar"},
           {"* LIST (\\HasNoChildren) \"/\" \"Foo\" (\"OLDNAME\" (\"Bar\"))\r\n", "Bar"},
           {"* LIST () \"/\" \"NewMailbox\" (\"OLDNAME\" (\"OldMailbox\"))\r\n", "OldMailbox"},
           {"* LIST () \"/\" \"Archive\" (\"OLDNAME\" (\"INBOX\"))\r\n", "INBOX"},
           {"* LIST () \"/\" \"Foo\" (\"OLDNAME\" (\"&Jjo-\"))\r\n", "&Jjo-"}}) {
    INFO(msg);
    const parsed p(msg);
    REQUIRE(p.r.ok());
    const auto v = list_items(*p);
    REQUIRE(v.size() == 1);
    REQUIRE(v[0].kind == list_extended_kind::oldname);
    CHECK(v[0].oldname.name().content() == old);
    const auto m = mailbox::make(old);
    REQUIRE(m.has_value());
    const auto item = list_extended_item::oldname_of(*m);
    CHECK(v[0] == item);
    check_rebuilt(p, {item}, msg);
  }
}

TEST_CASE("imap response data: LIST extended items of other kinds, several items", "[imap]") {
  const std::string_view msg =
      "* LIST (\\HasNoChildren) \".\" \"INBOX.Sent\" (\"X-FOO\" (1 2:3 (\"a\" \\Seen)) \"CHILDINFO\" "
      "(\"SUBSCRIBED\") \"X-N\" 42 \"OLDNAME\" (\"a&b\") \"childinfo\" ((\"x\")))\r\n";
  const parsed p(msg);
  REQUIRE(p.r.ok());
  const auto v = list_items(*p);
  REQUIRE(v.size() == 5);
  CHECK(v[0].kind == list_extended_kind::other);
  CHECK(v[0].value == "(1 2:3 (\"a\" \\Seen))");
  CHECK(v[1].kind == list_extended_kind::childinfo);
  CHECK(v[2].kind == list_extended_kind::other);
  CHECK(v[2].value == "42");
  CHECK(v[3].kind == list_extended_kind::other);  // "a&b" is not modified UTF-7
  CHECK(v[4].kind == list_extended_kind::other);  // nested list: not CHILDINFO's shape
  check_rebuilt(p, v, msg);
  // typed reading of OLDNAME depends on UTF-8 mailbox names
  const std::string u8 =
      "* LIST () \"/\" \"Foo\" (\"OLDNAME\" (\"Gr\xC3\xBC\xC3\x9F"
      "e\"))\r\n";
  response_options ro;
  ro.utf8 = true;
  const parsed pu(u8, ro);
  REQUIRE(pu.r.ok());
  CHECK(list_items(*pu, ro)[0].kind == list_extended_kind::oldname);
  CHECK(list_items(*pu, {})[0].kind == list_extended_kind::other);
  // an empty extended list
  const parsed e("* LIST () \"/\" \"Foo\" ()\r\n");
  REQUIRE(e.r.ok());
  CHECK(list_items(*e).empty());
  check_rebuilt(e, {}, "* LIST () \"/\" \"Foo\" ()\r\n");
}

TEST_CASE("imap response data: LIST extended writer refusals", "[imap]") {
  std::string out = "x";
  const auto refused = [&](const list_extended_item& it, const response_options& ro = {}) {
    CHECK(write_list_extended(out, std::span<const list_extended_item>(&it, 1), ro) ==
          errc::local_invalid_value);
    CHECK(out == "x");
  };
  refused(list_extended_item::other_of(q("X"), ""));
  refused(list_extended_item::other_of(q("X"), "(1"));
  refused(list_extended_item::other_of(q("X"), "a b"));
  refused(list_extended_item::other_of(q("X"), "\"\xC3\xA9\""));  // UTF-8 without utf8
  // an `other` item that would read back typed
  refused(list_extended_item::other_of(q("CHILDINFO"), "(\"SUBSCRIBED\")"));
  // OLDNAME with a UTF-8 name read back under mUTF-7 rules is not an OLDNAME
  options o8;
  o8.utf8 = true;
  const auto m = mailbox::make(
      "Gr\xC3\xBC\xC3\x9F"
      "e",
      o8);
  REQUIRE(m.has_value());
  refused(list_extended_item::oldname_of(*m));
  response_options ro;
  ro.utf8 = true;
  CHECK(write_list_extended(out, std::vector<list_extended_item>{list_extended_item::oldname_of(*m)}, ro) ==
        errc::ok);
  CHECK(out ==
        "x(\"OLDNAME\" (\"Gr\xC3\xBC\xC3\x9F"
        "e\"))");
  // atom tags (RFC 9051 section 9: mbox-list-extended-item-tag = astring; RFC 9051 7.3.1's
  // example), read typed; written back in their form
  std::vector<list_extended_item> v;
  REQUIRE(for_each_list_extended("(CHILDINFO (\"SUBSCRIBED\") tablecloth (\"edge\" \"lacy\"))",
                                 [&](const list_extended_item& it) { v.push_back(it); })
              .ok());
  REQUIRE(v.size() == 2);
  CHECK(v[0].kind == list_extended_kind::childinfo);
  CHECK(v[1].name.content() == "tablecloth");
  CHECK(v[1].value == "(\"edge\" \"lacy\")");
  out.clear();
  REQUIRE(write_list_extended(out, v) == errc::ok);
  CHECK(out == "(CHILDINFO (\"SUBSCRIBED\") tablecloth (\"edge\" \"lacy\"))");
  std::size_t n = 0;
  const auto r = for_each_list_extended("(\"X\" 1 )", [&](const list_extended_item&) { ++n; });
  CHECK(r.st == status::error);
  CHECK(r.error_offset == 7);
}

// ---------------------------------------------------------------------------------------------
// seeded round trips of strings in every form

std::string random_text(std::mt19937& rng, bool allow_ctl) {
  static constexpr std::string_view plain = "abcXYZ019/.-_#~!&";
  static constexpr std::string_view odd = " \"\\()%*]{";
  std::string s;
  const std::size_t n = rng() % 9;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t k = rng() % 20;
    if (k < 12)
      s.push_back(plain[rng() % plain.size()]);
    else if (k < 17)
      s.push_back(odd[rng() % odd.size()]);
    else if (allow_ctl && k == 17)
      s += "\r\n";
    else if (k == 18)
      s += "\xC3\xA9";
    else
      s.push_back('z');
  }
  return s;
}

string_form random_form(std::mt19937& rng) {
  static constexpr string_form f[] = {string_form::atom, string_form::quoted, string_form::literal};
  return f[rng() % 3];
}

TEST_CASE("imap response data: round trips of random NAMESPACE, METADATA, QUOTAROOT, LIST items (seeded)",
          "[imap]") {
  std::mt19937 rng(2342);
  for (int iter = 0; iter < 300; ++iter) {
    response_options ro;
    ro.utf8 = rng() % 2 == 0;
    std::vector<std::string> texts;  // storage for views
    texts.reserve(512);
    const auto text = [&](bool ctl) -> std::string_view {
      texts.push_back(random_text(rng, ctl));
      return texts.back();
    };
    // NAMESPACE
    std::vector<std::vector<string_value>> vals(12);
    std::vector<std::vector<namespace_extension>> exts(4);
    std::vector<namespace_desc> g[3];
    std::size_t vi = 0;
    for (auto& grp : g) {
      const std::size_t nd = rng() % 3;
      for (std::size_t i = 0; i < nd; ++i) {
        namespace_desc d;
        d.prefix = string_value::from_text(text(true), random_form(rng));
        d.delimiter = "/.\\\"\0"[rng() % 5];
        if (vi < 4 && rng() % 2) {
          auto& ex = exts[vi];
          for (std::size_t k = 0, ne = 1 + rng() % 2; k < ne; ++k) {
            auto& vv = vals[vi * 3 + k];
            for (std::size_t j = 0, nv = 1 + rng() % 3; j < nv; ++j)
              vv.push_back(string_value::from_text(text(true), random_form(rng)));
            ex.push_back({string_value::from_text(text(false), random_form(rng)), string_list::of(vv)});
          }
          d.extensions = namespace_extension_list::of(ex);
          ++vi;
        }
        grp.push_back(d);
      }
    }
    {
      response r;
      std::string storage;
      REQUIRE(set_namespaces(r, storage, g[0], g[1], g[2], ro) == errc::ok);
      const std::string msg = written(r, ro);
      INFO(msg);
      const parsed p(msg, ro);
      REQUIRE(p.r.ok());
      const auto groups = namespaces(*p);
      for (int k = 0; k < 3; ++k) CHECK(read_group(groups[static_cast<std::size_t>(k)]) == g[k]);
      CHECK(written(*p, ro) == msg);
    }
    // METADATA
    std::vector<metadata_entry> md;
    std::vector<string_value> names;
    for (std::size_t i = 0, n = 1 + rng() % 4; i < n; ++i) {
      const string_value name = string_value::from_text(text(true), random_form(rng));
      string_value value =
          rng() % 5 == 0 ? string_value::nil() : string_value::from_text(text(true), random_form(rng));
      if (rng() % 8 == 0) {
        texts.push_back(std::string("bin\0ary", 7));
        value = string_value::from_text(texts.back(), string_form::literal8);
      }
      md.push_back({name, value});
      names.push_back(name);
    }
    const auto mbox = mailbox::make("INBOX");
    {
      response r;
      std::string storage;
      REQUIRE(set_metadata(r, storage, *mbox, md, ro) == errc::ok);
      const std::string msg = written(r, ro);
      INFO(msg);
      const parsed p(msg, ro);
      REQUIRE(p.r.ok());
      std::vector<metadata_entry> back;
      REQUIRE(for_each_metadata(*p, [&](const metadata_entry& e) { back.push_back(e); }).ok());
      CHECK(back == md);
      REQUIRE(set_metadata_entries(r, storage, *mbox, names, ro) == errc::ok);
      const std::string msg2 = written(r, ro);
      const parsed p2(msg2, ro);
      REQUIRE(p2.r.ok());
      std::vector<string_value> back2;
      REQUIRE(for_each_metadata(*p2, [&](const metadata_entry& e) {
                CHECK(e.value.is_nil());
                back2.push_back(e.name);
              }).ok());
      CHECK(back2 == names);
    }
    // QUOTAROOT
    {
      std::vector<string_value> roots;
      for (std::size_t i = 0, n = rng() % 4; i < n; ++i)
        roots.push_back(string_value::from_text(text(true), random_form(rng)));
      response r;
      std::string storage;
      REQUIRE(set_quotaroot(r, storage, *mbox, roots, ro) == errc::ok);
      const std::string msg = written(r, ro);
      INFO(msg);
      const parsed p(msg, ro);
      REQUIRE(p.r.ok());
      std::vector<string_value> back;
      REQUIRE(for_each_quota_root(p->extended, [&](const string_value& v) { back.push_back(v); }).ok());
      CHECK(back == roots);
    }
    // LIST extended
    {
      std::vector<std::vector<string_value>> ci(3);
      std::vector<list_extended_item> items;
      for (std::size_t i = 0, n = rng() % 4; i < n; ++i) {
        const std::uint32_t k = rng() % 3;
        if (k == 0) {
          for (std::size_t j = 0, m = rng() % 3; j < m; ++j)
            ci[i].push_back(string_value::from_text(text(true), random_form(rng)));
          items.push_back(list_extended_item::childinfo_of(ci[i]));
        } else if (k == 1) {
          const std::string_view name = rng() % 2 ? "INBOX"sv : "Sent &AOk-t\xC3\xA9"sv;
          options mo;
          mo.utf8 = ro.utf8;
          const auto m = mailbox::make(ro.utf8 ? name : name.substr(0, 11), mo);
          REQUIRE(m.has_value());
          items.push_back(list_extended_item::oldname_of(*m));
        } else {
          static constexpr std::string_view others[] = {"1",   "(1 2)", "\"x\"", "(\"a\" (\"b\") 3:4)",
                                                        "NIL", "\\Seen"};
          items.push_back(list_extended_item::other_of(string_value::from_text(text(false), random_form(rng)),
                                                       others[rng() % 6]));
        }
      }
      auto mb = mailbox::make("Foo");
      response r;
      r.kind = response_kind::list;
      r.delimiter = '/';
      r.mbox = *mb;
      r.flags = parse_flag_list("()").value;
      std::string storage;
      REQUIRE(set_list_extended(r, storage, items, ro) == errc::ok);
      const std::string msg = written(r, ro);
      INFO(msg);
      const parsed p(msg, ro);
      REQUIRE(p.r.ok());
      const auto back = list_items(*p, ro);
      CHECK(back == items);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// every golden response: the readers accept what the parser accepted, the builders rebuild it

/// The typed values of one response's kept data.
struct typed {
  std::vector<namespace_desc> ns[3];
  std::vector<thread_node> threads;
  std::vector<metadata_entry> md;
  std::vector<string_value> roots;
  std::vector<list_extended_item> items;
  bool operator==(const typed& o) const {
    return ns[0] == o.ns[0] && ns[1] == o.ns[1] && ns[2] == o.ns[2] && threads == o.threads && md == o.md &&
           roots == o.roots && items == o.items;
  }
};

typed read_all(const response& r) {
  typed t;
  switch (r.kind) {
    case response_kind::namespace_:
      for (std::size_t k = 0; k < 3; ++k) t.ns[k] = read_group(namespaces(r)[k]);
      break;
    case response_kind::thread:
      REQUIRE(read_threads(r.extended, t.threads).ok());
      break;
    case response_kind::metadata:
      REQUIRE(for_each_metadata(r, [&](const metadata_entry& e) { t.md.push_back(e); }).ok());
      CHECK(t.md.size() == r.count);
      break;
    case response_kind::quotaroot:
      REQUIRE(for_each_quota_root(r.extended, [&](const string_value& v) { t.roots.push_back(v); }).ok());
      CHECK(t.roots.size() == r.count);
      break;
    case response_kind::list:
    case response_kind::lsub:
      if (!r.extended.empty()) t.items = list_items(r);
      break;
    default:
      break;
  }
  return t;
}

TEST_CASE("imap response data: every golden response of those kinds reads typed and rebuilds", "[imap]") {
  std::size_t n = 0;
  for (const char* file : {"rfc3501.txt", "rfc9051.txt", "extensions.txt", "servers.txt"}) {
    for (const auto& g : mwtest::load_response_goldens(file)) {
      const parsed p(g.message);
      if (!p.r.ok()) continue;  // goldens that need options (UTF-8, quirks): test_imap_response.cpp
      const response_kind k = p->kind;
      if (k != response_kind::namespace_ && k != response_kind::thread && k != response_kind::metadata &&
          k != response_kind::quotaroot &&
          !((k == response_kind::list || k == response_kind::lsub) && !p->extended.empty()))
        continue;
      INFO(g.where);
      INFO(g.message);
      ++n;
      const typed t = read_all(*p);
      response b = *p;
      std::string storage;
      switch (k) {
        case response_kind::namespace_:
          REQUIRE(set_namespaces(b, storage, t.ns[0], t.ns[1], t.ns[2]) == errc::ok);
          break;
        case response_kind::thread:
          REQUIRE(set_threads(b, storage, t.threads) == errc::ok);
          break;
        case response_kind::metadata:
          if (p->metadata_values) {
            REQUIRE(set_metadata(b, storage, p->mbox, t.md) == errc::ok);
          } else {
            std::vector<string_value> names;
            for (const auto& e : t.md) names.push_back(e.name);
            REQUIRE(set_metadata_entries(b, storage, p->mbox, names) == errc::ok);
          }
          break;
        case response_kind::quotaroot:
          REQUIRE(set_quotaroot(b, storage, p->mbox, t.roots) == errc::ok);
          break;
        default:
          REQUIRE(set_list_extended(b, storage, t.items) == errc::ok);
          break;
      }
      const std::string out = written(b);
      // the goldens are canonical in these parts, but for OLDNAME ("inbox"), written "INBOX"
      if (out != g.canonical)
        CHECK((mailwire::ascii::iequals(out, g.canonical) && out.find("INBOX") != out.npos));
      const parsed back(out);
      REQUIRE(back.r.ok());
      CHECK(read_all(*back) == t);
    }
  }
  CHECK(n >= 20);
}

}  // namespace
