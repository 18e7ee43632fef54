// mailwire/codec/sasl.hpp — the two SASL mechanisms every mail protocol meets, as helpers for
// hosts: PLAIN (RFC 4616) and the LOGIN convention (draft-murchison-sasl-login). The sessions
// (smtp::server_session, pop3, imap) only frame an exchange as base64 lines and never look
// inside (DESIGN.md section 2: protocols need only core); the host decodes with these.
//
//   // server side, on AUTH PLAIN with an initial response:
//   if (auto cred = mailwire::sasl::decode_plain(ev.command.response)) {
//     if (check(cred->authcid, cred->password) && cred->authzid.empty()) session.accept();
//   }
//   // client side:
//   std::string ir = mailwire::sasl::encode_plain("", "tim", "tanstaaftanstaaf");
//
// Credentials are returned as owned strings (they are decoded from base64); no limits apply
// beyond the line limit of the protocol that carried them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mailwire/codec/base64.hpp"
#include "mailwire/core/status.hpp"

namespace mailwire::sasl {

/// The three fields of a PLAIN message (RFC 4616 section 2):
/// `message = [authzid] UTF8NUL authcid UTF8NUL passwd`.
struct plain_credentials {
  std::string authzid;   ///< identity to act as; empty: the same as authcid
  std::string authcid;   ///< authentication identity (user name)
  std::string password;  ///< passwd
  friend bool operator==(const plain_credentials&, const plain_credentials&) = default;
};

/// Decodes strict base64 (RFC 4648 section 4, as RFC 4954 section 4 requires) into `out`;
/// false if `b64` is not canonical base64.
[[nodiscard]] inline bool decode_base64(std::string_view b64, std::string& out) {
  base64::decode_options o;
  o.strict = true;
  out.clear();
  return base64::decode(b64, out, o).st == status::event;
}

/// Decodes a base64 PLAIN response (RFC 4616 section 2): exactly two NULs, non-empty authcid
/// and password, no NUL elsewhere. std::nullopt for anything else (reply 501 or 535).
[[nodiscard]] inline std::optional<plain_credentials> decode_plain(std::string_view b64) {
  std::string raw;
  if (!decode_base64(b64, raw)) return std::nullopt;
  const std::size_t a = raw.find('\0');
  if (a == std::string::npos) return std::nullopt;
  const std::size_t b = raw.find('\0', a + 1);
  if (b == std::string::npos || raw.find('\0', b + 1) != std::string::npos) return std::nullopt;
  plain_credentials c;
  c.authzid = raw.substr(0, a);
  c.authcid = raw.substr(a + 1, b - a - 1);
  c.password = raw.substr(b + 1);
  if (c.authcid.empty() || c.password.empty()) return std::nullopt;
  return c;
}

/// The PLAIN message authzid NUL authcid NUL password (RFC 4616 section 2), unencoded, for
/// protocols whose session encodes it (IMAP AUTHENTICATE). The fields must not contain NUL (the
/// result would not decode back); an empty std::string is returned then.
[[nodiscard]] inline std::string plain_message(std::string_view authzid, std::string_view authcid,
                                               std::string_view password) {
  if (authzid.find('\0') != std::string_view::npos ||
      authcid.find('\0') != std::string_view::npos ||
      password.find('\0') != std::string_view::npos)
    return {};
  std::string raw;
  raw.reserve(authzid.size() + authcid.size() + password.size() + 2);
  raw.append(authzid).push_back('\0');
  raw.append(authcid).push_back('\0');
  raw.append(password);
  return raw;
}

/// The base64 PLAIN response for the given identities (RFC 4616 section 2): plain_message()
/// in base64; empty when a field contains NUL.
[[nodiscard]] inline std::string encode_plain(std::string_view authzid, std::string_view authcid,
                                              std::string_view password) {
  return base64::encode(plain_message(authzid, authcid, password));
}

/// LOGIN's two server challenges, base64 of "Username:" and "Password:" (the de facto texts
/// of draft-murchison-sasl-login section 2; clients ignore their content).
inline constexpr std::string_view login_username_challenge = "VXNlcm5hbWU6";
inline constexpr std::string_view login_password_challenge = "UGFzc3dvcmQ6";

/// base64 of `s`, for LOGIN responses and any other mechanism's data.
[[nodiscard]] inline std::string encode_base64(std::string_view s) { return base64::encode(s); }

}  // namespace mailwire::sasl
