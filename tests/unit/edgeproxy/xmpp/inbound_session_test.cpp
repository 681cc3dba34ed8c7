#include "edgeproxy/xmpp/inbound_session.hpp"

#include <gtest/gtest.h>

#include "edgeproxy/xmpp/dialback_key.hpp"
#include "session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::kPartnerHeader;
using testing::make_config;
using testing::Transcript;

std::string partner_toml(std::string_view tls, std::string_view sasl, bool dialback,
                         std::string_view type = "public-verified") {
  return "[[partner]]\ndomain = \"partner.example\"\nadditional_domains = "
         "[\"muc.partner.example\"]\ntype = \"" +
         std::string(type) + "\"\ntls = \"" + std::string(tls) + "\"\nsasl = \"" +
         std::string(sasl) + "\"\ndialback = " + (dialback ? "true" : "false") + "\n";
}

struct Fixture {
  std::shared_ptr<const Config> config;
  std::shared_ptr<const DialbackKeys> keys = std::make_shared<DialbackKeys>("s3cret");
  InboundSession session;
  Transcript transcript;
  Actions out;

  explicit Fixture(const std::string& partners, InboundOptions options = {true, false, "sid1"},
                   const std::string& federation = "")
      : config(make_config(partners, federation)), session(config, keys, std::move(options)) {}

  void feed(std::string_view bytes) {
    session.on_bytes(bytes, out);
    transcript.take(out);
  }
  void tls(bool cert_valid) {
    session.on_tls_established(cert_valid ? CertificateCheck::trusted_for("partner.example")
                                          : CertificateCheck{ChainStatus::kUntrusted, {}},
                               out);
    transcript.take(out);
  }
  void verify(VerifyOutcome outcome, std::string_view from = "partner.example") {
    session.on_verify_result(from, "corp.example", outcome, out);
    transcript.take(out);
  }
};

const std::string kDialbackOnly =
    partner_toml("not-supported", "not-supported", true, "public-unverified");
constexpr const char* kDbResult =
    "<db:result from='partner.example' to='corp.example'>abcdef</db:result>";

TEST(InboundSession, DialbackOnlyPartnerFullPath) {
  Fixture f(kDialbackOnly);
  f.feed(kPartnerHeader);
  EXPECT_TRUE(f.transcript.contains("id='sid1'"));
  EXPECT_TRUE(f.transcript.contains("from='corp.example'"));
  EXPECT_TRUE(f.transcript.contains("to='partner.example'"));
  EXPECT_FALSE(f.transcript.contains("starttls"));
  EXPECT_TRUE(
      f.transcript.contains("<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>"));
  f.transcript.clear();
  f.feed(kDbResult);
  const action::RequestVerify* verify = f.transcript.find<action::RequestVerify>();
  ASSERT_NE(verify, nullptr);
  EXPECT_EQ(verify->domain, "partner.example");
  EXPECT_EQ(verify->local, "corp.example");
  EXPECT_EQ(verify->stream_id, "sid1");
  EXPECT_EQ(verify->key, "abcdef");
  EXPECT_FALSE(f.session.authenticated());
  f.verify(VerifyOutcome::kValid);
  EXPECT_TRUE(
      f.transcript.contains("<db:result from='corp.example' to='partner.example' type='valid'/>"));
  ASSERT_NE(f.transcript.find<action::Authenticated>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Authenticated>()->method, "dialback");
  EXPECT_TRUE(f.session.authenticated());
  EXPECT_EQ(f.session.partner(), "partner.example");
  f.transcript.clear();
  f.feed(
      "<message from='juliet@partner.example/x' to='romeo@corp.example' id='1'>"
      "<body>hi</body></message>");
  const action::Deliver* deliver = f.transcript.find<action::Deliver>();
  ASSERT_NE(deliver, nullptr);
  EXPECT_EQ(deliver->domain, "partner.example");
  EXPECT_EQ(deliver->element.raw,
            "<message from='juliet@partner.example/x' to='romeo@corp.example' id='1'>"
            "<body>hi</body></message>");
  f.transcript.clear();
  f.feed("</stream:stream>");
  EXPECT_TRUE(f.transcript.contains("</stream:stream>"));
  ASSERT_NE(f.transcript.find<action::Close>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Close>()->reason, "peer-closed");
}

