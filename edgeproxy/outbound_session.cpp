#include "edgeproxy/outbound_session.hpp"

#include "common/base64.hpp"
#include "common/jid.hpp"
#include "edgeproxy/inbound_session.hpp"
#include "edgeproxy/xml_util.hpp"

namespace edgekit::edgeproxy {

OutboundSession::OutboundSession(OutboundOptions options, std::shared_ptr<const DialbackKeys> keys)
    : options_(std::move(options)),
      keys_(std::move(keys)),
      framer_(kNsServer, FramerLimits{.max_stanza_bytes = options_.max_stanza_bytes}),
      secured_(options_.direct_tls) {}

void OutboundSession::send_header(Actions& out) {
  std::string xml =
      "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
      "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback'";
  append_attribute(xml, "from", options_.local);
  append_attribute(xml, "to", options_.remote);
  xml += " version='1.0'>";
  out.push_back(send_action(std::move(xml)));
}

void OutboundSession::on_connected(Actions& out) {
  send_header(out);
}

void OutboundSession::on_tls_established(CertificateCheck certificate, Actions& out) {
  tls_pending_ = false;
  secured_ = true;
  certificate_ = std::move(certificate);
  framer_.restart();
  send_header(out);
}

void OutboundSession::on_timeout(std::string_view reason, Actions& out) {
  fail(std::string(reason), out, StreamError::kConnectionTimeout);
}

void OutboundSession::on_shutdown(Actions& out) {
  if (closed_) {
    return;
  }
  out.push_back(send_action("</stream:stream>"));
  out.push_back(close_action("shutdown"));
  closed_ = true;
}

void OutboundSession::fail(std::string reason, Actions& out, std::optional<StreamError> error) {
  if (closed_) {
    return;
  }
  if (error) {
    out.push_back(send_action(stream_error_xml(*error) + "</stream:stream>"));
  } else {
    out.push_back(send_action("</stream:stream>"));
  }
  out.push_back(close_action(std::move(reason), error));
  closed_ = true;
}

void OutboundSession::request_verify(VerifyRequest request, Actions& out) {
  verifies_.push_back(std::move(request));
  if (can_verify_) {
    flush_verifies(out);
  }
}

void OutboundSession::flush_verifies(Actions& out) {
  while (!verifies_.empty()) {
    const VerifyRequest& request = verifies_.front();
    std::string xml = "<db:verify";
    append_attribute(xml, "from", request.receiving);
    append_attribute(xml, "to", request.originating);
    append_attribute(xml, "id", request.stream_id);
    xml += '>';
    append_escaped(xml, request.key);
    xml += "</db:verify>";
    out.push_back(send_action(std::move(xml)));
    verifies_.pop_front();
  }
}

void OutboundSession::on_bytes(std::string_view bytes, Actions& out) {
  if (closed_ || tls_pending_) {
    return;
  }
  auto& events = framer_.feed(bytes);
  for (auto& event : events) {
    if (closed_ || tls_pending_) {
      return;
    }
    switch (event.kind) {
      case FrameEventKind::kStreamOpen:
        stream_id_ = event.header.id;
        if (event.header.dialback_ns) {
          dialback_offered_ = true;
        }
        if (event.header.version.rfind("1.", 0) != 0) {
          // A pre-RFC 3920 peer sends no features: dialback straight away, without TLS.
          if (options_.policy.tls == Negotiation::kRequired || sasl_required(options_.policy)) {
            fail("peer-without-features", out, StreamError::kPolicyViolation);
            return;
          }
          start_dialback(out);
        }
        break;
      case FrameEventKind::kElement: handle_element(event.element, out); break;
      case FrameEventKind::kStreamClose:
        out.push_back(send_action("</stream:stream>"));
        out.push_back(close_action("peer-closed"));
        closed_ = true;
        break;
      case FrameEventKind::kError: fail(event.failure.reason, out, event.failure.condition); break;
    }
  }
}

void OutboundSession::handle_features(const Element& features, Actions& out) {
  const Partner& policy = options_.policy;
  const bool tls_offered = features.has_child(kNsTls, "starttls");
  const bool tls_demanded = tls_offered && features.has_child(kNsTls, "required");
  if (features.has_child(kNsDialbackFeature, "dialback")) {
    dialback_offered_ = true;
  }
  if (sasl_done_) {
    become_ready("sasl-external", out);
    return;
  }
  if (!secured_) {
    if (tls_offered && policy.tls != Negotiation::kNotSupported && options_.tls_available) {
      out.push_back(send_action("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
      return;
    }
    if (policy.tls == Negotiation::kRequired) {
      fail(options_.tls_available ? "peer-offers-no-tls" : "no-certificate", out,
           StreamError::kPolicyViolation);
      return;
    }
    if (tls_demanded) {
      fail("peer-requires-tls", out, StreamError::kPolicyViolation);
      return;
    }
  }
  bool external = false;
  for (const auto& child : features.children) {
    if (child.ns == kNsSasl && child.name == "mechanism" && child.text == "EXTERNAL") {
      external = true;
    }
  }
  if (options_.purpose == OutboundPurpose::kStanzas && secured_ && external && !sasl_tried_ &&
      policy.sasl != Negotiation::kNotSupported && options_.tls_available) {
    sasl_tried_ = true;
    std::string xml = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>";
    xml += base64_encode(options_.local);
    xml += "</auth>";
    out.push_back(send_action(std::move(xml)));
    return;
  }
  if (options_.purpose == OutboundPurpose::kStanzas && sasl_required(policy)) {
    fail("peer-offers-no-sasl-external", out, StreamError::kPolicyViolation);
    return;
  }
  start_dialback(out);
}

void OutboundSession::start_dialback(Actions& out) {
  can_verify_ = true;
  if (options_.purpose == OutboundPurpose::kVerify) {
    flush_verifies(out);
    return;
  }
  if (!options_.policy.dialback) {
    fail("dialback-not-allowed", out, StreamError::kPolicyViolation);
    return;
  }
  if (!dialback_offered_) {
    fail("peer-offers-no-dialback", out, StreamError::kUnsupportedFeature);
    return;
  }
  if (dialback_sent_) {
    return;
  }
  dialback_sent_ = true;
  std::string xml = "<db:result";
  append_attribute(xml, "from", options_.local);
  append_attribute(xml, "to", options_.remote);
  xml += '>';
  xml += keys_->generate(options_.remote, options_.local, stream_id_);
  xml += "</db:result>";
  out.push_back(send_action(std::move(xml)));
}

void OutboundSession::become_ready(std::string_view method, Actions& out) {
  if (ready_) {
    return;
  }
  ready_ = true;
  can_verify_ = true;
  flush_verifies(out);
  Action action;
  action.kind = ActionKind::kReady;
  action.domain = options_.remote;
  action.local = options_.local;
  action.method = method;
  out.push_back(std::move(action));
}

void OutboundSession::handle_element(const Element& element, Actions& out) {
  if (element.ns == kNsStreams && element.name == "features") {
    handle_features(element, out);
    return;
  }
  if (element.ns == kNsTls) {
    if (element.name == "proceed") {
      Action start;
      start.kind = ActionKind::kStartTls;
      out.push_back(std::move(start));
      tls_pending_ = true;
      return;
    }
    fail("starttls-failed", out);
    return;
  }
  if (element.ns == kNsSasl) {
    if (element.name == "success") {
      sasl_done_ = true;
      framer_.restart();
      send_header(out);
      return;
    }
    if (element.name == "failure") {
      if (sasl_required(options_.policy) || !options_.policy.dialback) {
        fail("sasl-external-rejected", out, StreamError::kPolicyViolation);
        return;
      }
      start_dialback(out);
      return;
    }
    return;
  }
  if (element.ns == kNsDialback) {
    if (element.name == "result") {
      if (element.type == "valid") {
        framer_.set_authenticated();
        become_ready("dialback", out);
      } else if (element.type == "invalid") {
        fail("dialback-rejected", out);
      } else if (element.type == "error") {
        std::string reason = "dialback-error";
        if (!element.children.empty()) {
          reason += ':';
          reason += element.children.back().name;
        }
        fail(std::move(reason), out);
      }
      return;
    }
    if (element.name == "verify") {
      Action verified;
      verified.kind = ActionKind::kVerified;
      verified.domain = to_lower_ascii(element.from);
      verified.local = to_lower_ascii(element.to);
      verified.stream_id = element.id;
      verified.valid = element.type == "valid";
      out.push_back(std::move(verified));
      return;
    }
  }
  if (element.ns == kNsStreams && element.name == "error") {
    close_on_peer_stream_error(element, "peer-stream-error", out);
    closed_ = true;
    return;
  }
  // Stanzas on our outbound stream would be bidirectional S2S, which we never offered.
  fail("unexpected-element", out, StreamError::kUnsupportedStanzaType);
}

}  // namespace edgekit::edgeproxy
