#pragma once
// RFC 7807 problem documents as ACME servers send them (RFC 8555 §6.7): type, detail, status
// and subproblems with identifiers, turned into one clear line for the user.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgekit::certtool::acme {

struct Subproblem {
  std::string type;  // short form: "rejectedIdentifier"
  std::string detail;
  std::string identifier;  // "dns:bad.example" or ""
};

struct Problem {
  std::string type;  // short form without "urn:ietf:params:acme:error:"
  std::string detail;
  int status = 0;
  std::vector<Subproblem> subproblems;

  // "rejectedIdentifier: <detail> [bad.example: rejectedIdentifier: <detail>]"
  [[nodiscard]] std::string one_line() const;
  [[nodiscard]] bool is(std::string_view short_type) const { return type == short_type; }
};

// The problem in a JSON body (any object with "type" or "detail"); nullopt when the body is
// not a problem document. Control characters from the server are replaced.
std::optional<Problem> parse_problem(std::string_view body);
// The "urn:ietf:params:acme:error:" prefix removed; other types are kept whole.
std::string short_problem_type(std::string_view type);
// Text from the server made safe for one terminal line: control characters become spaces,
// and it is capped in length.
std::string printable(std::string_view text, std::size_t max_bytes = 400);

}  // namespace edgekit::certtool::acme
