#include "common/identity.hpp"

namespace edgekit {
namespace {

Result<std::string> required_string(const nlohmann::json& json, const char* key) {
  const auto it = json.find(key);
  if (it == json.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return make_error(StoreErrc::kCorrupt, std::string(store_layout::kIdentityFile),
                      std::string("missing or empty \"") + key + "\"");
  }
  return it->get<std::string>();
}

}  // namespace

nlohmann::json to_json(const Identity& identity) {
  return nlohmann::json{
      {"role", identity.role},
      {"fqdn", identity.fqdn},
      {"xmpp_domains", identity.xmpp_domains},
      {"certificate", identity.certificate},
      {"chain", identity.chain},
      {"key", identity.key},
      {"thumbprint", identity.thumbprint},
      {"not_after", identity.not_after},
      {"validated", identity.validated},
  };
}

Result<Identity> identity_from_json(const nlohmann::json& json) {
  if (!json.is_object()) {
    return make_error(StoreErrc::kCorrupt, std::string(store_layout::kIdentityFile),
                      "not a JSON object");
  }
  Identity identity;
  std::string* const fields[] = {&identity.role, &identity.fqdn,       &identity.certificate,
                                 &identity.key,  &identity.thumbprint, &identity.not_after};
  const char* const keys[] = {"role", "fqdn", "certificate", "key", "thumbprint", "not_after"};
  for (std::size_t i = 0; i < std::size(keys); ++i) {
    auto value = required_string(json, keys[i]);
    if (!value) {
      return value.error();
    }
    *fields[i] = std::move(value).value();
  }
  if (const auto chain = json.find("chain"); chain != json.end() && chain->is_string()) {
    identity.chain = chain->get<std::string>();
  }
  const auto domains = json.find("xmpp_domains");
  if (domains == json.end() || !domains->is_array()) {
    return make_error(StoreErrc::kCorrupt, std::string(store_layout::kIdentityFile),
                      "missing \"xmpp_domains\" array");
  }
  for (const auto& domain : *domains) {
    if (!domain.is_string()) {
      return make_error(StoreErrc::kCorrupt, std::string(store_layout::kIdentityFile),
                        "\"xmpp_domains\" must hold strings");
    }
    identity.xmpp_domains.push_back(domain.get<std::string>());
  }
  if (const auto validated = json.find("validated"); validated != json.end()) {
    identity.validated = *validated;
  }
  return identity;
}

Result<Identity> read_identity(const Store& store) {
  auto text = store.read(store_layout::kIdentityFile, std::size_t{1024} * 1024);
  if (!text) {
    if (text.error().code == make_error_code(StoreErrc::kMissing)) {
      return make_error(StoreErrc::kMissing, (store.root() / store_layout::kIdentityFile).string(),
                        "no certificate is assigned (run `certtool assign THUMBPRINT`)");
    }
    return text.error();
  }
  const auto json = nlohmann::json::parse(text.value(), nullptr, false);
  if (json.is_discarded()) {
    return make_error(StoreErrc::kCorrupt, (store.root() / store_layout::kIdentityFile).string(),
                      "not valid JSON");
  }
  return identity_from_json(json);
}

Result<void> write_identity(Store& store, const Identity& identity) {
  if (store.exists(store_layout::kIdentityFile)) {
    auto previous = store.read(store_layout::kIdentityFile, std::size_t{1024} * 1024);
    if (!previous) {
      return previous.error();
    }
    if (auto kept = store.write(store_layout::kPreviousIdentityFile, previous.value()); !kept) {
      return kept;
    }
  }
  return store.write(store_layout::kIdentityFile, to_json(identity).dump(2) + "\n");
}

}  // namespace edgekit
