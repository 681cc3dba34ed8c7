#include <gtest/gtest.h>

#include "edgeproxy/xmpp/component_session.hpp"
#include "edgeproxy/xmpp/dialback_key.hpp"
#include "session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::Transcript;

TEST(ComponentSession, HandshakeAndStanzas) {
  // SHA-1("abc" + "secret") computed independently with sha1sum.
  EXPECT_EQ(component_handshake_digest("abc", "secret"),
            "de0a408ef519cd62e7379039634152874895c50c");
  EXPECT_EQ(component_handshake_digest("abc", "secret").size(), 40U);
  ComponentSession session("partner.example", "secret", 65536);
  Actions out;
  Transcript transcript;
  session.on_connected(out);
  transcript.take(out);
  EXPECT_TRUE(transcript.contains("xmlns='jabber:component:accept'"));
  EXPECT_TRUE(transcript.contains("to='partner.example'"));
  transcript.clear();
  session.on_bytes(
      "<stream:stream xmlns='jabber:component:accept' "
      "xmlns:stream='http://etherx.jabber.org/streams' id='abc' from='partner.example'>",
      out);
  transcript.take(out);
  EXPECT_EQ(transcript.sent,
            "<handshake>" + component_handshake_digest("abc", "secret") + "</handshake>");
  session.on_bytes("<handshake/>", out);
  transcript.take(out);
  ASSERT_NE(transcript.find<action::Ready>(), nullptr);
  transcript.clear();
  session.on_bytes(
      "<message from='romeo@corp.example' to='juliet@Partner.example/r'><body>x"
      "</body></message>",
      out);
  transcript.take(out);
  const action::Deliver* deliver = transcript.find<action::Deliver>();
  ASSERT_NE(deliver, nullptr);
  EXPECT_EQ(deliver->domain, "partner.example");
  EXPECT_EQ(deliver->element.from, "romeo@corp.example");
}

TEST(ComponentSession, RejectedHandshake) {
  ComponentSession session("partner.example", "wrong", 65536);
  Actions out;
  Transcript transcript;
  session.on_connected(out);
  session.on_bytes(
      "<stream:stream xmlns='jabber:component:accept' "
      "xmlns:stream='http://etherx.jabber.org/streams' id='abc'><stream:error><not-authorized "
      "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
      out);
  transcript.take(out);
  ASSERT_NE(transcript.find<action::Close>(), nullptr);
  EXPECT_EQ(transcript.find<action::Close>()->reason, "component-rejected:not-authorized");
  EXPECT_FALSE(session.ready());
}

}  // namespace
}  // namespace edgekit::edgeproxy
