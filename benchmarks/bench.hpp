// benchmarks/bench.hpp — shared pieces of mailwire-bench: the generated inputs and the registry
// of implementations (mailwire and its peers), each behind one uniform call.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mwbench {

/// The benchmark groups; each has a name (the part before '/' in a benchmark name).
enum class group {
  b64_decode_mime,   ///< base64 with 76 columns + CRLF -> bytes
  b64_decode_plain,  ///< base64 on one line -> bytes
  b64_encode_mime,   ///< bytes -> base64 in lines (each peer's own line format)
  b64_encode_plain,  ///< bytes -> base64 on one line
  qp_decode_text,    ///< quoted-printable -> mixed European text
  qp_encode_text,    ///< mixed European text -> quoted-printable
};

[[nodiscard]] std::string_view group_name(group g) noexcept;

/// One call of an implementation: reads `in`, writes into `out` (sized generously by the
/// caller) and returns a view of its output, which is in `out` or in storage the
/// implementation owns until its next call. A view with data() == nullptr means failure.
using codec_fn = std::function<std::string_view(std::string_view in, std::span<char> out)>;

struct impl {
  group g;
  std::string name;  ///< the part after '/' in the benchmark name
  std::string note;  ///< what differs from the task (e.g. "LF@64"); the line format is added
  codec_fn fn;
};

using registry = std::vector<impl>;

/// The inputs every benchmark uses, all generated from fixed seeds.
struct inputs {
  std::string raw;        ///< 1 MiB of random bytes
  std::string b64_mime;   ///< raw in base64, 76 columns + CRLF (RFC 2045 section 6.8)
  std::string b64_plain;  ///< raw in base64 on one line (RFC 4648)
  std::string text;       ///< 1 MiB of mixed European UTF-8 text, CRLF every ~70 columns
  std::string qp;         ///< text in quoted-printable (mailwire's encoder, CRLF, 76 columns)
};

/// 1 MiB of random bytes from a fixed seed.
[[nodiscard]] std::string random_bytes(std::size_t n, unsigned long long seed);
/// `n` bytes of deterministic text mixing French, German, Spanish, Portuguese, Polish, Czech,
/// Swedish... words, about one byte in six outside ASCII, lines of at most ~70 columns + CRLF.
[[nodiscard]] std::string european_text(std::size_t n, unsigned long long seed);

// Peers: each adds the groups it can do. Defined in peer_<name>.cpp, compiled only when the
// library was found (MAILWIRE_BENCH_HAVE_<NAME>).
void add_gmime(registry& r);
void add_glib(registry& r);
void add_openssl(registry& r);
void add_libb64(registry& r);
void add_modp(registry& r);
void add_nettle(registry& r);
void add_sodium(registry& r);
void add_baseencode(registry& r);
void add_vmime(registry& r);
void add_mimetic(registry& r);
void add_etpan(registry& r);

/// A view that marks failure.
inline std::string_view failed() noexcept { return {}; }

}  // namespace mwbench
