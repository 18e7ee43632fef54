// benchmarks/pop3_bench.cpp — the POP3 groups of mailwire-bench (issue 6 section 3):
//
//   pop3_multiline_encode/IMPL  server side of RETR: byte-stuffing, CRLF line ends and the final
//                               "." CRLF; one multiline_encoder per message, as a server has.
//                               bytes/s of message octets (memcpy/pop3_multiline_raw).
//   pop3_multiline_decode/IMPL  client side: un-stuffing, each body ended at CRLF "." CRLF with
//                               the next message's bytes after it; one multiline_decoder per
//                               message. bytes/s of message octets; `size` is the wire size so
//                               that the ratio pairs with memcpy/pop3_multiline_wire.
//   pop3_command_parse/IMPL     a pipelined buffer of client command lines (a fetch session:
//                               USER, PASS, STAT, UIDL, LIST, RETR n, DELE n, TOP n 0, NOOP,
//                               QUIT) parsed one after the other; items/s = commands/s.
//
// The inputs come from fixed seeds (std::mt19937_64, integer arithmetic only): ~64 MiB of ~10 KB
// messages whose text lines are 60-78 octets, about 1% starting with ".". The stuffed wire form is
// made here by a separate, obvious loop, not by multiline_encoder, so the checks below are
// independent of the code measured. Each implementation is checked once before timing: the
// un-stuffed output equals the original messages byte for byte and every body ends exactly at its
// terminator; the stuffed output equals the wire form; the parser finds every command with the
// expected keyword counts and message numbers, and no error. A wrong result is skipped with an
// error instead of timed. (The Python peer, poplib's un-stuffing, runs from scripts/bench.sh on
// the inputs written by dump_pop3_inputs(), as the SMTP peers do.)
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench.hpp"
#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/response.hpp"

