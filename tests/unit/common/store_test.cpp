#include "common/store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/identity.hpp"

namespace edgekit {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("edgekit-store-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static unsigned mode_of(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0);
    return info.st_mode & 0777U;
  }

  fs::path root_;
};

TEST_F(StoreTest, SecretFilesLoseTheirLineEndAndMustNotBeEmpty) {
  fs::create_directories(root_);
  ASSERT_TRUE(write_file_atomic(root_ / "secret", "s3cret\r\n", fs::perms::owner_read));
  auto secret = read_secret_file(root_ / "secret", "the test secret");
  ASSERT_TRUE(secret.has_value()) << secret.error().message();
  EXPECT_EQ(secret.value(), "s3cret");

  ASSERT_TRUE(write_file_atomic(root_ / "empty", "\n", fs::perms::owner_read));
  auto empty = read_secret_file(root_ / "empty", "the test secret");
  ASSERT_FALSE(empty.has_value());
  EXPECT_NE(empty.error().message().find("the test secret is empty"), std::string::npos);

  auto missing = read_secret_file(root_ / "absent", "the test secret");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message().find("cannot read the test secret"), std::string::npos);
}

TEST_F(StoreTest, CreatesAPrivateDirectory) {
  auto store = Store::open(root_, true);
  ASSERT_TRUE(store.has_value()) << store.error().message();
  EXPECT_EQ(mode_of(root_), 0700U);
}

TEST_F(StoreTest, OpeningAMissingStoreWithoutCreateFails) {
  auto store = Store::open(root_, false);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, make_error_code(StoreErrc::kUnavailable));
}

TEST_F(StoreTest, SecretsAreWrittenMode0600) {
  auto store = Store::open(root_, true);
  ASSERT_TRUE(store.has_value());
  const auto old_umask = ::umask(0);  // even a permissive umask must not widen the mode
  ASSERT_TRUE(store.value().write_secret("requests/r1/key.pem", "secret").has_value());
  ::umask(old_umask);
  EXPECT_EQ(mode_of(root_ / "requests/r1/key.pem"), 0600U);
  EXPECT_EQ(mode_of(root_ / "requests/r1"), 0700U);
  EXPECT_EQ(store.value().read("requests/r1/key.pem").value(), "secret");
}

TEST_F(StoreTest, RewriteReplacesWholeFileAndLeavesNoTemporaries) {
  auto store = Store::open(root_, true);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(store.value().write("a.json", std::string(100000, 'x')).has_value());
  ASSERT_TRUE(store.value().write("a.json", "short").has_value());
  EXPECT_EQ(store.value().read("a.json").value(), "short");
  for (const auto& entry : fs::directory_iterator(root_)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
  }
}

TEST_F(StoreTest, FailedWriteLeavesTheOldFile) {
  auto store = Store::open(root_, true);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(store.value().write("dir/file", "old").has_value());
  if (::geteuid() == 0) {
    GTEST_SUCCEED() << "root ignores directory permissions; checked the error path below";
  } else {
    fs::permissions(root_ / "dir", fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_FALSE(store.value().write("dir/file", "new").has_value());
    fs::permissions(root_ / "dir", fs::perms::owner_all);
  }
  // A target that cannot be replaced (a directory) fails and leaves the old content readable.
  fs::create_directories(root_ / "dir/sub");
  EXPECT_FALSE(store.value().write("dir/sub", "new").has_value());
  EXPECT_EQ(store.value().read("dir/file").value(), "old");
}

TEST_F(StoreTest, RelativePathsCannotLeaveTheStore) {
  auto store = Store::open(root_, true);
  ASSERT_TRUE(store.has_value());
  auto result = store.value().write("../escape", "x");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, make_error_code(StoreErrc::kUnsafePath));
  EXPECT_FALSE(fs::exists(root_.parent_path() / "escape"));
}

