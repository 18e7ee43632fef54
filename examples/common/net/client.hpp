// examples/common/net/client.hpp — the one connection of a client tool (mailwire-send,
// mailwire-fetch): blocking calls with a timeout on top of asio's asynchronous operations (each call runs the io_context until the
// operation completes or the time is up; then the socket is closed and the call throws).
// Plain TCP, STARTTLS (start_tls() in the middle) and implicit TLS, through
// examples/common/net/stream.hpp; OpenSSL does the TLS.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <fmt/core.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/stream.hpp"

namespace mailwire_net {

/// A failed session: main() prints `mailwire-TOOL: <what>` and exits 1.
struct failure {
  std::string what;
};

class client_connection {
 public:
  using tcp = asio::ip::tcp;

  client_connection(asio::io_context& io, std::chrono::seconds timeout) : io_(io), timeout_(timeout) {}

  /// Connects to the first endpoint that answers.
  void connect(const std::vector<tcp::endpoint>& eps, std::string_view name) {
    tcp::socket sock(io_);
    asio::error_code result = asio::error::would_block;
    asio::async_connect(sock, eps, [&](const asio::error_code& ec, const tcp::endpoint&) { result = ec; });
    wait(result, fmt::format("connecting to {}", name), [&] { sock.close(); });
    if (result) throw failure{fmt::format("cannot connect to {}: {}", name, result.message())};
    asio::error_code ignored;
    sock.set_option(tcp::no_delay(true), ignored);
    s_.emplace(std::move(sock));
  }

  /// TLS client handshake over the connected socket (implicit TLS, or after STARTTLS's 220).
  /// `sni` is sent as the server name unless empty; with `verify_host` the certificate must
  /// name it. Returns a one-line description: protocol, cipher, the peer certificate's subject.
  std::string handshake(asio::ssl::context& ctx, const std::string& sni, bool verify_host) {
    s_->start_tls(ctx);
    SSL* ssl = s_->tls_layer()->native_handle();
    if (!sni.empty()) SSL_set_tlsext_host_name(ssl, sni.c_str());
    if (verify_host) s_->tls_layer()->set_verify_callback(asio::ssl::host_name_verification(sni));
    asio::error_code result = asio::error::would_block;
    s_->async_handshake(asio::ssl::stream_base::client, [&](const asio::error_code& ec) { result = ec; });
    wait(result, "TLS handshake", [&] { s_->close(); });
    if (result) throw failure{fmt::format("TLS handshake failed: {}", result.message())};
    std::string subject = "(none)";
    if (X509* cert = SSL_get1_peer_certificate(ssl)) {
      if (char* line = X509_NAME_oneline(X509_get_subject_name(cert), nullptr, 0)) {
        subject = line;
        OPENSSL_free(line);
      }
      X509_free(cert);
    }
    return fmt::format("{} {}, peer certificate subject: {}", SSL_get_version(ssl),
                       SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)), subject);
  }

  /// Writes all of `bytes`.
  void write(std::string_view bytes) {
    if (bytes.empty()) return;
    asio::error_code result = asio::error::would_block;
    s_->async_write(asio::buffer(bytes.data(), bytes.size()),
                    [&](const asio::error_code& ec, std::size_t) { result = ec; });
    wait(result, "writing to the server", [&] { s_->close(); });
    if (result) throw failure{fmt::format("writing to the server: {}", result.message())};
  }

  /// Reads what is there (at least one byte); 0 at the end of the stream.
  std::size_t read_some(char* buf, std::size_t size) {
    asio::error_code result = asio::error::would_block;
    std::size_t n = 0;
    s_->async_read_some(asio::buffer(buf, size), [&](const asio::error_code& ec, std::size_t k) {
      result = ec;
      n = k;
    });
    wait(result, "waiting for the server", [&] { s_->close(); });
    if (result == asio::error::eof || result == asio::ssl::error::stream_truncated) return n;
    if (result) throw failure{fmt::format("reading from the server: {}", result.message())};
    return n;
  }

  /// Ends the connection: TLS close_notify (bounded by the timeout, errors ignored), then close.
  void close() noexcept {
    if (!s_) return;
    if (s_->tls()) {
      try {
        asio::error_code result = asio::error::would_block;
        s_->async_shutdown([&](const asio::error_code& ec) { result = ec; });
        wait(result, "TLS shutdown", [&] { s_->close(); });
      } catch (const failure&) {
      }
    }
    s_->close();
    s_.reset();
  }

 private:
  // Runs the io_context until `result` is set or the timeout passes.
  template <class Cancel>
  void wait(asio::error_code& result, std::string_view what, Cancel&& cancel) {
    io_.restart();
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    while (result == asio::error::would_block && std::chrono::steady_clock::now() < deadline)
      io_.run_one_until(deadline);
    if (result == asio::error::would_block) {
      cancel();
      io_.restart();
      io_.run();  // let the cancelled operation finish (it refers to locals of the caller)
      throw failure{fmt::format("{}: no answer within {} s", what, timeout_.count())};
    }
  }

  asio::io_context& io_;
  std::chrono::seconds timeout_;
  std::optional<mailwire_net::stream> s_;
};

}  // namespace mailwire_net
