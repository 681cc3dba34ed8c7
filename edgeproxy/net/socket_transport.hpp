#pragma once
// The production Transport: a TCP socket that STARTTLS (or direct TLS) turns into a TLS stream
// once.
//
// TLS is driven here directly over the socket (SSL_set_fd, non-blocking) rather than through
// asio::ssl::stream: Asio's engine keeps two 17 KiB buffers and a BIO pair per stream for its
// whole life, which made an idle federation stream cost ~100 KiB. Here OpenSSL releases its
// record buffers while a stream is idle (SSL_MODE_RELEASE_BUFFERS) and reads go into one buffer
// the caller shares between all streams (the edge has one event-loop thread, ADR 0005): wait
// for readability, then read and consume at once with no suspension in between.

#include <cstdint>
#include <memory>
#include <string>

#include "common/openssl_ptr.hpp"
#include "edgeproxy/net/asio.hpp"
#include "edgeproxy/net/transport.hpp"

namespace edgekit::edgeproxy {

class SocketTransport final : public Transport {
 public:
  // Sets TCP_NODELAY on a connected `socket` (an accepted one); connect() does it for its own.
  explicit SocketTransport(tcp::socket socket);

  awaitable<void> connect(const tcp::endpoint& endpoint, boost::system::error_code& ec) override;
  std::size_t read_now(asio::mutable_buffer buffer, boost::system::error_code& ec) override;
  [[nodiscard]] bool drained() const noexcept override { return read_needs_ != Need::kNothing; }
  // For TLS, readable may mean the socket must first become writable.
  awaitable<void> wait_readable(boost::system::error_code& ec) override;
  awaitable<std::size_t> write(asio::const_buffer buffer, boost::system::error_code& ec) override;
  awaitable<void> start_tls(asio::ssl::context& context, bool server, const std::string& sni,
                            boost::system::error_code& ec) override;

  [[nodiscard]] bool secured() const noexcept override { return ssl_ != nullptr; }
  [[nodiscard]] std::string tls_version() const override;
  [[nodiscard]] CertificateCheck peer_certificate() const override;
  [[nodiscard]] std::string remote_address() const override;
  void stop_reading() noexcept override;
  void close() noexcept override;

  [[nodiscard]] SSL* ssl() const noexcept { return ssl_.get(); }
  tcp::socket& socket() noexcept { return socket_; }

 private:
  // What the last TLS call needs before it can be retried.
  enum class Need { kNothing, kReadable, kWritable };

  // Runs `call` (an SSL_* operation returning 1 on success) and classifies a failure.
  template <typename Call>
  Need tls_step(Call call, boost::system::error_code& ec);
  awaitable<void> wait_for(Need need, boost::system::error_code& ec);

  tcp::socket socket_;
  ossl::SslPtr ssl_;
  std::size_t read_tls(char* data, std::size_t size, boost::system::error_code& ec);

  Need read_needs_ = Need::kNothing;         // what the socket must become before reading again
  boost::system::error_code pending_error_;  // met after bytes that were returned first
  bool tls_failed_ = false;         // no close_notify after a fatal TLS error (SSL_shutdown(3))
  std::uint32_t chain_errors_ = 0;  // what the handshake found wrong with the peer's chain
};

}  // namespace edgekit::edgeproxy
