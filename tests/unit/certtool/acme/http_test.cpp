// Response header helpers and RFC 7807 problem documents.
#include <gtest/gtest.h>

#include "certtool/acme/http.hpp"
#include "certtool/acme/problem.hpp"

namespace edgekit::certtool::acme {
namespace {

TEST(AcmeHttp, LinkHeadersByRelation) {
  HttpResponse response;
  response.headers = {
      {"link", "<https://ca.test/dir>;rel=\"index\""},
      {"link",
       "<https://ca.test/cert/1/alt/1>; rel=\"alternate\", "
       "<https://ca.test/cert/1/alt/2>;rel=alternate"},
      {"link", "<https://ca.test/a,b>; title=\"x;y\"; rel=\"up alternate\""},
  };
  const auto alternates = link_urls(response, "alternate");
  ASSERT_EQ(alternates.size(), 3U);
  EXPECT_EQ(alternates[0], "https://ca.test/cert/1/alt/1");
  EXPECT_EQ(alternates[1], "https://ca.test/cert/1/alt/2");
  EXPECT_EQ(alternates[2], "https://ca.test/a,b");
  EXPECT_EQ(link_urls(response, "up").size(), 1U);
  EXPECT_EQ(link_urls(response, "index").front(), "https://ca.test/dir");
  EXPECT_TRUE(link_urls(response, "next").empty());
}

TEST(AcmeHttp, RetryAfterSecondsAndDate) {
  HttpResponse response;
  EXPECT_FALSE(retry_after(response));
  response.headers = {{"retry-after", "7"}};
  EXPECT_EQ(retry_after(response).value(), std::chrono::seconds(7));
  response.headers = {{"retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"}};
  response.received = std::chrono::system_clock::from_time_t(784111777 - 30);
  EXPECT_EQ(retry_after(response).value(), std::chrono::seconds(30));
  response.headers = {{"retry-after", "soon"}};
  EXPECT_FALSE(retry_after(response));
  response.headers = {{"retry-after", "-5"}};
  EXPECT_FALSE(retry_after(response));
}

TEST(AcmeHttp, HeaderLines) {
  auto parsed = parse_header_line("Replay-Nonce:  abc-DEF \r\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->first, "replay-nonce");
  EXPECT_EQ(parsed->second, "abc-DEF");
  EXPECT_FALSE(parse_header_line("HTTP/1.1 200 OK"));
  EXPECT_FALSE(parse_header_line(": x"));
}

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

namespace edgekit::certtool::acme {
namespace {

TEST(AcmeHttp, HugeRetryAfterIsClampedWithoutOverflow) {
  HttpResponse response;
  response.received = std::chrono::system_clock::now();
  response.headers = {{"retry-after", "99999999999999999999"}};
  EXPECT_EQ(retry_after(response).value(), std::chrono::seconds(86400));
  response.headers = {{"retry-after", "9223372036854775807"}};
  EXPECT_EQ(retry_after(response).value(), std::chrono::seconds(86400));
  response.headers = {{"retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"}};
  EXPECT_EQ(retry_after(response).value(), std::chrono::seconds(86400));
}

}  // namespace
}  // namespace edgekit::certtool::acme
