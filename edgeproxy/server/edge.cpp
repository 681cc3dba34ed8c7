#include "edgeproxy/server/edge.hpp"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>
#include "common/jid.hpp"
#include "common/log.hpp"
#include "common/store.hpp"
#include "edgeproxy/net/component_connection.hpp"
#include "edgeproxy/net/inbound_connection.hpp"
#include "edgeproxy/net/outbound_connection.hpp"
#include "edgeproxy/net/socket_transport.hpp"
#include "edgeproxy/xmpp/bounce.hpp"
#include "edgeproxy/xmpp/relay.hpp"
#include "edgeproxy/xmpp/xml_util.hpp"

namespace edgekit::edgeproxy {
namespace {

constexpr std::size_t kMaxHeldPerDomain = 1000;
constexpr std::chrono::seconds kHoldTimeout{30};
constexpr std::chrono::milliseconds kMaxBackoff{30'000};
constexpr std::size_t kWriteQueueBytes = std::size_t{8} * 1024 * 1024;

// What a queued stanza keeps of its routing, for the bounce if it cannot be delivered: the
// name, the addresses, type and id, without the raw bytes.
Element routing_header(const Element& stanza) {
  Element routing;
  routing.is_stanza = true;
  routing.name = stanza.name;
  routing.from = stanza.from;
  routing.to = stanza.to;
  routing.type = stanza.type;
  routing.id = stanza.id;
  return routing;
}

Result<std::shared_ptr<tcp::acceptor>> listen_on(asio::io_context& io, const Endpoint& where) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(where.host, ec);
  if (ec) {
    return make_error(GeneralErrc::kUsage, where.to_string(), "not an IP address to listen on");
  }
  const tcp::endpoint endpoint(address, where.port);
  auto acceptor = std::make_shared<tcp::acceptor>(io);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (address.is_v6()) {
      acceptor->set_option(asio::ip::v6_only(false), ec);
    }
    acceptor->bind(endpoint, ec);
  }
  if (!ec) {
    acceptor->listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return make_error(GeneralErrc::kIo, where.to_string(), "cannot listen: " + ec.message());
  }
  return acceptor;
}

}  // namespace

Edge::Edge(asio::io_context& io, std::shared_ptr<const Config> config, EdgeOptions options)
    : io_(io),
      config_(std::move(config)),
      options_(std::move(options)),
      resolver_(io),
      sweeper_(io) {}

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
  for (const auto& where : config_->listen.s2s) {
    auto acceptor = listen_on(io_, where);
    if (!acceptor) {
      return acceptor.error();
    }
    acceptors_.push_back(acceptor.value());
    asio::co_spawn(io_, accept_loop(acceptor.value(), false), asio::detached);
    log_info("listen.s2s", {{"address", where.to_string()}});
  }
  for (const auto& where : config_->listen.direct_tls) {
    auto acceptor = listen_on(io_, where);
    if (!acceptor) {
      return acceptor.error();
    }
    acceptors_.push_back(acceptor.value());
    asio::co_spawn(io_, accept_loop(acceptor.value(), true), asio::detached);
    log_info("listen.direct_tls", {{"address", where.to_string()}});
  }
  if (config_->listen.metrics) {
    auto acceptor = listen_on(io_, *config_->listen.metrics);
    if (!acceptor) {
      return acceptor.error();
    }
    acceptors_.push_back(acceptor.value());
    asio::co_spawn(io_, metrics_loop(acceptor.value()), asio::detached);
    log_info("listen.metrics", {{"address", config_->listen.metrics->to_string()}});
  }
  load_subscriptions();
  sync_components();
  asio::co_spawn(io_, held_sweeper(), asio::detached);
  return ok();
}

