#pragma once
// dns-01 (RFC 8555 §8.4) by RFC 2136 dynamic update, signed with TSIG (RFC 8945), through
// ldns: add "_acme-challenge.<domain> TXT <value>", wait until the server answers it, let the
// CA validate, delete exactly those records afterwards. The server is `dns_update_server` (the
// zone's primary); the zone is found from the SOA it returns for the challenge name.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "certtool/acme/driver.hpp"
#include "common/error.hpp"

namespace edgekit::certtool::acme {

struct TsigKey {
  std::string name;       // "acme-key." (absolute)
  std::string algorithm;  // "hmac-sha256." as ldns names it
  std::string secret;     // base64, as in the file
};

// A BIND key file: key "NAME" { algorithm ALG; secret "BASE64"; }; (comments allowed).
Result<TsigKey> parse_bind_key_file(std::string_view text);

struct Dns01Settings {
  std::string server;         // ip[:port]
  std::string tsig_key_file;  // "" = unsigned updates (only for servers that allow them)
  std::chrono::seconds timeout{120};
};

Result<std::unique_ptr<ChallengeProvisioner>> make_dns01_provisioner(
    const Dns01Settings& settings, std::function<void(const std::string&)> progress);

}  // namespace edgekit::certtool::acme
