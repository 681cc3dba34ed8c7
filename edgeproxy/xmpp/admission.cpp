#include "edgeproxy/xmpp/admission.hpp"

namespace edgekit::edgeproxy {

AdmissionVerdict Admission::check(std::string_view address, const AdmissionLimits& limits) const {
  if (limits.connections_per_ip != 0 &&
      unauthenticated_from(address) >= limits.connections_per_ip) {
    return AdmissionVerdict::kRefusePerIp;
  }
  if (open() < limits.connection_limit) {
    return AdmissionVerdict::kAdmit;
  }
  return oldest_unauthenticated() ? AdmissionVerdict::kAdmitAfterEviction
                                  : AdmissionVerdict::kRefuseAtLimit;
}

void Admission::opened(const std::string& id, std::string address) {
  const std::uint64_t order = next_++;
  ++unauthenticated_[address];
  streams_.emplace(order, Stream{id, std::move(address), false});
  order_[id] = order;
}

void Admission::authenticated(const std::string& id) {
  const auto found = order_.find(id);
  if (found == order_.end()) {
    return;
  }
  auto& stream = streams_.at(found->second);
  if (!stream.authenticated) {
    stream.authenticated = true;
    if (--unauthenticated_[stream.address] == 0) {
      unauthenticated_.erase(stream.address);
    }
  }
}

void Admission::closed(const std::string& id) {
  authenticated(id);  // settles the per-address count if it was still negotiating
  const auto found = order_.find(id);
  if (found == order_.end()) {
    return;
  }
  streams_.erase(found->second);
  order_.erase(found);
}

std::optional<std::string> Admission::oldest_unauthenticated() const {
  for (const auto& [order, stream] : streams_) {
    if (!stream.authenticated) {
      return stream.id;
    }
  }
  return std::nullopt;
}

std::size_t Admission::unauthenticated_from(std::string_view address) const {
  const auto found = unauthenticated_.find(address);
  return found == unauthenticated_.end() ? 0 : found->second;
}

}  // namespace edgekit::edgeproxy
