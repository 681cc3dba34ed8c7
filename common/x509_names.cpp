// RFC 6125 / RFC 9525 DNS-ID matching. OpenSSL's X509_check_host is not used: it falls back to
// the CN more liberally and accepts partial-label wildcards ("w*.example.com") by default.
#include <algorithm>
#include <optional>
#include <string>

#include "common/jid.hpp"
#include "common/x509.hpp"

namespace edgekit::x509 {
namespace {

std::string_view strip_trailing_dot(std::string_view name) noexcept {
  if (!name.empty() && name.back() == '.') {
    name.remove_suffix(1);
  }
  return name;
}

bool is_ldh_ascii(std::string_view name) noexcept {
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
           u == '.' || u == '_';
  });
}

std::size_t label_count(std::string_view name) noexcept {
  return name.empty() ? 0 : static_cast<std::size_t>(std::count(name.begin(), name.end(), '.')) + 1;
}

bool has_empty_label(std::string_view name) noexcept {
  return name.empty() || name.front() == '.' || name.back() == '.' ||
         name.find("..") != std::string_view::npos;
}

}  // namespace

bool matches_dns_id(std::string_view presented, std::string_view reference) {
  presented = strip_trailing_dot(presented);
  reference = strip_trailing_dot(reference);
  // A certificate carries A-labels only; anything else (U-labels, NULs, spaces) never matches.
  if (presented.empty() || reference.empty() || has_empty_label(reference) ||
      reference.find('*') != std::string_view::npos || !is_ldh_ascii(reference)) {
    return false;
  }
  if (presented.starts_with("*.")) {
    const std::string_view base = presented.substr(2);
    // The wildcard is the whole left-most label and the only one; at least two labels follow
    // ("*.com" and "*.co" would cover a whole public suffix).
    if (base.find('*') != std::string_view::npos || !is_ldh_ascii(base) || has_empty_label(base) ||
        label_count(base) < 2) {
      return false;
    }
    const auto dot = reference.find('.');
    if (dot == std::string_view::npos || dot == 0) {
      return false;  // "*" matches exactly one non-empty label
    }
    return iequals_ascii(reference.substr(dot + 1), base);
  }
  if (presented.find('*') != std::string_view::npos || !is_ldh_ascii(presented) ||
      has_empty_label(presented)) {
    return false;  // partial-label wildcards ("w*.example.com") are not honoured (RFC 9525)
  }
  return iequals_ascii(presented, reference);
}

namespace {

// The reference identifier as A-labels, or nothing when there is no certificate to match or
// the reference is not a domain.
std::optional<std::string> reference_of(X509* cert, std::string_view reference) {
  if (cert == nullptr) {
    return std::nullopt;
  }
  auto normalized = normalize_domain(reference);
  if (!normalized) {
    return std::nullopt;
  }
  return std::move(normalized).value();
}

bool any_dns_id_matches(const CertificateInfo& info, const std::string& ref) {
  return std::any_of(info.dns_names.begin(), info.dns_names.end(),
                     [&](const std::string& name) { return matches_dns_id(name, ref); });
}

// The legacy CN-ID, exact only (no wildcard in a CN), for certificates without identifiers.
bool cn_id_matches(const CertificateInfo& info, const std::string& ref) {
  return !info.common_name.empty() && info.common_name.find('*') == std::string::npos &&
         matches_dns_id(info.common_name, ref);
}

// An SRV-ID (RFC 4985 SRVName) for the XMPP server services: the service label is fixed, the
// domain part may carry an RFC 9525 wildcard.
bool srv_id_matches(std::string_view srv_name, const std::string& ref) {
  for (std::string_view service : {"_xmpp-server.", "_xmpps-server."}) {
    if (srv_name.size() > service.size() &&
        iequals_ascii(srv_name.substr(0, service.size()), service) &&
        matches_dns_id(srv_name.substr(service.size()), ref)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool matches_domain(X509* cert, std::string_view reference) {
  const auto ref = reference_of(cert, reference);
  if (!ref) {
    return false;
  }
  const CertificateInfo info = inspect(cert);
  return info.dns_names.empty() ? cn_id_matches(info, *ref) : any_dns_id_matches(info, *ref);
}

bool matches_xmpp_domain(X509* cert, std::string_view reference) {
  return cert != nullptr && matches_xmpp_domain(inspect(cert), reference);
}

bool matches_xmpp_domain(const CertificateInfo& info, std::string_view reference) {
  auto normalized = normalize_domain(reference);
  if (!normalized) {
    return false;
  }
  const std::string ref = std::move(normalized).value();
  bool presents_identifier = !info.dns_names.empty();
  for (const std::string& name : info.other_names) {
    std::string_view value = name;
    if (value.starts_with("SRVName:")) {
      presents_identifier = true;
      if (srv_id_matches(value.substr(8), ref)) {
        return true;
      }
    } else if (value.starts_with("xmppAddr:")) {
      presents_identifier = true;
      value.remove_prefix(9);
      // A server's xmppAddr is its bare domain; no wildcards (RFC 6120 §13.7.1.4).
      if (value.find('*') == std::string_view::npos && matches_dns_id(value, ref)) {
        return true;
      }
    }
  }
  return any_dns_id_matches(info, ref) || (!presents_identifier && cn_id_matches(info, ref));
}

}  // namespace edgekit::x509
