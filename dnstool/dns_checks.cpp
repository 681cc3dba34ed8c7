#include "dnstool/dns_checks.hpp"

#include <algorithm>

namespace edgekit::dnstool {
namespace {

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out += separator;
    }
    out += item;
  }
  return out;
}

std::string describe(const dns::SrvRecord& record) {
  return std::to_string(record.priority) + " " + std::to_string(record.weight) + " " +
         std::to_string(record.port) + " " + record.target;
}

std::string describe(const std::vector<dns::SrvRecord>& records) {
  std::vector<std::string> parts;
  parts.reserve(records.size());
  for (const auto& record : records) {
    parts.push_back(describe(record));
  }
  return join(parts);
}

bool decidedly_absent(const ServiceLookup& service) {
  return service.records.size() == 1 && service.records.front().target == ".";
}

std::string edge_or_placeholder(const DnsCheckOptions& options, const std::string& domain) {
  return options.edge_fqdn.empty() ? "edge." + domain : options.edge_fqdn;
}

Check srv_present(const DomainLookup& lookup, const DnsCheckOptions& options) {
  const auto& service = lookup.xmpp;
  const std::string owner = "_xmpp-server._tcp." + lookup.domain;
  const std::string fix = "publish: " + srv_line("_xmpp-server", lookup.domain, options.port,
                                                 edge_or_placeholder(options, lookup.domain));
  if (!service.query.answered) {
    return {"srv.present", Status::kFail, owner + ": no answer (" + service.query.error + ")", {}};
  }
  if (service.query.nxdomain) {
    return {"srv.present", Status::kFail, owner + ": no such name (NXDOMAIN)", {fix}};
  }
  if (service.records.empty()) {
    return {"srv.present", Status::kFail, owner + ": no SRV record (NODATA)", {fix}};
  }
  if (decidedly_absent(service)) {
    return {"srv.present",
            Status::kFail,
            owner + ": target \".\": the service is decidedly not offered (RFC 2782)",
            {"replace the \".\" record: " + fix.substr(9)}};
  }
  return {"srv.present",
          Status::kPass,
          owner + ": " + std::to_string(service.records.size()) +
              (service.records.size() == 1 ? " record" : " records") +
              " in RFC 2782 order: " + describe(service.records),
          {}};
}

Check srv_port(const DomainLookup& lookup, const DnsCheckOptions& options) {
  const auto& records = lookup.xmpp.records;
  if (records.empty() || decidedly_absent(lookup.xmpp)) {
    return {"srv.port", Status::kSkip, "no SRV record", {}};
  }
  std::vector<std::string> other;
  bool found = false;
  for (const auto& record : records) {
    if (record.port == options.port) {
      found = true;
    } else {
      other.push_back(record.target + ":" + std::to_string(record.port));
    }
  }
  if (!found) {
    return {
        "srv.port",
        Status::kFail,
        "no SRV record uses port " + std::to_string(options.port) + " (found " + join(other) + ")",
        {"publish: " + srv_line("_xmpp-server", lookup.domain, options.port,
                                edge_or_placeholder(options, lookup.domain))}};
  }
  if (!other.empty()) {
    return {"srv.port",
            Status::kWarn,
            "port " + std::to_string(options.port) + " used, but also " + join(other),
            {}};
  }
  return {"srv.port", Status::kPass, "every target uses port " + std::to_string(options.port), {}};
}

Check srv_target(const DomainLookup& lookup, const DnsCheckOptions& options) {
  if (options.edge_fqdn.empty()) {
    return {"srv.target", Status::kSkip, "no edge FQDN given (--edge-fqdn or edge.fqdn)", {}};
  }
  const auto targets = srv_targets(lookup);
  if (targets.empty()) {
    return {"srv.target", Status::kSkip, "no SRV target", {}};
  }
  if (std::find(targets.begin(), targets.end(), options.edge_fqdn) == targets.end()) {
    return {
        "srv.target",
        Status::kFail,
        options.edge_fqdn + " is not among the targets (" + join(targets) + ")",
        {"publish: " + srv_line("_xmpp-server", lookup.domain, options.port, options.edge_fqdn)}};
  }
  return {"srv.target", Status::kPass, options.edge_fqdn + " is a target", {}};
}

