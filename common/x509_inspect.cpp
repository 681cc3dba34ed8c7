// inspect() and the text forms of names, times and keys.
#include <arpa/inet.h>

#include <array>
#include <ctime>

#include <openssl/core_names.h>

#include "common/crypto.hpp"
#include "common/x509.hpp"

namespace edgekit::x509 {
namespace {

std::string asn1_string_text(const ASN1_STRING* value) {
  if (value == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
          static_cast<std::size_t>(ASN1_STRING_length(value))};
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const auto* bytes = ASN1_STRING_get0_data(ip);
  const int length = ASN1_STRING_length(ip);
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : AF_UNSPEC;
  if (family == AF_UNSPEC ||
      inet_ntop(family, bytes, buffer.data(), static_cast<socklen_t>(buffer.size())) == nullptr) {
    // Appended, not `"(" + std::to_string(...)`: g++ 12 at -O3 reports a false -Wrestrict on
    // that expression (GCC bug 105651).
    std::string text = "(";
    text.append(std::to_string(length)).append("-byte address)");
    return text;
  }
  return buffer.data();
}

std::string oid_text(const ASN1_OBJECT* object) {
  std::array<char, 128> buffer{};
  OBJ_obj2txt(buffer.data(), static_cast<int>(buffer.size()), object, 1);
  return buffer.data();
}

// id-on-xmppAddr (RFC 6120 §13.7.1.4) and SRVName (RFC 4985): OpenSSL knows both OIDs.
std::string other_name_text(const OTHERNAME* other) {
  const int nid = OBJ_obj2nid(other->type_id);
  const ASN1_TYPE* value = other->value;
  if (nid == NID_XmppAddr && value != nullptr && value->type == V_ASN1_UTF8STRING) {
    return "xmppAddr:" + asn1_string_text(value->value.utf8string);
  }
  if (nid == NID_SRVName && value != nullptr && value->type == V_ASN1_IA5STRING) {
    return "SRVName:" + asn1_string_text(value->value.ia5string);
  }
  return "otherName:" + oid_text(other->type_id);
}

void collect_names(X509* cert, CertificateInfo& info) {
  const ossl::GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    switch (name->type) {
      case GEN_DNS: info.dns_names.push_back(asn1_string_text(name->d.dNSName)); break;
      case GEN_IPADD: info.other_names.push_back("IP:" + ip_text(name->d.iPAddress)); break;
      case GEN_URI:
        info.other_names.push_back("URI:" + asn1_string_text(name->d.uniformResourceIdentifier));
        break;
      case GEN_EMAIL:
        info.other_names.push_back("email:" + asn1_string_text(name->d.rfc822Name));
        break;
      case GEN_OTHERNAME: info.other_names.push_back(other_name_text(name->d.otherName)); break;
      case GEN_DIRNAME:
        info.other_names.push_back("dirName:" + name_to_string(name->d.directoryName));
        break;
      default: info.other_names.emplace_back("other"); break;
    }
  }
}

void collect_usages(X509* cert, CertificateInfo& info) {
  const uint32_t flags = X509_get_extension_flags(cert);
  if ((flags & EXFLAG_KUSAGE) != 0) {
    const uint32_t usage = X509_get_key_usage(cert);
    static constexpr std::array<std::pair<uint32_t, const char*>, 9> kKeyUsages{{
        {KU_DIGITAL_SIGNATURE, "digitalSignature"},
        {KU_NON_REPUDIATION, "nonRepudiation"},
        {KU_KEY_ENCIPHERMENT, "keyEncipherment"},
        {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
        {KU_KEY_AGREEMENT, "keyAgreement"},
        {KU_KEY_CERT_SIGN, "keyCertSign"},
        {KU_CRL_SIGN, "cRLSign"},
        {KU_ENCIPHER_ONLY, "encipherOnly"},
        {KU_DECIPHER_ONLY, "decipherOnly"},
    }};
    for (const auto& [bit, text] : kKeyUsages) {
      if ((usage & bit) != 0) {
        info.key_usage.emplace_back(text);
      }
    }
  }
  info.has_ext_key_usage = (flags & EXFLAG_XKUSAGE) != 0;
  bool any = !info.has_ext_key_usage;
  bool server = false;
  bool client = false;
  using EkuPtr = std::unique_ptr<EXTENDED_KEY_USAGE, ossl::Deleter<EXTENDED_KEY_USAGE_free>>;
  const EkuPtr eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
  for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    const ASN1_OBJECT* object = sk_ASN1_OBJECT_value(eku.get(), i);
    switch (OBJ_obj2nid(object)) {
      case NID_server_auth:
        info.ext_key_usage.emplace_back("serverAuth");
        server = true;
        break;
      case NID_client_auth:
        info.ext_key_usage.emplace_back("clientAuth");
        client = true;
        break;
      case NID_anyExtendedKeyUsage:
        info.ext_key_usage.emplace_back("anyExtendedKeyUsage");
        any = true;
        break;
      case NID_code_sign: info.ext_key_usage.emplace_back("codeSigning"); break;
      case NID_email_protect: info.ext_key_usage.emplace_back("emailProtection"); break;
      case NID_OCSP_sign: info.ext_key_usage.emplace_back("OCSPSigning"); break;
      case NID_time_stamp: info.ext_key_usage.emplace_back("timeStamping"); break;
      default: info.ext_key_usage.push_back(oid_text(object)); break;
    }
  }
  ERR_clear_error();
  info.server_auth = any || server;
  info.client_auth = any || client;
}

std::string aia_ca_issuers(X509* cert) {
  using AiaPtr = std::unique_ptr<AUTHORITY_INFO_ACCESS, ossl::Deleter<AUTHORITY_INFO_ACCESS_free>>;
  const AiaPtr aia(static_cast<AUTHORITY_INFO_ACCESS*>(
      X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr)));
  for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i) {
    const ACCESS_DESCRIPTION* entry = sk_ACCESS_DESCRIPTION_value(aia.get(), i);
    if (OBJ_obj2nid(entry->method) == NID_ad_ca_issuers && entry->location->type == GEN_URI) {
      return asn1_string_text(entry->location->d.uniformResourceIdentifier);
    }
  }
  ERR_clear_error();
  return {};
}

}  // namespace

