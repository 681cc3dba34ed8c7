#include "edgeproxy/xmpp/outbound_session.hpp"

#include <gtest/gtest.h>

#include "edgeproxy/xmpp/inbound_session.hpp"
#include "session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::Transcript;

constexpr const char* kPeerHeader =
    "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
    "xmlns:db='jabber:server:dialback' id='peer-sid' from='partner.example' "
    "to='corp.example' version='1.0'>";

Partner policy(Negotiation tls, Negotiation sasl, bool dialback) {
  Partner partner;
  partner.domain = "partner.example";
  partner.tls = tls;
  partner.sasl = sasl;
  partner.dialback = dialback;
  return partner;
}

struct Fixture {
  std::shared_ptr<const DialbackKeys> keys = std::make_shared<DialbackKeys>("s3cret");
  OutboundSession session;
  Transcript transcript;
  Actions out;

  explicit Fixture(Partner partner, bool tls_available = true,
                   OutboundPurpose purpose = OutboundPurpose::kStanzas, bool our_client_auth = true)
      : session(OutboundOptions{"corp.example", "partner.example", std::move(partner), purpose,
                                tls_available, false, 262'144, our_client_auth},
                keys) {
    session.on_connected(out);
    transcript.take(out);
  }
  void feed(std::string_view bytes) {
    session.on_bytes(bytes, out);
    transcript.take(out);
  }
  void tls(const CertificateCheck& certificate = CertificateCheck::trusted_for("partner.example")) {
    session.on_tls_established(certificate, out);
    transcript.take(out);
  }
  // Header, features offering STARTTLS, <proceed/>, then the handshake with `certificate`.
  void through_tls(
      CertificateCheck certificate = CertificateCheck::trusted_for("partner.example")) {
    feed(std::string(kPeerHeader) +
         "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
         "</starttls></stream:features><proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    EXPECT_NE(transcript.find<action::StartTls>(), nullptr);
    tls(certificate);
  }
  [[nodiscard]] std::string close_reason() const {
    const action::Close* close = transcript.find<action::Close>();
    return close == nullptr ? "(open)" : close->reason;
  }
  [[nodiscard]] std::optional<StreamError> close_error() const {
    const action::Close* close = transcript.find<action::Close>();
    return close == nullptr ? std::nullopt : close->error;
  }
};

TEST(OutboundSession, PlainDialback) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  EXPECT_TRUE(f.transcript.contains("from='corp.example' to='partner.example' version='1.0'>"));
  f.transcript.clear();
  f.feed(std::string(kPeerHeader) +
         "<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>"
         "</stream:features>");
  const std::string key = f.keys->generate("partner.example", "corp.example", "peer-sid");
  EXPECT_EQ(f.transcript.sent,
            "<db:result from='corp.example' to='partner.example'>" + key + "</db:result>");
  f.feed("<db:result from='partner.example' to='corp.example' type='valid'/>");
  ASSERT_NE(f.transcript.find<action::Ready>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Ready>()->method, "dialback");
  EXPECT_TRUE(f.session.ready());
}

TEST(OutboundSession, TlsOfferedButNotSupportedByPolicyIsSkipped) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) +
         "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
         "<dialback xmlns='urn:xmpp:features:dialback'/></stream:features>");
  EXPECT_FALSE(f.transcript.contains("<starttls"));
  EXPECT_TRUE(f.transcript.contains("<db:result"));
}

TEST(OutboundSession, PeerRequiringTlsWeCannotDoFails) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) +
         "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
         "</starttls></stream:features>");
  ASSERT_NE(f.transcript.find<action::Close>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Close>()->reason, "peer-requires-tls");
}

TEST(OutboundSession, TlsRequiredButNotOfferedFails) {
  Fixture f(policy(Negotiation::kRequired, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) +
         "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>");
  EXPECT_EQ(f.transcript.find<action::Close>()->reason, "peer-offers-no-tls");
  Fixture g(policy(Negotiation::kRequired, Negotiation::kNotSupported, true), false);
  g.feed(std::string(kPeerHeader) +
         "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>");
  EXPECT_EQ(g.transcript.find<action::Close>()->reason, "no-certificate");
}

