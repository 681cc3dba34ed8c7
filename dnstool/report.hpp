#pragma once
// The outcome of `dnstool check`: per domain, one line per check with a stable id
// (docs/reference.md, `dnstool check`), and for a failure the lines that fix it. Printed for humans
// (aligned, coloured on a TTY) or as the documented JSON object.

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace edgekit::dnstool {

enum class Status { kPass, kWarn, kFail, kSkip };
std::string_view to_string(Status status) noexcept;

struct Check {
  std::string id;
  Status status = Status::kSkip;
  std::string message;
  std::vector<std::string> fixes;  // "publish: _xmpp-server._tcp.corp.example. 3600 IN SRV ..."
};

struct DomainReport {
  std::string domain;
  std::vector<Check> checks;
};

struct Report {
  std::vector<DomainReport> results;

  [[nodiscard]] bool ok() const noexcept;  // no check failed
  [[nodiscard]] int count(Status status) const noexcept;
};

// {"ok": bool, "results": [{"domain": D, "checks": [{"id", "status", "message"}]}]} plus a
// "fix" array on checks that have one (added to the documented shape; readers ignore what
// they do not know).
nlohmann::json to_json(const Report& report);
void print_human(const Report& report, std::ostream& out, bool colour);

}  // namespace edgekit::dnstool
