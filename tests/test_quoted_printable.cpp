// Tests of mailwire/codec/quoted_printable.hpp: RFC 2045 section 6.7 rules and examples as
// known answers, lenient defects and strict errors with offsets, line length limits, the
// protect/ebcdic/binary options, every chunking of encoder and decoder, round trips over
// random data, every SIMD path against the scalar one, and the RFC 2047 "Q" encoding
// (section 8 examples, each section 5 context).
#include <catch2/catch.hpp>

#include <mailwire/codec/quoted_printable.hpp>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "chunking.hpp"

namespace qp = mailwire::qp;
using mailwire::status;
using mailwire::simd::level;

namespace {

struct level_guard {
  explicit level_guard(level l) { mailwire::simd::set_limit(l); }
  ~level_guard() { mailwire::simd::set_limit(level::best); }
};

const level all_levels[] = {level::scalar, level::neon, level::avx2, level::avx512vbmi, level::best};

/// Decodes `in` in every chunking (REQUIREs they agree) and returns the whole run's outcome.
mwtest::outcome dec_all(std::string_view in, qp::decode_options o = {}) {
  return mwtest::check_every_chunking(
      [o] { return qp::stream_decoder(o); },
      [](qp::stream_decoder& d, std::string_view i, std::span<char> out, bool fin) {
        return d.decode(i, out, fin);
      },
      in);
}

mwtest::outcome enc_all(std::string_view in, qp::encode_options o = {}) {
  return mwtest::check_every_chunking(
      [o] { return qp::stream_encoder(o); },
      [](qp::stream_encoder& e, std::string_view i, std::span<char> out, bool fin) {
        return e.encode(i, out, fin);
      },
      in);
}

/// Lenient decode in every chunking; the output, which must come with status::event.
std::string dec(std::string_view in) {
  const auto r = dec_all(in);
  REQUIRE(r.st == status::event);
  return r.output;
}

/// Encode in every chunking; the output must equal the one-shot functions' output.
std::string enc(std::string_view in, qp::encode_options o = {}) {
  const auto r = enc_all(in, o);
  REQUIRE(r.st == status::event);
  REQUIRE(qp::encode(in, o) == r.output);
  REQUIRE(r.output.size() <= qp::max_encoded_size(in.size(), o));
  return r.output;
}

std::uint32_t defects_of(std::string_view in) {
  qp::stream_decoder d;
  std::string out(in.size(), '\0');
  const auto r = d.decode(in, std::span<char>(out), true);
  REQUIRE(r.st == status::event);
  return d.defects();
}

constexpr std::uint32_t bit(qp::errc e) { return 1u << static_cast<unsigned>(e); }

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

/// Checks the shape of an encoder's output: line lengths, complete escapes, only safe
/// literals, no SP/HTAB at the end of a line, and the protect options.
void check_encoded(std::string_view e, const qp::encode_options& o) {
  const std::string_view eol = mailwire::to_chars(o.eol);
  const std::size_t L = o.line_length == 0 ? 0 : std::max<std::size_t>(o.line_length, 4);
  std::size_t start = 0;
  for (;;) {
    std::size_t end = e.find(eol, start);
    const bool last_line = end == std::string_view::npos;
    if (last_line) end = e.size();
    const std::string_view line = e.substr(start, end - start);
    INFO("line: " << std::string(line));
    if (L != 0) REQUIRE(line.size() <= L);
    for (std::size_t k = 0; k < line.size(); ++k) {
      const auto c = static_cast<unsigned char>(line[k]);
      if (c == '=') {
        if (k + 1 == line.size()) {
          REQUIRE_FALSE(last_line);  // a soft break, followed by eol
        } else {
          REQUIRE(k + 2 < line.size() + 0);
          REQUIRE(is_upper_hex(line[k + 1]));
          REQUIRE(is_upper_hex(line[k + 2]));
          k += 2;
        }
        continue;
      }
      const bool ws = c == ' ' || c == '\t';
      REQUIRE((ws || (c >= 33 && c <= 126)));
      if (ws) REQUIRE(k + 1 < line.size());  // rule 3
      if (o.ebcdic_safe) REQUIRE(std::string_view("!\"#$@[\\]^`{|}~").find(static_cast<char>(c)) ==
                                 std::string_view::npos);
    }
    if (o.protect_dot) REQUIRE(line.substr(0, 1) != ".");
    if (o.protect_from) REQUIRE(line.substr(0, 5) != "From ");
    if (last_line) break;
    start = end + eol.size();
  }
}

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

/// Text-like data: words (with UTF-8 accented letters), spaces and tabs (also before line
/// breaks), CRLF or LF line breaks, dots and "From " at line starts, a few raw bytes.
std::string random_text(std::mt19937_64& rng, std::size_t n, bool lf_only, bool crlf_only) {
  static const char* const pieces[] = {
      "Stra\xC3\x9F\x65", "caf\xC3\xA9", "ni\xC3\xB1o", "\xC3\xA9t\xC3\xA9", "M\xC3\xBCller",
      "the", "quick", "=", "a=b", " ", "  ", "\t", " \t ", ".", "..", "From ", "From", "F",
      "?", "_", "!\"#$@[\\]^`{|}~", "\x01", "\x7F", "\xFF", "x", "longerwordwithoutanybreaks"};
  std::string s;
  while (s.size() < n) {
    const auto r = rng() % 40;
    if (r < 3) {
      if (lf_only) s += "\n";
      else if (crlf_only) s += "\r\n";
      else s += r == 0 ? "\n" : r == 1 ? "\r\n" : "\r";
    } else {
      s += pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
    }
  }
  s.resize(n);
  if (crlf_only && !s.empty() && s.back() == '\r') s.back() = 'x';  // no bare CR
  return s;
}

/// Quoted-printable-like input for the decoder, with every kind of irregularity.
std::string random_qp(std::mt19937_64& rng, std::size_t n) {
  static const char* const pieces[] = {
      "Caf", "=C3=A9", "=c3=a9", "=3D", "=20", "=09", "=\r\n", "=\n", "= \r\n", "=\t\n",
      "=G1", "=4", "==", "=\r", "= x", "=\rx", " ", "\t", "  \r\n", " \n", "\r\n", "\n", "\r",
      "word", "text with spaces", "\xE9", "\x01", "=", "=a", "=0", "=F", ".\r\n"};
  std::string s;
  while (s.size() < n) {
    // (one rng() call per statement: the same data with every compiler)
    const auto r = rng() % 200;
    const auto len = static_cast<std::size_t>(rng() % 60);
    const auto which = rng();
    if (r == 0) s.append(1000 + len, which % 2 ? ' ' : '\t');  // around wsp_cap
    else if (r < 20) s.append(len, static_cast<char>('a' + which % 26));
    else s += pieces[which % (sizeof(pieces) / sizeof(pieces[0]))];
  }
  s.resize(n);
  return s;
}

qp::encode_options random_options(std::mt19937_64& rng) {
  qp::encode_options o;
  o.binary = rng() % 4 == 0;
  o.eol = rng() % 3 == 0 ? mailwire::line_ending::lf : mailwire::line_ending::crlf;
  const std::size_t lengths[] = {0, 1, 4, 5, 6, 7, 10, 20, 64, 76, 76, 76, 100, 998};
  o.line_length = lengths[rng() % (sizeof(lengths) / sizeof(lengths[0]))];
  o.protect_dot = rng() % 3 == 0;
  o.protect_from = rng() % 3 == 0;
  o.ebcdic_safe = rng() % 4 == 0;
  return o;
}

/// Streams `in` through `step` in random chunks with a random output buffer size.
template <class Codec, class Step>
mwtest::outcome run_random_chunks(Codec c, Step step, std::string_view in, std::mt19937_64& rng) {
  std::vector<std::size_t> cuts;
  for (std::size_t at = 0;;) {
    at += 1 + rng() % 3000;
    if (at >= in.size()) break;
    cuts.push_back(at);
  }
  return mwtest::run_split(std::move(c), step, in, cuts, 1 + rng() % 5000);
}

/// A byte-by-byte reference decoder over the whole input, written straight from the rules at
/// the top of quoted_printable.hpp (no state machine, no kernels).
struct model_decoded {
  std::string out;
  int error = 0;  // errc value, 0 when ok
  std::uint64_t offset = 0;
  std::uint32_t defects = 0;
};
model_decoded model_decode(std::string_view in, bool strict) {
  auto hex = [](char ch) -> int {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return 100 + c - 'a' + 10;  // lower case: + 100
    return -1;
  };
  auto ws = [](char c) { return c == ' ' || c == '\t'; };
  const std::size_t n = in.size(), cap = 1024;
  auto line_end_at = [&](std::size_t j) {
    return j == n || in[j] == '\n' || (in[j] == '\r' && j + 1 < n && in[j + 1] == '\n');
  };
  model_decoded r;
  std::size_t i = 0;
  while (i < n) {
    if (in[i] == '=') {
      const int a = i + 2 < n ? hex(in[i + 1]) : -1, b = i + 2 < n ? hex(in[i + 2]) : -1;
      if (a >= 0 && b >= 0) {
        if (a >= 100 || b >= 100) {
          if (strict) return {r.out, static_cast<int>(qp::errc::lowercase_hex), i, 0};
          r.defects |= bit(qp::errc::lowercase_hex);
        }
        r.out += static_cast<char>(((a % 100) << 4) | (b % 100));
        i += 3;
        continue;
      }
      std::size_t j = i + 1;
      while (j < n && ws(in[j])) ++j;
      if (j - i - 1 <= cap && line_end_at(j)) {  // soft line break
        i = j == n ? n : in[j] == '\n' ? j + 1 : j + 2;
        continue;
      }
      if (strict) return {r.out, static_cast<int>(qp::errc::malformed_escape), i, 0};
      r.defects |= bit(qp::errc::malformed_escape);
      r.out += '=';
      ++i;
      continue;
    }
    if (ws(in[i])) {
      std::size_t j = i;
      while (j < n && ws(in[j])) ++j;
      if (!(j - i <= cap && line_end_at(j))) r.out.append(in.substr(i, j - i));  // rule 3
      i = j;
      continue;
    }
    r.out += in[i++];
  }
  return r;
}

/// A reference encoder over the whole input: greedy lines, straight from RFC 2045 section 6.7.
std::string model_encode(std::string_view in, const qp::encode_options& o) {
  const std::string eol(mailwire::to_chars(o.eol));
  const bool text = !o.binary;
  const std::size_t L = o.line_length == 0 ? 0 : std::max<std::size_t>(o.line_length, 4);
  const std::string_view ebcdic = "!\"#$@[\\]^`{|}~";
  std::string out;
  std::size_t col = 0;
  for (std::size_t i = 0; i < in.size();) {
    const auto c = static_cast<unsigned char>(in[i]);
    const std::string_view rest = in.substr(i);
    if (text && (rest.substr(0, 1) == "\n" || rest.substr(0, 2) == "\r\n")) {
      out += eol;
      col = 0;
      i += c == '\n' ? 1 : 2;
      continue;
    }
    const std::string_view next = rest.substr(1);
    const bool line_ends = next.empty() || (text && (next.substr(0, 1) == "\n" || next.substr(0, 2) == "\r\n"));
    bool literal = (c >= 33 && c <= 126 && c != '=' &&
                    !(o.ebcdic_safe && ebcdic.find(static_cast<char>(c)) != std::string_view::npos)) ||
                   ((c == ' ' || c == '\t') && !line_ends);
    std::size_t w = literal ? 1 : 3;
    if (L != 0 && col + w > (line_ends ? L : L - 1)) {
      out += "=" + eol;
      col = 0;
    }
    if (col == 0 && literal &&
        ((o.protect_dot && c == '.') || (o.protect_from && rest.substr(0, 5) == "From "))) {
      literal = false;
      w = 3;
    }
    if (literal) {
      out += static_cast<char>(c);
    } else {
      out += '=';
      out += "0123456789ABCDEF"[c >> 4];
      out += "0123456789ABCDEF"[c & 15];
    }
    col += w;
    ++i;
  }
  return out;
}

}  // namespace

