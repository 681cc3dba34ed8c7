#include "dnstool/posh_fetch.hpp"

#include "common/http.hpp"

namespace edgekit::dnstool {
namespace {

struct HttpResult {
  long status = 0;
  std::string body;
  std::string error;
};

HttpResult https_get(const std::string& url, const PoshFetchOptions& options) {
  http::Options policy;
  policy.protocols = "https";
  policy.max_redirects = 0;  // RFC 7711: no redirects
  policy.connect_timeout = options.timeout;
  policy.total_timeout = options.timeout;
  policy.max_body_bytes = kMaxPoshBytes;
  policy.refuse_declared_oversize = true;
  policy.user_agent = "edgekit-dnstool";
  policy.ca_file = options.ca_file;
  policy.connect_to = options.connect_to;
  auto response = http::get(url, policy);
  HttpResult result;
  if (!response) {
    const auto& failure = response.error();
    switch (failure.kind) {
      case http::FailureKind::kSetup: result.error = "libcurl initialisation failed"; break;
      case http::FailureKind::kTooLarge:
        result.error = "document larger than " + std::to_string(kMaxPoshBytes) + " bytes";
        break;
      case http::FailureKind::kTimeout:
      case http::FailureKind::kTransport: result.error = failure.detail; break;
    }
    return result;
  }
  result.status = response.value().status;
  result.body = std::move(response.value().body);
  return result;
}

}  // namespace

PoshFetch fetch_posh(const std::string& domain, const PoshFetchOptions& options) {
  PoshFetch fetch;
  fetch.url = "https://" + domain + "/.well-known/posh/xmpp-server.json";
  for (int hop = 0; hop < 2; ++hop) {
    const auto response = https_get(fetch.url, options);
    if (!response.error.empty()) {
      fetch.reachable = false;
      fetch.error = response.error;
      return fetch;
    }
    if (response.status != 200) {
      fetch.error = "HTTP " + std::to_string(response.status);
      return fetch;
    }
    std::string why;
    auto document = parse_posh(response.body, why);
    if (!document) {
      fetch.found = true;
      fetch.error = "not a POSH document: " + why;
      return fetch;
    }
    if (!document->url) {
      fetch.found = true;
      fetch.document = std::move(document);
      return fetch;
    }
    if (hop == 1) {
      fetch.found = true;
      fetch.error = "delegated twice (RFC 7711 allows one delegation)";
      return fetch;
    }
    fetch.delegated = true;
    fetch.url = *document->url;
  }
  return fetch;
}

Check evaluate_posh(const std::string& domain, const PoshFetch& fetch,
                    const EdgeCertificate* certificate, const std::string& missing_why) {
  const std::string fix = "publish the output of `dnstool records --posh-out FILE` at https://" +
                          domain + "/.well-known/posh/xmpp-server.json";
  if (!fetch.reachable) {
    return {"posh", Status::kSkip, "no POSH document: " + fetch.url + ": " + fetch.error, {}};
  }
  if (!fetch.found) {
    return {
        "posh", Status::kSkip, "no POSH document at " + fetch.url + " (" + fetch.error + ")", {}};
  }
  if (!fetch.document) {
    return {"posh", Status::kFail, fetch.url + ": " + fetch.error, {fix}};
  }
  if (certificate == nullptr) {
    return {"posh", Status::kSkip, "POSH document found but " + missing_why, {}};
  }
  const std::string where = fetch.url + (fetch.delegated ? " (delegated)" : "");
  for (const auto& cert : certificate->chain) {
    if (posh_matches(*fetch.document, cert.get())) {
      return {"posh", Status::kPass, where + " lists the certificate's fingerprint", {}};
    }
  }
  return {"posh",
          Status::kFail,
          where + " matches no certificate (" +
              std::to_string(fetch.document->fingerprints.size()) + " fingerprints)",
          {fix}};
}

}  // namespace edgekit::dnstool
