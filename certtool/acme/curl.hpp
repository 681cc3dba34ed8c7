#pragma once
// The thin libcurl layer under the ACME flow: HTTPS with an optional extra CA file, timeouts,
// every response header captured, redirects never followed (ACME has none; a redirect is
// shown to the flow as it is), a capped body, User-Agent "edgekit-certtool/<version>".

#include <chrono>
#include <string>

#include "certtool/acme/http.hpp"
#include "common/curl_ptr.hpp"
#include "common/error.hpp"

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
  CurlTransport(curl::EasyPtr easy, CurlOptions options)
      : easy_(std::move(easy)), options_(std::move(options)) {}
  curl::EasyPtr easy_;
  CurlOptions options_;
};

std::string user_agent();

}  // namespace edgekit::certtool::acme
