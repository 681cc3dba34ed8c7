#include "common/dns_dnssec.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "common/store.hpp"

namespace edgekit::dns {
namespace {

std::string owner_name(const ldns_rr* rr) {
  return canonical_name(ldns::to_string(ldns_rr_owner(rr)));
}

bool is_under(std::string_view name, std::string_view zone) {
  if (zone == "." || zone.empty()) {
    return true;
  }
  return name == zone || (name.size() > zone.size() && name.ends_with(zone) &&
                          name[name.size() - zone.size() - 1] == '.');
}

ldns_rr_type covered_type(const ldns_rr* rrsig) {
  return ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rrsig));
}

ldns::RrListPtr new_list() {
  return ldns::RrListPtr(ldns_rr_list_new());
}

void push_clone(ldns_rr_list* list, const ldns_rr* rr) {
  ldns_rr_list_push_rr(list, ldns_rr_clone(rr));
}

std::string status_text(ldns_status status) {
  const char* text = ldns_get_errorstr_by_id(status);
  return text != nullptr ? text : "unknown DNSSEC error";
}

// Groups one section into RRsets (owner, type) with the RRSIGs that cover each.
struct RrsetWithSigs {
  ldns::RrListPtr rrset = new_list();
  ldns::RrListPtr rrsigs = new_list();
};
std::map<std::pair<std::string, int>, RrsetWithSigs> group(const ldns_rr_list* section) {
  std::map<std::pair<std::string, int>, RrsetWithSigs> sets;
  for (std::size_t i = 0; section != nullptr && i < ldns_rr_list_rr_count(section); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(section, i);
    if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG) {
      continue;
    }
    push_clone(sets[{owner_name(rr), ldns_rr_get_type(rr)}].rrset.get(), rr);
  }
  for (std::size_t i = 0; section != nullptr && i < ldns_rr_list_rr_count(section); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(section, i);
    if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG) {
      continue;
    }
    const auto it = sets.find({owner_name(rr), covered_type(rr)});
    if (it != sets.end()) {
      push_clone(it->second.rrsigs.get(), rr);
    }
  }
  return sets;
}

// The type mnemonic a zone-file record is written with (after its owner and any TTL and class),
// upper-cased; found in the text because ldns turns a generic TYPEnnn beyond 65535 into a value
// outside its enum, which is undefined behaviour to read back.
std::string written_type(std::string_view record) {
  std::vector<std::string_view> tokens;
  std::size_t at = 0;
  while (tokens.size() < 4) {
    at = record.find_first_not_of(" \t", at);
    if (at == std::string_view::npos) {
      break;
    }
    const auto end = record.find_first_of(" \t", at);
    tokens.push_back(record.substr(at, end == std::string_view::npos ? end : end - at));
    at = end;
  }
  const auto upper = [](std::string_view token) {
    std::string text(token);
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return text;
  };
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    std::string token = upper(tokens[i]);
    const bool ttl = std::isdigit(static_cast<unsigned char>(token.front())) != 0;
    const bool dns_class = token == "IN" || token == "CH" || token == "HS" || token == "CS" ||
                           token == "NONE" || token == "ANY" || token.rfind("CLASS", 0) == 0;
    if (!ttl && !dns_class) {
      return token;
    }
  }
  return {};
}

std::string type_name(int type) {
  std::string text = ldns::take_string(ldns_rr_type2str(static_cast<ldns_rr_type>(type)));
  return !text.empty() ? text : std::to_string(type);
}

// Verifies one RRset through a chain of trust; "" when secure, the reason otherwise.
std::string verify_rrset(ldns_resolver* resolver, const std::string& owner, int type,
                         RrsetWithSigs& set) {
  if (ldns_rr_list_rr_count(set.rrsigs.get()) == 0) {
    return owner + " " + type_name(type) + " is not signed";
  }
  const ldns_status status =
      ldns_verify_trusted(resolver, set.rrset.get(), set.rrsigs.get(), nullptr);
  if (status != LDNS_STATUS_OK) {
    return owner + " " + type_name(type) + ": " + status_text(status);
  }
  return {};
}

}  // namespace

std::string_view to_string(Security value) noexcept {
  switch (value) {
    case Security::kSecure: return "secure";
    case Security::kInsecure: return "insecure";
    case Security::kBogus: return "bogus";
  }
  return "insecure";
}

