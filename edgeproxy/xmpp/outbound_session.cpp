#include "edgeproxy/xmpp/outbound_session.hpp"

#include <algorithm>

#include "common/base64.hpp"
#include "common/jid.hpp"
#include "edgeproxy/xmpp/inbound_session.hpp"
#include "edgeproxy/xmpp/xml_util.hpp"

namespace edgekit::edgeproxy {
namespace {

// What the log tells the admin when a partner refuses our certificate for SASL EXTERNAL.
std::string our_certificate_hint(bool client_auth) {
  if (!client_auth) {
    return "our certificate lacks the clientAuth EKU; servers that check the client purpose "
           "(ejabberd before 25.07) refuse it for SASL EXTERNAL: allow dialback for this "
           "partner, or get a certificate with clientAuth";
  }
  return "the partner did not accept our certificate for SASL EXTERNAL: check that it trusts "
         "our CA and that the certificate names our domain";
}

bool mechanism_offered(const Element& features, std::string_view mechanism) {
  return std::any_of(features.children.begin(), features.children.end(),
                     [&](const ChildElement& c) {
                       return c.ns == kNsSasl && c.name == "mechanism" && c.text == mechanism;
                     });
}

}  // namespace

OutboundSession::OutboundSession(OutboundOptions options, std::shared_ptr<const DialbackKeys> keys)
    : options_(std::move(options)),
      keys_(std::move(keys)),
      framer_(kNsServer, FramerLimits{.max_stanza_bytes = options_.max_stanza_bytes,
                                      .max_stanza_elements = options_.max_stanza_elements}) {}

void OutboundSession::send_header(Actions& out) {
  std::string xml =
      "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
      "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback'";
  append_attribute(xml, "from", options_.local);
  append_attribute(xml, "to", options_.remote);
  xml += " version='1.0'>";
  out.push_back(send_action(std::move(xml)));
  state_ = State::kAwaitHeader;
}

void OutboundSession::on_connected(Actions& out) {
  if (state_ != State::kConnecting) {
    return;
  }
  if (options_.direct_tls) {
    state_ = State::kTlsHandshake;
    return;
  }
  send_header(out);
}

bool OutboundSession::dialback_may_replace_certificate() const noexcept {
  const Partner& policy = options_.policy;
  return policy.dialback && !policy.verify_certificate && !sasl_required(policy);
}

void OutboundSession::on_tls_established(const CertificateCheck& certificate, Actions& out) {
  if (state_ != State::kTlsHandshake) {
    return;
  }
  secured_ = true;
  certificate_problem_ = std::string(certificate.problem(options_.remote));
  // RFC 6120 §13.7.2 / RFC 7590: the receiving server's certificate must be valid for the
  // partner domain. Where it is not, only dialback (DNS-based trust) may stand in for it, and
  // only where the partner's policy says so (XEP-0344, Prosody's s2s_secure_auth = false).
  if (!certificate_problem_.empty() && !dialback_may_replace_certificate()) {
    fail(certificate_problem_, out, StreamError::kPolicyViolation);
    return;
  }
  framer_.restart();
  send_header(out);
}

void OutboundSession::on_timeout(std::string_view reason, Actions& out) {
  fail(std::string(reason), out, StreamError::kConnectionTimeout);
}

void OutboundSession::on_shutdown(Actions& out) {
  if (state_ == State::kClosed) {
    return;
  }
  out.push_back(send_action("</stream:stream>"));
  out.push_back(close_action("shutdown"));
  state_ = State::kClosed;
}

void OutboundSession::on_idle(Actions& out) {
  if (state_ != State::kClosed && options_.purpose == OutboundPurpose::kVerify &&
      outstanding_verifies() == 0) {
    out.push_back(send_action("</stream:stream>"));
    out.push_back(close_action("verify-idle"));
    state_ = State::kClosed;
  }
}

void OutboundSession::fail(std::string reason, Actions& out, std::optional<StreamError> error) {
  if (state_ == State::kClosed) {
    return;
  }
  if (error) {
    out.push_back(send_action(stream_error_xml(*error) + "</stream:stream>"));
  } else {
    out.push_back(send_action("</stream:stream>"));
  }
  out.push_back(close_action(std::move(reason), error));
  state_ = State::kClosed;
}

void OutboundSession::request_verify(VerifyRequest request, Actions& out) {
  // This stream was opened to `remote` for `local`: a request for another pair could never be
  // answered here by the right server.
  if (state_ == State::kClosed || !iequals_ascii(request.originating, options_.remote) ||
      !iequals_ascii(request.receiving, options_.local)) {
    return;
  }
  queued_verifies_.push_back(std::move(request));
  if (state_ == State::kReady) {
    flush_verifies(out);
  }
}

void OutboundSession::flush_verifies(Actions& out) {
  while (!queued_verifies_.empty()) {
    VerifyRequest& request = queued_verifies_.front();
    std::string xml = "<db:verify";
    append_attribute(xml, "from", request.receiving);
    append_attribute(xml, "to", request.originating);
    append_attribute(xml, "id", request.stream_id);
    xml += '>';
    append_escaped(xml, request.key);
    xml += "</db:verify>";
    out.push_back(send_action(std::move(xml)));
    sent_verifies_.push_back(std::move(request));
    queued_verifies_.pop_front();
  }
}

void OutboundSession::on_bytes(std::string_view bytes, Actions& out) {
  if (state_ == State::kClosed || state_ == State::kTlsHandshake || state_ == State::kConnecting) {
    return;
  }
  auto& events = framer_.feed(bytes);
  for (auto& event : events) {
    // After <proceed/> the rest of the read belongs to the TLS handshake.
    if (state_ == State::kClosed || state_ == State::kTlsHandshake) {
      return;
    }
    switch (event.kind) {
      case FrameEventKind::kStreamOpen: handle_header(event.header, out); break;
      case FrameEventKind::kElement: handle_element(event.element, out); break;
      case FrameEventKind::kStreamClose:
        out.push_back(send_action("</stream:stream>"));
        out.push_back(close_action("peer-closed"));
        state_ = State::kClosed;
        break;
      case FrameEventKind::kError: fail(event.failure.reason, out, event.failure.condition); break;
    }
  }
}

void OutboundSession::handle_header(const StreamHeader& header, Actions& out) {
  if (state_ != State::kAwaitHeader) {
    fail("unexpected-stream-header", out, StreamError::kUnsupportedStanzaType);
    return;
  }
  stream_id_ = header.id;
  if (header.dialback_ns) {
    dialback_offered_ = true;
  }
  if (header.version.rfind("1.", 0) == 0) {
    state_ = State::kAwaitFeatures;
    return;
  }
  // A pre-RFC 3920 peer sends no features: no TLS, no SASL, dialback straight away.
  if (sasl_succeeded_ || options_.policy.tls == Negotiation::kRequired ||
      sasl_required(options_.policy)) {
    fail("peer-without-features", out, StreamError::kPolicyViolation);
    return;
  }
  if (options_.purpose == OutboundPurpose::kVerify) {
    become_ready("none", out);
    return;
  }
  start_dialback(out);
}

void OutboundSession::handle_element(const Element& element, Actions& out) {
  if (element.ns == kNsStreams && element.name == "error") {
    close_on_peer_stream_error(element, "peer-stream-error", out);
    state_ = State::kClosed;
    return;
  }
  const bool features = element.ns == kNsStreams && element.name == "features";
  switch (state_) {
    case State::kAwaitFeatures:
      if (features) {
        handle_features(element, out);
        return;
      }
      break;
    case State::kAwaitProceed:
      if (element.ns == kNsTls) {
        handle_proceed(element, out);
        return;
      }
      break;
    case State::kAwaitSaslResult:
      if (element.ns == kNsSasl && (element.name == "success" || element.name == "failure")) {
        handle_sasl_result(element, out);
        return;
      }
      break;
    case State::kAwaitDialbackResult:
      if (element.ns == kNsDialback && element.name == "result") {
        handle_dialback_result(element, out);
        return;
      }
      break;
    case State::kReady:
      if (options_.purpose == OutboundPurpose::kVerify && element.ns == kNsDialback &&
          element.name == "verify") {
        handle_verify_answer(element, out);
        return;
      }
      break;
    default: break;
  }
  refuse_unexpected(element, out);
}

// Names what arrived out of turn: each is a distinct attack or bug worth telling apart.
void OutboundSession::refuse_unexpected(const Element& element, Actions& out) {
  if (element.ns == kNsDialback && element.name == "result") {
    fail("unexpected-dialback-result", out, StreamError::kNotAuthorized);
  } else if (element.ns == kNsDialback && element.name == "verify") {
    fail("dialback-answer-unbound", out, StreamError::kNotAuthorized);
  } else if (element.ns == kNsSasl && element.name == "success") {
    fail("unexpected-sasl-success", out, StreamError::kNotAuthorized);
  } else if (element.ns == kNsSasl) {
    fail("unexpected-sasl-element", out, StreamError::kNotAuthorized);
  } else if (element.ns == kNsTls) {
    fail("unexpected-tls-element", out, StreamError::kUnsupportedStanzaType);
  } else if (element.ns == kNsStreams && element.name == "features") {
    fail("unexpected-features", out, StreamError::kUnsupportedStanzaType);
  } else {
    // Stanzas on our outbound stream would be bidirectional S2S, which we never offered.
    fail("unexpected-element", out, StreamError::kUnsupportedStanzaType);
  }
}

void OutboundSession::handle_features(const Element& features, Actions& out) {
  const Partner& policy = options_.policy;
  if (features.has_child(kNsDialbackFeature, "dialback")) {
    dialback_offered_ = true;
  }
  if (sasl_succeeded_) {
    become_ready("sasl-external", out);
    return;
  }
  if (!secured_) {
    const bool tls_offered = features.has_child(kNsTls, "starttls");
    if (tls_offered && policy.tls != Negotiation::kNotSupported && options_.tls_available) {
      out.push_back(send_action("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
      state_ = State::kAwaitProceed;
      return;
    }
    if (policy.tls == Negotiation::kRequired) {
      fail(options_.tls_available ? "peer-offers-no-tls" : "no-certificate", out,
           StreamError::kPolicyViolation);
      return;
    }
    if (tls_offered && features.has_child(kNsTls, "required")) {
      fail("peer-requires-tls", out, StreamError::kPolicyViolation);
      return;
    }
  }
  if (options_.purpose == OutboundPurpose::kVerify) {
    become_ready("none", out);
    return;
  }
  const bool sasl_wanted =
      secured_ && policy.sasl != Negotiation::kNotSupported && options_.tls_available;
  // SASL EXTERNAL authenticates us to the partner; it is used when the partner's certificate
  // authenticated the partner to us. Otherwise dialback (where allowed) decides both ways.
  if (sasl_wanted && certificate_problem_.empty()) {
    if (mechanism_offered(features, "EXTERNAL")) {
      std::string xml = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>";
      xml += base64_encode(options_.local);
      xml += "</auth>";
      out.push_back(send_action(std::move(xml)));
      state_ = State::kAwaitSaslResult;
      return;
    }
    // A peer that validated our certificate during TLS and refused it offers no EXTERNAL;
    // without clientAuth that is the likely reason.
    if (!options_.our_certificate_client_auth) {
      after_sasl_refused(out);
      return;
    }
  }
  if (sasl_required(policy)) {
    fail("peer-offers-no-sasl-external", out, StreamError::kPolicyViolation);
    return;
  }
  start_dialback(out);
}

void OutboundSession::handle_proceed(const Element& element, Actions& out) {
  if (element.name != "proceed") {
    fail("starttls-failed", out);
    return;
  }
  out.emplace_back(action::StartTls{});
  state_ = State::kTlsHandshake;
}

void OutboundSession::handle_sasl_result(const Element& element, Actions& out) {
  if (element.name == "success") {
    sasl_succeeded_ = true;
    framer_.restart();
    send_header(out);
    return;
  }
  after_sasl_refused(out);
}

void OutboundSession::after_sasl_refused(Actions& out) {
  our_cert_refused_ = true;
  out.emplace_back(action::Warning{std::string(kPartnerRejectedOurCertificate),
                                   our_certificate_hint(options_.our_certificate_client_auth)});
  if (sasl_required(options_.policy) || !options_.policy.dialback) {
    fail(std::string(kPartnerRejectedOurCertificate), out, StreamError::kPolicyViolation);
    return;
  }
  // The features already received stand (no restart after a SASL failure): go on to dialback
  // on this stream.
  start_dialback(out);
}

void OutboundSession::start_dialback(Actions& out) {
  const std::string refusal = our_cert_refused_ ? std::string(kPartnerRejectedOurCertificate) : "";
  if (!options_.policy.dialback) {
    fail(refusal.empty() ? "dialback-not-allowed" : refusal, out, StreamError::kPolicyViolation);
    return;
  }
  if (!dialback_offered_) {
    fail(refusal.empty() ? "peer-offers-no-dialback" : refusal, out,
         StreamError::kUnsupportedFeature);
    return;
  }
  std::string xml = "<db:result";
  append_attribute(xml, "from", options_.local);
  append_attribute(xml, "to", options_.remote);
  xml += '>';
  xml += keys_->generate(options_.remote, options_.local, stream_id_);
  xml += "</db:result>";
  out.push_back(send_action(std::move(xml)));
  state_ = State::kAwaitDialbackResult;
}

void OutboundSession::handle_dialback_result(const Element& element, Actions& out) {
  // The answer must be about the pair we asked for (XEP-0220 §2.1.3).
  if (!iequals_ascii(element.from, options_.remote) || !iequals_ascii(element.to, options_.local)) {
    fail("dialback-answer-unbound", out, StreamError::kImproperAddressing);
    return;
  }
  if (element.type == "valid") {
    framer_.set_authenticated();
    become_ready(dialback_method(secured_, certificate_problem_), out);
  } else if (element.type == "invalid") {
    fail("dialback-rejected", out);
  } else if (element.type == "error") {
    std::string reason = "dialback-error";
    const auto condition =
        std::find_if(element.children.begin(), element.children.end(),
                     [](const ChildElement& child) { return child.ns == kNsStanzaErrors; });
    if (condition != element.children.end()) {
      reason += ':';
      reason += known_condition(condition->name);
    }
    fail(std::move(reason), out);
  } else {
    fail("dialback-result-without-type", out, StreamError::kBadFormat);
  }
}

void OutboundSession::handle_verify_answer(const Element& element, Actions& out) {
  // Bound to its question: sent on this stream (to the authoritative server of `remote`, which
  // the edge resolved itself), still outstanding, and with the same from, to and id.
  const auto it = std::find_if(sent_verifies_.begin(), sent_verifies_.end(), [&](const auto& r) {
    return iequals_ascii(element.from, r.originating) && iequals_ascii(element.to, r.receiving) &&
           element.id == r.stream_id;
  });
  if (it == sent_verifies_.end() || (element.type != "valid" && element.type != "invalid")) {
    fail("dialback-answer-unbound", out, StreamError::kNotAuthorized);
    return;
  }
  out.emplace_back(
      action::Verified{it->originating, it->receiving, it->stream_id, element.type == "valid"});
  sent_verifies_.erase(it);
  if (outstanding_verifies() == 0) {
    out.emplace_back(action::Idle{});
  }
}

void OutboundSession::become_ready(std::string_view method, Actions& out) {
  state_ = State::kReady;
  // However it authenticated (SASL EXTERNAL too, which restarts the stream), the pre-auth caps
  // end here: a long-lived stream's keepalives and verify answers must not reach them.
  framer_.set_authenticated();
  action::Ready ready;
  ready.domain = options_.remote;
  ready.local = options_.local;
  ready.method = method;
  ready.certificate = certificate_label(secured_, certificate_problem_);
  out.emplace_back(std::move(ready));
  if (options_.purpose == OutboundPurpose::kVerify) {
    flush_verifies(out);
  }
}

}  // namespace edgekit::edgeproxy
