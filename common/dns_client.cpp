#include "common/dns_client.hpp"

#include <algorithm>
#include <iterator>
#include <random>

#include <arpa/inet.h>
#include <sys/time.h>

#include "common/jid.hpp"

namespace edgekit::dns {
namespace {

class DnsCategory final : public EdgekitCategory {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "dns"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<DnsErrc>(value)) {
      case DnsErrc::kBadName: return "invalid domain name";
      case DnsErrc::kBadNameserver: return "invalid nameserver";
      case DnsErrc::kNoAnswer: return "no nameserver answered";
      case DnsErrc::kServerFailure: return "nameserver failure";
      case DnsErrc::kBadTrustAnchor: return "invalid trust anchor";
    }
    return "DNS error";
  }
  [[nodiscard]] ExitCode exit_code(int value) const noexcept override {
    switch (static_cast<DnsErrc>(value)) {
      case DnsErrc::kBadName:
      case DnsErrc::kBadNameserver:
      case DnsErrc::kBadTrustAnchor: return ExitCode::kUsage;
      case DnsErrc::kNoAnswer:
      case DnsErrc::kServerFailure: return ExitCode::kOperational;
    }
    return ExitCode::kOperational;
  }
};

std::string owner_of(const ldns_rr* rr) {
  return canonical_name(ldns::to_string(ldns_rr_owner(rr)));
}

// Calls visit(rr) for every answer-section record of `type` owned by `owner`.
template <typename Visit>
void for_each_answer(const Answer& answer, std::string_view owner, ldns_rr_type type,
                     Visit&& visit) {
  if (!answer.packet) {
    return;
  }
  const ldns_rr_list* list = ldns_pkt_answer(answer.packet.get());
  for (std::size_t i = 0; list != nullptr && i < ldns_rr_list_rr_count(list); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(list, i);
    if (ldns_rr_get_type(rr) == type && owner_of(rr) == owner) {
      visit(rr);
    }
  }
}

// The end of the CNAME chain that starts at the queried name (bounded against loops).
std::string chain_end(const Answer& answer) {
  std::string name = answer.qname;
  for (int hops = 0; hops < 8; ++hops) {
    std::optional<std::string> next;
    for_each_answer(answer, name, LDNS_RR_TYPE_CNAME, [&](const ldns_rr* rr) {
      next = canonical_name(ldns::to_string(ldns_rr_rdf(rr, 0)));
    });
    if (!next || *next == name) {
      break;
    }
    name = *next;
  }
  return name;
}

ldns_rdf* address_rdf(const std::string& address) {
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    return ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, address.c_str());
  }
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    return ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, address.c_str());
  }
  return nullptr;
}

}  // namespace

const EdgekitCategory& dns_category() noexcept {
  static const DnsCategory category;
  return category;
}

std::error_code make_error_code(DnsErrc value) noexcept {
  return {static_cast<int>(value), dns_category()};
}

std::string canonical_name(std::string_view name) {
  if (name == "." || name.empty()) {
    return std::string(name);
  }
  if (name.back() == '.') {
    name.remove_suffix(1);
  }
  return to_lower_ascii(name);
}

std::string Nameserver::to_string() const {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::optional<Nameserver> parse_nameserver(std::string_view text) {
  Nameserver server;
  std::string_view host = text;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) {
        return std::nullopt;
      }
      port = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    const auto colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  server.address = std::string(host);
  in6_addr v6{};
  in_addr v4{};
  if (inet_pton(AF_INET6, server.address.c_str(), &v6) != 1 &&
      inet_pton(AF_INET, server.address.c_str(), &v4) != 1) {
    return std::nullopt;
  }
  if (!port.empty()) {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    const int value = std::stoi(std::string(port));
    if (value < 1 || value > 65535) {
      return std::nullopt;
    }
    server.port = static_cast<std::uint16_t>(value);
  }
  return server;
}

bool Answer::nxdomain() const noexcept {
  return rcode == LDNS_RCODE_NXDOMAIN;
}

bool Answer::nodata() const {
  if (rcode != LDNS_RCODE_NOERROR) {
    return false;
  }
  bool found = false;
  const std::string end = chain_end(*this);
  for_each_answer(*this, end, static_cast<ldns_rr_type>(qtype),
                  [&](const ldns_rr* /*rr*/) { found = true; });
  return !found;
}

