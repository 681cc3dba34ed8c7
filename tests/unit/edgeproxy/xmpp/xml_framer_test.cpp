#include "edgeproxy/xmpp/xml_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgekit::edgeproxy {
namespace {

constexpr std::string_view kHeader =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
    "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
    "from='partner.example' to='corp.example' version='1.0'>";

std::vector<FrameEvent> feed_all(XmlFramer& framer, std::string_view bytes) {
  const auto& events = framer.feed(bytes);
  return {events.begin(), events.end()};
}

// Feeds one byte at a time: elements must come out identical however the bytes are split.
std::vector<FrameEvent> feed_bytewise(XmlFramer& framer, std::string_view bytes) {
  std::vector<FrameEvent> all;
  for (char c : bytes) {
    const auto& events = framer.feed(std::string_view(&c, 1));
    all.insert(all.end(), events.begin(), events.end());
  }
  return all;
}

FramerFailure failure_of(std::string_view body, FramerLimits limits = {}) {
  XmlFramer framer(kNsServer, limits);
  auto events = feed_all(framer, std::string(kHeader) + std::string(body));
  if (events.empty() || events.back().kind != FrameEventKind::kError) {
    return FramerFailure{StreamError::kUndefinedCondition, "no-error"};
  }
  return events.back().failure;
}

TEST(XmlFramer, ParsesHeaderAndStanzasWithRawBytes) {
  XmlFramer framer(kNsServer, {});
  const std::string stanza =
      "<message from='juliet@partner.example/r' to='romeo@corp.example' type='chat' "
      "id='m1'><body>hi &amp; bye</body></message>";
  auto events = feed_all(framer, std::string(kHeader) + stanza + "\n <presence/>");
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].kind, FrameEventKind::kStreamOpen);
  EXPECT_EQ(events[0].header.from, "partner.example");
  EXPECT_EQ(events[0].header.to, "corp.example");
  EXPECT_EQ(events[0].header.version, "1.0");
  EXPECT_EQ(events[0].header.default_ns, "jabber:server");
  EXPECT_TRUE(events[0].header.dialback_ns);
  const Element& message = events[1].element;
  EXPECT_TRUE(message.is_stanza);
  EXPECT_EQ(message.name, "message");
  EXPECT_EQ(message.from, "juliet@partner.example/r");
  EXPECT_EQ(message.to, "romeo@corp.example");
  EXPECT_EQ(message.type, "chat");
  EXPECT_EQ(message.id, "m1");
  EXPECT_EQ(message.raw, stanza);
  EXPECT_EQ(events[2].element.raw, "<presence/>");
  EXPECT_EQ(events[2].element.name, "presence");
}

TEST(XmlFramer, ByteAtATimeGivesTheSameElements) {
  XmlFramer framer(kNsServer, {});
  const std::string stanza =
      "<iq type='get' id='p' from='partner.example' to='corp.example'><ping "
      "xmlns='urn:xmpp:ping'/></iq>";
  auto events = feed_bytewise(
      framer, std::string(kHeader) + stanza + "<presence/> " + stanza + "</stream:stream>");
  ASSERT_EQ(events.size(), 5U);
  EXPECT_EQ(events[1].element.raw, stanza);
  EXPECT_EQ(events[2].element.raw, "<presence/>");
  EXPECT_EQ(events[3].element.raw, stanza);
  EXPECT_EQ(events[4].kind, FrameEventKind::kStreamClose);
}

TEST(XmlFramer, NegotiationElementsCarryChildrenAndText) {
  XmlFramer framer(kNsServer, {});
  auto events = feed_all(
      framer, std::string(kHeader) +
                  "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
                  "</starttls><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>"
                  "EXTERNAL</mechanism></mechanisms></stream:features>"
                  "<db:result from='partner.example' to='corp.example'>abc123</db:result>");
  ASSERT_EQ(events.size(), 3U);
  const Element& features = events[1].element;
  EXPECT_FALSE(features.is_stanza);
  EXPECT_EQ(features.ns, kNsStreams);
  EXPECT_EQ(features.name, "features");
  EXPECT_TRUE(features.has_child(kNsTls, "starttls"));
  EXPECT_TRUE(features.has_child(kNsTls, "required"));
  const auto* mechanism = features.find_child(kNsSasl, "mechanism");
  ASSERT_NE(mechanism, nullptr);
  EXPECT_EQ(mechanism->text, "EXTERNAL");
  const Element& result = events[2].element;
  EXPECT_EQ(result.ns, kNsDialback);
  EXPECT_EQ(result.name, "result");
  EXPECT_EQ(result.text, "abc123");
  EXPECT_EQ(result.to, "corp.example");
}

