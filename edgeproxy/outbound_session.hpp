#pragma once
// The outbound S2S stream (we connect to a partner), as a pure state machine. It negotiates
// what the partner's policy allows: STARTTLS (required/optional/not-supported), then SASL
// EXTERNAL with our certificate, else Server Dialback with an XEP-0185 key. A stream opened for
// the receiving role's db:verify requests (kVerify) sends them as soon as the stream is usable,
// without authenticating itself.

#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "common/config.hpp"
#include "edgeproxy/dialback_key.hpp"
#include "edgeproxy/session_action.hpp"
#include "edgeproxy/xml_framer.hpp"

namespace edgekit::edgeproxy {

enum class OutboundPurpose { kStanzas, kVerify };

struct OutboundOptions {
  std::string local;   // our originating domain
  std::string remote;  // the partner domain
  Partner policy;      // a copy: a reload does not change a stream being negotiated
  OutboundPurpose purpose = OutboundPurpose::kStanzas;
  bool tls_available = false;  // we have a certificate (also our SASL EXTERNAL identity)
  bool direct_tls = false;     // XEP-0368 connection: already inside TLS
  std::size_t max_stanza_bytes = 262'144;
};

struct VerifyRequest {
  std::string originating;  // the partner domain that sent db:result to us
  std::string receiving;    // our domain
  std::string stream_id;
  std::string key;
};

class OutboundSession {
 public:
  OutboundSession(OutboundOptions options, std::shared_ptr<const DialbackKeys> keys);

  // The TCP (or direct TLS) connection is up: sends the stream header.
  void on_connected(Actions& out);
  void on_bytes(std::string_view bytes, Actions& out);
  void on_tls_established(CertificateCheck certificate, Actions& out);
  void on_timeout(std::string_view reason, Actions& out);
  void on_shutdown(Actions& out);
  // Queue (or send at once) a db:verify for the receiving role.
  void request_verify(VerifyRequest request, Actions& out);

  [[nodiscard]] bool ready() const noexcept { return ready_; }
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] bool secured() const noexcept { return secured_; }
  [[nodiscard]] const OutboundOptions& options() const noexcept { return options_; }
  [[nodiscard]] const std::string& stream_id() const noexcept { return stream_id_; }

 private:
  void send_header(Actions& out);
  void handle_features(const Element& features, Actions& out);
  void handle_element(const Element& element, Actions& out);
  void start_dialback(Actions& out);
  void flush_verifies(Actions& out);
  void become_ready(std::string_view method, Actions& out);
  void fail(std::string reason, Actions& out, std::optional<StreamError> error = std::nullopt);

  OutboundOptions options_;
  std::shared_ptr<const DialbackKeys> keys_;
  XmlFramer framer_;
  CertificateCheck certificate_;
  std::string stream_id_;
  bool secured_ = false;
  bool sasl_done_ = false;
  bool sasl_tried_ = false;
  bool dialback_offered_ = false;  // features or the header's xmlns:db
  bool dialback_sent_ = false;
  bool can_verify_ = false;  // the stream is far enough to carry db:verify
  bool ready_ = false;
  bool closed_ = false;
  bool tls_pending_ = false;
  std::deque<VerifyRequest> verifies_;
};

}  // namespace edgekit::edgeproxy
