#include <iostream>

#include "dnstool/commands.hpp"

int main(int argc, char** argv) {
  edgekit::cli::Registry registry;
  edgekit::dnstool::register_commands(registry);
  return edgekit::cli::run(edgekit::dnstool::tool_info(), registry, argc, argv, std::cout,
                           std::cerr);
}
