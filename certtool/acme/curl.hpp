#pragma once
// The ACME flow's transport over common/http: HTTPS (or plain HTTP for a local CA) with an
// optional extra CA file, timeouts, every response header captured, redirects never followed
// (ACME has none; a redirect is shown to the flow as it is), a capped body, User-Agent
// "edgekit-certtool/<version>"; failures become AcmeErrc errors.

#include <chrono>
#include <string>

#include "certtool/acme/http.hpp"
#include "common/error.hpp"
#include "common/http.hpp"

namespace edgekit::certtool::acme {

struct CurlOptions {
  std::string ca_file;  // "" = the system roots only
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds total_timeout{30};
  std::size_t max_body_bytes = std::size_t{1} << 20U;
};

class CurlTransport {
 public:
  static Result<CurlTransport> create(CurlOptions options);

  // One exchange. Transport failures (DNS, connect, TLS, timeout) are AcmeErrc::kUnreachable;
  // any HTTP status is a response.
  Result<HttpResponse> send(const HttpRequest& request);

 private:
  CurlTransport(http::Client client, std::size_t max_body_bytes)
      : client_(std::move(client)), max_body_bytes_(max_body_bytes) {}
  http::Client client_;
  std::size_t max_body_bytes_;
};

std::string user_agent();

}  // namespace edgekit::certtool::acme
