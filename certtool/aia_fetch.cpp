#include "certtool/aia_fetch.hpp"

#include "certtool/errors.hpp"
#include "common/http.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {
namespace {

// A CA's issuer certificate is small; redirects are common (CDNs), but only a few.
http::Options aia_options() {
  http::Options options;
  options.protocols = "http,https";
  options.max_redirects = 3;
  options.connect_timeout = std::chrono::seconds(5);
  options.total_timeout = std::chrono::seconds(10);
  options.max_body_bytes = std::size_t{1024} * 1024;
  return options;
}

}  // namespace

Result<std::vector<ossl::X509Ptr>> fetch_ca_issuers(const std::string& url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return make_error(CerttoolErrc::kRejected, "AIA URL " + url, "only http and https are fetched");
  }
  auto response = http::get(url, aia_options());
  if (!response) {
    const auto& failure = response.error();
    switch (failure.kind) {
      case http::FailureKind::kSetup:
        return make_error(CerttoolErrc::kCrypto, "libcurl", "cannot initialise");
      case http::FailureKind::kTooLarge:
        return make_error(CerttoolErrc::kRejected, "AIA URL " + url, "more than 1 MiB");
      case http::FailureKind::kTimeout:
      case http::FailureKind::kTransport: break;
    }
    return Error{make_error_code(GeneralErrc::kIo), "AIA URL " + url, failure.summary};
  }
  if (response.value().status != 200) {
    return Error{make_error_code(GeneralErrc::kIo), "AIA URL " + url,
                 "HTTP status " + std::to_string(response.value().status)};
  }
  auto certs = x509::parse_certificates(response.value().body);
  if (!certs) {
    Error error = certs.error();
    error.what = "AIA URL " + url;
    return error;
  }
  return certs;
}

}  // namespace edgekit::certtool
