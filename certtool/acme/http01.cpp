#include "certtool/acme/http01.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include "certtool/acme/errors.hpp"
#include "common/asio_headers.hpp"
#include "common/config.hpp"
#include "common/log.hpp"

namespace edgekit::certtool::acme {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::string_view kPrefix = "/.well-known/acme-challenge/";
constexpr std::chrono::seconds kConnectionDeadline{10};

std::string response(int status, std::string_view reason, std::string_view body, bool head) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  out += "Content-Type: text/plain\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  if (!head) {
    out += body;
  }
  return out;
}

}  // namespace

std::string http01_answer(std::string_view request_head,
                          const std::map<std::string, std::string, std::less<>>& tokens) {
  const auto line_end = request_head.find("\r\n");
  const auto line = request_head.substr(0, line_end);
  const auto first_space = line.find(' ');
  const auto second_space =
      first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
  if (first_space == std::string_view::npos || second_space == std::string_view::npos ||
      line.substr(second_space + 1, 5) != "HTTP/") {
    return response(400, "Bad Request", "bad request\n", false);
  }
  const auto method = line.substr(0, first_space);
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    return response(405, "Method Not Allowed", "method not allowed\n", false);
  }
  auto target = line.substr(first_space + 1, second_space - first_space - 1);
  // An absolute-form target (proxies) carries scheme and host first.
  if (target.substr(0, 7) == "http://") {
    const auto slash = target.find('/', 7);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (target.substr(0, kPrefix.size()) != kPrefix) {
    return response(404, "Not Found", "not found\n", head);
  }
  const auto token = target.substr(kPrefix.size());
  const auto it = tokens.find(token);
  if (it == tokens.end()) {
    return response(404, "Not Found", "not found\n", head);
  }
  return response(200, "OK", it->second, head);
}

struct Http01Responder::Impl {
  asio::io_context io;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::string> addresses;
  std::vector<std::uint16_t> ports;
  std::mutex mutex;
  std::map<std::string, std::string, std::less<>> tokens;
  std::atomic<std::size_t> served{0};
  std::thread thread;

  void accept(tcp::acceptor& acceptor) {
    acceptor.async_accept([this, &acceptor](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) {
        return;
      }
      if (!ec) {
        serve(std::move(socket));
      }
      accept(acceptor);
    });
  }

  // One request per connection: read the head (capped), answer, close. A timer closes the
  // socket when the peer is too slow.
  void serve(tcp::socket socket) {
    struct Connection {
      explicit Connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
      tcp::socket socket;
      asio::steady_timer timer;
      asio::streambuf buffer{kMaxHttp01RequestBytes};
      std::string reply;
    };
    auto connection = std::make_shared<Connection>(std::move(socket));
    connection->timer.expires_after(kConnectionDeadline);
    connection->timer.async_wait([connection](boost::system::error_code ec) {
      if (!ec) {
        boost::system::error_code ignored;
        connection->socket.close(ignored);
      }
    });
    asio::async_read_until(
        connection->socket, connection->buffer, "\r\n\r\n",
        [this, connection](boost::system::error_code ec, std::size_t bytes) {
          if (ec == asio::error::not_found) {
            connection->reply =
                response(431, "Request Header Fields Too Large", "too large\n", false);
          } else if (ec) {
            connection->timer.cancel();
            return;
          } else {
            const std::string head(asio::buffers_begin(connection->buffer.data()),
                                   asio::buffers_begin(connection->buffer.data()) +
                                       static_cast<std::ptrdiff_t>(bytes));
            {
              const std::lock_guard lock(mutex);
              connection->reply = http01_answer(head, tokens);
            }
            ++served;
            log_info("acme.http01.request",
                     {{"peer", connection->socket.remote_endpoint(ec).address().to_string()},
                      {"status", connection->reply.substr(9, 3)}});
          }
          asio::async_write(connection->socket, asio::buffer(connection->reply),
                            [connection](boost::system::error_code, std::size_t) {
                              boost::system::error_code ignored;
                              connection->socket.shutdown(tcp::socket::shutdown_both, ignored);
                              connection->socket.close(ignored);
                              connection->timer.cancel();
                            });
        });
  }
};

