#include "certtool/reload.hpp"

#include <signal.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace edgekit::certtool {
namespace {

std::string process_name(long pid) {
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

}  // namespace

ReloadOutcome signal_edgeproxy(const Store& store) {
  ReloadOutcome outcome;
  auto text = store.read(store_layout::kEdgeproxyPidFile, 64);
  if (!text) {
    outcome.message =
        "no edgeproxy pid file in the store: a running edgeproxy was not asked to "
        "reload (it loads the new certificate when it starts or gets SIGHUP)";
    return outcome;
  }
  long pid = 0;
  try {
    pid = std::stol(text.value());
  } catch (const std::exception&) {
    pid = 0;
  }
  if (pid <= 1) {
    outcome.message = "the edgeproxy pid file holds no valid pid: nothing signalled";
    return outcome;
  }
  const std::string name = process_name(pid);
  if (name.empty()) {
    outcome.message = "edgeproxy (pid " + std::to_string(pid) +
                      ") is not running (stale pid file): nothing signalled";
    return outcome;
  }
  if (!name.starts_with("edgeproxy")) {
    outcome.message = "pid " + std::to_string(pid) + " from the pid file is '" + name +
                      "', not edgeproxy (stale pid file): nothing signalled";
    return outcome;
  }
  if (::kill(static_cast<pid_t>(pid), SIGHUP) != 0) {
    outcome.message =
        "cannot signal edgeproxy (pid " + std::to_string(pid) + "): " + std::strerror(errno);
    return outcome;
  }
  outcome.signalled = true;
  outcome.message = "asked edgeproxy (pid " + std::to_string(pid) + ") to reload (SIGHUP)";
  return outcome;
}

}  // namespace edgekit::certtool
