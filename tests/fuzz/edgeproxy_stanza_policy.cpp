// Fuzzes the stanza policy with stanzas as the framer hands them out. The input is split into
// chunks at 0xFF bytes; each chunk's first byte picks the direction (bit 0: inbound) and the
// partner (bits 1-2), the rest is stream content read after a fixed stream header. Checked on
// every input: a subscription request from a public-unverified partner passes only when the
// internal user asked that contact first (tracked here independently), refusals for users
// follow user_allowed(), and what the policy remembers survives remembered() -> restore().
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "edgeproxy/xmpp/stanza_policy.hpp"
#include "edgeproxy/xmpp/xml_util.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgekit::edgeproxy;
  static const auto config = edgekit::fuzz::fixed_config(edgekit::fuzz::kEdgeConfig);
  StanzaPolicy policy;
  std::set<std::pair<std::string, std::string>> asked;  // (internal, remote) bare JIDs
  edgekit::fuzz::for_each_chunk(
      edgekit::fuzz::as_text(data, size), '\xff', [&](std::string_view chunk) {
        if (chunk.empty()) {
          return true;
        }
        const auto selector = static_cast<std::uint8_t>(chunk.front());
        const auto direction = (selector & 1U) != 0 ? StanzaPolicy::Direction::kInbound
                                                    : StanzaPolicy::Direction::kOutbound;
        const auto& partner = config->partners[((selector >> 1U) & 3U) % config->partners.size()];
        XmlFramer framer(kNsServer, FramerLimits{.max_stanza_bytes = 4096});
        framer.feed(
            "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
            "to='corp.example' from='partner.example' version='1.0'>");
        framer.set_authenticated();
        for (const auto& event : framer.feed(chunk.substr(1))) {
          if (event.kind != FrameEventKind::kElement || !event.element.is_stanza) {
            continue;
          }
          const Element& stanza = event.element;
          const bool subscribe = stanza.name == "presence" && stanza.type == "subscribe";
          const std::string_view internal =
              direction == StanzaPolicy::Direction::kInbound ? stanza.to : stanza.from;
          const auto refusal = policy.check(*config, partner, stanza, direction);
          const bool user_ok = StanzaPolicy::user_allowed(*config, internal);
          if (!user_ok && !refusal) {
            __builtin_trap();  // a user outside federated_users crossed the edge
          }
          if (!user_ok || !subscribe) {
            if (refusal.has_value() == user_ok) {
              __builtin_trap();  // refused for a reason other than the user
            }
            continue;
          }
          if (direction == StanzaPolicy::Direction::kOutbound) {
            asked.emplace(bare_jid(stanza.from), bare_jid(stanza.to));
            if (refusal) {
              __builtin_trap();  // our own users' subscription requests always go out
            }
          } else {
            const bool allowed = partner.type != edgekit::PartnerType::kPublicUnverified ||
                                 asked.count({bare_jid(stanza.to), bare_jid(stanza.from)}) != 0;
            if (allowed == refusal.has_value()) {
              __builtin_trap();  // the public-unverified subscription rule was not followed
            }
          }
        }
        return true;
      });
  const auto remembered = policy.remembered();
  if (std::set<std::pair<std::string, std::string>>(remembered.begin(), remembered.end()) !=
      asked) {
    __builtin_trap();
  }
  StanzaPolicy restored;
  restored.restore(remembered);
  if (restored.remembered() != remembered || policy.changed_since_save() != !asked.empty()) {
    __builtin_trap();
  }
  return 0;
}
