#include "dnstool/check_command.hpp"

#include <cstdlib>
#include <iostream>

#include <unistd.h>

#include "dnstool/checker.hpp"

namespace edgekit::dnstool {
namespace {

namespace po = cli::po;

class CheckCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "check"; }
  [[nodiscard]] std::string summary() const override {
    return "check SRV, addresses, DNSSEC, TLSA, certificate, POSH and (--probe) the live edge";
  }
  void add_options(po::options_description& options) override {
    options.add_options()("domain,d", po::value<std::vector<std::string>>()->value_name("D"),
                          "XMPP domain to check (repeatable; default: edge.xmpp_domains)")(
        "edge-fqdn", po::value<std::string>()->value_name("F"),
        "the edge's FQDN, expected among the SRV targets (default: edge.fqdn)")(
        "port", po::value<int>()->default_value(5269)->value_name("N"),
        "the port the SRV records must use")(
        "nameserver", po::value<std::vector<std::string>>()->value_name("IP[:PORT]"),
        "nameserver to ask (repeatable; default: dns.nameservers, else the system resolver)")(
        "trust-anchor", po::value<std::string>()->value_name("FILE"),
        "DNSSEC trust anchors (DS or DNSKEY lines; default: dns.trust_anchor_file)")(
        "cert", po::value<std::string>()->value_name("FILE"),
        "certificate (PEM) to check (default: the store's assigned certificate)")(
        "ca-file", po::value<std::string>()->value_name("FILE"),
        "roots to verify the edge's chain (default: federation.ca_file, else system roots)")(
        "probe", "connect to the edge: XMPP stream, STARTTLS, certificate")(
        "probe-address", po::value<std::string>()->value_name("IP[:PORT]"),
        "probe this address instead of the SRV targets (implies --probe)")(
        "posh", "fetch and compare the POSH documents (RFC 7711)")(
        "connect-to", po::value<std::string>()->value_name("HOST:PORT"),
        "send every POSH HTTPS request to HOST:PORT (testing)")(
        "timeout-ms", po::value<int>()->value_name("MS"),
        "time limit per DNS attempt and per probe step (default 1500)");
  }

  int run(cli::Context& context) override {
    auto config = optional_config(context);
    if (!config) {
      return context.fail(config.error());
    }
    const CheckSettings settings = resolve_settings(context, config.value());
    auto run = run_checks(settings);
    if (!run) {
      return context.fail(run.error());
    }
    const Report& report = run.value().report;
    if (context.json) {
      context.out() << to_json(report).dump(2) << "\n";
    } else {
      const bool colour = &context.out() == &std::cout && isatty(STDOUT_FILENO) == 1 &&
                          std::getenv("NO_COLOR") == nullptr;
      print_human(report, context.out(), colour);
    }
    if (run.value().no_nameserver) {
      return context.fail(
          make_error(dns::DnsErrc::kNoAnswer, "nameservers", run.value().nameserver_error));
    }
    return static_cast<int>(report.ok() ? ExitCode::kOk : ExitCode::kProblems);
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_check_command() {
  return std::make_unique<CheckCommand>();
}

}  // namespace edgekit::dnstool
