#include "tests/support/net/scripted_transport.hpp"

#include <algorithm>
#include <cstring>

namespace edgekit::edgeproxy::testing {

bool ScriptedPeer::fail_now() {
  const bool fail = steps++ == fail_at;
  failed = failed || fail;
  return fail;
}

ScriptedTransport::ScriptedTransport(asio::io_context& io, std::shared_ptr<ScriptedPeer> peer)
    : io_(io), peer_(std::move(peer)), wakeup_(io) {
  advance();
}

awaitable<void> ScriptedTransport::yield() {
  co_await asio::post(io_, use_awaitable);
}

awaitable<void> ScriptedTransport::connect(const tcp::endpoint& endpoint,
                                           boost::system::error_code& ec) {
  ec.clear();
  co_await yield();
  if (peer_->fail_now()) {
    ec = peer_->failure;
    co_return;
  }
  closed_ = false;
  peer_->connected.push_back(endpoint);
}

std::size_t ScriptedTransport::read_now(asio::mutable_buffer buffer,
                                        boost::system::error_code& ec) {
  ec.clear();
  if (peer_->fail_now()) {
    ec = peer_->failure;
    return 0;
  }
  if (closed_) {
    ec = asio::error::bad_descriptor;
    return 0;
  }
  if (inbox_.empty()) {
    drained_ = true;
    if (stopped_ || peer_closed()) {
      ec = asio::error::eof;
    } else {
      ec = asio::error::would_block;
    }
    return 0;
  }
  const std::size_t n = std::min(buffer.size(), inbox_.size());
  std::memcpy(buffer.data(), inbox_.data(), n);
  inbox_.erase(0, n);
  drained_ = inbox_.empty();
  return n;
}

awaitable<void> ScriptedTransport::wait_readable(boost::system::error_code& ec) {
  ec.clear();
  if (peer_->fail_now()) {
    ec = peer_->failure;
    co_return;
  }
  co_await yield();
  while (!readable()) {
    wakeup_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ignored;
    co_await wakeup_.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
  if (closed_) {
    ec = asio::error::operation_aborted;
  }
}

awaitable<std::size_t> ScriptedTransport::write(asio::const_buffer buffer,
                                                boost::system::error_code& ec) {
  ec.clear();
  const std::string data(static_cast<const char*>(buffer.data()), buffer.size());
  peer_->largest_write = std::max(peer_->largest_write, data.size());
  co_await yield();
  if (peer_->fail_now() || closed_) {
    ec = closed_ ? asio::error::bad_descriptor : peer_->failure;
    // A failing write may have handed its first bytes to the kernel already.
    const std::size_t sent = std::min(peer_->sent_before_failure, data.size());
    peer_->written += data.substr(0, sent);
    peer_->lost += data.substr(sent);
    co_return sent;
  }
  peer_->written += data;
  advance();
  co_return data.size();
}

awaitable<void> ScriptedTransport::start_tls(asio::ssl::context& /*context*/, bool /*server*/,
                                             const std::string& /*sni*/,
                                             boost::system::error_code& ec) {
  ec.clear();
  co_await yield();
  if (peer_->fail_now() || closed_) {
    ec = closed_ ? asio::error::bad_descriptor : peer_->failure;
    co_return;
  }
  peer_->secured = true;
  advance();
}

std::string ScriptedTransport::remote_address() const {
  return peer_->connected.empty() ? "192.0.2.1:5269"
                                  : peer_->connected.back().address().to_string() + ":" +
                                        std::to_string(peer_->connected.back().port());
}

void ScriptedTransport::stop_reading() noexcept {
  stopped_ = true;
  wakeup_.cancel();
}

void ScriptedTransport::close() noexcept {
  if (!closed_) {
    ++peer_->closes;
  }
  closed_ = true;
  wakeup_.cancel();
}

void ScriptedTransport::advance() {
  while (next_turn_ < peer_->script.size()) {
    const PeerTurn& turn = peer_->script[next_turn_];
    if (turn.after_tls && !peer_->secured) {
      break;
    }
    const std::size_t found = peer_->written.find(turn.after, matched_);
    if (found == std::string::npos) {
      break;
    }
    matched_ = found + turn.after.size();
    inbox_ += turn.reply;
    ++next_turn_;
  }
  if (readable()) {
    wakeup_.cancel();
  }
}

bool ScriptedTransport::peer_closed() const noexcept {
  return peer_->close_after_script && next_turn_ == peer_->script.size();
}

bool ScriptedTransport::readable() const noexcept {
  return !inbox_.empty() || stopped_ || closed_ || peer_closed();
}

}  // namespace edgekit::edgeproxy::testing
