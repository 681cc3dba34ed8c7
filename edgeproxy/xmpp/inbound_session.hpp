#pragma once
// The inbound S2S stream (a partner connected to us), as a pure state machine: bytes and TLS /
// dialback results in, actions out. It offers what the partner's policy allows (STARTTLS
// required/optional/absent, SASL EXTERNAL per XEP-0178, dialback per XEP-0220 with <errors/>),
// authenticates domains (several per stream: multiplexing), answers db:verify for keys this
// edge issued (the authoritative role) and admits a stanza only when its `from` domain is
// authenticated on this stream and its `to` is local.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config.hpp"
#include "edgeproxy/xmpp/dialback_key.hpp"
#include "edgeproxy/xmpp/session_action.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

// SASL EXTERNAL is mandatory for this partner (and possible: its policy allows TLS).
bool sasl_required(const Partner& partner) noexcept;

struct InboundOptions {
  bool tls_available = false;  // we have a certificate to offer STARTTLS with
  bool direct_tls = false;     // XEP-0368: the stream is already inside TLS
  std::string stream_id;       // the id we announce (random in production)
  // Bytes before authentication; 0: the configuration's federation.preauth_max_bytes (the
  // fuzz targets raise it to explore further).
  std::size_t preauth_bytes = 0;
};

class InboundSession {
 public:
  InboundSession(std::shared_ptr<const Config> config, std::shared_ptr<const DialbackKeys> keys,
                 InboundOptions options, CertificateCheck certificate = {});

  void on_bytes(std::string_view bytes, Actions& out);
  void on_tls_established(CertificateCheck certificate, Actions& out);
  void on_verify_result(std::string_view originating, std::string_view receiving,
                        VerifyOutcome outcome, Actions& out);
  // The shell's deadline fired: establishment or inactivity timeout.
  void on_timeout(std::string_view reason, Actions& out);
  // SIGTERM: close cleanly.
  void on_shutdown(Actions& out);
  // The shell refuses the stream (e.g. a per-partner connection limit).
  void refuse(StreamError condition, std::string reason, Actions& out) {
    fail(condition, std::move(reason), out);
  }
  void update_config(std::shared_ptr<const Config> config) { config_ = std::move(config); }

  [[nodiscard]] bool authenticated() const noexcept {
    return !sasl_domain_.empty() || !pairs_.empty();
  }
  [[nodiscard]] bool secured() const noexcept { return secured_; }
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  // The primary partner domain the stream authenticated first ("" before that).
  [[nodiscard]] const std::string& partner() const noexcept { return partner_; }
  [[nodiscard]] const std::string& stream_id() const noexcept { return options_.stream_id; }

 private:
  void handle_header(const StreamHeader& header, Actions& out);
  void handle_element(Element& element, Actions& out);
  void handle_starttls(Actions& out);
  void handle_sasl(const Element& element, Actions& out);
  void handle_db_result(const Element& element, Actions& out);
  void handle_db_verify(const Element& element, Actions& out);
  void handle_stanza(Element& element, Actions& out);
  void send_header(Actions& out);
  [[nodiscard]] std::string features() const;
  [[nodiscard]] bool dialback_allowed(const Partner* partner) const;
  [[nodiscard]] bool pair_authenticated(std::string_view originating,
                                        std::string_view receiving) const;
  void mark_authenticated(const std::string& domain, std::string_view method, Actions& out);
  void fail(StreamError condition, std::string reason, Actions& out);

  std::shared_ptr<const Config> config_;
  std::shared_ptr<const DialbackKeys> keys_;
  InboundOptions options_;
  CertificateCheck certificate_;
  XmlFramer framer_;
  bool header_sent_ = false;
  bool secured_ = false;
  bool closed_ = false;
  bool tls_pending_ = false;
  bool features_version_ = false;  // the peer announced version 1.0
  std::string local_domain_;       // the `to` of the stream header
  std::string header_from_;        // normalised `from` of the header ("" when absent)
  std::string sasl_domain_;
  std::string partner_;
  std::vector<std::pair<std::string, std::string>> pairs_;    // (originating, receiving)
  std::vector<std::pair<std::string, std::string>> pending_;  // dialback in progress
};

}  // namespace edgekit::edgeproxy
