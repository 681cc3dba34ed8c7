#include "edgeproxy/xmpp/metrics.hpp"

#include <algorithm>
#include <array>

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

void Metrics::stream_authenticated(std::string_view partner_domain, std::string_view direction,
                                   std::string_view auth, std::string_view tls,
                                   std::string_view trust) {
  std::string key(direction);
  for (std::string_view part : {auth, tls, trust}) {
    key += '|';
    key += part;
  }
  ++partner(partner_domain.empty() ? "-" : partner_domain).streams[key];
}

namespace {

void append_header(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// Splits "a|b|c|d" into the stream labels.
std::string stream_labels(const std::string& partner_label, const std::string& key) {
  static constexpr std::array<std::string_view, 4> kNames = {"direction", "auth", "tls", "trust"};
  std::string labels = partner_label;
  std::size_t start = 0;
  for (std::string_view name : kNames) {
    const std::size_t bar = std::min(key.find('|', start), key.size());
    labels += ',';
    labels += name;
    labels += "=\"";
    labels += key.substr(start, bar - start);
    labels += '"';
    start = std::min(bar + 1, key.size());
  }
  return labels;
}

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

// Grouped by metric, each with its HELP and TYPE first, as the Prometheus text format wants.
std::string Metrics::render() const {
  std::string out;
  append_header(out, "edgeproxy_connections", "gauge", "Open connections of every kind.");
  out += "edgeproxy_connections ";
  out += std::to_string(connections_);
  out += '\n';
  append_header(out, "edgeproxy_session_failures_total", "counter",
                "Streams closed with internal-server-error because their session failed (a "
                "bug: the log has session.failed with the detail).");
  out += "edgeproxy_session_failures_total ";
  out += std::to_string(session_failures_);
  out += '\n';
  const auto label_of = [](const std::string& domain) { return "partner=\"" + domain + '"'; };
  append_header(out, "edgeproxy_streams_total", "counter",
                "Authenticated partner streams by direction, authentication (sasl-external, "
                "dialback, dialback-over-unauthenticated-tls), TLS version and certificate "
                "trust (pkix or none).");
  for (const auto& [domain, m] : partners_) {
    for (const auto& [key, count] : m.streams) {
      append_sample(out, "edgeproxy_streams_total", stream_labels(label_of(domain), key), count);
    }
  }
  append_header(out, "edgeproxy_stanzas_total", "counter",
                "Stanzas relayed (in: partner to internal, out: internal to partner).");
  for (const auto& [domain, m] : partners_) {
    append_sample(out, "edgeproxy_stanzas_total", label_of(domain) + ",direction=\"in\"",
                  m.stanzas_in);
    append_sample(out, "edgeproxy_stanzas_total", label_of(domain) + ",direction=\"out\"",
                  m.stanzas_out);
  }
  append_header(out, "edgeproxy_bytes_total", "counter", "Bytes relayed by direction.");
  for (const auto& [domain, m] : partners_) {
    append_sample(out, "edgeproxy_bytes_total", label_of(domain) + ",direction=\"in\"", m.bytes_in);
    append_sample(out, "edgeproxy_bytes_total", label_of(domain) + ",direction=\"out\"",
                  m.bytes_out);
  }
  append_header(out, "edgeproxy_bounces_total", "counter",
                "Stanzas returned to their sender with a stanza error.");
  for (const auto& [domain, m] : partners_) {
    append_sample(out, "edgeproxy_bounces_total", label_of(domain), m.bounces);
  }
  append_header(out, "edgeproxy_queue_depth", "gauge",
                "Stanzas waiting for an outbound stream to the partner.");
  for (const auto& [domain, m] : partners_) {
    append_sample(out, "edgeproxy_queue_depth", label_of(domain), m.queue_depth);
  }
  append_header(out, "edgeproxy_failures_total", "counter",
                "Failures by reason code (docs/troubleshooting.md lists them).");
  for (const auto& [domain, m] : partners_) {
    for (const auto& [reason, count] : m.failures) {
      append_sample(out, "edgeproxy_failures_total", label_of(domain) + ",reason=\"" + reason + '"',
                    count);
    }
  }
  render_ledger(out);
  return out;
}

// The edgekit_stanzas_* families: at quiescence accepted = delivered + bounced + refused +
// dropped, and in flight is 0.
void Metrics::render_ledger(std::string& out) const {
  struct Family {
    std::string_view name;
    std::string_view type;
    std::string_view help;
    std::int64_t (*value)(const StanzaLedger::Counts&);
  };
  static constexpr std::array<Family, 6> kFamilies = {{
      {"edgekit_stanzas_accepted_total", "counter",
       "Stanzas the edge took charge of (direction inbound: partner to internal).",
       [](const StanzaLedger::Counts& c) { return static_cast<std::int64_t>(c.accepted); }},
      {"edgekit_stanzas_delivered_total", "counter",
       "Accepted stanzas written to the stream toward their recipient.",
       [](const StanzaLedger::Counts& c) {
         return static_cast<std::int64_t>(c.count(Outcome::kDelivered));
       }},
      {"edgekit_stanzas_bounced_total", "counter",
       "Accepted stanzas that could not be delivered; their sender was sent a stanza error.",
       [](const StanzaLedger::Counts& c) {
         return static_cast<std::int64_t>(c.count(Outcome::kBounced));
       }},
      {"edgekit_stanzas_refused_total", "counter",
       "Accepted stanzas the policy refused; their sender was sent a stanza error.",
       [](const StanzaLedger::Counts& c) {
         return static_cast<std::int64_t>(c.count(Outcome::kRefused));
       }},
      {"edgekit_stanzas_dropped_total", "counter",
       "Accepted stanzas that ended unanswered: errors themselves (RFC 6120 8.3.1), or the way "
       "back to their sender was gone as well.",
       [](const StanzaLedger::Counts& c) {
         return static_cast<std::int64_t>(c.count(Outcome::kDropped));
       }},
      {"edgekit_stanzas_in_flight", "gauge",
       "Accepted stanzas held or queued in the edge: accepted minus every ending.",
       [](const StanzaLedger::Counts& c) { return c.in_flight(); }},
  }};
  for (const auto& family : kFamilies) {
    append_header(out, family.name, family.type, family.help);
    for (const auto& [key, counts] : ledger_.all()) {
      out += family.name;
      out += "{direction=\"";
      out += to_string(key.first);
      out += "\",partner=\"";
      out += key.second;
      out += "\"} ";
      out += std::to_string(family.value(counts));
      out += '\n';
    }
  }
}

}  // namespace edgekit::edgeproxy
