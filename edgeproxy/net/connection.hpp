#pragma once
// The thin I/O shell shared by every stream: it moves bytes between a Transport and a pure
// core, with one owner (a shared_ptr kept alive by its coroutines), one executor (the edge's
// single event loop), one write in flight (queued writes are coalesced), a bounded write
// queue, a deadline on every step, and STARTTLS as a one-time transport swap.
//
// Flow control: a link whose unsent bytes pass a high-water mark is "backlogged" until its
// writes bring them under a low-water mark. Streams that feed it stop reading meanwhile
// (reading_paused()), so TCP slows their senders instead of the queue growing to the hard
// limit.
//
// Stanzas are tracked through the queue (send_stanza): each counts as delivered when its last
// byte reaches the kernel. The ones still queued, or cut off mid-write, when the stream ends
// are handed back through on_unsent(), so that nothing the edge accepted is lost silently.

#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edgeproxy/net/asio.hpp"
#include "edgeproxy/net/connection_host.hpp"
#include "edgeproxy/net/transport.hpp"
#include "edgeproxy/xmpp/pending_stanza.hpp"
#include "edgeproxy/xmpp/session_action.hpp"

namespace edgekit::edgeproxy {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `transport` is the stream's byte pipe: a SocketTransport in the edge, a scripted one in
  // the shells' tests.
  Connection(StreamHost& host, std::unique_ptr<Transport> transport, std::string direction);
  virtual ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  [[nodiscard]] const std::string& id() const noexcept { return id_; }
  [[nodiscard]] bool closing() const noexcept { return closing_; }
  [[nodiscard]] bool backlogged() const noexcept { return backlogged_; }
  // Wakes run_stream if it is paused for a backlog, so it checks again.
  void resume_reading();
  // Queues bytes of the stream itself (headers, negotiation, errors). Past the hard limit the
  // peer is not reading: the stream is closed (write-queue-full) and its stanzas come back
  // through on_unsent().
  void send(std::string_view data);
  // Queues a stanza. False, with nothing queued, when it would pass the hard limit or the
  // stream is ending: the caller settles it (holds or bounces it).
  [[nodiscard]] bool send_stanza(std::string_view raw, StanzaTicket& ticket);
  // The stanzas still waiting in the queue (not yet being written), taken out of it: the
  // graceful stop bounces them while the way back is still open. The stream's own bytes and
  // the edge's own error replies stay queued.
  std::vector<PendingStanza> take_unsent();
  // Graceful stop (SIGTERM, partner removed): the core closes the stream.
  virtual void shutdown() = 0;

 protected:
  // Starts one of this connection's coroutines: every one is started here. An exception that
  // escapes it (a bug in a core, an allocation failure) would otherwise end the coroutine
  // silently and leave the connection in the edge's tables with its gauges up; here it is
  // logged, the stream is closed with internal-server-error, the close path runs once and the
  // failure is counted (edgeproxy_session_failures_total).
  void spawn_session(std::function<awaitable<void>()> body);
  // Runs the stream until it ends; derived classes call it from their start coroutine.
  awaitable<void> run_stream();
  void perform(Actions& actions);
  void set_deadline(std::chrono::milliseconds from_now, std::string reason);
  void set_keepalive(std::chrono::milliseconds interval) { keepalive_ = interval; }
  void request_close(std::string reason);
  // Logs stream.authenticated (how: auth, TLS version, certificate trust) and counts it.
  void report_authenticated(const action::StreamTrust& action, const std::string& metrics_partner);
  void start_watchdog();
  // Ends a connection that never reached run_stream (connect or handshake failed).
  void finish() noexcept;

  virtual void on_bytes(std::string_view bytes, Actions& out) = 0;
  virtual void on_tls(CertificateCheck check, Actions& out) = 0;
  virtual void on_timeout(std::string_view reason, Actions& out) = 0;
  // The actions only some streams have; each shell says what it does with every one of them
  // (send, STARTTLS and close are the same for all and done here).
  virtual void on_request_verify(action::RequestVerify& request) = 0;
  virtual void on_authenticated(action::Authenticated& authenticated) = 0;
  virtual void on_ready(action::Ready& ready) = 0;
  virtual void on_verified(action::Verified& verified) = 0;
  virtual void on_idle(action::Idle& idle) = 0;
  virtual void on_warning(action::Warning& warning) = 0;
  virtual void on_deliver(action::Deliver& deliver) = 0;
  virtual void on_closed(const std::string& reason) = 0;
  [[nodiscard]] virtual bool tls_server() const = 0;
  [[nodiscard]] virtual std::string tls_sni() const { return {}; }
  [[nodiscard]] virtual std::string partner_label() const { return {}; }
  // Flow-control hooks: this link's backlog changed; this stream must not read now.
  virtual void on_backlog(bool /*backlogged*/) {}
  [[nodiscard]] virtual bool reading_paused() const { return false; }
  // The stanzas this stream was given and could not write, once it has ended (after
  // on_closed()). The default, for streams that are never given any, drops and logs them.
  virtual void on_unsent(std::vector<PendingStanza> unsent);
  // Rate limits: how long to stop reading after what was just read (zero: go on).
  virtual std::chrono::steady_clock::duration read_pause() {
    return std::chrono::steady_clock::duration::zero();
  }

  StreamHost& host_;
  std::unique_ptr<Transport> transport_;
  std::string id_;
  std::string direction_;
  std::string peer_;
  std::string close_reason_;

 private:
  awaitable<void> writer();
  awaitable<void> watchdog();
  awaitable<void> drain(std::chrono::milliseconds limit);
  awaitable<void> pause_reading(std::chrono::steady_clock::duration pause);
  void mark_closed() noexcept;
  // The one close path: the transport closed, the gauges settled and on_closed() told, once.
  void run_close_path(const std::string& reason);
  void fail_session(const std::exception_ptr& failure);
  void set_backlogged(bool backlogged);
  // A stanza's place in queue_ or in_flight_.
  struct Mark {
    std::size_t begin;
    std::size_t end;
    StanzaTicket ticket;
  };
  // Settles the in-flight stanzas whose last byte is within the first `written` bytes, and
  // keeps the rest (cut off by a failed write) as unsent.
  void settle_written(std::size_t written);
  // Moves every stanza still in queue_ to unsent_.
  void collect_queued();
  // Hands unsent_ to on_unsent(), once the stream has ended and no write is in flight.
  void release_unsent();

  std::string queue_;  // bytes waiting for the write in flight to finish
  std::string in_flight_;
  std::deque<Mark> queued_marks_;
  std::deque<Mark> in_flight_marks_;
  std::vector<PendingStanza> unsent_;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool close_path_done_ = false;
  bool tls_requested_ = false;
  bool backlogged_ = false;
  // Wakes run_stream when it waits for its writes to drain or for a backlog to ease.
  asio::steady_timer wakeup_;
  asio::steady_timer deadline_timer_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  std::string deadline_reason_;
  std::chrono::milliseconds keepalive_{0};
  std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
};

}  // namespace edgekit::edgeproxy
