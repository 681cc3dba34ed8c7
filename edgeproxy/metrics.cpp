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

namespace {

void append_sample(std::string& out, std::string_view name, std::string_view labels,
                   std::uint64_t value) {
  out += name;
  out += '{';
  out += labels;
  out += "} ";
  out += std::to_string(value);
  out += '\n';
}

}  // namespace

std::string Metrics::render() const {
  std::string out = "# TYPE edgeproxy_connections gauge\nedgeproxy_connections ";
  out += std::to_string(connections_);
  out += '\n';
  out +=
      "# TYPE edgeproxy_streams_total counter\n# TYPE edgeproxy_stanzas_total counter\n"
      "# TYPE edgeproxy_bytes_total counter\n# TYPE edgeproxy_bounces_total counter\n"
      "# TYPE edgeproxy_failures_total counter\n# TYPE edgeproxy_queue_depth gauge\n";
  for (const auto& [domain, m] : partners_) {
    std::string label = "partner=\"";
    label += domain;
    label += '"';
    for (const auto& [key, count] : m.streams) {
      const auto bar = key.find('|');
      std::string labels = label;
      labels += ",direction=\"";
      labels += key.substr(0, bar);
      labels += "\",auth=\"";
      labels += key.substr(bar + 1);
      labels += '"';
      append_sample(out, "edgeproxy_streams_total", labels, count);
    }
    append_sample(out, "edgeproxy_stanzas_total", label + ",direction=\"in\"", m.stanzas_in);
    append_sample(out, "edgeproxy_stanzas_total", label + ",direction=\"out\"", m.stanzas_out);
    append_sample(out, "edgeproxy_bytes_total", label + ",direction=\"in\"", m.bytes_in);
    append_sample(out, "edgeproxy_bytes_total", label + ",direction=\"out\"", m.bytes_out);
    append_sample(out, "edgeproxy_bounces_total", label, m.bounces);
    append_sample(out, "edgeproxy_queue_depth", label, m.queue_depth);
    for (const auto& [reason, count] : m.failures) {
      std::string labels = label;
      labels += ",reason=\"";
      labels += reason;
      labels += '"';
      append_sample(out, "edgeproxy_failures_total", labels, count);
    }
  }
  return out;
}

}  // namespace edgekit::edgeproxy
