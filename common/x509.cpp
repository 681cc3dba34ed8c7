#include "common/x509.hpp"

#include <array>
#include <cerrno>
#include <climits>
#include <fstream>

#include <openssl/pem.h>

#include "common/crypto.hpp"
#include "common/store.hpp"

namespace edgekit::x509 {
namespace {

class X509Category final : public EdgekitCategory {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "x509"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<X509Errc>(value)) {
      case X509Errc::kUnreadable: return "cannot read";
      case X509Errc::kTooLarge: return "too large";
      case X509Errc::kMalformed: return "malformed certificate data";
      case X509Errc::kNoCertificate: return "no certificate found";
      case X509Errc::kBadPassword: return "wrong password";
      case X509Errc::kRejected: return "rejected";
      case X509Errc::kInternal: return "OpenSSL failure";
    }
    return "X.509 error";
  }
  [[nodiscard]] ExitCode exit_code(int value) const noexcept override {
    switch (static_cast<X509Errc>(value)) {
      case X509Errc::kUnreadable:
      case X509Errc::kInternal: return ExitCode::kOperational;
      case X509Errc::kRejected: return ExitCode::kProblems;
      default: return ExitCode::kUsage;
    }
  }
};

Error malformed(std::string why) {
  ERR_clear_error();
  return make_error(X509Errc::kMalformed, "certificate data", std::move(why));
}

// The BIO reads directly from the caller's bytes; no copy.
ossl::BioPtr memory_bio(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return nullptr;
  }
  return ossl::BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

bool only_whitespace(std::string_view text) noexcept {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Result<void> append_pkcs7(PKCS7* p7, std::vector<ossl::X509Ptr>& out) {
  if (p7 == nullptr || PKCS7_type_is_signed(p7) == 0 || p7->d.sign == nullptr) {
    return malformed("PKCS#7 structure is not a signed-data certificate bag");
  }
  STACK_OF(X509)* certs = p7->d.sign->cert;
  const int count = certs == nullptr ? 0 : sk_X509_num(certs);
  for (int i = 0; i < count; ++i) {
    X509* cert = sk_X509_value(certs, i);
    X509_up_ref(cert);
    out.emplace_back(cert);
  }
  return ok();
}

Result<void> parse_pem(std::string_view bytes, std::vector<ossl::X509Ptr>& out) {
  auto bio = memory_bio(bytes);
  if (!bio) {
    return malformed("input too large");
  }
  int blocks = 0;
  while (true) {
    char* raw_name = nullptr;
    char* raw_header = nullptr;
    unsigned char* raw_data = nullptr;
    long length = 0;
    if (PEM_read_bio(bio.get(), &raw_name, &raw_header, &raw_data, &length) == 0) {
      const auto reason = ERR_GET_REASON(ERR_peek_last_error());
      ERR_clear_error();
      if (reason == PEM_R_NO_START_LINE) {
        break;  // the end of the input (or trailing text)
      }
      return malformed("broken PEM block after " + std::to_string(blocks) + " good block(s)");
    }
    const ossl::OpensslStringPtr name(raw_name);
    const ossl::OpensslStringPtr header(raw_header);
    const ossl::OpensslBytesPtr data(raw_data);
    ++blocks;
    const std::string_view label(name.get());
    const unsigned char* cursor = data.get();
    if (label == PEM_STRING_X509 || label == PEM_STRING_X509_OLD) {
      ossl::X509Ptr cert(d2i_X509(nullptr, &cursor, length));
      if (!cert || cursor != data.get() + length) {
        return malformed("PEM block " + std::to_string(blocks) + " is not a valid certificate");
      }
      out.push_back(std::move(cert));
    } else if (label == PEM_STRING_X509_TRUSTED) {
      X509* cert = d2i_X509_AUX(nullptr, &cursor, length);
      if (cert == nullptr) {
        return malformed("PEM block " + std::to_string(blocks) + " is not a valid certificate");
      }
      out.emplace_back(cert);
    } else if (label == PEM_STRING_PKCS7) {
      const ossl::Pkcs7Ptr p7(d2i_PKCS7(nullptr, &cursor, length));
      if (!p7) {
        return malformed("PEM block " + std::to_string(blocks) + " is not valid PKCS#7");
      }
      if (auto appended = append_pkcs7(p7.get(), out); !appended) {
        return appended.error();
      }
    }
    // Keys, CSRs and other blocks are not certificates: skip them.
  }
  if (blocks == 0) {
    return malformed("no PEM block found");
  }
  return ok();
}

Result<void> parse_der(std::string_view bytes, std::vector<ossl::X509Ptr>& out) {
  const auto* begin = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = begin + bytes.size();
  // A PKCS#7 bag first: it is one DER object, never a certificate.
  {
    const unsigned char* cursor = begin;
    const ossl::Pkcs7Ptr p7(d2i_PKCS7(nullptr, &cursor, static_cast<long>(bytes.size())));
    if (p7 && cursor == end) {
      return append_pkcs7(p7.get(), out);
    }
    ERR_clear_error();
  }
  const unsigned char* cursor = begin;
  while (cursor < end) {
    if (out.size() >= kMaxChainCertificates * 4) {
      return malformed("too many DER certificates");
    }
    const unsigned char* start = cursor;
    ossl::X509Ptr cert(d2i_X509(nullptr, &cursor, end - cursor));
    if (!cert || cursor <= start) {
      return malformed(out.empty() ? "neither PEM, DER certificate nor PKCS#7"
                                   : "trailing bytes after " + std::to_string(out.size()) +
                                         " DER certificate(s)");
    }
    out.push_back(std::move(cert));
  }
  return ok();
}

}  // namespace