TEST(InboundSession, PeerStreamErrorIsAnsweredAndClosesWithItsCondition) {
  Fixture f(kDialbackOnly);
  f.feed(kPartnerHeader);
  f.feed(
      "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
  EXPECT_TRUE(f.transcript.contains("</stream:stream>"));
  ASSERT_NE(f.transcript.find<action::Close>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Close>()->reason, "peer-stream-error:host-unknown");
}

TEST(InboundSession, UnknownPartnerIsRefusedWithPolicyViolation) {
  Fixture f(kDialbackOnly);
  f.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "from='stranger.example' to='corp.example' version='1.0'>");
  EXPECT_TRUE(f.transcript.contains("<policy-violation"));
  ASSERT_NE(f.transcript.find<action::Close>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Close>()->reason, "unknown-partner");
  // Without a from in the header, the refusal happens at db:result.
  Fixture g(kDialbackOnly);
  g.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns:db='jabber:server:dialback' to='corp.example'>"
      "<db:result from='stranger.example' to='corp.example'>k</db:result>");
  EXPECT_TRUE(g.transcript.contains("<policy-violation"));
  EXPECT_EQ(g.transcript.find<action::RequestVerify>(), nullptr);
}

TEST(InboundSession, HeaderToMustBeLocal) {
  Fixture f(kDialbackOnly);
  f.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "from='partner.example' to='elsewhere.example' version='1.0'>");
  EXPECT_TRUE(f.transcript.contains("<host-unknown"));
  EXPECT_TRUE(f.session.closed());
}

TEST(InboundSession, LegacyPeerWithoutVersionGetsNoFeaturesButDialback) {
  Fixture f(kDialbackOnly);
  f.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns:db='jabber:server:dialback' to='corp.example'>");
  EXPECT_FALSE(f.transcript.contains("features"));
  EXPECT_FALSE(f.transcript.contains(" version='1.0'>"));
  f.feed(kDbResult);
  EXPECT_NE(f.transcript.find<action::RequestVerify>(), nullptr);
}

TEST(InboundSession, DialbackInvalidAndErrors) {
  {
    Fixture f(kDialbackOnly);
    f.feed(kPartnerHeader);
    f.feed(kDbResult);
    f.verify(VerifyOutcome::kInvalid);
    EXPECT_TRUE(f.transcript.contains("type='invalid'"));
    EXPECT_TRUE(f.transcript.contains("<not-authorized"));
    EXPECT_EQ(f.transcript.find<action::Close>()->reason, "dialback-invalid");
  }
  {
    Fixture f(kDialbackOnly);
    f.feed(kPartnerHeader);
    f.feed(kDbResult);
    f.verify(VerifyOutcome::kRemoteServerTimeout);
    EXPECT_TRUE(f.transcript.contains("type='error'><error type='cancel'><remote-server-timeout"));
    EXPECT_FALSE(f.session.closed());
    f.feed(kDbResult);  // a retry is allowed
    f.verify(VerifyOutcome::kRemoteServerNotFound);
    EXPECT_TRUE(f.transcript.contains("<remote-server-not-found"));
  }
  {
    // A verify result nobody asked for is ignored.
    Fixture f(kDialbackOnly);
    f.feed(kPartnerHeader);
    f.verify(VerifyOutcome::kValid);
    EXPECT_FALSE(f.session.authenticated());
  }
  {
    // db:result to a domain we do not serve: XEP-0220 error, stream stays.
    Fixture f(kDialbackOnly);
    f.feed(kPartnerHeader);
    f.feed("<db:result from='partner.example' to='other.example'>k</db:result>");
    EXPECT_TRUE(f.transcript.contains("<item-not-found"));
    EXPECT_FALSE(f.session.closed());
  }
}

TEST(InboundSession, MultiplexedDomainsAuthenticateSeparately) {
  Fixture f(kDialbackOnly);
  f.feed(kPartnerHeader);
  f.feed(kDbResult);
  f.verify(VerifyOutcome::kValid);
  // The additional domain is not authenticated yet: its stanzas are refused.
  Fixture g(kDialbackOnly);
  g.feed(kPartnerHeader);
  g.feed(kDbResult);
  g.verify(VerifyOutcome::kValid);
  g.feed("<message from='room@muc.partner.example' to='romeo@corp.example'/>");
  EXPECT_TRUE(g.transcript.contains("<invalid-from"));
  // Authenticating the additional domain (and a second local domain) on the same stream.
  f.feed("<db:result from='muc.partner.example' to='corp.example'>k2</db:result>");
  f.verify(VerifyOutcome::kValid, "muc.partner.example");
  f.feed("<db:result from='partner.example' to='corp2.example'>k3</db:result>");
  f.session.on_verify_result("partner.example", "corp2.example", VerifyOutcome::kValid, f.out);
  f.transcript.take(f.out);
  f.transcript.clear();
  f.feed(
      "<message from='room@muc.partner.example' to='romeo@corp.example'/>"
      "<message from='a@partner.example' to='b@corp2.example'/>");
  int delivered = 0;
  for (const auto& action : f.transcript.actions) {
    delivered += std::holds_alternative<action::Deliver>(action) ? 1 : 0;
  }
  EXPECT_EQ(delivered, 2);
  EXPECT_FALSE(f.session.closed());
}

