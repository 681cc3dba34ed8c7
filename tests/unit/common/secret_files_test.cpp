// Which secret files are exposed to every user of the host: the two secrets the config names
// and the identity's private key, each found by its mode, and nothing for absent files.

#include "common/secret_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/identity.hpp"
#include "common/store.hpp"

namespace edgekit {
namespace {

namespace fs = std::filesystem;

class SecretFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("edgekit-secret-files-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "store");
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path write(const std::string& name, fs::perms mode) {
    auto path = root_ / name;
    std::ofstream(path) << "secret\n";
    fs::permissions(path, mode);
    return path;
  }

  Config config(const fs::path& component, const fs::path& dialback) const {
    Config config;
    config.internal.secret_file = component.string();
    config.federation.dialback_secret_file = dialback.string();
    return config;
  }

  static constexpr fs::perms kPrivate = fs::perms::owner_read | fs::perms::owner_write;
  static constexpr fs::perms kWorld = kPrivate | fs::perms::group_read | fs::perms::others_read;
  fs::path root_;
};

TEST_F(SecretFilesTest, PrivateFilesAreNotListed) {
  const auto component = write("component.secret", kPrivate);
  const auto dialback = write("dialback.secret", kPrivate | fs::perms::group_read);
  EXPECT_TRUE(world_readable_secrets(config(component, dialback), root_ / "store").empty());
}

TEST_F(SecretFilesTest, WorldReadableSecretsAreNamedWithTheFix) {
  const auto component = write("component.secret", kWorld);
  const auto dialback = write("dialback.secret", kWorld);
  const auto exposed = world_readable_secrets(config(component, dialback), root_ / "store");
  ASSERT_EQ(exposed.size(), 2U);
  EXPECT_EQ(exposed[0].what, "internal.secret_file");
  EXPECT_EQ(exposed[1].what, "federation.dialback_secret_file");
  EXPECT_EQ(exposure_message(exposed[0]), component.string() +
                                              " (internal.secret_file) is readable by every "
                                              "user: chmod 600 " +
                                              component.string());
}

TEST_F(SecretFilesTest, AbsentFilesAreLeftToTheirLoader) {
  Config absent = config(root_ / "missing.secret", {});
  EXPECT_TRUE(world_readable_secrets(absent, root_ / "no-store").empty());
}

TEST_F(SecretFilesTest, TheIdentitysPrivateKeyIsChecked) {
  const auto component = write("component.secret", kPrivate);
  const auto key = write("store/edge.key", kWorld);
  auto store = Store::open(root_ / "store", false);
  ASSERT_TRUE(store.has_value()) << store.error().message();
  Identity identity;
  identity.fqdn = "edge.corp.example";
  identity.certificate = "edge.crt";
  identity.key = "edge.key";
  identity.thumbprint = "ab";
  identity.not_after = "2099-01-01T00:00:00Z";
  ASSERT_TRUE(write_identity(store.value(), identity).has_value());
  const auto exposed = world_readable_secrets(config(component, {}), root_ / "store");
  ASSERT_EQ(exposed.size(), 1U);
  EXPECT_EQ(fs::canonical(exposed[0].path), fs::canonical(key));
  fs::permissions(key, kPrivate);
  EXPECT_TRUE(world_readable_secrets(config(component, {}), root_ / "store").empty());
}

}  // namespace
}  // namespace edgekit
