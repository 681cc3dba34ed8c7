// Fuzzes Server Dialback (XEP-0220, keys per XEP-0185) in both of this edge's roles. Input: a
// flags byte, then four fields split at 0xFF bytes: receiving domain, originating domain,
// stream id, key (flag 1: the key the secret really gives instead). Checked on every input:
//   - a key verifies exactly when it is the one the secret gives for those three values;
//   - authoritative role: our db:verify answer says valid only for that key and a local
//     originating domain, and the key we would send ourselves is always accepted;
//   - receiving role: a db:result authenticates its domain only after the verdict we report
//     (flags 2-3 pick it) is valid, and only that domain.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/jid.hpp"
#include "edgeproxy/xmpp/inbound_session.hpp"
#include "edgeproxy/xmpp/xml_util.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace edgekit::edgeproxy;

constexpr std::string_view kHeaderStart =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
    "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
    "version='1.0' to='corp.example'";

const std::shared_ptr<const edgekit::Config>& config() {
  static const auto parsed = edgekit::fuzz::fixed_config(edgekit::fuzz::kEdgeConfig);
  return parsed;
}

std::string normalized(std::string_view domain) {
  auto value = edgekit::normalize_domain(domain);
  return value ? std::move(value).value() : std::string();
}

std::string db_element(std::string_view name, std::string_view from, std::string_view to,
                       std::string_view id, std::string_view key) {
  std::string xml = "<db:";
  xml += name;
  append_attribute(xml, "from", from);
  append_attribute(xml, "to", to);
  append_attribute(xml, "id", id);
  xml += '>';
  append_escaped(xml, key);
  xml += "</db:";
  xml += name;
  xml += '>';
  return xml;
}

// XML attribute-value normalisation turns these into spaces: such a value does not survive the
// trip through a stream unchanged, so nothing is required of its verdict.
bool survives_attribute(std::string_view text) {
  return text.find_first_of("\t\r\n") == std::string_view::npos;
}

void authoritative(const DialbackKeys& keys, const std::string& receiving,
                   const std::string& originating, const std::string& stream_id,
                   const std::string& key) {
  InboundSession session(config(), std::make_shared<const DialbackKeys>(keys),
                         InboundOptions{false, false, "auth-sid", 1 << 20});
  Actions out;
  session.on_bytes(std::string(kHeaderStart) + ">", out);
  session.on_bytes(db_element("verify", receiving, originating, stream_id, key), out);
  const std::string norm_receiving = normalized(receiving);
  const std::string norm_originating = normalized(originating);
  const bool local = !norm_originating.empty() && config()->is_local_domain(norm_originating);
  for (const auto& any : out) {
    const auto* verified = std::get_if<action::Verified>(&any);
    if (verified == nullptr) {
      continue;
    }
    if (verified->valid &&
        (!local || key != keys.generate(norm_receiving, norm_originating, stream_id))) {
      __builtin_trap();  // a key we never issued was vouched for
    }
    if (!verified->valid && local && survives_attribute(receiving + originating + stream_id) &&
        key == keys.generate(norm_receiving, norm_originating, stream_id)) {
      __builtin_trap();  // our own key was refused
    }
  }
}

void receiving_role(const DialbackKeys& keys, const std::string& receiving,
                    const std::string& originating, const std::string& key, VerifyOutcome verdict) {
  InboundSession session(config(), std::make_shared<const DialbackKeys>(keys),
                         InboundOptions{false, false, "recv-sid", 1 << 20});
  Actions out;
  session.on_bytes(std::string(kHeaderStart) + " from='partner.example'>", out);
  session.on_bytes(db_element("result", originating, receiving, {}, key), out);
  std::vector<action::RequestVerify> requests;
  for (auto& any : out) {
    if (std::holds_alternative<action::Authenticated>(any)) {
      __builtin_trap();  // authenticated before anyone vouched for the key
    }
    if (auto* request = std::get_if<action::RequestVerify>(&any)) {
      if (request->stream_id != "recv-sid") {
        __builtin_trap();  // the key is bound to this stream's id
      }
      requests.push_back(std::move(*request));
    }
  }
  for (const auto& request : requests) {
    out.clear();
    session.on_verify_result(request.domain, request.local, verdict, out);
    for (const auto& any : out) {
      const auto* authenticated = std::get_if<action::Authenticated>(&any);
      if (authenticated != nullptr &&
          (verdict != VerifyOutcome::kValid || authenticated->domain != request.domain)) {
        __builtin_trap();  // a domain authenticated without a valid verdict for it
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  static const DialbackKeys keys("fuzz-dialback-secret");
  const std::uint8_t flags = data[0];
  std::array<std::string, 4> fields;
  std::size_t field = 0;
  edgekit::fuzz::for_each_chunk(edgekit::fuzz::as_text(data + 1, size - 1), '\xff',
                                [&](std::string_view chunk) {
                                  fields[field++] = std::string(chunk);
                                  return field < fields.size();
                                });
  auto& [receiving, originating, stream_id, key] = fields;
  if ((flags & 1U) != 0) {
    key = keys.generate(normalized(receiving), normalized(originating), stream_id);
  }
  const std::string expected = keys.generate(receiving, originating, stream_id);
  if (!keys.verify(receiving, originating, stream_id, expected) ||
      keys.verify(receiving, originating, stream_id, key) != (key == expected)) {
    __builtin_trap();
  }
  authoritative(keys, receiving, originating, stream_id, key);
  constexpr std::array kVerdicts = {VerifyOutcome::kValid, VerifyOutcome::kInvalid,
                                    VerifyOutcome::kRemoteServerNotFound,
                                    VerifyOutcome::kRemoteServerTimeout};
  receiving_role(keys, receiving, originating, key, kVerdicts[(flags >> 1U) & 3U]);
  return 0;
}
