#pragma once
// The transport seam: a TCP socket that STARTTLS (or direct TLS) turns into a TLS stream once.
// Everything above it reads and writes bytes without knowing which it is.

#include <memory>
#include <string>

#include "edgeproxy/asio.hpp"

namespace edgekit::edgeproxy {

class Transport {
 public:
  explicit Transport(tcp::socket socket) : plain_(std::move(socket)) {}

  awaitable<std::size_t> read_some(asio::mutable_buffer buffer, boost::system::error_code& ec);
  awaitable<std::size_t> write(asio::const_buffer buffer, boost::system::error_code& ec);
  // Swaps plain for TLS and runs the handshake; `sni` is sent as a client.
  awaitable<void> start_tls(asio::ssl::context& context, bool server, const std::string& sni,
                            boost::system::error_code& ec);

  [[nodiscard]] bool secured() const noexcept { return tls_ != nullptr; }
  [[nodiscard]] SSL* ssl() const noexcept { return tls_ ? tls_->native_handle() : nullptr; }
  tcp::socket& socket() noexcept { return tls_ ? tls_->next_layer() : plain_; }
  // Makes a pending read return (end of stream) without disturbing writes.
  void stop_reading() noexcept;
  void close() noexcept;

 private:
  tcp::socket plain_;
  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls_;
};

}  // namespace edgekit::edgeproxy
