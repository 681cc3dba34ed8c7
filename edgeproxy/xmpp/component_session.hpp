#pragma once
// The XEP-0114 component link to the internal server, as a pure state machine: we connect as
// the component for one partner domain, prove the shared secret with
// HEX(SHA1(stream id + secret)), and then carry stanzas both ways.

#include <memory>
#include <string>
#include <string_view>

#include "edgeproxy/xmpp/session_action.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

// HEX(SHA1(stream_id + secret)), lower-case.
std::string component_handshake_digest(std::string_view stream_id, std::string_view secret);

class ComponentSession {
 public:
  ComponentSession(std::string domain, std::string secret, std::size_t max_stanza_bytes);

  void on_connected(Actions& out);
  // Stanzas from the internal server come out as kDeliver with `domain` = the stanza's `to`
  // domain (the partner domain this component serves).
  void on_bytes(std::string_view bytes, Actions& out);
  void on_timeout(std::string_view reason, Actions& out);
  void on_shutdown(Actions& out);

  [[nodiscard]] bool ready() const noexcept { return ready_; }
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] const std::string& domain() const noexcept { return domain_; }

 private:
  void fail(std::string reason, Actions& out, std::optional<StreamError> error);

  std::string domain_;
  std::string secret_;
  XmlFramer framer_;
  bool ready_ = false;
  bool closed_ = false;
};

}  // namespace edgekit::edgeproxy
