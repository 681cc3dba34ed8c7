#include "certtool/acme/store.hpp"

#include <nlohmann/json.hpp>

#include "certtool/acme/errors.hpp"

namespace edgekit::certtool::acme {

Result<AccountKey> load_or_create_account_key(Store& store, bool& created) {
  created = false;
  if (store.exists(kAccountKeyFile)) {
    auto pem = store.read(kAccountKeyFile, std::size_t{64} * 1024);
    if (!pem) {
      return pem.error();
    }
    auto key = AccountKey::from_pem(pem.value());
    if (!key) {
      return make_error(AcmeErrc::kUsage, (store.root() / kAccountKeyFile).string(),
                        key.error().why);
    }
    return key;
  }
  auto key = AccountKey::generate();
  if (!key) {
    return key.error();
  }
  auto pem = key.value().private_pem();
  if (!pem) {
    return pem.error();
  }
  if (auto written = store.write_secret(kAccountKeyFile, pem.value()); !written) {
    return written.error();
  }
  created = true;
  return key;
}

std::optional<SavedOrder> load_saved_order(const Store& store) {
  if (!store.exists(kOrderFile)) {
    return std::nullopt;
  }
  auto text = store.read(kOrderFile, std::size_t{64} * 1024);
  if (!text) {
    return std::nullopt;
  }
  const auto json = nlohmann::json::parse(text.value(), nullptr, false);
  if (!json.is_object()) {
    return std::nullopt;
  }
  SavedOrder order;
  order.directory = json.value("directory", "");
  order.request_id = json.value("request_id", "");
  order.order_url = json.value("order_url", "");
  if (order.order_url.empty()) {
    return std::nullopt;
  }
  return order;
}

Result<void> save_order(Store& store, const SavedOrder& order) {
  const nlohmann::json json{{"directory", order.directory},
                            {"request_id", order.request_id},
                            {"order_url", order.order_url}};
  return store.write(kOrderFile, json.dump(2) + "\n");
}

void forget_order(Store& store) {
  if (store.exists(kOrderFile)) {
    (void)store.remove(kOrderFile);
  }
}

}  // namespace edgekit::certtool::acme
