#pragma once
// Helpers every certtool command shares: passwords from files, JSON output (the deployment
// file and the store: deployment.hpp).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/cli.hpp"
#include "common/error.hpp"

namespace edgekit::certtool {

// The password in the file named by the flag, or nullopt when the flag was not given.
Result<std::optional<std::string>> password_from_flag(const cli::Context& context,
                                                      const char* flag);

void print_json(const cli::Context& context, const nlohmann::json& json);

}  // namespace edgekit::certtool
