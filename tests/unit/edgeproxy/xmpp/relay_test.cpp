#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "edgeproxy/xmpp/relay.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {
namespace {

std::vector<FrameEvent> frame(std::string_view ns, std::string_view bytes) {
  XmlFramer framer(ns, {});
  const auto& events = framer.feed(bytes);
  return {events.begin(), events.end()};
}

TEST(RelayBytes, RewritesOnlyAnExplicitDefaultNamespace) {
  auto events = frame(
      kNsComponent,
      "<stream:stream xmlns='jabber:component:accept' "
      "xmlns:stream='http://etherx.jabber.org/streams' id='x'>"
      "<message xmlns='jabber:component:accept' to='a@p.example'><body>jabber:component:accept"
      "</body></message><message to='b@p.example'/>");
  ASSERT_EQ(events.size(), 3U);
  EXPECT_TRUE(events[1].element.declares_default_ns);
  EXPECT_EQ(relay_bytes(events[1].element, kNsServer),
            "<message xmlns='jabber:server' to='a@p.example'><body>jabber:component:accept"
            "</body></message>");
  EXPECT_FALSE(events[2].element.declares_default_ns);
  EXPECT_EQ(relay_bytes(events[2].element, kNsServer), "<message to='b@p.example'/>");
}

// Look-alikes of the declaration before it (a '>' inside a value, the namespace as a value)
// must not be what is rewritten: the bytes relayed must mean what the framer checked.
TEST(RelayBytes, RewritesTheDeclarationTheParserRead) {
  auto events =
      frame(kNsServer,
            "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
            "to='corp.example'>"
            "<message id='a>b' xmlns='jabber:server' to='r@corp.example'/>"
            "<message id='jabber:server' xmlns=\"jabber:server\"/>"
            "<message xmlns='jabber&#x3a;server'><body>x</body></message>");
  ASSERT_EQ(events.size(), 4U);
  EXPECT_EQ(relay_bytes(events[1].element, kNsComponent),
            "<message id='a>b' xmlns='jabber:component:accept' to='r@corp.example'/>");
  EXPECT_EQ(relay_bytes(events[2].element, kNsComponent),
            "<message id='jabber:server' xmlns=\"jabber:component:accept\"/>");
  EXPECT_EQ(relay_bytes(events[3].element, kNsComponent),
            "<message xmlns='jabber:component:accept'><body>x</body></message>");
}

}  // namespace
}  // namespace edgekit::edgeproxy
