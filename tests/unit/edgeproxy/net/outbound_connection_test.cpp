// OutboundConnection driven by a scripted partner server from connect to a stream carrying
// the stanzas queued while it was set up, failing at every step in turn: whichever step fails,
// the stream closes exactly once, the gauges return to zero, and every stanza handed to it is
// written or handed back for bouncing.

#include "edgeproxy/net/outbound_connection.hpp"

#include <gtest/gtest.h>

#include "tests/support/net/shell_test_host.hpp"
#include "tests/unit/edgeproxy/xmpp/session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::PeerTurn;
using testing::ScriptedPeer;
using testing::ShellTestHost;

constexpr const char* kPartners =
    "[[partner]]\ndomain = \"partner.example\"\ntype = \"public-verified\"\n"
    "tls = \"required\"\nsasl = \"required\"\ndialback = false\n";
constexpr const char* kPeerHeader =
    "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
    "xmlns:db='jabber:server:dialback' id='peer-sid' from='partner.example' "
    "to='corp.example' version='1.0'>";
constexpr std::size_t kStanzas = 3;

std::string stanza(std::size_t i) {
  return "<message from='romeo@corp.example' to='juliet@partner.example' id='m" +
         std::to_string(i) + "'/>";
}

std::vector<PeerTurn> script() {
  const std::string header = kPeerHeader;
  return {
      {"<stream:stream", header +
                             "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                             "<required/></starttls></stream:features>"},
      {"<starttls", "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"},
      {"<stream:stream",
       header + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>"
                "EXTERNAL</mechanism></mechanisms></stream:features>",
       true},
      {"<auth", "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"},
      {"<stream:stream", header + "<stream:features/>"},
      {stanza(kStanzas - 1), "</stream:stream>"},
  };
}

OutboundOptions options(const Config& config) {
  return OutboundOptions{"corp.example",
                         "partner.example",
                         *config.find_partner("partner.example"),
                         OutboundPurpose::kStanzas,
                         true,
                         false,
                         config.federation.max_stanza_bytes,
                         true};
}

ResolvedEndpoints one_target() {
  return ResolvedEndpoints{{tcp::endpoint(asio::ip::make_address("192.0.2.10"), 5269)}};
}

const StanzaAccount kAccount{Flow::kOutbound, "partner.example"};

// A stanza as the router hands it over: counted as accepted in the host's ledger.
PendingStanza pending(ShellTestHost& host, std::size_t i) {
  host.metrics().ledger().accepted(kAccount);
  return PendingStanza{stanza(i), StanzaTicket{Element{}, kAccount, "partner.example"}};
}

// Where each stanza went: written whole on the stream (and counted delivered), or handed back
// to be bounced, including the ones a failed write cut off. Never both, never neither.
void expect_accounted(ShellTestHost& host, const ScriptedPeer& peer, std::size_t fail_at) {
  std::uint64_t written_whole = 0;
  for (std::size_t i = 0; i < kStanzas; ++i) {
    const std::string raw = stanza(i);
    const auto written = peer.written.find(raw) != std::string::npos ? 1 : 0;
    const auto bounced =
        std::count_if(host.bounced.begin(), host.bounced.end(),
                      [&](const PendingStanza& queued) { return queued.raw == raw; });
    EXPECT_EQ(written + bounced, 1) << raw << " fail_at=" << fail_at;
    written_whole += written;
  }
  const auto counts = host.metrics().ledger().counts(Flow::kOutbound, "partner.example");
  EXPECT_EQ(counts.count(Outcome::kDelivered), written_whole) << "fail_at=" << fail_at;
  EXPECT_EQ(counts.in_flight(), static_cast<std::int64_t>(host.bounced.size()))
      << "fail_at=" << fail_at;
}

bool run_outbound(std::size_t fail_at) {
  ShellTestHost host(testing::make_config(kPartners));
  auto peer = std::make_shared<ScriptedPeer>();
  peer->script = script();
  peer->certificate = CertificateCheck::trusted_for("partner.example");
  peer->fail_at = fail_at;
  std::weak_ptr<Connection> weak;
  {
    auto connection = std::make_shared<OutboundConnection>(host, host, options(*host.config()),
                                                           host.transport(peer));
    weak = connection;
    for (std::size_t i = 0; i < kStanzas; ++i) {
      auto next = pending(host, i);
      EXPECT_TRUE(connection->enqueue(next));
    }
    connection->start(one_target());
  }
  host.run();
  host.expect_settled(*peer, weak, fail_at);
  expect_accounted(host, *peer, fail_at);
  EXPECT_EQ(host.metrics().partner("partner.example").queue_depth, 0U) << "fail_at=" << fail_at;
  if (!peer->failed) {
    EXPECT_EQ(host.ready, 1U);
    EXPECT_TRUE(peer->secured);
    EXPECT_EQ(host.closed, std::vector<std::string>{"peer-closed"});
    EXPECT_TRUE(host.bounced.empty());
  }
  return peer->failed;
}

TEST(OutboundConnection, StartTlsSaslExternalFailsCleanlyAtEveryStep) {
  const std::size_t runs = testing::fail_at_each_step(run_outbound);
  EXPECT_GT(runs, 10U);
}

TEST(OutboundConnection, UnresolvedPartnerClosesOnceAndHandsTheQueueBack) {
  ShellTestHost host(testing::make_config(kPartners));
  auto peer = std::make_shared<ScriptedPeer>();
  std::weak_ptr<Connection> weak;
  {
    auto connection = std::make_shared<OutboundConnection>(host, host, options(*host.config()),
                                                           host.transport(peer));
    weak = connection;
    auto only = pending(host, 0);
    EXPECT_TRUE(connection->enqueue(only));
    connection->start(make_error(GeneralErrc::kTimeout, "partner.example", "no answer"));
  }
  host.run();
  host.expect_settled(*peer, weak, 0);
  EXPECT_EQ(host.closed, std::vector<std::string>{"dns-failed"});
  ASSERT_EQ(host.bounced.size(), 1U);
  EXPECT_EQ(host.bounced.front().raw, stanza(0));
  EXPECT_EQ(host.metrics().partner("partner.example").queue_depth, 0U);
  EXPECT_TRUE(peer->connected.empty());
}

}  // namespace
}  // namespace edgekit::edgeproxy
