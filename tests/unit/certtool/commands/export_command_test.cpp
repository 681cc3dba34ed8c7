// certtool export: PKCS#12 with the chain, only for exportable keys.
#include "tests/unit/certtool/certtool_fixture.hpp"

namespace edgekit::certtool::test {
namespace {

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

}  // namespace
}  // namespace edgekit::certtool::test
