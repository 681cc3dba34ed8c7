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
#include "edgeproxy/xmpp/metrics.hpp"

namespace edgekit::edgeproxy {

class Listeners {
 public:
  using OnAccept = std::function<void(tcp::socket)>;

  // `metrics` counts the accepts refused at the file-descriptor limit.
  Listeners(asio::io_context& io, Metrics& metrics) : io_(io), metrics_(metrics) {}

  // Binds `where` and hands every accepted socket to `on_accept` until close_all().
  Result<void> open(const Endpoint& where, OnAccept on_accept);
  void close_all();
  // Where each opened listener is bound, in the order opened (a port 0 gets its real port).
  [[nodiscard]] std::vector<tcp::endpoint> local_endpoints() const;

 private:
  awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor, OnAccept on_accept);

  asio::io_context& io_;
  Metrics& metrics_;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
  bool closed_ = false;
};

}  // namespace edgekit::edgeproxy
