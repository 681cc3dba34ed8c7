#include "edgeproxy/server/edge.hpp"

#include <algorithm>
#include <utility>

#include "common/jid.hpp"
#include "common/log.hpp"
#include "common/store.hpp"
#include "edgeproxy/net/component_connection.hpp"
#include "edgeproxy/net/inbound_connection.hpp"
#include "edgeproxy/net/outbound_connection.hpp"
#include "edgeproxy/net/socket_transport.hpp"
#include "edgeproxy/server/metrics_endpoint.hpp"
#include "edgeproxy/server/subscription_store.hpp"
#include "edgeproxy/xmpp/bounce.hpp"
#include "edgeproxy/xmpp/stream_error.hpp"

namespace edgekit::edgeproxy {
namespace {
constexpr std::size_t kWriteQueueBytes = std::size_t{8} * 1024 * 1024;
}  // namespace

Edge::Edge(asio::io_context& io, std::shared_ptr<const Config> config, EdgeOptions options)
    : io_(io),
      config_(std::move(config)),
      options_(std::move(options)),
      router_(*this, metrics_),
      components_(io, metrics_,
                  [this](const std::string& domain) {
                    return std::make_shared<ComponentConnection>(
                        *this, *this, domain, component_secret_,
                        std::make_unique<SocketTransport>(tcp::socket(io_)));
                  }),
      outbound_([this](const std::string& local, const std::string& remote,
                       OutboundPurpose purpose) { return make_outbound(local, remote, purpose); }),
      listeners_(io, metrics_),
      resolver_(io),
      sweeper_(io) {
  router_.set_config(config_);
}

Edge::~Edge() {
  resolver_.stop();
}

std::string Edge::next_connection_id() {
  return "C" + std::to_string(next_id_++);
}

std::size_t Edge::max_write_queue_bytes() const noexcept {
  return std::max(kWriteQueueBytes, config_->federation.max_stanza_bytes * 4);
}

std::string Edge::store_root(const Config& config) const {
  std::optional<std::string> flag;
  if (!options_.store_override.empty()) {
    flag = options_.store_override;
  }
  return choose_store_path(flag, config.edge.store).string();
}

// Reads both secrets first and applies them only when both loaded: a reload that fails on the
// component secret must not have changed the dialback keys already.
Result<void> Edge::load_secrets(const Config& config) {
  std::shared_ptr<const DialbackKeys> keys = keys_;
  if (config.federation.dialback_secret_file.empty()) {
    if (!keys) {
      keys = std::make_shared<const DialbackKeys>(DialbackKeys::random());
    }
  } else {
    auto loaded =
        DialbackKeys::from_file(config.resolve_path(config.federation.dialback_secret_file));
    if (!loaded) {
      return loaded.error();
    }
    keys = std::make_shared<const DialbackKeys>(std::move(loaded).value());
  }
  auto secret = read_secret_file(config.resolve_path(config.internal.secret_file),
                                 "the component secret (internal.secret_file)");
  if (!secret) {
    return secret.error();
  }
  keys_ = std::move(keys);
  component_secret_ = std::move(secret).value();
  return ok();
}

Result<void> Edge::start() {
  auto secrets = load_secrets(*config_);
  if (!secrets) {
    return secrets.error();
  }
  auto contexts = load_tls_contexts(*config_, store_root(*config_));
  if (contexts) {
    tls_ = contexts.value();
    log_info("tls.loaded", {{"thumbprint", tls_->thumbprint}});
  } else {
    log_warn("tls.unavailable",
             {{"reason", "no-identity"}, {"detail", contexts.error().message()}});
  }
  struct Listen {
    const std::vector<Endpoint>& where;
    bool direct_tls;
    const char* event;
  };
  for (const Listen& kind : {Listen{config_->listen.s2s, false, "listen.s2s"},
                             Listen{config_->listen.direct_tls, true, "listen.direct_tls"}}) {
    for (const auto& where : kind.where) {
      auto opened = listeners_.open(where, [this, direct_tls = kind.direct_tls](tcp::socket s) {
        accept_partner_stream(std::move(s), direct_tls);
      });
      if (!opened) {
        return opened.error();
      }
      log_info(kind.event, {{"address", where.to_string()}});
    }
  }
  if (config_->listen.metrics) {
    auto opened = listeners_.open(*config_->listen.metrics, [this](tcp::socket socket) {
      serve_metrics_request(
          io_, std::move(socket), [this] { return metrics_.render(); },
          [this] { return stopping_; });
    });
    if (!opened) {
      return opened.error();
    }
    log_info("listen.metrics", {{"address", config_->listen.metrics->to_string()}});
  }
  load_subscriptions(store_root(*config_), router_.policy());
  sync_components();
  asio::co_spawn(io_, held_sweeper(), asio::detached);
  return ok();
}

void Edge::accept_partner_stream(tcp::socket socket, bool direct_tls) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) {
    socket.close(ec);  // the peer is already gone
    return;
  }
  const std::string address = source_address_key(remote);
  const AdmissionLimits limits{config_->federation.connection_limit,
                               config_->federation.connections_per_ip};
  const auto refuse = [&](StreamError condition, const char* reason, const char* text) {
    log_warn("stream.refused", {{"peer", address}, {"reason", reason}});
    metrics_.failure("", reason);
    refuser_.refuse(std::move(socket), refusal_stream_xml(condition, text), direct_tls);
  };
  switch (admission_.check(address, limits)) {
    case AdmissionVerdict::kRefusePerIp:
      refuse(StreamError::kPolicyViolation, "per-ip-limit",
             "too many streams still negotiating from your address");
      return;
    case AdmissionVerdict::kRefuseAtLimit:
      // resource-constraint, not policy-violation: the peer did nothing wrong, the edge is
      // full, and the peer's server should try again later.
      refuse(StreamError::kResourceConstraint, "connection-limit", "the edge is at its limit");
      return;
    case AdmissionVerdict::kAdmitAfterEviction: evict_oldest_unauthenticated(); break;
    case AdmissionVerdict::kAdmit: break;
  }
  auto connection = std::make_shared<InboundConnection>(
      *this, *this, std::make_unique<SocketTransport>(std::move(socket)), direct_tls);
  inbound_.insert(connection);
  admission_.opened(connection->id(), address);
  connection->start();
}

