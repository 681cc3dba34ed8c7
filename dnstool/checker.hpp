#pragma once
// Runs every check of `dnstool check` for all domains (concurrently) and builds the report.

#include "dnstool/check_options.hpp"
#include "dnstool/report.hpp"

namespace edgekit::dnstool {

struct CheckRun {
  Report report;
  bool no_nameserver = false;  // not one query got an answer: exit 3
  std::string nameserver_error;
};

Result<CheckRun> run_checks(const CheckSettings& settings);

}  // namespace edgekit::dnstool
