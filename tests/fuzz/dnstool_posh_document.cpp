// Fuzzes the POSH (RFC 7711) JSON parser: the document comes from any HTTPS server.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dnstool/posh_document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string why;
  (void)edgekit::dnstool::parse_posh(text, why);
  return 0;
}
