#include "edgeproxy/xmpp/component_session.hpp"

#include <openssl/crypto.h>

#include <stdexcept>

#include "common/crypto.hpp"
#include "common/jid.hpp"
#include "edgeproxy/xmpp/xml_util.hpp"

namespace edgekit::edgeproxy {

std::string component_handshake_digest(std::string_view stream_id, std::string_view secret) {
  std::string text;
  text.reserve(stream_id.size() + secret.size());
  text.append(stream_id).append(secret);
  std::string digest = crypto::digest_hex(crypto::Digest::kSha1, text);
  OPENSSL_cleanse(text.data(), text.size());
  if (digest.empty()) {
    throw std::runtime_error("SHA-1 failed");
  }
  return digest;
}

ComponentSession::ComponentSession(std::string domain, std::string secret,
                                   std::size_t max_stanza_bytes)
    : domain_(std::move(domain)),
      secret_(std::move(secret)),
      framer_(kNsComponent, FramerLimits{.max_stanza_bytes = max_stanza_bytes}) {
  // The internal server is trusted once the handshake succeeds; until then the usual caps.
}

void ComponentSession::on_connected(Actions& out) {
  std::string xml =
      "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
      "xmlns:stream='http://etherx.jabber.org/streams'";
  append_attribute(xml, "to", domain_);
  xml += '>';
  out.push_back(send_action(std::move(xml)));
}

void ComponentSession::fail(std::string reason, Actions& out, std::optional<StreamError> error) {
  if (closed_) {
    return;
  }
  out.push_back(send_action(error ? stream_error_xml(*error) + "</stream:stream>"
                                  : std::string("</stream:stream>")));
  out.push_back(close_action(std::move(reason), error));
  closed_ = true;
}

void ComponentSession::on_timeout(std::string_view reason, Actions& out) {
  fail(std::string(reason), out, StreamError::kConnectionTimeout);
}

void ComponentSession::on_shutdown(Actions& out) {
  fail("shutdown", out, std::nullopt);
}

void ComponentSession::on_bytes(std::string_view bytes, Actions& out) {
  if (closed_) {
    return;
  }
  auto& events = framer_.feed(bytes);
  for (auto& event : events) {
    if (closed_) {
      return;
    }
    switch (event.kind) {
      case FrameEventKind::kStreamOpen: {
        if (event.header.id.empty()) {
          fail("component-no-stream-id", out, StreamError::kBadFormat);
          return;
        }
        std::string xml = "<handshake>";
        xml += component_handshake_digest(event.header.id, secret_);
        xml += "</handshake>";
        out.push_back(send_action(std::move(xml)));
        break;
      }
      case FrameEventKind::kElement: {
        Element& element = event.element;
        if (!ready_) {
          if (element.ns == kNsComponent && element.name == "handshake") {
            ready_ = true;
            framer_.set_authenticated();
            action::Ready ready;
            ready.domain = domain_;
            ready.method = "component";
            out.emplace_back(std::move(ready));
            break;
          }
          if (element.ns == kNsStreams && element.name == "error") {
            close_on_peer_stream_error(element, "component-rejected", out);
            closed_ = true;
            return;
          }
          fail("component-unexpected-element", out, StreamError::kNotAuthorized);
          return;
        }
        if (element.is_stanza) {
          out.emplace_back(action::Deliver{jid_domain_lower(element.to), std::move(element)});
        } else if (element.ns == kNsStreams && element.name == "error") {
          out.push_back(send_action("</stream:stream>"));
          out.push_back(close_action("component-stream-error"));
          closed_ = true;
          return;
        }
        break;
      }
      case FrameEventKind::kStreamClose:
        out.push_back(send_action("</stream:stream>"));
        out.push_back(close_action("component-closed"));
        closed_ = true;
        break;
      case FrameEventKind::kError: fail(event.failure.reason, out, event.failure.condition); break;
    }
  }
}

}  // namespace edgekit::edgeproxy
