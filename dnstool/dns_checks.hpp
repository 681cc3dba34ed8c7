#pragma once
// The DNS checks of `dnstool check` (docs/reference.md) as pure functions of the looked-up data:
// srv.present, srv.port, srv.target, srv.target_address, srv.target_alias, srv.xmpps, dnssec.

#include <cstdint>
#include <string>
#include <vector>

#include "dnstool/lookup.hpp"
#include "dnstool/report.hpp"

namespace edgekit::dnstool {

struct DnsCheckOptions {
  std::uint16_t port = 5269;
  std::string edge_fqdn;  // "" when unknown: srv.target is skipped
  bool direct_tls_configured = false;
  std::uint16_t direct_tls_port = 5270;
  bool dnssec = false;  // trust anchors given
};

std::vector<Check> evaluate_dns(const DomainLookup& lookup, const DnsCheckOptions& options);

// The zone-file line that publishes the SRV record (used by checks' fixes and `records`).
std::string srv_line(const std::string& service, const std::string& domain, std::uint16_t port,
                     const std::string& target);

// The SRV targets of the plain record, without ".".
std::vector<std::string> srv_targets(const DomainLookup& lookup);

}  // namespace edgekit::dnstool
