// certtool acme: get the edge certificate from an ACME CA (RFC 8555) for the pending request:
// order, prove control (http-01 or dns-01), finalize with the request's CSR, download the
// chain, import it exactly as `certtool import` does; --assign also assigns and reloads.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <ostream>

#include <openssl/x509.h>

#include "certtool/acme/dns01.hpp"
#include "certtool/acme/driver.hpp"
#include "certtool/acme/errors.hpp"
#include "certtool/acme/http01.hpp"
#include "certtool/acme/store.hpp"
#include "certtool/cert_store.hpp"
#include "certtool/commands/acme_commands.hpp"
#include "certtool/commands/command_support.hpp"
#include "certtool/commands/commands.hpp"
#include "certtool/commands/deployment.hpp"
#include "certtool/csr.hpp"
#include "certtool/import.hpp"
#include "certtool/key.hpp"
#include "certtool/new_request.hpp"

namespace edgekit::certtool {
namespace acme {
namespace {

constexpr int kDefaultTimeoutSeconds = 300;

// Progress on stderr: plain lines, except that on a terminal the "waiting" lines overwrite
// each other instead of scrolling.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(std::ostream& err) : err_(err), tty_(isatty(STDERR_FILENO) == 1) {}
  void operator()(const std::string& line) {
    const bool waiting = line.rfind("waiting", 0) == 0;
    if (tty_ && overwrite_) {
      err_ << "\r\033[K";
      overwrite_ = false;
    }
    err_ << "certtool: " << line;
    if (tty_ && waiting) {
      err_ << std::flush;
      overwrite_ = true;
    } else {
      err_ << "\n" << std::flush;
    }
  }
  void finish() {
    if (overwrite_) {
      err_ << "\n";
      overwrite_ = false;
    }
  }

