#include "common/config.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "common/duration.hpp"
#include "common/jid.hpp"

namespace edgekit {
namespace {

class ConfigCategory final : public EdgekitCategory {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "config"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<ConfigErrc>(value)) {
      case ConfigErrc::kUnreadable: return "cannot read the configuration file";
      case ConfigErrc::kSyntax: return "TOML syntax error";
      case ConfigErrc::kUnknownKey: return "unknown key";
      case ConfigErrc::kWrongType: return "wrong type";
      case ConfigErrc::kBadValue: return "invalid value";
      case ConfigErrc::kConflict: return "conflicting settings";
    }
    return "configuration error";
  }
  [[nodiscard]] ExitCode exit_code(int /*value*/) const noexcept override {
    return ExitCode::kUsage;
  }
};

// Collects every problem of one file; the first one decides the error code.
struct Diagnostics {
  std::string source;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::optional<ConfigErrc> first_code;

  void error(ConfigErrc code, int line, const std::string& key, const std::string& why) {
    if (!first_code) {
      first_code = code;
    }
    errors.push_back(source + ":" + std::to_string(line) + ": " + key + ": " + why);
  }
  void warning(int line, const std::string& key, const std::string& why) {
    warnings.push_back(source + ":" + std::to_string(line) + ": " + key + ": " + why);
  }
};

int line_of(const toml::node& node) {
  return static_cast<int>(node.source().begin.line);
}

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// Reads the known keys of one table and reports every key it was not asked for.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, Diagnostics& diag)
      : table_(table), prefix_(std::move(prefix)), diag_(diag) {}
  TableReader(const TableReader&) = delete;
  TableReader& operator=(const TableReader&) = delete;
  ~TableReader() = default;

  [[nodiscard]] std::string name(std::string_view key) const { return prefix_ + std::string(key); }
  [[nodiscard]] int line(std::string_view key) const {
    const auto* node = table_.get(key);
    return node != nullptr ? line_of(*node) : line_of(table_);
  }
  [[nodiscard]] bool has(std::string_view key) const { return table_.contains(key); }

  bool string(std::string_view key, std::string& out) {
    const auto* node = take(key);
    if (node == nullptr) {
      return false;
    }
    if (const auto* value = node->as_string()) {
      out = value->get();
      return true;
    }
    wrong_type(key, *node, "a string");
    return false;
  }

  bool boolean(std::string_view key, bool& out) {
    const auto* node = take(key);
    if (node == nullptr) {
      return false;
    }
    if (const auto* value = node->as_boolean()) {
      out = value->get();
      return true;
    }
    wrong_type(key, *node, "true or false");
    return false;
  }

  template <typename Int>
  bool integer(std::string_view key, Int& out, std::int64_t min, std::int64_t max) {
    const auto* node = take(key);
    if (node == nullptr) {
      return false;
    }
    const auto* value = node->as_integer();
    if (value == nullptr) {
      wrong_type(key, *node, "an integer");
      return false;
    }
    if (value->get() < min || value->get() > max) {
      diag_.error(ConfigErrc::kBadValue, line_of(*node), name(key),
                  "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                      ", got " + std::to_string(value->get()));
      return false;
    }
    out = static_cast<Int>(value->get());
    return true;
  }

  bool string_array(std::string_view key, std::vector<std::string>& out) {
    const auto* node = take(key);
    if (node == nullptr) {
      return false;
    }
    const auto* array = node->as_array();
    if (array == nullptr) {
      wrong_type(key, *node, "an array of strings");
      return false;
    }
    std::vector<std::string> values;
    for (const auto& element : *array) {
      const auto* text = element.as_string();
      if (text == nullptr) {
        wrong_type(key, element, "an array of strings");
        return false;
      }
      values.push_back(text->get());
    }
    out = std::move(values);
    return true;
  }

  bool duration(std::string_view key, std::chrono::milliseconds& out) {
    std::string text;
    if (!string(key, text)) {
      return false;
    }
    const auto parsed = parse_duration(text);
    if (!parsed || parsed->count() <= 0) {
      diag_.error(ConfigErrc::kBadValue, line(key), name(key),
                  "expected a positive duration such as \"60s\", \"10m\" or \"500ms\", got " +
                      in_quotes(text));
      return false;
    }
    out = *parsed;
    return true;
  }

  template <typename Enum, typename ParseFn>
  bool enumeration(std::string_view key, Enum& out, ParseFn parse, std::string_view allowed) {
    std::string text;
    if (!string(key, text)) {
      return false;
    }
    const auto parsed = parse(text);
    if (!parsed) {
      diag_.error(ConfigErrc::kBadValue, line(key), name(key),
                  "expected one of " + std::string(allowed) + ", got " + in_quotes(text));
      return false;
    }
    out = *parsed;
    return true;
  }

  // Reports every key of the table that no reader call asked for.
  void report_unknown_keys() {
    for (const auto& [key, node] : table_) {
      if (std::find(seen_.begin(), seen_.end(), key.str()) == seen_.end()) {
        diag_.error(ConfigErrc::kUnknownKey, line_of(node), name(key.str()), "unknown key");
      }
    }
  }

  void mark_seen(std::string_view key) { seen_.emplace_back(key); }

 private:
  const toml::node* take(std::string_view key) {
    seen_.emplace_back(key);
    return table_.get(key);
  }

  void wrong_type(std::string_view key, const toml::node& node, std::string_view expected) {
    diag_.error(ConfigErrc::kWrongType, line_of(node), name(key),
                "expected " + std::string(expected));
  }

  const toml::table& table_;
  std::string prefix_;
  Diagnostics& diag_;
  std::vector<std::string> seen_;
};