awaitable<void> Edge::accept_loop(std::shared_ptr<tcp::acceptor> acceptor, bool direct_tls) {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) {
        break;
      }
      continue;
    }
    if (inbound_.size() >= config_->federation.connection_limit) {
      log_warn("stream.refused", {{"reason", "connection-limit"}});
      metrics_.failure("", "connection-limit");
      socket.close(ec);
      continue;
    }
    auto connection = std::make_shared<InboundConnection>(
        *this, *this, std::make_unique<SocketTransport>(std::move(socket)), direct_tls);
    inbound_.insert(connection);
    connection->start();
  }
}

awaitable<void> Edge::metrics_loop(std::shared_ptr<tcp::acceptor> acceptor) {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) {
        break;
      }
      continue;
    }
    asio::co_spawn(
        io_,
        [this, socket = std::move(socket)]() mutable -> awaitable<void> {
          std::array<char, 2048> request{};
          boost::system::error_code read_ec;
          asio::steady_timer guard(io_);
          guard.expires_after(std::chrono::seconds(5));
          guard.async_wait([&socket](const boost::system::error_code& wait_ec) {
            if (!wait_ec) {
              boost::system::error_code ignored;
              socket.close(ignored);
            }
          });
          const std::size_t n = co_await socket.async_read_some(
              asio::buffer(request), asio::redirect_error(use_awaitable, read_ec));
          guard.cancel();
          if (read_ec) {
            co_return;
          }
          const std::string_view line(request.data(), n);
          std::string status = "200 OK";
          std::string body;
          if (line.rfind("GET /metrics", 0) == 0) {
            body = metrics_.render();
          } else if (line.rfind("GET /healthz", 0) == 0) {
            body = stopping_ ? "stopping\n" : "ok\n";
            if (stopping_) {
              status = "503 Service Unavailable";
            }
          } else {
            status = "404 Not Found";
            body = "not found\n";
          }
          std::string response = "HTTP/1.1 ";
          response += status;
          response += "\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: ";
          response += std::to_string(body.size());
          response += "\r\nConnection: close\r\n\r\n";
          response += body;
          co_await asio::async_write(socket, asio::buffer(response),
                                     asio::redirect_error(use_awaitable, read_ec));
          socket.close(read_ec);
        },
        asio::detached);
  }
}

awaitable<void> Edge::held_sweeper() {
  while (!stopping_) {
    sweeper_.expires_after(std::chrono::seconds(1));
    boost::system::error_code ec;
    co_await sweeper_.async_wait(asio::redirect_error(use_awaitable, ec));
    save_subscriptions();
    const auto now = std::chrono::steady_clock::now();
    for (auto& [domain, slot] : components_) {
      while (!slot.held.empty() && slot.held.front().expires <= now) {
        HeldStanza held = std::move(slot.held.front());
        slot.held.pop_front();
        bounce_to_partner(held.element, StanzaError::kServiceUnavailable, "internal-link-down");
      }
      metrics_.partner(domain).queue_depth = slot.held.size();
    }
  }
}

// ---- subscription memory ----------------------------------------------------------------

namespace {
std::filesystem::path subscriptions_file() {
  return std::filesystem::path(std::string(store_layout::kEdgeproxyDir)) / "subscriptions.json";
}
}  // namespace

void Edge::load_subscriptions() {
  auto store = Store::open(store_root(*config_), false);
  if (!store || !store.value().exists(subscriptions_file())) {
    return;
  }
  auto text = store.value().read(subscriptions_file());
  if (!text) {
    return;
  }
  const auto json = nlohmann::json::parse(text.value(), nullptr, false);
  if (!json.is_array()) {
    log_warn("subscriptions.unreadable", {{"reason", "store-corrupt"}});
    return;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& entry : json) {
    if (entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_string()) {
      pairs.emplace_back(entry[0].get<std::string>(), entry[1].get<std::string>());
    }
  }
  policy_.restore(pairs);
  policy_.mark_saved();
}