TEST(OutboundSession, StartTlsThenSaslExternal) {
  Fixture f(policy(Negotiation::kRequired, Negotiation::kRequired, false));
  f.feed(std::string(kPeerHeader) +
         "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
         "</starttls></stream:features>");
  EXPECT_TRUE(f.transcript.contains("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
  f.feed("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  ASSERT_NE(f.transcript.find<action::StartTls>(), nullptr);
  f.transcript.clear();
  f.tls();
  EXPECT_TRUE(f.transcript.contains("<stream:stream"));
  f.transcript.clear();
  f.feed(std::string(kPeerHeader) +
         "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>"
         "EXTERNAL</mechanism></mechanisms></stream:features>");
  EXPECT_EQ(f.transcript.sent,
            "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
            "mechanism='EXTERNAL'>Y29ycC5leGFtcGxl</auth>");
  f.transcript.clear();
  f.feed("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
  EXPECT_TRUE(f.transcript.contains("<stream:stream"));
  f.feed(std::string(kPeerHeader) + "<stream:features/>");
  ASSERT_NE(f.transcript.find<action::Ready>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Ready>()->method, "sasl-external");
}

// A stream authenticated by SASL EXTERNAL is past the pre-authentication caps: months of
// whitespace keepalives add up to more than they allow.
TEST(OutboundSession, SaslExternalLiftsThePreauthCaps) {
  Fixture f(policy(Negotiation::kRequired, Negotiation::kRequired, false));
  f.through_tls();
  f.feed(std::string(kPeerHeader) +
         "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>"
         "EXTERNAL</mechanism></mechanisms></stream:features>");
  f.feed("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
  f.feed(std::string(kPeerHeader) + "<stream:features/>");
  ASSERT_NE(f.transcript.find<action::Ready>(), nullptr);
  for (int i = 0; i < 100; ++i) {
    f.feed(std::string(1'000, ' '));
  }
  EXPECT_EQ(f.close_reason(), "(open)");
}

TEST(OutboundSession, SaslFailureFallsBackToDialbackOnlyWhenAllowed) {
  {
    Fixture f(policy(Negotiation::kRequired, Negotiation::kOptional, true));
    f.feed(std::string(kPeerHeader) +
           "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"
           "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    f.tls();
    f.feed(std::string(kPeerHeader) +
           "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>"
           "EXTERNAL</mechanism></mechanisms><dialback xmlns='urn:xmpp:features:dialback'/>"
           "</stream:features>");
    f.transcript.clear();
    f.feed("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>");
    EXPECT_TRUE(f.transcript.contains("<db:result"));
  }
  {
    Fixture f(policy(Negotiation::kRequired, Negotiation::kRequired, false));
    f.feed(std::string(kPeerHeader) +
           "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"
           "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    f.tls();
    f.feed(std::string(kPeerHeader) +
           "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>"
           "EXTERNAL</mechanism></mechanisms></stream:features>");
    f.feed("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>");
    EXPECT_EQ(f.transcript.find<action::Close>()->reason, "partner-rejected-our-certificate");
  }
}

TEST(OutboundSession, DialbackRejectedAndErrors) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) +
         "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>");
  f.feed("<db:result from='partner.example' to='corp.example' type='invalid'/>");
  EXPECT_EQ(f.transcript.find<action::Close>()->reason, "dialback-rejected");
  Fixture g(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  g.feed(std::string(kPeerHeader) + "<stream:features/>");
  g.feed(
      "<db:result from='partner.example' to='corp.example' type='error'><error "
      "type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"
      "</db:result>");
  EXPECT_EQ(g.transcript.find<action::Close>()->reason, "dialback-error:item-not-found");
}

TEST(OutboundSession, LegacyPeerWithoutVersion) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns:db='jabber:server:dialback' id='old'>");
  EXPECT_TRUE(f.transcript.contains("<db:result"));
}

TEST(OutboundSession, VerifyStreamSendsQueuedVerifies) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true), true,
            OutboundPurpose::kVerify);
  f.session.request_verify(VerifyRequest{"partner.example", "corp.example", "in-sid", "KEY"},
                           f.out);
  f.transcript.take(f.out);
  EXPECT_FALSE(f.transcript.contains("<db:verify"));
  f.feed(std::string(kPeerHeader) + "<stream:features/>");
  EXPECT_TRUE(f.transcript.contains(
      "<db:verify from='corp.example' to='partner.example' id='in-sid'>KEY</db:verify>"));
  EXPECT_FALSE(f.transcript.contains("<db:result"));
  f.feed("<db:verify from='partner.example' to='corp.example' id='in-sid' type='valid'/>");
  const action::Verified* verified = f.transcript.find<action::Verified>();
  ASSERT_NE(verified, nullptr);
  EXPECT_TRUE(verified->valid);
  EXPECT_EQ(verified->domain, "partner.example");
  EXPECT_EQ(verified->stream_id, "in-sid");
}

TEST(OutboundSession, StreamErrorFromPeerCloses) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) +
         "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
         "</stream:error>");
  EXPECT_EQ(f.transcript.find<action::Close>()->reason, "peer-stream-error:policy-violation");
}

