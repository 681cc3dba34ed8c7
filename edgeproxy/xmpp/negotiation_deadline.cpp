#include "edgeproxy/xmpp/negotiation_deadline.hpp"

namespace edgekit::edgeproxy {

NegotiationDeadline negotiation_deadline(std::chrono::steady_clock::time_point now,
                                         std::chrono::steady_clock::time_point establishment_end,
                                         std::chrono::milliseconds step, bool edge_waiting) {
  if (edge_waiting || now + step >= establishment_end) {
    return {establishment_end, "establishment-timeout"};
  }
  return {now + step, "negotiation-step-timeout"};
}

}  // namespace edgekit::edgeproxy
