#include <gtest/gtest.h>

#include "edgeproxy/xmpp/xml_util.hpp"

namespace edgekit::edgeproxy {
namespace {

TEST(XmlUtil, Jids) {
  EXPECT_EQ(bare_jid("Juliet@Partner.Example/Res"), "Juliet@partner.example");
  EXPECT_EQ(jid_domain_lower("a@B.example/c"), "b.example");
  EXPECT_EQ(xml_escape("<a&'\">"), "&lt;a&amp;&apos;&quot;&gt;");
}

}  // namespace
}  // namespace edgekit::edgeproxy
