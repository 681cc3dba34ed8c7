// Fuzzes the inbound S2S state machine behind a fixed partner list: the input is split into
// chunks at 0xFF bytes; 0xFE chunks inject "TLS established" and 0xFD a dialback verdict, so
// the fuzzer explores negotiation paths, not only XML.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/config.hpp"
#include "edgeproxy/xmpp/inbound_session.hpp"

namespace {

std::shared_ptr<const edgekit::Config> fuzz_config() {
  static const auto config = [] {
    auto parsed = edgekit::parse_config(R"(
[edge]
fqdn = "edge.corp.example"
xmpp_domains = ["corp.example"]
[[partner]]
domain = "partner.example"
additional_domains = ["muc.partner.example"]
tls = "optional"
sasl = "optional"
dialback = true
[[partner]]
domain = "secure.example"
tls = "required"
sasl = "required"
dialback = false
)");
    if (!parsed) {
      __builtin_trap();
    }
    return std::make_shared<const edgekit::Config>(std::move(parsed).value());
  }();
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgekit::edgeproxy;
  static const auto keys = std::make_shared<const DialbackKeys>("fuzz");
  InboundSession session(fuzz_config(), keys, InboundOptions{true, false, "fuzz-sid", 1 << 20});
  Actions out;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t start = 0;
  while (start <= input.size() && !session.closed()) {
    const std::size_t end = std::min(input.find('\xff', start), input.size());
    const std::string_view chunk = input.substr(start, end - start);
    if (chunk == "\xfe") {
      session.on_tls_established(CertificateCheck::trusted_for("partner.example"), out);
    } else if (chunk == "\xfd") {
      session.on_verify_result("partner.example", "corp.example", VerifyOutcome::kValid, out);
    } else {
      session.on_bytes(chunk, out);
    }
    out.clear();
    start = end + 1;
  }
  return 0;
}
