#include "edgeproxy/net/inbound_connection.hpp"

#include <utility>

#include "common/crypto.hpp"
#include "common/log.hpp"
#include "edgeproxy/net/tls_contexts.hpp"
#include "edgeproxy/xmpp/negotiation_deadline.hpp"

namespace edgekit::edgeproxy {
namespace {

// A partner's own limits where it sets them, else [federation]'s.
RateLimits stream_rate_limits(const Config& config, const Partner* partner) {
  RateLimits limits{config.federation.rate_bytes_per_second,
                    config.federation.rate_stanzas_per_second};
  if (partner != nullptr) {
    limits.bytes_per_second = partner->rate_bytes_per_second.value_or(limits.bytes_per_second);
    limits.stanzas_per_second =
        partner->rate_stanzas_per_second.value_or(limits.stanzas_per_second);
  }
  return limits;
}

}  // namespace

InboundConnection::InboundConnection(StreamHost& host, InboundEvents& events,
                                     std::unique_ptr<Transport> transport, bool direct_tls)
    : Connection(host, std::move(transport), "in"),
      events_(events),
      direct_tls_(direct_tls),
      session_(host.config(), host.keys(),
               InboundOptions{host.tls() != nullptr, direct_tls, crypto::random_hex(12)}),
      throttle_(stream_rate_limits(*host.config(), nullptr), std::chrono::steady_clock::now()) {}

std::shared_ptr<InboundConnection> InboundConnection::self() {
  return std::static_pointer_cast<InboundConnection>(shared_from_this());
}

void InboundConnection::start() {
  log_info("stream.opened", {{"conn", id_}, {"direction", "in"}, {"peer", peer_}});
  establishment_end_ =
      std::chrono::steady_clock::now() + host_.config()->federation.stream_establishment_timeout;
  arm_negotiation_deadline();
  start_watchdog();
  spawn_session([me = self()] { return me->run(); });
}

awaitable<void> InboundConnection::run() {
  if (direct_tls_) {
    auto contexts = host_.tls();
    boost::system::error_code ec;
    if (contexts) {
      co_await transport_->start_tls(contexts->server, true, {}, ec);
    }
    if (!contexts || ec) {
      log_warn("stream.closed", {{"conn", id_},
                                 {"direction", "in"},
                                 {"peer", peer_},
                                 {"reason", "tls-handshake-failed"}});
      host_.metrics().failure("", "tls-handshake-failed");
      finish();
      events_.inbound_closed(this);
      co_return;
    }
    Actions out;
    session_.on_tls_established(transport_->peer_certificate(), out);
    perform(out);
  }
  co_await run_stream();
}

void InboundConnection::arm_negotiation_deadline() {
  const auto now = std::chrono::steady_clock::now();
  const auto deadline = negotiation_deadline(now, establishment_end_,
                                             host_.config()->federation.negotiation_step_timeout,
                                             verifies_pending_ > 0);
  set_deadline(std::chrono::ceil<std::chrono::milliseconds>(deadline.at - now),
               std::string(deadline.reason));
}

void InboundConnection::verify_result(const std::string& originating, const std::string& receiving,
                                      VerifyOutcome outcome) {
  if (verifies_pending_ > 0) {
    --verifies_pending_;
  }
  if (!session_.authenticated() && !closing()) {
    arm_negotiation_deadline();  // the peer's turn again (valid answers re-arm on their own)
  }
  Actions out;
  session_.on_verify_result(originating, receiving, outcome, out);
  perform(out);
  if (closing()) {
    request_close(close_reason_);
  }
}

void InboundConnection::shutdown() {
  Actions out;
  session_.on_shutdown(out);
  perform(out);
  request_close("shutdown");
}

void InboundConnection::refuse(StreamError condition, const std::string& reason) {
  Actions out;
  session_.refuse(condition, reason, out);
  perform(out);
  request_close(reason);
}

void InboundConnection::evict() {
  refuse(StreamError::kResourceConstraint, "preauth-evicted");
}

void InboundConnection::on_bytes(std::string_view bytes, Actions& out) {
  unpaced_bytes_ += bytes.size();
  if (session_.authenticated()) {
    set_deadline(host_.config()->federation.stream_inactivity_timeout, "inactivity-timeout");
    host_.metrics().partner(session_.partner()).bytes_in += bytes.size();
  } else {
    arm_negotiation_deadline();  // the peer took its step: the next one starts now
  }
  session_.on_bytes(bytes, out);
}

void InboundConnection::on_tls(CertificateCheck check, Actions& out) {
  log_info("stream.tls", {{"conn", id_}, {"direction", "in"}, {"tls", transport_->tls_version()}});
  session_.on_tls_established(std::move(check), out);
}

void InboundConnection::on_timeout(std::string_view reason, Actions& out) {
  session_.on_timeout(reason, out);
}

void InboundConnection::on_authenticated(action::Authenticated& authenticated) {
  report_authenticated(authenticated, session_.partner());
  set_deadline(host_.config()->federation.stream_inactivity_timeout, "inactivity-timeout");
  const Partner* partner = host_.config()->find_partner(authenticated.domain);
  if (partner != nullptr && !events_.admit_partner_stream(*this, *partner)) {
    refuse(StreamError::kPolicyViolation, "partner-connection-limit");
    return;
  }
  if (partner != nullptr && partner->keepalive) {
    set_keepalive(host_.config()->federation.keepalive_interval);
  }
  if (partner != nullptr) {
    throttle_.set_limits(stream_rate_limits(*host_.config(), partner),
                         std::chrono::steady_clock::now());
  }
}

void InboundConnection::on_deliver(action::Deliver& deliver) {
  ++unpaced_stanzas_;
  ++host_.metrics().partner(deliver.domain).stanzas_in;
  events_.deliver_from_partner(deliver.domain, std::move(deliver.element));
}

void InboundConnection::on_request_verify(action::RequestVerify& request) {
  ++verifies_pending_;
  if (!session_.authenticated()) {
    arm_negotiation_deadline();  // the edge's turn: only the whole negotiation's deadline
  }
  events_.request_verify(self(), request);
}

// The authoritative role answered a partner's db:verify on this stream.
void InboundConnection::on_verified(action::Verified& verified) {
  log_info("dialback.verify_answered", {{"conn", id_},
                                        {"partner", verified.domain},
                                        {"local", verified.local},
                                        {"result", verified.valid ? "valid" : "invalid"}});
}

void InboundConnection::on_closed(const std::string& reason) {
  const bool clean = reason == "peer-closed" || reason == "peer-disconnected" ||
                     reason == "shutdown" || reason == "closed";
  if (!clean) {
    host_.metrics().failure(session_.partner(), reason);
  }
  if (clean) {
    log_info("stream.closed", {{"conn", id_},
                               {"direction", "in"},
                               {"peer", peer_},
                               {"partner", session_.partner()},
                               {"reason", reason}});
  } else {
    log_warn("stream.closed", {{"conn", id_},
                               {"direction", "in"},
                               {"peer", peer_},
                               {"partner", session_.partner()},
                               {"reason", reason}});
  }
  events_.inbound_closed(this);
}

bool InboundConnection::reading_paused() const {
  return session_.authenticated() && host_.link_backlogged(Flow::kInbound, session_.partner());
}

std::chrono::steady_clock::duration InboundConnection::read_pause() {
  const auto verdict =
      throttle_.after_read(std::exchange(unpaced_bytes_, 0), std::exchange(unpaced_stanzas_, 0),
                           std::chrono::steady_clock::now());
  if (verdict.episode_started) {
    // Counted once per episode, not per pause: a flood is one event, not thousands.
    const auto& limits = throttle_.limits();
    log_info("stream.throttled",
             {{"conn", id_},
              {"peer", peer_},
              {"partner", session_.partner()},
              {"reason", "rate-limited"},
              {"rate_bytes_per_second", std::to_string(limits.bytes_per_second)},
              {"rate_stanzas_per_second", std::to_string(limits.stanzas_per_second)}});
    host_.metrics().failure(session_.partner(), "rate-limited");
  }
  return verdict.pause;
}

}  // namespace edgekit::edgeproxy
