// Tests of mailwire/mime/parser.hpp: RFC 2046 section 5.1.1 and RFC 2049 examples as golden
// traces, every chunking, byte coverage in raw mode, decoding, nested and encoded messages,
// defects, every limit, and hostile inputs (time and memory bounded).
#include <catch2/catch.hpp>

#include "timing.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "mailwire/codec/base64.hpp"
#include "mailwire/mime/parser.hpp"

namespace mime = mailwire::mime;
using mime::event;
using namespace std::string_literals;

namespace {

const char* event_name(event e) {
  switch (e) {
    case event::entity_begin: return "begin";
    case event::header_field: return "field";
    case event::header_end: return "header_end";
    case event::preamble: return "preamble";
    case event::body: return "body";
    case event::epilogue: return "epilogue";
    case event::boundary: return "boundary";
    case event::entity_end: return "end_entity";
    case event::defect: return "defect";
    case event::end: return "end";
  }
  return "?";
}

// Everything a run produced, in a form that does not depend on chunking: data events of the
// same kind and entity are joined.
struct trace {
  std::vector<std::string> events;           // structure: "begin 1", "header_end 1 text/plain", ...
  std::map<std::size_t, std::string> body;   // body bytes per entity index
  std::map<std::size_t, std::string> pre, epi;
  std::string covered;                       // raw mode: every event's bytes, in order
  std::vector<mime::errc> defects;
  bool operator==(const trace&) const = default;
};

trace run(std::string_view input, const mime::parser_options& opt, std::size_t chunk) {
  trace t;
  mime::parser p(opt);
  std::string pending;
  std::size_t fed = 0;
  event last_kind = event::end;
  std::size_t last_index = static_cast<std::size_t>(-1);
  for (int guard = 0; guard < 50'000'000; ++guard) {
    const bool fin = fed == input.size();
    // An exact-size heap copy, so that AddressSanitizer sees any read past the end.
    std::unique_ptr<char[]> exact(new char[pending.size() + 1]);
    std::memcpy(exact.get(), pending.data(), pending.size());
    const std::string_view in(exact.get(), pending.size());
    const mime::step s = p.next(in, fin);
    REQUIRE(s.consumed <= in.size());
    if (s.st == mailwire::status::need_more) {
      REQUIRE_FALSE(fin);
      t.covered.append(in.substr(0, s.consumed));
      pending.erase(0, s.consumed);
      const std::size_t k = std::min(chunk, input.size() - fed);
      pending.append(input.substr(fed, k));
      fed += k;
      continue;
    }
    REQUIRE(s.st == mailwire::status::event);
    const std::size_t idx = s.ent ? s.ent->index : 0;
    const bool data_event = s.kind == event::body || s.kind == event::preamble || s.kind == event::epilogue;
    if (!s.decoded || s.kind != event::body) {
      if (s.kind == event::header_field) t.covered.append(in.substr(0, s.consumed));
      else if (!s.decoded) t.covered.append(s.data);
    }
    if (data_event) {
      auto& m = s.kind == event::body ? t.body : s.kind == event::preamble ? t.pre : t.epi;
      m[idx].append(s.data);
      if (!(last_kind == s.kind && last_index == idx))
        t.events.push_back(std::string(event_name(s.kind)) + " " + std::to_string(idx));
    } else {
      std::string e = std::string(event_name(s.kind)) + " " + std::to_string(idx);
      if (s.kind == event::header_end) e += " " + s.ent->type.type + "/" + s.ent->type.subtype;
      if (s.kind == event::header_field) e += " " + std::string(s.field.name);
      if (s.kind == event::entity_begin || s.kind == event::entity_end)
        e += " d" + std::to_string(s.ent->depth);
      // Defects are kept apart: when one is reported between two data events depends on the
      // chunking; which defects, in which order, does not.
      if (s.kind == event::defect) t.defects.push_back(s.problem.code);
      else t.events.push_back(e);
    }
    if (s.kind != event::defect) {
      last_kind = s.kind;
      last_index = idx;
    }
    pending.erase(0, s.consumed);
    if (s.kind == event::end) {
      REQUIRE(pending.empty());
      REQUIRE(fed == input.size());
      return t;
    }
  }
  FAIL("the parser did not finish");
  return t;
}

// Runs whole, byte by byte and in several chunk sizes; all must agree. Returns the whole run.
trace every_chunking(std::string_view input, const mime::parser_options& opt = {}) {
  const trace whole = run(input, opt, input.size() + 1);
  for (std::size_t c : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5}, std::size_t{7},
                        std::size_t{16}, std::size_t{61}, std::size_t{64}, std::size_t{1000}}) {
    CAPTURE(c);
    const trace t = run(input, opt, c);
    CHECK(t.events == whole.events);
    CHECK(t.body == whole.body);
    CHECK(t.pre == whole.pre);
    CHECK(t.epi == whole.epi);
    if (!opt.decode) CHECK(t.covered == whole.covered);  // decoded bytes cover nothing
    CHECK(t.defects == whole.defects);
  }
  return whole;
}

