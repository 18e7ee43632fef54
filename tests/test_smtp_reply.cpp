// Tests of mailwire/smtp/reply.hpp: RFC 5321 section 4.2 replies, RFC 3463/2034 enhanced codes.
#include <mailwire/smtp/reply.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "chunking.hpp"

namespace smtp = mailwire::smtp;
using mailwire::status;

namespace {

std::vector<std::string> texts(const smtp::reply& r) {
  std::vector<std::string> v;
  for (std::string_view t : r.lines()) v.emplace_back(t);
  return v;
}

// Parses `in` whole from an exact-size heap copy, and checks that every proper prefix of the
// reply is need_more without consuming anything (DESIGN.md section 8, line parsers).
smtp::reply_result parse_all_prefixes(std::string_view in, const smtp::reply_limits& lim = {},
                                      const smtp::reply_options& opt = {}) {
  // The result's views point into the copy: keep every copy alive until the test ends.
  static std::vector<std::unique_ptr<mwtest::heap_copy>> keep;
  keep.push_back(std::make_unique<mwtest::heap_copy>(in));
  auto r = smtp::parse_reply(keep.back()->view(), lim, opt);
  const std::size_t upto = r.st == status::event ? r.consumed : in.size();
  for (std::size_t n = 0; n < upto; ++n) {
    mwtest::heap_copy part(in.substr(0, n));
    auto p = smtp::parse_reply(part.view(), lim, opt);
    INFO("prefix " << n);
    if (r.st == status::event) {
      REQUIRE(p.st == status::need_more);
      REQUIRE(p.consumed == 0);
    } else if (p.st == status::error) {
      // An error seen early is the same error as in the whole input.
      REQUIRE(p.error == r.error);
      REQUIRE(p.error_offset == r.error_offset);
    }
  }
  return r;
}

}  // namespace

TEST_CASE("smtp reply: RFC 5321 appendix D.1 replies", "[smtp][reply]") {
  const char* single[] = {
      "220 foo.com Simple Mail Transfer Service Ready\r\n",
      "250 OK\r\n",
      "550 No such user here\r\n",
      "354 Start mail input; end with <CRLF>.<CRLF>\r\n",
      "221 foo.com Service closing transmission channel\r\n",
  };
  const int codes[] = {220, 250, 550, 354, 221};
  for (int i = 0; i < 5; ++i) {
    std::string_view in = single[i];
    auto r = parse_all_prefixes(in);
    REQUIRE(r.st == status::event);
    CHECK(r.consumed == in.size());
    CHECK(r.value.code == codes[i]);
    CHECK(r.value.line_count == 1);
    CHECK(r.value.lines().front() == in.substr(4, in.size() - 6));
  }
  const std::string ehlo =
      "250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n";
  auto r = parse_all_prefixes(ehlo + "250 OK\r\n");
  REQUIRE(r.st == status::event);
  CHECK(r.consumed == ehlo.size());  // the pipelined "250 OK" stays in the buffer
  CHECK(r.value.code == 250);
  CHECK(texts(r.value) ==
        std::vector<std::string>{"foo.com greets bar.com", "8BITMIME", "SIZE", "DSN", "HELP"});
  CHECK_FALSE(r.value.enhanced);
}

TEST_CASE("smtp reply: code alone, hyphen alone, tabs", "[smtp][reply]") {
  auto r = parse_all_prefixes("250\r\n");
  REQUIRE(r.st == status::event);
  CHECK(texts(r.value) == std::vector<std::string>{""});
  r = parse_all_prefixes("250-\r\n250-a\tb\r\n250\r\n");
  REQUIRE(r.st == status::event);
  CHECK(texts(r.value) == std::vector<std::string>{"", "a\tb", ""});
}

TEST_CASE("smtp reply: errors with offsets", "[smtp][reply]") {
  struct row {
    std::string_view in;
    smtp::reply_errc e;
    std::size_t off;
  };
  const row rows[] = {
      {"150 x\r\n", smtp::reply_errc::bad_code, 0},
      {"260 x\r\n", smtp::reply_errc::bad_code, 1},
      {"25x x\r\n", smtp::reply_errc::bad_code, 2},
      {"25\r\n", smtp::reply_errc::bad_code, 2},
      {"250x\r\n", smtp::reply_errc::bad_separator, 3},
      {"250-a\r\n251 b\r\n", smtp::reply_errc::code_mismatch, 7},
      {"250 \r\n", smtp::reply_errc::empty_text, 4},
      {"250 a\rb\r\n", smtp::reply_errc::invalid_character, 5},
      {std::string_view("250 a\0b\r\n", 9), smtp::reply_errc::invalid_character, 5},
      {"250 caf\xc3\xa9\r\n", smtp::reply_errc::invalid_character, 7},
      {"250 ok\n", smtp::reply_errc::bare_lf, 6},
      {"250-ok\r\n250 x\n", smtp::reply_errc::bare_lf, 13},
  };
  for (const auto& w : rows) {
    const std::string in(w.in);
    INFO(in);
    auto r = parse_all_prefixes(in);
    REQUIRE(r.st == status::error);
    CHECK(r.error == w.e);
    CHECK(r.error_offset == w.off);
    std::error_code ec = r.error;
    CHECK(ec.message() == smtp::to_string(w.e));
  }
}

