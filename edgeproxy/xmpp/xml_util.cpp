#include "edgeproxy/xmpp/xml_util.hpp"

#include "common/jid.hpp"

namespace edgekit::edgeproxy {

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out += c; break;
    }
  }
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text);
  return out;
}

void append_attribute(std::string& out, std::string_view key, std::string_view value) {
  if (value.empty()) {
    return;
  }
  out += ' ';
  out += key;
  out += "='";
  append_escaped(out, value);
  out += '\'';
}

std::string jid_domain_lower(std::string_view jid) {
  return to_lower_ascii(jid_domain_view(jid));
}

std::string bare_jid(std::string_view jid) {
  const auto slash = jid.find('/');
  const std::string_view bare = jid.substr(0, slash);
  const auto at = bare.find('@');
  if (at == std::string_view::npos) {
    return to_lower_ascii(bare);
  }
  std::string out(bare.substr(0, at + 1));
  out += to_lower_ascii(bare.substr(at + 1));
  return out;
}

}  // namespace edgekit::edgeproxy
