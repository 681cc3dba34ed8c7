// Dialback keys, the component handshake, stanza policy and bounces.
#include <gtest/gtest.h>

#include "edgeproxy/bounce.hpp"
#include "edgeproxy/component_session.hpp"
#include "edgeproxy/dialback_key.hpp"
#include "edgeproxy/edge.hpp"
#include "edgeproxy/metrics.hpp"
#include "edgeproxy/stanza_policy.hpp"
#include "edgeproxy/xml_util.hpp"
#include "session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::Transcript;

TEST(DialbackKeys, MatchesTheXep0185Example) {
  // XEP-0185 example: secret "s3cr3tf0rd14lb4ck", receiving xmpp.example.com, originating
  // example.org, stream id D60000229F.
  const DialbackKeys keys("s3cr3tf0rd14lb4ck");
  EXPECT_EQ(keys.generate("xmpp.example.com", "example.org", "D60000229F"),
            "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643");
  EXPECT_TRUE(keys.verify("xmpp.example.com", "example.org", "D60000229F",
                          "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643"));
  EXPECT_FALSE(keys.verify("xmpp.example.com", "example.org", "D60000229F", "37c69b"));
  EXPECT_FALSE(keys.verify("xmpp.example.com", "example.org", "D60000229G",
                           "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643"));
  EXPECT_NE(DialbackKeys::random().generate("a", "b", "c"),
            DialbackKeys::random().generate("a", "b", "c"));
}

TEST(DialbackKeys, ConstantTimeEquals) {
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "abcd"));
  EXPECT_EQ(random_hex(8).size(), 16U);
}

TEST(ComponentSession, HandshakeAndStanzas) {
  // SHA-1("abc" + "secret") computed independently with sha1sum.
  EXPECT_EQ(component_handshake_digest("abc", "secret"),
            "de0a408ef519cd62e7379039634152874895c50c");
  EXPECT_EQ(component_handshake_digest("abc", "secret").size(), 40U);
  ComponentSession session("partner.example", "secret", 65536);
  Actions out;
  Transcript transcript;
  session.on_connected(out);
  transcript.take(out);
  EXPECT_TRUE(transcript.contains("xmlns='jabber:component:accept'"));
  EXPECT_TRUE(transcript.contains("to='partner.example'"));
  transcript.clear();
  session.on_bytes(
      "<stream:stream xmlns='jabber:component:accept' "
      "xmlns:stream='http://etherx.jabber.org/streams' id='abc' from='partner.example'>",
      out);
  transcript.take(out);
  EXPECT_EQ(transcript.sent,
            "<handshake>" + component_handshake_digest("abc", "secret") + "</handshake>");
  session.on_bytes("<handshake/>", out);
  transcript.take(out);
  ASSERT_NE(transcript.find(ActionKind::kReady), nullptr);
  transcript.clear();
  session.on_bytes(
      "<message from='romeo@corp.example' to='juliet@Partner.example/r'><body>x"
      "</body></message>",
      out);
  transcript.take(out);
  const Action* deliver = transcript.find(ActionKind::kDeliver);
  ASSERT_NE(deliver, nullptr);
  EXPECT_EQ(deliver->domain, "partner.example");
  EXPECT_EQ(deliver->element.from, "romeo@corp.example");
}

TEST(ComponentSession, RejectedHandshake) {
  ComponentSession session("partner.example", "wrong", 65536);
  Actions out;
  Transcript transcript;
  session.on_connected(out);
  session.on_bytes(
      "<stream:stream xmlns='jabber:component:accept' "
      "xmlns:stream='http://etherx.jabber.org/streams' id='abc'><stream:error><not-authorized "
      "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
      out);
  transcript.take(out);
  ASSERT_NE(transcript.find(ActionKind::kClose), nullptr);
  EXPECT_EQ(transcript.find(ActionKind::kClose)->reason, "component-rejected:not-authorized");
  EXPECT_FALSE(session.ready());
}

Element stanza(std::string name, std::string from, std::string to, std::string type = "") {
  Element element;
  element.is_stanza = true;
  element.name = std::move(name);
  element.from = std::move(from);
  element.to = std::move(to);
  element.type = std::move(type);
  element.id = "i1";
  return element;
}

TEST(StanzaPolicy, FederatedUsersAndMasterSwitch) {
  const auto config =
      testing::make_config("[[partner]]\ndomain = \"partner.example\"\n",
                           "federated_users = [\"alice@corp.example\", \"*@corp2.example\"]");
  StanzaPolicy policy;
  const Partner& partner = config->partners.at(0);
  using D = StanzaPolicy::Direction;
  EXPECT_FALSE(policy
                   .check(*config, partner,
                          stanza("message", "j@partner.example", "Alice@corp.example/r"),
                          D::kInbound)
                   .has_value());
  auto refusal = policy.check(
      *config, partner, stanza("message", "j@partner.example", "bob@corp.example"), D::kInbound);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->reason, "user-not-federated");
  EXPECT_EQ(refusal->condition, StanzaError::kPolicyViolation);
  EXPECT_TRUE(policy
                  .check(*config, partner,
                         stanza("message", "bob@corp.example", "j@partner.example"), D::kOutbound)
                  .has_value());
  EXPECT_FALSE(policy
                   .check(*config, partner,
                          stanza("message", "anyone@corp2.example", "j@partner.example"),
                          D::kOutbound)
                   .has_value());
  EXPECT_FALSE(policy
                   .check(*config, partner, stanza("iq", "partner.example", "corp.example", "get"),
                          D::kInbound)
                   .has_value());
  const auto closed = testing::make_config("[[partner]]\ndomain = \"partner.example\"\n",
                                           "allow_federated_users = false");
  refusal = policy.check(*closed, closed->partners.at(0),
                         stanza("message", "j@partner.example", "alice@corp.example"), D::kInbound);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->reason, "federation-disabled");
}

