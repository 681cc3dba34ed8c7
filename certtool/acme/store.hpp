#pragma once
// certtool acme's state in the store (common/store.hpp: <root>/acme/):
//   acme/account.key   the account key, PEM, 0600, written atomically
//   acme/order.json    the order in progress: directory, request id, order URL. A run that
//                      crashed resumes this order instead of creating a new one.
//   acme/issued.pem    the chain as downloaded, handed to the import code path

#include <optional>
#include <string>

#include "certtool/acme/jws.hpp"
#include "common/error.hpp"
#include "common/store.hpp"

namespace edgekit::certtool::acme {

inline constexpr const char* kAccountKeyFile = "acme/account.key";
inline constexpr const char* kOrderFile = "acme/order.json";
inline constexpr const char* kIssuedFile = "acme/issued.pem";

// The stored account key, or a new EC P-256 key saved with mode 0600.
Result<AccountKey> load_or_create_account_key(Store& store, bool& created);

struct SavedOrder {
  std::string directory;
  std::string request_id;
  std::string order_url;
};
std::optional<SavedOrder> load_saved_order(const Store& store);
Result<void> save_order(Store& store, const SavedOrder& order);
void forget_order(Store& store);

}  // namespace edgekit::certtool::acme