// "edge.corp.example: IPv4 192.0.2.1, IPv6 2001:db8::1"
std::string describe_addresses(const TargetLookup& target) {
  std::vector<std::string> parts;
  if (!target.ipv4.empty()) {
    parts.push_back("IPv4 " + join(target.ipv4, " "));
  }
  if (!target.ipv6.empty()) {
    parts.push_back("IPv6 " + join(target.ipv6, " "));
  }
  return target.name + ": " + join(parts);
}

std::string address_problem(const TargetLookup& target) {
  if (!target.a.answered && !target.aaaa.answered) {
    return target.name + ": no answer (" + target.a.error + ")";
  }
  if (target.a.nxdomain || target.aaaa.nxdomain) {
    return target.name + ": no such name (NXDOMAIN)";
  }
  return target.name + ": neither A nor AAAA";
}

Check srv_target_address(const DomainLookup& lookup) {
  const auto targets = srv_targets(lookup);
  if (targets.empty()) {
    return {"srv.target_address", Status::kSkip, "no SRV target", {}};
  }
  std::vector<std::string> good;
  std::vector<std::string> bad;
  std::vector<std::string> fixes;
  bool only_one_family = false;
  for (const auto& name : targets) {
    const auto it = lookup.targets.find(name);
    if (it == lookup.targets.end()) {
      continue;
    }
    const auto& target = it->second;
    if (target.ipv4.empty() && target.ipv6.empty()) {
      bad.push_back(address_problem(target));
      fixes.push_back("publish: " + name + ". 3600 IN A <the edge's public IPv4 address>");
    } else {
      only_one_family = only_one_family || target.ipv4.empty() || target.ipv6.empty();
      good.push_back(describe_addresses(target));
    }
  }
  if (!bad.empty()) {
    auto message = join(bad, "; ");
    if (!good.empty()) {
      message += "; " + join(good, "; ");
    }
    return {"srv.target_address", Status::kFail, message, fixes};
  }
  (void)only_one_family;  // one family is legitimate; the message names which
  return {"srv.target_address", Status::kPass, join(good, "; "), {}};
}

Check srv_target_alias(const DomainLookup& lookup) {
  const auto targets = srv_targets(lookup);
  if (targets.empty()) {
    return {"srv.target_alias", Status::kSkip, "no SRV target", {}};
  }
  std::vector<std::string> aliases;
  std::vector<std::string> fixes;
  for (const auto& name : targets) {
    const auto it = lookup.targets.find(name);
    if (it != lookup.targets.end() && it->second.cname) {
      aliases.push_back(name + " is a CNAME for " + *it->second.cname);
      fixes.push_back("replace the CNAME " + name + " with A/AAAA records, or point the SRV at " +
                      *it->second.cname);
    }
  }
  if (!aliases.empty()) {
    return {"srv.target_alias", Status::kFail,
            join(aliases, "; ") + " (RFC 2782: a target must not be an alias)", fixes};
  }
  return {"srv.target_alias", Status::kPass, "no target is a CNAME", {}};
}

Check srv_xmpps(const DomainLookup& lookup, const DnsCheckOptions& options) {
  const auto& service = lookup.xmpps;
  const std::string owner = "_xmpps-server._tcp." + lookup.domain;
  const std::string fix =
      "publish: " + srv_line("_xmpps-server", lookup.domain, options.direct_tls_port,
                             edge_or_placeholder(options, lookup.domain));
  if (!service.query.answered) {
    return {"srv.xmpps", Status::kWarn, owner + ": no answer (" + service.query.error + ")", {}};
  }
  if (service.records.empty()) {
    if (options.direct_tls_configured) {
      return {"srv.xmpps",
              Status::kWarn,
              owner + ": absent although listen.direct_tls is configured (XEP-0368)",
              {fix}};
    }
    return {"srv.xmpps", Status::kSkip, owner + ": absent (XEP-0368 direct TLS not offered)", {}};
  }
  if (decidedly_absent(service)) {
    return {"srv.xmpps",
            Status::kSkip,
            owner + ": target \".\" (direct TLS decidedly not offered)",
            {}};
  }
  std::vector<std::string> problems;
  for (const auto& record : service.records) {
    const auto it = lookup.targets.find(record.target);
    if (it == lookup.targets.end()) {
      continue;
    }
    if (it->second.cname) {
      problems.push_back(record.target + " is a CNAME");
    } else if (it->second.ipv4.empty() && it->second.ipv6.empty()) {
      problems.push_back(record.target + " has neither A nor AAAA");
    }
  }
  if (!problems.empty()) {
    return {"srv.xmpps",
            Status::kWarn,
            owner + ": " + describe(service.records) + "; " + join(problems, "; "),
            {}};
  }
  return {"srv.xmpps", Status::kPass, owner + ": " + describe(service.records), {}};
}

