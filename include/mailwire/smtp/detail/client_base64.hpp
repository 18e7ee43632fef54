// mailwire/smtp/detail/client_base64.hpp — the minimal base64 (RFC 4648 section 4, padded, no
// line breaks) that the SMTP client needs for SASL (RFC 4954 section 4). smtp/ may depend on
// core/ only (DESIGN.md section 2), so it cannot use codec/base64.hpp; tests compare this one
// with codec/base64.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailwire::smtp::detail {

inline constexpr char client_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends the padded base64 form of `in` to `out`.
inline void client_b64_encode(std::string_view in, std::string& out) {
  std::size_t i = 0;
  const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v = b(i) << 16 | b(i + 1) << 8 | b(i + 2);
    out.push_back(client_b64_alphabet[v >> 18]);
    out.push_back(client_b64_alphabet[(v >> 12) & 63]);
    out.push_back(client_b64_alphabet[(v >> 6) & 63]);
    out.push_back(client_b64_alphabet[v & 63]);
  }
  if (const std::size_t rest = in.size() - i; rest != 0) {
    const std::uint32_t v = b(i) << 16 | (rest == 2 ? b(i + 1) << 8 : 0);
    out.push_back(client_b64_alphabet[v >> 18]);
    out.push_back(client_b64_alphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? client_b64_alphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
}

[[nodiscard]] constexpr int client_b64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/// Appends the bytes of padded base64 `in` to `out`. Strict: length a multiple of 4, padding
/// only at the end, no other characters, unused bits zero. False (out unchanged) otherwise.
[[nodiscard]] inline bool client_b64_decode(std::string_view in, std::string& out) {
  if (in.size() % 4 != 0) return false;
  const std::size_t start = out.size();
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool final = i + 4 == in.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + static_cast<std::size_t>(k)];
      if (c == '=' && final && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      v[k] = pad != 0 ? -1 : client_b64_value(c);
      if (v[k] < 0) {
        out.resize(start);
        return false;
      }
    }
    const std::uint32_t x = static_cast<std::uint32_t>(v[0]) << 18 | static_cast<std::uint32_t>(v[1]) << 12 |
                            static_cast<std::uint32_t>(v[2]) << 6 | static_cast<std::uint32_t>(v[3]);
    if ((pad == 1 && (x & 0xFF) != 0) || (pad == 2 && (x & 0xFFFF) != 0)) {
      out.resize(start);
      return false;
    }
    out.push_back(static_cast<char>(x >> 16));
    if (pad < 2) out.push_back(static_cast<char>((x >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<char>(x & 0xFF));
  }
  return true;
}

}  // namespace mailwire::smtp::detail
