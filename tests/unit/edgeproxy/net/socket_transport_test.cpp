// SocketTransport over real loopback sockets: plain and TLS (driven by OpenSSL over the socket),
// full-duplex transfers larger than any buffer, end of stream, and a handshake against a peer
// that does not speak TLS.

#include "edgeproxy/net/socket_transport.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <string>

#include "tests/support/test_pki.hpp"

namespace edgekit::edgeproxy {
namespace {

using boost::system::error_code;

struct SocketPair {
  tcp::socket server;
  tcp::socket client;
};

SocketPair connected_pair(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  tcp::socket server = acceptor.accept();
  return {std::move(server), std::move(client)};
}

std::string pattern(std::size_t size, char seed) {
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    data[i] = static_cast<char>(seed + static_cast<char>(i % 61));
  }
  return data;
}

// Reads until `want` bytes arrived or the stream ended; `end` gets the error that ended it.
awaitable<std::string> read_up_to(SocketTransport& transport, std::size_t want, error_code& end) {
  std::string got;
  std::string buffer(4096, '\0');
  while (got.size() < want) {
    error_code ec;
    const std::size_t n = transport.read_now(asio::buffer(buffer), ec);
    if (ec == asio::error::would_block) {
      co_await transport.wait_readable(ec);
      if (!ec) {
        continue;
      }
    }
    if (ec) {
      end = ec;
      break;
    }
    got.append(buffer, 0, n);
  }
  co_return got;
}

class SocketTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto leaf = pki_.leaf_for({"edge.corp.example"});
    SSL_CTX* server = server_context_.native_handle();
    ASSERT_EQ(SSL_CTX_use_certificate(server, leaf.cert.get()), 1);
    ASSERT_EQ(SSL_CTX_use_PrivateKey(server, leaf.key.get()), 1);
    SSL_CTX_set_min_proto_version(server, TLS1_2_VERSION);
    SSL_CTX_set_min_proto_version(client_context_.native_handle(), TLS1_2_VERSION);
  }

  // Runs two coroutines (the two ends) until both are done; each is a callable returning
  // awaitable<void>, kept alive by co_spawn for as long as its coroutine runs.
  template <typename First, typename Second>
  void run(First first, Second second) {
    asio::co_spawn(io_, std::move(first), asio::detached);
    asio::co_spawn(io_, std::move(second), asio::detached);
    io_.run_for(std::chrono::seconds(30));
  }

  struct Exchange {
    std::string got_up;
    std::string got_down;
    error_code server_handshake;
    error_code client_handshake;
    error_code server_end;
    int tls_version = 0;
    bool drained_after_all = false;  // the client found nothing more to read, and knew it
  };

  // Writes `data` from a coroutine of its own, so the caller reads meanwhile (full duplex).
  template <typename Done>
  void spawn_write(SocketTransport& transport, const std::string& data, Done done) {
    asio::co_spawn(
        io_,
        [&transport, &data, done]() -> awaitable<void> {
          error_code ec;
          co_await transport.write(asio::buffer(data), ec);
          EXPECT_FALSE(ec) << ec.message();
          done();
        },
        asio::detached);
  }

  // Over a fresh loopback connection (TLS when asked): the client sends `up` while the server
  // sends `down`, both reading at the same time. The client closes once it has sent and read
  // everything; the server reads until the stream ends.
  Exchange exchange(bool tls, const std::string& up, const std::string& down) {
    auto [server_socket, client_socket] = connected_pair(io_);
    SocketTransport server(std::move(server_socket));
    SocketTransport client(std::move(client_socket));
    Exchange result;
    int client_busy = 2;  // its writer and its reader
    auto close_when_both_done = [&] {
      if (--client_busy == 0) {
        client.close();  // sends close_notify under TLS
      }
    };
    run(
        [&]() -> awaitable<void> {
          if (tls) {
            co_await server.start_tls(server_context_, true, {}, result.server_handshake);
            if (result.server_handshake) {
              co_return;
            }
          }
          spawn_write(server, down, [] {});
          result.got_up = co_await read_up_to(server, up.size() + 1, result.server_end);
        },
        [&]() -> awaitable<void> {
          if (tls) {
            co_await client.start_tls(client_context_, false, "edge.corp.example",
                                      result.client_handshake);
            if (result.client_handshake) {
              co_return;
            }
          }
          spawn_write(client, up, close_when_both_done);
          error_code client_end;
          result.got_down = co_await read_up_to(client, down.size(), client_end);
          error_code ec;
          std::string spare(16, '\0');
          EXPECT_EQ(client.read_now(asio::buffer(spare), ec), 0U);
          result.drained_after_all = client.drained() && ec == asio::error::would_block;
          close_when_both_done();
        });
    EXPECT_EQ(server.secured(), tls);
    result.tls_version = tls ? SSL_version(server.ssl()) : 0;
    return result;
  }

  testing::TestPki pki_;
  asio::io_context io_;
  asio::ssl::context server_context_{asio::ssl::context::tls_server};
  asio::ssl::context client_context_{asio::ssl::context::tls_client};
};

