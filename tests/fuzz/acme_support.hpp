#pragma once
// What the ACME fuzz targets share: one account key for the whole run (key generation would
// dominate each input), and an HTTP response read from fuzzed text laid out as the CA would
// send it: "Header: value" lines, a blank line, then the body (no blank line: all body).

#include <string>
#include <string_view>

#include "certtool/acme/flow.hpp"
#include "certtool/acme/http.hpp"

namespace edgekit::fuzz {

inline const certtool::acme::AccountKey& acme_account_key() {
  static const auto key = certtool::acme::AccountKey::generate().value();
  return key;
}

inline certtool::acme::HttpResponse acme_response(int status, std::string_view text) {
  certtool::acme::HttpResponse response;
  response.status = status;
  const auto split = text.find("\n\n");
  std::string_view head =
      split == std::string_view::npos ? std::string_view() : text.substr(0, split);
  response.body = std::string(split == std::string_view::npos ? text : text.substr(split + 2));
  while (!head.empty()) {
    const auto end = head.find('\n');
    if (auto header = certtool::acme::parse_header_line(head.substr(0, end))) {
      response.headers.push_back(std::move(*header));
    }
    head = end == std::string_view::npos ? std::string_view() : head.substr(end + 1);
  }
  return response;
}

}  // namespace edgekit::fuzz