Result<TrustAnchors> TrustAnchors::parse(std::string_view text, std::string_view source) {
  TrustAnchors anchors;
  std::string record;
  int depth = 0;
  int line_number = 0;
  int record_line = 0;
  std::size_t start = 0;
  constexpr std::size_t kMaxRecords = 256;
  while (start <= text.size()) {
    const auto end = text.find('\n', start);
    std::string_view line =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() + 1 : end + 1;
    ++line_number;
    // Strip comments (';' anywhere outside quotes is a comment in zone files; '#' at the start
    // of a line in unbound's format).
    if (const auto semi = line.find(';'); semi != std::string_view::npos) {
      line = line.substr(0, semi);
    }
    if (!line.empty() && line.front() == '#') {
      continue;
    }
    if (record.empty()) {
      record_line = line_number;
    }
    for (const char c : line) {
      if (c == '(') {
        ++depth;
        record += ' ';
      } else if (c == ')') {
        --depth;
        record += ' ';
      } else if (c == '\r' || c == '\t') {
        record += ' ';
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return make_error(DnsErrc::kBadTrustAnchor,
                          std::string(source) + ":" + std::to_string(line_number),
                          "control character");
      } else {
        record += c;
      }
    }
    if (depth < 0 || depth > 1) {
      return make_error(DnsErrc::kBadTrustAnchor,
                        std::string(source) + ":" + std::to_string(line_number),
                        "unbalanced parentheses");
    }
    if (depth > 0) {
      record += ' ';
      continue;
    }
    if (record.find_first_not_of(' ') == std::string::npos) {
      record.clear();
      continue;
    }
    const std::string where = std::string(source) + ":" + std::to_string(record_line);
    if (record.size() > 8192 || anchors.records_.size() >= kMaxRecords) {
      return make_error(DnsErrc::kBadTrustAnchor, where, "too large");
    }
    if (const std::string written = written_type(record); written != "DS" && written != "DNSKEY") {
      return make_error(DnsErrc::kBadTrustAnchor, where,
                        "only DS and DNSKEY records can be trust anchors, not " +
                            (written.empty() ? std::string("this line") : written));
    }
    ldns_rr* raw = nullptr;
    const ldns_status status = ldns_rr_new_frm_str(&raw, record.c_str(), 3600, nullptr, nullptr);
    ldns::RrPtr rr(raw);
    record.clear();
    if (status != LDNS_STATUS_OK || !rr) {
      return make_error(DnsErrc::kBadTrustAnchor, where, status_text(status));
    }
    const auto type = ldns_rr_get_type(rr.get());
    if (type != LDNS_RR_TYPE_DS && type != LDNS_RR_TYPE_DNSKEY) {
      return make_error(DnsErrc::kBadTrustAnchor, where,
                        "only DS and DNSKEY records can be trust anchors, not " + type_name(type));
    }
    const std::string zone = owner_name(rr.get());
    if (std::find(anchors.zones_.begin(), anchors.zones_.end(), zone) == anchors.zones_.end()) {
      anchors.zones_.push_back(zone);
    }
    anchors.records_.push_back(std::move(rr));
  }
  if (depth != 0) {
    return make_error(DnsErrc::kBadTrustAnchor, std::string(source), "unterminated '('");
  }
  if (anchors.records_.empty()) {
    return make_error(DnsErrc::kBadTrustAnchor, std::string(source),
                      "no DS or DNSKEY record found");
  }
  return anchors;
}

Result<TrustAnchors> TrustAnchors::load(const std::filesystem::path& path) {
  auto text = read_file(path, std::size_t{1024} * 1024);
  if (!text) {
    return make_error(DnsErrc::kBadTrustAnchor, path.string(), text.error().why);
  }
  return parse(text.value(), path.string());
}

std::string TrustAnchors::zone_for(std::string_view name) const {
  std::string best;
  bool found = false;
  for (const auto& zone : zones_) {
    if (is_under(name, zone) && (!found || zone.size() > best.size())) {
      best = zone;
      found = true;
    }
  }
  return found ? best : std::string();
}

void TrustAnchors::install(DnsClient& client) const {
  for (const auto& resolver : client.resolvers()) {
    if (ldns_resolver_dnssec_anchors(resolver.get()) != nullptr) {
      continue;
    }
    for (const auto& rr : records_) {
      ldns_resolver_push_dnssec_anchor(resolver.get(), rr.get());
    }
  }
}

namespace {

// The zone that holds `name`: the owner of the SOA in the answer (name is an apex) or in the
// authority section (a negative answer).
std::optional<std::string> zone_of(DnsClient& client, const std::string& name) {
  auto answer = client.query(name, LDNS_RR_TYPE_SOA);
  if (!answer || !answer.value().packet) {
    return std::nullopt;
  }
  for (const ldns_rr_list* section : {ldns_pkt_answer(answer.value().packet.get()),
                                      ldns_pkt_authority(answer.value().packet.get())}) {
    for (std::size_t i = 0; section != nullptr && i < ldns_rr_list_rr_count(section); ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(section, i);
      if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
        return owner_name(rr);
      }
    }
  }
  return std::nullopt;
}

