// Tests of mailwire/core/line.hpp: line framing with CRLF, bare LF and length limits.
#include <catch2/catch.hpp>

#include <mailwire/core/line.hpp>

#include <string>

using mailwire::find_line;
using mailwire::line_ending;
using mailwire::status;

TEST_CASE("line: CRLF and bare LF endings", "[core][line]") {
  auto r = find_line("EHLO x\r\nMAIL", 512);
  CHECK(r.st == status::event);
  CHECK(r.length == 6);
  CHECK(r.ending == line_ending::crlf);
  CHECK(r.ending_size() == 2);
  r = find_line("QUIT\nrest", 512);
  CHECK(r.st == status::event);
  CHECK(r.length == 4);
  CHECK(r.ending == line_ending::lf);
  CHECK(r.ending_size() == 1);
  r = find_line("\r\n", 512);
  CHECK(r.st == status::event);
  CHECK(r.length == 0);
  // A CR alone is not a line ending.
  r = find_line("a\rb", 512);
  CHECK(r.st == status::need_more);
  CHECK(find_line("", 512).st == status::need_more);
  CHECK(mailwire::to_chars(line_ending::crlf) == "\r\n");
  CHECK(mailwire::to_chars(line_ending::lf) == "\n");
}

TEST_CASE("line: the length limit, with and without a line ending", "[core][line][limits]") {
  const std::string at_limit(10, 'x');
  CHECK(find_line(at_limit + "\r\n", 10).st == status::event);
  CHECK(find_line(at_limit + "\n", 10).st == status::event);
  auto r = find_line(at_limit + "x\r\n", 10);
  CHECK(r.st == status::error);
  CHECK(r.length == 10);
  // No LF yet: the limit plus one byte (a CR waiting for its LF) may wait, no more.
  CHECK(find_line(at_limit + "\r", 10).st == status::need_more);
  CHECK(find_line(at_limit + "xy", 10).st == status::error);
  CHECK(find_line(std::string(1 << 20, 'a'), 512).st == status::error);
}
