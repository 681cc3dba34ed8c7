#include "edgeproxy/server/subscription_store.hpp"

#include <filesystem>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include "common/log.hpp"
#include "common/store.hpp"

namespace edgekit::edgeproxy {
namespace {
std::filesystem::path subscriptions_file() {
  return std::filesystem::path(std::string(store_layout::kEdgeproxyDir)) / "subscriptions.json";
}
}  // namespace

void load_subscriptions(const std::string& store_root, StanzaPolicy& policy) {
  auto store = Store::open(store_root, false);
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
  policy.restore(pairs);
  policy.mark_saved();
}

void save_subscriptions(const std::string& store_root, StanzaPolicy& policy) {
  if (!policy.changed_since_save()) {
    return;
  }
  // Not saved, it stays changed: the next sweep tries again, and logs again.
  auto store = Store::open(store_root, false);
  if (!store) {
    log_warn("subscriptions.unsaved",
             {{"reason", "store-write-failed"}, {"detail", store.error().message()}});
    return;
  }
  auto json = nlohmann::json::array();
  for (const auto& [internal, remote] : policy.remembered()) {
    json.push_back({internal, remote});
  }
  if (auto written = store.value().write(subscriptions_file(), json.dump()); written) {
    policy.mark_saved();
  } else {
    log_warn("subscriptions.unsaved",
             {{"reason", "store-write-failed"}, {"detail", written.error().message()}});
  }
}

}  // namespace edgekit::edgeproxy
