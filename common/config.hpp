#pragma once
// The deployment file edgekit.toml (every key: docs/reference.md): one struct per table, every key
// validated with its line, cross-field rules (the partner negotiation matrix) checked at load.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace edgekit {

enum class ConfigErrc {
  kUnreadable = 1,
  kSyntax,
  kUnknownKey,
  kWrongType,
  kBadValue,
  kConflict,
};
const EdgekitCategory& config_category() noexcept;
std::error_code make_error_code(ConfigErrc value) noexcept;

enum class KeyType { kRsa2048, kRsa3072, kRsa4096, kEcP256, kEcP384 };
enum class Negotiation { kRequired, kOptional, kNotSupported };
enum class PartnerType { kFederated, kPublicVerified, kPublicUnverified };
enum class AcmeChallenge { kHttp01, kDns01 };

std::string_view to_string(KeyType value) noexcept;
std::string_view to_string(Negotiation value) noexcept;
std::string_view to_string(PartnerType value) noexcept;
std::string_view to_string(AcmeChallenge value) noexcept;
std::optional<KeyType> parse_key_type(std::string_view text) noexcept;
std::optional<Negotiation> parse_negotiation(std::string_view text) noexcept;
std::optional<PartnerType> parse_partner_type(std::string_view text) noexcept;

// "host:port", "[v6]:port" or "ip" (with a default port). The host is kept as written.
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;

  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};
std::optional<Endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port = 0);

struct EdgeSection {
  std::string fqdn;
  std::vector<std::string> xmpp_domains;
  std::vector<std::string> sip_domains;
  std::vector<std::string> additional_sans;
  std::string store;
};

struct CertificateSection {
  KeyType key = KeyType::kRsa2048;
  std::string friendly_name;
  bool exportable = true;
  std::string organization;
  std::string organizational_unit;
  std::string locality;
  std::string state;
  std::string country;
  bool xmpp_identities = false;
};

struct AcmeSection {
  std::string directory;
  std::string contact;
  bool agree_tos = false;
  std::string ca_file;
  AcmeChallenge challenge = AcmeChallenge::kHttp01;
  std::string http_listen = "[::]:80";
  std::string dns_update_server;
  std::string tsig_key_file;
};

struct DnsSection {
  std::vector<Endpoint> nameservers;  // port 53 when not given
  std::string trust_anchor_file;
};

struct ListenSection {
  std::vector<Endpoint> s2s{Endpoint{"::", 5269}};
  std::vector<Endpoint> direct_tls;
  std::optional<Endpoint> metrics = Endpoint{"127.0.0.1", 9269};
};

struct InternalSection {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5347;
  std::string secret_file = "/etc/edgekit/component.secret";
};

struct FederationSection {
  bool allow_federated_users = true;
  std::vector<std::string> federated_users{"*"};
  std::string dialback_secret_file;
  std::string ca_file;
  std::uint32_t connection_limit = 1000;  // inbound streams; at it the oldest negotiating goes
  // Inbound streams from one source address still negotiating (0: no bound).
  std::uint32_t connections_per_ip = 64;
  // Per inbound stream, unless its partner sets its own (0: unlimited). An edge carries a whole
  // partner server on a stream, so these stop a flood, not a busy partner (docs/reference.md).
  std::uint64_t rate_bytes_per_second = std::uint64_t{16} * 1024 * 1024;
  std::uint64_t rate_stanzas_per_second = 50'000;
  std::chrono::milliseconds stream_establishment_timeout{60'000};
  // Each step of a negotiation the edge waits on the peer for (its header, STARTTLS, SASL or
  // dialback request); the whole negotiation still has stream_establishment_timeout.
  std::chrono::milliseconds negotiation_step_timeout{10'000};
  std::chrono::milliseconds stream_inactivity_timeout{600'000};
  std::chrono::milliseconds keepalive_interval{300'000};
  // SIGTERM: how long queued and held stanzas get to reach their recipients before what is
  // left is bounced.
  std::chrono::milliseconds drain_timeout{10'000};
  std::size_t max_stanza_bytes = 262'144;
  std::size_t max_stanza_elements = 4'096;  // in one stanza, itself included
  // What a partner stream may send before it authenticates (ejabberd allows 8 KiB and 32
  // elements): negotiation takes about 1 KiB and a handful of elements.
  std::size_t preauth_max_bytes = 8'192;
  std::size_t preauth_max_elements = 32;
  // Inbound partner certificates are validated as server certificates (serverAuth; clientAuth
  // not required), as public CAs stopped issuing clientAuth in 2026. true applies OpenSSL's
  // strict client purpose instead.
  bool strict_client_purpose = false;
};

struct Partner {
  std::string domain;
  std::vector<std::string> additional_domains;
  PartnerType type = PartnerType::kPublicUnverified;
  Negotiation tls = Negotiation::kNotSupported;
  Negotiation sasl = Negotiation::kNotSupported;
  bool dialback = true;
  // The partner's certificate must authenticate it (RFC 6125/9525 for the partner domain):
  // dialback over a TLS stream whose certificate does not is refused. The default is true for
  // type = "federated" with tls = "required", false otherwise; true needs tls = "required".
  bool verify_certificate = false;
  bool verify_certificate_set = false;  // the file names it (else it follows type and tls)
  bool keepalive = false;
  std::string proxy_fqdn;
  std::uint32_t connection_limit = 20;
  // This partner's own rate limits per inbound stream; unset: [federation]'s.
  std::optional<std::uint64_t> rate_bytes_per_second;
  std::optional<std::uint64_t> rate_stanzas_per_second;
  std::string description;
  int line = 0;  // where the [[partner]] table starts, for messages

  // The partner's primary domain followed by its additional domains.
  [[nodiscard]] std::vector<std::string> all_domains() const;
};

struct Config {
  std::filesystem::path source;  // the file it was read from ("" when parsed from text)
  EdgeSection edge;
  CertificateSection certificate;
  AcmeSection acme;
  DnsSection dns;
  ListenSection listen;
  InternalSection internal;
  FederationSection federation;
  std::vector<Partner> partners;
  // Legal but questionable settings, each naming key, line and consequence.
  std::vector<std::string> warnings;

  // The partner one of whose domains is `domain` (already normalised), or nullptr.
  [[nodiscard]] const Partner* find_partner(std::string_view domain) const noexcept;
  [[nodiscard]] bool is_local_domain(std::string_view domain) const noexcept;
  // The relative paths of the config (secret files, CA files) resolved against its directory.
  [[nodiscard]] std::filesystem::path resolve_path(const std::string& value) const;
};

// Every error found, each "FILE:LINE: KEY: reason", is listed in Error::why one per line.
Result<Config> parse_config(std::string_view text, std::string_view source_name = "edgekit.toml");
Result<Config> load_config(const std::filesystem::path& path);

// The partner negotiation matrix (docs/reference.md, "[[partner]]") for one partner: errors (can
// never succeed) and warnings (legal, but say why), without key or line prefixes.
struct MatrixVerdict {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};
MatrixVerdict check_partner_matrix(const Partner& partner);

}  // namespace edgekit

template <>
struct std::is_error_code_enum<edgekit::ConfigErrc> : std::true_type {};
