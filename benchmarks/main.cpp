// benchmarks/main.cpp — mailwire-bench: mailwire's base64 and quoted-printable codecs, MIME
// parser and address lists (mime_bench.cpp), SMTP DATA and commands (smtp_bench.cpp) against
// the peers found at build time, in one binary so that every ratio comes from one run.
//
// Benchmarks are named GROUP/IMPL and report bytes_per_second; every one has a `size` counter
// (bytes counted per iteration) so a script can match it with the memcpy baseline of the same
// size. Before timing, each implementation's output is checked once (decodes back to the same
// bytes, or equals mailwire's output modulo the line format); a wrong one is skipped with an
// error instead of timed. The label says what differs: line format, SIMD level, allocation.
//
//   mailwire-bench [google benchmark flags]
//   mailwire-bench --dump-inputs DIR   # writes the inputs (for scripts/bench.sh's Python rows),
//                                      # the mail corpora too (mail_corpus.hpp) and the
//                                      # SMTP inputs (smtp_bench.cpp)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bench.hpp"
#include "mailwire/codec/base64.hpp"
#include "mailwire/core/cpu.hpp"

#if __has_include("mailwire/codec/quoted_printable.hpp") && !defined(MAILWIRE_BENCH_NO_QP)
#include "mailwire/codec/quoted_printable.hpp"
#define MAILWIRE_BENCH_HAVE_QP 1
#else
#define MAILWIRE_BENCH_HAVE_QP 0
#endif

namespace mwbench {
namespace {

namespace b64 = mailwire::base64;
using mailwire::simd::level;

constexpr std::size_t input_size = std::size_t{1} << 20;
constexpr unsigned long long raw_seed = 0x6d61696c77697265ull;  // "mailwire"
constexpr unsigned long long text_seed = 20240601ull;

const inputs& the_inputs() {
  static const inputs in = [] {
    inputs v;
    v.raw = random_bytes(input_size, raw_seed);
    v.b64_mime = b64::encode(v.raw, b64::encode_options::mime());
    v.b64_plain = b64::encode(v.raw);
    v.text = european_text(input_size, text_seed);
#if MAILWIRE_BENCH_HAVE_QP
    std::string q(mailwire::qp::max_encoded_size(v.text.size(), {}), '\0');
    q.resize(mailwire::qp::encode(v.text, std::span<char>(q), {}));
    v.qp = std::move(q);
#endif
    return v;
  }();
  return in;
}

// ---------------------------------------------------------------------------------------------
// Checks, run once before timing.

std::string strip_eol(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (char c : s)
    if (c != '\r' && c != '\n') r += c;
  return r;
}

std::string crlf_to_lf(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) r += s[i];
  return r;
}

// "CRLF@76", "LF@64", "1 line": the line format of encoder output.
std::string line_format(std::string_view s) {
  std::size_t longest = 0, start = 0, lines = 0;
  bool crlf = false, lf = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\n') continue;
    const bool cr = i > start && s[i - 1] == '\r';
    (cr ? crlf : lf) = true;
    longest = std::max(longest, i - start - (cr ? 1 : 0));
    start = i + 1;
    ++lines;
  }
  longest = std::max(longest, s.size() - start);
  if (lines == 0) return "1 line";
  return std::string(crlf && lf ? "mixed" : crlf ? "CRLF" : "LF") + "@" + std::to_string(longest);
}

[[maybe_unused]] std::size_t longest_line(std::string_view s) {
  std::size_t longest = 0, start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] != '\n') continue;
    std::size_t len = i - start;
    if (len > 0 && i < s.size() && s[i - 1] == '\r') --len;
    longest = std::max(longest, len);
    start = i + 1;
  }
  return longest;
}

#if MAILWIRE_BENCH_HAVE_QP
std::string qp_decode_mailwire(std::string_view in) {
  std::string out(in.size(), '\0');
  const auto r = mailwire::qp::decode(in, std::span<char>(out));
  if (!r.ok()) return "<mailwire::qp::decode failed>";
  out.resize(r.produced);
  return out;
}