namespace mwbench {

namespace {

namespace pop3 = mailwire::pop3;
using mailwire::status;

// ---- inputs --------------------------------------------------------------------------------------

constexpr std::size_t corpus_target = std::size_t{64} << 20;   // 64 MiB of messages
constexpr std::size_t message_target = 10 * 1024;              // ~10 KB each
constexpr std::size_t commands_target = std::size_t{1} << 20;  // ~1 MiB of command lines
constexpr unsigned long long body_seed = 0x706f70336d736773ull;  // "pop3msgs"
constexpr unsigned long long cmd_seed = 0x706f7033636d6473ull;   // "pop3cmds"
constexpr std::size_t keywords = static_cast<std::size_t>(pop3::keyword::unknown) + 1;

constexpr std::string_view words[] = {
    "the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are",
    "as", "with", "his", "they", "at", "be", "this", "have", "from", "or", "one", "had", "by",
    "word", "but", "not", "what", "all", "were", "we", "when", "your", "can", "said", "there",
    "meeting", "tomorrow", "report", "attached", "please", "thanks", "regards", "project",
    "schedule", "budget", "review", "update", "invoice", "delivery", "server", "mailbox",
    "Monday", "Friday", "September", "quarterly", "figures", "draft", "version", "agenda",
    "1.5%", "2024-03-14", "10:30", "(see", "below)", "e.g.", "i.e.", "--", "well,", "OK.",
};

// A text line of exactly `len` octets (without CRLF): words separated by single spaces.
std::string text_line(std::mt19937_64& rng, std::size_t len) {
  std::string s;
  s.reserve(len + 16);
  while (s.size() < len) {
    if (!s.empty()) s += ' ';
    s += words[rng() % std::size(words)];
  }
  s.resize(len);
  if (s.back() == ' ') s.back() = 'x';
  return s;
}

struct pop3_inputs {
  // Multi-line bodies
  std::string raw;                   ///< the messages as the maildrop has them, concatenated
  std::string wire;                  ///< each stuffed and ended by "." CRLF, concatenated
  std::vector<std::size_t> raw_len;  ///< per message
  std::vector<std::size_t> wire_len;
  std::size_t dot_lines = 0;         ///< lines that start with "." (stuffed on the wire)
  // Commands
  std::string commands;              ///< pipelined command lines
  std::array<std::uint64_t, keywords> keyword_count{};
  std::uint64_t command_count = 0;
  std::uint64_t message_sum = 0;     ///< sum of the message numbers of RETR, DELE, TOP, LIST n
};

// One ~10 KB message: a few header fields, a blank line, then text lines of 60-78 octets, about
// 1% starting with "." (some a lone "."), every line ending in CRLF.
std::string make_message(std::mt19937_64& rng, std::size_t index, std::size_t& dots) {
  std::string m;
  m.reserve(message_target + 200);
  auto line = [&](std::string_view l) {
    m += l;
    m += "\r\n";
  };
  line("Return-Path: <sender" + std::to_string(rng() % 1000) + "@example.org>");
  line("Received: from mx.example.org by pop.example.net with ESMTPS id " + std::to_string(rng() % 100000000));
  line("Message-ID: <" + std::to_string(index) + "." + std::to_string(rng() % 1000000) + "@example.org>");
  line("Date: Thu, 14 Mar 2024 10:" + std::to_string(10 + rng() % 50) + ":00 +0100");
  line("From: Sender <sender@example.org>");
  line("To: reader@example.net");
  line("Subject: " + text_line(rng, 20 + rng() % 40));
  line("");
  while (m.size() < message_target) {
    std::string l = text_line(rng, 60 + rng() % 19);  // 60..78 octets of text
    if (rng() % 100 == 0) {  // ~1%: a line that starts with "."
      ++dots;
      switch (rng() % 4) {
        case 0: l = "."; break;                 // a lone dot: would end the body
        case 1: l = ".." + l.substr(2); break;  // two dots
        case 2: l = "." + l.substr(1); break;   // ".word"
        default: l = ".\t" + l.substr(2); break;
      }
    }
    line(l);
  }
  return m;
}

// Byte-stuffing the obvious way (RFC 1939 section 3): a "." before every line that starts with
// ".", then "." CRLF (every generated message ends with CRLF).
std::string stuff(std::string_view m) {
  std::string w;
  w.reserve(m.size() + 64);
  bool line_start = true;
  for (char c : m) {
    if (line_start && c == '.') w += '.';
    w += c;
    line_start = c == '\n';
  }
  return w + ".\r\n";
}

// Fetch sessions as a mail client pipelines them: log in, STAT/UIDL/LIST, then RETR and DELE of
// some messages (TOP for a few), NOOP now and then, QUIT.
void make_commands(pop3_inputs& in) {
  std::mt19937_64 rng(cmd_seed);
  auto add = [&](const std::string& l, pop3::keyword k, std::uint32_t msg = 0) {
    in.commands += l;
    in.commands += "\r\n";
    ++in.keyword_count[static_cast<std::size_t>(k)];
    ++in.command_count;
    in.message_sum += msg;
  };
  std::size_t session = 0;
  while (in.commands.size() < commands_target) {
    add("USER reader" + std::to_string(session++), pop3::keyword::user);
    add("PASS correct horse battery " + std::to_string(rng() % 100000), pop3::keyword::pass);
    add("STAT", pop3::keyword::stat);
    add("UIDL", pop3::keyword::uidl);
    add("LIST", pop3::keyword::list);
    const auto count = static_cast<std::uint32_t>(1 + rng() % 20);
    for (std::uint32_t m = 1; m <= count; ++m) {
      switch (rng() % 8) {
        case 0: add("TOP " + std::to_string(m) + " 0", pop3::keyword::top, m); break;
        case 1: add("LIST " + std::to_string(m), pop3::keyword::list, m); break;
        case 2: add("NOOP", pop3::keyword::noop); [[fallthrough]];
        default:
          add("RETR " + std::to_string(m), pop3::keyword::retr, m);
          add("DELE " + std::to_string(m), pop3::keyword::dele, m);
          break;
      }
    }
    add("QUIT", pop3::keyword::quit);
  }
}

const pop3_inputs& the_pop3_inputs() {
  static const pop3_inputs in = [] {
    pop3_inputs v;
    std::mt19937_64 rng(body_seed);
    v.raw.reserve(corpus_target + message_target * 2);
    v.wire.reserve(corpus_target + corpus_target / 64);
    std::size_t index = 0;
    while (v.raw.size() < corpus_target) {
      const std::string m = make_message(rng, index++, v.dot_lines);
      const std::string w = stuff(m);
      v.raw += m;
      v.wire += w;
      v.raw_len.push_back(m.size());
      v.wire_len.push_back(w.size());
    }
    make_commands(v);
    return v;
  }();
  return in;
}

// ---- implementations -------------------------------------------------------------------------------

enum class pop3_group { multiline_encode, multiline_decode, command_parse };

std::string_view group_name(pop3_group g) {
  switch (g) {
    case pop3_group::multiline_encode: return "pop3_multiline_encode";
    case pop3_group::multiline_decode: return "pop3_multiline_decode";
    case pop3_group::command_parse: return "pop3_command_parse";
  }
  return "unknown";
}

/// What one pass found. Bodies: `out` holds the output, `per` the consumed (decode) or produced
/// (encode) octets per message. Commands: counts per keyword.
struct pop3_counts {
  bool ok = true;
  std::string why;
  std::uint64_t items = 0;     ///< messages or commands
  std::uint64_t produced = 0;  ///< output octets
  std::array<std::uint64_t, keywords> keywords_seen{};
  std::uint64_t message_sum = 0;
};

/// One pass over the group's input into `out` (body groups; sized by the caller). `detail`
/// (untimed check) asks for the per-message lengths.
using pop3_pass = std::function<pop3_counts(std::span<char> out, std::vector<std::size_t>* detail)>;

struct pop3_impl {
  pop3_group g;
  std::string name;
  std::string note;
  pop3_pass pass;
};

// Client side: one multiline_decoder per message over the concatenated wire bytes, each body
// written after the previous one (as into a Maildir file's buffer).
pop3_counts mailwire_decode(std::span<char> out, std::vector<std::size_t>* detail) {
  const pop3_inputs& in = the_pop3_inputs();
  pop3_counts c;
  std::string_view rest(in.wire);
  std::size_t o = 0;
  while (!rest.empty()) {
    pop3::multiline_decoder dec;
    const auto r = dec.decode(rest, out.subspan(o), false);
    if (r.st != status::event) {
      c.ok = false;
      c.why = "message " + std::to_string(c.items) + ": status " + std::to_string(static_cast<int>(r.st)) +
              " instead of the end of the body";
      return c;
    }
    if (detail) detail->push_back(r.consumed);
    rest.remove_prefix(r.consumed);
    o += r.produced;
    ++c.items;
  }
  c.produced = o;
  return c;
}

// Server side: one multiline_encoder per message (final = true: the message is whole).
pop3_counts mailwire_encode(std::span<char> out, std::vector<std::size_t>* detail) {
  const pop3_inputs& in = the_pop3_inputs();
  pop3_counts c;
  std::size_t at = 0, o = 0;
  for (const std::size_t len : in.raw_len) {
    pop3::multiline_encoder enc;
    const auto r = enc.encode(std::string_view(in.raw).substr(at, len), out.subspan(o), true);
    if (r.st != status::event || r.consumed != len) {
      c.ok = false;
      c.why = "message " + std::to_string(c.items) + ": not encoded whole";
      return c;
    }
    if (detail) detail->push_back(r.produced);
    at += len;
    o += r.produced;
    ++c.items;
  }
  c.produced = o;
  return c;
}

// Pipelined commands: parse_command at the front of the buffer, consume, again.
pop3_counts mailwire_commands(std::span<char>, std::vector<std::size_t>*) {
  const pop3_inputs& in = the_pop3_inputs();
  pop3_counts c;
  std::string_view rest(in.commands);
  while (!rest.empty()) {
    const auto r = pop3::parse_command(rest);
    if (r.st != status::event) {
      c.ok = false;
      c.why = "command " + std::to_string(c.items) + ": " +
              (r.st == status::error ? std::string(pop3::to_string(r.error)) : std::string("no event"));
      return c;
    }
    ++c.keywords_seen[static_cast<std::size_t>(r.value.k)];
    c.message_sum += r.value.message;
    rest.remove_prefix(r.consumed);
    ++c.items;
  }
  return c;
}

// ---- checks -------------------------------------------------------------------------------------------

struct verdict {
  bool ok = true;
  std::string why;
};

verdict check(const pop3_impl& im, std::span<char> out) {
  const pop3_inputs& in = the_pop3_inputs();
  std::vector<std::size_t> per;
  const pop3_counts c = im.pass(out, &per);
  if (!c.ok) return {false, c.why};
  switch (im.g) {
    case pop3_group::multiline_decode:
      if (c.items != in.raw_len.size() || per != in.wire_len)
        return {false, "bodies do not end exactly at their CRLF.CRLF"};
      if (c.produced != in.raw.size() || std::memcmp(out.data(), in.raw.data(), in.raw.size()) != 0)
        return {false, "un-stuffed content differs from the original messages"};
      return {true, ""};
    case pop3_group::multiline_encode:
      if (c.items != in.raw_len.size() || per != in.wire_len)
        return {false, "stuffed message lengths differ from the wire form"};
      if (c.produced != in.wire.size() || std::memcmp(out.data(), in.wire.data(), in.wire.size()) != 0)
        return {false, "stuffed output differs from the wire form"};
      return {true, ""};
    case pop3_group::command_parse:
      if (c.items != in.command_count)
        return {false, "parsed " + std::to_string(c.items) + " of " + std::to_string(in.command_count) + " commands"};
      if (c.keywords_seen != in.keyword_count) return {false, "command counts per keyword differ"};
      if (c.message_sum != in.message_sum) return {false, "message numbers differ"};
      return {true, ""};
  }
  return {false, "unknown group"};
}

void run_pop3(benchmark::State& state, const pop3_impl& im) {
  const pop3_inputs& in = the_pop3_inputs();
  std::vector<char> out(in.wire.size() + 65536, '\1');
  const std::span<char> o(out);
  const verdict v = check(im, o);
  if (!v.ok) {
    state.SkipWithError(v.why.c_str());
    return;
  }
  std::uint64_t sum = 0;
  for (auto _ : state) {
    const pop3_counts c = im.pass(o, nullptr);
    if (!c.ok) {
      state.SkipWithError(c.why.c_str());
      return;
    }
    sum += c.items + c.produced + c.message_sum;
    benchmark::DoNotOptimize(sum);
    benchmark::ClobberMemory();
  }
  const auto it = static_cast<std::int64_t>(state.iterations());
  switch (im.g) {
    case pop3_group::multiline_decode:
      state.SetBytesProcessed(it * static_cast<std::int64_t>(in.raw.size()));
      state.counters["size"] = static_cast<double>(in.wire.size());
      state.counters["messages"] = static_cast<double>(in.raw_len.size());
      break;
    case pop3_group::multiline_encode:
      state.SetBytesProcessed(it * static_cast<std::int64_t>(in.raw.size()));
      state.counters["size"] = static_cast<double>(in.raw.size());
      state.counters["messages"] = static_cast<double>(in.raw_len.size());
      break;
    case pop3_group::command_parse:
      state.SetBytesProcessed(it * static_cast<std::int64_t>(in.commands.size()));
      state.SetItemsProcessed(it * static_cast<std::int64_t>(in.command_count));
      state.counters["size"] = static_cast<double>(in.commands.size());
      state.counters["commands"] = static_cast<double>(in.command_count);
      break;
  }
  state.SetLabel(im.note);
}

void run_memcpy_pop3(benchmark::State& state, bool wire) {
  const pop3_inputs& in = the_pop3_inputs();
  const std::string& src = wire ? in.wire : in.raw;
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

bool write_file(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) std::fprintf(stderr, "mailwire-bench: cannot write %s\n", path.c_str());
  return static_cast<bool>(f);
}

std::string json_list(const std::vector<std::size_t>& v) {
  std::string j = "[";
  for (std::size_t i = 0; i < v.size(); ++i) j += (i ? ", " : "") + std::to_string(v[i]);
  return j + "]";
}

}  // namespace

void register_pop3_benchmarks() {
  static const std::vector<pop3_impl> impls = {
      {pop3_group::multiline_encode, "mailwire", "", mailwire_encode},
      {pop3_group::multiline_decode, "mailwire", "", mailwire_decode},
      {pop3_group::command_parse, "mailwire", "", mailwire_commands},
  };
  benchmark::RegisterBenchmark("memcpy/pop3_multiline_wire", run_memcpy_pop3, true);
  benchmark::RegisterBenchmark("memcpy/pop3_multiline_raw", run_memcpy_pop3, false);
  for (pop3_group g : {pop3_group::multiline_encode, pop3_group::multiline_decode, pop3_group::command_parse})
    for (const pop3_impl& im : impls)
      if (im.g == g)
        benchmark::RegisterBenchmark((std::string(group_name(g)) + "/" + im.name).c_str(),
                                     [&im](benchmark::State& s) { run_pop3(s, im); })
            ->Unit(benchmark::kMillisecond);
}

bool dump_pop3_inputs(const std::string& dir) {
  const pop3_inputs& in = the_pop3_inputs();
  if (!write_file(dir + "/pop3_raw.bin", in.raw) || !write_file(dir + "/pop3_wire.bin", in.wire) ||
      !write_file(dir + "/pop3_commands.txt", in.commands))
    return false;
  std::string kws = "{";
  for (std::size_t k = 0; k < in.keyword_count.size(); ++k)
    if (in.keyword_count[k] != 0)
      kws += std::string(kws.size() > 1 ? ", " : "") + "\"" +
             std::string(pop3::to_string(static_cast<pop3::keyword>(k))) + "\": " + std::to_string(in.keyword_count[k]);
  kws += "}";
  const std::string j = "{\"raw_len\": " + json_list(in.raw_len) + ",\n\"wire_len\": " + json_list(in.wire_len) +
                        ",\n\"commands\": " + std::to_string(in.command_count) + ", \"keywords\": " + kws +
                        ", \"message_sum\": " + std::to_string(in.message_sum) + "}\n";
  return write_file(dir + "/pop3_expected.json", j);
}

}  // namespace mwbench
