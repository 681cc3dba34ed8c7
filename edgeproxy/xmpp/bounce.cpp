#include "edgeproxy/xmpp/bounce.hpp"

#include <utility>

#include "edgeproxy/xmpp/xml_util.hpp"

namespace edgekit::edgeproxy {

std::optional<std::string> make_bounce(const Element& stanza, StanzaError condition,
                                       std::string_view text) {
  if (!stanza.is_stanza || stanza.type == "error" || stanza.from.empty() ||
      (stanza.name == "iq" && stanza.type == "result")) {
    return std::nullopt;
  }
  std::string xml = "<";
  xml += stanza.name;
  append_attribute(xml, "from", stanza.to);
  append_attribute(xml, "to", stanza.from);
  xml += " type='error'";
  append_attribute(xml, "id", stanza.id);
  xml += "><error type='";
  xml += error_type(condition);
  xml += "'><";
  xml += to_string(condition);
  xml += " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>";
  if (!text.empty()) {
    xml += "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>";
    append_escaped(xml, text);
    xml += "</text>";
  }
  xml += "</error></";
  xml += stanza.name;
  xml += '>';
  return xml;
}

Element routing_header(const Element& stanza) {
  Element routing;
  routing.is_stanza = true;
  routing.name = stanza.name;
  routing.from = stanza.from;
  routing.to = stanza.to;
  routing.type = stanza.type;
  routing.id = stanza.id;
  return routing;
}

Element take_routing_header(Element&& stanza) {
  Element routing;
  routing.is_stanza = true;
  routing.name = std::move(stanza.name);
  routing.from = std::move(stanza.from);
  routing.to = std::move(stanza.to);
  routing.type = std::move(stanza.type);
  routing.id = std::move(stanza.id);
  return routing;
}

Element bounce_routing(const Element& stanza) {
  Element routing = routing_header(stanza);
  std::swap(routing.from, routing.to);
  routing.type = "error";
  return routing;
}

}  // namespace edgekit::edgeproxy
