#include "edgeproxy/server/listener.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "common/log.hpp"

namespace edgekit::edgeproxy {
namespace {

// What the child process found, as its exit status.
enum ChildResult : int {
  kOk = 0,
  kSetupFailed = 10,
  kSpun = 11,             // the accept loop used the CPU while the limit lasted
  kAcceptedAtLimit = 12,  // nothing to test: the limit did not bite
  kNeverResumed = 13,     // no accept after descriptors freed up
  kNotLogged = 14,        // listen.accept_failed not logged exactly once
  kNotCounted = 15,       // the metrics did not count fd-limit
};

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // The kernel completes the handshake from the backlog: no accept() needed for connect().
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Runs in a child process, as it lowers the descriptor limit and uses every descriptor left.
ChildResult accept_at_the_fd_limit() {
  std::ostringstream log;
  Logger::global().set_stream(&log);
  asio::io_context io;
  Metrics metrics;
  Listeners listeners(io, metrics);
  int accepted = 0;
  if (!listeners.open(Endpoint{"127.0.0.1", 0}, [&](tcp::socket) { ++accepted; })) {
    return kSetupFailed;
  }
  const std::uint16_t port = listeners.local_endpoints().at(0).port();
  // A limit a little above what is open now, then every remaining descriptor used up but one,
  // which the client's socket takes.
  const int highest = ::open("/dev/null", O_RDONLY);
  const rlimit limit{static_cast<rlim_t>(highest + 8), static_cast<rlim_t>(highest + 8)};
  if (highest < 0 || setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return kSetupFailed;
  }
  std::vector<int> filler;
  for (int fd = ::open("/dev/null", O_RDONLY); fd >= 0; fd = ::open("/dev/null", O_RDONLY)) {
    filler.push_back(fd);
  }
  if (filler.empty()) {
    return kSetupFailed;
  }
  ::close(filler.back());
  filler.pop_back();
  const int client = connect_to(port);
  if (client < 0) {
    return kSetupFailed;
  }

  const double cpu_before = cpu_seconds();
  io.run_for(std::chrono::seconds(2));
  const double cpu_used = cpu_seconds() - cpu_before;
  if (accepted != 0) {
    return kAcceptedAtLimit;
  }
  // A busy loop would use about the whole 2 s; backing off uses next to nothing.
  if (cpu_used > 0.3) {
    return kSpun;
  }
  for (int fd : filler) {
    ::close(fd);
  }
  io.run_for(std::chrono::seconds(2));
  if (accepted != 1) {
    return kNeverResumed;
  }
  const std::string text = log.str();
  const auto first = text.find("listen.accept_failed");
  if (first == std::string::npos ||
      text.find("listen.accept_failed", first + 1) != std::string::npos ||
      text.find("fd-limit") == std::string::npos) {
    return kNotLogged;
  }
  if (metrics.render().find("reason=\"fd-limit\"") == std::string::npos) {
    return kNotCounted;
  }
  ::close(client);
  return kOk;
}

TEST(Listeners, BacksOffAtTheFileDescriptorLimitAndResumes) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    _exit(accept_at_the_fd_limit());
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), kOk) << "see ChildResult";
}

}  // namespace
}  // namespace edgekit::edgeproxy
