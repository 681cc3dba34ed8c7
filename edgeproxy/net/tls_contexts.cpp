#include "edgeproxy/net/tls_contexts.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cstring>

#include "common/identity.hpp"
#include "common/store.hpp"
#include "common/x509.hpp"

namespace edgekit::edgeproxy {
namespace {

constexpr unsigned char kAlpnXmppServer[] = {11,  'x', 'm', 'p', 'p', '-',
                                             's', 'e', 'r', 'v', 'e', 'r'};

int chain_errors_index() {
  // SSL_get_ex_new_index is a macro with an old-style cast: call what it expands to.
  static const int index =
      CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

ChainStatus chain_status_of(int verify_error) {
  switch (verify_error) {
    case X509_V_OK: return ChainStatus::kTrusted;
    case X509_V_ERR_CERT_HAS_EXPIRED: return ChainStatus::kExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID: return ChainStatus::kNotYetValid;
    case X509_V_ERR_INVALID_PURPOSE: return ChainStatus::kWrongPurpose;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED: return ChainStatus::kUntrusted;
    default: return ChainStatus::kBad;
  }
}

std::uint32_t bit(ChainStatus status) {
  return std::uint32_t{1} << static_cast<unsigned>(status);
}

// The handshake goes on whatever the chain: the verdict is collected here and judged by the
// partner policy once the stream knows which domain the peer must prove.
int record_chain_error(int preverify, X509_STORE_CTX* ctx) {
  if (preverify == 0) {
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* errors = ssl == nullptr
                       ? nullptr
                       : static_cast<std::uint32_t*>(SSL_get_ex_data(ssl, chain_errors_index()));
    if (errors != nullptr) {
      *errors |= bit(chain_status_of(X509_STORE_CTX_get_error(ctx)));
    }
  }
  return 1;
}

int select_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                const unsigned char* in, unsigned int inlen, void* /*arg*/) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kAlpnXmppServer, sizeof(kAlpnXmppServer), in,
                            inlen) == OPENSSL_NPN_NEGOTIATED) {
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

Result<void> configure(SSL_CTX* ctx, const std::filesystem::path& cert,
                       const std::filesystem::path& chain, const std::filesystem::path& key,
                       const Config& config) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_file(ctx, cert.c_str(), SSL_FILETYPE_PEM) != 1) {
    return make_error(GeneralErrc::kIo, cert.string(),
                      "cannot load the certificate: " + ossl::last_error_string());
  }
  if (!chain.empty() && std::filesystem::exists(chain)) {
    auto certificates = x509::load_certificates(chain);
    if (certificates) {
      for (auto& extra : certificates.value()) {
        if (SSL_CTX_add1_chain_cert(ctx, extra.get()) != 1) {
          return make_error(GeneralErrc::kIo, chain.string(), "cannot add the chain");
        }
      }
    }
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return make_error(GeneralErrc::kIo, key.string(),
                      "cannot load the private key or it does not match the certificate");
  }
  const std::string ca_file = config.federation.ca_file.empty()
                                  ? std::string()
                                  : config.resolve_path(config.federation.ca_file).string();
  if (!ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
      return make_error(GeneralErrc::kIo, ca_file, "cannot load federation.ca_file");
    }
  } else {
    SSL_CTX_set_default_verify_paths(ctx);
  }
  verify_peers(ctx);
  return ok();
}

}  // namespace

Result<std::shared_ptr<TlsContexts>> load_tls_contexts(const Config& config,
                                                       const std::string& store_root) {
  auto store = Store::open(store_root, false);
  if (!store) {
    return store.error();
  }
  auto identity = read_identity(store.value());
  if (!identity) {
    return identity.error();
  }
  auto cert = store.value().resolve(identity.value().certificate);
  auto key = store.value().resolve(identity.value().key);
  if (!cert || !key) {
    return make_error(GeneralErrc::kUsage, "identity.json", "bad certificate or key path");
  }
  std::filesystem::path chain;
  if (!identity.value().chain.empty()) {
    auto resolved = store.value().resolve(identity.value().chain);
    if (resolved) {
      chain = resolved.value();
    }
  }
  auto contexts = std::make_shared<TlsContexts>();
  for (SSL_CTX* ctx : {contexts->server.native_handle(), contexts->client.native_handle()}) {
    auto configured = configure(ctx, cert.value(), chain, key.value(), config);
    if (!configured) {
      return configured.error();
    }
  }
  SSL_CTX* server = contexts->server.native_handle();
  // Peers are servers: validate them as such on both sides (see the header).
  verify_peers(server, config.federation.strict_client_purpose);
  if (X509* ours = SSL_CTX_get0_certificate(server); ours != nullptr) {
    contexts->client_auth = x509::inspect(ours).client_auth;
  }
  SSL_CTX_set_alpn_select_cb(server, &select_alpn, nullptr);
  // No session tickets or server-side session cache: a federation stream lives for hours, so
  // resumption would rarely save a handshake, while issuing tickets costs every handshake a
  // session copy, which OpenSSL 3.0 makes by re-encoding the session and re-parsing the
  // peer's certificate (callgrind: ~24 % of the edge's CPU per TLS + SASL EXTERNAL stream).
  SSL_CTX_set_num_tickets(server, 0);
  SSL_CTX_set_options(server, SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(server, SSL_SESS_CACHE_OFF);
  contexts->thumbprint = identity.value().thumbprint;
  return contexts;
}

void verify_peers(SSL_CTX* ctx, bool client_purpose) {
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &record_chain_error);
  SSL_CTX_set_purpose(ctx, client_purpose ? X509_PURPOSE_SSL_CLIENT : X509_PURPOSE_SSL_SERVER);
}

void track_chain_errors(SSL* ssl, std::uint32_t* errors) {
  SSL_set_ex_data(ssl, chain_errors_index(), errors);
}

CertificateCheck peer_certificate_check(SSL* ssl) {
  ossl::X509Ptr peer(SSL_get1_peer_certificate(ssl));
  if (!peer) {
    return {};
  }
  const auto* tracked =
      static_cast<const std::uint32_t*>(SSL_get_ex_data(ssl, chain_errors_index()));
  std::uint32_t errors = tracked != nullptr ? *tracked : 0;
  if (errors == 0 && SSL_get_verify_result(ssl) != X509_V_OK) {
    errors = bit(chain_status_of(static_cast<int>(SSL_get_verify_result(ssl))));
  }
  // The most fundamental problem names the reason: a self-signed certificate that has also
  // expired is untrusted first.
  ChainStatus status = ChainStatus::kTrusted;
  for (ChainStatus candidate :
       {ChainStatus::kUntrusted, ChainStatus::kBad, ChainStatus::kWrongPurpose,
        ChainStatus::kExpired, ChainStatus::kNotYetValid}) {
    if ((errors & bit(candidate)) != 0) {
      status = candidate;
      break;
    }
  }
  // Inspected once: a stream asks about its names several times (features, SASL, dialback).
  auto info = std::make_shared<const x509::CertificateInfo>(x509::inspect(peer.get()));
  return CertificateCheck{
      status, [info](std::string_view domain) { return x509::matches_xmpp_domain(*info, domain); }};
}

std::string tls_version(SSL* ssl) {
  return SSL_get_version(ssl);
}

}  // namespace edgekit::edgeproxy
