#include "edgeproxy/xmpp/start_tag.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace edgekit::edgeproxy {
namespace {

std::string_view value_of(std::string_view tag, std::string_view name) {
  const auto range = find_attribute_value(tag, name);
  return range ? tag.substr(range->offset, range->size) : std::string_view("<none>");
}

TEST(StartTag, FindsTheAttributeNotALookAlike) {
  EXPECT_EQ(value_of("<message xmlns='jabber:server'>", "xmlns"), "jabber:server");
  EXPECT_EQ(value_of("<message\n to = \"a\"\txmlns=\"jabber:server\"/>", "xmlns"), "jabber:server");
  // A '>' or the name inside an earlier value, and a prefixed declaration, are not it.
  EXPECT_EQ(value_of("<message id='a>xmlns=&apos;jabber:server' xmlns:x='jabber:server' "
                     "xmlns='jabber:server'>",
                     "xmlns"),
            "jabber:server");
  const std::string_view tag = "<message id=\"it's xmlns='jabber:server'\" xmlns='jabber:server'>";
  const auto range = find_attribute_value(tag, "xmlns");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->offset, tag.rfind("jabber:server"));
  EXPECT_EQ(value_of("<message xmlns='jabber&#x3a;server'>", "xmlns"), "jabber&#x3a;server");
  EXPECT_EQ(value_of("<message xmlns=''>", "xmlns"), "");
}

TEST(StartTag, NoSuchAttribute) {
  EXPECT_EQ(value_of("<message to='a'>", "xmlns"), "<none>");
  EXPECT_EQ(value_of("<message/>", "xmlns"), "<none>");
  EXPECT_EQ(value_of("<x:message xmlns:x='jabber:server'>", "xmlns"), "<none>");
  EXPECT_EQ(value_of("", "xmlns"), "<none>");
  EXPECT_EQ(value_of("<message xmlns='unterminated", "xmlns"), "<none>");
  EXPECT_EQ(value_of("<message xmlns>", "xmlns"), "<none>");
}

}  // namespace
}  // namespace edgekit::edgeproxy