TEST_F(StoreTest, ReadRefusesOversizedFiles) {
  auto store = Store::open(root_, true);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(store.value().write("big", std::string(5000, 'x')).has_value());
  EXPECT_FALSE(store.value().read("big", 4096).has_value());
  auto missing = store.value().read("nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, make_error_code(StoreErrc::kMissing));
}

TEST_F(StoreTest, LockExcludesOtherProcessesUntilReleased) {
  auto store = Store::open(root_, true);
  ASSERT_TRUE(store.has_value());
  auto held = store.value().lock();
  ASSERT_TRUE(held.has_value());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto other = Store::open(root_, false);
    auto attempt = other.value().lock(std::chrono::milliseconds(100));
    ::_exit(!attempt.has_value() && attempt.error().code == make_error_code(StoreErrc::kLocked)
                ? 0
                : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "second locker was not refused";
  held = StoreLock();  // release
  EXPECT_TRUE(store.value().lock(std::chrono::milliseconds(100)).has_value());
}

TEST_F(StoreTest, ConcurrentWritersNeverProduceATornFile) {
  auto store = Store::open(root_, true);
  ASSERT_TRUE(store.has_value());
  constexpr int kWriters = 4;
  constexpr int kRounds = 50;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      const std::string content(20000, static_cast<char>('a' + w));
      for (int i = 0; i < kRounds; ++i) {
        auto lock = store.value().lock();
        ASSERT_TRUE(lock.has_value());
        ASSERT_TRUE(store.value().write("shared", content).has_value());
      }
    });
  }
  std::thread reader([&] {
    for (int i = 0; i < 200; ++i) {
      auto text = store.value().read("shared");
      if (text) {
        ASSERT_EQ(text.value().size(), 20000U);
        ASSERT_EQ(text.value().find_first_not_of(text.value()[0]), std::string::npos);
      }
    }
  });
  for (auto& thread : threads) {
    thread.join();
  }
  reader.join();
}

TEST_F(StoreTest, IdentityRoundTripsAndKeepsThePrevious) {
  auto store = Store::open(root_, true);
  ASSERT_TRUE(store.has_value());
  EXPECT_EQ(read_identity(store.value()).error().code, make_error_code(StoreErrc::kMissing));
  Identity first;
  first.fqdn = "edge.corp.example";
  first.xmpp_domains = {"corp.example"};
  first.certificate = "certificates/aa/cert.pem";
  first.chain = "certificates/aa/chain.pem";
  first.key = "certificates/aa/key.pem";
  first.thumbprint = "aa";
  first.not_after = "2027-01-01T00:00:00Z";
  first.validated = {{"at", "2026-11-24T00:00:00Z"}};
  ASSERT_TRUE(write_identity(store.value(), first).has_value());
  Identity second = first;
  second.thumbprint = "bb";
  ASSERT_TRUE(write_identity(store.value(), second).has_value());
  auto loaded = read_identity(store.value());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message();
  EXPECT_EQ(loaded.value().thumbprint, "bb");
  EXPECT_EQ(loaded.value().xmpp_domains, first.xmpp_domains);
  EXPECT_EQ(loaded.value().validated["at"], "2026-11-24T00:00:00Z");
  auto previous = store.value().read(store_layout::kPreviousIdentityFile);
  ASSERT_TRUE(previous.has_value());
  EXPECT_NE(previous.value().find("\"aa\""), std::string::npos);
}

TEST_F(StoreTest, CorruptIdentityIsReportedNotCrashed) {
  auto store = Store::open(root_, true);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(store.value().write("identity.json", "{\"role\": 5").has_value());
  EXPECT_EQ(read_identity(store.value()).error().code, make_error_code(StoreErrc::kCorrupt));
  ASSERT_TRUE(store.value().write("identity.json", "{\"role\": \"edge-external\"}").has_value());
  EXPECT_EQ(read_identity(store.value()).error().code, make_error_code(StoreErrc::kCorrupt));
}

TEST(StorePath, FlagThenEnvironmentThenConfig) {
  ::unsetenv("EDGEKIT_STORE");
  EXPECT_EQ(choose_store_path(std::nullopt, "/cfg"), fs::path("/cfg"));
  ::setenv("EDGEKIT_STORE", "/env", 1);
  EXPECT_EQ(choose_store_path(std::nullopt, "/cfg"), fs::path("/env"));
  EXPECT_EQ(choose_store_path(std::string("/flag"), "/cfg"), fs::path("/flag"));
  ::unsetenv("EDGEKIT_STORE");
}

}  // namespace
}  // namespace edgekit
