#pragma once
// The one libcurl layer: an HTTP exchange with the body collected up to a cap, the final
// response's headers parsed, and every policy a caller has (protocols, redirects, CA file,
// timeouts, User-Agent) spelled out in Options so no caller touches curl_easy_setopt.
// Failures are values the caller turns into its own error codes and messages.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/outcome.hpp>

#include "common/curl_ptr.hpp"

namespace edgekit::http {

struct Options {
  std::string protocols = "https";  // CURLOPT_PROTOCOLS_STR, e.g. "https" or "http,https"
  long max_redirects = 0;           // 0: a redirect is returned as the response
  std::string ca_file;              // "" = the system roots only
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds total_timeout{30000};
  std::size_t max_body_bytes = std::size_t{1} << 20U;
  // Also refuse up front a response whose Content-Length exceeds the cap (curl then reports
  // "Maximum file size exceeded" instead of a too-large body).
  bool refuse_declared_oversize = false;
  std::string user_agent;                 // "" sends none
  std::optional<std::string> connect_to;  // "HOST:PORT": every request goes there (tests)
  std::size_t max_headers = 100;          // further header lines are dropped
};

struct Request {
  std::string method = "GET";  // GET, HEAD, POST
  std::string url;
  std::string body;          // for POST
  std::string content_type;  // "" sends none
  std::string accept;        // "" sends curl's default
};

struct Response {
  long status = 0;
  // Header names in lower case, values trimmed, in the order received (repeats kept); only
  // the final response's (not a 100 Continue's or a followed redirect's).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

enum class FailureKind {
  kSetup,      // libcurl could not be initialised
  kTooLarge,   // the body exceeded Options::max_body_bytes
  kTimeout,    // a timeout expired
  kTransport,  // DNS, connect, TLS, protocol, ...
};

struct Failure {
  FailureKind kind = FailureKind::kTransport;
  std::string summary;  // curl_easy_strerror() of the result code
  std::string detail;   // libcurl's error buffer when it said something, else the summary
};

using Outcome =
    boost::outcome_v2::basic_result<Response, Failure, boost::outcome_v2::policy::terminate>;

// One handle for several exchanges, so connections are reused (ACME talks to one server).
class Client {
 public:
  explicit Client(Options options);

  // False when libcurl could not be initialised (every send then fails with kSetup).
  [[nodiscard]] bool ready() const noexcept { return easy_ != nullptr; }

  // Any HTTP status is a response; only a missing answer is a Failure.
  Outcome send(const Request& request);

 private:
  curl::EasyPtr easy_;
  Options options_;
};

// A single GET with a fresh handle.
Outcome get(const std::string& url, const Options& options);

// Removes optional whitespace (and a line's CR LF) around a header value.
std::string_view trim_ows(std::string_view text);

// Splits a raw header line "Name: value" into (lower-case name, trimmed value); nullopt for a
// status line or anything else that is not a header.
std::optional<std::pair<std::string, std::string>> parse_header_line(std::string_view line);

}  // namespace edgekit::http
