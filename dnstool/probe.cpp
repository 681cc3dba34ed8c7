#include "dnstool/probe.hpp"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace edgekit::dnstool {
namespace {

class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

std::string errno_text(int value) {
  return std::strerror(value);  // NOLINT(concurrency-mt-unsafe): messages only
}

std::string ssl_error_text() {
  const unsigned long code = ERR_get_error();
  if (code == 0) {
    return "connection closed or timed out";
  }
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  ERR_clear_error();
  return buffer;
}

// Connects with a time limit, then leaves the socket blocking with send/receive timeouts.
bool connect_with_timeout(int fd, const sockaddr* address, socklen_t length,
                          std::chrono::milliseconds timeout, std::string& error) {
  const int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  if (::connect(fd, address, length) != 0) {
    if (errno != EINPROGRESS) {
      error = "connect: " + errno_text(errno);
      return false;
    }
    pollfd waiting{fd, POLLOUT, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) {
      error = "connect: timed out after " + std::to_string(timeout.count()) + " ms";
      return false;
    }
    int so_error = 0;
    socklen_t so_length = sizeof so_error;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_length);
    if (so_error != 0) {
      error = "connect: " + errno_text(so_error);
      return false;
    }
  }
  fcntl(fd, F_SETFL, flags);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return true;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent <= 0) {
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// Reads until the reader reports a decisive event; the bytes are capped by the reader and the
// time by `limit` (a peer trickling one byte per receive timeout cannot hold the probe).
template <typename ReadFn>
ProbeEvent read_until_event(ProbeStreamReader& reader, ReadFn&& read_some,
                            std::chrono::milliseconds limit, std::string& error) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  char buffer[4096];
  for (int reads = 0; reads < 1024; ++reads) {
    if (std::chrono::steady_clock::now() > deadline) {
      error = "no complete answer within " + std::to_string(limit.count()) + " ms";
      return ProbeEvent::kBad;
    }
    const long got = read_some(buffer, sizeof buffer);
    if (got <= 0) {
      error = got == 0 ? "the server closed the connection" : "no answer in time";
      return ProbeEvent::kBad;
    }
    const auto event = reader.feed(std::string_view(buffer, static_cast<std::size_t>(got)));
    if (event != ProbeEvent::kNeedMore) {
      if (!reader.error().empty()) {
        error = reader.error();
      }
      return event;
    }
  }
  error = "too many reads";
  return ProbeEvent::kBad;
}

}  // namespace

std::string ProbeTarget::label() const {
  const bool v6 = address.find(':') != std::string::npos;
  return name + " (" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port) + ")";
}

ProbeResult run_probe(const ProbeTarget& target, const std::string& domain,
                      std::chrono::milliseconds step_timeout) {
  const auto started = std::chrono::steady_clock::now();
  ProbeResult result;
  result.target = target;
  const auto finish = [&]() -> ProbeResult {
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return std::move(result);
  };

  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
      inet_pton(AF_INET, target.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(target.port);
    length = sizeof(sockaddr_in);
  } else if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
             inet_pton(AF_INET6, target.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(target.port);
    length = sizeof(sockaddr_in6);
    family = AF_INET6;
  } else {
    result.error = "not an IP address: " + target.address;
    return finish();
  }
  const Fd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0 || !connect_with_timeout(fd.get(), reinterpret_cast<sockaddr*>(&storage), length,
                                            step_timeout, result.error)) {
    if (result.error.empty()) {
      result.error = "socket: " + errno_text(errno);
    }
    return finish();
  }
  result.connected = true;

  // Plain stream: header, features, STARTTLS.
  ProbeStreamReader plain;
  const auto plain_read = [&](char* buffer, std::size_t size) -> long {
    return ::recv(fd.get(), buffer, size, 0);
  };
  if (!send_all(fd.get(), probe_stream_header(domain))) {
    result.error = "sending the stream header failed";
    return finish();
  }
  std::string error;
  auto event = read_until_event(plain, plain_read, step_timeout, error);
  if (event != ProbeEvent::kFeatures) {
    result.error = "no stream features: " + error;
    return finish();
  }
  result.features_seen = true;
  result.before_tls = plain.features();
  if (!result.before_tls.starttls) {
    send_all(fd.get(), "</stream:stream>");
    return finish();
  }
  if (!send_all(fd.get(), kStartTlsRequest)) {
    result.error = "sending <starttls/> failed";
    return finish();
  }
  event = read_until_event(plain, plain_read, step_timeout, error);
  if (event != ProbeEvent::kProceed) {
    result.error = "STARTTLS: " + error;
    return finish();
  }

  // TLS with SNI = the XMPP domain (RFC 6120 §13.7.2.1); the chain is verified by the caller
  // so that every reason can be reported.
  const ossl::SslCtxPtr context(SSL_CTX_new(TLS_client_method()));
  if (!context) {
    result.error = "TLS: " + ssl_error_text();
    return finish();
  }
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  const ossl::SslPtr ssl(SSL_new(context.get()));
  SSL_set_fd(ssl.get(), fd.get());
  // SSL_set_tlsext_host_name is a macro with a C cast; call what it expands to.
  SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(domain.c_str()));
  if (SSL_connect(ssl.get()) != 1) {
    result.error = "TLS handshake: " + ssl_error_text();
    return finish();
  }
  result.tls_done = true;
  result.tls_version = SSL_get_version(ssl.get());
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get()); chain != nullptr) {
    for (int i = 0; i < sk_X509_num(chain) && i < 16; ++i) {
      X509* cert = sk_X509_value(chain, i);
      X509_up_ref(cert);
      result.presented.emplace_back(cert);
    }
  }

  // The stream restarts over TLS: what does the server offer now?
  ProbeStreamReader secure;
  const std::string header = probe_stream_header(domain);
  if (SSL_write(ssl.get(), header.data(), static_cast<int>(header.size())) <= 0) {
    result.error = "TLS: sending the stream header failed";
    return finish();
  }
  const auto tls_read = [&](char* buffer, std::size_t size) -> long {
    return SSL_read(ssl.get(), buffer, static_cast<int>(size));
  };
  event = read_until_event(secure, tls_read, step_timeout, error);
  if (event == ProbeEvent::kFeatures) {
    result.after_tls_features_seen = true;
    result.after_tls = secure.features();
  } else {
    result.error = "after TLS: " + error;
  }
  constexpr std::string_view kClose = "</stream:stream>";
  SSL_write(ssl.get(), kClose.data(), static_cast<int>(kClose.size()));
  SSL_shutdown(ssl.get());
  return finish();
}

}  // namespace edgekit::dnstool
