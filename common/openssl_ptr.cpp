#include "common/openssl_ptr.hpp"

#include <array>

namespace edgekit::ossl {

std::string last_error_string() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    if (!text.empty()) {
      text += "; ";
    }
    // Keep only the reason: "error:0A000086:SSL routines::certificate verify failed".
    const std::string line(buffer.data());
    const auto pos = line.rfind(':');
    text += pos == std::string::npos ? line : line.substr(pos + 1);
  }
  return text.empty() ? std::string("unknown OpenSSL error") : text;
}

}  // namespace edgekit::ossl