const EdgekitCategory& x509_category() noexcept {
  static const X509Category category;
  return category;
}

std::error_code make_error_code(X509Errc value) noexcept {
  return {static_cast<int>(value), x509_category()};
}

std::string_view to_string(Encoding encoding) noexcept {
  switch (encoding) {
    case Encoding::kPem: return "PEM";
    case Encoding::kDer: return "DER";
    case Encoding::kPkcs7Pem: return "PKCS#7 (PEM)";
    case Encoding::kPkcs7Der: return "PKCS#7 (DER)";
    case Encoding::kPkcs12: return "PKCS#12";
    case Encoding::kUnknown: return "unknown";
  }
  return "unknown";
}

bool looks_like_pem(std::string_view bytes) noexcept {
  return bytes.find("-----BEGIN ") != std::string_view::npos;
}

bool looks_like_pkcs12(std::string_view bytes) noexcept {
  if (bytes.empty() || looks_like_pem(bytes)) {
    return false;
  }
  const auto* cursor = reinterpret_cast<const unsigned char*>(bytes.data());
  const ossl::Pkcs12Ptr p12(d2i_PKCS12(nullptr, &cursor, static_cast<long>(bytes.size())));
  const bool parsed = p12 != nullptr;
  ERR_clear_error();
  return parsed;
}

Encoding sniff_encoding(std::string_view bytes) noexcept {
  if (looks_like_pem(bytes)) {
    return bytes.find("-----BEGIN PKCS7-----") != std::string_view::npos ? Encoding::kPkcs7Pem
                                                                         : Encoding::kPem;
  }
  if (looks_like_pkcs12(bytes)) {
    return Encoding::kPkcs12;
  }
  if (bytes.empty() || static_cast<unsigned char>(bytes.front()) != 0x30) {
    return Encoding::kUnknown;
  }
  const auto* cursor = reinterpret_cast<const unsigned char*>(bytes.data());
  const ossl::Pkcs7Ptr p7(d2i_PKCS7(nullptr, &cursor, static_cast<long>(bytes.size())));
  const bool is_p7 = p7 != nullptr;
  ERR_clear_error();
  return is_p7 ? Encoding::kPkcs7Der : Encoding::kDer;
}

Result<std::vector<ossl::X509Ptr>> parse_certificates(std::string_view bytes) {
  if (bytes.size() > kMaxCertificateFileBytes) {
    return make_error(X509Errc::kTooLarge, "certificate data",
                      std::to_string(bytes.size()) + " bytes, more than the limit of " +
                          std::to_string(kMaxCertificateFileBytes));
  }
  if (only_whitespace(bytes)) {
    return make_error(X509Errc::kNoCertificate, "certificate data", "empty");
  }
  std::vector<ossl::X509Ptr> certs;
  if (looks_like_pem(bytes)) {
    if (auto parsed = parse_pem(bytes, certs); !parsed) {
      return parsed.error();
    }
  } else if (auto parsed = parse_der(bytes, certs); !parsed) {
    return parsed.error();
  }
  ERR_clear_error();
  if (certs.empty()) {
    return make_error(X509Errc::kNoCertificate, "certificate data",
                      "the input holds no certificate");
  }
  return certs;
}

