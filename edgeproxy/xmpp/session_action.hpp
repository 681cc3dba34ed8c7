#pragma once
// What the pure stream state machines ask their I/O shell to do. A state machine takes bytes or
// events and appends actions; the shell performs them in order.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/overloaded.hpp"
#include "edgeproxy/xmpp/peer_certificate.hpp"
#include "edgeproxy/xmpp/stream_error.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

namespace action {

struct Send {  // write `data`
  std::string data;
};
struct StartTls {};  // flush, then run the TLS handshake; the shell reports with on_tls()

// Dialback: ask the authoritative server of `domain` (the receiving server is `local`) whether
// `key` for `stream_id` is valid; the shell reports with on_verify_result().
struct RequestVerify {
  std::string domain;
  std::string local;
  std::string stream_id;
  std::string key;
};

// How a stream came to be trusted, for the log line and the metrics of both kinds below.
struct StreamTrust {
  std::string domain;
  std::string local;
  std::string method;  // sasl-external, dialback, component, ...
  // How the peer's certificate fared: "ok" (it authenticated the peer), "none" (no TLS) or
  // the reason code why not ("partner-cert-untrusted", ...).
  std::string certificate;
};
struct Authenticated : StreamTrust {};  // inbound: `domain` is now authenticated here
struct Ready : StreamTrust {};          // outbound/component: the stream can carry stanzas

// A db:verify answer: outbound, the answer to one we sent; inbound, the one we gave.
struct Verified {
  std::string domain;
  std::string local;
  std::string stream_id;
  bool valid = false;
};
struct Idle {};  // outbound verify stream: no request outstanding; close it after a grace

struct Warning {  // log and count `reason` against the partner
  std::string reason;
  std::string hint;  // for admins
};

struct Deliver {  // a stanza that passed the stream checks, from or for partner `domain`
  std::string domain;
  Element element;
};

struct Close {  // close the stream after the sends before it
  std::string reason;
  std::optional<StreamError> error;
};

}  // namespace action

// One alternative per kind: a shell handles them with std::visit, so a kind it forgets to
// handle does not compile.
using Action = std::variant<action::Send, action::StartTls, action::RequestVerify,
                            action::Authenticated, action::Ready, action::Verified, action::Idle,
                            action::Warning, action::Deliver, action::Close>;

using Actions = std::vector<Action>;

enum class VerifyOutcome { kValid, kInvalid, kRemoteServerNotFound, kRemoteServerTimeout };

inline Action send_action(std::string data) {
  return action::Send{std::move(data)};
}

inline Action close_action(std::string reason, std::optional<StreamError> error = std::nullopt) {
  return action::Close{std::move(reason), error};
}

// The peer sent <stream:error/>: answer with our closing tag and close. The reason is `prefix`
// and the condition, e.g. "peer-stream-error:host-unknown", for logs and metrics: the first
// direct child in the stream-errors namespace other than <text/> (else the first child), and
// only as one of RFC 6120's names.
inline void close_on_peer_stream_error(const Element& error, std::string prefix, Actions& out) {
  const ChildElement* condition = nullptr;
  for (const auto& child : error.children) {
    if (child.depth == 1 && child.ns == kNsStreamErrors && child.name != "text") {
      condition = &child;
      break;
    }
  }
  if (condition == nullptr && !error.children.empty()) {
    condition = &error.children.front();
  }
  if (condition != nullptr) {
    prefix += ':';
    prefix += known_condition(condition->name);
  }
  out.push_back(send_action("</stream:stream>"));
  out.push_back(close_action(std::move(prefix)));
}

}  // namespace edgekit::edgeproxy
