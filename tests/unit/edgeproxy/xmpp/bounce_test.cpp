#include <gtest/gtest.h>

#include "edgeproxy/xmpp/bounce.hpp"
#include "session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::make_stanza;

TEST(Bounce, BuildsErrorsAndNeverAnswersErrors) {
  auto bounce = make_bounce(make_stanza("message", "a@corp.example/r", "b@partner.example"),
                            StanzaError::kRemoteServerNotFound);
  ASSERT_TRUE(bounce.has_value());
  EXPECT_EQ(*bounce,
            "<message from='b@partner.example' to='a@corp.example/r' type='error' id='i1'>"
            "<error type='cancel'><remote-server-not-found "
            "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
  bounce = make_bounce(make_stanza("iq", "a@corp.example", "b@partner.example", "get"),
                       StanzaError::kRemoteServerTimeout, "slow <peer>");
  ASSERT_TRUE(bounce.has_value());
  EXPECT_NE(bounce->find("<error type='wait'><remote-server-timeout"), std::string::npos);
  EXPECT_NE(bounce->find("slow &lt;peer&gt;"), std::string::npos);
  EXPECT_FALSE(
      make_bounce(make_stanza("message", "a@x", "b@y", "error"), StanzaError::kServiceUnavailable)
          .has_value());
  EXPECT_FALSE(
      make_bounce(make_stanza("iq", "a@x", "b@y", "result"), StanzaError::kServiceUnavailable)
          .has_value());
}

}  // namespace
}  // namespace edgekit::edgeproxy
