// Fuzzes the inbound S2S state machine behind a fixed partner list: the input is split into
// chunks at 0xFF bytes; 0xFE chunks inject "TLS established" and 0xFD a dialback verdict, so
// the fuzzer explores negotiation paths, not only XML.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "edgeproxy/xmpp/inbound_session.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgekit::edgeproxy;
  static const auto keys = std::make_shared<const DialbackKeys>("fuzz");
  static const auto config = edgekit::fuzz::fixed_config(edgekit::fuzz::kEdgeConfig);
  InboundSession session(config, keys, InboundOptions{true, false, "fuzz-sid", 1 << 20});
  Actions out;
  edgekit::fuzz::for_each_chunk(
      edgekit::fuzz::as_text(data, size), '\xff', [&](std::string_view chunk) {
        if (chunk == "\xfe") {
          session.on_tls_established(CertificateCheck::trusted_for("partner.example"), out);
        } else if (chunk == "\xfd") {
          session.on_verify_result("partner.example", "corp.example", VerifyOutcome::kValid, out);
        } else {
          session.on_bytes(chunk, out);
        }
        out.clear();
        return !session.closed();
      });
  return 0;
}
