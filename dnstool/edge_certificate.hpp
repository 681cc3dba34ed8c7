#pragma once
// The certificate dnstool compares DNS (TLSA, POSH) and names against: --cert FILE, else the
// one `certtool assign` recorded in the store's identity.json.

#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/openssl_ptr.hpp"

namespace edgekit::dnstool {

struct EdgeCertificate {
  std::string source;                // "FILE" or "store DIR (identity.json)"
  std::vector<ossl::X509Ptr> chain;  // leaf first, then the intermediates given with it

  [[nodiscard]] X509* leaf() const noexcept { return chain.front().get(); }
};

// nullopt when no --cert was given and the store has no assigned certificate (`why` says so).
// A given file that cannot be read or parsed is an error.
Result<std::optional<EdgeCertificate>> load_edge_certificate(const std::string& cert_file,
                                                             const std::string& store_dir,
                                                             std::string& why);

}  // namespace edgekit::dnstool