TEST(XmlFramer, RestartExpectsANewHeader) {
  XmlFramer framer(kNsServer, {});
  auto events = feed_all(
      framer, std::string(kHeader) + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  ASSERT_EQ(events.size(), 2U);
  framer.restart();
  events = feed_all(framer, std::string(kHeader) + "<presence/>");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].kind, FrameEventKind::kStreamOpen);
  EXPECT_EQ(events[1].element.raw, "<presence/>");
}

TEST(XmlFramer, WhitespaceKeepalivesAreIgnoredAndNotBuffered) {
  XmlFramer framer(kNsServer, FramerLimits{.max_stanza_bytes = 64});
  framer.set_authenticated();
  ASSERT_EQ(feed_all(framer, kHeader).size(), 1U);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(feed_all(framer, " \n").empty());
  }
  auto events = feed_all(framer, "<presence/>");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].element.raw, "<presence/>");
}

TEST(XmlFramer, ComponentNamespace) {
  XmlFramer framer(kNsComponent, {});
  auto events = feed_all(framer,
                         "<stream:stream xmlns='jabber:component:accept' "
                         "xmlns:stream='http://etherx.jabber.org/streams' id='abc' "
                         "from='partner.example'><handshake/><message to='a@b'/>");
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].header.id, "abc");
  EXPECT_FALSE(events[1].element.is_stanza);
  EXPECT_TRUE(events[2].element.is_stanza);
}

struct HostileCase {
  const char* name;
  std::string body;
  StreamError condition;
  const char* reason;
};

TEST(XmlFramer, RejectsHostileInput) {
  const std::vector<HostileCase> cases = {
      {"comment", "<!-- hi --><presence/>", StreamError::kRestrictedXml, "xml-comment"},
      {"pi", "<?evil x?>", StreamError::kRestrictedXml, "xml-processing-instruction"},
      {"entity", "<message>&xxe;</message>", StreamError::kRestrictedXml, "xml-entity"},
      {"bad utf8", "<message><body>\xC3\x28</body></message>", StreamError::kNotWellFormed,
       "xml-invalid-char"},
      {"overlong utf8", "<message><body>\xC0\xAF</body></message>", StreamError::kNotWellFormed,
       "xml-invalid-char"},
      {"mismatched", "<message></presence>", StreamError::kNotWellFormed, "xml-not-well-formed"},
      {"unbound prefix", "<foo:message/>", StreamError::kNotWellFormed, "xml-unbound-prefix"},
      {"text at stream level", "hello", StreamError::kBadFormat, "stream-text"},
      {"stream prefix in stanza", "<message><db:x/></message>", StreamError::kInvalidNamespace,
       "stanza-stream-prefix"},
      {"nul char ref", "<message><body>&#0;</body></message>", StreamError::kNotWellFormed,
       "xml-invalid-char"},
  };
  for (const auto& test_case : cases) {
    const auto failure = failure_of(test_case.body);
    EXPECT_EQ(failure.condition, test_case.condition) << test_case.name;
    EXPECT_EQ(failure.reason, test_case.reason) << test_case.name;
  }
}

TEST(XmlFramer, RejectsDoctypeBeforeTheHeader) {
  XmlFramer framer(kNsServer, {});
  auto events = feed_all(framer,
                         "<?xml version='1.0'?><!DOCTYPE lol [<!ENTITY lol 'lol'>]>"
                         "<stream:stream xmlns='jabber:server' "
                         "xmlns:stream='http://etherx.jabber.org/streams'>");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].kind, FrameEventKind::kError);
  EXPECT_EQ(events[0].failure.condition, StreamError::kRestrictedXml);
  EXPECT_EQ(events[0].failure.reason, "xml-dtd");
}

TEST(XmlFramer, RejectsWrongNamespacesAndEncoding) {
  {
    XmlFramer framer(kNsServer, {});
    auto events = feed_all(framer,
                           "<stream:stream xmlns='jabber:client' "
                           "xmlns:stream='http://etherx.jabber.org/streams'>");
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].failure.condition, StreamError::kInvalidNamespace);
  }
  {
    XmlFramer framer(kNsServer, {});
    auto events = feed_all(framer, "<stream xmlns='jabber:server'>");
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].failure.condition, StreamError::kInvalidNamespace);
  }
  {
    XmlFramer framer(kNsServer, {});
    auto events = feed_all(framer, "<?xml version='1.0' encoding='ISO-8859-1'?><a/>");
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].failure.condition, StreamError::kUnsupportedEncoding);
  }
}

