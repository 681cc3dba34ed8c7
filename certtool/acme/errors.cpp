#include "certtool/acme/errors.hpp"

namespace edgekit::certtool {
namespace {

class AcmeCategory final : public EdgekitCategory {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "acme"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<AcmeErrc>(value)) {
      case AcmeErrc::kUsage: return "usage error";
      case AcmeErrc::kUnreachable: return "ACME server unreachable";
      case AcmeErrc::kTimeout: return "timed out";
      case AcmeErrc::kProtocol: return "malformed ACME response";
      case AcmeErrc::kServer: return "ACME server error";
      case AcmeErrc::kRejected: return "refused by the CA";
      case AcmeErrc::kChallengeSetup: return "challenge setup failed";
      case AcmeErrc::kCrypto: return "cryptographic operation failed";
    }
    return "ACME error";
  }
  [[nodiscard]] ExitCode exit_code(int value) const noexcept override {
    switch (static_cast<AcmeErrc>(value)) {
      case AcmeErrc::kUsage: return ExitCode::kUsage;
      case AcmeErrc::kRejected: return ExitCode::kProblems;
      default: return ExitCode::kOperational;
    }
  }
};

}  // namespace

const EdgekitCategory& acme_category() noexcept {
  static const AcmeCategory category;
  return category;
}

std::error_code make_error_code(AcmeErrc value) noexcept {
  return {static_cast<int>(value), acme_category()};
}

}  // namespace edgekit::certtool