// Our outbound core against our inbound core (two edges sharing nothing but the protocol),
// with the dialback verification loop closed through a second (verify) stream.
TEST(OutboundSession, TalksToOurOwnInboundSession) {
  const auto config_b =
      testing::make_config("[[partner]]\ndomain = \"partner.example\"\ndialback = true\n");
  // Edge B serves corp.example; edge A is "partner.example" with its own secret.
  auto keys_a = std::make_shared<DialbackKeys>("secret-a");
  auto keys_b = std::make_shared<DialbackKeys>("secret-b");
  OutboundSession a(
      OutboundOptions{"partner.example", "corp.example",
                      policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true),
                      OutboundPurpose::kStanzas, false, false, 262'144},
      keys_a);
  InboundSession b(config_b, keys_b, InboundOptions{false, false, "b-sid"});
  Actions a_out;
  Actions b_out;
  a.on_connected(a_out);
  std::optional<action::RequestVerify> verify_request;
  for (int round = 0; round < 10; ++round) {
    for (auto& action : a_out) {
      if (const auto* send = std::get_if<action::Send>(&action)) {
        b.on_bytes(send->data, b_out);
      }
    }
    a_out.clear();
    for (auto& action : b_out) {
      if (const auto* send = std::get_if<action::Send>(&action)) {
        a.on_bytes(send->data, a_out);
      } else if (const auto* request = std::get_if<action::RequestVerify>(&action)) {
        verify_request = *request;
      }
    }
    b_out.clear();
  }
  ASSERT_TRUE(verify_request.has_value());
  // B's receiving role asks A's authoritative role (a fresh inbound session on edge A).
  EXPECT_TRUE(keys_a->verify("corp.example", "partner.example", verify_request->stream_id,
                             verify_request->key));
  EXPECT_FALSE(keys_b->verify("corp.example", "partner.example", verify_request->stream_id,
                              verify_request->key));
  b.on_verify_result("partner.example", "corp.example", VerifyOutcome::kValid, b_out);
  for (auto& action : b_out) {
    if (const auto* send = std::get_if<action::Send>(&action)) {
      a.on_bytes(send->data, a_out);
    }
  }
  EXPECT_TRUE(a.ready());
  EXPECT_TRUE(b.authenticated());
  b_out.clear();
  b.on_bytes("<message from='x@partner.example' to='y@corp.example'/>", b_out);
  ASSERT_EQ(b_out.size(), 1U);
  EXPECT_TRUE(std::holds_alternative<action::Deliver>(b_out[0]));
}

// ---- the strict state machine: every element only in the state that asked for it ---------

constexpr const char* kDialbackFeatures =
    "<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>"
    "</stream:features>";
constexpr const char* kExternalAndDialback =
    "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL"
    "</mechanism></mechanisms><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>";

Partner tls_dialback_policy(bool verify_certificate) {
  Partner partner = policy(Negotiation::kRequired, Negotiation::kOptional, true);
  partner.verify_certificate = verify_certificate;
  return partner;
}

TEST(OutboundStrict, UnsolicitedDialbackValidBeforeFeaturesAuthenticatesNothing) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) +
         "<db:result from='partner.example' to='corp.example' type='valid'/>");
  EXPECT_EQ(f.transcript.find<action::Ready>(), nullptr);
  EXPECT_EQ(f.close_reason(), "unexpected-dialback-result");
  EXPECT_EQ(f.close_error(), StreamError::kNotAuthorized);
  EXPECT_TRUE(f.session.closed());
}

