// The logger under systemd: no timestamps of our own when stderr is the journal.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "common/log.hpp"

namespace edgekit {
namespace {

TEST(LoggerJournal, TextLinesWithoutTimestamps) {
  Logger logger;
  logger.configure(LogFormat::kText, LogLevel::kInfo);
  logger.set_timestamps(false);
  const LogField fields[] = {{"partners", "0"}};
  EXPECT_EQ(logger.format_line(LogLevel::kInfo, "edge.started", fields, 1),
            "info edge.started partners=0");
  logger.set_timestamps(true);
  const auto stamped = logger.format_line(LogLevel::kInfo, "edge.started", fields, 1);
  EXPECT_NE(stamped.find("Z info edge.started partners=0"), std::string::npos) << stamped;
}

TEST(LoggerJournal, RecognisesTheJournalStreamByDeviceAndInode) {
  FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  const int fd = ::fileno(file);
  struct stat st {};
  ASSERT_EQ(::fstat(fd, &st), 0);
  const std::string same = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  const std::string other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
  EXPECT_TRUE(stderr_is_journal(same.c_str(), fd));
  EXPECT_FALSE(stderr_is_journal(other.c_str(), fd));
  EXPECT_FALSE(stderr_is_journal(nullptr, fd));
  EXPECT_FALSE(stderr_is_journal("", fd));
  EXPECT_FALSE(stderr_is_journal("garbage", fd));
  EXPECT_FALSE(stderr_is_journal((same + "x").c_str(), fd));
  (void)std::fclose(file);
}

}  // namespace
}  // namespace edgekit
