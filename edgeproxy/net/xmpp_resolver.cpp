#include "edgeproxy/net/xmpp_resolver.hpp"

#include <algorithm>

#include "common/dns_client.hpp"
#include "common/ldns_ptr.hpp"

namespace edgekit::edgeproxy {
namespace {

constexpr std::uint16_t kDefaultS2sPort = 5269;

// The presentation form without the root's trailing dot ("." stays "."; an address has none).
std::string rdf_text(const ldns_rdf* rdf) {
  return dns::canonical_name(ldns::to_string(rdf));
}

Result<ldns::ResolverPtr> make_resolver(const std::vector<Endpoint>& nameservers) {
  ldns_resolver* raw = nullptr;
  if (nameservers.empty()) {
    if (ldns_resolver_new_frm_file(&raw, nullptr) != LDNS_STATUS_OK) {
      return make_error(GeneralErrc::kIo, "resolver", "cannot read the system resolver config");
    }
    return ldns::ResolverPtr(raw);
  }
  ldns::ResolverPtr resolver(ldns_resolver_new());
  for (const auto& server : nameservers) {
    const bool v6 = server.host.find(':') != std::string::npos;
    ldns::RdfPtr address(
        ldns_rdf_new_frm_str(v6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, server.host.c_str()));
    if (!address) {
      return make_error(GeneralErrc::kUsage, server.host, "not an IP address (dns.nameservers)");
    }
    ldns_resolver_push_nameserver(resolver.get(), address.get());
  }
  ldns_resolver_set_port(resolver.get(), nameservers.front().port);
  ldns_resolver_set_recursive(resolver.get(), true);
  ldns_resolver_set_retry(resolver.get(), 2);
  ldns_resolver_set_timeout(resolver.get(), timeval{2, 0});
  return resolver;
}

// Records of one type in the answer, or an empty list (NXDOMAIN / NODATA); error when no
// nameserver answered.
Result<ldns::RrListPtr> query(ldns_resolver* resolver, const std::string& name, ldns_rr_type type,
                              std::uint32_t& min_ttl) {
  ldns::RdfPtr owner(ldns_dname_new_frm_str(name.c_str()));
  if (!owner) {
    return make_error(GeneralErrc::kUsage, name, "not a domain name");
  }
  ldns::PacketPtr packet(
      ldns_resolver_query(resolver, owner.get(), type, LDNS_RR_CLASS_IN, LDNS_RD));
  if (!packet) {
    return make_error(GeneralErrc::kTimeout, name, "no nameserver answered");
  }
  ldns::RrListPtr list(ldns_pkt_rr_list_by_type(packet.get(), type, LDNS_SECTION_ANSWER));
  if (list) {
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list.get()); ++i) {
      min_ttl = std::min(min_ttl, ldns_rr_ttl(ldns_rr_list_rr(list.get(), i)));
    }
  }
  return list;
}

}  // namespace

Result<ResolvedEndpoints> resolve_xmpp_server(const std::vector<Endpoint>& nameservers,
                                              const std::string& domain,
                                              const std::string& proxy_fqdn) {
  std::vector<dns::SrvRecord> targets;
  if (!proxy_fqdn.empty()) {
    const auto route = parse_endpoint(proxy_fqdn, kDefaultS2sPort);
    if (!route) {
      return make_error(GeneralErrc::kUsage, proxy_fqdn, "not host[:port] (partner.proxy_fqdn)");
    }
    targets.push_back(dns::SrvRecord{0, 0, route->port, route->host, 0});
  }
  ResolvedEndpoints result;
  boost::system::error_code ec;
  // IP literals need no DNS at all.
  if (targets.size() == 1) {
    const auto address = asio::ip::make_address(targets.front().target, ec);
    if (!ec) {
      result.endpoints.emplace_back(address, targets.front().port);
      return result;
    }
  }
  auto resolver = make_resolver(nameservers);
  if (!resolver) {
    return resolver.error();
  }
  std::uint32_t min_ttl = 3600;
  if (targets.empty()) {
    auto srv =
        query(resolver.value().get(), "_xmpp-server._tcp." + domain, LDNS_RR_TYPE_SRV, min_ttl);
    if (!srv) {
      return srv.error();
    }
    if (srv.value()) {
      for (std::size_t i = 0; i < ldns_rr_list_rr_count(srv.value().get()); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(srv.value().get(), i);
        if (ldns_rr_rd_count(rr) < 4) {
          continue;
        }
        dns::SrvRecord target{ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)),
                              ldns_rdf2native_int16(ldns_rr_rdf(rr, 1)),
                              ldns_rdf2native_int16(ldns_rr_rdf(rr, 2)),
                              rdf_text(ldns_rr_rdf(rr, 3)), ldns_rr_ttl(rr)};
        if (target.target.empty() || target.target == ".") {
          return make_error(GeneralErrc::kNotFound, domain,
                            "the SRV record says the service is not offered");
        }
        targets.push_back(std::move(target));
      }
      targets = dns::rfc2782_selection_order(std::move(targets), dns::srv_random);
    }
    if (targets.empty()) {
      targets.push_back(dns::SrvRecord{0, 0, kDefaultS2sPort, domain, 0});
    }
  }
  for (const auto& target : targets) {
    const auto literal = asio::ip::make_address(target.target, ec);
    if (!ec) {
      result.endpoints.emplace_back(literal, target.port);
      continue;
    }
    for (const ldns_rr_type type : {LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_A}) {
      auto records = query(resolver.value().get(), target.target, type, min_ttl);
      if (!records || !records.value()) {
        continue;
      }
      for (std::size_t i = 0; i < ldns_rr_list_rr_count(records.value().get()); ++i) {
        const auto address = asio::ip::make_address(
            rdf_text(ldns_rr_rdf(ldns_rr_list_rr(records.value().get(), i), 0)), ec);
        if (!ec) {
          result.endpoints.emplace_back(address, target.port);
        }
      }
    }
  }
  if (result.endpoints.empty()) {
    return make_error(GeneralErrc::kNotFound, domain, "no address found for the partner's server");
  }
  result.ttl = std::chrono::seconds(std::max<std::uint32_t>(min_ttl, 5));
  return result;
}

void XmppResolver::resolve(const std::vector<Endpoint>& nameservers, const std::string& domain,
                           const std::string& proxy_fqdn, Handler handler) {
  const std::string key = domain + "|" + proxy_fqdn;
  const auto now = std::chrono::steady_clock::now();
  if (const auto it = cache_.find(key); it != cache_.end() && it->second.expires > now) {
    asio::post(io_, [value = it->second.value, handler = std::move(handler)]() mutable {
      handler(std::move(value));
    });
    return;
  }
  asio::post(pool_, [this, nameservers, domain, proxy_fqdn, key,
                     handler = std::move(handler)]() mutable {
    auto result = resolve_xmpp_server(nameservers, domain, proxy_fqdn);
    asio::post(io_, [this, key, result = std::move(result),
                     handler = std::move(handler)]() mutable {
      if (result) {
        cache_[key] = Cached{result.value(), std::chrono::steady_clock::now() + result.value().ttl};
      }
      handler(std::move(result));
    });
  });
}

}  // namespace edgekit::edgeproxy