TEST(XmlFramer, EnforcesDepthStanzaSizeAndPreauthCaps) {
  std::string deep = "<message>";
  for (int i = 0; i < 30; ++i) {
    deep += "<a>";
  }
  auto failure = failure_of(deep);
  EXPECT_EQ(failure.condition, StreamError::kPolicyViolation);
  EXPECT_EQ(failure.reason, "xml-depth");

  FramerLimits small{.max_stanza_bytes = 100, .preauth_bytes = 1'000'000};
  failure = failure_of("<message><body>" + std::string(200, 'x'), small);
  EXPECT_EQ(failure.reason, "stanza-too-large");
  // A start tag that never ends is capped too.
  failure = failure_of("<message to='" + std::string(200, 'x'), small);
  EXPECT_EQ(failure.reason, "stanza-too-large");

  FramerLimits preauth{.preauth_bytes = 300};
  XmlFramer framer(kNsServer, preauth);
  ASSERT_EQ(feed_all(framer, kHeader).size(), 1U);
  auto events = feed_all(framer, std::string(200, ' '));
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].failure.reason, "preauth-bytes");
  EXPECT_TRUE(framer.failed());
  EXPECT_TRUE(feed_all(framer, "<presence/>").empty());

  XmlFramer authed(kNsServer, preauth);
  authed.set_authenticated();
  ASSERT_EQ(feed_all(authed, kHeader).size(), 1U);
  EXPECT_TRUE(feed_all(authed, std::string(400, ' ')).empty());
}

TEST(XmlFramer, HeaderSizeCap) {
  XmlFramer framer(kNsServer, FramerLimits{.max_header_bytes = 64});
  auto events = feed_all(framer, "<stream:stream xmlns='jabber:server' " + std::string(100, ' '));
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].failure.reason, "header-too-large");
}

// UTF-16LE of an ASCII string, as a peer sending UTF-16 would write it.
std::string utf16le(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

TEST(XmlFramer, RefusesEncodingsOtherThanUtf8) {
  const std::string header(kHeader.substr(kHeader.find("<stream")));
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"UTF-16LE with a byte order mark", "\xFF\xFE" + utf16le(header)},
      {"UTF-16BE with a byte order mark", "\xFE\xFF" + utf16le(header).substr(1) + '\0'},
      {"UTF-16LE without a mark", utf16le(header)},
      {"UTF-16BE without a mark", '\0' + utf16le(header).substr(0, utf16le(header).size() - 1)},
      {"declared UTF-16", "<?xml version='1.0' encoding='UTF-16'?>" + header},
  };
  for (const auto& [name, bytes] : cases) {
    for (const bool bytewise : {false, true}) {
      XmlFramer framer(kNsServer, {});
      auto events = bytewise ? feed_bytewise(framer, bytes) : feed_all(framer, bytes);
      ASSERT_EQ(events.size(), 1U) << name;
      EXPECT_EQ(events[0].kind, FrameEventKind::kError) << name;
      EXPECT_EQ(events[0].failure.condition, StreamError::kUnsupportedEncoding) << name;
      EXPECT_EQ(events[0].failure.reason, "xml-encoding") << name;
    }
  }
  // After a restart (STARTTLS) the new stream is checked again.
  XmlFramer framer(kNsServer, {});
  ASSERT_EQ(feed_all(framer, kHeader).size(), 1U);
  framer.restart();
  auto events = feed_all(framer, "\xFF\xFE" + utf16le(header));
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].failure.reason, "xml-encoding");
  // UTF-8's own mark is fine.
  XmlFramer with_mark(kNsServer, {});
  events = feed_bytewise(with_mark, "\xEF\xBB\xBF" + header + "<presence/>");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1].element.raw, "<presence/>");
}

