#include "dnstool/posh_fetch.hpp"

#include "common/curl_ptr.hpp"

namespace edgekit::dnstool {
namespace {

struct Body {
  std::string data;
  bool too_large = false;
};

std::size_t on_body(char* bytes, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const std::size_t length = size * count;
  if (body->data.size() + length > kMaxPoshBytes) {
    body->too_large = true;
    return 0;  // abort the transfer
  }
  body->data.append(bytes, length);
  return length;
}

struct HttpResult {
  long status = 0;
  std::string body;
  std::string error;
};

HttpResult https_get(const std::string& url, const PoshFetchOptions& options) {
  HttpResult result;
  const curl::EasyPtr easy(curl_easy_init());
  if (!easy) {
    result.error = "libcurl initialisation failed";
    return result;
  }
  Body body;
  char error_buffer[CURL_ERROR_SIZE] = {};
  CURL* handle = easy.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);  // RFC 7711: no redirects
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_MAXFILESIZE, static_cast<long>(kMaxPoshBytes));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "edgekit-dnstool");
  if (!options.ca_file.empty()) {
    curl_easy_setopt(handle, CURLOPT_CAINFO, options.ca_file.c_str());
  }
  curl::SlistPtr connect_to;
  if (options.connect_to) {
    // "::HOST:PORT" sends a request for any host and port to HOST:PORT; the URL's host still
    // names the TLS server (SNI and certificate check).
    connect_to.reset(curl_slist_append(nullptr, ("::" + *options.connect_to).c_str()));
    curl_easy_setopt(handle, CURLOPT_CONNECT_TO, connect_to.get());
  }
  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    result.error =
        body.too_large
            ? "document larger than " + std::to_string(kMaxPoshBytes) + " bytes"
            : std::string(error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code));
    return result;
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &result.status);
  result.body = std::move(body.data);
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
