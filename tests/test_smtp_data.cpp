// Tests of mailwire/smtp/data.hpp: DATA content, end of data, dot-stuffing, SMTP smuggling.
#include <mailwire/smtp/data.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "chunking.hpp"

namespace smtp = mailwire::smtp;
using mailwire::status;

namespace {

struct rx_outcome {
  std::string output;
  status st = status::need_more;
  smtp::data_errc error = smtp::data_errc::ok;
  std::uint64_t error_offset = 0;
  std::size_t consumed = 0;  // input octets taken up to the end of data
  bool operator==(const rx_outcome&) const = default;
};

std::string describe(const rx_outcome& o) {
  return std::string(mailwire::to_string(o.st)) + " " + std::string(smtp::to_string(o.error)) +
         " @" + std::to_string(o.error_offset) + " consumed " + std::to_string(o.consumed) +
         " out[" + o.output + "]";
}

// Feeds `input` cut at `cuts` (each chunk an exact-size heap copy) with `out_size` of output.
// The host keeps unconsumed bytes and prepends them to the next chunk, as a server would.
rx_outcome run_rx(const smtp::data_options& opt, std::string_view input,
                  const std::vector<std::size_t>& cuts, std::size_t out_size) {
  smtp::data_receiver rx(opt);
  rx_outcome res;
  std::unique_ptr<char[]> out(new char[out_size]);
  std::string pending;
  std::size_t start = 0;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t end = k < cuts.size() ? cuts[k] : input.size();
    const bool final = k == cuts.size();
    pending.append(input.substr(start, end - start));
    start = end;
    mwtest::heap_copy chunk(pending);
    std::string_view rest = chunk.view();
    for (int guard = 0;; ++guard) {
      REQUIRE(guard < 10000000);
      auto r = rx.decode(rest, std::span<char>(out.get(), out_size), final);
      REQUIRE(r.consumed <= rest.size());
      REQUIRE(r.produced <= out_size);
      res.output.append(out.get(), r.produced);
      res.consumed += r.consumed;
      rest.remove_prefix(r.consumed);
      if (r.st == status::paused) {
        REQUIRE((r.consumed != 0 || r.produced != 0));
        continue;
      }
      if (r.st == status::need_more) {
        REQUIRE(rest.empty());
        break;
      }
      res.st = r.st;
      res.error = r.error;
      res.error_offset = r.error_offset;
      // Done: the same answer again, taking nothing (pipelined bytes stay with the host).
      auto again = rx.decode(rest, std::span<char>(out.get(), out_size), final);
      REQUIRE(again.st == r.st);
      REQUIRE(again.consumed == 0);
      REQUIRE(again.produced == 0);
      return res;
    }
    pending.assign(rest);
  }
  return res;
}

// Whole, byte by byte, every single split, two splits for short inputs, output of 1, 7, plenty.
rx_outcome check_rx(std::string_view input, const smtp::data_options& opt = {}) {
  const std::size_t big = input.size() * 2 + 64;
  const rx_outcome whole = run_rx(opt, input, {}, big);
  auto same = [&](const rx_outcome& o, const char* how) {
    INFO(how << "\nwhole: " << describe(whole) << "\nthis:  " << describe(o));
    REQUIRE(o == whole);
  };
  std::vector<std::size_t> bytewise;
  for (std::size_t i = 1; i < input.size(); ++i) bytewise.push_back(i);
  same(run_rx(opt, input, bytewise, big), "byte by byte");
  same(run_rx(opt, input, {}, 1), "whole, 1-byte output");
  same(run_rx(opt, input, {}, 7), "whole, 7-byte output");
  same(run_rx(opt, input, bytewise, 3), "byte by byte, 3-byte output");
  const std::size_t stride = input.size() <= 400 ? 1 : input.size() / 400 + 1;
  for (std::size_t cut = 0; cut <= input.size(); cut += stride)
    same(run_rx(opt, input, {cut}, big), "one split");
  if (input.size() <= 48)
    for (std::size_t a = 0; a <= input.size(); ++a)
      for (std::size_t b = a; b <= input.size(); ++b)
        same(run_rx(opt, input, {a, b}, 5), "two splits, 5-byte output");
  return whole;
}

