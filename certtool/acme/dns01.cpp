#include "certtool/acme/dns01.hpp"

#include <algorithm>
#include <cctype>
#include <thread>
#include <vector>

#include "certtool/acme/errors.hpp"
#include "common/config.hpp"
#include "common/jid.hpp"
#include "common/ldns_ptr.hpp"
#include "common/store.hpp"

namespace edgekit::certtool::acme {
namespace {

constexpr std::uint32_t kTxtTtl = 60;
constexpr std::chrono::seconds kQueryTimeout{3};

// Tokens of a BIND config: words, quoted strings, and the punctuation { } ;
std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n') {
        ++i;
      }
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      const auto end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 2;
    } else if (c == '{' || c == '}' || c == ';') {
      tokens.emplace_back(1, c);
      ++i;
    } else if (c == '"') {
      const auto end = text.find('"', i + 1);
      if (end == std::string_view::npos) {
        tokens.emplace_back("\"");  // unterminated: makes the parser fail
        break;
      }
      tokens.emplace_back(text.substr(i, end - i + 1));
      i = end + 1;
    } else {
      const auto start = i;
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) == 0 &&
             text[i] != '{' && text[i] != '}' && text[i] != ';' && text[i] != '"') {
        ++i;
      }
      tokens.emplace_back(text.substr(start, i - start));
    }
  }
  return tokens;
}

std::string unquote(const std::string& token) {
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
    return token.substr(1, token.size() - 2);
  }
  return token;
}

std::string absolute(std::string name) {
  if (name.empty() || name.back() != '.') {
    name += '.';
  }
  return name;
}

Error dns_error(std::string what, std::string why) {
  return make_error(AcmeErrc::kChallengeSetup, std::move(what), std::move(why));
}

class Dns01Provisioner final : public ChallengeProvisioner {
 public:
  Dns01Provisioner(Dns01Settings settings, std::optional<TsigKey> key, Endpoint server,
                   std::function<void(const std::string&)> progress)
      : settings_(std::move(settings)),
        key_(std::move(key)),
        server_(std::move(server)),
        progress_(std::move(progress)) {}

  Result<void> provision(const std::vector<ChallengeTask>& tasks) override {
    for (const auto& task : tasks) {
      const auto owner = "_acme-challenge." + absolute(to_lower_ascii(task.domain));
      auto zone = find_zone(owner);
      if (!zone) {
        return zone.error();
      }
      if (auto added = update(zone.value(), owner, task.txt_value, true); !added) {
        return added.error();
      }
      added_.push_back(Record{zone.value(), owner, task.txt_value});
      say("dns-01: added TXT " + owner + " in zone " + zone.value() + " via " +
          server_.to_string());
    }
    // The CA may ask any authoritative server; the update server answering is the minimum.
    for (const auto& record : added_) {
      if (auto seen = wait_visible(record); !seen) {
        return seen.error();
      }
    }
    return ok();
  }

  void cleanup() override {
    for (const auto& record : added_) {
      if (auto removed = update(record.zone, record.owner, record.value, false); !removed) {
        say("dns-01: could not remove TXT " + record.owner + ": " + removed.error().message());
      } else {
        say("dns-01: removed TXT " + record.owner);
      }
    }
    added_.clear();
  }

 private:
  struct Record {
    std::string zone;
    std::string owner;
    std::string value;
  };

  void say(const std::string& line) const {
    if (progress_) {
      progress_(line);
    }
  }

  Result<ldns::ResolverPtr> resolver(bool sign) const {
    ldns::ResolverPtr res(ldns_resolver_new());
    ldns::RdfPtr address(ldns_rdf_new_frm_str(
        server_.host.find(':') != std::string::npos ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A,
        server_.host.c_str()));
    if (!res || !address ||
        ldns_resolver_push_nameserver(res.get(), address.get()) != LDNS_STATUS_OK) {
      return dns_error("dns_update_server " + server_.to_string(), "not an IP address");
    }
    ldns_resolver_set_port(res.get(), server_.port);
    ldns_resolver_set_recursive(res.get(), false);
    ldns_resolver_set_retry(res.get(), 2);
    ldns_resolver_set_timeout(res.get(), timeval{kQueryTimeout.count(), 0});
    if (sign && key_) {
      ldns_resolver_set_tsig_keyname(res.get(), key_->name.c_str());
      ldns_resolver_set_tsig_algorithm(res.get(), key_->algorithm.c_str());
      ldns_resolver_set_tsig_keydata(res.get(), key_->secret.c_str());
    }
    return res;
  }

