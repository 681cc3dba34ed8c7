// The probe's stream reader, driven by transcripts: what Prosody and ejabberd send, split at
// every byte boundary, and hostile input.
#include <gtest/gtest.h>

#include "dnstool/probe_stream.hpp"

namespace edgekit::dnstool {
namespace {

constexpr std::string_view kHeader =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
    "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
    "from='corp.example' id='abc' version='1.0'>";
constexpr std::string_view kFeatures =
    "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
    "<dialback xmlns='urn:xmpp:features:dialback'/>"
    "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism>"
    "</mechanisms></stream:features>";

TEST(ProbeStream, FeaturesAtEverySplit) {
  const std::string transcript = std::string(kHeader) + std::string(kFeatures);
  for (std::size_t split = 0; split <= transcript.size(); ++split) {
    ProbeStreamReader reader;
    auto first = reader.feed(std::string_view(transcript).substr(0, split));
    auto second = first == ProbeEvent::kNeedMore
                      ? reader.feed(std::string_view(transcript).substr(split))
                      : first;
    ASSERT_EQ(second, ProbeEvent::kFeatures) << "split at " << split;
    EXPECT_TRUE(reader.features().starttls);
    EXPECT_TRUE(reader.features().starttls_required);
    EXPECT_TRUE(reader.features().dialback);
    EXPECT_TRUE(reader.features().sasl_external());
    EXPECT_EQ(reader.stream_from(), "corp.example");
  }
}

TEST(ProbeStream, ProceedAfterFeatures) {
  ProbeStreamReader reader;
  ASSERT_EQ(reader.feed(std::string(kHeader) + "<stream:features/>"), ProbeEvent::kFeatures);
  EXPECT_FALSE(reader.features().starttls);
  EXPECT_EQ(reader.feed("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
            ProbeEvent::kProceed);
}

TEST(ProbeStream, FailureAndStreamErrors) {
  ProbeStreamReader refused;
  refused.feed(std::string(kHeader) + std::string(kFeatures));
  EXPECT_EQ(refused.feed("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
            ProbeEvent::kTlsFailure);
  ProbeStreamReader error;
  EXPECT_EQ(error.feed(std::string(kHeader) +
                       "<stream:error><host-unknown "
                       "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"),
            ProbeEvent::kStreamError);
  EXPECT_EQ(error.error(), "stream error: host-unknown");
  ProbeStreamReader closed;
  EXPECT_EQ(closed.feed(std::string(kHeader) + "</stream:stream>"), ProbeEvent::kClosed);
}

TEST(ProbeStream, HostileInputIsRefused) {
  ProbeStreamReader dtd;
  EXPECT_EQ(dtd.feed("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x/>"), ProbeEvent::kBad);
  ProbeStreamReader not_xmpp;
  EXPECT_EQ(not_xmpp.feed("<html><body>"), ProbeEvent::kBad);
  ProbeStreamReader garbage;
  EXPECT_EQ(garbage.feed("SSH-2.0-OpenSSH_9.2\r\n"), ProbeEvent::kBad);
  ProbeStreamReader deep;
  std::string nested(kHeader);
  for (int i = 0; i < 40; ++i) {
    nested += "<a>";
  }
  EXPECT_EQ(deep.feed(nested), ProbeEvent::kBad);
  ProbeStreamReader big;
  big.feed(kHeader);
  EXPECT_EQ(big.feed(std::string(kMaxProbeBytes, ' ')), ProbeEvent::kBad);
  // After a hostile event the reader stays failed.
  EXPECT_EQ(big.feed("<stream:features/>"), ProbeEvent::kBad);
}

TEST(ProbeStream, HeaderEscapesTheDomain) {
  const auto header = probe_stream_header("a'b.example");
  EXPECT_NE(header.find("to='a&apos;b.example'"), std::string::npos);
}

}  // namespace
}  // namespace edgekit::dnstool