std::string send_all(std::string_view in) {
  auto whole = mwtest::check_every_chunking(
      [] { return smtp::data_sender{}; },
      [](auto& c, std::string_view i, std::span<char> out, bool fin) {
        return c.encode(i, out, fin);
      },
      in);
  REQUIRE(whole.st == status::event);
  return whole.output;
}

smtp::data_options mode(smtp::bare_line_ending m) {
  smtp::data_options o;
  o.bare_line_endings = m;
  return o;
}

// A long message: lines of varied length, a few leading dots.
std::string sample_message(std::size_t lines, unsigned seed, bool dots) {
  std::mt19937 rng(seed);
  std::string m;
  for (std::size_t i = 0; i < lines; ++i) {
    const std::size_t n = rng() % 90;
    if (dots && rng() % 17 == 0) m += '.';
    for (std::size_t k = 0; k < n; ++k) m += static_cast<char>('a' + rng() % 26);
    m += "\r\n";
  }
  return m;
}

}  // namespace

TEST_CASE("smtp data receiver: end of data and transparency (RFC 5321 4.1.1.4, 4.5.2)",
          "[smtp][data]") {
  auto r = check_rx("Subject: hi\r\n\r\nbody\r\n.\r\n");
  CHECK(r.st == status::event);
  CHECK(r.output == "Subject: hi\r\n\r\nbody\r\n");
  CHECK(r.consumed == 24);
  // The first line counts as a line start: an empty message.
  r = check_rx(".\r\n");
  CHECK(r.st == status::event);
  CHECK(r.output.empty());
  CHECK(r.consumed == 3);
  // Leading dots removed; "..\r\n" is a line with one dot.
  r = check_rx("..hidden\r\n..\r\n...x\r\n.a\r\n.\r\n");
  CHECK(r.st == status::event);
  CHECK(r.output == ".hidden\r\n.\r\n..x\r\na\r\n");
  // Pipelined commands after the end stay in the buffer.
  r = check_rx("a\r\n.\r\nQUIT\r\n");
  CHECK(r.st == status::event);
  CHECK(r.consumed == 6);
  CHECK(r.output == "a\r\n");
  // A dot inside a line is data.
  r = check_rx("a.\r\nb .\r\n\r\n.\r\n");
  CHECK(r.output == "a.\r\nb .\r\n\r\n");
}

TEST_CASE("smtp data receiver: long messages in every chunking", "[smtp][data]") {
  for (unsigned seed : {1u, 2u, 3u}) {
    const std::string m = sample_message(60, seed, seed != 1);
    std::string expected;  // unstuffed by hand
    for (std::size_t p = 0; p < m.size();) {
      const std::size_t e = m.find("\r\n", p) + 2;
      std::string_view line(m.data() + p, e - p);
      if (line[0] == '.') line.remove_prefix(1);
      expected.append(line);
      p = e;
    }
    auto r = check_rx(m + ".\r\nMAIL FROM:<a@b>\r\n");
    CHECK(r.st == status::event);
    CHECK(r.output == expected);
    CHECK(r.consumed == m.size() + 3);
  }
}