TEST(OutboundStrict, UnsolicitedDialbackValidInsteadOfProceedSkipsNoTls) {
  Fixture f(policy(Negotiation::kRequired, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) +
         "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"
         "<db:result from='partner.example' to='corp.example' type='valid'/>");
  EXPECT_TRUE(f.transcript.contains("<starttls"));
  EXPECT_EQ(f.transcript.find<action::Ready>(), nullptr);
  EXPECT_EQ(f.close_reason(), "unexpected-dialback-result");
  EXPECT_FALSE(f.session.secured());
}

TEST(OutboundStrict, UnsolicitedSaslSuccessAuthenticatesNothing) {
  {  // before features
    Fixture f(policy(Negotiation::kRequired, Negotiation::kRequired, false));
    f.feed(std::string(kPeerHeader) + "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    EXPECT_EQ(f.close_reason(), "unexpected-sasl-success");
    EXPECT_EQ(f.transcript.find<action::Ready>(), nullptr);
  }
  {  // after our <starttls/>, before <proceed/>: no plaintext stream becomes ready
    Fixture f(policy(Negotiation::kRequired, Negotiation::kRequired, false));
    f.feed(std::string(kPeerHeader) +
           "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
           "</stream:features><success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    f.feed(std::string(kPeerHeader) + "<stream:features/>");
    EXPECT_EQ(f.close_reason(), "unexpected-sasl-success");
    EXPECT_EQ(f.transcript.find<action::Ready>(), nullptr);
    EXPECT_FALSE(f.transcript.contains("<auth"));
  }
  {  // over TLS, when we sent no <auth/> (dialback was chosen)
    Fixture f(tls_dialback_policy(false));
    f.through_tls();
    f.feed(std::string(kPeerHeader) + kDialbackFeatures);
    ASSERT_TRUE(f.transcript.contains("<db:result"));
    f.feed("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    EXPECT_EQ(f.close_reason(), "unexpected-sasl-success");
    EXPECT_EQ(f.transcript.find<action::Ready>(), nullptr);
  }
}

TEST(OutboundStrict, OutOfOrderElementsEachHaveAReason) {
  struct Case {
    const char* name;
    std::string after_header;
    const char* reason;
    StreamError error;
  };
  const std::vector<Case> cases = {
      {"proceed unasked", "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
       "unexpected-tls-element", StreamError::kUnsupportedStanzaType},
      {"sasl failure unasked",
       "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>",
       "unexpected-sasl-element", StreamError::kNotAuthorized},
      {"db:verify on a stanza stream",
       "<db:verify from='partner.example' to='corp.example' id='x' type='valid'/>",
       "dialback-answer-unbound", StreamError::kNotAuthorized},
      {"a stanza", "<message from='a@partner.example' to='b@corp.example'/>", "unexpected-element",
       StreamError::kUnsupportedStanzaType},
      {"features twice", std::string(kDialbackFeatures) + kDialbackFeatures, "unexpected-features",
       StreamError::kUnsupportedStanzaType},
  };
  for (const auto& c : cases) {
    Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
    f.feed(std::string(kPeerHeader) + c.after_header);
    EXPECT_EQ(f.close_reason(), c.reason) << c.name;
    EXPECT_EQ(f.close_error(), c.error) << c.name;
    EXPECT_EQ(f.transcript.find<action::Ready>(), nullptr) << c.name;
  }
}

TEST(OutboundStrict, FeaturesBeforeAHeaderNeverNegotiate) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(kDialbackFeatures);
  EXPECT_TRUE(f.session.closed());
  EXPECT_FALSE(f.transcript.contains("<db:result"));
}

TEST(OutboundStrict, DialbackAnswerForAnotherPairIsRefused) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) + kDialbackFeatures);
  f.feed("<db:result from='other.example' to='corp.example' type='valid'/>");
  EXPECT_EQ(f.close_reason(), "dialback-answer-unbound");
  EXPECT_FALSE(f.session.ready());
}

