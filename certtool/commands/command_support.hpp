#pragma once
// Helpers every certtool command shares: the optional deployment file, the store, passwords
// from files, JSON output.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/cli.hpp"
#include "common/config.hpp"
#include "common/store.hpp"

namespace edgekit::certtool {

// The deployment file when one was named (--config, $EDGEKIT_CONFIG) or the default exists;
// nullopt when none is there. A file with errors is an error.
Result<std::optional<Config>> load_optional_config(const cli::Context& context);

// The store from --store, $EDGEKIT_STORE or the config's edge.store.
Result<Store> open_store(const cli::Context& context, const Config* config, bool create);

// The password in the file named by the flag, or nullopt when the flag was not given.
Result<std::optional<std::string>> password_from_flag(const cli::Context& context,
                                                      const char* flag);

void print_json(const cli::Context& context, const nlohmann::json& json);

}  // namespace edgekit::certtool
