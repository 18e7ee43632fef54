// benchmarks/mime_bench.cpp — the MIME groups of mailwire-bench (issue 4 section 5): whole
// messages (mailbox of 1000, one of 10 MB) parsed with and without decoding, and address lists.
//
// Every implementation is checked once before timing: per message the number of leaf parts
// (bodies that are not multipart or message/rfc822), for decoding groups the decoded size of
// the base64 leaves, and for mailwire every decoded body against the generator's original
// (text modulo line breaks: some messages are LF-only). Address lists: mailboxes per list, and
// the decoded names (mailwire: must match; peers: the label says how many do).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench.hpp"
#include "mail_corpus.hpp"
#include "mailwire/mime/parser.hpp"

#if __has_include("mailwire/rfc5322/address.hpp") && !defined(MAILWIRE_BENCH_NO_ADDRESS)
#include "mailwire/rfc5322/address.hpp"
#define MAILWIRE_BENCH_HAVE_ADDRESS 1
#else
#define MAILWIRE_BENCH_HAVE_ADDRESS 0
#endif

namespace mwbench {

std::string_view group_name(mime_group g) noexcept {
  switch (g) {
    case mime_group::parse_decode_mailbox: return "mime_parse_decode_mailbox";
    case mime_group::parse_mailbox: return "mime_parse_mailbox";
    case mime_group::parse_decode_10mb: return "mime_parse_decode_10mb";
    case mime_group::address_list: return "address_list";
  }
  return "unknown";
}

std::uint64_t fold(std::string_view s, std::uint64_t h) noexcept {
  std::uint64_t a = 0, b = 0, c = 0, d = 0;
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 32; n -= 32, p += 32) {
    std::uint64_t w[4];
    std::memcpy(w, p, 32);
    a += w[0];
    b += w[1];
    c += w[2];
    d += w[3];
  }
  for (; n > 0; --n, ++p) a += static_cast<unsigned char>(*p);
  return h * 31 + (a ^ (b << 1) ^ (c << 2) ^ (d << 3)) + s.size();
}

