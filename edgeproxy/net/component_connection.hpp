#pragma once
// The XEP-0114 link for one partner domain to the internal server: the ComponentSession core
// behind the Connection shell.

#include <memory>
#include <string>

#include "edgeproxy/net/connection.hpp"
#include "edgeproxy/xmpp/component_session.hpp"

namespace edgekit::edgeproxy {

class ComponentConnection final : public Connection {
 public:
  // `transport` is not connected yet: start() connects it to [internal] host:port.
  ComponentConnection(StreamHost& host, ComponentEvents& events, std::string domain,
                      std::string secret, std::unique_ptr<Transport> transport);
  void start();
  void shutdown() override;
  [[nodiscard]] bool ready() const noexcept { return session_.ready(); }
  [[nodiscard]] const std::string& domain() const noexcept { return session_.domain(); }

 private:
  awaitable<void> connect_and_run();
  void on_bytes(std::string_view bytes, Actions& out) override;
  void on_tls(CertificateCheck check, Actions& out) override;
  void on_timeout(std::string_view reason, Actions& out) override;
  // A component link carries stanzas only: no dialback, no SASL, no verify streams.
  void on_request_verify(action::RequestVerify& /*request*/) override {}
  void on_authenticated(action::Authenticated& /*authenticated*/) override {}
  void on_ready(action::Ready& ready) override;
  void on_verified(action::Verified& /*verified*/) override {}
  void on_idle(action::Idle& /*idle*/) override {}
  void on_warning(action::Warning& /*warning*/) override {}
  void on_deliver(action::Deliver& deliver) override;
  void on_closed(const std::string& reason) override;
  [[nodiscard]] bool tls_server() const override { return false; }
  [[nodiscard]] std::string partner_label() const override { return session_.domain(); }
  // Stanzas from inside wait in the internal server while the partner's stream is backlogged.
  [[nodiscard]] bool reading_paused() const override;
  void on_unsent(std::vector<PendingStanza> unsent) override;
  std::shared_ptr<ComponentConnection> self();

  ComponentEvents& events_;
  ComponentSession session_;
  bool closed_reported_ = false;
};

}  // namespace edgekit::edgeproxy
