// examples/common/net/digest.hpp — MD5 in lowercase hex through OpenSSL, for APOP (RFC 1939
// section 7) on both sides and for unique-ids derived from long file names. The codecs never
// compute digests: the host does (DESIGN.md, issue 6).
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace mailwire_net {

/// Lowercase hex MD5 of `data`.
inline std::string md5_hex(std::string_view data) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_md5(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (unsigned int i = 0; i < n; ++i) {
    s += hex[d[i] >> 4];
    s += hex[d[i] & 15];
  }
  return s;
}

}  // namespace mailwire_net
