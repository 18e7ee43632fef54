// Tests of mailwire/rfc5322/lexer.hpp (RFC 5322 section 3.2 tokens, obs forms, RFC 6532) and of
// mailwire/rfc5322/errc.hpp (error_code integration), which the lexer reports through.
#include <catch2/catch.hpp>

#include "timing.hpp"

#include <mailwire/rfc5322/errc.hpp>
#include <mailwire/rfc5322/lexer.hpp>

#include <chrono>
#include <string>
#include <system_error>

namespace r = mailwire::rfc5322;
using r::errc;

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

TEST_CASE("rfc5322 errc: names, category and std::error_code") {
  std::error_code ec = errc::missing_at;
  CHECK(ec.category().name() == std::string("mailwire.rfc5322"));
  CHECK(ec.message() == "addr-spec without '@'");
  CHECK(ec);
  std::error_code ok = errc::ok;
  CHECK_FALSE(ok);
  // Every value has its own message.
  for (int i = 1; i <= static_cast<int>(errc::bad_encoded_word); ++i) {
    INFO(i);
    CHECK(r::to_string(static_cast<errc>(i)) != "unknown rfc5322 error");
    CHECK(r::to_string(static_cast<errc>(i)) != r::to_string(static_cast<errc>(i - 1)));
  }
  CHECK(r::to_string(static_cast<errc>(200)) == "unknown rfc5322 error");
  CHECK(r::defect{errc::bad_day, 3} == r::defect{errc::bad_day, 3});
  CHECK_FALSE(r::defect{errc::bad_day, 3} == r::defect{errc::bad_day, 4});
}

TEST_CASE("lexer: character classes (section 3.2.3, RFC 6532)") {
  for (char c : std::string_view("azAZ09!#$%&'*+-/=?^_`{|}~")) CHECK(r::is_atext(c));
  for (char c : std::string_view("()<>[]:;@\\,.\" \t\r\n")) CHECK_FALSE(r::is_atext(c));
  CHECK_FALSE(r::is_atext('\0'));
  CHECK_FALSE(r::is_atext('\x7f'));
  CHECK(r::is_atext('\x80'));  // UTF-8 bytes are atext (RFC 6532 section 3.2)
  CHECK(r::is_atext('\xff'));
  for (char c : std::string_view("()<>[]:;@\\,.\"")) CHECK(r::lex_is(c, r::lex_special));
  CHECK(r::is_fws(' '));
  CHECK(r::is_fws('\t'));
  CHECK(r::is_fws('\r'));
  CHECK(r::is_fws('\n'));
  CHECK_FALSE(r::is_fws('\v'));
}