TEST(OutboundStrict, DialbackErrorConditionsComeFromAFixedSet) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) + kDialbackFeatures);
  f.feed(
      "<db:result from='partner.example' to='corp.example' type='error'><error type='cancel'>"
      "<made-up-condition-of-any-length xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"
      "</db:result>");
  EXPECT_EQ(f.close_reason(), "dialback-error:undefined-condition");
}

TEST(OutboundStrict, PeerStreamErrorConditionsComeFromAFixedSet) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) +
         "<stream:error><x-evil xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
  EXPECT_EQ(f.close_reason(), "peer-stream-error:undefined-condition");
}

TEST(OutboundStrict, PeerStreamErrorConditionIsFoundBehindItsText) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) +
         "<stream:error><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>bye</text>"
         "<host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
  EXPECT_EQ(f.close_reason(), "peer-stream-error:host-unknown");
}

TEST(OutboundStrict, LegacyPeerRefusedWhereTlsIsRequired) {
  Fixture f(policy(Negotiation::kRequired, Negotiation::kNotSupported, true));
  f.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns:db='jabber:server:dialback' id='old'>");
  EXPECT_EQ(f.close_reason(), "peer-without-features");
  EXPECT_FALSE(f.transcript.contains("<db:result"));
}

TEST(OutboundStrict, DirectTlsSendsTheHeaderOnlyAfterTheCertificateWasChecked) {
  OutboundSession session(
      OutboundOptions{"corp.example", "partner.example",
                      policy(Negotiation::kRequired, Negotiation::kRequired, false),
                      OutboundPurpose::kStanzas, true, true, 262'144},
      std::make_shared<DialbackKeys>("k"));
  Actions out;
  session.on_connected(out);
  EXPECT_TRUE(out.empty());
  session.on_tls_established(CertificateCheck{ChainStatus::kUntrusted, {}}, out);
  ASSERT_FALSE(out.empty());
  const auto* close = std::get_if<action::Close>(&out.back());
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(close->reason, "partner-cert-untrusted");
}

// ---- the partner's certificate on outbound streams ----------------------------------------

CertificateCheck names_only(const char* name, ChainStatus chain = ChainStatus::kTrusted) {
  return CertificateCheck{
      chain, [name = std::string(name)](std::string_view domain) { return domain == name; }};
}

TEST(OutboundCertificate, EachProblemClosesTheStreamWhenVerificationIsRequired) {
  struct Case {
    CertificateCheck certificate;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {CertificateCheck{ChainStatus::kUntrusted, {}}, "partner-cert-untrusted"},
      {names_only("other.example"), "partner-cert-name-mismatch"},
      {names_only("partner.example", ChainStatus::kExpired), "partner-cert-expired"},
      {names_only("partner.example", ChainStatus::kNotYetValid), "partner-cert-not-yet-valid"},
      {names_only("partner.example", ChainStatus::kWrongPurpose), "partner-cert-wrong-purpose"},
      {names_only("partner.example", ChainStatus::kBad), "partner-cert-revoked-or-bad"},
      {CertificateCheck{}, "partner-cert-missing"},
  };
  for (const auto& c : cases) {
    Fixture f(tls_dialback_policy(true));
    f.through_tls(c.certificate);
    EXPECT_EQ(f.close_reason(), c.reason);
    EXPECT_EQ(f.close_error(), StreamError::kPolicyViolation);
    // No new header: nothing more is said to a server that did not prove its name.
    EXPECT_EQ(f.transcript.sent.find("<stream:stream", f.transcript.sent.find("<starttls")),
              std::string::npos);
  }
}

TEST(OutboundCertificate, WithoutDialbackAnUntrustedCertificateCloses) {
  Fixture f(policy(Negotiation::kRequired, Negotiation::kRequired, false));
  f.through_tls(names_only("other.example"));
  EXPECT_EQ(f.close_reason(), "partner-cert-name-mismatch");
}

TEST(OutboundCertificate, DialbackDecidesWhereThePolicyAllowsIt) {
  Fixture f(tls_dialback_policy(false));
  f.through_tls(CertificateCheck{ChainStatus::kUntrusted, {}});
  ASSERT_FALSE(f.session.closed());
  f.transcript.clear();
  // EXTERNAL is offered, but it would not make an unauthenticated partner any more trusted.
  f.feed(std::string(kPeerHeader) + kExternalAndDialback);
  EXPECT_FALSE(f.transcript.contains("<auth"));
  ASSERT_TRUE(f.transcript.contains("<db:result"));
  f.feed("<db:result from='partner.example' to='corp.example' type='valid'/>");
  const action::Ready* ready = f.transcript.find<action::Ready>();
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->method, "dialback-over-unauthenticated-tls");
  EXPECT_EQ(ready->certificate, "partner-cert-untrusted");
}