 private:
  std::ostream& err_;
  bool tty_;
  bool overwrite_ = false;
};

Error usage(std::string what, std::string why) {
  return make_error(AcmeErrc::kUsage, std::move(what), std::move(why));
}

// The flags that override [acme] keys.
Result<void> apply_flags(const cli::Context& context, AcmeSection& acme) {
  if (auto v = context.get<std::string>("directory")) {
    acme.directory = *v;
  }
  if (auto v = context.get<std::string>("contact")) {
    acme.contact = *v;
  }
  if (context.flag("agree-tos")) {
    acme.agree_tos = true;
  }
  if (auto v = context.get<std::string>("ca-file")) {
    acme.ca_file = *v;
  }
  if (auto v = context.get<std::string>("challenge")) {
    if (*v == "http-01") {
      acme.challenge = AcmeChallenge::kHttp01;
    } else if (*v == "dns-01") {
      acme.challenge = AcmeChallenge::kDns01;
    } else {
      return usage("--challenge", "'" + *v + "' is not http-01 or dns-01");
    }
  }
  if (auto v = context.get<std::string>("http-listen")) {
    acme.http_listen = *v;
  }
  if (auto v = context.get<std::string>("dns-update-server")) {
    acme.dns_update_server = *v;
  }
  if (auto v = context.get<std::string>("tsig-key-file")) {
    acme.tsig_key_file = *v;
  }
  if (acme.directory.empty()) {
    return usage("acme.directory", "no ACME directory URL: set [acme] directory or --directory");
  }
  if (acme.directory.rfind("https://", 0) != 0) {
    return usage("acme.directory",
                 "'" + acme.directory + "' is not an https:// URL (RFC 8555 §6.1)");
  }
  return ok();
}

struct PendingRequest {
  std::string id;
  std::string csr_der;
  std::vector<std::string> names;
};

Result<PendingRequest> find_request(const Store& store, const std::string& wanted) {
  auto requests = list_requests(store);
  if (!requests) {
    return requests.error();
  }
  // The newest: `created` has one-second resolution, so the record's mtime breaks ties.
  auto written_at = [&store](const RequestRecord& request) {
    std::error_code ec;
    auto path = store.resolve(request_dir(request.id) + "/request.json");
    return path ? std::filesystem::last_write_time(path.value(), ec)
                : std::filesystem::file_time_type::min();
  };
  const RequestRecord* chosen = nullptr;
  for (const auto& request : requests.value()) {
    if (!wanted.empty() ? request.id == wanted
                        : request.status == "pending" &&
                              (chosen == nullptr || request.created > chosen->created ||
                               (request.created == chosen->created &&
                                written_at(request) > written_at(*chosen)))) {
      chosen = &request;
    }
  }
  if (chosen == nullptr) {
    return wanted.empty()
               ? usage("certificate request", "no pending request in " + store.root().string() +
                                                  ": run `certtool request` first")
               : usage("request '" + wanted + "'", "no such request in " + store.root().string());
  }
  auto pem = store.read(request_dir(chosen->id) + "/csr.pem", std::size_t{1024} * 1024);
  if (!pem) {
    return pem.error();
  }
  auto csr = parse_csr(pem.value());
  if (!csr) {
    return csr.error();
  }
  unsigned char* der = nullptr;
  const int size = i2d_X509_REQ(csr.value().get(), &der);
  if (size <= 0) {
    return make_error(AcmeErrc::kCrypto, "request " + chosen->id, "cannot encode the CSR");
  }
  const ossl::OpensslBytesPtr owner(der);
  PendingRequest request;
  request.id = chosen->id;
  request.csr_der.assign(reinterpret_cast<const char*>(owner.get()),
                         static_cast<std::size_t>(size));
  request.names = inspect_csr(csr.value().get()).dns_names;
  if (request.names.empty()) {
    return usage("request " + chosen->id, "the CSR names no DNS name an ACME CA could validate");
  }
  return request;
}

std::string contact_url(const std::string& contact) {
  if (contact.empty() || contact.find(':') != std::string::npos) {
    return contact;
  }
  return "mailto:" + contact;
}

class AcmeCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "acme"; }
  [[nodiscard]] std::string summary() const override {
    return "get the certificate for the pending request from an ACME CA, import it; --assign";
  }
  void add_options(cli::po::options_description& options) override {
    add_acme_options(options);
    options.add_options()("request", cli::po::value<std::string>()->value_name("ID"),
                          "the request to get a certificate for (default: the newest pending)")(
        "assign", "assign the new certificate and ask a running edgeproxy to reload");
  }

  int run(cli::Context& context) override {
    auto deployment = open_deployment(context, {.config = true, .create_store = true});
    if (!deployment) {
      return context.fail(deployment.error());
    }
    auto& store = deployment.value().store;
    Config& config = *deployment.value().config;  // set: DeploymentNeeds::config
    auto outcome = issue_for_request(context, std::move(config), store,
                                     context.get<std::string>("request").value_or(""));
    if (outcome.exit_code != 0 || outcome.thumbprint.empty()) {
      return outcome.exit_code;
    }
    if (context.flag("assign")) {
      return assign_in_process(context, outcome.thumbprint);
    }
    return 0;
  }
};

}  // namespace

// A pending request for the configured names with `key`, saved like `certtool request` does.
Result<std::string> save_new_request(Store& store, const Config& config, EVP_PKEY* key,
                                     const std::optional<std::string>& password) {
  auto plan = plan_request(config, false);
  if (!plan) {
    return plan.error();
  }
  auto created = create_request(store, config, plan.value(), key, password);
  if (!created) {
    return created.error();
  }
  return created.value().record.id;
}

