#include "edgeproxy/server/listener.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/log.hpp"

namespace edgekit::edgeproxy {
namespace {

// At the file-descriptor limit accept() fails at once, again and again, while the connection
// waits in the backlog: retrying without a pause is a busy loop. The pause grows while the
// limit lasts and stays short enough that accepting resumes soon after descriptors free up.
constexpr std::chrono::milliseconds kFdLimitFirstPause{100};
constexpr std::chrono::milliseconds kFdLimitLongestPause{1'000};
// Other accept errors concern one connection (it was reset before we took it): retry soon,
// but never in a tight loop should one persist.
constexpr std::chrono::milliseconds kAcceptErrorPause{10};

bool is_fd_limit(const boost::system::error_code& ec) {
  return ec == boost::system::errc::too_many_files_open ||
         ec == boost::system::errc::too_many_files_open_in_system;
}

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

std::string address_of(const tcp::acceptor& acceptor) {
  boost::system::error_code ec;
  const tcp::endpoint endpoint = acceptor.local_endpoint(ec);
  if (ec) {
    return "-";
  }
  std::string text = endpoint.address().to_string();
  text += ':';
  text += std::to_string(endpoint.port());
  return text;
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

std::vector<tcp::endpoint> Listeners::local_endpoints() const {
  std::vector<tcp::endpoint> endpoints;
  for (const auto& acceptor : acceptors_) {
    boost::system::error_code ec;
    endpoints.push_back(acceptor->local_endpoint(ec));
  }
  return endpoints;
}

awaitable<void> Listeners::accept_loop(std::shared_ptr<tcp::acceptor> acceptor,
                                       OnAccept on_accept) {
  asio::steady_timer pause_timer(io_);
  std::chrono::milliseconds fd_limit_pause{0};  // 0: not at the limit
  while (!closed_) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
    if (!ec) {
      if (fd_limit_pause.count() != 0) {
        log_info("listen.accept_resumed", {{"address", address_of(*acceptor)}});
        fd_limit_pause = std::chrono::milliseconds{0};
      }
      on_accept(std::move(socket));
      continue;
    }
    if (closed_ || ec == asio::error::operation_aborted) {
      break;
    }
    std::chrono::milliseconds pause = kAcceptErrorPause;
    if (is_fd_limit(ec)) {
      metrics_.failure("", "fd-limit");
      if (fd_limit_pause.count() == 0) {  // once per episode, not once per retry
        log_warn(
            "listen.accept_failed",
            {{"address", address_of(*acceptor)}, {"reason", "fd-limit"}, {"error", ec.message()}});
        fd_limit_pause = kFdLimitFirstPause;
      } else {
        fd_limit_pause = std::min(fd_limit_pause * 2, kFdLimitLongestPause);
      }
      pause = fd_limit_pause;
    }
    pause_timer.expires_after(pause);
    co_await pause_timer.async_wait(asio::redirect_error(use_awaitable, ec));
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