TEST(StanzaPolicy, SubscriptionRuleByPartnerType) {
  const auto config = testing::make_config(
      "[[partner]]\ndomain = \"unverified.example\"\ntype = \"public-unverified\"\n"
      "[[partner]]\ndomain = \"verified.example\"\ntype = \"public-verified\"\n"
      "[[partner]]\ndomain = \"fed.example\"\ntype = \"federated\"\n");
  using D = StanzaPolicy::Direction;
  StanzaPolicy policy;
  const Partner& unverified = config->partners.at(0);
  auto refusal = policy.check(
      *config, unverified,
      stanza("presence", "eve@unverified.example", "alice@corp.example", "subscribe"), D::kInbound);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->reason, "subscription-not-requested");
  // Messages always pass.
  EXPECT_FALSE(policy
                   .check(*config, unverified,
                          stanza("message", "eve@unverified.example", "alice@corp.example"),
                          D::kInbound)
                   .has_value());
  // After alice asked for eve's presence, eve's request passes.
  EXPECT_FALSE(
      policy
          .check(*config, unverified,
                 stanza("presence", "alice@corp.example/r", "eve@unverified.example", "subscribe"),
                 D::kOutbound)
          .has_value());
  EXPECT_TRUE(policy.changed_since_save());
  EXPECT_FALSE(
      policy
          .check(*config, unverified,
                 stanza("presence", "eve@unverified.example/x", "alice@corp.example", "subscribe"),
                 D::kInbound)
          .has_value());
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_FALSE(policy
                     .check(*config, config->partners.at(i),
                            stanza("presence", "x@" + config->partners.at(i).domain,
                                   "alice@corp.example", "subscribe"),
                            D::kInbound)
                     .has_value());
  }
  StanzaPolicy restored;
  restored.restore(policy.remembered());
  EXPECT_EQ(restored.remembered().size(), 1U);
}

TEST(Bounce, BuildsErrorsAndNeverAnswersErrors) {
  auto bounce = make_bounce(stanza("message", "a@corp.example/r", "b@partner.example"),
                            StanzaError::kRemoteServerNotFound);
  ASSERT_TRUE(bounce.has_value());
  EXPECT_EQ(*bounce,
            "<message from='b@partner.example' to='a@corp.example/r' type='error' id='i1'>"
            "<error type='cancel'><remote-server-not-found "
            "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
  bounce = make_bounce(stanza("iq", "a@corp.example", "b@partner.example", "get"),
                       StanzaError::kRemoteServerTimeout, "slow <peer>");
  ASSERT_TRUE(bounce.has_value());
  EXPECT_NE(bounce->find("<error type='wait'><remote-server-timeout"), std::string::npos);
  EXPECT_NE(bounce->find("slow &lt;peer&gt;"), std::string::npos);
  EXPECT_FALSE(
      make_bounce(stanza("message", "a@x", "b@y", "error"), StanzaError::kServiceUnavailable)
          .has_value());
  EXPECT_FALSE(make_bounce(stanza("iq", "a@x", "b@y", "result"), StanzaError::kServiceUnavailable)
                   .has_value());
}

TEST(XmlUtil, Jids) {
  EXPECT_EQ(bare_jid("Juliet@Partner.Example/Res"), "Juliet@partner.example");
  EXPECT_EQ(jid_domain_lower("a@B.example/c"), "b.example");
  EXPECT_EQ(xml_escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
}

}  // namespace
}  // namespace edgekit::edgeproxy

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

TEST(RelayBytes, RewritesOnlyAnExplicitDefaultNamespace) {
  XmlFramer framer(kNsComponent, {});
  auto& events = framer.feed(
      "<stream:stream xmlns='jabber:component:accept' "
      "xmlns:stream='http://etherx.jabber.org/streams' id='x'>"
      "<message xmlns='jabber:component:accept' to='a@p.example'><body>jabber:component:accept"
      "</body></message><message to='b@p.example'/>");
  ASSERT_EQ(events.size(), 3U);
  EXPECT_TRUE(events[1].element.declares_default_ns);
  EXPECT_EQ(relay_bytes(events[1].element, kNsComponent, kNsServer),
            "<message xmlns='jabber:server' to='a@p.example'><body>jabber:component:accept"
            "</body></message>");
  EXPECT_FALSE(events[2].element.declares_default_ns);
  EXPECT_EQ(relay_bytes(events[2].element, kNsComponent, kNsServer), "<message to='b@p.example'/>");
}

}  // namespace
}  // namespace edgekit::edgeproxy