TEST(OutboundCertificate, AnAuthenticatedPartnerIsLabelled) {
  Fixture f(tls_dialback_policy(true));
  f.through_tls();
  f.feed(std::string(kPeerHeader) + kDialbackFeatures);
  f.feed("<db:result from='partner.example' to='corp.example' type='valid'/>");
  const action::Ready* ready = f.transcript.find<action::Ready>();
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->method, "dialback");
  EXPECT_EQ(ready->certificate, "ok");
}

// ---- our certificate refused by a strict partner ------------------------------------------

TEST(OutboundOurCertificate, SaslFailureFallsBackToDialbackWithAHint) {
  Fixture f(tls_dialback_policy(true), true, OutboundPurpose::kStanzas, false);
  f.through_tls();
  f.feed(std::string(kPeerHeader) + kExternalAndDialback);
  ASSERT_TRUE(f.transcript.contains("<auth"));
  f.transcript.clear();
  f.feed("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>");
  const action::Warning* warning = f.transcript.find<action::Warning>();
  ASSERT_NE(warning, nullptr);
  EXPECT_EQ(warning->reason, "partner-rejected-our-certificate");
  EXPECT_NE(warning->hint.find("clientAuth"), std::string::npos);
  EXPECT_TRUE(f.transcript.contains("<db:result"));
  f.feed("<db:result from='partner.example' to='corp.example' type='valid'/>");
  ASSERT_NE(f.transcript.find<action::Ready>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Ready>()->method, "dialback");
}

TEST(OutboundOurCertificate, ExternalNotOfferedToACertificateWithoutClientAuth) {
  {  // dialback allowed: federation works, the cause is still reported
    Fixture f(tls_dialback_policy(false), true, OutboundPurpose::kStanzas, false);
    f.through_tls();
    f.feed(std::string(kPeerHeader) + kDialbackFeatures);
    ASSERT_NE(f.transcript.find<action::Warning>(), nullptr);
    EXPECT_TRUE(f.transcript.contains("<db:result"));
  }
  {  // SASL EXTERNAL required: the stream closes with that reason
    Fixture f(policy(Negotiation::kRequired, Negotiation::kRequired, false), true,
              OutboundPurpose::kStanzas, false);
    f.through_tls();
    f.feed(std::string(kPeerHeader) + "<stream:features/>");
    EXPECT_EQ(f.close_reason(), "partner-rejected-our-certificate");
  }
  {  // with clientAuth, a missing EXTERNAL is the partner's choice, not a refusal
    Fixture f(policy(Negotiation::kRequired, Negotiation::kRequired, false));
    f.through_tls();
    f.feed(std::string(kPeerHeader) + "<stream:features/>");
    EXPECT_EQ(f.close_reason(), "peer-offers-no-sasl-external");
    EXPECT_EQ(f.transcript.find<action::Warning>(), nullptr);
  }
}

TEST(OutboundOurCertificate, RefusedWithoutDialbackAllowed) {
  Partner partner = policy(Negotiation::kRequired, Negotiation::kOptional, false);
  Fixture f(partner, true, OutboundPurpose::kStanzas, false);
  f.through_tls();
  f.feed(std::string(kPeerHeader) + kExternalAndDialback);
  f.feed("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>");
  EXPECT_EQ(f.close_reason(), "partner-rejected-our-certificate");
  EXPECT_FALSE(f.transcript.contains("<db:result"));
}

// ---- verify streams: answers bound to their question, idle close ------------------------

struct VerifyFixture : Fixture {
  VerifyFixture()
      : Fixture(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true), true,
                OutboundPurpose::kVerify) {
    feed(std::string(kPeerHeader) + kDialbackFeatures);
    ask("in-sid", "KEY");
  }
  void ask(const char* stream_id, const char* key) {
    session.request_verify(VerifyRequest{"partner.example", "corp.example", stream_id, key}, out);
    transcript.take(out);
  }
};

