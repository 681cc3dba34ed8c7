// Fuzzes the outbound S2S state machine and checks its security promise on every input: a
// stanza stream never becomes ready without TLS where the policy requires TLS, nor over a
// certificate that did not authenticate the partner where the policy forbids dialback to stand
// in for it. The first byte picks the policy; the rest is split into chunks at 0xFF bytes, and
// one-byte chunks inject events: 0xFE TLS with a good certificate, 0xFC TLS with an untrusted
// one, 0xFD a db:verify request, 0xFB the idle grace running out.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "edgeproxy/xmpp/inbound_session.hpp"
#include "edgeproxy/xmpp/outbound_session.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgekit;
  using namespace edgekit::edgeproxy;
  if (size == 0) {
    return 0;
  }
  static const auto keys = std::make_shared<const DialbackKeys>("fuzz");
  const std::uint8_t choice = data[0];
  Partner policy;
  policy.domain = "partner.example";
  constexpr Negotiation kModes[] = {Negotiation::kNotSupported, Negotiation::kOptional,
                                    Negotiation::kRequired, Negotiation::kRequired};
  policy.tls = kModes[choice & 3U];
  policy.sasl = kModes[(choice >> 2U) & 3U];
  policy.dialback = (choice & 16U) != 0;
  policy.verify_certificate = (choice & 32U) != 0 && policy.tls == Negotiation::kRequired;
  const auto purpose = (choice & 64U) != 0 ? OutboundPurpose::kVerify : OutboundPurpose::kStanzas;
  OutboundSession session(OutboundOptions{"corp.example", "partner.example", policy, purpose, true,
                                          false, 1 << 20, (choice & 128U) != 0},
                          keys);
  Actions out;
  session.on_connected(out);
  bool certificate_good = false;
  edgekit::fuzz::for_each_chunk(
      edgekit::fuzz::as_text(data + 1, size - 1), '\xff', [&](std::string_view chunk) {
        if (chunk == "\xfe" || chunk == "\xfc") {
          const bool good = chunk == "\xfe";
          // Only a handshake the session asked for counts: it ignores a report in any other
          // state, so the certificate of the stream stays the one it took.
          if (session.state() == OutboundSession::State::kTlsHandshake) {
            certificate_good = good;
          }
          session.on_tls_established(good ? CertificateCheck::trusted_for("partner.example")
                                          : CertificateCheck{ChainStatus::kUntrusted, {}},
                                     out);
        } else if (chunk == "\xfd") {
          session.request_verify(VerifyRequest{"partner.example", "corp.example", "sid", "key"},
                                 out);
        } else if (chunk == "\xfb") {
          session.on_idle(out);
        } else {
          session.on_bytes(chunk, out);
        }
        out.clear();
        if (session.ready() && purpose == OutboundPurpose::kStanzas) {
          if (policy.tls == Negotiation::kRequired && !session.secured()) {
            __builtin_trap();  // stanzas would flow in plaintext to a TLS-required partner
          }
          const bool dialback_may_stand_in =
              policy.dialback && !policy.verify_certificate && !sasl_required(policy);
          if (session.secured() && !certificate_good && !dialback_may_stand_in) {
            __builtin_trap();  // stanzas would flow to a server that did not prove its name
          }
        }
        return !session.closed();
      });
  return 0;
}