// --- decoding ---------------------------------------------------------------------------------

TEST_CASE("qp: RFC 2045 section 6.7 rule 1, general 8-bit representation", "[qp]") {
  CHECK(dec("=3D") == "=");
  CHECK(dec("=00=FF=7F") == std::string("\x00\xFF\x7F", 3));
  CHECK(dec("Caf=C3=A9") == "Caf\xC3\xA9");
  CHECK(dec("=20=09") == " \t");
}

TEST_CASE("qp: RFC 2045 section 6.7 rule 5 example of soft line breaks", "[qp]") {
  // The example of rule 5, and the same with bare LF and SP/HTAB after the '='.
  CHECK(dec("Now's the time =\r\nfor all folk to come=\r\n to the aid of their country.") ==
        "Now's the time for all folk to come to the aid of their country.");
  CHECK(dec("Now's the time =\nfor all folk") == "Now's the time for all folk");
  CHECK(dec("a= \t \r\nb=\t\nc") == "abc");
  // A '=' at the very end, with or without SP/HTAB after it, is a soft break too.
  CHECK(dec("abc=") == "abc");
  CHECK(dec("abc= \t") == "abc");
  CHECK(dec("abc  =") == "abc  ");
  CHECK(dec("=") == "");
  CHECK(defects_of("abc= \t") == 0);
}

