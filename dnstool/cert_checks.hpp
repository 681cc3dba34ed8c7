#pragma once
// The certificate checks of `dnstool check` (cert.names, cert.validity, cert.eku) and the TLSA
// check, as functions of the looked-up DNS data and the edge certificate.

#include <chrono>
#include <string>
#include <vector>

#include "dnstool/edge_certificate.hpp"
#include "dnstool/lookup.hpp"
#include "dnstool/report.hpp"

namespace edgekit::dnstool {

struct CertCheckContext {
  const EdgeCertificate* certificate = nullptr;  // nullptr: none (missing_why says why)
  std::string missing_why;
  std::string edge_fqdn;
  bool dnssec = false;
  int warn_days = 30;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// cert.names, cert.validity, cert.eku for one domain.
std::vector<Check> evaluate_certificate(const DomainLookup& lookup, const CertCheckContext& ctx);
// tlsa for one domain: the TLSA at _<port>._tcp.<target> of every SRV target.
Check evaluate_tlsa(const DomainLookup& lookup, const CertCheckContext& ctx);

}  // namespace edgekit::dnstool
