#pragma once
// The TLS side of the edge: a server context (STARTTLS and XEP-0368 direct TLS, ALPN
// "xmpp-server") and a client context (outbound, presenting the same certificate for SASL
// EXTERNAL), both TLS 1.2+, built from the store's identity.json. Peer certificates are
// requested and checked against federation.ca_file (or the system roots) but never fail the
// handshake: the partner policy decides what an unverified peer may do.
//
// Both contexts validate the peer as a *server* certificate (serverAuth, or no EKU at all):
// every S2S peer is a server, and public CAs stopped issuing clientAuth in 2026. OpenSSL's
// default on the accepting side is the client purpose, which would refuse nearly every partner;
// federation.strict_client_purpose restores it for admins who want it.

#include <cstdint>
#include <memory>
#include <string>

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/openssl_ptr.hpp"
#include "edgeproxy/net/asio.hpp"
#include "edgeproxy/xmpp/session_action.hpp"

namespace edgekit::edgeproxy {

struct TlsContexts {
  asio::ssl::context server{asio::ssl::context::tls_server};
  asio::ssl::context client{asio::ssl::context::tls_client};
  std::string thumbprint;  // of the loaded certificate, for logs
  // Our certificate carries clientAuth (or no EKU): strict peers accept it for SASL EXTERNAL.
  bool client_auth = true;
};

// Loads identity.json from the store named by the config; Error when absent or unusable.
Result<std::shared_ptr<TlsContexts>> load_tls_contexts(const Config& config,
                                                       const std::string& store_root);

// Requests the peer's certificate on `ctx` and validates it with the TLS server purpose, or
// with the client purpose where `client_purpose` (federation.strict_client_purpose on the
// accepting side). The handshake never fails on it: the verdict goes to the cores.
void verify_peers(SSL_CTX* ctx, bool client_purpose = false);
// Makes the handshake of `ssl` record every chain problem it meets in *errors (a bit set the
// caller owns, which must outlive the handshake): OpenSSL keeps only the last one, and the
// cores need the most fundamental one for the reason code.
void track_chain_errors(SSL* ssl, std::uint32_t* errors);
// What the handshake learnt about the peer certificate, as the cores' CertificateCheck.
CertificateCheck peer_certificate_check(SSL* ssl);
// "TLSv1.3" etc.
std::string tls_version(SSL* ssl);

}  // namespace edgekit::edgeproxy
