// ComponentLinks holding stanzas for a link that is not up yet, then handing them to it at the
// pace it writes them: never more than one backlog's worth at once, every stanza written whole
// exactly once, and the hold capped in bytes as well as in count.

#include "edgeproxy/server/component_links.hpp"

#include <gtest/gtest.h>

#include "edgeproxy/net/component_connection.hpp"
#include "edgeproxy/xmpp/component_session.hpp"
#include "tests/support/net/shell_test_host.hpp"
#include "tests/unit/edgeproxy/xmpp/session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::ScriptedPeer;
using testing::ShellTestHost;

constexpr std::size_t kStanzaBytes = std::size_t{200} * 1024;
constexpr std::size_t kHeldCapBytes = std::size_t{8} * 1024 * 1024;
const StanzaAccount kAccount{Flow::kInbound, "partner.example"};

std::string big_stanza(std::size_t i) {
  std::string head = "<message from='j@partner.example' to='r@corp.example' id='b" +
                     std::to_string(i) + "'><body>";
  const std::string tail = "</body></message>";
  return head + std::string(kStanzaBytes - head.size() - tail.size(), 'x') + tail;
}

PendingStanza pending(std::size_t i) {
  return PendingStanza{big_stanza(i), StanzaTicket{Element{}, kAccount, {}}};
}

TEST(ComponentLinks, HeldStanzasGoOutAtTheLinksPaceWholeAndOnce) {
  ShellTestHost host(testing::make_config(""));
  auto peer = std::make_shared<ScriptedPeer>();
  peer->script = {
      {"jabber:component:accept",
       "<stream:stream xmlns='jabber:component:accept' "
       "xmlns:stream='http://etherx.jabber.org/streams' id='abc' from='partner.example'>"},
      {"<handshake>" + component_handshake_digest("abc", "secret") + "</handshake>",
       "<handshake/>"},
  };
  std::shared_ptr<ComponentConnection> link;
  ComponentLinks links(host.io(), host.metrics(), [&](const std::string& domain) {
    link =
        std::make_shared<ComponentConnection>(host, host, domain, "secret", host.transport(peer));
    return link;
  });
  auto& ledger = host.metrics().ledger();
  host.when_ready = [&] { links.ready(link); };
  host.when_eased = [&] { links.flush(); };
  // Once everything is written the link is shut, so that the run ends.
  asio::steady_timer poll(host.io());
  std::function<void()> shut_when_done = [&] {
    poll.expires_after(std::chrono::milliseconds(5));
    poll.async_wait([&](const boost::system::error_code&) {
      if (ledger.counts(Flow::kInbound, "partner.example").in_flight() == 0) {
        links.shutdown();
      } else {
        shut_when_done();
      }
    });
  };
  shut_when_done();
  links.sync({"partner.example"});
  // The link is connecting: everything is held, up to the byte cap.
  const std::size_t fits = kHeldCapBytes / kStanzaBytes;
  for (std::size_t i = 0; i < fits; ++i) {
    auto stanza = pending(i);
    ledger.accepted(kAccount);
    ASSERT_EQ(links.send("partner.example", stanza), Handoff::kAccepted) << i;
  }
  auto one_too_many = pending(fits);
  EXPECT_EQ(links.send("partner.example", one_too_many), Handoff::kQueueFull);
  EXPECT_FALSE(one_too_many.raw.empty()) << "a refused stanza stays the caller's to bounce";
  EXPECT_EQ(host.metrics().partner("partner.example").queue_depth, fits);

  host.run();
  for (std::size_t i = 0; i < fits; ++i) {
    const std::string raw = big_stanza(i);
    const auto first = peer->written.find(raw);
    ASSERT_NE(first, std::string::npos) << i;
    EXPECT_EQ(peer->written.find(raw, first + 1), std::string::npos) << i;
  }
  const auto counts = ledger.counts(Flow::kInbound, "partner.example");
  EXPECT_EQ(counts.count(Outcome::kDelivered), fits);
  EXPECT_EQ(counts.in_flight(), 0);
  EXPECT_EQ(host.metrics().partner("partner.example").queue_depth, 0U);
  // Handed on as it wrote, not in one write of 8 MB: at most the backlog mark (1 MiB) plus one
  // stanza at a time.
  EXPECT_LE(peer->largest_write, std::size_t{1024} * 1024 + kStanzaBytes);
  EXPECT_EQ(host.closed, std::vector<std::string>{"shutdown"});
}

}  // namespace
}  // namespace edgekit::edgeproxy