void Edge::evict_oldest_unauthenticated() {
  const auto oldest = admission_.oldest_unauthenticated();
  if (!oldest) {
    return;
  }
  admission_.closed(*oldest);  // its slot is free now; the close itself may take a flush
  const auto found = std::find_if(inbound_.begin(), inbound_.end(),
                                  [&](const auto& inbound) { return inbound->id() == *oldest; });
  if (found != inbound_.end()) {
    (*found)->evict();
  }
}

// Once a second: held stanzas whose link stayed down too long go back to their senders, and
// the subscription memory is saved if it changed.
awaitable<void> Edge::held_sweeper() {
  while (!stopping_) {
    sweeper_.expires_after(std::chrono::seconds(1));
    boost::system::error_code ec;
    co_await sweeper_.async_wait(asio::redirect_error(use_awaitable, ec));
    save_subscriptions(store_root(*config_), router_.policy());
    bounce_all(components_.take_expired(std::chrono::steady_clock::now()),
               StanzaError::kServiceUnavailable, "internal-link-down");
  }
}

void Edge::bounce_all(const std::vector<PendingStanza>& stanzas, StanzaError condition,
                      std::string_view reason) {
  for (const auto& stanza : stanzas) {
    router_.bounce(stanza.ticket, condition, reason);
  }
}

// ---- component links ----------------------------------------------------------------------

void Edge::sync_components() {
  std::set<std::string> wanted;
  for (const auto& partner : config_->partners) {
    for (const auto& domain : partner.all_domains()) {
      wanted.insert(domain);
    }
  }
  components_.sync(wanted);
}

void Edge::component_ready(const std::shared_ptr<ComponentConnection>& connection) {
  components_.ready(connection);
}

