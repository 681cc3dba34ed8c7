// Fuzz target: base64 decoding never crashes, and decoding is the inverse of encoding for both
// alphabets (a decoded value re-encodes to a form that decodes to the same bytes).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto standard = edgekit::base64_decode(text)) {
    const auto again = edgekit::base64_decode(edgekit::base64_encode(*standard));
    if (!again || *again != *standard) {
      std::abort();
    }
  }
  if (const auto url = edgekit::base64url_decode(text)) {
    // Strict decoding accepts only canonical input: it must re-encode to exactly the text.
    if (edgekit::base64url_encode(*url) != text) {
      std::abort();
    }
  }
  // Any bytes survive a round trip through either alphabet.
  const auto round = edgekit::base64url_decode(edgekit::base64url_encode(text));
  if (!round || *round != text || edgekit::base64_decode(edgekit::base64_encode(text)) != text) {
    std::abort();
  }
  return 0;
}
