#pragma once
// Refusing an inbound connection at accept, before it costs a stream: the peer gets a stream
// that only carries the error (so its server logs why instead of retrying blindly), and the
// socket is gone within a second. A direct-TLS connection is closed without a word: answering
// it would take a TLS handshake, the very cost the refusal is there to avoid.

#include <cstddef>
#include <memory>
#include <string>

#include "edgeproxy/net/asio.hpp"

namespace edgekit::edgeproxy {

// The source a per-address limit counts by: the IPv4 address, or the IPv6 /64 (one host
// usually holds a whole /64, so counting single IPv6 addresses would bound nothing).
std::string source_address_key(const tcp::endpoint& remote);

class ConnectionRefuser {
 public:
  // Writes `refusal` (a whole stream, refusal_stream_xml) and closes the socket after the peer
  // has closed or a second has passed; reading until then keeps the error from being lost to
  // a reset (closing with the peer's header unread would send one). A flood of refusals does
  // not hold a flood of sockets: past kMaxLingering the socket is closed after the write.
  void refuse(tcp::socket socket, const std::string& refusal, bool direct_tls);

  static constexpr std::size_t kMaxLingering = 256;

 private:
  std::shared_ptr<std::size_t> lingering_ = std::make_shared<std::size_t>(0);
};

}  // namespace edgekit::edgeproxy