TEST_CASE("qp: RFC 2045 section 6.7 rule 3, trailing white space is removed", "[qp]") {
  CHECK(dec("abc  \r\ndef") == "abc\r\ndef");
  CHECK(dec("abc \t\ndef") == "abc\ndef");
  CHECK(dec("abc \t ") == "abc");
  CHECK(dec("   ") == "");
  CHECK(dec("a b\tc") == "a b\tc");
  // Encoded white space is data.
  CHECK(dec("abc=20\r\n") == "abc \r\n");
  CHECK(dec("abc=09 \r\n") == "abc\t\r\n");
  CHECK(dec("abc =20 \r\n") == "abc  \r\n");
  // White space before a soft break, a bare CR or a '=' is data.
  CHECK(dec("abc  =\r\ndef") == "abc  def");
  CHECK(dec("abc  \rdef") == "abc  \rdef");
  CHECK(dec("abc  \r") == "abc  \r");
  CHECK(dec("a \r\r\n") == "a \r\r\n");
}

TEST_CASE("qp: rule 3 holds back at most 1024 SP/HTAB", "[qp]") {
  for (const level l : all_levels) {
    level_guard g(l);
    const std::string run1024(1024, ' '), run1025(1025, '\t');
    CHECK(dec("x" + run1024 + "\r\ny") == "x\r\ny");
    CHECK(dec("x" + run1025 + "\r\ny") == "x" + run1025 + "\r\ny");
    CHECK(dec("x" + run1024) == "x");
    CHECK(dec("x" + run1025) == "x" + run1025);
    // After a '=', the same cap decides between a soft break and a malformed '='.
    CHECK(dec("x=" + run1024 + "\r\ny") == "xy");
    CHECK(dec("x=" + run1025 + "\r\ny") == "x=" + run1025 + "\r\ny");
    CHECK(defects_of("x=" + run1025 + "\r\ny") == bit(qp::errc::malformed_escape));
    const auto s = dec_all("x=" + run1025 + "\r\ny", {.strict = true});
    CHECK(s.st == status::error);
    CHECK(s.error == static_cast<int>(qp::errc::malformed_escape));
    CHECK(s.error_offset == 1);
    CHECK(s.output == "x");
  }
}

