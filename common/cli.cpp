#include "common/cli.hpp"

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "common/version.hpp"

namespace edgekit::cli {
namespace {

constexpr std::string_view kDefaultConfig = "/etc/edgekit/edgekit.toml";

po::options_description global_options() {
  po::options_description options("Global options");
  options.add_options()("help,h", "show help and exit")("version", "show the version and exit")(
      "config,c", po::value<std::string>()->value_name("FILE"),
      "deployment file (default: $EDGEKIT_CONFIG or /etc/edgekit/edgekit.toml)")(
      "store", po::value<std::string>()->value_name("DIR"),
      "state store directory (overrides $EDGEKIT_STORE and edge.store)")(
      "json", "machine-readable JSON output");
  return options;
}

bool global_option_takes_value(std::string_view token) {
  return token == "--config" || token == "-c" || token == "--store";
}

void print_tool_help(const ToolInfo& tool, const Registry& registry, std::ostream& out) {
  out << tool.name << " " << kVersion << " — " << tool.summary << "\n\n";
  out << "Usage: " << tool.name << " [global options] "
      << (tool.default_command.empty() ? "COMMAND" : "[COMMAND]") << " [options]\n\n";
  out << "Commands:\n";
  for (const auto& command : registry.commands()) {
    std::string name = command->name();
    name.resize(std::max<std::size_t>(name.size(), 14), ' ');
    out << "  " << name << "  " << command->summary() << "\n";
  }
  out << "\n" << global_options() << "\n";
  out << "Run '" << tool.name << " COMMAND --help' for a command's options.\n"
      << "Exit codes: 0 success, 1 problems found, 2 usage or configuration error, "
         "3 operational failure.\n";
}

void print_command_help(const ToolInfo& tool, const Command& command,
                        const po::options_description& options, std::ostream& out) {
  out << "Usage: " << tool.name << " " << command.name() << " [options]";
  if (!command.arguments().empty()) {
    out << " " << command.arguments();
  }
  out << "\n\n" << command.summary() << "\n\n" << options << "\n";
}

}  // namespace

int Context::fail(const Error& error) const {
  const std::string why = error.why;
  if (why.find('\n') == std::string::npos) {
    err_ << tool_ << ": error: " << error.message() << "\n";
  } else {
    err_ << tool_ << ": error: " << error.what << ":\n";
    std::istringstream lines(why);
    for (std::string line; std::getline(lines, line);) {
      err_ << tool_ << ": error: " << line << "\n";
    }
  }
  return static_cast<int>(error.exit_code());
}

void Context::warn(std::string_view message) const {
  err_ << tool_ << ": warning: " << message << "\n";
}

std::string Context::config_location() const {
  if (config_path) {
    return *config_path;
  }
  if (const char* env = std::getenv("EDGEKIT_CONFIG"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::string(kDefaultConfig);
}

Result<Config> Context::load_config() const {
  auto config = edgekit::load_config(config_location());
  if (config) {
    for (const auto& warning : config.value().warnings) {
      warn(warning);
    }
  }
  return config;
}

void Registry::add(std::unique_ptr<Command> command) {
  commands_.push_back(std::move(command));
}

Command* Registry::find(std::string_view name) const {
  for (const auto& command : commands_) {
    if (command->name() == name) {
      return command.get();
    }
  }
  return nullptr;
}

int run(const ToolInfo& tool, const Registry& registry, int argc, const char* const* argv,
        std::ostream& out, std::ostream& err) {
  Context context(tool.name, out, err);
  const auto usage_error = [&](const std::string& why) {
    err << tool.name << ": error: usage: " << why << "\n"
        << "Run '" << tool.name << " --help' for usage.\n";
    return static_cast<int>(ExitCode::kUsage);
  };

  std::vector<std::string> tokens(argv + 1, argv + argc);
  // The command is the first token that is neither an option nor a global option's value.
  std::optional<std::size_t> command_index;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (global_option_takes_value(tokens[i])) {
      ++i;
      continue;
    }
    if (!tokens[i].starts_with('-')) {
      command_index = i;
      break;
    }
  }

  Command* command = nullptr;
  if (command_index) {
    command = registry.find(tokens[*command_index]);
    if (command == nullptr) {
      if (tool.default_command.empty()) {
        return usage_error("unknown command '" + tokens[*command_index] + "'");
      }
      command_index.reset();  // a positional argument of the default command
    } else {
      tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(*command_index));
    }
  }
  const bool wants_help = std::find(tokens.begin(), tokens.end(), "--help") != tokens.end() ||
                          std::find(tokens.begin(), tokens.end(), "-h") != tokens.end();
  if (command == nullptr) {
    if (std::find(tokens.begin(), tokens.end(), "--version") != tokens.end()) {
      out << tool.name << " " << kVersion << "\n";
      return 0;
    }
    if (wants_help || (tokens.empty() && tool.default_command.empty())) {
      print_tool_help(tool, registry, wants_help ? out : err);
      return wants_help ? 0 : static_cast<int>(ExitCode::kUsage);
    }
    if (tool.default_command.empty()) {
      return usage_error("no command given");
    }
    command = registry.find(tool.default_command);
    if (command == nullptr) {
      return usage_error("internal: default command missing");
    }
  }

  po::options_description command_options(command->name() + " options");
  command->add_options(command_options);
  po::options_description all;
  all.add(global_options()).add(command_options);
  all.add_options()("__positional", po::value<std::vector<std::string>>(), "");
  po::positional_options_description positional;
  positional.add("__positional", -1);

  try {
    const auto parsed = po::command_line_parser(tokens).options(all).positional(positional).run();
    po::store(parsed, context.options);
    po::notify(context.options);
  } catch (const po::error& error) {
    return usage_error(error.what());
  }
  if (wants_help) {
    po::options_description visible;
    visible.add(command_options).add(global_options());
    print_command_help(tool, *command, visible, out);
    return 0;
  }
  if (context.options.count("version") != 0) {
    out << tool.name << " " << kVersion << "\n";
    return 0;
  }
  if (const auto it = context.options.find("__positional"); it != context.options.end()) {
    context.positional = it->second.as<std::vector<std::string>>();
  }
  const int max = command->max_positional();
  if (max >= 0 && context.positional.size() > static_cast<std::size_t>(max)) {
    return usage_error("unexpected argument '" + context.positional[static_cast<std::size_t>(max)] +
                       "' for '" + command->name() + "'");
  }
  context.json = context.options.count("json") != 0;
  context.config_path = context.get<std::string>("config");
  context.store_flag = context.get<std::string>("store");

  try {
    return command->run(context);
  } catch (const UsageError& error) {
    return usage_error(error.what());
  } catch (const std::exception& error) {
    err << tool.name << ": error: internal: " << error.what() << "\n";
    return static_cast<int>(ExitCode::kOperational);
  }
}

}  // namespace edgekit::cli
