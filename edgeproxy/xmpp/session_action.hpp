#pragma once
// What the pure stream state machines ask their I/O shell to do. A state machine takes bytes or
// events and appends actions; the shell performs them in order.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgeproxy/xmpp/peer_certificate.hpp"
#include "edgeproxy/xmpp/stream_error.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

enum class ActionKind {
  kSend,           // write `data`
  kStartTls,       // flush, then run the TLS handshake; report with on_tls_established()
  kRequestVerify,  // dialback: ask the authoritative server of `domain` (receiving server is
                   // `local`) whether `key` for `stream_id` is valid; report with on_verify_result
  kAuthenticated,  // `domain` is now authenticated on this stream (`method`)
  kReady,          // outbound/component: the stream can carry stanzas (`method`)
  kVerified,       // outbound: the answer to a db:verify we sent (`domain`, `local`, `valid`)
  kIdle,           // outbound verify stream: no request outstanding; close it after a grace
  kWarning,        // log and count `reason` against the partner (`data` is a hint for admins)
  kDeliver,        // a stanza that passed the stream checks (`element`, partner `domain`)
  kClose,          // close the stream after the sends before it; `reason`, optional `error`
};

struct Action {
  ActionKind kind = ActionKind::kSend;
  std::string data;
  std::string domain;
  std::string local;
  std::string stream_id;
  std::string key;
  std::string method;  // kAuthenticated / kReady: sasl-external, dialback, ...
  // kAuthenticated / kReady: how the peer's certificate fared: "ok" (it authenticated the
  // peer), "none" (no TLS) or the reason code why not ("partner-cert-untrusted", ...).
  std::string certificate;
  std::string reason;
  std::optional<StreamError> error;
  bool valid = false;
  Element element;
};

using Actions = std::vector<Action>;

enum class VerifyOutcome { kValid, kInvalid, kRemoteServerNotFound, kRemoteServerTimeout };

inline Action send_action(std::string data) {
  Action action;
  action.kind = ActionKind::kSend;
  action.data = std::move(data);
  return action;
}

inline Action close_action(std::string reason, std::optional<StreamError> error = std::nullopt) {
  Action action;
  action.kind = ActionKind::kClose;
  action.reason = std::move(reason);
  action.error = error;
  return action;
}

// The peer sent <stream:error/>: answer with our closing tag and close. The reason is `prefix`
// and the condition, e.g. "peer-stream-error:host-unknown", for logs and metrics.
inline void close_on_peer_stream_error(const Element& error, std::string prefix, Actions& out) {
  if (!error.children.empty()) {
    prefix += ':';
    prefix += known_condition(error.children.front().name);
  }
  out.push_back(send_action("</stream:stream>"));
  out.push_back(close_action(std::move(prefix)));
}

}  // namespace edgekit::edgeproxy
