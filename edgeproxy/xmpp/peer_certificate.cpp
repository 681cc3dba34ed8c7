#include "edgeproxy/xmpp/peer_certificate.hpp"

#include <string>

#include "common/jid.hpp"

namespace edgekit::edgeproxy {

std::string_view reason_code(ChainStatus status) noexcept {
  switch (status) {
    case ChainStatus::kTrusted: return "";
    case ChainStatus::kAbsent: return "partner-cert-missing";
    case ChainStatus::kUntrusted: return "partner-cert-untrusted";
    case ChainStatus::kBad: return "partner-cert-revoked-or-bad";
    case ChainStatus::kWrongPurpose: return "partner-cert-wrong-purpose";
    case ChainStatus::kExpired: return "partner-cert-expired";
    case ChainStatus::kNotYetValid: return "partner-cert-not-yet-valid";
  }
  return "partner-cert-revoked-or-bad";
}

std::string certificate_label(bool secured, std::string_view problem) {
  if (!secured) {
    return "none";
  }
  return problem.empty() ? "ok" : std::string(problem);
}

std::string_view dialback_method(bool secured, std::string_view problem) noexcept {
  return secured && !problem.empty() ? "dialback-over-unauthenticated-tls" : "dialback";
}

std::string_view CertificateCheck::problem(std::string_view domain) const {
  if (chain != ChainStatus::kTrusted) {
    return reason_code(chain);
  }
  if (!names_match || !names_match(domain)) {
    return "partner-cert-name-mismatch";
  }
  return "";
}

CertificateCheck CertificateCheck::trusted_for(std::string_view domain) {
  return CertificateCheck{ChainStatus::kTrusted,
                          [expected = std::string(domain)](std::string_view candidate) {
                            return iequals_ascii(candidate, expected);
                          }};
}

}  // namespace edgekit::edgeproxy
