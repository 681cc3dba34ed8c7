#pragma once
// The certificate request: which names the edge needs (from edgekit.toml) and the PKCS#10 CSR
// that carries them, plus reading a CSR back for `show`.

#include <string>
#include <string_view>
#include <vector>

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/openssl_ptr.hpp"

namespace edgekit::certtool {

struct SubjectParts {
  std::string common_name;
  std::string organization;
  std::string organizational_unit;
  std::string locality;
  std::string state;
  std::string country;
};

struct RequestPlan {
  SubjectParts subject;
  std::vector<std::string> dns_names;   // A-labels, deduplicated, edge FQDN first
  std::vector<std::string> srv_names;   // SRVName "_xmpp-server.<d>" (xmpp_identities)
  std::vector<std::string> xmpp_addrs;  // id-on-xmppAddr "<d>" (xmpp_identities)
  std::vector<std::string> warnings;
};

// The names (docs/reference.md, `certtool request`): CN = edge FQDN; SANs: fqdn, xmpp domains,
// sip.<d> per SIP domain, additional SANs. Wildcards are refused unless allow_wildcard (Lync's
// rule: the edge external certificate names the edge, not a zone).
Result<RequestPlan> plan_request(const Config& config, bool allow_wildcard);

Result<ossl::X509ReqPtr> build_csr(const RequestPlan& plan, EVP_PKEY* key);
std::string csr_to_pem(X509_REQ* csr);
Result<ossl::X509ReqPtr> parse_csr(std::string_view bytes);  // PEM or DER
bool looks_like_csr(std::string_view bytes) noexcept;

struct CsrInfo {
  std::string subject;
  std::vector<std::string> dns_names;
  std::vector<std::string> other_names;
  std::string key;
  std::string spki_sha256;
  bool signature_ok = false;
};
CsrInfo inspect_csr(X509_REQ* csr);

}  // namespace edgekit::certtool
