#pragma once
// The edge's small HTTP endpoint: GET /metrics (Prometheus text format) and GET /healthz
// (503 while stopping, so a load balancer takes the edge out before it closes).

#include <functional>
#include <string>
#include <string_view>

#include "edgeproxy/net/asio.hpp"

namespace edgekit::edgeproxy {

// The whole HTTP response to a request that starts with `request`.
std::string metrics_http_response(std::string_view request,
                                  const std::function<std::string()>& render_metrics,
                                  bool stopping);

// Answers one request on `socket` and closes it; a client that sends nothing in 5 s is cut.
void serve_metrics_request(asio::io_context& io, tcp::socket socket,
                           std::function<std::string()> render_metrics,
                           std::function<bool()> stopping);

}  // namespace edgekit::edgeproxy
