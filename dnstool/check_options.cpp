#include "dnstool/check_options.hpp"

#include <cstdlib>
#include <filesystem>

#include "common/jid.hpp"
#include "common/store.hpp"

namespace edgekit::dnstool {

Result<std::optional<Config>> optional_config(const cli::Context& context) {
  const char* env = std::getenv("EDGEKIT_CONFIG");
  const bool explicit_config = context.config_path.has_value() || (env != nullptr && *env != '\0');
  const std::string location = context.config_location();
  if (!explicit_config && !std::filesystem::exists(location)) {
    return std::optional<Config>();
  }
  auto config = context.load_config();
  if (!config) {
    return config.error();
  }
  return std::optional<Config>(std::move(config).value());
}

CheckSettings resolve_settings(const cli::Context& context, const std::optional<Config>& config) {
  CheckSettings settings;
  if (auto domains = context.get<std::vector<std::string>>("domain")) {
    for (const auto& domain : *domains) {
      auto normalized = normalize_domain(domain);
      if (!normalized) {
        throw cli::UsageError("--domain " + domain + ": " + normalized.error().why);
      }
      settings.domains.push_back(std::move(normalized).value());
    }
  } else if (config) {
    settings.domains = config->edge.xmpp_domains;
  }
  if (settings.domains.empty()) {
    throw cli::UsageError(
        "no domain to check: give --domain D or a config with "
        "edge.xmpp_domains");
  }
  if (auto fqdn = context.get<std::string>("edge-fqdn")) {
    auto normalized = normalize_domain(*fqdn);
    if (!normalized) {
      throw cli::UsageError("--edge-fqdn " + *fqdn + ": " + normalized.error().why);
    }
    settings.edge_fqdn = std::move(normalized).value();
  } else if (config) {
    settings.edge_fqdn = dns::canonical_name(config->edge.fqdn);
  }
  if (auto port = context.get<int>("port")) {
    if (*port < 1 || *port > 65535) {
      throw cli::UsageError("--port must be 1..65535");
    }
    settings.port = static_cast<std::uint16_t>(*port);
  }
  if (auto servers = context.get<std::vector<std::string>>("nameserver")) {
    for (const auto& text : *servers) {
      auto server = dns::parse_nameserver(text);
      if (!server) {
        throw cli::UsageError("--nameserver " + text + ": expected IP[:PORT]");
      }
      settings.nameservers.push_back(*server);
    }
  } else if (config) {
    for (const auto& endpoint : config->dns.nameservers) {
      auto server = dns::parse_nameserver(endpoint.host);
      if (!server) {
        throw cli::UsageError("dns.nameservers: " + endpoint.host + " is not an IP address");
      }
      server->port = endpoint.port == 0 ? 53 : endpoint.port;
      settings.nameservers.push_back(*server);
    }
  }
  if (auto anchors = context.get<std::string>("trust-anchor")) {
    settings.trust_anchor_file = *anchors;
  } else if (config && !config->dns.trust_anchor_file.empty()) {
    settings.trust_anchor_file = config->resolve_path(config->dns.trust_anchor_file).string();
  }
  settings.cert_file = context.get<std::string>("cert").value_or("");
  settings.store_dir =
      choose_store_path(context.store_flag, config ? config->edge.store : std::string()).string();
  if (auto ca = context.get<std::string>("ca-file")) {
    settings.ca_file = *ca;
  } else if (config && !config->federation.ca_file.empty()) {
    settings.ca_file = config->resolve_path(config->federation.ca_file).string();
  }
  settings.probe = context.flag("probe");
  settings.probe_address = context.get<std::string>("probe-address");
  if (settings.probe_address && !settings.probe) {
    settings.probe = true;  // an address to probe implies the probe
  }
  settings.posh = context.flag("posh");
  settings.connect_to = context.get<std::string>("connect-to");
  if (auto timeout = context.get<int>("timeout-ms")) {
    if (*timeout < 10 || *timeout > 60000) {
      throw cli::UsageError("--timeout-ms must be 10..60000");
    }
    settings.timeout = std::chrono::milliseconds(*timeout);
  }
  if (config) {
    settings.direct_tls_configured = !config->listen.direct_tls.empty();
    if (settings.direct_tls_configured) {
      settings.direct_tls_port = config->listen.direct_tls.front().port;
    }
    for (const auto& partner : config->partners) {
      settings.tls_required = settings.tls_required || partner.tls == Negotiation::kRequired;
    }
  }
  return settings;
}

}  // namespace edgekit::dnstool
