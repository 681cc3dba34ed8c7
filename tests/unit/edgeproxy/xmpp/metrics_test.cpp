#include <gtest/gtest.h>

#include "edgeproxy/xmpp/metrics.hpp"

namespace edgekit::edgeproxy {
namespace {

TEST(Metrics, RendersPrometheusTextPerPartner) {
  Metrics metrics;
  metrics.connection_opened();
  metrics.stream_authenticated("gmail.com", "in", "dialback", "none", "none");
  metrics.partner("gmail.com").stanzas_in = 3;
  metrics.failure("gmail.com", "dialback-invalid");
  const std::string text = metrics.render();
  EXPECT_NE(text.find("edgeproxy_connections 1\n"), std::string::npos);
  EXPECT_NE(text.find("edgeproxy_streams_total{partner=\"gmail.com\",direction=\"in\",auth="
                      "\"dialback\",tls=\"none\",trust=\"none\"} 1\n"),
            std::string::npos);
  // Every metric is introduced by its HELP and TYPE lines, once, before its samples.
  for (const char* name :
       {"edgeproxy_connections", "edgeproxy_streams_total", "edgeproxy_stanzas_total",
        "edgeproxy_bytes_total", "edgeproxy_bounces_total", "edgeproxy_queue_depth",
        "edgeproxy_failures_total"}) {
    const std::string help = std::string("# HELP ") + name + ' ';
    const std::string type = std::string("# TYPE ") + name + ' ';
    const auto help_at = text.find(help);
    ASSERT_NE(help_at, std::string::npos) << name;
    EXPECT_EQ(text.find(help, help_at + 1), std::string::npos) << name;
    const auto type_at = text.find(type);
    ASSERT_NE(type_at, std::string::npos) << name;
    const auto first_sample = text.find(std::string("\n") + name);
    EXPECT_LT(type_at, first_sample) << name;
  }
  EXPECT_NE(text.find("edgeproxy_stanzas_total{partner=\"gmail.com\",direction=\"in\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("edgeproxy_failures_total{partner=\"gmail.com\",reason=\"dialback-invalid\"}"
                      " 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace edgekit::edgeproxy