void Edge::save_subscriptions() {
  if (!policy_.changed_since_save()) {
    return;
  }
  auto store = Store::open(store_root(*config_), false);
  if (!store) {
    return;
  }
  auto json = nlohmann::json::array();
  for (const auto& [internal, remote] : policy_.remembered()) {
    json.push_back({internal, remote});
  }
  if (store.value().write(subscriptions_file(), json.dump())) {
    policy_.mark_saved();
  } else {
    log_warn("subscriptions.unsaved", {{"reason", "store-write-failed"}});
  }
}

// ---- components ---------------------------------------------------------------------------

void Edge::sync_components() {
  std::set<std::string> wanted;
  for (const auto& partner : config_->partners) {
    for (const auto& domain : partner.all_domains()) {
      wanted.insert(domain);
    }
  }
  for (auto& [domain, slot] : components_) {
    if (wanted.count(domain) == 0 && slot.wanted) {
      slot.wanted = false;
      if (slot.connection) {
        slot.connection->shutdown();
      }
    }
  }
  for (const auto& domain : wanted) {
    auto& slot = components_[domain];
    slot.wanted = true;
    if (!slot.connection && !slot.retry) {
      connect_component(domain);
    }
  }
}

void Edge::connect_component(const std::string& domain) {
  auto& slot = components_[domain];
  slot.retry.reset();
  if (stopping_ || !slot.wanted) {
    return;
  }
  slot.connection = std::make_shared<ComponentConnection>(
      *this, *this, domain, component_secret_, std::make_unique<SocketTransport>(tcp::socket(io_)));
  slot.connection->start();
}

void Edge::schedule_component_retry(const std::string& domain) {
  auto& slot = components_[domain];
  if (stopping_ || !slot.wanted) {
    return;
  }
  slot.retry = std::make_unique<asio::steady_timer>(io_);
  slot.retry->expires_after(slot.backoff);
  slot.retry->async_wait([this, domain](const boost::system::error_code& ec) {
    if (!ec) {
      connect_component(domain);
    }
  });
  slot.backoff = std::min(slot.backoff * 2, kMaxBackoff);
}

void Edge::component_ready(const std::shared_ptr<ComponentConnection>& connection) {
  auto& slot = components_[connection->domain()];
  slot.backoff = std::chrono::milliseconds(1000);
  while (!slot.held.empty()) {
    connection->send(std::move(slot.held.front().raw));
    slot.held.pop_front();
  }
  metrics_.partner(connection->domain()).queue_depth = 0;
}

void Edge::component_closed(const std::shared_ptr<ComponentConnection>& connection,
                            const std::string& /*reason*/) {
  auto it = components_.find(connection->domain());
  if (it == components_.end() || it->second.connection != connection) {
    return;
  }
  it->second.connection.reset();
  schedule_component_retry(connection->domain());
  internal_eased();  // a backlogged link that closed no longer holds partner streams back
}

bool Edge::internal_backlogged() const noexcept {
  return std::any_of(components_.begin(), components_.end(), [](const auto& entry) {
    return entry.second.connection && entry.second.connection->backlogged();
  });
}

void Edge::pause_until_internal_eased(const std::shared_ptr<Connection>& reader) {
  paused_readers_.push_back(reader);
}

void Edge::internal_eased() {
  if (internal_backlogged()) {
    return;
  }
  auto readers = std::move(paused_readers_);
  paused_readers_.clear();
  for (const auto& weak : readers) {
    if (auto reader = weak.lock()) {
      reader->resume_reading();
    }
  }
}

void Edge::send_to_internal(const std::string& component_domain, std::string raw,
                            const Element& routing) {
  auto it = components_.find(component_domain);
  if (it == components_.end()) {
    bounce_to_partner(routing, StanzaError::kServiceUnavailable, "no-component");
    return;
  }
  auto& slot = it->second;
  if (slot.connection && slot.connection->ready()) {
    slot.connection->send(std::move(raw));
    return;
  }
  if (slot.held.size() >= kMaxHeldPerDomain) {
    bounce_to_partner(routing, StanzaError::kServiceUnavailable, "internal-queue-full");
    return;
  }
  slot.held.push_back(HeldStanza{std::move(raw), routing_header(routing),
                                 std::chrono::steady_clock::now() + kHoldTimeout});
  metrics_.partner(component_domain).queue_depth = slot.held.size();
}

