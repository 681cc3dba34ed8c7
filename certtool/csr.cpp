#include "certtool/csr.hpp"

#include <algorithm>
#include <climits>

#include <openssl/pem.h>

#include "certtool/errors.hpp"
#include "certtool/key.hpp"
#include "common/jid.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {
namespace {

void add_unique(std::vector<std::string>& names, const std::string& name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    names.push_back(name);
  }
}

Result<void> add_subject_entry(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) {
    return ok();
  }
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1) {
    return make_error(CerttoolErrc::kUsage, std::string("subject ") + field,
                      "'" + value + "' is not acceptable: " + ossl::last_error_string());
  }
  return ok();
}

// An otherName SAN whose value is a string of the given ASN.1 type.
Result<void> push_other_name(GENERAL_NAMES* names, int nid, int string_type,
                             const std::string& value) {
  ossl::GeneralNamePtr name(GENERAL_NAME_new());
  ossl::Asn1TypePtr type(ASN1_TYPE_new());
  ossl::Asn1StringPtr text(ASN1_STRING_type_new(string_type));
  if (!name || !type || !text ||
      ASN1_STRING_set(text.get(), value.data(), static_cast<int>(value.size())) != 1) {
    return make_error(CerttoolErrc::kCrypto, "otherName SAN", ossl::last_error_string());
  }
  ASN1_TYPE_set(type.get(), string_type, text.release());  // now the type's value
  if (GENERAL_NAME_set0_othername(name.get(), OBJ_nid2obj(nid), type.get()) != 1) {
    return make_error(CerttoolErrc::kCrypto, "otherName SAN", ossl::last_error_string());
  }
  (void)type.release();  // now the name's value
  sk_GENERAL_NAME_push(names, name.release());
  return ok();
}

Result<void> push_dns_name(GENERAL_NAMES* names, const std::string& value) {
  ossl::GeneralNamePtr name(GENERAL_NAME_new());
  ossl::Asn1Ia5StringPtr text(ASN1_IA5STRING_new());
  if (!name || !text ||
      ASN1_STRING_set(text.get(), value.data(), static_cast<int>(value.size())) != 1) {
    return make_error(CerttoolErrc::kCrypto, "dNSName SAN", ossl::last_error_string());
  }
  GENERAL_NAME_set0_value(name.get(), GEN_DNS, text.release());  // now the name's value
  sk_GENERAL_NAME_push(names, name.release());
  return ok();
}

}  // namespace

Result<RequestPlan> plan_request(const Config& config, bool allow_wildcard) {
  RequestPlan plan;
  const auto& edge = config.edge;
  const auto& cert = config.certificate;
  plan.subject = {edge.fqdn,     cert.organization, cert.organizational_unit,
                  cert.locality, cert.state,        cert.country};
  std::vector<std::string> candidates{edge.fqdn};
  candidates.insert(candidates.end(), edge.xmpp_domains.begin(), edge.xmpp_domains.end());
  for (const auto& sip : edge.sip_domains) {
    candidates.push_back("sip." + sip);
  }
  candidates.insert(candidates.end(), edge.additional_sans.begin(), edge.additional_sans.end());
  for (const auto& candidate : candidates) {
    std::string_view body = candidate;
    const bool wildcard = body.starts_with("*.");
    if (wildcard) {
      if (!allow_wildcard) {
        return make_error(CerttoolErrc::kUsage, "edge.additional_sans",
                          "'" + candidate +
                              "' is a wildcard; the edge certificate names the edge itself "
                              "(pass --allow-wildcard to request it anyway)");
      }
      body.remove_prefix(2);
    }
    auto normalized = normalize_domain(body);
    if (!normalized) {
      return make_error(CerttoolErrc::kUsage, "'" + candidate + "'",
                        "not a valid DNS name: " + normalized.error().why);
    }
    add_unique(plan.dns_names, (wildcard ? "*." : "") + normalized.value());
  }
  if (cert.xmpp_identities) {
    for (const auto& domain : edge.xmpp_domains) {
      add_unique(plan.srv_names, "_xmpp-server." + domain);
      add_unique(plan.xmpp_addrs, domain);
    }
    plan.warnings.emplace_back(
        "certificate.xmpp_identities = true adds SRVName and id-on-xmppAddr SANs; public CAs "
        "(and ACME) drop them silently, only a private CA will issue them");
  }
  return plan;
}

