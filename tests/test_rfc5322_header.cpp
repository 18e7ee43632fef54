// Tests of mailwire/rfc5322/header.hpp: header blocks read field by field in every chunking,
// folding, obsolete forms, defects and limits.
#include <catch2/catch.hpp>

#include <mailwire/rfc5322/header.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace r = mailwire::rfc5322;
using mailwire::status;

namespace {

// One event with copies of its views, so runs over different buffers compare.
struct ev {
  int kind;
  std::string name, value;
  std::uint64_t offset;
  int code;
  bool operator==(const ev&) const = default;
};

struct run {
  std::vector<ev> events;
  std::uint64_t body_offset = 0;
  bool operator==(const run&) const = default;
};

// A host that keeps unconsumed bytes in its own buffer and receives the input in chunks.
run feed(std::string_view input, std::size_t chunk, const r::header_limits& lim = {}) {
  run out;
  r::header_parser hp(lim);
  std::string buf;
  std::size_t pos = 0;
  for (int guard = 0; guard < 10000000; ++guard) {
    const bool final = pos == input.size();
    auto s = hp.next(buf, final);
    if (s.st == status::need_more) {
      REQUIRE_FALSE(final);
      const std::size_t n = std::min(chunk, input.size() - pos);
      buf.append(input.substr(pos, n));
      pos += n;
      continue;
    }
    REQUIRE(s.st == status::event);
    if (s.kind == r::header_event::field)
      out.events.push_back({0, std::string(s.field.name), std::string(s.field.raw_value),
                            s.field.offset, 0});
    else if (s.kind == r::header_event::defect)
      out.events.push_back({1, "", "", s.problem.offset, static_cast<int>(s.problem.code)});
    buf.erase(0, s.consumed);
    if (s.kind == r::header_event::end) {
      out.body_offset = hp.body_offset();
      REQUIRE(hp.ended());
      // The body is what the host still holds plus what it has not read yet.
      REQUIRE(buf + std::string(input.substr(pos)) == std::string(input.substr(out.body_offset)));
      return out;
    }
  }
  FAIL("no end event");
  return out;
}

run every_chunking(std::string_view input, const r::header_limits& lim = {}) {
  const run whole = feed(input, input.size() + 1, lim);
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 64u}) {
    INFO("chunk size " << chunk);
    REQUIRE(feed(input, chunk, lim) == whole);
  }
  // And the one-shot helper agrees.
  const auto b = r::parse_header_block(input, lim);
  REQUIRE(b.body_offset == whole.body_offset);
  std::size_t f = 0, d = 0;
  for (const auto& e : whole.events) {
    if (e.kind == 0) {
      REQUIRE(f < b.fields.size());
      CHECK(b.fields[f].name == e.name);
      CHECK(b.fields[f++].raw_value == e.value);
    } else {
      REQUIRE(d < b.defects.size());
      CHECK(static_cast<int>(b.defects[d++].code) == e.code);
    }
  }
  CHECK(f == b.fields.size());
  CHECK(d == b.defects.size());
  return whole;
}

}  // namespace

TEST_CASE("header: RFC 5322 appendix A.1.1 header block", "[rfc5322][header]") {
  const std::string msg =
      "From: John Doe <jdoe@machine.example>\r\n"
      "To: Mary Smith <mary@example.net>\r\n"
      "Subject: Saying Hello\r\n"
      "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
      "Message-ID: <1234@local.machine.example>\r\n"
      "\r\n"
      "This is a message just to say hello.\r\n"
      "So, \"Hello\".\r\n";
  const run w = every_chunking(msg);
  REQUIRE(w.events.size() == 5);
  CHECK(w.events[0].name == "From");
  CHECK(w.events[0].value == " John Doe <jdoe@machine.example>");
  CHECK(w.events[0].offset == 0);
  CHECK(w.events[1].offset == 39);
  CHECK(w.events[4].name == "Message-ID");
  CHECK(msg.substr(w.body_offset, 4) == "This");
}

TEST_CASE("header: folding, LF-only input, obsolete WSP before the colon, raw 8-bit",
          "[rfc5322][header]") {
  const std::string msg =
      "Subject: This\r\n is a test\r\n\tof folding\r\n"
      "Received : from x\n by y\n"
      "X-Utf8: Grüße\n"
      "\n"
      "body";
  const run w = every_chunking(msg);
  REQUIRE(w.events.size() == 3);
  CHECK(w.events[0].value == " This\r\n is a test\r\n\tof folding");
  CHECK(r::unfold(w.events[0].value) == " This is a test\tof folding");
  CHECK(w.events[1].name == "Received");
  CHECK(w.events[1].value == " from x\n by y");
  CHECK(r::unfold(w.events[1].value) == " from x by y");
  CHECK(w.events[2].value == " Grüße");
  CHECK(msg.substr(w.body_offset) == "body");
  // Unfolding keeps line breaks that are not followed by whitespace.
  CHECK(r::unfold("a\r\nb\r\n c") == "a\r\nb c");
}