// ---- stanzas ------------------------------------------------------------------------------

void Edge::deliver_from_partner(const std::string& partner_domain, Element stanza) {
  const Partner* partner = config_->find_partner(partner_domain);
  if (partner == nullptr) {
    return;  // the stream is closed by its core on the next stanza
  }
  if (auto refusal = policy_.check(*config_, *partner, stanza, StanzaPolicy::Direction::kInbound)) {
    log_info("stanza.refused",
             {{"partner", partner_domain}, {"direction", "in"}, {"reason", refusal->reason}});
    metrics_.failure(partner_domain, refusal->reason);
    bounce_to_partner(stanza, refusal->condition, refusal->reason);
    return;
  }
  const std::string component = jid_domain_lower(stanza.from);
  std::string raw = relay_bytes(stanza, kNsServer, kNsComponent);
  send_to_internal(components_.count(component) != 0 ? component : partner->domain, std::move(raw),
                   stanza);
}

void Edge::deliver_from_internal(const std::string& component_domain, Element stanza) {
  const std::string to_domain = jid_domain_lower(stanza.to);
  const std::string from_domain = jid_domain_lower(stanza.from);
  const Partner* partner = config_->find_partner(to_domain);
  // A refusal goes back over the component link the stanza came on: for an unknown partner
  // no link of the `to` domain exists.
  if (partner == nullptr) {
    log_info("stanza.refused",
             {{"partner", component_domain}, {"direction", "out"}, {"reason", "unknown-partner"}});
    bounce_to_internal(stanza, StanzaError::kPolicyViolation, "unknown-partner", component_domain);
    return;
  }
  if (!config_->is_local_domain(from_domain)) {
    log_info("stanza.refused",
             {{"partner", partner->domain}, {"direction", "out"}, {"reason", "from-not-local"}});
    bounce_to_internal(stanza, StanzaError::kNotAllowed, "from-not-local", component_domain);
    return;
  }
  if (auto refusal =
          policy_.check(*config_, *partner, stanza, StanzaPolicy::Direction::kOutbound)) {
    log_info("stanza.refused",
             {{"partner", partner->domain}, {"direction", "out"}, {"reason", refusal->reason}});
    metrics_.failure(partner->domain, refusal->reason);
    bounce_to_internal(stanza, refusal->condition, refusal->reason, component_domain);
    return;
  }
  ++metrics_.partner(partner->domain).stanzas_out;
  std::string raw = relay_bytes(stanza, kNsComponent, kNsServer);
  send_to_partner(from_domain, to_domain, std::move(raw), stanza);
}

void Edge::send_to_partner(const std::string& local, const std::string& remote, std::string raw,
                           const Element& routing) {
  auto connection = outbound_for(local, remote, false);
  if (!connection) {
    bounce_to_internal(routing, StanzaError::kRemoteServerNotFound, "no-route");
    return;
  }
  if (!connection->enqueue(std::move(raw), routing_header(routing))) {
    bounce_to_internal(routing, StanzaError::kRemoteServerTimeout, "outbound-queue-full");
  }
}

namespace {

// The routing header of the error stanza that answers `stanza`: same name and id, the
// addresses swapped, type "error" (RFC 6120 §8.3).
Element bounce_routing(const Element& stanza) {
  Element routing = routing_header(stanza);
  std::swap(routing.from, routing.to);
  routing.type = "error";
  return routing;
}

}  // namespace

// Both bounce directions count the bounce against the partner and log it the same way.
void Edge::record_bounce(const std::string& partner_domain, std::string_view direction,
                         StanzaError condition, std::string_view reason) {
  ++metrics_.partner(partner_domain).bounces;
  log_info("stanza.bounced", {{"partner", partner_domain},
                              {"direction", std::string(direction)},
                              {"reason", std::string(reason)},
                              {"condition", std::string(to_string(condition))}});
}

