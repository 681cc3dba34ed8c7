#include "edgeproxy/metrics.hpp"

namespace edgekit::edgeproxy {

PartnerMetrics& Metrics::partner(std::string_view domain) {
  const auto it = partners_.find(domain);
  if (it != partners_.end()) {
    return it->second;
  }
  return partners_.emplace(std::string(domain), PartnerMetrics{}).first->second;
}

void Metrics::failure(std::string_view partner_domain, std::string_view reason) {
  ++partner(partner_domain.empty() ? "-" : partner_domain).failures[std::string(reason)];
}

std::string Metrics::render() const {
  std::string out;
  out += "# TYPE edgeproxy_connections gauge\nedgeproxy_connections " +
         std::to_string(connections_) + "\n";
  out +=
      "# TYPE edgeproxy_streams_total counter\n# TYPE edgeproxy_stanzas_total counter\n"
      "# TYPE edgeproxy_bytes_total counter\n# TYPE edgeproxy_bounces_total counter\n"
      "# TYPE edgeproxy_failures_total counter\n# TYPE edgeproxy_queue_depth gauge\n";
  for (const auto& [domain, m] : partners_) {
    const std::string label = "partner=\"" + domain + "\"";
    for (const auto& [key, count] : m.streams) {
      const auto bar = key.find('|');
      out += "edgeproxy_streams_total{" + label + ",direction=\"" + key.substr(0, bar) +
             "\",auth=\"" + key.substr(bar + 1) + "\"} " + std::to_string(count) + "\n";
    }
    out += "edgeproxy_stanzas_total{" + label + ",direction=\"in\"} " +
           std::to_string(m.stanzas_in) + "\n";
    out += "edgeproxy_stanzas_total{" + label + ",direction=\"out\"} " +
           std::to_string(m.stanzas_out) + "\n";
    out += "edgeproxy_bytes_total{" + label + ",direction=\"in\"} " + std::to_string(m.bytes_in) +
           "\n";
    out += "edgeproxy_bytes_total{" + label + ",direction=\"out\"} " + std::to_string(m.bytes_out) +
           "\n";
    out += "edgeproxy_bounces_total{" + label + "} " + std::to_string(m.bounces) + "\n";
    out += "edgeproxy_queue_depth{" + label + "} " + std::to_string(m.queue_depth) + "\n";
    for (const auto& [reason, count] : m.failures) {
      out += "edgeproxy_failures_total{" + label + ",reason=\"" + reason + "\"} " +
             std::to_string(count) + "\n";
    }
  }
  return out;
}

}  // namespace edgekit::edgeproxy