void Edge::component_closed(const std::shared_ptr<ComponentConnection>& connection,
                            const std::string& /*reason*/) {
  components_.closed(connection);
  wake_paused_readers();  // a backlogged link that closed no longer holds its partner back
}

// The link reset: what it had not written is held for its successor (XEP-0114 has no acks,
// so bytes already in the kernel are beyond recall), or bounced when there will be none.
void Edge::component_unsent(const std::shared_ptr<ComponentConnection>& connection,
                            std::vector<PendingStanza> unsent) {
  bounce_all(components_.hold_again(connection->domain(), std::move(unsent)),
             StanzaError::kServiceUnavailable, stopping_ ? "shutdown" : "internal-link-lost");
}

bool Edge::link_backlogged(Flow flow, const std::string& partner_domain) const {
  if (flow == Flow::kOutbound) {
    return outbound_.backlogged_toward(partner_domain);
  }
  const Partner* partner = config_->find_partner(partner_domain);
  return partner != nullptr && components_.backlogged(partner->all_domains());
}

void Edge::pause_until_eased(const std::shared_ptr<Connection>& reader) {
  paused_readers_.push_back(reader);
}

void Edge::link_eased() {
  components_.flush();
  wake_paused_readers();
}

// Each reader looks again for itself: one that still feeds a backlogged link pauses again.
void Edge::wake_paused_readers() {
  for (const auto& weak : std::exchange(paused_readers_, {})) {
    if (auto reader = weak.lock()) {
      reader->resume_reading();
    }
  }
}

bool Edge::has_component(const std::string& domain) const {
  return components_.has(domain);
}

Handoff Edge::to_internal(const std::string& component_domain, PendingStanza& stanza) {
  return components_.send(component_domain, stanza);
}

// ---- stanzas ------------------------------------------------------------------------------

void Edge::deliver_from_partner(const std::string& partner_domain, Element stanza) {
  router_.from_partner(partner_domain, std::move(stanza));
}

void Edge::deliver_from_internal(const std::string& component_domain, Element stanza) {
  router_.from_internal(component_domain, std::move(stanza));
}

Handoff Edge::to_partner(const std::string& local, const std::string& remote,
                         PendingStanza& stanza) {
  auto connection = outbound_.get(local, remote, OutboundPurpose::kStanzas);
  if (!connection) {
    return Handoff::kNoRoute;
  }
  return connection->enqueue(stanza) ? Handoff::kAccepted : Handoff::kQueueFull;
}

// ---- outbound streams ---------------------------------------------------------------------

std::shared_ptr<OutboundConnection> Edge::make_outbound(const std::string& local,
                                                        const std::string& remote,
                                                        OutboundPurpose purpose) {
  const Partner* partner = config_->find_partner(remote);
  // While draining, a stream may still be made to carry bounces and what is being flushed.
  if (partner == nullptr || closing_) {
    return nullptr;
  }
  auto connection = std::make_shared<OutboundConnection>(
      *this, *this,
      OutboundOptions{local, remote, *partner, purpose, tls_ != nullptr, false,
                      config_->federation.max_stanza_bytes, tls_ == nullptr || tls_->client_auth,
                      config_->federation.max_stanza_elements},
      std::make_unique<SocketTransport>(tcp::socket(io_)));
  connection->start(resolver_);
  return connection;
}

void Edge::outbound_ready(const std::shared_ptr<OutboundConnection>& /*connection*/) {}

void Edge::outbound_closed(const std::shared_ptr<OutboundConnection>& connection,
                           const std::string& reason) {
  const auto& options = connection->options();
  outbound_.closed(connection);
  const bool timeout = connection->timed_out() || reason.find("timeout") != std::string::npos;
  const StanzaError condition =
      timeout ? StanzaError::kRemoteServerTimeout : StanzaError::kRemoteServerNotFound;
  for (auto& queued : connection->take_queue()) {
    router_.bounce(queued.ticket, condition, reason);
  }
  wake_paused_readers();  // its component link may be waiting for it
  if (options.purpose == OutboundPurpose::kVerify) {
    for (const auto& pending : outbound_.take_for_stream(options.remote, options.local)) {
      if (auto inbound = pending.inbound.lock()) {
        inbound->verify_result(
            pending.originating, pending.receiving,
            timeout ? VerifyOutcome::kRemoteServerTimeout : VerifyOutcome::kRemoteServerNotFound);
      }
    }
  }
}

