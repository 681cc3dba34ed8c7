// The DNS checks as pure functions of looked-up data: each mistake maps to its check id.
#include <gtest/gtest.h>

#include "dnstool/dns_checks.hpp"

namespace edgekit::dnstool {
namespace {

QueryOutcome answered(std::string name, std::string type) {
  QueryOutcome outcome;
  outcome.name = std::move(name);
  outcome.type = std::move(type);
  outcome.answered = true;
  return outcome;
}

DomainLookup good_lookup() {
  DomainLookup lookup;
  lookup.domain = "corp.example";
  lookup.xmpp.query = answered("_xmpp-server._tcp.corp.example", "SRV");
  lookup.xmpp.records = {{0, 5, 5269, "edge.corp.example", 300}};
  lookup.xmpps.query = answered("_xmpps-server._tcp.corp.example", "SRV");
  TargetLookup target;
  target.name = "edge.corp.example";
  target.a = answered(target.name, "A");
  target.aaaa = answered(target.name, "AAAA");
  target.ipv4 = {"192.0.2.1"};
  lookup.targets.emplace(target.name, target);
  return lookup;
}

Check find(const std::vector<Check>& checks, const std::string& id) {
  for (const auto& check : checks) {
    if (check.id == id) {
      return check;
    }
  }
  throw std::runtime_error("no check " + id);
}

DnsCheckOptions options() {
  DnsCheckOptions result;
  result.edge_fqdn = "edge.corp.example";
  return result;
}

TEST(DnsChecks, GoodDomainPassesEverySrvCheck) {
  const auto checks = evaluate_dns(good_lookup(), options());
  for (const char* id :
       {"srv.present", "srv.port", "srv.target", "srv.target_address", "srv.target_alias"}) {
    EXPECT_EQ(find(checks, id).status, Status::kPass) << id << ": " << find(checks, id).message;
  }
  EXPECT_EQ(find(checks, "srv.xmpps").status, Status::kSkip);
  EXPECT_EQ(find(checks, "dnssec").status, Status::kSkip);
  EXPECT_NE(find(checks, "srv.target_address").message.find("IPv4 192.0.2.1"), std::string::npos);
}

TEST(DnsChecks, WrongPortFailsWithFix) {
  auto lookup = good_lookup();
  lookup.xmpp.records.front().port = 5222;
  const auto check = find(evaluate_dns(lookup, options()), "srv.port");
  EXPECT_EQ(check.status, Status::kFail);
  ASSERT_EQ(check.fixes.size(), 1U);
  EXPECT_EQ(check.fixes.front(),
            "publish: _xmpp-server._tcp.corp.example. 3600 IN SRV 0 5 5269 edge.corp.example.");
}

TEST(DnsChecks, DotTargetMeansNotOffered) {
  auto lookup = good_lookup();
  lookup.xmpp.records = {{0, 0, 0, ".", 300}};
  const auto checks = evaluate_dns(lookup, options());
  EXPECT_EQ(find(checks, "srv.present").status, Status::kFail);
  EXPECT_EQ(find(checks, "srv.port").status, Status::kSkip);
}

TEST(DnsChecks, NxdomainAndNodata) {
  auto lookup = good_lookup();
  lookup.xmpp.records.clear();
  lookup.xmpp.query.nxdomain = true;
  EXPECT_NE(find(evaluate_dns(lookup, options()), "srv.present").message.find("NXDOMAIN"),
            std::string::npos);
  lookup.xmpp.query.nxdomain = false;
  EXPECT_NE(find(evaluate_dns(lookup, options()), "srv.present").message.find("NODATA"),
            std::string::npos);
}

TEST(DnsChecks, CnameTargetFails) {
  auto lookup = good_lookup();
  lookup.targets.begin()->second.cname = "host.corp.example";
  EXPECT_EQ(find(evaluate_dns(lookup, options()), "srv.target_alias").status, Status::kFail);
}

TEST(DnsChecks, TargetWithoutAddressFails) {
  auto lookup = good_lookup();
  lookup.targets.begin()->second.ipv4.clear();
  EXPECT_EQ(find(evaluate_dns(lookup, options()), "srv.target_address").status, Status::kFail);
}

TEST(DnsChecks, EdgeNotAmongTargets) {
  auto opts = options();
  opts.edge_fqdn = "other.corp.example";
  EXPECT_EQ(find(evaluate_dns(good_lookup(), opts), "srv.target").status, Status::kFail);
  opts.edge_fqdn.clear();
  EXPECT_EQ(find(evaluate_dns(good_lookup(), opts), "srv.target").status, Status::kSkip);
}

TEST(DnsChecks, XmppsAbsentWarnsOnlyWhenDirectTlsConfigured) {
  auto opts = options();
  opts.direct_tls_configured = true;
  EXPECT_EQ(find(evaluate_dns(good_lookup(), opts), "srv.xmpps").status, Status::kWarn);
}

TEST(DnsChecks, DnssecBogusFailsInsecureWarns) {
  auto lookup = good_lookup();
  auto opts = options();
  opts.dnssec = true;
  lookup.xmpp.query.security = dns::Validation{dns::Security::kSecure, ""};
  lookup.targets.begin()->second.a.security = dns::Validation{dns::Security::kSecure, ""};
  lookup.targets.begin()->second.aaaa.security = dns::Validation{dns::Security::kSecure, ""};
  EXPECT_EQ(find(evaluate_dns(lookup, opts), "dnssec").status, Status::kPass);
  lookup.targets.begin()->second.a.security = dns::Validation{dns::Security::kInsecure, ""};
  EXPECT_EQ(find(evaluate_dns(lookup, opts), "dnssec").status, Status::kWarn);
  lookup.xmpp.query.security = dns::Validation{dns::Security::kBogus, "signature expired"};
  const auto check = find(evaluate_dns(lookup, opts), "dnssec");
  EXPECT_EQ(check.status, Status::kFail);
  EXPECT_NE(check.message.find("signature expired"), std::string::npos);
}

}  // namespace
}  // namespace edgekit::dnstool
