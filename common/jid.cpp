#include "common/jid.hpp"

#include <algorithm>
#include <memory>

#include <idn2.h>

#include "common/c_deleter.hpp"

namespace edgekit {
namespace {

class JidCategory final : public EdgekitCategory {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "jid"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<JidErrc>(value)) {
      case JidErrc::kEmpty: return "empty";
      case JidErrc::kTooLong: return "too long";
      case JidErrc::kBadLabel: return "invalid label";
      case JidErrc::kIdna: return "not a valid internationalized domain name";
      case JidErrc::kForbiddenCharacter: return "forbidden character";
      case JidErrc::kBadUtf8: return "invalid UTF-8";
    }
    return "invalid JID";
  }
  [[nodiscard]] ExitCode exit_code(int /*value*/) const noexcept override {
    return ExitCode::kUsage;
  }
};

constexpr std::size_t kMaxPartBytes = 1023;  // RFC 7622 §3.2–3.4
constexpr std::size_t kMaxDomainBytes = 253;
constexpr std::size_t kMaxLabelBytes = 63;

// libidn2 allocates its output; idn2_free releases it.
using Idn2StringPtr = std::unique_ptr<char, CDeleter<idn2_free>>;

bool is_ascii(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    if (lead < 0x80) {
      extra = 0;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3;
    } else {
      return false;
    }
    if (extra != 0 && i + extra >= text.size()) {
      return false;
    }
    // Reject overlong forms and surrogates (the second byte's allowed range narrows).
    const auto second = extra != 0 ? static_cast<unsigned char>(text[i + 1]) : 0;
    if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second >= 0xA0) ||
        (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second >= 0x90)) {
      return false;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
        return false;
      }
    }
    i += extra + 1;
  }
  return true;
}

Result<void> check_ldh_labels(std::string_view domain, std::string_view original) {
  std::size_t start = 0;
  while (start <= domain.size()) {
    const auto dot = domain.find('.', start);
    const auto end = dot == std::string_view::npos ? domain.size() : dot;
    const auto label = domain.substr(start, end - start);
    if (label.empty() || label.size() > kMaxLabelBytes) {
      return make_error(JidErrc::kBadLabel, std::string(original),
                        label.empty() ? "empty label" : "label longer than 63 octets");
    }
    const bool ldh = std::all_of(label.begin(), label.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!ldh || label.front() == '-' || label.back() == '-') {
      return make_error(
          JidErrc::kBadLabel, std::string(original),
          "label '" + std::string(label) + "' must be letters, digits and inner hyphens");
    }
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  return ok();
}

}  // namespace

const EdgekitCategory& jid_category() noexcept {
  static const JidCategory category;
  return category;
}

std::error_code make_error_code(JidErrc value) noexcept {
  return {static_cast<int>(value), jid_category()};
}

bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  if (a == b) {
    return true;  // the common case (domains normalised to lower case): one memcmp
  }
  return std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
    const auto lx = (x >= 'A' && x <= 'Z') ? static_cast<char>(x - 'A' + 'a') : x;
    const auto ly = (y >= 'A' && y <= 'Z') ? static_cast<char>(y - 'A' + 'a') : y;
    return lx == ly;
  });
}

std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