std::string name_to_string(const X509_NAME* name) {
  const ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || name == nullptr) {
    return {};
  }
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::optional<std::chrono::system_clock::time_point> to_time_point(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

std::string to_rfc3339(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  std::array<char, 32> buffer{};
  (void)std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer.data();
}

std::string key_description(EVP_PKEY* key) {
  if (key == nullptr) {
    return "unknown";
  }
  const int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS: return "RSA " + std::to_string(bits);
    case EVP_PKEY_EC: {
      std::array<char, 64> group{};
      std::size_t length = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(),
                                         group.size(), &length) != 1) {
        ERR_clear_error();
        return "EC " + std::to_string(bits);
      }
      const std::string_view name(group.data(), length);
      if (name == "prime256v1" || name == "P-256") {
        return "EC P-256";
      }
      if (name == "secp384r1" || name == "P-384") {
        return "EC P-384";
      }
      if (name == "secp521r1" || name == "P-521") {
        return "EC P-521";
      }
      return "EC " + std::string(name);
    }
    case EVP_PKEY_ED25519: return "Ed25519";
    case EVP_PKEY_ED448: return "Ed448";
    default: return std::string(OBJ_nid2sn(EVP_PKEY_get_base_id(key))) + " " + std::to_string(bits);
  }
}

CertificateInfo inspect(X509* cert) {
  CertificateInfo info;
  if (cert == nullptr) {
    return info;
  }
  info.subject = name_to_string(X509_get_subject_name(cert));
  info.issuer = name_to_string(X509_get_issuer_name(cert));
  const X509_NAME* subject = X509_get_subject_name(cert);
  for (int index = -1; (index = X509_NAME_get_index_by_NID(subject, NID_commonName, index)) >= 0;) {
    info.common_name =
        asn1_string_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  }
  if (const ossl::BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
      serial) {
    const ossl::OpensslStringPtr hex(BN_bn2hex(serial.get()));
    if (hex) {
      for (const char* c = hex.get(); *c != '\0'; ++c) {
        info.serial.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(*c))));
      }
    }
  }
  collect_names(cert, info);
  const auto not_before = to_time_point(X509_get0_notBefore(cert));
  const auto not_after = to_time_point(X509_get0_notAfter(cert));
  info.not_before = not_before.value_or(std::chrono::system_clock::time_point{});
  info.not_after = not_after.value_or(std::chrono::system_clock::time_point{});
  info.not_before_text = to_rfc3339(info.not_before);
  info.not_after_text = to_rfc3339(info.not_after);
  info.key = key_description(X509_get0_pubkey(cert));
  collect_usages(cert, info);
  const uint32_t flags = X509_get_extension_flags(cert);
  info.is_ca = (flags & EXFLAG_CA) != 0;
  info.self_signed = (flags & EXFLAG_SS) != 0;
  const std::string der = der_of(cert);
  info.sha1 = crypto::digest_hex(crypto::Digest::kSha1, der);
  info.sha256 = crypto::digest_hex(crypto::Digest::kSha256, der);
  info.spki_sha256 = crypto::digest_hex(crypto::Digest::kSha256, spki_der_of(cert));
  info.aia_ca_issuers = aia_ca_issuers(cert);
  ERR_clear_error();
  return info;
}

}  // namespace edgekit::x509