TEST(InboundSession, StanzaAddressingIsEnforced) {
  struct Case {
    const char* stanza;
    const char* condition;
    const char* reason;
  };
  const Case cases[] = {
      {"<message from='eve@evil.example' to='romeo@corp.example'/>", "<invalid-from",
       "stanza-from-not-authenticated"},
      {"<message from='juliet@partner.example' to='x@elsewhere.example'/>", "<host-unknown",
       "stanza-to-not-local"},
      {"<message to='romeo@corp.example'/>", "<improper-addressing", "stanza-addressing"},
      {"<message from='juliet@partner.example'/>", "<improper-addressing", "stanza-addressing"},
      {"<foo xmlns='urn:example'/>", "<unsupported-stanza-type", "unsupported-element"},
  };
  for (const auto& test_case : cases) {
    Fixture f(kDialbackOnly);
    f.feed(kPartnerHeader);
    f.feed(kDbResult);
    f.verify(VerifyOutcome::kValid);
    f.feed(test_case.stanza);
    EXPECT_TRUE(f.transcript.contains(test_case.condition)) << test_case.stanza;
    ASSERT_NE(f.transcript.find<action::Close>(), nullptr) << test_case.stanza;
    EXPECT_EQ(f.transcript.find<action::Close>()->reason, test_case.reason);
    EXPECT_EQ(f.transcript.find<action::Deliver>(), nullptr);
  }
  // Before authentication any stanza is refused.
  Fixture f(kDialbackOnly);
  f.feed(kPartnerHeader);
  f.feed("<message from='juliet@partner.example' to='romeo@corp.example'/>");
  EXPECT_TRUE(f.transcript.contains("<not-authorized"));
}

TEST(InboundSession, AuthoritativeRoleAnswersDbVerify) {
  Fixture f(kDialbackOnly);
  f.feed(kPartnerHeader);
  const std::string key = f.keys->generate("partner.example", "corp.example", "their-sid");
  f.transcript.clear();
  f.feed("<db:verify from='partner.example' to='corp.example' id='their-sid'>" + key +
         "</db:verify>");
  EXPECT_TRUE(f.transcript.contains(
      "<db:verify from='corp.example' to='partner.example' id='their-sid' type='valid'/>"));
  f.transcript.clear();
  f.feed("<db:verify from='partner.example' to='corp.example' id='other-sid'>" + key +
         "</db:verify>");
  EXPECT_TRUE(f.transcript.contains("type='invalid'"));
  f.transcript.clear();
  f.feed("<db:verify from='partner.example' to='nope.example' id='x'>k</db:verify>");
  EXPECT_TRUE(f.transcript.contains("<item-not-found"));
  EXPECT_FALSE(f.session.closed());
}

TEST(InboundSession, StartTlsInjectedBytesAreIgnored) {
  Fixture f(partner_toml("required", "not-supported", true));
  f.feed(kPartnerHeader);
  EXPECT_TRUE(f.transcript.contains("<required/></starttls>"));
  EXPECT_FALSE(f.transcript.contains("<dialback"));
  f.transcript.clear();
  f.feed(
      "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><message from='a@partner.example'"
      " to='b@corp.example'/>");
  EXPECT_TRUE(f.transcript.contains("<proceed"));
  EXPECT_NE(f.transcript.find<action::StartTls>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Deliver>(), nullptr);
  EXPECT_FALSE(f.session.closed());
  f.transcript.clear();
  f.tls(false);
  f.feed(kPartnerHeader);
  EXPECT_FALSE(f.transcript.contains("starttls"));
  EXPECT_TRUE(f.transcript.contains("<dialback"));
  f.feed(kDbResult);
  EXPECT_NE(f.transcript.find<action::RequestVerify>(), nullptr);
}

