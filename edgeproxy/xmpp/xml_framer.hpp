#pragma once
// The XMPP stream framer (pure, no I/O): bytes in, framing events out. It parses the stream
// header, then each top-level element of the stream, and hands out every element as the exact
// bytes the peer sent (so a relayed stanza is parsed once and copied once) with its routing
// attributes extracted. Everything RFC 6120 §11 forbids, and everything over the caps, ends the
// stream with the stream error to send and a stable reason code.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edgeproxy/xmpp/stream_error.hpp"

namespace edgekit::edgeproxy {

inline constexpr std::string_view kNsStreams = "http://etherx.jabber.org/streams";
inline constexpr std::string_view kNsServer = "jabber:server";
inline constexpr std::string_view kNsComponent = "jabber:component:accept";
inline constexpr std::string_view kNsDialback = "jabber:server:dialback";
inline constexpr std::string_view kNsTls = "urn:ietf:params:xml:ns:xmpp-tls";
inline constexpr std::string_view kNsSasl = "urn:ietf:params:xml:ns:xmpp-sasl";
inline constexpr std::string_view kNsDialbackFeature = "urn:xmpp:features:dialback";
inline constexpr std::string_view kNsStreamErrors = "urn:ietf:params:xml:ns:xmpp-streams";
inline constexpr std::string_view kNsStanzaErrors = "urn:ietf:params:xml:ns:xmpp-stanzas";

struct StreamHeader {
  std::string from;
  std::string to;
  std::string id;
  std::string version;       // "" when absent (pre-RFC 3920 peers: dialback only, no features)
  std::string default_ns;    // jabber:server, jabber:component:accept, ...
  bool dialback_ns = false;  // xmlns:db='jabber:server:dialback' was declared
};

// A descendant of a non-stanza element (negotiation elements only: features, auth, db:*).
struct ChildElement {
  std::string ns;
  std::string name;
  int depth = 1;  // 1 = direct child
  std::string text;
};

struct Element {
  bool is_stanza = false;  // message, presence or iq in the stream's default namespace
  std::string ns;
  std::string name;
  std::string from;
  std::string to;
  std::string type;
  std::string id;
  std::string raw;                     // the complete element exactly as received
  std::string text;                    // direct character data (negotiation elements only)
  std::vector<ChildElement> children;  // negotiation elements only, capped
  // Every attribute of a negotiation element (stanzas keep only the four above).
  std::vector<std::pair<std::string, std::string>> attributes;
  // The stanza redeclared the stream's default namespace on itself (xmlns='jabber:server');
  // the value's bytes are raw[default_ns_offset, default_ns_offset + default_ns_size), found in
  // the start tag the parser read, so a relay rewrites exactly that declaration.
  bool declares_default_ns = false;
  std::size_t default_ns_offset = 0;
  std::size_t default_ns_size = 0;

  [[nodiscard]] std::string_view attribute(std::string_view key) const;

  [[nodiscard]] bool has_child(std::string_view child_ns, std::string_view child_name) const;
  [[nodiscard]] const ChildElement* find_child(std::string_view child_ns,
                                               std::string_view child_name) const;
};

struct FramerFailure {
  StreamError condition = StreamError::kUndefinedCondition;
  std::string reason;  // stable reason code for logs and metrics, e.g. "xml-dtd"
};

enum class FrameEventKind { kStreamOpen, kElement, kStreamClose, kError };

struct FrameEvent {
  FrameEventKind kind = FrameEventKind::kElement;
  StreamHeader header;    // kStreamOpen
  Element element;        // kElement
  FramerFailure failure;  // kError
};

struct FramerLimits {
  std::size_t max_stanza_bytes = 262'144;  // one top-level element, as its bytes arrive
  std::size_t max_header_bytes = 4'096;
  std::size_t preauth_bytes = 65'536;       // total bytes before the stream is authenticated
  int max_depth = 24;                       // the stream element counts as depth 1
  std::size_t max_stanza_elements = 4'096;  // elements in one top-level element, itself included
  std::size_t preauth_elements = 32;        // top-level elements before authentication
};

class XmlFramer {
 public:
  // expected_ns: the default namespace the stream must declare (kNsServer or kNsComponent).
  XmlFramer(std::string_view expected_ns, FramerLimits limits);
  ~XmlFramer();
  XmlFramer(const XmlFramer&) = delete;
  XmlFramer& operator=(const XmlFramer&) = delete;

  // Parses the bytes and returns the events they complete, valid until the next call. After an
  // kError event the framer stays failed and returns nothing more.
  std::vector<FrameEvent>& feed(std::string_view bytes);

  // A stream restart (after STARTTLS or SASL success): a new header is expected next.
  void restart();
  // Lifts the pre-authentication caps (bytes and top-level elements).
  void set_authenticated() noexcept { authenticated_ = true; }
  void set_max_stanza_bytes(std::size_t value) noexcept { limits_.max_stanza_bytes = value; }
  [[nodiscard]] bool failed() const noexcept { return failed_; }

  struct Impl;  // expat callbacks reach the state through this

 private:
  std::string expected_ns_;
  FramerLimits limits_;
  bool authenticated_ = false;
  bool failed_ = false;
  std::size_t total_bytes_ = 0;
  std::size_t preauth_elements_ = 0;  // top-level elements seen before authentication
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgekit::edgeproxy
