// The refusal sent at accept is a whole, well-formed stream a peer's parser reads as a header,
// one stream error and the close.

#include "edgeproxy/xmpp/stream_error.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {
namespace {

TEST(StreamError, RefusalStreamIsAHeaderOneErrorAndTheClose) {
  const std::string xml =
      refusal_stream_xml(StreamError::kPolicyViolation, "too many streams from your address");
  XmlFramer framer(kNsServer, FramerLimits{});
  std::vector<FrameEventKind> kinds;
  std::string element;
  for (const auto& event : framer.feed(xml)) {
    kinds.push_back(event.kind);
    if (event.kind == FrameEventKind::kElement) {
      element = event.element.raw;
    }
  }
  EXPECT_EQ(kinds,
            (std::vector<FrameEventKind>{FrameEventKind::kStreamOpen, FrameEventKind::kElement,
                                         FrameEventKind::kStreamClose}));
  EXPECT_NE(element.find("<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"),
            std::string::npos);
  EXPECT_NE(element.find(">too many streams from your address</text>"), std::string::npos);
}

TEST(StreamError, RefusalCarriesTheConditionItIsGiven) {
  EXPECT_NE(
      refusal_stream_xml(StreamError::kResourceConstraint, "full").find("<resource-constraint "),
      std::string::npos);
}

}  // namespace
}  // namespace edgekit::edgeproxy
