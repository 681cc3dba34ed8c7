#pragma once
// `edgeproxy [--config FILE] [--check-config]`: the proxy itself (the default command).

#include <memory>

#include "common/cli.hpp"

namespace edgekit::edgeproxy {

std::unique_ptr<cli::Command> make_run_command();

}  // namespace edgekit::edgeproxy
