// libb64 (libb64-dev). Its encoder always breaks lines with LF (every 72 columns as Debian
// builds it), so it only has an encode-in-lines row; its decoder skips characters outside the
// alphabet. Lengths are int.
#include <climits>

extern "C" {
#include <b64/cdecode.h>
#include <b64/cencode.h>
}

#include "../bench.hpp"

namespace mwbench {

void add_libb64(registry& r) {
  auto decode = [](std::string_view in, std::span<char> out) {
    if (in.size() > INT_MAX) return failed();
    base64_decodestate s;
    base64_init_decodestate(&s);
    const int n = base64_decode_block(in.data(), static_cast<int>(in.size()), out.data(), &s);
    return std::string_view(out.data(), static_cast<std::size_t>(n));
  };
  r.push_back({group::b64_decode_mime, "libb64", "", decode});
  r.push_back({group::b64_decode_plain, "libb64", "", decode});
  r.push_back({group::b64_encode_mime, "libb64", "", [](std::string_view in, std::span<char> out) {
                 if (in.size() > INT_MAX) return failed();
                 base64_encodestate s;
                 base64_init_encodestate(&s);
                 int n = base64_encode_block(in.data(), static_cast<int>(in.size()), out.data(), &s);
                 n += base64_encode_blockend(out.data() + n, &s);
                 return std::string_view(out.data(), static_cast<std::size_t>(n));
               }});
}

}  // namespace mwbench
