#include "tests/support/test_pki.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>

#include <openssl/pem.h>

#include "common/crypto.hpp"

namespace edgekit::testing {
namespace {

void require(bool condition, const char* what) {
  if (!condition) {
    throw std::runtime_error(std::string("test PKI: ") + what + ": " + ossl::last_error_string());
  }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  const ossl::X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str()));
  require(ext != nullptr, "extension");
  require(X509_add_ext(cert, ext.get(), -1) == 1, "add extension");
}

std::string join(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) {
    text += (text.empty() ? "" : ",") + part;
  }
  return text;
}

}  // namespace

ossl::EvpPkeyPtr make_key(TestKey type) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case TestKey::kEcP256: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case TestKey::kEcP384: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case TestKey::kRsa2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
      break;
    case TestKey::kRsa3072:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(3072));
      break;
  }
  require(key != nullptr, "key generation");
  return ossl::EvpPkeyPtr(key);
}

std::string key_to_pem(EVP_PKEY* key) {
  const ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  require(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "key PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::string Issued::cert_pem() const {
  const ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  require(PEM_write_bio_X509(bio.get(), cert.get()) == 1, "cert PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::string Issued::key_pem() const {
  return key_to_pem(key.get());
}

Issued issue(const CertSpec& spec, const Issued* issuer) {
  Issued out;
  if (spec.use_key != nullptr) {
    EVP_PKEY_up_ref(spec.use_key);
    out.key.reset(spec.use_key);
  } else {
    out.key = make_key(spec.key);
  }
  out.cert.reset(X509_new());
  X509* cert = out.cert.get();
  require(cert != nullptr, "X509_new");
  X509_set_version(cert, 2);
  std::string serial_bytes = crypto::random_bytes(16);
  // Positive and 16 bytes long: the top bit clear, the top byte never zero.
  serial_bytes[0] =
      static_cast<char>((static_cast<unsigned char>(serial_bytes[0]) & 0x7FU) | 0x01U);
  const ossl::BignumPtr serial(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(serial_bytes.data()),
                static_cast<int>(serial_bytes.size()), nullptr));
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert));
  X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(spec.not_before.count()));
  X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(spec.not_after.count()));
  X509_NAME* name = X509_get_subject_name(cert);
  if (!spec.common_name.empty()) {
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                               -1, 0);
  }
  X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer->cert.get()) : name);
  X509_set_pubkey(cert, out.key.get());
  X509* issuer_cert = issuer != nullptr ? issuer->cert.get() : cert;

  if (spec.is_ca) {
    add_extension(cert, issuer_cert, NID_basic_constraints,
                  spec.path_length >= 0
                      ? "critical,CA:TRUE,pathlen:" + std::to_string(spec.path_length)
                      : std::string("critical,CA:TRUE"));
    add_extension(cert, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert, issuer_cert, NID_key_usage,
                  EVP_PKEY_get_base_id(out.key.get()) == EVP_PKEY_RSA
                      ? "critical,digitalSignature,keyEncipherment"
                      : "critical,digitalSignature");
  }
  add_extension(cert, issuer_cert, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) {
    add_extension(cert, issuer_cert, NID_authority_key_identifier, "keyid:always");
  }
  if (!spec.no_eku && !spec.is_ca) {
    std::vector<std::string> ekus;
    if (spec.server_auth) {
      ekus.emplace_back("serverAuth");
    }
    if (spec.client_auth) {
      ekus.emplace_back("clientAuth");
    }
    if (ekus.empty()) {
      ekus.emplace_back("emailProtection");
    }
    add_extension(cert, issuer_cert, NID_ext_key_usage, join(ekus));
  }
  std::vector<std::string> sans;
  for (const auto& dns : spec.dns_names) {
    sans.push_back("DNS:" + dns);
  }
  for (const auto& other : spec.other_sans) {
    sans.push_back(other);
  }
  if (!sans.empty()) {
    add_extension(cert, issuer_cert, NID_subject_alt_name, join(sans));
  }
  if (!spec.aia_ca_issuers.empty()) {
    add_extension(cert, issuer_cert, NID_info_access, "caIssuers;URI:" + spec.aia_ca_issuers);
  }
  EVP_PKEY* signing_key = issuer != nullptr ? issuer->key.get() : out.key.get();
  require(X509_sign(cert, signing_key, EVP_sha256()) > 0, "X509_sign");
  return out;
}

TestPki::TestPki() {
  CertSpec root;
  root.common_name = "Edgekit Test Root " + std::to_string(getpid());
  root.dns_names.clear();
  root.is_ca = true;
  root.not_after = std::chrono::seconds(3650L * 24 * 3600);
  root_ = issue(root, nullptr);
  CertSpec intermediate = root;
  intermediate.common_name = "Edgekit Test Intermediate " + std::to_string(getpid());
  intermediate.path_length = 0;
  intermediate_ = issue(intermediate, &root_);
}

Issued TestPki::leaf(const CertSpec& spec) const {
  return issue(spec, &intermediate_);
}

Issued TestPki::leaf_for(const std::vector<std::string>& dns_names) const {
  CertSpec spec;
  spec.common_name = dns_names.empty() ? "leaf" : dns_names.front();
  spec.dns_names = dns_names;
  return leaf(spec);
}

ossl::X509Ptr copy_of(X509* cert) {
  X509_up_ref(cert);
  return ossl::X509Ptr(cert);
}

TempDir::TempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() /
          (tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
           std::to_string(random() % 100000));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& data) const {
  auto file = path_ / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << data;
  return file;
}

int run_command(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return -1;
  }
  std::array<char, 4096> buffer{};
  std::string text;
  while (const std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) {
    text.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  if (output != nullptr) {
    *output = text;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace edgekit::testing
