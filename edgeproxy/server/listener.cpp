#include "edgeproxy/server/listener.hpp"

#include <utility>

namespace edgekit::edgeproxy {
namespace {

Result<std::shared_ptr<tcp::acceptor>> listen_on(asio::io_context& io, const Endpoint& where) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(where.host, ec);
  if (ec) {
    return make_error(GeneralErrc::kUsage, where.to_string(), "not an IP address to listen on");
  }
  const tcp::endpoint endpoint(address, where.port);
  auto acceptor = std::make_shared<tcp::acceptor>(io);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (address.is_v6()) {
      acceptor->set_option(asio::ip::v6_only(false), ec);
    }
    acceptor->bind(endpoint, ec);
  }
  if (!ec) {
    acceptor->listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return make_error(GeneralErrc::kIo, where.to_string(), "cannot listen: " + ec.message());
  }
  return acceptor;
}

}  // namespace

Result<void> Listeners::open(const Endpoint& where, OnAccept on_accept) {
  auto acceptor = listen_on(io_, where);
  if (!acceptor) {
    return acceptor.error();
  }
  acceptors_.push_back(acceptor.value());
  asio::co_spawn(io_, accept_loop(acceptor.value(), std::move(on_accept)), asio::detached);
  return ok();
}

awaitable<void> Listeners::accept_loop(std::shared_ptr<tcp::acceptor> acceptor,
                                       OnAccept on_accept) {
  while (!closed_) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (closed_ || ec == asio::error::operation_aborted) {
        break;
      }
      continue;
    }
    on_accept(std::move(socket));
  }
}

void Listeners::close_all() {
  closed_ = true;
  for (auto& acceptor : acceptors_) {
    boost::system::error_code ignored;
    acceptor->close(ignored);
  }
}

}  // namespace edgekit::edgeproxy