std::optional<AcmeChallenge> parse_challenge(std::string_view text) noexcept {
  if (text == "http-01") {
    return AcmeChallenge::kHttp01;
  }
  if (text == "dns-01") {
    return AcmeChallenge::kDns01;
  }
  return std::nullopt;
}

// Normalises every domain of a list in place; reports the invalid ones.
void normalize_domains(std::vector<std::string>& domains, const TableReader& reader,
                       std::string_view key, Diagnostics& diag, bool allow_wildcard = false) {
  std::set<std::string> seen;
  for (auto& domain : domains) {
    std::string_view body = domain;
    const bool wildcard = allow_wildcard && body.starts_with("*.");
    if (wildcard) {
      body.remove_prefix(2);
    }
    auto normalized = normalize_domain(body);
    if (!normalized) {
      diag.error(ConfigErrc::kBadValue, reader.line(key), reader.name(key),
                 in_quotes(domain) + " is not a valid domain: " + normalized.error().why);
      continue;
    }
    domain = (wildcard ? "*." : "") + normalized.value();
    if (!seen.insert(domain).second) {
      diag.error(ConfigErrc::kBadValue, reader.line(key), reader.name(key),
                 in_quotes(domain) + " is listed twice");
    }
  }
}

void read_endpoints(TableReader& reader, std::string_view key, std::vector<Endpoint>& out,
                    std::uint16_t default_port, Diagnostics& diag) {
  std::vector<std::string> texts;
  if (!reader.string_array(key, texts)) {
    return;
  }
  out.clear();
  for (const auto& text : texts) {
    const auto endpoint = parse_endpoint(text, default_port);
    if (!endpoint) {
      diag.error(ConfigErrc::kBadValue, reader.line(key), reader.name(key),
                 in_quotes(text) + " is not an address: expected \"ip:port\" or \"[ipv6]:port\"");
      continue;
    }
    out.push_back(*endpoint);
  }
}

