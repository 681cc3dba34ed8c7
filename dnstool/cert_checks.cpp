#include "dnstool/cert_checks.hpp"

#include <algorithm>

#include "common/x509.hpp"
#include "dnstool/dns_checks.hpp"
#include "dnstool/tlsa_match.hpp"

namespace edgekit::dnstool {
namespace {

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : std::string(separator)) + item;
  }
  return out;
}

// The names a peer may check: the XMPP domain (RFC 6120 §13.7.2.1) and, for clients that
// accept the SRV target (RFC 7673 with DNSSEC, XEP-0368), each target.
std::vector<std::string> names_to_cover(const DomainLookup& lookup, const CertCheckContext& ctx) {
  std::vector<std::string> names{lookup.domain};
  auto targets = srv_targets(lookup);
  if (targets.empty() && !ctx.edge_fqdn.empty()) {
    targets.push_back(ctx.edge_fqdn);
  }
  for (auto& target : targets) {
    if (std::find(names.begin(), names.end(), target) == names.end()) {
      names.push_back(std::move(target));
    }
  }
  return names;
}

Check cert_names(const DomainLookup& lookup, const CertCheckContext& ctx) {
  const auto names = names_to_cover(lookup, ctx);
  std::vector<std::string> missing;
  for (const auto& name : names) {
    if (!x509::matches_domain(ctx.certificate->leaf(), name)) {
      missing.push_back(name);
    }
  }
  const auto info = x509::inspect(ctx.certificate->leaf());
  const std::string presented =
      info.dns_names.empty() ? "CN " + info.common_name : "SANs " + join(info.dns_names, " ");
  if (!missing.empty()) {
    return {"cert.names",
            Status::kFail,
            "the certificate does not cover " + join(missing) + " (" + presented + ")",
            {"request a certificate whose SANs include " + join(names) +
             " (certtool request), then certtool import and assign"}};
  }
  return {"cert.names", Status::kPass, "covers " + join(names) + " (" + presented + ")", {}};
}

Check cert_validity(const CertCheckContext& ctx) {
  const auto info = x509::inspect(ctx.certificate->leaf());
  const auto fix = std::vector<std::string>{
      "renew the certificate (certtool acme, or certtool "
      "request + import), then certtool assign"};
  if (ctx.now < info.not_before) {
    return {"cert.validity", Status::kFail, "not valid before " + info.not_before_text, fix};
  }
  if (ctx.now >= info.not_after) {
    return {"cert.validity", Status::kFail, "expired on " + info.not_after_text, fix};
  }
  const auto left = std::chrono::duration_cast<std::chrono::hours>(info.not_after - ctx.now);
  const auto days = left.count() / 24;
  if (days < ctx.warn_days) {
    return {"cert.validity", Status::kWarn,
            "expires in " + std::to_string(days) + " days (" + info.not_after_text + ")", fix};
  }
  return {"cert.validity",
          Status::kPass,
          "valid until " + info.not_after_text + " (" + std::to_string(days) + " days)",
          {}};
}

Check cert_eku(const CertCheckContext& ctx) {
  const auto info = x509::inspect(ctx.certificate->leaf());
  const std::string listed =
      info.has_ext_key_usage ? "EKU " + join(info.ext_key_usage) : "no EKU extension";
  if (!info.server_auth) {
    return {"cert.eku",
            Status::kFail,
            "no serverAuth (" + listed + "): peers reject it on inbound S2S",
            {"request a certificate with the serverAuth (and clientAuth) extended key usage"}};
  }
  if (!info.client_auth) {
    return {"cert.eku",
            Status::kWarn,
            "no clientAuth (" + listed +
                "): peers that check the client purpose reject it on outbound S2S",
            {}};
  }
  return {"cert.eku", Status::kPass, "serverAuth and clientAuth (" + listed + ")", {}};
}

std::string security_of(const QueryOutcome& query) {
  if (!query.security) {
    return "not validated (no trust anchor)";
  }
  return std::string(dns::to_string(query.security->security));
}

}  // namespace

std::vector<Check> evaluate_certificate(const DomainLookup& lookup, const CertCheckContext& ctx) {
  if (ctx.certificate == nullptr) {
    return {{"cert.names", Status::kSkip, ctx.missing_why, {}},
            {"cert.validity", Status::kSkip, ctx.missing_why, {}},
            {"cert.eku", Status::kSkip, ctx.missing_why, {}}};
  }
  return {cert_names(lookup, ctx), cert_validity(ctx), cert_eku(ctx)};
}

Check evaluate_tlsa(const DomainLookup& lookup, const CertCheckContext& ctx) {
  std::vector<std::string> empty_owners;
  std::vector<std::string> matched;
  std::vector<std::string> unmatched;
  std::vector<std::string> fixes;
  bool all_secure = true;
  std::string insecure_state;
  for (const auto& [owner, tlsa] : lookup.tlsa) {
    if (tlsa.records.empty()) {
      empty_owners.push_back(owner);
      continue;
    }
    if (ctx.certificate == nullptr) {
      return {"tlsa", Status::kSkip, "TLSA at " + owner + " but " + ctx.missing_why, {}};
    }
    std::vector<X509*> chain;
    for (const auto& cert : ctx.certificate->chain) {
      chain.push_back(cert.get());
    }
    bool any = false;
    std::vector<std::string> records;
    for (const auto& record : tlsa.records) {
      records.push_back(tlsa_text(record).substr(0, 24) + (record.data.size() > 8 ? "…" : ""));
      any = any || match_tlsa(record, chain) == TlsaMatch::kMatch;
    }
    if (any) {
      matched.push_back(owner);
    } else {
      unmatched.push_back(owner + " (" + join(records, ", ") + ")");
      fixes.push_back("publish: " + owner + ". 3600 IN TLSA " +
                      tlsa_text(tlsa_3_1_1(ctx.certificate->leaf())));
    }
    if (!tlsa.query.security || tlsa.query.security->security != dns::Security::kSecure) {
      all_secure = false;
      insecure_state = security_of(tlsa.query);
    }
  }
  if (matched.empty() && unmatched.empty()) {
    return {"tlsa",
            Status::kSkip,
            empty_owners.empty() ? "no SRV target to look up TLSA for"
                                 : "no TLSA at " + join(empty_owners) + " (DANE not published)",
            {}};
  }
  if (!unmatched.empty()) {
    return {"tlsa", Status::kFail,
            "TLSA matches no usable key of the certificate at " + join(unmatched, "; "), fixes};
  }
  if (!all_secure) {
    return {"tlsa",
            Status::kWarn,
            "TLSA at " + join(matched) + " matches the certificate, but the answer is " +
                insecure_state + ": DANE is only meaningful when DNSSEC says secure",
            {}};
  }
  return {"tlsa",
          Status::kPass,
          "TLSA at " + join(matched) + " matches the certificate (DNSSEC secure)",
          {}};
}

}  // namespace edgekit::dnstool
