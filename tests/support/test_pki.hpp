#pragma once
// A throw-away PKI made at test time (never committed keys): a root, an intermediate and any
// number of leaves with chosen names, EKUs, validity windows, key types and CA flags.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/openssl_ptr.hpp"

namespace edgekit::testing {

enum class TestKey { kEcP256, kEcP384, kRsa2048, kRsa3072 };

ossl::EvpPkeyPtr make_key(TestKey type);
std::string key_to_pem(EVP_PKEY* key);

struct CertSpec {
  std::string common_name = "edge.corp.example";
  std::vector<std::string> dns_names{"edge.corp.example"};
  std::vector<std::string> other_sans;  // OpenSSL config syntax: "URI:sip:a@b", "IP:1.2.3.4"
  bool server_auth = true;
  bool client_auth = true;
  bool no_eku = false;  // omit the EKU extension entirely
  bool is_ca = false;
  int path_length = -1;                             // CA pathLenConstraint; -1: none
  std::chrono::seconds not_before{-3600};           // relative to now
  std::chrono::seconds not_after{90L * 24 * 3600};  // relative to now
  TestKey key = TestKey::kEcP256;
  std::string aia_ca_issuers;   // caIssuers URL; "" for none
  EVP_PKEY* use_key = nullptr;  // certify this key instead of making one (not owned)
};

struct Issued {
  ossl::X509Ptr cert;
  ossl::EvpPkeyPtr key;

  [[nodiscard]] std::string cert_pem() const;
  [[nodiscard]] std::string key_pem() const;
};

// Signs spec with issuer (self-signed when issuer is null).
Issued issue(const CertSpec& spec, const Issued* issuer);

class TestPki {
 public:
  TestPki();

  [[nodiscard]] const Issued& root() const noexcept { return root_; }
  [[nodiscard]] const Issued& intermediate() const noexcept { return intermediate_; }
  // A leaf signed by the intermediate.
  [[nodiscard]] Issued leaf(const CertSpec& spec) const;
  [[nodiscard]] Issued leaf_for(const std::vector<std::string>& dns_names) const;

 private:
  Issued root_;
  Issued intermediate_;
};

ossl::X509Ptr copy_of(X509* cert);

// A temporary directory removed on destruction; the name holds the PID.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "edgekit");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& data) const;

 private:
  std::filesystem::path path_;
};

// Runs a shell command, returns its exit status and collects stdout+stderr into output.
int run_command(const std::string& command, std::string* output = nullptr);

}  // namespace edgekit::testing
