// The router decides and the links carry: every stanza handed to it is passed to a link or
// bounced to its sender with the error its reason calls for, in both directions, and an
// error stanza is never answered with another. The ledger says which, for every stanza.

#include "edgeproxy/server/router.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/unit/edgeproxy/xmpp/session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::make_stanza;

struct Handed {
  std::string where;  // "internal:<component>" or "partner:<local>-><remote>"
  std::string raw;
  Element routing;
};

// Links whose answer the test chooses, recording everything handed to them.
class RecordingLinks final : public RouterLinks {
 public:
  [[nodiscard]] bool has_component(const std::string& domain) const override {
    return components.count(domain) != 0;
  }
  Handoff to_internal(const std::string& component_domain, PendingStanza& stanza) override {
    return record("internal:" + component_domain, stanza,
                  components.count(component_domain) != 0 ? internal_answer : Handoff::kNoRoute);
  }
  Handoff to_partner(const std::string& local, const std::string& remote,
                     PendingStanza& stanza) override {
    return record("partner:" + local + "->" + remote, stanza, partner_answer);
  }
  // A link that takes a stanza settles it when written: here at once.
  Handoff record(std::string where, PendingStanza& stanza, Handoff answer) {
    handed.push_back({std::move(where), stanza.raw, stanza.ticket.routing});
    if (answer == Handoff::kAccepted && stanza.ticket.account) {
      ledger->ended(*stanza.ticket.account, Outcome::kDelivered);
    }
    return answer;
  }

  std::set<std::string> components{"partner.example"};
  Handoff internal_answer = Handoff::kAccepted;
  Handoff partner_answer = Handoff::kAccepted;
  std::vector<Handed> handed;
  StanzaLedger* ledger = nullptr;
};

struct RouterFixture {
  RouterFixture() {
    router.set_config(testing::make_config("[[partner]]\ndomain = \"partner.example\"\n"));
    links.ledger = &metrics.ledger();
  }
  // How the stanzas of one flow ended; every one of them has (nothing stays in flight).
  void expect_ended(Flow flow, const std::string& partner, Outcome outcome) {
    const auto counts = metrics.ledger().counts(flow, partner);
    EXPECT_EQ(counts.accepted, 1U);
    EXPECT_EQ(counts.count(outcome), 1U) << to_string(outcome);
    EXPECT_EQ(counts.in_flight(), 0);
  }
  Element stanza(const std::string& from, const std::string& to, const std::string& type = "") {
    Element element = make_stanza("message", from, to, type);
    element.raw = "<message from='" + from + "' to='" + to + "'/>";
    return element;
  }
  RecordingLinks links;
  Metrics metrics;
  Router router{links, metrics};
};

TEST(Router, PartnerStanzaGoesToItsComponentLinkAsSent) {
  RouterFixture f;
  f.router.from_partner("partner.example", f.stanza("j@partner.example", "a@corp.example"));
  ASSERT_EQ(f.links.handed.size(), 1U);
  EXPECT_EQ(f.links.handed[0].where, "internal:partner.example");
  EXPECT_EQ(f.links.handed[0].raw, "<message from='j@partner.example' to='a@corp.example'/>");
  EXPECT_EQ(f.metrics.partner("partner.example").bounces, 0U);
  f.expect_ended(Flow::kInbound, "partner.example", Outcome::kDelivered);
}

TEST(Router, PartnerStanzaWithoutALinkIsBouncedServiceUnavailable) {
  RouterFixture f;
  f.links.components.clear();
  f.router.from_partner("partner.example", f.stanza("j@partner.example", "a@corp.example"));
  ASSERT_EQ(f.links.handed.size(), 2U);
  EXPECT_EQ(f.links.handed[1].where, "partner:corp.example->partner.example");
  EXPECT_NE(f.links.handed[1].raw.find("service-unavailable"), std::string::npos);
  EXPECT_EQ(f.links.handed[1].routing.type, "error");
  EXPECT_EQ(f.metrics.partner("partner.example").bounces, 1U);
  f.expect_ended(Flow::kInbound, "partner.example", Outcome::kBounced);
}

TEST(Router, FullInternalQueueBouncesToThePartner) {
  RouterFixture f;
  f.links.internal_answer = Handoff::kQueueFull;
  f.router.from_partner("partner.example", f.stanza("j@partner.example", "a@corp.example"));
  ASSERT_EQ(f.links.handed.size(), 2U);
  EXPECT_NE(f.links.handed[1].raw.find("service-unavailable"), std::string::npos);
}

