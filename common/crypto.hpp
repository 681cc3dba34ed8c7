#pragma once
// The small cryptographic primitives the tools share, over OpenSSL: message digests, lower-case
// hex, secure random bytes and constant-time comparison. One implementation of each, so a fix
// (an algorithm, an error path) lands everywhere at once.

#include <cstddef>
#include <string>
#include <string_view>

namespace edgekit::crypto {

enum class Digest { kSha1, kSha256, kSha384, kSha512 };

// The raw digest of `bytes`; empty when OpenSSL refuses (its error queue is cleared), which
// callers treat as "no match" or turn into their own error.
std::string digest(Digest algorithm, std::string_view bytes);
// hex_encode(digest(algorithm, bytes)); empty when the digest fails.
std::string digest_hex(Digest algorithm, std::string_view bytes);

// Lower-case hex, two digits per byte.
std::string hex_encode(std::string_view bytes);

// `count` bytes from OpenSSL's CSPRNG; throws std::runtime_error when it cannot seed.
std::string random_bytes(std::size_t count);
// Random identifiers (stream ids, connection ids, secrets): hex of `count` random bytes.
std::string random_hex(std::size_t count);

// Equality whose time depends only on the lengths, never on where the bytes differ (for
// secrets and keys a peer presents).
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

}  // namespace edgekit::crypto
