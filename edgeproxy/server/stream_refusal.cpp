#include "edgeproxy/server/stream_refusal.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>

namespace edgekit::edgeproxy {
namespace {

constexpr std::chrono::seconds kRefusalLinger{1};
constexpr int kIpv6HostBits = 64;

awaitable<void> linger_then_close(std::shared_ptr<tcp::socket> socket,
                                  std::shared_ptr<std::size_t> lingering) {
  asio::steady_timer timer(socket->get_executor());
  timer.expires_after(kRefusalLinger);
  timer.async_wait([socket](const boost::system::error_code& /*ec*/) {
    boost::system::error_code ignored;
    socket->close(ignored);  // ends the read below too
  });
  std::array<char, 512> discard{};
  boost::system::error_code ec;
  while (!ec) {
    co_await socket->async_read_some(asio::buffer(discard),
                                     asio::redirect_error(use_awaitable, ec));
  }
  timer.cancel();
  boost::system::error_code ignored;
  socket->close(ignored);
  --*lingering;
}

}  // namespace

std::string source_address_key(const tcp::endpoint& remote) {
  const auto address = remote.address();
  if (!address.is_v6() || address.to_v6().is_v4_mapped()) {
    return address.is_v6()
               ? asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string()
               : address.to_string();
  }
  auto bytes = address.to_v6().to_bytes();
  std::fill(bytes.begin() + kIpv6HostBits / 8, bytes.end(), 0);
  return asio::ip::make_address_v6(bytes).to_string() + "/64";
}

void ConnectionRefuser::refuse(tcp::socket socket, const std::string& refusal, bool direct_tls) {
  boost::system::error_code ec;
  if (direct_tls) {
    socket.close(ec);
    return;
  }
  // A socket just accepted has an empty send buffer: the few hundred bytes go out at once,
  // without waiting on the peer.
  socket.non_blocking(true, ec);
  if (!ec) {
    socket.write_some(asio::buffer(refusal), ec);
  }
  if (!ec) {
    socket.shutdown(tcp::socket::shutdown_send, ec);
  }
  if (ec || *lingering_ >= kMaxLingering) {
    socket.close(ec);
    return;
  }
  ++*lingering_;
  auto held = std::make_shared<tcp::socket>(std::move(socket));
  asio::co_spawn(held->get_executor(), linger_then_close(held, lingering_), asio::detached);
}

}  // namespace edgekit::edgeproxy
