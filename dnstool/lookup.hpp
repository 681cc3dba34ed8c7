#pragma once
// Gathers, concurrently, every DNS answer `dnstool check` needs for one domain: both SRV
// records, then for each target its CNAME/A/AAAA and the TLSA at _<port>._tcp.<target>, each
// with its DNSSEC verdict when trust anchors are given. The checks themselves (dns_checks.hpp)
// are pure functions of this data.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/dns_client.hpp"
#include "common/dns_dnssec.hpp"

namespace edgekit::dnstool {

// One query's outcome, reduced to what the checks need.
struct QueryOutcome {
  std::string name;
  std::string type;            // "SRV", "A", ...
  bool answered = false;       // a NOERROR or NXDOMAIN came back
  bool no_nameserver = false;  // nobody answered at all (timeout, refused connection)
  std::string error;           // why not answered
  bool nxdomain = false;
  std::optional<dns::Validation> security;  // set when trust anchors are configured
};

struct ServiceLookup {
  QueryOutcome query;
  std::vector<dns::SrvRecord> records;  // in RFC 2782 order
};

struct TargetLookup {
  std::string name;
  QueryOutcome a;
  QueryOutcome aaaa;
  std::optional<std::string> cname;  // the target is an alias for this name
  std::vector<std::string> ipv4;
  std::vector<std::string> ipv6;
};

struct TlsaLookup {
  std::string owner;  // _5269._tcp.edge.corp.example
  QueryOutcome query;
  std::vector<dns::TlsaRecord> records;
};

struct DomainLookup {
  std::string domain;
  ServiceLookup xmpp;                           // _xmpp-server._tcp.<domain>
  ServiceLookup xmpps;                          // _xmpps-server._tcp.<domain> (XEP-0368)
  std::map<std::string, TargetLookup> targets;  // every distinct target of both records
  std::map<std::string, TlsaLookup> tlsa;       // by owner name
};

struct LookupOptions {
  dns::ClientOptions client;
  const dns::TrustAnchors* anchors = nullptr;  // nullptr: no validation
  std::uint16_t expected_port = 5269;
};

// Runs the queries with one DnsClient per concurrent task.
DomainLookup lookup_domain(const std::string& domain, const LookupOptions& options);

}  // namespace edgekit::dnstool
