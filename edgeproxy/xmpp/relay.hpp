#pragma once
// What the edge writes when it relays a stanza between a partner stream and a component link.

#include <string>
#include <string_view>

#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

// Rewrites an explicit default namespace on a relayed stanza's start tag (xmlns='jabber:server'
// -> 'jabber:component:accept' and back) to `to_ns`, at the bytes the framer found that
// declaration in; stanzas without one are relayed untouched.
std::string relay_bytes(Element& stanza, std::string_view to_ns);

}  // namespace edgekit::edgeproxy
