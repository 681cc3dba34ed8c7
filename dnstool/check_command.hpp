#pragma once
// `dnstool check`: is the edge findable, reachable and trusted? (docs/reference.md)

#include <memory>

#include "common/cli.hpp"

namespace edgekit::dnstool {

std::unique_ptr<cli::Command> make_check_command();

}  // namespace edgekit::dnstool