// Share of the text's bytes that `q` escapes as =XX (soft line breaks are not counted).
double escaped_share(std::string_view q, std::size_t text_size) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + 2 < q.size(); ++i)
    if (q[i] == '=' && std::isxdigit(static_cast<unsigned char>(q[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(q[i + 2])))
      ++n;
  return static_cast<double>(n) / static_cast<double>(text_size);
}
#endif

struct check {
  bool ok = true;
  std::string why;    // on failure
  std::string label;  // on success: what the output looks like
};

check verify(group g, std::string_view out) {
  const inputs& in = the_inputs();
  check c;
  if (out.data() == nullptr) return {false, "the implementation reported failure", ""};
  switch (g) {
    case group::b64_decode_mime:
    case group::b64_decode_plain:
      if (out != in.raw) return {false, "decoded bytes differ from the original", ""};
      break;
    case group::b64_encode_mime:
    case group::b64_encode_plain:
      if (strip_eol(out) != in.b64_plain)
        return {false, "output differs from mailwire's (line breaks aside)", ""};
      c.label = line_format(out);
      if (g == group::b64_encode_plain && c.label != "1 line")
        return {false, "output is not one line: " + c.label, ""};
      break;
    case group::qp_decode_text:
      if (out == in.text) break;
      if (crlf_to_lf(out) == crlf_to_lf(in.text) && out.find("\r\n") == std::string_view::npos) {
        c.label = "writes LF for CRLF";
        break;
      }
      return {false, "decoded text differs from the original", ""};
    case group::qp_encode_text: {
#if MAILWIRE_BENCH_HAVE_QP
      const std::string back = qp_decode_mailwire(out);
      if (crlf_to_lf(back) != crlf_to_lf(in.text))
        return {false, "mailwire::qp::decode of the output differs from the text", ""};
      // Hard line breaks: line ends not preceded by the '=' of a soft break.
      std::size_t hard_crlf = 0, hard_lf = 0;
      for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] != '\n') continue;
        const bool cr = i > 0 && out[i - 1] == '\r';
        const std::size_t k = cr ? i - 1 : i;
        if (k > 0 && out[k - 1] == '=') continue;
        ++(cr ? hard_crlf : hard_lf);
      }
      c.label = hard_crlf + hard_lf == 0 ? "no"
                : hard_lf == 0          ? "CRLF"
                : hard_crlf == 0        ? "LF"
                                        : "CRLF and LF";
      c.label += " hard breaks";
      if (back != in.text) c.label += " (decodes to LF text)";
      if (const std::size_t l = longest_line(out); l > 76)
        return {false, "a line of " + std::to_string(l) + " characters (RFC 2045 allows 76)", ""};
      char buf[128];
      std::snprintf(buf, sizeof buf, ", %.2fx size, 1 in %.1f escaped",
                    static_cast<double>(out.size()) / static_cast<double>(in.text.size()),
                    1.0 / escaped_share(out, in.text.size()));
      c.label += buf;
      // RFC 2045 section 6.7: CR and LF appear in the encoding only as CRLF line breaks.
      std::size_t bare_cr = 0;
      for (std::size_t i = 0; i < out.size(); ++i)
        bare_cr += out[i] == '\r' && (i + 1 == out.size() || out[i + 1] != '\n');
      if (bare_cr > 0) c.label += ", " + std::to_string(bare_cr) + " bare CR (not RFC 2045)";
#endif
      break;
    }
  }
  return c;
}

const std::string& input_of(group g) {
  const inputs& in = the_inputs();
  switch (g) {
    case group::b64_decode_mime: return in.b64_mime;
    case group::b64_decode_plain: return in.b64_plain;
    case group::b64_encode_mime:
    case group::b64_encode_plain: return in.raw;
    case group::qp_decode_text: return in.qp;
    case group::qp_encode_text: return in.text;
  }
  return in.raw;
}

