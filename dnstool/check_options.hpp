#pragma once
// What `dnstool check` was asked to do, resolved from its flags and edgekit.toml (a flag
// overrides the key of the same meaning).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/cli.hpp"
#include "common/config.hpp"
#include "common/dns_client.hpp"

namespace edgekit::dnstool {

struct CheckSettings {
  std::vector<std::string> domains;
  std::string edge_fqdn;
  std::uint16_t port = 5269;
  std::vector<dns::Nameserver> nameservers;
  std::string trust_anchor_file;
  std::string cert_file;  // "" : the store's assigned certificate (if any)
  std::string store_dir;  // "" : none known
  std::string ca_file;
  bool probe = false;
  std::optional<std::string> probe_address;
  bool posh = false;
  std::optional<std::string> connect_to;  // HOST:PORT every POSH fetch goes to
  bool direct_tls_configured = false;
  std::uint16_t direct_tls_port = 5270;
  bool tls_required = false;  // some partner requires TLS: the probe requires STARTTLS
  std::chrono::milliseconds timeout{1500};
};

// The config when one is given or exists at the default place; nullopt otherwise. A config that
// exists but does not parse is an error (exit 2).
Result<std::optional<Config>> optional_config(const cli::Context& context);

// Flags + config -> settings; usage errors (bad --nameserver, no domain) are thrown as
// cli::UsageError.
CheckSettings resolve_settings(const cli::Context& context, const std::optional<Config>& config);

}  // namespace edgekit::dnstool
