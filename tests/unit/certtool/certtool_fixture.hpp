#pragma once
// A temp directory with an edgekit.toml, a store, a test PKI, and a way to run certtool
// commands in-process through cli::run.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <openssl/pem.h>
#include <nlohmann/json.hpp>

#include "certtool/commands/commands.hpp"
#include "common/store.hpp"
#include "common/x509.hpp"
#include "tests/support/test_pki.hpp"

namespace edgekit::certtool::test {

struct RunResult {
  int status = -1;
  std::string out;
  std::string err;
  [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(out); }
};

inline std::string default_config(const std::string& store, const std::string& extra_edge = "",
                                  const std::string& certificate = "") {
  return "[edge]\n"
         "fqdn = \"edge.corp.example\"\n"
         "xmpp_domains = [\"corp.example\", \"bücher.example\"]\n"
         "sip_domains = [\"corp.example\"]\n"
         "store = \"" +
         store + "\"\n" + extra_edge +
         "[certificate]\n"
         "key = \"ec:P-256\"\n"
         "friendly_name = \"Edge external\"\n"
         "organization = \"Contoso\"\n"
         "country = \"FR\"\n" +
         certificate;
}

class CerttoolTest : public ::testing::Test {
 protected:
  CerttoolTest() : dir_("certtool-unit") {
    store_ = (dir_.path() / "store").string();
    write_config(default_config(store_));
  }

  void write_config(const std::string& text) { config_ = dir_.write("edgekit.toml", text); }

  RunResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"certtool", "--config", config_.string()});
    std::vector<const char*> argv;
    for (const auto& arg : args) {
      argv.push_back(arg.c_str());
    }
    cli::Registry registry;
    register_commands(registry);
    std::ostringstream out;
    std::ostringstream err;
    RunResult result;
    result.status =
        cli::run(tool_info(), registry, static_cast<int>(argv.size()), argv.data(), out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  // certtool request --json; returns the request record.
  nlohmann::json request(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"request", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run(args);
    EXPECT_EQ(result.status, 0) << result.err;
    return result.json();
  }

  // The CSR the store holds for a request, signed by the test intermediate with spec's
  // names (spec.use_key is set to the CSR's public key).
  testing::Issued sign_request(const std::string& id, testing::CertSpec spec) const {
    std::ifstream in(std::filesystem::path(store_) / "requests" / id / "csr.pem");
    std::stringstream pem;
    pem << in.rdbuf();
    const std::string text = pem.str();
    const ossl::BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    const ossl::X509ReqPtr csr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    EXPECT_TRUE(csr);
    spec.use_key = X509_REQ_get0_pubkey(csr.get());
    return testing::issue(spec, &pki_.intermediate());
  }

  static testing::CertSpec full_names() {
    testing::CertSpec spec;
    spec.common_name = "edge.corp.example";
    spec.dns_names = {"edge.corp.example", "corp.example", "xn--bcher-kva.example",
                      "sip.corp.example"};
    return spec;
  }

  std::string root_file() const { return dir_.write("root.pem", pki_.root().cert_pem()).string(); }
  std::string intermediate_file() const {
    return dir_.write("intermediate.pem", pki_.intermediate().cert_pem()).string();
  }

  // request + sign + import; returns the thumbprint.
  std::string import_issued(testing::CertSpec spec = full_names()) {
    const auto record = request();
    const auto leaf = sign_request(record["id"], spec);
    const auto file = dir_.write("issued.pem", leaf.cert_pem());
    const auto result = run({"import", file.string(), "--chain", intermediate_file(), "--ca-file",
                             root_file(), "--json"});
    EXPECT_EQ(result.status, 0) << result.err << result.out;
    return result.json()["thumbprint"];
  }

  static unsigned mode_of(const std::filesystem::path& path) {
    struct stat info {};
    ::stat(path.c_str(), &info);
    return info.st_mode & 0777U;
  }

  testing::TempDir dir_;
  std::string store_;
  std::filesystem::path config_;
  testing::TestPki pki_;
};

}  // namespace edgekit::certtool::test
