#include "edgeproxy/server/component_links.hpp"

#include <algorithm>
#include <utility>

#include "edgeproxy/net/component_connection.hpp"
#include "edgeproxy/xmpp/bounce.hpp"

namespace edgekit::edgeproxy {
namespace {
constexpr std::size_t kMaxHeldPerDomain = 1000;
constexpr std::chrono::seconds kHoldTimeout{30};
constexpr std::chrono::milliseconds kFirstBackoff{1000};
constexpr std::chrono::milliseconds kMaxBackoff{30'000};
}  // namespace

ComponentLinks::ComponentLinks(asio::io_context& io, Metrics& metrics, Factory factory)
    : io_(io), metrics_(metrics), factory_(std::move(factory)) {}

void ComponentLinks::sync(const std::set<std::string>& wanted) {
  for (auto& [domain, slot] : slots_) {
    if (wanted.count(domain) == 0 && slot.wanted) {
      slot.wanted = false;
      if (slot.connection) {
        slot.connection->shutdown();
      }
    }
  }
  for (const auto& domain : wanted) {
    auto& slot = slots_[domain];
    slot.wanted = true;
    if (!slot.connection && !slot.retry) {
      connect(domain);
    }
  }
}

void ComponentLinks::connect(const std::string& domain) {
  auto& slot = slots_[domain];
  slot.retry.reset();
  if (stopping_ || !slot.wanted) {
    return;
  }
  slot.connection = factory_(domain);
  slot.connection->start();
}

void ComponentLinks::schedule_retry(const std::string& domain) {
  auto& slot = slots_[domain];
  if (stopping_ || !slot.wanted) {
    return;
  }
  slot.retry = std::make_unique<asio::steady_timer>(io_);
  slot.retry->expires_after(slot.backoff);
  slot.retry->async_wait([this, domain](const boost::system::error_code& ec) {
    if (!ec) {
      connect(domain);
    }
  });
  slot.backoff = std::min(slot.backoff * 2, kMaxBackoff);
}

Handoff ComponentLinks::send(const std::string& domain, std::string raw, const Element& routing) {
  auto it = slots_.find(domain);
  if (it == slots_.end()) {
    return Handoff::kNoRoute;
  }
  auto& slot = it->second;
  if (slot.connection && slot.connection->ready()) {
    slot.connection->send(raw);
    return Handoff::kAccepted;
  }
  if (slot.held.size() >= kMaxHeldPerDomain) {
    return Handoff::kQueueFull;
  }
  slot.held.push_back(HeldStanza{std::move(raw), routing_header(routing),
                                 std::chrono::steady_clock::now() + kHoldTimeout});
  metrics_.partner(domain).queue_depth = slot.held.size();
  return Handoff::kAccepted;
}

std::vector<Element> ComponentLinks::take_expired(std::chrono::steady_clock::time_point now) {
  std::vector<Element> expired;
  for (auto& [domain, slot] : slots_) {
    while (!slot.held.empty() && slot.held.front().expires <= now) {
      expired.push_back(std::move(slot.held.front().routing));
      slot.held.pop_front();
    }
    metrics_.partner(domain).queue_depth = slot.held.size();
  }
  return expired;
}

void ComponentLinks::ready(const std::shared_ptr<ComponentConnection>& connection) {
  auto& slot = slots_[connection->domain()];
  slot.backoff = kFirstBackoff;
  while (!slot.held.empty()) {
    connection->send(slot.held.front().raw);
    slot.held.pop_front();
  }
  metrics_.partner(connection->domain()).queue_depth = 0;
}

bool ComponentLinks::closed(const std::shared_ptr<ComponentConnection>& connection) {
  auto it = slots_.find(connection->domain());
  if (it == slots_.end() || it->second.connection != connection) {
    return false;
  }
  it->second.connection.reset();
  schedule_retry(connection->domain());
  eased();  // a backlogged link that closed no longer holds partner streams back
  return true;
}

bool ComponentLinks::backlogged() const noexcept {
  return std::any_of(slots_.begin(), slots_.end(), [](const auto& entry) {
    return entry.second.connection && entry.second.connection->backlogged();
  });
}

void ComponentLinks::pause_until_eased(const std::shared_ptr<Connection>& reader) {
  paused_readers_.push_back(reader);
}

void ComponentLinks::eased(bool force) {
  if (!force && backlogged()) {
    return;
  }
  for (const auto& weak : std::exchange(paused_readers_, {})) {
    if (auto reader = weak.lock()) {
      reader->resume_reading();
    }
  }
}

void ComponentLinks::shutdown() {
  stopping_ = true;
  for (auto& [domain, slot] : slots_) {
    slot.wanted = false;
    slot.retry.reset();
    if (slot.connection) {
      slot.connection->shutdown();
    }
  }
}

}  // namespace edgekit::edgeproxy
