#pragma once
// Our stream to a partner: resolve, connect (targets in order), then the OutboundSession core
// behind the Connection shell. Stanzas wait in a bounded queue while the stream is being set
// up; the edge bounces them if it fails.

#include <deque>
#include <memory>
#include <string>

#include "edgeproxy/net/connection.hpp"
#include "edgeproxy/net/xmpp_resolver.hpp"
#include "edgeproxy/xmpp/outbound_session.hpp"

namespace edgekit::edgeproxy {

class OutboundConnection final : public Connection {
 public:
  // `transport` is not connected yet: start() connects it.
  OutboundConnection(StreamHost& host, OutboundEvents& events, OutboundOptions options,
                     std::unique_ptr<Transport> transport);
  // Resolves the partner's server, then connects to its targets in order.
  void start(XmppResolver& resolver);
  // Connects to targets resolved elsewhere (or fails with their resolution's error).
  void start(Result<ResolvedEndpoints> resolved);
  // False when the queue is full or the stream is ending: the caller bounces the stanza
  // (it is moved from only when accepted).
  bool enqueue(PendingStanza& stanza);
  void request_verify(VerifyRequest request);
  void shutdown() override;
  // Hands the waiting stanzas over (to be bounced); the queue-depth gauge drops with them.
  std::deque<PendingStanza> take_queue();

  [[nodiscard]] bool ready() const noexcept { return session_.ready(); }
  [[nodiscard]] const OutboundOptions& options() const noexcept { return session_.options(); }
  [[nodiscard]] bool timed_out() const noexcept { return timed_out_; }

 private:
  void arm_establishment();
  void spawn_connect(Result<ResolvedEndpoints> resolved);
  awaitable<void> connect_and_run(Result<ResolvedEndpoints> resolved);
  void on_bytes(std::string_view bytes, Actions& out) override;
  void on_tls(CertificateCheck check, Actions& out) override;
  void on_timeout(std::string_view reason, Actions& out) override;
  // An outbound stream asks nobody to verify and delivers nothing inbound; it only sends.
  void on_request_verify(action::RequestVerify& /*request*/) override {}
  void on_authenticated(action::Authenticated& /*authenticated*/) override {}
  void on_ready(action::Ready& ready) override;
  void on_verified(action::Verified& verified) override;
  void on_idle(action::Idle& idle) override;
  void on_warning(action::Warning& warning) override;
  void on_deliver(action::Deliver& /*deliver*/) override {}
  // The stanza stream authenticated: log it, flush the queue, tell the edge.
  void on_stanza_stream_ready(const action::Ready& action);
  void on_closed(const std::string& reason) override;
  void on_unsent(std::vector<PendingStanza> unsent) override;
  void on_backlog(bool backlogged) override;
  void flush_queue();
  [[nodiscard]] bool tls_server() const override { return false; }
  [[nodiscard]] std::string tls_sni() const override { return session_.options().remote; }
  [[nodiscard]] std::string partner_label() const override { return session_.options().remote; }
  std::shared_ptr<OutboundConnection> self();

  OutboundEvents& events_;
  OutboundSession session_;
  std::deque<PendingStanza> queue_;
  std::size_t queue_bytes_ = 0;
  bool timed_out_ = false;
  bool closed_reported_ = false;
};

}  // namespace edgekit::edgeproxy
