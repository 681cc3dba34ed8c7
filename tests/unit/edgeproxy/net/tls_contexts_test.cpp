// Peer certificate verification as the edge runs it, over real TLS handshakes on loopback: the
// server purpose on both sides (a serverAuth-only partner certificate authenticates, as public
// CAs issue them since 2026), the strict client purpose on request, and the reason code each
// chain problem turns into.

#include "edgeproxy/net/tls_contexts.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509err.h>

#include <chrono>
#include <optional>

#include "edgeproxy/net/socket_transport.hpp"
#include "tests/support/test_pki.hpp"

namespace edgekit::edgeproxy {
namespace {

using boost::system::error_code;

struct Verdicts {
  CertificateCheck seen_by_server;  // the partner's certificate, as our accepting side saw it
  CertificateCheck seen_by_client;  // the receiving server's certificate, as our initiator saw it
  error_code server_handshake;
  error_code client_handshake;
  std::string server_read;  // what the server read after the handshake (the client sends "x")
  error_code server_read_error;
};

// The same certificate with a signature that no longer parses (its DER length spoiled), so the
// verification leaves entries on OpenSSL's error queue as a spoiled certificate does in the lab.
testing::Issued with_bad_signature(const testing::Issued& good) {
  testing::Issued bad{testing::copy_of(good.cert.get()), {}};
  const ASN1_BIT_STRING* signature = nullptr;
  X509_get0_signature(&signature, nullptr, bad.cert.get());
  // The signature is not part of the cached to-be-signed encoding: flipping it re-encodes.
  auto* bytes = const_cast<ASN1_BIT_STRING*>(signature)->data;
  bytes[1] = static_cast<unsigned char>(bytes[1] ^ 0x01U);
  EVP_PKEY_up_ref(good.key.get());
  bad.key.reset(good.key.get());
  return bad;
}

class TlsVerifyTest : public ::testing::Test {
 protected:
  // A context presenting `identity` (nullptr: none), trusting the test PKI's root.
  void prepare(asio::ssl::context& context, const testing::Issued* identity, bool client_purpose) {
    SSL_CTX* ctx = context.native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (identity != nullptr) {
      ASSERT_EQ(SSL_CTX_use_certificate(ctx, identity->cert.get()), 1);
      ASSERT_EQ(SSL_CTX_use_PrivateKey(ctx, identity->key.get()), 1);
      ASSERT_EQ(SSL_CTX_add1_chain_cert(ctx, pki_.intermediate().cert.get()), 1);
    }
    ASSERT_EQ(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), pki_.root().cert.get()), 1);
    verify_peers(ctx, client_purpose);
  }

  // The partner connects to our edge with `partner` (nullptr: no client certificate); our edge
  // presents `edge`.
  Verdicts handshake(const testing::Issued* partner, const testing::Issued& edge,
                     bool strict_client_purpose = false, bool stale_error = false) {
    asio::ssl::context server_context{asio::ssl::context::tls_server};
    asio::ssl::context client_context{asio::ssl::context::tls_client};
    prepare(server_context, &edge, strict_client_purpose);
    prepare(client_context, partner, false);
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket client_socket(io_);
    client_socket.connect(acceptor.local_endpoint());
    SocketTransport server(acceptor.accept());
    SocketTransport client(std::move(client_socket));
    Verdicts verdicts;
    asio::co_spawn(
        io_,
        [&]() -> awaitable<void> {
          co_await server.start_tls(server_context, true, {}, verdicts.server_handshake);
          verdicts.seen_by_server = peer_certificate_check(server.ssl());
          if (stale_error) {
            // What a forgiven chain error (or any earlier OpenSSL failure on this thread)
            // leaves behind on the error queue.
            ERR_raise(ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE);
          }
          std::string buffer(16, '\0');
          for (int attempt = 0; attempt < 100 && verdicts.server_read.empty(); ++attempt) {
            error_code ec;
            const std::size_t n = server.read_now(asio::buffer(buffer), ec);
            if (ec == asio::error::would_block) {
              co_await server.wait_readable(ec);
              continue;
            }
            if (ec) {
              verdicts.server_read_error = ec;
              break;
            }
            verdicts.server_read.assign(buffer, 0, n);
          }
        },
        asio::detached);
    asio::co_spawn(
        io_,
        [&]() -> awaitable<void> {
          co_await client.start_tls(client_context, false, "partner.example",
                                    verdicts.client_handshake);
          verdicts.seen_by_client = peer_certificate_check(client.ssl());
          // TLS 1.3: the server reads the client's certificate after the client finished. The
          // pause makes the server's first read find nothing yet (WANT_READ).
          asio::steady_timer pause(io_, std::chrono::milliseconds(50));
          co_await pause.async_wait(use_awaitable);
          std::string byte = "x";
          error_code ignored;
          co_await client.write(asio::buffer(byte), ignored);
        },
        asio::detached);
    io_.run_for(std::chrono::seconds(20));
    io_.restart();
    EXPECT_FALSE(verdicts.server_handshake) << verdicts.server_handshake.message();
    EXPECT_FALSE(verdicts.client_handshake) << verdicts.client_handshake.message();
    return verdicts;
  }

