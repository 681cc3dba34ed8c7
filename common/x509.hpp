#pragma once
// X.509 helpers shared by the tools: load certificates from PEM/DER/PKCS#7/PKCS#12, inspect
// them (names, key, usages, validity, thumbprints), RFC 6125/9525 DNS-ID matching, and chain
// verification that returns a verdict with every reason instead of throwing (after Botan's
// Path_Validation_Result). Everything here treats its input as hostile: sizes and chain depth
// are capped, and malformed input is an Error, never a crash.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/openssl_ptr.hpp"

namespace edgekit::x509 {

enum class X509Errc {
  kUnreadable = 1,  // the file cannot be read (operational)
  kTooLarge,        // larger than the cap for certificate material
  kMalformed,       // not PEM, DER, PKCS#7 or PKCS#12, or broken inside
  kNoCertificate,   // well-formed, but holds no certificate
  kBadPassword,     // PKCS#12 MAC or key decryption failed
  kRejected,        // verification found problems (exit 1)
  kInternal,        // OpenSSL refused an operation that should work
};
const EdgekitCategory& x509_category() noexcept;
std::error_code make_error_code(X509Errc value) noexcept;

// Certificate files larger than this are refused before parsing (a full CA bundle is ~200 kB).
inline constexpr std::size_t kMaxCertificateFileBytes = std::size_t{2} * 1024 * 1024;
// More certificates than this in one bundle or chain are refused.
inline constexpr std::size_t kMaxChainCertificates = 16;
// The deepest chain verify_chain accepts (leaf + intermediates, anchor not counted).
inline constexpr int kMaxVerifyDepth = 8;

// ---- Encodings ---------------------------------------------------------------------------

enum class Encoding { kPem, kDer, kPkcs7Pem, kPkcs7Der, kPkcs12, kUnknown };
std::string_view to_string(Encoding encoding) noexcept;
// A guess from the first bytes (does not validate).
Encoding sniff_encoding(std::string_view bytes) noexcept;
bool looks_like_pem(std::string_view bytes) noexcept;

// Every certificate in PEM (any number of CERTIFICATE or PKCS7 blocks; other blocks such as
// keys are skipped), DER (one or more concatenated certificates) or PKCS#7 (PEM or DER), in
// the order found. Fails when none is found or anything is malformed.
Result<std::vector<ossl::X509Ptr>> parse_certificates(std::string_view bytes);
// parse_certificates on a file, refusing files above kMaxCertificateFileBytes.
Result<std::vector<ossl::X509Ptr>> load_certificates(const std::filesystem::path& path);
// Reads a file with the certificate-material cap and clear errors.
Result<std::string> read_material(const std::filesystem::path& path);

struct Pkcs12Contents {
  ossl::EvpPkeyPtr key;  // may be null when the file carries no key
  ossl::X509Ptr certificate;
  std::vector<ossl::X509Ptr> chain;
  std::string friendly_name;
};
bool looks_like_pkcs12(std::string_view bytes) noexcept;
Result<Pkcs12Contents> parse_pkcs12(std::string_view bytes, std::string_view password);

std::string to_pem(X509* cert);
std::string der_of(X509* cert);
std::string spki_der_of(X509* cert);

// ---- Hashes and text ----------------------------------------------------------------------

// Digests and hex: common/crypto.hpp.
// "AB:CD:..." grouping for humans (Windows shows thumbprints without colons, upper case).
std::string colon_hex(std::string_view hex);
// The SHA-256 thumbprint of the certificate DER, lower-case hex: the store's certificate id.
std::string thumbprint(X509* cert);

std::string name_to_string(const X509_NAME* name);  // RFC 2253 order, UTF-8
std::string to_rfc3339(std::chrono::system_clock::time_point when);
std::optional<std::chrono::system_clock::time_point> to_time_point(const ASN1_TIME* time);
std::string key_description(EVP_PKEY* key);  // "RSA 2048", "EC P-256", "Ed25519"

// ---- Inspection ---------------------------------------------------------------------------

struct CertificateInfo {
  std::string subject;
  std::string issuer;
  std::string common_name;  // the last CN of the subject, "" when none
  std::string serial;       // lower-case hex
  std::vector<std::string> dns_names;
  std::vector<std::string> other_names;  // "IP:..", "URI:..", "email:..", "SRVName:..", ...
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  std::string not_before_text;  // RFC 3339
  std::string not_after_text;
  std::string key;                         // "RSA 2048", "EC P-256"
  std::vector<std::string> key_usage;      // "digitalSignature", "keyEncipherment", ...
  std::vector<std::string> ext_key_usage;  // "serverAuth", "clientAuth", dotted OIDs
  bool has_ext_key_usage = false;          // the extension is present
  // Usable for TLS server / client authentication as far as EKU goes: the EKU extension is
  // absent (no restriction), or lists the purpose or anyExtendedKeyUsage.
  bool server_auth = false;
  bool client_auth = false;
  bool is_ca = false;
  bool self_signed = false;
  std::string sha1;            // of the DER, lower-case hex
  std::string sha256;          // of the DER, lower-case hex (the thumbprint)
  std::string spki_sha256;     // of the SubjectPublicKeyInfo DER (TLSA 3 1 1, HPKP)
  std::string aia_ca_issuers;  // the first caIssuers URL of the AIA extension, "" when none
};

CertificateInfo inspect(X509* cert);

// ---- Names (RFC 6125 / RFC 9525) ----------------------------------------------------------

// Whether the certificate is valid for the DNS domain `reference` (A-label or U-label; it is
// normalised to A-labels). Compares with the dNSName SANs, case-insensitively; a wildcard
// matches only as the complete left-most label, exactly one non-empty label, and never when
// fewer than two labels follow it ("*.com" matches nothing). The subject CN is consulted only
// when the certificate has no dNSName SAN at all.
bool matches_domain(X509* cert, std::string_view reference);
// Whether the certificate is valid for the XMPP server domain `reference` (RFC 6120 §13.7.2,
// RFC 7590, RFC 9525): a DNS-ID as matches_domain, an SRV-ID "_xmpp-server.<domain>" or
// "_xmpps-server.<domain>" (RFC 4985 SRVName), or an id-on-xmppAddr equal to the domain. The
// subject CN is consulted only when the certificate presents none of these identifiers.
bool matches_xmpp_domain(X509* cert, std::string_view reference);
// The same for a certificate already inspected (a stream asks about several domains).
bool matches_xmpp_domain(const CertificateInfo& info, std::string_view reference);
// The same rule for one presented identifier (already A-label) against one reference.
bool matches_dns_id(std::string_view presented, std::string_view reference);

// ---- Chain verification --------------------------------------------------------------------

struct TrustAnchors {
  std::vector<ossl::X509Ptr> certificates;  // explicit roots (a CA file)
  bool use_system_roots = false;            // OpenSSL's default paths (Debian ca-certificates)