void read_edge(const toml::table& table, Config& config, Diagnostics& diag) {
  TableReader reader(table, "edge.", diag);
  auto& edge = config.edge;
  if (reader.string("fqdn", edge.fqdn)) {
    auto normalized = normalize_domain(edge.fqdn);
    if (normalized) {
      edge.fqdn = normalized.value();
    } else {
      diag.error(ConfigErrc::kBadValue, reader.line("fqdn"), "edge.fqdn",
                 in_quotes(edge.fqdn) + " is not a valid host name: " + normalized.error().why);
    }
  } else if (!reader.has("fqdn")) {
    diag.error(ConfigErrc::kBadValue, line_of(table), "edge.fqdn",
               "required: the edge's external FQDN");
  }
  reader.string_array("xmpp_domains", edge.xmpp_domains);
  normalize_domains(edge.xmpp_domains, reader, "xmpp_domains", diag);
  if (edge.xmpp_domains.empty() && !reader.has("xmpp_domains")) {
    diag.error(ConfigErrc::kBadValue, line_of(table), "edge.xmpp_domains",
               "required: at least one local XMPP domain");
  } else if (edge.xmpp_domains.empty()) {
    diag.error(ConfigErrc::kBadValue, reader.line("xmpp_domains"), "edge.xmpp_domains",
               "must list at least one local XMPP domain");
  }
  reader.string_array("sip_domains", edge.sip_domains);
  normalize_domains(edge.sip_domains, reader, "sip_domains", diag);
  reader.string_array("additional_sans", edge.additional_sans);
  normalize_domains(edge.additional_sans, reader, "additional_sans", diag, true);
  reader.string("store", edge.store);
  reader.report_unknown_keys();
}

