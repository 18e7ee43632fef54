// Tests of mailwire/imap/body.hpp: ENVELOPE and BODYSTRUCTURE (RFC 9051 / RFC 3501 section
// 7.4.2 / 7.5.2) — RFC examples byte for byte, tree navigation, group syntax, extension data,
// each quirk with the server-style bytes it exists for (refused without it), limits, prefixes.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "imap_value_testing.hpp"
#include "mailwire/imap/body.hpp"

using namespace mailwire::imap;
using mailwire::status;

namespace {

limits auth_limits() {
  limits l;
  l.authenticated = true;
  return l;
}

auto body_parser(body_quirks q = {}) {
  return [q](std::string_view s) { return parse_body(s, auth_limits(), {}, q); };
}

std::string rewrite(const body_structure& b) {
  std::string out;
  REQUIRE(write_body(out, b) == errc::ok);
  return out;
}

}  // namespace

TEST_CASE("imap body: RFC 3501 section 7.4.2 BODYSTRUCTURE example", "[imap][body]") {
  const std::string_view in =
      "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" "
      "(\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" "
      "\"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")";
  const auto p = mwtest::parse_checked(body_parser(), std::string(in) + " ");
  REQUIRE(p.r.ok());
  CHECK(p.r.consumed == in.size());
  const auto& b = p.r.value;
  REQUIRE(b.parts.size() == 3);
  CHECK(b.root().kind == body_kind::multipart);
  CHECK(b.root().subtype.content() == "MIXED");
  CHECK(b.root().children == 2);
  CHECK(b.root().subtree == 3);
  std::vector<std::size_t> kids;
  b.for_each_child(0, [&](std::size_t i) { kids.push_back(i); });
  CHECK(kids == std::vector<std::size_t>{1, 2});
  CHECK(b.parts[1].kind == body_kind::text);
  CHECK(b.parts[1].octets == 1152);
  CHECK(b.parts[1].lines == 23);
  CHECK(b.parts[2].params.size() == 2);
  CHECK(b.parts[2].params.get("name").content() == "cc.diff");
  CHECK(b.parts[2].description.content() == "Compiler diff");
  CHECK(rewrite(b) == in);
}

TEST_CASE("imap body: RFC 3501 section 8 ENVELOPE and BODY", "[imap][body]") {
  const std::string_view env =
      "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
      "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" "
      "\"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" "
      "\"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" "
      "\"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\")";
  const auto p = mwtest::parse_checked([](std::string_view s) { return parse_envelope(s, auth_limits()); },
                                       std::string(env) + ")");
  REQUIRE(p.r.ok());
  const envelope& e = p.r.value;
  CHECK(e.subject.content() == "IMAP4rev1 WG mtg summary and minutes");
  CHECK(e.cc.size() == 2);
  CHECK(e.bcc.is_nil());
  std::vector<std::string> hosts;
  e.cc.for_each([&](const address& a) { hosts.push_back(a.host.content()); });
  CHECK(hosts == std::vector<std::string>{"CNRI.Reston.VA.US", "MIT.EDU"});
  std::string out;
  REQUIRE(write_envelope(out, e) == errc::ok);
  CHECK(out == env);
}

TEST_CASE("imap body: message/rfc822 with nested envelope, extension data", "[imap][body]") {
  const std::string_view in =
      "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 120 4 NIL NIL NIL NIL)(\"message\" \"rfc822\" "
      "NIL NIL NIL \"7bit\" 420 (\"Mon, 1 Mar 2021 10:00:00 +0100\" \"inner\" ((\"Carol\" NIL \"carol\" "
      "\"example.net\")) NIL NIL ((NIL NIL \"team\" NIL)(NIL NIL \"dan\" \"example.net\")(NIL NIL NIL NIL)) NIL NIL "
      "NIL \"<inner@example.net>\") ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 12 1)(\"image\" \"png\" (\"name\" "
      "\"a.png\") NIL NIL \"base64\" 300 \"Q2hlY2s=\" (\"inline\" (\"filename\" \"a.png\")) (\"en\" \"de\") "
      "\"http://x/a.png\" 1 (\"x\" (2 NIL))) \"alternative\") 14 NIL (\"attachment\" NIL) NIL NIL) \"mixed\" "
      "(\"boundary\" \"b1\") NIL \"en-US\" NIL)";
  const auto p = mwtest::parse_checked(body_parser(), std::string(in) + "\r");
  REQUIRE(p.r.ok());
  const auto& b = p.r.value;
  REQUIRE(b.parts.size() == 6);
  CHECK(b.parts[2].kind == body_kind::message);
  CHECK(b.parts[2].subtree == 4);
  CHECK(b.parts[2].lines == 14);
  CHECK(b.parts[2].env.subject.content() == "inner");
  std::vector<bool> starts, ends;
  b.parts[2].env.to.for_each([&](const address& a) {
    starts.push_back(a.group_start());
    ends.push_back(a.group_end());
  });
  CHECK(starts == std::vector<bool>{true, false, false});
  CHECK(ends == std::vector<bool>{false, false, true});
  CHECK(b.parts[3].kind == body_kind::multipart);
  CHECK(b.parts[5].ext == 5);
  CHECK(b.parts[5].md5.content() == "Q2hlY2s=");
  CHECK(b.parts[5].dsp_type.content() == "inline");
  CHECK(b.parts[5].lang_list == "(\"en\" \"de\")");
  CHECK(b.parts[5].extensions == " 1 (\"x\" (2 NIL))");
  CHECK(b.parts[2].dsp_type.content() == "attachment");
  CHECK(b.root().ext == 4);
  CHECK(b.root().language.content() == "en-US");
  CHECK(rewrite(b) == in);
}

