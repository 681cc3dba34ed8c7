// certtool check, list, export and show.
#include "tests/unit/certtool/certtool_fixture.hpp"

namespace edgekit::certtool::test {
namespace {

using testing::CertSpec;

const nlohmann::json* find_check(const nlohmann::json& report, const std::string& id) {
  for (const auto& check : report["checks"]) {
    if (check["id"] == id) {
      return &check;
    }
  }
  return nullptr;
}

TEST_F(CerttoolTest, CheckHealthyAssignedCertificate) {
  const std::string thumb = import_issued();
  ASSERT_EQ(run({"assign", thumb}).status, 0);
  const auto result = run({"check", "--json"});
  ASSERT_EQ(result.status, 0) << result.out << result.err;
  const auto json = result.json();
  EXPECT_TRUE(json["ok"].get<bool>());
  EXPECT_EQ(json["thumbprint"], thumb);
  EXPECT_GE(json["days_left"].get<int>(), 88);
  EXPECT_EQ((*find_check(json, "chain"))["status"], "pass");  // to the recorded --ca-file
  EXPECT_EQ((*find_check(json, "names"))["status"], "pass");
  EXPECT_EQ((*find_check(json, "key"))["status"], "pass");
}

TEST_F(CerttoolTest, CheckNeedsActionWhenExpiringMissingOrNamesChanged) {
  const auto no_store = run({"check"});
  EXPECT_EQ(no_store.status, 1);
  EXPECT_NE(no_store.out.find("FAIL  assigned: "), std::string::npos) << no_store.out;
  EXPECT_NE(no_store.out.find("no store"), std::string::npos) << no_store.out;
  request();
  const auto missing = run({"check", "--json"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ((*find_check(missing.json(), "assigned"))["status"], "fail");

  CertSpec spec = full_names();
  spec.not_after = std::chrono::hours(24 * 10);
  spec.client_auth = false;
  const std::string thumb = import_issued(spec);
  ASSERT_EQ(run({"assign", thumb}).status, 0);
  const auto expiring = run({"check", "--json"});
  EXPECT_EQ(expiring.status, 1);
  EXPECT_EQ((*find_check(expiring.json(), "validity"))["status"], "fail");
  EXPECT_EQ((*find_check(expiring.json(), "eku"))["status"], "warn");
  EXPECT_EQ(run({"check", "--warn-days", "5"}).status, 0);

  write_config(default_config(store_, "additional_sans = [\"new.corp.example\"]\n"));
  const auto changed = run({"check", "--warn-days", "5", "--json"});
  EXPECT_EQ(changed.status, 1);
  EXPECT_EQ((*find_check(changed.json(), "names"))["status"], "fail");
}

TEST_F(CerttoolTest, ListMarksTheAssignedCertificate) {
  const std::string first = import_issued();
  const std::string second = import_issued();
  ASSERT_EQ(run({"assign", second}).status, 0);
  const auto json = run({"list", "--json"}).json();
  EXPECT_EQ(json["assigned"], second);
  ASSERT_EQ(json["certificates"].size(), 2U);
  ASSERT_EQ(json["requests"].size(), 2U);
  for (const auto& cert : json["certificates"]) {
    EXPECT_EQ(cert["assigned"].get<bool>(), cert["thumbprint"] == second);
  }
  const auto text = run({"list"});
  EXPECT_NE(text.out.find("* " + second), std::string::npos) << text.out;
}

TEST_F(CerttoolTest, ExportPkcs12OpensWithPasswordAndCarriesChain) {
  const std::string thumb = import_issued();
  const auto password = dir_.write("p12.pass", "export-pass\n");
  const auto out = dir_.path() / "edge.pfx";
  const auto result =
      run({"export", thumb, "--pkcs12", out.string(), "--password-file", password.string()});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(mode_of(out), 0600U);
  auto bytes = read_file(out);
  ASSERT_TRUE(bytes);
  auto opened = x509::parse_pkcs12(bytes.value(), "export-pass");
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(x509::thumbprint(opened.value().certificate.get()), thumb);
  EXPECT_TRUE(opened.value().key);
  EXPECT_EQ(opened.value().chain.size(), 1U);
  EXPECT_EQ(opened.value().friendly_name, "Edge external");
  std::string info;
  ASSERT_EQ(testing::run_command(
                "openssl pkcs12 -info -noout -passin pass:export-pass -in " + out.string(), &info),
            0);
  EXPECT_NE(info.find("AES-256-CBC"), std::string::npos) << info;

  const auto legacy = dir_.path() / "legacy.pfx";
  ASSERT_EQ(run({"export", thumb, "--pkcs12", legacy.string(), "--password-file", password.string(),
                 "--legacy"})
                .status,
            0);
  ASSERT_EQ(
      testing::run_command(
          "openssl pkcs12 -info -noout -passin pass:export-pass -in " + legacy.string(), &info),
      0);
  EXPECT_NE(info.find("pbeWithSHA1And3-KeyTripleDES-CBC"), std::string::npos) << info;
  EXPECT_NE(info.find("MAC: sha1"), std::string::npos) << info;

  EXPECT_EQ(run({"export", thumb, "--pkcs12", out.string()}).status, 2);  // no password
}

TEST_F(CerttoolTest, ExportRefusesNonExportableKeys) {
  write_config(default_config(store_, "", "exportable = false\n"));
  const std::string thumb = import_issued();
  const auto password = dir_.write("p12.pass", "x\n");
  const auto out = dir_.path() / "edge.pfx";
  const auto result =
      run({"export", thumb, "--pkcs12", out.string(), "--password-file", password.string()});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("not exportable"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(CerttoolTest, ExportOfEncryptedKeyNeedsItsPassword) {
  const auto key_pass = dir_.write("key.pass", "k3y\n");
  const auto record = request({"--key-password-file", key_pass.string()});
  const auto leaf = sign_request(record["id"], full_names());
  const auto file = dir_.write("issued.pem", leaf.cert_pem());
  ASSERT_EQ(run({"import", file.string(), "--chain", intermediate_file(), "--ca-file", root_file()})
                .status,
            0);
  const std::string thumb = x509::thumbprint(leaf.cert.get());
  const auto password = dir_.write("p12.pass", "x\n");
  const auto out = dir_.path() / "edge.pfx";
  EXPECT_EQ(
      run({"export", thumb, "--pkcs12", out.string(), "--password-file", password.string()}).status,
      2);
  EXPECT_EQ(run({"export", thumb, "--pkcs12", out.string(), "--password-file", password.string(),
                 "--key-password-file", key_pass.string()})
                .status,
            0);
}

TEST_F(CerttoolTest, ShowCsrCertificateChainAndStoreEntries) {
  const auto record = request();
  const auto csr = run({"show", record["id"], "--json"});
  ASSERT_EQ(csr.status, 0) << csr.err;
  EXPECT_EQ(csr.json()["type"], "csr");
  EXPECT_EQ(csr.json()["csr"]["spki_sha256"], record["spki_sha256"]);

  const auto leaf = sign_request(record["id"], full_names());
  const auto chain_file = dir_.write("chain.pem", leaf.cert_pem() + pki_.intermediate().cert_pem());
  const auto shown = run({"show", chain_file.string(), "--ca-file", root_file(), "--json",
                          "--hostname", "corp.example"});
  ASSERT_EQ(shown.status, 0) << shown.err << shown.out;
  const auto json = shown.json();
  ASSERT_EQ(json["certificates"].size(), 2U);
  EXPECT_EQ(json["certificates"][0]["sha256"], x509::thumbprint(leaf.cert.get()));
  EXPECT_TRUE(json["verdict"]["trusted"].get<bool>());
  EXPECT_EQ(json["verdict"]["chain"].size(), 3U);

  const auto mismatch = run({"show", chain_file.string(), "--ca-file", root_file(), "--json",
                             "--hostname", "other.example"});
  EXPECT_EQ(mismatch.status, 1);
  EXPECT_EQ(mismatch.json()["verdict"]["issues"][0], "name-mismatch");

  const auto text = run({"show", chain_file.string(), "--ca-file", root_file()});
  EXPECT_NE(text.out.find("SHA-256:"), std::string::npos);
  EXPECT_NE(text.out.find("Chain: trusted"), std::string::npos) << text.out;

  EXPECT_EQ(run({"show", (dir_.path() / "nothing-here").string()}).status, 2);
  EXPECT_EQ(run({"show", dir_.write("junk", "junk").string()}).status, 2);
}

}  // namespace
}  // namespace edgekit::certtool::test

namespace edgekit::certtool::test {
namespace {

TEST_F(CerttoolTest, ShowPkcs12NeedsItsPassword) {
  const std::string thumb = import_issued();
  const auto password = dir_.write("p12.pass", "show-pass\n");
  const auto pfx = dir_.path() / "edge.pfx";
  ASSERT_EQ(
      run({"export", thumb, "--pkcs12", pfx.string(), "--password-file", password.string()}).status,
      0);
  const auto shown = run({"show", pfx.string(), "--password-file", password.string(), "--ca-file",
                          root_file(), "--json"});
  ASSERT_EQ(shown.status, 0) << shown.err << shown.out;
  const auto json = shown.json();
  EXPECT_EQ(json["type"], "pkcs12");
  EXPECT_TRUE(json["has_key"].get<bool>());
  EXPECT_EQ(json["certificates"][0]["sha256"], thumb);
  EXPECT_TRUE(json["verdict"]["trusted"].get<bool>());
  // The private key is never shown.
  EXPECT_EQ(shown.out.find("PRIVATE"), std::string::npos);

  const auto wrong = dir_.write("wrong.pass", "nope\n");
  const auto refused = run({"show", pfx.string(), "--password-file", wrong.string()});
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("password does not open it"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace edgekit::certtool::test