// ---------------------------------------------------------------------------------------------
// mailwire itself, at each SIMD level.

void add_mailwire(registry& r) {
  std::vector<std::pair<std::string, level>> levels = {{"mailwire", level::best}};
  const level d = mailwire::simd::detected();
  if (d >= level::avx2 && d != level::best) levels.push_back({"mailwire_avx2", level::avx2});
  levels.push_back({"mailwire_scalar", level::scalar});
  for (const auto& [name, lvl] : levels) {
    const level cap = lvl;
    auto at = [cap](auto f) {
      return [cap, f](std::string_view in, std::span<char> out) {
        mailwire::simd::set_limit(cap);
        const std::string_view v = f(in, out);
        mailwire::simd::set_limit(level::best);
        return v;
      };
    };
    mailwire::simd::set_limit(cap);
    const std::string note(mailwire::simd::to_string(mailwire::simd::active()));
    mailwire::simd::set_limit(level::best);
    r.push_back({group::b64_decode_mime, name, note, at([](std::string_view in, std::span<char> out) {
                   const auto res = b64::decode(in, out);
                   return res.st == mailwire::status::event ? std::string_view(out.data(), res.produced)
                                                            : failed();
                 })});
    r.push_back({group::b64_decode_plain, name, note + " strict",
                 at([](std::string_view in, std::span<char> out) {
                   b64::decode_options o;
                   o.strict = true;
                   const auto res = b64::decode(in, out, o);
                   return res.st == mailwire::status::event ? std::string_view(out.data(), res.produced)
                                                            : failed();
                 })});
    r.push_back({group::b64_encode_mime, name, note, at([](std::string_view in, std::span<char> out) {
                   return std::string_view(out.data(),
                                           b64::encode(in, out, b64::encode_options::mime()));
                 })});
    r.push_back({group::b64_encode_plain, name, note, at([](std::string_view in, std::span<char> out) {
                   return std::string_view(out.data(), b64::encode(in, out));
                 })});
#if MAILWIRE_BENCH_HAVE_QP
    r.push_back({group::qp_decode_text, name, note, at([](std::string_view in, std::span<char> out) {
                   const auto res = mailwire::qp::decode(in, out);
                   return res.ok() ? std::string_view(out.data(), res.produced) : failed();
                 })});
    r.push_back({group::qp_encode_text, name, note, at([](std::string_view in, std::span<char> out) {
                   return std::string_view(out.data(), mailwire::qp::encode(in, out));
                 })});
#endif
  }
}

// ---------------------------------------------------------------------------------------------

void run_impl(benchmark::State& state, const impl& im) {
  const std::string& in = input_of(im.g);
  std::vector<char> out(4 * in.size() + 65536, '\1');
  const std::span<char> o(out);
  const check c = verify(im.g, im.fn(in, o));
  if (!c.ok) {
    state.SkipWithError(c.why.c_str());
    return;
  }
  for (auto _ : state) {
    const std::string_view v = im.fn(in, o);
    benchmark::DoNotOptimize(v.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(in.size()));
  state.counters["size"] = static_cast<double>(in.size());
#if MAILWIRE_BENCH_HAVE_QP
  if (im.g == group::qp_encode_text || im.g == group::qp_decode_text)
    state.counters["escaped_1_in"] =
        1.0 / escaped_share(the_inputs().qp, the_inputs().text.size());
#endif
  std::string label = im.note;
  if (!c.label.empty()) label += (label.empty() ? "" : ", ") + c.label;
  state.SetLabel(label);
}

void run_memcpy(benchmark::State& state, std::size_t n) {
  std::vector<char> src(the_inputs().b64_mime.begin(), the_inputs().b64_mime.end());
  src.resize(std::max(n, src.size()), 'x');
  std::vector<char> dst(n, '\0');
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), n);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(n));
  state.counters["size"] = static_cast<double>(n);
}

