// Tests of mailwire/mime/builder.hpp: messages built with the builder read back through the
// parser with the same structure and bytes; encodings chosen by content; boundaries that do not
// occur in the content; CRLF only and no line over 998 (76 for encoded bodies).
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "mailwire/mime/builder.hpp"
#include "mailwire/mime/message.hpp"
#include "mailwire/rfc5322/address.hpp"
#include "mailwire/rfc5322/encoded_word.hpp"

namespace mime = mailwire::mime;
namespace r = mailwire::rfc5322;
using te = mime::transfer_encoding;

namespace {
void check_canonical(const std::string& m) {
  std::size_t start = 0;
  while (start < m.size()) {
    const std::size_t lf = m.find('\n', start);
    REQUIRE(lf != std::string::npos);  // every line ends with CRLF, the last one too
    REQUIRE(lf > start);
    CHECK(m[lf - 1] == '\r');
    const std::string_view line(m.data() + start, lf - 1 - start);
    CHECK(line.size() <= 998);
    CHECK(line.find('\r') == std::string_view::npos);
    start = lf + 1;
  }
}

std::string random_text(std::mt19937& rng, std::size_t n) {
  static const char* words[] = {"Grüße", "naïve", "café", "plain", "text", ".dot", "From me", "=?utf-8?q?x?=",
                                "--=_mw_", "\t", "a\nb", "c\r\nd", "\r", "日本語", "end  "};
  std::string s;
  while (s.size() < n) s += std::string(words[rng() % std::size(words)]) + " ";
  return s;
}
}  // namespace

TEST_CASE("builder: choose_encoding by content", "[mime][builder]") {
  CHECK(mime::choose_encoding("plain ascii\r\n", true, false) == te::seven_bit);
  CHECK(mime::choose_encoding("caf\xC3\xA9 au lait, une tasse\r\n", true, false) == te::quoted_printable);
  CHECK(mime::choose_encoding("caf\xC3\xA9\r\n", true, true) == te::eight_bit);
  CHECK(mime::choose_encoding("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", true, false) == te::base64);
  CHECK(mime::choose_encoding(std::string(1200, 'a'), true, false) == te::quoted_printable);
  CHECK(mime::choose_encoding(std::string("a\0b", 3), true, true) == te::base64);
  CHECK(mime::choose_encoding("MZ\x90\x00", false, false) == te::base64);
  CHECK(mime::choose_encoding("short ascii\r\n", false, false) == te::seven_bit);
  CHECK(mime::choose_encoding("bare\nlf", false, false) == te::base64);  // non-text keeps its bytes
}

TEST_CASE("builder: a message with alternatives, related parts and attachments", "[mime][builder]") {
  std::string pdf;
  for (int i = 0; i < 5000; ++i) pdf.push_back(static_cast<char>(i * 7));
  const mime::part body = mime::part::multipart("mixed", {
      mime::part::multipart("alternative", {
          mime::part::text("Viele Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln, bis bald!\n.\nFrom here\n"),
          mime::part::multipart("related", {
              mime::part::text("<p><img src=\"cid:logo@x\"></p>", "html"),
              mime::part::related_inline("GIF89a\x01\x02", "image/gif", "<logo@x>")})}),
      mime::part::attachment(pdf, "application/pdf", "Bericht M\xC3\xA4rz 2003 \xE2\x80\x94 sehr langer Dateiname mit Umlauten \xC3\xA4\xC3\xB6\xC3\xBC.pdf"),
      mime::part::attachment("a,b\r\n1,2\r\n", "text/csv; charset=us-ascii", "data.csv")});
  mime::message_header h;
  h.from = {{"J\xC3\xB6rg M\xC3\xBCller", "joerg", "example.org"}};
  h.to = {{"", "ann", "example.com"}, {"Smith, John", "john", "example.net"}};
  h.subject = "Bericht f\xC3\xBCr M\xC3\xA4rz";
  h.date = "Tue, 1 Jul 2003 10:52:37 +0200";
  h.message_id = "<20030701105237.1@example.org>";
  std::string eml;
  REQUIRE(mime::write_message(h, body, eml) == r::write_errc::ok);
  check_canonical(eml);

  const auto m = mime::parse(eml);
  CHECK(m.defects.empty());
  const mime::node& root = m.root;
  CHECK(root.info.type.is("multipart", "mixed"));
  std::string subject;
  (void)r::decode_unstructured(r::unfold(root.field("Subject")->raw_value), subject);
  CHECK(subject == " Bericht f\xC3\xBCr M\xC3\xA4rz");
  const auto from = r::parse_address_list(r::unfold(root.field("From")->raw_value));
  REQUIRE(from.mailboxes.size() == 1);
  CHECK(from.mailboxes[0].name == "J\xC3\xB6rg M\xC3\xBCller");
  CHECK(r::parse_address_list(r::unfold(root.field("To")->raw_value)).mailboxes[1].name == "Smith, John");
  REQUIRE(root.parts.size() == 3);
  const mime::node& alt = root.parts[0];
  REQUIRE(alt.parts.size() == 2);
  CHECK(alt.parts[0].info.encoding == te::quoted_printable);
  CHECK(alt.parts[0].decoded_body() == "Viele Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln, bis bald!\r\n.\r\nFrom here\r\n");
  CHECK(alt.parts[0].info.type.param("charset") == "utf-8");
  CHECK(alt.parts[1].parts[1].decoded_body() == "GIF89a\x01\x02");
  CHECK(alt.parts[1].parts[1].field("Content-ID")->raw_value == " <logo@x>");
  const mime::node& att = root.parts[1];
  CHECK(att.info.encoding == te::base64);
  CHECK(att.decoded_body() == pdf);
  const auto cd = mime::parse_content_disposition(r::unfold(att.field("Content-Disposition")->raw_value));
  CHECK(cd.type == "attachment");
  CHECK(mime::to_utf8(*cd.params.find("filename")) ==
        "Bericht M\xC3\xA4rz 2003 \xE2\x80\x94 sehr langer Dateiname mit Umlauten \xC3\xA4\xC3\xB6\xC3\xBC.pdf");
  CHECK(root.parts[2].info.type.param("charset") == "us-ascii");
  CHECK(root.parts[2].decoded_body() == "a,b\r\n1,2\r\n");
  CHECK(mime::write(root) == eml);  // and the tree writes it back as built
}

