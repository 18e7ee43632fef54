// Tests of mailwire/adapters/iconv.hpp: glibc iconv as the host converter of
// charset::convert() for ISO-2022-JP, Shift_JIS, GB18030, Big5, EUC-JP/KR (expected bytes
// from Python's codecs), label aliases, refused labels, invalid input as U+FFFD, the cache.
#include <catch2/catch.hpp>

#include <mailwire/adapters/iconv.hpp>

#include <string>
#include <string_view>

namespace charset = mailwire::charset;
namespace adapters = mailwire::adapters;
using charset::convert_status;

namespace {

const std::string fffd = "\xEF\xBF\xBD";

struct sample {
  std::string_view label, in, utf8;
};

// Python: text.encode(label).
const sample samples[] = {
    {"ISO-2022-JP",
     "\x1B\x24\x42\x24\x33\x24\x73\x24\x4B\x24\x41\x24\x4F\x21\x22\x40\x24\x33\x26\x1B\x28\x42",
     "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF\xE3\x80\x81\xE4\xB8\x96\xE7\x95"
     "\x8C"},
    {"Shift_JIS", "\x93\xFA\x96\x7B\x8C\xEA\x83\x65\x83\x4C\x83\x58\x83\x67",
     "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88"},
    {"GB18030", "\xD6\xD0\xCE\xC4\xD3\xCA\xBC\xFE\x20\xA2\xE3",
     "\xE4\xB8\xAD\xE6\x96\x87\xE9\x82\xAE\xE4\xBB\xB6\x20\xE2\x82\xAC"},
    {"gb2312", "\xD6\xD0\xCE\xC4", "\xE4\xB8\xAD\xE6\x96\x87"},
    {"Big5", "\xA4\xA4\xA4\xE5\xB6\x6C\xA5\xF3", "\xE4\xB8\xAD\xE6\x96\x87\xE9\x83\xB5\xE4\xBB\xB6"},
    {"EUC-JP", "\xC6\xFC\xCB\xDC\xB8\xEC", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"},
    {"euc-kr", "\xC7\xD1\xB1\xB9\xBE\xEE", "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4"},
    {"ks_c_5601-1987", "\x8C\x63\xB9\xE6\xB0\xA2\xC7\xCF",
     "\xEB\x98\xA0\xEB\xB0\xA9\xEA\xB0\x81\xED\x95\x98"},  // CP949 extension
};

}  // namespace

TEST_CASE("iconv adapter: multi-byte charsets through charset::convert", "[adapters][iconv]") {
  adapters::iconv_converter conv;
  const charset::options cached = conv.options();
  charset::options uncached{};
  uncached.converter = adapters::iconv_convert;
  for (const sample& s : samples) {
    INFO(s.label);
    for (const charset::options* o : {&cached, static_cast<const charset::options*>(&uncached)}) {
      std::string out = "<";
      CHECK(charset::convert(s.label, s.in, out, *o) == convert_status::converted);
      CHECK(out == "<" + std::string(s.utf8));
    }
  }
  // Twice through the cache (handles are reset between texts: ISO-2022-JP starts in ASCII).
  std::string out;
  CHECK(charset::convert("iso-2022-jp", "\x1B\x24\x42\x24\x33", out, cached) ==
        convert_status::converted);
  CHECK(charset::convert("iso-2022-jp", "ab", out, cached) == convert_status::converted);
  CHECK(out == "\xE3\x81\x93" "ab");
}

TEST_CASE("iconv adapter: invalid input becomes U+FFFD", "[adapters][iconv]") {
  adapters::iconv_converter conv;
  std::string out;
  // 0xFF is never valid in Shift_JIS; 0x82 at the end is an incomplete sequence.
  CHECK(charset::convert("shift_jis", "a\xFF" "b\x82", out, conv.options()) ==
        convert_status::converted);
  CHECK(out == "a" + fffd + "b" + fffd);
  CHECK(charset::is_utf8(out));
  out.clear();
  CHECK(charset::convert("big5", "\xA4", out, conv.options()) == convert_status::converted);
  CHECK(out == fffd);
}

TEST_CASE("iconv adapter: unknown and refused labels", "[adapters][iconv]") {
  adapters::iconv_converter conv;
  std::string out = "x";
  CHECK(charset::convert("x-no-such-charset", "abc", out, conv.options()) ==
        convert_status::unknown_charset);
  CHECK(out == "x");
  // Again: answered from the cache of failed labels.
  CHECK(charset::convert("x-no-such-charset", "abc", out, conv.options()) ==
        convert_status::unknown_charset);
  // iconv suffixes and odd characters never reach iconv_open.
  CHECK_FALSE(conv.convert("SHIFT_JIS//IGNORE", "a", out));
  CHECK_FALSE(conv.convert("UTF-8 ", "a", out));
  CHECK_FALSE(adapters::iconv_convert(nullptr, std::string(60, 'A'), "a", out));
  CHECK(out == "x");
  // The replace policy still applies when iconv does not know the label.
  CHECK(charset::convert("x-no-such-charset", "a\xE9", out,
                         conv.options(charset::unknown_policy::replace)) ==
        convert_status::replaced);
  CHECK(out == "xa" + fffd);
}

TEST_CASE("iconv adapter: more labels than cache slots", "[adapters][iconv]") {
  adapters::iconv_converter conv;
  const char* labels[] = {"GB18030", "BIG5", "EUC-JP", "EUC-KR", "SHIFT_JIS", "ISO-2022-JP",
                          "CP850",   "KOI8-T", "CP437", "GBK", "VISCII", "ISO-2022-KR"};
  for (int round = 0; round < 3; ++round) {
    for (const char* l : labels) {
      INFO(l);
      std::string out;
      CHECK(conv.convert(l, "abc", out));
      CHECK(out == "abc");
    }
  }
  (void)adapters::iconv_converter::cache_slots;
}
