#pragma once
// A partner's stream to us: the InboundSession core behind the Connection shell.

#include <memory>

#include "edgeproxy/net/connection.hpp"
#include "edgeproxy/xmpp/inbound_session.hpp"

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
  std::shared_ptr<InboundConnection> self();

  InboundEvents& events_;
  bool direct_tls_;
  InboundSession session_;
};

}  // namespace edgekit::edgeproxy
