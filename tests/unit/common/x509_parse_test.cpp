// Loading certificates from every encoding, inspection, and hostile input.
#include <gtest/gtest.h>

#include "common/x509.hpp"
#include "tests/support/test_pki.hpp"

namespace edgekit::x509 {
namespace {

using testing::CertSpec;
using testing::TempDir;
using testing::TestPki;

TEST(X509Parse, PemBundleInOrderSkippingKeys) {
  const TestPki pki;
  const auto leaf = pki.leaf_for({"edge.corp.example"});
  const std::string bundle = leaf.key_pem() + leaf.cert_pem() + "some text\n" +
                             pki.intermediate().cert_pem() + pki.root().cert_pem();
  auto certs = parse_certificates(bundle);
  ASSERT_TRUE(certs) << certs.error().message();
  ASSERT_EQ(certs.value().size(), 3U);
  EXPECT_EQ(thumbprint(certs.value()[0].get()), thumbprint(leaf.cert.get()));
  EXPECT_EQ(thumbprint(certs.value()[2].get()), thumbprint(pki.root().cert.get()));
}

TEST(X509Parse, DerSingleAndConcatenated) {
  const TestPki pki;
  const auto leaf = pki.leaf_for({"edge.corp.example"});
  auto one = parse_certificates(der_of(leaf.cert.get()));
  ASSERT_TRUE(one);
  EXPECT_EQ(one.value().size(), 1U);
  auto two = parse_certificates(der_of(leaf.cert.get()) + der_of(pki.intermediate().cert.get()));
  ASSERT_TRUE(two);
  EXPECT_EQ(two.value().size(), 2U);
  auto truncated = parse_certificates(der_of(leaf.cert.get()).substr(0, 100));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().exit_code(), ExitCode::kUsage);
}

TEST(X509Parse, Pkcs7PemAndDerMadeByOpenssl) {
  const TestPki pki;
  const auto leaf = pki.leaf_for({"edge.corp.example"});
  const TempDir dir("x509p7");
  const auto certs = dir.write("certs.pem", leaf.cert_pem() + pki.intermediate().cert_pem());
  const auto p7pem = dir.path() / "bundle.p7b";
  const auto p7der = dir.path() / "bundle.p7c";
  ASSERT_EQ(testing::run_command("openssl crl2pkcs7 -nocrl -certfile " + certs.string() + " -out " +
                                 p7pem.string()),
            0);
  ASSERT_EQ(testing::run_command("openssl crl2pkcs7 -nocrl -certfile " + certs.string() +
                                 " -outform DER -out " + p7der.string()),
            0);
  for (const auto& file : {p7pem, p7der}) {
    auto loaded = load_certificates(file);
    ASSERT_TRUE(loaded) << file << ": " << loaded.error().message();
    ASSERT_EQ(loaded.value().size(), 2U) << file;
    const auto raw = read_material(file);
    ASSERT_TRUE(raw);
    EXPECT_TRUE(sniff_encoding(raw.value()) == Encoding::kPkcs7Pem ||
                sniff_encoding(raw.value()) == Encoding::kPkcs7Der);
  }
}

TEST(X509Parse, Pkcs12WithPasswordAndWrongPassword) {
  const TestPki pki;
  const auto leaf = pki.leaf_for({"edge.corp.example"});
  const TempDir dir("x509p12");
  const auto cert = dir.write("cert.pem", leaf.cert_pem());
  const auto key = dir.write("key.pem", leaf.key_pem());
  const auto chain = dir.write("chain.pem", pki.intermediate().cert_pem());
  const auto p12 = dir.path() / "bundle.p12";
  ASSERT_EQ(testing::run_command("openssl pkcs12 -export -in " + cert.string() + " -inkey " +
                                 key.string() + " -certfile " + chain.string() +
                                 " -name Edge -passout pass:s3cret -out " + p12.string()),
            0);
  const auto bytes = read_material(p12);
  ASSERT_TRUE(bytes);
  EXPECT_TRUE(looks_like_pkcs12(bytes.value()));
  EXPECT_EQ(sniff_encoding(bytes.value()), Encoding::kPkcs12);
  auto opened = parse_pkcs12(bytes.value(), "s3cret");
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(thumbprint(opened.value().certificate.get()), thumbprint(leaf.cert.get()));
  EXPECT_TRUE(opened.value().key);
  EXPECT_EQ(opened.value().chain.size(), 1U);
  EXPECT_EQ(opened.value().friendly_name, "Edge");
  auto wrong = parse_pkcs12(bytes.value(), "nope");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, make_error_code(X509Errc::kBadPassword));
  EXPECT_EQ(wrong.error().exit_code(), ExitCode::kUsage);
}

