// Fuzzes what dnstool does with a DNS answer: the bytes are a wire-format response, parsed by
// ldns as the resolver does, then read by the project's typed views (SRV, CNAME, A/AAAA, TLSA)
// as the answer to its question (or to the SRV query when it has none) and to the follow-up
// queries for the SRV targets, and finally judged by the DNS checks. Checked on every input:
// the RFC 2782 order is a sorted permutation of the records.
//
// ldns/common.h defines a `bool` macro unless stdbool.h came first.
#include <stdbool.h>  // NOLINT(modernize-deprecated-headers)

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/dns_client.hpp"
#include "dnstool/dns_checks.hpp"
#include "dnstool/lookup.hpp"

namespace {

using namespace edgekit;

struct FreeText {
  void operator()(char* text) const noexcept { std::free(text); }  // NOLINT: ldns mallocs
};

std::string question_name(const ldns_pkt* packet) {
  const ldns_rr_list* question = ldns_pkt_question(packet);
  if (question == nullptr || ldns_rr_list_rr_count(question) == 0) {
    return "_xmpp-server._tcp.partner.example";
  }
  const std::unique_ptr<char, FreeText> text(
      ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(question, 0))));
  return text ? dns::canonical_name(text.get()) : std::string();
}

dns::Answer answer_for(const ldns_pkt* packet, std::string qname, std::uint16_t qtype) {
  dns::Answer answer;
  answer.qname = std::move(qname);
  answer.qtype = qtype;
  answer.rcode = ldns_pkt_get_rcode(packet);
  answer.packet.reset(ldns_pkt_clone(packet));
  return answer;
}

dnstool::QueryOutcome outcome(const dns::Answer& answer, std::string type) {
  dnstool::QueryOutcome query;
  query.name = answer.qname;
  query.type = std::move(type);
  query.answered = true;
  query.nxdomain = answer.nxdomain();
  return query;
}

dnstool::ServiceLookup service(const ldns_pkt* packet, const std::string& owner) {
  const auto answer = answer_for(packet, owner, LDNS_RR_TYPE_SRV);
  dnstool::ServiceLookup lookup;
  lookup.query = outcome(answer, "SRV");
  const auto records = dns::srv_records(answer);
  lookup.records = dns::rfc2782_order(records);
  if (lookup.records.size() != records.size() ||
      !std::is_sorted(lookup.records.begin(), lookup.records.end(),
                      [](const dns::SrvRecord& a, const dns::SrvRecord& b) {
                        return a.priority < b.priority ||
                               (a.priority == b.priority && a.weight > b.weight);
                      })) {
    __builtin_trap();
  }
  (void)answer.nodata();
  return lookup;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, data, size) != LDNS_STATUS_OK) {
    return 0;
  }
  const ldns::PacketPtr packet(raw);
  const std::string qname = question_name(packet.get());

  dnstool::DomainLookup lookup;
  lookup.domain = "partner.example";
  lookup.xmpp = service(packet.get(), qname);
  lookup.xmpps = service(packet.get(), "_xmpps-server._tcp.partner.example");
  // The same packet answers the follow-up queries: a record set can name its own targets.
  for (const auto& target : dnstool::srv_targets(lookup)) {
    if (lookup.targets.size() >= 8) {
      break;
    }
    auto a = answer_for(packet.get(), target, LDNS_RR_TYPE_A);
    auto aaaa = answer_for(packet.get(), target, LDNS_RR_TYPE_AAAA);
    dnstool::TargetLookup found;
    found.name = target;
    found.cname = dns::cname_of(a);
    found.ipv4 = dns::address_records(a);
    found.ipv6 = dns::address_records(aaaa);
    (void)a.nodata();
    found.a = outcome(a, "A");
    found.aaaa = outcome(aaaa, "AAAA");
    lookup.targets.emplace(target, std::move(found));
    const std::string owner = "_5269._tcp." + target;
    dnstool::TlsaLookup tlsa;
    tlsa.owner = owner;
    const auto tlsa_answer = answer_for(packet.get(), owner, LDNS_RR_TYPE_TLSA);
    tlsa.query = outcome(tlsa_answer, "TLSA");
    tlsa.records = dns::tlsa_records(tlsa_answer);
    lookup.tlsa.emplace(owner, std::move(tlsa));
  }
  // The question's own name read as an address and a TLSA owner as well.
  (void)dns::address_records(answer_for(packet.get(), qname, LDNS_RR_TYPE_A));
  (void)dns::tlsa_records(answer_for(packet.get(), qname, LDNS_RR_TYPE_TLSA));

  dnstool::DnsCheckOptions options;
  options.edge_fqdn = "edge.corp.example";
  options.direct_tls_configured = (size & 1U) != 0;
  (void)dnstool::evaluate_dns(lookup, options);
  return 0;
}
