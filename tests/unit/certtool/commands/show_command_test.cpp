// certtool show: a file, or a request or certificate in the store.
#include "tests/unit/certtool/certtool_fixture.hpp"

namespace edgekit::certtool::test {
namespace {

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
