#pragma once
// What a connection may ask of the edge that owns it, split by who asks. The edge implements
// all four; a test implements only what the connection under test uses. Keeping the
// connections behind these interfaces means net/ does not depend on server/, and a shell can
// be driven to every failure without a running edge.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "edgeproxy/net/asio.hpp"
#include "edgeproxy/xmpp/dialback_key.hpp"
#include "edgeproxy/xmpp/metrics.hpp"
#include "edgeproxy/xmpp/pending_stanza.hpp"
#include "edgeproxy/xmpp/session_action.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

class Connection;
class InboundConnection;
class OutboundConnection;
class ComponentConnection;
struct TlsContexts;

// The shared resources of every stream.
class StreamHost {
 public:
  virtual ~StreamHost() = default;
  virtual asio::io_context& io() noexcept = 0;
  [[nodiscard]] virtual std::shared_ptr<const Config> config() const noexcept = 0;
  [[nodiscard]] virtual std::shared_ptr<const DialbackKeys> keys() const noexcept = 0;
  // Null when the edge has no TLS identity.
  [[nodiscard]] virtual std::shared_ptr<TlsContexts> tls() const noexcept = 0;
  virtual Metrics& metrics() noexcept = 0;
  virtual std::string next_connection_id() = 0;
  [[nodiscard]] virtual std::size_t max_write_queue_bytes() const noexcept = 0;
  // The one read buffer of the event-loop thread: a stream reads into it and consumes the
  // bytes before it next suspends, so idle streams hold no read buffer of their own.
  virtual asio::mutable_buffer read_buffer() noexcept = 0;
  // Flow control, both ways: a stream stops reading while a link it feeds is backlogged —
  // a partner's inbound streams for its component links (`flow` inbound), a component link
  // for the outbound streams to its partner (outbound) — and only those. A paused reader is
  // woken whenever any link eases, and looks again.
  [[nodiscard]] virtual bool link_backlogged(Flow flow, const std::string& partner) const = 0;
  virtual void pause_until_eased(const std::shared_ptr<Connection>& reader) = 0;
  virtual void link_eased() = 0;

 protected:
  StreamHost() = default;
  StreamHost(const StreamHost&) = default;
  StreamHost& operator=(const StreamHost&) = default;
};

// Partner -> us.
class InboundEvents {
 public:
  virtual ~InboundEvents() = default;
  virtual void deliver_from_partner(const std::string& partner, Element stanza) = 0;
  virtual void request_verify(const std::shared_ptr<InboundConnection>& inbound,
                              const action::RequestVerify& request) = 0;
  virtual void inbound_closed(const InboundConnection* connection) = 0;
  // `connection` authenticated as `partner` (it no longer counts as negotiating); false when
  // the partner already has connection_limit authenticated inbound streams.
  [[nodiscard]] virtual bool admit_partner_stream(const InboundConnection& connection,
                                                  const Partner& partner) = 0;

 protected:
  InboundEvents() = default;
  InboundEvents(const InboundEvents&) = default;
  InboundEvents& operator=(const InboundEvents&) = default;
};

// Us -> partner, and the verify streams of dialback.
class OutboundEvents {
 public:
  virtual ~OutboundEvents() = default;
  virtual void outbound_ready(const std::shared_ptr<OutboundConnection>& connection) = 0;
  virtual void outbound_closed(const std::shared_ptr<OutboundConnection>& connection,
                               const std::string& reason) = 0;
  // What the ended stream could not write (after outbound_closed), for the edge to bounce.
  virtual void outbound_unsent(const std::shared_ptr<OutboundConnection>& connection,
                               std::vector<PendingStanza> unsent) = 0;
  // A db:verify answer from `verifier`, already matched by its core to a request it sent.
  virtual void verified(const std::shared_ptr<OutboundConnection>& verifier,
                        const action::Verified& answer) = 0;

 protected:
  OutboundEvents() = default;
  OutboundEvents(const OutboundEvents&) = default;
  OutboundEvents& operator=(const OutboundEvents&) = default;
};

// The XEP-0114 links to the internal server.
class ComponentEvents {
 public:
  virtual ~ComponentEvents() = default;
  virtual void component_ready(const std::shared_ptr<ComponentConnection>& connection) = 0;
  virtual void component_closed(const std::shared_ptr<ComponentConnection>& connection,
                                const std::string& reason) = 0;
  virtual void deliver_from_internal(const std::string& component_domain, Element stanza) = 0;
  // What the ended link could not write (after component_closed): held again for the next
  // link, or bounced.
  virtual void component_unsent(const std::shared_ptr<ComponentConnection>& connection,
                                std::vector<PendingStanza> unsent) = 0;

 protected:
  ComponentEvents() = default;
  ComponentEvents(const ComponentEvents&) = default;
  ComponentEvents& operator=(const ComponentEvents&) = default;
};

}  // namespace edgekit::edgeproxy
