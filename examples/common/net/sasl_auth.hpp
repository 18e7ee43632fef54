// examples/common/net/sasl_auth.hpp — the server side of SASL PLAIN (RFC 4616) and LOGIN
// (draft-murchison-sasl-login) against a `--users FILE`, shared by the example servers
// (SMTP AUTH RFC 4954, POP3 AUTH RFC 5034, IMAP AUTHENTICATE RFC 9051 6.2.2). The protocol
// session frames the exchange; this decides each step:
//
//   mailwire_net::sasl_password_auth a(&users);
//   auto s = a.start("PLAIN", initial_response_or_nullopt);   // then a.step(b64) per line
//   switch (s.k) { case challenge: send(s.data); case success: login(s.user); ... }
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mailwire/codec/sasl.hpp"
#include "mailwire/core/ascii.hpp"
#include "net/users.hpp"

namespace mailwire_net {

/// One step of an exchange: send a challenge, or the end (success / failure / undecodable).
struct sasl_step {
  enum kind { challenge, success, failure, malformed } k = failure;
  std::string_view data;       ///< base64 to send (challenge)
  std::string user;            ///< the authentication identity (success, failure)
};

class sasl_password_auth {
 public:
  explicit sasl_password_auth(const users_file* users) : users_(users) {}

  /// The mechanisms offered, for CAPA/EHLO.
  static constexpr std::string_view mechanisms = "PLAIN LOGIN";

  /// AUTH `mechanism` with the initial response (nullopt: none; "" for "=": empty).
  sasl_step start(std::string_view mechanism, std::optional<std::string_view> initial) {
    state_ = state::none;
    if (users_ == nullptr) return {};
    const bool plain = mailwire::ascii::iequals(mechanism, "PLAIN");
    if (!plain && !mailwire::ascii::iequals(mechanism, "LOGIN")) return {};
    if (initial && initial->empty()) return {};  // empty credentials never match
    if (initial) {
      if (plain) return check_plain(*initial);
      user_.clear();
      if (!mailwire::sasl::decode_base64(*initial, user_)) return {sasl_step::malformed, {}, {}};
      state_ = state::login_password;
      return {sasl_step::challenge, mailwire::sasl::login_password_challenge, {}};
    }
    state_ = plain ? state::plain : state::login_user;
    return {sasl_step::challenge, plain ? std::string_view() : mailwire::sasl::login_username_challenge, {}};
  }

  /// The client's next base64 line.
  sasl_step step(std::string_view b64) {
    switch (std::exchange(state_, state::none)) {
      case state::plain: return check_plain(b64);
      case state::login_user:
        user_.clear();
        if (!mailwire::sasl::decode_base64(b64, user_)) return {sasl_step::malformed, {}, {}};
        state_ = state::login_password;
        return {sasl_step::challenge, mailwire::sasl::login_password_challenge, {}};
      case state::login_password: {
        std::string pw;
        if (!mailwire::sasl::decode_base64(b64, pw)) return {sasl_step::malformed, {}, {}};
        return verdict(user_, pw);
      }
      case state::none: break;
    }
    return {};
  }

 private:
  enum class state { none, plain, login_user, login_password };

  sasl_step check_plain(std::string_view b64) {
    const auto cred = mailwire::sasl::decode_plain(b64);
    if (!cred) return {sasl_step::malformed, {}, {}};
    // Acting for another user (an authzid that differs) is not offered.
    if (!cred->authzid.empty() && cred->authzid != cred->authcid) return {sasl_step::failure, {}, cred->authcid};
    return verdict(cred->authcid, cred->password);
  }
  sasl_step verdict(const std::string& user, const std::string& password) const {
    return {users_->check(user, password) ? sasl_step::success : sasl_step::failure, {}, user};
  }

  const users_file* users_;
  state state_ = state::none;
  std::string user_;
};

}  // namespace mailwire_net
