#include <gtest/gtest.h>

#include "edgeproxy/xmpp/relay.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {
namespace {

TEST(RelayBytes, RewritesOnlyAnExplicitDefaultNamespace) {
  XmlFramer framer(kNsComponent, {});
  auto& events = framer.feed(
      "<stream:stream xmlns='jabber:component:accept' "
      "xmlns:stream='http://etherx.jabber.org/streams' id='x'>"
      "<message xmlns='jabber:component:accept' to='a@p.example'><body>jabber:component:accept"
      "</body></message><message to='b@p.example'/>");
  ASSERT_EQ(events.size(), 3U);
  EXPECT_TRUE(events[1].element.declares_default_ns);
  EXPECT_EQ(relay_bytes(events[1].element, kNsComponent, kNsServer),
            "<message xmlns='jabber:server' to='a@p.example'><body>jabber:component:accept"
            "</body></message>");
  EXPECT_FALSE(events[2].element.declares_default_ns);
  EXPECT_EQ(relay_bytes(events[2].element, kNsComponent, kNsServer), "<message to='b@p.example'/>");
}

}  // namespace
}  // namespace edgekit::edgeproxy
