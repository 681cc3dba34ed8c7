#pragma once
// What every certtool command starts with: the deployment file (edgekit.toml) and the state
// store, found and opened the same way for all of them, failing with the same errors.

#include <functional>
#include <optional>

#include "common/cli.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "common/store.hpp"

namespace edgekit::certtool {

struct DeploymentNeeds {
  // The deployment file must be there (the command reads the names, [acme], ...); otherwise it
  // is read when one was named (--config, $EDGEKIT_CONFIG) or the default exists.
  bool config = false;
  // The command writes: make the store when it is missing.
  bool create_store = false;
  // Runs after the deployment file is loaded and before the store is opened: flags that refine
  // the configuration, and checks whose failure must leave the store untouched.
  std::function<Result<void>(std::optional<Config>& config)> before_store{};
};

struct Deployment {
  std::optional<Config> config;  // always set when DeploymentNeeds::config
  Store store;

  [[nodiscard]] const Config* config_or_null() const noexcept {
    return config ? &*config : nullptr;
  }
};

// Loads the deployment file, then opens the store from --store, $EDGEKIT_STORE or the file's
// edge.store. The error is the one to report with context.fail().
Result<Deployment> open_deployment(const cli::Context& context, const DeploymentNeeds& needs);

// Whether open_deployment failed at the store (there is none, or it cannot be created) rather
// than at the deployment file.
bool store_unavailable(const Error& error);

}  // namespace edgekit::certtool