// The host has the whole message in memory: one buffer, final from the start. Returns the
// defects (for hostile inputs, where only time, memory and the outcome matter).
trace whole_buffer(std::string_view input, const mime::parser_options& opt = {}) {
  trace t;
  mime::parser p(opt);
  std::size_t pos = 0;
  for (;;) {
    const mime::step s = p.next(input.substr(pos), true);
    REQUIRE(s.st == mailwire::status::event);
    pos += s.consumed;
    if (s.kind == event::defect) t.defects.push_back(s.problem.code);
    if (s.kind == event::entity_begin) t.events.push_back("begin");
    if (s.kind == event::end) break;
  }
  REQUIRE(pos == input.size());
  return t;
}

bool has(const trace& t, mime::errc e) {
  return std::find(t.defects.begin(), t.defects.end(), e) != t.defects.end();
}

std::string crlf(std::string_view lf) {
  std::string s;
  for (char c : lf) {
    if (c == '\n') s += '\r';
    s += c;
  }
  return s;
}

// RFC 2046 section 5.1.1, the example of a multipart/mixed message.
const std::string rfc2046_example = crlf(
    "From: Nathaniel Borenstein <nsb@bellcore.com>\n"
    "To: Ned Freed <ned@innosoft.com>\n"
    "Date: Sun, 21 Mar 1993 23:56:48 -0800 (PST)\n"
    "Subject: Sample message\n"
    "MIME-Version: 1.0\n"
    "Content-type: multipart/mixed; boundary=\"simple boundary\"\n"
    "\n"
    "This is the preamble.  It is to be ignored, though it\n"
    "is a handy place for composition agents to include an\n"
    "explanatory note to non-MIME conformant readers.\n"
    "\n"
    "--simple boundary\n"
    "\n"
    "This is implicitly typed plain US-ASCII text.\n"
    "It does NOT end with a linebreak.\n"
    "--simple boundary\n"
    "Content-type: text/plain; charset=us-ascii\n"
    "\n"
    "This is explicitly typed plain US-ASCII text.\n"
    "It DOES end with a linebreak.\n"
    "\n"
    "--simple boundary--\n"
    "\n"
    "This is the epilogue.  It is also to be ignored.\n");

}  // namespace

TEST_CASE("mime parser: RFC 2046 section 5.1.1 example", "[mime][parser]") {
  for (const bool lf_only : {false, true}) {
    std::string msg = rfc2046_example;
    if (lf_only) std::erase(msg, '\r');
    const std::string nl = lf_only ? "\n" : "\r\n";
    const trace t = every_chunking(msg);
    CHECK(t.covered == msg);
    CHECK(t.defects.empty());
    const std::vector<std::string> want = {
        "begin 0 d0", "field 0 From", "field 0 To", "field 0 Date", "field 0 Subject",
        "field 0 MIME-Version", "field 0 Content-type", "header_end 0 multipart/mixed", "preamble 0",
        "boundary 0", "begin 1 d1", "header_end 1 text/plain", "body 1", "end_entity 1 d1",
        "boundary 0", "begin 2 d1", "field 2 Content-type", "header_end 2 text/plain", "body 2",
        "end_entity 2 d1", "boundary 0", "epilogue 0", "end_entity 0 d0", "end 0"};
    CHECK(t.events == want);
    CHECK(t.pre.at(0) == "This is the preamble.  It is to be ignored, though it" + nl +
                             "is a handy place for composition agents to include an" + nl +
                             "explanatory note to non-MIME conformant readers." + nl);
    CHECK(t.body.at(1) == "This is implicitly typed plain US-ASCII text." + nl +
                              "It does NOT end with a linebreak.");
    CHECK(t.body.at(2) == "This is explicitly typed plain US-ASCII text." + nl +
                              "It DOES end with a linebreak." + nl);
    CHECK(t.epi.at(0) == nl + "This is the epilogue.  It is also to be ignored." + nl);
  }
}