TEST_CASE("smtp reply: leniencies are off by default and work when named", "[smtp][reply]") {
  smtp::reply_options o;
  o.allow_bare_lf = true;
  auto r = parse_all_prefixes("250-a\n250 b\r\n", {}, o);
  REQUIRE(r.st == status::event);
  CHECK(texts(r.value) == std::vector<std::string>{"a", "b"});
  o = {};
  o.allow_empty_text = true;
  r = parse_all_prefixes("250 \r\n", {}, o);
  REQUIRE(r.st == status::event);
  CHECK(texts(r.value) == std::vector<std::string>{""});
  o = {};
  o.allow_8bit_text = true;
  r = parse_all_prefixes("220 caf\xc3\xa9\r\n", {}, o);
  REQUIRE(r.st == status::event);
  CHECK(r.value.lines().front() == "caf\xc3\xa9");
}

TEST_CASE("smtp reply: limits", "[smtp][reply]") {
  SECTION("line of 512 octets with CRLF is accepted, 513 refused") {
    std::string ok = "250 " + std::string(506, 'x') + "\r\n";
    REQUIRE(ok.size() == 512);
    CHECK(parse_all_prefixes(ok).st == status::event);
    std::string bad = "250 " + std::string(507, 'x') + "\r\n";
    auto r = parse_all_prefixes(bad);
    REQUIRE(r.st == status::error);
    CHECK(r.error == smtp::reply_errc::line_too_long);
    // Found before the line end arrives: a 1 MB line never has to be buffered.
    auto e = smtp::parse_reply(std::string(600, '5'));
    CHECK(e.st == status::error);
    CHECK(e.error == smtp::reply_errc::line_too_long);
  }
  SECTION("lines per reply") {
    smtp::reply_limits lim;
    lim.max_lines = 3;
    CHECK(parse_all_prefixes("250-a\r\n250-b\r\n250 c\r\n", lim).st == status::event);
    auto r = parse_all_prefixes("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", lim);
    REQUIRE(r.st == status::error);
    CHECK(r.error == smtp::reply_errc::too_many_lines);
    CHECK(r.error_offset == 21);
    std::string many;
    for (int i = 0; i < 100; ++i) many += "250-x\r\n";
    CHECK(smtp::parse_reply(many + "250 y\r\n").error == smtp::reply_errc::too_many_lines);
    CHECK(smtp::parse_reply(many.substr(7) + "250 y\r\n").st == status::event);
  }
  SECTION("bytes per reply") {
    smtp::reply_limits lim;
    lim.max_bytes = 14;
    CHECK(parse_all_prefixes("250-a\r\n250 b\r\n", lim).st == status::event);
    auto r = parse_all_prefixes("250-a\r\n250 bc\r\n", lim);
    REQUIRE(r.st == status::error);
    CHECK(r.error == smtp::reply_errc::reply_too_large);
    CHECK(smtp::parse_reply("250-a\r\n250-b\r\n", lim).error == smtp::reply_errc::reply_too_large);
  }
}

TEST_CASE("smtp reply: enhanced status codes (RFC 3463, RFC 2034)", "[smtp][reply]") {
  smtp::reply_options o;
  o.enhanced_status_codes = true;
  auto r = parse_all_prefixes("250 2.1.0 Sender <a@b> ok\r\n", {}, o);
  REQUIRE(r.st == status::event);
  REQUIRE(r.value.enhanced);
  CHECK(*r.value.enhanced == smtp::enhanced_code{2, 1, 0});
  CHECK(r.value.lines().front() == "Sender <a@b> ok");
  r = parse_all_prefixes("550-5.1.1 No such\r\n550 5.1.1 user\r\n", {}, o);
  REQUIRE(r.value.enhanced);
  CHECK(*r.value.enhanced == smtp::enhanced_code{5, 1, 1});
  CHECK(texts(r.value) == std::vector<std::string>{"No such", "user"});
  r = parse_all_prefixes("452 4.5.3 \r\n", {}, o);  // a textstring "4.5.3 ": an empty text
  REQUIRE(r.st == status::event);
  CHECK(*r.value.enhanced == smtp::enhanced_code{4, 5, 3});
  CHECK(r.value.lines().front().empty());
  r = parse_all_prefixes("554 5.123.456\r\n", {}, o);
  REQUIRE(r.value.enhanced);
  CHECK(*r.value.enhanced == smtp::enhanced_code{5, 123, 456});
  CHECK(r.value.lines().front().empty());
  // Not read: option off, class differs from the code, lines disagree, bad forms.
  CHECK_FALSE(smtp::parse_reply("250 2.0.0 ok\r\n").value.enhanced);
  CHECK_FALSE(smtp::parse_reply("250 5.0.0 ok\r\n", {}, o).value.enhanced);
  CHECK_FALSE(smtp::parse_reply("250-2.0.0 a\r\n250 b\r\n", {}, o).value.enhanced);
  CHECK_FALSE(smtp::parse_reply("250 2.0.1000 a\r\n", {}, o).value.enhanced);
  CHECK_FALSE(smtp::parse_reply("250 2.0.0a\r\n", {}, o).value.enhanced);
  CHECK_FALSE(smtp::parse_reply("250 2..0 a\r\n", {}, o).value.enhanced);
  CHECK(smtp::parse_reply("250 2.0.0a\r\n", {}, o).value.lines().front() == "2.0.0a");
}