  testing::Issued partner_cert(bool server_auth, bool client_auth) const {
    testing::CertSpec spec;
    spec.common_name = "partner.example";
    spec.dns_names = {"partner.example"};
    spec.server_auth = server_auth;
    spec.client_auth = client_auth;
    return pki_.leaf(spec);
  }

  testing::TestPki pki_;
  asio::io_context io_;
  testing::Issued edge_ = pki_.leaf_for({"corp.example", "partner.example"});
};

TEST_F(TlsVerifyTest, ServerAuthOnlyPartnerCertificateAuthenticatesInbound) {
  const auto partner = partner_cert(true, false);
  const auto verdicts = handshake(&partner, edge_);
  EXPECT_EQ(verdicts.seen_by_server.chain, ChainStatus::kTrusted);
  EXPECT_TRUE(verdicts.seen_by_server.authenticates("partner.example"));
  EXPECT_EQ(verdicts.seen_by_server.problem("other.example"), "partner-cert-name-mismatch");
}

TEST_F(TlsVerifyTest, ClientAuthOnlyPartnerCertificateIsTheWrongPurpose) {
  const auto partner = partner_cert(false, true);
  const auto verdicts = handshake(&partner, edge_);
  EXPECT_EQ(verdicts.seen_by_server.problem("partner.example"), "partner-cert-wrong-purpose");
}

TEST_F(TlsVerifyTest, StrictClientPurposeRefusesServerAuthOnly) {
  const auto server_only = partner_cert(true, false);
  EXPECT_EQ(handshake(&server_only, edge_, true).seen_by_server.chain, ChainStatus::kWrongPurpose);
  const auto both = partner_cert(true, true);
  EXPECT_EQ(handshake(&both, edge_, true).seen_by_server.chain, ChainStatus::kTrusted);
}

TEST_F(TlsVerifyTest, ChainProblemsNameTheirReason) {
  testing::CertSpec spec;
  spec.common_name = "partner.example";
  spec.dns_names = {"partner.example"};
  const auto self_signed = testing::issue(spec, nullptr);
  EXPECT_EQ(handshake(&self_signed, edge_).seen_by_server.problem("partner.example"),
            "partner-cert-untrusted");

  spec.not_before = std::chrono::hours(-48);
  spec.not_after = std::chrono::hours(-24);
  const auto expired = pki_.leaf(spec);
  EXPECT_EQ(handshake(&expired, edge_).seen_by_server.problem("partner.example"),
            "partner-cert-expired");
  // Untrusted and expired at once: the more fundamental problem is named.
  const auto expired_self_signed = testing::issue(spec, nullptr);
  EXPECT_EQ(handshake(&expired_self_signed, edge_).seen_by_server.problem("partner.example"),
            "partner-cert-untrusted");

  spec.not_before = std::chrono::hours(24);
  spec.not_after = std::chrono::hours(48);
  const auto future = pki_.leaf(spec);
  EXPECT_EQ(handshake(&future, edge_).seen_by_server.problem("partner.example"),
            "partner-cert-not-yet-valid");
}

TEST_F(TlsVerifyTest, ABadSignatureIsNamedAndTheStreamGoesOn) {
  const auto bad = with_bad_signature(partner_cert(true, false));
  const auto verdicts = handshake(&bad, edge_);
  EXPECT_EQ(verdicts.seen_by_server.problem("partner.example"), "partner-cert-revoked-or-bad");
  EXPECT_FALSE(verdicts.server_read_error) << verdicts.server_read_error.message();
  EXPECT_EQ(verdicts.server_read, "x");
}

TEST_F(TlsVerifyTest, AStaleErrorOnTheQueueDoesNotFailTheNextRead) {
  // SSL_get_error() consults the thread's error queue: a leftover entry turned the next
  // WANT_READ into a fatal read-error (seen in the lab with a spoiled partner certificate).
  const auto partner = partner_cert(true, true);
  const auto verdicts = handshake(&partner, edge_, false, true);
  EXPECT_FALSE(verdicts.server_read_error) << verdicts.server_read_error.message();
  EXPECT_EQ(verdicts.server_read, "x");
}

TEST_F(TlsVerifyTest, NoClientCertificateIsMissing) {
  const auto verdicts = handshake(nullptr, edge_);
  EXPECT_FALSE(verdicts.seen_by_server.present());
  EXPECT_EQ(verdicts.seen_by_server.problem("partner.example"), "partner-cert-missing");
}

TEST_F(TlsVerifyTest, OutboundChecksTheReceivingServerForThePartnerDomain) {
  const auto partner = partner_cert(true, true);
  // Our initiator connected to "partner.example" and met a certificate for other names.
  const auto wrong_server = pki_.leaf_for({"elsewhere.example"});
  const auto verdicts = handshake(&partner, wrong_server);
  EXPECT_EQ(verdicts.seen_by_client.chain, ChainStatus::kTrusted);
  EXPECT_EQ(verdicts.seen_by_client.problem("partner.example"), "partner-cert-name-mismatch");
  const auto right_server = pki_.leaf_for({"partner.example"});
  EXPECT_TRUE(handshake(&partner, right_server).seen_by_client.authenticates("partner.example"));
}

}  // namespace
}  // namespace edgekit::edgeproxy
