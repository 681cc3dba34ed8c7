#include "edgeproxy/server/metrics_endpoint.hpp"

#include <array>
#include <chrono>
#include <memory>
#include <utility>

namespace edgekit::edgeproxy {

std::string metrics_http_response(std::string_view request,
                                  const std::function<std::string()>& render_metrics,
                                  bool stopping) {
  std::string status = "200 OK";
  std::string body;
  if (request.rfind("GET /metrics", 0) == 0) {
    body = render_metrics();
  } else if (request.rfind("GET /healthz", 0) == 0) {
    body = stopping ? "stopping\n" : "ok\n";
    if (stopping) {
      status = "503 Service Unavailable";
    }
  } else {
    status = "404 Not Found";
    body = "not found\n";
  }
  std::string response = "HTTP/1.1 ";
  response += status;
  response += "\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: ";
  response += std::to_string(body.size());
  response += "\r\nConnection: close\r\n\r\n";
  response += body;
  return response;
}

void serve_metrics_request(asio::io_context& io, tcp::socket socket,
                           std::function<std::string()> render_metrics,
                           std::function<bool()> stopping) {
  asio::co_spawn(
      io,
      [&io, socket = std::move(socket), render_metrics = std::move(render_metrics),
       stopping = std::move(stopping)]() mutable -> awaitable<void> {
        std::array<char, 2048> request{};
        boost::system::error_code ec;
        asio::steady_timer guard(io);
        guard.expires_after(std::chrono::seconds(5));
        guard.async_wait([&socket](const boost::system::error_code& wait_ec) {
          if (!wait_ec) {
            boost::system::error_code ignored;
            socket.close(ignored);
          }
        });
        const std::size_t n = co_await socket.async_read_some(
            asio::buffer(request), asio::redirect_error(use_awaitable, ec));
        guard.cancel();
        if (ec) {
          co_return;
        }
        const std::string response =
            metrics_http_response(std::string_view(request.data(), n), render_metrics, stopping());
        co_await asio::async_write(socket, asio::buffer(response),
                                   asio::redirect_error(use_awaitable, ec));
        socket.close(ec);
      },
      asio::detached);
}

}  // namespace edgekit::edgeproxy