void read_certificate(const toml::table& table, Config& config, Diagnostics& diag) {
  TableReader reader(table, "certificate.", diag);
  auto& cert = config.certificate;
  reader.enumeration("key", cert.key, parse_key_type,
                     "\"rsa:2048\", \"rsa:3072\", \"rsa:4096\", \"ec:P-256\", \"ec:P-384\"");
  reader.string("friendly_name", cert.friendly_name);
  reader.boolean("exportable", cert.exportable);
  reader.string("organization", cert.organization);
  reader.string("organizational_unit", cert.organizational_unit);
  reader.string("locality", cert.locality);
  reader.string("state", cert.state);
  if (reader.string("country", cert.country)) {
    const bool two_letters =
        cert.country.size() == 2 && std::all_of(cert.country.begin(), cert.country.end(),
                                                [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!two_letters) {
      diag.error(ConfigErrc::kBadValue, reader.line("country"), "certificate.country",
                 "expected a two-letter upper-case ISO 3166 code such as \"FR\", got " +
                     in_quotes(cert.country));
    }
  }
  reader.boolean("xmpp_identities", cert.xmpp_identities);
  reader.report_unknown_keys();
}

void read_acme(const toml::table& table, Config& config, Diagnostics& diag) {
  TableReader reader(table, "acme.", diag);
  auto& acme = config.acme;
  reader.string("directory", acme.directory);
  if (!acme.directory.empty() && !acme.directory.starts_with("https://")) {
    diag.error(ConfigErrc::kBadValue, reader.line("directory"), "acme.directory",
               "must be an https:// URL, got " + in_quotes(acme.directory));
  }
  reader.string("contact", acme.contact);
  if (!acme.contact.empty() && !acme.contact.starts_with("mailto:")) {
    diag.error(ConfigErrc::kBadValue, reader.line("contact"), "acme.contact",
               "must be a mailto: URL, got " + in_quotes(acme.contact));
  }
  reader.boolean("agree_tos", acme.agree_tos);
  reader.string("ca_file", acme.ca_file);
  reader.enumeration("challenge", acme.challenge, parse_challenge, "\"http-01\", \"dns-01\"");
  if (reader.string("http_listen", acme.http_listen) &&
      !parse_endpoint(acme.http_listen, 80).has_value()) {
    diag.error(ConfigErrc::kBadValue, reader.line("http_listen"), "acme.http_listen",
               in_quotes(acme.http_listen) + " is not an address: expected \"[::]:80\"");
  }
  if (reader.string("dns_update_server", acme.dns_update_server) &&
      !acme.dns_update_server.empty() && !parse_endpoint(acme.dns_update_server, 53).has_value()) {
    diag.error(ConfigErrc::kBadValue, reader.line("dns_update_server"), "acme.dns_update_server",
               in_quotes(acme.dns_update_server) + " is not an address: expected \"ip[:port]\"");
  }
  reader.string("tsig_key_file", acme.tsig_key_file);
  if (acme.challenge == AcmeChallenge::kDns01 && acme.dns_update_server.empty()) {
    diag.error(ConfigErrc::kConflict, reader.line("challenge"), "acme.challenge",
               "\"dns-01\" needs acme.dns_update_server (the RFC 2136 server to update)");
  }
  reader.report_unknown_keys();
}

void read_dns(const toml::table& table, Config& config, Diagnostics& diag) {
  TableReader reader(table, "dns.", diag);
  read_endpoints(reader, "nameservers", config.dns.nameservers, 53, diag);
  reader.string("trust_anchor_file", config.dns.trust_anchor_file);
  reader.report_unknown_keys();
}

void read_listen(const toml::table& table, Config& config, Diagnostics& diag) {
  TableReader reader(table, "listen.", diag);
  read_endpoints(reader, "s2s", config.listen.s2s, 5269, diag);
  read_endpoints(reader, "direct_tls", config.listen.direct_tls, 5270, diag);
  std::string metrics;
  if (reader.string("metrics", metrics)) {
    if (metrics.empty()) {
      config.listen.metrics.reset();
    } else if (auto endpoint = parse_endpoint(metrics, 9269)) {
      config.listen.metrics = *endpoint;
    } else {
      diag.error(ConfigErrc::kBadValue, reader.line("metrics"), "listen.metrics",
                 in_quotes(metrics) + " is not an address: expected \"127.0.0.1:9269\" or \"\"");
    }
  }
  if (config.listen.s2s.empty() && config.listen.direct_tls.empty()) {
    diag.error(ConfigErrc::kConflict, line_of(table), "listen",
               "neither s2s nor direct_tls listens anywhere: partners could never connect");
  }
  reader.report_unknown_keys();
}

void read_internal(const toml::table& table, Config& config, Diagnostics& diag) {
  TableReader reader(table, "internal.", diag);
  reader.string("host", config.internal.host);
  if (config.internal.host.empty()) {
    diag.error(ConfigErrc::kBadValue, reader.line("host"), "internal.host", "must not be empty");
  }
  reader.integer("port", config.internal.port, 1, 65535);
  reader.string("secret_file", config.internal.secret_file);
  reader.report_unknown_keys();
}

void check_federated_users(const std::vector<std::string>& users, const TableReader& reader,
                           Diagnostics& diag) {
  for (const auto& entry : users) {
    if (entry == "*") {
      continue;
    }
    const std::string_view body =
        entry.starts_with("*@") ? std::string_view(entry).substr(2) : std::string_view(entry);
    const bool valid =
        entry.starts_with("*@") ? normalize_domain(body).has_value() : Jid::parse(body).has_value();
    if (!valid || entry.find('/') != std::string::npos) {
      diag.error(ConfigErrc::kBadValue, reader.line("federated_users"),
                 "federation.federated_users",
                 in_quotes(entry) + " is not \"*\", \"*@domain\" or a bare JID");
    }
  }
}

// Rate limits: 0 is unlimited; the bounds only catch typos (a rate past these is no limit).
constexpr std::int64_t kMaxRateBytes = std::int64_t{1} << 40;
constexpr std::int64_t kMaxRateStanzas = 100'000'000;

void read_optional_rate(TableReader& reader, std::string_view key,
                        std::optional<std::uint64_t>& out, std::int64_t max) {
  std::uint64_t value = 0;
  if (reader.integer(key, value, 0, max)) {
    out = value;
  }
}

void read_federation(const toml::table& table, Config& config, Diagnostics& diag) {
  TableReader reader(table, "federation.", diag);
  auto& fed = config.federation;
  reader.boolean("allow_federated_users", fed.allow_federated_users);
  reader.string_array("federated_users", fed.federated_users);
  check_federated_users(fed.federated_users, reader, diag);
  reader.string("dialback_secret_file", fed.dialback_secret_file);
  reader.string("ca_file", fed.ca_file);
  reader.integer("connection_limit", fed.connection_limit, 1, 1'000'000);
  reader.integer("connections_per_ip", fed.connections_per_ip, 0, 1'000'000);
  reader.integer("rate_bytes_per_second", fed.rate_bytes_per_second, 0, kMaxRateBytes);
  reader.integer("rate_stanzas_per_second", fed.rate_stanzas_per_second, 0, kMaxRateStanzas);
  reader.duration("stream_establishment_timeout", fed.stream_establishment_timeout);
  reader.duration("negotiation_step_timeout", fed.negotiation_step_timeout);
  reader.duration("stream_inactivity_timeout", fed.stream_inactivity_timeout);
  reader.duration("keepalive_interval", fed.keepalive_interval);
  reader.duration("drain_timeout", fed.drain_timeout);
  // RFC 6120 §13.12: a server must accept stanzas of at least 10000 bytes.
  reader.integer("max_stanza_bytes", fed.max_stanza_bytes, 10'000, 64LL * 1024 * 1024);
  reader.integer("max_stanza_elements", fed.max_stanza_elements, 64, 1'000'000);
  // A stream header alone may take 4 KiB (the framer's header cap).
  reader.integer("preauth_max_bytes", fed.preauth_max_bytes, 4'096, 1'048'576);
  reader.integer("preauth_max_elements", fed.preauth_max_elements, 8, 10'000);
  reader.boolean("strict_client_purpose", fed.strict_client_purpose);
  if (fed.keepalive_interval >= fed.stream_inactivity_timeout) {
    diag.warning(reader.line("keepalive_interval"), "federation.keepalive_interval",
                 "not shorter than stream_inactivity_timeout: peers with the same timeout may "
                 "close idle streams before a keepalive is sent");
  }
  reader.report_unknown_keys();
}

void read_partner(const toml::table& table, std::size_t index, Config& config, Diagnostics& diag) {
  const std::string prefix = "partner[" + std::to_string(index) + "].";
  TableReader reader(table, prefix, diag);
  Partner partner;
  partner.line = line_of(table);
  if (!reader.string("domain", partner.domain) && !reader.has("domain")) {
    diag.error(ConfigErrc::kBadValue, partner.line, prefix + "domain",
               "required: the partner's XMPP domain");
  }
  if (!partner.domain.empty()) {
    auto normalized = normalize_domain(partner.domain);
    if (normalized) {
      partner.domain = normalized.value();
    } else {
      diag.error(ConfigErrc::kBadValue, reader.line("domain"), prefix + "domain",
                 in_quotes(partner.domain) + " is not a valid domain: " + normalized.error().why);
    }
  }
  reader.string_array("additional_domains", partner.additional_domains);
  normalize_domains(partner.additional_domains, reader, "additional_domains", diag);
  reader.enumeration("type", partner.type, parse_partner_type,
                     "\"federated\", \"public-verified\", \"public-unverified\"");
  constexpr std::string_view kNegotiations = "\"required\", \"optional\", \"not-supported\"";
  reader.enumeration("tls", partner.tls, parse_negotiation, kNegotiations);
  reader.enumeration("sasl", partner.sasl, parse_negotiation, kNegotiations);
  reader.boolean("dialback", partner.dialback);
  // A federated partner over required TLS is one whose certificate we expect to check.
  partner.verify_certificate =
      partner.type == PartnerType::kFederated && partner.tls == Negotiation::kRequired;
  partner.verify_certificate_set = reader.boolean("verify_certificate", partner.verify_certificate);
  if (partner.verify_certificate_set && partner.verify_certificate &&
      partner.tls != Negotiation::kRequired) {
    diag.error(ConfigErrc::kConflict, reader.line("verify_certificate"),
               prefix + "verify_certificate",
               "true needs tls = \"required\": a stream without TLS has no certificate to verify");
  }
  reader.boolean("keepalive", partner.keepalive);
  if (reader.string("proxy_fqdn", partner.proxy_fqdn) && !partner.proxy_fqdn.empty()) {
    const auto endpoint = parse_endpoint(partner.proxy_fqdn, 5269);
    if (!endpoint) {
      diag.error(ConfigErrc::kBadValue, reader.line("proxy_fqdn"), prefix + "proxy_fqdn",
                 in_quotes(partner.proxy_fqdn) + " is not \"host[:port]\"");
    }
  }
  reader.integer("connection_limit", partner.connection_limit, 1, 1'000'000);
  read_optional_rate(reader, "rate_bytes_per_second", partner.rate_bytes_per_second, kMaxRateBytes);
  read_optional_rate(reader, "rate_stanzas_per_second", partner.rate_stanzas_per_second,
                     kMaxRateStanzas);
  reader.string("description", partner.description);
  reader.report_unknown_keys();

  const auto verdict = check_partner_matrix(partner);
  const std::string where = prefix + "(" + partner.domain + ")";
  for (const auto& error : verdict.errors) {
    diag.error(ConfigErrc::kConflict, partner.line, where, error);
  }
  for (const auto& warning : verdict.warnings) {
    diag.warning(partner.line, where, warning);
  }
  config.partners.push_back(std::move(partner));
}

void check_partner_domains(const Config& config, Diagnostics& diag) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < config.partners.size(); ++i) {
    const auto& partner = config.partners[i];
    for (const auto& domain : partner.all_domains()) {
      if (domain.empty()) {
        continue;
      }
      const std::string key = "partner[" + std::to_string(i) + "]";
      if (!seen.insert(domain).second) {
        diag.error(ConfigErrc::kConflict, partner.line, key,
                   in_quotes(domain) + " belongs to more than one partner");
      }
      if (config.is_local_domain(domain)) {
        diag.error(ConfigErrc::kConflict, partner.line, key,
                   in_quotes(domain) + " is one of edge.xmpp_domains: a partner must be remote");
      }
    }
  }
}

}  // namespace

const EdgekitCategory& config_category() noexcept {
  static const ConfigCategory category;
  return category;
}

std::error_code make_error_code(ConfigErrc value) noexcept {
  return {static_cast<int>(value), config_category()};
}

std::string_view to_string(KeyType value) noexcept {
  switch (value) {
    case KeyType::kRsa2048: return "rsa:2048";
    case KeyType::kRsa3072: return "rsa:3072";
    case KeyType::kRsa4096: return "rsa:4096";
    case KeyType::kEcP256: return "ec:P-256";
    case KeyType::kEcP384: return "ec:P-384";
  }
  return "rsa:2048";
}

std::string_view to_string(Negotiation value) noexcept {
  switch (value) {
    case Negotiation::kRequired: return "required";
    case Negotiation::kOptional: return "optional";
    case Negotiation::kNotSupported: return "not-supported";
  }
  return "not-supported";
}

std::string_view to_string(PartnerType value) noexcept {
  switch (value) {
    case PartnerType::kFederated: return "federated";
    case PartnerType::kPublicVerified: return "public-verified";
    case PartnerType::kPublicUnverified: return "public-unverified";
  }
  return "public-unverified";
}

std::string_view to_string(AcmeChallenge value) noexcept {
  return value == AcmeChallenge::kDns01 ? "dns-01" : "http-01";
}

std::optional<KeyType> parse_key_type(std::string_view text) noexcept {
  for (const auto type : {KeyType::kRsa2048, KeyType::kRsa3072, KeyType::kRsa4096, KeyType::kEcP256,
                          KeyType::kEcP384}) {
    if (text == to_string(type)) {
      return type;
    }
  }
  return std::nullopt;
}

std::optional<Negotiation> parse_negotiation(std::string_view text) noexcept {
  for (const auto value :
       {Negotiation::kRequired, Negotiation::kOptional, Negotiation::kNotSupported}) {
    if (text == to_string(value)) {
      return value;
    }
  }
  return std::nullopt;
}

std::optional<PartnerType> parse_partner_type(std::string_view text) noexcept {
  for (const auto value :
       {PartnerType::kFederated, PartnerType::kPublicVerified, PartnerType::kPublicUnverified}) {
    if (text == to_string(value)) {
      return value;
    }
  }
  return std::nullopt;
}

std::string Endpoint::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port) {
  Endpoint endpoint;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close == 1) {
      return std::nullopt;
    }
    endpoint.host = std::string(text.substr(1, close - 1));
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) {
        return std::nullopt;
      }
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      return std::nullopt;  // a bare IPv6 address must be bracketed
    }
    endpoint.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
    }
  }
  if (endpoint.host.empty() || endpoint.host.find_first_of(" \t/@") != std::string::npos) {
    return std::nullopt;
  }
  if (port_text.empty()) {
    if (default_port == 0) {
      return std::nullopt;
    }
    endpoint.port = default_port;
    return endpoint;
  }
  unsigned value = 0;
  const auto [ptr, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || value == 0 ||
      value > 65535) {
    return std::nullopt;
  }
  endpoint.port = static_cast<std::uint16_t>(value);
  return endpoint;
}