TEST(X509Parse, HostileInputGivesOneClearError) {
  const TempDir dir("x509bad");
  EXPECT_FALSE(parse_certificates(""));
  EXPECT_FALSE(parse_certificates("   \n"));
  EXPECT_FALSE(parse_certificates("hello world"));
  EXPECT_FALSE(
      parse_certificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
  EXPECT_FALSE(parse_certificates(std::string(1000, '\x30')));
  auto key_only =
      parse_certificates(testing::key_to_pem(testing::make_key(testing::TestKey::kEcP256).get()));
  ASSERT_FALSE(key_only);
  EXPECT_EQ(key_only.error().code, make_error_code(X509Errc::kNoCertificate));

  // 10 MB of garbage: refused by size before parsing.
  const auto big = dir.write("garbage.bin", std::string(std::size_t{10} * 1024 * 1024, 'x'));
  auto too_large = load_certificates(big);
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code, make_error_code(X509Errc::kTooLarge));
  EXPECT_NE(too_large.error().message().find(big.string()), std::string::npos);

  auto missing = load_certificates(dir.path() / "nope.pem");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().exit_code(), ExitCode::kOperational);
  auto directory = load_certificates(dir.path());
  ASSERT_FALSE(directory);
  EXPECT_NE(directory.error().message().find("directory"), std::string::npos);
}

TEST(X509Inspect, ReportsNamesKeyUsagesAndThumbprints) {
  const TestPki pki;
  CertSpec spec;
  spec.common_name = "edge.corp.example";
  spec.dns_names = {"edge.corp.example", "corp.example"};
  spec.other_sans = {"URI:sip:corp.example", "IP:192.0.2.7",
                     "otherName:1.3.6.1.5.5.7.8.5;UTF8:corp.example"};
  spec.client_auth = false;
  spec.key = testing::TestKey::kRsa2048;
  spec.aia_ca_issuers = "http://127.0.0.1:1/ca.der";
  const auto leaf = pki.leaf(spec);
  const CertificateInfo info = inspect(leaf.cert.get());
  EXPECT_EQ(info.common_name, "edge.corp.example");
  EXPECT_EQ(info.subject, "CN=edge.corp.example");
  EXPECT_NE(info.issuer.find("Edgekit Test Intermediate"), std::string::npos);
  EXPECT_EQ(info.dns_names, (std::vector<std::string>{"edge.corp.example", "corp.example"}));
  EXPECT_EQ(info.other_names, (std::vector<std::string>{"URI:sip:corp.example", "IP:192.0.2.7",
                                                        "xmppAddr:corp.example"}));
  EXPECT_EQ(info.key, "RSA 2048");
  EXPECT_TRUE(info.server_auth);
  EXPECT_FALSE(info.client_auth);
  EXPECT_TRUE(info.has_ext_key_usage);
  EXPECT_EQ(info.ext_key_usage, std::vector<std::string>{"serverAuth"});
  EXPECT_EQ(info.key_usage, (std::vector<std::string>{"digitalSignature", "keyEncipherment"}));
  EXPECT_FALSE(info.is_ca);
  EXPECT_EQ(info.aia_ca_issuers, "http://127.0.0.1:1/ca.der");
  EXPECT_LT(info.not_before, std::chrono::system_clock::now());
  EXPECT_GT(info.not_after, std::chrono::system_clock::now());
  EXPECT_EQ(info.not_after_text.size(), 20U);  // 2026-01-01T00:00:00Z
  EXPECT_EQ(info.sha256.size(), 64U);

  // Thumbprints agree with the openssl CLI.
  const TempDir dir("x509inspect");
  const auto file = dir.write("leaf.pem", leaf.cert_pem());
  std::string output;
  ASSERT_EQ(testing::run_command("openssl x509 -noout -fingerprint -sha256 -in " + file.string(),
                                 &output),
            0);
  EXPECT_NE(output.find(colon_hex(info.sha256)), std::string::npos) << output;
  ASSERT_EQ(
      testing::run_command("openssl x509 -noout -fingerprint -sha1 -in " + file.string(), &output),
      0);
  EXPECT_NE(output.find(colon_hex(info.sha1)), std::string::npos) << output;
  ASSERT_EQ(testing::run_command("openssl x509 -noout -pubkey -in " + file.string() +
                                     " | openssl pkey -pubin -outform DER | sha256sum",
                                 &output),
            0);
  EXPECT_EQ(output.substr(0, 64), info.spki_sha256);

  const CertificateInfo ca = inspect(pki.intermediate().cert.get());
  EXPECT_TRUE(ca.is_ca);
  EXPECT_EQ(ca.key, "EC P-256");
  EXPECT_FALSE(ca.has_ext_key_usage);
  EXPECT_TRUE(ca.server_auth);  // no EKU extension: not restricted
}

TEST(X509Inspect, KeyDescriptions) {
  EXPECT_EQ(key_description(testing::make_key(testing::TestKey::kEcP384).get()), "EC P-384");
  EXPECT_EQ(key_description(testing::make_key(testing::TestKey::kEcP256).get()), "EC P-256");
}

}  // namespace
}  // namespace edgekit::x509
