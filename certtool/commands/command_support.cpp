#include "certtool/commands/command_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "certtool/key.hpp"

namespace edgekit::certtool {

Result<std::optional<Config>> load_optional_config(const cli::Context& context) {
  const bool named = context.config_path.has_value() || std::getenv("EDGEKIT_CONFIG") != nullptr;
  std::error_code ec;
  if (!named && !std::filesystem::exists(context.config_location(), ec)) {
    return std::optional<Config>{};
  }
  auto config = context.load_config();
  if (!config) {
    return config.error();
  }
  return std::optional<Config>(std::move(config).value());
}

Result<Store> open_store(const cli::Context& context, const Config* config, bool create) {
  const auto path =
      choose_store_path(context.store_flag, config != nullptr ? config->edge.store : std::string());
  return Store::open(path, create);
}

Result<std::optional<std::string>> password_from_flag(const cli::Context& context,
                                                      const char* flag) {
  const auto file = context.get<std::string>(flag);
  if (!file) {
    return std::optional<std::string>{};
  }
  auto password = read_password_file(*file);
  if (!password) {
    return password.error();
  }
  return std::optional<std::string>(std::move(password).value());
}

void print_json(const cli::Context& context, const nlohmann::json& json) {
  context.out() << json.dump(2) << "\n";
}

}  // namespace edgekit::certtool