namespace {

namespace mime = mailwire::mime;

// ---- mailwire ----------------------------------------------------------------------------------

// Parses each message whole (one buffer, final = true), counting leaves; with `decode` the
// leaf bodies come out base64/QP-decoded and are folded into the checksum.
mime_counts mailwire_messages(const std::vector<std::string>& msgs, bool decode, mime_detail* d) {
  mime_counts c;
  mime::parser_options o;
  o.decode = decode;
  for (const std::string& m : msgs) {
    mime::parser p(o);
    std::string_view rest(m);
    std::uint32_t leaves = 0;
    for (;;) {
      const mime::step s = p.next(rest, true);
      rest.remove_prefix(s.consumed);
      if (s.st != mailwire::status::event) {
        if (s.consumed == 0) break;  // cannot happen with final = true; never loop forever
        continue;
      }
      if (s.kind == mime::event::end) break;
      if (s.kind == mime::event::header_end) {
        if (!s.ent->type.is_multipart() && !s.ent->type.is_message()) {
          ++leaves;
          if (d) d->out.emplace_back();
        }
      } else if (s.kind == mime::event::body) {
        c.decoded += s.data.size();
        if (decode) {
          if (s.ent->encoding == mime::transfer_encoding::base64) c.base64 += s.data.size();
          c.checksum = fold(s.data, c.checksum);
        } else {
          c.checksum += s.data.size();
        }
        if (d && !d->out.empty()) d->out.back() += s.data;
      }
    }
    if (p.done()) ++c.items;
    c.leaves += leaves;
    if (d) d->per_item.push_back(leaves);
  }
  return c;
}

#if MAILWIRE_BENCH_HAVE_ADDRESS
mime_counts mailwire_addresses(const std::vector<std::string>& lists, mime_detail* d) {
  mime_counts c;
  for (const std::string& l : lists) {
    const mailwire::rfc5322::address_list a = mailwire::rfc5322::parse_address_list(l);
    ++c.items;
    c.leaves += a.mailboxes.size();
    for (const auto& m : a.mailboxes) c.checksum += m.name.size() + m.local_part.size() + m.domain.size();
    if (d) {
      d->per_item.push_back(static_cast<std::uint32_t>(a.mailboxes.size()));
      for (const auto& m : a.mailboxes) d->out.push_back(m.name + " <" + m.addr() + ">");
    }
  }
  return c;
}
#endif

// ---- inputs and checks -------------------------------------------------------------------------

const std::vector<std::string>& items_of(mime_group g) {
  switch (g) {
    case mime_group::parse_decode_mailbox:
    case mime_group::parse_mailbox: return the_mailbox().messages;
    case mime_group::parse_decode_10mb: return the_message_10mb().messages;
    case mime_group::address_list: return the_address_lists().lists;
  }
  return the_mailbox().messages;
}

std::size_t bytes_of(mime_group g) {
  switch (g) {
    case mime_group::parse_decode_mailbox:
    case mime_group::parse_mailbox: return the_mailbox().bytes;
    case mime_group::parse_decode_10mb: return the_message_10mb().bytes;
    case mime_group::address_list: return the_address_lists().bytes;
  }
  return 0;
}

std::string strip_cr(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (char ch : s)
    if (ch != '\r') r += ch;
  return r;
}

struct verdict {
  bool ok = true;
  std::string why;    // on failure
  std::string label;  // on success
};

verdict check_messages(const mail_corpus& corpus, mime_group g, const mime_counts& n,
                       const mime_detail& d) {
  const std::size_t m = corpus.messages.size();
  if (d.per_item.size() != m)
    return {false, "parsed " + std::to_string(d.per_item.size()) + " of " + std::to_string(m) + " messages", ""};
  if (n.items != m)
    return {false, std::to_string(m - n.items) + " messages failed to parse", ""};
  for (std::size_t i = 0; i < m; ++i)
    if (d.per_item[i] != corpus.leaves[i].size())
      return {false, "message " + std::to_string(i) + ": " + std::to_string(d.per_item[i]) +
                         " leaf parts, expected " + std::to_string(corpus.leaves[i].size()), ""};
  verdict v;
  if (decodes(g)) {
    if (n.base64 != corpus.base64_bytes)
      return {false, "decoded " + std::to_string(n.base64) + " bytes from base64, expected " +
                         std::to_string(corpus.base64_bytes), ""};
    if (!d.out.empty()) {  // every decoded body against the original
      if (d.out.size() != corpus.leaf_count) return {false, "bodies of the leaves missing", ""};
      std::size_t k = 0;
      for (std::size_t i = 0; i < m; ++i)
        for (const mail_leaf& l : corpus.leaves[i]) {
          const std::string& got = d.out[k++];
          const bool same = l.text ? strip_cr(got) == strip_cr(l.decoded) : got == l.decoded;
          if (!same)
            return {false, "message " + std::to_string(i) + ": a decoded body differs from the original", ""};
        }
      v.label = "every body checked";
    }
  }
  return v;
}

verdict check_addresses(const address_corpus& corpus, const mime_counts& n, const mime_detail& d,
                        bool must_match) {
  if (d.per_item.size() != corpus.lists.size() || n.items != corpus.lists.size())
    return {false, "parsed " + std::to_string(n.items) + " of " + std::to_string(corpus.lists.size()) + " lists", ""};
  for (std::size_t i = 0; i < corpus.lists.size(); ++i)
    if (d.per_item[i] != corpus.expected[i].size())
      return {false, "list " + std::to_string(i) + ": " + std::to_string(d.per_item[i]) + " mailboxes, expected " +
                         std::to_string(corpus.expected[i].size()), ""};
  if (d.out.empty()) return {};
  std::size_t k = 0, same = 0, shown = 0;
  std::string first_bad;
  // MAILWIRE_BENCH_VERBOSE=1: show some of the differences on stderr.
  const bool verbose = std::getenv("MAILWIRE_BENCH_VERBOSE") != nullptr;
  for (const auto& list : corpus.expected)
    for (const mail_address& a : list) {
      const std::string want = a.name + " <" + a.addr + ">";
      if (k < d.out.size() && d.out[k] == want) {
        ++same;
      } else {
        const std::string got = k < d.out.size() ? d.out[k] : "";
        if (first_bad.empty()) first_bad = "'" + got + "' for '" + want + "'";
        if (verbose && shown++ < 20) std::fprintf(stderr, "  got '%s' for '%s'\n", got.c_str(), want.c_str());
      }
      ++k;
    }
  if (must_match && same != corpus.addresses) return {false, "name/address differs: " + first_bad, ""};
  if (same == corpus.addresses) return {true, "", "every name as expected"};
  return {true, "", std::to_string(same) + "/" + std::to_string(corpus.addresses) + " names as expected"};
}

// Preparing and checking can take seconds (slow peers, copies): done once per implementation,
// not once per repetition.
struct prepared {
  const mime_impl* im = nullptr;
  mime_pass pass;
  verdict v;
};

prepared& prepare(const mime_impl& im) {
  static prepared cur;
  if (cur.im == &im) return cur;
  cur = prepared{};  // release the previous implementation's copies first
  cur.im = &im;
  cur.pass = im.prepare(items_of(im.g));
  mime_detail d;
  const mime_counts n = cur.pass(&d);
  cur.v = is_message_group(im.g)
              ? check_messages(im.g == mime_group::parse_decode_10mb ? the_message_10mb() : the_mailbox(),
                               im.g, n, d)
              : check_addresses(the_address_lists(), n, d, im.name == "mailwire");
  return cur;
}

void run_mime(benchmark::State& state, const mime_impl& im) {
  prepared& p = prepare(im);
  if (!p.v.ok) {
    state.SkipWithError(p.v.why.c_str());
    return;
  }
  std::uint64_t sum = 0;
  for (auto _ : state) {
    const mime_counts n = p.pass(nullptr);
    sum += n.checksum + n.leaves;
    benchmark::DoNotOptimize(sum);
  }
  const auto it = static_cast<std::int64_t>(state.iterations());
  const std::size_t bytes = bytes_of(im.g);
  state.SetBytesProcessed(it * static_cast<std::int64_t>(bytes));
  state.counters["size"] = static_cast<double>(bytes);
  if (im.g == mime_group::address_list) {
    state.SetItemsProcessed(it * static_cast<std::int64_t>(the_address_lists().addresses));
    state.counters["addresses"] = static_cast<double>(the_address_lists().addresses);
  }
  std::string label = im.note;
  if (!p.v.label.empty()) label += (label.empty() ? "" : ", ") + p.v.label;
  state.SetLabel(label);
}

void run_memcpy_corpus(benchmark::State& state, bool mailbox) {
  const mail_corpus& c = mailbox ? the_mailbox() : the_message_10mb();
  std::string src;
  src.reserve(c.bytes);
  for (const std::string& m : c.messages) src += m;
  std::vector<char> dst(src.size(), '\0');
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(src.size()));
  state.counters["size"] = static_cast<double>(src.size());
}