TEST(XmlFramer, StanzasStandAloneWithoutTheHeadersPrefixes) {
  const std::vector<HostileCase> cases = {
      {"attribute with the header's prefix", "<message db:evil='1'/>",
       StreamError::kInvalidNamespace, "stanza-stream-prefix"},
      {"child attribute with the header's prefix", "<message><body db:x='1'>hi</body></message>",
       StreamError::kInvalidNamespace, "stanza-stream-prefix"},
      {"prefix declared on a sibling only", "<message><a xmlns:db='urn:x'/><db:b/></message>",
       StreamError::kInvalidNamespace, "stanza-stream-prefix"},
      {"prefixed stanza", "<x:message xmlns:x='jabber:server' to='a@corp.example'/>",
       StreamError::kBadNamespacePrefix, "stanza-prefixed"},
  };
  for (const auto& test_case : cases) {
    const auto failure = failure_of(test_case.body);
    EXPECT_EQ(failure.condition, test_case.condition) << test_case.name;
    EXPECT_EQ(failure.reason, test_case.reason) << test_case.name;
  }
  // The header's own prefix bound to jabber:server does not make a prefixed stanza.
  XmlFramer framer(kNsServer, {});
  auto events = feed_all(framer,
                         "<stream:stream xmlns='jabber:server' xmlns:s='jabber:server' "
                         "xmlns:stream='http://etherx.jabber.org/streams'><s:message/>");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1].failure.reason, "stanza-prefixed");
  // Prefixes the stanza declares itself, in scope, and xml:, are fine.
  const std::string fine =
      "<message xml:lang='en' xmlns:p='urn:x' p:k='v'><a xmlns:q='urn:y' q:k='w'><q:b/></a>"
      "<p:c/></message>";
  XmlFramer ok(kNsServer, {});
  events = feed_all(ok, std::string(kHeader) + fine);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1].kind, FrameEventKind::kElement);
  EXPECT_EQ(events[1].element.raw, fine);
}

TEST(XmlFramer, SizeCapsHoldWhenEverythingArrivesInOneRead) {
  FramerLimits small{.max_stanza_bytes = 100, .preauth_bytes = 1'000'000};
  EXPECT_EQ(
      failure_of("<message><body>" + std::string(200, 'x') + "</body></message>", small).reason,
      "stanza-too-large");
  EXPECT_EQ(failure_of("<message to='" + std::string(200, 'x') + "'/>", small).reason,
            "stanza-too-large");
  EXPECT_EQ(
      failure_of("<stream:features>" + std::string(200, 'x') + "</stream:features>", small).reason,
      "stanza-too-large");
  const std::string fits = "<message><body>" + std::string(60, 'x') + "</body></message>";
  EXPECT_EQ(fits.size(), 92U);
  XmlFramer framer(kNsServer, small);
  auto events = feed_all(framer, std::string(kHeader) + fits + fits);
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[2].element.raw, fits);

  XmlFramer header(kNsServer, FramerLimits{.max_header_bytes = 64});
  events = feed_all(header, kHeader);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].failure.reason, "header-too-large");
}

TEST(XmlFramer, ElementCaps) {
  FramerLimits limits{.max_stanza_elements = 10};
  std::string nine_children = "<message>";
  for (int i = 0; i < 9; ++i) {
    nine_children += "<a/>";
  }
  XmlFramer framer(kNsServer, limits);
  auto events = feed_all(framer, std::string(kHeader) + nine_children + "</message>");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[1].kind, FrameEventKind::kElement);
  const auto failure = failure_of(nine_children + "<a/></message>", limits);
  EXPECT_EQ(failure.condition, StreamError::kPolicyViolation);
  EXPECT_EQ(failure.reason, "stanza-too-many-elements");

  // Before authentication only a few top-level elements, across restarts.
  FramerLimits preauth{.preauth_elements = 3};
  XmlFramer peer(kNsServer, preauth);
  ASSERT_EQ(feed_all(peer, std::string(kHeader) + "<presence/><presence/>").size(), 3U);
  peer.restart();
  events = feed_all(peer, std::string(kHeader) + "<presence/><presence/>");
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[1].kind, FrameEventKind::kElement);
  EXPECT_EQ(events[2].failure.condition, StreamError::kPolicyViolation);
  EXPECT_EQ(events[2].failure.reason, "preauth-limit");
  XmlFramer authed(kNsServer, preauth);
  authed.set_authenticated();
  events = feed_all(authed, std::string(kHeader) + "<presence/><presence/><presence/><presence/>");
  ASSERT_EQ(events.size(), 5U);
  EXPECT_EQ(events[4].kind, FrameEventKind::kElement);
}

}  // namespace
}  // namespace edgekit::edgeproxy
