// fuzz/q_roundtrip.cpp — round-trip target for the "Q" encoding of RFC 2047 section 4.2
// (mailwire::qp::q_encode / q_decode), in each context of section 5 (DESIGN.md section 9).
//
// The whole input is the data (no option bytes). For each q_context:
// - q_encode into an exact-size buffer of q_encoded_size() writes exactly that many characters,
//   and the std::string overload agrees;
// - every character of the result is allowed in that context: "=XX" (upper-case hex), "_"
//   (space), or a literal: printable ASCII but "=", "?", "_" in text (section 5 (1)); also not
//   "(", ")", '"' in a comment (section 5 (2)); only letters, digits and "!*+-/" in a phrase
//   (section 5 (3));
// - reading the result back with those rules, and q_decode in strict mode, give the input.
// Parse-anything and differential: q_decode of the raw input, lenient and strict, into an
// exact-size buffer, equals reference_q_decode() (a restatement of the rules of q_decode), and
// the std::string overload agrees; lenient mode never fails; when strict mode succeeds both
// modes agree.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "mailwire/codec/quoted_printable.hpp"

namespace {

namespace qp = mailwire::qp;
using mailwire::status;

bool allowed_literal(unsigned char c, qp::q_context ctx) noexcept {
  const bool letter_digit = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  switch (ctx) {
    case qp::q_context::phrase:
      return letter_digit || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
    case qp::q_context::comment:
      if (c == '(' || c == ')' || c == '"') return false;
      [[fallthrough]];
    case qp::q_context::text:
      return c > ' ' && c < 127 && c != '=' && c != '?' && c != '_';
  }
  return false;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lower case is not what an encoder writes
}

/// Reads a q_encode result with the rules of the context; traps on anything else.
std::string read_back(std::string_view enc, qp::q_context ctx) {
  std::string out;
  for (std::size_t i = 0; i < enc.size(); ++i) {
    const auto c = static_cast<unsigned char>(enc[i]);
    if (c == '=') {
      MW_FUZZ_CHECK(i + 2 < enc.size());
      const int hi = hex_value(enc[i + 1]), lo = hex_value(enc[i + 2]);
      MW_FUZZ_CHECK(hi >= 0 && lo >= 0);
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '_') {
      out.push_back(' ');
    } else {
      MW_FUZZ_CHECK(allowed_literal(c, ctx));
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

int any_hex(char c, bool& lower) noexcept {
  if (c >= 'a' && c <= 'f') {
    lower = true;
    return c - 'a' + 10;
  }
  return hex_value(c);
}

mwfuzz::outcome<qp::errc> reference_q_decode(std::string_view in, bool strict) {
  mwfuzz::outcome<qp::errc> r;
  r.st = status::event;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '=') {
      bool lower = false;
      const int hi = i + 1 < in.size() ? any_hex(in[i + 1], lower) : -1;
      const int lo = i + 2 < in.size() ? any_hex(in[i + 2], lower) : -1;
      if (hi >= 0 && lo >= 0 && !(lower && strict)) {
        r.output.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else if (strict) {
        r.st = status::error;
        r.error = hi >= 0 && lo >= 0 ? qp::errc::lowercase_hex : qp::errc::malformed_escape;
        r.error_offset = i;
        return r;
      } else {
        r.output.push_back('=');
      }
    } else {
      r.output.push_back(c == '_' ? ' ' : c);
    }
  }
  return r;
}

mwfuzz::outcome<qp::errc> q_decode_raw(std::string_view in, bool strict) {
  qp::decode_options o;
  o.strict = strict;
  mwfuzz::heap_buffer out(in.size());
  const auto r = qp::q_decode(in, out.span(), o);
  MW_FUZZ_CHECK(r.produced <= in.size());
  MW_FUZZ_CHECK(r.st == status::event || (strict && r.st == status::error));
  if (r.st == status::event) MW_FUZZ_CHECK(r.consumed == in.size());
  mwfuzz::outcome<qp::errc> res;
  res.output.assign(out.data(), r.produced);
  res.st = r.st;
  res.error = r.error;
  res.error_offset = r.st == status::error ? r.error_offset : 0;
  std::string s = "prefix";
  const auto q = qp::q_decode(in, s, o);
  MW_FUZZ_CHECK(q.st == r.st && q.error == r.error);
  MW_FUZZ_CHECK(s.substr(0, 6) == "prefix" && s.substr(6) == res.output);
  return res;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  for (auto ctx : {qp::q_context::text, qp::q_context::comment, qp::q_context::phrase}) {
    const std::size_t n = qp::q_encoded_size(in, ctx);
    mwfuzz::heap_buffer enc(n);
    MW_FUZZ_CHECK(qp::q_encode(in, enc.span(), ctx) == n);
    MW_FUZZ_CHECK(qp::q_encode(in, ctx) == enc.view());
    MW_FUZZ_CHECK(read_back(enc.view(), ctx) == in);

    qp::decode_options strict;
    strict.strict = true;
    mwfuzz::heap_buffer back(in.size());
    const auto r = qp::q_decode(enc.view(), back.span(), strict);
    MW_FUZZ_CHECK(r.st == status::event && r.error == qp::errc::ok);
    MW_FUZZ_CHECK(r.consumed == n);
    MW_FUZZ_CHECK(back.view().substr(0, r.produced) == in);
    std::string s = "prefix";
    const auto q = qp::q_decode(enc.view(), s, strict);
    MW_FUZZ_CHECK(q.st == status::event && s.substr(0, 6) == "prefix" && s.substr(6) == in);
  }

  // Parse-anything and differential, on the raw input.
  const auto lenient = q_decode_raw(in, false);
  const auto strict = q_decode_raw(in, true);
  MW_FUZZ_CHECK(lenient == reference_q_decode(in, false));
  MW_FUZZ_CHECK(strict == reference_q_decode(in, true));
  if (strict.st == status::event) MW_FUZZ_CHECK(lenient == strict);
  return 0;
}