Result<ossl::X509ReqPtr> build_csr(const RequestPlan& plan, EVP_PKEY* key) {
  ossl::X509ReqPtr csr(X509_REQ_new());
  if (!csr || X509_REQ_set_version(csr.get(), 0) != 1) {
    return make_error(CerttoolErrc::kCrypto, "CSR", ossl::last_error_string());
  }
  X509_NAME* name = X509_REQ_get_subject_name(csr.get());
  const auto& s = plan.subject;
  for (const auto& [field, value] :
       {std::pair{"C", &s.country}, std::pair{"ST", &s.state}, std::pair{"L", &s.locality},
        std::pair{"O", &s.organization}, std::pair{"OU", &s.organizational_unit},
        std::pair{"CN", &s.common_name}}) {
    if (auto added = add_subject_entry(name, field, *value); !added) {
      return added.error();
    }
  }
  X509_REQ_set_pubkey(csr.get(), key);

  ossl::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  for (const auto& dns : plan.dns_names) {
    if (auto pushed = push_dns_name(names.get(), dns); !pushed) {
      return pushed.error();
    }
  }
  for (const auto& srv : plan.srv_names) {
    if (auto pushed = push_other_name(names.get(), NID_SRVName, V_ASN1_IA5STRING, srv); !pushed) {
      return pushed.error();
    }
  }
  for (const auto& addr : plan.xmpp_addrs) {
    if (auto pushed = push_other_name(names.get(), NID_XmppAddr, V_ASN1_UTF8STRING, addr);
        !pushed) {
      return pushed.error();
    }
  }
  const ossl::X509ExtensionStackViewPtr extensions(sk_X509_EXTENSION_new_null());
  const ossl::X509ExtensionPtr san(X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get()));
  // What the edge does with the key: TLS server and client (outbound S2S) authentication.
  const ossl::X509ExtensionPtr eku(
      X509V3_EXT_nconf_nid(nullptr, nullptr, NID_ext_key_usage, "serverAuth,clientAuth"));
  const bool rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
  const ossl::X509ExtensionPtr ku(X509V3_EXT_nconf_nid(
      nullptr, nullptr, NID_key_usage,
      rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"));
  if (!extensions || !san || !eku || !ku) {
    return make_error(CerttoolErrc::kCrypto, "CSR extensions", ossl::last_error_string());
  }
  sk_X509_EXTENSION_push(extensions.get(), san.get());
  sk_X509_EXTENSION_push(extensions.get(), ku.get());
  sk_X509_EXTENSION_push(extensions.get(), eku.get());
  if (X509_REQ_add_extensions(csr.get(), extensions.get()) != 1 ||
      X509_REQ_sign(csr.get(), key, EVP_sha256()) <= 0) {
    return make_error(CerttoolErrc::kCrypto, "CSR", ossl::last_error_string());
  }
  return csr;
}

std::string csr_to_pem(X509_REQ* csr) {
  const ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), csr) != 1) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

bool looks_like_csr(std::string_view bytes) noexcept {
  return bytes.find("-----BEGIN CERTIFICATE REQUEST-----") != std::string_view::npos ||
         bytes.find("-----BEGIN NEW CERTIFICATE REQUEST-----") != std::string_view::npos;
}

Result<ossl::X509ReqPtr> parse_csr(std::string_view bytes) {
  if (bytes.size() > x509::kMaxCertificateFileBytes) {
    return make_error(CerttoolErrc::kUsage, "CSR", "too large");
  }
  const ossl::BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  X509_REQ* csr = looks_like_csr(bytes)
                      ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr)
                      : d2i_X509_REQ_bio(bio.get(), nullptr);
  if (csr == nullptr) {
    ERR_clear_error();
    return make_error(CerttoolErrc::kUsage, "CSR", "not a valid PKCS#10 certificate request");
  }
  return ossl::X509ReqPtr(csr);
}

CsrInfo inspect_csr(X509_REQ* csr) {
  CsrInfo info;
  info.subject = x509::name_to_string(X509_REQ_get_subject_name(csr));
  EVP_PKEY* key = X509_REQ_get0_pubkey(csr);
  info.key = x509::key_description(key);
  info.spki_sha256 = spki_sha256_of_key(key);
  info.signature_ok = key != nullptr && X509_REQ_verify(csr, key) == 1;
  const ossl::X509ExtensionStackPtr extensions(X509_REQ_get_extensions(csr));
  // Reuse the certificate inspector on a scratch certificate carrying the CSR's SANs.
  const ossl::X509Ptr scratch(X509_new());
  for (int i = 0; extensions && scratch && i < sk_X509_EXTENSION_num(extensions.get()); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(extensions.get(), i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) == NID_subject_alt_name) {
      X509_add_ext(scratch.get(), ext, -1);
    }
  }
  if (scratch) {
    const auto cert_info = x509::inspect(scratch.get());
    info.dns_names = cert_info.dns_names;
    info.other_names = cert_info.other_names;
  }
  ERR_clear_error();
  return info;
}

}  // namespace edgekit::certtool
