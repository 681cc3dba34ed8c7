// certtool request: key in the store (0600, optionally encrypted), CSR with the names of the
// configuration, the wizard's summary.
#include <fstream>

#include "certtool/csr.hpp"
#include "certtool/key.hpp"
#include "tests/unit/certtool/certtool_fixture.hpp"

namespace edgekit::certtool::test {
namespace {

TEST_F(CerttoolTest, RequestWritesKeyCsrAndRecord) {
  const auto out = dir_.path() / "edge.csr";
  const auto result = run({"request", "--out", out.string()});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("Request summary"), std::string::npos);
  EXPECT_NE(result.out.find("DNS:sip.corp.example"), std::string::npos);

  auto bytes = read_file(out);
  ASSERT_TRUE(bytes);
  auto csr = parse_csr(bytes.value());
  ASSERT_TRUE(csr);
  const auto info = inspect_csr(csr.value().get());
  EXPECT_TRUE(info.signature_ok);
  EXPECT_EQ(info.subject, "CN=edge.corp.example,O=Contoso,C=FR");
  EXPECT_EQ(info.dns_names,
            (std::vector<std::string>{"edge.corp.example", "corp.example", "xn--bcher-kva.example",
                                      "sip.corp.example"}));
  EXPECT_EQ(info.key, "EC P-256");

  const std::string id = info.spki_sha256.substr(0, 16);
  const auto dir = std::filesystem::path(store_) / "requests" / id;
  EXPECT_EQ(mode_of(dir / "key.pem"), 0600U);
  EXPECT_TRUE(std::filesystem::exists(dir / "csr.pem"));
  const auto listed = run({"list", "--json"});
  ASSERT_EQ(listed.status, 0) << listed.err;
  ASSERT_EQ(listed.json()["requests"].size(), 1U);
  EXPECT_EQ(listed.json()["requests"][0]["id"], id);
  EXPECT_EQ(listed.json()["requests"][0]["status"], "pending");
  // The key is never printed.
  EXPECT_EQ(result.out.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(result.err.find("PRIVATE KEY"), std::string::npos);
}

TEST_F(CerttoolTest, RequestJsonIsStable) {
  const auto json = request();
  for (const char* key :
       {"id", "created", "fqdn", "subject", "dns_names", "other_names", "key", "friendly_name",
        "exportable", "key_encrypted", "spki_sha256", "status", "csr_file", "store"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["friendly_name"], "Edge external");
  EXPECT_EQ(json["status"], "pending");
}

TEST_F(CerttoolTest, RequestKeyTypeFlagOverridesConfig) {
  const auto json = request({"--key", "rsa:3072"});
  EXPECT_EQ(json["key"], "RSA 3072");
  const auto bad = run({"request", "--key", "rsa:1024"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("rsa:1024"), std::string::npos);
}

TEST_F(CerttoolTest, RequestEncryptsKeyWithPassword) {
  const auto password = dir_.write("key.pass", "correct horse\n");
  const auto json = request({"--key-password-file", password.string()});
  EXPECT_TRUE(json["key_encrypted"].get<bool>());
  auto pem = read_file(std::filesystem::path(store_) / "requests" / json["id"].get<std::string>() /
                       "key.pem");
  ASSERT_TRUE(pem);
  EXPECT_TRUE(key_pem_is_encrypted(pem.value()));
  EXPECT_FALSE(key_from_pem(pem.value(), std::nullopt));
  EXPECT_FALSE(key_from_pem(pem.value(), std::string_view("wrong")));
  auto key = key_from_pem(pem.value(), std::string_view("correct horse"));
  ASSERT_TRUE(key);
  EXPECT_EQ(spki_sha256_of_key(key.value().get()), json["spki_sha256"]);

  const auto empty = dir_.write("empty.pass", "\n");
  EXPECT_EQ(run({"request", "--key-password-file", empty.string()}).status, 2);
}

TEST_F(CerttoolTest, RequestRefusesWildcardsUnlessAllowed) {
  write_config(
      default_config(store_, "additional_sans = [\"*.corp.example\", \"corp.example\"]\n"));
  const auto refused = run({"request"});
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("--allow-wildcard"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(store_) / "requests"));
  const auto json = request({"--allow-wildcard"});
  // Deduplicated: corp.example appears once.
  EXPECT_EQ(json["dns_names"],
            (std::vector<std::string>{"edge.corp.example", "corp.example", "xn--bcher-kva.example",
                                      "sip.corp.example", "*.corp.example"}));
}

TEST_F(CerttoolTest, RequestAddsXmppIdentitiesWithWarning) {
  write_config(default_config(store_, "", "xmpp_identities = true\n"));
  const auto result = run({"request", "--json"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.err.find("public CAs"), std::string::npos);
  const auto others = result.json()["other_names"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(others.begin(), others.end(), "SRVName:_xmpp-server.corp.example"),
            others.end());
  EXPECT_NE(std::find(others.begin(), others.end(), "xmppAddr:corp.example"), others.end());
}

TEST_F(CerttoolTest, RequestWithBrokenConfigExits2) {
  write_config("[edge]\nfqdn = 42\nbogus = true\n");
  const auto result = run({"request"});
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.err.find("certtool: error:"), std::string::npos);
  EXPECT_NE(result.err.find("fqdn"), std::string::npos) << result.err;
}

TEST_F(CerttoolTest, RequestSubjectRejectsNothingValidAndKeepsOrder) {
  write_config(default_config(store_, "",
                              "organizational_unit = \"IT\"\nlocality = \"Paris\"\n"
                              "state = \"Ile-de-France\"\n"));
  const auto json = request();
  EXPECT_EQ(json["subject"], "CN=edge.corp.example,OU=IT,O=Contoso,L=Paris,ST=Ile-de-France,C=FR");
}

}  // namespace
}  // namespace edgekit::certtool::test