void add_acme_options(cli::po::options_description& options) {
  options.add_options()("directory", cli::po::value<std::string>()->value_name("URL"),
                        "ACME directory URL (acme.directory)")(
      "contact", cli::po::value<std::string>()->value_name("URL"),
      "account contact, mailto: URL (acme.contact)")(
      "agree-tos", "agree to the CA's terms of service (acme.agree_tos)")(
      "ca-file", cli::po::value<std::string>()->value_name("FILE"),
      "extra roots to trust for the ACME server's HTTPS (acme.ca_file)")(
      "challenge", cli::po::value<std::string>()->value_name("TYPE"),
      "http-01 | dns-01 (acme.challenge)")(
      "http-listen", cli::po::value<std::string>()->value_name("ADDR:PORT"),
      "where the built-in http-01 responder listens (acme.http_listen)")(
      "dns-update-server", cli::po::value<std::string>()->value_name("IP[:PORT]"),
      "dns-01: the RFC 2136 server (acme.dns_update_server)")(
      "tsig-key-file", cli::po::value<std::string>()->value_name("FILE"),
      "dns-01: TSIG key, BIND key-file format (acme.tsig_key_file)")(
      "verify-ca-file", cli::po::value<std::string>()->value_name("FILE"),
      "roots to verify the issued chain with at import (default: the system roots)")(
      "timeout", cli::po::value<int>()->value_name("SECONDS"),
      "give up waiting for validation and issuance after this long (default 300)")(
      "new-order", "do not resume a saved order; start a new one");
}