TEST_CASE("mime parser: RFC 2049 appendix A nested multiparts", "[mime][parser]") {
  // The structure of RFC 2049 appendix A (bodies shortened; the base64 parts kept short).
  const std::string msg = crlf(
      "MIME-Version: 1.0\n"
      "From: Nathaniel Borenstein <nsb@nsb.fv.com>\n"
      "To: Ned Freed <ned@innosoft.com>\n"
      "Date: Fri, 07 Oct 1994 16:15:05 -0700 (PDT)\n"
      "Subject: A multipart example\n"
      "Content-Type: multipart/mixed;\n"
      "              boundary=unique-boundary-1\n"
      "\n"
      "This is the preamble area of a multipart message.\n"
      "\n"
      "--unique-boundary-1\n"
      "\n"
      "  ... Some text appears here ...\n"
      "--unique-boundary-1\n"
      "Content-type: text/plain; charset=US-ASCII\n"
      "\n"
      "This could have been part of the previous part.\n"
      "--unique-boundary-1\n"
      "Content-Type: multipart/parallel; boundary=unique-boundary-2\n"
      "\n"
      "--unique-boundary-2\n"
      "Content-Type: audio/basic\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "aGVsbG8=\n"
      "--unique-boundary-2\n"
      "Content-Type: image/jpeg\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "d29ybGQ=\n"
      "--unique-boundary-2--\n"
      "\n"
      "--unique-boundary-1\n"
      "Content-type: text/enriched\n"
      "\n"
      "This is <bold><italic>enriched.</italic></bold>\n"
      "--unique-boundary-1\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "From: (mailbox in US-ASCII)\n"
      "To: (address in US-ASCII)\n"
      "Subject: (subject in US-ASCII)\n"
      "Content-Type: Text/plain; charset=ISO-8859-1\n"
      "Content-Transfer-Encoding: Quoted-printable\n"
      "\n"
      "  ... Additional text in ISO-8859-1 goes here ... =E9\n"
      "\n"
      "--unique-boundary-1--\n");
  mime::parser_options o;
  o.decode = true;
  const trace t = every_chunking(msg, o);
  CHECK(t.defects.empty());
  CHECK(t.body.at(1) == "  ... Some text appears here ...");
  CHECK(t.body.at(4) == "hello");  // audio/basic, decoded
  CHECK(t.body.at(5) == "world");
  CHECK(t.body.at(6) == "This is <bold><italic>enriched.</italic></bold>");
  CHECK(t.body.at(8) == "  ... Additional text in ISO-8859-1 goes here ... \xE9\r\n");
  const std::vector<std::string> structure = [&] {
    std::vector<std::string> v;
    for (const auto& e : t.events)
      if (e.starts_with("header_end") || e.starts_with("begin") || e.starts_with("end_entity")) v.push_back(e);
    return v;
  }();
  const std::vector<std::string> want = {
      "begin 0 d0", "header_end 0 multipart/mixed", "begin 1 d1", "header_end 1 text/plain",
      "end_entity 1 d1", "begin 2 d1", "header_end 2 text/plain", "end_entity 2 d1", "begin 3 d1",
      "header_end 3 multipart/parallel", "begin 4 d2", "header_end 4 audio/basic", "end_entity 4 d2",
      "begin 5 d2", "header_end 5 image/jpeg", "end_entity 5 d2", "end_entity 3 d1", "begin 6 d1",
      "header_end 6 text/enriched", "end_entity 6 d1", "begin 7 d1", "header_end 7 message/rfc822",
      "begin 8 d2", "header_end 8 text/plain", "end_entity 8 d2", "end_entity 7 d1", "end_entity 0 d0"};
  CHECK(structure == want);
  // Raw mode covers every byte exactly once.
  CHECK(every_chunking(msg).covered == msg);
}

