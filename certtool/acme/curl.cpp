#include "certtool/acme/curl.hpp"

#include <array>

#include "certtool/acme/errors.hpp"
#include "common/version.hpp"

namespace edgekit::certtool::acme {
namespace {

struct Sink {
  HttpResponse* response = nullptr;
  std::size_t max_body = 0;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const auto bytes = size * count;
  if (sink->response->body.size() + bytes > sink->max_body) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->response->body.append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const auto bytes = size * count;
  const std::string_view line(data, bytes);
  if (line.substr(0, 5) == "HTTP/") {
    // A new status line (after 100 Continue): only the final response's headers count.
    sink->response->headers.clear();
  } else if (auto header = parse_header_line(line)) {
    if (sink->response->headers.size() < 100) {
      sink->response->headers.push_back(std::move(*header));
    }
  }
  return bytes;
}

const bool curl_ready = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();

}  // namespace

std::string user_agent() {
  return std::string("edgekit-certtool/") + kVersion;
}

Result<CurlTransport> CurlTransport::create(CurlOptions options) {
  curl::EasyPtr easy(curl_ready ? curl_easy_init() : nullptr);
  if (!easy) {
    return make_error(AcmeErrc::kCrypto, "libcurl", "cannot initialise");
  }
  return CurlTransport(std::move(easy), std::move(options));
}

Result<HttpResponse> CurlTransport::send(const HttpRequest& request) {
  CURL* easy = easy_.get();
  curl_easy_reset(easy);
  HttpResponse response;
  Sink sink{&response, options_.max_body_bytes, false};
  std::array<char, CURL_ERROR_SIZE> error_buffer{};

  curl::SlistPtr headers;
  auto add_header = [&headers](const std::string& line) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  };
  if (!request.content_type.empty()) {
    add_header("Content-Type: " + request.content_type);
  }
  if (!request.accept.empty()) {
    add_header("Accept: " + request.accept);
  }
  add_header("Expect:");  // no 100-continue round trip for small JWS bodies

  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent().c_str());
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::chrono::milliseconds(options_.connect_timeout).count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::chrono::milliseconds(options_.total_timeout).count()));
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer.data());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
  }
  if (headers) {
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  }
  if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (request.method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  }

  const CURLcode code = curl_easy_perform(easy);
  if (sink.too_large) {
    return make_error(
        AcmeErrc::kProtocol, request.url,
        "the response is larger than " + std::to_string(options_.max_body_bytes) + " bytes");
  }
  if (code != CURLE_OK) {
    std::string why = error_buffer[0] != '\0' ? std::string(error_buffer.data())
                                              : std::string(curl_easy_strerror(code));
    const auto code_value =
        code == CURLE_OPERATION_TIMEDOUT ? AcmeErrc::kTimeout : AcmeErrc::kUnreachable;
    return make_error(code_value, "cannot reach the ACME server at " + request.url, why);
  }
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  response.received = std::chrono::system_clock::now();
  return response;
}

}  // namespace edgekit::certtool::acme
