#include "edgeproxy/server/component_links.hpp"

#include <algorithm>
#include <utility>

#include "edgeproxy/net/component_connection.hpp"
#include "edgeproxy/xmpp/bounce.hpp"

namespace edgekit::edgeproxy {
namespace {
constexpr std::size_t kMaxHeldPerDomain = 1000;
// Held stanzas are capped in bytes too: 1,000 stanzas of 256 KiB would be 256 MB.
constexpr std::size_t kMaxHeldBytes = std::size_t{8} * 1024 * 1024;
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

Handoff ComponentLinks::send(const std::string& domain, PendingStanza& stanza) {
  auto it = slots_.find(domain);
  if (it == slots_.end()) {
    return Handoff::kNoRoute;
  }
  auto& slot = it->second;
  if (slot.held.empty() && slot.connection && slot.connection->ready()) {
    return slot.connection->send_stanza(stanza.raw, stanza.ticket) ? Handoff::kAccepted
                                                                   : Handoff::kQueueFull;
  }
  if (slot.held.size() >= kMaxHeldPerDomain ||
      slot.held_bytes + stanza.raw.size() > kMaxHeldBytes) {
    return Handoff::kQueueFull;
  }
  slot.held_bytes += stanza.raw.size();
  slot.held.push_back(
      HeldStanza{std::move(stanza), std::chrono::steady_clock::now() + kHoldTimeout});
  update_gauge(domain, slot);
  flush(domain, slot);  // a link that is up but was backlogged may take it now
  return Handoff::kAccepted;
}

void ComponentLinks::update_gauge(const std::string& domain, const Slot& slot) {
  metrics_.partner(domain).queue_depth = slot.held.size();
}

void ComponentLinks::flush(const std::string& domain, Slot& slot) {
  const auto& link = slot.connection;
  while (!slot.held.empty() && link && link->ready() && !link->closing() && !link->backlogged()) {
    auto& next = slot.held.front().stanza;
    const std::size_t size = next.raw.size();
    if (!link->send_stanza(next.raw, next.ticket)) {
      break;
    }
    slot.held_bytes -= size;
    slot.held.pop_front();
  }
  update_gauge(domain, slot);
}

void ComponentLinks::flush() {
  for (auto& [domain, slot] : slots_) {
    flush(domain, slot);
  }
}

void ComponentLinks::take_held(const std::string& domain, Slot& slot,
                               std::vector<PendingStanza>& into) {
  for (auto& held : slot.held) {
    into.push_back(std::move(held.stanza));
  }
  slot.held.clear();
  slot.held_bytes = 0;
  update_gauge(domain, slot);
}

std::vector<PendingStanza> ComponentLinks::take_expired(std::chrono::steady_clock::time_point now) {
  std::vector<PendingStanza> expired;
  for (auto& [domain, slot] : slots_) {
    while (!slot.held.empty() && slot.held.front().expires <= now) {
      slot.held_bytes -= slot.held.front().stanza.raw.size();
      expired.push_back(std::move(slot.held.front().stanza));
      slot.held.pop_front();
    }
    update_gauge(domain, slot);
  }
  return expired;
}

std::vector<PendingStanza> ComponentLinks::hold_again(const std::string& domain,
                                                      std::vector<PendingStanza> unsent) {
  auto it = slots_.find(domain);
  if (stopping_ || it == slots_.end() || !it->second.wanted) {
    return unsent;
  }
  auto& slot = it->second;
  // They were accepted already and were on the link's own bounded queue: held past the
  // hold limit rather than bounced for it. They keep order, ahead of what came after them.
  const auto expires = std::chrono::steady_clock::now() + kHoldTimeout;
  for (auto stanza = unsent.rbegin(); stanza != unsent.rend(); ++stanza) {
    slot.held_bytes += stanza->raw.size();
    slot.held.push_front(HeldStanza{std::move(*stanza), expires});
  }
  update_gauge(domain, slot);
  flush(domain, slot);
  return {};
}

std::vector<PendingStanza> ComponentLinks::take_all() {
  std::vector<PendingStanza> taken;
  for (auto& [domain, slot] : slots_) {
    take_held(domain, slot, taken);
    if (slot.connection) {
      for (auto& stanza : slot.connection->take_unsent()) {
        taken.push_back(std::move(stanza));
      }
    }
  }
  return taken;
}

std::vector<PendingStanza> ComponentLinks::take_held_while_down() {
  std::vector<PendingStanza> taken;
  for (auto& [domain, slot] : slots_) {
    if (!slot.connection || !slot.connection->ready()) {
      take_held(domain, slot, taken);
    }
  }
  return taken;
}

void ComponentLinks::ready(const std::shared_ptr<ComponentConnection>& connection) {
  auto& slot = slots_[connection->domain()];
  slot.backoff = kFirstBackoff;
  flush(connection->domain(), slot);
}

bool ComponentLinks::closed(const std::shared_ptr<ComponentConnection>& connection) {
  auto it = slots_.find(connection->domain());
  if (it == slots_.end() || it->second.connection != connection) {
    return false;
  }
  it->second.connection.reset();
  schedule_retry(connection->domain());
  return true;
}

bool ComponentLinks::backlogged(const std::vector<std::string>& domains) const {
  return std::any_of(domains.begin(), domains.end(), [this](const std::string& domain) {
    const auto it = slots_.find(domain);
    return it != slots_.end() && it->second.connection && it->second.connection->backlogged();
  });
}

void ComponentLinks::stop_reconnecting() {
  stopping_ = true;
  for (auto& [domain, slot] : slots_) {
    slot.retry.reset();
  }
}

void ComponentLinks::shutdown() {
  stop_reconnecting();
  for (auto& [domain, slot] : slots_) {
    slot.wanted = false;
    if (slot.connection) {
      slot.connection->shutdown();
    }
  }
}

}  // namespace edgekit::edgeproxy
