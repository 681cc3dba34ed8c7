#pragma once
// Domains and JIDs per RFC 7622. Domainparts are IDNA2008 (libidn2) and kept in A-label,
// lower-case form, which is what goes on the wire and into certificates. Localparts are
// compared case-insensitively for ASCII; full PRECIS (UsernameCaseMapped) for non-ASCII is not
// implemented: such localparts are kept as given after a UTF-8 validity check.

#include <string>
#include <string_view>

#include "common/error.hpp"

namespace edgekit {

enum class JidErrc {
  kEmpty = 1,
  kTooLong,
  kBadLabel,
  kIdna,
  kForbiddenCharacter,
  kBadUtf8,
};
const EdgekitCategory& jid_category() noexcept;
std::error_code make_error_code(JidErrc value) noexcept;

// "Corp.EXAMPLE." -> "corp.example"; "bücher.example" -> "xn--bcher-kva.example".
Result<std::string> normalize_domain(std::string_view domain);

// The U-label form for display ("xn--bcher-kva.example" -> "bücher.example"); returns the
// input unchanged when it is not a valid A-label.
std::string domain_to_unicode(std::string_view domain);

class Jid {
 public:
  static Result<Jid> parse(std::string_view text);

  [[nodiscard]] const std::string& local() const noexcept { return local_; }
  [[nodiscard]] const std::string& domain() const noexcept { return domain_; }
  [[nodiscard]] const std::string& resource() const noexcept { return resource_; }
  [[nodiscard]] bool is_bare() const noexcept { return resource_.empty(); }
  [[nodiscard]] bool is_domain() const noexcept { return local_.empty() && resource_.empty(); }
  [[nodiscard]] std::string bare() const;
  [[nodiscard]] std::string full() const;

  friend bool operator==(const Jid&, const Jid&) = default;

 private:
  std::string local_;
  std::string domain_;
  std::string resource_;
};

// The domainpart of a JID without validating or normalising anything: the fast path for
// routing, where the caller compares it with already-normalised domains case-insensitively.
std::string_view jid_domain_view(std::string_view jid) noexcept;

bool iequals_ascii(std::string_view a, std::string_view b) noexcept;
std::string to_lower_ascii(std::string_view text);

}  // namespace edgekit

template <>
struct std::is_error_code_enum<edgekit::JidErrc> : std::true_type {};
