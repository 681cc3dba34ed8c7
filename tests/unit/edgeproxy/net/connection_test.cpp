// The Connection shell under a trivial line protocol, over a scripted transport: reads,
// writes and the STARTTLS swap fail at every step in turn, and the stream still ends exactly
// once with its gauge back to zero; a peer that does not read is dropped, and one that
// vanishes ends the stream.

#include "edgeproxy/net/connection.hpp"

#include <gtest/gtest.h>

#include "tests/support/net/shell_test_host.hpp"
#include "tests/unit/edgeproxy/xmpp/session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::PeerTurn;
using testing::ScriptedPeer;
using testing::ShellTestHost;

// The core: "tls" asks for TLS, "bye" closes the stream, any other line is echoed.
class LineConnection final : public Connection {
 public:
  LineConnection(ShellTestHost& host, std::unique_ptr<Transport> transport)
      : Connection(host, std::move(transport), "test"), recorder_(host) {}

  void start() {
    start_watchdog();
    spawn_session([me = std::static_pointer_cast<LineConnection>(shared_from_this())] {
      return me->run_stream();
    });
  }
  void shutdown() override { request_close("shutdown"); }

 private:
  void on_bytes(std::string_view bytes, Actions& out) override {
    pending_ += bytes;
    for (auto end = pending_.find('\n'); end != std::string::npos; end = pending_.find('\n')) {
      const std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      if (line == "tls") {
        out.push_back(send_action("ok\n"));
        out.emplace_back(action::StartTls{});
      } else if (line == "bye") {
        out.push_back(send_action("bye\n"));
        out.push_back(close_action("peer-closed"));
      } else {
        out.push_back(send_action("echo:" + line + "\n"));
      }
    }
  }
  void on_tls(CertificateCheck /*check*/, Actions& out) override {
    out.push_back(send_action("secured\n"));
  }
  void on_timeout(std::string_view /*reason*/, Actions& /*out*/) override {}
  // Nothing but sends, STARTTLS and closes comes from this core.
  void on_request_verify(action::RequestVerify& /*request*/) override {}
  void on_authenticated(action::Authenticated& /*authenticated*/) override {}
  void on_ready(action::Ready& /*ready*/) override {}
  void on_verified(action::Verified& /*verified*/) override {}
  void on_idle(action::Idle& /*idle*/) override {}
  void on_warning(action::Warning& /*warning*/) override {}
  void on_deliver(action::Deliver& /*deliver*/) override {}
  void on_closed(const std::string& reason) override { recorder_.closed.push_back(reason); }
  void on_unsent(std::vector<PendingStanza> unsent) override {
    for (auto& stanza : unsent) {
      recorder_.bounced.push_back(std::move(stanza));
    }
  }
  [[nodiscard]] bool tls_server() const override { return true; }

  ShellTestHost& recorder_;
  std::string pending_;
};

struct Started {
  std::shared_ptr<ScriptedPeer> peer = std::make_shared<ScriptedPeer>();
  std::weak_ptr<LineConnection> connection;
};

Started start(ShellTestHost& host, std::vector<PeerTurn> script, std::size_t fail_at) {
  Started started;
  started.peer->script = std::move(script);
  started.peer->fail_at = fail_at;
  auto connection = std::make_shared<LineConnection>(host, host.transport(started.peer));
  started.connection = connection;
  connection->start();
  return started;
}

TEST(Connection, ReadsWritesAndStartTlsFailCleanlyAtEveryStep) {
  const std::vector<PeerTurn> script = {
      {"", "one\n"},
      {"echo:one\n", "two\ntls\n"},
      {"ok\n", "three\n", true},
      {"echo:three\n", "bye\n"},
  };
  const std::size_t runs = testing::fail_at_each_step([&](std::size_t fail_at) {
    ShellTestHost host(testing::make_config(""));
    auto started = start(host, script, fail_at);
    host.run();
    host.expect_settled(*started.peer, started.connection, fail_at);
    if (!started.peer->failed) {
      EXPECT_EQ(started.peer->written, "echo:one\necho:two\nok\nsecured\necho:three\nbye\n");
      EXPECT_EQ(host.closed, std::vector<std::string>{"peer-closed"});
    }
    return started.peer->failed;
  });
  EXPECT_GT(runs, 10U);
}

