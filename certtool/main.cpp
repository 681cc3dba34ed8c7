#include <iostream>

#include "certtool/commands/commands.hpp"

int main(int argc, char** argv) {
  edgekit::cli::Registry registry;
  edgekit::certtool::register_commands(registry);
  return edgekit::cli::run(edgekit::certtool::tool_info(), registry, argc, argv, std::cout,
                           std::cerr);
}