TEST_CASE("mime parser: delimiter lines", "[mime][parser]") {
  const std::string head = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
  SECTION("transport padding, LF, and a close delimiter at the end of input without a line break") {
    const trace t = every_chunking(head + "--b \t \r\n\r\none\n--b\t\n\ntwo\r\n--b--");
    CHECK(t.body.at(1) == "one");
    CHECK(t.body.at(2) == "two");
    CHECK(t.defects.empty());
    CHECK(t.epi.count(0) == 0);
  }
  SECTION("text after the boundary, a longer boundary or a prefix is not a delimiter") {
    const trace t = every_chunking(head + "--b\r\n\r\n--bx\r\n--b x\r\n-b\r\n --b\r\n--b--");
    CHECK(t.body.at(1) == "--bx\r\n--b x\r\n-b\r\n --b");
  }
  SECTION("a delimiter right after the header: empty preamble and empty bodies") {
    const trace t = every_chunking(head + "--b\r\n\r\n--b\r\n\r\n\r\n--b--\r\n");
    CHECK(t.pre.empty());
    CHECK(t.body.count(1) == 0);
    CHECK(t.body.count(2) == 0);  // only a CRLF, which belongs to the delimiter
    CHECK(t.defects.empty());
  }
  SECTION("a missing close delimiter ends at the end of input") {
    const trace t = every_chunking(head + "--b\r\n\r\nlast part\r\n");
    CHECK(t.body.at(1) == "last part\r\n");
    CHECK(has(t, mime::errc::missing_close_delimiter));
  }
  SECTION("a boundary that never occurs: everything is preamble") {
    const trace t = every_chunking(head + "no parts\r\n--c\r\n");
    CHECK(t.pre.at(0) == "no parts\r\n--c\r\n");
    CHECK(has(t, mime::errc::boundary_not_found));
  }
  SECTION("after the close delimiter the boundary is epilogue") {
    const trace t = every_chunking(head + "--b\r\n\r\nx\r\n--b--\r\n--b\r\n\r\ny\r\n");
    CHECK(t.epi.at(0) == "--b\r\n\r\ny\r\n");
    CHECK(t.events.size() == 12);
  }
  SECTION("CR alone or a dash at the chunk end is held back correctly") {
    const trace t = every_chunking(head + "--b\r\n\r\na\r\r\n-\r\n--\r\n--b-\r\n--b--\r\n");
    CHECK(t.body.at(1) == "a\r\r\n-\r\n--\r\n--b-");
  }
}

TEST_CASE("mime parser: outer boundaries end inner parts", "[mime][parser]") {
  const std::string msg = crlf(
      "Content-Type: multipart/mixed; boundary=outer\n\n"
      "--outer\n"
      "Content-Type: multipart/alternative; boundary=inner\n\n"
      "--inner\n\nA\n"
      "--outer\n\nB\n"
      "--outer--\n");
  const trace t = every_chunking(msg);
  CHECK(t.body.at(2) == "A");
  CHECK(t.body.at(3) == "B");
  CHECK(has(t, mime::errc::missing_close_delimiter));
  CHECK(t.covered == msg);
}

TEST_CASE("mime parser: default types", "[mime][parser]") {
  const std::string msg = crlf(
      "Content-Type: multipart/digest; boundary=d\n\n"
      "--d\n\nSubject: one\n\nbody one\n"
      "--d\nContent-Type: text/plain\n\ntwo\n"
      "--d\nContent-Type: invalid\n\nthree\n"
      "--d--\n");
  const trace t = every_chunking(msg);
  const std::vector<std::string> want_types = {"header_end 0 multipart/digest", "header_end 1 message/rfc822",
                                               "header_end 2 text/plain", "header_end 3 text/plain",
                                               "header_end 4 text/plain"};
  std::vector<std::string> types;
  for (const auto& e : t.events)
    if (e.starts_with("header_end")) types.push_back(e);
  CHECK(types == want_types);
  CHECK(t.body.at(2) == "body one");
  CHECK(has(t, mime::errc::invalid_content_type));
  // The first Content-Type field counts.
  const trace u = every_chunking("Content-Type: image/png\r\nContent-Type: text/html\r\n\r\nx");
  CHECK(u.events[3] == "header_end 0 image/png");
}

TEST_CASE("mime parser: decoding bodies", "[mime][parser]") {
  std::string payload;
  std::mt19937 rng(2045);
  for (int i = 0; i < 5000; ++i) payload.push_back(static_cast<char>(rng()));
  const std::string b64 = mailwire::base64::encode(payload, mailwire::base64::encode_options::mime());
  const std::string msg = "Content-Type: multipart/mixed; boundary=\"==x==\"\r\n\r\n"
                          "--==x==\r\nContent-Transfer-Encoding: BASE64\r\n\r\n" + b64 +
                          "--==x==\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                          "caf=C3=A9 soft=\r\nbreak =3D=\r\n\r\n--==x==\r\n"
                          "Content-Transfer-Encoding: base64\r\n\r\nbad!!base64=\r\n--==x==--\r\n";
  mime::parser_options o;
  o.decode = true;
  o.decode_buffer = 100;  // many body events per part
  const trace t = every_chunking(msg, o);
  CHECK(t.body.at(1) == payload);
  CHECK(t.body.at(2) == "caf\xC3\xA9 softbreak =");
  CHECK(has(t, mime::errc::base64_defect));
  // Raw mode leaves the bodies alone.
  const trace r = every_chunking(msg);
  CHECK(r.body.at(1) == b64.substr(0, b64.size() - 2));
  CHECK(r.covered == msg);
}

