#pragma once
// Fetching a missing intermediate from the caIssuers URL of a certificate's Authority
// Information Access extension (RFC 5280 §4.2.2.1), for `certtool import --fetch-intermediates`.

#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/openssl_ptr.hpp"

namespace edgekit::certtool {

// GET over http/https only, at most 1 MiB, 10 s; the body parsed as DER, PEM or PKCS#7.
Result<std::vector<ossl::X509Ptr>> fetch_ca_issuers(const std::string& url);

}  // namespace edgekit::certtool
