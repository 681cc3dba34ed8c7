#include "edgeproxy/net/component_connection.hpp"

#include "common/log.hpp"

namespace edgekit::edgeproxy {
namespace {
constexpr std::chrono::seconds kHandshakeTimeout{15};
}  // namespace

ComponentConnection::ComponentConnection(StreamHost& host, ComponentEvents& events,
                                         std::string domain, std::string secret,
                                         std::unique_ptr<Transport> transport)
    : Connection(host, std::move(transport), "component"),
      events_(events),
      session_(std::move(domain), std::move(secret),
               host.config()->federation.max_stanza_bytes * 4) {}

std::shared_ptr<ComponentConnection> ComponentConnection::self() {
  return std::static_pointer_cast<ComponentConnection>(shared_from_this());
}

void ComponentConnection::start() {
  set_deadline(kHandshakeTimeout, "component-handshake-timeout");
  start_watchdog();
  spawn_session([me = self()] { return me->connect_and_run(); });
}

awaitable<void> ComponentConnection::connect_and_run() {
  auto me = self();
  const auto config = host_.config();
  boost::system::error_code ec;
  tcp::resolver resolver(host_.io());
  const auto results =
      co_await resolver.async_resolve(config->internal.host, std::to_string(config->internal.port),
                                      asio::redirect_error(use_awaitable, ec));
  if (!ec) {
    ec = asio::error::host_not_found;
    for (const auto& entry : results) {
      co_await transport_->connect(entry.endpoint(), ec);
      if (!ec) {
        peer_ =
            entry.endpoint().address().to_string() + ":" + std::to_string(entry.endpoint().port());
        break;
      }
    }
  }
  if (ec) {
    finish();
    on_closed("component-connect-failed");
    co_return;
  }
  Actions out;
  session_.on_connected(out);
  perform(out);
  co_await run_stream();
}

void ComponentConnection::shutdown() {
  Actions out;
  session_.on_shutdown(out);
  perform(out);
  request_close("shutdown");
}

void ComponentConnection::on_bytes(std::string_view bytes, Actions& out) {
  session_.on_bytes(bytes, out);
}

void ComponentConnection::on_tls(CertificateCheck /*check*/, Actions& /*out*/) {}

void ComponentConnection::on_timeout(std::string_view reason, Actions& out) {
  session_.on_timeout(reason, out);
}

void ComponentConnection::on_ready(action::Ready& /*ready*/) {
  // The internal link stays up however quiet it is.
  set_deadline(std::chrono::hours(24 * 365), "never");
  log_info("component.ready", {{"conn", id_}, {"partner", session_.domain()}, {"peer", peer_}});
  events_.component_ready(self());
}

void ComponentConnection::on_deliver(action::Deliver& deliver) {
  events_.deliver_from_internal(session_.domain(), std::move(deliver.element));
}

void ComponentConnection::on_closed(const std::string& reason) {
  if (closed_reported_) {
    return;
  }
  closed_reported_ = true;
  if (reason != "shutdown") {
    host_.metrics().failure(session_.domain(), reason);
  }
  log_warn("component.closed", {{"conn", id_}, {"partner", session_.domain()}, {"reason", reason}});
  events_.component_closed(self(), reason);
}

bool ComponentConnection::reading_paused() const {
  return session_.ready() && host_.link_backlogged(Flow::kOutbound, session_.domain());
}

void ComponentConnection::on_unsent(std::vector<PendingStanza> unsent) {
  events_.component_unsent(self(), std::move(unsent));
}

}  // namespace edgekit::edgeproxy
