#include "edgeproxy/transport.hpp"

namespace edgekit::edgeproxy {

awaitable<std::size_t> Transport::read_some(asio::mutable_buffer buffer,
                                            boost::system::error_code& ec) {
  if (tls_) {
    co_return co_await tls_->async_read_some(buffer, asio::redirect_error(use_awaitable, ec));
  }
  co_return co_await plain_.async_read_some(buffer, asio::redirect_error(use_awaitable, ec));
}

awaitable<std::size_t> Transport::write(asio::const_buffer buffer, boost::system::error_code& ec) {
  if (tls_) {
    co_return co_await asio::async_write(*tls_, buffer, asio::redirect_error(use_awaitable, ec));
  }
  co_return co_await asio::async_write(plain_, buffer, asio::redirect_error(use_awaitable, ec));
}

awaitable<void> Transport::start_tls(asio::ssl::context& context, bool server,
                                     const std::string& sni, boost::system::error_code& ec) {
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(plain_), context);
  if (!server && !sni.empty()) {
    // SSL_set_tlsext_host_name is a macro with an old-style cast: call what it expands to.
    SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(sni.c_str()));
  }
  co_await tls_->async_handshake(
      server ? asio::ssl::stream_base::server : asio::ssl::stream_base::client,
      asio::redirect_error(use_awaitable, ec));
}

void Transport::stop_reading() noexcept {
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_receive, ignored);
}

void Transport::close() noexcept {
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

}  // namespace edgekit::edgeproxy