// The stream was ready and failed with stanzas still queued or cut off mid-write.
// NOLINTNEXTLINE(performance-unnecessary-value-param): the interface hands ownership over
void Edge::outbound_unsent(const std::shared_ptr<OutboundConnection>& connection,
                           std::vector<PendingStanza> unsent) {
  const StanzaError condition = connection->timed_out() ? StanzaError::kRemoteServerTimeout
                                                        : StanzaError::kRemoteServerNotFound;
  bounce_all(unsent, condition, stopping_ ? "shutdown" : "partner-stream-lost");
}

void Edge::request_verify(const std::shared_ptr<InboundConnection>& inbound,
                          const action::RequestVerify& request) {
  outbound_.add_pending({inbound, request.domain, request.local, request.stream_id});
  auto connection = outbound_.get(request.local, request.domain, OutboundPurpose::kVerify);
  if (!connection) {
    outbound_.drop_last_pending();
    inbound->verify_result(request.domain, request.local, VerifyOutcome::kRemoteServerNotFound);
    return;
  }
  connection->request_verify(
      VerifyRequest{request.domain, request.local, request.stream_id, request.key});
}

void Edge::verified(const std::shared_ptr<OutboundConnection>& verifier,
                    const action::Verified& answer) {
  // Defence in depth: only the verify stream this edge opened to the originating domain's
  // authoritative server may answer for that domain.
  if (!outbound_.is_verifier_for(answer.local, answer.domain, verifier)) {
    metrics_.failure(answer.domain, "dialback-answer-unbound");
    log_warn("dialback.answer_refused", {{"conn", verifier->id()},
                                         {"partner", answer.domain},
                                         {"reason", "dialback-answer-unbound"}});
    return;
  }
  for (const auto& pending :
       outbound_.take_answered(answer.domain, answer.local, answer.stream_id)) {
    log_info("dialback.verified", {{"partner", pending.originating},
                                   {"local", pending.receiving},
                                   {"result", answer.valid ? "valid" : "invalid"}});
    if (auto inbound = pending.inbound.lock()) {
      inbound->verify_result(pending.originating, pending.receiving,
                             answer.valid ? VerifyOutcome::kValid : VerifyOutcome::kInvalid);
    }
  }
}

bool Edge::admit_partner_stream(const InboundConnection& connection, const Partner& partner) {
  admission_.authenticated(connection.id());
  const auto streams = std::count_if(inbound_.begin(), inbound_.end(), [&](const auto& inbound) {
    return !inbound->closing() && iequals_ascii(inbound->partner(), partner.domain);
  });
  return static_cast<std::uint64_t>(streams) <= partner.connection_limit;
}

void Edge::inbound_closed(const InboundConnection* connection) {
  admission_.closed(connection->id());
  std::erase_if(inbound_, [connection](const auto& held) { return held.get() == connection; });
}

// ---- lifecycle ----------------------------------------------------------------------------

void Edge::reload() {
  auto loaded = load_config(options_.config_path);
  if (!loaded) {
    log_error("config.reload_failed",
              {{"reason", "config-invalid"}, {"detail", loaded.error().message()}});
    return;
  }
  auto config = std::make_shared<const Config>(std::move(loaded).value());
  auto secrets = load_secrets(*config);
  if (!secrets) {
    log_error("config.reload_failed",
              {{"reason", "secret-unreadable"}, {"detail", secrets.error().message()}});
    return;
  }
  config_ = config;
  auto contexts = load_tls_contexts(*config_, store_root(*config_));
  if (contexts) {
    tls_ = contexts.value();
    log_info("tls.loaded", {{"thumbprint", tls_->thumbprint}});
  } else {
    log_warn("tls.reload_failed",
             {{"reason", "no-identity"}, {"detail", contexts.error().message()}});
  }
  for (const auto& inbound : inbound_) {
    inbound->update_config(config_);
  }
  close_removed_partners();
  resolver_.clear_cache();
  router_.set_config(config_);
  sync_components();
  log_info("config.reloaded", {{"partners", std::to_string(config_->partners.size())}});
}

