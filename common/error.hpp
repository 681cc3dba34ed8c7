#pragma once
// Expected failures are values: Result<T> holds either a T or an Error. An Error carries a
// std::error_code from one of the per-area categories (config, store, x509, dns, xmpp, ...),
// the subject it is about ("what": a file, a key, a peer) and the human reason ("why").

#include <string>
#include <system_error>
#include <utility>

#include <boost/outcome/basic_result.hpp>
#include <boost/outcome/policy/terminate.hpp>
#include <boost/outcome/success_failure.hpp>

namespace edgekit {

// The exit codes of all three tools (docs/reference.md, "Exit codes").
enum class ExitCode : int {
  kOk = 0,
  kProblems = 1,     // the check or verification found problems
  kUsage = 2,        // usage or configuration error
  kOperational = 3,  // I/O, unreachable peer, timeout
};

// Every project error category derives from this, so any error code can be mapped to the
// exit code of ExitCode without a central table.
class EdgekitCategory : public std::error_category {
 public:
  [[nodiscard]] virtual ExitCode exit_code(int value) const noexcept = 0;
};

struct Error {
  std::error_code code;
  std::string what;
  std::string why;

  [[nodiscard]] std::string message() const;
  [[nodiscard]] ExitCode exit_code() const noexcept;
};

[[nodiscard]] ExitCode exit_code_of(const std::error_code& code) noexcept;

template <typename T>
using Result = boost::outcome_v2::basic_result<T, Error, boost::outcome_v2::policy::terminate>;

inline auto ok() {
  return boost::outcome_v2::success();
}

template <typename Enum>
[[nodiscard]] Error make_error(Enum value, std::string what, std::string why = {}) {
  return Error{make_error_code(value), std::move(what), std::move(why)};
}

// Errors that do not belong to an area: bad invocation and OS-level I/O.
enum class GeneralErrc {
  kUsage = 1,
  kIo,
  kNotFound,
  kTimeout,
  kInternal,
};
const EdgekitCategory& general_category() noexcept;
std::error_code make_error_code(GeneralErrc value) noexcept;

// An OS error (errno) as an Error whose exit code is operational.
[[nodiscard]] Error io_error(std::string what, int errno_value);

}  // namespace edgekit

template <>
struct std::is_error_code_enum<edgekit::GeneralErrc> : std::true_type {};
