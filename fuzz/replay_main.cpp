// fuzz/replay_main.cpp — the main linked into the fuzz targets when they are not built with
// libFuzzer (DESIGN.md section 9, as fmt's FMT_FUZZ_LINKMAIN): every build compiles the
// targets, and ctest replays fuzz/corpus/<target>/ through them (under ASan + UBSan when
// MAILWIRE_SANITIZE is on).
//
//   fuzz_base64_decode fuzz/corpus/base64_decode/ crash-1234
//
// Each argument is a file or a directory (searched recursively, in sorted order). Each file's
// bytes are copied into an exact-size heap buffer, so AddressSanitizer catches any read past
// the end, and handed to LLVMFuzzerTestOneInput. Arguments starting with '-' are libFuzzer
// flags and are ignored, so a libFuzzer command line can be replayed unchanged.
// Exit status: 0 when at least one input ran; 1 on a missing path, an unreadable file or no
// input at all (an empty corpus is a mistake, not a pass).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool run_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
    return false;
  }
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) {
    std::fprintf(stderr, "replay: error reading %s\n", p.c_str());
    return false;
  }
  // Name the input before running it: if it crashes, this is the last line printed.
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", p.c_str(), bytes.size());
  const std::size_t n = bytes.size();
  std::unique_ptr<std::uint8_t[]> buf(new std::uint8_t[n]);
  std::copy(bytes.begin(), bytes.end(), buf.get());
  LLVMFuzzerTestOneInput(buf.get(), n);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t ran = 0;
  bool ok = true;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg.empty() || arg[0] == '-') continue;
    const fs::path p(arg);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec))
        if (it->is_regular_file(ec)) files.push_back(it->path());
      if (ec) {
        std::fprintf(stderr, "replay: cannot list %s: %s\n", p.c_str(), ec.message().c_str());
        ok = false;
        continue;
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        if (!run_file(f)) ok = false;
        else ++ran;
      }
    } else if (fs::is_regular_file(p, ec)) {
      if (!run_file(p)) ok = false;
      else ++ran;
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", p.c_str());
      ok = false;
    }
  }
  std::printf("%s: ran %zu inputs\n", argc > 0 ? argv[0] : "replay", ran);
  if (ran == 0) std::fprintf(stderr, "replay: no input ran\n");
  return ok && ran > 0 ? 0 : 1;
}