TEST_CASE("qp: RFC 2045 section 6.7 rule 4, line breaks are copied as found", "[qp]") {
  CHECK(dec("a\r\nb\nc\rd") == "a\r\nb\nc\rd");
  CHECK(dec("\r\n\r\n") == "\r\n\r\n");
  CHECK(dec("\n\n") == "\n\n");
  CHECK(dec("\r") == "\r");
  CHECK(dec("\r\r\n") == "\r\r\n");
  CHECK(dec("line=\r\n\r\n") == "line\r\n");
}

TEST_CASE("qp: other octets are copied", "[qp]") {
  CHECK(dec(std::string("\x00\x01\x7F\x80\xFF?_", 7)) == std::string("\x00\x01\x7F\x80\xFF?_", 7));
}

TEST_CASE("qp: malformed '=' is kept as written in lenient mode", "[qp]") {
  const std::pair<const char*, const char*> cases[] = {
      {"=G1", "=G1"},   {"a=4", "a=4"},     {"=4G", "=4G"},       {"==41", "=A"},
      {"=\rX", "=\rX"}, {"= x", "= x"},     {"=\t\rx", "=\t\rx"}, {"=\r", "=\r"},
      {"=\r\r\n", "=\r\r\n"}, {"= \r", "= \r"}, {"=?", "=?"},     {"=3", "=3"},
      {"x = y", "x = y"}, {"=4=41", "=4A"}, {"= =\r\n", "= "},
  };
  for (const auto& [in, out] : cases) {
    INFO("input: " << in);
    CHECK(dec(in) == out);
    CHECK(defects_of(in) == bit(qp::errc::malformed_escape));
  }
}

TEST_CASE("qp: strict mode errors at the offending '='", "[qp]") {
  struct strict_case {
    const char* input;
    qp::errc error;
    std::uint64_t offset;
    const char* output;  // what comes before the error
  };
  const strict_case cases[] = {
      {"=G1", qp::errc::malformed_escape, 0, ""},
      {"abc=4", qp::errc::malformed_escape, 3, "abc"},
      {"ab=41=\rX", qp::errc::malformed_escape, 5, "abA"},
      {"ab  =x", qp::errc::malformed_escape, 4, "ab  "},
      {"ab=e9", qp::errc::lowercase_hex, 2, "ab"},
      {"=3D=3d", qp::errc::lowercase_hex, 3, "="},
      {"=Ab", qp::errc::lowercase_hex, 0, ""},
      {"x\r\n=\r", qp::errc::malformed_escape, 3, "x\r\n"},
      {"x = y", qp::errc::malformed_escape, 2, "x "},
  };
  for (const auto& c : cases) {
    INFO("input: " << c.input);
    const auto r = dec_all(c.input, {.strict = true});
    CHECK(r.st == status::error);
    CHECK(r.error == static_cast<int>(c.error));
    CHECK(r.error_offset == c.offset);
    CHECK(r.output == c.output);
  }
  // Well-formed input passes.
  const auto ok = dec_all("Caf=C3=A9 =\r\nx  \r\n=", {.strict = true});
  CHECK(ok.st == status::event);
  CHECK(ok.output == "Caf\xC3\xA9 x\r\n");
  // The error is sticky until reset().
  qp::stream_decoder d({.strict = true});
  char buf[16];
  auto r = d.decode("a=zz", buf, false);
  CHECK(r.st == status::error);
  CHECK(r.produced == 1);
  r = d.decode("more", buf, true);
  CHECK(r.st == status::error);
  CHECK(r.error == qp::errc::malformed_escape);
  d.reset();
  r = d.decode("=41", buf, true);
  CHECK(r.st == status::event);
  CHECK(std::string_view(buf, r.produced) == "A");
}

TEST_CASE("qp: lower-case hex digits are decoded with a defect", "[qp]") {
  CHECK(dec("=e9=Ab=cD") == "\xE9\xAB\xCD");
  CHECK(defects_of("=e9") == bit(qp::errc::lowercase_hex));
  CHECK(defects_of("=E9") == 0);
  CHECK(defects_of("=e9=G") == (bit(qp::errc::lowercase_hex) | bit(qp::errc::malformed_escape)));
  qp::stream_decoder d;
  char buf[4];
  (void)d.decode("=f", buf, false);
  (void)d.decode("f", buf, true);
  CHECK(d.has_defect(qp::errc::lowercase_hex));
  CHECK_FALSE(d.has_defect(qp::errc::malformed_escape));
}

TEST_CASE("qp: input after the final call is host misuse", "[qp]") {
  qp::stream_decoder d;
  char buf[8];
  auto r = d.decode("abc", buf, true);
  CHECK(r.st == status::event);
  r = d.decode("", buf, true);
  CHECK(r.st == status::event);
  r = d.decode("x", buf, true);
  CHECK(r.st == status::error);
  CHECK(r.error == qp::errc::local_input_after_final);
  CHECK(r.error_offset == 3);

  qp::stream_encoder e;
  auto w = e.encode("abc", buf, true);
  CHECK(w.st == status::event);
  w = e.encode("x", buf, false);
  CHECK(w.st == status::error);
  CHECK(w.error == qp::errc::local_input_after_final);
  e.reset();
  w = e.encode("x", buf, true);
  CHECK(w.st == status::event);
}

