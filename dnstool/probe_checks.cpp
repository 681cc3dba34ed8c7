#include "dnstool/probe_checks.hpp"

#include <fmt/format.h>

#include "common/dns_client.hpp"

namespace edgekit::dnstool {
namespace {

constexpr std::size_t kMaxProbeTargets = 4;

std::string join(const std::vector<std::string>& items, std::string_view separator = "; ") {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : std::string(separator)) + item;
  }
  return out;
}

std::string yes_no(bool value, std::string_view what) {
  return std::string(what) + (value ? " offered" : " not offered");
}

}  // namespace

std::vector<ProbeTarget> probe_targets(const DomainLookup& lookup,
                                       const std::optional<std::string>& probe_address,
                                       std::uint16_t default_port) {
  std::vector<ProbeTarget> targets;
  if (probe_address) {
    auto parsed = dns::parse_nameserver(*probe_address);  // same IP[:PORT] syntax
    if (parsed) {
      const bool port_given = probe_address->find("]:") != std::string::npos ||
                              (probe_address->find(':') == probe_address->rfind(':') &&
                               probe_address->find(':') != std::string::npos);
      targets.push_back(
          {"--probe-address", parsed->address, port_given ? parsed->port : default_port});
    }
    return targets;
  }
  for (const auto& record : lookup.xmpp.records) {
    const auto it = lookup.targets.find(record.target);
    if (it == lookup.targets.end() || targets.size() >= kMaxProbeTargets) {
      continue;
    }
    const auto& addresses = it->second.ipv4.empty() ? it->second.ipv6 : it->second.ipv4;
    if (!addresses.empty()) {
      targets.push_back({record.target, addresses.front(), record.port});
    }
  }
  return targets;
}

std::vector<Check> probe_not_requested() {
  const std::string why = "not requested (--probe)";
  return {{"probe.connect", Status::kSkip, why, {}},
          {"probe.starttls", Status::kSkip, why, {}},
          {"probe.certificate", Status::kSkip, why, {}}};
}

std::vector<Check> evaluate_probe(const std::vector<ProbeResult>& results,
                                  const std::string& domain, bool tls_required,
                                  const x509::TrustAnchors& anchors) {
  if (results.empty()) {
    const std::string why = "nothing to probe: no SRV target with an address";
    return {{"probe.connect", Status::kFail, why, {}},
            {"probe.starttls", Status::kSkip, why, {}},
            {"probe.certificate", Status::kSkip, why, {}}};
  }
  std::vector<std::string> connect_ok;
  std::vector<std::string> connect_bad;
  std::vector<std::string> connect_fixes;
  std::vector<std::string> tls_ok;
  std::vector<std::string> tls_warn;
  std::vector<std::string> tls_bad;
  std::vector<std::string> cert_ok;
  std::vector<std::string> cert_bad;
  for (const auto& result : results) {
    const std::string label = result.target.label();
    if (!result.connected || !result.features_seen) {
      connect_bad.push_back(label + ": " + result.error);
      connect_fixes.push_back("let TCP " + std::to_string(result.target.port) + " reach " + label +
                              " and check that the edge listens there");
      continue;
    }
    connect_ok.push_back(label + " answered in " + std::to_string(result.elapsed.count()) + " ms");
    if (!result.before_tls.starttls) {
      const std::string message = label + ": no STARTTLS offered";
      (tls_required ? tls_bad : tls_warn).push_back(message);
      continue;
    }
    if (!result.tls_done) {
      tls_bad.push_back(label + ": " + result.error);
      continue;
    }
    std::string summary = label + ": STARTTLS " +
                          (result.before_tls.starttls_required ? "required" : "optional") + ", " +
                          result.tls_version;
    if (result.after_tls_features_seen) {
      summary += ", after TLS " + yes_no(result.after_tls.dialback, "dialback") + ", " +
                 yes_no(result.after_tls.sasl_external(), "SASL EXTERNAL");
    } else {
      summary += ", no features after TLS (" + result.error + ")";
    }
    tls_ok.push_back(summary);
    if (result.presented.empty()) {
      cert_bad.push_back(label + ": no certificate presented");
      continue;
    }
    std::vector<X509*> untrusted;
    for (std::size_t i = 1; i < result.presented.size(); ++i) {
      untrusted.push_back(result.presented[i].get());
    }
    const auto verdict = x509::verify_chain(result.presented.front().get(), untrusted, anchors,
                                            domain, x509::Purpose::kServer);
    const auto info = x509::inspect(result.presented.front().get());
    if (verdict.trusted) {
      cert_ok.push_back(
          fmt::format("{}: chain verified, valid for {} ({})", label, domain, info.subject));
    } else {
      cert_bad.push_back(
          fmt::format("{}: {} ({})", label, join(verdict.reasons, ", "), info.subject));
    }
  }
  std::vector<Check> checks;
  if (!connect_bad.empty()) {
    checks.push_back({"probe.connect", Status::kFail, join(connect_bad), connect_fixes});
  } else {
    checks.push_back({"probe.connect", Status::kPass, join(connect_ok), {}});
  }
  if (!tls_bad.empty()) {
    checks.push_back({"probe.starttls",
                      Status::kFail,
                      join(tls_bad),
                      {"enable STARTTLS with the assigned certificate on the edge "
                       "(tls = \"required\" partners cannot federate without it)"}});
  } else if (!tls_warn.empty()) {
    checks.push_back({"probe.starttls", Status::kWarn, join(tls_warn), {}});
  } else if (tls_ok.empty()) {
    checks.push_back({"probe.starttls", Status::kSkip, "no connection", {}});
  } else {
    checks.push_back({"probe.starttls", Status::kPass, join(tls_ok), {}});
  }
  if (!cert_bad.empty()) {
    checks.push_back({"probe.certificate",
                      Status::kFail,
                      join(cert_bad),
                      {"assign a certificate for " + domain +
                       " from a CA the partners trust, with its chain (certtool import, assign)"}});
  } else if (cert_ok.empty()) {
    checks.push_back({"probe.certificate", Status::kSkip, "no TLS handshake", {}});
  } else {
    checks.push_back({"probe.certificate", Status::kPass, join(cert_ok), {}});
  }
  return checks;
}

}  // namespace edgekit::dnstool
