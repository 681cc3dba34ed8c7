#pragma once
// Server Dialback keys per XEP-0185: key = HEX(HMAC-SHA256(HEX(SHA256(secret)),
// "Receiving Originating StreamID")). Any edge that shares the secret can verify any key it or
// a sibling issued, so edges behind one SRV name need no shared state but the secret file.

#include <string>
#include <string_view>

#include "common/error.hpp"

namespace edgekit::edgeproxy {

class DialbackKeys {
 public:
  explicit DialbackKeys(std::string_view secret);
  // A fresh random secret (used when dialback_secret_file is empty: one edge only).
  static DialbackKeys random();
  // Reads the secret file (trailing newline stripped; empty file is an error).
  static Result<DialbackKeys> from_file(const std::string& path);

  [[nodiscard]] std::string generate(std::string_view receiving, std::string_view originating,
                                     std::string_view stream_id) const;
  // Constant-time comparison of the expected and the presented key.
  [[nodiscard]] bool verify(std::string_view receiving, std::string_view originating,
                            std::string_view stream_id, std::string_view key) const;

 private:
  std::string hashed_secret_;  // HEX(SHA256(secret)); the raw secret is not kept
};

}  // namespace edgekit::edgeproxy