Result<std::string> normalize_domain(std::string_view domain) {
  const std::string original(domain);
  if (!domain.empty() && domain.back() == '.') {
    domain.remove_suffix(1);  // a fully qualified name's root dot is not part of a JID
  }
  if (domain.empty()) {
    return make_error(JidErrc::kEmpty, original, "empty domain");
  }
  if (!valid_utf8(domain)) {
    return make_error(JidErrc::kBadUtf8, original, "domain is not valid UTF-8");
  }
  std::string ascii;
  if (is_ascii(domain)) {
    ascii = to_lower_ascii(domain);
    // An ASCII label that claims to be an A-label must decode (IDNA2008 "xn--" check).
    if (ascii.find("xn--") != std::string::npos) {
      char* decoded = nullptr;
      const int rc = idn2_to_unicode_8z8z(ascii.c_str(), &decoded, 0);
      const Idn2StringPtr holder(decoded);
      if (rc != IDN2_OK) {
        return make_error(JidErrc::kIdna, original, idn2_strerror(rc));
      }
    }
  } else {
    char* converted = nullptr;
    const std::string input(domain);
    const int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(input.c_str()),
                                  reinterpret_cast<uint8_t**>(&converted),
                                  IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    const Idn2StringPtr holder(converted);
    if (rc != IDN2_OK) {
      return make_error(JidErrc::kIdna, original, idn2_strerror(rc));
    }
    ascii = to_lower_ascii(converted);
  }
  if (ascii.size() > kMaxDomainBytes) {
    return make_error(JidErrc::kTooLong, original, "domain longer than 253 octets");
  }
  if (auto checked = check_ldh_labels(ascii, original); !checked) {
    return checked.error();
  }
  return ascii;
}

std::string domain_to_unicode(std::string_view domain) {
  char* decoded = nullptr;
  const std::string input(domain);
  const int rc = idn2_to_unicode_8z8z(input.c_str(), &decoded, 0);
  const Idn2StringPtr holder(decoded);
  return rc == IDN2_OK && decoded != nullptr ? std::string(decoded) : input;
}

std::string_view jid_domain_view(std::string_view jid) noexcept {
  const auto slash = jid.find('/');
  if (slash != std::string_view::npos) {
    jid = jid.substr(0, slash);
  }
  const auto at = jid.find('@');
  return at == std::string_view::npos ? jid : jid.substr(at + 1);
}

Result<Jid> Jid::parse(std::string_view text) {
  const std::string original(text);
  if (text.empty()) {
    return make_error(JidErrc::kEmpty, original, "empty JID");
  }
  if (!valid_utf8(text)) {
    return make_error(JidErrc::kBadUtf8, original, "JID is not valid UTF-8");
  }
  Jid jid;
  std::string_view rest = text;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    const auto resource = rest.substr(slash + 1);
    if (resource.empty()) {
      return make_error(JidErrc::kEmpty, original, "empty resourcepart after '/'");
    }
    if (resource.size() > kMaxPartBytes) {
      return make_error(JidErrc::kTooLong, original, "resourcepart longer than 1023 octets");
    }
    if (std::any_of(resource.begin(), resource.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
      return make_error(JidErrc::kForbiddenCharacter, original,
                        "control character in resourcepart");
    }
    jid.resource_ = std::string(resource);
    rest = rest.substr(0, slash);
  }
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    const auto local = rest.substr(0, at);
    if (local.empty()) {
      return make_error(JidErrc::kEmpty, original, "empty localpart before '@'");
    }
    if (local.size() > kMaxPartBytes) {
      return make_error(JidErrc::kTooLong, original, "localpart longer than 1023 octets");
    }
    constexpr std::string_view kForbidden = "\"&'/:<>@";  // RFC 7622 §3.3.1
    for (const char c : local) {
      const auto byte = static_cast<unsigned char>(c);
      if (kForbidden.find(c) != std::string_view::npos || byte <= 0x20 || byte == 0x7f) {
        return make_error(JidErrc::kForbiddenCharacter, original,
                          std::string("character '") + c + "' is not allowed in a localpart");
      }
    }
    jid.local_ = to_lower_ascii(local);
    rest = rest.substr(at + 1);
  }
  auto domain = normalize_domain(rest);
  if (!domain) {
    return Error{domain.error().code, original, domain.error().why};
  }
  jid.domain_ = std::move(domain).value();
  return jid;
}

std::string Jid::bare() const {
  return local_.empty() ? domain_ : local_ + "@" + domain_;
}

std::string Jid::full() const {
  return resource_.empty() ? bare() : bare() + "/" + resource_;
}

}  // namespace edgekit