TEST_CASE("smtp data receiver: SMTP smuggling variants never end the data", "[smtp][data]") {
  // Each variant is followed by a smuggled command and message, then the real end.
  struct row {
    std::string_view ending;  // bytes between "x" and "MAIL FROM..."
    smtp::data_errc error;    // reject mode
    std::size_t offset;       // offset of the first bare byte
    std::string_view normalized;  // normalize-mode output for "x" + ending
  };
  const row rows[] = {
      {"\n.\n", smtp::data_errc::bare_lf, 1, "x\r\n.\r\n"},
      {"\n.\r\n", smtp::data_errc::bare_lf, 1, "x\r\n.\r\n"},
      {"\r.\r\n", smtp::data_errc::bare_cr, 1, "x\r\n.\r\n"},
      {"\r\n.\r", smtp::data_errc::bare_cr, 4, "x\r\n\r\n"},
      {"\r\n.\n", smtp::data_errc::bare_lf, 4, "x\r\n\r\n"},
      {std::string_view("\r\n\0.\r\n", 6), smtp::data_errc::ok, 0,
       std::string_view("x\r\n\0.\r\n", 7)},
      {"\r\n.\r\r\n", smtp::data_errc::bare_cr, 4, "x\r\n\r\n\r\n"},
      {"\r\n..\n", smtp::data_errc::bare_lf, 5, "x\r\n.\r\n"},
      {"\r\n \r\n", smtp::data_errc::ok, 0, "x\r\n \r\n"},
  };
  const std::string smuggled = "MAIL FROM:<evil@x>\r\nRCPT TO:<v@y>\r\nDATA\r\nevil\r\n";
  const std::string tail = ".\r\nQUIT\r\n";
  for (const auto& w : rows) {
    const std::string in = "x" + std::string(w.ending) + smuggled + tail;
    INFO("ending: " << std::string(w.ending));
    const std::size_t body = 1 + w.ending.size() + smuggled.size();
    auto r = check_rx(in);
    // Only the real CRLF.CRLF ends the data: everything up to it is taken.
    CHECK(r.consumed == body + 3);
    if (w.error == smtp::data_errc::ok) {
      CHECK(r.st == status::event);
    } else {
      CHECK(r.st == status::error);
      CHECK(r.error == w.error);
      CHECK(r.error_offset == w.offset);
    }
    auto nr = check_rx(in, mode(smtp::bare_line_ending::normalize));
    CHECK(nr.st == status::event);
    CHECK(nr.consumed == body + 3);
    CHECK(nr.output == std::string(w.normalized) + smuggled);
    auto pr = check_rx(in, mode(smtp::bare_line_ending::pass));
    CHECK(pr.st == status::event);
    CHECK(pr.consumed == body + 3);
  }
  // A bare CR or LF just before a real CRLF "." CRLF: that one ends the data (and the bare
  // byte is still reported).
  auto e1 = check_rx("x\r\r\n.\r\nQUIT\r\n");
  CHECK(e1.consumed == 7);
  CHECK(e1.error == smtp::data_errc::bare_cr);
  auto e2 = check_rx("x\n\r\n.\r\nQUIT\r\n", mode(smtp::bare_line_ending::normalize));
  CHECK(e2.st == status::event);
  CHECK(e2.consumed == 7);
  CHECK(e2.output == "x\r\n\r\n");
  // Pass mode keeps the bytes, without removing a dot after a bare line end.
  auto pr = check_rx("x\n.\ny\r\n.\r\n", mode(smtp::bare_line_ending::pass));
  CHECK(pr.output == "x\n.\ny\r\n");
  // Reject mode passes the bytes on too (the host drops the message at the error).
  auto rr = check_rx("x\n.\ny\r\n.\r\n");
  CHECK(rr.output == "x\n.\ny\r\n");
  CHECK(smtp::data_reply_hint(rr.error).substr(0, 3) == "550");
}

TEST_CASE("smtp data receiver: line length limit", "[smtp][data]") {
  // 998 octets + CRLF = 1000: accepted; one more: reported after the end of data.
  const std::string ok(998, 'a');
  auto r = check_rx(ok + "\r\n." + ok + "\r\n.\r\n");  // the stuffing dot does not count
  CHECK(r.st == status::event);
  auto bad = check_rx(ok + "b\r\nnext\r\n.\r\n");
  CHECK(bad.st == status::error);
  CHECK(bad.error == smtp::data_errc::line_too_long);
  CHECK(bad.error_offset == 998);
  CHECK(bad.consumed == ok.size() + 3 + 6 + 3);
  smtp::data_options o;
  o.max_line = 10;
  auto s = check_rx("12345678\r\n123456789\r\n.\r\n", o);
  CHECK(s.error == smtp::data_errc::line_too_long);
  CHECK(s.error_offset == 18);
  o.max_line = 0;  // no limit
  CHECK(check_rx(std::string(5000, 'z') + "\r\n.\r\n", o).st == status::event);
  // A 1 MB line is streamed, never buffered, and reported at the end.
  smtp::data_receiver rx;
  std::string big(1 << 20, 'q');
  std::string out(1 << 20, '\0');
  auto d = rx.decode(big, std::span<char>(out), false);
  CHECK(d.st == status::need_more);
  CHECK(d.produced == big.size());
  d = rx.decode("\r\n.\r\n", std::span<char>(out), false);
  CHECK(d.st == status::error);
  CHECK(d.error == smtp::data_errc::line_too_long);
}

