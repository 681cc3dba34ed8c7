// RFC 7807 problem documents as the CA sends them, flattened into one-line errors.
#include <gtest/gtest.h>

#include "certtool/acme/problem.hpp"

namespace edgekit::certtool::acme {
namespace {

TEST(AcmeProblem, RejectedIdentifierWithSubproblems) {
  // RFC 8555 §6.7.1's example, as a CA would send it.
  const auto problem = parse_problem(R"({
    "type": "urn:ietf:params:acme:error:malformed",
    "detail": "Some of the identifiers requested were rejected",
    "subproblems": [
      {"type": "urn:ietf:params:acme:error:malformed",
       "detail": "Invalid underscore in DNS name \"_example.org\"",
       "identifier": {"type": "dns", "value": "_example.org"}},
      {"type": "urn:ietf:params:acme:error:rejectedIdentifier",
       "detail": "This CA will not issue for \"example.net\"",
       "identifier": {"type": "dns", "value": "example.net"}}
    ]})");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->type, "malformed");
  ASSERT_EQ(problem->subproblems.size(), 2U);
  EXPECT_EQ(problem->one_line(),
            "malformed: Some of the identifiers requested were rejected [_example.org: "
            "malformed: Invalid underscore in DNS name \"_example.org\"] [example.net: "
            "rejectedIdentifier: This CA will not issue for \"example.net\"]");
}

TEST(AcmeProblem, HostileTextIsFlattened) {
  const auto problem =
      parse_problem(R"({"type":"about:blank","detail":"line1\nline2\u001b[31m","status":403})");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->type, "about:blank");
  EXPECT_EQ(problem->status, 403);
  EXPECT_EQ(problem->detail.find('\n'), std::string::npos);
  EXPECT_EQ(problem->detail.find('\x1b'), std::string::npos);
  EXPECT_FALSE(parse_problem("[1,2]"));
  EXPECT_FALSE(parse_problem("{\"status\": 400}"));
  EXPECT_FALSE(parse_problem("<html>"));
  EXPECT_EQ(printable(std::string(1000, 'a'), 10).size(), 13U);
}

}  // namespace
}  // namespace edgekit::certtool::acme
