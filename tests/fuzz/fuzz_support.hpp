#pragma once
// What several fuzz targets share: the input as text, its split into chunks at a separator byte
// (so one input can carry a sequence of events or responses), and a fixed deployment file.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/config.hpp"

namespace edgekit::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Calls visit(chunk) for each piece of `input` between `separator` bytes, in order, while it
// returns true.
template <typename Visit>
void for_each_chunk(std::string_view input, char separator, Visit&& visit) {
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find(separator, start), input.size());
    if (!visit(input.substr(start, end - start))) {
      return;
    }
    start = end + 1;
  }
}

// A deployment file the target cannot run without: a parse failure is a bug in the target.
inline std::shared_ptr<const Config> fixed_config(std::string_view toml) {
  auto parsed = parse_config(toml);
  if (!parsed) {
    __builtin_trap();
  }
  return std::make_shared<const Config>(std::move(parsed).value());
}

// corp.example (and team.corp.example) behind edge.corp.example: partner.example (and a second
// domain of it) may use dialback, secure.example only TLS + SASL EXTERNAL; both are of the
// default type, public-unverified; fed.example is a federated partner. Only some internal users
// federate.
inline constexpr std::string_view kEdgeConfig = R"(
[edge]
fqdn = "edge.corp.example"
xmpp_domains = ["corp.example", "team.corp.example"]
[federation]
federated_users = ["alice@corp.example", "*@team.corp.example"]
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
[[partner]]
domain = "fed.example"
type = "federated"
tls = "optional"
dialback = true
)";

}  // namespace edgekit::fuzz
