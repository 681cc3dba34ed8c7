#include "dnstool/lookup.hpp"

#include <future>
#include <set>
#include <string>
#include <utility>

namespace edgekit::dnstool {
namespace {

struct QueryResult {
  QueryOutcome outcome;
  std::optional<dns::Answer> answer;
};

QueryResult run_query(const std::string& name, std::uint16_t type, const std::string& type_name,
                      const LookupOptions& options) {
  QueryResult result;
  result.outcome.name = name;
  result.outcome.type = type_name;
  auto client = dns::DnsClient::create(options.client);
  if (!client) {
    result.outcome.error = client.error().message();
    result.outcome.no_nameserver = true;
    return result;
  }
  auto answer = client.value().query(name, type);
  if (!answer) {
    result.outcome.error =
        answer.error().why.empty() ? answer.error().message() : answer.error().why;
    result.outcome.no_nameserver =
        answer.error().code == dns::make_error_code(dns::DnsErrc::kNoAnswer);
    return result;
  }
  result.outcome.answered = true;
  result.outcome.nxdomain = answer.value().nxdomain();
  if (options.anchors != nullptr) {
    result.outcome.security = dns::validate(client.value(), answer.value(), *options.anchors);
  }
  result.answer = std::move(answer).value();
  return result;
}

ServiceLookup lookup_service(const std::string& owner, const LookupOptions& options) {
  auto result = run_query(owner, LDNS_RR_TYPE_SRV, "SRV", options);
  ServiceLookup service;
  service.query = std::move(result.outcome);
  if (result.answer) {
    service.records = dns::rfc2782_order(dns::srv_records(*result.answer));
  }
  return service;
}

TargetLookup lookup_target(const std::string& target, const LookupOptions& options) {
  auto a_future =
      std::async(std::launch::async, run_query, target, LDNS_RR_TYPE_A, "A", std::cref(options));
  auto aaaa = run_query(target, LDNS_RR_TYPE_AAAA, "AAAA", options);
  auto a = a_future.get();
  TargetLookup lookup;
  lookup.name = target;
  if (a.answer) {
    lookup.cname = dns::cname_of(*a.answer);
    lookup.ipv4 = dns::address_records(*a.answer);
  }
  if (aaaa.answer) {
    if (!lookup.cname) {
      lookup.cname = dns::cname_of(*aaaa.answer);
    }
    lookup.ipv6 = dns::address_records(*aaaa.answer);
  }
  lookup.a = std::move(a.outcome);
  lookup.aaaa = std::move(aaaa.outcome);
  return lookup;
}

TlsaLookup lookup_tlsa(const std::string& owner, const LookupOptions& options) {
  auto result = run_query(owner, LDNS_RR_TYPE_TLSA, "TLSA", options);
  TlsaLookup lookup;
  lookup.owner = owner;
  lookup.query = std::move(result.outcome);
  if (result.answer) {
    lookup.records = dns::tlsa_records(*result.answer);
  }
  return lookup;
}

}  // namespace

DomainLookup lookup_domain(const std::string& domain, const LookupOptions& options) {
  DomainLookup lookup;
  lookup.domain = domain;
  auto xmpps = std::async(std::launch::async, lookup_service, "_xmpps-server._tcp." + domain,
                          std::cref(options));
  lookup.xmpp = lookup_service("_xmpp-server._tcp." + domain, options);
  lookup.xmpps = xmpps.get();

  // Every distinct target and every (port, target) TLSA owner, all queried at once.
  std::set<std::string> targets;
  std::set<std::string> tlsa_owners;
  for (const auto* service : {&lookup.xmpp, &lookup.xmpps}) {
    for (const auto& record : service->records) {
      if (record.target == "." || record.target.empty()) {
        continue;
      }
      targets.insert(record.target);
      // Appended, not `"_" + std::to_string(...) + ...`: g++ 12 at -O3 reports a false
      // -Wrestrict on that expression (GCC bug 105651; see common/x509_inspect.cpp).
      std::string owner = "_";
      owner.append(std::to_string(record.port)).append("._tcp.").append(record.target);
      tlsa_owners.insert(std::move(owner));
    }
  }
  std::vector<std::future<TargetLookup>> target_futures;
  target_futures.reserve(targets.size());
  for (const auto& target : targets) {
    target_futures.push_back(
        std::async(std::launch::async, lookup_target, target, std::cref(options)));
  }
  std::vector<std::future<TlsaLookup>> tlsa_futures;
  tlsa_futures.reserve(tlsa_owners.size());
  for (const auto& owner : tlsa_owners) {
    tlsa_futures.push_back(std::async(std::launch::async, lookup_tlsa, owner, std::cref(options)));
  }
  for (auto& future : target_futures) {
    auto target = future.get();
    lookup.targets.emplace(target.name, std::move(target));
  }
  for (auto& future : tlsa_futures) {
    auto tlsa = future.get();
    lookup.tlsa.emplace(tlsa.owner, std::move(tlsa));
  }
  return lookup;
}

}  // namespace edgekit::dnstool
