// The router decides and the links carry: every stanza handed to it is passed to a link or
// bounced to its sender with the error its reason calls for, in both directions, and an
// error stanza is never answered with another.

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
  Handoff to_internal(const std::string& component_domain, std::string raw,
                      const Element& routing) override {
    handed.push_back({"internal:" + component_domain, std::move(raw), routing});
    return components.count(component_domain) != 0 ? internal_answer : Handoff::kNoRoute;
  }
  Handoff to_partner(const std::string& local, const std::string& remote, std::string raw,
                     const Element& routing) override {
    handed.push_back({"partner:" + local + "->" + remote, std::move(raw), routing});
    return partner_answer;
  }

  std::set<std::string> components{"partner.example"};
  Handoff internal_answer = Handoff::kAccepted;
  Handoff partner_answer = Handoff::kAccepted;
  std::vector<Handed> handed;
};

struct RouterFixture {
  RouterFixture() {
    router.set_config(testing::make_config("[[partner]]\ndomain = \"partner.example\"\n"));
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
}

}  // namespace
}  // namespace edgekit::edgeproxy
