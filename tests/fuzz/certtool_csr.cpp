// Fuzz target: CSR parsing and inspection (certtool show of an untrusted file) must never
// crash, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "certtool/csr.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)edgekit::certtool::looks_like_csr(bytes);
  auto csr = edgekit::certtool::parse_csr(bytes);
  if (csr) {
    const auto info = edgekit::certtool::inspect_csr(csr.value().get());
    (void)info;
  }
  return 0;
}
