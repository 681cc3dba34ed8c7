// InboundConnection driven by a scripted partner through a whole negotiation, failing at every
// step in turn: whichever step fails, the stream closes exactly once, the connection gauge
// returns to zero, and a stanza is delivered only by a run that got that far.

#include "edgeproxy/net/inbound_connection.hpp"

#include <gtest/gtest.h>

#include "tests/support/net/shell_test_host.hpp"
#include "tests/unit/edgeproxy/xmpp/session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::kPartnerHeader;
using testing::PeerTurn;
using testing::ScriptedPeer;
using testing::ShellTestHost;

constexpr const char* kStanza =
    "<message from='juliet@partner.example/x' to='romeo@corp.example' id='1'><body>hi</body>"
    "</message>";

std::string partner(std::string_view tls, std::string_view sasl, bool dialback,
                    std::string_view type) {
  return "[[partner]]\ndomain = \"partner.example\"\ntype = \"" + std::string(type) +
         "\"\ntls = \"" + std::string(tls) + "\"\nsasl = \"" + std::string(sasl) +
         "\"\ndialback = " + (dialback ? "true" : "false") + "\n";
}

// STARTTLS, then SASL EXTERNAL with a certificate trusted for the partner, then one stanza.
std::vector<PeerTurn> starttls_sasl_script() {
  const std::string header = kPartnerHeader;
  return {
      {"", header},
      {"</stream:features>", "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"},
      {"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", header, true},
      {"<mechanism>EXTERNAL</mechanism>",
       "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>"},
      {"<success", header},
      {"<stream:features", std::string(kStanza) + "</stream:stream>"},
  };
}

struct Run {
  bool failed = false;
  std::size_t delivered = 0;
};

// One run of `script` failing at `fail_at`; checks what every run must end with.
Run run_inbound(const std::string& partners, std::vector<PeerTurn> script, bool direct_tls,
                std::size_t fail_at) {
  ShellTestHost host(testing::make_config(partners));
  auto peer = std::make_shared<ScriptedPeer>();
  peer->script = std::move(script);
  peer->certificate = CertificateCheck::trusted_for("partner.example");
  peer->fail_at = fail_at;
  std::weak_ptr<Connection> weak;
  {
    auto connection =
        std::make_shared<InboundConnection>(host, host, host.transport(peer), direct_tls);
    weak = connection;
    connection->start();
  }
  host.run();
  host.expect_settled(*peer, weak, fail_at);
  EXPECT_LE(host.delivered.size(), 1U) << "fail_at=" << fail_at;
  if (!peer->failed) {
    EXPECT_EQ(host.delivered.size(), 1U);
    EXPECT_NE(peer->written.find("</stream:stream>"), std::string::npos);
  }
  for (const auto& stanza : host.delivered) {
    EXPECT_EQ(stanza.raw, kStanza);
  }
  return {peer->failed, host.delivered.size()};
}

TEST(InboundConnection, StartTlsSaslExternalFailsCleanlyAtEveryStep) {
  const std::string partners = partner("required", "required", false, "public-verified");
  const std::size_t runs = testing::fail_at_each_step([&](std::size_t fail_at) {
    return run_inbound(partners, starttls_sasl_script(), false, fail_at).failed;
  });
  // Header, STARTTLS, the handshake, SASL and the stanza: many steps, each failed once.
  EXPECT_GT(runs, 10U);
}

TEST(InboundConnection, DirectTlsFailsCleanlyAtEveryStep) {
  auto script = starttls_sasl_script();
  // XEP-0368: TLS first, so the stream starts where STARTTLS would have left it.
  script.erase(script.begin(), script.begin() + 2);
  script.front() = {"", kPartnerHeader, true};
  const std::string partners = partner("required", "required", false, "public-verified");
  const std::size_t runs = testing::fail_at_each_step(
      [&](std::size_t fail_at) { return run_inbound(partners, script, true, fail_at).failed; });
  EXPECT_GT(runs, 5U);
}

TEST(InboundConnection, DialbackFailsCleanlyAtEveryStep) {
  const std::vector<PeerTurn> script = {
      {"", kPartnerHeader},
      {"</stream:features>",
       "<db:result from='partner.example' to='corp.example'>abcdef</db:result>"},
      {"type='valid'", std::string(kStanza) + "</stream:stream>"},
  };
  const std::string partners = partner("not-supported", "not-supported", true, "public-unverified");
  const std::size_t runs = testing::fail_at_each_step(
      [&](std::size_t fail_at) { return run_inbound(partners, script, false, fail_at).failed; });
  EXPECT_GT(runs, 5U);
}

}  // namespace
}  // namespace edgekit::edgeproxy
