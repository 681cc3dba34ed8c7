#pragma once
// POSH (RFC 7711) documents: the JSON an XMPP domain serves at
// https://<domain>/.well-known/posh/xmpp-server.json, either
//   {"fingerprints": [{"sha-256": "<base64 of SHA-256 of the certificate DER>"}, ...],
//    "expires": <seconds>}
// or a delegation {"url": "https://host/path.json", "expires": <seconds>}.
// The parser takes hostile bytes (size- and count-capped, never throws).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/x509.h>

#include "common/error.hpp"

namespace edgekit::dnstool {

inline constexpr std::size_t kMaxPoshBytes = std::size_t{64} * 1024;

struct PoshFingerprint {
  std::string algorithm;  // "sha-256", "sha-512", ...
  std::string base64;
};

struct PoshDocument {
  std::vector<PoshFingerprint> fingerprints;
  std::optional<std::string> url;  // a delegation
  std::int64_t expires = 0;
};

// nullopt with `why` set when the text is not a POSH document.
std::optional<PoshDocument> parse_posh(std::string_view text, std::string& why);

// The document for a certificate (sha-256 and sha-512 fingerprints of the DER).
std::string make_posh(X509* cert, std::int64_t expires_seconds = 604800);

// Whether one of the fingerprints (any algorithm we know) is of this certificate.
bool posh_matches(const PoshDocument& document, X509* cert);

}  // namespace edgekit::dnstool