std::vector<std::string> Partner::all_domains() const {
  std::vector<std::string> domains{domain};
  domains.insert(domains.end(), additional_domains.begin(), additional_domains.end());
  return domains;
}

const Partner* Config::find_partner(std::string_view domain) const noexcept {
  for (const auto& partner : partners) {
    if (iequals_ascii(partner.domain, domain)) {
      return &partner;
    }
    for (const auto& extra : partner.additional_domains) {
      if (iequals_ascii(extra, domain)) {
        return &partner;
      }
    }
  }
  return nullptr;
}

bool Config::is_local_domain(std::string_view domain) const noexcept {
  return std::any_of(edge.xmpp_domains.begin(), edge.xmpp_domains.end(),
                     [&](const std::string& local) { return iequals_ascii(local, domain); });
}

std::filesystem::path Config::resolve_path(const std::string& value) const {
  std::filesystem::path path(value);
  if (path.empty() || path.is_absolute() || source.empty()) {
    return path;
  }
  return source.parent_path() / path;
}

MatrixVerdict check_partner_matrix(const Partner& partner) {
  MatrixVerdict verdict;
  const bool tls_possible = partner.tls != Negotiation::kNotSupported;
  const bool sasl_possible = partner.sasl != Negotiation::kNotSupported && tls_possible;
  if (partner.sasl == Negotiation::kRequired && !tls_possible && !partner.dialback) {
    verdict.errors.emplace_back(
        "sasl = \"required\" with tls = \"not-supported\" and dialback = false can never "
        "succeed: SASL EXTERNAL authenticates with the TLS certificate, so without TLS and "
        "without dialback no stream can authenticate");
  } else if (!sasl_possible && !partner.dialback) {
    verdict.errors.emplace_back(
        "no authentication method is possible: enable dialback, or allow TLS and SASL EXTERNAL");
  }
  if (partner.sasl == Negotiation::kRequired && !tls_possible && partner.dialback) {
    verdict.warnings.emplace_back(
        "sasl = \"required\" cannot be met with tls = \"not-supported\" (SASL EXTERNAL needs "
        "TLS): streams will authenticate by dialback only");
  }
  if (partner.sasl == Negotiation::kRequired && partner.tls == Negotiation::kOptional) {
    verdict.warnings.emplace_back(
        "sasl = \"required\" with tls = \"optional\": a stream that does not negotiate TLS "
        "cannot do SASL EXTERNAL and will fail; set tls = \"required\"");
  }
  if (partner.tls == Negotiation::kRequired && partner.sasl == Negotiation::kRequired &&
      partner.dialback) {
    verdict.warnings.emplace_back(
        "dialback = true has no effect: with TLS and SASL EXTERNAL both required, dialback is "
        "never offered (a partner whose certificate fails cannot fall back to it)");
  }
  if (partner.sasl == Negotiation::kOptional && !tls_possible) {
    verdict.warnings.emplace_back(
        "sasl = \"optional\" has no effect with tls = \"not-supported\": SASL EXTERNAL needs TLS");
  }
  return verdict;
}

