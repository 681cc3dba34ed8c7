// certtool show FILE|ID: a human (or --json) summary of a CSR, certificate, chain, PKCS#7 or
// PKCS#12, or of a request or certificate in the store; a chain gets its verdict.
#include <filesystem>
#include <ostream>

#include "certtool/cert_store.hpp"
#include "certtool/commands/command_support.hpp"
#include "certtool/commands/commands.hpp"
#include "certtool/commands/deployment.hpp"
#include "certtool/csr.hpp"
#include "certtool/errors.hpp"
#include "certtool/info_text.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {
namespace {

class ShowCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "show"; }
  [[nodiscard]] std::string summary() const override {
    return "summary of a CSR, certificate, chain, PKCS#7 or PKCS#12 file, or a store entry";
  }
  [[nodiscard]] std::string arguments() const override { return "FILE | ID"; }
  [[nodiscard]] int max_positional() const override { return 1; }
  void add_options(cli::po::options_description& options) override {
    options.add_options()("password-file", cli::po::value<std::string>()->value_name("FILE"),
                          "password of a PKCS#12 file")(
        "ca-file", cli::po::value<std::string>()->value_name("FILE"),
        "verify a chain to these roots (default: the system roots)")(
        "hostname", cli::po::value<std::string>()->value_name("NAME"),
        "also check that the certificate is valid for NAME");
  }

  int run(cli::Context& context) override {
    if (context.positional.empty()) {
      throw cli::UsageError("show needs a FILE, a request id or a thumbprint");
    }
    const std::string& target = context.positional.front();
    std::string bytes;
    std::string source = target;
    std::error_code ec;
    if (std::filesystem::exists(target, ec)) {
      auto read = x509::read_material(target);
      if (!read) {
        return context.fail(read.error());
      }
      bytes = std::move(read).value();
    } else {
      auto found = from_store(context, target, source);
      if (!found) {
        return context.fail(found.error());
      }
      bytes = std::move(found).value();
    }

    nlohmann::json json{{"source", source}};
    auto& out = context.out();
    if (looks_like_csr(bytes)) {
      auto csr = parse_csr(bytes);
      if (!csr) {
        return context.fail(Error{csr.error().code, source, csr.error().why});
      }
      const auto info = inspect_csr(csr.value().get());
      if (context.json) {
        json["type"] = "csr";
        json["csr"] = to_json(info);
        print_json(context, json);
      } else {
        print_csr(out, info);
      }
      return 0;
    }

    std::vector<ossl::X509Ptr> certs;
    bool has_key = false;
    std::string type = "certificates";
    if (x509::looks_like_pkcs12(bytes)) {
      auto password = password_from_flag(context, "password-file");
      if (!password) {
        return context.fail(password.error());
      }
      auto p12 = x509::parse_pkcs12(bytes, password.value().value_or(""));
      if (!p12) {
        Error error = p12.error();
        error.what = source;
        return context.fail(error);
      }
      type = "pkcs12";
      has_key = static_cast<bool>(p12.value().key);
      if (p12.value().certificate) {
        certs.push_back(std::move(p12.value().certificate));
      }
      for (auto& cert : p12.value().chain) {
        certs.push_back(std::move(cert));
      }
    } else {
      auto parsed = x509::parse_certificates(bytes);
      if (!parsed) {
        Error error = parsed.error();
        error.what = source;
        return context.fail(error);
      }
      certs = std::move(parsed).value();
    }
    json["type"] = type;
    json["encoding"] = std::string(x509::to_string(x509::sniff_encoding(bytes)));
    json["has_key"] = has_key;
    json["certificates"] = nlohmann::json::array();
    for (const auto& cert : certs) {
      const auto info = x509::inspect(cert.get());
      json["certificates"].push_back(to_json(info));
      if (!context.json) {
        print_certificate(out, info);
      }
    }
    const auto hostname = context.get<std::string>("hostname");
    const auto ca_file = context.get<std::string>("ca-file");
    int status = 0;
    if (certs.size() > 1 || ca_file || hostname) {
      auto anchors = x509::TrustAnchors::from_file_or_system(ca_file.value_or(""));
      if (!anchors) {
        return context.fail(anchors.error());
      }
      // The leaf is the first certificate that is not a CA (bundles come in any order).
      std::size_t leaf = 0;
      for (std::size_t i = 0; i < certs.size(); ++i) {
        if (!x509::inspect(certs[i].get()).is_ca) {
          leaf = i;
          break;
        }
      }
      std::vector<X509*> untrusted;
      for (std::size_t i = 0; i < certs.size(); ++i) {
        if (i != leaf) {
          untrusted.push_back(certs[i].get());
        }
      }
      const auto verdict = x509::verify_chain(certs[leaf].get(), untrusted, anchors.value(),
                                              hostname, x509::Purpose::kServer);
      json["verdict"] = to_json(verdict);
      if (!context.json) {
        print_verdict(out, verdict);
      }
      status = verdict.trusted ? 0 : 1;
    }
    if (context.json) {
      print_json(context, json);
    }
    return status;
  }

 private:
  // A request id or a certificate thumbprint (prefix) in the store: its CSR or certificate
  // with the chain.
  static Result<std::string> from_store(const cli::Context& context, const std::string& target,
                                        std::string& source) {
    auto deployment = open_deployment(context, {});
    if (!deployment) {
      if (!store_unavailable(deployment.error())) {
        return deployment.error();
      }
      return make_error(
          CerttoolErrc::kNotFound, target,
          "no such file, and no store to look it up in (" + deployment.error().message() + ")");
    }
    auto& store = deployment.value().store;
    if (store.exists(request_dir(target) + "/csr.pem") && target.find('/') == std::string::npos &&
        target.find("..") == std::string::npos) {
      source = (store.root() / request_dir(target) / "csr.pem").string();
      return store.read(request_dir(target) + "/csr.pem");
    }
    auto thumb = resolve_thumbprint(store, target);
    if (!thumb) {
      return make_error(CerttoolErrc::kNotFound, target,
                        "no such file, request or certificate in " + store.root().string());
    }
    const std::string dir = certificate_dir(thumb.value());
    source = (store.root() / dir / "cert.pem").string();
    auto cert = store.read(dir + "/cert.pem");
    if (!cert) {
      return cert.error();
    }
    auto chain = store.read(dir + "/chain.pem");
    return cert.value() + (chain ? chain.value() : std::string());
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_show_command() {
  return std::make_unique<ShowCommand>();
}

}  // namespace edgekit::certtool