TEST(Router, InternalStanzaGoesToThePartnerStream) {
  RouterFixture f;
  f.router.from_internal("partner.example", f.stanza("a@corp.example/r", "j@partner.example"));
  ASSERT_EQ(f.links.handed.size(), 1U);
  EXPECT_EQ(f.links.handed[0].where, "partner:corp.example->partner.example");
  EXPECT_EQ(f.metrics.partner("partner.example").stanzas_out, 1U);
}

TEST(Router, UnreachablePartnerBouncesRemoteServerNotFound) {
  RouterFixture f;
  f.links.partner_answer = Handoff::kNoRoute;
  f.router.from_internal("partner.example", f.stanza("a@corp.example/r", "j@partner.example"));
  ASSERT_EQ(f.links.handed.size(), 2U);
  EXPECT_EQ(f.links.handed[1].where, "internal:partner.example");
  EXPECT_NE(f.links.handed[1].raw.find("remote-server-not-found"), std::string::npos);
  f.expect_ended(Flow::kOutbound, "partner.example", Outcome::kBounced);
}

TEST(Router, FullOutboundQueueBouncesRemoteServerTimeout) {
  RouterFixture f;
  f.links.partner_answer = Handoff::kQueueFull;
  f.router.from_internal("partner.example", f.stanza("a@corp.example/r", "j@partner.example"));
  ASSERT_EQ(f.links.handed.size(), 2U);
  EXPECT_NE(f.links.handed[1].raw.find("remote-server-timeout"), std::string::npos);
}

TEST(Router, UnknownPartnerIsRefusedOverTheLinkItCameOn) {
  RouterFixture f;
  f.router.from_internal("partner.example", f.stanza("a@corp.example", "x@stranger.example"));
  ASSERT_EQ(f.links.handed.size(), 1U);
  EXPECT_EQ(f.links.handed[0].where, "internal:partner.example");
  EXPECT_NE(f.links.handed[0].raw.find("policy-violation"), std::string::npos);
  // Counted under one label whatever domain was invented.
  f.expect_ended(Flow::kOutbound, std::string(kUnlistedPartner), Outcome::kRefused);
  EXPECT_EQ(f.metrics.ledger().counts(Flow::kOutbound, "stranger.example").accepted, 0U);
}

TEST(Router, ForeignSenderIsRefusedNotAllowed) {
  RouterFixture f;
  f.router.from_internal("partner.example", f.stanza("a@elsewhere.example", "j@partner.example"));
  ASSERT_EQ(f.links.handed.size(), 1U);
  EXPECT_NE(f.links.handed[0].raw.find("not-allowed"), std::string::npos);
}

TEST(Router, AnErrorIsNeverAnsweredWithAnError) {
  RouterFixture f;
  f.links.partner_answer = Handoff::kNoRoute;
  f.router.from_internal("partner.example",
                         f.stanza("a@corp.example", "j@partner.example", "error"));
  ASSERT_EQ(f.links.handed.size(), 1U);  // the attempt to deliver, and no bounce of it
  EXPECT_EQ(f.metrics.partner("partner.example").bounces, 0U);
  f.expect_ended(Flow::kOutbound, "partner.example", Outcome::kDropped);
}

// The bounce itself finds no way back (the partner's stream cannot be made): the stanza is
// not claimed as bounced, it ends as dropped.
TEST(Router, ABounceWithNoWayBackIsDroppedNotCountedAsBounced) {
  RouterFixture f;
  f.links.components.clear();
  f.links.partner_answer = Handoff::kNoRoute;
  f.router.from_partner("partner.example", f.stanza("j@partner.example", "a@corp.example"));
  ASSERT_EQ(f.links.handed.size(), 2U);  // the delivery, then the error, both refused
  EXPECT_EQ(f.metrics.partner("partner.example").bounces, 0U);
  f.expect_ended(Flow::kInbound, "partner.example", Outcome::kDropped);
}

TEST(Router, ALaterBounceGoesBackOverTheLinkTheStanzaCameOn) {
  RouterFixture f;
  f.links.components.insert("other.example");
  f.links.partner_answer = Handoff::kAccepted;
  f.router.from_internal("other.example", f.stanza("a@corp.example/r", "j@partner.example"));
  // The link took it (and here settled it); a stanza's ticket still names its way back.
  StanzaTicket ticket{f.links.handed[0].routing, StanzaAccount{Flow::kOutbound, "partner.example"},
                      "other.example"};
  f.router.bounce(ticket, StanzaError::kRemoteServerTimeout, "partner-stream-lost");
  ASSERT_EQ(f.links.handed.size(), 2U);
  EXPECT_EQ(f.links.handed[1].where, "internal:other.example");
  EXPECT_NE(f.links.handed[1].raw.find("remote-server-timeout"), std::string::npos);
}

}  // namespace
}  // namespace edgekit::edgeproxy
