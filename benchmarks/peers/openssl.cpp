// OpenSSL (libssl-dev), libcrypto's EVP base64. EVP_EncodeUpdate writes lines of 64 columns
// + LF (the PEM format) and cannot do 76 + CRLF; EVP_DecodeUpdate skips whitespace, CRLF
// included. The one-line forms are EVP_EncodeBlock / EVP_DecodeBlock (which counts the
// padding as decoded zero bytes: we subtract it, as every caller must).
#include <openssl/evp.h>

#include <climits>

#include "../bench.hpp"

namespace mwbench {

void add_openssl(registry& r) {
  auto u = [](std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  auto w = [](std::span<char> s) { return reinterpret_cast<unsigned char*>(s.data()); };
  r.push_back({group::b64_decode_mime, "openssl", "EVP_DecodeUpdate",
               [=](std::string_view in, std::span<char> out) {
                 if (in.size() > INT_MAX) return failed();
                 EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
                 EVP_DecodeInit(ctx);
                 int n = 0, m = 0;
                 const int rc = EVP_DecodeUpdate(ctx, w(out), &n, u(in), static_cast<int>(in.size()));
                 const int rf = EVP_DecodeFinal(ctx, w(out) + n, &m);
                 EVP_ENCODE_CTX_free(ctx);
                 if (rc < 0 || rf < 0) return failed();
                 return std::string_view(out.data(), static_cast<std::size_t>(n + m));
               }});
  r.push_back({group::b64_decode_plain, "openssl", "EVP_DecodeBlock",
               [=](std::string_view in, std::span<char> out) {
                 if (in.size() > INT_MAX) return failed();
                 int n = EVP_DecodeBlock(w(out), u(in), static_cast<int>(in.size()));
                 if (n < 0) return failed();
                 for (std::size_t k = in.size(); k > 0 && in[k - 1] == '=' && in.size() - k < 2; --k) --n;
                 return std::string_view(out.data(), static_cast<std::size_t>(n));
               }});
  r.push_back({group::b64_encode_mime, "openssl", "EVP_EncodeUpdate",
               [=](std::string_view in, std::span<char> out) {
                 if (in.size() > INT_MAX) return failed();
                 EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
                 EVP_EncodeInit(ctx);
                 int n = 0, m = 0;
                 const int rc = EVP_EncodeUpdate(ctx, w(out), &n, u(in), static_cast<int>(in.size()));
                 EVP_EncodeFinal(ctx, w(out) + n, &m);
                 EVP_ENCODE_CTX_free(ctx);
                 if (rc != 1) return failed();
                 return std::string_view(out.data(), static_cast<std::size_t>(n + m));
               }});
  r.push_back({group::b64_encode_plain, "openssl", "EVP_EncodeBlock",
               [=](std::string_view in, std::span<char> out) {
                 if (in.size() > INT_MAX) return failed();
                 const int n = EVP_EncodeBlock(w(out), u(in), static_cast<int>(in.size()));
                 return std::string_view(out.data(), static_cast<std::size_t>(n));
               }});
}

}  // namespace mwbench
