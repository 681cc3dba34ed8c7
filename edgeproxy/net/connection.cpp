#include "edgeproxy/net/connection.hpp"

#include "common/log.hpp"
#include "edgeproxy/net/tls_contexts.hpp"
#include "edgeproxy/xmpp/stream_error.hpp"

namespace edgekit::edgeproxy {
namespace {
constexpr std::chrono::milliseconds kCloseFlushLimit{2000};
// Flow-control marks for unsent bytes (the hard limit is Edge::max_write_queue_bytes()).
constexpr std::size_t kBacklogHighBytes = std::size_t{1024} * 1024;
constexpr std::size_t kBacklogLowBytes = std::size_t{256} * 1024;
// Write buffers keep at most this much capacity once drained (see writer()).
constexpr std::size_t kRetainedWriteBytes = std::size_t{16} * 1024;
}  // namespace

Connection::Connection(StreamHost& host, std::unique_ptr<Transport> transport,
                       std::string direction)
    : host_(host),
      transport_(std::move(transport)),
      id_(host.next_connection_id()),
      direction_(std::move(direction)),
      wakeup_(host.io()),
      deadline_timer_(host.io()) {
  peer_ = transport_->remote_address();
  host_.metrics().connection_opened();
}

// The edge may already be gone when the event loop destroys the last coroutine frames at exit:
// the destructor must not touch it (the connection count is settled by mark_closed()).
Connection::~Connection() = default;

void Connection::mark_closed() noexcept {
  if (!closed_) {
    closed_ = true;
    host_.metrics().connection_closed();
  }
}

void Connection::send(std::string_view data) {
  if (closed_) {
    return;
  }
  if (queue_.size() + data.size() > host_.max_write_queue_bytes()) {
    // A peer that does not read: drop the stream rather than buffer without bound. What it
    // was given comes back through on_unsent() when it has ended.
    close_reason_ = "write-queue-full";
    closing_ = true;
    transport_->close();
    wakeup_.cancel();
    return;
  }
  queue_ += data;
  if (queue_.size() >= kBacklogHighBytes) {
    set_backlogged(true);
  }
  if (!writing_) {
    writing_ = true;
    spawn_session([self = shared_from_this()] { return self->writer(); });
  }
}

bool Connection::send_stanza(std::string_view raw, StanzaTicket& ticket) {
  if (closed_ || close_path_done_ || queue_.size() + raw.size() > host_.max_write_queue_bytes()) {
    return false;
  }
  const std::size_t begin = queue_.size();
  queued_marks_.push_back(Mark{begin, begin + raw.size(), std::move(ticket)});
  send(raw);
  return true;
}

void Connection::settle_written(std::size_t written) {
  auto& ledger = host_.metrics().ledger();
  while (!in_flight_marks_.empty()) {
    auto& mark = in_flight_marks_.front();
    if (mark.end > written) {
      // Cut off: the receiver got at most a truncated stanza, which it discards. It was not
      // delivered, so it goes back to be re-sent or bounced.
      unsent_.push_back(PendingStanza{in_flight_.substr(mark.begin, mark.end - mark.begin),
                                      std::move(mark.ticket)});
    } else if (mark.ticket.account) {
      ledger.ended(*mark.ticket.account, Outcome::kDelivered);
    }
    in_flight_marks_.pop_front();
  }
}

void Connection::collect_queued() {
  for (auto& mark : queued_marks_) {
    unsent_.push_back(
        PendingStanza{queue_.substr(mark.begin, mark.end - mark.begin), std::move(mark.ticket)});
  }
  queued_marks_.clear();
}

std::vector<PendingStanza> Connection::take_unsent() {
  std::vector<PendingStanza> taken;
  // The stream's own bytes, and the edge's own error replies, stay queued and are written.
  std::string kept;
  std::deque<Mark> kept_marks;
  std::size_t from = 0;
  for (auto& mark : queued_marks_) {
    kept.append(queue_, from, mark.begin - from);
    if (mark.ticket.account) {
      taken.push_back(
          PendingStanza{queue_.substr(mark.begin, mark.end - mark.begin), std::move(mark.ticket)});
    } else {
      const std::size_t begin = kept.size();
      kept.append(queue_, mark.begin, mark.end - mark.begin);
      kept_marks.push_back(Mark{begin, kept.size(), std::move(mark.ticket)});
    }
    from = mark.end;
  }
  if (!taken.empty()) {
    kept.append(queue_, from);
    queue_ = std::move(kept);
    queued_marks_ = std::move(kept_marks);
  }
  return taken;
}

void Connection::release_unsent() {
  collect_queued();
  queue_.clear();
  if (!unsent_.empty()) {
    on_unsent(std::exchange(unsent_, {}));
  }
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): the overrides take ownership
void Connection::on_unsent(std::vector<PendingStanza> unsent) {
  auto& ledger = host_.metrics().ledger();
  for (const auto& stanza : unsent) {
    if (stanza.ticket.account) {
      ledger.ended(*stanza.ticket.account, Outcome::kDropped);
      log_error("stanza.dropped",
                {{"conn", id_},
                 {"direction", std::string(to_string(stanza.ticket.account->flow))},
                 {"partner", stanza.ticket.account->partner},
                 {"reason", "unsent-on-untracked-stream"}});
    }
  }
}

awaitable<void> Connection::writer() {
  while (!queue_.empty() && !closed_) {
    in_flight_.clear();
    in_flight_.swap(queue_);
    in_flight_marks_.swap(queued_marks_);
    boost::system::error_code ec;
    const std::size_t written = co_await transport_->write(asio::buffer(in_flight_), ec);
    last_write_ = std::chrono::steady_clock::now();
    settle_written(ec ? written : in_flight_.size());
    if (queue_.size() < kBacklogLowBytes) {
      set_backlogged(false);
    }
    if (ec) {
      collect_queued();
      queue_.clear();
      if (close_reason_.empty()) {
        close_reason_ = "write-error";
      }
      closing_ = true;
      transport_->stop_reading();
      break;
    }
  }
  writing_ = false;
  if (close_path_done_) {
    release_unsent();  // the stream ended while this write was in flight
  }
  // A burst must not leave its buffers behind on a stream that then stays idle for hours.
  if (in_flight_.capacity() > kRetainedWriteBytes) {
    std::string().swap(in_flight_);
  }
  if (queue_.empty() && queue_.capacity() > kRetainedWriteBytes) {
    std::string().swap(queue_);
  }
  set_backlogged(false);
  wakeup_.cancel();
}

void Connection::set_backlogged(bool backlogged) {
  if (backlogged != backlogged_) {
    backlogged_ = backlogged;
    on_backlog(backlogged);
    if (!backlogged) {
      host_.link_eased();
    }
  }
}

void Connection::resume_reading() {
  wakeup_.cancel();
}

awaitable<void> Connection::drain(std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (writing_ && std::chrono::steady_clock::now() < until) {
    wakeup_.expires_at(until);
    boost::system::error_code ignored;
    co_await wakeup_.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
}

// A timed wait on the reader's wakeup: the writer's wakeups (or a backlog easing) end it
// early, so it waits again until the pause is over; a close ends it at once.
awaitable<void> Connection::pause_reading(std::chrono::steady_clock::duration pause) {
  const auto until = std::chrono::steady_clock::now() + pause;
  while (!closing_ && std::chrono::steady_clock::now() < until) {
    wakeup_.expires_at(until);
    boost::system::error_code ignored;
    co_await wakeup_.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
}

void Connection::perform(Actions& actions) {
  for (auto& action : actions) {
    // Every alternative is listed: a new kind of action does not compile until it is handled.
    std::visit(
        Overloaded{
            [this](action::Send& send_it) { send(send_it.data); },
            [this](action::StartTls& /*start*/) { tls_requested_ = true; },
            [this](action::Close& close) {
              if (close_reason_.empty()) {
                close_reason_ = close.reason;
              }
              closing_ = true;
            },
            [this](action::RequestVerify& request) { on_request_verify(request); },
            [this](action::Authenticated& authenticated) { on_authenticated(authenticated); },
            [this](action::Ready& ready) { on_ready(ready); },
            [this](action::Verified& verified) { on_verified(verified); },
            [this](action::Idle& idle) { on_idle(idle); },
            [this](action::Warning& warning) { on_warning(warning); },
            [this](action::Deliver& deliver) { on_deliver(deliver); },
        },
        action);
  }
  actions.clear();
}

void Connection::report_authenticated(const action::StreamTrust& action,
                                      const std::string& metrics_partner) {
  const std::string tls = transport_->secured() ? transport_->tls_version() : "none";
  const std::string trust = action.certificate == "ok" ? "pkix" : "none";
  log_info("stream.authenticated", {{"conn", id_},
                                    {"direction", direction_},
                                    {"peer", peer_},
                                    {"partner", action.domain},
                                    {"local", action.local},
                                    {"method", action.method},
                                    {"auth", action.method},
                                    {"tls", tls},
                                    {"trust", trust},
                                    {"cert", action.certificate}});
  host_.metrics().stream_authenticated(metrics_partner, direction_, action.method, tls, trust);
}

void Connection::request_close(std::string reason) {
  if (close_reason_.empty()) {
    close_reason_ = std::move(reason);
  }
  closing_ = true;
  transport_->stop_reading();
  wakeup_.cancel();  // a reader paused for a backlog must see closing_
}

void Connection::set_deadline(std::chrono::milliseconds from_now, std::string reason) {
  deadline_ = std::chrono::steady_clock::now() + from_now;
  deadline_reason_ = std::move(reason);
  // The watchdog sleeps until the deadline it last saw: a later one it finds when it wakes, an
  // earlier one (a verify stream's idle grace after a long answer timeout) must wake it now.
  if (!closing_ && deadline_ < deadline_timer_.expiry()) {
    deadline_timer_.cancel();
  }
}

void Connection::finish() noexcept {
  close_path_done_ = true;  // the caller reports the end itself (nothing was queued yet)
  mark_closed();
  closing_ = true;
  deadline_timer_.cancel();
  transport_->close();
}

void Connection::start_watchdog() {
  spawn_session([self = shared_from_this()] { return self->watchdog(); });
}

awaitable<void> Connection::watchdog() {
  while (!closed_) {
    auto wake = deadline_;
    if (keepalive_.count() > 0) {
      wake = std::min(wake, last_write_ + keepalive_);
    }
    deadline_timer_.expires_at(wake);
    boost::system::error_code ec;
    co_await deadline_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    if (closed_) {
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline_) {
      Actions out;
      on_timeout(deadline_reason_, out);
      perform(out);
      if (close_reason_.empty()) {
        close_reason_ = deadline_reason_;
      }
      closing_ = true;
      deadline_ = std::chrono::steady_clock::time_point::max();
      transport_->stop_reading();
      wakeup_.cancel();
      // A peer that neither reads nor closes is cut after the flush limit.
      deadline_timer_.expires_after(kCloseFlushLimit);
      co_await deadline_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
      if (!closed_) {
        transport_->close();
      }
      break;
    }
    if (keepalive_.count() > 0 && now >= last_write_ + keepalive_ && !writing_) {
      send(" ");  // whitespace keepalive (RFC 6120 §4.6.1)
    }
  }
}

awaitable<void> Connection::run_stream() {
  auto self = shared_from_this();
  Actions out;
  while (!closing_) {
    if (reading_paused()) {
      host_.pause_until_eased(self);
      wakeup_.expires_at(std::chrono::steady_clock::time_point::max());
      boost::system::error_code ignored;
      co_await wakeup_.async_wait(asio::redirect_error(use_awaitable, ignored));
      continue;
    }
    boost::system::error_code ec;
    // The shared buffer is valid until this stream next suspends: the bytes are consumed
    // (copied by the framer where a stanza is incomplete) before any co_await below.
    const auto buffer = host_.read_buffer();
    const std::size_t n = transport_->read_now(buffer, ec);
    if (ec == asio::error::would_block) {
      co_await transport_->wait_readable(ec);
      if (!ec) {
        continue;
      }
    }
    if (ec) {
      if (close_reason_.empty()) {
        close_reason_ = ec == asio::error::eof ? "peer-disconnected" : "read-error";
      }
      break;
    }
    on_bytes(std::string_view(static_cast<const char*>(buffer.data()), n), out);
    perform(out);
    if (const auto pause = read_pause(); pause.count() > 0 && !closing_) {
      co_await pause_reading(pause);
    }
    if (!transport_->drained() && !tls_requested_) {
      // More is waiting: let the other streams (and this one's writers) run first.
      co_await asio::post(host_.io(), use_awaitable);
    }
    if (tls_requested_ && !closing_) {
      tls_requested_ = false;
      co_await drain(kCloseFlushLimit);
      auto contexts = host_.tls();
      if (!contexts) {
        close_reason_ = "tls-unavailable";
        break;
      }
      co_await transport_->start_tls(tls_server() ? contexts->server : contexts->client,
                                     tls_server(), tls_sni(), ec);
      if (ec) {
        close_reason_ = "tls-handshake-failed";
        log_warn("tls.failed", {{"conn", id_},
                                {"partner", partner_label()},
                                {"reason", "tls-handshake-failed"},
                                {"detail", ec.message()}});
        break;
      }
      on_tls(transport_->peer_certificate(), out);
      perform(out);
    }
  }
  co_await drain(kCloseFlushLimit);
  run_close_path(close_reason_.empty() ? "closed" : close_reason_);
}

void Connection::run_close_path(const std::string& reason) {
  if (close_path_done_) {
    return;
  }
  close_path_done_ = true;
  set_backlogged(false);
  mark_closed();
  transport_->close();
  deadline_timer_.cancel();
  wakeup_.cancel();
  on_closed(reason);
  if (!writing_) {
    release_unsent();  // else the writer does, when its write returns
  }
}

void Connection::spawn_session(std::function<awaitable<void>()> body) {
  asio::co_spawn(host_.io(), std::move(body),
                 [self = shared_from_this()](const std::exception_ptr& failure) {
                   if (failure) {
                     self->fail_session(failure);
                   }
                 });
}

void Connection::fail_session(const std::exception_ptr& failure) {
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {  // NOLINT(bugprone-empty-catch): anything thrown is reported the same way
  }
  log_error("session.failed", {{"conn", id_},
                               {"direction", direction_},
                               {"partner", partner_label()},
                               {"reason", "internal-error"},
                               {"detail", what}});
  host_.metrics().session_failed();
  if (close_path_done_) {
    return;  // it failed after the stream had ended: nothing is left to close
  }
  close_reason_ = "internal-error";
  closing_ = true;
  send(stream_error_xml(StreamError::kInternalServerError) + "</stream:stream>");
  transport_->stop_reading();
  // The error gets its chance to reach the peer; whatever coroutine of this connection is
  // still running sees closing_ and ends, and the close path runs only once.
  asio::co_spawn(
      host_.io(),
      [self = shared_from_this()]() -> awaitable<void> {
        co_await self->drain(kCloseFlushLimit);
        self->run_close_path("internal-error");
      },
      asio::detached);
}

}  // namespace edgekit::edgeproxy