void Edge::bounce_to_internal(const Element& stanza, StanzaError condition, std::string_view reason,
                              const std::string& via_component) {
  auto bounce = make_bounce(stanza, condition);
  if (!bounce) {
    return;
  }
  const std::string partner_domain = jid_domain_lower(stanza.to);
  record_bounce(partner_domain, "out", condition, reason);
  send_to_internal(via_component.empty() ? partner_domain : via_component, std::move(*bounce),
                   bounce_routing(stanza));
}

void Edge::bounce_to_partner(const Element& stanza, StanzaError condition,
                             std::string_view reason) {
  auto bounce = make_bounce(stanza, condition);
  if (!bounce) {
    return;
  }
  const std::string partner_domain = jid_domain_lower(stanza.from);
  const std::string local_domain = jid_domain_lower(stanza.to);
  record_bounce(partner_domain, "in", condition, reason);
  if (!config_->is_local_domain(local_domain) || stopping_) {
    return;
  }
  auto connection = outbound_for(local_domain, partner_domain, false);
  if (connection) {
    connection->enqueue(std::move(*bounce), bounce_routing(stanza));
  }
}

std::shared_ptr<OutboundConnection> Edge::outbound_for(const std::string& local,
                                                       const std::string& remote, bool verify) {
  auto& table = verify ? verifiers_ : outbound_;
  const auto key = std::make_pair(local, remote);
  if (const auto it = table.find(key); it != table.end() && !it->second->closing()) {
    return it->second;
  }
  const Partner* partner = config_->find_partner(remote);
  if (partner == nullptr || stopping_) {
    return nullptr;
  }
  auto connection = std::make_shared<OutboundConnection>(
      *this, *this,
      OutboundOptions{local, remote, *partner,
                      verify ? OutboundPurpose::kVerify : OutboundPurpose::kStanzas,
                      tls_ != nullptr, false, config_->federation.max_stanza_bytes,
                      tls_ == nullptr || tls_->client_auth},
      std::make_unique<SocketTransport>(tcp::socket(io_)));
  table[key] = connection;
  connection->start(resolver_);
  return connection;
}

void Edge::outbound_ready(const std::shared_ptr<OutboundConnection>& /*connection*/) {}

void Edge::outbound_closed(const std::shared_ptr<OutboundConnection>& connection,
                           const std::string& reason) {
  const auto& options = connection->options();
  auto& table = options.purpose == OutboundPurpose::kVerify ? verifiers_ : outbound_;
  const auto key = std::make_pair(options.local, options.remote);
  if (const auto it = table.find(key); it != table.end() && it->second == connection) {
    table.erase(it);
  }
  const bool timeout = connection->timed_out() || reason.find("timeout") != std::string::npos;
  const StanzaError condition =
      timeout ? StanzaError::kRemoteServerTimeout : StanzaError::kRemoteServerNotFound;
  for (auto& queued : connection->take_queue()) {
    bounce_to_internal(queued.routing, condition, reason);
  }
  if (options.purpose == OutboundPurpose::kVerify) {
    std::vector<PendingVerify> failed;
    std::erase_if(pending_verifies_, [&](const PendingVerify& pending) {
      if (pending.originating == options.remote && pending.receiving == options.local) {
        failed.push_back(pending);
        return true;
      }
      return false;
    });
    for (const auto& pending : failed) {
      if (auto inbound = pending.inbound.lock()) {
        inbound->verify_result(
            pending.originating, pending.receiving,
            timeout ? VerifyOutcome::kRemoteServerTimeout : VerifyOutcome::kRemoteServerNotFound);
      }
    }
  }
}

