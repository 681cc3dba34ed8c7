#pragma once
// What the TLS handshake learnt about the peer's certificate, as the pure cores see it: how
// its chain fared against the trust anchors (with the purpose the edge requires) and whether
// its names are valid for a domain. The cores never touch OpenSSL; the shell fills this in.
//
// A certificate authenticates a domain only when its chain is good *and* its names match
// (RFC 6120 §13.7.2, RFC 6125/9525). When it does not, problem() names why with the reason
// code that the log, the metrics and docs/troubleshooting.md use.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace edgekit::edgeproxy {

// The chain's verdict. When several problems were found the most fundamental one is kept:
// an untrusted certificate that has also expired reports kUntrusted.
enum class ChainStatus : std::uint8_t {
  kTrusted,       // chains to a trust anchor, within its validity, with the right purpose
  kAbsent,        // the peer sent no certificate (or there was no TLS)
  kUntrusted,     // self-signed, unknown issuer, incomplete chain
  kBad,           // revoked, bad signature, malformed, not a CA where one is needed, ...
  kWrongPurpose,  // its EKU list rules out the purpose we need (serverAuth by default)
  kExpired,
  kNotYetValid,
};

struct CertificateCheck {
  ChainStatus chain = ChainStatus::kAbsent;
  // Whether the certificate's names are valid for an XMPP domain (DNS-ID, SRV-ID,
  // id-on-xmppAddr; RFC 9525 wildcards). Empty when there is no certificate.
  std::function<bool(std::string_view domain)> names_match;

  [[nodiscard]] bool present() const noexcept { return chain != ChainStatus::kAbsent; }
  // "" when the certificate authenticates `domain`, else a reason code such as
  // "partner-cert-untrusted" or "partner-cert-name-mismatch".
  [[nodiscard]] std::string_view problem(std::string_view domain) const;
  [[nodiscard]] bool authenticates(std::string_view domain) const {
    return problem(domain).empty();
  }
  // A certificate whose chain is trusted and whose names match only `domain` (tests, fuzzing).
  static CertificateCheck trusted_for(std::string_view domain);
};

// The reason code of a chain verdict ("" for kTrusted).
std::string_view reason_code(ChainStatus status) noexcept;

// How a stream's certificate fared, as the log's cert= and the metrics' trust say it: "none"
// without TLS, "ok" when `problem` (CertificateCheck::problem) is empty, else the problem.
std::string certificate_label(bool secured, std::string_view problem);
// The authentication method of a dialback-authenticated stream: dialback over TLS whose
// certificate did not prove the domain is weaker than either alone suggests, and says so.
std::string_view dialback_method(bool secured, std::string_view problem) noexcept;

}  // namespace edgekit::edgeproxy
