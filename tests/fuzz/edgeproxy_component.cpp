// Fuzzes the XEP-0114 component link with whatever the internal server sends: the input is
// split into chunks at 0xFF bytes; one-byte chunks inject events (0xFE the establishment
// timeout, 0xFD shutdown). On every input: no stanza is delivered before the handshake was
// accepted, the handshake we send is the digest of the id the server announced, and a closed
// session does nothing more.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edgeproxy/xmpp/component_session.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgekit::edgeproxy;
  constexpr std::string_view kSecret = "component-secret";
  ComponentSession session("partner.example", std::string(kSecret), 4096);
  Actions out;
  session.on_connected(out);
  out.clear();
  XmlFramer shadow(kNsComponent, FramerLimits{.max_stanza_bytes = 4096});
  std::string announced_id;
  bool header_seen = false;
  bool handshake_sent = false;
  edgekit::fuzz::for_each_chunk(
      edgekit::fuzz::as_text(data, size), '\xff', [&](std::string_view chunk) {
        const bool was_closed = session.closed();
        if (chunk == "\xfe") {
          session.on_timeout("establishment-timeout", out);
        } else if (chunk == "\xfd") {
          session.on_shutdown(out);
        } else {
          // A second framer reads the same bytes for the id the server's header announces.
          if (!header_seen) {
            for (const auto& event : shadow.feed(chunk)) {
              if (event.kind == FrameEventKind::kStreamOpen && !header_seen) {
                announced_id = event.header.id;
                header_seen = true;
              }
            }
          }
          session.on_bytes(chunk, out);
        }
        if (was_closed && !out.empty()) {
          __builtin_trap();  // a closed session must stay silent
        }
        for (const auto& action : out) {
          const auto* send = std::get_if<action::Send>(&action);
          if (send != nullptr && send->data.starts_with("<handshake>")) {
            handshake_sent = true;
            if (send->data.size() != std::string_view("<handshake></handshake>").size() + 40) {
              __builtin_trap();  // the digest is 40 hex digits
            }
            if (send->data != "<handshake>" + component_handshake_digest(announced_id, kSecret) +
                                  "</handshake>") {
              __builtin_trap();  // the digest must be of the id the server announced
            }
          }
          if ((std::holds_alternative<action::Ready>(action) && !handshake_sent) ||
              (std::holds_alternative<action::Deliver>(action) && !session.ready())) {
            __builtin_trap();  // stanzas before the shared secret was proven
          }
        }
        out.clear();
        return true;
      });
  return 0;
}
