#pragma once
// The edge, as far as a connection shell under test sees it: StreamHost plus the three event
// interfaces, recording every event, on a real single-threaded io_context. Paired with
// ScriptedTransport it runs a shell without sockets; fail_at_each_step() repeats a scenario
// with the failure moved one step further each time.

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "edgeproxy/net/connection_host.hpp"
#include "edgeproxy/net/outbound_connection.hpp"
#include "tests/support/net/scripted_transport.hpp"

namespace edgekit::edgeproxy::testing {

class ShellTestHost final : public StreamHost,
                            public InboundEvents,
                            public OutboundEvents,
                            public ComponentEvents {
 public:
  explicit ShellTestHost(std::shared_ptr<const Config> config);
  ~ShellTestHost() override;
  ShellTestHost(const ShellTestHost&) = delete;
  ShellTestHost& operator=(const ShellTestHost&) = delete;

  // A transport for the next connection, scripted by `peer`.
  std::unique_ptr<Transport> transport(const std::shared_ptr<ScriptedPeer>& peer);
  // Runs the event loop until nothing is left to do (bounded, in case a shell hangs).
  void run();
  // What every run must end with, whichever step failed: the close reported exactly once, the
  // transport closed once, no connection counted open, and the connection freed (no coroutine
  // or timer still holds it).
  void expect_settled(const ScriptedPeer& peer, const std::weak_ptr<Connection>& connection,
                      std::size_t fail_at) const;

  // StreamHost
  asio::io_context& io() noexcept override { return io_; }
  [[nodiscard]] std::shared_ptr<const Config> config() const noexcept override { return config_; }
  [[nodiscard]] std::shared_ptr<const DialbackKeys> keys() const noexcept override { return keys_; }
  [[nodiscard]] std::shared_ptr<TlsContexts> tls() const noexcept override { return tls_; }
  Metrics& metrics() noexcept override { return metrics_; }
  std::string next_connection_id() override { return "c" + std::to_string(++ids_); }
  [[nodiscard]] std::size_t max_write_queue_bytes() const noexcept override {
    return std::size_t{8} * 1024 * 1024;
  }
  asio::mutable_buffer read_buffer() noexcept override { return asio::buffer(read_buffer_); }
  [[nodiscard]] bool link_backlogged(Flow /*flow*/, const std::string& /*partner*/) const override {
    return backlogged;
  }
  void pause_until_eased(const std::shared_ptr<Connection>& reader) override {
    paused.push_back(reader);
  }
  void link_eased() override {
    ++eased;
    if (when_eased) {
      when_eased();
    }
  }

  // InboundEvents
  void deliver_from_partner(const std::string& partner, Element stanza) override;
  void request_verify(const std::shared_ptr<InboundConnection>& inbound,
                      const action::RequestVerify& request) override;
  void inbound_closed(const InboundConnection* connection) override;
  [[nodiscard]] bool admit_partner_stream(const InboundConnection& /*connection*/,
                                          const Partner& /*partner*/) override {
    return true;
  }

  // OutboundEvents: the close hands the queue back, as the edge's does (it bounces it).
  void outbound_ready(const std::shared_ptr<OutboundConnection>& connection) override;
  void outbound_closed(const std::shared_ptr<OutboundConnection>& connection,
                       const std::string& reason) override;
  void outbound_unsent(const std::shared_ptr<OutboundConnection>& connection,
                       std::vector<PendingStanza> unsent) override;
  void verified(const std::shared_ptr<OutboundConnection>& verifier,
                const action::Verified& answer) override;

  // ComponentEvents
  void component_ready(const std::shared_ptr<ComponentConnection>& connection) override;
  void component_closed(const std::shared_ptr<ComponentConnection>& connection,
                        const std::string& reason) override;
  void deliver_from_internal(const std::string& component_domain, Element stanza) override;
  void component_unsent(const std::shared_ptr<ComponentConnection>& connection,
                        std::vector<PendingStanza> unsent) override;

  // What happened.
  std::vector<Element> delivered;  // from the partner or from the internal server
  // Stanzas handed back: the outbound queue at its close, and what any stream could not write.
  std::vector<PendingStanza> bounced;
  // Flow control: what link_backlogged() answers, who paused, how often a link eased.
  bool backlogged = false;
  std::vector<std::weak_ptr<Connection>> paused;
  std::size_t eased = 0;
  std::function<void()> when_eased;
  std::vector<std::string> closed;  // one reason per close event
  std::size_t ready = 0;
  std::size_t verify_requests = 0;
  // Called when an outbound or component stream becomes ready (a test sends through it).
  std::function<void()> when_ready;
  // How a dialback request is answered (the verify stream is not part of the shell under test).
  VerifyOutcome verify_outcome = VerifyOutcome::kValid;

 private:
  void became_ready();

  asio::io_context io_;
  std::shared_ptr<const Config> config_;
  std::shared_ptr<const DialbackKeys> keys_;
  std::shared_ptr<TlsContexts> tls_;
  Metrics metrics_;
  std::size_t ids_ = 0;
  // Small on purpose: a negotiation takes several reads, and the not-drained path runs.
  std::array<char, 256> read_buffer_{};
};

// Runs `scenario(fail_at)` for fail_at = 0, 1, 2, ... until a run ends without reaching its
// failing step (the scenario says so by returning false); returns how many runs there were.
std::size_t fail_at_each_step(const std::function<bool(std::size_t fail_at)>& scenario,
                              std::size_t limit = 1000);

}  // namespace edgekit::edgeproxy::testing
