#pragma once
// The files whose contents must stay secret: the component secret, the dialback secret and the
// identity's private key. One readable by every user of the host (mode o+r) leaks the edge's
// identity or lets any local user impersonate a component; edgeproxy warns at start and
// `--check-config` refuses it.

#include <filesystem>
#include <string>
#include <vector>

#include "common/config.hpp"

namespace edgekit {

struct ExposedSecret {
  std::filesystem::path path;
  std::string what;  // the key that names it, e.g. "internal.secret_file"
};

// The secret files of `config`, and the private key of the identity in the store at
// `store_root`, that every user may read. Files that are absent or unreadable are not listed:
// loading them reports that.
std::vector<ExposedSecret> world_readable_secrets(const Config& config,
                                                  const std::filesystem::path& store_root);

// "FILE (WHAT) is readable by every user: chmod 600 FILE".
std::string exposure_message(const ExposedSecret& exposed);

}  // namespace edgekit
