#pragma once
// Small XML text helpers for the elements edgeproxy writes itself (headers, negotiation
// elements, bounces). Relayed stanzas are never re-serialised.

#include <string>
#include <string_view>

namespace edgekit::edgeproxy {

// Escapes &, <, >, ' and " so the text is safe in character data and in either quote style.
void append_escaped(std::string& out, std::string_view text);
std::string xml_escape(std::string_view text);

// ` key='value'` with the value escaped; nothing when the value is empty.
void append_attribute(std::string& out, std::string_view key, std::string_view value);

// The domain of a JID, lower-cased (ASCII): the fast routing form (no IDNA work).
std::string jid_domain_lower(std::string_view jid);
// "user@domain/resource" -> "user@domain" (lower-cased domain, localpart as sent).
std::string bare_jid(std::string_view jid);

}  // namespace edgekit::edgeproxy
