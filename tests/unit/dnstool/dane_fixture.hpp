#pragma once
// A PKI made at test time and the byte helpers the DANE, POSH, records and certificate-check
// tests share.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.hpp"
#include "common/x509.hpp"
#include "tests/support/test_pki.hpp"

namespace edgekit::dnstool {

inline std::vector<std::uint8_t> bytes_of(const std::string& text) {
  return {text.begin(), text.end()};
}

inline std::string sha(std::string_view data, crypto::Digest algorithm) {
  return crypto::digest(algorithm, data);
}

class DaneTest : public ::testing::Test {
 protected:
  testing::TestPki pki;
  testing::Issued leaf = pki.leaf_for({"edge.corp.example", "corp.example"});
  std::vector<X509*> chain{leaf.cert.get(), pki.intermediate().cert.get()};
};

}  // namespace edgekit::dnstool
