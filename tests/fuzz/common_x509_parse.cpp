// Fuzz target: certificate parsing (PEM, DER, PKCS#7, PKCS#12 sniffing), inspection and name
// matching must never crash, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/x509.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)edgekit::x509::sniff_encoding(bytes);
  auto certs = edgekit::x509::parse_certificates(bytes);
  if (certs) {
    for (const auto& cert : certs.value()) {
      const auto info = edgekit::x509::inspect(cert.get());
      (void)edgekit::x509::matches_domain(cert.get(), "edge.corp.example");
      for (const auto& name : info.dns_names) {
        (void)edgekit::x509::matches_dns_id(name, "a.corp.example");
      }
    }
    const auto verdict = edgekit::x509::verify_chain(
        certs.value().front().get(), edgekit::x509::raw_pointers(certs.value()),
        edgekit::x509::TrustAnchors{}, std::string("corp.example"),
        edgekit::x509::Purpose::kServer);
    (void)verdict;
  }
  return 0;
}
