#pragma once
// Per-partner counters for GET /metrics (Prometheus text format). Updated on the event loop
// thread only, so plain integers.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "edgeproxy/xmpp/stanza_ledger.hpp"

namespace edgekit::edgeproxy {

struct PartnerMetrics {
  // Authenticated streams by "direction|auth|tls|trust", e.g. "in|sasl-external|TLSv1.3|pkix".
  std::map<std::string, std::uint64_t> streams;
  std::uint64_t stanzas_in = 0;   // partner -> internal
  std::uint64_t stanzas_out = 0;  // internal -> partner
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t bounces = 0;
  std::map<std::string, std::uint64_t> failures;  // by reason code
  std::uint64_t queue_depth = 0;
};

class Metrics {
 public:
  PartnerMetrics& partner(std::string_view domain);
  void failure(std::string_view partner, std::string_view reason);
  // A stream authenticated: `auth` is sasl-external, dialback or
  // dialback-over-unauthenticated-tls; `tls` the version or "none"; `trust` how the
  // certificate was trusted ("pkix") or "none".
  void stream_authenticated(std::string_view partner, std::string_view direction,
                            std::string_view auth, std::string_view tls, std::string_view trust);
  void connection_opened() noexcept { ++connections_; }
  void connection_closed() noexcept { --connections_; }
  [[nodiscard]] std::int64_t connections() const noexcept { return connections_; }
  // A session coroutine ended with an exception (a bug): its stream was closed for it.
  void session_failed() noexcept { ++session_failures_; }
  [[nodiscard]] std::uint64_t session_failures() const noexcept { return session_failures_; }
  // Where every accepted stanza ended (rendered as edgekit_stanzas_*).
  StanzaLedger& ledger() noexcept { return ledger_; }
  [[nodiscard]] const StanzaLedger& ledger() const noexcept { return ledger_; }
  [[nodiscard]] std::string render() const;

 private:
  void render_ledger(std::string& out) const;

  std::map<std::string, PartnerMetrics, std::less<>> partners_;
  std::int64_t connections_ = 0;
  std::uint64_t session_failures_ = 0;
  StanzaLedger ledger_;
};

}  // namespace edgekit::edgeproxy
