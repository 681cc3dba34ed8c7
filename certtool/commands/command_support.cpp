#include "certtool/commands/command_support.hpp"

#include <ostream>

#include "certtool/key.hpp"

namespace edgekit::certtool {

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
