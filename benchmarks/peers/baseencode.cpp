// libbaseencode (libbaseencode-dev): one-line base64 into a new malloc'd, NUL-terminated
// buffer (the allocation is part of its API, so part of its time). Its decoder returns no
// length: we take the canonical decoded length of the input. Its encoder (1.0.15) stops at the
// first NUL byte of the input whatever the length given, so on random bytes its output is wrong
// and the check skips it with an error.
#include <cstdlib>
#include <memory>

extern "C" {
#include <baseencode.h>
}

#include "../bench.hpp"

namespace mwbench {

void add_baseencode(registry& r) {
  struct holder {
    void* p = nullptr;
    ~holder() { std::free(p); }
    void reset(void* q) {
      std::free(p);
      p = q;
    }
  };
  auto dec = std::make_shared<holder>();
  auto enc = std::make_shared<holder>();
  r.push_back({group::b64_decode_plain, "baseencode", "allocates",
               [dec](std::string_view in, std::span<char>) {
                 baseencode_error_t err = SUCCESS;
                 dec->reset(nullptr);
                 unsigned char* p = base64_decode(in.data(), in.size(), &err);
                 dec->reset(p);
                 if (err != SUCCESS || p == nullptr) return failed();
                 std::size_t n = in.size() / 4 * 3;
                 for (std::size_t k = in.size(); k > 0 && in[k - 1] == '=' && in.size() - k < 2; --k) --n;
                 return std::string_view(reinterpret_cast<const char*>(p), n);
               }});
  r.push_back({group::b64_encode_plain, "baseencode", "allocates",
               [enc](std::string_view in, std::span<char>) {
                 baseencode_error_t err = SUCCESS;
                 enc->reset(nullptr);
                 char* p = base64_encode(reinterpret_cast<const unsigned char*>(in.data()), in.size(), &err);
                 enc->reset(p);
                 if (err != SUCCESS || p == nullptr) return failed();
                 return std::string_view(p);
               }});
}

}  // namespace mwbench
