#include "certtool/errors.hpp"

namespace edgekit::certtool {
namespace {

class CerttoolCategory final : public EdgekitCategory {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "certtool"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<CerttoolErrc>(value)) {
      case CerttoolErrc::kUsage: return "usage error";
      case CerttoolErrc::kBadKey: return "unreadable key";
      case CerttoolErrc::kBadPassword: return "wrong password";
      case CerttoolErrc::kNotFound: return "not found";
      case CerttoolErrc::kAmbiguous: return "ambiguous";
      case CerttoolErrc::kNoMatch: return "matches no request";
      case CerttoolErrc::kRejected: return "rejected";
      case CerttoolErrc::kNotExportable: return "not exportable";
      case CerttoolErrc::kCrypto: return "cryptographic operation failed";
      case CerttoolErrc::kSignal: return "cannot signal edgeproxy";
    }
    return "certtool error";
  }
  [[nodiscard]] ExitCode exit_code(int value) const noexcept override {
    switch (static_cast<CerttoolErrc>(value)) {
      case CerttoolErrc::kNoMatch:
      case CerttoolErrc::kRejected:
      case CerttoolErrc::kNotExportable: return ExitCode::kProblems;
      case CerttoolErrc::kCrypto:
      case CerttoolErrc::kSignal: return ExitCode::kOperational;
      default: return ExitCode::kUsage;
    }
  }
};

}  // namespace

const EdgekitCategory& certtool_category() noexcept {
  static const CerttoolCategory category;
  return category;
}

std::error_code make_error_code(CerttoolErrc value) noexcept {
  return {static_cast<int>(value), certtool_category()};
}

}  // namespace edgekit::certtool
