#pragma once
// The transport seam: the byte stream under a connection, plain until STARTTLS (or direct TLS)
// turns it into TLS once. Everything above it reads and writes bytes without knowing which it
// is, or whether a socket is there at all: the shells reach the network only through this
// interface, so a scripted transport can stand in for every step (tests/support/net/).
//
// Reads go into a buffer the caller owns (the edge shares one between all streams): wait for
// readability, then read and consume at once with no suspension in between.

#include <cstddef>
#include <string>

#include "edgeproxy/net/asio.hpp"
#include "edgeproxy/xmpp/session_action.hpp"

namespace edgekit::edgeproxy {

class Transport {
 public:
  virtual ~Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // One connection attempt to `endpoint` (dropping any earlier one); `ec` says why it failed.
  // A close() meanwhile aborts it.
  virtual awaitable<void> connect(const tcp::endpoint& endpoint, boost::system::error_code& ec) = 0;
  // Reads what has arrived, up to the buffer's size, without waiting: the byte count, or 0
  // with `ec` set — asio::error::would_block (call wait_readable), asio::error::eof (the peer
  // closed), or an error. An end or error met after some bytes is reported by the next call.
  virtual std::size_t read_now(asio::mutable_buffer buffer, boost::system::error_code& ec) = 0;
  // True when the last read_now emptied the stream: the next one would only block. When false
  // more bytes are waiting, and a fair caller lets other streams run before reading again.
  [[nodiscard]] virtual bool drained() const noexcept = 0;
  // Waits until read_now can make progress.
  virtual awaitable<void> wait_readable(boost::system::error_code& ec) = 0;
  // Writes all of `buffer` or fails; returns the bytes handed to the kernel either way (on
  // failure, what a stanza queue needs to know was already sent).
  virtual awaitable<std::size_t> write(asio::const_buffer buffer,
                                       boost::system::error_code& ec) = 0;
  // Swaps plain for TLS and runs the handshake; `sni` is sent as a client.
  virtual awaitable<void> start_tls(asio::ssl::context& context, bool server,
                                    const std::string& sni, boost::system::error_code& ec) = 0;

  [[nodiscard]] virtual bool secured() const noexcept = 0;
  // The negotiated version ("TLSv1.3"), once secured().
  [[nodiscard]] virtual std::string tls_version() const = 0;
  // What the handshake learnt about the peer's certificate, for the cores.
  [[nodiscard]] virtual CertificateCheck peer_certificate() const = 0;
  // "address:port" of the peer, empty when not connected; for logs.
  [[nodiscard]] virtual std::string remote_address() const = 0;
  // Makes a pending read return (end of stream) without disturbing writes.
  virtual void stop_reading() noexcept = 0;
  virtual void close() noexcept = 0;

 protected:
  Transport() = default;
};

}  // namespace edgekit::edgeproxy
