// verify_chain: OpenSSL builds and checks the path; a verify callback collects every error
// (instead of stopping at the first) and turns each into a reason a person can act on.
#include <algorithm>
#include <set>

#include "common/x509.hpp"

namespace edgekit::x509 {
namespace {

struct Collector {
  std::vector<std::string> reasons;
  std::vector<ChainIssue> issues;
  std::set<std::string> seen;

  void add(ChainIssue issue, std::string reason) {
    if (seen.insert(reason).second) {
      reasons.push_back(std::move(reason));
      issues.push_back(issue);
    }
  }
};

std::string describe(X509* cert) {
  if (cert == nullptr) {
    return "(unknown certificate)";
  }
  const std::string subject = name_to_string(X509_get_subject_name(cert));
  return subject.empty() ? "(empty subject)" : "'" + subject + "'";
}

std::string purpose_text(Purpose purpose) {
  switch (purpose) {
    case Purpose::kServer: return "TLS server authentication (serverAuth)";
    case Purpose::kClient: return "TLS client authentication (clientAuth)";
    case Purpose::kAny: return "any purpose";
  }
  return "the purpose";
}

struct CallbackData {
  Collector* collector = nullptr;
  Purpose purpose = Purpose::kAny;
};

int collect_errors(int ok, X509_STORE_CTX* ctx) {
  if (ok != 0) {
    return 1;
  }
  auto* data = static_cast<CallbackData*>(X509_STORE_CTX_get_app_data(ctx));
  const int error = X509_STORE_CTX_get_error(ctx);
  X509* cert = X509_STORE_CTX_get_current_cert(ctx);
  const std::string who = describe(cert);
  Collector& out = *data->collector;
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      out.add(ChainIssue::kExpired,
              "expired: " + who + " was valid until " +
                  to_rfc3339(to_time_point(X509_get0_notAfter(cert))
                                 .value_or(std::chrono::system_clock::time_point{})));
      break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      out.add(ChainIssue::kNotYetValid,
              "not yet valid: " + who + " is valid from " +
                  to_rfc3339(to_time_point(X509_get0_notBefore(cert))
                                 .value_or(std::chrono::system_clock::time_point{})));
      break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      out.add(ChainIssue::kUnknownIssuer,
              "unknown issuer: no certificate for the issuer '" +
                  name_to_string(X509_get_issuer_name(cert)) + "' of " + who +
                  " (missing intermediate, or its root is not trusted)");
      break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      out.add(ChainIssue::kUntrustedRoot,
              "untrusted root: " + who + " is self-signed and not among the trust anchors");
      break;
    case X509_V_ERR_INVALID_PURPOSE:
      out.add(ChainIssue::kWrongEku,
              "wrong EKU: " + who + " is not valid for " + purpose_text(data->purpose));
      break;
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
      out.add(ChainIssue::kTooLong, "chain too long: more than " + std::to_string(kMaxVerifyDepth) +
                                        " certificates, or a CA's path length is exceeded");
      break;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      out.add(ChainIssue::kBadSignature,
              "bad signature: the signature on " + who + " does not verify");
      break;
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
      out.add(ChainIssue::kNotCa, "not a CA: " + who + " issued a certificate but may not");
      break;
    default:
      out.add(ChainIssue::kOther, std::string(X509_verify_cert_error_string(error)) + ": " + who);
      break;
  }
  return 1;  // keep going: report every problem, not only the first
}

// Follows issuer links through the untrusted set from the leaf; a certificate seen twice is a
// loop (A signs B signs A). OpenSSL would only report "unable to get issuer" for it.
std::optional<std::string> find_loop(X509* leaf, const std::vector<X509*>& untrusted) {
  std::vector<X509*> path{leaf};
  X509* current = leaf;
  for (std::size_t step = 0; step <= untrusted.size(); ++step) {
    if ((X509_get_extension_flags(current) & EXFLAG_SS) != 0) {
      return std::nullopt;  // reached a self-signed root
    }
    X509* next = nullptr;
    for (X509* candidate : untrusted) {
      if (candidate != current && X509_check_issued(candidate, current) == X509_V_OK) {
        next = candidate;
        break;
      }
    }
    if (next == nullptr) {
      return std::nullopt;
    }
    const bool revisited = std::any_of(path.begin(), path.end(),
                                       [&](X509* seen) { return X509_cmp(seen, next) == 0; });
    if (revisited) {
      return "loop: the issuer chain from " + describe(leaf) + " comes back to " + describe(next);
    }
    path.push_back(next);
    current = next;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ChainIssue issue) noexcept {
  switch (issue) {
    case ChainIssue::kExpired: return "expired";
    case ChainIssue::kNotYetValid: return "not-yet-valid";
    case ChainIssue::kUnknownIssuer: return "unknown-issuer";
    case ChainIssue::kUntrustedRoot: return "untrusted-root";
    case ChainIssue::kNameMismatch: return "name-mismatch";
    case ChainIssue::kWrongEku: return "wrong-eku";
    case ChainIssue::kLoop: return "loop";
    case ChainIssue::kTooLong: return "too-long";
    case ChainIssue::kBadSignature: return "bad-signature";
    case ChainIssue::kNotCa: return "not-ca";
    case ChainIssue::kOther: return "other";
  }
  return "other";
}

bool ChainVerdict::has(ChainIssue issue) const noexcept {
  return std::find(issues.begin(), issues.end(), issue) != issues.end();
}

TrustAnchors TrustAnchors::system() {
  TrustAnchors anchors;
  anchors.use_system_roots = true;
  return anchors;
}

Result<TrustAnchors> TrustAnchors::from_file(const std::filesystem::path& ca_file) {
  auto certs = load_certificates(ca_file);
  if (!certs) {
    return certs.error();
  }
  TrustAnchors anchors;
  anchors.certificates = std::move(certs).value();
  return anchors;
}

Result<TrustAnchors> TrustAnchors::from_file_or_system(const std::string& ca_file) {
  if (ca_file.empty()) {
    return system();
  }
  return from_file(ca_file);
}

ChainVerdict verify_chain(X509* leaf, const std::vector<X509*>& untrusted,
                          const TrustAnchors& anchors, std::optional<std::string> hostname,
                          Purpose purpose,
                          std::optional<std::chrono::system_clock::time_point> at) {
  ChainVerdict verdict;
  Collector collector;
  const auto finish = [&]() {
    ERR_clear_error();
    verdict.reasons = std::move(collector.reasons);
    verdict.issues = std::move(collector.issues);
    verdict.trusted = verdict.reasons.empty();
    return std::move(verdict);
  };
  if (leaf == nullptr) {
    collector.add(ChainIssue::kOther, "no certificate to verify");
    return finish();
  }
  if (untrusted.size() + 1 > kMaxChainCertificates) {
    collector.add(ChainIssue::kTooLong, "chain too long: " + std::to_string(untrusted.size() + 1) +
                                            " certificates given, at most " +
                                            std::to_string(kMaxChainCertificates) +
                                            " are accepted");
    return finish();
  }
  if (auto loop = find_loop(leaf, untrusted)) {
    collector.add(ChainIssue::kLoop, std::move(*loop));
  }

  const ossl::X509StorePtr store(X509_STORE_new());
  const ossl::X509StackPtr chain_stack(sk_X509_new_null());
  const ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !chain_stack || !ctx) {
    collector.add(ChainIssue::kOther, "out of memory");
    return finish();
  }
  if (anchors.use_system_roots && X509_STORE_set_default_paths(store.get()) != 1) {
    collector.add(ChainIssue::kOther, "cannot load the system trust roots");
  }
  for (const auto& anchor : anchors.certificates) {
    X509_STORE_add_cert(store.get(), anchor.get());  // duplicates are harmless
  }
  ERR_clear_error();
  for (X509* cert : untrusted) {
    if (cert != nullptr && X509_cmp(cert, leaf) != 0) {
      X509_up_ref(cert);
      sk_X509_push(chain_stack.get(), cert);
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, chain_stack.get()) != 1) {
    collector.add(ChainIssue::kOther, "cannot set up verification: " + ossl::last_error_string());
    return finish();
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_depth(param, kMaxVerifyDepth);
  if (at) {
    X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(*at));
  }
  switch (purpose) {
    case Purpose::kServer: X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER); break;
    case Purpose::kClient: X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT); break;
    case Purpose::kAny: break;
  }
  CallbackData data{&collector, purpose};
  X509_STORE_CTX_set_app_data(ctx.get(), &data);
  X509_STORE_CTX_set_verify_cb(ctx.get(), collect_errors);
  const int result = X509_verify_cert(ctx.get());
  if (result <= 0 && collector.reasons.empty()) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    collector.add(ChainIssue::kOther,
                  std::string("verification failed: ") + X509_verify_cert_error_string(error));
  }
  if (STACK_OF(X509)* built = X509_STORE_CTX_get1_chain(ctx.get())) {
    const ossl::X509StackPtr owned(built);
    while (sk_X509_num(owned.get()) > 0) {
      verdict.chain.emplace_back(sk_X509_shift(owned.get()));
    }
  }
  if (hostname && !matches_domain(leaf, *hostname)) {
    const CertificateInfo info = inspect(leaf);
    std::string names;
    for (const auto& name : info.dns_names) {
      names += (names.empty() ? "" : ", ") + name;
    }
    collector.add(ChainIssue::kNameMismatch,
                  "name mismatch: " + describe(leaf) + " is not valid for '" + *hostname +
                      "' (its DNS names: " + (names.empty() ? "none" : names) + ")");
  }
  return finish();
}

}  // namespace edgekit::x509
