// examples/common/net/stream.hpp — one connection of a network tool: a TCP socket that may
// switch to TLS in the middle (STARTTLS, STLS) or start with it (implicit TLS ports).
//
//   mailwire_net::stream s(std::move(socket));
//   s.async_read_some(asio::buffer(buf), handler);      // plaintext
//   s.start_tls(ctx);                                    // after "220 Ready to start TLS"
//   s.async_handshake(asio::ssl::stream_base::server, handler);
//   s.async_read_some(asio::buffer(buf), handler);      // now through TLS
//
// Switching drops nothing silently: bytes read before start_tls() were read by the caller,
// and bytes still in the kernel are what the TLS handshake reads (a plaintext injection then
// fails the handshake).
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <memory>
#include <utility>

namespace mailwire_net {

class stream {
 public:
  using tcp = asio::ip::tcp;
  using tls_stream = asio::ssl::stream<tcp::socket&>;

  explicit stream(tcp::socket s) : sock_(std::move(s)) {}

  [[nodiscard]] tcp::socket& socket() noexcept { return sock_; }
  [[nodiscard]] bool tls() const noexcept { return tls_ != nullptr; }
  /// The TLS stream (after start_tls()), e.g. for SSL_get_version().
  [[nodiscard]] tls_stream* tls_layer() noexcept { return tls_.get(); }

  /// From now on every read and write goes through TLS over the same socket.
  void start_tls(asio::ssl::context& ctx) { tls_ = std::make_unique<tls_stream>(sock_, ctx); }

  template <class Handler>
  void async_handshake(asio::ssl::stream_base::handshake_type t, Handler&& h) {
    tls_->async_handshake(t, std::forward<Handler>(h));
  }

  template <class Buffer, class Handler>
  void async_read_some(const Buffer& b, Handler&& h) {
    if (tls_) tls_->async_read_some(b, std::forward<Handler>(h));
    else sock_.async_read_some(b, std::forward<Handler>(h));
  }

  /// Writes all of `b` (asio::async_write).
  template <class Buffer, class Handler>
  void async_write(const Buffer& b, Handler&& h) {
    if (tls_) asio::async_write(*tls_, b, std::forward<Handler>(h));
    else asio::async_write(sock_, b, std::forward<Handler>(h));
  }

  /// Sends TLS close_notify (when TLS is on) and calls `h(error_code)`; without TLS at once.
  template <class Handler>
  void async_shutdown(Handler&& h) {
    if (tls_) tls_->async_shutdown(std::forward<Handler>(h));
    else asio::post(sock_.get_executor(), [h = std::forward<Handler>(h)]() mutable { h(asio::error_code()); });
  }

  /// Closes the socket; pending operations complete with operation_aborted.
  void close() noexcept {
    asio::error_code ec;
    sock_.shutdown(tcp::socket::shutdown_both, ec);
    sock_.close(ec);
  }

 private:
  tcp::socket sock_;
  std::unique_ptr<tls_stream> tls_;
};

}  // namespace mailwire_net