TEST(InboundSession, StartTlsRefusedWhenNotSupportedOrNoCertificate) {
  {
    Fixture f(kDialbackOnly);
    f.feed(kPartnerHeader);
    f.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    EXPECT_TRUE(f.transcript.contains("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
    EXPECT_EQ(f.transcript.find<action::Close>()->reason, "starttls-refused");
  }
  {
    Fixture f(partner_toml("optional", "not-supported", true), InboundOptions{false, false, "s"});
    f.feed(kPartnerHeader);
    EXPECT_FALSE(f.transcript.contains("starttls"));
    f.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    EXPECT_TRUE(f.transcript.contains("<failure"));
  }
}

TEST(InboundSession, SaslExternalGoodBadAndMismatchedCertificates) {
  const std::string policy = partner_toml("required", "required", false);
  {
    Fixture f(policy);
    f.feed(kPartnerHeader);
    f.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    f.tls(true);
    f.transcript.clear();
    f.feed(kPartnerHeader);
    EXPECT_TRUE(f.transcript.contains("<mechanism>EXTERNAL</mechanism>"));
    EXPECT_FALSE(f.transcript.contains("<dialback"));
    f.transcript.clear();
    f.feed("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
    EXPECT_TRUE(f.transcript.contains("<success"));
    ASSERT_NE(f.transcript.find<action::Authenticated>(), nullptr);
    EXPECT_EQ(f.transcript.find<action::Authenticated>()->method, "sasl-external");
    f.transcript.clear();
    f.feed(kPartnerHeader);  // restart after SASL
    EXPECT_TRUE(f.transcript.contains("<stream:features></stream:features>"));
    f.feed("<presence from='a@partner.example' to='b@corp.example'/>");
    EXPECT_NE(f.transcript.find<action::Deliver>(), nullptr);
  }
  {
    // base64 authzid naming the partner domain.
    Fixture f(policy);
    f.feed(kPartnerHeader);
    f.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    f.tls(true);
    f.feed(kPartnerHeader);
    f.feed(
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
        "mechanism='EXTERNAL'>cGFydG5lci5leGFtcGxl</auth>");
    EXPECT_TRUE(f.transcript.contains("<success"));
  }
  {
    // Certificate not valid for the partner: nothing offered, auth refused.
    Fixture f(policy);
    f.feed(kPartnerHeader);
    f.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    f.tls(false);
    f.transcript.clear();
    f.feed(kPartnerHeader);
    EXPECT_FALSE(f.transcript.contains("EXTERNAL"));
    f.feed("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
    EXPECT_TRUE(f.transcript.contains("<not-authorized/></failure>"));
    EXPECT_FALSE(f.session.authenticated());
    // and dialback is no way around it
    f.feed(kDbResult);
    EXPECT_EQ(f.transcript.find<action::Close>()->reason, "dialback-not-allowed");
  }
  {
    // Mismatched: the certificate is valid for partner.example, the authzid claims another.
    Fixture f(policy);
    f.feed(kPartnerHeader);
    f.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    f.tls(true);
    f.feed(kPartnerHeader);
    f.feed(
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
        "mechanism='EXTERNAL'>bXVjLnBhcnRuZXIuZXhhbXBsZQ==</auth>");
    EXPECT_TRUE(f.transcript.contains("<not-authorized/></failure>"));
    EXPECT_FALSE(f.session.authenticated());
  }
}

// Every partner policy combination the config accepts, on a plaintext and on a TLS stream with
// a valid certificate: what is offered and what is accepted.
TEST(InboundSession, PolicyMatrix) {
  const char* levels[] = {"required", "optional", "not-supported"};
  int combinations = 0;
  for (const char* tls : levels) {
    for (const char* sasl : levels) {
      for (bool dialback : {true, false}) {
        Partner probe;
        probe.tls = *parse_negotiation(tls);
        probe.sasl = *parse_negotiation(sasl);
        probe.dialback = dialback;
        if (!check_partner_matrix(probe).errors.empty()) {
          continue;  // refused at load: can never succeed
        }
        ++combinations;
        const std::string policy = partner_toml(tls, sasl, dialback);
        const std::string label = std::string(tls) + "/" + sasl + "/" + (dialback ? "db" : "-");
        const bool tls_offered = probe.tls != Negotiation::kNotSupported;
        // sasl = required with tls = not-supported degrades to dialback (config warning).
        const bool sasl_must = probe.sasl == Negotiation::kRequired && tls_offered;
        const bool plain_dialback = dialback && probe.tls != Negotiation::kRequired && !sasl_must;
        const bool tls_dialback = dialback && probe.sasl != Negotiation::kRequired;
        const bool external = probe.sasl != Negotiation::kNotSupported;

        Fixture plain(policy);
        plain.feed(kPartnerHeader);
        EXPECT_EQ(plain.transcript.contains("<starttls"), tls_offered) << label;
        EXPECT_EQ(plain.transcript.contains("<required/>"), probe.tls == Negotiation::kRequired)
            << label;
        EXPECT_EQ(plain.transcript.contains("<dialback"), plain_dialback) << label;
        EXPECT_FALSE(plain.transcript.contains("EXTERNAL")) << label;
        plain.feed(kDbResult);
        EXPECT_EQ(plain.transcript.find<action::RequestVerify>() != nullptr, plain_dialback)
            << label;
        EXPECT_EQ(plain.session.closed(), !plain_dialback) << label;

        if (!tls_offered) {
          continue;
        }
        Fixture secure(policy);
        secure.feed(kPartnerHeader);
        secure.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        secure.tls(true);
        secure.transcript.clear();
        secure.feed(kPartnerHeader);
        EXPECT_FALSE(secure.transcript.contains("<starttls")) << label;
        EXPECT_EQ(secure.transcript.contains("EXTERNAL"), external) << label;
        EXPECT_EQ(secure.transcript.contains("<dialback"), tls_dialback) << label;
        secure.feed("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
        EXPECT_EQ(secure.transcript.contains("<success"), external) << label;
        EXPECT_EQ(secure.session.authenticated(), external) << label;
        if (!external) {
          secure.feed(kDbResult);
          EXPECT_EQ(secure.transcript.find<action::RequestVerify>() != nullptr, tls_dialback)
              << label;
        }
      }
    }
  }
  EXPECT_EQ(combinations, 13);
}

TEST(InboundSession, TimeoutsAndShutdownCloseWithStreamErrors) {
  Fixture f(kDialbackOnly);
  f.session.on_timeout("establishment-timeout", f.out);
  f.transcript.take(f.out);
  EXPECT_TRUE(f.transcript.contains("<?xml"));  // header first, then the error
  EXPECT_TRUE(f.transcript.contains("<connection-timeout"));
  Fixture g(kDialbackOnly);
  g.feed(kPartnerHeader);
  g.session.on_shutdown(g.out);
  g.transcript.take(g.out);
  EXPECT_TRUE(g.transcript.contains("<system-shutdown"));
  EXPECT_TRUE(g.session.closed());
}

TEST(InboundSession, FramerErrorsBecomeStreamErrors) {
  Fixture f(kDialbackOnly);
  f.feed(kPartnerHeader);
  f.feed("<!-- sneaky -->");
  EXPECT_TRUE(f.transcript.contains("<restricted-xml"));
  EXPECT_EQ(f.transcript.find<action::Close>()->reason, "xml-comment");
}

// The pre-authentication caps and the element cap come from [federation].
TEST(InboundSession, HostilePeerCapsFromTheConfiguration) {
  const std::string caps =
      "preauth_max_bytes = 4096\npreauth_max_elements = 8\nmax_stanza_elements = 64\n";
  const auto closed_with = [](const Fixture& f) {
    EXPECT_TRUE(f.transcript.contains("<policy-violation"));
    const action::Close* close = f.transcript.find<action::Close>();
    return close == nullptr ? std::string("(open)") : close->reason;
  };
  Fixture bytes(kDialbackOnly, {false, false, "s"}, caps);
  bytes.feed(kPartnerHeader);
  bytes.feed(std::string(5'000, ' '));
  EXPECT_EQ(closed_with(bytes), "preauth-bytes");

  // A db:result for a domain not ours is answered and the stream stays: until the cap.
  Fixture elements(kDialbackOnly, {false, false, "s"}, caps);
  elements.feed(kPartnerHeader);
  for (int i = 0; i < 8; ++i) {
    elements.feed("<db:result from='partner.example' to='other.example'>k</db:result>");
  }
  EXPECT_EQ(elements.transcript.find<action::Close>(), nullptr);
  elements.feed("<db:result from='partner.example' to='other.example'>k</db:result>");
  EXPECT_EQ(closed_with(elements), "preauth-limit");

  Fixture stanza(kDialbackOnly, {false, false, "s"}, caps);
  stanza.feed(kPartnerHeader);
  stanza.feed(kDbResult);
  stanza.verify(VerifyOutcome::kValid);
  std::string wide = "<message from='a@partner.example' to='b@corp.example'>";
  for (int i = 0; i < 64; ++i) {
    wide += "<x/>";
  }
  stanza.feed(wide + "</message>");
  EXPECT_EQ(closed_with(stanza), "stanza-too-many-elements");
}

// ---- how the partner's certificate shapes inbound authentication ----------------------------

// Header, STARTTLS, handshake with a trusted or untrusted certificate, then the restarted
// header; returns the features the edge offered after TLS.
std::string features_after_tls(Fixture& f, bool cert_valid) {
  f.feed(kPartnerHeader);
  f.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  f.tls(cert_valid);
  f.transcript.clear();
  f.feed(kPartnerHeader);
  return f.transcript.sent;
}

TEST(InboundCertificate, DialbackOverUnauthenticatedTlsIsLabelled) {
  Fixture f(partner_toml("required", "optional", true));
  const std::string features = features_after_tls(f, false);
  EXPECT_EQ(features.find("EXTERNAL"), std::string::npos);
  EXPECT_NE(features.find("<dialback"), std::string::npos);
  f.feed(kDbResult);
  f.verify(VerifyOutcome::kValid);
  const action::Authenticated* authenticated = f.transcript.find<action::Authenticated>();
  ASSERT_NE(authenticated, nullptr);
  EXPECT_EQ(authenticated->method, "dialback-over-unauthenticated-tls");
  EXPECT_EQ(authenticated->certificate, "partner-cert-untrusted");
}

TEST(InboundCertificate, DialbackOverAnAuthenticatedCertificateIsPlainDialback) {
  Fixture f(partner_toml("required", "not-supported", true));
  features_after_tls(f, true);
  f.feed(kDbResult);
  f.verify(VerifyOutcome::kValid);
  const action::Authenticated* authenticated = f.transcript.find<action::Authenticated>();
  ASSERT_NE(authenticated, nullptr);
  EXPECT_EQ(authenticated->method, "dialback");
  EXPECT_EQ(authenticated->certificate, "ok");
}

TEST(InboundCertificate, VerifyCertificateForbidsDialbackInPlaceOfTheCertificate) {
  // type = "federated" over required TLS: verify_certificate defaults to true.
  Fixture f(partner_toml("required", "optional", true, "federated"));
  const std::string features = features_after_tls(f, false);
  EXPECT_EQ(features.find("<dialback"), std::string::npos);
  f.feed(kDbResult);
  EXPECT_EQ(f.transcript.find<action::RequestVerify>(), nullptr);
  ASSERT_NE(f.transcript.find<action::Close>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Close>()->reason, "partner-cert-untrusted");
  EXPECT_FALSE(f.session.authenticated());
}

TEST(InboundCertificate, VerifyCertificateStillAllowsDialbackOverAGoodCertificate) {
  Fixture f(partner_toml("required", "optional", true, "federated"));
  const std::string features = features_after_tls(f, true);
  EXPECT_NE(features.find("<dialback"), std::string::npos);
  f.feed(kDbResult);
  EXPECT_NE(f.transcript.find<action::RequestVerify>(), nullptr);
}

TEST(InboundCertificate, SaslExternalReportsTheCertificateAsOk) {
  Fixture f(partner_toml("required", "required", false));
  features_after_tls(f, true);
  f.feed("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
  const action::Authenticated* authenticated = f.transcript.find<action::Authenticated>();
  ASSERT_NE(authenticated, nullptr);
  EXPECT_EQ(authenticated->method, "sasl-external");
  EXPECT_EQ(authenticated->certificate, "ok");
}

TEST(InboundCertificate, PlaintextDialbackSaysNoCertificate) {
  Fixture f(kDialbackOnly);
  f.feed(kPartnerHeader);
  f.feed(kDbResult);
  f.verify(VerifyOutcome::kValid);
  ASSERT_NE(f.transcript.find<action::Authenticated>(), nullptr);
  EXPECT_EQ(f.transcript.find<action::Authenticated>()->certificate, "none");
}

}  // namespace
}  // namespace edgekit::edgeproxy
