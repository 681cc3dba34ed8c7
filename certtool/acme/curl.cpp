#include "certtool/acme/curl.hpp"

#include "certtool/acme/errors.hpp"
#include "common/version.hpp"

namespace edgekit::certtool::acme {
namespace {

Error transport_error(const http::Failure& failure, const std::string& url,
                      std::size_t max_body_bytes) {
  switch (failure.kind) {
    case http::FailureKind::kSetup:
      return make_error(AcmeErrc::kCrypto, "libcurl", "cannot initialise");
    case http::FailureKind::kTooLarge:
      return make_error(AcmeErrc::kProtocol, url,
                        "the response is larger than " + std::to_string(max_body_bytes) + " bytes");
    case http::FailureKind::kTimeout:
      return make_error(AcmeErrc::kTimeout, "cannot reach the ACME server at " + url,
                        failure.detail);
    case http::FailureKind::kTransport: break;
  }
  return make_error(AcmeErrc::kUnreachable, "cannot reach the ACME server at " + url,
                    failure.detail);
}

}  // namespace

std::string user_agent() {
  return std::string("edgekit-certtool/") + kVersion;
}

Result<CurlTransport> CurlTransport::create(CurlOptions options) {
  http::Options http_options;
  http_options.protocols = "https,http";
  http_options.ca_file = std::move(options.ca_file);
  http_options.connect_timeout = options.connect_timeout;
  http_options.total_timeout = options.total_timeout;
  http_options.max_body_bytes = options.max_body_bytes;
  http_options.user_agent = user_agent();
  http::Client client(std::move(http_options));
  if (!client.ready()) {
    return make_error(AcmeErrc::kCrypto, "libcurl", "cannot initialise");
  }
  return CurlTransport(std::move(client), options.max_body_bytes);
}

Result<HttpResponse> CurlTransport::send(const HttpRequest& request) {
  auto exchanged = client_.send(http::Request{request.method, request.url, request.body,
                                              request.content_type, request.accept});
  if (!exchanged) {
    return transport_error(exchanged.error(), request.url, max_body_bytes_);
  }
  HttpResponse response;
  response.status = static_cast<int>(exchanged.value().status);
  response.headers = std::move(exchanged.value().headers);
  response.body = std::move(exchanged.value().body);
  response.received = std::chrono::system_clock::now();
  return response;
}

}  // namespace edgekit::certtool::acme
