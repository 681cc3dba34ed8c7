#pragma once
// When an inbound stream that has not authenticated yet is given up. The whole negotiation has
// stream_establishment_timeout; each step the edge waits on the peer for (its header, its
// STARTTLS, its SASL or dialback request) also has negotiation_step_timeout, so a socket that
// opens and then says nothing holds its slot seconds, not a minute. While the edge itself is
// the one waiting (a dialback verification with the partner's authoritative server), only the
// whole negotiation's deadline applies: a slow authority must not cost the partner its stream.

#include <chrono>
#include <string_view>

namespace edgekit::edgeproxy {

struct NegotiationDeadline {
  std::chrono::steady_clock::time_point at;
  std::string_view reason;  // establishment-timeout or negotiation-step-timeout
};

NegotiationDeadline negotiation_deadline(std::chrono::steady_clock::time_point now,
                                         std::chrono::steady_clock::time_point establishment_end,
                                         std::chrono::milliseconds step, bool edge_waiting);

}  // namespace edgekit::edgeproxy
