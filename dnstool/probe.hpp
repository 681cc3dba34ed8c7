#pragma once
// The live probe of `dnstool check --probe`: TCP connect, XMPP server stream with to=<domain>,
// STARTTLS, TLS handshake with SNI = the domain, the presented chain, and the features offered
// after TLS. Plain blocking sockets with a time limit on every step; the XML is read by the
// pure ProbeStreamReader.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/openssl_ptr.hpp"
#include "dnstool/probe_stream.hpp"

namespace edgekit::dnstool {

struct ProbeTarget {
  std::string name;     // SRV target or "--probe-address"
  std::string address;  // IP literal
  std::uint16_t port = 5269;

  [[nodiscard]] std::string label() const;
};

struct ProbeResult {
  ProbeTarget target;
  bool connected = false;
  bool features_seen = false;  // the stream opened and features arrived before TLS
  std::string error;           // the first step that failed, and why
  ProbeFeatures before_tls;
  bool tls_done = false;
  std::string tls_version;
  std::vector<ossl::X509Ptr> presented;  // leaf first
  bool after_tls_features_seen = false;
  ProbeFeatures after_tls;
  std::chrono::milliseconds elapsed{0};
};

ProbeResult run_probe(const ProbeTarget& target, const std::string& domain,
                      std::chrono::milliseconds step_timeout);

}  // namespace edgekit::dnstool
