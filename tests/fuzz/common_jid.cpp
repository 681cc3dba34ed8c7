// Fuzz target: JID and domain parsing must never crash and must be idempotent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/jid.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto jid = edgekit::Jid::parse(text);
  if (jid) {
    // A normalised JID parses to itself.
    auto again = edgekit::Jid::parse(jid.value().full());
    if (!again || again.value() != jid.value()) {
      std::abort();
    }
  }
  (void)edgekit::jid_domain_view(text);
  auto domain = edgekit::normalize_domain(text);
  if (domain) {
    auto twice = edgekit::normalize_domain(domain.value());
    if (!twice || twice.value() != domain.value()) {
      std::abort();
    }
  }
  return 0;
}