  Result<ldns::PacketPtr> query(const std::string& name, ldns_rr_type type) const {
    auto res = resolver(false);
    if (!res) {
      return res.error();
    }
    ldns::RdfPtr owner(ldns_dname_new_frm_str(name.c_str()));
    if (!owner) {
      return dns_error(name, "not a domain name");
    }
    ldns_pkt* answer = nullptr;
    const auto status = ldns_resolver_query_status(&answer, res.value().get(), owner.get(), type,
                                                   LDNS_RR_CLASS_IN, 0);
    ldns::PacketPtr packet(answer);
    if (status != LDNS_STATUS_OK || !packet) {
      return make_error(AcmeErrc::kUnreachable, "DNS server " + server_.to_string(),
                        std::string("no answer: ") + ldns_get_errorstr_by_id(status));
    }
    return packet;
  }

  // The zone holding `owner`: the SOA in the answer (owner is an apex) or the authority.
  Result<std::string> find_zone(const std::string& owner) const {
    auto packet = query(owner, LDNS_RR_TYPE_SOA);
    if (!packet) {
      return packet.error();
    }
    for (ldns_rr_list* section :
         {ldns_pkt_answer(packet.value().get()), ldns_pkt_authority(packet.value().get())}) {
      for (std::size_t i = 0; i < ldns_rr_list_rr_count(section); ++i) {
        ldns_rr* rr = ldns_rr_list_rr(section, i);
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
          return to_lower_ascii(ldns::to_string(ldns_rr_owner(rr)));
        }
      }
    }
    return dns_error("dns-01 for " + owner,
                     "the server " + server_.to_string() +
                         " is not authoritative for it (no SOA in its answer)");
  }

  Result<void> update(const std::string& zone, const std::string& owner, const std::string& value,
                      bool add) const {
    auto res = resolver(true);
    if (!res) {
      return res.error();
    }
    const std::string text = owner + " " + std::to_string(add ? kTxtTtl : 0) +
                             (add ? " IN" : " NONE") + " TXT \"" + value + "\"";
    ldns_rr* raw_rr = nullptr;
    if (ldns_rr_new_frm_str(&raw_rr, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
      return dns_error(owner, "cannot build the TXT record");
    }
    ldns::RrPtr rr(raw_rr);
    if (!add) {
      ldns_rr_set_class(rr.get(), LDNS_RR_CLASS_NONE);  // RFC 2136 §2.5.4: delete this RR
      ldns_rr_set_ttl(rr.get(), 0);
    }
    ldns::RrListPtr updates(ldns_rr_list_new());
    ldns_rr_list_push_rr(updates.get(), rr.release());
    // The packet takes the zone name; the RR list is copied.
    ldns::RdfPtr zone_rdf(ldns_dname_new_frm_str(zone.c_str()));
    ldns::PacketPtr packet(
        ldns_update_pkt_new(zone_rdf.get(), LDNS_RR_CLASS_IN, nullptr, updates.get(), nullptr));
    if (!packet) {
      return dns_error(owner, "cannot build the update");
    }
    (void)zone_rdf.release();  // now the packet's question
    if (key_ && ldns_update_pkt_tsig_add(packet.get(), res.value().get()) != LDNS_STATUS_OK) {
      return dns_error(owner, "cannot sign the update with the TSIG key " + key_->name);
    }
    ldns_pkt* raw_answer = nullptr;
    const auto status = ldns_resolver_send_pkt(&raw_answer, res.value().get(), packet.get());
    ldns::PacketPtr answer(raw_answer);
    if (status != LDNS_STATUS_OK || !answer) {
      return make_error(AcmeErrc::kUnreachable, "RFC 2136 update to " + server_.to_string(),
                        std::string(ldns_get_errorstr_by_id(status)));
    }
    const auto rcode = ldns_pkt_get_rcode(answer.get());
    if (rcode != LDNS_RCODE_NOERROR) {
      const std::string name = ldns::take_string(ldns_pkt_rcode2str(rcode));
      return dns_error("RFC 2136 update of " + owner + " at " + server_.to_string(),
                       "refused with " + name +
                           (rcode == LDNS_RCODE_REFUSED || rcode == LDNS_RCODE_NOTAUTH
                                ? std::string(" (check the TSIG key and the zone's update ACL)")
                                : std::string()));
    }
    return ok();
  }

  Result<void> wait_visible(const Record& record) const {
    const auto deadline = std::chrono::steady_clock::now() + settings_.timeout;
    bool said = false;
    while (std::chrono::steady_clock::now() < deadline) {
      auto packet = query(record.owner, LDNS_RR_TYPE_TXT);
      if (packet) {
        ldns_rr_list* answer = ldns_pkt_answer(packet.value().get());
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
          ldns_rr* rr = ldns_rr_list_rr(answer, i);
          if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT || ldns_rr_rd_count(rr) < 1) {
            continue;
          }
          const std::string text = ldns::to_string(ldns_rr_rdf(rr, 0));
          if (text == "\"" + record.value + "\"") {
            say("dns-01: " + server_.to_string() + " answers the TXT for " + record.owner);
            return ok();
          }
        }
      }
      if (!said) {
        say("waiting for " + server_.to_string() + " to answer the TXT for " + record.owner);
        said = true;
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    return make_error(AcmeErrc::kTimeout, "dns-01 for " + record.owner,
                      "the server did not answer the new TXT record in time");
  }

  Dns01Settings settings_;
  std::optional<TsigKey> key_;
  Endpoint server_;
  std::function<void(const std::string&)> progress_;
  std::vector<Record> added_;
};

}  // namespace

