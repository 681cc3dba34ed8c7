#include "common/secret_files.hpp"

#include <system_error>

#include "common/identity.hpp"
#include "common/store.hpp"

namespace edgekit {
namespace {

bool world_readable(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);  // follows a symlink to the file
  return !ec && std::filesystem::is_regular_file(status) &&
         (status.permissions() & std::filesystem::perms::others_read) !=
             std::filesystem::perms::none;
}

std::filesystem::path identity_key(const std::filesystem::path& store_root) {
  auto store = Store::open(store_root, false);
  if (!store) {
    return {};
  }
  auto identity = read_identity(store.value());
  if (!identity) {
    return {};
  }
  auto key = store.value().resolve(identity.value().key);
  return key ? key.value() : std::filesystem::path{};
}

}  // namespace

std::vector<ExposedSecret> world_readable_secrets(const Config& config,
                                                  const std::filesystem::path& store_root) {
  std::vector<ExposedSecret> candidates;
  candidates.push_back({config.resolve_path(config.internal.secret_file), "internal.secret_file"});
  if (!config.federation.dialback_secret_file.empty()) {
    candidates.push_back({config.resolve_path(config.federation.dialback_secret_file),
                          "federation.dialback_secret_file"});
  }
  if (auto key = identity_key(store_root); !key.empty()) {
    candidates.push_back({std::move(key), "the identity's private key (identity.json)"});
  }
  std::vector<ExposedSecret> exposed;
  for (auto& candidate : candidates) {
    if (world_readable(candidate.path)) {
      exposed.push_back(std::move(candidate));
    }
  }
  return exposed;
}

std::string exposure_message(const ExposedSecret& exposed) {
  return exposed.path.string() + " (" + exposed.what + ") is readable by every user: chmod 600 " +
         exposed.path.string();
}

}  // namespace edgekit
