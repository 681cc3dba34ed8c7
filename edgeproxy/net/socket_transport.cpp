#include "edgeproxy/net/socket_transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <csignal>

#include "edgeproxy/net/tls_contexts.hpp"

namespace edgekit::edgeproxy {
namespace {

// An OpenSSL failure as an error_code whose message() is OpenSSL's reason text. A peer that
// closes TCP without close_notify is an ordinary end of stream for XMPP (the stream's own
// </stream:stream> is the real close), not a TLS error.
boost::system::error_code tls_error(int ssl_error, int saved_errno) {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (ssl_error == SSL_ERROR_SYSCALL && code == 0) {
    return saved_errno != 0
               ? boost::system::error_code(saved_errno, boost::system::system_category())
               : boost::system::error_code(asio::error::eof);
  }
  if (ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    return asio::error::eof;
  }
  if (code == 0) {
    // A failure that left no reason must still read as a failure (a zero code would not).
    return asio::error::connection_aborted;
  }
  return {static_cast<int>(code), asio::error::get_ssl_category()};
}

}  // namespace

SocketTransport::SocketTransport(tcp::socket socket) : socket_(std::move(socket)) {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
}

awaitable<void> SocketTransport::connect(const tcp::endpoint& endpoint,
                                         boost::system::error_code& ec) {
  close();  // an earlier attempt's socket; async_connect opens a fresh one
  co_await socket_.async_connect(endpoint, asio::redirect_error(use_awaitable, ec));
  if (!ec) {
    boost::system::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
  }
}

std::string SocketTransport::tls_version() const {
  return edgeproxy::tls_version(ssl_.get());
}

CertificateCheck SocketTransport::peer_certificate() const {
  return peer_certificate_check(ssl_.get());
}

std::string SocketTransport::remote_address() const {
  boost::system::error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  if (ec) {
    return {};
  }
  return remote.address().to_string() + ":" + std::to_string(remote.port());
}

template <typename Call>
SocketTransport::Need SocketTransport::tls_step(Call call, boost::system::error_code& ec) {
  ec.clear();
  if (!socket_.is_open()) {
    // The descriptor may already belong to another connection: no TLS I/O after close().
    ec = asio::error::operation_aborted;
    return Need::kNothing;
  }
  // SSL_get_error() reads the thread's error queue: an entry left by anything before (a chain
  // problem the verify callback forgave, a failed load on reload) would turn a harmless
  // WANT_READ into a fatal error on an unrelated stream.
  ERR_clear_error();
  errno = 0;
  const int rc = call();
  const int saved_errno = errno;
  if (rc == 1) {
    return Need::kNothing;
  }
  switch (const int ssl_error = SSL_get_error(ssl_.get(), rc)) {
    case SSL_ERROR_WANT_READ: return Need::kReadable;
    case SSL_ERROR_WANT_WRITE: return Need::kWritable;
    case SSL_ERROR_ZERO_RETURN: ec = asio::error::eof; return Need::kNothing;
    default:
      tls_failed_ = true;
      ec = tls_error(ssl_error, saved_errno);
      return Need::kNothing;
  }
}

awaitable<void> SocketTransport::wait_for(Need need, boost::system::error_code& ec) {
  co_await socket_.async_wait(
      need == Need::kWritable ? tcp::socket::wait_write : tcp::socket::wait_read,
      asio::redirect_error(use_awaitable, ec));
}

std::size_t SocketTransport::read_tls(char* data, std::size_t size, boost::system::error_code& ec) {
  // SSL_read returns one record at most: gather records until the buffer is full or the
  // socket is empty, so the framer sees large chunks.
  std::size_t total = 0;
  while (total < size) {
    std::size_t n = 0;
    read_needs_ =
        tls_step([&] { return SSL_read_ex(ssl_.get(), data + total, size - total, &n); }, ec);
    if (ec || read_needs_ != Need::kNothing) {
      break;
    }
    total += n;
  }
  if (total > 0 && ec) {
    pending_error_ = ec;
    ec.clear();
  }
  return total;
}

std::size_t SocketTransport::read_now(asio::mutable_buffer buffer, boost::system::error_code& ec) {
  ec.clear();
  if (pending_error_) {
    ec = pending_error_;
    return 0;
  }
  if (read_needs_ != Need::kNothing) {
    ec = asio::error::would_block;
    return 0;
  }
  if (!socket_.non_blocking()) {
    socket_.non_blocking(true, ec);
    if (ec) {
      return 0;
    }
  }
  std::size_t n = 0;
  if (ssl_) {
    n = read_tls(static_cast<char*>(buffer.data()), buffer.size(), ec);
  } else {
    n = socket_.read_some(buffer, ec);
    // A short read emptied the socket; a full one may have left more behind.
    read_needs_ = ec || n < buffer.size() ? Need::kReadable : Need::kNothing;
    if (ec == asio::error::would_block) {
      return 0;
    }
  }
  if (n == 0 && !ec) {
    ec = asio::error::would_block;
  }
  return n;
}

awaitable<void> SocketTransport::wait_readable(boost::system::error_code& ec) {
  co_await wait_for(read_needs_, ec);
  if (!ec) {
    read_needs_ = Need::kNothing;
  }
}

awaitable<std::size_t> SocketTransport::write(asio::const_buffer buffer,
                                              boost::system::error_code& ec) {
  if (!ssl_) {
    co_return co_await asio::async_write(socket_, buffer, asio::redirect_error(use_awaitable, ec));
  }
  const auto* data = static_cast<const char*>(buffer.data());
  std::size_t left = buffer.size();
  while (left > 0) {
    std::size_t written = 0;
    // After WANT_*, OpenSSL requires the retry with the same bytes: `data`/`left` only move
    // on success.
    const Need need = tls_step([&] { return SSL_write_ex(ssl_.get(), data, left, &written); }, ec);
    if (ec) {
      break;
    }
    if (need == Need::kNothing) {
      data += written;
      left -= written;
      continue;
    }
    co_await wait_for(need, ec);
    if (ec) {
      break;
    }
  }
  co_return buffer.size() - left;
}

awaitable<void> SocketTransport::start_tls(asio::ssl::context& context, bool server,
                                           const std::string& sni, boost::system::error_code& ec) {
  // TLS records leave through OpenSSL's socket BIO, which uses write(2), not send() with
  // MSG_NOSIGNAL: a peer that vanished must give EPIPE on its stream, not end the process.
  static const bool sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
  static_cast<void>(sigpipe_ignored);
  ec.clear();
  ssl_.reset(SSL_new(context.native_handle()));
  if (!ssl_ || SSL_set_fd(ssl_.get(), socket_.native_handle()) != 1) {
    tls_failed_ = true;
    ec = tls_error(SSL_ERROR_SSL, 0);
    co_return;
  }
  chain_errors_ = 0;
  track_chain_errors(ssl_.get(), &chain_errors_);
  // RELEASE_BUFFERS: an idle stream holds no record buffers. PARTIAL_WRITE: a full socket
  // returns what was written so far instead of holding the whole write.
  SSL_set_mode(ssl_.get(), SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                               SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Read-ahead: one recv() takes every record that has arrived instead of two per record
  // (header, then body); the buffer is still released when it empties.
  SSL_set_read_ahead(ssl_.get(), 1);
  socket_.non_blocking(true, ec);
  if (ec) {
    co_return;
  }
  if (server) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
    if (!sni.empty()) {
      // SSL_set_tlsext_host_name is a macro with an old-style cast: call what it expands to.
      SSL_ctrl(ssl_.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(sni.c_str()));
    }
  }
  for (;;) {
    const Need need = tls_step([&] { return SSL_do_handshake(ssl_.get()); }, ec);
    if (ec == asio::error::eof) {
      ec = asio::error::connection_reset;  // closed during the handshake: not a clean end
    }
    if (ec || need == Need::kNothing) {
      break;
    }
    co_await wait_for(need, ec);
    if (ec) {
      break;
    }
  }
  read_needs_ = Need::kNothing;
}

void SocketTransport::stop_reading() noexcept {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_receive, ignored);
}

void SocketTransport::close() noexcept {
  if (!socket_.is_open()) {
    return;
  }
  if (ssl_ && !tls_failed_ && SSL_is_init_finished(ssl_.get()) == 1) {
    // Best effort, never waits: a peer that reads sees a clean TLS close.
    SSL_shutdown(ssl_.get());
    ERR_clear_error();
  }
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace edgekit::edgeproxy