void Edge::close_removed_partners() {
  for (const auto& inbound : std::set(inbound_)) {
    if (!inbound->partner().empty() && !inbound->closing() &&
        config_->find_partner(inbound->partner()) == nullptr) {
      inbound->refuse(StreamError::kPolicyViolation, "partner-removed");
    }
  }
}

void Edge::shutdown() {
  if (stopping_) {
    return;
  }
  stopping_ = true;
  log_info("edge.stopping",
           {{"reason", "shutdown"},
            {"in_flight", std::to_string(metrics_.ledger().in_flight())},
            {"drain_timeout_ms", std::to_string(config_->federation.drain_timeout.count())}});
  listeners_.close_all();
  sweeper_.cancel();
  save_subscriptions(store_root(*config_), router_.policy());
  components_.stop_reconnecting();
  // Partners stop sending (system-shutdown); what they sent is routed on.
  for (const auto& inbound : std::set(inbound_)) {
    inbound->shutdown();
  }
  wake_paused_readers();  // paused readers must see the stop
  // No use waiting for a link that is down: those stanzas go back now, while there is time.
  bounce_all(components_.take_held_while_down(), StanzaError::kServiceUnavailable, "shutdown");
  asio::co_spawn(io_, drain_and_stop(), asio::detached);
}

awaitable<void> Edge::drain_and_stop() {
  asio::steady_timer timer(io_);
  const auto until = std::chrono::steady_clock::now() + config_->federation.drain_timeout;
  while (metrics_.ledger().in_flight() > 0 && std::chrono::steady_clock::now() < until) {
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(use_awaitable);
  }
  closing_ = true;
  const auto left = metrics_.ledger().in_flight();
  log_info("edge.drained", {{"in_flight", std::to_string(left)}});
  // What is left goes back to its senders while the ways back are open: partner stanzas over
  // the outbound streams, internal stanzas over the component links. Both are taken before
  // either is bounced, so that no reply is taken back with them.
  auto toward_internal = components_.take_all();
  std::vector<PendingStanza> toward_partners;
  for (const auto& connection : outbound_.all()) {
    for (auto& queued : connection->take_queue()) {
      toward_partners.push_back(std::move(queued));
    }
    for (auto& queued : connection->take_unsent()) {
      toward_partners.push_back(std::move(queued));
    }
  }
  bounce_all(toward_internal, StanzaError::kServiceUnavailable, "shutdown");
  bounce_all(toward_partners, StanzaError::kRemoteServerTimeout, "shutdown");
  // The bounces get a moment to leave, then every stream closes. A stream that cannot write
  // (its peer stopped reading) gives back what it held only at its close flush limit (2 s):
  // the loop waits for that, so that each of those stanzas ends too, bounced while the other
  // side is still open, or dropped (and logged) when it is not.
  timer.expires_after(std::chrono::milliseconds(500));
  co_await timer.async_wait(use_awaitable);
  for (const auto& connection : outbound_.all()) {
    connection->shutdown();
  }
  components_.shutdown();
  const auto last = std::chrono::steady_clock::now() + std::chrono::milliseconds(3000);
  do {
    timer.expires_after(std::chrono::milliseconds(100));
    co_await timer.async_wait(use_awaitable);
  } while (metrics_.ledger().in_flight() > 0 && std::chrono::steady_clock::now() < last);
  timer.expires_after(std::chrono::milliseconds(200));  // the last writes of the closes
  co_await timer.async_wait(use_awaitable);
  io_.stop();
}

}  // namespace edgekit::edgeproxy