void collect(const QueryOutcome& query, std::vector<std::string>& secure,
             std::vector<std::string>& insecure, std::vector<std::string>& bogus) {
  if (!query.answered || !query.security) {
    return;
  }
  const std::string label = query.type + " " + query.name;
  switch (query.security->security) {
    case dns::Security::kSecure: secure.push_back(label); break;
    case dns::Security::kInsecure:
      insecure.push_back(label);
      // The reason once per distinct cause ("no trust anchor covers ..." is evident).
      if (!query.security->detail.starts_with("no trust anchor") &&
          std::find(insecure.begin(), insecure.end(), "(" + query.security->detail + ")") ==
              insecure.end()) {
        insecure.push_back("(" + query.security->detail + ")");
      }
      break;
    case dns::Security::kBogus: bogus.push_back(label + " (" + query.security->detail + ")"); break;
  }
}

Check dnssec(const DomainLookup& lookup, const DnsCheckOptions& options) {
  if (!options.dnssec) {
    return {"dnssec",
            Status::kSkip,
            "no trust anchor given (--trust-anchor or dns.trust_anchor_file)",
            {}};
  }
  std::vector<std::string> secure;
  std::vector<std::string> insecure;
  std::vector<std::string> bogus;
  collect(lookup.xmpp.query, secure, insecure, bogus);
  if (!lookup.xmpps.records.empty()) {
    collect(lookup.xmpps.query, secure, insecure, bogus);
  }
  for (const auto& [name, target] : lookup.targets) {
    collect(target.a, secure, insecure, bogus);
    collect(target.aaaa, secure, insecure, bogus);
  }
  for (const auto& [owner, tlsa] : lookup.tlsa) {
    collect(tlsa.query, secure, insecure, bogus);
  }
  if (!bogus.empty()) {
    return {"dnssec",
            Status::kFail,
            "bogus: " + join(bogus, "; "),
            {"re-sign the zone (ldns-signzone, or your signer) and check that the DS at the "
             "parent matches the DNSKEY"}};
  }
  if (!insecure.empty()) {
    return {"dnssec",
            Status::kWarn,
            "insecure: " + join(insecure) +
                (secure.empty() ? "" : "; secure: " + std::to_string(secure.size()) + " answers"),
            {"sign the zone and publish its DS at the parent"}};
  }
  if (secure.empty()) {
    return {"dnssec", Status::kSkip, "no answer to validate", {}};
  }
  return {"dnssec", Status::kPass, "secure: " + join(secure), {}};
}

}  // namespace

std::string srv_line(const std::string& service, const std::string& domain, std::uint16_t port,
                     const std::string& target) {
  return service + "._tcp." + domain + ". 3600 IN SRV 0 5 " + std::to_string(port) + " " + target +
         ".";
}

std::vector<std::string> srv_targets(const DomainLookup& lookup) {
  std::vector<std::string> targets;
  for (const auto& record : lookup.xmpp.records) {
    if (record.target != "." && !record.target.empty() &&
        std::find(targets.begin(), targets.end(), record.target) == targets.end()) {
      targets.push_back(record.target);
    }
  }
  return targets;
}

std::vector<Check> evaluate_dns(const DomainLookup& lookup, const DnsCheckOptions& options) {
  return {srv_present(lookup, options), srv_port(lookup, options), srv_target(lookup, options),
          srv_target_address(lookup),   srv_target_alias(lookup),  srv_xmpps(lookup, options),
          dnssec(lookup, options)};
}

}  // namespace edgekit::dnstool
