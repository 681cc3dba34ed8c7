#include "certtool/aia_fetch.hpp"

#include "certtool/errors.hpp"
#include "common/curl_ptr.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {
namespace {

constexpr std::size_t kMaxBody = std::size_t{1024} * 1024;

struct Body {
  std::string data;
  bool too_large = false;
};

std::size_t collect(char* ptr, std::size_t size, std::size_t count, void* userdata) {
  auto* body = static_cast<Body*>(userdata);
  const std::size_t bytes = size * count;
  if (body->data.size() + bytes > kMaxBody) {
    body->too_large = true;
    return 0;  // aborts the transfer
  }
  body->data.append(ptr, bytes);
  return bytes;
}

}  // namespace

Result<std::vector<ossl::X509Ptr>> fetch_ca_issuers(const std::string& url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return make_error(CerttoolErrc::kRejected, "AIA URL " + url, "only http and https are fetched");
  }
  const curl::EasyPtr easy(curl_easy_init());
  if (!easy) {
    return make_error(CerttoolErrc::kCrypto, "libcurl", "cannot initialise");
  }
  Body body;
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt(easy.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(easy.get(), CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &body);
  const CURLcode code = curl_easy_perform(easy.get());
  if (body.too_large) {
    return make_error(CerttoolErrc::kRejected, "AIA URL " + url, "more than 1 MiB");
  }
  if (code != CURLE_OK) {
    return Error{make_error_code(GeneralErrc::kIo), "AIA URL " + url, curl_easy_strerror(code)};
  }
  long status = 0;
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return Error{make_error_code(GeneralErrc::kIo), "AIA URL " + url,
                 "HTTP status " + std::to_string(status)};
  }
  auto certs = x509::parse_certificates(body.data);
  if (!certs) {
    Error error = certs.error();
    error.what = "AIA URL " + url;
    return error;
  }
  return certs;
}

}  // namespace edgekit::certtool
