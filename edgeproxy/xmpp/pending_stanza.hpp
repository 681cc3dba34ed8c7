#pragma once
// A stanza on its way through the edge, with what it takes to settle it: its routing header
// (for the error if it cannot be delivered), where it is counted, and the link it came on.

#include <optional>
#include <string>

#include "edgeproxy/xmpp/stanza_ledger.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

struct StanzaTicket {
  Element routing;  // the routing header only (bounce.hpp routing_header)
  // Empty for the edge's own error replies: they are not answered again, so not counted.
  std::optional<StanzaAccount> account;
  // Outbound stanzas: the component link they came on, where their error goes back.
  std::string via;
};

struct PendingStanza {
  std::string raw;  // the bytes to write, already in the receiving stream's namespace
  StanzaTicket ticket;
};

}  // namespace edgekit::edgeproxy