Result<std::string> read_material(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return make_error(X509Errc::kUnreadable, path.string(), "no such file");
  }
  if (std::filesystem::is_directory(status)) {
    return make_error(X509Errc::kUnreadable, path.string(), "is a directory");
  }
  if (std::filesystem::is_regular_file(status)) {
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > kMaxCertificateFileBytes) {
      return make_error(X509Errc::kTooLarge, path.string(),
                        std::to_string(size) + " bytes, more than the limit of " +
                            std::to_string(kMaxCertificateFileBytes) + " for certificate material");
    }
  }
  auto bytes = read_file(path, kMaxCertificateFileBytes);
  if (!bytes) {
    Error error = bytes.error();
    error.code = make_error_code(X509Errc::kUnreadable);
    error.what = path.string();
    return error;
  }
  return std::move(bytes).value();
}

Result<std::vector<ossl::X509Ptr>> load_certificates(const std::filesystem::path& path) {
  auto bytes = read_material(path);
  if (!bytes) {
    return bytes.error();
  }
  auto certs = parse_certificates(bytes.value());
  if (!certs) {
    Error error = certs.error();
    error.what = path.string();
    return error;
  }
  return certs;
}

Result<Pkcs12Contents> parse_pkcs12(std::string_view bytes, std::string_view password) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(bytes.data());
  const ossl::Pkcs12Ptr p12(d2i_PKCS12(nullptr, &cursor, static_cast<long>(bytes.size())));
  if (!p12) {
    return malformed("not a PKCS#12 file");
  }
  const std::string pass(password);
  if (PKCS12_mac_present(p12.get()) != 0 &&
      PKCS12_verify_mac(p12.get(), pass.c_str(), static_cast<int>(pass.size())) != 1) {
    ERR_clear_error();
    return make_error(X509Errc::kBadPassword, "PKCS#12",
                      "the password does not open it (MAC verification failed)");
  }
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  if (PKCS12_parse(p12.get(), pass.c_str(), &key, &cert, &ca) != 1) {
    const auto reason = ossl::last_error_string();
    return make_error(X509Errc::kBadPassword, "PKCS#12", "cannot decrypt its contents: " + reason);
  }
  Pkcs12Contents contents;
  contents.key.reset(key);
  contents.certificate.reset(cert);
  const ossl::X509StackPtr stack(ca);
  for (int i = 0; stack && i < sk_X509_num(stack.get()); ++i) {
    X509* extra = sk_X509_value(stack.get(), i);
    X509_up_ref(extra);
    contents.chain.emplace_back(extra);
  }
  if (cert != nullptr) {
    int length = 0;
    if (const unsigned char* alias = X509_alias_get0(cert, &length);
        alias != nullptr && length > 0) {
      contents.friendly_name.assign(reinterpret_cast<const char*>(alias),
                                    static_cast<std::size_t>(length));
    }
  }
  if (!contents.certificate && contents.chain.empty()) {
    return make_error(X509Errc::kNoCertificate, "PKCS#12", "holds no certificate");
  }
  return contents;
}

std::string to_pem(X509* cert) {
  const ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::string der_of(X509* cert) {
  const int size = i2d_X509(cert, nullptr);
  if (size <= 0) {
    ERR_clear_error();
    return {};
  }
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* cursor = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &cursor);
  return der;
}

std::string spki_der_of(X509* cert) {
  X509_PUBKEY* spki = X509_get_X509_PUBKEY(cert);
  const int size = i2d_X509_PUBKEY(spki, nullptr);
  if (size <= 0) {
    ERR_clear_error();
    return {};
  }
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* cursor = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509_PUBKEY(spki, &cursor);
  return der;
}

std::string colon_hex(std::string_view hex) {
  std::string text;
  for (std::size_t i = 0; i < hex.size(); ++i) {
    if (i != 0 && i % 2 == 0) {
      text.push_back(':');
    }
    const char c = hex[i];
    text.push_back(c >= 'a' && c <= 'f' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return text;
}

std::string thumbprint(X509* cert) {
  return crypto::digest_hex(crypto::Digest::kSha256, der_of(cert));
}

std::vector<X509*> raw_pointers(const std::vector<ossl::X509Ptr>& certs) {
  std::vector<X509*> raw;
  raw.reserve(certs.size());
  for (const auto& cert : certs) {
    raw.push_back(cert.get());
  }
  return raw;
}

}  // namespace edgekit::x509
