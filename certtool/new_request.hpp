#pragma once
// Creating a pending request: the CSR for a plan, signed by `key`, with its record, key and CSR
// saved in the store under the store lock. `certtool request` and `certtool acme` (when no
// request is pending) both create requests this one way.

#include <optional>
#include <string>

#include "certtool/cert_store.hpp"
#include "certtool/csr.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "common/store.hpp"

namespace edgekit::certtool {

struct NewRequest {
  RequestRecord record;
  std::string csr_pem;
};

Result<NewRequest> create_request(Store& store, const Config& config, const RequestPlan& plan,
                                  EVP_PKEY* key, const std::optional<std::string>& password);

}  // namespace edgekit::certtool
