// spawn_session(): a session coroutine that throws is not lost. Over a real loopback socket, a
// core that throws on the first bytes (or a session body that throws before it reads) must
// leave the connection closed exactly once, its gauge back at zero, the failure counted, and
// the peer told internal-server-error. The host is the shells' test host; the transport is a real
// socket, so the stream error is seen on the wire.

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgeproxy/net/connection.hpp"
#include "edgeproxy/net/socket_transport.hpp"
#include "tests/support/net/shell_test_host.hpp"
#include "tests/unit/edgeproxy/xmpp/session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

enum class ThrowWhere { kOnBytes, kBeforeReading };

// A stream whose core has a bug: it throws where the test says.
class FaultyConnection final : public Connection {
 public:
  FaultyConnection(StreamHost& host, tcp::socket socket, ThrowWhere where)
      : Connection(host, std::make_unique<SocketTransport>(std::move(socket)), "in"),
        where_(where) {}

  void start() {
    start_watchdog();
    auto self = std::static_pointer_cast<FaultyConnection>(shared_from_this());
    spawn_session([self]() -> awaitable<void> {
      if (self->where_ == ThrowWhere::kBeforeReading) {
        throw std::runtime_error("the session failed before it read");
      }
      co_await self->run_stream();
    });
  }
  void shutdown() override {}

  int closed_calls = 0;
  std::string closed_reason;
  std::size_t unsent = 0;

 protected:
  void on_unsent(std::vector<PendingStanza> stanzas) override { unsent += stanzas.size(); }
  void on_bytes(std::string_view /*bytes*/, Actions& /*out*/) override {
    throw std::runtime_error("the core met a case it cannot handle");
  }
  void on_tls(CertificateCheck /*check*/, Actions& /*out*/) override {}
  void on_timeout(std::string_view /*reason*/, Actions& /*out*/) override {}
  void on_closed(const std::string& reason) override {
    ++closed_calls;
    closed_reason = reason;
  }
  [[nodiscard]] bool tls_server() const override { return true; }
  void on_request_verify(action::RequestVerify& /*request*/) override {}
  void on_authenticated(action::Authenticated& /*authenticated*/) override {}
  void on_ready(action::Ready& /*ready*/) override {}
  void on_verified(action::Verified& /*verified*/) override {}
  void on_idle(action::Idle& /*idle*/) override {}
  void on_warning(action::Warning& /*warning*/) override {}
  void on_deliver(action::Deliver& /*deliver*/) override {}

 private:
  ThrowWhere where_;
};

struct Outcome {
  std::uint64_t delivered = 0;
  std::size_t unsent = 0;
  int closed_calls = 0;
  std::string closed_reason;
  std::uint64_t failures = 0;
  std::int64_t open_connections = -1;
  std::string peer_received;
};

Outcome run_faulty_session(ThrowWhere where) {
  testing::ShellTestHost host(testing::make_config(""));
  tcp::acceptor acceptor(host.io(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket peer(host.io());
  peer.connect(acceptor.local_endpoint());
  auto connection = std::make_shared<FaultyConnection>(host, acceptor.accept(), where);
  // Stanzas already on the stream when its session fails still end exactly once.
  for (int i = 0; i < 2; ++i) {
    StanzaTicket ticket{Element{}, StanzaAccount{Flow::kOutbound, "partner.example"}, {}};
    EXPECT_TRUE(connection->send_stanza("<message id='q'/>", ticket));
  }
  connection->start();
  asio::write(peer, asio::buffer(std::string("<message/>")));

  Outcome outcome;
  std::array<char, 512> chunk{};
  asio::co_spawn(
      host.io(),
      [&]() -> awaitable<void> {
        boost::system::error_code ec;
        while (!ec) {
          const auto n = co_await peer.async_read_some(asio::buffer(chunk),
                                                       asio::redirect_error(use_awaitable, ec));
          outcome.peer_received.append(chunk.data(), n);
        }
      },
      asio::detached);
  host.io().run_for(std::chrono::seconds(5));

  outcome.delivered = host.metrics()
                          .ledger()
                          .counts(Flow::kOutbound, "partner.example")
                          .count(edgeproxy::Outcome::kDelivered);
  outcome.unsent = connection->unsent;
  outcome.closed_calls = connection->closed_calls;
  outcome.closed_reason = connection->closed_reason;
  outcome.failures = host.metrics().session_failures();
  outcome.open_connections = host.metrics().connections();
  return outcome;
}

TEST(SpawnSession, ACoreThatThrowsClosesTheStreamOnceAndIsCounted) {
  const Outcome outcome = run_faulty_session(ThrowWhere::kOnBytes);
  EXPECT_EQ(outcome.closed_calls, 1);
  EXPECT_EQ(outcome.closed_reason, "internal-error");
  EXPECT_EQ(outcome.failures, 1U);
  EXPECT_EQ(outcome.open_connections, 0);
  EXPECT_EQ(outcome.delivered + outcome.unsent, 2U);
  EXPECT_NE(outcome.peer_received.find("<internal-server-error"), std::string::npos)
      << outcome.peer_received;
  EXPECT_NE(outcome.peer_received.find("</stream:stream>"), std::string::npos);
}

TEST(SpawnSession, ASessionThatThrowsBeforeReadingStillRunsTheClosePath) {
  const Outcome outcome = run_faulty_session(ThrowWhere::kBeforeReading);
  EXPECT_EQ(outcome.closed_calls, 1);
  EXPECT_EQ(outcome.closed_reason, "internal-error");
  EXPECT_EQ(outcome.failures, 1U);
  EXPECT_EQ(outcome.open_connections, 0);
  EXPECT_EQ(outcome.delivered + outcome.unsent, 2U);
}

TEST(SpawnSession, TheFailureCounterIsExported) {
  Metrics metrics;
  metrics.session_failed();
  EXPECT_NE(metrics.render().find("edgeproxy_session_failures_total 1\n"), std::string::npos);
}

}  // namespace
}  // namespace edgekit::edgeproxy
