// stringencoders' modp_b64 (libmodpbase64-dev): one-line base64 only; its decoder rejects
// any character outside the alphabet, so it has no MIME rows.
#include <modp_b64.h>

#include "../bench.hpp"

namespace mwbench {

void add_modp(registry& r) {
  r.push_back({group::b64_decode_plain, "modp", "", [](std::string_view in, std::span<char> out) {
                 const size_t n = modp_b64_decode(out.data(), in.data(), in.size());
                 if (n == static_cast<size_t>(-1)) return failed();
                 return std::string_view(out.data(), n);
               }});
  r.push_back({group::b64_encode_plain, "modp", "", [](std::string_view in, std::span<char> out) {
                 const size_t n = modp_b64_encode(out.data(), in.data(), in.size());
                 if (n == static_cast<size_t>(-1)) return failed();
                 return std::string_view(out.data(), n);
               }});
}

}  // namespace mwbench
