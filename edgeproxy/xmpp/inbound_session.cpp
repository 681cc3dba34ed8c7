#include "edgeproxy/xmpp/inbound_session.hpp"

#include <algorithm>

#include "common/base64.hpp"
#include "common/jid.hpp"
#include "edgeproxy/xmpp/xml_util.hpp"

namespace edgekit::edgeproxy {
namespace {

std::string normalized_or_empty(std::string_view domain) {
  if (domain.empty()) {
    return {};
  }
  auto normalized = normalize_domain(domain);
  return normalized ? std::move(normalized).value() : std::string{};
}

std::string db_result_reply(std::string_view from, std::string_view to, std::string_view type,
                            std::string_view error_condition = {}) {
  std::string xml = "<db:result";
  append_attribute(xml, "from", from);
  append_attribute(xml, "to", to);
  append_attribute(xml, "type", type);
  if (error_condition.empty()) {
    xml += "/>";
    return xml;
  }
  xml += "><error type='cancel'><";
  xml += error_condition;
  xml += " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></db:result>";
  return xml;
}

FramerLimits framer_limits(const FederationSection& federation, std::size_t preauth_bytes) {
  return FramerLimits{
      .max_stanza_bytes = federation.max_stanza_bytes,
      .preauth_bytes = preauth_bytes != 0 ? preauth_bytes : federation.preauth_max_bytes,
      .max_stanza_elements = federation.max_stanza_elements,
      .preauth_elements = federation.preauth_max_elements,
  };
}

}  // namespace

bool sasl_required(const Partner& partner) noexcept {
  // With TLS not supported SASL EXTERNAL is impossible: the config check warns that such a
  // partner authenticates by dialback only.
  return partner.sasl == Negotiation::kRequired && partner.tls != Negotiation::kNotSupported;
}

InboundSession::InboundSession(std::shared_ptr<const Config> config,
                               std::shared_ptr<const DialbackKeys> keys, InboundOptions options,
                               CertificateCheck certificate)
    : config_(std::move(config)),
      keys_(std::move(keys)),
      options_(std::move(options)),
      certificate_(std::move(certificate)),
      framer_(kNsServer, framer_limits(config_->federation, options_.preauth_bytes)),
      secured_(options_.direct_tls) {}

void InboundSession::on_bytes(std::string_view bytes, Actions& out) {
  if (closed_ || tls_pending_) {
    // Bytes after <starttls/> and before the handshake are never interpreted (STARTTLS
    // command injection).
    return;
  }
  auto& events = framer_.feed(bytes);
  for (auto& event : events) {
    if (closed_ || tls_pending_) {
      return;
    }
    switch (event.kind) {
      case FrameEventKind::kStreamOpen: handle_header(event.header, out); break;
      case FrameEventKind::kElement: handle_element(event.element, out); break;
      case FrameEventKind::kStreamClose:
        if (!header_sent_) {
          send_header(out);
        }
        out.push_back(send_action("</stream:stream>"));
        out.push_back(close_action("peer-closed"));
        closed_ = true;
        break;
      case FrameEventKind::kError: fail(event.failure.condition, event.failure.reason, out); break;
    }
  }
}

void InboundSession::on_tls_established(CertificateCheck certificate, Actions& out) {
  (void)out;
  tls_pending_ = false;
  secured_ = true;
  certificate_ = std::move(certificate);
  header_sent_ = false;
  framer_.restart();
}

void InboundSession::on_verify_result(std::string_view originating, std::string_view receiving,
                                      VerifyOutcome outcome, Actions& out) {
  const auto it = std::find_if(pending_.begin(), pending_.end(), [&](const auto& pair) {
    return pair.first == originating && pair.second == receiving;
  });
  if (it == pending_.end() || closed_) {
    return;
  }
  pending_.erase(it);
  switch (outcome) {
    case VerifyOutcome::kValid:
      out.push_back(send_action(db_result_reply(receiving, originating, "valid")));
      pairs_.emplace_back(originating, receiving);
      mark_authenticated(std::string(originating), "dialback", out);
      break;
    case VerifyOutcome::kInvalid:
      out.push_back(send_action(db_result_reply(receiving, originating, "invalid")));
      if (!authenticated()) {
        fail(StreamError::kNotAuthorized, "dialback-invalid", out);
      }
      break;
    case VerifyOutcome::kRemoteServerNotFound:
      out.push_back(
          send_action(db_result_reply(receiving, originating, "error", "remote-server-not-found")));
      break;
    case VerifyOutcome::kRemoteServerTimeout:
      out.push_back(
          send_action(db_result_reply(receiving, originating, "error", "remote-server-timeout")));
      break;
  }
}

void InboundSession::on_timeout(std::string_view reason, Actions& out) {
  if (!closed_) {
    fail(StreamError::kConnectionTimeout, std::string(reason), out);
  }
}

void InboundSession::on_shutdown(Actions& out) {
  if (!closed_) {
    fail(StreamError::kSystemShutdown, "shutdown", out);
  }
}

void InboundSession::send_header(Actions& out) {
  std::string xml =
      "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
      "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback'";
  append_attribute(xml, "id", options_.stream_id);
  append_attribute(xml, "from", local_domain_);
  append_attribute(xml, "to", header_from_);
  if (features_version_) {
    xml += " version='1.0'";
  }
  xml += '>';
  out.push_back(send_action(std::move(xml)));
  header_sent_ = true;
}

void InboundSession::fail(StreamError condition, std::string reason, Actions& out) {
  if (closed_) {
    return;
  }
  if (!header_sent_) {
    send_header(out);
  }
  out.push_back(send_action(stream_error_xml(condition) + "</stream:stream>"));
  out.push_back(close_action(std::move(reason), condition));
  closed_ = true;
}

bool InboundSession::dialback_allowed(const Partner* partner) const {
  if (partner == nullptr) {
    return true;  // the partner is only known at db:result time; checked there
  }
  return partner->dialback && !sasl_required(*partner) &&
         (partner->tls != Negotiation::kRequired || secured_) &&
         (!partner->verify_certificate || certificate_.authenticates(header_from_));
}

std::string InboundSession::features() const {
  const Partner* partner = header_from_.empty() ? nullptr : config_->find_partner(header_from_);
  std::string xml = "<stream:features>";
  const bool tls_required = partner != nullptr && partner->tls == Negotiation::kRequired;
  if (!secured_ && options_.tls_available &&
      (partner == nullptr || partner->tls != Negotiation::kNotSupported)) {
    xml += "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>";
    if (tls_required) {
      xml += "<required/>";
    }
    xml += "</starttls>";
  }
  if (!tls_required || secured_) {
    if (secured_ && partner != nullptr && partner->sasl != Negotiation::kNotSupported &&
        sasl_domain_.empty() && certificate_.authenticates(header_from_)) {
      xml +=
          "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism>"
          "</mechanisms>";
    }
    if (dialback_allowed(partner)) {
      xml += "<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>";
    }
  }
  xml += "</stream:features>";
  return xml;
}

void InboundSession::handle_header(const StreamHeader& header, Actions& out) {
  features_version_ = header.version.rfind("1.", 0) == 0;
  local_domain_ = normalized_or_empty(header.to);
  if (local_domain_.empty() || !config_->is_local_domain(local_domain_)) {
    local_domain_.clear();
    fail(StreamError::kHostUnknown, "to-not-local", out);
    return;
  }
  if (!header.from.empty()) {
    std::string from = normalized_or_empty(header.from);
    if (from.empty()) {
      fail(StreamError::kInvalidFrom, "header-from-invalid", out);
      return;
    }
    header_from_ = std::move(from);
    if (config_->find_partner(header_from_) == nullptr) {
      fail(StreamError::kPolicyViolation, "unknown-partner", out);
      return;
    }
  }
  send_header(out);
  if (features_version_) {
    out.push_back(send_action(features()));
  }
}

void InboundSession::handle_element(Element& element, Actions& out) {
  if (element.is_stanza) {
    handle_stanza(element, out);
    return;
  }
  if (element.ns == kNsDialback) {
    if (element.name == "result" && element.type.empty()) {
      handle_db_result(element, out);
      return;
    }
    if (element.name == "verify" && element.type.empty()) {
      handle_db_verify(element, out);
      return;
    }
  } else if (element.ns == kNsTls && element.name == "starttls") {
    handle_starttls(out);
    return;
  } else if (element.ns == kNsSasl && element.name == "auth") {
    handle_sasl(element, out);
    return;
  } else if (element.ns == kNsStreams && element.name == "error") {
    close_on_peer_stream_error(element, "peer-stream-error", out);
    closed_ = true;
    return;
  }
  fail(StreamError::kUnsupportedStanzaType, "unsupported-element", out);
}

void InboundSession::handle_starttls(Actions& out) {
  const Partner* partner = header_from_.empty() ? nullptr : config_->find_partner(header_from_);
  if (secured_ || !options_.tls_available ||
      (partner != nullptr && partner->tls == Negotiation::kNotSupported)) {
    out.push_back(
        send_action("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>"));
    out.push_back(close_action("starttls-refused"));
    closed_ = true;
    return;
  }
  out.push_back(send_action("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
  out.emplace_back(action::StartTls{});
  tls_pending_ = true;
}

void InboundSession::handle_sasl(const Element& element, Actions& out) {
  static constexpr std::string_view kFailure =
      "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>";
  // "=" is an empty authorization identity (RFC 6120 §6.4.2): the stream header's from counts.
  const auto authzid =
      element.text == "=" ? std::optional<std::string>(std::string()) : base64_decode(element.text);
  if (!authzid) {
    out.push_back(send_action(
        "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><incorrect-encoding/></failure>"));
    return;
  }
  const std::string domain = authzid->empty() ? header_from_ : normalized_or_empty(*authzid);
  const Partner* partner = domain.empty() ? nullptr : config_->find_partner(domain);
  if (element.attribute("mechanism") != "EXTERNAL" || !secured_ || partner == nullptr ||
      partner->sasl == Negotiation::kNotSupported || !sasl_domain_.empty()) {
    out.push_back(send_action(std::string(kFailure)));
    return;
  }
  if (!certificate_.authenticates(domain)) {
    // The peer may fall back to dialback when policy allows it.
    out.push_back(send_action(std::string(kFailure)));
    return;
  }
  out.push_back(send_action("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"));
  sasl_domain_ = domain;
  mark_authenticated(domain, "sasl-external", out);
  header_sent_ = false;
  framer_.restart();
}

void InboundSession::mark_authenticated(const std::string& domain, std::string_view method,
                                        Actions& out) {
  if (partner_.empty()) {
    const Partner* partner = config_->find_partner(domain);
    partner_ = partner != nullptr ? partner->domain : domain;
  }
  framer_.set_authenticated();
  action::Authenticated authenticated;
  authenticated.domain = domain;
  authenticated.local = local_domain_;
  const std::string_view problem = secured_ ? certificate_.problem(domain) : "";
  authenticated.certificate = certificate_label(secured_, problem);
  authenticated.method = method == "dialback" ? dialback_method(secured_, problem) : method;
  out.emplace_back(std::move(authenticated));
}

bool InboundSession::pair_authenticated(std::string_view originating,
                                        std::string_view receiving) const {
  if (!sasl_domain_.empty() && iequals_ascii(originating, sasl_domain_)) {
    return true;
  }
  return std::any_of(pairs_.begin(), pairs_.end(), [&](const auto& pair) {
    return iequals_ascii(pair.first, originating) && iequals_ascii(pair.second, receiving);
  });
}

void InboundSession::handle_db_result(const Element& element, Actions& out) {
  const std::string originating = normalized_or_empty(element.from);
  const std::string receiving = normalized_or_empty(element.to);
  if (originating.empty() || receiving.empty()) {
    fail(StreamError::kImproperAddressing, "dialback-addressing", out);
    return;
  }
  if (!config_->is_local_domain(receiving)) {
    out.push_back(send_action(db_result_reply(receiving, originating, "error", "item-not-found")));
    return;
  }
  const Partner* partner = config_->find_partner(originating);
  if (partner == nullptr) {
    fail(StreamError::kPolicyViolation, "unknown-partner", out);
    return;
  }
  if (!partner->dialback) {
    fail(StreamError::kPolicyViolation, "dialback-not-allowed", out);
    return;
  }
  if (partner->tls == Negotiation::kRequired && !secured_) {
    fail(StreamError::kPolicyViolation, "tls-required", out);
    return;
  }
  if (sasl_required(*partner) && !pair_authenticated(originating, receiving)) {
    fail(StreamError::kPolicyViolation, "sasl-required", out);
    return;
  }
  // verify_certificate: dialback may add to what the certificate proves, never replace it.
  if (partner->verify_certificate && !certificate_.authenticates(originating)) {
    fail(StreamError::kPolicyViolation, std::string(certificate_.problem(originating)), out);
    return;
  }
  if (pair_authenticated(originating, receiving)) {
    out.push_back(send_action(db_result_reply(receiving, originating, "valid")));
    return;
  }
  const bool already_pending = std::any_of(pending_.begin(), pending_.end(), [&](const auto& p) {
    return p.first == originating && p.second == receiving;
  });
  if (already_pending) {
    return;
  }
  pending_.emplace_back(originating, receiving);
  out.emplace_back(action::RequestVerify{originating, receiving, options_.stream_id, element.text});
}

void InboundSession::handle_db_verify(const Element& element, Actions& out) {
  // The authoritative role: the partner (receiving server) asks whether we issued this key.
  const std::string receiving = normalized_or_empty(element.from);
  const std::string originating = normalized_or_empty(element.to);
  std::string xml = "<db:verify";
  append_attribute(xml, "from", originating);
  append_attribute(xml, "to", receiving);
  append_attribute(xml, "id", element.id);
  if (originating.empty() || !config_->is_local_domain(originating)) {
    xml +=
        " type='error'><error type='cancel'><item-not-found "
        "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></db:verify>";
    out.push_back(send_action(std::move(xml)));
    return;
  }
  const bool valid = keys_->verify(receiving, originating, element.id, element.text);
  xml += valid ? " type='valid'/>" : " type='invalid'/>";
  out.push_back(send_action(std::move(xml)));
  out.emplace_back(action::Verified{receiving, originating, element.id, valid});
}

void InboundSession::handle_stanza(Element& element, Actions& out) {
  if (!authenticated()) {
    fail(StreamError::kNotAuthorized, "unauthenticated-stanza", out);
    return;
  }
  if (element.from.empty() || element.to.empty()) {
    fail(StreamError::kImproperAddressing, "stanza-addressing", out);
    return;
  }
  const std::string from_domain = jid_domain_lower(element.from);
  const std::string to_domain = jid_domain_lower(element.to);
  if (!config_->is_local_domain(to_domain)) {
    fail(StreamError::kHostUnknown, "stanza-to-not-local", out);
    return;
  }
  if (!pair_authenticated(from_domain, to_domain)) {
    fail(StreamError::kInvalidFrom, "stanza-from-not-authenticated", out);
    return;
  }
  const Partner* partner = config_->find_partner(from_domain);
  if (partner == nullptr) {
    // Authenticated earlier but removed from the list by a reload.
    fail(StreamError::kPolicyViolation, "unknown-partner", out);
    return;
  }
  out.emplace_back(action::Deliver{partner->domain, std::move(element)});
}

}  // namespace edgekit::edgeproxy
