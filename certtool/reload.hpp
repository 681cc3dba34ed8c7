#pragma once
// Asking a running edgeproxy to reload its certificate: SIGHUP to the pid in the store's
// edgeproxy.pid, but only when that pid really is an edgeproxy (a stale pid file must not make
// certtool signal an unrelated process).

#include <string>

#include "common/store.hpp"

namespace edgekit::certtool {

struct ReloadOutcome {
  bool signalled = false;
  std::string message;  // what happened, for the user
};

ReloadOutcome signal_edgeproxy(const Store& store);

}  // namespace edgekit::certtool
