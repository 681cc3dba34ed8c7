#include "dnstool/posh_document.hpp"

#include <optional>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"
#include "common/crypto.hpp"
#include "common/x509.hpp"

namespace edgekit::dnstool {
namespace {

constexpr std::size_t kMaxFingerprints = 64;

// RFC 7711 names hash algorithms by their IANA "Hash Function Textual Names".
std::optional<crypto::Digest> algorithm_digest(std::string_view name) {
  if (name == "sha-256") {
    return crypto::Digest::kSha256;
  }
  if (name == "sha-384") {
    return crypto::Digest::kSha384;
  }
  if (name == "sha-512") {
    return crypto::Digest::kSha512;
  }
  return std::nullopt;
}

std::string strip_padding_whitespace(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::optional<PoshDocument> parse_posh(std::string_view text, std::string& why) {
  if (text.size() > kMaxPoshBytes) {
    why = "larger than " + std::to_string(kMaxPoshBytes) + " bytes";
    return std::nullopt;
  }
  const auto json = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    why = "not a JSON object";
    return std::nullopt;
  }
  PoshDocument document;
  if (const auto expires = json.find("expires"); expires != json.end()) {
    if (!expires->is_number_integer() || expires->get<std::int64_t>() < 0) {
      why = "\"expires\" is not a non-negative integer";
      return std::nullopt;
    }
    document.expires = expires->get<std::int64_t>();
  }
  if (const auto url = json.find("url"); url != json.end()) {
    if (!url->is_string() || !url->get<std::string>().starts_with("https://")) {
      why = "\"url\" is not an https URL";
      return std::nullopt;
    }
    document.url = url->get<std::string>();
    return document;
  }
  const auto fingerprints = json.find("fingerprints");
  if (fingerprints == json.end() || !fingerprints->is_array()) {
    why = "neither \"fingerprints\" nor \"url\"";
    return std::nullopt;
  }
  if (fingerprints->size() > kMaxFingerprints) {
    why = "too many fingerprints";
    return std::nullopt;
  }
  for (const auto& entry : *fingerprints) {
    if (!entry.is_object()) {
      why = "a fingerprint is not an object";
      return std::nullopt;
    }
    for (const auto& [algorithm, value] : entry.items()) {
      if (!value.is_string()) {
        why = "fingerprint \"" + algorithm + "\" is not a string";
        return std::nullopt;
      }
      document.fingerprints.push_back(
          {algorithm, strip_padding_whitespace(value.get<std::string>())});
    }
  }
  return document;
}

std::string make_posh(X509* cert, std::int64_t expires_seconds) {
  const std::string der = x509::der_of(cert);
  nlohmann::json document = {
      {"fingerprints",
       nlohmann::json::array(
           {{{"sha-256", base64_encode(crypto::digest(crypto::Digest::kSha256, der))}},
            {{"sha-512", base64_encode(crypto::digest(crypto::Digest::kSha512, der))}}})},
      {"expires", expires_seconds}};
  return document.dump(2) + "\n";
}

bool posh_matches(const PoshDocument& document, X509* cert) {
  const std::string der = x509::der_of(cert);
  for (const auto& fingerprint : document.fingerprints) {
    const auto algorithm = algorithm_digest(fingerprint.algorithm);
    if (algorithm && base64_encode(crypto::digest(*algorithm, der)) == fingerprint.base64) {
      return true;
    }
  }
  return false;
}

}  // namespace edgekit::dnstool
