// Fuzzes the probe's XMPP stream reader with whatever a probed server might send, fed in two
// pieces split by the first byte.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dnstool/probe_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = data[0] % (text.size() + 1);
  edgekit::dnstool::ProbeStreamReader reader;
  reader.feed(text.substr(0, split));
  reader.feed(text.substr(split));
  (void)reader.features().sasl_external();
  return 0;
}
