#include "common/http.hpp"

#include <array>

#include "common/jid.hpp"

namespace edgekit::http {
namespace {

// curl_easy_init() would initialise libcurl lazily, which is not thread-safe; do it once here.
const bool curl_ready = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();

struct Sink {
  Response* response = nullptr;
  const Options* options = nullptr;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const auto bytes = size * count;
  if (sink->response->body.size() + bytes > sink->options->max_body_bytes) {
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
  auto& headers = sink->response->headers;
  if (line.starts_with("HTTP/")) {
    // A new status line (after 100 Continue or a redirect): only the final response counts.
    headers.clear();
  } else if (auto header = parse_header_line(line)) {
    if (headers.size() < sink->options->max_headers) {
      headers.push_back(std::move(*header));
    }
  }
  return bytes;
}

long milliseconds(std::chrono::milliseconds value) {
  return static_cast<long>(value.count());
}

void set_method(CURL* easy, const Request& request) {
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
}

curl::SlistPtr request_headers(const Request& request) {
  curl::SlistPtr headers;
  auto add = [&headers](const std::string& line) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  };
  if (!request.content_type.empty()) {
    add("Content-Type: " + request.content_type);
  }
  if (!request.accept.empty()) {
    add("Accept: " + request.accept);
  }
  if (request.method == "POST") {
    add("Expect:");  // no 100-continue round trip for small bodies
  }
  return headers;
}

void set_policy(CURL* easy, const Options& options) {
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, options.protocols.c_str());
  if (options.max_redirects > 0) {
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, options.max_redirects);
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, options.protocols.c_str());
  } else {
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  }
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(options.connect_timeout));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, milliseconds(options.total_timeout));
  if (options.refuse_declared_oversize) {
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(options.max_body_bytes));
  }
  if (!options.user_agent.empty()) {
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  }
}

Failure setup_failure() {
  return {FailureKind::kSetup, "cannot initialise libcurl", "cannot initialise libcurl"};
}

}  // namespace

Client::Client(Options options)
    : easy_(curl_ready ? curl_easy_init() : nullptr), options_(std::move(options)) {}

Outcome Client::send(const Request& request) {
  if (!easy_) {
    return setup_failure();
  }
  CURL* easy = easy_.get();
  curl_easy_reset(easy);
  Response response;
  Sink sink{&response, &options_, false};
  std::array<char, CURL_ERROR_SIZE> error_buffer{};

  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  set_policy(easy, options_);
  curl::SlistPtr connect_to;
  if (options_.connect_to) {
    // "::HOST:PORT" sends a request for any host and port to HOST:PORT; the URL's host still
    // names the TLS server (SNI and certificate check).
    connect_to.reset(curl_slist_append(nullptr, ("::" + *options_.connect_to).c_str()));
    curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connect_to.get());
  }
  const auto headers = request_headers(request);
  if (headers) {
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  }
  set_method(easy, request);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer.data());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &sink);

  const CURLcode code = curl_easy_perform(easy);
  if (sink.too_large) {
    return Failure{FailureKind::kTooLarge, curl_easy_strerror(code),
                   "more than " + std::to_string(options_.max_body_bytes) + " bytes"};
  }
  if (code != CURLE_OK) {
    std::string summary = curl_easy_strerror(code);
    std::string detail = error_buffer[0] != '\0' ? std::string(error_buffer.data()) : summary;
    return Failure{
        code == CURLE_OPERATION_TIMEDOUT ? FailureKind::kTimeout : FailureKind::kTransport,
        std::move(summary), std::move(detail)};
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

Outcome get(const std::string& url, const Options& options) {
  Client client(options);
  return client.send(Request{"GET", url, {}, {}, {}});
}

std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<std::pair<std::string, std::string>> parse_header_line(std::string_view line) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return std::nullopt;
  }
  const auto name = trim_ows(line.substr(0, colon));
  if (name.empty() || name.find(' ') != std::string_view::npos) {
    return std::nullopt;
  }
  return std::pair{to_lower_ascii(name), std::string(trim_ows(line.substr(colon + 1)))};
}

}  // namespace edgekit::http
