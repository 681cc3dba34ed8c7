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

}  // namespace
}  // namespace edgekit::edgeproxy
