// Tests of mailwire/mime/content_type.hpp: RFC 2045 section 5.1, RFC 2183, RFC 2231 examples,
// real-world leniencies (each with its defect) and the limits.
#include <catch2/catch.hpp>

#include "timing.hpp"

#include <chrono>
#include <string>

#include "mailwire/mime/content_type.hpp"

namespace mime = mailwire::mime;
using mime::errc;

namespace {
bool has_defect(const std::vector<mime::value_defect>& d, errc e) {
  for (const auto& x : d)
    if (x.code == e) return true;
  return false;
}
}  // namespace

TEST_CASE("content_type: RFC 2045 section 5.1 forms", "[mime][content_type]") {
  // The three equivalent forms of RFC 2045 section 5.1.
  for (const char* v : {"text/plain; charset=us-ascii (Plain text)", "text/plain; charset=\"us-ascii\"",
                        "TEXT/Plain ; CHARSET = \"us-ascii\"", "text/plain;charset=us-ascii",
                        " text / plain ;\r\n charset=us-ascii"}) {
    CAPTURE(v);
    const auto ct = mime::parse_content_type(v);
    CHECK(ct.valid);
    CHECK(ct.type == "text");
    CHECK(ct.subtype == "plain");
    REQUIRE(ct.params.items.size() == 1);
    CHECK(ct.params.items[0].name == "charset");
    CHECK(ct.param("charset") == "us-ascii");
    CHECK(ct.param("CharSet") == "us-ascii");
    CHECK(ct.defects.empty());
  }
}

TEST_CASE("content_type: RFC 2046 multipart boundary values", "[mime][content_type]") {
  const auto ct = mime::parse_content_type(
      "multipart/mixed; boundary=\"simple boundary\"");  // RFC 2046 section 5.1.1 example
  CHECK(ct.is_multipart());
  CHECK(ct.param("boundary") == "simple boundary");
  const auto q = mime::parse_content_type(R"(multipart/alternative; boundary="a\"b\\c"; x=1)");
  CHECK(q.param("boundary") == R"(a"b\c)");
  CHECK(q.param("x") == "1");
  // The boundary of RFC 2046 section 5.1.1's BNF: bchars include ' ( ) + _ , - . / : = ?
  const auto b = mime::parse_content_type("multipart/mixed; boundary=\"'()+_,-./:=? x\"");
  CHECK(b.param("boundary") == "'()+_,-./:=? x");
}

TEST_CASE("content_type: invalid values give no type and no parameters", "[mime][content_type]") {
  for (const char* v : {"", "text", "text/", "/plain", "text/plain garbage; a=b", "(comment only)",
                        "text/pl@in", "\"text/plain\""}) {
    CAPTURE(v);
    const auto ct = mime::parse_content_type(v);
    CHECK_FALSE(ct.valid);
    CHECK(ct.type.empty());
    CHECK(ct.params.items.empty());
    CHECK(has_defect(ct.defects, errc::invalid_content_type));
  }
  CHECK_FALSE(mime::parse_content_type("text/plain (unterminated").defects.empty());
}

