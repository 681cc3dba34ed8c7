#pragma once
// `certtool import` as a library function: read what the CA sent (PEM, DER, PKCS#7, PKCS#12,
// a bundle in any order), find the request whose key it certifies (or take the key it
// carries), verify the chain, compare names, validity and usages, and store it only when all
// of that passes.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/store.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {

struct ImportOptions {
  std::vector<std::string> chain_files;
  std::string ca_file;                      // "" = the system roots
  std::optional<std::string> password;      // PKCS#12 / PEM key password
  std::optional<std::string> key_password;  // encrypts a carried key in the store
  bool fetch_intermediates = false;
  const Config* config = nullptr;  // names to expect when the key came with the certificate
  int warn_days = 30;
};

struct ImportReport {
  bool ok = false;
  std::string thumbprint;
  std::string request_id;
  x509::CertificateInfo leaf;
  std::vector<std::string> chain;  // subjects, leaf first
  std::vector<std::string> problems;
  std::vector<std::string> warnings;
  std::vector<std::string> missing_names;
  std::vector<std::string> notes;  // what was done (fetched intermediates, ...)
};
nlohmann::json to_json(const ImportReport& report);

// An Error for input that cannot be read at all (exit 2/3) or matches nothing (exit 1); a
// report with problems (ok == false, nothing stored) when the certificate is not acceptable.
Result<ImportReport> import_certificate(Store& store, const std::string& file,
                                        const ImportOptions& options);

// The problems and warnings of a leaf for the edge role, shared with assign and check: EKU,
// key usage, clientAuth, expiry within warn_days.
void check_usage(const x509::CertificateInfo& info, int warn_days,
                 std::vector<std::string>& problems, std::vector<std::string>& warnings);
std::string client_auth_warning();

}  // namespace edgekit::certtool
