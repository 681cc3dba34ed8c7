// ComponentConnection driven by a scripted internal server from connect through the XEP-0114
// handshake to relaying a stanza each way, failing at every step in turn: whichever step
// fails, the link closes exactly once and the connection gauge returns to zero.

#include "edgeproxy/net/component_connection.hpp"

#include <gtest/gtest.h>

#include "edgeproxy/xmpp/component_session.hpp"
#include "tests/support/net/shell_test_host.hpp"
#include "tests/unit/edgeproxy/xmpp/session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::PeerTurn;
using testing::ScriptedPeer;
using testing::ShellTestHost;

constexpr const char* kToPartner =
    "<message from='juliet@partner.example/x' to='romeo@corp.example' id='in1'/>";
constexpr const char* kFromInternal =
    "<message from='romeo@corp.example' to='juliet@partner.example' id='out1'/>";

std::vector<PeerTurn> script() {
  return {
      {"jabber:component:accept",
       "<stream:stream xmlns='jabber:component:accept' "
       "xmlns:stream='http://etherx.jabber.org/streams' id='abc' from='partner.example'>"},
      {"<handshake>" + component_handshake_digest("abc", "secret") + "</handshake>",
       "<handshake/>"},
      {kToPartner, std::string(kFromInternal) + "</stream:stream>"},
  };
}

bool run_component(std::size_t fail_at) {
  ShellTestHost host(testing::make_config(""));
  auto peer = std::make_shared<ScriptedPeer>();
  peer->script = script();
  peer->fail_at = fail_at;
  std::weak_ptr<Connection> weak;
  {
    auto connection = std::make_shared<ComponentConnection>(host, host, "partner.example", "secret",
                                                            host.transport(peer));
    weak = connection;
    // The edge sends what it held for the link once the link is ready.
    host.when_ready = [weak] {
      if (auto link = std::static_pointer_cast<ComponentConnection>(weak.lock())) {
        link->send(kToPartner);
      }
    };
    connection->start();
  }
  host.run();
  host.expect_settled(*peer, weak, fail_at);
  EXPECT_LE(host.delivered.size(), 1U) << "fail_at=" << fail_at;
  if (!peer->failed) {
    EXPECT_EQ(host.ready, 1U);
    EXPECT_NE(peer->written.find(kToPartner), std::string::npos);
    EXPECT_EQ(host.delivered.size(), 1U);
    for (const auto& stanza : host.delivered) {
      EXPECT_EQ(stanza.raw, kFromInternal);
    }
    EXPECT_EQ(host.closed, std::vector<std::string>{"component-closed"});
  }
  return peer->failed;
}

TEST(ComponentConnection, HandshakeAndRelayFailCleanlyAtEveryStep) {
  const std::size_t runs = testing::fail_at_each_step(run_component);
  EXPECT_GT(runs, 5U);
}

// ---- stanzas on a link that resets ----------------------------------------------------------

constexpr std::size_t kTracked = 3;
const StanzaAccount kAccount{Flow::kInbound, "partner.example"};

std::string tracked(std::size_t i) {
  return "<message from='juliet@partner.example' to='romeo@corp.example' id='t" +
         std::to_string(i) + "'>" + std::string(40, 'x') + "</message>";
}

struct ResetRun {
  bool failed = false;
  std::uint64_t delivered = 0;
  std::size_t handed_back = 0;
};

// The link is ready, three stanzas are queued on it, and step `fail_at` fails after the first
// stanza and part of the second reached the kernel (a reset mid-write).
ResetRun run_reset(std::size_t fail_at) {
  ShellTestHost host(testing::make_config(""));
  auto peer = std::make_shared<ScriptedPeer>();
  peer->script = {script()[0], script()[1]};
  peer->fail_at = fail_at;
  peer->sent_before_failure = tracked(0).size() + 10;
  std::weak_ptr<Connection> weak;
  {
    auto connection = std::make_shared<ComponentConnection>(host, host, "partner.example", "secret",
                                                            host.transport(peer));
    weak = connection;
    host.when_ready = [weak, &host] {
      auto link = std::static_pointer_cast<ComponentConnection>(weak.lock());
      for (std::size_t i = 0; link && i < kTracked; ++i) {
        host.metrics().ledger().accepted(kAccount);
        StanzaTicket ticket{Element{}, kAccount, {}};
        EXPECT_TRUE(link->send_stanza(tracked(i), ticket));
      }
      if (link) {
        link->shutdown();
      }
    };
    connection->start();
  }
  host.run();
  host.expect_settled(*peer, weak, fail_at);
  const auto counts = host.metrics().ledger().counts(Flow::kInbound, "partner.example");
  // Each stanza exactly once: written whole and counted delivered, or handed back whole.
  for (std::size_t i = 0; host.ready == 1 && i < kTracked; ++i) {
    const bool whole = peer->written.find(tracked(i)) != std::string::npos;
    const auto back = std::count_if(host.bounced.begin(), host.bounced.end(),
                                    [&](const PendingStanza& s) { return s.raw == tracked(i); });
    EXPECT_EQ((whole ? 1 : 0) + back, 1) << tracked(i) << " fail_at=" << fail_at;
  }
  EXPECT_EQ(counts.in_flight(), static_cast<std::int64_t>(host.bounced.size()))
      << "fail_at=" << fail_at;
  return ResetRun{peer->failed, counts.count(Outcome::kDelivered), host.bounced.size()};
}

TEST(ComponentConnection, AResetHandsBackWhatWasNotWrittenWholeAtEveryStep) {
  bool saw_a_cut = false;
  const std::size_t runs = testing::fail_at_each_step([&](std::size_t fail_at) {
    const ResetRun run = run_reset(fail_at);
    // The write that carried the stanzas failed: the first went out whole, the rest did not.
    saw_a_cut = saw_a_cut || (run.delivered == 1 && run.handed_back == kTracked - 1);
    return run.failed;
  });
  EXPECT_GT(runs, 3U);
  EXPECT_TRUE(saw_a_cut);
}

}  // namespace
}  // namespace edgekit::edgeproxy
