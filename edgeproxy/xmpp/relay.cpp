#include "edgeproxy/xmpp/relay.hpp"

#include <utility>

namespace edgekit::edgeproxy {

std::string relay_bytes(Element& stanza, std::string_view from_ns, std::string_view to_ns) {
  if (!stanza.declares_default_ns) {
    return std::move(stanza.raw);
  }
  std::string raw = std::move(stanza.raw);
  const auto tag_end = raw.find('>');
  const auto at = raw.find(from_ns);
  if (at != std::string::npos && at < tag_end) {
    raw.replace(at, from_ns.size(), to_ns);
  }
  return raw;
}

}  // namespace edgekit::edgeproxy
