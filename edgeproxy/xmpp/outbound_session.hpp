#pragma once
// The outbound S2S stream (we connect to a partner), as a strict pure state machine. It
// negotiates what the partner's policy allows: STARTTLS (required/optional/not-supported), a
// check of the partner's certificate for the partner domain, then SASL EXTERNAL with our
// certificate, else Server Dialback with an XEP-0185 key.
//
// Every element the peer sends is legal only in the state that asked for it: features after a
// header, <proceed/> after our <starttls/>, <success/> or <failure/> after our <auth/>,
// db:result after ours. Anything else closes the stream with a reason code, so a peer cannot
// skip a step (an unsolicited <db:result type='valid'/> or <success/> authenticates nothing).
//
// A stream opened for the receiving role's db:verify requests (kVerify) sends them once the
// stream is usable, without authenticating itself. Each answer must match a request sent on
// this stream and still outstanding, from the domain this stream was opened to; anything else
// is a forged or confused answer and closes the stream (dialback-answer-unbound). Once no
// request is outstanding the stream asks its shell to idle-close it (kIdle).

#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "common/config.hpp"
#include "edgeproxy/xmpp/dialback_key.hpp"
#include "edgeproxy/xmpp/session_action.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

enum class OutboundPurpose { kStanzas, kVerify };

struct OutboundOptions {
  std::string local;   // our originating domain
  std::string remote;  // the partner domain
  Partner policy;      // a copy: a reload does not change a stream being negotiated
  OutboundPurpose purpose = OutboundPurpose::kStanzas;
  bool tls_available = false;  // we have a certificate (also our SASL EXTERNAL identity)
  // XEP-0368 connection: the shell runs the TLS handshake first and reports it with
  // on_tls_established(), which sends the stream header.
  bool direct_tls = false;
  std::size_t max_stanza_bytes = 262'144;
  // Our certificate carries the clientAuth EKU. Without it strict peers refuse it for SASL
  // EXTERNAL; the hint in the log says so.
  bool our_certificate_client_auth = true;
  std::size_t max_stanza_elements = 4'096;
};

struct VerifyRequest {
  std::string originating;  // the partner domain that sent db:result to us
  std::string receiving;    // our domain
  std::string stream_id;
  std::string key;
};

class OutboundSession {
 public:
  enum class State {
    kConnecting,           // before on_connected (or the direct TLS handshake)
    kAwaitHeader,          // our header is sent
    kAwaitFeatures,        // the peer's header arrived (version 1.0)
    kAwaitProceed,         // we sent <starttls/>
    kTlsHandshake,         // the shell runs the handshake
    kAwaitSaslResult,      // we sent <auth mechanism='EXTERNAL'/>
    kAwaitDialbackResult,  // we sent <db:result/>
    kReady,                // stanzas may flow (kVerify: requests may be sent)
    kClosed,
  };

  OutboundSession(OutboundOptions options, std::shared_ptr<const DialbackKeys> keys);

  // The TCP connection is up: sends the stream header (direct TLS: waits for the handshake).
  void on_connected(Actions& out);
  void on_bytes(std::string_view bytes, Actions& out);
  void on_tls_established(const CertificateCheck& certificate, Actions& out);
  void on_timeout(std::string_view reason, Actions& out);
  void on_shutdown(Actions& out);
  // The shell's idle grace after kIdle ran out: a verify stream with nothing outstanding
  // closes cleanly (no stream error).
  void on_idle(Actions& out);
  // Queue (or send at once) a db:verify for the receiving role.
  void request_verify(VerifyRequest request, Actions& out);

  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] bool ready() const noexcept { return state_ == State::kReady; }
  [[nodiscard]] bool closed() const noexcept { return state_ == State::kClosed; }
  [[nodiscard]] bool secured() const noexcept { return secured_; }
  [[nodiscard]] const OutboundOptions& options() const noexcept { return options_; }
  [[nodiscard]] const std::string& stream_id() const noexcept { return stream_id_; }
  [[nodiscard]] std::size_t outstanding_verifies() const noexcept {
    return sent_verifies_.size() + queued_verifies_.size();
  }

 private:
  void send_header(Actions& out);
  void handle_header(const StreamHeader& header, Actions& out);
  void handle_element(const Element& element, Actions& out);
  void handle_features(const Element& features, Actions& out);
  void handle_proceed(const Element& element, Actions& out);
  void handle_sasl_result(const Element& element, Actions& out);
  void handle_dialback_result(const Element& element, Actions& out);
  void handle_verify_answer(const Element& element, Actions& out);
  void refuse_unexpected(const Element& element, Actions& out);
  void after_sasl_refused(Actions& out);
  void start_dialback(Actions& out);
  void flush_verifies(Actions& out);
  void become_ready(std::string_view method, Actions& out);
  void fail(std::string reason, Actions& out, std::optional<StreamError> error = std::nullopt);
  // Dialback may authenticate a stream whose certificate did not (policy: dialback = true and
  // verify_certificate = false, and SASL EXTERNAL not required).
  [[nodiscard]] bool dialback_may_replace_certificate() const noexcept;

  OutboundOptions options_;
  std::shared_ptr<const DialbackKeys> keys_;
  XmlFramer framer_;
  State state_ = State::kConnecting;
  std::string certificate_problem_;  // "" when TLS authenticated the peer (or no TLS yet)
  std::string stream_id_;
  bool secured_ = false;
  bool sasl_succeeded_ = false;    // the restart after <success/> leads to kReady
  bool our_cert_refused_ = false;  // the peer refused SASL EXTERNAL with our certificate
  bool dialback_offered_ = false;  // features or the header's xmlns:db
  std::deque<VerifyRequest> queued_verifies_;  // waiting for the stream to become usable
  std::deque<VerifyRequest> sent_verifies_;    // sent, answer outstanding
};

// The reason code for a partner that did not accept our certificate, and the hint for admins.
inline constexpr std::string_view kPartnerRejectedOurCertificate =
    "partner-rejected-our-certificate";

}  // namespace edgekit::edgeproxy