Result<TsigKey> parse_bind_key_file(std::string_view text) {
  const auto tokens = tokenize(text);
  const auto bad = [](const std::string& why) {
    return make_error(AcmeErrc::kUsage, "tsig_key_file", why);
  };
  std::size_t i = 0;
  if (tokens.size() < 4 || tokens[0] != "key") {
    return bad("expected key \"NAME\" { algorithm ALG; secret \"BASE64\"; };");
  }
  TsigKey key;
  key.name = absolute(to_lower_ascii(unquote(tokens[1])));
  if (tokens[2] != "{") {
    return bad("expected { after the key name");
  }
  for (i = 3; i < tokens.size() && tokens[i] != "}"; ++i) {
    if (tokens[i] == ";") {
      continue;
    }
    if (i + 1 >= tokens.size()) {
      return bad("unterminated statement");
    }
    const auto& keyword = tokens[i];
    const auto value = unquote(tokens[i + 1]);
    if (keyword == "algorithm") {
      key.algorithm = absolute(to_lower_ascii(value));
    } else if (keyword == "secret") {
      key.secret = value;
    } else {
      return bad("unknown statement '" + keyword + "'");
    }
    ++i;
  }
  if (i >= tokens.size()) {
    return bad("missing }");
  }
  static const std::vector<std::string> algorithms = {"hmac-md5.sig-alg.reg.int.",
                                                      "hmac-md5.",
                                                      "hmac-sha1.",
                                                      "hmac-sha224.",
                                                      "hmac-sha256.",
                                                      "hmac-sha384.",
                                                      "hmac-sha512."};
  if (key.algorithm == "hmac-md5.") {
    key.algorithm = "hmac-md5.sig-alg.reg.int.";
  }
  if (std::find(algorithms.begin(), algorithms.end(), key.algorithm) == algorithms.end()) {
    return bad("unsupported algorithm '" + key.algorithm + "'");
  }
  if (key.secret.empty() ||
      key.secret.find_first_not_of(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
          std::string::npos) {
    return bad("the secret is missing or not base64");
  }
  return key;
}

Result<std::unique_ptr<ChallengeProvisioner>> make_dns01_provisioner(
    const Dns01Settings& settings, std::function<void(const std::string&)> progress) {
  if (settings.server.empty()) {
    return make_error(AcmeErrc::kUsage, "acme.dns_update_server",
                      "dns-01 needs the RFC 2136 server (ip[:port])");
  }
  const auto server = parse_endpoint(settings.server, 53);
  if (!server) {
    return make_error(AcmeErrc::kUsage, "acme.dns_update_server",
                      "'" + settings.server + "' is not ip[:port]");
  }
  std::optional<TsigKey> key;
  if (!settings.tsig_key_file.empty()) {
    auto text = read_file(settings.tsig_key_file, std::size_t{64} * 1024);
    if (!text) {
      return text.error();
    }
    auto parsed = parse_bind_key_file(text.value());
    if (!parsed) {
      return make_error(AcmeErrc::kUsage, settings.tsig_key_file, parsed.error().why);
    }
    key = std::move(parsed).value();
  }
  return std::unique_ptr<ChallengeProvisioner>(
      std::make_unique<Dns01Provisioner>(settings, std::move(key), *server, std::move(progress)));
}

}  // namespace edgekit::certtool::acme
