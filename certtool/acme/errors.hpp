#pragma once
// Errors of the ACME client and the exit code of each (docs/reference.md, "Exit codes"): the CA
// refusing something is a verdict (1), a bad invocation or missing agreement is usage (2), a CA
// that cannot be reached, times out or answers nonsense is operational (3).

#include "common/error.hpp"

namespace edgekit::certtool {

enum class AcmeErrc {
  kUsage = 1,       // missing directory, terms not agreed, no pending request (2)
  kUnreachable,     // the CA or a challenge peer cannot be reached (3)
  kTimeout,         // polling ran out of time or attempts (3)
  kProtocol,        // a malformed or unexpected response (3)
  kServer,          // the CA answered with a server-side problem (3)
  kRejected,        // the CA refused: rejectedIdentifier, unauthorized, invalid challenge (1)
  kChallengeSetup,  // the http-01 responder or the dns-01 update failed (3)
  kCrypto,          // OpenSSL failed where it should not (3)
};
const EdgekitCategory& acme_category() noexcept;
std::error_code make_error_code(AcmeErrc value) noexcept;

}  // namespace edgekit::certtool

template <>
struct std::is_error_code_enum<edgekit::certtool::AcmeErrc> : std::true_type {};
