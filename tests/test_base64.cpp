// Tests of mailwire/codec/base64.hpp: RFC 4648 section 10 vectors, RFC 2045 section 6.8 wrapping,
// strict-mode errors with offsets, MIME-mode defects, every chunking, round trips over random
// sizes, and every SIMD path against the scalar one.
#include <catch2/catch.hpp>

#include <mailwire/codec/base64.hpp>

#include <random>
#include <string>
#include <vector>

#include "chunking.hpp"

namespace b64 = mailwire::base64;
using mailwire::status;
using mailwire::simd::level;

namespace {

struct level_guard {
  explicit level_guard(level l) { mailwire::simd::set_limit(l); }
  ~level_guard() { mailwire::simd::set_limit(level::best); }
};

const level all_levels[] = {level::scalar, level::neon, level::avx2, level::avx512vbmi, level::best};

mwtest::outcome decode_all_chunkings(std::string_view in, b64::decode_options o = {}) {
  return mwtest::check_every_chunking(
      [o] { return b64::stream_decoder(o); },
      [](b64::stream_decoder& d, std::string_view i, std::span<char> out, bool fin) {
        return d.decode(i, out, fin);
      },
      in);
}

mwtest::outcome encode_all_chunkings(std::string_view in, b64::encode_options o = {}) {
  return mwtest::check_every_chunking(
      [o] { return b64::stream_encoder(o); },
      [](b64::stream_encoder& e, std::string_view i, std::span<char> out, bool fin) {
        return e.encode(i, out, fin);
      },
      in);
}

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

struct strict_case {
  const char* input;
  b64::errc error;
  std::uint64_t offset;
};

}  // namespace

TEST_CASE("base64: RFC 4648 section 10 test vectors", "[base64]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (level l : all_levels) {
    level_guard g(l);
    for (auto [plain, encoded] : vectors) {
      INFO("level " << mailwire::simd::to_string(l) << " input '" << plain << "'");
      CHECK(b64::encode(plain) == encoded);
      CHECK(b64::encoded_size(std::string_view(plain).size()) == std::string_view(encoded).size());
      for (bool strict : {false, true}) {
        std::string out;
        auto r = b64::decode(encoded, out, {.strict = strict});
        CHECK(r.st == status::event);
        CHECK(out == plain);
      }
      auto w = decode_all_chunkings(encoded, {.strict = true});
      CHECK(w.output == plain);
      CHECK(w.st == status::event);
      CHECK(encode_all_chunkings(plain).output == encoded);
    }
  }
}

TEST_CASE("base64: RFC 4648 section 5 URL and filename safe alphabet", "[base64]") {
  const std::string bytes("\xfb\xff\xbf\x00\x10\x83", 6);
  CHECK(b64::encode(bytes) == "+/+/ABCD");
  CHECK(b64::encode(bytes, {.alpha = b64::alphabet::url}) == "-_-_ABCD");
  CHECK(b64::encode("\xfb", {.alpha = b64::alphabet::url, .padding = false}) == "-w");
  std::string out;
  CHECK(b64::decode("-_-_ABCD", out, {.alpha = b64::alphabet::url, .strict = true}).st ==
        status::event);
  CHECK(out == bytes);
  // '+' and '/' are not in the URL alphabet: strict rejects them, MIME skips them.
  auto r = b64::decode("+/-_", out, {.alpha = b64::alphabet::url, .strict = true});
  CHECK(r.st == status::error);
  CHECK(r.error == b64::errc::invalid_character);
  CHECK(r.error_offset == 0);
  out.clear();
  CHECK(b64::decode("-w", out, {.alpha = b64::alphabet::url, .strict = true,
                                .require_padding = false}).st == status::event);
  CHECK(out == "\xfb");
}

