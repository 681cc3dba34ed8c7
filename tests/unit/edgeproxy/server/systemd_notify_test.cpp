#include "edgeproxy/server/systemd_notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <string>

namespace edgekit::edgeproxy {
namespace {

// A datagram socket standing in for systemd's notification socket.
class NotifySocket {
 public:
  NotifySocket() {
    std::array<char, 32> dir_template{};
    std::strcpy(dir_template.data(), "/tmp/edgekit-notify-XXXXXX");
    dir_ = ::mkdtemp(dir_template.data());
    path_ = dir_ + "/notify";
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path_.data(), path_.size());
    bound_ =
        ::bind(fd_, static_cast<sockaddr*>(static_cast<void*>(&address)), sizeof(address)) == 0;
  }
  ~NotifySocket() {
    ::close(fd_);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] bool bound() const { return bound_; }
  std::string receive() {
    std::array<char, 512> buffer{};
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
    return n < 0 ? std::string("<nothing>") : std::string(buffer.data(), static_cast<size_t>(n));
  }

 private:
  std::string dir_;
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST(SystemdNotifier, SendsEachStateAsOneDatagram) {
  NotifySocket socket;
  ASSERT_TRUE(socket.bound());
  const SystemdNotifier notifier(socket.path());
  EXPECT_TRUE(notifier.enabled());
  EXPECT_TRUE(notifier.ready("0 connections, 2 partners"));
  EXPECT_EQ(socket.receive(), "READY=1\nSTATUS=0 connections, 2 partners");
  EXPECT_TRUE(notifier.stopping());
  EXPECT_EQ(socket.receive(), "STOPPING=1");
  EXPECT_TRUE(notifier.watchdog());
  EXPECT_EQ(socket.receive(), "WATCHDOG=1");
  EXPECT_TRUE(notifier.reloading());
  EXPECT_EQ(socket.receive().rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0U);
}

TEST(SystemdNotifier, DoesNothingOutsideSystemd) {
  const SystemdNotifier none("");
  EXPECT_FALSE(none.enabled());
  EXPECT_FALSE(none.ready("x"));
  EXPECT_FALSE(none.watchdog_interval());
  const SystemdNotifier relative("not/a/socket", std::chrono::seconds(10));
  EXPECT_FALSE(relative.enabled());
  EXPECT_FALSE(relative.watchdog_interval());
}

TEST(SystemdNotifier, PingsTheWatchdogAtHalfItsTimeout) {
  const SystemdNotifier notifier("/run/systemd/notify", std::chrono::seconds(60));
  ASSERT_TRUE(notifier.watchdog_interval());
  EXPECT_EQ(*notifier.watchdog_interval(), std::chrono::seconds(30));
}

TEST(SystemdNotifier, FailsQuietlyWhenNobodyListens) {
  const SystemdNotifier notifier("/nonexistent/edgekit/notify");
  EXPECT_TRUE(notifier.enabled());
  EXPECT_FALSE(notifier.ready("x"));
}

}  // namespace
}  // namespace edgekit::edgeproxy