std::string json_string(std::string_view s) {
  std::string o = "\"";
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') {
      o += '\\';
      o += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(ch)));
      o += buf;
    } else {
      o += ch;
    }
  }
  return o + "\"";
}

bool write_file(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) std::fprintf(stderr, "mailwire-bench: cannot write %s\n", path.c_str());
  return static_cast<bool>(f);
}

std::string corpus_json(const mail_corpus& c) {
  std::string j = "{\"messages\": " + std::to_string(c.messages.size()) + ", \"bytes\": " +
                  std::to_string(c.bytes) + ", \"base64_bytes\": " + std::to_string(c.base64_bytes) +
                  ", \"leaves\": [";
  for (std::size_t i = 0; i < c.leaves.size(); ++i) j += (i ? ", " : "") + std::to_string(c.leaves[i].size());
  return j + "]}";
}

}  // namespace

void add_mailwire_mime(mime_registry& r) {
  auto messages = [](bool decode) {
    return [decode](const std::vector<std::string>& items) -> mime_pass {
      return [&items, decode](mime_detail* d) { return mailwire_messages(items, decode, d); };
    };
  };
  r.push_back({mime_group::parse_decode_mailbox, "mailwire", "", messages(true)});
  r.push_back({mime_group::parse_mailbox, "mailwire", "", messages(false)});
  r.push_back({mime_group::parse_decode_10mb, "mailwire", "", messages(true)});
#if MAILWIRE_BENCH_HAVE_ADDRESS
  r.push_back({mime_group::address_list, "mailwire", "", [](const std::vector<std::string>& items) -> mime_pass {
                 return [&items](mime_detail* d) { return mailwire_addresses(items, d); };
               }});
#endif
}

void register_mime_benchmarks(const mime_registry& r) {
  benchmark::RegisterBenchmark("memcpy/mailbox", run_memcpy_corpus, true);
  benchmark::RegisterBenchmark("memcpy/message_10mb", run_memcpy_corpus, false);
  for (mime_group g : {mime_group::parse_decode_mailbox, mime_group::parse_mailbox,
                       mime_group::parse_decode_10mb, mime_group::address_list})
    for (const mime_impl& im : r)
      if (im.g == g)
        benchmark::RegisterBenchmark((std::string(group_name(g)) + "/" + im.name).c_str(),
                                     [&im](benchmark::State& s) { run_mime(s, im); })
            ->Unit(benchmark::kMillisecond);
}

bool dump_mime_inputs(const std::string& dir) {
  const mail_corpus& box = the_mailbox();
  std::error_code ec;
  std::filesystem::create_directories(dir + "/mailbox", ec);
  if (ec) {
    std::fprintf(stderr, "mailwire-bench: cannot create %s/mailbox\n", dir.c_str());
    return false;
  }
  for (std::size_t i = 0; i < box.messages.size(); ++i) {
    char name[48];
    std::snprintf(name, sizeof name, "/mailbox/%04zu.eml", i);
    if (!write_file(dir + name, box.messages[i])) return false;
  }
  if (!write_file(dir + "/message_10mb.eml", the_message_10mb().messages[0])) return false;
  const address_corpus& a = the_address_lists();
  std::string lists;
  for (const std::string& l : a.lists) lists += l + "\n";
  if (!write_file(dir + "/address_lists.txt", lists)) return false;
  std::string j = "{\n\"mailbox\": " + corpus_json(box) + ",\n\"message_10mb\": " +
                  corpus_json(the_message_10mb()) + ",\n\"address_lists\": {\"addresses\": " +
                  std::to_string(a.addresses) + ", \"expected\": [";
  for (std::size_t i = 0; i < a.expected.size(); ++i) {
    j += i ? ",\n  [" : "\n  [";
    for (std::size_t k = 0; k < a.expected[i].size(); ++k)
      j += (k ? ", [" : "[") + json_string(a.expected[i][k].name) + ", " + json_string(a.expected[i][k].addr) + "]";
    j += "]";
  }
  j += "]}\n}\n";
  return write_file(dir + "/mime_expected.json", j);
}

}  // namespace mwbench