TEST_CASE("base64: RFC 2045 section 6.8 line wrapping", "[base64]") {
  const std::string data(57 * 3 + 1, 'x');  // three full lines of 76 characters and one of 4
  const auto mime = b64::encode_options::mime();
  const std::string e = b64::encode(data, mime);
  REQUIRE(e.size() == b64::encoded_size(data.size(), mime));
  REQUIRE(e.size() == 3 * 78 + 4 + 2);
  for (int line = 0; line < 3; ++line) {
    CHECK(e.substr(static_cast<std::size_t>(line) * 78 + 76, 2) == "\r\n");
    CHECK(e.substr(static_cast<std::size_t>(line) * 78, 76).find_first_of("\r\n") == std::string::npos);
  }
  CHECK(e.substr(3 * 78) == "eA==\r\n");
  // Exactly one full line: one line break, at the end.
  CHECK(b64::encode(std::string(57, 'x'), mime).size() == 78);
  // Options: LF, no final line break, odd widths.
  b64::encode_options lf = mime;
  lf.eol = mailwire::line_ending::lf;
  lf.final_line_break = false;
  const std::string e2 = b64::encode(data, lf);
  CHECK(e2.size() == b64::encoded_size(data.size(), lf));
  CHECK(e2.back() == '=');
  CHECK(e2.find('\r') == std::string::npos);
  b64::encode_options narrow;
  narrow.line_length = 7;
  CHECK(b64::encode("foobar", narrow) == "Zm9vYmF\r\ny\r\n");
  narrow.line_length = 1;
  CHECK(b64::encode("f", narrow) == "Z\r\ng\r\n=\r\n=\r\n");
  CHECK(b64::encode("", mime).empty());
  // Decoding the wrapped form gives the data back (MIME mode skips the line breaks).
  std::string back;
  CHECK(b64::decode(e, back).st == status::event);
  CHECK(back == data);
}

TEST_CASE("base64: strict mode errors carry the offending offset", "[base64]") {
  const strict_case cases[] = {
      {"Zm9v\r\nYmFy", b64::errc::invalid_character, 4},
      {"Zm9v YmFy", b64::errc::invalid_character, 4},
      {"Zm\x80v", b64::errc::invalid_character, 2},
      {"Zm9v-mFy", b64::errc::invalid_character, 4},
      {"Zg=", b64::errc::missing_padding, 3},
      {"Zg", b64::errc::missing_padding, 2},
      {"Zm8", b64::errc::missing_padding, 3},
      {"Z", b64::errc::truncated_quantum, 1},
      {"Zm9vY", b64::errc::truncated_quantum, 5},
      {"Z===", b64::errc::bad_padding, 1},
      {"=Zg=", b64::errc::bad_padding, 0},
      {"Zg=a", b64::errc::bad_padding, 3},
      {"Zg===", b64::errc::bad_padding, 4},
      {"Zg==Zg==", b64::errc::data_after_padding, 4},
      {"Zg==\r\n", b64::errc::data_after_padding, 4},
      {"Zh==", b64::errc::nonzero_pad_bits, 1},
      {"Zm9=", b64::errc::nonzero_pad_bits, 2},
  };
  for (level l : all_levels) {
    level_guard g(l);
    for (const auto& c : cases) {
      INFO("level " << mailwire::simd::to_string(l) << " input '" << c.input << "'");
      auto w = decode_all_chunkings(c.input, {.strict = true});
      CHECK(w.st == status::error);
      CHECK(w.error == static_cast<int>(c.error));
      CHECK(w.error_offset == c.offset);
    }
  }
  // The error is sticky until reset(); after reset() the decoder is as new.
  b64::stream_decoder d({.strict = true});
  char buf[16];
  CHECK(d.decode("Z!", buf, false).st == status::error);
  auto again = d.decode("Zm9v", buf, true);
  CHECK(again.st == status::error);
  CHECK(again.error == b64::errc::invalid_character);
  CHECK(again.error_offset == 1);
  d.reset();
  auto ok = d.decode("Zm9v", buf, true);
  CHECK(ok.st == status::event);
  CHECK(std::string_view(buf, ok.produced) == "foo");
  // Error offsets count from the first byte ever given, across calls.
  b64::stream_decoder d2({.strict = true});
  CHECK(d2.decode("Zm9vYmFy", buf, false).st == status::need_more);
  auto bad = d2.decode("Zm9v*", buf, false);
  CHECK(bad.error_offset == 12);
}

TEST_CASE("base64: MIME mode skips noise and records defects", "[base64]") {
  struct mime_case {
    const char* input;
    const char* output;
    std::uint32_t defects;
  };
  auto bit = [](b64::errc e) { return 1u << static_cast<unsigned>(e); };
  const mime_case cases[] = {
      {"Zm9v\r\nYmFy\r\n", "foobar", 0},
      {"Zm9v\nYmFy\n", "foobar", 0},
      {" Zm 9v\tYm\fFy ", "foobar", 0},
      {"Zm9v!YmFy", "foobar", bit(b64::errc::invalid_character)},
      {"Zm9vYg==\r\nIGNORED", "foob", bit(b64::errc::data_after_padding)},
      {"Zm9vYg==\r\n", "foob", 0},
      {"Zm9vYg", "foo", bit(b64::errc::missing_padding)},
      {"Zm9vYg=", "foo", bit(b64::errc::missing_padding)},
      {"Zm9vY", "foo", bit(b64::errc::truncated_quantum)},
      {"Zg=Zm9v", "f\x06""f", bit(b64::errc::bad_padding) | bit(b64::errc::missing_padding)},
      {"=Zm9v", "foo", bit(b64::errc::bad_padding)},
      {"Zh==", "f", bit(b64::errc::nonzero_pad_bits)},
      {"", "", 0},
      {"\r\n\r\n", "", 0},
  };
  for (level l : all_levels) {
    level_guard g(l);
    for (const auto& c : cases) {
      INFO("level " << mailwire::simd::to_string(l) << " input '" << c.input << "'");
      auto w = decode_all_chunkings(c.input);
      CHECK(w.st == status::event);
      CHECK(w.output == c.output);
      b64::stream_decoder d;
      std::string out(64, '\0');
      auto r = d.decode(c.input, out, true);
      CHECK(r.st == status::event);
      CHECK(d.defects() == c.defects);
    }
  }
}