IssueOutcome issue_for_request(const cli::Context& context, Config config, Store& store,
                               const std::string& request_id) {
  IssueOutcome outcome;
  if (auto applied = apply_flags(context, config.acme); !applied) {
    outcome.exit_code = context.fail(applied.error());
    return outcome;
  }
  const auto& settings = config.acme;
  auto request = find_request(store, request_id);
  if (!request && request_id.empty() && request.error().why.find("no pending request") == 0) {
    // Nothing pending: make the request `certtool request` would (new key, same names).
    auto key = generate_key(config.certificate.key);
    if (!key) {
      outcome.exit_code = context.fail(key.error());
      return outcome;
    }
    auto made = save_new_request(store, config, key.value().get(), std::nullopt);
    if (!made) {
      outcome.exit_code = context.fail(made.error());
      return outcome;
    }
    context.err() << "certtool: no pending request: made request " << made.value() << " ("
                  << to_string(config.certificate.key) << ")\n";
    request = find_request(store, made.value());
  }
  if (!request) {
    outcome.exit_code = context.fail(request.error());
    return outcome;
  }
  bool created = false;
  auto key = load_or_create_account_key(store, created);
  if (!key) {
    outcome.exit_code = context.fail(key.error());
    return outcome;
  }
  ProgressPrinter printer(context.err());
  auto progress = [&printer](const std::string& line) { printer(line); };
  if (created) {
    progress("new ACME account key in " + (store.root() / kAccountKeyFile).string());
  }

  DriverOptions options;
  options.flow.directory_url = settings.directory;
  if (!settings.contact.empty()) {
    options.flow.contact = {contact_url(settings.contact)};
  }
  options.flow.agree_tos = settings.agree_tos;
  options.flow.names = request.value().names;
  options.flow.csr_der = request.value().csr_der;
  options.flow.challenge =
      settings.challenge == AcmeChallenge::kDns01 ? ChallengeType::kDns01 : ChallengeType::kHttp01;
  options.flow.poll_budget = std::chrono::seconds(
      std::max(1, context.get<int>("timeout").value_or(kDefaultTimeoutSeconds)));
  const auto saved = load_saved_order(store);
  if (saved && !context.flag("new-order") && saved->directory == settings.directory &&
      saved->request_id == request.value().id) {
    options.flow.resume_order_url = saved->order_url;
  }
  options.curl.ca_file =
      settings.ca_file.empty() ? std::string() : config.resolve_path(settings.ca_file).string();
  const std::string directory = settings.directory;
  const std::string id = request.value().id;
  options.save_order = [&store, directory, id](const std::string& url) {
    return save_order(store, SavedOrder{directory, id, url});
  };
  options.progress = progress;
  if (options.flow.challenge == ChallengeType::kHttp01) {
    const std::string listen = settings.http_listen;
    options.make_provisioner = [listen, progress] {
      return make_http01_provisioner(listen, progress);
    };
  } else {
    Dns01Settings dns;
    dns.server = settings.dns_update_server;
    dns.tsig_key_file = settings.tsig_key_file.empty()
                            ? std::string()
                            : config.resolve_path(settings.tsig_key_file).string();
    dns.timeout = options.flow.poll_budget;
    options.make_provisioner = [dns, progress] { return make_dns01_provisioner(dns, progress); };
  }

  progress("ordering a certificate for " +
           [&] {
             std::string names;
             for (const auto& name : request.value().names) {
               names += (names.empty() ? "" : ", ") + name;
             }
             return names;
           }() +
           " (request " + id + ") from " + settings.directory);
  auto result = run_acme(std::move(options), key.value());
  printer.finish();
  if (!result) {
    outcome.exit_code = context.fail(result.error());
    return outcome;
  }

  // Import through `certtool import`'s own code path: same chain, name and usage checks.
  if (auto written = store.write(kIssuedFile, result.value().chain_pem); !written) {
    outcome.exit_code = context.fail(written.error());
    return outcome;
  }
  ImportOptions import_options;
  import_options.config = &config;
  import_options.ca_file = context.get<std::string>("verify-ca-file").value_or("");
  auto report = import_certificate(store, (store.root() / kIssuedFile).string(), import_options);
  if (!report) {
    outcome.exit_code = context.fail(report.error());
    return outcome;
  }
  const ImportReport& r = report.value();
  for (const auto& note : r.notes) {
    context.err() << "certtool: " << note << "\n";
  }
  for (const auto& warning : r.warnings) {
    context.warn(warning);
  }
  outcome.json = {{"ok", r.ok},
                  {"order", result.value().order_url},
                  {"resumed", result.value().resumed},
                  {"account", result.value().account_url},
                  {"alternates", result.value().alternates},
                  {"import", to_json(r)}};
  if (!r.ok) {
    context.err() << "certtool: error: the issued certificate was not imported:\n";
    for (const auto& problem : r.problems) {
      context.err() << "certtool: error:   " << problem << "\n";
    }
    if (context.json) {
      print_json(context, outcome.json);
    }
    outcome.exit_code = 1;
    return outcome;
  }
  forget_order(store);
  (void)store.remove(kIssuedFile);
  outcome.thumbprint = r.thumbprint;
  if (context.json && !context.flag("assign")) {
    print_json(context, outcome.json);
  } else if (!context.json) {
    context.out() << "Issued and imported " << r.thumbprint << "\n"
                  << "  names:   ";
    for (std::size_t i = 0; i < r.leaf.dns_names.size(); ++i) {
      context.out() << (i == 0 ? "" : ", ") << r.leaf.dns_names[i];
    }
    context.out() << "\n  issuer:  " << r.leaf.issuer << "\n  expires: " << r.leaf.not_after_text
                  << "\n  order:   " << result.value().order_url
                  << (result.value().resumed ? " (resumed)" : "") << "\n";
  }
  return outcome;
}

int assign_in_process(const cli::Context& context, const std::string& thumbprint) {
  auto command = make_assign_command();
  cli::Context sub(context.tool(), context.out(), context.err());
  sub.config_path = context.config_path;
  sub.store_flag = context.store_flag;
  sub.json = context.json;
  sub.positional = {thumbprint};
  cli::po::options_description options;
  command->add_options(options);
  const std::array<const char*, 1> argv{"assign"};
  cli::po::store(cli::po::command_line_parser(static_cast<int>(argv.size()), argv.data())
                     .options(options)
                     .run(),
                 sub.options);
  cli::po::notify(sub.options);
  return command->run(sub);
}

}  // namespace acme

std::unique_ptr<cli::Command> make_acme_command() {
  return std::make_unique<acme::AcmeCommand>();
}

}  // namespace edgekit::certtool
