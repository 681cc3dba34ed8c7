#pragma once
// A partner's stream to us: the InboundSession core behind the Connection shell.

#include <chrono>
#include <cstdint>
#include <memory>

#include "edgeproxy/net/connection.hpp"
#include "edgeproxy/xmpp/inbound_session.hpp"
#include "edgeproxy/xmpp/read_throttle.hpp"

namespace edgekit::edgeproxy {

class InboundConnection final : public Connection {
 public:
  InboundConnection(StreamHost& host, InboundEvents& events, std::unique_ptr<Transport> transport,
                    bool direct_tls);
  void start();
  void verify_result(const std::string& originating, const std::string& receiving,
                     VerifyOutcome outcome);
  void shutdown() override;
  // Ends the stream with `condition` (a reload removed its partner, ...).
  void refuse(StreamError condition, const std::string& reason);
  // The edge is at connection_limit and this stream is the longest still negotiating: it is
  // closed with resource-constraint to make room (preauth-evicted).
  void evict();
  [[nodiscard]] const std::string& partner() const noexcept { return session_.partner(); }
  void update_config(std::shared_ptr<const Config> config) {
    session_.update_config(std::move(config));
  }

 private:
  awaitable<void> run();
  void on_bytes(std::string_view bytes, Actions& out) override;
  void on_tls(CertificateCheck check, Actions& out) override;
  void on_timeout(std::string_view reason, Actions& out) override;
  void on_request_verify(action::RequestVerify& request) override;
  void on_authenticated(action::Authenticated& authenticated) override;
  void on_ready(action::Ready& /*ready*/) override {}  // inbound streams authenticate instead
  void on_verified(action::Verified& verified) override;
  void on_idle(action::Idle& /*idle*/) override {}           // only outbound verify streams idle
  void on_warning(action::Warning& /*warning*/) override {}  // the inbound core closes instead
  void on_deliver(action::Deliver& deliver) override;
  void on_closed(const std::string& reason) override;
  [[nodiscard]] bool tls_server() const override { return true; }
  [[nodiscard]] std::string partner_label() const override { return session_.partner(); }
  [[nodiscard]] bool reading_paused() const override;
  // The rate limits: what the last read cost, as a pause before the next (rate-limited).
  std::chrono::steady_clock::duration read_pause() override;
  std::shared_ptr<InboundConnection> self();
  // Before authentication: the step's deadline, or the whole negotiation's while a dialback
  // verification is outstanding (xmpp/negotiation_deadline).
  void arm_negotiation_deadline();

  InboundEvents& events_;
  bool direct_tls_;
  InboundSession session_;
  ReadThrottle throttle_;
  std::chrono::steady_clock::time_point establishment_end_;
  std::size_t verifies_pending_ = 0;  // dialback verifications the edge is waiting for
  std::uint64_t unpaced_bytes_ = 0;   // read since the last read_pause()
  std::uint64_t unpaced_stanzas_ = 0;
};

}  // namespace edgekit::edgeproxy