TEST(Connection, APeerThatDoesNotReadIsDroppedAtTheWriteQueueLimit) {
  ShellTestHost host(testing::make_config(""));
  auto started = start(host, {}, ScriptedPeer::kNever);
  started.connection.lock()->send(std::string(host.max_write_queue_bytes() + 1, ' '));
  host.run();
  host.expect_settled(*started.peer, started.connection, 0);
  EXPECT_EQ(host.closed, std::vector<std::string>{"write-queue-full"});
}

const StanzaAccount kAccount{Flow::kInbound, "partner.example"};

StanzaTicket tracked_ticket() {
  return StanzaTicket{Element{}, kAccount, {}};
}

TEST(Connection, AStanzaPastTheHardLimitIsRefusedAndTheStreamStays) {
  ShellTestHost host(testing::make_config(""));
  auto started = start(host, {{"", "bye\n"}}, ScriptedPeer::kNever);
  auto ticket = tracked_ticket();
  const std::string huge(host.max_write_queue_bytes() + 1, 'x');
  EXPECT_FALSE(started.connection.lock()->send_stanza(huge, ticket));
  EXPECT_TRUE(ticket.account.has_value()) << "a refused stanza stays the caller's";
  host.run();
  host.expect_settled(*started.peer, started.connection, 0);
  EXPECT_EQ(host.closed, std::vector<std::string>{"peer-closed"});
  EXPECT_TRUE(host.bounced.empty());
}

// Before the fix the whole queue was thrown away with the stream.
TEST(Connection, AtTheWriteQueueLimitEveryQueuedStanzaComesBack) {
  ShellTestHost host(testing::make_config(""));
  auto started = start(host, {}, ScriptedPeer::kNever);
  auto connection = started.connection.lock();
  for (const char* raw : {"<a/>", "<b/>", "<c/>"}) {
    auto ticket = tracked_ticket();
    EXPECT_TRUE(connection->send_stanza(raw, ticket));
  }
  connection->send(std::string(host.max_write_queue_bytes(), ' '));
  connection.reset();
  host.run();
  host.expect_settled(*started.peer, started.connection, 0);
  EXPECT_EQ(host.closed, std::vector<std::string>{"write-queue-full"});
  ASSERT_EQ(host.bounced.size(), 3U);
  EXPECT_EQ(host.bounced[0].raw, "<a/>");
  EXPECT_EQ(host.bounced[2].raw, "<c/>");
  EXPECT_EQ(
      host.metrics().ledger().counts(Flow::kInbound, "partner.example").count(Outcome::kDelivered),
      0U);
}

TEST(Connection, TakingTheUnsentLeavesTheStreamsOwnBytesAndTheEdgesReplies) {
  ShellTestHost host(testing::make_config(""));
  auto started = start(host, {{"", "bye\n"}}, ScriptedPeer::kNever);
  auto connection = started.connection.lock();
  connection->send("<hdr>");
  auto a = tracked_ticket();
  EXPECT_TRUE(connection->send_stanza("<a/>", a));
  StanzaTicket reply{Element{}, std::nullopt, {}};  // an error the edge sends: not taken
  EXPECT_TRUE(connection->send_stanza("<err/>", reply));
  auto b = tracked_ticket();
  EXPECT_TRUE(connection->send_stanza("<b/>", b));
  const auto taken = connection->take_unsent();
  ASSERT_EQ(taken.size(), 2U);
  EXPECT_EQ(taken[0].raw, "<a/>");
  EXPECT_EQ(taken[1].raw, "<b/>");
  connection.reset();
  host.run();
  host.expect_settled(*started.peer, started.connection, 0);
  EXPECT_EQ(started.peer->written.rfind("<hdr><err/>", 0), 0U) << started.peer->written;
  EXPECT_TRUE(host.bounced.empty());
}

TEST(Connection, APeerThatVanishesEndsTheStream) {
  ShellTestHost host(testing::make_config(""));
  auto started = start(host, {{"", "one\n"}}, ScriptedPeer::kNever);
  started.peer->close_after_script = true;
  host.run();
  host.expect_settled(*started.peer, started.connection, 0);
  EXPECT_EQ(started.peer->written, "echo:one\n");
  EXPECT_EQ(host.closed, std::vector<std::string>{"peer-disconnected"});
}

}  // namespace
}  // namespace edgekit::edgeproxy