void Edge::request_verify(const std::shared_ptr<InboundConnection>& inbound,
                          const Action& request) {
  pending_verifies_.push_back(
      PendingVerify{inbound, request.domain, request.local, request.stream_id});
  auto connection = outbound_for(request.local, request.domain, true);
  if (!connection) {
    pending_verifies_.pop_back();
    inbound->verify_result(request.domain, request.local, VerifyOutcome::kRemoteServerNotFound);
    return;
  }
  connection->request_verify(
      VerifyRequest{request.domain, request.local, request.stream_id, request.key});
}

void Edge::verified(const std::shared_ptr<OutboundConnection>& verifier, const Action& answer) {
  // Defence in depth: only the verify stream this edge opened to the originating domain's
  // authoritative server may answer for that domain.
  const auto it = verifiers_.find(std::make_pair(answer.local, answer.domain));
  if (it == verifiers_.end() || it->second != verifier) {
    metrics_.failure(answer.domain, "dialback-answer-unbound");
    log_warn("dialback.answer_refused", {{"conn", verifier->id()},
                                         {"partner", answer.domain},
                                         {"reason", "dialback-answer-unbound"}});
    return;
  }
  std::vector<PendingVerify> done;
  std::erase_if(pending_verifies_, [&](const PendingVerify& pending) {
    if (iequals_ascii(pending.originating, answer.domain) &&
        iequals_ascii(pending.receiving, answer.local) && pending.stream_id == answer.stream_id) {
      done.push_back(pending);
      return true;
    }
    return false;
  });
  for (const auto& pending : done) {
    log_info("dialback.verified", {{"partner", pending.originating},
                                   {"local", pending.receiving},
                                   {"result", answer.valid ? "valid" : "invalid"}});
    if (auto inbound = pending.inbound.lock()) {
      inbound->verify_result(pending.originating, pending.receiving,
                             answer.valid ? VerifyOutcome::kValid : VerifyOutcome::kInvalid);
    }
  }
}

bool Edge::admit_partner_stream(const Partner& partner) const {
  const auto streams = std::count_if(inbound_.begin(), inbound_.end(), [&](const auto& inbound) {
    return !inbound->closing() && iequals_ascii(inbound->partner(), partner.domain);
  });
  return static_cast<std::uint64_t>(streams) <= partner.connection_limit;
}

void Edge::inbound_closed(const InboundConnection* connection) {
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
  resolver_.clear_cache();
  sync_components();
  log_info("config.reloaded", {{"partners", std::to_string(config_->partners.size())}});
}

void Edge::shutdown() {
  if (stopping_) {
    return;
  }
  stopping_ = true;
  log_info("edge.stopping", {{"reason", "shutdown"}});
  for (auto& acceptor : acceptors_) {
    boost::system::error_code ignored;
    acceptor->close(ignored);
  }
  sweeper_.cancel();
  save_subscriptions();
  for (const auto& weak : std::exchange(paused_readers_, {})) {
    if (auto reader = weak.lock()) {
      reader->resume_reading();
    }
  }
  for (const auto& inbound : std::set(inbound_)) {
    inbound->shutdown();
  }
  // Stanzas still waiting for a partner stream go back to their senders now.
  for (auto* table : {&outbound_, &verifiers_}) {
    for (const auto& [key, connection] : std::map(*table)) {
      for (auto& queued : connection->take_queue()) {
        bounce_to_internal(queued.routing, StanzaError::kRemoteServerTimeout, "shutdown");
      }
      connection->shutdown();
    }
  }
  // Give the bounces a moment to reach the internal server, then close the component links.
  auto timer = std::make_shared<asio::steady_timer>(io_);
  timer->expires_after(std::chrono::milliseconds(500));
  timer->async_wait([this, timer](const boost::system::error_code&) {
    for (auto& [domain, slot] : components_) {
      slot.wanted = false;
      if (slot.connection) {
        slot.connection->shutdown();
      }
    }
    timer->expires_after(std::chrono::milliseconds(1500));
    timer->async_wait([this, timer](const boost::system::error_code&) { io_.stop(); });
  });
}

}  // namespace edgekit::edgeproxy
