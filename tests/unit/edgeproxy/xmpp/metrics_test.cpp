#include <gtest/gtest.h>

#include "edgeproxy/xmpp/metrics.hpp"

#include <set>
#include <string>

#include "edgeproxy/xmpp/component_session.hpp"
#include "edgeproxy/xmpp/dialback_key.hpp"
#include "edgeproxy/xmpp/inbound_session.hpp"
#include "edgeproxy/xmpp/outbound_session.hpp"
#include "session_test_support.hpp"

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

// Every reason code a stream closes or warns with, for one hostile input.
void collect_reasons(Actions& out, std::set<std::string>& reasons) {
  for (const auto& action : out) {
    if (const auto* close = std::get_if<action::Close>(&action)) {
      reasons.insert(close->reason);
    } else if (const auto* warning = std::get_if<action::Warning>(&action)) {
      reasons.insert(warning->reason);
    }
  }
  out.clear();
}

// Element names, namespaces and condition names come from the peer: whatever it sends, the
// reason codes (log lines, edgeproxy_failures_total series) stay a small fixed set.
TEST(Metrics, HostileNamesMintNoReasonsOrSeries) {
  const auto config =
      testing::make_config("[[partner]]\ndomain = \"partner.example\"\ndialback = true\n");
  const auto keys = std::make_shared<DialbackKeys>("s3cret");
  Partner partner;
  partner.domain = "partner.example";
  std::set<std::string> reasons;
  Metrics metrics;
  for (int i = 0; i < 1000; ++i) {
    const std::string name = "evil-" + std::to_string(i) + "-condition";
    Actions out;
    {
      InboundSession session(config, keys, InboundOptions{false, false, "s"});
      session.on_bytes(testing::kPartnerHeader, out);
      session.on_bytes("<" + name + " xmlns='urn:" + name + "'/>", out);
      collect_reasons(out, reasons);
    }
    {
      InboundSession session(config, keys, InboundOptions{false, false, "s"});
      session.on_bytes(testing::kPartnerHeader, out);
      session.on_bytes("<stream:error><" + name +
                           " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
                       out);
      collect_reasons(out, reasons);
    }
    {
      OutboundSession session(OutboundOptions{"corp.example", "partner.example", partner}, keys);
      session.on_connected(out);
      session.on_bytes(
          "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
          "xmlns:db='jabber:server:dialback' id='p' from='partner.example' to='corp.example' "
          "version='1.0'><stream:features><dialback xmlns='urn:xmpp:features:dialback'/>"
          "</stream:features>",
          out);
      session.on_bytes(
          "<db:result from='partner.example' to='corp.example' type='error'><error "
          "type='cancel'><" +
              name + " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></db:result>",
          out);
      collect_reasons(out, reasons);
    }
    {
      ComponentSession session("partner.example", "secret", 65'536);
      session.on_connected(out);
      session.on_bytes(
          "<stream:stream xmlns='jabber:component:accept' "
          "xmlns:stream='http://etherx.jabber.org/streams' id='c'><stream:error><" +
              name + " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
          out);
      collect_reasons(out, reasons);
    }
  }
  for (const auto& reason : reasons) {
    EXPECT_EQ(reason.find("evil"), std::string::npos) << reason;
    metrics.failure("partner.example", reason);
  }
  EXPECT_EQ(reasons,
            (std::set<std::string>{
                "component-rejected:undefined-condition", "dialback-error:undefined-condition",
                "peer-stream-error:undefined-condition", "unsupported-element"}));
  const std::string text = metrics.render();
  std::size_t series = 0;
  for (auto at = text.find("\nedgeproxy_failures_total{"); at != std::string::npos;
       at = text.find("\nedgeproxy_failures_total{", at + 1)) {
    ++series;
  }
  EXPECT_EQ(series, reasons.size());
}

}  // namespace
}  // namespace edgekit::edgeproxy
