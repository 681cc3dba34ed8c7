#include "edgeproxy/xmpp/stream_error.hpp"

#include <algorithm>
#include <array>

namespace edgekit::edgeproxy {

std::string_view to_string(StreamError condition) noexcept {
  switch (condition) {
    case StreamError::kBadFormat: return "bad-format";
    case StreamError::kBadNamespacePrefix: return "bad-namespace-prefix";
    case StreamError::kConflict: return "conflict";
    case StreamError::kConnectionTimeout: return "connection-timeout";
    case StreamError::kHostUnknown: return "host-unknown";
    case StreamError::kImproperAddressing: return "improper-addressing";
    case StreamError::kInternalServerError: return "internal-server-error";
    case StreamError::kInvalidFrom: return "invalid-from";
    case StreamError::kInvalidNamespace: return "invalid-namespace";
    case StreamError::kNotAuthorized: return "not-authorized";
    case StreamError::kNotWellFormed: return "not-well-formed";
    case StreamError::kPolicyViolation: return "policy-violation";
    case StreamError::kRemoteConnectionFailed: return "remote-connection-failed";
    case StreamError::kResourceConstraint: return "resource-constraint";
    case StreamError::kRestrictedXml: return "restricted-xml";
    case StreamError::kSystemShutdown: return "system-shutdown";
    case StreamError::kUndefinedCondition: return "undefined-condition";
    case StreamError::kUnsupportedEncoding: return "unsupported-encoding";
    case StreamError::kUnsupportedFeature: return "unsupported-feature";
    case StreamError::kUnsupportedStanzaType: return "unsupported-stanza-type";
    case StreamError::kUnsupportedVersion: return "unsupported-version";
  }
  return "undefined-condition";
}

std::string_view to_string(StanzaError condition) noexcept {
  switch (condition) {
    case StanzaError::kBadRequest: return "bad-request";
    case StanzaError::kFeatureNotImplemented: return "feature-not-implemented";
    case StanzaError::kForbidden: return "forbidden";
    case StanzaError::kInternalServerError: return "internal-server-error";
    case StanzaError::kItemNotFound: return "item-not-found";
    case StanzaError::kNotAllowed: return "not-allowed";
    case StanzaError::kNotAuthorized: return "not-authorized";
    case StanzaError::kPolicyViolation: return "policy-violation";
    case StanzaError::kRemoteServerNotFound: return "remote-server-not-found";
    case StanzaError::kRemoteServerTimeout: return "remote-server-timeout";
    case StanzaError::kServiceUnavailable: return "service-unavailable";
  }
  return "undefined-condition";
}

std::string_view error_type(StanzaError condition) noexcept {
  switch (condition) {
    case StanzaError::kBadRequest:
    case StanzaError::kPolicyViolation: return "modify";
    case StanzaError::kForbidden:
    case StanzaError::kNotAuthorized: return "auth";
    case StanzaError::kInternalServerError:
    case StanzaError::kRemoteServerTimeout: return "wait";
    case StanzaError::kFeatureNotImplemented:
    case StanzaError::kItemNotFound:
    case StanzaError::kNotAllowed:
    case StanzaError::kRemoteServerNotFound:
    case StanzaError::kServiceUnavailable: return "cancel";
  }
  return "cancel";
}

std::string_view known_condition(std::string_view name) noexcept {
  // Both lists of RFC 6120 (streams §4.9.3, stanzas §8.3.3), merged.
  static constexpr std::array<std::string_view, 41> kConditions = {
      "bad-format",
      "bad-namespace-prefix",
      "bad-request",
      "conflict",
      "connection-timeout",
      "feature-not-implemented",
      "forbidden",
      "gone",
      "host-gone",
      "host-unknown",
      "improper-addressing",
      "internal-server-error",
      "invalid-from",
      "invalid-namespace",
      "invalid-xml",
      "item-not-found",
      "jid-malformed",
      "not-acceptable",
      "not-allowed",
      "not-authorized",
      "not-well-formed",
      "policy-violation",
      "recipient-unavailable",
      "redirect",
      "registration-required",
      "remote-connection-failed",
      "remote-server-not-found",
      "remote-server-timeout",
      "reset",
      "resource-constraint",
      "restricted-xml",
      "see-other-host",
      "service-unavailable",
      "subscription-required",
      "system-shutdown",
      "undefined-condition",
      "unexpected-request",
      "unsupported-encoding",
      "unsupported-feature",
      "unsupported-stanza-type",
      "unsupported-version",
  };
  const bool known = std::find(kConditions.begin(), kConditions.end(), name) != kConditions.end();
  return known ? name : std::string_view("undefined-condition");
}

std::string stream_error_xml(StreamError condition) {
  std::string xml = "<stream:error><";
  xml += to_string(condition);
  xml += " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>";
  return xml;
}

std::string refusal_stream_xml(StreamError condition, std::string_view text) {
  std::string xml =
      "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
      "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><stream:error><";
  xml += to_string(condition);
  xml +=
      " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text "
      "xmlns='urn:ietf:params:xml:ns:xmpp-streams'>";
  xml += text;  // our own text, no markup
  xml += "</text></stream:error></stream:stream>";
  return xml;
}

}  // namespace edgekit::edgeproxy
