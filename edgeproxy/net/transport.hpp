#pragma once
// The transport seam: a TCP socket that STARTTLS (or direct TLS) turns into a TLS stream once.
// Everything above it reads and writes bytes without knowing which it is.
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

namespace edgekit::edgeproxy {

class Transport {
 public:
  explicit Transport(tcp::socket socket) : socket_(std::move(socket)) {}

  // Reads what has arrived, up to the buffer's size, without waiting: the byte count, or 0
  // with `ec` set — asio::error::would_block (call wait_readable), asio::error::eof (the peer
  // closed), or an error. An end or error met after some bytes is reported by the next call.
  std::size_t read_now(asio::mutable_buffer buffer, boost::system::error_code& ec);
  // True when the last read_now emptied the socket: the next one would only block. When false
  // more bytes are waiting, and a fair caller lets other streams run before reading again.
  [[nodiscard]] bool drained() const noexcept { return read_needs_ != Need::kNothing; }
  // Waits until read_now can make progress (for TLS that may mean the socket is writable).
  awaitable<void> wait_readable(boost::system::error_code& ec);
  awaitable<void> write(asio::const_buffer buffer, boost::system::error_code& ec);
  // Swaps plain for TLS and runs the handshake; `sni` is sent as a client.
  awaitable<void> start_tls(asio::ssl::context& context, bool server, const std::string& sni,
                            boost::system::error_code& ec);

  [[nodiscard]] bool secured() const noexcept { return ssl_ != nullptr; }
  [[nodiscard]] SSL* ssl() const noexcept { return ssl_.get(); }
  tcp::socket& socket() noexcept { return socket_; }
  // Makes a pending read return (end of stream) without disturbing writes.
  void stop_reading() noexcept;
  void close() noexcept;

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
