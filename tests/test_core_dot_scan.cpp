// Tests of mailwire/core/detail/dot_scan.hpp, the 32-octet scan shared by SMTP DATA and POP3
// multi-line bodies: known runs, then seeded inputs checked against the definition of a clean run
// (the codecs' own tests check the results in every chunking), on every instruction set.
#include <catch2/catch.hpp>

#include <mailwire/core/cpu.hpp>
#include <mailwire/core/detail/dot_scan.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace d = mailwire::detail;

namespace {

struct run {
  std::size_t end;
  std::size_t col;
  std::string out;
};

run scan(const std::string& in, std::size_t i, std::size_t col = 1, std::size_t max_text = SIZE_MAX,
         std::size_t lim = std::string::npos) {
  if (lim == std::string::npos) lim = in.size();
  std::vector<char> out(lim - i + 1, '\0');
  std::size_t c = col;
  const std::size_t e = d::clean_line_run(in.data(), i, lim, in.size(), c, max_text, out.data());
  return {e, c, std::string(out.data(), e - i)};
}

}  // namespace

TEST_CASE("core dot_scan: crlf_masks marks CR and LF octets", "[core][dot_scan]") {
  std::string s(32, 'a');
  s[0] = '\r';
  s[1] = '\n';
  s[17] = '\n';
  s[31] = '\r';
  std::uint32_t cr = 0, lf = 0;
  d::crlf_masks(s.data(), cr, lf);
  CHECK(cr == ((1u << 0) | (1u << 31)));
  CHECK(lf == ((1u << 1) | (1u << 17)));
}

TEST_CASE("core dot_scan: clean runs stop where per-octet work is due", "[core][dot_scan]") {
  const std::string line(40, 'x');
  // Clean lines: the whole input, up to the last line start before a "." or the input's end.
  const std::string two = std::string(30, 'x') + "\r\n" + std::string(30, 'x') + "\r\n";  // 2 blocks
  run r = scan(two, 0, 0);
  CHECK(r.end == two.size());  // ends right after an LF at the end of input: a line start
  CHECK(r.col == 0);
  CHECK(r.out == two);
  // A "." at a line start: the run ends before it.
  const std::string dot = line + "\r\n." + line + "\r\n";
  r = scan(dot, 0);
  CHECK(r.end == line.size() + 2);
  CHECK(r.col == 0);
  // A bare LF in the first line: no run; in the second: up to the second line's start.
  const std::string bare = line + "\n" + line + "\r\n";
  CHECK(scan(bare, 0).end == 0);
  const std::string bare2 = line + "\r\n" + line + "\r" + line;
  CHECK(scan(bare2, 0).end == line.size() + 2);
  // One long line: the run ends at the last whole block, the column counts on.
  const std::string longl(100, 'y');
  r = scan(longl, 0, 5);
  CHECK(r.end == 96);
  CHECK(r.col == 5 + 96);
  // Never between CR and LF: block ends at a CR are held back.
  std::string split(31, 'z');
  split += "\r\n";
  split += std::string(29, 'z');  // 62 octets: one block, then 30 left
  r = scan(split, 0);
  CHECK(r.end == 31);
  CHECK(r.col == 1 + 31);
  // Line length limit: a line over max_text octets stops the run at its start.
  const std::string lines = std::string(10, 'a') + "\r\n" + std::string(50, 'b') + "\r\n" + std::string(10, 'c');
  r = scan(lines, 0, 0, 20);
  CHECK(r.end == 12);
  CHECK(r.col == 0);
  CHECK(scan(lines, 0, 15, 20).end == 0);  // the first line is already too long
  // Fewer than 32 octets to the limit: no run.
  CHECK(scan(two, 0, 0, SIZE_MAX, 31).end == 0);
}

TEST_CASE("core dot_scan: seeded runs are clean, copied and as long as the blocks allow", "[core][dot_scan]") {
  std::mt19937 rng(0x646f7473);
  const char alphabet[] = {'a', 'b', ' ', '.', '\r', '\n'};
  for (int n = 0; n < 3000; ++n) {
    std::string in;
    const std::size_t len = 32 + rng() % 200;
    while (in.size() < len) {
      const unsigned x = rng() % 100;
      if (x < 8) in += "\r\n";
      else if (x < 9) in += alphabet[3 + rng() % 3];
      else in += alphabet[rng() % 3];
    }
    std::size_t i = rng() % (in.size() - 31);
    if (in[i] == '.') in[i] = 'a';
    const std::size_t col = rng() % 3, max_text = rng() % 2 ? SIZE_MAX : 20 + rng() % 60;
    const run r = scan(in, i, col, max_text);
    INFO("input #" << n << " from " << i << ": " << in);
    // Every instruction set finds the same run.
    {
      std::vector<char> out(in.size() - i + 1, '\0');
      std::size_t c = col;
      CHECK(d::clean_line_run_base(in.data(), i, in.size(), in.size(), c, max_text, out.data()) == r.end);
      CHECK(c == r.col);
#if MAILWIRE_X86_SIMD
      if (mailwire::simd::detected() >= mailwire::simd::level::avx2) {
        c = col;
        CHECK(d::clean_line_run_avx2(in.data(), i, in.size(), in.size(), c, max_text, out.data()) == r.end);
        CHECK(c == r.col);
        CHECK(std::string(out.data(), r.end - i) == r.out);
      }
#endif
    }
    REQUIRE(r.end >= i);
    REQUIRE(r.end <= in.size());
    CHECK(r.out == in.substr(i, r.end - i));
    if (r.end == i) continue;
    // Clean: CR always before LF, LF always after CR, no "." at a line start, lines in limits.
    std::size_t c = col;
    for (std::size_t k = i; k < r.end; ++k) {
      if (in[k] == '\r') {
        REQUIRE(k + 1 < r.end);
        REQUIRE(in[k + 1] == '\n');
      } else if (in[k] == '\n') {
        REQUIRE(k > i);
        REQUIRE(in[k - 1] == '\r');
        REQUIRE(c <= max_text);
        c = 0;
        REQUIRE((k + 1 == r.end || in[k + 1] != '.'));  // no "." after an LF inside the run
        continue;
      } else {
        ++c;
      }
    }
    CHECK(r.col == c);
    if (r.col != 0) CHECK(c <= max_text);
  }
}
