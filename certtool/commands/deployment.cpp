#include "certtool/commands/deployment.hpp"

#include <cstdlib>
#include <filesystem>

namespace edgekit::certtool {
namespace {

Result<std::optional<Config>> load_config(const cli::Context& context, bool required) {
  const bool named = context.config_path.has_value() || std::getenv("EDGEKIT_CONFIG") != nullptr;
  std::error_code ec;
  if (!required && !named && !std::filesystem::exists(context.config_location(), ec)) {
    return std::optional<Config>{};
  }
  auto config = context.load_config();
  if (!config) {
    return config.error();
  }
  return std::optional<Config>(std::move(config).value());
}

}  // namespace

Result<Deployment> open_deployment(const cli::Context& context, const DeploymentNeeds& needs) {
  auto config = load_config(context, needs.config);
  if (!config) {
    return config.error();
  }
  if (needs.before_store) {
    if (auto ready = needs.before_store(config.value()); !ready) {
      return ready.error();
    }
  }
  const auto path = choose_store_path(context.store_flag,
                                      config.value() ? config.value()->edge.store : std::string());
  auto store = Store::open(path, needs.create_store);
  if (!store) {
    return store.error();
  }
  return Deployment{std::move(config).value(), std::move(store).value()};
}

bool store_unavailable(const Error& error) {
  return error.code == make_error_code(StoreErrc::kUnavailable);
}

}  // namespace edgekit::certtool