TEST_CASE("qp: one-shot decode results", "[qp]") {
  std::string s = "keep:";
  auto r = qp::decode("a=3Db", s);
  CHECK(r.st == status::event);
  CHECK(r.consumed == 5);
  CHECK(s == "keep:a=b");
  char small[2];
  r = qp::decode("abcdef", std::span<char>(small));
  CHECK(r.st == status::paused);
  CHECK(r.produced == 2);
  CHECK(qp::max_decoded_size(10) == 10);
}

TEST_CASE("qp: empty output spans hold output back and lose nothing", "[qp]") {
  qp::stream_decoder d;
  std::string got;
  char buf[64];
  std::string_view in = "ab =\r\n=41 \r\nc";
  auto r = d.decode(in, std::span<char>(), false);  // no room at all
  CHECK(r.st == status::paused);
  CHECK(r.produced == 0);
  in.remove_prefix(r.consumed);
  r = d.decode(in.substr(0, 0), std::span<char>(), false);  // pending output, still no room
  CHECK(r.st == status::paused);
  CHECK(r.produced == 0);
  for (int guard = 0; guard < 100; ++guard) {
    r = d.decode(in, std::span<char>(buf, 1), true);
    got.append(buf, r.produced);
    in.remove_prefix(r.consumed);
    if (r.st != status::paused) break;
  }
  CHECK(r.st == status::event);
  CHECK(got == "ab A\r\nc");

  qp::stream_encoder e;
  std::string_view text = "x\xE9 \r\n";
  auto w = e.encode(text, std::span<char>(), true);
  CHECK(w.produced == 0);
  text.remove_prefix(w.consumed);
  got.clear();
  for (int guard = 0; guard < 100; ++guard) {
    w = e.encode(text, std::span<char>(buf, 2), true);
    got.append(buf, w.produced);
    text.remove_prefix(w.consumed);
    if (w.st != status::paused) break;
  }
  CHECK(w.st == status::event);
  CHECK(got == "x=E9=20\r\n");
}

TEST_CASE("qp: std::error_code integration", "[qp]") {
  std::error_code ec = qp::errc::malformed_escape;
  CHECK(ec.category().name() == std::string("mailwire.qp"));
  CHECK(ec.message() == "malformed quoted-printable escape");
  CHECK(std::error_code(qp::errc::ok).value() == 0);
  CHECK(qp::to_string(qp::errc::lowercase_hex) == "lower-case hex digit in quoted-printable escape");
}

// --- encoding ---------------------------------------------------------------------------------

TEST_CASE("qp: encoder rules 1 and 2, literal and escaped octets", "[qp]") {
  CHECK(enc("") == "");
  CHECK(enc("Hello, World!") == "Hello, World!");
  CHECK(enc("a=b") == "a=3Db");
  CHECK(enc("Caf\xC3\xA9") == "Caf=C3=A9");
  CHECK(enc(std::string("\x00\x7F\x80\x1F~!", 6)) == "=00=7F=80=1F~!");
  CHECK(enc("?_") == "?_");
}

TEST_CASE("qp: encoder rule 3, white space at the end of a line is encoded", "[qp]") {
  CHECK(enc("a b\tc") == "a b\tc");
  CHECK(enc("a ") == "a=20");
  CHECK(enc("a\t") == "a=09");
  CHECK(enc("a  \r\nb") == "a =20\r\nb");
  CHECK(enc("a \nb") == "a=20\r\nb");
  CHECK(enc("a \rb") == "a =0Db");  // a bare CR is no line break
  CHECK(enc(" ") == "=20");
}

TEST_CASE("qp: encoder rule 4, line breaks in text and binary mode", "[qp]") {
  CHECK(enc("a\r\nb\nc\rd") == "a\r\nb\r\nc=0Dd");
  CHECK(enc("a\r\nb\nc", {.eol = mailwire::line_ending::lf}) == "a\nb\nc");
  CHECK(enc("\r\n\r\n") == "\r\n\r\n");
  CHECK(enc("x\r") == "x=0D");
  CHECK(enc("a\r\nb \n", {.binary = true}) == "a=0D=0Ab =0A");
  CHECK(enc("a ", {.binary = true}) == "a=20");
  // No line break is added at the end.
  CHECK(enc("abc\r\n") == "abc\r\n");
}