TEST_F(SocketTransportTest, PlainFullDuplexAndEndOfStream) {
  const std::string up = pattern(std::size_t{3} * 1024 * 1024, 'a');
  const std::string down = pattern(std::size_t{2} * 1024 * 1024, 'A');
  const Exchange result = exchange(false, up, down);
  EXPECT_EQ(result.got_down, down);
  EXPECT_EQ(result.got_up, up);
  EXPECT_EQ(result.server_end, asio::error::eof);
}

TEST_F(SocketTransportTest, TlsFullDuplexCloseNotifyAndDrained) {
  const std::string up = pattern(std::size_t{3} * 1024 * 1024 + 17, 'a');
  const std::string down = pattern(std::size_t{2} * 1024 * 1024 + 5, 'A');
  const Exchange result = exchange(true, up, down);
  ASSERT_FALSE(result.server_handshake) << result.server_handshake.message();
  ASSERT_FALSE(result.client_handshake) << result.client_handshake.message();
  EXPECT_EQ(result.tls_version, TLS1_3_VERSION);
  EXPECT_EQ(result.got_down, down);
  EXPECT_EQ(result.got_up, up);
  EXPECT_TRUE(result.drained_after_all);
  EXPECT_EQ(result.server_end, asio::error::eof) << result.server_end.message();  // close_notify
}

TEST_F(SocketTransportTest, TlsPeerVanishingWithoutCloseNotifyIsEndOfStream) {
  auto [server_socket, client_socket] = connected_pair(io_);
  SocketTransport server(std::move(server_socket));
  SocketTransport client(std::move(client_socket));
  error_code handshake;
  error_code server_end;
  std::string got;
  run(
      [&]() -> awaitable<void> {
        co_await server.start_tls(server_context_, true, {}, handshake);
        got = co_await read_up_to(server, 100, server_end);
      },
      [&]() -> awaitable<void> {
        error_code ec;
        co_await client.start_tls(client_context_, false, {}, ec);
        co_await client.write(asio::buffer(std::string("<presence/>")), ec);
        error_code ignored;
        client.socket().close(ignored);  // TCP close, no TLS close_notify
      });
  ASSERT_FALSE(handshake) << handshake.message();
  EXPECT_EQ(got, "<presence/>");
  EXPECT_EQ(server_end, asio::error::eof) << server_end.message();
}

TEST_F(SocketTransportTest, HandshakeWithAPeerThatDoesNotSpeakTlsFailsWithAReason) {
  auto [server_socket, client_socket] = connected_pair(io_);
  SocketTransport server(std::move(server_socket));
  error_code handshake;
  run([&]() -> awaitable<void> { co_await server.start_tls(server_context_, true, {}, handshake); },
      [&]() -> awaitable<void> {
        const std::string not_tls = "<stream:stream xmlns='jabber:server'>";
        error_code ec;
        co_await asio::async_write(client_socket, asio::buffer(not_tls),
                                   asio::redirect_error(use_awaitable, ec));
      });
  ASSERT_TRUE(handshake);
  EXPECT_NE(handshake, asio::error::eof);
  EXPECT_FALSE(handshake.message().empty());
  server.close();  // no close_notify after a failed handshake, and no crash
  EXPECT_FALSE(server.socket().is_open());
}

TEST_F(SocketTransportTest, NoTlsCallAfterClose) {
  auto [server_socket, client_socket] = connected_pair(io_);
  SocketTransport server(std::move(server_socket));
  SocketTransport client(std::move(client_socket));
  error_code handshake;
  error_code write_after_close;
  run([&]() -> awaitable<void> { co_await server.start_tls(server_context_, true, {}, handshake); },
      [&]() -> awaitable<void> {
        error_code ec;
        co_await client.start_tls(client_context_, false, {}, ec);
        client.close();
        // The descriptor number may already belong to another stream: nothing is written.
        co_await client.write(asio::buffer(std::string("late")), write_after_close);
      });
  ASSERT_FALSE(handshake) << handshake.message();
  EXPECT_EQ(write_after_close, asio::error::operation_aborted);
}

}  // namespace
}  // namespace edgekit::edgeproxy