TEST_CASE("lexer: skip_cfws") {
  SECTION("whitespace and folding") {
    CHECK(r::skip_cfws("", 0).end == 0);
    CHECK(r::skip_cfws("abc", 0).end == 0);
    const auto s = r::skip_cfws(" \t\r\n x", 0);
    CHECK(s.end == 5);
    CHECK(s.ok());
    CHECK_FALSE(s.comment);
    CHECK(r::skip_cfws("a  b", 1).end == 3);
    CHECK(r::skip_fws(" \r\n\tx", 0) == 4);
  }
  SECTION("comments, nested, quoted-pairs, text") {
    std::string text;
    const std::string_view v = " (a (nested) \\) b) \r\n (second\r\n line)x";
    const auto s = r::skip_cfws(v, 0, {}, text);
    CHECK(s.ok());
    CHECK(s.comment);
    CHECK(v[s.end] == 'x');
    CHECK(text == "a (nested) ) b second line");
    CHECK(r::skip_cfws(v, 0).end == s.end);  // the overload without text agrees
  }
  SECTION("quoted-pair of a parenthesis does not nest") {
    const std::string_view v = "(a \\( b)c";
    CHECK(r::skip_cfws(v, 0).end == 8);
  }
  SECTION("8-bit and control bytes in comments (RFC 6532, obs-ctext)") {
    std::string text;
    const std::string_view v = "(J\xc3\xb6rg \x01)z";
    const auto s = r::skip_cfws(v, 0, {}, text);
    CHECK(s.ok());
    CHECK(v[s.end] == 'z');
    CHECK(text == "J\xc3\xb6rg \x01");
  }
  SECTION("unterminated comment runs to the end") {
    const std::string_view v = "  (abc (def) ghi";
    const auto s = r::skip_cfws(v, 0);
    CHECK(s.end == v.size());
    CHECK(s.error == errc::unterminated_comment);
    CHECK(s.error_offset == 2);
    const auto t = r::skip_cfws("(abc\\", 0);  // quoted-pair cut by the end
    CHECK(t.error == errc::unterminated_comment);
    CHECK(t.end == 5);
  }
  SECTION("depth limit: reported, and the comment's end still found") {
    r::lexer_limits lim;
    lim.max_comment_depth = 3;
    const std::string_view ok3 = "(((x)))y";
    CHECK(r::skip_cfws(ok3, 0, lim).ok());
    const std::string_view deep = "((((x))))y";
    const auto s = r::skip_cfws(deep, 0, lim);
    CHECK(s.error == errc::comment_too_deep);
    CHECK(s.error_offset == 3);
    CHECK(deep[s.end] == 'y');
    CHECK(r::skip_cfws(deep, 0).ok());  // default depth 64
    std::string d65(65, '(');
    d65 += std::string(65, ')');
    CHECK(r::skip_cfws(d65, 0).error == errc::comment_too_deep);
    CHECK(r::skip_cfws(d65.substr(1, 128), 0).ok());
  }
  SECTION("comment bomb: linear and bounded") {
    const std::string bomb(1 << 20, '(');
    const auto t0 = std::chrono::steady_clock::now();
    std::string text;
    const auto s = r::skip_cfws(bomb, 0, {}, text);
    CHECK(seconds_since(t0) < 0.5 * mwtest::time_factor);
    CHECK(s.end == bomb.size());
    CHECK(s.error == errc::comment_too_deep);  // the first error met
    CHECK(text.size() == bomb.size() - 1);
    std::string balanced(1 << 20, '(');
    balanced += std::string(1 << 20, ')');
    const auto t1 = std::chrono::steady_clock::now();
    const auto b = r::skip_cfws(balanced, 0);
    CHECK(seconds_since(t1) < 0.5 * mwtest::time_factor);
    CHECK(b.end == balanced.size());
    CHECK(b.error == errc::comment_too_deep);
  }
}

TEST_CASE("lexer: atoms and dot-atoms (section 3.2.3)") {
  CHECK(r::scan_atom("abc def", 0) == 3);
  CHECK(r::scan_atom("abc def", 3) == 3);
  CHECK(r::scan_atom("a.b", 0) == 1);
  CHECK(r::scan_atom("J\xc3\xb6rg<", 0) == 5);
  CHECK(r::scan_dot_atom_text("john.q.public@x", 0) == 13);
  CHECK(r::scan_dot_atom_text("a..b", 0) == 1);
  CHECK(r::scan_dot_atom_text("a.", 0) == 1);
  CHECK(r::scan_dot_atom_text(".a", 0) == 0);
  CHECK(r::scan_dot_atom_text("a. b", 0) == 1);
  CHECK(r::is_dot_atom_text("joerg.mueller"));
  CHECK(r::is_dot_atom_text("!#$%&'*+-/=?^_`{|}~"));
  CHECK(r::is_dot_atom_text("j\xc3\xb6rg"));
  CHECK_FALSE(r::is_dot_atom_text(""));
  CHECK_FALSE(r::is_dot_atom_text("a..b"));
  CHECK_FALSE(r::is_dot_atom_text(".a"));
  CHECK_FALSE(r::is_dot_atom_text("a."));
  CHECK_FALSE(r::is_dot_atom_text("a b"));
  CHECK_FALSE(r::is_dot_atom_text("a\"b"));
}

