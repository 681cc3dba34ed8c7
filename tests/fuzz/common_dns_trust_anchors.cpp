// Fuzzes the DNSSEC trust-anchor file parser (hostile text from a config-named file).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/dns_dnssec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto anchors = edgekit::dns::TrustAnchors::parse(text, "fuzz");
  if (anchors) {
    (void)anchors.value().zone_for("a.b.example");
  }
  return 0;
}