TEST(OutboundVerify, BecomesUsableAndSendsAtOnce) {
  VerifyFixture f;
  const action::Ready* ready = f.transcript.find<action::Ready>();
  ASSERT_NE(ready, nullptr);
  EXPECT_TRUE(f.transcript.contains(
      "<db:verify from='corp.example' to='partner.example' id='in-sid'>KEY</db:verify>"));
  EXPECT_FALSE(f.transcript.contains("<db:result"));
}

TEST(OutboundVerify, TheForgedAnswerOfTheAttackIsRefused) {
  // The verify stream to attacker.example's server answers for a stream that claimed
  // partner.example: here, the stream is to partner.example and the answer names another id.
  VerifyFixture f;
  f.feed("<db:verify from='partner.example' to='corp.example' id='other-sid' type='valid'/>");
  EXPECT_EQ(f.transcript.find<action::Verified>(), nullptr);
  EXPECT_EQ(f.close_reason(), "dialback-answer-unbound");
}

TEST(OutboundVerify, AnswersMustRepeatFromToAndId) {
  for (const char* answer :
       {"<db:verify from='victim.example' to='corp.example' id='in-sid' type='valid'/>",
        "<db:verify from='partner.example' to='corp2.example' id='in-sid' type='valid'/>",
        "<db:verify to='corp.example' id='in-sid' type='valid'/>",
        "<db:verify from='partner.example' to='corp.example' id='in-sid'/>"}) {
    VerifyFixture f;
    f.feed(answer);
    EXPECT_EQ(f.transcript.find<action::Verified>(), nullptr) << answer;
    EXPECT_EQ(f.close_reason(), "dialback-answer-unbound") << answer;
  }
}

TEST(OutboundVerify, OneAnswerPerRequestThenIdle) {
  VerifyFixture f;
  f.ask("second-sid", "KEY2");
  f.transcript.clear();
  f.feed("<db:verify from='partner.example' to='corp.example' id='in-sid' type='valid'/>");
  ASSERT_NE(f.transcript.find<action::Verified>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Verified>()->stream_id, "in-sid");
  EXPECT_EQ(f.transcript.find<action::Idle>(), nullptr);  // second-sid is outstanding
  Actions out;
  f.session.on_idle(out);
  EXPECT_TRUE(out.empty());
  f.transcript.clear();
  f.feed("<db:verify from='partner.example' to='corp.example' id='second-sid' type='invalid'/>");
  ASSERT_NE(f.transcript.find<action::Verified>(), nullptr);
  EXPECT_FALSE(f.transcript.find<action::Verified>()->valid);
  EXPECT_NE(f.transcript.find<action::Idle>(), nullptr);
  // The same answer again is no longer bound to anything.
  f.transcript.clear();
  f.feed("<db:verify from='partner.example' to='corp.example' id='second-sid' type='valid'/>");
  EXPECT_EQ(f.transcript.find<action::Verified>(), nullptr);
  EXPECT_EQ(f.close_reason(), "dialback-answer-unbound");
}

TEST(OutboundVerify, IdleCloseIsCleanWithoutAStreamError) {
  VerifyFixture f;
  f.feed("<db:verify from='partner.example' to='corp.example' id='in-sid' type='valid'/>");
  f.transcript.clear();
  f.session.on_idle(f.out);
  f.transcript.take(f.out);
  EXPECT_EQ(f.transcript.sent, "</stream:stream>");
  EXPECT_EQ(f.close_reason(), "verify-idle");
  EXPECT_EQ(f.close_error(), std::nullopt);
}

TEST(OutboundVerify, RequestsForAnotherPairAreNotSentHere) {
  VerifyFixture f;
  f.transcript.clear();
  f.session.request_verify(VerifyRequest{"attacker.example", "corp.example", "x", "K"}, f.out);
  f.transcript.take(f.out);
  EXPECT_TRUE(f.transcript.sent.empty());
  EXPECT_EQ(f.session.outstanding_verifies(), 1U);
}

}  // namespace
}  // namespace edgekit::edgeproxy
