#include "edgeproxy/server/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace edgekit::edgeproxy {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up
  return value == nullptr ? std::string() : std::string(value);
}

std::optional<std::chrono::microseconds> watchdog_from_env() {
  const std::string usec = env("WATCHDOG_USEC");
  if (usec.empty()) {
    return std::nullopt;
  }
  const std::string pid = env("WATCHDOG_PID");
  if (!pid.empty() && pid != std::to_string(::getpid())) {
    return std::nullopt;  // meant for another process
  }
  char* end = nullptr;
  const unsigned long long value = std::strtoull(usec.c_str(), &end, 10);
  if (end == usec.c_str() || *end != '\0' || value == 0) {
    return std::nullopt;
  }
  return std::chrono::microseconds(value);
}

}  // namespace

SystemdNotifier::SystemdNotifier() : SystemdNotifier(env("NOTIFY_SOCKET"), watchdog_from_env()) {}

SystemdNotifier::SystemdNotifier(std::string socket_path,
                                 std::optional<std::chrono::microseconds> watchdog)
    : socket_path_(std::move(socket_path)), watchdog_(watchdog) {
  // Only a filesystem path or an abstract socket ("@name") is a Unix socket address.
  if (!socket_path_.empty() && socket_path_[0] != '/' && socket_path_[0] != '@') {
    socket_path_.clear();
  }
  if (socket_path_.empty()) {
    watchdog_.reset();
  }
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval() const noexcept {
  if (!watchdog_) {
    return std::nullopt;
  }
  return *watchdog_ / 2;
}

bool SystemdNotifier::notify(std::string_view state) const {
  if (socket_path_.empty()) {
    return false;
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(address.sun_path)) {
    return false;
  }
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  if (address.sun_path[0] == '@') {
    address.sun_path[0] = '\0';
  }
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  auto* generic = static_cast<sockaddr*>(static_cast<void*>(&address));
  const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, generic, length);
  ::close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

bool SystemdNotifier::ready(std::string_view status) const {
  return notify("READY=1\nSTATUS=" + std::string(status));
}

bool SystemdNotifier::reloading() const {
  // systemd 253+ wants the CLOCK_MONOTONIC time with RELOADING=1; older ones ignore it.
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1000000ULL +
                    static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
  return notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

bool SystemdNotifier::stopping() const {
  return notify("STOPPING=1");
}

bool SystemdNotifier::status(std::string_view status) const {
  return notify("STATUS=" + std::string(status));
}

bool SystemdNotifier::watchdog() const {
  return notify("WATCHDOG=1");
}

}  // namespace edgekit::edgeproxy
