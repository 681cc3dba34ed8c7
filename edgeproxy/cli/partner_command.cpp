#include "edgeproxy/cli/partner_command.hpp"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/jid.hpp"
#include "common/store.hpp"
#include "edgeproxy/cli/partner_edit.hpp"

namespace edgekit::edgeproxy {
namespace {

bool parse_bool(const std::string& text, const char* flag) {
  if (text == "true" || text == "yes" || text == "1") {
    return true;
  }
  if (text == "false" || text == "no" || text == "0") {
    return false;
  }
  throw cli::UsageError(std::string("--") + flag + " takes true or false, not '" + text + "'");
}

template <typename T>
T parse_enum(std::optional<T> value, const std::string& text, const char* flag,
             const char* allowed) {
  if (!value) {
    throw cli::UsageError(std::string("--") + flag + " must be one of " + allowed + ", not '" +
                          text + "'");
  }
  return *value;
}

class PartnerCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "partner"; }
  [[nodiscard]] std::string summary() const override {
    return "list, add, change or remove allowed partners ([[partner]] tables)";
  }
  [[nodiscard]] std::string arguments() const override {
    return "list | add DOMAIN | set DOMAIN | remove DOMAIN";
  }
  [[nodiscard]] int max_positional() const override { return 2; }
  void add_options(cli::po::options_description& options) override {
    options.add_options()("type", cli::po::value<std::string>(),
                          "federated | public-verified | public-unverified")(
        "tls", cli::po::value<std::string>(), "required | optional | not-supported")(
        "sasl", cli::po::value<std::string>(), "required | optional | not-supported")(
        "dialback", cli::po::value<std::string>(), "true | false")(
        "verify-certificate", cli::po::value<std::string>(),
        "true | false: the partner's certificate must authenticate it (default: true for "
        "federated partners with tls required)")("keepalive", cli::po::value<std::string>(),
                                                 "true | false")(
        "proxy-fqdn", cli::po::value<std::string>(), "static route host[:port] (\"\" clears)")(
        "additional-domain", cli::po::value<std::vector<std::string>>(),
        "another domain of the partner (repeatable; replaces the list)")(
        "connection-limit", cli::po::value<std::uint32_t>(), "streams from this partner")(
        "rate-bytes-per-second", cli::po::value<std::uint64_t>(),
        "this partner's own read rate per inbound stream (0: unlimited)")(
        "rate-stanzas-per-second", cli::po::value<std::uint64_t>(),
        "this partner's own stanza rate per inbound stream (0: unlimited)")(
        "description", cli::po::value<std::string>(), "free text");
  }

  int run(cli::Context& context) override {
    if (context.positional.empty()) {
      throw cli::UsageError("partner needs an action: list, add, set or remove");
    }
    const std::string& action = context.positional[0];
    auto config = context.load_config();
    if (!config) {
      return context.fail(config.error());
    }
    if (action == "list") {
      return list(context, config.value());
    }
    if (action != "add" && action != "set" && action != "remove") {
      throw cli::UsageError("unknown partner action '" + action + "'");
    }
    if (context.positional.size() < 2) {
      throw cli::UsageError("partner " + action + " needs a DOMAIN");
    }
    auto domain = normalize_domain(context.positional[1]);
    if (!domain) {
      return context.fail(domain.error());
    }
    const Partner* existing = config.value().find_partner(domain.value());
    const bool is_primary = existing != nullptr && iequals_ascii(existing->domain, domain.value());
    Partner partner;
    if (action == "add") {
      if (existing != nullptr) {
        return context.fail(make_error(ConfigErrc::kConflict, domain.value(),
                                       "already a partner domain (use partner set)"));
      }
      partner.domain = domain.value();
    } else {
      if (!is_primary) {
        return context.fail(
            make_error(ConfigErrc::kBadValue, domain.value(), "no [[partner]] with this domain"));
      }
      partner = *existing;
    }
    std::string table;
    if (action != "remove") {
      apply_flags(context, partner);
      table = render_partner_table(partner);
    }
    const std::string path = context.config_location();
    auto text = read_file(path);
    if (!text) {
      return context.fail(text.error());
    }
    auto edited = replace_partner_table(text.value(), domain.value(), table);
    if (!edited) {
      return context.fail(edited.error());
    }
    // The whole file, with the partner matrix, must still load.
    auto check = parse_config(edited.value(), path);
    if (!check) {
      return context.fail(check.error());
    }
    for (const auto& warning : check.value().warnings) {
      context.warn(warning);
    }
    auto written =
        write_file_atomic(path, edited.value(), std::filesystem::status(path).permissions());
    if (!written) {
      return context.fail(written.error());
    }
    context.out() << "partner " << domain.value() << ": "
                  << (action == "add"   ? "added"
                      : action == "set" ? "updated"
                                        : "removed")
                  << " in " << path << " (send SIGHUP to a running edgeproxy to apply)\n";
    return 0;
  }

