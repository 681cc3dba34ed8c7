#pragma once
// The edge's listening sockets (S2S, XEP-0368 direct TLS, metrics): one way to bind them and
// one accept loop for all.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/error.hpp"
#include "edgeproxy/net/asio.hpp"

namespace edgekit::edgeproxy {

class Listeners {
 public:
  using OnAccept = std::function<void(tcp::socket)>;

  explicit Listeners(asio::io_context& io) : io_(io) {}

  // Binds `where` and hands every accepted socket to `on_accept` until close_all().
  Result<void> open(const Endpoint& where, OnAccept on_accept);
  void close_all();

 private:
  awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor, OnAccept on_accept);

  asio::io_context& io_;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
  bool closed_ = false;
};

}  // namespace edgekit::edgeproxy