TEST_CASE("lexer: quoted-strings (section 3.2.4, obs-qp)") {
  SECTION("scan and unquote") {
    const std::string_view v = R"("Joe Q. \"Jr\" Public\\" <x>)";
    const auto s = r::scan_quoted_string(v, 0);
    CHECK(s.ok());
    CHECK(v.substr(s.end) == " <x>");
    std::string out;
    const auto t = r::read_quoted_string(v, 0, out);
    CHECK(t.end == s.end);
    CHECK(out == R"(Joe Q. "Jr" Public\)");
  }
  SECTION("FWS: CRLF removed, WSP kept") {
    std::string out;
    const auto s = r::read_quoted_string("\"a \r\n  b\tc\"", 0, out);
    CHECK(s.ok());
    CHECK(out == "a   b\tc");
    out.clear();
    (void)r::read_quoted_string("\"a\nb\"", 0, out);  // a bare LF too
    CHECK(out == "ab");
  }
  SECTION("empty, 8-bit, control characters (obs-qtext) and quoted-pairs of any octet") {
    std::string out;
    CHECK(r::read_quoted_string("\"\"", 0, out).end == 2);
    CHECK(out.empty());
    const std::string v = std::string("\"\xc3\xa4\x01\\\x02\\\0\"", 9);
    const auto s = r::read_quoted_string(v, 0, out);
    CHECK(s.ok());
    CHECK(s.end == v.size());
    CHECK(out == std::string("\xc3\xa4\x01\x02\0", 5));
  }
  SECTION("unterminated") {
    std::string out;
    const auto s = r::read_quoted_string("x \"abc", 2, out);
    CHECK(s.error == errc::unterminated_quoted_string);
    CHECK(s.error_offset == 2);
    CHECK(s.end == 6);
    CHECK(out == "abc");
    out.clear();
    const auto t = r::read_quoted_string("\"abc\\\"", 0, out);  // the final quote is escaped
    CHECK(t.error == errc::unterminated_quoted_string);
    CHECK(out == "abc\"");
    out.clear();
    CHECK(r::read_quoted_string("\"ab\\", 0, out).error == errc::unterminated_quoted_string);
    CHECK(out == "ab");
  }
  SECTION("append_quoted is the inverse of read_quoted_string") {
    for (std::string_view s : {"", "a b", "a\"b", "a\\b", "\\\"", "J\xc3\xb6rg", "a\tb"}) {
      std::string q;
      r::append_quoted(s, q);
      std::string back;
      const auto t = r::read_quoted_string(q, 0, back);
      CHECK(t.ok());
      CHECK(t.end == q.size());
      CHECK(back == s);
    }
    std::string q;
    r::append_quoted("a\r\nb", q);
    CHECK(q == "\"ab\"");
  }
  SECTION("1 MB quoted-string is linear") {
    std::string big = "\"" + std::string(1 << 20, 'x');
    for (std::size_t i = 1; i < big.size(); i += 97) big[i] = '\\';
    big += '"';
    const auto t0 = std::chrono::steady_clock::now();
    std::string out;
    const auto s = r::read_quoted_string(big, 0, out);
    CHECK(seconds_since(t0) < 0.5 * mwtest::time_factor);
    CHECK(s.end == big.size());
    CHECK(out.size() < big.size());
  }
}

TEST_CASE("lexer: domain-literals (section 3.4.1, obs-dtext)") {
  const std::string_view v = "[ 192.0.2.1 ]>";
  const auto s = r::scan_domain_literal(v, 0);
  CHECK(s.ok());
  CHECK(v.substr(s.end) == ">");
  std::string out;
  r::append_domain_literal(v.substr(0, s.end), out);
  CHECK(out == "[192.0.2.1]");
  out.clear();
  r::append_domain_literal("[IPv6:2001:db8::1]", out);
  CHECK(out == "[IPv6:2001:db8::1]");
  out.clear();
  r::append_domain_literal("[a\\]\r\n b]", out);  // quoted-pair stays escaped
  CHECK(out == "[a\\]b]");
  CHECK(r::scan_domain_literal("[a\\]b]x", 0).end == 6);
  const auto u = r::scan_domain_literal("x[abc", 1);
  CHECK(u.error == errc::unterminated_domain_literal);
  CHECK(u.error_offset == 1);
  CHECK(u.end == 5);
  const auto n = r::scan_domain_literal("[a[b]", 0);
  CHECK(n.error == errc::unexpected_character);
  CHECK(n.error_offset == 2);
  CHECK(n.end == 5);
}