Result<DnsClient> DnsClient::create(ClientOptions options) {
  std::vector<ldns::ResolverPtr> resolvers;
  std::vector<Nameserver> servers;
  const auto configure = [&options](ldns_resolver* resolver) {
    timeval timeout{};
    timeout.tv_sec = static_cast<time_t>(options.timeout.count() / 1000);
    timeout.tv_usec = static_cast<suseconds_t>((options.timeout.count() % 1000) * 1000);
    ldns_resolver_set_timeout(resolver, timeout);
    // Retries are ours (ldns would sleep whole seconds between them and then mark the server
    // unreachable for good); ldns makes one attempt per call.
    ldns_resolver_set_retry(resolver, 1);
    ldns_resolver_set_retrans(resolver, 0);
    ldns_resolver_set_fallback(resolver, true);  // TCP when the UDP answer is truncated
    ldns_resolver_set_recursive(resolver, true);
    ldns_resolver_set_random(resolver, false);
    ldns_resolver_set_edns_udp_size(resolver, 1232);
    ldns_resolver_set_dnssec(resolver, options.dnssec);
    ldns_resolver_set_dnssec_cd(resolver, options.dnssec);
  };
  if (options.nameservers.empty()) {
    ldns_resolver* raw = nullptr;
    // Production only: the system resolver. Tests always pass explicit nameservers.
    if (ldns_resolver_new_frm_file(&raw, nullptr) != LDNS_STATUS_OK || raw == nullptr) {
      return make_error(DnsErrc::kBadNameserver, "/etc/resolv.conf",
                        "cannot read the system resolver configuration");
    }
    configure(raw);
    resolvers.emplace_back(raw);
    servers.push_back(Nameserver{"system resolver", 53});
  }
  for (const auto& server : options.nameservers) {
    const ldns::RdfPtr address(address_rdf(server.address));
    if (!address) {
      return make_error(DnsErrc::kBadNameserver, server.address, "not an IP address");
    }
    ldns::ResolverPtr resolver(ldns_resolver_new());
    if (!resolver ||
        ldns_resolver_push_nameserver(resolver.get(), address.get()) != LDNS_STATUS_OK) {
      return make_error(DnsErrc::kBadNameserver, server.to_string(), "cannot set up resolver");
    }
    ldns_resolver_set_port(resolver.get(), server.port);
    configure(resolver.get());
    resolvers.push_back(std::move(resolver));
    servers.push_back(server);
  }
  return DnsClient(std::move(options), std::move(resolvers), std::move(servers));
}

ldns_resolver* DnsClient::resolver_for(const Nameserver& server) const noexcept {
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    if (servers_[i].address == server.address && servers_[i].port == server.port) {
      return resolvers_[i].get();
    }
  }
  return resolvers_.front().get();
}

Result<Answer> DnsClient::query(std::string_view name, std::uint16_t type) {
  const std::string qname = canonical_name(name);
  const ldns::RdfPtr dname(ldns_dname_new_frm_str((qname + ".").c_str()));
  if (qname.empty() || qname.size() > 253 || !dname) {
    return make_error(DnsErrc::kBadName, std::string(name), "not a valid domain name");
  }
  std::string failures;
  bool server_failure = false;
  for (std::size_t i = 0; i < resolvers_.size(); ++i) {
    ldns_resolver* resolver = resolvers_[i].get();
    for (std::uint8_t attempt = 0; attempt < std::max<std::uint8_t>(options_.retries, 1);
         ++attempt) {
      // ldns marks a server that timed out as unreachable; each attempt starts afresh.
      for (std::size_t n = 0; n < ldns_resolver_nameserver_count(resolver); ++n) {
        ldns_resolver_set_nameserver_rtt(resolver, n, LDNS_RESOLV_RTT_MIN);
      }
      ldns_pkt* raw = nullptr;
      const ldns_status status = ldns_resolver_send(
          &raw, resolver, dname.get(), static_cast<ldns_rr_type>(type), LDNS_RR_CLASS_IN, LDNS_RD);
      ldns::PacketPtr packet(raw);
      if (status != LDNS_STATUS_OK || !packet) {
        failures += (failures.empty() ? "" : "; ") + servers_[i].to_string() + ": " +
                    ldns_get_errorstr_by_id(status);
        continue;
      }
      const int rcode = ldns_pkt_get_rcode(packet.get());
      if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) {
        server_failure = true;
        const ldns_lookup_table* entry = ldns_lookup_by_id(ldns_rcodes, rcode);
        failures += (failures.empty() ? "" : "; ") + servers_[i].to_string() + " answered " +
                    (entry != nullptr ? entry->name : std::to_string(rcode));
        break;  // an answer, just not a useful one: ask the next server
      }
      Answer answer;
      answer.qname = qname;
      answer.qtype = type;
      answer.rcode = rcode;
      answer.server = servers_[i];
      answer.packet = std::move(packet);
      return answer;
    }
  }
  return make_error(server_failure ? DnsErrc::kServerFailure : DnsErrc::kNoAnswer, qname, failures);
}

