// benchmarks/bench.hpp — shared pieces of mailwire-bench: the generated inputs and the registry
// of implementations (mailwire and its peers), each behind one uniform call.
#pragma once

#include <cstddef>
#include <cstdint>
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

// ---- MIME groups (issue 4 section 5): whole messages and address lists ------------------------

/// The MIME benchmark groups; the corpora are in mail_corpus.hpp.
enum class mime_group {
  parse_decode_mailbox,  ///< mailbox: parse every message, decode every leaf body (base64/QP)
  parse_mailbox,         ///< mailbox: parse only (structure and events, no decoding)
  parse_decode_10mb,     ///< the 10 MB message: parse and decode
  address_list,          ///< address lists: parse, display names decoded to UTF-8
};

[[nodiscard]] std::string_view group_name(mime_group g) noexcept;
/// True for the groups whose inputs are messages (false: address lists).
[[nodiscard]] constexpr bool is_message_group(mime_group g) noexcept {
  return g != mime_group::address_list;
}
/// True for the groups that decode leaf bodies.
[[nodiscard]] constexpr bool decodes(mime_group g) noexcept {
  return g == mime_group::parse_decode_mailbox || g == mime_group::parse_decode_10mb;
}

/// What one pass over a corpus found, compared with the generator's numbers before timing.
struct mime_counts {
  std::uint64_t items = 0;     ///< messages (address lists) parsed without an error
  std::uint64_t leaves = 0;    ///< leaf parts found (address_list: mailboxes, groups flattened)
  std::uint64_t decoded = 0;   ///< bytes of decoded leaf bodies (decoding groups)
  std::uint64_t base64 = 0;    ///< of which from base64 leaves
  std::uint64_t checksum = 0;  ///< computed from the output, so the work cannot be dropped
};

/// Details for the check before timing; a pass fills them when given (never while timed).
struct mime_detail {
  std::vector<std::uint32_t> per_item;  ///< leaves per message / mailboxes per address list
  /// Messages: decoded bodies of the leaves, in order (only implementations that can).
  /// Address lists: "name <addr>" per mailbox, the name decoded to UTF-8.
  std::vector<std::string> out;
};

/// One pass over every input of the group.
using mime_pass = std::function<mime_counts(mime_detail* d)>;
/// Makes a pass over `items` (untimed: copies into the library's own buffers and so on).
using mime_prepare = std::function<mime_pass(const std::vector<std::string>& items)>;

struct mime_impl {
  mime_group g;
  std::string name;  ///< the part after '/' in the benchmark name
  std::string note;  ///< what differs from the task
  mime_prepare prepare;
};
using mime_registry = std::vector<mime_impl>;

/// Folds bytes into a checksum (cheap: 64-bit words added in four lanes).
[[nodiscard]] std::uint64_t fold(std::string_view s, std::uint64_t h = 0) noexcept;

void add_gmime_mime(mime_registry& r);
void add_vmime_mime(mime_registry& r);
void add_mimetic_mime(mime_registry& r);
void add_etpan_mime(mime_registry& r);

/// mailwire's MIME rows, the benchmarks of every MIME implementation and the memcpy baselines
/// of the corpora's sizes (mime_bench.cpp).
void add_mailwire_mime(mime_registry& r);
void register_mime_benchmarks(const mime_registry& r);
/// Writes the corpora for scripts/bench.sh's Python rows: DIR/mailbox/NNNN.eml,
/// DIR/message_10mb.eml, DIR/address_lists.txt (one list per line), DIR/mime_expected.json.
[[nodiscard]] bool dump_mime_inputs(const std::string& dir);

// ---- SMTP groups (issue 5 section 5): DATA receive and stuffing, pipelined commands ----------

/// smtp_data_receive, smtp_data_stuff and smtp_command_parse with the memcpy baselines of the
/// DATA corpus's sizes (smtp_bench.cpp).
void register_smtp_benchmarks();
/// Writes the SMTP inputs for scripts/bench.sh's Python rows: DIR/smtp_data_raw.bin (the
/// messages), DIR/smtp_data_wire.bin (stuffed, each ended by CRLF.CRLF), DIR/smtp_commands.txt,
/// DIR/smtp_expected.json (per-message lengths, command and verb counts, SIZE sum).
[[nodiscard]] bool dump_smtp_inputs(const std::string& dir);

// ---- POP3 groups (issue 6 section 3): multi-line encode/decode, pipelined commands ------------

/// pop3_multiline_encode, pop3_multiline_decode and pop3_command_parse with the memcpy baselines
/// of the corpus's sizes (pop3_bench.cpp).
void register_pop3_benchmarks();
/// Writes DIR/pop3_raw.bin, DIR/pop3_wire.bin, DIR/pop3_commands.txt, DIR/pop3_expected.json.
[[nodiscard]] bool dump_pop3_inputs(const std::string& dir);

/// A view that marks failure.
inline std::string_view failed() noexcept { return {}; }

}  // namespace mwbench
