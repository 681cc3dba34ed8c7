// certtool list: the requests and certificates in the store, and which one is assigned.
#include <ostream>

#include "certtool/cert_store.hpp"
#include "certtool/commands/command_support.hpp"
#include "certtool/commands/commands.hpp"
#include "certtool/commands/deployment.hpp"
#include "common/identity.hpp"

namespace edgekit::certtool {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    text += (text.empty() ? "" : ", ") + item;
  }
  return text;
}

class ListCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "list"; }
  [[nodiscard]] std::string summary() const override {
    return "requests and certificates in the store";
  }

  int run(cli::Context& context) override {
    auto deployment = open_deployment(context, {});
    if (!deployment) {
      return context.fail(deployment.error());
    }
    auto& store = deployment.value().store;
    auto requests = list_requests(store);
    if (!requests) {
      return context.fail(requests.error());
    }
    auto certificates = list_certificates(store);
    if (!certificates) {
      return context.fail(certificates.error());
    }
    std::string assigned;
    if (auto identity = read_identity(store)) {
      assigned = identity.value().thumbprint;
    }
    if (context.json) {
      nlohmann::json json{
          {"store", store.root().string()},
          {"assigned", assigned.empty() ? nlohmann::json(nullptr) : nlohmann::json(assigned)},
          {"requests", nlohmann::json::array()},
          {"certificates", nlohmann::json::array()}};
      for (const auto& request : requests.value()) {
        json["requests"].push_back(to_json(request));
      }
      for (const auto& cert : certificates.value()) {
        auto entry = to_json(cert);
        entry["assigned"] = cert.thumbprint == assigned;
        json["certificates"].push_back(std::move(entry));
      }
      print_json(context, json);
      return 0;
    }
    auto& out = context.out();
    out << "Requests (" << requests.value().size() << ")\n";
    for (const auto& r : requests.value()) {
      out << "  " << r.id << "  " << r.status << "  " << r.created << "  " << r.key
          << (r.key_encrypted ? " (encrypted)" : "") << "  " << join(r.dns_names) << "\n";
    }
    out << "Certificates (" << certificates.value().size() << ")\n";
    for (const auto& c : certificates.value()) {
      out << (c.thumbprint == assigned ? "* " : "  ") << c.thumbprint << "  until " << c.not_after
          << "  " << join(c.dns_names) << "\n"
          << "      issuer " << c.issuer
          << (c.friendly_name.empty() ? "" : "  \"" + c.friendly_name + "\"") << "\n";
    }
    if (!assigned.empty()) {
      out << "* assigned (edge-external)\n";
    }
    return 0;
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_list_command() {
  return std::make_unique<ListCommand>();
}

}  // namespace edgekit::certtool
