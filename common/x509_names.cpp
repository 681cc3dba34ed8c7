// RFC 6125 / RFC 9525 DNS-ID matching. OpenSSL's X509_check_host is not used: it falls back to
// the CN more liberally and accepts partial-label wildcards ("w*.example.com") by default.
#include <algorithm>

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

bool matches_domain(X509* cert, std::string_view reference) {
  if (cert == nullptr) {
    return false;
  }
  auto normalized = normalize_domain(reference);
  if (!normalized) {
    return false;
  }
  const std::string& ref = normalized.value();
  const CertificateInfo info = inspect(cert);
  if (!info.dns_names.empty()) {
    return std::any_of(info.dns_names.begin(), info.dns_names.end(),
                       [&](const std::string& name) { return matches_dns_id(name, ref); });
  }
  // No dNSName at all: the legacy CN-ID, exact only (no wildcard in a CN).
  return !info.common_name.empty() && info.common_name.find('*') == std::string::npos &&
         matches_dns_id(info.common_name, ref);
}

bool matches_xmpp_domain(X509* cert, std::string_view reference) {
  if (cert == nullptr) {
    return false;
  }
  auto normalized = normalize_domain(reference);
  if (!normalized) {
    return false;
  }
  const std::string& ref = normalized.value();
  const CertificateInfo info = inspect(cert);
  bool presents_identifier = !info.dns_names.empty();
  for (const std::string& name : info.other_names) {
    std::string_view value = name;
    if (value.starts_with("SRVName:")) {
      presents_identifier = true;
      value.remove_prefix(8);
      // The service label is fixed; the domain part may carry an RFC 9525 wildcard.
      for (std::string_view service : {"_xmpp-server.", "_xmpps-server."}) {
        if (value.size() > service.size() &&
            iequals_ascii(value.substr(0, service.size()), service) &&
            matches_dns_id(value.substr(service.size()), ref)) {
          return true;
        }
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
  if (std::any_of(info.dns_names.begin(), info.dns_names.end(),
                  [&](const std::string& name) { return matches_dns_id(name, ref); })) {
    return true;
  }
  return !presents_identifier && matches_domain(cert, ref);
}

}  // namespace edgekit::x509