bool dump_inputs(const std::string& dir) {
  const inputs& in = the_inputs();
  const std::pair<const char*, const std::string*> files[] = {
      {"raw.bin", &in.raw},   {"base64_mime.txt", &in.b64_mime}, {"base64_plain.txt", &in.b64_plain},
      {"text.txt", &in.text}, {"qp.txt", &in.qp},
  };
  for (const auto& [name, data] : files) {
    std::ofstream f(dir + "/" + name, std::ios::binary);
    f.write(data->data(), static_cast<std::streamsize>(data->size()));
    if (!f) {
      std::fprintf(stderr, "mailwire-bench: cannot write %s/%s\n", dir.c_str(), name);
      return false;
    }
  }
  return dump_mime_inputs(dir) && dump_smtp_inputs(dir) && dump_pop3_inputs(dir);
}

}  // namespace
}  // namespace mwbench

int main(int argc, char** argv) {
  using namespace mwbench;
  // Our own flag first; Google Benchmark gets the rest.
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--dump-inputs" && i + 1 < argc) return dump_inputs(argv[i + 1]) ? 0 : 1;
    if (a.substr(0, 14) == "--dump-inputs=") return dump_inputs(std::string(a.substr(14))) ? 0 : 1;
    args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;

  static registry reg;  // outlives the benchmarks, which hold references into it
  add_mailwire(reg);
#ifdef MAILWIRE_BENCH_HAVE_GMIME
  add_gmime(reg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_GLIB
  add_glib(reg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_OPENSSL
  add_openssl(reg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_LIBB64
  add_libb64(reg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_MODP
  add_modp(reg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_NETTLE
  add_nettle(reg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_SODIUM
  add_sodium(reg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_BASEENCODE
  add_baseencode(reg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_VMIME
  add_vmime(reg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_MIMETIC
  add_mimetic(reg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_ETPAN
  add_etpan(reg);
#endif

  const inputs& in = the_inputs();
  std::map<std::size_t, std::string> sizes = {{in.raw.size(), "1MiB"}};
  sizes.emplace(in.b64_mime.size(), "base64_mime_size");
  sizes.emplace(in.b64_plain.size(), "base64_plain_size");
  if (!in.qp.empty()) sizes.emplace(in.qp.size(), "qp_size");
  for (const auto& [size, name] : sizes)
    benchmark::RegisterBenchmark(("memcpy/" + name).c_str(), run_memcpy, size);

  // Group by group, mailwire first, then the peers in the order they were added.
  for (group g : {group::b64_decode_mime, group::b64_decode_plain, group::b64_encode_mime,
                  group::b64_encode_plain, group::qp_decode_text, group::qp_encode_text}) {
    if ((g == group::qp_decode_text || g == group::qp_encode_text) && !MAILWIRE_BENCH_HAVE_QP)
      continue;
    for (const impl& im : reg)
      if (im.g == g)
        benchmark::RegisterBenchmark((std::string(group_name(g)) + "/" + im.name).c_str(),
                                     [&im](benchmark::State& s) { run_impl(s, im); });
  }
  // The MIME groups (mime_bench.cpp): whole messages and address lists.
  static mime_registry mreg;
  add_mailwire_mime(mreg);
#ifdef MAILWIRE_BENCH_HAVE_GMIME
  add_gmime_mime(mreg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_MIMETIC
  add_mimetic_mime(mreg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_ETPAN
  add_etpan_mime(mreg);
#endif
#ifdef MAILWIRE_BENCH_HAVE_VMIME
  add_vmime_mime(mreg);
#endif
  register_mime_benchmarks(mreg);
  // The SMTP groups (smtp_bench.cpp): DATA receive and stuffing, pipelined commands.
  register_smtp_benchmarks();
  register_pop3_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