TEST_CASE("smtp data receiver: the stream ends before the end of data", "[smtp][data]") {
  for (std::string_view in : {"", "abc", "abc\r\n", "abc\r\n.", "abc\r\n.\r"}) {
    auto r = check_rx(in);
    CHECK(r.st == status::error);
    CHECK(r.error == smtp::data_errc::unexpected_end);
    CHECK(r.error_offset == in.size());
  }
  std::error_code ec = smtp::data_errc::bare_lf;
  CHECK(ec.message() == "bare LF in message data");
}

TEST_CASE("smtp data sender: dot-stuffing, CRLF, the final line (RFC 5321 4.5.2)",
          "[smtp][data]") {
  CHECK(send_all("") == ".\r\n");
  CHECK(send_all("a") == "a\r\n.\r\n");
  CHECK(send_all("a\r\n") == "a\r\n.\r\n");
  CHECK(send_all(".a\r\n.\r\n..\r\n") == "..a\r\n..\r\n...\r\n.\r\n");
  CHECK(send_all(".") == "..\r\n.\r\n");
  CHECK(send_all("a\nb\rc\r\n\n.\r.") == "a\r\nb\r\nc\r\n\r\n..\r\n..\r\n.\r\n");
  CHECK(send_all("x\r") == "x\r\n.\r\n");
  CHECK(send_all("x\r\r\n") == "x\r\n\r\n.\r\n");
  const std::string m = sample_message(50, 7, true);
  std::string expected;
  for (std::size_t p = 0; p < m.size();) {
    const std::size_t e = m.find("\r\n", p) + 2;
    if (m[p] == '.') expected += '.';
    expected.append(m, p, e - p);
    p = e;
  }
  CHECK(send_all(m) == expected + ".\r\n");
  smtp::data_sender tx;
  char buf[16];
  REQUIRE(tx.encode("a", std::span<char>(buf), true).st == status::event);
  auto e = tx.encode("b", std::span<char>(buf), true);
  CHECK(e.st == status::error);
  CHECK(e.error == smtp::data_errc::local_input_after_final);
}

TEST_CASE("smtp data: sender then receiver gives the input with CRLF line ends (fixed seed)",
          "[smtp][data]") {
  std::mt19937 rng(5321);
  const char alphabet[] = {'a', '.', '\r', '\n', ' ', '\0', 'z', '.'};
  for (int iter = 0; iter < 300; ++iter) {
    std::string in;
    const std::size_t n = rng() % 200;
    for (std::size_t k = 0; k < n; ++k) in += alphabet[rng() % sizeof alphabet];
    // Expected: every CRLF, bare CR and bare LF as CRLF, plus a final CRLF if missing.
    std::string norm;
    for (std::size_t k = 0; k < in.size(); ++k) {
      if (in[k] == '\r') {
        norm += "\r\n";
        if (k + 1 < in.size() && in[k + 1] == '\n') ++k;
      } else if (in[k] == '\n') {
        norm += "\r\n";
      } else {
        norm += in[k];
      }
    }
    if (!norm.empty() && (norm.size() < 2 || norm.substr(norm.size() - 2) != "\r\n")) norm += "\r\n";
    const std::string wire = send_all(in);
    auto r = run_rx({}, wire + "NOOP\r\n", {}, wire.size() + 16);
    INFO(in);
    REQUIRE(r.st == status::event);
    CHECK(r.consumed == wire.size());
    CHECK(r.output == norm);
  }
}
