#include "dnstool/report.hpp"

#include <algorithm>
#include <ostream>

namespace edgekit::dnstool {
namespace {

constexpr std::string_view kReset = "\033[0m";

std::string_view colour_of(Status status) noexcept {
  switch (status) {
    case Status::kPass: return "\033[32m";
    case Status::kWarn: return "\033[33m";
    case Status::kFail: return "\033[1;31m";
    case Status::kSkip: return "\033[2m";
  }
  return "";
}

std::string padded(std::string_view text, std::size_t width) {
  std::string out(text);
  if (out.size() < width) {
    out.resize(width, ' ');
  }
  return out;
}

}  // namespace

std::string_view to_string(Status status) noexcept {
  switch (status) {
    case Status::kPass: return "pass";
    case Status::kWarn: return "warn";
    case Status::kFail: return "fail";
    case Status::kSkip: return "skip";
  }
  return "skip";
}

bool Report::ok() const noexcept {
  return count(Status::kFail) == 0;
}

int Report::count(Status status) const noexcept {
  int total = 0;
  for (const auto& domain : results) {
    total += static_cast<int>(std::count_if(domain.checks.begin(), domain.checks.end(),
                                            [&](const Check& c) { return c.status == status; }));
  }
  return total;
}

nlohmann::json to_json(const Report& report) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& domain : report.results) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& check : domain.checks) {
      nlohmann::json item = {{"id", check.id},
                             {"status", std::string(to_string(check.status))},
                             {"message", check.message}};
      if (!check.fixes.empty()) {
        item["fix"] = check.fixes;
      }
      checks.push_back(std::move(item));
    }
    results.push_back({{"domain", domain.domain}, {"checks", std::move(checks)}});
  }
  return {{"ok", report.ok()}, {"results", std::move(results)}};
}

void print_human(const Report& report, std::ostream& out, bool colour) {
  std::size_t id_width = 0;
  for (const auto& domain : report.results) {
    for (const auto& check : domain.checks) {
      id_width = std::max(id_width, check.id.size());
    }
  }
  for (const auto& domain : report.results) {
    out << domain.domain << "\n";
    for (const auto& check : domain.checks) {
      const auto status = to_string(check.status);
      out << "  ";
      if (colour) {
        out << colour_of(check.status) << status << kReset;
      } else {
        out << status;
      }
      out << "  " << padded(check.id, id_width) << "  " << check.message << "\n";
      for (const auto& fix : check.fixes) {
        out << "        " << padded("", id_width) << "  fix: " << fix << "\n";
      }
    }
  }
  const int failed = report.count(Status::kFail);
  const int warned = report.count(Status::kWarn);
  std::string verdict = failed == 0 ? "OK" : "FAIL";
  if (colour) {
    verdict = std::string(colour_of(failed == 0 ? Status::kPass : Status::kFail)) + verdict +
              std::string(kReset);
  }
  out << "verdict: " << verdict << " (" << failed << (failed == 1 ? " failure, " : " failures, ")
      << warned << (warned == 1 ? " warning" : " warnings") << ")\n";
}

}  // namespace edgekit::dnstool
