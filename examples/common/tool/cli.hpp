// examples/common/tool/cli.hpp — what every mailwire tool shares (../shared/spec/tools.md,
// "Common rules"): exit codes, one-line error messages on standard error, and a loop that
// streams a file through a mailwire streaming codec in bounded memory.
#pragma once

#include <fmt/core.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/result.hpp"
#include "mailwire/core/status.hpp"

namespace mailwire_tool {

/// Exit status of every tool: success, bad input or failed session, usage error.
enum exit_code : int { exit_ok = 0, exit_bad_input = 1, exit_usage = 2 };

/// Thrown by argument parsing; main() prints it and exits with exit_usage.
struct usage_error {
  std::string message;
};

/// `mailwire-TOOL: message` on standard error (one line).
template <class... Args>
void error_line(std::string_view tool, fmt::format_string<Args...> f, Args&&... args) {
  std::fflush(stdout);
  fmt::print(stderr, "{}: {}\n", tool, fmt::format(f, std::forward<Args>(args)...));
}

/// Parses a non-negative decimal integer argument of a flag.
inline std::uint64_t parse_count(std::string_view flag, std::string_view v) {
  if (v.empty() || v.size() > 18) throw usage_error{fmt::format("{} needs a number, not '{}'", flag, v)};
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') throw usage_error{fmt::format("{} needs a number, not '{}'", flag, v)};
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

/// Walks a tool's command line: `--flag VALUE` pairs and switches, "-h"/"--help" printing
/// `help` and exiting 0, anything else a usage_error (exit 2):
///
///   for (arg_reader r(argc, argv, help_text); r.next();) {
///     if (r.is("--stdio")) a.stdio = true;
///     else if (r.is("--listen")) a.listen = r.value();
///     else r.unknown();
///   }
class arg_reader {
 public:
  arg_reader(int argc, char** argv, std::string_view help) : argc_(argc), argv_(argv), help_(help) {}

  /// Moves to the next argument; false at the end. Handles --help itself.
  bool next() {
    if (++i_ >= argc_) return false;
    flag_ = argv_[i_];
    if (flag_ == "-h" || flag_ == "--help") {
      fmt::print("{}", help_);
      std::exit(exit_ok);
    }
    return true;
  }
  [[nodiscard]] std::string_view flag() const noexcept { return flag_; }
  [[nodiscard]] bool is(std::string_view f) const noexcept { return flag_ == f; }
  /// The value after the current flag ("FLAG needs a value" when there is none).
  std::string value() {
    if (i_ + 1 >= argc_) throw usage_error{fmt::format("{} needs a value", flag_)};
    return argv_[++i_];
  }
  /// The value as a non-negative decimal number.
  std::uint64_t count() {
    const std::string_view f = flag_;
    return parse_count(f, value());
  }
  [[noreturn]] void unknown() const { throw usage_error{fmt::format("unknown option '{}'", flag_)}; }

 private:
  int argc_;
  char** argv_;
  std::string_view help_;
  int i_ = 0;
  std::string_view flag_;
};

/// An input file opened from a path, or standard input for "-" or no path.
class input_file {
 public:
  explicit input_file(std::optional<std::string_view> path) {
    if (!path || *path == "-") {
      f_ = stdin;
      name_ = "standard input";
    } else {
      name_ = std::string(*path);
      f_ = std::fopen(name_.c_str(), "rb");
      if (f_ == nullptr) err_ = errno;
      own_ = true;
    }
  }
  input_file(const input_file&) = delete;
  input_file& operator=(const input_file&) = delete;
  ~input_file() {
    if (own_ && f_ != nullptr) std::fclose(f_);
  }
  [[nodiscard]] std::FILE* get() const noexcept { return f_; }
  [[nodiscard]] int open_error() const noexcept { return err_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  std::FILE* f_ = nullptr;
  std::string name_;
  int err_ = 0;
  bool own_ = false;
};

/// Streams `in` through a mailwire streaming codec step `step(chunk, out, final) ->
/// codec_result<E>` into `out`, 64 KiB in and 256 KiB out at a time, so memory stays bounded
/// whatever the input size. Output produced before an error is written first; the error is
/// reported as `TOOL: offset N: reason` (N counts from the first input byte). Returns the exit code.
template <class Step>
int pump(std::string_view tool, std::FILE* in, std::FILE* out, Step&& step) {
  std::vector<char> ibuf(std::size_t{1} << 16);
  std::vector<char> obuf(std::size_t{1} << 18);
  bool eof = false;
  while (true) {
    std::size_t n = 0;
    if (!eof) {
      n = std::fread(ibuf.data(), 1, ibuf.size(), in);
      if (n < ibuf.size()) {
        if (std::ferror(in)) {
          error_line(tool, "read error: {}", std::strerror(errno));
          return exit_bad_input;
        }
        eof = true;
      }
    }
    std::string_view chunk(ibuf.data(), n);
    while (true) {
      const auto r = step(chunk, std::span<char>(obuf), eof);
      if (r.produced != 0 && std::fwrite(obuf.data(), 1, r.produced, out) != r.produced) {
        error_line(tool, "write error: {}", std::strerror(errno));
        return exit_bad_input;
      }
      chunk.remove_prefix(r.consumed);
      if (r.st == mailwire::status::error) {
        std::fflush(out);
        error_line(tool, "offset {}: {}", r.error_offset, to_string(r.error));
        return exit_bad_input;
      }
      if (r.st == mailwire::status::event) {
        if (std::fflush(out) != 0) {
          error_line(tool, "write error: {}", std::strerror(errno));
          return exit_bad_input;
        }
        return exit_ok;
      }
      if (r.st == mailwire::status::need_more && chunk.empty()) break;
      // paused: the output buffer was full; it has been written, so go on with the rest.
    }
  }
}

}  // namespace mailwire_tool