TEST_CASE("mime parser: message/rfc822, plain and encoded", "[mime][parser]") {
  const std::string inner = crlf(
      "From: x@example.org\n"
      "Content-Type: multipart/alternative; boundary=in\n\n"
      "--in\nContent-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9\n--in--\n");
  const std::string msg = crlf(
      "Content-Type: multipart/mixed; boundary=Z\n\n"
      "--Z\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n") +
      mailwire::base64::encode(inner, mailwire::base64::encode_options::mime()) +
      crlf("--Z\nContent-Type: message/global\n\nSubject: plain\n\nbody\n--Z--\n");
  mime::parser_options o;
  o.decode = true;
  const trace t = every_chunking(msg, o);
  std::vector<std::string> structure;
  for (const auto& e : t.events)
    if (e.starts_with("header_end") || e.starts_with("begin") || e.starts_with("end_entity")) structure.push_back(e);
  const std::vector<std::string> want = {
      "begin 0 d0", "header_end 0 multipart/mixed", "begin 1 d1", "header_end 1 message/rfc822",
      "begin 2 d2", "header_end 2 multipart/alternative", "begin 3 d3", "header_end 3 text/plain",
      "end_entity 3 d3", "end_entity 2 d2", "end_entity 1 d1", "begin 4 d1", "header_end 4 message/global",
      "begin 5 d2", "header_end 5 text/plain", "end_entity 5 d2", "end_entity 4 d1", "end_entity 0 d0"};
  CHECK(structure == want);
  CHECK(t.body.at(3) == "caf\xC3\xA9");
  CHECK(t.body.at(5) == "body");
  CHECK(has(t, mime::errc::encoded_multipart));
  // Without parse_encoded_messages the encoded message is a leaf.
  o.parse_encoded_messages = false;
  o.decode = false;
  const trace leaf = every_chunking(msg, o);
  CHECK(leaf.covered == msg);
  CHECK(leaf.body.at(1).starts_with("RnJvbTog"));
}

TEST_CASE("mime parser: limits", "[mime][parser][limits]") {
  SECTION("nesting depth") {
    std::string msg;
    for (int i = 0; i < 10; ++i) msg += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" + std::to_string(i) + "\r\n";
    msg += "\r\nleaf\r\n";
    mime::parser_options o;
    o.limits.max_depth = 4;
    const trace t = every_chunking(msg, o);
    CHECK(has(t, mime::errc::nesting_too_deep));
    std::size_t begins = 0;
    for (const auto& e : t.events) begins += e.starts_with("begin");
    CHECK(begins == 5);  // depths 0-4; the entity at depth 4 is an opaque leaf
    CHECK(t.body.at(4).starts_with("--b4\r\n"));
    CHECK_FALSE(has(every_chunking(msg), mime::errc::nesting_too_deep));
  }
  SECTION("parts") {
    std::string msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    for (int i = 0; i < 10; ++i) msg += "--b\r\n\r\npart " + std::to_string(i) + "\r\n";
    msg += "--b--\r\n";
    mime::parser_options o;
    o.limits.max_parts = 4;  // the message and 3 parts
    const trace t = every_chunking(msg, o);
    CHECK(has(t, mime::errc::too_many_parts));
    CHECK(t.body.size() == 3);
    CHECK(t.epi.at(0).starts_with("\r\npart 3\r\n--b\r\n"));
  }
  SECTION("boundary length") {
    const std::string b(71, 'q');
    const std::string msg = "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n\r\nx\r\n--" + b + "--\r\n";
    mime::parser_options o;
    o.limits.max_boundary = 70;
    const trace t = every_chunking(msg, o);
    CHECK(has(t, mime::errc::boundary_too_long));
    CHECK(t.body.empty());
    CHECK(every_chunking(msg).body.at(1) == "x");
  }
  SECTION("transport padding") {
    const std::string msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b" + std::string(20, ' ') + "\r\n\r\nx\r\n--b--";
    mime::parser_options o;
    o.limits.max_padding = 10;
    const trace t = every_chunking(msg, o);
    CHECK(has(t, mime::errc::delimiter_line_too_long));
    CHECK(t.pre.at(0).starts_with("--b      "));  // the padded line is not a delimiter
    CHECK(t.body.empty());
    CHECK(every_chunking(msg).body.at(1) == "x");
  }
  SECTION("header bytes and fields per entity") {
    std::string msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n";
    for (int i = 0; i < 50; ++i) msg += "X-F" + std::to_string(i) + ": v\r\n";
    msg += "\r\nbody\r\n--b--\r\n";
    mime::parser_options o;
    o.limits.header.max_fields = 20;
    const trace t = every_chunking(msg, o);
    CHECK(has(t, mime::errc::header_defect));
    CHECK(t.body.at(1).starts_with("X-F20: v\r\n"));
    o = {};
    o.limits.header.max_bytes = 100;
    const trace u = every_chunking(msg, o);
    CHECK(has(u, mime::errc::header_defect));
    CHECK(u.body.at(1).ends_with("body"));
  }
}

