// benchmarks/smtp_bench.cpp — the SMTP groups of mailwire-bench (issue 5 section 5):
//
//   smtp_data_receive/IMPL   server side of DATA: ends each message at CRLF "." CRLF and removes
//                            the stuffing dots; one receiver per message, as a server has.
//                            bytes/s of message octets (the unstuffed messages); `size` is the
//                            wire size so that the ratio pairs with memcpy/smtp_data_wire.
//   smtp_data_stuff/IMPL     client side: dot-stuffing and the final CRLF "." CRLF; one sender
//                            per message. bytes/s of message octets (memcpy/smtp_data_raw).
//   smtp_command_parse/IMPL  a pipelined buffer of command lines parsed one after the other;
//                            items/s = commands/s.
//
// The inputs come from fixed seeds (std::mt19937_64, integer arithmetic only). The stuffed wire
// form is made here by a separate, obvious loop, not by data_sender, so the checks below are
// independent of the code measured. Each implementation is checked once before timing: the
// unstuffed output equals the original messages byte for byte and every message ends exactly at
// its terminator; the stuffed output equals the wire form; the parser finds every command with
// the expected verb counts, recipients and SIZE values, and no error. A wrong result is skipped
// with an error instead of timed.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench.hpp"
#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/data.hpp"

namespace mwbench {

namespace {

namespace smtp = mailwire::smtp;
using mailwire::status;

// ---- inputs --------------------------------------------------------------------------------------

constexpr std::size_t corpus_target = std::size_t{32} << 20;   // 32 MiB of messages
constexpr std::size_t message_target = 10 * 1024;              // ~10 KB each
constexpr std::size_t commands_target = std::size_t{1} << 20;  // ~1 MiB of command lines
constexpr unsigned long long data_seed = 0x736d747064617461ull;  // "smtpdata"
constexpr unsigned long long cmd_seed = 0x736d7470636d6473ull;   // "smtpcmds"

constexpr std::string_view words[] = {
    "the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are",
    "as", "with", "his", "they", "at", "be", "this", "have", "from", "or", "one", "had", "by",
    "word", "but", "not", "what", "all", "were", "we", "when", "your", "can", "said", "there",
    "use", "an", "each", "which", "she", "do", "how", "their", "if", "will", "up", "other",
    "about", "out", "many", "then", "them", "these", "so", "some", "her", "would", "make",
    "like", "him", "into", "time", "has", "look", "two", "more", "write", "go", "see", "number",
    "no", "way", "could", "people", "my", "than", "first", "water", "been", "call", "who",
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

const char* const names[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
                             "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert",
                             "sybil", "trent", "victor", "walter", "yolanda"};
const char* const domains[] = {"example.org", "example.com", "mail.example.net", "lists.example.edu",
                               "corp.example.co.uk", "eu-west.mx.example.io", "example.de"};

std::string address(std::mt19937_64& rng) {
  std::string a = names[rng() % std::size(names)];
  switch (rng() % 4) {
    case 0: a += '.'; a += names[rng() % std::size(names)]; break;
    case 1: a += std::to_string(rng() % 1000); break;
    case 2: a += "+tag"; break;
    default: break;
  }
  return a + "@" + domains[rng() % std::size(domains)];
}

struct smtp_inputs {
  // DATA
  std::string raw;                  ///< the messages as the host has them, concatenated
  std::string wire;                 ///< each dot-stuffed and ended by CRLF "." CRLF, concatenated
  std::vector<std::size_t> raw_len; ///< per message
  std::vector<std::size_t> wire_len;
  std::size_t dot_lines = 0;        ///< lines that start with "." (stuffed on the wire)
  std::size_t lines = 0;
  // Commands
  std::string commands;             ///< pipelined command lines
  std::array<std::uint64_t, 16> verb_count{};  ///< per smtp::verb
  std::uint64_t command_count = 0;
  std::uint64_t size_sum = 0;       ///< sum of SIZE= values
};

// One ~10 KB message: a header of typical fields, a blank line, then text lines of 60-78 octets,
// about 1% starting with "." (some a lone "."), every line ending in CRLF.
std::string make_message(std::mt19937_64& rng, std::size_t index, std::size_t& lines, std::size_t& dots) {
  std::string m;
  m.reserve(message_target + 200);
  auto line = [&](std::string_view l) {
    m += l;
    m += "\r\n";
    ++lines;
  };
  line("Return-Path: <" + address(rng) + ">");
  line("Received: from client" + std::to_string(rng() % 250) + ".example.net (client.example.net [192.0.2." +
       std::to_string(rng() % 250) + "]) by mx.example.org with ESMTPS id " + std::to_string(rng() % 100000000));
  line("Message-ID: <" + std::to_string(index) + "." + std::to_string(rng() % 1000000) + "@example.org>");
  line("Date: Thu, 14 Mar 2024 10:" + std::to_string(10 + rng() % 50) + ":00 +0100");
  line("From: " + std::string(names[rng() % std::size(names)]) + " <" + address(rng) + ">");
  line("To: " + address(rng) + ", " + address(rng));
  line("Subject: " + text_line(rng, 20 + rng() % 40));
  line("MIME-Version: 1.0");
  line("Content-Type: text/plain; charset=us-ascii");
  line("");
  while (m.size() < message_target) {
    const std::size_t len = 60 + rng() % 19;  // 60..78 octets of text
    std::string l = text_line(rng, len);
    if (rng() % 100 == 0) {  // ~1%: a line that starts with "."
      ++dots;
      switch (rng() % 4) {
        case 0: l = "."; break;                                 // a lone dot: would end the data
        case 1: l = ".." + l.substr(2); break;                  // two dots
        case 2: l = "." + l.substr(1); break;                   // ".word"
        default: l = ".\t" + l.substr(2); break;                // dot and a tab
      }
    }
    line(l);
  }
  return m;
}

// Dot-stuffing the obvious way (RFC 5321 section 4.5.2): a "." before every line that starts with
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

void make_commands(smtp_inputs& in) {
  std::mt19937_64 rng(cmd_seed);
  auto add = [&](const std::string& l, smtp::verb v) {
    in.commands += l;
    in.commands += "\r\n";
    ++in.verb_count[static_cast<std::size_t>(v)];
    ++in.command_count;
  };
  std::size_t session = 0;
  while (in.commands.size() < commands_target) {
    add("EHLO client" + std::to_string(session++) + ".example.net", smtp::verb::ehlo);
    const std::size_t transactions = 1 + rng() % 3;
    for (std::size_t t = 0; t < transactions; ++t) {
      const std::uint64_t size = 1000 + rng() % 200000;
      in.size_sum += size;
      add("MAIL FROM:<" + address(rng) + "> SIZE=" + std::to_string(size) + " BODY=8BITMIME",
          smtp::verb::mail);
      const std::size_t rcpts = 1 + rng() % 5;
      for (std::size_t r = 0; r < rcpts; ++r) add("RCPT TO:<" + address(rng) + ">", smtp::verb::rcpt);
      if (rng() % 10 == 0) {  // the client gives up on this one
        add("RSET", smtp::verb::rset);
        continue;
      }
      add("DATA", smtp::verb::data);
      if (rng() % 10 == 0) add("NOOP", smtp::verb::noop);
    }
    add("QUIT", smtp::verb::quit);
  }
}

const smtp_inputs& the_smtp_inputs() {
  static const smtp_inputs in = [] {
    smtp_inputs v;
    std::mt19937_64 rng(data_seed);
    v.raw.reserve(corpus_target + message_target * 2);
    std::size_t index = 0;
    while (v.raw.size() < corpus_target) {
      const std::string m = make_message(rng, index++, v.lines, v.dot_lines);
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

enum class smtp_group { data_receive, data_stuff, command_parse };

std::string_view group_name(smtp_group g) {
  switch (g) {
    case smtp_group::data_receive: return "smtp_data_receive";
    case smtp_group::data_stuff: return "smtp_data_stuff";
    case smtp_group::command_parse: return "smtp_command_parse";
  }
  return "unknown";
}

/// What one pass found. DATA: `out` holds the output, `per` the consumed (receive) or produced
/// (stuff) octets per message. Commands: counts per verb.
struct smtp_counts {
  bool ok = true;
  std::string why;
  std::uint64_t items = 0;      ///< messages or commands
  std::uint64_t produced = 0;   ///< output octets
  std::uint64_t checksum = 0;
  std::array<std::uint64_t, 16> verbs{};
  std::uint64_t rcpts = 0, size_sum = 0;
};

/// One pass over the group's input into `out` (DATA groups; sized by the caller). `detail`
/// (untimed check) asks for the per-message lengths.
using smtp_pass = std::function<smtp_counts(std::span<char> out, std::vector<std::size_t>* detail)>;

struct smtp_impl {
  smtp_group g;
  std::string name;
  std::string note;
  smtp_pass pass;
};

// Server side: one data_receiver per message over the concatenated wire bytes, each message's
// content written after the previous one (as into a spool file's buffer).
smtp_counts mailwire_receive(std::span<char> out, std::vector<std::size_t>* detail) {
  const smtp_inputs& in = the_smtp_inputs();
  smtp_counts c;
  std::string_view rest(in.wire);
  std::size_t o = 0;
  while (!rest.empty()) {
    smtp::data_receiver rx;
    const auto r = rx.decode(rest, out.subspan(o), false);
    if (r.st != status::event) {
      c.ok = false;
      c.why = "message " + std::to_string(c.items) + ": status " + std::to_string(static_cast<int>(r.st)) +
              " instead of the end of data";
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

// Client side: one data_sender per message (final = true: the message is whole).
smtp_counts mailwire_stuff(std::span<char> out, std::vector<std::size_t>* detail) {
  const smtp_inputs& in = the_smtp_inputs();
  smtp_counts c;
  std::size_t at = 0, o = 0;
  for (const std::size_t len : in.raw_len) {
    smtp::data_sender tx;
    const auto r = tx.encode(std::string_view(in.raw).substr(at, len), out.subspan(o), true);
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
smtp_counts mailwire_commands(std::span<char>, std::vector<std::size_t>*) {
  const smtp_inputs& in = the_smtp_inputs();
  smtp_counts c;
  std::string_view rest(in.commands);
  while (!rest.empty()) {
    const auto r = smtp::parse_command(rest);
    if (r.st != status::event) {
      c.ok = false;
      c.why = "command " + std::to_string(c.items) + ": " +
              (r.st == status::error ? std::string(smtp::to_string(r.error)) : std::string("no event"));
      return c;
    }
    ++c.verbs[static_cast<std::size_t>(r.value.v)];
    if (r.value.v == smtp::verb::rcpt) {
      ++c.rcpts;
      c.checksum += r.value.path.mb.domain.size();
    } else if (r.value.v == smtp::verb::mail && r.value.params.size) {
      c.size_sum += *r.value.params.size;
    }
    rest.remove_prefix(r.consumed);
    ++c.items;
  }
  return c;
}

// ---- checks -------------------------------------------------------------------------------------------

struct verdict {
  bool ok = true;
  std::string why;
  std::string label;
};

verdict check(const smtp_impl& im, std::span<char> out) {
  const smtp_inputs& in = the_smtp_inputs();
  std::vector<std::size_t> per;
  const smtp_counts c = im.pass(out, &per);
  if (!c.ok) return {false, c.why, ""};
  switch (im.g) {
    case smtp_group::data_receive: {
      if (c.items != in.raw_len.size() || per != in.wire_len)
        return {false, "messages do not end exactly at their CRLF.CRLF", ""};
      if (c.produced != in.raw.size() || std::memcmp(out.data(), in.raw.data(), in.raw.size()) != 0)
        return {false, "unstuffed content differs from the original messages", ""};
      return {true, "", ""};
    }
    case smtp_group::data_stuff: {
      if (c.items != in.raw_len.size() || per != in.wire_len)
        return {false, "stuffed message lengths differ from the wire form", ""};
      if (c.produced != in.wire.size() || std::memcmp(out.data(), in.wire.data(), in.wire.size()) != 0)
        return {false, "stuffed output differs from the wire form", ""};
      return {true, "", ""};
    }
    case smtp_group::command_parse: {
      if (c.items != in.command_count)
        return {false, "parsed " + std::to_string(c.items) + " of " + std::to_string(in.command_count) + " commands", ""};
      if (c.verbs != in.verb_count) return {false, "command counts per verb differ", ""};
      if (c.rcpts != in.verb_count[static_cast<std::size_t>(smtp::verb::rcpt)] || c.size_sum != in.size_sum)
        return {false, "recipients or SIZE values differ", ""};
      return {true, "", ""};
    }
  }
  return {false, "unknown group", ""};
}

void run_smtp(benchmark::State& state, const smtp_impl& im) {
  const smtp_inputs& in = the_smtp_inputs();
  std::vector<char> out(in.wire.size() + 65536, '\1');
  const std::span<char> o(out);
  const verdict v = check(im, o);
  if (!v.ok) {
    state.SkipWithError(v.why.c_str());
    return;
  }
  std::uint64_t sum = 0;
  for (auto _ : state) {
    const smtp_counts c = im.pass(o, nullptr);
    if (!c.ok) {
      state.SkipWithError(c.why.c_str());
      return;
    }
    sum += c.items + c.produced + c.checksum;
    benchmark::DoNotOptimize(sum);
    benchmark::ClobberMemory();
  }
  const auto it = static_cast<std::int64_t>(state.iterations());
  std::string label = im.note;
  switch (im.g) {
    case smtp_group::data_receive:
      state.SetBytesProcessed(it * static_cast<std::int64_t>(in.raw.size()));
      state.counters["size"] = static_cast<double>(in.wire.size());
      state.counters["messages"] = static_cast<double>(in.raw_len.size());
      break;
    case smtp_group::data_stuff:
      state.SetBytesProcessed(it * static_cast<std::int64_t>(in.raw.size()));
      state.counters["size"] = static_cast<double>(in.raw.size());
      state.counters["messages"] = static_cast<double>(in.raw_len.size());
      break;
    case smtp_group::command_parse:
      state.SetBytesProcessed(it * static_cast<std::int64_t>(in.commands.size()));
      state.SetItemsProcessed(it * static_cast<std::int64_t>(in.command_count));
      state.counters["size"] = static_cast<double>(in.commands.size());
      state.counters["commands"] = static_cast<double>(in.command_count);
      break;
  }
  state.SetLabel(label);
}

void run_memcpy_smtp(benchmark::State& state, bool wire) {
  const smtp_inputs& in = the_smtp_inputs();
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

void register_smtp_benchmarks() {
  static const std::vector<smtp_impl> impls = {
      {smtp_group::data_receive, "mailwire", "", mailwire_receive},
      {smtp_group::data_stuff, "mailwire", "", mailwire_stuff},
      {smtp_group::command_parse, "mailwire", "", mailwire_commands},
  };
  benchmark::RegisterBenchmark("memcpy/smtp_data_wire", run_memcpy_smtp, true);
  benchmark::RegisterBenchmark("memcpy/smtp_data_raw", run_memcpy_smtp, false);
  for (smtp_group g : {smtp_group::data_receive, smtp_group::data_stuff, smtp_group::command_parse})
    for (const smtp_impl& im : impls)
      if (im.g == g)
        benchmark::RegisterBenchmark((std::string(group_name(g)) + "/" + im.name).c_str(),
                                     [&im](benchmark::State& s) { run_smtp(s, im); })
            ->Unit(benchmark::kMillisecond);
}

bool dump_smtp_inputs(const std::string& dir) {
  const smtp_inputs& in = the_smtp_inputs();
  if (!write_file(dir + "/smtp_data_raw.bin", in.raw) || !write_file(dir + "/smtp_data_wire.bin", in.wire) ||
      !write_file(dir + "/smtp_commands.txt", in.commands))
    return false;
  std::string verbs = "{";
  for (std::size_t v = 0; v < in.verb_count.size(); ++v)
    if (in.verb_count[v] != 0)
      verbs += std::string(verbs.size() > 1 ? ", " : "") + "\"" +
               std::string(smtp::to_string(static_cast<smtp::verb>(v))) + "\": " + std::to_string(in.verb_count[v]);
  verbs += "}";
  const std::string j = "{\"raw_len\": " + json_list(in.raw_len) + ",\n\"wire_len\": " + json_list(in.wire_len) +
                        ",\n\"commands\": " + std::to_string(in.command_count) + ", \"verbs\": " + verbs +
                        ", \"size_sum\": " + std::to_string(in.size_sum) + "}\n";
  return write_file(dir + "/smtp_expected.json", j);
}

}  // namespace mwbench
