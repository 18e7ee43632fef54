// examples/common/net/users.hpp — the `--users FILE` of the example servers
// (../shared/spec/tools.md): lines of `user:password`; empty lines and lines starting with '#'
// are skipped. Example programs only: a real host plugs in its own password store.
#pragma once

#include <openssl/crypto.h>

#include <fstream>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mailwire_net {

class users_file {
 public:
  /// Reads `path`; returns "" or what went wrong ("line 3: no ':'").
  std::string load(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return "cannot open " + path;
    std::string line;
    std::size_t n = 0;
    while (std::getline(f, line)) {
      ++n;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line.front() == '#') continue;
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos || colon == 0)
        return path + ": line " + std::to_string(n) + ": not user:password";
      users_[line.substr(0, colon)] = line.substr(colon + 1);
    }
    return {};
  }

  /// True when `user` exists and `password` is its password (compared in constant time).
  [[nodiscard]] bool check(std::string_view user, std::string_view password) const {
    const auto it = users_.find(std::string(user));
    const std::string& want = it == users_.end() ? dummy_ : it->second;
    const bool eq = want.size() == password.size() &&
                    CRYPTO_memcmp(want.data(), password.data(), want.size()) == 0;
    return it != users_.end() && eq;
  }

  /// The password of `user`, or nullptr (APOP, RFC 1939 section 7, needs the shared secret).
  [[nodiscard]] const std::string* password(std::string_view user) const {
    const auto it = users_.find(std::string(user));
    return it == users_.end() ? nullptr : &it->second;
  }

  [[nodiscard]] bool contains(std::string_view user) const {
    return users_.count(std::string(user)) != 0;
  }
  [[nodiscard]] std::size_t size() const noexcept { return users_.size(); }

 private:
  std::unordered_map<std::string, std::string> users_;
  std::string dummy_ = "\x01not-a-password";
};

}  // namespace mailwire_net
