#include "edgeproxy/outbound_session.hpp"

#include <gtest/gtest.h>

#include "edgeproxy/inbound_session.hpp"
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
                   OutboundPurpose purpose = OutboundPurpose::kStanzas)
      : session(OutboundOptions{"corp.example", "partner.example", std::move(partner), purpose,
                                tls_available, false, 262'144},
                keys) {
    session.on_connected(out);
    transcript.take(out);
  }
  void feed(std::string_view bytes) {
    session.on_bytes(bytes, out);
    transcript.take(out);
  }
  void tls() {
    session.on_tls_established([](std::string_view) { return true; }, out);
    transcript.take(out);
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
  ASSERT_NE(f.transcript.find(ActionKind::kReady), nullptr);
  EXPECT_EQ(f.transcript.find(ActionKind::kReady)->method, "dialback");
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
  ASSERT_NE(f.transcript.find(ActionKind::kClose), nullptr);
  EXPECT_EQ(f.transcript.find(ActionKind::kClose)->reason, "peer-requires-tls");
}

TEST(OutboundSession, TlsRequiredButNotOfferedFails) {
  Fixture f(policy(Negotiation::kRequired, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) +
         "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>");
  EXPECT_EQ(f.transcript.find(ActionKind::kClose)->reason, "peer-offers-no-tls");
  Fixture g(policy(Negotiation::kRequired, Negotiation::kNotSupported, true), false);
  g.feed(std::string(kPeerHeader) +
         "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>");
  EXPECT_EQ(g.transcript.find(ActionKind::kClose)->reason, "no-certificate");
}

TEST(OutboundSession, StartTlsThenSaslExternal) {
  Fixture f(policy(Negotiation::kRequired, Negotiation::kRequired, false));
  f.feed(std::string(kPeerHeader) +
         "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
         "</starttls></stream:features>");
  EXPECT_TRUE(f.transcript.contains("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
  f.feed("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  ASSERT_NE(f.transcript.find(ActionKind::kStartTls), nullptr);
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
  ASSERT_NE(f.transcript.find(ActionKind::kReady), nullptr);
  EXPECT_EQ(f.transcript.find(ActionKind::kReady)->method, "sasl-external");
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
    EXPECT_EQ(f.transcript.find(ActionKind::kClose)->reason, "sasl-external-rejected");
  }
}

TEST(OutboundSession, DialbackRejectedAndErrors) {
  Fixture f(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  f.feed(std::string(kPeerHeader) +
         "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>");
  f.feed("<db:result from='partner.example' to='corp.example' type='invalid'/>");
  EXPECT_EQ(f.transcript.find(ActionKind::kClose)->reason, "dialback-rejected");
  Fixture g(policy(Negotiation::kNotSupported, Negotiation::kNotSupported, true));
  g.feed(std::string(kPeerHeader) + "<stream:features/>");
  g.feed(
      "<db:result from='partner.example' to='corp.example' type='error'><error "
      "type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"
      "</db:result>");
  EXPECT_EQ(g.transcript.find(ActionKind::kClose)->reason, "dialback-error:item-not-found");
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
  const Action* verified = f.transcript.find(ActionKind::kVerified);
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
  EXPECT_EQ(f.transcript.find(ActionKind::kClose)->reason, "peer-stream-error:policy-violation");
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
  std::optional<Action> verify_request;
  for (int round = 0; round < 10; ++round) {
    for (auto& action : a_out) {
      if (action.kind == ActionKind::kSend) {
        b.on_bytes(action.data, b_out);
      }
    }
    a_out.clear();
    for (auto& action : b_out) {
      if (action.kind == ActionKind::kSend) {
        a.on_bytes(action.data, a_out);
      } else if (action.kind == ActionKind::kRequestVerify) {
        verify_request = action;
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
    if (action.kind == ActionKind::kSend) {
      a.on_bytes(action.data, a_out);
    }
  }
  EXPECT_TRUE(a.ready());
  EXPECT_TRUE(b.authenticated());
  b_out.clear();
  b.on_bytes("<message from='x@partner.example' to='y@corp.example'/>", b_out);
  ASSERT_EQ(b_out.size(), 1U);
  EXPECT_EQ(b_out[0].kind, ActionKind::kDeliver);
}

}  // namespace
}  // namespace edgekit::edgeproxy
