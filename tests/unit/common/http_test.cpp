// The libcurl layer against a one-shot loopback server that sends a canned answer: headers,
// the body cap, redirects returned rather than followed, and an unreachable port.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <thread>

#include "common/http.hpp"

namespace edgekit::http {
namespace {

// A TCP socket bound to a free loopback port (stored in `port`); -1 when that fails.
int bind_loopback(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  if (fd < 0 || ::bind(fd, generic, length) != 0 || ::getsockname(fd, generic, &length) != 0) {
    ::close(fd);
    return -1;
  }
  port = ntohs(address.sin_port);
  return fd;
}

// Listens on 127.0.0.1 (a free port), answers one connection with `answer`, then closes.
class CannedServer {
 public:
  explicit CannedServer(std::string answer) : answer_(std::move(answer)) {
    listener_ = bind_loopback(port_);
    if (listener_ < 0 || ::listen(listener_, 1) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
      return;
    }
    thread_ = std::thread([this] { serve(); });
  }
  CannedServer(const CannedServer&) = delete;
  CannedServer& operator=(const CannedServer&) = delete;
  ~CannedServer() {
    if (thread_.joinable()) {
      thread_.join();
    }
    ::close(listener_);
  }

  [[nodiscard]] std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void serve() {
    const int peer = ::accept(listener_, nullptr, nullptr);
    if (peer < 0) {
      return;
    }
    // Reads the request head (small, one segment on loopback) before answering.
    std::array<char, 4096> request{};
    (void)::recv(peer, request.data(), request.size(), 0);
    (void)::send(peer, answer_.data(), answer_.size(), MSG_NOSIGNAL);
    ::close(peer);
  }

  std::string answer_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// A loopback port that nothing listens on: bound, learnt, and closed again.
std::uint16_t unused_port() {
  std::uint16_t port = 1;
  ::close(bind_loopback(port));
  return port;
}

Options plain_http() {
  Options options;
  options.protocols = "http";
  options.connect_timeout = std::chrono::seconds(2);
  options.total_timeout = std::chrono::seconds(5);
  return options;
}

// One GET against a server that sends `answer`.
Outcome get_canned(const std::string& answer, const Options& options = plain_http()) {
  CannedServer server(answer);
  return get(server.url("/"), options);
}

TEST(Http, CollectsStatusHeadersAndBody) {
  auto response = get_canned(
      "HTTP/1.1 201 Created\r\nLocation: https://ca.test/order/1\r\nReplay-Nonce:  abc \r\n"
      "Content-Length: 5\r\nConnection: close\r\n\r\nhello");
  ASSERT_TRUE(response) << response.error().detail;
  EXPECT_EQ(response.value().status, 201);
  EXPECT_EQ(response.value().body, "hello");
  const auto& headers = response.value().headers;
  ASSERT_GE(headers.size(), 2U);
  EXPECT_EQ(headers[0],
            (std::pair<std::string, std::string>{"location", "https://ca.test/order/1"}));
  EXPECT_EQ(headers[1], (std::pair<std::string, std::string>{"replay-nonce", "abc"}));
}

TEST(Http, RedirectIsReturnedWhenNotFollowed) {
  auto response = get_canned(
      "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n");
  ASSERT_TRUE(response) << response.error().detail;
  EXPECT_EQ(response.value().status, 302);
}

TEST(Http, BodyOverTheCapIsTooLarge) {
  auto options = plain_http();
  options.max_body_bytes = 16;
  auto response =
      get_canned("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(64, 'x'), options);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, FailureKind::kTooLarge);
}

TEST(Http, UnreachablePortIsATransportFailure) {
  const auto port = unused_port();
  auto response = get("http://127.0.0.1:" + std::to_string(port) + "/", plain_http());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, FailureKind::kTransport);
  EXPECT_FALSE(response.error().summary.empty());
  EXPECT_FALSE(response.error().detail.empty());
}

TEST(Http, ProtocolOutsideThePolicyIsRefused) {
  auto response = get("ftp://127.0.0.1:1/file", plain_http());
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, FailureKind::kTransport);
}

TEST(Http, HeaderLines) {
  EXPECT_EQ(parse_header_line("Content-Type:\tapplication/json\r\n"),
            (std::pair<std::string, std::string>{"content-type", "application/json"}));
  EXPECT_FALSE(parse_header_line("HTTP/1.1 200 OK\r\n"));
  EXPECT_FALSE(parse_header_line("\r\n"));
  EXPECT_FALSE(parse_header_line("Bad Name: x"));
  EXPECT_EQ(trim_ows(" \t value \r\n"), "value");
}

}  // namespace
}  // namespace edgekit::http
