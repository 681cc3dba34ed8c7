#pragma once
// A Transport with a scripted peer instead of a socket, for driving the connection shells
// through every step (in the spirit of Boost.Beast's test::stream and fail_count). The peer's
// bytes come from a script of turns, each released once the connection has written what the
// turn waits for; what the connection writes is recorded; and the N-th operation (connect,
// read, wait, write, TLS handshake: each is one step) fails with an error. TLS is simulated:
// start_tls "succeeds" and the peer certificate is the check the test chose.

#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "edgeproxy/net/transport.hpp"

namespace edgekit::edgeproxy::testing {

// What the peer sends once the connection wrote `after` (searched in what it wrote since the
// previous turn matched; empty matches at once) and, for `after_tls`, secured the stream.
struct PeerTurn {
  std::string after;
  std::string reply;
  bool after_tls = false;
};

// The peer's side, shared by the test and the transport (which the connection owns).
struct ScriptedPeer {
  static constexpr std::size_t kNever = std::numeric_limits<std::size_t>::max();

  std::vector<PeerTurn> script;
  // After the last turn: true, the peer closes (reads end); false, it stays silent.
  bool close_after_script = false;
  CertificateCheck certificate;  // what start_tls reports
  std::size_t fail_at = kNever;  // the step that fails
  boost::system::error_code failure = asio::error::connection_reset;
  std::size_t sent_before_failure = 0;  // of a failing write, the bytes that went out

  // Observations.
  std::size_t steps = 0;  // operations so far
  bool failed = false;    // the failing step was reached
  std::string written;    // everything written successfully, in order
  std::string lost;       // bytes of writes that failed
  std::size_t largest_write = 0;
  std::vector<tcp::endpoint> connected;
  bool secured = false;
  std::size_t closes = 0;

  // Counts one operation; true when it is the one that must fail.
  bool fail_now();
};

class ScriptedTransport final : public Transport {
 public:
  ScriptedTransport(asio::io_context& io, std::shared_ptr<ScriptedPeer> peer);

  awaitable<void> connect(const tcp::endpoint& endpoint, boost::system::error_code& ec) override;
  std::size_t read_now(asio::mutable_buffer buffer, boost::system::error_code& ec) override;
  [[nodiscard]] bool drained() const noexcept override { return drained_; }
  awaitable<void> wait_readable(boost::system::error_code& ec) override;
  awaitable<std::size_t> write(asio::const_buffer buffer, boost::system::error_code& ec) override;
  awaitable<void> start_tls(asio::ssl::context& context, bool server, const std::string& sni,
                            boost::system::error_code& ec) override;
  [[nodiscard]] bool secured() const noexcept override { return peer_->secured; }
  [[nodiscard]] std::string tls_version() const override { return "TLSv1.3"; }
  [[nodiscard]] CertificateCheck peer_certificate() const override { return peer_->certificate; }
  [[nodiscard]] std::string remote_address() const override;
  void stop_reading() noexcept override;
  void close() noexcept override;

 private:
  // Releases every turn whose condition now holds, and wakes a waiting reader.
  void advance();
  [[nodiscard]] bool readable() const noexcept;
  [[nodiscard]] bool peer_closed() const noexcept;
  // An operation completes on a later turn of the event loop, as a socket's would.
  awaitable<void> yield();

  asio::io_context& io_;
  std::shared_ptr<ScriptedPeer> peer_;
  asio::steady_timer wakeup_;
  std::size_t next_turn_ = 0;
  std::size_t matched_ = 0;  // how much of peer_->written the turns have searched past
  std::string inbox_;        // released, not yet read
  bool drained_ = true;
  bool stopped_ = false;
  bool closed_ = false;
};

}  // namespace edgekit::edgeproxy::testing
