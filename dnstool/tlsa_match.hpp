#pragma once
// DANE TLSA matching (RFC 6698, RFC 7671, for XMPP RFC 7673): does a TLSA record match the
// certificate chain? Usage 3 (DANE-EE) compares with the leaf, usage 2 (DANE-TA) with the
// issuing certificates of the chain; selector 0 is the whole certificate DER, 1 its
// SubjectPublicKeyInfo; matching type 0 exact, 1 SHA-256, 2 SHA-512.

#include <cstdint>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "common/dns_client.hpp"

namespace edgekit::dnstool {

enum class TlsaMatch { kMatch, kNoMatch, kUnusable };

// The chain is leaf first. kUnusable: a usage, selector or matching type this check does not
// evaluate (PKIX usages 0/1, unknown values).
TlsaMatch match_tlsa(const dns::TlsaRecord& record, const std::vector<X509*>& chain);

// "3 1 1 <hex>" for messages and zone files.
std::string tlsa_text(const dns::TlsaRecord& record);

// The TLSA 3 1 1 record data for a certificate (SHA-256 of its SPKI).
dns::TlsaRecord tlsa_3_1_1(X509* cert);

}  // namespace edgekit::dnstool
