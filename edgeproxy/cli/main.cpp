#include <iostream>

#include "edgeproxy/cli/commands.hpp"

int main(int argc, char** argv) {
  edgekit::cli::Registry registry;
  edgekit::edgeproxy::register_commands(registry);
  return edgekit::cli::run(edgekit::edgeproxy::tool_info(), registry, argc, argv, std::cout,
                           std::cerr);
}
