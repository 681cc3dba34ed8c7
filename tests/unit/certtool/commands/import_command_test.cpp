// certtool import: every encoding, the bundle in any order, and every reason to refuse, each
// refusal leaving the store untouched.
#include "tests/unit/certtool/certtool_fixture.hpp"

namespace edgekit::certtool::test {
namespace {

using testing::CertSpec;

class ImportTest : public CerttoolTest {
 protected:
  std::size_t stored_certificates() const {
    const auto dir = std::filesystem::path(store_) / "certificates";
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
      return 0;
    }
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                                  std::filesystem::directory_iterator()));
  }

  RunResult import_file(const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"import", file, "--ca-file", root_file()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  }
};

TEST_F(ImportTest, PemWithChainFileIsStoredUnderItsThumbprint) {
  const auto record = request();
  const auto leaf = sign_request(record["id"], full_names());
  const auto file = dir_.write("leaf.pem", leaf.cert_pem());
  const auto result = import_file(file.string(), {"--chain", intermediate_file()});
  ASSERT_EQ(result.status, 0) << result.err;
  const std::string thumb = x509::thumbprint(leaf.cert.get());
  EXPECT_NE(result.out.find(thumb), std::string::npos);
  const auto dir = std::filesystem::path(store_) / "certificates" / thumb;
  EXPECT_EQ(mode_of(dir / "key.pem"), 0600U);
  auto chain = x509::load_certificates(dir / "chain.pem");
  ASSERT_TRUE(chain);
  ASSERT_EQ(chain.value().size(), 1U);  // the intermediate; not the root
  EXPECT_EQ(x509::thumbprint(chain.value()[0].get()),
            x509::thumbprint(pki_.intermediate().cert.get()));
  const auto listed = run({"list", "--json"}).json();
  EXPECT_EQ(listed["requests"][0]["status"], "issued");
  EXPECT_EQ(listed["requests"][0]["thumbprint"], thumb);
  EXPECT_EQ(listed["certificates"][0]["thumbprint"], thumb);
}

TEST_F(ImportTest, BundleInAnyOrderDerAndPkcs7) {
  const auto record = request();
  const auto leaf = sign_request(record["id"], full_names());
  const std::string bundle =
      pki_.root().cert_pem() + leaf.cert_pem() + pki_.intermediate().cert_pem();
  EXPECT_EQ(import_file(dir_.write("bundle.pem", bundle).string()).status, 0);

  const auto p7 = dir_.path() / "bundle.p7b";
  const auto bundle_file = dir_.write("two.pem", pki_.intermediate().cert_pem() + leaf.cert_pem());
  ASSERT_EQ(testing::run_command("openssl crl2pkcs7 -nocrl -outform DER -certfile " +
                                 bundle_file.string() + " -out " + p7.string()),
            0);
  const auto p7_result = import_file(p7.string(), {"--json"});
  EXPECT_EQ(p7_result.status, 0) << p7_result.err << p7_result.out;

  const auto der = dir_.write("leaf.der", x509::der_of(leaf.cert.get()));
  EXPECT_EQ(import_file(der.string(), {"--chain", intermediate_file()}).status, 0);
}

TEST_F(ImportTest, Pkcs12CarriesItsOwnKey) {
  const auto leaf = pki_.leaf(full_names());
  const auto cert = dir_.write("p12-cert.pem", leaf.cert_pem());
  const auto key = dir_.write("p12-key.pem", leaf.key_pem());
  const auto p12 = dir_.path() / "edge.pfx";
  ASSERT_EQ(testing::run_command("openssl pkcs12 -export -in " + cert.string() + " -inkey " +
                                 key.string() + " -certfile " + intermediate_file() +
                                 " -passout pass:pfxpass -out " + p12.string()),
            0);
  const auto password = dir_.write("pfx.pass", "pfxpass\n");
  const auto wrong = dir_.write("wrong.pass", "nope\n");
  const auto refused = import_file(p12.string(), {"--password-file", wrong.string()});
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("password"), std::string::npos) << refused.err;
  EXPECT_EQ(stored_certificates(), 0U);

  const auto result = import_file(p12.string(), {"--password-file", password.string(), "--json"});
  ASSERT_EQ(result.status, 0) << result.err << result.out;
  EXPECT_EQ(result.json()["request_id"], "");
  const auto stored_key = std::filesystem::path(store_) / "certificates" /
                          x509::thumbprint(leaf.cert.get()) / "key.pem";
  EXPECT_EQ(mode_of(stored_key), 0600U);
}

TEST_F(ImportTest, CertificateMatchingNoRequestExits1) {
  request();
  const auto stranger = pki_.leaf(full_names());  // its own key, not the request's
  const auto result = import_file(dir_.write("x.pem", stranger.cert_pem()).string(),
                                  {"--chain", intermediate_file()});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("matches the key of a request"), std::string::npos) << result.err;
  EXPECT_EQ(stored_certificates(), 0U);
}

TEST_F(ImportTest, MissingNamesAreListedAndNothingIsStored) {
  const auto record = request();
  CertSpec spec = full_names();
  spec.dns_names = {"edge.corp.example", "corp.example"};
  const auto leaf = sign_request(record["id"], spec);
  const auto result = import_file(dir_.write("leaf.pem", leaf.cert_pem()).string(),
                                  {"--chain", intermediate_file(), "--json"});
  EXPECT_EQ(result.status, 1);
  const auto json = result.json();
  EXPECT_FALSE(json["ok"].get<bool>());
  EXPECT_EQ(json["missing_names"],
            (std::vector<std::string>{"xn--bcher-kva.example", "sip.corp.example"}));
  EXPECT_EQ(stored_certificates(), 0U);
  EXPECT_EQ(run({"list", "--json"}).json()["requests"][0]["status"], "pending");
}

