#pragma once
// probe.connect, probe.starttls, probe.certificate from the probe results of one domain.

#include <string>
#include <vector>

#include "common/x509.hpp"
#include "dnstool/lookup.hpp"
#include "dnstool/probe.hpp"
#include "dnstool/report.hpp"

namespace edgekit::dnstool {

// What to probe: the given address, else the first address of each SRV target (IPv4 first).
std::vector<ProbeTarget> probe_targets(const DomainLookup& lookup,
                                       const std::optional<std::string>& probe_address,
                                       std::uint16_t default_port);

std::vector<Check> evaluate_probe(const std::vector<ProbeResult>& results,
                                  const std::string& domain, bool tls_required,
                                  const x509::TrustAnchors& anchors);

std::vector<Check> probe_not_requested();

}  // namespace edgekit::dnstool
