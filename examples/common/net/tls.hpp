// examples/common/net/tls.hpp — OpenSSL contexts for the example tools (through asio::ssl).
// The codecs never see TLS: the tools move bytes between the socket's TLS stream and a session.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <memory>
#include <string>

namespace mailwire_net {

/// A server context with `cert` (PEM chain) and `key` (PEM), TLS 1.2 or later. Throws
/// std::runtime_error with OpenSSL's reason when a file cannot be used.
inline std::unique_ptr<asio::ssl::context> server_tls_context(const std::string& cert,
                                                               const std::string& key) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  asio::error_code ec;
  ctx->use_certificate_chain_file(cert, ec);
  if (ec) throw std::runtime_error("--tls-cert " + cert + ": " + ec.message());
  ctx->use_private_key_file(key, asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("--tls-key " + key + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    throw std::runtime_error("--tls-key " + key + " does not match --tls-cert " + cert);
  return ctx;
}

/// A client context: peer verification against the system's CAs unless `verify` is false.
inline std::unique_ptr<asio::ssl::context> client_tls_context(bool verify) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  if (verify) {
    ctx->set_default_verify_paths();
    ctx->set_verify_mode(asio::ssl::verify_peer);
  } else {
    ctx->set_verify_mode(asio::ssl::verify_none);
  }
  return ctx;
}

}  // namespace mailwire_net
