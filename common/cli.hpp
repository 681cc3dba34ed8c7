#pragma once
// The command framework shared by the three tools: one class per subcommand in a registry,
// Boost.Program_options for flags, the global flags of every tool (--config, --store, --json,
// --help, --version), exit codes of common/error.hpp and errors as "tool: error: what: why".

#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// g++ 12 at -O2/-O3 reports -Wnull-dereference inside Boost.Program_options
// (typed_value::notify dereferences an any_cast result that is non-null by construction):
// Boost's lines, not ours, so that warning is off for the text of this header only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif
#include <boost/program_options.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "common/config.hpp"
#include "common/error.hpp"

namespace edgekit::cli {

namespace po = boost::program_options;

// Thrown by commands for a bad invocation detected after parsing; main maps it to exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Context {
 public:
  Context(std::string tool, std::ostream& out, std::ostream& err) noexcept
      : tool_(std::move(tool)), out_(out), err_(err) {}

  [[nodiscard]] const std::string& tool() const noexcept { return tool_; }
  [[nodiscard]] std::ostream& out() const noexcept { return out_; }
  [[nodiscard]] std::ostream& err() const noexcept { return err_; }

  po::variables_map options;
  std::vector<std::string> positional;
  bool json = false;
  std::optional<std::string> config_path;
  std::optional<std::string> store_flag;

  // The value of an option, or nullopt when it was not given.
  template <typename T>
  [[nodiscard]] std::optional<T> get(const char* name) const {
    if (const auto it = options.find(name); it != options.end() && !it->second.defaulted()) {
      return it->second.as<T>();
    }
    return std::nullopt;
  }
  [[nodiscard]] bool flag(const char* name) const { return options.count(name) > 0; }

  // Prints the error as "tool: error: what: why" and returns its exit code.
  int fail(const Error& error) const;
  void warn(std::string_view message) const;

  // The deployment file from --config, $EDGEKIT_CONFIG or /etc/edgekit/edgekit.toml; its
  // warnings are printed once.
  [[nodiscard]] Result<Config> load_config() const;
  [[nodiscard]] std::string config_location() const;

 private:
  std::string tool_;
  std::ostream& out_;
  std::ostream& err_;
};

class Command {
 public:
  Command() = default;
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;
  virtual ~Command() = default;

  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual std::string summary() const = 0;
  // The positional arguments for the usage line, e.g. "THUMBPRINT"; empty when none.
  [[nodiscard]] virtual std::string arguments() const { return {}; }
  // How many positional arguments it accepts (-1: any number).
  [[nodiscard]] virtual int max_positional() const { return 0; }
  virtual void add_options(po::options_description& /*options*/) {}
  virtual int run(Context& context) = 0;
};

struct ToolInfo {
  std::string name;
  std::string summary;
  // The command run when the first argument is an option (edgeproxy runs the proxy); "" when
  // the tool needs a command.
  std::string default_command;
};

class Registry {
 public:
  void add(std::unique_ptr<Command> command);
  [[nodiscard]] Command* find(std::string_view name) const;
  [[nodiscard]] const std::vector<std::unique_ptr<Command>>& commands() const noexcept {
    return commands_;
  }

 private:
  std::vector<std::unique_ptr<Command>> commands_;
};

int run(const ToolInfo& tool, const Registry& registry, int argc, const char* const* argv,
        std::ostream& out, std::ostream& err);

}  // namespace edgekit::cli