TEST_CASE("qp: encoder rule 5, line length", "[qp]") {
  const std::string a75(75, 'a'), a76(76, 'a');
  CHECK(enc(a76) == a76);  // a line that ends with the data may hold 76
  CHECK(enc(a76 + "\r\nb") == a76 + "\r\nb");
  CHECK(enc(a76 + "b") == a75 + "=\r\nab");
  CHECK(enc(std::string(80, 'a')) == a75 + "=\r\n" + "aaaaa");
  // Escapes are never split.
  CHECK(enc(std::string(73, 'a') + "\xE9") == std::string(73, 'a') + "=E9");
  CHECK(enc(std::string(73, 'a') + "\xE9" + "b") == std::string(73, 'a') + "=\r\n=E9b");
  CHECK(enc(std::string(74, 'a') + "\xE9") == std::string(74, 'a') + "=\r\n=E9");
  CHECK(enc(std::string(72, 'a') + "\xE9" + "b") == std::string(72, 'a') + "=E9b");
  CHECK(enc(std::string(72, 'a') + "\xE9" + "bc") == std::string(72, 'a') + "=E9=\r\nbc");
  CHECK(enc(std::string(75, 'a') + " \r\n") == a75 + "=\r\n=20\r\n");
  // Short lengths.
  CHECK(enc("abcdef", {.line_length = 4}) == "abc=\r\ndef");
  CHECK(enc("\xE9\xE9", {.line_length = 4}) == "=E9=\r\n=E9");
  CHECK(enc("\xE9\xE9", {.line_length = 1}) == "=E9=\r\n=E9");
  CHECK(enc("abcdefgh", {.eol = mailwire::line_ending::lf, .line_length = 5}) == "abcd=\nefgh");
  CHECK(enc(std::string(200, 'x'), {.line_length = 0}) == std::string(200, 'x'));
  // Every length is honoured on mixed data.
  std::mt19937_64 rng(2045);
  const std::string text = random_text(rng, 3000, false, false);
  for (const std::size_t L : {4, 5, 6, 7, 8, 13, 40, 75, 76, 77, 200}) {
    for (const bool binary : {false, true}) {
      qp::encode_options o;
      o.line_length = L;
      o.binary = binary;
      const std::string e = qp::encode(text, o);
      check_encoded(e, o);
      REQUIRE(e.size() <= qp::max_encoded_size(text.size(), o));
      std::string d;
      CHECK(qp::decode(e, d).st == status::event);
      if (binary) CHECK(d == text);
    }
  }
}

TEST_CASE("qp: protect_dot, protect_from and ebcdic_safe", "[qp]") {
  const qp::encode_options dot{.protect_dot = true};
  CHECK(enc(".\r\n..x\r\nx.", dot) == "=2E\r\n=2E.x\r\nx.");
  CHECK(enc(".", dot) == "=2E");
  CHECK(enc(std::string(75, 'a') + ".b", dot) == std::string(75, 'a') + "=\r\n=2Eb");
  CHECK(enc(".", {}) == ".");
  const qp::encode_options from{.protect_from = true};
  CHECK(enc("From here\r\nFrom\r\nFrom x\nFro", from) == "=46rom here\r\nFrom\r\n=46rom x\r\nFro");
  CHECK(enc("a From b", from) == "a From b");
  CHECK(enc(std::string(75, 'a') + "From b", from) == std::string(75, 'a') + "=\r\n=46rom b");
  CHECK(enc("From ", from) == "=46rom=20");
  CHECK(enc("From here", {}) == "From here");
  const qp::encode_options ebcdic{.ebcdic_safe = true};
  CHECK(enc("!\"#$@[\\]^`{|}~%&", ebcdic) == "=21=22=23=24=40=5B=5C=5D=5E=60=7B=7C=7D=7E%&");
  CHECK(enc("!\"#$@[\\]^`{|}~", {}) == "!\"#$@[\\]^`{|}~");
}

TEST_CASE("qp: max_encoded_size is an upper bound", "[qp]") {
  CHECK(qp::max_encoded_size(0) == 0);
  CHECK(qp::max_encoded_size(10, {.line_length = 0}) == 30);
  for (const std::size_t L : {1, 4, 5, 76}) {
    for (const auto eol : {mailwire::line_ending::crlf, mailwire::line_ending::lf}) {
      qp::encode_options o;
      o.line_length = L;
      o.eol = eol;
      o.binary = true;
      const std::string worst(1000, '\xE9');
      CHECK(qp::encode(worst, o).size() <= qp::max_encoded_size(worst.size(), o));
      o.binary = false;
      const std::string lfs(1000, '\n');
      CHECK(qp::encode(lfs, o).size() <= qp::max_encoded_size(lfs.size(), o));
    }
  }
}

// --- both directions --------------------------------------------------------------------------

TEST_CASE("qp: every chunking of encoder and decoder", "[qp]") {
  const char* const decode_inputs[] = {
      "", "=", "=4", "=41", "=\r", "=\r\n", "= \t\r\n", "a \r\nb", "  ", "\r", "ab=c3=A9",
      "x=G1y", "text =\r\nmore\r\n", "= \tx", "=\r\r\n", "a\t \n", "Caf=C3=A9 cr=C3=A8me\r\n"};
  for (const char* in : decode_inputs) {
    INFO("decode: " << in);
    dec_all(in);
    dec_all(in, {.strict = true});
  }
  const char* const encode_inputs[] = {
      "", " ", "a ", "a \r\n", "From x", ".x\r\n.y", "a\r", "\r\r\n", "\xE9\xE9\xE9\xE9",
      "tab\there \t\r\nend\t", "0123456789012345678901234567890 \r\n"};
  for (const char* in : encode_inputs) {
    INFO("encode: " << in);
    for (const std::size_t L : {4, 5, 6, 76}) {
      qp::encode_options o;
      o.line_length = L;
      o.protect_dot = true;
      o.protect_from = true;
      enc_all(in, o);
      o.binary = true;
      enc_all(in, o);
    }
  }
  // Longer inputs (strided splits) at every SIMD level, so the bulk kernels are cut too.
  std::mt19937_64 rng(76);
  for (const level l : all_levels) {
    level_guard g(l);
    const std::string q = random_qp(rng, 700);
    dec_all(q);
    dec_all(q, {.strict = true});
    const std::string t = random_text(rng, 700, false, false);
    enc_all(t);
    enc_all(t, random_options(rng));
  }
}

