#pragma once
// What `dnstool records` prints, as a pure function of the settings and the certificate.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <openssl/x509.h>

namespace edgekit::dnstool {

struct RecordsInput {
  std::vector<std::string> domains;
  std::string edge_fqdn;
  std::uint16_t port = 5269;
  std::optional<std::uint16_t> direct_tls_port;  // XEP-0368, when listen.direct_tls is set
  std::uint32_t ttl = 3600;
  X509* certificate = nullptr;  // nullptr: no TLSA, no POSH
};

struct RecordsOutput {
  std::vector<std::string> lines;  // zone-file lines (and "; " comments)
  std::string posh;                // the POSH JSON, "" without a certificate
};

RecordsOutput make_records(const RecordsInput& input);

}  // namespace edgekit::dnstool
