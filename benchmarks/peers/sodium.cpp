// libsodium (libsodium-dev): sodium_bin2base64 writes one line (constant time);
// sodium_base642bin decodes, skipping the characters of its `ignore` argument ("\r\n" for
// MIME, none for plain).
#include <sodium.h>

#include "../bench.hpp"

namespace mwbench {

void add_sodium(registry& r) {
  if (sodium_init() < 0) return;
  auto decode = [](const char* ignore) {
    return [ignore](std::string_view in, std::span<char> out) {
      size_t n = 0;
      const char* end = nullptr;
      if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                            in.size(), ignore, &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
          end != in.data() + in.size())
        return failed();
      return std::string_view(out.data(), n);
    };
  };
  r.push_back({group::b64_decode_mime, "sodium", "", decode("\r\n")});
  r.push_back({group::b64_decode_plain, "sodium", "", decode(nullptr)});
  r.push_back({group::b64_encode_plain, "sodium", "", [](std::string_view in, std::span<char> out) {
                 if (out.size() < sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_ORIGINAL))
                   return failed();
                 sodium_bin2base64(out.data(), out.size(),
                                   reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                                   sodium_base64_VARIANT_ORIGINAL);
                 return std::string_view(out.data(),
                                         sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_ORIGINAL) - 1);
               }});
}

}  // namespace mwbench
