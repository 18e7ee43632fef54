// GMime 3 (libgmime-3.0-dev): its one-shot encoders/decoders are the _step/_close functions
// GMime's stream filters use. Its base64 encoder always writes LF every 76 columns and its QP
// encoder writes LF hard line breaks, so there is no plain-base64 row for GMime.
#include <gmime/gmime.h>

#include "../bench.hpp"

namespace mwbench {

void add_gmime(registry& r) {
  g_mime_init();
  auto u = [](std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  auto w = [](std::span<char> s) { return reinterpret_cast<unsigned char*>(s.data()); };
  auto decode_b64 = [=](std::string_view in, std::span<char> out) {
    int state = 0;
    guint32 save = 0;
    const size_t n = g_mime_encoding_base64_decode_step(u(in), in.size(), w(out), &state, &save);
    return std::string_view(out.data(), n);
  };
  r.push_back({group::b64_decode_mime, "gmime", "", decode_b64});
  r.push_back({group::b64_decode_plain, "gmime", "", decode_b64});
  r.push_back({group::b64_encode_mime, "gmime", "", [=](std::string_view in, std::span<char> out) {
                 int state = 0;
                 guint32 save = 0;
                 const size_t n = g_mime_encoding_base64_encode_close(u(in), in.size(), w(out),
                                                                      &state, &save);
                 return std::string_view(out.data(), n);
               }});
  r.push_back({group::qp_decode_text, "gmime", "", [=](std::string_view in, std::span<char> out) {
                 int state = 0;
                 guint32 save = 0;
                 const size_t n = g_mime_encoding_quoted_decode_step(u(in), in.size(), w(out),
                                                                     &state, &save);
                 return std::string_view(out.data(), n);
               }});
  r.push_back({group::qp_encode_text, "gmime", "", [=](std::string_view in, std::span<char> out) {
                 int state = -1;
                 guint32 save = 0;
                 const size_t n = g_mime_encoding_quoted_encode_close(u(in), in.size(), w(out),
                                                                      &state, &save);
                 return std::string_view(out.data(), n);
               }});
}

}  // namespace mwbench
