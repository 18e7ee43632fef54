// Nettle (nettle-dev): base64_encode_update/final write one line; base64_decode_update skips
// whitespace (CRLF included), so it decodes MIME too.
#include <nettle/base64.h>

#include "../bench.hpp"

namespace mwbench {

void add_nettle(registry& r) {
  auto decode = [](std::string_view in, std::span<char> out) {
    base64_decode_ctx ctx;
    base64_decode_init(&ctx);
    size_t n = out.size();
    if (!base64_decode_update(&ctx, &n, reinterpret_cast<uint8_t*>(out.data()), in.size(),
                              in.data()) ||
        !base64_decode_final(&ctx))
      return failed();
    return std::string_view(out.data(), n);
  };
  r.push_back({group::b64_decode_mime, "nettle", "", decode});
  r.push_back({group::b64_decode_plain, "nettle", "", decode});
  r.push_back({group::b64_encode_plain, "nettle", "", [](std::string_view in, std::span<char> out) {
                 base64_encode_ctx ctx;
                 base64_encode_init(&ctx);
                 size_t n = base64_encode_update(&ctx, out.data(), in.size(),
                                                 reinterpret_cast<const uint8_t*>(in.data()));
                 n += base64_encode_final(&ctx, out.data() + n);
                 return std::string_view(out.data(), n);
               }});
}

}  // namespace mwbench