TEST_CASE("base64: require_padding = false decodes an unpadded final quantum in both modes",
          "[base64]") {
  for (bool strict : {false, true}) {
    b64::stream_decoder d({.strict = strict, .require_padding = false});
    std::string out(8, '\0');
    auto r = d.decode("Zm9vYg", out, true);
    CHECK(r.st == status::event);
    CHECK(out.substr(0, r.produced) == "foob");
    CHECK(d.defects() == 0);
    // Incomplete padding is still wrong: dropped (MIME) or an error (strict).
    b64::stream_decoder d2({.strict = strict, .require_padding = false});
    r = d2.decode("Zm9vYg=", out, true);
    CHECK(r.st == (strict ? status::error : status::event));
    CHECK(r.produced == 3);
  }
}

TEST_CASE("base64: input after the final call is host misuse", "[base64]") {
  char buf[8];
  b64::stream_decoder d;
  CHECK(d.decode("Zg==", buf, true).st == status::event);
  auto r = d.decode("Zg==", buf, true);
  CHECK(r.st == status::error);
  CHECK(r.error == b64::errc::local_input_after_final);
  b64::stream_encoder e;
  CHECK(e.encode("f", buf, true).st == status::event);
  CHECK(e.encode("f", buf, true).error == b64::errc::local_input_after_final);
  // An empty final call after the end is harmless.
  b64::stream_encoder e2;
  CHECK(e2.encode("f", buf, true).st == status::event);
  CHECK(e2.encode("", buf, true).st == status::event);
}

TEST_CASE("base64: std::error_code integration", "[base64]") {
  std::error_code ec = b64::errc::nonzero_pad_bits;
  CHECK(ec);
  CHECK(std::string(ec.category().name()) == "mailwire.base64");
  CHECK(ec.message() == "non-zero base64 pad bits");
  CHECK_FALSE(std::error_code(b64::errc::ok));
}

TEST_CASE("base64: every chunking of encoder and decoder", "[base64]") {
  std::mt19937_64 rng(20261123);
  std::vector<b64::encode_options> opts;
  opts.push_back({});
  opts.push_back(b64::encode_options::mime());
  opts.push_back({.alpha = b64::alphabet::url, .padding = false});
  opts.push_back({.line_length = 10, .eol = mailwire::line_ending::lf, .final_line_break = false});
  opts.push_back({.line_length = 6});
  for (std::size_t n : {0u, 1u, 2u, 3u, 5u, 13u, 40u, 58u, 100u, 300u}) {
    const std::string data = random_bytes(rng, n);
    for (const auto& o : opts) {
      auto e = encode_all_chunkings(data, o);
      REQUIRE(e.st == status::event);
      CHECK(e.output == b64::encode(data, o));
      CHECK(e.output.size() == b64::encoded_size(n, o));
      if (e.output.size() <= 200) {
        b64::decode_options d{.alpha = o.alpha};
        d.require_padding = o.padding;
        auto back = decode_all_chunkings(e.output, d);
        CHECK(back.output == data);
      }
    }
  }
}

