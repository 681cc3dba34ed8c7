#pragma once
// identity.json (docs/reference.md): what `certtool assign` validated and edgeproxy loads.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/store.hpp"

namespace edgekit {

struct Identity {
  std::string role = "edge-external";
  std::string fqdn;
  std::vector<std::string> xmpp_domains;
  std::string certificate;  // paths, absolute or relative to the store root
  std::string chain;
  std::string key;
  std::string thumbprint;  // SHA-256 of the certificate DER, lower-case hex
  std::string not_after;   // RFC 3339
  nlohmann::json validated = nlohmann::json::object();  // what was checked, and when
};

nlohmann::json to_json(const Identity& identity);
Result<Identity> identity_from_json(const nlohmann::json& json);

Result<Identity> read_identity(const Store& store);
// Writes identity.json atomically, keeping the one it replaces as identity.previous.json.
Result<void> write_identity(Store& store, const Identity& identity);

}  // namespace edgekit
