#include "dnstool/checker.hpp"

#include <algorithm>
#include <future>

#include "common/dns_dnssec.hpp"
#include "dnstool/cert_checks.hpp"
#include "dnstool/dns_checks.hpp"
#include "dnstool/edge_certificate.hpp"
#include "dnstool/lookup.hpp"
#include "dnstool/posh_fetch.hpp"
#include "dnstool/probe_checks.hpp"

namespace edgekit::dnstool {
namespace {

bool nobody_answered(const DomainLookup& lookup) {
  return lookup.xmpp.query.no_nameserver && lookup.xmpps.query.no_nameserver;
}

}  // namespace

Result<CheckRun> run_checks(const CheckSettings& settings) {
  std::optional<dns::TrustAnchors> anchors;
  if (!settings.trust_anchor_file.empty()) {
    auto loaded = dns::TrustAnchors::load(settings.trust_anchor_file);
    if (!loaded) {
      return loaded.error();
    }
    anchors = std::move(loaded).value();
  }
  std::string missing_why;
  auto certificate = load_edge_certificate(settings.cert_file, settings.store_dir, missing_why);
  if (!certificate) {
    return certificate.error();
  }
  CertCheckContext cert_context;
  cert_context.certificate = certificate.value() ? &*certificate.value() : nullptr;
  cert_context.missing_why = missing_why;
  cert_context.edge_fqdn = settings.edge_fqdn;
  cert_context.dnssec = anchors.has_value();

  std::optional<x509::TrustAnchors> roots;
  if (settings.probe) {
    auto loaded = x509::TrustAnchors::from_file_or_system(settings.ca_file);
    if (!loaded) {
      return loaded.error();
    }
    roots = std::move(loaded).value();
  }

  LookupOptions options;
  options.client.nameservers = settings.nameservers;
  options.client.timeout = settings.timeout;
  options.client.dnssec = anchors.has_value();
  options.anchors = anchors ? &*anchors : nullptr;
  options.expected_port = settings.port;

  std::vector<std::future<DomainLookup>> futures;
  futures.reserve(settings.domains.size());
  for (const auto& domain : settings.domains) {
    futures.push_back(std::async(std::launch::async, lookup_domain, domain, std::cref(options)));
  }
  DnsCheckOptions dns_options;
  dns_options.port = settings.port;
  dns_options.edge_fqdn = settings.edge_fqdn;
  dns_options.direct_tls_configured = settings.direct_tls_configured;
  dns_options.direct_tls_port = settings.direct_tls_port;
  dns_options.dnssec = anchors.has_value();

  CheckRun run;
  run.no_nameserver = true;
  for (auto& future : futures) {
    const DomainLookup lookup = future.get();
    if (!nobody_answered(lookup)) {
      run.no_nameserver = false;
    } else if (run.nameserver_error.empty()) {
      run.nameserver_error = lookup.xmpp.query.error;
    }
    DomainReport domain{lookup.domain, evaluate_dns(lookup, dns_options)};
    domain.checks.push_back(evaluate_tlsa(lookup, cert_context));
    for (auto& check : evaluate_certificate(lookup, cert_context)) {
      domain.checks.push_back(std::move(check));
    }
    if (settings.posh) {
      PoshFetchOptions posh_options;
      posh_options.connect_to = settings.connect_to;
      posh_options.ca_file = settings.ca_file;
      // HTTPS needs more than one DNS round trip: never less than 3 s, whatever --timeout-ms.
      posh_options.timeout = std::max(settings.timeout * 2, std::chrono::milliseconds(3000));
      domain.checks.push_back(evaluate_posh(lookup.domain, fetch_posh(lookup.domain, posh_options),
                                            cert_context.certificate, missing_why));
    } else {
      domain.checks.push_back({"posh", Status::kSkip, "not requested (--posh)", {}});
    }
    std::vector<Check> probe = probe_not_requested();
    if (settings.probe) {
      std::vector<ProbeResult> results;
      for (const auto& target : probe_targets(lookup, settings.probe_address, settings.port)) {
        results.push_back(run_probe(target, lookup.domain, settings.timeout));
      }
      probe = evaluate_probe(results, lookup.domain, settings.tls_required, *roots);
    }
    for (auto& check : probe) {
      domain.checks.push_back(std::move(check));
    }
    run.report.results.push_back(std::move(domain));
  }
  return run;
}

}  // namespace edgekit::dnstool
