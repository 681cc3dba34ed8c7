#include "common/error.hpp"

namespace edgekit {

std::string Error::message() const {
  if (why.empty()) {
    return what.empty() ? code.message() : what;
  }
  if (what.empty()) {
    return why;
  }
  return what + ": " + why;
}

ExitCode Error::exit_code() const noexcept {
  return exit_code_of(code);
}

ExitCode exit_code_of(const std::error_code& code) noexcept {
  if (!code) {
    return ExitCode::kOk;
  }
  if (const auto* category = dynamic_cast<const EdgekitCategory*>(&code.category())) {
    return category->exit_code(code.value());
  }
  // A plain system or library error: the operation failed, not the user's input.
  return ExitCode::kOperational;
}

namespace {

class GeneralCategory final : public EdgekitCategory {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "edgekit"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<GeneralErrc>(value)) {
      case GeneralErrc::kUsage: return "usage error";
      case GeneralErrc::kIo: return "I/O error";
      case GeneralErrc::kNotFound: return "not found";
      case GeneralErrc::kTimeout: return "timed out";
      case GeneralErrc::kInternal: return "internal error";
    }
    return "unknown error";
  }
  [[nodiscard]] ExitCode exit_code(int value) const noexcept override {
    return static_cast<GeneralErrc>(value) == GeneralErrc::kUsage ? ExitCode::kUsage
                                                                  : ExitCode::kOperational;
  }
};

}  // namespace

const EdgekitCategory& general_category() noexcept {
  static const GeneralCategory category;
  return category;
}

std::error_code make_error_code(GeneralErrc value) noexcept {
  return {static_cast<int>(value), general_category()};
}

Error io_error(std::string what, int errno_value) {
  return Error{make_error_code(GeneralErrc::kIo), std::move(what),
               std::generic_category().message(errno_value)};
}

}  // namespace edgekit
