// Fuzz target: the deployment file parser must never crash, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = edgekit::parse_config(text, "fuzz.toml");
  if (config) {
    // Exercise the derived lookups on whatever was accepted.
    for (const auto& partner : config.value().partners) {
      (void)config.value().find_partner(partner.domain);
      (void)edgekit::check_partner_matrix(partner);
    }
  }
  return 0;
}