TEST_CASE("imap body: message/rfc822 without envelope is a basic part (grammar allows it)", "[imap][body]") {
  // Exchange-style: an attached message described as a basic part (media-basic admits MESSAGE).
  const std::string_view in = "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 2048 NIL (\"attachment\" NIL) NIL NIL)";
  const auto p = mwtest::parse_checked(body_parser(), std::string(in) + ")");
  REQUIRE(p.r.ok());
  CHECK(p.r.value.root().kind == body_kind::basic);
  CHECK(rewrite(p.r.value) == in);
}

TEST_CASE("imap body: quirks, each refused without it", "[imap][body]") {
  struct quirk_case {
    const char* name;
    std::string_view in;  // server-style bytes
    body_quirks q;
    std::string_view written;
  };
  body_quirks lines, nils, space, empty;
  lines.text_without_lines = true;
  nils.nil_strings = true;
  space.space_before_paren = true;
  empty.empty_param_list = true;
  const quirk_case cases[] = {
      // A TEXT part without body-fld-lines, then extension data.
      {"text_without_lines", "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 1234 NIL NIL NIL)",
       lines, "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 1234 NIL NIL NIL)"},
      {"text_without_lines (end)", "(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 10)", lines,
       "(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 10)"},
      // NIL encoding and NIL subtype where strings are required.
      {"nil_strings", "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL NIL 5120 112)", nils,
       "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL NIL 5120 112)"},
      {"nil_strings (params)", "(\"APPLICATION\" NIL (\"NAME\" NIL) NIL NIL \"BASE64\" 10)", nils,
       "(\"APPLICATION\" NIL (\"NAME\" NIL) NIL NIL \"BASE64\" 10)"},
      // Stray SP before ")".
      {"space_before_paren", "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\" ) NIL NIL \"7BIT\" 12 1 )", space,
       "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 12 1)"},
      {"space_before_paren (multipart)",
       "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 )(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 1 1 ) \"ALTERNATIVE\" )",
       space, "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 1 1) \"ALTERNATIVE\")"},
      // "()" for an empty parameter list.
      {"empty_param_list", "(\"IMAGE\" \"JPEG\" () NIL NIL \"BASE64\" 4096)", empty,
       "(\"IMAGE\" \"JPEG\" NIL NIL NIL \"BASE64\" 4096)"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const std::string in = std::string(c.in) + " ";
    CHECK(mwtest::parse_checked(body_parser(), in).r.st == status::error);
    const auto p = mwtest::parse_checked(body_parser(c.q), in);
    REQUIRE(p.r.ok());
    CHECK(rewrite(p.r.value) == c.written);
  }
  // Address lists with SP between addresses.
  body_quirks sp;
  sp.address_list_spaces = true;
  const std::string env =
      "(NIL \"s\" ((\"A\" NIL \"a\" \"x.org\") (\"B\" NIL \"b\" \"y.org\")) NIL NIL NIL NIL NIL NIL NIL))";
  CHECK(parse_envelope(env, auth_limits()).st == status::error);
  const auto e = parse_envelope(env, auth_limits(), {}, sp);
  REQUIRE(e.ok());
  CHECK(e.value.from.size() == 2);
  std::string out;
  REQUIRE(write_envelope(out, e.value) == errc::ok);
  CHECK(out == "(NIL \"s\" ((\"A\" NIL \"a\" \"x.org\")(\"B\" NIL \"b\" \"y.org\")) NIL NIL NIL NIL NIL NIL NIL)");
}

TEST_CASE("imap body: rejects with offsets", "[imap][body]") {
  struct bad {
    std::string_view in;
    errc e;
    std::size_t at;
  };
  const bad table[] = {
      {"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10)", errc::expected_space, 37},         // no lines
      {"(NIL \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1)", errc::bad_string, 1},                 // NIL type
      {"(\"IMAGE\" \"PNG\" () NIL NIL \"BASE64\" 1)", errc::bad_string, 16},              // "()"
      {"(\"IMAGE\" PNG NIL NIL NIL \"BASE64\" 1)", errc::bad_string, 9},                  // atom subtype
      {"(\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" -1)", errc::bad_number, 36},
      {"(\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" 1 )", errc::bad_string, 38},  // SP ")"
      {"( \"MIXED\")", errc::bad_string, 1},
      {"(\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" 1 NIL NIL NIL NIL x)", errc::bad_string, 54},
  };
  for (const auto& b : table) {
    INFO(std::string(b.in));
    const auto p = mwtest::parse_checked(body_parser(), std::string(b.in) + " ");
    REQUIRE(p.r.st == status::error);
    CHECK(p.r.error == b.e);
    CHECK(p.r.error_offset == b.at);
  }
}

TEST_CASE("imap body: nesting limit", "[imap][body]") {
  limits lim = auth_limits();
  lim.nesting_after_auth = 4;
  std::string deep = "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)";
  for (int i = 0; i < 3; ++i) deep = "(" + deep + " \"MIXED\")";
  CHECK(parse_body(deep + " ", lim).ok());
  deep = "(" + deep + " \"MIXED\")";
  const auto r = parse_body(deep + " ", lim);
  REQUIRE(r.st == status::error);
  CHECK(r.error == errc::nesting_too_deep);
  CHECK(r.error_offset == 4);
  // a streamed literal inside a body structure is refused
  const std::string s = "({4}\r\n";
  literal_span ls;
  ls.offset = 6;
  ls.size = 4;
  ls.streamed = true;
  const literal_span arr[] = {ls};
  literal_context ctx;
  ctx.message = s.data();
  ctx.literals = arr;
  options o;
  o.literals = &ctx;
  const auto t = parse_body(s, auth_limits(), o);
  REQUIRE(t.st == status::error);
  CHECK(t.error == errc::bad_string);
}
