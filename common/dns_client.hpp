#pragma once
// A small DNS query layer over ldns: explicit nameservers on any port (each tried in order),
// UDP with TCP fallback when an answer is truncated, bounded timeouts and retries, and typed
// views of the answers a federation edge needs (SRV, A/AAAA, CNAME, TLSA). DNSSEC validation
// lives in dns_dnssec.hpp.
//
// A DnsClient is not thread-safe; create one per thread (they are cheap) to query concurrently.

// ldns/common.h defines a `bool` macro unless stdbool.h came first (clang), which breaks C++
// headers included after it (nlohmann-json).
#include <stdbool.h>  // NOLINT(modernize-deprecated-headers)

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/ldns_ptr.hpp"

namespace edgekit::dns {

enum class DnsErrc {
  kBadName = 1,     // the name to query is not a valid domain name
  kBadNameserver,   // a nameserver is not an IP address
  kNoAnswer,        // no nameserver answered within the time limit
  kServerFailure,   // SERVFAIL, REFUSED, NOTIMP, FORMERR from every nameserver
  kBadTrustAnchor,  // the trust-anchor file cannot be read or parsed
};
const EdgekitCategory& dns_category() noexcept;
std::error_code make_error_code(DnsErrc value) noexcept;

struct Nameserver {
  std::string address;  // an IPv4 or IPv6 literal
  std::uint16_t port = 53;

  [[nodiscard]] std::string to_string() const;
};

// "192.0.2.1", "192.0.2.1:5353", "::1", "[::1]:5353".
std::optional<Nameserver> parse_nameserver(std::string_view text);

struct ClientOptions {
  // Empty: the system resolver (/etc/resolv.conf). Never leave empty in tests.
  std::vector<Nameserver> nameservers;
  std::chrono::milliseconds timeout{1500};  // per attempt
  std::uint8_t retries = 2;                 // attempts per nameserver
  bool dnssec = false;                      // set DO (and CD, so bogus data is still returned)
};

// One response: rcode plus the packet for typed views and for DNSSEC validation.
struct Answer {
  std::string qname;  // as queried, lower-case, no trailing dot
  std::uint16_t qtype = 0;
  int rcode = 0;  // LDNS_RCODE_*
  Nameserver server;
  ldns::PacketPtr packet;

  [[nodiscard]] bool nxdomain() const noexcept;
  // NOERROR without any record of the asked type (after following CNAMEs).
  [[nodiscard]] bool nodata() const;
};

class DnsClient {
 public:
  static Result<DnsClient> create(ClientOptions options);

  // Queries name/type; tries each nameserver in order until one answers with NOERROR or
  // NXDOMAIN. Errors are kNoAnswer (nobody answered) and kServerFailure.
  [[nodiscard]] Result<Answer> query(std::string_view name, std::uint16_t type);

  // The underlying resolver of the first nameserver (for DNSSEC chasing through ldns).
  [[nodiscard]] ldns_resolver* resolver() const noexcept { return resolvers_.front().get(); }
  // The resolver of the nameserver that gave an answer, so a chase asks the same server.
  [[nodiscard]] ldns_resolver* resolver_for(const Nameserver& server) const noexcept;
  [[nodiscard]] const std::vector<ldns::ResolverPtr>& resolvers() const noexcept {
    return resolvers_;
  }
  [[nodiscard]] const ClientOptions& options() const noexcept { return options_; }

 private:
  DnsClient(ClientOptions options, std::vector<ldns::ResolverPtr> resolvers,
            std::vector<Nameserver> servers)
      : options_(std::move(options)),
        resolvers_(std::move(resolvers)),
        servers_(std::move(servers)) {}

  ClientOptions options_;
  std::vector<ldns::ResolverPtr> resolvers_;  // one per nameserver: ldns has one port each
  std::vector<Nameserver> servers_;
};

// Typed views of an answer section (only records owned by the queried name or, for address
// queries, by the end of its CNAME chain).
struct SrvRecord {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;  // lower-case, no trailing dot; "." stays "."
  std::uint32_t ttl = 0;
};
struct TlsaRecord {
  std::uint8_t usage = 0;
  std::uint8_t selector = 0;
  std::uint8_t matching_type = 0;
  std::vector<std::uint8_t> data;
};

std::vector<SrvRecord> srv_records(const Answer& answer);
std::vector<std::string> address_records(const Answer& answer);  // A and AAAA text forms
std::vector<TlsaRecord> tlsa_records(const Answer& answer);
// The CNAME target of the queried name itself, if the answer has one.
std::optional<std::string> cname_of(const Answer& answer);

// RFC 2782 order for reports: ascending priority; within one priority, weight-ordered
// (heavier first, the order a weighted selection most likely tries them), ties keep the
// published order. Deterministic, so the same records always print the same way.
std::vector<SrvRecord> rfc2782_order(std::vector<SrvRecord> records);

// A uniform random integer in [0, bound], both ends included.
using SrvRandom = std::function<std::uint32_t(std::uint32_t bound)>;
// The order a client tries SRV targets in (RFC 2782 "Usage rules"): ascending priority; within
// one priority, zero-weight records first, then repeatedly the first record whose running
// weight sum reaches random(total weight of the records left), so a record is picked with a
// chance proportional to its weight and a zero-weight one only when the draw is 0 or nothing
// heavier is left. Deterministic for a given random source (tests inject one).
std::vector<SrvRecord> rfc2782_selection_order(std::vector<SrvRecord> records,
                                               const SrvRandom& random);
// The random source for real connections: a per-thread generator seeded from the system.
std::uint32_t srv_random(std::uint32_t bound);

// "Corp.Example." -> "corp.example"
std::string canonical_name(std::string_view name);

}  // namespace edgekit::dns

template <>
struct std::is_error_code_enum<edgekit::dns::DnsErrc> : std::true_type {};
