#include "edgeproxy/server/metrics_endpoint.hpp"

#include <gtest/gtest.h>

#include <string>

namespace edgekit::edgeproxy {
namespace {

const auto kRender = [] { return std::string("edgeproxy_connections 3\n"); };

TEST(MetricsEndpoint, ServesMetricsWithItsLength) {
  const auto response = metrics_http_response("GET /metrics HTTP/1.1\r\n", kRender, false);
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0U);
  EXPECT_NE(response.find("Content-Length: 24\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\n\r\nedgeproxy_connections 3\n"), std::string::npos);
}

TEST(MetricsEndpoint, HealthIs503WhileStopping) {
  EXPECT_EQ(
      metrics_http_response("GET /healthz HTTP/1.1", kRender, false).rfind("HTTP/1.1 200 OK", 0),
      0U);
  EXPECT_EQ(metrics_http_response("GET /healthz HTTP/1.1", kRender, true)
                .rfind("HTTP/1.1 503 Service Unavailable", 0),
            0U);
}

TEST(MetricsEndpoint, AnythingElseIs404) {
  EXPECT_EQ(metrics_http_response("POST /metrics", kRender, false).rfind("HTTP/1.1 404", 0), 0U);
  EXPECT_EQ(metrics_http_response("", kRender, false).rfind("HTTP/1.1 404", 0), 0U);
}

}  // namespace
}  // namespace edgekit::edgeproxy
