#pragma once
// Base64 (RFC 4648): the standard alphabet with padding (XMPP SASL payloads, POSH
// fingerprints) and the URL-safe alphabet without padding (JOSE/ACME, RFC 7515 §2). One codec;
// the two forms differ only in alphabet, padding and how strictly input is read.

#include <optional>
#include <string>
#include <string_view>

namespace edgekit {

// RFC 4648 §4, padded with '='.
std::string base64_encode(std::string_view bytes);
// RFC 4648 §4, read leniently as XMPP peers send it (RFC 6120 §6.4.2): whitespace is skipped,
// padding is optional but only at the end and at most two '='. nullopt on any other byte.
std::optional<std::string> base64_decode(std::string_view text);

// RFC 4648 §5 without padding (RFC 7515 §2).
std::string base64url_encode(std::string_view bytes);
// Strict: no padding, no whitespace, a possible length, and zero leftover bits (a canonical
// encoding, RFC 7515 Appendix C). nullopt otherwise.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace edgekit
