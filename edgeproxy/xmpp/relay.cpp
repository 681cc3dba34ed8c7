#include "edgeproxy/xmpp/relay.hpp"

#include <utility>

namespace edgekit::edgeproxy {

std::string relay_bytes(Element& stanza, std::string_view to_ns) {
  std::string raw = std::move(stanza.raw);
  if (stanza.declares_default_ns &&
      stanza.default_ns_offset + stanza.default_ns_size <= raw.size()) {
    raw.replace(stanza.default_ns_offset, stanza.default_ns_size, to_ns);
  }
  return raw;
}

}  // namespace edgekit::edgeproxy
