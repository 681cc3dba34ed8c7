// The ACME transport: what a failed exchange is reported as.
#include <gtest/gtest.h>

#include "certtool/acme/curl.hpp"
#include "certtool/acme/http01.hpp"

namespace edgekit::certtool::acme {
namespace {

TEST(AcmeCurl, UnreachableServerIsOperational) {
  auto transport = CurlTransport::create({"", std::chrono::seconds(2), std::chrono::seconds(3)});
  ASSERT_TRUE(transport);
  // A port that nothing listens on: bind one, learn it, close it.
  std::uint16_t port = 0;
  {
    auto responder = Http01Responder::start("127.0.0.1:0");
    ASSERT_TRUE(responder);
    port = responder.value()->port();
  }
  auto response = transport.value().send(
      HttpRequest{"GET", "https://127.0.0.1:" + std::to_string(port) + "/dir", {}, {}, {}});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().exit_code(), ExitCode::kOperational);
  EXPECT_NE(response.error().message().find("cannot reach the ACME server"), std::string::npos);
}

}  // namespace
}  // namespace edgekit::certtool::acme
