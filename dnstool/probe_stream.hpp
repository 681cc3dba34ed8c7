#pragma once
// The probe's view of an XMPP server stream (RFC 6120), as a pure function of the bytes read:
// feed what the socket returned, get back what has been seen so far. It understands only what
// the probe needs (the stream header, <stream:features> with STARTTLS, SASL mechanisms and
// dialback, <proceed/>, <failure/>, <stream:error/>) and treats the peer as hostile: at most
// kMaxProbeBytes in total, no DTD, no entity declarations, bounded depth.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edgekit::dnstool {

inline constexpr std::size_t kMaxProbeBytes = std::size_t{64} * 1024;

struct ProbeFeatures {
  bool starttls = false;
  bool starttls_required = false;
  bool dialback = false;  // <dialback xmlns='urn:xmpp:features:dialback'/>
  std::vector<std::string> mechanisms;

  [[nodiscard]] bool sasl_external() const;
};

enum class ProbeEvent {
  kNeedMore,     // nothing decisive yet
  kFeatures,     // <stream:features> complete (see features())
  kProceed,      // <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>
  kTlsFailure,   // <failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>
  kStreamError,  // <stream:error> (see error())
  kClosed,       // </stream:stream>
  kBad,          // not XML, a DTD, too large, too deep (see error())
};

class ProbeStreamReader {
 public:
  ProbeStreamReader();
  ProbeStreamReader(const ProbeStreamReader&) = delete;
  ProbeStreamReader& operator=(const ProbeStreamReader&) = delete;
  ProbeStreamReader(ProbeStreamReader&&) noexcept;
  ProbeStreamReader& operator=(ProbeStreamReader&&) noexcept;
  ~ProbeStreamReader();

  // Feeds bytes; returns the first decisive event among them (later bytes are kept for the
  // next call only as far as the parser already consumed them: the probe sends after each
  // decisive event, so a well-behaved peer sends nothing past one).
  ProbeEvent feed(std::string_view bytes);

  [[nodiscard]] const ProbeFeatures& features() const noexcept;
  [[nodiscard]] const std::string& error() const noexcept;
  [[nodiscard]] const std::string& stream_from() const noexcept;  // the header's 'from'
  [[nodiscard]] bool header_seen() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The opening stream header the probe sends ('to' is the XMPP domain; the dialback namespace
// announces XEP-0220 support so servers offer it).
std::string probe_stream_header(std::string_view domain);
inline constexpr std::string_view kStartTlsRequest =
    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";

}  // namespace edgekit::dnstool
