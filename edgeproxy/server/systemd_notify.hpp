#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace edgekit::edgeproxy {

// The sd_notify protocol, without libsystemd: one datagram per state change to the Unix
// socket systemd names in $NOTIFY_SOCKET (edgeproxy.service is Type=notify). Without that
// variable (not started by systemd) every call does nothing.
class SystemdNotifier {
 public:
  // Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID.
  SystemdNotifier();
  explicit SystemdNotifier(std::string socket_path,
                           std::optional<std::chrono::microseconds> watchdog = std::nullopt);

  [[nodiscard]] bool enabled() const noexcept { return !socket_path_.empty(); }
  // How often to send WATCHDOG=1 (half of WatchdogSec=), when systemd asked for it.
  [[nodiscard]] std::optional<std::chrono::microseconds> watchdog_interval() const noexcept;

  // Sends "KEY=VALUE\n..." lines; false when the datagram could not be sent.
  bool notify(std::string_view state) const;
  bool ready(std::string_view status) const;
  bool reloading() const;
  bool stopping() const;
  bool status(std::string_view status) const;
  bool watchdog() const;

 private:
  std::string socket_path_;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace edgekit::edgeproxy