TEST_CASE("content_type: RFC 2231 examples", "[mime][content_type][rfc2231]") {
  // Section 3: parameter value continuations.
  const auto a = mime::parse_content_type(
      "message/external-body; access-type=URL;\r\n"
      " URL*0=\"ftp://\";\r\n"
      " URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
  CHECK(a.param("access-type") == "URL");
  CHECK(a.param("url") == "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
  CHECK(a.defects.empty());
  // Section 4: parameter value character set and language information.
  const auto b = mime::parse_content_type(
      "application/x-stuff;\r\n title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
  const mime::parameter* t = b.params.find("title");
  REQUIRE(t != nullptr);
  CHECK(t->value == "This is ***fun***");
  CHECK(t->charset == "us-ascii");
  CHECK(t->language == "en-us");
  CHECK(t->extended);
  // Section 4.1: combining character set, language, and parameter continuations.
  const auto c = mime::parse_content_type(
      "application/x-stuff;\r\n"
      " title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
      " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
      " title*2=\"isn't it!\"");
  const mime::parameter* u = c.params.find("title");
  REQUIRE(u != nullptr);
  CHECK(u->value == "This is even more ***fun*** isn't it!");
  CHECK(u->charset == "us-ascii");
  CHECK(u->language == "en");
  CHECK(c.defects.empty());
}

TEST_CASE("content_type: RFC 2231 out of order, gaps, repeats, bad escapes", "[mime][content_type][rfc2231]") {
  const auto a = mime::parse_content_type("text/plain; n*2=c; n*0=a; n*1=b");
  CHECK(a.param("n") == "abc");
  CHECK(a.defects.empty());
  const auto gap = mime::parse_content_type("text/plain; n*0=a; n*2=c");
  CHECK(gap.param("n") == "ac");
  CHECK(has_defect(gap.defects, errc::missing_rfc2231_section));
  const auto rep = mime::parse_content_type("text/plain; n*0=a; n*0=x; n*1=b");
  CHECK(rep.param("n") == "ab");
  CHECK(has_defect(rep.defects, errc::bad_rfc2231_section));
  const auto esc = mime::parse_content_type("text/plain; n*=utf-8''100%25%zz%4");
  CHECK(esc.param("n") == "100%%zz%4");
  CHECK(has_defect(esc.defects, errc::bad_rfc2231_encoding));
  const auto noq = mime::parse_content_type("text/plain; n*=no-quotes");
  CHECK(noq.param("n") == "no-quotes");
  CHECK(has_defect(noq.defects, errc::bad_rfc2231_encoding));
  // name* is preferred over the plain fallback, whichever comes first.
  const auto pref = mime::parse_content_type(
      "application/pdf; name=\"fallback.pdf\"; name*=utf-8''%C3%A9t%C3%A9.pdf");
  CHECK(pref.param("name") == "\xC3\xA9t\xC3\xA9.pdf");
  CHECK(pref.params.find("name")->charset == "utf-8");
  CHECK(pref.params.items.size() == 1);
  // Sections of different names stay apart; order of first appearance is kept.
  const auto two = mime::parse_content_type("text/plain; b*1=2; a=x; b*0=1");
  REQUIRE(two.params.items.size() == 2);
  CHECK(two.params.items[0].name == "b");
  CHECK(two.params.items[0].value == "12");
  CHECK(two.params.items[1].name == "a");
}

TEST_CASE("content_type: real-world leniencies are accepted with a defect", "[mime][content_type]") {
  const auto dup = mime::parse_content_type("text/plain; charset=utf-8; charset=latin1");
  CHECK(dup.param("charset") == "utf-8");
  CHECK(has_defect(dup.defects, errc::duplicate_parameter));
  const auto nosemi = mime::parse_content_type("multipart/mixed; boundary=\"b1\" charset=x");
  CHECK(nosemi.param("boundary") == "b1");
  CHECK(nosemi.param("charset") == "x");
  CHECK(has_defect(nosemi.defects, errc::missing_semicolon));
  const auto spaces = mime::parse_content_type("application/pdf; name=my file (1).pdf ; x=y");
  CHECK(spaces.param("name") == "my file (1).pdf");
  CHECK(spaces.param("x") == "y");
  CHECK(has_defect(spaces.defects, errc::unquoted_specials));
  const auto open = mime::parse_content_type("text/plain; name=\"unterminated");
  CHECK(open.param("name") == "unterminated");
  CHECK(has_defect(open.defects, errc::unterminated_quoted_string));
  // A value that ends in a quoted-pair's '\\' (and a line break) is unterminated; nothing is
  // read past the end (fuzz finding: the scan used to step one byte beyond the value).
  const auto tail = mime::parse_content_type("multipart/mixed; boundary=\"a\\\r");
  CHECK(tail.param("boundary") == "a");
  CHECK(has_defect(tail.defects, errc::unterminated_quoted_string));
  const auto tail2 = mime::parse_content_type("text/plain; name=\"x\\");
  CHECK(tail2.param("name") == "x");
  CHECK(tail2.params.items.size() == 1);
  const auto junk = mime::parse_content_type("text/plain; ; junk; a=1;;");
  CHECK(junk.param("a") == "1");
  CHECK(junk.params.items.size() == 1);
  CHECK(has_defect(junk.defects, errc::invalid_parameter));
  const auto utf8 = mime::parse_content_type("text/plain; name=\xC3\xA9t\xC3\xA9.txt");
  CHECK(utf8.param("name") == "\xC3\xA9t\xC3\xA9.txt");
  CHECK(utf8.defects.empty());
  const auto empty = mime::parse_content_type("text/plain; name=");
  CHECK(empty.param("name").empty());
  CHECK(has_defect(empty.defects, errc::invalid_parameter));
}

TEST_CASE("content_disposition: RFC 2183 examples", "[mime][content_type]") {
  const auto a = mime::parse_content_disposition(
      "attachment; filename=genome.jpeg;\r\n modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\";");
  CHECK(a.valid);
  CHECK(a.type == "attachment");
  CHECK(a.param("filename") == "genome.jpeg");
  CHECK(a.param("modification-date") == "Wed, 12 Feb 1997 16:29:51 -0500");
  CHECK(mime::parse_content_disposition("INLINE").type == "inline");
  const auto bad = mime::parse_content_disposition("\"attachment\"; filename=x.txt");
  CHECK_FALSE(bad.valid);
  CHECK(bad.param("filename") == "x.txt");  // still useful
}

TEST_CASE("content_transfer_encoding: RFC 2045 section 6.1", "[mime][content_type]") {
  using te = mime::transfer_encoding;
  std::string tok;
  CHECK(mime::parse_transfer_encoding(" Base64 ", &tok) == te::base64);
  CHECK(tok == "base64");
  CHECK(mime::parse_transfer_encoding("QUOTED-PRINTABLE") == te::quoted_printable);
  CHECK(mime::parse_transfer_encoding("7bit (comment)") == te::seven_bit);
  CHECK(mime::parse_transfer_encoding("8BIT") == te::eight_bit);
  CHECK(mime::parse_transfer_encoding("binary") == te::binary);
  CHECK(mime::parse_transfer_encoding("x-uuencode", &tok) == te::other);
  CHECK(tok == "x-uuencode");
  CHECK(mime::parse_transfer_encoding("base64; junk", &tok) == te::base64);
  CHECK(mime::parse_transfer_encoding("", &tok) == te::other);
  CHECK(tok.empty());
  CHECK(mime::is_encoded(te::base64));
  CHECK_FALSE(mime::is_encoded(te::eight_bit));
}

TEST_CASE("content_type: limits", "[mime][content_type][limits]") {
  std::string v = "text/plain";
  for (int i = 0; i < 50; ++i) v += "; p" + std::to_string(i) + "=v";
  mime::parameter_limits lim;
  lim.max_parameters = 10;
  const auto a = mime::parse_content_type(v, lim);
  CHECK(a.params.items.size() == 10);
  CHECK(has_defect(a.defects, errc::too_many_parameters));
  CHECK(mime::parse_content_type(v).params.items.size() == 50);

  std::string s = "text/plain";
  for (int i = 0; i < 30; ++i) s += "; n*" + std::to_string(i) + "=x";
  lim = {};
  lim.max_sections = 20;
  const auto b = mime::parse_content_type(s, lim);
  CHECK(b.param("n") == std::string(20, 'x'));
  CHECK(has_defect(b.defects, errc::too_many_parameters));

  lim = {};
  lim.max_section_number = 5;
  const auto c = mime::parse_content_type("text/plain; n*0=a; n*6=b", lim);
  CHECK(c.param("n") == "a");
  CHECK(has_defect(c.defects, errc::bad_rfc2231_section));
}

TEST_CASE("content_type: hostile sizes stay fast", "[mime][content_type][limits]") {
  // A 200,000-section RFC 2231 parameter written in reverse order, a 5 MB comment bomb and a
  // 1 MB quoted string.
  std::string v = "application/octet-stream";
  for (int i = 199999; i >= 0; --i) v += ";n*" + std::to_string(i) + "=ab";
  const auto t0 = std::chrono::steady_clock::now();
  const auto a = mime::parse_content_type(v);
  CHECK(a.param("n").size() == 2 * 100000);  // max_sections (100,000) by default
  CHECK(has_defect(a.defects, errc::too_many_parameters));
  const auto b = mime::parse_content_type("text/plain " + std::string(5u << 20, '('));
  CHECK(b.type == "text");  // the unterminated comment runs to the end
  CHECK(has_defect(b.defects, errc::unterminated_comment));
  const auto c = mime::parse_content_type("text/plain; a=\"" + std::string(1u << 20, 'x') + "\"");
  CHECK(c.param("a").size() == (1u << 20));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - t0).count();
  CHECK(ms < 2000 * mwtest::time_factor);
}

TEST_CASE("content_type: parameter values to UTF-8", "[mime][content_type][rfc2231]") {
  auto v = [](std::string_view field, std::string_view name) {
    const auto ct = mime::parse_content_type(field);
    const mime::parameter* p = ct.params.find(name);
    REQUIRE(p != nullptr);
    return mime::to_utf8(*p);
  };
  CHECK(v("text/plain; name*=iso-8859-1'fr'caf%E9.txt", "name") == "caf\xC3\xA9.txt");
  CHECK(v("text/plain; name*0*=windows-1252''%80; name*1=x", "name") == "\xE2\x82\xAC" "x");
  CHECK(v("text/plain; name*=''%C3%A9", "name") == "\xC3\xA9");          // no charset: UTF-8
  CHECK(v("text/plain; name*=x-unknown''%C3%A9", "name") == "\xC3\xA9");  // unknown: read as UTF-8
  CHECK(v("text/plain; name*=utf-8''%FF", "name") == "\xEF\xBF\xBD");
  CHECK(v("text/plain; name=\"=?utf-8?B?w6l0w6kucGRm?=\"", "name") == "\xC3\xA9t\xC3\xA9.pdf");
  CHECK(v("text/plain; name=\"=?iso-8859-1?Q?caf=E9?= =?iso-8859-1?Q?_2?=\"", "name") == "caf\xC3\xA9 2");
  CHECK(v("text/plain; name=\xE9t\xE9", "name") == "\xEF\xBF\xBDt\xEF\xBF\xBD");
  CHECK(v("text/plain; name=plain.txt", "name") == "plain.txt");
  // An unquoted encoded-word starts with '=' (a tspecial): read up to the ';' and decoded.
  CHECK(v("image/png; name==?utf-8?q?bild=C3=A4.png?=; x=1", "name") == "bild\xC3\xA4.png");
}

TEST_CASE("mime_version: RFC 2045 section 4", "[mime][content_type]") {
  using mv = mime::mime_version;
  CHECK(mime::parse_mime_version("1.0") == mv{1, 0});
  CHECK(mime::parse_mime_version(" 1.0 (produced by MetaSend Vx.x)") == mv{1, 0});  // RFC 2045 section 4
  CHECK(mime::parse_mime_version("(produced by MetaSend Vx.x) 1.0") == mv{1, 0});
  CHECK(mime::parse_mime_version("1.(produced by MetaSend Vx.x)0") == mv{1, 0});
  CHECK(mime::parse_mime_version("1 . 0") == mv{1, 0});
  CHECK(mime::parse_mime_version("2.17") == mv{2, 17});
  CHECK_FALSE(mime::parse_mime_version(""));
  CHECK_FALSE(mime::parse_mime_version("1"));
  CHECK_FALSE(mime::parse_mime_version("1.0 junk"));
  CHECK_FALSE(mime::parse_mime_version("one.zero"));
  CHECK_FALSE(mime::parse_mime_version("1.-0"));
  CHECK_FALSE(mime::parse_mime_version("12345678901.0"));
}
