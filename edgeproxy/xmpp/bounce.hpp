#pragma once
// Stanza errors sent back to the sender of a stanza that cannot be delivered (RFC 6120 §8.3):
// never drop silently, never answer an error with an error.

#include <optional>
#include <string>
#include <string_view>

#include "edgeproxy/xmpp/stream_error.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

// The error stanza to send to `stanza.from`, or nothing when the stanza must not be bounced
// (type='error', or an iq result). `text` is an optional human explanation.
std::optional<std::string> make_bounce(const Element& stanza, StanzaError condition,
                                       std::string_view text = {});

// What a queued stanza keeps of its routing, for the bounce if it cannot be delivered: the
// name, the addresses, type and id, without the raw bytes.
Element routing_header(const Element& stanza);
// The same, taking the strings of a stanza that is no longer needed (no copies on the relay
// path).
Element take_routing_header(Element&& stanza);

// The routing header of the error stanza that answers `stanza`: same name and id, the
// addresses swapped, type "error" (RFC 6120 §8.3).
Element bounce_routing(const Element& stanza);

}  // namespace edgekit::edgeproxy