TEST_CASE("qp: round trips over random sizes 0-100000", "[qp][property]") {
  std::mt19937_64 rng(0x5170);
  for (int iter = 0; iter < 40; ++iter) {
    const std::size_t n = iter < 4 ? static_cast<std::size_t>(iter) : rng() % 100001;
    const int kind = iter % 4;
    qp::encode_options o = random_options(rng);
    std::string data;
    if (kind == 0) {
      data = random_bytes(rng, n);
      o.binary = true;
    } else {
      const bool lf = o.eol == mailwire::line_ending::lf;
      data = random_text(rng, n, lf, !lf);  // line breaks as the encoder writes them
      if (kind == 3) o.binary = true;
    }
    INFO("iteration " << iter << " size " << n);
    const std::string e = qp::encode(data, o);
    REQUIRE(e.size() <= qp::max_encoded_size(n, o));
    check_encoded(e, o);
    std::string d;
    const auto r = qp::decode(e, d, {.strict = true});
    REQUIRE(r.st == status::event);
    REQUIRE(d == data);
    // Streaming in random pieces gives the same.
    const auto se = run_random_chunks(
        qp::stream_encoder(o),
        [](qp::stream_encoder& c, std::string_view i, std::span<char> out, bool fin) {
          return c.encode(i, out, fin);
        },
        data, rng);
    REQUIRE(se.st == status::event);
    REQUIRE(se.output == e);
    const auto sd = run_random_chunks(
        qp::stream_decoder(),
        [](qp::stream_decoder& c, std::string_view i, std::span<char> out, bool fin) {
          return c.decode(i, out, fin);
        },
        e, rng);
    REQUIRE(sd.st == status::event);
    REQUIRE(sd.output == data);
  }
}

TEST_CASE("qp: encoder and decoder agree with byte-by-byte reference models", "[qp][property]") {
  std::mt19937_64 rng(0x2045);
  for (int iter = 0; iter < 150; ++iter) {
    const std::size_t n = rng() % (iter % 10 == 0 ? 30000 : 800);
    std::string q = iter % 3 ? random_qp(rng, n) : qp::encode(random_text(rng, n, false, false));
    if (iter % 4 == 0 && !q.empty())
      for (int k = 0; k < 3; ++k) {
        const std::size_t at = rng() % q.size();
        q[at] = "= \r\na"[rng() % 5];
      }
    const std::string t = iter % 2 ? random_text(rng, n, false, false) : random_bytes(rng, n);
    const qp::encode_options o = random_options(rng);
    const std::string want_enc = model_encode(t, o);
    const model_decoded want_lenient = model_decode(q, false), want_strict = model_decode(q, true);
    for (const level l : all_levels) {
      level_guard g(l);
      INFO("iteration " << iter << " level " << mailwire::simd::to_string(l));
      REQUIRE(qp::encode(t, o) == want_enc);
      for (const bool strict : {false, true}) {
        const model_decoded& want = strict ? want_strict : want_lenient;
        qp::stream_decoder d({.strict = strict});
        std::string out(q.size(), '\0');
        const auto r = d.decode(q, std::span<char>(out), true);
        out.resize(r.produced);
        REQUIRE(out == want.out);
        REQUIRE(static_cast<int>(r.error) == want.error);
        if (want.error != 0) {
          REQUIRE(r.st == status::error);
          REQUIRE(r.error_offset == want.offset);
        } else {
          REQUIRE(r.st == status::event);
          REQUIRE(d.defects() == want.defects);
        }
      }
    }
  }
}

TEST_CASE("qp: SIMD paths agree with scalar", "[qp][simd]") {
  std::mt19937_64 rng(0xAB5);
  for (int iter = 0; iter < 60; ++iter) {
    const std::size_t n = rng() % (iter < 30 ? 600 : 20000);
    const std::string q = iter % 3 == 0 ? qp::encode(random_text(rng, n, false, false))
                                        : random_qp(rng, n);
    const bool strict = iter % 2 == 1;
    const std::string t = iter % 2 ? random_text(rng, n, false, false) : random_bytes(rng, n);
    const qp::encode_options o = random_options(rng);
    struct result {
      std::string out;
      mailwire::codec_result<qp::errc> r;
      std::uint32_t defects;
      std::string enc;
    };
    auto run = [&](level l) {
      level_guard g(l);
      result res;
      qp::stream_decoder d({.strict = strict});
      res.out.resize(q.size());
      res.r = d.decode(q, std::span<char>(res.out), true);
      res.out.resize(res.r.produced);
      res.defects = d.defects();
      res.enc = qp::encode(t, o);
      return res;
    };
    const result ref = run(level::scalar);
    for (const level l : all_levels) {
      INFO("iteration " << iter << " level " << mailwire::simd::to_string(l));
      const result x = run(l);
      REQUIRE(x.out == ref.out);
      REQUIRE(x.r.st == ref.r.st);
      REQUIRE(x.r.error == ref.r.error);
      REQUIRE(x.r.error_offset == ref.r.error_offset);
      REQUIRE(x.r.consumed == ref.r.consumed);
      REQUIRE(x.defects == ref.defects);
      REQUIRE(x.enc == ref.enc);
    }
  }
}

