#include "certtool/acme/problem.hpp"

#include <nlohmann/json.hpp>

namespace edgekit::certtool::acme {
namespace {

constexpr std::string_view kAcmePrefix = "urn:ietf:params:acme:error:";
constexpr std::size_t kMaxSubproblems = 10;

std::string string_member(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return {};
  }
  return it->get<std::string>();
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for (const char c : text) {
    if (out.size() >= max_bytes) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? ' ' : c;
  }
  return out;
}

std::string short_problem_type(std::string_view type) {
  if (type.substr(0, kAcmePrefix.size()) == kAcmePrefix) {
    type.remove_prefix(kAcmePrefix.size());
  }
  return printable(type, 100);
}

std::optional<Problem> parse_problem(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object() ||
      (!json.contains("type") && !json.contains("detail"))) {
    return std::nullopt;
  }
  Problem problem;
  problem.type = short_problem_type(string_member(json, "type"));
  problem.detail = printable(string_member(json, "detail"));
  if (const auto it = json.find("status"); it != json.end() && it->is_number_integer()) {
    problem.status = it->get<int>();
  }
  if (const auto it = json.find("subproblems"); it != json.end() && it->is_array()) {
    for (const auto& sub : *it) {
      if (!sub.is_object() || problem.subproblems.size() >= kMaxSubproblems) {
        continue;
      }
      Subproblem entry;
      entry.type = short_problem_type(string_member(sub, "type"));
      entry.detail = printable(string_member(sub, "detail"));
      if (const auto id = sub.find("identifier"); id != sub.end() && id->is_object()) {
        entry.identifier = printable(string_member(*id, "value"), 255);
      }
      problem.subproblems.push_back(std::move(entry));
    }
  }
  return problem;
}

std::string Problem::one_line() const {
  std::string line = type.empty() ? std::string("problem") : type;
  if (!detail.empty()) {
    line += ": " + detail;
  }
  for (const auto& sub : subproblems) {
    line += " [";
    if (!sub.identifier.empty()) {
      line += sub.identifier + ": ";
    }
    line += sub.type.empty() ? std::string("problem") : sub.type;
    if (!sub.detail.empty()) {
      line += ": " + sub.detail;
    }
    line += "]";
  }
  return line;
}

}  // namespace edgekit::certtool::acme