std::vector<SrvRecord> srv_records(const Answer& answer) {
  std::vector<SrvRecord> records;
  for_each_answer(answer, answer.qname, LDNS_RR_TYPE_SRV, [&](const ldns_rr* rr) {
    if (ldns_rr_rd_count(rr) != 4) {
      return;
    }
    SrvRecord record;
    record.priority = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
    record.weight = ldns_rdf2native_int16(ldns_rr_rdf(rr, 1));
    record.port = ldns_rdf2native_int16(ldns_rr_rdf(rr, 2));
    record.target = canonical_name(ldns::to_string(ldns_rr_rdf(rr, 3)));
    record.ttl = ldns_rr_ttl(rr);
    records.push_back(std::move(record));
  });
  return records;
}

std::vector<std::string> address_records(const Answer& answer) {
  std::vector<std::string> addresses;
  const std::string end = chain_end(answer);
  for (const auto type : {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA}) {
    for_each_answer(answer, end, type, [&](const ldns_rr* rr) {
      if (ldns_rr_rd_count(rr) == 1) {
        addresses.push_back(ldns::to_string(ldns_rr_rdf(rr, 0)));
      }
    });
  }
  return addresses;
}

std::vector<TlsaRecord> tlsa_records(const Answer& answer) {
  std::vector<TlsaRecord> records;
  const std::string end = chain_end(answer);
  for_each_answer(answer, end, LDNS_RR_TYPE_TLSA, [&](const ldns_rr* rr) {
    if (ldns_rr_rd_count(rr) != 4) {
      return;
    }
    TlsaRecord record;
    record.usage = ldns_rdf2native_int8(ldns_rr_rdf(rr, 0));
    record.selector = ldns_rdf2native_int8(ldns_rr_rdf(rr, 1));
    record.matching_type = ldns_rdf2native_int8(ldns_rr_rdf(rr, 2));
    const ldns_rdf* data = ldns_rr_rdf(rr, 3);
    const std::uint8_t* bytes = ldns_rdf_data(data);
    record.data.assign(bytes, bytes + ldns_rdf_size(data));
    records.push_back(std::move(record));
  });
  return records;
}

std::optional<std::string> cname_of(const Answer& answer) {
  std::optional<std::string> target;
  for_each_answer(answer, answer.qname, LDNS_RR_TYPE_CNAME, [&](const ldns_rr* rr) {
    target = canonical_name(ldns::to_string(ldns_rr_rdf(rr, 0)));
  });
  return target;
}

std::vector<SrvRecord> rfc2782_order(std::vector<SrvRecord> records) {
  std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
    if (a.priority != b.priority) {
      return a.priority < b.priority;
    }
    return a.weight > b.weight;
  });
  return records;
}

std::vector<SrvRecord> rfc2782_selection_order(std::vector<SrvRecord> records,
                                               const SrvRandom& random) {
  // Priority first, zero weights ahead of the rest; otherwise the published order.
  std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
    if (a.priority != b.priority) {
      return a.priority < b.priority;
    }
    return a.weight == 0 && b.weight != 0;
  });
  std::vector<SrvRecord> ordered;
  ordered.reserve(records.size());
  auto group_begin = records.begin();
  while (group_begin != records.end()) {
    const auto group_end = std::find_if(group_begin, records.end(), [&](const SrvRecord& record) {
      return record.priority != group_begin->priority;
    });
    std::vector<SrvRecord> group(std::make_move_iterator(group_begin),
                                 std::make_move_iterator(group_end));
    while (!group.empty()) {
      std::uint32_t total = 0;
      for (const auto& record : group) {
        total += record.weight;
      }
      const std::uint32_t roll = random(total);
      std::uint32_t running = 0;
      auto pick = group.begin();
      for (; pick + 1 != group.end(); ++pick) {
        running += pick->weight;
        if (running >= roll) {
          break;
        }
      }
      ordered.push_back(std::move(*pick));
      group.erase(pick);
    }
    group_begin = group_end;
  }
  return ordered;
}

std::uint32_t srv_random(std::uint32_t bound) {
  thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_int_distribution<std::uint32_t>(0, bound)(generator);
}

}  // namespace edgekit::dns