// Unsigned data under an anchor is insecure, not bogus, when its zone is an insecure
// delegation: the parent proves with signed NSEC/NSEC3 that the zone has no DS (RFC 4035 §5.2).
std::optional<std::string> insecure_delegation(DnsClient& client, const std::string& name,
                                               const TrustAnchors& anchors, int depth) {
  if (depth > 2) {
    return std::nullopt;
  }
  const auto zone = zone_of(client, name);
  if (!zone ||
      std::find(anchors.zones().begin(), anchors.zones().end(), *zone) != anchors.zones().end()) {
    return std::nullopt;  // the anchored zone itself must be signed
  }
  auto ds = client.query(*zone, LDNS_RR_TYPE_DS);
  if (!ds || !ds.value().nodata()) {
    return std::nullopt;  // a DS exists (or no proof): the zone must be signed
  }
  const auto proof = validate_at_depth(client, ds.value(), anchors, depth + 1);
  if (proof.security == Security::kBogus) {
    return std::nullopt;
  }
  return "zone " + *zone + " is an insecure delegation (no DS at the parent, " +
         std::string(to_string(proof.security)) + " proof)";
}

}  // namespace

Validation validate(DnsClient& client, const Answer& answer, const TrustAnchors& anchors) {
  return validate_at_depth(client, answer, anchors, 0);
}

Validation validate_at_depth(DnsClient& client, const Answer& answer, const TrustAnchors& anchors,
                             int depth) {
  const std::string zone = anchors.zone_for(answer.qname);
  if (zone.empty() && !(anchors.zones().size() == 1 && anchors.zones().front() == ".")) {
    return {Security::kInsecure, "no trust anchor covers " + answer.qname};
  }
  if (!answer.packet) {
    return {Security::kBogus, "no answer"};
  }
  anchors.install(client);
  ldns_resolver* resolver = client.resolver_for(answer.server);
  const ldns_pkt* packet = answer.packet.get();
  const bool negative = answer.nxdomain() || ldns_rr_list_rr_count(ldns_pkt_answer(packet)) == 0;
  if (!negative) {
    auto sets = group(ldns_pkt_answer(packet));
    std::string insecure;
    for (auto& [key, set] : sets) {
      if (ldns_rr_list_rr_count(set.rrsigs.get()) == 0) {
        if (auto why = insecure_delegation(client, key.first, anchors, depth)) {
          insecure = *why;
          continue;
        }
      }
      if (auto why = verify_rrset(resolver, key.first, key.second, set); !why.empty()) {
        return {Security::kBogus, why};
      }
    }
    if (!insecure.empty()) {
      return {Security::kInsecure, insecure};
    }
    return {Security::kSecure, "chain of trust from the " + zone + " anchor verified"};
  }
  // Negative answer: the NSEC/NSEC3 records must be signed and must deny the name or type.
  auto sets = group(ldns_pkt_authority(packet));
  const ldns::RrListPtr nsecs = new_list();
  const ldns::RrListPtr rrsigs = new_list();
  bool nsec3 = false;
  for (auto& [key, set] : sets) {
    if (key.second != LDNS_RR_TYPE_NSEC && key.second != LDNS_RR_TYPE_NSEC3) {
      continue;
    }
    nsec3 = key.second == LDNS_RR_TYPE_NSEC3;
    if (auto why = verify_rrset(resolver, key.first, key.second, set); !why.empty()) {
      return {Security::kBogus, "denial of existence: " + why};
    }
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(set.rrset.get()); ++i) {
      push_clone(nsecs.get(), ldns_rr_list_rr(set.rrset.get(), i));
    }
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(set.rrsigs.get()); ++i) {
      push_clone(rrsigs.get(), ldns_rr_list_rr(set.rrsigs.get(), i));
    }
  }
  if (ldns_rr_list_rr_count(nsecs.get()) == 0) {
    if (auto why = insecure_delegation(client, answer.qname, anchors, depth)) {
      return {Security::kInsecure, *why};
    }
    return {Security::kBogus, "negative answer for " + answer.qname + " without NSEC/NSEC3 proof"};
  }
  ldns_rr* question = ldns_rr_list_rr(ldns_pkt_question(packet), 0);
  const ldns_status status =
      nsec3 ? ldns_dnssec_verify_denial_nsec3(question, nsecs.get(), rrsigs.get(),
                                              ldns_pkt_get_rcode(packet),
                                              static_cast<ldns_rr_type>(answer.qtype), true)
            : ldns_dnssec_verify_denial(question, nsecs.get(), rrsigs.get());
  if (status != LDNS_STATUS_OK) {
    return {Security::kBogus,
            "denial of existence for " + answer.qname + ": " + status_text(status)};
  }
  return {Security::kSecure, "denial of existence proven from the " + zone + " anchor"};
}

}  // namespace edgekit::dns
