// The ledger's arithmetic: in flight is what was accepted and has not ended, per flow and
// partner, and the metrics page shows every family for every pair seen.

#include "edgeproxy/xmpp/stanza_ledger.hpp"

#include <gtest/gtest.h>

#include "edgeproxy/xmpp/metrics.hpp"

namespace edgekit::edgeproxy {
namespace {

const StanzaAccount kIn{Flow::kInbound, "partner.example"};
const StanzaAccount kOut{Flow::kOutbound, "partner.example"};

TEST(StanzaLedger, InFlightIsAcceptedMinusEveryEnding) {
  StanzaLedger ledger;
  for (int i = 0; i < 5; ++i) {
    ledger.accepted(kIn);
  }
  ledger.ended(kIn, Outcome::kDelivered);
  ledger.ended(kIn, Outcome::kBounced);
  ledger.ended(kIn, Outcome::kRefused);
  ledger.ended(kIn, Outcome::kDropped);
  const auto counts = ledger.counts(Flow::kInbound, "partner.example");
  EXPECT_EQ(counts.accepted, 5U);
  EXPECT_EQ(counts.in_flight(), 1);
  EXPECT_EQ(ledger.in_flight(), 1);
  ledger.ended(kIn, Outcome::kDelivered);
  EXPECT_EQ(ledger.in_flight(), 0);
}

TEST(StanzaLedger, FlowsAndPartnersAreCountedApart) {
  StanzaLedger ledger;
  ledger.accepted(kIn);
  ledger.accepted(kOut);
  ledger.accepted(StanzaAccount{Flow::kInbound, "other.example"});
  ledger.ended(kOut, Outcome::kDelivered);
  EXPECT_EQ(ledger.counts(Flow::kInbound, "partner.example").in_flight(), 1);
  EXPECT_EQ(ledger.counts(Flow::kOutbound, "partner.example").in_flight(), 0);
  EXPECT_EQ(ledger.counts(Flow::kInbound, "other.example").accepted, 1U);
  EXPECT_EQ(ledger.counts(Flow::kOutbound, "never.example").accepted, 0U);
  EXPECT_EQ(ledger.in_flight(), 2);
}

TEST(StanzaLedger, MetricsShowEveryFamilyWithDirectionAndPartner) {
  Metrics metrics;
  metrics.ledger().accepted(kIn);
  metrics.ledger().accepted(kIn);
  metrics.ledger().ended(kIn, Outcome::kBounced);
  const std::string page = metrics.render();
  for (const char* line : {
           "edgekit_stanzas_accepted_total{direction=\"inbound\",partner=\"partner.example\"} 2",
           "edgekit_stanzas_delivered_total{direction=\"inbound\",partner=\"partner.example\"} 0",
           "edgekit_stanzas_bounced_total{direction=\"inbound\",partner=\"partner.example\"} 1",
           "edgekit_stanzas_refused_total{direction=\"inbound\",partner=\"partner.example\"} 0",
           "edgekit_stanzas_dropped_total{direction=\"inbound\",partner=\"partner.example\"} 0",
           "edgekit_stanzas_in_flight{direction=\"inbound\",partner=\"partner.example\"} 1",
           "# TYPE edgekit_stanzas_in_flight gauge",
           "# TYPE edgekit_stanzas_accepted_total counter",
       }) {
    EXPECT_NE(page.find(line), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace edgekit::edgeproxy