TEST_CASE("builder: boundaries never occur in the content", "[mime][builder]") {
  // Text that contains what the first candidate boundary would be: the builder picks another.
  mime::builder_options o;
  std::string first;
  REQUIRE(mime::write_part(mime::part::multipart("mixed", {mime::part::text("x")}), first, o) == r::write_errc::ok);
  const std::size_t b = first.find("boundary=") + 9;
  const std::string used = first.substr(b, first.find_first_of(";\r\n", b) - b);
  const std::string sneaky = "line\r\n--" + used + "\r\nmore";
  std::string out;
  REQUIRE(mime::write_part(mime::part::multipart("mixed", {mime::part::text(sneaky)}), out, o) == r::write_errc::ok);
  const auto m = mime::parse(out);
  REQUIRE(m.root.parts.size() == 1);
  CHECK(m.root.parts[0].decoded_body() == sneaky);
}

TEST_CASE("builder: random trees read back with their bytes", "[mime][builder]") {
  std::mt19937 rng(2049);
  for (int n = 0; n < 100; ++n) {
    std::vector<std::string> contents;
    std::function<mime::part(int)> make = [&](int depth) -> mime::part {
      if (depth > 2 || rng() % 3 == 0) {
        std::string c;
        switch (rng() % 3) {
          case 0: c = random_text(rng, rng() % 400); break;
          case 1: for (std::size_t i = 0, k = rng() % 3000; i < k; ++i) c.push_back(static_cast<char>(rng())); break;
          default: c = std::string(rng() % 2000, 'a'); break;
        }
        const bool text = rng() % 2;
        mime::part p = text ? mime::part::text(c) : mime::part::attachment(c, "application/octet-stream", random_text(rng, 20));
        contents.push_back(text ? mime::detail::crlf_lines(c) : c);
        return p;
      }
      std::vector<mime::part> kids;
      for (int i = 0, k = static_cast<int>(rng() % 4); i < k; ++i) kids.push_back(make(depth + 1));
      return mime::part::multipart(rng() % 2 ? "mixed" : "alternative", std::move(kids));
    };
    const mime::part p = mime::part::multipart("mixed", {make(0)});
    mime::builder_options o;
    o.boundary_seed = rng();
    o.allow_8bit = rng() % 2;
    std::string eml;
    REQUIRE(mime::write_part(p, eml, o) == r::write_errc::ok);
    check_canonical(eml);
    const auto m = mime::parse(eml);
    CHECK(m.defects.empty());
    std::vector<std::string> got;
    m.root.walk([&](const mime::node& x) {
      if (x.is_leaf()) got.push_back(x.decoded_body());
    });
    CHECK(got == contents);
  }
}

TEST_CASE("builder: a whole body that is one leaf ends with CRLF", "[mime][builder]") {
  for (const std::string& c : {std::string("\xE6\x97\xA5\xE6\x9C\xAC"), std::string("caf\xC3\xA9 au lait, une tasse"),
                               std::string("plain")}) {
    std::string out;
    REQUIRE(mime::write_part(mime::part::text(c), out) == r::write_errc::ok);
    if (c != "plain") check_canonical(out);  // 7bit text is written as it is
    CHECK(mime::parse(out).root.decoded_body() == c);
  }
}

TEST_CASE("builder: bad values are refused, never written", "[mime][builder][security]") {
  mime::part p = mime::part::text("x");
  p.subtype = "plain\r\nBcc: x@y";
  std::string out;
  CHECK(mime::write_part(p, out) != r::write_errc::ok);
  p = mime::part::text("x");
  p.content_id = "<a@b>\r\nX: y";
  CHECK(mime::write_part(p, out) == r::write_errc::forbidden_character);
  p = mime::part::text("x");
  p.filename = "evil\r\nBcc: x@y.pdf";
  p.disposition = "attachment";
  REQUIRE(mime::write_part(p, out) == r::write_errc::ok);  // encoded as RFC 2231
  const auto m = mime::parse(out);
  CHECK(m.root.fields.size() == 3);
  CHECK(mime::to_utf8(*mime::parse_content_disposition(r::unfold(m.root.field("Content-Disposition")->raw_value))
                           .params.find("filename")) == "evil\r\nBcc: x@y.pdf");
}
