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

// ---- rate limits: the stream pauses its reads, and nothing is lost -------------------------

// 10 over a burst of 100: 100 ms of pauses at 100/s, less the last read's (the stream closes
// with it, so nothing is left to pace) and what the clock refills meanwhile.
constexpr std::size_t kFloodStanzas = 110;
constexpr std::chrono::milliseconds kFloodPauseAtLeast{60};

std::vector<PeerTurn> dialback_flood_script() {
  std::string flood;
  for (std::size_t i = 0; i < kFloodStanzas; ++i) {
    flood += kStanza;
  }
  return {
      {"", kPartnerHeader},
      {"</stream:features>",
       "<db:result from='partner.example' to='corp.example'>abcdef</db:result>"},
      {"type='valid'", flood + "</stream:stream>"},
  };
}

struct ThrottledRun {
  bool failed = false;
  std::size_t delivered = 0;
  std::uint64_t episodes = 0;
  std::chrono::steady_clock::duration took{};
};

// Runs one plain inbound stream against `peer` to its end, checks it settled, and says how
// long that took.
std::chrono::steady_clock::duration run_until_settled(ShellTestHost& host,
                                                      const std::shared_ptr<ScriptedPeer>& peer) {
  std::weak_ptr<Connection> weak;
  const auto start = std::chrono::steady_clock::now();
  {
    auto connection = std::make_shared<InboundConnection>(host, host, host.transport(peer), false);
    weak = connection;
    connection->start();
  }
  host.run();
  host.expect_settled(*peer, weak, peer->fail_at);
  return std::chrono::steady_clock::now() - start;
}

ThrottledRun run_flood(const std::string& partners, const std::string& federation,
                       std::size_t fail_at) {
  ShellTestHost host(testing::make_config(partners, federation));
  auto peer = std::make_shared<ScriptedPeer>();
  peer->script = dialback_flood_script();
  peer->fail_at = fail_at;
  const auto took = run_until_settled(host, peer);
  for (const auto& stanza : host.delivered) {
    EXPECT_EQ(stanza.raw, kStanza);
  }
  return {peer->failed, host.delivered.size(),
          host.metrics().partner("partner.example").failures["rate-limited"], took};
}

TEST(InboundConnection, APartnerOverItsStanzaRateIsSlowedNotDropped) {
  const std::string partners =
      partner("not-supported", "not-supported", true, "public-unverified") +
      "rate_stanzas_per_second = 100\n";
  const auto run = run_flood(partners, "", ScriptedPeer::kNever);
  EXPECT_EQ(run.delivered, kFloodStanzas);  // every stanza, none dropped
  EXPECT_EQ(run.episodes, 1U);              // one episode, however many pauses
  EXPECT_GE(run.took, kFloodPauseAtLeast);
}

TEST(InboundConnection, TheFederationRateAppliesToAPartnerWithoutItsOwn) {
  const std::string partners = partner("not-supported", "not-supported", true, "public-unverified");
  const auto run = run_flood(partners, "rate_stanzas_per_second = 100\n", ScriptedPeer::kNever);
  EXPECT_EQ(run.delivered, kFloodStanzas);
  EXPECT_EQ(run.episodes, 1U);
  EXPECT_GE(run.took, kFloodPauseAtLeast);
}

TEST(InboundConnection, UnderItsRateAStreamIsNeverPaused) {
  const std::string partners = partner("not-supported", "not-supported", true, "public-unverified");
  const auto run = run_flood(partners, "", ScriptedPeer::kNever);  // the defaults
  EXPECT_EQ(run.delivered, kFloodStanzas);
  EXPECT_EQ(run.episodes, 0U);
}

TEST(InboundConnection, AThrottledStreamFailsCleanlyAtEveryStep) {
  const std::string partners =
      partner("not-supported", "not-supported", true, "public-unverified") +
      "rate_stanzas_per_second = 100\n";
  const std::size_t runs = testing::fail_at_each_step([&](std::size_t fail_at) {
    const auto run = run_flood(partners, "", fail_at);
    EXPECT_LE(run.delivered, kFloodStanzas);
    return run.failed;
  });
  // The flood alone takes dozens of reads (the test host's buffer is small), each failed once.
  EXPECT_GT(runs, 20U);
}

// ---- the negotiation step timeout ---------------------------------------------------------

TEST(InboundConnection, APeerSilentMidNegotiationIsCutAtTheStepTimeout) {
  ShellTestHost host(
      testing::make_config(partner("not-supported", "not-supported", true, "public-unverified"),
                           "negotiation_step_timeout = \"50ms\"\n"));
  auto peer = std::make_shared<ScriptedPeer>();
  peer->script = {{"", kPartnerHeader}};  // its header, then nothing
  const auto took = run_until_settled(host, peer);
  EXPECT_NE(peer->written.find("<connection-timeout xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"),
            std::string::npos);
  EXPECT_EQ(host.metrics().partner("-").failures["negotiation-step-timeout"], 1U);
  // Well before the whole negotiation's 60 s.
  EXPECT_LT(took, std::chrono::seconds(5));
}

// ---- eviction at connection_limit ---------------------------------------------------------

TEST(InboundConnection, EvictionClosesWithResourceConstraintOnce) {
  ShellTestHost host(
      testing::make_config(partner("not-supported", "not-supported", true, "public-unverified")));
  auto peer = std::make_shared<ScriptedPeer>();
  peer->script = {{"", kPartnerHeader}};  // then silent: an idle unauthenticated stream
  std::weak_ptr<Connection> weak;
  asio::steady_timer later(host.io());
  {
    auto connection = std::make_shared<InboundConnection>(host, host, host.transport(peer), false);
    weak = connection;
    connection->start();
    later.expires_after(std::chrono::milliseconds(20));
    later.async_wait([connection](const boost::system::error_code& /*ec*/) {
      connection->evict();
      connection->evict();  // a second eviction changes nothing
    });
  }
  host.run();
  host.expect_settled(*peer, weak, ScriptedPeer::kNever);
  EXPECT_NE(peer->written.find("</stream:features>"), std::string::npos);
  EXPECT_NE(
      peer->written.find("<resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"),
      std::string::npos);
  EXPECT_EQ(host.closed, std::vector<std::string>{"inbound"});
  EXPECT_EQ(host.metrics().partner("-").failures["preauth-evicted"], 1U);
}

}  // namespace
}  // namespace edgekit::edgeproxy
