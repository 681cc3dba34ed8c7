// Response header helpers: Link, Retry-After, header lines.
#include <gtest/gtest.h>

#include "certtool/acme/http.hpp"

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