TEST_CASE("base64: round trips over random sizes 0-100000", "[base64][property]") {
  std::mt19937_64 rng(4648);
  std::uniform_int_distribution<std::size_t> size(0, 100000);
  for (int iter = 0; iter < 80; ++iter) {
    const std::size_t n = iter < 8 ? static_cast<std::size_t>(iter) : size(rng);
    const std::string data = random_bytes(rng, n);
    b64::encode_options o;
    o.alpha = iter % 3 == 0 ? b64::alphabet::url : b64::alphabet::standard;
    o.padding = iter % 5 != 0;
    // Widths: none, MIME's 76, multiples of 4 on both sides of the 64-character SIMD block
    // (whole-line kernels), and widths that split quanta (portable path).
    const std::size_t widths[] = {0, 76, 4, 8, 60, 64, 68, 128, 132, 200, 3, 77, 101};
    o.line_length = iter % 2 ? widths[(iter / 2) % 13] : (iter % 4 == 0 ? 76 : 4 * (rng() % 60 + 1));
    o.eol = iter % 7 == 0 ? mailwire::line_ending::lf : mailwire::line_ending::crlf;
    std::string reference;
    for (level l : all_levels) {
      level_guard g(l);
      INFO("iteration " << iter << " n=" << n << " level " << mailwire::simd::to_string(l));
      const std::string e = b64::encode(data, o);
      REQUIRE(e.size() == b64::encoded_size(n, o));
      if (l == level::scalar) reference = e;
      REQUIRE(e == reference);
      std::string back;
      auto r = b64::decode(e, back, {.alpha = o.alpha, .require_padding = o.padding});
      REQUIRE(r.st == status::event);
      REQUIRE(back == data);
      if (o.line_length == 0) {
        back.clear();
        r = b64::decode(e, back, {.alpha = o.alpha, .strict = true, .require_padding = o.padding});
        REQUIRE(r.st == status::event);
        REQUIRE(back == data);
      }
    }
  }
}

TEST_CASE("base64: SIMD paths agree with scalar on noisy input", "[base64][simd]") {
  INFO("detected level: " << mailwire::simd::to_string(mailwire::simd::detected()));
  std::mt19937_64 rng(2045);
  const char noise[] = " \t\r\n!*=-_\x80\xff.";
  for (int iter = 0; iter < 300; ++iter) {
    // Valid base64 with line breaks of random widths, sprinkled with noise.
    const std::string data = random_bytes(rng, rng() % 3000);
    b64::encode_options o;
    o.line_length = 4 * (rng() % 30) + (rng() % 4 == 0 ? rng() % 4 : 0);
    o.eol = rng() % 2 ? mailwire::line_ending::lf : mailwire::line_ending::crlf;
    std::string text = b64::encode(data, o);
    const std::size_t sprinkles = rng() % 4 == 0 ? 0 : rng() % 8;
    for (std::size_t k = 0; k < sprinkles && !text.empty(); ++k)
      text.insert(text.begin() + static_cast<std::ptrdiff_t>(rng() % text.size()),
                  noise[rng() % (sizeof noise - 1)]);
    if (rng() % 10 == 0 && !text.empty()) text.resize(rng() % text.size());
    for (bool strict : {false, true}) {
      std::string ref_out;
      mailwire::codec_result<b64::errc> ref{};
      std::uint32_t ref_defects = 0;
      for (level l : all_levels) {
        level_guard g(l);
        b64::stream_decoder d({.strict = strict});
        std::string out(b64::max_decoded_size(text.size()), '\0');
        auto r = d.decode(text, out, true);
        out.resize(r.produced);
        INFO("iteration " << iter << " strict " << strict << " level "
                          << mailwire::simd::to_string(l));
        if (l == level::scalar) {
          ref_out = out;
          ref = r;
          ref_defects = d.defects();
          if (!strict && sprinkles == 0) CHECK(out == data.substr(0, out.size()));
          continue;
        }
        CHECK(r.st == ref.st);
        CHECK(r.error == ref.error);
        CHECK(r.error_offset == ref.error_offset);
        CHECK(out == ref_out);
        CHECK(d.defects() == ref_defects);
      }
    }
  }
}

TEST_CASE("base64: size helpers", "[base64]") {
  CHECK(b64::encoded_size(0) == 0);
  CHECK(b64::encoded_size(1) == 4);
  CHECK(b64::encoded_size(1, {.padding = false}) == 2);
  CHECK(b64::encoded_size(2, {.padding = false}) == 3);
  CHECK(b64::encoded_size(3, {.padding = false}) == 4);
  CHECK(b64::encoded_size(57, b64::encode_options::mime()) == 78);
  CHECK(b64::encoded_size(58, b64::encode_options::mime()) == 84);
  CHECK(b64::max_decoded_size(4) == 3);
  CHECK(b64::max_decoded_size(6) == 4);
  CHECK(b64::max_decoded_size(5) == 3);
  CHECK(b64::decoded_size("Zm9vYg==") == 4);
  CHECK(b64::decoded_size("Zm9vYmE=") == 5);
  CHECK(b64::decoded_size("Zm9vYmFy") == 6);
  CHECK(b64::decoded_size("Zm9vYg") == 4);
}
