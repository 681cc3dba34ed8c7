#pragma once
// RFC 6120 stream error conditions (§4.9.3) and stanza error conditions (§8.3.3), with the
// XML each one is sent as. Reason codes in logs are these names, or a more precise code given
// by the caller.

#include <string>
#include <string_view>

namespace edgekit::edgeproxy {

enum class StreamError {
  kBadFormat,
  kBadNamespacePrefix,
  kConflict,
  kConnectionTimeout,
  kHostUnknown,
  kImproperAddressing,
  kInternalServerError,
  kInvalidFrom,
  kInvalidNamespace,
  kNotAuthorized,
  kNotWellFormed,
  kPolicyViolation,
  kRemoteConnectionFailed,
  kResourceConstraint,
  kRestrictedXml,
  kSystemShutdown,
  kUndefinedCondition,
  kUnsupportedEncoding,
  kUnsupportedFeature,
  kUnsupportedStanzaType,
  kUnsupportedVersion,
};

enum class StanzaError {
  kBadRequest,
  kFeatureNotImplemented,
  kForbidden,
  kInternalServerError,
  kItemNotFound,
  kNotAllowed,
  kNotAuthorized,
  kPolicyViolation,
  kRemoteServerNotFound,
  kRemoteServerTimeout,
  kServiceUnavailable,
};

std::string_view to_string(StreamError condition) noexcept;
std::string_view to_string(StanzaError condition) noexcept;
// "cancel", "wait", "modify", "auth" per RFC 6120 §8.3.3.
std::string_view error_type(StanzaError condition) noexcept;

// A condition name a peer sent, when RFC 6120 defines it as a stream (§4.9.3) or stanza
// (§8.3.3) error condition; "undefined-condition" otherwise. Reason codes that quote a peer's
// condition pass it through here, so a peer cannot mint reason codes (or metric series).
std::string_view known_condition(std::string_view name) noexcept;

// `<stream:error><COND xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>`.
std::string stream_error_xml(StreamError condition);

// A whole stream that only refuses: our header, the error with `text` for the peer's admin,
// and the close. For a refusal at accept, before the peer's header has been read (RFC 6120
// §4.9.1.1: the opening tag is sent even when the error comes first).
std::string refusal_stream_xml(StreamError condition, std::string_view text);

}  // namespace edgekit::edgeproxy