 private:
  static void apply_flags(const cli::Context& context, Partner& partner) {
    if (auto value = context.get<std::string>("type")) {
      partner.type = parse_enum(parse_partner_type(*value), *value, "type",
                                "federated, public-verified, public-unverified");
    }
    if (auto value = context.get<std::string>("tls")) {
      partner.tls =
          parse_enum(parse_negotiation(*value), *value, "tls", "required, optional, not-supported");
    }
    if (auto value = context.get<std::string>("sasl")) {
      partner.sasl = parse_enum(parse_negotiation(*value), *value, "sasl",
                                "required, optional, not-supported");
    }
    if (auto value = context.get<std::string>("dialback")) {
      partner.dialback = parse_bool(*value, "dialback");
    }
    if (auto value = context.get<std::string>("verify-certificate")) {
      partner.verify_certificate = parse_bool(*value, "verify-certificate");
      partner.verify_certificate_set = true;
    }
    if (auto value = context.get<std::string>("keepalive")) {
      partner.keepalive = parse_bool(*value, "keepalive");
    }
    if (auto value = context.get<std::string>("proxy-fqdn")) {
      partner.proxy_fqdn = *value;
    }
    if (auto value = context.get<std::vector<std::string>>("additional-domain")) {
      partner.additional_domains = *value;
    }
    if (auto value = context.get<std::uint32_t>("connection-limit")) {
      partner.connection_limit = *value;
    }
    if (auto value = context.get<std::uint64_t>("rate-bytes-per-second")) {
      partner.rate_bytes_per_second = *value;
    }
    if (auto value = context.get<std::uint64_t>("rate-stanzas-per-second")) {
      partner.rate_stanzas_per_second = *value;
    }
    if (auto value = context.get<std::string>("description")) {
      partner.description = *value;
    }
  }

  // A partner's own rate limit, or null when it follows [federation]'s.
  static nlohmann::json own_rate(const std::optional<std::uint64_t>& rate) {
    return rate ? nlohmann::json(*rate) : nlohmann::json(nullptr);
  }

  static int list(const cli::Context& context, const Config& config) {
    if (context.json) {
      auto array = nlohmann::json::array();
      for (const auto& partner : config.partners) {
        array.push_back({{"domain", partner.domain},
                         {"additional_domains", partner.additional_domains},
                         {"type", to_string(partner.type)},
                         {"tls", to_string(partner.tls)},
                         {"sasl", to_string(partner.sasl)},
                         {"dialback", partner.dialback},
                         {"verify_certificate", partner.verify_certificate},
                         {"keepalive", partner.keepalive},
                         {"proxy_fqdn", partner.proxy_fqdn},
                         {"connection_limit", partner.connection_limit},
                         {"rate_bytes_per_second", own_rate(partner.rate_bytes_per_second)},
                         {"rate_stanzas_per_second", own_rate(partner.rate_stanzas_per_second)},
                         {"description", partner.description}});
      }
      context.out() << nlohmann::json{{"partners", array}}.dump(2) << "\n";
      return 0;
    }
    context.out() << std::left << std::setw(24) << "DOMAIN" << std::setw(19) << "TYPE"
                  << std::setw(15) << "TLS" << std::setw(15) << "SASL" << std::setw(10)
                  << "DIALBACK"
                  << "ROUTE\n";
    for (const auto& partner : config.partners) {
      std::string name = partner.domain;
      for (const auto& extra : partner.additional_domains) {
        name += "," + extra;
      }
      context.out() << std::left << std::setw(24) << name << std::setw(19)
                    << to_string(partner.type) << std::setw(15) << to_string(partner.tls)
                    << std::setw(15) << to_string(partner.sasl) << std::setw(10)
                    << (partner.dialback ? "yes" : "no")
                    << (partner.proxy_fqdn.empty() ? "SRV" : partner.proxy_fqdn) << "\n";
    }
    return 0;
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_partner_command() {
  return std::make_unique<PartnerCommand>();
}

}  // namespace edgekit::edgeproxy