Result<Config> parse_config(std::string_view text, std::string_view source_name) {
  Diagnostics diag;
  diag.source = std::string(source_name);
  toml::table root;
  try {
    root = toml::parse(text, std::string(source_name));
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    return make_error(ConfigErrc::kSyntax,
                      std::string(source_name) + ":" + std::to_string(where.line),
                      std::string(error.description()));
  }

  Config config;
  using Section = void (*)(const toml::table&, Config&, Diagnostics&);
  constexpr std::pair<std::string_view, Section> kSections[] = {
      {"edge", read_edge},
      {"certificate", read_certificate},
      {"acme", read_acme},
      {"dns", read_dns},
      {"listen", read_listen},
      {"internal", read_internal},
      {"federation", read_federation},
  };
  for (const auto& [name, reader] : kSections) {
    const auto* node = root.get(name);
    if (node == nullptr) {
      if (name == "edge") {
        diag.error(ConfigErrc::kBadValue, 1, "edge", "required table [edge] is missing");
      }
      continue;
    }
    if (const auto* table = node->as_table()) {
      reader(*table, config, diag);
    } else {
      diag.error(ConfigErrc::kWrongType, line_of(*node), std::string(name),
                 "expected a table [" + std::string(name) + "]");
    }
  }
  if (const auto* node = root.get("partner")) {
    const auto* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      diag.error(ConfigErrc::kWrongType, line_of(*node), "partner", "expected [[partner]] tables");
    } else {
      for (std::size_t i = 0; i < array->size(); ++i) {
        read_partner(*array->get(i)->as_table(), i, config, diag);
      }
    }
  }
  for (const auto& entry : root) {
    const std::string_view key = entry.first.str();
    const bool known = key == "partner" ||
                       std::any_of(std::begin(kSections), std::end(kSections),
                                   [key](const auto& section) { return section.first == key; });
    if (!known) {
      diag.error(ConfigErrc::kUnknownKey, line_of(entry.second), std::string(key),
                 "unknown table or key");
    }
  }
  check_partner_domains(config, diag);
  if (config.edge.store.empty()) {
    config.edge.store = "/var/lib/edgekit";
  }

  if (!diag.errors.empty()) {
    std::string why;
    for (const auto& line : diag.errors) {
      why += (why.empty() ? "" : "\n") + line;
    }
    return Error{make_error_code(*diag.first_code), "invalid configuration", why};
  }
  config.warnings = std::move(diag.warnings);
  return config;
}

Result<Config> load_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ConfigErrc::kUnreadable, path.string(),
                      std::error_code(errno, std::generic_category()).message());
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    return make_error(ConfigErrc::kUnreadable, path.string(), "read failed");
  }
  constexpr std::size_t kMaxConfigBytes = std::size_t{4} * 1024 * 1024;
  const std::string text = buffer.str();
  if (text.size() > kMaxConfigBytes) {
    return make_error(ConfigErrc::kUnreadable, path.string(),
                      "larger than 4 MiB: not a deployment file");
  }
  auto config = parse_config(text, path.string());
  if (config) {
    config.value().source = path;
  }
  return config;
}

}  // namespace edgekit
