#pragma once
// The health of the assigned certificate (certtool check): present, readable, key matches,
// chain still verifies, not expired or expiring within warn_days, covers the configuration's
// names, right EKU.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/config.hpp"
#include "common/store.hpp"

namespace edgekit::certtool {

struct HealthCheck {
  std::string id;
  std::string status;  // pass | warn | fail | skip
  std::string message;
};

struct HealthReport {
  bool ok = false;  // nothing failed (warnings allowed)
  std::string thumbprint;
  std::string not_after;
  long days_left = 0;
  std::vector<HealthCheck> checks;
};
nlohmann::json to_json(const HealthReport& report);

HealthReport check_health(const Store& store, const Config* config, int warn_days,
                          const std::optional<std::string>& ca_file);

}  // namespace edgekit::certtool