Result<std::unique_ptr<Http01Responder>> Http01Responder::start(const std::string& listen) {
  auto endpoint = parse_endpoint(listen, 80);
  if (!endpoint && listen.size() > 2 && listen.substr(listen.size() - 2) == ":0") {
    // Port 0 (any free port) is not a deployment value, but tests use it.
    endpoint = parse_endpoint(listen.substr(0, listen.size() - 2), 80);
    if (endpoint) {
      endpoint->port = 0;
    }
  }
  if (!endpoint) {
    return make_error(AcmeErrc::kUsage, "acme.http_listen",
                      "\"" + listen + "\" is not an address:port");
  }
  auto impl = std::make_unique<Impl>();
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(endpoint->host, ec);
  if (ec) {
    return make_error(AcmeErrc::kUsage, "acme.http_listen",
                      "\"" + endpoint->host + "\" is not an IP address");
  }
  auto bind = [&](const tcp::endpoint& where, bool dual_stack) -> boost::system::error_code {
    auto acceptor = std::make_unique<tcp::acceptor>(impl->io);
    boost::system::error_code error;
    acceptor->open(where.protocol(), error);
    if (!error && where.protocol() == tcp::v6()) {
      acceptor->set_option(asio::ip::v6_only(!dual_stack), error);
    }
    if (!error) {
      acceptor->set_option(tcp::acceptor::reuse_address(true), error);
    }
    if (!error) {
      acceptor->bind(where, error);
    }
    if (!error) {
      acceptor->listen(asio::socket_base::max_listen_connections, error);
    }
    tcp::endpoint local;
    if (!error) {
      local = acceptor->local_endpoint(error);
    }
    if (!error) {
      impl->addresses.push_back((local.address().is_v6() ? "[" + local.address().to_string() + "]"
                                                         : local.address().to_string()) +
                                ":" + std::to_string(local.port()) +
                                (dual_stack ? " (IPv6 and IPv4)" : ""));
      impl->ports.push_back(local.port());
      impl->acceptors.push_back(std::move(acceptor));
    }
    return error;
  };
  boost::system::error_code bound;
  if (address.is_v6() && address.to_v6().is_unspecified()) {
    bound = bind(tcp::endpoint(address, endpoint->port), true);
    if (bound) {
      // No IPv6 on this host: serve IPv4 alone.
      bound = bind(tcp::endpoint(asio::ip::address_v4::any(), endpoint->port), false);
    }
  } else {
    bound = bind(tcp::endpoint(address, endpoint->port), false);
  }
  if (bound) {
    return make_error(AcmeErrc::kChallengeSetup, "http-01 responder on " + listen, bound.message());
  }
  for (auto& acceptor : impl->acceptors) {
    impl->accept(*acceptor);
  }
  auto* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<Http01Responder>(new Http01Responder(std::move(impl)));
}

Http01Responder::Http01Responder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Http01Responder::~Http01Responder() {
  impl_->io.stop();
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
}

void Http01Responder::set_token(const std::string& token, const std::string& key_authorization) {
  const std::lock_guard lock(impl_->mutex);
  impl_->tokens[token] = key_authorization;
}

void Http01Responder::clear_tokens() {
  const std::lock_guard lock(impl_->mutex);
  impl_->tokens.clear();
}

const std::vector<std::string>& Http01Responder::addresses() const noexcept {
  return impl_->addresses;
}

std::uint16_t Http01Responder::port() const noexcept {
  return impl_->ports.empty() ? 0 : impl_->ports.front();
}

std::size_t Http01Responder::requests_served() const noexcept {
  return impl_->served.load();
}

}  // namespace edgekit::certtool::acme

namespace edgekit::certtool::acme {
namespace {

class Http01Provisioner final : public ChallengeProvisioner {
 public:
  explicit Http01Provisioner(std::unique_ptr<Http01Responder> responder)
      : responder_(std::move(responder)) {}
  Result<void> provision(const std::vector<ChallengeTask>& tasks) override {
    for (const auto& task : tasks) {
      responder_->set_token(task.token, task.key_authorization);
    }
    return ok();
  }
  void cleanup() override {
    responder_->clear_tokens();
    responder_.reset();
  }

 private:
  std::unique_ptr<Http01Responder> responder_;
};

}  // namespace

Result<std::unique_ptr<ChallengeProvisioner>> make_http01_provisioner(
    const std::string& listen, const std::function<void(const std::string&)>& progress) {
  auto responder = Http01Responder::start(listen);
  if (!responder) {
    return responder.error();
  }
  if (progress) {
    std::string where;
    for (const auto& address : responder.value()->addresses()) {
      where += (where.empty() ? "" : ", ") + address;
    }
    progress("http-01 responder listening on " + where);
  }
  return std::unique_ptr<ChallengeProvisioner>(
      std::make_unique<Http01Provisioner>(std::move(responder).value()));
}

}  // namespace edgekit::certtool::acme