TEST_CASE("smtp reply: serializer", "[smtp][reply]") {
  std::string out;
  std::string_view l[] = {"foo.com greets bar.com", "8BITMIME", "HELP"};
  REQUIRE(smtp::append_reply(out, 250, std::nullopt, l) == smtp::reply_errc::ok);
  CHECK(out == "250-foo.com greets bar.com\r\n250-8BITMIME\r\n250 HELP\r\n");
  out.clear();
  REQUIRE(smtp::append_reply(out, 550, smtp::enhanced_code{5, 1, 1}, "No such user") ==
          smtp::reply_errc::ok);
  CHECK(out == "550 5.1.1 No such user\r\n");
  out.clear();
  REQUIRE(smtp::append_reply(out, 250, std::nullopt, "") == smtp::reply_errc::ok);
  CHECK(out == "250\r\n");
  out.clear();
  CHECK(smtp::append_reply(out, 250, std::nullopt, "a\r\nb") == smtp::reply_errc::local_bad_text);
  CHECK(smtp::append_reply(out, 250, std::nullopt, "a\nb") == smtp::reply_errc::local_bad_text);
  CHECK(smtp::append_reply(out, 250, std::nullopt, std::string_view("a\0b", 3)) ==
        smtp::reply_errc::local_bad_text);
  CHECK(smtp::append_reply(out, 199, std::nullopt, "x") == smtp::reply_errc::local_bad_code);
  CHECK(smtp::append_reply(out, 260, std::nullopt, "x") == smtp::reply_errc::local_bad_code);
  CHECK(smtp::append_reply(out, 250, smtp::enhanced_code{5, 0, 0}, "x") ==
        smtp::reply_errc::local_bad_code);
  CHECK(smtp::append_reply(out, 250, std::nullopt, std::span<const std::string_view>()) ==
        smtp::reply_errc::local_no_lines);
  CHECK(smtp::append_reply(out, 250, std::nullopt, std::string(507, 'x')) ==
        smtp::reply_errc::line_too_long);
  CHECK(out.empty());
}

TEST_CASE("smtp reply: round trip of generated replies (fixed seed)", "[smtp][reply]") {
  std::mt19937 rng(20240505);
  const std::string alphabet = "abc XYZ\t019.-:<>@";
  smtp::reply_options o;
  o.enhanced_status_codes = true;
  for (int iter = 0; iter < 2000; ++iter) {
    int code = 0;
    do code = 200 + static_cast<int>(rng() % 360);
    while (!smtp::valid_reply_code(code));
    std::optional<smtp::enhanced_code> enh;
    if (rng() % 2)
      enh = smtp::enhanced_code{static_cast<std::uint8_t>(code / 100 == 3 ? 2 : code / 100),
                                static_cast<std::uint16_t>(rng() % 1000),
                                static_cast<std::uint16_t>(rng() % 1000)};
    if (enh && enh->cls != code / 100) enh.reset();
    std::vector<std::string> lines(1 + rng() % 5);
    for (auto& s : lines) {
      const std::size_t n = rng() % 12;
      for (std::size_t k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
      // A text that itself starts like an enhanced code would be read as one.
      if (!s.empty() && s[0] >= '2' && s[0] <= '5') s[0] = 'q';
    }
    std::vector<std::string_view> views(lines.begin(), lines.end());
    std::string out;
    REQUIRE(smtp::append_reply(out, code, enh, views) == smtp::reply_errc::ok);
    INFO(out);
    auto r = smtp::parse_reply(out, {}, o);
    REQUIRE(r.st == status::event);
    REQUIRE(r.consumed == out.size());
    CHECK(r.value.code == code);
    CHECK(r.value.enhanced == enh);
    CHECK(texts(r.value) == lines);
    // serialize(parse(x)) is canonical: a second pass gives the same bytes.
    std::string again;
    REQUIRE(smtp::append_reply(again, r.value) == smtp::reply_errc::ok);
    CHECK(again == out);
  }
}

TEST_CASE("smtp reply: pipelined replies one after another", "[smtp][reply]") {
  std::string buf = "250 2.1.0 ok\r\n250-2.1.5 a\r\n250 2.1.5 b\r\n354 go\r\n";
  smtp::reply_options o;
  o.enhanced_status_codes = true;
  std::vector<int> codes;
  std::string_view in = buf;
  while (!in.empty()) {
    auto r = smtp::parse_reply(in, {}, o);
    REQUIRE(r.st == status::event);
    codes.push_back(r.value.code);
    in.remove_prefix(r.consumed);
  }
  CHECK(codes == std::vector<int>{250, 250, 354});
}
