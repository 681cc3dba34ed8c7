#include "edgeproxy/net/outbound_connection.hpp"

#include <utility>

#include "common/log.hpp"

namespace edgekit::edgeproxy {
namespace {
constexpr std::size_t kMaxQueuedStanzas = 10'000;
constexpr std::size_t kMaxQueuedBytes = std::size_t{16} * 1024 * 1024;
constexpr std::chrono::seconds kConnectAttemptTimeout{10};
// A verify stream with nothing outstanding stays open this long for the next request (a
// partner often opens several streams at once), then closes cleanly.
constexpr std::chrono::seconds kVerifyIdleGrace{5};
constexpr std::string_view kVerifyIdleReason = "verify-idle";
}  // namespace

OutboundConnection::OutboundConnection(StreamHost& host, OutboundEvents& events,
                                       OutboundOptions options,
                                       std::unique_ptr<Transport> transport)
    : Connection(host, std::move(transport), "out"),
      events_(events),
      session_(std::move(options), host.keys()) {}

std::shared_ptr<OutboundConnection> OutboundConnection::self() {
  return std::static_pointer_cast<OutboundConnection>(shared_from_this());
}

void OutboundConnection::arm_establishment() {
  set_deadline(host_.config()->federation.stream_establishment_timeout, "establishment-timeout");
  start_watchdog();
}

void OutboundConnection::start(XmppResolver& resolver) {
  arm_establishment();
  const auto config = host_.config();
  resolver.resolve(config->dns.nameservers, session_.options().remote,
                   session_.options().policy.proxy_fqdn,
                   [me = self()](Result<ResolvedEndpoints> resolved) mutable {
                     me->spawn_connect(std::move(resolved));
                   });
}

void OutboundConnection::start(Result<ResolvedEndpoints> resolved) {
  arm_establishment();
  spawn_connect(std::move(resolved));
}

void OutboundConnection::spawn_connect(Result<ResolvedEndpoints> resolved) {
  spawn_session([me = self(), resolved = std::move(resolved)]() mutable {
    return me->connect_and_run(std::move(resolved));
  });
}

awaitable<void> OutboundConnection::connect_and_run(Result<ResolvedEndpoints> resolved) {
  auto me = self();
  if (!resolved) {
    log_warn("stream.failed", {{"conn", id_},
                               {"direction", "out"},
                               {"partner", session_.options().remote},
                               {"reason", "dns-failed"},
                               {"detail", resolved.error().why}});
    finish();
    on_closed("dns-failed");
    co_return;
  }
  boost::system::error_code ec = asio::error::host_not_found;
  for (const auto& endpoint : resolved.value().endpoints) {
    if (closing()) {
      break;
    }
    asio::steady_timer guard(host_.io());
    guard.expires_after(kConnectAttemptTimeout);
    guard.async_wait([&transport = *transport_](const boost::system::error_code& wait_ec) {
      if (!wait_ec) {
        transport.close();
      }
    });
    co_await transport_->connect(endpoint, ec);
    guard.cancel();
    if (!ec) {
      peer_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
      break;
    }
  }
  if (ec || closing()) {
    log_warn("stream.failed", {{"conn", id_},
                               {"direction", "out"},
                               {"partner", session_.options().remote},
                               {"reason", "connect-failed"},
                               {"detail", ec.message()}});
    finish();
    on_closed(timed_out_ ? "establishment-timeout" : "connect-failed");
    co_return;
  }
  log_info(
      "stream.opened",
      {{"conn", id_},
       {"direction", "out"},
       {"peer", peer_},
       {"partner", session_.options().remote},
       {"local", session_.options().local},
       {"purpose", session_.options().purpose == OutboundPurpose::kVerify ? "verify" : "stanzas"}});
  Actions out;
  session_.on_connected(out);
  perform(out);
  co_await run_stream();
}

bool OutboundConnection::enqueue(PendingStanza& stanza) {
  if (closing()) {
    return false;
  }
  // Straight to the stream once it is ready and the waiting stanzas have gone ahead (order).
  if (session_.ready() && queue_.empty()) {
    if (!send_stanza(stanza.raw, stanza.ticket)) {
      return false;
    }
    host_.metrics().partner(session_.options().policy.domain).bytes_out += stanza.raw.size();
    return true;
  }
  if (queue_.size() >= kMaxQueuedStanzas || queue_bytes_ + stanza.raw.size() > kMaxQueuedBytes) {
    return false;
  }
  queue_bytes_ += stanza.raw.size();
  queue_.push_back(std::move(stanza));
  host_.metrics().partner(session_.options().policy.domain).queue_depth = queue_.size();
  return true;
}

// Moves waiting stanzas to the stream while it keeps up: a queue of many megabytes goes out
// as the partner reads it (on_backlog resumes it), instead of in one write that would pass
// the write queue's hard limit and close the stream with the stanzas on it.
void OutboundConnection::flush_queue() {
  const std::string& partner = session_.options().policy.domain;
  while (!queue_.empty() && session_.ready() && !closing() && !backlogged()) {
    auto& next = queue_.front();
    if (!send_stanza(next.raw, next.ticket)) {
      break;
    }
    host_.metrics().partner(partner).bytes_out += next.raw.size();
    queue_bytes_ -= next.raw.size();
    queue_.pop_front();
  }
  host_.metrics().partner(partner).queue_depth = queue_.size();
}

void OutboundConnection::on_backlog(bool backlogged) {
  if (!backlogged) {
    flush_queue();
  }
}

std::deque<PendingStanza> OutboundConnection::take_queue() {
  // A stream that closes before it is ready used to leave its depth on the gauge for good.
  host_.metrics().partner(session_.options().policy.domain).queue_depth = 0;
  queue_bytes_ = 0;
  return std::exchange(queue_, {});
}

void OutboundConnection::on_unsent(std::vector<PendingStanza> unsent) {
  events_.outbound_unsent(self(), std::move(unsent));
}

void OutboundConnection::request_verify(VerifyRequest request) {
  Actions out;
  session_.request_verify(std::move(request), out);
  perform(out);
  if (session_.ready() && !closing()) {
    // The authoritative server must answer within the establishment timeout, as a new stream
    // would have to.
    set_deadline(host_.config()->federation.stream_establishment_timeout, "verify-timeout");
  }
}

void OutboundConnection::shutdown() {
  Actions out;
  session_.on_shutdown(out);
  perform(out);
  request_close("shutdown");
}

void OutboundConnection::on_bytes(std::string_view bytes, Actions& out) {
  if (session_.ready()) {
    set_deadline(host_.config()->federation.stream_inactivity_timeout, "inactivity-timeout");
  }
  session_.on_bytes(bytes, out);
}

void OutboundConnection::on_tls(CertificateCheck check, Actions& out) {
  session_.on_tls_established(check, out);
}

void OutboundConnection::on_timeout(std::string_view reason, Actions& out) {
  if (reason == kVerifyIdleReason) {
    session_.on_idle(out);
    return;
  }
  timed_out_ = !session_.ready();
  session_.on_timeout(reason, out);
}

void OutboundConnection::on_ready(action::Ready& ready) {
  if (session_.options().purpose == OutboundPurpose::kVerify) {
    log_debug("stream.verify_ready", {{"conn", id_},
                                      {"partner", ready.domain},
                                      {"local", ready.local},
                                      {"cert", ready.certificate}});
    // Usable: the requests it carries are now timed by request_verify().
    set_deadline(host_.config()->federation.stream_establishment_timeout, "verify-timeout");
    return;
  }
  on_stanza_stream_ready(ready);
}

void OutboundConnection::on_verified(action::Verified& verified) {
  events_.verified(self(), verified);
}

void OutboundConnection::on_idle(action::Idle& /*idle*/) {
  set_deadline(kVerifyIdleGrace, std::string(kVerifyIdleReason));
}

void OutboundConnection::on_warning(action::Warning& warning) {
  log_warn("sasl.refused", {{"conn", id_},
                            {"direction", "out"},
                            {"peer", peer_},
                            {"partner", session_.options().remote},
                            {"reason", warning.reason},
                            {"hint", warning.hint}});
  host_.metrics().failure(session_.options().policy.domain, warning.reason);
}

void OutboundConnection::on_stanza_stream_ready(const action::Ready& action) {
  const std::string& partner = session_.options().policy.domain;
  report_authenticated(action, partner);
  set_deadline(host_.config()->federation.stream_inactivity_timeout, "inactivity-timeout");
  if (session_.options().policy.keepalive) {
    set_keepalive(host_.config()->federation.keepalive_interval);
  }
  flush_queue();
  events_.outbound_ready(self());
}

void OutboundConnection::on_closed(const std::string& reason) {
  if (closed_reported_) {
    return;
  }
  closed_reported_ = true;
  if (reason == "peer-closed" || reason == "shutdown" || reason == "inactivity-timeout" ||
      reason == kVerifyIdleReason) {
    log_info("stream.closed", {{"conn", id_},
                               {"direction", "out"},
                               {"peer", peer_},
                               {"partner", session_.options().remote},
                               {"reason", reason}});
  } else {
    host_.metrics().failure(session_.options().policy.domain, reason);
    log_warn("stream.closed", {{"conn", id_},
                               {"direction", "out"},
                               {"peer", peer_},
                               {"partner", session_.options().remote},
                               {"reason", reason}});
  }
  events_.outbound_closed(self(), reason);
}

}  // namespace edgekit::edgeproxy