  static TrustAnchors system();
  static Result<TrustAnchors> from_file(const std::filesystem::path& ca_file);
  // The CA file when the path is non-empty, else the system roots.
  static Result<TrustAnchors> from_file_or_system(const std::string& ca_file);
};

enum class Purpose { kAny, kServer, kClient };

enum class ChainIssue {
  kExpired,
  kNotYetValid,
  kUnknownIssuer,  // missing intermediate or root not trusted
  kUntrustedRoot,  // self-signed, not among the anchors
  kNameMismatch,
  kWrongEku,
  kLoop,
  kTooLong,
  kBadSignature,
  kNotCa,
  kOther,
};
std::string_view to_string(ChainIssue issue) noexcept;

struct ChainVerdict {
  bool trusted = false;
  std::vector<std::string> reasons;  // one human sentence each, no duplicates
  std::vector<ChainIssue> issues;    // parallel to reasons
  std::vector<ossl::X509Ptr> chain;  // leaf first, anchor last (as far as it was built)

  [[nodiscard]] bool has(ChainIssue issue) const noexcept;
};

// Verifies leaf up to the anchors using `untrusted` as candidate intermediates (any order,
// extra certificates ignored). With a hostname, also checks matches_domain. Never throws:
// bad input becomes reasons. `at` pins the verification time (default: now).
ChainVerdict verify_chain(X509* leaf, const std::vector<X509*>& untrusted,
                          const TrustAnchors& anchors, std::optional<std::string> hostname,
                          Purpose purpose,
                          std::optional<std::chrono::system_clock::time_point> at = std::nullopt);

// Raw pointers of a vector of owners, for verify_chain.
std::vector<X509*> raw_pointers(const std::vector<ossl::X509Ptr>& certs);

}  // namespace edgekit::x509

template <>
struct std::is_error_code_enum<edgekit::x509::X509Errc> : std::true_type {};