TEST_CASE("mime parser: hostile inputs stay fast and bounded", "[mime][parser][limits]") {
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  };
  SECTION("10,000-deep multipart and message/rfc822 nesting") {
    std::string msg;
    for (int i = 0; i < 10000; ++i)
      msg += i % 2 ? "Content-Type: message/rfc822\r\n\r\n"
                   : "Content-Type: multipart/mixed; boundary=" + std::to_string(i) + "\r\n\r\n--" + std::to_string(i) + "\r\n";
    const trace t = whole_buffer(msg);
    CHECK(has(t, mime::errc::nesting_too_deep));
    CHECK(t.events.size() == 101);
    CHECK(elapsed() < 1000 * mwtest::time_factor);
  }
  SECTION("20,000 parts, 100,000 header fields, a 5 MB boundary, a 5 MB header line, NULs") {
    std::string a = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    for (int i = 0; i < 20000; ++i) a += "--b\r\n\r\n\0x\r\n"s;
    const trace ta = whole_buffer(a);
    CHECK(has(ta, mime::errc::too_many_parts));
    std::string b;
    for (int i = 0; i < 100000; ++i) b += "X: y\r\n";
    const trace tb = whole_buffer(b);
    CHECK(has(tb, mime::errc::header_defect));
    const std::string c = "Content-Type: multipart/mixed; boundary=" + std::string(5u << 20, 'b') + "\r\n\r\n--b\r\n";
    const trace tc = whole_buffer(c);
    CHECK(has(tc, mime::errc::header_defect));  // over the 1 MiB header limit
    const std::string d = "Subject: " + std::string(5u << 20, 'x') + "\r\n\r\nbody";
    const trace td = whole_buffer(d);
    CHECK(has(td, mime::errc::header_defect));
    CHECK(elapsed() < 1000 * mwtest::time_factor);
  }
}

TEST_CASE("mime parser: byte coverage over generated messages", "[mime][parser]") {
  std::mt19937 rng(5322);
  const char* pieces[] = {"--b\r\n", "--b--\r\n", "--c\r\n", "\r\n", "\n", "text ", "-", "--",
                          "Content-Type: multipart/mixed; boundary=c\r\n", "Content-Type: message/rfc822\r\n",
                          "Subject: x\r\n", "\r", " folded\r\n", "=?utf-8?q?x?=", "\0"};
  for (int n = 0; n < 200; ++n) {
    std::string msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    const int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i) msg += pieces[rng() % std::size(pieces)];
    CAPTURE(msg);
    const trace t = run(msg, {.parse_encoded_messages = false}, msg.size() + 1);
    CHECK(t.covered == msg);
    const trace u = run(msg, {.parse_encoded_messages = false}, 1 + rng() % 7);
    CHECK(u.events == t.events);
    CHECK(u.covered == msg);
  }
}

TEST_CASE("mime parser: consecutive delimiter lines open no empty parts", "[mime][parser]") {
  // RFC 2046 section 5.1.1 BNF: a delimiter is CRLF "--" boundary; the CRLF before the second
  // line belongs to the first, so there is no body part between them (Python reads it so too).
  const std::string msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b\r\nContent-Type: text/x-one\r\n\r\n1\r\n"
                          "--b\r\n--b\r\n--b\r\n\r\n2\r\n--b\r\n--b--\r\n";
  const trace t = every_chunking(msg);
  CHECK(t.covered == msg);
  CHECK(t.body.size() == 2);
  CHECK(t.body.at(1) == "1");
  CHECK(t.body.at(2) == "2");
  CHECK(t.defects.empty());
}
