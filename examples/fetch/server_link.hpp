// examples/fetch/server_link.hpp — what the POP3 and IMAP sides of mailwire-fetch share: one
// connection to the server (net/client.hpp: Asio, OpenSSL), its TLS handshake (--tls from the
// first byte, or after STLS / STARTTLS; --ca verifies the certificate and the name), and the
// -v trace of protocol lines on standard error.
#pragma once

#include <fmt/core.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "fetch_options.hpp"
#include "net/client.hpp"
#include "net/tls.hpp"

namespace mailwire_fetch {

using mailwire_net::failure;

class server_link {
 public:
  explicit server_link(const options& o) : o_(o), conn_(io_, std::chrono::seconds(o.timeout)) {}

  /// Connects to --server (and does the TLS handshake at once with --tls). Throws failure.
  void connect() {
    conn_.connect(mailwire_net::resolve(io_, "--server", o_.server, false), o_.server_text);
    if (o_.tls) tls_handshake();
  }

  /// The TLS handshake on the open connection (--ca: verified). Throws failure.
  void tls_handshake() {
    if (!ctx_) ctx_ = mailwire_net::client_tls_context(o_.ca.has_value());
    if (o_.ca) {
      asio::error_code ec;
      ctx_->load_verify_file(*o_.ca, ec);
      if (ec) throw failure{fmt::format("--ca {}: {}", *o_.ca, ec.message())};
    }
    const std::string info = conn_.handshake(*ctx_, o_.server_host, o_.ca.has_value());
    if (o_.verbose) fmt::print(stderr, "mailwire-fetch: TLS: {}\n", info);
  }

  /// Prints each line of `bytes` as "mailwire-fetch: WHO: line" (CR LF removed).
  void trace(std::string_view who, std::string_view bytes) const {
    for (std::string_view l = bytes; !l.empty();) {
      const std::size_t e = l.find('\n');
      const std::string_view line = l.substr(0, e == std::string_view::npos ? l.size() : e);
      fmt::print(stderr, "mailwire-fetch: {}: {}\n", who, line.substr(0, line.size() - (line.ends_with('\r') ? 1 : 0)));
      l = e == std::string_view::npos ? std::string_view() : l.substr(e + 1);
    }
  }

  mailwire_net::client_connection& conn() noexcept { return conn_; }

 private:
  const options& o_;
  asio::io_context io_;
  mailwire_net::client_connection conn_;
  std::unique_ptr<asio::ssl::context> ctx_;
};

}  // namespace mailwire_fetch
