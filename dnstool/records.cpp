#include "dnstool/records.hpp"

#include <set>

#include <fmt/format.h>

#include "dnstool/posh_document.hpp"
#include "dnstool/tlsa_match.hpp"

namespace edgekit::dnstool {

RecordsOutput make_records(const RecordsInput& input) {
  RecordsOutput output;
  const std::string ttl = std::to_string(input.ttl);
  const std::string target = input.edge_fqdn + ".";
  for (const auto& domain : input.domains) {
    output.lines.push_back(
        fmt::format("; {}: federation (RFC 6120 §3.2.1) via {}", domain, input.edge_fqdn));
    output.lines.push_back(
        fmt::format("_xmpp-server._tcp.{}. {} IN SRV 0 5 {} {}", domain, ttl, input.port, target));
    if (input.direct_tls_port) {
      output.lines.push_back(fmt::format("_xmpps-server._tcp.{}. {} IN SRV 0 5 {} {}", domain, ttl,
                                         *input.direct_tls_port, target));
    }
  }
  std::set<std::uint16_t> ports{input.port};
  if (input.direct_tls_port) {
    ports.insert(*input.direct_tls_port);
  }
  if (input.certificate != nullptr) {
    output.lines.emplace_back(
        "; DANE (RFC 7673): publish only in a DNSSEC-signed zone; update "
        "before the key changes");
    const std::string data = tlsa_text(tlsa_3_1_1(input.certificate));
    for (const auto port : ports) {
      output.lines.push_back(
          fmt::format("_{}._tcp.{}. {} IN TLSA {}", port, input.edge_fqdn, ttl, data));
    }
    output.posh = make_posh(input.certificate);
  } else {
    output.lines.emplace_back(
        "; no TLSA or POSH: no certificate (give --cert FILE or run `certtool assign`)");
  }
  return output;
}

}  // namespace edgekit::dnstool
