#pragma once
// certtool's error codes and the exit code of each (docs/reference.md, "Exit codes").

#include "common/error.hpp"

namespace edgekit::certtool {

enum class CerttoolErrc {
  kUsage = 1,      // bad flags or arguments (2)
  kBadKey,         // a key file that cannot be read (2)
  kBadPassword,    // a password that does not open a key or PKCS#12 (2)
  kNotFound,       // no request or certificate with that id (2)
  kAmbiguous,      // a thumbprint prefix that names several certificates (2)
  kNoMatch,        // a certificate that matches no pending request (1)
  kRejected,       // import or assign verification found problems (1)
  kNotExportable,  // export of a key requested as non-exportable (1)
  kCrypto,         // OpenSSL failed where it should not (3)
  kSignal,         // the reload signal could not be delivered (3)
};
const EdgekitCategory& certtool_category() noexcept;
std::error_code make_error_code(CerttoolErrc value) noexcept;

}  // namespace edgekit::certtool

template <>
struct std::is_error_code_enum<edgekit::certtool::CerttoolErrc> : std::true_type {};
