#pragma once
// What the ACME state machine exchanges with its transport: plain values, no sockets. The
// libcurl layer (acme/curl.cpp) fills HttpResponse; tests build them from transcripts.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgekit::certtool::acme {

struct HttpRequest {
  std::string method;  // GET, HEAD, POST
  std::string url;
  std::string body;          // the JWS for POST
  std::string content_type;  // "application/jose+json" for POST
  std::string accept;        // "" or e.g. "application/pem-certificate-chain"
};

struct HttpResponse {
  int status = 0;
  // Header names in lower case, values trimmed, in the order received (repeats kept).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When the response arrived: the reference for an HTTP-date Retry-After.
  std::chrono::system_clock::time_point received{};

  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> headers_named(std::string_view name) const;
};

// The URLs of every Link header entry with rel="<rel>" (RFC 8288; several per header allowed).
std::vector<std::string> link_urls(const HttpResponse& response, std::string_view rel);
// Retry-After as delta-seconds or HTTP-date (RFC 9110 §10.2.3), relative to `received`;
// nullopt when absent or unparsable.
std::optional<std::chrono::seconds> retry_after(const HttpResponse& response);
// Splits a raw header line "Name: value" into (lower-case name, trimmed value).
std::optional<std::pair<std::string, std::string>> parse_header_line(std::string_view line);

}  // namespace edgekit::certtool::acme
