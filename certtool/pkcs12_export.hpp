#pragma once
// Building the PKCS#12 for `certtool export`.

#include <optional>
#include <string>

#include "common/error.hpp"
#include "common/store.hpp"

namespace edgekit::certtool {

struct ExportOptions {
  std::string password;
  std::optional<std::string> key_password;
  bool legacy = false;
};

// Refuses a certificate whose request was made non-exportable (exit 1).
Result<void> export_pkcs12(const Store& store, const std::string& thumbprint,
                           const std::string& out_file, const ExportOptions& options);

}  // namespace edgekit::certtool
