// certtool assign: identity.json, rollback, the reload signal, and refusals.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "common/identity.hpp"
#include "tests/unit/certtool/certtool_fixture.hpp"

namespace edgekit::certtool::test {
namespace {

nlohmann::json read_json(const std::filesystem::path& path) {
  auto text = read_file(path);
  EXPECT_TRUE(text) << path;
  return nlohmann::json::parse(text ? text.value() : "{}");
}

TEST_F(CerttoolTest, AssignWritesIdentityJson) {
  const std::string thumb = import_issued();
  const auto result = run({"assign", thumb.substr(0, 12)});  // a unique prefix is enough
  ASSERT_EQ(result.status, 0) << result.err;
  const auto identity = read_json(std::filesystem::path(store_) / "identity.json");
  EXPECT_EQ(identity["role"], "edge-external");
  EXPECT_EQ(identity["fqdn"], "edge.corp.example");
  EXPECT_EQ(identity["thumbprint"], thumb);
  EXPECT_EQ(identity["xmpp_domains"],
            (std::vector<std::string>{"corp.example", "xn--bcher-kva.example"}));
  EXPECT_EQ(identity["not_after"].get<std::string>().size(), 20U);
  EXPECT_TRUE(identity["validated"].contains("at"));
  // The paths resolve inside the store and load.
  auto store = Store::open(store_, false);
  ASSERT_TRUE(store);
  auto loaded = read_identity(store.value());
  ASSERT_TRUE(loaded) << loaded.error().message();
  auto cert = x509::load_certificates(store.value().resolve(loaded.value().certificate).value());
  ASSERT_TRUE(cert);
  EXPECT_EQ(x509::thumbprint(cert.value()[0].get()), thumb);
  EXPECT_EQ(mode_of(store.value().resolve(loaded.value().key).value()), 0600U);
}

TEST_F(CerttoolTest, AssignRollbackRestoresThePreviousAssignment) {
  const std::string first = import_issued();
  const std::string second = import_issued();
  ASSERT_NE(first, second);
  ASSERT_EQ(run({"assign", first}).status, 0);
  ASSERT_EQ(run({"assign", second}).status, 0);
  const auto identity_file = std::filesystem::path(store_) / "identity.json";
  EXPECT_EQ(read_json(identity_file)["thumbprint"], second);
  const auto rolled = run({"assign", "--rollback", "--json"});
  ASSERT_EQ(rolled.status, 0) << rolled.err;
  EXPECT_EQ(rolled.json()["thumbprint"], first);
  EXPECT_EQ(read_json(identity_file)["thumbprint"], first);
  // Rolling back again swaps back.
  ASSERT_EQ(run({"assign", "--rollback"}).status, 0);
  EXPECT_EQ(read_json(identity_file)["thumbprint"], second);
}

TEST_F(CerttoolTest, RollbackWithoutPreviousExits2) {
  const std::string thumb = import_issued();
  ASSERT_EQ(run({"assign", thumb}).status, 0);
  const auto result = run({"assign", "--rollback"});
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.err.find("no previous assignment"), std::string::npos) << result.err;
}

TEST_F(CerttoolTest, AssignUnknownOrAmbiguousThumbprint) {
  import_issued();
  EXPECT_EQ(run({"assign", "00000000deadbeef"}).status, 2);
  EXPECT_EQ(run({"assign", "xyz"}).status, 2);
  EXPECT_EQ(run({"assign"}).status, 2);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(store_) / "identity.json"));
}

TEST_F(CerttoolTest, AssignRefusesWhenConfigNamesChanged) {
  const std::string thumb = import_issued();
  write_config(default_config(store_, "additional_sans = [\"new.corp.example\"]\n"));
  const auto result = run({"assign", thumb});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("new.corp.example"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(store_) / "identity.json"));
}

// A stand-in edgeproxy: /bin/sleep copied under the name edgeproxy, so /proc/PID/comm says
// "edgeproxy"; SIGHUP's default action ends it, which proves the signal arrived.
TEST_F(CerttoolTest, AssignSignalsARunningEdgeproxy) {
  const std::string thumb = import_issued();
  const auto fake = dir_.path() / "edgeproxy";
  std::filesystem::copy_file("/bin/sleep", fake);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl(fake.c_str(), "edgeproxy", "30", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until the exec happened (comm changes from the test's name to edgeproxy).
  for (int i = 0; i < 200; ++i) {
    std::ifstream comm("/proc/" + std::to_string(child) + "/comm");
    std::string name;
    std::getline(comm, name);
    if (name == "edgeproxy") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  dir_.write("store/edgeproxy.pid", std::to_string(child) + "\n");
  const auto result = run({"assign", thumb, "--json"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_TRUE(result.json()["reload"]["signalled"].get<bool>()) << result.out;
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGHUP);
}

TEST_F(CerttoolTest, StalePidFileSignalsNothing) {
  const std::string thumb = import_issued();
  // Our own pid: alive, but not an edgeproxy. certtool must not signal it.
  dir_.write("store/edgeproxy.pid", std::to_string(getpid()) + "\n");
  const auto result = run({"assign", thumb, "--json"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_FALSE(result.json()["reload"]["signalled"].get<bool>());
  EXPECT_NE(result.json()["reload"]["message"].get<std::string>().find("not edgeproxy"),
            std::string::npos);
}

}  // namespace
}  // namespace edgekit::certtool::test

namespace edgekit::certtool::test {
namespace {

TEST_F(CerttoolTest, AssignOfAnEncryptedKeyStoresItDecryptedOnlyWithThePassword) {
  const auto key_pass = dir_.write("key.pass", "k3y\n");
  const auto record = request({"--key-password-file", key_pass.string()});
  const auto leaf = sign_request(record["id"], full_names());
  ASSERT_EQ(run({"import", dir_.write("issued.pem", leaf.cert_pem()).string(), "--chain",
                 intermediate_file(), "--ca-file", root_file()})
                .status,
            0);
  const std::string thumb = x509::thumbprint(leaf.cert.get());
  const auto key_file = std::filesystem::path(store_) / "certificates" / thumb / "key.pem";
  const auto refused = run({"assign", thumb});
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("--key-password-file"), std::string::npos) << refused.err;
  EXPECT_NE(read_file(key_file).value().find("ENCRYPTED"), std::string::npos);

  const auto wrong = dir_.write("wrong.pass", "nope\n");
  EXPECT_EQ(run({"assign", thumb, "--key-password-file", wrong.string()}).status, 2);

  const auto assigned = run({"assign", thumb, "--key-password-file", key_pass.string()});
  ASSERT_EQ(assigned.status, 0) << assigned.err;
  const auto pem = read_file(key_file).value();
  EXPECT_EQ(pem.find("ENCRYPTED"), std::string::npos);
  EXPECT_EQ(mode_of(key_file), 0600U);
  // The request keeps its encrypted key; the check is healthy.
  const auto request_key =
      std::filesystem::path(store_) / "requests" / record["id"].get<std::string>() / "key.pem";
  EXPECT_NE(read_file(request_key).value().find("ENCRYPTED"), std::string::npos);
  EXPECT_EQ(run({"check"}).status, 0);
}

}  // namespace
}  // namespace edgekit::certtool::test