TEST_CASE("header: the block ends at the end of input without an empty line",
          "[rfc5322][header]") {
  const std::string msg = "A: 1\r\nB: 2\r\n";
  const run w = every_chunking(msg);
  CHECK(w.events.size() == 2);
  CHECK(w.body_offset == msg.size());
  const run w2 = every_chunking("A: no line break");
  REQUIRE(w2.events.size() == 1);
  CHECK(w2.events[0].value == " no line break");
  const run w3 = every_chunking("");
  CHECK(w3.events.empty());
  CHECK(w3.body_offset == 0);
  const run w4 = every_chunking("\r\nbody");
  CHECK(w4.events.empty());
  CHECK(w4.body_offset == 2);
}

TEST_CASE("header: defects", "[rfc5322][header]") {
  using E = r::header_errc;
  // An mbox From line is skipped; a line without a colon starts the body.
  run w = every_chunking("From joe Mon Jan 1 00:00:00 2001\nA: 1\nnot a field\nB: 2\n\n");
  REQUIRE(w.events.size() == 3);
  CHECK(w.events[0].code == static_cast<int>(E::unix_from_line));
  CHECK(w.events[1].name == "A");
  CHECK(w.events[2].code == static_cast<int>(E::missing_colon));
  CHECK(w.events[2].offset == 38);
  CHECK(w.body_offset == 38);
  // A continuation line before the first field is skipped.
  w = every_chunking(" stray\r\nA: 1\r\n\r\n");
  REQUIRE(w.events.size() == 2);
  CHECK(w.events[0].code == static_cast<int>(E::leading_continuation));
  CHECK(w.events[1].name == "A");
  // An empty field name is skipped; a name with a space is not a field.
  w = every_chunking(": x\r\nA B: 1\r\n");
  REQUIRE(w.events.size() == 2);
  CHECK(w.events[0].code == static_cast<int>(E::empty_field_name));
  CHECK(w.events[1].code == static_cast<int>(E::missing_colon));
  CHECK(w.body_offset == 5);
  // A bare CR at the start of a line is not an empty line.
  w = every_chunking("A: 1\r\n\rB: 2\r\n");
  REQUIRE(w.events.size() == 2);
  CHECK(w.events[1].code == static_cast<int>(E::missing_colon));
  CHECK(w.body_offset == 6);
  std::error_code ec = E::missing_colon;
  CHECK(ec.message() == "header line without a colon");
}

TEST_CASE("header: limits make the rest body", "[rfc5322][header][limits]") {
  using E = r::header_errc;
  r::header_limits lim;
  lim.max_fields = 3;
  const std::string four = "A: 1\nB: 2\nC: 3\nD: 4\n\nbody";
  run w = every_chunking(four, lim);
  REQUIRE(w.events.size() == 4);
  CHECK(w.events[3].code == static_cast<int>(E::too_many_fields));
  CHECK(w.body_offset == 15);
  lim = {};
  lim.max_bytes = 20;
  w = every_chunking("A: 1234567890\nB: 1234567890\n\n", lim);
  REQUIRE(w.events.size() == 2);
  CHECK(w.events[0].name == "A");
  CHECK(w.events[1].code == static_cast<int>(E::header_too_large));
  CHECK(w.body_offset == 14);
  // Exactly at the limit is fine.
  lim.max_bytes = 14;
  w = every_chunking("A: 1234567890\n", lim);
  REQUIRE(w.events.size() == 1);
  CHECK(w.events[0].kind == 0);
}

TEST_CASE("header: hostile sizes stay linear and bounded", "[rfc5322][header][limits]") {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  // A 5 MB header line: past the 1 MiB default it is body, found without reading it all.
  std::string big = "Subject: " + std::string(5 << 20, 'x') + "\r\n\r\n";
  auto b = r::parse_header_block(big);
  REQUIRE(b.defects.size() == 1);
  CHECK(b.defects[0].code == r::header_errc::header_too_large);
  CHECK(b.body_offset == 0);
  // 100,000 fields: 10,000 are read, the rest is body.
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "X: y\r\n";
  b = r::parse_header_block(many);
  CHECK(b.fields.size() == 10000);
  CHECK(b.body_offset == 60000);
  // A 500 KB folded field fed one byte at a time does not rescan.
  std::string folded = "Received: x";
  for (int i = 0; i < 50000; ++i) folded += "\r\n 123456";
  folded += "\r\n\r\n";
  const run w = feed(folded, 1);
  REQUIRE(w.events.size() == 1);
  CHECK(w.events[0].value.size() == folded.size() - 4 - 9);
  CHECK(clock::now() - t0 < std::chrono::seconds(5));
}
