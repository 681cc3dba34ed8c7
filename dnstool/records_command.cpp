#include "dnstool/records_command.hpp"

#include <nlohmann/json.hpp>

#include "common/jid.hpp"
#include "common/store.hpp"
#include "dnstool/check_options.hpp"
#include "dnstool/edge_certificate.hpp"
#include "dnstool/records.hpp"

namespace edgekit::dnstool {
namespace {

namespace po = cli::po;

class RecordsCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "records"; }
  [[nodiscard]] std::string summary() const override {
    return "print the DNS records (SRV, TLSA) and the POSH document to publish";
  }
  void add_options(po::options_description& options) override {
    options.add_options()("domain,d", po::value<std::vector<std::string>>()->value_name("D"),
                          "XMPP domain (repeatable; default: edge.xmpp_domains)")(
        "edge-fqdn", po::value<std::string>()->value_name("F"),
        "the SRV target (default: edge.fqdn)")(
        "port", po::value<int>()->value_name("N"),
        "the SRV port (default: the first listen.s2s port, 5269)")(
        "cert", po::value<std::string>()->value_name("FILE"),
        "certificate for TLSA and POSH (default: the store's assigned certificate)")(
        "posh-out", po::value<std::string>()->value_name("FILE"),
        "write the POSH document (xmpp-server.json) to FILE")(
        "ttl", po::value<int>()->value_name("SECONDS"), "TTL of the records (default 3600)");
  }

  int run(cli::Context& context) override {
    auto config = optional_config(context);
    if (!config) {
      return context.fail(config.error());
    }
    const auto& cfg = config.value();
    RecordsInput input;
    if (auto domains = context.get<std::vector<std::string>>("domain")) {
      for (const auto& domain : *domains) {
        auto normalized = normalize_domain(domain);
        if (!normalized) {
          throw cli::UsageError("--domain " + domain + ": " + normalized.error().why);
        }
        input.domains.push_back(std::move(normalized).value());
      }
    } else if (cfg) {
      input.domains = cfg->edge.xmpp_domains;
    }
    if (auto fqdn = context.get<std::string>("edge-fqdn")) {
      auto normalized = normalize_domain(*fqdn);
      if (!normalized) {
        throw cli::UsageError("--edge-fqdn " + *fqdn + ": " + normalized.error().why);
      }
      input.edge_fqdn = std::move(normalized).value();
    } else if (cfg) {
      input.edge_fqdn = cfg->edge.fqdn;
    }
    if (input.domains.empty() || input.edge_fqdn.empty()) {
      throw cli::UsageError(
          "need the domains and the edge FQDN: --domain D --edge-fqdn F, or "
          "a config with edge.xmpp_domains and edge.fqdn");
    }
    if (cfg && !cfg->listen.s2s.empty() && cfg->listen.s2s.front().port != 0) {
      input.port = cfg->listen.s2s.front().port;
    }
    if (auto port = context.get<int>("port")) {
      if (*port < 1 || *port > 65535) {
        throw cli::UsageError("--port must be 1..65535");
      }
      input.port = static_cast<std::uint16_t>(*port);
    }
    if (cfg && !cfg->listen.direct_tls.empty()) {
      input.direct_tls_port = cfg->listen.direct_tls.front().port;
    }
    if (auto ttl = context.get<int>("ttl")) {
      if (*ttl < 0) {
        throw cli::UsageError("--ttl must not be negative");
      }
      input.ttl = static_cast<std::uint32_t>(*ttl);
    }
    std::string why;
    const auto store_dir =
        choose_store_path(context.store_flag, cfg ? cfg->edge.store : std::string()).string();
    auto certificate =
        load_edge_certificate(context.get<std::string>("cert").value_or(""), store_dir, why);
    if (!certificate) {
      return context.fail(certificate.error());
    }
    if (certificate.value()) {
      input.certificate = certificate.value()->leaf();
    }
    const auto output = make_records(input);
    if (auto posh_out = context.get<std::string>("posh-out")) {
      if (output.posh.empty()) {
        return context.fail(make_error(GeneralErrc::kUsage, *posh_out,
                                       "no certificate to make the POSH document from: " + why));
      }
      if (auto written = write_file_atomic(
              *posh_out, output.posh,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                  std::filesystem::perms::group_read | std::filesystem::perms::others_read);
          !written) {
        return context.fail(written.error());
      }
    }
    if (context.json) {
      nlohmann::json json = {{"records", nlohmann::json::array()}};
      for (const auto& line : output.lines) {
        if (!line.starts_with(";")) {
          json["records"].push_back(line);
        }
      }
      json["posh"] =
          output.posh.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(output.posh);
      context.out() << json.dump(2) << "\n";
      return 0;
    }
    for (const auto& line : output.lines) {
      context.out() << line << "\n";
    }
    if (!output.posh.empty()) {
      context.out() << "; POSH (RFC 7711): serve at https://<domain>/.well-known/posh/"
                       "xmpp-server.json\n"
                    << output.posh;
    }
    return 0;
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_records_command() {
  return std::make_unique<RecordsCommand>();
}

}  // namespace edgekit::dnstool