// --- RFC 2047 "Q" -----------------------------------------------------------------------------

TEST_CASE("q: RFC 2047 section 8 examples", "[qp][q]") {
  const std::pair<const char*, const char*> words[] = {
      {"Keld_J=F8rn_Simonsen", "Keld J\xF8rn Simonsen"},
      {"Andr=E9", "Andr\xE9"},
      {"Keith_Moore", "Keith Moore"},
      {"Patrik_F=E4ltstr=F6m", "Patrik F\xE4ltstr\xF6m"},
      {"a", "a"},
      {"a_b", "a b"},
  };
  for (const auto& [word, text] : words) {
    std::string d;
    const auto r = qp::q_decode(word, d, {.strict = true});
    CHECK(r.st == status::event);
    CHECK(d == text);
    CHECK(qp::q_encode(text) == word);
    CHECK(qp::q_encoded_size(text) == std::string_view(word).size());
  }
}

TEST_CASE("q: the literal characters of each section 5 context", "[qp][q]") {
  CHECK(qp::q_encode("a b=c?d_e", qp::q_context::text) == "a_b=3Dc=3Fd=5Fe");
  CHECK(qp::q_encode("(x) \"y\"", qp::q_context::text) == "(x)_\"y\"");
  CHECK(qp::q_encode("(x) \"y\"", qp::q_context::comment) == "=28x=29_=22y=22");
  CHECK(qp::q_encode("Az09!*+-/", qp::q_context::phrase) == "Az09!*+-/");
  CHECK(qp::q_encode(".,;:<>@", qp::q_context::phrase) == "=2E=2C=3B=3A=3C=3E=40");
  CHECK(qp::q_encode(".,;:<>@", qp::q_context::text) == ".,;:<>@");
  CHECK(qp::q_encode("\t\r\n\x7F", qp::q_context::text) == "=09=0D=0A=7F");
  // Whole units only when the buffer is short.
  char buf[4];
  CHECK(qp::q_encode("ab\xE9", std::span<char>(buf), qp::q_context::phrase) == 2);
}

TEST_CASE("q: decoding irregular input", "[qp][q]") {
  std::string d;
  CHECK(qp::q_decode("=e9_=G1=4", d).st == status::event);
  CHECK(d == "\xE9 =G1=4");
  d.clear();
  CHECK(qp::q_decode("a=\r\nb", d).st == status::event);  // no soft breaks in an encoded-word
  CHECK(d == "a=\r\nb");
  auto r = qp::q_decode("ab=e9", d, {.strict = true});
  CHECK(r.st == status::error);
  CHECK(r.error == qp::errc::lowercase_hex);
  CHECK(r.error_offset == 2);
  r = qp::q_decode("abc_=", d, {.strict = true});
  CHECK(r.st == status::error);
  CHECK(r.error == qp::errc::malformed_escape);
  CHECK(r.error_offset == 4);
  char small[2];
  r = qp::q_decode("abc", std::span<char>(small));
  CHECK(r.st == status::paused);
  CHECK(r.consumed == 2);
}

TEST_CASE("q: round trips in each context", "[qp][q][property]") {
  std::mt19937_64 rng(2047);
  for (const auto ctx : {qp::q_context::text, qp::q_context::comment, qp::q_context::phrase}) {
    for (int iter = 0; iter < 200; ++iter) {
      const std::string data = iter % 2 ? random_bytes(rng, rng() % 100)
                                        : random_text(rng, rng() % 100, false, false);
      const std::string e = qp::q_encode(data, ctx);
      REQUIRE(e.size() == qp::q_encoded_size(data, ctx));
      for (std::size_t k = 0; k < e.size(); ++k) {
        const char c = e[k];
        if (c == '=') {
          REQUIRE(k + 2 < e.size());
          REQUIRE(is_upper_hex(e[k + 1]));
          REQUIRE(is_upper_hex(e[k + 2]));
          k += 2;
          continue;
        }
        REQUIRE(c > 32);
        REQUIRE(c < 127);
        REQUIRE(std::string_view("?=").find(c) == std::string_view::npos);
        if (ctx == qp::q_context::comment) REQUIRE(std::string_view("()\"").find(c) == std::string_view::npos);
        if (ctx == qp::q_context::phrase)
          REQUIRE((std::isalnum(static_cast<unsigned char>(c)) ||
                   std::string_view("!*+-/_").find(c) != std::string_view::npos));
      }
      std::string d;
      REQUIRE(qp::q_decode(e, d, {.strict = true}).st == status::event);
      REQUIRE(d == data);
    }
  }
}