TEST_F(ImportTest, DroppedOtherNamesAreOnlyAWarning) {
  write_config(default_config(store_, "", "xmpp_identities = true\n"));
  const auto record = request();
  const auto leaf = sign_request(record["id"], full_names());  // like a public CA: DNS only
  const auto result = import_file(dir_.write("leaf.pem", leaf.cert_pem()).string(),
                                  {"--chain", intermediate_file()});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.err.find("SRVName:_xmpp-server.corp.example"), std::string::npos) << result.err;
}

TEST_F(ImportTest, EveryProblemIsListed) {
  const auto record = request();
  CertSpec spec = full_names();
  spec.not_before = std::chrono::hours(-48);
  spec.not_after = std::chrono::hours(-1);
  spec.server_auth = false;
  spec.dns_names.pop_back();
  const auto leaf = sign_request(record["id"], spec);
  const auto result = import_file(dir_.write("leaf.pem", leaf.cert_pem()).string(),
                                  {"--chain", intermediate_file()});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("expired"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("wrong EKU"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("sip.corp.example"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("nothing was stored"), std::string::npos) << result.err;
  EXPECT_EQ(stored_certificates(), 0U);
}

TEST_F(ImportTest, MissingIntermediateIsNamed) {
  const auto record = request();
  const auto leaf = sign_request(record["id"], full_names());
  const auto result = import_file(dir_.write("leaf.pem", leaf.cert_pem()).string());
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("unknown issuer"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("Edgekit Test Intermediate"), std::string::npos) << result.err;
}

TEST_F(ImportTest, UntrustedBySystemRootsWithoutCaFile) {
  const auto record = request();
  const auto leaf = sign_request(record["id"], full_names());
  const auto result = run(
      {"import", dir_.write("leaf.pem", leaf.cert_pem()).string(), "--chain", intermediate_file()});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(stored_certificates(), 0U);
}

TEST_F(ImportTest, ServerAuthOnlyIsAcceptedWithTheClientAuthWarning) {
  const auto record = request();
  CertSpec spec = full_names();
  spec.client_auth = false;
  const auto leaf = sign_request(record["id"], spec);
  const auto result = import_file(dir_.write("leaf.pem", leaf.cert_pem()).string(),
                                  {"--chain", intermediate_file()});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.err.find("no clientAuth EKU"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("outbound S2S"), std::string::npos) << result.err;
}

TEST_F(ImportTest, BadFilesGetOneClearMessage) {
  request();
  const auto garbage =
      dir_.write("garbage.bin", std::string(std::size_t{10} * 1024 * 1024, '\x5a'));
  auto result = import_file(garbage.string());
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.err.find("more than the limit"), std::string::npos) << result.err;

  result = import_file(dir_.write("junk.pem", "not a certificate at all\n").string());
  EXPECT_EQ(result.status, 2);
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;

  result = import_file((dir_.path() / "missing.pem").string());
  EXPECT_EQ(result.status, 3);
  EXPECT_NE(result.err.find("no such file"), std::string::npos) << result.err;

  const auto csr = dir_.write("csr.pem",
                              "-----BEGIN CERTIFICATE REQUEST-----\nAA==\n"
                              "-----END CERTIFICATE REQUEST-----\n");
  result = import_file(csr.string());
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.err.find("certificate request"), std::string::npos) << result.err;
  EXPECT_EQ(stored_certificates(), 0U);
}

TEST_F(ImportTest, FiftyCertificatesAreRefused) {
  const auto record = request();
  const auto leaf = sign_request(record["id"], full_names());
  std::string bundle = leaf.cert_pem();
  for (int i = 0; i < 49; ++i) {
    bundle += pki_.intermediate().cert_pem();
  }
  const auto result = import_file(dir_.write("fifty.pem", bundle).string());
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("50 certificates"), std::string::npos) << result.err;
  EXPECT_EQ(stored_certificates(), 0U);
}

TEST_F(ImportTest, ChainLoopIsRefused) {
  const auto record = request();
  CertSpec b_spec;
  b_spec.common_name = "Loop B";
  b_spec.dns_names.clear();
  b_spec.is_ca = true;
  const auto b_self = testing::issue(b_spec, nullptr);
  CertSpec a_spec = b_spec;
  a_spec.common_name = "Loop A";
  const auto a = testing::issue(a_spec, &b_self);
  b_spec.use_key = b_self.key.get();
  const auto b = testing::issue(b_spec, &a);
  // The leaf is issued by A, with the request's key.
  std::ifstream in(std::filesystem::path(store_) / "requests" / record["id"].get<std::string>() /
                   "csr.pem");
  std::stringstream pem;
  pem << in.rdbuf();
  const std::string text = pem.str();
  const ossl::BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  const ossl::X509ReqPtr csr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  CertSpec leaf_spec = full_names();
  leaf_spec.use_key = X509_REQ_get0_pubkey(csr.get());
  const auto leaf = testing::issue(leaf_spec, &a);
  const auto result =
      import_file(dir_.write("loop.pem", leaf.cert_pem() + a.cert_pem() + b.cert_pem()).string());
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("loop"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace edgekit::certtool::test
