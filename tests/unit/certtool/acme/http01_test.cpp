// The http-01 responder: its pure answer, and a real listener fetched with the libcurl layer.
#include <gtest/gtest.h>

#include "certtool/acme/curl.hpp"
#include "certtool/acme/http01.hpp"

namespace edgekit::certtool::acme {
namespace {

const std::map<std::string, std::string, std::less<>> kTokens = {{"tok123", "tok123.thumb"}};

TEST(AcmeHttp01, AnswersOnlyKnownChallengeTokens) {
  const auto ok =
      http01_answer("GET /.well-known/acme-challenge/tok123 HTTP/1.1\r\nHost: a\r\n\r\n", kTokens);
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0U);
  EXPECT_NE(ok.find("Content-Length: 12\r\n"), std::string::npos);
  EXPECT_EQ(ok.substr(ok.size() - 12), "tok123.thumb");
  const auto head =
      http01_answer("HEAD /.well-known/acme-challenge/tok123 HTTP/1.1\r\n\r\n", kTokens);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
  EXPECT_EQ(
      http01_answer("GET /.well-known/acme-challenge/other HTTP/1.1\r\n\r\n", kTokens).substr(9, 3),
      "404");
  EXPECT_EQ(http01_answer("GET /etc/passwd HTTP/1.1\r\n\r\n", kTokens).substr(9, 3), "404");
  EXPECT_EQ(http01_answer("GET /.well-known/acme-challenge/tok123/ HTTP/1.1\r\n\r\n", kTokens)
                .substr(9, 3),
            "404");
  EXPECT_EQ(http01_answer("POST /.well-known/acme-challenge/tok123 HTTP/1.1\r\n\r\n", kTokens)
                .substr(9, 3),
            "405");
  EXPECT_EQ(http01_answer("garbage\r\n\r\n", kTokens).substr(9, 3), "400");
  EXPECT_EQ(
      http01_answer("GET http://edge.example/.well-known/acme-challenge/tok123 HTTP/1.1\r\n\r\n",
                    kTokens)
          .substr(9, 3),
      "200");
}

TEST(AcmeHttp01, RealResponderServesTokenOverLoopback) {
  auto responder = Http01Responder::start("127.0.0.1:0");
  ASSERT_TRUE(responder) << responder.error().message();
  const auto port = responder.value()->port();
  ASSERT_NE(port, 0);
  responder.value()->set_token("AbC_-123", "AbC_-123.key-auth");
  auto transport = CurlTransport::create({});
  ASSERT_TRUE(transport);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  auto found = transport.value().send(
      HttpRequest{"GET", base + "/.well-known/acme-challenge/AbC_-123", {}, {}, {}});
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_EQ(found.value().status, 200);
  EXPECT_EQ(found.value().body, "AbC_-123.key-auth");
  auto missing = transport.value().send(
      HttpRequest{"GET", base + "/.well-known/acme-challenge/nope", {}, {}, {}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing.value().status, 404);
  responder.value()->clear_tokens();
  auto cleared = transport.value().send(
      HttpRequest{"GET", base + "/.well-known/acme-challenge/AbC_-123", {}, {}, {}});
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared.value().status, 404);
  EXPECT_EQ(responder.value()->requests_served(), 3U);
}

TEST(AcmeHttp01, OversizedRequestIsRefused) {
  auto responder = Http01Responder::start("127.0.0.1:0");
  ASSERT_TRUE(responder);
  auto transport = CurlTransport::create({});
  ASSERT_TRUE(transport);
  const std::string url = "http://127.0.0.1:" + std::to_string(responder.value()->port()) +
                          "/.well-known/acme-challenge/" + std::string(9000, 'a');
  auto response = transport.value().send(HttpRequest{"GET", url, {}, {}, {}});
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response.value().status, 431);
}

TEST(AcmeHttp01, BusyPortIsAClearError) {
  auto first = Http01Responder::start("127.0.0.1:0");
  ASSERT_TRUE(first);
  auto second = Http01Responder::start("127.0.0.1:" + std::to_string(first.value()->port()));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message().find("http-01 responder on 127.0.0.1:"), std::string::npos);
  EXPECT_FALSE(Http01Responder::start("not-an-address:80"));
}

}  // namespace
}  // namespace edgekit::certtool::acme
