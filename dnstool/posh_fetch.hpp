#pragma once
// Fetches a domain's POSH document (RFC 7711) over HTTPS with libcurl: at most one delegation
// ("url") followed, HTTPS only, no redirects, the body capped, every step time-limited. The
// `posh` check compares the fingerprints with the edge certificate.

#include <chrono>
#include <optional>
#include <string>

#include "dnstool/edge_certificate.hpp"
#include "dnstool/posh_document.hpp"
#include "dnstool/report.hpp"

namespace edgekit::dnstool {

struct PoshFetchOptions {
  std::optional<std::string> connect_to;  // "HOST:PORT": every request goes there (tests)
  std::string ca_file;                    // "" : system roots
  std::chrono::milliseconds timeout{3000};
};

struct PoshFetch {
  bool found = false;     // a document was served (HTTP 200)
  bool reachable = true;  // false: no HTTPS answer at all
  std::string url;        // the last URL fetched
  std::string error;      // why no document
  std::optional<PoshDocument> document;
  bool delegated = false;
};

PoshFetch fetch_posh(const std::string& domain, const PoshFetchOptions& options);

Check evaluate_posh(const std::string& domain, const PoshFetch& fetch,
                    const EdgeCertificate* certificate, const std::string& missing_why);

}  // namespace edgekit::dnstool
