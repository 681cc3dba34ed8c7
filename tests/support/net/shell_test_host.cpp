#include "tests/support/net/shell_test_host.hpp"

#include <gtest/gtest.h>

#include "edgeproxy/net/component_connection.hpp"
#include "edgeproxy/net/inbound_connection.hpp"
#include "edgeproxy/net/tls_contexts.hpp"

namespace edgekit::edgeproxy::testing {
namespace {
// Every run is a few dozen steps on one thread: this only stops a shell that hangs.
constexpr std::chrono::seconds kRunLimit{5};
}  // namespace

ShellTestHost::ShellTestHost(std::shared_ptr<const Config> config)
    : config_(std::move(config)),
      keys_(std::make_shared<const DialbackKeys>("s3cret")),
      tls_(std::make_shared<TlsContexts>()) {}

ShellTestHost::~ShellTestHost() = default;

std::unique_ptr<Transport> ShellTestHost::transport(const std::shared_ptr<ScriptedPeer>& peer) {
  return std::make_unique<ScriptedTransport>(io_, peer);
}

void ShellTestHost::run() {
  io_.restart();
  io_.run_for(kRunLimit);
  EXPECT_TRUE(io_.stopped()) << "the connection did not finish";
}

void ShellTestHost::expect_settled(const ScriptedPeer& peer,
                                   const std::weak_ptr<Connection>& connection,
                                   std::size_t fail_at) const {
  EXPECT_EQ(closed.size(), 1U) << "fail_at=" << fail_at;
  EXPECT_EQ(peer.closes, 1U) << "fail_at=" << fail_at;
  EXPECT_EQ(metrics_.connections(), 0) << "fail_at=" << fail_at;
  EXPECT_TRUE(connection.expired()) << "fail_at=" << fail_at;
}

void ShellTestHost::deliver_from_partner(const std::string& /*partner*/, Element stanza) {
  delivered.push_back(std::move(stanza));
}

void ShellTestHost::request_verify(const std::shared_ptr<InboundConnection>& inbound,
                                   const action::RequestVerify& request) {
  ++verify_requests;
  // The answer comes later, as the verify stream's would.
  asio::post(io_, [inbound, domain = request.domain, local = request.local,
                   outcome = verify_outcome] { inbound->verify_result(domain, local, outcome); });
}

void ShellTestHost::inbound_closed(const InboundConnection* /*connection*/) {
  closed.emplace_back("inbound");
}

void ShellTestHost::outbound_ready(const std::shared_ptr<OutboundConnection>& /*connection*/) {
  became_ready();
}

void ShellTestHost::became_ready() {
  ++ready;
  if (when_ready) {
    when_ready();
  }
}

void ShellTestHost::outbound_closed(const std::shared_ptr<OutboundConnection>& connection,
                                    const std::string& reason) {
  closed.push_back(reason);
  // As the edge does: whatever is still queued goes back to its senders (bounced).
  for (auto& queued : connection->take_queue()) {
    bounced.push_back(std::move(queued));
  }
}

void ShellTestHost::outbound_unsent(const std::shared_ptr<OutboundConnection>& /*connection*/,
                                    std::vector<PendingStanza> unsent) {
  for (auto& stanza : unsent) {
    bounced.push_back(std::move(stanza));
  }
}

void ShellTestHost::component_unsent(const std::shared_ptr<ComponentConnection>& /*connection*/,
                                     std::vector<PendingStanza> unsent) {
  for (auto& stanza : unsent) {
    bounced.push_back(std::move(stanza));
  }
}

void ShellTestHost::verified(const std::shared_ptr<OutboundConnection>& /*verifier*/,
                             const action::Verified& /*answer*/) {}

void ShellTestHost::component_ready(const std::shared_ptr<ComponentConnection>& /*connection*/) {
  became_ready();
}

void ShellTestHost::component_closed(const std::shared_ptr<ComponentConnection>& /*connection*/,
                                     const std::string& reason) {
  closed.push_back(reason);
}

void ShellTestHost::deliver_from_internal(const std::string& /*component_domain*/, Element stanza) {
  delivered.push_back(std::move(stanza));
}

std::size_t fail_at_each_step(const std::function<bool(std::size_t fail_at)>& scenario,
                              std::size_t limit) {
  for (std::size_t fail_at = 0; fail_at < limit; ++fail_at) {
    if (!scenario(fail_at)) {
      ::testing::Test::RecordProperty("fail_at_runs", static_cast<int>(fail_at + 1));
      return fail_at + 1;
    }
  }
  ADD_FAILURE() << "every one of " << limit << " runs reached its failing step";
  return limit;
}

}  // namespace edgekit::edgeproxy::testing
