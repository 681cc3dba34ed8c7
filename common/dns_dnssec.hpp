#pragma once
// DNSSEC validation of the answers a DnsClient returns, against configured trust anchors (DS or
// DNSKEY records in zone-file syntax, e.g. `ldns-keygen`'s .ds/.key files or unbound's
// trust-anchor-file). The chain from an anchor down to the signer is chased through the same
// nameservers (ldns_verify_trusted); denial of existence is checked with NSEC or NSEC3.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns_client.hpp"
#include "common/error.hpp"
#include "common/ldns_ptr.hpp"

namespace edgekit::dns {

enum class Security { kSecure, kInsecure, kBogus };
std::string_view to_string(Security value) noexcept;

class TrustAnchors {
 public:
  // Zone-file lines; comments (';', '#'), blank lines and $TTL/$ORIGIN-free parenthesised
  // records are accepted. Records other than DS and DNSKEY are errors naming the line.
  static Result<TrustAnchors> parse(std::string_view text, std::string_view source = "anchors");
  static Result<TrustAnchors> load(const std::filesystem::path& path);

  [[nodiscard]] bool empty() const noexcept { return records_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return records_.size(); }
  // The anchored zones (canonical names), e.g. {"corp.example"}.
  [[nodiscard]] const std::vector<std::string>& zones() const noexcept { return zones_; }
  // The anchored zone that contains `name` (deepest wins), or "" when none does.
  [[nodiscard]] std::string zone_for(std::string_view name) const;
  // Installs the anchors in every resolver of the client (ldns clones them).
  void install(DnsClient& client) const;

 private:
  std::vector<ldns::RrPtr> records_;
  std::vector<std::string> zones_;
};

struct Validation {
  Security security = Security::kInsecure;
  std::string detail;  // why: "signed by corp.example (ECDSAP256SHA256)", "signature expired"
};

// Validates every RRset of the answer section (or the NSEC/NSEC3 denial of a negative answer).
// The client must have been created with dnssec = true and the anchors installed.
// Data without signatures under an anchor is insecure when its zone is a provably unsigned
// delegation (the parent's signed NSEC/NSEC3 shows no DS), bogus otherwise.
Validation validate(DnsClient& client, const Answer& answer, const TrustAnchors& anchors);
// The same with a recursion depth (for proving insecure delegations); callers use validate.
Validation validate_at_depth(DnsClient& client, const Answer& answer, const TrustAnchors& anchors,
                             int depth);

}  // namespace edgekit::dns
